"""A real browser through the dashboard: upload, import, find my standing, share it.

Debian's Chromium driven by Playwright against `streamlit run app.py` on 127.0.0.1 with a
temporary database. Screenshots of each page go to test-artifacts/ (git-ignored). Every
wait is bounded; the whole module runs in well under two minutes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from tests import browser_support as bs

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not bs.CHROMIUM.exists(),
        reason="/usr/bin/chromium is missing (make chromium / scripts/ensure-chromium.sh)",
    ),
]

playwright_sync = pytest.importorskip("playwright.sync_api")

WAIT_MS = 30_000


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[str]:
    with bs.streamlit_server(tmp_path_factory.mktemp("browser")) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with bs.chromium() as b:
        yield b


class Session:
    """One browser context whose pages fail the test on any JavaScript dialog."""

    def __init__(self, browser, base: str) -> None:
        self.context = browser.new_context(viewport={"width": 1400, "height": 1000})
        self.context.set_default_timeout(WAIT_MS)
        self.base = base
        self.dialogs: list[str] = []
        self.page = self.context.new_page()
        self.page.on("dialog", self._on_dialog)

    def _on_dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def open(self, path: str = "", expect: str | None = None) -> None:
        """Go to a page and wait for its title (or ``expect``) to be drawn."""
        self.page.goto(f"{self.base}/{path}", wait_until="domcontentloaded")
        title = expect or path.replace("_", " ") or "SSI Bench"
        self.page.locator('[data-testid="stMain"]').get_by_text(title).first.wait_for()
        self.settle()

    def settle(self) -> None:
        """Wait until the script run is finished (no running indicator) and charts drew."""
        page = self.page
        page.wait_for_selector('[data-testid="stApp"]', timeout=WAIT_MS)
        page.wait_for_function(
            "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
            " || !document.querySelector('[data-testid=\"stStatusWidget\"]').innerText"
            ".match(/Running/)",
            timeout=WAIT_MS,
        )
        page.wait_for_timeout(600)

    def shot(self, name: str) -> None:
        """Screenshot of the whole page: Streamlit scrolls inside stMain, not the document,
        so the viewport is stretched to the content for the shot and restored after."""
        bs.ARTIFACTS.mkdir(exist_ok=True)
        height = self.page.evaluate(
            "() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight"
        )
        size = self.page.viewport_size or {"width": 1400, "height": 1000}
        self.page.set_viewport_size({"width": size["width"], "height": min(height + 40, 8000)})
        self.page.wait_for_timeout(800)
        self.page.screenshot(path=str(bs.ARTIFACTS / f"{name}.png"))
        self.page.set_viewport_size(size)

    def main_text(self) -> str:
        return self.page.locator('[data-testid="stMain"]').inner_text()

    def close(self) -> None:
        self.context.close()


def top_after(text: str, heading: str) -> float:
    match = re.search(re.escape(heading) + r"\s*\n\s*Top (\d+(?:\.\d+)?)%", text)
    assert match, f"no 'Top X%' under {heading!r} in:\n{text[:3000]}"
    return float(match.group(1))


def test_upload_find_my_standing_and_share_it(server, browser, tmp_path):
    rows = bs.team_rows()
    csv = tmp_path / "team export (Excel NL).csv"
    csv.write_text(bs.csv_text(rows), encoding="utf-8-sig")

    me = Session(browser, server)
    try:
        me.open(expect="Check my score")
        assert "SSI Bench" in me.main_text()
        assert "No data yet" in me.main_text()
        me.shot("01-home-empty")

        # --- upload and import
        me.open("Upload", expect="Upload scores")
        me.page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(
            str(csv)
        )
        me.page.get_by_text("Preview — nothing is written yet").wait_for()
        me.settle()
        assert "semicolon" in me.main_text()
        me.shot("02-upload-preview")
        me.page.get_by_role("button", name=re.compile(r"^Import [\d,]+ valid rows")).click()
        me.page.get_by_text(re.compile(r"Imported as upload #\d+")).wait_for()
        me.settle()
        me.shot("03-upload-imported")

        # --- my benchmark: identify, read the Top X% off the page
        me.open("My_benchmark", expect="Identify by")
        me.page.locator('input[aria-label^="Your identifier"]').fill("s40@x.test")
        me.page.get_by_role("button", name="Identify me").click()
        me.page.get_by_text("Your sector — Software").first.wait_for()
        me.settle()
        text = me.main_text()
        software = [bs.ssi(r) for r in rows if r["sector"] == "Software"]
        expected = bs.top_percent(software, bs.ssi(rows[40]))
        assert top_after(text, "Your sector — Software") == pytest.approx(expected, abs=0.5)
        assert "s40@x.test" not in text
        assert "s40" not in me.page.url
        me.shot("04-my-benchmark")

        # --- share it and open the link in a fresh context
        me.page.get_by_role("button", name="Share this view").click()
        code = me.page.locator('[data-testid="stCode"]').first
        code.wait_for()
        link = code.inner_text().strip()
        assert link.startswith(server + "/?share=")
        other = Session(browser, server)
        try:
            other.page.goto(link, wait_until="domcontentloaded")
            other.page.get_by_text("A shared view (read-only):").first.wait_for()
            other.settle()
            shared = other.main_text()
            assert top_after(shared, "Your sector — Software") == pytest.approx(expected, abs=0.5)
            assert "s40@x.test" not in shared
            other.shot("05-shared-view")
            assert other.dialogs == []
        finally:
            other.close()

        # --- every other page renders; hostile names stay text, no dialog fires
        for n, path in enumerate(["Trends", "Sectors", "Networks", "Outcomes", "Data"], 6):
            me.open(path)
            assert "Traceback" not in me.main_text()
            me.shot(f"{n:02d}-{path.lower()}")
        me.open("Sectors")
        svg_text = " ".join(me.page.locator(".js-plotly-plot svg text").all_text_contents())
        for name in bs.HOSTILE:
            assert name in svg_text, name
        me.open("My_benchmark", expect="Identify by")
        me.page.locator('input[aria-label^="Your identifier"]').fill("h0-3@x.test")
        me.page.get_by_role("button", name="Identify me").click()
        me.page.get_by_text(re.compile("Your sector — ")).first.wait_for()
        me.settle()
        text = me.main_text()
        assert f"Your sector — {bs.HOSTILE[0]}" in text
        assert f"Your network — {bs.HOSTILE[1]}" in text
        assert me.page.locator('[data-testid="stMain"] script').count() == 0
        assert me.page.locator('[data-testid="stMain"] a[href^="javascript"]').count() == 0
        me.shot("11-my-benchmark-hostile")
        assert me.dialogs == []
    except Exception:
        me.shot("failure")
        raise
    finally:
        me.close()
