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
their latest snapshot on or before it, when that snapshot is at most ``lookback_days`` old
(``pub_date − lookback_days ≤ snapshot_date ≤ pub_date``, the window of ``Store.members``, so
a release shows what the embedded path shows), taken whole: its sector, network and scores.

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
# snapshot, or the day after the look-back window's last day (a snapshot exactly
# ``lookback`` days old still counts, as the README promises), whichever comes first.
# Joining on the range
# [snapshot_date, until) with two plain inequalities (no OR in the ON clause, which DuckDB
# left as a filter above its join) keeps the join a pure range join in both engines.
_MEMBERS = """
WITH ordered AS (
    SELECT person_key, snapshot_date, sector, network, {metric_cols},
           LEAST(
               COALESCE(
                   LEAD(snapshot_date) OVER (PARTITION BY person_key ORDER BY snapshot_date),
                   snapshot_date + {lookback_end}),
               snapshot_date + {lookback_end}) AS until
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
        lookback_end=days + 1,
    )


def histogram_sql(lookback_days: int) -> str:
    """The histogram job over ``snapshots`` (see the module docstring for its output).

    Every CTE is referenced once, and the three cohort kinds come from one GROUPING SETS
    aggregation: DuckDB 1.5.6 hangs (no CPU, forever) when a materialised CTE feeds several
    branches of a UNION ALL, and Spark has no ``NOT MATERIALIZED`` to opt out with.
    """
    metrics = ", ".join(f"('{m}')" for m in METRICS)
    pick = " ".join(f"WHEN '{m}' THEN m.{m}" for m in METRICS)
    return (
        _members(lookback_days)
        + f""",
long AS (
    SELECT m.pub_date, m.sector, m.network, x.metric, CASE x.metric {pick} END AS value
    FROM members m CROSS JOIN (VALUES {metrics}) AS x(metric)
),
grouped AS (
    SELECT pub_date, sector, network, metric, value, COUNT(*) AS n,
           GROUPING(sector) AS no_sector, GROUPING(network) AS no_network
    FROM long
    WHERE value IS NOT NULL
    GROUP BY GROUPING SETS (
        (pub_date, metric, value),
        (pub_date, sector, metric, value),
        (pub_date, network, metric, value)
    )
)
SELECT pub_date,
       CASE WHEN no_sector = 0 THEN 'sector' WHEN no_network = 0 THEN 'network' ELSE 'all' END
           AS kind,
       CASE WHEN no_sector = 0 THEN sector WHEN no_network = 0 THEN network END AS name,
       metric, value, n
FROM grouped
WHERE (no_sector = 1 OR sector IS NOT NULL) AND (no_network = 1 OR network IS NOT NULL)
"""
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
    return f"SELECT person_key, snapshot_date, sector, network, {cols} FROM scores"


def capture_pairs_sql(lookback_days: int) -> str:
    """Capture intervals over ``snapshots`` with LinkedIn's figures: the input of the curves.

    ``snapshots`` must also carry ``industry_rank`` and ``industry_avg_ssi`` (integer units,
    as the scores). Output ``person_key, sector, what, score, value, since, until``: one row
    per snapshot that carries ``what`` = ``'rank'`` (the SSI total ``score`` and LinkedIn's
    industry rank ``value``) or ``'avg'`` (LinkedIn's reported industry average ``value``,
    ``score`` NULL), with a sector. The row is the person's latest such capture on every
    publication date in ``[since, until)``: ``until`` is the person's next capture of the same
    kind or the day after the look-back window ends, whichever comes first (the window of
    :func:`histogram_sql`). One row per capture, not per date: the output stays the size of
    the captures, and :mod:`ssi_bench.engines.curves` expands it per date in memory.
    """
    days = int(lookback_days)  # an int from Settings, never text: safe to place in the SQL
    if days < 1:
        raise ValueError("look-back window must be at least 1 day")
    end = days + 1
    return f"""
WITH caps AS (
    SELECT person_key, snapshot_date, sector, 'rank' AS what, ssi AS score,
           industry_rank AS value
    FROM snapshots
    WHERE sector IS NOT NULL AND ssi IS NOT NULL AND industry_rank IS NOT NULL
    UNION ALL
    SELECT person_key, snapshot_date, sector, 'avg' AS what, CAST(NULL AS BIGINT) AS score,
           industry_avg_ssi AS value
    FROM snapshots
    WHERE sector IS NOT NULL AND industry_avg_ssi IS NOT NULL
)
SELECT person_key, sector, what, score, value, snapshot_date AS since,
       LEAST(
           COALESCE(
               LEAD(snapshot_date) OVER (PARTITION BY person_key, what ORDER BY snapshot_date),
               snapshot_date + {end}),
           snapshot_date + {end}) AS until
FROM caps
"""
