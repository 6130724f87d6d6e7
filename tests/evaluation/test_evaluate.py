"""`evaluate`: per-practice figures, verdicts at their boundaries, reasons, missing tests, warnings."""

from __future__ import annotations

import datetime as dt
import math
import statistics
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from p4c.errors import P4CError
from p4c.evaluation.evaluate import (
    BARRIER_COLUMNS,
    CONDITION_TEMPLATES,
    LEAD_TEMPLATES,
    PRACTICE_COLUMNS,
    REASON_BOTH,
    REASON_FAILED,
    REASON_HELD,
    REPORT_COLUMNS,
    RESULT_COLUMNS,
    EvaluationResult,
    evaluate,
    localized_reasons,
)
from p4c.evaluation.models import Adoption
from p4c.evaluation.settings import EvaluationSettings
from p4c.messages import COMMAS, Msg
from p4c.models import LANGUAGES

# Four partners, 100 CIs in all.
CIS = {"BE": 10, "DE": 20, "FR": 30, "SI": 40}
SERVICES = pd.DataFrame(
    {
        "partner": ["BE", "BE", "BE", "DE", "FR", "SI"],
        "service_id": ["S1", "S2", "S3", "S1", "S1", "S1"],
        "title": ["Matchmaking", "Fund finder", "Open lab", "Export desk", "Skills day", "Watch"],
        "category": ["NET", "FIN", "INNOV", "NET", "FIN", "NET"],
        "provider": "DA",
    }
)
PARTNERS = pd.DataFrame(
    {
        "partner": list(CIS),
        "organisation": [f"DA {c}" for c in CIS],
        "cluster_initiatives": pd.array(list(CIS.values()), dtype="Int64"),
    }
)
# NET: share 0.6 (SI's need 1 keeps its 40 CIs out); FIN and INNOV: everyone at the default 3.
MAJORITY_NEEDS = pd.DataFrame({"partner": ["SI"], "category": ["NET"], "importance": [1.0]})
# NET: share 0.5 exactly (DE and FR below 3): not a majority.
HALF_NEEDS = pd.DataFrame({"partner": ["DE", "FR"], "category": ["NET", "NET"], "importance": [2.0, 2.5]})
SHORTLIST = pd.DataFrame(
    {
        "partner": ["BE", "DE", "BE"],
        "service_id": ["S1", "S1", "S2"],
        "title": ["Matchmaking", "Export desk", "Fund finder"],
        "category": ["NET", "NET", "FIN"],
        "score": [0.9, 0.8, 0.7],
        "rank": [1, 2, 3],
    }
)


def plan_row(tester: str, owner: str, sid: str, mode: str = "WORKSHOP") -> dict[str, Any]:
    return {
        "partner": tester,
        "practice_partner": owner,
        "service_id": sid,
        "title": "",
        "mode": mode,
        "need": 3.0,
        "match": 0.5,
    }


def report_row(
    tester: str, owner: str = "BE", sid: str = "S1", status: str = "DONE", **changes: Any
) -> dict[str, Any]:
    """A typed report row; DONE rows default to satisfaction 4 and adoption FULL."""
    done = status == "DONE"
    row: dict[str, Any] = {
        "partner": tester,
        "practice_partner": owner,
        "practice_id": sid,
        "mode": "WORKSHOP",
        "status": status,
        "start_date": dt.date(2025, 1, 1),
        "end_date": dt.date(2025, 6, 30) if done else None,
        "cis_involved": 2,
        "smes_involved": None,
        "participants": 20,
        "cost_eur": None,
        "staff_days": 5.0,
        "satisfaction": 4.0 if done else None,
        "indicator": None,
        "baseline": None,
        "result": None,
        "adoption": "FULL" if done else None,
        "barriers": "",
        "adaptations": "",
        "lessons": "",
        "planned": True,
    }
    row.update(changes)
    return row


