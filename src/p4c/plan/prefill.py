"""Which practices a partner's plan starts from, and the plan built from the evaluation alone.

The pre-fill rule (field-tests spec, "Which practices are pre-filled"): first the practices the
partner tested with success, then the TRANSFERABLE and PROMISING practices in categories where its
need is >= 4. Never the partner's own practices, never the same practice twice.

Deterministic order:
1. tested with success, by (practice_partner, practice_id);
2. then by verdict (TRANSFERABLE before PROMISING), need for the category (highest first), and
   (practice_partner, practice_id).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from typing import Any, cast

import pandas as pd

from p4c.errors import P4CError
from p4c.evaluation.models import Adoption, TestStatus, Verdict
from p4c.models import Language
from p4c.plan.model import Action, ActionStatus, FieldTestResults, PlanDocument
from p4c.values import finite_number

MIN_NEED = 4  # need (1-5) from which a category's good practices are recommended
EVALUATION_COLUMNS = ("practice_partner", "practice_id", "title", "category", "verdict", "evidence")
RESULTS_COLUMNS = ("partner", "practice_partner", "practice_id", "status", "adoption", "success")
PREFILL_COLUMNS = (*EVALUATION_COLUMNS, "basis", "need")
# `basis` says why a practice is in the plan.
BASIS_TESTED = "TESTED"
BASIS_NEED = "NEED"
_RECOMMENDED = (Verdict.TRANSFERABLE, Verdict.PROMISING)
_TRUE = frozenset({"true", "1", "yes", "y"})
_FALSE = frozenset({"false", "0", "no", "n", ""})


# The evaluation by (practice_partner, practice_id): title, category, verdict and evidence. Built
# once for all partners' plans (`practices`); each function below takes it or the evaluation table.
Practices = Mapping[tuple[str, str], Mapping[str, Any]]


def prefill_actions(
    partner: str,
    evaluation: pd.DataFrame | Practices,
    results: pd.DataFrame,
    needs: Mapping[str, float],
    default_need: float,
) -> pd.DataFrame:
    """The practices a partner's plan is pre-filled with, in the documented order.

    Returns one row per practice with PREFILL_COLUMNS: the evaluation's `title`, `category`,
    `verdict` and `evidence` (missing for a tested practice the evaluation does not list), `basis`
    (TESTED or NEED) and `need` (the partner's need for the category, `default_need` when not given).
    """
    code = partner.strip().upper()
    known = _known(evaluation)
    _require(results, RESULTS_COLUMNS, "the field-test results")

    rows: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()

    tested: set[tuple[str, str]] = set()
    for host, owner, pid, success in zip(
        results["partner"],
        results["practice_partner"],
        results["practice_id"],
        results["success"],
        strict=True,
    ):
        if _text(host).upper() == code and _flag(success):
            key = (_text(owner).upper(), _text(pid))
            if key[0] != code:
                tested.add(key)
    for key in sorted(tested):
        info = known.get(key)
        category = None if info is None else info["category"]
        rows.append(_row(key, info, BASIS_TESTED, _need(needs, category, default_need)))
        seen.add(key)

    candidates: list[tuple[int, float, tuple[str, str]]] = []
    for key, info in known.items():  # every ingested service: most have no verdict, tested first
        verdict = info["verdict"]
        if verdict is None or verdict not in _RECOMMENDED or key[0] == code or key in seen:
            continue
        need = _need(needs, info["category"], default_need)
        if need >= MIN_NEED:
            candidates.append((_RECOMMENDED.index(info["verdict"]), -need, key))
    for _, negative_need, key in sorted(candidates):
        rows.append(_row(key, known[key], BASIS_NEED, -negative_need))

    if not rows:
        return _empty()
    return pd.DataFrame({c: [r[c] for r in rows] for c in PREFILL_COLUMNS}).astype({"need": "float64"})


def _empty() -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype=object) for c in PREFILL_COLUMNS})
    return frame.astype({"need": "float64"})


def _row(key: tuple[str, str], info: Mapping[str, Any] | None, basis: str, need: float) -> dict[str, Any]:
    info = info or {}
    verdict = info.get("verdict")
    return {
        "practice_partner": key[0],
        "practice_id": key[1],
        "title": info.get("title"),
        "category": info.get("category"),
        "verdict": None if verdict is None else str(verdict),
        "evidence": info.get("evidence"),
        "basis": basis,
        "need": float(need),
    }


def _require(frame: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    lacking = [c for c in columns if c not in frame.columns]
    if lacking:
        raise P4CError(
            f"{what} lacks the column(s) {', '.join(lacking)}; expected {', '.join(columns)}",
            hint="It was written by another version of p4c; run `p4c evaluate` again.",
        )


def _known(evaluation: pd.DataFrame | Practices) -> Practices:
    return evaluation if isinstance(evaluation, Mapping) else practices(evaluation)


def practices(evaluation: pd.DataFrame) -> dict[tuple[str, str], dict[str, Any]]:
    """The evaluation by (practice_partner, practice_id), with verdicts checked (column-wise: the
    evaluation lists every ingested service)."""
    _require(evaluation, EVALUATION_COLUMNS, "the evaluation")
    frame = evaluation.loc[:, list(EVALUATION_COLUMNS)]
    owners = _texts(frame["practice_partner"]).str.upper()
    ids = _texts(frame["practice_id"])
    raw = _texts(frame["verdict"]).str.upper()
    repeated = pd.DataFrame({"o": owners, "i": ids}).duplicated().to_numpy()
    unknown = ((raw != "") & ~raw.isin(list(Verdict.__members__))).to_numpy()
    first_repeat = int(repeated.argmax()) if repeated.any() else len(frame)
    first_unknown = int(unknown.argmax()) if unknown.any() else len(frame)
    if first_repeat < len(frame) and first_repeat <= first_unknown:  # the row order decides
        raise P4CError(
            f"the evaluation lists the practice {owners.iat[first_repeat]} {ids.iat[first_repeat]} "
            f"twice (row {first_repeat + 1})",
            hint="Run `p4c evaluate` again to rewrite it.",
        )
    if first_unknown < len(frame):
        raise P4CError(
            f"the evaluation's verdict `{raw.iat[first_unknown]}` for {owners.iat[first_unknown]} "
            f"{ids.iat[first_unknown]} is unknown; accepted: {', '.join(Verdict)}"
        )
    verdicts = raw.map(lambda word: Verdict(word) if word else None)
    return {
        (owner, pid): {
            "title": title or None,
            "category": category or None,
            "verdict": verdict,
            "evidence": evidence or None,
        }
        for owner, pid, title, category, verdict, evidence in zip(
            owners,
            ids,
            _texts(frame["title"]),
            _texts(frame["category"]),
            verdicts,
            _texts(frame["evidence"]),
            strict=True,
        )
    }


def _texts(column: pd.Series) -> pd.Series:
    """`_text` of every value of a column (blank for a missing value), as an object column."""
    values = column.astype(object)
    return values.where(values.notna(), "").map(str).str.strip().astype(object)


def _need(needs: Mapping[str, float], category: str | None, default_need: float) -> float:
    if category is None:
        return float(default_need)
    value = needs.get(category)
    return float(default_need) if value is None or not _finite(value) else float(value)


def _finite(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return ""
    return str(value).strip()


def _opt(value: object) -> str | None:
    return _text(value) or None


def _flag(value: object) -> bool:
    """A success flag as CSV or parquet gives it: True/False, 1/0 or their text."""
    if isinstance(value, bool):
        return value
    if value is None or value is pd.NA:
        return False
    if isinstance(value, int | float):
        return not math.isnan(value) and value != 0
    word = str(value).strip().lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise P4CError(f"the field-test results' success `{value}` is not true or false")


# --- plans -----------------------------------------------------------------------------------------


def summarise_tests(
    partner: str, practice_partner: str, practice_id: str, results: pd.DataFrame
) -> FieldTestResults | None:
    """What the field tests of one practice showed (None when nobody tested it).

    Status and adoption are the plan partner's own test's; satisfaction is the mean over DONE tests
    (optional column `satisfaction`); the indicator change is the median of
    (result - baseline) / |baseline| over tests with both values and a non-zero baseline
    (optional columns `baseline`, `result`).
    """
    _require(results, RESULTS_COLUMNS, "the field-test results")
    tests = _tests_by_practice(results).get((practice_partner.strip().upper(), practice_id.strip()), [])
    return _summary(partner.strip().upper(), tests)


def _tests_by_practice(results: pd.DataFrame) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """The result rows as plain records, grouped by practice (one pass, no pandas per action)."""
    wanted = [c for c in (*RESULTS_COLUMNS, "satisfaction", "baseline", "result") if c in results.columns]
    grouped: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for record in results.loc[:, wanted].to_dict("records"):
        key = (_text(record["practice_partner"]).upper(), _text(record["practice_id"]))
        grouped.setdefault(key, []).append(cast(dict[str, Any], record))
    return grouped


def _summary(code: str, tests: list[dict[str, Any]]) -> FieldTestResults | None:
    if not tests:
        return None
    statuses = [_text(t["status"]).upper() for t in tests]
    done = [s == TestStatus.DONE for s in statuses]
    own = [_text(t["partner"]).upper() == code for t in tests]
    status: TestStatus | None = None
    adoption: Adoption | None = None
    if any(own):
        first = own.index(True)
        if statuses[first] in TestStatus.__members__:
            status = TestStatus(statuses[first])
        word = _text(tests[first]["adoption"]).upper()
        adoption = Adoption(word) if word in Adoption.__members__ else None
    done_scores = (finite_number(t.get("satisfaction")) for t, d in zip(tests, done, strict=True) if d)
    scores = [n for n in done_scores if n is not None]
    changes = sorted(
        (r - b) / abs(b)
        for b, r in ((finite_number(t.get("baseline")), finite_number(t.get("result"))) for t in tests)
        if b is not None and r is not None and b != 0
    )
    change = None
    if changes:
        middle = len(changes) // 2
        change = changes[middle] if len(changes) % 2 else (changes[middle - 1] + changes[middle]) / 2
    return FieldTestResults(
        status=status,
        adoption=adoption,
        satisfaction=sum(scores) / len(scores) if scores else None,
        indicator_change=change,
        done=sum(done),
        successes=sum(d and _flag(t["success"]) for d, t in zip(done, tests, strict=True)),
    )


def build_actions(
    partner: str, rows: pd.DataFrame, evaluation: pd.DataFrame | Practices, results: pd.DataFrame
) -> tuple[Action, ...]:
    """Plan actions from Actions-sheet rows (canonical columns, typed values), with each practice's
    title, evidence, verdict and test results looked up in the evaluation and the results.

    `rows` may lack any action column but `practice_partner` and `practice_id`; blank cells are None.
    """
    known = _known(evaluation)
    _require(results, RESULTS_COLUMNS, "the field-test results")
    tests = _tests_by_practice(results)
    code = partner.strip().upper()
    actions = []
    for record in rows.to_dict("records"):
        owner, pid = _text(record.get("practice_partner")).upper(), _text(record.get("practice_id"))
        info = known.get((owner, pid), {})
        status = _text(record.get("status")).upper() or ActionStatus.PLANNED
        actions.append(
            Action(
                practice_partner=owner or None,
                practice_id=pid or None,
                practice_title=info.get("title"),
                practice_evidence=info.get("evidence"),
                results=_summary(code, tests.get((owner, pid), [])) if owner and pid else None,
                verdict=info.get("verdict"),
                title=_opt(record.get("action")),
                description=_opt(record.get("description")),
                players=_opt(record.get("players")),
                start_date=_date(record.get("start_date")),
                end_date=_date(record.get("end_date")),
                cost_eur=finite_number(record.get("cost_eur")),
                funding_source=_opt(record.get("funding_source")),
                indicator=_opt(record.get("indicator")),
                target=_opt(record.get("target")),
                status=ActionStatus(status),
                reason=_opt(record.get("reason")),
            )
        )
    return tuple(actions)


def _date(value: object) -> dt.date | None:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.date()
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    raise P4CError(f"expected a date, found `{value}`")


def draft_plan(
    partner: str,
    prefill: pd.DataFrame,
    evaluation: pd.DataFrame | Practices,
    results: pd.DataFrame,
    needs: Mapping[str, float],
    *,
    generated: dt.date,
    lang: Language = "en",
    organisation: str | None = None,
    region: str | None = None,
    cluster_initiatives: int | None = None,
    contact: str | None = None,
    category_labels: Mapping[str, str] | None = None,
) -> PlanDocument:
    """The DRAFT plan of a partner without a plan workbook: the pre-filled practices as actions
    (titled after the practice), everything the partner has to decide left unset. `prefill`: the
    practices `prefill_actions` gives the partner (from the same evaluation, results and needs)."""
    evaluation = _known(evaluation)
    rows = prefill.rename(columns={"title": "action"}).loc[:, ["practice_partner", "practice_id", "action"]]
    return PlanDocument(
        partner=partner.strip().upper(),
        organisation=organisation,
        region=region,
        cluster_initiatives=cluster_initiatives,
        contact=contact,
        language=lang,
        draft=True,
        needs={k: float(v) for k, v in needs.items()},
        category_labels=dict(category_labels or {}),
        actions=build_actions(partner, rows, evaluation, results),
        generated=generated,
    )
