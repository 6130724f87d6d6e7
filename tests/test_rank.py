"""The ranking engine (p4c.rank) against ranking.md: methods, normalization, missing values, ties,
Monte Carlo and the exact weight-stability intervals."""

from __future__ import annotations

import math
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import skcriteria as skc  # type: ignore[import-untyped]
from hypothesis import given, settings
from hypothesis import strategies as st
from pymcdm.methods import TOPSIS, WPM, WSM  # type: ignore[import-untyped]
from pymcdm.normalizations import minmax_normalization, vector_normalization  # type: ignore[import-untyped]
from skcriteria.agg.simple import WeightedProductModel, WeightedSumModel  # type: ignore[import-untyped]
from skcriteria.agg.topsis import TOPSIS as SK_TOPSIS  # type: ignore[import-untyped]
from skcriteria.preprocessing.scalers import VectorScaler  # type: ignore[import-untyped]

from p4c.config import Config
from p4c.errors import P4CError
from p4c.rank import (
    BASE_COLUMNS,
    SAMPLE_COLUMNS,
    Method,
    RankOptions,
    criterion_matrix,
    normalized_matrix,
    parse_weights,
    rank,
    resolve_weights,
    write_ranking,
)
from tests.rank_data import (
    CONFIG,
    HALF_POINTS,
    SCORES,
    make_config,
    partners_frame,
    random_services,
    ranked,
    service,
    services_frame,
    with_weights,
)

# --- the table -----------------------------------------------------------------------------------


def test_columns_are_in_the_documented_order() -> None:
    ids = [c.id for c in CONFIG.criteria]
    plain = rank(random_services(30, 1), partners_frame(), CONFIG)
    groups = ["group_cis", "group_enterprises", "group_das"]  # the default config's criteria groups
    assert list(plain.table.columns) == [*BASE_COLUMNS, *ids, *groups]
    full = rank(random_services(30, 1), partners_frame(), CONFIG, RankOptions(samples=50, by="category"))
    assert list(full.table.columns) == [*BASE_COLUMNS, *ids, *groups, *SAMPLE_COLUMNS, "group_rank"]
    assert full.k == 15
    assert list(full.weights) == ids


def test_k_is_capped_at_the_number_of_services() -> None:
    assert ranked([service("AT", "A"), service("BE", "B")]).k == 2


def test_an_empty_service_table_is_a_clear_error() -> None:
    with pytest.raises(P4CError, match="no services"):
        rank(services_frame([service("AT", "A")]).iloc[:0], partners_frame(), CONFIG)


@pytest.mark.parametrize("method", ["wsm", "topsis", "wpm"])
@pytest.mark.parametrize("missing", ["rescale", "worst"])
def test_contributions_sum_to_the_score(method: Method, missing: str) -> None:
    config = make_config(missing=missing)
    result = rank(random_services(60, 2, missing=0.2), partners_frame(), config, RankOptions(method=method))
    ids = [c.id for c in config.criteria]
    np.testing.assert_allclose(
        result.table[ids].sum(axis=1, skipna=True), result.table["score"], rtol=0, atol=1e-12
    )
    if method == "wsm":  # the documented meaning: rescaled weight x normalized value
        values = normalized_matrix(random_services(60, 2, missing=0.2), partners_frame(), config)
        values.index = random_services(60, 2, missing=0.2)["service_id"]
        table = result.table.set_index("service_id")
        w = pd.Series(result.weights)
        present = values.notna()
        den = (present * w).sum(axis=1) if missing == "rescale" else 1.0
        expected = values.fillna(0).mul(w, axis=1).div(den, axis=0)
        if missing == "rescale":
            expected = expected.where(present)
        pd.testing.assert_frame_equal(
            table[ids], expected.loc[table.index], check_names=False, rtol=1e-12, atol=1e-15
        )


def test_scores_stay_in_zero_one() -> None:
    methods: tuple[Method, ...] = ("wsm", "topsis", "wpm")
    for method in methods:
        table = rank(
            random_services(80, 3, missing=0.3), partners_frame(), CONFIG, RankOptions(method=method)
        ).table
        assert table["score"].between(0, 1).all()
        assert table["score"].is_monotonic_decreasing


# --- agreement with pymcdm and scikit-criteria ---------------------------------------------------


def _pymcdm_normalizations(config: Config) -> list[Any]:
    functions: list[Any] = []
    for crit in config.criteria:
        if crit.effective_normalization == "minmax":
            functions.append(minmax_normalization)
        else:
            lo, hi = (config.scale.min, config.scale.max) if crit.source == "score" else (0.0, 1.0)
            functions.append(
                lambda x, cost, lo=lo, hi=hi: (hi - x) / (hi - lo) if cost else (x - lo) / (hi - lo)
            )
    return functions


