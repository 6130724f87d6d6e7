"""Benchmark `p4c catalogue`: generation time, index size and time to first results at scale.

Run: `.venv/bin/python bench/bench_catalogue.py [--sizes 10000 100000] [--repeat 3] [--keep DIR]
[--no-browser] [--rebuild]`

For each size it builds a synthetic catalogue (10 partners, realistic text lengths, accents) with
`build_catalogue(lang="en")` and prints: generation seconds, wall and CPU (this process and its page
workers), best of `--repeat` fresh builds, with the load average (the machine may be shared); the
bytes the index page loads before its first results (index.html, CSS, script, filter columns, first
rows chunk); the bytes of every data file and of the search index; the whole site; and, in headless
Chromium (Playwright, /usr/bin/chromium), the best of 3 times from navigation to the first rendered
results for no query, a filter, a full-text query and a text query sorted by title (these load the
vocabulary and only the posting files of the query's words). Targets: index < 10 MB, first results
< 1 s, generation < 30 s at 100k.

Not a test: it measures and prints.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from p4c.catalogue import CatalogueData, build_catalogue  # noqa: E402
from p4c.config import default_config_text, parse_config  # noqa: E402

CODES = ("BE", "EE", "FR", "SI", "DE", "GR", "MT", "AT", "IT", "ES")
WORDS = (
    "matchmaking cluster coopération innovation export training funding région PME SMEs digital "
    "transfert technologie Förderung Netzwerk agence workshop mentoring pilot lab platform "
    "internationalisation marketing brand survey incubator start-up investors procurement energy "
    "health mobility agrifood textile tourism Qualität évaluation réseau excellence"
).split()


def synthetic(n: int, seed: int = 1) -> CatalogueData:
    config = parse_config(default_config_text())
    rng = np.random.default_rng(seed)
    per = n // len(CODES)
    partner = np.repeat(CODES, per)[:n]
    words = np.array(WORDS)

    def texts(count: int, low: int, high: int) -> list[str]:
        lengths = rng.integers(low, high, size=count)
        picks = rng.integers(0, len(words), size=(count, high))
        return [" ".join(words[row[:k]]) for row, k in zip(picks, lengths, strict=True)]

    ids = [f"{p}-{i:06d}" for p, i in zip(partner, np.tile(np.arange(per), len(CODES)), strict=True)]
    cats = [c.code for c in config.categories]
    services = pd.DataFrame(
        {
            "partner": partner,
            "service_id": ids,
            "title": [t.capitalize() for t in texts(n, 3, 7)],
            "description": texts(n, 15, 30),
            "evidence": texts(n, 5, 12),
            "category": rng.choice(cats, n),
            "provider": rng.choice(["DA", "CI", "JOINT", "EXTERNAL"], n),
            "status": rng.choice(["ONGOING", "COMPLETED", "PILOT", "PLANNED"], n),
            "start_date": [dt.date(2010 + int(y), 1, 1) for y in rng.integers(0, 14, n)],
            "annual_budget_eur": rng.integers(10, 500, n) * 1000.0,
            "staff_fte": rng.integers(1, 10, n) / 2,
            "cis_served": rng.integers(0, 10, n),
            "smes_reached": rng.integers(0, 400, n),
        }
    )
    for crit in config.score_criteria:
        services[crit.id] = rng.integers(2, 11, n) / 2
    score = rng.random(n)
    ranking = services[["partner", "service_id"]].copy()
    ranking["score"] = score
    ranking["complete"] = True
    w = {c.id: c.weight for c in config.criteria}
    for cid, weight in w.items():
        ranking[cid] = score * weight
    ranking = ranking.sort_values("score", ascending=False)
    ranking.insert(0, "rank", np.arange(1, n + 1))
    candidates = ranking[["partner", "service_id"]].copy()
    candidates["eligible"] = ranking["score"].to_numpy() > 0.6
    candidates["shortlisted"] = np.arange(n) < 15
    candidates["reasons"] = np.where(candidates["eligible"], "meets every rule", "score below 0.6")
    shortlist = candidates[candidates["shortlisted"]][["partner", "service_id"]]
    partners = pd.DataFrame(
        {
            "partner": list(CODES),
            "organisation": [f"Agency {c}" for c in CODES],
            "region": [f"Region {c}" for c in CODES],
            "cluster_initiatives": 10,
            "contact": [f"info@{c.lower()}.example" for c in CODES],
        }
    )
    evaluation = shortlist.rename(columns={"partner": "practice_partner", "service_id": "practice_id"})
    evaluation = evaluation.assign(verdict="PROMISING", reasons="one success")
    return CatalogueData(services, partners, ranking, candidates, shortlist, evaluation=evaluation)


def first_results(index: Path, queries: list[str]) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    out = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        for query in queries:
            best = float("inf")
            for _ in range(3):
                page = browser.new_page()
                start = time.perf_counter()
                page.goto(index.as_uri() + query)
                page.wait_for_selector("body[data-ready]", timeout=60_000)
                best = min(best, time.perf_counter() - start)
                page.close()
            out[query or "(no query)"] = best
        browser.close()
    return out


def _cpu() -> float:
    """CPU seconds of this process and its finished children (the page workers)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--keep", type=Path, help="build here and keep the result")
    parser.add_argument("--repeat", type=int, default=3, help="generations per size (the best is shown)")
    parser.add_argument("--no-browser", action="store_true", help="skip the Chromium timings")
    parser.add_argument("--rebuild", action="store_true", help="also time a build over the previous one")
    args = parser.parse_args()
    config = parse_config(default_config_text())
    for n in args.sizes:
        data = synthetic(n)
        folder = Path(tempfile.mkdtemp()) if args.keep is None else args.keep
        out = folder / f"catalogue-{n}"
        took, cpu, files = float("inf"), float("inf"), []
        for _ in range(max(1, args.repeat)):
            shutil.rmtree(out, ignore_errors=True)  # a fresh build each time, as on a first run
            start, start_cpu = time.perf_counter(), _cpu()
            files = build_catalogue(data, config, out, lang="en")
            took = min(took, time.perf_counter() - start)
            cpu = min(cpu, _cpu() - start_cpu)
        rebuild = float("nan")
        if args.rebuild:
            again = time.perf_counter()
            build_catalogue(data, config, out, lang="en")
            rebuild = time.perf_counter() - again
        upfront = sum(
            (out / f).stat().st_size
            for f in (
                "index.html",
                "assets/catalogue.css",
                "assets/catalogue.js",
                "data/facets.js",
                "data/rows-0.js",
            )
        )
        data_bytes = sum(f.stat().st_size for f in (out / "data").iterdir())
        search = [*(out / "data").glob("index-*.js"), out / "data" / "words.js"]
        text_bytes = sum(f.stat().st_size for f in search if f.is_file())
        total = sum(f.stat().st_size for f in files)
        load = os.getloadavg()
        print(
            f"{n:>7} services: generation {took:.2f} s wall, {cpu:.2f} s CPU "
            f"(best of {max(1, args.repeat)}), "
            f"rebuild over the previous one {rebuild:.2f} s; {len(files)} files, site {total / 1e6:.1f} MB; "
            f"load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} on {os.cpu_count()} CPUs"
        )
        print(
            f"          index page up front {upfront / 1e6:.2f} MB; all data files {data_bytes / 1e6:.1f} MB "
            f"(search index {text_bytes / 1e6:.1f} MB in {len(search)} files; "
            "a query loads only its words' files)"
        )
        if args.no_browser:
            if args.keep is None:
                shutil.rmtree(folder)
            continue
        times = first_results(
            out / "index.html",
            ["", "?category=NET&gp=1", "?q=matchmaking%20cooperation", "?q=reseau&sort=title&page=3"],
        )
        for query, seconds in times.items():
            print(f"          first results {query}: {seconds * 1000:.0f} ms (best of 3)")
        if args.keep is None:
            shutil.rmtree(folder)


if __name__ == "__main__":
    main()
