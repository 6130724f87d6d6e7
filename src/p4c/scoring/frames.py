"""Shared group arithmetic for the scoring maths: integer group codes and per-group moments.

Everything in `p4c.scoring` groups millions of long-format ratings; doing it once here with
`pd.factorize` + `np.bincount` keeps every function vectorised (no Python loop per service) and
the numbers identical between modules (the same population standard deviation everywhere).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from p4c.models import SERVICE_KEY

KEYS = list(SERVICE_KEY)
RATING_COLUMNS = ["rater", *KEYS, "criterion", "score"]
SELF_COLUMNS = [*KEYS, "criterion", "score"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Encoded:
    """A ratings frame as numpy arrays, so that no step copies or filters 2 M rows of strings."""

    rater: IntArray  # codes of `rater`
    criterion: IntArray  # position in the criteria names, -1 when not among them
    score: FloatArray  # NaN = not rated
    known: BoolArray  # a score of one of the criteria
    peer: BoolArray  # known, and the rater is not the service's partner


def codes_in(column: pd.Series, names: Sequence[str]) -> IntArray:
    """Each value's position in `names`, -1 when it is not there (or missing)."""
    codes, levels = pd.factorize(column)
    lookup = np.append(pd.Index(list(names)).get_indexer(levels), -1)
    return np.asarray(lookup[codes], dtype=np.int64)


def encode(ratings: pd.DataFrame, names: Sequence[str]) -> Encoded:
    """The `RATING_COLUMNS` frame as arrays, criteria numbered by their position in `names`."""
    rater, raters = pd.factorize(ratings["rater"])
    partner, partners = pd.factorize(ratings["partner"])
    as_rater = np.append(pd.Index(raters).get_indexer(partners), -1)  # -1: a partner that never rates
    score = ratings["score"].to_numpy(dtype=np.float64, na_value=np.nan)
    criterion = codes_in(ratings["criterion"], names)
    known = (criterion >= 0) & ~np.isnan(score)
    peer = known & (rater != as_rater[partner])
    return Encoded(rater.astype(np.int64), criterion, score, known, peer)


def group_codes(frames: Sequence[pd.DataFrame], keys: Sequence[str]) -> tuple[list[IntArray], pd.DataFrame]:
    """Dense codes of the distinct `keys` tuples over all `frames`, numbered in sorted key order.

    Returns one code array per frame (aligned with its rows) and the distinct tuples as a frame whose
    row i is code i, so results computed per code can be laid out as a table without a merge.
    Precondition: no key value is missing (ingest fills partner and service_id).
    """
    sizes = [len(frame) for frame in frames]
    combined = np.zeros(sum(sizes), dtype=np.int64)
    uniques = []
    for key in keys:
        column = pd.concat([frame[key] for frame in frames], ignore_index=True) if frames else pd.Series([])
        codes, levels = pd.factorize(column, sort=True)
        combined = combined * max(len(levels), 1) + codes
        uniques.append(levels)
    rest, dense = _dense(combined)
    table: dict[str, pd.Series] = {}
    for key, levels in zip(reversed(keys), reversed(uniques), strict=True):
        radix = max(len(levels), 1)
        table[key] = pd.Series(levels.take(rest % radix) if len(levels) else [], dtype=levels.dtype)
        rest = rest // radix
    out = pd.DataFrame({key: table[key] for key in keys})
    bounds = np.cumsum([0, *sizes])
    return [dense[a:b] for a, b in itertools.pairwise(bounds)], out


def _dense(combined: IntArray) -> tuple[IntArray, IntArray]:
    """The sorted distinct values of `combined` and each value's rank among them."""
    size = int(combined.max()) + 1 if len(combined) else 0
    if size > 4 * len(combined):  # sparse key space: hash instead of a presence table
        dense, distinct = pd.factorize(combined, sort=True)
        return np.asarray(distinct, dtype=np.int64), dense.astype(np.int64)
    present = np.zeros(size, dtype=bool)
    present[combined] = True
    rank = np.cumsum(present, dtype=np.int64) - 1
    return np.flatnonzero(present).astype(np.int64), rank[combined]


def cell_keys(services: pd.DataFrame, names: Sequence[str], cells: IntArray) -> pd.DataFrame:
    """`partner, service_id, criterion` of cells numbered service * len(names) + criterion."""
    width = max(len(names), 1)
    rows = services.iloc[cells // width].reset_index(drop=True)
    rows["criterion"] = pd.Series(
        np.asarray(names, dtype=object)[cells % width] if len(names) else [], dtype=object
    )
    return rows


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
    """How many distinct `members` (codes >= 0) each group in 0..size-1 has (e.g. raters per service)."""
    if len(groups) == 0:
        return np.zeros(size, dtype=np.int64)
    width = int(members.max()) + 1
    pairs = groups * width + members
    if size * width > 8 * len(pairs):  # sparse: sort the pairs rather than fill a mostly empty table
        return np.bincount(np.unique(pairs) // width, minlength=size).astype(np.int64)
    seen = np.zeros(size * width, dtype=bool)
    seen[pairs] = True
    return np.asarray(seen.reshape(size, width).sum(axis=1), dtype=np.int64)
