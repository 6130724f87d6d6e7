"""Vectorised column parsers: a column of raw cells in, typed values, blanks and errors out.

They know nothing about sheets, headers or cell addresses (that is `ingest`): each works on a 1-D
object array of cells as the reader made them. Numeric cells are checked in one numpy pass, text
cells are stripped in one pass, and every other value is parsed once per distinct value, so a
100,000-row column costs a few milliseconds.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable
from enum import StrEnum
from itertools import chain, repeat
from typing import TYPE_CHECKING, Any

from p4c.io import EXCEL_ERRORS, NOT_A_NUMBER, CellError, excel_error
from p4c.messages import Msg, message_of, msg
from p4c.models import PROVIDER_WORDS, STATUS_WORDS, TITLE_MAX, Field, canonical_code
from p4c.values import closest, fmt, norm, parse_date, parse_int, parse_number, parse_score, show

if TYPE_CHECKING:
    import numpy as np

    from p4c.config import Config


# The largest whole number accepted (cis_served, smes_reached, cluster_initiatives): whole numbers
# are stored as 64-bit integers, so a larger one (1e20 in a numeric cell) is a cell error.
MAX_WHOLE = 10**12


# What a country code cell accepts (models.CODE_HELP, translatable).
CODE_FORMS = msg(
    "an ISO 3166 alpha-2 country code: two letters such as BE, DE, MT (EL and UK are read as GR and GB)"
)


def describe(spec: Field, config: Config) -> Msg:
    """What a column accepts, in a few words (after `is required:`)."""
    if spec.type == "category":
        return msg(
            "a category code or label, e.g. {codes}", codes=", ".join(c.code for c in config.categories)
        )
    if spec.type == "provider":
        return msg("one of {codes}", codes=", ".join(p.value for p in PROVIDER_WORDS))
    if spec.type == "status":
        return msg("one of {codes}", codes=", ".join(s.value for s in STATUS_WORDS))
    if spec.type == "date":
        return msg("a date")
    if spec.type in ("int", "number", "amount"):
        return msg("a number")
    if spec.type in ("choice", "choices"):
        return msg("one of {codes}", codes=", ".join(code for code, _ in spec.choices))
    if spec.type in ("rating", "score"):
        low, high = spec.minimum or config.scale.min, spec.maximum or config.scale.max
        return msg("a number from {low} to {high}", low=fmt(low), high=fmt(high))
    return msg("text")


def required_message(spec: Field, config: Config) -> Msg:
    return msg("{column} is required: {accepted}", column=spec.name, accepted=describe(spec, config))


class Column:
    """One parsed column: typed values by row position, which cells are blank, errors by position.

    `values` is an object array (None where blank or wrong), a float64 array (NaN there) for numbers
    and scores, or an int64 array with `valid` for whole numbers. `errors` keeps the order in which
    the problems were found: failed values by position, then booleans, then required blanks.
    """

    def __init__(
        self,
        values: np.ndarray[Any, Any],
        blank: np.ndarray[Any, Any],
        errors: dict[int, str],
        valid: np.ndarray[Any, Any] | None = None,
    ) -> None:
        self.values = values
        self.blank = blank
        self.errors = errors
        self.valid = valid


def cell_grid(body: list[list[Any]]) -> np.ndarray[Any, Any]:
    """The body rows as a 2-D object array; short rows are padded with None (as blank cells)."""
    import numpy as np

    width = max(map(len, body), default=0)
    if min(map(len, body), default=0) != width:
        body = [r + [None] * (width - len(r)) for r in body]
    # fromiter never looks inside a cell (np.array would, for one that looks like a sequence).
    cells = np.fromiter(chain.from_iterable(body), dtype=object, count=len(body) * width)
    return cells.reshape(len(body), width)


# The float cells of a column: (which cells are floats, their values; 0 elsewhere).
Floats = tuple["np.ndarray[Any, Any]", "np.ndarray[Any, Any]"]


def float_cells(grid: np.ndarray[Any, Any], columns: list[int]) -> dict[int, Floats]:
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


def blank_cells(cells: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Which cells are blank: NA (None, NaN, ...), "" or only spaces; one factorize, no call a cell."""
    codes, _uniques, blank_u = _factorize(cells)
    return (codes < 0) | blank_u[codes] if len(blank_u) else codes < 0