def _problem(n: int = 50, seed: int = 4) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, np.ndarray]:
    services = random_services(n, seed)
    raw = criterion_matrix(services, partners_frame(), CONFIG).to_numpy()
    assert not np.isnan(raw).any()
    weights = np.array([c.weight for c in CONFIG.criteria]) / sum(c.weight for c in CONFIG.criteria)
    types = np.array([1 if c.direction == "benefit" else -1 for c in CONFIG.criteria])
    return services, raw, weights, types


def _our_scores(services: pd.DataFrame, method: Method) -> np.ndarray:
    result = rank(services, partners_frame(), CONFIG, RankOptions(method=method))
    scores = result.table.set_index("service_id")["score"]
    return np.asarray(scores.loc[services["service_id"]].to_numpy(), dtype=float)


def test_wsm_equals_pymcdm_and_scikit_criteria() -> None:
    services, raw, weights, types = _problem()
    ours = _our_scores(services, "wsm")
    expected = WSM(_pymcdm_normalizations(CONFIG))(raw, weights, types)
    np.testing.assert_allclose(ours, expected, rtol=1e-12)
    normalized = normalized_matrix(services, partners_frame(), CONFIG).to_numpy()
    dm = skc.mkdm(normalized, objectives=[max] * len(weights), weights=weights)
    np.testing.assert_allclose(ours, WeightedSumModel().evaluate(dm).e_.score, rtol=1e-12)


@pytest.mark.filterwarnings("ignore:Although TOPSIS can operate with minimization")
def test_topsis_equals_pymcdm_and_scikit_criteria() -> None:
    services, raw, weights, types = _problem()
    ours = _our_scores(services, "topsis")
    np.testing.assert_allclose(ours, TOPSIS(vector_normalization)(raw, weights, types), rtol=1e-12)
    dm = skc.mkdm(raw, objectives=[max if t == 1 else min for t in types], weights=weights)
    sk = SK_TOPSIS().evaluate(VectorScaler(target="matrix").transform(dm))
    np.testing.assert_allclose(ours, sk.e_.similarity, rtol=1e-12)


def test_wpm_equals_pymcdm_and_scikit_criteria() -> None:
    services, raw, weights, types = _problem()
    ours = _our_scores(services, "wpm")
    np.testing.assert_allclose(ours, WPM(_pymcdm_normalizations(CONFIG))(raw, weights, types), rtol=1e-12)
    normalized = normalized_matrix(services, partners_frame(), CONFIG).to_numpy()
    positive = (normalized > 0).all(axis=1)  # scikit-criteria refuses zeros; 0 stays 0 in ours
    dm = skc.mkdm(normalized[positive], objectives=[max] * len(weights), weights=weights)
    log10 = WeightedProductModel().evaluate(dm).e_.score
    np.testing.assert_allclose(ours[positive], 10.0**log10, rtol=1e-12)
    assert (ours[~positive] == 0).all()


def test_the_order_matches_the_scores() -> None:
    services, raw, weights, types = _problem()
    expected = WSM(_pymcdm_normalizations(CONFIG))(raw, weights, types)
    table = rank(services, partners_frame(), CONFIG).table
    by_id = dict(zip(services["service_id"], expected, strict=True))
    in_order = np.array([by_id[s] for s in table["service_id"]])
    assert (np.diff(in_order) <= 1e-12).all()


# --- normalization -------------------------------------------------------------------------------


def test_scale_criteria_use_the_declared_scale() -> None:
    values = normalized_matrix(
        services_frame(
            [
                service("AT", "A", relevance=1.0, cis_served=10),
                service("AT", "B", relevance=4.0, cis_served=4),
            ]
        ),
        partners_frame(cis=8),
        CONFIG,
    )
    assert values["relevance"].tolist() == [0.0, 0.75]
    assert values["pertinence"].tolist() == [1.0, 0.5]  # capped at 1, on [0, 1]


def test_a_field_with_bounds_is_clipped_to_them() -> None:
    criteria = [
        {
            "id": "staff",
            "label": {"en": "Staff"},
            "weight": 1,
            "direction": "benefit",
            "source": "field",
            "column": "staff_fte",
            "normalization": "scale",
            "bounds": [0, 4],
        }
    ]
    config = make_config(
        criteria, good_practice={"min_criteria": {}}, field_tests={"mode": {"criterion": "staff"}}
    )
    values = normalized_matrix(
        services_frame([service("AT", "A", staff_fte=1.0), service("AT", "B", staff_fte=9.0)]),
        partners_frame(),
        config,
    )
    assert values["staff"].tolist() == [0.25, 1.0]


