"""report.html: the sections of the report as template data, rendered by jinja2 (autoescaped).

Every fixed text comes from `p4c.report.words` in the report's language (`Report.lang`): the
template reads `w`, and the sentences built here are filled from the same table.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd

from p4c.htmlenv import html_environment
from p4c.report.charts import (
    Charts,
    chart_contributions,
    chart_heatmap,
    chart_label,
    chart_p_top,
    chart_partners,
    chart_practices,
    chart_rank_ranges,
    chart_score_histogram,
    chart_stability,
    chart_transfer,
    chart_weights,
)
from p4c.report.data import INGEST_COMMAND, MODES, PARTNER_TOP_N, STABILITY_COMMAND, TOP_N, Report
from p4c.report.fieldwork import fieldwork_section
from p4c.report.format import cell_text, finite, int_text
from p4c.report.plans import plan_pages
from p4c.report.scoring import groups_block, scoring_section
from p4c.report.words import Count, Words
from p4c.store import RANKING_FILE, REPORT_XLSX, SHORTLIST_FILE

_RESULT_NAMES = {RANKING_FILE: "sec_ranking", SHORTLIST_FILE: "result_shortlist"}  # word keys


def render_html(report: Report) -> str:
    """The report as one self-contained HTML page (inline CSS and SVG, no external reference),
    every fixed text in the report's language."""
    from markupsafe import Markup

    from p4c.headers import sheet_label

    w = Words(report.lang)
    charts = Charts(w)
    keys = [str(k) for k in report.shortlist["key"]]
    partner_rows = _partner_rows(report)
    context: dict[str, Any] = {
        "title": w["title"],
        "cover_sub": w.text(
            "cover_sub",
            partners=Count(len(report.partners), "n_partners"),
            services=Count(len(report.services), "n_services"),
            as_of=report.as_of.isoformat(),
            version=report.version,
        ),
        "as_of": report.as_of.isoformat(),
        "version": report.version,
        "notes": [w.render(n) for n in report.notes],
        "overview": _overview(report, charts, w),
        "ranking": _ranking_section(report, charts, w),
        "robustness": _robustness(report, charts, w),
        "scoring": scoring_section(report, charts),
        "groups": groups_block(report, charts, report.ranking.head(TOP_N)),
        "transfer": _transferability(report, charts, w),
        "plan": _plan(report, w),
        "fieldwork": fieldwork_section(report, charts),
        "annex": _annex(report, w),
        "practices": _practices(report, chart_practices(charts, report, keys), w),
        "partner_pages": _partner_pages(
            report, chart_partners(charts, report, partner_rows[1]), partner_rows, w
        ),
        # last: `p4c run` may still be writing the plans (ReportOptions.plans_written)
        "plans": plan_pages(report.plans),
        "sheets": {
            "ranking": sheet_label("Ranking", report.lang),
            "candidates": sheet_label("Candidates", report.lang),
        },
        "workbook": REPORT_XLSX,  # named in the page: the reader gets it with report.html
    }
    context = _mark_svg(context, Markup)
    template = html_environment("p4c").get_template("report.html.j2")
    return template.render(**context, w=w, code=_code, count=Count)


def _code(text: str) -> Any:
    """A command as the page shows it: in <code>, escaped."""
    from markupsafe import Markup

    return Markup("<code>{}</code>").format(text)


def _mark_svg(value: Any, markup: Callable[[str], Any]) -> Any:
    """Chart SVG (made here, its text escaped by svgplot) is trusted; everything else is escaped."""
    if isinstance(value, dict):
        return {
            k: markup(v) if k == "svg" and isinstance(v, str) else _mark_svg(v, markup)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_mark_svg(v, markup) for v in value]
    return value


