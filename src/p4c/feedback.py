"""Feedback workbooks: the partner's own workbook with every problem marked, in the partner's language.

Errors in the coordinator's terminal or in rejected.parquet do not reach the partner. For every
workbook with errors or warnings `p4c ingest` writes a copy of it in which each cell with a
problem is filled (red for an error, yellow for a warning) and carries a comment, and a first
sheet lists every problem: its cell, the column header as the partner wrote it, the value found
and what is accepted. The coordinator can send it back as it is.

An .xlsx or .xlsm is copied with openpyxl (formatting, formulas and, for .xlsm, macros kept); an
.ods, .xls or .csv cannot be, so the copy is a new .xlsx holding the values of the sheets p4c read,
and the first sheet says so. The language (en, fr, de) is told from the workbook's sheet and
header names (`detect_language`), or chosen with `p4c ingest --lang`.

Adopting it for another kind of workbook: fill `WorkbookResult.errors`/`warnings` with `Issue`s
whose `cell` is `Sheet!A1`, whose `message` is a `p4c.messages.msg(...)` and whose `header` is the
header text as written; `ingest()` then writes its feedback like a partner workbook's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from p4c.messages import Msg, msg, render
from p4c.models import LANGUAGES
from p4c.values import norm

if TYPE_CHECKING:
    from p4c.config import Config
    from p4c.ingest import Issue, WorkbookResult
    from p4c.io import Book

SUFFIX = "_feedback"
# How many rows of each sheet are looked at to tell the language.
_LANGUAGE_ROWS = 20
_ERROR_FILL = "FFC7CE"  # Excel's own "bad" red
_WARNING_FILL = "FFEB9C"  # and its "neutral" yellow
_SHEET_TITLE_BAD = re.compile(r"[\[\]:*?/\\]")

# The fixed texts of the feedback workbook (translated in the catalogs like every message).
ERRORS_SHEET = msg("Errors")
HEADERS = (msg("Type"), msg("Cell"), msg("Column"), msg("Value found"), msg("What is accepted"))
ERROR = msg("error")
WARNING = msg("warning")


def _language_words() -> dict[str, set[str]]:
    """Sheet names, keys and headers of the template in each language, minus those shared."""
    from p4c.template import WORDS

    words: dict[str, set[str]] = {}
    for lang, spelled in WORDS.items():
        found = {*spelled.sheets.values(), *spelled.keys.values(), *spelled.columns.values(), *spelled.needs}
        words[lang] = {norm(w) for w in found}
    extra = {  # aliases the contract accepts beyond the template's words
        "fr": {
            "référence",
            "réf",
            "titre",
            "depuis",
            "etp",
            "pme touchées",
            "preuves",
            "résultats",
            "besoin",
        },
        "de": {
            "dienstleistungen",
            "träger",
            "seit",
            "beginn",
            "vzä",
            "nachweis",
            "ergebnisse",
            "wichtigkeit",
        },
    }
    for lang, more in extra.items():
        words[lang] |= {norm(w) for w in more}
    shared = {w for lang in words for w in words[lang] if sum(w in other for other in words.values()) > 1}
    return {lang: found - shared for lang, found in words.items()}


def detect_language(book: Book) -> str:
    """en, fr or de: the language most of the workbook's sheet names and headers are in (en if none)."""
    words = _language_words()
    seen = [norm(name) for name in book.sheet_names]
    for rows in book.sheets.values():
        for row in rows[:_LANGUAGE_ROWS]:
            seen.extend(norm(cell) for cell in row[:40] if isinstance(cell, str) and len(cell) < 60)
    votes = {lang: sum(word in found for word in seen) for lang, found in words.items()}
    best = max(votes.values(), default=0)
    if best == 0:
        return "en"
    return next(lang for lang in LANGUAGES if votes.get(lang) == best)


def feedback_path(source: Path, folder: Path) -> Path:
    """Where the feedback of `source` goes: `<stem>_feedback.xlsx` (.xlsm for an .xlsm)."""
    suffix = ".xlsm" if source.suffix.lower() == ".xlsm" else ".xlsx"
    return folder / f"{source.stem}{SUFFIX}{suffix}"


