"""Feedback workbooks (p4c.feedback): the partner's workbook with every problem marked, in its language."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from p4c.cli import app
from p4c.config import Config, Project
from p4c.feedback import detect_language, error_sheet_rows, feedback_path
from p4c.ingest import ingest
from p4c.io import Book
from p4c.store import FEEDBACK_DIR
from p4c.template import WORDS
from tests.books import SERVICE_HEADER, service_row, workbook, write

HEADERS = {
    "en": ["Type", "Cell", "Column", "Value found", "What is accepted"],
    "fr": ["Type", "Cellule", "Colonne", "Valeur trouvée", "Ce qui est accepté"],
    "de": ["Art", "Zelle", "Spalte", "Gefundener Wert", "Was zulässig ist"],
}


def translated(lang: str, sheets: dict[str, list[list[Any]]]) -> dict[str, list[list[Any]]]:
    """The test workbook with the template's sheet names, keys and headers in `lang`."""
    words = WORDS[lang]
    partner = [[words.keys.get(k, k), v] for k, v in sheets["Partner"]]
    header = [words.columns.get(h, h) for h in sheets["Services"][0]]
    return {
        words.sheets["Partner"]: partner,
        words.sheets["Services"]: [header, *sheets["Services"][1:]],
    }


def french(tmp_path: Path) -> Path:
    rows = [service_row(1, annual_budget_eur="12,5 k€"), service_row(2, category="Internationalisaton")]
    return write(tmp_path / "in" / "BE_services.xlsx", translated("fr", workbook(rows)))


def test_feedback_of_a_french_workbook_is_in_french(tmp_path: Path, project: Project, config: Config) -> None:
    path = french(tmp_path)
    (result,) = ingest([path], project, config).files
    target = project.processed_dir / FEEDBACK_DIR / "BE_services_feedback.xlsx"
    assert (result.lang, result.feedback, result.written) == ("fr", target, False)
    book = openpyxl.load_workbook(target)
    assert book.sheetnames == ["Erreurs", "Partenaire", "Prestations"]
    rows = error_sheet_rows(target)
    assert rows[1] == ["erreurs : 2, avertissements : 0"]
    assert (rows[2], rows[3]) == ([], HEADERS["fr"])
    budget = f"Prestations!{col('annual_budget_eur')}2"
    category = f"Prestations!{col('category')}3"
    assert rows[4][:4] == ["erreur", budget, "Budget annuel (€)", "12,5 k€"]
    assert rows[4][4].startswith("les multiplicateurs comme k€ ou M ne sont pas acceptés")
    assert rows[5][:4] == ["erreur", category, "Catégorie", "Internationalisaton"]
    assert rows[5][4].endswith("; vouliez-vous dire INTL (Internationalisation) ?")
    assert len(rows) == 6
    cell = book["Prestations"][budget.split("!")[1]]
    assert cell.value == "12,5 k€"  # the partner's own value, kept
    assert cell.fill.fgColor.rgb == "00FFC7CE"
    assert cell.comment is not None and cell.comment.text.startswith("erreur : les multiplicateurs")
    assert book["Prestations"]["A2"].fill.fill_type is None  # a good cell is not marked


def test_german_workbook_and_lang_override(tmp_path: Path, project: Project, config: Config) -> None:
    rows = [service_row(1, category="Internationalisierng")]
    path = write(tmp_path / "in" / "DE_services.xlsx", translated("de", workbook(rows, code="DE")))
    (result,) = ingest([path], project, config).files
    assert result.lang == "de"
    assert openpyxl.load_workbook(result.feedback).sheetnames[0] == "Fehler"
    assert error_sheet_rows(result.feedback)[3] == HEADERS["de"]
    assert error_sheet_rows(result.feedback)[4][4].endswith("; meinten Sie INTL (Internationalisierung)?")
    # --lang fr: the feedback and the report's messages in French, the column by its header.
    (again,) = ingest([path], project, config, lang="fr").files
    assert openpyxl.load_workbook(again.feedback).sheetnames[0] == "Erreurs"
    assert again.errors[0].message.startswith("catégorie inconnue ; acceptés : un code")
    assert again.errors[0].header == "Kategorie"


