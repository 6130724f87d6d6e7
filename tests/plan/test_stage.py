"""`p4c template --plan`, `p4c plan` and `p4c run` on a small partnership with hand-made field tests.

The evaluation (computed by `evaluate` from the stored reports, shortlist.csv and field_tests.csv),
by hand: BE S-01 (NET) is DONE with success by FR and DE, satisfaction 4.25, every partner's need
for NET >= 3 (FR 5, BE and DE the default 3): TRANSFERABLE. BE S-02 (FIN) and DE S-01 (NET) have
one successful DONE test each: PROMISING. FR needs NET 5 and FIN 3, so FR's plan starts from BE S-01
(tested with success), then DE S-01 (PROMISING, need 5); BE S-02 is left out (need 3 < 4).
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from p4c import store
from p4c.cli import app
from p4c.config import Config, Project
from p4c.ingest import ingest
from p4c.plan import stage
from p4c.plan.model import ActionStatus, Verdict
from tests.books import write
from tests.plan.partnership import (
    action,
    partnership,
    plan_book,
    report_row,
    store_reports,
    write_stage_csvs,
)
from tests.plan.textcheck import docx_text, found_english, html_text

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[2]
DAY = dt.date(2026, 11, 1)
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture
def tested(tmp_path: Path, project: Project, config: Config) -> Project:
    """The partnership with its shortlist, field-test plan and reports."""
    members = partnership(tmp_path, project, config)
    write_stage_csvs(
        members,
        [("BE", "S-01", 1), ("BE", "S-02", 2), ("DE", "S-01", 3), ("FR", "S-01", 4)],
        [("FR", "BE", "S-01"), ("DE", "BE", "S-01"), ("DE", "BE", "S-02"), ("BE", "DE", "S-01")],
    )
    store_reports(
        members,
        [
            report_row("FR", "BE", "S-01", "DONE", "FULL", 4.5),
            report_row("DE", "BE", "S-01", "DONE", "PARTIAL", 4.0),
            report_row("DE", "BE", "S-02", "DONE", "FULL", 5.0),
            report_row("BE", "DE", "S-01", "DONE", "FULL", 4.0),
            report_row("BE", "FR", "S-01", "DONE", "FULL", 4.0),
        ],
    )
    return members


def invoke(project: Project, *args: str) -> Any:
    return runner.invoke(app, ["--project", str(project.root), *args])


def test_the_prefill_follows_the_rule_on_the_evaluation(tested: Project, config: Config) -> None:
    inputs = stage.load_inputs(tested.processed_dir, config)
    verdicts = dict(
        zip(
            zip(inputs.evaluation["practice_partner"], inputs.evaluation["practice_id"], strict=True),
            inputs.evaluation["verdict"],
            strict=True,
        )
    )
    assert verdicts == {
        ("BE", "S-01"): "TRANSFERABLE",
        ("BE", "S-02"): "PROMISING",
        ("DE", "S-01"): "PROMISING",
        ("FR", "S-01"): "PROMISING",
    }
    rows = stage.prefill("FR", inputs, config)
    assert rows[["practice_partner", "practice_id", "title", "verdict", "basis", "need"]].values.tolist() == [
        ["BE", "S-01", "B2B matchmaking day 1", "TRANSFERABLE", "TESTED", 5.0],
        ["DE", "S-01", "Digital lab", "PROMISING", "NEED", 5.0],
    ]
    # DE needs nothing >= 4 (the default 3 everywhere): only what it tested with success.
    rows = stage.prefill("DE", inputs, config)
    assert rows[["practice_partner", "practice_id", "basis", "need"]].values.tolist() == [
        ["BE", "S-01", "TESTED", 3.0],
        ["BE", "S-02", "TESTED", 3.0],
    ]


def test_template_plan_writes_the_prefilled_workbook(tested: Project, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    target = tmp_path / "FR_plan_fr.xlsx"
    result = invoke(tested, "template", "--plan", "--partner", "fr", "--lang", "fr", "-o", str(target))
    assert result.exit_code == 0, result.output
    assert "2 actions pre-filled" in result.output
    book = load_workbook(target)
    assert book.sheetnames == ["Instructions", "Plan", "Actions", "Lists"]
    assert book["Instructions"]["A1"].value == "Comment remplir votre plan de recommandations"
    actions = book["Actions"]
    assert [c.value for c in actions[1]][:3] == [
        "Partenaire de la pratique",
        "Identifiant de la pratique",
        "Action",
    ]
    rows = [[c.value for c in row] for row in actions.iter_rows(min_row=2, max_row=actions.max_row)]
    assert [(r[0], r[1], r[2], r[11]) for r in rows] == [
        ("BE", "S-01", "B2B matchmaking day 1", "Prévue"),
        ("DE", "S-01", "Digital lab", "Prévue"),
    ]
    status = {str(dv.sqref): dv for dv in actions.data_validations.dataValidation}["L2:L201"]
    assert status.type == "list" and status.prompt == "Choisissez dans la liste."


def test_template_plan_needs_a_partner(tested: Project) -> None:
    result = invoke(tested, "template", "--plan")
    assert result.exit_code == 1
    assert "--plan needs --partner CODE" in result.output


def test_draft_without_a_plan_workbook(tested: Project, config: Config) -> None:
    inputs = stage.load_inputs(tested.processed_dir, config)
    doc = stage.build_plan("FR", inputs, config, generated=DAY)
    assert doc.draft and doc.language == "en"
    assert [(a.practice_partner, a.practice_id, a.title, a.verdict) for a in doc.actions] == [
        ("BE", "S-01", "B2B matchmaking day 1", Verdict.TRANSFERABLE),
        ("DE", "S-01", "Digital lab", Verdict.PROMISING),
    ]
    results = doc.actions[0].results
    assert results is not None
    assert (results.done, results.successes, results.satisfaction) == (2, 2, 4.25)
    assert doc.actions[0].practice_evidence == "40 SMEs signed agreements"
    assert (doc.organisation, doc.region, doc.cluster_initiatives) == ("Agency", "Namur", 10)
    assert doc.needs == {"NET": 5.0, "FIN": 3.0}
    assert stage.missing_items(doc) == [
        "no plan workbook: a DRAFT from the evaluation (send the partner `p4c template --plan "
        "--partner FR` and `p4c ingest` what it sends back)",
        "Part II: policy_instrument, authority, context, objectives not set",
        "Part III: players not set for every action",
        "Part III: start_date not set for every action",
        "Part III: end_date not set for every action",
        "Part III: indicator not set for every action",
        "Part III: target not set for every action",
    ]


def _ingest_plan(project: Project, config: Config, tmp_path: Path, rows: list[list[Any]], name: str) -> None:
    report = ingest([write(tmp_path / name, plan_book(rows))], project, config)
    assert report.ok, [i.message for i in report.files[0].errors]


def test_a_plan_from_its_workbook(tested: Project, config: Config, tmp_path: Path) -> None:
    rows = [
        action(),
        action(practice_partner=None, practice_id=None, action="Own", status="DROPPED", reason="No budget"),
        action(practice_id="S-02", players=None, indicator=None),
    ]
    report = ingest([write(tmp_path / "FR_plan_en.xlsx", plan_book(rows))], tested, config)
    assert not report.ok  # players and indicator are required
    rows[2] = action(practice_id="S-02")
    _ingest_plan(tested, config, tmp_path, rows, "FR_plan_en.xlsx")
    inputs = stage.load_inputs(tested.processed_dir, config)
    doc = stage.build_plan("FR", inputs, config, generated=DAY)
    assert not doc.draft
    assert (doc.policy_instrument, doc.authority, doc.context) == ("ERDF programme", "Regional council", None)
    assert [(a.title, a.status, a.verdict, a.practice_title) for a in doc.actions] == [
        ("Open a matchmaking desk", ActionStatus.ONGOING, Verdict.TRANSFERABLE, "B2B matchmaking day 1"),
        ("Own", ActionStatus.DROPPED, None, None),
        ("Open a matchmaking desk", ActionStatus.ONGOING, Verdict.PROMISING, "Funding desk"),
    ]
    assert doc.actions[1].reason == "No budget"
    assert stage.missing_items(doc) == ["Part II: context, objectives not set"]
    assert stage.build_plan("FR", inputs, config, lang="de", generated=DAY).language == "de"


def test_plan_command_writes_every_partner(tested: Project, config: Config, tmp_path: Path) -> None:
    _ingest_plan(tested, config, tmp_path, [action()], "FR_plan_fr.xlsx")
    result = invoke(tested, "plan")
    assert result.exit_code == 0, result.output
    folder = tested.processed_dir / "plans"
    assert sorted(p.name for p in folder.iterdir()) == [
        f"{c}_plan.{e}" for c in ("BE", "DE", "FR") for e in ("docx", "html")
    ]
    lines = result.output.replace("\n", " ")
    assert "BE DRAFT (en, 2 actions)" in lines
    assert "DE DRAFT (en, 2 actions)" in lines
    assert "FR plan (en, 1 action)" in lines  # its headers are the contract's English names
    assert "missing: Part II: context, objectives not set" in lines
    assert 'lang="en-GB"' in (folder / "FR_plan.html").read_text(encoding="utf-8")
    assert "DRAFT" in (folder / "BE_plan.html").read_text(encoding="utf-8")


def test_plan_command_options(tested: Project, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = invoke(tested, "plan", "--partner", "de", "--lang", "de", "-o", str(out), "--json")
    assert result.exit_code == 0, result.output
    import json

    data = json.loads(result.output)
    assert [(p["partner"], p["language"], p["draft"], p["actions"]) for p in data["plans"]] == [
        ("DE", "de", True, 2)
    ]
    assert data["plans"][0]["files"] == [
        str(out / "plans" / "DE_plan.html"),
        str(out / "plans" / "DE_plan.docx"),
    ]
    assert sorted(p.name for p in (out / "plans").iterdir()) == ["DE_plan.docx", "DE_plan.html"]
    result = invoke(tested, "plan", "--partner", "MT")
    assert result.exit_code == 1
    assert "partner MT is not ingested; partners: BE, DE, FR" in result.output


@pytest.fixture
def written(tested: Project, config: Config, tmp_path: Path) -> Path:
    """Plans written by `p4c plan`: FR from a French workbook, DE a German draft."""
    _ingest_plan(tested, config, tmp_path, [action()], "FR_plan_fr.xlsx")
    plans = tested.processed_dir / "plans"
    assert invoke(tested, "plan", "--partner", "FR", "--lang", "fr").exit_code == 0
    assert invoke(tested, "plan", "--partner", "DE", "--lang", "de").exit_code == 0
    return plans


def test_the_docx_reopened(written: Path) -> None:
    import docx

    document = docx.Document(str(written / "FR_plan.docx"))
    headings = [
        (p.style.name, p.text)
        for p in document.paragraphs
        if p.style.name in ("Title", "Heading 1", "Heading 2")
    ]
    assert headings == [
        ("Title", "Plan de recommandations – Agency"),
        ("Heading 1", "Partie I – Le partenaire et sa région"),
        ("Heading 2", "Profil des besoins"),
        ("Heading 1", "Partie II – Contexte politique"),
        ("Heading 2", "Instrument politique"),
        ("Heading 2", "Autorité responsable"),
        ("Heading 2", "Contexte"),
        ("Heading 2", "Objectifs"),
        ("Heading 1", "Partie III – Actions"),
        ("Heading 2", "1. Open a matchmaking desk"),
        ("Heading 1", "Partie IV – Suivi"),
    ]
    tables = document.tables
    assert len(tables) == 4  # partner, needs, one action, monitoring
    assert [c.text for c in tables[0].rows[0].cells] == ["Partenaire", "FR"]
    assert [c.text for c in tables[3].rows[1].cells] == [
        "1",
        "Open a matchmaking desk",
        "SMEs served",
        "40 SMEs",
        "1 janvier 2027 – 31 décembre 2027",
        "En cours",
    ]
    langs = {e.get(f"{W}val") for e in document.styles.element.iter(f"{W}lang")}
    assert langs == {"fr-FR"} and document.core_properties.language == "fr-FR"
    draft = docx.Document(str(written / "DE_plan.docx"))
    assert draft.core_properties.language == "de-DE"
    assert all("ENTWURF" in "".join(p.text for p in s.header.paragraphs) for s in draft.sections)


@pytest.mark.parametrize("code", ["FR", "DE"])
def test_french_and_german_plans_hold_no_english_fixed_text(written: Path, code: str) -> None:
    lang = {"FR": "fr", "DE": "de"}[code]
    html = (written / f"{code}_plan.html").read_text(encoding="utf-8")
    assert found_english(html_text(html), lang) == []  # type: ignore[arg-type]
    assert found_english(docx_text(written / f"{code}_plan.docx"), lang) == []  # type: ignore[arg-type]


def test_libreoffice_converts_the_written_plan(written: Path, tmp_path: Path) -> None:
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip(
            "LibreOffice is not installed (no `soffice` on PATH): the PDF conversion of the written "
            ".docx is not checked; install the Debian package libreoffice-writer to run it"
        )
    out = tmp_path / "pdf"
    command = [
        soffice,
        f"-env:UserInstallation={(tmp_path / 'lo-profile').as_uri()}",
        "--headless",
        "--norestore",
        "--convert-to",
        "pdf",
        "--outdir",
        str(out),
        str(written / "FR_plan.docx"),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)
    assert done.returncode == 0, f"soffice exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    data = (out / "FR_plan.pdf").read_bytes()
    assert data.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page\b(?!s)", data)) >= 5


def test_the_written_html_in_headless_chromium(written: Path, tmp_path: Path) -> None:
    """The report's browser test on a written plan: a screenshot that is not blank, and the print."""
    import numpy as np
    from matplotlib import image

    from tests.shared import chromium_path, run_chromium

    page = written / "FR_plan.html"
    shot = tmp_path / "plan.png"
    run_chromium(chromium_path(), tmp_path, f"--screenshot={shot}", "--window-size=1000,1400", page.as_uri())
    rgb = np.round(image.imread(shot)[..., :3] * 255).astype(np.uint8).reshape(-1, 3)
    assert len(np.unique(rgb, axis=0)) > 100, "the page looks blank"
    pdf = tmp_path / "plan.pdf"
    run_chromium(chromium_path(), tmp_path, f"--print-to-pdf={pdf}", "--no-pdf-header-footer", page.as_uri())
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page\b(?!s)", data)) >= 5


