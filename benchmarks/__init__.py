"""Performance runs for SSI Bench: every figure beside a baseline measured in the same run.

``python -m benchmarks`` (or ``make bench``) generates seeded synthetic data (a person ×
weekly-date grid, 150 skewed sectors, 5,000 teams, pillars with two decimals), measures the
library and the app against plain DuckDB / pandas / Streamlit baselines, prints a table of
medians with ratios and writes it to ``benchmarks/RESULTS.md``.

Each measurement runs in its own Python subprocess (``benchmarks.child``), so one run's
memory cannot pollute another's peak RSS and a crash is reported, not fatal. Work files
(CSVs, databases) live in ``benchmarks/_work/`` (git-ignored) and large ones are deleted
after the run unless ``--keep`` is given.

These are measurements, not tests: nothing here asserts a time. ``tests/test_benchmarks_smoke.py``
only checks that a tiny run executes and prints ratios.
"""
