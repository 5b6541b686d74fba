"""Trends: a person's own history beside their sector's published band, and cohort medians
over time — the cohort side read from the release only."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ssi_bench import privacy
from ssi_bench.cohorts import rank_counts, sector_values_at
from ssi_bench.errors import NotFoundError
from ssi_bench.model import CohortId, CohortKind
from ssi_bench.release import Release

if TYPE_CHECKING:
    from ssi_bench.api import Bench

#: Cohort trends show at most this many of the latest publication dates.
TREND_MAX_DATES = 104
#: A fall of this many points between two snapshots is highlighted on Trends.
DROP_POINTS = 5.0

PERSON_COLUMNS = [
    "snapshot_date", "score", "sector", "n", "p25", "p50", "p75",
    "percentile", "top_percent", "display", "drop",
]  # fmt: skip


def _float(value: object) -> float | None:
    if value is None:
        return None
    try:
        f = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if np.isnan(f) else f


def person_trend(
    bench: Bench, rel: Release, *, person_key: str, metric: str = "ssi"
) -> pd.DataFrame:
    """See :meth:`ssi_bench.api.Bench.trend`. The person's own standing on a date is exact
    and computed only where the release publishes their sector's figure on that date (the
    sector cohort from one span query and a binary search per person and date, not one
    whole cohort index per date)."""
    history = bench.store.history(person_key)
    if history.empty:
        raise NotFoundError("No scores were uploaded under that identifier.")
    k = bench.settings.min_cohort
    points = [
        (
            pd.Timestamp(row["snapshot_date"]).date(),
            _float(row[metric]),
            None if pd.isna(row["sector"]) else str(row["sector"]),
        )
        for row in history.to_dict("records")
    ]
    figs = {(d, s): rel.figure(d, "sector", s, metric) for d, v, s in points if v is not None and s}
    wanted = [key for key, f in figs.items() if f is not None and f.published]
    lookback = bench.settings.lookback_days
    cohort_values: dict[tuple[dt.date, str | None], np.ndarray] = {}
    if wanted:
        span = bench.store.sector_span(
            person_key, metric, points[0][0] - dt.timedelta(days=lookback), points[-1][0]
        )
        cohort_values = dict(sector_values_at(span, wanted, lookback))  # type: ignore[arg-type]
    records = []
    previous: float | None = None
    for day, value, sector in points:
        if value is None:
            continue
        fig = figs.get((day, sector)) if sector else None
        published = fig is not None and fig.published
        standing = None
        if published and (day, sector) in cohort_values:
            standing = privacy.gate_standing(
                rank_counts(cohort_values[(day, sector)], value, subject_in_cohort=True),
                metric=metric,
                score=value,
                cohort=CohortId("sector", sector, day),
                k=k,
            )
        q = fig.quantiles if published and fig is not None else {}
        records.append(
            {
                "snapshot_date": day,
                "score": value,
                "sector": sector,
                "n": fig.n if published and fig is not None else None,
                "p25": q.get("p25"),
                "p50": q.get("p50"),
                "p75": q.get("p75"),
                "percentile": None if standing is None else standing.percentile,
                "top_percent": None if standing is None else standing.top_percent,
                "display": (
                    standing.display
                    if standing is not None and not standing.suppressed
                    else "not published on this date"
                ),
                "drop": previous is not None and previous - value >= DROP_POINTS,
            }
        )
        previous = value
    return pd.DataFrame.from_records(records, columns=PERSON_COLUMNS)


def cohort_trend(rel: Release, kind: CohortKind, name: str | None, metric: str) -> pd.DataFrame:
    """A cohort's published n and quartiles on each of the latest publication dates on which
    the release publishes it (columns as_of, n, p25, p50, p75)."""
    records = []
    for fig in rel.series(kind, name, metric)[-TREND_MAX_DATES:]:
        if not fig.published:
            continue
        q = fig.quantiles
        records.append(
            {"as_of": fig.pub_date, "n": fig.n, "p25": q.get("p25"), "p50": q.get("p50"),
             "p75": q.get("p75")}
        )  # fmt: skip
    return pd.DataFrame.from_records(records, columns=["as_of", "n", "p25", "p50", "p75"])


#: The trend columns a personal share freezes: what the Trends page showed, gated as shown.
#: ``n`` and ``sector`` are left out (the chart and sentences do not show them; the sector is
#: kept nowhere in a share so the view says less about whose it is).
SNAPSHOT_COLUMNS = [
    "snapshot_date", "score", "p25", "p50", "p75", "percentile", "top_percent", "display",
    "drop",
]  # fmt: skip


def trend_snapshot(trend: pd.DataFrame) -> list[dict[str, object]]:
    """The rows of a :meth:`~ssi_bench.api.Bench.trend` frame as JSON-safe records for a
    frozen share: dates as ISO ``YYYY-MM-DD`` strings, numbers as float (points on the
    metric's scale; percentile and top_percent in percent), withheld values (None/NaN) as
    None, ``drop`` as bool. Only :data:`SNAPSHOT_COLUMNS` (no person key, no identifier);
    a frame missing one of them raises KeyError. An empty frame gives ``[]``."""
    rows: list[dict[str, object]] = []
    for rec in trend[SNAPSHOT_COLUMNS].to_dict("records"):
        rows.append(
            {
                "snapshot_date": pd.Timestamp(rec["snapshot_date"]).date().isoformat(),
                "score": _float(rec["score"]),
                "p25": _float(rec["p25"]),
                "p50": _float(rec["p50"]),
                "p75": _float(rec["p75"]),
                "percentile": _float(rec["percentile"]),
                "top_percent": _float(rec["top_percent"]),
                "display": None if rec["display"] is None else str(rec["display"]),
                "drop": bool(rec["drop"]) if not pd.isna(rec["drop"]) else False,
            }
        )
    return rows


def trend_from_snapshot(rows: object) -> pd.DataFrame:
    """The trend frame a share froze (see :func:`trend_snapshot`), ready for the Trends
    renderer: ``snapshot_date`` as :class:`datetime.date`, missing values as None.

    Raises ValueError when ``rows`` is not a list of records carrying every column of
    :data:`SNAPSHOT_COLUMNS` or a date is not ISO (a tampered or foreign share)."""
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise ValueError("a frozen trend must be a list of rows")
    records = []
    for r in rows:
        missing = [c for c in SNAPSHOT_COLUMNS if c not in r]
        if missing:
            raise ValueError(f"a frozen trend row lacks {', '.join(missing)}")
        rec = {c: r[c] for c in SNAPSHOT_COLUMNS}
        rec["snapshot_date"] = dt.date.fromisoformat(str(r["snapshot_date"]))
        rec["drop"] = bool(r["drop"])
        records.append(rec)
    return pd.DataFrame.from_records(records, columns=SNAPSHOT_COLUMNS)
