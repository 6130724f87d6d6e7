"""Make a hurried French and a hurried German partner workbook, ingest them, print their Errors sheets.

Run: `PYTHONPATH=src python scripts/show_feedback.py`. The workbooks have what hurried partners
type: typos in a category, a provider and a status, amounts in k€, a date that does not exist
(31/02/2011), a total line, and a Needs sheet left blank. Each feedback workbook's first sheet
is printed as text, one problem a line.
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
from pathlib import Path
from typing import Any

import openpyxl

from p4c.config import Project, default_config_text, parse_config
from p4c.feedback import error_sheet_rows
from p4c.ingest import ingest
from p4c.template import WORDS


def hurried(lang: str, code: str, rows: list[dict[str, Any]], path: Path) -> Path:
    """A workbook in `lang` (the template's sheet names and headers) with the given service rows."""
    config = parse_config(default_config_text())
    words = WORDS[lang]
    book = openpyxl.Workbook()
    partner = book.active
    partner.title = words.sheets["Partner"]
    for key, value in (
        ("partner_code", code),
        ("organisation", "Agence" if lang == "fr" else "Agentur"),
        ("region", "Wallonie" if lang == "fr" else "Sachsen"),
        ("cluster_initiatives", 12),
    ):
        partner.append([words.keys[key], value])
    services = book.create_sheet(words.sheets["Services"])
    columns = list(words.columns)
    criteria = [c.id for c in config.score_criteria]
    services.append([words.columns[c] for c in columns] + [c.text(lang) for c in config.score_criteria])
    for row in rows:
        services.append(
            [row.get(c) for c in columns] + [row.get(c, 4 if "service_id" in row else None) for c in criteria]
        )
    needs = book.create_sheet(words.sheets["Needs"])
    needs.append(list(words.needs))
    for cat in config.categories:
        needs.append([cat.text(lang), None])
    book.save(path)
    return path


def main() -> int:
    base = {"description": "-", "start_date": dt.date(2015, 3, 1), "staff_fte": 1, "cis_served": 3}
    fr = [
        {
            **base,
            "service_id": "FR-1",
            "title": "Journées B2B",
            "category": "NET",
            "provider": "agence",
            "status": "en cours",
            "annual_budget_eur": "12,5 k€",
        },
        {
            **base,
            "service_id": "FR-2",
            "title": "Missions export",
            "category": "Internationalisaton",
            "provider": "agnce",
            "status": "en cour",
            "start_date": "31/02/2011",
            "annual_budget_eur": 40000,
        },
        {"title": "Total", "annual_budget_eur": 52500},
    ]
    de = [
        {
            **base,
            "service_id": "DE-1",
            "title": "Matchmaking",
            "category": "NET",
            "provider": "Agentur",
            "status": "laufend",
            "annual_budget_eur": "80 TEUR",
        },
        {
            **base,
            "service_id": "DE-2",
            "title": "Exportreisen",
            "category": "Internationalisierng",
            "provider": "gemeinsm",
            "status": "abgeschlosen",
            "start_date": "31.02.2011",
            "annual_budget_eur": 40000,
        },
        {"service_id": "Summe", "annual_budget_eur": 120000},
    ]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "config").mkdir()
        (root / "config" / "criteria.yaml").write_text(default_config_text(), encoding="utf-8")
        (root / "data" / "processed").mkdir(parents=True)
        project = Project(root)
        files = [
            hurried("fr", "BE", fr, root / "BE_prestations.xlsx"),
            hurried("de", "DE", de, root / "DE_leistungen.xlsx"),
        ]
        report = ingest(files, project, project.load_config())
        for result in report.files:
            assert result.feedback is not None
            print(f"== {result.feedback.name} ({result.lang}) ==")
            for row in error_sheet_rows(result.feedback):
                print(" | ".join(cell for cell in row).rstrip(" |"))
            print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
