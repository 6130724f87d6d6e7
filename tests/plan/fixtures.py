"""Hand-made evaluations, field-test results and plans for the plan tests."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from p4c.evaluation.models import Adoption, TestStatus, Verdict
from p4c.models import Language
from p4c.plan.model import Action, ActionStatus, FieldTestResults, PlanDocument

GENERATED = dt.date(2026, 3, 7)
EVALUATION_COLUMNS = ["practice_partner", "practice_id", "title", "category", "verdict", "evidence"]
RESULTS_COLUMNS = [
    "partner",
    "practice_partner",
    "practice_id",
    "status",
    "adoption",
    "success",
    "satisfaction",
    "baseline",
    "result",
]


def evaluation() -> pd.DataFrame:
    rows = [
        ("BE", "BE-01", "Cluster academy", "SKILLS", "TRANSFERABLE", "120 SMEs trained"),
        ("DE", "DE-02", "Export desk", "INTER", "PROMISING", "3 export contracts"),
        ("FR", "FR-01", "Own academy", "SKILLS", "TRANSFERABLE", "own"),
        ("EE", "EE-05", "Innovation vouchers", "INNOV", "NOT_TRANSFERABLE", "40 vouchers"),
        ("SI", "SI-03", "Mentoring circles", "SKILLS", "PROMISING", "12 circles"),
        ("GR", "GR-07", "Trade missions", "INTER", "TRANSFERABLE", "5 missions"),
        ("MT", "MT-02", "Micro-grants", "FIN", "TRANSFERABLE", "30 grants"),
        ("BE", "BE-09", "Skills radar", "SKILLS", "NOT_TESTED", ""),
        ("DE", "DE-01", "Digital lab", "SKILLS", "TRANSFERABLE", "18 pilots"),
        ("AT", "AT-04", "Patent clinic", "INNOV", "TRANSFERABLE", "9 patents"),
        ("SI", "SI-01", "Idea contests", "INNOV", "PROMISING", "2 contests"),
        ("AT", "AT-09", "Talent pool", "SKILLS", "TRANSFERABLE", "60 hires"),
    ]
    return pd.DataFrame(rows, columns=EVALUATION_COLUMNS)


def results() -> pd.DataFrame:
    rows = [
        ("FR", "EE", "EE-05", "DONE", "PARTIAL", True, 4.5, 10.0, 12.0),
        ("FR", "DE", "DE-01", "DONE", "FULL", True, 4.0, 20.0, 30.0),
        ("FR", "SI", "SI-01", "DONE", "NONE", False, 2.0, None, None),
        ("BE", "DE", "DE-02", "DONE", "FULL", True, 3.0, 8.0, 6.0),
        ("FR", "FR", "FR-01", "DONE", "FULL", True, 5.0, None, None),  # own practice: never kept
        ("fr", "de", "DE-01", "DONE", "FULL", "true", 4.0, None, None),  # the same test again
        ("GR", "DE", "DE-01", "DONE", "PARTIAL", True, 3.0, 10.0, 11.0),
        ("MT", "DE", "DE-01", "CANCELLED", None, False, None, None, None),
    ]
    return pd.DataFrame(rows, columns=RESULTS_COLUMNS)


NEEDS = {"SKILLS": 5.0, "INTER": 4.0, "INNOV": 2.0}

LABELS: dict[Language, dict[str, str]] = {
    "en": {
        "SKILLS": "Skills and training",
        "INTER": "Internationalisation",
        "INNOV": "Innovation support",
        "FIN": "Access to finance",
    },
    "fr": {
        "SKILLS": "Compétences et formation",
        "INTER": "Internationalisation",
        "INNOV": "Appui à l'innovation",
        "FIN": "Accès au financement",
    },
    "de": {
        "SKILLS": "Kompetenzen und Weiterbildung",
        "INTER": "Internationalisierung",
        "INNOV": "Innovationsförderung",
        "FIN": "Zugang zu Finanzierung",
    },
}

# The partner's own words in each language (no English fixed text may hide in them).
USER_TEXT: dict[Language, dict[str, str]] = {
    "en": {
        "organisation": "Brittany Development Agency",
        "region": "Brittany",
        "policy_instrument": "Regional programme 2021-2027, priority 1",
        "authority": "Brittany regional council",
        "context": "Twelve clusters.\nMostly small firms.",
        "objectives": "More SMEs in cluster projects.",
        "title1": "Open a digital lab",
        "players1": "Agency, two clusters",
        "indicator1": "SMEs served",
        "target1": "40 SMEs",
        "funding1": "ERDF",
        "description1": "A lab copied from Germany.",
        "title2": "Export club",
        "players2": "Chamber of commerce",
        "indicator2": "Export contracts",
        "target2": "10",
        "reason2": "No budget this year",
        "practice_title": "Digital lab",
        "practice_evidence": "18 pilots",
    },
    "fr": {
        "organisation": "Agence de développement de Bretagne",
        "region": "Bretagne",
        "policy_instrument": "Programme régional 2021-2027, priorité 1",
        "authority": "Conseil régional de Bretagne",
        "context": "Douze pôles.\nSurtout des PME.",
        "objectives": "Plus de PME dans les projets des pôles.",
        "title1": "Ouvrir un laboratoire numérique",
        "players1": "Agence, deux pôles",
        "indicator1": "PME accompagnées",
        "target1": "40 PME",
        "funding1": "FEDER",
        "description1": "Un laboratoire repris de l'Allemagne.",
        "title2": "Club export",
        "players2": "Chambre de commerce",
        "indicator2": "Contrats à l'export",
        "target2": "10",
        "reason2": "Pas de budget cette année",
        "practice_title": "Laboratoire numérique",
        "practice_evidence": "18 pilotes",
    },
    "de": {
        "organisation": "Wirtschaftsförderung Sachsen",
        "region": "Sachsen",
        "policy_instrument": "Landesprogramm 2021-2027, Priorität 1",
        "authority": "Sächsisches Staatsministerium",
        "context": "Zwölf Cluster.\nMeist kleine Firmen.",
        "objectives": "Mehr KMU in Clusterprojekten.",
        "title1": "Ein Digitallabor eröffnen",
        "players1": "Agentur, zwei Cluster",
        "indicator1": "Betreute KMU",
        "target1": "40 KMU",
        "funding1": "EFRE",
        "description1": "Ein Labor nach deutschem Vorbild.",
        "title2": "Exportclub",
        "players2": "Handelskammer",
        "indicator2": "Exportverträge",
        "target2": "10",
        "reason2": "Kein Budget in diesem Jahr",
        "practice_title": "Digitallabor",
        "practice_evidence": "18 Piloten",
    },
}


def plan(lang: Language = "en", *, draft: bool = False) -> PlanDocument:
    """A complete plan: one action transferring a tested practice, one own action dropped."""
    w = USER_TEXT[lang]
    first = Action(
        practice_partner="DE",
        practice_id="DE-01",
        practice_title=w["practice_title"],
        practice_evidence=w["practice_evidence"],
        results=FieldTestResults(
            status=TestStatus.DONE,
            adoption=Adoption.FULL,
            satisfaction=4.25,
            indicator_change=0.5,
            done=2,
            successes=2,
        ),
        verdict=Verdict.TRANSFERABLE,
        title=w["title1"],
        description=w["description1"],
        players=w["players1"],
        start_date=dt.date(2026, 3, 7),
        end_date=dt.date(2027, 12, 31),
        cost_eur=12345.5,
        funding_source=w["funding1"],
        indicator=w["indicator1"],
        target=w["target1"],
        status=ActionStatus.ONGOING,
    )
    second = Action(
        title=w["title2"],
        players=w["players2"],
        start_date=dt.date(2026, 9, 1),
        end_date=dt.date(2027, 6, 30),
        indicator=w["indicator2"],
        target=w["target2"],
        status=ActionStatus.DROPPED,
        reason=w["reason2"],
    )
    return PlanDocument(
        partner="FR",
        organisation=w["organisation"],
        region=w["region"],
        cluster_initiatives=12,
        contact="contact@example.org",
        language=lang,
        draft=draft,
        needs=dict(NEEDS),
        category_labels=LABELS[lang],
        policy_instrument=w["policy_instrument"],
        authority=w["authority"],
        context=w["context"],
        objectives=w["objectives"],
        actions=(first, second),
        generated=GENERATED,
    )
