"""Private links in open mode (no ``[auth]``), in Chromium against the real app.py: a link
opens its person's own standing with no typing and no identifier box, never another
person's figures; Upload, Data and Outcomes are refused to it; an expired and a revoked link
each get the one :data:`ssi_bench.links.INVALID` message. One Streamlit server for the
module. Screenshots go to test-artifacts/.

Expected figures are computed here from the seed rows (tests.test_app_pages.team_rows).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from ssi_bench import links
from ssi_bench.api import Bench
from ssi_bench.config import Settings
from ssi_bench.model import IngestOptions
from tests.browser_support import CHROMIUM, chromium, screenshot, streamlit_server
from tests.test_app_pages import EARLIER, LATEST, csv_bytes, percentile_rank, team_rows, top_percent

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium")
SECRET = "browser-links-secret-at-least-32-characters"
WAIT = 30_000
#: The two people given working links, and one each for an expired and a revoked link.
ALICE, BOB = "s40@x.test", "s10@x.test"
EXPIRED, REVOKED = "s20@x.test", "s30@x.test"


def ssi_on(day: dt.date) -> dict[str, float]:
    """Everyone's SSI on ``day`` from the seed rows as written (sum of the four pillars)."""
    return {
        str(r["email"]): round(sum(float(r[p]) for p in ("brand", "people", "insights",
                                                          "relationships")), 2)
        for r in team_rows()
        if r["date"] == day.isoformat()
    }  # fmt: skip


def latest_ssi(identifier: str) -> float:
    return ssi_on(LATEST)[identifier]


def sector_standing(identifier: str) -> str:
    """The sector sentence's start for ``identifier``. Between EARLIER and LATEST only s00
    changed (fewer than k = 10 people), so Software's latest published figure is EARLIER's:
    the standing is ranked among the 49 Software people of EARLIER."""
    earlier = ssi_on(EARLIER)
    software = [v for e, v in earlier.items() if e.startswith("s")]
    assert len(software) == 49
    mine = earlier[identifier]
    top = top_percent(software, mine, typed=False)
    pr = percentile_rank(software, mine, typed=False)
    words = f"Top {round(top)}% · percentile {round(pr)}"
    return f"below the median ({words})" if pr < 50 else words


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Iterator[tuple[str, dict[str, str]]]:
    """(app URL, {who: token}) — the team seeded and the links made in a temporary DB."""
    tmp = tmp_path_factory.mktemp("links")
    db = tmp / "bench.duckdb"
    secret = SECRET.encode("utf-8")
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    with Bench.open(db, Settings(secret=SECRET)) as bench:
        bench.ingest(csv_bytes(team_rows()), "team.csv", IngestOptions(today=LATEST))
        made = dict(links.create(bench.store, secret, [ALICE, BOB], days=30))
        # made two days ago, living one day: expired yesterday
        made |= dict(
            links.create(bench.store, secret, [EXPIRED], 1, now=now - dt.timedelta(days=2))
        )
        made |= dict(links.create(bench.store, secret, [REVOKED], days=30))
        assert links.revoke_person(bench.store, secret, REVOKED) == 1
    tokens = {who: url.split("?link=", 1)[1] for who, url in made.items()}
    env = {"SSI_BENCH_DB": str(db), "SSI_BENCH_SECRET": SECRET}  # no [auth], no password
    with streamlit_server(tmp, extra_env=env) as url:
        yield url, tokens


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


def shot(page, name: str) -> None:
    screenshot(page, f"links-{name}")


#: The heading each refused page shows to those it is for.
TITLES = {"Upload": "Upload scores", "Data": "Data", "Outcomes": "Outcomes"}


def headings(page) -> list[str]:
    return [t.strip() for t in page.locator("h1").all_inner_texts()]


def sidebar_links(page) -> list[str]:
    return [t.strip() for t in page.locator("[data-testid=stSidebar] a").all_inner_texts()]


def open_own_benchmark(page, url: str, token: str) -> str:
    """Open the private link, then My benchmark from the sidebar (the same session)."""
    page.goto(f"{url}/?link={token}")
    page.get_by_text("You are viewing your own figures through a private link").wait_for(
        timeout=WAIT
    )
    page.locator("[data-testid=stSidebar] a", has_text="My benchmark").click()
    page.get_by_text("Your sector").first.wait_for(timeout=WAIT)
    return page.inner_text("body")


