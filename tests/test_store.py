"""p4c.store: one transaction per ingest, history, withdraw, rebuild, migration and clear errors."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from p4c import store
from p4c.cli import app
from p4c.config import Config, Project
from p4c.errors import P4CError
from p4c.ingest import ingest
from tests.books import service_row, workbook, write

RUNNER = CliRunner()


def rows(n: int, title: str) -> list[list[object]]:
    return [service_row(i, title=f"{title} {i}") for i in range(1, n + 1)]


def snapshot(folder: Path) -> tuple[list[str], list[str], int]:
    """(current BE titles, BE titles in history, lines in the submission log)."""
    current = store.read_table(folder, store.SERVICES)
    history = store.read_table(folder, store.SERVICES, history=True)
    log = store.submissions(folder)
    titles = sorted(current[current["partner"] == "BE"]["title"]) if current is not None else []
    old = sorted(history["title"]) if history is not None else []
    return titles, old, len(log)


def test_an_ingest_replaces_a_partner_and_keeps_its_rows_in_history(
    tmp_path: Path, project: Project, config: Config
) -> None:
    folder = project.processed_dir
    assert ingest([write(tmp_path / "BE.xlsx", workbook(rows(3, "Old")))], project, config).ok
    assert ingest([write(tmp_path / "v2" / "BE.xlsx", workbook(rows(2, "New")))], project, config).ok
    assert snapshot(folder) == (["New 1", "New 2"], ["Old 1", "Old 2", "Old 3"], 2)
    exported = pd.read_parquet(folder / store.SERVICES_FILE)
    assert sorted(exported["title"]) == ["New 1", "New 2"]
    history_files = sorted(p.name for p in (folder / store.HISTORY_DIR).rglob("*.parquet"))
    assert history_files == ["partners.parquet", "services.parquet"]


def test_the_exports_hold_what_the_store_holds(tmp_path: Path, project: Project, config: Config) -> None:
    """One partner's chunk is exported as it is, several are joined by Arrow: the same rows either
    way, read back by pandas; a replaced chunk's history file holds its old rows."""
    folder = project.processed_dir
    assert ingest([write(tmp_path / "BE.xlsx", workbook(rows(3, "Old")))], project, config).ok
    for table, name in ((store.SERVICES, store.SERVICES_FILE), (store.PARTNERS, store.PARTNERS_FILE)):
        pd.testing.assert_frame_equal(pd.read_parquet(folder / name), store.read_table(folder, table))
    books = [
        write(tmp_path / "v2" / "BE.xlsx", workbook(rows(2, "New"))),
        write(tmp_path / "v2" / "FR.xlsx", workbook(rows(4, "Fr"), code="FR")),
    ]
    assert ingest(books, project, config).ok
    exported = pd.read_parquet(folder / store.SERVICES_FILE)
    pd.testing.assert_frame_equal(exported, store.read_table(folder, store.SERVICES))
    assert sorted(exported["title"]) == ["Fr 1", "Fr 2", "Fr 3", "Fr 4", "New 1", "New 2"]
    (old,) = (folder / store.HISTORY_DIR).rglob(store.SERVICES_FILE)
    assert sorted(pd.read_parquet(old)["title"]) == ["Old 1", "Old 2", "Old 3"]


def test_an_export_is_written_again_only_when_its_table_or_its_file_changed(
    tmp_path: Path, project: Project, config: Config
) -> None:
    """A commit that leaves the services as they were (a scoring workbook's) keeps services.parquet
    as it is; a removed or edited export is written again by the next commit, from the store."""
    folder = project.processed_dir
    exported = folder / store.SERVICES_FILE
    assert ingest([write(tmp_path / "BE.xlsx", workbook(rows(3, "Old")))], project, config).ok
    before = exported.stat()
    scores = pd.DataFrame({"rater": ["FR"], "partner": ["BE"], "service_id": ["1"], "score": [4.0]})
    other_kind = [store.Submission("FR", {store.SCORES: scores}, "scoring")]
    store.commit(folder, other_kind, [])
    after = exported.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    exported.unlink()
    store.commit(folder, other_kind, [])
    pd.testing.assert_frame_equal(pd.read_parquet(exported), store.read_table(folder, store.SERVICES))
    exported.write_bytes(b"edited by hand")
    store.commit(folder, other_kind, [])
    pd.testing.assert_frame_equal(pd.read_parquet(exported), store.read_table(folder, store.SERVICES))
    assert ingest([write(tmp_path / "v2" / "BE.xlsx", workbook(rows(2, "New")))], project, config).ok
    assert sorted(pd.read_parquet(exported)["title"]) == ["New 1", "New 2"]


