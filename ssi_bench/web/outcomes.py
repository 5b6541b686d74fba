"""Outcomes: does the SSI go with conversations, meetings, proposals, deals, revenue?"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import pandas as pd
import streamlit as st

from ssi_bench import charts
from ssi_bench.errors import SSIBenchError
from ssi_bench.fields import METRIC_LABELS, METRICS
from ssi_bench.model import OutcomeResult
from ssi_bench.web.my_benchmark import DEMO_NOTE
from ssi_bench.web.state import get_bench, has_outcomes, outcomes, show_error, status, stop_with


def render() -> None:
    """The Outcomes page (after :func:`ssi_bench.web.frame.page_setup`)."""
    st.title("Outcomes")
    st.markdown(
        "Critics say the SSI measures how you use LinkedIn, not what you sell. When outcome "
        "columns were uploaded, this page checks it on your own data: do people who score "
        "higher tend to have more conversations, meetings, proposals, deals won or revenue? "
        "Each answer says how strong the link is, a range we are 95% sure it lies in, and how "
        "many people it rests on. Groups only: no individual point is ever drawn."
    )
    if status().is_empty:
        stop_with("No data yet: scores must be uploaded first.")
    if not has_outcomes():
        stop_with(
            "No outcomes uploaded yet. Add columns such as conversations, meetings, proposals, "
            "deals won or revenue to an upload to see this page."
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
    s = status()
    if s.last_date is not None:
        days = get_bench().settings.lookback_days
        start = s.last_date - dt.timedelta(days=days)
        st.text(
            f"Period covered: each person's latest snapshot between {start.isoformat()} and "
            f"{s.last_date.isoformat()} ({days} days), with the outcomes recorded on it."
        )
    if s.is_demo:
        st.caption(DEMO_NOTE)
    try:
        render_outcomes(outcomes(kind, metric))
    except SSIBenchError as exc:
        show_error(exc)


#: Outcome columns in plain words, and what "more of it" is.
OUTCOME_WORDS: dict[str, tuple[str, str]] = {
    "conversations": ("conversations", "have more conversations"),
    "meetings": ("meetings", "book more meetings"),
    "proposals": ("proposals", "send more proposals"),
    "deals_won": ("deals won", "win more deals"),
    "revenue": ("revenue", "bring in more revenue"),
}


def outcome_words(outcome: str) -> str:
    return OUTCOME_WORDS.get(outcome, (outcome.replace("_", " "), ""))[0]


def strength(rho: float) -> str:
    """|ρ| in words: under 0.1 very weak, under 0.3 weak, under 0.5 moderate, else strong."""
    r = abs(rho)
    return "very weak" if r < 0.1 else "weak" if r < 0.3 else "moderate" if r < 0.5 else "strong"


def plain_verdict(r: OutcomeResult) -> str:
    """One result in plain words (no "Spearman", no column names), e.g. "People who score
    higher tend to book more meetings: moderate, 95% sure it lies between +0.21 and +0.45
    (120 people). A link, not proof of cause."."""
    noun, more = OUTCOME_WORDS.get(r.outcome, (r.outcome.replace("_", " "), ""))
    more = more or f"have more {noun}"
    if r.rho is None or r.ci_low is None or r.ci_high is None or r.n is None:
        return r.verdict.replace(r.outcome, noun)
    rng = f"between {r.ci_low:+.2f} and {r.ci_high:+.2f}"
    if r.ci_low <= 0 <= r.ci_high:
        return (
            f"The data cannot tell whether people who score higher {more}: the link is "
            f"{strength(r.rho)} and 95% sure to lie {rng}, which includes none at all "
            f"({r.n:,} people)."
        )
    if r.rho > 0:
        head = f"People who score higher tend to {more}"
    else:
        head = f"People who score higher tend to have fewer {noun}"
    return (
        f"{head}: {strength(r.rho)}, 95% sure it lies {rng} ({r.n:,} people; -1 to +1, "
        "0 is no link). A link, not proof of cause."
    )


def render_outcomes(results: Sequence[OutcomeResult], key: str = "outcomes") -> None:
    """Per cohort and outcome: how strongly the score goes with it (in words, with the 95%
    range and n), and the median outcome per score band with n per band."""
    if not results:
        st.info("No cohort has enough people with outcomes recorded.")
        return
    st.plotly_chart(
        charts.outcome_rho_figure(results),
        key=f"{key}_rho",
        theme="streamlit",
        config=charts.PLOTLY_CONFIG,
    )
    table = pd.DataFrame(
        {
            "group": [r.name if r.name is not None else "Everyone" for r in results],
            "outcome": [outcome_words(r.outcome) for r in results],
            "people": [f"{r.n:,}" if r.n is not None else "too few" for r in results],
            "link": [
                f"{strength(r.rho)} ({r.rho:+.2f})" if r.rho is not None else "–" for r in results
            ],
            "95% sure between": [
                f"{r.ci_low:+.2f} and {r.ci_high:+.2f}"
                if r.ci_low is not None and r.ci_high is not None
                else "–"
                for r in results
            ],
        }
    )
    st.dataframe(table, hide_index=True, key=f"{key}_table", width="stretch")
    labels = [
        f"{r.name if r.name is not None else 'Everyone'} · {outcome_words(r.outcome)}"
        for r in results
    ]
    pick = st.selectbox(
        "Median outcome per score band for",
        range(len(results)),
        format_func=lambda i: labels[i],
        key=f"{key}_pick",
    )
    chosen = results[int(pick or 0)]
    st.text(plain_verdict(chosen))
    if chosen.binned is None or chosen.binned.empty:
        st.info("No score band has enough people to show a median: the data cannot tell.")
    else:
        st.plotly_chart(
            charts.outcome_binned_figure(chosen),
            key=f"{key}_binned",
            theme="streamlit",
            config=charts.PLOTLY_CONFIG,
        )
        st.dataframe(
            pd.DataFrame(
                {
                    "score band": chosen.binned["band"],
                    "people": [f"{int(n):,}" for n in chosen.binned["n"]],
                    f"median {outcome_words(chosen.outcome)}": [
                        f"{v:,.1f}" for v in chosen.binned["median"]
                    ],
                }
            ),
            hide_index=True,
            key=f"{key}_bins",
            width="stretch",
        )
