"""The `p4c` command line: parse arguments, call one library function, print with rich.

No pandas here, and heavy libraries are imported inside the commands that use them, so that
`p4c --help` stays instant. Every `P4CError` becomes a message on stderr and exit code 1.
"""

from __future__ import annotations

import datetime as dt
import functools
import gc
import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from p4c import __version__
from p4c.errors import P4CError
from p4c.models import Language
from p4c.project import Project

if TYPE_CHECKING:
    from p4c.ingest import IngestReport
    from p4c.rank import RankResult
    from p4c.shortlist import ShortlistResult


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
err = Console(stderr=True, highlight=False, soft_wrap=True)

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


def parse_as_of(text: str | None) -> dt.date | None:
    """The reference date of --as-of; a usage error (exit 2) when it is not YYYY-MM-DD."""
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise typer.BadParameter(
            f"{text!r} is not a date; write it as YYYY-MM-DD, e.g. 2026-11-01", param_hint="--as-of"
        ) from None


@app.callback()
def main_options(
    project: Annotated[
        Path,
        typer.Option(
            "--project",
            "-p",
            help="Project folder (holds config/, data/raw/, data/processed/).",
            file_okay=False,
        ),
    ] = Path(),
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    State.project = Project(project.resolve())


# --- init ---

COORDINATOR_README = """# p4c project

This folder is a p4c project.

- `config/criteria.yaml`: the criteria, weights, categories and good-practice rules (commented).
- `data/raw/`: put the partners' workbooks here, as they were sent. p4c never changes them.
- `data/processed/`: everything p4c computes; safe to delete, `p4c run` makes it again.

Send each partner a template: `p4c template --partner BE --lang fr -o BE_template.xlsx`.
Then run the whole job: `p4c --project . run`.
"""


@app.command()
@handles_errors
def init(
    directory: Annotated[Path, typer.Argument(help="Folder to create the project in.", file_okay=False)],
) -> None:
    """Create a project folder: the default config (with comments), data folders, a README."""
    from p4c.config import default_config_text
    from p4c.io import write_text

    project = Project(directory)
    if project.config_path.exists():
        raise P4CError(
            f"{project.config_path} already exists: {directory} is already a project",
            hint="Edit that file, or choose another folder.",
        )
    write_text(project.config_path, default_config_text())
    project.raw_dir.mkdir(parents=True, exist_ok=True)
    project.processed_dir.mkdir(parents=True, exist_ok=True)
    readme = directory / "README.md"
    if not readme.exists():
        write_text(readme, COORDINATOR_README)
    out.print(
        f"Created project [bold]{directory}[/]: config/criteria.yaml, data/raw/, "
        f"data/processed/. Put partner workbooks in data/raw/ and run `p4c --project "
        f"{directory} run`."
    )


# --- template ---


@app.command()
@handles_errors
def template(
    partner: Annotated[str | None, typer.Option(help="Partner code to prefill (e.g. BE).")] = None,
    lang: Annotated[Language, typer.Option(help="Language of sheet names, headers and words.")] = "en",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Where to write the .xlsx.", dir_okay=False)
    ] = None,
    scoring: Annotated[
        bool,
        typer.Option(
            "--scoring", help="A scoring workbook instead: the partner scores every ingested service."
        ),
    ] = False,
) -> None:
    """Write a partner workbook with dropdowns and instructions, ready to fill in."""
    from p4c import template as tpl
    from p4c.ingest import partner_option

    config = State.project.load_config()
    code = partner_option(partner)
    if scoring:
        written, count = tpl.project_scoring_template(State.project.processed_dir, config, code, lang, output)
        sheets = ", ".join(tpl.SCORING_WORDS[lang].sheets.values())
        out.print(f"Wrote [bold]{escape(str(written))}[/] ({lang}): {count} services; sheets {sheets}.")
        return
    target = output or Path(f"{code or 'partner'}_template_{lang}.xlsx")
    if target.suffix.lower() != ".xlsx":
        raise P4CError(f"{target}: the template is an .xlsx workbook; give a name ending in .xlsx")
    tpl.template(config, target, lang=lang, partner=code)
    out.print(f"Wrote [bold]{target}[/] ({lang}): sheets Instructions, Partner, Services, Needs.")


