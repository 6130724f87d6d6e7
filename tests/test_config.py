"""The criteria config (ranking.md "Criteria"): the shipped default, and one clear error per bad file."""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from p4c.config import (
    Config,
    Project,
    default_config_text,
    parse_config,
    suggest,
)
from p4c.errors import P4CError
from p4c.models import NUMERIC_SERVICE_COLUMNS

REPO = Path(__file__).resolve().parents[1]
SOURCE = "criteria.yaml"
NUMERIC = ", ".join(NUMERIC_SERVICE_COLUMNS)

# ranking.md: the eight default criteria
SPEC_CRITERIA = [
    ("relevance", "score", "benefit", 0.20),
    ("impact", "score", "benefit", 0.20),
    ("pertinence", "pertinence", "benefit", 0.15),
    ("transferability", "score", "benefit", 0.15),
    ("cost_per_sme", "ratio", "cost", 0.10),
    ("sustainability", "score", "benefit", 0.10),
    ("innovation", "score", "benefit", 0.05),
    ("synergy", "score", "benefit", 0.05),
]
# partner-workbook.md: the categories, code and English label
SPEC_CATEGORIES = {
    "NET": "Networking and matchmaking",
    "INTEL": "Market and technology intelligence",
    "INNOV": "Collaborative R&D and technology transfer",
    "FIN": "Access to finance and funding advice",
    "INTL": "Internationalisation",
    "SKILLS": "Training and human-resource upgrading",
    "CMGT": "Cluster-management professionalisation",
    "BRAND": "Branding, marketing and PR",
    "POLICY": "Business environment and policy dialogue",
    "INFRA": "Shared facilities and infrastructure",
    "START": "Start-up and incubation",
    "COMM": "Commercial cooperation",
    "XSECT": "Cross-cluster and cross-sectoral cooperation",
    "MONIT": "Monitoring and member satisfaction",
}


@pytest.fixture(scope="module")
def default() -> Config:
    return parse_config(default_config_text(), "default")


@pytest.fixture(scope="module")
def default_data() -> dict[str, Any]:
    data = yaml.safe_load(default_config_text())
    assert isinstance(data, dict)
    return data


def bad(data: dict[str, Any], change: Callable[[dict[str, Any]], object]) -> str:
    """The message of the one P4CError that the default config with `change` applied gives."""
    changed = copy.deepcopy(data)
    change(changed)
    text = yaml.safe_dump(changed, allow_unicode=True, sort_keys=False)
    with pytest.raises(P4CError) as info:
        parse_config(text, SOURCE)
    message = info.value.message
    assert message.startswith(f"{SOURCE}: "), message
    assert "\n" not in message, message
    assert "Traceback" not in message
    return message


def criterion(data: dict[str, Any], criterion_id: str) -> dict[str, Any]:
    found: dict[str, Any] = next(c for c in data["criteria"] if c["id"] == criterion_id)
    return found


MDA = {"organisation": "Malta Development Agency", "region": "Malta", "cluster_initiatives": 4}
NEW_FIELD = {
    "id": "staff",
    "label": {"en": "Staff"},
    "weight": 0.1,
    "direction": "benefit",
    "source": "field",
    "column": "staff_fte",
}


# --- the shipped default ---------------------------------------------------------------------------


def test_default_loads(default: Config) -> None:
    assert default.version == 1
    assert (default.scale.min, default.scale.max, default.scale.step) == (1, 5, 0.5)
    assert default.missing == "rescale"
    assert default.partners == {}


def test_default_criteria_are_the_specs(default: Config) -> None:
    got = [(c.id, c.source, c.direction, c.weight) for c in default.criteria]
    assert got == SPEC_CRITERIA


def test_default_weights_sum_to_one(default: Config) -> None:
    assert math.isclose(sum(c.weight for c in default.criteria), 1.0, rel_tol=1e-12)


def test_default_cost_per_sme_is_budget_per_sme(default: Config) -> None:
    cost = default.criterion("cost_per_sme")
    assert (cost.numerator, cost.denominator) == ("annual_budget_eur", "smes_reached")
    assert cost.effective_normalization == "minmax"


def test_default_normalizations(default: Config) -> None:
    for crit in default.criteria:
        expected = "minmax" if crit.source in ("field", "ratio") else "scale"
        assert crit.effective_normalization == expected, crit.id


