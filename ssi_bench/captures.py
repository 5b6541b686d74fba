"""What people already capture: long scraper files, LinkedIn's JSON, a pasted SSI page.

The reader hands decoded text here first: :func:`detect` says whether the text is one of
these layouts and :func:`read` turns it into the usual :class:`ReadResult` — canonical
columns holding the raw text LinkedIn showed ("20,998", "53 de 100", "Primeiros 10%"),
which ``validate`` then parses like any other file. These captures are personal: they carry
no person and no sector; those come from the upload form (``--person`` / ``--sector``).

Supported:
- long ("tidy") captures, one metric per row (e.g. a pt-BR scraper's
  ``data_referencia;hora_referencia;secao;campo;valor_original;…``): per date and time the
  total, the four pillars, LinkedIn's industry/network rank and the industry/network
  averages (total and per pillar). A capture missing its total or a pillar is refused as
  a whole, naming the date and what is missing;
- the JSON behind LinkedIn's SSI page (``memberScore`` / ``groupScore``), bare or wrapped
  by an API vendor, one capture or an array of dated captures, and the flat shapes other
  trackers store;
- a copy-paste of the English SSI page.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable
from typing import Any

import pandas as pd

from ssi_bench.errors import IngestError
from ssi_bench.fields import PILLARS, match_header, normalise_header
from ssi_bench.model import ReadResult

# ----------------------------------------------------------------------------- labels
_LONG_COLUMNS: dict[str, tuple[str, ...]] = {
    "date": ("datareferencia", "date", "data", "datum", "snapshotdate", "fecha"),
    "time": ("horareferencia", "time", "hora", "capturedat", "hour"),
    "section": ("secao", "section", "seccao", "bloco", "group"),
    "field": ("campo", "field", "metric", "metrica", "label", "name"),
    "value": ("valororiginal", "value", "valor", "shown", "text"),
    "numeric": ("valornumerico", "numericvalue", "number", "numeric"),
}
_TOTAL_LABELS = {
    "socialsellingindexatual",
    "socialsellingindex",
    "ssi",
    "ssiatual",
    "currentsocialsellingindex",
    "yoursocialsellingindex",
    "pontuacaossi",
}
_RANK_LABELS = {
    "classificacaossidosetor": "industry_rank",
    "posicaonosetor": "industry_rank",
    "industryssirank": "industry_rank",
    "classificacaossidarede": "network_rank",
    "posicaonarede": "network_rank",
    "networkssirank": "network_rank",
}
_AVERAGE_LABELS = {
    "ssimediodosetor": "industry_avg_ssi",
    "industryaveragessi": "industry_avg_ssi",
    "averagessiofindustry": "industry_avg_ssi",
    "ssimediodarede": "network_avg_ssi",
    "networkaveragessi": "network_avg_ssi",
    "averagessiofnetwork": "network_avg_ssi",
}
_INDUSTRY_HINTS = ("setor", "industry", "sector", "branche", "industria")
_NETWORK_HINTS = ("rede", "network", "netwerk", "netzwerk", "reseau")

_JSON_PILLARS = {
    "PROFESSIONAL_BRAND": "brand",
    "FIND_RIGHT_PEOPLE": "people",
    "INSIGHT_ENGAGEMENT": "insights",
    "STRONG_RELATIONSHIP": "relationships",
}
_JSON_KEYS: dict[str, tuple[str, ...]] = {
    "ssi": ("overall", "total", "ssi", "ssioverallscore", "score", "ssiscore"),
    "brand": ("establishbrand", "establishyourprofessionalbrand", "profbrand", "brand",
              "professionalbrand"),
    "people": ("findrightpeople", "findtherightpeople", "people"),
    "insights": ("engagewithinsights", "insightengagement", "insights"),
    "relationships": ("buildrelationships", "relationship", "relationships",
                      "strongrelationship"),
    "industry_rank": ("industrytop", "industryrank", "industryssirank"),
    "network_rank": ("networktop", "networkrank", "networkssirank"),
}  # fmt: skip
_JSON_DATE_KEYS = ("date", "capturedat", "captured_at", "timestamp", "day", "snapshotdate")
_JSON_WRAPPERS = ("data", "payload", "ssi", "result", "parsed")

#: The four English pillar titles on LinkedIn's SSI page.
_PASTE_TITLES = {
    "establish your professional brand": "brand",
    "find the right people": "people",
    "engage with insights": "insights",
    "build relationships": "relationships",
}
_NUMBER = r"(\d+(?:[.,]\d+)?)"


def _norm(text: object) -> str:
    return normalise_header(str(text))


# ----------------------------------------------------------------------------- detect
def detect(text: str, file_name: str = "") -> str | None:
    """ "long", "json" or "paste" when ``text`` is one of these layouts, else None.

    Cheap: looks at the first characters and the header line only (plus a scan for the
    SSI page's titles). Ordinary wide CSVs, including tracker history exports such as
    ``Date,CapturedAt,Total,Brand,…``, are left to the normal reader.
    """
    head = text.lstrip("\ufeff \t\r\n")
    if head[:1] in ("{", "["):
        try:
            json.loads(head)
        except ValueError:
            return None
        return "json"
    first = head.split("\n", 1)[0]
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
        if len(cells) >= 4:
            return sep, cells
    return None


def _long_header(line: str) -> tuple[str, dict[str, int]] | None:
    split = _split_header(line)
    if split is None:
        return None
    sep, cells = split
    found: dict[str, int] = {}
    for i, cell in enumerate(cells):
        n = _norm(cell)
        for role, names in _LONG_COLUMNS.items():
            if n in names and role not in found:
                found[role] = i
                break
    if {"date", "section", "field", "value"} <= set(found) or (
        {"date", "field", "value"} <= set(found) and "numeric" in found
    ):
        return sep, found
    return None


def _looks_pasted(text: str) -> bool:
    low = text.casefold()
    titles = sum(t in low for t in _PASTE_TITLES)
    if titles < 2:
        return False
    # A wide CSV whose header carries the titles is not a paste: its first line splits.
    first = low.split("\n", 1)[0]
    return not any(first.count(sep) >= 3 for sep in (",", ";", "\t", "|"))


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
def _classify(section: str, label: str) -> str | None:
    """The canonical field of one long-layout row, or None when it is not one we keep."""
    n = _norm(label)
    if n in _TOTAL_LABELS:
        return "ssi"
    if n in _RANK_LABELS:
        return _RANK_LABELS[n]
    if n in _AVERAGE_LABELS:
        return _AVERAGE_LABELS[n]
    pillar = match_header(label)
    if pillar in PILLARS:
        sec = _norm(section)
        if any(h in sec for h in _INDUSTRY_HINTS):
            return f"industry_avg_{pillar}"
        if any(h in sec for h in _NETWORK_HINTS):
            return f"network_avg_{pillar}"
        return pillar
    return None


def _read_long(text: str, encoding: str) -> ReadResult:
    first = text.split("\n", 1)[0]
    header = _long_header(first)
    if header is None:
        raise IngestError("not a long (one metric per row) capture")
    sep, cols = header
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    rows_in: list[tuple[int, list[str]]] = []  # (first physical line of the record, cells)
    try:
        end = 0
        for cells in reader:
            rows_in.append((end + 1, cells))
            end = reader.line_num
    except csv.Error as exc:
        raise IngestError(f"line {end + 1}: the long capture cannot be read: {exc}") from None
    captures: dict[tuple[str, str], dict[str, Any]] = {}
    unknown: list[str] = []
    mapping: dict[str, str] = {}
    comma = False
    for line, cells in rows_in[1:]:
        if not any(c.strip() for c in cells):
            continue

        def cell(role: str, cells: list[str] = cells) -> str:
            i = cols.get(role)
            return cells[i].strip() if i is not None and i < len(cells) else ""

        date, label = cell("date"), cell("field")
        value = cell("value") or cell("numeric")
        field = _classify(cell("section"), label)
        if field is None:
            name = f"{cell('section')} › {label}".strip(" ›")
            if name not in unknown:
                unknown.append(name)
            continue
        if not value:
            continue
        key = (date, cell("time"))
        capture = captures.setdefault(key, {"_line": line, "date": date})
        if field not in capture:  # the first row of a metric wins (later ones repeat it)
            capture[field] = value
            mapping.setdefault(field, label)
            comma = comma or bool(re.search(r"\d,\d", value))
    if not captures:
        raise IngestError("the long capture holds no SSI figures (no total, pillar or rank)")
    rows = []
    for (date, time), capture in captures.items():
        missing = [m for m in ("ssi", *PILLARS) if m not in capture]
        if missing:
            names = ", ".join("total" if m == "ssi" else m for m in missing)
            raise IngestError(
                f"the capture of {date or 'an undated row'} lacks {names}: the file was not "
                "imported (a capture needs the total and all four pillars)"
            )
        if time:
            capture["captured_at"] = f"{date}T{time}"
        rows.append(capture)
    notes = [f"long layout: {len(rows)} capture(s), {len(mapping)} fields per capture"]
    if unknown:
        notes.append("not used: " + "; ".join(unknown[:12]) + (" …" if len(unknown) > 12 else ""))
    return _result(rows, mapping, encoding, sep, "," if comma else ".", "long", notes)


# ----------------------------------------------------------------------------- json
def _unwrap(obj: Any) -> Any:
    """Strip vendor wrappers like {"object": …, "data": {…}} down to the SSI payload."""
    for _ in range(4):
        if not isinstance(obj, dict) or "memberScore" in obj:
            return obj
        inner = next(
            (obj[k] for k in obj if _norm(k) in _JSON_WRAPPERS and isinstance(obj[k], dict)),
            None,
        )
        if inner is None:
            return obj
        obj = inner
    return obj


def _date_of(obj: dict[str, Any]) -> str | None:
    for k, v in obj.items():
        if _norm(k) in {_norm(d) for d in _JSON_DATE_KEYS} and isinstance(v, str | int):
            return str(v)
    return None


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, dict | list | bool):
        return None
    return str(value)


def _capture_from_json(item: Any, notes: list[str]) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise IngestError("a JSON capture must be an object")
    date = _date_of(item)
    payload = _unwrap(item)
    row: dict[str, Any] = {}
    if isinstance(payload, dict) and "memberScore" in payload:
        member = payload["memberScore"] or {}
        row["ssi"] = _text(member.get("overall"))
        for sub in member.get("subScores") or []:
            field = _JSON_PILLARS.get(str(sub.get("pillar")))
            if field:
                row[field] = _text(sub.get("score"))
        for group in payload.get("groupScore") or []:
            kind = str(group.get("groupType", "")).upper()
            prefix = {"INDUSTRY": "industry", "NETWORK": "network"}.get(kind)
            if prefix is None:
                notes.append(f"{kind or 'unnamed'} group ignored (only industry and network)")
                continue
            row[f"{prefix}_rank"] = _text(group.get("rank"))
            score = group.get("score") or {}
            row[f"{prefix}_avg_ssi"] = _text(score.get("overall"))
            for sub in score.get("subScores") or []:
                field = _JSON_PILLARS.get(str(sub.get("pillar")))
                if field:
                    row[f"{prefix}_avg_{field}"] = _text(sub.get("score"))
    elif isinstance(payload, dict) and isinstance(payload.get("current"), dict):
        # The SSI page's three donuts: you, your industry, your network.
        for prefix, key in (("", "current"), ("industry_avg_", "industry"),
                            ("network_avg_", "network")):  # fmt: skip
            donut = payload.get(key)
            if not isinstance(donut, dict):
                continue
            if _text(donut.get("total_caption")) is not None:
                row[f"{prefix}ssi" if prefix else "ssi"] = _text(donut["total_caption"])
            for pillar in PILLARS:
                if _text(donut.get(pillar)) is not None:
                    row[f"{prefix}{pillar}"] = _text(donut[pillar])
        for prefix in ("industry", "network"):
            if _text(payload.get(f"{prefix}_rank_text")) is not None:
                row[f"{prefix}_rank"] = _text(payload[f"{prefix}_rank_text"])
    elif isinstance(payload, dict):
        flat = {_norm(k): v for k, v in payload.items()}
        for field, keys in _JSON_KEYS.items():
            for k in keys:
                if k in flat and _text(flat[k]) is not None:
                    row[field] = _text(flat[k])
                    break
        for prefix in ("industry", "network"):
            group = flat.get(prefix)
            if isinstance(group, dict):
                g = {_norm(k): v for k, v in group.items()}
                if _text(g.get("top")) is not None:
                    row[f"{prefix}_rank"] = _text(g.get("top"))
                if _text(g.get("ssi")) is not None:
                    row[f"{prefix}_avg_ssi"] = _text(g.get("ssi"))
    row = {k: v for k, v in row.items() if v is not None}
    if not ({"ssi"} & set(row) or set(PILLARS) <= set(row)):
        raise IngestError("the JSON holds no SSI score (no total and not all four pillars)")
    date = date or (_date_of(payload) if isinstance(payload, dict) else None)
    if date:
        row["date"] = date[:10] if re.match(r"\d{4}-\d\d-\d\d", date) else date
    return row


def _read_json(text: str, encoding: str) -> ReadResult:
    try:
        obj = json.loads(text)
    except ValueError as exc:
        raise IngestError(f"the JSON cannot be read: {exc}") from None
    notes: list[str] = []
    items: Iterable[Any] = obj if isinstance(obj, list) else [obj]
    rows = []
    for i, item in enumerate(items, start=1):
        row = _capture_from_json(item, notes)
        row["_line"] = i
        rows.append(row)
    if not rows:
        raise IngestError("the JSON holds no capture")
    notes = list(dict.fromkeys(notes))
    notes.insert(0, f"JSON: {len(rows)} capture(s); line numbers count captures")
    mapping = {k: k for r in rows for k in r if k != "_line"}
    return _result(rows, mapping, encoding, None, ".", "json", notes)


# ----------------------------------------------------------------------------- paste
def read_paste(text: str, *, encoding: str = "utf-8") -> ReadResult:
    """A copy-paste of LinkedIn's (English) SSI page: total, pillars, ranks, averages.

    Raises IngestError when neither a total nor the four pillars can be found.
    """
    lines = [ln.strip() for ln in text.replace("\r", "").split("\n")]
    row: dict[str, Any] = {"_line": 1}
    for i, line in enumerate(lines):
        low = line.casefold()
        for title, field in _PASTE_TITLES.items():
            if title not in low:
                continue
            before = re.match(rf"^{_NUMBER}\s+{re.escape(title)}", low)
            after = re.search(rf"{re.escape(title)}\s*[:\-]?\s*{_NUMBER}$", low)
            if before:
                row.setdefault(field, before.group(1))
            elif after:
                row.setdefault(field, after.group(1))
            elif i + 1 < len(lines) and re.fullmatch(_NUMBER, lines[i + 1]):
                row.setdefault(field, lines[i + 1])
            elif i > 0 and re.fullmatch(_NUMBER, lines[i - 1]):
                row.setdefault(field, lines[i - 1])
        for label, field in (("industry ssi rank", "industry_rank"), ("network ssi rank",
                                                                     "network_rank")):  # fmt: skip
            if label in low:
                rest = [line[low.index(label) + len(label) :], *lines[i + 1 : i + 3]]
                for cand in rest:
                    m = re.search(r"top\s*(\d+(?:[.,]\d+)?)\s*%", cand.casefold())
                    if m:
                        row.setdefault(field, f"Top {m.group(1)}%")
                        break
        m = re.search(r"average ssi of\s*(\d+(?:[.,]\d+)?)", low)
        if m:
            field = "network_avg_ssi" if "network" in low else "industry_avg_ssi"
            row.setdefault(field, m.group(1))
        m = re.search(r"(\d+(?:[.,]\d+)?)\s*(?:out of|/)\s*100", low)
        if m and "average" not in low:
            row.setdefault("ssi", m.group(1))
        if low.startswith("your social selling index"):
            m = re.search(_NUMBER + r"\s*$", line)
            if m:
                row.setdefault("ssi", m.group(1))
            elif i + 1 < len(lines) and re.fullmatch(_NUMBER, lines[i + 1]):
                row.setdefault("ssi", lines[i + 1])
    if not ("ssi" in row or set(PILLARS) <= set(row)):
        raise IngestError(
            "no SSI score found in the pasted text: copy the whole SSI page "
            "(the four 'components of your score' at least)"
        )
    mapping = {k: "pasted page" for k in row if k != "_line"}
    comma = any(re.search(r"\d,\d", str(v)) for v in row.values())
    notes = ["pasted SSI page: " + ", ".join(sorted(mapping))]
    return _result([row], mapping, encoding, None, "," if comma else ".", "paste", notes)


# ----------------------------------------------------------------------------- result
def _result(
    rows: list[dict[str, Any]],
    mapping: dict[str, str],
    encoding: str,
    delimiter: str | None,
    decimal: str,
    layout: str,
    notes: list[str],
) -> ReadResult:
    columns = [c for c in dict.fromkeys(k for r in rows for k in r) if c != "_line"]
    frame = pd.DataFrame({c: pd.array([r.get(c) for r in rows], dtype="str") for c in columns})
    frame["_line"] = [int(r["_line"]) for r in rows]
    return ReadResult(
        frame=frame,
        mapping=mapping,
        ignored_columns=[],
        encoding=encoding,
        delimiter=delimiter,
        decimal=decimal,
        layout=layout,
        notes=notes,
    )
