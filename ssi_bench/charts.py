"""Results → plotly figures. Pure: no Streamlit, no database, no I/O.

Every chart is drawn from published (gated) aggregates only: quantiles that passed the
privacy gate, binned medians of at least k people, a person's *own* history. No function
here ever receives, let alone plots, another individual's score, and none draws a minimum
or maximum. A quantile that the gate withheld arrives as ``None`` and is simply not drawn.

User-supplied names (sectors, networks) are passed through :func:`plotly_text` before they
reach a figure: plotly renders a small HTML subset (``<b>``, ``<a href>``…) and ``$…$`` as
LaTeX in labels, and a cohort called ``<b>x</b>`` must read as exactly that.

Colours are fixed, distinct and legible on light and dark backgrounds; the layout sets no
background so Streamlit's theme (light or dark) shows through.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from ssi_bench.fields import METRIC_LABELS, PILLARS
from ssi_bench.model import BenchmarkRow, OutcomeResult

#: Colour of the person's own marker / line.
YOU = "#E4572E"
#: Colours of the cohorts, in order: sector, network, everyone, then more cohorts.
PALETTE: tuple[str, ...] = (
    "#2E86DE",
    "#17A589",
    "#8E44AD",
    "#D4AC0D",
    "#7F8C8D",
    "#C0392B",
    "#1ABC9C",
    "#34495E",
)
BAND_OUTER_ALPHA = 0.18
BAND_INNER_ALPHA = 0.45
QUANTILE_NAMES: tuple[str, ...] = ("p10", "p25", "p50", "p75", "p90")

_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "$": "&#36;"}


def plotly_text(text: object) -> str:
    """``text`` escaped so that plotly shows it literally (no tags, links or LaTeX).

    plotly.js turns ``&lt;``, ``&gt;``, ``&amp;`` and numeric entities back into characters
    when it draws, so the reader sees the original string.
    """
    return "".join(_ENTITIES.get(ch, ch) for ch in str(text))


def metric_max(metric: str) -> float:
    """Upper bound of a metric's scale: 100 for the total, 25 for a pillar."""
    return 100.0 if metric == "ssi" else 25.0


def _rgba(hex_colour: str, alpha: float) -> str:
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def _num(value: Any) -> float | None:
    """A finite float, or None for None / NaN / pandas NA."""
    if value is None:
        return None
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


def _date_axis(fig: go.Figure, dates: Sequence[Any], title: str) -> None:
    """A date x-axis labelled in days; one lone date gets a week either side, not
    sub-second ticks."""
    fig.update_xaxes(title=title, type="date", tickformat="%Y-%m-%d")
    unique = sorted({pd.Timestamp(d) for d in dates if d is not None})
    if len(unique) == 1:
        day = unique[0]
        week = pd.Timedelta(days=7)
        fig.update_xaxes(range=[day - week, day + week])


def _base_layout(fig: go.Figure, title: str, height: int = 320) -> go.Figure:
    fig.update_layout(
        title={"text": title},
        height=height,
        margin={"l": 10, "r": 10, "t": 50, "b": 40},
        legend={"orientation": "h", "yanchor": "bottom", "y": -0.35, "x": 0},
        hovermode="closest",
    )
    return fig


def _quantiles(row: BenchmarkRow | Mapping[str, Any]) -> dict[str, float | None]:
    get = row.get if isinstance(row, Mapping) else lambda q: getattr(row, q, None)
    return {q: _num(get(q)) for q in QUANTILE_NAMES}


