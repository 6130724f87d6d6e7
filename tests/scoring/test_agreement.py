"""Krippendorff's alpha, agreement per criterion, the self-peer gap and disputed services (scoring.md)."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pandas as pd
import pytest

from p4c.scoring.agreement import agreement, alpha, disputed, self_peer_gap

N = np.nan
# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: 4 observers x 12 units.
PUBLISHED = np.array(
    [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, N, N, N],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, N, 3],
        [N, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, N],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, N],
    ]
)
LEVELS = ("nominal", "ordinal", "interval", "ratio")


def textbook_alpha(data: np.ndarray, level: str) -> float:
    """The oracle: alpha = 1 - D_o / D_e straight from pairable values, pair by pair (no matrices).

    D_o averages delta^2 over the ordered pairs of values within each unit, each unit's pairs
    weighted 1 / (m_u - 1); D_e averages it over all ordered pairs of pairable values.
    """
    units = [[v for v in column if not math.isnan(v)] for column in data.T]
    units = [unit for unit in units if len(unit) >= 2]
    pooled = [v for unit in units for v in unit]
    n = len(pooled)
    counts = Counter(pooled)
    domain = sorted(counts)

    def delta(c: float, k: float) -> float:
        if level == "nominal":
            return float(c != k)
        if level == "interval":
            return (c - k) ** 2
        if level == "ratio":
            return 0.0 if c + k == 0 else ((c - k) / (c + k)) ** 2
        low, high = sorted((domain.index(c), domain.index(k)))
        between = sum(counts[domain[g]] for g in range(low, high + 1))
        return (between - (counts[c] + counts[k]) / 2) ** 2

    observed = sum(
        delta(unit[i], unit[j]) / (len(unit) - 1)
        for unit in units
        for i in range(len(unit))
        for j in range(len(unit))
        if i != j
    )
    expected = sum(delta(pooled[i], pooled[j]) for i in range(n) for j in range(n) if i != j)
    if n < 2 or expected == 0:
        return math.nan
    return 1 - (observed / n) / (expected / (n * (n - 1)))


@pytest.mark.parametrize(
    ("level", "published"), [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797)]
)
def test_alpha_reproduces_the_published_example(level: str, published: float) -> None:
    assert round(alpha(PUBLISHED, level), 3) == published  # type: ignore[arg-type]
    assert alpha(PUBLISHED, level) == pytest.approx(textbook_alpha(PUBLISHED, level), abs=1e-12)  # type: ignore[arg-type]


def test_the_oracle_reproduces_the_published_example_too() -> None:
    got = [round(textbook_alpha(PUBLISHED, level), 3) for level in LEVELS]
    assert got == [0.743, 0.815, 0.849, 0.797]


def random_reliability(rng: np.random.Generator, *, continuous: bool) -> np.ndarray:
    raters, units = int(rng.integers(2, 7)), int(rng.integers(2, 16))
    if continuous:
        data = rng.uniform(1, 5, size=(raters, units))
    else:
        data = rng.choice(np.arange(1, 5.5, 0.5), size=(raters, units))
    data[rng.random(data.shape) < rng.uniform(0, 0.6)] = np.nan
    return data


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("continuous", [False, True])
def test_alpha_equals_the_textbook_oracle_on_random_data(level: str, continuous: bool) -> None:
    rng = np.random.default_rng(2011)
    defined = 0
    for _ in range(150):
        data = random_reliability(rng, continuous=continuous)
        want = textbook_alpha(data, level)
        got = alpha(data, level)  # type: ignore[arg-type]
        if math.isnan(want):
            assert math.isnan(got)
        else:
            defined += 1
            assert got == pytest.approx(want, abs=1e-9)
    assert defined >= 100  # the loop really compared numbers


@pytest.mark.parametrize("level", LEVELS)
def test_alpha_equals_the_krippendorff_package(level: str) -> None:
    krippendorff = pytest.importorskip("krippendorff")
    rng = np.random.default_rng(7)
    for _ in range(100):
        data = random_reliability(rng, continuous=False)
        if math.isnan(textbook_alpha(data, "nominal")):
            continue  # undefined: the package raises or divides 0 by 0
        assert alpha(data, level) == pytest.approx(  # type: ignore[arg-type]
            krippendorff.alpha(data, level_of_measurement=level), abs=1e-9
        )


def test_alpha_is_nan_without_pairable_values_or_variation() -> None:
    assert math.isnan(alpha(np.array([[1.0, N], [N, 2.0]]), "interval"))
    assert math.isnan(alpha(np.array([[3.0, 3.0], [3.0, 3.0]]), "interval"))
    assert math.isnan(alpha(np.array([[3.0, 3.0], [3.0, 3.0]]), "ordinal"))
    assert alpha(np.array([[1.0, 5.0], [1.0, 5.0]]), "interval") == 1.0


def long_ratings(data: np.ndarray, criterion: str, partner: str = "FR") -> pd.DataFrame:
    """The raters x units array as ratings of `partner`'s services s1.. by raters R0, R1..."""
    rows = [
        {
            "rater": f"R{r}",
            "partner": partner,
            "service_id": f"s{u + 1:02d}",
            "criterion": criterion,
            "score": float(data[r, u]),
        }
        for r in range(data.shape[0])
        for u in range(data.shape[1])
        if not math.isnan(data[r, u])
    ]
    return pd.DataFrame(rows, columns=["rater", "partner", "service_id", "criterion", "score"])


