"""The viewing pages in a real browser (issue 14): decimal comma, partial pillars, a small
team's placeholder, a share's order and colours, and no sideways scroll at phone width.

One `streamlit run app.py` for the module (127.0.0.1, a free port, a database seeded before
the server starts) and one Debian Chromium. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest

from tests import browser_support as bs

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not bs.CHROMIUM.exists(), reason="/usr/bin/chromium is missing"),
]
playwright_sync = pytest.importorskip("playwright.sync_api")

WAIT_MS = 30_000
SECRET = "browser-test-secret-at-least-32-characters"
PAGES = ["", "My_benchmark", "Trends", "Sectors", "Networks", "Outcomes"]


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[str]:
    db_dir = tmp_path_factory.mktemp("pages")
    from ssi_bench.model import IngestOptions

    with bs.seeding_bench(db_dir, SECRET) as bench:
        bench.ingest(bs.csv_text(bs.team_rows()).encode("utf-8"), "team.csv", IngestOptions())
    with bs.streamlit_server(db_dir, {"SSI_BENCH_SECRET": SECRET}) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with bs.chromium() as b:
        yield b


def new_page(browser, width: int = 1400, height: int = 1000):
    context = browser.new_context(viewport={"width": width, "height": height})
    context.set_default_timeout(WAIT_MS)
    return context, context.new_page()


def settle(page) -> None:
    page.wait_for_selector('[data-testid="stApp"]')
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " || !document.querySelector('[data-testid=\"stStatusWidget\"]').innerText"
        ".match(/Running/)"
    )
    page.wait_for_timeout(500)


def shot(page, name: str) -> None:
    bs.screenshot(page, f"pages-{name}")


def main_text(page) -> str:
    return page.locator('[data-testid="stMain"]').inner_text()


def field(page, label_start: str):
    return page.locator(f'[data-testid="stMain"] input[aria-label^="{label_start}"]').first


def type_into(page, label_start: str, text: str) -> None:
    box = field(page, label_start)
    box.fill(text)
    box.press("Enter")
    settle(page)


def test_decimal_comma_and_partial_pillars_on_home(server, browser):
    context, page = new_page(browser)
    try:
        page.goto(server, wait_until="domcontentloaded")
        page.get_by_text("Check my score").first.wait_for()
        settle(page)
        type_into(page, "Establish your", "14,2")
        type_into(page, "Find the right", "10")
        text = main_text(page)
        assert "never counted as 0" in text  # two pillars typed: refused, not 0
        assert not re.search(r"Top \d+–\d+%", text)
        shot(page, "home-partial")
        type_into(page, "Engage with", "10")
        type_into(page, "Build relationships", "15,3")
        page.get_by_text(re.compile(r"Top \d+–\d+%")).first.wait_for()
        text = main_text(page)
        assert "Your SSI: 49.50" in text  # 14.2 + 10 + 10 + 15.3: the comma is a decimal
        assert "never counted as 0" not in text
        type_into(page, "Build relationships", "14,2,1")
        assert "is not a number" in main_text(page)
        assert not re.search(r"Top \d+–\d+%", main_text(page))
        shot(page, "home-refused")
    finally:
        context.close()


def identify(page, server: str, identifier: str) -> None:
    page.goto(f"{server}/My_benchmark", wait_until="domcontentloaded")
    page.get_by_text("Identify by").first.wait_for()
    settle(page)
    page.locator('input[aria-label^="Your identifier"]').fill(identifier)
    page.get_by_role("button", name="Identify me").click()
    page.get_by_text("Your sector — Software").first.wait_for()
    settle(page)


def test_a_small_team_is_one_placeholder_naming_where_it_is_shown(server, browser):
    context, page = new_page(browser)
    try:
        identify(page, server, "s46@x.test")  # Team Tiny: 4 people
        text = main_text(page)
        assert "shown at Sector: Software instead" in text
        shot(page, "my-benchmark-small-team")
        page.goto(f"{server}/Networks", wait_until="domcontentloaded")
        page.get_by_text("Median over time").first.wait_for()
        settle(page)
        text = main_text(page)
        assert text.count("Team Tiny") == 1  # one placeholder line, no empty row or legend
        svg = " ".join(page.locator(".js-plotly-plot svg text").all_text_contents())
        assert "Team Tiny" not in svg
        shot(page, "networks-small-team")
    finally:
        context.close()


PLOT_READY = """() => Array.from(document.querySelectorAll('.js-plotly-plot'))
  .some(p => p.data && p.data.some(t => t.name === 'median'))"""
PLOT_COLOURS = """() => Array.from(document.querySelectorAll('.js-plotly-plot')).map(
  p => (p.data || []).filter(t => t.name === 'median').map(t => [t.y[0], t.marker.line.color]))
  .filter(a => a.length)"""


def test_a_share_keeps_the_live_order_and_colours(server, browser):
    context, page = new_page(browser)
    try:
        identify(page, server, "s40@x.test")
        page.wait_for_function(PLOT_READY)
        live = page.evaluate(PLOT_COLOURS)
        page.get_by_role("button", name="Share this view").click()
        code = page.locator('[data-testid="stCode"]').first
        code.wait_for()
        link = code.inner_text().strip()
    finally:
        context.close()
    context, page = new_page(browser)
    try:
        page.goto(link, wait_until="domcontentloaded")
        page.get_by_text("A shared view (read-only):").first.wait_for()
        settle(page)
        page.wait_for_function(PLOT_READY)
        shared = page.evaluate(PLOT_COLOURS)
        notice = main_text(page)
        assert "shared on" in notice and "figures as of" in notice
        assert page.get_by_role("link", name=re.compile("Open SSI Bench")).count() == 1
        assert json.dumps(shared[0]) == json.dumps(live[0])
        assert [c for _, c in live[0]][:1] == ["#2E86DE"]  # sector's fixed colour, first
        shot(page, "shared-my-benchmark")
    finally:
        context.close()


def test_no_page_scrolls_sideways_at_phone_width(server, browser):
    context, page = new_page(browser, 390, 844)
    try:
        for path in PAGES:
            page.goto(f"{server}/{path}", wait_until="domcontentloaded")
            page.locator('[data-testid="stMain"] h1').first.wait_for()
            settle(page)
            widths = page.evaluate(
                "() => [document.documentElement.scrollWidth, window.innerWidth,"
                " document.querySelector('[data-testid=\"stMain\"]').scrollWidth]"
            )
            assert widths[0] <= widths[1], (path, widths)
            assert widths[2] <= widths[1], (path, widths)
            shot(page, f"phone-{path.lower() or 'home'}")
        # the person's summary is on the first screen of My benchmark
        identify(page, server, "s40@x.test")
        box = page.get_by_text("Your sector — Software").first.bounding_box()
        assert box is not None and box["y"] + box["height"] <= 844 * 1.5
        shot(page, "phone-my-benchmark-identified")
    finally:
        context.close()
