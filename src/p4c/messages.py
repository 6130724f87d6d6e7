"""User-facing messages in English, French and German, through gettext catalogs.

A message is built as `msg("unknown {column}; accepted: {accepted}", column=..., accepted=...)`.
It is a `str` that reads as the English text (so code and tests that compare text keep working)
and keeps its template and parameters, so that it can be rendered again in another language
when it is shown to a partner (`render(message, "fr")`). The translations are gettext `.po`
catalogs in `p4c/locale/<lang>/LC_MESSAGES/p4c.po`, read at run time with babel (no compile
step); a template missing from a catalog is shown in English rather than failing.
"""

from __future__ import annotations

import string
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

Lang = Literal["en", "fr", "de"]
LANGUAGES: tuple[Lang, ...] = ("en", "fr", "de")
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
    return template.format_map(
        {k: v.render(lang) if isinstance(v, Msg | Number) else v for k, v in params.items()}
    )


def language_name(lang: str) -> str:
    """The language as its own speakers write it (for notes in a feedback workbook)."""
    return {"en": "English", "fr": "français", "de": "Deutsch"}.get(lang, lang)
