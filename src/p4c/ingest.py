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
import dataclasses
import datetime as dt
import json
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from p4c.columns import (
    Column,
    blank_cells,
    cell_grid,
    check_whole_max,
    float_cells,
    guarded,
    logical_in_text,
    parse_column,
    parse_scores,
    required_message,
    value_parser,
)
from p4c.errors import P4CError
from p4c.io import NOT_A_NUMBER, column_letters
from p4c.memory import no_gc
from p4c.messages import Msg, message_of, msg, render
from p4c.models import (
    NEEDS_COLUMNS,
    PARTNER_KEYS,
    SERVICE_COLUMNS,
    SHEET_NAMES,
    Field,
    canonical_code,
)
from p4c.store import PARTNER_DETAILS, REJECTED_COLUMNS
from p4c.values import closest, fmt, is_blank, norm, parse_int, show

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from p4c.config import Config, Project
    from p4c.io import Book
    from p4c.kinds import Context
    from p4c.store import LogLine

HEADER_SEARCH_ROWS = 20
MIN_HEADER_MATCHES = 3

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
    message: str  # a `p4c.messages.Msg` where p4c made it: it renders in en, fr and de
    header: str | None = None  # the column's header (or the key) as the partner wrote it

    def as_dict(self) -> dict[str, Any]:
        return {
            "sheet": self.sheet,
            "cell": self.cell,
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "message": self.message,
        }

    def translated(self, lang: str) -> Issue:
        """The issue with its message in `lang` (en, fr, de), naming its column by the partner's header."""
        message = self.message
        if isinstance(message, Msg) and self.header and message.params.get("column") == self.column:
            message = Msg(message.template, {**message.params, "column": self.header})
        return dataclasses.replace(self, message=render(message, lang))


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
    kind: str = "partner"  # partner, scoring, field_tests or plan: see p4c.kinds
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)  # what the other kinds store
    rows: int = 0  # the rows the other kinds accepted (their main table)
    lang: str = "en"  # the workbook's language, told from its sheet and header names
    feedback: Path | None = None  # the feedback workbook written for the partner, if any

    @property
    def noun(self) -> str:
        """What one accepted row of this kind of workbook is, for messages."""
        return {"scoring": "rated service", "field_tests": "field test", "plan": "action"}.get(
            self.kind, "service"
        )

    @property
    def accepted(self) -> int:
        if self.kind != "partner":
            return self.rows
        return 0 if self.services is None else len(self.services)

    @property
    def rejected_rows(self) -> int:
        if self.rejected is None or self.rejected.empty:
            return 0
        return int(self.rejected[["source_sheet", "source_row"]].drop_duplicates().shape[0])

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": str(self.file),
            "kind": self.kind,
            "partner": self.partner,
            "accepted": self.accepted,
            "rejected": self.rejected_rows,
            "written": self.written,
            "errors": [i.as_dict() for i in self.errors],
            "warnings": [i.as_dict() for i in self.warnings],
        }


def partner_from_filename(path: Path) -> str | None:
    """`MT_services.csv` or `mt-2011.csv` -> MT, when the two letters are a known country code."""
    match = _FILE_CODE.match(path.name)
    if not match:
        return None
    return canonical_code(match.group(1))


# --- validation --------------------------------------------------------------------------------------


def validate_file(
    path: Path, config: Config, partner: str | None = None, context: Context | None = None
) -> WorkbookResult:
    """Read and validate one file; an unreadable file is one error, never an exception."""
    result = WorkbookResult(file=path)
    with no_gc():
        try:
            book, result.sha256 = _read_and_hash(path, config, context)
        except (P4CError, OSError) as exc:
            message = (
                message_of(exc)
                if isinstance(exc, P4CError)
                else msg("{file}: {reason}", file=path.name, reason=exc.strerror)
            )
            result.errors.append(Issue(None, None, None, None, "", message))
            result.fatal = True
            return result
        validate_book(book, config, partner, result, context)
        del book  # before the collector is back: it would walk every row once more
    return result


