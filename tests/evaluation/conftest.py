"""The partnership the field-test reports of these tests are checked against."""

from __future__ import annotations

from pathlib import Path

import pytest

from p4c.config import Config, Project
from p4c.ingest import ingest
from tests.books import service_row, workbook, write
from tests.evaluation.books import plan_csv


@pytest.fixture
def partnership(tmp_path: Path, project: Project, config: Config) -> Project:
    """BE (S-01, S-02), FR (S-01, 5 CIs) and DE (S-01) are ingested; the plan is written."""
    books = [
        write(tmp_path / "BE.xlsx", workbook([service_row(1), service_row(2)])),
        write(tmp_path / "FR.xlsx", workbook([service_row(1, cis_served=2)], code="FR", cis=5)),
        write(tmp_path / "DE.xlsx", workbook([service_row(1)], code="DE")),
    ]
    assert ingest(books, project, config).ok
    plan_csv(project.processed_dir)
    return project
