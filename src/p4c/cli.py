"""The `p4c` command line: parse arguments, call one library function, print with rich.

No pandas here, and heavy libraries are imported inside the commands that use them, so that
`p4c --help` stays instant. Every `P4CError` becomes a message on stderr and exit code 1.
Results go to stdout (with --json, one JSON document and nothing else); errors, warnings and
progress go to stderr (p4c.console); -q keeps only errors and the JSON, -v adds timings.
"""

from __future__ import annotations

import datetime as dt
import functools
import gc
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeVar

import typer
from rich.markup import escape
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

from p4c import __version__
from p4c.console import UI, print_problems, print_status, timed
from p4c.errors import P4CError
from p4c.memory import no_huge_pages
from p4c.models import LANGUAGES, Language
from p4c.project import Project
from p4c.words import plural

if TYPE_CHECKING:
    from p4c.ingest import IngestReport
    from p4c.pipeline import RunResult
    from p4c.rank import RankResult
    from p4c.shortlist import ShortlistResult


def _no_type(ctx: Any) -> None:
    return None


def _plain_flags(params: list[Any]) -> list[Any]:
    """Help in words: flags (--json, --help...) take no value, so show none rather than Typer's
    `<bool>`; an argument's metavar (PATH, DIR, CODE) says its type, so no `<list[Path]>` after it."""
    for param in params:
        if isinstance(param, TyperOption) and param.is_flag and param.metavar is None:
            param.metavar = ""
        elif isinstance(param, TyperArgument) and param.metavar is not None:
            param.display_type_rich = _no_type  # type: ignore[method-assign]
    return params


class Command(TyperCommand):
    def get_params(self, ctx: Any) -> list[Any]:
        return _plain_flags(super().get_params(ctx))


class Group(TyperGroup):
    def get_params(self, ctx: Any) -> list[Any]:
        return _plain_flags(super().get_params(ctx))


app = typer.Typer(
    name="p4c",
    help="Rank development agencies' services to cluster initiatives, pick good practices and "
    "plan field tests. Pipeline: template -> ingest -> rank -> shortlist -> report; `run` "
    "does it all.",
    cls=Group,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)
ui = UI()

F = TypeVar("F", bound=Callable[..., Any])
METHOD_METAVAR = "wsm|topsis|wpm"
JsonFlag = Annotated[
    bool,
    typer.Option(
        "--json", help="Print one JSON document on stdout and nothing else (the shape is in the README)."
    ),
]


class State:
    project = Project(Path.cwd())


def report_error(exc: P4CError) -> None:
    """The one place errors reach the user: red on stderr, with the hint after."""
    ui.error(exc)


def handles_errors(func: F) -> F:
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            with timed(ui, f"p4c {func.__name__.removesuffix('_command')}"):
                return func(*args, **kwargs)
        except P4CError as exc:
            report_error(in_language(exc, kwargs.get("lang")))
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


def in_language(exc: P4CError, lang: object) -> P4CError:
    """The error in the command's --lang (fr, de) where its message is a translatable one."""
    from p4c.messages import message_of, render

    choice = str(lang).lower() if isinstance(lang, str) else ""
    if choice not in ("fr", "de"):
        return exc
    hint = render(exc.hint, choice) if exc.hint is not None else None
    return P4CError(render(message_of(exc), choice), hint=hint)


def command(name: str | None = None) -> Callable[[F], F]:
    """A p4c command: plain flags in its help, and every P4CError a clear message."""

    def decorate(func: F) -> F:
        return app.command(name, cls=Command)(handles_errors(func))

    return decorate


def at_least(low: int) -> Callable[[int | None], int | None]:
    """A callback refusing numbers below `low` (exit 2), without Typer's `[x>=0]` in the help."""

    def check(value: int | None) -> int | None:
        if value is not None and value < low:
            raise typer.BadParameter(f"{value} is less than {low}; give a whole number of at least {low}")
        return value

    return check


def count_option(low: int, help: str, *names: str) -> Any:
    """A whole-number option N of at least `low` (its names: `names`, else the parameter's)."""
    return typer.Option(*names, metavar="N", callback=at_least(low), help=help)


