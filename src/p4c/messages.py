"""User-facing messages in English, French and German, through gettext catalogs.

A message is built as `msg("unknown {column}; accepted: {accepted}", column=..., accepted=...)`.
It is a `str` that reads as the English text (so code and tests that compare text keep working)
and keeps its template and parameters, so that it can be rendered again in another language
when it is shown to a partner (`render(message, "fr")`). The translations are gettext `.po`
catalogs in `p4c/locale/<lang>/LC_MESSAGES/p4c.po`, read at run time with babel (no compile
step); a template missing from a catalog is shown in English rather than failing.

A stage that stores a message as English text (a reasons column of a CSV) can have it back as a
message with `reparse`, the template matched in reverse, so a report shows it in its language.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

DOMAIN = "p4c"
LOCALE_DIR = Path(__file__).with_name("locale")


class Msg(str):
    """A message: the English text, with the template and parameters it was made from."""

    template: str
    params: dict[str, Any]

    def __new__(cls, template: str, params: dict[str, Any]) -> Msg:
        self = super().__new__(cls, _format(template, params, "en"))
        self.template = template
        self.params = params
        return self

    def render(self, lang: str) -> str:
        """The message in `lang` (en, fr or de); English where the catalog has no translation."""
        return _format(translate(self.template, lang), self.params, lang)

    def __reduce__(self) -> tuple[Any, ...]:  # pickling (multiprocessing, caches) keeps the template
        return (Msg, (self.template, self.params))


def msg(template: str, /, **params: Any) -> Msg:
    """A translatable message; `template` is the English text with `{name}` placeholders."""
    return Msg(template, params)


class Number:
    """A number in a message, written as its language writes numbers: 1,234.5 (en), 1 234,5 (fr,
    with no-break spaces), 1.234,5 (de). `spec` is a format spec such as `,` or `.1f`."""

    def __init__(self, value: float, spec: str = ",") -> None:
        self.value, self.spec = value, spec

    def render(self, lang: str) -> str:
        text = format(self.value, self.spec)
        if lang == "fr":
            return text.translate({ord(","): "\u00a0", ord("."): ","})
        if lang == "de":
            return text.translate({ord(","): ".", ord("."): ","})
        return text

    def __str__(self) -> str:
        return self.render("en")

    def __repr__(self) -> str:
        return f"Number({self.value!r}, {self.spec!r})"


def number(value: float, spec: str = ",") -> Number:
    """A number parameter of a message: `msg("{rows} rows", rows=number(12345))` reads 12,345 rows."""
    return Number(value, spec)


class Numeral(str):
    """A number already written as English writes it ("0.42", "12"), shown with the language's
    decimal mark (0,42 in fr and de): for values whose digits were chosen with care (`show`)."""

    def render(self, lang: str) -> str:
        return self.replace(".", ",") if lang in ("fr", "de") else str(self)


def render(text: object, lang: str | None) -> str:
    """Any message in `lang`: a Msg is translated, any other text is shown as it is."""
    if isinstance(text, Msg) and lang:
        return text.render(lang)
    return str(text) if not isinstance(text, str) else text


def message_of(exc: BaseException) -> str:
    """The message of an exception, kept a Msg when it was raised with one (`str(exc)` is not)."""
    if exc.args and isinstance(exc.args[0], Msg):
        return exc.args[0]
    message = getattr(exc, "message", None)  # P4CError
    if isinstance(message, str):
        return message
    return str(exc)


def placeholders(template: str) -> set[str]:
    """The `{name}` placeholders of a template."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def translate(template: str, lang: str) -> str:
    """The template in `lang` from its catalog; the template itself for English or when missing."""
    if lang == "en":
        return template
    return catalog(lang).get(template) or template


@lru_cache(maxsize=8)
def catalog(lang: str) -> dict[str, str]:
    """The `.po` catalog of `lang` as template -> translation (empty translations left out)."""
    from babel.messages.pofile import read_po

    path = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not path.is_file():
        return {}
    with path.open("rb") as fh:
        parsed = read_po(fh, locale=lang, domain=DOMAIN)
    return {str(m.id): str(m.string) for m in parsed if m.id and isinstance(m.string, str) and m.string}


def _format(template: str, params: dict[str, Any], lang: str) -> str:
    if lang == "en":  # a Msg and a Numeral are their English text; a Number's str() is its English
        return template.format_map(params)
    return template.format_map(
        {k: v.render(lang) if isinstance(v, Msg | Number | Numeral) else v for k, v in params.items()}
    )


def language_name(lang: str) -> str:
    """The language as its own speakers write it (for notes in a feedback workbook)."""
    return {"en": "English", "fr": "français", "de": "Deutsch"}.get(lang, lang)


