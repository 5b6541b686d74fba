"""captures.detect / read / read_paste on every real sample, values written out by hand.

Each expected value below was copied by hand from the sample file named beside it
(../shared/samples); the reader must hand the validator the text the page showed.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ssi_bench import captures
from ssi_bench.api import Bench
from ssi_bench.config import Settings
from ssi_bench.errors import IngestError
from ssi_bench.model import IngestOptions
from tests.conftest import TEST_SECRET

SAMPLES = Path(__file__).resolve().parent.parent.parent / "shared" / "samples"
PT = SAMPLES / "professorsoares_linkedin-ssi-data"
WESLEY = SAMPLES / "wesleyzilva_link_ssi"
FIXTURES = SAMPLES / "from_code_fixtures"

pytestmark = pytest.mark.skipif(not SAMPLES.is_dir(), reason="shared/samples not beside repo")

PILLARS = ("brand", "people", "insights", "relationships")


def read_file(path: Path):
    text = path.read_text(encoding="utf-8")
    layout = captures.detect(text, path.name)
    assert layout is not None, path.name
    return captures.read(text, layout, encoding="utf-8")


def only_row(result) -> dict[str, object]:
    assert len(result.frame) == 1
    return {k: v for k, v in result.frame.iloc[0].to_dict().items() if v == v}  # drop NaN


def group(prefix: str, values: tuple[str, str, str, str]) -> dict[str, str]:
    return {f"{prefix}_avg_{p}": v for p, v in zip(PILLARS, values, strict=True)}


# ------------------------------------------------------------------ pt-BR long captures
# file -> (date, time, total, 4 pillars, industry rank, network rank, industry avg SSI,
#          network avg SSI, industry avg per pillar, network avg per pillar)
PT_DAILY = {
    "data__ssi_2026-05-12.csv": (
        "2026-05-12", "17:55", "53 de 100", ("21,048", "6,5", "10,25", "15"),
        "Primeiros 10%", "Primeiros 12%", "35 de 100", "36 de 100",
        ("11,79", "5,4", "2,19", "15,16"), ("13,21", "4,36", "2,45", "16,32"),
    ),
    "ssi_data__ssi_2026-05-13.csv": (
        "2026-05-13", "08:01", "52 de 100", ("21,048", "6,5", "9,5", "15"),
        "Primeiros 10%", "Primeiros 13%", "35 de 100", "36 de 100",
        ("11,79", "5,4", "2,18", "15,15"), ("13,22", "4,36", "2,43", "16,33"),
    ),
    "ssi_data__ssi_2026-05-14.csv": (
        "2026-05-14", "08:53", "52 de 100", ("20,998", "6,5", "9,55", "15"),
        "Primeiros 10%", "Primeiros 13%", "35 de 100", "36 de 100",
        ("11,79", "5,42", "2,2", "15,15"), ("13,22", "4,39", "2,45", "16,33"),
    ),
    "data__ssi_2026-05-15.csv": (
        "2026-05-15", "08:06", "53 de 100", ("20,998", "6,5", "10,25", "15"),
        "Primeiros 10%", "Primeiros 12%", "35 de 100", "36 de 100",
        ("11,79", "5,43", "2,19", "15,16"), ("13,22", "4,39", "2,46", "16,33"),
    ),
    "ssi_data__ssi_2026-05-16.csv": (
        "2026-05-16", "10:20", "53 de 100", ("20,998", "6,4", "10,25", "15"),
        "Primeiros 10%", "Primeiros 12%", "35 de 100", "36 de 100",
        ("11,79", "5,42", "2,17", "15,16"), ("13,22", "4,39", "2,44", "16,31"),
    ),
    "ssi_data__ssi_2026-05-17.csv": (
        "2026-05-17", "19:05", "53 de 100", ("20,998", "6,4", "10,25", "15"),
        "Primeiros 10%", "Primeiros 12%", "34 de 100", "36 de 100",
        ("11,79", "5,41", "2,13", "15,16"), ("13,22", "4,38", "2,43", "16,3"),
    ),
    "ssi_data__ssi_2026-05-18.csv": (
        "2026-05-18", "08:01", "53 de 100", ("20,998", "6,4", "10,25", "15"),
        "Primeiros 10%", "Primeiros 12%", "34 de 100", "36 de 100",
        ("11,79", "5,4", "2,11", "15,16"), ("13,22", "4,37", "2,4", "16,3"),
    ),
    "ssi_data__ssi_2026-05-19.csv": (
        "2026-05-19", "09:27", "53 de 100", ("20,998", "6,4", "10,25", "15"),
        "Primeiros 9%", "Primeiros 11%", "34 de 100", "36 de 100",
        ("11,78", "5,38", "2,09", "15,16"), ("13,22", "4,36", "2,38", "16,31"),
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(PT_DAILY))
def test_each_daily_ptbr_capture_gives_the_pages_figures_as_shown(name):
    date, time, total, pillars, irank, nrank, iavg, navg, ind, net = PT_DAILY[name]
    result = read_file(PT / name)
    assert only_row(result) == {
        "date": date,
        "captured_at": f"{date} {time}",
        "ssi": total,
        **dict(zip(PILLARS, pillars, strict=True)),
        "industry_rank": irank,
        "network_rank": nrank,
        "industry_avg_ssi": iavg,
        "network_avg_ssi": navg,
        **group("industry", ind),
        **group("network", net),
        "_line": 2,  # the total's row, first of the capture
    }
    assert (result.layout, result.delimiter, result.decimal) == ("long", ";", ",")
    assert result.ignored_columns == ["unidade", "escala", "observacao", "fonte"]
    # the person's brand comes from their components, the group's from "Pessoas no seu setor"
    assert result.mapping["brand"] == (
        "Os quatro componentes da sua pontuação › Estabelecer sua marca profissional"
    )
    assert result.mapping["industry_avg_brand"] == (
        "Pessoas no seu setor › Estabelecer sua marca profissional"
    )
    assert result.mapping["network_avg_relationships"] == (
        "Pessoas na sua rede › Criar relacionamentos"
    )
    assert "person" not in result.frame.columns and "sector" not in result.frame.columns


def test_the_older_ptbr_layout_of_2026_04_27_imports_its_total_pillars_ranks_and_averages():
    result = read_file(PT / "data__ssi_2026-04-27.csv")
    assert only_row(result) == {
        "date": "2026-04-27",
        "captured_at": "2026-04-27 13:06",
        "ssi": "53",
        "brand": "20,973",
        "people": "6,38",
        "insights": "10,25",
        "relationships": "15",
        "industry_rank": "Primeiros 10%",
        "network_rank": "Primeiros 12%",
        "industry_avg_ssi": "35",
        "network_avg_ssi": "36",
        "_line": 2,
    }
    assert result.decimal == ","
    # "Posição no setor" repeats the rank with the same value: no conflict reported.
    assert not any("first was kept" in n for n in result.notes)
    unused = next(n for n in result.notes if n.startswith("not used: "))
    for label in (
        "Benchmark do setor › Setor de referência",
        "Benchmark do setor › Variação semanal no setor",
        "Benchmark da rede › Variação semanal na rede",
        "Mensagem complementar › Chamada Sales Navigator",
    ):
        assert label in unused


def edited(tmp_path: Path, name: str, drop: str, section: str = "componentes") -> bytes:
    """A copy of a pt-BR file without the row of ``drop`` in the person's own section."""
    lines = (PT / name).read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [ln for ln in lines if not (drop in ln and section in ln.lower())]
    assert len(kept) == len(lines) - 1
    path = tmp_path / name
    path.write_text("".join(kept), encoding="utf-8")
    return path.read_bytes()


