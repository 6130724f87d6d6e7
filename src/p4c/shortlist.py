"""`p4c shortlist`: good practices, the shortlist and the field-test plan (spec: ranking.md).

Three pure steps, each callable on its own (the report stage and `p4c run` use them):

1. `good_practice` marks every service eligible or not, with each rule that kept it out in words.
2. `select_shortlist` applies the selection rule, lexicographic by rank. Candidates are taken in
   rank order (ties: partner code, then service id); one is passed over only when the shortlist is
   full, when its partner already has `max_per_partner` practices in it, or when taking it would
   make the category-coverage target unreachable with the places left. Reachability is an exact
   max-flow check (uncovered categories -> partners with their remaining places, at most the places
   left), so the shortlist always covers min(min_categories, the most any shortlist within the size
   and caps could cover) and never drops a better-ranked candidate that coverage did not require.
   Why this rule: the spec asks for the *best-ranked* candidates, which a score-sum MILP does not
   guarantee; swap heuristics can miss a coverage target the candidates allow; and here every
   non-pick has exactly one cause that the reasons text can state.
3. `plan_field_tests` solves the assignment exactly with scipy's `milp` (HiGHS), then breaks ties
   between equally good plans lexicographically (see `_solve_plan`), so the plan is reproducible.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from p4c.errors import P4CError
from p4c.memory import no_gc
from p4c.messages import (
    Msg,
    Numeral,
    alternatives,
    localized,
    msg,
    reparse,
    semicolons,
    unjoin,
    unjoin_alternatives,
)
from p4c.models import SERVICE_KEY
from p4c.values import TOLERANCE
from p4c.words import plural

if TYPE_CHECKING:
    from pathlib import Path

    from p4c.config import Config
    from p4c.report.provenance import Manifest, RankedBy

KEYS = list(SERVICE_KEY)
SHORTLIST_COLUMNS = ["partner", "service_id", "title", "category", "score", "rank"]
CANDIDATE_COLUMNS = [*SHORTLIST_COLUMNS, "eligible", "shortlisted", "reasons"]
FIELD_TEST_COLUMNS = ["partner", "practice_partner", "service_id", "title", "mode", "need", "match"]
IMPLEMENTATION = "IMPLEMENTATION"
WORKSHOP = "WORKSHOP"

# The reasons of the candidates, as message templates (p4c.messages): written in English into
# candidates.csv, read back by `localized_reasons` to show them in a report's language.
ELIGIBLE_TEXT = "good practice (meets every rule)"
NOT_ELIGIBLE = "not a good practice: {fails}"  # fails: the failed rules' texts, "; "-joined
FAIL_STATUS = "status {status} (needs {accepted})"
FAIL_NO_START = "start date missing"
FAIL_STARTS_LATER = "starts {start}, after the reference date {as_of}"
FAIL_MONTHS = "months running {months} < {minimum} (started {start}, as of {as_of})"
FAIL_NO_EVIDENCE = "no evidence of success"
FAIL_PROVIDER = "provider {provider} is excluded"
FAIL_NO_SCORE = "no score (not ranked)"
FAIL_SCORE = "score {score} < {minimum}"
FAIL_NO_PERTINENCE = "pertinence missing (no cis_served or no cluster_initiatives)"
FAIL_PERTINENCE = "pertinence {share} <= {minimum}"
FAIL_NO_CRITERION = "{criterion} missing"
FAIL_CRITERION = "{criterion} {value} < {minimum}"
# The specific ones first: the first template that matches a stored text wins.
FAIL_TEMPLATES = (
    FAIL_STATUS,
    FAIL_NO_START,
    FAIL_STARTS_LATER,
    FAIL_MONTHS,
    FAIL_NO_EVIDENCE,
    FAIL_PROVIDER,
    FAIL_NO_SCORE,
    FAIL_SCORE,
    FAIL_NO_PERTINENCE,
    FAIL_PERTINENCE,
    FAIL_NO_CRITERION,
    FAIL_CRITERION,
)
PICKED = "shortlisted: good practice, rank {rank}"
PICKED_NEW_CATEGORY = "shortlisted: good practice, rank {rank}, adds category {category}"
NOT_PICKED = "good practice, not shortlisted: {why}"
WHY_FULL = "shortlist full (size {size}, every place taken by a better-ranked practice)"
WHY_CAP = "partner cap ({cap}) reached by higher-ranked {partner} practices"
WHY_PARTNER_PLACES = (
    "{partner}'s remaining places (cap {cap}) are needed for categories only {partner} can still "
    "bring, to reach {target} categories"
)
WHY_COVERED = (
    "category {category} is already covered and the {slots} places left are needed, "
    "to reach {target} categories"
)
WHY_COVERED_LAST = (
    "category {category} is already covered and the last place is needed, to reach {target} categories"
)
WHY_TEMPLATES = (WHY_FULL, WHY_CAP, WHY_PARTNER_PLACES, WHY_COVERED, WHY_COVERED_LAST)


@dataclass(frozen=True)
class ShortlistOptions:
    """Command-line overrides; None means the config value (as_of None means today)."""

    as_of: dt.date | None = None
    size: int | None = None
    max_per_partner: int | None = None
    tests_per_partner: int | None = None
    ranked_by: RankedBy | None = None  # how the ranking passed in was made, for shortlist.json


@dataclass(frozen=True)
class ShortlistResult:
    candidates: pd.DataFrame  # CANDIDATE_COLUMNS, every service, in rank order
    shortlist: pd.DataFrame  # SHORTLIST_COLUMNS, in rank order
    field_tests: pd.DataFrame  # FIELD_TEST_COLUMNS, by testing partner then practice rank
    notes: list[str] = field(default_factory=list)  # what bound the choice, in plain words
    manifest: Manifest | None = None  # what made it (written as shortlist.json beside the files)


# --- good practice ---------------------------------------------------------------------------------


def full_months(start: dt.date, as_of: dt.date) -> int:
    """Whole months from `start` to `as_of` (negative when `start` is later)."""
    months = (as_of.year - start.year) * 12 + as_of.month - start.month
    return months - (as_of.day < start.day)


def criterion_values(services: pd.DataFrame, partners: pd.DataFrame, config: Config) -> pd.DataFrame:
    """`partner, service_id` and the raw value of every criterion (NaN = missing), rows as `services`."""
    from p4c.rank import criterion_matrix

    values = criterion_matrix(services, partners, config)
    keys = services[KEYS].reset_index(drop=True)
    return pd.concat([keys, values.reset_index(drop=True)], axis=1)


def pertinence_values(
    services: pd.DataFrame, partners: pd.DataFrame, config: Config, values: pd.DataFrame
) -> pd.Series:
    """Share of the region's CIs served, capped at 1: the pertinence criterion's column of `values`
    (criterion_values), else computed the same way, since the rule holds without the criterion."""
    from p4c.config import Criterion
    from p4c.rank import criterion_matrix

    crit = next((c for c in config.criteria if c.source == "pertinence"), None)
    if crit is not None:
        return values[crit.id]
    crit = Criterion(
        id="pertinence", label={"en": "Pertinence"}, weight=1, direction="benefit", source="pertinence"
    )
    alone = config.model_copy(update={"criteria": [crit]})
    return criterion_matrix(services, partners, alone)[crit.id].reset_index(drop=True)


@no_gc()  # a few messages a service, none in a cycle
def good_practice(
    ranking: pd.DataFrame, services: pd.DataFrame, partners: pd.DataFrame, config: Config, as_of: dt.date
) -> pd.DataFrame:
    """Every service with `eligible` and `reasons` ("; "-joined failed rules), in rank order.

    Also a `failed` column: the failed rule names, for the notes of what bound the choice.
    """
    rules = config.good_practice
    base = services.reset_index(drop=True)
    values = criterion_values(base, partners, config)
    pertinence = pertinence_values(base, partners, config, values)
    frame = base[[*KEYS, "title", "category"]].merge(
        ranking[[*KEYS, "score", "rank"]].assign(_position=np.arange(len(ranking))), on=KEYS, how="left"
    )
    starts = pd.to_datetime(base["start_date"], errors="coerce")
    start_dates = [None if pd.isna(t) else t.date() for t in starts.tolist()]  # .iloc per row was O(n) slow
    scores = frame["score"].astype(float).to_numpy()
    minimums = {
        crit_id: (minimum, values[crit_id].astype(float).to_numpy())
        for crit_id, minimum in rules.min_criteria.items()
    }
    shares = pertinence.astype(float).to_numpy()
    statuses = [str(s) for s in rules.statuses]
    excluded = {str(p) for p in rules.excluded_providers}
    accepted = alternatives(statuses) if statuses else ""
    # Messages without a varying number are made once and shared (a Msg is immutable text).
    no_start, no_evidence, no_score = msg(FAIL_NO_START), msg(FAIL_NO_EVIDENCE), msg(FAIL_NO_SCORE)
    no_pertinence = msg(FAIL_NO_PERTINENCE)
    min_score, min_pertinence = shown(rules.min_score), shown(rules.min_pertinence)
    by_status: dict[str, Msg] = {}
    by_provider: dict[str, Msg] = {}
    no_criterion = {crit_id: msg(FAIL_NO_CRITERION, criterion=crit_id) for crit_id in minimums}
    # Many services fail alike (the same shown value): each message is made once (a Msg is immutable).
    starts_later = functools.cache(lambda start: msg(FAIL_STARTS_LATER, start=start, as_of=str(as_of)))
    too_few_months = functools.cache(
        lambda months, start: msg(
            FAIL_MONTHS,
            months=Numeral(months),
            minimum=Numeral(rules.min_months_running),
            start=start,
            as_of=str(as_of),
        )
    )
    low_score = functools.cache(lambda score: msg(FAIL_SCORE, score=score, minimum=min_score))
    low_criterion = functools.cache(
        lambda crit_id, value, minimum: msg(FAIL_CRITERION, criterion=crit_id, value=value, minimum=minimum)
    )
    low_pertinence = functools.cache(lambda share: msg(FAIL_PERTINENCE, share=share, minimum=min_pertinence))

    failures: list[list[tuple[str, Msg]]] = []
    columns = zip(base["status"].tolist(), base["provider"].tolist(), base["evidence"].tolist(), strict=True)
    for i, (status_value, provider_value, evidence) in enumerate(columns):
        fails: list[tuple[str, Msg]] = []
        status = str(status_value)
        if status not in statuses:
            if status not in by_status:
                by_status[status] = msg(FAIL_STATUS, status=status, accepted=accepted)
            fails.append(("status", by_status[status]))
        if rules.min_months_running > 0:
            start = start_dates[i]
            if start is None:
                fails.append(("months running", no_start))
            elif start > as_of:
                fails.append(("months running", starts_later(str(start))))
            elif (months := full_months(start, as_of)) < rules.min_months_running:
                fails.append(("months running", too_few_months(months, str(start))))
        if rules.require_evidence and (not isinstance(evidence, str) or not evidence.strip()):
            fails.append(("evidence", no_evidence))
        provider = str(provider_value)
        if provider in excluded:
            if provider not in by_provider:
                by_provider[provider] = msg(FAIL_PROVIDER, provider=provider)
            fails.append(("provider", by_provider[provider]))
        score = float(scores[i])
        if math.isnan(score):
            fails.append(("score", no_score))
        elif score < rules.min_score - TOLERANCE:
            fails.append(("score", low_score(shown(score, rules.min_score))))
        for crit_id, (minimum, column) in minimums.items():
            value = float(column[i])
            if math.isnan(value):
                fails.append((crit_id, no_criterion[crit_id]))
            elif value < minimum - TOLERANCE:
                fails.append((crit_id, low_criterion(crit_id, shown(value, minimum), shown(minimum))))
        share = float(shares[i])
        if math.isnan(share):
            fails.append(("pertinence", no_pertinence))
        elif share <= rules.min_pertinence + TOLERANCE:
            fails.append(("pertinence", low_pertinence(shown(share, rules.min_pertinence))))
        failures.append(fails)
    frame["eligible"] = [not fails for fails in failures]
    eligible = msg(ELIGIBLE_TEXT)
    combined: dict[tuple[int, ...], Msg] = {}  # by the parts' identities: each part is made once above

    def reason(fails: list[tuple[str, Msg]]) -> Msg:
        key = tuple(id(text) for _, text in fails)
        found = combined.get(key)
        if found is None:
            found = combined[key] = msg(NOT_ELIGIBLE, fails=semicolons([text for _, text in fails]))
        return found

    frame["reasons"] = pd.Series(  # object: pandas would make the messages plain str
        [reason(fails) if fails else eligible for fails in failures],
        index=frame.index,
        dtype=object,
    )
    frame["failed"] = [", ".join(rule for rule, _ in fails) for fails in failures]
    frame["rank"] = frame["rank"].astype("Int64")
    order = frame.sort_values(
        ["_position", "partner", "service_id"], kind="stable", na_position="last"
    ).index  # the ranking's own order, then unranked
    return frame.loc[order].drop(columns="_position").reset_index(drop=True)


def show(value: float, threshold: float | None = None) -> str:
    """A number in few digits, but enough that it never prints equal to the threshold it missed."""
    for digits in (2, 3, 4, 6, 9):
        text = f"{value:.{digits}f}".rstrip("0").rstrip(".")
        if threshold is None or float(text) != threshold:
            return text
    return repr(float(value))


def shown(value: float, threshold: float | None = None) -> Numeral:
    """`show` as a message parameter: with a decimal comma in French and German."""
    return Numeral(show(value, threshold))


def parse_reason(text: str) -> Msg | None:
    """The message of a candidate's stored reason (see the templates above), or None."""
    return (
        reparse(text, (ELIGIBLE_TEXT, PICKED_NEW_CATEGORY, PICKED))
        or reparse(text, (NOT_ELIGIBLE,), {"fails": _parse_fails})
        or reparse(text, (NOT_PICKED,), {"why": _parse_why})
    )


