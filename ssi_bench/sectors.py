"""Sector texts → LinkedIn industries: matching at upload, the admin's mapping, re-filing.

Every upload goes through :func:`file_rows` (called where rows are pseudonymised): each
distinct sector text is matched with :func:`ssi_bench.industries.match`, the admin's
remembered choices (``sector_map``) first. A matched text is stored as the industry's English
canonical label with its id (``scores.industry_id``), so "Softwareontwikkeling" and
"Software Development" land in one cohort; an unmatched text is kept as written with
``industry_id`` NULL. :func:`preview` tells the uploader, per distinct sector, what it will
be stored as, or "not a LinkedIn industry — kept as written" with the three closest.

:func:`map_sector` remembers a choice (text → industry) and, in the same transaction, re-files
the stored rows the text names (in ``scores`` and ``scores_replaced``, so undoing an upload
later restores re-filed versions); :func:`undo` puts the latest change back. Keys are
:func:`ssi_bench.industries.normalise`-d text, so case, accents and punctuation never make
two mappings of one text.

Which stored rows a mapping of text T re-files: those whose stored sector normalises to T
(rows kept as written, or stored under a label equal to T), and those an earlier, not undone
change of T re-filed that still carry what it gave them. A text that matched an industry at
upload is stored under the industry's label, so its original wording is not kept: remapping
"Softwareontwikkeling" re-files no stored row (it only changes later uploads) unless rows
were stored as that text.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from ssi_bench import industries
from ssi_bench.audit import sector_change_object
from ssi_bench.errors import NotFoundError, SSIBenchError

if TYPE_CHECKING:
    from ssi_bench.store import Store

#: What the preview says of a sector that names no LinkedIn industry.
NOT_AN_INDUSTRY = "not a LinkedIn industry — kept as written"

_OVERRIDES_SQL = "SELECT sector_key, industry_id FROM sector_map"
_MAP_ROWS_SQL = """
SELECT m.sector_key, m.sector_text, m.industry_id, m.chosen_at FROM sector_map m
ORDER BY m.sector_text
"""
_STORED_SECTORS_SQL = """
SELECT sector, industry_id, count(*) AS rows, count(DISTINCT person_key) AS people
FROM scores WHERE sector IS NOT NULL GROUP BY sector, industry_id ORDER BY sector
"""
_OLD_MAP_SQL = "SELECT industry_id FROM sector_map WHERE sector_key = $key"
_UPSERT_MAP_SQL = """
INSERT OR REPLACE INTO sector_map VALUES ($key, $text, $id, now()::TIMESTAMP)
"""
_NEW_CHANGE_SQL = """
INSERT INTO sector_changes VALUES (nextval('sector_change_seq'), now()::TIMESTAMP, $key, $text,
    $old, $new, NULL)
RETURNING change_id
"""
_DISTINCT_SQL = "SELECT DISTINCT sector FROM {tbl} WHERE sector IS NOT NULL"
#: Rows an earlier, not undone change of the same text re-filed and that still hold what it
#: gave them (its new label and id).
_EARLIER_SQL = """
SELECT r.person_key, r.snapshot_date FROM sector_change_rows r
JOIN sector_changes c USING (change_id)
JOIN {tbl} t ON t.person_key = r.person_key AND t.snapshot_date = r.snapshot_date
WHERE c.sector_key = $key AND c.undone_at IS NULL AND r.tbl = '{tbl}'
  AND t.industry_id = c.new_industry_id AND c.new_industry_id = $old
"""
_LOG_ROWS_SQL = """
INSERT INTO sector_change_rows
SELECT $cid, '{tbl}', t.person_key, t.snapshot_date, t.sector, t.industry_id FROM {tbl} t
WHERE (list_contains($texts, t.sector)
       OR EXISTS (SELECT 1 FROM picked p
                  WHERE p.person_key = t.person_key AND p.snapshot_date = t.snapshot_date))
  AND NOT (t.sector IS NOT DISTINCT FROM $label AND t.industry_id IS NOT DISTINCT FROM $id)
