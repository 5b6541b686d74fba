"""Home: what SSI Bench is, what data it holds, and "check my score" (nothing stored)."""

from __future__ import annotations

import streamlit as st

from ssi_bench.errors import SSIBenchError
from ssi_bench.web.access import open_mode_notice
from ssi_bench.web.format import date_range, fmt_num
from ssi_bench.web.sectors_admin import show_linkedin_wide
from ssi_bench.web.state import get_bench, show_error, status, stop_with
from ssi_bench.web.viewer import current_viewer
from ssi_bench.web.widgets import pillar_inputs, render_standing, sector_options


def render() -> None:
    """The Home page (after :func:`ssi_bench.web.frame.page_setup`)."""
    bench = get_bench()
    k = bench.settings.min_cohort

    st.title("SSI Bench")
    st.markdown(
        "SSI Bench compares LinkedIn Social Selling Index scores with your sector, your network "
        "and everyone in your own uploads — for the total and each of the four pillars. "
        "Identities never enter the database: people are stored under keyed hashes, and no "
        f"number is shown for a group of fewer than {k} people."
    )

    s = status()
    if s.is_empty:
        st.info("No data yet. An admin can upload a CSV or Excel export on the Upload page.")
        st.page_link("pages/1_Upload.py", label="Upload scores", icon=":material/upload:")
    else:
        cols = st.columns(4)
        cols[0].metric("People", f"{s.people:,}")
        cols[1].metric("Sectors", f"{s.sectors:,}")
        cols[2].metric("Networks", f"{s.networks:,}")
        cols[3].metric("Uploads", f"{s.uploads:,}")
        st.text(date_range(s).capitalize())
        if s.is_demo:
            st.warning(
                f"This includes synthetic demo data ({s.demo_rows:,} rows), not real people. "
                "An admin can remove it in one click on the Data page.",
                icon=":material/science:",
            )
            st.page_link(
                "pages/7_Data.py",
                label="Remove demo data (Data page)",
                icon=":material/delete_sweep:",
            )

    st.header("Check my score")
    open_mode_notice(current_viewer())  # open mode: anyone can look anyone up (says so)
    if s.is_empty:
        stop_with("Once scores are uploaded, you can type yours here and see where you stand.")
    st.caption(
        "Type your four pillar scores from LinkedIn's SSI page, or only the total. "
        "Nothing is stored."
    )
    pillars = pillar_inputs("check")
    total = st.number_input(
        "…or your total SSI (used when no pillar is typed)",
        min_value=0.0,
        max_value=100.0,
        value=None,
        step=0.01,
        format="%.2f",
        key="check_total",
        placeholder="0–100",
    )
    sectors = sector_options()
    sector = st.selectbox(
        "Your sector", sectors, index=None, key="check_sector", placeholder="Pick a sector"
    )

    if pillars is None and total is None:
        st.caption("Your standing appears here once you type a score.")
    else:
        try:
            score_args = {"pillars": pillars} if pillars is not None else {"score": total}
            typed = sum(pillars) if pillars is not None else float(total or 0)
            st.metric("Your SSI", fmt_num(typed), help=bench.settings.band(typed))
            st.text(f"Band: {bench.settings.band(typed)}")
            c1, c2 = st.columns(2)
            with c1:
                if sector is not None:
                    standing = bench.percentile(cohort="sector", sector=sector, **score_args)
                    render_standing(f"Sector — {sector}", standing, k)
                    show_linkedin_wide(lambda: standing)
                else:
                    st.caption("Pick a sector to see your standing in it.")
            with c2:
                render_standing("Everyone", bench.percentile(cohort="all", **score_args), k)
        except SSIBenchError as exc:
            show_error(exc)

    st.divider()
    st.page_link("pages/2_My_benchmark.py", label="Your full benchmark", icon=":material/target:")
    st.page_link("pages/4_Sectors.py", label="Compare sectors", icon=":material/factory:")