def _parse_fails(text: str) -> object:
    fails = unjoin(text, "; ", _parse_fail)
    return None if fails is None else semicolons(fails)


def _parse_fail(text: str) -> Msg | None:
    return reparse(text, FAIL_TEMPLATES, {"accepted": _parse_statuses})


def _parse_statuses(text: str) -> object:
    items = unjoin_alternatives(text, lambda item: item or None)
    return None if items is None else alternatives(items)


def _parse_why(text: str) -> Msg | None:
    return reparse(text, WHY_TEMPLATES)


def localized_reasons(texts: Iterable[object], lang: str) -> list[object]:
    """The candidates' reasons (candidates.csv) in `lang`; a text no template matches as it is."""
    return localized(texts, lang, parse_reason)


# --- shortlist ---------------------------------------------------------------------------------------


def coverable(
    rest: Iterable[tuple[str, str]], covered: set[str], taken: Mapping[str, int], slots: int, cap: int
) -> int:
    """How many categories outside `covered` up to `slots` more picks from `rest` can add.

    `rest` holds (partner, category) of the candidates still available (repeats change nothing);
    `taken` counts each partner's picks against `cap`. Exact: a max flow from the uncovered
    categories to the partners that offer them, each partner limited to its remaining places.
    """
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import maximum_flow

    pairs = sorted(
        {(cat, partner) for partner, cat in rest if cat not in covered and taken.get(partner, 0) < cap}
    )
    if slots <= 0 or not pairs:
        return 0
    cats = sorted({cat for cat, _ in pairs})
    parts = sorted({partner for _, partner in pairs})
    if len(cats) <= 1 or len(parts) <= 1 or len(pairs) == len(cats):
        # each category reachable from one partner, or one side of one node: counting is exact
        if len(parts) == 1:
            return min(slots, len(cats), cap - taken.get(parts[0], 0))
        if len(cats) == 1:
            return min(slots, 1)
        per_partner = Counter(partner for _, partner in pairs)
        return min(slots, sum(min(n, cap - taken.get(p, 0)) for p, n in per_partner.items()))
    node = {
        name: i
        for i, name in enumerate(
            [("c", cat) for cat in cats] + [("p", partner) for partner in parts], start=1
        )
    }
    sink = len(node) + 1
    rows = [0] * len(cats) + [node["c", cat] for cat, _ in pairs] + [node["p", p] for p in parts]
    cols = [node["c", cat] for cat in cats] + [node["p", p] for _, p in pairs] + [sink] * len(parts)
    caps = [1] * (len(cats) + len(pairs)) + [cap - taken.get(p, 0) for p in parts]
    graph = csr_matrix((np.array(caps, dtype=np.int32), (rows, cols)), shape=(sink + 1, sink + 1))
    return min(slots, int(maximum_flow(graph, 0, sink).flow_value))


