"""Widgets shared by several pages: metric, as-of date, sector, identify, pillars, standing."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Collection

import streamlit as st

from ssi_bench.errors import NotFoundError, SSIBenchError
from ssi_bench.fields import METRIC_LABELS, METRICS, PILLARS
from ssi_bench.model import CohortId, Standing
from ssi_bench.pseudonym import person_key
from ssi_bench.typed import TOTAL_LABEL, TypedScores, parse_scores
from ssi_bench.web.access import (
    has_rows,
    identify_throttle,
    is_open_mode,
    open_mode_notice,
    project_secret,
)
from ssi_bench.web.admin import client_address, session_id
from ssi_bench.web.format import BANDED_CAPTION, cohort_label, safe_md, standing_sentence
from ssi_bench.web.state import cohort_names, get_bench
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
    """As-of date, chosen among the publication dates only (default: the latest), mirrored
    in the URL (``?as_of=``). A date in the URL that is not a publication date snaps to the
    latest one on or before it (else the first) and says so under the selector."""
    dates = get_bench().publication_dates()
    if not dates:
        return None
    if key not in st.session_state:
        choice, note = snap_date(st.query_params.get("as_of"), dates)
        st.session_state[key] = choice
        st.session_state[f"{key}_note"] = note
    value = st.selectbox(
        "As of",
        dates[::-1],
        format_func=lambda d: d.isoformat(),
        key=key,
        on_change=st.session_state.pop,
        args=(f"{key}_note", None),
        help="Figures are published on snapshot dates only. Each person counts with their "
        "latest snapshot on or before this date "
        f"(at most {get_bench().settings.lookback_days} days old).",
    )
    chosen = value if isinstance(value, dt.date) else dates[-1]
    st.query_params["as_of"] = chosen.isoformat()
    note = st.session_state.get(f"{key}_note")
    if note:
        st.caption(safe_md(note))
    return chosen


def snap_date(asked: str | None, dates: list[dt.date]) -> tuple[dt.date, str | None]:
    """A date from a link, snapped to ``dates`` (ascending publication dates): the latest
    on or before it, else the first; with a note when it moved or could not be read."""
    if not asked:
        return dates[-1], None
    try:
        day = dt.date.fromisoformat(str(asked))
    except ValueError:
        return dates[-1], "The date in the link could not be read: showing the latest date."
    earlier = [d for d in dates if d <= day]
    choice = earlier[-1] if earlier else dates[0]
    if choice == day:
        return choice, None
    return choice, (
        f"The link asked for {day.isoformat()}, which is not a publication date: showing "
        f"{choice.isoformat()}."
    )


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


#: Session-state key of the typed scores: kept outside the widgets so they survive the way
#: from Home to My benchmark (Streamlit forgets a widget's state on a page it is not on).
TYPED_STATE = "typed_scores"
TYPED_FIELDS: tuple[str, ...] = (*PILLARS, "ssi")


def _remember(key: str, name: str) -> None:
    st.session_state.setdefault(TYPED_STATE, {})[name] = st.session_state.get(f"{key}_{name}")


def typed_values() -> dict[str, str]:
    """The scores typed in this session (field → text as typed); no identifier ever."""
    saved = st.session_state.get(TYPED_STATE) or {}
    return {n: str(v) for n, v in saved.items() if v not in (None, "")}


def score_inputs(key: str) -> TypedScores:
    """Four pillar inputs and a total input, as text (decimal comma or point), checked by
    :func:`ssi_bench.typed.parse_scores`; each error is shown under its own field.

    Values survive page changes through :data:`TYPED_STATE` and can be seeded from the URL
    (``?brand=14,2&…``: scores only, never an identifier). The caller shows a result only
    when the returned value is ``usable``.
    """
    saved = st.session_state.get(TYPED_STATE) or {}
    texts: dict[str, str | None] = {}
    cols = st.columns(4)
    slots = [*cols, st.container()]
    for slot, name in zip(slots, TYPED_FIELDS, strict=True):
        label = TOTAL_LABEL if name == "ssi" else METRIC_LABELS[name]
        widget = f"{key}_{name}"
        if widget not in st.session_state:
            initial = saved.get(name)
            if initial is None and name in st.query_params:
                initial = st.query_params.get(name)
            st.session_state[widget] = str(initial) if initial is not None else ""
        texts[name] = slot.text_input(
            label + (" (0–100, alone or with the pillars)" if name == "ssi" else " (0–25)"),
            key=widget,
            placeholder="e.g. 14,2" if name != "ssi" else "e.g. 57,4",
            on_change=_remember,
            args=(key, name),
        )
        st.session_state.setdefault(TYPED_STATE, {})[name] = texts[name]
    got = parse_scores(texts)
    for slot, name in zip(slots, TYPED_FIELDS, strict=True):
        if name in got.errors:
            slot.error(safe_md(got.errors[name]), icon=":material/error:")
    return got


# ---------------------------------------------------------------------------- renderers
def _cohort_key(c: CohortId) -> tuple[str, str | None, int | None]:
    return (c.kind, c.name, c.level)


def render_standing(
    label: str, standing: Standing, k: int, listed: Collection[CohortId] = ()
) -> None:
    """One cohort's standing: label (plain text) and the sentence.

    A withheld cohort is one placeholder line naming the cohort it is shown at instead
    ("fewer than k people … — shown at Sector: Software instead."), followed by that
    cohort's sentence unless that cohort is in ``listed`` — the cohorts whose own standing
    the page already shows under their own heading (My benchmark lists sector, network and
    everyone, so a withheld network never repeats its sector's sentence). Cohorts are
    compared by kind, name and level, not date (a figure may be from an earlier date)."""
    st.markdown(f"**{safe_md(label)}**")
    shown, parents = standing, []
    while shown.suppressed and shown.fallback is not None:
        shown = shown.fallback
        parents.append(cohort_label(shown.cohort.kind, shown.cohort.name))
    if shown is not standing:
        st.caption(
            safe_md(
                f"Fewer than {k} people here (or showing it would single out a small group) "
                f"— shown at {parents[-1]} instead."
            )
        )
        if _cohort_key(shown.cohort) in {_cohort_key(c) for c in listed}:
            return  # its sentence is on the page already, under its own heading
        st.markdown(f"**{safe_md(parents[-1])}**: {safe_md(standing_sentence(shown, k))}")
    else:
        st.markdown(safe_md(standing_sentence(standing, k)))
    if shown.precision == "banded":
        st.caption(BANDED_CAPTION)
