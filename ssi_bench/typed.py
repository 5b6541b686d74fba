"""Numbers a person types into a page: decimal comma or point, ranges, all-or-total pillars.

One parser for every typed score (Home, My benchmark, a shared view's inputs), so "14,2" means
14.2 everywhere and no page counts an empty pillar as 0. Pure: no Streamlit.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ssi_bench.errors import SSIBenchError
from ssi_bench.fields import METRIC_LABELS, PILLAR_MAX, PILLARS, SSI_MAX

#: One number: optional sign, digits, at most one decimal separator (comma or point).
_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)$")


class TypedValueError(SSIBenchError):
    """A typed value that cannot be used; ``field`` is the label of the input it came from."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def parse_number(
    text: str | None, field: str, low: float = 0.0, high: float = SSI_MAX
) -> float | None:
    """``text`` as a float between ``low`` and ``high`` (inclusive); None when blank.

    Accepts a decimal comma or point ("14,2" and "14.2" → 14.2) and surrounding spaces.
    Refuses thousands separators and anything else ("14,2,1", "1.000,5", "abc", "nan"):
    a typed SSI never needs them, and guessing would turn 14,2 into 142. Raises
    :class:`TypedValueError` naming ``field`` (the input's label) with what is wrong.
    """
    if text is None:
        return None
    raw = str(text).strip().replace(" ", "").replace("\u00a0", "")
    if not raw:
        return None
    if not _NUMBER.match(raw):
        raise TypedValueError(
            field,
            f"{field}: {str(text).strip()!r} is not a number — type e.g. 14.2 or 14,2 "
            "(one decimal comma or point, no thousands separator).",
        )
    value = float(raw.replace(",", "."))
    if math.isnan(value) or not low <= value <= high:
        raise TypedValueError(field, f"{field}: {value:g} is outside {low:g}–{high:g}.")
    return value


@dataclass(frozen=True)
class TypedScores:
    """What a person typed as scores, checked.

    ``pillars``: all four pillars (brand, people, insights, relationships) when all four were
    typed; ``total``: the total SSI when it alone was typed (or beside four pillars: then the
    pillars win and the total must match their sum within 0.05, LinkedIn's rounding).
    ``errors``: field label → message, one per input that blocks a result. ``usable`` is
    True only with no error and something to rank.
    """

    pillars: tuple[float, float, float, float] | None = None
    total: float | None = None
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def usable(self) -> bool:
        return not self.errors and (self.pillars is not None or self.total is not None)

    @property
    def empty(self) -> bool:
        return not self.errors and self.pillars is None and self.total is None

    @property
    def ssi(self) -> float | None:
        """The total these scores stand for (the pillar sum when the pillars are typed)."""
        if self.pillars is not None:
            return round(sum(self.pillars), 2)
        return self.total

    def score_args(self) -> dict[str, Any]:
        """Keyword arguments for ``Bench.percentile`` / ``Bench.my_benchmark``."""
        if self.pillars is not None:
            return {"pillars": list(self.pillars)}
        return {"score": self.total}


#: Label of the total input, as the pages show it.
TOTAL_LABEL = "Total SSI"
#: Message when some but not all pillars are typed (shown at every empty pillar).
PARTIAL_PILLARS = (
    "Type all four pillars, or clear them and type only the total: a missing pillar is "
    "never counted as 0."
)


def parse_scores(texts: Mapping[str, str | None]) -> TypedScores:
    """Check typed scores: ``texts`` maps "brand", "people", "insights", "relationships" and
    "ssi" (any may be missing or blank) to what was typed.

    All four pillars, or the total alone: with one to three pillars typed each empty pillar
    gets :data:`PARTIAL_PILLARS` as its error. Each unreadable or out-of-range value gets its
    own error (0–25 for a pillar, 0–100 for the total). Never raises.
    """
    errors: dict[str, str] = {}
    values: dict[str, float | None] = {}
    for name in (*PILLARS, "ssi"):
        label = TOTAL_LABEL if name == "ssi" else METRIC_LABELS[name]
        high = SSI_MAX if name == "ssi" else PILLAR_MAX
        try:
            values[name] = parse_number(texts.get(name), label, 0.0, high)
        except TypedValueError as exc:
            errors[name] = str(exc)
            values[name] = None
    typed_pillars = [p for p in PILLARS if values[p] is not None or p in errors]
    if typed_pillars and len(typed_pillars) < len(PILLARS):
        for p in PILLARS:
            if p not in typed_pillars:
                errors[p] = f"{METRIC_LABELS[p]}: missing. {PARTIAL_PILLARS}"
    if errors:
        return TypedScores(errors=errors)
    pillars: tuple[float, float, float, float] | None = None
    b, pe, i, r = (values[p] for p in PILLARS)
    if b is not None and pe is not None and i is not None and r is not None:
        pillars = (b, pe, i, r)
    total = values["ssi"]
    if pillars is not None and total is not None and abs(sum(pillars) - total) > 0.05 + 1e-9:
        errors["ssi"] = (
            f"{TOTAL_LABEL}: {total:g} is not the sum of the four pillars "
            f"({sum(pillars):.2f}); clear it or correct a pillar."
        )
        return TypedScores(errors=errors)
    return TypedScores(pillars=pillars, total=None if pillars is not None else total)
