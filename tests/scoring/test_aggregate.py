"""Peer aggregation and z standardization (scoring.md, "Aggregation")."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import spearmanr

from p4c.scoring.aggregate import aggregate_scores, standardize
from p4c.scoring.settings import ScoringSettings

COLUMNS = ["rater", "partner", "service_id", "criterion", "score"]
SELF = ["partner", "service_id", "criterion", "score"]
N = np.nan


def ratings_of(rows: list[tuple[str, str, str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=COLUMNS).astype({"score": np.float64})


def selfs_of(rows: list[tuple[str, str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=SELF).astype({"score": np.float64})


NO_SELF = selfs_of([])


def run(
    ratings: pd.DataFrame,
    self_scores: pd.DataFrame = NO_SELF,
    criteria: tuple[str, ...] = ("impact",),
    **options: object,
) -> pd.DataFrame:
    chosen = ScoringSettings.model_validate({"source": "peer", **options})
    return aggregate_scores(ratings, self_scores, criteria, chosen, scale_min=1, scale_max=5).scores


def one_service(scores: list[float], criterion: str = "impact") -> pd.DataFrame:
    raters = ["BE", "DE", "EE", "GR", "MT", "SI", "CY"]
    return ratings_of([(raters[i], "FR", "s1", criterion, s) for i, s in enumerate(scores)])


# --- mean, median, trimmed mean, min_raters, blend: hand-computed cases ----------------------------


@pytest.mark.parametrize(
    ("scores", "how", "expected"),
    [
        ([1, 2, 4, 4, 5, 5], "mean", 3.5),
        ([1, 2, 4, 4, 5, 5], "median", 4.0),
        ([1, 2, 4, 4, 5, 5], "trimmed_mean", 15 / 4),  # 1 and one 5 dropped: (2 + 4 + 4 + 5) / 4
        ([1, 1, 2, 4, 5], "trimmed_mean", 7 / 3),  # exactly 5: (1 + 2 + 4) / 3
        ([1, 2, 4, 5], "trimmed_mean", 3.0),  # 4 ratings: nothing dropped, the mean
        ([1, 2, 4], "median", 2.0),
        ([2.5, 3.5], "median", 3.0),
    ],
)
def test_central_values_by_hand(scores: list[float], how: str, expected: float) -> None:
    table = run(one_service(scores), aggregate=how)
    assert table["impact"].tolist() == [pytest.approx(expected, abs=1e-12)]


def test_min_raters_makes_a_criterion_missing_and_flags_the_service() -> None:
    ratings = pd.concat([one_service([4, 2]), one_service([5], "impact_b")], ignore_index=True)
    table = run(ratings, criteria=("impact", "impact_b"))
    assert table["impact"].tolist() == [3.0]
    assert math.isnan(table["impact_b"].iloc[0])
    assert table[["raters", "flagged"]].to_dict("records") == [{"raters": 2, "flagged": True}]
    assert table["spread"].tolist() == [1.0]  # impact only: std of 4 and 2; impact_b is not counted
    relaxed = run(ratings, criteria=("impact", "impact_b"), min_raters=1)
    assert relaxed[["impact", "impact_b", "flagged", "spread"]].to_dict("records") == [
        {"impact": 3.0, "impact_b": 5.0, "flagged": False, "spread": 0.5}
    ]


def test_spread_is_the_mean_of_the_criteria_population_stds() -> None:
    ratings = pd.concat([one_service([2, 4]), one_service([3, 3, 3], "relevance")], ignore_index=True)
    table = run(ratings, criteria=("impact", "relevance"))
    assert table[["impact", "relevance", "raters", "spread"]].to_dict("records") == [
        {"impact": 3.0, "relevance": 3.0, "raters": 3, "spread": 0.5}
    ]


def test_blend_by_hand() -> None:
    ratings = ratings_of(
        [
            ("DE", "FR", "s1", "impact", 3.0),
            ("MT", "FR", "s1", "impact", 3.0),
            ("DE", "FR", "s2", "impact", 2.0),  # one rater: peer aggregate missing
            ("DE", "FR", "s3", "impact", 4.0),
            ("MT", "FR", "s3", "impact", 2.0),
        ]
    )
    self_scores = selfs_of(
        [("FR", "s1", "impact", 5.0), ("FR", "s2", "impact", 4.5), ("FR", "s4", "impact", 1.0)]
    )  # s3 has no self score, s4 no ratings
    table = run(ratings, self_scores, source="blend", self_weight=0.25)
    assert table["service_id"].tolist() == ["s1", "s2", "s3", "s4"]
    assert table["impact"].tolist() == [0.25 * 5 + 0.75 * 3, 4.5, 3.0, 1.0]
    assert table["raters"].tolist() == [2, 1, 2, 0]
    assert table["flagged"].tolist() == [False, True, False, True]
    peer_only = run(ratings, self_scores)
    assert peer_only["impact"].tolist()[::2] == [3.0, 3.0] and peer_only["impact"].isna().tolist() == [
        False,
        True,
        False,
        True,
    ]
    own = run(ratings, self_scores, source="self")
    assert own["impact"].iloc[[0, 1, 3]].tolist() == [5.0, 4.5, 1.0] and math.isnan(own["impact"].iloc[2])
    assert not own["flagged"].any()


def test_result_columns_and_the_long_peer_aggregate() -> None:
    ratings = ratings_of(
        [
            ("DE", "FR", "s1", "impact", 3.0),
            ("MT", "FR", "s1", "impact", 4.0),
            ("FR", "FR", "s1", "impact", 5.0),
            ("DE", "FR", "s2", "cost", 2.0),
            ("DE", "FR", "s2", "unknown", 2.0),
            ("MT", "FR", "s2", "cost", N),
        ]
    )
    chosen = ScoringSettings(source="peer")
    result = aggregate_scores(ratings, NO_SELF, ["impact", "cost"], chosen, scale_min=1, scale_max=5)
    assert list(result.scores.columns) == [
        "partner",
        "service_id",
        "impact",
        "cost",
        "raters",
        "spread",
        "flagged",
    ]
    pd.testing.assert_frame_equal(
        result.peer,
        pd.DataFrame(
            {
                "partner": ["FR", "FR"],
                "service_id": ["s1", "s2"],
                "criterion": ["impact", "cost"],
                "score": [3.5, N],
                "ratings": [2, 1],
                "std": [0.5, 0.0],
            }
        ),
        check_dtype=False,
    )


def test_a_criterion_named_like_a_result_column_is_refused() -> None:
    with pytest.raises(ValueError, match="spread"):
        run(one_service([3, 4]), criteria=("impact", "spread"))


# --- exclude_own -----------------------------------------------------------------------------------


def test_exclude_own_removes_own_ratings_and_only_then() -> None:
    ratings = pd.concat([one_service([3, 3]), ratings_of([("FR", "FR", "s1", "impact", 5.0)])])
    excluded = run(ratings)
    assert excluded[["impact", "raters", "spread"]].to_dict("records") == [
        {"impact": 3.0, "raters": 2, "spread": 0.0}
    ]
    included = run(ratings, exclude_own=False)
    assert included["impact"].tolist() == [pytest.approx(11 / 3, abs=1e-12)]
    assert included["raters"].tolist() == [3]


PARTNERS = ["BE", "DE", "FR", "MT"]
HALF_POINTS = st.sampled_from([1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0])


@st.composite
def projects(draw: st.DrawFn) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Services s1..s3 of each partner, rated by any subset of partners (own services included)."""
    rows, selfs = [], []
    for partner in PARTNERS:
        for service in ("s1", "s2", "s3"):
            for criterion in ("impact", "relevance"):
                selfs.append((partner, service, criterion, draw(HALF_POINTS)))
                for rater in PARTNERS:
                    if draw(st.booleans()):
                        rows.append((rater, partner, service, criterion, draw(HALF_POINTS)))
    return ratings_of(rows), selfs_of(selfs)