"""
_REFILE_SQL = """
UPDATE {tbl} t SET sector = $label, industry_id = $id
FROM (SELECT DISTINCT person_key, snapshot_date FROM sector_change_rows
      WHERE change_id = $cid AND tbl = '{tbl}') r
WHERE t.person_key = r.person_key AND t.snapshot_date = r.snapshot_date
"""
_LAST_CHANGE_SQL = """
SELECT change_id, sector_key, sector_text, old_industry_id, new_industry_id FROM sector_changes
WHERE undone_at IS NULL ORDER BY change_id DESC LIMIT 1
"""
_RESTORE_SQL = """
UPDATE {tbl} t SET sector = r.sector, industry_id = r.industry_id
FROM (SELECT * FROM sector_change_rows WHERE change_id = $cid AND tbl = '{tbl}') r
WHERE t.person_key = r.person_key AND t.snapshot_date = r.snapshot_date
  AND t.sector = $label AND t.industry_id IS NOT DISTINCT FROM $id
"""
_CHANGES_SQL = """
SELECT change_id, changed_at, sector_text, old_industry_id, new_industry_id, undone_at,
       (SELECT count(*) FROM sector_change_rows r WHERE r.change_id = c.change_id) AS rows
FROM sector_changes c ORDER BY change_id DESC
"""
#: The tables whose rows a mapping re-files (fixed names, never input).
_TABLES = ("scores", "scores_replaced")


@dataclass(frozen=True)
class SectorPreview:
    """One distinct sector text of an upload and what it will be stored as.

    text: the text as written (after validation's whitespace clean-up); rows: rows carrying
    it. industry_id / industry: the LinkedIn industry it is stored as (None: kept as
    written). how: which table matched ("label", "former", "translation", "override").
    suggestions: (id, label, similarity 0–1) of the three closest industries, when unmatched.
    """

    text: str
    rows: int
    industry_id: int | None
    industry: str | None
    how: str | None
    suggestions: tuple[tuple[int, str, float], ...] = ()

    @property
    def stored_as(self) -> str:
        """What the row's sector will read: the industry's label, else the text itself."""
        return self.industry if self.industry is not None else self.text

    @property
    def display(self) -> str:
        """One line for the preview: "text → Industry (translation)" or the not-matched note."""
        if self.industry is None:
            close = ", ".join(label for _, label, _ in self.suggestions)
            return f"{self.text}: {NOT_AN_INDUSTRY} (closest: {close})"
        if self.industry == self.text:
            return f"{self.text}: a LinkedIn industry"
        return f"{self.text} → {self.industry} ({self.how})"

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "rows": self.rows,
            "industry_id": self.industry_id,
            "industry": self.industry,
            "how": self.how,
            "stored_as": self.stored_as,
            "display": self.display,
            "suggestions": [
                {"industry_id": i, "industry": label, "similarity": sim}
                for i, label, sim in self.suggestions
            ],
        }


@dataclass(frozen=True)
class SectorChange:
    """One remembered mapping change: text → industry, the rows it re-filed, whether undone."""

    change_id: int
    text: str
    old_industry_id: int | None
    new_industry_id: int
    rows_refiled: int
    changed_at: dt.datetime | None = None
    undone_at: dt.datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        old = self.old_industry_id
        return {
            "change_id": self.change_id,
            "text": self.text,
            "old_industry_id": old,
            "old_industry": None if old is None else industries.get(old).label,
            "new_industry_id": self.new_industry_id,
            "new_industry": industries.get(self.new_industry_id).label,
            "rows_refiled": self.rows_refiled,
            "changed_at": None if self.changed_at is None else self.changed_at.isoformat(),
            "undone_at": None if self.undone_at is None else self.undone_at.isoformat(),
        }


def audit_object(change: SectorChange) -> str:
    """The audit log's object for ``change``: its id and the old and new industry (ids and
    labels, see :func:`ssi_bench.audit.sector_change_object`); never the sector text."""
    old = change.old_industry_id
    new = industries.get(change.new_industry_id)
    return sector_change_object(
        change.change_id,
        None if old is None else (old, industries.get(old).label),
        (new.id, new.label),
    )


def overrides(store: Store) -> dict[str, int]:
    """The admin's remembered choices: normalised sector text → industry id."""
    with store.cursor() as cur:
        return {str(k): int(v) for k, v in cur.execute(_OVERRIDES_SQL).fetchall()}


