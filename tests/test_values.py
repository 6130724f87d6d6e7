"""The value parsers against the contract (partner-workbook.md, "Matching names" and "Values")."""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from p4c.models import DOT_DECIMAL_COUNTRIES
from p4c.values import (
    DATE_FORMS,
    NUMBER_FORMS,
    finite_number,
    is_blank,
    norm,
    parse_date,
    parse_int,
    parse_number,
    parse_score,
    show,
)

COMMA_DECIMAL = ("BE", "DE", "FR", "EE", "SI", "GR")
DOT_DECIMAL = ("MT", "IE", "GB", "CY")
COUNTRIES = COMMA_DECIMAL + DOT_DECIMAL
SCORE_FORMS = "a number from 1 to 5 in steps of 0.5 (e.g. 3.5), or N/5 such as 4/5"
FAST = settings(max_examples=300, deadline=None)


def test_dot_decimal_countries_are_the_contracts() -> None:
    assert frozenset(DOT_DECIMAL) == DOT_DECIMAL_COUNTRIES


# --- norm ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the contract's own examples
        ("Budget annuel (€)", "budget annuel"),
        ("Jahresbudget (EUR)", "jahresbudget"),
        ("Service-ID", "service id"),
        # accents stripped
        ("Catégorie", "categorie"),
        ("Intitulé du service", "intitule du service"),
        ("Date de début", "date de debut"),
        ("Übertragbarkeit", "ubertragbarkeit"),
        ("Erreichte KMU", "erreichte kmu"),
        ("Terminé", "termine"),
        ("VZÄ", "vza"),
        ("Prévu", "prevu"),
        ("Träger", "trager"),
        ("Žalec čšž", "zalec csz"),
        ("Põltsamaa", "poltsamaa"),
        # casefold and letters that do not decompose
        ("ÉTAT", "etat"),
        ("Straße", "strasse"),
        ("STRASSE", "strasse"),
        ("Œuvre", "oeuvre"),
        ("Ærø", "aero"),
        ("Međunarodno", "medunarodno"),
        ("Łódź", "lodz"),
        # compatibility forms
        ("ﬁnance", "finance"),
        ("𝕬gency", "agency"),
        ("Budget²", "budget2"),
        # Greek partners write Greek: letters of any script are kept (accents still stripped)
        ("Προϋπολογισμός (€)", "προυπολογισμοσ"),
        # spaces of every kind, punctuation runs, trimming
        ("annual\u00a0budget", "annual budget"),
        ("annual\u202fbudget", "annual budget"),
        ("annual\u2009budget", "annual budget"),
        ("  annual \t\n budget  ", "annual budget"),
        ("Nr.", "nr"),
        ("cost_per_sme", "cost per sme"),
        ("R&D", "r d"),
        ("e-mail", "e mail"),
        ("Score: relevance", "score relevance"),
        ("--A--B--", "a b"),
        # parenthesised and bracketed text dropped
        ("Staff (FTE)", "staff"),
        ("Budget [EUR]", "budget"),
        ("Budget (EUR) annuel", "budget annuel"),
        ("(note) Status", "status"),
        # nothing left
        ("", ""),
        ("(€)", ""),
        ("---", ""),
    ],
)
def test_norm(text: str, expected: str) -> None:
    assert norm(text) == expected


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Budget annuel (€)", "budget annuel"),
        ("BUDGET\u00a0ANNUEL", "budget-annuel"),
        ("Kategorie", "kategorie"),
        ("Catégorie", "categorie"),
        ("Personal", "PERSONAL"),
        ("Service ID", "service_id"),
        ("Service-ID", "SERVICE ID"),
    ],
)
def test_norm_matches_variants(a: str, b: str) -> None:
    assert norm(a) == norm(b)


@FAST
@given(st.text(max_size=40))
def test_norm_is_idempotent_and_tidy(text: str) -> None:
    result = norm(text)
    assert norm(result) == result
    assert result == result.strip()
    assert "  " not in result
    assert re.fullmatch(r"[\w ]*", result)
    assert "_" not in result


