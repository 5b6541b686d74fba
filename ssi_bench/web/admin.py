"""The admin gate: the configured password, the throttle, the unlock form."""

from __future__ import annotations

import hashlib
import hmac
import os

import streamlit as st

from ssi_bench.admin import Throttle
from ssi_bench.web.state import get_bench

#: Wrong admin passwords allowed before a pause, and the pause in seconds.
ADMIN_TRIES = 3
ADMIN_PAUSE_S = 30.0
NO_PASSWORD_NOTICE = "No admin password set: Upload and Data are open (local use)."  # noqa: S105


# ---------------------------------------------------------------------------- admin gate
def admin_password() -> str | None:
    """The configured admin password: settings / SSI_BENCH_ADMIN_PASSWORD, then secrets."""
    configured = get_bench().settings.admin_password or os.environ.get("SSI_BENCH_ADMIN_PASSWORD")
    if configured:
        return configured
    try:
        secret = st.secrets.get("admin_password")
    except (FileNotFoundError, KeyError, OSError, st.errors.StreamlitSecretNotFoundError):
        return None
    return str(secret) if secret else None


def is_admin() -> bool:
    """Whether admin actions are allowed in this session (always, when no password is set)."""
    expected = admin_password()
    if expected is None:
        return True
    proof = st.session_state.get("admin_ok")
    return isinstance(proof, str) and hmac.compare_digest(proof, _admin_proof(expected))


def _admin_proof(password: str) -> str:
    # The session remembers a digest of the password it was unlocked with, not a bare
    # flag: changing the password locks every open session.
    return hashlib.sha256(b"ssi-bench-admin\0" + password.encode()).hexdigest()


@st.cache_resource
def admin_throttle() -> Throttle:
    """One throttle per server process, so a new browser session does not reset it."""
    return Throttle(ADMIN_TRIES, ADMIN_PAUSE_S)


def _check_admin_password() -> None:
    """on_click of the unlock button: compare in constant time, count failures, pause."""
    expected = admin_password()
    typed = str(st.session_state.get("admin_password_input") or "")
    st.session_state["admin_password_input"] = ""
    if expected is None:
        return
    ok = admin_throttle().attempt(lambda: hmac.compare_digest(typed.encode(), expected.encode()))
    if ok is None:
        return
    if ok:
        st.session_state["admin_ok"] = _admin_proof(expected)
        st.session_state.pop("admin_message", None)
        return
    st.session_state["admin_message"] = "Wrong password."


def require_admin() -> None:
    """Stop the page unless admin actions are allowed.

    No password configured: a visible notice and the page runs open. Otherwise a password
    form; three wrong tries pause further tries for 30 seconds, in every session of the process.
    """
    if admin_password() is None:
        st.info(NO_PASSWORD_NOTICE, icon=":material/lock_open:")
        return
    if is_admin():
        return
    st.subheader("Admin password required")
    remaining = admin_throttle().locked_for()
    if remaining > 0:
        st.error(f"Too many wrong tries: wait {remaining:.0f} seconds before trying again.")
        st.stop()
    if st.session_state.get("admin_message"):
        st.error(st.session_state["admin_message"])
    with st.form("admin_form"):
        st.text_input("Admin password", type="password", key="admin_password_input")
        st.form_submit_button("Unlock", on_click=_check_admin_password, key="admin_unlock")
    st.stop()


def assert_admin() -> bool:
    """Re-check the gate right before a mutating action (a stale page must not act)."""
    if is_admin():
        return True
    st.error("Admin password required for this action.")
    return False
