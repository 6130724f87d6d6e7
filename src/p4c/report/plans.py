"""The recommendation plans on the report's partner pages: a link to each plan and its actions.

Read from the store (the ingested plan workbooks) and the plans folder (`p4c plan`, `p4c run`):
a partner whose plan file exists gets a link, relative to report.html in the same folder; its
actions come from its plan workbook, or the page says that its plan is still a draft.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from p4c.plan.model import ActionStatus


@dataclass(frozen=True)
class PartnerPlan:
    """One partner's plan as its report page shows it."""

    code: str
    html: str | None  # link to plans/CODE_plan.html, when written
    docx: str | None
    workbook: str | None  # the plan workbook's file name; None: the plan is a draft
    language: str | None
    actions: list[dict[str, str]] = field(default_factory=list)


def read_plans(folder: Path) -> dict[str, PartnerPlan]:
    """Every partner with a plan written or a plan workbook stored, by code."""
    from p4c import store

    stored = _table(folder, store.PLANS)
    actions = _table(folder, store.PLAN_ACTIONS)
    plans_dir = folder / store.PLANS_DIR
    codes = set(stored["partner"].astype(str)) if stored is not None else set()
    if plans_dir.is_dir():
        codes |= {p.name.split("_", 1)[0] for p in plans_dir.glob(store.PLAN_HTML.format(partner="*"))}
    out = {}
    for code in sorted(codes):
        html, docx = (store.PLAN_HTML.format(partner=code), store.PLAN_DOCX.format(partner=code))
        mine = stored[stored["partner"].astype(str) == code] if stored is not None else None
        record = mine.iloc[-1].to_dict() if mine is not None and not mine.empty else {}
        rows = actions[actions["partner"].astype(str) == code] if actions is not None else None
        out[code] = PartnerPlan(
            code=code,
            html=f"{store.PLANS_DIR}/{html}" if (plans_dir / html).is_file() else None,
            docx=f"{store.PLANS_DIR}/{docx}" if (plans_dir / docx).is_file() else None,
            workbook=str(record["source_file"]) if record else None,
            language=str(record["language"]) if record else None,
            actions=_actions(rows) if rows is not None else [],
        )
    return out


def _table(folder: Path, name: str) -> Any:
    from p4c import store

    if not store.db_path(folder).exists():
        return None
    frame = store.read_table(folder, name)
    return None if frame is None or frame.empty else frame


def _actions(rows: Any) -> list[dict[str, str]]:
    out = []
    for row in rows.sort_values("source_row", kind="stable").to_dict("records"):
        practice = (
            f"{row['practice_partner']} {row['practice_id']}"
            if _text(row.get("practice_partner")) and _text(row.get("practice_id"))
            else ""
        )
        status = _text(row.get("status")) or ActionStatus.PLANNED.value
        out.append(
            {
                "action": _text(row.get("action")),
                "practice": practice,
                "timeframe": f"{_date(row.get('start_date'))} – {_date(row.get('end_date'))}",
                "target": " → ".join(t for t in (_text(row.get("indicator")), _text(row.get("target"))) if t),
                "status": status,
                "reason": _text(row.get("reason")),
            }
        )
    return out


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip()


def _date(value: object) -> str:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return _text(value)[:10]


def plan_pages(plans: dict[str, PartnerPlan]) -> dict[str, dict[str, Any]]:
    """The template's view of each partner's plan, by code."""
    return {
        code: {
            "html": p.html,
            "docx": p.docx,
            "draft": p.workbook is None,
            "workbook": p.workbook,
            "language": p.language,
            "actions": p.actions,
        }
        for code, p in plans.items()
    }