def _overview(report: Report, charts: Charts, w: Words) -> dict[str, Any]:
    partners = report.partners
    kpis = [
        (w["kpi_partners"], w.integer(len(partners))),
        (w["kpi_services"], w.integer(len(report.services))),
        (w["kpi_categories"], w.integer(int(report.services["category"].nunique()))),
        (w["kpi_candidates"], w.integer(int(report.candidates["eligible"].sum()))),
        (w["kpi_shortlisted"], w.integer(len(report.shortlist))),
        (w["kpi_tests"], w.integer(len(report.field_tests))),
    ]
    quality: list[dict[str, Any]] = [
        {
            "partner": p.partner,
            "organisation": p.organisation,
            "file": p.source_file,
            "time": cell_text(p.ingested_at)[:16].replace("T", " "),
            "accepted": w.integer(p.accepted),
            "rejected": w.integer(p.rejected),
            "warnings": w.integer(p.warnings),
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
        "categories": [{"code": c.code, "label": c.text(w.lang)} for c in report.config.categories],
        "weights_chart": {"svg": chart_weights(charts, report)},
        "weights_source": w.render(report.weights_source),
        "weights_differ": report.weights_differ,
        "has_submissions": report.submissions is not None,
        "quality": quality,
        "has_rejected_file": report.rejected is not None,
        "rejected_total": rejected_total,
        "rejected_rows": rejected_rows,
        "ingest_command": INGEST_COMMAND,
    }


def _ranking_section(report: Report, charts: Charts, w: Words) -> dict[str, Any]:
    top = report.ranking.head(TOP_N)
    short = set(report.shortlist["key"])
    has_group = "group_rank" in report.ranking.columns
    rows = [
        {
            "rank": int_text(r["rank"]),
            "partner": r["partner"],
            "title": r["title"],
            "category": report.category_label(r["category"], w.lang),
            "score": w.num(r["score"]),
            "complete": bool(r["complete"]),
            "missing": ", ".join(
                chart_label(report, m, lang=w.lang)
                for m in re.split(r"[,;\s]+", cell_text(r.get("missing")))
                if m
            ),
            "p_top": w.pct(r.get("p_top")),
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


def _robustness(report: Report, charts: Charts, w: Words) -> dict[str, Any]:
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
            "share": w.pct(0.9),
            "shortlist_mean": w.pct(
                ranking.set_index("key")
                .loc[ranking["key"][ranking["key"].isin(short)], "p_top"]
                .astype(float)
                .mean()
            ),
        }
    if report.weight_stability is not None and not report.weight_stability.empty:
        table = report.weight_stability
        out["stability"] = {"chart": {"svg": chart_stability(charts, report, table)}}
    return out


def _practices(report: Report, svgs: Mapping[str, str], w: Words) -> dict[str, Any]:
    """The good-practice cards; `svgs`: each practice's chart by key (`chart_practices`)."""
    services = report.services.set_index("key")
    partners = report.partners.set_index("partner")
    testers = report.field_tests.groupby("key")
    tested: dict[str, list[dict[str, str]]] = {
        str(k): [{"partner": str(p), "mode": str(m)} for p, m in zip(g["partner"], g["mode"], strict=True)]
        for k, g in testers
    }
    p_top = report.ranking.set_index("key")["p_top"] if report.has_monte_carlo else None
    cards = []
    for row in report.shortlist.to_dict("records"):
        key = str(row["key"])
        info = services.loc[key] if key in services.index else None
        part = str(row["partner"])
        known = part in partners.index
        who = [cell_text(partners.at[part, c]) if known else "" for c in ("organisation", "region")]
        category = report.category_label(row["category"], w.lang)

        def field(name: str, info: Any = info) -> str:
            return cell_text(info[name]) if info is not None and name in info else ""

        provider, status, since = field("provider"), field("status"), field("start_date")[:4]
        facts = [
            category,
            *([w.code("provider", provider)] if provider else []),
            *([w.code("status", status)] if status else []),
            *([w.text("since", year=since)] if since else []),
        ]
        cards.append(
            {
                "partner": part,
                "who": " · ".join(t for t in who if t),
                "service_id": row["service_id"],
                "title": cell_text(info["title"]) if info is not None else cell_text(row["title"]),
                "category": category,
                "facts": facts,
                "score": w.num(row["score"], "{:.2f}"),
                "rank": int_text(row["rank"]),
                "p_top": w.pct(p_top.get(key)) if p_top is not None else None,
                "evidence": field("evidence"),
                "tested_by": tested.get(key, []),
                "chart": {"svg": svgs[key]},
            }
        )
    lead = w.text(
        "practices_lead",
        practices=Count(len(cards), "n_shortlisted"),
        candidates=Count(int(report.candidates["eligible"].sum()), "n_candidates"),
        categories=Count(len({c["category"] for c in cards}), "n_categories"),
        max=report.config.shortlist.max_per_partner,
    )
    return {"cards": cards, "lead": lead}


def _transfer_table(report: Report, lang: str = "en") -> pd.DataFrame:
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
            "label": c.text(lang),
            "offered": int(offered.get(c.code, 0)),
            "needed": int(needed.get(c.code, 0)),
            "practices": int(practices.get(c.code, 0)),
        }
        for c in report.config.categories
    ]
    table = pd.DataFrame(rows)
    return table.sort_values(["needed", "offered"], ascending=False, kind="stable").reset_index(drop=True)


