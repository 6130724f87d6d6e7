"""`p4c report`: one self-contained HTML report and one formatted Excel workbook.

The report only reads what the earlier stages saved in the processed folder, so it can be rebuilt
at any time and e-mailed: the HTML has no external reference (charts are inline SVG, styles are
inline), and partner text is always escaped. Missing optional inputs (Monte Carlo, weight
stability, rejected rows) make their section say how to produce them instead of failing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import math
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import pandas as pd

from p4c import __version__
from p4c.errors import P4CError
from p4c.ingest import NEEDS_FILE, PARTNERS_FILE, REJECTED_FILE, SERVICES_FILE, SUBMISSIONS_FILE
from p4c.io import FORMULA_PREFIXES, SheetSpec, write_text, write_xlsx

if TYPE_CHECKING:
    import jinja2
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from p4c.config import Config

RANKING_FILE = "ranking.csv"
WEIGHT_STABILITY_FILE = "weight_stability.csv"
CANDIDATES_FILE = "candidates.csv"
SHORTLIST_FILE = "shortlist.csv"
FIELD_TESTS_FILE = "field_tests.csv"
HTML_FILE = "report.html"
XLSX_FILE = "report.xlsx"

RANK_COMMAND = "p4c rank"
STABILITY_COMMAND = "p4c rank --samples 1000 --stability"
SHORTLIST_COMMAND = "p4c shortlist"
INGEST_COMMAND = "p4c ingest data/raw/*"

TOP_N = 20
MC_COLUMNS = ("p_top", "rank_p05", "rank_p50", "rank_p95")
MODES = ("IMPLEMENTATION", "WORKSHOP")

# A restrained qualitative palette (Tableau 10): one colour per criterion, the same in every chart.
CRITERION_COLORS = ("#4E79A7", "#F28E2B", "#59A14F", "#E15759", "#76B7B2", "#EDC948", "#B07AA1",
                    "#9C755F", "#FF9DA7", "#BAB0AC")
ACCENT = "#1F4E79"
ACCENT_LIGHT = "#A9C2DA"
NEUTRAL = "#D5DBE1"
INK = "#1F2933"
MUTED = "#616E7C"
GRID = "#E4E7EB"

# matplotlib settings for every chart: text stays text (small, searchable, styled by the page's
# font), a fixed hash salt and no date so the same inputs give byte-identical SVG.
CHART_RC: dict[str, Any] = {
    "svg.fonttype": "none",
    "svg.hashsalt": "p4c-report",
    "text.parse_math": False,
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.labelsize": 9,
    "axes.edgecolor": "#9AA5B1",
    "axes.labelcolor": INK,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.axisbelow": True,
    "text.color": INK,
    "xtick.color": MUTED,
    "ytick.color": INK,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "grid.color": GRID,
    "grid.linewidth": 0.8,
    "legend.frameon": False,
    "legend.fontsize": 8,
}


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
    partners: pd.DataFrame      # one row per partner code, with counts and the last ingest
    services: pd.DataFrame      # services.parquet, plus `key`
    needs: pd.DataFrame         # partner x category, importance (default need filled in), `given`
    ranking: pd.DataFrame       # ranking.csv sorted by rank, plus `key`, `label`
    candidates: pd.DataFrame
    shortlist: pd.DataFrame
    field_tests: pd.DataFrame   # field_tests.csv plus `category` of the practice
    normalized: pd.DataFrame    # index `key`, one column per criterion: its value in [0, 1]
    weights: dict[str, float]   # the weights the ranking used, by criterion id
    weights_source: str
    weights_differ: bool        # the ranking used other weights than config/criteria.yaml
    rejected: pd.DataFrame | None
    submissions: pd.DataFrame | None
    weight_stability: pd.DataFrame | None
    has_monte_carlo: bool
    files: tuple[FileDigest, ...]
    notes: tuple[str, ...] = field(default=())

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

_TEXT_COLUMNS = ("partner", "service_id", "title", "category", "missing", "reasons", "mode",
                 "practice_partner", "need_category", "criterion", "file", "sha256", "time",
                 "p4c_version")


def _unneutralise(value: object) -> object:
    """Undo io.neutralise: the CSVs prefix formula-like text with `'`; the report shows the text."""
    if isinstance(value, str) and value.startswith("'") and value[1:2] and value[1] in "".join(
            FORMULA_PREFIXES):
        return value[1:]
    return value


def _missing(folder: Path, name: str, command: str) -> P4CError:
    return P4CError(f"{folder / name} is missing; it is made by `{command}`",
                    hint=f"Run `{command}` (or `p4c run`) first, then `p4c report`.")


def _read_csv(folder: Path, name: str, command: str, required: Sequence[str]) -> pd.DataFrame:
    """A stage's CSV with text columns kept as text (`007`, `NA`) and formula guards undone."""
    path = folder / name
    if not path.is_file():
        raise _missing(folder, name, command)
    try:
        frame = pd.read_csv(path, encoding="utf-8-sig", keep_default_na=False, na_values=[""],
                            dtype=dict.fromkeys(_TEXT_COLUMNS, str))
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise P4CError(f"{path} cannot be read ({exc})",
                       hint=f"Run `{command}` again to rewrite it.") from None
    lacking = [c for c in required if c not in frame.columns]
    if lacking:
        raise P4CError(f"{path} lacks the column(s) {', '.join(lacking)}",
                       hint=f"It was written by another version of p4c; run `{command}` again.")
    for column in frame.columns:
        if frame[column].dtype == object or str(frame[column].dtype) in ("str", "string"):
            frame[column] = frame[column].map(_unneutralise)
    return frame


def _read_parquet(folder: Path, name: str, command: str) -> pd.DataFrame:
    path = folder / name
    if not path.is_file():
        raise _missing(folder, name, command)
    try:
        return pd.read_parquet(path)
    except (OSError, ValueError) as exc:
        raise P4CError(f"{path} cannot be read ({exc})",
                       hint=f"Run `{command}` again to rewrite it.") from None


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


