"""`p4c --help` stays instant: no heavy library is imported by the CLI at start-up.

Each check runs in a fresh interpreter, since this test session has long since imported pandas.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("pandas", "numpy", "openpyxl", "pyarrow", "python_calamine", "xlsxwriter", "scipy", "matplotlib")

PROBE = """
import json, sys
import typer
from p4c.cli import app
args = json.loads(sys.argv[1])
if args == ["*"]:  # every command's --help, one after the other
    runs = [[name, "--help"] for name in sorted(typer.main.get_command(app).commands)]
else:
    runs = [args]
codes = []
for run in runs:
    try:
        codes.append(app(run, standalone_mode=False))
    except SystemExit as exc:
        codes.append(exc.code)
heavy = json.loads(sys.argv[2])
print("\\x00" + json.dumps({
    "codes": codes,
    "heavy": [m for m in heavy if m in sys.modules],
    "p4c": sorted(m for m in sys.modules if m.startswith("p4c.")),
}))
"""


def run_probe(args: list[str]) -> dict[str, list[object]]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(args), json.dumps(HEAVY)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, list[object]] = json.loads(done.stdout.rsplit("\x00", 1)[1])
    return result


@pytest.mark.parametrize("args", [["--help"], ["*"]], ids=["p4c --help", "p4c COMMAND --help"])
def test_help_imports_no_heavy_library(args: list[str]) -> None:
    result = run_probe(args)
    assert all(code in (0, None) for code in result["codes"]), result["codes"]
    assert result["heavy"] == [], (
        f"`p4c {' '.join(args)}` imported {', '.join(map(str, result['heavy']))}; p4c modules "
        f"loaded: {', '.join(map(str, result['p4c']))}. Import heavy libraries inside the "
        f"functions that use them, not at the top of cli.py or of the modules it imports."
    )


def test_ranking_does_not_import_scipy_stats() -> None:
    """scipy.stats takes a second to import; rank and load_processed do not need it."""
    code = (
        "import sys; import p4c.rank, p4c.store, p4c.scoring.apply, p4c.stability; "
        "print(sorted(m for m in sys.modules if m.startswith('scipy.stats')))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
