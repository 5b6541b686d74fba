"""Every page through Streamlit's AppTest: start at app.py, switch pages, click, read.

The database is a temporary file (SSI_BENCH_DB); data is seeded through the same cached
Bench the app uses (``ssi_bench.web.state.get_bench()``: AppTest runs the scripts in this
process). Expected numbers are computed here from the seeded rows, never read back from the
library.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from ssi_bench.model import IngestOptions
from ssi_bench.web.admin import NO_PASSWORD_NOTICE
from ssi_bench.web.data import share_ids
from ssi_bench.web.format import safe_md, share_higher_words, standing_sentence
from ssi_bench.web.home import DEMO_PERSON
from ssi_bench.web.my_benchmark import DEMO_NOTE
from ssi_bench.web.shared_view import SHARE_INVALID
from ssi_bench.web.sharing import share_link
from ssi_bench.web.state import get_bench
from ssi_bench.web.widgets import NO_FIGURES
from tests import apptest_support

ROOT = Path(__file__).resolve().parent.parent
PILLAR_KEYS = ("brand", "people", "insights", "relationships")
APP = str(ROOT / "app.py")
TIMEOUT = 60
SECRET = "app-test-secret-at-least-32-characters"
LATEST = dt.date(2026, 11, 2)
EARLIER = dt.date(2026, 10, 5)
HOSTILE = [
    "<script>alert(1)</script>",
    "[x](javascript:alert(1))",
    '=HYPERLINK("http://x")',
    "$x$",
]


# ------------------------------------------------------------------------------ fixtures
@pytest.fixture(autouse=True)
def fresh_app(tmp_path, monkeypatch) -> Iterator[None]:
    """A fresh database file per test, and no cache surviving from another test."""
    with apptest_support.fresh_app(tmp_path / "app.duckdb", monkeypatch, SECRET):
        yield


def bench():
    return get_bench()


# ------------------------------------------------------------------------------ data
def software_ssi(i: int) -> float:
    return round(5 + 0.4 * i, 2) + 30.0


def team_rows() -> list[dict[str, object]]:
    """49 Software people (ssi 35.0 … 54.2), 20 Retail people (ssi 20.0 … 23.8).

    Networks: Team Big (30), Team Mid (15), Team Tiny (4, below k = 10) in Software;
    Retail has no network. Two snapshots; s00 fell by 6 points between them.
    """
    rows: list[dict[str, object]] = []
    for i in range(49):
        network = "Team Big" if i < 30 else "Team Mid" if i < 45 else "Team Tiny"
        for day in (EARLIER, LATEST):
            bump = 6.0 if (i == 0 and day == EARLIER) else 0.0
            rows.append(
                {
                    "email": f"s{i:02d}@x.test",
                    "date": day.isoformat(),
                    "sector": "Software",
                    "network": network,
                    "brand": f"{round(5 + 0.4 * i, 2) + bump:.2f}",
                    "people": "10",
                    "insights": "10",
                    "relationships": "10",
                }
            )
    for j in range(20):
        rows.append(
            {
                "email": f"r{j:02d}@x.test",
                "date": LATEST.isoformat(),
                "sector": "Retail",
                "network": "",
                "brand": "5",
                "people": "5",
                "insights": "5",
                "relationships": f"{5 + 0.2 * j:.2f}",
            }
        )
    return rows


def latest_ssi() -> dict[str, list[float]]:
    """Latest SSI per sector, computed from the rows as written (independent of the app)."""
    out: dict[str, list[float]] = {}
    for r in team_rows():
        if r["date"] != LATEST.isoformat():
            continue
        total = sum(float(r[p]) for p in ("brand", "people", "insights", "relationships"))
        out.setdefault(str(r["sector"]), []).append(round(total, 2))
    return out


def csv_bytes(rows: list[dict[str, object]], sep: str = ",") -> bytes:
    header: list[str] = []
    for r in rows:
        header.extend(k for k in r if k not in header)
    lines = [sep.join(header)]
    lines += [sep.join(str(r.get(h, "")) for h in header) for r in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def seed_team() -> None:
    bench().ingest(csv_bytes(team_rows()), "team.csv", IngestOptions(today=LATEST))


def top_percent(values: list[float], score: float, typed: bool) -> float:
    """Design's "Top X%" = 100·(A + (E+1)/2)/N; a typed score joins as one more member."""
    above = sum(v > score for v in values)
    equal = sum(v == score for v in values) + (1 if typed else 0)
    n = len(values) + (1 if typed else 0)
    return 100 * (above + (equal + 1) / 2) / n


def percentile_rank(values: list[float], score: float, typed: bool) -> float:
    below = sum(v < score for v in values)
    equal = sum(v == score for v in values) + (1 if typed else 0)
    n = len(values) + (1 if typed else 0)
    return 100 * (below + equal / 2) / n