def test_minmax_cost_is_inverted_and_a_constant_column_gives_one() -> None:
    rows = [
        service("AT", "A", annual_budget_eur=1000.0, smes_reached=10),
        service("AT", "B", annual_budget_eur=3000.0, smes_reached=10),
        service("AT", "C", annual_budget_eur=2000.0, smes_reached=10),
    ]
    values = normalized_matrix(services_frame(rows), partners_frame(), CONFIG)
    assert values["cost_per_sme"].tolist() == [1.0, 0.0, 0.5]
    for row in rows:
        row["annual_budget_eur"] = 5000.0
    constant = normalized_matrix(services_frame(rows), partners_frame(), CONFIG)
    assert constant["cost_per_sme"].tolist() == [1.0, 1.0, 1.0]
    table = ranked(rows).table
    assert np.allclose(table["cost_per_sme"], 0.1)  # the full weight: nobody is penalised


def test_a_ratio_with_zero_or_missing_denominator_is_missing() -> None:
    rows = [service("AT", "A", smes_reached=0), service("AT", "B", smes_reached=None), service("AT", "C")]
    table = ranked(rows).table.set_index("service_id")
    assert table.loc["A", "missing"] == "cost_per_sme"
    assert table.loc["B", "missing"] == "cost_per_sme"
    assert not table.loc["A", "complete"]
    assert table.loc["C", "complete"]


@settings(max_examples=60, deadline=None)
@given(
    base=st.lists(st.tuples(*[st.sampled_from([*HALF_POINTS, math.nan])] * 6), min_size=1, max_size=8),
    extra=st.tuples(*[st.sampled_from([*HALF_POINTS, math.nan])] * 6),
    cis=st.integers(0, 15),
)
def test_adding_a_service_never_changes_another_scale_value(
    base: list[tuple[float, ...]], extra: tuple[float, ...], cis: int
) -> None:
    def frame(rows: list[tuple[float, ...]], cis_list: list[int]) -> pd.DataFrame:
        return services_frame(
            [
                service("AT", f"S{i}", cis_served=c, **dict(zip(SCORES, r, strict=True)))
                for i, (r, c) in enumerate(zip(rows, cis_list, strict=True))
            ]
        )

    before = normalized_matrix(frame(base, [3] * len(base)), partners_frame(), CONFIG)
    after = normalized_matrix(frame([*base, extra], [3] * len(base) + [cis]), partners_frame(), CONFIG)
    scale = [c.id for c in CONFIG.criteria if c.effective_normalization == "scale"]
    pd.testing.assert_frame_equal(before[scale], after[scale].iloc[: len(base)])


# --- missing values ------------------------------------------------------------------------------


def test_missing_values_rescale_the_weights_over_what_the_service_has() -> None:
    rows = [service("AT", "A", impact=float("nan"), relevance=5.0), service("AT", "B")]
    table = ranked(rows).table.set_index("service_id")
    w = resolve_weights(CONFIG, {})
    values = {
        "relevance": 1.0,
        "pertinence": 0.5,
        "transferability": 0.5,
        "cost_per_sme": 1.0,
        "sustainability": 0.5,
        "innovation": 0.5,
        "synergy": 0.5,
    }
    expected = sum(w[k] * v for k, v in values.items()) / (1 - w["impact"])
    assert table.loc["A", "score"] == pytest.approx(expected, abs=1e-15)
    assert not table.loc["A", "complete"]
    assert table.loc["A", "missing"] == "impact"
    assert math.isnan(table["impact"].loc["A"])
    assert table.loc["B", "complete"]
    assert table.loc["B", "missing"] == ""


def test_missing_worst_counts_the_worst_value_and_still_flags() -> None:
    config = make_config(missing="worst")
    rows = [service("AT", "A", impact=float("nan")), service("AT", "B", impact=1.0)]
    table = ranked(rows, config).table.set_index("service_id")
    assert table.loc["A", "score"] == pytest.approx(table.loc["B", "score"], abs=1e-15)
    assert table.loc["A", "impact"] == 0.0
    assert not table.loc["A", "complete"]
    assert table.loc["A", "missing"] == "impact"