def select_shortlist(
    candidates: pd.DataFrame, size: int, max_per_partner: int, min_categories: int
) -> tuple[pd.DataFrame, list[str]]:
    """The shortlist by the module's rule: `candidates` (from good_practice) with `shortlisted` and
    every eligible service's reasons rewritten to say why it is in or out; plus the notes.

    Near-linear: the candidates still to come are kept as counts per (partner, category), so the
    coverage check sees a set of at most partners x categories pairs instead of the rest of the
    list, and its answer is cached until a pick or a pair running out changes it. The result is
    the one of checking every candidate against the whole rest (tests/shortlist_oracle.py).
    """
    out = candidates.copy()
    eligible = out["eligible"].to_numpy(dtype=bool)
    positions = np.flatnonzero(eligible)
    partners = out["partner"].astype(str).to_numpy()[positions].tolist()
    cats = out["category"].astype(str).to_numpy()[positions].tolist()
    ranks = out["rank"].iloc[positions].astype(int).tolist()
    remaining: Counter[tuple[str, str]] = Counter(zip(partners, cats, strict=True))
    all_cats = set(cats)
    best = coverable(remaining, set(), {}, size, max_per_partner)
    target = min(min_categories, best)
    taken: Counter[str] = Counter()
    covered: set[str] = set()
    picks = 0
    shortlisted = np.zeros(len(out), dtype=bool)
    reasons: list[object] = out["reasons"].astype(object).tolist()
    skipped: Counter[str] = Counter()
    capped: Counter[str] = Counter()
    version = 0  # bumped whenever the state the coverage check reads changes
    cache: dict[tuple[int, str, str, bool], int] = {}

    def reach(cat: str, partner: str, *, with_pick: bool) -> int:
        key = (version, cat, partner, with_pick)
        if key not in cache:
            after = taken + Counter({partner: 1}) if with_pick else taken
            cache[key] = coverable(remaining, covered | {cat}, after, size - picks - 1, max_per_partner)
        return cache[key]

    full_text = msg(NOT_PICKED, why=msg(WHY_FULL, size=Numeral(size)))
    for pos, partner, cat, rank in zip(positions.tolist(), partners, cats, ranks, strict=True):
        remaining[partner, cat] -= 1
        if remaining[partner, cat] == 0:
            del remaining[partner, cat]
            version += 1
            cache.clear()
        slots = size - picks
        if slots == 0:
            reasons[pos] = full_text
            skipped["size"] += 1
            continue
        if taken[partner] >= max_per_partner:
            reasons[pos] = msg(NOT_PICKED, why=msg(WHY_CAP, cap=Numeral(max_per_partner), partner=partner))
            capped[partner] += 1
            continue
        needed = target - len(covered | {cat})
        if needed > 0 and reach(cat, partner, with_pick=True) < needed:
            skipped["coverage"] += 1
            goal = Numeral(target)
            if reach(cat, partner, with_pick=False) >= needed:
                why = msg(WHY_PARTNER_PLACES, partner=partner, cap=Numeral(max_per_partner), target=goal)
            elif slots > 1:
                why = msg(WHY_COVERED, category=cat, slots=Numeral(slots), target=goal)
            else:
                why = msg(WHY_COVERED_LAST, category=cat, target=goal)
            reasons[pos] = msg(NOT_PICKED, why=why)
            continue
        new = cat not in covered
        picks += 1
        taken[partner] += 1
        covered.add(cat)
        version += 1
        cache.clear()
        shortlisted[pos] = True
        reasons[pos] = (
            msg(PICKED_NEW_CATEGORY, rank=Numeral(rank), category=cat)
            if new
            else msg(PICKED, rank=Numeral(rank))
        )
    out["shortlisted"] = shortlisted
    out["reasons"] = pd.Series(reasons, index=out.index, dtype=object)  # keeps the messages
    notes = _selection_notes(
        out,
        size=size,
        cap=max_per_partner,
        min_categories=min_categories,
        target=target,
        best=best,
        all_cats=all_cats,
        skipped=skipped,
        capped=capped,
    )
    return out, notes