# ---------------------------------------------------------------------------- my benchmark
def distribution_figure(
    cohorts: Sequence[tuple[str, BenchmarkRow | Mapping[str, Any]]],
    score: float | None,
    metric: str = "ssi",
    title: str | None = None,
) -> go.Figure:
    """Where ``score`` sits in each cohort's published distribution.

    One row per cohort (label, gated quantiles): a light bar p10–p90, a darker bar p25–p75
    and a tick at the median, each drawn only when the gate published it; plus the
    person's own score as a vertical line. Cohorts with nothing published are listed with
    an empty row so the reader sees that they exist but are withheld.
    """
    fig = go.Figure()
    labels = [plotly_text(label) for label, _ in cohorts]
    for i, (label, row) in enumerate(cohorts):
        q = _quantiles(row)
        y = plotly_text(label)
        colour = PALETTE[i % len(PALETTE)]
        if q["p10"] is not None and q["p90"] is not None:
            fig.add_trace(
                go.Scatter(
                    x=[q["p10"], q["p90"]],
                    y=[y, y],
                    mode="lines",
                    line={"width": 22, "color": _rgba(colour, BAND_OUTER_ALPHA)},
                    name="p10–p90",
                    legendgroup="p10–p90",
                    showlegend=i == 0,
                    hovertemplate="p10–p90: %{x:.1f}<extra>" + y + "</extra>",
                )
            )
        if q["p25"] is not None and q["p75"] is not None:
            fig.add_trace(
                go.Scatter(
                    x=[q["p25"], q["p75"]],
                    y=[y, y],
                    mode="lines",
                    line={"width": 22, "color": _rgba(colour, BAND_INNER_ALPHA)},
                    name="p25–p75",
                    legendgroup="p25–p75",
                    showlegend=i == 0,
                    hovertemplate="p25–p75: %{x:.1f}<extra>" + y + "</extra>",
                )
            )
        if q["p50"] is not None:
            fig.add_trace(
                go.Scatter(
                    x=[q["p50"]],
                    y=[y],
                    mode="markers",
                    marker={"symbol": "line-ns", "size": 26, "line": {"width": 3, "color": colour}},
                    name="median",
                    legendgroup="median",
                    showlegend=i == 0,
                    hovertemplate="median: %{x:.1f}<extra>" + y + "</extra>",
                )
            )
    if score is not None:
        fig.add_trace(
            go.Scatter(
                x=[score] * max(len(labels), 1),
                y=labels or [""],
                mode="lines+markers",
                line={"color": YOU, "width": 2, "dash": "dot"},
                marker={"color": YOU, "size": 12, "symbol": "diamond"},
                name=f"you ({score:.2f})",
                hovertemplate="you: %{x:.2f}<extra></extra>",
            )
        )
    fig.update_xaxes(range=[0, metric_max(metric)], title=METRIC_LABELS.get(metric, metric))
    fig.update_yaxes(categoryorder="array", categoryarray=labels[::-1], type="category")
    return _base_layout(
        fig,
        title or f"{METRIC_LABELS.get(metric, metric)}: you and the published quantiles",
        height=140 + 60 * max(len(labels), 1),
    )


def pillar_figure(
    scores: Mapping[str, float | None],
    medians: Sequence[tuple[str, Mapping[str, float | None]]],
    weakest: str | None = None,
) -> go.Figure:
    """Your four pillars beside each cohort's published median per pillar.

    ``medians``: (cohort label, {pillar: median or None}). The weakest pillar (furthest
    below the median) is named in the title and outlined.
    """
    names = [METRIC_LABELS[p] for p in PILLARS]
    fig = go.Figure()
    for i, (label, by_pillar) in enumerate(medians):
        fig.add_trace(
            go.Bar(
                x=[_num(by_pillar.get(p)) for p in PILLARS],
                y=names,
                orientation="h",
                name=f"median · {plotly_text(label)}",
                marker={"color": PALETTE[i % len(PALETTE)]},
                hovertemplate="%{y}: %{x:.2f}<extra>median</extra>",
            )
        )
    line_widths = [3 if p == weakest else 0 for p in PILLARS]
    fig.add_trace(
        go.Bar(
            x=[_num(scores.get(p)) for p in PILLARS],
            y=names,
            orientation="h",
            name="you",
            marker={"color": YOU, "line": {"width": line_widths, "color": "#F1C40F"}},
            hovertemplate="%{y}: %{x:.2f}<extra>you</extra>",
        )
    )
    title = "Your pillars and the cohort medians"
    if weakest is not None:
        title += f" — furthest behind: {METRIC_LABELS.get(weakest, weakest)}"
    fig.update_xaxes(range=[0, 25], title="pillar score (0–25)")
    fig.update_yaxes(autorange="reversed")
    fig.update_layout(barmode="group")
    return _base_layout(fig, title, height=380)


