"""The field-test plan: optimal (against brute force), deterministic, modes, and infeasibility."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import p4c.shortlist as sl
from p4c.config import Config, FieldTests, ModeRule, default_config_text, parse_config
from p4c.errors import P4CError
from p4c.shortlist import IMPLEMENTATION, WORKSHOP, plan_field_tests

CONFIG = parse_config(default_config_text())
CATEGORIES = ["NET", "FIN", "INTL"]


def configured(tests: int = 2, limit: int = 3, **mode: Any) -> Config:
    rules = FieldTests(tests_per_partner=tests, max_partners_per_practice=limit, mode=ModeRule(**mode))
    return CONFIG.model_copy(update={"field_tests": rules})


def practices(
    owners: list[str], scores: list[float] | None = None, categories: list[str] | None = None
) -> pd.DataFrame:
    n = len(owners)
    return pd.DataFrame(
        {
            "partner": owners,
            "service_id": [f"S{i}" for i in range(n)],
            "title": [f"Practice {i}" for i in range(n)],
            "category": categories or [CATEGORIES[i % 3] for i in range(n)],
            "score": scores or [0.9 - i / 100 for i in range(n)],
            "rank": list(range(1, n + 1)),
        }
    )


def partners_of(codes: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"partner": codes, "cluster_initiatives": [10] * len(codes)})


def needs_of(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["partner", "category", "importance"]).astype(
        {"partner": object, "category": object, "importance": float}
    )


def values_of(shortlist: pd.DataFrame, transferability: list[float] | None = None) -> pd.DataFrame:
    values = shortlist[["partner", "service_id"]].copy()
    values["transferability"] = transferability or [4.0] * len(shortlist)
    values["impact"] = 3.0
    return values


def plan(
    shortlist: pd.DataFrame,
    testers: list[str],
    needs: pd.DataFrame | None = None,
    config: Config = CONFIG,
    values: pd.DataFrame | None = None,
) -> pd.DataFrame:
    return plan_field_tests(
        shortlist,
        partners_of(testers),
        needs if needs is not None else needs_of([]),
        values if values is not None else values_of(shortlist),
        config,
    )


# --- optimality against brute force ---------------------------------------------------------------


def brute_force(
    owners: list[str], testers: list[str], gain: dict[tuple[str, int], float], tests: int, limit: int
) -> tuple[float, list[set[tuple[str, int]]]] | None:
    """Best total and every plan reaching it (within 1e-9), by enumerating every assignment."""
    choices = [
        list(itertools.combinations([j for j, o in enumerate(owners) if o != t], tests)) for t in testers
    ]
    plans: list[tuple[float, set[tuple[str, int]]]] = []
    for combo in itertools.product(*choices):
        used = [j for picks in combo for j in picks]
        if any(used.count(j) > limit for j in set(used)):
            continue
        pairs = {(t, j) for t, picks in zip(testers, combo, strict=True) for j in picks}
        plans.append((sum(gain[p] for p in pairs), pairs))
    if not plans:
        return None
    best = max(total for total, _ in plans)
    return best, [pairs for total, pairs in plans if total >= best - 1e-9]


def lexicographic_first(
    plans: list[set[tuple[str, int]]], testers: list[str], n: int
) -> set[tuple[str, int]]:
    """The documented tie-break: first tester's best-ranked practices first, then the next..."""
    order = [(t, j) for t in sorted(testers) for j in range(n)]
    return max(plans, key=lambda pairs: tuple(p in pairs for p in order))


