"""The synthetic demo population: plausible SSI data that belongs to nobody.

Identifiers are ``demo-NNNN@demo.invalid`` (the ``.invalid`` top-level domain can never be
a real address). The upload is flagged ``is_demo`` and removed in one action
(``Bench.remove_demo`` / ``python -m ssi_bench demo --remove``).

Shape, chosen to exercise every part of the product:
- sectors with different levels and sizes, one below the privacy floor and one in the
  banded class (10–29 people);
- teams (networks) of every privacy class: under k, banded, exact;
- pillars correlated through one latent "activity" factor, rounded to two decimals, with
  the total written as LinkedIn shows it (the rounded pillar sum);
- weekly snapshots over several months with slow drift and a few inactive stretches
  (holidays) where the score falls;
- weekly outcomes (conversations, meetings, proposals, deals won, revenue) that go weakly
  with the score.
"""

from __future__ import annotations

import datetime as dt
import io

import numpy as np
import pandas as pd

DEMO_FILE_NAME = "demo data (synthetic).csv"

#: sector -> (share of people, mean activity). Sizes are skewed on purpose.
SECTORS: dict[str, tuple[float, float]] = {
    "Software Development": (0.26, 0.45),
    "Management Consulting": (0.18, 0.25),
    "Financial Services": (0.16, 0.0),
    "Staffing and Recruiting": (0.14, 0.8),
    "Marketing Services": (0.12, 0.35),
    "Industrial Machinery Manufacturing": (0.08, -0.6),
    "Higher Education": (0.045, -0.9),
    "Renewable Energy": (0.015, 0.1),
}

#: Base level of each pillar (out of 25) at activity 0, and how strongly it follows activity.
PILLAR_BASE = {"brand": (14.0, 3.2), "people": (10.0, 3.6), "insights": (8.0, 4.4)}
PILLAR_BASE["relationships"] = (13.0, 3.0)

TEAM_SIZES = (4, 7, 12, 18, 26, 35, 48, 60)


def _teams(people: int, rng: np.random.Generator) -> list[str]:
    """Team names for ``people`` people, cycling through sizes of every privacy class."""
    names: list[str] = []
    i = 0
    while len(names) < people:
        size = TEAM_SIZES[i % len(TEAM_SIZES)]
        names.extend([f"Team {chr(65 + i % 26)}{i // 26 or ''}"] * size)
        i += 1
    order = rng.permutation(people)
    return [names[j] for j in order]


def generate(
    people: int = 400, seed: int = 7, weeks: int = 16, today: dt.date | None = None
) -> pd.DataFrame:
    """The demo rows: one per person and weekly snapshot date, the last at or before today.

    Columns: email, date, sector, team, ssi (rounded as LinkedIn shows it), the four
    pillars (two decimals), and the five outcomes.
    """
    if people < 1 or weeks < 1:
        raise ValueError("people and weeks must be at least 1")
    rng = np.random.default_rng(seed)
    today = today or dt.date.today()
    last = today - dt.timedelta(days=today.weekday())  # the latest Monday
    dates = [last - dt.timedelta(weeks=w) for w in reversed(range(weeks))]

    names = list(SECTORS)
    shares = np.array([SECTORS[s][0] for s in names])
    sector_of = rng.choice(len(names), size=people, p=shares / shares.sum())
    team_of = _teams(people, rng)
    activity0 = rng.normal(0, 0.8, people) + np.array([SECTORS[names[s]][1] for s in sector_of])
    pillar_noise = {p: rng.normal(0, 1.6, people) for p in PILLAR_BASE}

    # Slow drift per person plus a few inactive stretches (2–3 weeks) where scores fall.
    drift = rng.normal(0.01, 0.03, people)
    inactive = np.zeros((people, weeks), dtype=bool)
    for person in rng.choice(people, size=max(1, people // 8), replace=False):
        start = int(rng.integers(1, max(2, weeks - 3)))
        inactive[person, start : start + int(rng.integers(2, 4))] = True

    rows = []
    for w, day in enumerate(dates):
        activity = activity0 + drift * w - np.where(inactive[:, w], 1.4, 0.0)
        pillars = {}
        for p, (base, loading) in PILLAR_BASE.items():
            weekly = rng.normal(0, 0.35, people)
            value = base + loading * activity + pillar_noise[p] + weekly
            pillars[p] = np.round(np.clip(value, 0, 25), 2)
        total = sum(pillars.values())
        assert isinstance(total, np.ndarray)
        lam = np.exp(0.02 * (total - 50))
        meetings = rng.poisson(2.0 * lam)
        frame = pd.DataFrame(
            {
                "email": [f"demo-{i + 1:04d}@demo.invalid" for i in range(people)],
                "date": day.isoformat(),
                "sector": [names[s] for s in sector_of],
                "team": team_of,
                "ssi": np.round(total).astype(int),
                **pillars,
                "conversations": rng.poisson(6.0 * lam),
                "meetings": meetings,
                "proposals": rng.binomial(meetings, 0.4),
                "deals_won": rng.binomial(rng.binomial(meetings, 0.4), 0.3),
                "revenue": np.round(rng.gamma(2.0, 4000.0, people) * (meetings > 0), 2),
            }
        )
        rows.append(frame)
    return pd.concat(rows, ignore_index=True)


def demo_csv(
    people: int = 400, seed: int = 7, weeks: int = 16, today: dt.date | None = None
) -> bytes:
    """The demo population as the CSV an uploader would send (UTF-8, comma, ISO dates)."""
    buf = io.StringIO()
    generate(people, seed, weeks, today).to_csv(buf, index=False)
    return buf.getvalue().encode("utf-8")
