"""End to end through Bench: import, pseudonymise, store, cohorts, gate.

Expected values are computed here, independently: cohorts are rebuilt from the source rows
with plain Python and ranks come from scipy.stats.percentileofscore.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import random

import duckdb
import numpy as np
import pandas as pd
import pytest
from scipy.stats import percentileofscore

from ssi_bench.api import Bench
from ssi_bench.config import Settings
from ssi_bench.errors import IngestError, NotFoundError, SSIBenchError
from ssi_bench.model import IngestOptions
from tests.conftest import TEST_SECRET, csv_bytes

AS_OF = dt.date(2026, 10, 26)


def make_rows(seed: int = 1, people: int = 80) -> list[dict[str, object]]:
    """Weekly snapshots for `people` people in three sectors, with ties and stale people.

    Scores are whole-number pillars so ties are frequent; people 0-4 stopped 20 weeks ago
    (outside the 90-day window).
    """
    rng = random.Random(seed)
    sectors = ["Software", "Consulting", "Tiny sector"]
    rows = []
    for i in range(people):
        sector = sectors[0] if i % 2 else sectors[1]
        if i >= people - 6:
            sector = sectors[2]  # 6 people: below k=10
        team = f"Team {i % 4}" if i < people - 6 else "Small team"
        last_week = 20 if i < 5 else rng.choice([0, 0, 0, 1, 2])
        for w in range(last_week, last_week + 4):
            day = AS_OF - dt.timedelta(weeks=w)
            pillars = [rng.randint(5, 20) for _ in range(4)]
            rows.append(
                {
                    "email": f"Person.{i}@Example.com",
                    "date": day.isoformat(),
                    "sector": sector,
                    "team": team,
                    "brand": pillars[0],
                    "people": pillars[1],
                    "insights": pillars[2],
                    "relationships": pillars[3],
                }
            )
    return rows


def latest_cohort(rows, as_of, window=90):
    """Each person's latest row with as_of - window <= date <= as_of (independent rebuild)."""
    best: dict[str, dict[str, object]] = {}
    for r in rows:
        day = dt.date.fromisoformat(str(r["date"]))
        if not (as_of - dt.timedelta(days=window) <= day <= as_of):
            continue
        key = str(r["email"]).lower()
        if key not in best or str(best[key]["date"]) < str(r["date"]):
            best[key] = r
    return best


def total(r) -> float:
    return float(sum(float(r[p]) for p in ("brand", "people", "insights", "relationships")))


@pytest.fixture
def loaded(bench: Bench):
    rows = make_rows()
    result = bench.ingest(csv_bytes(rows), "team.csv", IngestOptions(today=AS_OF))
    return bench, rows, result


def test_ingest_counts_every_row_and_stores_none_twice(loaded):
    bench, rows, result = loaded
    assert result.rows_read == len(rows)
    assert result.rows_accepted == len(rows)
    assert result.rows_rejected == 0
    assert result.rows_new == len(rows)
    again = bench.ingest(csv_bytes(rows), "team.csv", IngestOptions(today=AS_OF))
    assert (again.rows_new, again.rows_updated) == (0, 0)
    assert bench.status().rows == len(rows)


def test_sector_percentile_of_every_person_matches_scipy(loaded):
    """A person's own standing is exact (unrounded) in the cohort as of the date the release
    publishes it on (the as-of date, or the last published one before it)."""
    bench, rows, _ = loaded
    checked = 0
    for email in latest_cohort(rows, AS_OF):
        s = bench.percentile(person=email, cohort="sector")
        if s.suppressed or s.precision != "exact":
            continue  # banded and withheld classes are checked separately
        cohort = latest_cohort(rows, s.cohort.as_of)
        row = cohort[email]
        values = [total(r) for r in cohort.values() if r["sector"] == s.cohort.name]
        assert s.cohort.name == row["sector"]
        assert s.n == len(values) >= 30
        expected = percentileofscore(values, total(row), kind="mean")
        assert s.percentile == pytest.approx(expected, abs=1e-9)
        above = sum(v > total(row) for v in values)
        equal = sum(v == total(row) for v in values)
        top = 100 * (above + (equal + 1) / 2) / len(values)
        assert s.top_percent == pytest.approx(top, abs=1e-9)
        checked += 1
    assert checked >= 20


