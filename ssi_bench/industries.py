"""LinkedIn's industry taxonomy (Industry Codes V2): the table, its hierarchy, and matching.

The table ships as package data (``ssi_bench/data/linkedin_industry_codes_v2.tsv``, source in
``ssi_bench/data/README.md``) and is read once per process (:func:`taxonomy` is cached).
Aliases — LinkedIn's former V1 names and its interface labels in Dutch, German, French,
Italian, Spanish and Portuguese — live in one file beside it,
``ssi_bench/data/industry_aliases.tsv``.

The hierarchy column names its levels by LABEL (``"Technology, Information and Media >
Technology, Information and Internet > Software Development"``), and the labels it uses do
not always equal the rows' own labels: "Media and Telecommunications" names the row labelled
"Media & Telecommunications", some levels are glued (``"Advertising Services> Market
Research"``) or empty (``"… Manufacturing > > Breweries"``). Levels are therefore split on
``>`` with blanks dropped, and an ancestor level is found by its normalised label (see
:func:`normalise`, which folds ``&``/``and``), then by a looser key that also ignores a plural
``s``. A level that names no row at all still becomes a node: a *synthetic group* with a
negative id (``-1``, ``-2``, … in order of first appearance in the table), its label as the
hierarchy writes it, and its own parent chain, so every industry below it keeps a complete
chain. The shipped table has no such level (``tests/test_industries.py`` checks it), so the
negative ids only guard against a future table.

Matching (:func:`match`) ignores case, accents, punctuation, extra spaces and the word "and"
in the seven languages (``&``, and, en, und, et, e, ed, y); in that order of precedence it
tries the admin's overrides, the V2 labels, the former V1 names, then the translations.
"""

from __future__ import annotations

import csv
import difflib
import functools
import io
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Literal

from ssi_bench.errors import NotFoundError

MatchKind = Literal["label", "former", "translation", "override"]
TABLE_FILE = "linkedin_industry_codes_v2.tsv"
ALIAS_FILE = "industry_aliases.tsv"
LANGUAGES: tuple[str, ...] = ("en", "nl", "de", "fr", "it", "es", "pt")

#: The word "and" in the languages of the alias table, dropped when matching ("&" is
#: punctuation and goes anyway). "e"/"ed" are Italian and Portuguese, "y" Spanish.
CONNECTIVES = frozenset({"and", "en", "und", "et", "e", "ed", "y"})


def normalise(text: str) -> str:
    """Industry text reduced to what identifies it: words, case-folded, accents stripped.

    Unicode NFKD removes accents (``"Financiële"`` → ``"financiele"``), case folding turns
    ``ß`` into ``ss``; every run of non-letters/digits is a word break, so punctuation,
    ``&`` and extra spaces vanish; the connective "and" of the seven languages
    (:data:`CONNECTIVES`, or ``&``) is dropped; the one-letter ones only between spaces (the
    "e" of "E-Learning" is kept). Words are joined by single spaces:
    ``" Hospital  &  Health-Care "`` → ``"hospital health care"``. Never raises; text with no
    letters gives ``""``.
    """
    decomposed = unicodedata.normalize("NFKD", str(text).casefold().replace("&", " and "))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    # One-letter connectives ("e", "y") only count as a word of their own between spaces,
    # so the "e" of "E-Learning" stays; "and"-like words go wherever they are.
    spaced = [w for w in plain.split() if re.sub(r"[\W_]+", "", w) not in CONNECTIVES]
    words = re.split(r"[\W_]+", " ".join(spaced))
    return " ".join(w for w in words if w and (len(w) == 1 or w not in CONNECTIVES))


def _key(text: str) -> str:
    """The exact-match key: :func:`normalise` without the spaces ("E-Learning" = "ELearning")."""
    return normalise(text).replace(" ", "")


def _loose_key(text: str) -> str:
    """A key that also ignores a plural s, for resolving hierarchy levels only."""
    return "".join(w[:-1] if w.endswith("s") and len(w) > 3 else w for w in normalise(text).split())


