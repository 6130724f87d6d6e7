"""Benchmark `p4c report`: how long the HTML + Excel report takes to build.

Run: `.venv/bin/python bench/bench_report.py [--project DIR] [--synthetic] [--partners 7]
[--services 20] [--repeat 3]`

By default it uses the project's processed data (the sample data after `p4c run`) when the
ranking, shortlist and field tests are there, else a synthetic project of --partners x --services
written by the report tests' fixture generator. It times the whole `p4c.report.report` call
(read + charts + HTML + xlsx) in-process, best of --repeat, plus one run of the CLI in a subprocess
(start-up included), and prints seconds. The target is under 3 s on the sample data.

Not a test: it measures and prints. Timings on a shared machine are noisy; the best of N is reported.
"""

from __future__ import annotations

import argparse
import datetime as dt
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_S = 3.0
NEEDED = (
    "services.parquet",
    "partners.parquet",
    "ranking.csv",
    "candidates.csv",
    "shortlist.csv",
    "field_tests.csv",
)
CODES = ("BE", "EE", "FR", "SI", "DE", "GR", "MT", "AT", "IT", "ES", "PL", "PT", "NL", "SE", "FI")


def _synthetic(folder: Path, partners: int, services: int) -> tuple[Path, str]:
    """A processed folder made by the tests' generator; returns it and its config text."""
    sys.path.insert(0, str(ROOT))
    from tests.report.data import PARTNERS, make_processed

    chosen = {code: PARTNERS.get(code, (f"Agency {code}", f"Region {code}", 10)) for code in CODES[:partners]}
    fx = make_processed(
        folder / "data" / "processed", services_per_partner=services, partners=chosen, samples=1000
    )
    (folder / "config").mkdir(parents=True, exist_ok=True)
    (folder / "config" / "criteria.yaml").write_text(fx.config_text, encoding="utf-8")
    return folder, fx.config_text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", type=Path, default=ROOT, help="project whose processed data to use")
    parser.add_argument("--synthetic", action="store_true", help="always use a synthetic project")
    parser.add_argument("--partners", type=int, default=7)
    parser.add_argument("--services", type=int, default=20, help="services per partner (synthetic)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    from p4c.config import Project
    from p4c.report import ReportOptions, build_report, render_html, report, write_report

    with tempfile.TemporaryDirectory(prefix="p4c-bench-report-") as tmp:
        project = Project(args.project.resolve())
        real = all((project.processed_dir / name).is_file() for name in NEEDED)
        if args.synthetic or not real:
            root, _text = _synthetic(Path(tmp) / "project", args.partners, args.services)
            project = Project(root)
            source = f"synthetic: {args.partners} partners x {args.services} services"
        else:
            source = f"project data in {project.processed_dir}"
        config = project.load_config()
        text = project.config_path.read_text(encoding="utf-8")
        options = ReportOptions(as_of=dt.date.today())
        out = Path(tmp) / "out"

        times = []
        for _ in range(max(args.repeat, 1)):
            start = time.perf_counter()
            paths = report(project.processed_dir, out, config, text, options)
            times.append(time.perf_counter() - start)
        start = time.perf_counter()
        built = build_report(project.processed_dir, config, text, options)
        read_s = time.perf_counter() - start
        start = time.perf_counter()
        page = render_html(built)
        html_s = time.perf_counter() - start
        start = time.perf_counter()
        write_report(built, out)
        write_s = time.perf_counter() - start

        start = time.perf_counter()
        done = subprocess.run(
            [
                str(Path(sys.executable).parent / "p4c"),
                "--project",
                str(project.root),
                "report",
                "-o",
                str(out),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        cli_s = time.perf_counter() - start

        best = min(times)
        print(
            f"data: {source}: {len(built.services)} services, {len(built.shortlist)} practices, "
            f"{len(built.field_tests)} field tests"
        )
        print(
            f"report (read + charts + HTML + xlsx), best of {len(times)}: {best:.2f} s "
            f"(runs: {', '.join(f'{t:.2f}' for t in times)})"
        )
        print(f"  read {read_s:.2f} s, render HTML {html_s:.2f} s, render + write both {write_s:.2f} s")
        print(
            f"  report.html {paths[0].stat().st_size / 1024:.0f} KiB ({page.count('<svg')} charts), "
            f"report.xlsx {paths[1].stat().st_size / 1024:.0f} KiB"
        )
        status = "ok" if done.returncode == 0 else f"exit {done.returncode}: {done.stderr.strip()[-300:]}"
        print(f"CLI `p4c report` in a subprocess (start-up included): {cli_s:.2f} s ({status})")
        print(f"target < {TARGET_S:.0f} s: {'met' if best < TARGET_S else 'NOT met'}")


if __name__ == "__main__":
    main()
