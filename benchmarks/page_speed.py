"""Every viewing page's time to idle in a real browser, with the demo data (issue 14).

`streamlit run app.py` on 127.0.0.1 (a free port, a temporary database holding the 400-person
demo), Debian Chromium through Playwright. Time to idle: from ``page.goto`` until the server
has sent "script finished" on the page's websocket and every plotly chart has drawn (on a
personal page also: the person's figures are on screen). Each page is opened
``repeat`` times after one warm-up (the caches keyed by data version are
warm then, as for every visitor after the first); the median is reported beside an empty
page's time (a page whose script only writes a title: the floor of Streamlit itself).

Run alone: ``python -m benchmarks.page_speed [--repeat N]``; or ``python -m benchmarks
--only pages``.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

#: (label, URL path, opened through the demo person's private link).
PAGES: tuple[tuple[str, str, bool], ...] = (
    ("Home", "", False),
    ("My benchmark (before identifying)", "My_benchmark", False),
    ("My benchmark (demo person, private link)", "My_benchmark", True),
    ("Trends (before identifying)", "Trends", False),
    ("Trends (demo person, private link)", "Trends", True),
    ("Sectors", "Sectors", False),
    ("Networks", "Networks", False),
    ("Outcomes", "Outcomes", False),
)
TARGET_S = 1.5
SECRET = "page-speed-benchmark-secret-at-least-32-chars"
IDLE_JS = (
    "(ready) => { const s = document.querySelector('[data-testid=\"stStatusWidget\"]');"
    " if (s && /Running/.test(s.innerText)) return false;"
    " const main = document.querySelector('[data-testid=\"stMain\"]');"
    " if (!main || !main.querySelector('h1')) return false;"
    " const charts = main.querySelectorAll('[data-testid=\"stPlotlyChart\"]');"
    " if (ready && (!charts.length || !main.innerText.toLowerCase().includes(ready)))"
    "   return false;"
    " return Array.from(charts).every(c => c.querySelector('.main-svg')); }"
)
#: On a personal page, idle also needs the person's figures on screen (a chart and this
#: text): the title and an empty chart list are there before their figures are.
PERSONAL_READY = "your sector"


def _seed(db_dir: Path) -> str:
    """Load the 400-person demo and make the demo person's private link (as an admin does on
    the Data page); returns the link's query string ``?link=…``. The token stays in memory."""
    from ssi_bench import links
    from ssi_bench.pseudonym import load_secret
    from ssi_bench.web.home import DEMO_PERSON
    from tests import browser_support as bs

    with bs.seeding_bench(db_dir, SECRET) as bench:
        bench.load_demo()
        [(_, url)] = links.create(bench.store, load_secret(bench.settings), [DEMO_PERSON], 1)
    return url[url.index("?") :]


class _ScriptRuns:
    """When the server last said a script run finished (``ForwardMsg.script_finished`` on the
    page's websocket): the status widget's "Running" text is not a reliable sign, a page
    without charts looked idle while its script was still building figures."""

    def __init__(self, page: Any) -> None:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: TID251 - reads the wire

        self._msg = ForwardMsg
        self.finished_at = 0.0
        page.on("websocket", lambda ws: ws.on("framereceived", self._frame))

    def _frame(self, payload: Any) -> None:
        if not isinstance(payload, bytes | bytearray):
            return
        msg = self._msg()
        try:
            msg.ParseFromString(bytes(payload))
        except Exception:
            return
        if msg.WhichOneof("type") == "script_finished":
            self.finished_at = time.perf_counter()


def _time_to_idle(page: Any, runs: _ScriptRuns, target: str, ready: str) -> float:
    """Seconds from navigating to ``target`` until a script run has finished and every chart
    has drawn (and, with ``ready``, that text and a chart are on screen)."""
    t0 = time.perf_counter()
    page.goto(target, wait_until="domcontentloaded")
    page.wait_for_function(IDLE_JS, arg=ready, timeout=60_000, polling=20)
    deadline = time.perf_counter() + 60
    while runs.finished_at < t0 and time.perf_counter() < deadline:
        page.wait_for_timeout(20)
    if runs.finished_at < t0:
        raise TimeoutError(f"{target}: no script run finished within 60 s")
    return time.perf_counter() - t0


def measure(repeat: int = 5) -> dict[str, Any]:
    """Median seconds to idle per page (and for an empty page); raises if Chromium or
    Playwright is missing."""
    from playwright.sync_api import sync_playwright

    from tests import browser_support as bs

    out: dict[str, Any] = {"pages": {}, "repeat": repeat}
    with tempfile.TemporaryDirectory(prefix="page-speed-") as tmp:
        db_dir = Path(tmp)
        link = _seed(db_dir)
        empty = db_dir / "empty_app.py"
        empty.write_text("import streamlit as st\nst.title('Empty')\n")
        with (
            bs.streamlit_server(db_dir, {"SSI_BENCH_SECRET": SECRET}) as url,
            sync_playwright() as p,
        ):
            browser = p.chromium.launch(
                executable_path=str(bs.CHROMIUM), headless=True, args=bs.CHROMIUM_ARGS
            )
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            page = context.new_page()
            runs = _ScriptRuns(page)
            for label, path, personal in PAGES:
                # A personal page is opened as the demo person opens it: through their
                # private link (every load resolves the link, then draws their figures).
                target = f"{url}/{path}" + (link if personal else "")
                ready = PERSONAL_READY if personal else ""
                times = [_time_to_idle(page, runs, target, ready) for _ in range(repeat + 1)]
                out["pages"][label] = statistics.median(times[1:])  # after one warm-up
            context.close()
            browser.close()
        with (
            bs.streamlit_server(db_dir, {"SSI_BENCH_SECRET": SECRET}, app=empty) as url,
            sync_playwright() as p,
        ):
            browser = p.chromium.launch(
                executable_path=str(bs.CHROMIUM), headless=True, args=bs.CHROMIUM_ARGS
            )
            page = browser.new_context().new_page()
            runs = _ScriptRuns(page)
            times = [_time_to_idle(page, runs, url, "") for _ in range(repeat + 1)]
            out["empty"] = statistics.median(times[1:])
            browser.close()
    return out


def report(got: dict[str, Any]) -> str:
    """The RESULTS.md section for these figures."""
    lines = [
        "## Page speed in a real browser (demo data, issue 14)",
        "",
        f"`python -m benchmarks.page_speed`: median of {got['repeat']} loads after one warm-up, "
        "Debian Chromium, 1400×1000, demo data (400 people, 16 weekly dates). Time to idle "
        "= from navigation until the script run ends and every chart has drawn.",
        "",
        "| page | median to idle | empty page | ratio | target | verdict |",
        "|---|---|---|---|---|---|",
    ]
    empty = got["empty"]
    for label, secs in got["pages"].items():
        verdict = "pass" if secs <= TARGET_S else "FAIL"
        lines.append(
            f"| {label} | {secs:.2f} s | {empty:.2f} s | {secs / empty:.1f}× | ≤ {TARGET_S} s "
            f"| {verdict} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.page_speed", description=__doc__)
    p.add_argument("--repeat", type=int, default=5)
    args = p.parse_args(argv)
    print(report(measure(args.repeat)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