def build_report(folder: Path, config: Config, config_text: str,
                 options: ReportOptions = ReportOptions()) -> Report:
    """Read the processed folder into a Report; a missing required file names the command."""
    crit_ids = [c.id for c in config.criteria]
    services = _read_parquet(folder, SERVICES_FILE, INGEST_COMMAND)
    partners_raw = _read_parquet(folder, PARTNERS_FILE, INGEST_COMMAND)
    ranking = _read_csv(folder, RANKING_FILE, RANK_COMMAND,
                        ("rank", "partner", "service_id", "title", "category", "score", "complete"))
    candidates = _read_csv(folder, CANDIDATES_FILE, SHORTLIST_COMMAND,
                           ("partner", "service_id", "title", "category", "score", "rank", "eligible",
                            "shortlisted", "reasons"))
    shortlist = _read_csv(folder, SHORTLIST_FILE, SHORTLIST_COMMAND,
                          ("partner", "service_id", "title", "category", "score", "rank"))
    tests = _read_csv(folder, FIELD_TESTS_FILE, SHORTLIST_COMMAND,
                      ("partner", "practice_partner", "service_id", "title", "mode", "need", "match"))
    needs_raw = _optional(folder, NEEDS_FILE,
                          lambda: _read_parquet(folder, NEEDS_FILE, INGEST_COMMAND))
    rejected = _optional(folder, REJECTED_FILE,
                         lambda: _read_parquet(folder, REJECTED_FILE, INGEST_COMMAND))
    submissions = _optional(folder, SUBMISSIONS_FILE, lambda: _read_csv(
        folder, SUBMISSIONS_FILE, INGEST_COMMAND,
        ("time", "partner", "file", "sha256", "accepted", "rejected", "warnings")))
    stability = _optional(folder, WEIGHT_STABILITY_FILE, lambda: _read_csv(
        folder, WEIGHT_STABILITY_FILE, STABILITY_COMMAND, ("criterion", "weight", "lo", "hi")))

    notes: list[str] = []
    services = services.copy()
    for column in ("partner", "service_id"):
        services[column] = services[column].astype(str)
    for crit in config.score_criteria:
        if crit.id not in services.columns:
            services[crit.id] = float("nan")
    services["key"] = _key(services)

    ranking = _prepare_ranking(ranking, services, crit_ids, notes)
    candidates = candidates.assign(key=_key(candidates), eligible=_as_bool(candidates["eligible"]),
                                   shortlisted=_as_bool(candidates["shortlisted"]))
    candidates = candidates.sort_values(["rank", "partner", "service_id"], kind="stable")
    shortlist = shortlist.assign(key=_key(shortlist)).sort_values(
        ["rank", "partner", "service_id"], kind="stable").reset_index(drop=True)
    tests = tests.assign(key=_key(tests, "practice_partner"),
                         mode=tests["mode"].astype(str).str.upper())
    category_of = dict(zip(shortlist["key"], shortlist["category"], strict=True))
    tests["category"] = tests["key"].map(category_of)
    tests = tests.sort_values(["partner", "practice_partner", "service_id"], kind="stable")
    tests = tests.reset_index(drop=True)

    partners = _partner_table(partners_raw, services, ranking=ranking, candidates=candidates,
                              shortlist=shortlist, tests=tests, submissions=submissions,
                              config=config)
    needs = _needs_grid(needs_raw, partners, config)

    normalized = _normalized(services, partners_raw, ranking, config)
    weights, source, differ = _weights_used(ranking, normalized, stability, config)
    if differ:
        notes.append("The ranking was computed with weights that differ from config/criteria.yaml "
                     "(`p4c rank --weight` overrides); the weights shown are the ones it used.")
    if stability is not None:
        stability = stability.copy()
        stability["criterion"] = stability["criterion"].astype(str)

    read = [SERVICES_FILE, PARTNERS_FILE, NEEDS_FILE, REJECTED_FILE, SUBMISSIONS_FILE, RANKING_FILE,
            WEIGHT_STABILITY_FILE, CANDIDATES_FILE, SHORTLIST_FILE, FIELD_TESTS_FILE]
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
    )


def _prepare_ranking(ranking: pd.DataFrame, services: pd.DataFrame, crit_ids: list[str],
                     notes: list[str]) -> pd.DataFrame:
    lacking = [c for c in crit_ids if c not in ranking.columns]
    if lacking:
        raise P4CError(f"{RANKING_FILE} has no contribution column for {', '.join(lacking)}",
                       hint=f"The config changed since the ranking; run `{RANK_COMMAND}` again.")
    ranking = ranking.assign(key=_key(ranking), complete=_as_bool(ranking["complete"]))
    ranking = ranking.sort_values(["rank", "partner", "service_id"], kind="stable")
    ranking = ranking.reset_index(drop=True)
    titles = dict(zip(services["key"], services["title"].astype(str), strict=True))
    ranking["title"] = [titles.get(k, t) for k, t in zip(ranking["key"], ranking["title"], strict=True)]
    unknown = sorted(set(ranking["key"]) - set(services["key"]))
    if unknown:
        notes.append(f"{len(unknown)} ranked service(s) are no longer in the processed data "
                     f"(e.g. {unknown[0]}); run `{RANK_COMMAND}` again.")
    ranking["label"] = [f"{p} · {_short(str(t), 42)}" for p, t in
                        zip(ranking["partner"], ranking["title"], strict=True)]
    return ranking


def _partner_table(raw: pd.DataFrame, services: pd.DataFrame, *, ranking: pd.DataFrame,
                   candidates: pd.DataFrame, shortlist: pd.DataFrame, tests: pd.DataFrame,
                   submissions: pd.DataFrame | None, config: Config) -> pd.DataFrame:
    """One row per partner: who they are, how many services, practices and tests."""
    codes = sorted(set(raw["partner"].astype(str)) | set(services["partner"])
                   | set(tests["partner"].astype(str)))
    info = raw.assign(partner=raw["partner"].astype(str)).drop_duplicates("partner", keep="last")
    info = info.set_index("partner")
    rows = []
    last = _last_ingests(submissions)
    for code in codes:
        conf = config.partners.get(code)
        known = code in info.index
        row: dict[str, Any] = {
            "partner": code,
            "organisation": _text(info.at[code, "organisation"]) if known and "organisation" in info
            else (conf.organisation if conf else ""),
            "region": _text(info.at[code, "region"]) if known and "region" in info
            else (conf.region if conf else ""),
            "cluster_initiatives": _number(info.at[code, "cluster_initiatives"])
            if known and "cluster_initiatives" in info else (conf.cluster_initiatives if conf else None),
            "contact": _text(info.at[code, "contact"]) if known and "contact" in info else "",
            "services": int((services["partner"] == code).sum()),
            "eligible": int((candidates["eligible"] & (candidates["partner"] == code)).sum()),
            "shortlisted": int((shortlist["partner"] == code).sum()),
            "tests_given": int((tests["practice_partner"] == code).sum()),
            "tests_taken": int((tests["partner"] == code).sum()),
            "best_rank": _number(ranking.loc[ranking["partner"] == code, "rank"].min()),
            "source_file": _text(info.at[code, "source_file"]) if known and "source_file" in info
            else "",
            "sha256": _text(info.at[code, "sha256"]) if known and "sha256" in info else "",
            "ingested_at": _text(info.at[code, "ingested_at"]) if known and "ingested_at" in info
            else "",
        }
        sub = last.get(code)
        for column in ("accepted", "rejected", "warnings"):
            row[column] = _number(sub[column]) if sub is not None else None
        if sub is not None:
            row["source_file"] = row["source_file"] or _text(sub["file"])
            row["sha256"] = row["sha256"] or _text(sub["sha256"])
            row["ingested_at"] = row["ingested_at"] or _text(sub["time"])
        rows.append(row)
    return pd.DataFrame(rows)