def _selection_notes(
    out: pd.DataFrame,
    *,
    size: int,
    cap: int,
    min_categories: int,
    target: int,
    best: int,
    all_cats: set[str],
    skipped: Counter[str],
    capped: Counter[str],
) -> list[str]:
    eligible = out[out["eligible"]]
    chosen = out[out["shortlisted"]]
    notes = [
        f"{plural(len(out), 'service')}, {plural(len(eligible), 'good-practice candidate')} from "
        f"{plural(eligible['partner'].nunique(), 'partner')} in {plural(len(all_cats), 'category')}"
    ]
    failed = Counter(
        rule for text in out.loc[~out["eligible"], "failed"] for rule in text.split(", ") if rule
    )
    if failed:
        notes.append(
            "kept out by (services failing each rule): "
            + ", ".join(
                f"{rule} {count}" for rule, count in sorted(failed.items(), key=lambda kv: (-kv[1], kv[0]))
            )
        )
    if len(chosen) < size:
        notes.append(
            f"shortlist: {plural(len(chosen), 'practice')} for {plural(size, 'place')}: only "
            f"{plural(len(eligible), 'candidate')}"
            + (", the rest kept out by the partner cap" if capped else "")
        )
    else:
        notes.append(
            f"shortlist: {plural(size, 'practice')} (the size of {size} left "
            f"{plural(skipped['size'], 'candidate')} out)"
            if skipped["size"]
            else f"shortlist: {plural(size, 'practice')}"
        )
    if capped:
        notes.append(
            f"the partner cap of {cap} left out "
            + ", ".join(
                f"{plural(count, 'practice')} of {partner}" for partner, count in sorted(capped.items())
            )
        )
    n_cats = chosen["category"].nunique()
    cover = f"categories: {n_cats} covered (at least {min_categories} asked)"
    if target < min_categories:
        if len(all_cats) < min_categories:
            why = f"the candidates come from only {plural(len(all_cats), 'category')}"
        elif size < min_categories:
            why = f"the shortlist size ({size}) is smaller"
        else:
            why = f"the size and the partner cap allow at most {best}"
        cover += f"; fewer than asked because {why}"
    if skipped["coverage"]:
        cover += f"; {plural(skipped['coverage'], 'better-ranked candidate')} passed over to reach {target}"
    notes.append(cover)
    return notes


