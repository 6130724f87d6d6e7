"""What a plan shows, as labelled texts in the plan's language: shared by the .docx and the HTML.

Both writers lay out the same `Fact`s, so the two formats cannot disagree on a label, a figure or
a placeholder. A `Fact` whose value is None is shown as the "not yet set" placeholder.
"""

from __future__ import annotations

from dataclasses import dataclass

from p4c.plan.model import Action, PlanDocument
from p4c.plan.words import local_amount, local_change, local_date, local_number, text


@dataclass(frozen=True)
class Fact:
    label: str
    value: str | None  # None: not set yet


@dataclass(frozen=True)
class NeedBar:
    code: str
    label: str
    importance: float
    shown: str  # the importance as the language writes it


def partner_facts(doc: PlanDocument) -> list[Fact]:
    lang = doc.language
    cis = None if doc.cluster_initiatives is None else str(doc.cluster_initiatives)
    return [
        Fact(text("label.partner", lang), doc.partner),
        Fact(text("label.organisation", lang), doc.organisation),
        Fact(text("label.region", lang), doc.region),
        Fact(text("label.cluster_initiatives", lang), cis),
        Fact(text("label.contact", lang), doc.contact),
    ]


def policy_facts(doc: PlanDocument) -> list[Fact]:
    lang = doc.language
    return [
        Fact(text("plan.policy_instrument", lang), doc.policy_instrument),
        Fact(text("plan.authority", lang), doc.authority),
        Fact(text("plan.context", lang), doc.context),
        Fact(text("plan.objectives", lang), doc.objectives),
    ]


def need_bars(doc: PlanDocument) -> list[NeedBar]:
    """The needs in the config's category order (that of `category_labels`), then other codes."""
    order = [c for c in doc.category_labels if c in doc.needs]
    order += sorted(c for c in doc.needs if c not in doc.category_labels)
    return [
        NeedBar(c, doc.category_label(c), doc.needs[c], local_number(doc.needs[c], doc.language, "#,##0.#"))
        for c in order
    ]


def action_title(action: Action, doc: PlanDocument) -> str:
    """The action's title, else its practice's, else "Untitled action"."""
    return action.title or action.practice_title or text("action.untitled", doc.language)


def action_heading(number: int, action: Action, doc: PlanDocument) -> str:
    return f"{number}. {action_title(action, doc)}"


def practice_text(action: Action) -> str | None:
    if not action.practice_partner or not action.practice_id:
        return None
    ref = f"{action.practice_partner} {action.practice_id}"
    return f"{action.practice_title} ({ref})" if action.practice_title else ref


def timeframe(action: Action, doc: PlanDocument) -> str | None:
    if action.start_date is None and action.end_date is None:
        return None
    lang = doc.language
    start = local_date(action.start_date, lang) if action.start_date else text("doc.not_set", lang)
    end = local_date(action.end_date, lang) if action.end_date else text("doc.not_set", lang)
    return f"{start} – {end}"


def status_text(action: Action, doc: PlanDocument) -> str:
    return text(f"status.{action.status.value}", doc.language)


def test_facts(action: Action, doc: PlanDocument) -> list[Fact]:
    """The practice's field-test results: one line when it was never tested."""
    lang = doc.language
    results = action.results
    if results is None:
        return [Fact(text("action.tests", lang), text("action.not_tested", lang))]
    facts = [Fact(text("action.tests_done", lang), f"{results.done} / {results.successes}")]
    if results.status is not None:
        own = text(f"test.{results.status.value}", lang)
        if results.adoption is not None:
            own += ", " + text(f"adoption.{results.adoption.value}", lang)
        facts.append(Fact(text("action.test_status", lang), own))
    if results.satisfaction is not None:
        facts.append(
            Fact(text("action.satisfaction", lang), local_number(results.satisfaction, lang) + " / 5")
        )
    if results.indicator_change is not None:
        facts.append(
            Fact(text("action.indicator_change", lang), local_change(results.indicator_change, lang))
        )
    return facts


def action_facts(action: Action, doc: PlanDocument) -> list[Fact]:
    """Every detail of an action, in the order both formats show them."""
    lang = doc.language
    verdict = (
        text(f"verdict.{action.verdict.value}", lang)
        if action.verdict is not None
        else text("action.no_verdict", lang)
    )
    facts = []
    practice = practice_text(action)
    if practice is not None:
        facts += [
            Fact(text("action.practice", lang), practice),
            Fact(text("action.evidence", lang), action.practice_evidence),
            *test_facts(action, doc),
            Fact(text("action.verdict", lang), verdict),
        ]
    cost = None if action.cost_eur is None else local_amount(action.cost_eur, lang)
    facts += [
        Fact(text("action.description", lang), action.description),
        Fact(text("action.players", lang), action.players),
        Fact(text("action.timeframe", lang), timeframe(action, doc)),
        Fact(text("action.cost", lang), cost),
        Fact(text("action.funding", lang), action.funding_source),
        Fact(text("action.indicator", lang), action.indicator),
        Fact(text("action.target", lang), action.target),
        Fact(text("action.status", lang), status_text(action, doc)),
    ]
    if action.reason is not None or action.status.value == "DROPPED":
        facts.append(Fact(text("action.reason", lang), action.reason))
    return facts


def monitoring_header(doc: PlanDocument) -> list[str]:
    lang = doc.language
    return [
        text("monitoring.number", lang),
        text("action.action", lang),
        text("action.indicator", lang),
        text("action.target", lang),
        text("action.timeframe", lang),
        text("action.status", lang),
    ]


def monitoring_rows(doc: PlanDocument) -> list[list[str | None]]:
    """Part IV: one row per action (None cells are shown as not set)."""
    rows: list[list[str | None]] = []
    for number, action in enumerate(doc.actions, start=1):
        rows.append(
            [
                str(number),
                action_title(action, doc),
                action.indicator,
                action.target,
                timeframe(action, doc),
                status_text(action, doc),
            ]
        )
    return rows


def title_line(doc: PlanDocument) -> str:
    return f"{text('doc.title', doc.language)} – {doc.organisation or doc.partner}"


def subtitle_line(doc: PlanDocument) -> str:
    parts = [p for p in (doc.region, doc.partner) if p]
    return " · ".join(parts)


def generated_line(doc: PlanDocument) -> str:
    return f"{text('doc.generated', doc.language)} {local_date(doc.generated, doc.language)}"