def _last_ingests(submissions: pd.DataFrame | None) -> dict[str, pd.Series]:
    if submissions is None or submissions.empty:
        return {}
    ordered = submissions.assign(partner=submissions["partner"].astype(str)).sort_values(
        "time", kind="stable")
    if "written" in ordered.columns:  # an ingest that wrote nothing did not make the data shown
        written = ordered[_as_bool(ordered["written"])]
        ordered = written if not written.empty else ordered
    return {str(code): group.iloc[-1] for code, group in ordered.groupby("partner", sort=True)}


def _needs_grid(needs: pd.DataFrame | None, partners: pd.DataFrame, config: Config) -> pd.DataFrame:
    """Every partner x category with its need; `given` = False where the default need applies."""
    given: dict[tuple[str, str], float] = {}
    if needs is not None:
        for part, cat, imp in zip(needs["partner"].astype(str), needs["category"].astype(str),
                                  needs["importance"], strict=True):
            if _finite(imp):
                given[(part, cat)] = float(imp)
    default = config.field_tests.default_need
    rows = [{"partner": p, "category": c.code, "importance": given.get((p, c.code), default),
             "given": (p, c.code) in given}
            for p in partners["partner"] for c in config.categories]
    return pd.DataFrame(rows, columns=["partner", "category", "importance", "given"])


def _normalized(services: pd.DataFrame, partners: pd.DataFrame, ranking: pd.DataFrame,
                config: Config) -> pd.DataFrame:
    """Each ranked service's criterion values on [0, 1] (1 = best), normalized as `p4c rank` does
    (minmax runs over the ranked services, so only those are passed)."""
    from p4c.rank import normalized_matrix

    ranked = services[services["key"].isin(set(ranking["key"]))]
    values = normalized_matrix(ranked, partners, config)
    values.index = pd.Index(ranked["key"], name="key")
    return values.astype(float)


def _weights_used(ranking: pd.DataFrame, normalized: pd.DataFrame, stability: pd.DataFrame | None,
                  config: Config) -> tuple[dict[str, float], str, bool]:
    """The weights behind ranking.csv: stated by the stability file, else read back from the
    contributions of complete services (contribution = weight x value), else the config's."""
    total = sum(c.weight for c in config.criteria) or 1.0
    configured = {c.id: c.weight / total for c in config.criteria}

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
        return configured, "config/criteria.yaml (the ranking used the same)", False
    return configured, "config/criteria.yaml", False


# --- small helpers -------------------------------------------------------------------------------

def _finite(value: object) -> bool:
    try:
        return math.isfinite(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def _f(value: object) -> float:
    """Any cell as a float, NaN when it is not a finite number."""
    return float(value) if _finite(value) else math.nan  # type: ignore[arg-type]


def _number(value: object) -> float | None:
    return float(value) if _finite(value) else None  # type: ignore[arg-type]


def _text(value: object) -> str:
    """A cell as text; missing values (None, NaN, NA, NaT) as nothing."""
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    return str(value)


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _fmt(value: object, pattern: str = "{:.3f}", empty: str = "–") -> str:
    return pattern.format(float(value)) if _finite(value) else empty  # type: ignore[arg-type]


def _int(value: object, empty: str = "–") -> str:
    return f"{round(float(value))}" if _finite(value) else empty  # type: ignore[arg-type]


def _pct(value: object, empty: str = "–") -> str:
    return f"{100 * float(value):.0f}%" if _finite(value) else empty  # type: ignore[arg-type]


# --- charts --------------------------------------------------------------------------------------

@contextmanager
def _chart_style() -> Iterator[None]:
    import matplotlib

    with matplotlib.rc_context(cast(Any, CHART_RC)):
        yield


class _Charts:
    """Renders figures to inline SVG with ids unique within the page."""

    def __init__(self) -> None:
        self.count = 0

    def svg(self, fig: Figure, label: str) -> str:
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg", metadata={"Date": None}, facecolor="white")
        self.count += 1
        return _clean_svg(buffer.getvalue(), f"c{self.count}", label)


def _clean_svg(text: str, prefix: str, label: str) -> str:
    """Inline-ready SVG: no prolog, DOCTYPE or metadata; ids namespaced; sized by the page."""
    from markupsafe import escape

    text = text[text.index("<svg"):]
    text = re.sub(r"<metadata>.*?</metadata>\s*", "", text, flags=re.DOTALL)
    text = re.sub(r'\sid="([^"]+)"', lambda m: f' id="{prefix}-{m.group(1)}"', text)
    text = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{prefix}-{m.group(1)})", text)
    text = re.sub(r'xlink:href="#([^"]+)"', lambda m: f'xlink:href="#{prefix}-{m.group(1)}"', text)
    return re.sub(r'<svg([^>]*?)\swidth="[^"]*"\sheight="[^"]*"',
                  lambda m: f'<svg{m.group(1)} role="img" aria-label="{escape(label)}"', text,
                  count=1)


def _new_figure(width: float, rows: float, row_height: float, *, labels: Sequence[str] = (),
                label_size: float = 8, top: float = 6, bottom: float = 6, right: float = 8,
                left: float | None = None) -> tuple[Figure, Axes]:
    """A figure `width` inches wide whose axes sit at fixed margins (in points) fitted to its
    labels. The figure's size (so the text size once the page scales it to the column) is the one
    asked for, and it is twice as fast as constrained layout, which draws every figure twice."""
    from matplotlib.figure import Figure

    margin = left if left is not None else (_text_width(labels, label_size) + 10 if labels else 6)
    width_pt = width * 72
    height_pt = rows * row_height * 72 + top + bottom
    fig = Figure(figsize=(width, height_pt / 72))
    fig.subplots_adjust(left=min(margin / width_pt, 0.6), right=1 - right / width_pt,
                        bottom=bottom / height_pt, top=1 - top / height_pt)
    return fig, fig.add_subplot()


@lru_cache(maxsize=1)
def _measurer() -> Any:
    from matplotlib.backends.backend_agg import RendererAgg

    return RendererAgg(16, 16, 72)  # type: ignore[no-untyped-call]  # 72 dpi: 1 pixel = 1 point


def _text_width(texts: Sequence[str], size: float) -> float:
    """The width in points of the widest text, as matplotlib will lay it out."""
    from matplotlib.font_manager import FontProperties

    prop = FontProperties(family="sans-serif", size=size)
    renderer = _measurer()
    return max((float(renderer.get_text_width_height_descent(t, prop, ismath=False)[0])
                for t in texts), default=0.0)


# margins in points: x tick labels alone, with an axis title under them, a one-row legend on top
TICKS = 18.0
TICKS_AND_TITLE = 32.0
LEGEND = 22.0


def _chart_label(report: Report, crit_id: str, limit: int = 24) -> str:
    """A criterion's label short enough for an axis: without its (parenthesised) gloss."""
    if crit_id not in report.criterion_ids:
        return crit_id
    text = report.config.criterion(crit_id).text()
    return _short(re.sub(r"\s*\([^)]*\)", "", text) or text, limit)


def _criterion_colors(report: Report) -> dict[str, str]:
    return {c: CRITERION_COLORS[i % len(CRITERION_COLORS)] for i, c in enumerate(report.criterion_ids)}


