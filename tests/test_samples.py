"""Real captures from ../shared/samples, imported as they are, end to end.

Expected values are written out by hand from the files (see shared/samples/README.md).
"""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pandas as pd
import pytest

from ssi_bench import captures
from ssi_bench.api import Bench
from ssi_bench.cli import run
from ssi_bench.config import Settings
from ssi_bench.errors import IngestError
from ssi_bench.model import IngestOptions
from tests.conftest import TEST_SECRET

SAMPLES = Path(__file__).resolve().parent.parent.parent / "shared" / "samples"
PT = SAMPLES / "professorsoares_linkedin-ssi-data"
WESLEY = SAMPLES / "wesleyzilva_link_ssi"
FIXTURES = SAMPLES / "from_code_fixtures"
ME = "me@example.com"
TODAY = dt.date(2026, 11, 22)

pytestmark = pytest.mark.skipif(not SAMPLES.is_dir(), reason="shared/samples not beside repo")


def options(**kw: object) -> IngestOptions:
    base: dict[str, object] = {"person": ME, "sector": "Management consulting", "today": TODAY}
    return IngestOptions(**{**base, **kw})  # type: ignore[arg-type]


def history(bench: Bench):
    frame = bench.store.history(bench.person_key(ME))
    frame.index = [pd.Timestamp(d).date() for d in frame["snapshot_date"]]
    return frame


def day(text: str):
    return dt.date.fromisoformat(text)


# ------------------------------------------------------------------ pt-BR long captures
def test_every_daily_ptbr_capture_imports_as_one_upload_with_the_pages_figures():
    bench = Bench.memory(Settings(secret=TEST_SECRET))
    files = sorted(PT.glob("*.csv"))
    result = bench.ingest_files([(f.name, f.read_bytes()) for f in files], options())
    assert result.rows_read == 9
    assert (result.rows_accepted, result.rows_rejected) == (9, 0)
    h = history(bench)
    # data__ssi_2026-05-12.csv, as the page showed it
    r = h.loc[day("2026-05-12")]
    assert (r.brand, r.people, r.insights, r.relationships) == (21.048, 6.5, 10.25, 15.0)
    assert r.ssi == pytest.approx(21.048 + 6.5 + 10.25 + 15)  # the precise pillar sum
    assert (r.industry_rank, r.network_rank) == (10.0, 12.0)
    assert (r.industry_avg_ssi, r.network_avg_ssi) == (35.0, 36.0)
    assert (r.industry_avg_brand, r.industry_avg_people) == (11.79, 5.4)
    assert (r.industry_avg_insights, r.industry_avg_relationships) == (2.19, 15.16)
    assert (r.network_avg_brand, r.network_avg_people) == (13.21, 4.36)
    assert (r.network_avg_insights, r.network_avg_relationships) == (2.45, 16.32)
    # the older layout of 2026-04-27: total 53, pillars 20,973 6,38 10,25 15, ranks 10/12
    old = h.loc[day("2026-04-27")]
    assert (old.brand, old.people, old.insights, old.relationships) == (20.973, 6.38, 10.25, 15)
    assert (old.industry_rank, old.network_rank) == (10.0, 12.0)
    assert (old.industry_avg_ssi, old.network_avg_ssi) == (35.0, 36.0)


