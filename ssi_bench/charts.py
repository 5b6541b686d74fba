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
import re
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from ssi_bench.fields import METRIC_LABELS, PILLARS
from ssi_bench.model import BenchmarkRow, OutcomeResult

#: Colour of the person's own marker / line.
YOU = "#E4572E"
#: One fixed colour per cohort kind, the same in every chart, live page and shared view.
KIND_COLOURS: dict[str, str] = {"sector": "#2E86DE", "network": "#17A589", "all": "#8E44AD"}
#: Fallback colours for anything else, in order.
PALETTE: tuple[str, ...] = (
    KIND_COLOURS["sector"],
    KIND_COLOURS["network"],
    KIND_COLOURS["all"],
    "#D4AC0D",
    "#7F8C8D",
    "#C0392B",
    "#1ABC9C",
    "#34495E",
)
#: Passed to every ``st.plotly_chart``: no toolbar (on a phone it covered the titles).
PLOTLY_CONFIG: dict[str, Any] = {"displayModeBar": False, "responsive": True}


def kind_colour(kind: str | None, i: int = 0) -> str:
    """The colour of a cohort kind ("sector", "network", "all"); else ``PALETTE[i]``."""
    if kind in KIND_COLOURS:
        return KIND_COLOURS[str(kind)]
    return PALETTE[i % len(PALETTE)]


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


def _date_axis(fig: go.Figure, dates: Sequence[Any], title: str, max_ticks: int = 8) -> None:
    """A date x-axis ticked on the snapshot dates themselves (every n-th when there are more
    than ``max_ticks``, the last always), labelled in days; one lone date gets a week
    either side, not sub-second ticks."""
    unique = sorted({pd.Timestamp(d) for d in dates if d is not None})
    fig.update_xaxes(title=title, type="date", tickformat="%Y-%m-%d")
    if not unique:
        return
    step = max(1, math.ceil(len(unique) / max_ticks))
    ticks = unique[::-1][::step][::-1]  # counted back from the latest date
    fig.update_xaxes(
        tickmode="array", tickvals=ticks, ticktext=[t.strftime("%b %d") for t in ticks]
    )
    if len(unique) == 1:
        day = unique[0]
        week = pd.Timedelta(days=7)
        fig.update_xaxes(range=[day - week, day + week])


def fitted_range(values: Sequence[Any], metric: str, pad: float = 0.1) -> list[float]:
    """A y-range fitted to ``values`` (None/NaN ignored): their span plus ``pad`` of it
    (at least 2 points) either side, kept within the metric's 0–max scale."""
    vals = [v for v in (_num(x) for x in values) if v is not None]
    top = metric_max(metric)
    if not vals:
        return [0.0, top]
    lo, hi = min(vals), max(vals)
    margin = max((hi - lo) * pad, 2.0 if metric == "ssi" else 1.0)
    return [max(0.0, lo - margin), min(top, hi + margin)]


#: Visible characters of a title line: about 40 fit across a 390 px phone at 15 px (the
#: chart is 358 px wide there); plotly never wraps a title itself, it cuts it off.
TITLE_LINE_CHARS = 38
_ENTITY = re.compile(r"&(?:#\d+|[a-z]+);")


def _visible_len(text: str) -> int:
    """Characters a reader sees: an HTML entity (from :func:`plotly_text`) counts as one."""
    return len(_ENTITY.sub("x", text))


def wrap_title(title: str, width: int = TITLE_LINE_CHARS) -> str:
    """``title`` broken with ``<br>`` at spaces so that no line shows more than ``width``
    characters (a single longer word is split inside, never at an entity). Already-escaped
    text stays escaped: only spaces are replaced."""
    lines: list[str] = []
    line = ""
    for word in title.split(" "):
        while _visible_len(word) > width:  # a long user-given name: split it
            cut, seen = 0, 0
            for m in re.finditer(r"&(?:#\d+|[a-z]+);|.", word):
                if seen == width:
                    break
                cut, seen = m.end(), seen + 1
            if line:
                lines.append(line)
                line = ""
            lines.append(word[:cut])
            word = word[cut:]
        if not line:
            line = word
        elif _visible_len(line) + 1 + _visible_len(word) <= width:
            line += " " + word
        else:
            lines.append(line)
            line = word
    if line or not lines:
        lines.append(line)
    return "<br>".join(lines)


