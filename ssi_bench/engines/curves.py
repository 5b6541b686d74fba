"""LinkedIn-wide industry curves for every publication date, after the engine has run.

The engine (DuckDB here, or Spark) runs :func:`ssi_bench.engines.job.capture_pairs_sql`: one
row per capture, with the dates it counts for. :func:`fit_release_curves` expands those rows
per publication date in memory, groups each date's people by industry and fits
:func:`ssi_bench.linkedin_industry.fit` — in Python, the same on every engine.

The differencing guard. Two published curves of one industry must not differ because of a few
people: a viewer comparing them would learn about those people's pairs. So a new curve is
fitted on a date only when the industry's set of captures (each person's (SSI, rank) pair in
the window) differs from the set of *every* earlier fitted curve of that industry by 0 or by
at least k people. Otherwise the latest earlier curve stays the published one, marked stale
with the date it was fitted on (the sentence says that date). A set equal to an earlier fitted
set republishes that curve without refitting, so a date on which nothing changed costs
nothing; fits are also memoised by their input within the process (a rebuild after an
unrelated upload refits nothing). The mean of LinkedIn's reported industry average follows
the same rule with its own sets.

Rows are written only on the dates where an industry's published state changes (a new or
another fitted curve, stale or not, another average, or withdrawn): a reader takes an
industry's latest row on or before its date (:func:`as_of`). A withdrawn state (fewer than
k people's captures in the window) is a row with neither curve nor average.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from ssi_bench import industries, industry_cohorts
from ssi_bench.engines import job

if TYPE_CHECKING:
    import duckdb

    from ssi_bench.store import Store

#: One row of ``release_curves`` (see ``release_store.CURVES_MIGRATION``).
CurveRow = tuple[dt.date, int, str, int | None, str | None, float | None, int | None]
#: ``curves.parquet`` of a release folder: the rows of ``release_curves``.
CURVES_SCHEMA = pa.schema(
    [
        ("pub_date", pa.date32()),
        ("industry_id", pa.int32()),
        ("industry", pa.string()),
        ("captures", pa.int32()),
        ("curve", pa.string()),
        ("avg_ssi", pa.float64()),
        ("avg_people", pa.int32()),
    ]
)

#: The dashboard's scores as the job's ``snapshots`` with LinkedIn's figures, integer units.
_STORE_CAPTURES_SQL = f"""
SELECT person_key, snapshot_date, sector,
       CAST(round(ssi * {job.UNITS}) AS BIGINT) AS ssi,
       CAST(round(industry_rank * {job.UNITS}) AS BIGINT) AS industry_rank,
       CAST(round(industry_avg_ssi * {job.UNITS}) AS BIGINT) AS industry_avg_ssi