def test_default_score_criteria_have_three_languages(default: Config) -> None:
    ids = [c.id for c in default.score_criteria]
    assert ids == ["relevance", "impact", "transferability", "sustainability", "innovation", "synergy"]
    for crit in default.score_criteria:
        assert set(crit.label) >= {"en", "fr", "de"}, crit.id
        assert all(crit.label[lang].strip() for lang in ("en", "fr", "de")), crit.id
        assert isinstance(crit.description, dict) and set(crit.description) == {"en", "fr", "de"}, crit.id
        assert all(crit.description_text(lang).strip() for lang in ("en", "fr", "de")), crit.id
    assert default.criterion("relevance").text("fr") == "Adéquation aux besoins"
    assert default.criterion("relevance").text("it") == "Relevance to CI needs"


def test_default_categories_are_the_contracts(default: Config) -> None:
    assert len(default.categories) == 14
    assert {c.code: c.text("en") for c in default.categories} == SPEC_CATEGORIES
    for cat in default.categories:
        assert set(cat.label) >= {"en", "fr", "de"}, cat.code


def test_default_category_lookup(default: Config) -> None:
    lookup = default.category_lookup
    for code, label in SPEC_CATEGORIES.items():
        assert lookup["".join(code.lower())] == code
        assert lookup[" ".join(re.sub(r"[^0-9a-z]+", " ", label.lower()).split())] == code
    assert lookup["reseautage"] == "NET"
    assert lookup["finanzierung"] == "FIN"
    assert lookup["r d"] == "INNOV"


def test_default_good_practice_shortlist_and_field_tests(default: Config) -> None:
    gp = default.good_practice
    assert [s.value for s in gp.statuses] == ["ONGOING", "COMPLETED"]
    assert gp.min_months_running == 12
    assert gp.require_evidence
    assert [p.value for p in gp.excluded_providers] == ["EXTERNAL"]
    assert gp.min_score == 0.6
    assert gp.min_criteria == {"relevance": 3, "impact": 3, "transferability": 3}
    assert gp.min_pertinence == 0.5
    assert (default.shortlist.size, default.shortlist.max_per_partner, default.shortlist.min_categories) == (
        15,
        3,
        5,
    )
    ft = default.field_tests
    assert (ft.tests_per_partner, ft.max_partners_per_practice, ft.default_need) == (2, 3, 3)
    assert (ft.mode.min_need, ft.mode.criterion, ft.mode.min_value) == (4, "transferability", 4)


def test_project_config_is_the_default_but_for_partners() -> None:
    shipped = REPO / "config" / "criteria.yaml"
    if not shipped.is_file():
        pytest.skip("no config/criteria.yaml in the repository")
    # The sample project adds the details of its CSV partner and ranks on peer scores (scoring.md:
    # `p4c run` shows the whole method); everything else is the default.
    project = parse_config(shipped.read_text(encoding="utf-8"))
    assert project.scoring.source == "peer"
    project = project.model_copy(
        update={"partners": {}, "scoring": project.scoring.model_copy(update={"source": "self"})}
    )
    assert project == parse_config(default_config_text())


def test_criterion_lookup_unknown(default: Config) -> None:
    with pytest.raises(KeyError):
        default.criterion("nope")


def test_config_is_frozen(default: Config) -> None:
    with pytest.raises(ValueError, match="frozen"):
        default.criteria[0].weight = 1.0


def test_suggest() -> None:
    assert suggest("relevanse", ["relevance", "impact"]) == " (did you mean relevance?)"
    assert suggest("zzz", ["relevance", "impact"]) == " (known: relevance, impact)"


# --- criteria: one clear error per bad file --------------------------------------------------------


def test_field_criterion_unknown_column(default_data: dict[str, Any]) -> None:
    message = bad(default_data, lambda d: d["criteria"].append({**NEW_FIELD, "column": "budgett"}))
    assert "criteria[8] (staff): column `budgett` is an unknown column" in message
    assert f"accepted: {NUMERIC}" in message


def test_field_criterion_needs_a_column(default_data: dict[str, Any]) -> None:
    field = {k: v for k, v in NEW_FIELD.items() if k != "column"}
    message = bad(default_data, lambda d: d["criteria"].append(field))
    assert "criteria[8] (staff): source field needs `column`" in message
    assert NUMERIC in message


def test_ratio_unknown_column(default_data: dict[str, Any]) -> None:
    message = bad(default_data, lambda d: criterion(d, "cost_per_sme").update(denominator="smes"))
    assert "criteria[4] (cost_per_sme): denominator `smes` is an unknown column" in message
    assert f"accepted: {NUMERIC}" in message


def test_ratio_over_a_non_numeric_column(default_data: dict[str, Any]) -> None:
    message = bad(default_data, lambda d: criterion(d, "cost_per_sme").update(numerator="title"))
    assert "criteria[4] (cost_per_sme): numerator `title` is a non-numeric column" in message
    assert f"accepted: {NUMERIC}" in message


