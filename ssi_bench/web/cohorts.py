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
from ssi_bench.web.format import figure_date_note, fmt_num
from ssi_bench.web.my_benchmark import DEMO_NOTE
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
            table = quantile_table([r for r in rows if r.metric == metric], as_of)
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

    Only published cohorts are drawn (highest median first); the withheld ones are named in
    one placeholder line, never as an empty chart, legend entry or row of dashes. A figure
    from an earlier date than ``as_of`` (a later one is not published yet) says so. Returns
    the cohorts picked for the trend chart.
    """
    k = get_bench().settings.min_cohort
    names = cohort_names(kind, as_of)
    plural = "sectors" if kind == "sector" else "networks"
    if not names:
        st.info(f"No {plural} in the data as of this date.")
        return []
    publishable = [c for c in names if c.publishable]
    small = [c for c in names if not c.publishable]
    if status().is_demo:
        st.caption(DEMO_NOTE)
    if small:
        st.text(withheld_line(kind, [c.name for c in small], k))
    if not publishable:
        st.info(
            f"No {kind} has the {k} people needed to publish a figure on this date: their "
            "people are counted in Everyone (see My benchmark or Home)."
        )
        return []

    rows = [r for r in benchmarks(kind, as_of) if r.kind == kind]
    day = max((r.as_of for r in rows), default=None) if as_of is None else as_of
    published_rows = [r for r in rows if not r.suppressed]
    metric_rows = sorted(
        (r for r in published_rows if r.metric == metric),
        key=lambda r: (-(r.p50 if r.p50 is not None else -1.0), r.name or ""),
    )
    st.subheader(f"{METRIC_LABELS[metric]} by {kind}")
    if any(r.p50 is not None for r in metric_rows):
        st.plotly_chart(
            charts.cohort_box_figure(metric_rows, metric),
            key=f"{key}_box",
            theme="streamlit",
            config=charts.PLOTLY_CONFIG,
        )
    else:
        st.info(f"No {kind} has the 20 people needed to publish quartiles: sizes only.")
    st.dataframe(
        quantile_table(metric_rows, day), hide_index=True, key=f"{key}_quantiles", width="stretch"
    )
    for r in metric_rows:
        note = figure_date_note(r.as_of, day)
        if note:
            st.text(f"{r.name}: {note}.")

    profile = charts.pillar_profile_table(published_rows)
    if not profile.empty:
        st.subheader("Pillar profiles")
        profile = profile.sort_values("cohort", key=lambda c: c.map(_median_order(metric_rows)))
        st.plotly_chart(
            charts.pillar_profile_figure(profile),
            key=f"{key}_profile",
            theme="streamlit",
            config=charts.PLOTLY_CONFIG,
        )
        st.dataframe(
            profile_display(profile),
            hide_index=True,
            key=f"{key}_profile_table",
            width="stretch",
            column_config={
                PILLAR_SHORT[p]: st.column_config.NumberColumn(help=METRIC_LABELS[p], format="%.1f")
                for p in PILLARS
            },
        )

    st.subheader("Median over time")
    options = [r.name for r in metric_rows if r.name is not None and r.p50 is not None]
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
            charts.cohort_trend_figure(trends, metric, kind=kind),
            key=f"{key}_trend",
            theme="streamlit",
            config=charts.PLOTLY_CONFIG,
        )
    elif not options:
        st.caption(f"No {kind} has published quartiles to draw over time.")
    return list(picked)


#: Short pillar names for narrow tables: the full names ("Establish your professional
#: brand") as headers and cells made the pillar-profile table wider than a 1400 px window.
PILLAR_SHORT: dict[str, str] = {
    "brand": "Brand",
    "people": "People",
    "insights": "Insights",
    "relationships": "Relationships",
}


def profile_display(profile: pd.DataFrame) -> pd.DataFrame:
    """The pillar-profile table as shown: cohort, strongest, weakest, then the four pillar
    medians (rounded to 0.1), all pillars named by :data:`PILLAR_SHORT`."""
    short = {METRIC_LABELS[p]: PILLAR_SHORT[p] for p in PILLARS}
    shown = profile[["cohort", "strongest", "weakest", *PILLARS]].copy()
    for col in ("strongest", "weakest"):
        shown[col] = shown[col].map(lambda v: short.get(v, v))
    return shown.rename(columns=PILLAR_SHORT).round(1)


def _median_order(rows: Sequence[BenchmarkRow]) -> dict[str, int]:
    return {r.name or "Everyone": i for i, r in enumerate(rows)}


def withheld_line(kind: str, names: Sequence[str], k: int) -> str:
    """The one placeholder for every withheld cohort of a page (plain text: names are user
    input). Their people still count in the parent cohorts."""
    parent = "their sector and Everyone" if kind == "network" else "Everyone"
    listed = ", ".join(names[:12]) + (f" and {len(names) - 12} more" if len(names) > 12 else "")
    one = len(names) == 1
    return (
        f"{'Not' if one else f'{len(names)} {kind}s not'} published: {listed} — fewer than "
        f"{k} people (or showing {'it' if one else 'them'} would single out a small group). "
        f"Shown at {parent} instead."
    )


def quantile_table(rows: Iterable[BenchmarkRow], as_of: dt.date | None = None) -> pd.DataFrame:
    """Published quantiles as a readable table (withheld rows are not listed); "as of" is
    the date each figure is from."""
    records = []
    for r in rows:
        if r.suppressed:
            continue
        records.append(
            {
                "cohort": r.name if r.name is not None else "Everyone",
                "people": f"{r.n:,}" if r.n is not None else "",
                **{q: fmt_num(getattr(r, q), 1) for q in charts.QUANTILE_NAMES},
                "as of": r.as_of.isoformat()
                + (" (earlier)" if as_of is not None and r.as_of < as_of else ""),
            }
        )
    return pd.DataFrame(records, columns=["cohort", "people", *charts.QUANTILE_NAMES, "as of"])


#: Depths of LinkedIn's industry hierarchy offered on the Sectors page (1 = top).
LEVELS = {"Industry (as stored)": None, **{f"Industry group, level {n}": n for n in (1, 2, 3, 4)}}


def sector_level_select() -> int | None:
    """The Sectors page's level: each industry (None), or a group level where the smaller
    industries roll up into their group at that depth."""
    label = st.selectbox("Level", list(LEVELS), key="sectors_level")
    return LEVELS[str(label)]
