"""`p4c report`: one self-contained HTML report and one formatted Excel workbook.

- `data`: what the report says, read from the store and the stages' outputs and cross-checked once;
- `charts`: the inline SVG charts;
- `html`: report.html (jinja2 template in p4c/templates/);
- `excel`: report.xlsx.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from p4c.io import write_text, write_xlsx
from p4c.report.data import Report, ReportOptions, build_report
from p4c.report.excel import excel_sheets
from p4c.report.html import render_html
from p4c.store import REPORT_HTML as HTML_FILE
from p4c.store import REPORT_XLSX as XLSX_FILE

if TYPE_CHECKING:
    from p4c.config import Config

__all__ = [
    "HTML_FILE",
    "XLSX_FILE",
    "Report",
    "ReportOptions",
    "build_report",
    "render_html",
    "report",
    "write_report",
]


def write_report(report: Report, out_dir: Path) -> list[Path]:
    """Write report.html and report.xlsx atomically; the paths written."""
    html_path = out_dir / HTML_FILE
    xlsx_path = out_dir / XLSX_FILE
    write_text(html_path, render_html(report))
    write_xlsx(excel_sheets(report), xlsx_path)
    return [html_path, xlsx_path]


def report(
    folder: Path, out_dir: Path, config: Config, config_text: str, options: ReportOptions | None = None
) -> list[Path]:
    """Build and write the report in one call, for the CLI and `p4c run`."""
    return write_report(build_report(folder, config, config_text, options or ReportOptions()), out_dir)
