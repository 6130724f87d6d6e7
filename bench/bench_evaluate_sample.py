"""Benchmark `p4c evaluate` on the shipped sample data, in process (target: < 1 s).

Run: `PYTHONPATH=src .venv/bin/python bench/bench_evaluate_sample.py [--repeat 5]`

Not timed: `p4c run` on a scratch copy of the project (ingest, rank, shortlist and plan). Timed, best
of --repeat: `evaluation.stage.evaluate_folder` (the store and CSVs read, the evaluation) plus
`write_evaluation` (evaluation.csv, field_test_results.csv, evaluation.xlsx). Not a test: it
measures and prints.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import tempfile
import time
from pathlib import Path

from typer.testing import CliRunner

from p4c.cli import app
from p4c.config import parse_config
from p4c.evaluation.stage import evaluate_folder, write_evaluation

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "sample"
        shutil.copytree(ROOT / "config", root / "config")
        shutil.copytree(ROOT / "data" / "raw", root / "data" / "raw")
        result = CliRunner().invoke(
            app, ["--project", str(root), "run", "--samples", "0", "--as-of", "2026-11-01"]
        )
        assert result.exit_code == 0, result.output
        config = parse_config((root / "config" / "criteria.yaml").read_text(encoding="utf-8"))
        folder = root / "data" / "processed"
        best = float("inf")
        for _ in range(args.repeat):
            start = time.perf_counter()
            evaluation = evaluate_folder(folder, config, dt.date(2026, 11, 1))
            write_evaluation(evaluation, folder)
            best = min(best, time.perf_counter() - start)
        print(
            f"p4c evaluate on the sample data: {len(evaluation.result.results)} tests, "
            f"{len(evaluation.result.practices)} practices: best {best:.3f} s of {args.repeat} (target < 1 s)"
        )


if __name__ == "__main__":
    main()