def test_pillar_percentiles_match_scipy_in_everyone(loaded):
    bench, rows, _ = loaded
    cohort = latest_cohort(rows, AS_OF)
    email, _row = sorted(cohort.items())[3]
    for pillar in ("brand", "people", "insights", "relationships"):
        s = bench.percentile(person=email, cohort="all", metric=pillar)
        at = latest_cohort(rows, s.cohort.as_of)
        values = [float(r[pillar]) for r in at.values()]
        expected = percentileofscore(values, float(at[email][pillar]), kind="mean")
        assert s.n == len(values)
        assert s.percentile == pytest.approx(expected, abs=1e-9)


def test_a_stale_person_is_outside_the_window_and_gets_a_clear_refusal(loaded):
    bench, _, _ = loaded
    with pytest.raises(NotFoundError, match="no snapshot in the 90 days"):
        bench.percentile(person="person.0@example.com")


def test_an_unknown_person_is_not_found(loaded):
    bench, _, _ = loaded
    with pytest.raises(NotFoundError):
        bench.percentile(person="nobody@example.com")


def test_identifier_is_matched_after_normalisation(loaded):
    bench, _, _ = loaded
    a = bench.percentile(person="  PERSON.7@EXAMPLE.COM ")
    b = bench.percentile(person="person.7@example.com")
    assert a == b


def test_a_typed_score_gets_the_top_range_between_the_published_quantiles_around_it(loaded):
    """Never joins the cohort: no percentile, no exact Top X%, n the published n."""
    bench, rows, _ = loaded
    for typed in ((10.0, 12.0, 9.0, 11.0), (20.0, 20.0, 20.0, 20.0), (2.0, 2.0, 2.0, 2.0)):
        s = bench.percentile(pillars=typed, cohort="all")
        cohort = latest_cohort(rows, s.cohort.as_of)
        values = np.array([total(r) for r in cohort.values()])
        q = {p: round(float(np.percentile(values, p)), 2) for p in (10, 25, 50, 75, 90)}
        score = sum(typed)
        expected = (
            (0, 10) if score >= q[90] else (10, 25) if score >= q[75] else
            (25, 50) if score >= q[50] else (50, 75) if score >= q[25] else
            (75, 90) if score >= q[10] else (90, 100)
        )  # fmt: skip
        assert s.basis == "published"
        assert s.top_percent_range == expected
        assert (s.percentile, s.top_percent) == (None, None)
        assert s.n == len(values)


def test_small_sector_is_suppressed_and_offers_everyone(loaded):
    bench, _, _ = loaded
    s = bench.percentile(score=50, cohort="sector", sector="Tiny sector")
    assert s.suppressed
    assert (s.n, s.percentile, s.top_percent) == (None, None, None)
    assert "fewer than 10" in s.display
    assert s.fallback is not None
    assert s.fallback.cohort.kind == "all"
    assert not s.fallback.suppressed


def test_network_falls_back_to_sector_then_everyone(bench: Bench):
    rows = make_rows()
    bench.ingest(csv_bytes(rows), "t.csv", IngestOptions(today=AS_OF))
    cohort = latest_cohort(rows, AS_OF)
    email = next(e for e, r in cohort.items() if r["team"] == "Small team")
    s = bench.percentile(person=email, cohort="network")
    assert s.suppressed and s.cohort.kind == "network"
    assert s.fallback is not None and s.fallback.cohort.kind == "sector"
    assert s.fallback.suppressed
    assert s.fallback.fallback is not None and s.fallback.fallback.cohort.kind == "all"


def test_cohorts_of_10_to_29_show_only_a_rounded_up_top_band(bench: Bench):
    rows = make_rows(people=60)
    bench.ingest(csv_bytes(rows), "t.csv", IngestOptions(today=AS_OF))
    cohort = latest_cohort(rows, AS_OF)
    team = [r for r in cohort.values() if r["team"] == "Team 1"]
    assert 10 <= len(team) < 30
    row = max(team, key=total)
    s = bench.percentile(person=str(row["email"]), cohort="network")
    values = [total(r) for r in team]
    above = sum(v > total(row) for v in values)
    equal = sum(v == total(row) for v in values)
    top = 100 * (above + (equal + 1) / 2) / len(values)
    band = min(b for b in (1, 2, 5, 10, 25, 50, 75, 100) if b >= top - 1e-9)
    assert s.percentile is None
    assert s.top_percent == band
    assert s.display == f"Top {band}%"