@dataclass(frozen=True)
class Industry:
    """One node of the taxonomy.

    id: LinkedIn's industry id (negative for a synthetic group, see the module docstring).
    label: LinkedIn's English (canonical) label. parent_id: the next level up, or None for
    one of the top-level groups. level: depth, 1 = top-level group. path: the labels from the
    top-level group down to this one (``path[-1] == label``).
    """

    id: int
    label: str
    parent_id: int | None
    level: int
    path: tuple[str, ...]

    @property
    def synthetic(self) -> bool:
        """True for a group the hierarchy names but the table has no row for."""
        return self.id < 0


@dataclass(frozen=True)
class Suggestion:
    """A close industry for text that matched none; similarity in [0, 1], 1 = identical."""

    industry: Industry
    similarity: float


@dataclass(frozen=True)
class IndustryMatch:
    """What :func:`match` found for one text.

    industry: the matched industry, or None. how: which table matched ("label", "former",
    "translation", "override"), None when unmatched. matched_as: the label or alias text that
    matched (None when unmatched or by override). suggestions: the three closest industries
    when unmatched, best first; empty when matched.
    """

    text: str
    industry: Industry | None
    how: MatchKind | None
    matched_as: str | None = None
    suggestions: tuple[Suggestion, ...] = ()


@dataclass(frozen=True)
class Alias:
    """One row of the alias file."""

    industry_id: int
    kind: Literal["former", "translation"]
    language: str
    alias: str


