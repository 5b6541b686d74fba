"""The SQL text of the release job, shared by every engine.

Input: a relation ``snapshots`` with one row per person and snapshot date::

    person_key STRING, snapshot_date DATE, sector STRING, network STRING,
    ssi BIGINT, brand BIGINT, people BIGINT, insights BIGINT, relationships BIGINT

Scores are integers in units of the stored precision (:data:`UNITS` per point): a float sum
such as 41.673 may be 41.672999999999995 in one engine and 41.673 in another, which would put
one value into two histogram bins; the integer encoding (``CAST(round(v * 10000) AS BIGINT)``,
the same in DuckDB and Spark for these non-negative values) is the one rounding rule.

Output of :func:`histogram_sql`: ``pub_date, kind, name, metric, value, n`` — for every
publication date (every snapshot date present), every cohort (``all``; each ``sector``; each
``network``) and metric, how many people have that value. A person counts on ``pub_date`` with
their latest snapshot on or before it, when that snapshot is less than ``lookback_days`` old
(``pub_date − lookback_days < snapshot_date ≤ pub_date``, the window of ``Store.members``, so a
release shows what the embedded path shows), taken whole: its sector, network and scores.

Output of :func:`pairs_sql`: ``pub_date, sector, network, n`` — people per (sector, network)
on each date, so that the disclosure check knows which networks lie inside one sector.

Only constructs both engines read alike are used: a LEAD window, LEAST/COALESCE, a range join
against the (small) date list, ``date + integer``, UNION ALL and GROUP BY. The hint
``/*+ BROADCAST(d) */`` is a comment to DuckDB; it tells Spark to ship the date list to every
task instead of planning a cartesian product for the non-equi join. No ORDER BY: in Spark
that is a global sort, and consumers sort the small output themselves.
"""

from __future__ import annotations

from ssi_bench.fields import METRICS

#: Integer units per score point: scores are stored rounded to 4 decimals.
UNITS = 10_000

# ``until``: the first publication date a snapshot no longer counts for — the person's next
# snapshot, or the end of the look-back window, whichever comes first. Joining on the range
# [snapshot_date, until) with two plain inequalities (no OR in the ON clause, which DuckDB
# left as a filter above its join) keeps the join a pure range join in both engines.
_MEMBERS = """
WITH ordered AS (
    SELECT person_key, snapshot_date, sector, network, {metric_cols},
           LEAST(
               COALESCE(
                   LEAD(snapshot_date) OVER (PARTITION BY person_key ORDER BY snapshot_date),
                   snapshot_date + {lookback}),
               snapshot_date + {lookback}) AS until
    FROM snapshots
),
dates AS (SELECT DISTINCT snapshot_date AS pub_date FROM snapshots),
members AS (
    SELECT /*+ BROADCAST(d) */ d.pub_date, o.sector, o.network, {metric_cols_o}
    FROM ordered o JOIN dates d
      ON d.pub_date >= o.snapshot_date
     AND d.pub_date < o.until
)
"""


def _members(lookback_days: int) -> str:
    days = int(lookback_days)  # an int from Settings, never text: safe to place in the SQL
    if days < 1:
        raise ValueError("look-back window must be at least 1 day")
    return _MEMBERS.format(
        metric_cols=", ".join(METRICS),
        metric_cols_o=", ".join(f"o.{m}" for m in METRICS),
        lookback=days,
    )


def histogram_sql(lookback_days: int) -> str:
    """The histogram job over ``snapshots`` (see the module docstring for its output)."""
    longs = "\n    UNION ALL\n    ".join(
        f"SELECT pub_date, sector, network, '{m}' AS metric, {m} AS value "  # noqa: S608
        f"FROM members WHERE {m} IS NOT NULL"
        for m in METRICS
    )
    return (
        _members(lookback_days)
        + f""",
long AS (
    {longs}
)
SELECT pub_date, 'all' AS kind, CAST(NULL AS STRING) AS name, metric, value, COUNT(*) AS n
FROM long GROUP BY pub_date, metric, value
UNION ALL
SELECT pub_date, 'sector' AS kind, sector AS name, metric, value, COUNT(*) AS n
FROM long WHERE sector IS NOT NULL GROUP BY pub_date, sector, metric, value
UNION ALL
SELECT pub_date, 'network' AS kind, network AS name, metric, value, COUNT(*) AS n
FROM long WHERE network IS NOT NULL GROUP BY pub_date, network, metric, value
"""  # noqa: S608 (constant metric names and an int)
    )


def pairs_sql(lookback_days: int) -> str:
    """People per (publication date, sector, network): which networks nest in a sector."""
    return (
        _members(lookback_days)
        + """
SELECT pub_date, sector, network, COUNT(*) AS n
FROM members WHERE network IS NOT NULL AND ssi IS NOT NULL
GROUP BY pub_date, sector, network
"""
    )


def store_snapshots_sql() -> str:
    """``snapshots`` as a view over the dashboard's own ``scores`` table (DuckDB)."""
    cols = ", ".join(f"CAST(round({m} * {UNITS}) AS BIGINT) AS {m}" for m in METRICS)
    return f"SELECT person_key, snapshot_date, sector, network, {cols} FROM scores"  # noqa: S608
