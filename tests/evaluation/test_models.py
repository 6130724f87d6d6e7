"""The field-test report contract as data: words, labels, columns and the barrier parser."""

from __future__ import annotations

import unicodedata
from enum import StrEnum
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from p4c.evaluation.models import (
    ADOPTION_LABELS,
    ADOPTION_WORDS,
    BARRIER_LABELS,
    BARRIER_WORDS,
    FIELD_TEST_COLUMN_ALIASES,
    FIELD_TEST_COLUMNS,
    FIELD_TEST_SHEET_ALIASES,
    FIELD_TESTS_SHEET,
    LABELS_BY_KIND,
    LANGS,
    MODE_LABELS,
    MODE_WORDS,
    NO_BARRIER_WORDS,
    TEST_STATUS_LABELS,
    TEST_STATUS_WORDS,
    VERDICT_LABELS,
    WORDS_BY_KIND,
    Adoption,
    Barrier,
    TestMode,
    TestStatus,
    Verdict,
    barriers_text,
    parse_barriers,
    parse_word,
)
from p4c.models import KIND_SHEETS, SHEET_NAMES
from p4c.values import norm

SPEC_COLUMNS = (
    "practice_partner",
    "practice_id",
    "mode",
    "status",
    "start_date",
    "end_date",
    "cis_involved",
    "smes_involved",
    "participants",
    "cost_eur",
    "staff_days",
    "satisfaction",
    "indicator",
    "baseline",
    "result",
    "adoption",
    "barriers",
    "adaptations",
    "lessons",
)
TABLES: list[tuple[dict[Any, tuple[str, ...]], dict[Any, dict[str, str]], type[StrEnum]]] = [
    (MODE_WORDS, MODE_LABELS, TestMode),
    (TEST_STATUS_WORDS, TEST_STATUS_LABELS, TestStatus),
    (ADOPTION_WORDS, ADOPTION_LABELS, Adoption),
    (BARRIER_WORDS, BARRIER_LABELS, Barrier),
]


def test_enum_codes_are_the_spec_codes() -> None:
    assert [m.value for m in TestMode] == ["IMPLEMENTATION", "WORKSHOP"]
    assert [s.value for s in TestStatus] == ["PLANNED", "ONGOING", "DONE", "CANCELLED"]
    assert [a.value for a in Adoption] == ["FULL", "PARTIAL", "INTEREST", "PRINCIPLES", "NONE"]
    assert [b.value for b in Barrier] == [
        "LEGAL",
        "FUNDING",
        "CAPACITY",
        "DEMAND",
        "CULTURE",
        "TIMING",
        "OTHER",
    ]
    assert [v.value for v in Verdict] == ["TRANSFERABLE", "PROMISING", "NOT_TRANSFERABLE", "NOT_TESTED"]


@pytest.mark.parametrize(("words", "labels", "enum"), TABLES)
def test_every_code_has_words_and_three_labels(
    words: dict[Any, tuple[str, ...]], labels: dict[Any, dict[str, str]], enum: type[StrEnum]
) -> None:
    assert list(words) == list(enum)
    assert list(labels) == list(enum)
    for code in enum:
        assert set(labels[code]) == set(LANGS)
        assert norm(code.value) in {norm(w) for w in words[code]}
        for lang in LANGS:
            assert labels[code][lang] in words[code]


@pytest.mark.parametrize(("words", "labels", "enum"), TABLES)
def test_no_word_names_two_codes(
    words: dict[Any, tuple[str, ...]], labels: dict[Any, dict[str, str]], enum: type[StrEnum]
) -> None:
    owner: dict[str, Any] = {}
    for code, ws in words.items():
        for w in ws:
            key = norm(w)
            assert key, f"{w!r} is blank once normalised"
            assert owner.setdefault(key, code) == code, f"{w!r} names {owner[key]} and {code}"