class Taxonomy:
    """The industry table with its hierarchy and match keys. Use :func:`taxonomy`.

    Raises ValueError on construction when the table or the alias file is inconsistent
    (an alias naming an unknown id, one key naming two industries): shipped data is checked
    by the tests, so this only fires on a hand-edited file.
    """

    def __init__(self, rows: Iterable[tuple[int, str, str]], aliases: Iterable[Alias] = ()):
        rows = list(rows)
        by_key: dict[str, int] = {}
        by_loose: dict[str, int] = {}
        for industry_id, label, _ in rows:
            for table, k in ((by_key, _key(label)), (by_loose, _loose_key(label))):
                if table.get(k, industry_id) != industry_id:
                    raise ValueError(f"two industries normalise to {k!r}")
                table[k] = industry_id
        labels = {industry_id: label for industry_id, label, _ in rows}
        synthetic: dict[str, int] = {}  # loose key of a level no row carries -> negative id
        synthetic_label: dict[int, str] = {}
        self._parent: dict[int, int | None] = {}

        def node(level_text: str) -> int:
            found = by_key.get(_key(level_text), by_loose.get(_loose_key(level_text)))
            if found is not None:
                return found
            loose = _loose_key(level_text)
            if loose not in synthetic:
                synthetic[loose] = -(len(synthetic) + 1)
                synthetic_label[synthetic[loose]] = level_text.strip()
            return synthetic[loose]

        for industry_id, _, hierarchy in rows:
            levels = [p.strip() for p in hierarchy.split(">") if p.strip()]
            # The last level is the row itself (its label may differ slightly: "Climate
            # Technology Products Manufacturing" for 3251), so only the levels above it are
            # looked up by label.
            chain = [node(p) for p in levels[:-1]] + [industry_id]
            for parent, child in zip([None, *chain[:-1]], chain, strict=True):
                if self._parent.get(child, parent) != parent:
                    raise ValueError(f"industry {child} has two parents in the hierarchy")
                self._parent[child] = parent
        for industry_id in labels:
            self._parent.setdefault(industry_id, None)
        labels.update(synthetic_label)
        self._by_id: dict[int, Industry] = {}
        for industry_id in self._parent:
            self._by_id[industry_id] = self._build(industry_id, labels)
        self._children: dict[int, list[int]] = {i: [] for i in self._by_id}
        for industry_id, parent in self._parent.items():
            if parent is not None:
                self._children[parent].append(industry_id)
        for kids in self._children.values():
            kids.sort(key=lambda i: self._by_id[i].label)

        self._keys: dict[str, tuple[int, MatchKind, str]] = {
            _key(label): (i, "label", label) for i, label in labels.items() if i > 0
        }
        self._aliases = list(aliases)
        for a in self._aliases:
            if a.industry_id not in self._by_id or a.industry_id < 0:
                raise ValueError(f"alias {a.alias!r} names unknown industry {a.industry_id}")
            k = _key(a.alias)
            if k in self._keys and self._keys[k][0] != a.industry_id:
                raise ValueError(
                    f"alias {a.alias!r} names {a.industry_id} but matches {self._keys[k][0]}"
                )
            # Labels win over aliases, former names over translations (first one kept).
            self._keys.setdefault(k, (a.industry_id, a.kind, a.alias))
        # Every text a suggestion can be judged against: labels and aliases.
        self._candidates: list[tuple[str, int]] = [
            (normalise(text), i) for i, _, text in self._keys.values()
        ]

    def _build(self, industry_id: int, labels: Mapping[int, str]) -> Industry:
        path: list[str] = []
        cur: int | None = industry_id
        while cur is not None:
            path.append(labels[cur])
            cur = self._parent[cur]
        return Industry(
            id=industry_id,
            label=labels[industry_id],
            parent_id=self._parent[industry_id],
            level=len(path),
            path=tuple(reversed(path)),
        )

    # ------------------------------------------------------------------ lookups
    @property
    def aliases(self) -> list[Alias]:
        """The alias rows as read (a copy)."""
        return list(self._aliases)

    def all(self) -> list[Industry]:
        """Every node, real and synthetic, sorted by id (synthetic, negative ids first)."""
        return [self._by_id[i] for i in sorted(self._by_id)]

    def get(self, industry_id: int) -> Industry:
        """The industry with this id. Raises NotFoundError for an unknown id."""
        try:
            return self._by_id[int(industry_id)]
        except (KeyError, ValueError, TypeError):
            raise NotFoundError(f"no LinkedIn industry has id {industry_id!r}") from None

    def ancestors(self, industry_id: int) -> list[Industry]:
        """The levels above an industry, nearest first (empty for a top-level group).

        Raises NotFoundError for an unknown id.
        """
        out: list[Industry] = []
        parent = self.get(industry_id).parent_id
        while parent is not None:
            out.append(self._by_id[parent])
            parent = self._by_id[parent].parent_id
        return out

    def children(self, industry_id: int) -> list[Industry]:
        """The industries one level below, by label. Raises NotFoundError for an unknown id."""
        self.get(industry_id)
        return [self._by_id[i] for i in self._children[int(industry_id)]]

    def descendants(self, industry_id: int) -> list[Industry]:
        """Every industry below this one (not itself), depth first, siblings by label.

        A group's cohort is the people of the group itself plus all of these.
        Raises NotFoundError for an unknown id.
        """
        out: list[Industry] = []
        stack = list(reversed(self.children(industry_id)))
        while stack:
            cur = stack.pop()
            out.append(cur)
            stack.extend(reversed([self._by_id[i] for i in self._children[cur.id]]))
        return out

    # ------------------------------------------------------------------ matching
    def match(self, text: str, overrides: Mapping[str, int] | None = None) -> IndustryMatch:
        """The industry a sector text names; see :func:`match`."""
        key = _key(text)
        for raw, industry_id in (overrides or {}).items():
            if _key(raw) == key and key:
                return IndustryMatch(text, self.get(industry_id), "override")
        if key in self._keys:
            industry_id, how, matched_as = self._keys[key]
            return IndustryMatch(text, self._by_id[industry_id], how, matched_as)
        return IndustryMatch(text, None, None, None, self.suggest(text))

    def suggest(self, text: str, count: int = 3) -> tuple[Suggestion, ...]:
        """The ``count`` industries closest to a text, best first (ties by label).

        Similarity of two normalised texts is the larger of difflib's character ratio
        (2·matches / total length: forgives typos and missing letters, "Sofware Developmnt")
        and the Jaccard overlap of their word sets (forgives word order and extra words,
        "Development of software"), each in [0, 1]. An industry scores its best over its
        label and all its aliases, so a misspelt Dutch label still finds the industry. Empty
        or letterless text scores 0 everywhere and gets the first industries by label.
        """
        norm = normalise(text)
        words = set(norm.split())
        best: dict[int, float] = {}
        for candidate, industry_id in self._candidates:
            ratio = difflib.SequenceMatcher(None, norm, candidate, autojunk=False).ratio()
            cwords = set(candidate.split())
            union = words | cwords
            jaccard = len(words & cwords) / len(union) if union else 0.0
            score = max(ratio, jaccard)
            if score > best.get(industry_id, -1.0):
                best[industry_id] = score
        ranked = sorted(best.items(), key=lambda kv: (-kv[1], self._by_id[kv[0]].label))
        return tuple(Suggestion(self._by_id[i], round(s, 4)) for i, s in ranked[:count])


