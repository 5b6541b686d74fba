"""Validation: dates, numbers, ranges, the total-vs-pillars rule, duplicates and masking."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ssi_bench import fields
from ssi_bench.config import Settings
from ssi_bench.errors import IngestError
from ssi_bench.model import IngestOptions
from ssi_bench.reader import read_bytes
from ssi_bench.validate import infer_date_order, mask, validate

TODAY = dt.date(2026, 11, 22)
SAMPLES = Path("/work/shared/samples/wesleyzilva_link_ssi")


def check(text: str, encoding: str = "utf-8", **options):
    options.setdefault("today", TODAY)
    read = read_bytes(text.encode(encoding), "scores.csv", settings=Settings())
    result = validate(read, IngestOptions(**options))
    # No row may vanish.
    assert result.rows_read == read.rows_read == len(result.frame) + len(result.rejects)
    return result


def reasons(result) -> list[tuple[int, str, str]]:
    return [(r.line, r.field, r.reason) for r in result.rejects]


HEADER = "email,date,ssi,brand,people,insights,relationships,sector\n"


def test_the_total_may_be_the_rounded_pillar_sum_and_the_precise_sum_is_stored():
    result = check(HEADER + "a@x.example,2026-05-03,53,20.998,6.4,10.25,15,S\n")
    assert result.rejects == []
    row = result.frame.iloc[0]
    assert row["ssi"] == pytest.approx(52.648, abs=1e-9)
    assert row["brand"] == pytest.approx(20.998)


def test_a_total_more_than_half_a_point_from_the_pillar_sum_is_rejected():
    result = check(HEADER + "a@x.example,2026-05-03,54,20.998,6.4,10.25,15,S\n")
    assert reasons(result) == [
        (2, "ssi", "total 54 differs from the pillar sum 52.648 by more than 0.5")
    ]


def test_the_pillar_sum_stands_in_for_a_missing_total():
    result = check(HEADER + "a@x.example,2026-05-03,,20,6.5,10.25,15,S\n")
    assert result.frame["ssi"].tolist() == [51.75]


def test_some_pillars_without_a_total_are_rejected_but_a_total_keeps_partial_pillars():
    result = check(
        HEADER
        + "a@x.example,2026-05-03,,20,6.5,,,S\n"
        + "b@x.example,2026-05-03,40,20,,,,S\n"
        + "c@x.example,2026-05-03,,,,,,S\n"
    )
    assert reasons(result) == [
        (2, "ssi", "ssi missing and only 2 of the 4 pillars given (give ssi or all four)"),
        (4, "ssi", "no score: give ssi or all four pillars"),
    ]
    row = result.frame.iloc[0]
    assert row["ssi"] == 40 and row["brand"] == 20 and math.isnan(row["people"])


def test_out_of_range_pillars_and_totals_are_rejected_with_exact_reasons():
    result = check(
        HEADER
        + "a@x.example,2026-05-03,,31.2,1,1,1,S\n"
        + "b@x.example,2026-05-03,101,,,,,S\n"
        + "c@x.example,2026-05-03,50,-1,1,1,1,S\n"
        + "d@x.example,2026-05-03,abc,,,,,S\n"
    )
    assert reasons(result) == [
        (2, "brand", "brand 31.2 is above 25"),
        (3, "ssi", "ssi 101 is above 100"),
        (4, "brand", "brand -1 is below 0"),
        (5, "ssi", 'ssi "abc" is not a number'),
    ]


def test_decimal_commas_from_a_dutch_export_are_read():
    text = (
        "E-mail;Datum;Totaal;Uw professionele merk creëren;Vind de juiste personen;"
        "Informatie uitwisselen;Relaties opbouwen;Sector\n"
        "jan@voorbeeld.nl;22-05-2026;53;20,998;6,4;10,25;15;Energie\n"
    )
    result = check(text, "cp1252")
    assert result.rejects == []
    assert result.date_order == "dmy"
    row = result.frame.iloc[0]
    assert row["snapshot_date"] == pd.Timestamp("2026-05-22")
    assert row["ssi"] == pytest.approx(52.648)
    assert row["people"] == pytest.approx(6.4)


@pytest.mark.parametrize("score", ["53 de 100", "53 out of 100", "53 von 100", "53 sur 100",
                                   "53 van 100", "53/100", " 53 "])  # fmt: skip
def test_scores_written_as_out_of_100_are_read(score):
    result = check(f"email;date;ssi;sector\na@x.example;2026-05-03;{score};S\n")
    assert result.frame["ssi"].tolist() == [53.0]


@pytest.mark.parametrize(
    ("rank", "value"),
    [("Top 5%", 5), ("5%", 5), ("5", 5), ("Top 10 %", 10), ("Primeiros 10%", 10),
     ("Top 2,5%", 2.5)],
)  # fmt: skip
def test_localised_rank_forms_are_read(rank, value):
    result = check(f"email;date;ssi;sector;Industry SSI rank\na@x.example;2026-05-03;50;S;{rank}\n")
    assert result.frame["industry_rank"].tolist() == [value]


def test_ranks_outside_0_to_100_are_rejected():
    result = check(
        "email,date,ssi,sector,network rank\na@x.example,2026-05-03,50,S,0\n"
        "b@x.example,2026-05-03,50,S,Top 101%\n"
    )
    assert [(r.line, r.field) for r in result.rejects] == [
        (2, "network_rank"),
        (3, "network_rank"),
    ]


def test_outcomes_must_be_non_negative_numbers_with_thousands_separators_understood():
    result = check(
        "email;date;ssi;sector;revenue;meetings\n"
        "a@x.example;2026-05-03;50;S;1.234.567,5;3\n"
        "b@x.example;2026-05-03;50;S;12.5;-1\n"
        "c@x.example;2026-05-03;50;S;lots;1\n"
    )
    assert result.frame["revenue"].tolist() == [1234567.5]
    assert reasons(result) == [
        (3, "meetings", "meetings -1 is below 0"),
        (4, "revenue", 'revenue "lots" is not a number'),
    ]


def test_linkedin_averages_are_range_checked_like_their_metric():
    result = check(
        "email,date,ssi,sector,industry_avg_ssi,network_avg_brand\n"
        "a@x.example,2026-05-03,50,S,42.5,12\na@x.example,2026-05-04,50,S,42.5,26\n"
    )
    assert result.frame["industry_avg_ssi"].tolist() == [42.5]
    assert reasons(result) == [(3, "network_avg_brand", "network_avg_brand 26 is above 25")]


def test_day_first_dates_are_inferred_from_a_day_above_12():
    result = check(
        "email,date,ssi,sector\na@x.example,03/04/2026,50,S\nb@x.example,13/04/26,50,S\n"
    )
    assert result.date_order == "dmy"
    assert result.frame["snapshot_date"].tolist() == [
        pd.Timestamp("2026-04-03"),
        pd.Timestamp("2026-04-13"),
    ]


def test_month_first_dates_are_inferred_from_a_second_part_above_12():
    result = check(
        "email,date,ssi,sector\na@x.example,03.04.2026,50,S\nb@x.example,04.13.2026,50,S\n"
    )
    assert result.date_order == "mdy"
    assert result.frame["snapshot_date"].tolist()[0] == pd.Timestamp("2026-03-04")


def test_iso_dates_and_iso_datetimes_read_as_their_date():
    result = check(
        "email,date,ssi,sector\na@x.example,2026-11-22,50,S\nb@x.example,2026-05-03T16:09:52.719Z,50,S\n"
    )
    assert result.date_order == "ymd"
    assert result.frame["snapshot_date"].tolist() == [
        pd.Timestamp("2026-11-22"),
        pd.Timestamp("2026-05-03"),
    ]


def test_ambiguous_dates_refuse_the_file_until_an_order_is_chosen():
    text = "email,date,ssi,sector\na@x.example,03/04/2026,50,S\n"
    with pytest.raises(IngestError, match=r"could be 3 April or 4 March.*choose the date order"):
        check(text)
    assert check(text, date_order="mdy").frame["snapshot_date"][0] == pd.Timestamp("2026-03-04")
    assert check(text, date_order="dmy").frame["snapshot_date"][0] == pd.Timestamp("2026-04-03")


def test_dates_with_equal_day_and_month_are_not_ambiguous():
    assert check("email,date,ssi,sector\na@x.example,03/03/2026,50,S\n").rejects == []


def test_contradictory_date_orders_refuse_the_file_naming_lines():
    text = "email,date,ssi,sector\na@x.example,13/04/2026,50,S\nb@x.example,04/13/2026,50,S\n"
    with pytest.raises(IngestError, match=r"line 2 \(13/04/2026\).*line 3 \(04/13/2026\)"):
        check(text)


def test_future_and_unreadable_and_missing_dates_are_rejected():
    result = check(
        "email,date,ssi,sector\na@x.example,2026-11-23,50,S\nb@x.example,31/02/2026,50,S\n"
        "c@x.example,yesterday,50,S\nd@x.example,,50,S\ne@x.example,2026-11-22,50,S\n"
    )
    assert reasons(result) == [
        (2, "date", "date 2026-11-23 is in the future"),
        (3, "date", "date 31/02/2026: February 2026 has 28 days"),
        (
            4,
            "date",
            'date "yesterday" is not a valid date (expected e.g. 2026-11-22 or 22/11/2026)',
        ),
        (5, "date", "date missing"),
    ]


def test_a_file_without_dates_needs_one_date_for_the_whole_file():
    text = "email,ssi,sector\na@x.example,50,S\n"
    with pytest.raises(IngestError, match="no date column"):
        check(text)
    result = check(text, date=dt.date(2026, 5, 1))
    assert result.frame["snapshot_date"].tolist() == [pd.Timestamp("2026-05-01")]
    assert result.date_order is None


def test_infer_date_order_on_plain_values():
    assert infer_date_order(["01/02/2026", "25/02/2026"]) == "dmy"
    assert infer_date_order(["02/25/2026"]) == "mdy"
    assert infer_date_order(["01/02/2026"]) is None
    assert infer_date_order(["2026-01-02"]) is None
    with pytest.raises(IngestError, match="value 1"):
        infer_date_order(["25/02/2026", "02/25/2026"])


def test_sector_and_network_are_trimmed_and_whole_file_values_fill_blanks():
    result = check(
        "email,date,ssi,sector,team\na@x.example,2026-05-03,50,  Oil   and  Gas ,\n"
        "b@x.example,2026-05-03,50,, Team  A\n",
        sector="Software",
        network="Everyone",
    )
    assert result.frame["sector"].tolist() == ["Oil and Gas", "Software"]
    assert result.frame["network"].tolist() == ["Everyone", "Team A"]


def test_a_missing_sector_is_rejected_and_no_sector_column_needs_a_choice():
    result = check("email,date,ssi,sector\na@x.example,2026-05-03,50,\n")
    assert reasons(result) == [(2, "sector", "sector missing")]
    with pytest.raises(IngestError, match="no sector column"):
        check("email,date,ssi\na@x.example,2026-05-03,50\n")
    assert check("email,date,ssi\na@x.example,2026-05-03,50\n", sector="S").rejects == []


def test_a_missing_person_is_rejected_unless_one_person_is_given_for_the_file():
    result = check("email,date,ssi,sector\n,2026-05-03,50,S\n")
    assert reasons(result) == [(2, "person", "person missing")]
    with pytest.raises(IngestError, match="no person column"):
        check("date,ssi,sector\n2026-05-03,50,S\n")
    result = check("date,ssi,sector\n2026-05-03,50,S\n", person=" me ")
    assert result.frame["person"].tolist() == ["me"]


def test_same_person_and_date_keeps_the_later_line():
    result = check(
        "email,date,ssi,sector\na@x.example,2026-05-03,50,S\nb@x.example,2026-05-03,60,S\n"
        "A@X.example,2026-05-03,55,S\n"
    )
    assert reasons(result) == [
        (2, "date", "duplicate of line 4 (same person and date); the later row was kept")
    ]
    assert sorted(result.frame["ssi"].tolist()) == [55, 60]


def test_same_person_and_date_keeps_the_latest_capture_when_captured_at_exists():
    result = check(
        "date,CapturedAt,Total,sector\n2026-05-03,2026-05-03T20:55:17.963Z,52,S\n"
        "2026-05-03,2026-05-03T16:09:52.719Z,51,S\n",
        person="me",
    )
    assert reasons(result) == [
        (3, "date", "duplicate of line 2 (same person and date); the later row was kept")
    ]
    assert result.frame["ssi"].tolist() == [52]


def test_a_row_with_extra_cells_is_rejected_not_dropped():
    result = check("email,date,ssi,sector\na@x.example,2026-05-03,5,0,S\n")
    assert reasons(result) == [(2, "row", "the row has 5 cells but the header has 4")]


def test_no_reject_reason_contains_a_raw_email():
    email = "jane.doe@example.com"
    text = (
        HEADER
        + f"{email},2026-05-03,54,20.998,6.4,10.25,15,S\n"
        + f"{email},2026-05-03,53,20.998,6.4,10.25,15,\n"
        + f"{email},2099-05-03,53,20.998,6.4,10.25,15,S\n"
        + f"{email},2026-05-04,53,20.998,6.4,10.25,15,S\n"
        + f"{email},2026-05-04,53,20.998,6.4,10.25,15,S\n"
    )
    result = check(text)
    assert len(result.rejects) == 4
    for reject in result.rejects:
        assert email not in reject.reason
        assert "jane" not in reject.reason


@pytest.mark.parametrize(
    ("identifier", "masked"),
    [
        ("jane.doe@example.com", "j…@e…"),
        ("https://www.linkedin.com/in/jane-doe/", "w…/i…/j…"),
        ("Jane Doe", "J… D…"),
        ("E12345", "E…"),
        ("", "…"),
        ("x", "…"),
    ],
)
def test_mask_keeps_at_most_the_first_character_of_each_part(identifier, masked):
    assert mask(identifier) == masked


def test_output_frame_has_the_documented_columns_and_types():
    """The numeric columns the file gives, in field order; absent ones are not carried."""
    frame = check(HEADER + "a@x.example,2026-05-03,53,20.998,6.4,10.25,15,S\n").frame
    assert list(frame.columns) == [
        "person",
        "snapshot_date",
        "sector",
        "network",
        *fields.METRICS,
        "_line",
    ]
    assert np.issubdtype(frame["snapshot_date"].dtype, np.datetime64)
    for name in fields.METRICS:
        assert frame[name].dtype == np.float64
    assert frame["network"].isna().all()


def test_output_frame_carries_ranks_averages_and_outcomes_only_when_given():
    text = (
        "email,date,brand,people,insights,relationships,sector,meetings,network_rank,"
        "industry_avg_ssi\n"
        "a@x.example,2026-05-03,20.998,6.4,10.25,15,S,3,5,40.5\n"
    )
    frame = check(text).frame
    assert list(frame.columns) == [
        "person", "snapshot_date", "sector", "network", *fields.METRICS,
        "network_rank", "industry_avg_ssi", "meetings", "_line",
    ]  # fmt: skip
    assert frame.loc[0, "ssi"] == 52.648  # the pillar sum, no total column needed
    assert (frame.loc[0, "network_rank"], frame.loc[0, "industry_avg_ssi"]) == (5.0, 40.5)
    assert frame.loc[0, "meetings"] == 3.0


def test_real_wesleyzilva_row_with_brand_51_is_rejected():
    data = (SAMPLES / "output__ssi-scores-2026-05-03-1612.csv").read_bytes()
    read = read_bytes(data, "output__ssi-scores-2026-05-03-1612.csv", settings=Settings())
    result = validate(read, IngestOptions(person="me", sector="Software", today=TODAY))
    assert result.rows_read == 1
    assert len(result.frame) == 0
    assert [(r.line, r.field, r.reason) for r in result.rejects] == [
        (2, "brand", "brand 51 is above 25")
    ]


def test_real_wesleyzilva_header_only_file_is_refused():
    data = (SAMPLES / "output__ssi-scores-2026-05-03.csv").read_bytes()
    with pytest.raises(IngestError):
        read_bytes(data, "output__ssi-scores-2026-05-03.csv", settings=Settings())


def test_validation_is_vectorised_enough_for_a_hundred_thousand_rows():
    n = 100_000
    lines = [HEADER.rstrip("\n")]
    lines += [f"p{i}@x.example,2026-05-03,53,20.998,6.4,10.25,15,S" for i in range(n)]
    result = check("\n".join(lines) + "\n")
    assert len(result.frame) == n
    assert result.frame["_line"].iloc[-1] == n + 1


def test_an_identifier_shifted_into_a_number_column_is_masked_in_the_reason():
    result = check(
        "name,date,ssi,sector\nJane Doe,2026-05-03,50,S\nBob Ray,2026-05-03,Jane Doe,S\n"
        "Ann Lee,2026-05-03,jane.doe@example.com,S\n"
    )
    assert reasons(result) == [
        (3, "ssi", 'ssi "J… D…" is not a number'),
        (4, "ssi", 'ssi "j…@e…" is not a number'),
    ]


def test_xlsx_date_cells_and_numbers_validate():
    import io

    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["E-mail", "Datum", "Brand", "People", "Insights", "Relationships", "Sector"])
    ws.append(["a@x.example", dt.datetime(2026, 5, 3), 20.998, 6.4, 10.25, 15, "Énergie"])
    buffer = io.BytesIO()
    wb.save(buffer)
    read = read_bytes(buffer.getvalue(), "team.xlsx", settings=Settings())
    result = validate(read, IngestOptions(today=TODAY))
    assert result.rejects == []
    row = result.frame.iloc[0]
    assert row["snapshot_date"] == pd.Timestamp("2026-05-03")
    assert row["ssi"] == pytest.approx(52.648)


def test_a_capture_of_all_zeros_is_a_failed_capture_not_a_bad_rank():
    header = "email,date,ssi,brand,people,insights,relationships,industry_rank,sector\n"
    result = check(
        header
        + "a@x.example,2026-05-03,0,0,0,0,0,0,S\n"
        + "b@x.example,2026-05-03,0,,,,,,S\n"
        + "c@x.example,2026-05-03,1,0,0,0,1,12,S\n"
    )
    reason = "failed capture: the total and pillars are all 0 (the page did not load)"
    assert reasons(result) == [(2, "ssi", reason), (3, "ssi", reason)]
    assert result.frame["ssi"].tolist() == [1.0]
