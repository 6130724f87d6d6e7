"""The one CSV writer of p4c: Arrow-assembled, formula-safe, Excel-friendly, byte-deterministic.

Every CSV p4c writes goes through `write_csv` here. The default dialect, EXCEL, is for the files
coordinators open: UTF-8 with a BOM (Excel reads accents right), CRLF line ends (RFC 4180; a lone
CR inside a field cannot split a row), text that a spreadsheet would run as a formula prefixed with
`'`, floats with at most 6 decimals written the same way on every machine. OPEN_DATA is for the
catalogue's data package, which must round-trip: no BOM, text as it is, floats in full. Lines are
assembled in blocks by Arrow compute in a few threads, so a million-row ranking (137 MB) is
written in about 0.4 s.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from p4c.io import FORMULA_PREFIXES, needs_guard

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    from numpy.typing import NDArray

    FloatArray = NDArray[np.float64]
    IntArray = NDArray[np.int64]
    BoolArray = NDArray[np.bool_]


FLOAT_DECIMALS = 6


@dataclass(frozen=True)
class Dialect:
    """How a CSV is written: the BOM, the formula guard, and the decimals of floats (None: all)."""

    bom: bool = True
    formula_safe: bool = True
    float_decimals: int | None = FLOAT_DECIMALS


EXCEL = Dialect()
OPEN_DATA = Dialect(bom=False, formula_safe=False, float_decimals=None)


_TEXT_TABLE_ROWS = 100_000  # a float column this long takes its CSV text from _decimal_texts


# CSV lines assembled at once: about 2.7 MB of text for a ranking. Four times as many took a third
# more time on a million rows (measured), most of it in the kernel zeroing fresh pages: blocks that
# large are given back to the system when freed, so each one is faulted in anew.
_CSV_BLOCK_ROWS = 16_384


_CSV_THREADS = 4  # at most this many threads format blocks of lines (never more than the cores)


@functools.cache
def _formula_bytes() -> BoolArray:
    """A table over the first byte of a text: True where the text would run as a formula."""
    import numpy as np

    table = np.zeros(256, dtype=bool)
    assert all(len(p) == 1 and ord(p) < 128 for p in FORMULA_PREFIXES)
    table[[ord(p) for p in FORMULA_PREFIXES]] = True
    return table


def _utf8(text: pa.Array) -> tuple[IntArray, NDArray[np.uint8]]:
    """The offsets (one more than the values) and the bytes of a large_string array, no copy."""
    import numpy as np

    offsets = np.frombuffer(text.buffers()[1], dtype=np.int64, count=len(text) + 1, offset=text.offset * 8)
    data = text.buffers()[2]
    return offsets, np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, np.uint8)


def _csv_text(series: pd.Series[Any], formula_safe: bool = True) -> pa.Array:
    """A text column as Arrow large_string: formula text neutralised, quotes doubled (for quoting)."""
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    text = arrow_text(
        series.astype("str").array if pd.api.types.is_object_dtype(series.dtype) else series.array
    )
    if isinstance(text, pa.ChunkedArray):
        text = text.chunk(0) if text.num_chunks == 1 else text.combine_chunks()
    # a look at each first byte and one scan of the bytes, rather than a regex over every value
    offsets, utf8 = _utf8(text)
    starts = offsets[:-1]
    filled = offsets[1:] > starts
    first = np.zeros(len(text), dtype=np.uint8)
    first[filled] = utf8[starts[filled]]
    flagged = _formula_bytes()[first] & filled  # ASCII prefixes: the first byte is the character
    quoted = np.flatnonzero(first == ord("'"))  # rare: apostrophes before a prefix are guarded too
    if len(quoted):
        flagged[quoted] = [needs_guard(value) for value in text.take(pa.array(quoted)).to_pylist()]
    if formula_safe and flagged.any():
        quote, empty = pa.scalar("'", pa.large_string()), pa.scalar("", pa.large_string())
        text = pc.if_else(pa.array(flagged), pc.binary_join_element_wise(quote, text, empty), text)
        offsets, utf8 = _utf8(text)
    if np.any(utf8[offsets[0] : offsets[-1]] == ord('"')):
        text = pc.replace_substring(text, '"', '""')
    return text


_Fields = Callable[[int, int], "pa.Array"]  # (start, count) -> the fields' text, no nulls


def _csv_fields(series: pd.Series[Any], dialect: Dialect = EXCEL) -> tuple[_Fields, bool]:
    """How one column is written: its fields' text by rows, and whether it goes between quotes.

    Text is quoted, quotes doubled, and starts with an apostrophe where it would run as a formula;
    floats are rounded to FLOAT_DECIMALS decimals (the shortest text of the rounded value, never
    -0); a null (NaN) is an empty field, never quoted. Everything else is Arrow's text (true/false).
    """
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    empty = pa.scalar("", pa.large_string())

    def no_nulls(text: pa.Array) -> pa.Array:
        return pc.fill_null(text, empty) if text.null_count else text

    dtype = series.dtype
    if pd.api.types.is_float_dtype(dtype):
        values = series.to_numpy(dtype=float, na_value=np.nan)
        if dialect.float_decimals is None:  # Arrow's shortest text that reads back as the same double
            exact = pa.array(values, from_pandas=True)
            return (
                lambda start, count: no_nulls(pc.cast(exact.slice(start, count), pa.large_string()))
            ), False
        return _float_fields(values, no_nulls, dialect.float_decimals), False
    if pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_integer_dtype(dtype):
        values = pa.array(series, from_pandas=True)
        return (lambda start, count: no_nulls(pc.cast(values.slice(start, count), pa.large_string()))), False
    text = _csv_text(series, dialect.formula_safe)
    if text.null_count == 0:  # the quotes are written around it, as literal text
        return text.slice, True
    quote = pa.scalar('"', pa.large_string())
    return (
        lambda start, count: no_nulls(
            pc.binary_join_element_wise(quote, text.slice(start, count), quote, empty)
        )
    ), False


def _float_fields(
    values: FloatArray, no_nulls: Callable[[pa.Array], pa.Array], decimals: int = FLOAT_DECIMALS
) -> _Fields:
    """Arrow's text of `np.round(values, decimals) + 0.0` by rows (NaN -> empty).

    np.round computes rint(x * 10**d) / 10**d, so a value rounded into [0, 1] is k / 10**d for an
    integer k: a long column in that range (scores, contributions, p_top) takes its text from a
    table of every k, built once, rather than formatting every double.
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    scale = 10.0**decimals
    scaled = np.multiply(values, scale)
    np.rint(scaled, out=scaled)
    if (
        decimals == FLOAT_DECIMALS
        and len(scaled) >= _TEXT_TABLE_ROWS
        and np.fmin.reduce(scaled) >= 0
        and np.fmax.reduce(scaled) <= scale
    ):
        nan = np.isnan(scaled)
        some_nan = bool(nan.any())
        if some_nan:
            scaled[nan] = 0.0
        index = pa.array(scaled.astype(np.int64), mask=nan if some_nan else None)
        texts = _decimal_texts()
        return lambda start, count: no_nulls(texts.take(index.slice(start, count)))
    scaled /= scale
    scaled += 0.0  # no -0
    rounded = pa.array(scaled, from_pandas=True)
    return lambda start, count: no_nulls(pc.cast(rounded.slice(start, count), pa.large_string()))


