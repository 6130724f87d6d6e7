"""Plural forms of counted nouns."""

from __future__ import annotations

import pytest

from p4c.words import plural


@pytest.mark.parametrize(
    ("count", "noun", "expected"),
    [
        (0, "service", "0 services"),
        (1, "service", "1 service"),
        (2, "service", "2 services"),
        (1, "partner", "1 partner"),
        (3, "partner", "3 partners"),
        (1, "category", "1 category"),
        (5, "category", "5 categories"),
        (2, "match", "2 matches"),
        (1_500, "row", "1,500 rows"),
        (2, "person", "2 people"),
    ],
)
def test_plural(count: int, noun: str, expected: str) -> None:
    many = "people" if noun == "person" else None
    assert plural(count, noun, many) == expected
