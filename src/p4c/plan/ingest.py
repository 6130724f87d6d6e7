"""Reading a plan workbook (spec field-tests.md, "Recommendation plans") for `p4c ingest`.

Stores two tables under the partner's code, written whole or not at all: `plans` (one row: the
partner, the Plan sheet's keys, the workbook's language and file) and `plan_actions` (one row per
action of the Actions sheet). Every problem is an error at its cell: a required cell left blank, a
value of the wrong type, end before start, DROPPED without a reason, a practice that is not an
ingested service. The partner comes from a Partner sheet, `--partner` or the file name.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from typing import TYPE_CHECKING, Any

from p4c.kinds import Context, Opened, PartnerSheet, Table, error, read_table
from p4c.models import LANGUAGES, PARTNER_KEYS, Field, Language
from p4c.plan.model import ActionStatus
from p4c.plan.words import text
from p4c.plan.workbook import ACTION_COLUMNS, ACTION_STATUS_WORDS, PLAN_KEYS
from p4c.values import norm, show

if TYPE_CHECKING:
    import pandas as pd

    from p4c.config import Config
    from p4c.ingest import WorkbookResult
    from p4c.io import Book

PLAN_TABLE_COLUMNS = ("partner", *(f.name for f in PLAN_KEYS), "language", "source_file")
ACTION_TABLE_COLUMNS = (
    "partner",
    *(f.name for f in ACTION_COLUMNS),
    "source_file",
    "source_sheet",
    "source_row",
)
# The Partner sheet of a plan workbook: only its code is read; a copy of the partner workbook's
# Partner sheet (organisation, region, ...) reads without a warning.
PARTNER_SHEET_KEYS: tuple[Field, ...] = (
    PARTNER_KEYS[0],
    *(dataclasses.replace(f, required=False) for f in PARTNER_KEYS[1:]),
)
NO_PARTNER = (
    "no partner workbook is ingested yet: a plan's actions transfer ingested services; "
    "ingest the partners' workbooks first (or with this one)"
)


def _status_field() -> Field:
    """`status` as a choice of the four codes, each with its words in en/fr/de (as the dropdown)."""
    base = next(f for f in ACTION_COLUMNS if f.name == "status")
    choices = tuple(
        (s.value, tuple(dict.fromkeys(w for w in ACTION_STATUS_WORDS[s] if norm(w) != norm(s.value))))
        for s in ActionStatus
    )
    return dataclasses.replace(base, type="choice", choices=choices)


# The Actions sheet as ingest reads it: the contract's columns, status a choice.
ACTION_SPECS: tuple[Field, ...] = tuple(_status_field() if f.name == "status" else f for f in ACTION_COLUMNS)


# Whom a plan is from: named by its Partner sheet, --partner or the file name.
SENDER = PartnerSheet(
    PARTNER_SHEET_KEYS,
    "cannot tell which partner this plan is from: it has no Partner sheet; pass --partner "
    "CODE or start the file name with the country code (e.g. MT_plan_en.xlsx)",
    "{code} is not a partner of the partnership",
)


def read(opened: Opened, code: str) -> None:
    """Fill the result with the partner's plan and actions, or with every error at its cell."""
    sheets, config, result = opened.sheets, opened.config, opened.result
    plan = _plan_keys(sheets.get("Plan"), config, result)
    table = read_table(sheets["Actions"], ACTION_SPECS, config, result, country=code)
    if table is None:
        return
    _row_rules(table, result, opened.context)
    result.errors.sort(key=lambda i: (i.sheet or "", i.row or 0, i.cell or ""))
    if result.errors:
        result.fatal = True  # a plan is written whole or not at all, even with --accept-valid
        return
    actions = _actions_frame(table, code, result)
    if actions.empty:
        error(
            result,
            table.sheet,
            None,
            None,
            None,
            "",
            "no action in this sheet: the plan's Parts III and IV will be empty",
        )
        result.warnings.append(result.errors.pop())
    result.tables = {
        "plans": _plan_frame(code, plan, workbook_language(opened.book), result),
        "plan_actions": actions,
    }
    result.rows = len(actions)


def _plan_keys(
    sheet: tuple[str, list[list[Any]]] | None, config: Config, result: WorkbookResult
) -> dict[str, Any]:
    """The Plan sheet's keys (all optional: a plan without them is shown with placeholders)."""
    from p4c.ingest import read_key_sheet

    if sheet is None:
        return {}
    info = read_key_sheet(sheet, config, result, PLAN_KEYS)
    return {f.name: info.get(f.name) for f in PLAN_KEYS}