@settings(max_examples=150, deadline=None)
@given(
    projects(),
    st.sampled_from(PARTNERS),
    HALF_POINTS,
    st.sampled_from(["mean", "median", "trimmed_mean"]),
    st.sampled_from(["none", "z"]),
)
def test_own_inflated_scores_cannot_move_peer_scores(
    project: tuple[pd.DataFrame, pd.DataFrame], who: str, inflated: float, how: str, z: str
) -> None:
    ratings, self_scores = project
    chosen = ScoringSettings(source="peer", aggregate=how, standardize=z, min_ratings=2)  # type: ignore[arg-type]
    before = aggregate_scores(ratings, self_scores, ["impact", "relevance"], chosen, scale_min=1, scale_max=5)
    ratings, self_scores = ratings.copy(), self_scores.copy()
    ratings.loc[(ratings["rater"] == who) & (ratings["partner"] == who), "score"] = inflated
    self_scores.loc[self_scores["partner"] == who, "score"] = inflated
    after = aggregate_scores(ratings, self_scores, ["impact", "relevance"], chosen, scale_min=1, scale_max=5)
    pd.testing.assert_frame_equal(after.scores, before.scores)
    pd.testing.assert_frame_equal(after.peer, before.peer)


def oracle_central(scores: list[float], how: str) -> float:
    """Mean, median or trimmed mean of one cell, in plain Python."""
    ordered = sorted(scores)
    if how == "trimmed_mean" and len(ordered) >= 5:
        ordered = ordered[1:-1]
    if how == "median":
        middle = len(ordered) // 2
        return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
    return sum(ordered) / len(ordered)