def test_a_zero_weight_criterion_is_not_reported_missing() -> None:
    rows = [service("AT", "A", synergy=float("nan"), impact=float("nan")), service("AT", "B")]
    table = ranked(rows, weights={"synergy": 0}).table.set_index("service_id")
    assert table.loc["A", "missing"] == "impact"
    table = ranked(rows, weights={"synergy": 0, "impact": 0}).table.set_index("service_id")
    assert table.loc["A", "complete"]


def test_a_service_with_nothing_to_rank_on_scores_zero() -> None:
    rows = [
        service("AT", "A", **dict.fromkeys(SCORES, float("nan")), cis_served=None, smes_reached=None),
        service("AT", "B"),
    ]
    for method in ("wsm", "topsis", "wpm"):
        table = ranked(rows, method=method).table.set_index("service_id")
        assert table.loc["A", "score"] == 0.0
        assert table.loc["A", "rank"] == 2


def test_topsis_leaves_a_missing_value_out_of_both_distances() -> None:
    rows = [
        service("AT", "A", relevance=5.0, impact=float("nan")),
        service("BE", "B", relevance=2.0, impact=4.0),
        service("DE", "C", relevance=3.0, impact=1.0),
    ]
    config = with_weights(CONFIG, relevance=0.5, impact=0.5)
    table = ranked(rows, config, method="topsis").table.set_index("service_id")
    # A has only relevance, where it is the ideal: closeness 1 on what it has
    assert table.loc["A", "score"] == pytest.approx(1.0)
    r = np.array([5.0, 2.0, 3.0]) / math.sqrt(25 + 4 + 9)
    i = np.array([4.0, 1.0]) / math.sqrt(16 + 1)
    d_plus = math.hypot(0.5 * (r[0] - r[1]), 0.5 * (i[0] - i[0]))
    d_minus = math.hypot(0.5 * (r[1] - r[1]), 0.5 * (i[0] - i[1]))
    assert table.loc["B", "score"] == pytest.approx(d_minus / (d_plus + d_minus), rel=1e-12)
    worst = ranked(
        rows, make_config(missing="worst", criteria=config.model_dump()["criteria"]), method="topsis"
    ).table.set_index("service_id")
    d_plus = math.hypot(0.5 * (r[0] - r[0]), 0.5 * (i[0] - i[1]))  # impact at the anti-ideal
    d_minus = math.hypot(0.5 * (r[0] - r[1]), 0.0)
    assert worst.loc["A", "score"] == pytest.approx(d_minus / (d_plus + d_minus), rel=1e-12)


def test_wpm_zero_stays_zero() -> None:
    rows = [service("AT", "A", relevance=1.0, impact=5.0), service("BE", "B")]
    table = ranked(rows, method="wpm").table.set_index("service_id")
    assert table.loc["A", "score"] == 0.0
    zero_weight = ranked(rows, method="wpm", weights={"relevance": 0}).table.set_index("service_id")
    assert zero_weight["score"].loc["A"] > 0  # 0 ^ 0 = 1: a criterion without weight cannot veto


# --- ranks and ties ------------------------------------------------------------------------------


def test_ties_share_a_competition_rank_and_order_by_partner_then_id() -> None:
    rows = [
        service("FR", "B2", impact=4.0),
        service("BE", "Z9"),
        service("FR", "B1", impact=4.0),
        service("AT", "X1", impact=4.0),
        service("DE", "K1", impact=1.0),
    ]
    table = ranked(rows).table
    assert table["rank"].tolist() == [1, 1, 1, 4, 5]
    assert list(zip(table["partner"], table["service_id"], strict=True))[:3] == [
        ("AT", "X1"),
        ("FR", "B1"),
        ("FR", "B2"),
    ]


def test_scores_closer_than_1e9_tie_and_farther_do_not() -> None:
    config = with_weights(CONFIG, relevance=1)
    rows = [
        service("FR", "A", relevance=3.0 + 2e-9),
        service("AT", "B", relevance=3.0),
        service("BE", "C", relevance=3.0 - 1e-7),
    ]
    table = ranked(rows, config).table
    assert table["service_id"].tolist() == ["B", "A", "C"]  # A is 5e-10 higher: tied, AT first
    assert table["rank"].tolist() == [1, 1, 3]


