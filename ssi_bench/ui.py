"""The Streamlit layer: the one library module that imports Streamlit.

Pages stay thin (read widgets, call one or two functions here or on :class:`Bench`,
render). What lives here:

- :func:`get_bench` — the process-wide :class:`Bench` (one DuckDB connection);
- cached queries keyed by :meth:`Bench.data_version`, so an upload invalidates them;
- :func:`page_setup` — page config, share-link handling and the sidebar, for every page;
- the admin gate (:func:`require_admin`, :func:`is_admin`);
- share links (:func:`share_button`, :func:`render_shared_view`);
- renderers shared by a page and the read-only shared view of the same page;
- text helpers: :func:`safe_md` (user text inside markdown), :func:`standing_sentence`.

User-supplied strings (sector and network names, file and column names) reach the page
only through ``st.text``, ``st.dataframe``, ``st.code`` or :func:`safe_md`; nothing here
uses ``unsafe_allow_html``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, Literal, NoReturn
from urllib.parse import urlsplit

import pandas as pd
import streamlit as st

from ssi_bench import charts
from ssi_bench.admin import Throttle
from ssi_bench.api import Bench
from ssi_bench.config import Settings
from ssi_bench.errors import NotFoundError, SSIBenchError
from ssi_bench.fields import METRIC_LABELS, METRICS, PILLARS
from ssi_bench.model import (
    BenchmarkRow,
    CohortKind,
    CohortSummary,
    IngestOptions,
    IngestResult,
    MyBenchmark,
    OutcomeResult,
    Preview,
    Reject,
    Standing,
    Status,
    UploadInfo,
)

ROOT = Path(__file__).resolve().parent.parent
PAGES_DIR = ROOT / "pages"

#: Wrong admin passwords allowed before a pause, and the pause in seconds.
ADMIN_TRIES = 3
ADMIN_PAUSE_S = 30.0
NO_PASSWORD_NOTICE = "No admin password set: Upload and Data are open (local use)."  # noqa: S105
SHARE_INVALID = "This share link is not valid: it is unknown, expired or revoked."

#: The navigation: (script relative to app.py, label, icon). Drawn by :func:`sidebar`
#: because the automatic navigation would label the home page "app".
PAGES: tuple[tuple[str, str, str], ...] = (
    ("app.py", "Home", ":material/home:"),
    ("pages/1_Upload.py", "Upload", ":material/upload:"),
    ("pages/2_My_benchmark.py", "My benchmark", ":material/target:"),
    ("pages/3_Trends.py", "Trends", ":material/trending_up:"),
    ("pages/4_Sectors.py", "Sectors", ":material/factory:"),
    ("pages/5_Networks.py", "Networks", ":material/hub:"),
    ("pages/6_Outcomes.py", "Outcomes", ":material/insights:"),
    ("pages/7_Data.py", "Data", ":material/database:"),
)

KIND_LABELS: dict[str, str] = {
    "sector": "Your sector",
    "network": "Your network",
    "all": "Everyone",
}

Kind = Literal["sector", "network"]


# ---------------------------------------------------------------------------- text
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$&:=\"'^%])")


def safe_md(text: object) -> str:
    """``text`` escaped so that Streamlit markdown shows it literally.

    Every ASCII punctuation character that markdown, HTML, LaTeX (``$``) or Streamlit's
    directives (``:red[…]``, ``:emoji:``) could interpret is backslash-escaped, which
    CommonMark defines as "this character, literally". Newlines become spaces so a name
    cannot start a heading or a list.
    """
    flat = re.sub(r"[\r\n\t]+", " ", str(text))
    return _MD_SPECIAL.sub(r"\\\1", flat)


def fmt_num(value: float | None, digits: int = 2) -> str:
    """A score for reading: ``57.25``; ``–`` for a missing value."""
    if value is None or pd.isna(value):
        return "–"
    return f"{value:,.{digits}f}"


def fmt_pct(value: float | None) -> str:
    """A percentage as published: at most one decimal (``18.4%``, ``25%``)."""
    if value is None or pd.isna(value):
        return "–"
    return f"{round(float(value), 1):g}%"


_SMALL = ("no one", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def share_higher_words(higher: float) -> str:
    """The share of a cohort scoring higher, in words: ``75`` → "three in four score higher".

    Uses the simplest fraction with a denominator of 2, 3, 4, 5 or 10 within half a point,
    else "about N in 100".
    """
    if higher <= 0.5:
        return "hardly anyone scores higher"
    if higher >= 99.5:
        return "almost everyone scores higher"
    for denominator in (2, 3, 4, 5, 10):
        numerator = round(higher * denominator / 100)
        if 0 < numerator < denominator and abs(100 * numerator / denominator - higher) <= 0.5:
            if denominator == 2:
                return "half score higher"
            num = _SMALL[numerator]
            den = {3: "three", 4: "four", 5: "five", 10: "ten"}[denominator]
            return f"{num} in {den} score higher"
    return f"about {round(higher)} in 100 score higher"


def standing_sentence(standing: Standing, k: int) -> str:
    """A Standing said both ways, where the gate allows.

    Exact: "Top 75% · percentile 25: three in four score higher (of 40 people)".
    Banded (small cohort): "Top 25% (rounded up to a band: fewer than 30 people)".
    Suppressed: why nothing is shown. Never contains user-supplied text.
    """
    if standing.suppressed:
        return (
            f"Fewer than {k} people in this cohort: no rank is shown, so that no one can "
            "be singled out."
        )
    parts = []
    if standing.precision == "banded" and (standing.top_percent or 0) > 50:
        # The coarsest band: "Top 100%" says nothing; say which half instead.
        parts.append("In the lower half")
    elif standing.top_percent is not None:
        parts.append(f"Top {fmt_pct(standing.top_percent)}")
    if standing.percentile is not None:
        pct = standing.percentile
        parts.append(f"percentile {round(pct, 1):g}: {share_higher_words(100 - pct)}")
    text = " · ".join(parts) if parts else standing.display
    if standing.precision == "banded" or (standing.percentile is None and parts):
        text += " (rounded up to a band: fewer than 30 people)"
    elif standing.n is not None:
        text += f" (of {standing.n:,} people)"
    return text


def cohort_label(kind: str, name: str | None) -> str:
    """Plain-text label of a cohort (not markdown-escaped)."""
    if kind == "all" or name is None:
        return "Everyone"
    return f"{kind.capitalize()}: {name}"


# ---------------------------------------------------------------------------- the bench
@st.cache_resource(show_spinner=False)
def get_bench() -> Bench:
    """The one :class:`Bench` of this server process.

    Cached as a resource because DuckDB allows one read-write connection per file and
    process: every session and script thread shares it, and the library hands each unit
    of work its own cursor (sharing one cursor across threads returns other threads' rows).
    """
    return Bench.open(settings=Settings.from_env())


def bench_or_stop() -> Bench:
    """:func:`get_bench`, or an error message and a stopped page when the file is busy."""
    try:
        return get_bench()
    except SSIBenchError as exc:
        st.error(str(exc))
        st.stop()


def data_version() -> int:
    return get_bench().data_version()


# Cached queries: the version argument (no leading underscore: Streamlit skips hashing
# those) is the cache key that changes with every upload,
# undo, erase or demo removal; the bench itself comes from get_bench().
@st.cache_data(show_spinner=False, max_entries=64)
def _status(version: int) -> Status:
    return get_bench().status()


@st.cache_data(show_spinner=False, max_entries=256)
def _benchmarks(version: int, cohort: str | None, as_of: dt.date | None) -> list[BenchmarkRow]:
    return get_bench().benchmarks(cohort, as_of)  # type: ignore[arg-type]


@st.cache_data(show_spinner=False, max_entries=256)
def _cohort_names(version: int, kind: str, as_of: dt.date | None) -> list[CohortSummary]:
    return get_bench().cohort_names(kind, as_of)  # type: ignore[arg-type]


@st.cache_data(show_spinner=False, max_entries=512)
def _cohort_trend(version: int, kind: str, name: str | None, metric: str) -> pd.DataFrame:
    return get_bench().cohort_trend(kind, name, metric)  # type: ignore[arg-type]


@st.cache_data(show_spinner=False, max_entries=64)
def _outcomes(version: int, kind: str, metric: str) -> list[OutcomeResult]:
    return get_bench().outcomes(kind, metric)  # type: ignore[arg-type]


@st.cache_data(show_spinner=False, max_entries=16)
def _has_outcomes(version: int) -> bool:
    return get_bench().has_outcomes()


def status() -> Status:
    return _status(data_version())


def benchmarks(
    cohort: CohortKind | None = None, as_of: dt.date | None = None
) -> list[BenchmarkRow]:
    return _benchmarks(data_version(), cohort, as_of)


def cohort_names(kind: Kind, as_of: dt.date | None = None) -> list[CohortSummary]:
    return _cohort_names(data_version(), kind, as_of)


def cohort_trend(kind: CohortKind, name: str | None, metric: str = "ssi") -> pd.DataFrame:
    return _cohort_trend(data_version(), kind, name, metric)


def outcomes(kind: CohortKind, metric: str = "ssi") -> list[OutcomeResult]:
    return _outcomes(data_version(), kind, metric)


def has_outcomes() -> bool:
    return _has_outcomes(data_version())


# ---------------------------------------------------------------------------- page frame
def page_setup(title: str, icon: str = ":material/bar_chart:") -> Bench:
    """Start a page: config, the shared view when ``?share=`` is present, the sidebar.

    Returns the bench. When the URL carries a share token the shared view (or the one
    "not valid" message) is rendered instead and the page stops here.
    """
    st.set_page_config(page_title=f"{title} · SSI Bench", page_icon=icon, layout="wide")
    bench = bench_or_stop()
    token = st.query_params.get("share")
    if token:
        render_shared_view(bench, token)
        st.stop()
    sidebar(bench)
    return bench


def sidebar(bench: Bench) -> None:
    """Data status and admin state, on every page."""
    with st.sidebar:
        for path, label, icon in PAGES:
            st.page_link(path, label=label, icon=icon)
        st.divider()
        if bench.store.recovery_note:
            st.warning(bench.store.recovery_note, icon=":material/history:")
        try:
            s = status()
        except SSIBenchError as exc:
            st.error(str(exc))
            return
        st.caption("Data")
        if s.is_empty:
            st.text("No data yet.")
        else:
            st.text(
                f"{s.people:,} people · {s.sectors:,} sectors · {s.networks:,} networks\n"
                f"{date_range(s)}"
            )
            if s.is_demo:
                st.warning(
                    "Demo data (synthetic). Remove it on the Data page.", icon=":material/science:"
                )
        st.caption("Admin")
        if admin_password() is None:
            st.text("Open (no admin password set)")
        elif is_admin():
            st.text("Unlocked")
            if st.button("Lock admin", key="sidebar_lock_admin"):
                st.session_state.pop("admin_ok", None)
                st.rerun()
        else:
            st.text("Locked")


def date_range(s: Status) -> str:
    if s.first_date is None or s.last_date is None:
        return "no snapshot dates"
    if s.first_date == s.last_date:
        return f"snapshot {s.last_date.isoformat()}"
    return f"snapshots {s.first_date.isoformat()} to {s.last_date.isoformat()}"


def show_error(exc: BaseException) -> None:
    """A known error as a message the user can act on (never a traceback)."""
    st.error(str(exc))


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


# ---------------------------------------------------------------------------- share links
def _page_slugs() -> set[str]:
    slugs = set()
    for page in PAGES_DIR.glob("*.py"):
        slugs.add(re.sub(r"^\d+_", "", page.stem))
    return slugs


def share_base_url() -> str:
    """The app's root URL as the browser sees it, or "" (a relative link) when unknown."""
    url = None
    try:
        url = st.context.url
    except Exception:  # no session context (bare mode): fall back to a relative link
        url = None
    if not url:
        return ""
    parts = urlsplit(url)
    path = parts.path.rstrip("/")
    last = path.rsplit("/", 1)[-1] if path else ""
    if last in _page_slugs():
        path = path[: -len(last)].rstrip("/")
    return f"{parts.scheme}://{parts.netloc}{path}"


def share_link(token: str) -> str:
    base = share_base_url()
    return f"{base}/?share={token}" if base else f"?share={token}"


def share_button(view: dict[str, Any], person_key: str | None = None, key: str = "share") -> None:
    """A "Share this view" button; once pressed, the link to copy."""
    state_key = f"{key}_link"
    if st.button("Share this view", key=f"{key}_button", icon=":material/link:"):
        try:
            token = get_bench().share_create(view, person_key=person_key)
        except SSIBenchError as exc:
            show_error(exc)
            return
        st.session_state[state_key] = {"view": view, "link": share_link(token)}
    shared = st.session_state.get(state_key)
    if shared and shared.get("view") == view:
        days = get_bench().settings.share_days
        st.caption(
            f"Anyone on your network with this link sees this view, read-only, for {days} "
            "days (an admin can revoke it on the Data page)."
        )
        st.code(shared["link"], language=None)


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
    st.info("A shared view (read-only).", icon=":material/link:")
    try:
        if page == "my_benchmark" and isinstance(view.get("snapshot"), dict):
            # A personal view is shown as it was shared, not recomputed on newer data.
            st.title("Benchmark")
            st.caption(f"As shared on {str(shared.get('created_at', ''))[:10]}.")
            mb = MyBenchmark.from_dict(view["snapshot"])
            render_my_benchmark(mb, bench.settings.min_cohort, key="shared")
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
            render_my_benchmark(mb, bench.settings.min_cohort, key="shared")
        elif page == "trends" and shared.get("person_key"):
            metric = str(view.get("metric", "ssi"))
            st.title("Trend")
            render_trend(bench.trend(person_key=shared["person_key"], metric=metric), metric)
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


def _date_or_none(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


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


def render_my_benchmark(mb: MyBenchmark, k: int, key: str = "mb") -> None:
    """Everything on My benchmark for one result (also used for a shared personal view)."""
    top = st.columns([1, 1.6, 1.3, 1])
    top[0].metric("SSI", fmt_num(mb.scores.get("ssi")))
    top[1].metric("Band", mb.band or "–")
    top[2].metric("As of", mb.as_of.isoformat())
    top[3].metric("Minimum cohort size", f"{k}")
    st.text(f"Sector: {mb.sector or '—'}    Network: {mb.network or '—'}")

    tabs = st.tabs([METRIC_LABELS[m] for m in METRICS if m in mb.standings])
    for tab, metric in zip(tabs, [m for m in METRICS if m in mb.standings], strict=True):
        with tab:
            score = mb.scores.get(metric)
            c1, c2 = st.columns([1, 3])
            c1.metric("Your score", fmt_num(score))
            if metric == "ssi":
                c1.caption(f"Band: {mb.band}")
            with c2:
                for kind in ("sector", "network", "all"):
                    standing = mb.standings[metric].get(kind)
                    if standing is None:
                        continue
                    name = (
                        mb.sector if kind == "sector" else mb.network if kind == "network" else None
                    )
                    render_standing(
                        f"{KIND_LABELS[kind]}" + (f" — {name}" if name else ""), standing, k
                    )
            cohorts = [
                (cohort_label(kind, mb.sector if kind == "sector" else mb.network), rows[metric])
                for kind, rows in mb.quantiles.items()
                if metric in rows
            ]
            st.plotly_chart(
                charts.distribution_figure(cohorts, score, metric),
                key=f"{key}_dist_{metric}",
                theme="streamlit",
            )
            withheld = [label for label, row in cohorts if row.p25 is None]
            if withheld:
                st.caption(
                    "Quartiles are shown only for cohorts of 20 or more people; withheld for: "
                    + ", ".join(safe_md(w) for w in withheld)
                )

    if any(mb.scores.get(p) is not None for p in PILLARS):
        medians = [
            (cohort_label(kind, mb.sector if kind == "sector" else mb.network),
             {p: rows[p].p50 for p in PILLARS if p in rows})
            for kind, rows in mb.quantiles.items()
        ]  # fmt: skip
        st.subheader("Your pillars")
        gap = pillar_gap(mb)
        behind = mb.weakest_pillar if gap is not None and gap > 0 else None
        st.plotly_chart(
            charts.pillar_figure(mb.scores, medians, behind),
            key=f"{key}_pillars",
            theme="streamlit",
        )
        if behind is not None and gap is not None:
            st.markdown(
                f"Furthest behind the cohort median: **{METRIC_LABELS[behind]}** "
                f"({gap:.2f} points below)."
            )
        elif gap is not None:
            st.markdown("You are at or above the cohort median on every pillar.")

    if mb.linkedin:
        st.subheader("LinkedIn's figures next to ours")
        st.dataframe(linkedin_table(mb), hide_index=True, key=f"{key}_linkedin")
        st.caption(
            "LinkedIn ranks you against all its members in your industry and your LinkedIn "
            "network; SSI Bench ranks you against the people in your upload."
        )


def pillar_gap(mb: MyBenchmark) -> float | None:
    """Points by which the weakest pillar trails the median it was judged against
    (sector, else everyone — as the library chooses it); negative when ahead."""
    if mb.weakest_pillar is None:
        return None
    mine = mb.scores.get(mb.weakest_pillar)
    for kind in ("sector", "all"):
        row = mb.quantiles.get(kind, {}).get(mb.weakest_pillar)
        if row is not None and row.p50 is not None and mine is not None:
            return float(row.p50 - mine)
    return None


def linkedin_table(mb: MyBenchmark) -> pd.DataFrame:
    """LinkedIn's own ranks and averages beside SSI Bench's, as a text table."""
    rows: list[dict[str, str]] = []

    def ours_top(kind: str) -> str:
        s = mb.standings.get("ssi", {}).get(kind)
        if s is None or s.suppressed or s.top_percent is None:
            return "withheld (small cohort)" if s is not None else "–"
        return f"Top {fmt_pct(s.top_percent)}"

    li = mb.linkedin
    if "industry_rank" in li:
        rows.append(
            {
                "figure": "Industry / sector rank",
                "LinkedIn": f"Top {fmt_pct(li['industry_rank'])}",
                "SSI Bench (your upload)": ours_top("sector"),
            }
        )
    if "network_rank" in li:
        rows.append(
            {
                "figure": "Network rank",
                "LinkedIn": f"Top {fmt_pct(li['network_rank'])}",
                "SSI Bench (your upload)": ours_top("network"),
            }
        )
    for group, kind in (("industry", "sector"), ("network", "network")):
        for metric in METRICS:
            col = f"{group}_avg_{metric}"
            if col not in li:
                continue
            row = mb.quantiles.get(kind, {}).get(metric)
            ours = (
                fmt_num(row.p50) + " (median)" if row is not None and row.p50 is not None else "–"
            )
            rows.append(
                {
                    "figure": f"{group.capitalize()} average · {METRIC_LABELS[metric]}",
                    "LinkedIn": fmt_num(li[col]),
                    "SSI Bench (your upload)": ours,
                }
            )
    return pd.DataFrame(rows, columns=["figure", "LinkedIn", "SSI Bench (your upload)"])


def cohort_comparison_page(kind: Literal["sector", "network"]) -> None:
    """The whole Sectors or Networks page: the two differ only in the cohort kind."""
    plural = f"{kind}s"
    title = plural.capitalize()
    bench = page_setup(title, ":material/factory:" if kind == "sector" else ":material/hub:")
    st.title(title)
    st.caption(
        f"Only {plural} of at least {bench.settings.min_cohort} people are measured; quartiles "
        "need 20. Never an individual's point, never a minimum or maximum."
    )
    if status().is_empty:
        stop_with("No data yet: scores must be uploaded first.")
    c1, c2 = st.columns(2)
    with c1:
        metric = metric_select()
    with c2:
        as_of = as_of_input()
    try:
        picked = render_cohorts(kind, metric, as_of, key=plural)
        view = {"page": kind, "metric": metric, "as_of": as_of and as_of.isoformat()}
        share_button({**view, "selected": picked}, key=f"{plural}_share")
    except SSIBenchError as exc:
        show_error(exc)


def render_trend(trend: pd.DataFrame, metric: str, key: str = "trend") -> None:
    """A person's own history against their sector's band; drops marked."""
    if trend.empty:
        st.info("No snapshots for this metric yet.")
        return
    last = trend.iloc[-1]
    c = st.columns(3)
    c[0].metric("Latest score", fmt_num(last["score"]), help=str(last["snapshot_date"]))
    c[1].metric("Snapshots", f"{len(trend):,}")
    c[2].metric("Drops of 5+ points", f"{int(trend['drop'].fillna(False).sum()):,}")
    st.text(f"Latest standing in your sector: {last.get('display') or '—'}")
    st.plotly_chart(charts.trend_figure(trend, metric), key=f"{key}_line", theme="streamlit")
    if trend["percentile"].notna().any():
        st.plotly_chart(charts.percentile_figure(trend), key=f"{key}_pct", theme="streamlit")
    else:
        st.caption("No exact percentile history: your sector was below 30 people at every date.")
    drops = trend[trend["drop"].fillna(False).astype(bool)]
    if len(drops):
        st.caption(
            "Drops of 5 points or more between consecutive snapshots (the SSI falls when "
            "you are inactive on LinkedIn, e.g. on holiday):"
        )
        st.dataframe(drops[["snapshot_date", "score"]], hide_index=True, key=f"{key}_drops")


def render_cohorts(
    kind: Kind,
    metric: str,
    as_of: dt.date | None,
    selected: Sequence[str] | None = None,
    key: str = "cohorts",
    on_select: Callable[[list[str]], None] | None = None,
) -> list[str]:
    """Sectors or Networks side by side: sizes, quantile boxes, pillar profiles, trend.

    Only publishable cohorts are drawn; the others are listed as "fewer than k". Returns
    the cohorts picked for the trend chart.
    """
    k = get_bench().settings.min_cohort
    names = cohort_names(kind, as_of)
    if not names:
        st.info(f"No {kind}s in the data as of this date.")
        return []
    publishable = [c for c in names if c.publishable]
    small = [c for c in names if not c.publishable]
    plural = "sectors" if kind == "sector" else "networks"

    st.subheader("Cohort sizes")
    sizes = pd.DataFrame(
        {
            kind: [c.name for c in names],
            "people": [f"{c.n:,}" if c.n is not None else f"fewer than {k}" for c in names],
            "shown": ["yes" if c.publishable else "no (too small)" for c in names],
        }
    )
    st.dataframe(sizes, hide_index=True, key=f"{key}_sizes")
    if small:
        st.caption(
            f"{len(small)} of {len(names)} {plural} have fewer than {k} people: listed, "
            "never measured."
        )

    rows = [r for r in benchmarks(kind, as_of) if r.kind == kind]
    st.subheader(f"{METRIC_LABELS[metric]} by {kind}")
    metric_rows = [r for r in rows if r.metric == metric]
    if any(r.p25 is not None for r in metric_rows):
        st.plotly_chart(
            charts.cohort_box_figure(metric_rows, metric), key=f"{key}_box", theme="streamlit"
        )
    else:
        st.info(f"No {kind} has the 20 people needed to publish quartiles.")
    table = quantile_table(metric_rows, k)
    st.dataframe(table, hide_index=True, key=f"{key}_quantiles")

    st.subheader("Pillar profiles")
    profile = charts.pillar_profile_table(rows)
    if profile.empty:
        st.info("No published pillar medians yet.")
    else:
        st.plotly_chart(
            charts.pillar_profile_figure(profile), key=f"{key}_profile", theme="streamlit"
        )
        st.dataframe(
            profile[["cohort", "strongest", "weakest", *PILLARS]]
            .rename(columns={p: METRIC_LABELS[p] for p in PILLARS})
            .round(2),
            hide_index=True,
            key=f"{key}_profile_table",
        )

    st.subheader("Median over time")
    options = [c.name for c in sorted(publishable, key=lambda c: -(c.n or 0))]
    default = [s for s in (selected or options[:4]) if s in options]
    if selected is None:
        picked = st.multiselect(
            f"{plural.capitalize()} to compare", options, default=default, key=f"{key}_pick"
        )
    else:
        picked = default
    trends = [(name, cohort_trend(kind, name, metric)) for name in picked]
    if trends:
        st.plotly_chart(
            charts.cohort_trend_figure(trends, metric), key=f"{key}_trend", theme="streamlit"
        )
    return list(picked)


def quantile_table(rows: Iterable[BenchmarkRow], k: int) -> pd.DataFrame:
    """Published quantiles as a readable table; withheld values say why."""
    records = []
    for r in rows:
        records.append(
            {
                "cohort": r.name if r.name is not None else "Everyone",
                "people": f"{r.n:,}" if r.n is not None else f"fewer than {k}",
                **{q: fmt_num(getattr(r, q), 1) for q in charts.QUANTILE_NAMES},
            }
        )
    return pd.DataFrame(records, columns=["cohort", "people", *charts.QUANTILE_NAMES])


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


def rejects_frame(rejects: Sequence[Reject], limit: int | None = None) -> pd.DataFrame:
    """Reject report as a table (person values are already masked by the library)."""
    shown = rejects if limit is None else rejects[:limit]
    frame = pd.DataFrame(
        {
            "file": [r.file or "" for r in shown],
            "line": [r.line for r in shown],
            "field": [r.field for r in shown],
            "reason": [r.reason for r in shown],
        }
    )
    if not any(r.file for r in shown):
        frame = frame.drop(columns=["file"])
    return frame


def stop_with(message: str) -> NoReturn:
    st.info(message)
    st.stop()


# ---------------------------------------------------------------------------- upload
UPLOAD_TYPES = ["csv", "tsv", "txt", "xlsx", "json"]


def upload_fingerprint(files: Sequence[tuple[str, bytes]], options: IngestOptions) -> str:
    """SHA-256 over the files' names and contents and the options: what "the same import" is.

    The person value enters only through this one-way hash.
    """
    h = hashlib.sha256()
    for name, data in files:
        h.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
    h.update(repr(sorted(options.to_dict().items())).encode())
    h.update(hashlib.sha256((options.person or "").encode()).digest())
    return h.hexdigest()


def preview_files(
    files: Sequence[tuple[str, bytes]], options: IngestOptions
) -> list[tuple[str, Preview | str]]:
    """Preview of every file (or the error message that refuses it), remembered per session
    so a rerun does not read a large file again."""
    cache: dict[str, list[tuple[str, Preview | str]]] = st.session_state.setdefault(
        "preview_cache", {}
    )
    fp = upload_fingerprint(files, options)
    if fp not in cache:
        bench = get_bench()
        out: list[tuple[str, Preview | str]] = []
        for name, data in files:
            try:
                out.append((name, bench.preview(data, name, options)))
            except SSIBenchError as exc:
                out.append((name, str(exc)))
        cache.clear()  # keep one: previews can be large
        cache[fp] = out
    return cache[fp]


def render_preview(preview: Preview, key: str) -> None:
    """How a file was read: encoding, separator, decimal mark, date order, mapping, rejects."""
    sep = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}.get(
        preview.delimiter or "", preview.delimiter or "—"
    )
    c = st.columns(5)
    c[0].metric("Rows read", f"{preview.rows_read:,}")
    c[1].metric("Valid rows", f"{preview.rows_valid:,}")
    c[2].metric("Rejected", f"{len(preview.rejects):,}")
    c[3].metric("Encoding", preview.encoding)
    c[4].metric("Layout", preview.layout)
    order = {"dmy": "day first", "mdy": "month first", "ymd": "year first"}.get(
        preview.date_order or "", "—"
    )
    st.text(
        f"Separator: {sep}    Decimal mark: {'comma' if preview.decimal == ',' else 'point'}"
        f"    Date order: {order}"
    )
    for note in preview.notes:
        st.text(note)
    mapping = pd.DataFrame(
        {"field": list(preview.mapping), "read from column": list(preview.mapping.values())}
    )
    st.caption("Column mapping")
    st.dataframe(mapping, hide_index=True, key=f"{key}_mapping")
    if preview.ignored_columns:
        st.caption("Ignored columns (not used, not stored)")
        st.dataframe(
            pd.DataFrame({"column": preview.ignored_columns}),
            hide_index=True,
            key=f"{key}_ignored",
        )
    if preview.rejects:
        st.caption(f"Rows that would be rejected (first {min(len(preview.rejects), 200)})")
        st.dataframe(rejects_frame(preview.rejects, 200), hide_index=True, key=f"{key}_rejects")


def import_once(
    fingerprint: str, run: Callable[[Callable[[float, str], None]], IngestResult]
) -> IngestResult | None:
    """Run an import with a progress bar unless this exact import already ran in the session.

    Returns the result (the earlier one when it already ran), or None on a refused file
    (the message is shown).
    """
    done: dict[str, IngestResult] = st.session_state.setdefault("imported", {})
    if fingerprint in done:
        st.info("This exact import already ran in this session; nothing was imported again.")
        return done[fingerprint]
    if not assert_admin():
        return None
    bar = st.progress(0.0, text="Starting")

    def progress(fraction: float, message: str) -> None:
        bar.progress(min(max(float(fraction), 0.0), 1.0), text=message)

    try:
        result = run(progress)
    except SSIBenchError as exc:
        bar.empty()
        show_error(exc)
        return None
    bar.progress(1.0, text="Done")
    done[fingerprint] = result
    st.session_state["last_import"] = result
    return result


def render_ingest_result(result: IngestResult, key: str = "result") -> None:
    """Counts, the reject report on screen, and the report as a formula-safe CSV."""
    st.success(f"Imported as upload #{result.upload_id}.", icon=":material/check_circle:")
    c = st.columns(5)
    c[0].metric("Read", f"{result.rows_read:,}")
    c[1].metric("Accepted", f"{result.rows_accepted:,}")
    c[2].metric("Rejected", f"{result.rows_rejected:,}")
    c[3].metric("New", f"{result.rows_new:,}")
    c[4].metric("Updated", f"{result.rows_updated:,}")
    if result.ignored_columns:
        st.caption("Ignored columns")
        st.dataframe(
            pd.DataFrame({"column": result.ignored_columns}), hide_index=True, key=f"{key}_ign"
        )
    if result.rejects:
        st.caption("Rejected rows (the person value is masked)")
        st.dataframe(rejects_frame(result.rejects), hide_index=True, key=f"{key}_rejects")
        st.download_button(
            "Download the reject report (CSV)",
            get_bench().rejects_csv(list(result.rejects)),
            file_name=f"rejects-upload-{result.upload_id}.csv",
            mime="text/csv",
            key=f"{key}_download",
            on_click="ignore",
        )


# ---------------------------------------------------------------------------- admin tables
def flash(message: str) -> NoReturn:
    """Rerun the page (so every table shows the new state) and show ``message`` on top."""
    st.session_state["flash"] = message
    st.rerun()


def show_flash() -> None:
    message = st.session_state.pop("flash", None)
    if message:
        st.success(message, icon=":material/check_circle:")


def uploads_frame(uploads: Sequence[UploadInfo]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "upload": [u.upload_id for u in uploads],
            "uploaded": [u.uploaded_at.strftime("%Y-%m-%d %H:%M") for u in uploads],
            "file": [u.file_name for u in uploads],
            "read": [u.rows_read for u in uploads],
            "accepted": [u.rows_accepted for u in uploads],
            "rejected": [u.rows_rejected for u in uploads],
            "new": [u.rows_new for u in uploads],
            "updated": [u.rows_updated for u in uploads],
            "rows now": [u.rows_live for u in uploads],
            "demo": ["yes" if u.is_demo else "" for u in uploads],
            "SHA-256": [u.file_sha256[:12] + "…" for u in uploads],
        }
    )


