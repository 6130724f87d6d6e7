"""Counted nouns in plain English: "1 service", "2 services", never "2 service(s)".

The one place plural forms live, so that every message a coordinator reads agrees.
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
