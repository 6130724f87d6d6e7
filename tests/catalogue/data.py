"""Small hand-made tables for the catalogue tests: seven partners, accents, hostile text, odd ids."""

from __future__ import annotations

import datetime as dt
import unicodedata

import pandas as pd

from p4c.catalogue import CatalogueData
from p4c.config import Config, parse_config
from p4c.config import default_config_text as _default_text

PARTNERS: dict[str, tuple[str, str, int, str]] = {
    "BE": ("Agence wallonne de développement", "Namur", 12, "clusters@awd.example"),
    "EE": ("Enterprise Estonia", "Tartu", 8, "info@ee.example"),
    "FR": ("Agence Régionale de Développement", "Grand Est", 18, "contact@ard.example"),
    "SI": ("Štajerska Regional Agency", "Podravje", 6, "not an e-mail"),
    "DE": ("Wirtschaftsförderung Region Nord", "Niedersachsen", 15, "javascript:alert(1)"),
    "GR": ("Regional Development Fund of Crete", "Κρήτη", 9, ""),
    "MT": ("Malta Enterprise", "Malta", 5, "mt@me.example"),
}
CATEGORIES = [c.code for c in parse_config(_default_text()).categories]
TITLES = [
    "B2B matchmaking days",
    "Coopération transfrontalière des clusters",
    "Export missions",
    "Funding advice clinic",
    "Technologie-Transfer Büro",
    "Digital skills bootcamps",
    "Cluster excellence benchmarking",
    "Regional cluster brand",
    "Policy round tables",
    "Shared testing lab",
    "Start-up incubator",
    "Joint procurement platform",
    "Cross-sector challenge calls",
    "Member satisfaction survey",
    "Πλατφόρμα καινοτομίας",
    "Smart-specialisation working groups",
    "Innovation vouchers",
    "Trade-fair pavilions",
    "Cluster-manager academy",
    "Investor readiness programme",
]
HOSTILE = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    "</script><!-- x --> <b>bold</b> & co",
]
PROVIDERS = ["DA", "CI", "JOINT", "EXTERNAL"]
STATUSES = ["ONGOING", "COMPLETED", "PILOT", "PLANNED"]
SCORE_IDS = [c.id for c in parse_config(_default_text()).score_criteria]
VERDICTS = ["TRANSFERABLE", "PROMISING", "NOT_TRANSFERABLE", "NOT_TESTED"]


def config() -> Config:
    return parse_config(_default_text())


def fold(text: str) -> str:
    """An independent accent-insensitive form (the oracle of the tests, not the code under test)."""
    return "".join(
        ch for ch in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(ch)
    )


