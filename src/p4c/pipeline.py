"""`p4c run`: the whole job on a project folder, each stage's outputs saved as it goes.

Ingest every workbook of data/raw/ (a broken one is reported and skipped), rank with Monte Carlo
and weight stability, shortlist and plan the field tests, evaluate the field-test reports when
there are any, then write the reports.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from p4c.errors import P4CError

if TYPE_CHECKING:
    import pandas as pd

    from p4c.config import Config, Project
    from p4c.ingest import IngestReport
    from p4c.models import Language
    from p4c.rank import RankResult
    from p4c.report.provenance import RankedBy
    from p4c.shortlist import ShortlistResult
    from p4c.store import Processed

DEFAULT_SAMPLES = 1000
# From CONCURRENT_MIN services up to CONCURRENT_MAX, `run` hands tasks to a second process: the
# rankings' workbooks while this one chooses the shortlist, then the plans and the catalogue while
# it writes shortlist.xlsx and the report; each reads only what the earlier stages wrote.
# Below, starting a Python process (about a second of imports) costs more than it saves; above, the
# two processes together would take the run past its 2 GB at 100,000 services, so the catalogue
# follows the report and renders its pages with forked workers instead.
CONCURRENT_MIN = 5_000
CONCURRENT_MAX = 50_000
# From EARLY_BYTES of partner files the second process starts before ingest rather than after it,
# its imports (about 0.6 s of CPU) beside ingest's one busy CPU rather than beside the Monte Carlo's
# two threads; it is stopped unused when the run has fewer than CONCURRENT_MIN or more than
# CONCURRENT_MAX services. The benchmark's workbooks hold about 100 bytes a service (21,000 services:
# 2.1 MB), the sample's 140 services 0.4 MB: 1 MB is about 10,000 services of the first and more
# than a small partnership's files.
EARLY_BYTES = 1_000_000
# The second process renders the catalogue's pages in two forked workers: by then this process is
# mostly done with the report, and the pages are the catalogue's last 0.8 s of CPU at 21,000
# services (measured: the second process done 0.2-0.3 s sooner than with the pages rendered in it).
ASIDE_PAGE_WORKERS = 2


@dataclass(frozen=True)
class RunOptions:
    as_of: dt.date | None = None
    samples: int = DEFAULT_SAMPLES
    seed: int | None = None
    lang: Language = "en"  # the report, the .xlsx workbooks and the catalogue; plans keep their own
    concurrent: bool | None = None  # the second process (None: by CONCURRENT_MIN and _MAX)


@dataclass
class RunResult:
    """What each stage produced, for the closing summary."""

    ingest: IngestReport
    ranking: RankResult
    shortlist: ShortlistResult
    outputs: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # outputs left out, and why
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage, for bench/bench_run.py

    @property
    def ok(self) -> bool:
        return self.ingest.ok


def raw_files(project: Project) -> list[Path]:
    from p4c.io import workbook_files

    if not project.raw_dir.is_dir():
        raise P4CError(
            f"no data/raw/ folder in {project.root}",
            hint="Put the partners' workbooks in data/raw/ (or run `p4c init DIR`).",
        )
    return workbook_files(project.raw_dir)


def how_ranked(ranking: RankResult, config: Config, *, samples: int, seed: int | None) -> RankedBy:
    """How `ranking` was ranked, as the manifests record it (`seed` None: the config's)."""
    from p4c.report.provenance import RankedBy

    return RankedBy(
        method=ranking.method,
        weights=ranking.weights,
        samples=samples,
        seed=config.stability.seed if seed is None else seed,
        stability=ranking.stability is not None,
    )


def record_rank(
    folder: Path,
    config: Config,
    partners: pd.DataFrame,
    ranking: RankResult,
    *,
    samples: int,
    seed: int | None,
    outputs: Sequence[Path],
) -> Path:
    """Write ranking.json, the record that lets `p4c report` prove that what it shows belongs
    together: how `ranking` was ranked and the files it went to. Returns its path."""
    from p4c.report.provenance import record_ranking

    ranked_by = how_ranked(ranking, config, samples=samples, seed=seed)
    return record_ranking(
        folder, config=config, partners=partners, ranking=ranking.table, ranked_by=ranked_by, outputs=outputs
    )


def run(
    project: Project,
    config: Config,
    options: RunOptions = RunOptions(),
    progress: Callable[[Path], None] | None = None,
    *,
    stage: Callable[[str], None] | None = None,
    draws: Callable[[int, int], None] | None = None,
) -> RunResult:
    """Every stage in order; a stage that cannot go on raises P4CError saying why.

    `stage(name)` is called as each stage begins (ingest, rank, shortlist, report), `progress`
    after each file ingested and `draws(done, total)` as the Monte Carlo draws go: for a display.
    Each stage's outputs get their manifest (ranking.json, shortlist.json, report.json), so the
    report can prove that everything it shows comes from this one run.
    """

    def begin(name: str) -> None:
        if stage is not None:
            stage(name)

    from p4c.evaluation.stage import evaluate_if_reported
    from p4c.ingest import ingest
    from p4c.shortlist import record_shortlist, shortlist_xlsx_path, write_shortlist_tables
    from p4c.store import load_processed

    timings: dict[str, float] = {}
    started = time.perf_counter()
    _import_later_stages()
    files = raw_files(project)
    early = _early_second_process(files, options.concurrent)
    try:
        begin("ingest")
        ingested = ingest(files, project, config, progress=progress)
        begin("rank")
        folder = project.processed_dir
        processed = load_processed(folder, config)
    except BaseException:
        if early is not None:
            early.close()
        raise
    timings["ingest"] = time.perf_counter() - started
    aside = (
        options.concurrent
        if options.concurrent is not None
        else CONCURRENT_MIN <= len(processed.services) <= CONCURRENT_MAX
    )
    # The second process (started before ingest, or now, so that its imports overlap ranking) writes
    # the rankings' workbooks while this process goes on, then the plans and the catalogue beside
    # the report. Without it, the same tasks run here, in turn.
    if early is not None and not aside:
        early.close()
    later = (early if early is not None else _second_process()) if aside else _Here()
    aside = isinstance(later, _Aside)
    try:
        started = time.perf_counter()
        ranking, outputs, note, books = _rank(folder, config, options, processed, draws, later)
        timings["rank"] = time.perf_counter() - started
        started = time.perf_counter()
        begin("shortlist")

        def ranked() -> None:  # the rankings' workbooks are written: ranking.json records them
            outputs.extend(_record_rank(folder, config, options, processed, ranking, outputs, books, later))

        with _then(ranked):
            chosen = _shortlist(config, options, processed, ranking)
        tables = write_shortlist_tables(chosen, folder)
        with _then(lambda: outputs.extend(record_shortlist(chosen, folder, tables))):
            outputs += evaluate_if_reported(folder, config, options.as_of)
            # the plans and the catalogue read the tables written so far: the second process starts
            # on them while this one writes shortlist.xlsx and the report
            if aside:
                later.submit(write_plan_files, folder, config, options.as_of)
                later.submit(write_catalogue, folder, config, options.lang, ASIDE_PAGE_WORKERS)
            tables += _shortlist_book(chosen, shortlist_xlsx_path(folder), config, options.lang)
        timings["shortlist"] = time.perf_counter() - started
        begin("report")
        started = time.perf_counter()
        if not aside:
            outputs += write_plan_files(folder, config, options.as_of)
        # the plans' answer, waited for once: by the report before it reads their folder, or here
        plans = functools.cache(later.answer) if aside else None
        outputs += _report(project, config, options, plans_written=plans)
        outputs += plans() if plans is not None else []
        timings["report"] = time.perf_counter() - started
        begin("catalogue")
        started = time.perf_counter()
        outputs += later.answer() if aside else write_catalogue(folder, config, options.lang, None)
        timings["catalogue"] = time.perf_counter() - started  # beside the report: the wait after it
    finally:
        later.close()
    notes = [note] if note else []
    stale = processed.scoring.stale_note() if processed.scoring is not None else None
    if stale:
        notes.append(stale)
    return RunResult(ingested, ranking, chosen, sorted(set(outputs)), notes, timings)


def _rank(  # noqa: PLR0917 - the run's state
    folder: Path,
    config: Config,
    options: RunOptions,
    processed: Processed,
    draws: Callable[[int, int], None] | None,
    later: _Aside | _Here,
) -> tuple[RankResult, list[Path], str | None, int]:
    """The ranking and its files (and the scoring workbook's); ranking.xlsx goes to `later`. Also
    a note of what was left out, and how many workbooks `later` writes."""
    from p4c import rank as rank_stage
    from p4c.scoring.apply import partner_rankings
    from p4c.scoring.outputs import has_scoring, write_scoring

    ranking = rank_stage.rank(
        processed.services,
        processed.partners,
        config,
        rank_stage.RankOptions(
            weights=processed.weights, samples=options.samples, seed=options.seed, stability=True
        ),
        progress=draws,
    )
    targets, note = rank_stage.default_outputs(folder, len(ranking.table))
    books = [t for t in targets if t.suffix == ".xlsx"]
    for book in books:
        later.submit(_ranking_book, ranking, book, config, options.lang)
    outputs = rank_stage.write_rankings(
        ranking, [t for t in targets if t not in books], config=config, lang=options.lang
    )
    if processed.scoring is not None and has_scoring(processed.scoring):
        tau = partner_rankings(processed.services, processed.partners, config, processed.scoring)
        outputs += write_scoring(processed.scoring, tau, config, folder)
    return ranking, outputs, note, len(books)


def _record_rank(  # noqa: PLR0917 - the run's state, for the record of one of its stages
    folder: Path,
    config: Config,
    options: RunOptions,
    processed: Processed,
    ranking: RankResult,
    outputs: list[Path],
    books: int,
    later: _Aside | _Here,
) -> list[Path]:
    """The rankings' workbooks once written, then ranking.json recording every file of the stage."""
    written = [path for _ in range(books) for path in later.answer()]
    record = record_rank(
        folder,
        config,
        processed.partners,
        ranking,
        samples=options.samples,
        seed=options.seed,
        outputs=[*outputs, *written],
    )
    return [*written, record]


def _ranking_book(ranking: RankResult, path: Path, config: Config, lang: Language) -> list[Path]:
    from p4c.rank import write_ranking_xlsx

    write_ranking_xlsx(ranking, path, config=config, lang=lang)
    return [path]


def _shortlist(
    config: Config, options: RunOptions, processed: Processed, ranking: RankResult
) -> ShortlistResult:
    from p4c import shortlist as shortlist_stage

    return shortlist_stage.shortlist(
        ranking.table,
        processed.services,
        processed.partners,
        processed.needs,
        config,
        shortlist_stage.ShortlistOptions(
            as_of=options.as_of,
            ranked_by=how_ranked(ranking, config, samples=options.samples, seed=options.seed),
        ),
    )


def _shortlist_book(chosen: ShortlistResult, path: Path, config: Config, lang: Language) -> list[Path]:
    from p4c.shortlist import write_shortlist_xlsx

    write_shortlist_xlsx(chosen, path, config=config, lang=lang)
    return [path]


def _report(
    project: Project, config: Config, options: RunOptions, *, plans_written: Callable[[], object] | None
) -> list[Path]:
    """report.html and report.xlsx (`plans_written`: as ReportOptions has it)."""
    from p4c import report as report_stage

    folder = project.processed_dir
    config_text = project.config_path.read_text(encoding="utf-8")
    return report_stage.report(
        folder,
        folder,
        config,
        config_text,
        report_stage.ReportOptions(as_of=options.as_of, lang=options.lang, plans_written=plans_written),
    )


@contextlib.contextmanager
def _then(finish: Callable[[], object]) -> Iterator[None]:
    """The block, then `finish()`, also when the block fails: a stage's record is written for the
    files it wrote whatever comes next (and the block's own error is the one raised). Not after an
    interrupt: Ctrl-C stops at once."""
    try:
        yield
    except Exception:
        with contextlib.suppress(Exception):
            finish()
        raise
    finish()


# What the shortlist imports (about half a second), and ingest does not.
LATER_IMPORTS = ("scipy.optimize", "scipy.sparse.csgraph")


def _import_later_stages() -> None:
    """Import the later stages' libraries in a thread while ingest reads: calamine parses a workbook
    without the GIL, and the ingest thread waits on it, so the imports mostly cost no time."""
    import importlib
    import threading

    def load() -> None:
        for name in LATER_IMPORTS:
            with contextlib.suppress(ImportError):  # a stage that needs it says so itself
                importlib.import_module(name)

    threading.Thread(target=load, name="p4c-imports", daemon=True).start()


def write_plan_files(folder: Path, config: Config, generated: dt.date | None) -> list[Path]:
    """Every ingested partner's recommendation plan, as `p4c run` writes them."""
    from p4c.plan.stage import write_plans

    return write_plans(folder, config, generated=generated).paths


def write_catalogue(folder: Path, config: Config, lang: Language, workers: int | None) -> list[Path]:
    """The catalogue of the processed folder, as `p4c run` writes it (`workers`: see build_catalogue;
    ASIDE_PAGE_WORKERS beside the report)."""
    from p4c.catalogue import build_catalogue
    from p4c.catalogue.site import read_processed
    from p4c.store import CATALOGUE_DIR

    site = folder / CATALOGUE_DIR
    build_catalogue(read_processed(folder, config), config, site, lang=lang, workers=workers)
    return [site / "index.html"]


# What the second process imports while it waits for its first task.
ASIDE_IMPORTS = (
    "p4c.config",
    "p4c.rank",
    "p4c.shortlist",
    "p4c.plan.stage",
    "p4c.catalogue",
    "p4c.catalogue.site",
    "pyarrow.parquet",
)


def _early_second_process(files: Sequence[Path], concurrent: bool | None) -> _Aside | None:
    """The second process started before ingest, where the run will likely want it: its imports
    then take the CPU that ingest leaves idle (ingest keeps about one of two busy). None where it is
    not wanted (`concurrent` False), where the partner files weigh less than EARLY_BYTES (then it
    starts after ingest if the run wants it), or where it cannot start."""
    if concurrent is False:
        return None
    if concurrent is None:
        size = 0
        for path in files:
            with contextlib.suppress(OSError):  # a file that cannot be read: ingest says so
                size += path.stat().st_size
        if size < EARLY_BYTES:
            return None
    started = _second_process()
    return started if isinstance(started, _Aside) else None


def _second_process() -> _Aside | _Here:
    """The second process, or its tasks done here when it cannot start (no temporary file, no
    new process): slower, and the same result."""
    try:
        return _Aside(ASIDE_IMPORTS)
    except OSError:
        return _Here()


_MAX_ANSWER = 1 << 30  # bytes: larger is not an answer (a task answers a few paths, or its error)


class _Here:
    """`_Aside`'s tasks done at once, in this process (a run without a second process). A task's
    error is raised by its `answer()`, as the second process's would be, so that both ways write
    the same files before it."""

    def __init__(self) -> None:
        self._answers: list[tuple[bool, Any]] = []

    def submit(self, task: Callable[..., list[Path]], *args: object) -> None:
        self._answers.append(_attempt(task, args))

    def answer(self) -> list[Path]:
        return _result(self._answers.pop(0))

    def close(self) -> None:
        self._answers.clear()


def _attempt(task: Callable[..., list[Path]], args: Sequence[object]) -> tuple[bool, Any]:
    """(True, the task's result) or (False, its exception), as the second process answers."""
    try:
        return True, list(task(*args))
    except Exception as exc:  # raised again by answer()
        return False, exc


def _result(turn: tuple[bool, Any]) -> list[Path]:
    done, value = turn
    if not done:
        raise value
    return list(value)


class _Aside:
    """Tasks in a second Python process, started from the same interpreter and import path.

    The process starts at once and imports `preload` while the caller goes on; `submit(task,
    *args)` then hands it tasks, which it does in turn, and `answer()` gives their results in the
    same order, raising again a task's exception (a P4CError saying what to fix). A plain child
    process rather than multiprocessing's spawn, which would import the caller's main script
    again. A task travels pickled in a file of its own (a submit never waits for the child to
    read it), its answer pickled through a pipe. `close()` stops a child that still runs (the
    catalogue then keeps its previous folder: it is swapped in only when complete).
    """

    def __init__(self, preload: Sequence[str] = ()) -> None:
        import os
        import subprocess
        import sys
        import tempfile

        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 - the child's, closed by close()
        self._tasks: list[Path] = []
        self._turns: list[tuple[bool, Any] | None] = []  # None: the child's answer; else one made here
        try:
            self._child = subprocess.Popen(
                [sys.executable, "-c", "from p4c.pipeline import aside_main; aside_main()", *preload],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=self._stderr,
                env=env,
            )
        except OSError:
            self._stderr.close()
            raise

    def submit(self, task: Callable[..., list[Path]], *args: object) -> None:
        import os
        import pickle
        import tempfile

        try:
            fd, name = tempfile.mkstemp(prefix="p4c-task-", suffix=".pickle")
            self._tasks.append(Path(name))
            with os.fdopen(fd, "wb") as out:
                pickle.dump((task, args), out, protocol=pickle.HIGHEST_PROTOCOL)
        except OSError:  # no room for the task's file (a full temp folder): done here, in its turn
            self._turns.append(_attempt(task, args))
            return
        self._turns.append(None)
        stdin = self._child.stdin
        assert stdin is not None
        # a child that died closed its end: answer() says how it ended
        with contextlib.suppress(BrokenPipeError):
            stdin.write(os.fsencode(name) + b"\n")
            stdin.flush()

    def answer(self) -> list[Path]:
        """The next task's result, in the order they were submitted."""
        import pickle

        turn = self._turns.pop(0)
        if turn is not None:
            return _result(turn)
        stdout = self._child.stdout
        assert stdout is not None
        head = stdout.read(8)
        size = int.from_bytes(head, "big") if len(head) == 8 else 0
        data = stdout.read(size) if 0 < size <= _MAX_ANSWER else b""
        try:
            if len(data) == size > 0:
                return _result(pickle.loads(data))  # written by our own child
        except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError):
            pass  # not an answer: the child stopped in the middle of one
        self._child.kill()
        code = self._child.wait()
        self._stderr.seek(0)
        text = self._stderr.read().decode("utf-8", "replace").strip().splitlines()[-1:] or ["no message"]
        raise P4CError(f"the second process of `p4c run` stopped (exit {code}): {text[0]}")

    def close(self) -> None:
        """Stop the child (at once when it still works: the run failed), and remove what is left."""
        if self._child.poll() is None:
            self._child.kill()
        self._child.wait()
        for stream in (self._child.stdin, self._child.stdout, self._stderr):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()
        for task in self._tasks:  # those the child did not take
            task.unlink(missing_ok=True)


def aside_main() -> None:
    """The child of `_Aside`: each task named on stdin, run in turn; each answer, (True, result)
    or (False, exception), pickled to stdout after its length. Ends when stdin does."""
    import importlib
    import os
    import pickle
    import sys

    # The answers get their own copy of stdout; what a library prints goes to stderr, not into them.
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    for name in sys.argv[1:]:  # while the parent gets the first task ready
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
    for line in sys.stdin.buffer:
        path = Path(os.fsdecode(line.rstrip(b"\n")))
        with path.open("rb") as handle:
            task, args = pickle.load(handle)
        path.unlink()
        try:
            answer = (True, task(*args))
        except Exception as exc:  # handed to the parent, which raises it
            answer = (False, exc)
        data = pickle.dumps(answer)
        out.write(len(data).to_bytes(8, "big") + data)
        out.flush()
