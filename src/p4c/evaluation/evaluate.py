"""`p4c evaluate`: per-practice field-test figures, transferability verdicts and their reasons.

Pure: DataFrames in, DataFrames out (spec field-tests.md, "Evaluation"). Every figure is one
vectorised groupby over the test rows, so 30,000 reports take a fraction of a second; only the
reasons text is built row by row, once per practice.

Choices the spec leaves open, made here and written into the reasons where they matter:
- A practice is evaluated when it is shortlisted, planned or reported (a planned practice that a
  re-ranking dropped from the shortlist is still evaluated, with a warning).
- Whether a test is planned is decided by the `plan` given, not by a column of the reports, so a
  re-planned partnership is evaluated against its current plan.
- The indicator change is the median of (result - baseline) / |baseline| over every reported test
  with both values and a non-zero baseline (the spec limits satisfaction, not this, to DONE tests).
- Cost per SME is sum(cost_eur) / sum(smes_involved) over the reported tests that give both (a
  ratio of sums: a test with 0 SMEs adds its cost without dividing by zero); NaN when no SME.
- Barrier counts: the tests (any status) that name the barrier.
- Pertinence share: every partner in `partners` counts, the practice's own included; a partner's
  need for a category is its highest Needs importance there, else `default_need`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from p4c.errors import P4CError
from p4c.evaluation.models import Adoption, Barrier, TestStatus, Verdict, field_test_columns, parse_barriers
from p4c.evaluation.settings import EvaluationSettings
from p4c.messages import Msg, Numeral, commas, localized, msg, reparse, unjoin
from p4c.shortlist import shown
from p4c.store import SHORTLIST_FILE
from p4c.values import TOLERANCE

KEYS = ["practice_partner", "practice_id"]
TEST_KEYS = ["partner", *KEYS]
REPORT_COLUMNS = ("partner", *field_test_columns())
PLAN_COLUMNS = ("partner", "practice_partner", "service_id", "title", "mode", "need", "match")
BARRIER_COLUMNS = tuple(f"barrier_{b.value.lower()}" for b in Barrier)
# One row per reported test: the report's columns, what the tested practice is, and the figures
# derived from the test.
RESULT_COLUMNS = (
    "partner",
    *field_test_columns(
        {
            "practice_id": ("title", "category", "planned"),
            "result": ("relative_change",),
            "adoption": ("success",),
        }
    ),
)
COUNT_COLUMNS = (
    "tests_planned",
    "tests_reported",
    "tests_unplanned",
    "tests_planned_not_reported",
    "tests_not_started",
    "tests_ongoing",
    "tests_done",
    "tests_cancelled",
    "successes",
)
# The counts summed over a practice's reported tests (the others come from the plan).
_SUMMED = (
    *(c for c in COUNT_COLUMNS if c not in ("tests_planned", "tests_planned_not_reported")),
    *BARRIER_COLUMNS,
)
PRACTICE_COLUMNS = (
    "practice_partner",
    "practice_id",
    "title",
    "category",
    "shortlisted",
    "rank",
    *COUNT_COLUMNS,
    "success_rate",
    "satisfaction",
    "indicator_tests",
    "indicator_change",
    "cost_eur",
    "smes_involved",
    "cost_per_sme",
    *BARRIER_COLUMNS,
    "pertinence_share",
    "verdict",
    "reasons",
)


# The reasons of the verdicts, as message templates (p4c.messages): written in English into
# evaluation.csv, read back by `localized_reasons` to show them in a report's language.
REASON_BOTH = "{lead}; held: {held}; failed: {failed}"  # held, failed: the conditions, ", "-joined
REASON_HELD = "{lead}; held: {held}"
REASON_FAILED = "{lead}; failed: {failed}"
LEAD_TRANSFERABLE = "TRANSFERABLE: every condition held"
LEAD_FALLBACK = (
    "PROMISING: {done} DONE of the {minimum} tests needed, none a success yet "
    "(no row of the verdict table matches: fallback)"
)
LEAD_PROMISING = "PROMISING: successes {wins} of {done} DONE, not transferable"
LEAD_NOT_TRANSFERABLE = "NOT_TRANSFERABLE: {done} DONE (>= {minimum}) and no success"
LEAD_NOT_TESTED = "NOT_TESTED: no DONE test"
LEAD_TEMPLATES = (LEAD_TRANSFERABLE, LEAD_FALLBACK, LEAD_PROMISING, LEAD_NOT_TRANSFERABLE, LEAD_NOT_TESTED)
DONE_HELD = "done {done} >= {minimum}"
DONE_FAILED = "done {done} < {minimum}"
RATE_NONE = "success rate: no DONE test"
RATE_HELD = "success rate {rate} >= {minimum}"
RATE_FAILED = "success rate {rate} < {minimum}"
SATISFACTION_UNRATED = "satisfaction: no DONE test with a rating"
SATISFACTION_NONE = "satisfaction: no DONE test"
SATISFACTION_HELD = "satisfaction {value} >= {minimum}"
SATISFACTION_FAILED = "satisfaction {value} < {minimum}"
SHARE_UNKNOWN = "pertinence share unknown (no category or no cluster initiatives)"
SHARE_HELD = "pertinence share {share} is a majority (> {majority})"
SHARE_FAILED = "pertinence share {share} is not a majority (needs > {majority})"
CONDITION_TEMPLATES = (
    DONE_HELD,
    DONE_FAILED,
    RATE_NONE,
    RATE_HELD,
    RATE_FAILED,
    SATISFACTION_UNRATED,
    SATISFACTION_NONE,
    SATISFACTION_HELD,
    SATISFACTION_FAILED,
    SHARE_UNKNOWN,
    SHARE_HELD,
    SHARE_FAILED,
)


@dataclass(frozen=True)
class EvaluationResult:
    practices: pd.DataFrame  # PRACTICE_COLUMNS: shortlisted by rank, then the others by key
    results: pd.DataFrame  # RESULT_COLUMNS: one row per reported test
    missing: list[str] = field(default_factory=list)  # planned tests not reported, in words
    warnings: list[str] = field(default_factory=list)  # evaluated anyway, but worth a look


def evaluate(  # noqa: PLR0917 - the positional API of the brief, like shortlist.shortlist
    reports: pd.DataFrame,
    plan: pd.DataFrame,
    shortlist: pd.DataFrame,
    services: pd.DataFrame,
    partners: pd.DataFrame,
    needs: pd.DataFrame,
    settings: EvaluationSettings | None = None,
) -> EvaluationResult:
    """Figures, verdict and reasons for every shortlisted, planned or reported practice."""
    settings = settings or EvaluationSettings()
    _require(reports, REPORT_COLUMNS, "field-test reports")
    _require(plan, ("partner", "practice_partner", "service_id", "mode"), "field_tests.csv (the plan)")
    _require(shortlist, ("partner", "service_id", "rank"), SHORTLIST_FILE)
    _require(services, ("partner", "service_id", "title", "category"), "services")
    _require(partners, ("partner", "cluster_initiatives"), "partners")
    _require(needs, ("partner", "category", "importance"), "needs")
    warnings: list[str] = []

    tests = _tests(reports, plan, settings)
    planned = _as_keys(plan, "service_id")[[*TEST_KEYS, "mode"]].drop_duplicates(TEST_KEYS)
    chosen = _as_keys(shortlist, "service_id")[["practice_partner", "practice_id", "rank"]].drop_duplicates(
        KEYS
    )
    catalog = _catalog(services, shortlist, plan)

    universe = (
        pd.concat([chosen[KEYS], planned[KEYS], tests[KEYS]], ignore_index=True)
        .drop_duplicates()
        .reset_index(drop=True)
    )
    index = pd.MultiIndex.from_frame(universe)
    out = universe.copy()
    out = out.join(catalog.reindex(index).reset_index(drop=True))
    out["shortlisted"] = index.isin(pd.MultiIndex.from_frame(chosen[KEYS]))
    out["rank"] = chosen.set_index(KEYS)["rank"].astype("Int64").reindex(index).array

    reported_keys = pd.MultiIndex.from_frame(tests[TEST_KEYS])
    not_reported = planned[~pd.MultiIndex.from_frame(planned[TEST_KEYS]).isin(reported_keys)]
    out["tests_planned"] = _count(planned, index)
    out["tests_planned_not_reported"] = _count(not_reported, index)
    figures = _figures(tests).reindex(index)
    for column in (*_SUMMED, "indicator_tests"):
        out[column] = figures[column].fillna(0).astype("int64").to_numpy()
    done = out["tests_done"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        out["success_rate"] = np.where(done > 0, out["successes"] / np.maximum(done, 1), np.nan)
        smes = figures["smes_involved"].to_numpy(dtype=float)
        cost = figures["cost_eur"].to_numpy(dtype=float)
        out["cost_per_sme"] = np.where(smes > 0, cost / np.where(smes > 0, smes, 1), np.nan)
    for column in ("satisfaction", "indicator_change", "cost_eur", "smes_involved"):
        out[column] = figures[column].to_numpy(dtype=float)
    shares, default_share, share_notes = _pertinence(partners, needs, settings)
    warnings.extend(share_notes)
    share = out["category"].map(shares).astype(float)
    out["pertinence_share"] = share.where(share.notna() | out["category"].isna(), default_share)
    verdicts, reasons = _verdicts(out, settings)
    out["verdict"] = verdicts
    out["reasons"] = pd.Series(reasons, index=out.index, dtype=object)  # keeps the messages

    order = out.sort_values(
        ["shortlisted", "rank", "practice_partner", "practice_id"],
        ascending=[False, True, True, True],
        na_position="last",
        kind="stable",
    )
    practices = order[list(PRACTICE_COLUMNS)].reset_index(drop=True)

    results = tests.join(catalog.reindex(pd.MultiIndex.from_frame(tests[KEYS])).reset_index(drop=True))
    results = results.sort_values(TEST_KEYS, kind="stable")[list(RESULT_COLUMNS)].reset_index(drop=True)

    missing = _missing(not_reported, catalog)
    warnings.extend(_warnings(planned, chosen, tests, out))
    return EvaluationResult(practices, results, missing, warnings)


# --- inputs -----------------------------------------------------------------------------------------


def _require(frame: pd.DataFrame, columns: tuple[str, ...], what: str) -> None:
    lacking = [c for c in columns if c not in frame.columns]
    if lacking:
        raise P4CError(
            f"{what} lacks the column(s) {', '.join(lacking)}; expected the columns {', '.join(columns)}"
        )


def _as_keys(frame: pd.DataFrame, id_column: str) -> pd.DataFrame:
    """`frame` with its practice as text `practice_partner, practice_id` (plan and shortlist name
    them `practice_partner, service_id` and `partner, service_id`)."""
    out = frame.copy()
    if "practice_partner" not in out.columns:
        out = out.rename(columns={"partner": "practice_partner"})
    out = out.rename(columns={id_column: "practice_id"})
    for column in ("partner", "practice_partner", "practice_id"):
        if column in out.columns:
            out[column] = out[column].astype(str)
    return out


def _catalog(services: pd.DataFrame, shortlist: pd.DataFrame, plan: pd.DataFrame) -> pd.DataFrame:
    """title and category by practice key: the store first, then the shortlist, then the plan."""
    parts = [_as_keys(frame, "service_id") for frame in (services, shortlist, plan)]
    stacked = pd.concat([p.reindex(columns=[*KEYS, "title", "category"]) for p in parts], ignore_index=True)
    # The first non-blank value of each column, source by source.
    return stacked.groupby(KEYS, sort=False)[["title", "category"]].first()


def _tests(reports: pd.DataFrame, plan: pd.DataFrame, settings: EvaluationSettings) -> pd.DataFrame:
    """The reports with text keys, `planned`, `relative_change`, `success` and the barrier flags."""
    tests = reports.reset_index(drop=True).copy()
    for column in TEST_KEYS:
        tests[column] = tests[column].astype(str)
    status = tests["status"].astype("string")
    adoption = tests["adoption"].astype("string")
    for column, values, accepted, blank_ok in (
        ("status", status, [s.value for s in TestStatus], False),
        ("adoption", adoption, [a.value for a in Adoption], True),
    ):
        bad = ~values.isin(accepted).fillna(False).to_numpy(dtype=bool)
        if blank_ok:
            bad &= values.notna().to_numpy(dtype=bool)
        if bad.any():
            row = tests[bad].iloc[0]
            raise P4CError(
                f"the report of {row['partner']} on {row['practice_partner']} {row['practice_id']} has "
                f"{column} {row[column]!r}; accepted: "
                + ", ".join(accepted)
                + (" or blank" if blank_ok else "")
            )
    plan_keys = pd.MultiIndex.from_frame(_as_keys(plan, "service_id")[TEST_KEYS])
    tests["planned"] = pd.MultiIndex.from_frame(tests[TEST_KEYS]).isin(plan_keys)
    baseline = pd.to_numeric(tests["baseline"], errors="coerce").astype(float).to_numpy()
    result = pd.to_numeric(tests["result"], errors="coerce").astype(float).to_numpy()
    usable = ~np.isnan(baseline) & ~np.isnan(result) & (baseline != 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        tests["relative_change"] = np.where(usable, (result - baseline) / np.abs(baseline), np.nan)
    done = (status == TestStatus.DONE).fillna(False).to_numpy(dtype=bool)
    adopted = adoption.isin([a.value for a in settings.success_adoptions])
    tests["success"] = done & adopted.fillna(False).to_numpy(dtype=bool)
    codes, uniques = pd.factorize(tests["barriers"].astype("string").fillna(""), use_na_sentinel=False)
    flags = np.zeros((len(uniques), len(Barrier)), dtype=bool)
    members = list(Barrier)
    for u, text in enumerate(uniques):
        try:
            found = parse_barriers(str(text))
        except ValueError as exc:
            row = tests[codes == u].iloc[0]
            raise P4CError(
                f"the report of {row['partner']} on {row['practice_partner']} {row['practice_id']}: {exc}"
            ) from None
        flags[u, [members.index(b) for b in found]] = True
    canonical = np.array(
        [";".join(b.value for b, on in zip(members, row, strict=True) if on) for row in flags] or [""],
        dtype=object,
    )
    tests["barriers"] = canonical[codes]  # codes joined by ";" in the contract's order
    for j, column in enumerate(BARRIER_COLUMNS):
        tests[column] = flags[codes, j] if len(uniques) else np.zeros(0, dtype=bool)
    return tests


def _figures(tests: pd.DataFrame) -> pd.DataFrame:
    """One row per reported practice (index KEYS): every figure that is a sum, mean or median."""
    status = tests["status"].astype(str)
    done = (status == TestStatus.DONE).to_numpy()
    cost = pd.to_numeric(tests["cost_eur"], errors="coerce").astype(float)
    smes = pd.to_numeric(tests["smes_involved"], errors="coerce").astype(float)
    pair = cost.notna() & smes.notna()
    frame = pd.DataFrame(
        {
            "practice_partner": tests["practice_partner"],
            "practice_id": tests["practice_id"],
            "tests_reported": 1,
            "tests_unplanned": ~tests["planned"].astype(bool),
            "tests_not_started": status == TestStatus.PLANNED,
            "tests_ongoing": status == TestStatus.ONGOING,
            "tests_done": done,
            "tests_cancelled": status == TestStatus.CANCELLED,
            "successes": tests["success"],
            "satisfaction": pd.to_numeric(tests["satisfaction"], errors="coerce").astype(float).where(done),
            "indicator_change": tests["relative_change"],
            "cost_eur": cost.where(pair),
            "smes_involved": smes.where(pair),
            **{c: tests[c] for c in BARRIER_COLUMNS},
        }
    )
    grouped = frame.groupby(KEYS, sort=False)
    out = grouped[list(_SUMMED)].sum()
    out["satisfaction"] = grouped["satisfaction"].mean()
    out["indicator_change"] = grouped["indicator_change"].median()
    out["indicator_tests"] = grouped["indicator_change"].count()
    out["cost_eur"] = grouped["cost_eur"].sum(min_count=1)
    out["smes_involved"] = grouped["smes_involved"].sum(min_count=1)
    return out


def _count(frame: pd.DataFrame, index: pd.MultiIndex) -> np.ndarray:
    return frame.groupby(KEYS).size().reindex(index, fill_value=0).to_numpy(dtype="int64")


# --- pertinence ---------------------------------------------------------------------------------------


def _pertinence(
    partners: pd.DataFrame, needs: pd.DataFrame, settings: EvaluationSettings
) -> tuple[dict[str, float], float, list[str]]:
    """Pertinence share by category code; the share of a category no partner gave a need for
    (every partner then has the default need); notes on what could not count."""
    notes: list[str] = []
    table = partners.assign(partner=partners["partner"].astype(str)).drop_duplicates("partner")
    cis = pd.Series(
        pd.to_numeric(table["cluster_initiatives"], errors="coerce").astype(float).to_numpy(),
        index=pd.Index(table["partner"]),
    )
    lacking = sorted(cis.index[cis.isna()])
    if lacking:
        notes.append(
            f"partners without cluster_initiatives count 0 CIs in the pertinence share: {', '.join(lacking)}"
        )
    cis = cis.fillna(0.0)
    total = float(cis.sum())
    default_pertinent = settings.default_need >= settings.need_threshold - TOLERANCE
    if total <= 0:
        notes.append("no partner has cluster initiatives: the pertinence share cannot be computed")
        return {}, np.nan, notes
    frame = needs.assign(partner=needs["partner"].astype(str), category=needs["category"].astype(str))
    need = (
        frame.groupby(["partner", "category"])["importance"]
        .max()
        .unstack("category")
        .reindex(index=cis.index)
        .astype(float)
        .fillna(settings.default_need)
    )
    pertinent = need >= settings.need_threshold - TOLERANCE
    shares = pertinent.astype(float).mul(cis, axis=0).sum() / total
    return {str(k): float(v) for k, v in shares.items()}, 1.0 if default_pertinent else 0.0, notes


# --- verdicts ---------------------------------------------------------------------------------------


class _Figures(NamedTuple):
    """One practice's figures the verdict is decided on."""

    done: int
    wins: int
    rate: float
    sat: float
    share: float