@pytest.mark.parametrize(
    ("drop", "named"),
    [
        ("Interagir oferecendo insights", "insights"),
        ("Estabelecer sua marca profissional", "brand"),
        ("Criar relacionamentos", "relationships"),
    ],
)
def test_a_long_capture_missing_one_pillar_is_refused_naming_date_and_pillar(tmp_path, drop, named):
    data = edited(tmp_path, "data__ssi_2026-05-12.csv", drop)
    with pytest.raises(IngestError, match=rf"capture of 2026-05-12 lacks {named}:"):
        captures.read(data.decode(), "long", encoding="utf-8")


def test_a_long_capture_missing_its_total_is_refused(tmp_path):
    data = edited(tmp_path, "ssi_data__ssi_2026-05-19.csv", "53 de 100", "social selling")
    with pytest.raises(IngestError, match=r"capture of 2026-05-19 lacks total:"):
        captures.read(data.decode(), "long", encoding="utf-8")


def test_a_pillar_missing_in_one_of_several_files_refuses_the_whole_upload(tmp_path):
    bad = edited(tmp_path, "ssi_data__ssi_2026-05-17.csv", "Localizar as pessoas certas")
    files = [(p.name, p.read_bytes()) for p in sorted(PT.glob("*.csv"))]
    files = [(n, bad if n == "ssi_data__ssi_2026-05-17.csv" else d) for n, d in files]
    bench = Bench.memory(Settings(secret=TEST_SECRET))
    opts = IngestOptions(person="me@example.com", sector="Management consulting")
    with pytest.raises(
        IngestError, match=r"ssi_data__ssi_2026-05-17\.csv: .*2026-05-17 lacks people"
    ):
        bench.ingest_files(files, opts)
    assert bench.status().is_empty and bench.uploads() == []