# date -> (ssi = precise pillar sum, brand, people, insights, relationships, industry rank,
#          network rank, industry avg SSI, network avg SSI, industry avg per pillar (or None
#          in the older layout), network avg per pillar), typed, written out from the files.
PT_TYPED = {
    "2026-04-27": (52.603, 20.973, 6.38, 10.25, 15.0, 10.0, 12.0, 35.0, 36.0, None, None),
    "2026-05-12": (52.798, 21.048, 6.5, 10.25, 15.0, 10.0, 12.0, 35.0, 36.0,
                   (11.79, 5.4, 2.19, 15.16), (13.21, 4.36, 2.45, 16.32)),
    "2026-05-13": (52.048, 21.048, 6.5, 9.5, 15.0, 10.0, 13.0, 35.0, 36.0,
                   (11.79, 5.4, 2.18, 15.15), (13.22, 4.36, 2.43, 16.33)),
    "2026-05-14": (52.048, 20.998, 6.5, 9.55, 15.0, 10.0, 13.0, 35.0, 36.0,
                   (11.79, 5.42, 2.2, 15.15), (13.22, 4.39, 2.45, 16.33)),
    "2026-05-15": (52.748, 20.998, 6.5, 10.25, 15.0, 10.0, 12.0, 35.0, 36.0,
                   (11.79, 5.43, 2.19, 15.16), (13.22, 4.39, 2.46, 16.33)),
    "2026-05-16": (52.648, 20.998, 6.4, 10.25, 15.0, 10.0, 12.0, 35.0, 36.0,
                   (11.79, 5.42, 2.17, 15.16), (13.22, 4.39, 2.44, 16.31)),
    "2026-05-17": (52.648, 20.998, 6.4, 10.25, 15.0, 10.0, 12.0, 34.0, 36.0,
                   (11.79, 5.41, 2.13, 15.16), (13.22, 4.38, 2.43, 16.3)),
    "2026-05-18": (52.648, 20.998, 6.4, 10.25, 15.0, 10.0, 12.0, 34.0, 36.0,
                   (11.79, 5.4, 2.11, 15.16), (13.22, 4.37, 2.4, 16.3)),
    "2026-05-19": (52.648, 20.998, 6.4, 10.25, 15.0, 9.0, 11.0, 34.0, 36.0,
                   (11.78, 5.38, 2.09, 15.16), (13.22, 4.36, 2.38, 16.31)),
}  # fmt: skip
PILLARS = ("brand", "people", "insights", "relationships")


def test_every_ptbr_date_is_stored_with_linkedins_figures_typed():
    bench = Bench.memory(Settings(secret="x" * 32))
    files = sorted(PT.glob("*.csv"))
    result = bench.ingest_files([(f.name, f.read_bytes()) for f in files], options())
    assert (result.rows_read, result.rows_accepted, result.rows_rejected) == (9, 9, 0)
    assert (result.rows_new, result.rows_updated, result.rejects) == (9, 0, [])
    assert result.ignored_columns == ["unidade", "escala", "observacao", "fonte"]
    h = history(bench)
    assert [d.isoformat() for d in h.index] == sorted(PT_TYPED)
    for date, (ssi, b, p, i, r, irank, nrank, iavg, navg, ind, net) in PT_TYPED.items():
        row = h.loc[day(date)]
        assert row.ssi == pytest.approx(ssi, abs=1e-9), date
        assert (row.brand, row.people, row.insights, row.relationships) == (b, p, i, r), date
        assert (row.industry_rank, row.network_rank) == (irank, nrank), date
        assert (row.industry_avg_ssi, row.network_avg_ssi) == (iavg, navg), date
        for prefix, values in (("industry", ind), ("network", net)):
            got = tuple(row[f"{prefix}_avg_{m}"] for m in PILLARS)
            if values is None:  # the older layout shows no per-pillar averages
                assert all(v != v for v in got), date
            else:
                assert got == values, date
        # stored as LinkedIn's industry: V1 "Management Consulting" is V2's "Business
        # Consulting and Services" (id 11 in the shipped Industry Codes V2 table)
        assert row.sector == "Business Consulting and Services"


def test_previewing_the_ptbr_files_says_what_was_read_and_what_was_not():
    bench = Bench.memory(Settings(secret="x" * 32))
    old = bench.preview((PT / "data__ssi_2026-04-27.csv").read_bytes(), "old.csv", options())
    assert (old.layout, old.delimiter, old.decimal, old.rows_read, old.rows_valid) == (
        "long", ";", ",", 1, 1,
    )  # fmt: skip
    assert old.mapping["industry_rank"] == "Classificação › Classificação SSI do setor"
    assert any("Setor de referência" in n for n in old.notes)
    assert bench.status().is_empty


def test_the_ptbr_total_is_the_rounded_pillar_sum_and_is_accepted():
    text = (PT / "ssi_data__ssi_2026-05-16.csv").read_text(encoding="utf-8")
    read = captures.read(text, "long", encoding="utf-8")
    row = read.frame.iloc[0]
    assert row["ssi"] == "53 de 100"
    assert (row["brand"], row["people"], row["insights"], row["relationships"]) == (
        "20,998",
        "6,4",
        "10,25",
        "15",
    )
    assert read.decimal == ","
    assert read.layout == "long"


def test_a_long_capture_missing_a_pillar_is_refused_whole(tmp_path):
    text = (PT / "data__ssi_2026-05-12.csv").read_text(encoding="utf-8")
    lines = [ln for ln in text.splitlines() if "Os quatro componentes" not in ln or
             "Interagir" not in ln]  # fmt: skip
    bench = Bench.memory(Settings(secret=TEST_SECRET))
    with pytest.raises(IngestError, match=r"2026-05-12 lacks insights"):
        bench.ingest("\n".join(lines).encode(), "edited.csv", options())
    assert bench.status().is_empty


