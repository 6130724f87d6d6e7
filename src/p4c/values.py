"""Parsers for the values partners type: names, numbers in any European style, dates and scores.

Each parser takes one cell value (as the reader returns it) and returns the typed value or raises
`ValueError` with a message that says what is accepted; ingest turns that into a cell error.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
import re
import unicodedata
from collections.abc import Mapping
from functools import lru_cache

from p4c.messages import Msg, msg
from p4c.models import DOT_DECIMAL_COUNTRIES

# A number cell whose value is NaN (as pandas or openpyxl write a missing number).
_NAN = msg("the cell holds NaN (not a number)")
_PARENS = re.compile(r"\([^)]*\)|\[[^\]]*\]")
# Letters and digits of any script (Greek partners write Greek); `_` is not a letter.
_NON_ALNUM = re.compile(r"[\W_]+")
# Letters that NFKD does not split into a base letter and an accent.
_UNSPLIT = str.maketrans(
    {"ß": "ss", "æ": "ae", "ø": "o", "œ": "oe", "đ": "d", "ł": "l", "ı": "i", "ð": "d", "þ": "th"}
)


@lru_cache(maxsize=65536)
def norm(text: str) -> str:
    """The form names are compared in: casefolded, no accents, no (parenthesised) text, single spaces."""
    # Casefold after NFKD too: compatibility forms can decompose to capitals (`𝕬` -> `A`).
    folded = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", str(text)).casefold())
    stripped = "".join(ch for ch in folded if not unicodedata.combining(ch))
    stripped = stripped.translate(_UNSPLIT)
    return _NON_ALNUM.sub(" ", _PARENS.sub(" ", stripped)).strip()


# How close (rapidfuzz ratio, 0-100) a typo must be to a known word to be suggested.
SUGGEST_CUTOFF = 80.0


def closest(text: str, words: Mapping[str, str], cutoff: float = SUGGEST_CUTOFF) -> str | None:
    """What to suggest for `text`: the value of the known word (key) closest to it, if close enough.

    Words are compared in `norm` form with rapidfuzz's edit-distance ratio, so `Internationalisaton`
    finds `Internationalisation` and `Internationalisierng` finds `Internationalisierung`; a text
    of fewer than 3 letters suggests nothing (any two-letter code is close to another).
    """
    from rapidfuzz import fuzz, process

    key = norm(text)
    if len(key) < 3:
        return None
    choices = {norm(word): shown for word, shown in words.items()}
    found = process.extractOne(key, list(choices), scorer=fuzz.ratio, score_cutoff=cutoff)
    return None if found is None else choices[found[0]]


def is_blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    return isinstance(value, str) and not value.strip()


def finite_number(value: object) -> float | None:
    """A stored cell as a finite float; None when blank, logical, not a number, NaN or infinite
    (tables read back after ingest: their numbers are already parsed)."""
    if type(value) is float:  # the common case first
        return value if math.isfinite(value) else None
    if isinstance(value, bool):
        return None
    try:
        out = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):  # None, pd.NA, pd.NaT, text
        return None
    return out if math.isfinite(out) else None


def show(value: object) -> str:
    """A cell value as the user typed it, for error messages."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ").removesuffix(" 00:00:00")
    return str(value)


# --- numbers ---------------------------------------------------------------------------------------

# Spaces of any kind are ignored in a text number: every character `str.split()` splits on (all
# Unicode white space: U+00A0 no-break, U+202F narrow no-break, U+2007 figure, U+2009 thin, ...),
# and the apostrophes `'` and `’` (Swiss thousands).
_APOSTROPHES = ("'", "’")
# `EUR`, `euro`, `euros` also when glued to the digits (`12EUR`), not inside a word (`keur`).
_CURRENCY = re.compile(r"€|(?<![a-z])eur(?:os?)?(?![a-z])", re.IGNORECASE)
# Checked on the text without currency and spaces, so `1 200k`, `EUR 12k` and `12 Mio.` are caught.
_MULTIPLIER = re.compile(
    r"^[+-]?[\d.,]*\d[\d.,]*(k|m|mio|mn|bn|md|mrd|million|millions|thousand|tsd|mille)\.?$", re.IGNORECASE
)
# k€, M€, keur, TEUR (German: thousand euros), Mio. €, Tsd. EUR.
_MULTIPLIER_CURRENCY = re.compile(r"(?<![a-z])(?:k|m|t|mio|mn|mrd|tsd)\.?\s*(?:€|eur)", re.IGNORECASE)
# A digit first: `.5` is refused, so that an abbreviation (`Eur. 12`) can never shift the mark.
_NUMBER_SHAPE = re.compile(r"^[+-]?(\d[\d.,]*)$")
NUMBER_FORMS = msg("a number such as 1234.5, 1 234,5, 1.234,50 or 12 345,50 €")


