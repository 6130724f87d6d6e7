"""Fixtures' builders shared by test modules: the headless browser and a `p4c run` on the sample data."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from p4c.config import Project
from p4c.pipeline import RunOptions, run

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")


def chromium() -> Iterator[Any]:
    """Headless Chromium through Playwright, or a skip that says what is missing."""
    if not CHROMIUM.is_file():
        pytest.skip(
            f"no Chromium at {CHROMIUM}: install the Debian package chromium to run the browser tests"
        )
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright Python package is missing")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield browser
        browser.close()


def sample_run(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """`p4c run` on the shipped sample data with the shipped config: scoring, field tests, plans."""
    root = tmp_path_factory.mktemp("sample") / "proj"
    shutil.copytree(ROOT / "data" / "raw", root / "data" / "raw")
    (root / "data" / "processed").mkdir(parents=True)
    (root / "config").mkdir()
    shutil.copy(ROOT / "config" / "criteria.yaml", root / "config" / "criteria.yaml")
    project = Project(root)
    result = run(project, project.load_config(), RunOptions(as_of=dt.date(2026, 2, 1), samples=50))
    assert result.ok
    return project


BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
TIMEOUT_S = 120
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-default-apps",
    "--disable-extensions",
    "--mute-audio",
)


def chromium_path() -> str:
    """The headless Chromium to run as a program, or a skip that says how to install it."""
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    if Path("/usr/bin/chromium").is_file():
        return "/usr/bin/chromium"
    pytest.skip(
        "no headless Chromium found (looked for " + ", ".join(BROWSERS) + "); install it "
        "with `bash .ci/install-browser.sh` (Debian package chromium) to run this test"
    )


def run_chromium(browser: str, tmp_path: Path, *args: str) -> None:
    """One time-boxed browser run with a fresh profile; its output is shown when it fails."""
    profile = tmp_path / "profile"
    command = [browser, *FLAGS, f"--user-data-dir={profile}", *args]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired:
        pytest.fail(f"Chromium did not finish within {TIMEOUT_S} s: {' '.join(command)}")
    assert done.returncode == 0, f"Chromium exited {done.returncode}:\n{done.stderr[-3000:]}"