def test_a_date_with_only_ranks_is_refused_naming_everything_it_lacks():
    text = (
        "data_referencia;hora_referencia;secao;campo;valor_original\n"
        "2026-05-20;08:00;Sua classificação;Classificação SSI do setor;Primeiros 9%\n"
    )
    with pytest.raises(IngestError, match=r"2026-05-20 lacks total, brand, people, insights"):
        captures.read(text, "long", encoding="utf-8")


def test_several_captures_of_one_date_become_rows_with_their_time():
    one = (PT / "data__ssi_2026-05-12.csv").read_text(encoding="utf-8")
    later = one.split("\n", 1)[1].replace(";17:55;", ";21:40;").replace("21,048", "21,1")
    result = captures.read(one + later, "long", encoding="utf-8")
    frame = result.frame
    assert frame["captured_at"].tolist() == ["2026-05-12 17:55", "2026-05-12 21:40"]
    assert frame["brand"].tolist() == ["21,048", "21,1"]
    assert frame["_line"].tolist() == [2, 19]
    assert any("latest" in n for n in result.notes)


def test_pillar_rows_of_an_ungrouped_benchmark_section_are_not_the_persons():
    text = (
        "date;time;section;metric;value\n"
        "2026-05-20;09:00;Benchmark;Establish your professional brand;11.5\n"
        "2026-05-20;09:00;Your score;Social Selling Index;50\n"
        "2026-05-20;09:00;Your score;Establish your professional brand;20\n"
        "2026-05-20;09:00;Your score;Find the right people;10\n"
        "2026-05-20;09:00;Your score;Engage with insights;10\n"
        "2026-05-20;09:00;Your score;Build relationships;10\n"
        "2026-05-20;09:00;People in your industry;Find the right people;5.1\n"
        "2026-05-20;09:00;People in your network;Average SSI;33\n"
        "2026-05-20;09:00;Your rank;Industry SSI rank;Top 4%\n"
        "2026-05-20;09:00;Footer;Promotion;Try Sales Navigator\n"
    )
    assert captures.detect(text, "capture.csv") == "long"
    result = captures.read(text, "long", encoding="utf-8")
    assert only_row(result) == {
        "date": "2026-05-20",
        "captured_at": "2026-05-20 09:00",
        "ssi": "50",
        "brand": "20",
        "people": "10",
        "insights": "10",
        "relationships": "10",
        "industry_avg_people": "5.1",
        "network_avg_ssi": "33",
        "industry_rank": "Top 4%",
        "_line": 3,  # the first row used (line 2 is the benchmark's, not used)
    }
    assert result.decimal == "."
    unused = next(n for n in result.notes if n.startswith("not used: "))
    assert "Benchmark › Establish your professional brand" in unused
    assert "Footer › Promotion" in unused


def test_the_numeric_column_stands_in_when_the_shown_text_is_unreadable():
    text = (
        "data_referencia;hora_referencia;secao;campo;valor_original;valor_numerico\n"
        "2026-05-20;08:00;Resumo;Social Selling Index atual;53 pontos;53\n"
        "2026-05-20;08:00;Componentes;Estabelecer sua marca profissional;;20.998\n"
        "2026-05-20;08:00;Componentes;Localizar as pessoas certas;6,4;6.4\n"
        "2026-05-20;08:00;Componentes;Interagir oferecendo insights;10,25;10.25\n"
        "2026-05-20;08:00;Componentes;Criar relacionamentos;15;15\n"
    )
    row = only_row(captures.read(text, "long", encoding="utf-8"))
    assert (row["ssi"], row["brand"], row["people"]) == ("53", "20.998", "6,4")


# ------------------------------------------------------------------ what is not a capture
@pytest.mark.parametrize("path", sorted(WESLEY.glob("*.csv")), ids=lambda p: p.name)
def test_the_extensions_wide_history_exports_are_left_to_the_normal_reader(path):
    assert captures.detect(path.read_text(encoding="utf-8"), path.name) is None


