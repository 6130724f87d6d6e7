"""Reading spreadsheets safely and writing outputs atomically, Excel-friendly and injection-safe.

Every output goes to a temporary file in the target folder and is renamed over the old one, so a
killed command leaves the previous state intact. Text that a spreadsheet would run as a formula is
neutralised (OWASP CSV injection).
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import errno
import functools
import glob
import html
import io
import math
import os
import re
import sys
import tempfile
import zipfile
from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from p4c import forks
from p4c.errors import P4CError
from p4c.messages import Msg, msg, number

if TYPE_CHECKING:
    import pandas as pd

SPREADSHEET_TYPES = (".xlsx", ".xlsm", ".ods", ".xls")
ACCEPTED_TYPES = (*SPREADSHEET_TYPES, ".csv")
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_TMP_MARK = "p4ctmp"
_TMP_NAME = re.compile(rf"\.{_TMP_MARK}(\d+)\.[^.]*\.tmp$")
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


# --- reading -------------------------------------------------------------------------------------


@dataclass
class Book:
    """A file's sheets as rows of raw cell values (str, float, int, bool, date, datetime or None).

    `sheets` holds the sheets that were read; `names` every sheet of the file, in order (empty:
    the same as `sheets`). Sheets whose names are no contract role (Instructions, Lists) are not
    read, unless the workbook has only one sheet.
    """

    path: Path
    sheets: dict[str, list[list[Any]]] = field(default_factory=dict)
    is_csv: bool = False
    names: list[str] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)  # what reading changed or guessed: warnings

    @property
    def sheet_names(self) -> list[str]:
        return self.names or list(self.sheets)


def read_book(
    path: Path,
    *,
    max_rows: int,
    max_file_mb: float,
    max_uncompressed_mb: float,
    meanwhile: Callable[[list[str]], None] | None = None,
) -> Book:
    """All sheets of a spreadsheet or CSV; anything unreadable is one P4CError naming the file.

    `meanwhile(sheet_names)`: the caller's own work, done while calamine parses a spreadsheet in
    its child (the names as the workbook lists them, [] where they are not known before); it
    must not raise. It is not called for a CSV, nor for a file refused before it is parsed.
    """
    name = path.name
    if not path.is_file():
        raise P4CError(msg("{path}: no such file", path=str(path)))
    suffix = path.suffix.lower()
    if suffix not in ACCEPTED_TYPES:
        raise P4CError(
            msg(
                "{name}: not a spreadsheet ({suffix}); accepted: {accepted}",
                name=name,
                suffix=suffix or msg("no extension"),
                accepted=", ".join(ACCEPTED_TYPES),
            )
        )
    size = path.stat().st_size
    if size == 0:
        raise P4CError(msg("{name}: the file is empty", name=name))
    if size > max_file_mb * 1024 * 1024:
        raise P4CError(
            msg(
                "{name}: the file is {size} MB; the limit is {limit} MB (config limits.max_file_mb)",
                name=name,
                size=number(size / 1048576, ".1f"),
                limit=number(max_file_mb, "g"),
            )
        )
    if suffix == ".csv":
        data = path.read_bytes()  # at most max_file_mb: lines are counted before any row is built
        lines = data.count(b"\n") + data.count(b"\r") - data.count(b"\r\n")
        if lines > 2 * (max_rows + 50):  # a cell may hold line breaks: twice the rows is room enough
            _check_rows(name, msg("the CSV file"), lines, max_rows)
        notes: list[Note] = []
        rows = read_csv_rows(path, notes, data=data)
        del data
        _check_rows(name, msg("the CSV file"), len(rows), max_rows)
        return Book(path, {"Services": rows}, is_csv=True, notes=notes)
    with path.open("rb") as fh:
        head = fh.read(8)
    if suffix in (".xlsx", ".xlsm", ".ods"):
        if head.startswith(_OLE_MAGIC):
            raise P4CError(_ole_kind(path))
        if not head.startswith(_ZIP_MAGIC):
            raise P4CError(_not_valid(name, suffix))
        _check_zip(path, max_uncompressed_mb)
    elif not head.startswith(_OLE_MAGIC):
        raise P4CError(_not_valid(name, ".xls"))
    return _read_calamine(path, max_rows, meanwhile)


def _not_valid(name: str, suffix: str) -> Msg:
    return msg("{name}: not a valid {suffix} file (it may be corrupt or renamed)", name=name, suffix=suffix)


# Stream names in an OLE (Compound File) directory, stored as UTF-16LE.
_OLE_STREAMS = {
    "EncryptionInfo": "encrypted",
    "EncryptedPackage": "encrypted",
    "Workbook": ".xls",
    "Book": ".xls",
    "WordDocument": msg("a Word document (.doc)"),
    "PowerPoint Document": msg("a PowerPoint presentation (.ppt)"),
    "__substg1.0_": msg("an Outlook message (.msg)"),
}


def _ole_kind(path: Path) -> Msg:
    """What an OLE file named .xlsx/.xlsm/.ods is, as a message: encrypted, a .xls, or else."""
    data = path.read_bytes()
    found = {kind for stream, kind in _OLE_STREAMS.items() if stream.encode("utf-16-le") in data}
    name = path.name
    if "encrypted" in found:
        return msg(
            "{name}: the workbook is password-protected (encrypted); save it without a password "
            "and send it again",
            name=name,
        )
    if ".xls" in found:
        return msg(
            "{name}: this is an old-format Excel 97-2003 workbook (.xls) named {suffix}; "
            "rename it to .xls, or open it and save it as .xlsx",
            name=name,
            suffix=path.suffix,
        )
    other = next(iter(sorted(found)), msg("an Office file of another kind"))
    return msg(
        "{name}: not a spreadsheet but {other} named {suffix}; send the workbook itself",
        name=name,
        other=other,
        suffix=path.suffix,
    )


def _check_zip(path: Path, max_uncompressed_mb: float) -> None:
    try:
        with zipfile.ZipFile(path) as zf:
            total = sum(info.file_size for info in zf.infolist())
            names = set(zf.namelist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise P4CError(
            msg(
                "{name}: the file is corrupt and cannot be opened ({detail})", name=path.name, detail=str(exc)
            )
        ) from None
    if total > max_uncompressed_mb * 1024 * 1024:
        raise P4CError(
            msg(
                "{name}: the workbook unpacks to {size} MB, over the limit of {limit} MB "
                "(config limits.max_uncompressed_mb); it may be a zip bomb",
                name=path.name,
                size=number(total / 1048576, ".0f"),
                limit=number(max_uncompressed_mb, "g"),
            )
        )
    if "EncryptedPackage" in names or "EncryptionInfo" in names:
        raise P4CError(_encrypted(path.name))


def _encrypted(name: str) -> Msg:
    return msg("{name}: the workbook is password-protected (encrypted)", name=name)


# --- sizing a sheet before it is read ------------------------------------------------------------

# A reader builds a dense grid from A1 to the last cell: one value far away (XFD20000) costs
# gigabytes. The sheet's XML is scanned first, in bounded chunks, for the extent of the cells that
# hold something; a sheet wider than MAX_COLUMNS, longer than the row limit or larger than
# MAX_CELLS is refused before any grid is built. Cells that only carry formatting do not count.
MAX_COLUMNS = 200
MAX_CELLS = 8_000_000
_CHUNK = 8 * 1024 * 1024
_MAX_CELL_ERRORS = 10_000


@dataclass(frozen=True)
class CellError:
    """A cell that holds no value to read: an Excel error (#DIV/0!), a formula with no stored
    result, or NaN. The readers put it where the value would be, so each becomes a cell error."""

    shown: str
    message: str

    def __str__(self) -> str:
        return self.shown


EXCEL_ERRORS = frozenset(
    {
        "#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA",
        "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!", "#EXTERNAL!",
        "#PYTHON!",
    }
)  # fmt: skip


def excel_error(code: str) -> CellError:
    return CellError(code, msg("the cell holds the Excel error {code}: type the value", code=code))


def formula_without_result(formula: str) -> CellError:
    shown = "=" + formula if formula else "(a formula)"
    return CellError(
        shown,
        msg(
            "the cell holds a formula with no stored result (the program that saved the file did not "
            "calculate it): type the value, or open the file in Excel or LibreOffice and save it again"
        ),
    )


NOT_A_NUMBER = CellError("NaN", msg("the cell holds NaN (not a number): type the value"))


@dataclass(frozen=True)
class Note:
    """Something the reader changed or guessed, for ingest to report as a warning."""

    sheet: str | None
    row: int | None  # 1-based, as the sheet shows it
    column: int | None  # 0-based
    value: str
    message: str

    @property
    def cell(self) -> str | None:
        if self.sheet is None or self.row is None or self.column is None:
            return None
        return f"{self.sheet}!{column_letters(self.column)}{self.row}"


def column_letters(index: int) -> str:
    """Spreadsheet column letters of a 0-based column index (0 -> A, 26 -> AA)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _column_index(letters: bytes) -> int:
    """The 1-based column number of column letters (A -> 1, XFD -> 16384)."""
    number = 0
    for ch in letters:
        number = number * 26 + ch - 64
    return number


@dataclass
class Extent:
    """How far a sheet's cells that hold something reach (1-based), the cells that reach the
    farthest, and its error cells by (0-based row, 0-based column)."""

    rows: int = 0
    columns: int = 0
    row_cell: str = ""
    column_cell: str = ""
    errors: dict[tuple[int, int], CellError] = field(default_factory=dict)
    escapes: bool = False  # the XML may encode control characters (_x0001_, &#1;)
    exact: bool = True  # False: rows and columns are upper bounds

    def add(self, row: int, column: int) -> None:
        self.add_span(row, row, column, column)

    def add_span(self, first_row: int, last_row: int, first_column: int, last_column: int) -> None:
        """Cells from first to last (1-based, inclusive) hold something."""
        if last_row > self.rows:
            self.rows, self.row_cell = last_row, f"{column_letters(first_column - 1)}{last_row}"
        if last_column > self.columns:
            self.columns, self.column_cell = last_column, f"{column_letters(last_column - 1)}{first_row}"


def check_extent(name: str, sheet: str, extent: Extent, max_rows: int) -> None:
    """Refuse a sheet whose data reaches too far, naming the cell that does."""
    if extent.columns > MAX_COLUMNS:
        raise P4CError(
            msg(
                "{name}: {cell} holds a value far right of the table: the sheet's data spans "
                "{columns} columns, and at most {limit} are read; delete that cell (and anything "
                "else right of the table) and send the file again",
                name=name,
                cell=f"{sheet}!{extent.column_cell}",
                columns=number(extent.columns),
                limit=MAX_COLUMNS,
            )
        )
    if extent.rows > max_rows + 50:
        raise P4CError(
            msg(
                "{name}: {cell} holds a value: the sheet's data spans {rows} rows; the limit is "
                "{limit} (config limits.max_rows); delete what is below the table and send the file again",
                name=name,
                cell=f"{sheet}!{extent.row_cell}",
                rows=number(extent.rows),
                limit=number(max_rows),
            )
        )
    if extent.rows * extent.columns > MAX_CELLS:
        raise P4CError(
            msg(
                "{name}: sheet {sheet} spans {rows} rows and {columns} columns ({cells} cells, to "
                "{row_cell} and {column_cell}); at most {limit} cells are read: delete empty columns "
                "and anything outside the table",
                name=name,
                sheet=sheet,
                rows=number(extent.rows),
                columns=extent.columns,
                cells=number(extent.rows * extent.columns),
                row_cell=f"{sheet}!{extent.row_cell}",
                column_cell=f"{sheet}!{extent.column_cell}",
                limit=number(MAX_CELLS),
            )
        )


def _chunks(stream: IO[bytes], cut: bytes, fallback: bytes | None = None) -> Iterator[bytes]:
    """The stream in pieces of about _CHUNK bytes, each ending just after a `cut`, else just after a
    `fallback` (a cell's end: a piece never splits `<c ...>` from its `</c>`), else before a tag."""
    rest = b""
    while True:
        data = stream.read(_CHUNK)
        if not data:
            if rest:
                yield rest
            return
        buf = rest + data
        end = buf.rfind(cut)
        if end >= 0:
            end += len(cut)
        elif fallback is not None:
            end = buf.rfind(fallback)
            end = end + len(fallback) if end >= 0 else 0
        else:
            end = buf.rfind(b"<")
        if end <= 0:
            rest = buf
            continue
        rest = buf[end:]
        yield buf[:end]


_ESCAPE = re.compile(rb"_x00[01][0-9A-Fa-f]_|_x007[Ff]_|&#(?:[xX]0*[0-7]?[0-9A-Fa-f]|0*\d{1,3});")


def _has_escapes(part: bytes) -> bool:
    """Whether XML text may encode a control character (`_x0001_`, `&#1;`)."""
    return (_holds(part, b"_x00", b"_") or _holds(part, b"&#", b"&")) and _ESCAPE.search(part) is not None


def _holds(part: bytes, text: bytes, rare: bytes) -> bool:
    """`text in part`, after a look for `rare`, a byte of it that a sheet's XML seldom holds: that
    look (memchr) passes over a chunk without it ten times faster than the search for `text`."""
    return rare in part and text in part


# A start tag's attributes, quotes respected: an attribute value may hold `>` (and `/>`), and a
# single-quoted value may hold `r="A1"`; the tag ends at the first `>` outside quotes.
_ATTRS = rb"""(?:[^>"']|"[^"]*"|'[^']*')*?"""
_ATTR = re.compile(rb"""([^\s=/>"']+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_REF_VALUE = re.compile(rb"([A-Z]{0,3})(\d+)")


def _attribute(attrs: bytes, name: bytes) -> bytes | None:
    """The value of attribute `name` in a start tag's attributes, read pair by pair as a parser does."""
    for match in _ATTR.finditer(attrs):
        if match.group(1) == name:
            return match.group(2) if match.group(2) is not None else match.group(3)
    return None


def _ref(attrs: bytes) -> re.Match[bytes] | None:
    """A cell's or a row's `r` (column letters, row number), however it is quoted; letters in any
    case, as calamine reads them (`xfd1` is XFD1)."""
    value = _attribute(attrs, b"r")
    return _REF_VALUE.fullmatch(value.upper()) if value is not None else None


# xlsx: the start tag of a row or a cell (namespace prefixes are taken out first).
_X_TAG = re.compile(rb"<(row|c)\b(" + _ATTRS + rb")(/?)>")
_X_PREFIX = re.compile(rb"<(/?)[A-Za-z_][\w.-]*:")
# When every cell tag has its `r=` first (as every writer does), a cell's own reference places it.
# Quick bounds: only cells of two- or three-letter columns, or of a row number with as many digits
# as the row limit, can reach far; every other cell is within 26 columns and below that power of
# ten. Exact: the references of the cells that hold something (not self-closed, not
# `<c ...></c>`), found in one pass in C.
_X_FAR = (
    '<c r="(?:(?:([A-Z]{{2,3}})(\\d+)|([A-Z])(\\d{{{digits},}}))"' + _ATTRS.decode() + "(/?)>"
    "|(?![A-Z]{{1,3}}\\d))"  # the last: a reference without column letters (odd; counted exactly)
)
_HELD_END = _ATTRS + rb"(?<!/)>(?!</c>)"  # the rest of a cell's start tag, when it holds something
_X_HELD_COLUMNS = re.compile(rb'<c r="([A-Z]{1,3})\d+"' + _HELD_END)
_X_HELD_ROWS = re.compile(rb'<c r="[A-Z]{1,3}(\d+)"' + _HELD_END)
_X_ODD_REF = re.compile(rb'<c r="(?![A-Z]{1,3}\d)')  # a reference without column letters
# A cell tag without its reference first (`<c>`, `<c/>`, `<c s="1" r=...`, `<c` and a tab...).
_X_UNREFERENCED = re.compile(rb'<c(?! r=")[\s/>]')
# A cell whose reference is not one column letter and a row of fewer than {digits} digits: a far
# cell, or an odd reference. One pass in C finds whether a chunk has any, which it rarely does.
_X_NOT_NEAR = '<c r="(?![A-Z]\\d{{1,{digits}}}")'
# Where an error cell may be: an Excel error (`t="e"`; `t='e'` only where an apostrophe is), an
# empty value, and (where formulas are) a formula with no value after it.
_X_EMPTY_VALUES = (b"<v></v>", b"<v/>")
_X_FORMULA_HINTS = (b"</f></c>", b"/></c>")
_X_MAY_HINT = re.compile(rb"<(?:v/|v></|f)")  # one pass: is there an empty value or a formula at all
_X_CELL = re.compile(rb"<c\b(" + _ATTRS + rb")(/?)>(.*?)</c>", re.DOTALL)
_X_VALUE = re.compile(rb"<v\s*/>|<v>([^<]*)</v>")
_X_FORMULA = re.compile(rb"<f\b[^>]*?(?:/>|>([^<]*)</f>)")


def _xlsx_extent(stream: IO[bytes], *, exact: bool, max_rows: int = 0) -> Extent:
    """How far the cells of a worksheet's XML that hold something reach, read in chunks.

    Not `exact`: upper bounds (see _X_FAR), found with a few passes in C over each chunk.
    """
    extent = Extent()
    state = [0, 0]  # the last row and column seen (1-based), for tags without `r=`
    digits = len(str(max_rows + 50))
    far = re.compile(_X_FAR.format(digits=digits).encode())
    not_near = re.compile(_X_NOT_NEAR.format(digits=digits - 1).encode())
    near_rows = 10 ** (digits - 1) - 1
    for chunk in _chunks(stream, b"row>", b"</c>"):
        part = chunk
        prefixed = _holds(part, b":c", b":")
        if prefixed:  # prefixed tags (`<x:c>`), as some libraries write
            part = _X_PREFIX.sub(rb"<\1", part)
        if b'<c r="' not in part or _X_UNREFERENCED.search(part):
            _xlsx_exact(part, extent, state)
        elif exact:
            if _X_ODD_REF.search(part) is None:
                _xlsx_referenced(part, extent, state)
            else:
                _xlsx_exact(part, extent, state)
        elif not_near.search(part) is None:  # every cell within column Z and above near_rows
            extent.add(near_rows, 26)
            extent.exact = False
            _after_last_cell(part, extent, state)
        elif not _xlsx_bounds(part, extent, far, near_rows, state):
            _xlsx_exact(part, extent, state)
        extent.escapes = extent.escapes or _has_escapes(part)
        if (
            b't="e"' in part
            or _holds(part, b"t='e'", b"'")
            or (
                _X_MAY_HINT.search(part) is not None
                and (
                    any(hint in part for hint in _X_EMPTY_VALUES)
                    or (b"<f" in part and any(hint in part for hint in _X_FORMULA_HINTS))
                )
            )
        ):
            _xlsx_errors(part, extent)
    return extent


def _xlsx_referenced(part: bytes, extent: Extent, state: list[int]) -> None:
    """Every cell tag has its reference: the farthest row and column from the set of references."""
    rows = {int(row) for row in set(_X_HELD_ROWS.findall(part))}
    if rows:
        columns = {_column_index(letters): letters for letters in set(_X_HELD_COLUMNS.findall(part))}
        last_row, last_column = max(rows), max(columns)
        at_row = re.search(rb'<c r="([A-Z]{1,3})0*%d"' % last_row + _HELD_END, part)
        at_column = re.search(rb'<c r="%s(\d+)"' % columns[last_column] + _HELD_END, part)
        assert at_row is not None and at_column is not None  # both were found above
        if last_row > extent.rows:  # as placing each cell in turn would: the first to reach farthest
            extent.rows, extent.row_cell = last_row, f"{at_row.group(1).decode()}{last_row}"
        if last_column > extent.columns:
            extent.columns, extent.column_cell = (
                last_column,
                f"{columns[last_column].decode()}{int(at_column.group(1))}",
            )
    _after_last_cell(part, extent, state)


def _after_last_cell(part: bytes, extent: Extent, state: list[int]) -> None:
    """Where a later tag without `r=` would be: place the tags from the last cell on, in turn."""
    _xlsx_exact(part[part.rfind(b'<c r="') :], extent, state)


def _xlsx_exact(part: bytes, extent: Extent, state: list[int]) -> None:
    for match in _X_TAG.finditer(part):
        kind, attrs, closed = match.groups()
        ref = _ref(attrs)
        if kind == b"row":
            state[0] = int(ref.group(2)) if ref else state[0] + 1
            state[1] = 0
            continue
        if ref and ref.group(1):
            state[0], state[1] = int(ref.group(2)), _column_index(ref.group(1))
        else:
            state[1] += 1
        if not closed and not part.startswith(b"</c>", match.end()):
            extent.add(state[0], state[1])


def _xlsx_bounds(
    part: bytes, extent: Extent, far: re.Pattern[bytes], near_rows: int, state: list[int]
) -> bool:
    """Upper bounds: the far cells exactly, any other cell as if at Z and row `near_rows`.

    False, having added nothing that counts, where a cell's reference has no column letters."""
    for match in far.finditer(part):
        if match.end() - match.start() == 6:  # `<c r="` alone: an odd reference
            return False
        if match.group(5) or part.startswith(b"</c>", match.end()):
            continue  # formatting only
        if match.group(1):
            extent.add(int(match.group(2)), _column_index(match.group(1)))
        else:
            extent.add(int(match.group(4)), _column_index(match.group(3)))
    extent.add(near_rows, 26)
    extent.exact = False
    _after_last_cell(part, extent, state)
    return True


def _xlsx_errors(part: bytes, extent: Extent) -> None:
    """The error cells: Excel errors, formulas with no stored result, numbers with no value."""
    for match in _X_CELL.finditer(part):
        attrs, closed, body = match.groups()
        if closed or not body:
            continue
        cell_type = _attribute(attrs, b"t") or b"n"
        value = _X_VALUE.search(body)
        text = value.group(1) if value is not None else None
        formula = _X_FORMULA.search(body)
        if cell_type == b"e" and text:
            error = excel_error(html.unescape(text.decode("utf-8", "replace")))
        elif formula is not None and not text:
            error = formula_without_result(
                html.unescape((formula.group(1) or b"").decode("utf-8", "replace"))
            )
        elif value is not None and not text and cell_type in (b"n", b"d", b"b", b"e"):
            error = NOT_A_NUMBER
        else:
            continue
        ref = _ref(attrs)
        if ref and ref.group(1) and len(extent.errors) < _MAX_CELL_ERRORS:
            extent.errors[(int(ref.group(2)) - 1, _column_index(ref.group(1)) - 1)] = error


# ods: rows and cells of content.xml, with their repeat counts.
_O_TAG = re.compile(
    rb"<(/?)table:(table-row|table-cell|covered-table-cell|table)(?=[\s/>])(" + _ATTRS + rb")(/?)>"
)
_TAGS = re.compile(rb"<[^>]*>")


def _ods_extents(stream: IO[bytes]) -> tuple[dict[str, Extent], bool]:
    """How far the cells that hold something reach in each table of an .ods content.xml."""
    extents: dict[str, Extent] = {}
    escapes = False
    extent = Extent()
    row = row_repeat = column = 0
    cell: tuple[int, int, bytes] | None = None  # an open cell: its column, repeat, attributes
    cell_start = 0
    for part in _chunks(stream, b"table-row>"):
        escapes = escapes or _has_escapes(part)
        for match in _O_TAG.finditer(part):
            end_tag, kind, attrs, closed = match.groups()
            if kind == b"table":
                if not end_tag:
                    name = _attribute(attrs, b"table:name")
                    extent = extents.setdefault(
                        html.unescape(name.decode("utf-8", "replace")) if name is not None else "", Extent()
                    )
                    row = 0
                continue
            if kind == b"table-row":
                if end_tag:
                    row += row_repeat
                    continue
                row_repeat, column = _repeat(attrs, b"table:number-rows-repeated"), 0
                if closed:
                    row += row_repeat
                continue
            if end_tag:
                if cell is not None:
                    text = _TAGS.sub(b"", part[cell_start : match.start()]).strip()
                    _ods_cell(extent, (row, row_repeat, cell[0], cell[1]), cell[2], text)
                    cell = None
                continue
            count = _repeat(attrs, b"table:number-columns-repeated")
            if closed:
                _ods_cell(extent, (row, row_repeat, column, count), attrs, b"")
            else:
                cell, cell_start = (column, count, attrs), match.end()
            column += count
    return extents, escapes


def _repeat(attrs: bytes, name: bytes) -> int:
    """A repeat count (1 when absent; a count that is not a whole number counts as 1, as readers do)."""
    value = _attribute(attrs, name)
    return int(value) if value is not None and value.strip().isdigit() else 1


def _ods_cell(extent: Extent, span: tuple[int, int, int, int], attrs: bytes, text: bytes) -> None:
    """One cell (repeated over `span`: first row, rows, first column, columns; 0-based)."""
    row, rows, column, count = span
    if b"value-type" not in attrs and b"table:formula" not in attrs and not text:
        return  # only formatting
    extent.add_span(row + 1, row + rows, column + 1, column + count)
    error: CellError | None = None
    if _attribute(attrs, b"calcext:value-type") == b"error":
        error = excel_error(html.unescape(text.decode("utf-8", "replace")) or "#VALUE!")
    elif b"value-type" not in attrs and (formula := _attribute(attrs, b"table:formula")) is not None:
        shown = html.unescape(formula.decode("utf-8", "replace")).split(":", 1)[-1].lstrip("=")
        error = formula_without_result(shown)
    if error is not None:
        for r in range(row, min(row + rows, row + _MAX_CELL_ERRORS)):
            for c in range(column, min(column + count, column + MAX_COLUMNS + 1)):
                if len(extent.errors) >= _MAX_CELL_ERRORS:
                    return
                extent.errors[(r, c)] = error


def _read_calamine(path: Path, max_rows: int, meanwhile: Callable[[list[str]], None] | None) -> Book:
    from python_calamine import CalamineWorkbook

    suffix = path.suffix.lower()
    sizing = _Sizing(path, max_rows)
    trial = _Trial(path)  # calamine reads the file in a child held to a budget, and sends the rows
    try:
        names: list[str] = []
        if suffix == ".ods":
            sizing.ods()  # calamine reads every sheet of an .ods when it opens it: size them all first
            names = list(sizing.extents)
        elif suffix != ".xls":
            names = sizing.sheet_names()
            for name in _wanted(names):  # while the child parses: the named sheets
                sizing.sheet(name)
        if meanwhile is not None:
            meanwhile(names)
        read = trial.result()
        if read is None:  # no fork, or the child could not send what it read: read here
            workbook = CalamineWorkbook.from_path(str(path))
            names = list(workbook.sheet_names)
            rows_of = functools.partial(_parse, workbook, path.name, max_rows)
        else:
            names, sheets = read
            rows_of = functools.partial(_received, sheets, path.name, max_rows)
        book = Book(path, names=names)
        _read_sheets(rows_of, _wanted(names), sizing, book)
        if all(not rows for rows in book.sheets.values()):
            # Only the other sheets can tell "no data at all" from "no Services sheet".
            others = [n for n in names if n not in book.sheets]
            _read_sheets(rows_of, others, sizing, book)
    except P4CError:
        raise
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # calamine's own error types for every kind of bad file, and its panics
        raise _reader_error(path, str(exc) or type(exc).__name__) from None
    finally:
        trial.close()
        sizing.close()
    if not book.sheets or all(not rows for rows in book.sheets.values()):
        raise P4CError(msg("{name}: the workbook has no data", name=path.name))
    return book


def _reader_error(path: Path, text: str) -> P4CError:
    """calamine's own error (or panic) on the file, in the user's words."""
    if "password" in text.lower() or "encrypt" in text.lower():
        return P4CError(_encrypted(path.name))
    return P4CError(
        msg(
            "{name}: the file is corrupt or not a {suffix} workbook ({detail})",
            name=path.name,
            suffix=path.suffix,
            detail=text,
        )
    )


def _wanted(names: list[str]) -> list[str]:
    """The sheets read first: the one sheet, else those named as a role (Services, Partner, ...)."""
    from p4c.models import ALL_SHEET_NAMES
    from p4c.values import norm

    roles = {norm(alias) for alias in ALL_SHEET_NAMES}
    return names if len(names) == 1 else [n for n in names if norm(n) in roles]


def _parse(workbook: Any, name: str, max_rows: int, sheet_name: str) -> list[list[Any]]:
    """A sheet parsed here by calamine (its height checked before its rows are built)."""
    sheet = workbook.get_sheet_by_name(sheet_name)  # parses the sheet, without the GIL
    _check_rows(name, msg("sheet {sheet}", sheet=sheet_name), sheet.total_height, max_rows)
    rows: list[list[Any]] = sheet.to_python(skip_empty_area=False)
    return rows


def _received(
    sheets: dict[str, list[list[Any]]], name: str, max_rows: int, sheet_name: str
) -> list[list[Any]]:
    """A sheet as the trial's child read it."""
    rows = sheets[sheet_name]
    _check_rows(name, msg("sheet {sheet}", sheet=sheet_name), len(rows), max_rows)
    return rows


# calamine reads the workbook first in a forked child held to this much more address space than
# the process has, and to this time: it builds a dense grid of what its parser finds, and a file it
# reads otherwise than the extent check (the XML has many spellings, .xls has no check at all)
# would abort the process. The child's failure is the file's error; its success sends the rows
# back, so the file is parsed once.
READ_MEMORY_MB = 1024
READ_SECONDS = 60

_Read = tuple[list[str], dict[str, list[list[Any]]]]  # the sheet names, and the rows of those read


class _Trial:
    """calamine reading `path` in a forked child (where fork exists) with an address-space limit
    and an alarm, while this process checks the sheets' extents. `result()` waits for it: the rows
    it read (sent in parts through an unlinked scratch file, unpickled here while the child builds
    the next); a P4CError when calamine refused the file or ran out of memory or time; None when it
    could not tell (no fork, or the child did not send everything), and the file is read here."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.child: forks.Child | None = None
        if not hasattr(os, "fork") or not hasattr(os, "waitstatus_to_exitcode"):
            return  # no fork (Windows): the extent check alone guards the read
        import pickle  # noqa: F401 - imported before the fork: the child imports nothing
        import resource  # noqa: F401
        import signal  # noqa: F401

        import python_calamine  # noqa: F401

        from p4c.models import ALL_SHEET_NAMES  # noqa: F401 - the same, for _wanted
        from p4c.values import norm  # noqa: F401

        limit = _address_space() + READ_MEMORY_MB * 1024 * 1024
        self.child = forks.Child(functools.partial(_trial_child, path, limit))

    def result(self) -> _Read | None:
        if self.child is None:
            return None
        sent = self._received(self.child)
        code = self.child.wait()
        if code is None or code == _SENT_NOTHING:  # reaped elsewhere, or the rows not sent: read here
            return None
        if code in (0, 3):
            if sent is None:
                return None  # the child stopped before it sent everything: read here
            if isinstance(sent, str):  # calamine's own error, said once (a second read would panic again)
                raise _reader_error(self.path, sent)
            return sent
        import signal

        what = (
            msg("more than {seconds} seconds", seconds=READ_SECONDS)
            if code == -signal.SIGALRM
            else msg("more than {megabytes} MB of memory", megabytes=READ_MEMORY_MB)
        )
        raise P4CError(
            msg(
                "{name}: reading the workbook would take {what}: a cell far from the table, or a "
                "damaged file; open it in Excel or LibreOffice, delete what lies outside the table, "
                "and save it again",
                name=self.path.name,
                what=what,
            )
        )

    @staticmethod
    def _received(child: forks.Child) -> _Read | str | None:
        """What the child sent: the sheet names and rows, calamine's error text, or None when it
        did not send it all (it stopped, or a part is not whole)."""
        import pickle

        names: list[str] = []
        sheets: dict[str, list[list[Any]]] = {}
        try:
            for part in child.received():
                if part[0] == "names":
                    names = part[1]
                elif part[0] == "rows":
                    sheets.setdefault(part[1], []).extend(part[2])
                elif part[0] == "error":
                    error: str = part[1]
                    return error
                else:  # "end"
                    return names, sheets
        except (EOFError, pickle.UnpicklingError):
            pass
        return None

    def close(self) -> None:
        """Stop a child that still runs (the read failed before waiting for it); free the scratch."""
        if self.child is not None:
            self.child.close()
            self.child = None


_SENT_NOTHING = 5  # the trial's child read the file but could not send the rows: read it here
_SENT_ROWS = 4096  # rows a part: the parent unpickles one while the child pickles the next


def _trial_child(path: Path, limit: int, out: forks.Sender) -> int:
    """In the forked child: nothing but calamine under the budget, then the sheet names, the rows
    in parts and "end" (or calamine's error text) sent to the parent; the exit code (0 read, 3
    calamine's own error, 4 out of memory, _SENT_NOTHING)."""
    import resource
    import signal

    # quiet: the reader's abort message and a crash dump are the parent's to tell
    handler = sys.modules.get("faulthandler")
    if handler is not None:
        handler.disable()
    os.dup2(os.open(os.devnull, os.O_WRONLY), 2)
    try:
        if limit > READ_MEMORY_MB * 1024 * 1024:  # else /proc did not tell the process's size
            _, hard = resource.getrlimit(resource.RLIMIT_AS)
            soft = limit if hard == resource.RLIM_INFINITY else min(limit, hard)
            resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
        signal.alarm(READ_SECONDS)
        parts = _load(path)  # calamine opens the file at the first next()
    except BaseException as exc:
        return _send_error(out, exc)
    while True:
        try:
            part = next(parts, None)  # calamine's work: the file's fault when it fails
        except MemoryError:
            return 4
        except BaseException as exc:  # a panic is a BaseException: its text goes to the parent
            return _send_error(out, exc)
        try:
            out.send(part if part is not None else ("end",))
        except MemoryError:
            return 4
        except BaseException:  # whatever it is, it is not the file's fault
            return _SENT_NOTHING
        if part is None:
            return 0


def _send_error(out: forks.Sender, exc: BaseException) -> int:
    """calamine's error (or panic) told to the parent: the exit code 3."""
    with contextlib.suppress(BaseException):
        out.send(("error", str(exc) or type(exc).__name__))
    return 3


def _load(path: Path) -> Iterator[tuple[Any, ...]]:
    """What `_read_calamine` reads, as the parts the child sends: the sheet names, then the rows of
    the sheets it wants (of all of them when those are empty), _SENT_ROWS rows a part, each part
    built as it is sent (so the parent unpickles one while calamine converts the next)."""
    from python_calamine import CalamineWorkbook

    workbook = CalamineWorkbook.from_path(str(path))
    names = list(workbook.sheet_names)
    yield ("names", names)
    wanted = _wanted(names)
    held = False
    for name in wanted:
        held = (yield from _sheet_parts(workbook, name)) or held
    if not held:
        for name in names:
            if name not in wanted:
                yield from _sheet_parts(workbook, name)


def _sheet_parts(workbook: Any, name: str) -> Generator[tuple[Any, ...], None, bool]:
    """A sheet's rows in parts (one, empty, for an empty sheet), as `to_python(skip_empty_area=False)`
    gives them: `iter_rows` starts each row at the first column that holds something, so the
    columns before it are put back. Whether the sheet has any row."""
    sheet = workbook.get_sheet_by_name(name)  # the parse: the sheet's grid, freed after its rows
    start = sheet.start
    pad = [""] * start[1] if start is not None else []
    part: list[list[Any]] = []
    sent = False
    for row in sheet.iter_rows():
        part.append(pad + row if pad else row)
        if len(part) == _SENT_ROWS:
            yield ("rows", name, part)
            part, sent = [], True
    if part or not sent:
        yield ("rows", name, part)
    return sent or bool(part)


def _address_space() -> int:
    """This process's virtual size in bytes (0 where /proc does not tell it)."""
    try:
        pages = int(Path("/proc/self/statm").read_text(encoding="ascii").split()[0])
    except (OSError, ValueError, IndexError):
        return 0
    return pages * os.sysconf("SC_PAGE_SIZE")


def _read_sheets(
    rows_of: Callable[[str], list[list[Any]]], sheets: list[str], sizing: _Sizing, book: Book
) -> None:
    for sheet_name in sheets:
        extent = sizing.sheet(sheet_name)  # refuses a sheet that reaches too far, before its rows
        rows = rows_of(sheet_name)
        if extent is not None and extent.errors:
            _put_errors(rows, extent.errors)
        if extent is None or extent.escapes or sizing.escapes:
            book.notes.extend(strip_controls(rows, sheet_name))
        book.sheets[sheet_name] = rows


def _put_errors(rows: list[list[Any]], errors: dict[tuple[int, int], CellError]) -> None:
    """Each error cell where the reader put a blank (it reads them as "")."""
    for (r, c), error in errors.items():
        while len(rows) <= r:
            rows.append([])
        row = rows[r]
        if len(row) <= c:
            row.extend([None] * (c + 1 - len(row)))
        row[c] = error


# Control characters other than tab, line feed and carriage return: invisible, and they break
# the HTML report and the CSVs. They are taken out of every cell, with a warning naming it.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def strip_controls(rows: list[list[Any]], sheet: str | None, first_row: int = 1) -> list[Note]:
    """Take control characters out of the text cells, in place; one note per cell changed."""
    notes = []
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if type(value) is str and _CONTROLS.search(value):
                codes = ", ".join(sorted({f"U+{ord(ch):04X}" for ch in _CONTROLS.findall(value)}))
                row[c] = _CONTROLS.sub("", value)
                notes.append(
                    Note(
                        sheet,
                        r + first_row,
                        c,
                        row[c],
                        msg(
                            "invisible control characters ({codes}) were taken out of this cell", codes=codes
                        ),
                    )
                )
    return notes


class _Sizing:
    """The extent of each sheet of a workbook, found in its XML before calamine reads it."""

    def __init__(self, path: Path, max_rows: int) -> None:
        self.path, self.max_rows = path, max_rows
        self.kind = path.suffix.lower()
        self.extents: dict[str, Extent] = {}
        self.escapes = False
        self._zip: zipfile.ZipFile | None = None
        self._parts: dict[str, str] | None = None

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()

    def _open(self) -> zipfile.ZipFile:
        if self._zip is None:
            self._zip = zipfile.ZipFile(self.path)
        return self._zip

    def sheet_names(self) -> list[str]:
        """The xlsx's sheet names as its workbook.xml gives them."""
        return list(self._sheet_parts())

    def _sheet_parts(self) -> dict[str, str]:
        if self._parts is None:
            zf = self._open()
            self._parts = _xlsx_parts(zf)
            shared = "xl/sharedStrings.xml"
            if shared in zf.namelist():
                with zf.open(shared) as fh:
                    self.escapes = any(_has_escapes(part) for part in _chunks(fh, b"</si>"))
        return self._parts

    def sheet(self, name: str) -> Extent | None:
        """The sheet's extent (None for .xls), after refusing a sheet that reaches too far."""
        if self.kind == ".xls":
            return None
        if self.kind == ".ods" or name in self.extents:
            return self.extents.get(name)
        zf = self._open()
        part = _member(zf.namelist(), self._sheet_parts().get(name))
        if part is None:  # not found as the workbook names it: bound it by every part of the file
            xml = [member for member in zf.namelist() if member.lower().endswith(".xml")]
            extents = [self._extent(zf, member) for member in xml]
            rows = max(extents, key=lambda x: x.rows, default=Extent())
            columns = max(extents, key=lambda x: x.columns, default=Extent())
            extent = Extent(rows.rows, columns.columns, rows.row_cell, columns.column_cell)
            extent.escapes = any(x.escapes for x in extents)  # its error cells cannot be told apart
        else:
            extent = self._extent(zf, part)
        check_extent(self.path.name, name, extent, self.max_rows)
        self.extents[name] = extent
        return extent

    def _extent(self, zf: zipfile.ZipFile, part: str) -> Extent:
        with zf.open(part) as fh:
            extent = _xlsx_extent(fh, exact=False, max_rows=self.max_rows)
        if not extent.exact and not _fits(extent, self.max_rows):
            with zf.open(part) as fh:  # the quick bounds are too large: count exactly
                extent = _xlsx_extent(fh, exact=True)
        return extent

    def ods(self) -> None:
        zf = self._open()
        if "content.xml" not in zf.namelist():
            return  # calamine says the file is not an .ods
        with zf.open("content.xml") as fh:
            self.extents, self.escapes = _ods_extents(fh)
        for name, extent in self.extents.items():
            check_extent(self.path.name, name, extent, self.max_rows)


def _member(names: list[str], part: str | None) -> str | None:
    """The zip member of a sheet's part: by its exact name, else as calamine also finds it (letter
    case and backslashes aside); None when no member matches."""
    if part is None:
        return None
    if part in names:
        return part
    wanted = part.lower().replace("\\", "/")
    return next((n for n in names if n.lower().replace("\\", "/") == wanted), None)


def _fits(extent: Extent, max_rows: int) -> bool:
    return (
        extent.columns <= MAX_COLUMNS
        and extent.rows <= max_rows + 50
        and extent.rows * extent.columns <= MAX_CELLS
    )


def _xlsx_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> the zip member of its XML, from the workbook and its relationships."""
    import posixpath
    from xml.etree import ElementTree

    try:
        workbook = ElementTree.fromstring(zf.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError):
        return {}
    targets = {rel.get("Id"): rel.get("Target", "") for rel in rels if rel.tag.endswith("Relationship")}
    parts = {}
    for sheet in workbook.iter():
        if not sheet.tag.endswith("}sheet"):
            continue
        rid = next((v for k, v in sheet.attrib.items() if k.endswith("}id")), None)
        target = targets.get(rid, "")
        if target:
            member = target.lstrip("/") if target.startswith("/") else posixpath.normpath("xl/" + target)
            parts[sheet.get("name", "")] = member
    return parts


# A valid UTF-8 sequence of two to four bytes: a file that holds one is UTF-8 text.
_UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}"
    rb"|\xed[\x80-\x9f][\x80-\xbf]|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}"
    rb"|\xf4[\x80-\x8f][\x80-\xbf]{2}"
)
CSV_FIELD_LIMIT = 131_072  # Python's csv default: no partner types that much in one cell


def _check_rows(name: str, what: Msg, rows: int, max_rows: int) -> None:
    if rows > max_rows + 50:  # room for title rows and the header
        raise P4CError(
            msg(
                "{name}: {what} has {rows} rows; the limit is {limit} (config limits.max_rows)",
                name=name,
                what=what,
                rows=number(rows),
                limit=number(max_rows),
            )
        )


def read_csv_rows(
    path: Path, notes: list[Note] | None = None, *, data: bytes | None = None
) -> list[list[Any]]:
    """Rows of a CSV: UTF-8 with or without BOM (or UTF-16 with a BOM), else cp1252; separator
    `,` or `;`, detected. What was guessed or changed goes to `notes`. `data`: the file's bytes,
    when the caller has read them already."""
    notes = notes if notes is not None else []
    text = _decode_csv(path, notes, path.read_bytes() if data is None else data)
    sample = text[:65536]
    if "\x00" in sample and len(_CONTROLS.findall(sample)) > len(sample) // 20:  # over 5%: not text
        raise P4CError(msg("{name}: not a text CSV file (it holds binary data)", name=path.name))
    first = next((line for line in sample.splitlines() if line.strip()), "")
    if not first:
        raise P4CError(msg("{name}: the CSV file has no rows", name=path.name))
    delimiter = ";" if _count_outside_quotes(first, ";") > _count_outside_quotes(first, ",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[list[Any]] = []
    line = 1
    try:
        for row in reader:
            rows.append([cell if cell != "" else None for cell in row])
            line = reader.line_num + 1
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise P4CError(
                msg(
                    "{name}: line {line}: a field runs on for more than {limit} characters; "
                    'a quote (") that opens a field is probably never closed: close it, or save the file '
                    "from the spreadsheet again",
                    name=path.name,
                    line=line,
                    limit=number(CSV_FIELD_LIMIT),
                )
            ) from None
        raise P4CError(
            msg(
                "{name}: line {line}: not a readable CSV row ({detail})",
                name=path.name,
                line=line,
                detail=str(exc),
            )
        ) from None
    if _CONTROLS.search(text):
        notes.extend(strip_controls(rows, "Services"))  # a CSV is the Services sheet
    return rows


def _decode_csv(path: Path, notes: list[Note], data: bytes) -> str:
    name = path.name
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or _looks_utf16(data[:4096]):
        encoding = "utf-16" if data.startswith((b"\xff\xfe", b"\xfe\xff")) else _utf16_order(data)
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            raise P4CError(
                msg("{name}: UTF-16 text that cannot be decoded: save it as CSV UTF-8", name=name)
            ) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if _UTF8_MULTIBYTE.search(data) is not None:
            bad = data[exc.start]
            line = data.count(b"\n", 0, exc.start) + 1
            column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
            raise P4CError(
                msg(
                    "{name}: line {line}: byte {byte} (at character {column} of the line) is not UTF-8, "
                    "though the rest of the file is UTF-8 (a cell pasted from another program?); "
                    "fix that character and save the file as CSV UTF-8",
                    name=name,
                    line=line,
                    byte=f"0x{bad:02X}",
                    column=column,
                )
            ) from None
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        raise P4CError(msg("{name}: the CSV is neither UTF-8 nor Windows-1252 text", name=name)) from None
    notes.append(
        Note(
            None,
            None,
            None,
            "",
            msg(
                "{name} is not UTF-8: it was read as Windows-1252 (Western European); check that "
                "accented letters are right, and save the file as CSV UTF-8 next time",
                name=name,
            ),
        )
    )
    return text


def _looks_utf16(head: bytes) -> bool:
    """UTF-16 text without a BOM: a NUL byte in every other place (ASCII text)."""
    if len(head) < 4:
        return False
    even, odd = head[0::2], head[1::2]
    return even.count(0) > 0.9 * len(even) or odd.count(0) > 0.9 * len(odd)


def _utf16_order(data: bytes) -> str:
    return "utf-16-be" if data[0:4096:2].count(0) > data[1:4096:2].count(0) else "utf-16-le"


def _count_outside_quotes(line: str, char: str) -> int:
    count, quoted = 0, False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        elif ch == char and not quoted:
            count += 1
    return count


def sha256_file(path: Path) -> str:
    """The sha256 of a file, as the report and the submission log show it."""
    import hashlib

    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def workbook_files(folder: Path) -> list[Path]:
    """The workbooks of a folder that p4c reads: accepted types, no hidden or Office lock files."""
    if not folder.is_dir():
        raise P4CError(msg("{folder}: no such folder", folder=str(folder)))
    found = sorted(
        p
        for p in folder.iterdir()
        if p.is_file() and p.suffix.lower() in ACCEPTED_TYPES and not p.name.startswith((".", "~$"))
    )
    if not found:
        raise P4CError(
            msg(
                "{folder}: no workbook in this folder (accepted: {accepted})",
                folder=str(folder),
                accepted=", ".join(ACCEPTED_TYPES),
            ),
            hint=msg("Send partners a template (`p4c template`) and put their files there."),
        )
    return found


# --- writing -------------------------------------------------------------------------------------


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """A temporary path beside `target`, renamed over it only when the block succeeds.

    An OSError on the way (the folder, the temporary file, the block's writes, the rename) is a
    P4CError naming the file: a full or read-only disk or a bad `-o` path is the user's to fix.
    Temporary files of `target` that a killed p4c left are removed first.
    """
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        clean_stale_temporaries(target)
        fd, tmp_name = tempfile.mkstemp(
            prefix=f".{target.name}.{_TMP_MARK}{os.getpid()}.", suffix=".tmp", dir=target.parent
        )
        os.close(fd)
        tmp = Path(tmp_name)
        try:
            yield tmp
            tmp.chmod(target.stat().st_mode & 0o777 if target.exists() else _default_mode())
            tmp.replace(target)
        finally:
            tmp.unlink(missing_ok=True)
    except OSError as exc:
        reason, hint = _WRITE_ERRORS.get(
            exc.errno or 0,
            (exc.strerror or str(exc), msg("Check the path, and that it is on a disk you may write to.")),
        )
        raise P4CError(
            msg("cannot write {target}: {reason}", target=str(target), reason=reason), hint=hint
        ) from None


_NOT_A_FOLDER = (
    msg("a part of its path is a file, not a folder"),
    msg("Check the path: every part before the file name must be a folder."),
)
_NO_PERMISSION = (
    msg("permission denied"),
    msg("Write the file to a folder you may write to, or ask for write access to this one."),
)
_FREE_SPACE = msg("Free some space on that disk, or write the file to another disk.")
_WRITE_ERRORS: dict[int, tuple[str, str]] = {
    errno.ENOSPC: (msg("the disk is full"), _FREE_SPACE),
    errno.EDQUOT: (msg("the disk quota is used up"), _FREE_SPACE),
    errno.EROFS: (
        msg("the disk is read-only"),
        msg("Write the file to a folder on a disk you can write to."),
    ),
    errno.EACCES: _NO_PERMISSION,
    errno.EPERM: _NO_PERMISSION,
    errno.EISDIR: (
        msg("it is a folder"),
        msg("Give the path of a file, e.g. ranking.csv inside that folder."),
    ),
    errno.ENOTDIR: _NOT_A_FOLDER,
    errno.EEXIST: _NOT_A_FOLDER,  # mkdir of a parent that is a file
}


def temporary_owner(name: str) -> int | None:
    """The process id in the name of a temporary file `atomic_path` made, or None."""
    match = _TMP_NAME.search(name)
    return int(match.group(1)) if match else None


def clean_stale_temporaries(target: Path) -> list[Path]:
    """Remove the temporary files of `target` that a killed p4c left (their process is gone)."""
    removed = []
    for path in target.parent.glob(f".{glob.escape(target.name)}.{_TMP_MARK}*.tmp"):
        pid = temporary_owner(path.name)
        if pid is not None and pid != os.getpid() and not _alive(pid):
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def _default_mode() -> int:
    """What a plain open() would give (mkstemp makes files owner-only)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def write_bytes(target: Path, data: bytes) -> None:
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)


def write_text(target: Path, text: str) -> None:
    write_bytes(target, text.encode("utf-8"))


def needs_guard(text: str) -> bool:
    """Whether text is written with a leading `'`: a spreadsheet would run it as a formula, or,
    starting with apostrophes before a formula prefix, it would read back as guarded text."""
    return text.lstrip("'").startswith(FORMULA_PREFIXES)


def neutralise(value: object) -> object:
    """Text a spreadsheet would evaluate as a formula, prefixed with `'` so it stays text."""
    if isinstance(value, str) and needs_guard(value):
        return "'" + value
    return value


def unguard(text: str) -> str:
    """The text `neutralise` was given: its `'` taken off again (and only its own)."""
    return text[1:] if text.startswith("'") and needs_guard(text[1:]) else text


def write_parquet(frame: pd.DataFrame, target: Path) -> None:
    with atomic_path(target) as tmp:
        frame.to_parquet(tmp, index=False)


XLSX_MAX_ROWS = 1_048_575  # an Excel sheet's rows under its header row (1,048,576 in all)


@dataclass
class SheetSpec:
    """One sheet of a formatted xlsx: the frame (machine ids as column names) and how to show it.

    `labels` overrides the human header of a column (e.g. criterion id -> its label in the language);
    `code_labels` maps a column of codes to {code: label}: a `<column>_label` column is written right
    after it (category labels beside category codes).
    """

    name: str
    frame: pd.DataFrame
    number_formats: dict[str, str] = field(default_factory=dict)
    color_scale: Sequence[str] = ()
    widths: dict[str, float] = field(default_factory=dict)
    after: Callable[[Any, Any, SheetSpec], None] | None = None  # (workbook, worksheet, spec)
    labels: Mapping[str, str] = field(default_factory=dict)
    code_labels: Mapping[str, Mapping[str, str]] = field(default_factory=dict)


def write_xlsx(sheets: Sequence[SheetSpec], target: Path, *, lang: str = "en") -> None:
    """A formatted workbook people read and print: human headers in `lang`, print-ready sheets.

    Header row: the human header of each column (`SheetSpec.labels`, else `p4c.headers.COLUMN_LABELS`
    in `lang`), bold and wrapped; frozen, filtered and repeated on every printed page. Machine ids:
    the LAST sheet (`Columns` / `Colonnes` / `Spalten`) maps each sheet's headers to the frame's
    column ids, one row per column (sheet, header, id), so a script reads a sheet with its ids via
    `p4c.headers.read_xlsx_ids(path, sheet)` (or `pd.read_excel` + rename with that sheet). Codes
    named in `SheetSpec.code_labels` get their label in a column beside them. Print setup: A4
    landscape, fitted to one page wide, header row repeated, sheet name and page numbers in the
    margins. Strings are always written as text (never formulas), so partner text cannot run in Excel.
    """
    import pandas as pd
    import xlsxwriter

    from p4c.headers import COLUMNS_SHEET, column_label, unique_headers
    from p4c.xlsxstyle import STYLES

    sheet_title, map_headers = COLUMNS_SHEET.get(lang, COLUMNS_SHEET["en"])
    with atomic_path(target) as tmp:
        workbook = xlsxwriter.Workbook(
            str(tmp),
            {
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
                "nan_inf_to_errors": True,
            },
        )
        header = workbook.add_format(STYLES["header"])
        formats: dict[str, Any] = {}
        rows: list[tuple[str, str, str]] = []
        data: list[_SheetData] = []
        for given in sheets:
            spec = _with_code_labels(given)
            ids = [str(c) for c in spec.frame.columns]
            headers = unique_headers([column_label(c, lang, spec.labels) for c in ids], ids)
            sheet = workbook.add_worksheet(spec.name[:31])
            data.append(_fill_sheet(workbook, sheet, spec, header, formats, headers))
            rows += [(sheet.name, h, c) for h, c in zip(headers, ids, strict=True)]
            if spec.after is not None:
                spec.after(workbook, sheet, spec)
        columns = pd.DataFrame(rows, columns=["sheet", "header", "id"], dtype=object)
        sheet = workbook.add_worksheet(sheet_title)
        data.append(
            _fill_sheet(
                workbook,
                sheet,
                SheetSpec(sheet_title, columns),
                header,
                formats,
                list(map_headers),
            )
        )
        workbook.close()
        _put_sheet_data(tmp, data)


def _with_code_labels(spec: SheetSpec) -> SheetSpec:
    """The spec with a `<column>_label` column right after each coded column it names."""
    import dataclasses

    if not spec.code_labels:
        return spec
    frame = spec.frame.copy()
    for column, labels in spec.code_labels.items():
        if column not in frame.columns or f"{column}_label" in frame.columns:
            continue
        values = [None if v is None else labels.get(str(v)) for v in frame[column].tolist()]
        frame.insert(list(frame.columns).index(column) + 1, f"{column}_label", values)
    return dataclasses.replace(spec, frame=frame)


@dataclass
class _SheetData:
    """A sheet's data rows, written into its XML after xlsxwriter has written the rest."""

    index: int  # the worksheet's position: its part is xl/worksheets/sheet{index + 1}.xml
    frame: pd.DataFrame
    styles: list[str]  # per column: ' s="N"' (its number format's style) or ''
    date_styles: list[str]  # per column: the style of a date in it


def _fill_sheet(  # noqa: PLR0917 - the pieces a sheet is made of
    workbook: Any,
    sheet: Any,
    spec: SheetSpec,
    header: Any,
    formats: dict[str, Any],
    headers: list[str] | None = None,
) -> _SheetData:
    """The header row, widths, filter, print setup and colours; the data rows are returned, to be
    written by `_put_sheet_data` (xlsxwriter takes about 10 us a cell; a 21,000-service ranking has
    half a million)."""
    from p4c.xlsxstyle import print_setup

    frame = spec.frame
    columns = [str(c) for c in frame.columns]
    shown = headers if headers is not None else columns
    for col, name in enumerate(shown):
        sheet.write_string(0, col, name, header)
    date_format = formats.setdefault("yyyy-mm-dd", workbook.add_format({"num_format": "yyyy-mm-dd"}))
    header_lines = 1
    styles, date_styles = [], []
    for col, name in enumerate(columns):
        number_format = spec.number_formats.get(name)
        cell_format = None
        if number_format:
            cell_format = formats.setdefault(
                number_format, workbook.add_format({"num_format": number_format})
            )
        # xlsxwriter numbers a format when a cell first uses it; these cells are written by hand
        styles.append(f' s="{cell_format._get_xf_index()}"' if cell_format is not None else "")
        date_styles.append(f' s="{(cell_format or date_format)._get_xf_index()}"')
        width = spec.widths.get(name) or _width(shown[col], frame.iloc[:500, col].tolist())
        sheet.set_column(col, col, width)
        header_lines = max(header_lines, wrapped_lines(shown[col], width))
    last_row = max(len(frame), 1)
    sheet.set_row(0, 15 * header_lines + 3)  # wrapped headers: LibreOffice does not grow the row itself
    sheet.freeze_panes(1, 0)
    if columns:
        sheet.autofilter(0, 0, last_row, len(columns) - 1)
    print_setup(sheet, spec.name)
    for name in spec.color_scale:
        if name in columns and len(frame):
            col = columns.index(name)
            sheet.conditional_format(
                1,
                col,
                len(frame),
                col,
                {
                    "type": "3_color_scale",
                    "min_color": "#F8696B",
                    "mid_color": "#FFEB84",
                    "max_color": "#63BE7B",
                },
            )
    return _SheetData(sheet.index, frame, styles, date_styles)


_XML_TEXT = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_XML_CONTROL = re.compile("[\x00-\x08\x0b-\x1f]")  # written as _xHHHH_, as Excel does
_MAX_CELL_TEXT = 32_767  # Excel's limit; xlsxwriter cuts longer text there too
_DIMENSION = re.compile(rb'<dimension ref="[^"]*"/>')


def _cell_xml(ref: str, value: Any, style: str, date_style: str) -> str:
    """One cell of a data row as SpreadsheetML; '' for a blank (None, NaN, NA, NaT)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return _text_xml(ref, value, style)
    if isinstance(value, bool):
        return f'<c r="{ref}"{style} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int):
        return f'<c r="{ref}"{style}><v>{value}</v></c>'
    if isinstance(value, float):
        if math.isfinite(value):
            return f'<c r="{ref}"{style}><v>{value!r}</v></c>'
        if math.isnan(value):
            return ""
        formula = "1/0" if value > 0 else "-1/0"  # as xlsxwriter's nan_inf_to_errors writes it
        return f'<c r="{ref}"{style} t="e"><f>{formula}</f><v>#DIV/0!</v></c>'
    import pandas as pd  # past the common types: dates and pandas' missing values

    if value is pd.NA or value is pd.NaT:
        return ""
    if hasattr(value, "year"):
        return f'<c r="{ref}"{date_style}><v>{_excel_serial(pd.Timestamp(value).to_pydatetime())!r}</v></c>'
    return _text_xml(ref, str(value), style)


def _excel_serial(moment: Any) -> float:
    """Excel's day number of a date and time (1900 system, with its 29 February 1900 that never was)."""
    delta = moment.replace(tzinfo=None) - dt.datetime(1899, 12, 31)
    days = delta.days + (delta.seconds + delta.microseconds / 1e6) / 86_400
    return float(days + 1 if days > 59 else days)


def _text_xml(ref: str, text: str, style: str) -> str:
    text = text[:_MAX_CELL_TEXT]
    if _XML_CONTROL.search(text):
        text = _XML_CONTROL.sub(lambda m: f"_x{ord(m.group()):04X}_", text)
    space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
    return f'<c r="{ref}"{style} t="inlineStr"><is><t{space}>{text.translate(_XML_TEXT)}</t></is></c>'


def _rows_xml(data: _SheetData) -> bytes:
    """The sheet's data rows (row 2 on): whole columns at once in Arrow where their type allows it
    (numbers, booleans, plain text), cell by cell in Python otherwise (`_cell_xml`)."""
    import pyarrow as pa

    frame = data.frame
    texts = [str(r) for r in range(2, len(frame) + 2)]
    numbers = pa.array(texts, pa.large_string())
    columns = []
    for col in range(frame.shape[1]):
        letters, style, date_style = column_letters(col), data.styles[col], data.date_styles[col]
        series = frame.iloc[:, col]
        cells = _column_xml(series, f'<c r="{letters}', numbers, style)
        if cells is None:
            cells = pa.array(
                [
                    _cell_xml(letters + row, value, style, date_style)
                    for row, value in zip(texts, series.tolist(), strict=True)
                ],
                pa.large_string(),
            )
        columns.append(cells)
    return _joined(_concat('<row r="', numbers, '">', *columns, "</row>"))


def _joined(array: Any) -> bytes:
    """The strings of a large_string Arrow array (no nulls) as one run of UTF-8 bytes."""
    import numpy as np

    offsets = np.frombuffer(array.buffers()[1], dtype=np.int64)[array.offset : array.offset + len(array) + 1]
    return array.buffers()[2].to_pybytes()[int(offsets[0]) : int(offsets[-1])] if len(array) else b""


# The characters str.isspace() knows but for the control characters (those go cell by cell):
# a text starting or ending with one keeps its spaces with xml:space="preserve".
_SPACES = r"[\t\n\r \x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}]"
_EDGE_SPACE = f"^{_SPACES}|{_SPACES}$"
_CONTROL_CLASS = r"[\x00-\x08\x0b-\x1f]"


def _column_xml(series: pd.Series, start: str, numbers: Any, style: str) -> Any:
    """A column's cells as an Arrow array of SpreadsheetML ('' for a blank), the cells
    `_cell_xml` writes; None where a cell needs it (mixed types, dates, infinities, control
    characters, text over Excel's limit)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    kind = series.dtype.kind  # pandas' nullable Int64, boolean and string types have one too
    if kind == "b":
        values = _arrow(series, pa.bool_())
        shown = pc.if_else(values, pa.scalar("1", pa.large_string()), pa.scalar("0", pa.large_string()))
        parts = [start, numbers, f'"{style} t="b"><v>', shown, "</v></c>"]
    elif kind in "iu":
        parts = [start, numbers, f'"{style}><v>', _as_text(_arrow(series)), "</v></c>"]
    elif kind == "f":
        values = series.to_numpy(dtype="float64", na_value=float("nan"))
        if np.isinf(values).any():
            return None
        parts = [start, numbers, f'"{style}><v>', _as_text(pa.array(values, from_pandas=True)), "</v></c>"]
    elif kind in "OU":  # object, and text kept in Arrow (its kind is U)
        try:
            values = _arrow(series)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            return None
        if pa.types.is_null(values.type):  # every cell blank
            return pa.array([""] * len(values), pa.large_string())
        if not (pa.types.is_string(values.type) or pa.types.is_large_string(values.type)):
            return None
        values = values.cast(pa.large_string())
        too_long = pc.any(pc.greater(pc.utf8_length(values), _MAX_CELL_TEXT)).as_py()
        if too_long or pc.any(pc.match_substring_regex(values, _CONTROL_CLASS)).as_py():
            return None
        for char, entity in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;")):
            values = pc.replace_substring(values, char, entity)
        space = pc.if_else(
            pc.match_substring_regex(values, _EDGE_SPACE),
            pa.scalar(' xml:space="preserve"', pa.large_string()),
            pa.scalar("", pa.large_string()),
        )
        parts = [start, numbers, f'"{style} t="inlineStr"><is><t', space, ">", values, "</t></is></c>"]
    else:
        return None
    return pc.fill_null(_concat(*parts), "")


def _arrow(series: pd.Series, kind: Any = None) -> Any:
    """The column as one Arrow array (a column pandas keeps in Arrow may be in several chunks)."""
    import pyarrow as pa

    values = pa.array(series, kind, from_pandas=True)
    return values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values


def _as_text(values: Any) -> Any:
    import pyarrow as pa

    return values.cast(pa.large_string())


def _concat(*parts: Any) -> Any:
    """Arrow strings and Python texts joined element-wise (null where any part is null)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    text = pa.large_string()
    return pc.binary_join_element_wise(
        *[pa.scalar(p, text) if isinstance(p, str) else p for p in parts], pa.scalar("", text)
    )


def _with_rows(part: bytes, data: _SheetData) -> bytes:
    end = part.rindex(b"</sheetData>")
    last = f"{column_letters(data.frame.shape[1] - 1)}{len(data.frame) + 1}"
    part = part[:end] + _rows_xml(data) + part[end:]
    return _DIMENSION.sub(f'<dimension ref="A1:{last}"/>'.encode(), part, count=1)


def _put_sheet_data(path: Path, sheets: Sequence[_SheetData]) -> None:
    """Write each sheet's data rows into the workbook xlsxwriter wrote (its header row only)."""
    filled = {f"xl/worksheets/sheet{d.index + 1}.xml": d for d in sheets if len(d.frame) and d.frame.shape[1]}
    if not filled:
        return
    with zipfile.ZipFile(path) as source:
        members = [(info, source.read(info)) for info in source.infolist()]
    # Level 1: a third larger than zlib's default, three times faster; Excel opens either alike.
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for info, content in members:
            data = filled.get(info.filename)
            target.writestr(info, content if data is None else _with_rows(content, data), compresslevel=1)


def wrapped_lines(text: str, width: float, char: float = 1.1) -> int:
    """How many lines `text` wraps to in a column `width` characters wide (word by word).

    `char` is the width of a letter in digit widths: above 1 because LibreOffice may draw with a
    wider font than the one the column width was measured in, and a row too short cuts text off.
    """
    lines, used = 1, 0.0
    room = max(width - 1.0, 1.0)
    for word in text.split():
        size = len(word) * char
        if used and used + 1 + size > room:
            lines, used = lines + 1, size
        else:
            used = used + (1 if used else 0) + size
        while used > room:  # a word longer than the column breaks anywhere
            lines, used = lines + 1, used - room
    return lines


def _width(header: str, values: list[Any]) -> float:
    """Wide enough for the values (at most 60) and the header's longest word: the header wraps."""
    sample = values[:500]
    word = max([len(w) for w in header.split()] + [0])
    longest = max([_shown_length(v) for v in sample if v is not None] + [word, 6])
    return float(min(longest + 2, 60))


def _shown_length(value: Any) -> int:
    """About how many characters a cell shows: a float with its number format, not its 17 digits."""
    if isinstance(value, float) and not isinstance(value, bool):
        return len(f"{value:,.3f}") if math.isfinite(value) else 4
    return len(str(value))