def issue_message(issue: Issue, lang: str) -> str:
    """The issue's message in `lang`, naming the column by the partner's header where it can."""
    return issue.translated(lang).message


def write_feedback(result: WorkbookResult, folder: Path, lang: str, config: Config | None = None) -> Path:
    """Write the feedback workbook of one validated file; its path. A stale one is replaced."""
    from p4c.io import atomic_path

    target = feedback_path(result.file, folder)
    book, copied = _open_copy(result, config)
    _mark_cells(book, result, lang)
    _errors_sheet(book, result, lang, copied)
    with atomic_path(target) as tmp:
        book.save(tmp)
    return target


def write_all(
    results: Iterable[WorkbookResult], folder: Path, lang: str | None = None, config: Config | None = None
) -> list[Path]:
    """Feedback for every result with errors or warnings (in `lang`, else its own language); a
    result without any has its old feedback file removed, so the folder holds only what is due."""
    written = []
    for result in results:
        if result.errors or result.warnings:
            result.feedback = write_feedback(result, folder, lang or result.lang, config)
            written.append(result.feedback)
        else:
            feedback_path(result.file, folder).unlink(missing_ok=True)
    return written


# --- the copy ----------------------------------------------------------------------------------------


def _open_copy(result: WorkbookResult, config: Config | None) -> tuple[Any, bool]:
    """(openpyxl workbook, whether it is the file itself rather than a copy of its values)."""
    import openpyxl

    path = result.file
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        try:
            return openpyxl.load_workbook(path, keep_vba=suffix == ".xlsm", keep_links=True), True
        except Exception:
            return _empty_book(), False
    book = _empty_book()
    try:
        source = _read(path, config)
    except Exception:
        return book, False
    for name, rows in source.sheets.items():
        sheet = book.create_sheet(_sheet_title(name))
        for row in rows:
            _append(sheet, [_cell_value(v) for v in row])
    return book, False


def _empty_book() -> Any:
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    return book


def _read(path: Path, config: Config | None) -> Book:
    from p4c.io import read_book

    limits = config.limits if config is not None else None
    return read_book(
        path,
        max_rows=limits.max_rows if limits else 1_000_000,
        max_file_mb=limits.max_file_mb if limits else 100.0,
        max_uncompressed_mb=limits.max_uncompressed_mb if limits else 1000.0,
    )


def _sheet_title(name: str) -> str:
    """A sheet name Excel accepts (no []:*?/\\, at most 31 characters)."""
    return _SHEET_TITLE_BAD.sub("_", name)[:31] or "Sheet"


def _cell_value(value: Any) -> Any:
    """A read value as openpyxl can write it (an error cell as its code, `#DIV/0!`)."""
    from p4c.io import CellError

    if isinstance(value, CellError):
        return str(value)
    return value


def _append(sheet: Any, values: list[Any]) -> None:
    """Append a row; text starting with `=` stays text (openpyxl would make it a formula)."""
    sheet.append(values)
    for cell in sheet[sheet.max_row]:
        if cell.data_type == "f":
            cell.data_type = "s"


# --- marking -----------------------------------------------------------------------------------------


def _split(cell: str) -> tuple[str, str] | None:
    """`Sheet!B7` -> (Sheet, B7)."""
    sheet, sep, address = cell.rpartition("!")
    if not sep or not re.fullmatch(r"[A-Z]{1,3}[1-9]\d*", address):
        return None
    return sheet, address


def _issues(result: WorkbookResult) -> list[tuple[Issue, bool]]:
    """(issue, is an error), errors first."""
    return [(i, True) for i in result.errors] + [(i, False) for i in result.warnings]


