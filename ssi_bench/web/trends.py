"""Trends: your score over time against your sector's median and middle half."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ssi_bench import charts, trends, wording
from ssi_bench.errors import SSIBenchError
from ssi_bench.web.format import fmt_num, score_band_caption
from ssi_bench.web.my_benchmark import DEMO_NOTE
from ssi_bench.web.sectors_admin import show_linkedin_wide
from ssi_bench.web.sharing import share_button
from ssi_bench.web.state import get_bench, status, stop_with
from ssi_bench.web.widgets import identify_widget, metric_select, show_person_error


def render() -> None:
    """The Trends page (after :func:`ssi_bench.web.frame.page_setup`)."""
    bench = get_bench()

    st.title("Trends")
    if status().is_empty:
        stop_with("No data yet: scores must be uploaded first.")

    person_key = identify_widget()
    if person_key is None:
        st.stop()
    metric = metric_select()
    try:
        trend = bench.trend(person_key=person_key, metric=metric)
        render_trend(trend, metric)
        show_linkedin_wide(lambda: bench.percentile(person_key=person_key, cohort="all"))
        share_button(
            # The link freezes the gated rows shown now: never recomputed, no later data.
            {
                "page": "trends",
                "metric": metric,
                "snapshot": trends.trend_snapshot(trend),
                "demo": status().is_demo,  # did the sector's figures count demo rows
            },
            person_key=person_key,
            key="tr_share",
        )
    except SSIBenchError as exc:
        show_person_error(exc)  # one reply for a typed identifier, found or not


def latest_standing_words(row: pd.Series) -> str:
    """The latest sector standing of a trend row in :mod:`ssi_bench.wording`'s words (the
    same sentence My benchmark uses), or why there is none."""
    pct, top = row.get("percentile"), row.get("top_percent")
    if pct is not None and not pd.isna(pct) and top is not None and not pd.isna(top):
        return wording.exact(float(top), float(pct))
    if top is not None and not pd.isna(top):
        return f"{wording.banded(int(top))} (a band: fewer than 30 people)"
    return "not published on that date (the sector is too small)"


def render_trend(
    trend: pd.DataFrame, metric: str, key: str = "trend", demo: bool | None = None
) -> None:
    """A person's own history against their sector's band; drops marked. ``demo``: whether
    the sector's figures count the synthetic demo rows (None: whether they are loaded now;
    a frozen share passes what held when it was shared)."""
    if trend.empty:
        st.info("No snapshots for this metric yet.")
        return
    last = trend.iloc[-1]
    drops_n = int(trend["drop"].fillna(False).sum())
    st.text(
        f"Latest score {fmt_num(last['score'])} on {str(last['snapshot_date'])[:10]} · "
        f"{len(trend):,} snapshots · {drops_n:,} drops of 5+ points"
    )
    st.text(f"Latest standing in your sector: {latest_standing_words(last)}")
    if status().is_demo if demo is None else demo:
        st.caption(DEMO_NOTE)
    bands = get_bench().settings.bands
    st.plotly_chart(
        charts.trend_figure(trend, metric, thresholds=bands),
        key=f"{key}_line",
        theme="streamlit",
        config=charts.PLOTLY_CONFIG,
    )
    if metric == "ssi":
        st.caption(score_band_caption(bands) + " (dotted lines).")
    if trend["percentile"].notna().any():
        st.plotly_chart(
            charts.percentile_figure(trend),
            key=f"{key}_pct",
            theme="streamlit",
            config=charts.PLOTLY_CONFIG,
        )
    else:
        st.caption("No exact percentile history: your sector was below 30 people at every date.")
    drops = trend[trend["drop"].fillna(False).astype(bool)]
    if len(drops):
        st.caption(
            "Drops of 5 points or more between consecutive snapshots (the SSI falls when "
            "you are inactive on LinkedIn, e.g. on holiday):"
        )
        st.dataframe(drops[["snapshot_date", "score"]], hide_index=True, key=f"{key}_drops")