@functools.cache
def _decimal_texts() -> pa.Array:
    """Arrow's text of k / 10**FLOAT_DECIMALS for every k from 0 to 10**FLOAT_DECIMALS."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    scale = 10**FLOAT_DECIMALS
    return pc.cast(pa.array(np.arange(scale + 1) / float(scale)), pa.large_string())


def write_csv(frame: pd.DataFrame, target: Path, dialect: Dialect = EXCEL) -> None:
    """The frame as CSV in `dialect` (EXCEL: UTF-8 BOM, CRLF, formula text neutralised), atomically.

    The bytes are those `pyarrow.csv.write_csv` (CRLF) writes for the columns of `_csv_fields`
    (tests/test_rank.py compares them): text quoted, quotes doubled; booleans true/false; floats
    as Arrow's shortest text of the value rounded to FLOAT_DECIMALS decimals (plain decimals below
    1e10, never -0): the bytes depend only on the values. pandas `to_csv` takes seconds on a
    million rows, Arrow's writer most of a second (formatting every double). Here the lines of a
    block of rows are one `binary_join_element_wise` over the fields, the quotes and commas passed
    as scalars (with the text of a numeric column that holds one value throughout), on a few
    threads (Arrow releases the GIL), written in order.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    from p4c.io import atomic_path

    def scalar(text: str) -> pa.Scalar:
        return pa.scalar(text, pa.large_string())

    pieces: list[str | _Fields] = []  # fields and literal text, concatenated with no separator
    literal = ""
    for i, name in enumerate(frame.columns):
        fields, quoted = _csv_fields(frame[name], dialect)
        same = _same_text(frame[name], fields)
        if same is not None:  # one text on every row: written as literal text, not joined row by row
            literal += ("," if i else "") + same
            continue
        pieces += [literal + ("," if i else "") + ('"' if quoted else ""), fields]
        literal = '"' if quoted else ""
    pieces.append(literal + "\r\n")
    args = [scalar(p) if isinstance(p, str) else p for p in pieces if p != ""]
    empty = scalar("")

    def lines(start: int) -> memoryview:
        block = [p if isinstance(p, pa.Scalar) else p(start, _CSV_BLOCK_ROWS) for p in args]
        text = pc.binary_join_element_wise(*block, empty)
        offsets, utf8 = _utf8(text)
        return utf8[offsets[0] : offsets[-1]].data

    header = ",".join('"' + str(name).replace('"', '""') + '"' for name in frame.columns) + "\r\n"
    starts = range(0, len(frame), _CSV_BLOCK_ROWS) if len(frame.columns) else range(0)
    with atomic_path(target) as tmp, tmp.open("wb") as sink:
        sink.write((b"\xef\xbb\xbf" if dialect.bom else b"") + header.encode("utf-8"))
        for text in _in_order(lines, starts):
            sink.write(text)