# ---------------------------------------------------------------------------- trends
def trend_figure(trend: pd.DataFrame, metric: str = "ssi") -> go.Figure:
    """A person's own score over time against their sector's p25–p75 band and median.

    ``trend`` columns: snapshot_date, score, p25, p50, p75 (NaN/None where gated), drop
    (bool). Drops of 5 points or more are marked. The band is drawn only over dates where
    the gate published it (gaps stay gaps).
    """
    fig = go.Figure()
    if trend.empty:
        return _base_layout(fig, "No history yet")
    x = list(trend["snapshot_date"])
    p25 = [_num(v) for v in trend["p25"]]
    p50 = [_num(v) for v in trend["p50"]]
    p75 = [_num(v) for v in trend["p75"]]
    if any(v is not None for v in p25):
        fig.add_trace(
            go.Scatter(
                x=x,
                y=p25,
                mode="lines",
                line={"width": 0, "color": PALETTE[0]},
                name="sector p25",
                showlegend=False,
                hovertemplate="sector p25: %{y:.1f}<extra></extra>",
            )
        )
        fig.add_trace(
            go.Scatter(
                x=x,
                y=p75,
                mode="lines",
                fill="tonexty",
                fillcolor=_rgba(PALETTE[0], 0.32),
                line={"width": 0, "color": PALETTE[0]},
                name="sector p25–p75",
                hovertemplate="sector p75: %{y:.1f}<extra></extra>",
            )
        )
    if any(v is not None for v in p50):
        fig.add_trace(
            go.Scatter(
                x=x,
                y=p50,
                mode="lines",
                line={"color": PALETTE[0], "dash": "dash", "width": 2},
                name="sector median",
                hovertemplate="sector median: %{y:.1f}<extra></extra>",
            )
        )
    fig.add_trace(
        go.Scatter(
            x=x,
            y=[_num(v) for v in trend["score"]],
            mode="lines+markers",
            line={"color": YOU, "width": 3},
            marker={"size": 6},
            name="you",
            hovertemplate="you: %{y:.2f}<extra></extra>",
        )
    )
    drops = trend[trend["drop"].fillna(False).astype(bool)] if "drop" in trend else trend[:0]
    if len(drops):
        fig.add_trace(
            go.Scatter(
                x=list(drops["snapshot_date"]),
                y=[_num(v) for v in drops["score"]],
                mode="markers",
                marker={
                    "symbol": "triangle-down",
                    "size": 16,
                    "color": "#F1C40F",
                    "line": {"width": 1, "color": "#000000"},
                },
                name="drop of 5+ points",
                hovertemplate="dropped to %{y:.2f}<extra></extra>",
            )
        )
    fig.update_yaxes(range=[0, metric_max(metric)], title=METRIC_LABELS.get(metric, metric))
    _date_axis(fig, x, "snapshot date")
    return _base_layout(fig, "Your score and your sector's middle half", height=400)


def percentile_figure(trend: pd.DataFrame) -> go.Figure:
    """Your percentile in your sector at each date (only where the gate gave an exact one)."""
    fig = go.Figure()
    if trend.empty or "percentile" not in trend:
        return _base_layout(fig, "No percentile history")
    fig.add_trace(
        go.Scatter(
            x=list(trend["snapshot_date"]),
            y=[_num(v) for v in trend["percentile"]],
            mode="lines+markers",
            line={"color": PALETTE[2], "width": 2},
            name="percentile in sector",
            connectgaps=False,
            hovertemplate="percentile %{y:.0f}<extra></extra>",
        )
    )
    fig.update_yaxes(range=[0, 100], title="percentile (higher is better)")
    _date_axis(fig, list(trend["snapshot_date"]), "snapshot date")
    return _base_layout(fig, "Your percentile in your sector over time", height=300)


