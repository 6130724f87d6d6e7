"""How the report writes a cell: numbers, percentages and text, with a dash for what is missing."""

from __future__ import annotations

import math

import pandas as pd


def finite(value: object) -> bool:
    try:
        return math.isfinite(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def as_float(value: object) -> float:
    """Any cell as a float, NaN when it is not a finite number."""
    return float(value) if finite(value) else math.nan  # type: ignore[arg-type]


def number_or_none(value: object) -> float | None:
    return float(value) if finite(value) else None  # type: ignore[arg-type]


def cell_text(value: object) -> str:
    """A cell as text; missing values (None, NaN, NA, NaT) as nothing."""
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    return str(value)


def shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def fmt_number(value: object, pattern: str = "{:.3f}", empty: str = "–") -> str:
    return pattern.format(float(value)) if finite(value) else empty  # type: ignore[arg-type]


def int_text(value: object, empty: str = "–") -> str:
    return f"{round(float(value))}" if finite(value) else empty  # type: ignore[arg-type]


# How French and German write a number formatted the English way: decimal comma; thousands
# grouped by a narrow no-break space (fr) or a point (de); a no-break space before % (as babel does).
_MARKS = {"fr": str.maketrans({".": ",", ",": "\u202f"}), "de": str.maketrans({".": ",", ",": "."})}
_PERCENT = {"en": "{}%", "fr": "{}\u00a0%", "de": "{}\u00a0%"}


def localize(number: str, lang: str = "en") -> str:
    """A number written the English way (`1,234.5`) as `lang` writes it (`1 234,5`, `1.234,5`)."""
    marks = _MARKS.get(lang)
    return number.translate(marks) if marks else number


def pct(value: object, empty: str = "–", lang: str = "en") -> str:
    """A share as a whole percentage: 45%, 45 % (fr, de)."""
    if not finite(value):
        return empty
    return _PERCENT.get(lang, "{}%").format(f"{100 * float(value):.0f}")  # type: ignore[arg-type]
