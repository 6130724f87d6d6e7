"""The English-only fixed texts, and the visible text of a rendered .docx or HTML plan."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from p4c.models import Language
from p4c.plan.words import TEXTS


def english_only(lang: Language) -> set[str]:
    """English fixed texts that differ from every text of `lang` (so must not appear in it)."""
    theirs = {texts[lang] for texts in TEXTS.values()}
    return {texts["en"] for texts in TEXTS.values() if texts["en"] not in theirs}


def found_english(visible: str, lang: Language) -> list[str]:
    """Every English-only text found in `visible` as whole words (case-sensitive)."""
    return sorted(s for s in english_only(lang) if re.search(r"(?<!\w)" + re.escape(s) + r"(?!\w)", visible))


def docx_text(path: Path) -> str:
    """Paragraphs, table cells, headers and footers of a .docx, one per line."""
    import docx

    document = docx.Document(str(path))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines += [cell.text for cell in row.cells]
    for section in document.sections:
        lines += [p.text for p in section.header.paragraphs]
        lines += [p.text for p in section.footer.paragraphs]
    lines += [document.core_properties.title or "", document.core_properties.subject or ""]
    return "\n".join(lines)


class _Visible(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("style", "script"):
            self._skip += 1
        for name, value in attrs:
            if name in ("aria-label", "title", "alt") and value:
                self.parts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def html_text(html: str) -> str:
    """The text a reader sees (and screen readers read) in an HTML page."""
    parser = _Visible()
    parser.feed(html)
    return "\n".join(parser.parts)
