"""Who is asking: the signed-in person, a private link, or nobody in particular — and what
they may see.

A page asks two questions only: *who is this viewer* (:func:`viewer_from_claims`,
:func:`link_viewer`, :func:`open_viewer`, :func:`password_admin`) and *may they see X*
(:meth:`Viewer.may`). No Streamlit here: the web layer hands in ``st.user`` as a mapping.

Roles nest: admin ⊃ manager ⊃ seller. They come from settings (``SSI_BENCH_ADMINS``,
``SSI_BENCH_MANAGERS``: e-mail addresses or ``*@domain`` patterns) and optionally from an
ID-token claim (``SSI_BENCH_ROLE_CLAIM`` with ``SSI_BENCH_ADMIN_GROUP`` /
``SSI_BENCH_MANAGER_GROUP``). They are read again on every call (reading the settings costs
about 20 µs), so removing someone from a list takes effect on their next page run, without a
new sign-in.

The signed-in person is the e-mail claim, normalised and keyed-hashed exactly like an
uploaded identifier (:func:`ssi_bench.pseudonym.person_key`): it finds their own rows with no
typing, and the address itself goes no further than this function.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import ipaddress
import threading
import time
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from ssi_bench.config import Settings
from ssi_bench.errors import SSIBenchError
from ssi_bench.pseudonym import person_key


class Role(enum.IntEnum):
    """Ordered so that ``role >= Role.MANAGER`` reads as "at least a manager"."""

    SELLER = 1
    MANAGER = 2
    ADMIN = 3


#: Page slug (or admin capability) → the least role that may use it. Pages not listed here
#: are refused to everyone (:meth:`Viewer.may`): a new page must be placed deliberately.
PAGE_ROLES: Mapping[str, Role] = {
    "home": Role.SELLER,
    "my_benchmark": Role.SELLER,
    "trends": Role.SELLER,
    "sectors": Role.SELLER,
    "networks": Role.SELLER,
    "outcomes": Role.MANAGER,
    "exports": Role.MANAGER,  # downloads of the published benchmarks
    "upload": Role.ADMIN,
    "data": Role.ADMIN,
}

ViewerKind = Literal["oidc", "link", "open", "password_admin"]

#: Audit-log actors that are not a person's keyed hash.
PASSWORD_ADMIN = "password admin"  # noqa: S105 (a label, not a password)
OPEN_MODE = "open mode"
PRIVATE_LINK = "private link"

#: Accepted clock skew between the identity provider and this server for ``iat``.
CLOCK_SKEW = dt.timedelta(minutes=5)


@dataclass(frozen=True)
class Viewer:
    """Who is looking at a page.

    kind: ``"oidc"`` (signed in with the identity provider), ``"link"`` (a private link),
    ``"open"`` (no sign-in configured), ``"password_admin"`` (the shared admin password, only
    without sign-in). person_key: whose own figures this viewer may see, None when nobody's
    (open mode, password admin). actor: what the audit log records for their actions (the
    keyed hash of their e-mail, or a fixed label) — never an identifier.
    """

    kind: ViewerKind
    role: Role
    person_key: str | None
    actor: str

    def may(self, page: str) -> bool:
        """Whether this viewer may open ``page`` (a :data:`PAGE_ROLES` slug).

        Unknown slugs are refused, so a page missing from the table is never shown by
        accident.
        """
        needed = PAGE_ROLES.get(page)
        return needed is not None and self.role >= needed

    def may_see_person(self, key: str | None) -> bool:
        """Whether this viewer may see the individual figures of the person ``key``: only
        their own. An open-mode viewer has no own figures and sees by typed identifier only
        (the page says so, and throttles it)."""
        return key is not None and self.person_key is not None and key == self.person_key

    @property
    def pages(self) -> tuple[str, ...]:
        """The page slugs this viewer's navigation lists, in :data:`PAGE_ROLES` order."""
        return tuple(p for p in PAGE_ROLES if self.may(p))

    @property
    def is_admin(self) -> bool:
        return self.role >= Role.ADMIN

    @property
    def is_manager(self) -> bool:
        return self.role >= Role.MANAGER


# ---------------------------------------------------------------------- refusals
RefusalReason = Literal["not_allowed", "unverified", "no_email", "expired"]


