"""Share links: the app's base URL as the browser sees it, and the "Share this view" button.

The read-only view a link opens is drawn by :mod:`ssi_bench.web.shared_view`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import streamlit as st

from ssi_bench.errors import SSIBenchError
from ssi_bench.web.state import get_bench, show_error

ROOT = Path(__file__).resolve().parents[2]  # ssi_bench/web/sharing.py → the repository
PAGES_DIR = ROOT / "pages"


# ---------------------------------------------------------------------------- share links
def _page_slugs() -> set[str]:
    slugs = set()
    for page in PAGES_DIR.glob("*.py"):
        slugs.add(re.sub(r"^\d+_", "", page.stem))
    return slugs


def share_base_url() -> str:
    """The app's root URL as the browser sees it, or "" (a relative link) when unknown."""
    url = None
    try:
        url = st.context.url
    except Exception:  # no session context (bare mode): fall back to a relative link
        url = None
    if not url:
        return ""
    parts = urlsplit(url)
    path = parts.path.rstrip("/")
    last = path.rsplit("/", 1)[-1] if path else ""
    if last in _page_slugs():
        path = path[: -len(last)].rstrip("/")
    return f"{parts.scheme}://{parts.netloc}{path}"


def share_link(token: str) -> str:
    base = share_base_url()
    return f"{base}/?share={token}" if base else f"?share={token}"


def share_button(view: dict[str, Any], person_key: str | None = None, key: str = "share") -> None:
    """A "Share this view" button; once pressed, the link to copy."""
    state_key = f"{key}_link"
    if st.button("Share this view", key=f"{key}_button", icon=":material/link:"):
        try:
            token = get_bench().share_create(view, person_key=person_key)
        except SSIBenchError as exc:
            show_error(exc)
            return
        st.session_state[state_key] = {"view": view, "link": share_link(token)}
    shared = st.session_state.get(state_key)
    if shared and shared.get("view") == view:
        days = get_bench().settings.share_days
        st.caption(
            f"Anyone on your network with this link sees this view, read-only, for {days} "
            "days (an admin can revoke it on the Data page)."
        )
        st.code(shared["link"], language=None)
