"""The frame of every page: page config, a share link's view instead of the page, the sidebar.

Every page script calls :func:`page_setup` first, then its page module's ``render()``.
"""

from __future__ import annotations

import streamlit as st

from ssi_bench.api import Bench
from ssi_bench.errors import SSIBenchError
from ssi_bench.web.admin import admin_password, is_admin
from ssi_bench.web.format import date_range
from ssi_bench.web.shared_view import render_shared_view
from ssi_bench.web.state import bench_or_stop, status

#: The navigation: (script relative to app.py, label, icon). Drawn by :func:`sidebar`
#: because the automatic navigation would label the home page "app".
PAGES: tuple[tuple[str, str, str], ...] = (
    ("app.py", "Home", ":material/home:"),
    ("pages/1_Upload.py", "Upload", ":material/upload:"),
    ("pages/2_My_benchmark.py", "My benchmark", ":material/target:"),
    ("pages/3_Trends.py", "Trends", ":material/trending_up:"),
    ("pages/4_Sectors.py", "Sectors", ":material/factory:"),
    ("pages/5_Networks.py", "Networks", ":material/hub:"),
    ("pages/6_Outcomes.py", "Outcomes", ":material/insights:"),
    ("pages/7_Data.py", "Data", ":material/database:"),
)


# ---------------------------------------------------------------------------- page frame
def page_setup(title: str, icon: str = ":material/bar_chart:") -> Bench:
    """Start a page: config, the shared view when ``?share=`` is present, the sidebar.

    Returns the bench. When the URL carries a share token the shared view (or the one
    "not valid" message) is rendered instead and the page stops here.
    """
    st.set_page_config(page_title=f"{title} · SSI Bench", page_icon=icon, layout="wide")
    bench = bench_or_stop()
    token = st.query_params.get("share")
    if token:
        render_shared_view(bench, token)
        st.stop()
    sidebar(bench)
    return bench


def sidebar(bench: Bench) -> None:
    """Data status and admin state, on every page."""
    with st.sidebar:
        for path, label, icon in PAGES:
            st.page_link(path, label=label, icon=icon)
        st.divider()
        if bench.store.recovery_note:
            st.warning(bench.store.recovery_note, icon=":material/history:")
        try:
            s = status()
        except SSIBenchError as exc:
            st.error(str(exc))
            return
        st.caption("Data")
        if s.is_empty:
            st.text("No data yet.")
        else:
            st.text(
                f"{s.people:,} people · {s.sectors:,} sectors · {s.networks:,} networks\n"
                f"{date_range(s)}"
            )
            if s.is_demo:
                st.warning(
                    "Demo data (synthetic). Remove it on the Data page.", icon=":material/science:"
                )
        st.caption("Admin")
        if admin_password() is None:
            st.text("Open (no admin password set)")
        elif is_admin():
            st.text("Unlocked")
            if st.button("Lock admin", key="sidebar_lock_admin"):
                st.session_state.pop("admin_ok", None)
                st.rerun()
        else:
            st.text("Locked")
