"""Plan workbooks through `p4c ingest`: stored rows, every error at its cell, all or nothing, history."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from p4c import store
from p4c.config import Config, Project
from p4c.ingest import ingest
from p4c.io import read_book
from p4c.models import Language
from p4c.plan.ingest import workbook_language
from p4c.plan.workbook import write_plan_template
from tests.books import service_row, workbook, write
from tests.plan.partnership import ACTION_HEADER, action, partnership, plan_book


@pytest.fixture
def members(tmp_path: Path, project: Project, config: Config) -> Project:
    return partnership(tmp_path, project, config)


def errors(report: Any) -> list[tuple[str | None, str]]:
    return [(i.cell, i.message) for i in report.files[0].errors]


def test_a_plan_workbook_is_stored(tmp_path: Path, members: Project, config: Config) -> None:
    rows = [
        action(),
        action(
            practice_partner=None,
            practice_id=None,
            action="Regional roadmap",
            status="abandonnée",
            reason="No budget",
            cost_eur="1 200,50",
            start_date="01/02/2027",
            end_date="2027-03-01",
        ),
    ]
    path = write(tmp_path / "FR_plan_en.xlsx", plan_book(rows))
    report = ingest([path], members, config)
    assert report.ok, errors(report)
    result = report.files[0]
    assert (result.kind, result.partner, result.accepted, result.warnings) == ("plan", "FR", 2, [])
    plans = store.read_table(members.processed_dir, store.PLANS)
    assert plans is not None
    assert plans.to_dict("records") == [
        {
            "partner": "FR",
            "policy_instrument": "ERDF programme",
            "authority": "Regional council",
            "context": None,
            "objectives": None,
            "language": "en",
            "source_file": "FR_plan_en.xlsx",
        }
    ]
    actions = store.read_table(members.processed_dir, store.PLAN_ACTIONS)
    assert actions is not None
    records = actions.astype(object).where(actions.notna(), None).to_dict("records")
    assert records == [
        {
            "partner": "FR",
            "practice_partner": "BE",
            "practice_id": "S-01",
            "action": "Open a matchmaking desk",
            "description": "Copied from Namur",
            "players": "Agency, two clusters",
            "start_date": dt.date(2027, 1, 1),
            "end_date": dt.date(2027, 12, 31),
            "cost_eur": 12500.5,
            "funding_source": "ERDF",
            "indicator": "SMEs served",
            "target": "40 SMEs",
            "status": "ONGOING",
            "reason": None,
            "source_file": "FR_plan_en.xlsx",
            "source_sheet": "Actions",
            "source_row": 2,
        },
        {
            "partner": "FR",
            "practice_partner": None,
            "practice_id": None,
            "action": "Regional roadmap",
            "description": "Copied from Namur",
            "players": "Agency, two clusters",
            "start_date": dt.date(2027, 2, 1),
            "end_date": dt.date(2027, 3, 1),
            "cost_eur": 1200.5,
            "funding_source": "ERDF",
            "indicator": "SMEs served",
            "target": "40 SMEs",
            "status": "DROPPED",
            "reason": "No budget",
            "source_file": "FR_plan_en.xlsx",
            "source_sheet": "Actions",
            "source_row": 3,
        },
    ]


def test_every_required_field_missing_is_an_error_at_its_cell(
    tmp_path: Path, members: Project, config: Config
) -> None:
    blank = dict.fromkeys(("action", "players", "start_date", "end_date", "indicator", "target"))
    path = write(tmp_path / "FR_plan_en.xlsx", plan_book([action(), action(**blank)]))
    report = ingest([path], members, config)
    assert not report.ok
    assert errors(report) == [
        ("Actions!C3", "action is required: text"),
        ("Actions!E3", "players is required: text"),
        ("Actions!F3", "start_date is required: a date"),
        ("Actions!G3", "end_date is required: a date"),
        ("Actions!J3", "indicator is required: text"),
        ("Actions!K3", "target is required: text"),
    ]
    assert store.read_table(members.processed_dir, store.PLANS) is None  # all or nothing
    assert store.read_table(members.processed_dir, store.PLAN_ACTIONS) is None


def test_a_plan_with_an_error_never_replaces_the_stored_one(
    tmp_path: Path, members: Project, config: Config
) -> None:
    assert ingest([write(tmp_path / "one" / "FR_plan_en.xlsx", plan_book())], members, config).ok
    bad = write(tmp_path / "two" / "FR_plan_en.xlsx", plan_book([action(action="New"), action(players=None)]))
    report = ingest([bad], members, config, accept_valid=True)
    assert (report.ok, report.files[0].written) == (False, False)
    assert errors(report) == [("Actions!E3", "players is required: text")]
    actions = store.read_table(members.processed_dir, store.PLAN_ACTIONS)
    assert actions is not None and actions["action"].tolist() == ["Open a matchmaking desk"]


def test_a_required_column_missing_names_its_aliases(
    tmp_path: Path, members: Project, config: Config
) -> None:
    header = [h for h in ACTION_HEADER if h != "indicator"]
    row = [v for h, v in zip(ACTION_HEADER, action(), strict=True) if h != "indicator"]
    report = ingest([write(tmp_path / "FR_plan_en.xlsx", plan_book([row], header=header))], members, config)
    assert [c for c, _ in errors(report)] == ["Actions!M1"]
    assert errors(report)[0][1].startswith(
        "required column indicator is missing; head a column with one of: "
    )


def test_dropped_without_a_reason_is_an_error(tmp_path: Path, members: Project, config: Config) -> None:
    rows = [action(status="DROPPED"), action(status="Verworfen", reason="Kein Budget")]
    report = ingest([write(tmp_path / "FR_plan_en.xlsx", plan_book(rows))], members, config)
    assert errors(report) == [
        ("Actions!M2", "a DROPPED action needs a reason: say why in the reason column"),
    ]
    # Without a reason column the error is at the status cell.
    header = ACTION_HEADER[:-1]
    report = ingest(
        [write(tmp_path / "FR_plan_de.xlsx", plan_book([action(status="DROPPED")[:-1]], header=header))],
        members,
        config,
    )
    assert errors(report) == [
        ("Actions!L2", "a DROPPED action needs a reason: say why in the reason column"),
    ]


def test_practices_must_be_ingested_services(tmp_path: Path, members: Project, config: Config) -> None:
    rows = [
        action(practice_id="S-09"),
        action(practice_partner="XX"),
        action(practice_partner=None),
        action(practice_id=None),
        action(status="maybe", end_date=dt.date(2026, 1, 1), cost_eur=-5),
    ]
    report = ingest([write(tmp_path / "FR_plan_en.xlsx", plan_book(rows))], members, config)
    assert errors(report) == [
        (
            "Actions!B2",
            "BE S-09 is not among the ingested services; give a practice as the partner code and the "
            "service_id of its workbook",
        ),
        (
            "Actions!A3",
            "expected an ISO 3166 alpha-2 country code: two letters such as BE, DE, MT (EL and UK are "
            "read as GR and GB)",
        ),
        (
            "Actions!A4",
            "practice_partner and practice_id go together: give both, or neither for an action of your own",
        ),
        (
            "Actions!B5",
            "practice_partner and practice_id go together: give both, or neither for an action of your own",
        ),
        ("Actions!G6", "end_date 2026-01-01 is before start_date 2027-01-01"),
        ("Actions!H6", "cost_eur must be >= 0"),
        (
            "Actions!L6",
            "unknown status; accepted: PLANNED (prévue, geplant, prévu); ONGOING (en cours, laufend); "
            "DONE (réalisée, abgeschlossen, terminée, terminé, réalisé, erledigt); DROPPED (abandonnée, "
            "verworfen, abandonné, annulée, aufgegeben, abgebrochen)",
        ),
    ]


def test_the_partner_from_its_sheet_the_option_or_the_file_name(
    tmp_path: Path, members: Project, config: Config
) -> None:
    by_sheet = write(tmp_path / "plan.xlsx", plan_book(partner="DE"))
    report = ingest([by_sheet], members, config)
    assert report.ok and report.files[0].partner == "DE"
    report = ingest([write(tmp_path / "plan2.xlsx", plan_book())], members, config, partner="BE")
    assert report.ok and report.files[0].partner == "BE"
    report = ingest([write(tmp_path / "FR_plan.xlsx", plan_book(partner="DE"))], members, config)
    assert errors(report) == [
        (
            "Partner!B1",
            "the Partner sheet says DE but the file name FR_plan.xlsx says FR; they must agree (fix the "
            "sheet, or rename the file)",
        )
    ]
    report = ingest([write(tmp_path / "plan3.xlsx", plan_book())], members, config)
    assert errors(report) == [
        (
            None,
            "cannot tell which partner this plan is from: it has no Partner sheet; pass --partner CODE "
            "or start the file name with the country code (e.g. MT_plan_en.xlsx)",
        )
    ]
    report = ingest([write(tmp_path / "MT_plan.xlsx", plan_book())], members, config)
    assert errors(report) == [(None, "MT is not a partner of the partnership; partners: BE, DE, FR")]


def test_a_new_plan_replaces_the_old_one_which_goes_to_history(
    tmp_path: Path, members: Project, config: Config
) -> None:
    first = write(tmp_path / "one" / "FR_plan_en.xlsx", plan_book([action(), action(action="Second")]))
    second = write(tmp_path / "two" / "FR_plan_en.xlsx", plan_book([action(action="Only")]))
    assert ingest([first], members, config).ok
    assert ingest([second], members, config).ok
    current = store.read_table(members.processed_dir, store.PLAN_ACTIONS)
    assert current is not None and current["action"].tolist() == ["Only"]
    old = store.read_table(members.processed_dir, store.PLAN_ACTIONS, history=True)
    assert old is not None and old["action"].tolist() == ["Open a matchmaking desk", "Second"]
    services = store.read_table(members.processed_dir, store.SERVICES)
    assert services is not None and len(services) == 4  # the partner workbooks are untouched


def test_one_ingest_with_the_partner_workbooks_on_an_empty_store(
    tmp_path: Path, project: Project, config: Config
) -> None:
    files = [
        write(tmp_path / "BE_services.xlsx", workbook([service_row(1)])),
        write(tmp_path / "FR_services.xlsx", workbook([service_row(1)], code="FR")),
        write(tmp_path / "FR_plan_en.xlsx", plan_book()),
    ]
    report = ingest(files, project, config)
    assert report.ok, [errors(report)]
    assert [(f.kind, f.partner, f.accepted) for f in report.files] == [
        ("partner", "BE", 1),
        ("partner", "FR", 1),
        ("plan", "FR", 1),
    ]


def test_a_plan_alone_before_any_partner_workbook(tmp_path: Path, project: Project, config: Config) -> None:
    report = ingest([write(tmp_path / "FR_plan_en.xlsx", plan_book())], project, config)
    assert errors(report) == [
        (
            None,
            "no partner workbook is ingested yet: a plan's actions transfer ingested services; ingest "
            "the partners' workbooks first (or with this one)",
        )
    ]


def test_an_empty_actions_sheet_is_stored_with_a_warning(
    tmp_path: Path, members: Project, config: Config
) -> None:
    report = ingest([write(tmp_path / "FR_plan_en.xlsx", plan_book([]))], members, config)
    assert report.ok
    assert [(i.sheet, i.message) for i in report.files[0].warnings] == [
        ("Actions", "no action in this sheet: the plan's Parts III and IV will be empty")
    ]
    plans = store.read_table(members.processed_dir, store.PLANS)
    assert plans is not None and plans["partner"].tolist() == ["FR"]


@pytest.mark.parametrize("lang", ["en", "fr", "de"])
def test_a_filled_template_reads_back_in_its_language(
    lang: Language, tmp_path: Path, members: Project, config: Config
) -> None:
    prefill = pd.DataFrame(
        {
            "practice_partner": ["BE"],
            "practice_id": ["S-01"],
            "title": ["Matchmaking"],
            "players": ["Agence"],
            "start_date": [dt.date(2027, 1, 1)],
            "end_date": [dt.date(2027, 6, 30)],
            "cost_eur": [1500.0],
            "indicator": ["PME"],
            "target": ["40"],
            "status": ["DONE"],
        }
    )
    path = write_plan_template(
        tmp_path / f"FR_plan_{lang}.xlsx",
        partner="FR",
        lang=lang,
        actions_prefill=prefill,
        plan={"authority": "Région", "objectives": "Plus de PME"},
    )
    book = read_book(path, max_rows=1000, max_file_mb=10, max_uncompressed_mb=100)
    assert workbook_language(book) == lang
    report = ingest([path], members, config)
    assert report.ok, errors(report)
    plans = store.read_table(members.processed_dir, store.PLANS)
    assert plans is not None
    assert plans[["language", "authority", "objectives", "policy_instrument"]].values.tolist() == [
        [lang, "Région", "Plus de PME", None]
    ]
    actions = store.read_table(members.processed_dir, store.PLAN_ACTIONS)
    assert actions is not None
    assert actions[["practice_id", "action", "status", "cost_eur", "end_date"]].values.tolist() == [
        ["S-01", "Matchmaking", "DONE", 1500.0, dt.date(2027, 6, 30)]
    ]
