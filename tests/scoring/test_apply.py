"""The services' scores made from the scoring workbooks (p4c.scoring.apply), by hand-computed examples."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from p4c.config import Config, default_config_text, parse_config
from p4c.errors import P4CError
from p4c.scoring.apply import (
    STALE_COLUMNS,
    partner_rankings,
    rank_weights,
    score_services,
    split_stale,
    weights_of,
)

SCORED = ["relevance", "impact", "transferability", "sustainability", "innovation", "synergy"]


def config_with(source: str = "peer", **extra: str) -> Config:
    text = default_config_text().replace("  source: self ", f"  source: {source} ")
    for key, value in extra.items():
        text = text.replace(f"  {key}: ", f"  {key}: {value} #", 1)
    return parse_config(text)


def services() -> pd.DataFrame:
    """BE S-01 (self relevance 4, impact 5), BE S-02 (relevance 2), FR S-01 (relevance 3)."""
    frame = pd.DataFrame(
        {
            "partner": ["BE", "BE", "FR"],
            "service_id": ["S-01", "S-02", "S-01"],
            "title": ["a", "b", "c"],
            "category": ["NET", "NET", "FIN"],
            "cis_served": pd.array([5, 5, 5], dtype="Int64"),
            "annual_budget_eur": [1000.0, 2000.0, 3000.0],
            "smes_reached": pd.array([10, 10, 10], dtype="Int64"),
        },
        index=[10, 11, 12],
    )
    for crit in SCORED:
        frame[crit] = np.nan
    frame.loc[10, ["relevance", "impact"]] = [4.0, 5.0]
    frame.loc[11, "relevance"] = 2.0
    frame.loc[12, "relevance"] = 3.0
    return frame


def ratings() -> pd.DataFrame:
    rows = [
        ("FR", "BE", "S-01", "relevance", 4.0),
        ("FR", "BE", "S-01", "impact", 3.0),
        ("DE", "BE", "S-01", "relevance", 2.0),
        ("DE", "BE", "S-01", "impact", 5.0),
        ("BE", "BE", "S-01", "relevance", 5.0),  # own: out of the peer aggregate
        ("FR", "BE", "S-02", "relevance", 3.0),  # one rater: below min_raters 2
        ("BE", "FR", "S-01", "relevance", 4.0),
        ("DE", "FR", "S-01", "relevance", 5.0),
        ("FR", "BE", "S-09", "relevance", 4.0),  # stale: BE has no S-09 any more
        ("DE", "BE", "S-09", "impact", 1.0),  # stale
    ]
    frame = pd.DataFrame(rows, columns=["rater", "partner", "service_id", "criterion", "score"])
    frame["comment"] = None
    return frame


def test_peer_scores_replace_the_self_scores() -> None:
    result = score_services(services(), ratings(), None, config_with("peer"))
    out = result.services
    assert list(out.index) == [10, 11, 12]
    assert out["relevance"].tolist()[0] == 3.0  # mean(4, 2); BE's own 5 left out
    assert out["impact"].tolist()[0] == 4.0  # mean(3, 5)
    assert math.isnan(out.loc[11, "relevance"])  # one peer rating < min_raters
    assert out.loc[12, "relevance"] == 4.5
    assert out["transferability"].isna().all()
    assert out["raters"].tolist() == [2, 1, 2]
    assert out.loc[10, "spread"] == 1.0  # mean of std(4, 2) = 1 and std(3, 5) = 1
    assert math.isnan(out.loc[11, "spread"])
    assert out.loc[12, "spread"] == 0.5
    assert out["flagged"].tolist() == [True, True, True]  # unrated criteria are missing
    assert out["title"].tolist() == ["a", "b", "c"]


def test_self_source_keeps_the_self_scores_and_tells_the_raters() -> None:
    result = score_services(services(), ratings(), None, config_with("self"))
    out = result.services
    pd.testing.assert_frame_equal(out[SCORED], services()[SCORED])
    assert out["raters"].tolist() == [2, 1, 2]
    assert out["flagged"].tolist() == [False, False, False]


def test_blend_weighs_the_self_score_by_self_weight() -> None:
    out = score_services(services(), ratings(), None, config_with("blend")).services
    assert out.loc[10, "relevance"] == 0.25 * 4 + 0.75 * 3
    assert out.loc[10, "impact"] == 0.25 * 5 + 0.75 * 4
    assert out.loc[11, "relevance"] == 2.0  # no peer aggregate: the self score alone
    assert out.loc[12, "relevance"] == 0.25 * 3 + 0.75 * 4.5


def test_median_and_exclude_own_off() -> None:
    text = default_config_text().replace("  source: self ", "  source: peer ")
    text = text.replace("  aggregate: mean       # mean | median", "  aggregate: median     # mean | median")
    text = text.replace("  exclude_own: true ", "  exclude_own: false ")
    out = score_services(services(), ratings(), None, parse_config(text)).services
    assert out.loc[10, "relevance"] == 4.0  # median(4, 2, 5) with BE's own score
    assert out.loc[10, "raters"] == 3


def test_stale_scores_are_left_out_and_counted() -> None:
    current, stale = split_stale(services(), ratings())
    assert len(current) == 8
    assert list(stale.columns) == STALE_COLUMNS
    assert stale.values.tolist() == [["DE", "BE", "S-09", 1], ["FR", "BE", "S-09", 1]]
    outcome = score_services(services(), ratings(), None, config_with("peer")).outcome
    assert outcome.stale_scores == 2
    assert outcome.stale_note() == (
        "2 score(s) of 1 service(s) that no longer exist were left out (e.g. BE S-09, resubmitted "
        "away); the raters (DE, FR) should send their scoring workbooks again"
    )


def test_only_stale_ratings_is_the_same_as_none() -> None:
    stale_only = ratings().iloc[8:]
    for source in ("self", "peer", "blend"):
        config = config_with(source)
        a = score_services(services(), stale_only, None, config)
        b = score_services(services(), None, None, config)
        pd.testing.assert_frame_equal(a.services, b.services)
        assert a.outcome.stale_scores == 2 and b.outcome.stale_scores == 0
    out = score_services(services(), None, None, config_with("peer")).services
    assert out[SCORED].isna().all().all() and out["flagged"].all() and (out["raters"] == 0).all()


def test_the_unrated_shortcut_matches_the_aggregation() -> None:
    """No current rating takes a shortcut; the aggregation gives the same frame (blend: self)."""
    from p4c.scoring.aggregate import aggregate_scores
    from p4c.scoring.apply import self_scores_of

    config = config_with("blend")
    own = self_scores_of(services(), SCORED)
    empty = ratings().iloc[:0]
    full = aggregate_scores(empty, own, SCORED, config.scoring, scale_min=1, scale_max=5).scores
    short = score_services(services(), None, None, config).services
    np.testing.assert_array_equal(full[SCORED].to_numpy(), short[SCORED].to_numpy())
    assert full["flagged"].tolist() == short["flagged"].tolist()


def test_agreement_gap_and_disputed_are_filled() -> None:
    outcome = score_services(services(), ratings(), None, config_with("peer")).outcome
    gap = outcome.gap.set_index(["partner", "criterion"])
    # BE relevance: self 4 (S-01; S-02 has no peer aggregate) - peer 3 = 1.0
    assert gap.loc[("BE", "relevance"), ["self_mean", "peer_mean", "gap", "services"]].tolist() == [
        4,
        3,
        1,
        1,
    ]
    assert gap.loc[("BE", "impact"), "gap"] == 1.0
    assert gap.loc[("FR", "relevance"), "gap"] == 3.0 - 4.5
    assert gap["marked"].tolist() == [True, True, True]
    # std(4, 2) = std(3, 5) = 1.0 is disputed; FR S-01 (4, 5) is not
    assert outcome.disputed[["partner", "service_id", "criterion"]].values.tolist() == [
        ["BE", "S-01", "impact"],
        ["BE", "S-01", "relevance"],
    ]
    heat = outcome.heatmap.set_index(["rater", "partner"])
    assert heat.loc[("FR", "BE"), ["mean", "scores"]].tolist() == [(4 + 3 + 3) / 3, 3]
    assert bool(heat.loc[("BE", "BE"), "own"]) is True


def points() -> pd.DataFrame:
    return pd.DataFrame(
        [("BE", "relevance", 60.0), ("BE", "impact", 40.0), ("FR", "relevance", 1.0), ("FR", "impact", 3.0)],
        columns=["rater", "criterion", "points"],
    )


def test_partner_weights_and_consensus() -> None:
    config = config_with("peer")
    outcome = score_services(services(), ratings(), points(), config).outcome
    # config shares: relevance .2, impact .2; the others keep theirs (.6), the two share .4
    be = weights_of(outcome, "BE", config)
    assert be["relevance"] == pytest.approx(0.4 * 0.6, abs=1e-15)
    assert be["impact"] == pytest.approx(0.4 * 0.4, abs=1e-15)
    assert be["pertinence"] == pytest.approx(0.15, abs=1e-15)
    # consensus: mean of (.6, .4) and (.25, .75) = (.425, .575)
    assert outcome.consensus["relevance"] == pytest.approx(0.4 * 0.425, abs=1e-15)
    assert outcome.consensus["impact"] == pytest.approx(0.4 * 0.575, abs=1e-15)
    assert rank_weights(outcome, config) == {}  # weights.from: config
    partners = parse_config(default_config_text().replace("  from: config ", "  from: partners "))
    assert rank_weights(outcome, partners) == outcome.consensus


def test_weights_of_a_partner_without_weights_is_a_clear_error() -> None:
    config = config_with("peer")
    outcome = score_services(services(), ratings(), points(), config).outcome
    with pytest.raises(P4CError) as info:
        weights_of(outcome, "DE", config)
    assert info.value.message == "--weights-of DE: partner DE sent no Weights sheet"
    assert info.value.hint == "Partners whose weights are ingested: BE, FR."


def test_tau_of_each_partner_against_the_consensus() -> None:
    config = config_with("self")
    frame = services()
    partners = pd.DataFrame({"partner": ["BE", "FR"], "cluster_initiatives": [10, 10]})
    same = pd.DataFrame(
        [("BE", "relevance", 1.0), ("FR", "relevance", 1.0)], columns=["rater", "criterion", "points"]
    )
    outcome = score_services(frame, None, same, config).outcome
    tau = partner_rankings(frame, partners, config, outcome)
    assert tau.values.tolist() == [["BE", 1.0], ["FR", 1.0]]
    other = pd.DataFrame(
        [("BE", "relevance", 1.0), ("FR", "cost_per_sme", 1.0)], columns=["rater", "criterion", "points"]
    )
    outcome = score_services(frame, None, other, config).outcome
    taus = dict(partner_rankings(frame, partners, config, outcome).values.tolist())
    # BE ranks by relevance (BE S-01 4, FR S-01 3, BE S-02 2), FR by cost (S-01 BE, S-02 BE, FR): the
    # consensus halves the two; each tau is checked against scipy on the rankings written out here.
    from scipy.stats import kendalltau

    from p4c.rank import RankOptions, rank

    def keys(weights: dict[str, float]) -> list[tuple[str, str]]:
        table = rank(frame, partners, config, RankOptions(weights=weights)).table
        return list(zip(table["partner"], table["service_id"], strict=True))

    consensus = keys(outcome.consensus)
    for code in ("BE", "FR"):
        mine = keys(weights_of(outcome, code, config))
        expected = kendalltau(range(3), [consensus.index(k) for k in mine]).statistic
        assert taus[code] == pytest.approx(expected, abs=1e-12)
