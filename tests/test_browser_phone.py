"""Phone and laptop layout in a real browser, on the demo data (issue 14).

At 390 × 844, on every page with charts (the demo person opened through a private link, as
a colleague would open theirs, so My benchmark and Trends show a person): no legend overlaps
an axis title or a tick label, and no chart title runs past its chart's width — measured on
the bounding boxes of plotly's SVG parts (``.legend``, ``.xtitle``/``.ytitle``, tick labels,
``.gtitle``), every tab opened in turn. The person's summary starts on the first screen of
My benchmark. At 1400 px no table on any page scrolls sideways inside itself.

One `streamlit run app.py` for the module (127.0.0.1, a free port, a database holding the
demo, seeded before the server starts) and one Debian Chromium. Screenshots go to
test-artifacts/.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import browser_support as bs

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not bs.CHROMIUM.exists(), reason="/usr/bin/chromium is missing"),
]
playwright_sync = pytest.importorskip("playwright.sync_api")

WAIT_MS = 60_000
SECRET = "browser-test-secret-at-least-32-characters"
DEMO_PERSON = "demo-0001@demo.invalid"  # as the README documents it
CHART_PAGES = ["My_benchmark", "Trends", "Sectors", "Networks", "Outcomes"]
ALL_PAGES = ["", *CHART_PAGES]
#: Opened through the private link (a seller's own view); the others in open mode, since a
#: link's seller may not open the managers' Outcomes page.
PERSONAL = ("My_benchmark", "Trends")

#: Per visible plotly chart: its width, its title's left/right edges, and every
#: (legend, part) pair whose boxes intersect (part = axis title or tick label).
MEASURE_JS = """() => {
  const box = e => e.getBoundingClientRect();
  const meets = (a, b) => a.width > 0 && b.width > 0 && a.left < b.right - 0.5
    && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;
  return Array.from(document.querySelectorAll('.js-plotly-plot'))
    .filter(p => box(p).width > 0)
    .map(p => {
      const pb = box(p);
      const parts = Array.from(p.querySelectorAll(
        '.xtitle, .ytitle, [class*="xtitle"], [class*="ytitle"], [class$="tick"] text'));
      const legend = p.querySelector('.legend .bg') || p.querySelector('.legend');
      const overlaps = legend ? parts.filter(e => meets(box(legend), box(e)))
        .map(e => e.textContent) : [];
      const title = p.querySelector('.gtitle');
      const tb = title ? box(title) : null;
      return {title: title ? title.textContent : null, left: pb.left, right: pb.right,
              tleft: tb ? tb.left : null, tright: tb ? tb.right : null,
              parts: parts.length, overlaps};
    });
}"""
TABLES_JS = """() => Array.from(document.querySelectorAll(
    '[data-testid="stDataFrame"], [data-testid="stTable"]')).map(d => {
  const s = d.querySelector('.dvn-scroller') || d;
  return [s.scrollWidth, s.clientWidth];
})"""


def _private_link(db: Path) -> str:
    """Load the demo and make a private link for the demo person (the Data page's way);
    returns the link's query string (``?link=…``)."""
    from ssi_bench import links
    from ssi_bench.api import Bench
    from ssi_bench.config import Settings
    from ssi_bench.pseudonym import load_secret

    saved = {k: os.environ.get(k) for k in ("SSI_BENCH_DB", "SSI_BENCH_SECRET")}
    os.environ["SSI_BENCH_DB"] = str(db / "browser.duckdb")
    os.environ["SSI_BENCH_SECRET"] = SECRET
    try:
        with Bench.open(settings=Settings.from_env()) as bench:
            bench.load_demo()
            [(_, url)] = links.create(bench.store, load_secret(bench.settings), [DEMO_PERSON], 1)
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return url[url.index("?") :]


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[tuple[str, str]]:
    db = tmp_path_factory.mktemp("phone")
    query = _private_link(db)
    with bs.streamlit_server(db, {"SSI_BENCH_SECRET": SECRET}) as url:
        yield url, query


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with playwright_sync.sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=str(bs.CHROMIUM), headless=True, args=bs.CHROMIUM_ARGS
        )
        yield b
        b.close()


def open_page(page, url: str, charts: bool = True) -> None:
    """Go to ``url`` and wait until the script run ends and every chart has drawn (with
    ``charts``: until there is at least one — before the first run the page is idle too)."""
    page.goto(url, wait_until="domcontentloaded")
    page.locator('[data-testid="stMain"] h1').first.wait_for()
    if charts:
        page.locator(".js-plotly-plot .main-svg").first.wait_for(state="attached")
    page.wait_for_function(
        "() => { const s = document.querySelector('[data-testid=\"stStatusWidget\"]');"
        " if (s && /Running/.test(s.innerText)) return false;"
        " return Array.from(document.querySelectorAll('[data-testid=\"stPlotlyChart\"]'))"
        ".every(c => c.querySelector('.main-svg')); }"
    )
    page.wait_for_timeout(800)


def shot(page, name: str) -> None:
    bs.ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(bs.ARTIFACTS / f"phone-{name}.png"), full_page=True)


def check_charts(page, where: str) -> int:
    """Assert the layout rules on every visible chart; returns how many were measured."""
    charts = page.evaluate(MEASURE_JS)
    for c in charts:
        assert c["parts"] > 0, (where, c)  # the selectors found the axes at all
        assert not c["overlaps"], (where, c["title"], c["overlaps"])
        if c["title"]:
            assert c["tleft"] >= c["left"] - 0.5, (where, c)
            assert c["tright"] <= c["right"] + 0.5, (where, c)  # not cut off
    return len(charts)


def test_no_legend_overlaps_an_axis_and_no_title_is_cut_off_at_phone_width(server, browser):
    url, query = server
    context = browser.new_context(viewport={"width": 390, "height": 844})
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    try:
        measured = 0
        for path in CHART_PAGES:
            open_page(page, f"{url}/{path}{query if path in PERSONAL else ''}")
            measured += check_charts(page, path)
            tabs = page.locator('[data-testid="stMain"] [role="tab"]')
            for t in range(tabs.count()):  # a chart in a hidden tab has no size
                tabs.nth(t).click()
                page.wait_for_timeout(600)
                measured += check_charts(page, f"{path} tab {t}")
            shot(page, path.lower())
        assert measured >= 12  # 6 on My benchmark (+ tabs), 2 Trends, 3+3, 2 Outcomes
    finally:
        context.close()


def test_the_persons_summary_is_on_the_first_screen_of_my_benchmark_on_a_phone(server, browser):
    url, query = server
    context = browser.new_context(viewport={"width": 390, "height": 844})
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    try:
        open_page(page, f"{url}/My_benchmark{query}")
        summary = page.get_by_text("Your SSI:").first
        summary.wait_for()
        box = summary.bounding_box()
        assert box is not None and box["y"] < 844, box
        shot(page, "my-benchmark-first-screen")
    finally:
        context.close()


def test_no_table_scrolls_sideways_at_1400_px(server, browser):
    url, query = server
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    try:
        counted = 0
        for path in ALL_PAGES:
            open_page(page, f"{url}/{path}{query if path in PERSONAL else ''}", bool(path))
            page.wait_for_timeout(700)  # the data grid sizes its columns after drawing
            for scroll, client in page.evaluate(TABLES_JS):
                counted += 1
                assert scroll <= client, (path or "Home", scroll, client)
            shot(page, f"tables-{path.lower() or 'home'}")
        assert counted >= 4  # Sectors and Networks: quantiles and pillar profile each
    finally:
        context.close()