def _chart_heatmap(charts: _Charts, report: Report) -> str:
    import numpy as np

    codes = report.partner_codes
    cats = [c.code for c in report.config.categories]
    extra = sorted(set(report.services["category"].astype(str)) - set(cats))
    cats += extra
    counts = pd.crosstab(report.services["partner"], report.services["category"].astype(str))
    counts = counts.reindex(index=codes, columns=cats, fill_value=0)
    grid = counts.to_numpy(dtype=float)
    rotated = _text_width(cats, 8) * 0.71 + 14  # x labels at 45 degrees
    fig, ax = _new_figure(9.0, len(codes), 0.27, labels=codes, bottom=rotated, top=3)
    shown = np.where(grid > 0, grid, np.nan)
    top = max(float(np.nanmax(grid)) if grid.size else 1.0, 1.0)
    # vector cells (not imshow, which embeds a bitmap): crisp on screen and on paper
    ax.set_facecolor("#F5F7FA")
    ax.pcolormesh(np.arange(-0.5, len(cats)), np.arange(-0.5, len(codes)), np.ma.masked_invalid(shown),
                  cmap="Blues", vmin=0, vmax=top * 1.15, edgecolors="white", linewidth=2)
    ax.set_xlim(-0.5, len(cats) - 0.5)
    ax.set_ylim(len(codes) - 0.5, -0.5)
    for i in range(grid.shape[0]):
        for j in range(grid.shape[1]):
            if grid[i, j] > 0:
                dark = grid[i, j] > 0.6 * top
                ax.text(j, i, f"{int(grid[i, j])}", ha="center", va="center", fontsize=8,
                        color="white" if dark else INK)
    ax.set_xticks(range(len(cats)), cats, rotation=45, ha="right", rotation_mode="anchor")
    ax.set_yticks(range(len(codes)), codes)
    ax.tick_params(which="both", length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    return charts.svg(fig, "Services per partner and category")


def _chart_weights(charts: _Charts, report: Report) -> str:
    ids = report.criterion_ids
    colors = _criterion_colors(report)
    labels = [_chart_label(report, c) for c in ids]
    fig, ax = _new_figure(4.0, len(ids), 0.26, labels=labels, top=2, bottom=2)
    values = [report.weights[c] for c in ids]
    ax.barh(range(len(ids)), values, color=[colors[c] for c in ids], height=0.65)
    for i, value in enumerate(values):
        ax.text(value + 0.005, i, f"{100 * value:.0f}%", va="center", fontsize=8, color=INK)
    ax.set_yticks(range(len(ids)), labels)
    ax.set_ylim(len(ids) - 0.5, -0.5)
    ax.set_xlim(0, max([*values, 0.01]) * 1.2)
    ax.xaxis.set_visible(False)
    ax.spines["bottom"].set_visible(False)
    ax.tick_params(axis="y", length=0)
    return charts.svg(fig, "Criterion weights used")


def _chart_contributions(charts: _Charts, report: Report, top: pd.DataFrame) -> str:
    colors = _criterion_colors(report)
    labels = [f"{_int(r)}. {lab}" for r, lab in zip(top["rank"], top["label"], strict=True)]
    legend_rows = math.ceil(len(report.criterion_ids) / 4)
    fig, ax = _new_figure(9.0, len(top), 0.3, labels=labels, top=8 + 13 * legend_rows,
                          bottom=TICKS_AND_TITLE)
    left = pd.Series(0.0, index=top.index)
    positions = list(range(len(top)))
    for crit in report.config.criteria:
        values = top[crit.id].astype(float).fillna(0.0)
        ax.barh(positions, values, left=left, color=colors[crit.id], height=0.7,
                label=_chart_label(report, crit.id), edgecolor="white", linewidth=0.4)
        left = left + values
    for pos, score in zip(positions, top["score"], strict=True):
        ax.text(_f(score) + 0.006, pos, _fmt(score, "{:.2f}"), va="center", fontsize=8)
    ax.set_yticks(positions, labels)
    ax.set_ylim(len(top) - 0.5, -0.5)
    ax.set_xlim(0, max(float(top["score"].astype(float).max()) * 1.1, 0.1))
    ax.set_xlabel("score = sum of weight × normalized value")
    ax.grid(axis="x")
    ax.tick_params(axis="y", length=0)
    ax.legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), ncol=4, handlelength=1,
              columnspacing=1.2, borderaxespad=0.3)
    return charts.svg(fig, f"Top {len(top)} services and what their score is made of")


def _chart_p_top(charts: _Charts, report: Report) -> str:
    from matplotlib.patches import Patch

    ranking = report.ranking
    short = set(report.shortlist["key"])
    shown = ranking[ranking["p_top"].astype(float) > 0].sort_values(
        ["p_top", "rank"], ascending=[False, True], kind="stable").head(30)
    labels = [str(s) for s in shown["label"]]
    fig, ax = _new_figure(9.0, max(len(shown), 1), 0.26, labels=labels, top=LEGEND,
                          bottom=TICKS_AND_TITLE)
    positions = list(range(len(shown)))
    colors = [ACCENT if k in short else ACCENT_LIGHT for k in shown["key"]]
    ax.barh(positions, shown["p_top"].astype(float), color=colors, height=0.7)
    for pos, value in zip(positions, shown["p_top"], strict=True):
        ax.text(_f(value) + 0.01, pos, _pct(value), va="center", fontsize=8)
    ax.set_yticks(positions, labels)
    ax.set_ylim(max(len(shown), 1) - 0.5, -0.5)
    ax.set_xlim(0, 1.1)
    ax.set_xticks([0, 0.25, 0.5, 0.75, 1.0], ["0%", "25%", "50%", "75%", "100%"])
    ax.set_xlabel(f"share of weight draws in which the service is in the top {report.config.shortlist.size}")
    ax.grid(axis="x")
    ax.tick_params(axis="y", length=0)
    ax.legend(handles=[Patch(color=ACCENT, label="shortlisted"),
                       Patch(color=ACCENT_LIGHT, label="not shortlisted")],
              loc="lower right", bbox_to_anchor=(1.0, 1.0), ncol=2, borderaxespad=0.3)
    return charts.svg(fig, "Probability of being in the top k under weight uncertainty")


def _chart_rank_ranges(charts: _Charts, report: Report, top: pd.DataFrame) -> str:
    labels = [f"{_int(r)}. {lab}" for r, lab in zip(top["rank"], top["label"], strict=True)]
    fig, ax = _new_figure(9.0, len(top), 0.26, labels=labels, top=LEGEND, bottom=TICKS_AND_TITLE)
    positions = list(range(len(top)))
    ax.hlines(positions, top["rank_p05"].astype(float), top["rank_p95"].astype(float),
              color=ACCENT_LIGHT, linewidth=5)
    ax.plot(top["rank_p50"].astype(float), positions, "o", color=ACCENT, markersize=5,
            label="median rank")
    ax.plot(top["rank"].astype(float), positions, "|", color=CRITERION_COLORS[3], markersize=11,
            markeredgewidth=2, label="rank with the weights used")
    ax.set_yticks(positions, labels)
    ax.set_ylim(len(top) - 0.5, -0.5)
    ax.set_xlim(0.5, max(float(top["rank_p95"].astype(float).max()), float(len(top))) + 1)
    return _finish_bars(charts, fig, ax, "rank (bar: 5th to 95th percentile over weight draws)",
                        "Rank ranges over weight draws")