def test_group_rank_is_a_competition_rank_within_the_group() -> None:
    rows = [
        service("AT", "A", impact=5.0, category="FIN"),
        service("BE", "B", impact=4.0),
        service("AT", "C", impact=4.0),
        service("DE", "D", impact=2.0, category="FIN"),
        service("AT", "E", impact=1.0),
    ]
    table = ranked(rows, by="partner").table.set_index("service_id")
    assert table["group_rank"].to_dict() == {"A": 1, "C": 2, "B": 1, "D": 1, "E": 3}
    table = ranked(rows, by="category").table.set_index("service_id")
    assert table["group_rank"].to_dict() == {"A": 1, "C": 1, "B": 1, "D": 2, "E": 3}


@settings(max_examples=40, deadline=None)
@given(
    data=st.data(),
    method=st.sampled_from(["wsm", "topsis", "wpm"]),
    missing=st.sampled_from(["rescale", "worst"]),
)
def test_permuting_the_rows_never_changes_the_result(
    data: st.DataObject, method: Method, missing: str
) -> None:
    n = data.draw(st.integers(2, 25))
    services = random_services(n, data.draw(st.integers(0, 10_000)), missing=0.2)
    permutation = data.draw(st.permutations(list(range(n))))
    config = make_config(missing=missing, shortlist={"size": 3})
    options = RankOptions(method=method, by="partner", samples=20)
    first = rank(services, partners_frame(), config, options)
    second = rank(services.iloc[permutation], partners_frame(), config, options)
    pd.testing.assert_frame_equal(first.table, second.table, rtol=1e-12)


@settings(max_examples=60, deadline=None)
@given(data=st.data(), method=st.sampled_from(["wsm", "wpm"]), missing=st.sampled_from(["rescale", "worst"]))
def test_raising_one_benefit_score_never_lowers_that_services_rank(
    data: st.DataObject, method: Method, missing: str
) -> None:
    n = data.draw(st.integers(2, 20))
    services = random_services(n, data.draw(st.integers(0, 10_000)), missing=0.15)
    row = data.draw(st.integers(0, n - 1))
    criterion = data.draw(st.sampled_from(SCORES))
    before = float(services[criterion].iloc[row])
    if math.isnan(before):
        return  # raising applies to a score the service has
    raised = services.copy()
    raised.loc[raised.index[row], criterion] = data.draw(
        st.sampled_from([x for x in HALF_POINTS if x >= before])
    )
    config = make_config(missing=missing)
    sid = services["service_id"].iloc[row]

    def rank_of(frame: pd.DataFrame) -> int:
        table = rank(frame, partners_frame(), config, RankOptions(method=method)).table
        return int(table.set_index("service_id")["rank"].loc[sid])

    assert rank_of(raised) <= rank_of(services)


# --- weights -------------------------------------------------------------------------------------


def test_weight_overrides_are_rescaled_to_sum_to_one() -> None:
    overrides = parse_weights(["impact=0,3", "synergy = 0"], CONFIG)
    assert overrides == {"impact": 0.3, "synergy": 0.0}
    weights = resolve_weights(CONFIG, overrides)
    assert math.fsum(weights.values()) == pytest.approx(1.0, abs=1e-15)
    assert weights["impact"] == pytest.approx(0.3 / 1.05)
    assert weights["synergy"] == 0.0
    assert list(weights) == [c.id for c in CONFIG.criteria]
    result = rank(random_services(10, 1), partners_frame(), CONFIG, RankOptions(weights=overrides))
    assert result.weights == weights


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ("impakt=0.3", "did you mean impact"),
        ("transferabilty=1", "did you mean transferability"),
        ("impact", "expected ID=WEIGHT"),
        ("=0.3", "expected ID=WEIGHT"),
        ("impact=", "expected ID=WEIGHT"),
        ("impact=high", "not a number"),
        ("impact=-0.1", "cannot be negative"),
        ("impact=nan", "finite"),
    ],
)
def test_bad_weight_arguments_are_clear_errors(item: str, message: str) -> None:
    with pytest.raises(P4CError, match=message):
        parse_weights([item], CONFIG)


def test_a_weight_given_twice_is_an_error() -> None:
    with pytest.raises(P4CError, match="twice"):
        parse_weights(["impact=1", "impact=2"], CONFIG)


def test_all_zero_weights_are_an_error() -> None:
    zero = dict.fromkeys((c.id for c in CONFIG.criteria), 0.0)
    with pytest.raises(P4CError, match="all criterion weights are zero"):
        resolve_weights(CONFIG, zero)
    with pytest.raises(P4CError, match="all criterion weights are zero"):
        rank(random_services(5, 1), partners_frame(), CONFIG, RankOptions(weights=zero))


def test_library_callers_get_the_same_weight_checks() -> None:
    with pytest.raises(P4CError, match="did you mean impact"):
        resolve_weights(CONFIG, {"impakt": 1.0})
    with pytest.raises(P4CError, match="negative"):
        resolve_weights(CONFIG, {"impact": -1.0})


