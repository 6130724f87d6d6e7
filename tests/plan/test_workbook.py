"""The plan workbook: written in en/fr/de, read back with openpyxl; the Actions row rules."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from p4c.errors import P4CError
from p4c.models import KIND_SHEETS, Field, Language
from p4c.plan.model import ActionStatus
from p4c.plan.prefill import prefill_actions
from p4c.plan.words import text
from p4c.plan.workbook import (
    ACTION_COLUMN_NAMES,
    ACTION_COLUMNS,
    PLAN_KEYS,
    PLAN_SHEET_NAMES,
    ActionIssue,
    check_actions,
    parse_actions,
    parse_status,
    status_choices,
    write_plan_template,
)
from p4c.values import norm
from tests.plan.fixtures import NEEDS, evaluation, results

HEADERS: dict[str, list[str]] = {
    "en": [
        "Practice partner",
        "Practice ID",
        "Action",
        "Description",
        "Players",
        "Start date",
        "End date",
        "Cost (EUR)",
        "Funding source",
        "Indicator",
        "Target",
        "Status",
        "Reason (if dropped)",
    ],
    "fr": [
        "Partenaire de la pratique",
        "Identifiant de la pratique",
        "Action",
        "Description",
        "Acteurs",
        "Date de début",
        "Date de fin",
        "Coût (€)",
        "Source de financement",
        "Indicateur",
        "Cible",
        "Statut",
        "Motif (si abandonnée)",
    ],
    "de": [
        "Partner der Praxis",
        "Kennung der Praxis",
        "Maßnahme",
        "Beschreibung",
        "Beteiligte",
        "Beginn",
        "Ende",
        "Kosten (EUR)",
        "Finanzierungsquelle",
        "Indikator",
        "Zielwert",
        "Status",
        "Begründung (falls verworfen)",
    ],
}
SHEETS = {
    "en": ["Instructions", "Plan", "Actions"],
    "fr": ["Instructions", "Plan", "Actions"],
    "de": ["Anleitung", "Plan", "Maßnahmen"],
}
STATUS_LIST = {
    "en": ["Planned", "Ongoing", "Done", "Dropped"],
    "fr": ["Prévue", "En cours", "Réalisée", "Abandonnée", "PLANNED", "ONGOING", "DONE", "DROPPED"],
    "de": ["Geplant", "Laufend", "Abgeschlossen", "Verworfen", "PLANNED", "ONGOING", "DONE", "DROPPED"],
}


def _matches(field: Field, label: str) -> bool:
    return norm(label) in {norm(field.name.replace("_", " ")), *(norm(a) for a in field.aliases)}


@pytest.mark.parametrize("lang", ["en", "fr", "de"])
def test_round_trip(lang: Language, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    prefill = prefill_actions("FR", evaluation(), results(), NEEDS, 3)
    path = write_plan_template(
        tmp_path / f"FR_plan_{lang}.xlsx",
        partner="fr",
        lang=lang,
        actions_prefill=prefill,
        plan={"authority": "Région Bretagne"},
    )
    book = load_workbook(path)
    assert book.sheetnames == [*SHEETS[lang], "Lists"]
    assert book["Lists"].sheet_state == "hidden"
    plan_sheet = book[SHEETS[lang][1]]
    keys = [plan_sheet.cell(r, 1).value for r in range(1, 5)]
    assert keys == [
        text(k, lang) for k in ("plan.policy_instrument", "plan.authority", "plan.context", "plan.objectives")
    ]
    assert [plan_sheet.cell(r, 2).value for r in range(1, 5)] == [None, "Région Bretagne", None, None]
    assert all(_matches(f, k) for f, k in zip(PLAN_KEYS, keys, strict=True))

    actions = book[SHEETS[lang][2]]
    header = [c.value for c in actions[1]]
    assert header == HEADERS[lang]
    assert all(_matches(f, h) for f, h in zip(ACTION_COLUMNS, header, strict=True)), "a header is no alias"
    planned = text("status.PLANNED", lang)
    rows = [[c.value for c in row] for row in actions.iter_rows(min_row=2, max_row=actions.max_row)]
    assert rows == [
        [o, i, t, None, None, None, None, None, None, None, None, planned, None]
        for o, i, t in [
            ("DE", "DE-01", "Digital lab"),
            ("EE", "EE-05", "Innovation vouchers"),
            ("AT", "AT-09", "Talent pool"),
            ("BE", "BE-01", "Cluster academy"),
            ("GR", "GR-07", "Trade missions"),
            ("SI", "SI-03", "Mentoring circles"),
            ("DE", "DE-02", "Export desk"),
        ]
    ]
    assert actions.freeze_panes == "D2"
    assert actions.print_title_rows == "$1:$1"
    assert actions.page_setup.orientation == "landscape"
    # fit to one page wide (1 is the file format's default, so it may be left out), any height
    assert actions.sheet_properties.pageSetUpPr.fitToPage
    assert actions.page_setup.fitToWidth in (None, 1) and actions.page_setup.fitToHeight == 0
    assert actions.page_setup.paperSize == 9  # A4

    lists = book["Lists"]
    assert [c.value for c in lists["A"]][1:] == STATUS_LIST[lang]
    validations = {str(dv.sqref): dv for dv in actions.data_validations.dataValidation}
    status = validations["L2:L201"]
    assert status.type == "list" and status.formula1 == f"Lists!$A$2:$A${len(STATUS_LIST[lang]) + 1}"
    assert status.promptTitle == HEADERS[lang][11] and status.prompt == text("wb.help.status", lang)
    assert validations["F2:F201"].type == "date" and validations["H2:H201"].type == "decimal"
    assert validations["E2:E201"].prompt == text("wb.help.players", lang)
    date_format = {"en": "yyyy-mm-dd", "fr": "dd/mm/yyyy", "de": "dd.mm.yyyy"}[lang]
    assert actions.column_dimensions["F"].number_format == date_format  # type: ignore[union-attr]
    assert actions.column_dimensions["H"].number_format == "#,##0.00"  # type: ignore[union-attr]
    assert book.properties.title == f"{text('doc.title', lang)} – FR"


def test_status_words() -> None:
    for lang in ("en", "fr", "de"):
        assert status_choices(lang) == STATUS_LIST[lang]  # type: ignore[arg-type]
        for word in STATUS_LIST[lang]:
            assert parse_status(word) in set(ActionStatus)
    assert parse_status("abandonnée") == ActionStatus.DROPPED
    assert parse_status("  ") == ActionStatus.PLANNED
    with pytest.raises(ValueError, match="accepted: PLANNED, ONGOING, DONE, DROPPED"):
        parse_status("maybe")


def test_sheet_aliases_cover_the_template_names() -> None:
    assert PLAN_SHEET_NAMES is KIND_SHEETS["plan"]  # one list of names, the one ingest reads
    for lang in ("en", "fr", "de"):
        assert norm(SHEETS[lang][1]) in {norm(a) for a in PLAN_SHEET_NAMES["Plan"]}
        assert norm(SHEETS[lang][2]) in {norm(a) for a in PLAN_SHEET_NAMES["Actions"]}


def test_bad_prefill_or_plan_key(tmp_path: Path) -> None:
    with pytest.raises(P4CError, match="title"):
        write_plan_template(
            tmp_path / "x.xlsx",
            partner="FR",
            lang="en",
            actions_prefill=pd.DataFrame({"practice_partner": [], "practice_id": []}),
        )
    with pytest.raises(P4CError, match="budget"):
        write_plan_template(
            tmp_path / "x.xlsx",
            partner="FR",
            lang="en",
            actions_prefill=prefill_actions("FR", evaluation(), results(), NEEDS, 3),
            plan={"budget": "1"},
        )
    assert not (tmp_path / "x.xlsx").exists()


def _frame(*rows: dict[str, object]) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=list(ACTION_COLUMN_NAMES))


GOOD = {
    "practice_partner": "de",
    "practice_id": "DE-01",
    "action": "Lab",
    "players": "Agency",
    "start_date": "07/03/2026",
    "end_date": dt.date(2027, 1, 1),
    "indicator": "SMEs",
    "target": 40,
    "cost_eur": "12 500,50",
    "status": "en cours",
}


def test_a_good_row_is_typed() -> None:
    typed, issues = parse_actions(_frame(GOOD))
    assert issues == []
    row = typed.iloc[0].to_dict()
    assert row == {
        "practice_partner": "DE",
        "practice_id": "DE-01",
        "action": "Lab",
        "description": None,
        "players": "Agency",
        "start_date": dt.date(2026, 3, 7),
        "end_date": dt.date(2027, 1, 1),
        "cost_eur": 12500.5,
        "funding_source": None,
        "indicator": "SMEs",
        "target": "40",
        "status": "ONGOING",
        "reason": None,
    }


def test_row_rules() -> None:
    frame = _frame(
        {"action": "Lab"},  # row 2: players, dates, indicator, target missing
        {**GOOD, "end_date": "2026-01-01"},  # row 3: ends before it starts
        {**GOOD, "status": "DROPPED"},  # row 4: no reason
        {**GOOD, "status": "Verworfen", "reason": "no money"},  # row 5: fine
        {**GOOD, "practice_id": None, "cost_eur": "-5", "status": "later"},  # row 6
        {**GOOD, "start_date": "31/02/2026", "practice_partner": "DEU"},  # row 7
    )
    assert check_actions(frame) == [
        ActionIssue(2, "players", "players is required"),
        ActionIssue(2, "start_date", "start_date is required"),
        ActionIssue(2, "end_date", "end_date is required"),
        ActionIssue(2, "indicator", "indicator is required"),
        ActionIssue(2, "target", "target is required"),
        ActionIssue(3, "end_date", "end_date 2026-01-01 is before start_date 2026-03-07"),
        ActionIssue(4, "reason", "a DROPPED action needs a reason"),
        ActionIssue(6, "cost_eur", "-5 is negative; expected an amount >= 0"),
        ActionIssue(
            6,
            "status",
            "`later` is not a status; accepted: PLANNED, ONGOING, DONE, DROPPED (or "
            "their names in French or German, as in the dropdown)",
        ),
        ActionIssue(6, "practice_id", "practice_partner and practice_id go together: give both or neither"),
        ActionIssue(7, "practice_partner", "`DEU` is not a partner code; expected two letters such as BE"),
        ActionIssue(
            7,
            "start_date",
            "31/02/2026 is not a real date (day 31, month 2, year 2026); expected a "
            "date: a date cell, 2011-03-07, 07/03/2011, 07.03.2011, 7. 3. 2011, a "
            "year alone (2011), or an Excel date number",
        ),
    ]


def test_missing_optional_columns_are_blank() -> None:
    frame = pd.DataFrame(
        [
            {
                "action": "A",
                "players": "P",
                "start_date": "2026",
                "end_date": "2027",
                "indicator": "I",
                "target": "T",
            }
        ]
    )
    typed, issues = parse_actions(frame)
    assert issues == []
    assert typed.iloc[0]["status"] == "PLANNED" and typed.iloc[0]["reason"] is None
