"""One wording of a standing for every surface: pages, shares, the CLI's ``display``, exports.

A standing below the median never reads as praise: "Top 58%" alone sounds good, so below the
median it says "below the median (Top 58%)". Exact figures are whole numbers (design: an
integer percentile from 30 people); the JSON keeps them unrounded.
"""

from __future__ import annotations

import math


def pct(value: float) -> str:
    """A Top-X% figure as a whole number, never "Top 0%" (the leader of 200 is Top 1%)."""
    return str(max(1, math.ceil(value - 1e-9))) if value < 1 else str(round(value))


def exact(top_percent: float, percentile: float) -> str:
    """Exact standing (30+ people): "Top 12% · percentile 88"."""
    if percentile < 50:
        return f"below the median (Top {pct(top_percent)}% · percentile {round(percentile)})"
    return f"Top {pct(top_percent)}% · percentile {round(percentile)}"


def banded(band: int) -> str:
    """Small cohort (k–29 people): the band the Top-X% was rounded up to."""
    if band > 50:
        return f"below the median (Top {band}%)"
    return f"Top {band}%"


def published_range(lo: int, hi: int) -> str:
    """A typed score between two published quantiles: "Top 10–25%"."""
    if lo >= 50:
        return f"below the median (Top {lo}–{hi}%)"
    return f"Top {lo}–{hi}%"


def withheld(k: int) -> str:
    """A cohort the release does not publish on that date (too small, or it would let a
    small group be singled out by subtraction). One message for both: which of the two it
    is would itself say something about the cohort's size."""
    return (
        f"Not published: fewer than {k} people, or showing it would let a small group be "
        "singled out."
    )


def no_quantiles(k: int) -> str:
    """A typed score in a cohort without published quartiles (fewer than 20 people)."""
    return (
        "A typed score is compared with published quartiles only, and this cohort has none "
        f"(under 20 people, or fewer than {k})."
    )
