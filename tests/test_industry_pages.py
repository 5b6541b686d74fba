"""LinkedIn industries on the pages (issue 12), through Streamlit's AppTest.

The Upload preview's sector picker, the Data page's mapping editor with undo, the Sectors
page's level selector, and the LinkedIn-wide sentence on My benchmark, Check my score and
Trends. Expected values come from the taxonomy file read here with ``csv`` (never through
:mod:`ssi_bench.industries`), from the rows as written, and from the true distribution the
captured ranks were drawn from (scipy); stored rows are recounted with plain SQL.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import streamlit as st  # noqa: TID251 - an AppTest module
from scipy import stats
from streamlit.testing.v1 import AppTest  # noqa: TID251

from ssi_bench.model import IngestOptions
from ssi_bench.sectors import NOT_AN_INDUSTRY
from ssi_bench.web.state import get_bench
from tests.conftest import csv_bytes

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
TAXONOMY = ROOT / "ssi_bench" / "data" / "linkedin_industry_codes_v2.tsv"
SECRET = "industry-pages-test-secret-at-least-32-chars"
DAY = dt.date(2026, 11, 20)
UNKNOWN_SECTOR = "Acme Widget Works"  # names no LinkedIn industry in any language
WIDE = re.compile(
    r"LinkedIn-wide: about Top (\d+)% of sales professionals in (.+) "
    r"\(from (\d+) captured ranks, ±(\d+)\)"
)


@pytest.fixture(autouse=True)
def fresh_app(tmp_path, monkeypatch) -> Iterator[None]:
    monkeypatch.setenv("SSI_BENCH_DB", str(tmp_path / "ind.duckdb"))
    monkeypatch.setenv("SSI_BENCH_SECRET", SECRET)
    monkeypatch.delenv("SSI_BENCH_ADMIN_PASSWORD", raising=False)
    monkeypatch.delenv("SSI_BENCH_MIN_COHORT", raising=False)
    st.cache_resource.clear()
    st.cache_data.clear()
    yield
    try:
        get_bench().close()
    finally:
        st.cache_resource.clear()
        st.cache_data.clear()


# ------------------------------------------------------------------------------ helpers
def taxonomy() -> dict[str, tuple[int, list[str]]]:
    """label → (id, path of labels from the top), read from the shipped file."""
    with TAXONOMY.open(encoding="utf-8") as f:
        return {
            r["label"]: (int(r["industry_id"]), [p.strip() for p in r["hierarchy"].split(">")])
            for r in csv.DictReader(f, delimiter="\t")
        }


def start(page: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    if page is not None:
        at.switch_page(page).run()
    assert_ok(at)
    return at


def assert_ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def texts(at: AppTest) -> list[str]:
    kinds = ("markdown", "text", "caption", "info", "warning", "error", "success")
    return [str(e.value) for kind in kinds for e in getattr(at, kind)]


def table(at: AppTest, *columns: str):
    for df in at.dataframe:
        if set(columns) <= set(df.value.columns):
            return df.value
    raise AssertionError(f"no table with columns {columns}")


def stored(sql: str) -> list[tuple]:
    with get_bench().store.cursor() as cur:
        return cur.execute(sql).fetchall()


def people(sector: str, n: int, prefix: str, day: dt.date = DAY) -> list[dict[str, object]]:
    return [
        {"email": f"{prefix}{i:02d}@corp.test", "date": day.isoformat(), "sector": sector,
         "ssi": f"{30 + i}"}
        for i in range(n)
    ]  # fmt: skip


# ------------------------------------------------------------------------------ (a) upload
def test_the_upload_preview_offers_three_industries_and_the_pick_files_rows_and_is_remembered():
    tax = taxonomy()
    at = start("pages/1_Upload.py")
    at.file_uploader(key="upload_files").set_value(
        ("team.csv", csv_bytes(people(UNKNOWN_SECTOR, 12, "a")), "text/csv")
    )
    at.run()
    assert_ok(at)
    preview = table(at, "sector in the file", "stored as", "closest industries")
    row = preview[preview["sector in the file"] == UNKNOWN_SECTOR].iloc[0]
    assert row["stored as"] == NOT_AN_INDUSTRY == "not a LinkedIn industry — kept as written"
    closest = row["closest industries"].split(", ")
    assert len(closest) == 3 and len(set(closest)) == 3 and set(closest) <= set(tax)
    pick = at.selectbox(key="preview_0_pick_0")
    assert [o.rsplit(" (", 1)[0] for o in pick.options] == closest
    chosen = closest[1]  # not the first: the pick, not a default, decides
    chosen_id = tax[chosen][0]
    pick.select(f"{chosen} ({chosen_id})").run()
    at.button(key="preview_0_remember_0").click().run()
    assert_ok(at)
    assert any(chosen in t and "re-filed" in t for t in texts(at))
    at.button(key="import_button").click().run()
    assert_ok(at)
    assert stored("SELECT sector, industry_id, count(*) FROM scores GROUP BY ALL") == [
        (chosen, chosen_id, 12)
    ]
    # The next upload with the same text (other case and spacing) is filed there at once.
    at.file_uploader(key="upload_files").set_value(
        ("more.csv", csv_bytes(people("  acme widget WORKS ", 3, "b")), "text/csv")
    )
    at.run()
    assert_ok(at)
    preview = table(at, "sector in the file", "stored as")
    assert list(preview["stored as"]) == [chosen]
    assert not [w for w in at.selectbox if "_pick_" in str(w.key)]  # nothing left to pick
    at.button(key="import_button").click().run()
    assert stored("SELECT sector, industry_id, count(*) FROM scores GROUP BY ALL") == [
        (chosen, chosen_id, 15)
    ]


# ------------------------------------------------------------------------------ (b) data page
def test_the_data_page_mapping_editor_refiles_stored_rows_and_undo_restores_them():
    tax = taxonomy()
    rows = people(UNKNOWN_SECTOR, 5, "u") + people("Retail", 3, "r")
    get_bench().ingest(csv_bytes(rows), "team.csv", IngestOptions(today=DAY))
    before = stored("SELECT sector, industry_id, count(*) FROM scores GROUP BY ALL ORDER BY 1")
    assert before == [(UNKNOWN_SECTOR, None, 5), ("Retail", tax["Retail"][0], 3)]
    at = start("pages/7_Data.py")
    listed = table(at, "sector", "LinkedIn industry", "rows", "people")
    assert dict(zip(listed["sector"], listed["LinkedIn industry"], strict=True)) == {
        UNKNOWN_SECTOR: "kept as written", "Retail": "yes"
    }  # fmt: skip
    finance_id = tax["Financial Services"][0]
    at.text_input(key="sectors_admin_text").input(UNKNOWN_SECTOR)
    at.selectbox(key="sectors_admin_industry").select(f"Financial Services ({finance_id})")
    next(b for b in at.button if b.label == "Map and re-file").click().run()
    assert_ok(at)
    assert any("Financial Services" in t and "5 rows re-filed" in t for t in texts(at))
    assert stored("SELECT sector, industry_id, count(*) FROM scores GROUP BY ALL ORDER BY 1") == [
        ("Financial Services", finance_id, 5), ("Retail", tax["Retail"][0], 3)
    ]  # fmt: skip
    at.button(key="sectors_admin_undo").click().run()
    assert_ok(at)
    assert any("undone: 5 rows put back" in t for t in texts(at))
    assert (
        stored("SELECT sector, industry_id, count(*) FROM scores GROUP BY ALL ORDER BY 1") == before
    )
    assert stored("SELECT count(*) FROM sector_map") == [(0,)]
    # Both changes are in the audit log under who acted (open mode here: no password, no
    # sign-in), by industry, never by the sector text the uploader typed.
    logged = stored(
        "SELECT actor, action, object FROM audit_log WHERE action LIKE 'sector%' ORDER BY entry_id"
    )
    change = f"1: kept as written to {finance_id} Financial Services"
    assert logged == [
        ("open mode", "sector_map", f"#{change}"),
        ("open mode", "sector_undo", f"#{change}"),
    ]
    assert UNKNOWN_SECTOR not in repr(stored("SELECT * FROM audit_log"))


# ------------------------------------------------------------------------------ (c) sectors
#: People per industry: two small children of Software Development (below k = 10 each, 10
#: together, so the group minus its published child is 10, not a person), one published
#: child, and two industries elsewhere.
SIZES = {
    "Computer Networking Products": 4,
    "Computer Games": 6,
    "Embedded Software Products": 12,
    "IT Services and IT Consulting": 11,
    "Retail": 12,
}


def expected_level_counts(level: int) -> dict[str, int]:
    """People per cohort of a level view, from the taxonomy file: an industry deeper than
    ``level`` counts in its ancestor at that depth; one at or above it counts as itself."""
    tax = taxonomy()
    out: dict[str, int] = {}
    for label, n in SIZES.items():
        path = tax[label][1]
        name = path[level - 1] if len(path) > level else label
        out[name] = out.get(name, 0) + n
    return out


@pytest.mark.parametrize("level", [1, 2, 3])
def test_the_sectors_level_selector_rolls_small_industries_up_into_their_group(level):
    rows = [r for i, (s, n) in enumerate(SIZES.items()) for r in people(s, n, f"p{i}_")]
    get_bench().ingest(csv_bytes(rows), "team.csv", IngestOptions(today=DAY))
    at = start("pages/4_Sectors.py")
    as_stored = table(at, "cohort", "people")
    assert "Computer Networking Products" not in set(as_stored["cohort"])  # 4 people: withheld
    at.selectbox(key="sectors_level").select(f"Industry group, level {level}").run()
    assert_ok(at)
    shown = table(at, "cohort", "people")
    got = dict(zip(shown["cohort"], shown["people"].astype(int), strict=True))
    assert got == expected_level_counts(level)
    assert len(rows) == sum(SIZES.values())


# ------------------------------------------------------------------------------ (d) LinkedIn
TRUTH = stats.norm(52, 13)
CAPTURED = 40


def captures(with_rank: bool) -> list[dict[str, object]]:
    """40 Software Development people with SSI drawn from TRUTH and LinkedIn's rank of that
    score (whole percent, Top 1% floor) when ``with_rank``."""
    rng = np.random.default_rng(7)
    out = []
    for i in range(CAPTURED):
        s = float(np.clip(TRUTH.rvs(random_state=rng), 1, 99))
        pillar = round(s / 4, 2)
        row: dict[str, object] = {
            "email": f"c{i:02d}@corp.test", "date": DAY.isoformat(),
            "sector": "Software Development", "brand": pillar, "people": pillar,
            "insights": pillar, "relationships": pillar,
        }  # fmt: skip
        if with_rank:
            row["Industry SSI rank"] = f"Top {max(1, round(100 * TRUTH.sf(s)))}%"
        out.append(row)
    return out


def wide_sentences(at: AppTest) -> list[re.Match[str]]:
    found = [WIDE.search(str(e.value)) for e in at.info]
    return [m for m in found if m is not None]


def assert_matches_truth(m: re.Match[str], score: float) -> None:
    top, industry, n, pm = int(m[1]), m[2], int(m[3]), int(m[4])
    assert industry == "Software Development" and n == CAPTURED
    assert abs(top - 100 * TRUTH.sf(score)) <= pm


def pages_with_sentence(with_rank: bool) -> dict[str, list[re.Match[str]]]:
    rows = captures(with_rank)
    get_bench().ingest(csv_bytes(rows), "c.csv", IngestOptions(today=DAY))
    person = rows[0]
    out: dict[str, list[re.Match[str]]] = {}
    for page in ("pages/2_My_benchmark.py", "pages/3_Trends.py"):
        at = start(page)
        at.text_input(key="identifier_input").input(str(person["email"]))
        at.button(key="identify_submit").click().run()
        assert_ok(at)
        out[page] = wide_sentences(at)
    home = start()
    home.text_input(key="check_ssi").input("50")
    home.selectbox(key="check_sector").select("Software Development").run()
    assert_ok(home)
    out["home"] = wide_sentences(home)
    assert "c00@corp.test" not in " ".join(texts(home))
    return out


def test_the_linkedin_wide_sentence_shows_on_my_benchmark_home_and_trends_from_captures():
    mine = round(4 * round(float(captures(True)[0]["brand"]), 2), 2)
    got = pages_with_sentence(with_rank=True)
    for page in ("pages/2_My_benchmark.py", "pages/3_Trends.py"):
        (m,) = got[page]
        assert_matches_truth(m, mine)
    (m,) = got["home"]
    assert_matches_truth(m, 50.0)


def test_without_captured_ranks_no_page_shows_a_linkedin_wide_sentence():
    got = pages_with_sentence(with_rank=False)
    assert got == {"pages/2_My_benchmark.py": [], "pages/3_Trends.py": [], "home": []}
