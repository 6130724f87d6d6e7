"""p4c.fastcsv: the bytes of Arrow's CSV writer, faster."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import p4c.fastcsv
from p4c.fastcsv import write_csv
from p4c.rank import (
    RankOptions,
    rank,
    write_ranking,
)
from tests.rank_data import (
    CONFIG,
    partners_frame,
    random_services,
)

# --- the CSV writer: the bytes of Arrow's CSV writer, faster ---------------------------------------


def _arrow_writer_bytes(frame: pd.DataFrame) -> bytes:
    """What `write_fast_csv` wrote before it assembled the lines itself: pyarrow.csv.write_csv."""
    import pyarrow as pa
    import pyarrow.csv as pcsv

    from p4c.io import neutralise

    columns: dict[str, Any] = {}
    for name in frame.columns:
        series = frame[name]
        if pd.api.types.is_bool_dtype(series.dtype) or pd.api.types.is_integer_dtype(series.dtype):
            columns[name] = pa.array(series, from_pandas=True)
        elif pd.api.types.is_float_dtype(series.dtype):
            values = series.to_numpy(dtype=float, na_value=np.nan)
            columns[name] = pa.array(np.round(values, 6) + 0.0, from_pandas=True)
        else:
            text = series.astype("str") if pd.api.types.is_object_dtype(series.dtype) else series
            columns[name] = pa.array(
                [None if pd.isna(v) else neutralise(v) for v in text], type=pa.large_string()
            )
    sink = pa.BufferOutputStream()
    sink.write(b"\xef\xbb\xbf")
    pcsv.write_csv(pa.table(columns), sink, pcsv.WriteOptions(eol="\r\n"))
    return bytes(sink.getvalue().to_pybytes())


def _awkward_frame(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    texts = np.array(
        [
            "plain",
            "",
            'say "hi"',
            "a,b",
            "one\ntwo",
            "three\r\nfour",
            "é ünïcode ✓",
            "=SUM(A1)",
            "+1",
            "-2",
            "@x",
            "\tx",
            "\rx",
            '"',
            "x=1",
            "'quoted",
        ],
        dtype=object,
    )
    floats = np.array(
        [
            np.nan,
            -0.0,
            0.0,
            1e-7,
            5e-7,
            5.000001e-7,
            0.5,
            1.0,
            1 - 1e-12,
            2.5,
            -3.25,
            1e22,
            -1e22,
            123456.1234567,
            np.inf,
            -np.inf,
            0.1234565,
            1e-6,
            0.999999,
        ]
    )
    scale = 10.0 ** rng.integers(0, 9, n)
    unit = np.round(rng.random(n) * scale) / scale  # [0, 1], many with few decimals
    unit[rng.random(n) < 0.1] = np.nan
    unit[:4] = [0.0, 1.0, -0.0, 0.5e-6][:n]
    return pd.DataFrame(
        {
            "rank": rng.integers(1, 1000, n),
            "partner": pd.array(texts[rng.integers(0, len(texts), n)], dtype="str"),
            "maybe": pd.array(
                np.where(rng.random(n) < 0.2, None, texts[rng.integers(0, len(texts), n)]), dtype="str"
            ),
            "object": pd.Series(rng.integers(0, 99, n).astype(object)),
            "score": unit,
            "complete": rng.random(n) < 0.5,
            "count": pd.array(np.where(rng.random(n) < 0.3, None, rng.integers(0, 9, n)), dtype="Int64"),
            "float": floats[rng.integers(0, len(floats), n)],
            'a "name", odd': rng.random(n) * 2 - 1,
            "unit": np.where(rng.random(n) < 0.5, unit, rng.random(n)),
        }
    )


@pytest.mark.parametrize("table_rows", [1, 10**9])  # floats in [0, 1] from the text table, or not
@pytest.mark.parametrize("block_rows", [7, 65_536])  # blocks of lines on threads, or one block
def test_the_csv_has_the_bytes_of_arrows_csv_writer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, table_rows: int, block_rows: int
) -> None:
    import p4c.rank

    monkeypatch.setattr(p4c.fastcsv, "_TEXT_TABLE_ROWS", table_rows)
    monkeypatch.setattr(p4c.fastcsv, "_CSV_BLOCK_ROWS", block_rows)
    for n, seed in ((0, 0), (1, 1), (300, 2), (5_000, 3)):
        frame = _awkward_frame(n, seed)
        write_csv(frame, tmp_path / "r.csv")
        assert (tmp_path / "r.csv").read_bytes() == _arrow_writer_bytes(frame), (n, seed)


@pytest.mark.parametrize("same_rows", [4, 10**9])  # constant columns as literal text, or not
@pytest.mark.parametrize("block_rows", [7, 65_536])
def test_constant_columns_have_the_bytes_of_arrows_csv_writer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, same_rows: int, block_rows: int
) -> None:
    """Columns with one value throughout, first, last and side by side, and one that is constant
    only in its first rows: written as literal text, the bytes do not change."""
    monkeypatch.setattr(p4c.fastcsv, "_SAME_ROWS", same_rows)
    monkeypatch.setattr(p4c.fastcsv, "_CSV_BLOCK_ROWS", block_rows)
    n = 50
    late = np.zeros(n)
    late[-1] = 0.5
    frame = pd.DataFrame(
        {
            "zero": np.zeros(n, dtype=np.int64),
            "text": pd.array(["a,b"] * n, dtype="str"),
            "nan": np.full(n, np.nan),
            "minus_zero": np.full(n, -0.0),
            "big": np.full(n, 1e22),
            "quarter": np.full(n, 0.25),
            "late": late,
            "count": pd.array([3] * n, dtype="Int64"),
            "unsigned": np.full(n, 7, dtype=np.uint8),
            "no": np.zeros(n, dtype=bool),
            "yes": np.ones(n, dtype=bool),
        }
    )
    write_csv(frame, tmp_path / "r.csv")
    data = (tmp_path / "r.csv").read_bytes()
    assert data == _arrow_writer_bytes(frame)
    assert data.endswith(
        b'\r\n0,"a,b",,0,1e+22,0.25,0,3,7,false,true\r\n0,"a,b",,0,1e+22,0.25,0.5,3,7,false,true\r\n'
    )


def test_the_text_table_is_arrows_text_of_every_rounded_value() -> None:
    import pyarrow as pa
    import pyarrow.compute as pc

    from p4c.fastcsv import _decimal_texts

    table = _decimal_texts()
    assert len(table) == 10**6 + 1
    rounded = np.round(np.arange(10**6 + 1) / 1e6, 6)
    assert table.equals(pc.cast(pa.array(rounded), pa.large_string()))
    assert table[0].as_py() == "0" and table[10**6].as_py() == "1" and table[1].as_py() == "0.000001"


def test_a_ranking_csv_has_the_bytes_of_arrows_csv_writer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import p4c.rank

    monkeypatch.setattr(p4c.fastcsv, "_TEXT_TABLE_ROWS", 1)
    monkeypatch.setattr(p4c.fastcsv, "_CSV_BLOCK_ROWS", 11)
    result = rank(
        random_services(200, 5, missing=0.2),
        partners_frame(),
        CONFIG,
        RankOptions(samples=20, by="category", stability=True),
    )
    write_ranking(result, tmp_path / "r.csv")
    assert (tmp_path / "r.csv").read_bytes() == _arrow_writer_bytes(result.table)
    assert result.stability is not None
    assert (tmp_path / "weight_stability.csv").read_bytes() == _arrow_writer_bytes(result.stability)


def test_the_open_data_dialect_round_trips(tmp_path: Path) -> None:
    """No BOM, text as it is (no formula guard), every float in full: the values read back equal."""
    import csv

    from p4c.fastcsv import OPEN_DATA

    frame = _awkward_frame(300, seed=3)
    frame = frame.assign(float=frame["float"].replace([np.inf, -np.inf], np.nan))
    target = tmp_path / "open.csv"
    write_csv(frame, target, OPEN_DATA)
    raw = target.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    with target.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == list(frame.columns)
    body = list(zip(*rows[1:], strict=True))
    assert list(body[1]) == frame["partner"].tolist()  # "=SUM(A1)" stays "=SUM(A1)"
    for name in ("score", "float", "unit", 'a "name", odd'):
        column = list(frame.columns).index(name)
        back = [float(v) if v else np.nan for v in body[column]]
        np.testing.assert_array_equal(back, frame[name].to_numpy())  # exact, NaN where NaN
    assert [int(v) if v else None for v in body[list(frame.columns).index("count")]] == [
        None if pd.isna(v) else int(v) for v in frame["count"]
    ]
