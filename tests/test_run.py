"""`p4c run` end to end: on the shipped sample data, and on a folder where one workbook is broken."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from p4c.cli import app
from tests.books import service_row, workbook, write

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()
AS_OF = "2026-11-01"
OUTPUTS = [
    "BE_plan.docx",
    "BE_plan.html",
    "DE_plan.docx",
    "DE_plan.html",
    "EE_plan.docx",
    "EE_plan.html",
    "FR_plan.docx",
    "FR_plan.html",
    "GR_plan.docx",
    "GR_plan.html",
    "MT_plan.docx",
    "MT_plan.html",
    "SI_plan.docx",
    "SI_plan.html",
    "candidates.csv",
    "evaluation.csv",
    "evaluation.xlsx",
    "field_test_results.csv",
    "field_tests.csv",
    "index.html",
    "ranking.csv",
    "ranking.json",
    "ranking.xlsx",
    "report.html",
    "report.json",
    "report.xlsx",
    "scoring.xlsx",
    "shortlist.csv",
    "shortlist.json",
    "shortlist.xlsx",
    "weight_stability.csv",
]


@pytest.fixture
def sample_project(tmp_path: Path) -> Path:
    """A copy of the repository's project: its config and the shipped sample workbooks."""
    root = tmp_path / "sample"
    shutil.copytree(ROOT / "config", root / "config")
    shutil.copytree(ROOT / "data" / "raw", root / "data" / "raw")
    (root / "data" / "processed").mkdir()
    return root


def run(root: Path, *args: str) -> object:
    return runner.invoke(app, ["--project", str(root), "run", "--as-of", AS_OF, "--samples", "200", *args])


def test_run_on_the_sample_data(sample_project: Path) -> None:
    raw_before = {p.name: p.read_bytes() for p in (sample_project / "data" / "raw").iterdir()}
    result = run(sample_project)
    assert result.exit_code == 0, result.output
    processed = sample_project / "data" / "processed"
    for name in OUTPUTS:
        folder = processed / "plans" if "_plan." in name else processed
        folder = processed / "catalogue" if name == "index.html" else folder
        assert (folder / name).is_file(), name
    services = pd.read_parquet(processed / "services.parquet")
    assert sorted(services["partner"].unique()) == ["BE", "DE", "EE", "FR", "GR", "MT", "SI"]
    ranking = pd.read_csv(processed / "ranking.csv", encoding="utf-8-sig")
    assert len(ranking) == len(services)
    shortlist = pd.read_csv(processed / "shortlist.csv", encoding="utf-8-sig")
    assert len(shortlist) == 15
    assert shortlist.groupby("partner").size().max() <= 3
    assert shortlist["category"].nunique() >= 5
    tests = pd.read_csv(processed / "field_tests.csv", encoding="utf-8-sig")
    assert tests.groupby("partner").size().to_dict() == dict.fromkeys(services["partner"].unique(), 2)
    assert (tests["partner"] != tests["practice_partner"]).all()
    assert tests.groupby(["practice_partner", "service_id"]).size().max() <= 3
    assert set(tests["mode"]) <= {"IMPLEMENTATION", "WORKSHOP"}
    html = (processed / "report.html").read_text(encoding="utf-8")
    assert all(title in html for title in shortlist["title"].map(str).str.replace("&", "&amp;"))
    assert openpyxl.load_workbook(processed / "report.xlsx").sheetnames
    for line in (
        "partners",
        "services ranked",
        "good-practice candidates",
        "shortlisted practices",
        "field tests planned",
    ):
        assert line in result.stdout
    assert "report.html" in result.stdout
    assert {p.name: p.read_bytes() for p in (sample_project / "data" / "raw").iterdir()} == raw_before