def test_agreement_per_criterion_on_peer_ratings_only() -> None:
    own = pd.DataFrame(
        {
            "rater": "FR",
            "partner": "FR",
            "service_id": [f"s{u:02d}" for u in range(1, 13)],
            "criterion": "impact",
            "score": [5.0, 1.0] * 6,
        }
    )
    other = long_ratings(np.array([[1.0, 2.0, 3.0], [1.0, 2.0, 4.0]]), "relevance", partner="DE")
    ratings = pd.concat([long_ratings(PUBLISHED, "impact"), own, other], ignore_index=True)
    table = agreement(ratings, ["impact", "relevance", "cost"])
    assert list(table.columns) == ["criterion", "alpha", "raters", "units", "ratings"]
    assert table["criterion"].tolist() == ["impact", "relevance", "cost"]
    assert table["alpha"].iloc[0] == pytest.approx(alpha(PUBLISHED, "interval"), abs=1e-12)
    assert round(table["alpha"].iloc[0], 3) == 0.849
    assert table["alpha"].iloc[1] == pytest.approx(
        textbook_alpha(np.array([[1, 2, 3], [1, 2, 4.0]]), "interval"), abs=1e-12
    )
    assert math.isnan(table["alpha"].iloc[2])
    # unit 12 has one value, so 11 units and 40 pairable values (Krippendorff's n = 40).
    assert table[["raters", "units", "ratings"]].to_numpy().tolist() == [[4, 11, 40], [2, 3, 6], [0, 0, 0]]


def test_agreement_without_criteria_lists_the_rated_ones_sorted() -> None:
    ratings = pd.concat([long_ratings(PUBLISHED, "relevance"), long_ratings(PUBLISHED, "impact")])
    table = agreement(ratings)
    assert table["criterion"].tolist() == ["impact", "relevance"]
    assert table["alpha"].tolist() == pytest.approx([0.8491071428571428] * 2, abs=1e-12)


def test_self_peer_gap_by_hand() -> None:
    self_scores = pd.DataFrame(
        {
            "partner": ["FR", "FR", "FR", "DE", "DE", "MT"],
            "service_id": ["a", "b", "c", "a", "b", "a"],
            "criterion": ["impact"] * 6,
            "score": [5.0, 4.0, 5.0, 3.0, 3.0, 4.0],
        }
    )
    peer = pd.DataFrame(
        {
            "partner": ["FR", "FR", "FR", "DE", "DE", "MT"],
            "service_id": ["a", "b", "c", "a", "b", "a"],
            "criterion": ["impact"] * 6,
            "score": [3.5, 3.0, N, 3.5, 3.5, 3.6],  # FR c has no peer aggregate: left out
        }
    )
    table = self_peer_gap(self_scores, peer)
    expected = pd.DataFrame(
        {
            "partner": ["DE", "FR", "MT"],
            "criterion": ["impact"] * 3,
            "self_mean": [3.0, 4.5, 4.0],
            "peer_mean": [3.5, 3.25, 3.6],
            "gap": [-0.5, 1.25, 0.4],
            "services": [2, 2, 1],
            "marked": [True, True, False],
        }
    )
    pd.testing.assert_frame_equal(table, expected, check_dtype=False, atol=1e-12)


def test_disputed_lists_peer_std_of_at_least_the_threshold() -> None:
    ratings = pd.DataFrame(
        {
            "rater": ["DE", "MT", "DE", "MT", "DE", "MT", "FR"],
            "partner": ["FR", "FR", "FR", "FR", "FR", "FR", "FR"],
            "service_id": ["a", "a", "b", "b", "c", "c", "c"],
            "criterion": ["impact"] * 7,
            "score": [1.0, 3.0, 2.0, 3.0, 3.0, 3.0, 5.0],  # a: std 1.0; b: 0.5; c: peers agree, own 5 ignored
        }
    )
    table = disputed(ratings)
    assert table.to_dict("records") == [
        {"partner": "FR", "service_id": "a", "criterion": "impact", "std": 1.0, "ratings": 2}
    ]
    assert disputed(ratings, threshold=0.5)["service_id"].tolist() == ["a", "b"]


def test_the_interval_closed_form_equals_the_coincidence_matrix() -> None:
    from p4c.scoring.agreement import _coincidence_alpha

    rng = np.random.default_rng(3)
    for _ in range(100):
        data = random_reliability(rng, continuous=bool(rng.integers(2)))
        rated = ~np.isnan(data)
        units = np.broadcast_to(np.arange(data.shape[1]), data.shape)[rated].astype(np.int64)
        want = _coincidence_alpha(units, data[rated], "interval")
        got = alpha(data, "interval")
        assert (math.isnan(got) and math.isnan(want)) or got == pytest.approx(want, abs=1e-9)