def _conditions(done: Any, rate: Any, sat: Any, share: Any, s: EvaluationSettings) -> tuple[Any, ...]:
    """The four TRANSFERABLE conditions, held or not: DONE tests, success rate, satisfaction,
    pertinence share; of one practice (numbers) or of all (arrays). A NaN figure fails its condition."""
    with np.errstate(invalid="ignore"):
        return (
            done >= s.min_done,
            rate >= s.min_success_rate - TOLERANCE,
            sat >= s.min_satisfaction - TOLERANCE,
            share > s.majority + TOLERANCE,
        )


def _verdicts(out: pd.DataFrame, settings: EvaluationSettings) -> tuple[np.ndarray, list[Msg]]:
    """The spec's verdict table, first matching row wins, then its fallback; and the reasons."""
    done = out["tests_done"].to_numpy(dtype="int64")
    wins = out["successes"].to_numpy(dtype="int64")
    rate = out["success_rate"].to_numpy(dtype=float)
    sat = out["satisfaction"].to_numpy(dtype=float)
    share = out["pertinence_share"].to_numpy(dtype=float)
    held = _conditions(done, rate, sat, share, settings)
    transferable = np.logical_and.reduce(held)
    verdict = np.select(
        [transferable, wins >= 1, held[0] & (wins == 0), done == 0],
        [
            Verdict.TRANSFERABLE.value,
            Verdict.PROMISING.value,
            Verdict.NOT_TRANSFERABLE.value,
            Verdict.NOT_TESTED.value,
        ],
        default="",
    )
    fallback = verdict == ""
    verdict[fallback] = np.where(done[fallback] >= 1, Verdict.PROMISING.value, Verdict.NOT_TESTED.value)
    rows = (
        _Figures(int(d), int(w), float(r), float(m), float(p))
        for d, w, r, m, p in zip(done, wins, rate, sat, share, strict=True)
    )
    reasons = [
        _reason(str(v), bool(fb), figures, settings)
        for v, fb, figures in zip(verdict, fallback, rows, strict=True)
    ]
    return verdict.astype(object), reasons


