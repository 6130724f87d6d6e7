"""The report's section "How the partners scored" and the criteria-group chart (spec: scoring.md).

It shows what the peer scores say about the scoring itself: who scores whom how high (a rater x
partner heatmap), how far each partner's self-scores sit above its peers', how much the raters agree
per criterion, which services split them, each partner's weights beside the consensus, and how far
each partner's own weights would reorder the ranking (Kendall's tau).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import pandas as pd

from p4c.report.charts import (
    RED_YELLOW_GREEN,
    TICKS_AND_TITLE,
    Charts,
    chart_label,
    heat_cells,
    rank_labels,
    stacked_bars,
)
from p4c.report.format import as_float, int_text
from p4c.report.svgplot import INK, LegendEntry, Plot
from p4c.scoring.apply import DISPUTE_STD, GAP_MARK

if TYPE_CHECKING:
    from p4c.report.data import Report
    from p4c.report.words import Words

GROUP_COLORS = ("#1F4E79", "#C55A11", "#548235", "#7030A0", "#BF9000", "#2E75B6")
DISPUTED_SHOWN = 20
ALPHA_LOW = 0.667  # Krippendorff's alpha below this: weak evidence


def group_ids(report: Report) -> list[str]:
    """The ranking's group contribution columns (`group_<name>`), in their order."""
    from p4c.rank import group_columns

    return [g for g in group_columns(report.config) if g in report.ranking.columns]


def chart_groups(charts: Charts, report: Report, top: pd.DataFrame) -> str:
    """The top services' scores split by criteria group (the sum of each group's contributions)."""
    w = charts.words
    groups = group_ids(report)
    plot = Plot.rows(9.0, len(top), 0.3, labels=rank_labels(top), top=22, bottom=TICKS_AND_TITLE)
    colors = [GROUP_COLORS[i % len(GROUP_COLORS)] for i in range(len(groups))]
    segments = [(g, color, g.removeprefix("group_")) for g, color in zip(groups, colors, strict=True)]
    stacked_bars(charts, plot, top, segments, w["axis_group_sum"])
    plot.legend([LegendEntry(color, label) for _g, color, label in segments], align="left", handle=1.0)
    return charts.svg(plot, w.text("chart_groups", n=len(top)))


def groups_block(report: Report, charts: Charts, top: pd.DataFrame) -> dict[str, Any] | None:
    """The ranking section's group chart and the groups' weights, or None without groups."""
    groups = group_ids(report)
    if not groups or top.empty:
        return None
    from p4c.rank import group_columns

    members = group_columns(report.config)
    rows = [
        {
            "name": g.removeprefix("group_"),
            "criteria": ", ".join(chart_label(report, c, lang=charts.words.lang) for c in members[g]),
            "weight": charts.words.pct(sum(report.weights.get(c, 0.0) for c in members[g])),
        }
        for g in groups
    ]
    return {"chart": {"svg": chart_groups(charts, report, top)}, "rows": rows}


def chart_raters(charts: Charts, table: pd.DataFrame, low: float, high: float) -> str:
    """Rater x rated partner: the mean of the rater's scores; own services framed."""
    raters = sorted(table["rater"].astype(str).unique())
    partners = sorted(table["partner"].astype(str).unique())
    grid = (
        table.assign(rater=table["rater"].astype(str), partner=table["partner"].astype(str))
        .pivot(index="rater", columns="partner", values="mean")
        .reindex(index=raters, columns=partners)
        .to_numpy(dtype=float)
    )
    plot = Plot.rows(
        min(9.0, 1.2 + 0.62 * len(partners)), len(raters), 0.32, labels=raters, bottom=TICKS_AND_TITLE
    )
    plot.xlim = (-0.5, len(partners) - 0.5)
    numbers = {
        (i, j): (charts.words.num(grid[i, j], "{:.2f}"), INK, rater == partner)
        for i, rater in enumerate(raters)
        for j, partner in enumerate(partners)
        if not math.isnan(grid[i, j])
    }
    heat_cells(plot, grid.tolist(), RED_YELLOW_GREEN, (low, high), numbers)
    plot.x_axis(list(range(len(partners))), partners, charts.words["axis_raters"], tick_length=0)
    plot.row_labels(raters)
    return charts.svg(plot, charts.words["chart_raters"])