# --- lists -----------------------------------------------------------------------------------------
# A list is folded pair by pair through a template, so each language writes its own separator.

SEMICOLONS = "{head}; {tail}"
COMMAS = "{head}, {tail}"
OR_LAST = "{head} or {tail}"


def semicolons(items: Sequence[object]) -> object:
    """`a; b; c` ("a ; b ; c" in French): the first item alone when there is one."""
    out = items[0]
    for item in items[1:]:
        out = msg(SEMICOLONS, head=out, tail=item)
    return out


def commas(items: Sequence[object]) -> object:
    """`a, b, c`: the first item alone when there is one."""
    out = items[0]
    for item in items[1:]:
        out = msg(COMMAS, head=out, tail=item)
    return out


def alternatives(items: Sequence[object]) -> object:
    """`a, b or c` ("a, b ou c", "a, b oder c")."""
    if len(items) == 1:
        return items[0]
    return msg(OR_LAST, head=commas(items[:-1]), tail=items[-1])


# --- reading a stored message back -------------------------------------------------------------------

_NUMERAL = re.compile(r"-?\d+(?:\.\d+)?")
T = TypeVar("T")
Parse = Callable[[str], object]  # a param's text -> its value, or None when it does not fit


@lru_cache(maxsize=256)
def _pattern(template: str) -> re.Pattern[str]:
    """The template as an anchored regex: a named group per placeholder, a backreference when a
    placeholder comes again."""
    parts, seen = [], set()
    for literal, name, _, _ in string.Formatter().parse(template):
        parts.append(re.escape(literal))
        if name is None:
            continue
        parts.append(f"(?P={name})" if name in seen else f"(?P<{name}>.*?)")
        seen.add(name)
    return re.compile("".join(parts), re.DOTALL)


def reparse(text: str, templates: Iterable[str], parts: Mapping[str, Parse] | None = None) -> Msg | None:
    """The message whose English text is `text`: the first template that matches it whole, or None.

    A param that is a plain decimal number comes back as a Numeral (a decimal comma in fr and de);
    `parts` parses the params that are messages themselves (a fragment, a list), and a template
    whose such param does not parse does not match.
    """
    parts = parts or {}
    for template in templates:
        found = _pattern(template).fullmatch(text)
        if found is None:
            continue
        params: dict[str, Any] = {}
        for name, value in found.groupdict().items():
            parse = parts.get(name)
            params[name] = parse(value) if parse else Numeral(value) if _NUMERAL.fullmatch(value) else value
            if params[name] is None:
                break
        else:
            return Msg(template, params)
    return None


def unjoin(text: str, separator: str, parse: Callable[[str], T | None]) -> list[T] | None:
    """`text` cut at `separator` into items that each parse, or None. The most items win: a
    placeholder matches any text, so "a 1 < 2; b 3 < 4" also parses as one item of criterion
    "a 1 < 2; b"; yet an item may hold the separator itself (a provider named "A; B") when no
    finer cut parses."""
    pieces = text.split(separator)
    # best[i]: the most items pieces[:i] cut into, or None when no cut of them parses
    best: list[list[T] | None] = [[], *([None] * len(pieces))]
    for end in range(1, len(pieces) + 1):
        for start in range(end - 1, -1, -1):
            head = best[start]
            if head is None or (best[end] is not None and len(head) + 1 <= len(best[end] or ())):
                continue
            item = parse(separator.join(pieces[start:end]))
            if item is not None:
                best[end] = [*head, item]
    return best[-1]


def unjoin_alternatives(text: str, parse: Callable[[str], T | None]) -> list[T] | None:
    """The items of `a, b or c` (as `alternatives` writes them), or None."""
    head, separator, last = text.rpartition(" or ")
    tail = parse(last)
    if tail is None:
        return None
    if not separator:
        return [tail]
    items = unjoin(head, ", ", parse)
    return None if items is None else [*items, tail]


def localized(texts: Iterable[object], lang: str, parse: Callable[[str], Msg | None]) -> list[object]:
    """Stored messages in `lang`: a Msg rendered, English text read back with `parse` and rendered,
    text that `parse` does not know (edited by hand, written by an older p4c) and anything that is
    not text (a blank cell) as it is. English text is kept as stored, byte for byte."""
    done: dict[str, str] = {}  # the same reason comes back often (ELIGIBLE_TEXT)
    out: list[object] = []
    for text in texts:
        if isinstance(text, Msg):
            out.append(text.render(lang))
        elif not isinstance(text, str) or lang == "en":
            out.append(text)
        else:
            if text not in done:
                found = parse(text)
                done[text] = text if found is None else found.render(lang)
            out.append(done[text])
    return out
