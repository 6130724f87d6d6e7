"""The report's charts, drawn as inline SVG by `svgplot`, sized to their labels.

Every chart summarises (top N, aggregates): at 100,000 services the report draws the same number of
marks as at 100. Titles, axis labels, legends and numbers come in the page's language: `Charts`
carries its words.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence

import pandas as pd

from p4c.report.data import Report
from p4c.report.format import as_float, finite, int_text, shorten
from p4c.report.svgplot import (
    GRID,
    INK,
    MUTED,
    LegendEntry,
    Plot,
    nice_ticks,
    ramp,
    tick_texts,
    widest,
)
from p4c.report.words import Count, Words

# A restrained qualitative palette (Tableau 10): one colour per criterion, the same in every chart.
CRITERION_COLORS = (
    "#4E79A7",
    "#F28E2B",
    "#59A14F",
    "#E15759",
    "#76B7B2",
    "#EDC948",
    "#B07AA1",
    "#9C755F",
    "#FF9DA7",
    "#BAB0AC",
)


ACCENT = "#1F4E79"


ACCENT_LIGHT = "#A9C2DA"


NEUTRAL = "#D5DBE1"


DOT = 5.0  # points across: a median rank, a weight used


RANK_TICK = (11.0, 2.0)  # points long and thick: the rank with the weights used


# ColorBrewer's sequential blues and diverging red-yellow-green (as matplotlib has them)
BLUES = ("#F7FBFF", "#DEEBF7", "#C6DBEF", "#9ECAE1", "#6BAED6", "#4292C6", "#2171B5", "#08519C", "#08306B")
RED_YELLOW_GREEN = (
    "#A50026",
    "#D73027",
    "#F46D43",
    "#FDAE61",
    "#FEE08B",
    "#FFFFBF",
    "#D9EF8B",
    "#A6D96A",
    "#66BD63",
    "#1A9850",
    "#006837",
)


class Charts:
    """Wraps each chart for the page, in the page's language, and counts them."""

    def __init__(self, words: Words | None = None) -> None:
        self.count = 0
        self.words = words or Words()

    def svg(self, plot: Plot, label: str) -> str:
        """The chart as inline SVG in its own scroll box (labelled, reachable by keyboard), so that
        where the page is narrower than the chart's readable width the chart scrolls, not the page."""
        from markupsafe import escape

        self.count += 1
        return (
            f'<div class="chart-box" role="region" tabindex="0" aria-label="{escape(label)}">'
            f"{plot.svg(label)}</div>"
        )

    def ticks(
        self, lo: float, hi: float, most: int = 8, *, whole: bool = False
    ) -> tuple[list[float], list[str]]:
        """Round ticks from `lo` to `hi` and their texts in the page's language."""
        values, step = nice_ticks(lo, hi, most, whole=whole)
        return values, tick_texts(values, step, self.words.lang)


# margins in points: x tick labels alone, with an axis title under them, a one-row legend on top
TICKS = 18.0


TICKS_AND_TITLE = 32.0


LEGEND = 22.0


def chart_label(report: Report, crit_id: str, limit: int = 24, lang: str = "en") -> str:
    """A criterion's label short enough for an axis: without its (parenthesised) gloss."""
    if crit_id not in report.criterion_ids:
        return crit_id
    text = report.config.criterion(crit_id).text(lang)
    return shorten(re.sub(r"\s*\([^)]*\)", "", text) or text, limit)


def _criterion_colors(report: Report) -> dict[str, str]:
    return {c: CRITERION_COLORS[i % len(CRITERION_COLORS)] for i, c in enumerate(report.criterion_ids)}


def heat_cells(
    plot: Plot,
    grid: Sequence[Sequence[float]],
    colors: Sequence[str],
    scale: tuple[float, float],
    text: Mapping[tuple[int, int], tuple[str, str, bool]],
) -> None:
    """A heatmap's cells (row i, column j; NaN: none) coloured along `colors` over `scale` (low,
    high), with white gaps between them, and `text[(i, j)]` (text, colour, bold) on them."""
    low, high = scale
    for i, row in enumerate(grid):
        for j, value in enumerate(row):
            if math.isnan(value):
                continue
            at = (value - low) / (high - low) if high > low else 0.0
            plot.rect(j - 0.5, j + 0.5, i - 0.5, i + 0.5, ramp(colors, at), stroke="white", stroke_width=2)
            if (i, j) in text:
                words, color, bold = text[(i, j)]
                plot.text(j, i, words, color=color, anchor="middle", bold=bold)