def test_huge_config_weights_are_rescaled_without_overflow() -> None:
    huge = with_weights(CONFIG, relevance=1e308, impact=1e308)
    weights = resolve_weights(huge, {})
    assert weights == {c.id: (0.5 if c.id in ("relevance", "impact") else 0.0) for c in CONFIG.criteria}
    services = random_services(30, 4)
    unit = rank(services, partners_frame(), with_weights(CONFIG, relevance=1, impact=1), RankOptions())
    result = rank(services, partners_frame(), huge, RankOptions())
    pd.testing.assert_frame_equal(result.table, unit.table)


def test_huge_weight_arguments_are_rescaled_without_overflow() -> None:
    overrides = parse_weights(["impact=1e308", "relevance=1e308"], CONFIG)
    assert overrides == {"impact": 1e308, "relevance": 1e308}
    weights = resolve_weights(CONFIG, overrides)
    assert weights["impact"] == weights["relevance"] == 0.5
    assert weights["synergy"] == pytest.approx(0.05 / 1e308 / 2, rel=1e-9)  # a subnormal, not 0
    with pytest.raises(P4CError, match="finite"):
        parse_weights(["impact=1e309"], CONFIG)  # past the largest float


def test_a_negative_zero_weight_is_zero() -> None:
    overrides = parse_weights(["impact=-0"], CONFIG)
    assert math.copysign(1.0, overrides["impact"]) == 1.0
    weights = resolve_weights(CONFIG, {"impact": -0.0})
    assert math.copysign(1.0, weights["impact"]) == 1.0


@given(
    st.lists(
        st.floats(min_value=0, max_value=1.7e308, allow_subnormal=True),
        min_size=len(SCORES) + 2,
        max_size=len(SCORES) + 2,
    ).filter(lambda ws: max(ws) > 0)
)
@settings(max_examples=200, deadline=None)
def test_resolved_weights_are_the_exact_shares(raw: list[float]) -> None:
    ids = [c.id for c in CONFIG.criteria]
    weights = resolve_weights(CONFIG, dict(zip(ids, raw, strict=True)))
    total = sum(Fraction(w) for w in raw)  # exact rational arithmetic as the oracle
    for key, value in zip(ids, raw, strict=True):
        assert math.isfinite(weights[key])
        assert weights[key] == pytest.approx(float(Fraction(value) / total), rel=1e-12, abs=1e-300)
    assert math.fsum(weights.values()) == pytest.approx(1.0, abs=1e-12)


def test_stability_needs_wsm() -> None:
    with pytest.raises(P4CError, match="wsm only"):
        rank(random_services(5, 1), partners_frame(), CONFIG, RankOptions(method="topsis", stability=True))


# --- Monte Carlo ---------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["wsm", "topsis", "wpm"])
def test_monte_carlo_is_seeded_and_p_top_sums_to_k(method: Method) -> None:
    services = random_services(120, 5, missing=0.1)
    options = RankOptions(method=method, samples=300, seed=7)
    first = rank(services, partners_frame(), CONFIG, options).table
    again = rank(services, partners_frame(), CONFIG, options).table
    pd.testing.assert_frame_equal(first, again, check_exact=True)
    other = rank(services, partners_frame(), CONFIG, RankOptions(method=method, samples=300, seed=8)).table
    assert not first["p_top"].equals(other["p_top"])
    assert first["p_top"].sum() == pytest.approx(15, abs=1e-9)
    assert first["p_top"].between(0, 1).all()
    assert (first["rank_p05"] <= first["rank_p50"]).all()
    assert (first["rank_p50"] <= first["rank_p95"]).all()
    for column in SAMPLE_COLUMNS[1:]:
        assert first[column].between(1, 120).all()