def code_option(help: str, *names: str) -> Any:
    """An option naming a partner by its country code, CODE (its names: `names`, else the parameter's)."""
    return typer.Option(*names, metavar="CODE", help=help)


def folder_option(help: str) -> Any:
    """`-o/--output DIR`: the folder a command writes into."""
    return typer.Option("--output", "-o", metavar="DIR", file_okay=False, help=help)


# The folder a stage writes its outputs into.
OutputFolder = Annotated[Path | None, folder_option("Folder to write to (default: data/processed/).")]


def date_option(help: str) -> Any:
    """`--as-of DATE` (YYYY-MM-DD)."""
    return typer.Option("--as-of", metavar="DATE", help=help)


# The scoring method and weight overrides: the same options, with the same help, wherever a
# command ranks (`rank`, `shortlist`).
MethodOption = Annotated[
    Literal["wsm", "topsis", "wpm"],
    typer.Option(
        "--method",
        "-m",
        metavar=METHOD_METAVAR,
        help="wsm (weighted sum), topsis, or wpm (weighted product).",
    ),
]
WeightOption = Annotated[
    list[str] | None,
    typer.Option(
        "--weight",
        "-w",
        metavar="ID=W",
        help="Override a criterion's weight (repeatable); weights are rescaled to sum to 1.",
    ),
]


def lang_option(help: str, *more: str) -> Any:
    """A language option: en, fr or de (or a choice of `more`), in any case."""
    return typer.Option(case_sensitive=False, metavar="|".join((*LANGUAGES, *more)), help=help)


XlsxLang = Annotated[
    Language,
    lang_option("Language of the .xlsx headers, sheet names and labels (the CSV keeps machine ids)."),
]


def echo_json(doc: Any) -> None:
    """The JSON document of --json: the only thing on stdout, so that it pipes into `jq`."""
    typer.echo(json.dumps(doc, ensure_ascii=False, indent=2))


def _version(value: bool) -> None:
    if value:
        ui.out.print(f"p4c {__version__}")
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
            metavar="DIR",
            help="Project folder (holds config/, data/raw/, data/processed/).",
            file_okay=False,
        ),
    ] = Path(),
    quiet: Annotated[
        bool,
        typer.Option(
            "--quiet", "-q", help="Print only errors (and the JSON of --json): no results, no warnings."
        ),
    ] = False,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Print more detail on stderr: timings of each stage.")
    ] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    State.project = Project(project.resolve())
    ui.configure(quiet=quiet, verbose=verbose)


# --- init ---

COORDINATOR_README = """# p4c project

This folder is a p4c project.

- `config/criteria.yaml`: the criteria, weights, categories and good-practice rules (commented).
- `data/raw/`: put the partners' workbooks here, as they were sent. p4c never changes them.
- `data/processed/`: everything p4c computes; safe to delete, `p4c run` makes it again.

Send each partner a template: `p4c template --partner BE --lang fr -o BE_template.xlsx`.
Then run the whole job: `p4c --project . run`.
"""