def _transferability(report: Report, charts: Charts, w: Words) -> dict[str, Any]:
    table = _transfer_table(report, w.lang)
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
        "threshold": w.num(report.config.field_tests.mode.min_need, "{:g}"),
        "default_need": w.num(report.config.field_tests.default_need, "{:g}"),
        "defaulted": defaulted,
    }


def _plan(report: Report, w: Words) -> dict[str, Any]:
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
                "category": report.category_label(row["category"], w.lang),
                "cells": cells,
                "count": sum(1 for c in cells if c["mode"] in MODES),
            }
        )
    counts = {m: int((tests["mode"] == m).sum()) for m in MODES}
    rule = report.config.field_tests.mode
    crit = (
        report.config.criterion(rule.criterion).text(w.lang)
        if rule.criterion in report.criterion_ids
        else rule.criterion
    )
    return {
        "codes": codes,
        "rows": rows,
        "counts": counts,
        "total": len(tests),
        "rule": w.text("plan_rule", need=float(rule.min_need), criterion=crit, value=float(rule.min_value)),
        "per_partner": report.config.field_tests.tests_per_partner,
        "max_per_practice": report.config.field_tests.max_partners_per_practice,
        "total_match": w.num(tests["match"].astype(float).sum(), "{:.2f}"),
    }


def _partner_rows(report: Report) -> tuple[dict[str, pd.DataFrame], dict[str, pd.DataFrame]]:
    """Each partner's ranked services, and the best PARTNER_TOP_N its page shows (partners with none
    left out)."""
    ranking = report.ranking  # sorted by rank: each partner's rows come best first
    by_partner = {
        str(code): group for code, group in ranking.groupby(ranking["partner"].astype(str), sort=False)
    }
    codes = [str(p) for p in report.partners["partner"]]
    shown = {c: by_partner[c].head(PARTNER_TOP_N) for c in codes if c in by_partner and len(by_partner[c])}
    return by_partner, shown


def _partner_pages(
    report: Report,
    svgs: Mapping[str, str],
    partner_rows: tuple[Mapping[str, pd.DataFrame], Mapping[str, pd.DataFrame]],
    w: Words,
) -> list[dict[str, Any]]:
    """One page per partner; `partner_rows`: as `_partner_rows` gives them; `svgs`: each partner's
    chart by code (`chart_partners`)."""
    by_partner, shown = partner_rows
    pages = []
    needs = report.needs
    tests = report.field_tests
    for p in report.partners.to_dict("records"):
        code = str(p["partner"])
        offers = []
        for row in report.shortlist[report.shortlist["partner"] == code].to_dict("records"):
            by = tests[tests["key"] == row["key"]]
            offers.append(
                {
                    "title": row["title"],
                    "category": report.category_label(row["category"], w.lang),
                    "rank": int_text(row["rank"]),
                    "score": w.num(row["score"], "{:.2f}"),
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
                    "category": report.category_label(t.get("category"), w.lang),
                    "need": w.num(t["need"], "{:g}"),
                    "match": w.num(t["match"], "{:.2f}"),
                    "mode": str(t["mode"]),
                }
            )
        own = needs[needs["partner"] == code].sort_values("importance", ascending=False, kind="stable")
        top_needs = [
            {
                "label": report.category_label(n["category"], w.lang),
                "importance": w.num(n["importance"], "{:g}"),
            }
            for n in own.to_dict("records")
            if n["given"] and float(n["importance"]) >= report.config.field_tests.mode.min_need
        ]
        ranked = by_partner.get(code)
        total = 0 if ranked is None else len(ranked)
        pages.append(
            {
                "code": code,
                "heading": cell_text(p["organisation"]) or partner_name(code, w),
                "facts": _partner_facts(p, w),
                "offers": offers,
                "will_test": will_test,
                "needs": top_needs,
                "needs_given": bool(own["given"].any()),
                "ranked": total,
                "charted": len(shown[code]) if code in shown else 0,
                "chart": {"svg": svgs[code]} if code in svgs else None,
            }
        )
    return pages


