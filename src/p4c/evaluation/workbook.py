"""Reading a field-test report workbook (spec field-tests.md): one host partner's tests.

Stores one table, `field_tests_reported` (STORED_COLUMNS: one row per test), under the host
partner with the source "field_tests", so a partner's new report replaces its earlier one (which
goes to history) and nothing else. Every problem is an error at its cell: the typed cells are read
by `kinds.read_table` against `FIELD_TEST_COLUMNS`, then the row rules of `rules.check_rows` look
across cells, rows, the store and the plan. The workbook is written whole or not at all.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from p4c.evaluation.evaluate import REPORT_COLUMNS
from p4c.evaluation.models import FIELD_TEST_COLUMNS
from p4c.evaluation.rules import check_rows
from p4c.kinds import Context, Opened, PartnerSheet, Table, error, read_table
from p4c.models import PARTNER_KEYS

if TYPE_CHECKING:
    import pandas as pd

    from p4c.ingest import WorkbookResult

STORED_COLUMNS = (*REPORT_COLUMNS, "source_file", "source_row")
PARTNER_CODE_KEYS = (PARTNER_KEYS[0],)  # the Partner sheet of a report names the host, nothing more
# Columns a template shows for information (the practice's title): recognised, never read.
INFO_COLUMNS = ("title", "practice title", "intitulé", "intitulé de la pratique", "titel", "praxis titel")
NO_PARTNER = (
    "no partner workbook is ingested yet: a field-test report tells how partners tested the "
    "ingested services; ingest the partners' workbooks first"
)
NO_HOST = (
    "cannot tell which partner this report is from: it has no Partner sheet; add one "
    "(partner_code in A1, the code in B1), pass --partner CODE or start the file name with "
    "the country code (e.g. BE_field_tests.xlsx)"
)


# Whom a report is from: its host, named by the Partner sheet, --partner or the file name.
SENDER = PartnerSheet(PARTNER_CODE_KEYS, NO_HOST, "partner {code} has no ingested partner workbook")


def read(opened: Opened, host: str) -> None:
    """Fill the result with the host's test rows, or with every error at its cell."""
    result = opened.result
    table = read_table(
        opened.sheets["FieldTests"],
        FIELD_TEST_COLUMNS,
        opened.config,
        result,
        country=host,
        ignored=INFO_COLUMNS,
    )
    if table is None:
        return
    frame = _frame(table, host, opened.book.path.name)
    if frame.empty and not result.errors:
        error(
            result,
            table.sheet,
            f"{table.sheet}!A{table.first}",
            table.first,
            None,
            "",
            "no field test in this workbook: fill one row per test (practice_partner, practice_id, "
            "mode, status); a report is never replaced by an empty one",
            fatal=True,
        )
        return
    _rules(frame, table, host, result, opened.context)
    result.errors.sort(key=lambda i: (i.row or 0, i.cell or ""))
    if result.errors:
        return
    result.tables = {_table_name(): frame[list(STORED_COLUMNS)].reset_index(drop=True)}
    result.rows = len(frame)


def _table_name() -> str:
    from p4c.store import FIELD_TESTS_REPORTED

    return FIELD_TESTS_REPORTED


def _frame(table: Table, host: str, file_name: str) -> pd.DataFrame:
    """The kept rows with typed values (None where blank or wrong), in STORED_COLUMNS."""
    import pandas as pd

    rows = [table.row(int(pos)) for pos in table.kept]
    data: dict[str, Any] = {"partner": [host] * len(rows)}
    for spec in FIELD_TEST_COLUMNS:
        data[spec.name] = table.values(spec.name)
    data["source_file"] = [file_name] * len(rows)
    data["source_row"] = rows
    frame = pd.DataFrame(data, columns=list(STORED_COLUMNS))
    for spec in FIELD_TEST_COLUMNS:
        column = frame[spec.name]
        if spec.type == "int":
            frame[spec.name] = pd.array(column.tolist(), dtype="Int64")
        elif spec.type in ("amount", "number", "rating"):
            frame[spec.name] = pd.to_numeric(column, errors="coerce").astype("float64")
        else:
            frame[spec.name] = column.astype(object).where(column.notna(), None)
    frame["source_row"] = frame["source_row"].astype("int64")
    return frame


def _rules(frame: pd.DataFrame, table: Table, host: str, result: WorkbookResult, context: Context) -> None:
    """The spec's row rules, each error at its cell; a cell already in error is not told twice."""
    from p4c.evaluation.stage import read_plan
    from p4c.ingest import Issue
    from p4c.io import column_letters

    partners = context.partners
    cis = partners.loc[partners["partner"].astype(str) == host, "cluster_initiatives"]
    host_ci = int(cis.iloc[-1]) if len(cis) and cis.notna().iloc[-1] else None
    plan = read_plan(context.folder) if context.folder is not None else None
    plan_keys: list[tuple[str, str]] = []
    if plan is not None:
        mine = plan[plan["partner"] == host]
        plan_keys = list(zip(mine["practice_partner"], mine["service_id"], strict=True))
    issues = check_rows(
        frame,
        host_ci=host_ci,
        plan_keys=plan_keys,
        services_keys=context.service_keys,
        host=host,
    )
    in_error = {(i.row, i.column) for i in result.errors}
    position = {table.row(int(pos)): int(pos) for pos in table.kept}
    past_last = column_letters(max(table.mapping.values()) + 1)
    for issue in issues:
        if issue.level == "warning" and plan is None:
            continue  # no plan yet (a first `p4c run`): `p4c evaluate` tells unplanned tests apart
        if (issue.row, issue.column) in in_error:
            continue
        if issue.column in table.mapping:
            cell = table.cell(issue.column, position[issue.row])
            message = issue.message
        else:
            cell = f"{table.sheet}!{past_last}{issue.row}"
            message = f"{issue.message} (add a {issue.column} column)"
        found = Issue(table.sheet, cell, issue.row, issue.column, issue.value, message)
        (result.errors if issue.level == "error" else result.warnings).append(found)
