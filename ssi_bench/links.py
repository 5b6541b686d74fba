"""Private links: one person's own views, for organisations without single sign-on.

A link is ``<public URL>/?link=<token>`` with ``token = secrets.token_urlsafe(32)`` (256
bits). Only HMAC-SHA256(project secret, "private-link:" + token) is stored, beside the
person key, creation, expiry, last use, revocation and the upload it was made at: neither the
database nor a backup of it can hand out a working link, and a leaked database without the
key cannot even be checked against a token. The identifier a link was made for is returned
once, with the URL, and never stored.

A link opens that person's own views as a seller (:func:`ssi_bench.identity.link_viewer`):
it never grants admin or manager rights. Creating links for a person revokes their older
ones. Unknown, expired, revoked and mangled tokens all raise the one
``NotFoundError(INVALID)`` after the same work.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Iterable
from typing import Any

from ssi_bench import audit
from ssi_bench.errors import NotFoundError, SSIBenchError
from ssi_bench.pseudonym import person_key
from ssi_bench.store import Store

TOKEN_BYTES = 32
DEFAULT_PUBLIC_URL = "http://127.0.0.1:8501"
INVALID = (
    "This private link does not work: it may have expired or been replaced by a newer one. "
    "Ask your SSI Bench administrator for a new link."
)
_PURPOSE = b"private-link:"
_DUMMY_HASH = "0" * 64

_REVOKE_PERSON_SQL = """
UPDATE private_links SET revoked_at = $now
WHERE person_key = $key AND revoked_at IS NULL
"""
_INSERT_SQL = """
INSERT INTO private_links VALUES (nextval('private_link_seq'), $hash, $key, $created,
    $expires, NULL, NULL, $upload_id)
"""
_LOOKUP_SQL = """
SELECT link_id, token_hash, person_key, expires_at, revoked_at FROM private_links
WHERE token_hash = $hash
"""
_TOUCH_SQL = "UPDATE private_links SET last_used_at = $now WHERE link_id = $id"
_REVOKE_UPLOAD_SQL = """
UPDATE private_links SET revoked_at = $now WHERE upload_id = $uid AND revoked_at IS NULL
"""
_LIST_SQL = """
SELECT upload_id, count(*) AS links,
       count(*) FILTER (WHERE revoked_at IS NULL AND expires_at > $now) AS active,
       count(*) FILTER (WHERE revoked_at IS NOT NULL) AS revoked,
       count(*) FILTER (WHERE revoked_at IS NULL AND expires_at <= $now) AS expired,
       count(*) FILTER (WHERE last_used_at IS NOT NULL) AS used,
       min(created_at), max(created_at), max(expires_at), max(last_used_at)
