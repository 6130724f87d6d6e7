"""p4c.stability: exact weight-stability intervals against a brute-force scan."""

from __future__ import annotations

import math

import numpy as np
import pytest

from p4c.rank import (
    RankOptions,
    normalized_matrix,
    rank,
)
from p4c.stability import most_fragile, stability_rows
from tests.rank_data import (
    CONFIG,
    make_config,
    partners_frame,
    random_services,
    ranked,
    service,
    with_weights,
)

# --- weight stability: exact intervals against a brute-force scan --------------------------------


def _brute_force_interval(
    values: np.ndarray,
    has: np.ndarray,
    w: np.ndarray,
    j: int,
    *,
    tie: np.ndarray,
    top: frozenset[int],
    k: int,
    grid: np.ndarray,
) -> tuple[float, float, float, float]:
    """The scan: on each side of w_j, the last grid t keeping the top k and the first losing it."""

    def top_at(t: float) -> frozenset[int]:
        weights = w * (1 - t) / (1 - w[j])
        weights[j] = t
        den = has @ weights
        score = np.where(den > 0, np.nan_to_num(values) @ weights / np.where(den > 0, den, 1), 0.0)
        return frozenset(np.lexsort((tie, -np.round(score, 12)))[:k].tolist())

    t0 = w[j]
    assert top_at(t0) == top
    good_hi, bad_hi = t0, math.inf
    for t in grid[grid > t0]:
        if top_at(t) != top:
            bad_hi = t
            break
        good_hi = t
    good_lo, bad_lo = t0, -math.inf
    for t in grid[grid < t0][::-1]:
        if top_at(t) != top:
            bad_lo = t
            break
        good_lo = t
    return bad_lo, good_lo, good_hi, bad_hi


@pytest.mark.parametrize(
    ("missing", "share", "n", "seed"),
    [
        ("rescale", 0.25, 40, 11),
        ("rescale", 0.1, 40, 12),
        ("worst", 0.25, 40, 13),
        ("rescale", 0.0, 40, 14),
        ("rescale", 0.15, 600, 15),
    ],
)  # 600: most outsiders are pruned, the scan checks none is missed
def test_stability_intervals_match_a_brute_force_scan(
    missing: str, share: float, n: int, seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    import p4c.rank

    monkeypatch.setattr(p4c.stability, "_STABILITY_SEEDS", 1)  # the pruned second pass must find them
    config = make_config(missing=missing, shortlist={"size": 5})
    services = random_services(n, seed, missing=share)
    result = rank(services, partners_frame(), config, RankOptions(stability=True))
    assert result.stability is not None
    assert list(result.stability.columns) == ["criterion", "weight", "lo", "hi"]
    values = normalized_matrix(services, partners_frame(), config).to_numpy()
    has = ~np.isnan(values) if missing == "rescale" else np.ones_like(values, dtype=bool)
    w = np.array(list(result.weights.values()))
    keys = list(zip(services["partner"], services["service_id"], strict=True))
    tie = np.argsort(np.argsort(np.array([f"{p}\x00{s}" for p, s in keys])))
    position = {key: i for i, key in enumerate(keys)}
    top = frozenset(
        position[key]
        for key in zip(result.table["partner"].head(5), result.table["service_id"].head(5), strict=True)
    )
    grid = np.linspace(0, 1, 4001)
    nontrivial = 0
    for j, (criterion, weight, lo, hi) in enumerate(stability_rows(result)):
        assert criterion == config.criteria[j].id
        assert lo <= weight <= hi
        bad_lo, good_lo, good_hi, bad_hi = _brute_force_interval(
            values, has, w.copy(), j, tie=tie, top=top, k=5, grid=grid
        )
        assert bad_lo - 1e-9 <= lo <= good_lo + 1e-9, (criterion, lo, bad_lo, good_lo)
        assert good_hi - 1e-9 <= hi <= bad_hi + 1e-9, (criterion, hi, good_hi, bad_hi)
        nontrivial += (lo > 0) + (hi < 1)
    assert nontrivial >= 4  # the scan really tested crossings, not only the ends of [0, 1]


def test_a_tie_on_the_boundary_breaks_on_one_side_only() -> None:
    """IN and OUT tie at the weights (OUT higher by 5e-10, IN first by partner code): raising
    relevance keeps IN ahead for good, lowering it lets OUT in at once; impact the other way round."""
    config = with_weights(make_config(shortlist={"size": 2}), relevance=0.5, impact=0.5)
    rows = [
        service("DE", "TOP", relevance=5.0, impact=5.0),
        service("AT", "IN", relevance=5.0, impact=1.0),
        service("BE", "OUT", relevance=3.0, impact=3.0 + 4e-9),
        service("FR", "LOW", relevance=1.0, impact=1.0),
    ]
    result = ranked(rows, config, stability=True)
    assert result.table["service_id"].tolist() == ["TOP", "IN", "OUT", "LOW"]
    assert result.table["rank"].tolist() == [1, 2, 2, 4]
    assert result.stability is not None
    table = result.stability.set_index("criterion")
    assert tuple(table.loc["relevance", ["lo", "hi"]]) == (0.5, 1.0)
    assert tuple(table.loc["impact", ["lo", "hi"]]) == (0.0, 0.5)


def test_a_criterion_holding_every_weight_and_a_full_top_k() -> None:
    config = with_weights(CONFIG, relevance=1)
    result = rank(random_services(20, 3), partners_frame(), config, RankOptions(stability=True))
    assert result.stability is not None
    table = result.stability.set_index("criterion")
    assert tuple(table.loc["relevance", ["lo", "hi"]]) == (1.0, 1.0)
    small = rank(random_services(4, 3), partners_frame(), CONFIG, RankOptions(stability=True))
    assert small.stability is not None
    assert (small.stability["lo"] == 0).all() and (small.stability["hi"] == 1).all()
    assert most_fragile(small) is None


def test_most_fragile_is_the_smallest_relative_change() -> None:
    result = rank(random_services(60, 21, missing=0.1), partners_frame(), CONFIG, RankOptions(stability=True))
    fragile = most_fragile(result)
    assert fragile is not None
    assert result.stability is not None
    changes = []
    for _, weight, lo, hi in stability_rows(result):
        down = (weight - lo) / weight if lo > 0 else math.inf
        up = (hi - weight) / weight if hi < 1 else math.inf
        changes.append(min(down, up))
    assert fragile.change == min(changes)
    assert fragile.criterion == stability_rows(result)[int(np.argmin(changes))][0]