def _finish_bars(charts: _Charts, fig: Figure, ax: Axes, xlabel: str, title: str) -> str:
    """The common finish of a horizontal bar chart with a legend above its right corner."""
    ax.set_xlabel(xlabel)
    ax.grid(axis="x")
    ax.tick_params(axis="y", length=0)
    ax.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), ncol=2, borderaxespad=0.3)
    return charts.svg(fig, title)


def _chart_stability(charts: _Charts, report: Report, table: pd.DataFrame) -> str:
    colors = _criterion_colors(report)
    labels = [_chart_label(report, str(c)) for c in table["criterion"]]
    notes = [f"{_f(r.lo):.2f} – {_f(r.hi):.2f}  (now {_f(r.weight):.2f})"
             for r in table.itertuples(index=False)]
    fig, ax = _new_figure(9.0, len(table), 0.28, labels=labels, top=4, bottom=TICKS_AND_TITLE,
                          right=_text_width(notes, 8) + 16)
    positions = list(range(len(table)))
    # zoom on the weights in play (intervals are often narrow), never past 1
    ends = [v for c in ("weight", "hi") for v in table[c].astype(float) if _finite(v)]
    limit = min(1.0, max([*ends, 0.05]) * 1.25)
    ax.hlines(positions, 0, limit, color=GRID, linewidth=7)
    for pos, row, note in zip(positions, table.itertuples(index=False), notes, strict=True):
        lo, hi, weight = _f(row.lo), _f(row.hi), _f(row.weight)
        ax.hlines(pos, lo, hi, color=colors.get(str(row.criterion), ACCENT), linewidth=7)
        ax.plot([weight], [pos], "o", color=INK, markersize=5)
        ax.text(limit * 1.02, pos, note, va="center", fontsize=8)
    ax.set_yticks(positions, labels)
    ax.set_ylim(len(table) - 0.5, -0.5)
    ax.set_xlim(0, limit)
    ax.set_xlabel("weight of the criterion (the others rescaled in proportion)")
    ax.tick_params(axis="y", length=0)
    ax.spines["left"].set_visible(False)
    return charts.svg(fig, "How far each weight can move before the shortlist changes")


def _chart_practices(charts: _Charts, report: Report, keys: Sequence[str]) -> dict[str, str]:
    """One small bar chart of criterion values per practice. The cards share one figure whose
    axes, labels and median ticks are drawn once; only the bars change between practices (a new
    figure per card would double the report's rendering time)."""
    ids = report.criterion_ids
    colors = [_criterion_colors(report)[c] for c in ids]
    labels = [_chart_label(report, c, 22) for c in ids]
    medians = report.normalized.median().reindex(ids).astype(float)
    fig, ax = _new_figure(2.7, len(ids), 0.19, labels=labels, top=3, bottom=15, right=6)
    positions = list(range(len(ids)))
    ax.barh(positions, [1.0] * len(ids), color="#F1F3F5", height=0.7)
    ax.plot(medians, positions, "|", color=INK, markersize=9, markeredgewidth=1.5, zorder=3)
    ax.set_yticks(positions, labels)
    ax.set_ylim(len(ids) - 0.5, -0.5)
    ax.set_xlim(0, 1)
    ax.set_xticks([0, 0.5, 1])
    ax.tick_params(axis="y", length=0, labelsize=8)
    ax.tick_params(axis="x", labelsize=7)
    ax.spines["left"].set_visible(False)
    out = {}
    for key in keys:
        values = report.normalized.loc[key, ids].astype(float) if key in report.normalized.index \
            else pd.Series(math.nan, index=ids)
        bars = ax.barh(positions, values.fillna(0.0), color=colors, height=0.7, zorder=2)
        notes = [ax.text(0.02, pos, "missing", va="center", fontsize=7.5, color=MUTED)
                 for pos, value in zip(positions, values, strict=True) if not _finite(value)]
        out[key] = charts.svg(fig, "Criterion values of the practice")
        bars.remove()
        for note in notes:
            note.remove()
    return out


def _chart_transfer(charts: _Charts, report: Report, table: pd.DataFrame) -> str:
    labels = [_short(str(t), 44) for t in table["label"]]
    fig, ax = _new_figure(9.0, len(table), 0.25, labels=labels, top=LEGEND, bottom=TICKS_AND_TITLE)
    positions = list(range(len(table)))
    height = 0.4
    ax.barh([p - height / 2 for p in positions], table["offered"], height=height, color=ACCENT,
            label="partners offering it")
    ax.barh([p + height / 2 for p in positions], table["needed"], height=height,
            color=CRITERION_COLORS[1], label="partners needing it")
    majority = len(report.partners) / 2
    ax.axvspan(majority, len(report.partners) + 0.3, color="#EEF3F8", zorder=0)
    ax.axvline(majority, color=MUTED, linestyle="--", linewidth=1)
    ax.text(majority + 0.08, len(table) - 0.6, "majority of partners", fontsize=8, color=MUTED,
            va="center")
    ax.set_yticks(positions, labels)
    ax.set_ylim(len(table) - 0.5, -0.5)
    ax.set_xlim(0, len(report.partners) + 0.3)
    ax.set_xticks(range(len(report.partners) + 1))
    return _finish_bars(charts, fig, ax, "number of partners",
                        "Categories offered and needed by the partners")


def _chart_partner(charts: _Charts, report: Report, rows: pd.DataFrame) -> str:
    from matplotlib.patches import Patch

    short = set(report.shortlist["key"])
    eligible = set(report.candidates.loc[report.candidates["eligible"], "key"])
    labels = [_short(str(t), 50) for t in rows["title"]]
    fig, ax = _new_figure(9.0, max(len(rows), 1), 0.26, labels=labels, top=LEGEND,
                          bottom=TICKS_AND_TITLE)
    positions = list(range(len(rows)))
    colors = [ACCENT if k in short else ACCENT_LIGHT if k in eligible else NEUTRAL for k in rows["key"]]
    ax.barh(positions, rows["score"].astype(float).fillna(0.0), color=colors, height=0.7)
    for pos, score, rank in zip(positions, rows["score"], rows["rank"], strict=True):
        ax.text(_f(score) + 0.008 if _finite(score) else 0.008, pos,
                f"#{_int(rank)}", va="center", fontsize=8, color=INK)
    ax.set_yticks(positions, labels)
    ax.set_ylim(max(len(rows), 1) - 0.5, -0.5)
    ax.set_xlim(0, 1.08)
    ax.set_xlabel("score (label: rank among all services)")
    ax.grid(axis="x")
    ax.tick_params(axis="y", length=0)
    ax.legend(handles=[Patch(color=ACCENT, label="shortlisted"),
                       Patch(color=ACCENT_LIGHT, label="good-practice candidate"),
                       Patch(color=NEUTRAL, label="other")],
              loc="lower right", bbox_to_anchor=(1.0, 1.0), ncol=3, borderaxespad=0.3)
    return charts.svg(fig, "The partner's services by score")