def make_data(
    per_partner: int = 20,
    *,
    hostile: bool = False,
    optional: bool = True,
    partners: dict[str, tuple[str, str, int, str]] | None = None,
) -> CatalogueData:
    """`per_partner` services per partner; `hostile` puts attack strings in some titles and ids."""
    partners = partners or PARTNERS
    cfg = config()
    services = []
    for p_index, (code, (_org, _region, cis, _contact)) in enumerate(partners.items()):
        for i in range(per_partner):
            k = p_index * per_partner + i
            sid = f"{code}-{i + 1:02d}"
            if i == 3:
                sid = f"{code}/../{i + 1} ref é"  # not a safe file name
            if i == 4:
                sid = f"{code.lower()}-01"  # differs from `{code}-01` by case only
            title = f"{TITLES[(k * 7 + p_index) % len(TITLES)]} {code}{i + 1}"
            if hostile and i < len(HOSTILE):
                title = HOSTILE[i]
            row: dict[str, object] = {
                "partner": code,
                "service_id": sid,
                "title": title,
                "description": f"Service {i + 1} of {code}: réseau, coopération and matchmaking for SMEs"
                if i % 3 == 0
                else f"Service {i + 1} of {code} for its cluster initiatives",
                "category": CATEGORIES[k % len(CATEGORIES)],
                "provider": PROVIDERS[k % 4],
                "status": STATUSES[(k // 2) % 4],
                "start_date": dt.date(2010 + k % 12, 1 + k % 12, 1),
                "annual_budget_eur": float(10_000 * (1 + k % 30)),
                "staff_fte": 0.5 * (1 + k % 8),
                "cis_served": k % (cis + 1),
                "smes_reached": 10 * (k % 25),
                "evidence": None if k % 5 == 4 else f"{5 + k % 40} SMEs signed contracts; Zufriedenheit hoch",
            }
            if hostile and i == 1:
                row["evidence"] = "<iframe src=x></iframe> javascript:alert(1)"
            for j, crit in enumerate(SCORE_IDS):
                row[crit] = 1.0 + ((k * (j + 3)) % 9) / 2
            services.append(row)
    services_df = pd.DataFrame(services)
    for column in ("cis_served", "smes_reached"):
        services_df[column] = services_df[column].astype("Int64")
    partners_df = pd.DataFrame(
        [
            {"partner": c, "organisation": o, "region": r, "cluster_initiatives": n, "contact": m}
            for c, (o, r, n, m) in partners.items()
        ]
    )

    weights = {c.id: c.weight for c in cfg.criteria}
    total = sum(weights.values())
    rank_rows = []
    for row in services:
        contrib = {}
        for crit in cfg.criteria:
            value = (float(row[crit.id]) - 1) / 4 if crit.id in SCORE_IDS else 0.5  # type: ignore[arg-type]
            contrib[crit.id] = weights[crit.id] / total * value
        rank_rows.append(
            {
                "partner": row["partner"],
                "service_id": row["service_id"],
                "title": row["title"],
                "category": row["category"],
                "score": sum(contrib.values()),
                "complete": True,
                "missing": "",
                **contrib,
            }
        )
    ranking = pd.DataFrame(rank_rows).sort_values(
        ["score", "partner", "service_id"], ascending=[False, True, True]
    )
    ranking.insert(0, "rank", ranking["score"].rank(method="min", ascending=False).astype(int))
    ranking = ranking.iloc[:-1].reset_index(drop=True)  # the last service stays unranked

    by_key = {(r["partner"], r["service_id"]): r for r in services}
    cand_rows: list[dict[str, object]] = []
    per: dict[str, int] = {}
    for item in ranking.to_dict("records"):
        s = by_key[(item["partner"], item["service_id"])]
        reasons = []
        if s["status"] not in ("ONGOING", "COMPLETED"):
            reasons.append(f"status {s['status']}")
        if s["evidence"] is None:
            reasons.append("no evidence of success")
        if item["score"] < 0.6:
            reasons.append(f"score {item['score']:.3f} < 0.6")
        ok = not reasons
        take = ok and sum(per.values()) < 15 and per.get(str(item["partner"]), 0) < 3
        if take:
            per[str(item["partner"])] = per.get(str(item["partner"]), 0) + 1
        cand_rows.append(
            {
                "partner": item["partner"],
                "service_id": item["service_id"],
                "eligible": ok,
                "shortlisted": take,
                "reasons": f"shortlisted: rank {item['rank']}"
                if take
                else ("eligible; partner cap reached" if ok else "; ".join(reasons)),
            }
        )
    candidates = pd.DataFrame(cand_rows)
    shortlist = candidates[candidates["shortlisted"]][["partner", "service_id"]].reset_index(drop=True)
    if not optional:
        return CatalogueData(services_df, partners_df, ranking, candidates, shortlist)

    practices = list(shortlist.itertuples(index=False, name=None))
    codes = list(partners)
    tests, evaluation, plans, scores = [], [], [], []
    for n, (pp, pid) in enumerate(practices):
        hosts = [c for c in codes if c != pp][n % 3 : n % 3 + 2]
        for h, host in enumerate(hosts):
            tests.append(
                {
                    "partner": host,
                    "practice_partner": pp,
                    "practice_id": pid,
                    "mode": "IMPLEMENTATION" if h == 0 else "WORKSHOP",
                    "status": "DONE" if n % 4 != 3 else "PLANNED",
                    "adoption": ["FULL", "PARTIAL", "NONE", None][n % 4],
                    "satisfaction": [4.5, 3.0, 2.0, None][n % 4],
                }
            )
        evaluation.append(
            {
                "practice_partner": pp,
                "practice_id": pid,
                "verdict": VERDICTS[n % 4],
                "reasons": f"done {2 if n % 4 != 3 else 0}; success rate checked",
            }
        )
        if n % 2 == 0:
            plans.append(
                {
                    "partner": hosts[0],
                    "practice_partner": pp,
                    "practice_id": pid,
                    "action": f"Adopt {pid} in {hosts[0]}",
                    "status": "PLANNED",
                }
            )
    for row in services[:: max(1, len(services) // 20)]:
        for rater in codes[:3]:
            for crit in ("relevance", "impact"):
                scores.append(
                    {
                        "rater": rater,
                        "partner": row["partner"],
                        "service_id": row["service_id"],
                        "criterion": crit,
                        "score": 1.0 + (len(rater + crit) + codes.index(rater)) % 5,
                    }
                )
    return CatalogueData(
        services_df,
        partners_df,
        ranking,
        candidates,
        shortlist,
        evaluation=pd.DataFrame(evaluation),
        field_tests=pd.DataFrame(tests),
        plans=pd.DataFrame(plans),
        scores=pd.DataFrame(scores),
    )
