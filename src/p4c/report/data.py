"""`p4c report`: one self-contained HTML report and one formatted Excel workbook.

The report only reads what the earlier stages saved in the processed folder, so it can be rebuilt
at any time and e-mailed: the HTML has no external reference (charts are inline SVG, styles are
inline), and partner text is always escaped. Missing optional inputs (Monte Carlo, weight
stability, rejected rows) make their section say how to produce them instead of failing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from p4c import __version__
from p4c.errors import P4CError
from p4c.io import FORMULA_PREFIXES
from p4c.report.format import cell_text, finite, number_or_none, shorten
from p4c.store import (
    CANDIDATES_FILE,
    FIELD_TESTS_FILE,
    RANKING_FILE,
    SHORTLIST_FILE,
    WEIGHT_STABILITY_FILE,
)

if TYPE_CHECKING:
    from p4c.config import Config
    from p4c.scoring.apply import ScoringOutcome


RANK_COMMAND = "p4c rank"
STABILITY_COMMAND = "p4c rank --samples 1000 --stability"
SHORTLIST_COMMAND = "p4c shortlist"
INGEST_COMMAND = "p4c ingest data/raw/*"

TOP_N = 20
MC_COLUMNS = ("p_top", "rank_p05", "rank_p50", "rank_p95")
MODES = ("IMPLEMENTATION", "WORKSHOP")


@dataclass(frozen=True)
class ReportOptions:
    """How to build the report."""

    as_of: dt.date | None = None  # date printed on the report (None -> today)


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
    notes: tuple[str, ...] = field(default=())
    scoring: ScoringOutcome | None = None  # how the partners scored (p4c.scoring.apply)
    tau: pd.DataFrame | None = None  # Kendall's tau of each partner's weights' ranking vs the consensus

    @property
    def criterion_ids(self) -> list[str]:
        return [c.id for c in self.config.criteria]

    @property
    def partner_codes(self) -> list[str]:
        return [str(p) for p in self.partners["partner"]]

    def category_label(self, code: object) -> str:
        labels = {c.code: c.text() for c in self.config.categories}
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


def _unneutralise(value: object) -> object:
    """Undo io.neutralise: the CSVs prefix formula-like text with `'`; the report shows the text."""
    if (
        isinstance(value, str)
        and value.startswith("'")
        and value[1:2]
        and value[1] in "".join(FORMULA_PREFIXES)
    ):
        return value[1:]
    return value


def _missing(folder: Path, name: str, command: str) -> P4CError:
    return P4CError(
        f"{folder / name} is missing; it is made by `{command}`",
        hint=f"Run `{command}` (or `p4c run`) first, then `p4c report`.",
    )


def _read_csv(folder: Path, name: str, command: str, required: Sequence[str]) -> pd.DataFrame:
    """A stage's CSV with text columns kept as text (`007`, `NA`) and formula guards undone."""
    path = folder / name
    if not path.is_file():
        raise _missing(folder, name, command)
    try:
        frame = pd.read_csv(
            path,
            encoding="utf-8-sig",
            keep_default_na=False,
            na_values=[""],
            dtype=dict.fromkeys(_TEXT_COLUMNS, str),
        )
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise P4CError(
            f"{path} cannot be read ({exc})", hint=f"Run `{command}` again to rewrite it."
        ) from None
    lacking = [c for c in required if c not in frame.columns]
    if lacking:
        raise P4CError(
            f"{path} lacks the column(s) {', '.join(lacking)}",
            hint=f"It was written by another version of p4c; run `{command}` again.",
        )
    for column in frame.columns:
        if frame[column].dtype == object or str(frame[column].dtype) in ("str", "string"):
            frame[column] = frame[column].map(_unneutralise)
    return frame


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


