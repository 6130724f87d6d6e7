"""The partner-workbook contract, through `p4c.ingest`: formats, aliases, values and every error."""

from __future__ import annotations

import datetime as dt
import json
import math
import random
import re
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from p4c.columns import MAX_WHOLE, value_parser
from p4c.config import Config, Project, default_config_text, parse_config
from p4c.ingest import (
    ingest,
    partner_from_filename,
    validate_book,
    validate_file,
)
from p4c.io import Book, column_letters
from p4c.models import PARTNER_KEYS, PROVIDER_WORDS, SERVICE_COLUMNS, STATUS_WORDS
from p4c.store import PARTNERS_FILE, REJECTED_FILE, SERVICES_FILE, SUBMISSIONS_FILE, load_processed
from p4c.values import NUMBER_FORMS, parse_score, show
from tests.books import SERVICE_HEADER, partner_rows, service_row, workbook, write


def one(
    tmp_path: Path,
    config: Config,
    sheets: dict[str, list[list[Any]]],
    name: str = "workbook.xlsx",
    partner: str | None = None,
) -> Any:
    return validate_file(write(tmp_path / name, sheets), config, partner)


def cells(result: Any) -> set[str]:
    return {e.cell for e in result.errors}


# --- the shared examples -----------------------------------------------------------------------------


def test_example_be_french(examples: Path, config: Config) -> None:
    result = validate_file(examples / "be_french_headers.xlsx", config)
    assert (result.partner, result.accepted, result.errors) == ("BE", 12, [])
    first = result.services.iloc[0]
    assert first["annual_budget_eur"] == pytest.approx(159844.99)
    assert first["start_date"] == dt.date(2007, 12, 14)
    assert (first["provider"], first["status"], first["relevance"]) == ("JOINT", "COMPLETED", 2.0)
    assert result.services["sustainability"].iloc[0] == 2.5


def test_example_de_german(examples: Path, config: Config) -> None:
    result = validate_file(examples / "de_german_headers.xlsx", config)
    assert (result.partner, result.accepted, result.errors) == ("DE", 10, [])
    first = result.services.iloc[0]
    assert first["annual_budget_eur"] == pytest.approx(249661.77)
    assert first["start_date"] == dt.date(2005, 1, 20)
    assert result.needs is None


def test_example_ee_errors_exact_cells(examples: Path, project: Project, config: Config) -> None:
    report = ingest([examples / "ee_with_errors.xlsx"], project, config)
    (result,) = report.files
    assert not report.ok and not result.written
    assert cells(result) == {"Services!N3", "Services!E4", "Services!G5", "Services!K6"}
    assert not (project.processed_dir / SERVICES_FILE).exists()


# --- file types --------------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".xlsx", ".xlsm", ".ods", ".xls"])
def test_every_spreadsheet_type(tmp_path: Path, config: Config, suffix: str) -> None:
    result = one(tmp_path, config, workbook(needs=[["NET", 4], ["FIN", 2]]), f"BE{suffix}")
    assert result.errors == [] and result.accepted == 2
    assert result.services["start_date"].tolist() == [dt.date(2015, 3, 1)] * 2
    assert result.needs["importance"].tolist() == [4.0, 2.0]


@pytest.mark.parametrize(
    ("encoding", "delimiter"), [("utf-8", ","), ("utf-8-sig", ";"), ("cp1252", ";"), ("utf-8", ";")]
)
def test_csv_encodings_and_separators(tmp_path: Path, config: Config, encoding: str, delimiter: str) -> None:
    rows = [
        SERVICE_HEADER,
        service_row(1, title="Réseau café", annual_budget_eur="12 500,50 €"),
        service_row(2),
    ]
    text = "\n".join(delimiter.join(f'"{v}"' if delimiter in str(v) else str(v) for v in row) for row in rows)
    path = tmp_path / "mt-2024.csv"
    path.write_bytes(text.encode(encoding))
    result = validate_file(path, config)
    assert result.errors == []
    assert result.partner == "MT"
    assert result.services["title"].iloc[0] == "Réseau café"
    assert result.services["annual_budget_eur"].iloc[0] == 12500.5


def test_csv_partner_from_option_and_missing(tmp_path: Path, config: Config) -> None:
    path = write(tmp_path / "services.csv", {"Services": [SERVICE_HEADER, service_row(1)]})
    assert validate_file(path, config, "el").partner == "GR"
    result = validate_file(path, config)
    assert result.fatal and "pass --partner CODE" in result.errors[0].message


def test_csv_partner_details_from_config(tmp_path: Path) -> None:
    text = default_config_text().replace(
        "partners: {}",
        "partners:\n  MT:\n    organisation: MCA\n    region: Malta\n    cluster_initiatives: 3\n",
    )
    config = parse_config(text)
    path = write(tmp_path / "MT_services.csv", {"Services": [SERVICE_HEADER, service_row(1, cis_served=5)]})
    result = validate_file(path, config)
    assert cells(result) == {"Services!J2"}  # 5 CIs served > the 3 the config gives


@pytest.mark.parametrize(
    ("name", "code"),
    [("MT_services.csv", "MT"), ("mt-2011.csv", "MT"), ("EL services.csv", "GR"), ("uk.csv", "GB")],
)
def test_partner_from_filename(name: str, code: str) -> None:
    assert partner_from_filename(Path(name)) == code


@pytest.mark.parametrize("name", ["services.csv", "XX_services.csv", "malta.csv"])
def test_no_partner_from_filename(name: str) -> None:
    assert partner_from_filename(Path(name)) is None


def test_single_sheet_workbook_is_the_services_table(tmp_path: Path, config: Config) -> None:
    path = write(tmp_path / "SI_2024.xlsx", {"Sheet1": [SERVICE_HEADER, service_row(1)]})
    result = validate_file(path, config)
    assert (result.partner, result.accepted, result.errors) == ("SI", 1, [])


# --- files that cannot be read -----------------------------------------------------------------------


def test_corrupt_file(tmp_path: Path, config: Config) -> None:
    path = tmp_path / "BE.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"garbage" * 100)
    result = validate_file(path, config)
    assert result.fatal and "corrupt" in result.errors[0].message