def _read_and_hash(path: Path, config: Config, context: Context | None = None) -> tuple[Book, str]:
    """The file's sheets and its sha256; a reading error comes first, as if read before hashing.

    calamine parses a workbook in a child process, so a spreadsheet is read in a thread while
    this one imports what validating and storing will need. Once the reading thread has sized
    the sheets, and while calamine still parses, it hashes the file and, for a scoring,
    field-test or plan workbook (its sheet names tell), reads the store's services and partners
    that the workbook is checked against; then and not earlier, so that it never competes with
    the parser for the two CPUs. (Where there is no fork, calamine parses in the reading thread
    after them.) A CSV is read here.
    """
    import threading

    from p4c.io import SPREADSHEET_TYPES, read_book, sha256_file
    from p4c.kinds import kind_of_sheets

    hashed: list[str] = []
    hash_error: list[OSError] = []

    def meanwhile(sheet_names: list[str]) -> None:
        try:
            hashed.append(sha256_file(path))
        except OSError as exc:
            hash_error.append(exc)
        if context is not None and kind_of_sheets(sheet_names) is not None:
            # Any error here (a damaged store) is met again when validating, and said there as
            # before: in this thread it would pass for the workbook's own.
            with contextlib.suppress(Exception):
                context.warm()

    def read() -> Book:
        return read_book(
            path,
            max_rows=config.limits.max_rows,
            max_file_mb=config.limits.max_file_mb,
            max_uncompressed_mb=config.limits.max_uncompressed_mb,
            meanwhile=meanwhile,
        )

    if path.suffix.lower() not in SPREADSHEET_TYPES:
        book = read()
        return book, sha256_file(path)
    outcome: dict[str, Any] = {}

    def work() -> None:
        try:
            outcome["book"] = read()
        except BaseException as exc:  # raised again in the calling thread
            outcome["error"] = exc

    reader = threading.Thread(target=work, name="p4c-read", daemon=True)
    reader.start()
    _preload()
    reader.join()
    if "error" in outcome:
        raise outcome["error"]
    if hash_error:
        raise hash_error[0]
    return outcome["book"], hashed[0] if hashed else sha256_file(path)


def _preload() -> None:
    """Import the libraries validating and storing use (while a workbook is read in a thread)."""
    import numpy  # noqa: F401
    import pandas  # noqa: F401
    import pyarrow.parquet  # noqa: F401


def validate_book(
    book: Book,
    config: Config,
    partner: str | None = None,
    result: WorkbookResult | None = None,
    context: Context | None = None,
) -> WorkbookResult:
    """Validate a workbook's sheets against the contract; pure apart from the result it fills."""
    result = result or WorkbookResult(file=book.path)
    from p4c.feedback import detect_language

    result.lang = detect_language(book)
    for note in book.notes:  # what reading changed or guessed (control characters, encoding)
        result.warnings.append(Issue(note.sheet, note.cell, note.row, None, note.value, note.message))
    from p4c.kinds import Context, kind_of

    kind = kind_of(book)
    if kind is not None:
        result.kind = kind.name
        kind.validate(book, config, partner_option(partner), result, context or Context(None))
        return result
    sheets = _find_sheets(book, result)
    if result.fatal:
        return result
    option_code = partner_option(partner)
    if "Partner" in sheets:
        info = read_key_sheet(sheets["Partner"], config, result)
        code = info.get("partner_code") if info else None
        named = partner_from_filename(book.path)
        for source, other in (
            (msg("--partner says {code}", code=option_code), option_code),
            (msg("the file name {file} says {code}", file=book.path.name, code=named), named),
        ):
            if code and other and code != other:
                result.errors.append(
                    Issue(
                        sheets["Partner"][0],
                        info.get("_cell"),
                        info.get("_row"),
                        "partner_code",
                        code,
                        msg(
                            "the Partner sheet says {code} but {source}; they must agree "
                            "(fix the sheet, or rename the file)",
                            code=code,
                            source=source,
                        ),
                    )
                )
                result.fatal = True
                break
        result.partner = code or option_code
        if info:
            result.partner_info = {k: info.get(k) for k in PARTNER_DETAILS}
    else:
        code = option_code or partner_from_filename(book.path)
        if code is None:
            result.errors.append(
                Issue(
                    None,
                    None,
                    None,
                    "partner_code",
                    book.path.name,
                    msg(
                        "cannot tell which partner this file is from: it has no Partner sheet; "
                        "pass --partner CODE or start the file name with the country code "
                        "(e.g. MT_services.csv)"
                    ),
                )
            )
            result.fatal = True
            return result
        result.partner = code
        known = config.partners.get(code)
        if known is not None:
            result.partner_info = known.model_dump()
        else:
            result.warnings.append(
                Issue(
                    None,
                    None,
                    None,
                    "cluster_initiatives",
                    "",
                    msg(
                        "no Partner sheet and no `partners: {code}:` entry in config: "
                        "cluster_initiatives is unknown, so pertinence cannot be computed "
                        "and cis_served is not checked",
                        code=code,
                    ),
                )
            )
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


def sheets_by_role(
    book: Book, roles: Mapping[str, tuple[str, ...]], result: WorkbookResult
) -> dict[str, tuple[str, list[list[Any]]]]:
    """The sheets of a book by role (names matched loosely); two sheets of one role are an error."""
    found: dict[str, tuple[str, list[list[Any]]]] = {}
    lookup = {norm(alias): role for role, aliases in roles.items() for alias in aliases}
    for name, rows in book.sheets.items():
        role = lookup.get(norm(name))
        if role is None:
            continue
        if role in found:
            message = msg(
                "two sheets are {role} sheets ({first} and {second}); keep one",
                role=role,
                first=found[role][0],
                second=name,
            )
            result.errors.append(Issue(name, None, None, None, name, message))
            result.fatal = True
        found[role] = (name, rows)
    return found


