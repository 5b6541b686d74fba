"""Reading files: encodings, separators, decimal marks, quoting, xlsx, line numbers, refusals."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest

from ssi_bench.config import Settings
from ssi_bench.errors import IngestError
from ssi_bench.reader import read_bytes

SETTINGS = Settings()
SAMPLES = Path("/work/shared/samples/wesleyzilva_link_ssi")

ENGLISH = (
    "email,date,ssi,brand,people,insights,relationships,sector\n"
    "jane.doe@example.com,2026-05-03,53,20.998,6.4,10.25,15,Énergie\n"
    "bob@example.com,2026-05-04,40,10,10,10,10,Software\n"
)


def read(data: bytes, name: str = "scores.csv", **settings: int):
    return read_bytes(data, name, settings=SETTINGS.with_(**settings) if settings else SETTINGS)


def cells(result, field: str) -> list[object]:
    return [None if v != v else v for v in result.frame[field].tolist()]  # NaN -> None


def test_plain_utf8_csv_reads_raw_text_with_header_on_line_1():
    r = read(ENGLISH.encode())
    assert r.encoding == "utf-8"
    assert r.delimiter == ","
    assert r.decimal == "."
    assert r.layout == "wide"
    assert cells(r, "person") == ["jane.doe@example.com", "bob@example.com"]
    assert cells(r, "brand") == ["20.998", "10"]
    assert cells(r, "sector") == ["Énergie", "Software"]
    assert r.frame["_line"].tolist() == [2, 3]
    assert r.mapping["person"] == "email"
    assert r.rows_read == 2


def test_utf8_with_bom_has_the_bom_removed_from_the_first_header():
    r = read(b"\xef\xbb\xbf" + ENGLISH.encode())
    assert r.encoding == "utf-8-sig"
    assert r.mapping["person"] == "email"


@pytest.mark.parametrize(
    ("codec", "name"), [("utf-16-le", "utf-16-le"), ("utf-16-be", "utf-16-be")]
)
def test_utf16_with_bom_as_excel_unicode_text_is_decoded(codec, name):
    bom = "\ufeff".encode(codec)
    text = ENGLISH.replace(",", "\t")
    r = read(bom + text.encode(codec), "scores.txt")
    assert r.encoding == name
    assert r.delimiter == "\t"
    assert cells(r, "sector") == ["Énergie", "Software"]


def test_utf16_without_bom_is_detected_from_its_nul_pattern():
    r = read(ENGLISH.encode("utf-16-le"))
    assert r.encoding == "utf-16-le"
    assert cells(r, "person")[1] == "bob@example.com"


def test_windows_1252_file_with_accents_is_read_as_cp1252():
    r = read(ENGLISH.replace("Énergie", "Énergie – Œuvre").encode("cp1252"))
    assert r.encoding == "cp1252"
    assert cells(r, "sector")[0] == "Énergie – Œuvre"


def test_dutch_semicolon_file_with_decimal_commas_is_read():
    text = (
        "E-mail;Datum;Totaal;Uw professionele merk creëren;Vind de juiste personen;"
        "Informatie uitwisselen;Relaties opbouwen;Sector;Netwerk\r\n"
        "jan@voorbeeld.nl;22-05-2026;53;20,998;6,4;10,25;15;Energie;Team Noord\r\n"
    )
    r = read(text.encode("cp1252"))
    assert r.delimiter == ";"
    assert r.decimal == ","
    assert set(r.mapping) >= {"person", "date", "ssi", "brand", "people", "insights"}
    assert cells(r, "brand") == ["20,998"]
    assert cells(r, "network") == ["Team Noord"]
    assert r.frame["_line"].tolist() == [2]


@pytest.mark.parametrize(
    "header",
    [
        # German
        "E-Mail;Datum;Gesamt;Professionelle Marke etablieren;Die richtigen Personen finden;"
        "Mit Insights interagieren;Beziehungen aufbauen;Branche",
        # French
        "Courriel;Date;Total;Établir votre marque professionnelle;Trouver les bonnes personnes;"
        "Échanger des informations;Développer des relations;Secteur",
        # Italian
        "Email;Data;Totale;Stabilire il tuo brand professionale;Trovare le persone giuste;"
        "Interagire con gli insight;Costruire relazioni;Settore",
        # Portuguese
        "Email;Data;Total;Estabelecer sua marca profissional;Localizar as pessoas certas;"
        "Interagir oferecendo insights;Criar relacionamentos;Setor",
    ],
)
def test_localised_headers_map_to_every_canonical_field(header):
    text = header + "\n" + "a@b.example;03.05.2026;53;20,998;6,4;10,25;15;Energie\n"
    r = read(text.encode("utf-8"))
    assert list(r.mapping) == [
        "person", "date", "ssi", "brand", "people", "insights", "relationships", "sector"
    ]  # fmt: skip
    assert r.decimal == ","
    assert r.ignored_columns == []


@pytest.mark.parametrize(("sep", "name"), [("\t", "tab"), ("|", "pipe"), (";", "semicolon")])
def test_tab_pipe_and_semicolon_separators_are_sniffed(sep, name):
    r = read(ENGLISH.replace(",", sep).encode())
    assert r.delimiter == sep
    assert cells(r, "brand") == ["20.998", "10"]
    assert f"separator {name}" in r.notes


def test_quoted_fields_with_separators_and_newlines_keep_correct_line_numbers():
    text = (
        "email,date,ssi,sector,network\r\n"
        'a@x.example,2026-05-03,50,"Energy, Oil and Gas","Team\r\nNorth\r\nEast"\r\n'
        "\r\n"
        'b@x.example,2026-05-03,51,"He said ""hi""",South\r\n'
        "c@x.example,2026-05-03,52,Retail,West\r\n"
    )
    r = read(text.encode())
    assert cells(r, "sector") == ["Energy, Oil and Gas", 'He said "hi"', "Retail"]
    assert cells(r, "network")[0] == "Team\nNorth\nEast"
    # Row 1 spans lines 2-4, line 5 is blank, then lines 6 and 7.
    assert r.frame["_line"].tolist() == [2, 6, 7]