def test_a_kill_at_any_write_step_leaves_the_old_state_or_the_new(
    tmp_path: Path, project: Project, config: Config
) -> None:
    """SIGKILL at every write step of a second ingest: the store is the old state or the new one."""
    folder = project.processed_dir
    assert ingest([write(tmp_path / "BE.xlsx", workbook(rows(3, "Old")))], project, config).ok
    old = snapshot(folder)
    new_book = write(tmp_path / "v2" / "BE.xlsx", workbook(rows(2, "New")))
    new = (["New 1", "New 2"], ["Old 1", "Old 2", "Old 3"], 2)
    outcomes = []
    for kill_at in range(1, 40):
        trial = tmp_path / f"trial{kill_at}"
        shutil.copytree(project.root, trial)
        env = {**os.environ, "P4C_KILL_AT": str(kill_at)}
        done = subprocess.run(
            [sys.executable, "-m", "p4c", "--project", str(trial), "ingest", str(new_book)],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        state = snapshot(trial / "data" / "processed")
        assert state in (old, new), (kill_at, done.returncode, state)
        outcomes.append((done.returncode, state == new))
        if done.returncode == 0:
            break
    killed = [o for o in outcomes if o[0] == -9]
    assert outcomes[-1] == (0, True), "the last trial ran to the end without a kill"
    assert len(killed) >= 5, "the hook must stop the process before, inside and after the commit"
    assert any(not is_new for _, is_new in killed) and any(is_new for _, is_new in killed)


def test_an_empty_resubmission_is_an_error_and_changes_nothing(
    tmp_path: Path, project: Project, config: Config
) -> None:
    assert ingest([write(tmp_path / "BE.xlsx", workbook(rows(2, "Kept")))], project, config).ok
    report = ingest([write(tmp_path / "v2" / "BE.xlsx", workbook([]))], project, config)
    assert not report.ok
    assert report.files[0].errors[0].cell == "Services!A2"
    assert report.files[0].errors[0].message == (
        "no service below the header row (1): a workbook lists at least one service; to take "
        "partner BE out of the processed data, run `p4c withdraw BE`"
    )
    assert snapshot(project.processed_dir)[0] == ["Kept 1", "Kept 2"]


def test_withdraw_moves_a_partner_to_history(tmp_path: Path, project: Project, config: Config) -> None:
    assert ingest([write(tmp_path / "BE.xlsx", workbook(rows(2, "Gone")))], project, config).ok
    assert ingest([write(tmp_path / "FR.xlsx", workbook(rows(1, "Stays"), code="FR"))], project, config).ok
    result = RUNNER.invoke(app, ["--project", str(project.root), "withdraw", "be"])
    assert result.exit_code == 0, result.output
    assert "Withdrew BE: 2 services moved to history." in result.output
    assert store.owners(project.processed_dir) == ["FR"]
    assert snapshot(project.processed_dir)[1] == ["Gone 1", "Gone 2"]
    again = RUNNER.invoke(app, ["--project", str(project.root), "withdraw", "BE"])
    assert again.exit_code == 1
    assert "partner BE has no processed data to withdraw" in again.stderr
    assert "Partners in the store: FR." in again.stderr


def test_a_file_name_that_disagrees_with_the_partner_sheet_is_an_error(
    tmp_path: Path, project: Project, config: Config
) -> None:
    report = ingest([write(tmp_path / "DE_services.xlsx", workbook(code="BE"))], project, config)
    error = report.files[0].errors[0]
    assert (error.cell, error.message) == (
        "Partner!B1",
        "the Partner sheet says BE but the file name DE_services.xlsx says DE; they must agree "
        "(fix the sheet, or rename the file)",
    )
    assert store.owners(project.processed_dir) == []


def test_two_workbooks_of_one_partner_in_one_call_are_both_refused(
    tmp_path: Path, project: Project, config: Config
) -> None:
    one = write(tmp_path / "a" / "BE_2011.xlsx", workbook())
    two = write(tmp_path / "b" / "BE_2012.xlsx", workbook())
    report = ingest([one, two], project, config)
    assert [f.written for f in report.files] == [False, False]
    assert report.files[0].errors[-1].message == (
        "BE_2011.xlsx and BE_2012.xlsx are both workbooks of partner BE; ingest one of them"
    )
    assert report.files[1].errors[-1].message == (
        "BE_2012.xlsx and BE_2011.xlsx are both workbooks of partner BE; ingest one of them"
    )


def test_a_damaged_store_is_a_clear_error_and_rebuild_makes_it_again(
    tmp_path: Path, project: Project, config: Config
) -> None:
    write(project.raw_dir / "BE.xlsx", workbook(rows(2, "Raw")))
    assert ingest([project.raw_dir / "BE.xlsx"], project, config).ok
    database = store.db_path(project.processed_dir)
    database.write_bytes(database.read_bytes()[:100])  # truncated
    for path in database.parent.glob(database.name + "-*"):
        path.unlink()
    for command in (["status"], ["rank"], ["ingest", str(project.raw_dir)]):
        result = RUNNER.invoke(app, ["--project", str(project.root), *command])
        assert result.exit_code == 1, (command, result.output)
        assert "is damaged" in result.stderr and "p4c rebuild" in result.stderr, result.stderr
        assert "Traceback" not in result.output
    result = RUNNER.invoke(app, ["--project", str(project.root), "rebuild"])
    assert result.exit_code == 0, result.output
    assert "Set the damaged store aside as" in result.output
    assert snapshot(project.processed_dir)[0] == ["Raw 1", "Raw 2"]
    assert len(list(project.processed_dir.glob("p4c.sqlite.damaged-*"))) == 1


def test_a_read_only_store_is_a_clear_error(tmp_path: Path, project: Project, config: Config) -> None:
    if os.geteuid() == 0:
        pytest.skip("root writes to read-only folders; the message is checked through the mapping below")
    project.processed_dir.chmod(0o555)
    try:
        with pytest.raises(P4CError, match="read-only"):
            ingest([write(tmp_path / "BE.xlsx", workbook())], project, config)
    finally:
        project.processed_dir.chmod(0o755)


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (sqlite3.OperationalError("attempt to write a readonly database"), "is read-only"),
        (sqlite3.OperationalError("database or disk is full"), "is full; nothing was changed"),
        (OSError(28, "No space left on device"), "is full; nothing was changed"),
        (sqlite3.OperationalError("database is locked"), "another p4c command is writing"),
    ],
)
def test_store_errors_say_what_to_do(
    *,
    tmp_path: Path,
    project: Project,
    config: Config,
    monkeypatch: pytest.MonkeyPatch,
    error: Exception,
    message: str,
) -> None:
    def fail(*_args: object, **_kwargs: object) -> None:
        raise error

    monkeypatch.setattr(store, "_migrate", fail)
    with pytest.raises(P4CError, match=message):
        ingest([write(tmp_path / "BE.xlsx", workbook())], project, config)
    assert store.owners(project.processed_dir) == []