def _factorize(cells: np.ndarray[Any, Any]) -> tuple[np.ndarray[Any, Any], Any, np.ndarray[Any, Any]]:
    """(code of each cell, -1 for NA; distinct values; which of them are blank text)."""
    import numpy as np
    import pandas as pd

    codes, uniques = pd.factorize(cells, sort=False)
    # Inline (no call per value): "" or only spaces, as `isna | isin([""]) | str.strip() == ""`.
    blank_u = np.array(
        [(type(u) is str and not u.strip()) or (isinstance(u, str) and u == "") for u in uniques], dtype=bool
    )
    return codes, uniques, blank_u


def parse_column(
    spec: Field,
    cells: np.ndarray[Any, Any],
    config: Config,
    country: str | None,
    floats: Floats | None = None,
) -> Column:
    parser = value_parser(spec, config, country)
    if spec.type in ("number", "amount"):
        column = _parse_numbers(cells, parser, _number_accept(spec), floats)
    elif spec.type == "int":
        column = _parse_numbers(cells, parser, _int_accept(spec), floats, whole=True)
    elif spec.type == "text":
        column = _parse_text(cells, parser, TITLE_MAX if spec.name == "title" else None)
    else:
        column = _parse_distinct(cells, parser)
    if spec.required:
        for pos in true_positions(column.blank):
            column.errors.setdefault(pos, required_message(spec, config))
    return column


def value_parser(spec: Field, config: Config, country: str | None) -> Callable[[Any], Any]:
    """The column's cell parser; an error cell or Excel error text is a ValueError saying so."""
    return guarded(_value_parser(spec, config, country))