# ------------------------------------------------------------------------------ helpers
def start(page: str | None = None, **query: str) -> AppTest:
    at = apptest_support.start_app(page, TIMEOUT, **query)
    assert not at.exception, [e.value for e in at.exception]
    return at


def texts(at: AppTest) -> list[str]:
    """Every piece of text the page shows (markdown, text, captions, alerts, metrics)."""
    out: list[str] = []
    for kind in ("markdown", "text", "caption", "info", "warning", "error", "success", "code"):
        out.extend(str(e.value) for e in getattr(at, kind))
    for m in at.metric:
        out.extend([str(m.label), str(m.value)])
    out.extend(str(t.label) for t in at.tabs)
    return out


def all_table_cells(at: AppTest) -> list[str]:
    cells: list[str] = []
    for df in at.dataframe:
        frame = df.value
        cells.extend(str(c) for c in frame.columns)
        for col in frame.columns:
            cells.extend(str(v) for v in frame[col].tolist())
    return cells


def table(at: AppTest, *columns: str):
    """The first st.dataframe on the page that has all of ``columns`` (AppTest does not
    address non-selectable dataframes by key)."""
    for df in at.dataframe:
        if set(columns) <= set(df.value.columns):
            return df.value
    raise AssertionError(f"no table with columns {columns}")


def typed_range_text(values: list[float], score: float) -> str:
    """The published answer to a typed score, rebuilt with numpy: the Top range between the
    two quantiles (p10…p90, two decimals) around it."""
    q = {p: round(float(np.percentile(values, p)), 2) for p in (10, 25, 50, 75, 90)}
    lo, hi = (
        (0, 10) if score >= q[90] else (10, 25) if score >= q[75] else
        (25, 50) if score >= q[50] else (50, 75) if score >= q[25] else
        (75, 90) if score >= q[10] else (90, 100)
    )  # fmt: skip
    return f"Top {lo}–{hi}%"


def shown_top(text: str) -> float:
    text = text.replace("\\", "")
    match = re.search(r"Top (\d+(?:\.\d+)?)%", text)
    assert match, text
    return float(match.group(1))


def standing_text(at: AppTest, heading: str) -> str:
    """The markdown sentence right after the bold cohort heading that starts with heading."""
    md = [str(e.value) for e in at.markdown]
    for i, value in enumerate(md):
        if value.startswith(f"**{safe_md(heading)}"):
            return md[i + 1]
    raise AssertionError(f"no standing under {heading!r} in {md}")


def assert_no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


# ------------------------------------------------------------------------------ home
def test_home_on_an_empty_database_says_there_is_no_data_yet():
    at = start()
    assert any("No data yet" in t for t in texts(at))
    assert any(NO_PASSWORD_NOTICE in t for t in [e.value for e in at.info]) is False


def test_an_upload_invalidates_the_cached_status_and_cohorts():
    at = start()
    assert any("No data yet" in t for t in texts(at))
    seed_team()
    at.run()
    assert any(f"{49 + 20} people · 2 sectors" in str(t.value) for t in at.text)
    assert set(at.selectbox(key="check_sector").options) == {"Software", "Retail"}


def test_check_my_score_shows_the_independently_computed_top_percent():
    seed_team()
    at = start()
    typed = (14.6, 10.0, 10.0, 15.0)  # 49.6: between s36 (49.4) and s37 (49.8)
    # a decimal comma (a Dutch keyboard) and a point mean the same
    for pillar, text in zip(PILLAR_KEYS, ("14,6", "10", "10.0", "15,00"), strict=True):
        at.text_input(key=f"check_{pillar}").input(text)
    at.selectbox(key="check_sector").select("Software")
    at.run()
    assert_no_exception(at)
    score = sum(typed)
    by_sector = latest_ssi()
    # A typed score is answered from the published quantiles only: the Top range between
    # the two around it, never an exact percentile.
    sector_text = standing_text(at, "Sector — Software").replace("\\", "")
    assert typed_range_text(by_sector["Software"], score) in sector_text
    assert "percentile" not in sector_text
    everyone = [v for values in by_sector.values() for v in values]
    assert typed_range_text(everyone, score) in standing_text(at, "Everyone").replace("\\", "")
    assert any("Good" in t or "Average" in t or "improve" in t for t in texts(at))
    # nothing stored
    assert bench().status().rows == len(team_rows())


def test_check_my_score_with_only_the_total():
    seed_team()
    at = start()
    at.text_input(key="check_ssi").input("49,6")
    at.run()
    everyone = [v for values in latest_ssi().values() for v in values]
    shown = standing_text(at, "Everyone").replace("\\", "")
    assert typed_range_text(everyone, 49.6) in shown


