"""Counted nouns in plain English: "1 service", "2 services", never "2 service(s)".

The one place plural forms live, so that every message a coordinator reads agrees; `is_singular`
says which form a count takes in French and German too (the report's word table uses it).
"""

from __future__ import annotations

IRREGULAR = {"category": "categories", "country": "countries", "analysis": "analyses"}


def plural_form(noun: str) -> str:
    """The plural of an English noun used in p4c messages (the irregular ones listed above)."""
    if noun in IRREGULAR:
        return IRREGULAR[noun]
    if noun.endswith(("s", "x", "ch", "sh")):
        return noun + "es"
    return noun + "s"


def plural(count: int, noun: str, many: str | None = None) -> str:
    """`count` and the noun agreeing with it: plural(1, "service") -> "1 service", 0 or 2 -> "services".

    `many` gives a plural the rules above do not know, e.g. plural(n, "person", "people").
    """
    word = noun if count == 1 else (many or plural_form(noun))
    return f"{count:,} {word}"


def is_singular(count: int, lang: str = "en") -> bool:
    """Whether `count` takes the singular: 1 in English and German; 0 and 1 in French."""
    return count in (0, 1) if lang == "fr" else count == 1