def reports_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=[*REPORT_COLUMNS, "planned"])
    for column in ("cis_involved", "smes_involved", "participants"):
        frame[column] = frame[column].astype("Int64")
    for column in ("cost_eur", "staff_days", "satisfaction", "baseline", "result"):
        frame[column] = frame[column].astype(float)
    return frame


def run(
    rows: list[dict[str, Any]],
    plan: list[dict[str, Any]] | None = None,
    needs: pd.DataFrame = MAJORITY_NEEDS,
    shortlist: pd.DataFrame = SHORTLIST,
    settings_: EvaluationSettings | None = None,
) -> EvaluationResult:
    plan_frame = pd.DataFrame(
        plan if plan is not None else [],
        columns=["partner", "practice_partner", "service_id", "title", "mode", "need", "match"],
    )
    return evaluate(reports_frame(rows), plan_frame, shortlist, SERVICES, PARTNERS, needs, settings_)


def practice(result: EvaluationResult, owner: str = "BE", sid: str = "S1") -> dict[str, Any]:
    rows = result.practices[
        (result.practices["practice_partner"] == owner) & (result.practices["practice_id"] == sid)
    ]
    assert len(rows) == 1
    return dict(rows.iloc[0])


# --- verdicts at their boundaries -----------------------------------------------------------------


def test_transferable_at_every_boundary() -> None:
    """done 2 = 2, success rate 1/2 = 0.5, satisfaction (4 + 3) / 2 = 3.5, share 0.6 > 0.5."""
    res = run(
        [
            report_row("DE", satisfaction=4.0, adoption="FULL"),
            report_row("FR", satisfaction=3.0, adoption="NONE"),
        ]
    )
    row = practice(res)
    assert (
        row["tests_done"],
        row["successes"],
        row["success_rate"],
        row["satisfaction"],
        row["pertinence_share"],
    ) == (2, 1, 0.5, 3.5, pytest.approx(0.6, abs=1e-12))
    assert row["verdict"] == "TRANSFERABLE"
    assert row["reasons"] == (
        "TRANSFERABLE: every condition held; held: done 2 >= 2, success rate 0.5 >= "
        "0.5, satisfaction 3.5 >= 3.5, pertinence share 0.6 is a majority (> 0.5)"
    )


def test_share_of_exactly_one_half_is_not_a_majority() -> None:
    res = run(
        [report_row("DE", satisfaction=4.0), report_row("FR", satisfaction=3.0, adoption="NONE")],
        needs=HALF_NEEDS,
    )
    row = practice(res)
    assert row["pertinence_share"] == 0.5
    assert row["verdict"] == "PROMISING"
    assert row["reasons"] == (
        "PROMISING: successes 1 of 2 DONE, not transferable; held: done 2 >= 2, success "
        "rate 0.5 >= 0.5, satisfaction 3.5 >= 3.5; failed: pertinence share 0.5 is "
        "not a majority (needs > 0.5)"
    )


def test_one_done_is_not_enough() -> None:
    res = run([report_row("DE", satisfaction=5.0), report_row("FR", status="ONGOING")])
    row = practice(res)
    assert (row["tests_done"], row["successes"], row["verdict"]) == (1, 1, "PROMISING")
    assert row["reasons"] == (
        "PROMISING: successes 1 of 1 DONE, not transferable; held: success rate 1 >= "
        "0.5, satisfaction 5 >= 3.5, pertinence share 0.6 is a majority (> 0.5); "
        "failed: done 1 < 2"
    )


def test_success_rate_just_below_one_half() -> None:
    """1 success of 3 done: 0.33 < 0.5; 2 of 4 is exactly 0.5 and holds."""
    low = run([report_row("DE"), report_row("FR", adoption="INTEREST"), report_row("SI", adoption="NONE")])
    assert (practice(low)["verdict"], practice(low)["success_rate"]) == ("PROMISING", 1 / 3)
    assert "failed: success rate 0.33 < 0.5" in practice(low)["reasons"]
    rows = [
        report_row("DE"),
        report_row("FR", adoption="PARTIAL"),
        report_row("SI", adoption="PRINCIPLES"),
        report_row("SI", adoption="NONE"),
    ]
    assert (practice(run(rows))["verdict"], practice(run(rows))["success_rate"]) == ("TRANSFERABLE", 0.5)