def test_column_with_the_wrong_source(default_data: dict[str, Any]) -> None:
    message = bad(default_data, lambda d: criterion(d, "impact").update(column="staff_fte"))
    assert "criteria[1] (impact): `column` only goes with source field" in message


def test_scale_normalization_of_a_field_needs_bounds(default_data: dict[str, Any]) -> None:
    message = bad(default_data, lambda d: d["criteria"].append({**NEW_FIELD, "normalization": "scale"}))
    assert "criteria[8] (staff)" in message
    assert "needs `bounds: [low, high]`" in message


def test_bounds_must_be_ordered(default_data: dict[str, Any]) -> None:
    message = bad(
        default_data,
        lambda d: d["criteria"].append({**NEW_FIELD, "normalization": "scale", "bounds": [5, 1]}),
    )
    assert "criteria[8] (staff): bounds must be [low, high] with high > low" in message


def test_field_criterion_with_bounds_loads(default_data: dict[str, Any]) -> None:
    data = copy.deepcopy(default_data)
    data["criteria"].append({**NEW_FIELD, "normalization": "scale", "bounds": [0, 10]})
    config = parse_config(yaml.safe_dump(data, allow_unicode=True))
    assert config.criterion("staff").bounds == (0, 10)
    assert config.criterion("staff").effective_normalization == "scale"


@pytest.mark.parametrize("weight", [-0.1, -1, math.inf, -math.inf, math.nan, -1e-320])
def test_a_weight_must_be_a_finite_number_at_least_zero(default_data: dict[str, Any], weight: float) -> None:
    message = bad(default_data, lambda d: criterion(d, "impact").update(weight=weight))
    assert (
        message == f"{SOURCE}: criteria[1] (impact).weight: must be a finite number >= 0 (found {weight!r})"
    )


def test_an_infinite_weight_typed_in_yaml_is_refused() -> None:
    text = default_config_text().replace("weight: 0.20", "weight: .inf", 1)
    with pytest.raises(P4CError) as info:
        parse_config(text, SOURCE)
    assert info.value.message == (
        f"{SOURCE}: criteria[0] (relevance).weight: must be a finite number >= 0 (found inf)"
    )


def test_negative_zero_weight_is_zero(default_data: dict[str, Any]) -> None:
    data = copy.deepcopy(default_data)
    criterion(data, "impact")["weight"] = -0.0
    weight = parse_config(yaml.safe_dump(data, allow_unicode=True)).criterion("impact").weight
    assert weight == 0.0
    assert math.copysign(1.0, weight) == 1.0  # no "-0" in the outputs


def test_huge_weights_load(default_data: dict[str, Any]) -> None:
    data = copy.deepcopy(default_data)
    criterion(data, "relevance")["weight"] = 1e308
    criterion(data, "impact")["weight"] = 1e308
    config = parse_config(yaml.safe_dump(data, allow_unicode=True))
    assert [c.weight for c in config.criteria[:2]] == [1e308, 1e308]


def _numeric_leaves(node: Any, path: str = "") -> list[tuple[str, tuple[str | int, ...]]]:
    """(path as the error shows it, keys to reach it) for every number in the config data."""
    found: list[tuple[str, tuple[str | int, ...]]] = []
    items: list[tuple[str | int, Any]] = (
        list(node.items())
        if isinstance(node, dict)
        else list(enumerate(node))
        if isinstance(node, list)
        else []
    )
    for key, value in items:
        if isinstance(key, int):
            name = value.get("id") or value.get("code") if isinstance(value, dict) else None
            where = f"{path}[{key}]" + (f" ({name})" if name else "")
        else:
            where = f"{path}.{key}" if path else key
        if isinstance(value, bool):
            continue
        if isinstance(value, int | float):
            found.append((where, (key,)))
        else:
            found.extend((sub, (key, *keys)) for sub, keys in _numeric_leaves(value, where))
    return found


def _full_data() -> dict[str, Any]:
    """The default config plus the optional numbers: a partner and a criterion with bounds."""
    data: dict[str, Any] = yaml.safe_load(default_config_text())
    data["criteria"].append({**NEW_FIELD, "normalization": "scale", "bounds": [0, 10]})
    data["partners"] = {"MT": dict(MDA)}
    return data


NUMBERS = [leaf for leaf in _numeric_leaves(_full_data()) if leaf[0] != "version"]


def test_the_numbers_cover_every_section() -> None:
    sections = {path.split(".")[0].split("[")[0] for path, _ in NUMBERS}
    assert sections == {
        "scale",
        "criteria",
        "good_practice",
        "shortlist",
        "field_tests",
        "stability",
        "limits",
        "partners",
        "evaluation",
        "scoring",
    }
    assert "criteria[8] (staff).bounds[1]" in [path for path, _ in NUMBERS]
    assert "good_practice.min_criteria.relevance" in [path for path, _ in NUMBERS]


