"""Release build on DuckDB and on Spark ``local[2]``, side by side (issue 13).

``python -m benchmarks --only release [--release-sizes 1e6,1e7] [--release-1e8]`` — each
step in its own process (``python -m benchmarks.release TASK JSON``): generate the export
straight to Parquet (DuckDB SQL, no database), a scan baseline, the DuckDB build, the Spark
build. Peak RSS is sampled over the whole process tree (Spark's JVM is a child of Python).
The two builds' ``hist``/``pairs`` files must have the same SHA-256 (they are written from
canonical, sorted tables), or the row says so.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from benchmarks.common import RESULT_MARK, ROOT, emit, fmt_bytes, fmt_seconds

WEEKS = 52
LOOKBACK = 90


def gen_sql(rows: int) -> str:
    """A seeded person × weekly grid: 150 sectors, 5,000 networks (3 % none), pillars with
    two decimals, ssi the pillar sum; scores already in 1/10,000 points."""
    people = max(1, rows // WEEKS)
    h = "hash(i % {p} + {salt})"
    pillar = lambda salt: f"(({h.format(p=people, salt=salt)} + (i // {people}) * 7) % 2501) * 100"  # noqa: E731
    pillars = [pillar(s) for s in (11, 23, 37, 41)]
    return f"""
SELECT printf('k%09d', i % {people}) AS person_key,
       DATE '2025-11-24' + CAST(7 * (i // {people}) AS INTEGER) AS snapshot_date,
       'sector' || ({h.format(p=people, salt=1)} % 150) AS sector,
       CASE WHEN {h.format(p=people, salt=2)} % 100 < 3 THEN NULL
            ELSE 'team' || ({h.format(p=people, salt=3)} % 5000) END AS network,
       {" + ".join(pillars)} AS ssi,
       {pillars[0]} AS brand, {pillars[1]} AS people, {pillars[2]} AS insights,
       {pillars[3]} AS relationships
FROM range({people * WEEKS}) t(i)
"""


class _Peak:
    """Peak RSS of this process and all its children, sampled every 0.1 s."""

    def __init__(self) -> None:
        import psutil

        self.proc, self.peak, self._stop = psutil.Process(), 0, threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        import psutil

        while not self._stop.is_set():
            total = 0
            try:
                for p in [self.proc, *self.proc.children(recursive=True)]:
                    total += p.memory_info().rss
            except psutil.Error:
                pass
            self.peak = max(self.peak, total)
            time.sleep(0.1)

    def stop(self) -> int:
        self._stop.set()
        self.thread.join()
        return self.peak


def task_gen(a: dict[str, Any]) -> dict[str, Any]:
    import duckdb

    from ssi_bench.engines import snapshots

    t0 = time.perf_counter()
    con = duckdb.connect()
    m = snapshots.write_snapshots(con, gen_sql(int(a["rows"])), a["out"])
    return {"rows": m["rows"], "seconds": time.perf_counter() - t0}


def task_scan(a: dict[str, Any]) -> dict[str, Any]:
    import duckdb

    from ssi_bench.engines import duckdb_engine

    peak = _Peak()
    t0 = time.perf_counter()
    con = duckdb.connect()
    con.execute(duckdb_engine.snapshots_view_sql(a["input"]))
    con.execute("SELECT count(*), sum(ssi), count(DISTINCT person_key) FROM snapshots").fetchall()
    return {"seconds": time.perf_counter() - t0, "peak_rss": peak.stop()}


def task_build(a: dict[str, Any]) -> dict[str, Any]:
    from ssi_bench.engines import build

    peak = _Peak()
    t0 = time.perf_counter()
    spark = None
    if a["engine"] == "spark":
        from ssi_bench.engines import spark_engine

        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        spark = spark_engine.session(
            master="local[2]",
            conf={"spark.driver.memory": "3g", "spark.local.dir": a["tmp"]},
        )
    started = time.perf_counter() - t0
    m = build.build_release(
        a["input"],
        a["out"],
        engine=a["engine"],
        spark=spark,
        lookback_days=LOOKBACK,
        verify=False,
    )
    took = time.perf_counter() - t0
    if spark is not None:
        spark.stop()
    return {
        "seconds": took,
        "startup": started,
        "peak_rss": peak.stop(),
        "sha": {k: v["sha256"] for k, v in m["files"].items()},
        "rows": {k: v["rows"] for k, v in m["files"].items()},
    }


TASKS = {"gen": task_gen, "scan": task_scan, "build": task_build}


def run(task: str, args: dict[str, Any], timeout: float) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "benchmarks.release", task, json.dumps(args)]
    try:
        proc = subprocess.run(
            cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        return {"error": f"{task}: timed out after {timeout:.0f} s"}
    for line in proc.stdout.splitlines():
        if line.startswith(RESULT_MARK):
            return dict(json.loads(line[len(RESULT_MARK) :]))
    tail = (proc.stderr or proc.stdout).strip().splitlines()[-6:]
    return {"error": f"{task}: exit {proc.returncode}: " + " | ".join(tail)}


def measure(runner: Any, sizes: list[int], work: Path, keep: bool) -> None:
    """Add the release rows to ``runner`` (benchmarks.__main__.Runner)."""
    import shutil

    from benchmarks.__main__ import Row, _label

    for n in sizes:
        label = _label(n)
        snap = work / f"release-snap-{label}"
        shutil.rmtree(snap, ignore_errors=True)
        runner.log(f"· release: generate {label} rows straight to Parquet")
        got = run("gen", {"rows": n, "out": str(snap)}, timeout=3600)
        if "error" in got:
            runner.notes.append(f"release gen {label}: {got['error']}")
            continue
        scan = run("scan", {"input": str(snap)}, timeout=1800)
        res: dict[str, dict[str, Any]] = {}
        for engine in ("duckdb", "spark"):
            if engine == "spark" and n > 10_000_000 and not runner.args.release_spark_1e8:
                continue
            out = work / f"release-out-{engine}-{label}"
            shutil.rmtree(out, ignore_errors=True)
            runner.log(f"· release build {engine} {label}")
            res[engine] = run(
                "build",
                {"engine": engine, "input": str(snap), "out": str(out), "tmp": str(work)},
                timeout=7200,
            )
            shutil.rmtree(out, ignore_errors=True)
            if "error" in res[engine]:
                runner.notes.append(f"release {engine} {label}: {res[engine]['error']}")
        d, s = res.get("duckdb", {}), res.get("spark", {})
        if "seconds" in d and "seconds" in scan:
            big = n >= 100_000_000
            runner.rows.append(
                Row(
                    "release build, DuckDB (in-process)",
                    label,
                    fmt_seconds(d["seconds"]),
                    "DuckDB Parquet scan (count, sum, distinct)",
                    fmt_seconds(scan["seconds"]),
                    d["seconds"] / scan["seconds"],
                    "≤ 3 min" if big else "",
                    (d["seconds"] <= 180) if big else None,
                )
            )
            runner.rows.append(
                Row(
                    "  release build peak RSS, DuckDB",
                    label,
                    fmt_bytes(d["peak_rss"]),
                    "scan peak RSS",
                    fmt_bytes(scan["peak_rss"]),
                    d["peak_rss"] / scan["peak_rss"],
                    "≤ 4 GB" if big else "",
                    (d["peak_rss"] <= 4e9) if big else None,
                )
            )
        if "seconds" in d and "seconds" in s:
            at = n == 10_000_000
            ratio = s["seconds"] / d["seconds"]
            runner.rows.append(
                Row(
                    "release build, Spark local[2]",
                    label,
                    fmt_seconds(s["seconds"]),
                    "release build, DuckDB",
                    fmt_seconds(d["seconds"]),
                    ratio,
                    "≤ 6×" if at else "",
                    (ratio <= 6) if at else None,
                )
            )
            runner.rows.append(
                Row(
                    "  release build peak RSS, Spark (Python + JVM)",
                    label,
                    fmt_bytes(s["peak_rss"]),
                    "DuckDB build peak RSS",
                    fmt_bytes(d["peak_rss"]),
                    s["peak_rss"] / d["peak_rss"],
                )
            )
            same = d["sha"] == s["sha"]
            runner.notes.append(
                f"Release {label}: hist {d['rows']['hist']:,} rows, pairs "
                f"{d['rows']['pairs']:,}; DuckDB and Spark files identical (SHA-256): {same}; "
                f"Spark session start {s['startup']:.1f} s (included); export generated in "
                f"{got['seconds']:.1f} s."
            )
        if not keep:
            shutil.rmtree(snap, ignore_errors=True)


if __name__ == "__main__":
    emit(TASKS[sys.argv[1]](json.loads(sys.argv[2])))
