"""The Word plan reopened with python-docx, and converted to PDF by LibreOffice when it is installed."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from p4c.models import Language
from p4c.plan.docx import write_docx
from p4c.plan.model import Action, PlanDocument
from tests.plan.fixtures import GENERATED, plan

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
SOFFICE_TIMEOUT_S = 180


def _open(doc: PlanDocument, tmp_path: Path) -> object:
    import docx

    path = tmp_path / f"{doc.partner}_plan.docx"
    write_docx(doc, path)
    return docx.Document(str(path))


def _headings(document: object) -> list[tuple[str, str]]:
    return [
        (p.style.name, p.text)
        for p in document.paragraphs  # type: ignore[attr-defined]
        if p.style.name in ("Title", "Subtitle") or p.style.name.startswith("Heading")
    ]


def _cells(table: object) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]  # type: ignore[attr-defined]


def test_headings_use_the_built_in_styles(tmp_path: Path) -> None:
    document = _open(plan("en"), tmp_path)
    assert _headings(document) == [
        ("Title", "Recommendation plan – Brittany Development Agency"),
        ("Subtitle", "Brittany · FR"),
        ("Heading 1", "Part I – The partner and its region"),
        ("Heading 2", "Needs profile"),
        ("Heading 1", "Part II – Policy context"),
        ("Heading 2", "Policy instrument"),
        ("Heading 2", "Responsible authority"),
        ("Heading 2", "Context"),
        ("Heading 2", "Objectives"),
        ("Heading 1", "Part III – Actions"),
        ("Heading 2", "1. Open a digital lab"),
        ("Heading 2", "2. Export club"),
        ("Heading 1", "Part IV – Monitoring"),
    ]
    parts = [p for p in document.paragraphs if p.style.name == "Heading 1"]  # type: ignore[attr-defined]
    assert all(p.paragraph_format.page_break_before for p in parts)
    # the outline level comes from the built-in style, which is what the navigation pane reads
    assert document.styles["Heading 2"].element.pPr.find(f"{W}outlineLvl").get(f"{W}val") == "1"  # type: ignore[attr-defined]


def test_tables_hold_the_facts(tmp_path: Path) -> None:
    document = _open(plan("en"), tmp_path)
    tables = document.tables  # type: ignore[attr-defined]
    assert len(tables) == 5  # partner, needs, two actions, monitoring
    assert all(t.style.name == "Table Grid" for t in tables)
    assert _cells(tables[0]) == [
        ["Partner", "FR"],
        ["Organisation", "Brittany Development Agency"],
        ["Region", "Brittany"],
        ["Cluster initiatives", "12"],
        ["Contact", "contact@example.org"],
    ]
    assert _cells(tables[1]) == [
        ["Category", "Importance"],
        ["Skills and training", "5  ■■■■■"],
        ["Internationalisation", "4  ■■■■□"],
        ["Innovation support", "2  ■■□□□"],
    ]
    assert _cells(tables[2]) == [
        ["Practice", "Digital lab (DE DE-01)"],
        ["Evidence", "18 pilots"],
        ["Tests done / successes", "2 / 2"],
        ["Our test", "done, adopted as is"],
        ["Participants' satisfaction", "4.2 / 5"],
        ["Change of the tests' indicators", "+50%"],
        ["Verdict", "Transferable"],
        ["Description", "A lab copied from Germany."],
        ["Players", "Agency, two clusters"],
        ["Timeframe", "7 March 2026 – 31 December 2027"],
        ["Cost", "€12,345.50"],
        ["Funding source", "ERDF"],
        ["Indicator", "SMEs served"],
        ["Target", "40 SMEs"],
        ["Status", "Ongoing"],
    ]
    assert _cells(tables[3]) == [
        ["Description", "not yet set"],
        ["Players", "Chamber of commerce"],
        ["Timeframe", "1 September 2026 – 30 June 2027"],
        ["Cost", "not yet set"],
        ["Funding source", "not yet set"],
        ["Indicator", "Export contracts"],
        ["Target", "10"],
        ["Status", "Dropped"],
        ["Reason", "No budget this year"],
    ]
    assert _cells(tables[4]) == [
        ["No.", "Action", "Indicator", "Target", "Timeframe", "Status"],
        ["1", "Open a digital lab", "SMEs served", "40 SMEs", "7 March 2026 – 31 December 2027", "Ongoing"],
        ["2", "Export club", "Export contracts", "10", "1 September 2026 – 30 June 2027", "Dropped"],
    ]
    header = tables[4].rows[0]._tr.trPr
    assert header.find(f"{W}tblHeader") is not None  # repeated on each page
    assert all(r._tr.trPr.find(f"{W}cantSplit") is not None for t in tables for r in t.rows)


@pytest.mark.parametrize(("lang", "tag"), [("en", "en-GB"), ("fr", "fr-FR"), ("de", "de-DE")])
def test_language_on_the_styles_and_properties(lang: Language, tag: str, tmp_path: Path) -> None:
    document = _open(plan(lang), tmp_path)
    styles = document.styles.element  # type: ignore[attr-defined]
    langs = [e.get(f"{W}val") for e in styles.iter(f"{W}lang")]
    assert langs and set(langs) == {tag}
    default = styles.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}lang")
    assert default.get(f"{W}val") == tag
    for name in ("Normal", "Title", "Heading 1", "Heading 2"):
        assert document.styles[name].element.rPr.find(f"{W}lang").get(f"{W}val") == tag  # type: ignore[attr-defined]
    props = document.core_properties  # type: ignore[attr-defined]
    assert props.language == tag
    assert (
        props.title
        == {
            "en": "Recommendation plan – Brittany Development Agency",
            "fr": "Plan de recommandations – Agence de développement de Bretagne",
            "de": "Empfehlungsplan – Wirtschaftsförderung Sachsen",
        }[lang]
    )


def test_a4_portrait(tmp_path: Path) -> None:
    section = _open(plan("de"), tmp_path).sections[0]  # type: ignore[attr-defined]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert round(section.left_margin.mm) == 20 and round(section.top_margin.mm) == 20


@pytest.mark.parametrize(("lang", "mark"), [("en", "DRAFT"), ("fr", "BROUILLON"), ("de", "ENTWURF")])
def test_draft_mark_in_the_header_of_every_page(lang: Language, mark: str, tmp_path: Path) -> None:
    document = _open(plan(lang, draft=True), tmp_path)
    for section in document.sections:  # type: ignore[attr-defined]
        assert not section.different_first_page_header_footer
        assert [p.text for p in section.header.paragraphs] == [mark]
    final = _open(plan(lang), tmp_path)
    assert all(p.text == "" for s in final.sections for p in s.header.paragraphs)  # type: ignore[attr-defined]


def test_a_draft_without_anything_set(tmp_path: Path) -> None:
    bare = PlanDocument(partner="MT", language="fr", draft=True, generated=GENERATED, actions=(Action(),))
    document = _open(bare, tmp_path)
    assert ("Heading 2", "1. Action sans titre") in _headings(document)
    assert _cells(document.tables[-1])[1] == [
        "1",
        "Action sans titre",
        "pas encore renseigné",  # type: ignore[attr-defined]
        "pas encore renseigné",
        "pas encore renseigné",
        "Prévue",
    ]
    assert "Aucun besoin indiqué." in [p.text for p in document.paragraphs]  # type: ignore[attr-defined]


def test_written_atomically(tmp_path: Path) -> None:
    path = tmp_path / "plans" / "FR_plan.docx"
    write_docx(plan("en"), path)
    write_docx(plan("fr"), path)  # replaces
    assert sorted(p.name for p in path.parent.iterdir()) == ["FR_plan.docx"]


def test_libreoffice_converts_it_to_pdf(tmp_path: Path) -> None:
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip(
            "LibreOffice is not installed (no `soffice` on PATH): the PDF conversion of the "
            ".docx is not checked; install the Debian package libreoffice-writer to run it"
        )
    source = tmp_path / "FR_plan.docx"
    write_docx(plan("fr", draft=True), source)
    out = tmp_path / "pdf"
    profile = (tmp_path / "lo-profile").as_uri()
    command = [
        soffice,
        f"-env:UserInstallation={profile}",
        "--headless",
        "--norestore",
        "--convert-to",
        "pdf",
        "--outdir",
        str(out),
        str(source),
    ]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=SOFFICE_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired:
        pytest.fail(f"LibreOffice did not finish within {SOFFICE_TIMEOUT_S} s: {' '.join(command)}")
    assert done.returncode == 0, f"soffice exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    pdf = out / "FR_plan.pdf"
    assert pdf.is_file(), f"no PDF written:\n{done.stdout}\n{done.stderr}"
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page\b(?!s)", data))
    assert pages >= 5, f"{pages} pages: a cover and the four parts each on a new page"
