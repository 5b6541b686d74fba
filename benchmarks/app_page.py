"""A warm rerun of the My benchmark page through Streamlit's AppTest.

Runs in a child process whose environment points ``SSI_BENCH_DB`` at the benchmark database
(the app builds its one ``Bench`` from the environment). The person is identified the way
the page's identify form leaves it: their key in ``st.session_state["person_key"]``.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from streamlit.testing.v1 import AppTest

from benchmarks.common import ROOT, median_time, peak_rss_bytes
from benchmarks.data import DataSet


def measure(db: Path, repeat: int) -> dict[str, Any]:
    """AppTest: app.py → My benchmark with a person identified; time warm reruns.

    Baseline: a warm rerun of a one-line Streamlit script in the same AppTest machinery.
    """
    ds = DataSet.load(db)
    _ident, key, _sector, _net = ds.sample[0]
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    t0 = time.perf_counter()
    at.run()
    home = time.perf_counter() - t0
    at.switch_page("pages/2_My_benchmark.py")
    at.session_state["person_key"] = key
    t0 = time.perf_counter()
    at.run()
    first = time.perf_counter() - t0
    problems = [str(e.value) for e in at.exception] + [str(e.value) for e in at.error]
    if problems:
        raise RuntimeError(f"My benchmark page failed: {problems[:3]}")
    shown = " ".join(str(m.value) for m in at.markdown) + " ".join(str(m.value) for m in at.metric)
    if "Top" not in shown and "%" not in shown:
        raise RuntimeError("My benchmark page shows no standing")
    warm = median_time(at.run, repeat, warmup=1)

    trivial = AppTest.from_string("import streamlit as st\nst.write('x')\n", default_timeout=60)
    floor = median_time(trivial.run, repeat, warmup=1)
    return {
        "warm": warm,
        "first": first,
        "home_first": home,
        "floor": floor,
        "peak_rss": peak_rss_bytes(),
    }
