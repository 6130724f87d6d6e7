"""`p4c ingest`: validate partner workbooks against the contract and store them as processed data.

(Validation is being written; the processed-data schema and loader below are final.)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from p4c.errors import P4CError

if TYPE_CHECKING:
    import pandas as pd

    from p4c.config import Config, Project

SERVICES_FILE = "services.parquet"
PARTNERS_FILE = "partners.parquet"
NEEDS_FILE = "needs.parquet"
REJECTED_FILE = "rejected.parquet"
SUBMISSIONS_FILE = "submissions.csv"
HISTORY_DIR = "history"
LOCK_FILE = ".p4c.lock"

# services.parquet: one row per service, typed.
#   partner, service_id, title, description, category (code), provider (code), status (code),
#   start_date (date), annual_budget_eur (float), staff_fte (float), cis_served (Int64),
#   smes_reached (Int64), evidence, <one float column per score criterion id>,
#   source_file, source_sheet, source_row (1-based row in the sheet)
# partners.parquet: partner, organisation, region, cluster_initiatives (Int64), contact,
#   source_file, sha256, ingested_at (UTC ISO text)
# needs.parquet: partner, category (code), importance (float 1-5)


@dataclass(frozen=True)
class Processed:
    """What `p4c ingest` wrote: the input of every later stage."""

    services: pd.DataFrame
    partners: pd.DataFrame
    needs: pd.DataFrame


def load_processed(project: Project, config: Config) -> Processed:
    """The processed data, or a P4CError that says to run `p4c ingest` first."""
    import pandas as pd

    folder = project.processed_dir
    path = folder / SERVICES_FILE
    if not path.is_file():
        raise P4CError(f"no processed data in {folder}",
                       hint="Run `p4c ingest data/raw/*` (or `p4c run`) first.")
    services = pd.read_parquet(path)
    if services.empty:
        raise P4CError(f"{path} holds no services", hint="Ingest partner workbooks first.")
    partners = pd.read_parquet(folder / PARTNERS_FILE)
    needs_path = folder / NEEDS_FILE
    needs = pd.read_parquet(needs_path) if needs_path.is_file() else pd.DataFrame(
        {"partner": pd.Series(dtype=object), "category": pd.Series(dtype=object),
         "importance": pd.Series(dtype=float)})
    missing = [c.id for c in config.score_criteria if c.id not in services.columns]
    for crit_id in missing:
        services[crit_id] = float("nan")
    return Processed(services, partners, needs)
