"""`p4c evaluate`, `p4c template --field-tests` and `p4c run` with field-test reports."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from p4c import store
from p4c.cli import app
from p4c.config import Config, Project, default_config_text, parse_config
from p4c.errors import P4CError
from p4c.evaluation.evaluate import PRACTICE_COLUMNS, RESULT_COLUMNS
from p4c.ingest import ingest
from tests.books import write
from tests.evaluation.books import DONE, report

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


def evaluate(project: Project, *args: str) -> object:
    return runner.invoke(app, ["--project", str(project.root), "evaluate", "--as-of", "2025-12-01", *args])


def test_evaluate_writes_every_figure_and_says_what_is_missing(
    tmp_path: Path, partnership: Project, config: Config
) -> None:
    rows = [[*DONE, "funding", None], ["BE", "S-02", "workshop", "ongoing"] + [None] * 7]
    assert ingest([write(tmp_path / "FR_r.xlsx", report(rows))], partnership, config).ok
    result = evaluate(partnership, "--json")
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    doc = json.loads(result.stdout)  # type: ignore[attr-defined]
    assert doc["verdicts"] == {"TRANSFERABLE": 0, "PROMISING": 1, "NOT_TRANSFERABLE": 0, "NOT_TESTED": 3}
    assert [(p["practice_partner"], p["practice_id"], p["verdict"]) for p in doc["practices"]] == [
        ("BE", "S-01", "PROMISING"),
        ("DE", "S-01", "NOT_TESTED"),
        ("FR", "S-01", "NOT_TESTED"),
        ("BE", "S-02", "NOT_TESTED"),
    ]
    first = doc["practices"][0]
    assert (first["tests_done"], first["successes"], first["success_rate"], first["satisfaction"]) == (
        1,
        1,
        1,
        4.25,
    )
    assert first["barrier_funding"] == 1
    assert first["reasons"] == (
        "PROMISING: successes 1 of 1 DONE, not transferable; held: success rate 1 >= 0.5, "
        "satisfaction 4.25 >= 3.5, pertinence share 1 is a majority (> 0.5); failed: done 1 < 2"
    )
    assert doc["missing"] == [
        "BE has not reported its planned implementation test of FR S-01 (B2B matchmaking day 1)",
        "FR has not reported its planned workshop test of DE S-01 (B2B matchmaking day 1)",
    ]
    assert doc["warnings"] == ["FR reported 1 test not in its plan (BE S-02): evaluated as unplanned"]
    folder = partnership.processed_dir
    practices = pd.read_csv(folder / store.EVALUATION_FILE, encoding="utf-8-sig")
    assert list(practices.columns) == list(PRACTICE_COLUMNS)
    assert len(practices) == 4
    results = pd.read_csv(folder / store.FIELD_TEST_RESULTS_FILE, encoding="utf-8-sig")
    assert list(results.columns) == list(RESULT_COLUMNS)
    assert results[["practice_id", "status", "planned"]].values.tolist() == [
        ["S-01", "DONE", True],
        ["S-02", "ONGOING", False],
    ]
    assert results["start_date"].iloc[0] == "2025-03-01" and pd.isna(results["start_date"].iloc[1])
    book = openpyxl.load_workbook(folder / store.EVALUATION_XLSX)
    assert book.sheetnames == ["Evaluation", "Field test results", "Missing and warnings", "Columns"]
    terminal = evaluate(partnership)
    text = terminal.stdout  # type: ignore[attr-defined]
    assert "PROMISING" in text and "BE BE-" not in text
    assert "FR has not reported its planned workshop test of DE S-01" in text
    assert "2 tests reported: 1 DONE, 1 ONGOING, 0 PLANNED, 0 CANCELLED" in text


def test_a_planned_practice_dropped_from_the_shortlist_is_still_evaluated(
    tmp_path: Path, partnership: Project, config: Config
) -> None:
    assert ingest([write(tmp_path / "FR_r.xlsx", report([[*DONE, None, None]]))], partnership, config).ok
    path = partnership.processed_dir / store.SHORTLIST_FILE
    shortlist = pd.read_csv(path)
    shortlist[shortlist["partner"] != "BE"].to_csv(path, index=False)  # a re-ranking dropped BE S-01
    from p4c.evaluation.stage import evaluate_folder

    evaluation = evaluate_folder(partnership.processed_dir, config)
    practices = evaluation.result.practices.set_index(["practice_partner", "practice_id"])
    assert practices.loc[("BE", "S-01"), ["shortlisted", "tests_done", "verdict"]].tolist() == [
        False,
        1,
        "PROMISING",
    ]
    assert evaluation.result.warnings == [
        "BE S-01 is in the field-test plan but no longer shortlisted (the ranking changed since the "
        "plan): still evaluated"
    ]


def test_evaluate_without_reports_says_how_to_get_them(partnership: Project) -> None:
    result = evaluate(partnership)
    assert result.exit_code == 1  # type: ignore[attr-defined]
    assert f"no field-test report is ingested in {partnership.processed_dir}" in result.stderr  # type: ignore[attr-defined]
    assert "p4c template --field-tests --partner CODE" in result.stderr  # type: ignore[attr-defined]


def test_template_field_tests(tmp_path: Path, partnership: Project) -> None:
    args = ["--project", str(partnership.root), "template", "--field-tests"]
    lacking = runner.invoke(app, args)
    assert lacking.exit_code == 1 and "--field-tests needs --partner CODE" in lacking.stderr
    target = tmp_path / "FR_field_tests_fr.xlsx"
    result = runner.invoke(app, [*args, "--partner", "FR", "--lang", "fr", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert "2 planned tests of FR pre-filled" in result.stdout
    book = openpyxl.load_workbook(target)
    assert book.sheetnames == ["Lists", "Instructions", "Partenaire", "Tests terrain"]
    sheet = book["Tests terrain"]
    assert [[c.value for c in row[:5]] for row in sheet.iter_rows(min_row=2, max_row=3)] == [
        ["BE", "S-01", "B2B matchmaking day 1", "mise en œuvre", "prévu"],
        ["DE", "S-01", "B2B matchmaking day 1", "atelier", "prévu"],
    ]
    assert sheet.freeze_panes == "D2"
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.print_title_rows == "$1:$1"
    assert [sheet.column_dimensions[c].number_format for c in "FHKL"] == [
        "yyyy-mm-dd",
        "0",
        "#,##0.00",
        "0.0",
    ]
    lists = {str(v.sqref): v.formula1 for v in sheet.data_validations.dataValidation if v.type == "list"}
    assert lists == {"D2:D103": "Lists!$A$2:$A$3", "E2:E103": "Lists!$B$2:$B$5", "Q2:Q103": "Lists!$C$2:$C$6"}
    prompts = {str(v.sqref): v.prompt for v in sheet.data_validations.dataValidation}
    assert prompts["R2:R103"] == "Zéro ou plusieurs, séparés par , ou ;"
    assert book["Partenaire"]["A1"].value == "Code partenaire" and book["Partenaire"]["B1"].value == "FR"


def test_evaluation_default_need_follows_the_field_tests_one() -> None:
    text = default_config_text().replace("  default_need: 3 ", "  default_need: 2 ")
    assert parse_config(text).evaluation.default_need == 2
    with pytest.raises(P4CError) as caught:
        parse_config(text.replace("  min_done: 2 ", "  default_need: 4\n  min_done: 2 "))
    assert caught.value.message == (
        "config: evaluation.default_need (4) is not field_tests.default_need (2): remove it; the need "
        "of a category a partner gave no Needs row for is field_tests.default_need, for the plan and "
        "the evaluation alike"
    )


def test_run_on_the_sample_data_evaluates_every_verdict(tmp_path: Path) -> None:
    root = tmp_path / "sample"
    shutil.copytree(ROOT / "config", root / "config")
    shutil.copytree(ROOT / "data" / "raw", root / "data" / "raw")
    result = runner.invoke(app, ["--project", str(root), "run", "--as-of", "2026-11-01", "--samples", "0"])
    assert result.exit_code == 0, result.output
    processed = root / "data" / "processed"
    practices = pd.read_csv(processed / store.EVALUATION_FILE, encoding="utf-8-sig")
    assert set(practices["verdict"]) == {"TRANSFERABLE", "PROMISING", "NOT_TRANSFERABLE", "NOT_TESTED"}
    results = pd.read_csv(processed / store.FIELD_TEST_RESULTS_FILE, encoding="utf-8-sig")
    assert set(results["status"]) == {"DONE", "ONGOING", "CANCELLED"}
    assert (~results["planned"]).sum() == 1
    assert (
        results["partner"].nunique() == 6
    )  # SI has reported nothing yet: its tests are planned, not reported
    html = (processed / "report.html").read_text(encoding="utf-8")
    assert "Field tests and transferability" in html
