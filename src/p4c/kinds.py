"""The kinds of workbook besides the partner workbook, and what validating them shares.

`p4c ingest` tells a workbook's kind by its sheets (spec: scoring.md, field-tests.md): Scores means a
scoring workbook, FieldTests a field-test report, Actions (or Plan) a recommendation plan; anything
else is a partner workbook (`p4c.ingest`). A CSV is told by its header. Each kind's module keeps its
rules; this module gives them the store's view (`Context`), the sheets, key/value sheets and typed
table sheets with every problem at its cell, the same way the partner workbook reports them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from p4c.messages import msg
from p4c.models import KIND_SHEETS, Field
from p4c.values import norm, show

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from p4c.columns import Column
    from p4c.config import Config
    from p4c.ingest import WorkbookResult
    from p4c.io import Book

Sheet = tuple[str, list[list[Any]]]
# Whom a workbook is from: the code, or None after a fatal error.
Sender = Callable[["Opened"], "str | None"]
# The rest of a kind's validation, with the sender's code.
Reader = Callable[["Opened", str], None]


@dataclass(frozen=True)
class Kind:
    """A kind of workbook: its name (the store's `source`), how to tell it, how to validate it."""

    name: str
    csv_columns: tuple[str, ...]  # a CSV whose header names all of these is of this kind
    # holds NO_PARTNER (what the kind needs the ingested services for), SENDER (a `Sender`) and
    # `read` (a `Reader`)
    module: str

    @property
    def sheets(self) -> dict[str, tuple[str, ...]]:
        return KIND_SHEETS[self.name]

    def validate(
        self, book: Book, config: Config, partner: str | None, result: WorkbookResult, context: Context
    ) -> None:
        """Fill `result` with the workbook's tables, or with every error at its cell. The steps every
        kind takes are here: its sheets (`open_sheets`), then whom it is from (its module's SENDER),
        set as `result.partner`; its module's `read` does the rest."""
        import importlib

        module = importlib.import_module(self.module)
        sheets = open_sheets(book, self, result, context, module.NO_PARTNER)
        if sheets is None:
            return
        opened = Opened(book, sheets, config, partner, result, context)
        sender: Sender = module.SENDER
        code = sender(opened)
        if code is None or result.fatal:
            return
        result.partner = code
        reader: Reader = module.read
        reader(opened, code)


@dataclass(frozen=True)
class Opened:
    """A workbook of a kind whose sheets are found: what its Sender and Reader read and fill."""

    book: Book
    sheets: dict[str, Sheet]
    config: Config
    partner: str | None  # --partner
    result: WorkbookResult
    context: Context


KINDS: tuple[Kind, ...] = (
    Kind("scoring", ("rater", "partner", "service id"), "p4c.scoring.workbook"),
    Kind("field_tests", ("practice partner", "practice id", "status"), "p4c.evaluation.workbook"),
    Kind("plan", ("action", "players", "indicator"), "p4c.plan.ingest"),
)


def kind_of_sheets(sheet_names: Iterable[str]) -> Kind | None:
    """The kind its sheet names give a workbook that is not a partner workbook, or None."""
    names = {norm(name) for name in sheet_names}
    for kind in KINDS:
        first = next(iter(kind.sheets.values()))
        if names & {norm(alias) for alias in first}:
            return kind
    return None


def kind_of(book: Book) -> Kind | None:
    """The kind of a workbook that is not a partner workbook, or None."""
    kind = kind_of_sheets(book.sheet_names)
    if kind is not None:
        return kind
    if book.is_csv and book.sheets:
        rows = next(iter(book.sheets.values()))
        for row in rows[:20]:
            header = {norm(show(cell)) for cell in row if isinstance(cell, str)}
            for kind in KINDS:
                if all(norm(c) in header for c in kind.csv_columns):
                    return kind
    return None


class Context:
    """What the other kinds check against: the store's current services and partners, read once.

    `pending`: partner workbooks of the same ingest that will be written; their services and
    partner details replace the store's for their partners, so a field-test report or a scoring
    workbook can come in one `p4c ingest` (or `p4c run`) with the partners' workbooks.
    """

    def __init__(self, folder: Path | None, pending: Sequence[WorkbookResult] = ()) -> None:
        self.folder = folder
        self.pending = [r for r in pending if r.partner and r.services is not None]

    @cached_property
    def services(self) -> pd.DataFrame:
        """partner, service_id, title, category of every current service (empty without a store)."""
        import pandas as pd

        from p4c import store

        columns = ["partner", "service_id", "title", "category"]
        frame = store.read_table(self.folder, store.SERVICES, columns) if self.folder else None
        frame = frame if frame is not None else pd.DataFrame(columns=columns)
        if not self.pending:
            return frame
        owners = {r.partner for r in self.pending}
        parts = [frame[~frame["partner"].isin(owners)]]
        parts += [r.services.reindex(columns=columns) for r in self.pending if r.services is not None]
        return pd.concat(parts, ignore_index=True)

    @cached_property
    def partners(self) -> pd.DataFrame:
        import pandas as pd

        from p4c import store

        frame = store.read_table(self.folder, store.PARTNERS) if self.folder else None
        frame = frame if frame is not None else pd.DataFrame(columns=list(store.PARTNER_COLUMNS))
        if not self.pending:
            return frame
        owners = {r.partner for r in self.pending}
        new = pd.DataFrame(
            [
                {"partner": r.partner, **{k: (r.partner_info or {}).get(k) for k in store.PARTNER_DETAILS}}
                for r in self.pending
            ]
        )
        kept = frame[~frame["partner"].isin(owners)]
        return pd.concat([kept, new], ignore_index=True) if not kept.empty else new

    def warm(self) -> None:
        """Read now what validating will ask for (while a workbook is parsed elsewhere)."""
        _ = self.service_keys, self.partner_codes

    @cached_property
    def service_keys(self) -> frozenset[tuple[str, str]]:
        services = self.services
        partners = services["partner"].astype(str).tolist()
        return frozenset(zip(partners, services["service_id"].astype(str).tolist(), strict=True))

    @cached_property
    def partner_codes(self) -> list[str]:
        return sorted(set(self.partners["partner"].astype(str)))


# --- sheets ------------------------------------------------------------------------------------------


def find_sheets(book: Book, kind: Kind, result: WorkbookResult) -> dict[str, Sheet]:
    """The kind's sheets by role; a CSV (one table) is the first role's sheet."""
    from p4c.ingest import sheets_by_role

    first_role = next(iter(kind.sheets))
    if book.is_csv:
        return {first_role: next(iter(book.sheets.items()))} if book.sheets else {}
    return sheets_by_role(book, kind.sheets, result)


def open_sheets(
    book: Book, kind: Kind, result: WorkbookResult, context: Context, no_services: str
) -> dict[str, Sheet] | None:
    """The kind's sheets by role, or None after a fatal error: two sheets of a role, no sheet of
    the first role (the one its rows are in), or no partner workbook ingested yet (`no_services`:
    the message, saying what the kind needs them for)."""
    sheets = find_sheets(book, kind, result)
    if result.fatal:
        return None
    first_role = next(iter(kind.sheets))
    if first_role not in sheets:
        names = ", ".join(book.sheet_names)
        accepted = ", ".join(kind.sheets[first_role])
        error(
            result,
            None,
            None,
            None,
            None,
            names,
            f"no {first_role} sheet; sheets found: {names}; accepted: {accepted}",
            fatal=True,
        )
        return None
    if context.services.empty:
        error(result, None, None, None, None, "", no_services, fatal=True)
        return None
    return sheets


def error(  # noqa: PLR0917 - the fields of an Issue, in its order
    result: WorkbookResult,
    sheet: str | None,
    cell: str | None,
    row: int | None,
    column: str | None,
    value: object,
    message: str,
    *,
    fatal: bool = False,
) -> None:
    """One error at one cell; `fatal`: it stops the workbook, nothing of it can be written."""
    from p4c.ingest import Issue

    result.errors.append(Issue(sheet, cell, row, column, show(value) if value is not None else "", message))
    result.fatal = result.fatal or fatal


@dataclass(frozen=True)
class PartnerSheet:
    """A kind's `Sender` when its workbook names its partner in a Partner sheet (read with `keys`).

    `unknown`: the message when nothing names the partner; `not_partner` (with `{code}`): the
    message when the code is not an ingested partner.
    """

    keys: tuple[Field, ...]
    unknown: str
    not_partner: str

    def __call__(self, opened: Opened) -> str | None:
        """The partner a workbook is from: its Partner sheet, else `--partner`, else the file name;
        all must agree, and it must be an ingested partner. None after a fatal error."""
        from p4c.ingest import partner_from_filename, read_key_sheet

        book, sheets, partner, result = opened.book, opened.sheets, opened.partner, opened.result
        sheet, cell, row, code = None, None, None, None
        named = partner_from_filename(book.path)
        if "Partner" in sheets:
            info = read_key_sheet(sheets["Partner"], opened.config, result, self.keys)
            if result.fatal:
                return None
            sheet, cell, row = sheets["Partner"][0], info.get("_cell"), info.get("_row")
            code = info.get("partner_code")
            others = {
                f"--partner says {partner}": partner,
                f"the file name {book.path.name} says {named}": named,
            }
            if partners_disagree(result, (sheet, cell, row), code, others):
                return None
        code = code or partner or named
        if code is None:
            error(result, None, None, None, "partner_code", book.path.name, self.unknown, fatal=True)
            return None
        if not is_partner(result, (sheet, cell, row), "partner_code", code, opened.context, self.not_partner):
            return None
        return str(code)


def is_partner(  # noqa: PLR0917 - where, what and the message
    result: WorkbookResult,
    where: tuple[str | None, str | None, int | None],
    column: str,
    code: str,
    context: Context,
    not_partner: str,
) -> bool:
    """True when `code` is an ingested partner; else a fatal error at `where`: `not_partner`
    (with `{code}`), then the partners."""
    if code in context.partner_codes:
        return True
    sheet, cell, row = where
    partners = ", ".join(context.partner_codes)
    error(
        result,
        sheet,
        cell,
        row,
        column,
        code,
        f"{not_partner.format(code=code)}; partners: {partners}",
        fatal=True,
    )
    return False


def partners_disagree(
    result: WorkbookResult,
    where: tuple[str | None, str | None, int | None],
    code: str | None,
    others: dict[str, str | None],
) -> bool:
    """The Partner sheet's code against `--partner` and the file name (`others`: source -> code):
    an error at the sheet's cell, and True, when one of them names another partner."""
    sheet, cell, row = where
    for source, other in others.items():
        if code and other and code != other:
            error(
                result,
                sheet,
                cell,
                row,
                "partner_code",
                code,
                f"the Partner sheet says {code} but {source}; they must agree "
                "(fix the sheet, or rename the file)",
                fatal=True,
            )
            return True
    return False


@dataclass
class Table:
    """A table sheet read with its header: typed columns, kept rows, and where each cell is."""

    sheet: str
    header_row: int  # 1-based
    first: int  # the sheet row of the first body row
    mapping: dict[str, int]  # canonical column -> 0-based column index
    columns: dict[str, Column]
    kept: np.ndarray[Any, Any]  # body positions of the rows that are not blank
    bad_rows: set[int] = field(default_factory=set)  # sheet rows with an error

    def cell(self, column: str, pos: int) -> str:
        from p4c.io import column_letters

        return f"{self.sheet}!{column_letters(self.mapping[column])}{self.first + pos}"

    def row(self, pos: int) -> int:
        return self.first + pos

    def floats(self, column: str) -> np.ndarray[Any, Any]:
        """A number or score column's kept rows as float64, NaN where blank or wrong (no Python loop)."""
        import numpy as np

        parsed = self.columns[column]
        values = np.asarray(parsed.values[self.kept], dtype=np.float64)
        if parsed.valid is not None:
            values = np.where(parsed.valid[self.kept], values, np.nan)
        return values

    def values(self, column: str) -> list[Any]:
        """The typed values of the kept rows as Python objects (None where blank or wrong)."""
        import numpy as np

        if column not in self.columns:
            return [None] * len(self.kept)
        parsed = self.columns[column]
        picked = parsed.values[self.kept]
        out: list[Any]
        if picked.dtype == object:
            out = picked.tolist()
            if not set(map(type, out)) <= _PLAIN:  # a NaN or a numpy scalar: not in most columns
                generic = np.generic
                out = [
                    None
                    if value is None or (isinstance(value, float) and math.isnan(value))
                    else (value.item() if isinstance(value, generic) else value)
                    for value in out
                ]
        else:  # numbers: tolist() gives Python floats and ints
            out = picked.tolist()
            if picked.dtype.kind == "f":
                for pos in np.flatnonzero(np.isnan(picked)).tolist():
                    out[pos] = None
        if parsed.valid is not None:
            for pos in np.flatnonzero(~parsed.valid[self.kept]).tolist():
                out[pos] = None
        return out


_PLAIN = frozenset({str, type(None)})  # what Table.values gives back as it is


def read_table(
    sheet: Sheet,
    specs: Sequence[Field],
    config: Config,
    result: WorkbookResult,
    *,
    country: str | None,
    scores: Mapping[str, str] | None = None,
    ignored: Sequence[str] = (),
) -> Table | None:
    """A header-and-rows sheet: every column typed by its spec, every problem at its cell.

    `scores`: more headers (normalized label -> criterion id) read as scores on the config's scale;
    `ignored`: headers recognised but not read (informative columns of a template).
    """
    import numpy as np

    from p4c.columns import cell_grid, parse_column, parse_scores
    from p4c.ingest import Issue, check_required_columns, find_header, map_columns, no_header
    from p4c.io import column_letters

    name, rows = sheet
    known = {norm(alias): f.name for f in specs for alias in (f.name, *f.aliases)}
    known.update(scores or {})
    skip = {norm(word) for word in ignored} - set(known)
    known.update({word: f"_ignored {word}" for word in skip})
    required = [f.name for f in specs if f.required]
    header_idx = find_header(rows, known, min(3, max(1, len(required))))
    if header_idx is None:
        no_header(
            result,
            name,
            msg(
                "no header row in the first 20 rows: the {sheet} sheet needs the columns {accepted}",
                sheet=name,
                accepted=", ".join(required),
            ),
        )
        return None
    header_row = header_idx + 1
    mapped = map_columns(name, rows[header_idx], header_row, known, result)
    mapping = {k: v for k, v in mapped.items() if not k.startswith("_ignored ")}
    check_required_columns(name, rows[header_idx], header_row, mapping, specs, result)
    if result.fatal:
        return None
    body = rows[header_idx + 1 :]
    grid = cell_grid(body)
    count, width = grid.shape
    by_name = {f.name: f for f in specs}
    columns: dict[str, Column] = {}
    for column, c in mapping.items():
        cells = grid[:, c] if c < width else np.full(count, None, dtype=object)
        found = by_name.get(column)
        columns[column] = (
            parse_scores(cells, config, country)
            if found is None
            else parse_column(found, cells, config, country)
        )
    blank = np.ones(count, dtype=bool)
    for parsed in columns.values():
        blank &= parsed.blank
    kept = np.flatnonzero(~blank)
    table = Table(name, header_row, header_row + 1, mapping, columns, kept)
    for column, c in mapping.items():
        for pos, message in sorted(columns[column].errors.items()):
            if blank[pos]:
                continue
            row = table.row(pos)
            result.errors.append(
                Issue(
                    name,
                    f"{name}!{column_letters(c)}{row}",
                    row,
                    column,
                    show(grid[pos, c] if c < width else None),
                    message,
                )
            )
            table.bad_rows.add(row)
    return table
