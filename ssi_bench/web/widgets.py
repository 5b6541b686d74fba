"""Widgets shared by several pages: metric, as-of date, sector, identify, pillars, standing."""

from __future__ import annotations

import datetime as dt
import math

import streamlit as st

from ssi_bench.errors import NotFoundError, SSIBenchError
from ssi_bench.fields import METRIC_LABELS, METRICS, PILLARS
from ssi_bench.model import Standing
from ssi_bench.pseudonym import person_key
from ssi_bench.web.access import (
    has_rows,
    identify_throttle,
    is_open_mode,
    open_mode_notice,
    project_secret,
)
from ssi_bench.web.admin import client_address, session_id
from ssi_bench.web.format import cohort_label, safe_md, standing_sentence
from ssi_bench.web.state import cohort_names, get_bench, status
from ssi_bench.web.viewer import current_viewer


# ---------------------------------------------------------------------------- widgets
def metric_select(key: str = "metric") -> str:
    """Metric choice, mirrored in the URL (``?metric=``) so a plain link reproduces it."""
    return str(
        st.selectbox(
            "Metric",
            list(METRICS),
            format_func=lambda m: METRIC_LABELS[m],
            key=key,
            bind="query-params",
        )
    )


def as_of_input(key: str = "as_of") -> dt.date | None:
    """As-of date (default: the latest snapshot), mirrored in the URL (``?as_of=``)."""
    s = status()
    if s.last_date is None:
        return None
    value = st.date_input(
        "As of",
        value=s.last_date,
        min_value=s.first_date,
        max_value=max(s.last_date, dt.date.today()),
        key=key,
        bind="query-params",
        format="YYYY-MM-DD",
        help="Each person counts with their latest snapshot on or before this date "
        f"(at most {get_bench().settings.lookback_days} days old).",
    )
    return value if isinstance(value, dt.date) else s.last_date


def sector_options(as_of: dt.date | None = None) -> list[str]:
    return [c.name for c in cohort_names("sector", as_of)]


#: What a signed-in person (or a private link) without uploaded rows sees on My benchmark
#: and Trends: not an error, and who to ask.
NO_OWN_ROWS = (
    "No scores have been uploaded for you yet, so there is nothing of yours to show here. "
    "Ask your SSI Bench administrator (an admin) to include you in the next upload. "
    "Meanwhile you can type your scores (\u201cType my scores\u201d on My benchmark, or "
    "\u201cCheck my score\u201d on Home)."
)
#: The one reply to a typed identifier that shows nothing, whether nothing was uploaded
#: under it or it only has no snapshot in the look-back window (open mode must not say
#: whether an identifier exists).
NO_FIGURES = (
    "Nothing to show for that identifier on this date: either nothing was uploaded under "
    "it, or it has no snapshot in the look-back window. Check what you typed, or pick an "
    "earlier as-of date."
)


def _forget_identity() -> None:
    for k in ("person_key", "identify_error"):
        st.session_state.pop(k, None)


def _identify() -> None:
    """on_click: throttle, hash the typed identifier at once, keep only the key, clear the
    input. Whether anyone was uploaded under it is not checked here: the page's one reply
    (:data:`NO_FIGURES`) does not tell an unknown identifier from a known one."""
    typed = str(st.session_state.get("identifier_input") or "").strip()
    st.session_state["identifier_input"] = ""
    st.session_state.pop("identify_error", None)
    if not typed:
        st.session_state["identify_error"] = "Type the identifier you were uploaded under."
        return
    sid, ip = session_id(), client_address()
    throttle = identify_throttle()
    wait = throttle.wait_seconds(sid, ip)
    if wait > 0:
        st.session_state["identify_error"] = (
            f"Too many attempts: wait {math.ceil(wait)} seconds, then try again."
        )
        return
    throttle.record(sid, ip)  # every attempt counts, found or not
    try:
        st.session_state["person_key"] = person_key(project_secret(get_bench()), typed)
    except SSIBenchError as exc:
        st.session_state.pop("person_key", None)
        st.session_state["identify_error"] = str(exc)


def identify_widget() -> str | None:
    """Whose own figures this page shows; None (with a message) when there is nobody yet.

    A signed-in person or a private link: their own person key, no box to type in (or the
    :data:`NO_OWN_ROWS` page when nothing was uploaded for them). Open mode: the open-mode
    warning and an identifier input (password type), throttled per browser session; the
    identifier itself is never kept, displayed back or put in the URL.
    """
    viewer = current_viewer()
    if viewer is not None and viewer.person_key is not None:
        if has_rows(get_bench(), viewer.person_key):
            return viewer.person_key
        st.info(NO_OWN_ROWS, icon=":material/person_search:")
        return None
    open_mode_notice(viewer)
    key = st.session_state.get("person_key")
    if key:
        c1, c2 = st.columns([3, 1])
        c1.success(
            "Looked up by the identifier you typed (hashed at once, not kept).",
            icon=":material/lock:",
        )
        c2.button("Forget me", key="forget_me", on_click=_forget_identity)
        return str(key)
    with st.form("identify_form", border=False):
        st.text_input(
            "Your identifier (the e-mail, profile URL or id you were uploaded under)",
            type="password",
            key="identifier_input",
            help="Hashed immediately; never stored, shown or put in the link.",
        )
        st.form_submit_button("Identify me", on_click=_identify, key="identify_submit")
    if st.session_state.get("identify_error"):
        st.error(st.session_state["identify_error"])
    return None


def show_person_error(exc: BaseException) -> None:
    """A person's figures could not be shown: for a typed identifier the one
    :data:`NO_FIGURES` reply (unknown and out-of-window alike), else the message itself."""
    viewer = current_viewer()
    if isinstance(exc, NotFoundError) and (viewer is None or is_open_mode(viewer)):
        st.error(NO_FIGURES)
    else:
        st.error(str(exc))


def pillar_inputs(key: str) -> tuple[float, float, float, float] | None:
    """Four pillar inputs (0–25, step 0.01); None until at least one is non-zero."""
    cols = st.columns(4)
    values = []
    for col, pillar in zip(cols, PILLARS, strict=True):
        v = col.number_input(
            METRIC_LABELS[pillar],
            min_value=0.0,
            max_value=25.0,
            value=None,
            step=0.01,
            format="%.2f",
            key=f"{key}_{pillar}",
            placeholder="0–25",
        )
        values.append(v)
    if all(v is None for v in values):
        return None
    return tuple(float(v or 0.0) for v in values)  # type: ignore[return-value]


# ---------------------------------------------------------------------------- renderers
def render_standing(label: str, standing: Standing, k: int) -> None:
    """One cohort's standing: label (plain text), the sentence, and the fallback."""
    st.markdown(f"**{safe_md(label)}**")
    if standing.suppressed:
        st.warning(standing_sentence(standing, k), icon=":material/lock:")
        fb = standing.fallback
        if fb is not None:
            parent = safe_md(cohort_label(fb.cohort.kind, fb.cohort.name))
            st.markdown(
                f"Instead, in the parent cohort **{parent}**: {safe_md(standing_sentence(fb, k))}"
            )
            if fb.suppressed and fb.fallback is not None:
                ff = fb.fallback
                st.markdown(
                    f"and in **{safe_md(cohort_label(ff.cohort.kind, ff.cohort.name))}**: "
                    f"{safe_md(standing_sentence(ff, k))}"
                )
        return
    st.markdown(safe_md(standing_sentence(standing, k)))
