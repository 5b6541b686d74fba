"""One measurement per process: ``python -m benchmarks.child <task> '<json args>'``.

Each task prints its result as one JSON line (``common.RESULT_MARK``). Running every task in
a fresh interpreter keeps peak-memory figures honest (``ru_maxrss`` is per process) and keeps
one task's caches from warming another's.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.common import (
    SECRET,
    emit,
    median_of_calls,
    median_time,
    peak_rss_bytes,
)

METRICS = ("ssi", "brand", "people", "insights", "relationships")
QUANTS = "[0.1, 0.25, 0.5, 0.75, 0.9]"


def _settings(db: str) -> Any:
    from ssi_bench.config import Settings

    return Settings(secret=SECRET, db_path=Path(db))


def _bench(db: str) -> Any:
    from ssi_bench.api import Bench

    return Bench.open(db, _settings(db))


def _raw_connection(bench: Any) -> Any:
    """The store's DuckDB connection, for baselines run on the very same connection."""
    store = bench.store
    for name in ("con", "_con", "connection", "_connection", "conn", "_conn"):
        con = getattr(store, name, None)
        if con is not None and not callable(con):
            return con
        if callable(con):
            return con()
    raise RuntimeError("cannot find the Store's DuckDB connection")


def _window(latest: str, lookback: int) -> dict[str, dt.date]:
    as_of = dt.date.fromisoformat(latest)
    return {"as_of": as_of, "since": as_of - dt.timedelta(days=lookback)}


# The naive on-demand SQL: each person's latest snapshot in the window, then a count.
_LATEST_CTE = """
    latest AS (
        SELECT person_key,
               arg_max(sector, snapshot_date) AS sector,
               arg_max(network, snapshot_date) AS network,
               arg_max({metric}, snapshot_date) AS v
        FROM scores
        WHERE snapshot_date <= $as_of AND snapshot_date >= $since
        GROUP BY person_key
    )
"""


def _naive_count_sql(metric: str, cohort: str) -> str:
    assert metric in METRICS
    assert cohort in ("sector", "network")
    return f"""
        WITH {_LATEST_CTE.format(metric=metric)},
        me AS (SELECT * FROM latest WHERE person_key = $key)
        SELECT count(*) FILTER (WHERE l.v < me.v) AS below,
               count(*) FILTER (WHERE l.v = me.v) AS equal,
               count(*) AS n
        FROM latest l JOIN me ON l.{cohort} = me.{cohort}
    """


# ------------------------------------------------------------------------------ tasks
def task_gen_db(a: dict[str, Any]) -> dict[str, Any]:
    from benchmarks.data import build_database

    t0 = time.perf_counter()
    ds = build_database(
        Path(a["db"]), int(a["rows"]), int(a.get("seed", 42)), a.get("mode", "upload")
    )
    return {
        "seconds": time.perf_counter() - t0,
        "rows": ds.rows,
        "people": ds.people,
        "bytes": Path(a["db"]).stat().st_size,
    }


def task_gen_csv(a: dict[str, Any]) -> dict[str, Any]:
    from benchmarks.data import write_csv

    t0 = time.perf_counter()
    ds = write_csv(Path(a["csv"]), int(a["rows"]), int(a.get("seed", 42)))
    return {
        "seconds": time.perf_counter() - t0,
        "rows": ds.rows,
        "bytes": Path(a["csv"]).stat().st_size,
    }


def task_ingest_full(a: dict[str, Any]) -> dict[str, Any]:
    """Bench.ingest of the CSV into a fresh database: read, validate, pseudonymise, store."""
    from ssi_bench.api import Bench
    from ssi_bench.model import IngestOptions

    db = Path(a["db"])
    rss_before = peak_rss_bytes()
    t0 = time.perf_counter()
    data = Path(a["csv"]).read_bytes()
    bench = Bench.open(db, _settings(str(db)))
    result = bench.ingest(data, Path(a["csv"]).name, IngestOptions(today=dt.date(2026, 11, 22)))
    bench.close()
    seconds = time.perf_counter() - t0
    if result.rows_rejected:
        raise RuntimeError(f"{result.rows_rejected} rows rejected: {result.rejects[:3]}")
    return {
        "seconds": seconds,
        "peak_rss": peak_rss_bytes(),
        "rss_after_imports": rss_before,
        "rows": result.rows_accepted,
    }


def task_ingest_raw(a: dict[str, Any]) -> dict[str, Any]:
    """DuckDB read_csv of the same file into a table of a fresh database file."""
    import duckdb

    import ssi_bench.api  # noqa: F401  (same imports as the full path, same RSS floor)

    rss_before = peak_rss_bytes()
    t0 = time.perf_counter()
    con = duckdb.connect(a["db"])
    con.execute(f"CREATE TABLE raw AS SELECT * FROM read_csv('{a['csv']}')")
    con.execute("CHECKPOINT")
    rows = con.execute("SELECT count(*) FROM raw").fetchone()[0]
    con.close()
    return {
        "seconds": time.perf_counter() - t0,
        "peak_rss": peak_rss_bytes(),
        "rss_after_imports": rss_before,
        "rows": rows,
    }