def build_report(
    folder: Path, config: Config, config_text: str, options: ReportOptions = ReportOptions()
) -> Report:
    """Read the processed folder into a Report; a missing required file names the command."""
    crit_ids = [c.id for c in config.criteria]
    from p4c import store

    processed = store.load_processed(folder, config)
    services, partners_raw = processed.services, processed.partners
    needs_raw = processed.needs
    ranking = _read_csv(
        folder,
        RANKING_FILE,
        RANK_COMMAND,
        ("rank", "partner", "service_id", "title", "category", "score", "complete"),
    )
    candidates = _read_csv(
        folder,
        CANDIDATES_FILE,
        SHORTLIST_COMMAND,
        ("partner", "service_id", "title", "category", "score", "rank", "eligible", "shortlisted", "reasons"),
    )
    shortlist = _read_csv(
        folder,
        SHORTLIST_FILE,
        SHORTLIST_COMMAND,
        ("partner", "service_id", "title", "category", "score", "rank"),
    )
    tests = _read_csv(
        folder,
        FIELD_TESTS_FILE,
        SHORTLIST_COMMAND,
        ("partner", "practice_partner", "service_id", "title", "mode", "need", "match"),
    )
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

    notes: list[str] = []
    services = services.copy()
    for column in ("partner", "service_id"):
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
    weights, source, differ = _weights_used(ranking, normalized, stability, config, processed.weights)
    stale = processed.scoring.stale_note() if processed.scoring is not None else None
    if stale:
        notes.append(f"Stale scores: {stale}.")
    tau = None
    if processed.scoring is not None and processed.scoring.has_weights:
        from p4c.scoring.apply import partner_rankings

        tau = partner_rankings(processed.services, partners_raw, config, processed.scoring)
    if differ:
        notes.append(
            "The ranking was computed with weights that differ from config/criteria.yaml "
            "(`p4c rank --weight` overrides); the weights shown are the ones it used."
        )
    if stability is not None:
        stability = stability.copy()
        stability["criterion"] = stability["criterion"].astype(str)

    read = [RANKING_FILE, WEIGHT_STABILITY_FILE, CANDIDATES_FILE, SHORTLIST_FILE, FIELD_TESTS_FILE]
    files = tuple(_digest(folder / name) for name in read if (folder / name).is_file())
    return Report(
        config=config,
        config_sha256=hashlib.sha256(config_text.encode("utf-8")).hexdigest(),
        as_of=options.as_of or dt.date.today(),
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
        files=files,
        notes=tuple(notes),
        scoring=processed.scoring,
        tau=tau,
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
    titles = dict(zip(services["key"], services["title"].astype(str), strict=True))
    ranking["title"] = [titles.get(k, t) for k, t in zip(ranking["key"], ranking["title"], strict=True)]
    unknown = sorted(set(ranking["key"]) - set(services["key"]))
    if unknown:
        notes.append(
            f"{len(unknown)} ranked service(s) are no longer in the processed data "
            f"(e.g. {unknown[0]}); run `{RANK_COMMAND}` again."
        )
    ranking["label"] = [
        f"{p} · {shorten(str(t), 42)}" for p, t in zip(ranking["partner"], ranking["title"], strict=True)
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
        set(raw["partner"].astype(str)) | set(services["partner"]) | set(tests["partner"].astype(str))
    )
    info = raw.assign(partner=raw["partner"].astype(str)).drop_duplicates("partner", keep="last")
    info = info.set_index("partner")
    rows = []
    last = _last_ingests(submissions)
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
            "services": int((services["partner"] == code).sum()),
            "eligible": int((candidates["eligible"] & (candidates["partner"] == code)).sum()),
            "shortlisted": int((shortlist["partner"] == code).sum()),
            "tests_given": int((tests["practice_partner"] == code).sum()),
            "tests_taken": int((tests["partner"] == code).sum()),
            "best_rank": number_or_none(ranking.loc[ranking["partner"] == code, "rank"].min()),
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

    ranked = services[services["key"].isin(set(ranking["key"]))]
    values = normalized_matrix(ranked, partners, config)
    values.index = pd.Index(ranked["key"], name="key")
    return values.astype(float)


def _weights_used(
    ranking: pd.DataFrame,
    normalized: pd.DataFrame,
    stability: pd.DataFrame | None,
    config: Config,
    partners: dict[str, float] | None = None,
) -> tuple[dict[str, float], str, bool]:
    """The weights behind ranking.csv: stated by the stability file, else read back from the
    contributions of complete services (contribution = weight x value), else the config's
    (`partners`: the partners' consensus, with `weights.from: partners`)."""
    total = sum(c.weight for c in config.criteria) or 1.0
    configured = {c.id: c.weight / total for c in config.criteria}
    origin = "config/criteria.yaml"
    if partners:
        configured = {c.id: partners[c.id] for c in config.criteria}
        origin = "the partners' consensus weights (weights.from: partners)"

    def differs(weights: dict[str, float]) -> bool:  # the CSVs round to 6 decimals
        return any(abs(weights[k] - configured[k]) > 5e-4 for k in configured)

    if stability is not None and set(configured) <= set(stability["criterion"]):
        stated = dict(zip(stability["criterion"], stability["weight"].astype(float), strict=True))
        weights = {k: float(stated[k]) for k in configured}
        return weights, f"{WEIGHT_STABILITY_FILE} (the weights of the last ranking)", differs(weights)
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
            return inferred, f"{RANKING_FILE} (read back from the contributions)", True
        return configured, f"{origin} (the ranking used the same)", False
    return configured, origin, False


# --- small helpers -------------------------------------------------------------------------------


# --- charts --------------------------------------------------------------------------------------


# --- HTML ----------------------------------------------------------------------------------------


# --- Excel ---------------------------------------------------------------------------------------


# --- writing -------------------------------------------------------------------------------------
