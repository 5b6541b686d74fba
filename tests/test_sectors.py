"""Sector texts become LinkedIn industries at upload; the admin's mappings; LinkedIn-wide ranks.

Expected values are hand-made facts of LinkedIn's table (Software Development is industry 4,
Financial Services 43) and recounts of the stored rows with plain SQL; the LinkedIn-wide
standing is checked against the true survival function of the distribution the captures were
drawn from (scipy).
"""

from __future__ import annotations

import datetime as dt
import io
import json

import numpy as np
import pytest
from scipy import stats

from ssi_bench import audit
from ssi_bench.api import Bench
from ssi_bench.cli import run
from ssi_bench.errors import NotFoundError
from ssi_bench.sectors import NOT_AN_INDUSTRY
from tests.conftest import TEST_SECRET, csv_bytes

DAY = dt.date(2026, 10, 26)
SOFTWARE, FINANCE = 4, 43


def team(sectors: list[str], *, prefix: str = "p", day: dt.date = DAY) -> bytes:
    rows = [
        {"email": f"{prefix}{i}@example.com", "date": day.isoformat(), "sector": s,
         "brand": 10, "people": 10, "insights": 10, "relationships": 10 + i % 5}
        for i, s in enumerate(sectors)
    ]  # fmt: skip
    return csv_bytes(rows)


def stored(bench: Bench, table: str = "scores") -> dict[tuple[str, int | None], int]:
    """(sector, industry_id) → rows, recounted straight from the table."""
    with bench.store.cursor() as cur:
        got = cur.execute(
            f"SELECT sector, industry_id, count(*) FROM {table} GROUP BY ALL"
        ).fetchall()
    return {(s, i): n for s, i, n in got}


def test_a_dutch_and_an_english_file_land_in_the_same_industries(bench: Bench):
    bench.ingest(team(["Software Development", "Financial Services"] * 3, prefix="en"), "en.csv")
    dutch = ["Softwareontwikkeling", "Financiële dienstverlening"] * 2
    result = bench.ingest(team(dutch, prefix="nl"), "nl.csv")
    assert stored(bench) == {
        ("Software Development", SOFTWARE): 5,
        ("Financial Services", FINANCE): 5,
    }
    shown = {s.text: (s.industry_id, s.stored_as, s.how) for s in result.sectors}
    assert shown == {
        "Softwareontwikkeling": (SOFTWARE, "Software Development", "translation"),
        "Financiële dienstverlening": (FINANCE, "Financial Services", "translation"),
    }


def test_an_unknown_sector_is_kept_as_written_with_three_close_industries(bench: Bench):
    data = team(["Sofware Developmnt", "Software Development"])
    preview = bench.preview(data, "t.csv")
    by_text = {s.text: s for s in preview.sectors}
    odd = by_text["Sofware Developmnt"]
    assert odd.industry_id is None and odd.stored_as == "Sofware Developmnt"
    assert NOT_AN_INDUSTRY in odd.display
    assert len(odd.suggestions) == 3 and odd.suggestions[0][1] == "Software Development"
    doc = preview.to_dict()["sectors"]
    assert [d["text"] for d in doc] == ["Software Development", "Sofware Developmnt"]  # sorted
    assert doc[1]["industry"] is None and len(doc[1]["suggestions"]) == 3
    bench.ingest(data, "t.csv")
    assert stored(bench) == {("Sofware Developmnt", None): 1, ("Software Development", SOFTWARE): 1}


def test_a_mapping_refiles_stored_rows_applies_to_later_uploads_and_undoes(bench: Bench):
    bench.ingest(team(["Acme Soft"] * 3 + ["Retail"] * 2, prefix="a"), "a.csv")
    change = bench.map_sector("acme  SOFT", "Software Development")
    assert change.rows_refiled == 3 and change.new_industry_id == SOFTWARE
    assert stored(bench) == {("Software Development", SOFTWARE): 3, ("Retail", 27): 2}
    later = bench.ingest(team(["Acme Soft"] * 2, prefix="b"), "b.csv")
    assert later.sectors[0].how == "override"
    assert stored(bench)[("Software Development", SOFTWARE)] == 5
    undone = bench.undo_sector()
    assert undone.change_id == change.change_id
    # The rows the mapping re-filed go back; the later upload's rows were stored as mapped.
    assert stored(bench) == {
        ("Acme Soft", None): 3,
        ("Software Development", SOFTWARE): 2,
        ("Retail", 27): 2,
    }
    assert bench.sector_mappings() == []
    with pytest.raises(NotFoundError):
        bench.undo_sector()


