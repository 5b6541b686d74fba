"""SSI Bench: benchmark LinkedIn Social Selling Index scores within sector and network.

The library is usable without Streamlit; :class:`ssi_bench.api.Bench` is the entry point
shared by the command line and the pages.
"""

__version__ = "0.1.0"