def test_run_on_the_sample_data_writes_plans_and_drafts(tmp_path: Path) -> None:
    """The shipped sample: FR, DE and EE send plan workbooks (fr, de, en); the others get drafts."""
    root = tmp_path / "sample"
    shutil.copytree(ROOT / "config", root / "config")
    shutil.copytree(ROOT / "data" / "raw", root / "data" / "raw")
    result = runner.invoke(app, ["--project", str(root), "run", "--as-of", "2026-11-01", "--samples", "0"])
    assert result.exit_code == 0, result.output
    plans = root / "data" / "processed" / "plans"
    codes = ("BE", "DE", "EE", "FR", "GR", "MT", "SI")
    assert sorted(p.name for p in plans.iterdir()) == sorted(
        f"{c}_plan.{e}" for c in codes for e in ("docx", "html")
    )
    for code, tag in (("FR", "fr-FR"), ("DE", "de-DE"), ("EE", "en-GB"), ("BE", "en-GB")):
        page = (plans / f"{code}_plan.html").read_text(encoding="utf-8")
        assert f'lang="{tag}"' in page, code
        assert ('class="draft-mark"' in page) == (code == "BE"), code
    html = (root / "data" / "processed" / store.REPORT_HTML).read_text(encoding="utf-8")
    de = html[html.index('id="partner-DE"') : html.index('id="partner-EE"')]
    assert '<a href="plans/DE_plan.html">' in de and '<a href="plans/DE_plan.docx">' in de
    assert "from DE_plan_de.xlsx (de)" in de and "Kein Budget im Doppelhaushalt 2027/28" in de
    assert de.count('<tr><td class="num">') == 3  # its three actions
    be = html[html.index('id="partner-BE"') : html.index('id="partner-DE"')]
    assert '<a href="plans/BE_plan.html">' in be and "no plan workbook yet" in be