def scoring_section(report: Report, charts: Charts) -> dict[str, Any]:
    """The template data of "How the partners scored"; `scored` False when nobody sent scores."""
    from p4c.report.data import stale_phrase

    w = charts.words
    outcome, config = report.scoring, report.config
    source = config.scoring.source
    stale = stale_phrase(outcome)
    out: dict[str, Any] = {
        "source": source,
        "source_text": w.text(f"source_{source}", setting=f"scoring.source: {source}"),
        "self_only": source == "self",
        "scored": outcome is not None and outcome.has_ratings,
        "weighted": outcome is not None and outcome.has_weights,
        "stale": w.render(stale) if stale else None,
        "gap_mark": w.num(GAP_MARK, "{:.1f}"),
        "alpha_low": w.num(ALPHA_LOW),
        "disputed_std": w.num(DISPUTE_STD, "{:.1f}"),
    }
    if outcome is None:
        return out
    if outcome.has_ratings:
        out["heatmap"] = {"svg": chart_raters(charts, outcome.heatmap, config.scale.min, config.scale.max)}
        gap = outcome.gap
        criteria = [c for c in report.criterion_ids if c in set(gap["criterion"])]
        out["gap_criteria"] = [chart_label(report, c, 14, lang=w.lang) for c in criteria]
        out["gap_rows"] = [
            {
                "partner": str(code),
                "cells": [_gap_cell(part, c, w) for c in criteria],
            }
            for code, part in gap.groupby("partner", sort=True)
        ]
        out["agreement"] = [
            {
                "label": chart_label(report, str(r.criterion), lang=w.lang),
                "alpha": w.num(r.alpha, "{:.2f}"),
                "raters": int_text(r.raters),
                "units": int_text(r.units),
                "low": as_float(r.alpha) < ALPHA_LOW if not math.isnan(as_float(r.alpha)) else False,
            }
            for r in outcome.agreement.itertuples(index=False)
        ]
        titles = dict(zip(report.services["key"], report.services["title"].astype(str), strict=True))
        disputed = outcome.disputed.sort_values(
            ["std", "partner", "service_id"], ascending=[False, True, True]
        )
        out["disputed_total"] = len(disputed)
        out["disputed"] = [
            {
                "partner": str(r.partner),
                "service_id": str(r.service_id),
                "title": titles.get(f"{r.partner}/{r.service_id}", ""),
                "criterion": chart_label(report, str(r.criterion), lang=w.lang),
                "std": w.num(r.std, "{:.2f}"),
                "ratings": int_text(r.ratings),
            }
            for r in disputed.head(DISPUTED_SHOWN).itertuples(index=False)
        ]
    if outcome.has_weights:
        from p4c.scoring.outputs import weights_view

        view = weights_view(outcome, config)
        codes = [c for c in view.columns if c not in ("criterion", "config", "consensus")]
        out["weight_partners"] = codes
        out["weight_rows"] = [
            {
                "label": chart_label(report, str(row["criterion"]), lang=w.lang),
                "config": w.pct(row["config"]),
                "consensus": w.pct(row["consensus"]),
                "partners": [w.pct(row[c]) for c in codes],
            }
            for row in view.to_dict("records")
        ]
        out["weights_from"] = config.weights.from_
        tau = report.tau if report.tau is not None else pd.DataFrame(columns=["partner", "tau"])
        out["tau"] = [{"partner": str(r.partner), "tau": w.num(r.tau, "{:.2f}")} for r in tau.itertuples()]
    return out


def _gap_cell(part: pd.DataFrame, criterion: str, w: Words) -> dict[str, Any]:
    row = part[part["criterion"] == criterion]
    if row.empty:
        return {"text": "–", "marked": False}
    gap = float(row["gap"].iloc[0])
    return {"text": w.num(gap, "{:+.2f}"), "marked": bool(row["marked"].iloc[0])}