def _read_data(name: str) -> str:
    return resources.files("ssi_bench").joinpath("data", name).read_text(encoding="utf-8")


def _rows(text: str) -> list[tuple[int, str, str]]:
    reader = csv.DictReader(io.StringIO(text), delimiter="\t")
    return [(int(r["industry_id"]), r["label"], r["hierarchy"]) for r in reader]


def _aliases(text: str) -> list[Alias]:
    reader = csv.DictReader(io.StringIO(text), delimiter="\t")
    out: list[Alias] = []
    for r in reader:
        kind = r["kind"]
        if kind not in ("former", "translation"):
            raise ValueError(f"alias kind {kind!r} is neither 'former' nor 'translation'")
        out.append(Alias(int(r["industry_id"]), kind, r["language"], r["alias"]))  # type: ignore[arg-type]
    return out


@functools.cache
def taxonomy() -> Taxonomy:
    """The shipped taxonomy, read from package data once per process.

    Cached because every upload preview matches each of its sectors and the table never
    changes while the process runs (it is package data, not user data).
    """
    return Taxonomy(_rows(_read_data(TABLE_FILE)), _aliases(_read_data(ALIAS_FILE)))


# Module-level shorthands on the shipped taxonomy.
def get(industry_id: int) -> Industry:
    """The industry with this id. Raises NotFoundError for an unknown id."""
    return taxonomy().get(industry_id)


def ancestors(industry_id: int) -> list[Industry]:
    """The levels above an industry, nearest first. Raises NotFoundError for an unknown id."""
    return taxonomy().ancestors(industry_id)


def children(industry_id: int) -> list[Industry]:
    """The industries one level below, by label. Raises NotFoundError for an unknown id."""
    return taxonomy().children(industry_id)


def descendants(industry_id: int) -> list[Industry]:
    """Every industry below this one, depth first. Raises NotFoundError for an unknown id."""
    return taxonomy().descendants(industry_id)


def match(text: str, overrides: Mapping[str, int] | None = None) -> IndustryMatch:
    """The LinkedIn industry a sector text names, or the three closest when it names none.

    Order: ``overrides`` (the admin's remembered choices: text → industry id; keys are
    normalised here too, so raw or normalised text both work), then LinkedIn's V2 labels,
    its former V1 names, then its localised labels. Case, accents, punctuation, ``&``/"and"
    (in the seven languages) and spacing are ignored: ``"hospital & health-care"`` matches
    the former name "Hospital & Health Care" of 14 Hospitals and Health Care.
    Unmatched text gets ``suggestions`` (see :meth:`Taxonomy.suggest`).
    Raises NotFoundError when an override that applies names an unknown id.
    """
    return taxonomy().match(text, overrides)
