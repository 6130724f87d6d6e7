"""Benchmark `p4c ingest` on a large, realistic partner workbook against a pandas + pydantic baseline.

Run: `.venv/bin/python bench/bench_ingest.py [--rows 100000] [--repeat 3] [--keep DIR] [--profile]`

1. Generates (once; cached) an xlsx workbook with xlsxwriter: a Partner sheet (BE, 10,000 cluster
   initiatives), a Services sheet with the 12 contract columns and the 6 score columns of the default
   config, and a Needs sheet. Content is mixed as partners type it: ~10% of numbers as European text
   (`12 345,50 €`, `3,5`, `4/5`), dates as date cells and some as text `07/03/2011` or a year,
   category/provider/status words in English, French and German, blanks in optional columns.
2. Times p4c in-process (`p4c.ingest.ingest`: read + validate + parquet + log) and as the CLI in a
   subprocess (start-up included), each in a fresh project folder; best of --repeat. Also times
   the in-process phases one by one (read + hash, validate, freeing the cells read, store).
3. Times the baseline: `pandas.read_excel(engine="openpyxl")` of all sheets, then one pydantic v2
   `model_validate` per Services row in a Python loop.

Not a test: it measures and prints. Timings on a shared machine are noisy; the best of N is reported.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import math
import os
import pstats
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Literal

GENERATOR_VERSION = 2
PARTNER = "BE"
CLUSTER_INITIATIVES = 10_000
SCORE_IDS = ("relevance", "impact", "transferability", "sustainability", "innovation", "synergy")
TARGET_ROWS_PER_S = 50_000
TARGET_SPEEDUP = 15.0
VENV_BIN = Path(sys.executable).parent

# Headers as a Belgian partner writes them: French aliases, a unit in parentheses, English ids.
HEADERS = (
    "Identifiant",
    "Titre",
    "Description",
    "Catégorie",
    "Prestataire",
    "Statut",
    "Date de début",
    "Budget annuel (€)",
    "Personnel (ETP)",
    "Initiatives clusters servies",
    "PME touchées",
    "Résultats",
    *SCORE_IDS,
)
# What a baseline author maps those headers to (the model's field names).
BASELINE_NAMES = (
    "service_id",
    "title",
    "description",
    "category",
    "provider",
    "status",
    "start_date",
    "annual_budget_eur",
    "staff_fte",
    "cis_served",
    "smes_reached",
    "evidence",
    *SCORE_IDS,
)

ACTIVITIES = (
    "B2B matchmaking day at the regional fair",
    "Joint pavilion at an international trade fair",
    "Export mission to third markets",
    "EU proposal-writing helpdesk",
    "Technology watch bulletin",
    "Shared back-office for cluster managers",
    "Member satisfaction survey and dashboard",
    "Regional cluster managers' peer club",
    "Seed-fund pitching sessions",
    "Skills academy for SMEs",
    "Open lab for prototyping",
    "Cross-cluster innovation challenge",
    "Public-procurement briefing",
    "Brand campaign for the regional ecosystem",
    "Start-up incubation programme",
    "Policy roundtable with the regional government",
    "Digital maturity audit for members",
)
TOWNS = ("Namur", "Liège", "Mons", "Charleroi", "Arlon", "Wavre", "Tournai", "Huy", "Dinant", "Spa")
DESCRIPTIONS = (
    "Collective action run with the regional cluster initiatives.",
    "Action collective menée avec les initiatives clusters de la région.",
    "Service ouvert à toutes les PME membres, sur inscription.",
    "Co-financed by the ERDF; open to members and non-members.",
    "Gemeinsam mit den Clusterinitiativen der Region durchgeführt.",
)


# --- the workbook ------------------------------------------------------------------------------------


def _category_words() -> tuple[list[str], list[str]]:
    """(codes, every way the default config accepts a category: codes, labels in en/fr/de, aliases)."""
    from p4c.config import default_config_text, parse_config

    config = parse_config(default_config_text(), "default config")
    words: list[str] = []
    for cat in config.categories:
        words += [cat.code, cat.code, *cat.label.values(), *cat.aliases]
    return [cat.code for cat in config.categories], words


def _enum_words(table: dict[Any, tuple[str, ...]]) -> list[str]:
    words: list[str] = []
    for code, aliases in table.items():
        words += [code.value, code.value.lower(), *aliases, *(a.capitalize() for a in aliases)]
    return words


def _euro_text(amount: float, rng: random.Random) -> str:
    """`12 345,50 €` with a normal, no-break or narrow no-break space, or `12.345,50` (German)."""
    whole, cents = divmod(round(amount * 100), 100)
    sep = rng.choice((" ", "\u00a0", "\u202f", "."))
    grouped = f"{whole:,}".replace(",", sep)
    return f"{grouped},{cents:02d}" + rng.choice((" €", "\u00a0€", "", " EUR"))


def _comma_text(value: float) -> str:
    text = f"{value:g}"
    return text.replace(".", ",")


def generate_workbook(path: Path, rows: int, seed: int = 2011) -> None:
    """A valid BE workbook with `rows` services; every cell passes p4c's validation."""
    import xlsxwriter

    from p4c.models import PROVIDER_WORDS, STATUS_WORDS

    rng = random.Random(seed)
    codes, categories = _category_words()
    providers = _enum_words(PROVIDER_WORDS)
    statuses = _enum_words(STATUS_WORDS)
    tmp = path.with_suffix(".tmp.xlsx")
    # Shared strings, as Excel writes them (constant_memory would write inline strings instead).
    workbook = xlsxwriter.Workbook(
        str(tmp), {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False}
    )
    date_format = workbook.add_format({"num_format": "dd/mm/yyyy"})
    bold = workbook.add_format({"bold": True})

    partner = workbook.add_worksheet("Partenaire")
    for r, (key, value) in enumerate(
        (
            ("Clé", "Valeur"),
            ("Code partenaire", PARTNER),
            ("Organisme", "Agence de développement économique"),
            ("Région", "Wallonie"),
            ("Initiatives clusters", CLUSTER_INITIATIVES),
            ("Contact", "clusters@example.be"),
        )
    ):
        partner.write(r, 0, key, bold if r == 0 else None)
        partner.write(r, 1, value, bold if r == 0 else None)

    sheet = workbook.add_worksheet("Prestations")
    sheet.write_row(0, 0, HEADERS, bold)
    text_share = 0.10
    for i in range(rows):
        r = i + 1
        sid = f"{PARTNER}-{i + 1:06d}"
        title = f"{rng.choice(ACTIVITIES)} ({rng.choice(TOWNS)}, {2005 + i % 19})"
        description = rng.choice(DESCRIPTIONS) if rng.random() < 0.8 else None
        sheet.write_string(r, 0, sid)
        sheet.write_string(r, 1, title)
        if description:
            sheet.write_string(r, 2, description)
        sheet.write_string(r, 3, rng.choice(categories))
        sheet.write_string(r, 4, rng.choice(providers))
        sheet.write_string(r, 5, rng.choice(statuses))
        # start_date: a date cell, else text day-first or a year alone, else blank
        draw = rng.random()
        start = dt.date(2000, 1, 1) + dt.timedelta(days=rng.randrange(0, 9000))
        if draw < 0.85:
            sheet.write_datetime(r, 6, dt.datetime(start.year, start.month, start.day), date_format)
        elif draw < 0.95:
            sheet.write_string(r, 6, start.strftime("%d/%m/%Y"))
        elif draw < 0.97:
            sheet.write_string(r, 6, str(start.year))
        budget = round(rng.uniform(2_000, 900_000), 2)
        if rng.random() < text_share:
            sheet.write_string(r, 7, _euro_text(budget, rng))
        elif rng.random() < 0.97:
            sheet.write_number(r, 7, budget)
        fte = rng.randrange(1, 80) / 10
        if rng.random() < text_share:
            sheet.write_string(r, 8, _comma_text(fte))
        else:
            sheet.write_number(r, 8, fte)
        cis = rng.randrange(0, CLUSTER_INITIATIVES + 1)
        if rng.random() < text_share:
            sheet.write_string(r, 9, str(cis))
        else:
            sheet.write_number(r, 9, cis)
        smes = rng.randrange(0, 25_000)
        if rng.random() < text_share:
            sheet.write_string(r, 10, f"{smes:,}".replace(",", " "))
        else:
            sheet.write_number(r, 10, smes)
        if rng.random() < 0.9:
            sheet.write_string(r, 11, f"{rng.randrange(1, 500)} SMEs reported new contracts")
        for s in range(len(SCORE_IDS)):
            if rng.random() < 0.04:
                continue  # a missing score
            score = rng.randrange(2, 11) / 2
            draw = rng.random()
            if draw < text_share / 2 and score.is_integer():
                sheet.write_string(r, 12 + s, f"{int(score)}/5")
            elif draw < text_share:
                sheet.write_string(r, 12 + s, _comma_text(score))
            else:
                sheet.write_number(r, 12 + s, score)

    needs = workbook.add_worksheet("Besoins")
    needs.write_row(0, 0, ("Catégorie", "Importance"), bold)
    for r, code in enumerate(codes, start=1):
        needs.write_string(r, 0, code)
        needs.write_number(r, 1, 1 + (r % 5))
    workbook.close()
    tmp.replace(path)