# ---------------------------------------------------------------------------- cohorts
def cohort_box_figure(rows: Sequence[BenchmarkRow], metric: str = "ssi") -> go.Figure:
    """Box-like quantile bands for each publishable cohort, side by side.

    Boxes are built from the published p25/p50/p75 with whiskers at p10/p90 (never min or
    max); cohorts whose quartiles are withheld are left out (the page lists them).
    """
    shown = [r for r in rows if not r.suppressed and r.p25 is not None and r.p75 is not None]
    names = [plotly_text(r.name if r.name is not None else "Everyone") for r in shown]
    fig = go.Figure()
    if shown:
        fig.add_trace(
            go.Box(
                x=names,
                q1=[r.p25 for r in shown],
                median=[r.p50 for r in shown],
                q3=[r.p75 for r in shown],
                lowerfence=[r.p10 if r.p10 is not None else r.p25 for r in shown],
                upperfence=[r.p90 if r.p90 is not None else r.p75 for r in shown],
                boxpoints=False,
                marker={"color": PALETTE[0]},
                fillcolor=_rgba(PALETTE[0], 0.35),
                name=METRIC_LABELS.get(metric, metric),
                hoverinfo="x+y",
            )
        )
    fig.update_yaxes(range=[0, metric_max(metric)], title=METRIC_LABELS.get(metric, metric))
    fig.update_xaxes(type="category", title=None)
    return _base_layout(
        fig,
        f"{METRIC_LABELS.get(metric, metric)}: p10 · p25 · median · p75 · p90 per cohort",
        height=420,
    )


def pillar_profile_table(rows: Sequence[BenchmarkRow]) -> pd.DataFrame:
    """Median of each pillar per publishable cohort, with its strongest and weakest pillar.

    Strongest / weakest compare the cohort's pillar medians with each other. Index: cohort
    name; columns: the four pillars, ``strongest``, ``weakest``. Cohorts without published
    medians are left out.
    """
    medians: dict[str, dict[str, float]] = {}
    for r in rows:
        if r.metric in PILLARS and not r.suppressed and r.p50 is not None:
            medians.setdefault(r.name if r.name is not None else "Everyone", {})[r.metric] = r.p50
    records = []
    for name, by in medians.items():
        if len(by) < len(PILLARS):
            continue
        record: dict[str, Any] = {"cohort": name, **{p: by[p] for p in PILLARS}}
        record["strongest"] = METRIC_LABELS[max(PILLARS, key=lambda p: by[p])]
        record["weakest"] = METRIC_LABELS[min(PILLARS, key=lambda p: by[p])]
        records.append(record)
    return pd.DataFrame.from_records(records, columns=["cohort", *PILLARS, "strongest", "weakest"])


def pillar_profile_figure(profile: pd.DataFrame) -> go.Figure:
    """Heat map of median pillar scores per cohort (from :func:`pillar_profile_table`)."""
    fig = go.Figure()
    if not profile.empty:
        z = profile[list(PILLARS)].to_numpy(dtype=float)
        fig.add_trace(
            go.Heatmap(
                z=z,
                x=[METRIC_LABELS[p] for p in PILLARS],
                y=[plotly_text(n) for n in profile["cohort"]],
                zmin=0,
                zmax=25,
                colorscale="Blues",
                text=[[f"{v:.1f}" for v in row] for row in z],
                texttemplate="%{text}",
                hovertemplate="%{y} · %{x}: %{z:.2f}<extra></extra>",
                colorbar={"title": {"text": "median"}},
            )
        )
    fig.update_yaxes(type="category", autorange="reversed")
    return _base_layout(
        fig, "Pillar profile: median per pillar", height=160 + 40 * max(len(profile), 1)
    )


