"""Builders of field-test reports and the partnership they are checked against, for the evaluation tests."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd

from p4c import store

HEADER = [
    "practice_partner",
    "practice_id",
    "mode",
    "status",
    "start_date",
    "end_date",
    "cis_involved",
    "satisfaction",
    "adoption",
    "barriers",
    "lessons",
]
DONE = ["BE", "S-01", "implementation", "done", dt.date(2025, 3, 1), dt.date(2025, 6, 30), 3, 4.25, "FULL"]


def plan_csv(folder: Path) -> None:
    """The plan: FR tests BE S-01 and DE S-01, BE tests FR S-01; all three shortlisted."""
    pd.DataFrame(
        [
            ["FR", "BE", "S-01", "B2B matchmaking day 1", "IMPLEMENTATION", 4, 0.7],
            ["FR", "DE", "S-01", "B2B matchmaking day 1", "WORKSHOP", 3, 0.5],
            ["BE", "FR", "S-01", "B2B matchmaking day 1", "IMPLEMENTATION", 4, 0.6],
        ],
        columns=["partner", "practice_partner", "service_id", "title", "mode", "need", "match"],
    ).to_csv(folder / store.FIELD_TESTS_FILE, index=False)
    pd.DataFrame(
        [
            ["BE", "S-01", "B2B matchmaking day 1", "NET", 0.9, 1],
            ["DE", "S-01", "B2B matchmaking day 1", "NET", 0.8, 2],
            ["FR", "S-01", "B2B matchmaking day 1", "NET", 0.7, 3],
        ],
        columns=["partner", "service_id", "title", "category", "score", "rank"],
    ).to_csv(folder / store.SHORTLIST_FILE, index=False)


def report(rows: list[list[Any]], code: str | None = "FR", header: list[str] = HEADER) -> dict[str, Any]:
    sheets: dict[str, Any] = {"FieldTests": [header, *rows]}
    if code is not None:
        sheets["Partner"] = [["partner_code", code]]
    return sheets