FROM scores
"""

_MEMO: dict[str, Any] = {}
_MEMO_MAX = 512


def _fit(pairs: dict[str, tuple[float, float]], k: int) -> Any:
    """The curve of one set of pairs, memoised by its content (same input, same curve: the
    fit is deterministic for a fixed seed)."""
    from ssi_bench.linkedin_industry import fit

    values = sorted(pairs.values())
    key = hashlib.sha256(repr((k, values)).encode()).hexdigest()
    if key not in _MEMO:
        if len(_MEMO) >= _MEMO_MAX:
            _MEMO.pop(next(iter(_MEMO)))
        _MEMO[key] = fit([s for s, _ in values], [t for _, t in values], k=k)
    return _MEMO[key]


def _changed(a: dict[str, Any], b: dict[str, Any]) -> int:
    """People whose capture differs between two sets (added, removed or another pair)."""
    return sum(1 for p in a.keys() | b.keys() if a.get(p) != b.get(p))


@dataclass
class _Fitted:
    day: dt.date
    members: dict[str, Any]
    value: Any  # an IndustryCurve, or a mean


def _guarded(
    fitted: list[_Fitted], members: dict[str, Any], day: dt.date, k: int, least: int, make: Any
) -> tuple[_Fitted | None, bool]:
    """(the fit to publish on ``day``, stale?) under the differencing guard (module docstring).

    ``least``: people a new fit needs. Appends a new fit to ``fitted``.
    """
    if len(members) < least:
        return None, False
    diffs = [_changed(f.members, members) for f in fitted]
    for f, d in zip(fitted, diffs, strict=True):
        if d == 0:
            return f, False
    if all(d >= k for d in diffs):
        value = make(members)
        if value is not None:
            fitted.append(_Fitted(day, dict(members), value))
            return fitted[-1], False
    return (fitted[-1], True) if fitted else (None, False)


def fit_release_curves(captures: pa.Table, dates: Iterable[dt.date], k: int) -> list[CurveRow]:
    """The ``release_curves`` rows of every publication date in ``dates``.

    captures: the output of :func:`job.capture_pairs_sql` (scores and values in
    ``job.UNITS``). k: the privacy floor; a curve needs max(k, 7) people (it has 6
    parameters), an average k people. Sectors that are no LinkedIn industry are left out.
    About 1 s per fitted curve; dates on which an industry's captures did not change, or
    changed by fewer than k people, fit nothing.
    """
    days = sorted(set(dates))
    if captures.num_rows == 0 or not days:
        return []
    cols = captures.to_pydict()
    ind_of = {s: industry_cohorts.industry_of(s) for s in set(cols["sector"])}
    since = np.array([d.toordinal() for d in cols["since"]])
    until = np.array([d.toordinal() for d in cols["until"]])
    what = np.array(cols["what"])
    least = max(int(k), 7)
    state: dict[tuple[int, str], list[_Fitted]] = {}
    last: dict[int, tuple[Any, ...]] = {}
    rows: list[CurveRow] = []
    for day in days:
        active = np.nonzero((since <= day.toordinal()) & (until > day.toordinal()))[0]
        sets: dict[tuple[int, str], dict[str, Any]] = {}
        for i in active:
            ind = ind_of[cols["sector"][i]]
            if ind is None or ind.synthetic:
                continue
            kind = str(what[i])
            value = cols["value"][i] / job.UNITS
            pair = (cols["score"][i] / job.UNITS, value) if kind == "rank" else value
            sets.setdefault((ind.id, kind), {})[cols["person_key"][i]] = pair
        for ind_id in sorted({i for i, _ in sets} | set(last)):
            curve, stale = _guarded(
                state.setdefault((ind_id, "rank"), []), sets.get((ind_id, "rank"), {}), day,
                k, least, lambda m: _fit(m, least),
            )  # fmt: skip
            avg, _ = _guarded(
                state.setdefault((ind_id, "avg"), []), sets.get((ind_id, "avg"), {}), day,
                k, k, lambda m: round(sum(m.values()) / len(m), 2),
            )  # fmt: skip
            key = (
                None if curve is None else (curve.day, stale),
                None if avg is None else avg.day,
            )
            if last.get(ind_id, (None, None)) == key:
                continue
            last[ind_id] = key
            label = industries.get(ind_id).label
            rows.append(
                (
                    day,
                    ind_id,
                    label,
                    None if curve is None else int(curve.value.captures),
                    None if curve is None else curve_json(curve.value, curve.day, stale),
                    None if avg is None else float(avg.value),
                    None if avg is None else len(avg.members),
                )
            )
    return rows


def curve_json(curve: Any, fitted_on: dt.date, stale: bool) -> str:
    """:func:`ssi_bench.sectors.curve_to_json` plus the date the curve was fitted on and
    whether the captures have changed since (by fewer than k people: not refitted)."""
    from ssi_bench import sectors

    d = json.loads(sectors.curve_to_json(curve))
    d["fitted_on"] = fitted_on.isoformat()
    d["stale"] = bool(stale)
    return json.dumps(d)


def curve_date(text: str) -> dt.date | None:
    """The fitted-on date of a stale curve (the sentence names it), None for a current one or
    a curve stored before dates were kept."""
    d = json.loads(text)
    return dt.date.fromisoformat(d["fitted_on"]) if d.get("stale") else None


def as_of(rows: Sequence[CurveRow], day: dt.date | None) -> dict[str, CurveRow]:
    """Industry label → its row in force on ``day`` (its latest on or before; None: the
    latest of all). Industries whose latest row is withdrawn are left out."""
    out: dict[str, CurveRow] = {}
    for row in sorted(rows, key=lambda r: r[0]):
        if day is None or row[0] <= day:
            out[row[2]] = row
    return {label: r for label, r in out.items() if r[4] is not None or r[5] is not None}


def store_captures(cur: duckdb.DuckDBPyConnection, lookback_days: int) -> pa.Table:
    """The capture intervals of a dashboard's own ``scores`` (the SQL the engines run)."""
    cur.execute(f"CREATE OR REPLACE TEMP VIEW snapshots AS {_STORE_CAPTURES_SQL}")
    try:
        # Materialised, then fetched (see _duckdb_captures).
        cur.execute(f"CREATE OR REPLACE TEMP TABLE caps AS {job.capture_pairs_sql(lookback_days)}")
        return cur.execute("SELECT * FROM caps").to_arrow_table()
    finally:
        cur.execute("DROP TABLE IF EXISTS caps")
        cur.execute("DROP VIEW IF EXISTS snapshots")


