"""`p4c plan` on a project: the store and the evaluation in, each partner's plan (.html, .docx) out.

The evaluation is computed here in memory (`p4c.evaluation.evaluate.evaluate`) from the stored
field-test reports, `shortlist.csv` and `field_tests.csv`; without them every practice is simply
NOT_TESTED. A partner with an ingested plan workbook gets its plan; any other partner gets a DRAFT
built from the evaluation alone (the pre-fill rule of `p4c.plan.prefill`).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from p4c.errors import P4CError
from p4c.models import LANGUAGES, Language
from p4c.plan.model import PlanDocument

if TYPE_CHECKING:
    import pandas as pd

    from p4c.config import Config
    from p4c.plan.prefill import Practices

# The field-test reports' store table (`store.FIELD_TESTS_REPORTED` where field-test reports are
# ingested); absent, the evaluation has no test and every practice is NOT_TESTED.
REPORTS_TABLE = "field_tests_reported"
_PLAN_CSV = ("partner", "practice_partner", "service_id", "mode")
_SHORTLIST_CSV = ("partner", "service_id", "rank")
TEMPLATE_HINT = "send the partner `p4c template --plan --partner {code}` and `p4c ingest` what it sends back"


@dataclass(frozen=True)
class PlanInputs:
    """What every plan is built from, read once for all partners.

    `evaluation` has prefill.EVALUATION_COLUMNS (every ingested service; `verdict` None for one
    that was never shortlisted, planned or tested), `results` prefill.RESULTS_COLUMNS plus
    satisfaction, baseline, result; `plans` and `actions` are the stored plan workbooks.
    """

    partners: pd.DataFrame
    needs: pd.DataFrame
    evaluation: pd.DataFrame
    results: pd.DataFrame
    plans: pd.DataFrame | None
    actions: pd.DataFrame | None
    notes: tuple[str, ...] = ()

    @cached_property
    def practices(self) -> Practices:
        """The evaluation by practice, read once for every partner's plan."""
        from p4c.plan.prefill import practices

        return practices(self.evaluation)


@dataclass(frozen=True)
class WrittenPlan:
    """One partner's plan as written: where, in which language, and what it still lacks."""

    partner: str
    language: Language
    draft: bool
    actions: int
    paths: tuple[Path, ...]
    missing: tuple[str, ...]


@dataclass(frozen=True)
class PlansResult:
    plans: list[WrittenPlan] = field(default_factory=list)
    notes: tuple[str, ...] = ()

    @property
    def paths(self) -> list[Path]:
        return [p for plan in self.plans for p in plan.paths]


# --- reading ----------------------------------------------------------------------------------------


def load_inputs(folder: Path, config: Config) -> PlanInputs:
    """The store, the shortlist and plan CSVs, and the evaluation computed from them."""
    import pandas as pd

    from p4c import store
    from p4c.evaluation.evaluate import REPORT_COLUMNS, evaluate
    from p4c.evaluation.stage import read_csv, read_stored

    processed = store.load_processed(folder, config, columns=["partner", "title", "category", "evidence"])
    reports = read_stored(folder, REPORTS_TABLE)
    plan = read_csv(folder / store.FIELD_TESTS_FILE, _PLAN_CSV)
    chosen = read_csv(folder / store.SHORTLIST_FILE, _SHORTLIST_CSV)
    notes: list[str] = []
    if chosen is None or plan is None:
        notes.append(
            "no shortlist.csv and field_tests.csv yet (run `p4c shortlist`): no practice has a verdict"
        )
    if reports is None:
        notes.append("no field-test report is ingested: every practice is NOT_TESTED")
    empty = pd.DataFrame({c: pd.Series(dtype=object) for c in REPORT_COLUMNS})
    result = evaluate(
        reports if reports is not None else empty,
        plan if plan is not None else pd.DataFrame(columns=list(_PLAN_CSV)),
        chosen if chosen is not None else pd.DataFrame(columns=list(_SHORTLIST_CSV)),
        processed.services,
        processed.partners,
        processed.needs,
        config.evaluation,
    )
    return PlanInputs(
        partners=processed.partners,
        needs=processed.needs,
        evaluation=evaluation_frame(result.practices, processed.services),
        results=result.results,
        plans=read_stored(folder, store.PLANS),
        actions=read_stored(folder, store.PLAN_ACTIONS),
        notes=tuple(notes),
    )