# --- is_blank / show -------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [None, "", "   ", "\u00a0", float("nan")])
def test_is_blank(value: object) -> None:
    assert is_blank(value)


@pytest.mark.parametrize("value", [0, 0.0, "0", "x", False, dt.date(2011, 1, 1)])
def test_is_not_blank(value: object) -> None:
    assert not is_blank(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ""),
        (12.0, "12"),
        (12.5, "12.5"),
        ("1 234,5", "1 234,5"),
        (dt.datetime(2011, 3, 7), "2011-03-07"),
        (dt.datetime(2011, 3, 7, 10, 30), "2011-03-07 10:30:00"),
    ],
)
def test_show(value: object, expected: str) -> None:
    assert show(value) == expected


# --- parse_number ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # numeric cells
        (12, 12.0),
        (0, 0.0),
        (-3, -3.0),
        (12.5, 12.5),
        (1e9, 1e9),
        (-0.25, -0.25),
        # plain text
        ("12", 12.0),
        ("  12  ", 12.0),
        ("+12", 12.0),
        ("-12", -12.0),
        ("0", 0.0),
        ("007", 7.0),
        # currency sign or code, before or after, glued or not
        ("12 €", 12.0),
        ("12€", 12.0),
        ("€12", 12.0),
        ("€ 12", 12.0),
        ("12 EUR", 12.0),
        ("12EUR", 12.0),
        ("EUR 12", 12.0),
        ("12 eur", 12.0),
        ("12 euros", 12.0),
        ("1.234,50 €", 1234.5),
        ("€1,234.50", 1234.5),
        # spaces of every kind group thousands
        ("12 500", 12500.0),
        ("12\u00a0500", 12500.0),
        ("12\u202f500", 12500.0),
        ("12\u2009500", 12500.0),
        ("1 234 567", 1234567.0),
        ("1\u00a0234\u00a0567,89", 1234567.89),
        ("12 345,50 €", 12345.5),
        ("12\u202f345,50\u00a0€", 12345.5),
        # U+2212 minus, and minus with a currency
        ("\u221212", -12.0),
        ("\u2212 1 234,5", -1234.5),
        ("-€12", -12.0),
        ("\u221212,5 €", -12.5),
        # both marks: the last one is the decimal mark
        ("1.234,5", 1234.5),
        ("1,234.5", 1234.5),
        ("1.234.567,89", 1234567.89),
        ("1,234,567.89", 1234567.89),
        ("1.234,567", 1234.567),
        ("1,234.567", 1234.567),
        ("-1.234,56", -1234.56),
        # one mark several times: thousands
        ("1.234.567", 1234567.0),
        ("1,234,567", 1234567.0),
        ("12.345.678", 12345678.0),
        # one mark once, not followed by exactly three digits: decimal
        ("1.5", 1.5),
        ("3,5", 3.5),
        ("12,50", 12.5),
        ("12.50", 12.5),
        ("0,5", 0.5),
        ("1234,5678", 1234.5678),
        ("1,23456", 1.23456),
        ("12500.0", 12500.0),
        # `0,500` / `0.500`: a thousands group cannot follow a lone 0, so the mark is decimal
        ("0,500", 0.5),
        ("0.500", 0.5),
        ("-0,125", -0.125),
    ],
)
@pytest.mark.parametrize("country", [*COUNTRIES, None])
def test_parse_number_unambiguous(value: object, expected: float, country: str | None) -> None:
    """Forms whose value does not depend on the partner's country."""
    assert parse_number(value, country) == expected


@pytest.mark.parametrize(
    ("text", "comma_decimal", "dot_decimal"),
    [
        # once, followed by exactly three digits: the country decides
        ("12.500", 12500.0, 12.5),
        ("12,500", 12.5, 12500.0),
        ("1.000", 1000.0, 1.0),
        ("1,000", 1.0, 1000.0),
        ("-12.500", -12500.0, -12.5),
        ("\u221212,500", -12.5, -12500.0),
        ("12.500 €", 12500.0, 12.5),
        ("€ 999,999", 999.999, 999999.0),
    ],
)
def test_parse_number_country_decides(text: str, comma_decimal: float, dot_decimal: float) -> None:
    for country in COMMA_DECIMAL:
        assert parse_number(text, country) == comma_decimal, country
    for country in DOT_DECIMAL:
        assert parse_number(text, country) == dot_decimal, country


