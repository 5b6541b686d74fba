"""Helper for tests/test_crash.py: ingest generated files into a database file, forever.

``python tests/crash_worker.py DB SEED ROWS`` opens the Bench on DB (secret from
SSI_BENCH_SECRET), prints ``ready``, then loops: ``begin N`` / one upload of ROWS rows of
people never seen before / ``done N UPLOAD_ID``; every third round it also undoes the upload
it just made (``undo N UPLOAD_ID`` / ``undone N``). The test kills it with SIGKILL at a
random moment and checks the database on reopen.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ssi_bench.api import Bench  # noqa: E402
from ssi_bench.config import Settings  # noqa: E402
from ssi_bench.model import IngestOptions  # noqa: E402

TODAY = dt.date(2026, 11, 22)


def generated_csv(rng: random.Random, tag: str, rows: int) -> bytes:
    lines = ["email;date;sector;team;brand;people;insights;relationships"]
    for i in range(rows):
        day = TODAY - dt.timedelta(days=rng.randrange(60))
        pillars = ";".join(f"{rng.uniform(0, 25):.2f}".replace(".", ",") for _ in range(4))
        lines.append(f"{tag}-{i}@example.com;{day:%d.%m.%Y};Sector {i % 7};Team {i % 13};{pillars}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def main() -> None:
    db, seed, rows = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    rng = random.Random(seed)
    bench = Bench.open(db, Settings.from_env())
    print("ready", flush=True)
    options = IngestOptions(today=TODAY, date_order="dmy")
    n = 0
    while True:
        n += 1
        data = generated_csv(rng, f"s{seed}-u{n}", rows)
        print(f"begin {n}", flush=True)
        result = bench.ingest(data, f"gen-{seed}-{n}.csv", options)
        print(f"done {n} {result.upload_id}", flush=True)
        if n % 3 == 0:
            print(f"undo {n} {result.upload_id}", flush=True)
            bench.undo(result.upload_id)
            print(f"undone {n}", flush=True)


if __name__ == "__main__":
    main()