def test_a_wide_csv_is_not_taken_for_a_capture():
    wide = "Date,CapturedAt,Total,Brand,People,Insights,Relationships\n2026-05-03,x,1,1,1,1,1\n"
    assert captures.detect(wide, "x.csv") is None
    titles = "email;Establish your professional brand;Find the right people;Engage with insights\n"
    assert captures.detect(titles, "x.csv") is None


# ------------------------------------------------------------------ extension history export
def test_the_extensions_real_bad_row_is_rejected_with_its_line_and_field():
    bench = Bench.memory(Settings(secret=TEST_SECRET))
    data = (WESLEY / "output__ssi-scores-2026-05-03-1612.csv").read_bytes()
    result = bench.ingest(data, "x.csv", options())
    assert (result.rows_read, result.rows_accepted, result.rows_rejected) == (1, 0, 1)
    reject = result.rejects[0]
    assert (reject.line, reject.field) == (2, "brand")
    assert "51" in reject.reason


def test_the_header_only_export_is_refused_and_changes_nothing():
    bench = Bench.memory(Settings(secret=TEST_SECRET))
    with pytest.raises(IngestError, match="no data rows"):
        bench.ingest(
            (WESLEY / "output__ssi-scores-2026-05-03.csv").read_bytes(), "h.csv", options()
        )
    assert bench.uploads() == []


def test_several_captures_of_one_day_keep_the_latest(tmp_path):
    bench = Bench.memory(Settings(secret=TEST_SECRET))
    # Same day twice (the extension's shape), the later capture with other (valid) values.
    early = "Date,CapturedAt,Total,Brand,People,Insights,Relationships\n"
    early += "2026-05-03,2026-05-03T16:09:52.719Z,46,14,14,11,7\n"
    late = "Date,CapturedAt,Total,Brand,People,Insights,Relationships\n"
    late += "2026-05-03,2026-05-03T20:55:17.963Z,47,15,14,11,7\n"
    both = early + late.split("\n", 1)[1]
    result = bench.ingest(both.encode(), "two.csv", options())
    assert (result.rows_accepted, result.rows_rejected) == (1, 1)
    assert history(bench).loc[day("2026-05-03")].brand == 15
    # …also when the later capture comes first in the file.
    swapped = late + early.split("\n", 1)[1]
    bench2 = Bench.memory(Settings(secret=TEST_SECRET))
    bench2.ingest(swapped.encode(), "two.csv", options())
    assert history(bench2).loc[day("2026-05-03")].brand == 15


def test_the_extensions_real_files_as_one_upload_reject_each_brand_51_row():
    bench = Bench.memory(Settings(secret="x" * 32))
    files = [(p.name, p.read_bytes()) for p in sorted(WESLEY.glob("*.csv"))]
    files = [(n, d) for n, d in files if d.count(b"\n") >= 1]  # the header-only file apart
    result = bench.ingest_files(files, options())
    assert (result.rows_read, result.rows_accepted, result.rows_rejected) == (4, 0, 4)
    assert [(r.file, r.line, r.field) for r in result.rejects] == [
        ("output__ssi-scores-2026-05-03-1612.csv", 2, "brand"),
        ("output__ssi-scores-2026-05-03-2058.csv", 2, "brand"),
        ("output__ssi-scores-2026-05-04-0114.csv", 2, "brand"),
        ("output__ssi-scores-2026-05-04-0126.csv", 2, "brand"),
    ]
    assert all(r.reason == "brand 51 is above 25" for r in result.rejects)


def test_the_header_only_export_among_others_refuses_the_upload_naming_it():
    bench = Bench.memory(Settings(secret="x" * 32))
    files = [(p.name, p.read_bytes()) for p in sorted(WESLEY.glob("*.csv"))]
    with pytest.raises(IngestError, match=r"output__ssi-scores-2026-05-03\.csv: .*no data rows"):
        bench.ingest_files(files, options())
    assert bench.uploads() == []


