"""The sample partners' scoring workbooks (spec: scoring.md): every partner scores every service.

Why: `p4c run` on the sample data shows the whole peer-scoring method (the shipped config uses
`scoring: source: peer`), so the scores must look like a real partnership's: each partner scores its
own services about +0.5 above what its peers give them (its own workbook's scores), raters differ in
strictness, a few services split the raters, a few cells are left blank, and every partner proposes
its own weights. A seeded RNG per rater makes every run identical; the document date is fixed.

Called by make_sample_data.write_all; `write_scoring_workbooks(partners, out_dir)` alone also works.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from p4c.config import Config, parse_config
from p4c.models import Language
from p4c.template import scoring_template

ROOT = Path(__file__).resolve().parents[1]
SEED = 20261102
FIXED_TIME = dt.datetime(2026, 1, 15, 9, 0, 0)
OWN_BIAS = 0.5  # own services: the partner workbook's scores; peers see them about this much lower
STRICTNESS = {"BE": 0.2, "DE": -0.45, "EE": 0.0, "FR": 0.35, "GR": 0.15, "MT": -0.25, "SI": -0.1}
NOISE, DISPUTED_NOISE = 0.45, 1.3  # std of a peer's score around the service's quality
DISPUTED_EVERY = 11  # every 11th service splits the raters
BLANK_SHARE = 0.04  # peer cells left blank ("cannot judge")
LANGUAGES: dict[str, Language] = {"BE": "fr", "FR": "fr", "DE": "de"}
# What each partner cares about more (+) or less (-) than the config, in points out of 100.
PREFERENCES: dict[str, dict[str, int]] = {
    "BE": {"relevance": 10, "cost_per_sme": -5, "innovation": -5},
    "DE": {"impact": 10, "transferability": 5, "relevance": -10, "synergy": -5},
    "EE": {"innovation": 10, "sustainability": -5, "pertinence": -5},
    "FR": {"synergy": 10, "pertinence": 5, "cost_per_sme": -10, "impact": -5},
    "GR": {"cost_per_sme": 10, "sustainability": 5, "innovation": -5, "relevance": -10},
    "MT": {"transferability": 10, "pertinence": -10},
    "SI": {"sustainability": 10, "impact": -5, "synergy": -5},
}


def services_frame(partners: Sequence[Any]) -> pd.DataFrame:
    """The services as the store holds them (partner, service_id and the scoring template's
    informative columns), from make_sample_data's Partner objects."""
    rows = [
        {
            "partner": p.code,
            "service_id": s.sid,
            "title": s.title,
            "description": s.description,
            "category": s.category,
            "provider": s.provider,
            "status": s.status,
            "evidence": s.evidence,
            "annual_budget_eur": s.budget,
            "smes_reached": s.smes,
        }
        for p in partners
        for s in p.services
    ]
    return pd.DataFrame(rows)


def _self_scores(
    partners: Sequence[Any], score_ids: Sequence[str]
) -> dict[tuple[str, str], dict[str, float | None]]:
    return {
        (p.code, s.sid): dict(zip(score_ids, s.scores, strict=True)) for p in partners for s in p.services
    }


def rater_scores(
    rater: str, own: Mapping[tuple[str, str], Mapping[str, float | None]], config: Config
) -> dict[tuple[str, str], dict[str, float | None]]:
    """One rater's scores of every service: its own as in its workbook, the others' around their
    quality (self score - OWN_BIAS) shifted by its strictness, on the half-point scale."""
    rng = random.Random(f"{SEED}-{rater}")
    low, high, step = config.scale.min, config.scale.max, config.scale.step or 1.0
    out: dict[tuple[str, str], dict[str, float | None]] = {}
    for n, (key, scores) in enumerate(sorted(own.items())):
        if key[0] == rater:
            out[key] = dict(scores)
            continue
        noise = DISPUTED_NOISE if n % DISPUTED_EVERY == 0 else NOISE
        given: dict[str, float | None] = {}
        for crit, claimed in scores.items():
            if rng.random() < BLANK_SHARE:
                given[crit] = None
                continue
            quality = (claimed if claimed is not None else 3.5) - OWN_BIAS
            value = quality + STRICTNESS.get(rater, 0.0) + rng.gauss(0, noise)
            given[crit] = min(high, max(low, round(value / step) * step))
        out[key] = given
    return out


def rater_weights(rater: str, config: Config) -> dict[str, float]:
    """The rater's 100 points: the config's shares moved by its preferences, never below 0."""
    total = sum(c.weight for c in config.criteria)
    moved = {
        c.id: round(100 * c.weight / total) + PREFERENCES.get(rater, {}).get(c.id, 0) for c in config.criteria
    }
    return {key: float(max(0, value)) for key, value in moved.items()}


def write_scoring_workbooks(
    partners: Sequence[Any], out_dir: Path, config: Config | None = None
) -> list[Path]:
    """One `CODE_scoring.xlsx` per partner in `out_dir` (the rater's language); the paths written."""
    config = config or parse_config((ROOT / "config" / "criteria.yaml").read_text(encoding="utf-8"))
    score_ids = [c.id for c in config.score_criteria]
    services = services_frame(partners)
    own = _self_scores(partners, score_ids)
    paths = []
    for partner in partners:
        path = out_dir / f"{partner.code}_scoring.xlsx"
        scoring_template(
            config,
            services,
            path,
            partner=partner.code,
            lang=LANGUAGES.get(partner.code, "en"),
            scores=rater_scores(partner.code, own, config),
            weights=rater_weights(partner.code, config),
            created=FIXED_TIME,
        )
        paths.append(path)
    return paths
