"""Text for the pages: markdown escaping, numbers, a standing in words, cohort labels.

Pure functions (no Streamlit call): what every page and the shared views say, worded once.
"""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd

from ssi_bench import wording
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
    """A Standing in the words of :mod:`ssi_bench.wording`, the same on every page and share.

    Exact (30+ people): "Top 12% · percentile 88: about 12 in 100 score higher (of 40 people)";
    below the median it starts "below the median (Top 58% · …)", never a phrase that reads
    as praise. Banded (k–29 people): "Top 25% (a band: fewer than 30 people)". A typed score:
    its published range, "Top 10–25% (from the published quartiles of 40 people)". Withheld:
    :func:`ssi_bench.wording.withheld`. The date note (:attr:`Standing.note`), when there is
    one, follows. Never contains user-supplied text.
    """
    if standing.suppressed:
        text = standing.display or wording.withheld(k)
    elif standing.precision == "range" and standing.top_percent_range is not None:
        text = wording.published_range(*standing.top_percent_range)
        if standing.n is not None:
            text += f" (from the published quartiles of {standing.n:,} people)"
    elif standing.percentile is not None and standing.top_percent is not None:
        text = wording.exact(standing.top_percent, standing.percentile)
        text += f": {share_higher_words(100 - standing.percentile)}"
        if standing.n is not None:
            text += f" (of {standing.n:,} people)"
    elif standing.top_percent is not None:
        text = f"{wording.banded(int(standing.top_percent))} ({BANDED_SHORT})"
    else:
        text = standing.display
    if standing.note:
        text += f" — {standing.note}"
    return text


#: Beside a banded standing: why it is a band.
BANDED_SHORT = "a band: fewer than 30 people"
#: The caption wherever a banded Top-X% is shown.
BANDED_CAPTION = (
    "Bands: in a cohort of fewer than 30 people the Top-X% is rounded up to the next of "
    "Top 10%, 25%, 50% or 100%, so that no one can be pinpointed; from 30 people it is exact."
)


def score_band_caption(bands: tuple[tuple[float, str], ...]) -> str:
    """The SSI bands in words, for a caption where a band label is shown:
    "SSI bands: Room to improve 0–49.99 · Average 50–59.99 · …"."""
    parts = []
    for i, (lo, label) in enumerate(bands):
        hi = bands[i + 1][0] if i + 1 < len(bands) else None
        parts.append(f"{label} {lo:g}–{hi - 0.01:g}" if hi is not None else f"{label} {lo:g}+")
    return "SSI bands (total score): " + " · ".join(parts)


def figure_date_note(row_as_of: dt.date, asked: dt.date | None) -> str | None:
    """Why a cohort's figure is from an earlier date than the one shown (None: same date)."""
    if asked is None or row_as_of >= asked:
        return None
    return (
        f"figure from {row_as_of.isoformat()}: later dates not published yet (fewer than k "
        "people changed since)"
    )


def withheld_placeholder(kind: str, name: str | None, k: int, parent: str | None) -> str:
    """The one line that stands in for a withheld cohort (plain text, not markdown)."""
    label = cohort_label(kind, name)
    where = f" — shown at {parent} instead" if parent else ""
    return f"{label}: fewer than {k} people (or it would single out a small group){where}."


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