def test_benchmarks_quantiles_equal_linear_interpolation(loaded):
    bench, rows, _ = loaded
    cohort = latest_cohort(rows, AS_OF)
    got = {(r.kind, r.name, r.metric): r for r in bench.benchmarks()}
    row = got[("sector", "Software", "ssi")]
    cohort = latest_cohort(rows, row.as_of)  # the figure's own publication date
    values = np.array([total(r) for r in cohort.values() if r["sector"] == "Software"])
    assert row.n == len(values)
    for q, name in ((10, "p10"), (25, "p25"), (50, "p50"), (75, "p75"), (90, "p90")):
        assert getattr(row, name) == pytest.approx(np.percentile(values, q), abs=0.006)
    tiny = got[("sector", "Tiny sector", "ssi")]
    assert tiny.suppressed and tiny.n is None and tiny.p50 is None


def test_benchmark_quantiles_agree_with_duckdb_quantile_cont(loaded):
    bench, rows, _ = loaded
    cohort = latest_cohort(rows, AS_OF)
    con = duckdb.connect()
    con.register("frame", pd.DataFrame({"v": [total(r) for r in cohort.values()]}))
    expected = con.execute("SELECT quantile_cont(v, 0.75) FROM frame").fetchone()[0]
    row = next(r for r in bench.benchmarks("all") if r.metric == "ssi")
    assert row.p75 == pytest.approx(expected, abs=0.006)


def test_quantiles_are_withheld_below_20_people(bench: Bench):
    rows = make_rows(people=60)
    bench.ingest(csv_bytes(rows), "t.csv", IngestOptions(today=AS_OF))
    row = next(r for r in bench.benchmarks("network") if r.name == "Team 1" and r.metric == "ssi")
    assert row.n is not None and 10 <= row.n < 20
    assert (row.p10, row.p25, row.p50, row.p75, row.p90) == (None,) * 5


def test_a_changed_row_counts_as_updated_and_undo_restores_it(bench: Bench):
    rows = make_rows()
    first = bench.ingest(csv_bytes(rows), "t.csv", IngestOptions(today=AS_OF))
    email = "person.11@example.com"
    before = bench.percentile(person=email, cohort="all")
    latest = max((r for r in rows if str(r["email"]).lower() == email), key=lambda r: r["date"])
    changed = {**latest, "brand": 25}
    second = bench.ingest(csv_bytes([changed]), "fix.csv", IngestOptions(today=AS_OF))
    assert (second.rows_new, second.rows_updated) == (0, 1)
    assert bench.percentile(person=email, cohort="all").score == total(changed)
    assert bench.undo(second.upload_id) == 1
    assert bench.percentile(person=email, cohort="all") == before
    assert [u.upload_id for u in bench.uploads()] == [first.upload_id]


def test_erase_deletes_every_row_of_the_person(bench: Bench):
    rows = make_rows()
    bench.ingest(csv_bytes(rows), "t.csv", IngestOptions(today=AS_OF))
    email = "person.12@example.com"
    expected = sum(str(r["email"]).lower() == email for r in rows)
    assert bench.erase("PERSON.12@example.com").rows_deleted == expected
    with pytest.raises(NotFoundError):
        bench.person_key(email)
    assert bench.status().rows == len(rows) - expected


def test_strict_mode_refuses_the_whole_file_and_stores_nothing(bench: Bench):
    rows = make_rows(people=12)
    rows[3]["brand"] = 31.2
    with pytest.raises(IngestError, match="strict mode"):
        bench.ingest(csv_bytes(rows), "t.csv", IngestOptions(strict=True, today=AS_OF))
    assert bench.status().rows == 0
    assert bench.uploads() == []


