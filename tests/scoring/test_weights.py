"""Partner weights, their consensus and Kendall's tau (scoring.md, "Weights proposed by the partners")."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from p4c.errors import P4CError
from p4c.scoring.weights import consensus_weights, kendall_tau, partner_weights, tau_table

CRITERIA = ["c1", "c2", "c3", "c4"]


def points_of(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["rater", "criterion", "points"])


def test_partner_weights_normalize_any_sum_and_leave_unlisted_criteria_nan() -> None:
    table = partner_weights(
        points_of(
            [
                ("DE", "c1", 50),
                ("DE", "c2", 30),
                ("DE", "c3", 20),
                ("BE", "c2", 1),
                ("BE", "c1", 3),
                ("BE", "c4", 0),
            ]
        ),
        CRITERIA,
    )
    expected = pd.DataFrame(
        {"c1": [0.75, 0.5], "c2": [0.25, 0.3], "c3": [math.nan, 0.2], "c4": [0.0, math.nan]},
        index=pd.Index(["BE", "DE"], name="rater"),
    )
    pd.testing.assert_frame_equal(table, expected, atol=1e-12)


def two_partners() -> pd.DataFrame:
    # DE: 0.5 0.4 0.1; BE: 0.5 0.1 0.4; nobody lists c4.
    return partner_weights(
        points_of(
            [
                ("DE", "c1", 5),
                ("DE", "c2", 4),
                ("DE", "c3", 1),
                ("BE", "c1", 50),
                ("BE", "c2", 10),
                ("BE", "c3", 40),
            ]
        ),
        CRITERIA,
    )


CONFIG = {"c1": 2.0, "c2": 1.0, "c3": 1.0, "c4": 4.0}  # c4's config share: 4 / 8 = 0.5


def test_consensus_mean_by_hand() -> None:
    got = consensus_weights(two_partners(), CONFIG, "mean")
    # mean vector 0.5, 0.25, 0.25 shares the 0.5 that c4 does not keep.
    assert list(got) == CRITERIA
    assert got == pytest.approx({"c1": 0.25, "c2": 0.125, "c3": 0.125, "c4": 0.5}, abs=1e-12)


def test_consensus_geometric_by_hand() -> None:
    got = consensus_weights(two_partners(), CONFIG, "geometric")
    # sqrt(0.25), sqrt(0.04), sqrt(0.04) = 0.5, 0.2, 0.2 -> 5/9, 2/9, 2/9 of the 0.5 left.
    assert got == pytest.approx({"c1": 5 / 18, "c2": 1 / 9, "c3": 1 / 9, "c4": 0.5}, abs=1e-12)
    assert sum(got.values()) == pytest.approx(1, abs=1e-12)


def test_a_weighted_criterion_a_partner_left_out_counts_zero_for_it() -> None:
    weights = partner_weights(
        points_of([("DE", "c1", 1), ("DE", "c2", 1), ("BE", "c1", 2), ("BE", "c2", 1), ("BE", "c3", 1)]),
        CRITERIA,
    )
    got = consensus_weights(weights, {"c1": 1, "c2": 1, "c3": 1, "c4": 0}, "mean")
    assert got == pytest.approx({"c1": 0.5, "c2": 0.375, "c3": 0.125, "c4": 0.0}, abs=1e-12)


def test_geometric_without_any_criterion_all_partners_weighted_is_an_error() -> None:
    weights = partner_weights(points_of([("DE", "c1", 1), ("BE", "c2", 1)]), CRITERIA)
    with pytest.raises(P4CError, match="geometric has no consensus"):
        consensus_weights(weights, CONFIG, "geometric")


def test_geometric_zero_for_one_criterion_only_zeroes_that_criterion() -> None:
    weights = partner_weights(
        points_of([("DE", "c1", 1), ("DE", "c2", 1), ("BE", "c1", 2), ("BE", "c2", 1), ("BE", "c3", 1)]),
        CRITERIA,
    )
    got = consensus_weights(weights, {"c1": 1, "c2": 1, "c3": 1, "c4": 0}, "geometric")
    # sqrt(0.5 * 0.5) = 0.5, sqrt(0.5 * 0.25) = sqrt(0.125), c3 0 (DE left it out).
    total = 0.5 + math.sqrt(0.125)
    assert got == pytest.approx(
        {"c1": 0.5 / total, "c2": math.sqrt(0.125) / total, "c3": 0.0, "c4": 0.0}, abs=1e-12
    )


def test_without_partner_weights_the_consensus_is_the_config_shares() -> None:
    empty = partner_weights(points_of([]), CRITERIA)
    assert consensus_weights(empty, CONFIG, "mean") == {"c1": 0.25, "c2": 0.125, "c3": 0.125, "c4": 0.5}


def test_kendall_tau_by_hand() -> None:
    # One discordant pair (b, c) of 6: tau = (5 - 1) / 6.
    assert kendall_tau(["a", "b", "c", "d"], ["a", "c", "b", "d"]) == pytest.approx(2 / 3, abs=1e-12)
    assert kendall_tau(["a", "b", "c"], ["c", "b", "a"]) == pytest.approx(-1, abs=1e-12)
    keys = [("FR", "s1"), ("DE", "s1"), ("DE", "s2")]
    assert kendall_tau(keys, keys) == pytest.approx(1, abs=1e-12)
    assert math.isnan(kendall_tau(["a"], ["a"]))
    with pytest.raises(ValueError, match="same distinct keys"):
        kendall_tau(["a", "b"], ["a", "c"])


def test_tau_table_by_partner() -> None:
    consensus = ["a", "b", "c", "d"]
    table = tau_table({"FR": ["a", "c", "b", "d"], "DE": ["d", "c", "b", "a"]}, consensus)
    assert list(table.columns) == ["partner", "tau"]
    assert table["partner"].tolist() == ["DE", "FR"]
    assert table["tau"].tolist() == pytest.approx([-1, 2 / 3], abs=1e-12)