class SignInRefused(SSIBenchError):
    """A sign-in that must not open the app. ``reason`` says which kind; the message is
    polite, actionable and names nobody (it is shown to whoever holds the session)."""

    reason: RefusalReason = "not_allowed"

    def __init__(self, message: str) -> None:
        super().__init__(message)


class NotAllowedError(SignInRefused):
    reason: RefusalReason = "not_allowed"


class UnverifiedEmailError(SignInRefused):
    reason: RefusalReason = "unverified"


class NoEmailError(SignInRefused):
    reason: RefusalReason = "no_email"


class SessionExpiredError(SignInRefused):
    reason: RefusalReason = "expired"


NOT_ALLOWED = (
    "This account may not use SSI Bench. If you think it should, ask your SSI Bench "
    "administrator to add it, then sign in again."
)
UNVERIFIED = (
    "Your identity provider has not verified this account's e-mail address, so SSI Bench "
    "cannot tell which figures are yours. Verify the address with your provider, then sign "
    "in again."
)


# ---------------------------------------------------------------------- patterns
@dataclass(frozen=True)
class Patterns:
    """A parsed list of e-mail addresses and ``*@domain`` patterns (case-insensitive).

    ``*`` alone matches every address. ``*@example.com`` matches ``x@example.com`` only:
    not ``x@sub.example.com`` nor ``x@badexample.com`` (list subdomains one by one).
    """

    emails: frozenset[str]
    domains: frozenset[str]
    anyone: bool = False

    def matches(self, email: str) -> bool:
        address = _normalise_email(email)
        if self.anyone or address in self.emails:
            return True
        local, at, domain = address.rpartition("@")
        return bool(at and local and domain in self.domains)

    def __bool__(self) -> bool:
        return bool(self.anyone or self.emails or self.domains)


def _normalise_email(text: str) -> str:
    # The same spelling rules as an uploaded e-mail (trim, NFC, case-fold).
    return unicodedata.normalize("NFC", text).strip().casefold()


@functools.lru_cache(maxsize=64)
def parse_patterns(text: str | None, setting: str = "patterns") -> Patterns:
    """Parse ``"jane@x.org, *@Example.com"``; blank entries are skipped, None → no pattern.

    Raises SSIBenchError naming ``setting`` and the entry's position (not its text, which may
    be an address) when an entry is neither an address, ``*@domain`` nor ``*``: a typo in a
    role list must be loud, not silently grant or deny.
    """
    emails: set[str] = set()
    domains: set[str] = set()
    anyone = False
    for i, raw in enumerate((text or "").split(","), start=1):
        entry = _normalise_email(raw)
        if not entry:
            continue
        if entry == "*":
            anyone = True
            continue
        local, at, domain = entry.rpartition("@")
        ok_domain = bool(domain) and "*" not in domain and "@" not in domain and " " not in domain
        if at and ok_domain and local == "*":
            domains.add(domain)
        elif at and ok_domain and local and "*" not in local and " " not in local:
            emails.add(entry)
        else:
            raise SSIBenchError(
                f"{setting}: entry {i} is not an e-mail address or a *@domain pattern"
            )
    return Patterns(frozenset(emails), frozenset(domains), anyone)


# ---------------------------------------------------------------------- viewers
def _is_false(value: Any) -> bool:
    # Some providers send booleans as strings ("false").
    if isinstance(value, str):
        return value.strip().casefold() in ("false", "0", "no")
    return value is False or value == 0


def _claim_values(value: Any) -> set[str]:
    """A group/role claim as a set of case-folded strings (a list, or one string)."""
    if isinstance(value, str):
        return {value.strip().casefold()} if value.strip() else set()
    if isinstance(value, list | tuple | set | frozenset):
        return {str(v).strip().casefold() for v in value if str(v).strip()}
    return set()


def _utc(moment: dt.datetime | None) -> dt.datetime:
    if moment is None:
        return dt.datetime.now(dt.UTC)
    if moment.tzinfo is None:  # naive: UTC, as the store keeps it
        return moment.replace(tzinfo=dt.UTC)
    return moment


def _issued_at(claims: Mapping[str, Any]) -> dt.datetime | None:
    raw = claims.get("iat")
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        return None
    try:
        return dt.datetime.fromtimestamp(float(raw), dt.UTC)
    except (TypeError, ValueError, OverflowError, OSError):  # not a number, or out of range
        return None


