"""The plan workbook `CODE_plan_LANG.xlsx` a partner fills in, and its contract for reading it back.

Like the partner workbook: sheet names, keys and headers in the partner's language, each one an
alias of the contract's name, so a filled-in template always reads back; dropdowns in the
workbook's language that also accept the English codes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from p4c.errors import P4CError
from p4c.models import KIND_SHEETS, LANGUAGES, Field, Language, ValueType
from p4c.plan.model import ActionStatus
from p4c.plan.words import text
from p4c.values import is_blank, norm, parse_date, parse_number, show
from p4c.xlsxstyle import STYLES, add_formats, instructions_sheet, list_range, lists_sheet

DATA_ROWS = 200  # rows prepared with dropdowns and formats
FILE_PATTERN = "{partner}_plan_{lang}.xlsx"
AMOUNT_FORMAT = "#,##0.00"
DATE_RANGE = (dt.date(2000, 1, 1), dt.date(2100, 12, 31))


def _labels(key: str) -> tuple[str, ...]:
    """The key's text in the three languages (the headers the templates write), once each."""
    seen: dict[str, str] = {}
    for lang in LANGUAGES:
        label = text(key, lang)
        seen.setdefault(norm(label), label.lower())
    return tuple(seen.values())


# The sheets' names by role (the template's names in each language are among them).
PLAN_SHEET_NAMES: dict[str, tuple[str, ...]] = KIND_SHEETS["plan"]


def _key(name: str, more: tuple[str, ...] = ()) -> Field:
    """A key of the Plan sheet (free text, optional): read by its label `plan.NAME` in each language
    (the one the template writes) or by the other words `more`."""
    return Field(name, "text", False, (*_labels(f"plan.{name}"), *more))


def _column(
    name: str, type: ValueType, required: bool, more: tuple[str, ...] = (), minimum: float | None = None
) -> Field:
    """A column of the Actions sheet: read by its header `wb.col.NAME` in each language (the one the
    template writes) or by the other words `more`."""
    return Field(name, type, required, (*_labels(f"wb.col.{name}"), *more), minimum=minimum)


PLAN_KEYS: tuple[Field, ...] = (
    _key("policy_instrument", ("instrument", "programme", "förderprogramm")),
    _key(
        "authority",
        (
            "authority",
            "managing authority",
            "autorité",
            "autorité de gestion",
            "behörde",
            "verwaltungsbehörde",
        ),
    ),
    _key("context", ("contexte", "kontext")),
    _key("objectives", ("objectifs", "ziele")),
)

ACTION_COLUMNS: tuple[Field, ...] = (
    _column("practice_partner", "code", False, ("practice partner", "partenaire", "partner")),
    _column("practice_id", "text", False, ("practice", "pratique", "praxis", "service id")),
    _column("action", "text", True, ("action title", "titre", "titre de l action", "titel")),
    _column("description", "text", False),
    _column("players", "text", True, ("stakeholders", "acteurs", "parties prenantes", "akteure")),
    _column("start_date", "date", True, ("start", "début", "startdatum")),
    _column("end_date", "date", True, ("end", "fin", "enddatum")),
    _column("cost_eur", "amount", False, ("cost", "budget", "coût", "kosten"), minimum=0),
    _column("funding_source", "text", False, ("funding", "financement", "finanzierung")),
    _column("indicator", "text", True),
    _column("target", "text", True, ("target value", "objectif", "ziel")),
    # `status` takes ACTION_STATUS_WORDS (checked by `check_actions`); blank means PLANNED.
    _column("status", "text", False),
    _column("reason", "text", False, ("reason", "motif", "begründung", "raison")),
)
ACTION_COLUMN_NAMES: tuple[str, ...] = tuple(f.name for f in ACTION_COLUMNS)
REQUIRED_ACTION_COLUMNS: tuple[str, ...] = tuple(f.name for f in ACTION_COLUMNS if f.required)

