"""Home: what SSI Bench is, what data it holds, and "check my score" (nothing stored)."""

from __future__ import annotations

import streamlit as st

from ssi_bench.errors import SSIBenchError
from ssi_bench.pseudonym import person_key
from ssi_bench.web.access import is_open_mode, open_mode_notice, project_secret
from ssi_bench.web.format import date_range, fmt_num, score_band_caption
from ssi_bench.web.sectors_admin import show_linkedin_wide
from ssi_bench.web.state import get_bench, show_error, status, stop_with
from ssi_bench.web.viewer import current_viewer
from ssi_bench.web.widgets import render_standing, score_inputs, sector_options, typed_values


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
        # One line, not four metric tiles: on a phone the tiles filled the first screen.
        st.text(
            f"{s.people:,} people · {s.sectors:,} sectors · {s.networks:,} networks · "
            f"{s.uploads:,} uploads · {date_range(s)}"
        )
        if s.is_demo:
            st.warning(
                f"This includes synthetic demo data ({s.demo_rows:,} rows), not real people: "
                "every figure on these pages counts them. An admin can remove it on the Data "
                "page.",
                icon=":material/science:",
            )
            viewer = current_viewer()
            if viewer is None or is_open_mode(viewer):
                st.button(
                    "Try as a demo person",
                    key="try_demo",
                    icon=":material/science:",
                    on_click=_try_demo,
                    help=f"Looks up the synthetic person {DEMO_PERSON} on My benchmark.",
                )
                if st.session_state.pop("demo_tried", False):
                    st.switch_page("pages/2_My_benchmark.py")

    st.header("Check my score")
    open_mode_notice(current_viewer())  # open mode: anyone can look anyone up (says so)
    if s.is_empty:
        stop_with("Once scores are uploaded, you can type yours here and see where you stand.")
    st.caption(
        "Type your four pillar scores from LinkedIn's SSI page (a decimal comma or point), "
        "or only the total. Nothing is stored."
    )
    typed = score_inputs("check")
    sectors = sector_options()
    sector = st.selectbox(
        "Your sector", sectors, index=None, key="check_sector", placeholder="Pick a sector"
    )

    if typed.empty:
        st.caption("Your standing appears here once you type a score.")
    elif typed.usable:
        ssi = typed.ssi or 0.0
        band = bench.settings.band(ssi)
        st.text(f"Your SSI: {fmt_num(ssi)} · band: {band}")
        st.caption(score_band_caption(bench.settings.bands))
        try:
            c1, c2 = st.columns(2)
            with c1:
                if sector is not None:
                    standing = bench.percentile(
                        cohort="sector", sector=sector, **typed.score_args()
                    )
                    render_standing(f"Sector — {sector}", standing, k)
                    show_linkedin_wide(lambda: standing)
                else:
                    st.caption("Pick a sector to see your standing in it.")
            with c2:
                render_standing("Everyone", bench.percentile(cohort="all", **typed.score_args()), k)
            st.caption(
                "A typed score is compared with the published quartiles only, so it gets a "
                "Top-X% range, not an exact rank."
                + (" The figures include the synthetic demo data." if s.is_demo else "")
            )
        except SSIBenchError as exc:
            show_error(exc)
    else:
        st.caption("No standing while a field above needs correcting.")

    st.divider()
    st.page_link(
        "pages/2_My_benchmark.py",
        label="Your full benchmark",
        icon=":material/target:",
        # Scores only (no identifier), so the typed values survive a reload there too.
        query_params=typed_values(),
    )
    st.page_link("pages/4_Sectors.py", label="Compare sectors", icon=":material/factory:")


#: A documented demo identifier (README, "Try it on the demo"): see ssi_bench/demo.py.
DEMO_PERSON = "demo-0001@demo.invalid"


def _try_demo() -> None:
    """on_click: look the demo person up as if their identifier had been typed."""
    st.session_state["person_key"] = person_key(project_secret(get_bench()), DEMO_PERSON)
    st.session_state.pop("identify_error", None)
    st.session_state["mb_mode"] = "My identifier"
    st.session_state["demo_tried"] = True
