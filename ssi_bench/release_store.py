"""Where the release lives in the dashboard's DuckDB file, and how it is computed there.

The local release runs the engine-neutral job (:mod:`ssi_bench.engines.job`) over the
``scores`` table, inside one read transaction so that the histograms and the data version
they belong to are one consistent snapshot. ``release_meta`` says which data version the
stored figures were built from and whether they were built here or imported (a release built
on Spark elsewhere is served as it is, never rebuilt over by the few local rows).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import pyarrow as pa

from ssi_bench.engines import job
from ssi_bench.release import FIGURE_SCHEMA

if TYPE_CHECKING:
    from ssi_bench.store import Store

_QUANTILE_DDL = ", ".join(f"{q} DOUBLE" for q in ("p10", "p25", "p50", "p75", "p90"))

#: The schema migration that adds the release tables (appended to ``schema.MIGRATIONS``).
MIGRATION: tuple[str, ...] = (
    f"""CREATE TABLE release_figures (
        pub_date DATE NOT NULL, kind VARCHAR NOT NULL, name VARCHAR, level INTEGER,
        metric VARCHAR NOT NULL, n BIGINT, reason VARCHAR, {_QUANTILE_DDL})""",
    "CREATE TABLE release_meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)",
    """CREATE TABLE release_outcomes (
        pub_date DATE NOT NULL, kind VARCHAR NOT NULL, name VARCHAR, metric VARCHAR NOT NULL,
        outcome VARCHAR NOT NULL, result VARCHAR NOT NULL)""",
)

#: The LinkedIn-wide industry curves of the release (appended to ``schema.MIGRATIONS`` by
#: migration 6): per publication date and industry, the fitted curve's parameters as JSON
#: (``curve``: see :func:`ssi_bench.sectors.curve_to_json`; never the captured pairs) and the
#: mean of LinkedIn's reported industry average SSI over ``avg_people`` people (NULL below k).
CURVES_MIGRATION: tuple[str, ...] = (
    """CREATE TABLE release_curves (
        pub_date DATE NOT NULL, industry_id INTEGER NOT NULL, industry VARCHAR NOT NULL,
        captures INTEGER, curve VARCHAR, avg_ssi DOUBLE, avg_people INTEGER)""",
)
#: One row of ``release_curves``: (pub_date, industry_id, industry, captures, curve JSON or
#: None, mean reported average SSI or None, people behind that mean or None).
CurveRow = tuple[dt.date, int, str, int | None, str | None, float | None, int | None]

_VERSION_SQL = "SELECT value FROM meta WHERE key = 'data_version'"
_META_SQL = "SELECT key, value FROM release_meta"
_FIGURES_SQL = f"SELECT {', '.join(FIGURE_SCHEMA.names)} FROM release_figures"
_OUTCOMES_SQL = "SELECT pub_date, kind, name, metric, outcome, result FROM release_outcomes"
_CURVES_SQL = """
SELECT pub_date, industry_id, industry, captures, curve, avg_ssi, avg_people FROM release_curves
"""


def histograms(store: Store, lookback_days: int) -> tuple[pa.Table, pa.Table, int]:
    """(histograms, pairs, data version) of the stored snapshots, from one consistent read."""
    # Under the write lock: no upload can commit half-way through the three reads. (DuckDB's
    # snapshot isolation should make that moot, but under concurrent uploads the histograms
    # were seen to come from another version than the meta row read in the same transaction.)
    with store.lock, store.cursor() as cur:
        cur.execute("BEGIN TRANSACTION")
        try:
            row = cur.execute(_VERSION_SQL).fetchone()
            version = int(row[0]) if row else 0
            cur.execute(f"CREATE OR REPLACE TEMP VIEW snapshots AS {job.store_snapshots_sql()}")
            hist = cur.execute(job.histogram_sql(lookback_days)).to_arrow_table()
            pairs = cur.execute(job.pairs_sql(lookback_days)).to_arrow_table()
        finally:
            cur.execute("ROLLBACK")
    return hist, pairs, version


def meta(store: Store) -> dict[str, str]:
    with store.cursor() as cur:
        return {str(k): str(v) for k, v in cur.execute(_META_SQL).fetchall()}


def load_figures(store: Store) -> pa.Table:
    with store.cursor() as cur:
        got = cur.execute(_FIGURES_SQL).to_arrow_table()
    return got.cast(FIGURE_SCHEMA)


def load_outcomes(store: Store) -> list[tuple[dt.date, str, str | None, str, str, str]]:
    with store.cursor() as cur:
        return [tuple(r) for r in cur.execute(_OUTCOMES_SQL).fetchall()]


def load_curves(store: Store) -> list[CurveRow]:
    """The stored LinkedIn-wide industry curves (see :data:`CURVES_MIGRATION`)."""
    with store.cursor() as cur:
        return [tuple(r) for r in cur.execute(_CURVES_SQL).fetchall()]


def save(
    store: Store,
    figures: pa.Table,
    *,
    data_version: int,
    source: str,
    settings_key: str,
    outcomes: list[tuple[dt.date, str, str | None, str, str, str]] | None = None,
    curves: list[CurveRow] | None = None,
) -> bool:
    """Replace the stored release in one transaction (no data-version bump: no score changed).

    Returns False, writing nothing, when the stored snapshots have moved past
    ``data_version`` meanwhile (a newer build will follow) — a release is never filed under a
    version it was not computed from.
    """
    with store.transaction(bump=False) as cur:
        row = cur.execute(_VERSION_SQL).fetchone()
        if source == "local" and (int(row[0]) if row else 0) != data_version:
            return False
        cur.execute("DELETE FROM release_figures")
        cur.execute("DELETE FROM release_outcomes")
        cur.execute("DELETE FROM release_meta")
        cur.execute("DELETE FROM release_curves")
        cur.register("incoming_figures", figures.cast(FIGURE_SCHEMA))
        try:
            cur.execute(
                f"INSERT INTO release_figures SELECT {', '.join(FIGURE_SCHEMA.names)} "
                "FROM incoming_figures"
            )
        finally:
            cur.unregister("incoming_figures")
        if outcomes:
            cur.executemany("INSERT INTO release_outcomes VALUES (?, ?, ?, ?, ?, ?)", outcomes)
        if curves:
            cur.executemany("INSERT INTO release_curves VALUES (?, ?, ?, ?, ?, ?, ?)", curves)
        stamp = dt.datetime.now(dt.UTC).replace(tzinfo=None).isoformat(timespec="seconds")
        for key, value in (
            ("data_version", str(data_version)),
            ("source", source),
            ("settings", settings_key),
            ("built_at", stamp),
        ):
            cur.execute("INSERT INTO release_meta VALUES ($k, $v)", {"k": key, "v": value})
    return True
