"""Benchmark `p4c.evaluation.evaluate.evaluate` on 1,000 practices x 30 partners (about 30,000 reports).

Run: `PYTHONPATH=src .venv/bin/python bench/bench_evaluate.py [--practices 1000] [--partners 30]
[--repeat 3]`

What is measured: wall time of one `evaluate(...)` call, in process, from DataFrames in memory to
the EvaluationResult (practices, results, missing, warnings); best of --repeat. Not timed: building
the synthetic data. Every partner reports on every practice of the other partners, so a practice
has (partners - 1) tests: 29,000 reports with 30 partners, 30,000 with `--partners 31`. Also a
plan of 2 tests per partner, a shortlist of 15, 14 categories, needs for half the (partner,
category) pairs, all statuses, adoptions and barrier lists mixed (barriers
written as codes and as en/fr/de labels, so the parser runs on distinct values).

Target: < 2 s. Not a test: it measures and prints. The machine is shared, so timings are noisy.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time

import numpy as np
import pandas as pd
from bench_rank import CATEGORIES  # a sibling script: the default config's codes

from p4c.evaluation.evaluate import evaluate
from p4c.evaluation.settings import EvaluationSettings

STATUSES = ("DONE", "DONE", "DONE", "ONGOING", "PLANNED", "CANCELLED")
ADOPTIONS = ("FULL", "PARTIAL", "INTEREST", "PRINCIPLES", "NONE")
BARRIERS = (
    "",
    "",
    "LEGAL",
    "FUNDING;CAPACITY",
    "financement, juridique",
    "Zeitplan",
    "DEMAND;CULTURE;OTHER",
    "Kapazität; other",
)
TARGET_S = 2.0


def synthetic(n_practices: int, n_partners: int, seed: int = 7) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    codes = [f"{chr(65 + i // 26)}{chr(65 + i % 26)}" for i in range(n_partners)]
    owner = np.array([codes[i % n_partners] for i in range(n_practices)])
    sid = np.array([f"S{i:05d}" for i in range(n_practices)])
    category = np.array(CATEGORIES)[np.arange(n_practices) % len(CATEGORIES)]
    services = pd.DataFrame(
        {"partner": owner, "service_id": sid, "title": [f"Practice {s}" for s in sid], "category": category}
    )
    partners = pd.DataFrame(
        {"partner": codes, "cluster_initiatives": pd.array(rng.integers(1, 40, n_partners), dtype="Int64")}
    )
    pairs = [(p, c) for p in codes for c in CATEGORIES if rng.random() < 0.5]
    needs = pd.DataFrame(
        {
            "partner": [p for p, _ in pairs],
            "category": [c for _, c in pairs],
            "importance": rng.integers(1, 6, len(pairs)).astype(float),
        }
    )
    shortlist = services.iloc[:15].assign(score=np.linspace(0.9, 0.7, 15), rank=np.arange(1, 16))
    plan_rows = [
        (tester, owner[j], sid[j])
        for t, tester in enumerate(codes)
        for j in ((2 * t + 1) % 15, (2 * t + 2) % 15)
        if owner[j] != tester
    ]
    plan = pd.DataFrame(
        {
            "partner": [r[0] for r in plan_rows],
            "practice_partner": [r[1] for r in plan_rows],
            "service_id": [r[2] for r in plan_rows],
            "title": "",
            "mode": "WORKSHOP",
            "need": 3.0,
            "match": 0.5,
        }
    )
    host = np.repeat(np.array(codes), n_practices)
    practice = np.tile(np.arange(n_practices), n_partners)
    keep = owner[practice] != host
    host, practice = host[keep], practice[keep]
    n = len(host)
    status = np.array(STATUSES)[rng.integers(0, len(STATUSES), n)]
    done = status == "DONE"
    baseline = np.where(rng.random(n) < 0.6, rng.integers(0, 50, n).astype(float), np.nan)
    reports = pd.DataFrame(
        {
            "partner": host,
            "practice_partner": owner[practice],
            "practice_id": sid[practice],
            "mode": np.where(rng.random(n) < 0.5, "WORKSHOP", "IMPLEMENTATION"),
            "status": status,
            "start_date": dt.date(2025, 1, 1),
            "end_date": np.where(done, dt.date(2025, 6, 30), None),
            "cis_involved": pd.array(rng.integers(0, 5, n), dtype="Int64"),
            "smes_involved": pd.array(rng.integers(0, 30, n), dtype="Int64"),
            "participants": pd.array(rng.integers(0, 60, n), dtype="Int64"),
            "cost_eur": rng.integers(0, 20_000, n).astype(float),
            "staff_days": rng.integers(0, 30, n).astype(float),
            "satisfaction": np.where(done, rng.integers(2, 11, n) / 2, np.nan),
            "indicator": "SMEs reached",
            "baseline": baseline,
            "result": np.where(np.isnan(baseline), np.nan, rng.integers(0, 80, n)),
            "adoption": np.where(done, np.array(ADOPTIONS)[rng.integers(0, 5, n)], None),
            "barriers": np.array(BARRIERS)[rng.integers(0, len(BARRIERS), n)],
            "adaptations": "",
            "lessons": np.where(status == "CANCELLED", "no budget", ""),
        }
    )
    return {
        "reports": reports,
        "plan": plan,
        "shortlist": shortlist,
        "services": services,
        "partners": partners,
        "needs": needs,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--practices", type=int, default=1000)
    parser.add_argument("--partners", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    data = synthetic(args.practices, args.partners)
    settings = EvaluationSettings()
    times = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        result = evaluate(
            data["reports"],
            data["plan"],
            data["shortlist"],
            data["services"],
            data["partners"],
            data["needs"],
            settings,
        )
        times.append(time.perf_counter() - start)
    best = min(times)
    verdicts = result.practices["verdict"].value_counts().to_dict()
    print(
        f"evaluate: {len(data['reports']):,} reports, {len(result.practices):,} practices, "
        f"{args.partners} partners"
    )
    print(f"  runs: {', '.join(f'{t:.3f} s' for t in times)}")
    print(
        f"  best of {args.repeat}: {best:.3f} s (target < {TARGET_S:g} s: "
        f"{'met' if best < TARGET_S else 'MISSED'})"
    )
    print(f"  verdicts: {verdicts}; missing {len(result.missing)}, warnings {len(result.warnings)}")


if __name__ == "__main__":
    main()