# --- ingest ---


@app.command()
@handles_errors
def ingest(
    paths: Annotated[
        list[Path], typer.Argument(help="Workbooks (.xlsx .xlsm .ods .xls .csv) or folders holding them.")
    ],
    partner: Annotated[
        str | None,
        typer.Option(help="Partner code, for a CSV or one-sheet workbook whose name does not start with it."),
    ] = None,
    accept_valid: Annotated[
        bool,
        typer.Option(
            "--accept-valid",
            help="Write the valid rows of a workbook with errors; keep the rejected "
            "rows with their reasons in rejected.parquet.",
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON document instead.")] = False,
) -> None:
    """Validate partner workbooks and store them in data/processed/ (all or nothing per workbook)."""
    from p4c import ingest as stage

    config = State.project.load_config()
    files = _expand(paths)
    if len(files) > 1 and not as_json:
        from rich.progress import Progress

        with Progress(console=err, transient=True) as progress:
            task = progress.add_task("Validating workbooks", total=len(files))
            result = stage.ingest(
                files,
                State.project,
                config,
                partner=partner,
                accept_valid=accept_valid,
                progress=lambda _path: progress.advance(task),
            )
    else:
        result = stage.ingest(files, State.project, config, partner=partner, accept_valid=accept_valid)
    if as_json:
        typer.echo(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
    else:
        _print_ingest(result)
    if not result.ok:
        raise typer.Exit(1)


def _expand(paths: list[Path]) -> list[Path]:
    from p4c.io import workbook_files

    files: list[Path] = []
    for path in paths:
        files.extend(workbook_files(path) if path.is_dir() else [path])
    return files


def _print_ingest(result: IngestReport) -> None:
    from rich.table import Table

    issues = [(f, i, "error") for f in result.files for i in f.errors] + [
        (f, i, "warning") for f in result.files for i in f.warnings
    ]
    if issues:
        table = Table(title="Problems found", expand=True)
        table.add_column("file", overflow="fold", ratio=2)
        table.add_column("cell", no_wrap=True)
        table.add_column("column", no_wrap=True)
        table.add_column("value found", overflow="fold", ratio=2)
        table.add_column("what is accepted", overflow="fold", ratio=6)
        for f, issue, kind in issues:
            style = "red" if kind == "error" else "yellow"
            table.add_row(
                f.file.name,
                issue.cell or "",
                issue.column or "",
                issue.value,
                f"[{style}]{kind}:[/] {escape(issue.message)}",
            )
        out.print(table)
    for f in result.files:
        warn = f", {len(f.warnings)} warning(s)" if f.warnings else ""
        name = escape(f.file.name)
        if f.written:
            extra = (
                f", {f.rejected_rows} row(s) rejected and kept in rejected.parquet" if f.rejected_rows else ""
            )
            out.print(f"[green]✓[/] {name}: {f.partner} - {f.accepted} service(s) written{extra}{warn}")
        elif f.fatal:
            out.print(f"[red]✗[/] {name}: not written - {len(f.errors)} error(s){warn}")
        else:
            out.print(
                f"[red]✗[/] {name}: {f.partner} - not written: {f.rejected_rows} row(s) with "
                f"{len(f.errors)} error(s), {f.accepted} valid{warn}. Fix the cells above, or "
                f"use --accept-valid to write the valid rows."
            )


# --- withdraw and rebuild ---


@app.command()
@handles_errors
def withdraw(
    partner: Annotated[str, typer.Argument(help="The partner code to take out (e.g. MT).")],
) -> None:
    """Take a partner out of the processed data; its rows are kept in history."""
    from p4c import store
    from p4c.ingest import partner_option

    code = partner_option(partner)
    assert code is not None
    services = store.withdraw(State.project.processed_dir, code)
    out.print(
        f"Withdrew {code}: {services} service(s) moved to history. "
        "`p4c ingest` its workbook to bring it back."
    )


@app.command()
@handles_errors
def rebuild() -> None:
    """Make a damaged store again from the exports (history/) and the workbooks of data/raw/."""
    from p4c import ingest as stage

    config = State.project.load_config()
    result = stage.rebuild(State.project, config)
    if result.damaged is not None:
        out.print(f"Set the damaged store aside as [bold]{escape(str(result.damaged))}[/].")
    for name in result.skipped:
        err.print(f"[yellow]warning:[/] {escape(name)} could not be read and was skipped.")
    _print_ingest(result.ingest)
    if not result.ingest.ok:
        raise typer.Exit(1)


# --- status ---


@app.command()
@handles_errors
def status(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """What is ingested: partner, organisation, services, source file and sha256, when."""
    from rich.table import Table

    from p4c import store

    frame = store.status(State.project.processed_dir)
    records = json.loads(frame.to_json(orient="records", force_ascii=False))
    if as_json:
        typer.echo(json.dumps({"partners": records}, ensure_ascii=False, indent=2))
        return
    if not records:
        out.print("Nothing ingested yet: run `p4c ingest data/raw` or `p4c run`.")
        return
    table = Table(title=f"Ingested in {State.project.processed_dir}")
    for name in frame.columns:
        table.add_column(name, justify="right" if name in ("services", "rejected") else "left")
    for record in records:
        sha = str(record.get("sha256") or "")
        record["sha256"] = sha[:12] + "…" if sha else ""
        table.add_row(*(escape("" if v is None else str(v)) for v in record.values()))
    out.print(table)


# --- rank ---


@app.command("rank")
@handles_errors
def rank_command(
    *,
    method: Annotated[
        Literal["wsm", "topsis", "wpm"],
        typer.Option("--method", "-m", help="wsm (weighted sum), topsis, or wpm (weighted product)."),
    ] = "wsm",
    weight: Annotated[
        list[str] | None,
        typer.Option(
            "--weight",
            "-w",
            metavar="ID=W",
            help="Override a criterion's weight (repeatable); weights are rescaled to sum to 1.",
        ),
    ] = None,
    by: Annotated[
        Literal["partner", "category"] | None,
        typer.Option(help="Also rank within each partner or category (adds group_rank)."),
    ] = None,
    top: Annotated[
        int,
        typer.Option("--top", "-n", min=0, help="Rows shown in the terminal (the files hold every service)."),
    ] = 20,
    samples: Annotated[
        int, typer.Option(min=0, help="Monte Carlo weight draws: p_top and rank percentiles (0 = none).")
    ] = 0,
    seed: Annotated[
        int | None, typer.Option(help="Seed of the draws (default: the config's stability.seed).")
    ] = None,
    stability: Annotated[
        bool,
        typer.Option(
            "--stability",
            help="Exact weight interval per criterion keeping the top k (wsm); "
            "writes weight_stability.csv beside the output.",
        ),
    ] = False,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            dir_okay=False,
            help="Write here (.csv, .xlsx or .parquet) instead of "
            "data/processed/ranking.csv and ranking.xlsx.",
        ),
    ] = None,
    weights_of: Annotated[
        str | None,
        typer.Option(
            "--weights-of",
            metavar="CODE",
            help="Rank with the weights one partner proposed in its scoring workbook.",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the ranking as JSON only.")] = False,
) -> None:
    """Score and rank every ingested service on the weighted criteria."""
    import dataclasses

    from p4c import rank as ranking
    from p4c.ingest import partner_option
    from p4c.scoring import apply as scoring
    from p4c.scoring import outputs as scoring_out
    from p4c.store import load_processed

    config = State.project.load_config()
    options = ranking.RankOptions(
        method=method,
        weights=ranking.parse_weights(weight or [], config),
        by=by,
        samples=samples,
        seed=seed,
        stability=stability,
    )
    if output is not None:
        ranking.check_output_type(output)
    code = partner_option(weights_of)
    data = load_processed(State.project.processed_dir, config, columns=ranking.input_columns(config))
    start = data.weights if code is None else scoring.weights_of(data.scoring, code, config)
    options = dataclasses.replace(options, weights={**start, **options.weights})
    result = ranking.rank(data.services, data.partners, config, options)
    targets, note = (
        ([output], None)
        if output is not None
        else ranking.default_outputs(State.project.processed_dir, len(result.table))
    )
    written = ranking.write_rankings(result, targets)
    extra = {}
    if data.scoring is not None and scoring_out.has_scoring(data.scoring):
        tau = scoring.partner_rankings(data.services, data.partners, config, data.scoring)
        written += scoring_out.write_scoring(data.scoring, tau, config, targets[0].parent)
        extra["scoring"] = scoring_out.scoring_json(data.scoring, tau, config)
    stale = data.scoring.stale_note() if data.scoring is not None else None
    if as_json:
        typer.echo(ranking.ranking_json(result, written, extra))
        return
    _print_ranking(result, top)
    if note:
        out.print(f"[yellow]note:[/] {escape(note)}")
    if stale:
        out.print(f"[yellow]stale scores:[/] {escape(stale)}")
    out.print("Wrote " + ", ".join(f"[bold]{escape(str(p))}[/]" for p in written), soft_wrap=True)


_SPARKS = "▁▂▃▄▅▆▇█"


def _sparks(values: list[float | None], full: float) -> str:
    """One vertical bar per criterion, so eight criteria fit in eight characters (blank = 0)."""
    import math

    marks = []
    for value in values:
        if value is None:
            marks.append("[dim]·[/]")
        else:
            level = math.ceil(max(0.0, min(value / full, 1.0)) * 8) if full > 0 else 0
            marks.append(f"[cyan]{_SPARKS[level - 1]}[/]" if level else " ")
    return "".join(marks)


def _print_ranking(result: RankResult, top: int) -> None:
    from rich import box
    from rich.table import Table

    from p4c import rank as ranking
    from p4c.stability import most_fragile, stability_rows

    weights: dict[str, float] = result.weights
    out.print(
        f"Ranked [bold]{len(result.table)}[/] services with [bold]{result.method}[/] "
        f"(k = {result.k}). Weights used, rescaled to sum to 1:"
    )
    out.print("  " + " · ".join(f"{escape(k)} {v:.3f}" for k, v in weights.items()))
    records = ranking.top_records(result, top)
    if records:
        full = max([*weights.values(), *(r[k] or 0.0 for r in records for k in weights)])
        table = Table(
            title=f"Top {len(records)} of {len(result.table)}",
            box=box.SIMPLE_HEAD,
            collapse_padding=True,
            pad_edge=False,
        )
        table.add_column("#", justify="right", no_wrap=True)
        table.add_column("partner", no_wrap=True)
        table.add_column("service", overflow="fold", min_width=7, max_width=12)
        table.add_column("title", overflow="fold", min_width=10, ratio=1)
        table.add_column("cat.", overflow="fold", min_width=5, max_width=8)
        table.add_column("score", justify="right", no_wrap=True, min_width=6)
        table.add_column("criteria", no_wrap=True, min_width=len(weights))
        extra = [c for c in ("p_top", "group_rank") if c in records[0]]
        if "p_top" in extra:
            table.add_column("p_top", justify="right", no_wrap=True, min_width=5)
            table.add_column("p5-p95", justify="right", no_wrap=True, min_width=6)
        if "group_rank" in extra:
            table.add_column("grp", justify="right", no_wrap=True, min_width=3)
        for r in records:
            mark = "" if r["complete"] else "[yellow]![/]"
            row = [
                str(r["rank"]),
                escape(str(r["partner"])),
                escape(str(r["service_id"])),
                escape(str(r["title"])),
                escape(str(r["category"])),
                f"{r['score']:.3f}{mark}",
                _sparks([r[k] for k in weights], full),
            ]
            if "p_top" in extra:
                row += [f"{r['p_top']:.0%}", f"{r['rank_p05']}-{r['rank_p95']}"]
            if "group_rank" in extra:
                row.append(str(r["group_rank"]))
            table.add_row(*row)
        out.print(table)
        out.print(
            f"[dim]criteria: one bar per criterion's contribution, in the order above (full "
            f"bar = {full:.3f}, · = missing). ! = incomplete: scored on the criteria it has.[/]"
        )
    rows = stability_rows(result)
    if rows:
        table = Table(
            title=f"Weight stability: the top {result.k} holds while a weight stays in "
            f"{escape('[lo, hi]')} (the others rescaled in proportion)",
            box=box.SIMPLE_HEAD,
        )
        for name in ("criterion", "weight", "lo", "hi"):
            table.add_column(name, justify="left" if name == "criterion" else "right")
        for crit_id, w, lo, hi in rows:
            table.add_row(escape(crit_id), f"{w:.3f}", f"{lo:.3f}", f"{hi:.3f}")
        out.print(table)
        fragile = most_fragile(result)
        if fragile is None:
            out.print(f"No single weight change alters the top {result.k}.")
        else:
            sides = ([f"below {fragile.lo:.3f}"] if fragile.lo > 0 else []) + (
                [f"above {fragile.hi:.3f}"] if fragile.hi < 1 else []
            )
            out.print(
                f"Most fragile criterion: [bold]{escape(fragile.criterion)}[/] (weight "
                f"{fragile.weight:.3f}): the top {result.k} changes if it goes "
                f"{' or '.join(sides)}, a {fragile.change:.1%} change of its weight (the "
                f"smallest relative change over all criteria)."
            )


# --- shortlist ---


@app.command()
@handles_errors
def shortlist(
    *,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            metavar="DATE",
            help="Reference date (YYYY-MM-DD) for months running; "
            "default today. Fix it to reproduce a result.",
        ),
    ] = None,
    size: Annotated[
        int | None, typer.Option(min=1, help="Practices in the shortlist (default: config shortlist.size).")
    ] = None,
    max_per_partner: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="At most this many practices from one partner (default: config shortlist.max_per_partner).",
        ),
    ] = None,
    tests_per_partner: Annotated[
        int | None,
        typer.Option(
            min=0, help="Practices each partner field-tests (default: config field_tests.tests_per_partner)."
        ),
    ] = None,
    method: Annotated[
        Literal["wsm", "topsis", "wpm"],
        typer.Option("--method", "-m", help="Scoring method, as for `p4c rank`."),
    ] = "wsm",
    weight: Annotated[
        list[str] | None,
        typer.Option(
            "--weight",
            "-w",
            metavar="ID=W",
            help="Override a criterion's weight (repeatable), as for `p4c rank`.",
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", file_okay=False, help="Folder to write to (default: data/processed/)."
        ),
    ] = None,
) -> None:
    """Pick the good practices and the shortlist, and solve the optimal field-test plan."""
    from p4c import rank as ranking
    from p4c import shortlist as stage
    from p4c.store import load_processed

    reference = parse_as_of(as_of)
    config = State.project.load_config()
    data = load_processed(State.project.processed_dir, config)
    ranked = ranking.rank(
        data.services,
        data.partners,
        config,
        ranking.RankOptions(
            method=method, weights={**data.weights, **ranking.parse_weights(weight or [], config)}
        ),
    )
    options = stage.ShortlistOptions(
        as_of=reference, size=size, max_per_partner=max_per_partner, tests_per_partner=tests_per_partner
    )
    result = stage.shortlist(ranked.table, data.services, data.partners, data.needs, config, options)
    folder = output or State.project.processed_dir
    paths = stage.write_shortlist(result, folder)
    _print_shortlist(result, ranked.method, ranked.weights)
    out.print(f"Wrote {', '.join(p.name for p in paths)} in [bold]{escape(str(folder))}[/]")


