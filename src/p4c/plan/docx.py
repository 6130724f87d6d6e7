"""The plan as a Word document the regional authority reads and amends.

Built-in styles only (Title, Heading 1 for the Parts, Heading 2 per action, Table Grid), so
Word's navigation pane, its table of contents and the reader's own house style all work; the
document language is set on the styles so Word checks the spelling in the partner's language.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from p4c.io import atomic_path
from p4c.plan import view
from p4c.plan.model import PlanDocument
from p4c.plan.words import LANGUAGE_TAGS, text

if TYPE_CHECKING:
    from docx.document import Document
    from docx.table import Table
    from docx.text.paragraph import Paragraph

A4_MM = (210, 297)
MARGINS_MM = (20, 20, 22, 20)  # top, right, bottom, left
TABLE_STYLE = "Table Grid"
KEY_FILL = "DDEBF7"
PLACEHOLDER_GREY = (0x61, 0x6E, 0x7C)
DRAFT_RED = (0xC5, 0x30, 0x30)
# The styles whose language is set explicitly (docDefaults covers the rest).
LANGUAGE_STYLES = ("Normal", "Title", "Subtitle", "Heading 1", "Heading 2", "Header", "Footer")


def write_docx(doc: PlanDocument, path: Path) -> None:
    """Write the plan to `path` atomically (a temporary file beside it, then os.replace)."""
    document = build_docx(doc)
    with atomic_path(path) as tmp:
        document.save(str(tmp))


def build_docx(doc: PlanDocument) -> Document:
    """The plan as a python-docx Document (not saved)."""
    import docx

    document = docx.Document()
    lang = doc.language
    _page_setup(document, doc)
    _set_language(document, LANGUAGE_TAGS[lang])
    _properties(document, doc)

    document.add_paragraph(view.title_line(doc), style="Title")
    subtitle = view.subtitle_line(doc)
    if subtitle:
        document.add_paragraph(subtitle, style="Subtitle")
    document.add_paragraph(text("doc.for_authority", lang))
    document.add_paragraph(view.generated_line(doc))
    if doc.draft:
        note = document.add_paragraph()
        run = note.add_run(text("doc.draft_note", lang))
        run.bold = True
        _colour(run, DRAFT_RED)

    _part(document, text("part1.title", lang))
    _facts_table(document, view.partner_facts(doc), doc)
    document.add_heading(text("needs.title", lang), level=2)
    document.add_paragraph(text("needs.intro", lang))
    bars = view.need_bars(doc)
    if bars:
        table = _grid(document, [text("needs.category", lang), text("needs.importance", lang)])
        for bar in bars:
            cells = _add_row(table)
            cells[0].text = bar.label
            cells[1].text = f"{bar.shown}  {'■' * round(bar.importance)}{'□' * (5 - round(bar.importance))}"
        _keep_rows(table)
    else:
        document.add_paragraph(text("needs.empty", lang))

    _part(document, text("part2.title", lang))
    for fact in view.policy_facts(doc):
        document.add_heading(fact.label, level=2)
        _paragraphs(document, fact.value, doc)

    _part(document, text("part3.title", lang))
    document.add_paragraph(text("actions.intro", lang))
    if not doc.actions:
        _placeholder(document.add_paragraph(), text("actions.empty", lang))
    for number, action in enumerate(doc.actions, start=1):
        document.add_heading(view.action_heading(number, action, doc), level=2)
        _facts_table(document, view.action_facts(action, doc), doc)

    _part(document, text("part4.title", lang))
    document.add_paragraph(text("monitoring.intro", lang))
    if doc.actions:
        table = _grid(document, view.monitoring_header(doc))
        for row in view.monitoring_rows(doc):
            cells = _add_row(table)
            for cell, value in zip(cells, row, strict=True):
                _cell(cell.paragraphs[0], value, doc)
        _keep_rows(table)
    else:
        _placeholder(document.add_paragraph(), text("actions.empty", lang))

    if doc.draft:
        _draft_header(document, text("doc.draft", lang))
    return document


def _add_row(table: Table) -> tuple[Any, ...]:
    """The cells of a new row (python-docx leaves `add_row` untyped)."""
    return tuple(table.add_row().cells)  # type: ignore[no-untyped-call]


def _page_setup(document: Document, doc: PlanDocument) -> None:
    from docx.enum.section import WD_ORIENT
    from docx.shared import Mm

    for section in document.sections:
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(A4_MM[0]), Mm(A4_MM[1])
        top, right, bottom, left = MARGINS_MM
        section.top_margin, section.right_margin = Mm(top), Mm(right)
        section.bottom_margin, section.left_margin = Mm(bottom), Mm(left)


def _set_language(document: Document, tag: str) -> None:
    """w:lang on the document defaults and on every style the plan uses."""
    from docx.oxml.ns import qn
    from docx.oxml.parser import OxmlElement

    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    targets = []
    if defaults is not None:
        r_pr = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}")
        if r_pr is not None:
            targets.append(r_pr)
    for name in LANGUAGE_STYLES:
        style = document.styles[name]
        targets.append(style.element.get_or_add_rPr())
    for r_pr in targets:
        lang = r_pr.find(qn("w:lang"))
        if lang is None:
            lang = OxmlElement("w:lang")
            r_pr.append(lang)
        lang.set(qn("w:val"), tag)
        lang.set(qn("w:eastAsia"), tag)


def _properties(document: Document, doc: PlanDocument) -> None:
    props = document.core_properties
    props.title = view.title_line(doc)
    props.subject = text("doc.for_authority", doc.language)
    props.language = LANGUAGE_TAGS[doc.language]
    props.author = doc.organisation or doc.partner
    props.keywords = f"p4c; {doc.partner}"
    stamp = dt.datetime.combine(doc.generated, dt.time())
    props.created = stamp
    props.modified = stamp
    props.last_modified_by = "p4c"
    props.revision = 1


def _part(document: Document, title: str) -> None:
    heading = document.add_heading(title, level=1)
    heading.paragraph_format.page_break_before = True


def _grid(document: Document, header: list[str]) -> Table:
    """A Table Grid table with a bold header row that repeats on each page."""
    from docx.oxml.ns import qn
    from docx.oxml.parser import OxmlElement

    table = document.add_table(rows=1, cols=len(header))
    table.style = document.styles[TABLE_STYLE]
    row = table.rows[0]
    for cell, label in zip(row.cells, header, strict=True):
        run = cell.paragraphs[0].add_run(label)
        run.bold = True
        _shade(cell, KEY_FILL)
    tr_pr = row._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    tr_pr.append(repeat)
    return cast("Table", table)


def _facts_table(document: Document, facts: list[view.Fact], doc: PlanDocument) -> None:
    """A two-column key/value table; unset values show the placeholder."""
    from docx.shared import Mm

    table = document.add_table(rows=0, cols=2)
    table.style = document.styles[TABLE_STYLE]
    for fact in facts:
        cells = _add_row(table)
        run = cells[0].paragraphs[0].add_run(fact.label)
        run.bold = True
        _shade(cells[0], KEY_FILL)
        _cell(cells[1].paragraphs[0], fact.value, doc)
    widths = (Mm(50), Mm(120))
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width
    _keep_rows(table)
    document.add_paragraph()


def _cell(paragraph: Paragraph, value: str | None, doc: PlanDocument) -> None:
    if value is None or not value.strip():
        _placeholder(paragraph, text("doc.not_set", doc.language))
    else:
        paragraph.add_run(value)


def _paragraphs(document: Document, value: str | None, doc: PlanDocument) -> None:
    if value is None or not value.strip():
        _placeholder(document.add_paragraph(), text("doc.not_set", doc.language))
        return
    for line in value.strip().splitlines():
        if line.strip():
            document.add_paragraph(line.strip())


def _placeholder(paragraph: Paragraph, words: str) -> None:
    run = paragraph.add_run(words)
    run.italic = True
    _colour(run, PLACEHOLDER_GREY)


def _colour(run: object, rgb: tuple[int, int, int]) -> None:
    from docx.shared import RGBColor

    run.font.color.rgb = RGBColor(*rgb)  # type: ignore[attr-defined]


def _shade(cell: object, fill: str) -> None:
    from docx.oxml.ns import qn
    from docx.oxml.parser import OxmlElement

    tc_pr = cell._tc.get_or_add_tcPr()  # type: ignore[attr-defined]
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    tc_pr.append(shading)


def _keep_rows(table: Table) -> None:
    """A row is never split across two pages."""
    from docx.oxml.ns import qn
    from docx.oxml.parser import OxmlElement

    for row in table.rows:
        tr_pr = row._tr.get_or_add_trPr()
        if tr_pr.find(qn("w:cantSplit")) is None:
            tr_pr.insert(0, OxmlElement("w:cantSplit"))


def _draft_header(document: Document, mark: str) -> None:
    """The DRAFT mark in the header of every page (one section: its default header)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    for section in document.sections:
        section.different_first_page_header_footer = False
        header = section.header
        header.is_linked_to_previous = False
        paragraph = header.paragraphs[0] if header.paragraphs else header.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = paragraph.add_run(mark)
        run.bold = True
        run.font.size = Pt(14)
        _colour(run, DRAFT_RED)