# --- field tests -----------------------------------------------------------------------------------


def plan_field_tests(  # noqa: PLR0917 - the positional API `p4c run` and the report call
    shortlist: pd.DataFrame,
    partners: pd.DataFrame,
    needs: pd.DataFrame,
    values: pd.DataFrame,
    config: Config,
    tests_per_partner: int | None = None,
) -> pd.DataFrame:
    """The optimal field-test plan: each partner (all of `partners`) tests exactly T shortlisted
    practices, never its own, each practice tested by at most M partners, maximising
    sum score x need / 5. A P4CError says which constraint fails, and by how much, when none exists.

    need: the testing partner's Needs importance for the practice's category (the highest when a
    category is given twice), else field_tests.default_need. `values`: `partner, service_id` and
    criterion columns (criterion_values), for the mode rule.
    """
    rules = config.field_tests
    tests = rules.tests_per_partner if tests_per_partner is None else tests_per_partner
    limit = rules.max_partners_per_practice
    testers = sorted(partners["partner"].astype(str).unique())
    practices = shortlist.reset_index(drop=True)
    owners = practices["partner"].astype(str).tolist()
    if tests == 0 or not testers:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in FIELD_TEST_COLUMNS})
    check_plan_counts(testers, owners, tests, limit)
    need_of = {
        (str(p), str(c)): float(v)
        for p, c, v in needs.groupby(["partner", "category"], as_index=False)["importance"]
        .max()
        .itertuples(index=False)
    }
    pairs = [(t, j) for t in range(len(testers)) for j in range(len(practices)) if owners[j] != testers[t]]
    need = np.array(
        [need_of.get((testers[t], str(practices.at[j, "category"])), rules.default_need) for t, j in pairs]
    )
    gain = practices["score"].astype(float).to_numpy()[[j for _, j in pairs]] * need / 5
    chosen = _solve_plan(gain, pairs, tests=tests, limit=limit)
    mode = rules.mode
    crit = practices[KEYS].merge(values, on=KEYS, how="left")
    crit_value = (
        crit[mode.criterion].astype(float)
        if mode.criterion in crit
        else pd.Series(np.nan, index=practices.index)
    )
    rows = []
    for k in np.flatnonzero(chosen):
        t, j = pairs[k]
        implement = need[k] >= mode.min_need - TOLERANCE and bool(
            crit_value.iloc[j] >= mode.min_value - TOLERANCE
        )
        rows.append(
            {
                "partner": testers[t],
                "practice_partner": owners[j],
                "service_id": practices.at[j, "service_id"],
                "title": practices.at[j, "title"],
                "mode": IMPLEMENTATION if implement else WORKSHOP,
                "need": float(need[k]),
                "match": float(gain[k]),
            }
        )
    return pd.DataFrame(rows, columns=FIELD_TEST_COLUMNS)


