"""Peak RSS of a real `streamlit run app.py` process while pages are loaded in Chromium.

The server runs with ``SSI_BENCH_DB`` pointing at the benchmark database. Playwright opens
Home, My benchmark (identified through the password field, as a person would), Trends,
Sectors and Networks, waiting for each script run to finish. The server's peak is read
from ``/proc/<pid>/status`` (VmHWM, the kernel's high-water mark, summed with any child
processes) and cross-checked by sampling psutil RSS every 50 ms. Every wait is bounded and
the server is always terminated.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

from benchmarks.common import ROOT, SECRET

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"]
PAGES = ("Home", "My benchmark", "Trends", "Sectors", "Networks")
#: Charts each page draws once its script run is complete (with data and a person).
CHARTS = {"Home": 0, "My benchmark": 1, "Trends": 1, "Sectors": 3, "Networks": 3}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _hwm(pid: int) -> int:
    """VmHWM of ``pid`` in bytes (0 when unreadable)."""
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return 0


def _wait_healthy(url: str, proc: subprocess.Popen[bytes], timeout: float) -> None:
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


def _settle(page: Any, timeout_ms: int) -> None:
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout_ms)
    page.wait_for_timeout(300)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " || !document.querySelector('[data-testid=\"stStatusWidget\"]').innerText"
        ".match(/Running/)",
        timeout=timeout_ms,
    )
    page.wait_for_timeout(300)


def _drive(url: str, identifier: str | None, timeout: float) -> list[str]:
    """Open every page once (identify on My benchmark); returns page load notes."""
    from playwright.sync_api import sync_playwright

    ms = int(timeout * 1000)
    notes = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(ms)
            # One browser session throughout: the first page by URL, the others through the
            # sidebar links, so the identification made on My benchmark carries to Trends.
            page.goto(url, wait_until="domcontentloaded")
            for label in PAGES:
                t0 = time.perf_counter()
                if label != "Home":
                    page.locator('[data-testid="stSidebar"] a').filter(has_text=label).first.click()
                _settle(page, ms)
                if label == "My benchmark" and identifier:
                    page.locator('input[aria-label^="Your identifier"]').fill(identifier)
                    page.get_by_role("button", name="Identify me").click()
                    page.get_by_text("Forget me").first.wait_for(timeout=ms)
                    _settle(page, ms)
                if identifier or label == "Home":
                    # Wait for the page's charts: the status widget alone can settle early.
                    page.wait_for_function(
                        "n => document.querySelectorAll("
                        "'[data-testid=\"stMain\"] .js-plotly-plot').length >= n",
                        arg=CHARTS[label],
                        timeout=ms,
                    )
                    _settle(page, ms)
                took = time.perf_counter() - t0
                if label == "Trends" and identifier and not page.get_by_text("Forget me").count():
                    raise RuntimeError("the identification did not carry over to Trends")
                notes.append(f"{label} {took:.1f} s")
        finally:
            browser.close()
    return notes


def measure(db: Path, identifier: str | None, timeout: float = 300) -> dict[str, Any]:
    """Peak RSS (bytes) of the app process serving ``db`` while every page is loaded."""
    import psutil

    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SSI_BENCH_")}
    env.update({"SSI_BENCH_DB": str(db), "SSI_BENCH_SECRET": SECRET})
    log_path = db.parent / f"streamlit-{port}.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(  # fixed argv, no shell
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                str(ROOT / "app.py"),
                "--server.address",
                "127.0.0.1",
                "--server.port",
                str(port),
                "--server.headless",
                "true",
                "--browser.gatherUsageStats",
                "false",
                "--server.fileWatcherType",
                "none",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    sampled = [0]
    stop = threading.Event()

    def sample() -> None:
        p = psutil.Process(proc.pid)
        while not stop.is_set():
            with contextlib.suppress(psutil.Error):
                rss = p.memory_info().rss + sum(
                    c.memory_info().rss for c in p.children(recursive=True)
                )
                sampled[0] = max(sampled[0], rss)
            stop.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        url = f"http://127.0.0.1:{port}"
        t0 = time.perf_counter()
        _wait_healthy(url, proc, timeout=min(timeout, 120))
        idle = _hwm(proc.pid)
        notes = _drive(url, identifier, timeout)
        hwm = _hwm(proc.pid)
        rss_now = psutil.Process(proc.pid).memory_info().rss
        took = time.perf_counter() - t0
    finally:
        stop.set()
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
        sampler.join(timeout=5)
    log_path.unlink(missing_ok=True)
    return {
        "peak_rss": max(hwm, sampled[0]),
        "hwm": hwm,
        "sampled": sampled[0],
        "idle_rss": idle,
        "rss_end": rss_now,
        "seconds": took,
        "pages": notes,
    }
