"""Cohorts as of a date and exact percentile ranks — pure numpy, no SQL.

For a cohort of N people and a score s: B below, E equal (subject included), A above.
Percentile rank PR = 100·(B + E/2)/N (= ``scipy.stats.percentileofscore(kind="mean")``);
"Top X%" = 100·(A + (E+1)/2)/N. Quantiles interpolate linearly (= DuckDB ``quantile_cont``).

:class:`CohortIndex` holds each person's latest snapshot as of one date and keeps one sorted
array per (cohort, metric), built on first use; after that a rank is two binary searches.
"""

from __future__ import annotations

import datetime as dt
import math
import threading
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ssi_bench.model import CohortKind

#: Scores are stored rounded to 4 decimals; this tolerance makes float sums compare safely.
TOLERANCE = 1e-9
QUANTILES: tuple[tuple[str, float], ...] = (
    ("p10", 0.10),
    ("p25", 0.25),
    ("p50", 0.50),
    ("p75", 0.75),
    ("p90", 0.90),
)


@dataclass(frozen=True)
class RankCounts:
    """Counts for one score in one cohort. ``n`` includes a typed-in subject; ``stored``
    (None: same as ``n``) counts only the stored people, which is what the privacy gate's
    minimum size is about: a typed-in score is nobody's data."""

    n: int
    below: int
    equal: int
    above: int
    stored: int | None = None

    @property
    def people(self) -> int:
        """Stored people in the cohort (``n`` without a typed-in subject)."""
        return self.n if self.stored is None else self.stored


def rank_counts(sorted_values: np.ndarray, score: float, *, subject_in_cohort: bool) -> RankCounts:
    """Counts below / equal / above ``score`` in an ascending array.

    ``subject_in_cohort``: the subject is one of the values (a stored person). Otherwise
    (a typed-in score) the score joins the cohort as one more member: N+1, E+1.
    """
    lo = int(np.searchsorted(sorted_values, score - TOLERANCE, side="left"))
    hi = int(np.searchsorted(sorted_values, score + TOLERANCE, side="right"))
    n = len(sorted_values)
    below, equal, above = lo, hi - lo, n - hi
    if not subject_in_cohort:
        return RankCounts(n + 1, below, equal + 1, above, stored=n)
    return RankCounts(n, below, equal, above)


def percentile_rank(rc: RankCounts) -> float:
    """100·(B + E/2)/N. Raises ZeroDivisionError on an empty cohort (gate first)."""
    return 100.0 * (rc.below + rc.equal / 2) / rc.n


def top_percent(rc: RankCounts) -> float:
    """100·(A + (E+1)/2)/N: the leader of 10 distinct scores is Top 10%."""
    return 100.0 * (rc.above + (rc.equal + 1) / 2) / rc.n


def quantiles(sorted_values: np.ndarray) -> dict[str, float]:
    """p10, p25, p50, p75, p90 of an ascending array by linear interpolation.

    DuckDB's ``quantile_cont`` formula: position (n − 1)·q, the value there, or between
    its two neighbours ``lo + (pos − floor(pos))·(hi − lo)``. Straight on the sorted array
    (np.quantile would partition it again: 60 µs a call, 0.8 s for a page of 5,000
    networks). Raises ValueError when empty.
    """
    n = len(sorted_values)
    if n == 0:
        raise ValueError("no values")
    out: dict[str, float] = {}
    for name, q in QUANTILES:
        pos = (n - 1) * q
        below, above = math.floor(pos), math.ceil(pos)
        lo = float(sorted_values[below])
        out[name] = (
            lo if below == above else lo + (pos - below) * (float(sorted_values[above]) - lo)
        )
    return out