def _base_layout(fig: go.Figure, title: str, height: int = 320) -> go.Figure:
    """Title above, wrapped to fit a phone (:func:`wrap_title`; the top margin and height
    grow by a line for each extra line), legend at the bottom of the whole figure (below
    the axis title, never over it: ``yref="container"``), margins that grow to fit."""
    text = wrap_title(title)
    extra = 20 * text.count("<br>")
    fig.update_layout(
        title={"text": text, "x": 0, "xanchor": "left", "font": {"size": 15}, "automargin": True},
        height=height + extra,
        margin={"l": 10, "r": 10, "t": 40 + extra, "b": 10},
        legend={
            "orientation": "h",
            "yref": "container",
            "y": 0,
            "yanchor": "bottom",
            "x": 0,
            "xanchor": "left",
        },
        hovermode="closest",
    )
    fig.update_xaxes(automargin=True)
    fig.update_yaxes(automargin=True)
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

    One row per cohort (label, gated quantiles), in the order given: a light bar p10–p90, a
    darker bar p25–p75 and a tick at the median, in the colour of the cohort's kind
    (:data:`KIND_COLOURS`, read from the row's ``kind``); plus the person's own score as a
    vertical line. Cohorts with no published median are left out altogether (no empty row,
    no legend entry): the page says why in a placeholder.
    """
    fig = go.Figure()
    shown = [(label, row) for label, row in cohorts if _quantiles(row)["p50"] is not None]
    labels = [plotly_text(label) for label, _ in shown]
    legend_done: set[str] = set()
    for i, (label, row) in enumerate(shown):
        q = _quantiles(row)
        y = plotly_text(label)
        kind = row.get("kind") if isinstance(row, Mapping) else getattr(row, "kind", None)
        colour = kind_colour(kind, i)
        for lo, hi, alpha, name in (
            ("p10", "p90", BAND_OUTER_ALPHA, "p10–p90"),
            ("p25", "p75", BAND_INNER_ALPHA, "p25–p75"),
        ):
            if q[lo] is not None and q[hi] is not None:
                fig.add_trace(
                    go.Scatter(
                        x=[q[lo], q[hi]],
                        y=[y, y],
                        mode="lines",
                        line={"width": 22, "color": _rgba(colour, alpha)},
                        name=name,
                        legendgroup=name,
                        showlegend=name not in legend_done,
                        hovertemplate=name + ": %{x:.1f}<extra>" + y + "</extra>",
                    )
                )
                legend_done.add(name)
        fig.add_trace(
            go.Scatter(
                x=[q["p50"]],
                y=[y],
                mode="markers",
                marker={"symbol": "line-ns", "size": 26, "line": {"width": 3, "color": colour}},
                name="median",
                legendgroup="median",
                showlegend="median" not in legend_done,
                hovertemplate="median: %{x:.1f}<extra>" + y + "</extra>",
            )
        )
        legend_done.add("median")
    if score is not None and labels:
        fig.add_trace(
            go.Scatter(
                x=[score] * len(labels),
                y=labels,
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
        title or f"{METRIC_LABELS.get(metric, metric)}: you and the quartiles",
        height=150 + 55 * max(len(labels), 1),
    )


def pillar_figure(
    scores: Mapping[str, float | None],
    medians: Sequence[tuple[str, Mapping[str, float | None]]],
    weakest: str | None = None,
    kinds: Sequence[str] | None = None,
) -> go.Figure:
    """Your four pillars beside each cohort's published median per pillar.

    ``medians``: (cohort label, {pillar: median or None}); ``kinds`` the cohort kind of each
    (its fixed colour, :data:`KIND_COLOURS`). A cohort without any published median is left
    out. The weakest pillar (furthest below the median) is outlined.
    """
    names = [METRIC_LABELS[p] for p in PILLARS]
    fig = go.Figure()
    for i, (label, by_pillar) in enumerate(medians):
        if all(_num(by_pillar.get(p)) is None for p in PILLARS):
            continue
        fig.add_trace(
            go.Bar(
                x=[_num(by_pillar.get(p)) for p in PILLARS],
                y=names,
                orientation="h",
                name=f"median · {plotly_text(label)}",
                marker={"color": kind_colour(kinds[i] if kinds else None, i)},
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
    title = "Your pillars and the medians"
    fig.update_xaxes(range=[0, 25], title="pillar score (0–25)")
    fig.update_yaxes(autorange="reversed")
    fig.update_layout(barmode="group")
    return _base_layout(fig, title, height=380)


# ---------------------------------------------------------------------------- trends
def trend_figure(
    trend: pd.DataFrame,
    metric: str = "ssi",
    thresholds: Sequence[tuple[float, str]] = (),
) -> go.Figure:
    """A person's own score over time against their sector's p25–p75 band and median.

    ``trend`` columns: snapshot_date, score, p25, p50, p75 (NaN/None where gated), drop
    (bool). Drops of 5 points or more are marked. The band is drawn only over dates where
    the gate published it (gaps stay gaps). The x-axis ticks on the snapshot dates; the
    y-axis is fitted to the values drawn (:func:`fitted_range`), and each score-band
    threshold in ``thresholds`` (lower bound, label) inside that range is a dotted line
    (for the total only: the bands are defined on the total).
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
                line={"width": 0, "color": KIND_COLOURS["sector"]},
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
                fillcolor=_rgba(KIND_COLOURS["sector"], 0.32),
                line={"width": 0, "color": KIND_COLOURS["sector"]},
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
                line={"color": KIND_COLOURS["sector"], "dash": "dash", "width": 2},
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
    drawn = [*trend["score"], *p25, *p50, *p75]
    y_range = fitted_range(drawn, metric)
    if metric == "ssi":
        for lower, label in thresholds:
            if y_range[0] < lower < y_range[1]:
                fig.add_hline(
                    y=lower,
                    line={"color": "#888888", "dash": "dot", "width": 1},
                    annotation_text=plotly_text(label),
                    annotation_position="top left",
                    annotation_font_size=11,
                )
    fig.update_yaxes(range=y_range, title=METRIC_LABELS.get(metric, metric))
    _date_axis(fig, x, "snapshot date")
    return _base_layout(fig, "You and your sector's middle half", height=400)


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
            line={"color": KIND_COLOURS["sector"], "width": 2},
            name="percentile in sector",
            connectgaps=False,
            hovertemplate="percentile %{y:.0f}<extra></extra>",
        )
    )
    fig.update_yaxes(range=[0, 100], title="percentile (higher is better)")
    _date_axis(fig, list(trend["snapshot_date"]), "snapshot date")
    return _base_layout(fig, "Your percentile in your sector", height=300)