def local_curves(
    store: Store, dates: Iterable[dt.date], lookback_days: int, k: int
) -> list[CurveRow]:
    """The curves of a dashboard's own release: :func:`fit_release_curves` over its scores."""
    with store.cursor() as cur:
        captures = store_captures(cur, lookback_days)
    return fit_release_curves(captures, dates, k)


#: The export columns the capture SQL reads.
_CAPTURE_COLUMNS = ("person_key", "snapshot_date", "sector", "ssi", "industry_rank",
                    "industry_avg_ssi")  # fmt: skip


def _duckdb_captures(input_dir: Path, lookback_days: int) -> pa.Table:
    import duckdb

    glob = str(input_dir / "month=*" / "*.parquet").replace("'", "''")
    con = duckdb.connect(":memory:")
    try:
        con.execute(
            f"CREATE VIEW snapshots AS SELECT {', '.join(_CAPTURE_COLUMNS)} FROM read_parquet("
            f"'{glob}', hive_partitioning = true, hive_types = {{'month': VARCHAR}})"
        )
        # Materialised, then fetched, as the job's histograms are (duckdb_engine.run: a
        # streamed UNION ALL result was seen to hang DuckDB 1.5.6).
        con.execute(f"CREATE TEMP TABLE caps AS {job.capture_pairs_sql(lookback_days)}")
        return con.execute("SELECT * FROM caps").to_arrow_table()
    finally:
        con.close()


def _spark_captures(spark: Any, input_dir: Path, lookback_days: int) -> pa.Table:
    frame = spark.read.option("pathGlobFilter", "*.parquet").parquet(str(input_dir))
    frame.select(*_CAPTURE_COLUMNS).createOrReplaceTempView("snapshots")
    got = spark.sql(job.capture_pairs_sql(lookback_days)).toArrow()
    return got.cast(
        pa.schema(
            [(f.name, pa.date32() if f.name in ("since", "until") else f.type) for f in got.schema]
        )
    )


def engine_curves(
    input_dir: str | Path,
    manifest: dict[str, Any],
    hist: pa.Table,
    lookback_days: int,
    k: int,
    *,
    engine: str = "duckdb",
    spark: Any = None,
    spark_master: str | None = None,
    spark_remote: str | None = None,
) -> pa.Table:
    """``curves.parquet`` of a release built from the export at ``input_dir``: the capture
    SQL on ``engine`` (the job's own engine and session), the fit here, for every publication
    date of ``hist``. An export without :data:`snapshots.CURVE_COLUMNS` (schema 1) gives an
    empty table: its release has no LinkedIn-wide curves."""
    from ssi_bench.engines import snapshots

    if not snapshots.has_curve_columns(manifest):
        return CURVES_SCHEMA.empty_table()
    root = Path(input_dir)
    if engine == "spark":
        from ssi_bench.engines import spark_engine

        if spark is None:
            spark = spark_engine.session(master=spark_master, remote=spark_remote)
        captures = _spark_captures(spark, root, lookback_days)
    else:
        captures = _duckdb_captures(root, lookback_days)
    dates = set(hist.column("pub_date").to_pylist())
    rows = fit_release_curves(captures, dates, k)
    return pa.Table.from_pylist(
        [dict(zip(CURVES_SCHEMA.names, r, strict=True)) for r in rows], schema=CURVES_SCHEMA
    )


def rows_of(table: pa.Table | None) -> list[CurveRow]:
    """The ``release_curves`` rows of a release folder's ``curves.parquet`` (none: a release
    built before curves were part of it)."""
    if table is None:
        return []
    t = table.cast(CURVES_SCHEMA)
    return [tuple(r.values()) for r in t.to_pylist()]