def role_for(email: str, claims: Mapping[str, Any], settings: Settings) -> Role | None:
    """The role that ``settings`` give to ``email`` (lists) or to ``claims`` (the role
    claim), the higher of the two; None when neither names them (then they are a seller if
    they are allowed at all)."""
    role: Role | None = None
    if parse_patterns(settings.admins, "SSI_BENCH_ADMINS").matches(email):
        return Role.ADMIN
    if parse_patterns(settings.managers, "SSI_BENCH_MANAGERS").matches(email):
        role = Role.MANAGER
    if settings.role_claim:
        values = _claim_values(claims.get(settings.role_claim))
        if settings.admin_group and settings.admin_group.strip().casefold() in values:
            return Role.ADMIN
        if settings.manager_group and settings.manager_group.strip().casefold() in values:
            role = Role.MANAGER
    return role


def viewer_from_claims(
    claims: Mapping[str, Any],
    settings: Settings | None,
    secret: bytes,
    now: dt.datetime | None = None,
) -> Viewer:
    """The viewer behind a signed-in session's ID-token claims (``st.user`` as a mapping).

    Steps, each refusing with a :class:`SignInRefused` subclass whose message names nobody:

    1. the e-mail is the claim ``settings.email_claim`` (default ``email``; Entra tenants
       without it: ``preferred_username``) — missing or blank: :class:`NoEmailError`;
    2. ``email_verified`` present and false (``False``, ``"false"``, ``0``):
       :class:`UnverifiedEmailError`;
    3. the session is older than ``settings.session_hours`` from the token's ``iat`` (an age
       of exactly that many hours still passes), ``iat`` is missing, or lies more than
       :data:`CLOCK_SKEW` in the future: :class:`SessionExpiredError`;
    4. not matched by ``SSI_BENCH_ALLOWED_EMAILS`` (unset: everyone) and given no role:
       :class:`NotAllowedError`.

    Then role = the higher of the role lists and the role claim (:func:`role_for`), else
    seller; person_key = :func:`ssi_bench.pseudonym.person_key` of the address (so it finds
    their uploaded rows); actor = that same key.

    ``settings=None`` (what a page should pass) reads the settings from the environment now,
    so role changes apply at once. ``now``: aware, or naive UTC; default: the current time.
    Raises SSIBenchError for a malformed role or allow list (naming the setting).
    """
    settings = Settings.from_env() if settings is None else settings
    claim = settings.email_claim or "email"
    raw = claims.get(claim)
    if not isinstance(raw, str) or not raw.strip():
        raise NoEmailError(
            f"Your identity provider sent no '{claim}' claim, so SSI Bench cannot tell who "
            "you are. Ask your SSI Bench administrator to check the sign-in configuration "
            "(SSI_BENCH_EMAIL_CLAIM)."
        )
    if "email_verified" in claims and _is_false(claims["email_verified"]):
        raise UnverifiedEmailError(UNVERIFIED)
    moment = _utc(now)
    issued = _issued_at(claims)
    max_age = dt.timedelta(hours=settings.session_hours)
    if issued is None or moment - issued > max_age or issued - moment > CLOCK_SKEW:
        raise SessionExpiredError(
            f"Your sign-in has expired (sessions last {settings.session_hours} hours). "
            "Sign in again."
        )
    email = _normalise_email(raw)
    role = role_for(email, claims, settings)
    allowed = parse_patterns(settings.allowed_emails, "SSI_BENCH_ALLOWED_EMAILS")
    if role is None and allowed and not allowed.matches(email):
        raise NotAllowedError(NOT_ALLOWED)
    key = person_key(secret, email)
    return Viewer(kind="oidc", role=role or Role.SELLER, person_key=key, actor=key)


def link_viewer(key: str) -> Viewer:
    """The viewer of a resolved private link: that person's own views, never more than a
    seller (links grant no admin or manager rights, whoever they belong to)."""
    return Viewer(kind="link", role=Role.SELLER, person_key=key, actor=PRIVATE_LINK)


def open_viewer(settings: Settings | None = None) -> Viewer:
    """The viewer in open mode (no sign-in configured, no private link).

    A seller with no own figures. When no admin password is configured either, the local
    single-user install stays as it was (Upload and Data open), so the open viewer is admin;
    with a password, admin pages need :func:`password_admin`.
    """
    settings = Settings.from_env() if settings is None else settings
    role = Role.SELLER if settings.admin_password else Role.ADMIN
    return Viewer(kind="open", role=role, person_key=None, actor=OPEN_MODE)


