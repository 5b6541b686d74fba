"""Upload and Data in a real browser: reject cells, duplicate warning, confirmations, text only.

Debian's Chromium driven by Playwright against `streamlit run app.py` on 127.0.0.1 (a free
port) with a temporary database; screenshots go to test-artifacts/.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from tests import browser_support as bs
from tests.test_browser import Session

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not bs.CHROMIUM.exists(), reason="/usr/bin/chromium is missing"),
]

playwright_sync = pytest.importorskip("playwright.sync_api")
FILE_INPUT = '[data-testid="stFileUploader"] input[type="file"]'


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[str]:
    with bs.streamlit_server(tmp_path_factory.mktemp("browser_upload")) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with bs.chromium() as b:
        yield b


def team_csv(tmp_path) -> object:
    lines = ["email;date;sector;network;ssi"]
    lines += [f"p{i:02d}@corp.test;2026-11-02;Retail;Team A;{30 + i}" for i in range(12)]
    lines.append("late.one@corp.test;31-11-2026;Retail;Team A;44")
    path = tmp_path / "Sales export (Jane Doe).csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def import_button(session: Session):
    return session.page.get_by_role("button", name=re.compile(r"^Import [\d,]+ valid rows"))


def test_reject_cells_then_duplicate_warning_then_undo_confirmation(server, browser, tmp_path):
    path = team_csv(tmp_path)
    me = Session(browser, server)
    try:
        me.open("Upload", expect="Upload scores")
        me.page.locator('input[aria-label^="Label for this upload"]').fill("Sales November")
        me.page.locator(FILE_INPUT).set_input_files(str(path))
        me.page.get_by_text("Preview — nothing is written yet").wait_for()
        me.settle()
        text = me.main_text()
        assert "with their cells" in text
        assert text.count("semicolon") == 1  # said once, no raw note repeating it
        me.shot("upload-01-preview-rejects")
        import_button(me).click()
        me.page.get_by_text(re.compile(r"Imported as upload #\d+")).wait_for()
        me.settle()
        assert import_button(me).is_disabled()
        me.shot("upload-02-imported")

        # the same bytes again, in a fresh session: named before import, a deliberate choice
        again = Session(browser, server)
        try:
            again.open("Upload", expect="Upload scores")
            again.page.locator(FILE_INPUT).set_input_files(str(path))
            again.page.get_by_text(re.compile("already uploaded as #1")).wait_for()
            again.settle()
            assert "Sales November" in again.main_text()
            assert import_button(again).is_disabled()
            again.shot("upload-03-duplicate-warning")
            again.page.get_by_text("Import it again anyway").click()
            again.settle()
            assert import_button(again).is_enabled()
        finally:
            again.close()

        # Data: the label is listed (never the file name); undo needs a choice and a tick
        me.open("Data")
        assert "Jane Doe" not in me.main_text()
        me.page.get_by_role("button", name="Undo upload").click()
        me.page.get_by_text("Choose the upload to undo.").wait_for()
        me.shot("upload-04-undo-needs-a-choice")
        assert me.dialogs == []
    finally:
        me.close()


def test_markdown_and_html_in_header_cells_stay_text_in_the_browser(server, browser, tmp_path):
    path = tmp_path / "evil.csv"
    path.write_text("![x](http://127.0.0.1:9/x.png);<img src=x>\n1;2\n", encoding="utf-8")
    me = Session(browser, server)
    outside: list[str] = []
    me.page.on("request", lambda r: outside.append(r.url) if ":9/" in r.url else None)
    try:
        me.open("Upload", expect="Upload scores")
        me.page.locator(FILE_INPUT).set_input_files(str(path))
        me.page.get_by_text("no recognisable columns", exact=False).wait_for()
        me.settle()
        alert = me.page.locator('[data-testid="stAlert"]').filter(has_text="recognisable")
        assert "![x](http://127.0.0.1:9/x.png)" in alert.inner_text()
        assert "<img src=x>" in alert.inner_text()
        assert alert.locator("img").count() == 0
        main = me.page.locator('[data-testid="stMain"]')
        assert main.locator('img[src="x"], img[src*="x.png"]').count() == 0
        me.shot("upload-05-hostile-header-as-text")
        assert outside == []
        assert me.dialogs == []
    finally:
        me.close()