def _row_rules(table: Table, result: WorkbookResult, context: Context) -> None:
    """End before start, DROPPED without a reason, half a practice, a practice not ingested."""
    values = {name: table.values(name) for name in ("practice_partner", "practice_id", "status", "reason")}
    values |= {name: table.values(name) for name in ("start_date", "end_date")}
    for i, pos in enumerate(table.kept.tolist()):
        row = table.row(pos)
        start, end = values["start_date"][i], values["end_date"][i]
        if start is not None and end is not None and end < start:
            error(
                result,
                table.sheet,
                table.cell("end_date", pos),
                row,
                "end_date",
                end,
                f"end_date {end.isoformat()} is before start_date {start.isoformat()}",
            )
        if values["status"][i] == ActionStatus.DROPPED and values["reason"][i] is None:
            where = "reason" if "reason" in table.mapping else "status"
            error(
                result,
                table.sheet,
                table.cell(where, pos),
                row,
                "reason",
                "",
                "a DROPPED action needs a reason: say why in the reason column",
            )
        _practice(table, pos, values["practice_partner"][i], values["practice_id"][i], result, context)


def _practice(  # noqa: PLR0917 - one row's practice and where to report it
    table: Table, pos: int, owner: Any, pid: Any, result: WorkbookResult, context: Context
) -> None:
    row = table.row(pos)
    if row in table.bad_rows and (owner is None or pid is None):
        return  # a practice cell with a wrong value: already an error there
    if (owner is None) != (pid is None):
        missing = "practice_id" if pid is None else "practice_partner"
        where = (
            missing if missing in table.mapping else ("practice_partner" if pid is None else "practice_id")
        )
        error(
            result,
            table.sheet,
            table.cell(where, pos),
            row,
            missing,
            "",
            "practice_partner and practice_id go together: give both, or neither for an action of your own",
        )
        return
    if owner is not None and (str(owner), str(pid)) not in context.service_keys:
        error(
            result,
            table.sheet,
            table.cell("practice_id", pos),
            row,
            "practice_id",
            pid,
            f"{owner} {pid} is not among the ingested services; give a practice as the partner "
            "code and the service_id of its workbook",
        )


def _actions_frame(table: Table, code: str, result: WorkbookResult) -> pd.DataFrame:
    import pandas as pd

    columns: dict[str, list[Any]] = {"partner": [code] * len(table.kept)}
    for spec in ACTION_COLUMNS:
        column = table.values(spec.name)
        if spec.name == "practice_id":
            column = [None if v is None else show(v) for v in column]
        elif spec.name == "status":
            column = [v or ActionStatus.PLANNED.value for v in column]
        columns[spec.name] = column
    frame = pd.DataFrame(columns)
    frame["cost_eur"] = pd.to_numeric(frame["cost_eur"], errors="coerce").astype("float64")
    frame["source_file"] = result.file.name
    frame["source_sheet"] = table.sheet
    frame["source_row"] = [table.row(p) for p in table.kept.tolist()]
    frame["source_row"] = frame["source_row"].astype("int64")
    return frame[list(ACTION_TABLE_COLUMNS)]


def _plan_frame(code: str, plan: dict[str, Any], lang: Language, result: WorkbookResult) -> pd.DataFrame:
    import pandas as pd

    record = {"partner": code, **{f.name: plan.get(f.name) for f in PLAN_KEYS}}
    record |= {"language": lang, "source_file": result.file.name}
    return pd.DataFrame([record], columns=list(PLAN_TABLE_COLUMNS)).astype(object)


# --- the workbook's language ------------------------------------------------------------------------

_LANGUAGE_KEYS = (
    "wb.sheet.plan",
    "wb.sheet.actions",
    "wb.sheet.instructions",
    *(f"wb.col.{f.name}" for f in ACTION_COLUMNS),
    "plan.policy_instrument",
    "plan.authority",
    "plan.context",
    "plan.objectives",
)


def workbook_language(book: Book) -> Language:
    """The language a plan workbook is written in, told by its sheet names, Actions headers and
    Plan keys: the language whose template words it uses most that no other language shares;
    English when none does."""
    own: dict[Language, set[str]] = {
        lang: {norm(text(key, lang)) for key in _LANGUAGE_KEYS} for lang in LANGUAGES
    }
    words = Counter[str]()
    for name, rows in book.sheets.items():
        words[norm(name)] += 1
        for row in rows[:30]:
            for cell in row[:20]:
                if isinstance(cell, str) and len(cell) <= 60:
                    words[norm(cell)] += 1
    for name in book.sheet_names:
        if name not in book.sheets:
            words[norm(name)] += 1
    scores: dict[Language, int] = {}
    for lang in LANGUAGES:
        others = set().union(*(own[o] for o in LANGUAGES if o != lang))
        scores[lang] = sum(count for word, count in words.items() if word in own[lang] - others)
    best = max(scores.values())
    if best == 0:
        return "en"
    return next(lang for lang in LANGUAGES if scores[lang] == best)