def test_encrypted_file(tmp_path: Path, config: Config) -> None:
    path = tmp_path / "BE.xlsx"
    stream = "EncryptionInfo".encode("utf-16-le")
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600 + stream)
    result = validate_file(path, config)
    assert result.fatal and "password-protected" in result.errors[0].message


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("BE.xlsx", b"", "empty"),
        ("BE.pdf", b"%PDF-1.4", "not a spreadsheet"),
        ("BE.xls", b"just text", "not a valid .xls"),
        ("BE.ods", b"just text", "not a valid .ods"),
        ("BE.csv", b"\x00\x01\x02binary", "binary"),
    ],
)
def test_unreadable_files(tmp_path: Path, config: Config, name: str, data: bytes, words: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    result = validate_file(path, config)
    assert result.fatal and words in result.errors[0].message


def test_missing_file(tmp_path: Path, config: Config) -> None:
    result = validate_file(tmp_path / "nope.xlsx", config)
    assert result.fatal and "no such file" in result.errors[0].message


def test_zip_bomb(tmp_path: Path) -> None:
    config = parse_config(default_config_text().replace("max_uncompressed_mb: 500", "max_uncompressed_mb: 1"))
    path = tmp_path / "BE.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/worksheets/sheet1.xml", b"0" * (3 * 1024 * 1024))
    result = validate_file(path, config)
    assert result.fatal and "zip bomb" in result.errors[0].message


def test_too_many_rows(tmp_path: Path) -> None:
    config = parse_config(default_config_text().replace("max_rows: 200000", "max_rows: 10"))
    rows = [service_row(i) for i in range(1, 80)]
    result = one(tmp_path, config, workbook(rows))
    assert result.fatal and "the limit is 10" in result.errors[0].message


def test_file_size_limit(tmp_path: Path) -> None:
    config = parse_config(default_config_text().replace("max_file_mb: 100", "max_file_mb: 0.001"))
    result = one(tmp_path, config, workbook())
    assert result.fatal and "max_file_mb" in result.errors[0].message


# --- sheets, keys and headers ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "name"),
    [
        ("Partner", "Partenaire"),
        ("Partner", "Partnerin"),
        ("Partner", "Partner info"),
        ("Services", "Prestations"),
        ("Services", "Dienstleistungen"),
        ("Services", "LEISTUNGEN"),
        ("Needs", "Besoins"),
        ("Needs", "Bedarf"),
    ],
)
def test_sheet_names(tmp_path: Path, config: Config, role: str, name: str) -> None:
    sheets = workbook(needs=[["NET", 5]])
    sheets = {name if k == role else k: v for k, v in sheets.items()}
    sheets["Instructions"] = [["read me"]]
    result = one(tmp_path, config, sheets)
    assert result.errors == [] and result.accepted == 2 and len(result.needs) == 1


def test_missing_partner_sheet(tmp_path: Path, config: Config) -> None:
    sheets = workbook()
    sheets["Lists"] = sheets.pop("Partner")
    result = one(tmp_path, config, sheets)
    assert result.fatal and "no Partner sheet" in result.errors[0].message


def test_missing_services_sheet(tmp_path: Path, config: Config) -> None:
    sheets = workbook()
    sheets["Data"] = sheets.pop("Services")
    result = one(tmp_path, config, sheets)
    assert result.fatal and "no Services sheet" in result.errors[0].message


@pytest.mark.parametrize(("field", "alias"), [(f.name, a) for f in PARTNER_KEYS for a in f.aliases])
def test_partner_key_aliases(tmp_path: Path, config: Config, field: str, alias: str) -> None:
    rows = partner_rows()
    for row in rows:
        if row[0] == field:
            row[0] = alias.upper()
    result = one(tmp_path, config, workbook(partner=rows))
    assert result.errors == []
    assert result.partner == "BE"
    assert result.partner_info["cluster_initiatives"] == 10


@pytest.mark.parametrize(
    ("field", "alias"), [(f.name, a) for f in SERVICE_COLUMNS for a in (f.name, *f.aliases)]
)
def test_service_header_aliases(tmp_path: Path, config: Config, field: str, alias: str) -> None:
    header = [alias.title() + " (info)" if h == field else h for h in SERVICE_HEADER]
    result = one(tmp_path, config, workbook(header=header))
    assert result.errors == [] and result.warnings == []
    assert result.services[field].notna().all()


@pytest.mark.parametrize("form", ["id", "score {id}", "en", "fr", "de"])
def test_score_header_forms(tmp_path: Path, config: Config, form: str) -> None:
    header = list(SERVICE_HEADER)
    for crit in config.score_criteria:
        text = form.format(id=crit.id) if "{" in form or form == "id" else crit.label[form]
        header[header.index(crit.id)] = crit.id if form == "id" else text
    result = one(tmp_path, config, workbook(header=header))
    assert result.errors == []
    assert result.services["impact"].tolist() == [4.0, 4.0]


def test_header_row_below_title_rows_and_any_order(tmp_path: Path, config: Config) -> None:
    order = list(reversed(range(len(SERVICE_HEADER))))
    header = [SERVICE_HEADER[i] for i in order]
    rows = [[service_row(1)[i] for i in order]]
    sheets = workbook()
    sheets["Services"] = [["Services of the agency — 2024"], [], ["draft"], header, *rows]
    result = one(tmp_path, config, sheets)
    assert result.errors == [] and result.accepted == 1
    assert result.services["source_row"].tolist() == [5]


def test_unknown_column_is_a_warning(tmp_path: Path, config: Config) -> None:
    header = [*SERVICE_HEADER, "Internal note"]
    rows = [[*service_row(1), "keep"]]
    result = one(tmp_path, config, workbook(rows, header=header))
    assert result.errors == [] and result.accepted == 1
    assert [(w.cell, w.message) for w in result.warnings] == [("Services!S1", "unknown column ignored")]


def test_no_header_row(tmp_path: Path, config: Config) -> None:
    sheets = workbook()
    sheets["Services"] = [["a", "b"], ["c", "d"]]
    result = one(tmp_path, config, sheets)
    assert result.fatal and result.errors[0].cell == "Services!A1"


