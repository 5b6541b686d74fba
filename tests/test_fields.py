"""The alias table: every header LinkedIn or a localised Excel export uses finds its field."""

from __future__ import annotations

import pytest

from ssi_bench import fields
from ssi_bench.fields import ALIASES, CANONICAL, match_header, normalise_header


def test_normalise_header_folds_case_accents_punctuation_spaces_and_bom():
    assert normalise_header("\ufeffUw professionele Merk Creëren!") == "uwprofessionelemerkcreeren"
    assert normalise_header("E-Mail") == "email"
    assert normalise_header(" Straße ") == "strasse"
    assert normalise_header("--") == ""


@pytest.mark.parametrize(
    ("header", "field"),
    [
        # English, LinkedIn's own titles
        ("Social Selling Index", "ssi"),
        ("SSI", "ssi"),
        ("score", "ssi"),
        ("Total", "ssi"),
        ("SSI score", "ssi"),
        ("Establish your professional brand", "brand"),
        ("Find the right people", "people"),
        ("Engage with insights", "insights"),
        ("Build relationships", "relationships"),
        ("Industry", "sector"),
        ("Industry SSI rank", "industry_rank"),
        ("Network SSI rank", "network_rank"),
        # Dutch
        ("Naam", "name"),
        ("Datum", "date"),
        ("Uw professionele merk creëren", "brand"),
        ("Vind de juiste personen", "people"),
        ("Informatie uitwisselen", "insights"),
        ("Relaties opbouwen", "relationships"),
        ("Sector", "sector"),
        ("Team", "network"),
        ("Netwerk", "network"),
        # German
        ("Name", "name"),
        ("E-Mail", "email"),
        ("Professionelle Marke etablieren", "brand"),
        ("Die richtigen Personen finden", "people"),
        ("Mit Insights interagieren", "insights"),
        ("Beziehungen aufbauen", "relationships"),
        ("Branche", "sector"),
        ("Netzwerk", "network"),
        # French
        ("Nom", "name"),
        ("Date", "date"),
        ("Établir votre marque professionnelle", "brand"),
        ("Trouver les bonnes personnes", "people"),
        ("Échanger des informations", "insights"),
        ("Développer des relations", "relationships"),
        ("Secteur", "sector"),
        ("Équipe", "network"),
        ("Réseau", "network"),
        # Italian
        ("Nome", "name"),
        ("Data", "date"),
        ("Stabilire il tuo brand professionale", "brand"),
        ("Trovare le persone giuste", "people"),
        ("Interagire con gli insight", "insights"),
        ("Costruire relazioni", "relationships"),
        ("Settore", "sector"),
        ("Rete", "network"),
        # Portuguese (pt-BR)
        ("Estabelecer sua marca profissional", "brand"),
        ("Localizar as pessoas certas", "people"),
        ("Interagir oferecendo insights", "insights"),
        ("Criar relacionamentos", "relationships"),
        ("Setor", "sector"),
        ("Rede", "network"),
        # Spanish (bonus)
        ("Establecer tu marca profesional", "brand"),
        ("Fecha", "date"),
        # variants
        ("email", "email"),
        ("Work Email", "email"),
        ("mail", "email"),
        ("Profile URL", "profile_url"),
        ("LinkedIn URL", "profile_url"),
        ("LinkedIn", "profile_url"),
        ("Employee ID", "employee_id"),
        ("Employee number", "employee_id"),
        ("Personnel number", "employee_id"),
        ("Full name", "name"),
        ("company", "network"),
        ("Department", "network"),
        ("unit", "network"),
        ("captured_at", "captured_at"),
        ("CapturedAt", "captured_at"),
        ("brand", "brand"),
        ("Pillar 1", "brand"),
        ("pillar2", "people"),
        ("Pillar 3", "insights"),
        ("pillar4", "relationships"),
        ("Conversations", "conversations"),
        ("Meetings", "meetings"),
        ("Proposals", "proposals"),
        ("Deals won", "deals_won"),
        ("Won deals", "deals_won"),
        ("Revenue", "revenue"),
        ("industry_avg_brand", "industry_avg_brand"),
        ("Network average SSI", "network_avg_ssi"),
    ],
)
def test_each_known_header_matches_its_canonical_field(header, field):
    assert match_header(header) == field


def test_unknown_and_missing_headers_match_nothing():
    assert match_header("Favourite colour") is None
    assert match_header("") is None
    assert match_header(None) is None


def test_every_alias_names_a_canonical_field_and_captured_at_is_canonical():
    assert "captured_at" in CANONICAL
    assert set(ALIASES) <= set(CANONICAL)


def test_identifiers_are_ordered_most_specific_first():
    assert fields.IDENTIFIERS == ("email", "profile_url", "employee_id", "name")


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("BrandScore", "brand"),
        ("ssi_brand", "brand"),
        ("people-sub-score", "people"),
        ("Total SSI", "ssi"),
        ("SSI Score", "ssi"),
        ("Merk score", "brand"),
        ("relationshipsSubScore", "relationships"),
        ("insights_score", "insights"),
        ("Marke-Punktzahl", "brand"),
        ("pontuacao_relacionamentos", "relationships"),
        ("ssi_overall_score", "ssi"),
        ("establish_brand", "brand"),
        ("find_right_people", "people"),
        ("prof_brand", "brand"),
        ("insight_engagement", "insights"),
    ],
)
def test_decorated_and_compound_pillar_and_total_names_match(header, field):
    assert fields.match_header(header) == field


@pytest.mark.parametrize("header", ["Email score", "Team score", "date_total", "score_date"])
def test_decorations_never_turn_a_non_metric_into_a_metric(header):
    assert fields.match_header(header) not in fields.METRICS


def test_unmatched_headers_that_look_like_ssi_figures_are_told_apart():
    assert fields.looks_like_ssi("SSI trend")
    assert fields.looks_like_ssi("Team score")
    assert fields.looks_like_ssi("rank_delta")
    assert not fields.looks_like_ssi("Notes")
    assert not fields.looks_like_ssi("Brand")  # matched, so not "unmatched"
    assert fields.like_ssi(["Notes", "SSI trend", "Comment"]) == ["SSI trend"]
