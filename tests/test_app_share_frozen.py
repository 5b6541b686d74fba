"""A personal Trends share is a frozen snapshot (issue 10 §5): it shows the gated rows its
owner saw when sharing, never recomputed, never showing data uploaded afterwards.

Expected rows are computed here from the seed rows (numpy's linear quantiles, the design's
Top-X% and percentile formulas), never read back from the library.
"""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
from streamlit.testing.v1 import AppTest

from ssi_bench.model import IngestOptions
from ssi_bench.web.shared_view import SHARE_INVALID
from tests.test_app_pages import (  # noqa: F401  (fresh_app: the autouse per-test database)
    EARLIER,
    LATEST,
    assert_no_exception,
    bench,
    csv_bytes,
    fresh_app,
    identify,
    percentile_rank,
    seed_team,
    start,
    team_rows,
    texts,
    top_percent,
)

NEWER = dt.date(2026, 11, 30)


def software_on(day: dt.date) -> list[float]:
    """The Software sector's SSI on ``day`` from the seed rows as written."""
    out = []
    for r in team_rows():
        if r["sector"] == "Software" and r["date"] == day.isoformat():
            out.append(software_total(r))
    return out


def changed_people(before: dt.date, after: dt.date) -> int:
    """Software people whose SSI differs between two seed dates."""
    a = {r["email"]: software_total(r) for r in team_rows() if r["date"] == before.isoformat()}
    b = {r["email"]: software_total(r) for r in team_rows() if r["date"] == after.isoformat()}
    return sum(a.get(e) != v for e, v in b.items() if e in a)


def software_total(r: dict[str, object]) -> float:
    return round(sum(float(r[p]) for p in ("brand", "people", "insights", "relationships")), 2)


def expected_rows() -> list[dict[str, object]]:
    """s00's two trend rows as the Trends page showed them when shared. On LATEST only s00
    changed since EARLIER (fewer than k = 10 people), so the sector's figures and s00's
    standing there are withheld (differencing guard) and the rows show None."""
    assert changed_people(EARLIER, LATEST) == 1
    values = software_on(EARLIER)
    mine = 41.0  # s00 at EARLIER: brand 5 + 6, three pillars of 10
    assert len(values) == 49 and mine in values
    return [
        {
            "date": EARLIER.isoformat(),
            "score": mine,
            **{f"p{q}": float(np.quantile(values, q / 100)) for q in (25, 50, 75)},
            "percentile": percentile_rank(values, mine, typed=False),
            "top": top_percent(values, mine, typed=False),
        },
        {
            "date": LATEST.isoformat(),
            "score": 35.0,
            "p25": None,
            "p50": None,
            "p75": None,
            "percentile": None,
            "top": None,
        },
    ]


def traces(at: AppTest) -> dict[str, dict]:
    """The trend chart's traces by name (from the Plotly JSON the page sends)."""
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    return {t.get("name"): t for t in spec["data"]}


def same(got: list[object], want: list[object], tol: float = 1e-9) -> bool:
    """Equal element by element: None where withheld, numbers within ``tol``."""
    if len(got) != len(want):
        return False
    for g, w in zip(got, want, strict=True):
        if (g is None) != (w is None):
            return False
        if w is not None and abs(float(g) - float(w)) > tol:  # type: ignore[arg-type]
            return False
    return True


def assert_shows_the_rows_as_shared(at: AppTest) -> None:
    rows = expected_rows()
    line = " ".join(str(t.value) for t in at.text)
    assert f"Latest score 35.00 on {LATEST.isoformat()} · 2 snapshots · 1 drops" in line
    assert "Latest standing in your sector: not published on that date" in line
    got = traces(at)
    assert [str(x)[:10] for x in got["you"]["x"]] == [r["date"] for r in rows]
    assert same(got["you"]["y"], [r["score"] for r in rows])
    # published to two decimals: within half a cent of numpy's linear quantile
    assert same(got["sector p25"]["y"], [r["p25"] for r in rows], tol=0.005)
    assert same(got["sector p25–p75"]["y"], [r["p75"] for r in rows], tol=0.005)
    assert same(got["sector median"]["y"], [r["p50"] for r in rows], tol=0.005)
    assert same(got["drop of 5+ points"]["y"], [35.0])
    pct = json.loads(at.get("plotly_chart")[1].proto.spec)["data"][0]["y"]
    assert same(pct, [r["percentile"] for r in rows])


def test_a_trends_share_shows_the_rows_it_was_shared_with_after_new_uploads():
    seed_team()
    at = identify(start("pages/3_Trends.py"), "s00@x.test")
    at.button(key="tr_share_button").click().run()
    assert_no_exception(at)
    token = str(at.code[0].value).split("share=", 1)[1]
    first = start(share=token)
    assert_no_exception(first)
    assert_shows_the_rows_as_shared(first)

    # A newer snapshot for s00, and 20 new strong Software people on the shared dates.
    later = [{"email": "s00@x.test", "date": NEWER.isoformat(), "sector": "Software",
              "network": "Team Big", "brand": "20", "people": "20", "insights": "20",
              "relationships": "20"}]  # fmt: skip
    later += [
        {"email": f"n{j:02d}@x.test", "date": day.isoformat(), "sector": "Software",
         "network": "Team Big", "brand": "20", "people": "20", "insights": "20",
         "relationships": f"{10 + j / 10:.2f}"}
        for j in range(20) for day in (EARLIER, LATEST)
    ]  # fmt: skip
    bench().ingest(csv_bytes(later), "later.csv", IngestOptions(today=NEWER))
    live = identify(start("pages/3_Trends.py"), "s00@x.test")
    live_line = " ".join(str(t.value) for t in live.text)
    assert "3 snapshots" in live_line  # the live page does see the new data
    live_p50 = traces(live)["sector median"]["y"][:2]
    assert not same(live_p50, [r["p50"] for r in expected_rows()], tol=0.005)

    again = start(share=token)
    assert_no_exception(again)
    assert_shows_the_rows_as_shared(again)
    assert "s00@x.test" not in " ".join(texts(again))
    assert not again.text_input  # read-only: no identifier box


def test_the_stored_trends_view_holds_no_identifier_or_person_key():
    seed_team()
    at = identify(start("pages/3_Trends.py"), "s00@x.test")
    person_key = str(at.session_state["person_key"])
    at.button(key="tr_share_button").click().run()
    token = str(at.code[0].value).split("share=", 1)[1]
    view = bench().share_resolve(token)["view"]
    stored = json.dumps(view)
    assert "s00@x.test" not in stored and person_key not in stored
    assert [r["snapshot_date"] for r in view["snapshot"]] == [EARLIER.isoformat(),
                                                               LATEST.isoformat()]  # fmt: skip


def test_an_older_trends_share_without_rows_is_not_recomputed():
    seed_team()
    token = bench().share_create({"page": "trends", "metric": "ssi"}, person_key=None)
    at = start(share=token)
    assert_no_exception(at)
    assert any("older trend link" in str(e.value) for e in at.error)
    assert not at.get("plotly_chart")


def test_erasing_the_person_removes_their_frozen_trends_share():
    """The frozen rows are that person's scores: erasure must take the share with it."""
    seed_team()
    at = identify(start("pages/3_Trends.py"), "s00@x.test")
    at.button(key="tr_share_button").click().run()
    token = str(at.code[0].value).split("share=", 1)[1]
    assert bench().erase("s00@x.test").rows_deleted > 0
    gone = start(share=token)
    assert [str(e.value) for e in gone.error] == [SHARE_INVALID]
    assert not gone.get("plotly_chart")
    assert not gone.text
