"""`p4c template --field-tests`: the field-test report workbook a host partner fills in.

One row is pre-filled for each test the plan (`field_tests.csv`) gives the partner; sheet names,
headers, dropdown words, instructions and column help are in the workbook's language, and every
header and word is one that ingest reads back (tests/evaluation/test_template.py checks it), so a
filled-in template always ingests to the same rows whatever its language.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from p4c.evaluation.models import (
    ADOPTION_LABELS,
    BARRIER_LABELS,
    FIELD_TESTS_SHEET,
    MODE_LABELS,
    TEST_STATUS_LABELS,
    TestMode,
    TestStatus,
    field_test_columns,
)
from p4c.models import Language
from p4c.xlsxstyle import add_formats, instructions_sheet, lists_sheet, print_setup

if TYPE_CHECKING:
    import pandas as pd

DATA_ROWS = 100  # rows prepared with dropdowns and formats below the pre-filled ones
COLUMNS = field_test_columns({"practice_id": ("title",)})  # the title shown for information, never read


@dataclass(frozen=True)
class Words:
    sheets: dict[str, str]  # role -> sheet name
    partner_key: str
    headers: dict[str, str]  # column -> header
    help: dict[str, str]  # column -> what to write (header comment and input message)
    instructions: tuple[str, ...]


WORDS: dict[str, Words] = {
    "en": Words(
        sheets={"Instructions": "Instructions", "Partner": "Partner", FIELD_TESTS_SHEET: "FieldTests"},
        partner_key="Partner code",
        headers={
            "practice_partner": "Practice partner",
            "practice_id": "Practice ID",
            "title": "Practice title",
            "mode": "Mode",
            "status": "Status",
            "start_date": "Start date",
            "end_date": "End date",
            "cis_involved": "CIs involved",
            "smes_involved": "SMEs involved",
            "participants": "Participants",
            "cost_eur": "Cost (EUR)",
            "staff_days": "Staff days",
            "satisfaction": "Satisfaction",
            "indicator": "Indicator",
            "baseline": "Baseline",
            "result": "Result",
            "adoption": "Adoption",
            "barriers": "Barriers",
            "adaptations": "Adaptations",
            "lessons": "Lessons learnt",
        },
        help={
            "practice_partner": "Country code of the partner whose practice you tested (e.g. BE)",
            "practice_id": "The practice's service ID, as in the shortlist",
            "title": "For information only: not read",
            "mode": "Pick from the list: implementation or workshop",
            "status": "Pick from the list: planned, ongoing, done or cancelled",
            "start_date": "Date the test started, e.g. 2025-03-01",
            "end_date": "Date the test ended (needed when done); on or after the start date",
            "cis_involved": "Whole number, at most your cluster initiatives",
            "smes_involved": "Whole number >= 0",
            "participants": "Whole number >= 0",
            "cost_eur": "Amount in euros >= 0, no k or M",
            "staff_days": "Person-days spent, >= 0",
            "satisfaction": "Participants' mean rating from 1 to 5, any decimals (needed when done)",
            "indicator": "The indicator you measured, in words",
            "baseline": "Its value before the test (give the result too)",
            "result": "Its value after the test (give the baseline too)",
            "adoption": "Pick from the list (needed when done)",
            "barriers": "Zero or more, separated by , or ;",
            "adaptations": "What you changed to make it work here",
            "lessons": "What you learnt; for a cancelled test, the reason",
        },
        instructions=(
            "How to fill in this field-test report",
            "1. One row per field test your agency ran (or will run) of another partner's practice. "
            "The tests of the plan are pre-filled; add rows for other tests, never a practice twice.",
            "2. Mode, status and adoption: pick from the dropdowns. Barriers: zero or more of the "
            "words below, separated by , or ;.",
            "3. A done test needs its end date, the participants' satisfaction (1 to 5) and the "
            "adoption. A cancelled test needs its reason under Lessons learnt.",
            "4. Indicator: name it, then give its value before (baseline) and after (result), or neither.",
            "5. Numbers: plain numbers (12500 or 12 500,50). Dates: 2025-03-01 or 01/03/2025.",
            "Do not rename the sheets or the column headers. Extra columns are ignored.",
            "Send the workbook back as it is: a new one replaces your earlier report.",
        ),
    ),
    "fr": Words(
        sheets={"Instructions": "Instructions", "Partner": "Partenaire", FIELD_TESTS_SHEET: "Tests terrain"},
        partner_key="Code partenaire",
        headers={
            "practice_partner": "Partenaire de la pratique",
            "practice_id": "Identifiant pratique",
            "title": "Intitulé de la pratique",
            "mode": "Modalité",
            "status": "Statut",
            "start_date": "Date de début",
            "end_date": "Date de fin",
            "cis_involved": "IC impliquées",
            "smes_involved": "PME impliquées",
            "participants": "Nombre de participants",
            "cost_eur": "Coût (€)",
            "staff_days": "Jours personnel",
            "satisfaction": "Satisfaction des participants",
            "indicator": "Indicateur",
            "baseline": "Valeur avant",
            "result": "Valeur après",
            "adoption": "Niveau d'adoption",
            "barriers": "Obstacles",
            "adaptations": "Adaptations",
            "lessons": "Leçons tirées",
        },
        help={
            "practice_partner": "Code pays du partenaire dont vous avez testé la pratique (ex. BE)",
            "practice_id": "L'identifiant de la pratique, comme dans la liste restreinte",
            "title": "Pour information : non lu",
            "mode": "Choisir dans la liste : mise en œuvre ou atelier",
            "status": "Choisir dans la liste : prévu, en cours, terminé ou annulé",
            "start_date": "Date de début du test, ex. 01/03/2025",
            "end_date": "Date de fin (requise si terminé), au plus tôt la date de début",
            "cis_involved": "Nombre entier, au plus vos initiatives clusters",
            "smes_involved": "Nombre entier >= 0",
            "participants": "Nombre entier >= 0",
            "cost_eur": "Montant en euros >= 0, sans k ni M",
            "staff_days": "Jours-personne consacrés, >= 0",
            "satisfaction": "Note moyenne des participants de 1 à 5, décimales permises (requise si terminé)",
            "indicator": "L'indicateur mesuré, en mots",
            "baseline": "Sa valeur avant le test (donner aussi la valeur après)",
            "result": "Sa valeur après le test (donner aussi la valeur avant)",
            "adoption": "Choisir dans la liste (requis si terminé)",
            "barriers": "Zéro ou plusieurs, séparés par , ou ;",
            "adaptations": "Ce que vous avez changé pour l'adapter",
            "lessons": "Ce que vous avez appris ; pour un test annulé, la raison",
        },
        instructions=(
            "Comment remplir ce rapport de tests terrain",
            "1. Une ligne par test terrain mené (ou prévu) par votre agence d'une pratique d'un autre "
            "partenaire. Les tests du plan sont pré-remplis ; ajoutez des lignes pour d'autres tests, "
            "jamais deux fois la même pratique.",
            "2. Modalité, statut et niveau d'adoption : choisir dans les listes. Obstacles : zéro ou "
            "plusieurs des mots ci-dessous, séparés par , ou ;.",
            "3. Un test terminé demande sa date de fin, la satisfaction des participants (1 à 5) et le "
            "niveau d'adoption. Un test annulé demande sa raison dans Leçons tirées.",
            "4. Indicateur : nommez-le, puis donnez sa valeur avant et après le test, ou aucune des deux.",
            "5. Nombres : 12500 ou 12 500,50. Dates : 01/03/2025 ou 2025-03-01.",
            "Ne renommez ni les feuilles ni les en-têtes. Les colonnes en plus sont ignorées.",
            "Renvoyez le classeur tel quel : un nouveau remplace votre rapport précédent.",
        ),
    ),
    "de": Words(
        sheets={"Instructions": "Anleitung", "Partner": "Partner", FIELD_TESTS_SHEET: "Feldtests"},
        partner_key="Partnerland",
        headers={
            "practice_partner": "Praxispartner",
            "practice_id": "Praxis-Kennung",
            "title": "Praxis Titel",
            "mode": "Modus",
            "status": "Status",
            "start_date": "Startdatum",
            "end_date": "Enddatum",
            "cis_involved": "Beteiligte Clusterinitiativen",
            "smes_involved": "Beteiligte KMU",
            "participants": "Teilnehmende",
            "cost_eur": "Kosten (EUR)",
            "staff_days": "Personentage",
            "satisfaction": "Zufriedenheit",
            "indicator": "Indikator",
            "baseline": "Ausgangswert",
            "result": "Ergebnis",
            "adoption": "Übernahme",
            "barriers": "Hindernisse",
            "adaptations": "Anpassungen",
            "lessons": "Erkenntnisse",
        },
        help={
            "practice_partner": "Ländercode des Partners, dessen Praxis Sie getestet haben (z. B. BE)",
            "practice_id": "Die Kennung der Praxis wie in der Auswahlliste",
            "title": "Nur zur Information: wird nicht gelesen",
            "mode": "Aus der Liste wählen: Umsetzung oder Workshop",
            "status": "Aus der Liste wählen: geplant, laufend, abgeschlossen oder abgesagt",
            "start_date": "Beginn des Tests, z. B. 01.03.2025",
            "end_date": "Ende des Tests (nötig wenn abgeschlossen), nicht vor dem Beginn",
            "cis_involved": "Ganze Zahl, höchstens Ihre Clusterinitiativen",
            "smes_involved": "Ganze Zahl >= 0",
            "participants": "Ganze Zahl >= 0",
            "cost_eur": "Betrag in Euro >= 0, ohne Tsd. oder Mio.",
            "staff_days": "Aufgewendete Personentage, >= 0",
            "satisfaction": "Mittlere Bewertung der Teilnehmenden von 1 bis 5, Dezimalen erlaubt",
            "indicator": "Die gemessene Kennzahl, in Worten",
            "baseline": "Ihr Wert vor dem Test (auch den Wert danach angeben)",
            "result": "Ihr Wert nach dem Test (auch den Wert davor angeben)",
            "adoption": "Aus der Liste wählen (nötig wenn abgeschlossen)",
            "barriers": "Keines oder mehrere, getrennt durch , oder ;",
            "adaptations": "Was Sie angepasst haben",
            "lessons": "Was Sie gelernt haben; bei einem abgesagten Test der Grund",
        },
        instructions=(
            "So füllen Sie diesen Feldtest-Bericht aus",
            "1. Eine Zeile je Feldtest Ihrer Agentur (durchgeführt oder geplant) einer Praxis eines "
            "anderen Partners. Die Tests des Plans sind vorausgefüllt; weitere Tests als neue Zeilen, "
            "nie eine Praxis zweimal.",
            "2. Modus, Status und Übernahme: aus den Listen wählen. Hindernisse: keines oder mehrere "
            "der Wörter unten, getrennt durch , oder ;.",
            "3. Ein abgeschlossener Test braucht Enddatum, Zufriedenheit (1 bis 5) und Übernahme. Ein "
            "abgesagter Test braucht den Grund unter Erkenntnisse.",
            "4. Indikator: benennen, dann den Wert vorher und nachher angeben, oder keinen.",
            "5. Zahlen: 12500 oder 12.500,50. Datum: 01.03.2025 oder 2025-03-01.",
            "Blätter und Spaltenköpfe nicht umbenennen. Zusätzliche Spalten werden ignoriert.",
            "Die Datei unverändert zurücksenden: eine neue ersetzt Ihren früheren Bericht.",
        ),
    ),
}
_LIST_WORDS = {
    "en": ("Mode", "Status", "Adoption", "Barriers"),
    "fr": ("Modalité", "Statut", "Niveau d'adoption", "Obstacles"),
    "de": ("Modus", "Status", "Übernahme", "Hindernisse"),
}
WIDTHS = {"title": 40, "indicator": 28, "barriers": 24, "adaptations": 40, "lessons": 40}


def file_name(partner: str, lang: Language) -> str:
    return f"{partner}_field_tests_{lang}.xlsx"


def plan_rows(plan: pd.DataFrame, partner: str) -> list[dict[str, str]]:
    """The partner's planned tests: practice_partner, practice_id, title, mode (a TestMode code)."""
    mine = plan[plan["partner"].astype(str) == partner]
    return [
        {
            "practice_partner": str(r["practice_partner"]),
            "practice_id": str(r["service_id"]),
            "title": "" if r["title"] is None else str(r["title"]),
            "mode": str(r["mode"]).upper(),
        }
        for r in mine.to_dict("records")
    ]


