"""Write the sample field-test reports into data/raw/: one workbook per sample partner.

Why: `p4c run` on the sample data should show the field-test evaluation with every verdict
(TRANSFERABLE, PROMISING, NOT_TRANSFERABLE, NOT_TESTED). The reports follow the plan that p4c
itself makes from the partner workbooks of the same folder (ingest, rank, shortlist in a scratch
project, at the fixed reference date AS_OF), so they never disagree with `p4c run`'s plan.

Each practice of the plan gets a role, the practices tested by most partners first: the first is
adopted (DONE, FULL or PARTIAL, good satisfaction; one test still ONGOING), the second fails (DONE
with no or principles-only adoption and barriers, one CANCELLED with its reason), the third is a
single success with a test ONGOING, the fourth only ONGOING (and one planned test not reported at
all). One partner adds an unplanned test. Reports are written in the partner's language with the
template writer (`p4c template --field-tests`), byte-identical from run to run.

Usage: called by make_sample_data.py's main; or `python scripts/sample_field_tests.py [--out DIR]`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from p4c.models import Language

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

AS_OF = dt.date(2026, 11, 1)  # the reference date of the plan the reports follow
CREATED = dt.datetime(2026, 11, 1, 9, 0, 0)
LANGS: dict[str, Language] = {"BE": "fr", "FR": "fr", "DE": "de"}  # the others write English
SUFFIX = "_field_tests"

# Outcomes by role: one dict per tester of the practice, in the plan's order.
Outcome = dict[str, Any]
ADOPTED: list[Outcome] = [
    {
        "status": "DONE",
        "adoption": "FULL",
        "satisfaction": 4.5,
        "smes_involved": 14,
        "participants": 38,
        "cost_eur": 18500.0,
        "staff_days": 22.5,
        "indicator": "SME applications to EU programmes",
        "baseline": 6,
        "result": 11,
        "barriers": "TIMING",
        "adaptations": "Run with the regional chamber of commerce",
        "lessons": "A single contact point mattered more than the funding information itself",
    },
    {
        "status": "DONE",
        "adoption": "PARTIAL",
        "satisfaction": 4.1,
        "smes_involved": 9,
        "participants": 25,
        "cost_eur": 12000.0,
        "staff_days": 15,
        "indicator": "Consortia formed",
        "baseline": 2,
        "result": 5,
        "barriers": "CAPACITY",
        "adaptations": "Half-day sessions instead of a full day",
    },
    {"status": "ONGOING", "smes_involved": 4, "participants": 12},
]
FAILED: list[Outcome] = [
    {
        "status": "DONE",
        "adoption": "NONE",
        "satisfaction": 2.4,
        "smes_involved": 5,
        "participants": 11,
        "cost_eur": 9500.0,
        "staff_days": 12,
        "indicator": "Vouchers used",
        "baseline": 10,
        "result": 9,
        "barriers": "LEGAL;FUNDING",
        "lessons": "State-aid rules forbid the voucher as designed",
    },
    {
        "status": "DONE",
        "adoption": "PRINCIPLES",
        "satisfaction": 3.1,
        "smes_involved": 7,
        "participants": 16,
        "cost_eur": 7000.0,
        "staff_days": 8,
        "barriers": "FUNDING;DEMAND",
        "lessons": "Too few SMEs asked for it in our region",
    },
    {
        "status": "CANCELLED",
        "barriers": "CAPACITY",
        "lessons": "The staff member in charge left; no replacement before the end of the project",
    },
]
SINGLE: list[Outcome] = [
    {
        "status": "DONE",
        "adoption": "PARTIAL",
        "satisfaction": 4.0,
        "smes_involved": 12,
        "participants": 30,
        "cost_eur": 15000.0,
        "staff_days": 18,
        "indicator": "Digital projects started",
        "baseline": 4,
        "result": 7,
        "barriers": "CULTURE",
        "adaptations": "Vouchers capped at 5,000 EUR",
    },
    {"status": "ONGOING", "smes_involved": 3},
]
WAITING: list[Outcome] = [{"status": "ONGOING", "participants": 8}]  # the second tester reports nothing
OTHERS: list[list[Outcome]] = [
    [
        {
            "status": "DONE",
            "adoption": "FULL",
            "satisfaction": 3.8,
            "smes_involved": 10,
            "participants": 20,
            "cost_eur": 11000.0,
            "staff_days": 10,
        },
        {
            "status": "DONE",
            "adoption": "INTEREST",
            "satisfaction": 3.3,
            "smes_involved": 6,
            "participants": 14,
            "cost_eur": 4000.0,
            "staff_days": 5,
            "barriers": "TIMING",
        },
    ],
    [
        {
            "status": "DONE",
            "adoption": "INTEREST",
            "satisfaction": 3.6,
            "participants": 18,
            "barriers": "OTHER",
            "lessons": "Will be taken up in the next regional programme",
        }
    ],
    [{"status": "CANCELLED", "lessons": "Merged into another test after the regional elections"}],
]
UNPLANNED: Outcome = {
    "mode": "WORKSHOP",
    "status": "DONE",
    "adoption": "PARTIAL",
    "satisfaction": 4.3,
    "smes_involved": 8,
    "participants": 21,
    "cost_eur": 3000.0,
    "staff_days": 4,
    "adaptations": "Added to an existing cluster managers' meeting",
    "lessons": "Not planned: asked for by our cluster managers",
}


def _plan(raw_dir: Path, config_path: Path) -> tuple[Any, Any, Any]:
    """The plan, shortlist and partners of `p4c` on the partner workbooks of `raw_dir`."""
    from p4c import rank, shortlist
    from p4c.config import Project, parse_config
    from p4c.ingest import ingest
    from p4c.store import load_processed

    with tempfile.TemporaryDirectory() as tmp:
        project = Project(Path(tmp))
        (project.root / "config").mkdir()
        shutil.copy(config_path, project.config_path)
        config = parse_config(config_path.read_text(encoding="utf-8"))
        files = sorted(
            p
            for p in raw_dir.iterdir()
            if p.is_file() and SUFFIX not in p.stem and not p.name.startswith(".")
        )
        report = ingest(files, project, config)
        if not report.ok:
            raise SystemExit(f"the partner workbooks of {raw_dir} do not all ingest")
        data = load_processed(project.processed_dir, config)
        ranked = rank.rank(data.services, data.partners, config, rank.RankOptions())
        chosen = shortlist.shortlist(
            ranked.table,
            data.services,
            data.partners,
            data.needs,
            config,
            shortlist.ShortlistOptions(as_of=AS_OF),
        )
        return chosen.field_tests, chosen.shortlist, data.partners


def reports(plan: Any, chosen: Any) -> dict[str, list[Outcome]]:
    """The test rows of every testing partner: the plan's tests with their role's outcome."""
    testers = plan.groupby(["practice_partner", "service_id"], sort=False)["partner"].apply(list)
    rank = {
        (str(p), str(s)): int(r)
        for p, s, r in zip(chosen["partner"], chosen["service_id"], chosen["rank"], strict=True)
    }
    order = sorted(testers.index, key=lambda key: (-len(testers[key]), rank.get(key, 999)))
    roles = [ADOPTED, FAILED, SINGLE, WAITING, *OTHERS]
    rows: dict[str, list[Outcome]] = {str(p): [] for p in sorted(set(plan["partner"]))}
    mode = {
        (str(t), str(p), str(s)): str(m)
        for t, p, s, m in plan[["partner", "practice_partner", "service_id", "mode"]].itertuples(index=False)
    }
    for i, key in enumerate(order):
        outcomes = roles[i] if i < len(roles) else OTHERS[-1]
        for j, tester in enumerate(testers[key]):
            if j >= len(outcomes):
                continue  # planned, not reported
            rows[str(tester)].append(_row(str(tester), key, mode[(str(tester), *key)], outcomes[j], j))
    # One unplanned test: the first partner with a shortlisted practice of another partner it does not test.
    for tester in sorted(rows):
        tested = {(r["practice_partner"], r["practice_id"]) for r in rows[tester]}
        for p, s in zip(chosen["partner"], chosen["service_id"], strict=True):
            key = (str(p), str(s))
            if key[0] != tester and key not in tested and key not in testers.index:
                rows[tester].append(_row(tester, key, "WORKSHOP", UNPLANNED, 0))
                return rows
    return rows


def _row(tester: str, key: tuple[str, str], mode: str, outcome: Outcome, j: int) -> Outcome:
    status = outcome["status"]
    start = dt.date(2026, 2 + j, 2)
    row: Outcome = {"practice_partner": key[0], "practice_id": key[1], "mode": mode, "start_date": start}
    row.update(outcome)
    if status == "DONE":
        row.setdefault("end_date", dt.date(2026, 6 + j, 30))
        row.setdefault("cis_involved", 2)
    elif status == "ONGOING":
        row["cis_involved"] = 1
    elif status == "CANCELLED":
        row.pop("start_date")
    return row


def write_field_tests(raw_dir: Path, config_path: Path) -> list[Path]:
    """Write `CODE_field_tests_LANG.xlsx` for every partner of the plan into `raw_dir`."""
    from p4c.evaluation.template import field_test_template

    plan, chosen, partners = _plan(raw_dir, config_path)
    titles = {
        (str(p), str(s)): str(t)
        for p, s, t in zip(chosen["partner"], chosen["service_id"], chosen["title"], strict=True)
    }
    cis = dict(zip(partners["partner"].astype(str), partners["cluster_initiatives"], strict=True))
    for old in raw_dir.glob(f"*{SUFFIX}_*.xlsx"):
        old.unlink()
    paths = []
    for partner, rows in reports(plan, chosen).items():
        if not rows:  # every test of this partner is still unreported: it sends no report yet
            continue
        lang = LANGS.get(partner, "en")
        for row in rows:
            row["title"] = titles.get((row["practice_partner"], row["practice_id"]), "")
        path = raw_dir / f"{partner}{SUFFIX}_{lang}.xlsx"
        field_test_template(
            path,
            partner=partner,
            lang=lang,
            tests=rows,
            cluster_initiatives=int(cis[partner]),
            created=CREATED,
        )
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "data" / "raw")
    parser.add_argument("--config", type=Path, default=ROOT / "config" / "criteria.yaml")
    args = parser.parse_args(argv)
    paths = write_field_tests(args.out, args.config)
    print(f"wrote {len(paths)} field-test reports to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