def test_parse_number_country_examples_of_the_contract() -> None:
    assert parse_number("12.500", "BE") == 12500
    assert parse_number("12.500", "MT") == 12.5
    assert parse_number("12,500", "BE") == 12.5
    assert parse_number("12,500", "MT") == 12500


def test_parse_number_country_code_is_case_insensitive() -> None:
    assert parse_number("12.500", "mt") == 12.5
    assert parse_number("12,500", "gb") == 12500


def test_parse_number_without_country_uses_decimal_comma() -> None:
    # "decimal comma for every country but MT, IE, GB and CY": an unknown country is not one of them.
    assert parse_number("12.500") == 12500
    assert parse_number("12,500") == 12.5


@pytest.mark.parametrize(
    "value",
    [
        # multipliers
        "k€",
        "12 k€",
        "12,5 k€",
        "12k€",
        "12,5 K€",
        "1.2M",
        "1,2 M",
        "3 Mio",
        "12 Mio. €",
        "1 200k",
        "EUR 12k",
        "12 keur",
        "12 KEUR",
        "12 TEUR",
        "12 Tsd. €",
        "5 m€",
        "2 million",
        "1,5 Mrd",
        # not numbers
        "abc",
        "twelve",
        "12 apples",
        "n/a",
        "-",
        "€",
        "EUR",
        "NaN",
        "inf",
        "-inf",
        "1e5",
        "0x10",
        "1_000",
        # bad grouping
        "1.2.3",
        "1,2,3",
        "1.23.456",
        "1.234.56",
        "1,234,5678",
        "12.34.567",
        "1234.567.890",
        "0.123.456",
        "1.234,567.8",
        "1,234.567,8",
        "1,2.5",
        # a mark with no digits after it, or before it
        "5.",
        "5,",
        ".5",
        ",5",
        "1.234.",
        # signs in the wrong place
        "--5",
        "5-",
        "+-5",
        "1-2",
        # empty
        "",
        "   ",
        "\u00a0",
        # other
        "12,50 USD",
        "$12",
        "12%",
    ],
)
def test_parse_number_errors_name_the_accepted_forms(value: str) -> None:
    for country in ("BE", "MT"):
        with pytest.raises(ValueError, match=re.escape(NUMBER_FORMS)):
            parse_number(value, country)


WHITE_SPACE = [chr(c) for c in range(0x110000) if chr(c).isspace()]


@pytest.mark.parametrize("space", [*WHITE_SPACE, "'", "’"], ids=lambda c: f"U+{ord(c):04X}")
def test_parse_number_ignores_every_kind_of_space(space: str) -> None:
    assert parse_number(f"1{space}234{space},5{space}€", "BE") == 1234.5
    assert parse_number(f"{space}12{space}500{space}", "MT") == 12500.0


@pytest.mark.parametrize("text", ["1\u200b234", "1_234", "1\u00ad234"])
def test_parse_number_other_invisible_characters_are_errors(text: str) -> None:
    with pytest.raises(ValueError, match=re.escape(NUMBER_FORMS)):
        parse_number(text, "BE")


@pytest.mark.parametrize("value", ["k€", "12,5 k€", "1.2M", "12 TEUR"])
def test_parse_number_multiplier_message_says_write_the_full_amount(value: str) -> None:
    with pytest.raises(ValueError, match="multipliers such as k€ or M are not accepted") as info:
        parse_number(value, "BE")
    assert "write the full amount" in str(info.value)


@pytest.mark.parametrize("value", ["1.2.3", "1,2,3", "1.234.56"])
def test_parse_number_bad_grouping_message(value: str) -> None:
    with pytest.raises(ValueError, match="groups of three digits"):
        parse_number(value, "BE")


