"""`p4c ingest`: validate partner workbooks against the contract and store them as processed data.

Validation works column by column: the numeric cells of number and score columns are checked in
one numpy pass, text columns are stripped in one pass, and every other value is parsed once per
distinct value, so a 100,000-row sheet takes less than half as long as reading it. Every problem
is reported at once with its `Sheet!A1` cell; a workbook with any error changes nothing unless
`--accept-valid`, and then the rejected rows are kept with their reasons. Writes happen under a
lock, through temporary files renamed into place, and a partner's previous rows go to `history/`
first, so nothing is ever lost.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import hashlib
import json
import math
import operator
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from itertools import chain, repeat
from pathlib import Path
from typing import TYPE_CHECKING, Any

from p4c import __version__
from p4c.errors import P4CError
from p4c.models import (
    CODE_ALIASES,
    ISO_3166_ALPHA2,
    NEEDS_COLUMNS,
    PARTNER_KEYS,
    PROVIDER_WORDS,
    SERVICE_COLUMNS,
    SHEET_NAMES,
    STATUS_WORDS,
    TITLE_MAX,
    Field,
)
from p4c.values import (
    fmt,
    is_blank,
    norm,
    parse_date,
    parse_int,
    parse_number,
    parse_score,
    show,
)

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from p4c.config import Config, Project
    from p4c.io import Book

SERVICES_FILE = "services.parquet"
PARTNERS_FILE = "partners.parquet"
NEEDS_FILE = "needs.parquet"
REJECTED_FILE = "rejected.parquet"
SUBMISSIONS_FILE = "submissions.csv"
HISTORY_DIR = "history"
LOCK_FILE = ".p4c.lock"
LOCK_TIMEOUT_S = 120.0
HEADER_SEARCH_ROWS = 20
MIN_HEADER_MATCHES = 3
# The largest whole number accepted (cis_served, smes_reached, cluster_initiatives): whole numbers
# are stored as 64-bit integers, so a larger one (1e20 in a numeric cell) is a cell error.
MAX_WHOLE = 10**12

# services.parquet: one row per service, typed.
#   partner, service_id, title, description, category (code), provider (code), status (code),
#   start_date (date), annual_budget_eur (float), staff_fte (float), cis_served (Int64),
#   smes_reached (Int64) (whole numbers up to MAX_WHOLE), evidence,
#   <one float column per score criterion id>,
#   source_file, source_sheet, source_row (1-based row in the sheet)
# partners.parquet: partner, organisation, region, cluster_initiatives (Int64), contact,
#   source_file, sha256, ingested_at (UTC ISO text)
# needs.parquet: partner, category (code), importance (float 1-5)
# rejected.parquet: one row per error of a rejected row: partner, source_file, source_sheet,
#   source_row, cell, column, value, message, raw (the whole row as JSON, so nothing is lost)
PARTNER_COLUMNS = ("partner", "organisation", "region", "cluster_initiatives", "contact",
                   "source_file", "sha256", "ingested_at")
REJECTED_COLUMNS = ("partner", "source_file", "source_sheet", "source_row", "cell", "column",
                    "value", "message", "raw")
SUBMISSION_COLUMNS = ("time", "partner", "file", "sha256", "accepted", "rejected", "warnings",
                      "written", "p4c_version")
_HEADER_WORDS = {"key", "cle", "schlussel", "value", "valeur", "wert", "field", "champ", "feld"}
_FILE_CODE = re.compile(r"^([A-Za-z]{2})(?:[_\-\s.]|$)")


@dataclass(frozen=True)
class Issue:
    """One problem found in a workbook, at one cell."""

    sheet: str | None
    cell: str | None
    row: int | None
    column: str | None
    value: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"sheet": self.sheet, "cell": self.cell, "row": self.row, "column": self.column,
                "value": self.value, "message": self.message}


@dataclass
class WorkbookResult:
    """What validating one file produced; `store` writes it when it may."""

    file: Path
    sha256: str = ""
    partner: str | None = None
    partner_info: dict[str, Any] | None = None
    services: pd.DataFrame | None = None
    needs: pd.DataFrame | None = None
    rejected: pd.DataFrame | None = None
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    fatal: bool = False  # the file itself or its structure is wrong: nothing can be written
    written: bool = False

    @property
    def accepted(self) -> int:
        return 0 if self.services is None else len(self.services)

    @property
    def rejected_rows(self) -> int:
        if self.rejected is None or self.rejected.empty:
            return 0
        return int(self.rejected[["source_sheet", "source_row"]].drop_duplicates().shape[0])

    def as_dict(self) -> dict[str, Any]:
        return {"file": str(self.file), "partner": self.partner, "accepted": self.accepted,
                "rejected": self.rejected_rows, "written": self.written,
                "errors": [i.as_dict() for i in self.errors],
                "warnings": [i.as_dict() for i in self.warnings]}


@dataclass(frozen=True)
class Processed:
    """What `p4c ingest` wrote: the input of every later stage."""

    services: pd.DataFrame
    partners: pd.DataFrame
    needs: pd.DataFrame


def col_letter(index: int) -> str:
    """Spreadsheet column letters of a 0-based column index (0 -> A, 26 -> AA)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def partner_from_filename(path: Path) -> str | None:
    """`MT_services.csv` or `mt-2011.csv` -> MT, when the two letters are a known country code."""
    match = _FILE_CODE.match(path.name)
    if not match:
        return None
    code = match.group(1).upper()
    code = CODE_ALIASES.get(code, code)
    return code if code in ISO_3166_ALPHA2 else None


def canonical_code(text: str) -> str | None:
    code = text.strip().upper()
    code = CODE_ALIASES.get(code, code)
    return code if code in ISO_3166_ALPHA2 else None


# --- validation --------------------------------------------------------------------------------------

def validate_file(path: Path, config: Config, partner: str | None = None) -> WorkbookResult:
    """Read and validate one file; an unreadable file is one error, never an exception."""
    result = WorkbookResult(file=path)
    with _no_gc():
        try:
            book, result.sha256 = _read_and_hash(path, config)
        except (P4CError, OSError) as exc:
            message = exc.message if isinstance(exc, P4CError) else f"{path.name}: {exc.strerror}"
            result.errors.append(Issue(None, None, None, None, "", message))
            result.fatal = True
            return result
        validate_book(book, config, partner, result)
        del book  # before the collector is back: it would walk every row once more
    return result


