"""Benchmark `p4c ingest` of one 10,000-row scoring workbook, in process and through the CLI.

Run: `PYTHONPATH=src .venv/bin/python bench/bench_scoring_ingest.py [--rows 10000] [--repeat 3]`

Setup (not timed): a fresh project with a BE partner workbook of --rows services (the generator of
bench_ingest.py) and the sample FR workbook ingested; then FR's scoring workbook, written by
`p4c.template.scoring_template` (every service, every score criterion filled, 10% comments, and a
Weights sheet), as a partner would send it back. Timed: the ingest of that workbook (read, hash,
validate every cell against the store's services, commit), in process (`p4c.ingest.ingest`) and as
`python -m p4c --project ROOT ingest FILE` in a subprocess (start-up included). Best of --repeat;
each run replaces FR's earlier scores, as a resubmission does. The target: >= 50,000 rows/s end to
end, a row being a service row of the Scores sheet (each carries one score per criterion).
Not a test: it measures and prints; the machine is shared, so timings are noisy.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_ingest  # noqa: E402 - a sibling script: its workbook generator and project folder

TARGET_ROWS_PER_S = 50_000


def setup(rows: int, work: Path) -> tuple[Path, Path]:
    """A project holding BE (`rows` services) and FR, and FR's filled-in scoring workbook."""
    from p4c import store
    from p4c.config import Project
    from p4c.ingest import ingest
    from p4c.template import SCORING_INFO, scoring_template

    root = bench_ingest.new_project(work)
    partner = work / f"BE_{rows}.xlsx"
    if not partner.exists():
        bench_ingest.generate_workbook(partner, rows)
    project = Project(root)
    config = project.load_config()
    report = ingest([partner, ROOT / "data" / "raw" / "FR_services.xlsx"], project, config)
    if not report.ok:
        sys.exit(f"setup ingest failed: {[(f.file.name, f.errors[:3]) for f in report.files]}")
    services = store.read_table(
        project.processed_dir, store.SERVICES, ["partner", "service_id", *SCORING_INFO]
    )
    assert services is not None
    services = services[services["partner"] == "BE"]
    rng = random.Random(7)
    ids = [c.id for c in config.score_criteria]
    scores = {
        (p, str(s)): {c: rng.randint(2, 10) / 2 for c in ids}
        for p, s in zip(services["partner"], services["service_id"], strict=True)
    }
    book = work / "FR_scoring.xlsx"
    scoring_template(
        config,
        services,
        book,
        partner="FR",
        scores=scores,
        weights={c.id: float(rng.randint(0, 30)) for c in config.criteria},
    )
    return root, book


def in_process(root: Path, book: Path) -> float:
    from p4c.config import Project
    from p4c.ingest import ingest

    bench_ingest.clear_caches()
    project = Project(root)
    config = project.load_config()
    start = time.perf_counter()
    report = ingest([book], project, config)
    elapsed = time.perf_counter() - start
    if not report.ok:
        sys.exit(f"ingest failed: {report.files[0].errors[:3]}")
    return elapsed


def cli(root: Path, book: Path) -> float:
    command = [sys.executable, "-m", "p4c", "--project", str(root), "ingest", str(book)]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False, env=os.environ.copy())
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"`{' '.join(command)}` exited {done.returncode}\n{done.stdout}\n{done.stderr}")
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="p4c-bench-scoring-") as tmp:
        work = Path(tmp)
        root, book = setup(args.rows, work)
        size = book.stat().st_size / 1e6
        print(f"scoring workbook: {args.rows:,} service rows x 6 criteria, {size:.1f} MB")
        inside = min(in_process(root, book) for _ in range(args.repeat))
        outside = min(cli(root, book) for _ in range(args.repeat))
    for label, seconds in (("in process", inside), ("CLI (start-up included)", outside)):
        rate = args.rows / seconds
        verdict = "met" if rate >= TARGET_ROWS_PER_S else "MISSED"
        print(
            f"{label:<24} {seconds:>7.3f} s  {rate:>10,.0f} rows/s  {6 * rate:>10,.0f} scores/s  "
            f"(target >= {TARGET_ROWS_PER_S:,} rows/s: {verdict})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