ACTION_STATUS_WORDS: dict[ActionStatus, tuple[str, ...]] = {
    status: (status.value.lower(), *_labels(f"status.{status.value}")) for status in ActionStatus
}
ACTION_STATUS_WORDS[ActionStatus.DONE] += ("terminée", "terminé", "réalisé", "erledigt")
ACTION_STATUS_WORDS[ActionStatus.DROPPED] += ("abandonné", "annulée", "aufgegeben", "abgebrochen")
ACTION_STATUS_WORDS[ActionStatus.PLANNED] += ("prévu",)
_STATUS_BY_WORD = {norm(word): status for status, words in ACTION_STATUS_WORDS.items() for word in words}

_HELP = {
    "practice_partner": "wb.help.practice",
    "practice_id": "wb.help.practice",
    "action": "wb.help.action",
    "description": "wb.help.description",
    "players": "wb.help.players",
    "start_date": "wb.help.date",
    "end_date": "wb.help.date",
    "cost_eur": "wb.help.cost",
    "funding_source": "wb.help.funding",
    "indicator": "wb.help.indicator",
    "target": "wb.help.target",
    "status": "wb.help.status",
    "reason": "wb.help.reason",
}
_WIDTHS = {
    "practice_partner": 11,
    "practice_id": 13,
    "action": 36,
    "description": 48,
    "players": 30,
    "start_date": 13,
    "end_date": 13,
    "cost_eur": 14,
    "funding_source": 26,
    "indicator": 30,
    "target": 18,
    "status": 14,
    "reason": 30,
}


def status_choices(lang: Language) -> list[str]:
    """The status dropdown: the words of `lang`, then the English codes not already there."""
    words = [text(f"status.{s.value}", lang) for s in ActionStatus]
    shown = {norm(w) for w in words}
    return words + [s.value for s in ActionStatus if norm(s.value) not in shown]


def parse_status(value: object) -> ActionStatus:
    """An action status in any language (blank means PLANNED)."""
    if is_blank(value):
        return ActionStatus.PLANNED
    found = _STATUS_BY_WORD.get(norm(str(value)))
    if found is None:
        accepted = ", ".join(s.value for s in ActionStatus)
        raise ValueError(
            f"`{show(value)}` is not a status; accepted: {accepted} (or their names "
            "in French or German, as in the dropdown)"
        )
    return found


def write_plan_template(
    path: Path,
    *,
    partner: str,
    lang: Language,
    actions_prefill: pd.DataFrame,
    plan: Mapping[str, str] | None = None,
    created: dt.datetime | None = None,
) -> Path:
    """Write `CODE_plan_LANG.xlsx` to `path` (atomically) and return it.

    `actions_prefill` has the columns `practice_partner`, `practice_id` and `title` (what
    `prefill_actions` returns): one pre-filled action row each, titled after the practice; any
    other action column it has (ACTION_COLUMN_NAMES: players, start_date, status, ...) is written
    too, a status as its word in `lang`. `plan` optionally pre-fills the Plan sheet (keys of
    PLAN_KEYS). `created`: a fixed document date, so the same input gives the same bytes.
    """
    import xlsxwriter

    from p4c.io import atomic_path

    lacking = [c for c in ("practice_partner", "practice_id", "title") if c not in actions_prefill.columns]
    if lacking:
        raise P4CError(f"the pre-filled actions lack the column(s) {', '.join(lacking)}")
    keys = [f.name for f in PLAN_KEYS]
    unknown = sorted(set(plan or {}) - set(keys))
    if unknown:
        raise P4CError(f"unknown Plan key(s) {', '.join(unknown)}; accepted: {', '.join(keys)}")
    with atomic_path(path) as tmp:
        book = xlsxwriter.Workbook(
            str(tmp), {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False}
        )
        formats = _formats(book, lang)
        statuses = list_range(0, len(status_choices(lang)))
        _instructions(book, lang, formats)
        _plan_sheet(book, lang, plan or {}, formats)
        _actions_sheet(book, lang, actions_prefill, statuses, formats)
        _lists_sheet(book, lang)
        book.set_properties(
            {
                "title": f"{text('doc.title', lang)} – {partner.upper()}",
                "subject": f"p4c plan workbook {partner.upper()}",
                "comments": f"language {lang}",
                **({"created": created} if created is not None else {}),
            }
        )
        book.set_custom_property("p4c_partner", partner.upper())
        book.set_custom_property("p4c_language", lang)
        book.close()
    return path