@pytest.mark.parametrize("method", ["wsm", "topsis"])
def test_monte_carlo_in_threads_is_the_one_thread_result(
    method: Method, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Chunks of 3 draws (ties at the k-th place included: half-point scores) give the same ranks
    and top-k counts whether one thread or four take them; progress is reported in draw order."""
    import p4c.forks
    import p4c.rank as rank_module

    base = random_services(50, 11)
    copies = [base.assign(service_id=base["service_id"] + f"-{i}") for i in range(4)]
    services = pd.concat(copies, ignore_index=True)  # groups of 4 equal services: ties at every place
    options = RankOptions(method=method, samples=100, seed=3)
    monkeypatch.setattr(rank_module, "CHUNK_CELLS", 3 * 200)
    tables: list[pd.DataFrame] = []
    steps: list[list[int]] = []
    for cpus in (1, 4):
        monkeypatch.setattr(p4c.forks, "cpus", lambda cpus=cpus: cpus)
        seen: list[int] = []
        record = seen.append
        result = rank(services, partners_frame(), CONFIG, options, progress=lambda d, _t, r=record: r(d))
        tables.append(result.table)
        steps.append(seen)
    pd.testing.assert_frame_equal(tables[0], tables[1], check_exact=True)
    assert steps[0] == steps[1] == [*range(3, 100, 3), 100]
    assert tables[0]["p_top"].sum() == pytest.approx(15, abs=1e-9)
    assert sorted(set(tables[0]["p_top"].round(9))) != [0.0, 1.0]  # the draws did move the top 15


def test_the_config_seed_is_the_default() -> None:
    services = random_services(40, 5)
    default = rank(services, partners_frame(), CONFIG, RankOptions(samples=100)).table
    explicit = rank(services, partners_frame(), CONFIG, RankOptions(samples=100, seed=42)).table
    pd.testing.assert_frame_equal(default, explicit, check_exact=True)


def test_draws_at_the_weights_reproduce_the_ranking() -> None:
    """A huge concentration puts every draw on the weights: p_top is the top k, percentiles the rank."""
    services = random_services(60, 9)
    config = make_config(stability={"concentration": 1e12, "seed": 1})
    table = rank(services, partners_frame(), config, RankOptions(samples=50)).table
    assert table["p_top"].tolist() == [1.0] * 15 + [0.0] * 45
    for column in SAMPLE_COLUMNS[1:]:
        assert table[column].tolist() == table["rank"].tolist()


def test_exact_ties_straddling_k_follow_the_tie_order_in_every_draw() -> None:
    config = make_config(shortlist={"size": 2})
    rows = [
        service("AT", "TOP", impact=5.0),
        service("FR", "T1"),
        service("BE", "T3"),
        service("BE", "T2"),
        service("DE", "LOW", impact=1.0),
    ]
    table = ranked(rows, config, samples=200).table.set_index("service_id")
    assert table["p_top"].to_dict() == {"TOP": 1.0, "T2": 1.0, "T3": 0.0, "T1": 0.0, "LOW": 0.0}
    assert table.loc["T1", "rank_p50"] == 2


def test_near_ties_straddling_k_follow_the_tie_order_too() -> None:
    config = make_config(shortlist={"size": 2})
    config = with_weights(config, relevance=1)  # one weight: every draw is the weights
    rows = [
        service("AT", "TOP", relevance=5.0),
        service("FR", "HIGHER", relevance=3.0 + 2e-12),
        service("BE", "LOWER", relevance=3.0),
    ]
    table = ranked(rows, config, samples=30).table.set_index("service_id")
    assert table["rank"].to_dict() == {"TOP": 1, "LOWER": 2, "HIGHER": 2}
    assert table["p_top"].to_dict() == {"TOP": 1.0, "LOWER": 1.0, "HIGHER": 0.0}


def test_too_many_samples_for_memory_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import p4c.rank

    monkeypatch.setattr(p4c.rank, "MAX_SAMPLE_CELLS", 1000)
    with pytest.raises(P4CError, match="at most 50 samples"):
        rank(random_services(20, 1), partners_frame(), CONFIG, RankOptions(samples=51))


# --- writing -------------------------------------------------------------------------------------


def test_write_ranking_by_suffix_and_beside_it_the_stability(tmp_path: Path) -> None:
    result = rank(
        random_services(30, 1, missing=0.1), partners_frame(), CONFIG, RankOptions(stability=True, samples=20)
    )
    written = write_ranking(result, tmp_path / "out" / "r.parquet")
    assert written == [tmp_path / "out" / "r.parquet", tmp_path / "out" / "weight_stability.csv"]
    back = pd.read_parquet(written[0])
    pd.testing.assert_frame_equal(back, result.table, check_dtype=False)
    stability = pd.read_csv(written[1], encoding="utf-8-sig")
    assert list(stability.columns) == ["criterion", "weight", "lo", "hi"]
    with pytest.raises(P4CError, match=r"accepted: \.csv, \.xlsx, \.parquet"):
        write_ranking(result, tmp_path / "r.json")


def test_the_csv_is_deterministic_and_reads_back(tmp_path: Path) -> None:
    services = random_services(50, 2, missing=0.2)
    first = rank(services, partners_frame(), CONFIG, RankOptions(samples=30))
    write_ranking(first, tmp_path / "a.csv")
    write_ranking(rank(services, partners_frame(), CONFIG, RankOptions(samples=30)), tmp_path / "b.csv")
    data = (tmp_path / "a.csv").read_bytes()
    assert data == (tmp_path / "b.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.count(b"\r\n") == 51  # CRLF, as p4c.io writes CSV: header + 50 rows
    back = pd.read_csv(tmp_path / "a.csv", encoding="utf-8-sig", keep_default_na=False, na_values=[""])
    assert list(back.columns) == list(first.table.columns)
    np.testing.assert_allclose(back["score"], first.table["score"], atol=5e-7)
    assert back["complete"].tolist() == first.table["complete"].tolist()
    assert back["rank"].tolist() == first.table["rank"].tolist()


def test_formula_text_is_neutralised_in_every_output(tmp_path: Path) -> None:
    import openpyxl

    rows = [
        service("AT", "=1+2", title='=HYPERLINK("http://evil","x")'),
        service("BE", "B", title="+cmd|' /C calc'!A0", category="NET"),
        service("DE", "C", title="@SUM(A1)"),
        service("FR", "D", title="-2+3"),
        service("IT", "E", title='plain, with "quotes"'),
    ]
    result = ranked(rows)
    write_ranking(result, tmp_path / "r.csv")
    back = pd.read_csv(tmp_path / "r.csv", encoding="utf-8-sig", dtype=str)
    titles = set(back["title"])
    assert {
        '\'=HYPERLINK("http://evil","x")',
        "'+cmd|' /C calc'!A0",
        "'@SUM(A1)",
        "'-2+3",
        'plain, with "quotes"',
    } == titles
    assert "'=1+2" in set(back["service_id"])
    write_ranking(result, tmp_path / "r.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "r.xlsx")["Ranking"]
    cells = [c for row in sheet.iter_rows(min_row=2) for c in row]
    assert all(c.data_type != "f" for c in cells)


def test_line_breaks_in_text_never_split_a_row(tmp_path: Path) -> None:
    rows = [
        service("AT", "A", title="one\rtwo"),
        service("BE", "B", title="three\nfour"),
        service("DE", "C", title='five\r\nsix, "seven"'),
    ]
    write_ranking(ranked(rows), tmp_path / "r.csv")
    back = pd.read_csv(tmp_path / "r.csv", encoding="utf-8-sig", dtype=str)
    assert sorted(back["title"]) == sorted(["one\rtwo", "three\nfour", 'five\r\nsix, "seven"'])


def test_the_xlsx_is_formatted(tmp_path: Path) -> None:
    import openpyxl

    result = rank(random_services(30, 1), partners_frame(), CONFIG, RankOptions(stability=True))
    write_ranking(result, tmp_path / "r.xlsx")
    book = openpyxl.load_workbook(tmp_path / "r.xlsx")
    assert book.sheetnames == ["Ranking", "Weights", "Weight stability", "Columns"]
    sheet = book["Ranking"]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref is not None and sheet.auto_filter.ref.startswith("A1:")
    ids = [row[2].value for row in book["Columns"].iter_rows(min_row=2) if row[0].value == "Ranking"]
    assert ids == list(result.table.columns)  # human headers; the ids in the Columns sheet
    headers = ids
    scaled = {str(rule.sqref).split(":")[0] for rule in sheet.conditional_formatting}
    score_col = openpyxl.utils.get_column_letter(headers.index("score") + 1)
    assert f"{score_col}2" in scaled
    assert len(scaled) == 1 + len(CONFIG.criteria) + 3  # score, criteria, the three criteria groups
    assert sheet[f"{score_col}2"].number_format == "0.000"
    assert sheet.max_row == 31


def test_rank_reads_only_its_input_columns() -> None:
    from p4c.rank import input_columns

    services = random_services(80, 6, missing=0.1)
    columns = input_columns(CONFIG)
    assert {
        "partner",
        "service_id",
        "title",
        "category",
        "cis_served",
        "annual_budget_eur",
        "smes_reached",
        *SCORES,
    } == set(columns)
    assert "start_date" not in columns and "description" not in columns
    for method in ("wsm", "topsis", "wpm"):
        options = RankOptions(method=method, samples=10, by="partner")  # type: ignore[arg-type]
        full = rank(services, partners_frame(), CONFIG, options)
        only = rank(services[columns], partners_frame(), CONFIG, options)
        pd.testing.assert_frame_equal(full.table, only.table)
