"""Set up and run p4c with nothing but Python 3.11+: `python3 tasks.py run` or `python3 tasks.py test`.

Creates `.venv` when it is missing (or when pyproject.toml changed since the last install), installs
p4c with its development tools into it, then runs the job. No make, no global installs.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".p4c-installed"
COVERAGE_FLOOR = 95  # percent of src/p4c the suite must run: 95.8 measured on a clean clone


def python() -> Path:
    return BIN / ("python.exe" if os.name == "nt" else "python")


def ensure_venv() -> None:
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.is_file() and STAMP.read_text(encoding="utf-8") == wanted and python().exists():
        return
    if not python().exists():
        print("Creating .venv ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    print("Installing p4c and its tools into .venv (first run only) ...", flush=True)
    run([str(python()), "-m", "pip", "install", "--quiet", "--upgrade", "pip"])
    run([str(python()), "-m", "pip", "install", "--quiet", "-e", f"{ROOT}[dev]"])
    STAMP.write_text(wanted, encoding="utf-8")


def run(command: list[str]) -> None:
    code = subprocess.call(command, cwd=ROOT)
    if code:
        sys.exit(code)


def main(argv: list[str]) -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - users run this with any python3
        sys.exit("p4c needs Python 3.11 or newer")
    task = argv[0] if argv else "help"
    if task == "run":
        ensure_venv()
        run([str(BIN / "p4c"), "--project", str(ROOT), "run", *argv[1:]])
    elif task == "test":
        ensure_venv()
        sources = ["src", "tests", "bench", "scripts", "tasks.py"]
        run([str(BIN / "ruff"), "check", *sources])
        run([str(BIN / "ruff"), "format", "--check", *sources])
        run([str(BIN / "mypy")])
        run(
            [
                str(python()),
                "-m",
                "pytest",
                "-q",
                "-n",
                "2",
                "--cov",
                "--cov-report=term",
                f"--cov-fail-under={COVERAGE_FLOOR}",
                *argv[1:],
            ]
        )
    else:
        print(__doc__)
        sys.exit(0 if task == "help" else 2)


if __name__ == "__main__":
    main(sys.argv[1:])