def partner_name(code: str, w: Words) -> str:
    """What to call a partner that gave no organisation: its country in the page's language
    (FR -> France, Frankreich), else "Partner XY"."""
    from babel import Locale

    from p4c.plan.words import LOCALES

    country = Locale.parse(LOCALES[w.lang]).territories.get(code.upper())
    return str(country) if country else w.text("partner_unnamed", code=code)


def _partner_facts(p: Mapping[Any, Any], w: Words) -> list[str]:
    """The line under a partner's heading, only with what is known (no dangling separators)."""
    region = cell_text(p["region"])
    facts = [region] if region else []
    cis = p["cluster_initiatives"]
    if finite(cis):
        facts.append(w.count(round(float(cis)), "n_cis"))
    facts += [w.count(int(p["services"]), "n_services"), w.count(int(p["eligible"]), "n_candidates")]
    if finite(p["best_rank"]):
        facts.append(w.text("best_rank", rank=int_text(p["best_rank"])))
    return facts


def _annex(report: Report, w: Words) -> dict[str, Any]:
    config = report.config
    total = sum(c.weight for c in config.criteria) or 1.0
    criteria = []
    for c in config.criteria:
        if c.source == "ratio":
            source = w.text("source.ratio", numerator=c.numerator, denominator=c.denominator)
        elif c.source == "field":
            source = w.text("source.field", column=c.column)
        else:
            source = w.code("source", c.source)
        criteria.append(
            {
                "id": c.id,
                "label": c.text(w.lang),
                "description": c.description_text(w.lang),
                "source": source,
                "direction": w.code("direction", c.direction),
                "normalization": w.code("normalization", c.effective_normalization),
                "weight": w.num(c.weight / total),
                "used": w.num(report.weights[c.id]),
            }
        )
    gp = config.good_practice
    scale = f"{w.num(config.scale.min, '{:g}')}-{w.num(config.scale.max, '{:g}')}"
    rules = [
        w.text("rule_status", statuses=w.either([w.code("status", s.value) for s in gp.statuses])),
        w.count(gp.min_months_running, "rule_running"),
        w["rule_evidence"] if gp.require_evidence else w["rule_no_evidence"],
        w.text(
            "rule_provider", providers=", ".join(w.code("provider", p.value) for p in gp.excluded_providers)
        )
        if gp.excluded_providers
        else w["rule_any_provider"],
        w.text("rule_score", score=float(gp.min_score)),
        *[
            w.text("rule_criterion", criterion=config.criterion(k).text(w.lang), value=float(v), scale=scale)
            for k, v in gp.min_criteria.items()
        ],
        w.text("rule_pertinence", value=float(gp.min_pertinence)),
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
        "shortlist": w.text(
            "annex_shortlist",
            size=sl.size,
            per_partner=sl.max_per_partner,
            categories=Count(sl.min_categories, "n_categories"),
        ),
        "field_tests": w.text(
            "annex_field_tests",
            tests=Count(ft.tests_per_partner, "n_practices"),
            max=ft.max_partners_per_practice,
            default=float(ft.default_need),
        ),
        "missing": w["missing_rescale"] if config.missing == "rescale" else w["missing_worst"],
        "scale": w.text(
            "scale", low=float(config.scale.min), high=float(config.scale.max), step=float(config.scale.step)
        ),
        "stability": w.text(
            "annex_stability",
            concentration=float(config.stability.concentration),
            seed=str(config.stability.seed),
        ),
        "version": report.version,
        "config_sha256": report.config_sha256,
        "as_of": report.as_of.isoformat(),
        "inputs": inputs,
        "files": [{"name": f.name, "sha256": f.sha256, "size": w.integer(f.size)} for f in report.files],
        "weights_source": w.render(report.weights_source),
        "made_by": [
            {"what": w[_RESULT_NAMES[what]] if what in _RESULT_NAMES else what, "how": w.render(how)}
            for what, how in report.made_by
        ],
        "submissions": 0 if report.submissions is None else len(report.submissions),
    }
