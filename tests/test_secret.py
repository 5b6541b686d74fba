"""A configured secret must be long enough to resist offline guessing; the key file is 32
random bytes."""

from __future__ import annotations

import hashlib
import hmac
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ssi_bench.config import MIN_SECRET_CHARS, Settings
from ssi_bench.errors import SSIBenchError
from ssi_bench.pseudonym import key_file_for, load_secret

ROOT = Path(__file__).resolve().parent.parent
HOWTO = 'python -c "import secrets; print(secrets.token_urlsafe(32))"'


@pytest.mark.parametrize("secret", ["acme2026", "", "x" * 31])
def test_a_secret_shorter_than_32_characters_is_refused_with_how_to_make_one(secret):
    with pytest.raises(SSIBenchError) as err:
        Settings(secret=secret)
    assert HOWTO in str(err.value)
    assert "32" in str(err.value)
    if secret:
        assert secret not in str(err.value)  # the value itself never reaches a log


def test_a_secret_of_32_characters_is_accepted():
    assert MIN_SECRET_CHARS == 32
    assert Settings(secret="x" * 32).secret == "x" * 32


def test_the_environment_variable_is_checked_too():
    with pytest.raises(SSIBenchError, match="token_urlsafe"):
        Settings.from_env({"SSI_BENCH_SECRET": "acme2026"})
    assert Settings.from_env({"SSI_BENCH_SECRET": "k" * 40}).secret == "k" * 40


def test_the_weak_secret_attack_finds_nothing_to_attack(tmp_path):
    """With SSI_BENCH_SECRET=acme2026 the command line refuses before anything is written,
    so there is no database whose pseudonyms could be matched against guessed secrets."""
    src = tmp_path / "team.csv"
    src.write_text("email,date,sector,ssi\njane@x.org,2026-10-01,S,50\n")
    db = tmp_path / "bench.duckdb"
    env = {**os.environ, "SSI_BENCH_SECRET": "acme2026", "PYTHONPATH": str(ROOT)}
    got = subprocess.run(
        [sys.executable, "-m", "ssi_bench", "--db", str(db), "ingest", str(src)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert got.returncode == 1
    assert HOWTO in got.stderr and "Traceback" not in got.stderr
    assert "acme2026" not in got.stderr
    assert not db.exists() and not key_file_for(db).exists()


def test_the_key_file_holds_32_random_bytes(tmp_path):
    keys = []
    for name in ("a", "b"):
        settings = Settings(db_path=tmp_path / f"{name}.duckdb")
        key = load_secret(settings)
        text = key_file_for(settings.db_path).read_text()
        assert text == key.hex() + "\n" and len(key) == 32
        keys.append(key)
    assert keys[0] != keys[1]
    # and the pseudonym is the HMAC under those bytes (not under their hex text)
    from ssi_bench.pseudonym import person_key

    expected = hmac.new(keys[0], b"jane@x.org", hashlib.sha256).hexdigest()[:32]
    assert person_key(keys[0], "Jane@X.org") == expected