class CohortIndex:
    """Every cohort as of one date, from ``members`` (one row per person: their latest
    snapshot in the window). Thread-safe; arrays are built lazily and memoised."""

    def __init__(self, members: pd.DataFrame, as_of: dt.date) -> None:
        self.as_of = as_of
        self._frame = members.reset_index(drop=True)
        self._lock = threading.Lock()
        self._arrays: dict[tuple[str, str | None, str], np.ndarray] = {}
        self._rows: dict[str, int] = {
            str(k): i for i, k in enumerate(self._frame["person_key"].tolist())
        }
        self._groups: dict[str, dict[str, np.ndarray]] = {}
        self._columns: dict[str, np.ndarray] | None = None
        self._metrics: dict[str, np.ndarray] = {}
        #: Results derived from this index (e.g. gated quantiles), memoised by the caller
        #: under its own keys. They live and die with the index, which is itself keyed by
        #: the data version, so they can never outlive the data they were computed from.
        self.memo: dict[Any, Any] = {}

    def __len__(self) -> int:
        return len(self._frame)

    def _positions(self, kind: str) -> dict[str, np.ndarray]:
        with self._lock:
            got = self._groups.get(kind)
        if got is None:
            col = self._frame[kind]
            got = {
                str(name): np.asarray(idx, dtype=np.int64)
                for name, idx in self._frame.groupby(col, dropna=True).indices.items()
            }
            with self._lock:
                self._groups[kind] = got
        return got

    def values(self, kind: CohortKind, name: str | None, metric: str) -> np.ndarray:
        """Sorted float64 values of ``metric`` in the cohort (NaN dropped)."""
        key = (kind, None if kind == "all" else name, metric)
        with self._lock:
            found = self._arrays.get(key)
        if found is not None:
            return found
        column = self._metric(metric)
        if kind == "all":
            picked = column
        else:
            pos = self._positions(kind).get(str(name))
            picked = column[pos] if pos is not None else np.empty(0)
        arr = np.sort(picked[~np.isnan(picked)])
        arr.setflags(write=False)
        with self._lock:
            self._arrays[key] = arr
        return arr

    def _metric(self, metric: str) -> np.ndarray:
        """The float64 column of ``metric`` (NaN where missing), converted once: a page
        listing 5,000 networks asks for it 25,000 times."""
        with self._lock:
            found = self._metrics.get(metric)
        if found is None:
            found = self._frame[metric].to_numpy(dtype=np.float64, na_value=np.nan)
            found.setflags(write=False)
            with self._lock:
                self._metrics[metric] = found
        return found

    def _column_arrays(self) -> dict[str, np.ndarray]:
        """One numpy array per column (datetimes as Timestamps), built once: reading a row
        from them costs microseconds where ``DataFrame.iloc[i]`` costs ~100 µs."""
        if self._columns is None:
            cols: dict[str, np.ndarray] = {}
            for name in self._frame.columns:
                col = self._frame[name]
                if pd.api.types.is_datetime64_any_dtype(col.dtype):
                    cols[str(name)] = np.asarray(col.astype(object))
                elif pd.api.types.is_float_dtype(col.dtype):
                    cols[str(name)] = col.to_numpy(dtype=np.float64, na_value=np.nan)
                else:
                    cols[str(name)] = col.to_numpy(dtype=object)
            self._columns = cols
        return self._columns

    def member(self, person_key: str) -> dict[str, Any] | None:
        """The person's row (their latest snapshot in the window), or None.

        Values are floats, strings and Timestamps; missing values are None.
        """
        i = self._rows.get(person_key)
        if i is None:
            return None
        with self._lock:
            cols = self._column_arrays()
        row = {k: a[i] for k, a in cols.items()}
        return {
            k: None if _is_missing(v) else (v.item() if isinstance(v, np.generic) else v)
            for k, v in row.items()
        }

    def names(self, kind: str) -> list[str]:
        return sorted(self._positions(kind))

    def size(self, kind: str, name: str | None) -> int:
        """People in the cohort (whatever metric they have)."""
        if kind == "all":
            return len(self._frame)
        pos = self._positions(kind).get(str(name))
        return 0 if pos is None else len(pos)


def _is_missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def sector_values_at(
    rows: pd.DataFrame,
    wanted: list[tuple[dt.date, str]],
    lookback_days: int,
) -> dict[tuple[dt.date, str], np.ndarray]:
    """For each (day, sector) in ``wanted`` (the column may equally hold networks, see
    ``Store.cohort_span``): the sorted values that
    ``CohortIndex(store.members(day, lookback_days), day).values("sector", sector, metric)``
    holds, without building a whole index per day.

    ``rows``: person_key, snapshot_date, sector, value (any order), holding every row in
    the span of every person who could be in those cohorts
    (``Store.sector_span``). As in ``Store.members``, a person counts on ``day`` with their
    latest row with day − lookback_days ≤ date ≤ day, taken whole (``arg_max_null``): a
    missing sector or value on that row leaves them out; found by one binary search per
    person.
    """
    out: dict[tuple[dt.date, str], np.ndarray] = {}
    if not wanted:
        return out
    empty = np.empty(0, dtype=np.float64)
    if rows.empty:
        return {w: empty for w in wanted}
    codes, _uniques = pd.factorize(rows["person_key"], sort=False)
    days = rows["snapshot_date"].to_numpy(dtype="datetime64[D]").astype(np.int64)
    order = np.lexsort((days, codes))  # by person, then date (a key is unique per row)
    codes = codes.astype(np.int64)[order]
    days = days[order]
    key = codes * (1 << 32) + days  # ascending
    values = rows["value"].to_numpy(dtype=np.float64, na_value=np.nan)[order]
    sector_codes, sector_names = pd.factorize(rows["sector"], use_na_sentinel=True)
    sector_codes = sector_codes[order]
    has_value = ~np.isnan(values)
    has_sector = sector_codes >= 0
    people = np.arange(int(codes.max()) + 1, dtype=np.int64)
    lookup = {str(name): i for i, name in enumerate(sector_names)}

    def restricted(mask: np.ndarray) -> tuple[np.ndarray, ...]:
        return key[mask], codes[mask], days[mask], np.flatnonzero(mask)

    every = restricted(np.ones(len(key), dtype=bool))

    def latest(part: tuple[np.ndarray, ...], day: int) -> tuple[np.ndarray, np.ndarray]:
        """Per person: row position of their latest row of ``part`` in the window, and
        whether there is one."""
        k, c, d, where = part
        if len(k) == 0:
            return np.zeros(len(people), dtype=np.int64), np.zeros(len(people), dtype=bool)
        pos = np.searchsorted(k, people * (1 << 32) + day, side="right") - 1
        safe = np.maximum(pos, 0)
        ok = (pos >= 0) & (c[safe] == people) & (d[safe] >= day - lookback_days)
        return where[safe], ok

    for day in sorted({d for d, _ in wanted}):
        day_no = int(np.datetime64(day, "D").astype(np.int64))
        rows_at, ok_at = latest(every, day_no)
        usable = ok_at & has_value[rows_at] & has_sector[rows_at]
        for d, name in wanted:
            if d != day:
                continue
            code = lookup.get(str(name))
            if code is None:
                out[(d, name)] = empty
                continue
            sel = usable & (sector_codes[rows_at] == code)
            arr = np.sort(values[rows_at[sel]])
            arr.setflags(write=False)
            out[(d, name)] = arr
    return out