def test_satisfaction_just_below_the_threshold() -> None:
    """(3.5 + 3.4) / 2 = 3.45 < 3.5 fails; 3.5 alone holds (the TRANSFERABLE test above)."""
    res = run([report_row("DE", satisfaction=3.5), report_row("FR", satisfaction=3.4)])
    row = practice(res)
    assert row["satisfaction"] == pytest.approx(3.45, abs=1e-12)
    assert row["verdict"] == "PROMISING"
    assert "failed: satisfaction 3.45 < 3.5" in row["reasons"]


def test_satisfaction_is_the_mean_of_done_tests_only() -> None:
    res = run(
        [
            report_row("DE", satisfaction=4.0),
            report_row("FR", satisfaction=5.0),
            report_row("SI", status="CANCELLED", satisfaction=1.0, lessons="no budget"),
        ]
    )
    assert practice(res)["satisfaction"] == 4.5


def test_done_without_success_is_not_transferable() -> None:
    res = run([report_row("DE", adoption="NONE"), report_row("FR", adoption="INTEREST")])
    row = practice(res)
    assert (row["verdict"], row["successes"], row["success_rate"]) == ("NOT_TRANSFERABLE", 0, 0.0)
    assert row["reasons"] == (
        "NOT_TRANSFERABLE: 2 DONE (>= 2) and no success; held: done 2 >= 2, "
        "satisfaction 4 >= 3.5, pertinence share 0.6 is a majority (> 0.5); failed: "
        "success rate 0 < 0.5"
    )


def test_one_done_without_success_falls_back_to_promising() -> None:
    res = run([report_row("DE", adoption="PRINCIPLES")])
    row = practice(res)
    assert row["verdict"] == "PROMISING"
    assert row["reasons"].startswith(
        "PROMISING: 1 DONE of the 2 tests needed, none a success yet (no row "
        "of the verdict table matches: fallback); "
    )


def test_no_done_test_is_not_tested() -> None:
    res = run(
        [
            report_row("DE", status="ONGOING"),
            report_row("FR", status="CANCELLED", lessons="no staff"),
            report_row("SI", status="PLANNED"),
        ]
    )
    row = practice(res)
    assert (
        row["verdict"],
        row["tests_done"],
        row["tests_ongoing"],
        row["tests_cancelled"],
        row["tests_not_started"],
        row["tests_reported"],
    ) == ("NOT_TESTED", 0, 1, 1, 1, 3)
    assert math.isnan(row["success_rate"]) and math.isnan(row["satisfaction"])
    assert row["reasons"] == (
        "NOT_TESTED: no DONE test; held: pertinence share 0.6 is a majority (> 0.5); "
        "failed: done 0 < 2, success rate: no DONE test, satisfaction: no DONE test"
    )


def test_success_adoptions_setting() -> None:
    rows = [report_row("DE", adoption="FULL"), report_row("FR", adoption="PARTIAL")]
    assert practice(run(rows))["successes"] == 2
    strict = EvaluationSettings(success_adoptions=(Adoption.FULL,))
    assert practice(run(rows, settings_=strict))["successes"] == 1


def verdict_oracle(done: int, wins: int, sat: float, share: float) -> str:
    """The spec's table written out independently, first row that matches, then the fallback."""
    rate = wins / done if done else float("nan")
    if done >= 2 and rate >= 0.5 and sat >= 3.5 and share > 0.5:
        return "TRANSFERABLE"
    if wins >= 1:
        return "PROMISING"
    if done >= 2 and wins == 0:
        return "NOT_TRANSFERABLE"
    if done == 0:
        return "NOT_TESTED"
    return "PROMISING"


