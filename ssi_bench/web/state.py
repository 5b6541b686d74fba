"""The process-wide Bench, the cached queries, and the small page-flow helpers.

- :func:`get_bench` — the one :class:`Bench` of the process (one DuckDB connection);
- cached queries keyed by :meth:`Bench.data_version`, so an upload invalidates them;
- :func:`show_error`, :func:`stop_with`, :func:`flash` / :func:`show_flash`.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal, NoReturn

import pandas as pd
import streamlit as st

from ssi_bench.api import Bench
from ssi_bench.config import Settings
from ssi_bench.errors import SSIBenchError
from ssi_bench.model import BenchmarkRow, CohortKind, CohortSummary, OutcomeResult, Status

Kind = Literal["sector", "network"]


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


def show_error(exc: BaseException) -> None:
    """A known error as a message the user can act on (never a traceback)."""
    st.error(str(exc))


def stop_with(message: str) -> NoReturn:
    st.info(message)
    st.stop()


def flash(message: str) -> NoReturn:
    """Rerun the page (so every table shows the new state) and show ``message`` on top."""
    st.session_state["flash"] = message
    st.rerun()


def show_flash() -> None:
    message = st.session_state.pop("flash", None)
    if message:
        st.success(message, icon=":material/check_circle:")