def cohort_trend_figure(
    trends: Sequence[tuple[str, pd.DataFrame]], metric: str = "ssi"
) -> go.Figure:
    """Median over time for several cohorts, with each one's p25–p75 band where published.

    ``trends``: (cohort name, frame with as_of, n, p25, p50, p75), NaN/None where gated.
    """
    fig = go.Figure()
    for i, (name, frame) in enumerate(trends):
        if frame.empty:
            continue
        colour = PALETTE[i % len(PALETTE)]
        label = plotly_text(name)
        x = list(frame["as_of"])
        p25 = [_num(v) for v in frame["p25"]]
        p75 = [_num(v) for v in frame["p75"]]
        if any(v is not None for v in p25):
            fig.add_trace(
                go.Scatter(
                    x=x,
                    y=p25,
                    mode="lines",
                    line={"width": 0, "color": colour},
                    legendgroup=label,
                    showlegend=False,
                    name=f"{label} p25",
                    hoverinfo="skip",
                )
            )
            fig.add_trace(
                go.Scatter(
                    x=x,
                    y=p75,
                    mode="lines",
                    line={"width": 0, "color": colour},
                    fill="tonexty",
                    fillcolor=_rgba(colour, 0.15),
                    legendgroup=label,
                    showlegend=False,
                    name=f"{label} p75",
                    hoverinfo="skip",
                )
            )
        fig.add_trace(
            go.Scatter(
                x=x,
                y=[_num(v) for v in frame["p50"]],
                mode="lines+markers",
                line={"color": colour, "width": 2},
                legendgroup=label,
                name=label,
                hovertemplate="median %{y:.1f}<extra>" + label + "</extra>",
            )
        )
    fig.update_yaxes(range=[0, metric_max(metric)], title=METRIC_LABELS.get(metric, metric))
    _date_axis(fig, [d for _, f in trends for d in f["as_of"]], "as of")
    return _base_layout(fig, "Median over time (band: p25–p75)", height=400)


# ---------------------------------------------------------------------------- outcomes
def outcome_rho_figure(results: Sequence[OutcomeResult]) -> go.Figure:
    """Spearman ρ with its 95% interval per cohort and outcome (results without ρ omitted)."""
    shown = [r for r in results if r.rho is not None]
    labels = [
        f"{plotly_text(r.name if r.name is not None else 'Everyone')} · {r.outcome}" for r in shown
    ]
    fig = go.Figure()
    if shown:
        fig.add_trace(
            go.Scatter(
                x=[r.rho for r in shown],
                y=labels,
                mode="markers",
                marker={"size": 11, "color": PALETTE[0]},
                error_x={
                    "type": "data",
                    "symmetric": False,
                    "array": [(r.ci_high or 0) - (r.rho or 0) for r in shown],
                    "arrayminus": [(r.rho or 0) - (r.ci_low or 0) for r in shown],
                },
                customdata=[[r.n] for r in shown],
                name="ρ (95% interval)",
                hovertemplate="ρ = %{x:+.2f}, n = %{customdata[0]}<extra></extra>",
            )
        )
    fig.add_vline(x=0, line={"color": "#888888", "dash": "dot"})
    fig.update_xaxes(range=[-1, 1], title="Spearman ρ")
    fig.update_yaxes(type="category", autorange="reversed")
    return _base_layout(
        fig, "Does the score go with the outcome?", height=160 + 28 * max(len(labels), 1)
    )


def outcome_binned_figure(result: OutcomeResult) -> go.Figure:
    """Median outcome per score band (bands of at least k people only, from the library)."""
    fig = go.Figure()
    binned = result.binned
    if binned is not None and not binned.empty:
        fig.add_trace(
            go.Bar(
                x=[plotly_text(b) for b in binned["band"]],
                y=[_num(v) for v in binned["median"]],
                customdata=[[int(n)] for n in binned["n"]],
                marker={"color": PALETTE[1]},
                name=f"median {result.outcome}",
                hovertemplate="%{x}: median %{y:,.1f} (n = %{customdata[0]})<extra></extra>",
            )
        )
    cohort = plotly_text(result.name if result.name is not None else "Everyone")
    fig.update_xaxes(
        type="category", title=f"{METRIC_LABELS.get(result.metric, result.metric)} band"
    )
    fig.update_yaxes(title=f"median {result.outcome}", rangemode="tozero")
    return _base_layout(fig, f"{cohort}: median {result.outcome} per score band", height=320)