@contextlib.contextmanager
def _no_gc() -> Iterator[None]:
    """No automatic garbage collection in the block: reading a sheet makes a list a row, and the
    collector would walk all of them again and again to find no cycle (0.2-0.3 s for 100,000
    rows). The collector is back on, as it was, after the block; objects made in the block that
    are still alive are walked once then, so drop big ones inside it."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _read_and_hash(path: Path, config: Config) -> tuple[Book, str]:
    """The file's sheets and its sha256; a reading error comes first, as if read before hashing.

    calamine parses a workbook without holding the GIL, so a spreadsheet is read in a thread
    while this one hashes the file (hashlib releases the GIL too) and imports what validating
    and storing will need; a CSV is read here.
    """
    import threading

    from p4c.io import SPREADSHEET_TYPES, read_book

    def read() -> Book:
        return read_book(path, max_rows=config.limits.max_rows,
                         max_file_mb=config.limits.max_file_mb,
                         max_uncompressed_mb=config.limits.max_uncompressed_mb)

    if path.suffix.lower() not in SPREADSHEET_TYPES:
        book = read()
        return book, _sha256(path)
    outcome: dict[str, Any] = {}

    def work() -> None:
        try:
            outcome["book"] = read()
        except BaseException as exc:  # raised again in the calling thread
            outcome["error"] = exc

    reader = threading.Thread(target=work, name="p4c-read", daemon=True)
    reader.start()
    digest, hash_error = "", None
    try:
        if path.stat().st_size <= config.limits.max_file_mb * 1024 * 1024:  # else read() refuses it
            digest = _sha256(path)
    except OSError as exc:
        hash_error = exc
    _preload()
    reader.join()
    if "error" in outcome:
        raise outcome["error"]
    if hash_error is not None:
        raise hash_error
    return outcome["book"], digest or _sha256(path)


def _sha256(path: Path) -> str:
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def _preload() -> None:
    """Import the libraries validating and storing use (while a workbook is read in a thread)."""
    import numpy  # noqa: F401
    import pandas  # noqa: F401
    import pyarrow.parquet  # noqa: F401


def validate_book(book: Book, config: Config, partner: str | None = None,
                  result: WorkbookResult | None = None) -> WorkbookResult:
    """Validate a workbook's sheets against the contract; pure apart from the result it fills."""
    result = result or WorkbookResult(file=book.path)
    sheets = _find_sheets(book, result)
    if result.fatal:
        return result
    option_code = None
    if partner is not None:
        option_code = canonical_code(partner)
        if option_code is None:
            raise P4CError(f"--partner {partner}: not an ISO 3166 alpha-2 country code "
                           f"(EL and UK are accepted for GR and GB)")
    if "Partner" in sheets:
        info = _read_partner_sheet(sheets["Partner"], config, result)
        code = info.get("partner_code") if info else None
        if code and option_code and code != option_code:
            result.errors.append(Issue(sheets["Partner"][0], info.get("_cell"), info.get("_row"),
                                       "partner_code", code,
                                       f"the Partner sheet says {code} but --partner says "
                                       f"{option_code}; they must agree"))
            result.fatal = True
        result.partner = code or option_code
        if info:
            result.partner_info = {k: info.get(k) for k in
                                   ("organisation", "region", "cluster_initiatives", "contact")}
    else:
        code = option_code or partner_from_filename(book.path)
        if code is None:
            result.errors.append(Issue(None, None, None, "partner_code", book.path.name,
                                       "cannot tell which partner this file is from: it has no "
                                       "Partner sheet; pass --partner CODE or start the file name "
                                       "with the country code (e.g. MT_services.csv)"))
            result.fatal = True
            return result
        result.partner = code
        known = config.partners.get(code)
        if known is not None:
            result.partner_info = known.model_dump()
        else:
            result.warnings.append(Issue(None, None, None, "cluster_initiatives", "",
                                         f"no Partner sheet and no `partners: {code}:` entry in "
                                         f"config: cluster_initiatives is unknown, so pertinence "
                                         f"cannot be computed and cis_served is not checked"))
    if result.fatal:
        return result
    cis_total = (result.partner_info or {}).get("cluster_initiatives")
    services, rejected = _read_services(sheets["Services"], config, result, cis_total)
    needs = None
    if "Needs" in sheets:
        needs, rejected_needs = _read_needs(sheets["Needs"], config, result)
        rejected.extend(rejected_needs)
    if result.fatal:
        return result
    result.services = services
    result.needs = needs
    result.rejected = _rejected_frame(rejected)
    return result


def _find_sheets(book: Book, result: WorkbookResult) -> dict[str, tuple[str, list[list[Any]]]]:
    found: dict[str, tuple[str, list[list[Any]]]] = {}
    lookup = {norm(alias): role for role, aliases in SHEET_NAMES.items() for alias in aliases}
    names = book.sheet_names  # every sheet of the file; only role sheets (or a lone one) are read
    for name, rows in book.sheets.items():
        role = lookup.get(norm(name))
        if role is None:
            continue
        if role in found:
            result.errors.append(Issue(name, None, None, None, name,
                                       f"two sheets are {role} sheets ({found[role][0]} and {name}); "
                                       f"keep one"))
            result.fatal = True
        found[role] = (name, rows)
    if "Services" not in found:
        if len(names) == 1:
            name = names[0]
            found = {"Services": (name, book.sheets[name])}
        else:
            accepted = ", ".join(SHEET_NAMES["Services"])
            result.errors.append(Issue(None, None, None, None, ", ".join(names),
                                       f"no Services sheet; sheets found: {', '.join(names)}; "
                                       f"accepted names: {accepted}"))
            result.fatal = True
    elif len(names) > 1 and "Partner" not in found:
        accepted = ", ".join(SHEET_NAMES["Partner"])
        result.errors.append(Issue(None, None, None, None, ", ".join(names),
                                   f"no Partner sheet; accepted names: {accepted} (only a CSV or a "
                                   f"one-sheet workbook may leave it out)"))
        result.fatal = True
    return found


