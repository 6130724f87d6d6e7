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


def _texts(path: Path) -> list[str]:
    """Every text a partner can see: visible cells, cell prompts, the workbook title."""
    book = openpyxl.load_workbook(path)
    texts = [str(book.properties.title)]
    for sheet in book.worksheets:
        if sheet.sheet_state != "visible":
            continue
        texts += [str(c.value) for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
        for rule in sheet.data_validations.dataValidation:
            texts += [str(rule.promptTitle or ""), str(rule.prompt or "")]
    return texts


@pytest.mark.parametrize("lang", ["fr", "de"])
def test_fr_and_de_templates_carry_no_english(tmp_path: Path, config: Config, lang: str) -> None:
    path = template(config, tmp_path / f"t_{lang}.xlsx", lang=lang, partner="FR")  # type: ignore[arg-type]
    texts = _texts(path)
    joined = "\n".join(texts)
    english = [
        *WORDS["en"].prompts.values(),
        *(c.description_text("en") for c in config.criteria),
        *WORDS["en"].instructions,
        WORDS["en"].title,
        "Whole number",
        "e.g.",
        "ex. BE-01",
    ]
    left = [text for text in english if text in joined]
    assert left == []
    for crit in config.score_criteria:  # the descriptions are there, in the partner's language
        assert any(crit.description_text(lang) in t for t in texts), crit.id
        assert crit.description_text(lang) != crit.description_text("en")
    for prompt in WORDS[lang].prompts.values():
        assert prompt in texts
    assert WORDS[lang].prompts.keys() == WORDS["en"].prompts.keys()


def test_every_language_has_every_prompt_and_a_translated_title() -> None:
    keys = {"cluster_initiatives", "partner_code", "amount", "count", "date", "importance"}
    assert {lang: set(w.prompts) for lang, w in WORDS.items()} == dict.fromkeys(("en", "fr", "de"), keys)
    assert len({w.title for w in WORDS.values()}) == 3


def test_descriptions_may_be_one_text_or_three_languages(config: Config) -> None:
    from p4c.config import Criterion

    crit = config.criterion("impact")
    assert crit.description_text("de").startswith("Gemessene Wirkung auf die Cluster")
    assert crit.description_text("it") == crit.description_text("en")  # English is the fallback
    assert str(crit.description) == crit.description_text("en")  # where one text is shown (the report)
    plain = Criterion.model_validate({**crit.model_dump(), "description": "One text"})
    assert [plain.description_text(lang) for lang in ("en", "fr", "de")] == ["One text"] * 3


def test_sheet_names_are_in_the_language(tmp_path: Path, config: Config) -> None:
    from p4c.template import sheet_names

    assert sheet_names("de") == ["Anleitung", "Partner", "Leistungen", "Bedarf"]
    assert sheet_names("fr") == ["Instructions", "Partenaire", "Prestations", "Besoins"]
    path = template(config, tmp_path / "t.xlsx", lang="de")
    assert openpyxl.load_workbook(path).sheetnames == ["Lists", *sheet_names("de")]


def test_dates_and_amounts_have_number_formats(tmp_path: Path, config: Config) -> None:
    path = template(config, tmp_path / "t.xlsx", lang="en")
    services = openpyxl.load_workbook(path)["Services"]
    header = [c.value for c in services[1]]
    words = WORDS["en"].columns

    def column_format(key: str) -> str:
        index = header.index(words[key]) + 1  # a <col> element may span several equal columns
        spans = [d for d in services.column_dimensions.values() if d.min <= index <= d.max]
        assert len(spans) == 1, key
        return str(spans[0].number_format)

    assert column_format("start_date") == "yyyy-mm-dd"
    assert column_format("annual_budget_eur") == "#,##0.00"
    assert column_format("staff_fte") == "0.0"
    assert column_format("cis_served") == "0"
    assert column_format("smes_reached") == "0"
    assert column_format("title") == "General"


def test_every_sheet_prints_landscape_one_page_wide(tmp_path: Path, config: Config) -> None:
    path = template(config, tmp_path / "t.xlsx", lang="fr")
    book = openpyxl.load_workbook(path)
    visible = [s for s in book.worksheets if s.sheet_state == "visible"]
    assert [s.title for s in visible] == ["Instructions", "Partenaire", "Prestations", "Besoins"]
    for sheet in visible:
        assert sheet.page_setup.orientation == "landscape", sheet.title
        assert sheet.page_setup.paperSize == 9, sheet.title
        assert sheet.sheet_properties.pageSetUpPr.fitToPage is True, sheet.title
        assert (sheet.page_setup.fitToWidth or 1, sheet.page_setup.fitToHeight) == (1, 0), sheet.title
    assert book["Prestations"].print_title_rows == "$1:$1"
    assert book["Besoins"].print_title_rows == "$1:$1"


def test_instruction_rows_are_tall_enough_for_their_wrapped_text(tmp_path: Path, config: Config) -> None:
    import math

    from p4c.template import instruction_lines
    from p4c.xlsxstyle import INSTRUCTIONS_WIDTH

    path = template(config, tmp_path / "t.xlsx", lang="de")
    sheet = openpyxl.load_workbook(path)["Anleitung"]
    lines = instruction_lines(config, "de")
    assert [sheet.cell(row=r, column=1).value for r in range(3, 3 + len(lines) - 1)] == lines[1:]
    for r, line in enumerate(lines[1:], start=3):
        height = sheet.row_dimensions[r].height
        assert height is not None, line
        assert height >= 15 * math.ceil(len(line) / INSTRUCTIONS_WIDTH) + 3, line
    assert sheet.column_dimensions["A"].width >= INSTRUCTIONS_WIDTH