def task_standing(a: dict[str, Any]) -> dict[str, Any]:
    """Per call: SELECT 1 floor, Bench.percentile (warm), the naive count query."""
    from benchmarks.data import DataSet

    db, rounds = a["db"], int(a["repeat"])
    ds = DataSet.load(Path(db))
    bench = _bench(db)
    con = _raw_connection(bench)

    def floor() -> object:
        return con.cursor().execute("SELECT 1").fetchall()

    people = [(key, net) for _ident, key, _sector, net in ds.sample]
    calls = [
        (lambda k=key, c=cohort, m=metric: bench.percentile(person_key=k, cohort=c, metric=m))
        for key, net in people
        for cohort in ("sector", "network")
        if cohort == "sector" or net is not None
        for metric in METRICS
    ]
    t0 = time.perf_counter()
    calls[0]()  # builds the in-memory index (cold)
    cold = time.perf_counter() - t0
    floor_s = median_of_calls([floor] * 50, rounds)
    standing_s = median_of_calls(calls, rounds)

    win = _window(ds.latest, bench.settings.lookback_days)
    naive_people = people[:: max(1, len(people) // 4)][:4]
    naive = [
        (
            lambda k=key, c=cohort, m=metric: (
                con.cursor().execute(_naive_count_sql(m, c), {**win, "key": k}).fetchall()
            )
        )
        for key, net in naive_people
        for cohort in ("sector", "network")
        if cohort == "sector" or net is not None
        for metric in METRICS
    ]
    naive_s = median_of_calls(naive, max(1, min(rounds, 3)))
    # Cross-check one standing against the naive count (exact mid-rank definition).
    key, _net = people[0]  # in the largest sector: an exact percentile is published
    below, equal, n = (
        con.cursor().execute(_naive_count_sql("ssi", "sector"), {**win, "key": key}).fetchone()
    )
    st = bench.percentile(person_key=key, cohort="sector", metric="ssi")
    check = None
    if st.percentile is not None:
        check = abs(st.percentile - 100 * (below + equal / 2) / n) < 0.51
    return {
        "floor": floor_s,
        "standing": standing_s,
        "naive": naive_s,
        "cold_first": cold,
        "calls": len(calls),
        "agrees_with_naive": check,
        "peak_rss": peak_rss_bytes(),
    }


def task_pandas_rank(a: dict[str, Any]) -> dict[str, Any]:
    """One person's sector standing by pandas: load the window, latest per person, groupby-rank."""
    import duckdb

    from benchmarks.data import DataSet

    db, repeat = a["db"], int(a["repeat"])
    ds = DataSet.load(Path(db))
    _ident, key, _sector, _net = ds.sample[0]
    win = _window(ds.latest, 90)
    con = duckdb.connect(db, read_only=True)

    def run() -> float:
        df = con.execute(
            "SELECT person_key, snapshot_date, sector, ssi FROM scores "
            "WHERE snapshot_date <= $as_of AND snapshot_date >= $since",
            win,
        ).df()
        latest = df.sort_values("snapshot_date").drop_duplicates("person_key", keep="last")
        pr = latest.groupby("sector")["ssi"].rank(method="average", pct=True)
        return float(pr[latest["person_key"] == key].iloc[0])

    seconds = median_time(run, repeat, warmup=1)
    return {"seconds": seconds, "peak_rss": peak_rss_bytes()}


def _quantiles_sql() -> str:
    aggs = ", ".join(f"quantile_cont({m}, {QUANTS}) AS q_{m}" for m in METRICS)
    latest = (
        """
        SELECT person_key,
               arg_max(sector, snapshot_date) AS sector,
               arg_max(network, snapshot_date) AS network,
               """
        + ", ".join(f"arg_max({m}, snapshot_date) AS {m}" for m in METRICS)
        + """
        FROM scores WHERE snapshot_date <= $as_of AND snapshot_date >= $since
        GROUP BY person_key
    """
    )
    return f"""
        WITH latest AS ({latest})
        SELECT 'all' AS kind, NULL AS name, count(*) AS n, {aggs} FROM latest
        UNION ALL
        SELECT 'sector', sector, count(*), {aggs} FROM latest GROUP BY sector
        UNION ALL
        SELECT 'network', network, count(*), {aggs} FROM latest
        WHERE network IS NOT NULL GROUP BY network
    """


def task_quantiles(a: dict[str, Any]) -> dict[str, Any]:
    """Bench.benchmarks() for the latest date, warm and cold, vs one SQL quantile_cont query."""
    from benchmarks.data import DataSet

    db, repeat = a["db"], int(a["repeat"])
    ds = DataSet.load(Path(db))
    bench = _bench(db)
    con = _raw_connection(bench)
    win = _window(ds.latest, bench.settings.lookback_days)

    def cold() -> object:
        bench._indexes.clear()  # what an upload does to the cache: the next call rebuilds
        return bench.benchmarks()

    cold_s = median_time(cold, repeat, warmup=0)
    rows = bench.benchmarks()
    warm_s = median_time(bench.benchmarks, repeat)
    sql_s = median_time(
        lambda: con.cursor().execute(_quantiles_sql(), win).fetchall(), max(1, min(repeat, 5))
    )
    return {
        "warm": warm_s,
        "cold": cold_s,
        "sql": sql_s,
        "rows": len(rows),
        "peak_rss": peak_rss_bytes(),
    }


_TREND_SQL = """
    WITH h AS (SELECT snapshot_date AS d, sector, ssi AS mine FROM scores WHERE person_key = $key),
    c AS (
        SELECT h.d, h.mine, s.person_key, arg_max(s.ssi, s.snapshot_date) AS v
        FROM h JOIN scores s
          ON s.sector = h.sector AND s.snapshot_date <= h.d
         AND s.snapshot_date >= h.d - CAST($lookback AS INTEGER)
        GROUP BY h.d, h.mine, s.person_key
    )
    SELECT d, count(*) AS n, count(*) FILTER (WHERE v < mine) AS below,
           count(*) FILTER (WHERE v = mine) AS equal,
           quantile_cont(v, [0.25, 0.5, 0.75]) AS q
    FROM c GROUP BY d ORDER BY d
"""


def task_trend(a: dict[str, Any]) -> dict[str, Any]:
    """Bench.trend for one person (every snapshot date), warm and cold, vs one SQL query."""
    from benchmarks.data import DataSet

    db, repeat = a["db"], int(a["repeat"])
    ds = DataSet.load(Path(db))
    bench = _bench(db)
    con = _raw_connection(bench)
    _ident, key, _sector, _net = ds.sample[0]

    def cold() -> object:
        bench._indexes.clear()
        return bench.trend(person_key=key)

    cold_s = median_time(cold, max(1, min(repeat, 3)), warmup=0)
    frame = bench.trend(person_key=key)
    warm_s = median_time(lambda: bench.trend(person_key=key), repeat)
    args = {"key": key, "lookback": bench.settings.lookback_days}
    sql_s = median_time(
        lambda: con.cursor().execute(_TREND_SQL, args).fetchall(), max(1, min(repeat, 5))
    )
    return {
        "warm": warm_s,
        "cold": cold_s,
        "sql": sql_s,
        "points": len(frame),
        "peak_rss": peak_rss_bytes(),
    }


def task_page(a: dict[str, Any]) -> dict[str, Any]:
    """AppTest: warm reruns of My benchmark (see ``benchmarks.app_page``)."""
    from benchmarks.app_page import measure

    return measure(Path(a["db"]), int(a["repeat"]))


def task_app_rss(a: dict[str, Any]) -> dict[str, Any]:
    """Start `streamlit run`, load pages in Chromium, read the server's peak RSS."""
    from benchmarks.app_rss import measure

    return measure(Path(a["db"]), a.get("identifier"), float(a.get("timeout", 300)))


# ------------------------------------------------------------------------------ issue 11
def _timed(module: Any, name: str, spent: dict[str, Any]) -> None:
    """Wrap ``module.name`` so every call adds its wall time to ``spent[name]`` (and keeps
    its last result in ``spent[name + ":result"]``).

    The release build's phases are timed inside one real ``Bench.rebuild_release()`` call
    (no copy of its steps that could drift from the library's).
    """
    inner = getattr(module, name)

    def wrapper(*args: Any, **kw: Any) -> Any:
        t0 = time.perf_counter()
        try:
            got = inner(*args, **kw)
            spent[name + ":result"] = got
            return got
        finally:
            spent[name] = spent.get(name, 0.0) + time.perf_counter() - t0

    setattr(module, name, wrapper)


def task_release_build(a: dict[str, Any]) -> dict[str, Any]:
    """One ``Bench.rebuild_release()`` (histograms, figures, outcomes, curves, save), phases
    timed; peak RSS of the process (a fresh one, so it is the build's)."""
    from ssi_bench import release, release_store

    spent: dict[str, Any] = {}
    _timed(release_store, "histograms", spent)
    _timed(release, "build_figures", spent)
    _timed(release_store, "save", spent)
    bench = _bench(a["db"])
    rss_before = peak_rss_bytes()
    t0 = time.perf_counter()
    rel = bench.rebuild_release()
    total = time.perf_counter() - t0
    hist, pairs, _version = spent["histograms:result"]
    figures = spent["build_figures:result"]
    bench.close()
    return {
        "total": total,
        "histograms": spent.get("histograms"),
        "figures": spent.get("build_figures"),
        "save": spent.get("save"),
        "figure_rows": figures.num_rows,
        "hist_rows": hist.num_rows,
        "pair_rows": pairs.num_rows,
        "dates": len(rel.dates),
        "peak_rss": peak_rss_bytes(),
        "rss_after_open": rss_before,
    }


def task_index_build(a: dict[str, Any]) -> dict[str, Any]:
    """The cohort index of the latest date, as own standings build it:
    ``CohortIndex(store.members(day, lookback), day)``; median of ``repeat`` builds."""
    from ssi_bench.cohorts import CohortIndex

    bench = _bench(a["db"])
    store, lookback = bench.store, bench.settings.lookback_days
    day = store.latest_date()
    rss_before = peak_rss_bytes()
    seconds = median_time(
        lambda: CohortIndex(store.members(day, lookback), day), int(a["repeat"]), warmup=0
    )
    people = len(CohortIndex(store.members(day, lookback), day))
    bench.close()
    return {
        "seconds": seconds,
        "people": people,
        "peak_rss": peak_rss_bytes(),
        "rss_after_open": rss_before,
    }


def task_release_warm(a: dict[str, Any]) -> dict[str, Any]:
    """Every page's figure served from the stored release, warm, beside SELECT 1 on the same
    connection: Bench.benchmarks() (every cohort), percentile(score=…) typed, percentile(
    person_key=…) own, cohort_trend(), trend() of one person. Expects a saved release (run
    ``release_build`` first); the first ``release()`` loads it from the database."""
    from benchmarks.data import DataSet

    db, rounds = a["db"], int(a["repeat"])
    ds = DataSet.load(Path(db))
    bench = _bench(db)
    con = _raw_connection(bench)
    t0 = time.perf_counter()
    rel = bench.release()
    load_s = time.perf_counter() - t0
    if rel.source != "local" or rel.data_version != bench.store.data_version():
        raise RuntimeError("the stored release is not the current one")

    def floor() -> object:
        return con.cursor().execute("SELECT 1").fetchall()

    floor_s = median_of_calls([floor] * 50, rounds)
    benchmarks_s = median_time(bench.benchmarks, rounds)
    rows = len(bench.benchmarks())
    # Typed scores: a low, middle and high score in each sampled person's sector and
    # network, and in everyone (what Home's "Check my score" and "Type my scores" call).
    typed: list[Callable[[], object]] = [
        (
            lambda s=score, c=cohort, sec=sector, net=network: bench.percentile(  # type: ignore[misc]
                score=s, cohort=c, sector=sec, network=net
            )
        )
        for _ident, _key, sector, network in ds.sample[:10]
        for cohort in ("all", "sector", "network")
        if cohort != "network" or network is not None
        for score in (30.0, 55.0, 80.0)
    ]
    typed_s = median_of_calls(typed, rounds)
    own: list[Callable[[], object]] = [
        (lambda k=key, c=cohort: bench.percentile(person_key=k, cohort=c))  # type: ignore[misc]
        for _ident, key, _sector, network in ds.sample
        for cohort in ("sector", "network")
        if cohort == "sector" or network is not None
    ]
    own_s = median_of_calls(own, rounds)
    _ident, key, sector, network = ds.sample[0]
    cohorts = [("all", None), ("sector", sector)] + ([("network", network)] if network else [])
    ctrend: list[Callable[[], object]] = [
        (lambda k=kind, n=name: bench.cohort_trend(k, n))  # type: ignore[misc]
        for kind, name in cohorts
    ]
    ctrend_s = median_of_calls(ctrend, rounds)
    trend_s = median_time(lambda: bench.trend(person_key=key), rounds)
    bench.close()
    return {
        "floor": floor_s,
        "load": load_s,
        "benchmarks": benchmarks_s,
        "benchmark_rows": rows,
        "typed": typed_s,
        "typed_calls": len(typed),
        "own": own_s,
        "own_calls": len(own),
        "cohort_trend": ctrend_s,
        "trend": trend_s,
        "peak_rss": peak_rss_bytes(),
    }


TASKS = {name[5:]: fn for name, fn in globals().items() if name.startswith("task_")}


def main() -> None:
    task, args = sys.argv[1], json.loads(sys.argv[2])
    os.environ.setdefault("SSI_BENCH_SECRET", SECRET)
    emit(TASKS[task](args))


if __name__ == "__main__":
    main()
