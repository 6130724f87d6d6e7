"""`p4c evaluate` on a project: the stored reports, the plan and the shortlist in, the files out.

`evaluate.evaluate` is the pure maths; this module reads its inputs from the processed folder (the
store's `field_tests_reported`, services, partners and needs; `shortlist.csv` and
`field_tests.csv`), adds what is still missing at the reference date, and writes
`evaluation.csv`, `evaluation.xlsx` and `field_test_results.csv`. `p4c run` and `p4c report` call
it only when reports are stored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from p4c.errors import P4CError
from p4c.evaluation.evaluate import PLAN_COLUMNS, EvaluationResult, evaluate
from p4c.evaluation.models import TestStatus, Verdict

if TYPE_CHECKING:
    import pandas as pd

    from p4c.config import Config

_TEXT = ("partner", "practice_partner", "service_id", "title", "mode", "category")
TEMPLATE_HINT = (
    "Send each partner `p4c template --field-tests --partner CODE`, then `p4c ingest` the reports."
)


@dataclass(frozen=True)
class Evaluation:
    """What `p4c evaluate` found: the pure result, and what is still missing at `as_of`."""

    result: EvaluationResult
    as_of: dt.date
    missing: list[str] = field(default_factory=list)  # planned not reported, DONE without ..., late

    @property
    def verdict_counts(self) -> dict[str, int]:
        counts = self.result.practices["verdict"].value_counts()
        return {v.value: int(counts.get(v.value, 0)) for v in Verdict}


# --- reading ----------------------------------------------------------------------------------------


def read_csv(path: Path, required: Sequence[str]) -> pd.DataFrame | None:
    """A shortlist stage's CSV (store.read_stage_csv), its blank keys None; None when there is none yet."""
    from p4c.store import read_stage_csv

    if not path.is_file():
        return None
    frame = read_stage_csv(path, required, text=_TEXT, command="p4c shortlist")
    for column in _TEXT:
        if column in frame.columns:
            frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    return frame


def read_plan(folder: Path) -> pd.DataFrame | None:
    """field_tests.csv (the plan of `p4c shortlist`), or None when there is none yet."""
    from p4c.store import FIELD_TESTS_FILE

    return read_csv(folder / FIELD_TESTS_FILE, PLAN_COLUMNS)


def read_shortlist(folder: Path) -> pd.DataFrame | None:
    from p4c.shortlist import SHORTLIST_COLUMNS
    from p4c.store import SHORTLIST_FILE

    return read_csv(folder / SHORTLIST_FILE, SHORTLIST_COLUMNS)


def read_reports(folder: Path) -> pd.DataFrame | None:
    """The stored field-test reports (every host partner's current one), or None."""
    from p4c.store import FIELD_TESTS_REPORTED

    return read_stored(folder, FIELD_TESTS_REPORTED)


def read_stored(folder: Path, name: str) -> pd.DataFrame | None:
    """A table of the store (its current rows), or None when there is no store or no row."""
    from p4c import store

    if not store.db_path(folder).exists():
        return None
    frame = store.read_table(folder, name)
    return None if frame is None or frame.empty else frame


# --- evaluating -------------------------------------------------------------------------------------


def evaluate_folder(folder: Path, config: Config, as_of: dt.date | None = None) -> Evaluation:
    """Evaluate the stored reports against the plan and shortlist of `folder`."""
    from p4c import store

    reports = read_reports(folder)
    if reports is None:
        raise P4CError(f"no field-test report is ingested in {folder}", hint=TEMPLATE_HINT)
    plan, shortlist = read_plan(folder), read_shortlist(folder)
    if plan is None or shortlist is None:
        raise P4CError(
            f"no shortlist and field-test plan in {folder} (shortlist.csv, field_tests.csv)",
            hint="Run `p4c shortlist` (or `p4c run`) first, then `p4c evaluate`.",
        )
    processed = store.load_processed(folder, config, columns=["partner", "title", "category"])
    result = evaluate(
        reports,
        plan,
        shortlist,
        processed.services,
        processed.partners,
        processed.needs,
        config.evaluation,
    )
    reference = as_of or dt.date.today()
    return Evaluation(result, reference, [*result.missing, *_open_items(result.results, reference)])


