"""A small ingested partnership, plan workbooks and hand-made field-test reports for the plan tests."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd

from p4c import store
from p4c.config import Config, Project
from p4c.evaluation.evaluate import REPORT_COLUMNS
from p4c.ingest import ingest
from p4c.plan.stage import REPORTS_TABLE
from tests.books import service_row, workbook, write

ACTION_HEADER = [
    "practice_partner",
    "practice_id",
    "action",
    "description",
    "players",
    "start_date",
    "end_date",
    "cost_eur",
    "funding_source",
    "indicator",
    "target",
    "status",
    "reason",
]


def partnership(tmp_path: Path, project: Project, config: Config) -> Project:
    """BE (S-01 NET, S-02 FIN), DE (S-01 NET) and FR (S-01 NET) are ingested; FR needs NET 5, FIN 3."""
    books = [
        write(
            tmp_path / "BE_services.xlsx",
            workbook([service_row(1), service_row(2, category="FIN", title="Funding desk")]),
        ),
        write(tmp_path / "DE_services.xlsx", workbook([service_row(1, title="Digital lab")], code="DE")),
        write(
            tmp_path / "FR_services.xlsx",
            workbook([service_row(1, title="Own day")], code="FR", needs=[["NET", 5], ["FIN", 3]]),
        ),
    ]
    report = ingest(books, project, config)
    assert report.ok, [i.message for f in report.files for i in f.errors]
    return project


def action(**changes: Any) -> list[Any]:
    """A valid Actions row; keyword arguments replace columns by name."""
    values: dict[str, Any] = {
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
    }
    values.update(changes)
    return [values[h] for h in ACTION_HEADER]


def plan_book(
    rows: list[list[Any]] | None = None,
    *,
    header: list[str] | None = None,
    plan: list[list[Any]] | None = None,
    partner: str | None = None,
) -> dict[str, list[list[Any]]]:
    sheets: dict[str, list[list[Any]]] = {}
    if partner is not None:
        sheets["Partner"] = [["partner_code", partner], ["organisation", "Agence"]]
    sheets["Plan"] = (
        plan
        if plan is not None
        else [["policy_instrument", "ERDF programme"], ["authority", "Regional council"]]
    )
    sheets["Actions"] = [header or ACTION_HEADER, *(rows if rows is not None else [action()])]
    return sheets


def report_row(  # noqa: PLR0917 - a report row's fields, in the order of the spec
    host: str, owner: str, sid: str, status: str, adoption: str | None, satisfaction: float | None
) -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(REPORT_COLUMNS)
    row.update(
        partner=host,
        practice_partner=owner,
        practice_id=sid,
        mode="IMPLEMENTATION",
        status=status,
        adoption=adoption,
        satisfaction=satisfaction,
    )
    return row


def store_reports(project: Project, rows: list[dict[str, Any]]) -> None:
    """Hand-made field-test reports in the store's reports table, one chunk per host."""
    frame = pd.DataFrame(rows, columns=list(REPORT_COLUMNS))
    frame["satisfaction"] = frame["satisfaction"].astype("float64")
    submissions = [
        store.Submission(str(host), {REPORTS_TABLE: part.reset_index(drop=True)}, "field_tests")
        for host, part in frame.groupby("partner", sort=True)
    ]
    store.commit(project.processed_dir, submissions, [])


def write_stage_csvs(
    project: Project, shortlist: list[tuple[str, str, int]], tests: list[tuple[str, str, str]]
) -> None:
    """shortlist.csv (partner, service_id, rank) and field_tests.csv (tester, owner, service_id)."""
    folder = project.processed_dir
    pd.DataFrame(
        [(p, s, f"title {p} {s}", "NET", 0.5, r) for p, s, r in shortlist],
        columns=["partner", "service_id", "title", "category", "score", "rank"],
    ).to_csv(folder / store.SHORTLIST_FILE, index=False)
    pd.DataFrame(
        [(t, p, s, f"title {p} {s}", "IMPLEMENTATION", 4.0, 0.8) for t, p, s in tests],
        columns=["partner", "practice_partner", "service_id", "title", "mode", "need", "match"],
    ).to_csv(folder / store.FIELD_TESTS_FILE, index=False)
