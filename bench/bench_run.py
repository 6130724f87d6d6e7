"""Benchmark `p4c run` at scale: time per stage, the whole run against `p4c ingest` alone, peak memory.

Run: `.venv/bin/python bench/bench_run.py [--services 10000 50000 100000] [--partners 7]
[--samples 1000] [--repeat 3] [--keep DIR] [--profile-report]`

For each size it writes one workbook per partner (size / partners services each) with the
generator of bench/bench_ingest.py (mixed-language words, text numbers, dates, a Needs sheet), in a
fresh project folder made like `p4c init`, then runs, each in its own subprocess:

1. `p4c ingest data/raw/*` alone (the reference time) and `p4c run --samples N` (default 1000,
   the CLI default) on the same data, each on an empty store, alternated `--repeat` times: the
   medians and the ratio of each pair;
2. `p4c run` once more for its memory, sampled (the sampling takes CPU, so this run is not timed);
3. `pipeline.run` in-process in a child, which prints the time of each stage (ingest, rank,
   shortlist, report) as RunResult.timings records them.

Peak memory is the larger of `ru_maxrss` (the largest single process) and the sampled peak of the
PSS summed over the process tree (from 5,000 to 50,000 services `p4c run` builds the catalogue in a
second process beside the report; above, the catalogue forks page workers), read by an intermediate
process so each figure is its own. With the second process, the stage time of the catalogue is the
wait for it after the report.
The targets: at 21,000 services (7 x 3,000) `p4c run` takes at most 4x `p4c ingest`; at 100,000
services `p4c run` stays under 2 GB. Not a test: it measures and prints.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CODES = ("BE", "DE", "EE", "FR", "GR", "MT", "SI", "AT", "IT", "ES")
AS_OF = "2026-11-01"
TARGET_RATIO = 4.0
TARGET_RSS_MB = 2048.0

# Runs a command in a grandchild and prints its wall time, its peak RSS (kB on Linux, the largest
# single process) and, when the first argument is "sample", the peak of the memory of its whole
# process tree, sampled every 20 ms from /proc: the sum of each process's PSS (its private pages,
# and its share of the pages it shares with forked page workers), so that `p4c run`'s second process
# counts and shared pages count once. Reading smaps_rollup walks the page tables of every process of
# the tree, which takes CPU from the run on a two-core machine, so timed runs do not sample.
_MEASURE = """
import json, os, resource, subprocess, sys, time

def tree_kb(pid):
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/smaps_rollup") as fh:
                total += next((int(l.split()[1]) for l in fh if l.startswith("Pss:")), 0)
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    todo += [int(c) for c in fh.read().split()]
        except (OSError, ValueError):
            pass
    return total

sample = sys.argv[1] == "sample"
start = time.perf_counter()
child = subprocess.Popen(sys.argv[2:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
peak = 0
while sample and child.poll() is None:
    peak = max(peak, tree_kb(child.pid))
    time.sleep(0.02)
err = child.stderr.read()
child.wait()
wall = time.perf_counter() - start
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"wall": wall, "rss_kb": rss, "tree_kb": peak, "rc": child.returncode, "err": err[-2000:]}))
"""

# Runs the pipeline in-process and prints the stage timings as JSON.
_STAGES = """
import datetime as dt, json, sys
from pathlib import Path
from p4c import pipeline
from p4c.config import Project
project = Project(Path(sys.argv[1]))
config = project.load_config()
options = pipeline.RunOptions(as_of=dt.date.fromisoformat(sys.argv[2]), samples=int(sys.argv[3]))
result = pipeline.run(project, config, options)
print(json.dumps(result.timings))
"""


def make_project(parent: Path, services: int, partners: int) -> Path:
    """A project folder with `partners` workbooks of services // partners rows each."""
    sys.path.insert(0, str(ROOT / "bench"))
    import bench_ingest  # the workbook generator of the ingest benchmark

    root = bench_ingest.new_project(parent)
    per = services // partners
    for n, code in enumerate(CODES[:partners]):
        bench_ingest.PARTNER = code  # the generator writes the module's partner code
        bench_ingest.generate_workbook(root / "data" / "raw" / f"{code}_services.xlsx", per, seed=2011 + n)
    return root


def p4c_command(root: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "p4c", "--project", str(root), *args]


def measure(command: list[str], *, sample: bool = False) -> dict[str, float]:
    """Wall time and peak RSS of `command`; with `sample`, also the sampled peak of its process tree
    (which slows the command, so its time is not used)."""
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, "sample" if sample else "time", *command],
        capture_output=True,
        text=True,
        check=True,
    )
    figures: dict[str, float] = json.loads(done.stdout)
    if figures["rc"] not in (0, 1):
        raise SystemExit(f"{' '.join(command)} failed:\n{figures['err']}")
    return figures


def stage_times(root: Path, samples: int) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-c", _STAGES, str(root), AS_OF, str(samples)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"pipeline.run failed:\n{done.stderr[-2000:]}")
    times: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return times