# --- HTML ----------------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    import jinja2

    return jinja2.Environment(loader=jinja2.PackageLoader("p4c", "templates"), autoescape=True,
                              undefined=jinja2.StrictUndefined, trim_blocks=True,
                              lstrip_blocks=True, keep_trailing_newline=True)


def render_html(report: Report) -> str:
    """The report as one self-contained HTML page (inline CSS and SVG, no external reference)."""
    from markupsafe import Markup

    charts = _Charts()
    with _chart_style():
        context: dict[str, Any] = {
            "title": "Cluster-support services: ranking, good practices and field tests",
            "as_of": report.as_of.isoformat(),
            "version": report.version,
            "notes": list(report.notes),
            "overview": _overview(report, charts),
            "ranking": _ranking_section(report, charts),
            "robustness": _robustness(report, charts),
            "practices": _practices(report, charts),
            "transfer": _transferability(report, charts),
            "plan": _plan(report),
            "partner_pages": _partner_pages(report, charts),
            "annex": _annex(report),
        }
    context = _mark_svg(context, Markup)
    return _environment().get_template("report.html.j2").render(**context)


def _mark_svg(value: Any, markup: Callable[[str], Any]) -> Any:
    """Chart SVG (made here, text escaped by matplotlib) is trusted; everything else is escaped."""
    if isinstance(value, dict):
        return {k: markup(v) if k == "svg" and isinstance(v, str) else _mark_svg(v, markup)
                for k, v in value.items()}
    if isinstance(value, list):
        return [_mark_svg(v, markup) for v in value]
    return value


def _overview(report: Report, charts: _Charts) -> dict[str, Any]:
    partners = report.partners
    weights = [{"id": c.id, "label": c.text(), "weight": _pct(report.weights[c.id]),
                "configured": _pct(c.weight / (sum(x.weight for x in report.config.criteria) or 1)),
                "direction": c.direction} for c in report.config.criteria]
    kpis = [
        ("partners", len(partners)),
        ("services", len(report.services)),
        ("categories offered", int(report.services["category"].nunique())),
        ("good-practice candidates", int(report.candidates["eligible"].sum())),
        ("shortlisted practices", len(report.shortlist)),
        ("field tests", len(report.field_tests)),
    ]
    quality: list[dict[str, Any]] = [
        {"partner": p.partner, "organisation": p.organisation, "file": p.source_file,
         "time": _text(p.ingested_at)[:16].replace("T", " "), "accepted": _int(p.accepted),
         "rejected": _int(p.rejected), "warnings": _int(p.warnings)}
        for p in partners.itertuples(index=False)]
    rejected_rows: list[dict[str, str]] = []
    rejected_total = 0
    if report.rejected is not None:
        rejected_total = len(report.rejected)
        for row in report.rejected.head(25).to_dict("records"):
            rejected_rows.append({k: _text(row.get(k)) for k in (
                "partner", "source_file", "cell", "column", "value", "message")})
    return {
        "kpis": kpis,
        "heatmap": {"svg": _chart_heatmap(charts, report)},
        "categories": [{"code": c.code, "label": c.text()} for c in report.config.categories],
        "weights": weights,
        "weights_chart": {"svg": _chart_weights(charts, report)},
        "weights_source": report.weights_source,
        "weights_differ": report.weights_differ,
        "has_submissions": report.submissions is not None,
        "quality": quality,
        "has_rejected_file": report.rejected is not None,
        "rejected_total": rejected_total,
        "rejected_rows": rejected_rows,
        "ingest_command": INGEST_COMMAND,
    }


def _ranking_section(report: Report, charts: _Charts) -> dict[str, Any]:
    top = report.ranking.head(TOP_N)
    short = set(report.shortlist["key"])
    has_group = "group_rank" in report.ranking.columns
    rows = [{"rank": _int(r["rank"]), "partner": r["partner"], "title": r["title"],
             "category": report.category_label(r["category"]), "score": _fmt(r["score"]),
             "complete": bool(r["complete"]),
             "missing": ", ".join(m for m in re.split(r"[,;\s]+", _text(r.get("missing"))) if m),
             "p_top": _pct(r.get("p_top")), "group_rank": _int(r.get("group_rank")),
             "shortlisted": r["key"] in short}
            for r in top.to_dict("records")]
    return {"rows": rows, "chart": {"svg": _chart_contributions(charts, report, top)} if len(top) else None,
            "total": len(report.ranking), "top": len(top), "has_group": has_group,
            "has_p_top": report.has_monte_carlo,
            "incomplete": int((~report.ranking["complete"]).sum())}


def _robustness(report: Report, charts: _Charts) -> dict[str, Any]:
    out: dict[str, Any] = {"k": report.config.shortlist.size, "command": STABILITY_COMMAND,
                           "monte_carlo": None, "stability": None}
    if report.has_monte_carlo:
        ranking = report.ranking
        top = ranking.head(TOP_N)
        p_top = ranking["p_top"].astype(float)
        short = report.shortlist["key"]
        sure = int((p_top >= 0.9).sum())
        out["monte_carlo"] = {
            "p_top": {"svg": _chart_p_top(charts, report)},
            "ranges": {"svg": _chart_rank_ranges(charts, report, top)},
            "sure": sure,
            "shortlist_mean": _pct(ranking.set_index("key").loc[
                ranking["key"][ranking["key"].isin(short)], "p_top"].astype(float).mean()),
        }
    if report.weight_stability is not None and not report.weight_stability.empty:
        table = report.weight_stability
        rows = [{"label": report.config.criterion(str(r.criterion)).text()
                 if str(r.criterion) in report.criterion_ids else str(r.criterion),
                 "weight": _fmt(r.weight, "{:.2f}"), "lo": _fmt(r.lo, "{:.2f}"),
                 "hi": _fmt(r.hi, "{:.2f}"),
                 "room": _fmt(min(_f(r.weight) - _f(r.lo), _f(r.hi) - _f(r.weight)), "{:.2f}")}
                for r in table.itertuples(index=False)]
        out["stability"] = {"chart": {"svg": _chart_stability(charts, report, table)}, "rows": rows}
    return out


