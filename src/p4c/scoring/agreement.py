"""How far raters agree, and where they do not (spec: scoring.md, "Agreement and bias").

`alpha` is our own Krippendorff's alpha; the `krippendorff` PyPI package (0.9.0, maintained: it
lists Python 3.11-3.15, and correct: it matches us to 1e-13) serves only as a test oracle, because
it is GPL-3.0-or-later while p4c is MIT, and because it builds units x V x V arrays over the V
distinct values, which continuous values (z-standardized scores) make huge. The interval metric has
a closed form that is O(ratings) whatever the values (bench: a 30 x 10,000 array in about half the
package's time). The tests check this module against the published example, a textbook
pairable-values oracle written in the tests, and the package when it is installed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from p4c.scoring.frames import (
    KEYS,
    FloatArray,
    IntArray,
    cell_keys,
    distinct_per_group,
    encode,
    group_codes,
    moments,
)
from p4c.values import TOLERANCE

Level = Literal["nominal", "ordinal", "interval", "ratio"]
AGREEMENT_COLUMNS = ["criterion", "alpha", "raters", "units", "ratings"]
GAP_COLUMNS = ["partner", "criterion", "self_mean", "peer_mean", "gap", "services", "marked"]
DISPUTED_COLUMNS = ["partner", "service_id", "criterion", "std", "ratings"]
NO_VARIATION = 1e-12  # below this total sum of squares alpha is 0/0: NaN


def alpha(reliability: np.ndarray, level: Level) -> float:
    """Krippendorff's alpha of a raters x units array (NaN = not rated).

    Only pairable values count (units with at least 2 ratings). NaN when there are none or when
    all pairable values are equal (expected disagreement 0). Interval uses the closed form of
    `_interval_alpha`; the other levels the coincidence matrix over the V distinct values (O(V^2)
    memory: meant for rating scales, not continuous values).
    """
    data = np.asarray(reliability, dtype=np.float64)
    rated = ~np.isnan(data)
    units = np.broadcast_to(np.arange(data.shape[1], dtype=np.int64), data.shape)[rated]
    values = data[rated]
    if level == "interval":
        return float(_interval_alpha(np.zeros(len(values), dtype=np.int64), units, values, 1)[0])
    return _coincidence_alpha(units, values, level)


def _pairable(units: IntArray) -> np.ndarray:
    """Which values are in a unit with at least two values."""
    return np.bincount(units)[units] >= 2 if len(units) else np.zeros(0, dtype=bool)


def _interval_alpha(strata: IntArray, units: IntArray, values: FloatArray, n_strata: int) -> FloatArray:
    """Interval alpha of each stratum (e.g. criterion); unit codes are unique across strata.

    With n pairable values, their total sum of squares SS about their mean, unit sizes m_u and
    within-unit sums of squares SS_u, the coincidence sums of Krippendorff (2011) reduce to
    sum_(c,k) o_ck (c-k)^2 = 2 sum_u m_u SS_u / (m_u - 1) and sum n_c n_k (c-k)^2 = 2 n SS, so
    alpha = 1 - (n - 1) sum_u [m_u SS_u / (m_u - 1)] / (n SS).
    """
    keep = _pairable(units)
    strata, units, values = strata[keep], units[keep], values[keep]
    size = int(units.max()) + 1 if len(units) else 0
    m_u, _, _, std_u = moments(units, values, size)
    present = m_u >= 2
    stratum_u = np.zeros(size, dtype=np.int64)
    stratum_u[units] = strata
    within = np.bincount(
        stratum_u[present],
        minlength=n_strata,
        weights=(m_u * m_u * std_u**2 / np.maximum(m_u - 1, 1))[present],
    )
    n, _, _, std = moments(strata, values, n_strata)
    total = n * std**2
    with np.errstate(invalid="ignore", divide="ignore"):
        result = 1 - (n - 1) * within / (n * total)
    return np.where((n >= 2) & (total > NO_VARIATION), result, np.nan)


def _coincidence_alpha(units: IntArray, values: FloatArray, level: Level) -> float:
    """Alpha from the coincidence matrix o_ck and the metric's delta^2 (Krippendorff 2011)."""
    keep = _pairable(units)
    if not keep.any():
        return float("nan")
    unit, _ = pd.factorize(units[keep])
    domain, value = np.unique(values[keep], return_inverse=True)
    n_values = len(domain)
    counts = np.bincount(unit * n_values + value, minlength=(unit.max() + 1) * n_values)
    counts = counts.reshape(-1, n_values).astype(np.float64)
    weighted = counts / (counts.sum(axis=1, keepdims=True) - 1)
    coincidences = weighted.T @ counts - np.diag(weighted.sum(axis=0))
    n_c = coincidences.sum(axis=0)
    delta = _delta(domain, n_c, level)
    expected = float((np.outer(n_c, n_c) * delta).sum())
    if expected <= NO_VARIATION:
        return float("nan")
    return float(1 - (n_c.sum() - 1) * (coincidences * delta).sum() / expected)