def _read_partner_sheet(sheet: tuple[str, list[list[Any]]], config: Config,
                        result: WorkbookResult) -> dict[str, Any]:
    name, rows = sheet
    keys = {norm(alias): f for f in PARTNER_KEYS for alias in (f.name, *f.aliases)}
    info: dict[str, Any] = {}
    seen: dict[str, int] = {}
    for r, row in enumerate(rows, start=1):
        cells = [*row, None, None][:2]
        key_cell, value = cells
        if is_blank(key_cell):
            if not is_blank(value):
                result.warnings.append(Issue(name, f"{name}!B{r}", r, None, show(value),
                                             "a value with no key in column A is ignored"))
            continue
        key = norm(str(key_cell))
        spec = keys.get(key)
        if spec is None:
            if key in _HEADER_WORDS:
                continue
            result.warnings.append(Issue(name, f"{name}!A{r}", r, None, show(key_cell),
                                         f"unknown key ignored; known keys: "
                                         f"{', '.join(f.name for f in PARTNER_KEYS)}"))
            continue
        if spec.name in seen:
            result.errors.append(Issue(name, f"{name}!A{r}", r, spec.name, show(key_cell),
                                       f"{spec.name} is given twice (first in row {seen[spec.name]})"))
            continue
        seen[spec.name] = r
        cell = f"{name}!B{r}"
        if is_blank(value):
            if spec.required:
                result.errors.append(Issue(name, cell, r, spec.name, "",
                                           f"{spec.name} is required: {_describe(spec, config)}"))
            continue
        try:
            parsed = _parse_partner_value(spec, value)
        except ValueError as exc:
            result.errors.append(Issue(name, cell, r, spec.name, show(value), str(exc)))
            continue
        info[spec.name] = parsed
        if spec.name == "partner_code":
            info["_cell"], info["_row"] = cell, r
    for spec in PARTNER_KEYS:
        if spec.required and spec.name not in seen:
            result.errors.append(Issue(name, f"{name}!A{len(rows) + 1}", None, spec.name, "",
                                       f"required key {spec.name} is missing; add a row with "
                                       f"{spec.name} (or {', '.join(spec.aliases)}) in column A "
                                       f"and its value in column B"))
    if any(i.sheet == name for i in result.errors):
        result.fatal = True
    return info


def _parse_partner_value(spec: Field, value: object) -> object:
    if spec.type == "code":
        code = canonical_code(show(value))
        if code is None:
            raise ValueError("expected an ISO 3166 alpha-2 country code such as BE, EE, FR, SI, "
                             "DE, GR (or EL), MT")
        return code
    if spec.type == "int":
        number = parse_int(value)
        if spec.minimum is not None and number < spec.minimum:
            raise ValueError(f"expected a whole number >= {spec.minimum:g}")
        _check_whole_max(spec, number)
        return number
    return show(value).strip()


def _describe(spec: Field, config: Config) -> str:
    if spec.type == "category":
        return "a category code or label, e.g. " + ", ".join(c.code for c in config.categories)
    if spec.type == "provider":
        return "one of " + ", ".join(p.value for p in PROVIDER_WORDS)
    if spec.type == "status":
        return "one of " + ", ".join(s.value for s in STATUS_WORDS)
    if spec.type == "date":
        return "a date"
    if spec.type in ("int", "number", "amount"):
        return "a number"
    return "text"


def _find_header(rows: list[list[Any]], known: dict[str, str], minimum: int) -> int | None:
    for r, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        hits = sum(1 for cell in row if isinstance(cell, str) and norm(cell) in known)
        if hits >= minimum:
            return r
    return None


def _service_headers(config: Config) -> dict[str, str]:
    known = {norm(alias): f.name for f in SERVICE_COLUMNS for alias in (f.name, *f.aliases)}
    for crit in config.score_criteria:
        for word in (crit.id, f"score {crit.id}", *crit.label.values()):
            known[norm(word)] = crit.id
    return known


def _map_columns(sheet_name: str, header: list[Any], header_row: int, known: dict[str, str],
                 result: WorkbookResult) -> dict[str, int]:
    mapping: dict[str, int] = {}
    for c, cell in enumerate(header):
        if is_blank(cell):
            continue
        target = known.get(norm(show(cell)))
        address = f"{sheet_name}!{col_letter(c)}{header_row}"
        if target is None:
            result.warnings.append(Issue(sheet_name, address, header_row, show(cell), show(cell),
                                         "unknown column ignored"))
        elif target in mapping:
            first = f"{col_letter(mapping[target])}{header_row}"
            result.errors.append(Issue(sheet_name, address, header_row, target, show(cell),
                                       f"a second {target} column (the first is {first}); keep one"))
            result.fatal = True
        else:
            mapping[target] = c
    return mapping


class _Column:
    """One parsed column: typed values by row position, which cells are blank, errors by position.

    `values` is an object array (None where blank or wrong), a float64 array (NaN there) for numbers
    and scores, or an int64 array with `valid` for whole numbers. `errors` keeps the order in which
    the problems were found: failed values by position, then booleans, then required blanks.
    """

    def __init__(self, values: np.ndarray[Any, Any], blank: np.ndarray[Any, Any],
                 errors: dict[int, str], valid: np.ndarray[Any, Any] | None = None) -> None:
        self.values = values
        self.blank = blank
        self.errors = errors
        self.valid = valid


def _grid(body: list[list[Any]]) -> np.ndarray[Any, Any]:
    """The body rows as a 2-D object array; short rows are padded with None (as blank cells)."""
    import numpy as np

    width = max(map(len, body), default=0)
    if min(map(len, body), default=0) != width:
        body = [r + [None] * (width - len(r)) for r in body]
    # fromiter never looks inside a cell (np.array would, for one that looks like a sequence).
    cells = np.fromiter(chain.from_iterable(body), dtype=object, count=len(body) * width)
    return cells.reshape(len(body), width)


