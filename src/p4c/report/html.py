"""report.html: the sections of the report as template data, rendered by jinja2 (autoescaped)."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

import pandas as pd

from p4c.htmlenv import html_environment
from p4c.report.charts import (
    Charts,
    chart_contributions,
    chart_heatmap,
    chart_p_top,
    chart_partner,
    chart_practices,
    chart_rank_ranges,
    chart_score_histogram,
    chart_stability,
    chart_style,
    chart_transfer,
    chart_weights,
)
from p4c.report.data import INGEST_COMMAND, MODES, PARTNER_TOP_N, STABILITY_COMMAND, TOP_N, Report
from p4c.report.fieldwork import fieldwork_section
from p4c.report.format import as_float, cell_text, fmt_number, int_text, pct, shorten
from p4c.report.plans import plan_pages
from p4c.report.scoring import groups_block, scoring_section

_RESULT_NAMES = {"ranking.csv": "Ranking", "shortlist.csv": "Shortlist and field-test plan"}


def render_html(report: Report) -> str:
    """The report as one self-contained HTML page (inline CSS and SVG, no external reference)."""
    from markupsafe import Markup

    charts = Charts()
    with chart_style():
        context: dict[str, Any] = {
            "title": "Cluster-support services: ranking, good practices and field tests",
            "as_of": report.as_of.isoformat(),
            "version": report.version,
            "notes": list(report.notes),
            "overview": _overview(report, charts),
            "ranking": _ranking_section(report, charts),
            "robustness": _robustness(report, charts),
            "scoring": scoring_section(report, charts),
            "groups": groups_block(report, charts, report.ranking.head(TOP_N)),
            "practices": _practices(report, charts),
            "transfer": _transferability(report, charts),
            "plan": _plan(report),
            "fieldwork": fieldwork_section(report, charts),
            "partner_pages": _partner_pages(report, charts),
            "annex": _annex(report),
            "plans": plan_pages(report.plans),
        }
    context = _mark_svg(context, Markup)
    return html_environment("p4c").get_template("report.html.j2").render(**context)


def _mark_svg(value: Any, markup: Callable[[str], Any]) -> Any:
    """Chart SVG (made here, text escaped by matplotlib) is trusted; everything else is escaped."""
    if isinstance(value, dict):
        return {
            k: markup(v) if k == "svg" and isinstance(v, str) else _mark_svg(v, markup)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_mark_svg(v, markup) for v in value]
    return value


def _overview(report: Report, charts: Charts) -> dict[str, Any]:
    partners = report.partners
    weights = [
        {
            "id": c.id,
            "label": c.text(),
            "weight": pct(report.weights[c.id]),
            "configured": pct(c.weight / (sum(x.weight for x in report.config.criteria) or 1)),
            "direction": c.direction,
        }
        for c in report.config.criteria
    ]
    kpis = [
        ("partners", len(partners)),
        ("services", len(report.services)),
        ("categories offered", int(report.services["category"].nunique())),
        ("good-practice candidates", int(report.candidates["eligible"].sum())),
        ("shortlisted practices", len(report.shortlist)),
        ("field tests", len(report.field_tests)),
    ]
    quality: list[dict[str, Any]] = [
        {
            "partner": p.partner,
            "organisation": p.organisation,
            "file": p.source_file,
            "time": cell_text(p.ingested_at)[:16].replace("T", " "),
            "accepted": int_text(p.accepted),
            "rejected": int_text(p.rejected),
            "warnings": int_text(p.warnings),
        }
        for p in partners.itertuples(index=False)
    ]
    rejected_rows: list[dict[str, str]] = []
    rejected_total = 0
    if report.rejected is not None:
        rejected_total = len(report.rejected)
        for row in report.rejected.head(25).to_dict("records"):
            rejected_rows.append(
                {
                    k: cell_text(row.get(k))
                    for k in ("partner", "source_file", "cell", "column", "value", "message")
                }
            )
    return {
        "kpis": kpis,
        "heatmap": {"svg": chart_heatmap(charts, report)},
        "categories": [{"code": c.code, "label": c.text()} for c in report.config.categories],
        "weights": weights,
        "weights_chart": {"svg": chart_weights(charts, report)},
        "weights_source": report.weights_source,
        "weights_differ": report.weights_differ,
        "has_submissions": report.submissions is not None,
        "quality": quality,
        "has_rejected_file": report.rejected is not None,
        "rejected_total": rejected_total,
        "rejected_rows": rejected_rows,
        "ingest_command": INGEST_COMMAND,
    }


def _ranking_section(report: Report, charts: Charts) -> dict[str, Any]:
    top = report.ranking.head(TOP_N)
    short = set(report.shortlist["key"])
    has_group = "group_rank" in report.ranking.columns
    rows = [
        {
            "rank": int_text(r["rank"]),
            "partner": r["partner"],
            "title": r["title"],
            "category": report.category_label(r["category"]),
            "score": fmt_number(r["score"]),
            "complete": bool(r["complete"]),
            "missing": ", ".join(m for m in re.split(r"[,;\s]+", cell_text(r.get("missing"))) if m),
            "p_top": pct(r.get("p_top")),
            "group_rank": int_text(r.get("group_rank")),
            "shortlisted": r["key"] in short,
        }
        for r in top.to_dict("records")
    ]
    return {
        "rows": rows,
        "chart": {"svg": chart_contributions(charts, report, top)} if len(top) else None,
        "histogram": {"svg": chart_score_histogram(charts, report)} if len(top) else None,
        "total": len(report.ranking),
        "top": len(top),
        "has_group": has_group,
        "has_p_top": report.has_monte_carlo,
        "incomplete": int((~report.ranking["complete"]).sum()),
    }


def _robustness(report: Report, charts: Charts) -> dict[str, Any]:
    out: dict[str, Any] = {
        "k": report.config.shortlist.size,
        "command": STABILITY_COMMAND,
        "monte_carlo": None,
        "stability": None,
    }
    if report.has_monte_carlo:
        ranking = report.ranking
        top = ranking.head(TOP_N)
        p_top = ranking["p_top"].astype(float)
        short = report.shortlist["key"]
        sure = int((p_top >= 0.9).sum())
        out["monte_carlo"] = {
            "p_top": {"svg": chart_p_top(charts, report)},
            "ranges": {"svg": chart_rank_ranges(charts, report, top)},
            "sure": sure,
            "shortlist_mean": pct(
                ranking.set_index("key")
                .loc[ranking["key"][ranking["key"].isin(short)], "p_top"]
                .astype(float)
                .mean()
            ),
        }
    if report.weight_stability is not None and not report.weight_stability.empty:
        table = report.weight_stability
        rows = [
            {
                "label": report.config.criterion(str(r.criterion)).text()
                if str(r.criterion) in report.criterion_ids
                else str(r.criterion),
                "weight": fmt_number(r.weight, "{:.2f}"),
                "lo": fmt_number(r.lo, "{:.2f}"),
                "hi": fmt_number(r.hi, "{:.2f}"),
                "room": fmt_number(
                    min(as_float(r.weight) - as_float(r.lo), as_float(r.hi) - as_float(r.weight)), "{:.2f}"
                ),
            }
            for r in table.itertuples(index=False)
        ]
        out["stability"] = {"chart": {"svg": chart_stability(charts, report, table)}, "rows": rows}
    return out


def _practices(report: Report, charts: Charts) -> dict[str, Any]:
    services = report.services.set_index("key")
    partners = report.partners.set_index("partner")
    testers = report.field_tests.groupby("key")
    tested: dict[str, list[dict[str, str]]] = {
        str(k): [{"partner": str(p), "mode": str(m)} for p, m in zip(g["partner"], g["mode"], strict=True)]
        for k, g in testers
    }
    p_top = report.ranking.set_index("key")["p_top"] if report.has_monte_carlo else None
    svgs = chart_practices(charts, report, [str(k) for k in report.shortlist["key"]])
    cards = []
    for row in report.shortlist.to_dict("records"):
        key = str(row["key"])
        info = services.loc[key] if key in services.index else None
        part = str(row["partner"])
        cards.append(
            {
                "partner": part,
                "organisation": cell_text(partners.at[part, "organisation"])
                if part in partners.index
                else "",
                "region": cell_text(partners.at[part, "region"]) if part in partners.index else "",
                "service_id": row["service_id"],
                "title": cell_text(info["title"]) if info is not None else cell_text(row["title"]),
                "category": report.category_label(row["category"]),
                "score": fmt_number(row["score"], "{:.2f}"),
                "rank": int_text(row["rank"]),
                "p_top": pct(p_top.get(key)) if p_top is not None else None,
                "evidence": cell_text(info["evidence"]) if info is not None and "evidence" in info else "",
                "description": shorten(cell_text(info["description"]), 320)
                if info is not None and "description" in info
                else "",
                "provider": cell_text(info["provider"]) if info is not None and "provider" in info else "",
                "status": cell_text(info["status"]) if info is not None and "status" in info else "",
                "since": cell_text(info["start_date"])[:4]
                if info is not None and "start_date" in info
                else "",
                "tested_by": tested.get(key, []),
                "chart": {"svg": svgs[key]},
            }
        )
    categories = sorted({c["category"] for c in cards})
    return {
        "cards": cards,
        "categories": categories,
        "candidates": int(report.candidates["eligible"].sum()),
        "rules": report.config.shortlist,
    }


def _transfer_table(report: Report) -> pd.DataFrame:
    offered_services = report.services
    if "status" in offered_services.columns:
        offered_services = offered_services[offered_services["status"].astype(str) != "PLANNED"]
    offered = offered_services.groupby(offered_services["category"].astype(str))["partner"].nunique()
    threshold = report.config.field_tests.mode.min_need
    needs = report.needs[report.needs["importance"] >= threshold]
    needed = needs.groupby("category")["partner"].nunique()
    practices = report.shortlist.groupby(report.shortlist["category"].astype(str)).size()
    rows = [
        {
            "code": c.code,
            "label": c.text(),
            "offered": int(offered.get(c.code, 0)),
            "needed": int(needed.get(c.code, 0)),
            "practices": int(practices.get(c.code, 0)),
        }
        for c in report.config.categories
    ]
    table = pd.DataFrame(rows)
    return table.sort_values(["needed", "offered"], ascending=False, kind="stable").reset_index(drop=True)


def _transferability(report: Report, charts: Charts) -> dict[str, Any]:
    table = _transfer_table(report)
    n = len(report.partners)
    majority = n / 2

    def pick(mask: pd.Series) -> list[dict[str, Any]]:
        return [
            {"label": r["label"], "offered": r["offered"], "needed": r["needed"], "practices": r["practices"]}
            for r in table[mask].to_dict("records")
        ]

    both = (table["offered"] > majority) & (table["needed"] > majority)
    gap = (table["offered"] <= majority) & (table["needed"] > majority)
    surplus = (table["offered"] > majority) & (table["needed"] <= majority)
    defaulted = sorted(set(report.needs["partner"]) - set(report.needs.loc[report.needs["given"], "partner"]))
    return {
        "chart": {"svg": chart_transfer(charts, report, table)},
        "both": pick(both),
        "gap": pick(gap),
        "surplus": pick(surplus),
        "partners": n,
        "majority": math.floor(majority) + 1,
        "threshold": f"{report.config.field_tests.mode.min_need:g}",
        "default_need": f"{report.config.field_tests.default_need:g}",
        "defaulted": defaulted,
    }


def _plan(report: Report) -> dict[str, Any]:
    tests = report.field_tests
    codes = report.partner_codes
    cell = {(str(t.key), str(t.partner)): str(t.mode) for t in tests.itertuples(index=False)}
    rows = []
    for row in report.shortlist.to_dict("records"):
        key = str(row["key"])
        cells = [
            {"mode": "OWN" if str(row["partner"]) == code else cell.get((key, code), "")} for code in codes
        ]
        rows.append(
            {
                "partner": row["partner"],
                "title": row["title"],
                "rank": int_text(row["rank"]),
                "category": report.category_label(row["category"]),
                "cells": cells,
                "count": sum(1 for c in cells if c["mode"] in MODES),
            }
        )
    counts = {m: int((tests["mode"] == m).sum()) for m in MODES}
    rule = report.config.field_tests.mode
    crit = (
        report.config.criterion(rule.criterion).text()
        if rule.criterion in report.criterion_ids
        else rule.criterion
    )
    return {
        "codes": codes,
        "rows": rows,
        "counts": counts,
        "total": len(tests),
        "rule": f"IMPLEMENTATION where the testing partner's need for the category is at least "
        f"{rule.min_need:g} and the practice's {crit.lower()} is at least "
        f"{rule.min_value:g}; otherwise WORKSHOP.",
        "per_partner": report.config.field_tests.tests_per_partner,
        "max_per_practice": report.config.field_tests.max_partners_per_practice,
        "total_match": fmt_number(tests["match"].astype(float).sum(), "{:.2f}"),
    }


def _partner_pages(report: Report, charts: Charts) -> list[dict[str, Any]]:
    pages = []
    needs = report.needs
    tests = report.field_tests
    ranking = report.ranking  # sorted by rank: each partner's rows come best first
    by_partner = {
        str(code): group for code, group in ranking.groupby(ranking["partner"].astype(str), sort=False)
    }
    for p in report.partners.to_dict("records"):
        code = str(p["partner"])
        offers = []
        for row in report.shortlist[report.shortlist["partner"] == code].to_dict("records"):
            by = tests[tests["key"] == row["key"]]
            offers.append(
                {
                    "title": row["title"],
                    "category": report.category_label(row["category"]),
                    "rank": int_text(row["rank"]),
                    "score": fmt_number(row["score"], "{:.2f}"),
                    "testers": [
                        {"partner": str(t), "mode": str(m)}
                        for t, m in zip(by["partner"], by["mode"], strict=True)
                    ],
                }
            )
        will_test = []
        for t in tests[tests["partner"] == code].to_dict("records"):
            will_test.append(
                {
                    "title": t["title"],
                    "from": t["practice_partner"],
                    "category": report.category_label(t.get("category")),
                    "need": fmt_number(t["need"], "{:g}"),
                    "match": fmt_number(t["match"], "{:.2f}"),
                    "mode": str(t["mode"]),
                }
            )
        own = needs[needs["partner"] == code].sort_values("importance", ascending=False, kind="stable")
        top_needs = [
            {"label": report.category_label(n["category"]), "importance": fmt_number(n["importance"], "{:g}")}
            for n in own.to_dict("records")
            if n["given"] and float(n["importance"]) >= report.config.field_tests.mode.min_need
        ]
        rows = by_partner.get(code)
        total = 0 if rows is None else len(rows)
        shown = None if rows is None else rows.head(PARTNER_TOP_N)
        pages.append(
            {
                "code": code,
                "organisation": p["organisation"],
                "region": p["region"],
                "cis": int_text(p["cluster_initiatives"]),
                "services": p["services"],
                "eligible": p["eligible"],
                "shortlisted": p["shortlisted"],
                "best_rank": int_text(p["best_rank"]),
                "offers": offers,
                "will_test": will_test,
                "needs": top_needs,
                "needs_given": bool(own["given"].any()),
                "ranked": total,
                "charted": 0 if shown is None else len(shown),
                "chart": {"svg": chart_partner(charts, report, shown)}
                if shown is not None and len(shown)
                else None,
            }
        )
    return pages


def _annex(report: Report) -> dict[str, Any]:
    config = report.config
    total = sum(c.weight for c in config.criteria) or 1.0
    criteria = []
    for c in config.criteria:
        if c.source == "ratio":
            source = f"ratio {c.numerator} / {c.denominator}"
        elif c.source == "field":
            source = f"field {c.column}"
        else:
            source = c.source
        criteria.append(
            {
                "id": c.id,
                "label": c.text(),
                "description": c.description_text("en"),
                "source": source,
                "direction": c.direction,
                "normalization": c.effective_normalization,
                "weight": f"{c.weight / total:.3f}",
                "used": f"{report.weights[c.id]:.3f}",
            }
        )
    gp = config.good_practice
    scale = f"{config.scale.min:g}-{config.scale.max:g}"
    rules = [
        f"status {' or '.join(s.value for s in gp.statuses)}",
        f"running for at least {gp.min_months_running} months at the reference date",
        "evidence of results present" if gp.require_evidence else "evidence not required",
        f"provider not {', '.join(p.value for p in gp.excluded_providers)}"
        if gp.excluded_providers
        else "any provider",
        f"overall score at least {gp.min_score:g}",
        *[
            f"{config.criterion(k).text()} present and at least {v:g} on the {scale} scale"
            for k, v in gp.min_criteria.items()
        ],
        f"pertinence above {gp.min_pertinence:g} (a majority of the region's cluster initiatives)",
    ]
    sl = config.shortlist
    ft = config.field_tests
    inputs = [
        {
            "partner": p["partner"],
            "file": p["source_file"],
            "sha256": p["sha256"],
            "time": cell_text(p["ingested_at"]),
        }
        for p in report.partners.to_dict("records")
    ]
    return {
        "criteria": criteria,
        "rules": rules,
        "shortlist": f"the best-ranked candidates up to {sl.size}, at most {sl.max_per_partner} per "
        f"partner, covering at least {sl.min_categories} categories when the candidates "
        f"allow it",
        "field_tests": f"each partner tests exactly {ft.tests_per_partner} practices of other partners, "
        f"at most {ft.max_partners_per_practice} partners per practice, maximising the "
        f"sum of score × need / 5 (need {ft.default_need:g} where a partner gave none)",
        "missing": "ranked on the criteria present, weights rescaled over them (flagged incomplete)"
        if config.missing == "rescale"
        else "counted as the worst value of the scale",
        "scale": f"{scale}, step {config.scale.step:g}",
        "stability": f"Dirichlet concentration {config.stability.concentration:g}, "
        f"seed {config.stability.seed}",
        "version": report.version,
        "config_sha256": report.config_sha256,
        "as_of": report.as_of.isoformat(),
        "inputs": inputs,
        "files": [{"name": f.name, "sha256": f.sha256, "size": f"{f.size:,}"} for f in report.files],
        "weights_source": report.weights_source,
        "made_by": [{"what": _RESULT_NAMES.get(what, what), "how": how} for what, how in report.made_by],
        "submissions": 0 if report.submissions is None else len(report.submissions),
    }