@pytest.mark.parametrize(
    "value",
    [
        float("nan"),
        float("inf"),
        float("-inf"),
        True,
        False,
        None,
        [12],
        {"a": 1},
        Decimal("12"),
        dt.date(2011, 1, 1),
    ],
)
def test_parse_number_rejects_non_finite_and_non_numbers(value: object) -> None:
    with pytest.raises(ValueError, match=re.escape(NUMBER_FORMS)):
        parse_number(value, "BE")


def test_parse_number_accepts_numpy_numbers() -> None:
    np = pytest.importorskip("numpy")
    assert parse_number(np.int64(12), "BE") == 12.0
    assert parse_number(np.float64(1.5), "BE") == 1.5
    with pytest.raises(ValueError):
        parse_number(np.float64("nan"), "BE")


# --- parse_number: property ------------------------------------------------------------------------


def _group(digits: str, sep: str) -> str:
    """`1234567` grouped by thousands with `sep`: `1.234.567`."""
    head = len(digits) % 3 or 3
    parts = [digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)]
    return sep.join(parts)


UP_TO_TWO_FRACTION_DIGITS = st.integers(0, 2)


@st.composite
def localized_numbers(
    draw: st.DrawFn,
    fraction_digits: st.SearchStrategy[int] = UP_TO_TWO_FRACTION_DIGITS,
) -> tuple[str, str, Decimal]:
    """(country, text, value): a number within +-1e9 written the way that country writes numbers.

    Why every text drawn here has one reading under the contract:
    - with a thousands separator and a fraction, the text holds both `.` and `,` and the last one is
      the decimal mark, or (space grouping) only the decimal mark with 1-2 digits after it;
    - with a thousands separator and no fraction, the separator occurs several times (thousands),
      or once followed by exactly three digits, which the country decides: `.` for a comma-decimal
      country and `,` for a dot-decimal one are thousands, as drawn here;
    - with no thousands separator, the decimal mark occurs once followed by 1 or 2 digits (decimal);
    - the separator never follows a lone 0, since 0-999 are never grouped.
    Three fraction digits with a single separator (`1,234`) are ambiguous by contract without the
    country (1.234 or 1234): written in the country's own style they are decided by the country, which
    `test_three_fraction_digits_are_decided_by_the_country` checks separately.
    """
    country = draw(st.sampled_from(COUNTRIES))
    digits = draw(fraction_digits)
    scaled = draw(st.integers(-(10**9) * 10**digits, 10**9 * 10**digits))
    value = Decimal(scaled).scaleb(-digits)
    whole, frac = divmod(abs(scaled), 10**digits)
    if country in DOT_DECIMAL:
        decimal, separators = ".", [",", ""]
    else:
        decimal, separators = ",", [".", " ", "\u00a0", "\u202f", "\u2009", ""]
    text = _group(str(whole), draw(st.sampled_from(separators)))
    if digits:
        text += decimal + str(frac).zfill(digits)
    sign = draw(st.sampled_from(["-", "\u2212"])) if scaled < 0 else draw(st.sampled_from(["", "+"]))
    space = draw(st.sampled_from(["", " ", "\u00a0"]))
    currency = draw(st.sampled_from(["none", "prefix", "prefix_eur", "suffix", "suffix_eur"]))
    if currency == "prefix":
        text = draw(st.sampled_from([f"{sign}€{space}{text}", f"€{space}{sign}{text}"]))
    elif currency == "prefix_eur":
        text = f"EUR{space or ' '}{sign}{text}"
    elif currency == "suffix":
        text = f"{sign}{text}{space}€"
    elif currency == "suffix_eur":
        text = f"{sign}{text}{space or ' '}EUR"
    else:
        text = sign + text
    return country, text, value


@FAST
@given(localized_numbers())
@example(("BE", "12.500", Decimal(12500)))
@example(("MT", "12,500", Decimal(12500)))
@example(("DE", "\u22121.234.567,89 €", Decimal("-1234567.89")))
@example(("IE", "€1,000,000,000.00", Decimal("1000000000")))
@example(("FR", "12\u202f345,5\u00a0EUR", Decimal("12345.5")))
@example(("GB", "0.05", Decimal("0.05")))
def test_localized_number_parses_back(case: tuple[str, str, Decimal]) -> None:
    country, text, value = case
    assert math.isclose(parse_number(text, country), float(value), rel_tol=1e-12, abs_tol=0.0)