def evaluation_frame(practices: pd.DataFrame, services: pd.DataFrame) -> pd.DataFrame:
    """The evaluation's practices (verdicts) with each service's evidence, then every other
    ingested service without a verdict, so any practice an action names has its title and
    evidence. Columns: prefill.EVALUATION_COLUMNS."""
    import pandas as pd

    from p4c.plan.prefill import EVALUATION_COLUMNS

    catalog = pd.DataFrame(
        {
            "practice_partner": services["partner"].astype(str).to_numpy(),
            "practice_id": services["service_id"].astype(str).to_numpy(),
            "title": services["title"].to_numpy(),
            "category": services["category"].to_numpy(),
            "evidence": services["evidence"].to_numpy() if "evidence" in services else None,
        }
    ).drop_duplicates(["practice_partner", "practice_id"])
    judged = practices.loc[:, ["practice_partner", "practice_id", "title", "category", "verdict"]].copy()
    judged["practice_partner"] = judged["practice_partner"].astype(str)
    judged["practice_id"] = judged["practice_id"].astype(str)
    evidence = catalog.set_index(["practice_partner", "practice_id"])["evidence"]
    keys = pd.MultiIndex.from_frame(judged[["practice_partner", "practice_id"]])
    judged["evidence"] = evidence.reindex(keys).to_numpy()
    others = catalog[~pd.MultiIndex.from_frame(catalog[["practice_partner", "practice_id"]]).isin(keys)]
    others = others.assign(verdict=None)
    out = pd.concat([judged, others], ignore_index=True)[list(EVALUATION_COLUMNS)]
    return out.astype(object).where(out.notna(), None)


# --- one partner ------------------------------------------------------------------------------------


def partner_needs(needs: pd.DataFrame, partner: str) -> dict[str, float]:
    """A partner's need by category (its highest importance when a category is given twice)."""
    mine = needs[needs["partner"].astype(str) == partner]
    out: dict[str, float] = {}
    for category, importance in zip(mine["category"], mine["importance"], strict=True):
        value = float(importance)
        if math.isfinite(value):
            out[str(category)] = max(value, out.get(str(category), value))
    return out


def prefill(partner: str, inputs: PlanInputs, config: Config) -> pd.DataFrame:
    """The practices the partner's plan workbook is pre-filled with (prefill.PREFILL_COLUMNS)."""
    from p4c.plan.prefill import prefill_actions

    _check_partner(partner, inputs)
    return prefill_actions(
        partner,
        inputs.practices,
        inputs.results,
        partner_needs(inputs.needs, partner),
        config.field_tests.default_need,
    )


def _check_partner(partner: str, inputs: PlanInputs) -> None:
    known = sorted(set(inputs.partners["partner"].astype(str)))
    if partner not in known:
        raise P4CError(
            f"partner {partner} is not ingested; partners: {', '.join(known)}",
            hint="Ingest its partner workbook first (`p4c ingest`).",
        )


def _stored(frame: pd.DataFrame | None, partner: str) -> pd.DataFrame | None:
    if frame is None:
        return None
    mine = frame[frame["partner"].astype(str) == partner]
    return None if mine.empty else mine


def plan_language(partner: str, inputs: PlanInputs, lang: Language | None = None) -> Language:
    """The --lang option, else the language of the partner's plan workbook, else English."""
    if lang is not None:
        return lang
    stored = _stored(inputs.plans, partner)
    if stored is not None:
        found = str(stored.iloc[-1].get("language") or "")
        for known in LANGUAGES:
            if found == known:
                return known
    return "en"


def build_plan(
    partner: str, inputs: PlanInputs, config: Config, *, lang: Language | None = None, generated: dt.date
) -> PlanDocument:
    """The partner's plan: from its plan workbook when one is stored, else the DRAFT."""
    from p4c.plan.prefill import build_actions, draft_plan

    _check_partner(partner, inputs)
    language = plan_language(partner, inputs, lang)
    info = _partner_info(partner, inputs.partners)
    needs = partner_needs(inputs.needs, partner)
    labels = {c.code: c.text(language) for c in config.categories}
    stored = _stored(inputs.plans, partner)
    if stored is None:
        return draft_plan(
            partner,
            prefill(partner, inputs, config),
            inputs.practices,
            inputs.results,
            needs,
            generated=generated,
            lang=language,
            category_labels=labels,
            **info,
        )
    record = stored.iloc[-1].to_dict()
    rows = _stored(inputs.actions, partner)
    actions = (
        build_actions(
            partner, rows.sort_values("source_row", kind="stable"), inputs.practices, inputs.results
        )
        if rows is not None
        else ()
    )
    return PlanDocument(
        partner=partner,
        language=language,
        needs=needs,
        category_labels=labels,
        policy_instrument=_text(record.get("policy_instrument")),
        authority=_text(record.get("authority")),
        context=_text(record.get("context")),
        objectives=_text(record.get("objectives")),
        actions=actions,
        generated=generated,
        **info,
    )