# ------------------------------------------------------------------------------ upload
def test_upload_previews_then_imports_once_and_reports_rejects():
    rows = team_rows()
    rows.append({**rows[0], "email": "bad@x.test", "brand": "31.5"})  # above 25
    data = csv_bytes(rows, sep=";")
    at = start("pages/1_Upload.py")
    assert any(NO_PASSWORD_NOTICE in str(e.value) for e in at.info)
    at.file_uploader(key="upload_files").set_value(("team.csv", data, "text/csv"))
    at.run()
    assert_no_exception(at)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Rows read"] == f"{len(rows):,}"
    assert metrics["Valid rows"] == f"{len(rows) - 1:,}"
    assert metrics["Rejected"] == "1"
    mapping = table(at, "field", "read from column")
    assert "brand" in set(mapping["field"])
    # the separator is said once (no raw "separator semicolon" note beside the sentence)
    assert sum("semicolon" in str(t.value) for t in at.text) == 1
    assert bench().status().rows == 0  # preview writes nothing

    at.button(key="import_button").click().run()
    assert_no_exception(at)
    assert any("Imported as upload #" in str(s.value) for s in at.success)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Accepted"] == f"{len(rows) - 1:,}"
    assert metrics["Rejected"] == "1"
    rejects = table(at, "line", "field", "reason")
    assert list(rejects["field"]) == ["brand"]
    assert "bad@x.test" not in " ".join(all_table_cells(at))
    assert at.get("download_button")

    # reruns never import twice, and Import is disabled once done
    at.run()
    assert at.button(key="import_button").disabled
    assert_no_exception(at)
    assert len(bench().uploads()) == 1


def test_upload_of_an_unreadable_file_shows_one_error_and_no_import_button_action():
    at = start("pages/1_Upload.py")
    at.file_uploader(key="upload_files").set_value(("junk.csv", b"\x00\x01\x02garbage", "text/csv"))
    at.run()
    assert_no_exception(at)
    assert at.error
    assert at.button(key="import_button").disabled


# ------------------------------------------------------------------------------ my benchmark
def identify(at: AppTest, identifier: str) -> AppTest:
    at.text_input(key="identifier_input").input(identifier)
    at.button(key="identify_submit").click().run()
    assert_no_exception(at)
    return at


def test_my_benchmark_for_a_known_person_matches_an_independent_computation():
    seed_team()
    at = identify(start("pages/2_My_benchmark.py"), "s40@x.test")
    software = latest_ssi()["Software"]
    mine = software_ssi(40)
    expected = top_percent(software, mine, typed=False)
    sector_text = standing_text(at, "Your sector — Software")
    assert shown_top(sector_text) == pytest.approx(expected, abs=0.5)  # whole numbers
    pr = percentile_rank(software, mine, typed=False)
    assert f"percentile {round(pr)}" in sector_text.replace("\\", "")
    assert "49 people" in sector_text
    assert at.get("plotly_chart")
    # the identifier is hashed at once: never shown, kept or put in the URL
    assert "s40@x.test" not in " ".join(texts(at))
    assert at.session_state["identifier_input"] == ""
    assert "s40@x.test" not in str(at.query_params)
    assert len(at.session_state["person_key"]) >= 32


def test_my_benchmark_with_typed_scores_ranks_them_as_one_more_member():
    seed_team()
    at = start("pages/2_My_benchmark.py")
    at.segmented_control(key="mb_mode").set_value("Type my scores").run()
    typed = (14.6, 10.0, 10.0, 15.0)
    for pillar, value in zip(PILLAR_KEYS, typed, strict=True):
        at.text_input(key=f"mb_{pillar}").input(f"{value}".replace(".", ","))
    at.selectbox(key="mb_sector").select("Software")
    at.run()
    assert_no_exception(at)
    shown = standing_text(at, "Your sector — Software").replace("\\", "")
    assert typed_range_text(latest_ssi()["Software"], sum(typed)) in shown
    assert bench().status().rows == len(team_rows())  # nothing stored


def test_trends_share_link_shows_the_history_without_the_identifier():
    seed_team()
    at = identify(start("pages/3_Trends.py"), "s00@x.test")
    at.button(key="tr_share_button").click().run()
    token = str(at.code[0].value).split("share=", 1)[1]
    shared = start(share=token)
    assert_no_exception(shared)
    assert any("2 snapshots" in str(t.value) for t in shared.text)
    assert "s00@x.test" not in " ".join(texts(shared))