@FAST
@given(localized_numbers(fraction_digits=st.just(3)))
def test_three_fraction_digits_are_decided_by_the_country(case: tuple[str, str, Decimal]) -> None:
    country, text, value = case
    assert math.isclose(parse_number(text, country), float(value), rel_tol=1e-12, abs_tol=0.0)


@FAST
@given(
    st.integers(1, 999),
    st.integers(0, 999),
    st.sampled_from(COMMA_DECIMAL),
    st.sampled_from(DOT_DECIMAL),
    st.sampled_from([".", ","]),
)
def test_three_digits_after_a_single_mark_is_ambiguous_across_countries(
    whole: int, frac: int, comma_country: str, dot_country: str, mark: str
) -> None:
    text = f"{whole}{mark}{frac:03d}"
    as_decimal = float(f"{whole}.{frac:03d}")
    as_thousands = float(whole * 1000 + frac)
    by_comma, by_dot = parse_number(text, comma_country), parse_number(text, dot_country)
    if mark == ",":
        assert (by_comma, by_dot) == (as_decimal, as_thousands)
    else:
        assert (by_comma, by_dot) == (as_thousands, as_decimal)


@FAST
@given(
    st.one_of(
        st.integers(-(10**12), 10**12),
        st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12),
    ),
    st.sampled_from([*COUNTRIES, None]),
)
def test_numeric_cells_are_taken_as_they_are(value: float, country: str | None) -> None:
    assert parse_number(value, country) == float(value)


# --- parse_int -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12", 12),
        ("12.0", 12),
        ("12,0", 12),
        ("1 200", 1200),
        ("1\u00a0200", 1200),
        ("1.200", 1200),
        ("0", 0),
        (12, 12),
        (12.0, 12),
        ("-3", -3),
        ("1.234.567", 1234567),
        ("12,00", 12),
    ],
)
def test_parse_int(value: object, expected: int) -> None:
    result = parse_int(value, "BE")
    assert result == expected
    assert isinstance(result, int)


def test_parse_int_follows_the_country() -> None:
    assert parse_int("1,200", "GB") == 1200
    assert parse_int("1.200", "DE") == 1200
    with pytest.raises(ValueError, match="whole number"):
        parse_int("1,200", "DE")  # 1.2 in Germany


@pytest.mark.parametrize("value", ["12.5", "12,5", 12.5, "0,5", "1.5"])
def test_parse_int_rejects_fractions(value: object) -> None:
    with pytest.raises(ValueError, match="whole number") as info:
        parse_int(value, "BE")
    assert "such as 12" in str(info.value)


@pytest.mark.parametrize("value", ["abc", "12 k€", "", True])
def test_parse_int_rejects_non_numbers(value: object) -> None:
    with pytest.raises(ValueError, match=re.escape(NUMBER_FORMS)):
        parse_int(value, "BE")


