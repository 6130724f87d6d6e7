"""The HTML plan: self-contained, escaped, readable on a phone, printable (headless Chromium)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from p4c.plan.html import BAR_MAX, render_html
from p4c.plan.model import Action, PlanDocument
from tests.plan.fixtures import GENERATED, plan
from tests.plan.textcheck import html_text
from tests.shared import chromium_path, run_chromium

HOSTILE_ORG = "<script>alert('org')</script>"
HOSTILE_TITLE = '"><img src=x onerror=alert(1)>'
HOSTILE_LABEL = "</text><script>alert(2)</script>"


def _hostile() -> PlanDocument:
    doc = plan("en", draft=True)
    first = doc.actions[0].model_copy(update={"title": HOSTILE_TITLE, "players": "A & B <b>bold</b>"})
    return doc.model_copy(
        update={
            "organisation": HOSTILE_ORG,
            "actions": (first, *doc.actions[1:]),
            "category_labels": {**doc.category_labels, "SKILLS": HOSTILE_LABEL},
        }
    )


def test_self_contained() -> None:
    for doc in (plan("en"), plan("fr", draft=True), _hostile()):
        page = render_html(doc)
        assert "http://" not in page and "https://" not in page
        assert re.findall(r"\bsrc\s*=", page.replace("src=x", "")) == []
        assert set(re.findall(r'href="([^"]*)"', page)) <= {
            "#part1",
            "#part2",
            "#part3",
            "#part4",
            "#action-1",
            "#action-2",
        }
        for banned in ("<script", "<link", "<img", "<iframe", "<object", "@import", "url(", "@font-face"):
            assert banned not in page.lower(), banned


def test_hostile_text_is_text() -> None:
    page = render_html(_hostile())
    assert "&lt;script&gt;alert(&#39;org&#39;)&lt;/script&gt;" in page
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in page
    assert "&lt;/text&gt;&lt;script&gt;alert(2)&lt;/script&gt;" in page  # inside the SVG too
    assert "A &amp; B &lt;b&gt;bold&lt;/b&gt;" in page
    visible = html_text(page)
    for raw in (HOSTILE_ORG, HOSTILE_TITLE, HOSTILE_LABEL, "A & B <b>bold</b>"):
        assert raw in visible


def test_structure_and_language() -> None:
    page = render_html(plan("de", draft=True))
    assert page.startswith("<!DOCTYPE html>")
    assert '<html lang="de-DE">' in page
    assert re.findall(r"<h2>(.*?)</h2>", page) == [
        "Teil I – Der Partner und seine Region",
        "Teil II – Politischer Kontext",
        "Teil III – Maßnahmen",
        "Teil IV – Monitoring",
    ]
    assert re.findall(r'<section id="(part\d)" class="part">', page) == ["part1", "part2", "part3", "part4"]
    assert page.count('class="draft-mark"') == 1 and "ENTWURF" in page
    assert 'class="draft-mark"' not in render_html(plan("de"))
    assert "@page { size: A4 portrait" in page
    assert "break-before: page" in page


def test_needs_chart_bars_are_proportional() -> None:
    page = render_html(plan("en"))
    svg = re.search(r"<svg[^>]*>.*?</svg>", page, re.S)
    assert svg is not None
    widths = [float(w) for w in re.findall(r'<rect class="bar"[^>]*width="([\d.]+)"', svg.group(0))]
    assert widths == [BAR_MAX * 5 / 5, BAR_MAX * 4 / 5, BAR_MAX * 2 / 5]
    labels = re.findall(r'<text class="label"[^>]*>(.*?)</text>', svg.group(0))
    assert labels == ["Skills and training", "Internationalisation", "Innovation support"]
    assert re.findall(r'<text class="value"[^>]*>(.*?)</text>', svg.group(0)) == ["5", "4", "2"]
    assert 'role="img" aria-label="Needs profile"' in svg.group(0)


def test_part_four_indicator_table() -> None:
    page = render_html(plan("fr"))
    table = re.search(r'<table class="monitoring">.*?</table>', page, re.S)
    assert table is not None
    cells = [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", table.group(0))]
    assert cells == [
        "N°",
        "Action",
        "Indicateur",
        "Cible",
        "Calendrier",
        "Statut",
        "1",
        "Ouvrir un laboratoire numérique",
        "PME accompagnées",
        "40 PME",
        "7 mars 2026 – 31 décembre 2027",
        "En cours",
        "2",
        "Club export",
        "Contrats à l&#39;export",
        "10",
        "1 septembre 2026 – 30 juin 2027",
        "Abandonnée",
    ]


def test_placeholders_when_nothing_is_set() -> None:
    page = render_html(
        PlanDocument(partner="MT", language="de", draft=True, generated=GENERATED, actions=(Action(),))
    )
    visible = html_text(page)
    assert "noch nicht festgelegt" in visible and "Kein Bedarf angegeben." in visible
    assert "<svg" not in page


# --- in a browser ----------------------------------------------------------------------------------


@pytest.fixture
def page_file(tmp_path: Path) -> Path:
    path = tmp_path / "FR_plan.html"
    path.write_text(render_html(_hostile()), encoding="utf-8")
    return path


def test_screenshot_is_not_blank(page_file: Path, tmp_path: Path) -> None:
    import numpy as np
    from matplotlib import image

    shot = tmp_path / "plan.png"
    run_chromium(
        chromium_path(), tmp_path, f"--screenshot={shot}", "--window-size=1000,1400", page_file.as_uri()
    )
    pixels = image.imread(shot)
    assert pixels.shape[:2] == (1400, 1000)
    rgb = np.round(pixels[..., :3] * 255).astype(np.uint8).reshape(-1, 3)
    assert len(np.unique(rgb, axis=0)) > 100, "the page looks blank"
    assert float((rgb.min(axis=1) < 235).mean()) > 0.03


def test_prints_each_part_on_its_own_page(page_file: Path, tmp_path: Path) -> None:
    pdf = tmp_path / "plan.pdf"
    run_chromium(
        chromium_path(), tmp_path, f"--print-to-pdf={pdf}", "--no-pdf-header-footer", page_file.as_uri()
    )
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page\b(?!s)", data))
    assert pages >= 5, f"{pages} pages: a cover and the four parts each on a new page"
    # A4 portrait: 595 x 842 points
    boxes = {
        tuple(round(float(v)) for v in m)
        for m in re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", data)
    }
    assert boxes == {(595, 842)}


@pytest.fixture
def browser_page(page_file: Path) -> Iterator[Any]:
    """A Playwright page on the system Chromium (skipped when either is missing)."""
    pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    from playwright.sync_api import Error, sync_playwright

    executable = chromium_path()
    with sync_playwright() as pw:
        try:
            browser = pw.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        except Error as exc:
            pytest.skip(f"Playwright cannot start {executable}: {exc}")
        try:
            yield browser.new_page(viewport={"width": 390, "height": 844})
        finally:
            browser.close()


def test_in_a_browser_on_a_phone(browser_page: Any, page_file: Path) -> None:
    requests: list[str] = []
    browser_page.on("request", lambda r: requests.append(r.url))
    browser_page.goto(page_file.as_uri())
    assert requests == [page_file.as_uri()], "the page loaded something else"
    assert browser_page.evaluate("document.querySelectorAll('script, img, iframe').length") == 0
    body = browser_page.inner_text("body")
    assert HOSTILE_ORG in body and HOSTILE_TITLE in body
    # nothing wider than the phone: wide tables scroll inside their own box
    assert browser_page.evaluate("document.documentElement.scrollWidth") <= 390
    wrap = browser_page.evaluate(
        "(() => { const t = document.querySelector('table.monitoring').parentElement;"
        " return [t.scrollWidth, t.clientWidth, getComputedStyle(t).overflowX]; })()"
    )
    assert wrap[0] > wrap[1] and wrap[2] == "auto"
    assert (
        browser_page.evaluate("getComputedStyle(document.querySelector('.draft-mark')).position") == "fixed"
    )
    browser_page.emulate_media(media="print")
    printed = browser_page.evaluate(
        "(() => { const m = getComputedStyle(document.querySelector('.draft-mark'));"
        " const p = [...document.querySelectorAll('section.part')].map("
        "   s => getComputedStyle(s).breakBefore);"
        " return [m.position, m.display, p]; })()"
    )
    # position: fixed repeats the mark on every printed page
    assert printed == ["fixed", "block", ["page", "page", "page", "page"]]
