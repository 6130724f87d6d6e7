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
    """Write report.html and report.xlsx atomically, then report.json; the paths written."""
    html_path = out_dir / HTML_FILE
    xlsx_path = out_dir / XLSX_FILE
    write_text(html_path, render_html(report))
    write_xlsx(excel_sheets(report), xlsx_path, lang=report.lang)
    return [html_path, xlsx_path, record_report(report, out_dir, [html_path, xlsx_path])]


def record_report(report: Report, out_dir: Path, outputs: list[Path]) -> Path:
    """report.json: the settings of the ranking shown and the files the report was built from."""
    from p4c.report.provenance import REPORT_STAGE, RankedBy, manifest_for, write_manifest
    from p4c.store import REPORT_MANIFEST

    ranked = next((m.ranked_by for m in report.manifests if m.stage == "ranking"), None)
    manifest = manifest_for(
        REPORT_STAGE,
        config=report.config,
        partners=report.partners,
        ranking=report.ranking,
        ranked_by=ranked or RankedBy(),
        as_of=report.as_of,
        options={
            "made_by": dict(report.made_by),
            "built_from": {f.name: f.sha256 for f in report.files},
        },
    )
    return write_manifest(manifest, out_dir / REPORT_MANIFEST, outputs)


def report(
    folder: Path, out_dir: Path, config: Config, config_text: str, options: ReportOptions | None = None
) -> list[Path]:
    """Build and write the report in one call, for the CLI and `p4c run`.

    Without automatic garbage collection: the tables and charts make small objects by the ten
    thousand, none in a cycle, and each collection they set off walks everything alive, in
    `p4c run` what the earlier stages still hold too."""
    from p4c.memory import no_gc

    options = options or ReportOptions()
    with no_gc():
        return write_report(build_report(folder, config, config_text, options), out_dir)