# --- parse_score -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("4", 4.0),
        ("3.5", 3.5),
        ("3,5", 3.5),
        ("4/5", 4.0),
        (" 4 / 5 ", 4.0),
        ("4,5/5", 4.5),
        ("4.5 / 5", 4.5),
        ("1", 1.0),
        ("5", 5.0),
        ("5/5", 5.0),
        ("1/5", 1.0),
        ("4/5,0", 4.0),
        (4, 4.0),
        (3.5, 3.5),
        (1, 1.0),
        (5.0, 5.0),
        ("\u00a03\u00a0", 3.0),
    ],
)
def test_parse_score(value: object, expected: float) -> None:
    assert parse_score(value, 1, 5, 0.5, "BE") == expected


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("14/20", "a fraction must be out of 5"),
        ("4/10", "a fraction must be out of 5"),
        ("6", "score 6 is outside 1-5"),
        ("0", "score 0 is outside 1-5"),
        ("5.5", "outside"),
        ("-1", "outside"),
        ("6/5", "outside"),
        ("3.3", "score 3.3 is not a step of 0.5"),
        ("4.25", "not a step"),
        ("high", ""),
        ("****", ""),
        ("", ""),
        ("4/", ""),
        ("/5", ""),
        ("4/5/5", ""),
        ("four/5", ""),
        ("4 k€", ""),
        (True, ""),
        (None, ""),
        (float("nan"), ""),
    ],
)
def test_parse_score_errors_name_the_accepted_forms(value: object, why: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_score(value, 1, 5, 0.5, "BE")
    message = str(info.value)
    assert why in message
    assert SCORE_FORMS in message


def test_parse_score_other_scale() -> None:
    # 0-10 in whole points
    assert parse_score("7", 0, 10, 1) == 7
    assert parse_score("0", 0, 10, 1) == 0
    assert parse_score("10/10", 0, 10, 1) == 10
    assert parse_score("7/10", 0, 10, 1) == 7
    forms = "a number from 0 to 10, or N/10 such as 4/10"
    for value, why in [
        ("7.5", "not a step of 1"),
        ("11", "outside 0-10"),
        ("4/5", "out of 10"),
        ("high", ""),
    ]:
        with pytest.raises(ValueError, match=re.escape(forms)) as info:
            parse_score(value, 0, 10, 1)
        assert why in str(info.value)


def test_parse_score_step_zero_accepts_any_number_in_range() -> None:
    assert parse_score("3.3", 1, 5, 0) == 3.3
    assert parse_score("3,33", 1, 5, 0, "FR") == 3.33


def test_parse_score_three_digit_fraction_follows_country() -> None:
    # `3,500` is 3.5 for a decimal-comma country, 3500 (out of range) for Malta
    assert parse_score("3,500", 1, 5, 0.5, "BE") == 3.5
    with pytest.raises(ValueError, match="outside"):
        parse_score("3,500", 1, 5, 0.5, "MT")


@FAST
@given(st.integers(2, 10), st.sampled_from(COUNTRIES))
def test_parse_score_every_half_step_and_fraction(halves: int, country: str) -> None:
    score = halves / 2
    text = f"{score:g}"
    assert parse_score(text, 1, 5, 0.5, country) == score
    mark = "." if country in DOT_DECIMAL else ","
    assert parse_score(f"{text.replace('.', mark)}/5", 1, 5, 0.5, country) == score


# --- parse_date ------------------------------------------------------------------------------------

MARCH_7 = dt.date(2011, 3, 7)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # date cells
        (dt.date(2011, 3, 7), MARCH_7),
        (dt.datetime(2011, 3, 7), MARCH_7),
        (dt.datetime(2011, 3, 7, 15, 45), MARCH_7),
        # text
        ("2011-03-07", MARCH_7),
        ("2011-3-7", MARCH_7),
        ("2011-03-07 00:00:00", MARCH_7),
        ("2011-03-07T00:00", MARCH_7),
        ("07/03/2011", MARCH_7),
        ("7/3/2011", MARCH_7),
        ("07.03.2011", MARCH_7),
        ("7.3.2011", MARCH_7),
        ("7. 3. 2011", MARCH_7),
        (" 07 / 03 / 2011 ", MARCH_7),
        ("29/02/2012", dt.date(2012, 2, 29)),
        # a year alone, text or number: 1 January
        ("2011", dt.date(2011, 1, 1)),
        (2011, dt.date(2011, 1, 1)),
        (2011.0, dt.date(2011, 1, 1)),
        (" 2011 ", dt.date(2011, 1, 1)),
        ("1900", dt.date(1900, 1, 1)),
        ("2100", dt.date(2100, 1, 1)),
        # Excel serials (1900 system)
        (40609, MARCH_7),
        (40609.0, MARCH_7),
        ("40609", MARCH_7),
        (43831, dt.date(2020, 1, 1)),
        (36526, dt.date(2000, 1, 1)),
    ],
)
def test_parse_date(value: object, expected: dt.date) -> None:
    assert parse_date(value) == expected


