"""The audit log: who did which admin action, when, to what.

One row per action: time (naive UTC), actor (the keyed hash of the signed-in admin's e-mail,
``"password admin"``, ``"open mode"`` or ``"command line"``), action (one of
:data:`ACTIONS`) and object (an upload id, a share id or a count — never an identifier; a
sector mapping change is logged by change and industry ids, "change 3: 4 to 96", never the
sector text, which is free text an uploader typed).

The surface says who is acting by setting :data:`actor` (a context variable, so each
Streamlit script thread and each CLI run has its own) — ``with audit.acting_as(v.actor):`` —
and the :class:`ssi_bench.api.Bench` admin methods record under it. Recording never makes
an action fail: the action has already happened when it is recorded.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import logging
import re
from collections.abc import Iterator
from typing import Any

import duckdb

from ssi_bench.store import Store

log = logging.getLogger(__name__)

ACTIONS = frozenset(
    {
        "upload",
        "undo",
        "erase",
        "demo_load",
        "demo_remove",
        "link_create",
        "link_revoke",
        "share_revoke",
        "export",
        "admin_signin_failed",
        "group_create",
        "group_delete",
        "sector_map",
        "sector_undo",
    }
)
COMMAND_LINE = "command line"
UNKNOWN = "unknown"

#: Who is acting in this context (thread / task). Surfaces set it; default "unknown".
actor: contextvars.ContextVar[str] = contextvars.ContextVar(
    "ssi_bench_audit_actor", default=UNKNOWN
)

# An object is an id, a count or a short word ("csv", "3 links"): nothing with an "@",
# a slash or a dot-separated host can pass, so an identifier cannot slip into the log.
_SAFE_OBJECT = re.compile(r"^[A-Za-z0-9 _#:=,+-]{0,80}$")
_INSERT_SQL = """
INSERT INTO audit_log VALUES (nextval('audit_seq'), $at, $actor, $action, $object)
"""
_ENTRIES_SQL = """
SELECT entry_id, recorded_at, actor, action, object FROM audit_log
ORDER BY entry_id DESC LIMIT $limit
"""


@contextlib.contextmanager
def acting_as(who: str) -> Iterator[None]:
    """Record the admin actions inside the block as done by ``who``."""
    token = actor.set(who)
    try:
        yield
    finally:
        actor.reset(token)


def _utc_naive(moment: dt.datetime | None) -> dt.datetime:
    """Timestamps are stored as naive UTC (as the shares table keeps them)."""
    if moment is None:
        moment = dt.datetime.now(dt.UTC)
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    return moment


def _object_text(obj: Any) -> str | None:
    if obj is None:
        return None
    text = str(obj)
    if not _SAFE_OBJECT.match(text):
        raise ValueError("an audit object must be an id, a count or a short word")
    return text


def record(
    store: Store, who: str | None, action: str, obj: Any = None, *, now: dt.datetime | None = None
) -> None:
    """Append one entry. ``who``: the actor (None: the context's :data:`actor`); ``action``:
    one of :data:`ACTIONS`; ``obj``: an upload id, a count or None.

    Raises ValueError for an unknown action or an object that could hold an identifier (a
    programming error, caught by tests). A database failure is logged, not raised: the
    action it records has already been done.
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    params = {
        "at": _utc_naive(now),
        "actor": who if who is not None else actor.get(),
        "action": action,
        "object": _object_text(obj),
    }
    try:
        with store.transaction(bump=False) as cur:
            cur.execute(_INSERT_SQL, params)
    except duckdb.Error:
        log.exception("could not record audit entry %s", action)


_UNSAFE_CHARS = re.compile(r"[^A-Za-z0-9 _#:=,+-]+")


def sector_change_object(change_id: int, old: tuple[int, str] | None, new: tuple[int, str]) -> str:
    """The audit object of a sector mapping change: its id, then the old and new industry
    (id and English label), e.g. ``"#3: 96 IT Services and IT Consulting to 43 Financial
    Services"``; ``old`` None (no earlier mapping) reads "kept as written".

    Never the sector text itself: it was typed by an uploader and could be anything, a
    person's name included. Characters the object pattern refuses (``&``, ``'``) become a
    space, and the whole is cut to 80 characters (ids first, so they always survive).
    """
    before = "kept as written" if old is None else f"{old[0]} {old[1]}"
    text = f"#{int(change_id)}: {before} to {new[0]} {new[1]}"
    return re.sub(r"\s+", " ", _UNSAFE_CHARS.sub(" ", text)).strip()[:80].rstrip()


def entries(store: Store, limit: int = 100) -> list[dict[str, Any]]:
    """The newest ``limit`` entries, newest first: entry_id, at (naive UTC), actor, action,
    object."""
    with store.cursor() as cur:
        rows = cur.execute(_ENTRIES_SQL, {"limit": max(0, int(limit))}).fetchall()
    return [
        {"entry_id": int(r[0]), "at": r[1], "actor": r[2], "action": r[3], "object": r[4]}
        for r in rows
    ]