TESTERS = ("DE", "FR", "SI")


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["DONE", "ONGOING", "CANCELLED", "PLANNED"]),
            st.sampled_from(["FULL", "PARTIAL", "INTEREST", "PRINCIPLES", "NONE"]),
            st.sampled_from([1.0, 2.5, 3.0, 3.5, 4.0, 5.0]),
        ),
        max_size=6,
    ),
    st.booleans(),
)
def test_verdict_matches_the_spec_table(tests: list[tuple[str, str, float]], half: bool) -> None:
    rows = [
        report_row(
            TESTERS[i % 3],
            status=s,
            adoption=a if s == "DONE" else None,
            satisfaction=r if s == "DONE" else None,
            lessons="why",
        )
        for i, (s, a, r) in enumerate(tests)
    ]
    row = practice(run(rows, needs=HALF_NEEDS if half else MAJORITY_NEEDS))
    done_rates = [r for s, _, r in tests if s == "DONE"]
    wins = sum(s == "DONE" and a in ("FULL", "PARTIAL") for s, a, _ in tests)
    sat = statistics.fmean(done_rates) if done_rates else float("nan")
    expected = verdict_oracle(len(done_rates), wins, sat, 0.5 if half else 0.6)
    assert row["verdict"] == expected
    assert row["reasons"].startswith(expected + ": ")


# --- pertinence --------------------------------------------------------------------------------------

# BE 10, DE 20, FR 30, SI 40. SI gave no needs (default 3); DE gave NET twice (the highest counts);
# XX is not a partner and does not count.
PERTINENCE_NEEDS = pd.DataFrame(
    {
        "partner": ["BE", "BE", "DE", "DE", "DE", "FR", "XX"],
        "category": ["NET", "FIN", "NET", "NET", "FIN", "NET", "NET"],
        "importance": [4.0, 2.0, 2.0, 5.0, 3.0, 1.0, 5.0],
    }
)


@pytest.mark.parametrize(
    ("options", "net", "fin", "innov"),
    [
        # NET: BE 4, DE 5, FR 1, SI 3 -> (10 + 20 + 40) / 100; FIN: BE 2, DE 3, FR 3, SI 3 -> 90 / 100;
        # INNOV: everyone at the default 3 -> 1.
        ({}, 0.7, 0.9, 1.0),
        # default need 2: SI and FR (FIN) fall out: NET (10 + 20) / 100, FIN 20 / 100, INNOV 0.
        ({"default_need": 2}, 0.3, 0.2, 0.0),
        # need >= 4: NET BE and DE -> 0.3; FIN nobody; INNOV nobody.
        ({"need_threshold": 4}, 0.3, 0.0, 0.0),
    ],
)
def test_pertinence_share_by_hand(options: dict[str, float], net: float, fin: float, innov: float) -> None:
    res = run(
        [],
        plan=[plan_row("DE", "BE", "S3")],
        needs=PERTINENCE_NEEDS,
        settings_=EvaluationSettings.model_validate(options),
    )
    shares = {
        (r["practice_partner"], r["practice_id"]): r["pertinence_share"]
        for r in res.practices.to_dict("records")
    }
    assert shares == {
        ("BE", "S1"): pytest.approx(net, abs=1e-12),
        ("DE", "S1"): pytest.approx(net, abs=1e-12),
        ("BE", "S2"): pytest.approx(fin, abs=1e-12),
        ("BE", "S3"): pytest.approx(innov, abs=1e-12),
    }


# --- plan, reports and warnings ---------------------------------------------------------------------


def test_unplanned_tests_are_kept_and_counted() -> None:
    res = run([report_row("DE"), report_row("FR")], plan=[plan_row("DE", "BE", "S1")])
    row = practice(res)
    assert (
        row["tests_planned"],
        row["tests_reported"],
        row["tests_unplanned"],
        row["tests_planned_not_reported"],
    ) == (1, 2, 1, 0)
    assert res.results[["partner", "planned"]].to_dict("records") == [
        {"partner": "DE", "planned": True},
        {"partner": "FR", "planned": False},
    ]
    assert res.warnings == ["FR reported 1 test not in its plan (BE S1): evaluated as unplanned"]
    assert res.missing == []


