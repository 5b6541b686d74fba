"""Shared pieces: timing, peak memory, running one measurement in a child process."""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "benchmarks" / "_work"
#: The line prefix a child prints before its JSON result (everything else is its log).
RESULT_MARK = "@@BENCH-RESULT@@ "
#: Secret used for every benchmark database, so person keys are reproducible.
SECRET = "benchmark-secret-not-for-production"


def median_time(fn: Callable[[], object], repeat: int, warmup: int = 1) -> float:
    """Median wall time of ``fn()`` in seconds over ``repeat`` calls after ``warmup`` calls."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def median_of_calls(fns: list[Callable[[], object]], rounds: int, warmup: int = 1) -> float:
    """Median wall time of one call, over ``rounds`` passes through every function in ``fns``.

    Used for the per-call standing: several people, cohorts and metrics, so one lucky cache
    line or one slow cohort does not decide the figure.
    """
    for _ in range(warmup):
        for fn in fns:
            fn()
    times = []
    for _ in range(rounds):
        for fn in fns:
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
    return statistics.median(times)


def peak_rss_bytes() -> int:
    """Peak resident set size of this process so far (Linux reports KiB)."""
    kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(kib) * 1024


def emit(result: dict[str, Any]) -> None:
    """Print a child's result for the parent to pick up."""
    print(RESULT_MARK + json.dumps(result, default=str), flush=True)


def run_child(
    task: str,
    args: dict[str, Any],
    *,
    timeout: float,
    env: dict[str, str] | None = None,
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Run ``python -m benchmarks.child task args`` and return its JSON result.

    On failure (non-zero exit, timeout, no result line) returns ``{"error": "..."}`` so
    the runner can report the row as failed and go on.
    """
    cmd = [sys.executable, "-m", "benchmarks.child", task, json.dumps(args)]
    child_env = {**os.environ, **(env or {})}
    child_env.setdefault("PYTHONHASHSEED", "0")
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(  # fixed argv, no shell
            cmd,
            cwd=ROOT,
            env=child_env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return {"error": f"{task}: timed out after {timeout:.0f} s"}
    took = time.perf_counter() - t0
    result: dict[str, Any] | None = None
    for line in proc.stdout.splitlines():
        if line.startswith(RESULT_MARK):
            result = json.loads(line[len(RESULT_MARK) :])
    if proc.returncode != 0 or result is None:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-8:]
        return {"error": f"{task}: exit {proc.returncode}: " + " | ".join(tail)}
    log(f"  {task} done in {took:.1f} s")
    return result


def fmt_seconds(s: float | None) -> str:
    if s is None:
        return "—"
    if s < 1e-3:
        return f"{s * 1e6:.0f} µs"
    if s < 1:
        return f"{s * 1e3:.2f} ms"
    return f"{s:.2f} s"


def fmt_bytes(b: float | None) -> str:
    """Bytes in decimal megabytes (the targets are stated in GB = 10⁹ bytes)."""
    if b is None:
        return "—"
    return f"{b / 1e6:,.0f} MB"