def test_missing_required_column(tmp_path: Path, config: Config) -> None:
    header = [h for h in SERVICE_HEADER if h != "status"]
    rows = [[v for h, v in zip(SERVICE_HEADER, service_row(1), strict=True) if h != "status"]]
    result = one(tmp_path, config, workbook(rows, header=header))
    assert result.fatal and "required column status is missing" in result.errors[0].message


def test_duplicate_column(tmp_path: Path, config: Config) -> None:
    header = [*SERVICE_HEADER, "Titre"]
    result = one(tmp_path, config, workbook([[*service_row(1), "x"]], header=header))
    assert result.fatal and result.errors[0].cell == "Services!S1"


# --- values ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "text", "expected"),
    [
        ("BE", "12 345,50 €", 12345.5),
        ("BE", "12\u00a0345,50\u00a0€", 12345.5),
        ("BE", "12\u202f345,50 EUR", 12345.5),
        ("BE", "12.500", 12500.0),
        ("MT", "12.500", 12.5),
        ("BE", "12,500", 12.5),
        ("MT", "12,500", 12500.0),
        ("DE", "1.234.567", 1234567.0),
        ("DE", "1.234,5", 1234.5),
        ("GB", "1,234.5", 1234.5),
        ("FR", "3,5", 3.5),
        ("IE", "1.5", 1.5),
        ("BE", "12,50", 12.5),
        ("BE", 12345.5, 12345.5),
        ("BE", "€ 0", 0.0),
    ],
)
def test_number_forms(tmp_path: Path, config: Config, code: str, text: Any, expected: float) -> None:
    result = one(tmp_path, config, workbook([service_row(1, annual_budget_eur=text)], code=code))
    assert result.errors == []
    assert result.services["annual_budget_eur"].iloc[0] == pytest.approx(expected)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (dt.date(2011, 3, 7), dt.date(2011, 3, 7)),
        (dt.datetime(2011, 3, 7, 0, 0), dt.date(2011, 3, 7)),
        ("2011-03-07", dt.date(2011, 3, 7)),
        ("07/03/2011", dt.date(2011, 3, 7)),
        ("07.03.2011", dt.date(2011, 3, 7)),
        ("7. 3. 2011", dt.date(2011, 3, 7)),
        ("2011", dt.date(2011, 1, 1)),
        (2011, dt.date(2011, 1, 1)),
        (40609, dt.date(2011, 3, 7)),
    ],
)
def test_date_forms(tmp_path: Path, config: Config, value: Any, expected: dt.date) -> None:
    result = one(tmp_path, config, workbook([service_row(1, start_date=value)]))
    assert result.errors == []
    assert result.services["start_date"].iloc[0] == expected


@pytest.mark.parametrize(
    ("value", "expected"), [(4, 4.0), ("4/5", 4.0), ("3,5", 3.5), (3.5, 3.5), ("4,5 / 5", 4.5), (None, None)]
)
def test_score_forms(tmp_path: Path, config: Config, value: Any, expected: float | None) -> None:
    result = one(tmp_path, config, workbook([service_row(1, impact=value)]))
    assert result.errors == []
    got = result.services["impact"].iloc[0]
    assert pd.isna(got) if expected is None else got == expected


ENUM_CASES = [("status", w, code.value) for code, ws in STATUS_WORDS.items() for w in (code.value, *ws)]
ENUM_CASES += [("provider", w, code.value) for code, ws in PROVIDER_WORDS.items() for w in (code.value, *ws)]


@pytest.mark.parametrize(("column", "word", "code"), ENUM_CASES)
def test_enum_words(tmp_path: Path, config: Config, column: str, word: str, code: str) -> None:
    result = one(tmp_path, config, workbook([service_row(1, **{column: f" {word.title()} "})]))
    assert result.errors == []
    assert result.services[column].iloc[0] == code


@pytest.mark.parametrize("lang", ["code", "en", "fr", "de"])
def test_category_words(tmp_path: Path, config: Config, lang: str) -> None:
    rows = [
        service_row(i, category=cat.code if lang == "code" else cat.label[lang])
        for i, cat in enumerate(config.categories, start=1)
    ]
    result = one(tmp_path, config, workbook(rows, cis=20))
    assert result.errors == []
    assert result.services["category"].tolist() == [c.code for c in config.categories]


def test_blank_rows_skipped_and_optional_blanks_missing(tmp_path: Path, config: Config) -> None:
    blank = [None] * len(SERVICE_HEADER)
    spaces = [" "] * len(SERVICE_HEADER)
    rows = [service_row(1), blank, spaces, service_row(2, annual_budget_eur=None, impact="")]
    result = one(tmp_path, config, workbook(rows))
    assert result.errors == [] and result.accepted == 2
    second = result.services.iloc[1]
    assert second["source_row"] == 5
    assert pd.isna(second["annual_budget_eur"]) and pd.isna(second["impact"])


def test_service_id_from_a_number_cell(tmp_path: Path, config: Config) -> None:
    result = one(tmp_path, config, workbook([service_row(1, service_id=7)]))
    assert result.services["service_id"].iloc[0] == "7"


# --- every error kind, at its cell -------------------------------------------------------------------


def col(name: str) -> str:
    return column_letters(SERVICE_HEADER.index(name))