def _reason(verdict: str, fallback: bool, figures: _Figures, s: EvaluationSettings) -> Msg:
    """`VERDICT: why; held: ...; failed: ...` over the four TRANSFERABLE conditions."""
    done, wins, rate, sat, share = figures
    min_done = Numeral(s.min_done)
    conditions = zip(
        _conditions(done, rate, sat, share, s),
        (
            msg(DONE_HELD, done=Numeral(done), minimum=min_done),
            msg(RATE_HELD, rate=shown(rate), minimum=shown(s.min_success_rate)),
            msg(SATISFACTION_HELD, value=shown(sat), minimum=shown(s.min_satisfaction)),
            msg(SHARE_HELD, share=shown(share, s.majority), majority=shown(s.majority)),
        ),
        (
            msg(DONE_FAILED, done=Numeral(done), minimum=min_done),
            msg(RATE_NONE)
            if np.isnan(rate)
            else msg(RATE_FAILED, rate=shown(rate, s.min_success_rate), minimum=shown(s.min_success_rate)),
            (msg(SATISFACTION_UNRATED) if done else msg(SATISFACTION_NONE))
            if np.isnan(sat)
            else msg(
                SATISFACTION_FAILED, value=shown(sat, s.min_satisfaction), minimum=shown(s.min_satisfaction)
            ),
            msg(SHARE_UNKNOWN)
            if np.isnan(share)
            else msg(SHARE_FAILED, share=shown(share, s.majority), majority=shown(s.majority)),
        ),
        strict=True,
    )
    held: list[Msg] = []
    failed: list[Msg] = []
    for ok, when_held, when_failed in conditions:
        if ok:
            held.append(when_held)
        else:
            failed.append(when_failed)
    if verdict == Verdict.TRANSFERABLE:
        lead = msg(LEAD_TRANSFERABLE)
    elif fallback and verdict == Verdict.PROMISING:
        lead = msg(LEAD_FALLBACK, done=Numeral(done), minimum=min_done)
    elif verdict == Verdict.PROMISING:
        lead = msg(LEAD_PROMISING, wins=Numeral(wins), done=Numeral(done))
    elif verdict == Verdict.NOT_TRANSFERABLE:
        lead = msg(LEAD_NOT_TRANSFERABLE, done=Numeral(done), minimum=min_done)
    else:
        lead = msg(LEAD_NOT_TESTED)
    if held and failed:
        return msg(REASON_BOTH, lead=lead, held=commas(held), failed=commas(failed))
    if held:
        return msg(REASON_HELD, lead=lead, held=commas(held))
    return msg(REASON_FAILED, lead=lead, failed=commas(failed))  # four conditions: one list has some


