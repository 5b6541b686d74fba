"""Identifier normalisation, keyed hashing and the key file."""

from __future__ import annotations

import hashlib
import hmac
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ssi_bench.config import Settings
from ssi_bench.errors import SSIBenchError
from ssi_bench.pseudonym import (
    key_file_for,
    load_secret,
    normalise_identifier,
    person_key,
    person_keys,
)

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("https://www.LinkedIn.com/in/Jane-Doe/?trk=x", "linkedin.com/in/jane-doe"),
        ("http://linkedin.com/in/jane-doe", "linkedin.com/in/jane-doe"),
        ("www.linkedin.com/in/jane-doe/", "linkedin.com/in/jane-doe"),
        ("linkedin.com/in/Jane-Doe#about", "linkedin.com/in/jane-doe"),
        ("https://nl.linkedin.com/in/jane-doe", "linkedin.com/in/jane-doe"),
        ("https://www.linkedin.com/in/j%C3%A9r%C3%B4me/", "linkedin.com/in/jérôme"),
        ("  Jane.Doe@Example.COM ", "jane.doe@example.com"),
        ("Jane \t  van   DOE", "jane van doe"),
        ("Straße", "strasse"),
        ("EMP-00123", "emp-00123"),
    ],
)
def test_identifiers_are_normalised_to_one_spelling(raw, expected):
    assert normalise_identifier(raw) == expected


def test_composed_and_decomposed_accents_are_the_same_person():
    assert normalise_identifier("Jose\u0301") == normalise_identifier("Jos\u00e9")


@pytest.mark.parametrize("raw", ["", "   ", "\t\n", "https://", "www./"])
def test_an_empty_identifier_is_refused(raw):
    with pytest.raises(SSIBenchError):
        normalise_identifier(raw)


def test_person_key_is_the_truncated_hmac_sha256_of_the_normalised_identifier():
    secret = b"0123456789abcdef0123456789abcdef"
    expected = hmac.new(secret, b"jane.doe@example.com", hashlib.sha256).hexdigest()[:32]
    assert person_key(secret, "  Jane.Doe@EXAMPLE.com") == expected
    assert len(expected) == 32


def test_person_key_depends_on_the_secret():
    assert person_key(b"a" * 32, "jane@example.com") != person_key(b"b" * 32, "jane@example.com")


def test_person_keys_equals_person_key_row_by_row_and_keeps_the_index():
    secret = b"k" * 32
    ids = pd.Series(
        ["a@x.com", "B@X.com ", "a@x.com", "https://www.linkedin.com/in/c/", "b@x.com"],
        index=[10, 11, 12, 13, 14],
        dtype="str",
    )
    got = person_keys(secret, ids)
    assert list(got.index) == [10, 11, 12, 13, 14]
    assert got.tolist() == [person_key(secret, v) for v in ids]
    assert got[11] == got[14]


def test_person_keys_refuses_a_missing_identifier():
    with pytest.raises(SSIBenchError):
        person_keys(b"k" * 32, pd.Series(["a@x.com", None], dtype="str"))


def test_person_keys_hashes_a_million_rows_of_twenty_thousand_people_quickly():
    ids = np.array([f"person{i}@example.com" for i in range(20_000)], dtype=object)
    rows = pd.Series(ids[np.random.default_rng(1).integers(0, 20_000, 1_000_000)], dtype="str")
    start = time.perf_counter()
    keys = person_keys(b"k" * 32, rows)
    elapsed = time.perf_counter() - start
    assert keys.nunique() == rows.nunique()
    assert elapsed < 2.0  # ~0.4 s measured; generous for slow CI machines


def test_the_configured_secret_wins_over_any_key_file(tmp_path):
    secret = "from-env-" + "e" * 32
    settings = Settings(db_path=tmp_path / "x.duckdb", secret=secret)
    assert load_secret(settings) == b"from-env-" + b"e" * 32
    assert not key_file_for(settings.db_path).exists()


def test_a_key_file_is_created_beside_the_database_with_mode_0600_and_reused(tmp_path):
    settings = Settings(db_path=tmp_path / "sub" / "bench.duckdb")
    first = load_secret(settings)
    path = tmp_path / "sub" / "bench.duckdb.key"
    assert path.exists()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(first) == 32
    assert bytes.fromhex(path.read_text().strip()) == first
    assert load_secret(settings) == first


def test_a_key_file_that_is_not_a_key_is_refused_and_left_alone(tmp_path):
    db = tmp_path / "bench.duckdb"
    path = key_file_for(db)
    path.write_text("not a key\n")
    with pytest.raises(SSIBenchError, match="does not hold a valid key"):
        load_secret(Settings(db_path=db))
    assert path.read_text() == "not a key\n"


def test_an_in_memory_database_without_a_secret_gets_one_key_per_process():
    settings = Settings(db_path=Path(":memory:"))
    assert load_secret(settings) == load_secret(settings)
    code = (
        "from pathlib import Path; from ssi_bench.config import Settings; "
        "from ssi_bench.pseudonym import load_secret; "
        "print(load_secret(Settings(db_path=Path(':memory:'))).hex())"
    )
    other = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert bytes.fromhex(other) != load_secret(settings)


def test_two_processes_creating_the_key_at_once_agree_on_one_key(tmp_path):
    db = tmp_path / "bench.duckdb"
    code = (
        "import sys; from pathlib import Path; from ssi_bench.config import Settings; "
        "from ssi_bench.pseudonym import load_secret; "
        "print(load_secret(Settings(db_path=Path(sys.argv[1]))).hex())"
    )
    env = {k: v for k, v in os.environ.items() if k != "SSI_BENCH_SECRET"}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code, str(db)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    keys = {p.communicate(timeout=60)[0].strip() for p in procs}
    assert all(p.returncode == 0 for p in procs)
    assert keys == {key_file_for(db).read_text().strip()}