def test_the_plan_decides_planned_not_the_reports_column() -> None:
    res = run([report_row("DE", planned=False)], plan=[plan_row("DE", "BE", "S1")])
    assert res.results["planned"].tolist() == [True]


def test_planned_but_not_reported() -> None:
    plan = [
        plan_row("DE", "BE", "S1"),
        plan_row("FR", "BE", "S1", "IMPLEMENTATION"),
        plan_row("SI", "BE", "S2"),
        plan_row("BE", "DE", "S1"),
    ]
    res = run([report_row("DE")], plan=plan)
    assert res.missing == [
        "BE has not reported its planned workshop test of DE S1 (Export desk)",
        "FR has not reported its planned implementation test of BE S1 (Matchmaking)",
        "SI has not reported its planned workshop test of BE S2 (Fund finder)",
    ]
    assert (practice(res)["tests_planned"], practice(res)["tests_planned_not_reported"]) == (2, 1)
    assert (
        practice(res, "BE", "S2")["tests_planned_not_reported"],
        practice(res, "BE", "S2")["verdict"],
    ) == (1, "NOT_TESTED")


def test_a_planned_practice_no_longer_shortlisted_is_evaluated_with_a_warning() -> None:
    res = run(
        [report_row("DE", owner="BE", sid="S3"), report_row("FR", owner="BE", sid="S3")],
        plan=[plan_row("DE", "BE", "S3"), plan_row("FR", "BE", "S3")],
    )
    row = practice(res, "BE", "S3")
    assert (
        row["shortlisted"],
        row["tests_planned"],
        row["tests_done"],
        row["title"],
        row["category"],
        row["verdict"],
    ) == (False, 2, 2, "Open lab", "INNOV", "TRANSFERABLE")
    assert pd.isna(row["rank"])
    assert res.warnings == [
        "BE S3 is in the field-test plan but no longer shortlisted (the ranking changed "
        "since the plan): still evaluated"
    ]


def test_a_reported_practice_not_in_the_store_has_no_share() -> None:
    res = run([report_row("DE", owner="FR", sid="S9")])
    row = practice(res, "FR", "S9")
    assert (pd.isna(row["title"]), pd.isna(row["category"]), math.isnan(row["pertinence_share"])) == (
        True,
        True,
        True,
    )
    assert row["reasons"] == (
        "PROMISING: successes 1 of 1 DONE, not transferable; held: success rate 1 >= "
        "0.5, satisfaction 4 >= 3.5; failed: done 1 < 2, pertinence share unknown "
        "(no category or no cluster initiatives)"
    )
    assert (
        "FR S9 is reported but is not an ingested service: no category, so no pertinence share"
        in res.warnings
    )


def test_every_practice_once_shortlisted_first_by_rank() -> None:
    res = run(
        [report_row("DE", owner="SI", sid="S1"), report_row("DE", owner="BE", sid="S3")],
        plan=[plan_row("SI", "FR", "S1")],
    )
    assert list(res.practices.columns) == list(PRACTICE_COLUMNS)
    assert list(zip(res.practices["practice_partner"], res.practices["practice_id"], strict=True)) == [
        ("BE", "S1"),
        ("DE", "S1"),
        ("BE", "S2"),
        ("BE", "S3"),
        ("FR", "S1"),
        ("SI", "S1"),
    ]
    assert res.practices["shortlisted"].tolist() == [True, True, True, False, False, False]
    assert res.practices["rank"].tolist()[:3] == [1, 2, 3]
    assert str(res.practices["rank"].dtype) == "Int64"
    for column in ("tests_planned", "tests_reported", "tests_done", "successes", *BARRIER_COLUMNS):
        assert res.practices[column].dtype == np.int64


# --- figures -------------------------------------------------------------------------------------------