@pytest.mark.parametrize("value", [math.inf, -math.inf, math.nan])
@pytest.mark.parametrize(("path", "keys"), NUMBERS, ids=[path for path, _ in NUMBERS])
def test_a_non_finite_number_anywhere_is_an_error_naming_the_key(
    path: str, keys: tuple[str | int, ...], value: float
) -> None:
    def change(d: dict[str, Any]) -> None:
        node: Any = d
        for key in keys[:-1]:
            node = node[key]
        node[keys[-1]] = value

    message = bad(_full_data(), change)
    if path.endswith(".weight"):
        assert message == f"{SOURCE}: {path}: must be a finite number >= 0 (found {value!r})"
    else:
        assert message == f"{SOURCE}: {path}: Input should be a finite number (found {value!r})"


def test_a_scale_too_wide_to_compute(default_data: dict[str, Any]) -> None:
    message = bad(default_data, lambda d: d.update(scale={"min": -1e308, "max": 1e308, "step": 0.5}))
    assert message == (
        f"{SOURCE}: scale: max - min is too large to compute (-1e+308 to 1e+308); use a smaller scale"
    )


def test_bounds_too_wide_to_compute(default_data: dict[str, Any]) -> None:
    message = bad(
        default_data,
        lambda d: d["criteria"].append({**NEW_FIELD, "normalization": "scale", "bounds": [-1e308, 1e308]}),
    )
    assert message == (
        f"{SOURCE}: criteria[8] (staff): bounds: high - low is too large to compute "
        "(-1e+308 to 1e+308); use smaller bounds"
    )


def test_weight_not_a_number(default_data: dict[str, Any]) -> None:
    message = bad(default_data, lambda d: criterion(d, "impact").update(weight="high"))
    assert "criteria[1] (impact).weight: Input should be a valid number" in message
    assert "found 'high'" in message


def test_missing_weight(default_data: dict[str, Any]) -> None:
    message = bad(default_data, lambda d: criterion(d, "impact").pop("weight"))
    assert message == f"{SOURCE}: criteria[1] (impact).weight: required key is missing"


def test_duplicate_id(default_data: dict[str, Any]) -> None:
    message = bad(default_data, lambda d: criterion(d, "impact").update(id="relevance"))
    assert message == f"{SOURCE}: criteria: duplicate id relevance; each id must be unique"


def test_bad_id(default_data: dict[str, Any]) -> None:
    message = bad(default_data, lambda d: d["criteria"].append({**NEW_FIELD, "id": "Staff FTE"}))
    assert "criteria[8] (Staff FTE).id" in message
    assert "lower-case letters, digits and _, starting with a letter" in message


def test_no_criteria(default_data: dict[str, Any]) -> None:
    message = bad(default_data, lambda d: d.update(criteria=[]))
    assert message == f"{SOURCE}: criteria: at least one criterion is needed"


@pytest.mark.parametrize(
    ("key", "value", "accepted"),
    [
        ("direction", "up", "'benefit' or 'cost'"),
        ("source", "column", "'score', 'field', 'ratio' or 'pertinence'"),
        ("normalization", "zscore", "'scale' or 'minmax'"),
    ],
)
def test_enum_keys_name_the_accepted_values(
    default_data: dict[str, Any], key: str, value: str, accepted: str
) -> None:
    message = bad(default_data, lambda d: criterion(d, "impact").update({key: value}))
    assert f"criteria[1] (impact).{key}" in message
    assert accepted in message
    assert f"found '{value}'" in message


def test_missing_english_label(default_data: dict[str, Any]) -> None:
    message = bad(default_data, lambda d: criterion(d, "impact").update(label={"fr": "Impact"}))
    assert "criteria[1] (impact).label: needs at least an English label" in message


def test_missing_english_category_label(default_data: dict[str, Any]) -> None:
    message = bad(default_data, lambda d: d["categories"][0].update(label={"fr": "Réseau"}))
    assert "categories[0] (NET).label: needs at least an English label" in message


def test_label_must_be_a_mapping(default_data: dict[str, Any]) -> None:
    message = bad(default_data, lambda d: criterion(d, "impact").update(label="Impact"))
    assert "criteria[1] (impact).label: Input should be a valid dictionary" in message


def test_criterion_label_colliding_with_a_service_column_alias(default_data: dict[str, Any]) -> None:
    message = bad(
        default_data,
        lambda d: criterion(d, "impact").update(label={"en": "Impact", "fr": "Impact", "de": "Personal"}),
    )
    assert "criteria: label `Personal` of impact also names the Services column staff_fte" in message
    assert "choose a label that is not a column name or alias" in message


