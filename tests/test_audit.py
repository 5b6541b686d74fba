"""The audit log: every admin action recorded with actor, action and object, no identifier."""

from __future__ import annotations

import datetime as dt
import io
import json
import threading

import pytest

from ssi_bench import audit, links
from ssi_bench.api import Bench
from ssi_bench.cli import run
from ssi_bench.config import Settings
from ssi_bench.model import IngestOptions

CSV = (
    "email,date,sector,brand,people,insights,relationships\n"
    "ann@example.com,2026-11-01,Software,10,10,10,10\n"
    "bob@example.com,2026-11-01,Software,12,12,12,12\n"
)


@pytest.fixture
def bench():
    with Bench.memory(Settings(secret="audit-secret-" + "a" * 32)) as b:
        yield b


def _actions(bench: Bench) -> list[tuple[str, str, str | None]]:
    return [(e["actor"], e["action"], e["object"]) for e in reversed(audit.entries(bench.store))]


def test_every_admin_method_records_its_action_under_the_acting_admin(bench):
    with audit.acting_as("k" * 32):
        up = bench.ingest(CSV.encode(), "team.csv", IngestOptions())
        bench.export_benchmarks("csv")
        token = bench.share_create({"page": "sectors"})
        share_id = bench.shares_active()[0]["share_id"]
        assert token
        bench.share_revoke(share_id)
        erased = bench.erase("ann@example.com")
        demo = bench.load_demo(people=30)
        removed = bench.remove_demo()
        undone = bench.undo(up.upload_id)
    assert (erased.rows_deleted, undone) == (1, 1)
    assert _actions(bench) == [
        ("k" * 32, "upload", str(up.upload_id)),
        ("k" * 32, "export", "csv"),
        ("k" * 32, "share_revoke", str(share_id)),
        ("k" * 32, "erase", "1"),
        ("k" * 32, "demo_load", str(demo.upload_id)),
        ("k" * 32, "demo_remove", str(removed)),
        ("k" * 32, "undo", str(up.upload_id)),
    ]


def test_link_actions_are_recorded_with_counts(bench):
    secret = b"s"
    with audit.acting_as("password admin"):
        links.create(bench.store, secret, ["a@x.org", "b@x.org"], 5, upload_id=3)
        links.revoke_person(bench.store, secret, "a@x.org")
        links.revoke_upload(bench.store, 3)
    assert _actions(bench) == [
        ("password admin", "link_create", "2"),
        ("password admin", "link_revoke", "1"),
        ("password admin", "link_revoke", "upload 3: 1"),
    ]


def test_without_a_surface_the_actor_is_unknown_and_each_thread_has_its_own(bench):
    seen: list[str] = []

    def other() -> None:
        seen.append(audit.actor.get())

    with audit.acting_as("someone"):
        t = threading.Thread(target=other)
        t.start()
        t.join()
    assert seen == ["unknown"]  # a new thread starts from the default, not our value
    audit.record(bench.store, None, "admin_signin_failed")
    assert _actions(bench) == [("unknown", "admin_signin_failed", None)]


@pytest.mark.parametrize("obj", ["jane@example.com", "linkedin.com/in/jane", "Jane Doe. Sales"])
def test_an_object_that_could_hold_an_identifier_is_refused(bench, obj):
    with pytest.raises(ValueError):
        audit.record(bench.store, "x", "erase", obj)
    assert audit.entries(bench.store) == []


def test_an_unknown_action_is_refused(bench):
    with pytest.raises(ValueError):
        audit.record(bench.store, "x", "drop_everything")


def test_entries_are_newest_first_limited_and_timed_in_utc(bench):
    t0 = dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    for i in range(5):
        audit.record(bench.store, "x", "undo", i, now=t0 + dt.timedelta(minutes=i))
    got = audit.entries(bench.store, limit=2)
    assert [e["object"] for e in got] == ["4", "3"]
    assert got[0]["at"] == dt.datetime(2026, 11, 1, 10, 4)


def test_cli_records_as_command_line_and_prints_the_log(tmp_path):
    db, data = tmp_path / "b.duckdb", tmp_path / "team.csv"
    data.write_text(CSV)

    def cli(*argv: str) -> tuple[int, str]:
        out = io.StringIO()
        code = run(["--db", str(db), *argv], stdout=out, stderr=io.StringIO())
        return code, out.getvalue()

    assert cli("ingest", str(data))[0] == 0
    assert cli("undo", "1")[0] == 0
    code, text = cli("audit", "--json", "--limit", "5")
    assert code == 0
    rows = json.loads(text)
    assert [(r["actor"], r["action"], r["object"]) for r in rows] == [
        ("command line", "undo", "1"),
        ("command line", "upload", "1"),
    ]
    code, text = cli("audit")
    assert "undo" in text and "command line" in text
    assert b"ann@example" not in db.read_bytes()
