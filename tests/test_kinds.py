"""p4c.kinds: the typed values a table sheet gives its kind."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from p4c.columns import Column
from p4c.kinds import Table


def table(values: list[Any], valid: list[bool] | None = None) -> Table:
    array = np.empty(len(values), dtype=object)
    array[:] = values
    column = Column(
        array,
        np.array([v is None for v in values], dtype=bool),
        {},
        None if valid is None else np.array(valid, dtype=bool),
    )
    return Table("Scores", 1, 2, {"comment": 0}, {"comment": column}, np.arange(len(values)))


def expected(values: list[Any], valid: list[bool] | None) -> list[Any]:
    """What Table.values promises, written out cell by cell."""
    out: list[Any] = []
    for pos, value in enumerate(values):
        blank = value is None or (isinstance(value, float) and math.isnan(value))
        if blank or (valid is not None and not valid[pos]):
            out.append(None)
        elif isinstance(value, np.generic):
            out.append(value.item())
        else:
            out.append(value)
    return out


def test_text_cells_come_back_as_they_are_and_the_odd_ones_as_python_values() -> None:
    plain = ["a", None, "b"]
    assert table(plain).values("comment") == ["a", None, "b"]
    odd = ["a", float("nan"), np.int64(3), np.float64(2.5), None]
    got = table(odd).values("comment")
    assert got == ["a", None, 3, 2.5, None]
    assert [type(v) for v in got] == [str, type(None), int, float, type(None)]
    assert table(["a", "b"], valid=[True, False]).values("comment") == ["a", None]
    assert table(["a"]).values("missing") == [None]


cells = st.one_of(
    st.text(max_size=3),
    st.none(),
    st.just(float("nan")),
    st.floats(allow_nan=False),
    st.integers(-5, 5).map(np.int64),
    st.floats(allow_nan=False, allow_infinity=False).map(np.float64),
)


@given(st.lists(cells, max_size=12), st.data())
def test_values_match_the_cell_by_cell_rule(values: list[Any], data: st.DataObject) -> None:
    valid = data.draw(st.none() | st.lists(st.booleans(), min_size=len(values), max_size=len(values)))
    got = table(values, valid).values("comment")
    want = expected(values, valid)
    assert got == want
    assert [type(v) for v in got] == [type(v) for v in want]