@settings(max_examples=60, deadline=None)
@given(projects(), st.sampled_from(["mean", "median", "trimmed_mean"]), st.booleans())
def test_peer_aggregate_equals_a_cell_by_cell_oracle(
    project: tuple[pd.DataFrame, pd.DataFrame], how: str, exclude_own: bool
) -> None:
    ratings, self_scores = project
    chosen = ScoringSettings(source="peer", aggregate=how, exclude_own=exclude_own, min_raters=1)  # type: ignore[arg-type]
    result = aggregate_scores(ratings, self_scores, ["impact", "relevance"], chosen, scale_min=1, scale_max=5)
    used = ratings[ratings["rater"] != ratings["partner"]] if exclude_own else ratings
    cells = used.groupby(["partner", "service_id", "criterion"])["score"].agg(list)
    want = {
        key: (oracle_central(list(scores), how), len(scores), float(np.std(scores)))
        for key, scores in cells.items()
    }
    got = {
        (row.partner, row.service_id, row.criterion): (row.score, row.ratings, row.std)
        for row in result.peer.itertuples()
    }
    assert got.keys() == want.keys()
    for key, (score, count, std) in want.items():
        assert got[key][0] == pytest.approx(score, abs=1e-12)
        assert got[key][1:] == (count, pytest.approx(std, abs=1e-12))
    wide = result.scores.set_index(["partner", "service_id"])
    for (partner, service, criterion), (score, _, _) in want.items():
        assert wide.loc[(partner, service), criterion] == pytest.approx(score, abs=1e-12)


# --- z standardization -----------------------------------------------------------------------------


def test_standardize_by_hand() -> None:
    ratings = ratings_of(
        [
            ("A", "X", "s1", "c", 1.0),
            ("A", "X", "s2", "c", 3.0),
            ("A", "A", "s9", "c", 5.0),  # A: m 2, s 1
            ("B", "X", "s1", "c", 4.0),
            ("B", "X", "s2", "c", 4.0),  # B: s_rc = 0
            ("C", "X", "s1", "c", 2.0),
            ("C", "X", "s3", "c", N),  # C: one rating < min_ratings
            ("A", "X", "s1", "d", 2.0),
            ("A", "X", "s2", "d", 4.0),
            ("B", "X", "s1", "d", 3.0),
            ("B", "X", "s2", "d", 5.0),
        ]
    )
    out = standardize(ratings, scale_min=1, scale_max=5, min_ratings=2)
    # Peer ratings of c: 1, 3, 4, 4, 2 -> M = 2.8, S = sqrt((3.24 + 0.04 + 1.44 + 1.44 + 0.64) / 5).
    big_s = math.sqrt(1.36)
    expected_c = [2.8 - big_s, 2.8 + big_s, 5.0, 2.8, 2.8, 2.0, N]  # A's own: 2.8 + 3 S = 6.30, clipped
    # d: M = 3.5, S = sqrt(1.25); A and B both have m = mean, s = 1: s' = 3.5 + S * (s - m).
    big_d = math.sqrt(1.25)
    expected_d = [3.5 - big_d, 3.5 + big_d, 3.5 - big_d, 3.5 + big_d]
    assert list(out.columns) == COLUMNS
    assert out.drop(columns="score").equals(ratings.drop(columns="score"))
    np.testing.assert_allclose(out["score"].to_numpy(), expected_c + expected_d, rtol=0, atol=1e-12)