@pytest.mark.parametrize(("who", "other"), [(ALICE, BOB), (BOB, ALICE)])
def test_a_private_link_shows_only_its_persons_own_standing(served, browser, who, other):
    url, tokens = served
    mine, theirs = latest_ssi(who), latest_ssi(other)
    assert (mine, theirs) in ((51.0, 39.0), (39.0, 51.0))  # 5 + 0.4·i + 30 for s40, s10
    page = browser.new_context().new_page()
    body = open_own_benchmark(page, url, tokens[who])
    page.get_by_text(f"{mine:.2f}").first.wait_for(timeout=WAIT)
    body = page.inner_text("body")
    shot(page, f"{who.split('@')[0]}-my-benchmark")
    assert f"Your SSI: {mine:.2f}" in body and "sector: Software" in body
    assert sector_standing(who) in body and "(of 49 people)" in body
    assert sector_standing(other) not in body
    # no typing: no identifier box, no password box
    assert page.locator(".st-key-identifier_input").count() == 0
    assert page.locator("input[type=password]").count() == 0
    assert f"{theirs:.2f}" not in body
    assert who not in body and other not in body
    # Trends: still only this person's history
    page.locator("[data-testid=stSidebar] a", has_text="Trends").click()
    page.get_by_text("Latest score").first.wait_for(timeout=WAIT)
    body = page.inner_text("body")
    assert f"Latest score {mine:.2f}" in body
    assert f"{theirs:.2f}" not in body
    assert page.locator(".st-key-identifier_input").count() == 0
    page.close()


def test_a_private_link_is_refused_upload_data_and_outcomes(served, browser):
    url, tokens = served
    page = browser.new_context().new_page()
    open_own_benchmark(page, url, tokens[ALICE])
    shown = sidebar_links(page)
    assert any(t.endswith("Trends") for t in shown), shown
    for label in ("Upload", "Data", "Outcomes"):
        assert not any(t.endswith(label) for t in shown), shown
    for path, title in TITLES.items():
        # By URL, in a fresh load carrying the link: the refusal, never the page's content.
        page.goto(f"{url}/{path}?link={tokens[ALICE]}")
        page.get_by_text("your access does not include it").wait_for(timeout=WAIT)
        body = page.inner_text("body")
        assert title not in headings(page)
        assert "Uploads" not in body and "Erase a person" not in body
        assert page.locator("input[type=password]").count() == 0  # no way up by password
        shot(page, f"refused-{path.lower()}")
    page.close()


@pytest.mark.parametrize("who", [EXPIRED, REVOKED])
def test_an_expired_or_revoked_link_gets_the_one_refusal(served, browser, who):
    url, tokens = served
    page = browser.new_context().new_page()
    page.goto(f"{url}/?link={tokens[who]}")
    page.get_by_text(links.INVALID).wait_for(timeout=WAIT)
    body = page.inner_text("body")
    shot(page, f"invalid-{who.split('@')[0]}")
    assert f"{latest_ssi(who):.2f}" not in body
    assert "Your sector" not in body and who not in body
    assert page.locator(".st-key-identifier_input").count() == 0
    assert page.get_by_text(links.INVALID).count() == 1  # one message, nothing else
    page.close()


def test_without_a_link_open_mode_asks_for_an_identifier(served, browser):
    """The control for the checks above: the identifier box and the Upload page exist
    where no link is open."""
    url, _ = served
    page = browser.new_context().new_page()
    page.goto(f"{url}/My_benchmark")
    page.locator(".st-key-identifier_input").wait_for(timeout=WAIT)
    body = page.inner_text("body")
    assert f"{latest_ssi(ALICE):.2f}" not in body
    # open mode without an admin password is the laptop demo: Upload is open, so the
    # refusals above come from the link, not from the page
    page.goto(f"{url}/Upload")
    page.get_by_role("heading", name=TITLES["Upload"]).wait_for(timeout=WAIT)
    page.close()