def _formats(book: Any, lang: Language) -> dict[str, Any]:
    top = {"valign": "top"}
    return add_formats(
        book,
        ("header", "required", "key", "title", "wrap", "input", "date", "amount"),
        required={**STYLES["header"], "bg_color": "#C55A11"},
        key={**top, "text_wrap": True},
        input={"text_wrap": True, **top},
        date={"num_format": text("wb.date_format", lang), **top},
        amount={"num_format": AMOUNT_FORMAT, **top},
    )


def _lists_sheet(book: Any, lang: Language) -> None:
    """A hidden sheet, last, holding the status dropdown (A2 down)."""
    lists_sheet(book, {"status": status_choices(lang)})


def _instructions(book: Any, lang: Language, f: dict[str, Any]) -> None:
    title, *lines = text("wb.instructions", lang).splitlines()
    sheet, _ = instructions_sheet(book, text("wb.sheet.instructions", lang), title, lines, f)
    sheet.set_paper(9)
    sheet.fit_to_pages(1, 0)
    sheet.activate()


def _plan_sheet(book: Any, lang: Language, plan: Mapping[str, str], f: dict[str, Any]) -> None:
    sheet = book.add_worksheet(text("wb.sheet.plan", lang))
    sheet.set_column(0, 0, 28)
    sheet.set_column(1, 1, 90)
    for row, field in enumerate(PLAN_KEYS):
        label = text(f"plan.{field.name}", lang)
        sheet.write_string(row, 0, label, f["key"])
        value = plan.get(field.name)
        if value:
            sheet.write_string(row, 1, value, f["input"])
        else:
            sheet.write_blank(row, 1, None, f["input"])
        sheet.set_row(row, 60 if field.name in ("context", "objectives") else 30)
    sheet.set_paper(9)
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)


def _actions_sheet(
    book: Any, lang: Language, prefill: pd.DataFrame, statuses: str, f: dict[str, Any]
) -> None:
    sheet = book.add_worksheet(text("wb.sheet.actions", lang))
    last = max(DATA_ROWS, len(prefill))
    for c, field in enumerate(ACTION_COLUMNS):
        label = text(f"wb.col.{field.name}", lang)
        sheet.write_string(0, c, label, f["required"] if field.required else f["header"])
        column_format = {"date": f["date"], "amount": f["amount"]}.get(field.type, f["wrap"])
        sheet.set_column(c, c, _WIDTHS[field.name], column_format)
        help_text = text(_HELP[field.name], lang)[:255]
        options: dict[str, Any] = {"input_title": label[:32], "input_message": help_text}
        if field.name == "status":
            options |= {"validate": "list", "source": statuses}
        elif field.type == "date":
            options |= {
                "validate": "date",
                "criteria": "between",
                "minimum": DATE_RANGE[0],
                "maximum": DATE_RANGE[1],
                "error_type": "warning",
            }
        elif field.type == "amount":
            options |= {"validate": "decimal", "criteria": ">=", "value": 0, "error_type": "warning"}
        else:
            options |= {"validate": "any"}
        sheet.data_validation(1, c, last, c, options)
    columns = {name: i for i, name in enumerate(ACTION_COLUMN_NAMES)}
    more = [c for c in ACTION_COLUMN_NAMES if c in prefill.columns and c not in ("action", "status")]
    more += [] if "practice_id" in more else ["practice_id"]
    records = prefill.rename(columns={"title": "action"}).to_dict("records")
    for r, record in enumerate(records, start=1):
        for name in ("action", *more):
            value = record.get(name)
            if value is None or value is pd.NA or value is pd.NaT or is_blank(value):
                continue
            if isinstance(value, dt.date):
                sheet.write_datetime(r, columns[name], dt.datetime.combine(value, dt.time()), f["date"])
            elif name == "cost_eur":
                sheet.write_number(r, columns[name], float(value), f["amount"])
            else:
                sheet.write_string(r, columns[name], str(value))
        status = parse_status(record.get("status"))
        sheet.write_string(r, columns["status"], text(f"status.{status.value}", lang))
    sheet.set_row(0, 32)
    sheet.freeze_panes(1, 3)
    sheet.autofilter(0, 0, last, len(ACTION_COLUMNS) - 1)
    sheet.set_paper(9)
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(0)


