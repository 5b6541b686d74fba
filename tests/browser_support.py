"""Helpers for the browser tests: a real `streamlit run` server and the test data.

Kept out of conftest.py (the lead's) and importable by ``tests/test_browser.py`` only.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
HOSTILE = [
    "<script>alert(1)</script>",
    "[x](javascript:alert(1))",
    '=HYPERLINK("http://x")',
    "$x$",
    "<img src=x onerror=alert(2)>",
]
PILLARS = ("brand", "people", "insights", "relationships")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_healthy(url: str, proc: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited early with code {proc.returncode}")
        with (
            contextlib.suppress(OSError),
            urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp,
        ):
            if resp.status == 200:
                return
        time.sleep(0.3)
    raise TimeoutError(f"{url} not healthy after {timeout:.0f} s")


def streamlit_argv(script: Path, port: int, base_url_path: str = "") -> list[str]:
    """``streamlit run script`` on 127.0.0.1:``port``, headless, no file watcher, optionally
    under a path prefix — the one command line every test server uses."""
    argv = [
        sys.executable, "-m", "streamlit", "run", str(script),
        "--server.address", "127.0.0.1", "--server.port", str(port),
        "--server.headless", "true", "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",
    ]  # fmt: skip
    if base_url_path.strip("/"):
        argv += ["--server.baseUrlPath", base_url_path.strip("/")]
    return argv


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Terminate a server process, killing it if it does not stop within 15 s."""
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)


def clean_env() -> dict[str, str]:
    """This process's environment without any ``SSI_BENCH_*`` setting: a test server gets
    only the settings its test gives it."""
    return {k: v for k, v in os.environ.items() if not k.startswith("SSI_BENCH_")}


@contextlib.contextmanager
def streamlit_process(
    script: Path,
    port: int,
    env: Mapping[str, str],
    log_dir: Path,
    cwd: Path = ROOT,
    base_url_path: str = "",
) -> Iterator[str]:
    """`streamlit run script` (:func:`streamlit_argv`) from ``cwd`` with exactly ``env``, its
    output in ``log_dir/streamlit.log``; yields its URL (prefix included) once healthy and
    stops it on exit. Raises ``RuntimeError`` if it exits early, ``TimeoutError`` if it is
    not healthy within 60 s."""
    prefix = "/" + base_url_path.strip("/") if base_url_path.strip("/") else ""
    url = f"http://127.0.0.1:{port}{prefix}"
    argv = streamlit_argv(script, port, base_url_path)
    with (log_dir / "streamlit.log").open("wb") as log:
        proc = subprocess.Popen(argv, cwd=cwd, env=dict(env), stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_healthy(url, proc)
            yield url
        finally:
            stop(proc)


@contextlib.contextmanager
def streamlit_server(
    db_dir: Path,
    extra_env: dict[str, str] | None = None,
    app: Path | None = None,
    base_url_path: str = "",
) -> Iterator[str]:
    """`streamlit run app.py` (or ``app``) on 127.0.0.1 and a free port with a temporary
    database, optionally under ``base_url_path``; yields its URL (prefix included)."""
    env = clean_env()
    env.update(
        {
            "SSI_BENCH_DB": str(db_dir / "browser.duckdb"),
            "SSI_BENCH_SECRET": "browser-test-secret-at-least-32-characters",
            **(extra_env or {}),
        }
    )
    script = app or ROOT / "app.py"
    with streamlit_process(script, free_port(), env, db_dir, base_url_path=base_url_path) as url:
        yield url


@contextlib.contextmanager
def seeding_bench(db_dir: Path, secret: str) -> Iterator[Any]:
    """A Bench on the database file :func:`streamlit_server` gives its app
    (``db_dir/browser.duckdb``) with project secret ``secret``, to seed it before the server
    starts; closed on exit, and ``SSI_BENCH_DB`` / ``SSI_BENCH_SECRET`` restored to what they
    were (this process's environment is the test run's)."""
    from ssi_bench.api import Bench
    from ssi_bench.config import Settings

    names = ("SSI_BENCH_DB", "SSI_BENCH_SECRET")
    saved = {k: os.environ.get(k) for k in names}
    os.environ["SSI_BENCH_DB"] = str(db_dir / "browser.duckdb")
    os.environ["SSI_BENCH_SECRET"] = secret
    try:
        with Bench.open(settings=Settings.from_env()) as bench:
            yield bench
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@contextlib.contextmanager
def chromium() -> Iterator[Any]:
    """Debian's Chromium (:data:`CHROMIUM`) through Playwright, headless; closed on exit.
    Raises ``ImportError`` without Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


def screenshot(page: Any, name: str) -> Path:
    """A full-page screenshot kept as a test artifact: ``test-artifacts/<name>.png``."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def team_rows(latest: str = "2026-11-02") -> list[dict[str, str]]:
    """49 Software people (ssi 35.0 … 54.2), 20 Retail people, and 22 per hostile sector."""
    rows: list[dict[str, str]] = []
    for i in range(49):
        rows.append(
            {
                "email": f"s{i:02d}@x.test",
                "date": latest,
                "sector": "Software",
                "network": "Team Big" if i < 30 else "Team Mid" if i < 45 else "Team Tiny",
                "brand": f"{5 + 0.4 * i:.2f}",
                "people": "10",
                "insights": "10",
                "relationships": "10",
            }
        )
    for j in range(20):
        rows.append(
            {
                "email": f"r{j:02d}@x.test",
                "date": latest,
                "sector": "Retail",
                "network": "",
                "brand": "5",
                "people": "5",
                "insights": "5",
                "relationships": f"{5 + 0.2 * j:.2f}",
            }
        )
    for s, sector in enumerate(HOSTILE):
        for i in range(22):  # 20+ people: quartiles are published, so charts name them
            rows.append(
                {
                    "email": f"h{s}-{i}@x.test",
                    "date": latest,
                    "sector": sector,
                    "network": HOSTILE[(s + 1) % len(HOSTILE)],
                    "brand": f"{8 + s + 0.5 * i:.2f}",
                    "people": "9",
                    "insights": "9",
                    "relationships": "9",
                }
            )
    return rows


def csv_text(rows: list[dict[str, str]], sep: str = ";") -> str:
    """A CSV as Excel writes it in a European locale (`;`, quoted text where needed)."""
    header = list(rows[0])

    def cell(value: str) -> str:
        if any(ch in value for ch in (sep, '"', "\n")):
            return '"' + value.replace('"', '""') + '"'
        return value

    lines = [sep.join(header)] + [sep.join(cell(r[h]) for h in header) for r in rows]
    return "\n".join(lines) + "\n"


def ssi(row: dict[str, str]) -> float:
    return round(sum(float(row[p]) for p in PILLARS), 2)


def top_percent(values: list[float], score: float) -> float:
    """Design's "Top X%" for a member of the cohort: 100·(A + (E+1)/2)/N."""
    above = sum(v > score for v in values)
    equal = sum(v == score for v in values)
    return 100 * (above + (equal + 1) / 2) / len(values)
