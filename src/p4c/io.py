"""Reading spreadsheets safely and writing outputs atomically, Excel-friendly and injection-safe.

Every output goes to a temporary file in the target folder and is renamed over the old one, so a
killed command leaves the previous state intact. Text that a spreadsheet would run as a formula is
neutralised (OWASP CSV injection).
"""

from __future__ import annotations

import contextlib
import csv
import errno
import glob
import io
import os
import re
import tempfile
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from p4c.errors import P4CError

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

    @property
    def sheet_names(self) -> list[str]:
        return self.names or list(self.sheets)


def read_book(path: Path, *, max_rows: int, max_file_mb: float, max_uncompressed_mb: float) -> Book:
    """All sheets of a spreadsheet or CSV; anything unreadable is one P4CError naming the file."""
    name = path.name
    if not path.is_file():
        raise P4CError(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix not in ACCEPTED_TYPES:
        raise P4CError(
            f"{name}: not a spreadsheet ({suffix or 'no extension'}); accepted: {', '.join(ACCEPTED_TYPES)}"
        )
    size = path.stat().st_size
    if size == 0:
        raise P4CError(f"{name}: the file is empty")
    if size > max_file_mb * 1024 * 1024:
        raise P4CError(
            f"{name}: the file is {size / 1048576:.1f} MB; the limit is "
            f"{max_file_mb:g} MB (config limits.max_file_mb)"
        )
    if suffix == ".csv":
        rows = read_csv_rows(path)
        _check_rows(name, "the CSV file", len(rows), max_rows)
        return Book(path, {"Services": rows}, is_csv=True)
    with path.open("rb") as fh:
        head = fh.read(8)
    if suffix in (".xlsx", ".xlsm", ".ods"):
        if head.startswith(_OLE_MAGIC):
            raise P4CError(
                f"{name}: the workbook is password-protected (encrypted); save it "
                f"without a password and send it again"
            )
        if not head.startswith(_ZIP_MAGIC):
            raise P4CError(f"{name}: not a valid {suffix} file (it may be corrupt or renamed)")
        _check_zip(path, max_uncompressed_mb)
    elif not head.startswith(_OLE_MAGIC):
        raise P4CError(f"{name}: not a valid .xls file (it may be corrupt or renamed)")
    return _read_calamine(path, max_rows)


def _check_zip(path: Path, max_uncompressed_mb: float) -> None:
    try:
        with zipfile.ZipFile(path) as zf:
            total = sum(info.file_size for info in zf.infolist())
            names = set(zf.namelist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise P4CError(f"{path.name}: the file is corrupt and cannot be opened ({exc})") from None
    if total > max_uncompressed_mb * 1024 * 1024:
        raise P4CError(
            f"{path.name}: the workbook unpacks to {total / 1048576:.0f} MB, over the "
            f"limit of {max_uncompressed_mb:g} MB (config limits.max_uncompressed_mb); "
            f"it may be a zip bomb"
        )
    if "EncryptedPackage" in names or "EncryptionInfo" in names:
        raise P4CError(f"{path.name}: the workbook is password-protected (encrypted)")


def _read_calamine(path: Path, max_rows: int) -> Book:
    from python_calamine import CalamineWorkbook

    from p4c.models import ALL_SHEET_NAMES
    from p4c.values import norm

    roles = {norm(alias) for alias in ALL_SHEET_NAMES}
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        names = list(workbook.sheet_names)
        book = Book(path, names=names)
        wanted = names if len(names) == 1 else [n for n in names if norm(n) in roles]
        _read_sheets(workbook, path.name, wanted, max_rows, book)
        if all(not rows for rows in book.sheets.values()):
            # Only the other sheets can tell "no data at all" from "no Services sheet".
            others = [n for n in names if n not in book.sheets]
            _read_sheets(workbook, path.name, others, max_rows, book)
    except P4CError:
        raise
    except Exception as exc:  # calamine raises its own error types for every kind of bad file
        text = str(exc) or type(exc).__name__
        if "password" in text.lower() or "encrypt" in text.lower():
            raise P4CError(f"{path.name}: the workbook is password-protected (encrypted)") from None
        raise P4CError(f"{path.name}: the file is corrupt or not a {path.suffix} workbook ({text})") from None
    if not book.sheets or all(not rows for rows in book.sheets.values()):
        raise P4CError(f"{path.name}: the workbook has no data")
    return book


def _read_sheets(workbook: Any, name: str, sheets: list[str], max_rows: int, book: Book) -> None:
    for sheet_name in sheets:
        sheet = workbook.get_sheet_by_name(sheet_name)  # parses the sheet, without the GIL
        _check_rows(name, f"sheet {sheet_name}", sheet.total_height, max_rows)
        book.sheets[sheet_name] = sheet.to_python(skip_empty_area=False)


def _check_rows(name: str, what: str, rows: int, max_rows: int) -> None:
    if rows > max_rows + 50:  # room for title rows and the header
        raise P4CError(
            f"{name}: {what} has {rows:,} rows; the limit is {max_rows:,} (config limits.max_rows)"
        )


def read_csv_rows(path: Path) -> list[list[Any]]:
    """Rows of a CSV: UTF-8 with or without BOM, else cp1252; separator `,` or `;`, detected."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise P4CError(f"{path.name}: the CSV is neither UTF-8 nor Windows-1252 text") from None
    if "\x00" in text:
        raise P4CError(f"{path.name}: not a text CSV file (it holds binary data)")
    sample = text[:65536]
    first = next((line for line in sample.splitlines() if line.strip()), "")
    if not first:
        raise P4CError(f"{path.name}: the CSV file has no rows")
    delimiter = ";" if _count_outside_quotes(first, ";") > _count_outside_quotes(first, ",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    return [[cell if cell != "" else None for cell in row] for row in reader]


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
        raise P4CError(f"{folder}: no such folder")
    found = sorted(
        p
        for p in folder.iterdir()
        if p.is_file() and p.suffix.lower() in ACCEPTED_TYPES and not p.name.startswith((".", "~$"))
    )
    if not found:
        raise P4CError(
            f"{folder}: no workbook in this folder (accepted: {', '.join(ACCEPTED_TYPES)})",
            hint="Send partners a template (`p4c template`) and put their files there.",
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
            (exc.strerror or str(exc), "Check the path, and that it is on a disk you may write to."),
        )
        raise P4CError(f"cannot write {target}: {reason}", hint=hint) from None


_NOT_A_FOLDER = (
    "a part of its path is a file, not a folder",
    "Check the path: every part before the file name must be a folder.",
)
_NO_PERMISSION = (
    "permission denied",
    "Write the file to a folder you may write to, or ask for write access to this one.",
)
_WRITE_ERRORS = {
    errno.ENOSPC: ("the disk is full", "Free some space on that disk, or write the file to another disk."),
    errno.EDQUOT: (
        "the disk quota is used up",
        "Free some space on that disk, or write the file to another disk.",
    ),
    errno.EROFS: ("the disk is read-only", "Write the file to a folder on a disk you can write to."),
    errno.EACCES: _NO_PERMISSION,
    errno.EPERM: _NO_PERMISSION,
    errno.EISDIR: ("it is a folder", "Give the path of a file, e.g. ranking.csv inside that folder."),
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


def neutralise(value: object) -> object:
    """Text a spreadsheet would evaluate as a formula, prefixed with `'` so it stays text."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def write_parquet(frame: pd.DataFrame, target: Path) -> None:
    with atomic_path(target) as tmp:
        frame.to_parquet(tmp, index=False)


@dataclass
class SheetSpec:
    """One sheet of a formatted xlsx: the frame and how to show it."""

    name: str
    frame: pd.DataFrame
    number_formats: dict[str, str] = field(default_factory=dict)
    color_scale: Sequence[str] = ()
    widths: dict[str, float] = field(default_factory=dict)
    after: Callable[[Any, Any, SheetSpec], None] | None = None  # (workbook, worksheet, spec)


def write_xlsx(sheets: Sequence[SheetSpec], target: Path) -> None:
    """A formatted workbook: frozen header, autofilter, number formats, colour scales, widths.

    Strings are always written as text (never formulas), so partner text cannot run in Excel.
    """
    import xlsxwriter

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
        header = workbook.add_format(
            {
                "bold": True,
                "bg_color": "#1F4E79",
                "font_color": "#FFFFFF",
                "text_wrap": True,
                "valign": "top",
                "border": 1,
            }
        )
        formats: dict[str, Any] = {}
        for spec in sheets:
            sheet = workbook.add_worksheet(spec.name[:31])
            _fill_sheet(workbook, sheet, spec, header, formats)
            if spec.after is not None:
                spec.after(workbook, sheet, spec)
        workbook.close()


def _fill_sheet(workbook: Any, sheet: Any, spec: SheetSpec, header: Any, formats: dict[str, Any]) -> None:
    import math

    import pandas as pd

    frame = spec.frame
    columns = [str(c) for c in frame.columns]
    for col, name in enumerate(columns):
        sheet.write_string(0, col, name, header)
    date_format = formats.setdefault("yyyy-mm-dd", workbook.add_format({"num_format": "yyyy-mm-dd"}))
    for col, name in enumerate(columns):
        number_format = spec.number_formats.get(name)
        cell_format = None
        if number_format:
            cell_format = formats.setdefault(
                number_format, workbook.add_format({"num_format": number_format})
            )
        values = frame.iloc[:, col].tolist()
        for row, value in enumerate(values, start=1):
            if (
                value is None
                or (isinstance(value, float) and math.isnan(value))
                or value is pd.NA
                or value is pd.NaT
            ):
                continue
            if isinstance(value, str):
                sheet.write_string(row, col, value)
            elif isinstance(value, bool):
                sheet.write_boolean(row, col, value)
            elif isinstance(value, int | float):
                sheet.write_number(row, col, value, cell_format)
            elif hasattr(value, "year"):
                sheet.write_datetime(
                    row, col, pd.Timestamp(value).to_pydatetime(), cell_format or date_format
                )
            else:
                sheet.write_string(row, col, str(value))
        width = spec.widths.get(name) or _width(name, values)
        sheet.set_column(col, col, width)
    last_row = max(len(frame), 1)
    sheet.freeze_panes(1, 0)
    if columns:
        sheet.autofilter(0, 0, last_row, len(columns) - 1)
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


def _width(name: str, values: list[Any]) -> float:
    sample = values[:500]
    longest = max([len(str(v)) for v in sample if v is not None] + [len(name), 6])
    return float(min(longest + 2, 60))