def field_test_template(
    path: Path,
    *,
    partner: str,
    lang: Language = "en",
    tests: list[dict[str, Any]] | None = None,
    cluster_initiatives: int | None = None,
    created: Any = None,
) -> Path:
    """Write the report workbook to `path` (atomically), pre-filled with `tests` (`plan_rows`).

    A test is a dict by column (COLUMNS); status defaults to PLANNED, enum columns are codes
    (barriers joined by ";") written as their labels in `lang`. `created`: a fixed document date,
    for byte-identical files (sample data)."""
    import xlsxwriter

    from p4c.io import atomic_path

    words = WORDS[lang]
    rows = tests or []
    with atomic_path(path) as tmp:
        book = xlsxwriter.Workbook(str(tmp), {"strings_to_numbers": False, "strings_to_formulas": False})
        formats = _formats(book)
        lists = _lists(book, lang)
        _instructions(book, words, lang, formats)
        partner_sheet = book.add_worksheet(words.sheets["Partner"])
        partner_sheet.set_column(0, 0, 22)
        partner_sheet.set_column(1, 1, 12)
        partner_sheet.write_string(0, 0, words.partner_key, formats["key"])
        partner_sheet.write_string(0, 1, partner, formats["input"])
        _tests_sheet(book, words, lang, rows, lists, formats, cluster_initiatives)
        properties = {"title": f"p4c field-test report {partner}", "comments": f"language {lang}"}
        book.set_properties({**properties, **({"created": created} if created is not None else {})})
        book.close()
    return path


