"""Share links: unguessable tokens, only a hash at rest, expiry, revocation, one message."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from collections.abc import Iterator

import pytest

from ssi_bench import share
from ssi_bench.errors import NotFoundError
from ssi_bench.store import Store

NOW = dt.datetime(2026, 11, 22, 12, 0, 0)
VIEW = {"page": "sectors", "sector": "Software", "metric": "ssi"}


@pytest.fixture
def store() -> Iterator[Store]:
    s = Store(":memory:")
    yield s
    s.close()


def every_stored_text(store: Store) -> str:
    """Every value of every table, as one string."""
    with store.cursor() as cur:
        tables = [
            r[0]
            for r in cur.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
            ).fetchall()
        ]
        return "\n".join(
            repr(row) for t in tables for row in cur.execute(f'SELECT * FROM "{t}"').fetchall()
        )


def test_a_token_carries_at_least_128_bits_of_url_safe_randomness(store):
    tokens = [share.create(store, VIEW, days=30, now=NOW) for _ in range(200)]
    assert len(set(tokens)) == len(tokens)
    for token in tokens:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        assert len(raw) * 8 >= 128
        assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    # Rough entropy check: over 200 tokens every URL-safe character shows up, each near
    # its expected share (a fixed or low-entropy source would fail this).
    text = "".join(tokens)
    freq = {c: text.count(c) / len(text) for c in set(text)}
    assert len(freq) == 64
    assert max(freq.values()) < 3 / 64


def test_only_the_tokens_sha256_is_stored_never_the_token(store):
    token = share.create(store, VIEW, days=30, now=NOW)
    stored = every_stored_text(store)
    assert token not in stored
    assert token[:16] not in stored and token[-16:] not in stored
    assert hashlib.sha256(token.encode()).hexdigest() in stored


def test_a_live_token_resolves_to_its_view(store):
    token = share.create(store, VIEW, days=30, person_key="abc", now=NOW)
    got = share.resolve(store, token, now=NOW + dt.timedelta(days=29))
    assert got["view"] == VIEW
    assert got["person_key"] == "abc"
    assert got["expires_at"] == NOW + dt.timedelta(days=30)


def test_a_token_stops_working_when_it_expires(store):
    token = share.create(store, VIEW, days=30, now=NOW)
    share.resolve(store, token, now=NOW + dt.timedelta(days=30, seconds=-1))
    with pytest.raises(NotFoundError):
        share.resolve(store, token, now=NOW + dt.timedelta(days=30))


def test_a_revoked_token_stops_working_and_revoking_twice_says_so(store):
    token = share.create(store, VIEW, days=30, now=NOW)
    share_id = share.resolve(store, token, now=NOW)["share_id"]
    assert share.revoke(store, share_id, now=NOW) is True
    assert share.revoke(store, share_id, now=NOW) is False
    assert share.revoke(store, 12345, now=NOW) is False
    with pytest.raises(NotFoundError):
        share.resolve(store, token, now=NOW)


def test_unknown_expired_and_revoked_tokens_give_the_identical_message(store):
    expired = share.create(store, VIEW, days=1, now=NOW - dt.timedelta(days=2))
    revoked = share.create(store, VIEW, days=30, now=NOW)
    share.revoke(store, share.resolve(store, revoked, now=NOW)["share_id"], now=NOW)
    live = share.create(store, VIEW, days=30, now=NOW)
    messages = set()
    for token in (expired, revoked, live[:-1] + ("A" if live[-1] != "A" else "B"), "", "x" * 5000):
        with pytest.raises(NotFoundError) as err:
            share.resolve(store, token, now=NOW)
        messages.add(str(err.value))
    assert messages == {share.INVALID}


def test_active_lists_live_links_without_tokens_or_hashes(store):
    a = share.create(store, {"page": "my"}, days=30, person_key="k", now=NOW)
    b = share.create(store, {"page": "sectors"}, days=1, now=NOW - dt.timedelta(days=2))
    c = share.create(store, {"page": "trends"}, days=30, now=NOW)
    share.revoke(store, share.resolve(store, c, now=NOW)["share_id"], now=NOW)
    listed = share.active(store, now=NOW)
    assert [(r["page"], r["personal"]) for r in listed] == [("my", True)]
    text = repr(listed)
    for token in (a, b, c):
        assert token not in text and share.token_hash(token) not in text


@pytest.mark.parametrize("key", ["person", "Email", "e-mail", "NAME", "url", "identifier"])
def test_a_view_carrying_an_identifier_is_refused_and_nothing_stored(store, key):
    with pytest.raises(ValueError, match="must not contain"):
        share.create(store, {"page": "my", key: "jane@example.com"}, days=30, now=NOW)
    assert "jane@example.com" not in every_stored_text(store)


def test_a_timezone_aware_now_is_read_as_the_same_moment_in_utc(store):
    token = share.create(store, VIEW, days=1, now=NOW)
    cet = dt.timezone(dt.timedelta(hours=1))
    just_before = (NOW + dt.timedelta(days=1, seconds=-1)).replace(tzinfo=dt.UTC).astimezone(cet)
    assert share.resolve(store, token, now=just_before)["view"] == VIEW
    with pytest.raises(NotFoundError):
        share.resolve(store, token, now=just_before + dt.timedelta(seconds=1))


def test_a_link_must_live_at_least_a_day(store):
    with pytest.raises(ValueError, match="at least one day"):
        share.create(store, VIEW, days=0, now=NOW)
    assert share.active(store, now=NOW) == []


def test_an_identifier_nested_inside_a_view_is_refused(store):
    with pytest.raises(ValueError, match="email"):
        share.create(store, {"page": "x", "filters": [{"Email": "a@b.example"}]}, days=1)
    # a nested "name" is a cohort's name, which a view may carry
    share.create(store, {"page": "x", "cohort": {"kind": "sector", "name": "Retail"}}, days=1)