def workbook_path(rows: int, keep: Path | None) -> Path:
    folder = keep if keep is not None else Path(tempfile.gettempdir()) / "p4c-bench"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"BE_bench_{rows}_v{GENERATOR_VERSION}.xlsx"


# --- p4c ---------------------------------------------------------------------------------------------


def new_project(parent: Path) -> Path:
    """A fresh project folder with the default config as config/criteria.yaml."""
    from importlib import resources

    root = Path(tempfile.mkdtemp(prefix="project-", dir=parent))
    (root / "config").mkdir()
    (root / "data" / "raw").mkdir(parents=True)
    (root / "data" / "processed").mkdir(parents=True)
    default = resources.files("p4c").joinpath("default_criteria.yaml")
    (root / "config" / "criteria.yaml").write_bytes(default.read_bytes())
    return root


def clear_caches() -> None:
    """Empty p4c's memo caches (value parsers, names), so each run is as cold as a new process."""
    from p4c import values

    for name in dir(values):
        clear = getattr(getattr(values, name), "cache_clear", None)
        if callable(clear):
            clear()


def run_p4c(path: Path, root: Path) -> tuple[float, Any]:
    from p4c.config import Project
    from p4c.ingest import ingest

    clear_caches()
    project = Project(root)
    config = project.load_config()
    start = time.perf_counter()
    report = ingest([path], project, config)
    return time.perf_counter() - start, report


