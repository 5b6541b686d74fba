"""The input contract: canonical fields, their value ranges and the header alias table.

Every other module names fields by these canonical names. Header aliases live here and
nowhere else (see ``ALIASES``).
"""

from __future__ import annotations

import re
import unicodedata

PILLARS: tuple[str, ...] = ("brand", "people", "insights", "relationships")
METRICS: tuple[str, ...] = ("ssi", *PILLARS)
PILLAR_MAX = 25.0
SSI_MAX = 100.0

METRIC_LABELS: dict[str, str] = {
    "ssi": "SSI (total)",
    "brand": "Establish your professional brand",
    "people": "Find the right people",
    "insights": "Engage with insights",
    "relationships": "Build relationships",
}

#: LinkedIn's "Top X%" ranks as shown on the SSI page (1–100).
RANKS: tuple[str, ...] = ("industry_rank", "network_rank")

#: The averages LinkedIn shows for the member's industry and network (total and pillars).
LINKEDIN_AVERAGES: tuple[str, ...] = tuple(
    f"{group}_avg_{metric}" for group in ("industry", "network") for metric in METRICS
)

OUTCOMES: tuple[str, ...] = ("conversations", "meetings", "proposals", "deals_won", "revenue")

#: Identifier fields, most specific first: when several are present the first one is used.
IDENTIFIERS: tuple[str, ...] = ("email", "profile_url", "employee_id", "name")

TEXT_FIELDS: tuple[str, ...] = ("sector", "network")

#: Every canonical field a reader may produce (``person`` is the chosen identifier).
CANONICAL: tuple[str, ...] = (
    "person",
    *IDENTIFIERS,
    "date",
    "captured_at",
    *METRICS,
    *TEXT_FIELDS,
    *RANKS,
    *LINKEDIN_AVERAGES,
    *OUTCOMES,
)

#: Columns of the ``scores`` table besides keys: what a validated row carries.
SCORE_COLUMNS: tuple[str, ...] = (*METRICS, *RANKS, *LINKEDIN_AVERAGES)


def normalise_header(text: str) -> str:
    """A header reduced to what identifies it: case-folded, accents stripped, letters and digits.

    Accents go through Unicode NFKD (``"Créer"`` → ``"creer"``), ``ß`` folds to ``ss``;
    punctuation, spaces and a byte-order mark (U+FEFF) are dropped, so ``"E-Mail"``,
    ``"e mail"`` and ``"\ufeffEmail"`` all become ``"email"``. Letters of other scripts are
    kept. Never raises; an empty or all-punctuation header gives ``""``.
    """
    decomposed = unicodedata.normalize("NFKD", str(text).casefold())
    return "".join(ch for ch in decomposed if ch.isalnum() and not unicodedata.combining(ch))


def _pillar_aliases(number: int, name: str, *titles: str) -> tuple[str, ...]:
    return (
        name,
        f"pillar {number}",
        f"pillar{number}",
        f"pilar {number}",
        f"pijler {number}",
        f"saeule {number}",
        f"pilier {number}",
        f"pilastro {number}",
        *titles,
    )


def _average_aliases() -> dict[str, tuple[str, ...]]:
    """Aliases of LinkedIn's group averages, e.g. ``industry_avg_brand`` ← "industry avg brand"."""
    group_words = {"industry": ("industry", "sector"), "network": ("network",)}
    metric_words = {
        "ssi": ("ssi", "score", ""),
        "brand": ("brand",),
        "people": ("people",),
        "insights": ("insights",),
        "relationships": ("relationships",),
    }
    out: dict[str, tuple[str, ...]] = {}
    for group, gwords in group_words.items():
        for metric, mwords in metric_words.items():
            names: list[str] = []
            for g in gwords:
                for m in mwords:
                    names += [
                        f"{g} avg {m}",
                        f"{g} average {m}",
                        f"average {m} {g}",
                        f"avg {m} {g}",
                        f"{g} {m} average",
                    ]
            out[f"{group}_avg_{metric}"] = tuple(names)
    return out