def test_a_cohort_below_k_says_why_shows_no_number_and_offers_the_parent():
    seed_team()
    at = identify(start("pages/2_My_benchmark.py"), "s46@x.test")  # Team Tiny: 4 people
    # one placeholder naming where it is shown instead, with no number of its own
    notes = [str(c.value).replace("\\", "") for c in at.caption]
    placeholder = [c for c in notes if c.startswith("Fewer than 10 people here")]
    assert placeholder
    assert all("shown at Sector: Software instead" in c for c in placeholder)
    for c in placeholder:
        assert not re.search(r"Top \d", c)
    md = [str(m.value).replace("\\", "") for m in at.markdown]
    assert "**Your network — Team Tiny**" in md
    # the sector's sentence is under its own heading once, not repeated under the network
    assert not any(m.startswith("**Sector: Software**") for m in md)
    assert re.search(r"Top \d", standing_text(at, "Your sector — Software"))
    after = md[md.index("**Your network — Team Tiny**") + 1]
    assert after.startswith("**Everyone**"), after  # the next heading, no sentence between
    # under each metric's chart the network's quartiles are named as drawn at its sector
    assert (
        "Network: Team Tiny: fewer than 10 people (or it would single out a small group) "
        "— shown at Sector: Software instead." in notes
    )
    assert "4 people" not in " ".join(texts(at))


def test_unknown_identifier_is_one_message_and_nothing_else():
    seed_team()
    at = identify(start("pages/2_My_benchmark.py"), "nobody@x.test")
    # open mode does not say whether an identifier exists (tests/test_access.py compares)
    assert [str(e.value) for e in at.error] == [NO_FIGURES]
    assert not at.get("plotly_chart")


def test_trends_shows_the_history_and_the_drop():
    seed_team()
    at = start("pages/3_Trends.py")
    at = identify(at, "s00@x.test")
    line = " ".join(str(t.value) for t in at.text)
    assert "2 snapshots · 1 drops of 5+ points" in line
    assert at.get("plotly_chart")


# ------------------------------------------------------------------------------ cohorts
def test_sectors_and_networks_list_cohorts_and_mark_small_ones():
    seed_team()
    at = start("pages/4_Sectors.py")
    assert_no_exception(at)
    sizes = table(at, "cohort", "people", "p50")
    # sorted by median, highest first: Software (35.0…54.2) above Retail (20.0…23.8)
    assert list(zip(sizes["cohort"], sizes["people"], strict=True)) == [
        ("Software", "49"),
        ("Retail", "20"),
    ]
    assert at.get("plotly_chart")
    at = start("pages/5_Networks.py")
    sizes = table(at, "cohort", "people", "p50")
    people = dict(zip(sizes["cohort"], sizes["people"], strict=True))
    assert people["Team Big"] == "30"
    assert "Team Tiny" not in people  # no row of dashes: one placeholder line instead
    lines = [str(t.value) for t in at.text if "Team Tiny" in str(t.value)]
    assert len(lines) == 1
    assert "fewer than 10 people" in lines[0]
    assert "Shown at their sector and Everyone instead" in lines[0]


def test_outcomes_without_outcome_columns_says_so():
    seed_team()
    at = start("pages/6_Outcomes.py")
    assert any("No outcomes uploaded yet" in str(i.value) for i in at.info)


def test_outcomes_with_the_demo_data_show_verdicts():
    bench().load_demo(people=300)
    at = start("pages/6_Outcomes.py")
    assert_no_exception(at)
    results = table(at, "outcome", "link", "people")
    assert len(results) > 0
    assert "deals won" in set(results["outcome"])  # plain words, not the column name
    assert "deals_won" not in " ".join(all_table_cells(at))
    shown = " ".join(str(t.value) for t in at.text)
    assert "95% sure" in shown
    assert "Period covered" in shown
    assert "Spearman" not in " ".join(texts(at))


# ------------------------------------------------------------------------------ share links
def test_share_create_open_revoke():
    seed_team()
    at = identify(start("pages/2_My_benchmark.py"), "s40@x.test")
    own = standing_text(at, "Your sector — Software")
    at.button(key="mb_share_button").click().run()
    link = str(at.code[0].value)
    token = link.split("share=", 1)[1]
    assert len(token) >= 22

    shared = start(share=token)
    assert_no_exception(shared)
    assert any("shared view" in str(i.value) for i in shared.info)
    assert standing_text(shared, "Your sector — Software") == own
    assert "s40@x.test" not in " ".join(texts(shared))
    assert not shared.text_input  # read-only: no identifier box, no inputs

    # The link shows the standing as it was shared, even after the data changes.
    assert bench().erase("s41@x.test").rows_deleted > 0
    assert standing_text(identify(start("pages/2_My_benchmark.py"), "s40@x.test"),
                         "Your sector — Software") != own  # fmt: skip
    again = start(share=token)
    assert standing_text(again, "Your sector — Software") == own

    shares = bench().shares_active()
    assert len(shares) == 1
    data = start("pages/7_Data.py")
    data.selectbox(key="revoke_id").select(share_ids(shares)[0])
    data.button(key="revoke_submit").click().run()
    assert_no_exception(data)
    assert bench().shares_active() == []

    gone = start(share=token)
    assert [str(e.value) for e in gone.error] == [SHARE_INVALID]
    assert not gone.metric
    assert not gone.markdown
    assert not gone.dataframe


