"""Criterion weights proposed by the partners, their consensus, and rank agreement (spec: scoring.md).

Preconditions (ingest validates them, so nothing here raises for them): `points` name only known
criteria, points are >= 0, and each rater's points sum to more than 0; config weights are >= 0 and
sum to more than 0.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import Literal

import numpy as np
import pandas as pd

from p4c.errors import P4CError

TAU_COLUMNS = ["partner", "tau"]


def partner_weights(points: pd.DataFrame, criteria: Sequence[str]) -> pd.DataFrame:
    """Each rater's points (`rater, criterion, points`) normalized: index `rater`, a column per criterion.

    A criterion the rater did not list is NaN, not 0, so that `consensus_weights` can tell "nobody
    weighted it" from "weighted it 0"; each row sums to 1 over the criteria it lists.
    """
    table = points.groupby(["rater", "criterion"], sort=True)["points"].sum().unstack("criterion")
    table = table.reindex(columns=list(criteria)).astype(np.float64)
    table.columns.name = None
    return table.div(table.sum(axis=1), axis=0)


def consensus_weights(
    partner_weights: pd.DataFrame,
    config_weights: Mapping[str, float],
    aggregate: Literal["mean", "geometric"] = "mean",
) -> dict[str, float]:
    """The partners' consensus weight of every config criterion, summing to 1, in config order.

    Criteria that no partner listed keep their config share w_c / sum(w): a criterion added after
    the weights were collected keeps the importance the config gives it. The weighted criteria share
    the rest, 1 - (those shares), in proportion to the aggregate of the partners' vectors, where a
    weighted criterion a partner did not list counts 0 for that partner. Aggregate `mean` is the
    arithmetic mean of the vectors; `geometric` the per-criterion geometric mean, normalized to 1
    (so one partner's 0 zeroes a criterion). Without partner weights this is the config shares.
    """
    names = list(config_weights)
    config = np.array([config_weights[name] for name in names], dtype=np.float64)
    share = config / config.sum()
    vectors = partner_weights.reindex(columns=names).to_numpy(dtype=np.float64)
    weighted = ~np.isnan(vectors).all(axis=0) if len(vectors) else np.zeros(len(names), dtype=bool)
    if not weighted.any():
        return dict(zip(names, share.tolist(), strict=True))
    listed = np.nan_to_num(vectors[:, weighted], nan=0.0)
    if aggregate == "mean":
        combined = listed.mean(axis=0)
    else:
        with np.errstate(divide="ignore"):
            combined = np.exp(np.log(listed).mean(axis=0))
    if combined.sum() <= 0:
        raise P4CError(
            "weights.aggregate: geometric has no consensus: every criterion got 0 points "
            "from at least one partner",
            hint="use weights.aggregate: mean, or ask the partners for non-zero points",
        )
    result = share.copy()
    result[weighted] = (1 - share[~weighted].sum()) * combined / combined.sum()
    return dict(zip(names, result.tolist(), strict=True))


def kendall_tau(a: Sequence[Hashable], b: Sequence[Hashable]) -> float:
    """Kendall's tau-b between two rankings (best first) of the same keys; NaN for fewer than 2."""
    position = {key: i for i, key in enumerate(b)}
    if len(position) != len(b) or len(a) != len(b) or set(a) != position.keys():
        raise ValueError("kendall_tau needs two rankings of the same distinct keys")
    if len(a) < 2:
        return float("nan")
    from scipy.stats import kendalltau  # 1 s to import: only where a tau is asked for

    return float(kendalltau(np.arange(len(a)), [position[key] for key in a]).statistic)


def tau_table(rankings: Mapping[str, Sequence[Hashable]], consensus: Sequence[Hashable]) -> pd.DataFrame:
    """Kendall's tau of each partner's ranking against the consensus ranking: TAU_COLUMNS, by partner."""
    partners = sorted(rankings)
    taus = [kendall_tau(rankings[partner], consensus) for partner in partners]
    return pd.DataFrame({"partner": partners, "tau": np.array(taus, dtype=np.float64)}, columns=TAU_COLUMNS)
