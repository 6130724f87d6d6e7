"""A synthetic but realistic processed folder for the report tests and the report benchmark.

It writes every file the earlier stages write, in their fixed formats, with numbers computed the
way the spec says (normalization, weighted sum, competition ranks, shortlist rules, a field-test
plan), so the report is tested on data that looks like the real pipeline's.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd

from p4c.config import Config, parse_config
from p4c.config import default_config_text as _default_text
from p4c.fastcsv import write_csv
from p4c.io import write_parquet
from p4c.rank import criterion_matrix

PARTNERS: dict[str, tuple[str, str, int]] = {
    "BE": ("Wallonia Development Agency", "Wallonia", 12),
    "EE": ("Enterprise Estonia", "Harju County", 8),
    "FR": ("Agence Régionale de Développement", "Grand Est", 18),
    "SI": ("Štajerska Regional Agency", "Podravje", 6),
    "DE": ("Wirtschaftsförderung Region Nord", "Niedersachsen", 15),
    "GR": ("Regional Development Fund of Crete", "Crete", 9),
    "MT": ("Malta Enterprise", "Malta", 5),
}
AS_OF = dt.date(2025, 6, 30)

TITLES: dict[str, list[str]] = {
    "NET": ["B2B matchmaking days", "Cluster meet-ups", "Annual partnering forum"],
    "INTEL": ["Technology watch bulletins", "Market foresight studies"],
    "INNOV": ["Joint R&D project coaching", "Innovation vouchers", "Tech-transfer desk"],
    "FIN": ["Funding advice clinic", "EU proposal writing support", "Investor readiness programme"],
    "INTL": ["Export missions", "International trade-fair pavilions"],
    "SKILLS": ["Cluster-manager academy", "Digital skills bootcamps"],
    "CMGT": ["Cluster excellence benchmarking", "Strategy workshops for CI boards"],
    "BRAND": ["Regional cluster brand", "Joint marketing campaigns"],
    "POLICY": ["Policy dialogue round tables", "Smart-specialisation working groups"],
    "INFRA": ["Shared testing lab", "Pilot production line access"],
    "START": ["Cluster start-up incubator", "Spin-off acceleration"],
    "COMM": ["Joint procurement platform", "Consortium bidding support"],
    "XSECT": ["Cross-cluster innovation camps", "Cross-sector challenge calls"],
    "MONIT": ["Member satisfaction survey", "Cluster performance dashboard"],
}
HOSTILE_TITLE = "<script>alert('x')</script> & <img src=http://evil.example/x.png> matchmaking"
HOSTILE_EVIDENCE = '=HYPERLINK("http://evil.example","click") <iframe src="file:///etc/passwd">'


@dataclass(frozen=True)
class Fixture:
    folder: Path
    config: Config
    config_text: str
    shortlist: pd.DataFrame
    field_tests: pd.DataFrame
    partners: list[str]


def default_config() -> tuple[Config, str]:
    text = _default_text()
    return parse_config(text), text


def make_processed(
    folder: Path,
    *,
    seed: int = 7,
    services_per_partner: int = 10,
    partners: dict[str, tuple[str, str, int]] | None = None,
    monte_carlo: bool = True,
    stability: bool = True,
    rejected: bool = True,
    submissions: bool = True,
    needs: bool = True,
    hostile: bool = False,
    weights: dict[str, float] | None = None,
    samples: int = 200,
) -> Fixture:
    """Write services, partners, needs, rejected, submissions, ranking, stability, candidates,
    shortlist and field tests for `partners` into `folder`."""
    config, text = default_config()
    partners = partners or PARTNERS
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    codes = list(partners)
    cats = [c.code for c in config.categories]
    score_ids = [c.id for c in config.score_criteria]

    partner_rows = []
    for code, (org, region, cis) in partners.items():
        digest = hashlib.sha256(f"{code}-{seed}".encode()).hexdigest()
        partner_rows.append(
            {
                "partner": code,
                "organisation": org,
                "region": region,
                "cluster_initiatives": cis,
                "contact": f"cluster@{code.lower()}.example",
                "source_file": f"{code}_services.xlsx",
                "sha256": digest,
                "ingested_at": f"2025-06-{10 + codes.index(code):02d}T09:00:00+00:00",
            }
        )
    partner_frame = pd.DataFrame(partner_rows)
    partner_frame["cluster_initiatives"] = partner_frame["cluster_initiatives"].astype("Int64")

    rows = []
    for code, (_org, _region, cis) in partners.items():
        for i in range(1, services_per_partner + 1):
            strong = i <= 3  # each region has a few flagship services
            cat = str(rng.choice(cats))
            title = f"{rng.choice(TITLES.get(cat, ['Service']))} ({code} {i})"
            row: dict[str, object] = {
                "partner": code,
                "service_id": f"{code}-{i:02d}",
                "title": title,
                "description": f"{title}: a service of the {code} agency for its cluster initiatives.",
                "category": cat,
                "provider": "JOINT"
                if strong
                else str(rng.choice(["DA", "CI", "JOINT", "EXTERNAL"], p=[0.4, 0.25, 0.25, 0.1])),
                "status": "ONGOING"
                if strong
                else str(rng.choice(["ONGOING", "COMPLETED", "PILOT", "PLANNED"], p=[0.55, 0.15, 0.2, 0.1])),
                "start_date": dt.date(int(rng.integers(2008, 2025)), int(rng.integers(1, 13)), 1),
                "annual_budget_eur": float(rng.integers(20, 600) * 1000),
                "staff_fte": float(rng.integers(1, 12) / 2),
                "cis_served": int(rng.integers(cis // 2 + 1, cis + 1))
                if strong
                else int(rng.integers(0, cis + 1)),
                "smes_reached": int(rng.integers(20, 400)) if rng.random() > 0.05 else 0,
                "evidence": f"{int(rng.integers(5, 90))} SMEs reported new contracts; survey of "
                f"{int(rng.integers(20, 200))} members"
                if strong or rng.random() > 0.25
                else None,
            }
            if strong:
                row["start_date"] = dt.date(int(rng.integers(2010, 2021)), 3, 1)
            for crit_id in score_ids:
                low = 3.5 if strong else 1.0
                value = float(rng.choice(np.arange(low, 5.01, 0.5)))
                row[crit_id] = value if strong or rng.random() > 0.05 else float("nan")
            row.update(
                {"source_file": f"{code}_services.xlsx", "source_sheet": "Services", "source_row": i + 1}
            )
            rows.append(row)
    services = pd.DataFrame(rows)
    if hostile:
        services.loc[0, "title"] = HOSTILE_TITLE
        services.loc[0, "evidence"] = HOSTILE_EVIDENCE
        partner_frame.loc[0, "organisation"] = "<b>Bold</b> Agency & Co"
    for column in ("cis_served", "smes_reached"):
        services[column] = services[column].astype("Int64")
    write_parquet(services, folder / "services.parquet")
    write_parquet(partner_frame, folder / "partners.parquet")

    if needs:
        need_rows = [
            {"partner": code, "category": cat, "importance": float(rng.integers(1, 6))}
            for code in codes[:-1]
            for cat in cats
        ]  # the last partner sent no Needs sheet
        write_parquet(pd.DataFrame(need_rows), folder / "needs.parquet")
    if rejected:
        write_parquet(
            pd.DataFrame(
                [
                    {
                        "partner": codes[1],
                        "source_file": f"{codes[1]}_services.xlsx",
                        "source_sheet": "Services",
                        "source_row": 14,
                        "cell": "Services!N14",
                        "column": "impact",
                        "value": "6",
                        "message": "score 6 is above the scale maximum 5",
                    },
                    {
                        "partner": codes[1],
                        "source_file": f"{codes[1]}_services.xlsx",
                        "source_sheet": "Services",
                        "source_row": 15,
                        "cell": "Services!E15",
                        "column": "provider",
                        "value": "partner",
                        "message": "unknown provider; accepted: DA, CI, JOINT, EXTERNAL",
                    },
                ]
            ),
            folder / "rejected.parquet",
        )
    if submissions:
        subs = [
            {
                "time": "2025-06-01T08:00:00+00:00",
                "partner": codes[0],
                "file": f"{codes[0]}_services_v1.xlsx",
                "sha256": "0" * 64,
                "accepted": 8,
                "rejected": 3,
                "warnings": 2,
                "p4c_version": "0.1.0",
            }
        ]
        for p in partner_rows:
            subs.append(
                {
                    "time": p["ingested_at"],
                    "partner": p["partner"],
                    "file": p["source_file"],
                    "sha256": p["sha256"],
                    "accepted": services_per_partner,
                    "rejected": 2 if p["partner"] == codes[1] else 0,
                    "warnings": 1 if p["partner"] == codes[2] else 0,
                    "p4c_version": "0.1.0",
                }
            )
        write_csv(pd.DataFrame(subs), folder / "submissions.csv")

    # ranking: normalize per spec, weighted sum, weights rescaled over the criteria present
    ids = [c.id for c in config.criteria]
    raw = criterion_matrix(services, partner_frame, config)
    norm = pd.DataFrame(index=services.index)
    for crit in config.criteria:
        x = raw[crit.id]
        if crit.effective_normalization == "scale":
            low, high = (config.scale.min, config.scale.max) if crit.source == "score" else (0.0, 1.0)
            v = (x - low) / (high - low)
        else:
            low, high = x.min(), x.max()
            v = (x - low) / (high - low) if high > low else x.where(x.isna(), 1.0)
        v = v.clip(0, 1)
        norm[crit.id] = 1 - v if crit.direction == "cost" else v
    base = weights or {c.id: c.weight for c in config.criteria}
    total = sum(base.values())
    w = pd.Series({k: base[k] / total for k in ids})
    present = norm.notna()
    scale = present.mul(w, axis=1).sum(axis=1)
    contrib = norm.fillna(0).mul(w, axis=1).div(scale, axis=0)
    score = contrib.sum(axis=1)
    ranking = services[["partner", "service_id", "title", "category"]].copy()
    ranking["score"] = score
    ranking["complete"] = present.all(axis=1)
    ranking["missing"] = [";".join(c for c in ids if not present.at[i, c]) for i in services.index]
    for crit_id in ids:
        ranking[crit_id] = contrib[crit_id]
    ranking = ranking.sort_values(["score", "partner", "service_id"], ascending=[False, True, True])
    ranking["rank"] = ranking["score"].rank(method="min", ascending=False).astype(int)
    k = config.shortlist.size
    if monte_carlo:
        draws = rng.dirichlet(w.to_numpy() * config.stability.concentration, size=samples)
        matrix = norm.loc[ranking.index].fillna(0).to_numpy()
        has = present.loc[ranking.index].to_numpy(dtype=float)
        scores = (matrix @ draws.T) / (has @ draws.T)  # weights rescaled over the criteria present
        ranks = (-scores).argsort(axis=0).argsort(axis=0) + 1
        ranking["p_top"] = (ranks <= k).mean(axis=1)
        for q, name in ((5, "rank_p05"), (50, "rank_p50"), (95, "rank_p95")):
            ranking[name] = np.percentile(ranks, q, axis=1)
    ranking = ranking[
        [
            "rank",
            "partner",
            "service_id",
            "title",
            "category",
            "score",
            "complete",
            "missing",
            *ids,
            *([c for c in ("p_top", "rank_p05", "rank_p50", "rank_p95") if monte_carlo]),
        ]
    ]
    write_csv(ranking, folder / "ranking.csv")
    if stability:
        write_csv(
            pd.DataFrame(
                [
                    {"criterion": c, "weight": w[c], "lo": w[c] * 0.6, "hi": min(1.0, w[c] * 1.5 + 0.02)}
                    for c in ids
                ]
            ),
            folder / "weight_stability.csv",
        )

    # candidates and shortlist, by the good-practice rules
    gp = config.good_practice
    svc: dict[tuple[str, str], dict[Any, Any]] = {
        (str(r["partner"]), str(r["service_id"])): r for r in services.to_dict("records")
    }
    reasons_all, eligible_all = [], []
    for item in ranking.itertuples(index=False):
        s = svc[(str(item.partner), str(item.service_id))]
        reasons = []
        if s["status"] not in [x.value for x in gp.statuses]:
            reasons.append(f"status {s['status']}")
        months = (AS_OF.year - s["start_date"].year) * 12 + AS_OF.month - s["start_date"].month
        if months < gp.min_months_running:
            reasons.append(f"running {months} months < {gp.min_months_running}")
        if not isinstance(s["evidence"], str):
            reasons.append("no evidence")
        if s["provider"] in [x.value for x in gp.excluded_providers]:
            reasons.append(f"provider {s['provider']}")
        if cast(float, item.score) < gp.min_score:
            reasons.append(f"score {item.score:.3f} < {gp.min_score}")
        for crit_id, minimum in gp.min_criteria.items():
            if not s[crit_id] >= minimum:
                reasons.append(f"{crit_id} {s[crit_id]} < {minimum}")
        share = raw.loc[
            services.index[
                (services["partner"] == item.partner) & (services["service_id"] == item.service_id)
            ][0],
            "pertinence",
        ]
        if not share > gp.min_pertinence:
            reasons.append(f"pertinence {share:.2f} <= {gp.min_pertinence}")
        eligible_all.append(not reasons)
        reasons_all.append(reasons)
    candidates = ranking[["partner", "service_id", "title", "category", "score", "rank"]].copy()
    candidates["eligible"] = eligible_all
    per_partner: dict[str, int] = {}
    shortlisted: list[bool] = []
    for cand, ok in zip(candidates.itertuples(index=False), eligible_all, strict=True):
        owner = str(cand.partner)
        take = ok and sum(shortlisted) < k and per_partner.get(owner, 0) < config.shortlist.max_per_partner
        if take:
            per_partner[owner] = per_partner.get(owner, 0) + 1
        shortlisted.append(take)
    candidates["shortlisted"] = shortlisted
    candidates["reasons"] = [
        f"shortlisted: rank {r}"
        if s
        else ("eligible; not shortlisted (partner limit or size)" if ok else "; ".join(reasons))
        for r, s, ok, reasons in zip(candidates["rank"], shortlisted, eligible_all, reasons_all, strict=True)
    ]
    write_csv(candidates, folder / "candidates.csv")
    shortlist = candidates[candidates["shortlisted"]][
        ["partner", "service_id", "title", "category", "score", "rank"]
    ].reset_index(drop=True)
    write_csv(shortlist, folder / "shortlist.csv")

    # field tests: each partner tests tests_per_partner practices of others, best match first
    ft = config.field_tests
    need = {(r["partner"], r["category"]): r["importance"] for r in need_rows} if needs else {}
    pairs = []
    for code in codes:
        for practice in shortlist.to_dict("records"):
            if practice["partner"] != code:
                n = float(cast(float, need.get((code, str(practice["category"])), ft.default_need)))
                pairs.append(
                    (
                        float(practice["score"]) * n / 5,
                        code,
                        str(practice["partner"]),
                        str(practice["service_id"]),
                        str(practice["title"]),
                        n,
                    )
                )
    pairs.sort(key=lambda t: (-t[0], t[1], t[2], t[3]))
    taken: dict[str, int] = {}
    load: dict[tuple[str, str], int] = {}
    tests = []
    for match, code, owner, sid, title, n in pairs:
        if (
            taken.get(code, 0) >= ft.tests_per_partner
            or load.get((owner, sid), 0) >= ft.max_partners_per_practice
        ):
            continue
        taken[code] = taken.get(code, 0) + 1
        load[(owner, sid)] = load.get((owner, sid), 0) + 1
        strong = svc[(owner, sid)]["transferability"] >= ft.mode.min_value
        mode = "IMPLEMENTATION" if n >= ft.mode.min_need and strong else "WORKSHOP"
        tests.append(
            {
                "partner": code,
                "practice_partner": owner,
                "service_id": sid,
                "title": title,
                "mode": mode,
                "need": n,
                "match": match,
            }
        )
    field_tests = pd.DataFrame(tests)
    write_csv(field_tests, folder / "field_tests.csv")
    return Fixture(folder, config, text, shortlist, field_tests, codes)