def chart_heatmap(charts: Charts, report: Report) -> str:
    codes = report.partner_codes
    cats = [c.code for c in report.config.categories]
    extra = sorted(set(report.services["category"].astype(str).tolist()) - set(cats))
    cats += extra
    counts = pd.crosstab(report.services["partner"], report.services["category"].astype(str))
    counts = counts.reindex(index=codes, columns=cats, fill_value=0)
    grid = counts.to_numpy(dtype=float)
    rotated = widest(cats) * 0.71 + 14  # x labels at 45 degrees
    plot = Plot.rows(9.0, len(codes), 0.27, labels=codes, bottom=rotated, top=3)
    plot.xlim = (-0.5, len(cats) - 0.5)
    plot.band_x(-0.5, len(cats) - 0.5, "#F5F7FA")
    top = max(float(grid.max()) if grid.size else 1.0, 1.0)
    shown = [[value if value > 0 else math.nan for value in row] for row in grid.tolist()]
    numbers = {
        (i, j): (f"{int(value)}", "white" if value > 0.6 * top else INK, False)
        for i, row in enumerate(shown)
        for j, value in enumerate(row)
        if not math.isnan(value)
    }
    # vector cells: crisp on screen and on paper
    heat_cells(plot, shown, BLUES, (0.0, top * 1.15), numbers)
    plot.x_labels_rotated(cats)
    plot.row_labels(codes)
    return charts.svg(plot, charts.words["h_heatmap"])


def chart_weights(charts: Charts, report: Report) -> str:
    ids = report.criterion_ids
    colors = _criterion_colors(report)
    labels = [chart_label(report, c, lang=charts.words.lang) for c in ids]
    plot = Plot.rows(4.0, len(ids), 0.26, labels=labels, top=2, bottom=2)
    values = [float(report.weights[c]) for c in ids]
    plot.xlim = (0.0, max([*values, 0.01]) * 1.2)
    for i, (c, value) in enumerate(zip(ids, values, strict=True)):
        plot.barh(i, value, color=colors[c], height=0.65)
        plot.text(value + 0.005, i, charts.words.pct(value))
    plot.row_labels(labels)
    plot.spines(bottom=False)
    return charts.svg(plot, charts.words["chart_weights"])


def chart_contributions(charts: Charts, report: Report, top: pd.DataFrame) -> str:
    w = charts.words
    colors = _criterion_colors(report)
    legend_rows = math.ceil(len(report.criterion_ids) / 4)
    plot = Plot.rows(
        9.0, len(top), 0.3, labels=rank_labels(top), top=8 + 13 * legend_rows, bottom=TICKS_AND_TITLE
    )
    segments = [(c.id, colors[c.id], chart_label(report, c.id, lang=w.lang)) for c in report.config.criteria]
    stacked_bars(charts, plot, top, segments, w["axis_score_sum"])
    plot.legend(
        [LegendEntry(color, label) for _c, color, label in segments],
        align="left",
        columns=4,
        handle=1.0,
        spacing=1.2,
    )
    return charts.svg(plot, w.text("chart_contributions", n=len(top)))


def rank_labels(top: pd.DataFrame) -> list[str]:
    """The top services' axis labels: "rank. label"."""
    return [f"{int_text(r)}. {lab}" for r, lab in zip(top["rank"], top["label"], strict=True)]


def stacked_bars(
    charts: Charts, plot: Plot, top: pd.DataFrame, segments: Sequence[tuple[str, str, str]], xlabel: str
) -> None:
    """The top services' scores as horizontal bars stacked from `segments` (column, colour, legend
    label), the score written at each bar's end in the page's language; the legend is the caller's."""
    w = charts.words
    scores = top["score"].astype(float)
    plot.xlim = (0.0, max(float(scores.max()) * 1.1 if len(top) else 0.0, 0.1))
    ticks, texts = charts.ticks(*plot.xlim)
    plot.grid_x(ticks)
    starts = [0.0] * len(top)
    for column, color, _label in segments:
        values = top[column].astype(float).fillna(0.0).tolist()
        for pos, value in enumerate(values):
            plot.barh(pos, value, start=starts[pos], color=color, edge="white", edge_width=0.4)
            starts[pos] += value
    for pos, score in enumerate(top["score"]):
        plot.text(as_float(score) + 0.006, pos, w.num(score, "{:.2f}"))
    plot.row_labels(rank_labels(top))
    plot.spines()
    plot.x_axis(ticks, texts, xlabel)


