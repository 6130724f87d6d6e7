"""The report as a person sees it: headless Chromium renders it on screen and on paper.

Skipped (with the reason) where no Chromium is installed; `.ci/install-browser.sh` installs it.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from p4c.report import HTML_FILE, ReportOptions, report
from tests.report.data import AS_OF, make_processed
from tests.shared import chromium_path, run_chromium


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("browser")
    fx = make_processed(root / "processed")
    report(fx.folder, root / "out", fx.config, fx.config_text, ReportOptions(as_of=AS_OF))
    return root / "out" / HTML_FILE


def test_screenshot_is_not_blank(page: Path, tmp_path: Path) -> None:
    from matplotlib import image

    browser = chromium_path()
    shot = tmp_path / "report.png"
    run_chromium(browser, tmp_path, f"--screenshot={shot}", "--window-size=1280,2000", page.as_uri())
    assert shot.is_file(), "Chromium wrote no screenshot"
    pixels = image.imread(shot)
    assert pixels.shape[0] == 2000 and pixels.shape[1] == 1280
    rgb = np.round(pixels[..., :3] * 255).astype(np.uint8).reshape(-1, 3)
    colours = np.unique(rgb, axis=0)
    assert len(colours) > 200, f"only {len(colours)} distinct colours: the page looks blank"
    not_white = float((rgb.min(axis=1) < 235).mean())
    assert not_white > 0.05, f"only {not_white:.1%} of the pixels are not white"


def test_printing_puts_sections_and_partners_on_their_own_pages(page: Path, tmp_path: Path) -> None:
    browser = chromium_path()
    pdf = tmp_path / "report.pdf"
    run_chromium(browser, tmp_path, f"--print-to-pdf={pdf}", "--no-pdf-header-footer", page.as_uri())
    assert pdf.is_file(), "Chromium wrote no PDF"
    pages = len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf.read_bytes()))
    # 8 sections, 7 partner pages of which the first shares the section's page
    assert pages >= 8 + 6, f"{pages} pages"
