"""Private links: tokens, keyed hashes, expiry, revocation, erase, the CLI."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import hmac
import io
import json
import stat
from urllib.parse import parse_qs, urlsplit

import pytest

from ssi_bench import links
from ssi_bench.api import Bench
from ssi_bench.cli import run
from ssi_bench.config import Settings
from ssi_bench.errors import NotFoundError, SSIBenchError
from ssi_bench.pseudonym import load_secret, person_key

SECRET = b"links-secret-at-least-32-characters-long"
T0 = dt.datetime(2026, 11, 1, 9, 0)


@pytest.fixture
def bench():
    with Bench.memory(Settings(secret=SECRET.decode())) as b:
        yield b


def _token(url: str) -> str:
    return parse_qs(urlsplit(url).query)["link"][0]


def _rows(bench: Bench, sql: str) -> list[tuple]:
    with bench.store.cursor() as cur:
        return cur.execute(sql).fetchall()


def test_a_link_resolves_to_its_person_key_and_only_a_keyed_hash_is_stored(bench):
    made = links.create(bench.store, SECRET, ["Jane@Example.com"], 60, now=T0)
    assert [ident for ident, _ in made] == ["Jane@Example.com"]
    url = made[0][1]
    assert url.startswith("http://127.0.0.1:8501/?link=")
    token = _token(url)
    assert len(token) >= 43  # 32 bytes, url-safe base64 without padding
    expected_key = hmac.new(SECRET, b"jane@example.com", hashlib.sha256).hexdigest()[:32]
    assert links.resolve(bench.store, SECRET, token, now=T0) == expected_key
    stored = _rows(bench, "SELECT token_hash, person_key FROM private_links")
    expected_hash = hmac.new(SECRET, b"private-link:" + token.encode(), hashlib.sha256)
    assert stored == [(expected_hash.hexdigest(), expected_key)]
    dump = json.dumps(_rows(bench, "SELECT * FROM private_links"), default=str)
    assert token not in dump and "jane" not in dump.lower()


def test_links_are_built_from_the_public_url():
    assert links.link_url("tok", "https://bench.example.com/ssi/") == (
        "https://bench.example.com/ssi/?link=tok"
    )
    assert links.link_url("tok", None) == "http://127.0.0.1:8501/?link=tok"


def test_expiry_is_exclusive_and_last_use_is_recorded(bench):
    ((_, url),) = links.create(bench.store, SECRET, ["a@x.org"], 60, now=T0)
    token = _token(url)
    just_before = T0 + dt.timedelta(days=60) - dt.timedelta(seconds=1)
    assert links.resolve(bench.store, SECRET, token, now=just_before)
    assert _rows(bench, "SELECT last_used_at FROM private_links") == [(just_before,)]
    with pytest.raises(NotFoundError):
        links.resolve(bench.store, SECRET, token, now=T0 + dt.timedelta(days=60))


def test_every_bad_link_gets_the_same_message(bench):
    (_, a), (_, b) = links.create(bench.store, SECRET, ["a@x.org", "b@x.org"], 5, now=T0)
    links.revoke_person(bench.store, SECRET, "B@X.org", now=T0)
    messages = set()
    for token, now in [
        (_token(a), T0 + dt.timedelta(days=6)),  # expired
        (_token(b), T0),  # revoked
        ("no-such-token", T0),  # unknown
        (_token(a)[:-1], T0),  # mangled
        ("", T0),
    ]:
        with pytest.raises(NotFoundError) as info:
            links.resolve(bench.store, SECRET, token, now=now)
        messages.add(str(info.value))
    assert messages == {links.INVALID}


def test_a_token_under_another_secret_does_not_resolve(bench):
    ((_, url),) = links.create(bench.store, SECRET, ["a@x.org"], 5, now=T0)
    with pytest.raises(NotFoundError):
        links.resolve(bench.store, b"another secret", _token(url), now=T0)


def test_new_links_revoke_the_persons_older_ones_and_spellings_are_one_person(bench):
    ((_, old),) = links.create(bench.store, SECRET, ["a@x.org"], 5, now=T0)
    made = links.create(bench.store, SECRET, [" A@X.org ", "a@x.org", "b@x.org"], 5, now=T0)
    assert [i for i, _ in made] == ["A@X.org", "b@x.org"]
    with pytest.raises(NotFoundError):
        links.resolve(bench.store, SECRET, _token(old), now=T0)
    assert links.resolve(bench.store, SECRET, _token(made[0][1]), now=T0) == person_key(
        SECRET, "a@x.org"
    )


def test_revoke_upload_and_list_give_counts_and_dates_only(bench):
    links.create(bench.store, SECRET, ["a@x.org", "b@x.org"], 5, upload_id=7, now=T0)
    ((_, c),) = links.create(bench.store, SECRET, ["c@x.org"], 5, now=T0 + dt.timedelta(hours=1))
    links.resolve(bench.store, SECRET, _token(c), now=T0 + dt.timedelta(hours=2))
    assert links.revoke_upload(bench.store, 7, now=T0) == 2
    assert links.revoke_upload(bench.store, 7, now=T0) == 0
    listed = links.list_links(bench.store, now=T0 + dt.timedelta(hours=3))
    by_upload = {r["upload_id"]: r for r in listed}
    assert (by_upload[7]["links"], by_upload[7]["revoked"], by_upload[7]["active"]) == (2, 2, 0)
    assert (by_upload[None]["active"], by_upload[None]["used"]) == (1, 1)
    assert by_upload[None]["last_used_at"] == T0 + dt.timedelta(hours=2)
    text = json.dumps(listed, default=str)
    assert "x.org" not in text and person_key(SECRET, "c@x.org") not in text


def test_create_refuses_bad_days_and_empty_identifiers_storing_nothing(bench):
    with pytest.raises(SSIBenchError):
        links.create(bench.store, SECRET, ["a@x.org"], 0)
    with pytest.raises(SSIBenchError):
        links.create(bench.store, SECRET, ["a@x.org", "  "], 5)
    assert _rows(bench, "SELECT count(*) FROM private_links") == [(0,)]


def test_erase_deletes_the_persons_private_links(bench):
    links.create(bench.store, SECRET, ["a@x.org", "b@x.org"], 5)
    bench.erase("A@x.org")
    keys = {r[0] for r in _rows(bench, "SELECT person_key FROM private_links")}
    assert keys == {person_key(SECRET, "b@x.org")}


# ---------------------------------------------------------------------- command line
PEOPLE_CSV = (
    "email,date,sector,brand,people,insights,relationships\n"
    "Ann@Example.com,2026-11-01,Software,10,10,10,10\n"
    "bob@example.com,2026-11-01,Software,12,12,12,12\n"
    "carl@example.com,2026-11-01,Software,99,10,10,10\n"  # rejected: brand above 25
)


def _cli(db, *argv, stdin=""):
    out, err = io.StringIO(), io.StringIO()
    code = run(["--db", str(db), *argv], stdout=out, stderr=err, stdin=io.StringIO(stdin))
    return code, out.getvalue(), err.getvalue()


def _read_links(path) -> dict[str, str]:
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["identifier", "link"]
    return dict(rows[1:])  # type: ignore[arg-type]


def test_cli_ingest_with_links_writes_a_private_file_for_the_accepted_people(tmp_path, monkeypatch):
    monkeypatch.setenv("SSI_BENCH_PUBLIC_URL", "https://bench.example.com/ssi")
    db, data, out = tmp_path / "b.duckdb", tmp_path / "team.csv", tmp_path / "links.csv"
    data.write_text(PEOPLE_CSV)
    code, stdout, err = _cli(db, "ingest", str(data), "--links", str(out), "--json")
    assert code == 0, err
    doc = json.loads(stdout)
    assert doc["private_links"]["links"] == 2
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    made = _read_links(out)
    # as spelled in the file (a mail merge wants the address as given); the rejected row: none
    assert set(made) == {"Ann@Example.com", "bob@example.com"}
    assert all(u.startswith("https://bench.example.com/ssi/?link=") for u in made.values())
    with Bench.open(db) as bench:
        secret = load_secret(bench.settings)
        key = links.resolve(bench.store, secret, _token(made["bob@example.com"]))
        assert key == person_key(secret, "bob@example.com")
        assert links.list_links(bench.store)[0]["upload_id"] == doc["upload_id"]
    # the database never holds an identifier or a token
    raw = db.read_bytes()
    assert b"bob@example" not in raw and _token(made["bob@example.com"]).encode() not in raw
    # written once: a second run refuses before importing anything
    code, _, err = _cli(db, "ingest", str(data), "--links", str(out))
    assert code == 1 and "already exists" in err


def test_cli_links_create_from_a_list_revoke_and_list(tmp_path):
    db, people, out = tmp_path / "b.duckdb", tmp_path / "people.txt", tmp_path / "l.csv"
    people.write_text("ann@example.com\n\n  bob@example.com \n")
    code, stdout, err = _cli(db, "links", "create", str(people), "--out", str(out), "--days", "3")
    assert code == 0, err
    made = _read_links(out)
    assert set(made) == {"ann@example.com", "bob@example.com"}
    code, stdout, _ = _cli(
        db, "links", "revoke", "--person", "-", "--json", stdin="ANN@example.com\n"
    )
    assert code == 0 and json.loads(stdout) == {"revoked": 1}
    code, stdout, _ = _cli(db, "links", "list", "--json")
    (row,) = json.loads(stdout)
    assert (row["links"], row["active"], row["revoked"], row["upload_id"]) == (2, 1, 1, None)
    assert "example.com" not in stdout
    with Bench.open(db) as bench:
        secret = load_secret(bench.settings)
        with pytest.raises(NotFoundError):
            links.resolve(bench.store, secret, _token(made["ann@example.com"]))
        expires = dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(days=3)
        with pytest.raises(NotFoundError):
            links.resolve(bench.store, secret, _token(made["bob@example.com"]), now=expires)


def test_cli_links_create_reads_the_person_column_of_an_upload_file(tmp_path):
    db, data, out = tmp_path / "b.duckdb", tmp_path / "team.csv", tmp_path / "l.csv"
    data.write_text(PEOPLE_CSV)
    code, _, err = _cli(db, "links", "create", str(data), "--out", str(out))
    assert code == 0, err
    assert set(_read_links(out)) == {"Ann@Example.com", "bob@example.com", "carl@example.com"}


def test_cli_links_revoke_by_upload(tmp_path):
    db, data, out = tmp_path / "b.duckdb", tmp_path / "team.csv", tmp_path / "l.csv"
    data.write_text(PEOPLE_CSV)
    code, stdout, _ = _cli(db, "ingest", str(data), "--links", str(out), "--json")
    uid = json.loads(stdout)["upload_id"]
    code, stdout, _ = _cli(db, "links", "revoke", "--upload", str(uid), "--json")
    assert code == 0 and json.loads(stdout) == {"upload_id": uid, "revoked": 2}