def _practices(report: Report, charts: _Charts) -> dict[str, Any]:
    services = report.services.set_index("key")
    partners = report.partners.set_index("partner")
    testers = report.field_tests.groupby("key")
    tested: dict[str, list[dict[str, str]]] = {
        str(k): [{"partner": str(p), "mode": str(m)} for p, m in zip(g["partner"], g["mode"], strict=True)]
        for k, g in testers}
    p_top = report.ranking.set_index("key")["p_top"] if report.has_monte_carlo else None
    svgs = _chart_practices(charts, report, [str(k) for k in report.shortlist["key"]])
    cards = []
    for row in report.shortlist.to_dict("records"):
        key = str(row["key"])
        info = services.loc[key] if key in services.index else None
        part = str(row["partner"])
        cards.append({
            "partner": part,
            "organisation": _text(partners.at[part, "organisation"]) if part in partners.index else "",
            "region": _text(partners.at[part, "region"]) if part in partners.index else "",
            "service_id": row["service_id"],
            "title": _text(info["title"]) if info is not None else _text(row["title"]),
            "category": report.category_label(row["category"]),
            "score": _fmt(row["score"], "{:.2f}"), "rank": _int(row["rank"]),
            "p_top": _pct(p_top.get(key)) if p_top is not None else None,
            "evidence": _text(info["evidence"]) if info is not None and "evidence" in info else "",
            "description": _short(_text(info["description"]), 320)
            if info is not None and "description" in info else "",
            "provider": _text(info["provider"]) if info is not None and "provider" in info else "",
            "status": _text(info["status"]) if info is not None and "status" in info else "",
            "since": _text(info["start_date"])[:4] if info is not None and "start_date" in info else "",
            "tested_by": tested.get(key, []),
            "chart": {"svg": svgs[key]},
        })
    categories = sorted({c["category"] for c in cards})
    return {"cards": cards, "categories": categories,
            "candidates": int(report.candidates["eligible"].sum()),
            "rules": report.config.shortlist}


def _transfer_table(report: Report) -> pd.DataFrame:
    offered_services = report.services
    if "status" in offered_services.columns:
        offered_services = offered_services[offered_services["status"].astype(str) != "PLANNED"]
    offered = offered_services.groupby(offered_services["category"].astype(str))["partner"].nunique()
    threshold = report.config.field_tests.mode.min_need
    needs = report.needs[report.needs["importance"] >= threshold]
    needed = needs.groupby("category")["partner"].nunique()
    practices = report.shortlist.groupby(report.shortlist["category"].astype(str)).size()
    rows = [{"code": c.code, "label": c.text(), "offered": int(offered.get(c.code, 0)),
             "needed": int(needed.get(c.code, 0)), "practices": int(practices.get(c.code, 0))}
            for c in report.config.categories]
    table = pd.DataFrame(rows)
    return table.sort_values(["needed", "offered"], ascending=False, kind="stable").reset_index(drop=True)


def _transferability(report: Report, charts: _Charts) -> dict[str, Any]:
    table = _transfer_table(report)
    n = len(report.partners)
    majority = n / 2

    def pick(mask: pd.Series) -> list[dict[str, Any]]:
        return [{"label": r["label"], "offered": r["offered"], "needed": r["needed"],
                 "practices": r["practices"]} for r in table[mask].to_dict("records")]

    both = (table["offered"] > majority) & (table["needed"] > majority)
    gap = (table["offered"] <= majority) & (table["needed"] > majority)
    surplus = (table["offered"] > majority) & (table["needed"] <= majority)
    defaulted = sorted(set(report.needs["partner"]) - set(report.needs.loc[report.needs["given"],
                                                                          "partner"]))
    return {"chart": {"svg": _chart_transfer(charts, report, table)}, "both": pick(both),
            "gap": pick(gap), "surplus": pick(surplus), "partners": n,
            "majority": math.floor(majority) + 1,
            "threshold": f"{report.config.field_tests.mode.min_need:g}",
            "default_need": f"{report.config.field_tests.default_need:g}", "defaulted": defaulted}


def _plan(report: Report) -> dict[str, Any]:
    tests = report.field_tests
    codes = report.partner_codes
    cell = {(str(t.key), str(t.partner)): str(t.mode) for t in tests.itertuples(index=False)}
    rows = []
    for row in report.shortlist.to_dict("records"):
        key = str(row["key"])
        cells = [{"mode": "OWN" if str(row["partner"]) == code else cell.get((key, code), "")}
                 for code in codes]
        rows.append({"partner": row["partner"], "title": row["title"], "rank": _int(row["rank"]),
                     "category": report.category_label(row["category"]), "cells": cells,
                     "count": sum(1 for c in cells if c["mode"] in MODES)})
    counts = {m: int((tests["mode"] == m).sum()) for m in MODES}
    rule = report.config.field_tests.mode
    crit = report.config.criterion(rule.criterion).text() if rule.criterion in report.criterion_ids \
        else rule.criterion
    return {"codes": codes, "rows": rows, "counts": counts, "total": len(tests),
            "rule": f"IMPLEMENTATION where the testing partner's need for the category is at least "
                    f"{rule.min_need:g} and the practice's {crit.lower()} is at least "
                    f"{rule.min_value:g}; otherwise WORKSHOP.",
            "per_partner": report.config.field_tests.tests_per_partner,
            "max_per_practice": report.config.field_tests.max_partners_per_practice,
            "total_match": _fmt(tests["match"].astype(float).sum(), "{:.2f}")}


def _partner_pages(report: Report, charts: _Charts) -> list[dict[str, Any]]:
    pages = []
    needs = report.needs
    tests = report.field_tests
    for p in report.partners.to_dict("records"):
        code = str(p["partner"])
        offers = []
        for row in report.shortlist[report.shortlist["partner"] == code].to_dict("records"):
            by = tests[tests["key"] == row["key"]]
            offers.append({"title": row["title"], "category": report.category_label(row["category"]),
                           "rank": _int(row["rank"]), "score": _fmt(row["score"], "{:.2f}"),
                           "testers": [{"partner": str(t), "mode": str(m)}
                                       for t, m in zip(by["partner"], by["mode"], strict=True)]})
        will_test = []
        for t in tests[tests["partner"] == code].to_dict("records"):
            will_test.append({"title": t["title"], "from": t["practice_partner"],
                              "category": report.category_label(t.get("category")),
                              "need": _fmt(t["need"], "{:g}"), "match": _fmt(t["match"], "{:.2f}"),
                              "mode": str(t["mode"])})
        own = needs[needs["partner"] == code].sort_values("importance", ascending=False, kind="stable")
        top_needs = [{"label": report.category_label(n["category"]),
                      "importance": _fmt(n["importance"], "{:g}")}
                     for n in own.to_dict("records") if n["given"]
                     and float(n["importance"]) >= report.config.field_tests.mode.min_need]
        rows = report.ranking[report.ranking["partner"] == code]
        services = [{"rank": _int(r["rank"]), "title": r["title"], "score": _fmt(r["score"], "{:.2f}"),
                     "category": r["category"]} for r in rows.to_dict("records")]
        pages.append({
            "code": code, "organisation": p["organisation"], "region": p["region"],
            "cis": _int(p["cluster_initiatives"]), "services": p["services"],
            "eligible": p["eligible"], "shortlisted": p["shortlisted"],
            "best_rank": _int(p["best_rank"]), "offers": offers, "will_test": will_test,
            "needs": top_needs, "needs_given": bool(own["given"].any()),
            "service_rows": services,
            "chart": {"svg": _chart_partner(charts, report, rows)} if len(rows) else None,
        })
    return pages