def test_bad_rows_are_reported_and_good_rows_imported(bench: Bench):
    rows = make_rows(people=12)
    rows[3]["brand"] = 31.2
    result = bench.ingest(csv_bytes(rows), "t.csv", IngestOptions(today=AS_OF))
    assert result.rows_rejected == 1
    assert result.rows_accepted == len(rows) - 1
    assert result.rejects[0].line == 5  # header is line 1, rows[3] is line 5
    assert result.rejects[0].field == "brand"


def test_the_same_file_twice_changes_nothing_even_in_data_version(bench: Bench):
    data = csv_bytes(make_rows(people=20))
    bench.ingest(data, "t.csv", IngestOptions(today=AS_OF))
    status = bench.status()
    bench.ingest(data, "t.csv", IngestOptions(today=AS_OF))
    assert bench.status().rows == status.rows


def test_my_benchmark_names_the_pillar_furthest_below_the_sector_median(loaded):
    bench, rows, _ = loaded
    cohort = latest_cohort(rows, AS_OF)
    email, row = next((e, r) for e, r in sorted(cohort.items()) if r["sector"] == "Software")
    key = bench.person_key(email)
    mine = bench.my_benchmark(person_key=key)
    software = [r for r in cohort.values() if r["sector"] == "Software"]
    gaps = {
        p: float(np.median([float(r[p]) for r in software])) - float(row[p])
        for p in ("brand", "people", "insights", "relationships")
    }
    assert mine.weakest_pillar == max(gaps, key=lambda p: gaps[p])
    assert mine.scores["ssi"] == total(row)
    assert mine.standings["ssi"]["sector"].n == len(software)


def test_trend_marks_falls_of_five_points_or_more(bench: Bench):
    rows = []
    scores = [60, 62, 55, 54, 60]
    for w, s in enumerate(scores):
        day = AS_OF - dt.timedelta(weeks=len(scores) - 1 - w)
        rows.append({"email": "a@x.org", "date": day.isoformat(), "sector": "S", "ssi": s})
    bench.ingest(csv_bytes(rows), "t.csv", IngestOptions(today=AS_OF))
    trend = bench.trend(person_key=bench.person_key("a@x.org"))
    assert trend["score"].tolist() == scores
    assert trend["drop"].tolist() == [False, False, True, False, False]
    assert trend["n"].isna().all()  # a cohort of one is never shown


def test_export_csv_neutralises_formulas_and_parquet_keeps_types(bench: Bench):
    rows = make_rows()
    for r in rows:
        if r["sector"] == "Software":
            r["sector"] = '=HYPERLINK("http://evil.example","x")'
    bench.ingest(csv_bytes(rows), "t.csv", IngestOptions(today=AS_OF))
    text = bench.export_benchmarks("csv").decode("utf-8-sig")
    frame = pd.read_csv(io.StringIO(text))
    assert '\'=HYPERLINK("http://evil.example","x")' in set(frame["name"].dropna())
    assert not any(str(v).startswith("=") for v in frame["name"].dropna())
    assert pd.api.types.is_float_dtype(frame["p50"])
    pq = pd.read_parquet(io.BytesIO(bench.export_benchmarks("parquet")))
    assert pd.api.types.is_float_dtype(pq["p50"])
    assert str(pq["n"].dtype) in ("Int64", "int64")


def test_typed_scores_out_of_range_are_refused(bench: Bench):
    bench.ingest(csv_bytes(make_rows(people=12)), "t.csv", IngestOptions(today=AS_OF))
    with pytest.raises(SSIBenchError, match="outside"):
        bench.percentile(pillars=(26, 1, 1, 1), cohort="all")


def test_demo_data_loads_and_is_removed_in_one_action(bench: Bench):
    result = bench.load_demo(people=60, seed=3)
    assert result.rows_rejected == 0 and result.rows_accepted > 0
    assert bench.status().is_demo
    assert bench.remove_demo() == result.rows_accepted
    assert bench.status().is_empty


