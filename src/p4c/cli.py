"""The `p4c` command line: parse arguments, call one library function, print with rich.

No pandas here, and heavy libraries are imported inside the commands that use them, so that
`p4c --help` stays instant. Every `P4CError` becomes a message on stderr and exit code 1.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console

from p4c import __version__
from p4c.config import Project
from p4c.errors import P4CError

app = typer.Typer(
    name="p4c",
    help="Rank development agencies' services to cluster initiatives, pick good practices and "
         "plan field tests. Pipeline: template -> ingest -> rank -> shortlist -> report; `run` "
         "does it all.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)
out = Console(highlight=False, soft_wrap=False)
err = Console(stderr=True, highlight=False)

F = TypeVar("F", bound=Callable[..., Any])


class State:
    project = Project(Path.cwd())


def report_error(exc: P4CError) -> None:
    """The one place errors reach the user: red on stderr, with the hint after."""
    err.print(f"[bold red]error:[/] {exc.message}", markup=True, highlight=False)
    if exc.hint:
        err.print(exc.hint, markup=False)


def handles_errors(func: F) -> F:
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except P4CError as exc:
            report_error(exc)
            raise typer.Exit(1) from None
    return wrapper  # type: ignore[return-value]


def _version(value: bool) -> None:
    if value:
        out.print(f"p4c {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    project: Annotated[Path, typer.Option(
        "--project", "-p", help="Project folder (holds config/, data/raw/, data/processed/).",
        file_okay=False)] = Path(),
    version: Annotated[bool, typer.Option(
        "--version", callback=_version, is_eager=True, help="Print the version and exit.")] = False,
) -> None:
    State.project = Project(project.resolve())


# --- init ---

# --- template ---

# --- ingest ---

# --- status ---

# --- rank ---

# --- shortlist ---

# --- report ---

# --- run ---


def main() -> None:
    app()
