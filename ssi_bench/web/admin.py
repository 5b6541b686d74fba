"""The admin gate: who may act as admin, the shared password (installations without
sign-in only), its per-session back-off, the unlock form.

With ``[auth]`` configured, admin rights come only from the signed-in viewer's role
(:mod:`ssi_bench.identity`); the shared password is not accepted. A private link never
grants them. Without sign-in: no password set → the local install is open; a password set
→ this form, backed off per browser session and client address (never server-wide, so a
stranger hammering the form cannot lock the real admin out).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets

import streamlit as st

from ssi_bench import audit
from ssi_bench.identity import PASSWORD_ADMIN, Throttle
from ssi_bench.web.state import get_bench
from ssi_bench.web.viewer import auth_configured, current_viewer

#: Wrong admin passwords allowed before a pause, and the first pause in seconds (it doubles
#: with every further wrong try, up to ADMIN_MAX_PAUSE_S).
ADMIN_TRIES = 3
ADMIN_PAUSE_S = 30.0
ADMIN_MAX_PAUSE_S = 900.0
NO_PASSWORD_NOTICE = "No admin password set: Upload and Data are open (local use)."  # noqa: S105
ADMIN_ONLY = (
    "This is for SSI Bench administrators. If you need it, ask your SSI Bench administrator."
)
_SESSION_ID_KEY = "_throttle_session"


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


def _role_decides() -> bool:
    """Whether admin rights come from the viewer's role, not from the password: under
    sign-in, and for a private link (never admin)."""
    viewer = current_viewer()
    return auth_configured() or (viewer is not None and viewer.kind == "link")


def password_unlocked() -> bool:
    """Whether this session typed the current admin password (False when none is set)."""
    expected = admin_password()
    if expected is None:
        return False
    proof = st.session_state.get("admin_ok")
    return isinstance(proof, str) and hmac.compare_digest(proof, _admin_proof(expected))


def is_admin() -> bool:
    """Whether admin actions are allowed in this session.

    Under sign-in or a private link: the viewer's role (None yet: no). Otherwise: always
    when no password is set, else once this session typed it.
    """
    if _role_decides():
        viewer = current_viewer()
        return viewer is not None and viewer.is_admin
    return admin_password() is None or password_unlocked()


def _admin_proof(password: str) -> str:
    # The session remembers a digest of the password it was unlocked with, not a bare
    # flag: changing the password locks every open session.
    return hashlib.sha256(b"ssi-bench-admin\0" + password.encode()).hexdigest()


@st.cache_resource
def admin_throttle() -> Throttle:
    """One throttle per server process, keyed per browser session and client address."""
    return Throttle(free=ADMIN_TRIES, base_seconds=ADMIN_PAUSE_S, max_seconds=ADMIN_MAX_PAUSE_S)


def session_id() -> str:
    """A random id for this browser session (kept in session state), the throttle's key."""
    sid = st.session_state.get(_SESSION_ID_KEY)
    if not isinstance(sid, str):
        sid = secrets.token_hex(16)
        st.session_state[_SESSION_ID_KEY] = sid
    return sid


def client_address() -> str | None:
    """The client's address where Streamlit exposes it (``st.context.ip_address``)."""
    try:
        return st.context.ip_address
    except Exception:  # no session context (bare mode, AppTest): no address
        return None


def _check_admin_password() -> None:
    """on_click of the unlock button: back off, compare in constant time, audit failures."""
    expected = admin_password()
    typed = str(st.session_state.get("admin_password_input") or "")
    st.session_state["admin_password_input"] = ""
    if expected is None or _role_decides():
        return
    sid, ip = session_id(), client_address()
    throttle = admin_throttle()
    if throttle.wait_seconds(sid, ip) > 0:
        return  # paused: the typed text is not even compared
    if hmac.compare_digest(typed.encode(), expected.encode()):
        throttle.reset(sid, ip)
        st.session_state["admin_ok"] = _admin_proof(expected)
        st.session_state.pop("admin_message", None)
        return
    throttle.record(sid, ip)
    audit.record(get_bench().store, PASSWORD_ADMIN, "admin_signin_failed")
    st.session_state["admin_message"] = "Wrong password."


def require_admin() -> None:
    """Stop the page unless admin actions are allowed.

    Under sign-in or a private link: a refusal unless the viewer is an admin. No password
    configured: a visible notice and the page runs open. Otherwise a password form; after
    three wrong tries this browser session (and client address) waits 30 s, doubling.
    """
    if _role_decides():
        if not is_admin():
            st.error(ADMIN_ONLY, icon=":material/lock:")
            st.stop()
        return
    if admin_password() is None:
        st.info(NO_PASSWORD_NOTICE, icon=":material/lock_open:")
        return
    if is_admin():
        return
    st.subheader("Admin password required")
    remaining = admin_throttle().wait_seconds(session_id(), client_address())
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
    st.error(ADMIN_ONLY if _role_decides() else "Admin password required for this action.")
    return False