def _match_texts(
    texts: list[str], remembered: dict[str, int]
) -> dict[str, industries.IndustryMatch]:
    return {t: industries.match(t, overrides=remembered) for t in texts}


def preview(rows: pd.DataFrame, store: Store) -> list[SectorPreview]:
    """Per distinct sector of validated ``rows`` (column ``sector``): what it is stored as.

    Sorted by text; rows without a sector are left out. Nothing is written.
    """
    if "sector" not in rows.columns or rows.empty:
        return []
    counts = rows["sector"].dropna().astype(str).value_counts()
    matched = _match_texts(sorted(counts.index), overrides(store))
    out = []
    for text, m in matched.items():
        sug = tuple((s.industry.id, s.industry.label, s.similarity) for s in m.suggestions)
        ind = m.industry
        out.append(
            SectorPreview(
                text,
                int(counts[text]),
                None if ind is None else ind.id,
                None if ind is None else ind.label,
                m.how,
                sug,
            )
        )
    return out


def file_rows(rows: pd.DataFrame, store: Store) -> tuple[pd.DataFrame, list[SectorPreview]]:
    """``rows`` (pseudonymised, column ``sector``) with matched sectors replaced by their
    industry's canonical label and an ``industry_id`` column (NULL where kept as written);
    and the per-text report (as :func:`preview`). The frame is modified in place and
    returned; one match per distinct text, so a million rows cost one pass of ``map``.
    """
    report = preview(rows, store)
    if not report:
        rows["industry_id"] = pd.Series(pd.NA, index=rows.index, dtype="Int64")
        return rows, report
    label = {p.text: p.stored_as for p in report}
    ident = {p.text: p.industry_id for p in report if p.industry_id is not None}
    text = rows["sector"]
    rows["industry_id"] = text.map(ident).astype("Int64")
    rows["sector"] = text.map(label).where(text.notna(), text).astype(text.dtype)
    return rows, report


def resolve(industry: int | str) -> industries.Industry:
    """An industry named by id (``4``, ``"4"``) or by its label or any alias.

    Raises NotFoundError naming the three closest industries when the text names none.
    """
    if isinstance(industry, int) or str(industry).strip().lstrip("-").isdigit():
        return industries.get(int(industry))
    m = industries.match(str(industry))
    if m.industry is None:
        close = "; ".join(f"{s.industry.id} {s.industry.label}" for s in m.suggestions)
        raise NotFoundError(f"{industry!r} is not a LinkedIn industry; closest: {close}")
    return m.industry


