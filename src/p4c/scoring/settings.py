"""The config sections `scoring` and `weights` (spec: scoring.md), as pydantic models.

They live here until the lead wires them into `p4c.config.Config` (as `scoring: ScoringSettings =
ScoringSettings()` and `weights: WeightSettings = WeightSettings()`); the defaults are the spec's.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

PositiveInt = Annotated[int, Field(ge=1)]


class ScoringSettings(BaseModel):
    """How the criterion scores of a service are made from self scores and peer ratings."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    source: Literal["self", "peer", "blend"] = "self"
    self_weight: Annotated[float, Field(ge=0, le=1)] = 0.25
    aggregate: Literal["mean", "median", "trimmed_mean"] = "mean"
    exclude_own: bool = True
    standardize: Literal["none", "z"] = "none"
    min_ratings: PositiveInt = 10
    min_raters: PositiveInt = 2


class WeightSettings(BaseModel):
    """Where the criterion weights come from.

    YAML `from` is a Python keyword: the attribute is `from_`, and only the alias `from` is read
    (build one in Python with `WeightSettings.model_validate({"from": "partners"})`).
    """

    # Dumped by its YAML name, and read by either name, so a dumped config validates again.
    model_config = ConfigDict(extra="forbid", frozen=True, serialize_by_alias=True, populate_by_name=True)

    from_: Literal["config", "partners"] = Field(default="config", alias="from")
    aggregate: Literal["mean", "geometric"] = "mean"
