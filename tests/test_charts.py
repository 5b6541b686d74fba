"""Charts are pure functions: synthetic inputs in, assertions on the figure out."""

from __future__ import annotations

import datetime as dt
import html

import pandas as pd
import pytest

from ssi_bench import charts
from ssi_bench.fields import METRIC_LABELS, PILLARS
from ssi_bench.model import BenchmarkRow, OutcomeResult

DAY = dt.date(2026, 11, 1)
HOSTILE = [
    "<script>alert(1)</script>",
    "[x](javascript:alert(1))",
    '=HYPERLINK("http://x")',
    "$x$",
    "<b>bold</b> & co",
]


def row(name, metric="ssi", n=40, p=(30.0, 40.0, 50.0, 60.0, 70.0), kind="sector"):
    suppressed = p is None
    p10, p25, p50, p75, p90 = p if p is not None else (None,) * 5
    return BenchmarkRow(kind, name, DAY, metric, None if suppressed else n, suppressed,
                        p10, p25, p50, p75, p90)  # fmt: skip


def all_points(fig):
    for trace in fig.data:
        xs = getattr(trace, "x", None)
        yield trace, 0 if xs is None else len(xs)


def test_plotly_text_escapes_tags_entities_and_latex_and_round_trips():
    for name in HOSTILE:
        escaped = charts.plotly_text(name)
        assert "<" not in escaped
        assert ">" not in escaped
        assert "$" not in escaped
        assert html.unescape(escaped) == name


def test_distribution_figure_draws_bands_median_and_the_marker_at_the_score():
    fig = charts.distribution_figure([("Sector: Software", row("Software"))], 57.25)
    names = [t.name for t in fig.data]
    assert names == ["p10–p90", "p25–p75", "median", "you (57.25)"]
    outer, inner, median, you = fig.data
    assert list(outer.x) == [30.0, 70.0]
    assert list(inner.x) == [40.0, 60.0]
    assert list(median.x) == [50.0]
    assert set(you.x) == {57.25}
    # never more points than the five published quantiles, never a min or max
    for trace, count in all_points(fig):
        assert count <= len(charts.QUANTILE_NAMES), trace.name
    assert fig.layout.xaxis.range == (0, 100)


def test_distribution_figure_draws_nothing_for_withheld_quantiles():
    banded = BenchmarkRow("sector", "Small", DAY, "ssi", 15, False)
    fig = charts.distribution_figure([("Sector: Small", banded)], 42.0)
    # no empty row, no legend entry and no marker for a cohort with nothing published
    assert list(fig.data) == []
    assert list(fig.layout.yaxis.categoryarray) == []


def test_distribution_figure_uses_a_pillar_scale_for_pillars():
    fig = charts.distribution_figure(
        [("Everyone", row(None, "brand", p=(5.0, 8.0, 12.0, 15.0, 20.0), kind="all"))],
        11.0,
        metric="brand",
    )
    assert fig.layout.xaxis.range == (0, 25)


def test_pillar_figure_names_the_weakest_pillar_and_compares_with_medians():
    scores = {"brand": 20.0, "people": 5.0, "insights": 12.0, "relationships": 15.0}
    medians = [("Sector: Software", {"brand": 15.0, "people": 12.0, "insights": 11.0,
                                     "relationships": 14.0})]  # fmt: skip
    fig = charts.pillar_figure(scores, medians, weakest="people", kinds=["sector"])
    you = fig.data[-1]
    assert you.name == "you"
    # the weakest pillar is outlined (people is the second bar)
    assert list(you.marker.line.width) == [0, 3, 0, 0]
    assert fig.data[0].marker.color == charts.KIND_COLOURS["sector"]
    assert list(you.x) == [scores[p] for p in PILLARS]
    assert list(fig.data[0].x) == [15.0, 12.0, 11.0, 14.0]
    assert len(fig.data) == 2


def test_trend_figure_marks_drops_and_leaves_gated_band_out():
    trend = pd.DataFrame(
        {
            "snapshot_date": [dt.date(2026, 9, 1), dt.date(2026, 10, 1), dt.date(2026, 11, 1)],
            "score": [60.0, 52.0, 55.0],
            "p25": [float("nan"), 45.0, 46.0],
            "p50": [float("nan"), 52.0, 53.0],
            "p75": [float("nan"), 60.0, 61.0],
            "drop": [False, True, False],
        }
    )
    fig = charts.trend_figure(trend)
    by_name = {t.name: t for t in fig.data}
    assert list(by_name["you"].y) == [60.0, 52.0, 55.0]
    assert list(by_name["drop of 5+ points"].y) == [52.0]
    assert list(by_name["sector median"].y) == [None, 52.0, 53.0]
    assert by_name["sector p25–p75"].fill == "tonexty"


