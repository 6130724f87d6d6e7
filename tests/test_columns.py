"""Column parsers: error cells, booleans, NaN and Excel error text are cell errors, never blanks."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np
import pytest

from p4c.columns import parse_column, parse_scores
from p4c.config import Config
from p4c.io import NOT_A_NUMBER, excel_error, formula_without_result
from p4c.models import SERVICE_COLUMNS

SPECS = {f.name: f for f in SERVICE_COLUMNS}


def column(values: list[Any]) -> np.ndarray[Any, Any]:
    cells = np.empty(len(values), dtype=object)
    cells[:] = values
    return cells


def parse(name: str, values: list[Any], config: Config) -> Any:
    if name in SPECS:
        return parse_column(SPECS[name], column(values), config, "BE")
    return parse_scores(column(values), config, "BE")


ERROR_CELLS = [
    (excel_error("#DIV/0!"), "the cell holds the Excel error #DIV/0!: type the value"),
    (excel_error("#REF!"), "the cell holds the Excel error #REF!: type the value"),
    (
        formula_without_result("A1/B1"),
        "the cell holds a formula with no stored result (the program that saved the file did not "
        "calculate it): type the value, or open the file in Excel or LibreOffice and save it again",
    ),
    (NOT_A_NUMBER, "the cell holds NaN (not a number): type the value"),
    ("#N/A", "the cell holds the Excel error #N/A: type the value"),  # as a CSV saves it
    (" #NULL! ", "the cell holds the Excel error #NULL!: type the value"),
]
GOOD = {
    "service_id": "S-1",
    "title": "Matchmaking",
    "description": "text",
    "category": "NET",
    "provider": "DA",
    "status": "ONGOING",
    "start_date": dt.date(2015, 3, 1),
    "annual_budget_eur": 100.0,
    "staff_fte": 1.5,
    "cis_served": 3.0,
    "smes_reached": 7.0,
    "evidence": "text",
    "impact": 4.0,
}


@pytest.mark.parametrize("name", list(GOOD))
@pytest.mark.parametrize(("cell", "message"), ERROR_CELLS)
def test_error_cells_are_cell_errors_in_every_column(
    config: Config, name: str, cell: Any, message: str
) -> None:
    good = GOOD[name]
    parsed = parse(name, [good, cell, good, ""], config)
    assert {pos: text for pos, text in parsed.errors.items() if pos != 3} == {1: message}
    assert parsed.blank.tolist() == [False, False, False, True]


def test_nan_float_in_a_text_column_is_an_error(config: Config) -> None:
    parsed = parse("title", ["a", math.nan], config)
    assert parsed.errors == {1: NOT_A_NUMBER.message}


@pytest.mark.parametrize("name", ["title", "service_id", "description", "evidence"])
@pytest.mark.parametrize("value", [True, False])
def test_boolean_in_a_text_column_is_an_error(config: Config, name: str, value: bool) -> None:
    parsed = parse(name, ["S-1", value, 1.0], config)
    shown = "TRUE" if value else "FALSE"
    assert parsed.errors == {1: f"expected text, found the logical value {shown}: type the text"}
    assert parsed.values.tolist()[0::2] == ["S-1", "1"]


def test_error_cells_many_rows_keep_their_positions(config: Config) -> None:
    cells = ["t"] * 1000
    cells[10] = excel_error("#VALUE!")
    cells[500] = "#VALUE!"
    parsed = parse("title", cells, config)
    assert sorted(parsed.errors) == [10, 500]
