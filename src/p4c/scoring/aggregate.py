"""Peer scores made into one score per service and criterion (spec: scoring.md, "Aggregation").

Inputs are long frames: ratings `rater, partner, service_id, criterion, score` (one row per rating,
rater and partner are partner codes, score on the config scale, NaN = not rated) and self scores
`partner, service_id, criterion, score` (the partner workbook's own scores). Preconditions (ingest
guarantees them): at most one rating per (rater, partner, service_id, criterion) and one self score
per (partner, service_id, criterion).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from p4c.scoring import QUALITY_COLUMNS
from p4c.scoring.frames import (
    KEYS,
    Encoded,
    FloatArray,
    IntArray,
    cell_keys,
    codes_in,
    distinct_per_group,
    encode,
    group_codes,
    moments,
)
from p4c.scoring.settings import ScoringSettings

PEER_COLUMNS = ["partner", "service_id", "criterion", "score", "ratings", "std"]
TRIM_FROM = 5  # trimmed_mean drops one lowest and one highest rating from this many ratings on
ZERO_STD = 1e-9  # a rater's std below this is s_rc = 0 (float noise of equal ratings)


@dataclass(frozen=True)
class AggregateResult:
    """The scores of every service and how much they can be trusted.

    scores: `partner, service_id`, one float column per criterion (in the order given), then
        `raters` (int): distinct raters whose ratings of the service were used (own ratings excluded
            when exclude_own),
        `spread` (float): the mean, over the criteria whose peer aggregate is not missing, of the
            population std of the ratings used for that criterion (after z standardization when on;
            before trimming); NaN when no criterion has an aggregate,
        `flagged` (bool): the final score depends on the peer aggregate (source peer or blend) and
            some criterion had fewer than min_raters ratings used. Always False with source self,
            so that v1 projects without scoring workbooks see no flags.
        One row per (partner, service_id) found in the ratings or the self scores, sorted by both.
    peer: the peer aggregate, long: `partner, service_id, criterion, score, ratings, std`, one row per
        rated (service, criterion); `score` is NaN when `ratings` < min_raters. This is the
        `peer_aggregate_long` that `agreement.self_peer_gap` takes.
    """

    scores: pd.DataFrame
    peer: pd.DataFrame


def standardize(
    ratings: pd.DataFrame, *, scale_min: float, scale_max: float, min_ratings: int
) -> pd.DataFrame:
    """The ratings with each rater's scores z-standardized per criterion (same rows and columns).

    s' = M_c + S_c * (s - m_rc) / s_rc, clipped to [scale_min, scale_max], where m_rc, s_rc are the mean
    and population std of rater r's PEER ratings of c and M_c, S_c those of all peer ratings of c.
    s_rc = 0 gives M_c. A rater with fewer than `min_ratings` peer ratings of c keeps its scores of c.

    A rater's ratings of its own services get the same transform, with m_rc and s_rc taken from its
    peer ratings only: its own scores then never change anyone's standardization, and when
    exclude_own is off they enter the aggregate on the same common scale as its peer ratings.
    """
    names = sorted(ratings["criterion"].dropna().unique())
    out = ratings.copy()
    out["score"] = _z_scores(
        encode(ratings, names), len(names), scale_min=scale_min, scale_max=scale_max, min_ratings=min_ratings
    )
    return out


def _z_scores(
    codes: Encoded, n_crit: int, *, scale_min: float, scale_max: float, min_ratings: int
) -> FloatArray:
    """The scores of `standardize`, from encoded ratings with `n_crit` criteria."""
    if not codes.known.any():
        return codes.score.copy()
    crit = np.maximum(codes.criterion, 0)  # a row of an unknown criterion is not `known`: kept as is
    cell = codes.rater * n_crit + crit
    peer, score = codes.peer, codes.score
    count_rc, _, mean_rc, std_rc = moments(cell[peer], score[peer], (int(codes.rater.max()) + 1) * n_crit)
    _, _, mean_c, std_c = moments(crit[peer], score[peer], n_crit)
    common = mean_c[crit]
    with np.errstate(invalid="ignore", divide="ignore"):
        z = common + std_c[crit] * (score - mean_rc[cell]) / std_rc[cell]
    z = np.where(std_rc[cell] < ZERO_STD, common, np.clip(z, scale_min, scale_max))
    return np.where(codes.known & (count_rc[cell] >= min_ratings), z, score)


def aggregate_scores(
    ratings: pd.DataFrame,
    self_scores: pd.DataFrame,
    criteria: Sequence[str],
    settings: ScoringSettings,
    *,
    scale_min: float,
    scale_max: float,
) -> AggregateResult:
    """Every service's criterion scores by `settings.source` (self, peer or blend); see AggregateResult.

    Ratings and self scores of criteria outside `criteria`, and blank scores, are ignored. Blend is
    self_weight * self + (1 - self_weight) * peer; the self score alone where the peer aggregate is
    missing, and the peer aggregate alone where the self score is missing. Self scores are never
    standardized (z is about a rater's use of the scale across other partners' services).
    """
    names = list(criteria)
    reserved = set(names) & {*KEYS, *QUALITY_COLUMNS}
    if reserved:
        raise ValueError(f"criterion ids clash with result columns: {sorted(reserved)}")
    codes = encode(ratings, names)
    score = codes.score
    if settings.standardize == "z":
        score = _z_scores(
            codes, len(names), scale_min=scale_min, scale_max=scale_max, min_ratings=settings.min_ratings
        )
    (rated_svc, self_svc), services = group_codes([ratings, self_scores], KEYS)
    n_svc, n_crit = len(services), len(names)
    used = codes.peer if settings.exclude_own else codes.known
    cell = rated_svc[used] * n_crit + codes.criterion[used]
    values = score[used]
    count, total, mean, std = moments(cell, values, n_svc * n_crit)
    peer = _central(settings.aggregate, cell, values, count=count, total=total, mean=mean)
    short = count < settings.min_raters
    peer[short] = np.nan
    own_crit = codes_in(self_scores["criterion"], names)
    own_score = self_scores["score"].to_numpy(dtype=np.float64, na_value=np.nan)
    has = (own_crit >= 0) & ~np.isnan(own_score)
    _, _, own, _ = moments(self_svc[has] * n_crit + own_crit[has], own_score[has], n_svc * n_crit)
    final = _combine(settings, own, peer).reshape(n_svc, n_crit)

    scores = services.copy()
    scores[names] = final
    scores["raters"] = distinct_per_group(rated_svc[used], codes.rater[used], n_svc)
    counted = ~short.reshape(n_svc, n_crit)
    with np.errstate(invalid="ignore", divide="ignore"):
        scores["spread"] = np.where(counted, std.reshape(n_svc, n_crit), 0).sum(axis=1) / counted.sum(axis=1)
    flagged = np.asarray(short.reshape(n_svc, n_crit).any(axis=1), dtype=bool)
    scores["flagged"] = flagged & (settings.source != "self")
    return AggregateResult(scores=scores, peer=_long(services, names, count, peer, std))


def _central(
    how: str, cell: IntArray, values: FloatArray, *, count: IntArray, total: FloatArray, mean: FloatArray
) -> FloatArray:
    """The mean, median or trimmed mean of each cell's values (NaN for an empty cell).

    Median and trimmed mean read the order statistics off one sort by (cell, value).
    """
    if how == "mean":
        return mean.copy()
    ordered = values[np.lexsort((values, cell))]
    start = np.cumsum(count) - count
    filled = count > 0
    first, last = start[filled], start[filled] + count[filled] - 1
    out = np.full(len(count), np.nan)
    if how == "median":
        out[filled] = (ordered[(first + last) // 2] + ordered[(first + last + 1) // 2]) / 2
        return out
    kept = total[filled] - ordered[first] - ordered[last]
    with np.errstate(invalid="ignore", divide="ignore"):
        out[filled] = np.where(count[filled] >= TRIM_FROM, kept / (count[filled] - 2), mean[filled])
    return out


def _combine(settings: ScoringSettings, own: FloatArray, peer: FloatArray) -> FloatArray:
    """The final score of each cell from the self score and the peer aggregate by the source."""
    if settings.source == "self":
        return own
    if settings.source == "peer":
        return peer
    blended = settings.self_weight * own + (1 - settings.self_weight) * peer
    return np.where(np.isnan(peer), own, np.where(np.isnan(own), peer, blended))


def _long(
    services: pd.DataFrame, names: list[str], count: IntArray, peer: FloatArray, std: FloatArray
) -> pd.DataFrame:
    """The rated (service, criterion) cells as PEER_COLUMNS rows."""
    at = np.flatnonzero(count)
    rows = cell_keys(services, names, at)
    rows["score"] = peer[at]
    rows["ratings"] = count[at]
    rows["std"] = std[at]
    return rows[PEER_COLUMNS]