def chart_p_top(charts: Charts, report: Report) -> str:
    w = charts.words
    ranking = report.ranking
    short = set(report.shortlist["key"])
    shown = (
        ranking[ranking["p_top"].astype(float) > 0]
        .sort_values(["p_top", "rank"], ascending=[False, True], kind="stable")
        .head(30)
    )
    labels = [str(s) for s in shown["label"]]
    plot = Plot.rows(9.0, max(len(shown), 1), 0.26, labels=labels, top=LEGEND, bottom=TICKS_AND_TITLE)
    plot.xlim = (0.0, 1.1)
    ticks = [0, 0.25, 0.5, 0.75, 1.0]
    for pos, (key, value) in enumerate(zip(shown["key"], shown["p_top"], strict=True)):
        plot.barh(pos, as_float(value), color=ACCENT if key in short else ACCENT_LIGHT)
        plot.text(as_float(value) + 0.01, pos, w.pct(value))
    plot.row_labels(labels)
    return finish_bars(
        plot,
        charts,
        w.text("axis_p_top", k=report.config.shortlist.size),
        w.text("chart_p_top", k=report.config.shortlist.size),
        [LegendEntry(ACCENT, w["shortlisted"]), LegendEntry(ACCENT_LIGHT, w["not_shortlisted"])],
        ticks=(ticks, [w.pct(t) for t in ticks]),
    )


def chart_rank_ranges(charts: Charts, report: Report, top: pd.DataFrame) -> str:
    w = charts.words
    labels = rank_labels(top)
    plot = Plot.rows(9.0, len(top), 0.26, labels=labels, top=LEGEND, bottom=TICKS_AND_TITLE)
    plot.xlim = (0.5, max(float(top["rank_p95"].astype(float).max()), float(len(top))) + 1)
    ticks = charts.ticks(max(1.0, plot.xlim[0]), plot.xlim[1], whole=True)
    rows = zip(top["rank_p05"], top["rank_p95"], top["rank_p50"], top["rank"], strict=True)
    for pos, (low, high, median, rank) in enumerate(rows):
        plot.hline(pos, as_float(low), as_float(high), ACCENT_LIGHT, 5)
        plot.circle(as_float(median), pos, DOT, ACCENT)
        plot.tick_mark(as_float(rank), pos, *RANK_TICK, CRITERION_COLORS[3])
    plot.row_labels(labels)
    return finish_bars(
        plot,
        charts,
        w["axis_rank_range"],
        w["chart_rank_ranges"],
        [
            LegendEntry(ACCENT, w["median_rank"], "circle", DOT),
            LegendEntry(CRITERION_COLORS[3], w["rank_used"], "tick", *RANK_TICK),
        ],
        ticks=ticks,
    )


def finish_bars(
    plot: Plot,
    charts: Charts,
    xlabel: str,
    title: str,
    keys: Sequence[LegendEntry],
    *,
    ticks: tuple[Sequence[float], Sequence[str]] | None = None,
) -> str:
    """The common finish of a horizontal bar chart: the x axis (`ticks`, else round ones) and its
    grid behind the bars, the left and bottom spines and a one-row legend above the right corner."""
    values, texts = ticks if ticks is not None else charts.ticks(*plot.xlim)
    plot.grid_x(values)
    plot.spines()
    plot.x_axis(values, texts, xlabel)
    plot.legend(keys)
    return charts.svg(plot, title)


