"""``python -m benchmarks [--sizes 1e5,1e6,1e7] [--repeat N] [--quick]``

Generates the seeded data sets, runs every measurement in its own subprocess, prints one
table (median, baseline measured in the same run, ratio, target, pass/fail) and writes it
with the machine and versions to ``benchmarks/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import sys
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from benchmarks.common import ROOT, WORK, fmt_bytes, fmt_seconds, run_child

RESULTS = ROOT / "benchmarks" / "RESULTS.md"
GB = 1e9


@dataclass
class Row:
    """One line of the results table."""

    figure: str
    rows: str
    value: str
    baseline_name: str
    baseline: str
    ratio: float | None
    target: str = ""
    passed: bool | None = None  # None: no target at this size, or not measured

    @property
    def verdict(self) -> str:
        return {True: "pass", False: "FAIL", None: ""}[self.passed]


def _size(text: str) -> int:
    return int(float(text))


def _fmt_ratio(ratio: float) -> str:
    if ratio >= 100:
        return f"{ratio:.0f}×"
    return f"{ratio:.2f}×" if ratio >= 0.1 else f"{ratio:.4f}×"


def _label(n: int) -> str:
    exp = len(str(n)) - 1
    return f"1e{exp}" if n == 10**exp else f"{n:,}"


def machine() -> dict[str, str]:
    import psutil

    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = {}
    for pkg in ("duckdb", "pandas", "numpy", "pyarrow", "streamlit"):
        try:
            versions[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            versions[pkg] = "not installed"
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu or "unknown",
        "nproc": str(os.cpu_count()),
        "memory": f"{psutil.virtual_memory().total / 2**30:.1f} GiB",
        "python": platform.python_version(),
        **versions,
    }


class Runner:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.rows: list[Row] = []
        self.notes: list[str] = []
        self.work = Path(args.work)
        self.work.mkdir(parents=True, exist_ok=True)

    def log(self, text: str) -> None:
        print(text, flush=True)

    def child(self, task: str, args: dict[str, Any], timeout: float, **kw: Any) -> dict[str, Any]:
        self.log(f"· {task} {', '.join(f'{k}={v}' for k, v in args.items() if k != 'csv')}")
        got = run_child(task, args, timeout=timeout, log=self.log, **kw)
        if "error" in got:
            self.log(f"  ERROR {got['error']}")
            self.notes.append(f"{task}: {got['error']}")
        return got

    def fail_row(self, figure: str, rows: str, target: str = "") -> None:
        self.rows.append(
            Row(figure, rows, "error", "", "", None, target, False if target else None)
        )

    # -------------------------------------------------------------- data
    def database(self, n: int) -> Path | None:
        db = self.work / f"grid-{_label(n)}.duckdb"
        if db.exists() and Path(f"{db}.json").exists() and self.args.reuse:
            self.log(f"· reusing {db.name}")
            return db
        mode = self.args.gen_mode or ("upload" if n <= 2_000_000 else "sql")
        got = self.child("gen_db", {"db": str(db), "rows": n, "mode": mode}, timeout=900)
        if "error" in got:
            return None
        self.notes.append(
            f"Data {_label(n)}: {got['rows']:,} snapshot rows ({got['people']:,} people × 52 "
            f"weeks), written via Store ({mode}) in {got['seconds']:.1f} s, "
            f"file {fmt_bytes(got['bytes'])}."
        )
        return db

    # -------------------------------------------------------------- measurements
    def ingest(self) -> None:
        n = self.args.ingest_rows
        csv = self.work / f"ingest-{_label(n)}.csv"
        got = self.child("gen_csv", {"csv": str(csv), "rows": n}, timeout=600)
        if "error" in got:
            self.fail_row("ingest (full path)", _label(n), "≤ 2× read_csv")
            return
        size_note = f"CSV {fmt_bytes(got['bytes'])}, {got['rows']:,} rows"
        full, raw = [], []
        for i in range(self.args.ingest_repeat):
            for task, into in (("ingest_full", full), ("ingest_raw", raw)):
                db = self.work / f"ingest-{task}.duckdb"
                for p in (db, Path(f"{db}.wal"), Path(f"{db}.key")):
                    p.unlink(missing_ok=True)
                r = self.child(task, {"csv": str(csv), "db": str(db), "run": i}, timeout=900)
                if "error" not in r:
                    into.append(r)
                for p in (db, Path(f"{db}.wal"), Path(f"{db}.key")):
                    p.unlink(missing_ok=True)
        if not self.args.keep:
            csv.unlink(missing_ok=True)
        if not full or not raw:
            self.fail_row("ingest (full path)", _label(n), "≤ 2× read_csv")
            return
        med = lambda rs, k: sorted(r[k] for r in rs)[len(rs) // 2]  # noqa: E731
        f_s, r_s = med(full, "seconds"), med(raw, "seconds")
        f_m, r_m = max(r["peak_rss"] for r in full), max(r["peak_rss"] for r in raw)
        at_target = n == 1_000_000
        ratio = f_s / r_s
        self.rows.append(
            Row(
                "ingest CSV → store (Bench.ingest)",
                _label(n),
                fmt_seconds(f_s),
                "DuckDB read_csv → table",
                fmt_seconds(r_s),
                ratio,
                "≤ 2×",
                (ratio <= 2) if at_target else None,
            )
        )
        self.rows.append(
            Row(
                "ingest peak RSS (process)",
                _label(n),
                fmt_bytes(f_m),
                "read_csv peak RSS",
                fmt_bytes(r_m),
                f_m / r_m,
                "≤ 1 GB",
                (f_m <= GB) if at_target else None,
            )
        )
        self.notes.append(
            f"Ingest: {size_note}; {len(full)} runs each, alternating, fresh process and "
            f"database per run. RSS after imports: full path "
            f"{fmt_bytes(full[0]['rss_after_imports'])}, read_csv "
            f"{fmt_bytes(raw[0]['rss_after_imports'])} (both import the library)."
        )

    def queries(self, n: int, db: Path, largest: bool) -> None:
        label, rep = _label(n), self.args.repeat
        got = self.child("standing", {"db": str(db), "repeat": rep}, timeout=1200)
        if "error" in got:
            self.fail_row("standing, one person (warm)", label, "≤ 5× SELECT 1" if largest else "")
        else:
            ratio = got["standing"] / got["floor"]
            self.rows.append(
                Row(
                    "standing, one person (Bench.percentile, warm)",
                    label,
                    fmt_seconds(got["standing"]),
                    "SELECT 1 floor",
                    fmt_seconds(got["floor"]),
                    ratio,
                    "≤ 5×" if largest else "",
                    (ratio <= 5) if largest else None,
                )
            )
            self.rows.append(
                Row(
                    "  naive count query (latest per person)",
                    label,
                    fmt_seconds(got["naive"]),
                    "Bench.percentile (warm)",
                    fmt_seconds(got["standing"]),
                    got["naive"] / got["standing"],
                )
            )
            self.notes.append(
                f"Standing {label}: median of {got['calls']} calls × {rep} rounds (20 people, "
                f"sector + network, total + 4 pillars); first call incl. index build "
                f"{fmt_seconds(got['cold_first'])}; agrees with naive count: "
                f"{got['agrees_with_naive']}; child peak RSS {fmt_bytes(got['peak_rss'])}."
            )
            standing = got["standing"]
            if not self.args.skip_pandas:
                pd_got = self.child(
                    "pandas_rank", {"db": str(db), "repeat": min(rep, 3)}, timeout=1200
                )
                if "error" not in pd_got:
                    self.rows.append(
                        Row(
                            "  pandas groupby-rank (load window)",
                            label,
                            fmt_seconds(pd_got["seconds"]),
                            "Bench.percentile (warm)",
                            fmt_seconds(standing),
                            pd_got["seconds"] / standing,
                        )
                    )
                    self.notes.append(
                        f"pandas groupby-rank {label}: peak RSS {fmt_bytes(pd_got['peak_rss'])}."
                    )
        got = self.child("quantiles", {"db": str(db), "repeat": rep}, timeout=1200)
        if "error" in got:
            self.fail_row("quantiles, every cohort (warm)", label, "≤ 50 ms" if largest else "")
        else:
            self.rows.append(
                Row(
                    "quantiles, every cohort, latest date (Bench.benchmarks, warm)",
                    label,
                    fmt_seconds(got["warm"]),
                    "SQL quantile_cont GROUP BY",
                    fmt_seconds(got["sql"]),
                    got["warm"] / got["sql"],
                    "≤ 50 ms" if largest else "",
                    (got["warm"] <= 0.050) if largest else None,
                )
            )
            self.rows.append(
                Row(
                    "  same, cold (index rebuilt, as after an upload)",
                    label,
                    fmt_seconds(got["cold"]),
                    "SQL quantile_cont GROUP BY",
                    fmt_seconds(got["sql"]),
                    got["cold"] / got["sql"],
                )
            )
            self.notes.append(f"Quantiles {label}: {got['rows']:,} gated rows (cohorts × metrics).")
        got = self.child("trend", {"db": str(db), "repeat": rep}, timeout=1800)
        if "error" in got:
            self.fail_row("trend, one person", label)
        else:
            self.rows.append(
                Row(
                    "trend, one person (Bench.trend, warm)",
                    label,
                    fmt_seconds(got["warm"]),
                    "SQL per-date rank + quartiles",
                    fmt_seconds(got["sql"]),
                    got["warm"] / got["sql"],
                )
            )
            self.rows.append(
                Row(
                    "  same, cold (in-memory caches cleared)",
                    label,
                    fmt_seconds(got["cold"]),
                    "SQL per-date rank + quartiles",
                    fmt_seconds(got["sql"]),
                    got["cold"] / got["sql"],
                )
            )

    def page(self, n: int, db: Path) -> None:
        label = _label(n)
        at_target = n == 1_000_000
        env = {"SSI_BENCH_DB": str(db)}
        got = self.child("page", {"db": str(db), "repeat": self.args.repeat}, timeout=1200, env=env)
        if "error" in got:
            self.fail_row("My benchmark warm rerun (AppTest)", label, "≤ 300 ms")
            return
        self.rows.append(
            Row(
                "My benchmark page, warm rerun (AppTest)",
                label,
                fmt_seconds(got["warm"]),
                "AppTest one-line script",
                fmt_seconds(got["floor"]),
                got["warm"] / got["floor"],
                "≤ 300 ms",
                (got["warm"] <= 0.300) if at_target else None,
            )
        )
        self.notes.append(
            f"My benchmark {label}: Home first run {fmt_seconds(got['home_first'])}, page first "
            f"run {fmt_seconds(got['first'])} (index build), warm median of {self.args.repeat}."
        )

    def app_rss(self, n: int, db: Path) -> None:
        from benchmarks.data import DataSet

        label = _label(n)
        ident = DataSet.load(db).sample[0][0]
        empty = self.work / "empty.duckdb"
        for p in (empty, Path(f"{empty}.wal")):
            p.unlink(missing_ok=True)
        base = self.child(
            "app_rss", {"db": str(empty), "identifier": None, "timeout": 120}, timeout=400
        )
        got = self.child(
            "app_rss", {"db": str(db), "identifier": ident, "timeout": 600}, timeout=1500
        )
        for p in (empty, Path(f"{empty}.wal"), Path(f"{empty}.key")):
            p.unlink(missing_ok=True)
        if "error" in got:
            self.fail_row("app process peak RSS", label, "≤ 1.5 GB")
            return
        b = base.get("peak_rss")
        self.rows.append(
            Row(
                "app process peak RSS (streamlit run, 5 pages)",
                label,
                fmt_bytes(got["peak_rss"]),
                "same app, empty database",
                fmt_bytes(b),
                got["peak_rss"] / b if b else None,
                "≤ 1.5 GB",
                (got["peak_rss"] <= 1.5 * GB) if n >= 10_000_000 else None,
            )
        )
        self.notes.append(
            f"App RSS {label}: idle after start {fmt_bytes(got['idle_rss'])}, at end "
            f"{fmt_bytes(got['rss_end'])}; pages: {', '.join(got['pages'])}."
        )

    # -------------------------------------------------------------- run
    def run(self) -> int:
        a = self.args
        sizes = sorted(a.sizes)
        started = time.perf_counter()
        only = set(a.only.split(",")) if a.only else None

        def wanted(name: str) -> bool:
            return only is None or name in only

        if wanted("ingest"):
            self.ingest()
        if wanted("release"):
            from benchmarks import release

            release_sizes = sorted(a.release_sizes + ([100_000_000] if a.release_1e8 else []))
            release.measure(self, release_sizes, self.work, a.keep)
        if only is not None and "pages" in only:
            # Browser page speed with the demo data (benchmarks/page_speed.py, issue 14):
            # only when asked for, as it needs Chromium and ~1 minute.
            from benchmarks import page_speed

            got = page_speed.measure(a.repeat)
            for label, secs in got["pages"].items():
                self.rows.append(
                    Row(f"page to idle in Chromium: {label}", "demo", f"{secs:.2f} s",
                        "empty page", f"{got['empty']:.2f} s", secs / got["empty"],
                        f"≤ {page_speed.TARGET_S} s", secs <= page_speed.TARGET_S)
                )  # fmt: skip
        dbs: dict[int, Path] = {}
        for n in sizes:
            if not (wanted("queries") or wanted("page") or wanted("app")):
                break
            db = self.database(n)
            if db is None:
                continue
            dbs[n] = db
            if wanted("queries"):
                self.queries(n, db, largest=n >= 10_000_000)
            if wanted("page") and n == a.page_rows:
                self.page(n, db)
            if wanted("app") and n == a.app_rows:
                self.app_rss(n, db)
            if not a.keep and n >= 1_000_000:
                for p in (db, Path(f"{db}.wal"), Path(f"{db}.json"), Path(f"{db}.key")):
                    p.unlink(missing_ok=True)
        took = time.perf_counter() - started
        text = self.report(took)
        print()
        print(text)
        if a.out:
            Path(a.out).write_text(text)
            print(f"written to {a.out}")
        return 0

    def report(self, took: float) -> str:
        m = machine()
        lines = [
            "# Benchmark results",
            "",
            f"Written by `python -m benchmarks {' '.join(sys.argv[1:])}` on {m['date']} "
            f"(run took {took / 60:.1f} min).",
            "",
            f"Machine: {m['cpu']}, {m['nproc']} cores, {m['memory']} memory. "
            f"Python {m['python']}, duckdb {m['duckdb']}, pandas {m['pandas']}, "
            f"numpy {m['numpy']}, pyarrow {m['pyarrow']}, streamlit {m['streamlit']}.",
            "",
            "Every figure is a median over repeated runs, next to a baseline measured in the "
            "same run; ratio = figure ÷ baseline. Targets (issue 4) are judged at the size "
            "they name; a blank verdict means no target at that size.",
            "",
            "| figure | rows | median | baseline | baseline median | ratio | target | verdict |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for r in self.rows:
            ratio = "—" if r.ratio is None else _fmt_ratio(r.ratio)
            lines.append(
                f"| {r.figure} | {r.rows} | {r.value} | {r.baseline_name} | {r.baseline} "
                f"| {ratio} | {r.target} | {r.verdict} |"
            )
        lines += ["", "## Notes", ""]
        lines += [f"- {n}" for n in self.notes]
        lines += [
            "",
            "Data: seeded person × weekly-date grid (52 weeks), 150 Zipf-skewed sectors, 5,000 "
            "Zipf-skewed teams (3 % without one), pillars with two decimals, ssi = pillar sum; "
            "see `benchmarks/data.py`. Baselines run on the same DuckDB connection the library "
            "uses (`SELECT 1` through a fresh cursor is the floor of any query).",
            "",
        ]
        return "\n".join(lines)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    p.add_argument("--sizes", default="1e5,1e6,1e7", help="snapshot rows per data set")
    p.add_argument("--repeat", type=int, default=7, help="repeats per median")
    p.add_argument(
        "--quick",
        action="store_true",
        help="1e4 rows everywhere, 3 repeats (smoke run; targets not judged)",
    )
    p.add_argument("--ingest-rows", type=_size, default=1_000_000)
    p.add_argument("--ingest-repeat", type=int, default=3)
    p.add_argument("--page-rows", type=_size, default=1_000_000)
    p.add_argument("--app-rows", type=_size, default=None, help="default: the largest size")
    p.add_argument(
        "--only", default="", help="comma list of: ingest, release, queries, page, app, pages"
    )
    p.add_argument("--release-sizes", default="1e6,1e7", help="snapshot rows, release build")
    p.add_argument("--release-1e8", action="store_true", help="also 1e8 rows (DuckDB only; long)")
    p.add_argument(
        "--release-spark-1e8", action="store_true", help="with --release-1e8: Spark as well"
    )
    p.add_argument("--skip-pandas", action="store_true")
    p.add_argument("--gen-mode", choices=("upload", "sql"), default=None)
    p.add_argument("--work", default=str(WORK))
    p.add_argument(
        "--out",
        default=None,
        help="results file (default benchmarks/RESULTS.md; a --quick run writes none)",
    )
    p.add_argument("--keep", action="store_true", help="keep generated files")
    p.add_argument("--reuse", action="store_true", help="reuse databases already in --work")
    args = p.parse_args(argv)
    args.sizes = [_size(s) for s in args.sizes.split(",") if s.strip()]
    args.release_sizes = [_size(s) for s in args.release_sizes.split(",") if s.strip()]
    if args.quick:
        args.sizes = [10_000]
        args.repeat = min(args.repeat, 3)
        args.ingest_rows = 10_000
        args.ingest_repeat = 1
        args.page_rows = 10_000
        args.release_sizes = []  # Spark start-up alone would strain the smoke run
        if args.app_rows is None:
            args.app_rows = 0  # no browser in a quick run unless asked for
    if args.app_rows is None:
        args.app_rows = max(args.sizes)
    if args.out is None:
        args.out = "" if args.quick else str(RESULTS)
    return args


def main(argv: list[str] | None = None) -> int:
    return Runner(parse_args(argv)).run()


if __name__ == "__main__":
    raise SystemExit(main())