NO_SERVICES_SHEET = "no Services sheet; sheets found: {found}; accepted names: {accepted}"
NO_SERVICES_SHEET_GUESS = (
    "no Services sheet; sheets found: {found}; accepted names: {accepted}; did you mean {guess}?"
)
NO_PARTNER_SHEET = (
    "no Partner sheet; accepted names: {accepted} (only a CSV or a one-sheet workbook may leave it out)"
)
NO_PARTNER_SHEET_GUESS = (
    "no Partner sheet; accepted names: {accepted} (only a CSV or a one-sheet workbook may "
    "leave it out); did you mean {guess}?"
)


def _find_sheets(book: Book, result: WorkbookResult) -> dict[str, tuple[str, list[list[Any]]]]:
    found = sheets_by_role(book, SHEET_NAMES, result)
    names = book.sheet_names  # every sheet of the file; only role sheets (or a lone one) are read
    if "Services" not in found:
        if len(names) == 1:
            name = names[0]
            found = {"Services": (name, book.sheets[name])}
        else:
            _no_sheet(result, names, "Services")
    elif len(names) > 1 and "Partner" not in found:
        _no_sheet(result, names, "Partner")
    return found


def _no_sheet(result: WorkbookResult, names: Sequence[str], role: str) -> None:
    """The fatal error of a workbook without a sheet of `role` (Services; Partner in a workbook of
    several sheets), naming the sheet whose name looks like a typo of an accepted one."""
    found, accepted = ", ".join(names), ", ".join(SHEET_NAMES[role])
    guess = _sheet_guess(names, role)
    if role == "Services":
        message = (
            msg(NO_SERVICES_SHEET_GUESS, found=found, accepted=accepted, guess=guess)
            if guess
            else msg(NO_SERVICES_SHEET, found=found, accepted=accepted)
        )
    else:
        message = (
            msg(NO_PARTNER_SHEET_GUESS, accepted=accepted, guess=guess)
            if guess
            else msg(NO_PARTNER_SHEET, accepted=accepted)
        )
    result.errors.append(Issue(None, None, None, None, found, message))
    result.fatal = True


def _sheet_guess(names: Sequence[str], role: str) -> str | None:
    """`Prestatons -> Prestations`: the sheet whose name is a typo of one of the role's names."""
    taken = {norm(alias) for aliases in SHEET_NAMES.values() for alias in aliases}
    aliases = {alias: alias for alias in SHEET_NAMES[role]}
    for name in names:
        if norm(name) in taken:
            continue
        guess = closest(name, aliases)
        if guess is not None:
            return f"{name} -> {guess[:1].upper()}{guess[1:]}"
    return None


def read_key_sheet(
    sheet: tuple[str, list[list[Any]]],
    config: Config,
    result: WorkbookResult,
    keys: tuple[Field, ...] = PARTNER_KEYS,
) -> dict[str, Any]:
    """A key/value sheet (key in column A, value in B); `_cell` and `_row` locate the first key."""
    name, rows = sheet
    lookup = {norm(alias): f for f in keys for alias in (f.name, *f.aliases)}
    info: dict[str, Any] = {}
    seen: dict[str, int] = {}
    for r, row in enumerate(rows, start=1):
        cells = [*row, None, None][:2]
        key_cell, value = cells
        if is_blank(key_cell):
            if not is_blank(value):
                result.warnings.append(
                    Issue(
                        name,
                        f"{name}!B{r}",
                        r,
                        None,
                        show(value),
                        msg("a value with no key in column A is ignored"),
                    )
                )
            continue
        key = norm(str(key_cell))
        spec = lookup.get(key)
        if spec is None:
            if key in _HEADER_WORDS:
                continue
            result.warnings.append(
                Issue(
                    name,
                    f"{name}!A{r}",
                    r,
                    None,
                    show(key_cell),
                    msg("unknown key ignored; known keys: {keys}", keys=", ".join(f.name for f in keys)),
                    header=show(key_cell),
                )
            )
            continue
        if spec.name in seen:
            result.errors.append(
                Issue(
                    name,
                    f"{name}!A{r}",
                    r,
                    spec.name,
                    show(key_cell),
                    msg(
                        "{column} is given twice (first in row {first})",
                        column=spec.name,
                        first=seen[spec.name],
                    ),
                    header=show(key_cell),
                )
            )
            continue
        seen[spec.name] = r
        cell = f"{name}!B{r}"
        if is_blank(value) and not isinstance(value, float):  # NaN is an error cell, not a blank
            if spec.required:
                result.errors.append(
                    Issue(name, cell, r, spec.name, "", required_message(spec, config), show(key_cell))
                )
            continue
        try:
            parsed = _parse_partner_value(spec, value)
        except ValueError as exc:
            result.errors.append(
                Issue(name, cell, r, spec.name, show(value), message_of(exc), show(key_cell))
            )
            continue
        info[spec.name] = parsed
        if spec is keys[0]:
            info["_cell"], info["_row"] = cell, r
    for spec in keys:
        if spec.required and spec.name not in seen:
            result.errors.append(
                Issue(
                    name,
                    f"{name}!A{len(rows) + 1}",
                    None,
                    spec.name,
                    "",
                    msg(
                        "required key {column} is missing; add a row with {column} (or {aliases}) "
                        "in column A and its value in column B",
                        column=spec.name,
                        aliases=", ".join(spec.aliases),
                    ),
                )
            )
    if any(i.sheet == name for i in result.errors):
        result.fatal = True
    return info


