"""Good-practice rules, the shortlist selection rule and its reasons (p4c.shortlist)."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from p4c.config import Config, GoodPractice, default_config_text, parse_config
from p4c.errors import P4CError
from p4c.messages import SEMICOLONS, Msg
from p4c.models import LANGUAGES
from p4c.report.provenance import config_fingerprint, file_sha256, ranking_fingerprint
from p4c.shortlist import (
    CANDIDATE_COLUMNS,
    ELIGIBLE_TEXT,
    FAIL_TEMPLATES,
    FIELD_TEST_COLUMNS,
    NOT_PICKED,
    PICKED,
    PICKED_NEW_CATEGORY,
    SHORTLIST_COLUMNS,
    WHY_TEMPLATES,
    ShortlistOptions,
    full_months,
    good_practice,
    localized_reasons,
    plan_matrix,
    select_shortlist,
    shortlist,
    write_shortlist,
)
from tests.shortlist_data import AS_OF, CONFIG, frames, no_needs, partnership, service
from tests.shortlist_oracle import select_shortlist_oracle


def with_rules(**changes: Any) -> Config:
    rules = CONFIG.good_practice.model_dump() | changes
    return CONFIG.model_copy(update={"good_practice": GoodPractice(**rules)})


def judge(row: dict[str, Any], config: Config = CONFIG) -> pd.Series:
    services, partners, ranking = frames([row])
    return good_practice(ranking, services, partners, config, AS_OF).iloc[0]


# --- good practice: each rule alone ---------------------------------------------------------------


def test_the_base_service_meets_every_rule() -> None:
    verdict = judge(service("BE", "S1"))
    assert verdict["eligible"]
    assert verdict["reasons"] == ELIGIBLE_TEXT


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"status": "PLANNED"}, "status PLANNED (needs ONGOING or COMPLETED)"),
        ({"status": "PILOT"}, "status PILOT (needs ONGOING or COMPLETED)"),
        (
            {"start_date": dt.date(2025, 1, 1)},
            "months running 5 < 12 (started 2025-01-01, as of 2025-06-30)",
        ),
        (
            {"start_date": dt.date(2024, 7, 1)},
            "months running 11 < 12 (started 2024-07-01, as of 2025-06-30)",
        ),
        ({"start_date": dt.date(2026, 1, 1)}, "starts 2026-01-01, after the reference date 2025-06-30"),
        ({"start_date": None}, "start date missing"),
        ({"evidence": None}, "no evidence of success"),
        ({"evidence": "   "}, "no evidence of success"),
        ({"provider": "EXTERNAL"}, "provider EXTERNAL is excluded"),
        ({"score": 0.55}, "score 0.55 < 0.6"),
        ({"score": 0.5999}, "score 0.5999 < 0.6"),
        ({"relevance": 2.5}, "relevance 2.5 < 3"),
        ({"impact": 1.0}, "impact 1 < 3"),
        ({"transferability": float("nan")}, "transferability missing"),
        ({"cis_served": 4}, "pertinence 0.4 <= 0.5"),
        ({"cis_served": 5}, "pertinence 0.5 <= 0.5"),
        ({"cis_served": None}, "pertinence missing (no cis_served or no cluster_initiatives)"),
    ],
)
def test_a_service_failing_one_rule_says_which(changes: dict[str, Any], reason: str) -> None:
    verdict = judge(service("BE", "S1", **changes))
    assert not verdict["eligible"]
    assert verdict["reasons"] == f"not a good practice: {reason}"


def test_pertinence_is_shown_in_two_decimals() -> None:
    services, partners, ranking = frames([service("BE", "S1", cis_served=5)], cis=12)
    verdict = good_practice(ranking, services, partners, CONFIG, AS_OF).iloc[0]
    assert verdict["reasons"] == "not a good practice: pertinence 0.42 <= 0.5"


@pytest.mark.parametrize(
    "changes",
    [
        {"start_date": dt.date(2024, 6, 30)},  # exactly 12 months
        {"score": 0.6},
        {"relevance": 3.0},
        {"impact": 3.0},
        {"transferability": 3.0},
        {"cis_served": 6},
        {"cis_served": 25},  # capped at 1
        {"status": "COMPLETED"},
        {"provider": "JOINT"},
        {"provider": "CI"},
    ],
)
def test_values_on_the_right_side_of_a_threshold_pass(changes: dict[str, Any]) -> None:
    assert judge(service("BE", "S1", **changes))["eligible"]


def test_every_failed_rule_is_listed_in_rule_order() -> None:
    verdict = judge(service("BE", "S1", status="PLANNED", evidence=None, impact=2.0, score=0.3))
    assert verdict["reasons"] == (
        "not a good practice: status PLANNED (needs ONGOING or COMPLETED); "
        "no evidence of success; score 0.3 < 0.6; impact 2 < 3"
    )
    assert verdict["failed"] == "status, evidence, score, impact"


def test_an_unranked_service_has_no_score() -> None:
    services, partners, ranking = frames([service("BE", "S1"), service("BE", "S2")])
    verdict = good_practice(ranking.iloc[:1], services, partners, CONFIG, AS_OF)
    assert verdict.iloc[1]["reasons"] == "not a good practice: no score (not ranked)"
    assert pd.isna(verdict.iloc[1]["rank"])


@pytest.mark.parametrize(
    ("changes", "rules"),
    [
        ({"status": "PILOT"}, {"statuses": ["PILOT"]}),
        ({"start_date": None}, {"min_months_running": 0}),
        ({"start_date": dt.date(2025, 1, 1)}, {"min_months_running": 5}),
        ({"evidence": None}, {"require_evidence": False}),
        ({"provider": "EXTERNAL"}, {"excluded_providers": []}),
        ({"score": 0.4}, {"min_score": 0.4}),
        ({"impact": 2.0}, {"min_criteria": {"relevance": 3}}),
        ({"cis_served": 3}, {"min_pertinence": 0.25}),
    ],
)
def test_each_rule_follows_the_config(changes: dict[str, Any], rules: dict[str, Any]) -> None:
    row = service("BE", "S1", **changes)
    assert judge(row, with_rules(**rules))["eligible"]
    assert not judge(row)["eligible"]


def test_a_criterion_minimum_can_be_added_in_config() -> None:
    row = service("BE", "S1", synergy=1.0)
    verdict = judge(row, with_rules(min_criteria={"synergy": 2}))
    assert verdict["reasons"] == "not a good practice: synergy 1 < 2"


def test_pertinence_rule_holds_without_a_pertinence_criterion() -> None:
    criteria = [c for c in CONFIG.criteria if c.source != "pertinence"]
    config = CONFIG.model_copy(update={"criteria": criteria})
    assert (
        judge(service("BE", "S1", cis_served=2), config)["reasons"]
        == "not a good practice: pertinence 0.2 <= 0.5"
    )


@pytest.mark.parametrize(
    ("start", "as_of", "months"),
    [
        (dt.date(2024, 1, 31), dt.date(2024, 2, 29), 0),
        (dt.date(2024, 1, 31), dt.date(2024, 3, 31), 2),
        (dt.date(2024, 6, 30), dt.date(2025, 6, 30), 12),
        (dt.date(2024, 7, 1), dt.date(2025, 6, 30), 11),
        (dt.date(2025, 7, 1), dt.date(2025, 6, 30), -1),
    ],
)
def test_full_months(start: dt.date, as_of: dt.date, months: int) -> None:
    assert full_months(start, as_of) == months


def test_as_of_decides_months_running() -> None:
    services, partners, ranking = frames([service("BE", "S1", start_date=dt.date(2024, 3, 15))])
    early = good_practice(ranking, services, partners, CONFIG, dt.date(2025, 3, 14))
    late = good_practice(ranking, services, partners, CONFIG, dt.date(2025, 3, 15))
    assert not early.iloc[0]["eligible"]
    assert late.iloc[0]["eligible"]


def test_candidates_come_in_rank_order() -> None:
    rows = [service("DE", "A", score=0.7), service("BE", "B", score=0.9), service("FR", "C", score=0.7)]
    services, partners, ranking = frames(rows)
    table = good_practice(ranking, services, partners, CONFIG, AS_OF)
    assert table["service_id"].tolist() == ["B", "A", "C"]
    assert table["rank"].tolist() == [1, 2, 2]


# --- the shortlist ---------------------------------------------------------------------------------


def pick(
    rows: list[dict[str, Any]],
    size: int,
    cap: int,
    min_categories: int,
) -> tuple[pd.DataFrame, list[str]]:
    services, partners, ranking = frames(rows)
    candidates = good_practice(ranking, services, partners, CONFIG, AS_OF)
    return select_shortlist(candidates, size, cap, min_categories)


def reasons(table: pd.DataFrame) -> dict[str, str]:
    return dict(zip(table["service_id"], table["reasons"], strict=True))


def picked(table: pd.DataFrame) -> list[str]:
    return [str(sid) for sid in table.loc[table["shortlisted"], "service_id"]]


def test_the_partner_cap_keeps_lower_ranked_practices_out() -> None:
    rows = [
        service("BE", f"B{i}", score=0.95 - i / 100, category=cat)
        for i, cat in enumerate(["NET", "FIN", "INTL", "SKILLS", "INTEL"])
    ]
    rows += [service("DE", "D1", score=0.7, category="NET")]
    table, notes = pick(rows, size=15, cap=3, min_categories=1)
    assert picked(table) == ["B0", "B1", "B2", "D1"]
    assert (
        reasons(table)["B3"]
        == "good practice, not shortlisted: partner cap (3) reached by higher-ranked BE practices"
    )
    assert reasons(table)["B0"] == "shortlisted: good practice, rank 1, adds category NET"
    assert reasons(table)["D1"] == "shortlisted: good practice, rank 6"
    assert "the partner cap of 3 left out 2 practices of BE" in notes
    assert any(note.startswith("shortlist: 4 practices for 15 places: only 6 candidates") for note in notes)


def test_the_size_keeps_the_lowest_ranked_out() -> None:
    rows = [service(code, "S", score=0.9 - i / 100) for i, code in enumerate(["BE", "DE", "FR", "IT"])]
    table, notes = pick(rows, size=3, cap=3, min_categories=1)
    assert picked(table) == ["S", "S", "S"]
    assert table.loc[~table["shortlisted"], "partner"].tolist() == ["IT"]
    assert (
        table.iloc[3]["reasons"]
        == "good practice, not shortlisted: shortlist full (size 3, every place taken by a better-ranked "
        "practice)"
    )
    assert "shortlist: 3 practices (the size of 3 left 1 candidate out)" in notes


def test_coverage_passes_over_a_better_ranked_practice_of_a_covered_category() -> None:
    rows = [
        service("BE", "N1", score=0.9),
        service("DE", "N2", score=0.85),
        service("FR", "N3", score=0.8),
        service("IT", "F1", score=0.7, category="FIN"),
    ]
    table, notes = pick(rows, size=3, cap=3, min_categories=2)
    assert picked(table) == ["N1", "N2", "F1"]
    assert reasons(table)["N3"] == (
        "good practice, not shortlisted: category NET is already covered "
        "and the last place is needed, to reach 2 categories"
    )
    assert reasons(table)["F1"] == "shortlisted: good practice, rank 4, adds category FIN"
    assert notes[-1] == (
        "categories: 2 covered (at least 2 asked); 1 better-ranked candidate passed over to reach 2"
    )


def test_coverage_through_the_partner_cap_is_exact() -> None:
    # BE alone offers INTEL and FIN; with a cap of 2, taking BE's best (NET) would leave one BE place
    # for two categories, so NET comes from DE instead: a swap heuristic that starts from the top
    # three picks (BE N, BE I, DE N) cannot reach 3 categories without moving BE's first pick.
    rows = [
        service("BE", "BN", score=0.95),
        service("BE", "BI", score=0.9, category="INTEL"),
        service("DE", "DN", score=0.85),
        service("BE", "BF", score=0.8, category="FIN"),
    ]
    table, _ = pick(rows, size=4, cap=2, min_categories=3)
    assert picked(table) == ["BI", "DN", "BF"]
    assert reasons(table)["BN"] == (
        "good practice, not shortlisted: BE's remaining places (cap 2) are needed for categories "
        "only BE can still bring, to reach 3 categories"
    )


def test_coverage_the_candidates_do_not_allow_is_explained() -> None:
    rows = [service("BE", "N1", score=0.9), service("DE", "F1", score=0.8, category="FIN")]
    table, notes = pick(rows, size=15, cap=3, min_categories=5)
    assert picked(table) == ["N1", "F1"]
    assert notes[-1] == (
        "categories: 2 covered (at least 5 asked); fewer than asked because the "
        "candidates come from only 2 categories"
    )


def test_coverage_limited_by_the_size_is_explained() -> None:
    rows = [
        service("BE", f"S{i}", score=0.9 - i / 100, category=cat)
        for i, cat in enumerate(["NET", "FIN", "INTL", "SKILLS"])
    ]
    _, notes = pick(rows, size=3, cap=3, min_categories=4)
    assert notes[-1].endswith("fewer than asked because the shortlist size (3) is smaller")


def test_coverage_limited_by_the_cap_is_explained() -> None:
    rows = [
        service("BE", f"S{i}", score=0.9 - i / 100, category=cat)
        for i, cat in enumerate(["NET", "FIN", "INTL", "SKILLS"])
    ]
    table, notes = pick(rows, size=10, cap=2, min_categories=4)
    assert picked(table) == ["S0", "S1"]
    assert notes[-1].endswith("fewer than asked because the size and the partner cap allow at most 2")


def test_ineligible_services_keep_their_reasons_and_are_never_picked() -> None:
    rows = [service("BE", "X", score=0.99, evidence=None), service("BE", "Y", score=0.7)]
    table, notes = pick(rows, size=15, cap=3, min_categories=1)
    assert picked(table) == ["Y"]
    assert reasons(table)["X"] == "not a good practice: no evidence of success"
    assert "kept out by (services failing each rule): evidence 1" in notes


def brute_force_shortlist(
    items: list[tuple[str, str]], size: int, cap: int, min_categories: int
) -> tuple[list[int], int]:
    """The lexicographically best feasible set of positions (rank order) and the coverage target."""
    feasible: list[tuple[int, ...]] = []
    best = 0
    for n in range(min(size, len(items)) + 1):
        for combo in itertools.combinations(range(len(items)), n):
            if max(Counter(items[i][0] for i in combo).values(), default=0) <= cap:
                feasible.append(combo)
                best = max(best, len({items[i][1] for i in combo}))
    target = min(min_categories, best)
    good = [c for c in feasible if len({items[i][1] for i in c}) >= target]
    key = lambda combo: tuple(i in combo for i in range(len(items)))  # noqa: E731
    return list(max(good, key=key)), target


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["BE", "DE", "FR"]), st.sampled_from(["NET", "FIN", "INTL", "SKILLS"])),
        max_size=8,
    ),
    st.integers(1, 5),
    st.integers(1, 3),
    st.integers(0, 5),
)
def test_selection_is_the_best_ranked_set_that_reaches_the_coverage(
    items: list[tuple[str, str]], size: int, cap: int, min_categories: int
) -> None:
    rows = [service(p, f"S{i}", category=c, score=0.9 - i / 100) for i, (p, c) in enumerate(items)]
    if not rows:
        return
    table, _ = pick(rows, size, cap, min_categories)
    expected, target = brute_force_shortlist(items, size, cap, min_categories)
    assert picked(table) == [f"S{i}" for i in expected]
    assert table.loc[table["shortlisted"], "category"].nunique() >= target
    assert all(
        text.startswith(("shortlisted: ", "good practice, not shortlisted: ")) for text in table["reasons"]
    )


# --- the whole step ----------------------------------------------------------------------------------


def test_shortlist_returns_the_three_tables_and_notes() -> None:
    services, partners, ranking = frames(partnership())
    needs = pd.DataFrame({"partner": ["BE", "DE"], "category": ["FR", "FIN"], "importance": [5.0, 5.0]})
    result = shortlist(ranking, services, partners, needs, CONFIG, ShortlistOptions(as_of=AS_OF))
    assert list(result.candidates.columns) == CANDIDATE_COLUMNS
    assert list(result.shortlist.columns) == SHORTLIST_COLUMNS
    assert list(result.field_tests.columns) == FIELD_TEST_COLUMNS
    assert len(result.candidates) == 9
    assert len(result.shortlist) == 8
    assert result.field_tests.groupby("partner").size().to_dict() == dict.fromkeys(
        ["BE", "DE", "FR", "IT"], 2
    )
    assert (result.field_tests["partner"] != result.field_tests["practice_partner"]).all()
    assert result.notes[0] == "reference date 2025-06-30"
    assert result.notes[-1].startswith("field tests: 4 partners x 2 = 8 tests")


def test_options_override_the_config() -> None:
    services, partners, ranking = frames(partnership())
    options = ShortlistOptions(as_of=AS_OF, size=5, max_per_partner=1, tests_per_partner=1)
    result = shortlist(ranking, services, partners, no_needs(), CONFIG, options)
    assert result.shortlist["partner"].tolist() == ["BE", "DE", "FR", "IT"]
    assert len(result.field_tests) == 4


def test_an_impossible_plan_is_an_error_with_the_shortlist_notes() -> None:
    services, partners, ranking = frames(partnership())
    options = ShortlistOptions(as_of=AS_OF, size=2, tests_per_partner=2)
    with pytest.raises(P4CError) as info:
        shortlist(ranking, services, partners, no_needs(), CONFIG, options)
    assert info.value.message == (
        "no field-test plan is possible: partner BE must test 2 practices but all 2 shortlisted "
        "practices are its own: 2 short; "
        "4 partners x 2 tests = 8 tests but 2 practices x at most 3 partners = 6 places: 2 short"
    )
    assert "shortlist: 2 practices" in str(info.value.hint)


@pytest.mark.parametrize(
    ("name", "options"),
    [
        ("size", ShortlistOptions(size=0)),
        ("max per partner", ShortlistOptions(max_per_partner=0)),
        ("tests per partner", ShortlistOptions(tests_per_partner=-1)),
    ],
)
def test_bad_options_are_errors(name: str, options: ShortlistOptions) -> None:
    services, partners, ranking = frames(partnership())
    with pytest.raises(P4CError, match=f"^{name} must be at least"):
        shortlist(ranking, services, partners, no_needs(), CONFIG, options)


def test_no_tests_is_an_empty_plan_said_in_the_notes() -> None:
    services, partners, ranking = frames(partnership())
    result = shortlist(
        ranking, services, partners, no_needs(), CONFIG, ShortlistOptions(as_of=AS_OF, tests_per_partner=0)
    )
    assert result.field_tests.empty
    assert result.notes[-1] == "field tests: none planned (tests per partner is 0)"


def test_write_shortlist_writes_the_four_files_and_their_record(tmp_path: Any) -> None:
    import openpyxl

    services, partners, ranking = frames(partnership())
    result = shortlist(ranking, services, partners, no_needs(), CONFIG, ShortlistOptions(as_of=AS_OF))
    paths = write_shortlist(result, tmp_path / "out")
    assert [p.name for p in paths] == [
        "candidates.csv",
        "shortlist.csv",
        "field_tests.csv",
        "shortlist.xlsx",
        "shortlist.json",
    ]
    record = json.loads(paths[4].read_text(encoding="utf-8"))
    assert record["stage"] == "shortlist" and record["as_of"] == AS_OF.isoformat()
    assert record["options"] == {"size": 15, "max_per_partner": 3, "tests_per_partner": 2}
    assert record["method"] is None and record["weights"] is None  # not told how it was ranked
    assert record["ranking_sha256"] == ranking_fingerprint(ranking)
    assert record["config_sha256"] == config_fingerprint(CONFIG)
    assert record["inputs"] == dict.fromkeys(["BE", "DE", "FR", "IT"], "")  # no sha256 column here
    assert record["outputs"] == {p.name: file_sha256(p) for p in paths[:4]}
    assert pd.read_csv(paths[0])["reasons"].tolist() == result.candidates["reasons"].tolist()
    assert pd.read_csv(paths[2]).columns.tolist() == FIELD_TEST_COLUMNS
    book = openpyxl.load_workbook(paths[3])
    assert book.sheetnames == ["Shortlist", "Field tests", "Plan", "Candidates", "Notes", "Columns"]
    plan = [[c.value for c in row] for row in book["Plan"].iter_rows()]
    assert plan[0][:3] == ["Partner", "BE BE0", "BE BE1"]
    assert plan[1][:3] == ["BE", "own", "own"]
    for row in plan[1:]:  # no Needs: need 3 < 4, so every test is a workshop
        assert sorted(v for v in row[1:] if v is not None) == ["WORKSHOP", "WORKSHOP", "own", "own"]
    assert plan_matrix(result).shape == (4, 9)


def test_the_workbook_shows_the_reasons_in_its_language_the_csv_in_english(tmp_path: Path) -> None:
    import openpyxl

    services, partners, ranking = frames(partnership())
    result = shortlist(ranking, services, partners, no_needs(), CONFIG, ShortlistOptions(as_of=AS_OF))
    paths = write_shortlist(result, tmp_path, lang="de")
    english = pd.read_csv(paths[0])["reasons"].tolist()
    assert english == result.candidates["reasons"].tolist()  # the stage keeps the English text
    assert all(type(text) is str for text in result.candidates["reasons"])
    # the messages the pure steps made, rendered in German, are what the workbook shows
    made, _ = select_shortlist(
        good_practice(ranking, services, partners, CONFIG, AS_OF),
        CONFIG.shortlist.size,
        CONFIG.shortlist.max_per_partner,
        CONFIG.shortlist.min_categories,
    )
    assert [str(m) for m in made["reasons"]] == english
    rows = list(openpyxl.load_workbook(paths[3])["Kandidaten"].iter_rows(values_only=True))
    shown = [row[rows[0].index("Gründe")] for row in rows[1:]]
    assert shown == [m.render("de") for m in made["reasons"]]
    assert shown[0] == "ausgewählt: gute Praxis, Rang 1, bringt die Kategorie NET hinzu"
    assert shown[-1] == "keine gute Praxis: kein Erfolgsnachweis; Punktzahl 0,3 < 0,6; impact 2 < 3"


# --- config thresholds -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (
            ("good_practice", "min_criteria", "relevance"),
            30,
            "good_practice.min_criteria.relevance: 30 is outside the scale 1-5 of the score relevance",
        ),
        (
            ("field_tests", "mode", "min_value"),
            0,
            "field_tests.mode.min_value: 0 is outside the scale 1-5 of the score transferability",
        ),
        (("shortlist", "min_categories"), 15, "shortlist.min_categories: 15 is more than the 14 categories"),
        (("field_tests", "mode", "min_need"), 6, "field_tests.mode.min_need: Input should be less than or"),
    ],
)
def test_thresholds_out_of_reach_are_config_errors(path: tuple[str, ...], value: float, message: str) -> None:
    import yaml

    data = yaml.safe_load(default_config_text())
    node = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    with pytest.raises(P4CError, match=re.escape(f"config: {message}")):
        parse_config(yaml.safe_dump(data))


def test_a_pertinence_minimum_in_min_criteria_is_on_its_own_scale() -> None:
    """Only score criteria are bounded by the 1-5 scale; pertinence is a share."""
    config = with_rules(min_criteria={"pertinence": 0.7})
    assert (
        judge(service("BE", "S1", cis_served=6), config)["reasons"]
        == "not a good practice: pertinence 0.6 < 0.7"
    )


def test_the_first_note_counts_in_proper_plurals() -> None:
    services, partners, ranking = frames([service("BE", "S1", score=0.9)])
    result = shortlist(
        ranking, services, partners, no_needs(), CONFIG, ShortlistOptions(as_of=AS_OF, tests_per_partner=0)
    )
    assert result.notes[1] == "1 service, 1 good-practice candidate from 1 partner in 1 category"
    assert result.notes[2] == "shortlist: 1 practice for 15 places: only 1 candidate"


def test_zero_candidates_for_want_of_cluster_initiatives_names_the_cause() -> None:
    services, partners, ranking = frames([service("MT", "S1", score=0.9), service("MT", "S2", score=0.8)])
    partners["cluster_initiatives"] = pd.array([None], dtype="Int64")  # a CSV and no config entry
    result = shortlist(
        ranking, services, partners, no_needs(), CONFIG, ShortlistOptions(as_of=AS_OF, tests_per_partner=0)
    )
    assert not result.candidates["eligible"].any()
    assert result.notes[1:3] == [
        "2 services, 0 good-practice candidates from 0 partners in 0 categories",
        "0 good-practice candidates: pertinence is unknown for MT (no Partner sheet and no "
        "`partners: MT: cluster_initiatives:` in config/criteria.yaml)",
    ]


def test_a_partner_without_cluster_initiatives_among_others_is_named() -> None:
    rows = [service("BE", "B1", score=0.9), service("MT", "M1", score=0.8), service("SI", "S1", score=0.7)]
    services, partners, ranking = frames(rows)
    partners = partners[partners["partner"] == "BE"]  # MT and SI are not in the partners table at all
    result = shortlist(
        ranking, services, partners, no_needs(), CONFIG, ShortlistOptions(as_of=AS_OF, tests_per_partner=0)
    )
    assert result.notes[2] == (
        "pertinence is unknown for MT, SI (no Partner sheet and no `partners: MT: cluster_initiatives:` "
        "or `partners: SI: cluster_initiatives:` in config/criteria.yaml): none of their services can "
        "be a good practice"
    )


# --- the near-linear selection against the old, quadratic one ----------------------------------------


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["BE", "DE", "FR", "GR"]),
            st.sampled_from(["NET", "FIN", "INTL", "SKILLS", "INNOV", "START"]),
            st.integers(0, 4),
        ),
        max_size=30,
    ),
    st.integers(1, 8),
    st.integers(1, 4),
    st.integers(0, 7),
)
def test_selection_matches_the_quadratic_oracle(
    items: list[tuple[str, str, int]], size: int, cap: int, min_categories: int
) -> None:
    """Same picks, reasons and notes as checking every candidate against the whole rest."""
    rows = [
        service(p, f"S{i:02d}", category=c, score=0.9 - i / 100 - tie / 1000)
        for i, (p, c, tie) in enumerate(items)
    ]
    if not rows:
        return
    services, partners, ranking = frames(rows)
    candidates = good_practice(ranking, services, partners, CONFIG, AS_OF)
    fast, fast_notes = select_shortlist(candidates, size, cap, min_categories)
    slow, slow_notes = select_shortlist_oracle(candidates, size, cap, min_categories)
    assert fast["shortlisted"].tolist() == slow["shortlisted"].tolist()
    assert fast["reasons"].tolist() == slow["reasons"].tolist()
    assert fast_notes == slow_notes


def test_selection_matches_the_oracle_on_a_coverage_bound_case() -> None:
    """A case where coverage passes over many candidates: the cached check answers as the exact one."""
    rows = [service("BE", f"B{i:02d}", category="NET", score=0.99 - i / 100) for i in range(12)]
    rows += [
        service("DE", "D1", category="FIN", score=0.86),
        service("FR", "F1", category="INTL", score=0.85),
    ]
    rows += [
        service("DE", "D2", category="FIN", score=0.84),
        service("FR", "F2", category="START", score=0.83),
    ]
    services, partners, ranking = frames(rows)
    candidates = good_practice(ranking, services, partners, CONFIG, AS_OF)
    fast, fast_notes = select_shortlist(candidates, 4, 3, 4)
    slow, slow_notes = select_shortlist_oracle(candidates, 4, 3, 4)
    assert picked(fast) == ["B00", "D1", "F1", "F2"]
    assert fast["reasons"].tolist() == slow["reasons"].tolist()
    assert fast_notes == slow_notes


def test_the_coverage_check_runs_a_bounded_number_of_times(monkeypatch: pytest.MonkeyPatch) -> None:
    """Not per candidate: 1,500 candidates of one covered category cost a handful of max flows."""
    import p4c.shortlist as module

    calls: list[int] = []
    real = module.coverable

    def counting(*args: Any, **kwargs: Any) -> int:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, "coverable", counting)
    rows = [service("BE", f"B{i:04d}", category="NET", score=0.99 - i / 1e5) for i in range(1500)]
    rows += [service("DE", "D1", category="FIN", score=0.9), service("FR", "F1", category="INTL", score=0.89)]
    services, partners, ranking = frames(rows)
    candidates = good_practice(ranking, services, partners, CONFIG, AS_OF)
    table, _ = select_shortlist(candidates, 3, 3, 3)
    assert picked(table) == ["B0000", "D1", "F1"]
    assert len(calls) <= 10


# --- the reasons in French and German (p4c.messages, read back from candidates.csv) -----------------

# English words of the reasons that neither French nor German uses.
ENGLISH_WORDS = (
    "good practice",
    "shortlisted",
    "shortlist full",
    "needs",
    "missing",
    "evidence",
    "excluded",
    "score",
    "running",
    "started",
    "as of",
    "reference date",
    "places left",
    "last place",
    "covered",
    "partner cap",
    "rank ",
    "category",
    "categories",
    " or ",
    "every",
    "better-ranked",
    "higher-ranked",
    "(needs",
)


def assert_reasons_round_trip(texts: list[Any]) -> None:
    """Each reason, stored as English text and read back, reads as the message it was built from in
    every language; the French and German ones hold no English word of the templates."""
    assert texts and all(isinstance(text, Msg) for text in texts)
    for lang in LANGUAGES:
        stored = [str(text) for text in texts]  # what candidates.csv holds
        assert localized_reasons(stored, lang) == [text.render(lang) for text in texts]
    for lang in ("fr", "de"):
        for text in localized_reasons([str(t) for t in texts], lang):
            assert not [w for w in ENGLISH_WORDS if w in str(text)], text


def test_each_kind_of_reason_reads_back_in_every_language() -> None:
    rows = [
        service("BE", "P0"),
        service("BE", "P1", status="PLANNED", evidence=None, impact=2.0, score=0.3),
        service("BE", "P2", start_date=dt.date(2025, 1, 1), provider="EXTERNAL", cis_served=None),
        service("BE", "P3", start_date=dt.date(2026, 1, 1), transferability=float("nan"), cis_served=4),
        service("BE", "P4", start_date=None, score=0.5999),
    ]
    services, partners, ranking = frames(rows)
    ranked = ranking[ranking["service_id"] != "P4"]
    failing = good_practice(ranked, services, partners, CONFIG, AS_OF)["reasons"].tolist()
    assert [str(text) for text in failing[::4]] == [
        ELIGIBLE_TEXT,
        "not a good practice: start date missing; no score (not ranked)",
    ]
    picks = [
        pick(
            [service("BE", f"B{i}", score=0.95 - i / 100, category=c) for i, c in enumerate(["NET", "FIN"])]
            + [service("DE", "D1", score=0.7)],
            size=15,
            cap=1,
            min_categories=1,
        )[0],  # cap
        pick([service(c, "S", score=0.9 - i / 100) for i, c in enumerate(["BE", "DE", "FR"])], 2, 3, 1)[0],
        pick(
            [
                service(p, s, score=x, category=c)
                for p, s, x, c in (
                    ("BE", "N1", 0.9, "NET"),
                    ("DE", "N2", 0.85, "NET"),
                    ("FR", "N3", 0.8, "NET"),
                    ("IT", "F1", 0.7, "FIN"),
                    ("IT", "I1", 0.6, "INTL"),
                )
            ],
            size=4,
            cap=3,
            min_categories=3,
        )[0],  # the places left (2)
        pick(
            [service(p, "N", score=0.9 - i / 100) for i, p in enumerate(["BE", "DE", "FR"])]
            + [service("IT", "F", score=0.7, category="FIN")],
            size=3,
            cap=3,
            min_categories=2,
        )[0],  # the last place
        pick(
            [
                service(p, s, score=x, category=c)
                for p, s, x, c in (
                    ("BE", "BN", 0.95, "NET"),
                    ("BE", "BI", 0.9, "INTEL"),
                    ("DE", "DN", 0.85, "NET"),
                    ("BE", "BF", 0.8, "FIN"),
                )
            ],
            size=4,
            cap=2,
            min_categories=3,
        )[0],  # a partner's places
    ]
    chosen = [text for table in picks for text in table["reasons"]]
    templates = (
        {text.template for text in chosen}
        | {
            fail.template
            for text in failing
            if "{fails}" in text.template
            for fail in _fragments(text.params["fails"])
        }
        | {text.params["why"].template for text in chosen if "{why}" in text.template}
    )
    assert templates >= {PICKED, PICKED_NEW_CATEGORY, NOT_PICKED, *WHY_TEMPLATES, *FAIL_TEMPLATES}
    assert ELIGIBLE_TEXT in {text.template for text in failing}
    assert_reasons_round_trip(failing + chosen)


def _fragments(listing: Any) -> list[Any]:
    """The items of a `semicolons` list."""
    if isinstance(listing, Msg) and listing.template == SEMICOLONS:
        return [*_fragments(listing.params["head"]), listing.params["tail"]]
    return [listing]


def test_reasons_in_french_and_german_word_for_word() -> None:
    verdict = judge(service("BE", "S1", status="PLANNED", evidence=None, relevance=2.5, cis_served=4))
    stored = str(verdict["reasons"])
    assert stored == (
        "not a good practice: status PLANNED (needs ONGOING or COMPLETED); no evidence of success; "
        "relevance 2.5 < 3; pertinence 0.4 <= 0.5"
    )
    assert localized_reasons([stored], "fr") == [
        "pas une bonne pratique : statut PLANNED (il faut ONGOING ou COMPLETED) ; aucune preuve de "
        "réussite ; relevance 2,5 < 3 ; pertinence 0,4 <= 0,5"
    ]
    assert localized_reasons([stored], "de") == [
        "keine gute Praxis: Status PLANNED (nötig: ONGOING oder COMPLETED); kein Erfolgsnachweis; "
        "relevance 2,5 < 3; Relevanz 0,4 <= 0,5"
    ]
    three = with_rules(statuses=["ONGOING", "COMPLETED", "PILOT"])
    assert localized_reasons([str(judge(service("BE", "S1", status="PLANNED"), three)["reasons"])], "de") == [
        "keine gute Praxis: Status PLANNED (nötig: ONGOING, COMPLETED oder PILOT)"
    ]


def test_a_reason_no_template_knows_is_shown_as_it_is() -> None:
    texts = [
        "eligible; not shortlisted (partner limit or size)",  # written by hand, or by an older p4c
        "not a good practice: too expensive",
        "good practice, not shortlisted: ask the coordinator",
        "shortlisted by the coordinator",
        "",
        float("nan"),
        None,
    ]
    for lang in LANGUAGES:
        out = localized_reasons(texts, lang)
        assert out[:5] == texts[:5] and pd.isna(out[5]) and out[6] is None


def test_english_reasons_are_kept_as_stored() -> None:
    text = "shortlisted: good practice, rank 1, adds category NET"
    assert localized_reasons([text], "en")[0] is text


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.fixed_dictionaries(
            {
                "partner": st.sampled_from(["BE", "DE", "FR"]),
                "category": st.sampled_from(["NET", "FIN", "INTL", "SKILLS"]),
                "status": st.sampled_from(["ONGOING", "COMPLETED", "PILOT", "PLANNED"]),
                "start_date": st.sampled_from(
                    [dt.date(2020, 1, 1), dt.date(2024, 7, 1), dt.date(2025, 6, 1), dt.date(2026, 1, 1), None]
                ),
                "provider": st.sampled_from(["DA", "CI", "JOINT", "EXTERNAL"]),
                "evidence": st.sampled_from(["30 contracts", None, " "]),
                "score": st.floats(0, 1, allow_nan=False),
                "impact": st.sampled_from([1.0, 2.5, 2.999, 3.0, 4.75, float("nan")]),
                "synergy": st.floats(1, 5, allow_nan=False),
                "cis_served": st.sampled_from([0, 3, 5, 6, 12, None]),
            }
        ),
        min_size=1,
        max_size=8,
    ),
    st.integers(1, 5),
    st.integers(1, 3),
    st.integers(0, 5),
    st.sampled_from([0.5, 0.3333333333, 0.125]),
)
def test_every_reason_of_the_real_steps_reads_back_in_every_language(
    rows: list[dict[str, Any]], size: int, cap: int, min_categories: int, min_pertinence: float
) -> None:
    config = with_rules(min_pertinence=min_pertinence, min_criteria={"impact": 3.0, "synergy": 2.5})
    services, partners, ranking = frames(
        [
            service(r["partner"], f"S{i}", **{k: v for k, v in r.items() if k != "partner"})
            for i, r in enumerate(rows)
        ]
    )
    candidates = good_practice(ranking, services, partners, config, AS_OF)
    table, _ = select_shortlist(candidates, size, cap, min_categories)
    assert_reasons_round_trip(table["reasons"].tolist())