def test_p4c_0_1_parquet_files_are_migrated_on_first_use(
    tmp_path: Path, project: Project, config: Config
) -> None:
    assert ingest([write(tmp_path / "BE.xlsx", workbook(rows(2, "Legacy")))], project, config).ok
    folder = project.processed_dir
    store.db_path(folder).unlink()
    for path in folder.glob(store.DB_FILE + "-*"):
        path.unlink()
    assert snapshot(folder) == (["Legacy 1", "Legacy 2"], [], 1)


def test_stale_temporary_files_of_dead_processes_are_cleaned(tmp_path: Path) -> None:
    from p4c.io import write_text

    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True
    )
    pid = int(dead.stdout)
    stale = tmp_path / f".ranking.xlsx.p4ctmp{pid}.abc123.tmp"
    stale.write_text("half written")
    mine = tmp_path / f".ranking.xlsx.p4ctmp{os.getpid()}.xyz789.tmp"
    mine.write_text("being written")
    write_text(tmp_path / "ranking.xlsx", "done")
    assert not stale.exists() and mine.exists()


def test_the_submission_log_is_excel_safe(tmp_path: Path, project: Project, config: Config) -> None:
    """submissions.csv goes through the one CSV writer: BOM, and a file name that Excel would run as a
    formula is written as text."""
    path = write(tmp_path / '=HYPERLINK("x").xlsx', workbook())
    assert ingest([path], project, config).ok
    raw = (project.processed_dir / store.SUBMISSIONS_FILE).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert b'"\'=HYPERLINK(""x"").xlsx"' in raw


