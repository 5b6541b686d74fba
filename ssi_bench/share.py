"""Share links: create, resolve, expire, revoke.

A token is ``secrets.token_urlsafe(32)`` (256 bits). Only its SHA-256 is stored, so the
database cannot hand out working links. Unknown, expired and revoked tokens all raise the
same NotFoundError after the same work (one look-up by hash, one constant-time compare),
so a caller cannot tell them apart by message or timing class.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import secrets
from typing import Any

from ssi_bench.errors import NotFoundError
from ssi_bench.store import Store

TOKEN_BYTES = 32
INVALID = "This link is not valid: it may have expired or been revoked."
#: Keys a view must never carry: a share holds pseudonyms at most, never identifiers.
FORBIDDEN_VIEW_KEYS = frozenset({"person", "identifier", "email", "e-mail", "name", "url"})
_DUMMY_HASH = hashlib.sha256(b"no such token").hexdigest()

_INSERT_SQL = """
INSERT INTO shares VALUES (nextval('share_seq'), $hash, $view, $person_key, $created,
    $expires, NULL)
RETURNING share_id
"""
_LOOKUP_SQL = """
SELECT share_id, token_hash, view, person_key, created_at, expires_at, revoked_at
FROM shares WHERE token_hash = $hash
"""
_REVOKE_SQL = """
UPDATE shares SET revoked_at = $now WHERE share_id = $id AND revoked_at IS NULL
"""
_ACTIVE_SQL = """
SELECT share_id, view, person_key IS NOT NULL, created_at, expires_at FROM shares
WHERE revoked_at IS NULL AND expires_at > $now ORDER BY created_at DESC
"""


#: Keys refused at any depth of a view (nested filters included). "name" and "url" are
#: refused at the top level only: nested, they name cohorts (``{"cohort": {"name": …}}``).
FORBIDDEN_NESTED_KEYS = frozenset({"person", "identifier", "email", "e-mail"})


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _utc_naive(moment: dt.datetime | None) -> dt.datetime:
    """``moment`` as naive UTC, the form stored: timestamps are kept as naive UTC, and
    comparing an aware ``now`` with them would raise TypeError."""
    if moment is None:
        return _now()
    if moment.tzinfo is not None:
        return moment.astimezone(dt.UTC).replace(tzinfo=None)
    return moment


def _nested_keys(value: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(value, dict):
        for k, v in value.items():
            found.add(str(k).casefold())
            found |= _nested_keys(v)
    elif isinstance(value, list | tuple):
        for v in value:
            found |= _nested_keys(v)
    return found


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create(
    store: Store,
    view: dict[str, Any],
    *,
    days: int,
    person_key: str | None = None,
    now: dt.datetime | None = None,
) -> str:
    """Store a view and return its token (shown once, never stored).

    ``days``: whole days until the link expires (at least 1). ``now``: naive UTC or aware.
    Raises ValueError when ``view`` carries an identifier-like key (see
    :data:`FORBIDDEN_VIEW_KEYS`, :data:`FORBIDDEN_NESTED_KEYS`) or ``days`` < 1.
    """
    bad = FORBIDDEN_VIEW_KEYS & {str(k).casefold() for k in view}
    bad |= FORBIDDEN_NESTED_KEYS & _nested_keys(view)
    if bad:
        raise ValueError(f"a shared view must not contain {', '.join(sorted(bad))}")
    if days < 1:
        raise ValueError(f"a share link must live at least one day, not {days}")
    token = secrets.token_urlsafe(TOKEN_BYTES)
    created = _utc_naive(now)
    params = {
        "hash": token_hash(token),
        "view": json.dumps(view, sort_keys=True, default=str),
        "person_key": person_key,
        "created": created,
        "expires": created + dt.timedelta(days=days),
    }
    with store.transaction(bump=False) as cur:
        cur.execute(_INSERT_SQL, params)
    return token


def resolve(store: Store, token: str, *, now: dt.datetime | None = None) -> dict[str, Any]:
    """The shared view behind ``token``: share_id, view, person_key, created_at, expires_at
    (naive UTC). A link is live while now < expires_at and it is not revoked.

    Raises the one NotFoundError(:data:`INVALID`) for unknown, expired and revoked tokens,
    after the same work in every case (look-up, constant-time compare, JSON parse).
    """
    wanted = token_hash(str(token))
    with store.cursor() as cur:
        row = cur.execute(_LOOKUP_SQL, {"hash": wanted}).fetchone()
    stored = row[1] if row else _DUMMY_HASH
    matches = hmac.compare_digest(stored, wanted)
    moment = _utc_naive(now)
    live = row is not None and row[6] is None and row[5] > moment
    view = json.loads(row[2] if row else "{}")
    if not (matches and live) or row is None:
        raise NotFoundError(INVALID)
    return {
        "share_id": int(row[0]),
        "view": view,
        "person_key": row[3],
        "created_at": row[4],
        "expires_at": row[5],
    }


def revoke(store: Store, share_id: int, *, now: dt.datetime | None = None) -> bool:
    """Revoke a link; False when it was unknown or already revoked."""
    with store.transaction(bump=False) as cur:
        got = cur.execute(_REVOKE_SQL, {"id": share_id, "now": _utc_naive(now)}).fetchone()
    return bool(got and got[0])


def active(store: Store, now: dt.datetime | None = None) -> list[dict[str, Any]]:
    """Live links (never the token): id, page, personal or not, created, expires."""
    with store.cursor() as cur:
        rows = cur.execute(_ACTIVE_SQL, {"now": _utc_naive(now)}).fetchall()
    return [
        {
            "share_id": int(r[0]),
            "page": json.loads(r[1]).get("page", ""),
            "personal": bool(r[2]),
            "created_at": r[3],
            "expires_at": r[4],
        }
        for r in rows
    ]