def parse_reason(text: str) -> Msg | None:
    """The message of a verdict's stored reason (see the templates above), or None."""
    return reparse(
        text,
        (REASON_BOTH, REASON_HELD, REASON_FAILED),
        {"lead": _parse_lead, "held": _parse_conditions, "failed": _parse_conditions},
    )


def _parse_lead(text: str) -> Msg | None:
    return reparse(text, LEAD_TEMPLATES)


def _parse_conditions(text: str) -> object:
    items = unjoin(text, ", ", lambda item: reparse(item, CONDITION_TEMPLATES))
    return None if items is None else commas(items)


def localized_reasons(texts: Iterable[object], lang: str) -> list[object]:
    """Verdict reasons (evaluation.csv) in `lang`; a text no template matches as it is."""
    return localized(texts, lang, parse_reason)


# --- notes ------------------------------------------------------------------------------------------


def _label(partner: object, practice_id: object, title: object) -> str:
    text = f"{partner} {practice_id}"
    return f"{text} ({title})" if isinstance(title, str) and title else text


def _missing(not_reported: pd.DataFrame, catalog: pd.DataFrame) -> list[str]:
    """One line per planned test with no report, by testing partner then practice."""
    rows = not_reported.sort_values(TEST_KEYS, kind="stable")
    titles = catalog["title"].reindex(pd.MultiIndex.from_frame(rows[KEYS])).to_numpy()
    return [
        f"{host} has not reported its planned {str(mode).lower()} test of {_label(p, i, t)}"
        for host, p, i, mode, t in zip(
            rows["partner"], rows["practice_partner"], rows["practice_id"], rows["mode"], titles, strict=True
        )
    ]


