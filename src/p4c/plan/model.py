"""A recommendation plan as data: what the .docx and the HTML both show, built once.

The writers only lay out a `PlanDocument`; every figure and text is decided before, so the two
formats can never disagree. Models are frozen pydantic models that refuse unknown fields.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from p4c.evaluation.models import Adoption, TestStatus, Verdict
from p4c.models import Language


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ActionStatus(StrEnum):
    """Where an action of the plan stands (the Actions sheet's `status`)."""

    PLANNED = "PLANNED"
    ONGOING = "ONGOING"
    DONE = "DONE"
    DROPPED = "DROPPED"


class FieldTestResults(_Model):
    """What the field tests of one practice showed, as the plan reports it.

    `status` and `adoption` are those of the plan partner's own test of the practice (None when it
    did not test it); the other figures are over all hosts' tests.
    """

    status: TestStatus | None = None
    adoption: Adoption | None = None
    satisfaction: Annotated[float, Field(ge=1, le=5)] | None = None  # mean of the DONE tests
    indicator_change: float | None = None  # median relative change, 0.12 = +12 %
    done: Annotated[int, Field(ge=0)] = 0
    successes: Annotated[int, Field(ge=0)] = 0


class Action(_Model):
    """One action of Part III: the practice it transfers and how the region will run it."""

    practice_partner: str | None = None
    practice_id: str | None = None
    practice_title: str | None = None
    practice_evidence: str | None = None
    results: FieldTestResults | None = None  # None: the practice was never field-tested
    verdict: Verdict | None = None
    title: str | None = None
    description: str | None = None
    players: str | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    cost_eur: Annotated[float, Field(ge=0)] | None = None
    funding_source: str | None = None
    indicator: str | None = None
    target: str | None = None
    status: ActionStatus = ActionStatus.PLANNED
    reason: str | None = None

    @model_validator(mode="after")
    def _dates_in_order(self) -> Action:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValueError(f"end_date {self.end_date} is before start_date {self.start_date}")
        return self


class PlanDocument(_Model):
    """Everything one partner's recommendation plan shows, in its language."""

    partner: Annotated[str, Field(pattern=r"^[A-Z]{2}$")]
    organisation: str | None = None
    region: str | None = None
    cluster_initiatives: Annotated[int, Field(ge=1)] | None = None
    contact: str | None = None
    language: Language = "en"
    draft: bool = False
    needs: dict[str, Annotated[float, Field(ge=1, le=5)]] = {}  # category code -> importance
    category_labels: dict[str, str] = {}  # category code -> label in `language`
    policy_instrument: str | None = None
    authority: str | None = None
    context: str | None = None
    objectives: str | None = None
    actions: tuple[Action, ...] = ()
    generated: dt.date

    def category_label(self, code: str) -> str:
        return self.category_labels.get(code, code)
