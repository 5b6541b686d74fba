"""Widgets shared by several pages: metric, as-of date, sector, identify, pillars, standing."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from ssi_bench.errors import SSIBenchError
from ssi_bench.fields import METRIC_LABELS, METRICS, PILLARS
from ssi_bench.model import Standing
from ssi_bench.web.format import cohort_label, safe_md, standing_sentence
from ssi_bench.web.state import cohort_names, get_bench, status


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


def _forget_identity() -> None:
    for k in ("person_key", "identify_error"):
        st.session_state.pop(k, None)


def _identify() -> None:
    """on_click: hash the typed identifier at once; keep only the key; clear the input."""
    typed = str(st.session_state.get("identifier_input") or "").strip()
    st.session_state["identifier_input"] = ""
    st.session_state.pop("identify_error", None)
    if not typed:
        st.session_state["identify_error"] = "Type the identifier you were uploaded under."
        return
    try:
        st.session_state["person_key"] = get_bench().person_key(typed)
    except SSIBenchError as exc:
        st.session_state.pop("person_key", None)
        st.session_state["identify_error"] = str(exc)


def identify_widget() -> str | None:
    """Identifier input (password type) → person key in session state; returns the key.

    The identifier itself is never kept, displayed back or put in the URL.
    """
    person_key = st.session_state.get("person_key")
    if person_key:
        c1, c2 = st.columns([3, 1])
        c1.success(
            "Identified (your identifier was hashed and is not kept).", icon=":material/lock:"
        )
        c2.button("Forget me", key="forget_me", on_click=_forget_identity)
        return str(person_key)
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