def test_mapping_changes_are_audited_with_industries_never_the_sector_text(bench: Bench):
    # A sector text can be anything an uploader typed, an e-mail address included.
    raw = "jan.jansen@corp.test"
    bench.ingest(team([raw] * 2, prefix="a"), "a.csv")
    actor = "f" * 32  # what a surface sets: the keyed hash of the signed-in admin
    with audit.acting_as(actor):
        first = bench.map_sector(raw, "Retail")
        second = bench.map_sector(raw, FINANCE)
        bench.undo_sector()
    got = [(e["actor"], e["action"], e["object"]) for e in reversed(audit.entries(bench.store))]
    got = [g for g in got if g[1].startswith("sector_")]
    assert got == [
        (actor, "sector_map", f"#{first.change_id}: kept as written to 27 Retail"),
        (actor, "sector_map", f"#{second.change_id}: 27 Retail to 43 Financial Services"),
        (actor, "sector_undo", f"#{second.change_id}: 27 Retail to 43 Financial Services"),
    ]
    with bench.store.cursor() as cur:
        logged = cur.execute("SELECT * FROM audit_log").fetchall()
    assert "jan" not in repr(logged).lower() and "@" not in repr(logged)


def test_an_industry_label_the_audit_pattern_refuses_is_cleaned_not_dropped():
    label = "Retail Recyclable Materials & Used Merchandise"  # "&" is not an object character
    got = audit.sector_change_object(9, (96, "Women's Handbag Manufacturing"), (2, label))
    # "'" and "&" become spaces (runs of spaces one); cut at 80 characters, ids first.
    whole = "#9: 96 Women s Handbag Manufacturing to 2 Retail Recyclable Materials Used Merchandise"
    assert got == whole[:80] and len(got) == 80


def test_remapping_moves_the_rows_an_earlier_mapping_filed(bench: Bench):
    bench.ingest(team(["Acme"] * 4), "a.csv")
    bench.map_sector("Acme", SOFTWARE)
    second = bench.map_sector("Acme", str(FINANCE))
    assert second.old_industry_id == SOFTWARE and second.rows_refiled == 4
    assert stored(bench) == {("Financial Services", FINANCE): 4}
    bench.undo_sector()
    assert stored(bench) == {("Software Development", SOFTWARE): 4}
    assert [m["industry_id"] for m in bench.sector_mappings()] == [SOFTWARE]


def test_undoing_an_upload_restores_the_refiled_version_it_replaced(bench: Bench):
    first = team(["Acme"] * 2)
    bench.ingest(first, "a.csv")
    bench.map_sector("Acme", SOFTWARE)
    changed = first.replace(b",10,10,10,1", b",11,11,11,1")
    upload = bench.ingest(changed, "b.csv")
    assert stored(bench, "scores_replaced") == {("Software Development", SOFTWARE): 2}
    bench.undo(upload.upload_id)
    assert stored(bench) == {("Software Development", SOFTWARE): 2}


def test_mapping_to_an_unknown_industry_changes_nothing(bench: Bench):
    bench.ingest(team(["Acme"]), "a.csv")
    with pytest.raises(NotFoundError, match="closest"):
        bench.map_sector("Acme", "Underwater basket weaving")
    with pytest.raises(NotFoundError):
        bench.map_sector("Acme", 999_999)
    assert stored(bench) == {("Acme", None): 1} and bench.sector_changes() == []


def test_the_migration_adds_industry_id_to_scores_and_replaced_rows(bench: Bench):
    with bench.store.cursor() as cur:
        for table in ("scores", "scores_replaced"):
            cols = {r[0]: r[1] for r in cur.execute(f"DESCRIBE {table}").fetchall()}
            assert cols["industry_id"] == "INTEGER"
        for table in ("sector_map", "sector_changes", "sector_change_rows", "release_curves"):
            cur.execute(f"SELECT count(*) FROM {table}").fetchone()