def _partner_info(partner: str, partners: pd.DataFrame) -> dict[str, Any]:
    mine = partners[partners["partner"].astype(str) == partner]
    if mine.empty:
        return {}
    row = mine.iloc[-1]
    cis = row.get("cluster_initiatives")
    return {
        "organisation": _text(row.get("organisation")),
        "region": _text(row.get("region")),
        "cluster_initiatives": None if cis is None or _blank(cis) else int(cis),
        "contact": _text(row.get("contact")),
    }


def _blank(value: object) -> bool:
    import pandas as pd

    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))  # type: ignore[call-overload]


def _text(value: object) -> str | None:
    return None if _blank(value) or not str(value).strip() else str(value).strip()


_ACTION_NEEDS = (
    ("title", "action"),
    ("players", "players"),
    ("start_date", "start_date"),
    ("end_date", "end_date"),
    ("indicator", "indicator"),
    ("target", "target"),
)


def missing_items(doc: PlanDocument) -> list[str]:
    """What the plan still lacks, in words, for the terminal (empty: nothing)."""
    lines: list[str] = []
    if doc.draft:
        lines.append(
            f"no plan workbook: a DRAFT from the evaluation ({TEMPLATE_HINT.format(code=doc.partner)})"
        )
    unset = [
        name for name in ("policy_instrument", "authority", "context", "objectives") if not getattr(doc, name)
    ]
    if unset:
        lines.append("Part II: " + ", ".join(unset) + " not set")
    if not doc.actions:
        lines.append("Part III: no action")
    lacking: dict[str, list[int]] = {}
    for number, action in enumerate(doc.actions, start=1):
        for attribute, name in _ACTION_NEEDS:
            if getattr(action, attribute) is None:
                lacking.setdefault(name, []).append(number)
    for name, numbers in lacking.items():
        which = (
            "every action"
            if len(numbers) == len(doc.actions) > 1
            else "action " + ", ".join(map(str, numbers))
        )
        lines.append(f"Part III: {name} not set for {which}")
    return lines


# --- writing ----------------------------------------------------------------------------------------


def write_plan(doc: PlanDocument, out_dir: Path) -> tuple[Path, Path]:
    """`plans/CODE_plan.html` and `plans/CODE_plan.docx` under `out_dir`, each atomically."""
    from p4c.io import write_text
    from p4c.plan.docx import write_docx
    from p4c.plan.html import render_html
    from p4c.store import PLAN_DOCX, PLAN_HTML, PLANS_DIR

    folder = out_dir / PLANS_DIR
    html_path = folder / PLAN_HTML.format(partner=doc.partner)
    docx_path = folder / PLAN_DOCX.format(partner=doc.partner)
    write_text(html_path, render_html(doc))
    write_docx(doc, docx_path)
    return html_path, docx_path


def write_plans(
    folder: Path,
    config: Config,
    out_dir: Path | None = None,
    *,
    partners: Iterable[str] = (),
    lang: Language | None = None,
    generated: dt.date | None = None,
) -> PlansResult:
    """Every asked partner's plan (all ingested partners when none is asked), written under
    `out_dir` (default `folder`)."""
    inputs = load_inputs(folder, config)
    known = sorted(set(inputs.partners["partner"].astype(str)))
    asked = list(dict.fromkeys(partners)) or known
    for code in asked:
        _check_partner(code, inputs)
    day = generated or dt.date.today()
    written = []
    for code in asked:
        doc = build_plan(code, inputs, config, lang=lang, generated=day)
        paths = write_plan(doc, out_dir or folder)
        written.append(
            WrittenPlan(code, doc.language, doc.draft, len(doc.actions), paths, tuple(missing_items(doc)))
        )
    return PlansResult(written, inputs.notes)


def plans_json(result: PlansResult) -> dict[str, Any]:
    """`p4c plan --json`: each plan written, its language, whether a draft, what it lacks."""
    return {
        "plans": [
            {
                "partner": p.partner,
                "language": p.language,
                "draft": p.draft,
                "actions": p.actions,
                "files": [str(path) for path in p.paths],
                "missing": list(p.missing),
            }
            for p in result.plans
        ],
        "notes": list(result.notes),
    }
