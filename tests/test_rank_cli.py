"""`p4c rank` through the command line, on a project with processed data."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

from p4c.cli import app
from p4c.config import Project
from p4c.store import PARTNERS_FILE, SERVICES_FILE
from tests.rank_data import partners_frame, random_services, service, services_frame


def store(project: Project, services: pd.DataFrame) -> None:
    """services.parquet and partners.parquet as `p4c ingest` writes them."""
    partners = partners_frame()
    partners["source_file"] = partners["partner"] + ".xlsx"
    partners["sha256"] = "0" * 64
    partners["ingested_at"] = "2025-06-01T00:00:00+00:00"
    services.to_parquet(project.processed_dir / SERVICES_FILE, index=False)
    partners.to_parquet(project.processed_dir / PARTNERS_FILE, index=False)


def run(project: Project, *args: str) -> Any:
    return CliRunner().invoke(app, ["--project", str(project.root), "rank", *args])


@pytest.fixture
def stored(project: Project) -> Project:
    store(project, random_services(40, 3, missing=0.1))
    return project


def test_rank_writes_the_csv_and_xlsx_and_prints_the_weights(stored: Project) -> None:
    result = run(stored, "--weight", "impact=0.3", "--top", "5")
    assert result.exit_code == 0, result.output
    csv = stored.processed_dir / "ranking.csv"
    assert (stored.processed_dir / "ranking.xlsx").is_file()
    table = pd.read_csv(csv, encoding="utf-8-sig")
    assert len(table) == 40  # --top only limits the terminal
    assert table["rank"].iloc[0] == 1
    assert "impact 0.273" in result.stdout  # 0.3 / 1.1, rescaled
    assert "Top 5 of 40" in result.stdout
    assert not (stored.processed_dir / "weight_stability.csv").exists()


def test_the_csv_is_byte_identical_on_rerun(stored: Project) -> None:
    csv = stored.processed_dir / "ranking.csv"
    assert run(stored, "--samples", "50", "--seed", "3", "--by", "category").exit_code == 0
    first = csv.read_bytes()
    assert run(stored, "--samples", "50", "--seed", "3", "--by", "category").exit_code == 0
    assert csv.read_bytes() == first
    assert run(stored, "--samples", "50", "--seed", "4", "--by", "category").exit_code == 0
    assert csv.read_bytes() != first


def test_json_is_the_only_stdout_and_has_the_documented_shape(stored: Project) -> None:
    result = run(stored, "--json", "--samples", "40", "--by", "partner", "--method", "topsis")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert {"method", "weights", "k", "ranking"} <= set(doc)
    assert doc["method"] == "topsis"
    assert doc["k"] == 15
    assert math.isclose(sum(doc["weights"].values()), 1.0)
    assert len(doc["ranking"]) == 40
    first = doc["ranking"][0]
    assert list(first)[:8] == [
        "rank",
        "partner",
        "service_id",
        "title",
        "category",
        "score",
        "complete",
        "missing",
    ]
    assert {"p_top", "rank_p05", "rank_p50", "rank_p95", "group_rank"} <= set(first)
    incomplete = next(r for r in doc["ranking"] if not r["complete"])
    assert any(incomplete[c] is None for c in incomplete["missing"].split(","))  # NaN -> null
    assert doc["outputs"] == [
        str(stored.processed_dir / "ranking.csv"),
        str(stored.processed_dir / "ranking.xlsx"),
        str(stored.processed_dir / "ranking.json"),  # what made it, for `p4c report`
    ]


def test_stability_writes_the_file_and_names_the_most_fragile_criterion(
    stored: Project, tmp_path: Path
) -> None:
    target = tmp_path / "out" / "ranked.parquet"
    result = run(stored, "--stability", "-o", str(target))
    assert result.exit_code == 0, result.output
    assert target.is_file()
    stability = pd.read_csv(target.parent / "weight_stability.csv", encoding="utf-8-sig")
    assert list(stability.columns) == ["criterion", "weight", "lo", "hi"]
    assert "Most fragile criterion:" in result.stdout or "No single weight change" in result.stdout
    assert not (stored.processed_dir / "ranking.csv").exists()  # -o replaces the default outputs


def test_the_xlsx_has_a_frozen_header_and_an_autofilter(stored: Project) -> None:
    import openpyxl

    assert run(stored).exit_code == 0
    sheet = openpyxl.load_workbook(stored.processed_dir / "ranking.xlsx")["Ranking"]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:W41"  # base, criteria, groups, raters, spread, flagged, label


def test_formula_looking_titles_are_neutralised(project: Project) -> None:
    import openpyxl

    store(
        project,
        services_frame([service("AT", "A", title="=cmd|'/C calc'!A0"), service("BE", "B", title="@SUM(1)")]),
    )
    assert run(project).exit_code == 0
    csv = (project.processed_dir / "ranking.csv").read_text(encoding="utf-8-sig")
    assert "\"'=cmd|'/C calc'!A0\"" in csv
    assert '"\'@SUM(1)"' in csv
    sheet = openpyxl.load_workbook(project.processed_dir / "ranking.xlsx")["Ranking"]
    titles = list(sheet["D"][1:])
    assert {c.value for c in titles} == {"=cmd|'/C calc'!A0", "@SUM(1)"}
    assert all(c.data_type == "s" for c in titles)  # text, never a formula


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--weight", "impakt=0.2"], "did you mean impact"),
        (["--weight", "impact=-1"], "cannot be negative"),
        (["--weight", "impact"], "expected ID=WEIGHT"),
        (
            [
                f"--weight={c}=0"
                for c in (
                    "relevance",
                    "impact",
                    "pertinence",
                    "transferability",
                    "cost_per_sme",
                    "sustainability",
                    "innovation",
                    "synergy",
                )
            ],
            "all criterion weights are zero",
        ),
        (["--method", "topsis", "--stability"], "wsm only"),
        (
            ["-o", "ranking.json"],
            "ranking.json: cannot write a ranking as .json; accepted: .csv, .xlsx, .parquet",
        ),
    ],
)
def test_user_errors_exit_1_with_a_clear_message(stored: Project, args: list[str], message: str) -> None:
    result = run(stored, *args)
    assert result.exit_code == 1
    assert message in " ".join(result.stderr.split())
    assert "Traceback" not in result.output
    assert not (stored.processed_dir / "ranking.csv").exists()


def test_no_processed_data_says_to_ingest(project: Project) -> None:
    result = run(project)
    assert result.exit_code == 1
    assert "p4c ingest" in result.stderr


def test_a_bad_option_value_is_a_usage_error(stored: Project) -> None:
    assert run(stored, "--method", "ahp").exit_code == 2
    assert run(stored, "--samples", "-1").exit_code == 2


def test_help_does_not_import_pandas_or_numpy() -> None:
    code = (
        "import sys; from typer.testing import CliRunner; from p4c.cli import app; "
        "r = CliRunner().invoke(app, ['rank', '--help']); assert r.exit_code == 0, r.output; "
        "assert '--stability' in r.output; "
        "print(sorted(m for m in ('pandas', 'numpy') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