def _formats(book: Any) -> dict[str, Any]:
    names = ("header", "key", "input", "title", "wrap", "text", "date", "int", "amount", "decimal", "number")
    return add_formats(book, (*names, "info"))


def _lists(book: Any, lang: str) -> dict[str, str]:
    """A hidden sheet with the dropdown words in the workbook's language."""
    columns = {
        "mode": [MODE_LABELS[m][lang] for m in TestMode],
        "status": [TEST_STATUS_LABELS[s][lang] for s in TestStatus],
        "adoption": [label[lang] for label in ADOPTION_LABELS.values()],
    }
    return lists_sheet(book, columns)


def _instructions(book: Any, words: Words, lang: str, f: dict[str, Any]) -> None:
    title, *lines = words.instructions
    sheet, row = instructions_sheet(book, words.sheets["Instructions"], title, lines, f)
    row += 1
    for title, column in zip(_LIST_WORDS[lang], ("mode", "status", "adoption", "barriers"), strict=True):
        sheet.write_string(row, 0, title, f["key"])
        row += 1
        for code, label in _LABELS[column].items():
            sheet.write_string(row, 0, f"• {label[lang]} ({code.value})")
            row += 1
    row += 1
    for column in COLUMNS:
        sheet.write_string(row, 0, f"{words.headers[column]}: {words.help[column]}")
        row += 1
    sheet.activate()