def _read_services(sheet: tuple[str, list[list[Any]]], config: Config, result: WorkbookResult,
                   cis_total: int | None) -> tuple[pd.DataFrame | None, list[dict[str, Any]]]:
    import numpy as np

    name, rows = sheet
    known = _service_headers(config)
    header_idx = _find_header(rows, known, MIN_HEADER_MATCHES)
    if header_idx is None:
        result.errors.append(Issue(name, f"{name}!A1", 1, None, "",
                                   f"no header row in the first {HEADER_SEARCH_ROWS} rows: a header "
                                   f"row needs at least {MIN_HEADER_MATCHES} known column names, "
                                   f"such as service_id, title, category, provider, status"))
        result.fatal = True
        return None, []
    header_row = header_idx + 1
    mapping = _map_columns(name, rows[header_idx], header_row, known, result)
    specs = {f.name: f for f in SERVICE_COLUMNS}
    for spec in SERVICE_COLUMNS:
        if spec.required and spec.name not in mapping:
            result.errors.append(Issue(name, f"{name}!{col_letter(len(rows[header_idx]))}{header_row}",
                                       header_row, spec.name, "",
                                       f"required column {spec.name} is missing; head a column "
                                       f"with one of: {', '.join((spec.name, *spec.aliases))}"))
            result.fatal = True
    if result.fatal:
        return None, []
    body = rows[header_idx + 1:]
    first = header_row + 1  # the sheet row of body position 0
    grid = _grid(body)
    count, width = grid.shape
    country = result.partner
    numeric = [c for col_name, c in mapping.items() if c < width and (
        col_name not in specs or specs[col_name].type in ("number", "amount", "int"))]
    floats = _float_cells(grid, numeric)
    columns: dict[str, _Column] = {}
    for col_name, c in mapping.items():
        cells = grid[:, c] if c < width else np.full(count, None, dtype=object)
        col_spec = specs.get(col_name)
        if col_spec is None:
            columns[col_name] = _parse_scores(cells, config, country, floats.get(c))
        else:
            columns[col_name] = _parse_column(col_spec, cells, config, country, floats.get(c))
    # A blank row is skipped; cells outside the mapped columns count too: a note in an unknown
    # column is not a blank row. Only rows blank in every mapped column need that second look.
    row_blank = np.ones(count, dtype=bool)
    for column in columns.values():
        row_blank &= column.blank
    mapped = set(mapping.values())
    for c in range(width):
        candidates = np.flatnonzero(row_blank)
        if not len(candidates):
            break
        if c not in mapped:
            row_blank[candidates] = _blank_cells(grid[candidates, c])
    errors: list[Issue] = []
    for col_name, c in mapping.items():
        letter = col_letter(c)
        for pos, message in columns[col_name].errors.items():
            if row_blank[pos]:  # only a required blank: the row is skipped
                continue
            row = first + pos
            errors.append(Issue(name, f"{name}!{letter}{row}", row, col_name,
                                show(grid[pos, c] if c < width else None), message))
    kept = np.flatnonzero(~row_blank)
    _check_unique_ids(columns["service_id"], kept, first, sheet=name, mapping=mapping, errors=errors)
    _check_cis(columns.get("cis_served"), kept, first, sheet=name, mapping=mapping,
               cis_total=cis_total, errors=errors)
    rejected_rows = {i.row for i in errors}
    if errors:
        result.errors.extend(sorted(errors, key=lambda i: (i.row or 0, i.cell or "")))
    if rejected_rows:
        kept = kept[~np.isin(kept + first, np.fromiter(rejected_rows, dtype=np.int64,
                                                       count=len(rejected_rows)))]
    out = _typed_services(columns, kept, first, config=config, result=result, sheet=name)

    def raw_row(row: int) -> list[Any] | None:
        pos = row - first
        return grid[pos].tolist() if 0 <= pos < count and not row_blank[pos] else None

    return out, _rejected_records(errors, raw_row, rows[header_idx], result)


# The float cells of a column: (which cells are floats, their values; 0 elsewhere).
_Floats = tuple["np.ndarray[Any, Any]", "np.ndarray[Any, Any]"]


def _float_cells(grid: np.ndarray[Any, Any], columns: list[int]) -> dict[int, _Floats]:
    """The float cells of the numeric columns, found and converted in one pass row by row.

    Row by row, as the reader made the cells: going down one column at a time would touch
    cells far apart in memory, several times slower on 100,000 rows.
    """
    import numpy as np

    if not columns:
        return {}
    block = grid[:, columns]  # a copy of the references, row by row
    flat = block.ravel()
    # isinstance (C, no Python call a cell): a float subclass parses to the same float anyway.
    is_float = np.fromiter(map(isinstance, flat, repeat(float)), dtype=bool, count=len(flat))
    flat[~is_float] = 0.0
    values = flat.astype(np.float64).reshape(block.shape)
    is_float = is_float.reshape(block.shape)
    return {c: (is_float[:, j], values[:, j]) for j, c in enumerate(columns)}


