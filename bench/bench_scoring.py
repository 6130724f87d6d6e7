"""Benchmark the peer-scoring maths (p4c.scoring) on a large partnership, in process.

Run: `PYTHONPATH=src .venv/bin/python bench/bench_scoring.py [--raters 30] [--services 10000]
[--criteria 8] [--repeat 3]`

Data: `raters` partners (codes P00..), `services` services shared out among them, every partner
rating every service (own ones included, so exclude_own has work to do) on every criterion with
half-point scores from a true quality plus a rater offset, a rater scale factor and noise:
30 x 10,000 x 8 = 2.4 M ratings as one long DataFrame (pandas str columns). Every figure is the
best of --repeat wall times. The target: aggregation + z standardization + alpha of every criterion
under 3 s. Not a test: it measures and prints; the machine is shared, so timings are noisy.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np
import pandas as pd

from p4c.scoring.aggregate import aggregate_scores, standardize
from p4c.scoring.agreement import agreement, alpha, disputed, self_peer_gap
from p4c.scoring.settings import ScoringSettings


def make_ratings(
    raters: int, services: int, criteria: int, seed: int = 1
) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    codes = np.array([f"P{r:02d}" for r in range(raters)])
    owner = codes[np.arange(services) % raters]
    ids = np.array([f"S{s:05d}" for s in range(services)])
    names = np.array([f"c{c}" for c in range(criteria)])
    quality = rng.uniform(1.5, 4.5, size=(services, criteria))
    offset, factor = rng.normal(0, 0.5, raters), rng.uniform(0.5, 1.5, raters)
    raw = 3 + offset[:, None, None] + factor[:, None, None] * (quality[None] - 3)
    scores = np.clip(np.round((raw + rng.normal(0, 0.4, raw.shape)) * 2) / 2, 1, 5)
    r, s, c = np.meshgrid(np.arange(raters), np.arange(services), np.arange(criteria), indexing="ij")
    ratings = pd.DataFrame(
        {
            "rater": pd.array(codes[r.ravel()], dtype="str"),
            "partner": pd.array(owner[s.ravel()], dtype="str"),
            "service_id": pd.array(ids[s.ravel()], dtype="str"),
            "criterion": pd.array(names[c.ravel()], dtype="str"),
            "score": scores.ravel(),
        }
    )
    s2, c2 = np.meshgrid(np.arange(services), np.arange(criteria), indexing="ij")
    self_scores = pd.DataFrame(
        {
            "partner": owner[s2.ravel()],
            "service_id": ids[s2.ravel()],
            "criterion": names[c2.ravel()],
            "score": np.clip(np.round((quality + 0.5) * 2) / 2, 1, 5).ravel(),
        }
    )
    return ratings, self_scores


def best(repeat: int, job: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        job()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--raters", type=int, default=30)
    parser.add_argument("--services", type=int, default=10_000)
    parser.add_argument("--criteria", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    start = time.perf_counter()
    ratings, self_scores = make_ratings(args.raters, args.services, args.criteria)
    names = sorted(ratings["criterion"].unique())
    print(
        f"{len(ratings):,} ratings ({args.raters} raters x {args.services:,} services x {args.criteria} "
        f"criteria), made in {time.perf_counter() - start:.2f} s; best of {args.repeat}:"
    )

    def aggregate(**options: object) -> Callable[[], object]:
        chosen = ScoringSettings.model_validate({"source": "peer", **options})
        return lambda: aggregate_scores(ratings, self_scores, names, chosen, scale_min=1, scale_max=5)

    figures = {
        "standardize (z, all criteria)": best(
            args.repeat, lambda: standardize(ratings, scale_min=1, scale_max=5, min_ratings=10)
        ),
        "aggregate_scores (mean, no z)": best(args.repeat, aggregate()),
        "aggregate_scores (mean, z)": best(args.repeat, aggregate(standardize="z")),
        "agreement (interval alpha, every criterion)": best(args.repeat, lambda: agreement(ratings, names)),
    }
    total = figures["aggregate_scores (mean, z)"] + figures["agreement (interval alpha, every criterion)"]
    figures["TOTAL aggregate (z) + agreement (target < 3 s)"] = total
    figures["aggregate_scores (median, z)"] = best(
        args.repeat, aggregate(standardize="z", aggregate="median")
    )
    figures["aggregate_scores (trimmed_mean, z)"] = best(
        args.repeat, aggregate(standardize="z", aggregate="trimmed_mean")
    )
    figures["aggregate_scores (blend, mean, z)"] = best(
        args.repeat, aggregate(source="blend", standardize="z")
    )
    peer = aggregate_scores(ratings, self_scores, names, ScoringSettings(), scale_min=1, scale_max=5).peer
    figures["self_peer_gap"] = best(args.repeat, lambda: self_peer_gap(self_scores, peer))
    figures["disputed (std >= 1)"] = best(args.repeat, lambda: disputed(ratings))
    for label, seconds in figures.items():
        print(f"  {label:<50} {seconds:7.3f} s")

    one = ratings.loc[(ratings["criterion"] == names[0]) & (ratings["rater"] != ratings["partner"])]
    matrix = one.pivot(index="rater", columns="service_id", values="score").to_numpy()
    ours = best(args.repeat, lambda: alpha(matrix, "interval"))
    line = f"  one criterion as a {matrix.shape[0]} x {matrix.shape[1]:,} array: p4c alpha {ours:.3f} s"
    try:
        import krippendorff

        theirs = best(args.repeat, lambda: krippendorff.alpha(matrix, level_of_measurement="interval"))
        same = abs(alpha(matrix, "interval") - krippendorff.alpha(matrix, level_of_measurement="interval"))
        line += f", krippendorff package {theirs:.3f} s (|difference| {same:.1e})"
    except ImportError:
        line += " (krippendorff package not installed)"
    print(line)


if __name__ == "__main__":
    main()