# --- the stages' CSVs ---------------------------------------------------------------------------------


def test_a_stage_csv_reads_back_what_fastcsv_wrote(tmp_path: Path) -> None:
    """Keys stay text (`007`, `NA`), every guarded formula-like text is itself again, numbers are numbers."""
    from p4c.fastcsv import write_csv

    frame = pd.DataFrame(
        {
            "partner": ["NA", "BE"],
            "service_id": ["007", "=1+1"],
            "title": ["-5 % cost", "@home\tand away"],
            "reasons": ["+ plus", "'quoted"],
            "score": [0.5, 1.25],
        }
    )
    path = tmp_path / "candidates.csv"
    write_csv(frame, path)
    assert "'=1+1" in path.read_text(encoding="utf-8-sig")  # guarded on disk
    back = store.read_stage_csv(
        path, ["partner", "score"], text=("partner", "service_id"), command="p4c shortlist"
    )
    pd.testing.assert_frame_equal(back.astype({"score": float}), frame, check_dtype=False)
    assert back["service_id"].tolist() == ["007", "=1+1"] and back["score"].dtype == "float64"


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.text(
            alphabet=st.sampled_from(["'", "=", "+", "-", "@", "\t", "a", " ", '"', ","]),
            min_size=1,
            max_size=6,
        ),
        min_size=1,
        max_size=5,
    )
)
def test_any_text_reads_back_as_written(tmp_path_factory: pytest.TempPathFactory, texts: list[str]) -> None:
    """Guarded or not (a `'` alone is no guard), every text is itself again: the quick look for a
    guard in the file's bytes never skips one that is there."""
    from p4c.fastcsv import write_csv

    path = tmp_path_factory.mktemp("csv") / "candidates.csv"
    frame = pd.DataFrame({"partner": ["BE"] * len(texts), "title": texts})
    write_csv(frame, path)
    back = store.read_stage_csv(path, ["title"], text=("partner", "title"), command="p4c shortlist")
    assert back["title"].fillna("").tolist() == texts


def test_a_stage_csv_without_its_columns_or_unreadable_says_what_to_run(tmp_path: Path) -> None:
    path = tmp_path / "shortlist.csv"
    path.write_text("partner,rank\nBE,1\n", encoding="utf-8")
    with pytest.raises(P4CError) as raised:
        store.read_stage_csv(path, ["partner", "service_id", "rank"], text=(), command="p4c shortlist")
    assert raised.value.message == f"{path} lacks the column(s) service_id"
    assert raised.value.hint == "It was written by another version of p4c; run `p4c shortlist` again."
    path.write_bytes(b"partner,rank\n\xff\xfe,1\n")
    with pytest.raises(P4CError) as raised:
        store.read_stage_csv(path, ["partner"], text=(), command="p4c rank")
    assert raised.value.message.startswith(f"{path} cannot be read (")
    assert raised.value.hint == "Run `p4c rank` again to rewrite it."
