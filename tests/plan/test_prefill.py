"""The pre-fill rule: which practices a plan starts from, in which order, and the draft plan."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from p4c.errors import P4CError
from p4c.evaluation.models import Adoption, TestStatus, Verdict
from p4c.plan.model import ActionStatus
from p4c.plan.prefill import PREFILL_COLUMNS, draft_plan, prefill_actions, summarise_tests
from tests.plan.fixtures import GENERATED, LABELS, NEEDS, evaluation, results


def _keys(frame: pd.DataFrame) -> list[tuple[str, str, str]]:
    return list(zip(frame["practice_partner"], frame["practice_id"], frame["basis"], strict=True))


def test_tested_first_then_transferable_then_promising_by_need() -> None:
    out = prefill_actions("FR", evaluation(), results(), NEEDS, 3)
    assert list(out.columns) == list(PREFILL_COLUMNS)
    assert _keys(out) == [
        ("DE", "DE-01", "TESTED"),
        ("EE", "EE-05", "TESTED"),
        ("AT", "AT-09", "NEED"),
        ("BE", "BE-01", "NEED"),
        ("GR", "GR-07", "NEED"),
        ("SI", "SI-03", "NEED"),
        ("DE", "DE-02", "NEED"),
    ]
    assert list(out["need"]) == [5.0, 2.0, 5.0, 5.0, 4.0, 5.0, 4.0]
    assert list(out["verdict"]) == [
        "TRANSFERABLE",
        "NOT_TRANSFERABLE",
        "TRANSFERABLE",
        "TRANSFERABLE",
        "TRANSFERABLE",
        "PROMISING",
        "PROMISING",
    ]
    assert out.iloc[0][["title", "category", "evidence"]].tolist() == ["Digital lab", "SKILLS", "18 pilots"]


def test_default_need_applies_to_categories_without_a_need() -> None:
    out = prefill_actions("FR", evaluation(), results(), NEEDS, 4)
    assert _keys(out) == [
        ("DE", "DE-01", "TESTED"),
        ("EE", "EE-05", "TESTED"),
        ("AT", "AT-09", "NEED"),
        ("BE", "BE-01", "NEED"),
        ("GR", "GR-07", "NEED"),
        ("MT", "MT-02", "NEED"),
        ("SI", "SI-03", "NEED"),
        ("DE", "DE-02", "NEED"),
    ]


def test_partner_code_case_and_other_partner() -> None:
    out = prefill_actions("be", evaluation(), results(), {"INTER": 5}, 1)
    # BE tested DE-02 with success; then INTER practices: GR-07 (TRANSFERABLE); DE-02 not twice.
    assert _keys(out) == [("DE", "DE-02", "TESTED"), ("GR", "GR-07", "NEED")]


def test_nothing_to_prefill_gives_the_columns() -> None:
    out = prefill_actions("FR", evaluation().iloc[0:0], results().iloc[0:0], {}, 3)
    assert list(out.columns) == list(PREFILL_COLUMNS)
    assert out.empty


def test_tested_practice_missing_from_the_evaluation_is_kept_without_details() -> None:
    res = pd.concat(
        [
            results(),
            pd.DataFrame(
                [
                    {
                        "partner": "FR",
                        "practice_partner": "PL",
                        "practice_id": "PL-1",
                        "status": "DONE",
                        "adoption": "FULL",
                        "success": True,
                    }
                ]
            ),
        ]
    )
    out = prefill_actions("FR", evaluation(), res, NEEDS, 3)
    row = out[out["practice_partner"] == "PL"].iloc[0]
    assert row["basis"] == "TESTED" and pd.isna(row["title"]) and pd.isna(row["verdict"])
    assert row["need"] == 3.0


def test_bad_inputs_are_p4c_errors() -> None:
    with pytest.raises(P4CError, match="lacks the column"):
        prefill_actions("FR", evaluation().drop(columns="verdict"), results(), NEEDS, 3)
    with pytest.raises(P4CError, match="twice"):
        prefill_actions("FR", pd.concat([evaluation(), evaluation().iloc[:1]]), results(), NEEDS, 3)
    bad = evaluation()
    bad.loc[0, "verdict"] = "GREAT"
    with pytest.raises(P4CError, match="GREAT"):
        prefill_actions("FR", bad, results(), NEEDS, 3)


def test_the_first_bad_row_of_the_evaluation_is_named() -> None:
    """Keys compare as written once trimmed and upper-cased; the earlier of two problems is named."""
    base = evaluation()
    again = base.iloc[[1]].assign(practice_partner=lambda f: " " + f["practice_partner"].str.lower())
    twice = pd.concat([base, again], ignore_index=True)
    key = f"{base.iloc[1]['practice_partner']} {base.iloc[1]['practice_id']}"
    with pytest.raises(P4CError) as raised:
        prefill_actions("FR", twice, results(), NEEDS, 3)
    assert raised.value.message == f"the evaluation lists the practice {key} twice (row {len(base) + 1})"
    later = twice.copy()
    later.loc[len(base), "verdict"] = "great"  # the repeated row: its repeat is found first
    with pytest.raises(P4CError, match="twice"):
        prefill_actions("FR", later, results(), NEEDS, 3)
    earlier = twice.copy()
    earlier.loc[2, "verdict"] = " great "
    first = f"{base.iloc[2]['practice_partner']} {base.iloc[2]['practice_id']}"
    with pytest.raises(P4CError) as raised:
        prefill_actions("FR", earlier, results(), NEEDS, 3)
    assert raised.value.message == (
        f"the evaluation's verdict `GREAT` for {first} is unknown; "
        "accepted: TRANSFERABLE, PROMISING, NOT_TRANSFERABLE, NOT_TESTED"
    )


def test_summary_of_the_tests_of_a_practice() -> None:
    summary = summarise_tests("FR", "DE", "DE-01", results())
    assert summary is not None
    assert summary.status == TestStatus.DONE and summary.adoption == Adoption.FULL
    # DONE tests of DE-01: FR (4.0), fr again (4.0), GR (3.0); MT cancelled.
    assert summary.done == 3 and summary.successes == 3
    assert summary.satisfaction == pytest.approx(11 / 3)
    # changes (30-20)/20 = 0.5 and (11-10)/10 = 0.1: median 0.3
    assert summary.indicator_change == pytest.approx(0.3)
    assert summarise_tests("FR", "BE", "BE-01", results()) is None
    other = summarise_tests("FR", "DE", "DE-02", results())
    assert other is not None and other.status is None and other.adoption is None
    assert other.indicator_change == pytest.approx(-0.25)


def test_draft_plan_from_the_evaluation_alone() -> None:
    doc = draft_plan(
        "FR",
        prefill_actions("FR", evaluation(), results(), NEEDS, 3),
        evaluation(),
        results(),
        NEEDS,
        generated=GENERATED,
        lang="fr",
        organisation="Agence",
        region="Bretagne",
        cluster_initiatives=12,
        category_labels=LABELS["fr"],
    )
    assert doc.draft and doc.language == "fr" and doc.partner == "FR"
    assert [(a.practice_partner, a.practice_id) for a in doc.actions] == [
        ("DE", "DE-01"),
        ("EE", "EE-05"),
        ("AT", "AT-09"),
        ("BE", "BE-01"),
        ("GR", "GR-07"),
        ("SI", "SI-03"),
        ("DE", "DE-02"),
    ]
    first = doc.actions[0]
    assert first.title == "Digital lab" and first.practice_title == "Digital lab"
    assert first.verdict == Verdict.TRANSFERABLE and first.status == ActionStatus.PLANNED
    assert first.players is None and first.start_date is None and first.indicator is None
    assert doc.actions[2].results is None  # AT-09 was never tested
    assert doc.policy_instrument is None and doc.needs == NEEDS


# --- invariants ------------------------------------------------------------------------------------

CODES = ("BE", "DE", "FR", "EE")
CATS = ("A", "B", "C")
practice = st.tuples(
    st.sampled_from(CODES),
    st.sampled_from(("1", "2", "3")),
    st.sampled_from(CATS),
    st.sampled_from([v.value for v in Verdict]),
)
test_row = st.tuples(
    st.sampled_from(CODES), st.sampled_from(CODES), st.sampled_from(("1", "2", "3", "4")), st.booleans()
)


@settings(max_examples=150, deadline=None)
@given(
    practices=st.lists(practice, max_size=12, unique_by=lambda p: (p[0], p[1])),
    tests=st.lists(test_row, max_size=12),
    needs=st.dictionaries(st.sampled_from(CATS), st.integers(1, 5)),
    default=st.integers(1, 5),
    partner=st.sampled_from(CODES),
)
def test_rule_invariants(
    practices: list[tuple[str, str, str, str]],
    tests: list[tuple[str, str, str, bool]],
    needs: dict[str, int],
    default: int,
    partner: str,
) -> None:
    ev = pd.DataFrame(
        [(o, f"{o}-{i}", f"t{o}{i}", c, v, "") for o, i, c, v in practices],
        columns=["practice_partner", "practice_id", "title", "category", "verdict", "evidence"],
    )
    res = pd.DataFrame(
        [(h, o, f"{o}-{i}", "DONE", "FULL", s) for h, o, i, s in tests],
        columns=["partner", "practice_partner", "practice_id", "status", "adoption", "success"],
    )
    needs_f = {k: float(v) for k, v in needs.items()}
    out = prefill_actions(partner, ev, res, needs_f, default)
    keys = list(zip(out["practice_partner"], out["practice_id"], strict=True))
    assert len(keys) == len(set(keys)), "a practice twice"
    assert partner not in set(out["practice_partner"]), "an own practice"
    # independent oracle: the two sets the spec names
    tested = {(o, f"{o}-{i}") for h, o, i, s in tests if h == partner and s and o != partner}
    by_need = {
        (o, f"{o}-{i}")
        for o, i, c, v in practices
        if o != partner and v in ("TRANSFERABLE", "PROMISING") and needs_f.get(c, default) >= 4
    }
    assert set(keys) == tested | by_need
    basis = list(out["basis"])
    assert basis == sorted(basis, key=lambda b: b != "TESTED"), "tested practices come first"
    assert {k for k, b in zip(keys, basis, strict=True) if b == "TESTED"} == tested
    # the order does not depend on the order of the input rows
    shuffled = prefill_actions(
        partner, ev.sample(frac=1, random_state=1), res.sample(frac=1, random_state=2), needs_f, default
    )
    pd.testing.assert_frame_equal(out.reset_index(drop=True), shuffled.reset_index(drop=True))
