"""The look of every workbook p4c writes: cell formats, the hidden dropdown sheet, instructions, print.

The templates partners fill in (`p4c.template`, `p4c.evaluation.template`, `p4c.plan.workbook`) and
the formatted outputs (`p4c.io.write_xlsx`) share these, so a header, an input cell or an
instructions page looks the same in every workbook. xlsxwriter objects are typed `Any` (it has no
type hints).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

# Cell formats by name (xlsxwriter format properties).
STYLES: dict[str, dict[str, Any]] = {
    "header": {
        "bold": True,
        "bg_color": "#1F4E79",
        "font_color": "#FFFFFF",
        "text_wrap": True,
        "valign": "top",
        "border": 1,
    },
    "key": {"bold": True, "bg_color": "#DDEBF7", "border": 1},
    "input": {"bg_color": "#FFF2CC", "border": 1},
    "title": {"bold": True, "font_size": 14},
    "wrap": {"text_wrap": True, "valign": "top"},
    "text": {"num_format": "@"},
    "date": {"num_format": "yyyy-mm-dd"},
    "int": {"num_format": "0"},
    "amount": {"num_format": "#,##0.00"},
    "decimal": {"num_format": "0.0"},
    "number": {"num_format": "General"},
    "info": {"font_color": "#595959", "italic": True},
}
INSTRUCTIONS_WIDTH = 110  # characters: fits an A4 landscape page at 100 %


def add_formats(book: Any, names: Sequence[str], **changed: Mapping[str, Any]) -> dict[str, Any]:
    """The named formats of `book`, made in that order: each style of STYLES with the properties
    `changed` gives it (a name STYLES lacks is made of its `changed` properties alone)."""
    return {name: book.add_format({**STYLES.get(name, {}), **changed.get(name, {})}) for name in names}


def lists_sheet(book: Any, columns: Mapping[str, Sequence[str | float]]) -> dict[str, str]:
    """A hidden sheet `Lists` holding the dropdown values, one column each (inline lists are capped
    at 255 characters); returns each column's range for a data validation's `source`."""
    sheet = book.add_worksheet("Lists")
    ranges = {}
    for c, (name, values) in enumerate(columns.items()):
        sheet.write_string(0, c, name)
        for r, value in enumerate(values, start=1):
            if isinstance(value, str):
                sheet.write_string(r, c, value)
            else:
                sheet.write_number(r, c, value)
        ranges[name] = list_range(c, len(values))
    sheet.hide()
    return ranges


def list_range(column: int, count: int) -> str:
    """The range of `count` dropdown values in column `column` (0-based) of the Lists sheet."""
    letter = chr(65 + column)
    return f"=Lists!${letter}$2:${letter}${count + 1}"


def instructions_sheet(
    book: Any, name: str, title: str, lines: Sequence[str], f: Mapping[str, Any], *, fit_rows: bool = False
) -> tuple[Any, int]:
    """The Instructions sheet: `title` big in A1, then `lines` from row 3 in one wide wrapped
    column. `fit_rows`: each row as tall as its wrapped text (LibreOffice neither grows a row for
    wrapped text nor stops it overlapping). Returns the sheet and its next free row (0-based)."""
    from p4c.io import wrapped_lines

    sheet = book.add_worksheet(name)
    sheet.set_column(0, 0, INSTRUCTIONS_WIDTH, f["wrap"])
    sheet.write_string(0, 0, title, f["title"])
    row = 2
    for line in lines:
        sheet.write_string(row, 0, line)
        if fit_rows:
            sheet.set_row(row, 15 * wrapped_lines(line, INSTRUCTIONS_WIDTH, char=1.0) + 3)
        row += 1
    return sheet, row


def print_setup(sheet: Any, title: str, *, repeat_header: bool = True) -> None:
    """A4 landscape, one page wide (as many tall as needed), the header row on every page, the
    sheet's title and the date above, page numbers below: a sheet prints as a readable table."""
    sheet.set_landscape()
    sheet.set_paper(9)
    sheet.fit_to_pages(1, 0)
    if repeat_header:
        sheet.repeat_rows(0)
    sheet.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    sheet.set_header(f"&L{title.replace('&', '&&')}&R&D")
    sheet.set_footer("&C&P / &N")
