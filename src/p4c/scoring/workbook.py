"""Reading a scoring workbook (spec: scoring.md): one rater's scores of every service, and its weights.

Stores two tables under the rater's code: `scores` (rater, partner, service_id, criterion, score,
comment: one row per score given) and `weights` (rater, criterion, points). Every problem is an
error at its cell; the workbook is written whole or not at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from p4c.config import suggest
from p4c.kinds import Context, Opened, Sender, Table, error, is_partner, read_table
from p4c.models import RATER_KEYS, SCORE_COLUMNS, SCORE_INFO_COLUMNS, WEIGHT_COLUMNS, canonical_code
from p4c.values import norm

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from p4c.config import Config
    from p4c.ingest import WorkbookResult

SCORES, WEIGHTS = "scores", "weights"
SCORE_TABLE_COLUMNS = ("rater", "partner", "service_id", "criterion", "score", "comment")
WEIGHT_TABLE_COLUMNS = ("rater", "criterion", "points")
NO_PARTNER = (
    "no partner workbook is ingested yet: a scoring workbook "
    "scores the ingested services; ingest the partners' workbooks first"
)


def score_headers(config: Config) -> dict[str, str]:
    """Normalized header -> criterion id: the id, `score <id>` and its labels in three languages."""
    return {
        norm(word): crit.id
        for crit in config.score_criteria
        for word in (crit.id, f"score {crit.id}", *crit.label.values())
    }


def read(opened: Opened, rater: str) -> None:
    """Fill the result with the rater's scores and weights, or with every error at its cell."""
    sheets, config, result = opened.sheets, opened.config, opened.result
    scored = _scores(sheets["Scores"], config, rater, result, opened.context)
    weights = _weights(sheets["Weights"], config, rater, result) if "Weights" in sheets else None
    result.errors.sort(key=lambda i: (i.sheet or "", i.row or 0, i.cell or ""))
    if scored is None or result.errors:
        return
    scores, rated = scored
    if scores.empty:
        name = sheets["Scores"][0]
        error(
            result,
            name,
            None,
            None,
            None,
            "",
            "no score in this workbook: fill at least one score cell "
            f"({', '.join(c.id for c in config.score_criteria)})",
            fatal=True,
        )
        return
    result.tables = {SCORES: scores}
    if weights is not None:
        result.tables[WEIGHTS] = weights
    result.rows = rated


def _rater(opened: Opened) -> str | None:
    """The rater: the Rater sheet's rater_code, else --partner (both must agree), else a CSV's rater
    column; every problem is fatal, at the Rater sheet's cell."""
    from p4c.ingest import read_key_sheet

    sheets, partner, result = opened.sheets, opened.partner, opened.result
    sheet, cell, row, code = None, None, None, partner

    def fail(value: str, message: str) -> None:
        error(result, sheet, cell, row, "rater_code", value, message, fatal=True)

    if "Rater" in sheets:
        info = read_key_sheet(sheets["Rater"], opened.config, result, RATER_KEYS)
        sheet, cell, row = sheets["Rater"][0], info.get("_cell"), info.get("_row")
        found = info.get("rater_code")
        if found and partner and found != partner:
            fail(found, f"the Rater sheet says {found} but --partner says {partner}; they must agree")
            return None
        code = found or partner
    elif opened.book.is_csv:
        code = _csv_rater(sheets["Scores"], result, partner)
    if result.fatal:
        return None
    if code is None:
        fail(
            "",
            "no rater: a scoring workbook says who scored, in the "
            "Rater sheet (rater_code) or, for a CSV, in a rater column",
        )
        return None
    not_partner = "rater {code} is not a partner of the partnership"
    where = (sheet, cell, row)
    return code if is_partner(result, where, "rater_code", code, opened.context, not_partner) else None


SENDER: Sender = _rater  # whom a scoring workbook is from: its rater


def _csv_rater(sheet: tuple[str, list[list[Any]]], result: WorkbookResult, partner: str | None) -> str | None:
    """The one rater named in a CSV's rater column."""
    from p4c.ingest import find_header
    from p4c.io import column_letters
    from p4c.values import is_blank, show

    name, rows = sheet
    header_idx = find_header(rows, {"rater": "rater", "partner": "partner", "service id": "service_id"}, 3)
    if header_idx is None:
        return partner
    column = next(c for c, v in enumerate(rows[header_idx]) if isinstance(v, str) and norm(v) == "rater")
    codes: dict[str, int] = {}
    for r, row in enumerate(rows[header_idx + 1 :], start=header_idx + 2):
        value = row[column] if column < len(row) else None
        if is_blank(value):
            continue
        code = canonical_code(show(value))
        cell = f"{name}!{column_letters(column)}{r}"
        if code is None:
            error(
                result,
                name,
                cell,
                r,
                "rater",
                value,
                "expected the rater's country code, such as BE",
                fatal=True,
            )
            return None
        codes.setdefault(code, r)
    if len(codes) > 1:
        first, second = list(codes)[:2]
        at = codes[second]
        error(
            result,
            name,
            f"{name}!{column_letters(column)}{at}",
            at,
            "rater",
            second,
            f"a second rater ({second}; the first is {first}): one file holds one rater's scores",
            fatal=True,
        )
        return None
    return next(iter(codes), partner)


