"""Every ingest message exists in en, fr and de, with the same placeholders (p4c.messages)."""

from __future__ import annotations

import ast
import pickle
from pathlib import Path

import pytest

from p4c.messages import LOCALE_DIR, Msg, catalog, message_of, msg, placeholders, render

SRC = Path(__file__).resolve().parents[1] / "src" / "p4c"


def templates() -> dict[str, str]:
    """Every `msg("...")` template in the source, with where it is; a non-literal template fails."""
    found: dict[str, str] = {}
    for path in sorted(SRC.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "msg":
                first = node.args[0]
                where = f"{path.relative_to(SRC)}:{node.lineno}"
                assert isinstance(first, ast.Constant) and isinstance(first.value, str), where
                found.setdefault(first.value, where)
    return found


def test_the_source_has_messages() -> None:
    found = templates()
    assert "row {row} looks like a total line: remove it" in found
    assert len(found) >= 70


@pytest.mark.parametrize("lang", ["fr", "de"])
def test_every_message_is_translated_with_the_same_placeholders(lang: str) -> None:
    translations = catalog(lang)
    problems = []
    for template, where in templates().items():
        text = translations.get(template, "")
        if not text.strip():
            problems.append(f"{where}: no {lang} translation of {template!r}")
        elif placeholders(text) != placeholders(template):
            problems.append(f"{where}: {lang} placeholders {placeholders(text)} != {placeholders(template)}")
    assert problems == []


@pytest.mark.parametrize("lang", ["fr", "de"])
def test_catalog_holds_no_stale_message(lang: str) -> None:
    assert set(catalog(lang)) - set(templates()) == set()
    assert (LOCALE_DIR / lang / "LC_MESSAGES" / "p4c.po").is_file()


def test_every_message_renders_in_three_languages() -> None:
    """Walk each template through en, fr, de with dummy values: each renders, and fr/de differ from en."""
    same = []
    for template in templates():
        message = msg(template, **{name: f"<{name}>" for name in placeholders(template)})
        assert message.render("en") == str(message)
        for lang in ("fr", "de"):
            text = message.render(lang)
            assert all(f"<{name}>" in text for name in placeholders(template)), (lang, template)
            if text == str(message):
                same.append((lang, template))
    # Words that are the same in a language (Type, Status, `{file}: {reason}`) are the exceptions.
    assert sorted(same) == [("de", "{file}: {reason}"), ("de", "{kind}: {message}"), ("fr", "Type")]


def test_msg_reads_as_english_and_keeps_its_template() -> None:
    inner = msg("a number from {low} to {high}", low="1", high="5")
    message = msg("{column} is required: {accepted}", column="impact", accepted=inner)
    assert message == "impact is required: a number from 1 to 5"
    assert isinstance(message, str) and isinstance(message, Msg)
    assert message.template == "{column} is required: {accepted}"
    assert message.render("fr") == "impact est obligatoire : un nombre de 1 à 5"
    assert message.render("de") == "impact ist ein Pflichtfeld: eine Zahl von 1 bis 5"
    assert render(message, None) == str(message)
    assert render("plain text", "fr") == "plain text"


def test_message_of_an_exception_keeps_the_msg_and_pickles() -> None:
    message = msg("expected {forms}", forms=msg("a date"))
    kept = message_of(ValueError(message))
    assert isinstance(kept, Msg) and kept.render("de") == "erwartet: ein Datum"
    assert type(str(ValueError(message))) is str
    again = pickle.loads(pickle.dumps(message))
    assert isinstance(again, Msg) and again.render("fr") == "attendu : une date"


def test_unknown_language_or_template_falls_back_to_english() -> None:
    assert msg("not in any catalog {x}", x=1).render("fr") == "not in any catalog 1"
    assert msg("a date").render("it") == "a date"
