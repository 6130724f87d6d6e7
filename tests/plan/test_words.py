"""Every fixed text exists in the three languages, and French and German plans hold no English."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from p4c.models import LANGUAGES
from p4c.plan.docx import write_docx
from p4c.plan.html import render_html
from p4c.plan.words import (
    SAME_AS_ENGLISH,
    TEXTS,
    local_amount,
    local_change,
    local_date,
    local_number,
    text,
)
from tests.plan.fixtures import plan
from tests.plan.textcheck import docx_text, found_english, html_text

NNBSP, NBSP = "\u202f", "\u00a0"  # what French and German typography put in numbers and before €


def test_every_key_in_every_language_and_translated() -> None:
    for key, texts in TEXTS.items():
        assert set(texts) == set(LANGUAGES), key
        for lang in ("fr", "de"):
            assert texts[lang].strip(), (key, lang)
            same = texts[lang] == texts["en"]
            assert same == ((key, lang) in SAME_AS_ENGLISH), (
                f"{key} in {lang}: {'identical to English but not listed' if same else 'listed as identical'}"
            )


def test_the_list_of_identical_words_is_exactly_these() -> None:
    # words genuinely the same in both languages; anything else identical is a forgotten translation
    assert {(k, lang, TEXTS[k]["en"]) for k, lang in SAME_AS_ENGLISH} == {
        ("label.partner", "de", "Partner"),
        ("label.organisation", "de", "Organisation"),
        ("label.region", "de", "Region"),
        ("label.contact", "fr", "Contact"),
        ("needs.importance", "fr", "Importance"),
        ("action.adoption", "fr", "Adoption"),
        ("action.verdict", "fr", "Verdict"),
        ("action.description", "fr", "Description"),
        ("action.status", "de", "Status"),
        ("action.action", "fr", "Action"),
        ("wb.sheet.plan", "fr", "Plan"),
        ("wb.sheet.plan", "de", "Plan"),
        ("wb.sheet.actions", "fr", "Actions"),
        ("wb.sheet.instructions", "fr", "Instructions"),
        ("wb.col.action", "fr", "Action"),
        ("wb.col.description", "fr", "Description"),
        ("wb.col.status", "de", "Status"),
    }


def test_text_lookup() -> None:
    assert text("doc.draft", "de") == "ENTWURF"
    with pytest.raises(KeyError):
        text("no.such.key", "en")


def test_local_dates_and_amounts() -> None:
    day = dt.date(2011, 3, 7)
    assert [local_date(day, lang) for lang in ("en", "fr", "de")] == [
        "7 March 2011",
        "7 mars 2011",
        "7. März 2011",
    ]
    assert [local_amount(12345.5, lang) for lang in ("en", "fr", "de")] == [
        "€12,345.50",
        f"12{NNBSP}345,50{NBSP}€",
        f"12.345,50{NBSP}€",
    ]
    assert [local_number(4.25, lang) for lang in ("en", "fr", "de")] == ["4.2", "4,2", "4,2"]
    assert local_change(0.123, "fr") == f"+12{NBSP}%"
    assert local_change(-0.5, "en") == "−50%"
    assert local_change(0.0, "de") == f"0{NBSP}%"


@pytest.mark.parametrize("lang", ["fr", "de"])
@pytest.mark.parametrize("draft", [False, True])
def test_rendered_plans_hold_no_english_fixed_text(lang: str, draft: bool, tmp_path: Path) -> None:
    doc = plan(lang, draft=draft)  # type: ignore[arg-type]
    path = tmp_path / "plan.docx"
    write_docx(doc, path)
    assert found_english(docx_text(path), doc.language) == []
    assert found_english(html_text(render_html(doc)), doc.language) == []


def test_the_check_finds_english_when_there_is_some(tmp_path: Path) -> None:
    # the same check on the English plan finds the English texts: it is not vacuous
    doc = plan("en", draft=True)
    path = tmp_path / "plan.docx"
    write_docx(doc, path)
    found = set(found_english(docx_text(path), "fr"))
    assert {"DRAFT", "Part III – Actions", "Players", "Timeframe", "Not yet set".lower()} <= found
    assert {"Part I – The partner and its region", "Target"} <= set(
        found_english(html_text(render_html(doc)), "de")
    )
