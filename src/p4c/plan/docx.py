"""The plan as a Word document the regional authority reads and amends.

Built-in styles only (Title, Heading 1 for the Parts, Heading 2 per action, Table Grid), so
Word's navigation pane, its table of contents and the reader's own house style all work; the
document language is set on the styles so Word checks the spelling in the partner's language.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import TYPE_CHECKING, TypedDict, Unpack
from xml.sax.saxutils import escape

from p4c.io import atomic_path
from p4c.plan import view
from p4c.plan.model import PlanDocument
from p4c.plan.words import LANGUAGE_TAGS, text

if TYPE_CHECKING:
    from docx.document import Document

A4_MM = (210, 297)
MARGINS_MM = (20, 20, 22, 20)  # top, right, bottom, left
TABLE_STYLE = "Table Grid"
FACT_WIDTHS_MM = (50.0, 120.0)  # 170 mm of text width on A4 with 20 mm margins
NEEDS_WIDTHS_MM = (120.0, 50.0)
MONITORING_WIDTHS_MM = (12.0, 45.0, 35.0, 25.0, 35.0, 18.0)
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
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
    """The plan as a python-docx Document (not saved).

    The body is written as WordprocessingML text and parsed once: python-docx's object API looks
    styles up by name on every call, which made seven plans take seconds.
    """
    import docx
    from docx.oxml import parse_xml
    from docx.oxml.ns import qn

    document = docx.Document()
    lang = doc.language
    _page_setup(document)
    _set_language(document, LANGUAGE_TAGS[lang])
    _properties(document, doc)
    ids = _style_ids(document)
    body = _Body(ids, text("doc.not_set", lang))

    body.para(view.title_line(doc), style="Title")
    subtitle = view.subtitle_line(doc)
    if subtitle:
        body.para(subtitle, style="Subtitle")
    body.para(text("doc.for_authority", lang))
    body.para(view.generated_line(doc))
    if doc.draft:
        body.para(text("doc.draft_note", lang), bold=True, colour=DRAFT_RED)

    body.part(text("part1.title", lang))
    body.facts(view.partner_facts(doc))
    body.para(text("needs.title", lang), style="Heading 2")
    body.para(text("needs.intro", lang))
    bars = view.need_bars(doc)
    if bars:
        rows: list[list[str | None]] = []
        for bar in bars:
            full = round(max(0.0, min(bar.importance, 5.0)))
            rows.append([bar.label, f"{bar.shown}  {'■' * full}{'□' * (5 - full)}"])
        body.grid([text("needs.category", lang), text("needs.importance", lang)], rows, NEEDS_WIDTHS_MM)
    else:
        body.para(text("needs.empty", lang), placeholder=True)

    body.part(text("part2.title", lang))
    for fact in view.policy_facts(doc):
        body.para(fact.label, style="Heading 2")
        lines = [line.strip() for line in (fact.value or "").splitlines() if line.strip()]
        if not lines:
            body.para(None)
        for line in lines:
            body.para(line)

    body.part(text("part3.title", lang))
    body.para(text("actions.intro", lang))
    if not doc.actions:
        body.para(text("actions.empty", lang), placeholder=True)
    for number, action in enumerate(doc.actions, start=1):
        body.para(view.action_heading(number, action, doc), style="Heading 2")
        body.facts(view.action_facts(action, doc))

    body.part(text("part4.title", lang))
    body.para(text("monitoring.intro", lang))
    if doc.actions:
        body.grid(view.monitoring_header(doc), view.monitoring_rows(doc), MONITORING_WIDTHS_MM)
    else:
        body.para(text("actions.empty", lang), placeholder=True)

    element = document.element.body
    section = element.find(qn("w:sectPr"))
    for child in list(parse_xml(body.xml())):
        if section is not None:
            section.addprevious(child)
        else:
            element.append(child)
    if doc.draft:
        _draft_header(document, text("doc.draft", lang))
    return document


def _style_ids(document: Document) -> dict[str, str]:
    """Style name -> style id, read once from styles.xml."""
    from docx.oxml.ns import qn

    ids = {}
    for style in document.styles.element.iterfind(qn("w:style")):
        name = style.find(qn("w:name"))
        if name is not None:
            # styles.xml spells built-in names in lower case (`heading 1`); Word shows `Heading 1`
            ids[str(name.get(qn("w:val"))).lower()] = str(style.get(qn("w:styleId")))
    return ids


def _clean(value: str) -> str:
    """Text as XML allows it (partners paste control characters), escaped."""
    return escape(_ILLEGAL_XML.sub("", value))


class Look(TypedDict, total=False):
    """How a paragraph looks; a blank value shows `not set` as a placeholder (grey, italic)."""

    style: str | None  # a style name of the template (Title, Heading 1, ...)
    bold: bool
    colour: tuple[int, int, int] | None
    placeholder: bool  # grey and italic: a value the plan does not have yet
    page_break: bool  # the paragraph starts a page
    compact: bool  # table cells: no space before and after


class _Body:
    """WordprocessingML for the body, built as text."""

    def __init__(self, style_ids: dict[str, str], not_set: str) -> None:
        self.ids = style_ids
        self.not_set = not_set
        self.parts: list[str] = []

    def xml(self) -> str:
        from docx.oxml.ns import nsdecls

        return f"<w:body {nsdecls('w')}>{''.join(self.parts)}</w:body>"

    def para(self, value: str | None, **look: Unpack[Look]) -> None:
        self.parts.append(self._p(value, **look))

    def part(self, title: str) -> None:
        self.para(title, style="Heading 1", page_break=True)

    def _p(self, value: str | None, **look: Unpack[Look]) -> str:
        props = ""
        style = look.get("style")
        if style is not None:
            props += f'<w:pStyle w:val="{self.ids[style.lower()]}"/>'
        if look.get("page_break"):
            props += "<w:pageBreakBefore/>"
        if look.get("compact"):  # table cells: no space after the paragraph (Normal has 10 pt)
            props += '<w:spacing w:before="40" w:after="40"/>'
        ppr = f"<w:pPr>{props}</w:pPr>" if props else ""
        placeholder, colour = look.get("placeholder", False), look.get("colour")
        if value is None or not value.strip():
            value, placeholder = self.not_set, True
        if placeholder:
            colour = PLACEHOLDER_GREY
        rpr = ("<w:b/>" if look.get("bold") else "") + ("<w:i/>" if placeholder else "")
        if colour is not None:
            rpr += '<w:color w:val="{:02X}{:02X}{:02X}"/>'.format(*colour)
        run_props = f"<w:rPr>{rpr}</w:rPr>" if rpr else ""
        lines = value.split("\n")
        content = "<w:br/>".join(f'<w:t xml:space="preserve">{_clean(line)}</w:t>' for line in lines)
        return f"<w:p>{ppr}<w:r>{run_props}{content}</w:r></w:p>"

    def _table(self, rows: list[str], widths_mm: tuple[float, ...]) -> None:
        grid = "".join(f'<w:gridCol w:w="{_twips(w)}"/>' for w in widths_mm)
        look = (
            '<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="1" '
            'w:lastColumn="0" w:noHBand="0" w:noVBand="1"/>'
        )
        self.parts.append(
            f'<w:tbl><w:tblPr><w:tblStyle w:val="{self.ids[TABLE_STYLE.lower()]}"/>'
            f'<w:tblW w:w="0" w:type="auto"/>{look}</w:tblPr>'
            f"<w:tblGrid>{grid}</w:tblGrid>{''.join(rows)}</w:tbl>"
        )

    def _cell(self, value: str | None, width_mm: float, *, key: bool) -> str:
        shade = f'<w:shd w:val="clear" w:color="auto" w:fill="{KEY_FILL}"/>' if key else ""
        return (
            f'<w:tc><w:tcPr><w:tcW w:w="{_twips(width_mm)}" w:type="dxa"/>{shade}</w:tcPr>'
            f"{self._p(value, bold=key, compact=True)}</w:tc>"
        )

    def facts(self, facts: list[view.Fact]) -> None:
        """A two-column key/value table (rows never split across pages), then an empty paragraph."""
        rows = [
            f"<w:tr><w:trPr><w:cantSplit/></w:trPr>{self._cell(f.label, FACT_WIDTHS_MM[0], key=True)}"
            f"{self._cell(f.value, FACT_WIDTHS_MM[1], key=False)}</w:tr>"
            for f in facts
        ]
        self._table(rows, FACT_WIDTHS_MM)
        self.parts.append("<w:p/>")

    def grid(self, header: list[str], rows: list[list[str | None]], widths_mm: tuple[float, ...]) -> None:
        """A table with a bold, shaded header row that repeats on each page."""
        head = "".join(self._cell(h, w, key=True) for h, w in zip(header, widths_mm, strict=True))
        out = [f"<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>{head}</w:tr>"]
        for row in rows:
            cells = "".join(self._cell(v, w, key=False) for v, w in zip(row, widths_mm, strict=True))
            out.append(f"<w:tr><w:trPr><w:cantSplit/></w:trPr>{cells}</w:tr>")
        self._table(out, widths_mm)
        self.parts.append("<w:p/>")


def _twips(mm: float) -> int:
    return round(mm * 1440 / 25.4)


def _page_setup(document: Document) -> None:
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


def _colour(run: object, rgb: tuple[int, int, int]) -> None:
    from docx.shared import RGBColor

    run.font.color.rgb = RGBColor(*rgb)  # type: ignore[attr-defined]


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
