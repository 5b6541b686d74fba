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


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


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

    Raises ValueError when ``view`` carries an identifier-like key.
    """
    bad = FORBIDDEN_VIEW_KEYS & {str(k).casefold() for k in view}
    if bad:
        raise ValueError(f"a shared view must not contain {', '.join(sorted(bad))}")
    token = secrets.token_urlsafe(TOKEN_BYTES)
    created = now or _now()
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
    """The shared view behind ``token``; one NotFoundError for unknown/expired/revoked."""
    wanted = token_hash(str(token))
    with store.cursor() as cur:
        row = cur.execute(_LOOKUP_SQL, {"hash": wanted}).fetchone()
    stored = row[1] if row else _DUMMY_HASH
    matches = hmac.compare_digest(stored, wanted)
    moment = now or _now()
    live = row is not None and row[6] is None and row[5] > moment
    if not (matches and live) or row is None:
        raise NotFoundError(INVALID)
    return {
        "share_id": int(row[0]),
        "view": json.loads(row[2]),
        "person_key": row[3],
        "created_at": row[4],
        "expires_at": row[5],
    }


def revoke(store: Store, share_id: int, *, now: dt.datetime | None = None) -> bool:
    """Revoke a link; False when it was unknown or already revoked."""
    with store.transaction(bump=False) as cur:
        got = cur.execute(_REVOKE_SQL, {"id": share_id, "now": now or _now()}).fetchone()
    return bool(got and got[0])


def active(store: Store, now: dt.datetime | None = None) -> list[dict[str, Any]]:
    """Live links (never the token): id, page, personal or not, created, expires."""
    with store.cursor() as cur:
        rows = cur.execute(_ACTIVE_SQL, {"now": now or _now()}).fetchall()
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