# --- reading back ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActionIssue:
    """A problem in one cell of the Actions sheet: `row` as Excel shows it (header in row 1)."""

    row: int
    column: str
    message: str


def parse_actions(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[ActionIssue]]:
    """Typed actions and the issues of the row rules.

    `frame` has the contract's column names (missing optional columns count as blank), one row
    per sheet row from row 2. Returns ACTION_COLUMN_NAMES typed (dates as datetime.date, cost as
    float, status as its code, blanks as None) and every issue found, row by row.
    """
    issues: list[ActionIssue] = []
    rows: list[dict[str, Any]] = []
    for position, record in enumerate(frame.to_dict("records")):
        row = position + 2
        typed: dict[str, Any] = {}
        invalid: set[str] = set()
        for field in ACTION_COLUMNS:
            value = record.get(field.name)
            if is_blank(value) or value is pd.NA or value is pd.NaT:
                typed[field.name] = None
                if field.required:
                    issues.append(ActionIssue(row, field.name, f"{field.name} is required"))
                continue
            try:
                typed[field.name] = _typed(field, value)
            except ValueError as exc:
                typed[field.name] = None
                invalid.add(field.name)
                issues.append(ActionIssue(row, field.name, str(exc)))
        if typed["status"] is None:
            typed["status"] = ActionStatus.PLANNED.value
        start, end = typed["start_date"], typed["end_date"]
        if start is not None and end is not None and end < start:
            issues.append(
                ActionIssue(
                    row, "end_date", f"end_date {end.isoformat()} is before start_date {start.isoformat()}"
                )
            )
        if typed["status"] == ActionStatus.DROPPED and typed["reason"] is None:
            issues.append(ActionIssue(row, "reason", "a DROPPED action needs a reason"))
        pair_valid = not invalid & {"practice_partner", "practice_id"}
        if pair_valid and (typed["practice_partner"] is None) != (typed["practice_id"] is None):
            missing = "practice_id" if typed["practice_id"] is None else "practice_partner"
            issues.append(
                ActionIssue(
                    row, missing, "practice_partner and practice_id go together: give both or neither"
                )
            )
        rows.append(typed)
    out = pd.DataFrame(rows, columns=list(ACTION_COLUMN_NAMES)).astype(object)
    return out.where(out.notna(), None), issues


def check_actions(frame: pd.DataFrame) -> list[ActionIssue]:
    """The row rules of the Actions sheet: required cells, valid values, end >= start, DROPPED
    needs a reason (see `parse_actions`)."""
    return parse_actions(frame)[1]


def _typed(field: Field, value: object) -> object:
    if field.name == "status":
        return parse_status(value).value
    if field.type == "date":
        return parse_date(value)
    if field.type == "amount":
        number = parse_number(value)
        if field.minimum is not None and number < field.minimum:
            raise ValueError(f"{show(value)} is negative; expected an amount >= 0")
        return number
    if field.type == "code":
        code = str(value).strip().upper()
        if len(code) != 2 or not code.isalpha():
            raise ValueError(f"`{show(value)}` is not a partner code; expected two letters such as BE")
        return code
    return str(value).strip() if isinstance(value, str) else show(value)
