"""The project configuration (`config/criteria.yaml`) as pydantic models, and the project folder.

A bad file is one `P4CError` that names the key and what is accepted, so a coordinator can fix it
without reading Python.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Sequence
from functools import cached_property
from importlib import resources
from typing import Annotated, Any, Literal, get_args

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from p4c.errors import P4CError
from p4c.evaluation.settings import EvaluationSettings
from p4c.models import (
    CODE_HELP,
    NUMERIC_SERVICE_COLUMNS,
    SERVICE_COLUMNS,
    Provider,
    Status,
    canonical_code,
)
from p4c.scoring.settings import ScoringSettings, WeightSettings
from p4c.values import norm

DEFAULT_CONFIG_NAME = "default_criteria.yaml"
PositiveInt = Annotated[int, Field(ge=1)]
MAX_DEPTH = 32  # levels of nesting; the config itself needs 5
MAX_NODES = 100_000  # values once YAML aliases are expanded; the default config has about 500


class _Model(BaseModel):
    # YAML reads .inf and .nan as numbers; no key of the config means anything with them.
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


def _weight(value: float) -> float:
    """A finite weight >= 0, and never -0.0 (it would show as "-0" in the outputs)."""
    if not (math.isfinite(value) and value >= 0):
        raise ValueError("must be a finite number >= 0")
    return value + 0.0


# Checked by one validator so that negative, NaN and infinite weights get the same message.
Weight = Annotated[float, Field(allow_inf_nan=True), AfterValidator(_weight)]


class Scale(_Model):
    min: float = 1
    max: float = 5
    step: Annotated[float, Field(ge=0)] = 0.5

    @model_validator(mode="after")
    def _ordered(self) -> Scale:
        if self.max <= self.min:
            raise ValueError(f"max ({self.max}) must be greater than min ({self.min})")
        if not math.isfinite(self.max - self.min):
            raise ValueError(
                f"max - min is too large to compute ({self.min:g} to {self.max:g}); use a smaller scale"
            )
        return self


def _needs_english(label: dict[str, str]) -> dict[str, str]:
    if "en" not in label:
        raise ValueError("needs at least an English label: label: {en: ...}")
    return label


# Shown to people in English, French or German; English is required and is the fallback.
Labels = Annotated[dict[str, str], AfterValidator(_needs_english)]


class Texts(dict[str, str]):
    """A text in several languages; str() gives the English one, for a place that shows one text."""

    def __str__(self) -> str:
        return self["en"]


def _texts(value: dict[str, str]) -> Texts:
    return Texts(_needs_english(value))


Descriptions = Annotated[dict[str, str], AfterValidator(_texts)]


class _Labelled(_Model):
    def text(self, lang: str = "en") -> str:
        label: dict[str, str] = getattr(self, "label")  # noqa: B009 - declared by each subclass
        return label.get(lang, label["en"])


class Criterion(_Labelled):
    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
    label: Labels
    # One text for every language, or {en, fr, de} (English required, the fallback): see description_text.
    description: str | Descriptions = ""
    weight: Weight
    direction: Literal["benefit", "cost"]
    source: Literal["score", "field", "ratio", "pertinence"]
    column: str | None = None
    numerator: str | None = None
    denominator: str | None = None
    normalization: Literal["scale", "minmax"] | None = None
    bounds: tuple[float, float] | None = None
    group: str | None = None  # criteria groups: rankings and the report also show each group's share

    def description_text(self, lang: str = "en") -> str:
        """The description in `lang` (English when that language is missing), for partner-facing texts."""
        if isinstance(self.description, str):
            return self.description
        return self.description.get(lang, self.description["en"])

    @model_validator(mode="after")
    def _source_columns(self) -> Criterion:
        accepted = ", ".join(NUMERIC_SERVICE_COLUMNS)
        needed = {"field": ("column",), "ratio": ("numerator", "denominator")}.get(self.source, ())
        for key in ("column", "numerator", "denominator"):
            value = getattr(self, key)
            if key in needed and value is None:
                raise ValueError(f"source {self.source} needs `{key}` (one of: {accepted})")
            if key not in needed and value is not None:
                raise ValueError(f"`{key}` only goes with source {'field' if key == 'column' else 'ratio'}")
            if value is not None and value not in NUMERIC_SERVICE_COLUMNS:
                other = [f.name for f in SERVICE_COLUMNS]
                kind = "a non-numeric column" if value in other else "an unknown column"
                raise ValueError(f"{key} `{value}` is {kind}; accepted: {accepted}")
        if (
            self.effective_normalization == "scale"
            and self.source in ("field", "ratio")
            and self.bounds is None
        ):
            raise ValueError("normalization scale on a field or ratio needs `bounds: [low, high]`")
        if self.bounds is not None:
            low, high = self.bounds
            if high <= low:
                raise ValueError("bounds must be [low, high] with high > low")
            if not math.isfinite(high - low):
                raise ValueError(
                    f"bounds: high - low is too large to compute ({low:g} to {high:g}); use smaller bounds"
                )
        return self

    @property
    def effective_normalization(self) -> Literal["scale", "minmax"]:
        if self.normalization is not None:
            return self.normalization
        return "scale" if self.source in ("score", "pertinence") else "minmax"


class Category(_Labelled):
    code: Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9_]*$")]
    label: Labels
    aliases: list[str] = []


class GoodPractice(_Model):
    statuses: list[Status] = [Status.ONGOING, Status.COMPLETED]
    min_months_running: Annotated[int, Field(ge=0)] = 12
    require_evidence: bool = True
    excluded_providers: list[Provider] = [Provider.EXTERNAL]
    min_score: Annotated[float, Field(ge=0, le=1)] = 0.6
    min_criteria: dict[str, float] = {"relevance": 3, "impact": 3, "transferability": 3}
    min_pertinence: Annotated[float, Field(ge=0, le=1)] = 0.5


class ShortlistRules(_Model):
    size: PositiveInt = 15
    max_per_partner: PositiveInt = 3
    min_categories: Annotated[int, Field(ge=0)] = 5


class ModeRule(_Model):
    min_need: Annotated[float, Field(ge=1, le=5)] = 4  # on the Needs importance scale
    criterion: str = "transferability"
    min_value: float = 4


class FieldTests(_Model):
    tests_per_partner: Annotated[int, Field(ge=0)] = 2
    max_partners_per_practice: PositiveInt = 3
    default_need: Annotated[float, Field(ge=1, le=5)] = 3
    mode: ModeRule = ModeRule()


class Stability(_Model):
    concentration: Annotated[float, Field(gt=0)] = 100
    seed: int = 42


class Limits(_Model):
    max_rows: PositiveInt = 200_000
    max_file_mb: Annotated[float, Field(gt=0)] = 100
    max_uncompressed_mb: Annotated[float, Field(gt=0)] = 500


class PartnerInfo(_Model):
    organisation: str
    region: str
    cluster_initiatives: PositiveInt
    contact: str | None = None


class Config(_Model):
    version: Literal[1] = 1
    scale: Scale = Scale()
    missing: Literal["rescale", "worst"] = "rescale"
    criteria: list[Criterion]
    categories: list[Category]
    good_practice: GoodPractice = GoodPractice()
    shortlist: ShortlistRules = ShortlistRules()
    field_tests: FieldTests = FieldTests()
    stability: Stability = Stability()
    limits: Limits = Limits()
    partners: dict[str, PartnerInfo] = {}
    scoring: ScoringSettings = ScoringSettings()
    weights: WeightSettings = WeightSettings()
    evaluation: EvaluationSettings = EvaluationSettings()

    @field_validator("partners", mode="before")
    @classmethod
    def _yaml_booleans(cls, partners: Any) -> Any:
        if isinstance(partners, dict) and any(isinstance(code, bool) for code in partners):
            raise ValueError(
                "a partner code was read as yes/no by YAML (NO, ON, YES...): quote it, e.g. 'NO':"
            )
        return partners

    @field_validator("partners")
    @classmethod
    def _partner_codes(cls, partners: dict[str, PartnerInfo]) -> dict[str, PartnerInfo]:
        """Keys as the partner codes ingest uses: upper-cased, EL read as GR and UK as GB."""
        canonical: dict[str, PartnerInfo] = {}
        for code, info in partners.items():
            key = canonical_code(code)
            if key is None:
                raise ValueError(f"`{code}` is not {CODE_HELP}")
            if key in canonical:
                raise ValueError(f"`{code}` names partner {key} a second time")
            canonical[key] = info
        return canonical

    @model_validator(mode="after")
    def _consistent(self) -> Config:
        ids = [c.id for c in self.criteria]
        _check_unique("criteria", "criterion", "id", ids)
        columns = {f.name for f in SERVICE_COLUMNS}
        clash = [c.id for c in self.criteria if c.source == "score" and c.id in columns]
        if clash:
            raise ValueError(f"criteria: score criterion id {clash[0]} is a service column name")
        _check_unique("categories", "category", "code", [c.code for c in self.categories])
        for key in self.good_practice.min_criteria:
            if key not in ids:
                raise ValueError(f"good_practice.min_criteria: unknown criterion `{key}`{suggest(key, ids)}")
        mode_id = self.field_tests.mode.criterion
        if mode_id not in ids:
            raise ValueError(
                f"field_tests.mode.criterion: unknown criterion `{mode_id}`{suggest(mode_id, ids)}"
            )
        self._check_thresholds()
        self._check_aliases()
        self._one_default_need()
        return self

    def _one_default_need(self) -> None:
        """field_tests.default_need is the one fact: the evaluation's pertinence share follows it."""
        given = self.evaluation.default_need
        if "default_need" in self.evaluation.model_fields_set and given != self.field_tests.default_need:
            raise ValueError(
                f"evaluation.default_need ({given:g}) is not field_tests.default_need "
                f"({self.field_tests.default_need:g}): remove it; the need of a category a partner gave "
                "no Needs row for is field_tests.default_need, for the plan and the evaluation alike"
            )
        following = self.evaluation.model_copy(update={"default_need": self.field_tests.default_need})
        object.__setattr__(self, "evaluation", following)  # frozen: set once, while validating

    def _check_thresholds(self) -> None:
        """Good-practice and mode thresholds a score can reach, and a coverage categories allow."""
        low, high = self.scale.min, self.scale.max
        scored = {c.id for c in self.score_criteria}
        limits = [
            (f"good_practice.min_criteria.{key}", key, value)
            for key, value in self.good_practice.min_criteria.items()
        ]
        limits.append(
            ("field_tests.mode.min_value", self.field_tests.mode.criterion, self.field_tests.mode.min_value)
        )
        for where, crit_id, value in limits:
            if crit_id in scored and not low <= value <= high:
                raise ValueError(
                    f"{where}: {value:g} is outside the scale {low:g}-{high:g} of the score {crit_id}"
                )
        wanted, defined = self.shortlist.min_categories, len(self.categories)
        if wanted > defined:
            raise ValueError(
                f"shortlist.min_categories: {wanted} is more than the {defined} categories defined"
            )

    def _check_aliases(self) -> None:
        seen: dict[str, str] = {}
        for cat in self.categories:
            for word in (cat.code, *cat.label.values(), *cat.aliases):
                key = norm(word)
                if seen.setdefault(key, cat.code) != cat.code:
                    raise ValueError(
                        f"categories: `{word}` names both {seen[key]} and {cat.code}; "
                        "each code, label and alias must name one category"
                    )
        headers = {
            norm(word): field.name for field in SERVICE_COLUMNS for word in (field.name, *field.aliases)
        }
        # Ids first, so that a label naming another criterion is reported as that label.
        named: dict[str, str] = {}  # normalized id or label -> the score criterion it names
        words = [(c, "id", word) for c in self.score_criteria for word in (c.id, f"score {c.id}")]
        words += [(c, "label", word) for c in self.score_criteria for word in c.label.values()]
        for crit, what, word in words:
            key = norm(word)
            if key in headers:
                raise ValueError(
                    f"criteria: {what} `{word}` of {crit.id} also names the "
                    f"Services column {headers[key]}; choose a label that is "
                    "not a column name or alias"
                )
            if named.setdefault(key, crit.id) != crit.id:
                raise ValueError(
                    f"criteria: {what} `{word}` of {crit.id} also names the criterion "
                    f"{named[key]}; each id and label must name one criterion"
                )

    @cached_property
    def score_criteria(self) -> list[Criterion]:
        return [c for c in self.criteria if c.source == "score"]

    @cached_property
    def category_lookup(self) -> dict[str, str]:
        """Normalized code, label or alias -> category code."""
        return {
            norm(word): cat.code
            for cat in self.categories
            for word in (cat.code, *cat.label.values(), *cat.aliases)
        }

    def criterion(self, criterion_id: str) -> Criterion:
        for crit in self.criteria:
            if crit.id == criterion_id:
                return crit
        raise KeyError(criterion_id)


