"""My benchmark: your standing per metric in your sector, your network and everyone."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ssi_bench import charts, wording
from ssi_bench.errors import SSIBenchError
from ssi_bench.fields import METRIC_LABELS, METRICS, PILLARS
from ssi_bench.model import MyBenchmark
from ssi_bench.web.format import cohort_label, fmt_num, fmt_pct, safe_md
from ssi_bench.web.sectors_admin import show_linkedin_wide
from ssi_bench.web.sharing import share_button
from ssi_bench.web.state import cohort_names, get_bench, status, stop_with
from ssi_bench.web.widgets import (
    as_of_input,
    identify_widget,
    pillar_inputs,
    render_standing,
    sector_options,
    show_person_error,
)

KIND_LABELS: dict[str, str] = {
    "sector": "Your sector",
    "network": "Your network",
    "all": "Everyone",
}


def render() -> None:
    """The My benchmark page (after :func:`ssi_bench.web.frame.page_setup`)."""
    bench = get_bench()
    k = bench.settings.min_cohort

    st.title("My benchmark")
    if status().is_empty:
        stop_with("No data yet: scores must be uploaded first.")

    as_of = as_of_input()
    mode = st.segmented_control(
        "Identify by",
        ["My identifier", "Type my scores"],
        default="My identifier",
        key="mb_mode",
        required=True,
    )

    try:
        if mode == "Type my scores":
            pillars = pillar_inputs("mb")
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
            if pillars is None:
                stop_with("Type your four pillar scores from LinkedIn's SSI page.")
            mb = bench.my_benchmark(pillars=pillars, sector=sector, network=network, as_of=as_of)
            render_my_benchmark(mb, k)
            view = {
                "page": "my_benchmark",
                "pillars": list(pillars),
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
            render_my_benchmark(mb, k)
            share_button(
                # The link freezes what you see now (gated figures, no identifier).
                {"page": "my_benchmark", "as_of": mb.as_of.isoformat(), "snapshot": mb.to_dict()},
                person_key=person_key,
                key="mb_share",
            )
    except SSIBenchError as exc:
        show_person_error(exc)  # one reply for a typed identifier, found or not


def render_my_benchmark(mb: MyBenchmark, k: int, key: str = "mb") -> None:
    """Everything on My benchmark for one result (also used for a shared personal view)."""
    top = st.columns([1, 1.6, 1.3, 1])
    top[0].metric("SSI", fmt_num(mb.scores.get("ssi")))
    top[1].metric("Band", mb.band or "–")
    top[2].metric("As of", mb.as_of.isoformat())
    top[3].metric("Minimum cohort size", f"{k}")
    st.text(f"Sector: {mb.sector or '—'}    Network: {mb.network or '—'}")

    tabs = st.tabs([METRIC_LABELS[m] for m in METRICS if m in mb.standings])
    for tab, metric in zip(tabs, [m for m in METRICS if m in mb.standings], strict=True):
        with tab:
            score = mb.scores.get(metric)
            c1, c2 = st.columns([1, 3])
            c1.metric("Your score", fmt_num(score))
            if metric == "ssi":
                c1.caption(f"Band: {mb.band}")
            with c2:
                for kind in ("sector", "network", "all"):
                    standing = mb.standings[metric].get(kind)
                    if standing is None:
                        continue
                    name = (
                        mb.sector if kind == "sector" else mb.network if kind == "network" else None
                    )
                    render_standing(
                        f"{KIND_LABELS[kind]}" + (f" — {name}" if name else ""), standing, k
                    )
            cohorts = [
                (cohort_label(kind, mb.sector if kind == "sector" else mb.network), rows[metric])
                for kind, rows in mb.quantiles.items()
                if metric in rows
            ]
            st.plotly_chart(
                charts.distribution_figure(cohorts, score, metric),
                key=f"{key}_dist_{metric}",
                theme="streamlit",
            )
            withheld = [label for label, row in cohorts if row.p25 is None]
            if withheld:
                st.caption(
                    "Quartiles are shown only for cohorts of 20 or more people; withheld for: "
                    + ", ".join(safe_md(w) for w in withheld)
                )

    if any(mb.scores.get(p) is not None for p in PILLARS):
        medians = [
            (cohort_label(kind, mb.sector if kind == "sector" else mb.network),
             {p: rows[p].p50 for p in PILLARS if p in rows})
            for kind, rows in mb.quantiles.items()
        ]  # fmt: skip
        st.subheader("Your pillars")
        gap = pillar_gap(mb)
        behind = mb.weakest_pillar if gap is not None and gap > 0 else None
        st.plotly_chart(
            charts.pillar_figure(mb.scores, medians, behind),
            key=f"{key}_pillars",
            theme="streamlit",
        )
        if behind is not None and gap is not None:
            st.markdown(
                f"Furthest behind the cohort median: **{METRIC_LABELS[behind]}** "
                f"({gap:.2f} points below)."
            )
        elif gap is not None:
            st.markdown("You are at or above the cohort median on every pillar.")

    show_linkedin_wide(lambda: mb)  # LinkedIn-wide, estimated from captured ranks
    if mb.linkedin:
        st.subheader("LinkedIn's figures next to ours")
        st.dataframe(linkedin_table(mb), hide_index=True, key=f"{key}_linkedin")
        st.caption(
            "LinkedIn ranks you against all its members in your industry and your LinkedIn "
            "network; SSI Bench ranks you against the people in your upload."
        )


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
        return f"Top {wording.pct(s.top_percent)}%"

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
