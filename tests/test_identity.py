"""Who is asking and what they may see: roles, claims, session age, the throttle."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

import pytest

from ssi_bench.config import Settings
from ssi_bench.errors import SSIBenchError
from ssi_bench.identity import (
    PAGE_ROLES,
    NoEmailError,
    NotAllowedError,
    Role,
    SessionExpiredError,
    SignInRefused,
    Throttle,
    UnverifiedEmailError,
    link_viewer,
    open_viewer,
    parse_patterns,
    password_admin,
    viewer_from_claims,
)

SECRET = b"test-secret"
NOW = dt.datetime(2026, 11, 22, 12, 0, tzinfo=dt.UTC)


def _claims(email: str = "jane@example.com", age_hours: float = 1.0, **extra: object) -> dict:
    iat = (NOW - dt.timedelta(hours=age_hours)).timestamp()
    return {"email": email, "email_verified": True, "iat": int(iat), "sub": "x", **extra}


def _key(normalised: str) -> str:
    # Independent of the code: HMAC-SHA256 of the normalised address, first 32 hex chars.
    return hmac.new(SECRET, normalised.encode(), hashlib.sha256).hexdigest()[:32]


# ---------------------------------------------------------------------- patterns
@pytest.mark.parametrize(
    ("patterns", "email", "expected"),
    [
        ("jane@example.com", "jane@example.com", True),
        ("jane@example.com", "  JANE@Example.COM ", True),
        ("JANE@EXAMPLE.COM", "jane@example.com", True),
        ("jane@example.com", "john@example.com", False),
        ("*@example.com", "anyone@example.com", True),
        ("*@Example.com", "ANYONE@EXAMPLE.COM", True),
        ("*@example.com", "x@sub.example.com", False),
        ("*@example.com", "x@badexample.com", False),
        ("*@example.com", "x@example.com.evil.org", False),
        ("*@example.com", "example.com", False),
        ("*@example.com", "@example.com", False),
        ("*@example.com", "x@y@example.com", True),  # the domain is after the last @
        (" a@x.org , ,*@example.com ", "a@x.org", True),
        ("a@x.org,*@example.com", "b@x.org", False),
        ("*", "whoever@wherever.net", True),
        ("", "jane@example.com", False),
    ],
)
def test_patterns_match_addresses_and_whole_domains_case_insensitively(patterns, email, expected):
    assert parse_patterns(patterns).matches(email) is expected


@pytest.mark.parametrize("bad", ["jane", "*.example.com", "j*@example.com", "*@", "a@*.org"])
def test_a_malformed_pattern_is_refused_naming_the_setting_not_the_entry(bad):
    with pytest.raises(SSIBenchError) as info:
        parse_patterns(f"ok@x.org,{bad}", "SSI_BENCH_ADMINS")
    assert "SSI_BENCH_ADMINS" in str(info.value)
    assert "entry 2" in str(info.value)
    assert bad not in str(info.value) or bad == "*@"


# ---------------------------------------------------------------------- viewers
def test_a_signed_in_person_is_a_seller_keyed_like_their_uploaded_identifier():
    v = viewer_from_claims(_claims("  Jane@Example.COM "), Settings(), SECRET, NOW)
    assert v.kind == "oidc"
    assert v.role is Role.SELLER
    assert v.person_key == _key("jane@example.com")
    assert v.actor == v.person_key


def test_roles_come_from_the_lists_and_nest():
    s = Settings(admins="boss@example.com", managers="*@managers.example.com")
    admin = viewer_from_claims(_claims("BOSS@example.com"), s, SECRET, NOW)
    manager = viewer_from_claims(_claims("m@managers.example.com"), s, SECRET, NOW)
    seller = viewer_from_claims(_claims("s@example.com"), s, SECRET, NOW)
    assert (admin.role, manager.role, seller.role) == (Role.ADMIN, Role.MANAGER, Role.SELLER)
    assert admin.pages == tuple(PAGE_ROLES)
    assert manager.pages == (
        "home",
        "my_benchmark",
        "trends",
        "sectors",
        "networks",
        "outcomes",
        "exports",
    )
    assert seller.pages == ("home", "my_benchmark", "trends", "sectors", "networks")
    assert not seller.may("outcomes") and not manager.may("data") and admin.may("upload")


def test_an_unknown_page_is_refused_to_everyone_including_admins():
    assert not password_admin().may("some_new_page")


@pytest.mark.parametrize(
    ("groups", "expected"),
    [
        (["readers", "SSI-Admins"], Role.ADMIN),
        (["ssi-managers"], Role.MANAGER),
        ("ssi-managers", Role.MANAGER),  # a single string, as some providers send it
        (["ssi-admins-old"], Role.SELLER),  # no prefix matching
        ([], Role.SELLER),
        (None, Role.SELLER),
        (42, Role.SELLER),
    ],
)
def test_roles_come_from_a_group_claim(groups, expected):
    s = Settings(role_claim="groups", admin_group="ssi-admins", manager_group="SSI-Managers")
    claims = _claims() if groups is None else _claims(groups=groups)
    assert viewer_from_claims(claims, s, SECRET, NOW).role is expected


def test_the_higher_of_list_role_and_group_role_wins():
    s = Settings(managers="jane@example.com", role_claim="roles", admin_group="admin")
    assert viewer_from_claims(_claims(roles=["admin"]), s, SECRET, NOW).role is Role.ADMIN
    assert viewer_from_claims(_claims(roles=["x"]), s, SECRET, NOW).role is Role.MANAGER


def test_the_role_claim_is_ignored_unless_configured():
    s = Settings(admin_group="admin")  # no SSI_BENCH_ROLE_CLAIM
    assert viewer_from_claims(_claims(groups=["admin"]), s, SECRET, NOW).role is Role.SELLER


def test_roles_are_read_from_the_environment_on_every_call(monkeypatch):
    monkeypatch.setenv("SSI_BENCH_ADMINS", "jane@example.com")
    assert viewer_from_claims(_claims(), None, SECRET, NOW).role is Role.ADMIN
    monkeypatch.setenv("SSI_BENCH_ADMINS", "")
    assert viewer_from_claims(_claims(), None, SECRET, NOW).role is Role.SELLER
    monkeypatch.setenv("SSI_BENCH_ALLOWED_EMAILS", "*@other.org")
    with pytest.raises(NotAllowedError):
        viewer_from_claims(_claims(), None, SECRET, NOW)


def test_the_allow_list_refuses_others_politely_naming_nobody():
    s = Settings(allowed_emails="*@example.com")
    assert viewer_from_claims(_claims("a@example.com"), s, SECRET, NOW).role is Role.SELLER
    with pytest.raises(NotAllowedError) as info:
        viewer_from_claims(_claims("mallory@evil.org"), s, SECRET, NOW)
    assert info.value.reason == "not_allowed"
    assert "mallory" not in str(info.value) and "evil" not in str(info.value)


def test_listed_admins_and_managers_are_allowed_even_outside_the_allow_list():
    s = Settings(allowed_emails="*@example.com", managers="auditor@partner.org")
    assert viewer_from_claims(_claims("auditor@partner.org"), s, SECRET, NOW).role is Role.MANAGER


@pytest.mark.parametrize("verified", [False, "false", "False", 0])
def test_an_unverified_email_is_refused(verified):
    with pytest.raises(UnverifiedEmailError) as info:
        viewer_from_claims(_claims(email_verified=verified), Settings(), SECRET, NOW)
    assert info.value.reason == "unverified"
    assert "jane" not in str(info.value)


def test_a_missing_email_verified_claim_is_accepted():
    claims = _claims()
    del claims["email_verified"]
    assert viewer_from_claims(claims, Settings(), SECRET, NOW).person_key


@pytest.mark.parametrize("email", [None, "", "   ", 12])
def test_a_session_without_an_email_is_refused(email):
    claims = _claims()
    claims["email"] = email
    with pytest.raises(NoEmailError):
        viewer_from_claims(claims, Settings(), SECRET, NOW)


def test_entra_preferred_username_can_name_the_person():
    s = Settings(email_claim="preferred_username")
    claims = _claims()
    del claims["email"]
    claims["preferred_username"] = "Jane.Doe@Contoso.onmicrosoft.com"
    v = viewer_from_claims(claims, s, SECRET, NOW)
    assert v.person_key == _key("jane.doe@contoso.onmicrosoft.com")
    with pytest.raises(NoEmailError):  # default claim: email, absent here
        viewer_from_claims(claims, Settings(), SECRET, NOW)


def test_session_age_boundary_is_inclusive_and_one_second_more_expires():
    s = Settings(session_hours=12)
    iat = int((NOW - dt.timedelta(hours=12)).timestamp())
    claims = {**_claims(), "iat": iat}
    assert viewer_from_claims(claims, s, SECRET, NOW).role is Role.SELLER
    with pytest.raises(SessionExpiredError) as info:
        viewer_from_claims(claims, s, SECRET, NOW + dt.timedelta(seconds=1))
    assert info.value.reason == "expired"
    assert "12 hours" in str(info.value)


def test_session_age_follows_the_setting_and_naive_now_is_utc():
    claims = _claims(age_hours=3)
    naive = NOW.replace(tzinfo=None)
    assert viewer_from_claims(claims, Settings(session_hours=4), SECRET, naive)
    with pytest.raises(SessionExpiredError):
        viewer_from_claims(claims, Settings(session_hours=2), SECRET, naive)


@pytest.mark.parametrize("iat", [None, "soon", True, 10**20])
def test_a_token_without_a_usable_issue_time_is_refused(iat):
    claims = _claims()
    if iat is None:
        del claims["iat"]
    else:
        claims["iat"] = iat
    with pytest.raises(SignInRefused):
        viewer_from_claims(claims, Settings(), SECRET, NOW)


def test_an_issue_time_slightly_in_the_future_is_clock_skew_not_an_error():
    claims = {**_claims(), "iat": int((NOW + dt.timedelta(minutes=2)).timestamp())}
    assert viewer_from_claims(claims, Settings(), SECRET, NOW)
    claims["iat"] = int((NOW + dt.timedelta(minutes=10)).timestamp())
    with pytest.raises(SessionExpiredError):
        viewer_from_claims(claims, Settings(), SECRET, NOW)


def test_every_refusal_is_a_known_error_with_a_reason():
    for cls in (NotAllowedError, UnverifiedEmailError, NoEmailError, SessionExpiredError):
        assert issubclass(cls, SSIBenchError)
    assert {c.reason for c in (NotAllowedError, UnverifiedEmailError, NoEmailError)} == {
        "not_allowed",
        "unverified",
        "no_email",
    }


def test_a_private_link_never_grants_more_than_a_seller():
    v = link_viewer("abc")
    assert (v.kind, v.role, v.person_key) == ("link", Role.SELLER, "abc")
    assert not v.may("outcomes") and not v.may("data") and not v.may("upload")
    assert v.may_see_person("abc") and not v.may_see_person("abd")


def test_open_mode_is_admin_only_without_an_admin_password():
    assert open_viewer(Settings()).role is Role.ADMIN
    locked = open_viewer(Settings(admin_password="pw"))
    assert locked.role is Role.SELLER and locked.person_key is None
    assert not locked.may_see_person("anyone")
    assert password_admin().actor == "password admin"


# ---------------------------------------------------------------------- throttle
class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def test_throttle_lets_free_attempts_through_then_doubles_the_wait():
    clock = Clock()
    t = Throttle(free=3, base_seconds=2, max_seconds=30, clock=clock)
    waits = []
    for _ in range(7):
        waits.append(t.wait_seconds("s1"))
        t.record("s1")
    # attempts 1–3 free; after the 3rd, 4th must wait 2 s, then 4, 8, 16 (no time passes)
    assert waits == [0, 0, 0, 2, 4, 8, 16]
    t.record("s1")
    t.record("s1")
    assert t.wait_seconds("s1") == 30  # capped


def test_throttle_wait_counts_down_with_the_clock():
    clock = Clock()
    t = Throttle(free=1, base_seconds=10, clock=clock)
    t.record("s")
    assert t.wait_seconds("s") == 10
    clock.t += 4
    assert t.wait_seconds("s") == 6
    clock.t += 6
    assert t.wait_seconds("s") == 0


def test_throttle_is_per_session_so_a_stranger_cannot_lock_the_admin_out():
    t = Throttle(free=2, base_seconds=60, clock=Clock())
    for _ in range(20):
        t.record("stranger", "203.0.113.9")
    assert t.wait_seconds("stranger", "203.0.113.9") == 300
    assert t.wait_seconds("admin", "198.51.100.4") == 0
    # a new session from the stranger's address is still slowed (per client address)
    assert t.wait_seconds("fresh-session", "203.0.113.9") == 300


def test_loopback_addresses_are_not_throttled_as_one_client():
    # Behind a proxy or on a laptop every browser shares 127.0.0.1: that is the whole server.
    t = Throttle(free=1, base_seconds=60, clock=Clock())
    for _ in range(5):
        t.record("stranger", "127.0.0.1")
    assert t.wait_seconds("admin", "127.0.0.1") == 0
    assert t.wait_seconds("other", "::1") == 0


def test_throttle_forgets_after_the_quiet_period_and_on_reset():
    clock = Clock()
    t = Throttle(free=1, base_seconds=5, forget_seconds=100, clock=clock)
    t.record("s")
    t.record("s")
    assert t.wait_seconds("s") == 10
    clock.t += 100
    assert t.wait_seconds("s") == 0
    t.record("s")
    t.record("s")
    t.reset("s")
    assert t.wait_seconds("s") == 0


def test_throttle_keeps_a_bounded_number_of_keys():
    clock = Clock()
    t = Throttle(free=1, base_seconds=5, max_keys=10, clock=clock)
    for i in range(50):
        clock.t += 1
        t.record(f"s{i}")
    assert len(t._tallies) == 10
    assert t.wait_seconds("s49") > 0  # the most recent kept
    assert t.wait_seconds("s0") == 0  # the idlest dropped