def map_sector(store: Store, text: str, industry: int | str) -> SectorChange:
    """Remember that sector ``text`` means ``industry`` (id or label) and re-file stored rows.

    In one transaction: the mapping is stored (replacing an earlier one for the same
    normalised text), the change is logged with the rows it re-files and their previous
    sector and industry, and those rows (see the module docstring) are set to the industry's
    label and id. Raises SSIBenchError for an empty text, NotFoundError for an unknown
    industry. Mapping a text to the industry it already maps to is a change re-filing
    whatever still differs (often nothing).
    """
    key = industries.normalise(text)
    if not key:
        raise SSIBenchError("give the sector text to map (it has no letters or digits)")
    target = resolve(industry)
    if target.synthetic:
        raise NotFoundError(f"industry {target.id} is not one of LinkedIn's industries")
    with store.transaction() as cur:
        old = cur.execute(_OLD_MAP_SQL, {"key": key}).fetchone()
        cur.execute(_UPSERT_MAP_SQL, {"key": key, "text": text.strip(), "id": target.id})
        got = cur.execute(
            _NEW_CHANGE_SQL,
            {
                "key": key,
                "text": text.strip(),
                "old": None if old is None else old[0],
                "new": target.id,
            },
        ).fetchone()
        assert got is not None
        cid = int(got[0])
        refiled = 0
        for tbl in _TABLES:
            # The stored texts that normalise to the key (few distinct texts: done here).
            texts = [
                str(r[0])
                for r in cur.execute(_DISTINCT_SQL.format(tbl=tbl)).fetchall()
                if industries.normalise(str(r[0])) == key
            ]
            # No earlier mapping: no row was re-filed under this text (0 is no industry id).
            previous = int(old[0]) if old is not None else 0
            cur.execute(
                "CREATE OR REPLACE TEMP TABLE picked AS " + _EARLIER_SQL.format(tbl=tbl),
                {"key": key, "old": previous},
            )
            before = _rows_logged(cur, cid)
            cur.execute(
                _LOG_ROWS_SQL.format(tbl=tbl),
                {"cid": cid, "texts": texts, "label": target.label, "id": target.id},
            )
            refiled += _rows_logged(cur, cid) - before
            cur.execute(
                _REFILE_SQL.format(tbl=tbl), {"cid": cid, "label": target.label, "id": target.id}
            )
            cur.execute("DROP TABLE picked")
    change = SectorChange(
        cid, text.strip(), None if old is None else int(old[0]), target.id, refiled
    )
    return change


def _rows_logged(cur: Any, cid: int) -> int:
    got = cur.execute(
        "SELECT count(*) FROM sector_change_rows WHERE change_id = $cid", {"cid": cid}
    ).fetchone()
    return int(got[0]) if got else 0


def undo(store: Store) -> SectorChange:
    """Undo the latest mapping change not yet undone, in one transaction.

    The rows it re-filed get back the sector and industry they had, where they still carry
    what the change gave them (a row changed since by an upload keeps the upload's value);
    the mapping goes back to what it was (removed when there was none). Returns the change
    undone. Raises NotFoundError when there is nothing to undo.
    """
    with store.transaction() as cur:
        row = cur.execute(_LAST_CHANGE_SQL).fetchone()
        if row is None:
            raise NotFoundError("There is no sector mapping change to undo.")
        cid, key, text, old_id, new_id = row
        label = industries.get(int(new_id)).label
        rows = _rows_logged(cur, int(cid))
        for tbl in _TABLES:
            cur.execute(_RESTORE_SQL.format(tbl=tbl), {"cid": cid, "label": label, "id": new_id})
        if old_id is None:
            cur.execute("DELETE FROM sector_map WHERE sector_key = $key", {"key": key})
        else:
            cur.execute(_UPSERT_MAP_SQL, {"key": key, "text": text, "id": old_id})
        cur.execute(
            "UPDATE sector_changes SET undone_at = now()::TIMESTAMP WHERE change_id = $cid",
            {"cid": cid},
        )
    change = SectorChange(
        int(cid), str(text), None if old_id is None else int(old_id), int(new_id), rows
    )
    return change


@dataclass(frozen=True)
class StoredSector:
    """A sector as stored: its text, industry (None: kept as written), rows and people, and
    the industry the admin mapped it to (None: no remembered choice)."""

    sector: str
    industry_id: int | None
    rows: int
    people: int
    mapped_to: int | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "sector": self.sector,
            "industry_id": self.industry_id,
            "linkedin_industry": self.industry_id is not None,
            "rows": self.rows,
            "people": self.people,
            "mapped_to": self.mapped_to,
        }


def stored(store: Store) -> list[StoredSector]:
    """Every stored sector text with its industry and size, and the remembered mappings."""
    remembered = overrides(store)
    with store.cursor() as cur:
        got = cur.execute(_STORED_SECTORS_SQL).fetchall()
    return [
        StoredSector(
            str(s),
            None if i is None else int(i),
            int(r),
            int(p),
            remembered.get(industries.normalise(str(s))),
        )
        for s, i, r, p in got
    ]