def test_criterion_label_colliding_after_normalization(default_data: dict[str, Any]) -> None:
    message = bad(default_data, lambda d: criterion(d, "impact").update(label={"en": "Budget annuel (€)"}))
    assert "label `Budget annuel (€)` of impact also names the Services column annual_budget_eur" in message


def test_score_criterion_id_is_a_column_name(default_data: dict[str, Any]) -> None:
    message = bad(
        default_data,
        lambda d: d["criteria"].append({**NEW_FIELD, "id": "staff_fte", "source": "score", "column": None}),
    )
    assert "criteria: score criterion id staff_fte is a service column name" in message


def test_two_score_criteria_with_the_same_label(default_data: dict[str, Any]) -> None:
    message = bad(default_data, lambda d: criterion(d, "innovation").update(label={"en": "Impact"}))
    assert message == (
        f"{SOURCE}: criteria: label `Impact` of innovation also names the criterion impact; "
        "each id and label must name one criterion"
    )


def test_two_score_criteria_sharing_a_label_after_normalization(default_data: dict[str, Any]) -> None:
    message = bad(
        default_data,
        lambda d: (
            criterion(d, "impact").update(label={"en": "Impact", "de": "Innovation!"}),
            criterion(d, "innovation").update(label={"en": "Innovation"}),
        ),
    )
    assert message == (
        f"{SOURCE}: criteria: label `Innovation!` of impact also names the criterion innovation; "
        "each id and label must name one criterion"
    )


# --- other sections --------------------------------------------------------------------------------


def test_unknown_top_level_key(default_data: dict[str, Any]) -> None:
    message = bad(default_data, lambda d: d.update(colours={"impact": 1}))
    assert message.startswith(f"{SOURCE}: colours: unknown key; accepted keys: version, scale, ")
    assert "criteria, categories, good_practice" in message


def test_unknown_key_in_a_criterion_suggests(default_data: dict[str, Any]) -> None:
    message = bad(default_data, lambda d: criterion(d, "impact").update(wieght=0.2))
    assert "criteria[1] (impact).wieght: unknown key (did you mean weight?)" in message
    assert "accepted keys: id, label, description, weight, direction, source" in message


def test_unknown_key_in_a_nested_section(default_data: dict[str, Any]) -> None:
    message = bad(default_data, lambda d: d["field_tests"]["mode"].update(min_neeed=4))
    assert "field_tests.mode.min_neeed: unknown key (did you mean min_need" in message
    assert "accepted keys: min_need, criterion, min_value" in message


def test_unknown_key_in_a_partner(default_data: dict[str, Any]) -> None:
    message = bad(
        default_data,
        lambda d: d.update(
            partners={
                "MT": {"organisation": "MDA", "region": "Malta", "cluster_initiatives": 4, "phone": "1"}
            }
        ),
    )
    assert "partners.MT.phone: unknown key" in message
    assert "accepted keys: organisation, region, cluster_initiatives, contact" in message


def test_good_practice_min_criteria_unknown(default_data: dict[str, Any]) -> None:
    message = bad(default_data, lambda d: d["good_practice"]["min_criteria"].update(relevanse=3))
    assert message == (
        f"{SOURCE}: good_practice.min_criteria: unknown criterion `relevanse` (did you mean relevance?)"
    )


def test_good_practice_bad_status(default_data: dict[str, Any]) -> None:
    message = bad(default_data, lambda d: d["good_practice"].update(statuses=["ONGOING", "DONE"]))
    assert "good_practice.statuses[1]" in message
    assert "'ONGOING', 'COMPLETED', 'PILOT' or 'PLANNED'" in message


def test_good_practice_min_score_above_one(default_data: dict[str, Any]) -> None:
    message = bad(default_data, lambda d: d["good_practice"].update(min_score=60))
    assert "good_practice.min_score: Input should be less than or equal to 1 (found 60)" in message


def test_field_tests_mode_criterion_unknown(default_data: dict[str, Any]) -> None:
    message = bad(default_data, lambda d: d["field_tests"]["mode"].update(criterion="transfer"))
    assert message == (
        f"{SOURCE}: field_tests.mode.criterion: unknown criterion `transfer` (did you mean transferability?)"
    )


def test_unknown_criterion_without_close_match_lists_the_known(default_data: dict[str, Any]) -> None:
    message = bad(default_data, lambda d: d["field_tests"]["mode"].update(criterion="zzz"))
    assert "known: relevance, impact, pertinence, transferability" in message