def test_trend_figure_without_any_published_band_shows_only_the_person():
    trend = pd.DataFrame(
        {
            "snapshot_date": [dt.date(2026, 9, 1)],
            "score": [60.0],
            "p25": [None],
            "p50": [None],
            "p75": [None],
            "drop": [False],
        }
    )
    assert [t.name for t in charts.trend_figure(trend).data] == ["you"]


def test_percentile_figure_plots_the_percentile_history():
    trend = pd.DataFrame(
        {"snapshot_date": [dt.date(2026, 9, 1), dt.date(2026, 10, 1)], "percentile": [40.0, None]}
    )
    fig = charts.percentile_figure(trend)
    assert list(fig.data[0].y) == [40.0, None]


def test_cohort_box_figure_uses_published_quantiles_only_and_escapes_names():
    rows = [row(name) for name in HOSTILE] + [row("tiny", p=None)]
    fig = charts.cohort_box_figure(rows)
    (box,) = fig.data
    assert box.orientation == "h"  # names read horizontally
    assert sorted(html.unescape(y) for y in box.y) == sorted(HOSTILE)  # "tiny" left out
    assert list(box.q1) == [40.0] * len(HOSTILE)
    assert list(box.lowerfence) == [30.0] * len(HOSTILE)
    assert box.boxpoints is False
    for x in box.y:
        assert "<" not in x
        assert "$" not in x


def test_pillar_profile_names_strongest_and_weakest_and_skips_suppressed():
    rows = [
        row("A", "brand", p=(1, 2, 20.0, 21, 22)),
        row("A", "people", p=(1, 2, 5.0, 6, 7)),
        row("A", "insights", p=(1, 2, 10.0, 11, 12)),
        row("A", "relationships", p=(1, 2, 15.0, 16, 17)),
        row("B", "brand", p=None),
    ]
    table = charts.pillar_profile_table(rows)
    assert list(table["cohort"]) == ["A"]
    assert table.loc[0, "strongest"] == METRIC_LABELS["brand"]
    assert table.loc[0, "weakest"] == METRIC_LABELS["people"]
    fig = charts.pillar_profile_figure(table)
    assert fig.data[0].z.tolist() == [[20.0, 5.0, 10.0, 15.0]]


def test_pillar_profile_escapes_hostile_cohort_names():
    rows = [row(HOSTILE[0], p, p=(1, 2, 10.0, 11, 12)) for p in PILLARS]
    fig = charts.pillar_profile_figure(charts.pillar_profile_table(rows))
    assert html.unescape(fig.data[0].y[0]) == HOSTILE[0]
    assert "<" not in fig.data[0].y[0]


def test_cohort_trend_figure_draws_one_median_line_per_cohort():
    frame = pd.DataFrame(
        {
            "as_of": [dt.date(2026, 9, 1), dt.date(2026, 10, 1)],
            "n": [None, 30],
            "p25": [None, 40.0],
            "p50": [None, 50.0],
            "p75": [None, 60.0],
        }
    )
    fig = charts.cohort_trend_figure([("$x$", frame), ("B", frame)], kind="network")
    medians = [t for t in fig.data if t.mode == "lines+markers"]
    assert [html.unescape(t.name) for t in medians] == ["$x$", "B"]
    assert list(medians[0].y) == [None, 50.0]
    # small multiples: one panel per cohort, each in the kind's one colour
    assert [t.yaxis for t in medians] == ["y", "y2"]
    assert {t.line.color for t in medians} == {charts.KIND_COLOURS["network"]}


def outcome(name, rho, lo, hi, binned=None):
    return OutcomeResult(
        "sector", name, "ssi", "meetings", 50, rho, lo, hi, "verdict",
        binned if binned is not None else pd.DataFrame(columns=["band", "n", "median"]),
    )  # fmt: skip


def test_outcome_rho_figure_shows_interval_and_skips_results_without_rho():
    fig = charts.outcome_rho_figure([outcome("A", 0.3, 0.1, 0.5), outcome("B", None, None, None)])
    (trace,) = fig.data
    assert list(trace.x) == [0.3]
    assert list(trace.error_x.array) == pytest.approx([0.2])
    assert list(trace.error_x.arrayminus) == pytest.approx([0.2])


def test_outcome_binned_figure_plots_band_medians():
    binned = pd.DataFrame({"band": ["Average", "Good"], "n": [12, 15], "median": [3.0, 4.5]})
    fig = charts.outcome_binned_figure(outcome("A", 0.3, 0.1, 0.5, binned))
    assert list(fig.data[0].y) == [3.0, 4.5]
    assert list(fig.data[0].x) == ["Average", "Good"]


