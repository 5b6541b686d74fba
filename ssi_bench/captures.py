"""What people already capture: long scraper files, LinkedIn's JSON, a pasted SSI page.

The reader hands decoded text here first: :func:`detect` says whether the text is one of
these layouts and :func:`read` turns it into the usual :class:`ReadResult` — canonical
columns holding the raw text LinkedIn showed ("20,998", "53 de 100", "Primeiros 10%"),
which ``validate`` then parses like any other file. These captures are personal: they carry
no person and no sector; those come from the upload form (``--person`` / ``--sector``).

Supported:
- long ("tidy") captures, one metric per row (e.g. a pt-BR scraper's
  ``data_referencia;hora_referencia;secao;campo;valor_original;…``): per date and time the
  total, the four pillars (from the person's own section, never from the industry's or
  network's), LinkedIn's industry/network rank and the industry/network averages (total
  and per pillar). A capture missing its total or a pillar is refused with the whole file,
  naming the date and what is missing;
- the JSON behind LinkedIn's SSI page (``memberScore`` / ``groupScore``), bare or wrapped
  by an API vendor, one capture or an array of dated captures, the page's donut values and
  the flat shapes other trackers store; numbers pass through with the precision written;
- a copy-paste of the SSI page (English titles; pillar titles of the other languages in
  the alias table are recognised too).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from decimal import Decimal
from typing import Any

import pandas as pd

from ssi_bench.errors import IngestError
from ssi_bench.fields import (
    IDENTIFIERS,
    LINKEDIN_AVERAGES,
    METRICS,
    PILLARS,
    RANKS,
    match_header,
)
from ssi_bench.fields import normalise_header as _norm
from ssi_bench.model import ReadResult

# ----------------------------------------------------------------------------- labels
#: Columns of a long capture, by role (normalised header names, Portuguese and English).
_LONG_COLUMNS: dict[str, tuple[str, ...]] = {
    "date": ("datareferencia", "date", "data", "datum", "snapshotdate", "fecha", "day", "dia"),
    "time": ("horareferencia", "time", "hora", "capturedat", "hour", "horario", "zeit"),
    "section": ("secao", "section", "seccao", "bloco", "block", "seccion", "abschnitt"),
    "field": ("campo", "field", "metric", "metrica", "label", "item", "indicador", "kennzahl"),
    "value": ("valororiginal", "value", "valor", "shown", "text", "displayedvalue", "wert"),
    "numeric": ("valornumerico", "numericvalue", "number", "numeric", "valuenumeric"),
}
#: Labels of the person's total.
_TOTAL_LABELS = {
    "socialsellingindexatual",
    "socialsellingindex",
    "ssi",
    "ssiatual",
    "currentsocialsellingindex",
    "yoursocialsellingindex",
    "seusocialsellingindex",
    "pontuacaossi",
    "ssiscore",
    "totalscore",
}
_RANK_LABELS = {
    "classificacaossidosetor": "industry_rank",
    "posicaonosetor": "industry_rank",
    "industryssirank": "industry_rank",
    "industryrank": "industry_rank",
    "classificacaossidarede": "network_rank",
    "posicaonarede": "network_rank",
    "networkssirank": "network_rank",
    "networkrank": "network_rank",
}
_AVERAGE_LABELS = {
    "ssimediodosetor": "industry_avg_ssi",
    "industryaveragessi": "industry_avg_ssi",
    "averagessiofindustry": "industry_avg_ssi",
    "industryssiaverage": "industry_avg_ssi",
    "ssimediodarede": "network_avg_ssi",
    "networkaveragessi": "network_avg_ssi",
    "averagessiofnetwork": "network_avg_ssi",
    "networkssiaverage": "network_avg_ssi",
}
#: Headers that make a file wide whatever else it holds: scores and person identifiers.
_WIDE_FIELDS = frozenset((*METRICS, *RANKS, *LINKEDIN_AVERAGES, *IDENTIFIERS, "person"))
_INDUSTRY_HINTS = ("setor", "industry", "sector", "branche", "industri", "secteur", "settore")
_NETWORK_HINTS = ("rede", "network", "netwerk", "netzwerk", "reseau")
_BENCHMARK_HINTS = ("benchmark", "medio", "media", "average", "comparacao", "comparison")
_AVERAGE_WORDS = ("medio", "media", "average", "avg", "durchschnitt", "moyen", "gemiddeld")
_RANK_WORDS = ("classificacao", "posicao", "rank", "ranking", "rang", "position", "classement")

#: Text LinkedIn shows for a score ("53", "20,998", "53 de 100") and for a rank ("Top 5%").
_SHOWN_SCORE = re.compile(
    r"^\d+(?:[.,]\d+)?\s*(?:(?:/|de|of|out of|von|sur|van|di|su|sobre|на|из|av|af|z)\s*100)?$",
    re.IGNORECASE,
)
_SHOWN_RANK = re.compile(r"^[^\d+\-]*\d+(?:[.,]\d+)?\s*%?[^\d]*$")

_JSON_PILLARS = {
    "PROFESSIONAL_BRAND": "brand",
    "FIND_RIGHT_PEOPLE": "people",
    "INSIGHT_ENGAGEMENT": "insights",
    "STRONG_RELATIONSHIP": "relationships",
}
#: Flat keys of other trackers (normalised), first match wins.
_JSON_KEYS: dict[str, tuple[str, ...]] = {
    "ssi": ("overall", "total", "ssi", "ssioverallscore", "score", "ssiscore", "totalscore"),
    "brand": ("establishbrand", "establishyourprofessionalbrand", "profbrand", "brand",
              "professionalbrand"),
    "people": ("findrightpeople", "findtherightpeople", "people"),
    "insights": ("engagewithinsights", "insightengagement", "insights"),
    "relationships": ("buildrelationships", "relationship", "relationships",
                      "strongrelationship"),
    "industry_rank": ("industrytop", "industryrank", "industryssirank"),
    "network_rank": ("networktop", "networkrank", "networkssirank"),
    "industry_avg_ssi": ("industryssi", "industryaverage", "industryavgssi"),
    "network_avg_ssi": ("networkssi", "networkaverage", "networkavgssi"),
}  # fmt: skip
_JSON_DATE_KEYS = ("date", "snapshotdate", "day", "datareferencia")
_JSON_TIME_KEYS = ("capturedat", "timestamp", "scrapedat", "createdat", "time")
_JSON_WRAPPERS = ("data", "payload", "ssi", "result", "parsed", "response", "body")
#: Keys that are bookkeeping of the tools, not figures: never listed as "not used".
_JSON_META = {"object", "actiontype", "label", "success", "activeseat", "status", "id", "type"}

#: The four English pillar titles on LinkedIn's SSI page.
_PASTE_TITLES = {
    "establish your professional brand": "brand",
    "find the right people": "people",
    "engage with insights": "insights",
    "build relationships": "relationships",
}
_NUMBER = r"(\d+(?:[.,]\d+)?)"
_NUMBER_LINE = re.compile(rf"^{_NUMBER}$")
#: "out of 100" in the languages LinkedIn speaks ("53 de 100", "53/100").
_OF_100 = r"(?:/|de|of|out of|von|sur|van|di|su|sobre|на|из|av|af|z)\s*100\b"
_PASTE_RANKS = {"industryssirank": "industry_rank", "networkssirank": "network_rank"}


# ----------------------------------------------------------------------------- detect
def detect(text: str, file_name: str = "") -> str | None:
    """ "long", "json" or "paste" when ``text`` is one of these layouts, else None.

    Cheap: looks at the first and last characters, the header line, and the first lines
    for the SSI page's pillar titles. Ordinary wide CSVs, including tracker history
    exports such as ``Date,CapturedAt,Total,Brand,…``, are left to the normal reader.
    """
    head = text.lstrip("\ufeff \t\r\n")
    if not head:
        return None
    if head[0] in "{[":
        tail = head.rstrip()[-1:]
        if (head[0], tail) in (("{", "}"), ("[", "]")) or file_name.lower().endswith(".json"):
            return "json"
        return None
    first = head.split("\n", 1)[0].rstrip("\r")
    if _long_header(first) is not None:
        return "long"
    if _looks_pasted(head):
        return "paste"
    return None


def _split_header(line: str) -> tuple[str, list[str]] | None:
    for sep in (";", "\t", ",", "|"):
        try:
            cells = next(csv.reader([line], delimiter=sep))
        except (csv.Error, StopIteration):
            continue
        if len(cells) >= 3:
            return sep, cells
    return None


def _long_header(line: str) -> tuple[str, dict[str, int], list[str]] | None:
    """(separator, column of each role, header cells) when ``line`` heads a long capture.

    A long capture has a date column, a field (metric label) column and a value column,
    plus a section column or a numeric-value column. A header naming a score itself
    (``Total``, ``Brand``, ``Industry SSI rank`` …) or a person (``email``, ``name`` …) is
    a wide file, never a long one.
    """
    split = _split_header(line)
    if split is None:
        return None
    sep, cells = split
    found: dict[str, int] = {}
    for i, cell in enumerate(cells):
        if match_header(cell) in _WIDE_FIELDS:
            return None
        n = _norm(cell)
        for role, names in _LONG_COLUMNS.items():
            if n in names and role not in found:
                found[role] = i
                break
    roles = set(found)
    if {"date", "field", "value"} <= roles and roles & {"section", "numeric"}:
        return sep, found, cells
    return None


def _looks_pasted(text: str) -> bool:
    lines = text[:20_000].split("\n", 200)[:200]
    first = lines[0].casefold()
    # A wide CSV whose header carries the titles is not a paste: its first line splits.
    if any(first.count(sep) >= 3 for sep in (",", ";", "\t", "|")):
        return False
    return len({f for ln in lines if (f := _pillar_title(ln)[0]) is not None}) >= 2


def read(text: str, layout: str, *, encoding: str = "utf-8") -> ReadResult:
    """Read a text that :func:`detect` recognised. Raises IngestError when unusable."""
    text = text.lstrip("\ufeff")
    if layout == "long":
        return _read_long(text, encoding)
    if layout == "json":
        return _read_json(text, encoding)
    if layout == "paste":
        return read_paste(text, encoding=encoding)
    raise IngestError(f"unknown capture layout {layout!r}")


# ----------------------------------------------------------------------------- long
def _group(text: str, *, benchmark: bool) -> str | None:
    """ "industry", "network" (or "benchmark" for an ungrouped comparison) named in ``text``."""
    n = _norm(text)
    if any(h in n for h in _INDUSTRY_HINTS):
        return "industry"
    if any(h in n for h in _NETWORK_HINTS):
        return "network"
    if benchmark and any(h in n for h in _BENCHMARK_HINTS):
        return "benchmark"
    return None


def _classify(section: str, label: str) -> str | None:
    """The canonical field of one long-layout row, or None when it is not one we keep.

    The person's total and pillars come only from sections that name no group (the SSI
    summary, "Os quatro componentes da sua pontuação", …); the same labels inside an
    industry or network section are that group's averages, inside an ungrouped benchmark
    section they are not used.
    """
    n = _norm(label)
    if n in _RANK_LABELS:
        return _RANK_LABELS[n]
    if n in _AVERAGE_LABELS:
        return _AVERAGE_LABELS[n]
    named = match_header(label)
    if named in RANKS or named in LINKEDIN_AVERAGES:
        return named
    group = _group(label, benchmark=False) or _group(section, benchmark=True)
    metric = "ssi" if n in _TOTAL_LABELS else named if named in METRICS else None
    if metric is None:
        if group in ("industry", "network"):
            if any(w in n for w in _AVERAGE_WORDS):
                return f"{group}_avg_ssi"
            if any(w in n for w in _RANK_WORDS):
                return f"{group}_rank"
        return None
    if group in ("industry", "network"):
        return f"{group}_avg_{metric}"
    if group == "benchmark":
        return None
    return metric


def _shown_value(field: str, original: str, numeric: str) -> str:
    """What the page showed when the validator can read it, else the numeric column."""
    pattern = _SHOWN_RANK if field in RANKS else _SHOWN_SCORE
    if original and (pattern.match(original) or not numeric):
        return original
    return numeric or original


def _records(text: str, sep: str) -> list[tuple[int, list[str]]]:
    """(first physical line, cells) of every record; line numbers survive quoted newlines."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    out: list[tuple[int, list[str]]] = []
    end = 0
    try:
        for cells in reader:
            out.append((end + 1, cells))
            end = reader.line_num
    except csv.Error as exc:
        raise IngestError(f"line {end + 1}: the long capture cannot be read: {exc}") from None
    return out


