"""Field-test reports through `p4c ingest` (spec field-tests.md): stored rows, row rules at their
cells, all or nothing, replacement with history, and the template's round trip in three languages."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest

from p4c import store
from p4c.config import Config, Project
from p4c.evaluation.template import COLUMNS, WORDS, field_test_template, plan_rows
from p4c.evaluation.workbook import STORED_COLUMNS
from p4c.ingest import ingest
from tests.books import service_row, workbook, write
from tests.evaluation.books import DONE, report


def stored(project: Project) -> pd.DataFrame | None:
    return store.read_table(project.processed_dir, store.FIELD_TESTS_REPORTED)


def errors(result: Any) -> list[tuple[str | None, str]]:
    return [(i.cell, i.message) for i in result.files[0].errors]


def warnings(result: Any) -> list[tuple[str | None, str]]:
    return [(i.cell, i.message) for i in result.files[0].warnings]


def test_a_report_is_stored_under_its_host(tmp_path: Path, partnership: Project, config: Config) -> None:
    rows = [
        [*DONE, "LEGAL; financement", None],
        ["DE", "S-01", "atelier", "annulé", None, None, None, None, None, None, "no room"],
    ]
    result = ingest([write(tmp_path / "r.xlsx", report(rows))], partnership, config)
    assert result.ok, errors(result)
    assert (result.files[0].kind, result.files[0].partner, result.files[0].accepted) == (
        "field_tests",
        "FR",
        2,
    )
    assert warnings(result) == []
    frame = stored(partnership)
    assert frame is not None
    assert list(frame.columns) == list(STORED_COLUMNS)
    first, second = frame.to_dict("records")
    assert {k: first[k] for k in ("partner", "practice_partner", "practice_id", "mode", "status")} == {
        "partner": "FR",
        "practice_partner": "BE",
        "practice_id": "S-01",
        "mode": "IMPLEMENTATION",
        "status": "DONE",
    }
    assert (first["start_date"], first["end_date"]) == (dt.date(2025, 3, 1), dt.date(2025, 6, 30))
    assert (first["cis_involved"], first["satisfaction"], first["adoption"]) == (3, 4.25, "FULL")
    assert (first["barriers"], first["source_row"], first["source_file"]) == ("LEGAL;FUNDING", 2, "r.xlsx")
    assert (second["mode"], second["status"], second["lessons"], second["source_row"]) == (
        "WORKSHOP",
        "CANCELLED",
        "no room",
        3,
    )
    assert store.owners(partnership.processed_dir, store.FIELD_TESTS_REPORTED) == ["FR"]


def test_an_unplanned_test_is_a_warning_and_kept(
    tmp_path: Path, partnership: Project, config: Config
) -> None:
    rows = [[*DONE[:1], "S-02", *DONE[2:], None, None]]  # BE S-02 is ingested but not in FR's plan
    result = ingest([write(tmp_path / "FR_r.xlsx", report(rows))], partnership, config)
    assert result.ok
    assert warnings(result) == [
        ("FieldTests!B2", "practice BE S-02 is not in FR's field-test plan: kept as an unplanned test")
    ]
    frame = stored(partnership)
    assert frame is not None and frame["practice_id"].tolist() == ["S-02"]


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        (
            [["BE", "S-01", "workshop", "cancelled", None, None, None, None, None, None, None]],
            [("FieldTests!K2", "a CANCELLED test needs lessons: the reason it was cancelled, in words")],
        ),
        (
            [["FR", "S-01", "workshop", "planned", None, None, None, None, None, None, None]],
            [
                (
                    "FieldTests!A2",
                    "practice FR S-01 is FR's own; accepted: a practice of another partner "
                    "(partners test each other's practices)",
                )
            ],
        ),
        (
            [["BE", "S-09", "workshop", "planned", None, None, None, None, None, None, None]],
            [
                (
                    "FieldTests!B2",
                    "practice BE S-09 is not an ingested service; accepted: the practice_partner and "
                    "practice_id (service_id) of a service in the store",
                )
            ],
        ),
        (
            [["BE", "S-01", "implementation", "done", None, None, 9, None, "sort of", "weather", None]],
            [
                ("FieldTests!F2", "a DONE test needs end_date: the date the test ended (e.g. 2025-06-30)"),
                (
                    "FieldTests!G2",
                    "cis_involved 9 is more than the 5 cluster initiatives of FR; accepted: a whole "
                    "number from 0 to 5",
                ),
                (
                    "FieldTests!H2",
                    "a DONE test needs satisfaction: the participants' mean rating, from 1 to 5",
                ),
                (
                    "FieldTests!I2",
                    "unknown adoption; accepted: FULL (full, adopted as is, adoptée telle quelle, "
                    "unverändert übernommen, complete, adopted, totale, adopté tel quel, adoptée, "
                    "vollständig, übernommen); PARTIAL (partial, adapted, adaptée, angepasst übernommen, "
                    "partially, adapté, partielle, partiel, teilweise, angepasst); INTEREST (interest, "
                    "declared interest for later, intérêt déclaré pour plus tard, Interesse für später "
                    "bekundet, declared interest, intérêt, intérêt déclaré, interesse, interesse bekundet); "
                    "PRINCIPLES (principles, principles only, principes seulement, nur Grundsätze, "
                    "principes, principes uniquement, grundsätze, prinzipien, nur prinzipien); NONE (none, "
                    "not adopted, non adoptée, nicht übernommen, no, aucune, non, non adopté, keine, nein)",
                ),
                (
                    "FieldTests!J2",
                    "unknown barriers; accepted: LEGAL (legal, juridique, rechtlich, regulatory, regulation, "
                    "law, réglementaire, réglementation, recht, rechtliche, regulierung); FUNDING "
                    "(funding, financement, Finanzierung, finance, budget, money, financier, financière, "
                    "finanzen, finanziell, geld); CAPACITY (capacity, capacité, Kapazität, staff, "
                    "capacities, capacités, personnel, kapazitäten, personal); DEMAND (demand, demande, "
                    "Nachfrage, interest of smes, demand of smes, bedarf); CULTURE (culture, Kultur, "
                    "cultural, culturel, culturelle, kulturell); TIMING (timing, calendrier, Zeitplan, "
                    "time, calendar, délais, délai, temps, zeit, zeitpunkt); OTHER (other, autre, "
                    "Sonstiges, others, autres, sonstige, andere)",
                ),
            ],
        ),
        (
            [
                ["BE", "S-01", "workshop", "ongoing", dt.date(2025, 5, 1), dt.date(2025, 4, 1)] + [None] * 5,
                ["BE", "S-01", "workshop", "planned"] + [None] * 7,
            ],
            [
                (
                    "FieldTests!F2",
                    "end_date 2025-04-01 is before start_date 2025-05-01; accepted: an end date on or "
                    "after the start date",
                ),
                (
                    "FieldTests!B3",
                    "practice BE S-01 is already reported at row 2; accepted: each practice once per "
                    "workbook (merge the two rows)",
                ),
            ],
        ),
        (
            [["BE", "S-01", "visit", "done", None, dt.date(2025, 6, 1), None, 6, "FULL", None, None]],
            [
                (
                    "FieldTests!C2",
                    "unknown mode; accepted: IMPLEMENTATION (implementation, mise en œuvre, Umsetzung, "
                    "implement, pilot implementation, implementierung, durchführung); WORKSHOP (workshop, "
                    "atelier, seminar, séminaire, werkstatt)",
                ),
                (
                    "FieldTests!H2",
                    "score 6 is outside 1-5; expected a number from 1 to 5, or N/5 such as 4/5",
                ),
            ],
        ),
    ],
)
def test_every_error_is_at_its_cell_and_nothing_is_written(
    *, tmp_path: Path, partnership: Project, config: Config, rows: list[list[Any]], expected: list[Any]
) -> None:
    good = [["DE", "S-01", "workshop", "planned"] + [None] * 7]  # a valid row: all or nothing
    result = ingest([write(tmp_path / "r.xlsx", report(rows + good * (len(rows) == 1)))], partnership, config)
    assert errors(result) == expected
    assert not result.files[0].written
    assert stored(partnership) is None


def test_a_baseline_needs_a_result(tmp_path: Path, partnership: Project, config: Config) -> None:
    header = ["practice_partner", "practice_id", "mode", "status", "indicator", "baseline"]
    rows = [["BE", "S-01", "workshop", "ongoing", "SMEs", 10]]
    result = ingest([write(tmp_path / "FR.xlsx", report(rows, header=header))], partnership, config)
    assert errors(result) == [
        (
            "FieldTests!G2",
            "baseline is given but result is not; accepted: both the value before (baseline) and after "
            "(result) of the indicator, or neither (add a result column)",
        )
    ]


def test_a_new_report_replaces_the_hosts_old_one_which_goes_to_history(
    tmp_path: Path, partnership: Project, config: Config
) -> None:
    first = [[*DONE, None, None], ["DE", "S-01", "workshop", "planned"] + [None] * 7]
    assert ingest([write(tmp_path / "a" / "FR_r.xlsx", report(first))], partnership, config).ok
    again = [["DE", "S-01", "workshop", "ongoing"] + [None] * 7]
    assert ingest([write(tmp_path / "b" / "FR_r.xlsx", report(again))], partnership, config).ok
    frame = stored(partnership)
    assert frame is not None
    assert frame[["practice_partner", "practice_id", "status"]].values.tolist() == [["DE", "S-01", "ONGOING"]]
    history = store.read_table(partnership.processed_dir, store.FIELD_TESTS_REPORTED, history=True)
    assert history is not None
    assert history[["practice_id", "status"]].values.tolist() == [["S-01", "DONE"], ["S-01", "PLANNED"]]
    assert store.owners(partnership.processed_dir, store.SERVICES) == ["BE", "DE", "FR"]  # untouched
    bad = [["BE", "S-01", "workshop", "cancelled"] + [None] * 7]  # no reason: rejected, the old one stays
    assert not ingest([write(tmp_path / "c" / "FR_r.xlsx", report(bad))], partnership, config).ok
    after = stored(partnership)
    assert after is not None and after["status"].tolist() == ["ONGOING"]


def test_the_partner_comes_from_the_file_name_without_a_partner_sheet(
    tmp_path: Path, partnership: Project, config: Config
) -> None:
    rows = [["FR", "S-01", "workshop", "planned"] + [None] * 7]
    result = ingest([write(tmp_path / "BE_tests.xlsx", report(rows, code=None))], partnership, config)
    assert result.ok and result.files[0].partner == "BE"
    nameless = ingest([write(tmp_path / "tests.xlsx", report(rows, code=None))], partnership, config)
    assert errors(nameless) == [
        (
            None,
            "cannot tell which partner this report is from: it has no Partner sheet; add one "
            "(partner_code in A1, the code in B1), pass --partner CODE or start the file name with the "
            "country code (e.g. BE_field_tests.xlsx)",
        )
    ]
    clash = ingest([write(tmp_path / "DE_tests.xlsx", report(rows, code="BE"))], partnership, config)
    assert errors(clash) == [
        (
            "Partner!B1",
            "the Partner sheet says BE but the file name DE_tests.xlsx says DE; they must agree (fix the "
            "sheet, or rename the file)",
        )
    ]


def test_a_report_before_any_partner_workbook_gets_one_clear_message(
    tmp_path: Path, project: Project, config: Config
) -> None:
    result = ingest([write(tmp_path / "FR_r.xlsx", report([[*DONE, None, None]]))], project, config)
    assert errors(result) == [
        (
            None,
            "no partner workbook is ingested yet: a field-test report tells how partners tested the "
            "ingested services; ingest the partners' workbooks first",
        )
    ]


def test_a_report_comes_in_one_ingest_with_the_partner_workbooks(
    tmp_path: Path, project: Project, config: Config
) -> None:
    books = [
        write(tmp_path / "FR_r.xlsx", report([[*DONE, None, None]])),  # validated first, in path order
        write(tmp_path / "BE.xlsx", workbook([service_row(1)])),
        write(tmp_path / "FR.xlsx", workbook([service_row(1, cis_served=2)], code="FR", cis=5)),
    ]
    result = ingest(books, project, config)
    assert result.ok, [errors(result)]
    assert [f.kind for f in result.files] == ["field_tests", "partner", "partner"]
    frame = stored(project)
    assert frame is not None and frame["practice_id"].tolist() == ["S-01"]


# --- the template, filled by code in three languages ----------------------------------------------

FILLED: dict[str, dict[str, Any]] = {
    "en": {"mode": "workshop", "status": "done", "adoption": "adapted", "barriers": "legal, funding"},
    "fr": {"mode": "atelier", "status": "terminé", "adoption": "adaptée",
           "barriers": "juridique ; financement"},
    "de": {"mode": "Workshop", "status": "abgeschlossen", "adoption": "angepasst übernommen",
           "barriers": "rechtlich, Finanzierung"},
}  # fmt: skip


@pytest.mark.parametrize("lang", ["en", "fr", "de"])
def test_the_template_round_trips_in_each_language(
    tmp_path: Path, partnership: Project, config: Config, lang: str
) -> None:
    from p4c.evaluation.stage import read_plan

    plan = read_plan(partnership.processed_dir)
    assert plan is not None
    tests = plan_rows(plan, "FR")
    assert [(t["practice_partner"], t["practice_id"], t["mode"]) for t in tests] == [
        ("BE", "S-01", "IMPLEMENTATION"),
        ("DE", "S-01", "WORKSHOP"),
    ]
    path = field_test_template(tmp_path / f"FR_field_tests_{lang}.xlsx", partner="FR", lang=lang, tests=tests)  # type: ignore[arg-type]
    book = openpyxl.load_workbook(path)
    words = WORDS[lang]
    sheet = book[words.sheets["FieldTests"]]
    assert [c.value for c in sheet[1]] == [words.headers[c] for c in COLUMNS]
    assert sheet.freeze_panes == "D2"
    col = {c: i + 1 for i, c in enumerate(COLUMNS)}
    values = {
        **FILLED[lang],
        "start_date": dt.datetime(2025, 3, 1),
        "end_date": dt.datetime(2025, 6, 30),
        "cis_involved": 2,
        "smes_involved": 7,
        "cost_eur": 1500.5,
        "satisfaction": 4.37,
        "indicator": "SMEs",
        "baseline": 10,
        "result": 12,
        "lessons": "ok",
    }
    for column, value in values.items():
        sheet.cell(row=2, column=col[column], value=value)
    book.save(path)
    result = ingest([path], partnership, config)
    assert result.ok, errors(result)
    frame = stored(partnership)
    assert frame is not None
    rows = frame.drop(columns=["source_file"]).to_dict("records")
    assert rows[0] == {
        "partner": "FR",
        "practice_partner": "BE",
        "practice_id": "S-01",
        "mode": "WORKSHOP",
        "status": "DONE",
        "start_date": dt.date(2025, 3, 1),
        "end_date": dt.date(2025, 6, 30),
        "cis_involved": 2,
        "smes_involved": 7,
        "participants": None,
        "cost_eur": 1500.5,
        "staff_days": rows[0]["staff_days"],
        "satisfaction": 4.37,
        "indicator": "SMEs",
        "baseline": 10.0,
        "result": 12.0,
        "adoption": "PARTIAL",
        "barriers": "LEGAL;FUNDING",
        "adaptations": None,
        "lessons": "ok",
        "source_row": 2,
    }
    assert pd.isna(rows[0]["staff_days"])
    assert {k: rows[1][k] for k in ("practice_partner", "practice_id", "mode", "status")} == {
        "practice_partner": "DE",
        "practice_id": "S-01",
        "mode": "WORKSHOP",
        "status": "PLANNED",
    }