def check_plan_counts(testers: Sequence[str], owners: Sequence[str], tests: int, limit: int) -> None:
    """The counting conditions of a feasible plan, each failure named with its shortfall.

    They are also sufficient (max-flow min-cut on partners -> practices): a set A of partners
    needs T x |A| places; when |A| > M every practice offers M of them, the total check; when
    |A| <= M it offers |A| minus A's own, which the per-partner check bounds, summed over A.
    """
    problems = []
    for partner in testers:
        own = sum(owner == partner for owner in owners)
        available = len(owners) - own
        if available < tests:
            what = (
                f"all {own} shortlisted practices are its own"
                if available == 0 and own
                else f"only {available} shortlisted practices are not its own"
            )
            problems.append(
                f"partner {partner} must test {tests} practices but {what}: {tests - available} short"
            )
    places = len(owners) * limit
    demand = len(testers) * tests
    if demand > places:
        problems.append(
            f"{len(testers)} partners x {tests} tests = {demand} tests but "
            f"{len(owners)} practices x at most {limit} partners = {places} places: "
            f"{demand - places} short"
        )
    if problems:
        raise P4CError(
            "no field-test plan is possible: " + "; ".join(problems),
            hint="Shortlist more practices (--size, --max-per-partner, good_practice "
            "thresholds), lower field_tests.tests_per_partner (--tests-per-partner) "
            "or raise field_tests.max_partners_per_practice.",
        )


def _solve_plan(gain: np.ndarray, pairs: Sequence[tuple[int, int]], *, tests: int, limit: int) -> np.ndarray:
    """0/1 choice per (tester, practice) pair: the best total gain, then lexicographic tie-break.

    Pairs come sorted by tester code, then practice rank. Among plans within 1e-9 (relative) of the
    best total, the one chosen gives the first tester its best-ranked practices first, then the
    next tester, ...: each pair in turn is fixed to 1 if an optimal plan still allows it, else to 0
    (a fresh solve only when the current optimal plan does not already contain it).
    """
    from scipy.optimize import Bounds, LinearConstraint, milp

    n = len(gain)
    tester = np.array([t for t, _ in pairs], dtype=int)
    practice = np.array([j for _, j in pairs], dtype=int)
    by_tester = np.zeros((tester.max() + 1, n))
    by_tester[tester, np.arange(n)] = 1
    by_practice = np.zeros((practice.max() + 1, n))
    by_practice[practice, np.arange(n)] = 1
    base = [LinearConstraint(by_tester, tests, tests), LinearConstraint(by_practice, 0, limit)]

    def solve(lower: np.ndarray, upper: np.ndarray, extra: list[Any]) -> np.ndarray | None:
        res = milp(
            -gain,
            integrality=np.ones(n),
            bounds=Bounds(lower, upper),
            constraints=[*base, *extra],
            options={"mip_rel_gap": 0},
        )
        if res.status == 2:  # infeasible
            return None
        if res.status != 0 or res.x is None:
            raise P4CError(f"the field-test solver stopped without a plan: {res.message}")
        return np.round(np.asarray(res.x, dtype=float))

    lower, upper = np.zeros(n), np.ones(n)
    current = solve(lower, upper, [])
    if current is None:
        raise P4CError(
            "no field-test plan meets every constraint (each partner exactly "
            f"{tests} tests, never its own, at most {limit} partners per practice): "
            "the solver found the constraints infeasible"
        )
    best = float(gain @ current)
    tol = TOLERANCE * max(1.0, abs(best))
    floor = [LinearConstraint(gain[None, :], best - tol, np.inf)]
    for k in range(n):
        if current[k] == 1:
            lower[k] = 1
            continue
        full = lower[tester == tester[k]].sum() >= tests or lower[practice == practice[k]].sum() >= limit
        if not full:
            lower[k] = 1
            trial = solve(lower, upper, floor)
            if trial is not None and float(gain @ trial) >= best - tol:
                current = trial
                continue
            lower[k] = 0
        upper[k] = 0
    return current.astype(int)


# --- the whole step ------------------------------------------------------------------------------


