from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from p4c.config import Config, Project, default_config_text, parse_config

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT.parent / "shared" / "examples"


@pytest.fixture
def project(tmp_path: Path) -> Project:
    """An empty project folder with the default config."""
    root = tmp_path / "proj"
    (root / "config").mkdir(parents=True)
    (root / "config" / "criteria.yaml").write_text(default_config_text(), encoding="utf-8")
    (root / "data" / "raw").mkdir(parents=True)
    (root / "data" / "processed").mkdir(parents=True)
    return Project(root)


@pytest.fixture
def config() -> Config:
    return parse_config(default_config_text())


@pytest.fixture
def examples(tmp_path: Path) -> Path:
    """A copy of the shared example workbooks (the originals are read-only)."""
    if not EXAMPLES.is_dir():
        pytest.skip(f"the shared examples are not at {EXAMPLES}")
    target = tmp_path / "examples"
    shutil.copytree(EXAMPLES, target)
    return target
