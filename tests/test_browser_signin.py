"""The real app.py behind a real OpenID provider, in Chromium: a seller signs in and sees
their own standing with no typing; role-refused pages; a manager's Outcomes; sign-out; a
share opened signed-out asks for sign-in. One provider and one Streamlit server for the
module (starting them is the slow part). Screenshots go to test-artifacts/.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ssi_bench.api import Bench
from ssi_bench.config import Settings
from ssi_bench.model import IngestOptions
from tests.browser_support import CHROMIUM, ROOT, chromium, screenshot
from tests.oidc_support import oidc_provider, sign_in, sign_out, streamlit_with_auth
from tests.test_app_pages import LATEST, csv_bytes, team_rows

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium")
SECRET = "browser-signin-secret-at-least-32-characters"
USERS = {
    "seller": {"email": "s40@x.test", "email_verified": True},
    "manager": {"email": "lead@managers.x.test", "email_verified": True},
}


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Iterator[tuple[str, str]]:
    """(app URL, a share token) — the team seeded into a temporary database first."""
    tmp = tmp_path_factory.mktemp("signin")
    db = tmp / "bench.duckdb"
    with Bench.open(db, Settings(secret=SECRET)) as bench:
        bench.ingest(csv_bytes(team_rows()), "team.csv", IngestOptions(today=LATEST))
        token = bench.share_create({"page": "sector", "metric": "ssi"})
    env = {
        "SSI_BENCH_DB": str(db),
        "SSI_BENCH_SECRET": SECRET,
        "SSI_BENCH_MANAGERS": "*@managers.x.test",
    }
    with (
        oidc_provider(tmp, USERS) as issuer,
        streamlit_with_auth(ROOT / "app.py", tmp / "run", issuer, extra_env=env) as app,
    ):
        yield app.url, token


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


def shot(page, name: str) -> None:
    screenshot(page, f"signin-{name}")


def open_path(page, url: str, path: str, wait_text: str) -> str:
    page.goto(f"{url}/{path}")
    page.get_by_text(wait_text).first.wait_for(timeout=30_000)
    return page.inner_text("body")


def test_a_seller_sees_their_own_standing_with_no_typing_and_is_refused_admin_pages(
    served, browser
):
    url, _ = served
    page = browser.new_context().new_page()
    sign_in(page, url, "seller")
    body = open_path(page, url, "My_benchmark", "Your sector")
    # seed: s40's SSI is 5 + 0.4·40 + 30 = 51.00, in Software with 49 people
    page.get_by_text("51.00").first.wait_for(timeout=30_000)
    shot(page, "seller-my-benchmark")
    assert "Sector: Software" in body and "of 49 people" in body
    assert page.locator("input[type=password]").count() == 0  # no identifier box anywhere
    links = page.locator("[data-testid=stSidebar] a").all_inner_texts()
    assert any(t.strip().endswith("Trends") for t in links), links
    for label in ("Upload", "Data", "Outcomes"):
        assert not any(t.strip().endswith(label) for t in links), links
    for path in ("Upload", "Data", "Outcomes"):
        body = open_path(page, url, path, "your access does not include it")
        assert "Upload scores" not in body and "Uploads" not in body
    shot(page, "seller-refused")
    sign_out(page)
    page.close()


def test_a_manager_sees_outcomes_but_not_data(served, browser):
    url, _ = served
    page = browser.new_context().new_page()
    sign_in(page, url, "manager")
    body = open_path(page, url, "Outcomes", "Outcomes")
    assert "your access does not include it" not in body
    open_path(page, url, "Data", "your access does not include it")
    shot(page, "manager-data-refused")
    sign_out(page)
    page.close()


def test_a_share_opened_signed_out_shows_only_the_sign_in(served, browser):
    url, token = served
    page = browser.new_context().new_page()
    page.goto(f"{url}/?share={token}")
    page.get_by_role("button", name="Sign in").wait_for(timeout=30_000)
    body = page.inner_text("body")
    shot(page, "share-signed-out")
    assert "shared view" not in body and "Software" not in body
    page.close()