def test_category_alias_naming_two_categories(default_data: dict[str, Any]) -> None:
    message = bad(default_data, lambda d: d["categories"][0]["aliases"].append("Finance"))
    assert message == (
        f"{SOURCE}: categories: `finance` names both NET and FIN; "
        "each code, label and alias must name one category"
    )


def test_duplicate_category_code(default_data: dict[str, Any]) -> None:
    message = bad(
        default_data, lambda d: d["categories"].append({"code": "NET", "label": {"en": "Another network"}})
    )
    assert message == f"{SOURCE}: categories: duplicate code NET; each code must be unique"


def test_duplicate_ids_and_codes_are_listed_sorted_once(default_data: dict[str, Any]) -> None:
    def twice(d: dict[str, Any]) -> None:
        d["categories"] = [*d["categories"], d["categories"][3], d["categories"][0], d["categories"][3]]

    assert (
        bad(default_data, twice) == f"{SOURCE}: categories: duplicate code FIN, NET; each code must be unique"
    )

    def ids(d: dict[str, Any]) -> None:
        criterion(d, "synergy").update(id="impact")
        criterion(d, "innovation").update(id="impact")

    assert bad(default_data, ids) == f"{SOURCE}: criteria: duplicate id impact; each id must be unique"


def test_no_categories(default_data: dict[str, Any]) -> None:
    message = bad(default_data, lambda d: d.update(categories=[]))
    assert message == f"{SOURCE}: categories: at least one category is needed"


def test_bad_category_code(default_data: dict[str, Any]) -> None:
    message = bad(default_data, lambda d: d["categories"][0].update(code="net"))
    assert "categories[0] (net).code" in message
    assert "upper-case letters, digits and _" in message


def test_user_category_and_alias(default_data: dict[str, Any]) -> None:
    data = copy.deepcopy(default_data)
    data["categories"].append({"code": "GREEN", "label": {"en": "Green transition"}, "aliases": ["Écologie"]})
    config = parse_config(yaml.safe_dump(data, allow_unicode=True))
    assert config.category_lookup["ecologie"] == "GREEN"
    assert config.category_lookup["green transition"] == "GREEN"


@pytest.mark.parametrize(("low", "high"), [(5, 1), (5, 5)])
def test_scale_max_not_above_min(default_data: dict[str, Any], low: float, high: float) -> None:
    message = bad(default_data, lambda d: d.update(scale={"min": low, "max": high, "step": 0.5}))
    assert f"scale: max ({float(high)}) must be greater than min ({float(low)})" in message


def test_negative_scale_step(default_data: dict[str, Any]) -> None:
    message = bad(default_data, lambda d: d["scale"].update(step=-1))
    assert "scale.step: Input should be greater than or equal to 0 (found -1)" in message


def test_other_scale_loads(default_data: dict[str, Any]) -> None:
    data = copy.deepcopy(default_data)
    data["scale"] = {"min": 0, "max": 10, "step": 1}
    data["good_practice"]["min_criteria"] = {"relevance": 6}
    config = parse_config(yaml.safe_dump(data, allow_unicode=True))
    assert (config.scale.min, config.scale.max, config.scale.step) == (0, 10, 1)


@pytest.mark.parametrize(
    ("key", "value", "accepted"),
    [
        ("version", 2, "Input should be 1"),
        ("missing", "zero", "Input should be 'rescale' or 'worst'"),
    ],
)
def test_top_level_values(default_data: dict[str, Any], key: str, value: object, accepted: str) -> None:
    message = bad(default_data, lambda d: d.update({key: value}))
    assert f"{key}: {accepted}" in message
    assert f"found {value!r}" in message


def test_several_problems_are_one_error(default_data: dict[str, Any]) -> None:
    def change(d: dict[str, Any]) -> None:
        criterion(d, "impact").update(weight=-1)
        criterion(d, "synergy").update(direction="up")

    message = bad(default_data, change)
    assert "criteria[1] (impact).weight" in message
    assert "criteria[7] (synergy).direction" in message


# --- partners --------------------------------------------------------------------------------------


def test_partners_load_with_canonical_codes(default_data: dict[str, Any]) -> None:
    data = copy.deepcopy(default_data)
    data["partners"] = {
        "MT": MDA,
        "el": {**MDA, "region": "Attica"},
        "UK": {**MDA, "region": "Wales"},
        "be": {**MDA, "contact": "a@b.be"},
    }
    config = parse_config(yaml.safe_dump(data, allow_unicode=True))
    assert sorted(config.partners) == ["BE", "GB", "GR", "MT"]
    assert config.partners["GR"].region == "Attica"
    assert config.partners["GB"].region == "Wales"
    assert config.partners["BE"].contact == "a@b.be"
    assert config.partners["MT"].cluster_initiatives == 4