def password_admin() -> Viewer:
    """The viewer who typed the shared admin password (installations without sign-in)."""
    return Viewer(kind="password_admin", role=Role.ADMIN, person_key=None, actor=PASSWORD_ADMIN)


# ---------------------------------------------------------------------- throttle
def _meaningful_address(client: str | None) -> str | None:
    """``client`` when it tells browsers apart; None for blanks and loopback addresses
    (behind a proxy or on a laptop every browser has that one address, so throttling it
    would be throttling the whole server)."""
    if not client or not client.strip():
        return None
    try:
        if ipaddress.ip_address(client.strip()).is_loopback:
            return None
    except ValueError:
        pass  # not an IP (e.g. a host name): still a distinct client
    return client.strip()


@dataclass
class _Tally:
    count: int
    last: float


class Throttle:
    """Back-off for identification attempts and admin-password tries, per browser session
    and per client address — never for the whole server, so a stranger hammering the form
    slows only themself, and the real admin in another browser is not locked out.

    Each key gets ``free`` attempts; after that each further attempt must wait
    ``base_seconds · 2^(n − free)`` seconds (capped at ``max_seconds``) since the previous
    one. A key's count is forgotten ``forget_seconds`` after its last attempt, or on
    :meth:`reset` (a correct password). ``clock``: seconds, monotonic (injectable for tests).
    Thread-safe; keeps at most ``max_keys`` keys (the idlest are dropped first).

    Usage: ``wait = t.wait_seconds(s, ip)``; if ``wait > 0`` refuse ("try again in …")
    without checking anything; else ``t.record(s, ip)`` and check. For identification every
    attempt is recorded (so the throttle does not reveal whether an identifier exists); for
    a password only failures, and a success calls :meth:`reset`.
    """

    def __init__(
        self,
        *,
        free: int = 5,
        base_seconds: float = 2.0,
        max_seconds: float = 300.0,
        forget_seconds: float = 900.0,
        max_keys: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.free = free
        self.base_seconds = base_seconds
        self.max_seconds = max_seconds
        self.forget_seconds = forget_seconds
        self.max_keys = max_keys
        self.clock = clock
        self._lock = threading.Lock()
        self._tallies: dict[str, _Tally] = {}

    @staticmethod
    def _keys(session: str, client: str | None) -> list[str]:
        keys = [f"session:{session}"]
        address = _meaningful_address(client)
        if address is not None:
            keys.append(f"client:{address}")
        return keys

    def _delay(self, tally: _Tally | None) -> float:
        if tally is None or tally.count < self.free:
            return 0.0
        return min(self.base_seconds * 2 ** (tally.count - self.free), self.max_seconds)

    def _live(self, key: str, now: float) -> _Tally | None:
        tally = self._tallies.get(key)
        if tally is not None and now - tally.last >= self.forget_seconds:
            del self._tallies[key]
            return None
        return tally

    def wait_seconds(self, session: str, client: str | None = None) -> float:
        """Seconds this session (or client address) must still wait; 0.0: go ahead."""
        with self._lock:
            now = self.clock()
            waits = [0.0]
            for key in self._keys(session, client):
                tally = self._live(key, now)
                if tally is not None:
                    waits.append(self._delay(tally) - (now - tally.last))
            return max(0.0, *waits)

    def record(self, session: str, client: str | None = None) -> None:
        """Count one attempt for the session and the client address."""
        with self._lock:
            now = self.clock()
            for key in self._keys(session, client):
                tally = self._live(key, now)
                if tally is None:
                    self._tallies[key] = _Tally(1, now)
                else:
                    tally.count += 1
                    tally.last = now
            if len(self._tallies) > self.max_keys:
                idlest = sorted(self._tallies, key=lambda k: self._tallies[k].last)
                for key in idlest[: len(self._tallies) - self.max_keys]:
                    del self._tallies[key]

    def reset(self, session: str, client: str | None = None) -> None:
        """Forget the session's (and client address's) attempts, e.g. after a correct
        password."""
        with self._lock:
            for key in self._keys(session, client):
                self._tallies.pop(key, None)