def test_an_unknown_share_token_shows_one_message_on_any_page():
    seed_team()
    for page in (None, "pages/4_Sectors.py"):
        at = AppTest.from_file(APP, default_timeout=TIMEOUT)
        at.query_params["share"] = "not-a-real-token"
        at.run()
        if page:
            at.switch_page(page).run()
        assert [str(e.value) for e in at.error] == [SHARE_INVALID]
        assert not at.dataframe


def test_sectors_share_link_reopens_the_cohort_view():
    seed_team()
    at = start("pages/4_Sectors.py")
    at.button(key="sectors_share_button").click().run()
    token = str(at.code[0].value).split("share=", 1)[1]
    shared = start(share=token)
    sizes = table(shared, "cohort", "people")
    assert list(sizes["cohort"]) == ["Software", "Retail"]  # the live page's order
    notice = " ".join(str(i.value) for i in shared.info).replace("\\", "")
    assert "shared on" in notice
    assert f"as of {LATEST.isoformat()}" in notice


# ------------------------------------------------------------------------------ admin gate
@pytest.mark.parametrize("page", ["pages/1_Upload.py", "pages/7_Data.py"])
def test_admin_gate_blocks_until_the_right_password(page, monkeypatch):
    monkeypatch.setenv("SSI_BENCH_ADMIN_PASSWORD", "correct horse")
    seed_team()
    at = start(page)
    assert not at.file_uploader
    assert not at.dataframe
    assert any("Admin password required" in str(h.value) for h in at.subheader)
    at.text_input(key="admin_password_input").input("wrong")
    at.button(key="admin_unlock").click().run()
    assert any("Wrong password" in str(e.value) for e in at.error)
    at.text_input(key="admin_password_input").input("correct horse")
    at.button(key="admin_unlock").click().run()
    assert_no_exception(at)
    if page.endswith("Upload.py"):
        assert at.file_uploader
    else:
        assert table(at, "upload", "label").shape[0] == 1
    assert not any(NO_PASSWORD_NOTICE in str(i.value) for i in at.info)


def test_admin_gate_pauses_after_three_wrong_tries(monkeypatch):
    monkeypatch.setenv("SSI_BENCH_ADMIN_PASSWORD", "correct horse")
    at = start("pages/7_Data.py")
    for _ in range(3):
        at.text_input(key="admin_password_input").input("nope")
        at.button(key="admin_unlock").click().run()
    assert any("Too many wrong tries" in str(e.value) for e in at.error)
    assert not at.text_input  # no form while paused
    at.session_state["admin_password_input"] = "correct horse"
    at.run()
    assert not at.dataframe
    # The pause is per browser session: a fresh one (the real admin) still gets the form.
    other = start("pages/7_Data.py")
    assert not any("Too many wrong tries" in str(e.value) for e in other.error)
    assert other.text_input(key="admin_password_input")


def test_admin_gate_reads_the_password_from_secrets():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.secrets["admin_password"] = "from-secrets"
    at.run()
    at.switch_page("pages/1_Upload.py").run()
    assert not at.file_uploader
    at.text_input(key="admin_password_input").input("from-secrets")
    at.button(key="admin_unlock").click().run()
    assert at.file_uploader


def test_without_a_password_the_admin_pages_are_open_and_say_so():
    at = start("pages/7_Data.py")
    assert any(NO_PASSWORD_NOTICE in str(i.value) for i in at.info)
    assert "Minimum cohort size (k)" in set(table(at, "setting", "value")["setting"])


def test_data_page_undo_erase_and_demo_removal():
    seed_team()
    bench().load_demo(people=120)
    at = start("pages/7_Data.py")
    assert_no_exception(at)
    uploads = table(at, "upload", "label")
    assert len(uploads) == 2
    # erase needs the confirmation
    at.text_input(key="erase_identifier").input("s01@x.test")
    at.button(key="erase_submit").click().run()
    assert any("Tick the box" in str(w.value) for w in at.warning)
    at.text_input(key="erase_identifier").input("s01@x.test")
    at.checkbox(key="erase_confirm").check()
    at.button(key="erase_submit").click().run()
    assert any("Erased: 2 rows deleted" in str(s.value) for s in at.success)
    # demo removal asks for confirmation
    at.button(key="remove_demo").click().run()
    assert any("Tick the box" in str(w.value) for w in at.warning)
    assert bench().status().is_demo
    at.checkbox(key="remove_demo_confirm").check()
    at.button(key="remove_demo").click().run()
    assert any("Demo data removed" in str(s.value) for s in at.success)
    assert not bench().status().is_demo
    # undo the team upload
    at.selectbox(key="undo_id").select(bench().uploads()[0].upload_id)
    at.checkbox(key="undo_confirm").check()
    at.button(key="undo_submit").click().run()
    assert_no_exception(at)
    assert bench().status().rows == 0


