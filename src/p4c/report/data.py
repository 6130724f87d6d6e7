"""`p4c report`: one self-contained HTML report and one formatted Excel workbook.

The report only reads what the earlier stages saved in the processed folder, so it can be rebuilt
at any time and e-mailed: the HTML has no external reference (charts are inline SVG, styles are
inline), and partner text is always escaped. Missing optional inputs (Monte Carlo, weight
stability, rejected rows) make their section say how to produce them instead of failing.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from p4c import __version__
from p4c.errors import P4CError
from p4c.models import SERVICE_KEY, Language
from p4c.report.format import cell_text, finite, number_or_none, shorten
from p4c.report.provenance import (
    Manifest,
    RankedBy,
    file_sha256,
    ranking_fingerprint,
    read_manifest,
    stale_against,
    weights_match,
)
from p4c.report.words import Phrase, phrase
from p4c.store import (
    CANDIDATES_FILE,
    FIELD_TESTS_FILE,
    RANKING_FILE,
    RANKING_MANIFEST,
    SHORTLIST_FILE,
    SHORTLIST_MANIFEST,
    WEIGHT_STABILITY_FILE,
    read_stage_csv,
)

if TYPE_CHECKING:
    from p4c.config import Config
    from p4c.evaluation.stage import Evaluation
    from p4c.report.plans import PartnerPlan
    from p4c.scoring.apply import ScoringOutcome


RANK_COMMAND = "p4c rank"
STABILITY_COMMAND = "p4c rank --samples 1000 --stability"
SHORTLIST_COMMAND = "p4c shortlist"
INGEST_COMMAND = "p4c ingest data/raw/*"

TOP_N = 20
PARTNER_TOP_N = 15  # services charted on each partner page (all of them are in report.xlsx)
HISTOGRAM_BINS = 20
MC_COLUMNS = ("p_top", "rank_p05", "rank_p50", "rank_p95")
MODES = ("IMPLEMENTATION", "WORKSHOP")


@dataclass(frozen=True)
class ReportOptions:
    """How to build the report."""

    as_of: dt.date | None = None  # date printed on the report (None -> today)
    lang: Language = "en"  # language of every fixed text of report.html and report.xlsx
    # called before the plans folder is read, which is done as late as the HTML allows (after the
    # charts): `p4c run` waits there for the plans its second process writes, so that every one is
    # linked
    plans_written: Callable[[], object] | None = None


@dataclass(frozen=True)
class FileDigest:
    """A processed file the report was built from, so a reader can check they have the same."""

    name: str
    sha256: str
    size: int


@dataclass(frozen=True, eq=False)
class Report:
    """Everything the HTML and Excel reports show, read and cross-checked once."""

    config: Config
    config_sha256: str
    as_of: dt.date
    version: str
    partners: pd.DataFrame  # one row per partner code, with counts and the last ingest
    services: pd.DataFrame  # services.parquet, plus `key`
    needs: pd.DataFrame  # partner x category, importance (default need filled in), `given`
    ranking: pd.DataFrame  # ranking.csv sorted by rank, plus `key`, `label`
    candidates: pd.DataFrame
    shortlist: pd.DataFrame
    field_tests: pd.DataFrame  # field_tests.csv plus `category` of the practice
    normalized: pd.DataFrame  # index `key`, one column per criterion: its value in [0, 1]
    weights: dict[str, float]  # the weights the ranking used, by criterion id
    weights_source: str
    weights_differ: bool  # the ranking used other weights than config/criteria.yaml
    rejected: pd.DataFrame | None
    submissions: pd.DataFrame | None
    weight_stability: pd.DataFrame | None
    has_monte_carlo: bool
    files: tuple[FileDigest, ...]
    plans_source: Callable[[], dict[str, PartnerPlan]] = dict  # read once, when first shown (`plans`)
    notes: tuple[str, ...] = field(default=())
    fieldwork: Evaluation | None = None  # the field-test evaluation, when reports are stored
    made_by: tuple[tuple[str, str], ...] = field(default=())  # (what, how it was made), for the annex
    manifests: tuple[Manifest, ...] = field(default=())  # the records the report was built from
    scoring: ScoringOutcome | None = None  # how the partners scored (p4c.scoring.apply)
    tau: pd.DataFrame | None = None  # Kendall's tau of each partner's weights' ranking vs the consensus
    lang: Language = "en"  # the language the report is written in (p4c.report.words)

    @functools.cached_property
    def plans(self) -> dict[str, PartnerPlan]:
        """The recommendation plans, by partner: read when the report first shows them."""
        return self.plans_source()

    @property
    def criterion_ids(self) -> list[str]:
        return [c.id for c in self.config.criteria]

    @property
    def partner_codes(self) -> list[str]:
        return [str(p) for p in self.partners["partner"]]

    def category_label(self, code: object, lang: str = "en") -> str:
        labels = {c.code: c.text(lang) for c in self.config.categories}
        return labels.get(str(code), str(code))


# --- reading -------------------------------------------------------------------------------------

_TEXT_COLUMNS = (
    "partner",
    "service_id",
    "title",
    "category",
    "missing",
    "reasons",
    "mode",
    "practice_partner",
    "need_category",
    "criterion",
    "file",
    "sha256",
    "time",
    "p4c_version",
)


def _missing(folder: Path, name: str, command: str) -> P4CError:
    return P4CError(
        f"{folder / name} is missing; it is made by `{command}`",
        hint=f"Run `{command}` (or `p4c run`) first, then `p4c report`.",
    )


def _read_csv(folder: Path, name: str, command: str, required: Sequence[str]) -> pd.DataFrame:
    path = folder / name
    if not path.is_file():
        raise _missing(folder, name, command)
    return read_stage_csv(path, required, text=_TEXT_COLUMNS, command=command)


def _optional(folder: Path, name: str, read: Callable[[], pd.DataFrame]) -> pd.DataFrame | None:
    return read() if (folder / name).is_file() else None


def _as_bool(series: pd.Series) -> pd.Series:
    """CSV booleans as written by pandas (True/False) or typed by hand (yes/1)."""
    if series.dtype == bool:
        return series
    words = {"true": True, "1": True, "yes": True, "y": True, "t": True, "1.0": True}
    return series.map(lambda v: words.get(str(v).strip().lower(), False)).astype(bool)


def _key(frame: pd.DataFrame, partner: str = "partner") -> pd.Series:
    return frame[partner].astype(str) + "/" + frame["service_id"].astype(str)


def _digest(path: Path) -> FileDigest:
    sha = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            sha.update(chunk)
    return FileDigest(path.name, sha.hexdigest(), path.stat().st_size)


def _plans_when_written(folder: Path, written: Callable[[], object] | None) -> dict[str, PartnerPlan]:
    from p4c.report.plans import read_plans

    if written is not None:
        written()
    return read_plans(folder)


def build_report(
    folder: Path, config: Config, config_text: str, options: ReportOptions = ReportOptions()
) -> Report:
    """Read the processed folder into a Report; a missing required file names the command."""
    crit_ids = [c.id for c in config.criteria]
    from p4c import store
    from p4c.evaluation.stage import evaluation_if_reported

    processed = store.load_processed(folder, config)
    services, partners_raw = processed.services, processed.partners
    needs_raw = processed.needs
    as_of = options.as_of or dt.date.today()
    with tempfile.TemporaryDirectory(prefix="p4c-report-") as scratch:
        src = _sources(folder, Path(scratch), config, processed, as_of)
    ranking, candidates, shortlist, tests = src.ranking, src.candidates, src.shortlist, src.tests
    rejected = store.read_table(folder, store.REJECTED)
    logged = store.submissions(folder)
    submissions = None if logged.empty else logged
    stability = _optional(
        folder,
        WEIGHT_STABILITY_FILE,
        lambda: _read_csv(
            folder, WEIGHT_STABILITY_FILE, STABILITY_COMMAND, ("criterion", "weight", "lo", "hi")
        ),
    )

    notes: list[str] = list(src.notes)
    services = services.copy()
    for column in SERVICE_KEY:
        services[column] = services[column].astype(str)
    for crit in config.score_criteria:
        if crit.id not in services.columns:
            services[crit.id] = float("nan")
    services["key"] = _key(services)

    ranking = _prepare_ranking(ranking, services, crit_ids, notes)
    candidates = candidates.assign(
        key=_key(candidates),
        eligible=_as_bool(candidates["eligible"]),
        shortlisted=_as_bool(candidates["shortlisted"]),
    )
    candidates = candidates.sort_values(["rank", "partner", "service_id"], kind="stable")
    shortlist = (
        shortlist.assign(key=_key(shortlist))
        .sort_values(["rank", "partner", "service_id"], kind="stable")
        .reset_index(drop=True)
    )
    tests = tests.assign(key=_key(tests, "practice_partner"), mode=tests["mode"].astype(str).str.upper())
    category_of = dict(zip(shortlist["key"], shortlist["category"], strict=True))
    tests["category"] = tests["key"].map(category_of)
    tests = tests.sort_values(["partner", "practice_partner", "service_id"], kind="stable")
    tests = tests.reset_index(drop=True)

    partners = _partner_table(
        partners_raw,
        services,
        ranking=ranking,
        candidates=candidates,
        shortlist=shortlist,
        tests=tests,
        submissions=submissions,
        config=config,
    )
    needs = _needs_grid(needs_raw, partners, config)

    normalized = _normalized(services, partners_raw, ranking, config)
    weights, source, differ = _weights_used(ranking, normalized, src.weights, config, processed.weights)
    stale = stale_phrase(processed.scoring)
    if stale:
        notes.append(stale)
    tau = None
    if processed.scoring is not None and processed.scoring.has_weights:
        from p4c.scoring.apply import partner_rankings

        tau = partner_rankings(processed.services, partners_raw, config, processed.scoring)
    if differ:
        notes.append(phrase("note_weights_differ", option="p4c rank --weight"))
    if stability is not None:
        stability = stability.copy()
        stability["criterion"] = stability["criterion"].astype(str)
        if not _stability_belongs(folder, stability, src.ranking_manifest, weights):
            stability = None
            notes.append(phrase("note_stability_dropped", command=STABILITY_COMMAND))

    read = [
        RANKING_FILE,
        CANDIDATES_FILE,
        SHORTLIST_FILE,
        FIELD_TESTS_FILE,
        RANKING_MANIFEST,
        SHORTLIST_MANIFEST,
    ]
    if stability is not None:
        read.insert(1, WEIGHT_STABILITY_FILE)
    files = tuple(
        _digest(folder / name) for name in read if name not in src.computed and (folder / name).is_file()
    )
    return Report(
        config=config,
        config_sha256=hashlib.sha256(config_text.encode("utf-8")).hexdigest(),
        as_of=as_of,
        version=__version__,
        partners=partners,
        services=services,
        needs=needs,
        ranking=ranking,
        candidates=candidates.reset_index(drop=True),
        shortlist=shortlist,
        field_tests=tests,
        normalized=normalized,
        weights=weights,
        weights_source=source,
        weights_differ=differ,
        rejected=rejected,
        submissions=submissions,
        weight_stability=stability,
        has_monte_carlo=all(c in ranking.columns for c in MC_COLUMNS)
        and bool(ranking["p_top"].notna().any()),
        plans_source=functools.partial(_plans_when_written, folder, options.plans_written),
        files=files,
        notes=tuple(notes),
        fieldwork=evaluation_if_reported(folder, config, options.as_of),
        made_by=tuple(src.made_by),
        manifests=tuple(m for m in (src.ranking_manifest, src.shortlist_manifest) if m is not None),
        scoring=processed.scoring,
        tau=tau,
        lang=options.lang,
    )


def _prepare_ranking(
    ranking: pd.DataFrame, services: pd.DataFrame, crit_ids: list[str], notes: list[str]
) -> pd.DataFrame:
    lacking = [c for c in crit_ids if c not in ranking.columns]
    if lacking:
        raise P4CError(
            f"{RANKING_FILE} has no contribution column for {', '.join(lacking)}",
            hint=f"The config changed since the ranking; run `{RANK_COMMAND}` again.",
        )
    ranking = ranking.assign(key=_key(ranking), complete=_as_bool(ranking["complete"]))
    ranking = ranking.sort_values(["rank", "partner", "service_id"], kind="stable")
    ranking = ranking.reset_index(drop=True)
    # columns as lists before a Python loop: iterating an Arrow string column goes value by value
    keys = ranking["key"].tolist()
    titles = dict(zip(services["key"].tolist(), services["title"].astype(str).tolist(), strict=True))
    ranking["title"] = [titles.get(k, t) for k, t in zip(keys, ranking["title"].tolist(), strict=True)]
    unknown = sorted(set(keys) - titles.keys())
    if unknown:
        notes.append(phrase("note_unknown", n=len(unknown), example=unknown[0], command=RANK_COMMAND))
    ranking["label"] = [
        f"{p} · {shorten(str(t), 42)}"
        for p, t in zip(ranking["partner"].tolist(), ranking["title"].tolist(), strict=True)
    ]
    return ranking


def _partner_table(
    raw: pd.DataFrame,
    services: pd.DataFrame,
    *,
    ranking: pd.DataFrame,
    candidates: pd.DataFrame,
    shortlist: pd.DataFrame,
    tests: pd.DataFrame,
    submissions: pd.DataFrame | None,
    config: Config,
) -> pd.DataFrame:
    """One row per partner: who they are, how many services, practices and tests."""
    codes = sorted(
        set(raw["partner"].astype(str).tolist())
        | set(services["partner"].tolist())
        | set(tests["partner"].astype(str).tolist())
    )
    info = raw.assign(partner=raw["partner"].astype(str)).drop_duplicates("partner", keep="last")
    info = info.set_index("partner")
    rows = []
    last = _last_ingests(submissions)
    # counts per partner once (a mask per partner over every service was quadratic in partners)
    n_services = services["partner"].value_counts()
    n_eligible = candidates.loc[candidates["eligible"], "partner"].astype(str).value_counts()
    n_short = shortlist["partner"].astype(str).value_counts()
    n_given = tests["practice_partner"].astype(str).value_counts()
    n_taken = tests["partner"].astype(str).value_counts()
    best = ranking.groupby(ranking["partner"].astype(str))["rank"].min()
    for code in codes:
        conf = config.partners.get(code)
        known = code in info.index
        row: dict[str, Any] = {
            "partner": code,
            "organisation": cell_text(info.at[code, "organisation"])
            if known and "organisation" in info
            else (conf.organisation if conf else ""),
            "region": cell_text(info.at[code, "region"])
            if known and "region" in info
            else (conf.region if conf else ""),
            "cluster_initiatives": number_or_none(info.at[code, "cluster_initiatives"])
            if known and "cluster_initiatives" in info
            else (conf.cluster_initiatives if conf else None),
            "contact": cell_text(info.at[code, "contact"]) if known and "contact" in info else "",
            "services": int(n_services.get(code, 0)),
            "eligible": int(n_eligible.get(code, 0)),
            "shortlisted": int(n_short.get(code, 0)),
            "tests_given": int(n_given.get(code, 0)),
            "tests_taken": int(n_taken.get(code, 0)),
            "best_rank": number_or_none(best.get(code)),
            "source_file": cell_text(info.at[code, "source_file"]) if known and "source_file" in info else "",
            "sha256": cell_text(info.at[code, "sha256"]) if known and "sha256" in info else "",
            "ingested_at": cell_text(info.at[code, "ingested_at"]) if known and "ingested_at" in info else "",
        }
        sub = last.get(code)
        for column in ("accepted", "rejected", "warnings"):
            row[column] = number_or_none(sub[column]) if sub is not None else None
        if sub is not None:
            row["source_file"] = row["source_file"] or cell_text(sub["file"])
            row["sha256"] = row["sha256"] or cell_text(sub["sha256"])
            row["ingested_at"] = row["ingested_at"] or cell_text(sub["time"])
        rows.append(row)
    return pd.DataFrame(rows)


def _last_ingests(submissions: pd.DataFrame | None) -> dict[str, pd.Series]:
    if submissions is None or submissions.empty:
        return {}
    ordered = submissions.assign(partner=submissions["partner"].astype(str)).sort_values(
        "time", kind="stable"
    )
    if "written" in ordered.columns:  # an ingest that wrote nothing did not make the data shown
        written = ordered[_as_bool(ordered["written"])]
        ordered = written if not written.empty else ordered
    return {str(code): group.iloc[-1] for code, group in ordered.groupby("partner", sort=True)}


def _needs_grid(needs: pd.DataFrame | None, partners: pd.DataFrame, config: Config) -> pd.DataFrame:
    """Every partner x category with its need; `given` = False where the default need applies."""
    given: dict[tuple[str, str], float] = {}
    if needs is not None:
        for part, cat, imp in zip(
            needs["partner"].astype(str), needs["category"].astype(str), needs["importance"], strict=True
        ):
            if finite(imp):
                given[(part, cat)] = float(imp)
    default = config.field_tests.default_need
    rows = [
        {
            "partner": p,
            "category": c.code,
            "importance": given.get((p, c.code), default),
            "given": (p, c.code) in given,
        }
        for p in partners["partner"]
        for c in config.categories
    ]
    return pd.DataFrame(rows, columns=["partner", "category", "importance", "given"])


def _normalized(
    services: pd.DataFrame, partners: pd.DataFrame, ranking: pd.DataFrame, config: Config
) -> pd.DataFrame:
    """Each ranked service's criterion values on [0, 1] (1 = best), normalized as `p4c rank` does
    (minmax runs over the ranked services, so only those are passed)."""
    from p4c.rank import normalized_matrix

    ranked = services[services["key"].isin(set(ranking["key"].tolist()))]
    values = normalized_matrix(ranked, partners, config)
    values.index = pd.Index(ranked["key"], name="key")
    return values.astype(float)


def _weights_used(
    ranking: pd.DataFrame,
    normalized: pd.DataFrame,
    recorded: dict[str, float] | None,
    config: Config,
    partners: dict[str, float] | None = None,
) -> tuple[dict[str, float], str, bool]:
    """The weights behind the ranking shown: as recorded with it, else read back from the
    contributions of complete services (contribution = weight x value), else the config's
    (`partners`: the partners' consensus, with `weights.from: partners`).

    Never from weight_stability.csv: `p4c rank` without --stability leaves an older one behind.
    """
    total = sum(c.weight for c in config.criteria) or 1.0
    configured = {c.id: c.weight / total for c in config.criteria}
    origin = phrase("ws_config")
    if partners:
        configured = {c.id: partners[c.id] for c in config.criteria}
        origin = phrase("ws_consensus")

    def differs(weights: dict[str, float]) -> bool:  # the CSVs round to 6 decimals
        return any(abs(weights[k] - configured[k]) > 5e-4 for k in configured)

    if recorded is not None and set(configured) <= set(recorded):
        weights = {k: float(recorded[k]) for k in configured}
        return weights, phrase("ws_recorded"), differs(weights)
    complete = ranking[ranking["complete"]].set_index("key")
    common = complete.index.intersection(normalized.index)
    inferred: dict[str, float] = {}
    for crit_id in configured:
        values = normalized.loc[common, crit_id]
        contrib = complete.loc[common, crit_id].astype(float)
        usable = values > 0.05
        if not usable.any():
            break
        ratios = contrib[usable] / values[usable]
        estimate = float(ratios.median())
        if float((contrib - estimate * values).abs().max()) > 1e-4:
            break
        inferred[crit_id] = estimate
    if len(inferred) == len(configured) and abs(sum(inferred.values()) - 1) < 1e-3:
        if differs(inferred):
            return inferred, phrase("ws_read_back"), True
        return configured, phrase("ws_same", origin=origin), False
    return configured, origin, False


# --- where the ranking and the shortlist come from ---------------------------------------------------

SHORTLIST_FILES = (CANDIDATES_FILE, SHORTLIST_FILE, FIELD_TESTS_FILE)
_RANKING_REQUIRED = ("rank", "partner", "service_id", "title", "category", "score", "complete")
_CANDIDATE_REQUIRED = (
    "partner",
    "service_id",
    "title",
    "category",
    "score",
    "rank",
    "eligible",
    "shortlisted",
    "reasons",
)
_SHORTLIST_REQUIRED = ("partner", "service_id", "title", "category", "score", "rank")
_TESTS_REQUIRED = ("partner", "practice_partner", "service_id", "title", "mode", "need", "match")


@dataclass(frozen=True)
class _Sources:
    """The ranking and shortlist tables the report shows, proven to belong together."""

    ranking: pd.DataFrame
    candidates: pd.DataFrame
    shortlist: pd.DataFrame
    tests: pd.DataFrame
    weights: dict[str, float] | None  # the ranking's weights when known (recorded or computed)
    ranking_manifest: Manifest | None  # a valid record of ranking.csv
    shortlist_manifest: Manifest | None  # a valid record of the shortlist files
    computed: tuple[str, ...]  # files computed for this report (not in the folder)
    notes: tuple[str, ...]
    made_by: tuple[tuple[str, str], ...]


def _rank_command(by: RankedBy) -> str:
    """The `p4c rank` command that ranks with `by`'s settings."""
    parts = ["p4c rank"]
    if by.method:
        parts.append(f"--method {by.method}")
    parts += [f"-w {k}={v:.6g}" for k, v in (by.weights or {}).items()]
    return " ".join(parts)


def _sources(folder: Path, scratch: Path, config: Config, processed: Any, as_of: dt.date) -> _Sources:
    """Read the ranking and the shortlist, or compute what is missing, and check they agree.

    - Each manifest must describe the files beside it (else the files are *unrecorded*) and, when
      valid, the current store and config (else a P4CError says what to run).
    - The shortlist must have been made from the ranking shown (fingerprints compared): when not,
      a P4CError names both files, their settings and what to run. No silent rebuild: the user
      chose those settings, and only they know which of the two they meant.
    - What is missing is computed for this report only (never written to the folder), so
      `p4c report` works right after `p4c ingest`, as `p4c shortlist` does: no shortlist files ->
      shortlisted from the ranking shown; no ranking.csv -> ranked with the shortlist's recorded
      settings (or the config's when there is no shortlist either).
    """
    from p4c import rank as rank_stage
    from p4c import shortlist as shortlist_stage
    from p4c.fastcsv import write_csv

    notes: list[str] = []
    computed: list[str] = []
    made_by: list[tuple[str, str]] = []
    present = [name for name in SHORTLIST_FILES if (folder / name).is_file()]
    if present and len(present) < len(SHORTLIST_FILES):
        absent = next(name for name in SHORTLIST_FILES if name not in present)
        raise _missing(folder, absent, SHORTLIST_COMMAND)
    rank_rec = read_manifest(folder, RANKING_MANIFEST, [RANKING_FILE])
    short_rec = read_manifest(folder, SHORTLIST_MANIFEST, list(SHORTLIST_FILES))
    have_ranking = (folder / RANKING_FILE).is_file()
    rank_m = rank_rec.manifest if rank_rec.valid and have_ranking else None
    short_m = short_rec.manifest if short_rec.valid and present else None
    for manifest, name, command in (
        (rank_m, RANKING_FILE, RANK_COMMAND),
        (short_m, SHORTLIST_FILE, SHORTLIST_COMMAND),
    ):
        if manifest is not None:
            problem = stale_against(
                manifest, name, config=config, partners=processed.partners, command=command
            )
            if problem is not None:
                raise problem

    weights: dict[str, float] | None = None
    if have_ranking:
        ranking = _read_csv(folder, RANKING_FILE, RANK_COMMAND, _RANKING_REQUIRED)
        if rank_m is not None:
            weights = dict(rank_m.ranked_by.weights) if rank_m.ranked_by.weights is not None else None
            made_by.append(
                (
                    RANKING_FILE,
                    phrase("made_recorded", settings=_settings(rank_m.ranked_by), when=rank_m.created_at),
                )
            )
        else:
            made_by.append((RANKING_FILE, phrase("made_unrecorded")))
    else:
        if present and (short_m is None or short_m.ranked_by.weights is None):
            raise P4CError(
                f"{folder / RANKING_FILE} is missing, and {SHORTLIST_FILE} does not record how it "
                "was ranked, so the report cannot show the ranking the shortlist was made from",
                hint=f"Run `{RANK_COMMAND}` with the options the shortlist was made with "
                f"(or `p4c run`), then `p4c report`.",
            )
        by = short_m.ranked_by if short_m is not None else RankedBy()
        ranked = rank_stage.rank(
            processed.services,
            processed.partners,
            config,
            rank_stage.RankOptions(method=by.method or "wsm", weights=dict(by.weights or {})),  # type: ignore[arg-type]
        )
        write_csv(ranked.table, scratch / RANKING_FILE)
        ranking = _read_csv(scratch, RANKING_FILE, RANK_COMMAND, _RANKING_REQUIRED)
        weights = dict(ranked.weights)
        computed.append(RANKING_FILE)
        text = RankedBy(method=ranked.method, weights=ranked.weights)
        made_by.append((RANKING_FILE, phrase("made_computed", settings=_settings(text))))
        basis = phrase("basis_shortlist" if present else "basis_config")
        notes.append(phrase("note_no_ranking", basis=basis, command=STABILITY_COMMAND))
    fingerprint = ranking_fingerprint(ranking)

    if present:
        if short_m is not None and short_m.ranking_sha256 != fingerprint:
            rank_text = rank_m.settings_text() if rank_m is not None else "settings not recorded"
            fix = (
                f"`{_rank_command(short_m.ranked_by)}` to rank as the shortlist did, or "
                if short_m.ranked_by.weights is not None
                else ""
            )
            raise P4CError(
                f"{SHORTLIST_FILE} and {RANKING_FILE} in {folder} come from different rankings "
                f"({SHORTLIST_FILE}: {short_m.settings_text()}; {RANKING_FILE}: {rank_text}): the report "
                "would show other scores than the shortlist's",
                hint=f"Run {fix}`p4c shortlist` with the same --method/--weight options as the "
                "`p4c rank` that wrote ranking.csv, or `p4c run` to redo every stage; then `p4c report`.",
            )
        candidates = _read_csv(folder, CANDIDATES_FILE, SHORTLIST_COMMAND, _CANDIDATE_REQUIRED)
        shortlist = _read_csv(folder, SHORTLIST_FILE, SHORTLIST_COMMAND, _SHORTLIST_REQUIRED)
        tests = _read_csv(folder, FIELD_TESTS_FILE, SHORTLIST_COMMAND, _TESTS_REQUIRED)
        if short_m is not None:
            made_by.append((SHORTLIST_FILE, _shortlist_text(short_m)))
        else:
            made_by.append((SHORTLIST_FILE, phrase("made_unrecorded")))
    else:
        result = shortlist_stage.shortlist(
            ranking,
            processed.services,
            processed.partners,
            processed.needs,
            config,
            shortlist_stage.ShortlistOptions(as_of=as_of),
        )
        for name, frame in zip(
            SHORTLIST_FILES, (result.candidates, result.shortlist, result.field_tests), strict=True
        ):
            write_csv(frame, scratch / name)
        candidates = _read_csv(scratch, CANDIDATES_FILE, SHORTLIST_COMMAND, _CANDIDATE_REQUIRED)
        shortlist = _read_csv(scratch, SHORTLIST_FILE, SHORTLIST_COMMAND, _SHORTLIST_REQUIRED)
        tests = _read_csv(scratch, FIELD_TESTS_FILE, SHORTLIST_COMMAND, _TESTS_REQUIRED)
        computed += list(SHORTLIST_FILES)
        made_by.append((SHORTLIST_FILE, phrase("made_shortlist_computed", as_of=as_of.isoformat())))
        notes.append(phrase("note_no_shortlist", as_of=as_of.isoformat(), command=SHORTLIST_COMMAND))
    return _Sources(
        ranking=ranking,
        candidates=candidates,
        shortlist=shortlist,
        tests=tests,
        weights=weights,
        ranking_manifest=rank_m,
        shortlist_manifest=short_m,
        computed=tuple(computed),
        notes=tuple(notes),
        made_by=tuple(made_by),
    )


def _settings(by: RankedBy) -> tuple[str, ...]:
    """The ranking settings in words (as Manifest.settings_text says them), in any language."""
    if by.method is None and by.weights is None:
        return (phrase("settings_none"),)
    parts: list[str] = [by.method or phrase("settings_method_unknown")]
    if by.weights is not None:
        parts.append(
            phrase("settings_weights", weights=", ".join(f"{k} {v:.3f}" for k, v in by.weights.items()))
        )
    if by.samples:
        parts.append(phrase("settings_draws", draws=by.samples, seed=str(by.seed)))
    return tuple(parts)


def _shortlist_text(manifest: Manifest) -> Phrase:
    opts = manifest.options
    return phrase(
        "made_shortlist",
        as_of=manifest.as_of,
        size=str(opts.get("size")),
        per_partner=str(opts.get("max_per_partner")),
        tests=str(opts.get("tests_per_partner")),
        settings=_settings(manifest.ranked_by),
    )


def stale_phrase(outcome: ScoringOutcome | None) -> Phrase | None:
    """The note on scores of services that no longer exist (ScoringOutcome.stale_note, translatable)."""
    if outcome is None or outcome.stale.empty:
        return None
    first = outcome.stale.iloc[0]
    raters = ", ".join(sorted(str(r) for r in outcome.stale["rater"].unique()))
    return phrase(
        "note_stale",
        n=int(outcome.stale_scores),
        example=f"{first['partner']} {first['service_id']}",
        raters=raters,
    )


def _stability_belongs(
    folder: Path, stability: pd.DataFrame, manifest: Manifest | None, weights: dict[str, float]
) -> bool:
    """Whether weight_stability.csv was computed for the ranking shown.

    With a record of the ranking: the file must be the one recorded with it. Without: its weights
    must be the ranking's (as read back), since `p4c rank` without --stability leaves an old one.
    """
    if manifest is not None:
        return manifest.outputs.get(WEIGHT_STABILITY_FILE) == file_sha256(folder / WEIGHT_STABILITY_FILE)
    stated = dict(zip(stability["criterion"].astype(str), stability["weight"].astype(float), strict=True))
    return set(weights) <= set(stated) and weights_match({k: stated[k] for k in weights}, weights)


# --- small helpers -------------------------------------------------------------------------------


# --- charts --------------------------------------------------------------------------------------


# --- HTML ----------------------------------------------------------------------------------------


# --- Excel ---------------------------------------------------------------------------------------


# --- writing -------------------------------------------------------------------------------------
