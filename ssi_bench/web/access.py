"""Who is viewing, and the gate every page passes: sign-in, private links, open mode, roles.

:func:`resolve_viewer` runs first on every page (from :func:`ssi_bench.web.frame.page_setup`):

- ``[auth]`` configured (``.streamlit/secrets.toml``): nobody gets further than the sign-in
  page until signed in (``st.login``); the viewer comes from ``st.user``'s claims through
  :func:`ssi_bench.identity.viewer_from_claims`, with the settings read again on this run (a
  role removed takes effect at once). A refused sign-in shows its polite message and a
  sign-out button; an expired session is signed out (``st.logout``). Private links are not
  honoured then: sign-in is the way in.
- otherwise ``?link=<token>``: :func:`ssi_bench.links.resolve` → a link viewer (that person's
  own views, a seller), remembered for the browser session; unknown, expired and revoked
  links get the one :data:`ssi_bench.links.INVALID` message and nothing else.
- otherwise open mode: the shared admin password, when set and typed, makes the session a
  password admin; else :func:`ssi_bench.identity.open_viewer`.

:func:`gate` then refuses a page the viewer's role may not use (never drawing its content).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib

import streamlit as st

from ssi_bench import links
from ssi_bench.api import Bench
from ssi_bench.config import Settings
from ssi_bench.errors import NotFoundError, SSIBenchError
from ssi_bench.identity import (
    PAGE_ROLES,
    Role,
    SessionExpiredError,
    SignInRefused,
    Throttle,
    Viewer,
    link_viewer,
    open_viewer,
    password_admin,
    viewer_from_claims,
)
from ssi_bench.pseudonym import load_secret
from ssi_bench.web.admin import admin_password, password_unlocked, require_admin
from ssi_bench.web.viewer import auth_configured, providers, remember

#: The README section that says how to turn sign-in on.
README_SECTION = "Sign-in and roles"
OPEN_MODE_NOTICE = (
    "Open mode: sign-in is not configured, so anyone who can open this app can look anyone "
    "up by their identifier. To turn sign-in on, follow the README section "
    f"“{README_SECTION}” (an `[auth]` section in `.streamlit/secrets.toml`)."
)
SIGN_IN_PROMPT = "Sign in with your organisation's account to see SSI Bench."
EXPIRED_NOTICE = "Your sign-in has expired. Sign in again to continue."
ROLE_WORDS = {Role.SELLER: "everyone", Role.MANAGER: "managers", Role.ADMIN: "administrators"}
#: Session-state keys: the person key of the private link this session opened, and a digest
#: of that link's token (so the same URL is not resolved again on every rerun).
LINK_KEY = "_link_person_key"
LINK_TOKEN_KEY = "_link_token_digest"  # noqa: S105 (a session-state key)

#: Identification attempts (open mode) allowed freely per browser session, then 2 s,
#: doubling, up to 5 minutes.
IDENTIFY_FREE = 5


def project_secret(bench: Bench) -> bytes:
    """The key that pseudonymises identifiers and private-link tokens (as the CLI loads it)."""
    return load_secret(bench.settings)


# ---------------------------------------------------------------------------- viewer
def resolve_viewer(bench: Bench) -> Viewer:
    """This run's viewer, remembered for the admin gate and the audit actor.

    Draws the sign-in page, a sign-in refusal or the invalid-link message and stops the
    page (``st.stop``) when there is no viewer to show anything to.
    """
    viewer = _signed_in_viewer(bench) if auth_configured() else _link_or_open_viewer(bench)
    remember(viewer)
    return viewer


def _signed_in_viewer(bench: Bench) -> Viewer:
    if not st.user.is_logged_in:
        render_sign_in()
        st.stop()
    claims = st.user.to_dict()
    try:
        return viewer_from_claims(claims, None, project_secret(bench), dt.datetime.now(dt.UTC))
    except SessionExpiredError:
        # Streamlit's own cookie lasts 30 days: the session age is enforced here.
        st.logout()
        st.info(EXPIRED_NOTICE, icon=":material/schedule:")
        st.stop()
    except SignInRefused as refused:
        st.title("SSI Bench")
        st.error(str(refused), icon=":material/block:")
        sign_out_button(key="refused_sign_out")
        st.stop()
    except SSIBenchError as exc:  # a malformed role list: the admin must fix the settings
        st.error(str(exc))
        st.stop()


def render_sign_in() -> None:
    """The page a signed-out visitor sees instead of any page (or share): one button per
    configured provider, and nothing else of the app."""
    st.title("SSI Bench")
    st.markdown(SIGN_IN_PROMPT)
    for provider in providers():
        label = "Sign in" if provider is None else f"Sign in with {provider.capitalize()}"
        if st.button(label, key=f"sign_in_{provider or 'default'}", type="primary"):
            if provider is None:
                st.login()
            else:
                st.login(provider)


def sign_out_button(key: str = "sign_out") -> None:
    if st.button("Sign out", key=key, icon=":material/logout:"):
        st.logout()


def _token_digest(token: str) -> str:
    # Only a digest of the token stays in session state: enough to see the URL changed.
    return hashlib.sha256(token.encode()).hexdigest()


def _link_or_open_viewer(bench: Bench) -> Viewer:
    token = st.query_params.get("link")
    if token and st.session_state.get(LINK_TOKEN_KEY) != _token_digest(str(token)):
        st.session_state.pop(LINK_KEY, None)
        st.session_state.pop(LINK_TOKEN_KEY, None)
        try:
            key = links.resolve(bench.store, project_secret(bench), str(token))
        except NotFoundError:
            st.title("SSI Bench")
            st.error(links.INVALID, icon=":material/link_off:")
            st.stop()
        st.session_state[LINK_KEY] = key
        st.session_state[LINK_TOKEN_KEY] = _token_digest(str(token))
    kept = st.session_state.get(LINK_KEY)
    if isinstance(kept, str) and kept:
        return link_viewer(kept)
    password = admin_password()
    if password is not None and password_unlocked():
        return password_admin()
    # open_viewer reads the password from the settings; it may also come from secrets.
    return open_viewer(dataclasses.replace(bench.settings, admin_password=password))


def forget_link() -> None:
    """on_click of "Leave this private link": the session falls back to open mode."""
    st.session_state.pop(LINK_KEY, None)
    st.session_state.pop(LINK_TOKEN_KEY, None)
    st.query_params.pop("link", None)


def is_open_mode(viewer: Viewer) -> bool:
    """Whether this viewer looks people up by typed identifier (no own figures)."""
    return viewer.kind in ("open", "password_admin")


# ---------------------------------------------------------------------------- gate
def in_navigation(viewer: Viewer, slug: str) -> bool:
    """Whether ``slug`` is listed in this viewer's sidebar: the pages their role may use;
    in open mode also the password-gated ones (the password form is on the page itself)."""
    return viewer.may(slug) or (viewer.kind == "open" and slug in PAGE_ROLES)


def refusal_text(slug: str) -> str:
    """The polite refusal for a page this viewer may not use (names nobody)."""
    needed = PAGE_ROLES.get(slug)
    who = ROLE_WORDS.get(needed, "nobody") if needed is not None else "nobody"
    return (
        f"This page is for SSI Bench {who}, and your access does not include it. If you "
        "need it, ask your SSI Bench administrator."
    )


def gate(viewer: Viewer, slug: str) -> None:
    """Stop the page unless ``viewer`` may use ``slug``: a refusal, never its content.

    In open mode a page above the viewer's role asks for the admin password instead (the
    only way up without sign-in)."""
    if viewer.may(slug):
        return
    if viewer.kind == "open" and slug in PAGE_ROLES:
        require_admin()  # the password form; stops until unlocked
        return
    st.error(refusal_text(slug), icon=":material/lock:")
    st.page_link("app.py", label="Back to Home", icon=":material/home:")
    st.stop()


def render_identity(viewer: Viewer) -> None:
    """The sidebar's "who you are" block: signed-in account and sign-out, a private link,
    or the open-mode warning."""
    if viewer.kind == "oidc":
        # The person's own address, shown to them only (it goes nowhere else).
        address = st.user.get(_email_claim()) if st.user.is_logged_in else None
        st.caption("Signed in")
        st.text(f"Signed in as {address or 'you'}\nAccess: {ROLE_WORDS_ONE[viewer.role]}")
        sign_out_button()
    elif viewer.kind == "link":
        st.caption("Private link")
        st.text("You are viewing your own figures through a private link.")
        st.button("Leave this private link", key="leave_link", on_click=forget_link)
    else:
        st.caption("Access")
        st.warning("Open mode: no sign-in.", icon=":material/lock_open:")


ROLE_WORDS_ONE = {Role.SELLER: "seller", Role.MANAGER: "manager", Role.ADMIN: "admin"}


def _email_claim() -> str:
    return Settings.from_env().email_claim or "email"


def open_mode_notice(viewer: Viewer | None) -> None:
    """On every personal page in open mode: anyone can look anyone up, and how to fix it."""
    if viewer is None or is_open_mode(viewer):
        st.warning(OPEN_MODE_NOTICE, icon=":material/visibility:")


# ---------------------------------------------------------------------------- identification
@st.cache_resource
def identify_throttle() -> Throttle:
    """One per server process, keyed per browser session (and client address)."""
    return Throttle(free=IDENTIFY_FREE, base_seconds=2.0, max_seconds=300.0)


def has_rows(bench: Bench, person_key: str) -> bool:
    """Whether anything was uploaded for ``person_key`` (any date)."""
    return not bench.store.history(person_key).empty
