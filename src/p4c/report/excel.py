"""report.xlsx: the report's tables as formatted sheets, with a native Excel chart of the top 20.

Sheet names, headers (`p4c.headers`, criterion and category labels from the config) and the chart
title are in the report's language; the cells keep the pipeline's codes and numbers.
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from typing import Any

import pandas as pd

from p4c.io import XLSX_MAX_ROWS, SheetSpec
from p4c.report.charts import CRITERION_COLORS
from p4c.report.data import TOP_N, Report
from p4c.report.format import int_text
from p4c.report.words import Words
from p4c.store import CANDIDATES_FILE, RANKING_FILE


def excel_sheets(report: Report) -> list[SheetSpec]:
    from p4c.headers import sheet_label

    w = Words(report.lang)
    lang = report.lang
    ids = report.criterion_ids
    labels = {c.id: c.text(lang) for c in report.config.criteria}
    categories = {"category": {c.code: c.text(lang) for c in report.config.categories}}
    ranking_cols = [c for c in report.ranking.columns if c not in ("key", "label")]
    ranking = within_excel(report.ranking[ranking_cols], RANKING_FILE, w)
    three = "0.000"
    rank_formats = dict.fromkeys(["score", *ids], three) | {
        "p_top": "0%",
        "rank_p05": "0",
        "rank_p50": "0",
        "rank_p95": "0",
        "rank": "0",
    }

    top = report.ranking.head(TOP_N)
    top_frame = pd.DataFrame(
        {"service": [f"{int_text(r)}. {lab}" for r, lab in zip(top["rank"], top["label"], strict=True)]}
    )
    for crit_id in ids:
        top_frame[crit_id] = top[crit_id].astype(float).fillna(0.0).to_numpy()
    top_frame["score"] = top["score"].astype(float).to_numpy()

    candidates = within_excel(_localized_candidates(report), CANDIDATES_FILE, w)
    shortlist = report.shortlist.drop(columns=["key"])
    tests = report.field_tests.drop(columns=["key"])
    partners = report.partners

    candidates_sheet = SheetSpec(  # the shortlist is shown as its candidates are
        sheet_label("Candidates", lang),
        candidates,
        {"score": three, "rank": "0"},
        color_scale=("score",),
        widths={"title": 46, "reasons": 80},
        code_labels=categories,
    )
    sheets = [
        SheetSpec(
            sheet_label("Ranking", lang),
            ranking,
            rank_formats,
            color_scale=("score", "p_top"),
            widths={"title": 46, "missing": 24},
            labels=labels,
            code_labels=categories,
        ),
        SheetSpec(
            w.text("sheet_top", n=TOP_N),
            top_frame,
            dict.fromkeys([*ids, "score"], three),
            color_scale=("score",),
            widths={"service": 52},
            after=partial(_add_top_chart, title=w.text("xlsx_chart", n=len(top_frame))),
            labels=labels,
        ),
        candidates_sheet,
        replace(candidates_sheet, name=sheet_label("Shortlist", lang), frame=shortlist, widths={"title": 46}),
        SheetSpec(
            sheet_label("Field tests", lang),
            tests,
            {"need": "0.0", "match": three},
            color_scale=("match",),
            widths={"title": 46},
            code_labels=categories,
        ),
        SheetSpec(
            w["sheet_partners"],
            partners,
            {"cluster_initiatives": "0", "best_rank": "0", "accepted": "0", "rejected": "0", "warnings": "0"},
            widths={"organisation": 36, "region": 24, "sha256": 66},
        ),
    ]
    if report.weight_stability is not None:
        sheets.append(
            SheetSpec(
                sheet_label("Weight stability", lang),
                report.weight_stability,
                {"weight": three, "lo": three, "hi": three},
                code_labels={"criterion": labels},
            )
        )
    return sheets


def _localized_candidates(report: Report) -> pd.DataFrame:
    """The candidates, their reasons in the report's language (candidates.csv stores English)."""
    from p4c.shortlist import localized_reasons

    candidates = report.candidates.drop(columns=["key"])
    if report.lang != "en":
        reasons = localized_reasons(candidates["reasons"], report.lang)
        candidates["reasons"] = pd.Series(reasons, index=candidates.index, dtype=object)
    return candidates


def within_excel(frame: pd.DataFrame, full: str, words: Words | None = None) -> pd.DataFrame:
    """The frame as a sheet can hold it: past Excel's row limit, the rows that fit and a last row
    saying how many were left out and where they all are."""
    room = XLSX_MAX_ROWS - 1  # the header takes a row; one more for the note
    if len(frame) <= XLSX_MAX_ROWS:
        return frame
    w = words or Words()
    text = w.text(
        "xlsx_more_rows", more=len(frame) - room, limit=XLSX_MAX_ROWS + 1, full=full, total=len(frame)
    )
    note = pd.DataFrame({frame.columns[0]: [text]})
    return pd.concat([frame.head(room).astype(object), note], ignore_index=True)


def _add_top_chart(workbook: Any, sheet: Any, spec: SheetSpec, *, title: str) -> None:
    """A native stacked bar of the top services' contributions, beside the table it plots."""
    rows = len(spec.frame)
    if rows == 0:
        return
    chart = workbook.add_chart({"type": "bar", "subtype": "stacked"})
    columns = list(spec.frame.columns)
    for col in range(1, len(columns) - 1):
        color = CRITERION_COLORS[(col - 1) % len(CRITERION_COLORS)]
        chart.add_series(
            {
                "name": [spec.name, 0, col],
                "categories": [spec.name, 1, 0, rows, 0],
                "values": [spec.name, 1, col, rows, col],
                "fill": {"color": color},
                "border": {"none": True},
                "gap": 40,
            }
        )
    chart.set_title({"name": title})
    chart.set_y_axis({"reverse": True})
    chart.set_x_axis({"min": 0, "num_format": "0.00", "major_gridlines": {"visible": True}})
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": 1000, "height": 120 + 26 * rows})
    sheet.insert_chart(1, len(columns) + 1, chart)
