"""The row rules of one partner's field-test report (spec field-tests.md, "Row rules").

Cell values are already typed (ingest parsed them against `FIELD_TEST_COLUMNS`); these rules look
across the cells of a row and across rows, and against the store and the plan. Each issue names
the sheet row and the column, so the caller can turn it into a `Sheet!A1` cell, and its message
says what is accepted.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd

from p4c.evaluation.models import TestStatus
from p4c.values import is_blank, norm, show

Level = Literal["error", "warning"]
Key = tuple[str, str]  # (practice_partner, practice_id)
ROW_COLUMNS = (
    "practice_partner",
    "practice_id",
    "status",
    "start_date",
    "end_date",
    "cis_involved",
    "satisfaction",
    "baseline",
    "result",
    "adoption",
    "lessons",
    "source_row",
)


@dataclass(frozen=True)
class RowIssue:
    """One problem of one row: `row` is the sheet's 1-based row (`source_row`), `column` a contract
    column name; warnings keep the row, errors reject it."""

    level: Level
    row: int
    column: str
    value: str
    message: str


def _blank(value: object) -> bool:
    """None, NaN, NA, NaT or white space only."""
    if isinstance(value, str):
        return is_blank(value)
    return value is None or bool(pd.isna(value))  # type: ignore[call-overload]


def check_rows(
    reports: pd.DataFrame,
    *,
    host_ci: int | None,
    plan_keys: Iterable[Key],
    services_keys: Iterable[Key],
    host: str,
) -> list[RowIssue]:
    """Errors and warnings of one host partner's typed report rows, by row then column order.

    `plan_keys`: the (practice_partner, practice_id) the plan gives `host`; `services_keys`: every
    ingested (partner, service_id); `host_ci`: the host's cluster_initiatives (None: not checked).
    """
    missing = [c for c in ROW_COLUMNS if c not in reports.columns]
    if missing:
        raise ValueError(f"report rows lack the columns {', '.join(missing)}")
    planned = {(str(p), str(i)) for p, i in plan_keys}
    stored = {(str(p), str(i)) for p, i in services_keys}
    loose = {(norm(p), norm(i)): (p, i) for p, i in stored}
    issues: list[RowIssue] = []
    first_row: dict[Key, int] = {}
    for rec in reports[list(ROW_COLUMNS)].to_dict("records"):
        issues.extend(
            _row_issues(
                rec,
                host=host,
                host_ci=host_ci,
                planned=planned,
                stored=stored,
                loose=loose,
                first_row=first_row,
            )
        )
    order = {c: i for i, c in enumerate(ROW_COLUMNS)}
    return sorted(issues, key=lambda i: (i.row, order.get(i.column, len(order)), i.level))


def _row_issues(
    rec: dict[Any, Any],
    *,
    host: str,
    host_ci: int | None,
    planned: set[Key],
    stored: set[Key],
    loose: dict[Key, Key],
    first_row: dict[Key, int],
) -> list[RowIssue]:
    row = int(rec["source_row"])
    out: list[RowIssue] = []

    def add(level: Level, column: str, message: str) -> None:
        value = rec.get(column)
        out.append(RowIssue(level, row, column, "" if _blank(value) else show(value), message))

    status = None if _blank(rec["status"]) else str(rec["status"])
    if status == TestStatus.DONE:
        needs = {
            "end_date": "the date the test ended (e.g. 2025-06-30)",
            "satisfaction": "the participants' mean rating, from 1 to 5",
            "adoption": "FULL, PARTIAL, INTEREST, PRINCIPLES or NONE",
        }
        for column, accepted in needs.items():
            if _blank(rec[column]):
                add("error", column, f"a DONE test needs {column}: {accepted}")
    if status == TestStatus.CANCELLED and _blank(rec["lessons"]):
        add("error", "lessons", "a CANCELLED test needs lessons: the reason it was cancelled, in words")
    start, end = rec["start_date"], rec["end_date"]
    if not _blank(start) and not _blank(end) and end < start:
        add(
            "error",
            "end_date",
            f"end_date {show(end)} is before start_date {show(start)}; accepted: "
            f"an end date on or after the start date",
        )
    for have, lack in (("baseline", "result"), ("result", "baseline")):
        if not _blank(rec[have]) and _blank(rec[lack]):
            add(
                "error",
                lack,
                f"{have} is given but {lack} is not; accepted: both the value before "
                f"(baseline) and after (result) of the indicator, or neither",
            )
    cis = rec["cis_involved"]
    if host_ci is not None and not _blank(cis) and int(cis) > host_ci:
        add(
            "error",
            "cis_involved",
            f"cis_involved {show(cis)} is more than the {host_ci} cluster "
            f"initiatives of {host}; accepted: a whole number from 0 to {host_ci}",
        )
    if _blank(rec["practice_partner"]) or _blank(rec["practice_id"]):
        return out  # required cells: ingest already reported them
    key = (str(rec["practice_partner"]), str(rec["practice_id"]))
    label = f"{key[0]} {key[1]}"
    if key in first_row:
        add(
            "error",
            "practice_id",
            f"practice {label} is already reported at row {first_row[key]}; "
            f"accepted: each practice once per workbook (merge the two rows)",
        )
    else:
        first_row[key] = row
    if key[0] == host:
        add(
            "error",
            "practice_partner",
            f"practice {label} is {host}'s own; accepted: a practice "
            f"of another partner (partners test each other's practices)",
        )
    elif key not in stored:
        near = loose.get((norm(key[0]), norm(key[1])))
        hint = f" (did you mean {near[0]} {near[1]}?)" if near else ""
        add(
            "error",
            "practice_id",
            f"practice {label} is not an ingested service{hint}; accepted: "
            f"the practice_partner and practice_id (service_id) of a service "
            f"in the store",
        )
    elif key not in planned:
        add(
            "warning",
            "practice_id",
            f"practice {label} is not in {host}'s field-test plan: kept as an unplanned test",
        )
    return out