@pytest.mark.parametrize(
    ("changes", "column", "words"),
    [
        ({"title": None}, "title", "title is required"),
        ({"service_id": " "}, "service_id", "service_id is required"),
        ({"title": "x" * 201}, "title", "at most 200"),
        ({"category": "Tourism"}, "category", "unknown category"),
        ({"provider": "university"}, "provider", "unknown provider"),
        ({"status": "stopped"}, "status", "unknown status"),
        ({"start_date": "31/02/2011"}, "start_date", "not a real date"),
        ({"start_date": "March 2011"}, "start_date", "expected a date"),
        ({"annual_budget_eur": "12,5 k€"}, "annual_budget_eur", "multipliers"),
        ({"annual_budget_eur": "lots"}, "annual_budget_eur", "expected a number"),
        ({"annual_budget_eur": -5}, "annual_budget_eur", ">= 0"),
        ({"staff_fte": "−1"}, "staff_fte", ">= 0"),
        ({"cis_served": 2.5}, "cis_served", "whole number"),
        ({"cis_served": 11}, "cis_served", "more than the partner's cluster_initiatives (10)"),
        ({"smes_reached": "many"}, "smes_reached", "expected a number"),
        ({"impact": 6}, "impact", "outside 1-5"),
        ({"impact": "14/20"}, "impact", "out of 5"),
        ({"impact": "high"}, "impact", "N/5"),
        ({"impact": "****"}, "impact", "N/5"),
        ({"impact": 3.3}, "impact", "step"),
    ],
)
def test_cell_errors(
    tmp_path: Path, config: Config, changes: dict[str, Any], column: str, words: str
) -> None:
    result = one(tmp_path, config, workbook([service_row(1), service_row(2, **changes)]))
    assert [e.cell for e in result.errors] == [f"Services!{col(column)}3"]
    error = result.errors[0]
    assert words in error.message
    assert (error.sheet, error.row, error.column) == ("Services", 3, column)
    assert result.accepted == 1 and not result.fatal


def test_duplicate_service_id(tmp_path: Path, config: Config) -> None:
    rows = [service_row(1), service_row(2), service_row(3, service_id="S-01")]
    result = one(tmp_path, config, workbook(rows))
    assert cells(result) == {f"Services!{col('service_id')}4"}
    assert "first in row 2" in result.errors[0].message


def test_total_line_is_an_error_not_dropped(tmp_path: Path, config: Config) -> None:
    total = [None] * len(SERVICE_HEADER)
    total[SERVICE_HEADER.index("description")] = "Total"
    total[SERVICE_HEADER.index("annual_budget_eur")] = 25000
    result = one(tmp_path, config, workbook([service_row(1), total]))
    assert [(e.cell, e.value, e.message) for e in result.errors] == [
        (f"Services!{col('description')}3", "Total", "row 3 looks like a total line: remove it")
    ]
    assert result.accepted == 1


def test_several_errors_reported_at_once(tmp_path: Path, config: Config) -> None:
    rows = [service_row(1, impact=9), service_row(2, provider="?"), service_row(3, start_date="x")]
    result = one(tmp_path, config, workbook(rows))
    assert cells(result) == {
        f"Services!{col('impact')}2",
        f"Services!{col('provider')}3",
        f"Services!{col('start_date')}4",
    }


@pytest.mark.parametrize("column", ["cis_served", "smes_reached"])
def test_whole_number_too_large_for_64_bits_is_a_cell_error(
    tmp_path: Path, project: Project, config: Config, column: str
) -> None:
    """A numeric cell 1e20 used to crash the typed Int64 column; it is one error at its cell."""
    rows = [
        service_row(1, **{column: MAX_WHOLE}),
        service_row(2, **{column: 1e20}),
        service_row(3, **{column: "1 000 000 000 001"}),
    ]
    path = write(tmp_path / "BE.xlsx", workbook(rows, cis=MAX_WHOLE))
    report = ingest([path], project, config, accept_valid=True)
    (result,) = report.files
    assert [(e.cell, e.row, e.column, e.value, e.message) for e in result.errors] == [
        (
            f"Services!{col(column)}3",
            3,
            column,
            "100000000000000000000",
            f"{column} 100000000000000000000 is too large: expected a whole number from 0 to 1000000000000",
        ),
        (
            f"Services!{col(column)}4",
            4,
            column,
            "1 000 000 000 001",
            f"{column} 1000000000001 is too large: expected a whole number from 0 to 1000000000000",
        ),
    ]
    assert result.written and result.accepted == 1
    services = pd.read_parquet(project.processed_dir / SERVICES_FILE)
    assert str(services[column].dtype) == "Int64" and services[column].tolist() == [MAX_WHOLE]


# Cells a numeric column may hold: floats in and out of range or off a step, Python ints and bools
# (.xls and .ods give ints; True == 1 == 1.0 for pandas), text in European forms, blanks, others.
NUMERIC_CELLS: list[Any] = [
    None,
    "",
    "  ",
    0.0,
    -0.0,
    0.5,
    1.0,
    2.5,
    3.0,
    3.25,
    3.4999999999,
    4.5,
    5.0,
    6.0,
    -1.0,
    12.5,
    1e12,
    1e20,
    math.nan,
    math.inf,
    -math.inf,
    0,
    1,
    3,
    7,
    -2,
    True,
    False,
    "3,5",
    "4/5",
    "14/20",
    "1 200",
    "12.500",
    "12,500",
    "590\u00a0776,56 €",
    "12k€",
    "abc",
    "−1",
    dt.date(2011, 1, 1),
]


@pytest.mark.parametrize("seed", range(4))
def test_numeric_columns_give_what_each_cell_parser_gives(config: Config, seed: int) -> None:
    """The numeric columns are checked in bulk (numpy); every cell must come out exactly as the
    parser of its column makes it, value or error message, blanks skipped."""
    rng = random.Random(seed)
    numeric = [f for f in SERVICE_COLUMNS if f.type in ("number", "amount", "int")]
    scores = [c.id for c in config.score_criteria]
    rows = [
        service_row(i, **{name: rng.choice(NUMERIC_CELLS) for name in [f.name for f in numeric] + scores})
        for i in range(1, 301)
    ]
    book = Book(Path("BE.xlsx"), workbook(rows, cis=MAX_WHOLE))
    result = validate_book(book, config)
    scale = config.scale
    parsers = {f.name: value_parser(f, config, "BE") for f in numeric}
    parsers.update({c: lambda v: parse_score(v, scale.min, scale.max, scale.step, "BE") for c in scores})
    expected_errors = set()
    expected_values: dict[int, dict[str, Any]] = {}
    for r, row in enumerate(rows, start=2):
        values: dict[str, Any] = {}
        for name, parse in parsers.items():
            cell = row[SERVICE_HEADER.index(name)]
            if cell is None or (isinstance(cell, str) and not cell.strip()):
                continue
            try:
                values[name] = parse(cell)
            except ValueError as exc:
                expected_errors.add((f"Services!{col(name)}{r}", show(cell), str(exc)))
        expected_values[r] = values
    assert {(e.cell, e.value, e.message) for e in result.errors} == expected_errors
    rejected = {e.row for e in result.errors}
    services = result.services.set_index("source_row")
    assert sorted(services.index) == [r for r in expected_values if r not in rejected]
    for r in services.index:
        got = {name: services.at[r, name] for name in parsers if not pd.isna(services.at[r, name])}
        assert got == expected_values[r], r