@pytest.mark.parametrize(
    "text",
    [
        "Date,CapturedAt,Total,Brand,People,Insights,Relationships\n2026-05-03,x,51,1,1,1,1\n",
        "email;date;ssi;sector\na@b.com;2026-05-03;50;Software\n",
        "Date;Name;Section;Metric;Value\n2026-05-03;Jane;x;y;1\n",  # a person: wide
        "email;Establish your professional brand;Find the right people;Engage with insights\n",
        "date,time,section,metric,value,total\n2026-05-03,1,2,3,4,5\n",
    ],
)
def test_plain_wide_csvs_are_not_detected_as_captures(text):
    assert captures.detect(text, "x.csv") is None


# ------------------------------------------------------------------ LinkedIn's JSON
def test_the_ssi_pages_json_passes_every_figure_through_with_full_precision():
    result = read_file(FIXTURES / "salesApiSsi_live_shape_non_salesnav.json")
    assert only_row(result) == {
        "ssi": "19.705751",
        "brand": "13.118002",
        "people": "3.68",
        "insights": "0.29999998",
        "relationships": "2.6077502",
        "industry_rank": "75",
        "industry_avg_ssi": "30.99",
        "network_rank": "81",
        "network_avg_ssi": "32.72",
        "_line": 1,
    }
    assert (result.layout, result.delimiter, result.decimal) == ("json", None, ".")
    assert result.mapping["brand"] == "memberScore.subScores[PROFESSIONAL_BRAND]"
    assert "date" not in result.frame.columns  # the upload's date fills it


def test_the_vendor_wrapped_json_reads_and_notes_the_ignored_team_group():
    result = read_file(FIXTURES / "salesApiSsi_unipile_wrapped_with_TEAM.json")
    assert only_row(result) == {
        "ssi": "54.6",
        "brand": "21",
        "people": "6.4",
        "insights": "2.2",
        "relationships": "25",
        "industry_rank": "5",
        "industry_avg_ssi": "33.75",
        "network_rank": "24",
        "network_avg_ssi": "46.19",
        "_line": 1,
    }
    assert any(n.startswith("TEAM group rank and average ignored") for n in result.notes)
    assert result.mapping["ssi"] == "data.memberScore.overall"


def test_group_pillar_averages_in_the_json_become_linkedins_averages():
    capture = {
        "memberScore": {"overall": 50, "subScores": []},
        "groupScore": [
            {
                "groupType": "INDUSTRY",
                "rank": 9,
                "score": {
                    "overall": 34.5,
                    "subScores": [
                        {"score": 11.79, "pillar": "PROFESSIONAL_BRAND"},
                        {"score": 5.4, "pillar": "FIND_RIGHT_PEOPLE"},
                        {"score": 2.19, "pillar": "INSIGHT_ENGAGEMENT"},
                        {"score": 15.16, "pillar": "STRONG_RELATIONSHIP"},
                    ],
                },
            }
        ],
    }
    row = only_row(captures.read(json.dumps(capture), "json", encoding="utf-8"))
    assert row == {
        "ssi": "50",
        "industry_rank": "9",
        "industry_avg_ssi": "34.5",
        **group("industry", ("11.79", "5.4", "2.19", "15.16")),
        "_line": 1,
    }


def test_the_api_result_with_total_and_tops_only():
    assert only_row(read_file(FIXTURES / "linkedapi_st_retrieveSSI_result.json")) == {
        "ssi": "78",
        "industry_rank": "15",
        "network_rank": "10",
        "_line": 1,
    }


def test_the_other_trackers_storage_shapes():
    assert only_row(read_file(FIXTURES / "samjd_ssi_history_json_shape.json")) == {
        "date": "2026-05-01",
        "ssi": "53.0",
        "brand": "18.5",
        "people": "9.2",
        "insights": "11.0",
        "relationships": "14.3",
        "_line": 2,  # the array's first element starts on line 2
    }
    assert only_row(read_file(FIXTURES / "ffinnis_post_payload_shape.json")) == {
        "ssi": "53",
        "brand": "20.998",
        "people": "6.4",
        "insights": "10.25",
        "relationships": "15",
        "_line": 1,
    }
    assert only_row(read_file(FIXTURES / "socialedge_parsed_history_entry_shape.json")) == {
        "date": "2026-06-15",
        "ssi": "19.705751",
        "brand": "13.118002",
        "people": "3.68",
        "insights": "0.29999998",
        "relationships": "2.6077502",
        "industry_rank": "75",
        "industry_avg_ssi": "30.99",
        "network_rank": "81",
        "network_avg_ssi": "32.72",
        "_line": 1,
    }