def cli(*args: str) -> tuple[int, object]:
    out, err = io.StringIO(), io.StringIO()
    code = run(list(args), stdout=out, stderr=err, stdin=io.StringIO(""))
    return code, json.loads(out.getvalue()) if out.getvalue().strip() else None


def test_the_sectors_commands_list_map_and_undo(tmp_path, monkeypatch):
    monkeypatch.setenv("SSI_BENCH_SECRET", TEST_SECRET)
    db, path = str(tmp_path / "s.duckdb"), tmp_path / "t.csv"
    path.write_bytes(team(["Acme"] * 2 + ["Softwareontwikkeling"]))
    code, doc = cli("--db", db, "ingest", str(path), "--json")
    assert code == 0 and {s["text"] for s in doc["sectors"]} == {"Acme", "Softwareontwikkeling"}
    code, doc = cli(
        "--db", db, "sectors", "map", "Acme", "--industry", "Financial Services", "--json"
    )
    assert code == 0 and doc["rows_refiled"] == 2 and doc["new_industry"] == "Financial Services"
    code, doc = cli("--db", db, "sectors", "list", "--json")
    assert {(s["sector"], s["industry_id"], s["rows"]) for s in doc["sectors"]} == {
        ("Financial Services", FINANCE, 2),
        ("Software Development", SOFTWARE, 1),
    }
    assert doc["mappings"][0]["text"] == "Acme"
    code, doc = cli("--db", db, "sectors", "undo", "--json")
    assert code == 0 and doc["rows_refiled"] == 2
    code, doc = cli("--db", db, "sectors", "list", "--json")
    assert ("Acme", None, 2) in {(s["sector"], s["industry_id"], s["rows"]) for s in doc["sectors"]}


# ---------------------------------------------------------------------- LinkedIn-wide
def captures(n: int, rng: np.random.Generator, dist: stats.rv_continuous) -> bytes:
    """n people of Software Development with SSI drawn from ``dist`` and LinkedIn's rank of
    that score, rounded to a whole percent with "Top 1%" as the floor."""
    rows = []
    for i in range(n):
        s = float(np.clip(dist.rvs(random_state=rng), 1, 99))
        top = max(1, round(100 * dist.sf(s)))
        pillar = round(s / 4, 2)
        rows.append({
            "email": f"c{i}@example.com", "date": DAY.isoformat(), "sector": "Software Development",
            "brand": pillar, "people": pillar, "insights": pillar, "relationships": pillar,
            "Industry SSI rank": f"Top {top}%", "industry avg ssi": 41,
        })  # fmt: skip
    return csv_bytes(rows)


def test_a_team_sees_a_linkedin_wide_standing_within_its_stated_error(bench: Bench):
    truth = stats.norm(52, 13)
    bench.ingest(captures(40, np.random.default_rng(3), truth), "c.csv")
    for score in (35.0, 50.0, 65.0):
        got = bench.percentile(score=score, sector="Softwareontwikkeling").linkedin_industry
        assert got is not None and got["industry"] == "Software Development"
        assert got["captures"] == 40 and got["industry_avg_ssi"] == 41
        assert abs(got["top_percent"] - 100 * truth.sf(score)) <= got["plus_minus"]
        assert got["display"] == (
            f"LinkedIn-wide: about Top {got['top_percent']}% of sales professionals in Software "
            f"Development (from 40 captured ranks, ±{got['plus_minus']})"
        )
    mine = bench.my_benchmark(score=50.0, sector="Software Development").to_dict()
    assert mine["linkedin_industry"]["captures"] == 40
    person = bench.percentile(person="c0@example.com")
    assert person.to_dict()["linkedin_industry"]["industry"] == "Software Development"
    # Another metric than the total, or an industry with no curve: null.
    assert (
        bench.percentile(
            score=10.0, metric="brand", sector="Software Development"
        ).linkedin_industry
        is None
    )
    assert bench.percentile(score=50.0, sector="Financial Services").linkedin_industry is None


def test_no_curve_is_fitted_from_fewer_than_k_people(bench: Bench):
    bench.ingest(captures(9, np.random.default_rng(1), stats.norm(50, 10)), "c.csv")
    got = bench.percentile(score=50.0, sector="Software Development")
    assert got.linkedin_industry is None
    with bench.store.cursor() as cur:
        assert cur.execute("SELECT count(*) FROM release_curves").fetchone() == (0,)