def _parse_partner_value(spec: Field, value: object) -> object:
    """A Partner sheet value; an error cell, NaN or a logical value in a text key is an error."""
    return guarded(lambda cell: _partner_value(spec, cell))(value)


def _partner_value(spec: Field, value: object) -> object:
    if isinstance(value, float) and math.isnan(value):
        raise ValueError(NOT_A_NUMBER.message)
    if type(value) is bool and spec.type != "int":
        raise ValueError(logical_in_text(value))
    if spec.type == "code":
        code = canonical_code(show(value))
        if code is None:
            raise ValueError(
                msg("expected an ISO 3166 alpha-2 country code such as BE, EE, FR, SI, DE, GR (or EL), MT")
            )
        return code
    if spec.type == "int":
        number = parse_int(value)
        if spec.minimum is not None and number < spec.minimum:
            raise ValueError(msg("expected a whole number >= {minimum}", minimum=f"{spec.minimum:g}"))
        check_whole_max(spec, number)
        return number
    return show(value).strip()


def find_header(rows: list[list[Any]], known: dict[str, str], minimum: int) -> int | None:
    for r, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        hits = sum(1 for cell in row if isinstance(cell, str) and norm(cell) in known)
        if hits >= minimum:
            return r
    return None


def no_header(result: WorkbookResult, sheet: str, message: Msg) -> None:
    """No header row found: an error at the sheet's A1, and nothing of the sheet can be read."""
    result.errors.append(Issue(sheet, f"{sheet}!A1", 1, None, "", message))
    result.fatal = True


def check_required_columns(  # noqa: PLR0917 - the sheet, its header row and what was found in it
    sheet: str,
    header: list[Any],
    header_row: int,
    mapping: Mapping[str, int],
    specs: Iterable[Field],
    result: WorkbookResult,
) -> None:
    """A required column that no header names: a fatal error just past the header row's last cell."""
    for spec in specs:
        if spec.required and spec.name not in mapping:
            cell = f"{sheet}!{column_letters(len(header))}{header_row}"
            result.errors.append(Issue(sheet, cell, header_row, spec.name, "", missing_column(spec)))
            result.fatal = True


def _service_headers(config: Config) -> dict[str, str]:
    known = {norm(alias): f.name for f in SERVICE_COLUMNS for alias in (f.name, *f.aliases)}
    for crit in config.score_criteria:
        for word in (crit.id, f"score {crit.id}", *crit.label.values()):
            known[norm(word)] = crit.id
    return known


def map_columns(
    sheet_name: str, header: list[Any], header_row: int, known: dict[str, str], result: WorkbookResult
) -> dict[str, int]:
    mapping: dict[str, int] = {}
    for c, cell in enumerate(header):
        if is_blank(cell):
            continue
        target = known.get(norm(show(cell)))
        address = f"{sheet_name}!{column_letters(c)}{header_row}"
        if target is None:
            guess = closest(show(cell), {word: word for word in known})
            message = (
                msg("unknown column ignored; did you mean {guess}?", guess=guess)
                if guess
                else msg("unknown column ignored")
            )
            result.warnings.append(
                Issue(sheet_name, address, header_row, show(cell), show(cell), message, show(cell))
            )
        elif target in mapping:
            first = f"{column_letters(mapping[target])}{header_row}"
            result.errors.append(
                Issue(
                    sheet_name,
                    address,
                    header_row,
                    target,
                    show(cell),
                    msg(
                        "a second {column} column (the first is {first}); keep one",
                        column=target,
                        first=first,
                    ),
                    show(cell),
                )
            )
            result.fatal = True
        else:
            mapping[target] = c
    return mapping