@settings(max_examples=60, deadline=None)
@given(projects(), st.integers(1, 4))
def test_standardize_equals_a_rater_by_rater_oracle(
    project: tuple[pd.DataFrame, pd.DataFrame], least: int
) -> None:
    ratings, _ = project
    out = standardize(ratings, scale_min=1, scale_max=5, min_ratings=least)
    for criterion in ("impact", "relevance"):
        peer = ratings[(ratings["criterion"] == criterion) & (ratings["rater"] != ratings["partner"])]
        big_m, big_s = peer["score"].mean(), float(np.std(peer["score"]))
        for rater in PARTNERS:
            mine = peer.loc[peer["rater"] == rater, "score"]
            rows = (ratings["criterion"] == criterion) & (ratings["rater"] == rater)
            raw = ratings.loc[rows, "score"].to_numpy()
            if len(mine) < least:
                want = raw
            elif np.std(mine) == 0:
                want = np.full(len(raw), big_m)
            else:
                want = np.clip(big_m + big_s * (raw - mine.mean()) / np.std(mine), 1, 5)
            np.testing.assert_allclose(out.loc[rows, "score"].to_numpy(), want, rtol=0, atol=1e-9)


def simulated(seed: int) -> tuple[pd.DataFrame, pd.Series]:
    """8 partners x 8 services; each service rated by 3 random other partners with a rater bias.

    Rater r reports 3 + a_r + b_r (q - 3) + noise on the half-point scale 1-5, with offset a_r and
    scale factor b_r; every rater gets about 24 ratings (>= 10 asserted).
    """
    rng = np.random.default_rng(seed)
    partners = [f"P{p}" for p in range(8)]
    offset = dict(zip(partners, rng.normal(0, 0.6, 8), strict=True))
    factor = dict(zip(partners, rng.uniform(0.4, 1.6, 8), strict=True))
    rows, truth = [], {}
    for partner in partners:
        for j in range(8):
            quality = rng.uniform(1.5, 4.5)
            truth[(partner, f"s{j}")] = quality
            others = [p for p in partners if p != partner]
            for rater in rng.choice(others, size=3, replace=False):
                raw = 3 + offset[rater] + factor[rater] * (quality - 3) + rng.normal(0, 0.25)
                score = float(np.clip(np.round(raw * 2) / 2, 1, 5))
                rows.append((str(rater), partner, f"s{j}", "impact", score))
    ratings = ratings_of(rows)
    assert ratings["rater"].value_counts().min() >= 10
    return ratings, pd.Series(truth)


def test_z_standardization_recovers_the_truth_better_than_raw_scores() -> None:
    gains = []
    for seed in range(100):
        ratings, truth = simulated(seed)
        rhos = []
        for z in ("none", "z"):
            table = run(ratings, standardize=z).set_index(["partner", "service_id"])
            rhos.append(spearmanr(table["impact"], truth.loc[table.index]).statistic)
        gains.append(rhos[1] - rhos[0])
    mean_gain = float(np.mean(gains))
    print(
        f"z standardization: mean Spearman gain over raw {mean_gain:+.4f} "
        f"(better in {sum(g > 0 for g in gains)} of 100 seeds)"
    )
    assert mean_gain > 0