# ---------------------------------------------------------------------------- cohorts
def cohort_box_figure(rows: Sequence[BenchmarkRow], metric: str = "ssi") -> go.Figure:
    """Box-like quantile bands for each publishable cohort, highest median on top.

    Horizontal boxes (cohort names read left to right, never tilted) from the published
    p25/p50/p75 with whiskers at p10/p90 (never min or max), in the kind's colour; cohorts
    whose quartiles are withheld are left out (the page lists them in one placeholder).
    """
    shown = [
        r
        for r in rows
        if not r.suppressed and r.p25 is not None and r.p75 is not None and r.p50 is not None
    ]
    shown.sort(key=lambda r: (-(r.p50 or 0.0), r.name or ""))
    names = [plotly_text(r.name if r.name is not None else "Everyone") for r in shown]
    fig = go.Figure()
    if shown:
        colour = kind_colour(shown[0].kind)
        fig.add_trace(
            go.Box(
                y=names,
                q1=[r.p25 for r in shown],
                median=[r.p50 for r in shown],
                q3=[r.p75 for r in shown],
                lowerfence=[r.p10 if r.p10 is not None else r.p25 for r in shown],
                upperfence=[r.p90 if r.p90 is not None else r.p75 for r in shown],
                orientation="h",
                boxpoints=False,
                marker={"color": colour},
                fillcolor=_rgba(colour, 0.35),
                name=METRIC_LABELS.get(metric, metric),
                hoverinfo="x+y",
                showlegend=False,
            )
        )
    fig.update_xaxes(range=fitted_range(
        [v for r in shown for v in (r.p10, r.p25, r.p75, r.p90)], metric
    ), title=METRIC_LABELS.get(metric, metric))  # fmt: skip
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=names[::-1], title=None)
    return _base_layout(
        fig,
        f"{METRIC_LABELS.get(metric, metric)}: p10–p90, quartiles, median",
        height=110 + 42 * max(len(names), 1),
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
    trends: Sequence[tuple[str, pd.DataFrame]], metric: str = "ssi", kind: str | None = None
) -> go.Figure:
    """Median over time, one small panel per cohort (readable for any number of cohorts),
    each with its p25–p75 band where published, in the kind's colour; panels share both
    axes so levels compare at a glance. Cohorts without any published date are left out.

    ``trends``: (cohort name, frame with as_of, n, p25, p50, p75), NaN/None where gated.
    """
    from plotly.subplots import make_subplots

    shown = [(name, f) for name, f in trends if not f.empty and f["p50"].notna().any()]
    rows = max(len(shown), 1)
    fig = make_subplots(
        rows=rows,
        cols=1,
        shared_xaxes=True,
        shared_yaxes=True,
        vertical_spacing=min(0.08, 0.3 / rows),
        subplot_titles=[plotly_text(name) for name, _ in shown] or None,
    )
    colour = kind_colour(kind)
    for i, (name, frame) in enumerate(shown, start=1):
        label = plotly_text(name)
        x = list(frame["as_of"])
        p25 = [_num(v) for v in frame["p25"]]
        p75 = [_num(v) for v in frame["p75"]]
        if any(v is not None for v in p25):
            fig.add_trace(
                go.Scatter(x=x, y=p25, mode="lines", line={"width": 0, "color": colour},
                           showlegend=False, hoverinfo="skip"),
                row=i, col=1,
            )  # fmt: skip
            fig.add_trace(
                go.Scatter(x=x, y=p75, mode="lines", line={"width": 0, "color": colour},
                           fill="tonexty", fillcolor=_rgba(colour, 0.2), showlegend=False,
                           hoverinfo="skip"),
                row=i, col=1,
            )  # fmt: skip
        fig.add_trace(
            go.Scatter(
                x=x,
                y=[_num(v) for v in frame["p50"]],
                mode="lines+markers",
                line={"color": colour, "width": 2},
                name=label,
                showlegend=False,
                hovertemplate="median %{y:.1f}<extra>" + label + "</extra>",
            ),
            row=i,
            col=1,
        )
    values = [v for _, f in shown for c in ("p25", "p50", "p75") for v in f[c]]
    fig.update_yaxes(range=fitted_range(values, metric))
    dates = [d for _, f in shown for d in f["as_of"]]
    _date_axis(fig, dates, "")
    fig.update_xaxes(showticklabels=False)
    fig.update_xaxes(showticklabels=True, row=rows, col=1)
    fig.update_annotations(font_size=12, x=0, xanchor="left")
    return _base_layout(fig, "Median over time (band: p25–p75)", height=80 + 130 * rows)