def _tests_sheet(  # noqa: PLR0917 - the pieces the sheet is made of
    book: Any,
    words: Words,
    lang: str,
    tests: list[dict[str, Any]],
    lists: dict[str, str],
    f: dict[str, Any],
    cluster_initiatives: int | None,
) -> None:
    sheet = book.add_worksheet(words.sheets[FIELD_TESTS_SHEET])
    last = len(tests) + DATA_ROWS
    for c, column in enumerate(COLUMNS):
        header = words.headers[column]
        sheet.write_string(0, c, header, f["header"])
        sheet.write_comment(0, c, words.help[column], {"x_scale": 2, "y_scale": 1.2})
        sheet.set_column(c, c, WIDTHS.get(column, 15), _column_format(column, f))
        options = _validation(column, header, words.help[column], lists, cluster_initiatives)
        if options is not None:
            sheet.data_validation(1, c, last, c, options)
    for r, test in enumerate(tests, start=1):
        values = {"status": TestStatus.PLANNED.value, **test}
        for column, value in values.items():
            _write(sheet, r, COLUMNS.index(column), column, value, lang, f)
    sheet.set_row(0, 45)
    sheet.freeze_panes(1, 3)
    sheet.autofilter(0, 0, last, len(COLUMNS) - 1)
    print_setup(sheet, words.sheets[FIELD_TESTS_SHEET])
    sheet.activate()