def _read_long(text: str, encoding: str) -> ReadResult:
    first = text.split("\n", 1)[0].rstrip("\r")
    header = _long_header(first)
    if header is None:
        raise IngestError("not a long (one metric per row) capture")
    sep, cols, header_cells = header
    captures: dict[tuple[str, str], dict[str, Any]] = {}
    sources: dict[tuple[str, str], dict[str, str]] = {}  # capture -> field -> label read
    unused: list[str] = []
    conflicts: list[str] = []
    mapping: dict[str, str] = {}
    for line, cells in _records(text, sep)[1:]:
        if not any(c.strip() for c in cells):
            continue

        def cell(role: str, cells: list[str] = cells) -> str:
            i = cols.get(role)
            return cells[i].strip() if i is not None and i < len(cells) else ""

        date, time, section, label = cell("date"), cell("time"), cell("section"), cell("field")
        field = _classify(section, label)
        if field is None:
            name = f"{section} › {label}" if section else label
            if name and name not in unused:
                unused.append(name)
            continue
        value = _shown_value(field, cell("value"), cell("numeric"))
        if not value:
            continue
        key = (date, time)
        capture = captures.setdefault(key, {"_line": line, "date": date})
        seen = sources.setdefault(key, {})
        if field in capture:  # the first row of a metric wins; a differing repeat is noted
            if capture[field] != value and _number(capture[field]) != _number(value):
                conflicts.append(
                    f"{date} {time}".strip()
                    + f": {label!r} shows {value!r} where {seen[field]!r} showed "
                    f"{capture[field]!r} (the first was kept)"
                )
            continue
        capture[field] = value
        seen[field] = label
        mapping.setdefault(field, f"{section} › {label}" if section else label)
    if not captures:
        raise IngestError(
            "the long capture holds no SSI figures (no total, pillar, rank or average); "
            "labels found: " + ("; ".join(unused[:8]) or "none")
        )
    per_date: dict[str, int] = {}
    for date, _time in captures:
        per_date[date] = per_date.get(date, 0) + 1
    rows = []
    for (date, time), capture in captures.items():
        if not date:
            raise IngestError(
                f"line {capture['_line']}: a row of the long capture has no date: the file "
                "was not imported"
            )
        missing = [m for m in METRICS if m not in capture]
        if missing:
            names = ", ".join("total" if m == "ssi" else m for m in missing)
            at = f" (the one captured at {time})" if per_date[date] > 1 and time else ""
            raise IngestError(
                f"the capture of {date} lacks {names}{at}: the file was not imported "
                "(each capture needs its total and all four pillars; nothing was half-imported)"
            )
        if time:
            capture["captured_at"] = f"{date} {time}"
            mapping.setdefault("captured_at", header_cells[cols["time"]])
        rows.append(capture)
    mapping.setdefault("date", header_cells[cols["date"]])
    dates = sorted(per_date)
    span = dates[0] if len(dates) == 1 else f"{dates[0]} to {dates[-1]}"
    notes = [
        f"long layout (one metric per row): {len(rows)} capture(s) of {len(dates)} date(s), {span}",
        "read per capture: " + _describe(mapping),
    ]
    if any(n > 1 for n in per_date.values()):
        notes.append("several captures of one date: the latest (by time) is kept")
    if unused:
        more = f" (+{len(unused) - 12} more)" if len(unused) > 12 else ""
        notes.append("not used: " + "; ".join(unused[:12]) + more)
    notes += conflicts[:5]
    comma = any(re.search(r"\d,\d", str(v)) for r in rows for k, v in r.items() if k != "date")
    used = {cols[r] for r in ("date", "time", "section", "field", "value", "numeric") if r in cols}
    ignored = [c for i, c in enumerate(header_cells) if i not in used and c.strip()]
    return _result(rows, mapping, encoding, sep, "," if comma else ".", "long", notes, ignored)