def shortlist(  # noqa: PLR0917 - the positional API `p4c run` calls
    ranking: pd.DataFrame,
    services: pd.DataFrame,
    partners: pd.DataFrame,
    needs: pd.DataFrame,
    config: Config,
    options: ShortlistOptions = ShortlistOptions(),
) -> ShortlistResult:
    """Good practices, the shortlist and the field-test plan from a ranking table; no I/O."""
    as_of = options.as_of or dt.date.today()
    size = config.shortlist.size if options.size is None else options.size
    cap = config.shortlist.max_per_partner if options.max_per_partner is None else options.max_per_partner
    tests = (
        config.field_tests.tests_per_partner
        if options.tests_per_partner is None
        else options.tests_per_partner
    )
    for name, value, low in (("size", size, 1), ("max per partner", cap, 1), ("tests per partner", tests, 0)):
        if value < low:
            raise P4CError(f"{name} must be at least {low} (found {value})")
    candidates = good_practice(ranking, services, partners, config, as_of)
    candidates, notes = select_shortlist(candidates, size, cap, config.shortlist.min_categories)
    # Kept as their English text, as candidates.csv holds them (`localized_reasons` reads them back
    # in any language): a message tree a service is about 4.5 kB, 450 MB at 100,000 services.
    candidates["reasons"] = [str(text) for text in candidates["reasons"]]
    notes.insert(0, f"reference date {as_of}")
    unknown = unknown_pertinence(services, partners)
    if unknown:
        notes.insert(2, pertinence_note(unknown, int(candidates["eligible"].sum())))
    chosen = candidates.loc[candidates["shortlisted"], SHORTLIST_COLUMNS].reset_index(drop=True)
    values = criterion_values(services, partners, config)
    try:
        plan = plan_field_tests(chosen, partners, needs, values, config, tests)
    except P4CError as exc:
        hint = "\n".join(
            [
                "What bound the shortlist:",
                *(f"  - {note}" for note in notes),
                *([exc.hint] if exc.hint else []),
            ]
        )
        raise P4CError(exc.message, hint=hint) from None
    notes.append(_plan_note(plan, chosen, partners, tests, config.field_tests.max_partners_per_practice))
    from p4c.report.provenance import SHORTLIST_STAGE, RankedBy, manifest_for

    manifest = manifest_for(
        SHORTLIST_STAGE,
        config=config,
        partners=partners,
        ranking=ranking,
        ranked_by=options.ranked_by or RankedBy(),
        as_of=as_of,
        options={"size": size, "max_per_partner": cap, "tests_per_partner": tests},
    )
    return ShortlistResult(
        candidates[CANDIDATE_COLUMNS].reset_index(drop=True), chosen, plan, notes, manifest
    )


def unknown_pertinence(services: pd.DataFrame, partners: pd.DataFrame) -> list[str]:
    """Partners with services but no cluster_initiatives: their pertinence, hence every service's
    good-practice rule, cannot be computed (a CSV without Partner sheet nor config entry)."""
    known = partners.loc[pd.to_numeric(partners["cluster_initiatives"], errors="coerce").notna(), "partner"]
    return sorted({str(p) for p in services["partner"].dropna()} - {str(p) for p in known})


def pertinence_note(codes: Sequence[str], candidates: int) -> str:
    """The real cause when partners have no cluster_initiatives: where to give it."""
    entries = " or ".join(f"`partners: {code}: cluster_initiatives:`" for code in codes)
    cause = (
        f"pertinence is unknown for {', '.join(codes)} (no Partner sheet and no {entries} "
        f"in config/criteria.yaml)"
    )
    if candidates == 0:
        return f"0 good-practice candidates: {cause}"
    which = "its services" if len(codes) == 1 else "their services"
    return f"{cause}: none of {which} can be a good practice"


def _plan_note(
    plan: pd.DataFrame, chosen: pd.DataFrame, partners: pd.DataFrame, tests: int, limit: int
) -> str:
    if plan.empty:
        return "field tests: none planned (tests per partner is 0)"
    modes = plan["mode"].value_counts()
    per_practice = Counter(zip(plan["practice_partner"], plan["service_id"], strict=True))
    full = [practice_label(p, s) for (p, s), n in sorted(per_practice.items()) if n >= limit]
    text = (
        f"field tests: {partners['partner'].nunique()} partners x {tests} = {len(plan)} tests on "
        f"{len(per_practice)} of {len(chosen)} practices, total match {plan['match'].sum():.3f} "
        f"(optimal); {modes.get(IMPLEMENTATION, 0)} IMPLEMENTATION, "
        f"{modes.get(WORKSHOP, 0)} WORKSHOP"
    )
    if full:
        text += f"; at the cap of {limit} partners: {', '.join(full)}"
    return text


# --- output ----------------------------------------------------------------------------------------


def practice_label(partner: object, service_id: object) -> str:
    return f"{partner} {service_id}"


def plan_matrix(result: ShortlistResult) -> pd.DataFrame:
    """Testing partner x shortlisted practice, the mode in the cells ("own" on a partner's own)."""
    plan = result.field_tests
    practices = [(str(p), str(s)) for p, s in result.shortlist[KEYS].itertuples(index=False)]
    cells = {
        (str(r.partner), str(r.practice_partner), str(r.service_id)): str(r.mode)
        for r in plan.itertuples(index=False)
    }
    rows = []
    for tester in sorted(plan["partner"].astype(str).unique()):
        row: dict[str, str | None] = {"partner": tester}
        for owner, sid in practices:
            row[practice_label(owner, sid)] = "own" if owner == tester else cells.get((tester, owner, sid))
        rows.append(row)
    return pd.DataFrame(rows, columns=["partner", *(practice_label(p, s) for p, s in practices)])


