"""The services' score columns made from the partners' scoring workbooks (spec: scoring.md).

One pure step between the store and every stage that ranks: `score_services` takes the ingested
services (their score columns are the self scores), the stored `scores` and `weights` tables and
the config, and returns the services with each score criterion replaced by its aggregate (by
`scoring.source`) plus `raters`, `spread`, `flagged`, and everything the partnership is told about
how it scored: stale scores, agreement, self-versus-peer gaps, disputed services and weights.
`p4c.store.load_processed` calls it, so rank, shortlist, report and run all see the same scores.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from p4c.errors import P4CError
from p4c.scoring.aggregate import PEER_COLUMNS, aggregate_scores
from p4c.scoring.agreement import AGREEMENT_COLUMNS, DISPUTED_COLUMNS, GAP_COLUMNS, agreement, self_peer_gap
from p4c.scoring.agreement import disputed as disputed_cells
from p4c.scoring.frames import KEYS, RATING_COLUMNS, SELF_COLUMNS
from p4c.scoring.weights import consensus_weights, partner_weights

if TYPE_CHECKING:
    from p4c.config import Config

STALE_COLUMNS = ["rater", "partner", "service_id", "scores"]
HEATMAP_COLUMNS = ["rater", "partner", "mean", "scores", "own"]
DISPUTE_STD = 1.0  # spec: a peer std of at least 1.0 is disputed
GAP_MARK = 0.5  # spec: a self-versus-peer gap of at least 0.5 is marked


def _empty(columns: Sequence[str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})


@dataclass(frozen=True, kw_only=True)
class ScoringOutcome:
    """How the partnership scored, beside the scores the ranking uses.

    ratings: the current ratings, RATING_COLUMNS (scores of services that no longer exist left out).
    stale: STALE_COLUMNS, one row per (rater, partner, service_id) whose scores were left out
        because the service was resubmitted away; `scores` counts them.
    self_scores: SELF_COLUMNS, the partner workbooks' own scores (NaN = not scored).
    peer: the peer aggregate, PEER_COLUMNS (`p4c.scoring.aggregate`).
    agreement, gap, disputed: AGREEMENT_COLUMNS, GAP_COLUMNS, DISPUTED_COLUMNS (`p4c.scoring.agreement`).
    heatmap: HEATMAP_COLUMNS, per rater and rated partner the mean of its current scores, how many,
        and `own` = the rater scored its own services.
    partner_weights: index `rater`, one column per config criterion, each row summing to 1 over the
        criteria it lists (NaN = not listed).
    consensus: the partners' consensus weight of every config criterion (config shares without any).
    source: the config's scoring.source.
    """

    ratings: pd.DataFrame
    stale: pd.DataFrame
    self_scores: pd.DataFrame
    heatmap: pd.DataFrame
    partner_weights: pd.DataFrame
    consensus: dict[str, float]
    source: str
    # empty until `score_services` rates
    peer: pd.DataFrame = field(default_factory=partial(_empty, PEER_COLUMNS))
    agreement: pd.DataFrame = field(default_factory=partial(_empty, AGREEMENT_COLUMNS))
    gap: pd.DataFrame = field(default_factory=partial(_empty, GAP_COLUMNS))
    disputed: pd.DataFrame = field(default_factory=partial(_empty, DISPUTED_COLUMNS))
    notes: tuple[str, ...] = field(default=())

    @property
    def has_ratings(self) -> bool:
        return not self.ratings.empty

    @property
    def has_weights(self) -> bool:
        return not self.partner_weights.empty

    @property
    def stale_scores(self) -> int:
        return int(self.stale["scores"].sum())

    def stale_note(self) -> str | None:
        """One sentence about the stale scores, or None when there are none."""
        if self.stale.empty:
            return None
        services = self.stale[KEYS].drop_duplicates()
        first = services.iloc[0]
        return (
            f"{self.stale_scores} score(s) of {len(services)} service(s) that no longer exist were left "
            f"out (e.g. {first['partner']} {first['service_id']}, resubmitted away); the raters "
            f"({', '.join(sorted(self.stale['rater'].unique()))}) should send their scoring workbooks again"
        )


@dataclass(frozen=True)
class Scored:
    """The services with their aggregated scores, and the outcome."""

    services: pd.DataFrame
    outcome: ScoringOutcome


def self_scores_of(services: pd.DataFrame, criteria: Sequence[str]) -> pd.DataFrame:
    """The partner workbooks' own scores in long form: SELF_COLUMNS, one row per service and criterion."""
    present = [c for c in criteria if c in services.columns]
    frame = pd.DataFrame(
        {"partner": services["partner"].astype(str), "service_id": services["service_id"].astype(str)}
    )
    if not present:
        return pd.DataFrame({c: pd.Series(dtype=object if c != "score" else "float64") for c in SELF_COLUMNS})
    values = services[present].to_numpy(dtype=np.float64, na_value=np.nan)
    long = pd.DataFrame(
        {
            "partner": np.repeat(frame["partner"].to_numpy(dtype=object), len(present)),
            "service_id": np.repeat(frame["service_id"].to_numpy(dtype=object), len(present)),
            "criterion": np.tile(np.asarray(present, dtype=object), len(frame)),
            "score": values.ravel(),
        }
    )
    return long[SELF_COLUMNS]