def test_median_indicator_change_by_hand() -> None:
    """(15-10)/10 = 0.5; (-30-(-20))/20 = -0.5; (5-4)/4 = 0.25; (16-8)/8 = 1; baseline 0 and a lone
    baseline are left out: the median of (-0.5, 0.25, 0.5, 1) is 0.375."""
    rows = [
        report_row("DE", baseline=10.0, result=15.0),
        report_row("FR", baseline=-20.0, result=-30.0),
        report_row("SI", baseline=4.0, result=5.0, status="ONGOING"),
        report_row("SI", baseline=8.0, result=16.0),
        report_row("DE", baseline=0.0, result=5.0),
        report_row("FR", baseline=3.0),
    ]
    res = run(rows)
    row = practice(res)
    assert (row["indicator_change"], row["indicator_tests"]) == (0.375, 4)
    # results come by tester, then in report order: DE 0.5, DE (baseline 0), FR -0.5, FR (no result),
    # SI 0.25, SI 1.
    changes = res.results["relative_change"].to_numpy()
    np.testing.assert_array_equal(changes, [0.5, np.nan, -0.5, np.nan, 0.25, 1.0])
    odd = practice(run(rows[:3]))
    assert (odd["indicator_change"], odd["indicator_tests"]) == (0.25, 3)


def test_cost_per_sme_by_hand() -> None:
    """Tests giving both: 1000/10, 3000/0, 2000/30 -> 6000 / 40 = 150; a cost without SMEs and SMEs
    without a cost are left out."""
    rows = [
        report_row("DE", cost_eur=1000.0, smes_involved=10),
        report_row("FR", cost_eur=3000.0, smes_involved=0),
        report_row("SI", cost_eur=2000.0, smes_involved=30, status="ONGOING"),
        report_row("DE", cost_eur=500.0),
        report_row("FR", smes_involved=5),
    ]
    row = practice(run(rows))
    assert (row["cost_eur"], row["smes_involved"], row["cost_per_sme"]) == (6000.0, 40.0, 150.0)
    none = practice(run([report_row("DE", cost_eur=800.0, smes_involved=0)]))
    assert (none["cost_eur"], none["smes_involved"]) == (800.0, 0.0)
    assert math.isnan(none["cost_per_sme"])


def test_barrier_counts_and_their_canonical_text() -> None:
    rows = [
        report_row("DE", barriers="LEGAL;FUNDING"),
        report_row("FR", barriers="financement, Zeitplan"),
        report_row("SI", status="CANCELLED", lessons="no budget", barriers="funding; Funding"),
        report_row("SI", barriers=""),
    ]
    res = run(rows)
    row = practice(res)
    assert {c: row[c] for c in BARRIER_COLUMNS} == {
        "barrier_legal": 1,
        "barrier_funding": 3,
        "barrier_capacity": 0,
        "barrier_demand": 0,
        "barrier_culture": 0,
        "barrier_timing": 1,
        "barrier_other": 0,
    }
    assert res.results["barriers"].tolist() == ["LEGAL;FUNDING", "FUNDING;TIMING", "FUNDING", ""]


def test_results_one_row_per_test() -> None:
    res = run(
        [report_row("SI", adoption="NONE"), report_row("DE", owner="SI", sid="S1")],
        plan=[plan_row("SI", "BE", "S1")],
    )
    assert list(res.results.columns) == list(RESULT_COLUMNS)
    assert res.results[
        ["partner", "practice_partner", "practice_id", "title", "category", "planned", "success"]
    ].to_dict("records") == [
        {
            "partner": "DE",
            "practice_partner": "SI",
            "practice_id": "S1",
            "title": "Watch",
            "category": "NET",
            "planned": False,
            "success": True,
        },
        {
            "partner": "SI",
            "practice_partner": "BE",
            "practice_id": "S1",
            "title": "Matchmaking",
            "category": "NET",
            "planned": True,
            "success": False,
        },
    ]


def test_no_report_at_all() -> None:
    res = run([], plan=[plan_row("DE", "BE", "S1")])
    assert res.results.empty
    assert list(res.results.columns) == list(RESULT_COLUMNS)
    assert set(res.practices["verdict"]) == {"NOT_TESTED"}
    assert res.missing == ["DE has not reported its planned workshop test of BE S1 (Matchmaking)"]