def share_ids(shares: Sequence[dict[str, Any]]) -> list[int]:
    return [int(s.get("share_id", s.get("id", 0))) for s in shares]


def shares_frame(shares: Sequence[dict[str, Any]]) -> pd.DataFrame:
    """Active share links for the admin: id, page, personal or not, created, expires."""

    def when(value: Any) -> str:
        if isinstance(value, dt.datetime):
            return value.strftime("%Y-%m-%d %H:%M")
        return "" if value is None else str(value)[:16]

    records = []
    for s in shares:
        view = s.get("view") or {}
        records.append(
            {
                "link": f"#{s.get('share_id', s.get('id', ''))}",
                "page": str(s.get("page") or view.get("page", "")),
                "personal": "yes" if s.get("personal") or s.get("person_key") else "",
                "created": when(s.get("created_at", s.get("created"))),
                "expires": when(s.get("expires_at", s.get("expires"))),
            }
        )
    return pd.DataFrame.from_records(
        records, columns=["link", "page", "personal", "created", "expires"]
    )


def settings_frame(settings: Settings) -> pd.DataFrame:
    bands = ", ".join(f"{lo:g}+ {label}" for lo, label in settings.bands)
    rows = [
        ("Minimum cohort size (k)", f"{settings.min_cohort}"),
        ("Quartiles from", "20 people"),
        ("Exact percentiles from", "30 people (banded below)"),
        ("Look-back window", f"{settings.lookback_days} days"),
        ("Score bands", bands),
        ("Largest file", f"{settings.max_upload_mb:,} MB"),
        ("Most rows per file", f"{settings.max_rows:,}"),
        ("Longest cell", f"{settings.max_field_chars:,} characters"),
        ("Share links expire after", f"{settings.share_days} days"),
        ("Admin password", "set" if admin_password() else "not set (open)"),
        ("Database", str(settings.db_path)),
    ]
    return pd.DataFrame(rows, columns=["setting", "value"])
