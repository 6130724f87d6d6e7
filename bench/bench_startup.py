"""Benchmark `p4c` start-up: `p4c --help` wall time, and which heavy libraries load at start-up.

Run: `.venv/bin/python bench/bench_startup.py [--repeat 5] [--top 15]`

Prints the wall time of `p4c --help` as a subprocess (best of --repeat), which of the heavy libraries
(pandas, numpy, ...) are in `sys.modules` after `import p4c.cli` and after `--help` of the app and of
each command, and the slowest imports of `import p4c.cli` from `python -X importtime`.
Not a test (tests/test_startup.py is): it measures and prints. Timings on a shared machine are
noisy; the best of N is reported.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HEAVY = ("pandas", "numpy", "openpyxl", "pyarrow", "python_calamine", "xlsxwriter", "scipy", "matplotlib")
VENV_BIN = Path(sys.executable).parent

# Runs in a fresh interpreter: import the CLI, note the heavy modules, then `--help` of the app and
# of every command (each in the same process, as a user would see them one after the other).
PROBE = """
import json, sys
heavy = {heavy!r}
loaded = lambda: [m for m in heavy if m in sys.modules]
import typer
from p4c.cli import app
out = {{"import p4c.cli": loaded()}}
commands = sorted(typer.main.get_command(app).commands)
for args in [["--help"]] + [[name, "--help"] for name in commands]:
    try:
        app(args, standalone_mode=False)
    except SystemExit:
        pass
    out["p4c " + " ".join(args)] = loaded()
out["p4c modules"] = sorted(m for m in sys.modules if m == "p4c" or m.startswith("p4c."))
print("\\x00" + json.dumps(out))
"""


def time_help(repeat: int) -> list[float]:
    command = [str(VENV_BIN / "p4c"), "--help"]
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        runs.append(time.perf_counter() - start)
        if done.returncode != 0:
            print(f"FAIL: `p4c --help` exited {done.returncode}\n{done.stderr}")
            sys.exit(1)
    return runs


def time_bare_python(repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        runs.append(time.perf_counter() - start)
    return min(runs)


def probe() -> dict[str, list[str]]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=HEAVY)], capture_output=True, text=True, check=False
    )
    if done.returncode != 0 or "\x00" not in done.stdout:
        print(f"FAIL: the probe exited {done.returncode}\n{done.stderr}")
        sys.exit(1)
    result: dict[str, list[str]] = json.loads(done.stdout.rsplit("\x00", 1)[1])
    return result


def import_times(top: int) -> list[tuple[int, int, str]]:
    """(self µs, cumulative µs, module) of `import p4c.cli`, slowest cumulative first."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import p4c.cli"],
        capture_output=True,
        text=True,
        check=True,
    )
    rows = []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, cumulative_us, name = (part.strip() for part in line[len("import time:") :].split("|"))
        rows.append((int(self_us), int(cumulative_us), name))
    total = max((row for row in rows if not row[2].startswith(" ")), key=lambda row: row[1], default=None)
    ranked = sorted(rows, key=lambda row: row[1], reverse=True)[:top]
    if total is not None and total not in ranked:
        ranked.insert(0, total)
    return ranked


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--repeat", type=int, default=5, help="runs of `p4c --help`; best is kept")
    parser.add_argument("--top", type=int, default=15, help="slowest imports to list")
    args = parser.parse_args(argv)

    print(
        f"machine: {os.cpu_count()} CPU(s), shared with other jobs: timings are noisy; "
        f"best of {args.repeat} reported"
    )
    runs = time_help(args.repeat)
    bare = time_bare_python(args.repeat)
    print(
        "p4c --help: " + ", ".join(f"{t:.3f}" for t in runs) + f" s -> best {min(runs):.3f} s "
        f"(a bare `python -c pass` takes {bare:.3f} s)"
    )

    print()
    print(f"heavy modules loaded ({', '.join(HEAVY)}):")
    found = probe()
    clean = True
    for label, modules in found.items():
        if label == "p4c modules":
            continue
        clean = clean and not modules
        print(f"  after {label:<28} {', '.join(modules) if modules else 'none'}")
    print(f"  p4c modules imported by then: {', '.join(found['p4c modules'])}")
    print(
        "  OK: start-up imports none of them"
        if clean
        else "  PROBLEM: a heavy library is imported at start-up (see above)"
    )

    print()
    print("slowest imports of `import p4c.cli` (python -X importtime, cumulative; one run):")
    for self_us, cumulative_us, name in import_times(args.top):
        print(f"  {cumulative_us / 1000:8.1f} ms cumulative {self_us / 1000:7.1f} ms self  {name}")
    return 0 if clean else 1


if __name__ == "__main__":
    sys.exit(main())