def _blank_cells(cells: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Which cells are blank: NA (None, NaN, ...), "" or only spaces; one factorize, no call a cell."""
    codes, _uniques, blank_u = _factorize(cells)
    return (codes < 0) | blank_u[codes] if len(blank_u) else codes < 0


def _factorize(cells: np.ndarray[Any, Any]) -> tuple[np.ndarray[Any, Any], Any, np.ndarray[Any, Any]]:
    """(code of each cell, -1 for NA; distinct values; which of them are blank text)."""
    import numpy as np
    import pandas as pd

    codes, uniques = pd.factorize(cells, sort=False)
    # Inline (no call per value): "" or only spaces, as `isna | isin([""]) | str.strip() == ""`.
    blank_u = np.array([(type(u) is str and not u.strip()) or (isinstance(u, str) and u == "")
                        for u in uniques], dtype=bool)
    return codes, uniques, blank_u


def _parse_column(spec: Field, cells: np.ndarray[Any, Any], config: Config,
                  country: str | None, floats: _Floats | None = None) -> _Column:
    parser = _parser(spec, config, country)
    if spec.type in ("number", "amount"):
        column = _parse_numbers(cells, parser, _number_accept(spec), floats)
    elif spec.type == "int":
        column = _parse_numbers(cells, parser, _int_accept(spec), floats, whole=True)
    elif spec.type == "text":
        column = _parse_text(cells, parser, TITLE_MAX if spec.name == "title" else None)
    else:
        column = _parse_distinct(cells, parser)
    if spec.required:
        for pos in _positions(column.blank):
            column.errors.setdefault(pos, f"{spec.name} is required: {_describe(spec, config)}")
    return column


def _parser(spec: Field, config: Config, country: str | None) -> Callable[[Any], Any]:
    if spec.type == "text":
        limit = TITLE_MAX if spec.name == "title" else None

        def text(value: Any) -> str:
            out = (value if type(value) is str else show(value)).strip()  # show(str) is the str
            if limit and len(out) > limit:
                raise ValueError(f"{spec.name} has {len(out)} characters; at most {limit} are "
                                 f"accepted")
            return out
        return text
    if spec.type == "category":
        lookup: dict[str, str] = config.category_lookup
        accepted = ", ".join(c.code for c in config.categories)

        def category(value: Any) -> str:
            code = lookup.get(norm(show(value)))
            if code is None:
                raise ValueError(f"unknown category; accepted: a code ({accepted}) or its label "
                                 f"in English, French or German")
            return code
        return category
    if spec.type in ("provider", "status"):
        words: list[tuple[StrEnum, tuple[str, ...]]] = [
            *(PROVIDER_WORDS.items() if spec.type == "provider" else STATUS_WORDS.items())]
        lookup_enum: dict[str, str] = {norm(w): code.value for code, ws in words
                                       for w in (code.value, *ws)}
        listing = "; ".join(f"{code.value} ({', '.join(ws)})" for code, ws in words)

        def enum(value: Any) -> str:
            code = lookup_enum.get(norm(show(value)))
            if code is None:
                raise ValueError(f"unknown {spec.name}; accepted: {listing}")
            return code
        return enum
    if spec.type == "date":
        return parse_date
    # Fast paths for a numeric cell (a Python float): exactly what parse_int / parse_number return
    # for it, without their checks for bool, text and other types; anything else goes to them.
    if spec.type == "int":
        def integer(value: Any) -> int:
            number = int(value) if type(value) is float and value.is_integer() \
                else parse_int(value, country)
            _check_range(spec, number)
            _check_whole_max(spec, number)
            return number
        return integer

    def number(value: Any) -> float:
        out = value if type(value) is float and math.isfinite(value) else parse_number(value, country)
        _check_range(spec, out)
        return out
    return number


def _check_range(spec: Field, value: float) -> None:
    if spec.minimum is not None and value < spec.minimum:
        raise ValueError(f"{spec.name} must be >= {spec.minimum:g}")
    if spec.maximum is not None and value > spec.maximum:
        raise ValueError(f"{spec.name} must be <= {spec.maximum:g}")


def _check_whole_max(spec: Field, value: int) -> None:
    """Whole numbers are stored as 64-bit integers: anything above MAX_WHOLE is a cell error."""
    if value > MAX_WHOLE:
        low = f"from {fmt(spec.minimum)} " if spec.minimum is not None else ""
        raise ValueError(f"{spec.name} {fmt(value)} is too large: expected a whole number "
                         f"{low}to {MAX_WHOLE}")


def _number_accept(spec: Field) -> Callable[[np.ndarray[Any, Any]], np.ndarray[Any, Any]]:
    """Which numeric cells (floats) the number parser takes as they are: finite and in range."""
    import numpy as np

    def accept(values: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        ok: np.ndarray[Any, Any] = np.isfinite(values)
        if spec.minimum is not None:
            ok &= values >= spec.minimum
        if spec.maximum is not None:
            ok &= values <= spec.maximum
        return ok
    return accept


def _int_accept(spec: Field) -> Callable[[np.ndarray[Any, Any]], np.ndarray[Any, Any]]:
    """Which numeric cells the whole-number parser takes: whole, in range, at most MAX_WHOLE."""
    import numpy as np

    number_accept = _number_accept(spec)

    def accept(values: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        ok = number_accept(values)
        with np.errstate(invalid="ignore"):
            ok &= (np.floor(values) == values) & (values <= MAX_WHOLE)
        return ok
    return accept


def _parse_scores(cells: np.ndarray[Any, Any], config: Config, country: str | None,
                  floats: _Floats | None = None) -> _Column:
    import numpy as np

    scale = config.scale

    def score(value: Any) -> float:
        return parse_score(value, scale.min, scale.max, scale.step, country)

    def accept(values: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        # In range and exactly on a step; anything else (an error, or a value a hair off a step
        # that parse_score's tolerance decides) goes to parse_score itself.
        ok = (values >= scale.min) & (values <= scale.max)
        if scale.step > 0:
            with np.errstate(invalid="ignore"):
                ok &= np.rint(values / scale.step) * scale.step == values
        return ok
    return _parse_numbers(cells, score, accept, floats)


def _parse_numbers(cells: np.ndarray[Any, Any], parser: Callable[[Any], Any],
                   accept: Callable[[np.ndarray[Any, Any]], np.ndarray[Any, Any]],
                   floats: _Floats | None = None, *, whole: bool = False) -> _Column:
    """A numeric column: its numeric cells checked in one numpy pass, the rest parsed one by one.

    `floats` are the column's float cells from `_float_cells` (found here without it). Those
    that `accept` takes are exactly what the parser would return for them; NaN is blank. Text,
    booleans, other types and the floats `accept` refuses go to `_parse_distinct`, so every
    error message is the parser's own.
    """
    import numpy as np

    count = len(cells)
    if floats is None:
        (floats,) = _float_cells(cells.reshape(count, 1), [0]).values()
    is_float = floats[0]
    float_pos = np.flatnonzero(is_float)
    numbers = floats[1][float_pos]
    nan = np.isnan(numbers)
    good = accept(numbers) & ~nan
    rest = ~is_float
    rest[float_pos[~good & ~nan]] = True
    rest_pos = np.flatnonzero(rest)
    blank = np.zeros(count, dtype=bool)
    blank[float_pos[nan]] = True
    dtype = np.int64 if whole else np.float64
    values = np.zeros(count, dtype=np.int64) if whole else np.full(count, np.nan)
    valid = np.zeros(count, dtype=bool)
    values[float_pos[good]] = numbers[good].astype(dtype)
    valid[float_pos[good]] = True
    errors: dict[int, str] = {}
    if len(rest_pos):
        sub = _parse_distinct(cells[rest_pos], parser)
        blank[rest_pos] = sub.blank
        parsed = np.fromiter(map(operator.is_not, sub.values, repeat(None)), dtype=bool,
                             count=len(rest_pos))
        if parsed.any():
            values[rest_pos[parsed]] = np.array(sub.values[parsed].tolist(), dtype=dtype)
            valid[rest_pos[parsed]] = True
        errors = {int(rest_pos[p]): message for p, message in sub.errors.items()}
    return _Column(values, blank, errors, valid)


_STR_OR_NONE = frozenset({str, type(None)})


def _parse_text(cells: np.ndarray[Any, Any], parser: Callable[[Any], Any],
                limit: int | None) -> _Column:
    """A text column: when every cell is a str or None (as mostly), strip them all in one pass.

    Exactly what `_parse_distinct` gives with the text parser, without hashing every cell: a
    column of ids is all distinct. Any other column goes to `_parse_distinct`.
    """
    import numpy as np

    listed = cells.tolist()
    kinds = set(map(type, listed))
    if not kinds <= _STR_OR_NONE:
        return _parse_distinct(cells, parser)
    count = len(cells)
    stripped = [value.strip() if value is not None else "" for value in listed] \
        if type(None) in kinds else list(map(str.strip, listed))
    blank = np.fromiter(map(operator.not_, stripped), dtype=bool, count=count)
    values = np.empty(count, dtype=object)
    values[:] = stripped
    values[blank] = None
    errors: dict[int, str] = {}
    if limit is not None:
        too_long = np.fromiter(map(len, stripped), dtype=np.int64, count=count) > limit
        for pos in _positions(too_long):
            try:
                parser(cells[pos])
            except ValueError as exc:
                errors[pos] = str(exc)
                values[pos] = None
    return _Column(values, blank, errors)


def _parse_distinct(cells: np.ndarray[Any, Any], parser: Callable[[Any], Any]) -> _Column:
    """Parse each distinct non-blank value once; map results and errors back to every cell."""
    import numpy as np

    count = len(cells)
    values = np.full(count, None, dtype=object)
    errors: dict[int, str] = {}
    codes, uniques, skip = _factorize(cells)
    blank = (codes < 0) | skip[codes] if len(skip) else codes < 0
    present = ~blank
    if not present.any():
        return _Column(values, blank, errors)
    positions = np.flatnonzero(present)
    codes = codes[present]
    parsed: list[Any] = []
    failed: dict[int, str] = {}
    for u, (value, blank_value) in enumerate(zip(uniques, skip.tolist(), strict=True)):
        if blank_value:  # a blank value: no present cell has it
            parsed.append(None)
            continue
        try:
            parsed.append(parser(value))
        except ValueError as exc:
            parsed.append(None)
            failed[u] = str(exc)
    mapped = np.empty(len(uniques), dtype=object)
    mapped[:] = parsed
    values[positions] = mapped[codes]
    if failed:
        bad = np.isin(codes, list(failed))
        for pos, code in zip(positions[bad], codes[bad], strict=True):
            errors[int(pos)] = failed[int(code)]
    # True == 1 == 1.0 for factorize: a boolean and a number can share a distinct value. Such a
    # value equals 0 or 1, so only its cells are looked at; each boolean, and each cell whose
    # distinct value is a boolean, is parsed on its own.
    distinct = np.asarray(uniques, dtype=object)
    suspects = np.flatnonzero(((distinct == 0) | (distinct == 1)) & ~skip)
    if not len(suspects):
        return _Column(values, blank, errors)
    at_suspects = np.isin(codes, suspects)
    for pos, code in zip(positions[at_suspects], codes[at_suspects], strict=True):
        cell = cells[pos]
        if type(cell) is type(distinct[code]) or not (_is_bool(cell) or _is_bool(distinct[code])):
            continue
        errors.pop(int(pos), None)
        try:
            values[pos] = parser(cell)
        except ValueError as exc:
            values[pos] = None
            errors[int(pos)] = str(exc)
    return _Column(values, blank, errors)


def _is_bool(value: object) -> bool:
    return type(value) is bool


def _positions(mask: np.ndarray[Any, Any]) -> list[int]:
    import numpy as np

    return [int(p) for p in np.flatnonzero(mask)]


def _check_unique_ids(ids: _Column, kept: np.ndarray[Any, Any], first: int, *, sheet: str,
                      mapping: dict[str, int], errors: list[Issue]) -> None:
    import pandas as pd

    values = ids.values[kept]
    present = values != None  # noqa: E711 (elementwise on an object array)
    listed = values[present].tolist()
    if len(set(listed)) == len(listed):  # the usual case: no id twice
        return
    series = pd.Series(listed, index=kept[present] + first, dtype=object)
    dup = series.duplicated(keep="first")
    if not dup.any():
        return
    firsts, repeats = series[~dup], series[dup]
    first_row = dict(zip(firsts.tolist(), firsts.index.tolist(), strict=True))
    letter = col_letter(mapping["service_id"])
    for row, value in zip(repeats.index.tolist(), repeats.tolist(), strict=True):
        errors.append(Issue(sheet, f"{sheet}!{letter}{row}", row, "service_id", str(value),
                            f"service_id {value} is used twice (first in row {first_row[value]}); "
                            f"each service needs its own id"))


def _check_cis(served: _Column | None, kept: np.ndarray[Any, Any], first: int, *, sheet: str,
               mapping: dict[str, int], cis_total: int | None, errors: list[Issue]) -> None:
    if cis_total is None or served is None or served.valid is None:
        return
    letter = col_letter(mapping["cis_served"])
    over = kept[served.valid[kept] & (served.values[kept] > cis_total)]
    for pos in over.tolist():
        row, value = first + pos, int(served.values[pos])
        errors.append(Issue(sheet, f"{sheet}!{letter}{row}", row, "cis_served", str(value),
                            f"cis_served {value} is more than the partner's "
                            f"cluster_initiatives ({cis_total})"))


def _typed_services(columns: dict[str, _Column], kept: np.ndarray[Any, Any], first: int, *,
                    config: Config, result: WorkbookResult, sheet: str) -> pd.DataFrame:
    """The accepted rows (body positions `kept`), typed as services.parquet holds them."""
    import numpy as np
    import pandas as pd

    count = len(kept)
    typed = pd.DataFrame(index=pd.RangeIndex(count))
    typed["partner"] = result.partner
    for spec in SERVICE_COLUMNS:
        column = columns.get(spec.name)
        if spec.type in ("number", "amount"):
            typed[spec.name] = column.values[kept] if column is not None else np.full(count, np.nan)
        elif spec.type == "int":
            if column is None or column.valid is None:
                typed[spec.name] = pd.array([None] * count, dtype="Int64")
            else:
                typed[spec.name] = pd.arrays.IntegerArray(column.values[kept],
                                                          ~column.valid[kept])
        else:
            values = column.values[kept] if column is not None else np.full(count, None,
                                                                            dtype=object)
            typed[spec.name] = pd.Series(values, index=typed.index, dtype=object)
    for crit in config.score_criteria:
        column = columns.get(crit.id)
        typed[crit.id] = column.values[kept] if column is not None else np.full(count, np.nan)
    typed["source_file"] = result.file.name
    typed["source_sheet"] = sheet
    typed["source_row"] = (kept + first).astype("int64")
    return typed


def _rejected_records(issues: list[Issue], raw_row: Callable[[int], list[Any] | None],
                      header: list[Any], result: WorkbookResult) -> list[dict[str, Any]]:
    """One record per error of a rejected row, each with the row's raw cells, so nothing is lost."""
    names = [show(h) or col_letter(c) for c, h in enumerate(header)]
    raw: dict[int, str] = {}
    records = []
    for issue in issues:
        row = issue.row
        if row is not None and row not in raw:
            cells = raw_row(row)
            if cells is not None:
                raw[row] = json.dumps({names[c] if c < len(names) else col_letter(c): show(v)
                                       for c, v in enumerate(cells) if not is_blank(v)},
                                      ensure_ascii=False)
        records.append({"partner": result.partner, "source_file": result.file.name,
                        "source_sheet": issue.sheet, "source_row": row, "cell": issue.cell,
                        "column": issue.column, "value": issue.value, "message": issue.message,
                        "raw": raw.get(row, "{}") if row is not None else "{}"})
    return records


def _rejected_frame(records: list[dict[str, Any]]) -> pd.DataFrame:
    import pandas as pd

    frame = pd.DataFrame(records, columns=list(REJECTED_COLUMNS))
    frame["source_row"] = frame["source_row"].astype("Int64")
    return frame


def _read_needs(sheet: tuple[str, list[list[Any]]], config: Config,
                result: WorkbookResult) -> tuple[pd.DataFrame | None, list[dict[str, Any]]]:
    """The optional Needs sheet: how much the region's CIs need each category (1-5)."""
    import pandas as pd

    name, rows = sheet
    known = {norm(alias): f.name for f in NEEDS_COLUMNS for alias in (f.name, *f.aliases)}
    header_idx = _find_header(rows, known, len(NEEDS_COLUMNS))
    if header_idx is None:
        if all(all(is_blank(c) for c in row) for row in rows):
            return None, []
        result.errors.append(Issue(name, f"{name}!A1", 1, None, "",
                                   "no header row: the Needs sheet needs the columns category and "
                                   "importance (1-5) in one of its first 20 rows"))
        result.fatal = True
        return None, []
    header_row = header_idx + 1
    mapping = _map_columns(name, rows[header_idx], header_row, known, result)
    errors: list[Issue] = []
    records: list[dict[str, Any]] = []
    first_row: dict[str, int] = {}
    specs = {f.name: f for f in NEEDS_COLUMNS}
    parsers = {key: _parser(spec, config, result.partner) for key, spec in specs.items()}
    body = rows[header_idx + 1:]
    for r, row in enumerate(body, start=header_row + 1):
        if all(is_blank(c) for c in row):
            continue
        record: dict[str, Any] = {"partner": result.partner}
        row_errors: list[Issue] = []
        for key, c in mapping.items():
            value = row[c] if c < len(row) else None
            cell = f"{name}!{col_letter(c)}{r}"
            if is_blank(value) and key == "importance" and not row_errors and "category" in record:
                result.warnings.append(Issue(name, cell, r, key, "",
                                             f"no importance for {record['category']}: the default "
                                             f"need ({fmt(config.field_tests.default_need)}) is used"))
                record["_skip"] = True
                continue
            if is_blank(value):
                row_errors.append(Issue(name, cell, r, key, "",
                                        f"{key} is required: {_describe(specs[key], config)}"
                                        + (" from 1 to 5" if key == "importance" else "")))
                continue
            try:
                record[key] = parsers[key](value)
            except ValueError as exc:
                row_errors.append(Issue(name, cell, r, key, show(value), str(exc)))
        category = record.get("category")
        if category is not None and not row_errors:
            if category in first_row:
                c = mapping["category"]
                row_errors.append(Issue(name, f"{name}!{col_letter(c)}{r}", r, "category", category,
                                        f"category {category} is listed twice (first in row "
                                        f"{first_row[category]})"))
            else:
                first_row[category] = r
        if row_errors:
            errors.extend(row_errors)
        elif not record.pop("_skip", False):
            records.append(record)
    result.errors.extend(errors)
    frame = pd.DataFrame(records, columns=["partner", "category", "importance"])
    frame["importance"] = frame["importance"].astype("float64")

    def raw_row(row: int) -> list[Any] | None:
        pos = row - header_row - 1
        return body[pos] if 0 <= pos < len(body) else None

    return frame, _rejected_records(errors, raw_row, rows[header_idx], result)


# --- storing -----------------------------------------------------------------------------------------

@dataclass
class IngestReport:
    """Every file's outcome, in the order given."""

    files: list[WorkbookResult]

    @property
    def ok(self) -> bool:
        return all(f.written for f in self.files)

    def as_dict(self) -> dict[str, Any]:
        return {"files": [f.as_dict() for f in self.files]}


def ingest(paths: Iterable[Path], project: Project, config: Config, *, partner: str | None = None,
           accept_valid: bool = False,
           progress: Callable[[Path], None] | None = None) -> IngestReport:
    """Validate every file, then store those that may be written, all under one lock."""
    results = []
    for path in paths:
        results.append(validate_file(path, config, partner))
        if progress is not None:
            progress(path)
    writable = [r for r in results if not r.fatal and (accept_valid or not r.errors)]
    store(project, writable, results)
    return IngestReport(results)


def _lock(project: Project) -> Any:
    from filelock import FileLock

    project.processed_dir.mkdir(parents=True, exist_ok=True)
    return FileLock(str(project.processed_dir / LOCK_FILE), timeout=LOCK_TIMEOUT_S)


def store(project: Project, writable: Sequence[WorkbookResult],
          logged: Sequence[WorkbookResult]) -> None:
    """Replace each written partner's rows, keep its previous rows in history, log every file."""
    from filelock import Timeout

    from p4c.io import atomic_path

    folder = project.processed_dir
    try:
        with _lock(project), _no_gc():
            current = _read_current(folder)
            now = dt.datetime.now(dt.UTC)
            stamp = now.strftime("%Y%m%dT%H%M%S.%fZ")
            history: dict[Path, pd.DataFrame] = {}
            for result in writable:
                code = result.partner
                old = {name: frame[frame["partner"] == code] for name, frame in current.items()}
                if any(not f.empty for f in old.values()):
                    for name, frame in old.items():
                        if not frame.empty:
                            history[folder / HISTORY_DIR / f"{stamp}_{code}" / name] = frame
                for name in current:
                    current[name] = current[name][current[name]["partner"] != code]
                current[SERVICES_FILE] = _concat(current[SERVICES_FILE], result.services)
                current[PARTNERS_FILE] = _concat(current[PARTNERS_FILE],
                                                 _partner_frame(result, old[PARTNERS_FILE], now))
                current[NEEDS_FILE] = _concat(current[NEEDS_FILE], result.needs)
                current[REJECTED_FILE] = _concat(current[REJECTED_FILE], result.rejected)
            with contextlib.ExitStack() as stack:
                staged = []
                for path, frame in history.items():
                    staged.append((stack.enter_context(atomic_path(path)), frame))
                if writable:
                    for name, frame in current.items():
                        staged.append((stack.enter_context(atomic_path(folder / name)),
                                       _sorted(frame)))
                for tmp, frame in staged:
                    frame.to_parquet(tmp, index=False)
                for result in writable:
                    result.written = True
                log_path = folder / SUBMISSIONS_FILE
                log_tmp = stack.enter_context(atomic_path(log_path))
                _write_log(log_path, log_tmp, logged, now)
                # leaving the stack renames every staged file into place, history first
    except Timeout:
        raise P4CError(f"another p4c command is writing {folder}; waited {LOCK_TIMEOUT_S:.0f} s",
                       hint=f"Try again when it has finished (lock file: {folder / LOCK_FILE})."
                       ) from None


def _concat(base: pd.DataFrame, extra: pd.DataFrame | None) -> pd.DataFrame:
    import pandas as pd

    if extra is None or extra.empty:
        return base
    if base.empty:
        return extra.reset_index(drop=True)
    return pd.concat([base, extra], ignore_index=True)


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    keys = [k for k in ("partner", "source_row", "category") if k in frame.columns]
    return frame.sort_values(keys, kind="stable").reset_index(drop=True) if keys else frame


def _partner_frame(result: WorkbookResult, old: pd.DataFrame, now: dt.datetime) -> pd.DataFrame:
    import pandas as pd

    info = dict(result.partner_info or {})
    if not info and not old.empty:  # a CSV update keeps the details an earlier workbook gave
        previous = old.iloc[-1]
        info = {k: previous[k] for k in ("organisation", "region", "cluster_initiatives", "contact")}
    frame = pd.DataFrame([{
        "partner": result.partner, "organisation": info.get("organisation"),
        "region": info.get("region"), "cluster_initiatives": info.get("cluster_initiatives"),
        "contact": info.get("contact"), "source_file": result.file.name, "sha256": result.sha256,
        "ingested_at": now.isoformat(timespec="seconds"),
    }], columns=list(PARTNER_COLUMNS))
    frame["cluster_initiatives"] = frame["cluster_initiatives"].astype("Int64")
    return frame


def _read_current(folder: Path) -> dict[str, pd.DataFrame]:
    import pandas as pd

    current = {}
    for name in (SERVICES_FILE, PARTNERS_FILE, NEEDS_FILE, REJECTED_FILE):
        path = folder / name
        current[name] = pd.read_parquet(path) if path.is_file() else pd.DataFrame(
            {"partner": pd.Series(dtype=object)})
    return current


def _write_log(path: Path, tmp: Path, results: Sequence[WorkbookResult], now: dt.datetime) -> None:
    import csv

    previous = path.read_bytes() if path.is_file() else b""
    with tmp.open("w", encoding="utf-8", newline="") as fh:
        if previous:
            fh.write(previous.decode("utf-8"))
        writer = csv.writer(fh, lineterminator="\n")
        if not previous:
            writer.writerow(SUBMISSION_COLUMNS)
        for r in results:
            writer.writerow([now.isoformat(timespec="seconds"), r.partner or "", r.file.name,
                             r.sha256, r.accepted, r.rejected_rows, len(r.warnings),
                             str(r.written).lower(), __version__])


# --- reading back ------------------------------------------------------------------------------------

def load_processed(project: Project, config: Config,
                   columns: Sequence[str] | None = None) -> Processed:
    """The processed data, or a P4CError that says to run `p4c ingest` first.

    `columns`: read only these services columns (those the file holds, and service_id), such as
    `rank.input_columns(config)`: a fraction of the time and memory on a million services.
    """
    import pandas as pd

    folder = project.processed_dir
    path = folder / SERVICES_FILE
    if not path.is_file():
        raise P4CError(f"no processed data in {folder}",
                       hint="Run `p4c ingest data/raw/*` (or `p4c run`) first.")
    if columns is None:
        services = pd.read_parquet(path)
    else:
        import pyarrow.parquet as pq

        held = set(pq.read_schema(path).names)
        wanted = [c for c in dict.fromkeys(["service_id", *columns]) if c in held]
        services = pd.read_parquet(path, columns=wanted)
    if services.empty or "service_id" not in services.columns:
        raise P4CError(f"{path} holds no services", hint="Ingest partner workbooks first.")
    partners = pd.read_parquet(folder / PARTNERS_FILE)
    needs_path = folder / NEEDS_FILE
    needs = pd.read_parquet(needs_path) if needs_path.is_file() else pd.DataFrame()
    if "category" not in needs.columns:
        needs = pd.DataFrame({"partner": pd.Series(dtype=object),
                              "category": pd.Series(dtype=object),
                              "importance": pd.Series(dtype="float64")})
    for crit in config.score_criteria:  # a criterion added to the config after the ingest
        if crit.id not in services.columns and (columns is None or crit.id in columns):
            services[crit.id] = float("nan")
    return Processed(services, partners, needs)


def status(project: Project) -> pd.DataFrame:
    """One row per ingested partner: organisation, services, source file, sha256, when."""
    import pandas as pd

    folder = project.processed_dir
    path = folder / PARTNERS_FILE
    columns = ["partner", "organisation", "region", "services", "rejected", "source_file", "sha256",
               "ingested_at"]
    if not path.is_file():
        return pd.DataFrame(columns=columns)
    partners = pd.read_parquet(path)
    services = pd.read_parquet(folder / SERVICES_FILE, columns=["partner"])
    counts = services["partner"].value_counts()
    rejected_path = folder / REJECTED_FILE
    rejected = pd.Series(dtype="int64")
    if rejected_path.is_file():
        rej = pd.read_parquet(rejected_path)
        if not rej.empty:
            rejected = rej.drop_duplicates(["partner", "source_sheet", "source_row"])["partner"] \
                .value_counts()
    out = partners.assign(services=partners["partner"].map(counts).fillna(0).astype(int),
                          rejected=partners["partner"].map(rejected).fillna(0).astype(int))
    return out[columns].sort_values("partner").reset_index(drop=True)