def test_no_raw_identifier_reaches_the_database_files_exports_or_reports(tmp_path, monkeypatch):
    monkeypatch.delenv("SSI_BENCH_SECRET", raising=False)
    db = tmp_path / "bench.duckdb"
    rows = make_rows(people=30)
    idents = []
    for i, r in enumerate(rows):
        kind = i % 3
        n = int(str(r["email"]).split(".")[1].split("@")[0])
        if kind == 1:
            r["email"] = None
            r["profile url"] = f"https://www.linkedin.com/in/person-{n}-secret/?trk=x"
            idents += [f"person-{n}-secret", f"Person.{n}@Example.com"]
        elif kind == 2:
            r["email"] = None
            r["name"] = f"Zebulon Q{n} Secretname"
            idents.append("Secretname")
        else:
            idents.append(str(r["email"]))
    rows[2]["brand"] = 99  # a reject whose reason must mask the person
    # File names name people too ("SSI history - Bob Late (bob@…).csv"): none is stored.
    named = f"SSI export - Zebulon Secretfile ({rows[0]['email']}).csv"
    idents.append("Secretfile")
    with Bench.open(db, Settings()) as bench:
        result = bench.ingest(csv_bytes(rows), named, IngestOptions(today=AS_OF))
        assert result.rows_rejected >= 1
        bench.ingest_files(
            [(f"Secretfile {rows[0]['email']}.csv", csv_bytes(rows[:5])), (named, csv_bytes(rows))],
            IngestOptions(today=AS_OF, label="Team export"),
        )
        exports = [
            bench.export_benchmarks("csv"),
            bench.export_benchmarks("parquet"),
            bench.export_benchmarks("json"),
            bench.rejects_csv(result.rejects),
        ]
        values = []
        with bench.store.cursor() as cur:
            tables = [
                t[0] for t in cur.execute(
                    "SELECT table_name FROM information_schema.tables"
                ).fetchall()
            ]  # fmt: skip
            for t in tables:
                for rec in cur.execute(f'SELECT * FROM "{t}"').fetchall():
                    values.extend(str(v) for v in rec)
    blob_db = "\n".join(values).casefold()
    files = [p.read_bytes() for p in tmp_path.iterdir() if p.is_file()]
    assert any(p.name.endswith(".key") for p in tmp_path.iterdir())
    for ident in {i for i in idents}:
        folded = ident.casefold()
        assert folded not in blob_db, ident
        for blob in [*files, *exports]:
            low = blob.lower()
            assert folded.encode() not in low, ident
            assert folded.encode("utf-16-le") not in low, ident
    key_file = next(p for p in tmp_path.iterdir() if p.name.endswith(".key"))
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"


def test_ssi_is_stored_as_the_precise_pillar_sum(bench: Bench):
    rows = [
        {
            "email": f"p{i}@x.org",
            "date": "2026-10-01",
            "sector": "S",
            "ssi": 53,
            "brand": "20.998",
            "people": "6.4",
            "insights": "10.25",
            "relationships": "15",
        }
        for i in range(3)
    ]
    bench.ingest(csv_bytes(rows), "t.csv", IngestOptions(today=AS_OF))
    s = bench.percentile(person="p0@x.org", cohort="all")
    assert math.isclose(s.score, 20.998 + 6.4 + 10.25 + 15, abs_tol=1e-9)


def test_settings_refuse_a_minimum_cohort_below_five():
    with pytest.raises(SSIBenchError, match="below the floor"):
        Settings(secret=TEST_SECRET, min_cohort=4)


