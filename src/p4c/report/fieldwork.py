"""The report's "Field tests and transferability" section, and each partner's own tests.

Shown only when field-test reports are stored: the evaluation is computed from the store and the
plan when the report is built (`p4c.evaluation.stage`), so the report never shows a stale
evaluation.csv. Tests by partner and status, verdicts with their reasons, a barrier chart,
indicator changes and satisfaction by mode.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from p4c.evaluation.evaluate import BARRIER_COLUMNS, localized_reasons
from p4c.evaluation.models import BARRIER_LABELS, Barrier, TestMode, TestStatus, Verdict
from p4c.report.format import cell_text, int_text

if TYPE_CHECKING:
    from p4c.evaluation.stage import Evaluation
    from p4c.report.charts import Charts
    from p4c.report.data import Report
    from p4c.report.words import Words

STATUSES = [s.value for s in TestStatus]


def chart_barriers(charts: Charts, counts: dict[str, int]) -> str:
    """Horizontal bars: how many reported tests named each barrier."""
    from p4c.report.charts import ACCENT, finish_bars
    from p4c.report.svgplot import LegendEntry, Plot

    w = charts.words
    labels = [_capitalized(BARRIER_LABELS[Barrier(code)][w.lang]) for code in counts]
    plot = Plot.rows(7.0, len(counts), 0.26, labels=labels, top=6, bottom=34)
    top = max(counts.values(), default=0)
    plot.xlim = (0.0, max(top, 1) * 1.05)
    ticks = [float(t) for t in range(top + 1)]
    for pos, count in enumerate(counts.values()):
        plot.barh(pos, count, height=0.6, color=ACCENT)
    plot.row_labels(labels)
    keys = [LegendEntry(ACCENT, w["reported_tests"])]
    return finish_bars(
        plot,
        charts,
        w["axis_barriers"],
        w["chart_barriers"],
        keys,
        ticks=(ticks, [str(int(t)) for t in ticks]),
    )


def _capitalized(text: str) -> str:
    return text[:1].upper() + text[1:]


def fieldwork_section(report: Report, charts: Charts) -> dict[str, Any] | None:
    """The section's template data, or None when no field-test report is stored."""
    evaluation: Evaluation | None = getattr(report, "fieldwork", None)
    if evaluation is None:
        return None
    w = charts.words
    practices = evaluation.result.practices
    tests = evaluation.result.results
    status = tests["status"].astype(str)
    by_partner = [
        {
            "partner": code,
            "counts": [int(((tests["partner"] == code) & (status == s)).sum()) for s in STATUSES],
            "unplanned": int(((tests["partner"] == code) & ~tests["planned"].astype(bool)).sum()),
        }
        for code in report.partner_codes
    ]
    verdicts = [
        {
            "partner": cell_text(r["practice_partner"]),
            "id": cell_text(r["practice_id"]),
            "title": cell_text(r["title"]),
            "verdict": cell_text(r["verdict"]),
            "done": int_text(r["tests_done"]),
            "reported": int_text(r["tests_reported"]),
            "planned": int_text(r["tests_planned"]),
            "rate": w.pct(r["success_rate"]),
            "satisfaction": w.num(r["satisfaction"], "{:.2f}"),
            "share": w.pct(r["pertinence_share"]),
            "reasons": cell_text(reasons),
            "shortlisted": bool(r["shortlisted"]),
        }
        for r, reasons in zip(
            practices.to_dict("records"), localized_reasons(practices["reasons"], w.lang), strict=True
        )
        if r["tests_reported"] or r["tests_planned"] or r["verdict"] != Verdict.NOT_TESTED
    ]
    counts = {b.value: int(practices[c].sum()) for b, c in zip(Barrier, BARRIER_COLUMNS, strict=True)}
    indicators = [
        {
            "partner": cell_text(r["partner"]),
            "practice": f"{r['practice_partner']} {r['practice_id']}",
            "indicator": cell_text(r["indicator"]),
            "baseline": w.num(r["baseline"], "{:g}"),
            "result": w.num(r["result"], "{:g}"),
            "change": w.pct(r["relative_change"]),
        }
        for r in tests[tests["relative_change"].notna()].to_dict("records")
    ]
    done = tests[status == TestStatus.DONE]
    satisfaction = [
        {
            "mode": mode.value,
            "done": int((done["mode"] == mode).sum()),
            "mean": w.num(pd.to_numeric(done.loc[done["mode"] == mode, "satisfaction"]).mean(), "{:.2f}"),
        }
        for mode in TestMode
    ]
    settings = report.config.evaluation
    return {
        "statuses": STATUSES,
        "by_partner": by_partner,
        "verdict_counts": evaluation.verdict_counts,
        "verdicts": verdicts,
        "barriers": {"svg": chart_barriers(charts, counts)} if any(counts.values()) else None,
        "indicators": indicators,
        "satisfaction": satisfaction,
        "missing": evaluation.missing,
        "warnings": evaluation.result.warnings,
        "rule": w.text(
            "fieldwork_rule",
            done=settings.min_done,
            adoptions=w.either([w.code("adoption", a.value) for a in settings.success_adoptions]),
            rate=w.pct(settings.min_success_rate),
            satisfaction=float(settings.min_satisfaction),
            majority=w.pct(settings.majority),
            need=float(settings.need_threshold),
        ),
        "by_host": _by_host(tests, practices, w),
    }


def _by_host(tests: pd.DataFrame, practices: pd.DataFrame, w: Words) -> dict[str, list[dict[str, Any]]]:
    """Each partner's own tests and their outcomes, for its partner page."""
    verdict = {
        (str(p), str(i)): str(v)
        for p, i, v in zip(
            practices["practice_partner"], practices["practice_id"], practices["verdict"], strict=True
        )
    }
    out: dict[str, list[dict[str, Any]]] = {}
    for r in tests.to_dict("records"):
        out.setdefault(str(r["partner"]), []).append(
            {
                "practice": f"{r['practice_partner']} {r['practice_id']}",
                "title": cell_text(r["title"]),
                "mode": cell_text(r["mode"]),
                "status": cell_text(r["status"]),
                "adoption": cell_text(r["adoption"]),
                "satisfaction": w.num(r["satisfaction"], "{:.1f}"),
                "planned": bool(r["planned"]),
                "verdict": verdict.get((str(r["practice_partner"]), str(r["practice_id"])), ""),
            }
        )
    return out
