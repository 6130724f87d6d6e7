"""Compare p4c versions through the CLI: `p4c rank` of 1,000,000 services, `p4c ingest` of a
100,000-row workbook, each version's runs alternated with the others', medians reported.

Run: `.venv/bin/python bench/bench_versions.py [--rev REV ...] [--rounds 8] [--only rank|ingest]
[--keep DIR]`

Each --rev is a git revision of this repository (`.`: the working tree); by default p4c 0.1 (the
last commit before issue 8's restructuring) and the working tree. Its `src/` is exported
with `git archive` and run with this venv's Python (`PYTHONPATH`), so every version uses the same
libraries. rank: one project of --services services made by `bench_rank.make_project` (parquet
files, as p4c 0.1 kept them), copied for each version; a version with the SQLite store moves them
into it on its first run, which, like every version's first run of each command, is not timed.
ingest: a fresh `p4c init` project for every run, the workbook of `bench_ingest.generate_workbook`.
The versions run in turn, round after round, so that the machine's drift falls on all of them
alike; on this 2-core virtual machine single runs vary by 20-30 %, medians much less.
Not a test: it measures and prints.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_ingest  # noqa: E402 - sibling scripts: the workbook generator and the 1M project
import bench_rank  # noqa: E402

Run = tuple[float, float, float]  # wall, user and system seconds
P4C_0_1 = "fe166e0"  # p4c 0.1: parquet files, no peer scoring, the modules before the split


def export(rev: str, folder: Path) -> Path:
    """The `src/` folder of revision `rev` (the working tree's for `.`)."""
    if rev == ".":
        return ROOT / "src"
    target = folder / rev.replace("/", "_")
    target.mkdir(parents=True, exist_ok=True)
    command = ["git", "-C", str(ROOT), "archive", rev, "src"]
    archive = subprocess.run(command, capture_output=True, check=False)
    if archive.returncode != 0:
        sys.exit(f"git archive {rev} src: {archive.stderr.decode(errors='replace').strip()}")
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive.stdout, check=True)
    return target / "src"


def p4c(src: Path, *args: str) -> Run:
    """`python -m p4c ARGS` with `src` first on the path: wall, user and system seconds."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "p4c", *args],
        env={**os.environ, "PYTHONPATH": str(src)},
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.exit(f"p4c {' '.join(args)} ({src}) exited {done.returncode}:\n{done.stdout}{done.stderr}")
    return wall, after.ru_utime - before.ru_utime, after.ru_stime - before.ru_stime


def rank_runs(sources: dict[str, Path], work: Path, services: int, rounds: int) -> dict[str, list[Run]]:
    base = work / "rank-project"
    if not (base / "data" / "processed").is_dir():
        bench_rank.make_project(base, services, 0.0)
    projects = {}
    for label, src in sources.items():
        projects[label] = work / f"rank-{label.replace('/', '_')}"
        if not projects[label].is_dir():
            shutil.copytree(base, projects[label])
            own = work / "init"  # the version's own default config, as its `p4c init` writes it
            shutil.rmtree(own, ignore_errors=True)
            p4c(src, "init", str(own))
            shutil.copy(own / "config" / "criteria.yaml", projects[label] / "config" / "criteria.yaml")

    def once(label: str) -> Run:
        out = projects[label] / "ranking.csv"
        return p4c(sources[label], "--project", str(projects[label]), "rank", "-o", str(out), "--top", "0")

    return alternate(sources, once, rounds)


def ingest_runs(sources: dict[str, Path], work: Path, rows: int, rounds: int) -> dict[str, list[Run]]:
    book = bench_ingest.workbook_path(rows, work)
    if not book.is_file():
        bench_ingest.generate_workbook(book, rows)

    def once(label: str) -> Run:
        project = work / "ingest-project"
        shutil.rmtree(project, ignore_errors=True)
        p4c(sources[label], "init", str(project))
        return p4c(sources[label], "--project", str(project), "ingest", str(book))

    return alternate(sources, once, rounds)


def alternate(sources: dict[str, Path], once: Callable[[str], Run], rounds: int) -> dict[str, list[Run]]:
    """`once(label)` for every version in turn, `rounds` times, after one untimed run of each."""
    for label in sources:
        once(label)
    runs: dict[str, list[Run]] = {label: [] for label in sources}
    for _ in range(rounds):
        for label in sources:
            runs[label].append(once(label))
    return runs


def show(title: str, runs: dict[str, list[Run]]) -> None:
    print(title)
    first = None
    for label, found in runs.items():
        wall = statistics.median(r[0] for r in found)
        first = first or wall
        fastest = min(r[0] for r in found)
        print(
            f"  {label:<14} median {wall:6.2f} s (x{wall / first:.2f})  fastest {fastest:6.2f} s"
            f"  user {statistics.median(r[1] for r in found):5.2f} s"
            f"  system {statistics.median(r[2] for r in found):5.2f} s"
            f"  runs {' '.join(f'{r[0]:.2f}' for r in found)}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rev", action="append", help="git revision (repeatable; `.`: the working tree)")
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--only", choices=("rank", "ingest"))
    parser.add_argument("--services", type=int, default=1_000_000, help="services ranked")
    parser.add_argument("--rows", type=int, default=100_000, help="rows of the ingested workbook")
    parser.add_argument("--keep", type=Path, help="keep (and reuse) the projects and workbook here")
    args = parser.parse_args(argv)
    revs = args.rev or [P4C_0_1, "."]
    work = args.keep or Path(tempfile.mkdtemp(prefix="p4c-bench-versions-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        sources = {rev: export(rev, work / "src") for rev in revs}
        print(f"machine: {os.cpu_count()} CPU(s); {args.rounds} rounds, the versions in turn")
        if args.only in (None, "rank"):
            show(
                f"p4c rank, {args.services:,} services", rank_runs(sources, work, args.services, args.rounds)
            )
        if args.only in (None, "ingest"):
            show(f"p4c ingest, {args.rows:,} rows", ingest_runs(sources, work, args.rows, args.rounds))
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