@pytest.mark.parametrize("code", ["XX", "MLT", "Malta", "EU", "1"])
def test_partner_with_a_non_iso_code(default_data: dict[str, Any], code: str) -> None:
    message = bad(default_data, lambda d: d.update(partners={code: MDA}))
    assert f"partners: `{code}` is not an ISO 3166 alpha-2 country code" in message
    assert "two letters such as BE, DE, MT" in message


def test_partner_given_twice(default_data: dict[str, Any]) -> None:
    message = bad(default_data, lambda d: d.update(partners={"GR": MDA, "EL": MDA}))
    assert "partners: `EL` names partner GR a second time" in message


def test_partner_code_read_as_a_yaml_boolean(default_data: dict[str, Any]) -> None:
    text = default_config_text().replace(
        "partners: {}", "partners:\n  NO: {organisation: Innovasjon, region: Oslo, cluster_initiatives: 3}"
    )
    with pytest.raises(P4CError, match=r"partners: a partner code was read as yes/no.*quote it"):
        parse_config(text, SOURCE)
    quoted = text.replace("  NO:", "  'NO':")
    assert list(parse_config(quoted).partners) == ["NO"]


def test_partner_needs_at_least_one_cluster_initiative(default_data: dict[str, Any]) -> None:
    message = bad(default_data, lambda d: d.update(partners={"MT": {**MDA, "cluster_initiatives": 0}}))
    assert "partners.MT.cluster_initiatives: Input should be greater than or equal to 1" in message


def test_partner_missing_region(default_data: dict[str, Any]) -> None:
    info = {k: v for k, v in MDA.items() if k != "region"}
    message = bad(default_data, lambda d: d.update(partners={"MT": info}))
    assert message == f"{SOURCE}: partners.MT.region: required key is missing"


# --- YAML and file level ---------------------------------------------------------------------------


def test_yaml_syntax_error_names_the_line() -> None:
    lines = default_config_text().splitlines()
    number = next(i for i, line in enumerate(lines, 1) if line.strip() == "step: 0.5")
    lines[number - 1] = "  step: 0.5: oops"
    with pytest.raises(P4CError) as info:
        parse_config("\n".join(lines), SOURCE)
    assert info.value.message.startswith(f"{SOURCE}: YAML syntax error at line {number}, column ")
    assert info.value.hint is not None
    assert "indentation" in info.value.hint


def test_yaml_tab_indentation() -> None:
    with pytest.raises(P4CError, match=r"YAML syntax error at line 2, column 1"):
        parse_config("criteria:\n\t- id: x\n", SOURCE)


def test_yaml_unclosed_bracket() -> None:
    with pytest.raises(P4CError, match=r"YAML syntax error at line 1"):
        parse_config("criteria: [unclosed", SOURCE)


@pytest.mark.parametrize("text", ["", "# only a comment\n", "- a\n- b\n", "just text", "42"])
def test_not_a_mapping(text: str) -> None:
    with pytest.raises(P4CError, match=r"expected a mapping of keys \(criteria:, categories:, \.\.\.\)"):
        parse_config(text, SOURCE)


@pytest.mark.parametrize(
    ("text", "column"),
    [
        # The top-level mapping is level 1, so the 32nd `[` opens level 33; in mappings the key `a`
        # of the 31st `{` is already on level 33.
        ("criteria: " + "[" * 5000 + "]" * 5000 + "\n", 10 + 32),
        ("criteria: " + "{a: " * 5000 + "1" + "}" * 5000 + "\n", 10 + 30 * 4 + 2),
        ("criteria: " + "[" * 40 + "]" * 40 + "\n", 10 + 32),
    ],
    ids=["lists-5000", "mappings-5000", "lists-40"],
)
def test_yaml_nested_too_deeply(text: str, column: int) -> None:
    with pytest.raises(P4CError) as info:
        parse_config(text, SOURCE)
    assert info.value.message == (
        f"{SOURCE} is nested too deeply: more than 32 levels at line 1, column {column}; "
        "a config needs only a few levels"
    )


def test_yaml_nested_32_levels_is_read() -> None:
    # Deep but allowed: the error is then about the content, not the nesting.
    with pytest.raises(P4CError, match=r"criteria\[0\]: Input should be a valid dictionary"):
        parse_config("criteria: " + "[" * 31 + "]" * 31 + "\n", SOURCE)


BILLION_LAUGHS = "\n".join(
    [
        "a: &a ['lol', 'lol', 'lol', 'lol', 'lol', 'lol', 'lol', 'lol', 'lol']",
        *(f"{n}: &{n} [{', '.join([f'*{p}'] * 9)}]" for p, n in zip("abcdefgh", "bcdefghi", strict=True)),
        "criteria: *i",
    ]
)


