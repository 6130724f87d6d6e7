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

from p4c.scoring.frames import (
    KEYS,
    FloatArray,
    IntArray,
    distinct_per_group,
    group_codes,
    moments,
)
from p4c.scoring.settings import ScoringSettings

QUALITY_COLUMNS = ["raters", "spread", "flagged"]
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
    score = ratings["score"].to_numpy(dtype=np.float64, na_value=np.nan)
    rated = ~np.isnan(score)
    peer = rated & (ratings["rater"] != ratings["partner"]).to_numpy(dtype=bool)
    crit, crit_levels = pd.factorize(ratings["criterion"])
    rater, rater_levels = pd.factorize(ratings["rater"])
    n_crit = max(len(crit_levels), 1)
    cell = rater.astype(np.int64) * n_crit + crit
    count_rc, _, mean_rc, std_rc = moments(cell[peer], score[peer], len(rater_levels) * n_crit)
    _, _, mean_c, std_c = moments(crit[peer].astype(np.int64), score[peer], n_crit)
    own_mean = mean_c[crit]
    with np.errstate(invalid="ignore", divide="ignore"):
        z = own_mean + std_c[crit] * (score - mean_rc[cell]) / std_rc[cell]
    z = np.where(std_rc[cell] < ZERO_STD, own_mean, np.clip(z, scale_min, scale_max))
    standardized = np.where(rated & (count_rc[cell] >= min_ratings), z, score)
    out = ratings.copy()
    out["score"] = standardized
    return out


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
    ratings = _known(ratings, names)
    self_scores = _known(self_scores, names)
    if settings.standardize == "z":
        ratings = standardize(
            ratings, scale_min=scale_min, scale_max=scale_max, min_ratings=settings.min_ratings
        )
    (rated_svc, self_svc), services = group_codes([ratings, self_scores], KEYS)
    n_svc, n_crit = len(services), len(names)
    used = np.ones(len(ratings), dtype=bool)
    if settings.exclude_own:
        used = (ratings["rater"] != ratings["partner"]).to_numpy(dtype=bool)
    cell = rated_svc[used] * n_crit + _criterion_codes(ratings, names)[used]
    values = ratings["score"].to_numpy(dtype=np.float64)[used]
    count, total, mean, std = moments(cell, values, n_svc * n_crit)
    peer = _central(settings.aggregate, cell, values, count=count, total=total, mean=mean)
    short = count < settings.min_raters
    peer[short] = np.nan
    self_cell = self_svc * n_crit + _criterion_codes(self_scores, names)
    _, _, own, _ = moments(self_cell, self_scores["score"].to_numpy(dtype=np.float64), n_svc * n_crit)
    final = _combine(settings, own, peer).reshape(n_svc, n_crit)

    scores = services.copy()
    scores[names] = final
    raters, _ = pd.factorize(ratings["rater"])
    scores["raters"] = distinct_per_group(cell // max(n_crit, 1), raters[used].astype(np.int64), n_svc)
    counted = ~short.reshape(n_svc, n_crit)
    with np.errstate(invalid="ignore", divide="ignore"):
        scores["spread"] = np.where(counted, std.reshape(n_svc, n_crit), 0).sum(axis=1) / counted.sum(axis=1)
    flagged = np.asarray(short.reshape(n_svc, n_crit).any(axis=1), dtype=bool)
    scores["flagged"] = flagged & (settings.source != "self")
    return AggregateResult(scores=scores, peer=_long(services, names, count, peer, std))


def _known(frame: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """The rows with a score of a criterion in `names`."""
    return frame.loc[frame["score"].notna() & frame["criterion"].isin(names)]


def _criterion_codes(frame: pd.DataFrame, names: list[str]) -> IntArray:
    return np.asarray(pd.Categorical(frame["criterion"], categories=names).codes, dtype=np.int64)


def _central(
    how: str, cell: IntArray, values: FloatArray, *, count: IntArray, total: FloatArray, mean: FloatArray
) -> FloatArray:
    """The mean, median or trimmed mean of each cell's values (NaN for an empty cell)."""
    if how == "mean":
        return mean.copy()
    grouped = pd.Series(values).groupby(cell)
    out = np.full(len(count), np.nan)
    if how == "median":
        medians = grouped.median()
        out[medians.index.to_numpy()] = medians.to_numpy()
        return out
    ends = grouped.agg(["min", "max"])
    at = ends.index.to_numpy()
    trimmed = (total[at] - ends["min"].to_numpy() - ends["max"].to_numpy()) / np.maximum(count[at] - 2, 1)
    out[at] = np.where(count[at] >= TRIM_FROM, trimmed, mean[at])
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
    n_crit = max(len(names), 1)
    rows = services.iloc[at // n_crit].reset_index(drop=True)
    rows["criterion"] = np.asarray(names, dtype=object)[at % n_crit] if names else []
    rows["score"] = peer[at]
    rows["ratings"] = count[at]
    rows["std"] = std[at]
    return rows[PEER_COLUMNS]