def test_boolean_and_equal_number_in_one_column_are_parsed_apart(config: Config) -> None:
    """True == 1 for pandas: a 1 after a TRUE cell is still 1, and TRUE is still an error."""
    rows = [service_row(1, smes_reached=True, title=True), service_row(2, smes_reached=1, title=1)]
    result = validate_book(Book(Path("BE.xlsx"), workbook(rows)), config)
    assert [(e.cell, e.message) for e in result.errors] == [
        (f"Services!{col('title')}2", "expected text, found the logical value TRUE: type the text"),
        (f"Services!{col('smes_reached')}2", f"expected {NUMBER_FORMS}"),
    ]
    assert result.services["smes_reached"].tolist() == [1]
    assert result.services["title"].tolist() == ["1"]


def test_only_contract_sheets_are_read(tmp_path: Path) -> None:
    """Instructions or Lists sheets are never read: a long one cannot hit the row limit."""
    config = parse_config(default_config_text().replace("max_rows: 200000", "max_rows: 10"))
    sheets = workbook()
    sheets["Instructions"] = [[f"line {i}"] for i in range(100)]
    result = one(tmp_path, config, sheets)
    assert result.errors == [] and result.accepted == 2


def test_data_only_in_other_sheets_is_not_an_empty_workbook(tmp_path: Path, config: Config) -> None:
    sheets = {"Instructions": [["read me"]], "Services": [[None]]}
    result = one(tmp_path, config, sheets)
    assert result.fatal and "no Partner sheet" in result.errors[0].message
    result = one(tmp_path, config, {"Instructions": [["read me"]], "Lists": [["NET"]]}, "x.xlsx")
    assert result.fatal and "sheets found: Instructions, Lists" in result.errors[0].message


@pytest.mark.parametrize(
    ("key", "value", "words"),
    [
        ("partner_code", "Belgium", "ISO 3166"),
        ("cluster_initiatives", 0, ">= 1"),
        ("cluster_initiatives", "many", "expected a number"),
        ("organisation", None, "required"),
        (
            "cluster_initiatives",
            1e20,
            "cluster_initiatives 100000000000000000000 is too large: "
            "expected a whole number from 1 to 1000000000000",
        ),
    ],
)
def test_partner_sheet_errors(tmp_path: Path, config: Config, key: str, value: Any, words: str) -> None:
    rows = partner_rows()
    row_number = next(i for i, row in enumerate(rows, start=1) if row[0] == key)
    rows[row_number - 1][1] = value
    result = one(tmp_path, config, workbook(partner=rows))
    assert result.fatal
    assert [e.cell for e in result.errors] == [f"Partner!B{row_number}"]
    assert words in result.errors[0].message


def test_partner_sheet_missing_key_and_header_row(tmp_path: Path, config: Config) -> None:
    rows = [["Key", "Value"], *[r for r in partner_rows() if r[0] != "region"]]
    result = one(tmp_path, config, workbook(partner=rows))
    assert result.fatal and "required key region is missing" in result.errors[0].message


def test_partner_code_aliases_and_option_conflict(tmp_path: Path, config: Config) -> None:
    result = one(tmp_path, config, workbook(code="el"))
    assert result.partner == "GR"
    result = one(tmp_path, config, workbook(code="UK"), partner="GB")
    assert result.partner == "GB" and result.errors == []
    result = one(tmp_path, config, workbook(code="BE"), partner="FR")
    assert result.fatal and "must agree" in result.errors[0].message


def test_needs_errors(tmp_path: Path, config: Config) -> None:
    needs = [["NET", 4], ["Tourism", 3], ["FIN", 7], ["NET", 2], ["INTL", None]]
    result = one(tmp_path, config, workbook(needs=needs))
    assert cells(result) == {"Needs!A3", "Needs!B4", "Needs!A5"}
    assert result.needs["category"].tolist() == ["NET"]
    assert [w.cell for w in result.warnings] == ["Needs!B6"]


# --- storing -----------------------------------------------------------------------------------------


def test_store_writes_typed_processed_data(tmp_path: Path, project: Project, config: Config) -> None:
    path = write(tmp_path / "BE.xlsx", workbook(needs=[["NET", 4]]))
    report = ingest([path], project, config)
    assert report.ok
    services = pd.read_parquet(project.processed_dir / SERVICES_FILE)
    assert services.columns[:3].tolist() == ["partner", "service_id", "title"]
    assert {"source_file", "source_sheet", "source_row"} <= set(services.columns)
    assert services["annual_budget_eur"].dtype == "float64"
    assert str(services["cis_served"].dtype) == "Int64"
    assert services["start_date"].iloc[0] == dt.date(2015, 3, 1)
    processed = load_processed(project.processed_dir, config)
    assert processed.partners["cluster_initiatives"].tolist() == [10]
    assert processed.needs.to_dict("records") == [{"partner": "BE", "category": "NET", "importance": 4.0}]
    log = pd.read_csv(project.processed_dir / SUBMISSIONS_FILE)
    assert log[["partner", "file", "accepted", "rejected"]].values.tolist() == [["BE", "BE.xlsx", 2, 0]]
    assert len(log["sha256"].iloc[0]) == 64