def test_yaml_bomb_is_refused() -> None:
    # a..e stand for 10, 91, 820, 7,381 and 66,430 values; with the top mapping and the keys that is
    # 74,738, then `f:` and its list 74,740, and its first *e (line 6, column 8) passes 100,000.
    with pytest.raises(P4CError) as info:
        parse_config(BILLION_LAUGHS, SOURCE)
    assert info.value.message == (
        f"{SOURCE}: YAML aliases (*name) expand to more than 100,000 values at line 6, column 8; "
        "write the values out instead"
    )


def test_a_yaml_alias_inside_itself_is_refused() -> None:
    with pytest.raises(P4CError) as info:
        parse_config("criteria: &loop [1, *loop]\n", SOURCE)
    assert info.value.message == (
        f"{SOURCE}: the YAML alias *loop at line 1, column 21 is inside the value it names; "
        "write the values out instead"
    )


def test_a_few_yaml_aliases_are_fine(default_data: dict[str, Any]) -> None:
    text = default_config_text().replace(
        "label: {en: Impact, fr: Impact, de: Wirkung}", "label: &impact {en: Impact, fr: Impact, de: Wirkung}"
    )
    text = text.replace(
        "partners: {}",
        "partners:\n  MT: &mt {organisation: MDA, region: Malta, cluster_initiatives: 4}\n  GR: *mt",
    )
    assert "&impact" in text and "*mt" in text
    config = parse_config(text)
    assert config.partners["GR"] == config.partners["MT"]


def test_missing_sections() -> None:
    with pytest.raises(P4CError) as info:
        parse_config("version: 1\n", SOURCE)
    assert info.value.message == (
        f"{SOURCE}: criteria: required key is missing; categories: required key is missing"
    )


# --- the project folder ----------------------------------------------------------------------------


def test_project_paths(tmp_path: Path) -> None:
    project = Project(tmp_path)
    assert project.config_path == tmp_path / "config" / "criteria.yaml"
    assert project.raw_dir == tmp_path / "data" / "raw"
    assert project.processed_dir == tmp_path / "data" / "processed"


def test_project_load_config(tmp_path: Path) -> None:
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "criteria.yaml").write_text(default_config_text(), encoding="utf-8")
    config = Project(tmp_path).load_config()
    assert [c.id for c in config.criteria] == [c[0] for c in SPEC_CRITERIA]


def test_project_missing_folder(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    with pytest.raises(P4CError) as info:
        Project(missing).load_config()
    assert info.value.message == f"project folder {missing} does not exist"
    assert info.value.hint is not None
    assert "p4c init" in info.value.hint
    assert "--project" in info.value.hint


def test_project_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(P4CError) as info:
        Project(tmp_path).load_config()
    assert info.value.message == f"no config file at {tmp_path / 'config' / 'criteria.yaml'}"
    assert info.value.hint is not None
    assert "p4c init" in info.value.hint


def test_project_config_that_is_a_folder(tmp_path: Path) -> None:
    (tmp_path / "config" / "criteria.yaml").mkdir(parents=True)
    with pytest.raises(P4CError, match="no config file at"):
        Project(tmp_path).load_config()


def test_project_bad_config_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "config" / "criteria.yaml"
    path.parent.mkdir()
    path.write_text(default_config_text().replace("weight: 0.20", "weight: -0.20", 1), encoding="utf-8")
    with pytest.raises(P4CError) as info:
        Project(tmp_path).load_config()
    assert info.value.message.startswith(f"{path}: criteria[0] (relevance).weight")


def test_project_config_too_large(tmp_path: Path) -> None:
    path = tmp_path / "config" / "criteria.yaml"
    path.parent.mkdir()
    path.write_text(default_config_text() + "#" * (1024 * 1024), encoding="utf-8")
    with pytest.raises(P4CError) as info:
        Project(tmp_path).load_config()
    assert info.value.message == f"{path}: the config file is 1.0 MB; the limit is 1 MB"
    assert info.value.hint == "A config is a few KB of text: check that this is the right file."


def test_project_config_deeply_nested_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "config" / "criteria.yaml"
    path.parent.mkdir()
    path.write_text("criteria: " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    with pytest.raises(P4CError) as info:
        Project(tmp_path).load_config()
    assert info.value.message.startswith(f"{path} is nested too deeply: ")


def test_project_config_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "config" / "criteria.yaml"
    path.parent.mkdir()
    path.write_bytes(default_config_text().encode("cp1252"))
    with pytest.raises(P4CError) as info:
        Project(tmp_path).load_config()
    assert info.value.message.startswith(f"{path}: not UTF-8 text")
    assert info.value.hint is not None
    assert "UTF-8" in info.value.hint