FROM private_links GROUP BY upload_id ORDER BY max(created_at) DESC
"""


def _utc_naive(moment: dt.datetime | None) -> dt.datetime:
    if moment is None:
        return dt.datetime.now(dt.UTC).replace(tzinfo=None)
    if moment.tzinfo is not None:
        return moment.astimezone(dt.UTC).replace(tzinfo=None)
    return moment


def token_hash(secret: bytes, token: str) -> str:
    """The stored form of ``token``: HMAC-SHA256 under the project secret, 64 hex chars."""
    return hmac.new(secret, _PURPOSE + token.encode("utf-8"), hashlib.sha256).hexdigest()


def link_url(token: str, public_url: str | None = None) -> str:
    """``<public_url>/?link=<token>``; ``public_url`` None or blank: :data:`DEFAULT_PUBLIC_URL`.
    A trailing slash of the base is dropped (``https://x/ssi/`` → ``https://x/ssi/?link=…``)."""
    base = (public_url or "").strip() or DEFAULT_PUBLIC_URL
    return f"{base.rstrip('/')}/?link={token}"


def create(
    store: Store,
    secret: bytes,
    identifiers: Iterable[str],
    days: int,
    upload_id: int | None = None,
    *,
    public_url: str | None = None,
    now: dt.datetime | None = None,
) -> list[tuple[str, str]]:
    """One new link per person: ``[(identifier, url), …]`` in input order, the only place
    the identifier and the token ever appear together (write them out once, then drop them).

    Two spellings of one person (``Jane@X.org`` and ``jane@x.org``) get one link, under the
    first spelling. Each person's older links are revoked in the same transaction. ``days``:
    whole days until expiry (at least 1); ``upload_id``: the upload the links were made at,
    for :func:`revoke_upload`. Records one ``link_create`` audit entry (the count).

    Raises SSIBenchError when ``days`` < 1 or an identifier is empty (nothing is stored).
    """
    if days < 1:
        raise SSIBenchError(f"a private link must live at least one day, not {days}")
    created = _utc_naive(now)
    expires = created + dt.timedelta(days=days)
    out: list[tuple[str, str]] = []
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    for identifier in identifiers:
        key = person_key(secret, identifier)  # raises for an empty identifier
        if key in seen:
            continue
        seen.add(key)
        token = secrets.token_urlsafe(TOKEN_BYTES)
        rows.append(
            {
                "hash": token_hash(secret, token),
                "key": key,
                "created": created,
                "expires": expires,
                "upload_id": upload_id,
            }
        )
        out.append((identifier.strip(), link_url(token, public_url)))
    if rows:
        with store.transaction(bump=False) as cur:
            for row in rows:
                cur.execute(_REVOKE_PERSON_SQL, {"key": row["key"], "now": created})
                cur.execute(_INSERT_SQL, row)
        audit.record(store, None, "link_create", len(rows), now=now)
    return out


def resolve(store: Store, secret: bytes, token: str, now: dt.datetime | None = None) -> str:
    """The person key behind a live link, recording its use (``last_used_at``).

    A link is live while now < expires_at and it is not revoked. Raises the one
    ``NotFoundError(INVALID)`` for unknown, expired, revoked, empty or mangled tokens (any
    text is hashed; nothing about the token is echoed).
    """
    text = token if isinstance(token, str) else ""
    wanted = token_hash(secret, text.strip())
    with store.cursor() as cur:
        row = cur.execute(_LOOKUP_SQL, {"hash": wanted}).fetchone()
    stored = row[1] if row else _DUMMY_HASH
    matches = hmac.compare_digest(stored, wanted)
    moment = _utc_naive(now)
    if row is None or not matches or row[4] is not None or not row[3] > moment:
        raise NotFoundError(INVALID)
    with store.transaction(bump=False) as cur:
        cur.execute(_TOUCH_SQL, {"id": int(row[0]), "now": moment})
    return str(row[2])


def revoke_person(
    store: Store, secret: bytes, identifier: str, now: dt.datetime | None = None
) -> int:
    """Revoke every live link of the person behind ``identifier``; returns how many.

    Records a ``link_revoke`` audit entry (the count). Raises SSIBenchError for an empty
    identifier.
    """
    key = person_key(secret, identifier)
    moment = _utc_naive(now)
    with store.transaction(bump=False) as cur:
        got = cur.execute(_REVOKE_PERSON_SQL, {"key": key, "now": moment}).fetchone()
    n = int(got[0]) if got else 0
    audit.record(store, None, "link_revoke", n, now=now)
    return n


def revoke_upload(store: Store, upload_id: int, now: dt.datetime | None = None) -> int:
    """Revoke every live link made at upload ``upload_id``; returns how many (0 when none).

    Records a ``link_revoke`` audit entry (``upload <id>: <count>``).
    """
    moment = _utc_naive(now)
    with store.transaction(bump=False) as cur:
        got = cur.execute(_REVOKE_UPLOAD_SQL, {"uid": int(upload_id), "now": moment}).fetchone()
    n = int(got[0]) if got else 0
    audit.record(store, None, "link_revoke", f"upload {int(upload_id)}: {n}", now=now)
    return n


def list_links(store: Store, now: dt.datetime | None = None) -> list[dict[str, Any]]:
    """Links grouped by the upload they were made at (None: made later from a file), newest
    first: counts (links, active, revoked, expired, used) and dates (first/last created,
    last expiry, last use). No identifier, no person key, no token."""
    with store.cursor() as cur:
        rows = cur.execute(_LIST_SQL, {"now": _utc_naive(now)}).fetchall()
    names = (
        "upload_id",
        "links",
        "active",
        "revoked",
        "expired",
        "used",
        "first_created_at",
        "last_created_at",
        "last_expires_at",
        "last_used_at",
    )
    return [dict(zip(names, r, strict=True)) for r in rows]
