"""Sectors and Networks side by side: sizes, quantile boxes, pillar profiles, median over time.

The two pages differ only in the cohort kind.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence

import pandas as pd
import streamlit as st

from ssi_bench import charts
from ssi_bench.errors import SSIBenchError
from ssi_bench.fields import METRIC_LABELS, PILLARS
from ssi_bench.model import BenchmarkRow
from ssi_bench.web.format import fmt_num
from ssi_bench.web.sharing import share_button
from ssi_bench.web.state import (
    Kind,
    benchmarks,
    cohort_names,
    cohort_trend,
    get_bench,
    show_error,
    status,
    stop_with,
)
from ssi_bench.web.widgets import as_of_input, metric_select


def render(kind: Kind) -> None:
    """The whole Sectors or Networks page (after :func:`ssi_bench.web.frame.page_setup`)."""
    plural = f"{kind}s"
    title = plural.capitalize()
    bench = get_bench()
    st.title(title)
    st.caption(
        f"Only {plural} of at least {bench.settings.min_cohort} people are measured; quartiles "
        "need 20. Never an individual's point, never a minimum or maximum."
    )
    if status().is_empty:
        stop_with("No data yet: scores must be uploaded first.")
    c1, c2 = st.columns(2)
    with c1:
        metric = metric_select()
    with c2:
        as_of = as_of_input()
    level = sector_level_select() if kind == "sector" else None
    try:
        if level is not None:  # industries rolled up into their groups at that level
            rows = bench.benchmarks("sector", as_of, level=level)
            table = quantile_table(
                [r for r in rows if r.metric == metric], bench.settings.min_cohort
            )
            st.dataframe(table, hide_index=True, key=f"{plural}_level_table")
            return
        picked = render_cohorts(kind, metric, as_of, key=plural)
        view = {"page": kind, "metric": metric, "as_of": as_of and as_of.isoformat()}
        share_button({**view, "selected": picked}, key=f"{plural}_share")
    except SSIBenchError as exc:
        show_error(exc)


def render_cohorts(
    kind: Kind,
    metric: str,
    as_of: dt.date | None,
    selected: Sequence[str] | None = None,
    key: str = "cohorts",
    on_select: Callable[[list[str]], None] | None = None,
) -> list[str]:
    """Sectors or Networks side by side: sizes, quantile boxes, pillar profiles, trend.

    Only publishable cohorts are drawn; the others are listed as "fewer than k". Returns
    the cohorts picked for the trend chart.
    """
    k = get_bench().settings.min_cohort
    names = cohort_names(kind, as_of)
    if not names:
        st.info(f"No {kind}s in the data as of this date.")
        return []
    publishable = [c for c in names if c.publishable]
    small = [c for c in names if not c.publishable]
    plural = "sectors" if kind == "sector" else "networks"

    st.subheader("Cohort sizes")
    sizes = pd.DataFrame(
        {
            kind: [c.name for c in names],
            "people": [f"{c.n:,}" if c.n is not None else f"fewer than {k}" for c in names],
            "shown": ["yes" if c.publishable else "no (too small)" for c in names],
        }
    )
    st.dataframe(sizes, hide_index=True, key=f"{key}_sizes")
    if small:
        st.caption(
            f"{len(small)} of {len(names)} {plural} have fewer than {k} people: listed, "
            "never measured."
        )

    rows = [r for r in benchmarks(kind, as_of) if r.kind == kind]
    st.subheader(f"{METRIC_LABELS[metric]} by {kind}")
    metric_rows = [r for r in rows if r.metric == metric]
    if any(r.p25 is not None for r in metric_rows):
        st.plotly_chart(
            charts.cohort_box_figure(metric_rows, metric), key=f"{key}_box", theme="streamlit"
        )
    else:
        st.info(f"No {kind} has the 20 people needed to publish quartiles.")
    table = quantile_table(metric_rows, k)
    st.dataframe(table, hide_index=True, key=f"{key}_quantiles")

    st.subheader("Pillar profiles")
    profile = charts.pillar_profile_table(rows)
    if profile.empty:
        st.info("No published pillar medians yet.")
    else:
        st.plotly_chart(
            charts.pillar_profile_figure(profile), key=f"{key}_profile", theme="streamlit"
        )
        st.dataframe(
            profile[["cohort", "strongest", "weakest", *PILLARS]]
            .rename(columns={p: METRIC_LABELS[p] for p in PILLARS})
            .round(2),
            hide_index=True,
            key=f"{key}_profile_table",
        )

    st.subheader("Median over time")
    options = [c.name for c in sorted(publishable, key=lambda c: -(c.n or 0))]
    default = [s for s in (selected or options[:4]) if s in options]
    if selected is None:
        picked = st.multiselect(
            f"{plural.capitalize()} to compare", options, default=default, key=f"{key}_pick"
        )
    else:
        picked = default
    trends = [(name, cohort_trend(kind, name, metric)) for name in picked]
    if trends:
        st.plotly_chart(
            charts.cohort_trend_figure(trends, metric), key=f"{key}_trend", theme="streamlit"
        )
    return list(picked)


def quantile_table(rows: Iterable[BenchmarkRow], k: int) -> pd.DataFrame:
    """Published quantiles as a readable table; withheld values say why."""
    records = []
    for r in rows:
        records.append(
            {
                "cohort": r.name if r.name is not None else "Everyone",
                "people": f"{r.n:,}" if r.n is not None else f"fewer than {k}",
                **{q: fmt_num(getattr(r, q), 1) for q in charts.QUANTILE_NAMES},
            }
        )
    return pd.DataFrame(records, columns=["cohort", "people", *charts.QUANTILE_NAMES])


#: Depths of LinkedIn's industry hierarchy offered on the Sectors page (1 = top).
LEVELS = {"Industry (as stored)": None, **{f"Industry group, level {n}": n for n in (1, 2, 3, 4)}}


def sector_level_select() -> int | None:
    """The Sectors page's level: each industry (None), or a group level where the smaller
    industries roll up into their group at that depth."""
    label = st.selectbox("Level", list(LEVELS), key="sectors_level")
    return LEVELS[str(label)]