def mappings(store: Store) -> list[dict[str, Any]]:
    """The remembered choices: text, industry id and label, when chosen."""
    with store.cursor() as cur:
        got = cur.execute(_MAP_ROWS_SQL).fetchall()
    return [
        {
            "text": t,
            "industry_id": int(i),
            "industry": industries.get(int(i)).label,
            "chosen_at": c.isoformat() if c is not None else None,
        }
        for _k, t, i, c in got
    ]


def changes(store: Store) -> list[SectorChange]:
    """Every mapping change, newest first (undone ones with ``undone_at``)."""
    with store.cursor() as cur:
        got = cur.execute(_CHANGES_SQL).fetchall()
    return [
        SectorChange(int(c), str(t), None if o is None else int(o), int(n), int(r), at, u)
        for c, at, t, o, n, u, r in got
    ]


# ---------------------------------------------------------------------- LinkedIn-wide curves
def curve_to_json(curve: Any) -> str:
    """A fitted :class:`~ssi_bench.linkedin_industry.IndustryCurve` as JSON: its 6
    parameters, captures, score range, rms and the bootstrap spread on the fixed score grid
    (what ``top_percent`` needs for its ±). Never the captured pairs."""
    import json

    return json.dumps(
        {
            "params": list(curve.params),
            "captures": curve.captures,
            "score_range": list(curve.score_range),
            "rms": curve.rms,
            "boot_sd": [round(float(v), 6) for v in curve._boot_sd],
        }
    )


def curve_from_json(text: str) -> Any:
    """Inverse of :func:`curve_to_json`. Raises ValueError on text it did not write."""
    import json

    import numpy as np

    from ssi_bench.linkedin_industry import IndustryCurve

    d = json.loads(text)
    return IndustryCurve(
        captures=int(d["captures"]),
        score_range=(float(d["score_range"][0]), float(d["score_range"][1])),
        rms=float(d["rms"]),
        params=tuple(float(p) for p in d["params"]),
        _boot_sd=np.asarray(d["boot_sd"], dtype=float),
    )


def linkedin_sentence(
    industry: str,
    top_percent: int,
    plus_minus: int,
    captures: int,
    curve_date: dt.date | None = None,
) -> str:
    """The sentence every surface shows for a LinkedIn-wide standing; ``curve_date``: the
    date a stale curve was fitted on (the captures changed since by fewer than k people, so
    it was not refitted), named in the sentence."""
    since = "" if curve_date is None else f" as of {curve_date.isoformat()}"
    return (
        f"LinkedIn-wide: about Top {top_percent}% of sales professionals in {industry} "
        f"(from {captures} captured ranks{since}, ±{plus_minus})"
    )


def linkedin_standing(
    industry: str,
    curve: Any,
    score: float,
    avg_ssi: float | None = None,
    curve_date: dt.date | None = None,
) -> dict[str, Any]:
    """A score's estimated LinkedIn-wide industry rank from a fitted curve, as JSON.

    ``top_percent``: whole percent, at least 1 (LinkedIn's floor, "Top 1%"); ``plus_minus``:
    the ~95% half-width rounded up to a whole point; ``captures``: people the curve was
    fitted from; ``industry_avg_ssi``: the mean of LinkedIn's reported industry average
    (None when not captured from k people); ``curve_date``: ISO date a stale curve was fitted
    on, else None; ``display``: :func:`linkedin_sentence`.
    """
    import math

    est, pm = curve.top_percent(float(score))
    top = max(1, round(est))
    plus = max(1, math.ceil(pm))
    return {
        "industry": industry,
        "top_percent": top,
        "plus_minus": plus,
        "captures": int(curve.captures),
        "industry_avg_ssi": avg_ssi,
        "curve_date": None if curve_date is None else curve_date.isoformat(),
        "display": linkedin_sentence(industry, top, plus, int(curve.captures), curve_date),
    }


def match_industry(text: str, store: Store) -> industries.Industry | None:
    """The industry a typed sector text names (the admin's mappings first), or None."""
    found = industries.match(text, overrides=overrides(store)).industry
    return None if found is None or found.synthetic else found
