"""The input contract: canonical fields, their value ranges and the header alias table.

Every other module names fields by these canonical names. Header aliases live here and
nowhere else (see ``ALIASES``).
"""

from __future__ import annotations

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
    *METRICS,
    *TEXT_FIELDS,
    *RANKS,
    *LINKEDIN_AVERAGES,
    *OUTCOMES,
)

#: Columns of the ``scores`` table besides keys: what a validated row carries.
SCORE_COLUMNS: tuple[str, ...] = (*METRICS, *RANKS, *LINKEDIN_AVERAGES)