def test_corrected_copies_of_the_extensions_files_keep_each_days_latest_capture(tmp_path):
    # The real rows with brand 51 corrected to pillars that sum to the total, one per file.
    fixed = {
        "output__ssi-scores-2026-05-03-1612.csv": "51,16,14,14,7",
        "output__ssi-scores-2026-05-03-2058.csv": "51,17,13,14,7",
        "output__ssi-scores-2026-05-04-0114.csv": "51,18,12,14,7",
        "output__ssi-scores-2026-05-04-0126.csv": "51,19,11,14,7",
    }
    files = []
    for name, values in fixed.items():
        text = (WESLEY / name).read_text(encoding="utf-8").replace("51,51,14,14,7", values)
        (tmp_path / name).write_text(text, encoding="utf-8")
        files.append((name, (tmp_path / name).read_bytes()))
    bench = Bench.memory(Settings(secret="x" * 32))
    result = bench.ingest_files(files, options())
    assert (result.rows_read, result.rows_accepted, result.rows_rejected) == (4, 2, 2)
    assert {(r.file, r.line, r.field) for r in result.rejects} == {
        ("output__ssi-scores-2026-05-03-1612.csv", 2, "date"),
        ("output__ssi-scores-2026-05-04-0114.csv", 2, "date"),
    }
    h = history(bench)
    assert (h.loc[day("2026-05-03")].brand, h.loc[day("2026-05-03")].people) == (17.0, 13.0)
    assert (h.loc[day("2026-05-04")].brand, h.loc[day("2026-05-04")].people) == (19.0, 11.0)
    assert h.loc[day("2026-05-04")].ssi == 51.0


def test_a_folder_of_extension_files_through_the_cli_reports_each_bad_row(tmp_path):
    out = io.StringIO()
    files = [str(p) for p in sorted(WESLEY.glob("*.csv")) if p.stat().st_size > 60]
    code = run(
        ["--db", str(tmp_path / "x.duckdb"), "ingest", *files, "--person", ME,
         "--sector", "Software", "--json"],
        stdout=out, stderr=io.StringIO(),
    )  # fmt: skip
    doc = json.loads(out.getvalue())
    assert code == 0
    assert (doc["rows_read"], doc["rows_accepted"], doc["rows_rejected"]) == (4, 0, 4)
    assert {(r["line"], r["field"]) for r in doc["rejects"]} == {(2, "brand")}
    assert len({r["file"] for r in doc["rejects"]}) == 4


# ------------------------------------------------------------------ LinkedIn's JSON
def test_the_ssi_pages_json_gives_precise_pillars_ranks_and_averages():
    bench = Bench.memory(Settings(secret=TEST_SECRET))
    data = (FIXTURES / "salesApiSsi_live_shape_non_salesnav.json").read_bytes()
    bench.ingest(data, "ssi.json", options(date=day("2026-06-15")))
    r = history(bench).loc[day("2026-06-15")]
    assert r.brand == pytest.approx(13.118002, abs=1e-4)
    assert r.people == 3.68
    assert r.insights == pytest.approx(0.29999998, abs=1e-4)
    assert r.relationships == pytest.approx(2.6077502, abs=1e-4)
    assert r.ssi == pytest.approx(13.118002 + 3.68 + 0.29999998 + 2.6077502, abs=1e-3)
    assert (r.industry_rank, r.network_rank) == (75.0, 81.0)
    assert (r.industry_avg_ssi, r.network_avg_ssi) == (30.99, 32.72)


def test_a_vendor_wrapped_capture_with_a_team_group_imports_and_notes_the_team():
    text = (FIXTURES / "salesApiSsi_unipile_wrapped_with_TEAM.json").read_text()
    read = captures.read(text, captures.detect(text, "x.json") or "", encoding="utf-8")
    row = read.frame.iloc[0]
    assert (row["ssi"], row["brand"], row["people"], row["insights"], row["relationships"]) == (
        "54.6", "21", "6.4", "2.2", "25",
    )  # fmt: skip
    assert (row["industry_rank"], row["network_rank"]) == ("5", "24")
    assert (row["industry_avg_ssi"], row["network_avg_ssi"]) == ("33.75", "46.19")
    assert any("TEAM" in n for n in read.notes)


def test_a_json_array_of_dated_captures_imports_as_a_history():
    capture = json.loads((FIXTURES / "salesApiSsi_live_shape_non_salesnav.json").read_text())
    array = [{"date": "2026-06-01", **capture}, {"date": "2026-06-08", "data": capture}]
    bench = Bench.memory(Settings(secret=TEST_SECRET))
    result = bench.ingest(json.dumps(array).encode(), "history.json", options())
    assert result.rows_accepted == 2
    assert list(history(bench).index) == [day("2026-06-01"), day("2026-06-08")]