def _warnings(
    planned: pd.DataFrame, chosen: pd.DataFrame, tests: pd.DataFrame, out: pd.DataFrame
) -> list[str]:
    notes: list[str] = []
    shortlisted = pd.MultiIndex.from_frame(chosen[KEYS])
    dropped = planned[KEYS].drop_duplicates()
    dropped = dropped[~pd.MultiIndex.from_frame(dropped).isin(shortlisted)].sort_values(KEYS)
    for p, i in dropped.itertuples(index=False):
        notes.append(
            f"{p} {i} is in the field-test plan but no longer shortlisted (the ranking "
            f"changed since the plan): still evaluated"
        )
    extra = tests.loc[~tests["planned"], TEST_KEYS].sort_values(TEST_KEYS, kind="stable")
    for host, group in extra.groupby("partner", sort=True):
        names = ", ".join(f"{p} {i}" for p, i in group[KEYS].itertuples(index=False))
        notes.append(
            f"{host} reported {len(group)} test{'s' if len(group) != 1 else ''} not in its "
            f"plan ({names}): evaluated as unplanned"
        )
    unknown = out.loc[out["category"].isna() & (out["tests_reported"] > 0), KEYS].sort_values(KEYS)
    for p, i in unknown.itertuples(index=False):
        notes.append(
            f"{p} {i} is reported but is not an ingested service: no category, so no pertinence share"
        )
    return notes