def _scores(
    sheet: tuple[str, list[list[Any]]], config: Config, rater: str, result: WorkbookResult, context: Context
) -> tuple[pd.DataFrame, int] | None:
    """The ratings, one row per score given, and how many rows of the sheet hold a score (the
    services rated, when no error was found: a service scored twice is an error)."""
    import numpy as np
    import pyarrow as pa

    criteria = score_headers(config)
    table = read_table(
        sheet, SCORE_COLUMNS, config, result, country=rater, scores=criteria, ignored=SCORE_INFO_COLUMNS
    )
    if table is None:
        return None
    crit_ids = [c.id for c in config.score_criteria if c.id in table.columns]
    if not crit_ids:
        error(
            result,
            table.sheet,
            f"{table.sheet}!A{table.header_row}",
            table.header_row,
            None,
            "",
            "no score column: head one column per criterion with its id or label "
            f"({', '.join(c.id for c in config.score_criteria)})",
            fatal=True,
        )
        return None
    partners, ids = (
        table.values("partner"),
        [str(v) if v is not None else None for v in table.values("service_id")],
    )
    _check_keys(table, partners, ids, result, context)
    grid = np.column_stack([table.floats(c) for c in crit_ids])  # rows x criteria, NaN = not rated
    crit, row = np.nonzero(~np.isnan(grid.T))  # criterion by criterion, as a melt would give them

    # Built in Arrow, which repeats a row's texts by index (take): three times as fast as pandas
    # converting a column of Python strings per rating.
    columns = {
        "rater": pa.array(np.full(len(row), rater, dtype=object), pa.string()),
        "partner": _texts(partners).take(row),
        "service_id": _texts(ids).take(row),
        "criterion": _texts(crit_ids).take(crit),
        "score": pa.array(grid[row, crit], pa.float64()),
        "comment": _texts(table.values("comment")).take(row),
    }
    frame: pd.DataFrame = pa.table(
        [columns[c] for c in SCORE_TABLE_COLUMNS], names=list(SCORE_TABLE_COLUMNS)
    ).to_pandas()
    return frame, int(np.unique(row).size)


def _texts(values: Sequence[Any]) -> pa.Array:
    """A column of text as Arrow: text and blanks (what the parsers give) converted in C, anything
    else as its text."""
    import pyarrow as pa

    try:
        return pa.array(values, pa.string())
    except (pa.ArrowTypeError, pa.ArrowInvalid):
        return pa.array([None if v is None else str(v) for v in values], pa.string())


def _check_keys(
    table: Table, partners: list[Any], ids: list[str | None], result: WorkbookResult, context: Context
) -> None:
    """Unknown or stale (partner, service_id) and duplicate rows are errors at their cells.

    `partners` and `ids`: the kept rows' values (`ids` as text). A sheet with every key known and
    none twice, as nearly every one is, is cleared with two set operations."""
    keys = list(zip(map(str, partners), ids, strict=True))
    known = None not in partners and None not in ids and context.service_keys.issuperset(keys)
    if known and len(set(keys)) == len(keys):
        return
    seen: dict[tuple[str, str], int] = {}
    for pos, partner, sid in zip(table.kept, partners, ids, strict=True):
        row = table.row(int(pos))
        if partner is None or sid is None or row in table.bad_rows:
            continue
        key = (str(partner), str(sid))
        if key not in context.service_keys:
            message = (
                f"{partner} {sid} is not among the ingested services; was the partner's workbook resubmitted?"
            )
        elif key in seen:
            message = f"{partner} {sid} is scored twice (first in row {seen[key]}); keep one row"
        else:
            seen[key] = row
            continue
        error(result, table.sheet, table.cell("service_id", int(pos)), row, "service_id", sid, message)


def _weights(
    sheet: tuple[str, list[list[Any]]], config: Config, rater: str, result: WorkbookResult
) -> pd.DataFrame | None:
    import pandas as pd

    table = read_table(sheet, WEIGHT_COLUMNS, config, result, country=rater)
    if table is None:
        return None
    if "points" not in table.mapping:  # a blank points cell is "not weighted", a missing column is an error
        error(
            result,
            table.sheet,
            f"{table.sheet}!B{table.header_row}",
            table.header_row,
            "points",
            "",
            "required column points is missing; head a column with one of: "
            + ", ".join(dict.fromkeys(("points", *WEIGHT_COLUMNS[1].aliases))),
        )
        return None
    ids = [c.id for c in config.criteria]
    lookup = {norm(word): c.id for c in config.criteria for word in (c.id, *c.label.values())}
    records: list[tuple[str, str, float]] = []
    seen: dict[str, int] = {}
    for pos, name, points in zip(table.kept, table.values("criterion"), table.values("points"), strict=True):
        row = table.row(int(pos))
        if name is None or row in table.bad_rows:
            continue
        crit = lookup.get(norm(str(name)))
        if crit is None or crit in seen:
            message = (
                f"unknown criterion{suggest(str(name), ids)}"
                if crit is None
                else f"{crit} is weighted twice (first in row {seen[crit]})"
            )
            error(result, table.sheet, table.cell("criterion", int(pos)), row, "criterion", name, message)
        elif points is not None:
            seen[crit] = row
            records.append((rater, crit, float(points)))
    if records and not any(points > 0 for _, _, points in records) and not result.errors:
        pos = int(table.kept[0])
        error(
            result,
            table.sheet,
            table.cell("points", pos),
            table.row(pos),
            "points",
            0,
            "every weight is 0: give at least one criterion some points (any positive numbers; "
            "they are rescaled to sum to 1)",
        )
    return pd.DataFrame(records, columns=list(WEIGHT_TABLE_COLUMNS))