def test_a_single_snapshot_date_gets_a_readable_date_range():
    frame = pd.DataFrame(
        {"as_of": [dt.date(2026, 11, 2)], "n": [30], "p25": [40.0], "p50": [50.0], "p75": [60.0]}
    )
    fig = charts.cohort_trend_figure([("A", frame)])
    low, high = (pd.Timestamp(v) for v in fig.layout.xaxis.range)
    assert high - low == pd.Timedelta(days=14)
    assert fig.layout.xaxis.tickformat == "%Y-%m-%d"


def test_cohort_box_figure_puts_the_highest_median_on_top():
    rows = [row("low", p=(10, 20, 30.0, 40, 50)), row("high", p=(40, 50, 60.0, 70, 80)),
            row("mid", p=(20, 30, 45.0, 50, 60))]  # fmt: skip
    fig = charts.cohort_box_figure(rows)
    # plotly draws the category array bottom-up: the first listed is at the bottom
    assert list(fig.layout.yaxis.categoryarray) == ["low", "mid", "high"]
    assert fig.data[0].marker.color == charts.KIND_COLOURS["sector"]


def test_each_cohort_kind_has_one_colour_in_every_chart():
    rows = [("Sector: S", row("S")), ("Network: N", row("N", kind="network")),
            ("Everyone", row(None, kind="all"))]  # fmt: skip
    fig = charts.distribution_figure(rows, 50.0)
    medians = [t for t in fig.data if t.name == "median"]
    colours = [t.marker.line.color for t in medians]
    assert colours == ["#2E86DE", "#17A589", "#8E44AD"]
    # the same order and colours whatever else is on the page (a share draws the same)
    again = charts.distribution_figure(rows[1:], 50.0)
    assert [t.marker.line.color for t in again.data if t.name == "median"] == colours[1:]


def test_trend_figure_ticks_on_snapshot_dates_and_fits_the_y_axis_with_band_lines():
    dates = [dt.date(2026, 9, 7) + dt.timedelta(days=7 * i) for i in range(5)]
    trend = pd.DataFrame(
        {
            "snapshot_date": dates,
            "score": [55.0, 57.0, 61.0, 58.0, 59.0],
            "p25": [None] * 5,
            "p50": [None] * 5,
            "p75": [None] * 5,
            "drop": [False] * 5,
        }
    )
    bands = ((0.0, "Low"), (50.0, "Average"), (60.0, "Good"), (70.0, "Very good"))
    fig = charts.trend_figure(trend, "ssi", thresholds=bands)
    ticks = [pd.Timestamp(t).date() for t in fig.layout.xaxis.tickvals]
    assert ticks == dates  # weekly snapshot dates, not every 2 days
    lo, hi = fig.layout.yaxis.range
    span = 61.0 - 55.0
    assert lo == pytest.approx(55.0 - max(0.1 * span, 2.0))
    assert hi == pytest.approx(61.0 + max(0.1 * span, 2.0))
    lines = [s.y0 for s in fig.layout.shapes]
    assert lines == [60.0]  # the only threshold inside 53–63


def test_legends_sit_below_the_plot_and_titles_are_short_enough_for_a_phone():
    fig = charts.distribution_figure([("Everyone", row(None, kind="all"))], 50.0)
    assert fig.layout.legend.yref == "container"
    assert fig.layout.legend.yanchor == "bottom"
    assert charts.PLOTLY_CONFIG["displayModeBar"] is False
    # about 40 characters fit across 390 px at 15 px
    assert len(fig.layout.title.text) <= 40


def test_outcome_binned_figure_gives_n_per_band_in_plain_words():
    binned = pd.DataFrame({"band": ["Average", "Good"], "n": [12, 30], "median": [2.0, 3.5]})
    result = OutcomeResult("all", None, "ssi", "deals_won", 42, 0.3, 0.1, 0.5, "v", binned)
    fig = charts.outcome_binned_figure(result)
    assert list(fig.data[0].text) == ["n = 12", "n = 30"]
    assert "deals won" in fig.layout.title.text
    assert "deals_won" not in fig.layout.title.text


def test_a_long_title_wraps_at_spaces_into_lines_a_phone_shows_whole():
    title = "Establish your professional brand: you and the quartiles"  # 56 characters
    assert charts.wrap_title(title) == (
        "Establish your professional brand: you<br>and the quartiles"
    )  # 38 + 17 characters
    assert charts.wrap_title("SSI (total): you and the quartiles") == (
        "SSI (total): you and the quartiles"
    )
    # an escaped name counts as the characters a reader sees, and is never split in an entity
    assert charts.wrap_title("&lt;b&gt; " + "&amp;" * 40, width=38) == (
        "&lt;b&gt;<br>" + "&amp;" * 38 + "<br>" + "&amp;" * 2
    )
    fig = charts.distribution_figure([("Everyone", row(None, kind="all"))], 10.0, metric="brand")
    assert fig.layout.title.text.count("<br>") == 1
    assert fig.layout.margin.t == 60  # one extra 20 px line above the plot