def parse_number(value: object, country: str | None = None) -> float:
    """A number from a numeric cell or text in any European style (see the contract's Values)."""
    if type(value) is str:  # the common case first: text numbers are parsed (and cached) below
        return _parse_number_text(value, country)
    if type(value) is float:
        if not math.isfinite(value):
            raise ValueError(_nan_expected(NUMBER_FORMS) if math.isnan(value) else _expected(NUMBER_FORMS))
        return value
    if isinstance(value, bool):
        raise ValueError(_expected(NUMBER_FORMS))
    if isinstance(value, numbers.Real):  # int, float, and numpy's numbers from data frames
        number = float(value)
        if not math.isfinite(number):
            raise ValueError(_nan_expected(NUMBER_FORMS) if math.isnan(number) else _expected(NUMBER_FORMS))
        return number
    if not isinstance(value, str):
        raise ValueError(
            msg("expected {forms}, found a {type}", forms=NUMBER_FORMS, type=type(value).__name__)
        )
    return _parse_number_text(value, country)


@lru_cache(maxsize=65536)
def _parse_number_text(text: str, country: str | None) -> float:
    raw = text.strip()
    if raw.isascii() and raw.isdigit():  # plain digits (`1200`): what the general path gives
        return float(raw)
    if "\u2212" in raw:
        raw = raw.replace("\u2212", "-")
    # Without an `e`, the only currency `_CURRENCY` can find is `€`; removing it first cannot
    # change what the regex would remove (its look-behind only matters before `eur`).
    no_currency = _CURRENCY.sub("", raw) if "e" in raw or "E" in raw else raw.replace("€", "")
    compact = "".join(no_currency.split())  # no white space of any kind
    for mark in _APOSTROPHES:
        if mark in compact:
            compact = compact.replace(mark, "")
    match = _NUMBER_SHAPE.match(compact)
    if not match:
        # A text of the number shape holds no letter, so it can never be a multiplier: they are
        # looked for only here, to say why the text is refused.
        if _MULTIPLIER.match(compact) or _MULTIPLIER_CURRENCY.search(raw):
            raise ValueError(
                msg(
                    "multipliers such as k€ or M are not accepted: write the full amount, "
                    "e.g. 12500 rather than 12,5 k€; expected {forms}",
                    forms=NUMBER_FORMS,
                )
            )
        raise ValueError(_expected(NUMBER_FORMS))
    sign = -1.0 if compact.startswith("-") else 1.0
    body = match.group(1)
    dots, commas = body.count("."), body.count(",")
    if dots and commas:
        decimal = "." if body.rfind(".") > body.rfind(",") else ","
        group = "," if decimal == "." else "."
        if body.count(decimal) > 1 or body.rfind(group) > body.rfind(decimal):
            raise ValueError(_expected(NUMBER_FORMS))
        whole, frac = body.split(decimal)
        return sign * float(_ungroup(whole, group) + "." + frac)
    if dots + commas == 0:
        return sign * float(body)
    mark = "." if dots else ","
    if dots + commas > 1:
        return sign * float(_ungroup(body, mark))
    whole, frac = body.split(mark)
    if len(frac) != 3 or not whole or whole.lstrip("0") == "":
        # `1.5`, `3,5`, `12,50`, and `0,500` (no thousands group starts with 0).
        if not frac:
            raise ValueError(_expected(NUMBER_FORMS))
        return sign * float((whole or "0") + "." + frac)
    dot_decimal = (country or "").upper() in DOT_DECIMAL_COUNTRIES
    if (mark == ".") == dot_decimal:
        return sign * float(whole + "." + frac)
    return sign * float(whole + frac)


def _ungroup(text: str, group: str) -> str:
    parts = text.split(group)
    # A first group of 1-3 digits that does not start with 0 (as `0,500`: no group follows a lone 0).
    if not 1 <= len(parts[0]) <= 3 or parts[0].startswith("0") or any(len(p) != 3 for p in parts[1:]):
        raise ValueError(
            msg("expected {forms}: thousands come in groups of three digits", forms=NUMBER_FORMS)
        )
    return "".join(parts)


def parse_int(value: object, country: str | None = None) -> int:
    number = parse_number(value, country)
    if not number.is_integer():
        raise ValueError(
            msg("expected a whole number such as 12 or 1 200, found {number}", number=fmt(number))
        )
    return int(number)


# --- scores ----------------------------------------------------------------------------------------

_FRACTION = re.compile(r"^\s*([^/]+?)\s*/\s*([^/]+?)\s*$")
# Float noise forgiven wherever p4c compares numbers: a score this close to a bound or a step is
# that bound or step (5.0000000001 is what a sheet's arithmetic, =10/2 with rounding, gives for 5,
# not a sixth point); a value this close to a threshold meets it (a std of 1.0 is "at least 1.0");
# two scores this close are tied (rank, stability, shortlist, evaluation and scoring all use it).
TOLERANCE = 1e-9


