"""The report on a phone, on a desktop and on paper, in headless Chromium (Playwright with the
system browser), built by `p4c run` from the shipped sample data (every section, every table).

Skipped with the reason where Chromium or Playwright is missing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.shared import ROOT, chromium, sample_run

PHONE, DESKTOP = 390, 1280
CSS_PX_PER_MM = 96 / 25.4
A4_WIDTH_MM = 210

# Every element that sticks out of the viewport, other than what scrolls inside a scroll box.
OVERFLOW_JS = """() => {
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    if (el.parentElement.closest('.table-scroll, .chart-box')) continue;
    const right = el.getBoundingClientRect().right;
    const name = el.id || el.getAttribute('class') || '';
    if (right > innerWidth + 0.5) out.push(`${el.tagName} ${name} ${right}`);
  }
  return {scrollWidth: document.documentElement.scrollWidth, innerWidth, overflowing: out};
}"""

# The smallest chart text as rendered: font size (SVG user units) x the SVG's scale on the page.
CHART_TEXT_JS = """(selector) => {
  const out = [];
  for (const svg of document.querySelectorAll(selector)) {
    const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    let smallest = Infinity;
    for (const t of svg.querySelectorAll('text')) {
      smallest = Math.min(smallest, parseFloat(getComputedStyle(t).fontSize) * scale);
    }
    out.push({label: svg.getAttribute('aria-label'), px: smallest, right: svg.getBoundingClientRect().right});
  }
  return out;
}"""

SCROLL_BOXES_JS = """() => [...document.querySelectorAll('.table-scroll, .chart-box')].map(b => ({
  label: b.hasAttribute('aria-labelledby')
    ? b.getAttribute('aria-labelledby').split(' ')
        .map(id => document.getElementById(id)?.textContent.trim() || `MISSING ${id}`).join(' ')
    : b.getAttribute('aria-label'),
  role: b.getAttribute('role'), tabindex: b.getAttribute('tabindex'),
  right: b.getBoundingClientRect().right, scrolls: b.scrollWidth > b.clientWidth,
  ranking: b.getAttribute('aria-labelledby') === 'ranking-title',
}))"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    yield from chromium()


@pytest.fixture(scope="module")
def report_html(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`p4c run` on the shipped sample data: scoring, field tests and plans, so every table."""
    return sample_run(tmp_path_factory).processed_dir / "report.html"


def _open(browser: Any, page_file: Path, width: int) -> Any:
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(page_file.as_uri())
    return page


@pytest.mark.parametrize("width", [PHONE, DESKTOP])
def test_nothing_is_wider_than_the_screen(
    browser: Any, report_html: Path, tmp_path: Path, width: int
) -> None:
    from PIL import Image

    page = _open(browser, report_html, width)
    try:
        shot = tmp_path / f"report_{width}.png"
        page.screenshot(path=str(shot), full_page=True)
        with Image.open(shot) as image:
            assert image.width == width  # a page wider than the screen would make a wider shot
        found = page.evaluate(OVERFLOW_JS)
        assert found["overflowing"] == []
        assert found["scrollWidth"] == width
        boxes = page.evaluate(SCROLL_BOXES_JS)
        tables = page.evaluate(
            "() => [document.querySelectorAll('table').length,"
            " document.querySelectorAll('.table-scroll > table').length]"
        )
        assert tables[0] > 20 and tables == [tables[0], tables[0]]  # every table in its box
        assert len([b for b in boxes if b["ranking"]]) == 1
        for box in boxes:
            assert box["role"] == "region" and box["tabindex"] == "0", box
            assert box["label"] and "MISSING" not in box["label"], box
            assert box["right"] <= width + 0.5, box
        ranking = next(b for b in boxes if b["ranking"])
        assert ranking["scrolls"] is (width == PHONE)
        charts = page.evaluate(CHART_TEXT_JS, ".chart-box svg")
        assert len(charts) == report_html.read_text(encoding="utf-8").count("<svg")
        small = [c for c in charts if c["px"] < 9]
        assert small == []
    finally:
        page.context.close()


def test_ids_are_unique(browser: Any, report_html: Path) -> None:
    page = _open(browser, report_html, DESKTOP)
    try:
        ids = page.evaluate("() => [...document.querySelectorAll('[id]')].map(e => e.id)")
        assert len(ids) == len(set(ids))
    finally:
        page.context.close()


def _printable_width_px() -> float:
    """A4 less the left and right margins of the report's @page rule."""
    css = (ROOT / "src" / "p4c" / "templates" / "report.css").read_text(encoding="utf-8")
    margins = re.search(r"@page\s*\{[^}]*margin:\s*([^;]+);", css)
    assert margins is not None
    sizes = [float(m) for m in re.findall(r"([\d.]+)mm", margins[1])]
    right = sizes[1] if len(sizes) > 1 else sizes[0]
    left = sizes[3] if len(sizes) > 3 else right  # CSS shorthand: top right bottom left
    return (A4_WIDTH_MM - left - right) * CSS_PX_PER_MM


def test_on_paper_the_weights_chart_fits_and_reads(browser: Any, report_html: Path) -> None:
    width = _printable_width_px()
    page = _open(browser, report_html, int(width))
    try:
        pdf = page.pdf(format="A4")
        assert pdf.startswith(b"%PDF-")
        assert len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf)) >= 9 + 6  # a page per section and partner
        page.emulate_media(media="print")
        (weights,) = page.evaluate(CHART_TEXT_JS, ".chart.weights svg")
        assert weights["label"] == "Criterion weights used"
        assert weights["right"] <= width
        assert weights["px"] >= 8
        printed = page.evaluate(
            """() => ({
              toc: getComputedStyle(document.querySelector('nav.toc')).display,
              boxes: [...new Set([...document.querySelectorAll('.table-scroll, .chart-box')]
                .map(b => getComputedStyle(b).overflowX))],
              rows: [...new Set([...document.querySelectorAll('tr')]
                .map(r => getComputedStyle(r).breakInside))],
              headings: [...new Set([...document.querySelectorAll('h2, h3, h4')]
                .map(h => getComputedStyle(h).breakAfter))],
              svgMin: [...new Set([...document.querySelectorAll('.chart-box svg')]
                .map(s => getComputedStyle(s).minWidth))],
            })"""
        )
        assert printed == {
            "toc": "none",
            "boxes": ["visible"],
            "rows": ["avoid"],
            "headings": ["avoid"],
            "svgMin": ["0px"],
        }
    finally:
        page.context.close()