def test_a_persons_latest_snapshot_is_taken_whole_not_mixed_with_older_ones(bench: Bench):
    older = AS_OF - dt.timedelta(weeks=2)
    rows = [
        {"email": f"p{i}@x.org", "date": AS_OF.isoformat(), "sector": "S", "team": "T",
         "brand": 10 + i % 5, "people": 10, "insights": 10, "relationships": 10}
        for i in range(12)
    ]  # fmt: skip
    # p0's newest row has only a total (and no team); an older one had pillars and a team.
    rows[0] = {"email": "p0@x.org", "date": AS_OF.isoformat(), "sector": "S", "ssi": 44}
    rows.append(
        {"email": "p0@x.org", "date": older.isoformat(), "sector": "S", "team": "T",
         "brand": 25, "people": 5, "insights": 5, "relationships": 5}
    )  # fmt: skip
    bench.ingest(csv_bytes(rows), "t.csv", IngestOptions(today=AS_OF))
    with pytest.raises(NotFoundError, match="no brand score"):
        bench.percentile(person="p0@x.org", metric="brand", cohort="all")
    assert bench.percentile(person="p0@x.org", cohort="all").score == 44
    brand = next(r for r in bench.benchmarks("all") if r.metric == "brand")
    assert brand.n == 11  # p0 has no brand on their latest snapshot
    team = next(r for r in bench.benchmarks("network") if r.metric == "ssi")
    # p0 has no team either: everyone (12) minus team T (11) would be p0 alone, so the
    # release withholds the team's figure (secondary suppression).
    assert team.n is None and team.reason == "parent"
    trend = bench.trend(person_key=bench.person_key("p1@x.org"), metric="brand")
    assert trend["n"].tolist() == [11]  # the trend path agrees


def test_undo_in_the_middle_of_a_chain_of_replacements_keeps_history_straight(bench: Bench):
    def upload(value: int) -> int:
        row = {"email": "chain@x.org", "date": "2026-10-01", "sector": "S", "ssi": value}
        return bench.ingest(csv_bytes([row]), "c.csv", IngestOptions(today=AS_OF)).upload_id

    def current() -> float | None:
        h = bench.store.history(bench.person_key("chain@x.org"))
        return None if h.empty else float(h["ssi"].iloc[0])

    ids = [upload(v) for v in (1, 2, 3, 4)]
    bench.undo(ids[1])  # value 2 goes; 4 stays current
    assert current() == 4
    bench.undo(ids[3])  # value 4 goes: 3 comes back, not 1
    assert current() == 3
    bench.undo(ids[2])  # value 3 goes: 1 comes back (2 was undone)
    assert current() == 1
    bench.undo(ids[0])
    assert bench.status().rows == 0


def test_one_person_under_two_spellings_on_one_day_keeps_the_later_row(bench: Bench):
    """The keys are exact where validation compares roughly: a profile under a country host
    and the www host, or a URL-encoded name, is one person; the later line wins."""
    data = (
        "profile,date,sector,ssi\n"
        "https://nl.linkedin.com/in/jan,2026-10-01,S,50\n"
        "https://www.linkedin.com/in/jan,2026-10-01,S,60\n"
        "https://www.linkedin.com/in/ren%C3%A9,2026-10-01,S,30\n"
        "https://www.linkedin.com/in/rené,2026-10-01,S,35\n"
        "https://www.linkedin.com/in/jan,2026-10-02,S,55\n"
    ).encode()
    result = bench.ingest(data, "f.csv", IngestOptions(today=AS_OF))
    assert (result.rows_read, result.rows_accepted, result.rows_rejected) == (5, 3, 2)
    assert [(r.line, r.field, r.reason) for r in result.rejects] == [
        (2, "date", "duplicate of line 3 (same person and date); the later row was kept"),
        (4, "date", "duplicate of line 5 (same person and date); the later row was kept"),
    ]
    with bench.store.cursor() as cur:
        got = sorted(r[0] for r in cur.execute("SELECT ssi FROM scores").fetchall())
    assert got == [35.0, 55.0, 60.0]


def test_one_person_in_two_cases_across_files_keeps_the_later_file(bench: Bench):
    first = b"email,date,sector,ssi\nJan@Example.org,2026-10-01,S,50\nb@x.org,2026-10-01,S,40\n"
    second = b"email,date,sector,ssi\njan@example.org,2026-10-01,S,65\n"
    result = bench.ingest_files([("a.csv", first), ("b.csv", second)], IngestOptions(today=AS_OF))
    assert (result.rows_read, result.rows_accepted, result.rows_rejected) == (3, 2, 1)
    reject = result.rejects[0]
    assert (reject.file, reject.line, reject.field) == ("a.csv", 2, "date")
    assert reject.reason.startswith("duplicate of b.csv line 2 (same person and date)")
    with bench.store.cursor() as cur:
        got = sorted(r[0] for r in cur.execute("SELECT ssi FROM scores").fetchall())
    assert got == [40.0, 65.0]