@settings(max_examples=200, deadline=None)
@given(
    data=st.data(),
    n_testers=st.integers(2, 4),
    n_practices=st.integers(1, 5),
    tests=st.integers(1, 2),
    limit=st.integers(1, 3),
)
def test_the_plan_is_optimal_and_the_documented_tie_break(
    data: st.DataObject, n_testers: int, n_practices: int, tests: int, limit: int
) -> None:
    testers = ["BE", "DE", "FR", "IT"][:n_testers]
    owners = data.draw(
        st.lists(st.sampled_from([*testers, "NL"]), min_size=n_practices, max_size=n_practices)
    )
    # Grid values, so that distinct plans differ by far more than the solver's tolerance.
    scores = data.draw(
        st.lists(st.integers(60, 100).map(lambda v: v / 100), min_size=n_practices, max_size=n_practices)
    )
    cats = data.draw(st.lists(st.sampled_from(CATEGORIES), min_size=n_practices, max_size=n_practices))
    given_needs = data.draw(
        st.lists(
            st.tuples(st.sampled_from(testers), st.sampled_from(CATEGORIES), st.integers(1, 5).map(float)),
            max_size=6,
            unique_by=lambda r: r[:2],
        )
    )
    shortlist = practices(owners, scores, cats)
    need = {(t, c): 3.0 for t in testers for c in CATEGORIES} | {(t, c): v for t, c, v in given_needs}
    gain = {(t, j): scores[j] * need[t, cats[j]] / 5 for t in testers for j in range(n_practices)}
    expected = brute_force(owners, testers, gain, tests, limit)
    config = configured(tests, limit)
    if expected is None:
        with pytest.raises(P4CError, match=r"^no field-test plan is possible: "):
            plan(shortlist, testers, needs_of(given_needs), config)
        return
    result = plan(shortlist, testers, needs_of(given_needs), config)
    chosen = {(t, int(s[1:])) for t, s in zip(result["partner"], result["service_id"], strict=True)}
    assert result["match"].sum() == pytest.approx(expected[0], abs=1e-9)
    assert chosen == lexicographic_first(expected[1], testers, n_practices)
    assert result["match"].tolist() == pytest.approx([gain[p] for p in sorted(chosen)])


def test_the_plan_beats_greedy_when_greedy_is_wrong() -> None:
    # Partner by partner, BE would take its best match S0 (0.72) and leave DE, which cannot test its
    # own S1, with S2 (0.1): 0.82. The optimum gives S0 to DE, whose need is higher: 1.54.
    shortlist = practices(["FR", "DE", "FR"], [0.9, 0.8, 0.5], ["NET", "FIN", "INTL"])
    needs = needs_of([("BE", "NET", 4.0), ("BE", "FIN", 4.0), ("DE", "NET", 5.0), ("DE", "INTL", 1.0)])
    result = plan(shortlist, ["BE", "DE"], needs, configured(tests=1, limit=1))
    assert dict(zip(result["partner"], result["service_id"], strict=True)) == {"BE": "S1", "DE": "S0"}
    assert result["match"].sum() == pytest.approx(0.8 * 4 / 5 + 0.9 * 5 / 5)


def test_the_plan_does_not_depend_on_the_order_of_partners() -> None:
    shortlist = practices(["BE", "DE", "FR", "IT"], [0.8] * 4)
    first = plan(shortlist, ["BE", "DE", "FR", "IT"])
    again = plan(shortlist, ["IT", "FR", "BE", "DE"])
    pd.testing.assert_frame_equal(first, again)
    # every match is equal: the tie-break gives BE its best-ranked practices first
    assert first.loc[first["partner"] == "BE", "service_id"].tolist() == ["S1", "S2"]


# --- what the plan says ---------------------------------------------------------------------------


def test_need_defaults_to_the_config_and_match_is_score_times_need_over_five() -> None:
    shortlist = practices(["DE"], [0.75], ["FIN"])
    config = CONFIG.model_copy(update={"field_tests": FieldTests(tests_per_partner=1, default_need=2)})
    result = plan(shortlist, ["BE", "FR"], needs_of([("BE", "FIN", 5.0), ("BE", "NET", 1.0)]), config)
    assert result[["partner", "need", "match"]].values.tolist() == [["BE", 5.0, 0.75], ["FR", 2.0, 0.3]]
    assert result.columns.tolist() == [
        "partner",
        "practice_partner",
        "service_id",
        "title",
        "mode",
        "need",
        "match",
    ]
    assert result.iloc[0][["practice_partner", "title"]].tolist() == ["DE", "Practice 0"]


@pytest.mark.parametrize(
    ("need", "transferability", "mode"),
    [
        (4.0, 4.0, IMPLEMENTATION),
        (5.0, 4.5, IMPLEMENTATION),
        (3.5, 5.0, WORKSHOP),
        (5.0, 3.5, WORKSHOP),
        (5.0, float("nan"), WORKSHOP),
    ],
)
def test_the_mode_rule(need: float, transferability: float, mode: str) -> None:
    shortlist = practices(["DE"], [0.8], ["FIN"])
    result = plan(
        shortlist,
        ["BE"],
        needs_of([("BE", "FIN", need)]),
        configured(tests=1),
        values_of(shortlist, [transferability]),
    )
    assert result["mode"].tolist() == [mode]