def _print_shortlist(result: ShortlistResult, method: str, weights: dict[str, float]) -> None:
    from rich.table import Table

    from p4c import shortlist as stage

    out.print(f"Ranked with {method}: " + ", ".join(f"{k} {v:.2f}" for k, v in weights.items()))
    table = Table(title=f"Shortlist: {len(result.shortlist)} good practices")
    for name in ("rank", "partner", "service", "title", "category", "score"):
        table.add_column(name, justify="right" if name in ("rank", "score") else "left", overflow="fold")
    for row in stage.shortlist_rows(result):
        table.add_row(*(escape(cell) for cell in row))
    out.print(table)
    plan = stage.plan_rows(result)
    if plan:
        table = Table(title="Field tests: who tests which practice, and how")
        for name in ("partner", "practice", "title", "mode", "need", "match"):
            table.add_column(name, justify="right" if name in ("need", "match") else "left", overflow="fold")
        for row in plan:
            table.add_row(*(escape(cell) for cell in row))
        out.print(table)
    out.print("[bold]What bound the choice[/]")
    for note in result.notes:
        out.print(f"  - {escape(note)}")


# --- report ---


@app.command("report")
@handles_errors
def report_command(
    *,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of", metavar="DATE", help="Date printed on the report (YYYY-MM-DD); default today."
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            file_okay=False,
            help="Folder to write report.html and report.xlsx to (default: data/processed/).",
        ),
    ] = None,
) -> None:
    """Write report.html (one self-contained, printable page) and report.xlsx from the results."""
    import time

    from p4c import report as stage

    reference = parse_as_of(as_of)
    project = State.project
    config = project.load_config()
    config_text = project.config_path.read_text(encoding="utf-8")
    started = time.perf_counter()
    paths = stage.report(
        project.processed_dir,
        output or project.processed_dir,
        config,
        config_text,
        stage.ReportOptions(as_of=reference),
    )
    out.print(
        f"Wrote {', '.join(f'[bold]{escape(str(p))}[/]' for p in paths)} "
        f"in {time.perf_counter() - started:.1f} s"
    )


