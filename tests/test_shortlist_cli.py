"""`p4c shortlist` through the command line, on a project with processed data."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

import p4c.rank
from p4c.cli import app
from p4c.config import Project
from p4c.store import NEEDS_FILE, PARTNERS_FILE, SERVICES_FILE
from tests.shortlist_data import frames, partnership, service

pytestmark = pytest.mark.skipif(not hasattr(p4c.rank, "rank"), reason="p4c.rank.rank is not there yet")
FILES = ["candidates.csv", "shortlist.csv", "field_tests.csv", "shortlist.xlsx", "shortlist.json"]


def store(project: Project, rows: list[dict[str, Any]], needs: Sequence[tuple[str, str, float]] = ()) -> None:
    """services/partners/needs.parquet as `p4c ingest` writes them."""
    services, partners, _ = frames(rows)
    services["start_date"] = services["start_date"].dt.date
    partners["contact"] = None
    partners["source_file"] = partners["partner"] + ".xlsx"
    partners["sha256"] = "0" * 64
    partners["ingested_at"] = "2025-06-01T00:00:00+00:00"
    folder = project.processed_dir
    services.to_parquet(folder / SERVICES_FILE, index=False)
    partners.to_parquet(folder / PARTNERS_FILE, index=False)
    pd.DataFrame(list(needs), columns=["partner", "category", "importance"]).astype(
        {"importance": float}
    ).to_parquet(folder / NEEDS_FILE, index=False)


def run(project: Project, *args: str) -> Any:
    return CliRunner().invoke(app, ["--project", str(project.root), "shortlist", *args])


def test_shortlist_writes_the_files_and_prints_the_plan(project: Project) -> None:
    import openpyxl

    store(project, partnership(), [("BE", "FR", 5.0)])
    result = run(project, "--as-of", "2025-06-30")
    assert result.exit_code == 0, result.output
    for name in FILES:
        assert (project.processed_dir / name).is_file()
    candidates = pd.read_csv(project.processed_dir / "candidates.csv")
    assert candidates.columns.tolist() == [
        "partner",
        "service_id",
        "title",
        "category",
        "score",
        "rank",
        "eligible",
        "shortlisted",
        "reasons",
    ]
    assert len(candidates) == 9
    assert str(candidates.set_index("service_id").loc["IT9", "reasons"]).startswith("not a good practice")
    tests = pd.read_csv(project.processed_dir / "field_tests.csv")
    assert tests.groupby("partner").size().to_dict() == {"BE": 2, "DE": 2, "FR": 2, "IT": 2}
    book = openpyxl.load_workbook(project.processed_dir / "shortlist.xlsx")
    assert book.sheetnames == ["Shortlist", "Field tests", "Plan", "Candidates", "Notes", "Columns"]
    text = result.stdout
    assert "Shortlist: 8 good practices" in text
    assert "What bound the choice" in text
    assert "reference date 2025-06-30" in text
    assert "Field tests: who tests which practice, and how" in text
    plan_lines = [
        line
        for line in text.splitlines()
        if line.startswith("│") and ("WORKSHOP" in line or "IMPLEMENTATION" in line)
    ]
    assert len(plan_lines) == 8  # each of the 4 partners' 2 practices, with its mode


def test_output_folder_and_overrides(project: Project, tmp_path: Path) -> None:
    store(project, partnership())
    target = tmp_path / "elsewhere"
    result = run(
        project,
        "--as-of",
        "2025-06-30",
        "--size",
        "4",
        "--max-per-partner",
        "1",
        "--tests-per-partner",
        "1",
        "--method",
        "topsis",
        "-o",
        str(target),
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in target.iterdir() if not p.name.startswith(".")) == sorted(FILES)
    assert not (project.processed_dir / "shortlist.csv").exists()
    assert pd.read_csv(target / "shortlist.csv")["partner"].tolist() == ["BE", "DE", "FR", "IT"]
    assert len(pd.read_csv(target / "field_tests.csv")) == 4
    assert "Ranked with topsis" in result.stdout


def test_as_of_makes_the_months_rule_reproducible(project: Project) -> None:
    rows = [*partnership(), service("IT", "NEW", start_date=dt.date(2025, 1, 1), category="FIN")]
    store(project, rows)
    assert run(project, "--as-of", "2025-06-30").exit_code == 0
    before = pd.read_csv(project.processed_dir / "candidates.csv").set_index("service_id")
    assert before.loc["NEW", "reasons"] == (
        "not a good practice: months running 5 < 12 (started 2025-01-01, as of 2025-06-30)"
    )
    assert run(project, "--as-of", "2026-01-01").exit_code == 0
    after = pd.read_csv(project.processed_dir / "candidates.csv").set_index("service_id")
    assert bool(after.loc["NEW", "eligible"])


def test_an_infeasible_plan_exits_1_says_why_and_writes_nothing(project: Project) -> None:
    store(project, partnership())
    result = run(project, "--as-of", "2025-06-30", "--size", "2")
    assert result.exit_code == 1
    message = " ".join(result.stderr.split())
    assert (
        "4 partners x 2 tests = 8 tests but 2 practices x at most 3 partners = 6 places: 2 short" in message
    )
    assert "shortlist: 2 practices" in message  # the hint says what bound the shortlist
    assert "Traceback" not in result.output
    assert not any((project.processed_dir / name).exists() for name in FILES)


@pytest.mark.parametrize(
    ("args", "refused"),
    [
        (["--as-of", "30/06/2025"], "--as-of"),
        (["--size", "0"], "--size"),
        (["--tests-per-partner", "-1"], "--tests-per-partner"),
        (["--method", "ahp"], "--method"),
    ],
)
def test_a_bad_command_line_exits_2(project: Project, args: list[str], refused: str) -> None:
    store(project, partnership())
    result = run(project, *args)
    assert result.exit_code == 2, result.output
    message = " ".join(result.stderr.replace("│", " ").split())
    assert "Invalid value for" in message and refused in message.split("Invalid value for", 1)[1], message


def test_a_bad_weight_exits_1(project: Project) -> None:
    store(project, partnership())
    result = run(project, "--as-of", "2025-06-30", "--weight", "impactt=2")
    assert result.exit_code == 1
    assert "impactt" in result.stderr


def test_no_processed_data_exits_1(project: Project) -> None:
    result = run(project)
    assert result.exit_code == 1
    assert "no processed data" in result.stderr


def test_json_is_the_only_stdout_and_has_the_documented_shape(project: Project) -> None:
    import json

    store(project, partnership(), [("BE", "FR", 5.0)])
    result = run(project, "--as-of", "2025-06-30", "--json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert list(doc) == ["method", "weights", "candidates", "shortlist", "field_tests", "notes", "outputs"]
    assert doc["method"] == "wsm" and doc["candidates"] == 8
    assert list(doc["shortlist"][0]) == ["partner", "service_id", "title", "category", "score", "rank"]
    assert len(doc["shortlist"]) == 8 and len(doc["field_tests"]) == 8
    assert list(doc["field_tests"][0]) == [
        "partner",
        "practice_partner",
        "service_id",
        "title",
        "mode",
        "need",
        "match",
    ]
    assert doc["notes"][0] == "reference date 2025-06-30"
    assert [Path(p).name for p in doc["outputs"]] == FILES


def test_zero_candidates_for_want_of_cluster_initiatives_says_where_to_give_them(project: Project) -> None:
    store(project, [service("MT", "M1"), service("MT", "M2", category="FIN")])
    partners = pd.read_parquet(project.processed_dir / PARTNERS_FILE)
    partners["cluster_initiatives"] = pd.array([None], dtype="Int64")  # a CSV, no config entry
    partners.to_parquet(project.processed_dir / PARTNERS_FILE, index=False)
    result = run(project, "--as-of", "2025-06-30", "--tests-per-partner", "0")
    assert result.exit_code == 0, result.output
    assert (
        "- 0 good-practice candidates: pertinence is unknown for MT (no Partner sheet and no "
        "`partners: MT: cluster_initiatives:` in config/criteria.yaml)"
    ) in " ".join(result.stdout.split())
    failing = run(project, "--as-of", "2025-06-30")  # with field tests: no plan, the same cause in the hint
    assert failing.exit_code == 1
    assert "0 good-practice candidates: pertinence is unknown for MT" in " ".join(failing.stderr.split())
