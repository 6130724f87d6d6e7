"""memory.py: the collector paused in a block, and no transparent huge pages for a command."""

from __future__ import annotations

import gc
import subprocess
import sys
from pathlib import Path

import pytest

from p4c.memory import no_gc


@pytest.mark.parametrize("enabled", [True, False])
def test_no_gc_pauses_the_collector_and_puts_it_back_as_it_was(enabled: bool) -> None:
    before = gc.isenabled()
    try:
        (gc.enable if enabled else gc.disable)()
        with no_gc():
            assert not gc.isenabled()
        assert gc.isenabled() is enabled
        with pytest.raises(ValueError), no_gc():
            raise ValueError("the block failed")
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if before else gc.disable)()


def _thp_enabled() -> str | None:
    """This process's `THP_enabled` line of /proc/self/status, where the kernel shows it."""
    status = Path("/proc/self/status")
    if not status.is_file():
        return None
    return next(
        (line.split()[1] for line in status.read_text().splitlines() if line.startswith("THP_enabled:")), None
    )


@pytest.mark.skipif(_thp_enabled() is None, reason="the kernel does not show whether huge pages are on")
def test_no_huge_pages_turns_them_off_for_the_process_and_its_children() -> None:
    """Run in a child, so that this test process keeps its own setting."""
    code = (
        "import subprocess, sys\n"
        "from p4c.memory import no_huge_pages\n"
        "from tests.test_memory import _thp_enabled\n"
        "print(_thp_enabled())\n"
        "no_huge_pages()\n"
        "print(_thp_enabled())\n"
        "grandchild = 'from tests.test_memory import _thp_enabled; print(_thp_enabled())'\n"
        "shown = subprocess.run([sys.executable, '-c', grandchild], capture_output=True, text=True)\n"
        "print(shown.stdout.strip())\n"
    )
    root = Path(__file__).resolve().parents[1]
    shown = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root
    ).stdout.split()
    assert shown[1:] == ["0", "0"], shown


def test_main_turns_huge_pages_off_before_any_command(monkeypatch: pytest.MonkeyPatch) -> None:
    import p4c.cli

    order: list[str] = []
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "1")  # undone after the test
    monkeypatch.setattr(p4c.cli, "no_huge_pages", lambda: order.append("no huge pages"))
    monkeypatch.setattr(p4c.cli, "app", lambda: order.append("command"))
    monkeypatch.setattr(p4c.cli.gc, "freeze", lambda: None)
    p4c.cli.main()
    assert order == ["no huge pages", "command"]
