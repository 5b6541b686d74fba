"""The frame of every page: page config, who is viewing (sign-in, private link, open mode),
a share link's view instead of the page, the sidebar, the role gate.

Every page script calls :func:`page_setup` first, then its page module's ``render()``.
"""

from __future__ import annotations

import streamlit as st

from ssi_bench.api import Bench
from ssi_bench.errors import SSIBenchError
from ssi_bench.identity import Viewer
from ssi_bench.web.access import gate, in_navigation, render_identity, resolve_viewer
from ssi_bench.web.admin import admin_password, is_admin
from ssi_bench.web.format import date_range
from ssi_bench.web.shared_view import render_shared_view
from ssi_bench.web.state import bench_or_stop, status

#: The navigation: (script relative to app.py, label, icon, PAGE_ROLES slug). Drawn by
#: :func:`sidebar` because the automatic navigation would label the home page "app" and
#: list pages a viewer may not use.
PAGES: tuple[tuple[str, str, str, str], ...] = (
    ("app.py", "Home", ":material/home:", "home"),
    ("pages/1_Upload.py", "Upload", ":material/upload:", "upload"),
    ("pages/2_My_benchmark.py", "My benchmark", ":material/target:", "my_benchmark"),
    ("pages/3_Trends.py", "Trends", ":material/trending_up:", "trends"),
    ("pages/4_Sectors.py", "Sectors", ":material/factory:", "sectors"),
    ("pages/5_Networks.py", "Networks", ":material/hub:", "networks"),
    ("pages/6_Outcomes.py", "Outcomes", ":material/insights:", "outcomes"),
    ("pages/7_Data.py", "Data", ":material/database:", "data"),
)
#: Page title (as each page script passes it to page_setup) → its PAGE_ROLES slug.
SLUGS: dict[str, str] = {label: slug for _path, label, _icon, slug in PAGES}


# ---------------------------------------------------------------------------- page frame
def page_setup(title: str, icon: str = ":material/bar_chart:") -> Bench:
    """Start a page: config, who is viewing, the shared view when ``?share=`` is present,
    the sidebar, the role gate.

    Returns the bench. Stops the page (``st.stop``) with the sign-in page when sign-in is
    configured and nobody is signed in (shares included: a link pasted outside the
    organisation shows only that); with the shared view (or its one "not valid" message)
    when the URL carries a share token; with a refusal when the viewer's role may not use
    the page. A title missing from :data:`SLUGS` is refused to everyone.
    """
    st.set_page_config(page_title=f"{title} · SSI Bench", page_icon=icon, layout="wide")
    bench = bench_or_stop()
    viewer = resolve_viewer(bench)
    token = st.query_params.get("share")
    if token:
        render_shared_view(bench, token)
        st.stop()
    sidebar(bench, viewer)
    gate(viewer, SLUGS.get(title, ""))
    return bench


def sidebar(bench: Bench, viewer: Viewer) -> None:
    """The viewer's navigation, who they are (sign-out), data status and admin state."""
    with st.sidebar:
        for path, label, icon, slug in PAGES:
            if in_navigation(viewer, slug):
                st.page_link(path, label=label, icon=icon)
        st.divider()
        render_identity(viewer)
        if bench.store.recovery_note and viewer.is_admin:
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
        if viewer.kind not in ("open", "password_admin"):
            return  # the shared password exists only without sign-in and links
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