def test_parse_date_returns_a_plain_date_for_a_datetime() -> None:
    result = parse_date(dt.datetime(2011, 3, 7, 10, 0))
    assert type(result) is dt.date


def test_parse_date_pandas_timestamp() -> None:
    pd = pytest.importorskip("pandas")
    assert parse_date(pd.Timestamp("2011-03-07 12:00")) == MARCH_7


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("31/02/2011", "day 31, month 2, year 2011"),
        ("29/02/2011", "day 29, month 2, year 2011"),
        ("2011-13-01", "day 1, month 13, year 2011"),
        ("2011-02-30", "day 30, month 2"),
        ("00.01.2011", "day 0"),
        ("32.01.2011", "day 32"),
    ],
)
def test_parse_date_impossible(text: str, detail: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_date(text)
    message = str(info.value)
    assert f"{text} is not a real date" in message
    assert detail in message
    assert DATE_FORMS in message


@pytest.mark.parametrize(
    "value",
    [
        "garbage",
        "",
        "March 2011",
        "7 March 2011",
        "03/2011",
        "07/03/11",
        "2011/03/07",
        "20110307",
        "1899",
        1899,
        2101,
        9999,
        40609.5,
        "12.5",
        -1,
        0,
        True,
        None,
        float("nan"),
        [2011],
    ],
)
def test_parse_date_errors_name_the_accepted_forms(value: object) -> None:
    with pytest.raises(ValueError, match=re.escape(DATE_FORMS)):
        parse_date(value)


@FAST
@given(st.dates(min_value=dt.date(1928, 1, 1), max_value=dt.date(2099, 12, 31)))
def test_parse_date_text_forms_and_serial_round_trip(day: dt.date) -> None:
    assert parse_date(day.isoformat()) == day
    assert parse_date(day.strftime("%d/%m/%Y")) == day
    assert parse_date(day.strftime("%d.%m.%Y")) == day
    assert parse_date(f"{day.day}. {day.month}. {day.year}") == day
    serial = (day - dt.date(1899, 12, 30)).days
    assert parse_date(serial) == day
    assert parse_date(float(serial)) == day


# --- hardening: a hair off a bound or a step, NaN ---------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (5.0000000001, 5.0),
        (0.9999999999, 1.0),
        (3.5000000001, 3.5),
        (3.4999999999, 3.5),
        ("5.0000000001", 5.0),
    ],
)
def test_parse_score_takes_a_hair_off_as_the_bound_or_step(value: object, expected: float) -> None:
    score = parse_score(value, 1, 5, 0.5, "MT")
    assert score == expected and str(score) == str(expected)


@pytest.mark.parametrize(
    ("value", "why"), [(5.01, "outside 1-5"), (0.99, "outside 1-5"), (3.51, "not a step")]
)
def test_parse_score_tolerance_is_tiny(value: float, why: str) -> None:
    with pytest.raises(ValueError, match=why):
        parse_score(value, 1, 5, 0.5, "MT")


def test_nan_is_named_as_nan() -> None:
    with pytest.raises(
        ValueError, match=re.escape("the cell holds NaN (not a number); expected " + NUMBER_FORMS)
    ):
        parse_number(math.nan)
    with pytest.raises(
        ValueError, match=re.escape("the cell holds NaN (not a number); expected " + DATE_FORMS)
    ):
        parse_date(math.nan)
    with pytest.raises(
        ValueError, match=re.escape("the cell holds NaN (not a number); expected " + SCORE_FORMS)
    ):
        parse_score(math.nan, 1, 5, 0.5)


def test_finite_number_reads_stored_cells_and_refuses_the_rest() -> None:
    import numpy as np
    import pandas as pd

    assert finite_number(2.5) == 2.5
    assert finite_number(3) == 3.0
    assert finite_number(" 4.25 ") == 4.25
    assert finite_number(np.int64(7)) == 7.0
    for value in (None, pd.NA, pd.NaT, "", "  ", "n/a", True, False, float("nan"), float("inf"), "-inf"):
        assert finite_number(value) is None, value