def test_blank_lines_are_skipped_but_counted():
    text = (
        "\nemail,date,ssi,sector\n\na@x.example,2026-05-03,50,S\n\n\nb@x.example,2026-05-03,51,S\n"
    )
    r = read(text.encode())
    assert r.frame["_line"].tolist() == [4, 7]


def test_rows_of_separators_only_are_blank():
    text = "email;date;ssi;sector\na@x.example;2026-05-03;50;S\n;;;\n"
    assert read(text.encode()).rows_read == 1


def test_unknown_columns_are_listed_as_ignored_not_an_error():
    r = read(b"email,date,ssi,sector,Favourite colour\na@x.example,2026-05-03,50,S,blue\n")
    assert r.ignored_columns == ["Favourite colour"]
    assert "Favourite colour" not in r.frame.columns


def test_duplicate_headers_keep_the_first_column_and_note_the_others():
    r = read(b"email,date,ssi,Total,sector\na@x.example,2026-05-03,50,99,S\n")
    assert cells(r, "ssi") == ["50"]
    assert r.mapping["ssi"] == "ssi"
    assert any("'Total'" in note for note in r.notes)


def test_the_most_specific_identifier_becomes_person_and_the_others_are_dropped():
    r = read(
        b"Name,Employee ID,LinkedIn URL,E-mail,date,ssi,sector\n"
        b"Jane Doe,E1,https://linkedin.com/in/jd,jane@x.example,2026-05-03,50,S\n"
    )
    assert cells(r, "person") == ["jane@x.example"]
    assert r.mapping["person"] == "E-mail"
    for other in ("name", "employee_id", "profile_url", "email"):
        assert other not in r.frame.columns
    assert any("person identified by email" in n and "name" in n for n in r.notes)


def test_name_is_the_identifier_when_nothing_more_specific_exists():
    r = read(b"Naam;Datum;Totaal;Sector\nJan Jansen;2026-05-03;50;S\n")
    assert cells(r, "person") == ["Jan Jansen"]


def test_a_row_with_more_cells_than_headers_is_marked_for_rejection():
    r = read(b"email,date,ssi,sector\na@x.example,2026-05-03,50,S\nb@x.example,2026-05-03,5,0,S\n")
    assert r.rows_read == 2
    problems = r.frame["_problem"].tolist()
    assert problems[0] != problems[0]  # NaN: fine
    assert problems[1] == "the row has 5 cells but the header has 4"