def _number(text: str) -> float | None:
    m = re.search(r"\d+(?:[.,]\d+)?", text)
    return float(m.group().replace(",", ".")) if m else None


def _describe(fields: dict[str, str] | set[str]) -> str:
    """ "total, 4 pillars, industry rank, …" for the canonical fields read."""
    have = set(fields)
    parts = []
    if "ssi" in have:
        parts.append("total")
    pillars = [p for p in PILLARS if p in have]
    if pillars:
        parts.append("4 pillars" if len(pillars) == 4 else "pillars " + ", ".join(pillars))
    for group in ("industry", "network"):
        if f"{group}_rank" in have:
            parts.append(f"{group} rank")
        avg = [m for m in METRICS if f"{group}_avg_{m}" in have]
        if avg == ["ssi"]:
            parts.append(f"{group} average SSI")
        elif avg:
            parts.append(
                f"{group} averages ({', '.join('total' if m == 'ssi' else m for m in avg)})"
            )
    return ", ".join(parts) or "nothing"


# ----------------------------------------------------------------------------- json
def _text(value: Any) -> str | None:
    """A JSON scalar as text with the precision it was written with; None for the rest."""
    if value is None or isinstance(value, dict | list | bool):
        return None
    if isinstance(value, Decimal):
        return format(value, "f") if value.is_finite() else None
    text = str(value).strip()
    return text or None