def test_spec_words_are_accepted() -> None:
    """The words the spec table gives, in every language."""
    expected = {
        "mode": {
            "IMPLEMENTATION": TestMode.IMPLEMENTATION,
            "WORKSHOP": TestMode.WORKSHOP,
            "mise en œuvre": TestMode.IMPLEMENTATION,
            "atelier": TestMode.WORKSHOP,
            "Umsetzung": TestMode.IMPLEMENTATION,
            "Workshop": TestMode.WORKSHOP,
            "Mise en oeuvre": TestMode.IMPLEMENTATION,
        },
        "test_status": {
            "PLANNED": TestStatus.PLANNED,
            "prévu": TestStatus.PLANNED,
            "geplant": TestStatus.PLANNED,
            "ONGOING": TestStatus.ONGOING,
            "en cours": TestStatus.ONGOING,
            "laufend": TestStatus.ONGOING,
            "DONE": TestStatus.DONE,
            "terminé": TestStatus.DONE,
            "abgeschlossen": TestStatus.DONE,
            "CANCELLED": TestStatus.CANCELLED,
            "annulé": TestStatus.CANCELLED,
            "abgesagt": TestStatus.CANCELLED,
            "TERMINE": TestStatus.DONE,
            "Annulée": TestStatus.CANCELLED,
        },
        "adoption": {
            "FULL": Adoption.FULL,
            "adopted as is": Adoption.FULL,
            "PARTIAL": Adoption.PARTIAL,
            "adapted": Adoption.PARTIAL,
            "INTEREST": Adoption.INTEREST,
            "declared interest for later": Adoption.INTEREST,
            "PRINCIPLES": Adoption.PRINCIPLES,
            "principles only": Adoption.PRINCIPLES,
            "NONE": Adoption.NONE,
            "nicht übernommen": Adoption.NONE,
            "adaptée": Adoption.PARTIAL,
            "nur Grundsätze": Adoption.PRINCIPLES,
        },
    }
    for kind, cases in expected.items():
        for text, code in cases.items():
            assert parse_word(kind, text) is code, (kind, text)  # type: ignore[arg-type]


def test_unknown_word_says_what_is_accepted() -> None:
    with pytest.raises(
        ValueError,
        match=r"^unknown status 'finito'; accepted: PLANNED \(planned, prévu, "
        r"geplant\); ONGOING \(ongoing, en cours, laufend\); DONE "
        r"\(done, terminé, abgeschlossen\); CANCELLED \(cancelled, "
        r"annulé, abgesagt\)$",
    ):
        parse_word("test_status", "finito")
    with pytest.raises(
        ValueError,
        match=r"^unknown mode 'visit'; accepted: IMPLEMENTATION "
        r"\(implementation, mise en œuvre, Umsetzung\); WORKSHOP "
        r"\(workshop, atelier, Workshop\)$",
    ):
        parse_word("mode", "visit")


def test_verdict_labels_in_three_languages() -> None:
    assert list(VERDICT_LABELS) == list(Verdict)
    assert all(set(labels) == set(LANGS) for labels in VERDICT_LABELS.values())


def test_sheet_name_and_aliases() -> None:
    assert FIELD_TESTS_SHEET == "FieldTests"
    assert FIELD_TEST_SHEET_ALIASES is KIND_SHEETS["field_tests"]["FieldTests"]  # one place
    names = {norm(a) for a in (FIELD_TESTS_SHEET, *FIELD_TEST_SHEET_ALIASES)}
    for alias in ("FieldTests", "Field tests", "Tests terrain", "Feldtests", "field_tests"):
        assert norm(alias) in names
    partner_sheets = {norm(a) for role, aliases in SHEET_NAMES.items() for a in (role, *aliases)}
    assert not names & partner_sheets


def test_columns_are_the_spec_table() -> None:
    assert tuple(f.name for f in FIELD_TEST_COLUMNS) == SPEC_COLUMNS
    required = {f.name for f in FIELD_TEST_COLUMNS if f.required}
    assert required == {"practice_partner", "practice_id", "mode", "status"}
    spec = {f.name: f for f in FIELD_TEST_COLUMNS}
    assert spec["practice_partner"].type == "code"
    assert (spec["start_date"].type, spec["end_date"].type) == ("date", "date")
    for name in ("cis_involved", "smes_involved", "participants"):
        assert (spec[name].type, spec[name].minimum, spec[name].maximum) == ("int", 0, None)
    assert (spec["cost_eur"].type, spec["cost_eur"].minimum) == ("amount", 0)
    assert (spec["staff_days"].type, spec["staff_days"].minimum) == ("number", 0)
    assert (spec["satisfaction"].type, spec["satisfaction"].minimum, spec["satisfaction"].maximum) == (
        "rating",
        1,
        5,
    )
    assert (spec["baseline"].minimum, spec["result"].minimum) == (None, None)  # any sign
    for name, kind, type_ in (
        ("mode", "mode", "choice"),
        ("status", "test_status", "choice"),
        ("adoption", "adoption", "choice"),
        ("barriers", "barriers", "choices"),
    ):
        assert spec[name].type == type_
        words = WORDS_BY_KIND[kind]  # type: ignore[index]
        assert [c for c, _ in spec[name].choices] == [code.value for code in words]
        for (code, listed), ws in zip(spec[name].choices, words.values(), strict=True):
            assert {norm(w) for w in listed} == {norm(w) for w in ws}, code
            assert len(listed) == len({norm(w) for w in listed}), code
        assert kind in LABELS_BY_KIND