def _read_services(
    sheet: tuple[str, list[list[Any]]], config: Config, result: WorkbookResult, cis_total: int | None
) -> tuple[pd.DataFrame | None, list[dict[str, Any]]]:
    import numpy as np

    name, rows = sheet
    known = _service_headers(config)
    header_idx = find_header(rows, known, MIN_HEADER_MATCHES)
    if header_idx is None:
        no_header(
            result,
            name,
            msg(
                "no header row in the first {rows} rows: a header row needs at least "
                "{count} known column names, such as service_id, title, category, provider, status",
                rows=HEADER_SEARCH_ROWS,
                count=MIN_HEADER_MATCHES,
            ),
        )
        return None, []
    header_row = header_idx + 1
    mapping = map_columns(name, rows[header_idx], header_row, known, result)
    specs = {f.name: f for f in SERVICE_COLUMNS}
    check_required_columns(name, rows[header_idx], header_row, mapping, SERVICE_COLUMNS, result)
    if result.fatal:
        return None, []
    body = rows[header_idx + 1 :]
    first = header_row + 1  # the sheet row of body position 0
    grid = cell_grid(body)
    count, width = grid.shape
    country = result.partner
    numeric = [
        c
        for col_name, c in mapping.items()
        if c < width and (col_name not in specs or specs[col_name].type in ("number", "amount", "int"))
    ]
    floats = float_cells(grid, numeric)
    columns: dict[str, Column] = {}
    for col_name, c in mapping.items():
        cells = grid[:, c] if c < width else np.full(count, None, dtype=object)
        col_spec = specs.get(col_name)
        if col_spec is None:
            columns[col_name] = parse_scores(cells, config, country, floats.get(c))
        else:
            columns[col_name] = parse_column(col_spec, cells, config, country, floats.get(c))
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
            row_blank[candidates] = blank_cells(grid[candidates, c])
    errors: list[Issue] = []
    headers = rows[header_idx]
    for col_name, c in mapping.items():
        letter = column_letters(c)
        for pos, message in columns[col_name].errors.items():
            if row_blank[pos]:  # only a required blank: the row is skipped
                continue
            row = first + pos
            errors.append(
                Issue(
                    name,
                    f"{name}!{letter}{row}",
                    row,
                    col_name,
                    show(grid[pos, c] if c < width else None),
                    message,
                )
            )
    if errors:
        required = [spec.name for spec in SERVICE_COLUMNS if spec.required and spec.name in columns]
        errors = _stray_rows(errors, grid, first, name, [columns[n].blank for n in required])
    kept = np.flatnonzero(~row_blank)
    if not len(kept):
        result.errors.append(
            Issue(
                name,
                f"{name}!A{first}",
                first,
                None,
                "",
                msg(
                    "no service below the header row ({row}): a workbook lists at least one "
                    "service; to take partner {partner} out of the processed data, run "
                    "`p4c withdraw {partner}`",
                    row=header_row,
                    partner=result.partner,
                ),
            )
        )
        result.fatal = True
        return None, []
    _check_unique_ids(columns["service_id"], kept, first, sheet=name, mapping=mapping, errors=errors)
    _check_cis(
        columns.get("cis_served"),
        kept,
        first,
        sheet=name,
        mapping=mapping,
        cis_total=cis_total,
        errors=errors,
    )
    errors = [_headed(i, headers, mapping) for i in errors]
    rejected_rows = {i.row for i in errors}
    if errors:
        result.errors.extend(sorted(errors, key=lambda i: (i.row or 0, i.cell or "")))
    if rejected_rows:
        kept = kept[
            ~np.isin(kept + first, np.fromiter(rejected_rows, dtype=np.int64, count=len(rejected_rows)))
        ]
    out = _typed_services(columns, kept, first, config=config, result=result, sheet=name)

    def raw_row(row: int) -> list[Any] | None:
        pos = row - first
        return grid[pos].tolist() if 0 <= pos < count and not row_blank[pos] else None

    return out, _rejected_records(errors, raw_row, rows[header_idx], result)


# A row whose first word is one of these, with required cells blank, is a total line.
_TOTAL_WORDS = frozenset(
    {
        "total",
        "totals",
        "totaux",
        "sum",
        "somme",
        "summe",
        "gesamt",
        "insgesamt",
        "gesamtsumme",
        "zwischensumme",
    }
    | {"subtotal", "sous", "grand"}
)
# Required cells blank in a row of at most this many filled cells: a note, not a service.
_NOTE_MAX_CELLS = 2


def _stray_rows(
    errors: list[Issue], grid: np.ndarray[Any, Any], first: int, sheet: str, required_blank: list[Any]
) -> list[Issue]:
    """A total or notes line below the services is one error (`remove it`), not one per blank cell.

    A total line: its first text names a total (Total, Somme, Summe, Gesamt...) or it holds only
    numbers, and at least two required cells are blank. A notes line: at most two cells filled and
    at least three required cells blank.
    """
    by_row: dict[int, list[Issue]] = {}
    for issue in errors:
        by_row.setdefault(issue.row or 0, []).append(issue)
    out: list[Issue] = []
    for row, issues in by_row.items():
        pos = row - first
        blanks = sum(bool(mask[pos]) for mask in required_blank) if 0 <= pos < len(grid) else 0
        if blanks < 2:
            out.extend(issues)
            continue
        filled = [(c, v) for c, v in enumerate(grid[pos].tolist()) if not is_blank(v)]
        words = [norm(v).split() for _, v in filled if isinstance(v, str)]
        named_total = any(w and (w[0] in _TOTAL_WORDS) for w in words[:2])
        numbers_only = bool(filled) and all(isinstance(v, int | float) for _, v in filled) and blanks >= 3
        if named_total or numbers_only:
            message = msg("row {row} looks like a total line: remove it", row=row)
        elif blanks >= 3 and len(filled) <= _NOTE_MAX_CELLS:
            message = msg("row {row} looks like a notes line: remove it", row=row)
        else:
            out.extend(issues)
            continue
        c, value = filled[0] if filled else (0, None)
        out.append(Issue(sheet, f"{sheet}!{column_letters(c)}{row}", row, None, show(value), message))
    return out