def test_xlsx_is_read_from_the_first_sheet_with_excel_row_numbers():
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["E-mail", "Datum", "Totaal", "Sector"])
    ws.append(["a@x.example", "2026-05-03", 53, "Énergie"])
    ws.append([])
    ws.append(["b@x.example", "2026-05-04", 20.5, "Software"])
    wb.create_sheet("other").append(["ignored"])
    buffer = io.BytesIO()
    wb.save(buffer)
    r = read(buffer.getvalue(), "team.xlsx")
    assert r.encoding == "xlsx"
    assert r.delimiter is None
    assert cells(r, "ssi") == ["53", "20.5"]
    assert cells(r, "sector") == ["Énergie", "Software"]
    assert r.frame["_line"].tolist() == [2, 4]


def test_a_broken_xlsx_is_refused_with_a_clear_message():
    with pytest.raises(IngestError, match=r"\.xlsx file cannot be read"):
        read(b"PK\x03\x04 not really a zip", "team.xlsx")


def test_an_empty_file_is_refused():
    with pytest.raises(IngestError, match="the file is empty"):
        read(b"")
    with pytest.raises(IngestError, match="empty"):
        read(b"\n\r\n  \n")


def test_a_binary_file_is_refused():
    with pytest.raises(IngestError, match="binary"):
        read(bytes(range(256)) * 4)
    with pytest.raises(IngestError, match="binary"):
        read(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00")


def test_a_header_only_file_is_refused():
    with pytest.raises(IngestError, match="the file has a header but no data rows"):
        read(b"email,date,ssi,sector\n")


def test_a_file_with_no_recognisable_column_lists_what_it_found():
    with pytest.raises(IngestError, match=r"no recognisable columns.*'colour', 'size'"):
        read(b"colour,size\nblue,3\n")


def test_a_file_above_the_size_limit_is_refused():
    with pytest.raises(IngestError, match="above the limit of 1 MB"):
        read(ENGLISH.encode() + b"x" * (1024 * 1024), max_upload_mb=1)


def test_a_file_with_too_many_rows_is_refused():
    body = "".join(f"p{i}@x.example,2026-05-03,50,S\n" for i in range(11))
    with pytest.raises(IngestError, match="11 data rows, more than the limit of 10"):
        read(("email,date,ssi,sector\n" + body).encode(), max_rows=10)


def test_a_cell_above_the_length_limit_names_line_and_column():
    text = "email,date,ssi,sector\na@x.example,2026-05-03,50,S\nb@x.example,2026-05-03,50," + (
        "x" * 30
    )
    with pytest.raises(IngestError, match=r"line 3, column 'sector': a value of 30 characters"):
        read(text.encode(), max_field_chars=20)


def test_a_long_quoted_multiline_cell_is_caught_by_the_length_limit():
    text = 'email,date,ssi,sector\na@x.example,2026-05-03,50,"' + "abc\n" * 10 + '"\n'
    with pytest.raises(IngestError, match="line 2, column 'sector'"):
        read(text.encode(), max_field_chars=20)


def test_an_unclosed_quote_is_refused():
    with pytest.raises(IngestError, match="never closes"):
        read(b'email,date,ssi,sector\na@x.example,2026-05-03,50,"Energy\n')


def test_real_wesleyzilva_history_export_is_read():
    r = read((SAMPLES / "output__ssi-scores-2026-05-03-1612.csv").read_bytes())
    assert r.rows_read == 1
    assert r.frame["_line"].tolist() == [2]
    assert cells(r, "captured_at") == ["2026-05-03T16:09:52.719Z"]
    assert r.mapping["ssi"] == "Total"


def test_real_wesleyzilva_header_only_export_is_refused():
    with pytest.raises(IngestError, match="header but no data rows"):
        read((SAMPLES / "output__ssi-scores-2026-05-03.csv").read_bytes())


def test_decoded_text_is_offered_to_captures_first(monkeypatch):
    from types import SimpleNamespace

    import ssi_bench.reader as reader

    seen: list[tuple[str, str, str]] = []

    def detect(text: str, file_name: str) -> str | None:
        return "paste" if text.startswith("Your Social Selling Index") else None

    def read_capture(text: str, layout: str, *, encoding: str):
        seen.append((text, layout, encoding))
        return "captured"

    fake = SimpleNamespace(detect=detect, read=read_capture)
    monkeypatch.setattr(reader, "_captures_module", lambda: fake)
    assert read("Your Social Selling Index\n53".encode("utf-16"), "ssi.txt") == "captured"
    assert seen == [("Your Social Selling Index\n53", "paste", "utf-16-le")]
    assert read(ENGLISH.encode()).layout == "wide"  # not a capture: read as a table