def run_phases(path: Path, root: Path) -> dict[str, float]:
    """One in-process ingest, timed phase by phase as `ingest` runs them (collector off)."""
    from p4c import ingest as stage
    from p4c.config import Project
    from p4c.memory import no_gc

    clear_caches()
    project = Project(root)
    config = project.load_config()
    times: dict[str, float] = {}
    start = time.perf_counter()
    with no_gc():
        book, sha256 = stage._read_and_hash(path, config)
        times["read + hash (+ imports in parallel)"] = time.perf_counter() - start
        start = time.perf_counter()
        result = stage.validate_book(book, config, None, stage.WorkbookResult(path, sha256))
        times["validate"] = time.perf_counter() - start
        start = time.perf_counter()
        del book
        times["free the cells read"] = time.perf_counter() - start
    start = time.perf_counter()
    if callable(getattr(stage, "store", None)):  # p4c 0.1: parquet files and the log
        stage.store(project, [result], [result])
    else:  # the SQLite store: one transaction, then the exports
        from p4c import store

        tables = stage._tables(result, None, store.now_utc())
        store.commit(project.processed_dir, [store.Submission(result.partner or "", tables)], [])
    times["store (transaction + exports)"] = time.perf_counter() - start
    return times


def check_report(report: Any, root: Path, rows: int) -> None:
    """Exit 1 unless p4c wrote exactly `rows` services with no error: the generator must be valid."""
    import pandas as pd

    result = report.files[0]
    if result.errors or not result.written or result.accepted != rows:
        print(
            f"FAIL: p4c wrote {result.accepted} of {rows} services, written={result.written}, "
            f"{len(result.errors)} error(s); first ones:"
        )
        for issue in result.errors[:15]:
            print(f"  {issue.cell}: {issue.column} {issue.value!r}: {issue.message}")
        sys.exit(1)
    stored = pd.read_parquet(root / "data" / "processed" / "services.parquet")
    if len(stored) != rows:
        print(f"FAIL: services.parquet holds {len(stored)} rows, expected {rows}")
        sys.exit(1)
    if result.warnings:
        print(f"  note: {len(result.warnings)} warning(s), first: {result.warnings[0].message}")


def run_cli(path: Path, root: Path) -> float:
    command = [str(VENV_BIN / "p4c"), "--project", str(root), "ingest", str(path)]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        print(f"FAIL: `{' '.join(command)}` exited {done.returncode}\n{done.stdout}\n{done.stderr}")
        sys.exit(1)
    return elapsed


# --- the baseline ------------------------------------------------------------------------------------