def test_run_is_reproducible(sample_project: Path) -> None:
    assert run(sample_project, "--seed", "7").exit_code == 0
    processed = sample_project / "data" / "processed"
    first = {
        n: (processed / n).read_bytes()
        for n in ("ranking.csv", "candidates.csv", "shortlist.csv", "field_tests.csv")
    }
    assert run(sample_project, "--seed", "7", "--lang", "DE").exit_code == 0  # the language changes no number
    assert {n: (processed / n).read_bytes() for n in first} == first
    assert '<html lang="de">' in (processed / "report.html").read_text(encoding="utf-8")
    assert openpyxl.load_workbook(processed / "ranking.xlsx").sheetnames[0] == "Rangliste"
    assert '<html lang="de"' in (processed / "catalogue" / "index.html").read_text(encoding="utf-8")


def test_run_with_a_broken_workbook(sample_project: Path, tmp_path: Path) -> None:
    raw = sample_project / "data" / "raw"
    (raw / "ZZ_notes.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    write(raw / "IE_services.xlsx", workbook([service_row(1, impact=9)], code="IE"))
    result = run(sample_project)
    assert result.exit_code == 1
    assert "ZZ_notes.xlsx" in result.output and "IE_services.xlsx" in result.output
    assert "not every workbook could be ingested" in result.stderr
    processed = sample_project / "data" / "processed"
    services = pd.read_parquet(processed / "services.parquet")
    assert "IE" not in set(services["partner"])
    assert (processed / "report.html").is_file()  # the others went on to the end


def test_run_without_workbooks(tmp_path: Path) -> None:
    root = tmp_path / "empty"
    assert runner.invoke(app, ["init", str(root)]).exit_code == 0
    result = runner.invoke(app, ["--project", str(root), "run"])
    assert result.exit_code == 1 and "no workbook in" in result.stderr


def test_run_bad_as_of(sample_project: Path) -> None:
    result = runner.invoke(app, ["--project", str(sample_project), "run", "--as-of", "01/11/2026"])
    assert result.exit_code == 2 and "YYYY-MM-DD" in result.output


def test_run_above_excels_row_limit_writes_the_csv_and_says_why(
    sample_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Excel holds 1,048,575 rows: with the limit patched to 100, the 137 sample services exceed it."""
    import p4c.rank

    monkeypatch.setattr(p4c.rank, "XLSX_MAX_ROWS", 100)
    result = run(sample_project)
    assert result.exit_code == 0, result.output
    processed = sample_project / "data" / "processed"
    assert (processed / "ranking.csv").is_file() and not (processed / "ranking.xlsx").exists()
    ranked = len(pd.read_csv(processed / "ranking.csv"))
    assert ranked > 100
    assert (
        f"note: ranking.xlsx not written: {ranked:,} services exceed Excel's 100 rows "
        "(the CSV holds them all)" in " ".join(result.output.split())
    )


def test_run_json_is_the_only_stdout(sample_project: Path) -> None:
    import json

    result = run(sample_project, "--json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert list(doc) == ["ok", "ingest", "ranking", "shortlist", "outputs", "notes"]
    raw = sorted((sample_project / "data" / "raw").iterdir())
    assert doc["ok"] is True and len(doc["ingest"]["files"]) == len(raw)
    assert list(doc["ranking"]) == ["method", "weights", "k", "partners", "services"]
    assert (doc["ranking"]["method"], doc["ranking"]["k"], doc["ranking"]["partners"]) == ("wsm", 15, 7)
    assert list(doc["shortlist"]) == ["candidates", "shortlist", "field_tests", "notes"]
    assert len(doc["shortlist"]["shortlist"]) == 15 and len(doc["shortlist"]["field_tests"]) == 14
    assert sorted(Path(p).name for p in doc["outputs"]) == OUTPUTS
    report = runner.invoke(app, ["--project", str(sample_project), "report", "--as-of", AS_OF, "--json"])
    assert report.exit_code == 0, report.output
    assert [Path(p).name for p in json.loads(report.stdout)["outputs"]] == [
        "report.html",
        "report.xlsx",
        "report.json",
    ]


def test_run_reports_its_stages_and_draws(sample_project: Path) -> None:
    from p4c import pipeline
    from p4c.config import Project

    project = Project(sample_project)
    stages: list[str] = []
    draws: list[tuple[int, int]] = []
    files: list[Path] = []
    pipeline.run(
        project,
        project.load_config(),
        pipeline.RunOptions(samples=300, as_of=None),
        progress=files.append,
        stage=stages.append,
        draws=lambda done, total: draws.append((done, total)),
    )
    assert stages == ["ingest", "rank", "shortlist", "report", "catalogue"]
    assert len(files) == len(list((sample_project / "data" / "raw").iterdir()))
    assert draws[-1] == (300, 300) and all(total == 300 for _, total in draws)
    assert [done for done, _ in draws] == sorted({done for done, _ in draws})


# --- the report never mixes runs -------------------------------------------------------------------


def cli(root: Path, *args: str) -> Any:
    return runner.invoke(app, ["--project", str(root), *args])


def annex_weights(html: str) -> dict[str, str]:
    """criterion id -> the "Weight used" cell of the annex's criteria table."""
    annex = html[html.index('<section id="annex">') :]
    rows = re.findall(
        r'<span class="mono">([a-z_]+)</span>.*?<td class="num">[^<]*</td><td class="num">([^<]*)</td></tr>',
        annex,
        flags=re.S,
    )
    return dict(rows)


def test_report_refuses_a_shortlist_ranked_otherwise_than_the_ranking(sample_project: Path) -> None:
    assert run(sample_project).exit_code == 0
    processed = sample_project / "data" / "processed"
    assert (processed / "ranking.json").is_file() and (processed / "shortlist.json").is_file()
    before = (processed / "report.html").read_bytes()
    result = cli(sample_project, "shortlist", "--as-of", AS_OF, "-w", "impact=0.6", "-w", "relevance=0")
    assert result.exit_code == 0, result.output
    result = cli(sample_project, "report", "--as-of", AS_OF)
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    message = " ".join(result.stderr.split())
    assert "shortlist.csv and ranking.csv" in message and "come from different rankings" in message
    assert "p4c run" in message and "p4c shortlist" in message
    assert (processed / "report.html").read_bytes() == before  # nothing half-written


def test_report_after_rank_and_shortlist_with_the_same_weights(sample_project: Path) -> None:
    """rank -w (no --stability) leaves the old weight_stability.csv: the report must not use it."""
    assert run(sample_project).exit_code == 0
    weights = ["-w", "impact=0.6", "-w", "relevance=0"]
    assert cli(sample_project, "rank", *weights).exit_code == 0
    assert cli(sample_project, "shortlist", "--as-of", AS_OF, *weights).exit_code == 0
    result = cli(sample_project, "report", "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    processed = sample_project / "data" / "processed"
    html = (processed / "report.html").read_text(encoding="utf-8")
    used = annex_weights(html)
    assert used["relevance"] == "0.000"
    assert float(used["impact"]) > 0.3
    assert "intervals were left out: they were computed for a ranking with other settings" in " ".join(
        html.split()
    )
    ranking = pd.read_csv(processed / "ranking.csv", encoding="utf-8-sig", dtype={"service_id": str})
    shortlist = pd.read_csv(processed / "shortlist.csv", encoding="utf-8-sig", dtype={"service_id": str})
    merged = shortlist.merge(ranking, on=["partner", "service_id"], suffixes=("", "_ranking"))
    assert len(merged) == len(shortlist)
    assert (merged["score"] == merged["score_ranking"]).all()
    assert (merged["rank"] == merged["rank_ranking"]).all()


def test_report_refuses_outputs_of_older_inputs(sample_project: Path) -> None:
    assert run(sample_project).exit_code == 0
    raw = sample_project / "data" / "raw"
    openpyxl.load_workbook(raw / "BE_services.xlsx").save(raw / "BE_services.xlsx")  # a new sha256
    assert cli(sample_project, "ingest", str(raw / "BE_services.xlsx")).exit_code == 0
    result = cli(sample_project, "report", "--as-of", AS_OF)
    assert result.exit_code == 1
    message = " ".join(result.stderr.split())
    assert "ranking.csv was made from other partner data" in message and "BE" in message


def test_report_and_shortlist_both_work_right_after_ingest(sample_project: Path) -> None:
    raw = sample_project / "data" / "raw"
    assert cli(sample_project, "ingest", *map(str, sorted(raw.iterdir()))).exit_code == 0
    result = cli(sample_project, "report", "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    processed = sample_project / "data" / "processed"
    assert not (processed / "ranking.csv").exists() and not (processed / "shortlist.csv").exists()
    html = " ".join((processed / "report.html").read_text(encoding="utf-8").split())
    assert "the ranking was computed for this report" in html
    assert cli(sample_project, "shortlist", "--as-of", AS_OF).exit_code == 0
    shortlist = pd.read_csv(processed / "shortlist.csv", encoding="utf-8-sig")
    html = (processed / "report.html").read_text(encoding="utf-8")
    assert all(str(t).replace("&", "&amp;") in html for t in shortlist["title"])


# --- no traceback, whatever the partners sent -------------------------------------------------------

SAMPLE_FILES = sorted(p.name for p in (ROOT / "data" / "raw").iterdir())


def strip_needs(source: Path, target: Path) -> None:
    """A copy of a workbook without its Needs sheet (the sheet is optional)."""
    book = openpyxl.load_workbook(source)
    for name in list(book.sheetnames):
        if name.strip().lower() in {"needs", "besoins", "bedarf", "bedürfnisse"}:
            del book[name]
    book.save(target)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    files=st.lists(st.sampled_from(SAMPLE_FILES), min_size=1, max_size=len(SAMPLE_FILES), unique=True),
    needs=st.booleans(),
    csv_only=st.booleans(),
)
def test_run_never_shows_a_traceback(
    tmp_path_factory: pytest.TempPathFactory, files: list[str], needs: bool, csv_only: bool
) -> None:
    root = tmp_path_factory.mktemp("prop") / "project"
    assert runner.invoke(app, ["init", str(root)]).exit_code == 0
    raw = root / "data" / "raw"
    for old in raw.iterdir():
        old.unlink()
    chosen = [f for f in files if f.endswith(".csv")] if csv_only else files
    for name in chosen or ["MT_services.csv"]:
        source = ROOT / "data" / "raw" / name
        if not needs and name.endswith(".xlsx"):
            strip_needs(source, raw / name)
        else:
            shutil.copy(source, raw / name)
    result = runner.invoke(app, ["--project", str(root), "run", "--as-of", AS_OF, "--samples", "50"])
    assert result.exit_code in (0, 1), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    if result.exit_code == 1:
        assert "error:" in result.stderr
    report = runner.invoke(app, ["--project", str(root), "report", "--as-of", AS_OF])
    assert report.exit_code in (0, 1), report.output
    assert report.exception is None or isinstance(report.exception, SystemExit), report.exception


def test_catalogue_command_after_run(sample_project: Path) -> None:
    """`p4c catalogue --lang all` writes one site per language from the store and the run's files."""
    assert run(sample_project).exit_code == 0
    out = sample_project / "site"
    result = runner.invoke(
        app, ["--project", str(sample_project), "catalogue", "--lang", "ALL", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "Wrote the catalogue in" in " ".join(result.stdout.split())
    for lang in ("en", "fr", "de"):
        assert (out / lang / "index.html").is_file(), lang
    assert (out / "opendata" / "datapackage.json").is_file()
    bad = runner.invoke(app, ["--project", str(sample_project), "catalogue", "--lang", "it"])
    assert bad.exit_code == 2 and "is not one of en, fr, de, all" in " ".join(
        bad.stderr.replace("│", " ").split()
    )


# --- the catalogue beside the report -----------------------------------------------------------------


def _files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def test_the_catalogue_built_beside_the_report_is_the_one_built_after_it(
    sample_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`concurrent` (the default from CONCURRENT_MIN services) only moves the ranking's workbook,
    the plans and the catalogue into a second process: the same files, the same outputs listed, and
    ranking.json and shortlist.json record the workbooks as they were written."""
    import json

    from p4c import pipeline
    from p4c.config import Project
    from p4c.report.provenance import file_sha256
    from p4c.store import CATALOGUE_DIR

    project = Project(sample_project)
    config = project.load_config()
    folder = project.processed_dir
    site = folder / CATALOGUE_DIR
    results, sites, books, plans = [], [], [], []
    handed: list[str] = []
    real = pipeline._Aside.submit

    def spy(self: Any, task: Any, *args: Any) -> None:
        handed.append(task.__name__)
        real(self, task, *args)

    monkeypatch.setattr(pipeline._Aside, "submit", spy)
    for concurrent in (False, True):
        options = pipeline.RunOptions(samples=200, as_of=None, seed=5, concurrent=concurrent)
        results.append(pipeline.run(project, config, options))
        sites.append(_files(site))
        books.append({name: _sheets(folder / name) for name in ("ranking.xlsx", "shortlist.xlsx")})
        plans.append(
            {
                p.name: p.read_bytes() if p.suffix == ".html" else _sheets(p)
                for p in (folder / "plans").iterdir()
            }
        )
        for manifest, book in (("ranking.json", "ranking.xlsx"), ("shortlist.json", "shortlist.xlsx")):
            recorded = json.loads((folder / manifest).read_text(encoding="utf-8"))["outputs"]
            assert recorded[book] == file_sha256(folder / book), (concurrent, manifest)
    assert handed == ["_ranking_book", "write_plan_files", "write_catalogue"]  # 2nd run
    assert sites[0] == sites[1] and len(sites[0]) > 150
    assert books[0] == books[1]
    assert plans[0] == plans[1] and len(plans[0]) == 14
    assert results[0].outputs == results[1].outputs
    assert set(results[1].timings) == {"ingest", "rank", "shortlist", "report", "catalogue"}


def test_a_run_with_the_plans_beside_the_report_links_every_plan(sample_project: Path) -> None:
    """On a fresh project the plans do not exist when the report starts: it reads their folder once
    the second process has written them."""
    from p4c import pipeline
    from p4c.config import Project
    from p4c.store import PLAN_HTML, PLANS_DIR

    project = Project(sample_project)
    assert not (project.processed_dir / PLANS_DIR).exists()
    options = pipeline.RunOptions(samples=50, concurrent=True)
    result = pipeline.run(project, project.load_config(), options)
    page = (project.processed_dir / "report.html").read_text(encoding="utf-8")
    codes = sorted(p.name.split("_")[0] for p in result.outputs if p.name.endswith("_plan.html"))
    assert len(codes) == 7
    for code in codes:
        assert f'href="{PLANS_DIR}/{PLAN_HTML.format(partner=code)}"' in page, code


def _sheets(book: Path) -> dict[str, bytes]:
    """A workbook's parts but its properties (which hold the time it was written)."""
    import zipfile

    with zipfile.ZipFile(book) as zf:
        return {name: zf.read(name) for name in zf.namelist() if not name.startswith("docProps/")}


def test_a_catalogue_error_in_the_second_process_is_the_users_error(sample_project: Path) -> None:
    """The catalogue refuses a folder it did not make; raised in the child, said by `p4c run`."""
    from p4c import pipeline
    from p4c.config import Project
    from p4c.errors import P4CError
    from p4c.store import CATALOGUE_DIR

    project = Project(sample_project)
    site = project.processed_dir / CATALOGUE_DIR
    site.mkdir()
    (site / "mine.txt").write_text("not a catalogue", encoding="utf-8")
    with pytest.raises(P4CError) as raised:
        pipeline.run(project, project.load_config(), pipeline.RunOptions(samples=50, concurrent=True))
    assert raised.value.message == f"catalogue: {site} is not empty and is not a p4c catalogue"
    assert raised.value.hint == "Choose a new or empty folder: the whole folder is replaced on each run."
    assert _files(site) == {"mine.txt": b"not a catalogue"}


@pytest.mark.parametrize("stage", ["ingest", "report"])
def test_a_failed_stage_stops_the_second_process(
    sample_project: Path, monkeypatch: pytest.MonkeyPatch, stage: str
) -> None:
    """When ingest fails (the second process started before it) or the report does (the second
    process building the catalogue), the child is stopped, not left running."""
    from p4c import ingest as ingest_stage
    from p4c import pipeline
    from p4c import report as report_stage
    from p4c.config import Project
    from p4c.errors import P4CError

    children: list[Any] = []
    real = pipeline._Aside.__init__

    def spy(self: Any, *args: Any) -> None:
        real(self, *args)
        children.append(self._child)

    def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise P4CError(f"the {stage} broke")

    monkeypatch.setattr(pipeline._Aside, "__init__", spy)
    monkeypatch.setattr(
        *((ingest_stage, "ingest") if stage == "ingest" else (report_stage, "report")), broken
    )
    project = Project(sample_project)
    with pytest.raises(P4CError, match=f"the {stage} broke"):
        pipeline.run(project, project.load_config(), pipeline.RunOptions(samples=50, concurrent=True))
    assert len(children) == 1 and children[0].returncode is not None


def test_a_second_process_that_dies_is_said_so() -> None:
    import os

    from p4c import pipeline
    from p4c.errors import P4CError

    aside = pipeline._Aside()
    aside.submit(os._exit, 3)  # type: ignore[arg-type]
    with pytest.raises(P4CError) as raised:
        aside.answer()
    aside.close()
    assert raised.value.message == "the second process of `p4c run` stopped (exit 3): no message"


@pytest.mark.parametrize(("low", "high", "aside"), [(0, 10**6, True), (10**6, 10**7, False), (0, 10, False)])
def test_the_catalogue_goes_beside_the_report_only_within_its_range(
    sample_project: Path, monkeypatch: pytest.MonkeyPatch, low: int, high: int, aside: bool
) -> None:
    """Below CONCURRENT_MIN a second process costs more than it saves; above CONCURRENT_MAX the two
    processes would need too much memory: the catalogue then follows the report."""
    from p4c import pipeline
    from p4c.config import Project

    started: list[object] = []
    real = pipeline._Aside.submit

    def spy(self: Any, task: Any, *args: Any) -> None:
        if task is pipeline.write_catalogue:
            started.append(args[-1])  # the page workers asked for
        real(self, task, *args)

    monkeypatch.setattr(pipeline._Aside, "submit", spy)
    monkeypatch.setattr(pipeline, "CONCURRENT_MIN", low)
    monkeypatch.setattr(pipeline, "CONCURRENT_MAX", high)
    project = Project(sample_project)
    result = pipeline.run(project, project.load_config(), pipeline.RunOptions(samples=50))
    assert started == ([pipeline.ASIDE_PAGE_WORKERS] if aside else [])
    assert (project.processed_dir / "catalogue" / "index.html") in result.outputs


def test_the_second_process_imports_while_it_waits_and_is_stopped_unused() -> None:
    """Started before its task is known, the child imports what it was told to, and a run that
    fails before handing it the task (close() without start()) leaves no process behind."""
    from p4c import pipeline

    aside = pipeline._Aside(("wave", "no_such_module_p4c"))  # wave: imported by nothing of p4c
    aside.submit(_loaded, ["wave", "tabnanny"])
    assert aside.answer() == [Path("wave")]
    aside.close()
    idle = pipeline._Aside(("wave",))
    idle.close()
    assert idle._child.returncode is not None


def _loaded(names: list[str]) -> list[Path]:
    """In the child: which of the modules `names` were imported before the task came."""
    import sys

    return [Path(name) for name in names if name in sys.modules]


@pytest.mark.parametrize("concurrent", [False, True])
def test_a_failed_shortlist_still_records_the_ranking_it_follows(
    sample_project: Path, monkeypatch: pytest.MonkeyPatch, concurrent: bool
) -> None:
    """ranking.xlsx may be written beside the shortlist: when the shortlist fails, ranking.json is
    still written once the workbook is, recording it, and the shortlist's error is the one said."""
    import json

    from p4c import pipeline
    from p4c import shortlist as shortlist_stage
    from p4c.config import Project
    from p4c.errors import P4CError
    from p4c.report.provenance import file_sha256

    def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise P4CError("the shortlist broke")

    monkeypatch.setattr(shortlist_stage, "shortlist", broken)
    project = Project(sample_project)
    folder = project.processed_dir
    with pytest.raises(P4CError, match="the shortlist broke"):
        pipeline.run(project, project.load_config(), pipeline.RunOptions(samples=50, concurrent=concurrent))
    recorded = json.loads((folder / "ranking.json").read_text(encoding="utf-8"))["outputs"]
    assert recorded["ranking.xlsx"] == file_sha256(folder / "ranking.xlsx")
    assert recorded["ranking.csv"] == file_sha256(folder / "ranking.csv")
    assert not (folder / "shortlist.json").exists()


def test_the_second_process_does_its_tasks_in_turn_and_answers_in_order(tmp_path: Path) -> None:
    """Each answer is its own task's, a task's error comes back at its turn (the later tasks still
    run), and close() leaves no task file behind, even for tasks the child never took."""

    from p4c import pipeline
    from p4c.errors import P4CError

    aside = pipeline._Aside()
    aside.submit(_echo, "first")
    aside.submit(_fail, "second")
    aside.submit(_echo, "third")
    assert aside.answer() == [Path("first")]
    with pytest.raises(P4CError, match="task second failed"):
        aside.answer()
    assert aside.answer() == [Path("third")]
    aside.close()
    stuck = pipeline._Aside()
    stuck.submit(_sleep, 30.0)
    stuck.submit(_echo, "never")
    pending = list(stuck._tasks)
    assert len(pending) == 2 and pending[1].exists()
    stuck.close()
    assert stuck._child.returncode is not None
    assert not any(path.exists() for path in pending)


def _echo(text: str) -> list[Path]:
    return [Path(text)]


def _fail(text: str) -> list[Path]:
    from p4c.errors import P4CError

    raise P4CError(f"task {text} failed")


def _sleep(seconds: float) -> list[Path]:
    import time

    time.sleep(seconds)
    return []


def test_without_room_for_a_task_file_the_task_is_done_here_in_its_turn(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A full temporary folder does not stop the run: the task is done in this process, and its
    answer (or its error) still comes in its turn."""
    import tempfile

    from p4c import pipeline
    from p4c.errors import P4CError

    aside = pipeline._Aside()
    aside.submit(_echo, "child")
    real = tempfile.mkstemp

    def full(*_args: Any, **_kwargs: Any) -> Any:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(tempfile, "mkstemp", full)
    aside.submit(_echo, "here")
    aside.submit(_fail, "here too")
    monkeypatch.setattr(tempfile, "mkstemp", real)
    aside.submit(_echo, "child again")
    assert aside.answer() == [Path("child")]
    assert aside.answer() == [Path("here")]
    with pytest.raises(P4CError, match="task here too failed"):
        aside.answer()
    assert aside.answer() == [Path("child again")]
    aside.close()


def test_a_second_process_that_cannot_start_leaves_the_run_to_this_one(
    sample_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No new process (or no temporary file for its errors): `p4c run` does every task itself."""
    import subprocess

    from p4c import pipeline
    from p4c.config import Project

    def refused(*_args: Any, **_kwargs: Any) -> Any:
        raise OSError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(subprocess, "Popen", refused)
    project = Project(sample_project)
    result = pipeline.run(project, project.load_config(), pipeline.RunOptions(samples=50, concurrent=True))
    assert (project.processed_dir / "catalogue" / "index.html") in result.outputs
    assert (project.processed_dir / "ranking.xlsx") in result.outputs


def test_then_finishes_after_an_error_but_not_after_an_interrupt() -> None:
    """A stage's record follows its files when a later step fails; Ctrl-C waits for nothing."""
    from p4c.pipeline import _then

    done: list[str] = []
    with pytest.raises(ValueError, match="later step"), _then(lambda: done.append("error")):
        raise ValueError("later step")
    with pytest.raises(KeyboardInterrupt), _then(lambda: done.append("interrupt")):
        raise KeyboardInterrupt
    with _then(lambda: done.append("ok")):
        pass
    assert done == ["error", "ok"]


def test_a_task_that_prints_does_not_spoil_the_answers() -> None:
    """What a task (or a library) prints goes to the second process's stderr, not into the
    answers, which the parent reads from its stdout."""
    from p4c import pipeline

    aside = pipeline._Aside()
    aside.submit(_chatty, "spoken")
    aside.submit(_echo, "after")
    assert aside.answer() == [Path("spoken")]
    assert aside.answer() == [Path("after")]
    aside.close()


def _chatty(text: str) -> list[Path]:
    import os

    print("a line on stdout")
    os.write(1, b"and one written to fd 1\n")
    return [Path(text)]


def test_here_raises_a_tasks_error_at_its_answer_as_the_second_process_does() -> None:
    """Both ways write the same files before a task's error is said: it comes at its answer."""
    from p4c import pipeline
    from p4c.errors import P4CError

    here = pipeline._Here()
    here.submit(_fail, "first")
    here.submit(_echo, "second")
    with pytest.raises(P4CError, match="task first failed"):
        here.answer()
    assert here.answer() == [Path("second")]


@pytest.mark.parametrize(
    ("early_bytes", "low", "concurrent", "events", "used"),
    [
        (1, 0, None, ["aside", "ingest"], True),  # large files: started before ingest, then used
        (10**12, 0, None, ["ingest", "aside"], True),  # small files: started after ingest
        (1, 10**6, None, ["aside", "ingest"], False),  # too few services after all: stopped unused
        (1, 0, False, ["ingest"], False),  # not wanted: never started
        (10**12, 10**6, True, ["aside", "ingest"], True),  # asked for: started first, whatever the size
    ],
)
def test_the_second_process_starts_before_ingest_where_the_files_are_large(  # noqa: PLR0917
    sample_project: Path,
    monkeypatch: pytest.MonkeyPatch,
    early_bytes: int,
    low: int,
    concurrent: bool | None,
    events: list[str],
    used: bool,
) -> None:
    """Its imports then use the CPU ingest leaves idle; one process at most, stopped when unused."""
    from p4c import ingest as ingest_stage
    from p4c import pipeline
    from p4c.config import Project

    seen: list[str] = []
    children: list[Any] = []
    handed: list[str] = []
    real_init, real_submit, real_ingest = (
        pipeline._Aside.__init__,
        pipeline._Aside.submit,
        ingest_stage.ingest,
    )

    def init(self: Any, *args: Any) -> None:
        real_init(self, *args)
        seen.append("aside")
        children.append(self._child)

    def submit(self: Any, task: Any, *args: Any) -> None:
        handed.append(task.__name__)
        real_submit(self, task, *args)

    def ingest(*args: Any, **kwargs: Any) -> Any:
        seen.append("ingest")
        return real_ingest(*args, **kwargs)

    monkeypatch.setattr(pipeline._Aside, "__init__", init)
    monkeypatch.setattr(pipeline._Aside, "submit", submit)
    monkeypatch.setattr(ingest_stage, "ingest", ingest)
    monkeypatch.setattr(pipeline, "EARLY_BYTES", early_bytes)
    monkeypatch.setattr(pipeline, "CONCURRENT_MIN", low)
    project = Project(sample_project)
    options = pipeline.RunOptions(samples=50, concurrent=concurrent)
    result = pipeline.run(project, project.load_config(), options)
    assert seen == events
    assert (handed != []) is used
    assert all(child.returncode is not None for child in children)  # none left running
    assert (project.processed_dir / "catalogue" / "index.html") in result.outputs