def _annex(report: Report) -> dict[str, Any]:
    config = report.config
    total = sum(c.weight for c in config.criteria) or 1.0
    criteria = []
    for c in config.criteria:
        if c.source == "ratio":
            source = f"ratio {c.numerator} / {c.denominator}"
        elif c.source == "field":
            source = f"field {c.column}"
        else:
            source = c.source
        criteria.append({"id": c.id, "label": c.text(), "description": c.description,
                         "source": source, "direction": c.direction,
                         "normalization": c.effective_normalization,
                         "weight": f"{c.weight / total:.3f}", "used": f"{report.weights[c.id]:.3f}"})
    gp = config.good_practice
    scale = f"{config.scale.min:g}-{config.scale.max:g}"
    rules = [
        f"status {' or '.join(s.value for s in gp.statuses)}",
        f"running for at least {gp.min_months_running} months at the reference date",
        "evidence of results present" if gp.require_evidence else "evidence not required",
        f"provider not {', '.join(p.value for p in gp.excluded_providers)}"
        if gp.excluded_providers else "any provider",
        f"overall score at least {gp.min_score:g}",
        *[f"{config.criterion(k).text()} present and at least {v:g} on the {scale} scale"
          for k, v in gp.min_criteria.items()],
        f"pertinence above {gp.min_pertinence:g} (a majority of the region's cluster initiatives)",
    ]
    sl = config.shortlist
    ft = config.field_tests
    inputs = [{"partner": p["partner"], "file": p["source_file"], "sha256": p["sha256"],
               "time": _text(p["ingested_at"])} for p in report.partners.to_dict("records")]
    return {
        "criteria": criteria, "rules": rules,
        "shortlist": f"the best-ranked candidates up to {sl.size}, at most {sl.max_per_partner} per "
                     f"partner, covering at least {sl.min_categories} categories when the candidates "
                     f"allow it",
        "field_tests": f"each partner tests exactly {ft.tests_per_partner} practices of other partners, "
                       f"at most {ft.max_partners_per_practice} partners per practice, maximising the "
                       f"sum of score × need / 5 (need {ft.default_need:g} where a partner gave none)",
        "missing": "ranked on the criteria present, weights rescaled over them (flagged incomplete)"
        if config.missing == "rescale" else "counted as the worst value of the scale",
        "scale": f"{scale}, step {config.scale.step:g}",
        "stability": f"Dirichlet concentration {config.stability.concentration:g}, "
                     f"seed {config.stability.seed}",
        "version": report.version, "config_sha256": report.config_sha256,
        "as_of": report.as_of.isoformat(), "inputs": inputs,
        "files": [{"name": f.name, "sha256": f.sha256, "size": f"{f.size:,}"} for f in report.files],
        "weights_source": report.weights_source,
        "submissions": 0 if report.submissions is None else len(report.submissions),
    }


# --- Excel ---------------------------------------------------------------------------------------

def _excel_sheets(report: Report) -> list[SheetSpec]:
    ids = report.criterion_ids
    labels = {c.id: c.text() for c in report.config.criteria}
    ranking_cols = [c for c in report.ranking.columns if c not in ("key", "label")]
    ranking = report.ranking[ranking_cols]
    three = "0.000"
    rank_formats = dict.fromkeys(["score", *ids], three) | {
        "p_top": "0%", "rank_p05": "0", "rank_p50": "0", "rank_p95": "0", "rank": "0"}

    top = report.ranking.head(TOP_N)
    top_frame = pd.DataFrame({"service": [f"{_int(r)}. {lab}" for r, lab in
                                          zip(top["rank"], top["label"], strict=True)]})
    for crit_id in ids:
        top_frame[labels[crit_id]] = top[crit_id].astype(float).fillna(0.0).to_numpy()
    top_frame["score"] = top["score"].astype(float).to_numpy()

    candidates = report.candidates.drop(columns=["key"])
    shortlist = report.shortlist.drop(columns=["key"])
    tests = report.field_tests.drop(columns=["key"])
    partners = report.partners

    sheets = [
        SheetSpec("Ranking", ranking, rank_formats, color_scale=("score", "p_top"),
                  widths={"title": 46, "missing": 24}),
        SheetSpec("Top 20", top_frame, dict.fromkeys([*labels.values(), "score"], three),
                  color_scale=("score",), widths={"service": 52}, after=_add_top_chart),
        SheetSpec("Candidates", candidates, {"score": three, "rank": "0"}, color_scale=("score",),
                  widths={"title": 46, "reasons": 80}),
        SheetSpec("Shortlist", shortlist, {"score": three, "rank": "0"}, color_scale=("score",),
                  widths={"title": 46}),
        SheetSpec("Field tests", tests, {"need": "0.0", "match": three}, color_scale=("match",),
                  widths={"title": 46}),
        SheetSpec("Partners", partners, {"cluster_initiatives": "0", "best_rank": "0",
                                         "accepted": "0", "rejected": "0", "warnings": "0"},
                  widths={"organisation": 36, "region": 24, "sha256": 66}),
    ]
    if report.weight_stability is not None:
        sheets.append(SheetSpec("Weight stability", report.weight_stability,
                                {"weight": three, "lo": three, "hi": three}))
    return sheets


def _add_top_chart(workbook: Any, sheet: Any, spec: SheetSpec) -> None:
    """A native stacked bar of the top services' contributions, beside the table it plots."""
    rows = len(spec.frame)
    if rows == 0:
        return
    chart = workbook.add_chart({"type": "bar", "subtype": "stacked"})
    columns = list(spec.frame.columns)
    for col in range(1, len(columns) - 1):
        color = CRITERION_COLORS[(col - 1) % len(CRITERION_COLORS)]
        chart.add_series({
            "name": [spec.name, 0, col],
            "categories": [spec.name, 1, 0, rows, 0],
            "values": [spec.name, 1, col, rows, col],
            "fill": {"color": color}, "border": {"none": True}, "gap": 40,
        })
    chart.set_title({"name": f"Top {rows} services: contribution of each criterion to the score"})
    chart.set_y_axis({"reverse": True})
    chart.set_x_axis({"min": 0, "num_format": "0.00", "major_gridlines": {"visible": True}})
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": 1000, "height": 120 + 26 * rows})
    sheet.insert_chart(1, len(columns) + 1, chart)


# --- writing -------------------------------------------------------------------------------------

def write_report(report: Report, out_dir: Path) -> list[Path]:
    """Write report.html and report.xlsx atomically; the paths written."""
    html_path = out_dir / HTML_FILE
    xlsx_path = out_dir / XLSX_FILE
    write_text(html_path, render_html(report))
    write_xlsx(_excel_sheets(report), xlsx_path)
    return [html_path, xlsx_path]


def report(folder: Path, out_dir: Path, config: Config, config_text: str,
           options: ReportOptions = ReportOptions()) -> list[Path]:
    """Build and write the report in one call, for the CLI and `p4c run`."""
    return write_report(build_report(folder, config, config_text, options), out_dir)