def test_the_alias_table_has_an_entry_for_each_column_in_their_order() -> None:
    assert list(FIELD_TEST_COLUMN_ALIASES) == [f.name for f in FIELD_TEST_COLUMNS]


def test_column_aliases_name_one_column_each() -> None:
    owner: dict[str, str] = {}
    for f in FIELD_TEST_COLUMNS:
        assert f.aliases, f"{f.name} has no aliases"
        for alias in (f.name, *f.aliases):
            key = norm(alias)
            assert owner.setdefault(key, f.name) == f.name, f"{alias!r}: {owner[key]} and {f.name}"


# --- barriers --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("LEGAL, FUNDING", (Barrier.LEGAL, Barrier.FUNDING)),
        ("funding;legal", (Barrier.LEGAL, Barrier.FUNDING)),  # the contract's order, not the cell's
        ("juridique ; financement ; calendrier", (Barrier.LEGAL, Barrier.FUNDING, Barrier.TIMING)),
        ("Rechtlich, Finanzierung, Kapazität", (Barrier.LEGAL, Barrier.FUNDING, Barrier.CAPACITY)),
        ("KAPAZITAT;capacite", (Barrier.CAPACITY,)),
        ("Nachfrage, demande, DEMAND", (Barrier.DEMAND,)),
        ("culture; Kultur; autre; Sonstiges", (Barrier.CULTURE, Barrier.OTHER)),
        ("Zeitplan", (Barrier.TIMING,)),
        ("timing,", (Barrier.TIMING,)),
        ("", ()),
        ("   ", ()),
        (None, ()),
        (float("nan"), ()),
        ("none", ()),
        ("Aucun", ()),
        ("keine", ()),
    ],
)
def test_parse_barriers(text: object, expected: tuple[Barrier, ...]) -> None:
    assert parse_barriers(text) == expected


def test_parse_barriers_refuses_unknown_and_contradictions() -> None:
    with pytest.raises(
        ValueError,
        match=r"^unknown barrier 'weather'; accepted: zero or more of LEGAL "
        r"\(legal, juridique, rechtlich\); FUNDING",
    ):
        parse_barriers("legal, weather")
    with pytest.raises(ValueError, match=r"separated by , or ;"):
        parse_barriers("legal / funding")
    with pytest.raises(ValueError, match=r"^'none; LEGAL' says both no barrier and LEGAL"):
        parse_barriers("none; LEGAL")


def test_barriers_text() -> None:
    assert barriers_text(()) == ""
    assert barriers_text((Barrier.LEGAL, Barrier.OTHER)) == "LEGAL;OTHER"


def _strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


CASES = st.sampled_from([str.lower, str.upper, str.title, _strip_accents, lambda s: s])


@st.composite
def barrier_cells(draw: st.DrawFn) -> tuple[str, tuple[Barrier, ...]]:
    """A barriers cell as people type it (any language, case, accents, `,`/`;`, spaces), and its codes."""
    chosen = draw(st.lists(st.sampled_from(list(Barrier)), min_size=1, max_size=10))
    tokens = []
    for code in chosen:
        word = draw(st.sampled_from(BARRIER_WORDS[code]))
        tokens.append(draw(CASES)(word))
    cell = tokens[0]
    for token in tokens[1:]:
        cell += draw(st.sampled_from([",", ";", " , ", "; ", ";;", ", "])) + token
    cell = draw(st.sampled_from(["", " "])) + cell + draw(st.sampled_from(["", " ", ";", ","]))
    return cell, tuple(b for b in Barrier if b in set(chosen))


@given(barrier_cells())
def test_parse_barriers_any_spelling(case: tuple[str, tuple[Barrier, ...]]) -> None:
    cell, expected = case
    assert parse_barriers(cell) == expected


@given(st.sets(st.sampled_from(list(Barrier))))
def test_barriers_round_trip(codes: set[Barrier]) -> None:
    ordered = tuple(b for b in Barrier if b in codes)
    assert parse_barriers(barriers_text(ordered)) == ordered


KNOWN = {norm(w) for ws in BARRIER_WORDS.values() for w in ws} | {norm(w) for w in NO_BARRIER_WORDS}


@given(
    st.text(alphabet=st.characters(exclude_characters=",;"), min_size=1, max_size=12).filter(
        lambda t: bool(norm(t)) and norm(t) not in KNOWN
    )
)
def test_parse_barriers_refuses_any_other_word(word: str) -> None:
    with pytest.raises(ValueError, match="accepted: zero or more of LEGAL"):
        parse_barriers(f"LEGAL; {word}")
