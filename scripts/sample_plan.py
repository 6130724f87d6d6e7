"""Write the sample plan workbooks into data/raw/: FR in French, DE in German, EE in English.

Why: `p4c run` on the sample data should write both final recommendation plans (these three
partners) and DRAFT plans (the others). Each plan's actions transfer the practices the partner
field-tests in the plan p4c itself makes from the partner workbooks of the same folder (ingest,
rank, shortlist in a scratch project at the fixed reference date AS_OF), then add one action of
the partner's own; DE drops one action, with its reason. Written with the template writer
(`p4c template --plan`), byte-identical from run to run.

Usage: called by make_sample_data.py's main; or `python scripts/sample_plan.py [--out DIR]`.
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
    import pandas as pd

    from p4c.models import Language

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

AS_OF = dt.date(2026, 11, 1)  # the reference date of the field-test plan the actions follow
CREATED = dt.datetime(2026, 11, 1, 9, 0, 0)
MARK = "_plan_"  # in the name of every plan workbook: CODE_plan_LANG.xlsx
LANGS: dict[str, Language] = {"FR": "fr", "DE": "de", "EE": "en"}

# Each partner's own words: the Plan sheet, the actions' details, its own action.
WORDS: dict[str, dict[str, Any]] = {
    "FR": {
        "plan": {
            "policy_instrument": "Programme régional FEDER-FSE+ Auvergne-Rhône-Alpes 2021-2027, priorité 1",
            "authority": "Conseil régional Auvergne-Rhône-Alpes, direction de l'économie",
            "context": "Quatorze pôles et clusters régionaux ; les PME industrielles peinent à "
            "accéder aux programmes européens et à l'international.",
            "objectives": "Plus de PME dans les projets collaboratifs des pôles d'ici 2028.",
        },
        "players": "Agence régionale, pôles volontaires, CCI régionale",
        "funding": "FEDER, priorité 1",
        "indicator": "PME accompagnées",
        "target": "40 PME",
        "own": (
            "Feuille de route régionale des clusters",
            "Agence régionale, Région",
            "Pôles signataires",
            "14",
        ),
    },
    "DE": {
        "plan": {
            "policy_instrument": "EFRE-Programm Baden-Württemberg 2021-2027, Priorität 1",
            "authority": "Ministerium für Wirtschaft, Arbeit und Tourismus Baden-Württemberg",
            "context": "Achtzehn Clusterinitiativen in der Region Neckar-Alb; viele KMU ohne "
            "eigene Innovationsabteilung.",
            "objectives": "Mehr KMU in grenzüberschreitenden Kooperationsprojekten bis 2028.",
        },
        "players": "Clusteragentur, IHK Reutlingen, beteiligte Cluster",
        "funding": "EFRE, Landesmittel",
        "indicator": "Teilnehmende KMU",
        "target": "30 KMU",
        "own": ("Regionale Clusterkonferenz", "Clusteragentur", "Teilnehmende Cluster", "18"),
        "dropped": "Kein Budget im Doppelhaushalt 2027/28",
    },
    "EE": {
        "plan": {
            "policy_instrument": "Cohesion Policy Funds 2021-2027 programme of Estonia, priority 1",
            "authority": "Ministry of Economic Affairs and Communications",
            "context": "Nine cluster initiatives, most of them young and run by one or two people.",
            "objectives": "Stronger cluster management and more SMEs in international projects.",
        },
        "players": "Enterprise Estonia, cluster managers",
        "funding": "ERDF, national co-financing",
        "indicator": "SMEs taking part",
        "target": "25 SMEs",
        "own": ("Cluster managers' peer learning", "Enterprise Estonia", "Cluster managers trained", "9"),
    },
}


def _field_tests(raw_dir: Path, config_path: Path) -> pd.DataFrame:
    """The field-test plan p4c makes from the partner workbooks of `raw_dir`."""
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
            if p.is_file() and p.stem.endswith(("_services", "_scoring")) and not p.name.startswith(".")
        )
        if not ingest(files, project, config).ok:
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
        return chosen.field_tests


def actions(partner: str, tests: pd.DataFrame) -> pd.DataFrame:
    """The partner's actions: its planned field tests carried over, then one action of its own."""
    import pandas as pd

    words = WORDS[partner]
    mine = tests[tests["partner"].astype(str) == partner]
    rows: list[dict[str, Any]] = []
    for i, (owner, sid, title) in enumerate(
        zip(mine["practice_partner"], mine["service_id"], mine["title"], strict=True)
    ):
        dropped = i == 1 and "dropped" in words
        rows.append(
            {
                "practice_partner": str(owner),
                "practice_id": str(sid),
                "title": str(title),
                "players": words["players"],
                "start_date": dt.date(2027, 1 + 3 * i, 1),
                "end_date": dt.date(2028, 6 + 3 * i, 30),
                "cost_eur": 45000.0 + 15000 * i,
                "funding_source": words["funding"],
                "indicator": words["indicator"],
                "target": words["target"],
                "status": "DROPPED" if dropped else ("ONGOING" if i == 0 else "PLANNED"),
                "reason": words["dropped"] if dropped else None,
            }
        )
    title, players, indicator, target = words["own"]
    rows.append(
        {
            "practice_partner": None,
            "practice_id": None,
            "title": title,
            "players": players,
            "start_date": dt.date(2027, 3, 1),
            "end_date": dt.date(2027, 12, 31),
            "cost_eur": 20000.0,
            "funding_source": words["funding"],
            "indicator": indicator,
            "target": target,
            "status": "PLANNED",
            "reason": None,
        }
    )
    return pd.DataFrame(rows)


def write_plan_workbooks(raw_dir: Path, config_path: Path) -> list[Path]:
    """Write `CODE_plan_LANG.xlsx` for FR, DE and EE into `raw_dir`; the paths written."""
    from p4c.plan.workbook import FILE_PATTERN, write_plan_template

    tests = _field_tests(raw_dir, config_path)
    for old in raw_dir.glob(f"*{MARK}*.xlsx"):
        old.unlink()
    paths = []
    for partner, lang in LANGS.items():
        path = raw_dir / FILE_PATTERN.format(partner=partner, lang=lang)
        write_plan_template(
            path,
            partner=partner,
            lang=lang,
            actions_prefill=actions(partner, tests),
            plan=WORDS[partner]["plan"],
            created=CREATED,
        )
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "data" / "raw")
    parser.add_argument("--config", type=Path, default=ROOT / "config" / "criteria.yaml")
    args = parser.parse_args(argv)
    paths = write_plan_workbooks(args.out, args.config)
    print(f"wrote {len(paths)} plan workbooks to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