def write_shortlist(
    result: ShortlistResult, folder: Path, *, config: Config | None = None, lang: str = "en"
) -> list[Path]:
    """candidates.csv, shortlist.csv, field_tests.csv and shortlist.xlsx (atomic, formula-safe), then
    shortlist.json recording what made them (last, so a kill in between leaves the old record
    describing files that no longer match it: the report then treats them as unrecorded).

    The .xlsx has human headers and the candidates' reasons in `lang` and, with the project's
    `config`, category labels beside the codes (see `p4c.io.write_xlsx`); the CSV files keep the
    machine ids and the English reasons (read back by `localized_reasons`).
    """
    paths = write_shortlist_tables(result, folder)
    xlsx = shortlist_xlsx_path(folder)
    write_shortlist_xlsx(result, xlsx, config=config, lang=lang)
    return record_shortlist(result, folder, [*paths, xlsx])


def shortlist_xlsx_path(folder: Path) -> Path:
    from p4c.store import SHORTLIST_XLSX

    return folder / SHORTLIST_XLSX


def write_shortlist_tables(result: ShortlistResult, folder: Path) -> list[Path]:
    """candidates.csv, shortlist.csv and field_tests.csv: what the later stages read."""
    from p4c.fastcsv import write_csv
    from p4c.store import CANDIDATES_FILE, FIELD_TESTS_FILE, SHORTLIST_FILE

    paths = [folder / name for name in (CANDIDATES_FILE, SHORTLIST_FILE, FIELD_TESTS_FILE)]
    for frame, path in zip((result.candidates, result.shortlist, result.field_tests), paths, strict=True):
        write_csv(frame, path)
    return paths


def write_shortlist_xlsx(
    result: ShortlistResult, path: Path, *, config: Config | None = None, lang: str = "en"
) -> None:
    """shortlist.xlsx: the shortlist, the field tests, the plan matrix, the candidates and the notes."""
    from p4c.headers import sheet_label
    from p4c.io import SheetSpec, write_xlsx

    three = {"score": "0.000", "match": "0.000", "need": "0.0"}
    categories = {c.code: c.text(lang) for c in config.categories} if config is not None else {}
    by_code = {"category": categories} if categories else {}
    plan = plan_matrix(result)
    practices = {str(c): str(c) for c in plan.columns if c != "partner"}  # "BE S-01" as it is
    widths = {"title": 40.0}
    candidates = result.candidates
    if lang != "en":
        reasons = localized_reasons(candidates["reasons"], lang)
        candidates = candidates.assign(reasons=pd.Series(reasons, index=candidates.index, dtype=object))
    shortlist_sheet = SheetSpec(  # the candidates are shown as the shortlist is
        sheet_label("Shortlist", lang),
        result.shortlist,
        three,
        color_scale=["score"],
        widths=widths,
        code_labels=by_code,
    )
    write_xlsx(
        [
            shortlist_sheet,
            SheetSpec(
                sheet_label("Field tests", lang),
                result.field_tests,
                three,
                color_scale=["match"],
                widths=widths,
            ),
            SheetSpec(sheet_label("Plan", lang), plan, labels=practices),
            replace(
                shortlist_sheet,
                name=sheet_label("Candidates", lang),
                frame=candidates,
                widths={**widths, "reasons": 80.0},
            ),
            SheetSpec(sheet_label("Notes", lang), pd.DataFrame({"note": result.notes}), widths={"note": 110}),
        ],
        path,
        lang=lang,
    )


def record_shortlist(result: ShortlistResult, folder: Path, paths: list[Path]) -> list[Path]:
    """`paths`, and shortlist.json after them when the result has its manifest (written last)."""
    if result.manifest is None:
        return paths
    from p4c.report.provenance import write_manifest
    from p4c.store import SHORTLIST_MANIFEST

    return [*paths, write_manifest(result.manifest, folder / SHORTLIST_MANIFEST, paths)]


def shortlist_rows(result: ShortlistResult) -> list[list[str]]:
    """The shortlist as text cells for the terminal: rank, partner, service, title, category, score."""
    return [
        [
            str(r["rank"]),
            str(r["partner"]),
            str(r["service_id"]),
            str(r["title"]),
            str(r["category"]),
            f"{r['score']:.3f}",
        ]
        for r in result.shortlist.to_dict("records")
    ]


def plan_rows(result: ShortlistResult) -> list[list[str]]:
    """The plan as text cells for the terminal: partner (once), practice, title, mode, need, match."""
    rows, previous = [], None
    for r in result.field_tests.to_dict("records"):
        partner = str(r["partner"])
        rows.append(
            [
                "" if partner == previous else partner,
                practice_label(r["practice_partner"], r["service_id"]),
                str(r["title"]),
                str(r["mode"]),
                f"{r['need']:g}",
                f"{r['match']:.3f}",
            ]
        )
        previous = partner
    return rows
