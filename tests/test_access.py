"""Who may see what, through AppTest from app.py: every page × every kind of viewer
(signed-in admin / manager / seller via ``at.user`` and an ``[auth]`` section in
``at.secrets``; a private link; open mode with an admin password), the session age, the
sign-in page, private links, the open-mode notice and throttle, the admin password's
per-session back-off and its audit entry.

Expected access comes from the issue's table (written out here by hand), not from
``identity.PAGE_ROLES``.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st  # noqa: TID251 (AppTest drives the UI layer)
from streamlit.testing.v1 import AppTest  # noqa: TID251

from ssi_bench import audit, links
from ssi_bench.model import IngestOptions
from ssi_bench.pseudonym import person_key
from ssi_bench.web.access import (
    EXPIRED_NOTICE,
    IDENTIFY_FREE,
    OPEN_MODE_NOTICE,
    README_SECTION,
    refusal_text,
)
from ssi_bench.web.admin import ADMIN_TRIES
from ssi_bench.web.state import get_bench
from ssi_bench.web.widgets import NO_FIGURES, NO_OWN_ROWS
from tests.conftest import csv_bytes
from tests.test_app_pages import EARLIER, seed_team

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
TIMEOUT = 60
SECRET = "access-test-secret-at-least-32-characters"
AUTH = {
    "redirect_uri": "http://127.0.0.1:8501/oauth2callback",
    "cookie_secret": "x" * 32,
    "client_id": "ssi-bench-test",
    "client_secret": "test-client-secret",
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
}
SELLER = "s40@x.test"  # in seed_team's upload (Software)
PAGES = {
    "home": ("app.py", "SSI Bench"),
    "upload": ("pages/1_Upload.py", "Upload scores"),
    "my_benchmark": ("pages/2_My_benchmark.py", "My benchmark"),
    "trends": ("pages/3_Trends.py", "Trends"),
    "sectors": ("pages/4_Sectors.py", "Sectors"),
    "networks": ("pages/5_Networks.py", "Networks"),
    "outcomes": ("pages/6_Outcomes.py", "Outcomes"),
    "data": ("pages/7_Data.py", "Data"),
}
SELLER_PAGES = {"home", "my_benchmark", "trends", "sectors", "networks"}
ALLOWED = {
    "admin": set(PAGES),
    "manager": SELLER_PAGES | {"outcomes"},
    "seller": SELLER_PAGES,
    "link": SELLER_PAGES,
}
NAV_LABELS = {
    "home": "Home",
    "upload": "Upload",
    "my_benchmark": "My benchmark",
    "trends": "Trends",
    "sectors": "Sectors",
    "networks": "Networks",
    "outcomes": "Outcomes",
    "data": "Data",
}


@pytest.fixture(autouse=True)
def fresh_app(tmp_path, monkeypatch) -> Iterator[None]:
    monkeypatch.setenv("SSI_BENCH_DB", str(tmp_path / "access.duckdb"))
    monkeypatch.setenv("SSI_BENCH_SECRET", SECRET)
    monkeypatch.setenv("SSI_BENCH_ADMINS", "boss@x.test")
    monkeypatch.setenv("SSI_BENCH_MANAGERS", "*@managers.x.test")
    for name in ("SSI_BENCH_ADMIN_PASSWORD", "SSI_BENCH_ALLOWED_EMAILS", "SSI_BENCH_MIN_COHORT"):
        monkeypatch.delenv(name, raising=False)
    st.cache_resource.clear()
    st.cache_data.clear()
    yield
    try:
        get_bench().close()
    finally:
        st.cache_resource.clear()
        st.cache_data.clear()


EMAILS = {"admin": "boss@x.test", "manager": "lead@managers.x.test", "seller": SELLER}


def signed_in(email: str, *, age_hours: float = 0.0, **claims: object) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.secrets["auth"] = dict(AUTH)
    at.user = {
        "is_logged_in": True,
        "email": email,
        "email_verified": True,
        "iat": int(time.time() - age_hours * 3600),
        **claims,
    }
    return at


def open_page(at: AppTest, page: str) -> AppTest:
    at.run()
    if page != "app.py":
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def link_session(identifier: str = SELLER, **query: str) -> AppTest:
    url = links.create(get_bench().store, SECRET.encode(), [identifier], 30)[0][1]
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["link"] = url.split("link=", 1)[1]
    for k, v in query.items():
        at.query_params[k] = v
    return at


def titles(at: AppTest) -> list[str]:
    return [str(t.value) for t in at.title]


def errors(at: AppTest) -> list[str]:
    return [str(e.value) for e in at.error]


def nav(at: AppTest) -> set[str]:
    return {str(p.value) for p in at.sidebar.page_link}


def all_text(at: AppTest) -> str:
    out: list[str] = []
    for kind in ("title", "markdown", "text", "caption", "info", "warning", "error", "success"):
        out.extend(str(e.value) for e in getattr(at, kind))
    return " ".join(out)


def assert_allowed(at: AppTest, slug: str) -> None:
    assert PAGES[slug][1] in titles(at), (slug, titles(at), errors(at))
    assert refusal_text(slug) not in errors(at)


def assert_refused(at: AppTest, slug: str) -> None:
    assert refusal_text(slug) in errors(at), (slug, errors(at))
    assert PAGES[slug][1] not in titles(at)
    # no content: no table, chart, uploader or form input of the page
    assert not at.dataframe and not at.get("plotly_chart") and not at.file_uploader
    assert not at.text_input and not shows_figures(at)


# ------------------------------------------------------------------------------ matrix
@pytest.mark.parametrize("role", ["admin", "manager", "seller", "link"])
@pytest.mark.parametrize("slug", list(PAGES))
def test_every_page_is_shown_or_refused_by_role(role, slug):
    seed_team()
    at = link_session() if role == "link" else signed_in(EMAILS[role])
    at = open_page(at, PAGES[slug][0])
    if slug in ALLOWED[role]:
        assert_allowed(at, slug)
    else:
        assert_refused(at, slug)
    # the navigation lists exactly the pages this role may use
    assert nav(at) == {NAV_LABELS[s] for s in ALLOWED[role]}


@pytest.mark.parametrize("slug", list(PAGES))
def test_open_mode_with_a_password_asks_for_it_on_pages_above_a_seller(slug, monkeypatch):
    monkeypatch.setenv("SSI_BENCH_ADMIN_PASSWORD", "correct horse")
    seed_team()
    at = open_page(AppTest.from_file(APP, default_timeout=TIMEOUT), PAGES[slug][0])
    if slug in SELLER_PAGES:
        assert_allowed(at, slug)
    else:
        assert any("Admin password required" in str(h.value) for h in at.subheader)
        assert not at.dataframe and not at.file_uploader and not at.get("plotly_chart")
    assert nav(at) == set(NAV_LABELS.values())  # the password form lives on those pages


def test_a_role_removed_from_the_settings_is_gone_on_the_next_run(monkeypatch):
    seed_team()
    at = open_page(signed_in("boss@x.test"), PAGES["data"][0])
    assert_allowed(at, "data")
    monkeypatch.setenv("SSI_BENCH_ADMINS", "")
    at.run()
    assert_refused(at, "data")


# ------------------------------------------------------------------------------ sign-in
def test_signed_out_visitors_see_only_the_sign_in_page_even_for_a_share():
    seed_team()
    token = get_bench().share_create({"page": "sector", "metric": "ssi"})
    for query in ({}, {"share": token}):
        at = AppTest.from_file(APP, default_timeout=TIMEOUT)
        at.secrets["auth"] = dict(AUTH)
        at.user = {"is_logged_in": False}
        for k, v in query.items():
            at.query_params[k] = v
        at = open_page(at, "pages/4_Sectors.py")
        assert [str(b.label) for b in at.button] == ["Sign in"]
        assert not at.sidebar.page_link and not at.dataframe and not shows_figures(at)
        assert "Sectors" not in titles(at)


def test_named_providers_each_get_a_sign_in_button():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    base = {k: AUTH[k] for k in ("redirect_uri", "cookie_secret")}
    provider = {k: AUTH[k] for k in ("client_id", "client_secret", "server_metadata_url")}
    at.secrets["auth"] = {**base, "microsoft": provider, "okta": provider}
    at.user = {"is_logged_in": False}
    at = open_page(at, "app.py")
    assert [str(b.label) for b in at.button] == ["Sign in with Microsoft", "Sign in with Okta"]


def test_a_session_older_than_the_maximum_age_is_signed_out(monkeypatch):
    monkeypatch.setenv("SSI_BENCH_SESSION_HOURS", "12")
    seed_team()
    fresh = open_page(signed_in(SELLER, age_hours=11.5), PAGES["my_benchmark"][0])
    assert_allowed(fresh, "my_benchmark")
    at = open_page(signed_in(SELLER, age_hours=12.5), "app.py")
    assert EXPIRED_NOTICE in [str(i.value) for i in at.info]
    assert not titles(at) and not shows_figures(at) and not at.sidebar.page_link
    assert at.user == {"is_logged_in": False}  # st.logout() ran
    at.switch_page(PAGES["my_benchmark"][0]).run()
    assert [str(b.label) for b in at.button] == ["Sign in"]
    assert "My benchmark" not in titles(at) and not shows_figures(at)


def test_a_refused_sign_in_names_nobody_and_offers_sign_out(monkeypatch):
    monkeypatch.setenv("SSI_BENCH_ALLOWED_EMAILS", "*@x.test")
    at = open_page(signed_in("stranger@elsewhere.test"), "app.py")
    assert errors(at) and "stranger" not in all_text(at)
    assert [str(b.label) for b in at.button] == ["Sign out"]
    unverified = open_page(signed_in("s41@x.test", email_verified=False), "app.py")
    assert "verified" in errors(unverified)[0] and "s41" not in all_text(unverified)


def test_a_signed_in_seller_sees_their_own_figures_with_no_box_to_type_in():
    seed_team()
    at = open_page(signed_in(SELLER), PAGES["my_benchmark"][0])
    assert not at.text_input  # no identifier box in this mode
    headings = [str(h.value) for h in at.subheader]
    # seed_team: s40 has 5 + 0.4·40 + 30 = 51.0
    assert any(h.startswith("Your SSI: 51.00") for h in headings), headings
    assert OPEN_MODE_NOTICE not in [str(w.value) for w in at.warning]
    assert any("Signed in as s40@x.test" in str(t.value) for t in at.sidebar.text)
    trends = open_page(signed_in(SELLER), PAGES["trends"][0])
    assert any(" 2 snapshots " in str(t.value) for t in trends.text)
    assert not trends.text_input


def test_a_signed_in_person_without_rows_gets_a_clear_page_and_can_still_type_scores():
    seed_team()
    for page in ("my_benchmark", "trends"):
        at = open_page(signed_in("new@x.test"), PAGES[page][0])
        assert NO_OWN_ROWS in [str(i.value) for i in at.info]
        assert not at.error and not at.text_input
    at = open_page(signed_in("new@x.test"), PAGES["my_benchmark"][0])
    at.segmented_control(key="mb_mode").set_value("Type my scores").run()
    assert at.text_input(key="mb_brand")


# ------------------------------------------------------------------------------ links
def test_a_private_link_opens_only_its_persons_views_for_the_session():
    seed_team()
    at = open_page(link_session(), PAGES["my_benchmark"][0])
    assert any(str(h.value).startswith("Your SSI: 51.00") for h in at.subheader)
    assert not at.text_input
    # the session keeps the link: another page without ?link= still shows their trend
    at.query_params.clear()
    at.switch_page(PAGES["trends"][0]).run()
    assert any(" 2 snapshots " in str(t.value) for t in at.text)


@pytest.mark.parametrize("how", ["revoked", "expired", "unknown"])
def test_a_dead_private_link_gets_one_message_and_nothing_else(how):
    seed_team()
    store = get_bench().store
    made = links.create(store, SECRET.encode(), [SELLER], 1, now=dt.datetime(2020, 1, 1))
    token = made[0][1].split("link=", 1)[1]
    if how == "revoked":
        token = links.create(store, SECRET.encode(), [SELLER], 30)[0][1].split("link=", 1)[1]
        links.revoke_person(store, SECRET.encode(), SELLER)
    elif how == "unknown":
        token = "x" * 43
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["link"] = token
    at = open_page(at, PAGES["my_benchmark"][0])
    assert errors(at) == [links.INVALID]
    assert not shows_figures(at) and not at.sidebar.page_link and not at.text_input


def test_data_page_creates_links_offers_the_csv_once_and_lists_counts():
    seed_team()
    at = open_page(AppTest.from_file(APP, default_timeout=TIMEOUT), PAGES["data"][0])
    at.file_uploader(key="links_people_file").set_value(
        ("people.txt", b"s01@x.test\ns02@x.test\nS01@X.test\n", "text/plain")
    )
    at.button(key="links_create").click().run()
    assert not at.exception
    assert any("2 private links made" in str(s.value) for s in at.success)
    download = at.get("download_button")
    assert download, "the one-time links download"
    rows = links.list_links(get_bench().store)
    assert [(r["links"], r["active"]) for r in rows] == [(2, 2)]
    # nothing in the database, the audit log or the page names the people
    assert "s01@x.test" not in all_text(at)
    assert [e["action"] for e in audit.entries(get_bench().store)][:1] == ["link_create"]
    assert {e["actor"] for e in audit.entries(get_bench().store)} >= {"open mode"}


# ------------------------------------------------------------------------------ open mode
@pytest.mark.parametrize("page", ["app.py", "pages/2_My_benchmark.py", "pages/3_Trends.py"])
def test_open_mode_says_anyone_can_look_anyone_up_and_how_to_turn_sign_in_on(page):
    seed_team()
    at = open_page(AppTest.from_file(APP, default_timeout=TIMEOUT), page)
    notices = [str(w.value) for w in at.warning]
    assert OPEN_MODE_NOTICE in notices
    assert README_SECTION in OPEN_MODE_NOTICE and "[auth]" in OPEN_MODE_NOTICE


def identify(at: AppTest, identifier: str) -> AppTest:
    at.text_input(key="identifier_input").input(identifier)
    at.button(key="identify_submit").click().run()
    assert not at.exception
    return at


def test_unknown_and_out_of_window_identifiers_get_the_same_reply(monkeypatch):
    # stale@ has one snapshot 30 days before EARLIER: with a 7-day window they have none in
    # range as of the latest publication date, exactly like an identifier nobody was
    # uploaded under. The page must answer both the same way.
    monkeypatch.setenv("SSI_BENCH_LOOKBACK_DAYS", "7")
    seed_team()
    stale = {"email": "stale@x.test", "date": (EARLIER - dt.timedelta(days=30)).isoformat(),
             "sector": "Software", "brand": 10, "people": 10, "insights": 10,
             "relationships": 10}  # fmt: skip
    get_bench().ingest(csv_bytes([stale]), "stale.csv", IngestOptions(date_order="ymd"))
    page = PAGES["my_benchmark"][0]
    replies = []
    for who in ("nobody@x.test", "stale@x.test"):
        at = open_page(AppTest.from_file(APP, default_timeout=TIMEOUT), page)
        at = identify(at, who)
        replies.append(errors(at))
        assert not at.get("plotly_chart") and not shows_figures(at)
    assert replies[0] == replies[1] == [NO_FIGURES]


def test_identification_is_throttled_per_browser_session():
    seed_team()
    at = open_page(AppTest.from_file(APP, default_timeout=TIMEOUT), PAGES["trends"][0])
    for i in range(IDENTIFY_FREE):  # free attempts, found or not
        identify(at, f"guess{i}@x.test")
        at.button(key="forget_me").click().run()
    identify(at, SELLER)  # within the pause: refused without a lookup
    assert any("Too many attempts" in e for e in errors(at))
    assert not shows_figures(at)
    other = open_page(AppTest.from_file(APP, default_timeout=TIMEOUT), PAGES["trends"][0])
    identify(other, SELLER)  # another browser session is not slowed
    assert any(" 2 snapshots " in str(t.value) for t in other.text)


def test_wrong_admin_passwords_back_off_this_session_only_and_are_audited(monkeypatch):
    monkeypatch.setenv("SSI_BENCH_ADMIN_PASSWORD", "correct horse")
    at = open_page(AppTest.from_file(APP, default_timeout=TIMEOUT), PAGES["data"][0])
    for _ in range(ADMIN_TRIES):
        at.text_input(key="admin_password_input").input("nope")
        at.button(key="admin_unlock").click().run()
    assert any("Too many wrong tries" in e for e in errors(at))
    failed = [e for e in audit.entries(get_bench().store) if e["action"] == "admin_signin_failed"]
    assert len(failed) == ADMIN_TRIES and {e["actor"] for e in failed} == {"password admin"}
    other = open_page(AppTest.from_file(APP, default_timeout=TIMEOUT), PAGES["data"][0])
    other.text_input(key="admin_password_input").input("correct horse")
    other.button(key="admin_unlock").click().run()
    assert "Data" in titles(other) and other.dataframe


def test_admin_actions_are_recorded_under_the_signed_in_admins_keyed_hash():
    seed_team()
    at = open_page(signed_in("boss@x.test"), PAGES["data"][0])
    at.selectbox(key="undo_id").select(1)
    at.checkbox(key="undo_confirm").check()
    at.button(key="undo_submit").click().run()
    assert not at.exception
    undo = [e for e in audit.entries(get_bench().store) if e["action"] == "undo"]
    assert [e["actor"] for e in undo] == [person_key(SECRET.encode(), "boss@x.test")]


def shows_figures(at: AppTest) -> bool:
    """Does the page show a person's figures (tiles, My benchmark's summary heading, Trends'
    summary line)? Refusals and throttled replies must show none."""
    return (
        bool(at.metric)
        or any(str(h.value).startswith(("Your SSI", "The SSI")) for h in at.subheader)
        or any(" snapshots " in str(t.value) for t in at.text)
    )