def baseline_model() -> type[Any]:
    """A pydantic v2 model of one Services row, as someone would write it without p4c."""
    from pydantic import BaseModel, Field

    score = Annotated[float | None, Field(default=None, ge=1, le=5)]

    class ServiceRow(BaseModel):
        service_id: str = Field(min_length=1)
        title: str = Field(min_length=1, max_length=200)
        description: str | None = None
        category: Literal[
            "NET",
            "INTEL",
            "INNOV",
            "FIN",
            "INTL",
            "SKILLS",
            "CMGT",
            "BRAND",
            "POLICY",
            "INFRA",
            "START",
            "COMM",
            "XSECT",
            "MONIT",
        ]
        provider: Literal["DA", "CI", "JOINT", "EXTERNAL"]
        status: Literal["ONGOING", "COMPLETED", "PILOT", "PLANNED"]
        start_date: dt.date | None = None
        annual_budget_eur: float | None = Field(default=None, ge=0)
        staff_fte: float | None = Field(default=None, ge=0)
        cis_served: int | None = Field(default=None, ge=0)
        smes_reached: int | None = Field(default=None, ge=0)
        evidence: str | None = None
        relevance: score
        impact: score
        transferability: score
        sustainability: score
        innovation: score
        synergy: score

    return ServiceRow


def baseline_words() -> dict[str, str]:
    """The baseline's lookup of enum words -> codes: lower-cased, trimmed, no accent handling."""
    from p4c.config import default_config_text, parse_config
    from p4c.models import PROVIDER_WORDS, STATUS_WORDS

    config = parse_config(default_config_text(), "default config")
    words: dict[str, str] = {}
    for cat in config.categories:
        for word in (cat.code, *cat.label.values(), *cat.aliases):
            words[word.strip().lower()] = cat.code
    for table in (PROVIDER_WORDS, STATUS_WORDS):
        for code, aliases in table.items():
            for word in (code.value, *aliases):
                words[word.lower()] = code.value
    return words


NUMERIC = ("annual_budget_eur", "staff_fte", "cis_served", "smes_reached", *SCORE_IDS)
ENUMS = ("category", "provider", "status")


def run_baseline(path: Path) -> tuple[float, float, dict[str, int]]:
    """(read seconds, validate seconds, counts): read_excel(openpyxl) + model_validate per row.

    Before validating, each cell goes through the simplest clean-up: NaN -> None; a text number ->
    float(text) or None when Python cannot parse it (European text such as `12 345,50 €` or `4/5`);
    a text date -> date.fromisoformat or None (`07/03/2011`); enum words through a lower-case lookup.
    """
    import pandas as pd
    from pydantic import ValidationError

    model = baseline_model()
    words = baseline_words()
    start = time.perf_counter()
    sheets = pd.read_excel(path, sheet_name=None, engine="openpyxl")
    read_s = time.perf_counter() - start

    start = time.perf_counter()
    frame = sheets["Prestations"]
    frame.columns = list(BASELINE_NAMES)
    counts = {"rows": 0, "valid": 0, "failed": 0, "cells_to_none": 0}
    for record in frame.to_dict("records"):
        row: dict[str, Any] = {}
        for key, value in record.items():
            if value is None or (isinstance(value, float) and math.isnan(value)):
                row[key] = None
            elif key in NUMERIC and isinstance(value, str):
                try:
                    row[key] = float(value)
                except ValueError:
                    row[key] = None
                    counts["cells_to_none"] += 1
            elif key == "start_date":
                if isinstance(value, dt.datetime):
                    row[key] = value.date()
                elif isinstance(value, str):
                    try:
                        row[key] = dt.date.fromisoformat(value)
                    except ValueError:
                        row[key] = None
                        counts["cells_to_none"] += 1
                else:
                    row[key] = value
            elif key in ENUMS and isinstance(value, str):
                row[key] = words.get(value.strip().lower(), value)
            else:
                row[key] = value
        counts["rows"] += 1
        try:
            model.model_validate(row)
            counts["valid"] += 1
        except ValidationError:
            counts["failed"] += 1
    return read_s, time.perf_counter() - start, counts


# --- main --------------------------------------------------------------------------------------------


def best(label: str, runs: list[float]) -> float:
    print(f"  {label}: " + ", ".join(f"{t:.3f}" for t in runs) + f" s -> best {min(runs):.3f} s")
    return min(runs)


def repeat(times: int, func: Callable[[], float]) -> list[float]:
    return [func() for _ in range(times)]