_SAME_ROWS = 1_024  # a column this long whose numbers are all equal is written as literal text


def _same_text(series: pd.Series[Any], fields: _Fields) -> str | None:
    """The field text of a long numeric or boolean column whose values are all the same (a count
    of raters that is 0 throughout, a spread that is empty), else None; text is never looked at.

    Equal values have equal text (the text depends only on the value), so the first row's is
    every row's. A column that differs in its first rows is told at once, without a full pass.
    """
    import numpy as np

    if len(series) < _SAME_ROWS or not isinstance(series.dtype, np.dtype) or series.dtype.kind not in "fiub":
        return None
    values = series.to_numpy()
    first = values[0]
    nan = values.dtype.kind == "f" and bool(np.isnan(first))

    def same(part: Any) -> bool:
        return bool(np.isnan(part).all() if nan else (part == first).all())

    if not same(values[:_SAME_ROWS]) or not same(values):
        return None
    text: str = fields(0, 1)[0].as_py()
    return text


def _in_order(work: Callable[[int], memoryview], items: Sequence[int]) -> Iterator[memoryview]:
    """`work(item)` for each item, in order, on up to _CSV_THREADS threads (a few blocks ahead)."""
    from collections import deque
    from concurrent.futures import Future, ThreadPoolExecutor

    workers = min(_csv_threads(), len(items))
    if workers <= 1:
        yield from map(work, items)
        return
    with ThreadPoolExecutor(workers, thread_name_prefix="p4c-csv") as pool:
        pending: deque[Future[memoryview]] = deque()
        for item in items:
            pending.append(pool.submit(work, item))
            if len(pending) > 2 * workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def _csv_threads() -> int:
    from p4c.forks import cpus

    return max(1, min(cpus(), _CSV_THREADS))


def arrow_text(values: Any) -> pa.Array:
    import pyarrow as pa

    return pa.array(values, type=pa.large_string(), from_pandas=True)