def _unwrap(obj: Any, path: str = "") -> tuple[Any, str]:
    """Strip vendor wrappers like {"object": …, "data": {…}} down to the SSI payload."""
    for _ in range(4):
        if not isinstance(obj, dict) or "memberScore" in obj or "current" in obj:
            return obj, path
        key = next(
            (k for k in obj if _norm(k) in _JSON_WRAPPERS and isinstance(obj[k], dict)), None
        )
        if key is None:
            return obj, path
        obj, path = obj[key], f"{path}{key}."
    return obj, path


def _when(obj: dict[str, Any]) -> tuple[str | None, str | None]:
    """(date, captured_at) from a capture's date / capturedAt / timestamp key."""
    date: str | None = None
    stamp: str | None = None
    for k, v in obj.items():
        n = _norm(k)
        if n in _JSON_DATE_KEYS and date is None:
            date = _text(v)
        elif n in _JSON_TIME_KEYS and stamp is None:
            stamp = _text(v)
    for text in (date, stamp):
        if text and re.fullmatch(r"\d{9,13}(?:\.\d+)?", text):  # Unix seconds / milliseconds
            seconds = float(text) / (1000 if float(text) > 1e11 else 1)
            iso = dt.datetime.fromtimestamp(seconds, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            date, stamp = (iso, stamp) if text == date else (date, iso)
    if stamp and not date:
        date = stamp
    if date and re.match(r"\d{4}-\d\d-\d\dT", date):
        stamp = stamp or date
        date = date[:10]
    return date, stamp


def _capture_from_json(item: Any, notes: list[str], mapping: dict[str, str]) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise IngestError("a JSON capture must be an object")
    date, stamp = _when(item)
    payload, path = _unwrap(item)
    if not isinstance(payload, dict):
        raise IngestError("a JSON capture must be an object")
    row: dict[str, str | None] = {}
    src: dict[str, str] = {}

    def put(field: str, value: Any, source: str) -> None:
        text = _text(value)
        if text is not None and field not in row:
            row[field] = text
            src[field] = path + source

    used: set[str] = set()
    if "memberScore" in payload:
        used |= {"memberScore", "groupScore"}
        member = payload.get("memberScore") or {}
        if isinstance(member, dict):
            put("ssi", member.get("overall"), "memberScore.overall")
            for sub in member.get("subScores") or []:
                field = _JSON_PILLARS.get(str(sub.get("pillar"))) if isinstance(sub, dict) else None
                if field:
                    put(field, sub.get("score"), f"memberScore.subScores[{sub['pillar']}]")
        for group in payload.get("groupScore") or []:
            if not isinstance(group, dict):
                continue
            kind = str(group.get("groupType", "")).upper()
            prefix = {"INDUSTRY": "industry", "NETWORK": "network"}.get(kind)
            if prefix is None:
                notes.append(
                    f"{kind or 'unnamed'} group rank and average ignored "
                    "(only LinkedIn's industry and network figures are kept)"
                )
                continue
            where = f"groupScore[{kind}]"
            put(f"{prefix}_rank", group.get("rank"), f"{where}.rank")
            score = group.get("score") or {}
            if isinstance(score, dict):
                put(f"{prefix}_avg_ssi", score.get("overall"), f"{where}.score.overall")
                for sub in score.get("subScores") or []:
                    f = _JSON_PILLARS.get(str(sub.get("pillar"))) if isinstance(sub, dict) else None
                    if f:
                        put(f"{prefix}_avg_{f}", sub.get("score"), f"{where}.score.{sub['pillar']}")
    elif isinstance(payload.get("current"), dict):
        # The SSI page's three donuts: you, your industry, your network.
        for prefix, key in (("", "current"), ("industry_avg_", "industry"),
                            ("network_avg_", "network")):  # fmt: skip
            donut = payload.get(key)
            if not isinstance(donut, dict):
                continue
            used.add(key)
            put(f"{prefix}ssi", donut.get("total_caption"), f"{key}.total_caption")
            for pillar in PILLARS:
                put(f"{prefix}{pillar}", donut.get(pillar), f"{key}.{pillar}")
        for prefix in ("industry", "network"):
            if f"{prefix}_rank_text" in payload:
                used.add(f"{prefix}_rank_text")
                put(f"{prefix}_rank", payload[f"{prefix}_rank_text"], f"{prefix}_rank_text")
    else:
        flat = {_norm(k): k for k in payload}
        for field, keys in _JSON_KEYS.items():
            for k in keys:
                if k in flat and _text(payload[flat[k]]) is not None:
                    put(field, payload[flat[k]], flat[k])
                    used.add(flat[k])
                    break
        for prefix in ("industry", "network"):
            if prefix not in flat or not isinstance(payload[flat[prefix]], dict):
                continue
            used.add(flat[prefix])
            group = {_norm(k): (k, v) for k, v in payload[flat[prefix]].items()}
            for field, names in (("rank", ("top", "rank")), ("avg_ssi", ("ssi", "overall"))):
                for name in names:
                    if name in group:
                        put(f"{prefix}_{field}", group[name][1], f"{flat[prefix]}.{group[name][0]}")
            for pillar in PILLARS:
                for name in _JSON_KEYS[pillar]:
                    if name in group:
                        put(f"{prefix}_avg_{pillar}", group[name][1], f"{flat[prefix]}.{name}")
    unused = [
        k
        for k in payload
        if k not in used
        and not k.startswith("_")
        and _norm(k) not in _JSON_META
        and _norm(k) not in (*_JSON_DATE_KEYS, *_JSON_TIME_KEYS)
    ]
    if unused:
        notes.append("not used: " + ", ".join(unused))
    values = {k: v for k, v in row.items() if v is not None}
    if "ssi" not in values and not set(PILLARS) <= set(values):
        raise IngestError("the JSON holds no SSI score (no total and not all four pillars)")
    if date is None and stamp is None:
        date, stamp = _when(payload)
    if date:
        values["date"] = date
    if stamp:
        values["captured_at"] = stamp
    for field, source in src.items():
        mapping.setdefault(field, source)
    return values


def _item_lines(text: str, count: int) -> list[int]:
    """The line on which each element of the top-level JSON array starts."""
    decoder = json.JSONDecoder(parse_float=Decimal)
    pos = text.index("[") + 1
    line, counted = 1, 0
    out = []
    for _ in range(count):
        while text[pos] in " \t\r\n,":
            pos += 1
        line += text.count("\n", counted, pos)
        counted = pos
        out.append(line)
        _, pos = decoder.raw_decode(text, pos)
    return out


def _read_json(text: str, encoding: str) -> ReadResult:
    try:
        obj = json.loads(text, parse_float=Decimal)
    except (ValueError, RecursionError) as exc:
        raise IngestError(f"the JSON cannot be read: {exc}") from None
    notes: list[str] = []
    mapping: dict[str, str] = {}
    if isinstance(obj, list):
        items, lines = obj, _item_lines(text, len(obj))
    else:
        items, lines = [obj], [1]
    if not items:
        raise IngestError("the JSON holds no capture (an empty array)")
    rows = []
    for i, (item, line) in enumerate(zip(items, lines, strict=True), start=1):
        try:
            row = _capture_from_json(item, notes, mapping)
        except IngestError as exc:
            if len(items) == 1:
                raise
            raise IngestError(f"capture {i} (line {line}): {exc}; nothing was imported") from None
        row["_line"] = line
        rows.append(row)
    dated = sum("date" in r for r in rows)
    notes = list(dict.fromkeys(notes))
    head = f"JSON: {len(rows)} capture(s)" + (
        f", {dated} dated" if dated else ", no date (the upload's date is used)"
    )
    notes[:0] = [head, "read: " + _describe(mapping)]
    if "date" in mapping or dated:
        mapping.setdefault("date", "date")
    return _result(rows, mapping, encoding, None, ".", "json", notes)


# ----------------------------------------------------------------------------- paste
def _pillar_title(line: str) -> tuple[str | None, str | None]:
    """(pillar, number shown on the line or None) when ``line`` carries a pillar title."""
    text = " ".join(line.split())
    low = text.casefold()
    for title, field in _PASTE_TITLES.items():
        if title in low:
            before = re.match(rf"^{_NUMBER}\s*(?:/\s*25)?\s+{re.escape(title)}", low)
            after = re.search(rf"{re.escape(title)}\s*[:\-]?\s*{_NUMBER}(?:\s*/\s*25)?$", low)
            hit = before or after
            return field, hit.group(1) if hit else None
    m = re.match(rf"^{_NUMBER}\s+(.+)$", text) or re.match(rf"^(.+?)\s*[:\-]?\s+{_NUMBER}$", text)
    if m:
        number, title = (m.group(1), m.group(2)) if m.group(1)[0].isdigit() else m.groups()[::-1]
        if len(_norm(title)) >= 12 and match_header(title) in PILLARS:
            return match_header(title), number
    if len(_norm(text)) >= 12 and match_header(text) in PILLARS:
        return match_header(text), None
    return None, None


def read_paste(text: str, *, encoding: str = "utf-8") -> ReadResult:
    """A copy-paste of LinkedIn's (English) SSI page: total, pillars, ranks, averages.

    The page shows no date: the upload's date is used. Raises IngestError when neither a
    total nor the four pillars can be found.
    """
    lines = [" ".join(ln.split()) for ln in text.replace("\r", "").split("\n")]

    def near(i: int, step: int) -> tuple[int, str] | None:
        """The nearest non-empty line before (step -1) or after (step 1) line ``i``."""
        j = i + step
        while 0 <= j < len(lines) and abs(j - i) <= 2:
            if lines[j]:
                return j, lines[j]
            j += step
        return None

    row: dict[str, Any] = {"_line": 1}
    mapping: dict[str, str] = {}

    def put(field: str, value: str, label: str) -> None:
        if field not in row:
            row[field] = value
            mapping[field] = label

    labels = {i for i, ln in enumerate(lines) if _pillar_title(ln)[0] or _rank_field(ln)}
    for i, line in enumerate(lines):
        low = line.casefold()
        pillar, number = _pillar_title(line)
        if pillar is not None:
            if number is None:
                for step in (1, -1):
                    hit = near(i, step)
                    if hit and hit[0] not in labels and _NUMBER_LINE.match(hit[1]):
                        number = hit[1]
                        break
            if number is not None:
                put(pillar, number, line)
            continue
        rank = _rank_field(line)
        if rank is not None:
            cands = [line]
            hit = near(i, 1)
            if hit and hit[0] not in labels:
                cands.append(hit[1])
            for cand in cands:
                m = re.search(r"(?:top\s*)?\d+(?:[.,]\d+)?\s*%", cand, re.IGNORECASE)
                if m:
                    shown = m.group()
                    put(rank, shown if shown.casefold().startswith("top") else f"Top {shown}", line)
                    break
            continue
        m = re.search(rf"average ssi (?:is |of )?{_NUMBER}", low)
        if m:
            put("network_avg_ssi" if "network" in low else "industry_avg_ssi", m.group(1), line)
            continue
        m = re.search(rf"^{_NUMBER}\s*{_OF_100}", low)
        if m:
            put("ssi", m.group(1), line)
        elif re.fullmatch(_OF_100, low):
            hit = near(i, -1)
            if hit and _NUMBER_LINE.match(hit[1]):
                put("ssi", hit[1], line)
        elif low.startswith("your social selling index"):
            m = re.search(rf"{_NUMBER}(?:\s*{_OF_100})?\s*$", low)
            hit = near(i, 1)
            if m:
                put("ssi", m.group(1), line)
            elif hit and _NUMBER_LINE.match(hit[1]):
                put("ssi", hit[1], line)
    if not ("ssi" in row or set(PILLARS) <= set(row)):
        raise IngestError(
            "no SSI score found in the pasted text: copy the whole SSI page "
            "(the four 'components of your score' at least)"
        )
    comma = any(re.search(r"\d,\d", str(v)) for k, v in row.items() if k != "_line")
    notes = ["pasted SSI page: read " + _describe(mapping)]
    missing = [f for f in ("ssi", *RANKS, "industry_avg_ssi", "network_avg_ssi") if f not in row]
    if missing:
        names = ", ".join("total (the pillar sum is used)" if m == "ssi" else m for m in missing)
        notes.append("not on the page as pasted: " + names)
    return _result([row], mapping, encoding, None, "," if comma else ".", "paste", notes)


def _rank_field(line: str) -> str | None:
    n = _norm(line)
    return next((f for label, f in _PASTE_RANKS.items() if n.startswith(label)), None)


# ----------------------------------------------------------------------------- result
def _result(
    rows: list[dict[str, Any]],
    mapping: dict[str, str],
    encoding: str,
    delimiter: str | None,
    decimal: str,
    layout: str,
    notes: list[str],
    ignored: list[str] | None = None,
) -> ReadResult:
    columns = [c for c in dict.fromkeys(k for r in rows for k in r) if c != "_line"]
    frame = pd.DataFrame({c: pd.array([r.get(c) for r in rows], dtype="str") for c in columns})
    frame["_line"] = [int(r["_line"]) for r in rows]
    return ReadResult(
        frame=frame,
        mapping={k: v for k, v in mapping.items() if k in frame.columns},
        ignored_columns=list(ignored or []),
        encoding=encoding,
        delimiter=delimiter,
        decimal=decimal,
        layout=layout,
        notes=notes,
    )