def _delta(domain: FloatArray, n_c: FloatArray, level: Level) -> FloatArray:
    """The squared difference function delta^2_ck of Krippendorff's metrics."""
    c, k = domain[:, None], domain[None, :]
    if level == "nominal":
        return np.not_equal(c, k).astype(np.float64)
    if level == "interval":
        interval: FloatArray = (c - k) ** 2
        return interval
    if level == "ratio":
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio: FloatArray = np.where(c + k == 0, 0.0, ((c - k) / (c + k)) ** 2)
        return ratio
    index = np.arange(len(domain))
    low, high = np.minimum(index[:, None], index[None, :]), np.maximum(index[:, None], index[None, :])
    cumulative = np.concatenate([[0.0], np.cumsum(n_c)])
    between = cumulative[high + 1] - cumulative[low]
    ordinal: FloatArray = (between - (n_c[low] + n_c[high]) / 2) ** 2
    return ordinal


def agreement(ratings: pd.DataFrame, criteria: Sequence[str] | None = None) -> pd.DataFrame:
    """Interval alpha per criterion over the peer ratings (units = services): AGREEMENT_COLUMNS.

    `raters`, `units` and `ratings` count what alpha is computed from: the pairable peer ratings
    (services with at least two peer ratings of the criterion). Rows follow `criteria` when given
    (criteria without ratings get alpha NaN and zero counts), else the criteria in `ratings`, sorted.
    Pass raw ratings: z standardization removes part of the disagreement that alpha should show.
    """
    names = list(criteria) if criteria is not None else sorted(ratings["criterion"].dropna().unique())
    codes = encode(ratings, names)
    (service,), _ = group_codes([ratings], KEYS)
    peer = codes.peer
    crit = codes.criterion[peer]
    units = service[peer] * len(names) + crit
    keep = _pairable(units)
    return pd.DataFrame(
        {
            "criterion": names,
            "alpha": _interval_alpha(crit, units, codes.score[peer], len(names)),
            "raters": distinct_per_group(crit[keep], codes.rater[peer][keep], len(names)),
            "units": distinct_per_group(crit[keep], units[keep], len(names)),
            "ratings": np.bincount(crit[keep], minlength=len(names)).astype(np.int64),
        },
        columns=AGREEMENT_COLUMNS,
    )


def self_peer_gap(
    self_scores: pd.DataFrame, peer_aggregate_long: pd.DataFrame, *, mark: float = 0.5
) -> pd.DataFrame:
    """Per partner and criterion, its mean self score minus the mean peer aggregate: GAP_COLUMNS.

    Only services with both a self score and a (non-missing) peer aggregate of the criterion count;
    `services` says how many. `marked` is |gap| >= mark: a partner that scores itself well below its
    peers is as far from them as one that scores itself above, and the sign of `gap` tells which.
    Sorted by partner then criterion.
    """
    on = [*KEYS, "criterion"]
    own = self_scores.loc[self_scores["score"].notna(), [*on, "score"]]
    peer = peer_aggregate_long.loc[peer_aggregate_long["score"].notna(), [*on, "score"]]
    both = own.merge(peer, on=on, suffixes=("_self", "_peer"))
    table = (
        both.groupby(["partner", "criterion"], sort=True, observed=True)
        .agg(
            self_mean=("score_self", "mean"),
            peer_mean=("score_peer", "mean"),
            services=("score_self", "size"),
        )
        .reset_index()
    )
    table["gap"] = table["self_mean"] - table["peer_mean"]
    table["marked"] = table["gap"].abs() >= mark - TOLERANCE
    return table[GAP_COLUMNS]


def disputed(ratings: pd.DataFrame, threshold: float = 1.0) -> pd.DataFrame:
    """(service, criterion) cells whose peer ratings have a population std >= threshold: DISPUTED_COLUMNS.

    Sorted by partner, service_id, criterion.
    """
    names = sorted(ratings["criterion"].dropna().unique())
    codes = encode(ratings, names)
    (service,), services = group_codes([ratings], KEYS)
    peer = codes.peer
    cells = service[peer] * len(names) + codes.criterion[peer]
    count, _, _, std = moments(cells, codes.score[peer], len(services) * len(names))
    at = np.flatnonzero(std >= threshold - TOLERANCE)
    out = cell_keys(services, names, at)
    out["std"] = std[at]
    out["ratings"] = count[at]
    return out[DISPUTED_COLUMNS]
