"""The `evaluation` config section (p4c.evaluation.settings)."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from p4c.evaluation.models import Adoption
from p4c.evaluation.settings import EvaluationSettings


def test_defaults_are_the_spec_brackets() -> None:
    s = EvaluationSettings()
    assert s.model_dump() == {
        "min_done": 2,
        "min_success_rate": 0.5,
        "min_satisfaction": 3.5,
        "majority": 0.5,
        "need_threshold": 3,
        "default_need": 3,
        "success_adoptions": (Adoption.FULL, Adoption.PARTIAL),
    }


def test_from_yaml_like_data() -> None:
    s = EvaluationSettings.model_validate({"min_done": 3, "success_adoptions": ["FULL"]})
    assert (s.min_done, s.success_adoptions) == (3, (Adoption.FULL,))


@pytest.mark.parametrize(
    "data",
    [
        {"min_done": 0},
        {"min_success_rate": 1.01},
        {"min_success_rate": -0.1},
        {"min_satisfaction": 0.5},
        {"min_satisfaction": 5.5},
        {"majority": 1},
        {"majority": -0.01},
        {"need_threshold": 0},
        {"need_threshold": 6},
        {"default_need": 0.9},
        {"success_adoptions": []},
        {"success_adoptions": ["FULL", "FULL"]},
        {"success_adoptions": ["ALL"]},
        {"threshold": 3},
    ],
)
def test_out_of_range_values_are_refused(data: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        EvaluationSettings.model_validate(data)


def test_frozen() -> None:
    with pytest.raises(ValidationError):
        EvaluationSettings().min_done = 5  # type: ignore[misc]