def test_reingest_replaces_and_keeps_history(tmp_path: Path, project: Project, config: Config) -> None:
    be = write(tmp_path / "BE.xlsx", workbook([service_row(i) for i in range(1, 4)]))
    de = write(tmp_path / "DE.xlsx", workbook(code="DE"))
    assert ingest([be, de], project, config).ok
    be2 = write(tmp_path / "v2" / "BE.xlsx", workbook([service_row(9)]))
    assert ingest([be2], project, config).ok
    services = pd.read_parquet(project.processed_dir / SERVICES_FILE)
    assert services.groupby("partner").size().to_dict() == {"BE": 1, "DE": 2}
    (old,) = (project.processed_dir / "history").iterdir()
    assert old.name.endswith("_BE")
    assert len(pd.read_parquet(old / SERVICES_FILE)) == 3
    assert len(pd.read_csv(project.processed_dir / SUBMISSIONS_FILE)) == 3


def test_failed_workbook_changes_nothing(tmp_path: Path, project: Project, config: Config) -> None:
    good = write(tmp_path / "BE.xlsx", workbook())
    assert ingest([good], project, config).ok
    before = {p.name: p.read_bytes() for p in project.processed_dir.glob("*.parquet")}
    bad = write(tmp_path / "v2" / "BE.xlsx", workbook([service_row(1, impact=9)]))
    report = ingest([bad], project, config)
    assert not report.ok
    after = {p.name: p.read_bytes() for p in project.processed_dir.glob("*.parquet")}
    assert before == after
    assert not (project.processed_dir / "history").exists()
    log = pd.read_csv(project.processed_dir / SUBMISSIONS_FILE)
    assert log["written"].tolist() == [True, False]


def test_accept_valid_keeps_rejected_rows(tmp_path: Path, project: Project, config: Config) -> None:
    rows = [service_row(1), service_row(2, impact=9, provider="?"), service_row(3)]
    path = write(tmp_path / "BE.xlsx", workbook(rows))
    report = ingest([path], project, config, accept_valid=True)
    assert report.ok and report.files[0].accepted == 2 and report.files[0].rejected_rows == 1
    rejected = pd.read_parquet(project.processed_dir / REJECTED_FILE)
    assert sorted(rejected["cell"]) == sorted([f"Services!{col('impact')}3", f"Services!{col('provider')}3"])
    raw = json.loads(rejected["raw"].iloc[0])
    assert raw["service_id"] == "S-02" and raw["impact"] == "9"


def test_temporary_files_do_not_remain(tmp_path: Path, project: Project, config: Config) -> None:
    assert ingest([write(tmp_path / "BE.xlsx", workbook())], project, config).ok
    assert not list(project.processed_dir.rglob("*.tmp"))
    assert (project.processed_dir / PARTNERS_FILE).is_file()


