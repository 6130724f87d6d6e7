"""`p4c template`: a workbook that follows the contract, in three languages, that ingests once filled."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from p4c.config import Config
from p4c.ingest import validate_file
from p4c.template import WORDS, score_values, template


def fill(path: Path, lang: str, config: Config) -> None:
    """Fill the template as a partner would: Partner values, three services, some needs."""
    words = WORDS[lang]
    book = openpyxl.load_workbook(path)
    partner = book[words.sheets["Partner"]]
    values = {
        "partner_code": "FR",
        "organisation": "Agence régionale",
        "region": "Occitanie",
        "cluster_initiatives": 12,
        "contact": "clusters@example.org",
    }
    for row in partner.iter_rows(min_row=1, max_row=partner.max_row):
        key = next(k for k, label in words.keys.items() if label == row[0].value)
        row[1].value = values[key]
    services = book[words.sheets["Services"]]
    header = [c.value for c in services[1]]
    categories = [c.text(lang) for c in config.categories]
    for i in range(3):
        row = {
            words.columns["service_id"]: f"FR-{i + 1:02d}",
            words.columns["title"]: f"Service {i + 1}",
            words.columns["category"]: categories[i],
            words.columns["provider"]: list(words.providers.values())[i],
            words.columns["status"]: list(words.statuses.values())[i],
            words.columns["start_date"]: dt.datetime(2019, 5, 1),
            words.columns["annual_budget_eur"]: 15000.5,
            words.columns["staff_fte"]: 1.2,
            words.columns["cis_served"]: 7,
            words.columns["smes_reached"]: 140,
            words.columns["evidence"]: "52 SMEs found partners",
        }
        for crit in config.score_criteria:
            row[crit.text(lang)] = 3.5
        for c, name in enumerate(header, start=1):
            services.cell(row=i + 2, column=c, value=row.get(name))
    needs = book[words.sheets["Needs"]]
    for r in range(2, 2 + len(config.categories)):
        needs.cell(row=r, column=2, value=(r - 2) % 5 + 1)
    book.save(path)


@pytest.mark.parametrize("lang", ["en", "fr", "de"])
def test_filled_template_ingests_cleanly(tmp_path: Path, config: Config, lang: str) -> None:
    path = template(config, tmp_path / f"t_{lang}.xlsx", lang=lang, partner="FR")  # type: ignore[arg-type]
    fill(path, lang, config)
    result = validate_file(path, config)
    assert result.errors == [] and result.warnings == []
    assert result.partner == "FR" and result.accepted == 3
    assert result.services["category"].tolist() == [c.code for c in config.categories[:3]]
    assert result.services["provider"].tolist() == ["DA", "CI", "JOINT"]
    assert result.services["status"].tolist() == ["ONGOING", "COMPLETED", "PILOT"]
    assert (result.services[[c.id for c in config.score_criteria]] == 3.5).all().all()
    assert result.needs["importance"].tolist() == [float(i % 5 + 1) for i in range(14)]
    assert result.needs["category"].tolist() == [c.code for c in config.categories]


def test_template_structure(tmp_path: Path, config: Config) -> None:
    path = template(config, tmp_path / "t.xlsx", lang="fr", partner="BE")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Lists", "Instructions", "Partenaire", "Prestations", "Besoins"]
    assert book["Lists"].sheet_state == "hidden"
    services = book["Prestations"]
    assert services.freeze_panes == "C2"
    header = [c.value for c in services[1]]
    assert header[:3] == ["Identifiant", "Intitulé du service", "Description"]
    assert header[-6:] == [c.label["fr"] for c in config.score_criteria]
    validations = {str(v.sqref).split(":")[0]: v for v in services.data_validations.dataValidation}
    category = validations["D2"]
    assert category.type == "list" and category.formula1.startswith("Lists!")
    assert category.promptTitle and category.prompt
    assert {"E2", "F2"} <= validations.keys()  # provider, status
    assert validations["M2"].type == "list"  # the first score column
    assert book["Partenaire"]["B1"].value == "BE"
    needs = book["Besoins"]
    assert [needs.cell(row=r, column=1).value for r in range(2, 16)] == [
        c.label["fr"] for c in config.categories
    ]
    assert services.column_dimensions["B"].width >= 30


def test_score_values_follow_the_scale(config: Config) -> None:
    assert score_values(config) == [1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5]
