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
from collections.abc import Iterator
from pathlib import Path

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


@contextlib.contextmanager
def streamlit_server(
    db_dir: Path,
    extra_env: dict[str, str] | None = None,
    app: Path | None = None,
    base_url_path: str = "",
) -> Iterator[str]:
    """`streamlit run app.py` (or ``app``) on 127.0.0.1 and a free port with a temporary
    database, optionally under ``base_url_path``; yields its URL (prefix included)."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SSI_BENCH_")}
    env.update(
        {
            "SSI_BENCH_DB": str(db_dir / "browser.duckdb"),
            "SSI_BENCH_SECRET": "browser-test-secret-at-least-32-characters",
            **(extra_env or {}),
        }
    )
    log = (db_dir / "streamlit.log").open("wb")
    argv = streamlit_argv(app or ROOT / "app.py", port, base_url_path)
    proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    prefix = "/" + base_url_path.strip("/") if base_url_path.strip("/") else ""
    url = f"http://127.0.0.1:{port}{prefix}"
    try:
        wait_healthy(url, proc)
        yield url
    finally:
        stop(proc)
        log.close()


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