def guarded(parser: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """`parser`, after refusing error cells: CellError, and text a CSV holds for one (`#N/A`)."""

    def parse(value: Any) -> Any:
        if type(value) is CellError:
            raise ValueError(value.message)
        if type(value) is str and "#" in value and (code := value.strip()) in EXCEL_ERRORS:
            raise ValueError(excel_error(code).message)
        return parser(value)

    return parse


def _not_text(value: Any) -> None:
    """Refuse what a text column cannot hold: a logical value (TRUE) or NaN."""
    if type(value) is bool:
        raise ValueError(logical_in_text(value))
    if type(value) is float and math.isnan(value):
        raise ValueError(NOT_A_NUMBER.message)


def _value_parser(spec: Field, config: Config, country: str | None) -> Callable[[Any], Any]:
    if spec.type in ("choice", "choices", "rating", "code"):
        return _choice_parser(spec, country)
    if spec.type == "text":
        limit = TITLE_MAX if spec.name == "title" else None

        def text(value: Any) -> str:
            if type(value) is not str:
                _not_text(value)
            out = (value if type(value) is str else show(value)).strip()  # show(str) is the str
            if limit and len(out) > limit:
                raise ValueError(
                    msg(
                        "{column} has {count} characters; at most {limit} are accepted",
                        column=spec.name,
                        count=len(out),
                        limit=limit,
                    )
                )
            return out

        return text
    if spec.type == "category":
        lookup: dict[str, str] = config.category_lookup
        accepted = ", ".join(c.code for c in config.categories)
        names = category_names(config)

        def category(value: Any) -> str:
            _not_text(value)
            code = lookup.get(norm(show(value)))
            if code is None:
                guess = closest(show(value), names)
                if guess is not None:
                    raise ValueError(
                        msg(
                            "unknown category; accepted: a code ({accepted}) or its label in English, "
                            "French or German; did you mean {guess}?",
                            accepted=accepted,
                            guess=guess,
                        )
                    )
                raise ValueError(
                    msg(
                        "unknown category; accepted: a code ({accepted}) or its label in English, "
                        "French or German",
                        accepted=accepted,
                    )
                )
            return code

        return category
    if spec.type in ("provider", "status"):
        words: list[tuple[StrEnum, tuple[str, ...]]] = [
            *(PROVIDER_WORDS.items() if spec.type == "provider" else STATUS_WORDS.items())
        ]
        lookup_enum: dict[str, str] = {norm(w): code.value for code, ws in words for w in (code.value, *ws)}
        listing = "; ".join(f"{code.value} ({', '.join(ws)})" for code, ws in words)
        shown = {w: f"{code.value} ({w})" for code, ws in words for w in ws} | {
            c.value: c.value for c, _ in words
        }

        def enum(value: Any) -> str:
            _not_text(value)
            code = lookup_enum.get(norm(show(value)))
            if code is None:
                raise ValueError(unknown_choice(spec.name, listing, closest(show(value), shown)))
            return code

        return enum
    if spec.type == "date":
        return parse_date
    # Fast paths for a numeric cell (a Python float): exactly what parse_int / parse_number return
    # for it, without their checks for bool, text and other types; anything else goes to them.
    if spec.type == "int":

        def integer(value: Any) -> int:
            number = int(value) if type(value) is float and value.is_integer() else parse_int(value, country)
            _check_range(spec, number)
            check_whole_max(spec, number)
            return number

        return integer

    def number(value: Any) -> float:
        out = value if type(value) is float and math.isfinite(value) else parse_number(value, country)
        _check_range(spec, out)
        return out

    return number


def _choice_parser(spec: Field, country: str | None) -> Callable[[Any], Any]:
    """Parsers of the kinds later workbooks add: one code, several codes, a free-decimal rating."""
    if spec.type == "code":

        def country_code(value: Any) -> str:
            code = canonical_code(show(value))
            if code is None:
                raise ValueError(msg("expected {forms}", forms=CODE_FORMS))
            return code

        return country_code
    if spec.type == "rating":
        low, high = spec.minimum or 0.0, spec.maximum or 0.0

        def rating(value: Any) -> float:
            return parse_score(value, low, high, 0, country)

        return rating
    lookup = {norm(word): code for code, words in spec.choices for word in (code, *words)}
    listing = "; ".join(f"{code} ({', '.join(words)})" for code, words in spec.choices)
    shown = {word: f"{code} ({word})" for code, words in spec.choices for word in words}
    shown |= {code: code for code, _ in spec.choices}

    def one(value: Any) -> str:
        code = lookup.get(norm(show(value)))
        if code is None:
            raise ValueError(unknown_choice(spec.name, listing, closest(show(value), shown)))
        return code

    if spec.type == "choice":
        return one

    def several(value: Any) -> str:
        parts = [p for p in re.split(r"[;,]", show(value)) if p.strip()]
        codes = [one(p) for p in parts]
        order = [code for code, _ in spec.choices]
        return ";".join(sorted(set(codes), key=order.index))

    return several


def logical_in_text(value: object) -> Msg:
    """TRUE or FALSE where text is expected."""
    return msg(
        "expected text, found the logical value {value}: type the text", value="TRUE" if value else "FALSE"
    )


def unknown_choice(column: str, listing: str, guess: str | None) -> Msg:
    """An unknown provider, status or choice, with the closest accepted word when one is close."""
    if guess is not None:
        return msg(
            "unknown {column}; accepted: {accepted}; did you mean {guess}?",
            column=column,
            accepted=listing,
            guess=guess,
        )
    return msg("unknown {column}; accepted: {accepted}", column=column, accepted=listing)


def category_names(config: Config) -> dict[str, str]:
    """Every word naming a category (code, labels in every language, aliases) -> `CODE (label)`."""
    names: dict[str, str] = {}
    for cat in config.categories:
        english = cat.label.get("en", cat.code)
        for word in (cat.code, *cat.aliases):
            names.setdefault(word, f"{cat.code} ({english})")
        for label in cat.label.values():
            names.setdefault(label, f"{cat.code} ({label})")
    return names


def _check_range(spec: Field, value: float) -> None:
    if spec.minimum is not None and value < spec.minimum:
        raise ValueError(msg("{column} must be >= {minimum}", column=spec.name, minimum=f"{spec.minimum:g}"))
    if spec.maximum is not None and value > spec.maximum:
        raise ValueError(msg("{column} must be <= {maximum}", column=spec.name, maximum=f"{spec.maximum:g}"))


def check_whole_max(spec: Field, value: int) -> None:
    """Whole numbers are stored as 64-bit integers: anything above MAX_WHOLE is a cell error."""
    if value > MAX_WHOLE:
        params = {"column": spec.name, "value": fmt(value), "high": MAX_WHOLE}
        if spec.minimum is None:
            raise ValueError(
                msg("{column} {value} is too large: expected a whole number to {high}", **params)
            )
        raise ValueError(
            msg(
                "{column} {value} is too large: expected a whole number from {low} to {high}",
                **params,
                low=fmt(spec.minimum),
            )
        )


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


def parse_scores(
    cells: np.ndarray[Any, Any], config: Config, country: str | None, floats: Floats | None = None
) -> Column:
    import numpy as np

    scale = config.scale

    @guarded
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


def _parse_numbers(
    cells: np.ndarray[Any, Any],
    parser: Callable[[Any], Any],
    accept: Callable[[np.ndarray[Any, Any]], np.ndarray[Any, Any]],
    floats: Floats | None = None,
    *,
    whole: bool = False,
) -> Column:
    """A numeric column: its numeric cells checked in one numpy pass, the rest parsed one by one.

    `floats` are the column's float cells from `float_cells` (found here without it). Those
    that `accept` takes are exactly what the parser would return for them; NaN is blank. Text,
    booleans, other types and the floats `accept` refuses go to `_parse_distinct`, so every
    error message is the parser's own.
    """
    import numpy as np

    count = len(cells)
    if floats is None:
        (floats,) = float_cells(cells.reshape(count, 1), [0]).values()
    is_float = floats[0]
    float_pos = np.flatnonzero(is_float)
    numbers = floats[1][float_pos]
    with np.errstate(invalid="ignore"):
        good = accept(numbers) & ~np.isnan(numbers)
    rest = ~is_float
    rest[float_pos[~good]] = True  # NaN too: the parser says the cell holds NaN
    rest_pos = np.flatnonzero(rest)
    blank = np.zeros(count, dtype=bool)
    dtype = np.int64 if whole else np.float64
    values = np.zeros(count, dtype=np.int64) if whole else np.full(count, np.nan)
    valid = np.zeros(count, dtype=bool)
    values[float_pos[good]] = numbers[good].astype(dtype)
    valid[float_pos[good]] = True
    errors: dict[int, str] = {}
    if len(rest_pos):
        sub = _parse_distinct(cells[rest_pos], parser)
        blank[rest_pos] = sub.blank
        parsed = np.fromiter(map(operator.is_not, sub.values, repeat(None)), dtype=bool, count=len(rest_pos))
        if parsed.any():
            values[rest_pos[parsed]] = np.array(sub.values[parsed].tolist(), dtype=dtype)
            valid[rest_pos[parsed]] = True
        errors = {int(rest_pos[p]): message for p, message in sub.errors.items()}
    return Column(values, blank, errors, valid)


_STR_OR_NONE = frozenset({str, type(None)})


def _parse_text(cells: np.ndarray[Any, Any], parser: Callable[[Any], Any], limit: int | None) -> Column:
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
    stripped = (
        [value.strip() if value is not None else "" for value in listed]
        if type(None) in kinds
        else list(map(str.strip, listed))
    )
    blank = np.fromiter(map(operator.not_, stripped), dtype=bool, count=count)
    values = np.empty(count, dtype=object)
    values[:] = stripped
    values[blank] = None
    errors: dict[int, str] = {}
    if codes := EXCEL_ERRORS.intersection(stripped):  # `#N/A` as a CSV holds an error cell
        for pos, value in enumerate(stripped):
            if value in codes:
                errors[pos] = excel_error(value).message
                values[pos] = None
    if limit is not None:
        too_long = np.fromiter(map(len, stripped), dtype=np.int64, count=count) > limit
        for pos in true_positions(too_long):
            try:
                parser(cells[pos])
            except ValueError as exc:
                errors[pos] = message_of(exc)
                values[pos] = None
    return Column(values, blank, errors)


def _parse_distinct(cells: np.ndarray[Any, Any], parser: Callable[[Any], Any]) -> Column:
    """Parse each distinct non-blank value once; map results and errors back to every cell."""
    import numpy as np

    count = len(cells)
    values = np.full(count, None, dtype=object)
    errors: dict[int, str] = {}
    codes, uniques, skip = _factorize(cells)
    blank = (codes < 0) | skip[codes] if len(skip) else codes < 0
    _not_none_na(cells, codes, parser, blank, errors)
    present = ~blank & (codes >= 0)
    if not present.any():
        return Column(values, blank, errors)
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
            failed[u] = message_of(exc)
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
        return Column(values, blank, errors)
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
            errors[int(pos)] = message_of(exc)
    return Column(values, blank, errors)


def _not_none_na(
    cells: np.ndarray[Any, Any],
    codes: np.ndarray[Any, Any],
    parser: Callable[[Any], Any],
    blank: np.ndarray[Any, Any],
    errors: dict[int, str],
) -> None:
    """NaN (and other NA values than None) are not blanks: a reader gives NaN for a number cell
    with no value. Each is parsed on its own, so the error is the parser's; no call for None."""
    import numpy as np

    na = np.flatnonzero(codes < 0)
    if not len(na):
        return
    odd = np.fromiter(map(operator.is_not, cells[na], repeat(None)), dtype=bool, count=len(na))
    for pos in na[odd].tolist():
        try:
            parser(cells[pos])
        except ValueError as exc:
            errors[pos] = message_of(exc)
            blank[pos] = False


def _is_bool(value: object) -> bool:
    return type(value) is bool


def true_positions(mask: np.ndarray[Any, Any]) -> list[int]:
    import numpy as np

    return [int(p) for p in np.flatnonzero(mask)]
