"""Text for the pages: markdown escaping, numbers, a standing in words, cohort labels.

Pure functions (no Streamlit call): what every page and the shared views say, worded once.
"""

from __future__ import annotations

import re

import pandas as pd

from ssi_bench.model import Standing, Status

# ---------------------------------------------------------------------------- text
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$&:=\"'^%])")


def safe_md(text: object) -> str:
    """``text`` escaped so that Streamlit markdown shows it literally.

    Every ASCII punctuation character that markdown, HTML, LaTeX (``$``) or Streamlit's
    directives (``:red[…]``, ``:emoji:``) could interpret is backslash-escaped, which
    CommonMark defines as "this character, literally". Newlines become spaces so a name
    cannot start a heading or a list.
    """
    flat = re.sub(r"[\r\n\t]+", " ", str(text))
    return _MD_SPECIAL.sub(r"\\\1", flat)


def fmt_num(value: float | None, digits: int = 2) -> str:
    """A score for reading: ``57.25``; ``–`` for a missing value."""
    if value is None or pd.isna(value):
        return "–"
    return f"{value:,.{digits}f}"


def fmt_pct(value: float | None) -> str:
    """A percentage as published: at most one decimal (``18.4%``, ``25%``)."""
    if value is None or pd.isna(value):
        return "–"
    return f"{round(float(value), 1):g}%"


_SMALL = ("no one", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def share_higher_words(higher: float) -> str:
    """The share of a cohort scoring higher, in words: ``75`` → "three in four score higher".

    Uses the simplest fraction with a denominator of 2, 3, 4, 5 or 10 within half a point,
    else "about N in 100".
    """
    if higher <= 0.5:
        return "hardly anyone scores higher"
    if higher >= 99.5:
        return "almost everyone scores higher"
    for denominator in (2, 3, 4, 5, 10):
        numerator = round(higher * denominator / 100)
        if 0 < numerator < denominator and abs(100 * numerator / denominator - higher) <= 0.5:
            if denominator == 2:
                return "half score higher"
            num = _SMALL[numerator]
            den = {3: "three", 4: "four", 5: "five", 10: "ten"}[denominator]
            return f"{num} in {den} score higher"
    return f"about {round(higher)} in 100 score higher"


def standing_sentence(standing: Standing, k: int) -> str:
    """A Standing said both ways, where the gate allows.

    Exact: "Top 75% · percentile 25: three in four score higher (of 40 people)".
    Banded (small cohort): "Top 25% (rounded up to a band: fewer than 30 people)".
    Suppressed: why nothing is shown. Never contains user-supplied text.
    """
    if standing.suppressed:
        return (
            f"Fewer than {k} people in this cohort: no rank is shown, so that no one can "
            "be singled out."
        )
    parts = []
    if standing.precision == "banded" and (standing.top_percent or 0) > 50:
        # The coarsest band: "Top 100%" says nothing; say which half instead.
        parts.append("In the lower half")
    elif standing.top_percent is not None:
        parts.append(f"Top {fmt_pct(standing.top_percent)}")
    if standing.percentile is not None:
        pct = standing.percentile
        parts.append(f"percentile {round(pct, 1):g}: {share_higher_words(100 - pct)}")
    text = " · ".join(parts) if parts else standing.display
    if standing.precision == "banded" or (standing.percentile is None and parts):
        text += " (rounded up to a band: fewer than 30 people)"
    elif standing.n is not None:
        text += f" (of {standing.n:,} people)"
    return text


def cohort_label(kind: str, name: str | None) -> str:
    """Plain-text label of a cohort (not markdown-escaped)."""
    if kind == "all" or name is None:
        return "Everyone"
    return f"{kind.capitalize()}: {name}"


def date_range(s: Status) -> str:
    if s.first_date is None or s.last_date is None:
        return "no snapshot dates"
    if s.first_date == s.last_date:
        return f"snapshot {s.last_date.isoformat()}"
    return f"snapshots {s.first_date.isoformat()} to {s.last_date.isoformat()}"