#: The one header alias table: canonical field -> headers that mean it (any case, accents or
#: punctuation; see :func:`normalise_header`). The canonical name itself always matches too.
ALIASES: dict[str, tuple[str, ...]] = {
    "person": ("person", "persoon", "identifier", "member", "user"),
    "email": (
        "email",
        "e-mail",
        "mail",
        "work email",
        "work e-mail",
        "email address",
        "e-mail address",
        "business email",
        "e-mailadres",
        "werk e-mail",
        "e-mail-adresse",
        "adresse e-mail",
        "courriel",
        "indirizzo email",
        "endereco de email",
        "correo",
        "correo electronico",
    ),
    "profile_url": (
        "profile url",
        "profile",
        "linkedin url",
        "linkedin",
        "linkedin profile",
        "linkedin profile url",
        "profiel url",
        "linkedin-profiel",
        "profil url",
        "linkedin-profil",
        "url du profil",
        "url profilo",
        "url do perfil",
        "url",
    ),
    "employee_id": (
        "employee id",
        "employee number",
        "employee no",
        "personnel number",
        "staff id",
        "personeelsnummer",
        "medewerkernummer",
        "personalnummer",
        "mitarbeiternummer",
        "matricule",
        "matricola",
        "matricula",
        "id",
    ),
    "name": (
        "name",
        "full name",
        "naam",
        "volledige naam",
        "vollstaendiger name",
        "nom",
        "nom complet",
        "nome",
        "nome completo",
        "nombre",
        "nombre completo",
    ),
    "date": (
        "date",
        "datum",
        "data",
        "fecha",
        "snapshot date",
        "day",
        "dag",
        "tag",
        "jour",
        "giorno",
        "dia",
        "data referencia",
    ),
    "captured_at": (
        "captured_at",
        "captured at",
        "capturedat",
        "captured",
        "timestamp",
        "scraped at",
        "captured on",
    ),
    "ssi": (
        "ssi",
        "social selling index",
        "score",
        "total",
        "ssi score",
        "total score",
        "ssi total",
        "totaal",
        "totaalscore",
        "ssi-score",
        "gesamt",
        "gesamtpunktzahl",
        "punktzahl",
        "totale",
        "punteggio",
        "pontuacao",
        "puntuacion",
        "social selling index atual",
        "current social selling index",
        "overall",
        "ssi overall score",
    ),
    "brand": _pillar_aliases(
        1,
        "brand",
        "professional brand",
        "Establish your professional brand",
        "Uw professionele merk creëren",
        "professioneel merk",
        "Professionelle Marke etablieren",
        "Établir votre marque professionnelle",
        "Stabilire il tuo brand professionale",
        "Estabelecer sua marca profissional",
        "Establecer tu marca profesional",
        "Establecer su marca profesional",
        # Short names trackers use, in the alias table's languages.
        "establish brand",
        "prof brand",
        "merk",
        "marke",
        "marque",
        "marca",
    ),
    "people": _pillar_aliases(
        2,
        "people",
        "right people",
        "Find the right people",
        "Vind de juiste personen",
        "Die richtigen Personen finden",
        "Trouver les bonnes personnes",
        "Trovare le persone giuste",
        "Localizar as pessoas certas",
        "Encontrar a las personas adecuadas",
        "Encontrar las personas adecuadas",
        "find right people",
        "personen",
        "personnes",
        "persone",
        "personas",
        "pessoas",
    ),
    "insights": _pillar_aliases(
        3,
        "insights",
        "Engage with insights",
        "Informatie uitwisselen",
        "Mit Insights interagieren",
        "Échanger des informations",
        "Interagire con gli insight",
        "Interagir oferecendo insights",
        "Interactuar con información",
        "Interactuar ofreciendo información",
        "insight engagement",
        "engage insights",
        "inzichten",
        "informations",
        "informacion",
    ),
    "relationships": _pillar_aliases(
        4,
        "relationships",
        "relations",
        "Build relationships",
        "Relaties opbouwen",
        "Beziehungen aufbauen",
        "Développer des relations",
        "Costruire relazioni",
        "Criar relacionamentos",
        "Establecer relaciones",
        "Crear relaciones",
        "relationship",
        "strong relationship",
        "relaties",
        "beziehungen",
        "relazioni",
        "relaciones",
        "relacionamentos",
    ),
    "sector": (
        "sector",
        "industry",
        "sector name",
        "branche",
        "bransche",
        "industrie",
        "secteur",
        "secteur d'activite",
        "settore",
        "setor",
        "industria",
        "branch",
    ),
    "network": (
        "network",
        "team",
        "company",
        "department",
        "unit",
        "group",
        "community",
        "organisation",
        "organization",
        "netwerk",
        "bedrijf",
        "afdeling",
        "netzwerk",
        "unternehmen",
        "firma",
        "abteilung",
        "reseau",
        "équipe",
        "entreprise",
        "département",
        "rete",
        "squadra",
        "azienda",
        "reparto",
        "rede",
        "equipe",
        "empresa",
        "departamento",
        "red",
        "equipo",
    ),
    "industry_rank": (
        "industry rank",
        "industry ssi rank",
        "industry top",
        "industry top %",
        "top % industry",
        "rank in industry",
        "sector rank",
        "sector ssi rank",
        "rang in sector",
        "sector ssi-rang",
        "branchen-ssi-rang",
        "branchenrang",
        "rang in branche",
        "classement ssi du secteur",
        "classement dans le secteur",
        "posizione ssi nel settore",
        "classifica nel settore",
        "classificacao no setor",
        "classificacao do ssi no setor",
        "posicao no setor",
        "ranking no setor",
        "ranking en el sector",
        "clasificacion en el sector",
    ),
    "network_rank": (
        "network rank",
        "network ssi rank",
        "network top",
        "network top %",
        "top % network",
        "rank in network",
        "rang in netwerk",
        "netwerk ssi-rang",
        "netzwerk-ssi-rang",
        "netzwerkrang",
        "rang im netzwerk",
        "classement ssi du reseau",
        "classement dans le reseau",
        "posizione ssi nella rete",
        "classifica nella rete",
        "classificacao na rede",
        "classificacao do ssi na rede",
        "posicao na rede",
        "ranking na rede",
        "ranking en la red",
        "clasificacion en la red",
    ),
    **_average_aliases(),
    "conversations": (
        "conversations",
        "gesprekken",
        "conversaties",
        "gespraeche",
        "gespräche",
        "conversazioni",
        "conversas",
        "conversaciones",
    ),
    "meetings": (
        "meetings",
        "afspraken",
        "vergaderingen",
        "termine",
        "besprechungen",
        "reunions",
        "riunioni",
        "appuntamenti",
        "reunioes",
        "reuniones",
    ),
    "proposals": (
        "proposals",
        "offertes",
        "voorstellen",
        "angebote",
        "propositions",
        "proposte",
        "propostas",
        "propuestas",
    ),
    "deals_won": (
        "deals won",
        "won deals",
        "deals",
        "closed won",
        "gewonnen deals",
        "gewonnene deals",
        "abschluesse",
        "affaires gagnees",
        "contratti vinti",
        "negocios ganhos",
        "negocios ganados",
    ),
    "revenue": (
        "revenue",
        "omzet",
        "umsatz",
        "chiffre d'affaires",
        "fatturato",
        "receita",
        "faturamento",
        "ingresos",
    ),
}