def chart_stability(charts: Charts, report: Report, table: pd.DataFrame) -> str:
    w = charts.words
    colors = _criterion_colors(report)
    labels = [chart_label(report, str(c), lang=w.lang) for c in table["criterion"]]
    notes = [
        w.text(
            "stability_note",
            lo=w.num(r.lo, "{:.2f}"),
            hi=w.num(r.hi, "{:.2f}"),
            weight=w.num(r.weight, "{:.2f}"),
        )
        for r in table.itertuples(index=False)
    ]
    plot = Plot.rows(
        9.0, len(table), 0.28, labels=labels, top=4, bottom=TICKS_AND_TITLE, right=widest(notes) + 16
    )
    # zoom on the weights in play (intervals are often narrow), never past 1
    ends = [v for c in ("weight", "hi") for v in table[c].astype(float) if finite(v)]
    limit = min(1.0, max([*ends, 0.05]) * 1.25)
    plot.xlim = (0.0, limit)
    for pos, (row, note) in enumerate(zip(table.itertuples(index=False), notes, strict=True)):
        lo, hi, weight = as_float(row.lo), as_float(row.hi), as_float(row.weight)
        plot.hline(pos, 0, limit, GRID, 7)
        if finite(lo) and finite(hi):
            plot.hline(pos, lo, hi, colors.get(str(row.criterion), ACCENT), 7)
        if finite(weight):
            plot.circle(weight, pos, DOT, INK)
        plot.text(limit * 1.02, pos, note)
    plot.row_labels(labels)
    plot.spines(left=False)
    plot.x_axis(*charts.ticks(0.0, limit), w["axis_weight"])
    return charts.svg(plot, w["chart_stability"])


def chart_practices(charts: Charts, report: Report, keys: Sequence[str]) -> dict[str, str]:
    """One small bar chart of criterion values per practice, with the median of every ranked service
    marked on each bar."""
    w = charts.words
    ids = report.criterion_ids
    colors = [_criterion_colors(report)[c] for c in ids]
    labels = [chart_label(report, c, 22, lang=w.lang) for c in ids]
    medians = report.normalized.median().reindex(ids).astype(float).tolist()
    table = report.normalized.loc[:, ids].astype(float).to_numpy()
    rows = report.normalized.index.get_indexer(pd.Index(list(keys)))  # -1: a practice not ranked
    ticks = [0.0, 0.5, 1.0]
    texts = tick_texts(ticks, 0.5, w.lang)
    out = {}
    for key, row in zip(keys, rows, strict=True):
        plot = Plot.rows(2.7, len(ids), 0.19, labels=labels, top=3, bottom=15, right=6)
        values = table[row].tolist() if row >= 0 else [math.nan] * len(ids)
        for pos, (value, color, median) in enumerate(zip(values, colors, medians, strict=True)):
            plot.barh(pos, 1.0, color="#F1F3F5")
            if finite(value):
                plot.barh(pos, value, color=color)
            else:
                plot.text(0.02, pos, w["missing"], size=7.5, color=MUTED)
            if finite(median):
                plot.tick_mark(median, pos, 9, 1.5, INK)
        plot.row_labels(labels)
        plot.spines(left=False)
        plot.x_axis(ticks, texts, size=7)
        out[key] = charts.svg(plot, w["chart_practice"])
    return out


def chart_transfer(charts: Charts, report: Report, table: pd.DataFrame) -> str:
    w = charts.words
    labels = [shorten(str(t), 44) for t in table["label"]]
    plot = Plot.rows(9.0, len(table), 0.25, labels=labels, top=LEGEND, bottom=TICKS_AND_TITLE)
    partners = len(report.partners)
    plot.xlim = (0.0, partners + 0.3)
    ticks = [float(t) for t in range(partners + 1)]
    majority = partners / 2
    plot.band_x(majority, partners + 0.3, "#EEF3F8")
    height = 0.4
    for pos, (offered, needed) in enumerate(zip(table["offered"], table["needed"], strict=True)):
        plot.barh(pos - height / 2, as_float(offered), height=height, color=ACCENT)
        plot.barh(pos + height / 2, as_float(needed), height=height, color=CRITERION_COLORS[1])
    plot.vline(majority, MUTED, 1, dash="3.7 1.6")
    plot.text(majority + 0.08, len(table) - 0.6, w["majority"], color=MUTED)
    plot.row_labels(labels)
    return finish_bars(
        plot,
        charts,
        w["axis_partners"],
        w["chart_transfer"],
        [LegendEntry(ACCENT, w["offering"]), LegendEntry(CRITERION_COLORS[1], w["needing"])],
        ticks=(ticks, [str(int(t)) for t in ticks]),
    )


