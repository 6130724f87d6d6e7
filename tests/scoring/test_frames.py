"""The shared group arithmetic of p4c.scoring against plain pandas."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from p4c.scoring.frames import distinct_per_group, group_codes, moments

KEY = st.sampled_from(["BE", "DE", "FR", "MT", "SI"])
ID = st.text(alphabet="abcxyz019", min_size=1, max_size=6)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(KEY, ID), max_size=40), st.lists(st.tuples(KEY, ID), max_size=40))
def test_group_codes_number_the_sorted_distinct_keys_of_all_frames(
    first: list[tuple[str, str]], second: list[tuple[str, str]]
) -> None:
    # Many distinct ids make the key space sparse (hash path), few make it dense (presence table).
    frames = [pd.DataFrame(rows, columns=["partner", "service_id"], dtype=str) for rows in (first, second)]
    codes, keys = group_codes(frames, ["partner", "service_id"])
    want = sorted(set(first) | set(second))
    assert list(keys.itertuples(index=False, name=None)) == want
    for frame, code in zip(frames, codes, strict=True):
        assert [want[c] for c in code] == list(frame.itertuples(index=False, name=None))


def test_group_codes_dense_path_on_a_full_grid() -> None:
    rows = [(p, s) for p in ("DE", "BE") for s in ("s2", "s1")] * 3
    (code,), keys = group_codes(
        [pd.DataFrame(rows, columns=["partner", "service_id"])], ["partner", "service_id"]
    )
    assert keys.to_dict("list") == {
        "partner": ["BE", "BE", "DE", "DE"],
        "service_id": ["s1", "s2", "s1", "s2"],
    }
    assert code.tolist() == [3, 2, 1, 0] * 3


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 40), st.floats(1, 5)), max_size=60))
def test_moments_and_distinct_members_equal_pandas(rows: list[tuple[int, int, float]]) -> None:
    frame = pd.DataFrame(rows, columns=["group", "member", "value"]).astype(
        {"group": int, "member": int, "value": float}
    )
    groups, members = frame["group"].to_numpy(np.int64), frame["member"].to_numpy(np.int64)
    count, total, mean, std = moments(groups, frame["value"].to_numpy(np.float64), 6)
    want = frame.groupby("group")["value"].agg(["size", "sum", "mean", lambda v: float(np.std(v))])
    want = want.reindex(range(6))
    np.testing.assert_array_equal(count, want["size"].fillna(0).to_numpy())
    np.testing.assert_allclose(total, want["sum"].fillna(0).to_numpy(), rtol=0, atol=1e-9)
    np.testing.assert_allclose(mean, want["mean"].to_numpy(), rtol=0, atol=1e-9)
    np.testing.assert_allclose(std, want["<lambda_0>"].to_numpy(), rtol=0, atol=1e-9)
    distinct = frame.groupby("group")["member"].nunique().reindex(range(6), fill_value=0)
    assert distinct_per_group(groups, members, 6).tolist() == distinct.tolist()
