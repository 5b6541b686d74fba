"""My benchmark: your standing per metric in your sector, your network and everyone."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd
import streamlit as st

from ssi_bench import charts, wording
from ssi_bench.errors import SSIBenchError
from ssi_bench.fields import METRIC_LABELS, METRICS, PILLARS
from ssi_bench.model import BenchmarkRow, MyBenchmark
from ssi_bench.web.format import (
    cohort_label,
    figure_date_note,
    fmt_num,
    fmt_pct,
    safe_md,
    score_band_caption,
)
from ssi_bench.web.sectors_admin import show_linkedin_wide
from ssi_bench.web.sharing import share_button
from ssi_bench.web.state import cohort_names, get_bench, status, stop_with
from ssi_bench.web.widgets import (
    as_of_input,
    identify_widget,
    render_standing,
    score_inputs,
    sector_options,
    show_person_error,
    typed_values,
)

KIND_LABELS: dict[str, str] = {
    "sector": "Your sector",
    "network": "Your network",
    "all": "Everyone",
}


#: The order of the cohorts on every chart and list, live and shared alike.
KIND_ORDER: tuple[str, ...] = ("sector", "network", "all")


def render() -> None:
    """The My benchmark page (after :func:`ssi_bench.web.frame.page_setup`)."""
    bench = get_bench()
    k = bench.settings.min_cohort

    st.title("My benchmark")
    if status().is_empty:
        stop_with("No data yet: scores must be uploaded first.")

    modes = ["My identifier", "Type my scores"]
    if "mb_mode" not in st.session_state and typed_values():
        st.session_state["mb_mode"] = "Type my scores"  # came from Home with typed scores
    c1, c2 = st.columns([2, 1])
    with c1:
        mode = st.segmented_control(
            "Identify by", modes, default="My identifier", key="mb_mode", required=True
        )
    with c2:
        as_of = as_of_input()

    try:
        if mode == "Type my scores":
            typed = score_inputs("mb")
            c1, c2 = st.columns(2)
            sector = c1.selectbox(
                "Sector", sector_options(as_of), index=None, key="mb_sector", placeholder="Pick"
            )
            network = c2.selectbox(
                "Network (optional)",
                [c.name for c in cohort_names("network", as_of)],
                index=None,
                key="mb_network",
                placeholder="Pick",
            )
            if typed.empty:
                stop_with("Type your four pillar scores from LinkedIn's SSI page, or the total.")
            if not typed.usable:
                st.caption("No result while a field above needs correcting.")
                st.stop()
            mb = bench.my_benchmark(
                **typed.score_args(), sector=sector, network=network, as_of=as_of
            )
            render_my_benchmark(mb, k, asked=as_of)
            view = {
                "page": "my_benchmark",
                "pillars": None if typed.pillars is None else list(typed.pillars),
                "score": typed.total,
                "sector": sector,
                "network": network,
                "as_of": mb.as_of.isoformat(),
            }
            share_button(view, key="mb_share")
        else:
            person_key = identify_widget()
            if person_key is None:
                st.stop()
            mb = bench.my_benchmark(person_key=person_key, as_of=as_of)
            render_my_benchmark(mb, k, asked=as_of)
            share_button(
                # The link freezes what you see now (gated figures, no identifier), and
                # whether the synthetic demo rows were counted in them.
                {
                    "page": "my_benchmark",
                    "as_of": mb.as_of.isoformat(),
                    "snapshot": mb.to_dict(),
                    "demo": status().is_demo,
                },
                person_key=person_key,
                key="mb_share",
            )
    except SSIBenchError as exc:
        show_person_error(exc)  # one reply for a typed identifier, found or not


def _name(mb: MyBenchmark, kind: str) -> str | None:
    return mb.sector if kind == "sector" else mb.network if kind == "network" else None


def render_my_benchmark(
    mb: MyBenchmark,
    k: int,
    key: str = "mb",
    asked: dt.date | None = None,
    shared: bool = False,
    demo: bool | None = None,
) -> None:
    """Everything on My benchmark for one result (also used for a shared personal view).

    The summary (score, band, the total's standing in each cohort) comes first so that it
    fits a phone's first screen; per-metric charts follow. ``shared``: words for a
    recipient ("the score", not "your score"). ``demo``: whether the figures count the
    synthetic demo rows (says so under the summary); None: whether they are loaded now —
    a frozen share passes what held when it was shared.
    """
    you = "The" if shared else "Your"
    ssi = mb.scores.get("ssi")
    st.subheader(f"{you} SSI: {fmt_num(ssi)}" + (f" · {mb.band}" if mb.band else ""))
    st.text(
        f"As of {mb.as_of.isoformat()} · sector: {mb.sector or '—'} · network: {mb.network or '—'}"
    )
    if asked is not None and asked != mb.as_of:
        st.caption(
            f"{asked.isoformat()} is not a publication date: figures are as of "
            f"{mb.as_of.isoformat()}."
        )
    if status().is_demo if demo is None else demo:
        st.caption(DEMO_NOTE)
    ssi_standings = mb.standings.get("ssi", {})
    for kind in KIND_ORDER:
        standing = ssi_standings.get(kind)
        if standing is not None:
            name = _name(mb, kind)
            render_standing(
                f"{KIND_LABELS[kind]}" + (f" — {name}" if name else ""),
                standing,
                k,
                listed=[s.cohort for s in ssi_standings.values()],
            )
    if mb.band:
        st.caption(score_band_caption(get_bench().settings.bands))

    metrics = [m for m in METRICS if m in mb.standings]
    tabs = st.tabs([METRIC_LABELS[m] for m in metrics])
    for tab, metric in zip(tabs, metrics, strict=True):
        with tab:
            score = mb.scores.get(metric)
            if metric != "ssi":
                st.text(f"{you} {METRIC_LABELS[metric]}: {fmt_num(score)} of 25")
                for kind in KIND_ORDER:
                    standing = mb.standings[metric].get(kind)
                    if standing is None:
                        continue
                    name = _name(mb, kind)
                    render_standing(
                        f"{KIND_LABELS[kind]}" + (f" — {name}" if name else ""),
                        standing,
                        k,
                        listed=[s.cohort for s in mb.standings[metric].values()],
                    )
            cohorts = [
                (cohort_label(kind, _name(mb, kind)), mb.quantiles[kind][metric])
                for kind in KIND_ORDER
                if metric in mb.quantiles.get(kind, {})
            ]
            published = [(label, row) for label, row in cohorts if row.p50 is not None]
            if published:
                st.plotly_chart(
                    charts.distribution_figure(published, score, metric),
                    key=f"{key}_dist_{metric}",
                    theme="streamlit",
                    config=charts.PLOTLY_CONFIG,
                )
            placeholders = quantile_placeholders(cohorts, k, mb.as_of)
            for line in placeholders:
                st.caption(safe_md(line))

    if any(mb.scores.get(p) is not None for p in PILLARS):
        medians = [
            (cohort_label(kind, _name(mb, kind)),
             {p: mb.quantiles[kind][p].p50 for p in PILLARS if p in mb.quantiles[kind]})
            for kind in KIND_ORDER
            if kind in mb.quantiles
        ]  # fmt: skip
        kinds = [kind for kind in KIND_ORDER if kind in mb.quantiles]
        st.subheader(f"{you} pillars")
        gap = pillar_gap(mb)
        behind = mb.weakest_pillar if gap is not None and gap > 0 else None
        st.plotly_chart(
            charts.pillar_figure(mb.scores, medians, behind, kinds=kinds),
            key=f"{key}_pillars",
            theme="streamlit",
            config=charts.PLOTLY_CONFIG,
        )
        if behind is not None and gap is not None:
            st.markdown(
                f"Furthest behind the cohort median: **{METRIC_LABELS[behind]}** "
                f"({gap:.2f} points below)."
            )
        elif gap is not None:
            st.markdown("At or above the cohort median on every pillar.")

    show_linkedin_wide(lambda: mb)  # LinkedIn-wide, estimated from captured ranks
    if mb.linkedin:
        st.subheader("LinkedIn's figures next to ours")
        st.dataframe(linkedin_table(mb), hide_index=True, key=f"{key}_linkedin")
        st.caption(
            "LinkedIn ranks you against all its members in your industry and your LinkedIn "
            "network; SSI Bench ranks you against the people in your upload."
        )


#: Under every figure that counts the synthetic demo rows.
DEMO_NOTE = (
    "These figures include the synthetic demo data (made-up people, not your colleagues) "
    "while it is loaded."
)


#: The way a withheld cohort's figure falls back, most specific first (the display order,
#: :data:`KIND_ORDER`, puts the sector first, so it cannot stand for this).
FALLBACK_ORDER: tuple[str, ...] = ("network", "sector", "all")


def quantile_placeholders(
    cohorts: Sequence[tuple[str, BenchmarkRow]], k: int, as_of: dt.date
) -> list[str]:
    """One plain-text line per cohort not drawn (no published median) naming the cohort its
    people are drawn at instead — the next published one up the fallback chain network →
    sector → everyone, whatever order ``cohorts`` are listed in — plus one per figure from
    an earlier date than ``as_of``. No parent is named when none above it is drawn."""
    rank = {kind: i for i, kind in enumerate(FALLBACK_ORDER)}
    lines = []
    for label, row in cohorts:
        if row.p50 is None:
            above = sorted(
                (rank.get(r.kind, len(rank)), lb)
                for lb, r in cohorts
                if r.p50 is not None and rank.get(r.kind, len(rank)) > rank.get(row.kind, 0)
            )
            parent = above[0][1] if above else None
            if row.n is not None:
                why = f"{label}: quartiles need 20 people ({row.n:,} here)"
            else:
                why = f"{label}: fewer than {k} people (or it would single out a small group)"
            lines.append(why + (f" — shown at {parent} instead." if parent else "."))
        else:
            note = figure_date_note(row.as_of, as_of)
            if note:
                lines.append(f"{label}: {note}.")
    return lines


def pillar_gap(mb: MyBenchmark) -> float | None:
    """Points by which the weakest pillar trails the median it was judged against
    (sector, else everyone — as the library chooses it); negative when ahead."""
    if mb.weakest_pillar is None:
        return None
    mine = mb.scores.get(mb.weakest_pillar)
    for kind in ("sector", "all"):
        row = mb.quantiles.get(kind, {}).get(mb.weakest_pillar)
        if row is not None and row.p50 is not None and mine is not None:
            return float(row.p50 - mine)
    return None


def linkedin_table(mb: MyBenchmark) -> pd.DataFrame:
    """LinkedIn's own ranks and averages beside SSI Bench's, as a text table."""
    rows: list[dict[str, str]] = []

    def ours_top(kind: str) -> str:
        s = mb.standings.get("ssi", {}).get(kind)
        if s is None or s.suppressed or s.top_percent is None:
            return "not published" if s is not None else "–"
        if s.percentile is not None:
            return wording.exact(s.top_percent, s.percentile)
        return wording.banded(int(s.top_percent))

    li = mb.linkedin
    if "industry_rank" in li:
        rows.append(
            {
                "figure": "Industry / sector rank",
                "LinkedIn": f"Top {fmt_pct(li['industry_rank'])}",
                "SSI Bench (your upload)": ours_top("sector"),
            }
        )
    if "network_rank" in li:
        rows.append(
            {
                "figure": "Network rank",
                "LinkedIn": f"Top {fmt_pct(li['network_rank'])}",
                "SSI Bench (your upload)": ours_top("network"),
            }
        )
    for group, kind in (("industry", "sector"), ("network", "network")):
        for metric in METRICS:
            col = f"{group}_avg_{metric}"
            if col not in li:
                continue
            row = mb.quantiles.get(kind, {}).get(metric)
            ours = (
                fmt_num(row.p50) + " (median)" if row is not None and row.p50 is not None else "–"
            )
            rows.append(
                {
                    "figure": f"{group.capitalize()} average · {METRIC_LABELS[metric]}",
                    "LinkedIn": fmt_num(li[col]),
                    "SSI Bench (your upload)": ours,
                }
            )
    return pd.DataFrame(rows, columns=["figure", "LinkedIn", "SSI Bench (your upload)"])
