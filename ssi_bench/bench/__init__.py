"""The parts of :class:`ssi_bench.api.Bench`, one module per stretch of the data's path.

``Bench`` (``ssi_bench/api.py``) stays the one façade every surface calls; its methods live
where the data they handle lives: :mod:`ssi_bench.bench.ingest` (read → validate →
pseudonymise → store: previews, imports, the demo), :mod:`ssi_bench.bench.admin` (what an
admin changes afterwards: uploads, undo, erase, network groups, sector mappings, shares), and
the release and standings in ``api.py`` itself.
"""
