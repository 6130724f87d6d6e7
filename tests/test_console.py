"""p4c.console: the problem list and `p4c status` fit 80 columns; progress stays on stderr."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console

from p4c.console import UI, Steps, print_problems, print_status
from p4c.ingest import IngestReport, Issue, WorkbookResult

LONG_NAME = "BE_Agence_wallonne_pour_l_entreprise_et_l_innovation_services_2025_final_v3.xlsx"
STATUS_NAME = "BE_Agence_wallonne_pour_l_entreprise_services_2025_final.xlsx"
STATUS_COLUMNS = [
    "partner",
    "organisation",
    "region",
    "services",
    "rejected",
    "source_file",
    "sha256",
    "ingested_at",
]


def console(width: int) -> Console:
    return Console(file=io.StringIO(), width=width, highlight=False, soft_wrap=False, color_system=None)


def text(con: Console) -> str:
    file = con.file
    assert isinstance(file, io.StringIO)
    return file.getvalue()


def report() -> IngestReport:
    bad = WorkbookResult(Path(LONG_NAME), partner="BE")
    bad.errors.append(
        Issue("Services", "Services!N3", 3, "impact", "9", "impact 9 is not on the scale; accepted: 1 to 5")
    )
    bad.warnings.append(
        Issue(None, None, None, "cluster_initiatives", "", "no Partner sheet: pertinence cannot be computed")
    )
    return IngestReport([bad])


def test_problems_at_80_columns_are_one_block_each() -> None:
    con = console(80)
    print_problems(con, report())
    lines = text(con).splitlines()
    assert lines == [
        "Problems found",
        LONG_NAME,
        "  error: Services!N3  impact",
        "    value found: 9",
        "    impact 9 is not on the scale; accepted: 1 to 5",
        "  warning: cluster_initiatives",
        "    no Partner sheet: pertinence cannot be computed",
    ]
    assert max(map(len, lines)) <= 80


def test_problems_at_160_columns_are_a_table_with_whole_names() -> None:
    con = console(160)
    print_problems(con, report())
    out = text(con)
    assert max(map(len, out.splitlines())) <= 160
    assert "Problems found" in out and "what is accepted" in out
    rows = [line for line in out.splitlines() if line.startswith("│")]
    assert [row.split("│")[1].strip() for row in rows[:2]] == [LONG_NAME[:44], LONG_NAME[44:]]
    assert "error: impact 9 is not on the scale; accepted: 1 to 5" in out  # on one line


def test_quiet_problems_keep_the_errors_only() -> None:
    con = console(80)
    print_problems(con, report(), quiet=True)
    assert "warning" not in text(con) and "Services!N3" in text(con)


def records() -> list[dict[str, object]]:
    return [
        {
            "partner": "BE",
            "organisation": "Agence wallonne pour l'entreprise et l'innovation",
            "region": "Wallonie",
            "services": 12,
            "rejected": 1,
            "source_file": STATUS_NAME,
            "sha256": "0123456789abcdef" * 4,
            "ingested_at": "2025-06-01T00:00:00+00:00",
        },
        {
            "partner": "MT",
            "organisation": "Malta Enterprise",
            "region": None,
            "services": 1,
            "rejected": 0,
            "source_file": "MT_services.csv",
            "sha256": "f" * 64,
            "ingested_at": "2025-06-02T00:00:00+00:00",
        },
    ]


def test_status_at_80_columns_is_one_block_per_partner() -> None:
    con = console(80)
    print_status(con, records(), STATUS_COLUMNS, "Ingested in /p/data/processed")
    assert text(con).splitlines() == [
        "Ingested in /p/data/processed",
        "BE  Agence wallonne pour l'entreprise et l'innovation, Wallonie",
        "  12 services, 1 row rejected",
        f"  file: {STATUS_NAME}",
        "  sha256: 0123456789ab…  ingested: 2025-06-01T00:00:00+00:00",
        "MT  Malta Enterprise",
        "  1 service",
        "  file: MT_services.csv",
        "  sha256: ffffffffffff…  ingested: 2025-06-02T00:00:00+00:00",
    ]


@pytest.mark.parametrize("width", [100, 160])
def test_status_when_wide_is_a_table_whose_headers_are_whole(width: int) -> None:
    con = console(width)
    print_status(con, records(), STATUS_COLUMNS, "Ingested in /p/data/processed")
    lines = text(con).splitlines()
    assert max(map(len, lines)) <= width
    header = next(line for line in lines if "partner" in line)
    for name in STATUS_COLUMNS:
        assert name in header  # "organisation", never "organi…"
    assert "0123456789ab…" in text(con) and "…" not in header


def terminal_ui() -> UI:
    ui = UI()
    ui.err = Console(file=io.StringIO(), force_terminal=True, width=100)
    return ui


def test_steps_show_on_a_terminal_and_time_each_stage_with_verbose() -> None:
    ui = terminal_ui()
    ui.verbose = True
    with ui.steps() as steps:
        assert steps.enabled
        steps.stage("ingest", 2)
        steps.advance()
        steps.advance()
        steps.stage("rank")
        steps.draws(50, 100)
        steps.draws(100, 100)
    shown = text(ui.err)
    for stage in (
        "Ingesting workbooks: ",
        "Ranking services: ",
        "Monte Carlo weight draws: ",
        "Weight stability: ",
    ):
        assert stage in shown


@pytest.mark.parametrize("quiet", [True, False])
def test_steps_are_off_when_quiet_for_json_or_not_a_terminal(quiet: bool) -> None:
    ui = terminal_ui()
    ui.quiet = quiet
    assert ui.steps(enabled=not quiet).enabled is False if quiet else ui.steps().enabled
    assert ui.steps(enabled=False).enabled is False  # --json
    assert UI().steps().enabled is False or UI().err.is_terminal  # redirected stderr: no bar
    steps = Steps(ui, enabled=False)
    with steps:
        steps.stage("ingest", 1)
        steps.advance()
    assert text(ui.err) == ""


def test_draws_without_stability_end_the_stage_there() -> None:
    ui = terminal_ui()
    ui.verbose = True
    with ui.steps() as steps:
        steps.stage("rank")
        steps.after_draws = None
        steps.draws(100, 100)
    shown = text(ui.err)
    assert "Monte Carlo weight draws: " in shown and "Weight stability" not in shown