def test_the_other_trackers_shapes_import():
    expected = {
        "samjd_ssi_history_json_shape.json": (day("2026-05-01"), 53.0, 18.5),
        "ffinnis_post_payload_shape.json": (day("2026-06-15"), 52.648, 20.998),
        "socialedge_parsed_history_entry_shape.json": (day("2026-06-15"), 19.7058, 13.118),
        "ssi_page_dom_values_2026_en.json": (day("2026-06-15"), 32.81, 12.05),
    }
    for name, (when, ssi, brand) in expected.items():
        bench = Bench.memory(Settings(secret=TEST_SECRET))
        result = bench.ingest((FIXTURES / name).read_bytes(), name, options(date=when))
        assert result.rows_accepted == 1, name
        r = history(bench).loc[when]
        assert r.ssi == pytest.approx(ssi, abs=1e-3), name
        assert r.brand == pytest.approx(brand, abs=1e-3), name


def test_an_api_result_with_a_total_and_ranks_only_imports():
    bench = Bench.memory(Settings(secret=TEST_SECRET))
    data = (FIXTURES / "linkedapi_st_retrieveSSI_result.json").read_bytes()
    bench.ingest(data, "x.json", options(date=day("2026-06-15")))
    r = history(bench).loc[day("2026-06-15")]
    assert (r.ssi, r.industry_rank, r.network_rank) == (78.0, 15.0, 10.0)
    assert r.brand != r.brand  # NaN: the result has no pillars


def test_the_vendor_wrapped_capture_is_stored_without_its_team_group():
    bench = Bench.memory(Settings(secret="x" * 32))
    data = (FIXTURES / "salesApiSsi_unipile_wrapped_with_TEAM.json").read_bytes()
    preview = bench.preview(data, "unipile.json", options(date=day("2026-06-20")))
    assert any("TEAM" in n for n in preview.notes)
    result = bench.ingest(data, "unipile.json", options(date=day("2026-06-20")))
    assert (result.rows_accepted, result.rows_rejected) == (1, 0)
    r = history(bench).loc[day("2026-06-20")]
    assert (r.brand, r.people, r.insights, r.relationships) == (21.0, 6.4, 2.2, 25.0)
    assert r.ssi == pytest.approx(54.6)
    assert (r.industry_rank, r.network_rank) == (5.0, 24.0)
    assert (r.industry_avg_ssi, r.network_avg_ssi) == (33.75, 46.19)


def test_the_donut_values_store_linkedins_averages_per_pillar():
    bench = Bench.memory(Settings(secret="x" * 32))
    data = (FIXTURES / "ssi_page_dom_values_2026_en.json").read_bytes()
    bench.ingest(data, "dom.json", options(date=day("2026-06-15")))
    r = history(bench).loc[day("2026-06-15")]
    assert r.industry_rank == 37.0
    assert (r.industry_avg_ssi, r.network_avg_ssi) == (29.0, 36.0)
    assert tuple(r[f"industry_avg_{m}"] for m in PILLARS) == (11.27, 4.54, 1.56, 11.88)
    assert tuple(r[f"network_avg_{m}"] for m in PILLARS) == (13.1, 8.2, 2.4, 12.3)


def test_an_undated_json_capture_needs_the_uploads_date():
    bench = Bench.memory(Settings(secret="x" * 32))
    data = (FIXTURES / "salesApiSsi_live_shape_non_salesnav.json").read_bytes()
    with pytest.raises(IngestError, match="no date column"):
        bench.ingest(data, "ssi.json", options())
    assert bench.uploads() == []


def test_several_json_captures_of_one_day_keep_the_latest():
    capture = json.loads((FIXTURES / "salesApiSsi_live_shape_non_salesnav.json").read_text())
    later = json.loads(json.dumps(capture).replace("13.118002", "13.2"))
    array = [
        {"capturedAt": "2026-06-01T18:00:00Z", "data": later},
        {"capturedAt": "2026-06-01T07:30:00Z", "data": capture},
    ]
    bench = Bench.memory(Settings(secret="x" * 32))
    text = json.dumps(array, indent=1)
    result = bench.ingest(text.encode(), "h.json", options())
    assert (result.rows_read, result.rows_accepted, result.rows_rejected) == (2, 1, 1)
    second = [i + 1 for i, ln in enumerate(text.splitlines()) if ln == " {"][1]
    assert second == 47  # where the earlier capture starts in the file
    assert (result.rejects[0].field, result.rejects[0].line) == ("date", second)
    assert history(bench).loc[day("2026-06-01")].brand == 13.2


