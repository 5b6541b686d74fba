"""Who is viewing this run: whether sign-in is configured, and the viewer the frame found.

The frame (:func:`ssi_bench.web.access.resolve_viewer`) decides the viewer once per script
run and remembers it here; the admin gate, the identify box and the audit actor read it back.
Kept apart from :mod:`ssi_bench.web.access` so that :mod:`ssi_bench.web.admin` can read the
viewer without an import circle.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from typing import Any

import streamlit as st

from ssi_bench import audit
from ssi_bench.identity import Viewer

#: Session-state key of this run's viewer (overwritten by every page run).
VIEWER_KEY = "_ssi_viewer"


def auth_section() -> Mapping[str, Any] | None:
    """The ``[auth]`` section of ``.streamlit/secrets.toml`` (or ``at.secrets`` in AppTest),
    None when there is none, it is empty, or there is no secrets file at all."""
    try:
        section = st.secrets.get("auth")
    except (FileNotFoundError, KeyError, OSError, st.errors.StreamlitSecretNotFoundError):
        return None
    if not isinstance(section, Mapping) or not section:
        return None
    return section


def auth_configured() -> bool:
    """Whether sign-in is configured: then every page requires it."""
    return auth_section() is not None


def providers() -> list[str | None]:
    """The sign-in choices: None for the unnamed provider (``client_id`` directly in
    ``[auth]``), then each named provider (``[auth.microsoft]`` …) in file order."""
    section = auth_section()
    if section is None:
        return []
    named = [str(k) for k, v in section.items() if isinstance(v, Mapping)]
    default: list[str | None] = [None] if "client_id" in section or not named else []
    return default + list(named)


def remember(viewer: Viewer) -> None:
    st.session_state[VIEWER_KEY] = viewer


def current_viewer() -> Viewer | None:
    """The viewer this session's latest page run found; None before any (e.g. a callback
    of a session's very first run)."""
    viewer = st.session_state.get(VIEWER_KEY)
    return viewer if isinstance(viewer, Viewer) else None


@contextlib.contextmanager
def acting() -> Iterator[None]:
    """Record the admin actions inside the block under the current viewer's actor (the
    keyed hash of a signed-in admin, "password admin" or "open mode")."""
    viewer = current_viewer()
    with audit.acting_as(viewer.actor if viewer is not None else audit.UNKNOWN):
        yield
