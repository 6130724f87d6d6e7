"""Shared group arithmetic for the scoring maths: integer group codes and per-group moments.

Everything in `p4c.scoring` groups millions of long-format ratings; doing it once here with
`pd.factorize` + `np.bincount` keeps every function vectorised (no Python loop per service) and
the numbers identical between modules (the same population standard deviation everywhere).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd

RATING_COLUMNS = ["rater", "partner", "service_id", "criterion", "score"]
SELF_COLUMNS = ["partner", "service_id", "criterion", "score"]
KEYS = ["partner", "service_id"]
TOLERANCE = 1e-9  # float noise forgiven at a threshold (a std of 1.0 is "at least 1.0"); as shortlist.py

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def peer_ratings(ratings: pd.DataFrame) -> pd.DataFrame:
    """The ratings with a score whose rater is not the service's partner."""
    keep = ratings["score"].notna() & (ratings["rater"] != ratings["partner"])
    return ratings.loc[keep]


def group_codes(frames: Sequence[pd.DataFrame], keys: Sequence[str]) -> tuple[list[IntArray], pd.DataFrame]:
    """Dense codes of the distinct `keys` tuples over all `frames`, numbered in sorted key order.

    Returns one code array per frame (aligned with its rows) and the distinct tuples as a frame whose
    row i is code i, so results computed per code can be laid out as a table without a merge.
    """
    sizes = [len(frame) for frame in frames]
    combined = np.zeros(sum(sizes), dtype=np.int64)
    uniques = []
    for key in keys:
        column = pd.concat([frame[key] for frame in frames], ignore_index=True) if frames else pd.Series([])
        codes, levels = pd.factorize(column, sort=True)
        combined = combined * max(len(levels), 1) + codes
        uniques.append(levels)
    dense, tuples = pd.factorize(combined, sort=True)
    table = {}
    rest = np.asarray(tuples, dtype=np.int64)
    for key, levels in zip(reversed(keys), reversed(uniques), strict=True):
        radix = max(len(levels), 1)
        table[key] = np.asarray(levels)[rest % radix] if len(levels) else np.array([], dtype=object)
        rest = rest // radix
    out = pd.DataFrame({key: table[key] for key in keys})
    bounds = np.cumsum([0, *sizes])
    return [dense[a:b].astype(np.int64) for a, b in itertools.pairwise(bounds)], out


def moments(
    codes: IntArray, values: FloatArray, size: int
) -> tuple[IntArray, FloatArray, FloatArray, FloatArray]:
    """Per code in 0..size-1: count, sum, mean and population std (ddof=0) of `values`.

    Two passes (deviations from the group mean), so a group of equal values has a std of 0 up to
    float noise. Empty groups have mean and std NaN.
    """
    count = np.bincount(codes, minlength=size).astype(np.int64)
    total = np.bincount(codes, weights=values, minlength=size).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean: FloatArray = total / count
        squares = np.bincount(codes, weights=(values - mean[codes]) ** 2, minlength=size)
        std: FloatArray = np.sqrt(squares / count).astype(np.float64)
    return count, total, mean, std


def distinct_per_group(groups: IntArray, members: IntArray, size: int) -> IntArray:
    """How many distinct `members` each group in 0..size-1 has (e.g. raters per service)."""
    if len(groups) == 0:
        return np.zeros(size, dtype=np.int64)
    width = int(members.max()) + 1
    pairs = np.unique(groups * width + members)
    return np.bincount(pairs // width, minlength=size).astype(np.int64)
