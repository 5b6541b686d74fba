"""The read-only view a share token opens, drawn with the same renderers as the live page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import streamlit as st

from ssi_bench import trends
from ssi_bench.api import Bench
from ssi_bench.errors import NotFoundError, SSIBenchError
from ssi_bench.model import MyBenchmark
from ssi_bench.web.cohorts import render_cohorts
from ssi_bench.web.format import safe_md
from ssi_bench.web.my_benchmark import render_my_benchmark
from ssi_bench.web.state import show_error
from ssi_bench.web.trends import render_trend

SHARE_INVALID = "This share link is not valid: it is unknown, expired or revoked."
#: A Trends share made before trends were frozen holds no rows to show, and recomputing it
#: would show data uploaded after it was shared.
STALE_TREND_SHARE = (
    "This older trend link cannot be shown as it was shared; ask whoever sent it for a new one."
)


def render_shared_view(bench: Bench, token: str) -> None:
    """The read-only view a share token points to; one message for any bad token."""
    try:
        shared = bench.share_resolve(str(token))
    except NotFoundError:
        st.error(SHARE_INVALID)
        return
    except SSIBenchError as exc:
        show_error(exc)
        return
    view = shared.get("view") or {}
    page = view.get("page")
    st.info(
        safe_md(shared_notice(page, shared.get("created_at"), view.get("as_of"))),
        icon=":material/link:",
    )
    st.page_link("app.py", label="Open SSI Bench to see your own figures", icon=":material/home:")
    try:
        if page == "my_benchmark" and isinstance(view.get("snapshot"), dict):
            # A personal view is shown as it was shared, not recomputed on newer data.
            st.title("Benchmark")
            mb = MyBenchmark.from_dict(view["snapshot"])
            render_my_benchmark(
                mb, bench.settings.min_cohort, key="shared", shared=True, demo=_frozen_demo(view)
            )
        elif page == "my_benchmark":
            mb = bench.my_benchmark(
                person_key=shared.get("person_key"),
                pillars=view.get("pillars"),
                score=view.get("score"),
                sector=view.get("sector"),
                network=view.get("network"),
                as_of=view.get("as_of"),
            )
            st.title("Benchmark")
            render_my_benchmark(mb, bench.settings.min_cohort, key="shared", shared=True)
        elif page == "trends" and isinstance(view.get("snapshot"), list):
            # A personal trend is drawn from the rows frozen when it was shared, never
            # recomputed: later uploads and cohort changes do not reach the recipient.
            try:
                frozen = trends.trend_from_snapshot(view["snapshot"])
            except ValueError:  # a malformed stored view: nothing trustworthy to show
                st.error(SHARE_INVALID)
                return
            st.title("Trend")
            render_trend(frozen, str(view.get("metric", "ssi")), demo=_frozen_demo(view))
        elif page == "trends":
            st.error(STALE_TREND_SHARE)
        elif page in ("sector", "network"):
            st.title("Sectors" if page == "sector" else "Networks")
            render_cohorts(
                page,
                str(view.get("metric", "ssi")),
                _date_or_none(view.get("as_of")),
                selected=view.get("selected"),
                key="shared",
            )
        else:
            st.error(SHARE_INVALID)
    except SSIBenchError as exc:
        show_error(exc)


#: What each kind of shared view is, in the recipient's words.
WHAT_IT_IS = {
    "my_benchmark": "one person's benchmark (their standing against their sector, network and "
    "everyone)",
    "trends": "one person's SSI over time against their sector",
    "sector": "the published sector benchmarks",
    "network": "the published network benchmarks",
}


def shared_notice(page: Any, created_at: Any, as_of: Any = None) -> str:
    """The line above a shared view: what it is, when it was shared and as of which date —
    never whose it is (the share stores no identity, and the recipient is not told)."""
    what = WHAT_IT_IS.get(str(page), "a view of SSI Bench")
    when = str(created_at or "")[:10] or "an unknown date"
    day = _date_or_none(as_of)
    frozen = (
        " It is a snapshot: it stays as it was when shared."
        if str(page) in ("my_benchmark", "trends")
        else ""
    )
    return (
        f"A shared view (read-only): {what}, shared on {when}"
        + (f", figures as of {day.isoformat()}" if day else "")
        + f".{frozen} It does not say whose it is; open SSI Bench itself to see your own "
        "figures."
    )


def _frozen_demo(view: dict[str, Any]) -> bool | None:
    """Whether a frozen view's figures counted the demo rows when it was shared; None for a
    share made before that was recorded (the renderer then goes by the demo data loaded
    now, the best that can be said)."""
    demo = view.get("demo")
    return demo if isinstance(demo, bool) else None


def _date_or_none(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None