def _headed(issue: Issue, headers: list[Any], mapping: Mapping[str, int]) -> Issue:
    """The issue with its column's header as the partner wrote it, when the column is known."""
    c = mapping.get(issue.column or "")
    if issue.header is not None or c is None or c >= len(headers):
        return issue
    return dataclasses.replace(issue, header=show(headers[c]))


def missing_column(spec: Field) -> Msg:
    """A required column no header names."""
    return msg(
        "required column {column} is missing; head a column with one of: {aliases}",
        column=spec.name,
        aliases=", ".join((spec.name, *spec.aliases)),
    )


def _check_unique_ids(
    ids: Column,
    kept: np.ndarray[Any, Any],
    first: int,
    *,
    sheet: str,
    mapping: dict[str, int],
    errors: list[Issue],
) -> None:
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
    letter = column_letters(mapping["service_id"])
    for row, value in zip(repeats.index.tolist(), repeats.tolist(), strict=True):
        errors.append(
            Issue(
                sheet,
                f"{sheet}!{letter}{row}",
                row,
                "service_id",
                str(value),
                msg(
                    "service_id {value} is used twice (first in row {first}); each service needs its own id",
                    value=value,
                    first=first_row[value],
                ),
            )
        )


def _check_cis(
    served: Column | None,
    kept: np.ndarray[Any, Any],
    first: int,
    *,
    sheet: str,
    mapping: dict[str, int],
    cis_total: int | None,
    errors: list[Issue],
) -> None:
    if cis_total is None or served is None or served.valid is None:
        return
    letter = column_letters(mapping["cis_served"])
    over = kept[served.valid[kept] & (served.values[kept] > cis_total)]
    for pos in over.tolist():
        row, value = first + pos, int(served.values[pos])
        errors.append(
            Issue(
                sheet,
                f"{sheet}!{letter}{row}",
                row,
                "cis_served",
                str(value),
                msg(
                    "cis_served {value} is more than the partner's cluster_initiatives ({total})",
                    value=value,
                    total=cis_total,
                ),
            )
        )


def _typed_services(
    columns: dict[str, Column],
    kept: np.ndarray[Any, Any],
    first: int,
    *,
    config: Config,
    result: WorkbookResult,
    sheet: str,
) -> pd.DataFrame:
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
                typed[spec.name] = pd.arrays.IntegerArray(column.values[kept], ~column.valid[kept])
        else:
            values = column.values[kept] if column is not None else np.full(count, None, dtype=object)
            typed[spec.name] = pd.Series(values, index=typed.index, dtype=object)
    for crit in config.score_criteria:
        column = columns.get(crit.id)
        typed[crit.id] = column.values[kept] if column is not None else np.full(count, np.nan)
    typed["source_file"] = result.file.name
    typed["source_sheet"] = sheet
    typed["source_row"] = (kept + first).astype("int64")
    return typed


def _rejected_records(
    issues: list[Issue], raw_row: Callable[[int], list[Any] | None], header: list[Any], result: WorkbookResult
) -> list[dict[str, Any]]:
    """One record per error of a rejected row, each with the row's raw cells, so nothing is lost."""
    names = [show(h) or column_letters(c) for c, h in enumerate(header)]
    raw: dict[int, str] = {}
    records = []
    for issue in issues:
        row = issue.row
        if row is not None and row not in raw:
            cells = raw_row(row)
            if cells is not None:
                raw[row] = json.dumps(
                    {
                        names[c] if c < len(names) else column_letters(c): show(v)
                        for c, v in enumerate(cells)
                        if not is_blank(v)
                    },
                    ensure_ascii=False,
                )
        records.append(
            {
                "partner": result.partner,
                "source_file": result.file.name,
                "source_sheet": issue.sheet,
                "source_row": row,
                "cell": issue.cell,
                "column": issue.column,
                "value": issue.value,
                "message": str(issue.message),
                "raw": raw.get(row, "{}") if row is not None else "{}",
            }
        )
    return records


def _rejected_frame(records: list[dict[str, Any]]) -> pd.DataFrame:
    import pandas as pd

    frame = pd.DataFrame(records, columns=list(REJECTED_COLUMNS))
    frame["source_row"] = frame["source_row"].astype("Int64")
    return frame