# ------------------------------------------------------------------------------ hostile text
def hostile_rows() -> list[dict[str, object]]:
    rows = []
    for s, sector in enumerate(HOSTILE):
        for i in range(12):
            rows.append(
                {
                    "email": f"h{s}-{i}@x.test",
                    "date": LATEST.isoformat(),
                    "sector": sector,
                    "network": HOSTILE[(s + 1) % len(HOSTILE)],
                    "ssi": f"{40 + s + i * 0.5:.2f}",
                }
            )
    return rows


def assert_literal_or_escaped(at: AppTest) -> None:
    """Hostile names appear literally in tables, and only escaped inside markdown."""
    for md in at.markdown:
        value = str(md.value)
        assert "<script>" not in value
        assert "](javascript:" not in value
        assert not re.search(r"(?<!\\)\$x(?<!\\)\$", value)
    for el in (*at.caption, *at.warning, *at.info, *at.success):
        assert "<script>" not in str(el.value) or "\\<script\\>" in str(el.value)


def test_hostile_names_appear_literally_in_every_listing():
    # File names are not stored; the admin's label is what the Data page lists.
    bench().ingest(
        csv_bytes(hostile_rows()), "team.csv", IngestOptions(label="<b>evil</b>=cmd().csv")
    )
    at = start()
    options = at.selectbox(key="check_sector").options
    assert set(HOSTILE) <= set(options)
    assert_literal_or_escaped(at)

    for page in ("pages/4_Sectors.py", "pages/5_Networks.py"):
        at = start(page)
        assert_no_exception(at)
        assert set(HOSTILE) <= set(table(at, "cohort", "p50")["cohort"])
        assert_literal_or_escaped(at)

    at = start("pages/7_Data.py")
    assert "<b>evil</b>=cmd().csv" in set(table(at, "upload", "label")["label"])
    assert_literal_or_escaped(at)

    at = identify(start("pages/2_My_benchmark.py"), "h0-3@x.test")
    assert any(HOSTILE[0] in str(t.value) for t in at.text)  # "Sector: <script>…" as text
    md = [str(m.value) for m in at.markdown]
    assert any(safe_md(HOSTILE[0]) in m for m in md)
    assert_literal_or_escaped(at)


def test_safe_md_escapes_markdown_html_latex_and_directives():
    for name in [*HOSTILE, ":red[x]", "**b**", "# h", "a\nb"]:
        escaped = safe_md(name)
        assert re.sub(r"\\(.)", r"\1", escaped) == name.replace("\n", " ")
        for ch in "<>[]()$*#:=":
            assert f"{ch}" not in re.sub(r"\\.", "", escaped)


@pytest.mark.parametrize(
    ("browser_url", "expected"),
    [
        ("http://127.0.0.1:8501/My_benchmark", "http://127.0.0.1:8501/?share=tok"),
        ("http://127.0.0.1:8501/Networks/", "http://127.0.0.1:8501/?share=tok"),
        ("https://bench.example/ssi/Trends", "https://bench.example/ssi/?share=tok"),
        ("https://bench.example/ssi/", "https://bench.example/ssi/?share=tok"),
    ],
)
def test_a_share_link_made_on_any_page_points_at_the_app_root(monkeypatch, browser_url, expected):
    """The page slug (pages/N_Name.py → "Name") is cut from the URL the browser shows, so the
    link opens the shared view from the app's root, under any path prefix."""
    from types import SimpleNamespace

    monkeypatch.setattr(st, "context", SimpleNamespace(url=browser_url))
    assert share_link("tok") == expected
    monkeypatch.setattr(st, "context", SimpleNamespace(url=None))
    assert share_link("tok") == "?share=tok"


def test_standing_sentence_says_it_both_ways():
    from ssi_bench.model import CohortId, Standing

    cohort = CohortId("sector", "Software", LATEST)
    above = Standing("ssi", 40.0, cohort, 40, False, 75.0, 25.0, "Top 25%")
    assert standing_sentence(above, 10) == (
        "Top 25% · percentile 75: one in four score higher (of 40 people)"
    )
    # below the median never reads as praise
    below = Standing("ssi", 40.0, cohort, 40, False, 42.0, 58.4, "Top 58%")
    assert standing_sentence(below, 10).startswith("below the median (Top 58% · percentile 42)")
    banded = Standing("ssi", 40.0, cohort, 15, False, None, 25.0, "Top 25%", precision="banded")
    assert standing_sentence(banded, 10) == "Top 25% (a band: fewer than 30 people)"
    low = Standing("ssi", 20.0, cohort, 15, False, None, 100.0, "Top 100%", precision="banded")
    assert standing_sentence(low, 10).startswith("below the median (Top 100%)")
    ranged = Standing(
        "ssi", 40.0, cohort, 40, False, None, None, "", precision="range",
        basis="published", top_percent_range=(50, 75), note="figure from 2026-10-05",
    )  # fmt: skip
    assert standing_sentence(ranged, 10) == (
        "below the median (Top 50–75%) (from the published quartiles of 40 people)"
        " — figure from 2026-10-05"
    )
    hidden = Standing("ssi", 40.0, cohort, None, True, None, None, "", precision="suppressed")
    assert "fewer than 10 people" in standing_sentence(hidden, 10)
    assert share_higher_words(50) == "half score higher"
    assert share_higher_words(37) == "about 37 in 100 score higher"