def test_the_pages_three_donuts_give_the_person_and_both_groups_per_pillar():
    result = read_file(FIXTURES / "ssi_page_dom_values_2026_en.json")
    assert only_row(result) == {
        "ssi": "33 out of 100",
        "brand": "12.05",
        "people": "4.76",
        "insights": "1",
        "relationships": "15",
        "industry_rank": "Top 37%",
        "industry_avg_ssi": "29 out of 100",
        **group("industry", ("11.27", "4.54", "1.56", "11.88")),
        "network_avg_ssi": "36 out of 100",
        **group("network", ("13.1", "8.2", "2.4", "12.3")),
        "_line": 1,
    }
    assert "not used: localized_ru_example" in result.notes


def test_a_json_array_of_captures_with_captured_at_is_a_history_with_lines():
    capture = json.loads((FIXTURES / "salesApiSsi_live_shape_non_salesnav.json").read_text())
    array = [
        {"capturedAt": "2026-06-01T07:30:00.000Z", **capture},
        {"date": "2026-06-08", "payload": capture},
        {"timestamp": 1781308800000, "data": capture},  # 2026-06-13T00:00:00Z in ms
    ]
    text = json.dumps(array, indent=2)
    result = captures.read(text, captures.detect(text, "h.json") or "", encoding="utf-8")
    frame = result.frame
    assert frame["date"].tolist() == ["2026-06-01", "2026-06-08", "2026-06-13"]
    assert frame["captured_at"].tolist()[0] == "2026-06-01T07:30:00.000Z"
    assert frame["captured_at"].tolist()[2] == "2026-06-13T00:00:00Z"
    starts = [i + 1 for i, ln in enumerate(text.splitlines()) if ln == "  {"]
    assert frame["_line"].tolist() == starts
    assert frame["brand"].tolist() == ["13.118002"] * 3


def test_a_json_capture_without_a_score_is_refused_naming_it():
    array = [{"date": "2026-06-01", "ssi": 40}, {"date": "2026-06-02", "hello": 1}]
    with pytest.raises(IngestError, match=r"capture 2 \(line 1\): the JSON holds no SSI score"):
        captures.read(json.dumps(array), "json", encoding="utf-8")
    with pytest.raises(IngestError, match="empty array"):
        captures.read("[]", "json", encoding="utf-8")
    with pytest.raises(IngestError, match="cannot be read"):
        captures.read('{"memberScore": ', "json", encoding="utf-8")


# ------------------------------------------------------------------ pasted page
def test_the_pasted_english_page_gives_pillars_rank_and_averages():
    text = (FIXTURES / "ssi_page_copy_paste_en.txt").read_text(encoding="utf-8")
    assert captures.detect(text, "paste.txt") == "paste"
    result = captures.read_paste(text)
    assert only_row(result) == {
        "brand": "12.275",
        "people": "6",
        "insights": "3.1",
        "relationships": "1.948",
        "industry_rank": "Top 65%",
        "industry_avg_ssi": "31",
        "network_avg_ssi": "30",
        "_line": 1,
    }
    assert (result.layout, result.decimal) == ("paste", ".")
    assert any("network_rank" in n and "total" in n for n in result.notes)


def test_a_paste_with_total_numbers_after_titles_and_a_network_rank():
    text = (
        "Your Social Selling Index\n\n53\nout of 100\n\n"
        "Industry SSI rank\nNetwork SSI rank\nTop 12%\n\n"
        "Establish your professional brand\n20.998\n"
        "Find the right people 6.4\n"
        "Engage with insights: 10.25\n"
        "Build relationships\n15\n"
    )
    row = only_row(captures.read_paste(text))
    assert row == {
        "ssi": "53",
        "network_rank": "Top 12%",  # the industry label's next line is a label: no value
        "brand": "20.998",
        "people": "6.4",
        "insights": "10.25",
        "relationships": "15",
        "_line": 1,
    }


def test_a_paste_of_the_portuguese_titles_reads_the_pillars():
    text = (
        "53 de 100\n"
        "20,998 Estabelecer sua marca profissional\n"
        "6,4 Localizar as pessoas certas\n"
        "10,25 Interagir oferecendo insights\n"
        "15 Criar relacionamentos\n"
    )
    assert captures.detect(text, "colado.txt") == "paste"
    result = captures.read_paste(text)
    assert only_row(result) == {
        "ssi": "53",
        "brand": "20,998",
        "people": "6,4",
        "insights": "10,25",
        "relationships": "15",
        "_line": 1,
    }
    assert result.decimal == ","


def test_pasted_text_without_any_score_is_refused():
    with pytest.raises(IngestError, match="no SSI score found"):
        captures.read_paste("Industry SSI rank\nTop 5%\n")