def profile_once(path: Path, work: Path, top: int = 30) -> None:
    root = new_project(work)
    profiler = cProfile.Profile()
    profiler.enable()
    run_p4c(path, root)
    profiler.disable()
    buffer = io.StringIO()
    stats = pstats.Stats(profiler, stream=buffer)
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    print(buffer.getvalue())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=100_000, help="services in the workbook")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measure; best is kept")
    parser.add_argument(
        "--baseline-repeat", type=int, default=None, help="runs of the (slow) baseline; default: --repeat"
    )
    parser.add_argument(
        "--keep",
        type=Path,
        default=None,
        help="folder to keep the generated workbook in (default: a temp folder)",
    )
    parser.add_argument("--skip-baseline", action="store_true", help="only measure p4c")
    parser.add_argument(
        "--profile", action="store_true", help="also print a cProfile of one in-process ingest"
    )
    args = parser.parse_args(argv)

    path = workbook_path(args.rows, args.keep)
    if path.is_file():
        print(f"workbook: {path} (cached, {path.stat().st_size / 1e6:.1f} MB)")
    else:
        start = time.perf_counter()
        generate_workbook(path, args.rows)
        print(
            f"workbook: {path} (generated in {time.perf_counter() - start:.1f} s, "
            f"{path.stat().st_size / 1e6:.1f} MB)"
        )
    print(
        f"machine: {os.cpu_count()} CPU(s), shared with other jobs: timings are noisy; "
        f"best of {args.repeat} reported"
    )

    work = Path(tempfile.mkdtemp(prefix="p4c-bench-projects-"))
    try:
        print(
            "p4c in-process (ingest: read + validate + write parquet + log; parser caches "
            "emptied before each run; the first run also imports pandas/pyarrow/calamine):"
        )
        in_runs = []
        for _ in range(args.repeat):
            root = new_project(work)
            elapsed, report = run_p4c(path, root)
            check_report(report, root, args.rows)
            in_runs.append(elapsed)
        p4c_s = best("in-process", in_runs)
        phases = [run_phases(path, new_project(work)) for _ in range(args.repeat)]
        print(
            "  phases (best of each): "
            + ", ".join(f"{name} {min(p[name] for p in phases):.3f} s" for name in phases[0])
        )
        print("p4c CLI (subprocess `p4c --project ROOT ingest FILE`, start-up included):")
        cli_s = best("CLI", repeat(args.repeat, lambda: run_cli(path, new_project(work))))
        if args.profile:
            profile_once(path, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    rows = args.rows
    print()
    print(f"rows                      {rows:>12,}")
    print(f"p4c in-process            {p4c_s:>12.3f} s  {rows / p4c_s:>12,.0f} rows/s")
    print(
        f"p4c CLI (end to end)      {cli_s:>12.3f} s  {rows / cli_s:>12,.0f} rows/s  "
        f"(target >= {TARGET_ROWS_PER_S:,}: {'met' if rows / cli_s >= TARGET_ROWS_PER_S else 'MISSED'})"
    )
    if args.skip_baseline:
        return 0

    print()
    print(
        "baseline: pandas.read_excel(sheet_name=None, engine='openpyxl') + pydantic model_validate "
        "per Services row"
    )
    runs = [run_baseline(path) for _ in range(args.baseline_repeat or args.repeat)]
    for read_s, validate_s, _ in runs:
        print(f"  read {read_s:.3f} s + validate {validate_s:.3f} s = {read_s + validate_s:.3f} s")
    read_s, validate_s, counts = min(runs, key=lambda run: run[0] + run[1])
    base_s = read_s + validate_s
    print(
        f"  text cells the baseline could not parse (European numbers `12 345,50 €`, `3,5`, `4/5`, "
        f"day-first dates) and set to None before validating: {counts['cells_to_none']:,}; "
        f"rows valid {counts['valid']:,}, failed {counts['failed']:,} (counted, not reported)"
    )
    print()
    print(
        f"baseline total            {base_s:>12.3f} s  {rows / base_s:>12,.0f} rows/s "
        f"(read {read_s:.3f} s + validate {validate_s:.3f} s)"
    )
    for label, seconds in (("in-process", p4c_s), ("CLI", cli_s)):
        ratio = base_s / seconds
        verdict = "met" if ratio >= TARGET_SPEEDUP else "MISSED"
        print(f"baseline / p4c {label:<11}{ratio:>11.1f}x  (target >= {TARGET_SPEEDUP:g}x: {verdict})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
