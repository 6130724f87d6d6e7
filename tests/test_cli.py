"""The command line through CliRunner: exit codes, JSON shapes, messages on stderr, no tracebacks."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from p4c import __version__
from p4c.cli import app
from p4c.config import Project
from tests.books import service_row, workbook, write

runner = CliRunner()
FILE_KEYS = {"file", "kind", "partner", "accepted", "rejected", "written", "errors", "warnings"}
ISSUE_KEYS = {"sheet", "cell", "row", "column", "value", "message"}


def invoke(project: Project, *args: str) -> object:
    return runner.invoke(app, ["--project", str(project.root), *args])


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and __version__ in result.stdout


def test_usage_error_exits_2(project: Project) -> None:
    result = invoke(project, "ingest", "--no-such-option")
    assert result.exit_code == 2


def test_init_creates_a_project(tmp_path: Path) -> None:
    target = tmp_path / "new"
    result = runner.invoke(app, ["init", str(target)])
    assert result.exit_code == 0, result.output
    assert (target / "config" / "criteria.yaml").read_text(encoding="utf-8").startswith("# p4c")
    assert (target / "data" / "raw").is_dir() and (target / "data" / "processed").is_dir()
    assert "p4c" in (target / "README.md").read_text(encoding="utf-8")
    again = runner.invoke(app, ["init", str(target)])
    assert again.exit_code == 1 and "already a project" in again.stderr


def test_template_command(project: Project, tmp_path: Path) -> None:
    target = tmp_path / "BE.xlsx"
    result = invoke(project, "template", "--partner", "be", "--lang", "fr", "-o", str(target))
    assert result.exit_code == 0, result.output
    assert target.is_file()
    bad = invoke(project, "template", "--partner", "Belgium", "-o", str(target))
    assert bad.exit_code == 1 and "ISO 3166" in bad.stderr
    wrong = invoke(project, "template", "-o", str(tmp_path / "x.csv"))
    assert wrong.exit_code == 1 and ".xlsx" in wrong.stderr
    assert invoke(project, "template", "--lang", "it").exit_code == 2


def test_ingest_ok_and_json_shape(project: Project, tmp_path: Path) -> None:
    good = write(tmp_path / "BE.xlsx", workbook())
    result = invoke(project, "ingest", str(good), "--json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    (entry,) = doc["files"]
    assert set(entry) == FILE_KEYS
    assert (entry["partner"], entry["accepted"], entry["rejected"], entry["written"]) == ("BE", 2, 0, True)


def test_ingest_errors_exit_1_with_cells(project: Project, examples: Path) -> None:
    result = invoke(project, "ingest", str(examples / "ee_with_errors.xlsx"), "--json")
    assert result.exit_code == 1
    (entry,) = json.loads(result.stdout)["files"]
    assert entry["written"] is False
    assert {e["cell"] for e in entry["errors"]} == {
        "Services!N3",
        "Services!E4",
        "Services!G5",
        "Services!K6",
    }
    assert all(set(e) == ISSUE_KEYS for e in entry["errors"])
    table = invoke(project, "ingest", str(examples / "ee_with_errors.xlsx"))
    assert table.exit_code == 1
    assert table.stdout == ""  # no workbook written: the problems and the outcome are errors, on stderr
    assert "Services!N3" in table.stderr and "not written" in table.stderr
    assert "Traceback" not in table.output


def test_ingest_a_folder_with_several_files(project: Project, examples: Path) -> None:
    folder = project.raw_dir
    for name in ("be_french_headers.xlsx", "de_german_headers.xlsx"):
        shutil.copy(examples / name, folder / name)
    result = invoke(project, "ingest", str(folder))
    assert result.exit_code == 0, result.output
    assert "BE - 12 services written" in result.stdout
    status = invoke(project, "status", "--json")
    assert status.exit_code == 0
    partners = json.loads(status.stdout)["partners"]
    assert [(p["partner"], p["services"]) for p in partners] == [("BE", 12), ("DE", 10)]
    assert all(len(p["sha256"]) == 64 for p in partners)
    table = invoke(project, "status")
    assert "BE" in table.stdout and "DE" in table.stdout


def test_ingest_accept_valid(project: Project, tmp_path: Path) -> None:
    path = write(tmp_path / "BE.xlsx", workbook([service_row(1), service_row(2, impact=9)]))
    result = invoke(project, "ingest", str(path), "--accept-valid")
    assert result.exit_code == 0, result.output
    assert "BE - 1 service written, 1 row rejected and kept in rejected.parquet" in result.stdout


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["ingest", "missing.xlsx"], "no such file"),
        (["rank"], "no processed data"),
    ],
)
def test_clear_errors_never_tracebacks(project: Project, args: list[str], words: str) -> None:
    result = invoke(project, *args)
    assert result.exit_code == 1
    assert words in result.output
    assert "Traceback" not in result.output


def test_ingest_empty_folder(project: Project) -> None:
    result = invoke(project, "ingest", str(project.raw_dir))
    assert result.exit_code == 1 and "no workbook in this folder" in result.stderr


def test_bad_config_is_one_clear_error(project: Project, tmp_path: Path) -> None:
    project.config_path.write_text("criteria: [\n", encoding="utf-8")
    result = invoke(project, "status")
    assert result.exit_code == 0  # status reads no config
    result = invoke(project, "ingest", str(write(tmp_path / "BE.xlsx", workbook())))
    assert result.exit_code == 1 and "YAML syntax error" in result.stderr


def test_missing_project_folder(tmp_path: Path) -> None:
    result = runner.invoke(app, ["--project", str(tmp_path / "nope"), "ingest", "x.xlsx"])
    assert result.exit_code == 1 and "does not exist" in result.stderr


def test_status_empty(project: Project) -> None:
    result = invoke(project, "status")
    assert result.exit_code == 0 and "Nothing ingested yet" in result.stdout


# --- conventions: help, streams, --json, -q/-v ---------------------------------------------------

COMMANDS = [
    "init",
    "template",
    "ingest",
    "withdraw",
    "rebuild",
    "status",
    "rank",
    "shortlist",
    "report",
    "run",
]


@pytest.mark.parametrize("command", ["", *COMMANDS])
def test_help_at_80_columns_is_whole_and_in_words(command: str) -> None:
    args = [command] if command else []
    long = runner.invoke(app, [*args, "--help"], env={"COLUMNS": "80"})
    short = runner.invoke(app, [*args, "-h"], env={"COLUMNS": "80"})
    assert long.exit_code == 0 and short.exit_code == 0, long.output
    assert short.stdout == long.stdout
    text = long.stdout
    assert "<" not in text and "[x>=" not in text and "…" not in text  # no <bool>, no cut words
    assert max(map(len, text.splitlines())) <= 80
    assert "-h" in text


def test_help_names_the_choices_and_completion() -> None:
    assert "en|fr|de" in runner.invoke(app, ["template", "-h"], env={"COLUMNS": "120"}).stdout
    top = runner.invoke(app, ["-h"], env={"COLUMNS": "120"}).stdout
    for option in ("--install-completion", "--show-completion", "--quiet", "--verbose"):
        assert option in top


def test_install_completion(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION", "1")
    monkeypatch.setenv("HOME", str(tmp_path))
    result = runner.invoke(app, ["--install-completion", "bash"], prog_name="p4c")
    assert result.exit_code == 0, result.output
    assert "bash completion installed in" in result.stdout
    assert "_P4C_COMPLETE" in (tmp_path / ".bash_completions" / "p4c.sh").read_text(encoding="utf-8")


def test_lang_is_case_insensitive(project: Project, tmp_path: Path) -> None:
    target = tmp_path / "MT.xlsx"
    result = invoke(project, "template", "--lang", "FR", "--partner", "MT", "-o", str(target))
    assert result.exit_code == 0, result.output
    assert target.is_file() and "(fr)" in result.stdout


def test_quiet_ingest_prints_nothing_on_success_and_the_errors_on_failure(
    project: Project, tmp_path: Path
) -> None:
    good = write(tmp_path / "BE.xlsx", workbook())
    result = invoke(project, "-q", "ingest", str(good))
    assert result.exit_code == 0, result.output
    assert (result.stdout, result.stderr) == ("", "")
    bad = write(tmp_path / "DE.xlsx", workbook([service_row(1), service_row(2, impact=9)], code="DE"))
    result = invoke(project, "-q", "ingest", str(bad))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "Services!N3" in result.stderr and "not written - " not in result.stderr
    assert "DE.xlsx: DE - not written: 1 row with 1 error, 1 valid" in " ".join(result.stderr.split())
    doc = json.loads(invoke(project, "-q", "ingest", str(good), "--json").stdout)  # -q keeps the JSON
    assert doc["files"][0]["written"] is True


def test_warnings_go_to_stderr_and_quiet_drops_them(project: Project, tmp_path: Path) -> None:
    csv = write(tmp_path / "MT_services.csv", {"Services": workbook()["Services"]})
    result = invoke(project, "ingest", str(csv))
    assert result.exit_code == 0, result.output
    assert result.stdout == "✓ MT_services.csv: MT - 2 services written, 1 warning\n"
    assert "warning:" in result.stderr and "cluster_initiatives" in result.stderr
    quiet = invoke(project, "--quiet", "ingest", str(csv))
    assert (quiet.exit_code, quiet.stdout, quiet.stderr) == (0, "", "")


def test_verbose_adds_timings_on_stderr(project: Project, tmp_path: Path) -> None:
    good = write(tmp_path / "BE.xlsx", workbook())
    result = invoke(project, "-v", "ingest", str(good))
    assert result.exit_code == 0, result.output
    assert result.stdout == "✓ BE.xlsx: BE - 2 services written\n"
    assert re.fullmatch(r"Ingesting workbooks: \d+\.\d\d s\np4c ingest: \d+\.\d\d s\n", result.stderr)


def test_errors_go_to_stderr_only(project: Project) -> None:
    result = invoke(project, "withdraw", "MT", "--json")
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.startswith("error: ")


def test_withdraw_and_rebuild_json(project: Project, tmp_path: Path) -> None:
    good = write(tmp_path / "BE.xlsx", workbook())
    assert invoke(project, "ingest", str(good)).exit_code == 0
    result = invoke(project, "withdraw", "be", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"partner": "BE", "services": 2}
    shutil.copy(good, project.raw_dir / "BE.xlsx")
    result = invoke(project, "rebuild", "--json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert Path(doc["damaged"]).name.startswith("p4c.sqlite.damaged-") and doc["skipped"] == []
    assert [(f["partner"], f["written"]) for f in doc["files"]] == [("BE", True)]


def test_status_at_80_columns_is_readable(project: Project, tmp_path: Path) -> None:
    name = "BE_Agence_wallonne_pour_l_entreprise_services_2025_final_v3.xlsx"
    assert invoke(project, "ingest", str(write(tmp_path / name, workbook()))).exit_code == 0
    narrow = runner.invoke(app, ["--project", str(project.root), "status"], env={"COLUMNS": "80"})
    lines = narrow.stdout.splitlines()
    assert max(map(len, lines)) <= 80
    start = lines.index("BE  Agency, Namur")
    assert lines[start + 1 : start + 3] == ["  2 services", f"  file: {name}"]
    wide = runner.invoke(app, ["--project", str(project.root), "status"], env={"COLUMNS": "160"})
    assert max(map(len, wide.stdout.splitlines())) <= 160
    header = next(line for line in wide.stdout.splitlines() if "partner" in line)
    assert header.split() == [
        "┃",
        *" ┃ ".join(
            [
                "partner",
                "organisation",
                "region",
                "services",
                "rejected",
                "source_file",
                "sha256",
                "ingested_at",
                "stale_scores",
            ]
        ).split(),
        "┃",
    ]


@pytest.mark.parametrize(
    ("lang", "message", "hint"),
    [
        (
            None,
            "{folder}: no workbook in this folder (accepted: .xlsx, .xlsm, .ods, .xls, .csv)",
            "Send partners a template (`p4c template`) and put their files there.",
        ),
        (
            "DE",
            "{folder}: keine Arbeitsmappe in diesem Ordner (zulässig: .xlsx, .xlsm, .ods, .xls, .csv)",
            "Senden Sie den Partnern eine Vorlage (`p4c template`) und legen Sie ihre Dateien dort ab.",
        ),
    ],
)
def test_an_error_before_any_file_is_read_speaks_the_commands_language(
    project: Project, tmp_path: Path, lang: str | None, message: str, hint: str
) -> None:
    """`--lang` reaches the errors the command itself raises, not only the workbooks' problems."""
    folder = tmp_path / "empty"
    folder.mkdir()
    args = ["--project", str(project.root), "ingest", str(folder), *(["--lang", lang] if lang else [])]
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    assert result.stderr == f"error: {message.format(folder=folder)}\n{hint}\n"


@pytest.mark.parametrize(("given", "kept"), [(None, "1"), ("3", "3")])
def test_main_runs_blas_on_one_thread_unless_the_user_chose(
    monkeypatch: pytest.MonkeyPatch, given: str | None, kept: str
) -> None:
    import p4c.cli

    monkeypatch.setenv("OPENBLAS_NUM_THREADS", given or "")  # so that the value main() sets is undone
    if given is None:
        monkeypatch.delenv("OPENBLAS_NUM_THREADS")
    monkeypatch.setattr(p4c.cli, "app", lambda: None)
    monkeypatch.setattr(p4c.cli.gc, "freeze", lambda: None)
    p4c.cli.main()
    assert os.environ["OPENBLAS_NUM_THREADS"] == kept