def split_stale(services: pd.DataFrame, scores: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The stored scores split into current ones and stale ones (STALE_COLUMNS, counted).

    A score is stale when its (partner, service_id) is not among the current services: the partner
    resubmitted its workbook without that service. Stale scores are never used, and always reported.
    """
    if scores.empty:  # a v1 project: no index of a million services for nothing
        return scores, pd.DataFrame(
            {c: pd.Series(dtype="int64" if c == "scores" else object) for c in STALE_COLUMNS}
        )
    known = pd.MultiIndex.from_arrays(
        [services["partner"].astype(str), services["service_id"].astype(str)]
    ).unique()
    keys = pd.MultiIndex.from_arrays([scores["partner"].astype(str), scores["service_id"].astype(str)])
    current = np.asarray(keys.isin(known), dtype=bool)
    stale = scores.loc[~current]
    counted = (
        stale.assign(partner=stale["partner"].astype(str), service_id=stale["service_id"].astype(str))
        .groupby(["rater", "partner", "service_id"], sort=True)
        .size()
        .rename("scores")
        .reset_index()
    )
    counted["scores"] = counted["scores"].astype("int64")
    return scores.loc[current], counted[STALE_COLUMNS]


def empty_ratings() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="float64" if c == "score" else object) for c in RATING_COLUMNS})


def score_services(
    services: pd.DataFrame,
    scores: pd.DataFrame | None,
    points: pd.DataFrame | None,
    config: Config,
) -> Scored:
    """The services with their aggregated scores and `raters`, `spread`, `flagged`; and the outcome.

    `services`: the store's services (one float column per score criterion: the self scores);
    `scores`: the store's `scores` table (rater, partner, service_id, criterion, score, ...) or None;
    `points`: the store's `weights` table (rater, criterion, points) or None.
    Rows keep their order and index. With `scoring.source: self` the score columns are the self
    scores unchanged; `raters` and `spread` still describe the peer ratings.
    """
    criteria = [c.id for c in config.score_criteria]
    settings = config.scoring
    ratings = empty_ratings() if scores is None else scores[RATING_COLUMNS]
    current, stale = split_stale(services, ratings)
    current = current.assign(
        partner=current["partner"].astype(str), service_id=current["service_id"].astype(str)
    ).reset_index(drop=True)
    weights = _partner_weights(points, config)
    if current.empty:
        return Scored(_unrated(services, criteria, config), _outcome(current, stale, weights, config))
    own = self_scores_of(services, criteria)
    result = aggregate_scores(
        current, own, criteria, settings, scale_min=config.scale.min, scale_max=config.scale.max
    )
    table = result.scores
    out = services.copy(deep=False)  # copy-on-write: new columns only, the rest shared
    if len(table):
        at = pd.MultiIndex.from_arrays([table["partner"], table["service_id"].astype(str)])
        rows = at.get_indexer(
            pd.MultiIndex.from_arrays([services["partner"].astype(str), services["service_id"].astype(str)])
        )
    else:
        rows = np.full(len(services), -1, dtype=np.int64)
    found = rows >= 0
    safe = np.where(found, rows, 0)

    def column(name: str, fill: float) -> np.ndarray:
        values = table[name].to_numpy()[safe] if len(table) else np.zeros(len(services))
        return np.asarray(np.where(found, values, fill))

    if settings.source != "self":
        for crit in criteria:
            out[crit] = column(crit, np.nan).astype(np.float64)
    out["raters"] = column("raters", 0).astype(np.int64)
    out["spread"] = column("spread", np.nan).astype(np.float64)
    out["flagged"] = column("flagged", float(settings.source != "self")).astype(bool)
    outcome = _outcome(current, stale, weights, config)
    return Scored(
        out,
        replace(
            outcome,
            self_scores=own,
            peer=result.peer,
            agreement=agreement(current, criteria),
            gap=self_peer_gap(own, result.peer, mark=GAP_MARK),
            disputed=disputed_cells(current, DISPUTE_STD),
        ),
    )


def _unrated(services: pd.DataFrame, criteria: list[str], config: Config) -> pd.DataFrame:
    """`score_services` without a current rating, in O(services) (a million v1 services stay fast).

    The same as aggregating: no peer aggregate, so source peer leaves every score missing and blend
    keeps the self scores; both flag every service (fewer than min_raters ratings).
    """
    out = services.copy(deep=False)  # copy-on-write: new columns only, the rest shared
    source = config.scoring.source
    if source == "peer":
        for crit in criteria:
            out[crit] = np.nan
    out["raters"] = np.zeros(len(out), dtype=np.int64)
    out["spread"] = np.full(len(out), np.nan)
    out["flagged"] = np.full(len(out), source != "self")
    return out


def _outcome(
    current: pd.DataFrame, stale: pd.DataFrame, weights: pd.DataFrame, config: Config
) -> ScoringOutcome:
    """The outcome with its agreement tables empty (`score_services` fills them when it rates)."""
    own = pd.DataFrame({c: pd.Series(dtype="float64" if c == "score" else object) for c in SELF_COLUMNS})
    return ScoringOutcome(
        ratings=current,
        stale=stale,
        self_scores=own,
        heatmap=heatmap(current),
        partner_weights=weights,
        consensus=consensus_weights(
            weights, {c.id: c.weight for c in config.criteria}, config.weights.aggregate
        ),
        source=config.scoring.source,
    )


def _partner_weights(points: pd.DataFrame | None, config: Config) -> pd.DataFrame:
    ids = [c.id for c in config.criteria]
    if points is None or points.empty:
        return pd.DataFrame(columns=ids, index=pd.Index([], name="rater"), dtype=np.float64)
    return partner_weights(points[["rater", "criterion", "points"]], ids)


def heatmap(ratings: pd.DataFrame) -> pd.DataFrame:
    """Per rater and rated partner: the mean of its scores over every criterion: HEATMAP_COLUMNS."""
    rated = ratings[ratings["score"].notna()]
    table = (
        rated.groupby(["rater", "partner"], sort=True)["score"]
        .agg(["mean", "size"])
        .rename(columns={"size": "scores"})
        .reset_index()
    )
    table["scores"] = table["scores"].astype("int64")
    table["own"] = table["rater"] == table["partner"]
    return table[HEATMAP_COLUMNS]


def quality_columns() -> list[str]:
    """The columns `score_services` adds, which the ranking carries."""
    return ["raters", "spread", "flagged"]


def rank_weights(outcome: ScoringOutcome | None, config: Config) -> dict[str, float]:
    """The weights the ranking starts from: the partners' consensus with `weights.from: partners`,
    else none (the config's weights apply)."""
    if outcome is None or config.weights.from_ != "partners":
        return {}
    return dict(outcome.consensus)


def weights_of(outcome: ScoringOutcome | None, code: str, config: Config) -> dict[str, float]:
    """One partner's weights (`p4c rank --weights-of CODE`): its normalized points, the criteria it
    did not list keeping their config share, as for the consensus of one partner."""
    table = outcome.partner_weights if outcome is not None else pd.DataFrame()
    if code not in table.index:
        known = ", ".join(str(r) for r in table.index) or "none"
        raise P4CError(
            f"--weights-of {code}: partner {code} sent no Weights sheet",
            hint=f"Partners whose weights are ingested: {known}.",
        )
    return consensus_weights(table.loc[[code]], {c.id: c.weight for c in config.criteria}, "mean")


def partner_rankings(
    services: pd.DataFrame, partners: pd.DataFrame, config: Config, outcome: ScoringOutcome
) -> pd.DataFrame:
    """Kendall's tau of each weighting partner's ranking against the consensus ranking (TAU_COLUMNS).

    Every ranking is `p4c rank` (wsm) of the same services with that partner's weights; the
    consensus ranking uses the partners' consensus weights.
    """
    from p4c.rank import RankOptions, rank
    from p4c.scoring.weights import TAU_COLUMNS, tau_table

    if not outcome.has_weights or services.empty:
        return _empty(TAU_COLUMNS)

    def order(weights: Mapping[str, float]) -> list[tuple[str, str]]:
        table = rank(services, partners, config, RankOptions(weights=weights)).table
        return list(zip(table["partner"].astype(str), table["service_id"].astype(str), strict=True))

    consensus = order(outcome.consensus)
    views = {
        str(code): order(weights_of(outcome, str(code), config)) for code in outcome.partner_weights.index
    }
    return tau_table(views, consensus)


__all__ = [
    "DISPUTE_STD",
    "GAP_MARK",
    "HEATMAP_COLUMNS",
    "PEER_COLUMNS",
    "STALE_COLUMNS",
    "Scored",
    "ScoringOutcome",
    "heatmap",
    "partner_rankings",
    "rank_weights",
    "score_services",
    "self_scores_of",
    "split_stale",
    "weights_of",
]
