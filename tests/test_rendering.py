"""The workbooks as LibreOffice prints them: readable, no overlapping text, every column on the page.

Each workbook is converted to PDF with LibreOffice headless (a private profile), then read back with
poppler's `pdftotext -bbox-layout`: the text lines and their boxes on each page. The tests skip, and
say why, where LibreOffice or poppler-utils is missing (CI installs both: .ci/install-browser.sh).
"""

from __future__ import annotations

import re
import shutil
import statistics
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import pytest

from p4c.config import Config, Project
from p4c.rank import RankOptions, rank, write_ranking
from p4c.shortlist import ShortlistOptions, shortlist, write_shortlist
from p4c.template import WORDS, instruction_lines, template
from tests.rank_data import CONFIG as RANK_CONFIG
from tests.rank_data import partners_frame, random_services
from tests.shortlist_data import AS_OF, frames, no_needs, partnership
from tests.shortlist_data import CONFIG as SHORTLIST_CONFIG

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
PDFTOTEXT = shutil.which("pdftotext")
needs_libreoffice = pytest.mark.skipif(
    SOFFICE is None or PDFTOTEXT is None,
    reason=(
        "LibreOffice is not installed (apt-get install libreoffice-calc-nogui)"
        if SOFFICE is None
        else "pdftotext is not installed (apt-get install poppler-utils)"
    )
    + ": the printed rendering of the workbooks is not checked",
)
NS = "{http://www.w3.org/1999/xhtml}"


@dataclass(frozen=True)
class Line:
    x0: float
    y0: float
    x1: float
    y1: float
    text: str


@dataclass(frozen=True)
class Page:
    width: float
    height: float
    lines: list[Line]

    @property
    def text(self) -> str:
        return " ".join(line.text for line in self.lines)