# ---------------------------------------------------------------------------- outcomes
def outcome_rho_figure(results: Sequence[OutcomeResult]) -> go.Figure:
    """Spearman ρ with its 95% interval per cohort and outcome (results without ρ omitted)."""
    shown = [r for r in results if r.rho is not None]
    labels = [
        plotly_text(r.name if r.name is not None else "Everyone")
        + " · "
        + r.outcome.replace("_", " ")
        for r in shown
    ]
    fig = go.Figure()
    if shown:
        fig.add_trace(
            go.Scatter(
                x=[r.rho for r in shown],
                y=labels,
                mode="markers",
                marker={"size": 11, "color": KIND_COLOURS["all"]},
                error_x={
                    "type": "data",
                    "symmetric": False,
                    "array": [(r.ci_high or 0) - (r.rho or 0) for r in shown],
                    "arrayminus": [(r.rho or 0) - (r.ci_low or 0) for r in shown],
                },
                customdata=[[r.n] for r in shown],
                name="link (95% range)",
                hovertemplate="link %{x:+.2f}, %{customdata[0]} people<extra></extra>",
            )
        )
    fig.add_vline(x=0, line={"color": "#888888", "dash": "dot"})
    fig.update_xaxes(range=[-1, 1], title="link: -1 (opposite) · 0 (none) · +1 (perfect)")
    fig.update_yaxes(type="category", autorange="reversed")
    return _base_layout(
        fig, "Does the score go with the outcome?", height=160 + 28 * max(len(labels), 1)
    )


def outcome_binned_figure(result: OutcomeResult) -> go.Figure:
    """Median outcome per score band (bands of at least k people only, from the library)."""
    fig = go.Figure()
    binned = result.binned
    outcome = result.outcome.replace("_", " ")  # "deals won", not the column name
    if binned is not None and not binned.empty:
        fig.add_trace(
            go.Bar(
                x=[plotly_text(b) for b in binned["band"]],
                y=[_num(v) for v in binned["median"]],
                customdata=[[int(n)] for n in binned["n"]],
                marker={"color": KIND_COLOURS["all"]},
                name=f"median {outcome}",
                text=[f"n = {int(n)}" for n in binned["n"]],
                textposition="auto",
                hovertemplate="%{x}: median %{y:,.1f} (n = %{customdata[0]})<extra></extra>",
            )
        )
    cohort = plotly_text(result.name if result.name is not None else "Everyone")
    fig.update_xaxes(
        type="category", title=f"{METRIC_LABELS.get(result.metric, result.metric)} band"
    )
    fig.update_yaxes(title=f"median {outcome}", rangemode="tozero")
    return _base_layout(fig, f"{cohort}: median {outcome} per band", height=320)