def fresh_store(root: Path) -> None:
    """Empty the store. The old one is moved aside, not deleted: on ext4, creating files shortly after
    thousands were deleted is slow (the allocator skips recently freed inodes), which would charge the
    next run's catalogue for the benchmark's own clean-up. The moved stores go with the project."""
    processed = root / "data" / "processed"
    trash = root / "old-stores"
    trash.mkdir(exist_ok=True)
    processed.rename(trash / str(len(list(trash.iterdir()))))
    processed.mkdir()


def profile_report(root: Path) -> None:
    """cProfile of `p4c report` on the project (after a run), the 25 costliest functions."""
    code = (
        "import cProfile, pstats, sys\n"
        "from p4c.cli import app\n"
        f"sys.argv = ['p4c', '--project', {str(root)!r}, 'report']\n"
        "cProfile.run('app(standalone_mode=False)', '/tmp/p4c_report.prof')\n"
        "pstats.Stats('/tmp/p4c_report.prof').sort_stats('cumulative').print_stats(25)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=False)


def bench(
    size: int, partners: int, samples: int, parent: Path, *, profile: bool, repeat: int
) -> dict[str, float]:
    started = time.perf_counter()
    root = make_project(parent, size, partners)
    made = time.perf_counter() - started
    print(f"\n== {size:,} services ({partners} partners), workbooks made in {made:.0f} s")
    ingest_command = p4c_command(root, "ingest", *map(str, sorted((root / "data" / "raw").iterdir())))
    run_command = p4c_command(root, "run", "--as-of", AS_OF, "--samples", str(samples))
    ingests, runs = [], []
    for _ in range(repeat):  # alternated, each on an empty store, so that drift hits both alike
        fresh_store(root)
        ingests.append(measure(ingest_command)["wall"])
        fresh_store(root)
        runs.append(measure(run_command)["wall"])
    fresh_store(root)
    memory = measure(run_command, sample=True)
    fresh_store(root)
    stages = stage_times(root, samples)
    ingest, run = statistics.median(ingests), statistics.median(runs)
    ratio = run / ingest
    ratios = ", ".join(f"{r / i:.2f}" for i, r in zip(ingests, runs, strict=True))
    print(
        f"p4c ingest alone : {ingest:7.1f} s   (median of {repeat}: {', '.join(f'{t:.2f}' for t in ingests)})"
    )
    print(f"p4c run          : {run:7.1f} s   (median of {repeat}: {', '.join(f'{t:.2f}' for t in runs)})")
    print(f"run / ingest     : {ratio:7.2f}     (each pair: {ratios})")
    peak = max(memory["rss_kb"], memory["tree_kb"]) / 1024
    largest, together = memory["rss_kb"] / 1024, memory["tree_kb"] / 1024
    print(
        f"p4c run memory   : peak {peak:.0f} MB (largest process {largest:.0f} MB, the processes "
        f"together {together:.0f} MB; a separate run, sampled)"
    )
    print("stages (in-process pipeline.run): " + ", ".join(f"{k} {v:.1f} s" for k, v in stages.items()))
    if profile:
        profile_report(root)
    return {
        "services": size,
        "ingest": ingest,
        "run": run,
        "ratio": ratio,
        "rss_mb": peak,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, nargs="+", default=[10_000, 21_000, 50_000, 100_000])
    parser.add_argument("--partners", type=int, default=7)
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--keep", type=Path, help="Make the projects here and keep them.")
    parser.add_argument("--repeat", type=int, default=3, help="Timed ingest/run pairs per size (median).")
    parser.add_argument("--profile-report", action="store_true", help="cProfile `p4c report` after each run.")
    args = parser.parse_args(argv)
    parent = args.keep or Path(tempfile.mkdtemp(prefix="p4c-bench-run-"))
    parent.mkdir(parents=True, exist_ok=True)
    rows = []
    try:
        for size in args.services:
            rows.append(
                bench(
                    size, args.partners, args.samples, parent, profile=args.profile_report, repeat=args.repeat
                )
            )
    finally:
        if args.keep is None:
            shutil.rmtree(parent, ignore_errors=True)
    print("\nservices   ingest s   run s   run/ingest   run peak MB")
    for r in rows:
        figures = f"{r['ingest']:8.1f}   {r['run']:5.1f}   {r['ratio']:10.2f}   {r['rss_mb']:11.0f}"
        print(f"{r['services']:>8,}   {figures}")
    for r in rows:
        if r["services"] == 21_000:
            verdict = "meets" if r["ratio"] <= TARGET_RATIO else "MISSES"
            print(f"21,000 services: run/ingest {r['ratio']:.2f} {verdict} the {TARGET_RATIO:g}x target")
        if r["services"] >= 100_000:
            verdict = "meets" if r["rss_mb"] < TARGET_RSS_MB else "MISSES"
            print(f"{r['services']:,} services: peak {r['rss_mb']:.0f} MB {verdict} the 2 GB target")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