@pytest.fixture(scope="module")
def profile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One LibreOffice profile for the module: its first start is the slow part."""
    return tmp_path_factory.mktemp("lo-profile")


def render(xlsx: Path, profile: Path) -> list[Page]:
    """The PDF pages LibreOffice prints for `xlsx`, as text lines with their boxes (points)."""
    assert SOFFICE is not None and PDFTOTEXT is not None
    out = xlsx.parent / "pdf"
    out.mkdir(exist_ok=True)
    subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            str(xlsx),
        ],
        check=True,
        capture_output=True,
        timeout=240,
    )
    pdf = out / (xlsx.stem + ".pdf")
    assert pdf.is_file(), f"LibreOffice wrote no PDF for {xlsx.name}"
    boxes = out / (xlsx.stem + ".html")
    subprocess.run([PDFTOTEXT, "-bbox-layout", str(pdf), str(boxes)], check=True, timeout=120)
    root = ET.parse(boxes).getroot()
    pages = []
    for page in root.iter(f"{NS}page"):
        lines = []
        for line in page.iter(f"{NS}line"):
            words = [w.text or "" for w in line.iter(f"{NS}word")]
            box = [float(line.attrib[k]) for k in ("xMin", "yMin", "xMax", "yMax")]
            lines.append(Line(*box, " ".join(words)))
        pages.append(Page(float(page.attrib["width"]), float(page.attrib["height"]), lines))
    return pages


def overlaps(page: Page) -> list[tuple[str, str]]:
    """Pairs of text lines drawn over each other: their boxes share more than a third of a line's
    height and some width (two lines set close together only touch at descenders and accents)."""
    found = []
    lines = sorted(page.lines, key=lambda line: line.y0)
    for i, a in enumerate(lines):
        for b in lines[i + 1 :]:
            if b.y0 >= a.y1:
                break
            shared_height = min(a.y1, b.y1) - max(a.y0, b.y0)
            shared_width = min(a.x1, b.x1) - max(a.x0, b.x0)
            if shared_width > 1 and shared_height > min(a.y1 - a.y0, b.y1 - b.y0) / 3:
                found.append((a.text, b.text))
    return found


def words(text: str) -> str:
    """Text as a plain word sequence: how it reads whatever the line breaks."""
    return " ".join(re.findall(r"\S+", text))


def assert_readable(pages: list[Page]) -> None:
    assert pages, "nothing was printed"
    for number, page in enumerate(pages, start=1):
        assert page.width > page.height, f"page {number} is not landscape"
        assert overlaps(page) == [], f"overlapping text on page {number}"
        outside = [line.text for line in page.lines if line.x0 < 0 or line.x1 > page.width + 0.5]
        assert outside == [], f"text past the edge of page {number}"


def has_header(page: Page, header: str) -> bool:
    """Every word of `header` is on the page (a wrapped header may break at a space or a hyphen)."""
    printed = set(re.split(r"[\s-]+", page.text))
    return all(part in printed for part in re.split(r"[\s-]+", header) if part)


def sheet_pages(pages: list[Page], sheet: str) -> list[Page]:
    """The pages of one sheet: those whose page header (top left, in the margin) is its name."""
    return [
        page
        for page in pages
        if any(line.text == sheet and line.y1 < 0.1 * page.height for line in page.lines)
    ]


# --- the partner template ---------------------------------------------------------------------------


@needs_libreoffice
@pytest.mark.parametrize("lang", ["en", "fr", "de"])
def test_template_prints_readably(tmp_path: Path, config: Config, profile: Path, lang: str) -> None:
    path = template(config, tmp_path / f"template_{lang}.xlsx", lang=lang)  # type: ignore[arg-type]
    pages = render(path, profile)
    assert_readable(pages)
    everything = words(" ".join(page.text for page in pages))
    # Every instruction is printed in full: nothing cut at the right edge or under the next row.
    missing = [line for line in instruction_lines(config, lang) if words(line) not in everything]  # type: ignore[arg-type]
    assert missing == []
    # The Services sheet is one page wide: every page of it has the first and the last header.
    services = sheet_pages(pages, WORDS[lang].sheets["Services"])
    assert services, "the Services sheet is not printed"
    first = WORDS[lang].columns["service_id"]
    last = config.score_criteria[-1].text(lang)
    assert all(has_header(page, first) and has_header(page, last) for page in services)
    assert len(pages) <= 12  # Instructions, Partner, Services (300 prepared rows), Needs


# --- the ranking and the shared Excel writer --------------------------------------------------------


@needs_libreoffice
def test_ranking_prints_one_page_wide(tmp_path: Path, profile: Path) -> None:
    result = rank(random_services(40, 3), partners_frame(), RANK_CONFIG, RankOptions(stability=True))
    path = tmp_path / "ranking.xlsx"
    write_ranking(result, path, config=RANK_CONFIG)
    pages = render(path, profile)
    assert_readable(pages)
    ranking = sheet_pages(pages, "Ranking")
    assert ranking, "the Ranking sheet is not printed"
    last_criterion = RANK_CONFIG.criteria[-1].text("en")
    for page in ranking:  # the header row is repeated, and every column is on the page
        assert has_header(page, "Service ID") and has_header(page, last_criterion)
    # Still legible once fitted: a 11 pt line is at least 5.5 pt tall on paper (a scale of 40 % or more).
    heights = [line.y1 - line.y0 for page in ranking for line in page.lines]
    assert statistics.median(heights) >= 5.5
    # 40 services, weights, stability and the Columns sheet: one page each, not 24 pages of 3 columns.
    assert len(pages) == 4


@needs_libreoffice
def test_shortlist_prints_one_page_wide(tmp_path: Path, profile: Path) -> None:
    services, partners, ranking = frames(partnership())
    result = shortlist(
        ranking, services, partners, no_needs(), SHORTLIST_CONFIG, ShortlistOptions(as_of=AS_OF)
    )
    path = write_shortlist(result, tmp_path, config=SHORTLIST_CONFIG, lang="de")[3]
    pages = render(path, profile)
    assert_readable(pages)
    for sheet, first, last in [
        ("Auswahl", "Partner", "Rang"),
        ("Kandidaten", "Partner", "Gründe"),
        ("Feldtests", "Partner", "Passung"),
    ]:
        printed = sheet_pages(pages, sheet)
        assert printed, f"{sheet} is not printed"
        assert all(has_header(page, first) and has_header(page, last) for page in printed), sheet


# --- what the Excel outputs hold (no LibreOffice needed) ------------------------------------------


@pytest.mark.parametrize(
    ("lang", "sheets", "headers"),
    [
        (
            "en",
            ["Ranking", "Weights", "Weight stability", "Columns"],
            ["Rank", "Partner", "Service ID", "Title", "Category", "Category (label)", "Score"],
        ),
        (
            "fr",
            ["Classement", "Poids", "Stabilité des poids", "Colonnes"],
            ["Rang", "Partenaire", "Identifiant", "Intitulé", "Catégorie", "Catégorie (libellé)", "Score"],
        ),
    ],
)
def test_ranking_xlsx_has_human_headers_labels_beside_codes_and_the_ids(
    tmp_path: Path, lang: str, sheets: list[str], headers: list[str]
) -> None:
    import openpyxl

    from p4c.headers import read_xlsx_ids

    result = rank(random_services(12, 5), partners_frame(), RANK_CONFIG, RankOptions(stability=True))
    path = tmp_path / "ranking.xlsx"
    write_ranking(result, path, config=RANK_CONFIG, lang=lang)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == sheets
    sheet = book[sheets[0]]
    row1 = [c.value for c in sheet[1]]
    assert row1[:7] == headers
    ids = [c.id for c in RANK_CONFIG.criteria]
    assert row1[row1.index(headers[-1]) + 3 : row1.index(headers[-1]) + 3 + len(ids)] == [
        c.text(lang) for c in RANK_CONFIG.criteria
    ]
    labels = {c.code: c.text(lang) for c in RANK_CONFIG.categories}
    codes = [sheet.cell(row=r, column=5).value for r in range(2, 14)]
    assert [sheet.cell(row=r, column=6).value for r in range(2, 14)] == [labels[c] for c in codes]
    weights = [[c.value for c in row] for row in book[sheets[1]].iter_rows(min_row=2)]
    assert [w[:2] for w in weights] == [[c.id, c.text(lang)] for c in RANK_CONFIG.criteria]
    back = read_xlsx_ids(path, sheets[0])  # the machine ids, as the CSV has them
    expected = list(result.table.columns)
    expected.insert(expected.index("category") + 1, "category_label")
    assert list(back.columns) == expected
    assert back["service_id"].tolist() == result.table["service_id"].tolist()
    assert sheet.page_setup.orientation == "landscape" and sheet.print_title_rows == "$1:$1"


def test_shortlist_xlsx_has_human_headers_and_category_labels(tmp_path: Path) -> None:
    import openpyxl

    services, partners, ranking = frames(partnership())
    result = shortlist(
        ranking, services, partners, no_needs(), SHORTLIST_CONFIG, ShortlistOptions(as_of=AS_OF)
    )
    path = write_shortlist(result, tmp_path, config=SHORTLIST_CONFIG, lang="fr")[3]
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Sélection", "Tests terrain", "Plan", "Candidats", "Remarques", "Colonnes"]
    chosen = book["Sélection"]
    assert [c.value for c in chosen[1]] == [
        "Partenaire",
        "Identifiant",
        "Intitulé",
        "Catégorie",
        "Catégorie (libellé)",
        "Score",
        "Rang",
    ]
    labels = {c.code: c.text("fr") for c in SHORTLIST_CONFIG.categories}
    rows = [[c.value for c in row] for row in chosen.iter_rows(min_row=2)]
    assert [r[4] for r in rows] == [labels[r[3]] for r in rows]
    assert [r[3] for r in rows] == result.shortlist["category"].tolist()
    plan = [c.value for c in book["Plan"][1]]
    assert plan[:3] == ["Partenaire", "BE BE0", "BE BE1"]  # practices keep their names
    assert [c.value for c in book["Candidats"][1]][-3:] == ["Bonne pratique", "Retenue", "Motifs"]
    for sheet in book.worksheets:
        assert sheet.page_setup.orientation == "landscape", sheet.title
        assert sheet.print_title_rows == "$1:$1", sheet.title


# --- the command line: --lang for the Excel outputs, the template's sheet names -----------------------


def test_rank_and_shortlist_take_lang_for_their_xlsx(project: Project) -> None:
    import openpyxl
    from typer.testing import CliRunner

    from p4c.cli import app
    from tests import test_shortlist_cli

    test_shortlist_cli.store(project, partnership())
    root = ["--project", str(project.root)]
    ranked = CliRunner().invoke(app, [*root, "rank", "--lang", "de"])
    assert ranked.exit_code == 0, ranked.output
    book = openpyxl.load_workbook(project.processed_dir / "ranking.xlsx")
    assert book.sheetnames == ["Rangliste", "Gewichte", "Spalten"]
    header = [c.value for c in book["Rangliste"][1]]
    assert header[:6] == ["Rang", "Partner", "Kennung", "Titel", "Kategorie", "Kategorie (Bezeichnung)"]
    config = project.load_config()
    labels = {c.code: c.text("de") for c in config.categories}
    rows = [[c.value for c in row] for row in book["Rangliste"].iter_rows(min_row=2)]
    assert [r[5] for r in rows] == [labels[r[4]] for r in rows]
    chosen = CliRunner().invoke(app, [*root, "shortlist", "--lang", "fr", "--as-of", "2025-06-30"])
    assert chosen.exit_code == 0, chosen.output
    book = openpyxl.load_workbook(project.processed_dir / "shortlist.xlsx")
    assert book.sheetnames == ["Sélection", "Tests terrain", "Plan", "Candidats", "Remarques", "Colonnes"]
    assert [c.value for c in book["Sélection"][1]][3:5] == ["Catégorie", "Catégorie (libellé)"]


def test_template_message_names_the_sheets_in_the_language(project: Project, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from p4c.cli import app

    target = tmp_path / "de.xlsx"
    args = ["--project", str(project.root), "template", "--lang", "de", "-o", str(target)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "sheets Anleitung, Partner, Leistungen, Bedarf." in " ".join(result.stdout.split())
