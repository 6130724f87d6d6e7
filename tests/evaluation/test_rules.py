"""Row rules of one partner's field-test report (p4c.evaluation.rules)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import pytest

from p4c.evaluation.rules import RowIssue, check_rows

HOST = "FR"
SERVICES = {("BE", "S1"), ("BE", "S2"), ("DE", "S1"), ("FR", "S1")}
PLAN = {("BE", "S1"), ("DE", "S1")}


def row(source_row: int = 2, **changes: Any) -> dict[str, Any]:
    """A valid DONE row of FR's report on BE S1 (planned), with `changes` applied."""
    base: dict[str, Any] = {
        "practice_partner": "BE",
        "practice_id": "S1",
        "mode": "WORKSHOP",
        "status": "DONE",
        "start_date": dt.date(2025, 3, 1),
        "end_date": dt.date(2025, 6, 30),
        "cis_involved": 4,
        "smes_involved": 12,
        "participants": 30,
        "cost_eur": 5000.0,
        "staff_days": 10.0,
        "satisfaction": 4.2,
        "indicator": "SMEs exporting",
        "baseline": 10.0,
        "result": 14.0,
        "adoption": "PARTIAL",
        "barriers": "",
        "adaptations": "",
        "lessons": "",
        "source_row": source_row,
    }
    base.update(changes)
    return base


def check(*rows: dict[str, Any], host_ci: int | None = 8) -> list[RowIssue]:
    frame = pd.DataFrame(list(rows))
    for column in ("cis_involved", "smes_involved", "participants"):
        frame[column] = frame[column].astype("Int64")
    return check_rows(frame, host_ci=host_ci, plan_keys=PLAN, services_keys=SERVICES, host=HOST)


def test_a_valid_planned_row_has_no_issue() -> None:
    assert (
        check(
            row(),
            row(
                3,
                practice_partner="DE",
                status="ONGOING",
                end_date=None,
                satisfaction=None,
                adoption=None,
                baseline=None,
                result=None,
            ),
        )
        == []
    )


@pytest.mark.parametrize(
    ("column", "accepted"),
    [
        ("end_date", "a DONE test needs end_date: the date the test ended (e.g. 2025-06-30)"),
        ("satisfaction", "a DONE test needs satisfaction: the participants' mean rating, from 1 to 5"),
        ("adoption", "a DONE test needs adoption: FULL, PARTIAL, INTEREST, PRINCIPLES or NONE"),
    ],
)
def test_done_needs_end_date_satisfaction_and_adoption(column: str, accepted: str) -> None:
    blank = {"end_date": None, "satisfaction": float("nan"), "adoption": None}[column]
    assert check(row(5, **{column: blank})) == [RowIssue("error", 5, column, "", accepted)]


def test_done_missing_all_three_gives_three_errors_in_column_order() -> None:
    issues = check(row(4, end_date=pd.NaT, satisfaction=None, adoption="  "))
    assert [(i.level, i.row, i.column) for i in issues] == [
        ("error", 4, "end_date"),
        ("error", 4, "satisfaction"),
        ("error", 4, "adoption"),
    ]


def test_other_statuses_need_none_of_them() -> None:
    for status in ("PLANNED", "ONGOING"):
        assert check(row(status=status, end_date=None, satisfaction=None, adoption=None)) == []


def test_cancelled_needs_lessons() -> None:
    cancelled = {"status": "CANCELLED", "end_date": None, "satisfaction": None, "adoption": None}
    assert check(row(7, **cancelled)) == [
        RowIssue(
            "error", 7, "lessons", "", "a CANCELLED test needs lessons: the reason it was cancelled, in words"
        )
    ]
    assert check(row(7, **cancelled, lessons="the region cut the budget")) == []


def test_end_before_start() -> None:
    issues = check(row(3, start_date=dt.date(2025, 5, 2), end_date=dt.date(2025, 5, 1)))
    assert issues == [
        RowIssue(
            "error",
            3,
            "end_date",
            "2025-05-01",
            "end_date 2025-05-01 is before start_date 2025-05-02; accepted: an end "
            "date on or after the start date",
        )
    ]
    assert check(row(start_date=dt.date(2025, 5, 1), end_date=dt.date(2025, 5, 1))) == []


def test_baseline_and_result_both_or_neither() -> None:
    message = (
        "is given but {} is not; accepted: both the value before (baseline) and after (result) "
        "of the indicator, or neither"
    )
    assert check(row(2, result=None)) == [
        RowIssue("error", 2, "result", "", "baseline " + message.format("result"))
    ]
    assert check(row(2, baseline=None)) == [
        RowIssue("error", 2, "baseline", "", "result " + message.format("baseline"))
    ]
    assert check(row(baseline=None, result=None)) == []
    assert check(row(baseline=0.0, result=3.0)) == []


def test_cis_involved_at_most_the_hosts() -> None:
    assert check(row(cis_involved=8)) == []
    assert check(row(6, cis_involved=9)) == [
        RowIssue(
            "error",
            6,
            "cis_involved",
            "9",
            "cis_involved 9 is more than the 8 cluster initiatives of FR; accepted: a whole number "
            "from 0 to 8",
        )
    ]
    assert check(row(cis_involved=9), host_ci=None) == []


def test_same_practice_twice_is_an_error_on_the_later_rows() -> None:
    issues = check(row(2), row(3, status="ONGOING"), row(9))
    assert issues == [
        RowIssue(
            "error",
            3,
            "practice_id",
            "S1",
            "practice BE S1 is already reported at row 2; accepted: "
            "each practice once per workbook (merge the two rows)",
        ),
        RowIssue(
            "error",
            9,
            "practice_id",
            "S1",
            "practice BE S1 is already reported at row 2; accepted: "
            "each practice once per workbook (merge the two rows)",
        ),
    ]


def test_the_hosts_own_practice_is_an_error() -> None:
    assert check(row(4, practice_partner="FR")) == [
        RowIssue(
            "error",
            4,
            "practice_partner",
            "FR",
            "practice FR S1 is FR's own; accepted: a practice of another partner (partners test each "
            "other's practices)",
        )
    ]


def test_a_practice_not_in_the_store_is_an_error() -> None:
    assert check(row(5, practice_id="S9")) == [
        RowIssue(
            "error",
            5,
            "practice_id",
            "S9",
            "practice BE S9 is not an ingested service; accepted: the practice_partner and practice_id "
            "(service_id) of a service in the store",
        )
    ]


def test_a_near_miss_is_suggested() -> None:
    [issue] = check(row(5, practice_id="s1 "))
    assert issue.message.startswith("practice BE s1  is not an ingested service (did you mean BE S1?); ")


def test_a_practice_not_in_the_plan_is_a_warning() -> None:
    assert check(row(8, practice_id="S2")) == [
        RowIssue(
            "warning",
            8,
            "practice_id",
            "S2",
            "practice BE S2 is not in FR's field-test plan: kept as an unplanned test",
        )
    ]


def test_issues_come_by_row_then_column() -> None:
    issues = check(
        row(9, practice_id="S2", adoption=None),
        row(3, lessons="", status="CANCELLED", satisfaction=None, adoption=None, result=None),
    )
    assert [(i.row, i.column) for i in issues] == [
        (3, "result"),
        (3, "lessons"),
        (9, "practice_id"),
        (9, "adoption"),
    ]


def test_missing_columns_are_refused() -> None:
    with pytest.raises(ValueError, match="report rows lack the columns source_row"):
        check_rows(
            pd.DataFrame([row()]).drop(columns="source_row"),
            host_ci=1,
            plan_keys=PLAN,
            services_keys=SERVICES,
            host=HOST,
        )