def _check_unique(section: str, noun: str, key: str, values: Sequence[str]) -> None:
    """At least one entry, and no `key` given twice (criterion ids, category codes)."""
    if not values:
        raise ValueError(f"{section}: at least one {noun} is needed")
    dupes = sorted({v for v in values if values.count(v) > 1})
    if dupes:
        raise ValueError(f"{section}: duplicate {key} {', '.join(dupes)}; each {key} must be unique")


def suggest(word: str, known: list[str] | tuple[str, ...]) -> str:
    close = difflib.get_close_matches(word, list(known), n=3, cutoff=0.5)
    return f" (did you mean {' or '.join(close)}?)" if close else f" (known: {', '.join(known)})"


def default_config_text() -> str:
    return resources.files("p4c").joinpath(DEFAULT_CONFIG_NAME).read_text(encoding="utf-8")


class _RefusedYamlError(Exception):
    """YAML the loader will not build: the message, completed by `parse_config` with the source."""


class _Loader(yaml.SafeLoader):
    """The safe loader, limited in depth and in what aliases expand to.

    The composer recurses once per level (5,000 levels is a RecursionError), and aliases can make a
    few lines stand for a billion values that validation would then walk (the "billion laughs").
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._total = 0  # values so far, every alias counted as all the values it stands for
        self._sizes: dict[int, int] = {}  # id(node) -> values it stands for, once it is complete

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        event: yaml.Event = self.peek_event()  # type: ignore[no-untyped-call]
        mark = event.start_mark
        where = f"at line {mark.line + 1}, column {mark.column + 1}" if mark else "here"
        if isinstance(event, yaml.AliasEvent):
            node = super().compose_node(parent, index)
            size = self._sizes.get(id(node))
            if size is None:
                raise _RefusedYamlError(
                    f": the YAML alias *{event.anchor} {where} is inside the value it names; "
                    "write the values out instead"
                )
            self._count(size, where)
            return node
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise _RefusedYamlError(
                f" is nested too deeply: more than {MAX_DEPTH} levels {where}; "
                "a config needs only a few levels"
            )
        start = self._total
        self._count(1, where)
        try:
            node = super().compose_node(parent, index)
        finally:
            self._depth -= 1
        self._sizes[id(node)] = self._total - start
        return node

    def _count(self, size: int, where: str) -> None:
        self._total += size
        if self._total > MAX_NODES:
            raise _RefusedYamlError(
                f": YAML aliases (*name) expand to more than {MAX_NODES:,} values {where}; "
                "write the values out instead"
            )


def _load_yaml(text: str) -> Any:
    loader = _Loader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def parse_config(text: str, source: str = "config") -> Config:
    """A Config from YAML text; every problem is one P4CError naming the key."""
    try:
        data: Any = _load_yaml(text)
    except _RefusedYamlError as exc:
        raise P4CError(f"{source}{exc}") from None
    except RecursionError:  # the depth limit comes first; this is the last resort
        raise P4CError(f"{source} is nested too deeply; a config needs only a few levels") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise P4CError(
            f"{source}: YAML syntax error{where}: {problem}",
            hint="Check the indentation and the colons on that line.",
        ) from None
    if not isinstance(data, dict):
        raise P4CError(f"{source}: expected a mapping of keys (criteria:, categories:, ...)")
    try:
        return Config.model_validate(data)
    except ValidationError as exc:
        raise P4CError(f"{source}: {_describe(exc, data)}") from None


_PATTERN_HELP = {
    "id": "an id is lower-case letters, digits and _, starting with a letter (e.g. cost_per_sme)",
    "code": "a category code is upper-case letters, digits and _, starting with a letter (e.g. NET)",
}


def _describe(exc: ValidationError, data: dict[str, Any]) -> str:
    lines = []
    for err in exc.errors():
        loc = list(err["loc"])
        path = ""
        node: Any = data
        for part in loc:
            if isinstance(part, int):
                item = node[part] if isinstance(node, list) and part < len(node) else None
                name = item.get("id") or item.get("code") if isinstance(item, dict) else None
                path += f"[{part}]" + (f" ({name})" if name else "")
            else:
                path += ("." if path else "") + str(part)
            node = (
                node.get(part)
                if isinstance(node, dict)
                else (
                    node[part]
                    if isinstance(node, list) and isinstance(part, int) and part < len(node)
                    else None
                )
            )
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            known = _keys_at(loc[:-1])
            close = difflib.get_close_matches(str(loc[-1]), list(known), n=3, cutoff=0.5)
            msg = "unknown key" + (f" (did you mean {' or '.join(close)}?)" if close else "")
            if known:
                msg += f"; accepted keys: {', '.join(known)}"
        elif err["type"] == "string_pattern_mismatch" and loc and loc[-1] in _PATTERN_HELP:
            msg = _PATTERN_HELP[str(loc[-1])]
        elif err["type"] == "missing":
            msg = "required key is missing"
        found = (
            f" (found {err['input']!r})"
            if err["type"] not in ("extra_forbidden", "missing")
            and not isinstance(err.get("input"), dict | list)
            else ""
        )
        if not path and err["type"] == "value_error":
            lines.append(msg)  # a check across sections: the message names its keys
        else:
            lines.append(f"{path or 'top level'}: {msg}{found}")
    return "; ".join(lines)


def _keys_at(loc: list[int | str]) -> tuple[str, ...]:
    """The keys accepted at a location of the config (empty when it is not a section)."""
    node: Any = Config
    for part in loc:
        if isinstance(node, type) and issubclass(node, BaseModel):
            field = node.model_fields.get(str(part))
            if field is None:
                return ()
            node = field.annotation
        else:  # an item of a list or a value of a mapping
            args = [arg for arg in get_args(node) if arg is not type(None)]
            if not args:
                return ()
            node = args[-1]
    if isinstance(node, type) and issubclass(node, BaseModel):
        return tuple(node.model_fields)
    return ()


# Re-exported: the project folder lives in a light module so that `p4c --help` stays fast.
from p4c.project import Project  # noqa: E402

__all__ = ["Config", "Criterion", "Project", "default_config_text", "parse_config"]