def test_the_mode_rule_follows_the_config() -> None:
    shortlist = practices(["DE"], [0.8], ["FIN"])
    needs = needs_of([("BE", "FIN", 3.0)])
    config = configured(tests=1, min_need=3, criterion="impact", min_value=3)
    assert plan(shortlist, ["BE"], needs, config)["mode"].tolist() == [IMPLEMENTATION]
    config = configured(tests=1, min_need=3, criterion="impact", min_value=3.5)
    assert plan(shortlist, ["BE"], needs, config)["mode"].tolist() == [WORKSHOP]


def test_no_tests_is_an_empty_plan() -> None:
    result = plan(practices(["DE"]), ["BE"], config=configured(tests=0))
    assert result.empty
    assert result.columns.tolist() == sl.FIELD_TEST_COLUMNS


# --- infeasible plans -----------------------------------------------------------------------------


def test_too_few_places_says_by_how_much() -> None:
    testers = ["AT", "BE", "DE", "FR", "IT", "NL", "PL"]
    shortlist = practices(["AT", "BE", "DE", "FR"])
    with pytest.raises(P4CError) as info:
        plan(shortlist, testers)
    assert info.value.message == (
        "no field-test plan is possible: 7 partners x 2 tests = 14 tests "
        "but 4 practices x at most 3 partners = 12 places: 2 short"
    )
    assert "--tests-per-partner" in str(info.value.hint)


def test_a_partner_whose_practices_are_all_its_own_is_named() -> None:
    shortlist = practices(["BE", "BE", "BE"])
    with pytest.raises(P4CError) as info:
        plan(shortlist, ["BE", "DE"], config=configured(limit=2))
    assert info.value.message == (
        "no field-test plan is possible: partner BE must test 2 practices "
        "but all 3 shortlisted practices are its own: 2 short"
    )


def test_a_partner_with_too_few_other_practices_is_named() -> None:
    shortlist = practices(["BE", "BE", "DE"])
    with pytest.raises(P4CError) as info:
        plan(shortlist, ["BE", "DE"])
    assert info.value.message == (
        "no field-test plan is possible: partner BE must test 2 practices "
        "but only 1 shortlisted practices are not its own: 1 short"
    )


def test_an_empty_shortlist_is_an_error_not_an_empty_plan() -> None:
    with pytest.raises(
        P4CError,
        match=r"2 partners x 2 tests = 4 tests but 0 practices x at most 3 "
        r"partners = 0 places: 4 short",
    ):
        plan(practices([]).astype({"score": float}), ["BE", "DE"])


def test_a_solver_reported_infeasibility_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sl, "check_plan_counts", lambda *args: None)
    with pytest.raises(
        P4CError,
        match=r"^no field-test plan meets every constraint \(each partner "
        r"exactly 2 tests, never its own, at most 3 partners per "
        r"practice\): the solver found the constraints infeasible",
    ):
        plan(practices(["BE", "DE"]), ["BE", "DE"])


@settings(max_examples=100, deadline=None)
@given(
    st.integers(1, 5),
    st.integers(0, 3),
    st.integers(1, 3),
    st.lists(st.sampled_from(["BE", "DE", "FR"]), max_size=5),
)
def test_the_counting_checks_are_exactly_feasibility(
    n_testers: int, tests: int, limit: int, owners: list[str]
) -> None:
    testers = ["BE", "DE", "FR", "IT", "NL"][:n_testers]
    feasible = (
        brute_force(
            owners, testers, dict.fromkeys(itertools.product(testers, range(len(owners))), 1.0), tests, limit
        )
        is not None
    )
    try:
        sl.check_plan_counts(testers, owners, tests, limit)
        counted = True
    except P4CError:
        counted = False
    assert counted == feasible


def test_solve_plan_returns_zero_one() -> None:
    chosen = sl._solve_plan(np.array([1.0, 2.0, 3.0]), [(0, 0), (0, 1), (0, 2)], tests=2, limit=1)
    assert chosen.tolist() == [0, 1, 1]