# --- run ---


@app.command()
@handles_errors
def run(
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of", help="Reference date YYYY-MM-DD for months running and the report (default: today)."
        ),
    ] = None,
    samples: Annotated[int, typer.Option(min=0, help="Monte Carlo weight draws for rank stability.")] = 1000,
    seed: Annotated[int | None, typer.Option(help="Seed of the draws (default: the config's).")] = None,
) -> None:
    """The whole job on data/raw/: ingest, rank, shortlist, report; then a summary."""
    from rich.progress import Progress
    from rich.table import Table

    from p4c import pipeline

    config = State.project.load_config()
    files = pipeline.raw_files(State.project)
    options = pipeline.RunOptions(as_of=parse_as_of(as_of), samples=samples, seed=seed)
    with Progress(console=err, transient=True) as progress:
        task = progress.add_task("Ingesting workbooks", total=len(files))
        result = pipeline.run(State.project, config, options, progress=lambda _path: progress.advance(task))
    _print_ingest(result.ingest)
    shortlisted = result.shortlist.shortlist
    tests = result.shortlist.field_tests
    table = Table(title="p4c run", show_header=False)
    table.add_column("what")
    table.add_column("how many", justify="right")
    table.add_row("partners", str(result.ranking.table["partner"].nunique()))
    table.add_row("services ranked", str(len(result.ranking.table)))
    table.add_row("good-practice candidates", str(int(result.shortlist.candidates["eligible"].sum())))
    table.add_row("shortlisted practices", str(len(shortlisted)))
    table.add_row("field tests planned", str(len(tests)))
    out.print(table)
    for note in result.shortlist.notes:
        out.print(f"• {escape(note)}")
    for note in result.notes:
        out.print(f"[yellow]note:[/] {escape(note)}")
    out.print("Outputs:")
    for path in result.outputs:
        out.print(f"  {escape(str(path))}")
    if not result.ok:
        failed = ", ".join(f.file.name for f in result.ingest.files if not f.written)
        err.print(
            f"[bold red]error:[/] not every workbook could be ingested ({escape(failed)}); "
            f"the results use the data ingested before for those partners, if any."
        )
        raise typer.Exit(1)


def main() -> None:
    try:
        app()
    finally:
        # Nothing is left to collect at exit; freezing skips a long final sweep of pandas objects.
        gc.freeze()