def test_my_benchmark_puts_linkedins_own_figures_beside_ours():
    """Issue 6: a person who imported LinkedIn's page JSON sees LinkedIn's ranks and averages
    next to SSI Bench's figures from the upload, each labelled with its source."""
    seed_team()
    capture = ROOT.parent / "shared" / "samples" / "from_code_fixtures"
    capture = capture / "salesApiSsi_live_shape_non_salesnav.json"
    if not capture.exists():
        pytest.skip("shared/samples not beside the repository")
    bench().ingest(
        capture.read_bytes(),
        capture.name,
        IngestOptions(person="li@x.test", sector="Software", date=LATEST, today=LATEST),
    )
    at = identify(start("pages/2_My_benchmark.py"), "li@x.test")
    shown = table(at, "figure", "LinkedIn", "SSI Bench (your upload)")
    rows = {r["figure"]: r for r in shown.to_dict("records")}
    assert rows["Industry / sector rank"]["LinkedIn"] == "Top 75%"
    software = [*latest_ssi()["Software"], 13.118 + 3.68 + 0.3 + 2.6078]
    above = sum(v > software[-1] for v in software)
    equal = sum(v == software[-1] for v in software)
    ours = 100 * (above + (equal + 1) / 2) / len(software)  # 50 people: exact class
    # li@ joins Software on the latest date: one person changed since the last published
    # figure, so the release withholds Software's figure on that date (over-time rule) and
    # li@ has no standing in the last published one: ours says so instead of a number.
    del ours
    assert rows["Industry / sector rank"]["SSI Bench (your upload)"] == "not published"
    industry_avg = rows["Industry average · SSI (total)"]
    assert industry_avg["LinkedIn"] == "30.99"
    # the median shown is Software's last published figure, from EARLIER (s00 was 6 higher)
    earlier = sorted([latest_ssi()["Software"][0] + 6.0, *latest_ssi()["Software"][1:]])
    assert industry_avg["SSI Bench (your upload)"] == f"{float(np.median(earlier)):,.2f} (median)"
    assert rows["Network rank"]["LinkedIn"] == "Top 81%"


# ------------------------------------------------------------------------------ typed inputs
def test_partial_pillars_are_refused_at_the_empty_fields_and_show_no_result():
    seed_team()
    at = start()
    at.text_input(key="check_brand").input("14,2")
    at.text_input(key="check_people").input("10")
    at.run()
    assert_no_exception(at)
    errors = [str(e.value).replace("\\", "") for e in at.error]
    assert len(errors) == 2  # one at each empty pillar
    assert all(": missing." in e for e in errors)
    assert all("never counted as 0" in e for e in errors)
    with pytest.raises(AssertionError):
        standing_text(at, "Everyone")  # no result while an input is invalid


def test_an_unreadable_or_out_of_range_value_blocks_the_result_with_a_message_at_that_field():
    seed_team()
    at = start()
    for pillar, text in zip(PILLAR_KEYS, ("14,2,1", "10", "10", "26"), strict=True):
        at.text_input(key=f"check_{pillar}").input(text)
    at.run()
    errors = [str(e.value).replace("\\", "") for e in at.error]
    assert any("'14,2,1' is not a number" in e for e in errors)
    assert any("26 is outside 0–25" in e for e in errors)
    with pytest.raises(AssertionError):
        standing_text(at, "Everyone")


def test_my_benchmark_takes_the_total_alone():
    seed_team()
    at = start("pages/2_My_benchmark.py")
    at.segmented_control(key="mb_mode").set_value("Type my scores").run()
    at.text_input(key="mb_ssi").input("49,6")
    at.selectbox(key="mb_sector").select("Software")
    at.run()
    assert_no_exception(at)
    shown = standing_text(at, "Your sector — Software").replace("\\", "")
    assert typed_range_text(latest_ssi()["Software"], 49.6) in shown


