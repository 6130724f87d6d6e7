"""Where the command line writes: results on stdout, errors, warnings and progress on stderr.

One `UI` per invocation (the `p4c` callback configures it from -q/-v), so that a result piped
into a file or `jq` never holds a progress bar or a warning. The layouts of the two lists a
coordinator reads most (workbook problems, `p4c status`) switch to one block per entry when the
terminal is narrower than `NARROW`, so nothing is cut to "organi…" in an 80-column window.
No pandas here: `p4c --help` must stay instant.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from types import TracebackType
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.markup import escape
from rich.padding import Padding
from rich.text import Text

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

    from p4c.errors import P4CError
    from p4c.ingest import IngestReport

NARROW = 100  # below this width, lists are printed one block per entry instead of a table
STAGES = {
    "ingest": "Ingesting workbooks",
    "rank": "Ranking services",
    "draws": "Monte Carlo weight draws",
    "stability": "Weight stability",
    "shortlist": "Shortlist and field-test plan",
    "report": "Writing the reports",
    "catalogue": "Writing the catalogue",
}


def make_console(*, stderr: bool = False, quiet: bool = False, width: int | None = None) -> Console:
    """A console whose width is COLUMNS, the terminal's, or 80 when redirected.

    stdout wraps its text at that width; stderr does not (soft wrap), so that an error message
    stays one line for grep and the terminal wraps it; its lists and tables still fit the width.
    """
    return Console(stderr=stderr, highlight=False, soft_wrap=stderr, quiet=quiet, width=width)


class UI:
    """The two consoles and the verbosity of one `p4c` invocation."""

    def __init__(self) -> None:
        self.out = make_console()
        self.err = make_console(stderr=True)
        self.quiet = False
        self.verbose = False

    def configure(self, *, quiet: bool = False, verbose: bool = False) -> None:
        """New consoles for this invocation: -q silences stdout's messages (not the JSON) and warnings."""
        self.quiet = quiet
        self.verbose = verbose and not quiet
        self.out = make_console(quiet=quiet)
        self.err = make_console(stderr=True)

    def error(self, exc: P4CError) -> None:
        """The one place errors reach the user: red on stderr, with the hint after."""
        self.err.print(f"[bold red]error:[/] {escape(exc.message)}")
        if exc.hint:
            self.err.print(exc.hint, markup=False)

    def warn(self, text: str) -> None:
        if not self.quiet:
            self.err.print(f"[yellow]warning:[/] {escape(text)}")

    def detail(self, text: str) -> None:
        """Extra detail for -v (timings, each file's warnings): on stderr, off by default."""
        if self.verbose:
            self.err.print(f"[dim]{escape(text)}[/]")

    def steps(self, *, enabled: bool = True) -> Steps:
        """Progress of a long command on stderr, only for a terminal and never with --json or -q."""
        return Steps(self, enabled=enabled and not self.quiet and self.err.is_terminal)


class Steps:
    """One transient progress line on stderr that names the current stage and counts its work.

    With -v each stage's time is printed when it ends, whether or not the bar is shown.
    """

    def __init__(self, ui: UI, *, enabled: bool) -> None:
        self.ui = ui
        self.enabled = enabled
        self._progress: Progress | None = None
        self._task: TaskID | None = None
        self._stage: str | None = None
        self._started = 0.0
        self.after_draws: str | None = "stability"  # the stage rank goes on to after its draws

    def __enter__(self) -> Steps:
        if self.enabled:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                SpinnerColumn,
                TextColumn,
                TimeElapsedColumn,
            )

            self._progress = Progress(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=self.ui.err,
                transient=True,
            )
            self._progress.start()
            self._task = self._progress.add_task("", total=None)
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._finish_stage()
        if self._progress is not None:
            self._progress.stop()

    def _finish_stage(self) -> None:
        if self._stage is not None:
            self.ui.detail(
                f"{STAGES.get(self._stage, self._stage)}: {time.perf_counter() - self._started:.2f} s"
            )
        self._stage = None

    def stage(self, name: str, total: int | None = None) -> None:
        """A new stage begins: `name` is a key of STAGES (or a description), `total` its work items."""
        self._finish_stage()
        self._stage = name
        self._started = time.perf_counter()
        if self._progress is not None and self._task is not None:
            self._progress.reset(self._task, total=total, description=STAGES.get(name, name))

    def advance(self, _item: object = None) -> None:
        """One more item of the current stage done (a callback for ingest's per-file progress)."""
        if self._progress is not None and self._task is not None:
            self._progress.advance(self._task)

    def draws(self, done: int, total: int) -> None:
        """rank's Monte Carlo callback: the draws, then the weight-stability stage that follows them."""
        if self._stage != "draws":
            self.stage("draws", total)
        if self._progress is not None and self._task is not None:
            self._progress.update(self._task, completed=done, total=total)
        if done >= total and self.after_draws is not None:
            self.stage(self.after_draws)


