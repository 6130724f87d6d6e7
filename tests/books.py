"""Build partner workbooks of every file type for tests, from plain rows."""

from __future__ import annotations

import csv
import datetime as dt
import shutil
from pathlib import Path
from typing import Any

SERVICE_HEADER = [
    "service_id",
    "title",
    "description",
    "category",
    "provider",
    "status",
    "start_date",
    "annual_budget_eur",
    "staff_fte",
    "cis_served",
    "smes_reached",
    "evidence",
    "relevance",
    "impact",
    "transferability",
    "sustainability",
    "innovation",
    "synergy",
]


def service_row(i: int = 1, **changes: Any) -> list[Any]:
    """A valid service row; keyword arguments replace columns by canonical name."""
    values: dict[str, Any] = {
        "service_id": f"S-{i:02d}",
        "title": f"B2B matchmaking day {i}",
        "description": "Matchmaking for cluster SMEs",
        "category": "NET",
        "provider": "DA",
        "status": "ONGOING",
        "start_date": dt.date(2015, 3, 1),
        "annual_budget_eur": 12500.0,
        "staff_fte": 1.5,
        "cis_served": 4,
        "smes_reached": 120,
        "evidence": "40 SMEs signed agreements",
        "relevance": 4,
        "impact": 4,
        "transferability": 4,
        "sustainability": 3,
        "innovation": 3,
        "synergy": 4,
    }
    values.update(changes)
    return [values[h] for h in SERVICE_HEADER]


def partner_rows(code: str = "BE", cis: Any = 10, **extra: Any) -> list[list[Any]]:
    rows = [
        ["partner_code", code],
        ["organisation", "Agency"],
        ["region", "Namur"],
        ["cluster_initiatives", cis],
        ["contact", "info@example.org"],
    ]
    rows += [[k, v] for k, v in extra.items()]
    return rows


def workbook(
    services: list[list[Any]] | None = None,
    *,
    code: str = "BE",
    cis: Any = 10,
    header: list[str] | None = None,
    needs: list[list[Any]] | None = None,
    partner: list[list[Any]] | None = None,
) -> dict[str, list[list[Any]]]:
    sheets = {
        "Partner": partner if partner is not None else partner_rows(code, cis),
        "Services": [
            header or SERVICE_HEADER,
            *(services if services is not None else [service_row(1), service_row(2)]),
        ],
    }
    if needs is not None:
        sheets["Needs"] = [["category", "importance"], *needs]
    return sheets


def write(path: Path, sheets: dict[str, list[list[Any]]]) -> Path:
    """Write the sheets in the format the suffix says (.xlsx .xlsm .ods .xls .csv)."""
    suffix = path.suffix.lower()
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix in (".xlsx", ".xlsm"):
        _xlsx(path, sheets)
    elif suffix == ".ods":
        _ods(path, sheets)
    elif suffix == ".xls":
        _xls(path, sheets)
    elif suffix == ".csv":
        (rows,) = (
            [v for k, v in sheets.items() if k != "Partner"] if len(sheets) > 1 else list(sheets.values())
        )
        with path.open("w", encoding="utf-8", newline="") as fh:
            csv.writer(fh).writerows([[_text(v) for v in row] for row in rows])
    else:
        raise ValueError(suffix)
    return path


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _xlsx(path: Path, sheets: dict[str, list[list[Any]]]) -> None:
    import xlsxwriter

    target = path if path.suffix.lower() == ".xlsx" else path.with_suffix(".tmp.xlsx")
    book = xlsxwriter.Workbook(str(target), {"strings_to_numbers": False, "strings_to_formulas": False})
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, dt.date | dt.datetime):
                    stamp = (
                        value
                        if isinstance(value, dt.datetime)
                        else dt.datetime(value.year, value.month, value.day)
                    )
                    sheet.write_datetime(r, c, stamp, date_format)
                elif isinstance(value, str):
                    sheet.write_string(r, c, value)
                else:
                    sheet.write(r, c, value)
    book.close()
    if target != path:
        shutil.move(target, path)


def _ods(path: Path, sheets: dict[str, list[list[Any]]]) -> None:
    import pandas as pd

    with pd.ExcelWriter(path, engine="odf") as writer:
        for name, rows in sheets.items():
            pd.DataFrame(rows).to_excel(writer, sheet_name=name, header=False, index=False)


def _xls(path: Path, sheets: dict[str, list[list[Any]]]) -> None:
    import xlwt

    book = xlwt.Workbook()
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for name, rows in sheets.items():
        sheet = book.add_sheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, dt.date):
                    sheet.write(r, c, value, date_style)
                else:
                    sheet.write(r, c, value)
    book.save(str(path))