def test_typed_scores_survive_the_way_from_home_to_my_benchmark():
    seed_team()
    at = start()
    for pillar, text in zip(PILLAR_KEYS, ("14,6", "10", "10", "15"), strict=True):
        at.text_input(key=f"check_{pillar}").input(text)
    at.run()
    at.switch_page("pages/2_My_benchmark.py").run()
    assert_no_exception(at)
    assert at.segmented_control(key="mb_mode").value == "Type my scores"
    assert at.text_input(key="mb_brand").value == "14,6"
    assert at.text_input(key="mb_relationships").value == "15"
    everyone = [v for values in latest_ssi().values() for v in values]
    assert typed_range_text(everyone, 49.6) in standing_text(at, "Everyone").replace("\\", "")


def test_the_as_of_selector_offers_publication_dates_only_and_snaps_a_link_date():
    seed_team()
    at = start("pages/4_Sectors.py")
    assert list(at.selectbox(key="as_of").options) == [LATEST.isoformat(), EARLIER.isoformat()]
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    at.switch_page("pages/4_Sectors.py")
    at.query_params["as_of"] = "2026-10-20"  # between the two snapshot dates
    at.run()
    assert_no_exception(at)
    assert at.selectbox(key="as_of").value == EARLIER
    notes = " ".join(str(c.value) for c in at.caption).replace("\\", "")
    assert "2026-10-20, which is not a publication date: showing 2026-10-05" in notes


def test_home_offers_a_demo_person_while_demo_data_is_loaded():
    at = start()
    assert "try_demo" not in [b.key for b in at.button]
    bench().load_demo(people=120)
    at = start()
    at.button(key="try_demo").click().run()
    assert_no_exception(at)
    md = " ".join(str(m.value) for m in at.markdown).replace("\\", "")
    assert "Your sector" in md
    assert any("synthetic demo data" in str(c.value) for c in at.caption)


def test_a_withheld_networks_quartiles_are_named_at_its_sector_else_at_everyone():
    from ssi_bench.model import BenchmarkRow
    from ssi_bench.web.my_benchmark import quantile_placeholders

    def row(kind: str, name: str | None, p50: float | None) -> BenchmarkRow:
        return BenchmarkRow(
            kind, name, LATEST, "ssi", None if p50 is None else 40, p50 is None, p50=p50
        )  # type: ignore[arg-type]

    everyone = ("Everyone", row("all", None, 50.0))
    net = ("Network: Tiny", row("network", "Tiny", None))
    # listed in display order (sector first), the network still falls back to its sector
    drawn = [("Sector: Software", row("sector", "Software", 45.0)), net, everyone]
    assert quantile_placeholders(drawn, 10, LATEST) == [
        "Network: Tiny: fewer than 10 people (or it would single out a small group) "
        "— shown at Sector: Software instead."
    ]
    small = [("Sector: Software", row("sector", "Software", None)), net, everyone]
    assert quantile_placeholders(small, 10, LATEST) == [
        "Sector: Software: fewer than 10 people (or it would single out a small group) "
        "— shown at Everyone instead.",
        "Network: Tiny: fewer than 10 people (or it would single out a small group) "
        "— shown at Everyone instead.",
    ]


def _shows_demo_note(at: AppTest) -> bool:
    return any(str(c.value) == safe_md(DEMO_NOTE) or str(c.value) == DEMO_NOTE for c in at.caption)


def test_shared_views_say_when_demo_rows_are_part_of_the_figure():
    bench().load_demo(people=120)
    tokens = {}
    for page, key in (
        ("pages/2_My_benchmark.py", "mb_share"),
        ("pages/3_Trends.py", "tr_share"),
        ("pages/4_Sectors.py", "sectors_share"),
    ):
        at = start(page)
        if page != "pages/4_Sectors.py":
            at = identify(at, DEMO_PERSON)
        assert _shows_demo_note(at), page  # the live page says so
        at.button(key=f"{key}_button").click().run()
        tokens[page] = str(at.code[0].value).split("share=", 1)[1]
    for page, token in tokens.items():
        assert _shows_demo_note(start(share=token)), page
    # Without the demo rows: the frozen personal views still counted them when shared and
    # keep saying so; the Sectors view is recomputed on today's data and no longer does.
    assert bench().remove_demo() > 0
    seed_team()
    assert _shows_demo_note(start(share=tokens["pages/2_My_benchmark.py"]))
    assert _shows_demo_note(start(share=tokens["pages/3_Trends.py"]))
    assert not _shows_demo_note(start(share=tokens["pages/4_Sectors.py"]))


def test_a_view_shared_without_demo_data_does_not_mention_it_after_demo_data_is_loaded():
    seed_team()
    at = identify(start("pages/2_My_benchmark.py"), "s40@x.test")
    assert not _shows_demo_note(at)
    at.button(key="mb_share_button").click().run()
    token = str(at.code[0].value).split("share=", 1)[1]
    bench().load_demo(people=120)
    assert _shows_demo_note(identify(start("pages/2_My_benchmark.py"), "s40@x.test"))
    assert not _shows_demo_note(start(share=token))  # frozen before the demo rows came
