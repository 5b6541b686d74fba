"""Settings, declared once as (name, environment variable, default, help).

:func:`Settings.from_env` builds the frozen settings object from the environment; the README's
settings table is generated from :data:`SETTINGS` and a test keeps the two in step.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ssi_bench.errors import SSIBenchError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = PROJECT_ROOT / "data" / "ssi_bench.duckdb"

#: The privacy floor: no configuration may publish a cohort smaller than this.
MIN_COHORT_FLOOR = 5
#: Shortest accepted SSI_BENCH_SECRET, in characters. A short secret can be guessed
#: offline by anyone who knows one identifier and its stored pseudonym (a member who knows
#: her own scores finds her row): "acme2026" fell in 32 guesses.
MIN_SECRET_CHARS = 32
SECRET_HOWTO = 'python -c "import secrets; print(secrets.token_urlsafe(32))"'  # noqa: S105 - a command, not a secret

#: Default score bands: (lower bound inclusive, label). Commonly quoted LinkedIn bands.
DEFAULT_BANDS: tuple[tuple[float, str], ...] = (
    (0.0, "Room to improve"),
    (50.0, "Average"),
    (60.0, "Good"),
    (70.0, "Very good"),
    (80.0, "Excellent"),
)


@dataclass(frozen=True)
class Setting:
    name: str
    env: str
    default: Any
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("db_path", "SSI_BENCH_DB", str(DEFAULT_DB), "DuckDB file holding all data."),
    Setting(
        "secret",
        "SSI_BENCH_SECRET",
        None,
        f"HMAC key for pseudonyms, at least {MIN_SECRET_CHARS} characters (make one with "
        f"`{SECRET_HOWTO}`). Unset: a key file `<db>.key` (32 random bytes, mode 0600) is "
        "created beside the database on first use. Keep it with every backup.",
    ),
    Setting(
        "min_cohort",
        "SSI_BENCH_MIN_COHORT",
        10,
        f"Minimum cohort size k; smaller cohorts are never shown. Never below {MIN_COHORT_FLOOR}.",
    ),
    Setting(
        "lookback_days",
        "SSI_BENCH_LOOKBACK_DAYS",
        90,
        "A person counts in a cohort with their latest snapshot at most this many days old.",
    ),
    Setting("max_upload_mb", "SSI_BENCH_MAX_UPLOAD_MB", 200, "Largest accepted file, in MB."),
    Setting("max_rows", "SSI_BENCH_MAX_ROWS", 5_000_000, "Most data rows accepted in one file."),
    Setting(
        "max_field_chars",
        "SSI_BENCH_MAX_FIELD_CHARS",
        1_000,
        "Longest accepted value in one cell, in characters.",
    ),
    Setting("share_days", "SSI_BENCH_SHARE_DAYS", 30, "Days until a share link expires."),
    Setting(
        "admin_password",
        "SSI_BENCH_ADMIN_PASSWORD",
        None,
        "Password for Upload and Data (or `admin_password` in .streamlit/secrets.toml). "
        "Unset: the app runs open and says so.",
    ),
    Setting(
        "bands",
        "SSI_BENCH_BANDS",
        ",".join(f"{int(lo)}:{label}" for lo, label in DEFAULT_BANDS),
        "Score bands as `lower:label,…`, lower bounds ascending from 0.",
    ),
    Setting(
        "admins",
        "SSI_BENCH_ADMINS",
        None,
        "Admins (Upload, Data, links, audit log) when sign-in is configured: comma-separated "
        "e-mail addresses or `*@domain` patterns, case-insensitive. Read on every page run.",
    ),
    Setting(
        "managers",
        "SSI_BENCH_MANAGERS",
        None,
        "Managers (Outcomes, exports of published benchmarks): e-mail addresses or "
        "`*@domain` patterns, as for SSI_BENCH_ADMINS. Admins are managers too.",
    ),
    Setting(
        "allowed_emails",
        "SSI_BENCH_ALLOWED_EMAILS",
        None,
        "Who may use the app at all when sign-in is configured (e-mail addresses or "
        "`*@domain` patterns). Unset: anyone the identity provider admits. Admins and "
        "managers are always allowed.",
    ),
    Setting(
        "role_claim",
        "SSI_BENCH_ROLE_CLAIM",
        None,
        "ID-token claim holding the person's groups or roles (e.g. `groups`, `roles`), "
        "matched against SSI_BENCH_ADMIN_GROUP and SSI_BENCH_MANAGER_GROUP.",
    ),
    Setting(
        "admin_group",
        "SSI_BENCH_ADMIN_GROUP",
        None,
        "Value of the role claim that makes a person admin (an Entra group id, an Okta group).",
    ),
    Setting(
        "manager_group",
        "SSI_BENCH_MANAGER_GROUP",
        None,
        "Value of the role claim that makes a person manager.",
    ),
    Setting(
        "session_hours",
        "SSI_BENCH_SESSION_HOURS",
        12,
        "Longest sign-in session, in hours from the ID token's `iat`; older sessions must "
        "sign in again (Streamlit's own cookie lasts 30 days).",
    ),
    Setting(
        "email_claim",
        "SSI_BENCH_EMAIL_CLAIM",
        "email",
        "ID-token claim that names the signed-in person: `email`, or `preferred_username` "
        "for Microsoft Entra ID tenants that send no `email`.",
    ),
    Setting("link_days", "SSI_BENCH_LINK_DAYS", 60, "Days until a private link expires."),
    Setting(
        "public_url",
        "SSI_BENCH_PUBLIC_URL",
        None,
        "Address people use to reach the app (e.g. `https://bench.example.com/ssi`); private "
        "and share links are built from it. Unset: http://127.0.0.1:8501.",
    ),
)


def parse_bands(text: str) -> tuple[tuple[float, str], ...]:
    """Parse ``"0:Low,50:Average"`` into ((0.0, "Low"), (50.0, "Average")).

    Raises SSIBenchError when bounds are not numbers, not ascending, or do not start at 0.
    """
    bands: list[tuple[float, str]] = []
    for part in text.split(","):
        lo, sep, label = part.partition(":")
        try:
            bound = float(lo)
        except ValueError:
            raise SSIBenchError(f"SSI_BENCH_BANDS: {lo!r} is not a number") from None
        if not sep or not label.strip():
            raise SSIBenchError(f"SSI_BENCH_BANDS: band {part!r} needs the form lower:label")
        bands.append((bound, label.strip()))
    if not bands or bands[0][0] != 0 or any(a[0] >= b[0] for a, b in itertools.pairwise(bands)):
        raise SSIBenchError("SSI_BENCH_BANDS: lower bounds must start at 0 and ascend")
    return tuple(bands)


@dataclass(frozen=True)
class Settings:
    db_path: Path = DEFAULT_DB
    secret: str | None = None
    min_cohort: int = 10
    lookback_days: int = 90
    max_upload_mb: int = 200
    max_rows: int = 5_000_000
    max_field_chars: int = 1_000
    share_days: int = 30
    admin_password: str | None = field(default=None, repr=False)
    bands: tuple[tuple[float, str], ...] = DEFAULT_BANDS
    admins: str | None = None
    managers: str | None = None
    allowed_emails: str | None = None
    role_claim: str | None = None
    admin_group: str | None = None
    manager_group: str | None = None
    session_hours: int = 12
    email_claim: str = "email"
    link_days: int = 60
    public_url: str | None = None

    def __post_init__(self) -> None:
        if self.min_cohort < MIN_COHORT_FLOOR:
            raise SSIBenchError(
                f"minimum cohort size {self.min_cohort} is below the floor of {MIN_COHORT_FLOOR}"
            )
        if self.lookback_days < 1:
            raise SSIBenchError("look-back window must be at least 1 day")
        if self.session_hours < 1:
            raise SSIBenchError("SSI_BENCH_SESSION_HOURS must be at least 1 hour")
        if self.link_days < 1:
            raise SSIBenchError("SSI_BENCH_LINK_DAYS must be at least 1 day")
        if self.secret is not None and len(self.secret) < MIN_SECRET_CHARS:
            # The value itself is never repeated in the message (it ends up in logs).
            raise SSIBenchError(
                f"SSI_BENCH_SECRET is {len(self.secret)} characters long; at least "
                f"{MIN_SECRET_CHARS} are needed, or anyone holding the database could guess "
                f"it and re-identify people. Generate one with: {SECRET_HOWTO} "
                "(or unset it to use a key file of 32 random bytes beside the database)."
            )

    @property
    def max_upload_bytes(self) -> int:
        return self.max_upload_mb * 1024 * 1024

    def band(self, score: float) -> str:
        """The label of the band ``score`` falls in (lower bounds inclusive)."""
        label = self.bands[0][1]
        for lo, name in self.bands:
            if score >= lo:
                label = name
        return label

    def with_(self, **changes: Any) -> Settings:
        return replace(self, **changes)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Settings from environment variables (see :data:`SETTINGS`), then ``overrides``."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for s in SETTINGS:
            raw = env.get(s.env)
            if raw is None or raw == "":
                continue
            if s.name == "db_path":
                values[s.name] = Path(raw)
            elif s.name == "bands":
                values[s.name] = parse_bands(raw)
            elif isinstance(s.default, int):
                try:
                    values[s.name] = int(raw)
                except ValueError:
                    raise SSIBenchError(f"{s.env}: {raw!r} is not a whole number") from None
            else:
                values[s.name] = raw
        values.update({k: v for k, v in overrides.items() if v is not None})
        if "db_path" in values:
            values["db_path"] = Path(values["db_path"])
        return cls(**values)