def _read_needs(
    sheet: tuple[str, list[list[Any]]], config: Config, result: WorkbookResult
) -> tuple[pd.DataFrame | None, list[dict[str, Any]]]:
    """The optional Needs sheet: how much the region's CIs need each category (1-5)."""
    import pandas as pd

    name, rows = sheet
    known = {norm(alias): f.name for f in NEEDS_COLUMNS for alias in (f.name, *f.aliases)}
    header_idx = find_header(rows, known, len(NEEDS_COLUMNS))
    if header_idx is None:
        if all(all(is_blank(c) for c in row) for row in rows):
            return None, []
        no_header(
            result,
            name,
            msg(
                "no header row: the Needs sheet needs the columns category and "
                "importance (1-5) in one of its first 20 rows"
            ),
        )
        return None, []
    header_row = header_idx + 1
    mapping = map_columns(name, rows[header_idx], header_row, known, result)
    errors: list[Issue] = []
    records: list[dict[str, Any]] = []
    first_row: dict[str, int] = {}
    specs = {f.name: f for f in NEEDS_COLUMNS}
    parsers = {key: value_parser(spec, config, result.partner) for key, spec in specs.items()}
    body = rows[header_idx + 1 :]
    defaulted: list[Issue] = []  # categories with no importance: one warning if none has one
    for r, row in enumerate(body, start=header_row + 1):
        if all(is_blank(c) for c in row):
            continue
        record: dict[str, Any] = {"partner": result.partner}
        row_errors: list[Issue] = []
        for key, c in mapping.items():
            value = row[c] if c < len(row) else None
            cell = f"{name}!{column_letters(c)}{r}"
            if is_blank(value) and key == "importance" and not row_errors and "category" in record:
                defaulted.append(
                    Issue(
                        name,
                        cell,
                        r,
                        key,
                        "",
                        msg(
                            "no importance for {category}: the default need ({need}) is used",
                            category=record["category"],
                            need=fmt(config.field_tests.default_need),
                        ),
                    )
                )
                record["_skip"] = True
                continue
            if is_blank(value):
                row_errors.append(
                    Issue(
                        name,
                        cell,
                        r,
                        key,
                        "",
                        msg("importance is required: a number from 1 to 5")
                        if key == "importance"
                        else required_message(specs[key], config),
                    )
                )
                continue
            try:
                record[key] = parsers[key](value)
            except ValueError as exc:
                row_errors.append(Issue(name, cell, r, key, show(value), message_of(exc)))
        category = record.get("category")
        if category is not None and not row_errors:
            if category in first_row:
                c = mapping["category"]
                row_errors.append(
                    Issue(
                        name,
                        f"{name}!{column_letters(c)}{r}",
                        r,
                        "category",
                        category,
                        msg(
                            "category {category} is listed twice (first in row {first})",
                            category=category,
                            first=first_row[category],
                        ),
                    )
                )
            else:
                first_row[category] = r
        if row_errors:
            errors.extend(row_errors)
        elif not record.pop("_skip", False):
            records.append(record)
    need = fmt(config.field_tests.default_need)
    if len(defaulted) > 1 and not records:
        c = mapping["importance"]
        defaulted = [
            Issue(
                name,
                f"{name}!{column_letters(c)}{header_row}",
                header_row,
                "importance",
                "",
                msg(
                    "no importance is filled in on the Needs sheet: the default need ({need}) "
                    "is used for every category",
                    need=need,
                ),
            )
        ]
    result.warnings.extend(_headed(i, rows[header_idx], mapping) for i in defaulted)
    errors = [_headed(i, rows[header_idx], mapping) for i in errors]
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


def ingest(
    paths: Iterable[Path],
    project: Project,
    config: Config,
    *,
    partner: str | None = None,
    accept_valid: bool = False,
    progress: Callable[[Path], None] | None = None,
    feedback: Path | None = None,
    lang: str | None = None,
) -> IngestReport:
    """Validate every file, then store those that may be written in one transaction.

    Every file with errors or warnings gets a feedback workbook in `feedback` (default
    data/processed/feedback/), in `lang` or else the workbook's own language; with `lang`, the
    messages of the report are in that language too.
    """
    from p4c import store
    from p4c.kinds import Context

    option_code = partner_option(partner)
    context = Context(project.processed_dir)
    results = []
    for path in paths:
        results.append(validate_file(path, config, option_code, context))
        if progress is not None:
            progress(path)
    _check_one_file_per_partner(results)
    results = _revalidate_kinds(results, config, option_code, project, accept_valid=accept_valid)
    writable = [r for r in results if not r.fatal and (accept_valid or not r.errors)]
    for result in writable:
        if result.kind == "partner" and not result.accepted:  # writing would wipe the partner
            result.errors.append(
                Issue(
                    None,
                    None,
                    None,
                    None,
                    "",
                    msg(
                        "no valid service to write: fix the cells above "
                        "(a partner is never replaced by an empty list)"
                    ),
                )
            )
            result.fatal = True
    writable = [r for r in writable if not r.fatal]
    now = store.now_utc()
    partner_books = any(r.kind == "partner" for r in writable)  # a CSV update keeps their details
    previous = store.read_table(project.processed_dir, store.PARTNERS) if partner_books else None
    submissions = [store.Submission(r.partner or "", _tables(r, previous, now), r.kind) for r in writable]
    for r in writable:
        r.written = True
    try:
        store.commit(project.processed_dir, submissions, [_log_line(r) for r in results])
    except BaseException:
        for r in writable:
            r.written = False
        raise
    from p4c.feedback import write_all

    write_all(results, feedback or project.processed_dir / store.FEEDBACK_DIR, lang, config)
    if lang:
        for r in results:
            r.errors = [i.translated(lang) for i in r.errors]
            r.warnings = [i.translated(lang) for i in r.warnings]
    return IngestReport(results)