@command()
def init(
    directory: Annotated[
        Path, typer.Argument(metavar="DIR", help="Folder to create the project in.", file_okay=False)
    ],
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
    ui.out.print(
        f"Created project [bold]{escape(str(directory))}[/]: config/criteria.yaml, data/raw/, "
        f"data/processed/. Put partner workbooks in data/raw/ and run `p4c --project "
        f"{directory} run`."
    )


# --- template ---


@command()
def template(
    *,
    partner: Annotated[str | None, code_option("Partner code to prefill (e.g. BE).")] = None,
    lang: Annotated[
        Language, lang_option("Language of sheet names, headers and words (any case: FR is fr).")
    ] = "en",
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", metavar="FILE", help="Where to write the .xlsx.", dir_okay=False),
    ] = None,
    field_tests: Annotated[
        bool,
        typer.Option(
            "--field-tests",
            help="Write the partner's field-test report instead, pre-filled from the plan (needs --partner).",
        ),
    ] = False,
    plan: Annotated[
        bool,
        typer.Option("--plan", help="Write the partner's recommendation-plan workbook (needs --partner)."),
    ] = False,
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
    if field_tests:
        _field_test_template(code, lang, output)
        return
    if plan:
        _plan_template(code, lang, output)
        return
    if scoring:
        written, count = tpl.project_scoring_template(State.project.processed_dir, config, code, lang, output)
        sheets = ", ".join(tpl.SCORING_WORDS[lang].sheets.values())
        ui.out.print(
            f"Wrote [bold]{escape(str(written))}[/] ({lang}): {plural(count, 'service')}; sheets {sheets}."
        )
        return
    target = output or Path(f"{code or 'partner'}_template_{lang}.xlsx")
    if target.suffix.lower() != ".xlsx":
        raise P4CError(f"{target}: the template is an .xlsx workbook; give a name ending in .xlsx")
    tpl.template(config, target, lang=lang, partner=code)
    ui.out.print(f"Wrote [bold]{escape(str(target))}[/] ({lang}): sheets {', '.join(tpl.sheet_names(lang))}.")


# --- ingest ---


@command()
def ingest(  # noqa: PLR0917 - typer takes the options as parameters
    paths: Annotated[
        list[Path],
        typer.Argument(
            metavar="PATH", help="Workbooks (.xlsx .xlsm .ods .xls .csv) or folders holding them."
        ),
    ],
    partner: Annotated[
        str | None,
        code_option("Partner code, for a CSV or one-sheet workbook whose name does not start with it."),
    ] = None,
    accept_valid: Annotated[
        bool,
        typer.Option(
            "--accept-valid",
            help="Write the valid rows of a workbook with errors; keep the rejected "
            "rows with their reasons in rejected.parquet.",
        ),
    ] = False,
    feedback: Annotated[
        Path | None,
        typer.Option(
            metavar="DIR",
            help="Folder for the feedback workbooks (default data/processed/feedback/): a copy of "
            "each workbook with errors or warnings, every problem marked, to send back to the partner.",
        ),
    ] = None,
    lang: Annotated[
        Language | None,
        lang_option(
            "Language of the messages and feedback workbooks: en, fr or de "
            "(default: English here, each workbook's own language in its feedback).",
        ),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Validate partner workbooks and store them in data/processed/ (all or nothing per workbook)."""
    from p4c import ingest as stage

    config = State.project.load_config()
    files = _expand(paths)
    with ui.steps(enabled=len(files) > 1 and not as_json) as steps:
        steps.stage("ingest", len(files))
        result = stage.ingest(
            files,
            State.project,
            config,
            partner=partner,
            accept_valid=accept_valid,
            progress=steps.advance,
            feedback=feedback,
            lang=lang,
        )
    if as_json:
        echo_json(result.as_dict())
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
    """The problems (errors and warnings, cell by cell) on stderr; each file's outcome: written on
    stdout, not written on stderr (an error, shown even with -q)."""
    from p4c.store import REJECTED_FILE

    print_problems(ui.err, result, quiet=ui.quiet)
    for f in result.files:
        warn = f", {plural(len(f.warnings), 'warning')}" if f.warnings else ""
        name = escape(f.file.name)
        if f.written:
            extra = (
                f", {plural(f.rejected_rows, 'row')} rejected and kept in {REJECTED_FILE}"
                if f.rejected_rows
                else ""
            )
            ui.out.print(
                f"[green]✓[/] {name}: {f.partner} - {plural(f.accepted, f.noun)} written{extra}{warn}"
            )
        elif f.fatal:
            ui.err.print(f"[red]✗[/] {name}: not written - {plural(len(f.errors), 'error')}{warn}")
        else:
            ui.err.print(
                f"[red]✗[/] {name}: {f.partner} - not written: {plural(f.rejected_rows, 'row')} with "
                f"{plural(len(f.errors), 'error')}, {f.accepted} valid{warn}. Fix the cells above, or "
                f"use --accept-valid to write the valid rows."
            )
        if f.feedback is not None and (f.errors or not ui.quiet):  # with the problems, on stderr
            ui.err.print(f"  feedback for the partner: [bold]{escape(str(f.feedback))}[/]")


# --- withdraw and rebuild ---


@command()
def withdraw(
    partner: Annotated[str, typer.Argument(metavar="CODE", help="The partner code to take out (e.g. MT).")],
    as_json: JsonFlag = False,
) -> None:
    """Take a partner out of the processed data; its rows are kept in history."""
    from p4c import store
    from p4c.ingest import partner_option

    code = partner_option(partner)
    assert code is not None
    services = store.withdraw(State.project.processed_dir, code)
    if as_json:
        echo_json({"partner": code, "services": services})
        return
    ui.out.print(
        f"Withdrew {code}: {plural(services, 'service')} moved to history. "
        "`p4c ingest` its workbook to bring it back."
    )


@command()
def rebuild(as_json: JsonFlag = False) -> None:
    """Make a damaged store again from the exports (history/) and the workbooks of data/raw/."""
    from p4c import ingest as stage

    config = State.project.load_config()
    result = stage.rebuild(State.project, config)
    for name in result.skipped:
        ui.warn(f"{name} could not be read and was skipped.")
    if as_json:
        echo_json(
            {
                "damaged": None if result.damaged is None else str(result.damaged),
                "skipped": list(result.skipped),
                **result.ingest.as_dict(),
            }
        )
    else:
        if result.damaged is not None:
            ui.out.print(f"Set the damaged store aside as [bold]{escape(str(result.damaged))}[/].")
        _print_ingest(result.ingest)
    if not result.ingest.ok:
        raise typer.Exit(1)


# --- status ---


@command()
def status(as_json: JsonFlag = False) -> None:
    """What is ingested: partner, organisation, services, source file and sha256, when."""
    from p4c import store

    frame = store.status(State.project.processed_dir)
    records = json.loads(frame.to_json(orient="records", force_ascii=False))
    if as_json:
        echo_json({"partners": records})
        return
    if not records:
        ui.out.print("Nothing ingested yet: run `p4c ingest data/raw` or `p4c run`.")
        return
    print_status(
        ui.out, records, [str(c) for c in frame.columns], f"Ingested in {State.project.processed_dir}"
    )


# --- rank ---


@command("rank")
def rank_command(
    *,
    method: MethodOption = "wsm",
    weight: WeightOption = None,
    by: Annotated[
        Literal["partner", "category"] | None,
        typer.Option(
            metavar="partner|category", help="Also rank within each partner or category (adds group_rank)."
        ),
    ] = None,
    top: Annotated[
        int,
        count_option(0, "Rows shown in the terminal (the files hold every service).", "--top", "-n"),
    ] = 20,
    samples: Annotated[
        int,
        count_option(
            0,
            "Monte Carlo weight draws: p_top and rank percentiles (0 = none).",
        ),
    ] = 0,
    seed: Annotated[
        int | None,
        typer.Option(metavar="N", help="Seed of the draws (default: the config's stability.seed)."),
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
            metavar="FILE",
            dir_okay=False,
            help="Write here (.csv, .xlsx or .parquet) instead of "
            "data/processed/ranking.csv and ranking.xlsx.",
        ),
    ] = None,
    weights_of: Annotated[
        str | None,
        code_option("Rank with the weights one partner proposed in its scoring workbook.", "--weights-of"),
    ] = None,
    lang: XlsxLang = "en",
    as_json: JsonFlag = False,
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
    with ui.steps(enabled=samples > 0 and not as_json) as steps:
        steps.stage("rank")
        steps.after_draws = "stability" if stability else None
        result = ranking.rank(data.services, data.partners, config, options, progress=steps.draws)
    targets, note = (
        ([output], None)
        if output is not None
        else ranking.default_outputs(State.project.processed_dir, len(result.table))
    )
    written = ranking.write_rankings(result, targets, config=config, lang=lang)
    if output is None:  # the record that lets `p4c report` prove what it shows belongs together
        from p4c.pipeline import record_rank

        folder = State.project.processed_dir
        written.append(
            record_rank(folder, config, data.partners, result, samples=samples, seed=seed, outputs=written)
        )
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
        ui.out.print(f"[yellow]note:[/] {escape(note)}")
    if stale:
        ui.err.print(f"[yellow]stale scores:[/] {escape(stale)}")
    ui.out.print("Wrote " + ", ".join(f"[bold]{escape(str(p))}[/]" for p in written), soft_wrap=True)


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
    ui.out.print(
        f"Ranked [bold]{len(result.table)}[/] services with [bold]{result.method}[/] "
        f"(k = {result.k}). Weights used, rescaled to sum to 1:"
    )
    ui.out.print("  " + " · ".join(f"{escape(k)} {v:.3f}" for k, v in weights.items()))
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
        ui.out.print(table)
        ui.out.print(
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
        ui.out.print(table)
        fragile = most_fragile(result)
        if fragile is None:
            ui.out.print(f"No single weight change alters the top {result.k}.")
        else:
            sides = ([f"below {fragile.lo:.3f}"] if fragile.lo > 0 else []) + (
                [f"above {fragile.hi:.3f}"] if fragile.hi < 1 else []
            )
            ui.out.print(
                f"Most fragile criterion: [bold]{escape(fragile.criterion)}[/] (weight "
                f"{fragile.weight:.3f}): the top {result.k} changes if it goes "
                f"{' or '.join(sides)}, a {fragile.change:.1%} change of its weight (the "
                f"smallest relative change over all criteria)."
            )


# --- shortlist ---


@command()
def shortlist(
    *,
    as_of: Annotated[
        str | None,
        date_option(
            "Reference date (YYYY-MM-DD) for months running; default today. Fix it to reproduce a result."
        ),
    ] = None,
    size: Annotated[
        int | None,
        count_option(
            1,
            "Practices in the shortlist (default: config shortlist.size).",
        ),
    ] = None,
    max_per_partner: Annotated[
        int | None,
        count_option(
            1,
            "At most this many practices from one partner (default: config shortlist.max_per_partner).",
        ),
    ] = None,
    tests_per_partner: Annotated[
        int | None,
        count_option(
            0,
            "Practices each partner field-tests (default: config field_tests.tests_per_partner).",
        ),
    ] = None,
    method: MethodOption = "wsm",
    weight: WeightOption = None,
    output: OutputFolder = None,
    lang: XlsxLang = "en",
    as_json: JsonFlag = False,
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
    from p4c.report.provenance import RankedBy

    options = stage.ShortlistOptions(
        as_of=reference,
        size=size,
        max_per_partner=max_per_partner,
        tests_per_partner=tests_per_partner,
        ranked_by=RankedBy(method=ranked.method, weights=ranked.weights),
    )
    result = stage.shortlist(ranked.table, data.services, data.partners, data.needs, config, options)
    folder = output or State.project.processed_dir
    paths = stage.write_shortlist(result, folder, config=config, lang=lang)
    if as_json:
        echo_json(
            {
                "method": ranked.method,
                "weights": ranked.weights,
                **_shortlist_doc(result),
                "outputs": [str(p) for p in paths],
            }
        )
        return
    _print_shortlist(result, ranked.method, ranked.weights)
    ui.out.print(f"Wrote {', '.join(p.name for p in paths)} in [bold]{escape(str(folder))}[/]")


def _records(frame: Any) -> list[dict[str, Any]]:
    """A DataFrame's rows as JSON objects: NaN as null, dates as YYYY-MM-DD."""
    records: list[dict[str, Any]] = json.loads(
        frame.to_json(orient="records", date_format="iso", force_ascii=False)
    )
    return records


def _shortlist_doc(result: ShortlistResult) -> dict[str, Any]:
    return {
        "candidates": int(result.candidates["eligible"].sum()),
        "shortlist": _records(result.shortlist),
        "field_tests": _records(result.field_tests),
        "notes": list(result.notes),
    }


def _print_shortlist(result: ShortlistResult, method: str, weights: dict[str, float]) -> None:
    from rich.table import Table

    from p4c import shortlist as stage

    ui.out.print(f"Ranked with {method}: " + ", ".join(f"{k} {v:.2f}" for k, v in weights.items()))
    table = Table(title=f"Shortlist: {len(result.shortlist)} good practices")
    for name in ("rank", "partner", "service", "title", "category", "score"):
        table.add_column(name, justify="right" if name in ("rank", "score") else "left", overflow="fold")
    for row in stage.shortlist_rows(result):
        table.add_row(*(escape(cell) for cell in row))
    ui.out.print(table)
    plan = stage.plan_rows(result)
    if plan:
        table = Table(title="Field tests: who tests which practice, and how")
        for name in ("partner", "practice", "title", "mode", "need", "match"):
            table.add_column(name, justify="right" if name in ("need", "match") else "left", overflow="fold")
        for row in plan:
            table.add_row(*(escape(cell) for cell in row))
        ui.out.print(table)
    ui.out.print("[bold]What bound the choice[/]")
    for note in result.notes:
        ui.out.print(f"  - {escape(note)}")


# --- report ---


@command("report")
def report_command(
    *,
    as_of: Annotated[
        str | None,
        date_option("Date printed on the report (YYYY-MM-DD); default today."),
    ] = None,
    output: Annotated[
        Path | None,
        folder_option("Folder to write report.html and report.xlsx to (default: data/processed/)."),
    ] = None,
    lang: Annotated[
        Language,
        lang_option(
            "Language of every fixed text of report.html and report.xlsx (the data stays as written)."
        ),
    ] = "en",
    as_json: JsonFlag = False,
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
        stage.ReportOptions(as_of=reference, lang=lang),
    )
    if as_json:
        echo_json({"outputs": [str(p) for p in paths]})
        return
    ui.out.print(
        f"Wrote {', '.join(f'[bold]{escape(str(p))}[/]' for p in paths)} "
        f"in {time.perf_counter() - started:.1f} s"
    )


# --- run ---


@command()
def run(
    as_of: Annotated[
        str | None,
        date_option("Reference date YYYY-MM-DD for months running and the report (default: today)."),
    ] = None,
    samples: Annotated[
        int,
        count_option(0, "Monte Carlo weight draws for rank stability."),
    ] = 1000,
    seed: Annotated[
        int | None, typer.Option(metavar="N", help="Seed of the draws (default: the config's).")
    ] = None,
    lang: Annotated[
        Language,
        lang_option(
            "Language of the report, the .xlsx workbooks and the catalogue (plans keep each partner's)."
        ),
    ] = "en",
    as_json: JsonFlag = False,
) -> None:
    """The whole job on data/raw/: ingest, rank, shortlist, report; then a summary."""
    from p4c import pipeline

    config = State.project.load_config()
    files = pipeline.raw_files(State.project)
    options = pipeline.RunOptions(as_of=parse_as_of(as_of), samples=samples, seed=seed, lang=lang)
    with ui.steps(enabled=not as_json) as steps:

        def stage(name: str) -> None:
            steps.stage(name, len(files) if name == "ingest" else None)

        result = pipeline.run(
            State.project, config, options, progress=steps.advance, stage=stage, draws=steps.draws
        )
    ranked = result.ranking
    if as_json:
        echo_json(
            {
                "ok": result.ok,
                "ingest": result.ingest.as_dict(),
                "ranking": {
                    "method": ranked.method,
                    "weights": ranked.weights,
                    "k": ranked.k,
                    "partners": int(ranked.table["partner"].nunique()),
                    "services": len(ranked.table),
                },
                "shortlist": _shortlist_doc(result.shortlist),
                "outputs": [str(p) for p in result.outputs],
                "notes": list(result.notes),
            }
        )
    else:
        _print_run(result)
    if not result.ok:
        failed = ", ".join(f.file.name for f in result.ingest.files if not f.written)
        ui.err.print(
            f"[bold red]error:[/] not every workbook could be ingested ({escape(failed)}); "
            f"the results use the data ingested before for those partners, if any."
        )
        raise typer.Exit(1)


def _print_run(result: RunResult) -> None:
    from rich.table import Table

    _print_ingest(result.ingest)
    table = Table(title="p4c run", show_header=False)
    table.add_column("what")
    table.add_column("how many", justify="right")
    table.add_row("partners", str(result.ranking.table["partner"].nunique()))
    table.add_row("services ranked", str(len(result.ranking.table)))
    table.add_row("good-practice candidates", str(int(result.shortlist.candidates["eligible"].sum())))
    table.add_row("shortlisted practices", str(len(result.shortlist.shortlist)))
    table.add_row("field tests planned", str(len(result.shortlist.field_tests)))
    ui.out.print(table)
    for note in result.shortlist.notes:
        ui.out.print(f"• {escape(note)}")
    for note in result.notes:
        ui.out.print(f"[yellow]note:[/] {escape(note)}")
    ui.out.print("Outputs:")
    for path in result.outputs:
        ui.out.print(f"  {escape(str(path))}")


def _field_test_template(code: str | None, lang: Language, output: Path | None) -> None:
    """`p4c template --field-tests`: the report workbook, one row per planned test."""
    from p4c.evaluation import stage
    from p4c.evaluation import template as tpl

    if code is None:
        raise P4CError(
            "--field-tests needs --partner CODE: the report is pre-filled with that partner's planned tests"
        )
    folder = State.project.processed_dir
    plan = stage.read_plan(folder)
    if plan is None:
        raise P4CError(
            f"no field-test plan in {folder} (field_tests.csv): the report is pre-filled from it",
            hint="Run `p4c shortlist` (or `p4c run`) first.",
        )
    target = output or Path(tpl.file_name(code, lang))
    if target.suffix.lower() != ".xlsx":
        raise P4CError(f"{target}: the template is an .xlsx workbook; give a name ending in .xlsx")
    tests = tpl.plan_rows(plan, code)
    tpl.field_test_template(
        target,
        partner=code,
        lang=lang,
        tests=tests,
        cluster_initiatives=stage.cluster_initiatives(folder, code),
    )
    ui.out.print(
        f"Wrote [bold]{escape(str(target))}[/] ({lang}): {plural(len(tests), 'planned test')} of {code} "
        "pre-filled; sheets Instructions, Partner, FieldTests."
    )


# --- evaluate ---


@command("evaluate")
def evaluate_command(
    *,
    as_of: Annotated[
        str | None,
        date_option("Reference date (YYYY-MM-DD) for late tests; default today."),
    ] = None,
    output: OutputFolder = None,
    as_json: JsonFlag = False,
) -> None:
    """Evaluate the field-test reports: figures and a transferability verdict per practice."""
    from p4c.evaluation import stage

    reference = parse_as_of(as_of)
    config = State.project.load_config()
    folder = State.project.processed_dir
    evaluation = stage.evaluate_folder(folder, config, reference)
    paths = stage.write_evaluation(evaluation, output or folder)
    if as_json:
        typer.echo(json.dumps(stage.summary_json(evaluation, paths), ensure_ascii=False, indent=2))
        return
    _print_evaluation(evaluation)
    ui.out.print("Wrote " + ", ".join(f"[bold]{escape(str(p))}[/]" for p in paths), soft_wrap=True)


def _print_evaluation(evaluation: Any) -> None:
    from rich.table import Table

    practices = evaluation.result.practices
    table = Table(title=f"Verdicts as of {evaluation.as_of.isoformat()}")
    table.add_column("verdict", no_wrap=True)
    table.add_column("n", justify="right")
    table.add_column("practices", overflow="fold")
    for verdict, count in evaluation.verdict_counts.items():
        rows = practices[practices["verdict"] == verdict]
        names = ", ".join(
            f"{p} {i}" for p, i in zip(rows["practice_partner"], rows["practice_id"], strict=True)
        )
        table.add_row(verdict, str(count), escape(names))
    ui.out.print(table)
    tests = evaluation.result.results
    counts = tests["status"].value_counts()
    ui.out.print(
        f"{plural(len(tests), 'test')} reported: "
        + ", ".join(f"{int(counts.get(s, 0))} {s}" for s in ("DONE", "ONGOING", "PLANNED", "CANCELLED"))
    )
    if evaluation.missing:
        ui.out.print(f"[bold]Missing[/] ({len(evaluation.missing)})")
        for line in evaluation.missing:
            ui.out.print(f"  - {escape(line)}")
    for line in evaluation.result.warnings:
        ui.err.print(f"[yellow]warning:[/] {escape(line)}")


# --- plan ---


def _plan_template(code: str | None, lang: Language, output: Path | None) -> None:
    """`p4c template --plan`: the plan workbook, pre-filled from the store and the evaluation."""
    from p4c.plan import stage
    from p4c.plan.workbook import FILE_PATTERN, write_plan_template

    if code is None:
        raise P4CError("--plan needs --partner CODE: a plan workbook is one partner's")
    target = output or Path(FILE_PATTERN.format(partner=code, lang=lang))
    if target.suffix.lower() != ".xlsx":
        raise P4CError(f"{target}: the plan workbook is an .xlsx workbook; give a name ending in .xlsx")
    config = State.project.load_config()
    inputs = stage.load_inputs(State.project.processed_dir, config)
    actions = stage.prefill(code, inputs, config)
    write_plan_template(target, partner=code, lang=lang, actions_prefill=actions)
    ui.out.print(
        f"Wrote [bold]{escape(str(target))}[/] ({lang}): sheets Plan and Actions, "
        f"{plural(len(actions), 'action')} pre-filled."
    )
    for note in inputs.notes:
        ui.err.print(f"[yellow]note:[/] {escape(note)}")


@command("plan")
def plan_command(
    *,
    partner: Annotated[
        list[str] | None, code_option("Partner code (repeatable); default: every ingested partner.")
    ] = None,
    lang: Annotated[
        Language | None, lang_option("Language of the plans (default: each plan workbook's, else en).")
    ] = None,
    output: Annotated[
        Path | None, folder_option("Folder to write plans/ into (default: data/processed/).")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Write each partner's recommendation plan (plans/CODE_plan.html and .docx)."""
    from p4c.ingest import partner_option
    from p4c.plan import stage

    config = State.project.load_config()
    codes = [c for c in (partner_option(p) for p in partner or []) if c is not None]
    result = stage.write_plans(State.project.processed_dir, config, output, partners=codes, lang=lang)
    if as_json:
        typer.echo(json.dumps(stage.plans_json(result), ensure_ascii=False, indent=2))
        return
    for note in result.notes:
        ui.err.print(f"[yellow]note:[/] {escape(note)}")
    for written in result.plans:
        kind = "DRAFT" if written.draft else "plan"
        ui.out.print(
            f"[green]✓[/] {written.partner} {kind} ({written.language}, "
            f"{plural(written.actions, 'action')}): " + ", ".join(escape(str(p)) for p in written.paths)
        )
        for line in written.missing:
            ui.out.print(f"    - missing: {escape(line)}")


# --- catalogue ---


@command()
def catalogue(
    *,
    lang: Annotated[
        str,
        lang_option(
            "Language of the site; all: one site per language, each page linking to the others.", "all"
        ),
    ] = "en",
    output: Annotated[
        Path | None, folder_option("Folder of the site (default: data/processed/catalogue/).")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Write the searchable catalogue of every service: a static site and its open-data package."""
    from p4c.catalogue import build_catalogue
    from p4c.catalogue.site import read_processed
    from p4c.store import CATALOGUE_DIR

    choice = lang.lower()
    if choice not in (*LANGUAGES, "all"):
        raise typer.BadParameter(f"{lang!r} is not one of en, fr, de, all", param_hint="--lang")
    config = State.project.load_config()
    folder = State.project.processed_dir
    target = output or folder / CATALOGUE_DIR
    written = build_catalogue(read_processed(folder, config), config, target, lang=choice)  # type: ignore[arg-type]
    if as_json:
        echo_json({"folder": str(target), "files": len(written)})
        return
    ui.out.print(
        f"Wrote the catalogue in [bold]{escape(str(target))}[/] ({plural(len(written), 'file')}); "
        f"open {escape(str(target / 'index.html'))} in a browser, or copy the folder to a web server."
    )


def main() -> None:
    # p4c's matrix products are services x criteria (eight columns): BLAS threads add nothing to them
    # but spin beside p4c's own threads and processes, a tenth of `p4c run`'s CPU time. Read when
    # numpy loads, which no command has done yet; a value the user set is kept.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    no_huge_pages()  # a command touches its arrays once: zeroing 2 MB pages is pure cost
    try:
        app()
    finally:
        # Nothing is left to collect at exit; freezing skips a long final sweep of pandas objects.
        gc.freeze()