def chart_score_histogram(charts: Charts, report: Report) -> str:
    """Every service's score as counts in HISTOGRAM_BINS bins, stacked by what became of it: a
    fixed-size chart whatever the number of services (the full list is in report.xlsx)."""
    import numpy as np

    from p4c.report.data import HISTOGRAM_BINS

    w = charts.words
    ranking = report.ranking
    scores = ranking["score"].astype(float).to_numpy()
    short = ranking["key"].isin(set(report.shortlist["key"])).to_numpy()
    eligible = (
        ranking["key"].isin(set(report.candidates.loc[report.candidates["eligible"], "key"])).to_numpy()
    )
    edges = np.linspace(0.0, 1.0, HISTOGRAM_BINS + 1)
    present = ~np.isnan(scores)
    groups = (
        (short & present, ACCENT, w["shortlisted"]),
        (eligible & ~short & present, ACCENT_LIGHT, w["candidate"]),
        (~eligible & ~short & present, NEUTRAL, w["other"]),
    )
    stacks = [np.histogram(np.clip(scores[mask], 0.0, 1.0), bins=edges)[0] for mask, _c, _l in groups]
    highest = float(np.sum(stacks, axis=0).max()) if len(scores) else 0.0
    plot = Plot.rows(9.0, 10, 0.26, left=44, top=LEGEND, bottom=TICKS_AND_TITLE)
    plot.xlim = (0.0, 1.0)
    plot.ylim = (0.0, max(highest, 1.0) * 1.05)
    y_ticks, y_texts = charts.ticks(0.0, plot.ylim[1], 6, whole=True)
    plot.grid_y(y_ticks)
    bottom = np.zeros(HISTOGRAM_BINS)
    width = 1 / HISTOGRAM_BINS * 0.92
    centers = (edges[:-1] + edges[1:]) / 2
    for counts, (_mask, color, _label) in zip(stacks, groups, strict=True):
        for center, base, count in zip(centers, bottom, counts, strict=True):
            if count:
                plot.rect(center - width / 2, center + width / 2, base, base + count, color)
        bottom += counts
    plot.spines()
    plot.x_axis(
        *charts.ticks(0.0, 1.0, 5),
        w.text("axis_histogram", services=Count(int(present.sum()), "n_services"), bins=HISTOGRAM_BINS),
    )
    plot.y_axis(y_ticks, y_texts, w["axis_services"])
    plot.legend([LegendEntry(color, label) for _mask, color, label in groups])
    return charts.svg(plot, w["chart_histogram"])


def chart_partners(charts: Charts, report: Report, shown: Mapping[str, pd.DataFrame]) -> dict[str, str]:
    """Each partner page's chart of its best services (`shown`: rows by partner code, best first),
    by partner."""
    w = charts.words
    short = set(report.shortlist["key"])
    eligible = set(report.candidates.loc[report.candidates["eligible"], "key"])
    keys = [
        LegendEntry(ACCENT, w["shortlisted"]),
        LegendEntry(ACCENT_LIGHT, w["candidate"]),
        LegendEntry(NEUTRAL, w["other"]),
    ]
    ticks: tuple[list[float], list[str]] | None = None
    out = {}
    for code, rows in shown.items():
        labels = [shorten(str(t), 50) for t in rows["title"]]
        plot = Plot.rows(9.0, max(len(rows), 1), 0.26, labels=labels, top=LEGEND, bottom=TICKS_AND_TITLE)
        plot.xlim = (0.0, 1.08)
        ticks = ticks or charts.ticks(*plot.xlim)
        for pos, (key, score, rank) in enumerate(zip(rows["key"], rows["score"], rows["rank"], strict=True)):
            color = ACCENT if key in short else ACCENT_LIGHT if key in eligible else NEUTRAL
            plot.barh(pos, as_float(score) if finite(score) else 0.0, color=color)
            plot.text(as_float(score) + 0.008 if finite(score) else 0.008, pos, f"#{int_text(rank)}")
        plot.row_labels(labels)
        out[code] = finish_bars(
            plot, charts, w["axis_partner_score"], w.text("chart_partner", n=len(rows)), keys, ticks=ticks
        )
    return out