def _open_items(results: pd.DataFrame, as_of: dt.date) -> list[str]:
    """Reported tests that still lack something, or whose dates say they are late, in words."""
    import pandas as pd

    lines: list[str] = []
    dates = {
        c: [d.date() if pd.notna(d) else None for d in pd.to_datetime(results[c], errors="coerce")]
        for c in ("start_date", "end_date")
    }
    for i, row in enumerate(results.to_dict("records")):
        test = f"{row['partner']}'s test of {row['practice_partner']} {row['practice_id']}"
        status = str(row["status"])
        start, end = dates["start_date"][i], dates["end_date"][i]
        if status == TestStatus.DONE:
            lacking = [c for c in ("satisfaction", "adoption", "end_date") if _blank(row[c])]
            if lacking:
                lines.append(f"{test} is DONE without {', '.join(lacking)}")
            if isinstance(end, dt.date) and end > as_of:
                lines.append(f"{test} is DONE but ends on {end.isoformat()}, after {as_of.isoformat()}")
        elif status == TestStatus.ONGOING and isinstance(end, dt.date) and end < as_of:
            lines.append(f"{test} is still ONGOING but was to end on {end.isoformat()}")
        elif status == TestStatus.PLANNED and isinstance(start, dt.date) and start < as_of:
            lines.append(f"{test} is still PLANNED but was to start on {start.isoformat()}")
        elif status == TestStatus.PLANNED:
            lines.append(f"{test} has not started (PLANNED)")
    return lines


def _blank(value: object) -> bool:
    import pandas as pd

    if isinstance(value, str):
        return not value.strip()
    return value is None or bool(pd.isna(value))  # type: ignore[call-overload]


# --- writing ----------------------------------------------------------------------------------------


def _for_files(frame: pd.DataFrame) -> pd.DataFrame:
    """Dates as ISO text and booleans kept: the CSV and xlsx show what the CLI summary says."""
    import pandas as pd

    out = frame.copy()
    for column in ("start_date", "end_date"):
        if column in out.columns:
            dates = pd.to_datetime(out[column], errors="coerce")
            out[column] = dates.dt.strftime("%Y-%m-%d").astype(object).where(dates.notna(), None)
    return out


def write_evaluation(evaluation: Evaluation, out_dir: Path) -> list[Path]:
    """evaluation.csv, evaluation.xlsx and field_test_results.csv, each atomically."""
    import pandas as pd

    from p4c.fastcsv import write_csv
    from p4c.io import SheetSpec, write_xlsx
    from p4c.store import EVALUATION_FILE, EVALUATION_XLSX, FIELD_TEST_RESULTS_FILE

    out_dir.mkdir(parents=True, exist_ok=True)
    practices = evaluation.result.practices
    results = _for_files(evaluation.result.results)
    paths = [out_dir / EVALUATION_FILE, out_dir / FIELD_TEST_RESULTS_FILE, out_dir / EVALUATION_XLSX]
    write_csv(practices, paths[0])
    write_csv(results, paths[1])
    percent = {"success_rate": "0%", "pertinence_share": "0%", "indicator_change": "0%"}
    notes = pd.DataFrame(
        [("missing", line) for line in evaluation.missing]
        + [("warning", line) for line in evaluation.result.warnings],
        columns=["kind", "note"],
    )
    write_xlsx(
        [
            SheetSpec(
                "Evaluation",
                practices,
                {**percent, "satisfaction": "0.00", "cost_eur": "#,##0", "cost_per_sme": "#,##0"},
                widths={"title": 40, "reasons": 90},
            ),
            SheetSpec(
                "Field test results",
                results,
                {"relative_change": "0%", "cost_eur": "#,##0", "satisfaction": "0.00"},
                widths={"title": 40, "adaptations": 40, "lessons": 40},
            ),
            SheetSpec("Missing and warnings", notes, widths={"note": 110}),
        ],
        paths[2],
    )
    return paths


def evaluation_if_reported(folder: Path, config: Config, as_of: dt.date | None = None) -> Evaluation | None:
    """The evaluation when reports, a shortlist and a plan are in `folder` (the report's section)."""
    if read_reports(folder) is None or read_plan(folder) is None or read_shortlist(folder) is None:
        return None
    return evaluate_folder(folder, config, as_of)


def evaluate_if_reported(folder: Path, config: Config, as_of: dt.date | None = None) -> list[Path]:
    """`p4c run`'s step: evaluate and write into `folder` when reports are stored, else nothing."""
    if read_reports(folder) is None:
        return []
    return write_evaluation(evaluate_folder(folder, config, as_of), folder)


def summary_json(evaluation: Evaluation, paths: Sequence[Path]) -> dict[str, Any]:
    """`p4c evaluate --json`: the verdicts, every practice's figures, missing items and outputs."""
    import json

    practices = json.loads(evaluation.result.practices.to_json(orient="records", force_ascii=False))
    return {
        "as_of": evaluation.as_of.isoformat(),
        "verdicts": evaluation.verdict_counts,
        "practices": practices,
        "tests": len(evaluation.result.results),
        "missing": evaluation.missing,
        "warnings": evaluation.result.warnings,
        "outputs": [str(p) for p in paths],
    }


def cluster_initiatives(folder: Path, partner: str) -> int | None:
    """The partner's stored cluster_initiatives (the template's limit on cis_involved), or None."""
    from p4c import store

    if not store.db_path(folder).exists():
        return None
    partners = store.read_table(folder, store.PARTNERS)
    if partners is None:
        return None
    mine = partners.loc[partners["partner"].astype(str) == partner, "cluster_initiatives"].dropna()
    return int(mine.iloc[-1]) if len(mine) else None
