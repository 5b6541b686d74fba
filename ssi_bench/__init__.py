"""SSI Bench: benchmark LinkedIn Social Selling Index scores within sector and network.

The library is usable without Streamlit; :class:`ssi_bench.api.Bench` is the entry point
shared by the command line and the pages.
"""

import pyarrow as _pa

__version__ = "0.1.0"

# Arrow's default allocator here is mimalloc, which hands large freed blocks back to the
# system at once: every big array of an upload then page-faults afresh. With the C
# library's allocator, validating a million rows takes 0.5 s instead of 1.1 s on the
# 2-core machine of benchmarks/RESULTS.md, at the same peak memory.
_pa.set_memory_pool(_pa.system_memory_pool())