def test_bad_input_is_a_p4c_error() -> None:
    with pytest.raises(
        P4CError,
        match=r"^the report of DE on BE S1 has status 'FINISHED'; accepted: "
        r"PLANNED, ONGOING, DONE, CANCELLED$",
    ):
        run([report_row("DE", status="FINISHED")])
    with pytest.raises(
        P4CError,
        match=r"^the report of FR on BE S1 has adoption 'adapted'; accepted: FULL, PARTIAL, INTEREST, "
        r"PRINCIPLES, NONE or blank$",
    ):
        run([report_row("DE"), report_row("FR", adoption="adapted")])
    with pytest.raises(P4CError, match=r"^the report of DE on BE S1: unknown barrier 'rain'"):
        run([report_row("DE", barriers="rain")])
    plan = pd.DataFrame(columns=["partner", "practice_partner", "service_id", "mode"])
    with pytest.raises(P4CError, match=r"^field-test reports lacks the column\(s\) lessons; expected"):
        evaluate(
            reports_frame([report_row("DE")]).drop(columns="lessons"),
            plan,
            SHORTLIST,
            SERVICES,
            PARTNERS,
            MAJORITY_NEEDS,
        )


def test_partners_without_cis() -> None:
    partners = PARTNERS.assign(cluster_initiatives=pd.array([10, None, 30, 40], dtype="Int64"))
    res = evaluate(
        reports_frame([report_row("FR")]),
        pd.DataFrame(columns=["partner", "practice_partner", "service_id", "mode"]),
        SHORTLIST,
        SERVICES,
        partners,
        MAJORITY_NEEDS,
    )
    # NET: BE 10 + FR 30 of 80 (DE counts 0, SI's need is 1).
    assert practice(res)["pertinence_share"] == 0.5
    assert res.warnings[0] == "partners without cluster_initiatives count 0 CIs in the pertinence share: DE"


# --- the reasons in French and German (p4c.messages, read back from evaluation.csv) ----------------

# English words of the reasons that neither French nor German uses.
ENGLISH_WORDS = (
    "held",
    "failed",
    "success",
    "every condition",
    "done ",
    "rate",
    "share",
    "majority",
    "unknown",
    "needs",
    "no DONE test",
    "not transferable",
    "fallback",
    "rating",
    " of ",
    "and no",
)


def assert_reasons_round_trip(texts: list[Any]) -> None:
    """Each verdict's reason, stored as English text and read back, reads as the message it was built
    from in every language; the French and German ones hold no English word of the templates."""
    assert texts and all(isinstance(text, Msg) for text in texts)
    stored = [str(text) for text in texts]  # what evaluation.csv holds
    for lang in LANGUAGES:
        assert localized_reasons(stored, lang) == [text.render(lang) for text in texts]
    for lang in ("fr", "de"):
        for text in localized_reasons(stored, lang):
            assert not [w for w in ENGLISH_WORDS if w in str(text)], text


def test_verdict_reasons_in_french_and_german_word_for_word() -> None:
    res = run([report_row("DE"), report_row("FR", satisfaction=3.0, adoption="NONE")], needs=HALF_NEEDS)
    stored = str(practice(res)["reasons"])
    assert stored == (
        "PROMISING: successes 1 of 2 DONE, not transferable; held: done 2 >= 2, success rate 0.5 >= 0.5, "
        "satisfaction 3.5 >= 3.5; failed: pertinence share 0.5 is not a majority (needs > 0.5)"
    )
    assert localized_reasons([stored], "fr") == [
        "PROMISING : succès 1 sur 2 DONE, non transférable ; conditions remplies : tests terminés 2 >= 2, "
        "taux de réussite 0,5 >= 0,5, satisfaction moyenne 3,5 >= 3,5 ; non remplies : part de "
        "pertinence 0,5 non majoritaire (il faut > 0,5)"
    ]
    assert localized_reasons([stored], "de") == [
        "PROMISING: Erfolge 1 von 2 DONE, nicht übertragbar; erfüllt: abgeschlossene Tests 2 >= 2, "
        "Erfolgsquote 0,5 >= 0,5, mittlere Zufriedenheit 3,5 >= 3,5; nicht erfüllt: Relevanzanteil "
        "0,5 ist keine Mehrheit (nötig: > 0,5)"
    ]