def _build_lookup() -> dict[str, str]:
    lookup: dict[str, str] = {}
    for canonical in CANONICAL:
        lookup[normalise_header(canonical)] = canonical
    for canonical, aliases in ALIASES.items():
        for alias in aliases:
            key = normalise_header(alias)
            if key in lookup and lookup[key] != canonical:
                # Two fields claiming one header would make matching depend on dict order.
                raise AssertionError(f"alias {alias!r} maps to {lookup[key]} and {canonical}")
            lookup[key] = canonical
    return lookup


_LOOKUP: dict[str, str] = _build_lookup()


#: Words that decorate a total or pillar name without changing it ("BrandScore",
#: "Total SSI", "people-sub-score", "Merk score"), normalised, in the alias table's languages.
DECORATIONS = frozenset(
    {
        "ssi", "total", "score", "scores", "sub", "subscore", "overall", "points", "pts",
        "totaal", "punten", "gesamt", "punktzahl", "punkte", "totale", "punteggio", "pontuacao",
        "pontos", "puntuacion", "puntos", "pillar",
    }
)  # fmt: skip
#: Decorations that name the total on their own ("Total SSI", "SSI Score", "Gesamt").
_TOTAL_WORDS = frozenset({"ssi", "total", "overall", "totaal", "gesamt", "totale"})
#: Words that make an unmatched header look like an SSI figure (with the decorations).
_SSI_WORDS = frozenset({"rank", "top", "percentile", "brand", "people", "insights", "insight",
                        "relationships", "relationship", "socialselling", "selling"})  # fmt: skip


