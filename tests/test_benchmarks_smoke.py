"""The benchmark runner executes end to end at 1e4 rows and prints ratios (no timing asserted)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_quick_benchmark_run_prints_every_figure_beside_a_baseline_as_a_ratio(tmp_path):
    out = tmp_path / "RESULTS.md"
    proc = subprocess.run(  # fixed argv, no shell
        [
            sys.executable,
            "-m",
            "benchmarks",
            "--quick",
            "--work",
            str(tmp_path / "work"),
            "--out",
            str(out),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=280,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    printed = proc.stdout
    assert "ERROR" not in printed, printed[-3000:]
    for figure in (
        "ingest CSV → store",
        "ingest peak RSS",
        "standing, one person",
        "naive count query",
        "pandas groupby-rank",
        "quantiles, every cohort",
        "trend, one person",
        "My benchmark page, warm rerun",
    ):
        line = next((ln for ln in printed.splitlines() if figure in ln), None)
        assert line is not None, f"{figure!r} missing from:\n{printed[-3000:]}"
        assert re.search(r"\| \d+(\.\d+)?× \|", line), f"no ratio in {line!r}"
    text = out.read_text()
    assert text.startswith("# Benchmark results")
    assert "cores" in text and "duckdb" in text and "streamlit" in text
    # Work files of the run are cleaned up (only small leftovers, no CSVs).
    assert not list((tmp_path / "work").glob("*.csv"))