def test_each_kind_of_verdict_reason_reads_back_in_every_language() -> None:
    cases = [
        ([report_row("DE"), report_row("FR", satisfaction=3.0, adoption="NONE")], MAJORITY_NEEDS),
        (
            [report_row("DE", adoption="NONE"), report_row("FR", adoption="NONE", satisfaction=2.0)],
            HALF_NEEDS,
        ),
        ([report_row("DE", adoption="PRINCIPLES")], MAJORITY_NEEDS),  # the fallback
        ([report_row("DE", satisfaction=None)], MAJORITY_NEEDS),  # no rating
        ([report_row("DE", status="ONGOING")], MAJORITY_NEEDS),
        ([report_row("DE", "XX", "S9")], MAJORITY_NEEDS),  # no category: share unknown
    ]
    texts = [text for rows, needs in cases for text in run(rows, needs=needs).practices["reasons"]]
    leads = {text.params["lead"].template for text in texts}
    conditions = {
        c.template
        for text in texts
        for name in ("held", "failed")
        if name in text.params
        for c in _items(text.params[name])
    }
    assert {text.template for text in texts} == {REASON_BOTH, REASON_HELD, REASON_FAILED}
    assert leads == set(LEAD_TEMPLATES)
    assert conditions == set(CONDITION_TEMPLATES)
    assert_reasons_round_trip(texts)


def _items(listing: Any) -> list[Any]:
    """The items of a `commas` list."""
    if isinstance(listing, Msg) and listing.template == COMMAS:
        return [*_items(listing.params["head"]), listing.params["tail"]]
    return [listing]


def test_a_verdict_reason_no_template_knows_is_shown_as_it_is() -> None:
    texts = ["done 2; success rate checked", "TRANSFERABLE: the coordinator says so; held: all", ""]
    for lang in LANGUAGES:
        assert localized_reasons(texts, lang) == texts


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(TESTERS),
            st.sampled_from(["DONE", "ONGOING", "CANCELLED", "PLANNED"]),
            st.sampled_from(["FULL", "PARTIAL", "INTEREST", "PRINCIPLES", "NONE"]),
            st.sampled_from([None, 1.0, 2.5, 3.0, 3.5, 4.0, 5.0]),
            st.sampled_from([("BE", "S1"), ("BE", "S2"), ("FR", "S1"), ("XX", "S1")]),
        ),
        min_size=1,
        max_size=8,
    ),
    st.sampled_from([MAJORITY_NEEDS, HALF_NEEDS]),
    st.fixed_dictionaries(
        {
            "min_done": st.integers(1, 3),
            "min_success_rate": st.sampled_from([0.5, 2 / 3, 0.125]),
            "min_satisfaction": st.sampled_from([3.5, 3.25, 4.0]),
            "majority": st.sampled_from([0.5, 0.55, 0.3333333333]),
        }
    ),
)
def test_every_verdict_reason_of_the_real_evaluation_reads_back_in_every_language(
    tests: list[tuple[str, str, str, float | None, tuple[str, str]]],
    needs: pd.DataFrame,
    options: dict[str, Any],
) -> None:
    rows = [
        report_row(
            tester,
            owner,
            sid,
            status=status,
            adoption=adoption if status == "DONE" else None,
            satisfaction=rating if status == "DONE" else None,
        )
        for tester, status, adoption, rating, (owner, sid) in tests
    ]
    result = run(rows, needs=needs, settings_=EvaluationSettings(**options))
    assert_reasons_round_trip(result.practices["reasons"].tolist())