def test_warnings_only_are_yellow_and_a_clean_workbook_removes_old_feedback(
    tmp_path: Path, project: Project, config: Config
) -> None:
    sheets = workbook()
    sheets["Services"][0] = [*SERVICE_HEADER[:-1], "Notes"]  # an unknown column: a warning
    path = write(tmp_path / "in" / "BE_services.xlsx", sheets)
    (result,) = ingest([path], project, config).files
    assert result.written and result.lang == "en"
    rows = error_sheet_rows(result.feedback)
    assert rows[0][0].startswith("BE_services.xlsx: every problem p4c found is listed below")
    assert rows[4] == ["warning", f"Services!{col('synergy')}1", "Notes", "Notes", "unknown column ignored"]
    book = openpyxl.load_workbook(result.feedback)
    assert book.sheetnames[0] == "Errors"
    assert book["Services"][f"{col('synergy')}1"].fill.fgColor.rgb == "00FFEB9C"
    write(path, workbook())
    (clean,) = ingest([path], project, config).files
    assert clean.feedback is None and not feedback_path(path, project.processed_dir / FEEDBACK_DIR).exists()


@pytest.mark.parametrize("suffix", [".csv", ".ods", ".xls"])
def test_other_formats_get_a_new_xlsx_with_their_values(
    tmp_path: Path, project: Project, config: Config, suffix: str
) -> None:
    rows = [service_row(1, provider="agnce"), service_row(2, title="=HYPERLINK(1)")]
    path = write(tmp_path / "in" / f"BE_services{suffix}", workbook(rows))
    (result,) = ingest([path], project, config, feedback=tmp_path / "out").files
    assert result.feedback == tmp_path / "out" / "BE_services_feedback.xlsx"
    rows_out = error_sheet_rows(result.feedback)
    kind = suffix.lstrip(".")
    assert f"p4c cannot copy a {kind} file with its formatting" in rows_out[0][0]
    book = openpyxl.load_workbook(result.feedback)
    services = book["Services"] if "Services" in book.sheetnames else book.worksheets[1]
    bad = services[f"{col('provider')}2"]
    assert bad.value == "agnce" and bad.fill.fgColor.rgb == "00FFC7CE"
    assert "did you mean DA (agence)?" in bad.comment.text
    formula = services[f"{col('title')}3"]
    assert (formula.value, formula.data_type) == ("=HYPERLINK(1)", "s")  # text stays text


def test_xlsm_feedback_stays_xlsm(tmp_path: Path, project: Project, config: Config) -> None:
    path = write(tmp_path / "in" / "BE_services.xlsm", workbook([service_row(1, status="ongoin")]))
    (result,) = ingest([path], project, config).files
    assert result.feedback is not None and result.feedback.suffix == ".xlsm"
    rows = error_sheet_rows(result.feedback)
    assert rows[4][1:4] == [f"Services!{col('status')}2", "status", "ongoin"]
    assert rows[4][4].endswith("did you mean ONGOING?")


def test_detect_language() -> None:
    def book(names: list[str], header: list[str]) -> Book:
        return Book(Path("x.xlsx"), {name: [header] for name in names})

    assert detect_language(book(["Partner", "Services"], ["service_id", "title"])) == "en"
    assert (
        detect_language(book(["Partenaire", "Prestations"], ["Identifiant", "Intitulé du service"])) == "fr"
    )
    assert detect_language(book(["Partner", "Leistungen"], ["Kennung", "Titel", "Kategorie"])) == "de"
    assert detect_language(book(["Sheet1"], ["a", "b"])) == "en"


def test_cli_feedback_option_names_the_file(tmp_path: Path, project: Project) -> None:
    path = french(tmp_path)
    out = tmp_path / "fb"
    result = CliRunner().invoke(
        app, ["--project", str(project.root), "ingest", str(path), "--feedback", str(out), "--lang", "de"]
    )
    assert result.exit_code == 1
    assert result.stdout == ""  # nothing written: the outcome and the feedback line are on stderr
    assert "feedback for the partner:" in result.stderr
    assert "BE_services_feedback.xlsx" in result.stderr.replace("\n", "")
    assert openpyxl.load_workbook(out / "BE_services_feedback.xlsx").sheetnames[0] == "Fehler"
    assert "erwartet" in result.stderr.replace("\n", "")


def col(name: str) -> str:
    from p4c.io import column_letters

    return column_letters(SERVICE_HEADER.index(name))
