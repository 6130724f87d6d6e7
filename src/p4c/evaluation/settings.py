"""The `evaluation` config section: every threshold of the spec's verdicts, with its default."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

from p4c.evaluation.models import Adoption

Need = Annotated[float, Field(ge=1, le=5)]  # on the Needs importance scale
Share = Annotated[float, Field(ge=0, le=1)]


class EvaluationSettings(BaseModel):
    """Thresholds of `p4c evaluate` (spec field-tests.md, defaults in its brackets).

    `min_done` is the DONE count of both the TRANSFERABLE and the NOT_TRANSFERABLE rows (the spec
    writes [2] in each). A practice is pertinent to a majority when its share is *strictly* above
    `majority`, so `majority` stops below 1 (a share cannot exceed 1).
    """

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    min_done: Annotated[int, Field(ge=1)] = 2
    min_success_rate: Share = 0.5
    min_satisfaction: Annotated[float, Field(ge=1, le=5)] = 3.5  # participants' rating, 1-5
    majority: Annotated[float, Field(ge=0, lt=1)] = 0.5
    need_threshold: Need = 3
    default_need: Need = 3
    success_adoptions: tuple[Adoption, ...] = (Adoption.FULL, Adoption.PARTIAL)

    @field_validator("success_adoptions")
    @classmethod
    def _some_adoptions(cls, value: tuple[Adoption, ...]) -> tuple[Adoption, ...]:
        if not value:
            raise ValueError(
                "at least one adoption must count as a success; accepted: "
                + ", ".join(a.value for a in Adoption)
            )
        if len(set(value)) != len(value):
            raise ValueError("an adoption is listed twice")
        return value