def parse_score(value: object, lo: float, hi: float, step: float, country: str | None = None) -> float:
    """A score on the criteria scale: a number, or `N/M` where M is the scale maximum."""
    forms = _score_forms(lo, hi, step)
    if isinstance(value, str) and "/" in value:
        match = _FRACTION.match(value)
        try:
            if not match:
                raise ValueError
            num, den = parse_number(match.group(1), country), parse_number(match.group(2), country)
        except ValueError:
            raise ValueError(_expected(forms)) from None
        if den != hi:
            raise ValueError(
                msg("a fraction must be out of {high}; expected {forms}", high=fmt(hi), forms=forms)
            )
        score = num
    else:
        if isinstance(value, float) and math.isnan(value):
            raise ValueError(_nan_expected(forms))
        try:
            score = parse_number(value, country)
        except ValueError:
            raise ValueError(_expected(forms)) from None
    if lo - TOLERANCE <= score < lo:
        score = float(lo)
    elif hi < score <= hi + TOLERANCE:
        score = float(hi)
    if not lo <= score <= hi:
        raise ValueError(
            msg(
                "score {score} is outside {low}-{high}; expected {forms}",
                score=fmt(score),
                low=fmt(lo),
                high=fmt(hi),
                forms=forms,
            )
        )
    if step > 0:
        on_step = round(round(score / step) * step, 9)
        if not math.isclose(on_step, score, rel_tol=0, abs_tol=TOLERANCE):
            raise ValueError(
                msg(
                    "score {score} is not a step of {step}; expected {forms}",
                    score=fmt(score),
                    step=fmt(step),
                    forms=forms,
                )
            )
        score = on_step
    return score


def _expected(forms: str) -> Msg:
    return msg("expected {forms}", forms=forms)


def _nan_expected(forms: str) -> Msg:
    return msg("{nan}; expected {forms}", nan=_NAN, forms=forms)


def _score_forms(lo: float, hi: float, step: float) -> Msg:
    """What a score cell accepts, e.g. `a number from 1 to 5, or N/5 such as 4/5`."""
    if 0 < step < 1:  # step 0: any decimals (a participants' mean rating)
        return msg(
            "a number from {low} to {high} in steps of {step} (e.g. 3.5), or N/{high} such as 4/{high}",
            low=fmt(lo),
            high=fmt(hi),
            step=fmt(step),
        )
    return msg("a number from {low} to {high}, or N/{high} such as 4/{high}", low=fmt(lo), high=fmt(hi))


def fmt(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else f"{number:g}"


# --- dates -----------------------------------------------------------------------------------------

DATE_FORMS = msg(
    "a date: a date cell, 2011-03-07, 07/03/2011, 07.03.2011, 7. 3. 2011, "
    "a year alone (2011), or an Excel date number"
)
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00(?:\.0+)?)?)?$")
_DAY_FIRST = re.compile(r"^(\d{1,2})\s*[/.]\s*(\d{1,2})\s*[/.]\s*(\d{4})$")
_YEAR = re.compile(r"^(\d{4})$")
_EXCEL_EPOCH = dt.date(1899, 12, 30)
YEAR_RANGE = (1900, 2100)
# Excel date numbers from 1927 to 9999; smaller numbers are not plausible start dates.
EXCEL_SERIAL_RANGE = (10000, 2958465)


def parse_date(value: object) -> dt.date:
    """A start date; a year alone means 1 January of that year."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise ValueError(_expected(DATE_FORMS))
    if isinstance(value, float) and math.isnan(value):
        raise ValueError(_nan_expected(DATE_FORMS))
    if isinstance(value, int | float):
        return _date_from_number(float(value))
    if not isinstance(value, str):
        raise ValueError(_expected(DATE_FORMS))
    return _parse_date_text(value.strip())


@lru_cache(maxsize=65536)
def _parse_date_text(text: str) -> dt.date:
    if match := _ISO.match(text):
        year, month, day = (int(g) for g in match.groups())
    elif match := _DAY_FIRST.match(text):
        day, month, year = (int(g) for g in match.groups())
    elif match := _YEAR.match(text):
        return _date_from_number(float(match.group(1)))
    else:
        try:
            number = float(text)
        except ValueError:
            raise ValueError(_expected(DATE_FORMS)) from None
        return _date_from_number(number)
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ValueError(
            msg(
                "{text} is not a real date (day {day}, month {month}, year {year}); expected {forms}",
                text=text,
                day=day,
                month=month,
                year=year,
                forms=DATE_FORMS,
            )
        ) from None


def _date_from_number(number: float) -> dt.date:
    if not number.is_integer():
        raise ValueError(_expected(DATE_FORMS))
    whole = int(number)
    if YEAR_RANGE[0] <= whole <= YEAR_RANGE[1]:
        return dt.date(whole, 1, 1)
    if EXCEL_SERIAL_RANGE[0] <= whole <= EXCEL_SERIAL_RANGE[1]:
        return _EXCEL_EPOCH + dt.timedelta(days=whole)
    raise ValueError(_expected(DATE_FORMS))