# ------------------------------------------------------------------ pasted page
def test_a_pasted_ssi_page_gives_pillars_rank_and_averages():
    text = (FIXTURES / "ssi_page_copy_paste_en.txt").read_text()
    bench = Bench.memory(Settings(secret=TEST_SECRET))
    result = bench.ingest_text(text, options(date=day("2026-06-15")))
    assert result.rows_accepted == 1
    r = history(bench).loc[day("2026-06-15")]
    assert (r.brand, r.people, r.insights, r.relationships) == (12.275, 6.0, 3.1, 1.948)
    assert r.ssi == pytest.approx(12.275 + 6 + 3.1 + 1.948)
    assert r.industry_rank == 65.0
    assert (r.industry_avg_ssi, r.network_avg_ssi) == (31.0, 30.0)


def test_the_cli_takes_a_paste_file(tmp_path):
    out = io.StringIO()
    code = run(
        ["--db", str(tmp_path / "x.duckdb"), "ingest", "--paste",
         str(FIXTURES / "ssi_page_copy_paste_en.txt"), "--person", ME, "--sector", "Software",
         "--date", "2026-06-15", "--json"],
        stdout=out, stderr=io.StringIO(),
    )  # fmt: skip
    assert code == 0
    assert json.loads(out.getvalue())["rows_accepted"] == 1


def test_pasted_text_without_scores_is_refused_clearly():
    with pytest.raises(IngestError, match="no SSI score found"):
        captures.read_paste("Hello\nEstablish your professional brand\nFind the right people\n")


def test_across_files_the_latest_capture_of_a_day_wins_whatever_the_file_order():
    header = "Date,CapturedAt,Total,Brand,People,Insights,Relationships\n"
    early = header + "2026-05-03,2026-05-03T16:09:52.719Z,46,14,14,11,7\n"
    late = header + "2026-05-03,2026-05-03T20:55:17.963Z,47,15,14,11,7\n"
    for files in ([("a.csv", early), ("b.csv", late)], [("a.csv", late), ("b.csv", early)]):
        bench = Bench.memory(Settings(secret=TEST_SECRET))
        result = bench.ingest_files([(n, t.encode()) for n, t in files], options())
        assert (result.rows_accepted, result.rows_rejected) == (1, 1)
        assert history(bench).loc[day("2026-05-03")].brand == 15


def _as_csv(obj: dict) -> bytes:
    flat = {k: v for k, v in obj.items() if not isinstance(v, dict)}
    return (",".join(flat) + "\n" + ",".join(str(v) for v in flat.values()) + "\n").encode()


def test_the_other_trackers_flat_shapes_as_csv_keep_every_figure():
    # ffinnis names its total "ssi_overall_score" (once ignored: the pillars were summed
    # instead); samjd names its pillars "establish_brand", "find_right_people", … (once
    # all ignored). Stored as CSV by their exports, every column must land.
    ffinnis = json.loads((FIXTURES / "ffinnis_post_payload_shape.json").read_text())
    samjd = json.loads((FIXTURES / "samjd_ssi_history_json_shape.json").read_text())[0]
    for name, obj in (("ffinnis.csv", ffinnis), ("samjd.csv", samjd)):
        bench = Bench.memory(Settings(secret=TEST_SECRET))
        preview = bench.preview(_as_csv(obj), name, options(date=day("2026-06-15")))
        assert set(preview.mapping) >= {"ssi", "brand", "people", "insights", "relationships"}
        assert preview.ignored_columns == [] and preview.unmatched_like_ssi == []


def test_an_unmatched_ssi_like_column_is_listed_apart_in_ingest_json(tmp_path, monkeypatch):
    monkeypatch.setenv("SSI_BENCH_SECRET", TEST_SECRET)
    path = tmp_path / "t.csv"
    path.write_text("Date,Total,Brand,People,Insights,Relationships,SSI trend,Notes\n"
                    "2026-05-03,51,20,14,10,7,+2,x\n")  # fmt: skip
    out = io.StringIO()
    argv = ["--db", str(tmp_path / "x.duckdb"), "ingest", str(path)]
    argv += ["--person", "p@x.example", "--sector", "S", "--json"]
    code = run(argv, stdout=out, stderr=io.StringIO())
    doc = json.loads(out.getvalue())
    assert code == 0, doc
    assert doc["unmatched_like_ssi"] == ["SSI trend"]
    assert doc["ignored_columns"] == ["SSI trend", "Notes"]
