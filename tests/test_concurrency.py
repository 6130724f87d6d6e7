"""Two `p4c ingest` at once: the lock serialises them, and neither loses the other's partner."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd

from p4c.config import Project
from p4c.store import SERVICES_FILE, SUBMISSIONS_FILE
from tests.books import service_row, workbook, write


def test_parallel_ingests_keep_both_partners(project: Project, tmp_path: Path) -> None:
    codes = ["BE", "DE", "FR", "SI"]
    files = [
        write(tmp_path / f"{code}.xlsx", workbook([service_row(i) for i in range(1, 30)], code=code))
        for code in codes
    ]
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "p4c", "--project", str(project.root), "ingest", str(path)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for path in files
    ]
    for process in processes:
        _out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err.decode()
    services = pd.read_parquet(project.processed_dir / SERVICES_FILE)
    assert services.groupby("partner").size().to_dict() == dict.fromkeys(codes, 29)
    log = pd.read_csv(project.processed_dir / SUBMISSIONS_FILE)
    assert sorted(log["partner"]) == codes