# --- layouts ---------------------------------------------------------------------------------------


def print_problems(console: Console, result: IngestReport, *, quiet: bool = False) -> None:
    """Every error (and warning, unless quiet) of every file, with its cell, on `console`.

    A table when the console is wide, else a list: each file's name on its own line, then per
    problem its cell and column, and indented below the value found and the message, so a long
    file name never wraps into a column of six lines.
    """
    issues = [(f.file.name, i, "error") for f in result.files for i in f.errors]
    if not quiet:
        issues += [(f.file.name, i, "warning") for f in result.files for i in f.warnings]
    if not issues:
        return
    if console.width >= NARROW:
        from rich.table import Table

        table = Table(title="Problems found", expand=True)
        table.add_column("file", overflow="fold", max_width=44)
        table.add_column("cell", no_wrap=True)
        table.add_column("column", no_wrap=True)
        table.add_column("value found", overflow="fold", max_width=30)
        table.add_column("what is accepted", overflow="fold", ratio=1, min_width=30)
        for name, issue, kind in issues:
            style = "red" if kind == "error" else "yellow"
            table.add_row(
                escape(name),
                escape(issue.cell or ""),
                escape(issue.column or ""),
                escape(issue.value),
                f"[{style}]{kind}:[/] {escape(issue.message)}",
            )
        console.print(table, soft_wrap=False)
        return
    console.print("[bold]Problems found[/]")
    current = None
    for name, issue, kind in issues:
        if name != current:
            console.print(Text(name, style="bold", overflow="fold"), soft_wrap=False)
            current = name
        style = "red" if kind == "error" else "yellow"
        where = "  ".join(escape(part) for part in (issue.cell or "", issue.column or "") if part)
        _indented(console, Text.from_markup(f"[{style}]{kind}:[/] {where}", overflow="fold"), 2)
        if issue.value:
            _indented(console, Text(f"value found: {issue.value}", overflow="fold"), 4)
        _indented(console, Text(issue.message, overflow="fold"), 4)


def _indented(console: Console, text: Text, indent: int) -> None:
    """Every wrapped line indented, none padded to the full width."""
    console.print(Padding(text, (0, 0, 0, indent), expand=False), soft_wrap=False)


def print_status(
    console: Console, records: Sequence[Mapping[str, Any]], columns: Sequence[str], title: str
) -> None:
    """`p4c status`: a table when wide, else one block per partner; headers are never cut."""
    shown = []
    for record in records:
        row = {k: "" if record.get(k) is None else str(record.get(k)) for k in columns}
        if row.get("sha256"):
            row["sha256"] = row["sha256"][:12] + "…"
        shown.append(row)
    if console.width >= NARROW:
        from rich.table import Table

        table = Table(title=escape(title))
        for name in columns:
            numeric = name in ("services", "rejected")
            table.add_column(
                name,
                justify="right" if numeric else "left",
                min_width=len(name),
                overflow="fold",
                no_wrap=numeric or name in ("partner", "sha256", "ingested_at"),
            )
        for row in shown:
            table.add_row(*(escape(row[k]) for k in columns))
        console.print(table)
        return
    from p4c.words import plural

    console.print(Text(title, style="bold", overflow="fold"))
    for row in shown:
        who = ", ".join(part for part in (row.get("organisation", ""), row.get("region", "")) if part)
        counts = plural(int(row.get("services") or 0), "service")
        if row.get("rejected") and row["rejected"] != "0":
            counts += f", {plural(int(row['rejected']), 'row')} rejected"
        console.print(
            Text.from_markup(f"[bold]{escape(row.get('partner', ''))}[/]  {escape(who)}", overflow="fold")
        )
        for line in (
            counts,
            f"file: {row.get('source_file', '')}",
            f"sha256: {row.get('sha256', '')}  ingested: {row.get('ingested_at', '')}",
        ):
            _indented(console, Text(line, overflow="fold"), 2)


@contextmanager
def timed(ui: UI, what: str) -> Iterator[None]:
    """-v: how long a command took, on stderr."""
    started = time.perf_counter()
    yield
    ui.detail(f"{what}: {time.perf_counter() - started:.2f} s")
