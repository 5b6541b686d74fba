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
#: The heading of the release-local group's own section of RESULTS.md (issue 11 §6).
LOCAL_SECTION = "Release build and figures served from the release (issue 11)"
#: The figures of that group (the rows its section lists).
LOCAL_FIGURES = {
    "release build, local, total incl. save (Bench.rebuild_release)",
    "histograms (release_store.histograms, SQL)",
    "figures (release.build_figures, suppression)",
    "save (release_store.save)",
    "rest (groups, outcomes, LinkedIn curves)",
    "release build peak RSS (process)",
    "release build, local (Bench.rebuild_release)",
    "figures served from the release (warm)",
    "Bench.benchmarks(), every cohort (release, warm)",
    "Bench.percentile(score=…), typed (release, warm)",
    "Bench.percentile(person_key=…), own (release, warm)",
    "Bench.cohort_trend() (release, warm)",
    "Bench.trend(), one person (release, warm)",
}


def merge_section(path: Path, heading: str, section: str) -> None:
    """Put ``section`` (starting with ``## heading``) into the Markdown file ``path``:
    replace the section of that heading (up to the next ``## `` heading that is not one of
    its own lines, or the end), or append it; every other line is kept as it was. A missing
    file is created with just the section."""
    old = path.read_text() if path.exists() else ""
    lines = old.splitlines()
    start = next((i for i, ln in enumerate(lines) if ln.strip() == f"## {heading}"), None)
    if start is None:
        body = old.rstrip("\n")
        path.write_text((body + "\n\n" if body else "") + section.rstrip("\n") + "\n")
        return
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    kept = lines[:start] + section.rstrip("\n").splitlines() + ([""] if end < len(lines) else [])
    path.write_text("\n".join(kept + lines[end:]).rstrip("\n") + "\n")


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
        #: notes of the release-local group (issue 11), also written into its own section
        self.local_notes: list[str] = []
        self.local_bins: dict[int, dict[str, Any]] = {}
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

    def release_local(self, sizes: list[int]) -> None:
        """Issue 11 §6: the dashboard's own release build (``Bench.rebuild_release``) beside
        the cohort index build of one date, and every page's warm figure served from the
        release beside the SELECT 1 floor of the same run. Each in its own process."""
        for n in sizes:
            label, rep = _label(n), self.args.repeat
            db = self.database(n)
            if db is None:
                self.fail_row("release build, local (Bench.rebuild_release)", label)
                continue
            index = self.child("index_build", {"db": str(db), "repeat": rep}, timeout=1200)
            build = self.child("release_build", {"db": str(db)}, timeout=3600)
            if "error" in build or "error" in index:
                self.fail_row("release build, local (Bench.rebuild_release)", label)
            else:
                total, idx = build["total"], index["seconds"]
                other = total - build["histograms"] - build["figures"] - build["save"]
                for figure, value in (
                    ("release build, local, total incl. save (Bench.rebuild_release)", total),
                    ("  histograms (release_store.histograms, SQL)", build["histograms"]),
                    ("  figures (release.build_figures, suppression)", build["figures"]),
                    ("  save (release_store.save)", build["save"]),
                    ("  rest (groups, outcomes, LinkedIn curves)", other),
                ):
                    self.rows.append(
                        Row(figure, label, fmt_seconds(value), "cohort index build, one date",
                            fmt_seconds(idx), value / idx)
                    )  # fmt: skip
                self.rows.append(
                    Row("  release build peak RSS (process)", label,
                        fmt_bytes(build["peak_rss"]), "index build peak RSS (process)",
                        fmt_bytes(index["peak_rss"]), build["peak_rss"] / index["peak_rss"])
                )  # fmt: skip
                self.local_notes.append(
                    f"Release build {label}: {build['hist_rows']:,} histogram bins, "
                    f"{build['pair_rows']:,} sector–network pairs, {build['figure_rows']:,} "
                    f"figure rows over {build['dates']} publication dates; the index holds "
                    f"{index['people']:,} people (median of {rep} builds). RSS after opening "
                    f"the database: {fmt_bytes(build['rss_after_open'])} (build process), "
                    f"{fmt_bytes(index['rss_after_open'])} (index process)."
                )
                self.local_bins[n] = build
            warm = self.child("release_warm", {"db": str(db), "repeat": rep}, timeout=1800)
            if "error" in warm:
                self.fail_row("figures served from the release (warm)", label)
                continue
            floor = warm["floor"]
            for figure, key in (
                ("Bench.benchmarks(), every cohort (release, warm)", "benchmarks"),
                ("Bench.percentile(score=…), typed (release, warm)", "typed"),
                ("Bench.percentile(person_key=…), own (release, warm)", "own"),
                ("Bench.cohort_trend() (release, warm)", "cohort_trend"),
                ("Bench.trend(), one person (release, warm)", "trend"),
            ):
                self.rows.append(
                    Row(figure, label, fmt_seconds(warm[key]), "SELECT 1 floor",
                        fmt_seconds(floor), warm[key] / floor)
                )  # fmt: skip
            self.local_notes.append(
                f"Served from the release {label}: first release() of a fresh process (load "
                f"from the database) {fmt_seconds(warm['load'])}; benchmarks() returns "
                f"{warm['benchmark_rows']:,} rows; typed = median of {warm['typed_calls']} "
                f"calls (10 people's sector, network and everyone × scores 30/55/80), own = "
                f"{warm['own_calls']} calls (20 people, sector + network), cohort_trend = "
                f"everyone + the largest sector and network; × {rep} rounds; child peak RSS "
                f"{fmt_bytes(warm['peak_rss'])}."
            )
            if not self.args.keep and n >= 1_000_000:
                for p in (db, Path(f"{db}.wal"), Path(f"{db}.json"), Path(f"{db}.key")):
                    p.unlink(missing_ok=True)

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
        if wanted("release-local"):
            local_sizes = sorted(
                a.release_local_sizes + ([10_000_000] if a.release_local_1e7 else [])
            )
            self.release_local(local_sizes)
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
        if a.out and only == {"release-local"}:
            # Only this group ran: replace its own section of the results file and keep
            # every other section and row as it is.
            merge_section(Path(a.out), LOCAL_SECTION, self.local_section(took))
            print(f"section {LOCAL_SECTION!r} written to {a.out}")
        elif a.out:
            Path(a.out).write_text(text)
            if self.local_bins:
                merge_section(Path(a.out), LOCAL_SECTION, self.local_section(took))
            print(f"written to {a.out}")
        return 0

    def local_section(self, took: float) -> str:
        """The release-local rows, notes and the cost explanation, as one Markdown section."""
        m = machine()
        lines = [
            f"## {LOCAL_SECTION}",
            "",
            f"Written by `python -m benchmarks {' '.join(sys.argv[1:])}` on {m['date']} "
            f"(run took {took / 60:.1f} min). Machine: {m['cpu']}, {m['nproc']} cores (shared "
            f"with other work during the run), {m['memory']} memory; duckdb {m['duckdb']}, "
            f"pandas {m['pandas']}, pyarrow {m['pyarrow']}.",
            "",
            "The dashboard's own release (`Bench.rebuild_release()`: histograms over the "
            "store, `release.build_figures`, outcomes, LinkedIn curves, save) beside the "
            "cohort index of the latest date (`CohortIndex(store.members(day, lookback), "
            "day)`, what an own standing needs); then each page's figure served from the "
            "stored release, warm, beside `SELECT 1` measured in the same process. Each "
            "group in a fresh process (peak RSS is per process).",
            "",
            "| figure | rows | median | baseline | baseline median | ratio |",
            "|---|---|---|---|---|---|",
        ]
        for r in self.rows:
            if r.figure in LOCAL_FIGURES or r.figure.strip() in LOCAL_FIGURES:
                ratio = "—" if r.ratio is None else _fmt_ratio(r.ratio)
                lines.append(
                    f"| {r.figure} | {r.rows} | {r.value} | {r.baseline_name} | {r.baseline} "
                    f"| {ratio} |"
                )
        lines += ["", *[f"- {n}" for n in self.local_notes], ""]
        lines += [
            "**What the release build costs, and why.** The histogram job groups every "
            "member of every publication date by cohort and value: one bin per (date, "
            "cohort, metric, distinct value), with the three cohort kinds (everyone, the "
            "person's sector, the person's network) in one GROUPING SETS pass. Every person "
            "with a snapshot in the look-back window counts on every date, so the bins grow "
            "as people × dates × cohorts (3 per person) × metrics (5), less the values that "
            "coincide (scores have two decimals, so a large cohort holds at most 10,001 "
            "values per metric, a small one holds about one bin per member). The index of "
            "one date is people × 1 date, so the release build is roughly dates × cohorts × "
            "metrics times the index build, plus the per-cohort suppression pass "
            "(`build_figures`) over every date and the save of the figures.",
        ]
        for n, b in sorted(self.local_bins.items()):
            people = -(-n // 52)  # the grid: ceil(rows / 52 weeks) people
            bound = people * b["dates"] * 3 * 5
            lines.append(
                f"At {_label(n)}: {people:,} people × {b['dates']} dates × 3 × 5 = "
                f"{bound:,} member-cohort-metric values gave {b['hist_rows']:,} bins "
                f"({b['hist_rows'] / bound:.0%}); the suppression pass (`build_figures`) took "
                f"{b['figures'] / b['total']:.0%} of the build, the histogram SQL "
                f"{b['histograms'] / b['total']:.0%}."
            )
        lines.append("")
        return "\n".join(lines)

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
        "--only",
        default="",
        help="comma list of: ingest, release, release-local, queries, page, app, pages",
    )
    p.add_argument("--release-sizes", default="1e6,1e7", help="snapshot rows, release build")
    p.add_argument("--release-1e8", action="store_true", help="also 1e8 rows (DuckDB only; long)")
    p.add_argument(
        "--release-spark-1e8", action="store_true", help="with --release-1e8: Spark as well"
    )
    p.add_argument(
        "--release-local-sizes",
        default="1e5,1e6",
        help="snapshot rows, the dashboard's own release build and figures (issue 11)",
    )
    p.add_argument(
        "--release-local-1e7", action="store_true", help="also 1e7 rows for release-local (long)"
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
    args.release_local_sizes = [_size(s) for s in args.release_local_sizes.split(",") if s.strip()]
    if args.quick:
        args.sizes = [10_000]
        args.repeat = min(args.repeat, 3)
        args.ingest_rows = 10_000
        args.ingest_repeat = 1
        args.page_rows = 10_000
        args.release_sizes = []  # Spark start-up alone would strain the smoke run
        args.release_local_sizes = [10_000]
        args.release_local_1e7 = False
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
