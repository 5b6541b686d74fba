"""The AppTest plumbing every page test shares: a fresh app per test and one way to start it.

AppTest runs the page scripts in the test's own process, so the cached Bench
(``ssi_bench.web.state.get_bench()``) and every ``st.cache_*`` survive from one test to the
next unless cleared: :func:`fresh_app` gives each test its own database file and no cache,
and closes the Bench afterwards.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import pytest
import streamlit as st  # noqa: TID251 - AppTest plumbing
from streamlit.testing.v1 import AppTest  # noqa: TID251

from ssi_bench.web.state import get_bench

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
#: Settings a test would otherwise inherit from the shell that runs pytest.
UNSET: tuple[str, ...] = ("SSI_BENCH_ADMIN_PASSWORD", "SSI_BENCH_MIN_COHORT")


@contextlib.contextmanager
def fresh_app(
    db: Path,
    monkeypatch: pytest.MonkeyPatch,
    secret: str,
    env: Mapping[str, str] | None = None,
    unset: Sequence[str] = UNSET,
) -> Iterator[None]:
    """The app on the database file ``db`` with project secret ``secret`` (32+ characters),
    ``env`` set and ``unset`` removed from the environment, and no Streamlit cache from
    before; on exit the cached Bench is closed and the caches cleared again (even if closing
    raises)."""
    monkeypatch.setenv("SSI_BENCH_DB", str(db))
    monkeypatch.setenv("SSI_BENCH_SECRET", secret)
    for name, value in (env or {}).items():
        monkeypatch.setenv(name, value)
    for name in unset:
        monkeypatch.delenv(name, raising=False)
    st.cache_resource.clear()
    st.cache_data.clear()
    yield
    try:
        get_bench().close()
    finally:
        st.cache_resource.clear()
        st.cache_data.clear()


def start_app(page: str | None = None, timeout: float = 60, **query: str) -> AppTest:
    """app.py run once with ``query`` as URL parameters, then switched to ``page`` (a path
    such as ``"pages/7_Data.py"``) when given. Does not check for exceptions: callers assert
    what they expect."""
    at = AppTest.from_file(APP, default_timeout=timeout)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    if page is not None:
        at.switch_page(page).run()
    return at
