"""`p4c report`: one self-contained, escaped, deterministic HTML page and a formatted workbook."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from markupsafe import escape
from openpyxl import load_workbook
from typer.testing import CliRunner

from p4c.errors import P4CError
from p4c.report import (
    HTML_FILE,
    XLSX_FILE,
    Report,
    ReportOptions,
    build_report,
    render_html,
    report,
    write_report,
)
from tests.report.data import AS_OF, HOSTILE_TITLE, Fixture, make_processed

OPTIONS = ReportOptions(as_of=AS_OF)
CHART_SECTIONS = ("overview", "ranking", "robustness", "practices", "transferability", "partners")
ALL_SECTIONS = (*CHART_SECTIONS, "field-tests", "annex")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Fixture, Report, str]:
    fx = make_processed(tmp_path_factory.mktemp("processed"), hostile=True)
    rep = build_report(fx.folder, fx.config, fx.config_text, OPTIONS)
    return fx, rep, render_html(rep)


def sections(page: str) -> dict[str, str]:
    found = {}
    for name in ALL_SECTIONS:
        start = page.index(f'<section id="{name}"')
        end = page.find("<section ", start + 10)
        found[name] = page[start : end if end > 0 else page.index("</main>")]
    return found


# --- the page is one self-contained file ---------------------------------------------------------


class _Refs(HTMLParser):
    """Every tag, every URL-bearing attribute and all CSS of a page, as a browser would see them."""

    URL_ATTRS = frozenset(
        {
            "src",
            "href",
            "xlink:href",
            "action",
            "formaction",
            "poster",
            "srcset",
            "data",
            "background",
            "cite",
            "manifest",
            "ping",
        }
    )

    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.urls: list[str] = []
        self.css: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self._in_style = tag == "style"
        for name, value in attrs:
            if name in self.URL_ATTRS:
                self.urls.append(value or "")
            if name == "style":
                self.css.append(value or "")

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.css.append(data)


def test_html_has_no_external_reference(built: tuple[Fixture, Report, str]) -> None:
    refs = _Refs()
    refs.feed(built[2])
    assert refs.urls, "the table of contents links to the sections"
    for url in refs.urls:
        assert url.startswith(("#", "data:")), url
    css = "\n".join(refs.css)
    assert "@import" not in css
    for match in re.finditer(r"url\(\s*['\"]?([^'\")]*)", css, re.IGNORECASE):
        assert match.group(1).startswith(("#", "data:")), match.group(0)
    for match in re.finditer(r"url\(([^)]*)\)", built[2]):  # also inside the SVG presentation attrs
        assert match.group(1).startswith(("#", "data:")), match.group(0)
    # <use> is allowed: its href, checked above, may only point inside the page
    assert not refs.tags & {
        "script",
        "link",
        "iframe",
        "img",
        "object",
        "embed",
        "base",
        "frame",
        "audio",
        "video",
        "source",
        "image",
        "foreignobject",
    }


def test_svg_is_inline_and_clean(built: tuple[Fixture, Report, str]) -> None:
    page = built[2]
    assert page.startswith("<!DOCTYPE html>")
    assert "<?xml" not in page
    assert "<!DOCTYPE svg" not in page
    assert "<metadata" not in page
    assert "http://purl.org" not in page
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert len(ids) == len(set(ids)), "element ids must be unique across the inlined charts"
    for ref in re.findall(r"url\(#([^)]+)\)", page) + re.findall(r'xlink:href="#([^"]+)"', page):
        assert ref in ids
    assert re.search(r"<svg[^>]*\swidth=", page) is None  # sized by the page, not in points


def test_every_section_with_a_chart_has_one(built: tuple[Fixture, Report, str]) -> None:
    fx, _rep, page = built
    parts = sections(page)
    for name in CHART_SECTIONS:
        assert "<svg" in parts[name], name
    assert parts["practices"].count("<svg") == len(fx.shortlist)
    assert parts["partners"].count("<svg") == len(fx.partners)
    assert parts["robustness"].count("<svg") == 3  # p_top, rank ranges, weight stability


def test_html_holds_every_practice_and_partner(built: tuple[Fixture, Report, str]) -> None:
    fx, _rep, page = built
    parts = sections(page)
    for title in fx.shortlist["title"]:
        assert str(escape(title)) in parts["practices"], title
        assert str(escape(title)) in parts["field-tests"], title
    for code in fx.partners:
        assert f'id="partner-{code}"' in parts["partners"]
        assert f'<span class="pcode">{code}</span>' in parts["overview"] or code in parts["overview"]
    plan = parts["field-tests"]
    assert plan.count("mode-IMPLEMENTATION") + plan.count("mode-WORKSHOP") == len(fx.field_tests)


def test_partner_text_is_escaped(built: tuple[Fixture, Report, str]) -> None:
    page = built[2]
    assert "<script>alert" not in page
    assert "<b>Bold</b>" not in page
    assert "&lt;script&gt;alert(" in page
    assert "&lt;b&gt;Bold&lt;/b&gt;" in page
    assert str(escape(HOSTILE_TITLE)) in page


def test_output_is_deterministic(built: tuple[Fixture, Report, str]) -> None:
    fx, _rep, page = built
    again = render_html(build_report(fx.folder, fx.config, fx.config_text, OPTIONS))
    assert again == page


def test_annex_states_what_reproduces_the_numbers(built: tuple[Fixture, Report, str]) -> None:
    import hashlib

    from p4c import __version__

    fx, rep, page = built
    annex = sections(page)["annex"]
    assert hashlib.sha256(fx.config_text.encode()).hexdigest() in annex
    assert __version__ in annex
    for sha in pd.read_parquet(fx.folder / "partners.parquet")["sha256"]:
        assert sha in annex
    for crit in fx.config.criteria:
        assert str(escape(crit.text())) in annex
    assert "ranking.csv" in annex and AS_OF.isoformat() in annex
    assert rep.weights_source == "the configured weights (the ranking used the same)"
    assert "weight_stability.csv" not in rep.weights_source  # never read from the stability file


def test_print_css_breaks_pages_per_section(built: tuple[Fixture, Report, str]) -> None:
    page = built[2]
    css = page[page.index("@media print") :]
    assert "break-before: page" in css
    assert 'class="partner-page' in page


# --- optional and required inputs ----------------------------------------------------------------


def test_missing_optional_inputs_are_explained(tmp_path: Path) -> None:
    fx = make_processed(
        tmp_path, monte_carlo=False, stability=False, rejected=False, submissions=False, needs=False
    )
    page = render_html(build_report(fx.folder, fx.config, fx.config_text, OPTIONS))
    parts = sections(page)
    assert parts["robustness"].count("p4c rank --samples 1000 --stability") == 2
    assert "<svg" not in parts["robustness"]
    assert "No ingest log" in parts["overview"]
    assert "No rejected rows were kept" in parts["overview"]
    assert "No Needs sheet from" in parts["transferability"]
    for name in ("overview", "ranking", "practices", "transferability", "partners"):
        assert "<svg" in parts[name], name


@pytest.mark.parametrize(
    ("name", "command"),
    [
        ("ranking.csv", "p4c rank"),
        ("candidates.csv", "p4c shortlist"),
        ("shortlist.csv", "p4c shortlist"),
        ("field_tests.csv", "p4c shortlist"),
    ],
)
def test_missing_required_input_names_file_and_command(tmp_path: Path, name: str, command: str) -> None:
    fx = make_processed(tmp_path, monte_carlo=False)
    (tmp_path / name).unlink()
    with pytest.raises(P4CError) as info:
        build_report(tmp_path, fx.config, fx.config_text, OPTIONS)
    assert name in str(info.value) and command in str(info.value)


def test_no_processed_data_says_to_ingest(tmp_path: Path) -> None:
    fx = make_processed(tmp_path, monte_carlo=False)
    (tmp_path / "services.parquet").unlink()  # before the store migrates the parquet files
    with pytest.raises(P4CError) as info:
        build_report(tmp_path, fx.config, fx.config_text, OPTIONS)
    assert info.value.message == f"no processed data in {tmp_path}"
    assert info.value.hint == "Run `p4c ingest data/raw/*` (or `p4c run`) first."


def test_stale_ranking_is_a_clear_error(tmp_path: Path) -> None:
    fx = make_processed(tmp_path, monte_carlo=False)
    ranking = pd.read_csv(tmp_path / "ranking.csv", dtype={"service_id": str})
    ranking.drop(columns=["synergy"]).to_csv(tmp_path / "ranking.csv", index=False)
    with pytest.raises(P4CError, match="synergy"):
        build_report(tmp_path, fx.config, fx.config_text, OPTIONS)


def test_empty_shortlist_still_renders(tmp_path: Path) -> None:
    fx = make_processed(tmp_path, monte_carlo=False)
    pd.DataFrame(columns=["partner", "service_id", "title", "category", "score", "rank"]).to_csv(
        tmp_path / "shortlist.csv", index=False
    )
    pd.DataFrame(
        columns=["partner", "practice_partner", "service_id", "title", "mode", "need", "match"]
    ).to_csv(tmp_path / "field_tests.csv", index=False)
    page = render_html(build_report(tmp_path, fx.config, fx.config_text, OPTIONS))
    parts = sections(page)
    assert "the shortlist is empty" in parts["practices"]
    assert "No field tests are planned" in parts["field-tests"]


def test_formula_guard_of_the_csvs_is_undone_for_display(tmp_path: Path) -> None:
    fx = make_processed(tmp_path, monte_carlo=False)
    shortlist = pd.read_csv(tmp_path / "shortlist.csv", dtype={"service_id": str})
    key = (shortlist.at[0, "partner"], shortlist.at[0, "service_id"])
    services = pd.read_parquet(tmp_path / "services.parquet")
    row = (services["partner"] == key[0]) & (services["service_id"] == key[1])
    services.loc[row, "title"] = "=SUM(A1) savings club"
    services.to_parquet(tmp_path / "services.parquet")
    rep = build_report(tmp_path, fx.config, fx.config_text, OPTIONS)
    assert "=SUM(A1) savings club" in render_html(rep)
    tests = pd.read_csv(tmp_path / "field_tests.csv")
    tests.loc[0, "title"] = "'=cmd|' /C calc'!A0"  # as io.write_csv stores a formula-like title
    tests.to_csv(tmp_path / "field_tests.csv", index=False)
    rep = build_report(tmp_path, fx.config, fx.config_text, OPTIONS)
    assert rep.field_tests["title"].str.startswith("=cmd|").any()


# --- weights --------------------------------------------------------------------------------------


def test_weights_are_read_back_when_the_ranking_overrode_them(tmp_path: Path) -> None:
    fx = make_processed(
        tmp_path,
        stability=False,
        monte_carlo=False,
        weights={
            "relevance": 0.1,
            "impact": 0.4,
            "pertinence": 0.15,
            "transferability": 0.15,
            "cost_per_sme": 0.1,
            "sustainability": 0.05,
            "innovation": 0.025,
            "synergy": 0.025,
        },
    )
    rep = build_report(tmp_path, fx.config, fx.config_text, OPTIONS)
    assert rep.weights_differ
    assert rep.weights["impact"] == pytest.approx(0.4, abs=1e-4)
    assert rep.weights["relevance"] == pytest.approx(0.1, abs=1e-4)
    assert any("differ from the configured ones" in note for note in rep.notes)


def test_config_weights_when_the_ranking_used_them(tmp_path: Path) -> None:
    fx = make_processed(tmp_path, stability=False, monte_carlo=False)
    rep = build_report(tmp_path, fx.config, fx.config_text, OPTIONS)
    assert not rep.weights_differ
    assert rep.weights == pytest.approx({c.id: c.weight for c in fx.config.criteria})
    assert not rep.notes


# --- the workbook ---------------------------------------------------------------------------------


def test_xlsx_has_frozen_headers_filters_and_a_native_chart(
    tmp_path: Path, built: tuple[Fixture, Report, str]
) -> None:
    fx, rep, _page = built
    paths = write_report(rep, tmp_path)
    assert [p.name for p in paths] == [HTML_FILE, XLSX_FILE, "report.json"]
    book = load_workbook(tmp_path / XLSX_FILE)
    expected = {"Ranking", "Top 20", "Candidates", "Shortlist", "Field tests", "Partners", "Weight stability"}
    assert expected <= set(book.sheetnames)
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2", sheet.title
        assert sheet.auto_filter.ref, sheet.title
    assert book["Shortlist"].max_row == len(fx.shortlist) + 1
    assert book["Field tests"].max_row == len(fx.field_tests) + 1
    assert book["Candidates"]["I1"].value == "Reasons" or "Reasons" in [
        c.value for c in book["Candidates"][1]
    ]
    assert len(book["Top 20"]._charts) == 1
    with zipfile.ZipFile(tmp_path / XLSX_FILE) as archive:
        chart = archive.read("xl/charts/chart1.xml").decode()
        assert "barChart" in chart and "stacked" in chart
        assert "'Top 20'!$A$2:$A$21" in chart
        for name in archive.namelist():
            if name.startswith("xl/worksheets/sheet"):
                assert "<f>" not in archive.read(name).decode(), "no cell may hold a formula"


def test_report_writes_both_files(tmp_path: Path) -> None:
    fx = make_processed(tmp_path / "processed", monte_carlo=False)
    paths = report(fx.folder, tmp_path / "out", fx.config, fx.config_text, OPTIONS)
    assert [p.name for p in paths] == [HTML_FILE, XLSX_FILE, "report.json"]
    assert all(p.is_file() and p.stat().st_size > 1000 for p in paths)
    record = json.loads(paths[2].read_text(encoding="utf-8"))
    assert record["stage"] == "report" and record["as_of"] == AS_OF.isoformat()
    assert record["outputs"] == {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in paths[:2]}
    assert set(record["options"]["built_from"]) == {
        "ranking.csv",
        "weight_stability.csv",
        "candidates.csv",
        "shortlist.csv",
        "field_tests.csv",
    }
    assert not list((tmp_path / "out").glob(".*.tmp"))


# --- the command line -----------------------------------------------------------------------------


def _project(root: Path) -> Fixture:
    fx = make_processed(root / "data" / "processed", monte_carlo=False)
    (root / "config").mkdir()
    (root / "config" / "criteria.yaml").write_text(fx.config_text, encoding="utf-8")
    return fx


def test_cli_report(tmp_path: Path) -> None:
    from p4c.cli import app

    _project(tmp_path)
    result = CliRunner().invoke(app, ["--project", str(tmp_path), "report", "--as-of", "2025-06-30"])
    assert result.exit_code == 0, result.output
    processed = tmp_path / "data" / "processed"
    assert (processed / HTML_FILE).is_file() and (processed / XLSX_FILE).is_file()
    assert "as of 2025-06-30" in (processed / HTML_FILE).read_text(encoding="utf-8")
    result = CliRunner().invoke(
        app, ["--project", str(tmp_path), "report", "-o", str(tmp_path / "elsewhere")]
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "elsewhere" / HTML_FILE).is_file()


def test_cli_report_errors(tmp_path: Path) -> None:
    from p4c.cli import app

    _project(tmp_path)
    result = CliRunner().invoke(app, ["--project", str(tmp_path), "report", "--as-of", "30/06/2025"])
    assert result.exit_code == 2
    (tmp_path / "data" / "processed" / "ranking.csv").unlink()
    result = CliRunner().invoke(app, ["--project", str(tmp_path), "report"])
    assert result.exit_code == 1
    assert "ranking.csv" in result.output and "p4c rank" in result.output


def test_cli_report_in_french(tmp_path: Path) -> None:
    from p4c.cli import app

    _project(tmp_path)
    processed = tmp_path / "data" / "processed"
    args = ["--project", str(tmp_path), "report", "--as-of", "2025-06-30", "--json"]
    result = CliRunner().invoke(app, [*args, "--lang", "fr"])
    assert result.exit_code == 0, result.output
    outputs = [str(processed / name) for name in (HTML_FILE, XLSX_FILE, "report.json")]
    assert result.stdout == json.dumps({"outputs": outputs}, indent=2) + "\n"
    page = (processed / HTML_FILE).read_text(encoding="utf-8")
    assert '<html lang="fr">' in page and '<h2 id="ranking-title">2. Classement</h2>' in page
    assert load_workbook(processed / XLSX_FILE).sheetnames[0] == "Classement"
    result = CliRunner().invoke(app, [*args, "--lang", "DE"])  # any case, as the other commands
    assert result.exit_code == 0, result.output
    assert '<html lang="de">' in (processed / HTML_FILE).read_text(encoding="utf-8")


def test_cli_report_refuses_an_unknown_language(tmp_path: Path) -> None:
    from p4c.cli import app

    _project(tmp_path)
    result = CliRunner().invoke(
        app, ["--project", str(tmp_path), "report", "--lang", "xx"], env={"COLUMNS": "80"}
    )
    assert result.exit_code == 2
    assert result.stderr == (
        "Usage: p4c report [OPTIONS]\n"
        "Try 'p4c report -h' for help.\n"
        "╭─ Error ──────────────────────────────────────────────────────────────────────╮\n"
        "│ Invalid value for '--lang': Value error, 'xx' is not one of 'en', 'fr',      │\n"
        "│ 'de'.                                                                        │\n"
        "╰──────────────────────────────────────────────────────────────────────────────╯\n"
    )
    assert not (tmp_path / "data" / "processed" / HTML_FILE).exists()


def test_data_quality_shows_the_last_ingest_that_wrote_data(tmp_path: Path) -> None:
    fx = make_processed(tmp_path, monte_carlo=False)
    log = pd.read_csv(tmp_path / "submissions.csv")
    log["written"] = True
    failed = log.iloc[[-1]].assign(
        time="2099-01-01T00:00:00+00:00", file="broken.xlsx", accepted=0, rejected=9, written=False
    )
    pd.concat([log, failed]).to_csv(tmp_path / "submissions.csv", index=False)
    rep = build_report(tmp_path, fx.config, fx.config_text, OPTIONS)
    row = rep.partners.set_index("partner").loc[str(failed["partner"].iloc[0])]
    assert row["source_file"] != "broken.xlsx" and row["rejected"] == 0
    first = rep.partners.set_index("partner").loc[fx.partners[0]]
    assert first["accepted"] == 10  # the later of its two ingests
    assert rep.as_of == AS_OF
    assert build_report(tmp_path, fx.config, fx.config_text).as_of == dt.date.today()


def test_the_plans_folder_is_read_after_plans_written(tmp_path: Path) -> None:
    """`p4c run` writes the plans beside the report: the report reads their folder only after its
    `plans_written` hook (late, after the charts), so a plan written meanwhile is linked."""
    from p4c.store import PLAN_HTML, PLANS_DIR

    fx = make_processed(tmp_path / "processed")
    code = fx.partners[0]
    calls: list[str] = []

    def written() -> None:
        calls.append("written")
        (fx.folder / PLANS_DIR).mkdir(exist_ok=True)
        (fx.folder / PLANS_DIR / PLAN_HTML.format(partner=code)).write_text("<p>plan</p>", encoding="utf-8")

    options = ReportOptions(as_of=AS_OF, plans_written=written)
    rep = build_report(fx.folder, fx.config, fx.config_text, options)
    assert calls == []  # not while the report's data is read
    page = render_html(rep)
    assert calls == ["written"]
    assert f'href="{PLANS_DIR}/{PLAN_HTML.format(partner=code)}"' in page
    render_html(rep)
    assert calls == ["written"]  # read once