_LABELS: dict[str, dict[Any, dict[str, str]]] = {
    "mode": MODE_LABELS,
    "status": TEST_STATUS_LABELS,
    "adoption": ADOPTION_LABELS,
    "barriers": BARRIER_LABELS,
}


def _write(  # noqa: PLR0917 - one cell
    sheet: Any, row: int, col: int, column: str, value: object, lang: str, f: dict[str, Any]
) -> None:
    """One cell of a test row: codes of the enum columns written as their label in `lang`."""
    import datetime as dt

    if value is None or value == "":
        return
    if column in _LABELS:
        by_code = {code.value: label[lang] for code, label in _LABELS[column].items()}
        codes = str(value).split(";") if column == "barriers" else [str(value)]
        sheet.write_string(row, col, ", ".join(by_code.get(c.strip(), c) for c in codes))
    elif isinstance(value, dt.date):
        sheet.write_datetime(row, col, dt.datetime(value.year, value.month, value.day), f["date"])
    elif isinstance(value, bool) or not isinstance(value, int | float):
        sheet.write_string(row, col, str(value), f["info"] if column == "title" else None)
    else:
        sheet.write_number(row, col, value, _column_format(column, f))


def _column_format(column: str, f: dict[str, Any]) -> Any:
    if column in ("start_date", "end_date"):
        return f["date"]
    if column in ("cis_involved", "smes_involved", "participants"):
        return f["int"]
    if column == "cost_eur":
        return f["amount"]
    if column in ("staff_days", "satisfaction"):
        return f["decimal"]
    if column in ("baseline", "result"):
        return f["number"]
    return f["text"]


def _validation(
    column: str, header: str, help_text: str, lists: dict[str, str], cluster_initiatives: int | None
) -> dict[str, Any] | None:
    """The cell check of a column; an input message for every column (its help)."""
    base = {"input_title": header[:32], "input_message": help_text[:255]}
    if column in lists:
        return {"validate": "list", "source": lists[column], **base}
    if column in ("start_date", "end_date"):
        return {"validate": "date", "criteria": ">=", "value": _date(2000), "error_type": "warning", **base}
    if column == "cis_involved" and cluster_initiatives:
        return {
            "validate": "integer",
            "criteria": "between",
            "minimum": 0,
            "maximum": cluster_initiatives,
            "error_type": "warning",
            **base,
        }
    if column in ("cis_involved", "smes_involved", "participants"):
        return {"validate": "integer", "criteria": ">=", "value": 0, "error_type": "warning", **base}
    if column in ("cost_eur", "staff_days"):
        return {"validate": "decimal", "criteria": ">=", "value": 0, "error_type": "warning", **base}
    if column == "satisfaction":
        return {
            "validate": "decimal",
            "criteria": "between",
            "minimum": 1,
            "maximum": 5,
            "error_type": "warning",
            **base,
        }
    return {"validate": "any", **base}


def _date(year: int) -> Any:
    import datetime as dt

    return dt.date(year, 1, 1)
