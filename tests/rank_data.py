"""Services, partners and configs that the ranking tests share."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
import yaml

from p4c.config import Config, default_config_text
from p4c.rank import (
    RankOptions,
    RankResult,
    rank,
)

SCORES = ("relevance", "impact", "transferability", "sustainability", "innovation", "synergy")
CODES = ("AT", "BE", "DE", "EE", "FR", "IT")
HALF_POINTS = [x / 2 for x in range(2, 11)]


def make_config(criteria: list[dict[str, Any]] | None = None, **changes: Any) -> Config:
    """The default config with top-level keys replaced (e.g. missing="worst", shortlist={...})."""
    data = yaml.safe_load(default_config_text())
    if criteria is not None:
        data["criteria"] = criteria
    data.update(changes)
    return Config.model_validate(data)


CONFIG = make_config()


def with_weights(config: Config, **weights: float) -> Config:
    data = config.model_dump()
    for crit in data["criteria"]:
        crit["weight"] = weights.get(crit["id"], 0.0)
    return Config.model_validate(data)


def service(partner: str, sid: str, **changes: Any) -> dict[str, Any]:
    """One services.parquet row (schema in p4c.ingest), every score 3 unless changed."""
    row: dict[str, Any] = {
        "partner": partner,
        "service_id": sid,
        "title": f"Service {sid}",
        "description": "",
        "category": "NET",
        "provider": "DA",
        "status": "ONGOING",
        "start_date": dt.date(2020, 1, 1),
        "annual_budget_eur": 10_000.0,
        "staff_fte": 1.0,
        "cis_served": 5,
        "smes_reached": 100,
        "evidence": "measured",
        **dict.fromkeys(SCORES, 3.0),
        "source_file": f"{partner}.xlsx",
        "source_sheet": "Services",
        "source_row": 2,
    }
    row.update(changes)
    return row


def services_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    for column in ("cis_served", "smes_reached"):
        frame[column] = frame[column].astype("Int64")
    for column in ("annual_budget_eur", "staff_fte", *SCORES):
        frame[column] = frame[column].astype(float)
    return frame


def partners_frame(codes: tuple[str, ...] = CODES, cis: int = 10) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "partner": list(codes),
            "organisation": [f"DA {c}" for c in codes],
            "region": [f"Region {c}" for c in codes],
            "cluster_initiatives": pd.array([cis] * len(codes), dtype="Int64"),
            "contact": [None] * len(codes),
        }
    )


def random_services(n: int, seed: int, missing: float = 0.0) -> pd.DataFrame:
    """Realistic services: half-point scores, round budgets, some missing values."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        scores = {
            c: (float("nan") if rng.random() < missing else float(rng.choice(HALF_POINTS))) for c in SCORES
        }
        rows.append(
            service(
                str(rng.choice(CODES)),
                f"S{i:03d}",
                category=str(rng.choice(["NET", "FIN", "INTL"])),
                annual_budget_eur=float(rng.integers(5, 500) * 1000),
                smes_reached=None if rng.random() < missing else int(rng.integers(1, 400)),
                cis_served=int(rng.integers(0, 11)),
                **scores,
            )
        )
    return services_frame(rows)


def ranked(rows: list[dict[str, Any]], config: Config = CONFIG, **options: Any) -> RankResult:
    return rank(services_frame(rows), partners_frame(), config, RankOptions(**options))


def scores_by_id(result: RankResult) -> pd.Series:
    return result.table.set_index("service_id")["score"]
