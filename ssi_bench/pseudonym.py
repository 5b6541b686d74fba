"""Identifier normalisation and keyed hashing; the key file.

``person_key`` = HMAC-SHA256(secret, normalised identifier), hex, truncated to 128 bits.
The raw identifier is never written anywhere: callers hash it in memory and drop it.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from pathlib import Path

import numpy as np
import pandas as pd

from ssi_bench.config import Settings
from ssi_bench.errors import SSIBenchError

KEY_BYTES = 32
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://")
_SPACE = re.compile(r"\s+")
#: Per-process key for in-memory databases without a configured secret.
_EPHEMERAL = secrets.token_bytes(KEY_BYTES)


def _looks_like_url(text: str) -> bool:
    return bool(_SCHEME.match(text)) or text.startswith("www.") or "linkedin.com/" in text


def normalise_identifier(raw: str) -> str:
    """Trim, case-fold and collapse spaces; profile URLs lose scheme, ``www.``, query,
    fragment and trailing slash (``https://www.LinkedIn.com/in/Jane/?trk=x`` →
    ``linkedin.com/in/jane``). Raises SSIBenchError on an empty identifier."""
    text = _SPACE.sub(" ", str(raw).strip()).casefold()
    if _looks_like_url(text):
        text = _SCHEME.sub("", text)
        text = text.split("#", 1)[0].split("?", 1)[0]
        text = text.removeprefix("www.").rstrip("/")
    if not text:
        raise SSIBenchError("empty identifier")
    return text


def key_file_for(db_path: Path) -> Path:
    """The key file beside (never inside) the database: ``<db>.key``."""
    return Path(str(db_path) + ".key")


def load_secret(settings: Settings) -> bytes:
    """The HMAC key: ``settings.secret``, else the key file beside the database.

    The key file is created on first use with 32 random bytes (hex) and mode 0600,
    race-safely (O_EXCL). An in-memory database without a secret gets a per-process key.
    Raises SSIBenchError when an existing key file is not a valid key.
    """
    if settings.secret:
        return settings.secret.encode("utf-8")
    db = Path(settings.db_path)
    if str(db) == ":memory:":
        return _EPHEMERAL
    path = key_file_for(db)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(KEY_BYTES))
    text = path.read_text(encoding="ascii", errors="replace").strip()
    try:
        key = bytes.fromhex(text)
    except ValueError:
        key = b""
    if len(key) < 16:
        raise SSIBenchError(
            f"{path} is not a valid SSI Bench key file. Restore it from the backup taken with "
            "the database; without it identifiers cannot be matched to stored pseudonyms."
        )
    return key


def person_key(secret: bytes, identifier: str) -> str:
    """128-bit hex pseudonym of ``identifier`` (after :func:`normalise_identifier`)."""
    norm = normalise_identifier(identifier)
    return hmac.new(secret, norm.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


def person_keys(secret: bytes, identifiers: pd.Series) -> pd.Series:
    """Vectorised :func:`person_key`: each distinct identifier is hashed once."""
    codes, uniques = pd.factorize(identifiers.astype("str"), use_na_sentinel=False)
    keys = np.array([person_key(secret, str(u)) for u in uniques], dtype=object)
    return pd.Series(keys[codes], index=identifiers.index, dtype="str")