def _mark_cells(book: Any, result: WorkbookResult, lang: str) -> None:
    """Fill each cell with a problem and put every message about it in its comment."""
    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill

    titles = {_sheet_title(name): name for name in book.sheetnames}
    notes: dict[tuple[str, str], list[str]] = {}
    worst: dict[tuple[str, str], bool] = {}
    for issue, is_error in _issues(result):
        where = _split(issue.cell or "")
        if where is None:
            continue
        sheet = where[0] if where[0] in book.sheetnames else titles.get(_sheet_title(where[0]))
        if sheet is None:
            continue
        key = (sheet, where[1])
        kind = render(ERROR if is_error else WARNING, lang)
        note = msg("{kind}: {message}", kind=kind, message=issue_message(issue, lang))
        notes.setdefault(key, []).append(render(note, lang))
        worst[key] = worst.get(key, False) or is_error
    for (sheet, address), texts in notes.items():
        cell = book[sheet][address]
        color = _ERROR_FILL if worst[(sheet, address)] else _WARNING_FILL
        cell.fill = PatternFill(fill_type="solid", start_color=color, end_color=color)
        text = "\n".join(texts)
        cell.comment = Comment(text, "p4c", height=max(80, 20 * (1 + len(text) // 40)), width=320)


def _errors_sheet(book: Any, result: WorkbookResult, lang: str, copied: bool) -> None:
    """The first sheet: what to do, then one row per problem (cell, header, value, what is accepted)."""
    from openpyxl.styles import Alignment, Font, PatternFill

    title = render(ERRORS_SHEET, lang)
    opened = bool(book.worksheets)  # no sheet: p4c could not open the file to copy it
    while title in book.sheetnames:
        title += " (p4c)"
    sheet = book.create_sheet(title, 0)
    for other in book.worksheets:
        other.sheet_view.tabSelected = False
    book.active = 0
    sheet.sheet_view.tabSelected = True
    intro = _intro(result, copied, opened)
    sheet.append([render(intro, lang)])
    sheet["A1"].font = Font(bold=True)
    counts = msg(
        "errors: {errors}, warnings: {warnings}", errors=len(result.errors), warnings=len(result.warnings)
    )
    sheet.append([render(counts, lang)])
    sheet.append([])
    sheet.append([render(h, lang) for h in HEADERS])
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
    for issue, is_error in _issues(result):
        kind = render(ERROR if is_error else WARNING, lang)
        where = issue.cell or ""
        _append(
            sheet, [kind, where, issue.header or issue.column or "", issue.value, issue_message(issue, lang)]
        )
        row = sheet.max_row
        color = _ERROR_FILL if is_error else _WARNING_FILL
        sheet.cell(row, 1).fill = PatternFill(fill_type="solid", start_color=color, end_color=color)
        sheet.cell(row, 5).alignment = Alignment(wrap_text=True, vertical="top")
        target = _split(where)
        if target is not None and target[0] in book.sheetnames:
            sheet.cell(row, 2).hyperlink = f"#'{target[0]}'!{target[1]}"
    for letter, width in zip("ABCDE", (12, 18, 28, 28, 90), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = sheet.cell(header_row + 1, 1)


def _intro(result: WorkbookResult, copied: bool, opened: bool = True) -> Msg:
    if not opened:
        return msg(
            "{file}: p4c could not open this file to copy it, so this workbook holds only the list of "
            "problems below. Correct your own file and send it back.",
            file=result.file.name,
        )
    if copied:
        return msg(
            "{file}: every problem p4c found is listed below and marked in its cell (red: an error, "
            "yellow: a warning; the cell's comment says what is wrong). Correct the cells, delete this "
            "sheet and send the workbook back.",
            file=result.file.name,
        )
    return msg(
        "{file}: every problem p4c found is listed below and marked in its cell (red: an error, "
        "yellow: a warning). p4c cannot copy a {kind} file with its formatting, so the other sheets "
        "hold only the values it read: correct your own file, not this copy, and send it back.",
        file=result.file.name,
        kind=result.file.suffix.lstrip(".").lower() or "text",
    )


def error_sheet_rows(path: Path) -> list[list[str]]:
    """The first sheet of a feedback workbook as text rows, without trailing blank cells."""
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True)
    try:
        sheet = book.worksheets[0]
        rows = [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        for row in rows:
            while row and not row[-1]:
                row.pop()
        return rows
    finally:
        book.close()


def rendered_messages(issues: Sequence[Issue], lang: str) -> list[str]:
    """The issues' messages in `lang` (as the Errors sheet shows them)."""
    return [issue_message(i, lang) for i in issues]
