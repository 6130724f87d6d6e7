"""The shipped sample data (data/raw/) is what scripts/make_sample_data.py writes, and it follows the
partner-workbook contract: the demo and the docs rely on both."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = ROOT / "scripts"
RAW = ROOT / "data" / "raw"
CONFIG = ROOT / "config" / "criteria.yaml"


def _load(name: str) -> ModuleType:
    """Import a script by path (scripts/ is not a package); registered so dataclasses work."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, SCRIPTS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


checker = _load("check_sample_data")
maker = _load("make_sample_data")


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("raw")
    maker.write_all(out)
    return out


def test_regenerating_gives_the_shipped_files(regenerated: Path) -> None:
    shipped = sorted(
        p.name
        for p in RAW.iterdir()
        if not p.name.startswith(".") and "_field_tests" not in p.stem and "_plan_" not in p.stem
    )
    assert shipped == sorted(p.name for p in regenerated.iterdir())
    for name in shipped:
        assert checker.read_sheets(regenerated / name) == checker.read_sheets(RAW / name), name


def test_regenerating_is_byte_identical(regenerated: Path, tmp_path: Path) -> None:
    """Fixed seed, document properties and zip timestamps: two runs give the same bytes."""
    maker.write_all(tmp_path)
    for path in regenerated.iterdir():
        assert (tmp_path / path.name).read_bytes() == path.read_bytes(), path.name


def test_shipped_data_follows_the_contract_and_meets_the_targets() -> None:
    report = checker.check_dir(RAW, CONFIG)
    assert report.errors == []
    assert maker.round_trip_problems(report) == []
    assert report.target_problems() == []
    assert {p.code for p in report.partners} == {"BE", "EE", "FR", "SI", "DE", "GR", "MT"}


def test_shipped_data_exercises_the_messy_forms() -> None:
    """The files hold the local spellings the contract promises to accept, not only clean ones."""
    be = checker.read_sheets(RAW / "BE_services.xlsx")
    cells = [c for row in be["Prestations"] for c in row if isinstance(c, str)]
    assert any("\u202f" in c and c.endswith("\u00a0€") for c in cells)
    assert {"en cours", "terminé", "conjoint", "agence"} <= set(cells)
    assert any(c.endswith("/5") for c in cells)
    de = checker.read_sheets(RAW / "DE_services.xlsx")
    cells = [c for row in de["Dienstleistungen"] for c in row if isinstance(c, str)]
    assert {"laufend", "abgeschlossen", "gemeinsam", "Agentur"} <= set(cells)
    assert any(len(c) == 10 and c[2] == "." and c[5] == "." for c in cells)
    assert checker.read_sheets(RAW / "GR_services.xlsx")["Partner info"][0][1] == "EL"
    assert (RAW / "MT_services.csv").read_bytes().startswith(b"\xef\xbb\xbfRef;")


def test_checker_reports_contract_violations(tmp_path: Path) -> None:
    """The checker is not vacuous: a bad score, too many CIs and a duplicate id are all caught."""
    lines = (RAW / "MT_services.csv").read_text(encoding="utf-8-sig").splitlines()
    first = lines[1].split(";")
    first[-1] = "6"  # synergy score above the scale
    first[9] = "7"  # cis_served above Malta's 6 cluster initiatives
    lines[1] = ";".join(first)
    lines.append(lines[2])  # duplicate service_id
    (tmp_path / "MT_services.csv").write_text("\n".join(lines), encoding="utf-8-sig")
    report = checker.check_dir(tmp_path, CONFIG)
    text = "\n".join(report.errors)
    assert "Services!R2 (synergy)" in text
    assert "Services!J2 (cis_served)" in text
    assert "duplicate service_id" in text