def test_lock_timeout_is_a_clear_error(
    tmp_path: Path, project: Project, config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A second writer waits for SQLite's write lock, then says who holds it."""
    import sqlite3

    from p4c import store
    from p4c.errors import P4CError

    assert ingest([write(tmp_path / "BE.xlsx", workbook())], project, config).ok
    monkeypatch.setattr(store, "LOCK_TIMEOUT_S", 0.1)
    holder = sqlite3.connect(store.db_path(project.processed_dir), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(P4CError, match="another p4c command is writing"):
            ingest([write(tmp_path / "FR.xlsx", workbook(code="FR"))], project, config)
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_load_processed_selected_columns(tmp_path: Path, project: Project, config: Config) -> None:
    header = [h for h in SERVICE_HEADER if h != "synergy"]
    rows = [[v for h, v in zip(SERVICE_HEADER, service_row(1), strict=True) if h != "synergy"]]
    assert ingest([write(tmp_path / "BE.xlsx", workbook(rows, header=header))], project, config).ok
    data = load_processed(
        project.processed_dir, config, columns=["partner", "impact", "start_date", "synergy"]
    )
    assert data.services.columns.tolist() == [
        "service_id",
        "partner",
        "impact",
        "start_date",
        "synergy",
        "raters",  # peer scoring (p4c.scoring.apply): none here
        "spread",
        "flagged",
    ]
    assert (data.services["raters"] == 0).all() and not data.services["flagged"].any()
    plain = load_processed(project.processed_dir, config, columns=["partner", "impact"], scored=False)
    assert plain.services.columns.tolist() == ["service_id", "partner", "impact"]
    assert data.services["synergy"].isna().all()  # a score column the workbook lacked
    everything = load_processed(project.processed_dir, config).services
    assert {"relevance", "evidence", "source_row"} <= set(everything.columns)
    config_plus = parse_config(
        default_config_text().replace(
            "  - id: synergy",
            "  - id: reach\n    label: {en: Reach}\n    weight: 0.05\n"
            "    direction: benefit\n    source: score\n  - id: synergy",
        )
    )
    assert load_processed(project.processed_dir, config_plus).services["reach"].isna().all()


# --- error cells, booleans, control characters, encodings --------------------------------------------


def _patch_cell(path: Path, sheet_index: int, ref: str, cell_xml: str) -> Path:
    """Replace one cell of a written xlsx by the given XML (as Excel or openpyxl write it)."""
    member = f"xl/worksheets/sheet{sheet_index}.xml"
    with zipfile.ZipFile(path) as zf:
        parts = {info.filename: zf.read(info) for info in zf.infolist()}
    xml = parts[member].decode()
    xml, count = re.subn(rf'<c r="{ref}"[^>]*?(?:/>|>.*?</c>)', cell_xml, xml, count=1)
    assert count == 1
    parts[member] = xml.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return path


@pytest.mark.parametrize(
    ("column", "xml", "value", "message"),
    [
        (
            "annual_budget_eur",
            '<c r="{ref}" t="e"><f>1/0</f><v>#DIV/0!</v></c>',
            "#DIV/0!",
            "the cell holds the Excel error #DIV/0!: type the value",
        ),
        (
            "impact",
            '<c r="{ref}" t="e"><f>NA()</f><v>#N/A</v></c>',
            "#N/A",
            "the cell holds the Excel error #N/A: type the value",
        ),
        (
            "start_date",
            '<c r="{ref}" t="e"><v>#NULL!</v></c>',
            "#NULL!",
            "the cell holds the Excel error #NULL!: type the value",
        ),
        (
            "title",
            '<c r="{ref}" t="e"><f>#REF!</f><v>#REF!</v></c>',
            "#REF!",
            "the cell holds the Excel error #REF!: type the value",
        ),
        (
            "staff_fte",
            '<c r="{ref}"><f>SUM(A1:A2)</f><v></v></c>',
            "=SUM(A1:A2)",
            "the cell holds a formula with no stored result (the program that saved the file did not "
            "calculate it): type the value, or open the file in Excel or LibreOffice and save it again",
        ),
        (
            "evidence",
            '<c r="{ref}"><f>A1&amp;B1</f></c>',
            "=A1&B1",
            "the cell holds a formula with no stored result (the program that saved the file did not "
            "calculate it): type the value, or open the file in Excel or LibreOffice and save it again",
        ),
        (
            "smes_reached",
            '<c r="{ref}" t="n"><v></v></c>',
            "NaN",
            "the cell holds NaN (not a number): type the value",
        ),
        (
            "smes_reached",
            '<c r="{ref}"><v>NaN</v></c>',
            "nan",
            f"the cell holds NaN (not a number); expected {NUMBER_FORMS}",
        ),
    ],
)
def test_excel_error_cells_are_cell_errors(  # noqa: PLR0917 (pytest parameters)
    tmp_path: Path, config: Config, column: str, xml: str, value: str, message: str
) -> None:
    path = write(tmp_path / "BE.xlsx", workbook([service_row(1), service_row(2)]))
    ref = f"{col(column)}3"
    _patch_cell(path, 2, ref, xml.format(ref=ref))
    result = validate_file(path, config)
    assert [(e.cell, e.column, e.value, e.message) for e in result.errors] == [
        (f"Services!{ref}", column, value, message)
    ]
    assert result.accepted == 1 and not result.fatal


def test_error_cells_as_excel_and_openpyxl_write_them(tmp_path: Path, config: Config) -> None:
    """xlsxwriter's write_formula with a stored error, and openpyxl's formula with no result."""
    import openpyxl
    import xlsxwriter

    path = tmp_path / "BE.xlsx"
    book = xlsxwriter.Workbook(str(path))
    for name, rows in workbook([service_row(1), service_row(2)]).items():
        sheet = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, cell in enumerate(row):
                if isinstance(cell, dt.date):
                    sheet.write_number(r, c, (cell - dt.date(1899, 12, 30)).days)
                elif cell is not None:
                    sheet.write(r, c, cell)
        if name == "Services":
            sheet.write_formula(2, SERVICE_HEADER.index("annual_budget_eur"), "=1/0", None, "#DIV/0!")
    book.close()
    result = validate_file(path, config)
    assert [(e.cell, e.message) for e in result.errors] == [
        (f"Services!{col('annual_budget_eur')}3", "the cell holds the Excel error #DIV/0!: type the value")
    ]
    loaded = openpyxl.load_workbook(path)
    loaded["Services"][f"{col('relevance')}2"] = "=2+2"
    loaded["Services"][f"{col('staff_fte')}2"] = float("nan")
    loaded.save(path)  # openpyxl keeps no stored result of any formula
    result = validate_file(path, config)
    assert {(e.cell, e.message.split(" (")[0].split(":")[0]) for e in result.errors} == {
        (f"Services!{col('annual_budget_eur')}3", "the cell holds a formula with no stored result"),
        (f"Services!{col('relevance')}2", "the cell holds a formula with no stored result"),
        (f"Services!{col('staff_fte')}2", "the cell holds NaN"),  # openpyxl writes <v></v>
    }


def test_error_cell_in_the_partner_sheet(tmp_path: Path, config: Config) -> None:
    path = write(tmp_path / "BE.xlsx", workbook())
    _patch_cell(path, 1, "B2", '<c r="B2" t="e"><f>#REF!</f><v>#REF!</v></c>')
    result = validate_file(path, config)
    assert result.fatal
    assert [(e.cell, e.value, e.message) for e in result.errors] == [
        ("Partner!B2", "#REF!", "the cell holds the Excel error #REF!: type the value")
    ]


@pytest.mark.parametrize("column", ["title", "service_id"])
def test_boolean_in_a_text_column_is_a_cell_error(tmp_path: Path, config: Config, column: str) -> None:
    result = one(tmp_path, config, workbook([service_row(1), service_row(2, **{column: True})]))
    assert [(e.cell, e.value, e.message) for e in result.errors] == [
        (f"Services!{col(column)}3", "True", "expected text, found the logical value TRUE: type the text")
    ]


def test_boolean_in_a_partner_text_key_is_an_error(tmp_path: Path, config: Config) -> None:
    rows = partner_rows()
    rows[1][1] = True  # organisation
    result = one(tmp_path, config, workbook(partner=rows))
    assert result.fatal
    assert [(e.cell, e.message) for e in result.errors] == [
        ("Partner!B2", "expected text, found the logical value TRUE: type the text")
    ]


def test_score_a_hair_over_the_top_is_the_top(tmp_path: Path, config: Config) -> None:
    result = one(tmp_path, config, workbook([service_row(1, impact=5.0000000001, relevance=0.9999999999)]))
    assert result.errors == []
    assert result.services[["impact", "relevance"]].iloc[0].tolist() == [5.0, 1.0]


def test_control_characters_are_stripped_with_a_warning(tmp_path: Path, config: Config) -> None:
    path = write(tmp_path / "BE.xlsx", workbook([service_row(1), service_row(2)]))
    ref = f"{col('title')}3"
    _patch_cell(path, 2, ref, f'<c r="{ref}" t="inlineStr"><is><t>Net_x0000_work_x001B_ing</t></is></c>')
    result = validate_file(path, config)
    assert result.errors == []
    assert result.services["title"].tolist() == ["B2B matchmaking day 1", "Networking"]
    assert [(w.cell, w.value, w.message) for w in result.warnings] == [
        (
            f"Services!{ref}",
            "Networking",
            "invisible control characters (U+0000, U+001B) were taken out of this cell",
        )
    ]


def test_csv_mojibake_is_one_clear_error(tmp_path: Path, config: Config) -> None:
    path = write(
        tmp_path / "MT_services.csv", {"Services": [SERVICE_HEADER, service_row(1, title="Café Zürich")]}
    )
    path.write_bytes(
        path.read_bytes()
        + ",".join(_csv_row(service_row(2, title="Caf\x00"))).encode().replace(b"\x00", b"\xe9")
    )
    result = validate_file(path, config)
    assert result.fatal and len(result.errors) == 1
    assert "line 3: byte 0xE9" in result.errors[0].message and "CSV UTF-8" in result.errors[0].message


def _csv_row(row: list[Any]) -> list[str]:
    return ["" if v is None else v.isoformat() if isinstance(v, dt.date) else str(v) for v in row]


def test_cp1252_csv_is_read_with_a_warning(tmp_path: Path, config: Config) -> None:
    rows = [SERVICE_HEADER, _csv_row(service_row(1, title="Café Zürich"))]
    path = tmp_path / "MT_services.csv"
    path.write_bytes("\n".join(",".join(r) for r in rows).encode("cp1252"))
    result = validate_file(path, config)
    assert result.errors == [] and result.services["title"].tolist() == ["Café Zürich"]
    assert [w.message.split(":")[0] for w in result.warnings][:1] == ["MT_services.csv is not UTF-8"]


# --- feedback a partner can act on: suggestions, one message for a stray row, headers -------------------


@pytest.mark.parametrize(
    ("column", "typed", "guess"),
    [
        ("category", "Internationalisaton", "INTL (Internationalisation)"),
        ("category", "Internationalisierng", "INTL (Internationalisierung)"),
        ("category", "Netwroking", "NET (Networking and matchmaking)"),
        ("provider", "agnce", "DA (agence)"),
        ("provider", "gemeinsm", "JOINT (gemeinsam)"),
        ("status", "en cour", "ONGOING (en cours)"),
        ("status", "abgeschlosen", "COMPLETED (abgeschlossen)"),
    ],
)
def test_did_you_mean(tmp_path: Path, config: Config, column: str, typed: str, guess: str) -> None:
    result = one(tmp_path, config, workbook([service_row(1, **{column: typed})]))
    (error,) = result.errors
    assert (error.cell, error.column, error.value) == (f"Services!{col(column)}2", column, typed)
    assert error.message.endswith(f"; did you mean {guess}?")


def test_no_suggestion_for_a_far_word(tmp_path: Path, config: Config) -> None:
    result = one(tmp_path, config, workbook([service_row(1, category="Tourism", provider="xyz")]))
    assert [e.message.split(";")[0] for e in result.errors] == ["unknown category", "unknown provider"]
    assert not any("did you mean" in e.message for e in result.errors)


def test_sheet_name_typo_is_suggested(tmp_path: Path, config: Config) -> None:
    sheets = workbook()
    sheets = {"Partenaire": sheets["Partner"], "Prestatons": sheets["Services"]}
    result = one(tmp_path, config, sheets)
    (error,) = result.errors
    assert error.message == (
        "no Services sheet; sheets found: Partenaire, Prestatons; accepted names: services, prestations, "
        "dienstleistungen, leistungen; did you mean Prestatons -> Prestations?"
    )
    sheets = {"Partnr": workbook()["Partner"], "Services": workbook()["Services"]}
    (error,) = one(tmp_path, config, sheets, name="other.xlsx").errors
    assert error.message.endswith("leave it out); did you mean Partnr -> Partner?")


def test_notes_line_is_one_error(tmp_path: Path, config: Config) -> None:
    note = [None] * len(SERVICE_HEADER)
    note[0] = "Note: budgets are estimates for 2024"
    result = one(tmp_path, config, workbook([service_row(1), note, service_row(2)]))
    assert [(e.cell, e.message) for e in result.errors] == [
        ("Services!A3", "row 3 looks like a notes line: remove it")
    ]


def test_total_of_numbers_alone_is_a_total_line(tmp_path: Path, config: Config) -> None:
    total = [None] * len(SERVICE_HEADER)
    total[SERVICE_HEADER.index("annual_budget_eur")] = 25000
    total[SERVICE_HEADER.index("staff_fte")] = 3
    result = one(tmp_path, config, workbook([service_row(1), total]))
    assert [e.message for e in result.errors] == ["row 3 looks like a total line: remove it"]


def test_a_service_missing_one_required_cell_is_not_a_stray_row(tmp_path: Path, config: Config) -> None:
    result = one(
        tmp_path, config, workbook([service_row(1, status=None), service_row(2, title="Total quality")])
    )
    assert [(e.column, e.message.split(":")[0]) for e in result.errors] == [("status", "status is required")]


def test_blank_needs_sheet_is_one_warning(tmp_path: Path, config: Config) -> None:
    needs = [[cat.code, None] for cat in config.categories]
    result = one(tmp_path, config, workbook(needs=needs))
    assert [(w.cell, w.column, w.message) for w in result.warnings] == [
        (
            "Needs!B1",
            "importance",
            "no importance is filled in on the Needs sheet: the default need (3) is used for every category",
        )
    ]
    partly = one(tmp_path, config, workbook(needs=[["NET", 4], ["FIN", None], ["INTL", None]]), name="b.xlsx")
    assert [w.cell for w in partly.warnings] == ["Needs!B3", "Needs!B4"]


def test_issue_header_is_the_partners_own(tmp_path: Path, config: Config) -> None:
    header = [h if h != "annual_budget_eur" else "Budget annuel (€)" for h in SERVICE_HEADER]
    result = one(tmp_path, config, workbook([service_row(1, annual_budget_eur="12,5 k€")], header=header))
    (error,) = result.errors
    assert (error.column, error.header) == ("annual_budget_eur", "Budget annuel (€)")
    assert error.translated("fr").message.startswith("les multiplicateurs comme k€ ou M ne sont pas acceptés")
    partner = [["partner_code", "BE"], ["Organisme", None], ["region", "Namur"], ["cluster_initiatives", 10]]
    (key_error,) = one(tmp_path, config, workbook(partner=partner), name="k.xlsx").errors
    assert (key_error.column, key_error.header) == ("organisation", "Organisme")
    assert key_error.translated("de").message == "Organisme ist ein Pflichtfeld: Text"
