"""Outcomes: does the SSI go with conversations, meetings, proposals, deals, revenue?"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
import streamlit as st

from ssi_bench import charts
from ssi_bench.errors import SSIBenchError
from ssi_bench.fields import METRIC_LABELS, METRICS
from ssi_bench.model import OutcomeResult
from ssi_bench.web.state import has_outcomes, outcomes, show_error, status, stop_with


def render() -> None:
    """The Outcomes page (after :func:`ssi_bench.web.frame.page_setup`)."""
    st.title("Outcomes")
    st.markdown(
        "Critics say the SSI measures how you use LinkedIn, not what you sell. When outcome "
        "columns were uploaded, this page checks it on your own data: Spearman's ρ between a "
        "score and each outcome per cohort, with a 95% interval and the number of people behind "
        "it. Cohort-level only: no individual point is ever drawn."
    )
    if status().is_empty:
        stop_with("No data yet: scores must be uploaded first.")
    if not has_outcomes():
        stop_with(
            "No outcomes uploaded yet. Add columns such as conversations, meetings, proposals, "
            "deals_won or revenue to an upload to see this page."
        )
    c1, c2 = st.columns(2)
    # The options are the CohortKind literals and the dict names every one of them; the
    # selectbox stubs cannot say so (this body was an unchecked page script until the split).
    kind: Any = c1.selectbox(
        "Cohorts",
        ["all", "sector", "network"],  # type: ignore[list-item]
        format_func={"all": "Everyone", "sector": "Per sector", "network": "Per network"}.get,  # type: ignore[arg-type]
        key="oc_kind",
    )
    metric = c2.selectbox(
        "Score", list(METRICS), format_func=lambda m: METRIC_LABELS[m], key="oc_metric"
    )
    try:
        render_outcomes(outcomes(kind, metric))
    except SSIBenchError as exc:
        show_error(exc)


def render_outcomes(results: Sequence[OutcomeResult], key: str = "outcomes") -> None:
    """Spearman ρ with interval and n per cohort and outcome, verdicts, binned medians."""
    if not results:
        st.info("No cohort has enough people with outcomes recorded.")
        return
    st.plotly_chart(charts.outcome_rho_figure(results), key=f"{key}_rho", theme="streamlit")
    table = pd.DataFrame(
        {
            "cohort": [r.name if r.name is not None else "Everyone" for r in results],
            "outcome": [r.outcome for r in results],
            "people": [f"{r.n:,}" if r.n is not None else "too few" for r in results],
            "ρ": [f"{r.rho:+.2f}" if r.rho is not None else "–" for r in results],
            "95% interval": [
                f"{r.ci_low:+.2f} to {r.ci_high:+.2f}"
                if r.ci_low is not None and r.ci_high is not None
                else "–"
                for r in results
            ],
            "what it says": [r.verdict for r in results],
        }
    )
    st.dataframe(table, hide_index=True, key=f"{key}_table")
    labels = [f"{r.name if r.name is not None else 'Everyone'} · {r.outcome}" for r in results]
    pick = st.selectbox(
        "Median outcome per score band for",
        range(len(results)),
        format_func=lambda i: labels[i],
        key=f"{key}_pick",
    )
    chosen = results[int(pick or 0)]
    if chosen.binned is None or chosen.binned.empty:
        st.info("No score band has enough people to show a median: the data cannot tell.")
    else:
        st.plotly_chart(
            charts.outcome_binned_figure(chosen), key=f"{key}_binned", theme="streamlit"
        )
    st.text(chosen.verdict)
