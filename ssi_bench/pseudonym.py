"""Identifier normalisation and keyed hashing: how a person becomes a ``person_key``.

``person_key`` = HMAC-SHA256(secret, normalised identifier), hex, first 32 hex characters
(128 bits). The raw identifier (e-mail, profile URL, employee id, name) never leaves memory:
only the key is stored. The secret is ``SSI_BENCH_SECRET`` or a key file ``<db>.key`` beside
the database (mode 0600, created on first use). Losing the secret means nobody can find their
own rows again (the stored keys cannot be recomputed), so the key file belongs in every backup.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import re
import secrets
import stat
import time
import unicodedata
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ssi_bench.config import Settings
from ssi_bench.errors import SSIBenchError

log = logging.getLogger(__name__)

#: Hex characters kept from the HMAC digest: 32 hex = 128 bits.
KEY_HEX_CHARS = 32
#: Random bytes in a generated key file (written as 64 hex characters).
KEY_FILE_BYTES = KEY_BYTES = 32

_WHITESPACE = re.compile(r"\s+")
_SCHEME = re.compile(r"^[a-z][a-z0-9+.\-]*://")
# A host followed by a path ("linkedin.com/in/x"): a URL even without a scheme.
_HOST_WITH_PATH = re.compile(r"^[a-z0-9\-]+(\.[a-z0-9\-]+)+(:\d+)?/")
# LinkedIn serves the same profile under country hosts (nl.linkedin.com, de.linkedin.com).
_LINKEDIN_COUNTRY_HOST = re.compile(r"^[a-z]{2}\.linkedin\.com(?=/|$)")
_HEX_KEY = re.compile(r"^[0-9a-f]{32,}$")

# One random key per process for in-memory databases without a configured secret: keys
# made with it are meaningless after the process ends, which is what an in-memory DB is.
_PROCESS_KEY = secrets.token_bytes(KEY_FILE_BYTES)


def _looks_like_url(text: str) -> bool:
    if "@" in text.split("/", 1)[0] or " " in text:
        return False  # an e-mail address or a name, not a URL
    return bool(_SCHEME.match(text) or text.startswith("www.") or _HOST_WITH_PATH.match(text))


def _normalise_url(text: str) -> str:
    text = _SCHEME.sub("", text, count=1)
    # Query string and fragment carry tracking parameters, never identity.
    text = text.split("#", 1)[0].split("?", 1)[0]
    # Percent-encoded and plain spellings of the same path (%C3%A9 vs é) are one person.
    text = unicodedata.normalize("NFC", unquote(text)).casefold()
    if text.startswith("www."):
        text = text[4:]
    text = _LINKEDIN_COUNTRY_HOST.sub("linkedin.com", text, count=1)
    return text.rstrip("/")


def normalise_identifier(raw: str) -> str:
    """The canonical spelling of a person identifier, the input of :func:`person_key`.

    Trims, applies Unicode NFC and ``str.casefold``, and collapses inner whitespace runs to
    one space. Profile URLs (a scheme, a leading ``www.`` or ``host.tld/path``) also lose the
    scheme, ``www.``, query string, fragment and trailing slashes, are percent-decoded, and
    country hosts ``xx.linkedin.com`` become ``linkedin.com``:
    ``https://www.LinkedIn.com/in/Jane-Doe/?trk=x`` → ``linkedin.com/in/jane-doe``.
    E-mail addresses are only trimmed and case-folded.

    Raises SSIBenchError when nothing is left (empty or whitespace-only, or not a string).
    """
    if not isinstance(raw, str):
        raise SSIBenchError("A person identifier must be text.")
    text = _WHITESPACE.sub(" ", unicodedata.normalize("NFC", raw).strip()).casefold()
    if _looks_like_url(text):
        text = _normalise_url(text)
    if not text:
        raise SSIBenchError("A person identifier is empty.")
    return text


def _valid_key_text(text: str) -> bytes | None:
    text = text.strip().lower()
    if not _HEX_KEY.match(text) or len(text) % 2:
        return None
    return bytes.fromhex(text)


def _read_key_file(path: Path) -> bytes:
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        # Not refused: the key may be deliberately shared by a group of admins; but say so.
        log.warning("key file %s is readable by other users (mode %o)", path, mode & 0o777)
    # A second process may have created the file a moment ago and not written it yet.
    deadline = time.monotonic() + 1.0
    while True:
        text = path.read_text(encoding="ascii", errors="replace")
        key = _valid_key_text(text)
        if key is not None:
            return key
        if text.strip() or time.monotonic() > deadline:
            break
        time.sleep(0.02)
    raise SSIBenchError(
        f"The key file {path} does not hold a valid key (expected at least 32 hexadecimal "
        "characters). Restore it from your backup, or set SSI_BENCH_SECRET. Do not delete it "
        "while the database holds data: stored pseudonyms could no longer be matched."
    )


def _create_key_file(path: Path) -> bytes | None:
    """Create ``path`` with a fresh key; None when another process created it first."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # Write the key to a private temp file, then link it into place: the key file appears
    # complete or not at all (a kill mid-write cannot leave an empty key), and os.link
    # fails if it exists, so of two processes starting at once exactly one creates it.
    key = secrets.token_bytes(KEY_FILE_BYTES)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(key.hex() + "\n")
            f.flush()
            os.fsync(f.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            return None
    finally:
        tmp.unlink(missing_ok=True)
    return key


def key_file_for(db_path: Path | str) -> Path:
    """Where the key file for the database ``db_path`` lives: ``<db path>.key``, beside it."""
    return Path(str(db_path) + ".key")


def load_secret(settings: Settings) -> bytes:
    """The HMAC key: ``settings.secret`` (UTF-8) if set; else the key file beside the DB.

    The key file ``<db>.key`` is created on first use with 32 random bytes written as hex,
    mode 0600; it is never inside the database, so a leaked database alone cannot be
    re-identified by hashing guessed e-mails. For an in-memory database without a secret,
    a random key that lives as long as the process.

    Raises SSIBenchError when the key file exists but holds no valid key (it is never
    overwritten: that would orphan every stored pseudonym). A key file readable by group or
    others is used, with a logged warning.
    """
    if settings.secret:
        return settings.secret.encode("utf-8")
    if str(settings.db_path) == ":memory:":
        return _PROCESS_KEY
    path = key_file_for(settings.db_path)
    if not path.exists():
        created = _create_key_file(path)
        if created is not None:
            return created
    try:
        return _read_key_file(path)
    except OSError as exc:
        raise SSIBenchError(f"The key file {path} cannot be read: {exc.strerror}.") from None


def person_key(secret: bytes, identifier: str) -> str:
    """HMAC-SHA256 of the normalised ``identifier`` under ``secret``: 32 lower-case hex chars.

    Raises SSIBenchError for an empty identifier (see :func:`normalise_identifier`).
    """
    message = normalise_identifier(identifier).encode("utf-8")
    return hmac.new(secret, message, hashlib.sha256).hexdigest()[:KEY_HEX_CHARS]


def person_keys(secret: bytes, identifiers: pd.Series) -> pd.Series:
    """:func:`person_key` of every value, same index, ``str`` dtype.

    Each distinct value is hashed once and the results are mapped back, so a million rows of
    twenty thousand people cost twenty thousand HMACs. Raises SSIBenchError when any value is
    missing or empty.
    """
    codes, keys = person_key_codes(secret, identifiers)
    return key_column(codes, keys, identifiers.index)


def key_column(codes: np.ndarray[Any, Any], keys: Any, index: pd.Index) -> pd.Series:
    """The ``person_key`` column (``str`` dtype) from :func:`person_key_codes` output."""
    column = pc.take(keys, pa.array(codes))
    values = column.to_pandas(types_mapper=_STR.get).array  # .array: no alignment on index
    return pd.Series(values, index=index, name="person_key")


_STR = {pa.large_string(): pd.StringDtype("pyarrow", na_value=np.nan)}


def person_key_codes(secret: bytes, identifiers: pd.Series) -> tuple[np.ndarray[Any, Any], Any]:
    """(code of each row, distinct keys as an Arrow array): row *i*'s key is
    ``keys[codes[i]]``; two spellings of one person (``Jane@X.org``, ``jane@x.org``) share
    one code. Raises SSIBenchError when any value is missing or empty.
    """
    codes, uniques = pd.factorize(identifiers, use_na_sentinel=True)
    if (codes < 0).any():
        raise SSIBenchError("A person identifier is missing.")
    base = hmac.new(secret, digestmod=hashlib.sha256)
    hashed = np.empty(len(uniques), dtype=object)
    for i, value in enumerate(uniques):
        h = base.copy()  # reuses the keyed inner/outer state instead of re-deriving it
        text = value if isinstance(value, str) else str(value)  # e.g. numeric employee ids
        h.update(normalise_identifier(text).encode("utf-8"))
        hashed[i] = h.hexdigest()[:KEY_HEX_CHARS]
    key_codes, keys = pd.factorize(hashed)
    return key_codes[codes], pa.array(keys, type=pa.large_string())
