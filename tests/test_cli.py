"""The command line is a published contract: JSON shapes, exit codes, no tracebacks."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from scipy.stats import percentileofscore

from ssi_bench.cli import run
from tests.conftest import TEST_SECRET, csv_bytes
from tests.test_api import AS_OF, latest_cohort, make_rows, total

ROOT = Path(__file__).resolve().parent.parent
INGEST_KEYS = {
    "upload_id",
    "rows_read",
    "rows_accepted",
    "rows_rejected",
    "rows_new",
    "rows_updated",
    "ignored_columns",
    "unmatched_like_ssi",
    "rejects",
    "sectors",
}
PERCENTILE_KEYS = {
    "metric",
    "score",
    "cohort",
    "n",
    "suppressed",
    "percentile",
    "top_percent",
    "display",
    "fallback",
    "basis",
    "top_percent_range",
    "precision",
    "note",
    "linkedin_industry",
}


def cli(*args: str, stdin: str = "") -> tuple[int, object, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run(list(args), stdout=out, stderr=err, stdin=io.StringIO(stdin))
    text = out.getvalue()
    doc = json.loads(text) if "--json" in args and text.strip() else text
    return code, doc, err.getvalue()


@pytest.fixture
def db(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("SSI_BENCH_SECRET", TEST_SECRET)
    return tmp_path / "cli.duckdb"


@pytest.fixture
def team_csv(tmp_path) -> tuple[Path, list[dict[str, object]]]:
    rows = make_rows()
    path = tmp_path / "team.csv"
    path.write_bytes(csv_bytes(rows))
    return path, rows


def test_ingest_prints_the_documented_json_and_exits_0(db, team_csv):
    path, rows = team_csv
    code, doc, _ = cli("--db", str(db), "ingest", str(path), "--json")
    assert code == 0
    assert set(doc) == INGEST_KEYS
    assert doc["rows_read"] == doc["rows_accepted"] == len(rows)


def test_percentile_json_matches_scipy(db, team_csv):
    path, rows = team_csv
    cli("--db", str(db), "ingest", str(path))
    email = sorted(latest_cohort(rows, AS_OF))[0]
    code, doc, _ = cli("--db", str(db), "percentile", "--person", "-", "--cohort", "all",
                       "--json", stdin=email + "\n")  # fmt: skip
    assert code == 0
    assert set(doc) == PERCENTILE_KEYS
    assert doc["basis"] == "own"
    # as of the date the release publishes "everyone" on (the latest, or the last before it)
    cohort = latest_cohort(rows, dt.date.fromisoformat(doc["cohort"]["as_of"]))
    values = [total(r) for r in cohort.values()]
    assert doc["n"] == len(values)
    expected = percentileofscore(values, total(cohort[email]), kind="mean")
    assert doc["percentile"] == pytest.approx(expected, abs=1e-9)  # unrounded in JSON


def test_percentile_with_pillars_and_a_named_sector(db, team_csv):
    path, _ = team_csv
    cli("--db", str(db), "ingest", str(path))
    code, doc, _ = cli("--db", str(db), "percentile", "--pillars", "10", "10", "10", "10",
                       "--sector", "Software", "--json")  # fmt: skip
    assert code == 0
    assert doc["cohort"]["kind"] == "sector" and doc["cohort"]["name"] == "Software"
    assert doc["score"] == 40


def test_suppressed_cohort_gives_nulls_and_a_fallback(db, team_csv):
    path, _ = team_csv
    cli("--db", str(db), "ingest", str(path))
    code, doc, _ = cli("--db", str(db), "percentile", "--score", "50", "--sector",
                       "Tiny sector", "--json")  # fmt: skip
    assert code == 0
    assert doc["suppressed"] is True
    assert doc["n"] is None and doc["percentile"] is None and doc["top_percent"] is None
    assert doc["fallback"]["cohort"]["kind"] == "all"


def test_unknown_person_exits_1_with_a_message(db, team_csv):
    path, _ = team_csv
    cli("--db", str(db), "ingest", str(path))
    code, doc, err = cli("--db", str(db), "percentile", "--person", "x@y.z", "--json")
    assert code == 1
    assert "error" in doc
    assert "Traceback" not in err and err.startswith("error:")


def test_refused_file_exits_1_and_stores_nothing(db, tmp_path):
    bad = tmp_path / "empty.csv"
    bad.write_bytes(b"")
    code, _, err = cli("--db", str(db), "ingest", str(bad))
    assert code == 1 and "error" in err
    code, doc, _ = cli("--db", str(db), "uploads", "--json")
    assert doc == []


def test_usage_errors_exit_2(db):
    code, _, _ = cli("--db", str(db), "percentile")
    assert code == 2
    code, _, _ = cli("--db", str(db), "ingest")
    assert code == 2
    code, _, _ = cli("--db", str(db), "benchmarks", "--format", "parquet")
    assert code == 2


def test_strict_mode_exits_1_and_keeps_the_database_as_it_was(db, tmp_path):
    rows = make_rows(people=12)
    rows[1]["relationships"] = -3
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_bytes(rows))
    code, _, err = cli("--db", str(db), "ingest", str(path), "--strict")
    assert code == 1 and "strict" in err
    _, doc, _ = cli("--db", str(db), "uploads", "--json")
    assert doc == []


def test_rejects_report_is_written_with_masked_person(db, tmp_path):
    rows = make_rows(people=12)
    rows[1]["relationships"] = 30
    rows[1]["email"] = "Jane.Secret@Example.com"
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_bytes(rows))
    out = tmp_path / "rejects.csv"
    code, doc, _ = cli("--db", str(db), "ingest", str(path), "--rejects", str(out), "--json")
    assert code == 0 and doc["rows_rejected"] == 1
    report = out.read_text(encoding="utf-8-sig")
    assert "line" in report and "relationships" in report
    assert "jane.secret" not in report.lower()


def test_benchmarks_csv_and_parquet_files(db, team_csv, tmp_path):
    path, _ = team_csv
    cli("--db", str(db), "ingest", str(path))
    code, doc, _ = cli("--db", str(db), "benchmarks", "--cohort", "sector", "--json")
    assert code == 0
    assert {"kind", "name", "as_of", "metric", "n", "suppressed", "p10", "p90"} <= set(doc[0])
    out = tmp_path / "b.parquet"
    code, doc, _ = cli("--db", str(db), "benchmarks", "--format", "parquet", "--out", str(out),
                       "--json")  # fmt: skip
    assert code == 0 and out.stat().st_size > 0


def test_erase_undo_and_uploads(db, team_csv):
    path, rows = team_csv
    _, doc, _ = cli("--db", str(db), "ingest", str(path), "--json")
    n = sum(str(r["email"]).lower() == "person.20@example.com" for r in rows)
    code, erased, _ = cli("--db", str(db), "erase", "--person", "person.20@example.com", "--json")
    assert code == 0 and erased["rows_deleted"] == n and erased["tables"]["scores"] == n
    code, ups, _ = cli("--db", str(db), "uploads", "--json")
    assert [u["upload_id"] for u in ups] == [doc["upload_id"]]
    code, undone, _ = cli("--db", str(db), "undo", str(doc["upload_id"]), "--json")
    assert code == 0 and undone["rows_deleted"] == len(rows) - n
    code, _, err = cli("--db", str(db), "undo", "999")
    assert code == 1 and "error" in err


def test_demo_if_empty_loads_once(db):
    code, doc, _ = cli("--db", str(db), "demo", "--people", "30", "--if-empty", "--json")
    assert code == 0 and doc["loaded"] is True
    code, doc, _ = cli("--db", str(db), "demo", "--if-empty", "--json")
    assert doc["loaded"] is False
    code, doc, _ = cli("--db", str(db), "demo", "--remove", "--json")
    assert doc["rows_deleted"] > 0


def test_backup_and_restore_round_trip_with_the_key(tmp_path, monkeypatch):
    monkeypatch.delenv("SSI_BENCH_SECRET", raising=False)
    db = tmp_path / "a.duckdb"
    cli("--db", str(db), "demo", "--people", "30")
    dest = tmp_path / "backup.duckdb"
    code, doc, _ = cli("--db", str(db), "backup", str(dest), "--json")
    assert code == 0 and Path(doc["key_file"]).exists()
    fresh = tmp_path / "b.duckdb"
    code, doc, _ = cli("--db", str(fresh), "restore", str(dest), "--json")
    assert code == 0
    assert Path(str(fresh) + ".key").read_bytes() == Path(str(db) + ".key").read_bytes()
    _, a, _ = cli("--db", str(db), "benchmarks", "--json")
    _, b, _ = cli("--db", str(fresh), "benchmarks", "--json")
    assert a == b


def test_the_module_runs_as_a_program_without_traceback(tmp_path):
    env = {**os.environ, "SSI_BENCH_SECRET": TEST_SECRET, "SSI_BENCH_DB": str(tmp_path / "x.db")}
    proc = subprocess.run(
        [sys.executable, "-m", "ssi_bench", "percentile", "--score", "50", "--json"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert proc.returncode == 1
    assert json.loads(proc.stdout)["error"]
    assert "Traceback" not in proc.stderr


def test_json_is_honoured_before_or_after_the_command(db):
    for args in (("--json", "uploads"), ("uploads", "--json")):
        code, text, _ = cli("--db", str(db), *args)
        assert code == 0
        assert json.loads(text if isinstance(text, str) else json.dumps(text)) == []


# ---------------------------------------------------------------------- serve
def test_serve_builds_the_streamlit_command_with_the_upload_limit_and_a_local_address():
    from ssi_bench.cli import serve_command
    from ssi_bench.config import Settings

    got = serve_command(Settings(max_upload_mb=37), extra=["--server.headless", "true"])
    assert got[:4] == [sys.executable, "-m", "streamlit", "run"]
    assert Path(got[4]) == ROOT / "app.py"
    flags = dict(zip(got[5:11:2], got[6:11:2], strict=True))
    assert flags == {
        "--server.address": "127.0.0.1",
        "--server.port": "8501",
        "--server.maxUploadSize": "37",
    }
    assert got[11:] == ["--server.headless", "true"]  # extra arguments last: they win


def test_serve_dry_run_follows_the_setting_and_passes_arguments_after_the_double_dash(
    monkeypatch, tmp_path
):
    monkeypatch.setenv("SSI_BENCH_MAX_UPLOAD_MB", "12")
    db = tmp_path / "never-opened.duckdb"
    code, doc, _ = cli(
        "--db", str(db), "--json", "serve", "--host", "127.0.0.2", "--port", "9123",
        "--dry-run", "--", "--server.runOnSave", "false",
    )  # fmt: skip
    assert code == 0
    command = doc["command"]  # type: ignore[index]
    at = command.index("--server.maxUploadSize")
    assert command[at + 1] == "12"
    assert command[command.index("--server.address") + 1] == "127.0.0.2"
    assert command[command.index("--server.port") + 1] == "9123"
    assert command[-2:] == ["--server.runOnSave", "false"]
    assert not db.exists()  # serve leaves the database to the dashboard (DuckDB's lock)


def test_serve_starts_a_dashboard_that_answers_on_127_0_0_1(tmp_path):
    import socket
    import time
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {
        **os.environ,
        "SSI_BENCH_SECRET": TEST_SECRET,
        "SSI_BENCH_DB": str(tmp_path / "serve.duckdb"),
        "SSI_BENCH_MAX_UPLOAD_MB": "3",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "ssi_bench", "serve", "--port", str(port), "--",
         "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        body = b""
        while time.monotonic() < deadline:
            try:
                url = f"http://127.0.0.1:{port}/_stcore/health"
                with urllib.request.urlopen(url, timeout=2) as r:
                    body = r.read()
                break
            except OSError:
                if proc.poll() is not None:
                    break
                time.sleep(0.3)
        assert body == b"ok", proc.stderr.read().decode() if proc.poll() is not None else ""
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