def header_words(header: str) -> list[str]:
    """A header split into normalised words at spaces, punctuation, ``_``, ``-`` and camelCase.

    ``"relationshipsSubScore"`` → ``["relationships", "sub", "score"]``; ``"SSI_Brand"`` →
    ``["ssi", "brand"]``. Never raises.
    """
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", " ", str(header))
    return [w for w in (normalise_header(p) for p in re.split(r"[\W_]+", spaced)) if w]


def match_header(header: object) -> str | None:
    """The canonical field a header names, or None when it names none.

    Matching is exact after :func:`normalise_header` against :data:`ALIASES` and the
    canonical names (``"Industry SSI rank"`` → ``industry_rank``; ``"E-Mail"`` → ``email``).
    Failing that, a total or pillar name decorated by :data:`DECORATIONS` in any case style
    matches its metric: ``"BrandScore"``, ``"ssi_brand"``, ``"people-sub-score"``,
    ``"Merk score"`` → the pillar; ``"Total SSI"``, ``"SSI Score"`` → ``ssi`` (total-like
    decorations alone name the total). Only metrics are found this way, so a decorated name never
    takes an identifier, date or rank column. A missing (non-string) header matches nothing.
    """
    if not isinstance(header, str):
        return None
    found = _LOOKUP.get(normalise_header(header))
    if found is not None:
        return found
    words = header_words(header)
    core = [w for w in words if w not in DECORATIONS]
    if not words:
        return None
    if not core:
        return "ssi" if set(words) & _TOTAL_WORDS else None
    if len(core) == len(words):
        return None  # nothing was decoration: the exact lookup above already said no
    field = _LOOKUP.get("".join(core))
    return field if field in METRICS else None


def looks_like_ssi(header: object) -> bool:
    """True for a header that reads like a total, pillar or rank but matched no field.

    Such a column is reported as "looks like an SSI figure — not used" so that a tracker's
    figure is never silently dropped among ordinary ignored columns. False for a header
    :func:`match_header` matches.
    """
    if not isinstance(header, str) or match_header(header) is not None:
        return False
    words = set(header_words(header))
    joined = normalise_header(header)
    return bool(words & (DECORATIONS | _SSI_WORDS)) or "ssi" in joined or "score" in joined


def like_ssi(headers: list[str]) -> list[str]:
    """The headers of a list (e.g. ignored columns) that :func:`looks_like_ssi`, in order."""
    return [h for h in headers if looks_like_ssi(h)]
