"""The `scoring` and `weights` config sections (scoring.md)."""

from __future__ import annotations

import pytest
import yaml
from pydantic import ValidationError

from p4c.scoring.settings import ScoringSettings, WeightSettings


def test_defaults_are_the_specs() -> None:
    assert ScoringSettings().model_dump() == {
        "source": "self",
        "self_weight": 0.25,
        "aggregate": "mean",
        "exclude_own": True,
        "standardize": "none",
        "min_ratings": 10,
        "min_raters": 2,
    }
    assert WeightSettings().model_dump(by_alias=True) == {"from": "config", "aggregate": "mean"}


def test_weights_from_is_read_from_yaml() -> None:
    section = yaml.safe_load("from: partners\naggregate: geometric\n")
    weights = WeightSettings.model_validate(section)
    assert (weights.from_, weights.aggregate) == ("partners", "geometric")


@pytest.mark.parametrize(
    ("model", "section"),
    [
        (ScoringSettings, {"source": "peers"}),
        (ScoringSettings, {"self_weight": 1.5}),
        (ScoringSettings, {"self_weight": -0.1}),
        (ScoringSettings, {"aggregate": "trimmed"}),
        (ScoringSettings, {"standardize": "zscore"}),
        (ScoringSettings, {"min_ratings": 0}),
        (ScoringSettings, {"min_raters": 0}),
        (ScoringSettings, {"exclude_self": True}),
        (WeightSettings, {"from": "partner"}),
        (WeightSettings, {"aggregate": "median"}),
        (WeightSettings, {"source": "config"}),
    ],
)
def test_bad_values_and_unknown_keys_are_refused(
    model: type[ScoringSettings | WeightSettings], section: dict[str, object]
) -> None:
    with pytest.raises(ValidationError):
        model.model_validate(section)


def test_a_dumped_config_reads_back() -> None:
    """Config.model_dump() writes `from_`; validating the dump gives the same settings."""
    weights = WeightSettings.model_validate({"from": "partners"})
    assert WeightSettings.model_validate(weights.model_dump()) == weights


def test_settings_are_frozen() -> None:
    with pytest.raises(ValidationError):
        ScoringSettings().source = "peer"  # type: ignore[misc]