def _revalidate_kinds(
    results: list[WorkbookResult],
    config: Config,
    option_code: str | None,
    project: Project,
    *,
    accept_valid: bool,
) -> list[WorkbookResult]:
    """Validate the other kinds (field tests, scores) again against the partner workbooks this
    ingest will write, so one `p4c ingest data/raw` (or `p4c run`) on an empty store works."""
    from p4c.kinds import Context

    pending = [
        r
        for r in results
        if r.kind == "partner" and not r.fatal and r.accepted and (accept_valid or not r.errors)
    ]
    if not pending or all(r.kind == "partner" for r in results):
        return results
    context = Context(project.processed_dir, pending)
    out = [r if r.kind == "partner" else validate_file(r.file, config, option_code, context) for r in results]
    _check_one_file_per_partner(out)
    return out


@dataclass
class RebuildReport:
    """What `p4c rebuild` did: where the damaged store went, what it skipped, the new ingest."""

    damaged: Path | None
    skipped: list[str]
    ingest: IngestReport


def rebuild(
    project: Project, config: Config, progress: Callable[[Path], None] | None = None
) -> RebuildReport:
    """Make the store again: the damaged database set aside, the exports and data/raw/ read back in."""
    from p4c import store
    from p4c.pipeline import raw_files

    files = raw_files(project)
    damaged = store.set_aside(project.processed_dir)
    skipped = store.restore_exports(project.processed_dir)
    return RebuildReport(damaged, skipped, ingest(files, project, config, progress=progress))


def partner_option(partner: str | None) -> str | None:
    """The `--partner` option as a stored partner code; a P4CError when it is no country code."""
    if partner is None:
        return None
    code = canonical_code(partner)
    if code is None:
        raise P4CError(
            msg(
                "--partner {code}: not an ISO 3166 alpha-2 country code "
                "(EL and UK are accepted for GR and GB)",
                code=partner,
            )
        )
    return code


def _check_one_file_per_partner(results: Sequence[WorkbookResult]) -> None:
    """Two workbooks of one partner in one call: neither is written, the error names both."""
    first: dict[str, WorkbookResult] = {}
    for result in results:
        if result.fatal or result.partner is None:
            continue
        other = first.setdefault(f"{result.kind} {result.partner}", result)
        if other is result:
            continue
        for one, two in ((other, result), (result, other)):
            one.errors.append(
                Issue(
                    None,
                    None,
                    None,
                    "partner_code",
                    result.partner,
                    msg(
                        "{first} and {second} are both workbooks of partner {partner}; ingest one of them",
                        first=one.file.name,
                        second=two.file.name,
                        partner=result.partner,
                    ),
                )
            )
            one.fatal = True


def _tables(
    result: WorkbookResult, previous: pd.DataFrame | None, now: dt.datetime
) -> dict[str, pd.DataFrame]:
    from p4c import store

    if result.kind != "partner":
        return result.tables
    tables = {store.SERVICES: result.services, store.PARTNERS: _partner_frame(result, previous, now)}
    if result.needs is not None and not result.needs.empty:
        tables[store.NEEDS] = result.needs
    if result.rejected is not None and not result.rejected.empty:
        tables[store.REJECTED] = result.rejected
    return {name: frame for name, frame in tables.items() if frame is not None}


def _partner_frame(result: WorkbookResult, previous: pd.DataFrame | None, now: dt.datetime) -> pd.DataFrame:
    import pandas as pd

    from p4c.store import PARTNER_COLUMNS

    info = dict(result.partner_info or {})
    if not info and previous is not None:  # a CSV update keeps what an earlier workbook gave
        old = previous[previous["partner"] == result.partner]
        if not old.empty:
            info = {k: old.iloc[-1][k] for k in PARTNER_DETAILS}
    frame = pd.DataFrame(
        [
            {
                "partner": result.partner,
                "organisation": info.get("organisation"),
                "region": info.get("region"),
                "cluster_initiatives": info.get("cluster_initiatives"),
                "contact": info.get("contact"),
                "source_file": result.file.name,
                "sha256": result.sha256,
                "ingested_at": now.isoformat(timespec="seconds"),
            }
        ],
        columns=list(PARTNER_COLUMNS),
    )
    frame["cluster_initiatives"] = frame["cluster_initiatives"].astype("Int64")
    return frame


def _log_line(result: WorkbookResult) -> LogLine:
    from p4c.store import LogLine

    return LogLine(
        result.partner or "",
        result.file.name,
        result.sha256,
        result.accepted,
        result.rejected_rows,
        len(result.warnings),
        result.written,
    )
