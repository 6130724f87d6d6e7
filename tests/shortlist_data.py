"""Services and partners that the shortlist tests share."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from p4c.config import default_config_text, parse_config

CONFIG = parse_config(default_config_text())


AS_OF = dt.date(2025, 6, 30)


SCORES = ("relevance", "impact", "transferability", "sustainability", "innovation", "synergy")


def service(partner: str, sid: str, **changes: Any) -> dict[str, Any]:
    """A service that meets every default good-practice rule, with `changes` applied."""
    row: dict[str, Any] = {
        "partner": partner,
        "service_id": sid,
        "title": f"Service {partner} {sid}",
        "description": "",
        "category": "NET",
        "provider": "DA",
        "status": "ONGOING",
        "start_date": dt.date(2020, 1, 1),
        "annual_budget_eur": 10_000.0,
        "staff_fte": 1.0,
        "cis_served": 8,
        "smes_reached": 100,
        "evidence": "30 contracts signed",
        **dict.fromkeys(SCORES, 4.0),
        "source_file": f"{partner}.xlsx",
        "source_sheet": "Services",
        "source_row": 2,
        "score": 0.8,
    }
    row.update(changes)
    return row


def frames(
    rows: list[dict[str, Any]], codes: list[str] | None = None, cis: int = 10
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """services, partners and a ranking table (the columns rank.rank returns) from service rows."""
    services = pd.DataFrame([{k: v for k, v in r.items() if k != "score"} for r in rows])
    services["start_date"] = pd.to_datetime(services["start_date"])
    services["cis_served"] = services["cis_served"].astype("Int64")
    services["smes_reached"] = services["smes_reached"].astype("Int64")
    codes = codes or sorted({r["partner"] for r in rows})
    partners = pd.DataFrame(
        {
            "partner": codes,
            "organisation": [f"DA {c}" for c in codes],
            "region": [f"Region {c}" for c in codes],
            "cluster_initiatives": pd.array([cis] * len(codes), dtype="Int64"),
        }
    )
    return services, partners, ranking_of(services, [r["score"] for r in rows])


def partnership() -> list[dict[str, Any]]:
    """Four partners, two good practices each in different categories, and one weak service."""
    cats = ["NET", "FIN", "INTL", "SKILLS", "INTEL", "START", "COMM", "INNOV"]
    rows = [
        service(
            code,
            f"{code}{i}",
            category=cats[2 * n + i],
            score=0.9 - (2 * n + i) / 50,
            transferability=4.5 if i == 0 else 3.5,
        )
        for n, code in enumerate(["BE", "DE", "FR", "IT"])
        for i in range(2)
    ]
    rows.append(service("IT", "IT9", score=0.3, category="NET", evidence=None, impact=2.0))
    return rows


def ranking_of(services: pd.DataFrame, scores: list[float]) -> pd.DataFrame:
    """A ranking table with competition ranks ("1224"), ties ordered by partner then service_id."""
    table = services[["partner", "service_id", "title", "category"]].copy()
    table["score"] = scores
    table = table.sort_values(["score", "partner", "service_id"], ascending=[False, True, True])
    table["rank"] = [1 + sum(s > x + 1e-9 for s in scores) for x in table["score"]]
    table["complete"] = True
    table["missing"] = ""
    columns = ["rank", "partner", "service_id", "title", "category", "score", "complete", "missing"]
    return table[columns].reset_index(drop=True)


def no_needs() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "partner": pd.Series(dtype=object),
            "category": pd.Series(dtype=object),
            "importance": pd.Series(dtype=float),
        }
    )
