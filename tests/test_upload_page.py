"""The Upload page (issue 14 §7, issue 11 §5), through AppTest with widgets addressed by key.

Expected values are computed here from the rows as written, never read back from the app.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from streamlit.testing.v1 import AppTest  # noqa: TID251

from ssi_bench.model import IngestOptions, Reject
from ssi_bench.web.state import get_bench
from tests import apptest_support

ROOT = Path(__file__).resolve().parent.parent
SECRET = "upload-page-test-secret-at-least-32-chars"
TODAY = dt.date(2026, 11, 30)
UPLOAD = "pages/1_Upload.py"
DATA = "pages/7_Data.py"


@pytest.fixture(autouse=True)
def fresh_app(tmp_path, monkeypatch) -> Iterator[None]:
    with apptest_support.fresh_app(tmp_path / "up.duckdb", monkeypatch, SECRET):
        yield


def rows(n: int = 24) -> list[dict[str, str]]:
    """n people on two dates, two sectors, three teams; ssi = 30 + i (written with ';')."""
    out = []
    for day in ("2026-11-02", "2026-11-09"):
        for i in range(n):
            out.append(
                {
                    "email": f"person{i:02d}@corp.test",
                    "date": day,
                    "sector": "Software" if i % 2 else "Retail",
                    "network": f"Team {'ABC'[i % 3]}",
                    "ssi": f"{30 + i}",
                }
            )
    return out


def csv_bytes(records: list[dict[str, str]], sep: str = ";") -> bytes:
    header: list[str] = []
    for r in records:
        header.extend(k for k in r if k not in header)
    lines = [sep.join(header), *(sep.join(r.get(h, "") for h in header) for r in records)]
    return ("\n".join(lines) + "\n").encode()


def start() -> AppTest:
    at = apptest_support.start_app(UPLOAD)
    assert not at.exception
    return at


def upload(at: AppTest, name: str, data: bytes, mime: str = "text/csv") -> AppTest:
    at.file_uploader(key="upload_files").set_value((name, data, mime))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def frames(at: AppTest, *columns: str):
    return [df.value for df in at.dataframe if set(columns) <= set(df.value.columns)]


def metrics(at: AppTest) -> dict[str, str]:
    return {str(m.label): str(m.value) for m in at.metric}


def markdown_values(at: AppTest) -> list[str]:
    """Every value Streamlit renders as markdown on the page."""
    kinds = ("markdown", "caption", "info", "warning", "error", "success")
    return [str(e.value) for kind in kinds for e in getattr(at, kind)]


def literal(value: str) -> str:
    """The text a reader sees: backslash escapes resolved."""
    return re.sub(r"\\(.)", r"\1", value)


def unescaped(value: str) -> str:
    """What CommonMark treats as syntax: the text without its backslash-escaped characters."""
    return re.sub(r"\\.", "", value)


# ------------------------------------------------------------------------------ preview
def test_the_preview_says_each_reading_once_and_summarises_the_file():
    records = rows()
    at = upload(start(), "team.csv", csv_bytes(records))
    shown = [str(t.value) for t in at.text]
    assert sum("semicolon" in t for t in shown) == 1  # one sentence, no raw note after it
    assert not any(t.strip() == "separator semicolon" for t in shown)
    m = metrics(at)
    people = {r["email"] for r in records}
    assert m["People"] == str(len(people))
    assert m["Dates"] == "2"
    assert m["Sectors"] == "2" and m["Networks"] == "3"
    (sectors,) = frames(at, "sector", "people")
    expected = {
        s: len({r["email"] for r in records if r["sector"] == s}) for s in ("Retail", "Software")
    }
    assert dict(zip(sectors["sector"], sectors["people"], strict=True)) == expected
    (networks,) = frames(at, "network", "people")
    assert dict(zip(networks["network"], networks["people"], strict=True)) == {
        "Team A": 8, "Team B": 8, "Team C": 8
    }  # fmt: skip
    assert any("2026-11-02 to 2026-11-09" in t for t in shown)


def test_the_sample_shows_the_first_ten_parsed_rows_with_the_person_masked():
    records = rows()
    at = upload(start(), "team.csv", csv_bytes(records))
    (sample,) = frames(at, "person", "date", "ssi")
    assert len(sample) == 10
    assert list(sample["ssi"]) == [float(r["ssi"]) for r in records[:10]]
    assert list(sample["date"]) == [r["date"] for r in records[:10]]
    assert set(sample["person"]) == {"p…@c…"}
    cells = " ".join(str(v) for df in at.dataframe for col in df.value for v in df.value[col])
    assert "@corp.test" not in cells


def test_an_excel_sheet_with_real_dates_is_not_described_as_year_first():
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["email", "date", "sector", "ssi"])
    for i in range(3):
        ws.append([f"p{i}@corp.test", dt.datetime(2026, 11, 2 + i), "Retail", 40 + i])
        ws.cell(row=i + 2, column=2).number_format = "dd-mm-yyyy"  # as a Dutch sheet shows
    buf = io.BytesIO()
    wb.save(buf)
    at = upload(start(), "team.xlsx", buf.getvalue(), "application/octet-stream")
    line = next(str(t.value) for t in at.text if "Date order:" in str(t.value))
    assert "year first" not in line.lower()
    assert "Excel dates" in line
    assert "Separator" not in line  # a workbook has none


# ------------------------------------------------------------------------------ rejects
def test_the_reject_report_carries_the_rows_cells_with_the_identifier_masked():
    records = rows(4)
    records.append({"email": "wrong.date@corp.test", "date": "31-11-2026", "sector": "Retail",
                    "network": "Team A", "ssi": "41"})  # fmt: skip
    records.append({"email": "too.high@corp.test", "date": "2026-11-09", "sector": "Retail",
                    "network": "Team B", "ssi": "140"})  # fmt: skip
    data = csv_bytes(records)
    at = upload(start(), "team.csv", data)
    (report,) = frames(at, "line", "field", "reason")
    assert list(report["line"]) == [len(records), len(records) + 1]
    assert list(report["field"]) == ["date", "ssi"]
    assert report["reason"].iloc[0] == "date 31-11-2026: November has 30 days"
    assert list(report["email"]) == ["w…@c…", "t…@c…"]
    assert list(report["date"]) == ["31-11-2026", "2026-11-09"]
    assert list(report["ssi"]) == ["41", "140"]
    assert list(report["network"]) == ["Team A", "Team B"]

    at.button(key="import_button").click().run()
    after = frames(at, "line", "field", "reason")[-1]  # the import's report, below the preview
    assert list(after["ssi"]) == ["41", "140"]
    assert at.get("download_button")


def test_the_reject_csv_holds_the_cells_to_fix_and_upload_again():
    rejects = [
        Reject(3, "date", "date 31-11-2026: November has 30 days",
               cells={"email": "w…@c…", "date": "31-11-2026", "line": "x"}),
        Reject(5, "ssi", "ssi 140 is above 100", cells={"email": "t…@c…", "ssi": "140"}),
    ]  # fmt: skip
    text = get_bench().rejects_csv(rejects).decode("utf-8-sig")
    got = list(csv.DictReader(io.StringIO(text)))
    assert got[0] == {"line": "3", "field": "date", "reason": rejects[0].reason, "ssi": "",
                      "email": "w…@c…", "date": "31-11-2026", "cell: line": "x"}  # fmt: skip
    assert got[1]["ssi"] == "140" and got[1]["date"] == ""


# ------------------------------------------------------------------------------ duplicates
def test_a_file_uploaded_before_is_named_and_needs_a_deliberate_choice():
    data = csv_bytes(rows())
    first = get_bench().ingest(data, "team.csv", IngestOptions(today=TODAY, label="November team"))
    at = upload(start(), "renamed.csv", data)
    warning = " ".join(str(w.value) for w in at.warning)
    assert f"already uploaded as \\#{first.upload_id}" in warning
    assert "November team" in warning
    button = at.button(key="import_button")
    assert button.disabled
    at.checkbox(key="up_reimport").check().run()
    assert not at.button(key="import_button").disabled
    at.button(key="import_button").click().run()
    assert not at.exception
    assert len(get_bench().uploads()) == 2


def test_import_is_disabled_once_done_until_a_new_file():
    at = start()
    at.text_input(key="up_label").input("First").run()
    at = upload(at, "a.csv", csv_bytes(rows(12)))
    assert not at.button(key="import_button").disabled
    at.button(key="import_button").click().run()
    assert any("Imported as upload #" in str(s.value) for s in at.success)
    assert at.button(key="import_button").disabled
    assert [u.label for u in get_bench().uploads()] == ["First"]
    at = upload(at, "b.csv", csv_bytes(rows(13)))
    assert not at.button(key="import_button").disabled


# ------------------------------------------------------------------------------ hints
def test_a_file_needing_a_sector_opens_the_fields_the_hint_points_at():
    records = [{k: v for k, v in r.items() if k != "sector"} for r in rows(3)]
    at = start()
    assert not at.expander[0].proto.expanded
    at = upload(at, "nosector.csv", csv_bytes(records))
    error = " ".join(str(e.value) for e in at.error)
    assert "sector" in error and "Values for the whole file" in error
    assert at.session_state["up_whole_file"] is True
    assert at.expander[0].proto.expanded
    at.text_input(key="up_sector").input("Retail").run()
    assert not at.error
    assert metrics(at)["Valid rows"] == str(len(records))


# ------------------------------------------------------------------------------ text only
def test_markdown_and_html_in_header_cells_render_as_text():
    hostile = ["![x](http://127.0.0.1:9/x.png)", "<img src=x>"]
    data = (";".join(hostile) + "\n1;2\n").encode()
    at = upload(start(), "evil.csv", data)
    assert at.error
    error = literal(" ".join(str(e.value) for e in at.error))
    assert hostile[0] in error and hostile[1] in error  # named, so the admin knows which cells
    for value in markdown_values(at):
        plain = unescaped(value)
        assert "![" not in plain and "](" not in plain and "<img" not in plain, value


def test_hostile_ignored_columns_and_labels_stay_text():
    hostile = ["![x](http://127.0.0.1:9/x.png)", "<img src=x>"]
    records = [{**r, hostile[0]: "a", hostile[1]: "b"} for r in rows(12)]
    data = csv_bytes(records)
    get_bench().ingest(data, "t.csv", IngestOptions(today=TODAY, label=hostile[0] + hostile[1]))
    at = upload(start(), "t.csv", data)
    (ignored,) = frames(at, "column")
    assert list(ignored["column"]) == hostile  # literally, in a table (never rendered)
    assert any(hostile[0] + hostile[1] in literal(str(w.value)) for w in at.warning)  # the label
    for value in markdown_values(at):
        plain = unescaped(value)
        assert "![" not in plain and "<img" not in plain, value
    at.switch_page(DATA).run()
    assert not at.exception
    (uploads,) = frames(at, "upload", "label")
    assert list(uploads["label"]) == [hostile[0] + hostile[1]]
    for value in markdown_values(at):
        assert "<img" not in unescaped(value) and "![" not in unescaped(value), value


# ------------------------------------------------------------------------------ data page
def test_after_an_undo_the_confirmation_resets_and_nothing_is_chosen():
    bench = get_bench()
    first = bench.ingest(csv_bytes(rows(12)), "a.csv", IngestOptions(today=TODAY, label="A"))
    second = bench.ingest(csv_bytes(rows(13)[12:]), "b.csv", IngestOptions(today=TODAY))
    at = start()
    at.switch_page(DATA).run()
    at.selectbox(key="undo_id").select(second.upload_id)
    at.checkbox(key="undo_confirm").check()
    at.button(key="undo_submit").click().run()
    assert not at.exception
    assert any(f"Upload #{second.upload_id} undone" in str(s.value) for s in at.success)
    assert at.selectbox(key="undo_id").value is None  # did not move on to upload #1
    assert at.checkbox(key="undo_confirm").value is False
    at.button(key="undo_submit").click().run()  # a click without a fresh choice undoes nothing
    assert [u.upload_id for u in bench.uploads()] == [first.upload_id]


def test_erase_shows_what_went_per_table_and_the_backups_note():
    records = rows(12)
    get_bench().ingest(csv_bytes(records), "a.csv", IngestOptions(today=TODAY))
    at = start()
    at.switch_page(DATA).run()
    at.text_input(key="erase_identifier").input(records[0]["email"])
    at.checkbox(key="erase_confirm").check()
    at.button(key="erase_submit").click().run()
    assert not at.exception
    assert any("Erased: 2 rows deleted" in str(s.value) for s in at.success)
    (table,) = frames(at, "table", "rows deleted")
    assert dict(zip(table["table"], table["rows deleted"], strict=True)) == {"scores": 2}
    shown = " ".join(str(t.value) for t in at.text)
    assert "rewritten" in shown
    assert any("Backups made before this erase" in str(w.value) for w in at.warning)
    assert any("backups-holding" in str(c.value) for c in at.code)
