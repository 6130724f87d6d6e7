"""What `p4c rank` (and `p4c run`) tell about the partners' scoring: scoring.xlsx and the JSON.

Written whenever a scoring workbook is ingested (ratings or weights), so the agreement, the
self-versus-peer gaps, the disputed services, the weights and the stale scores sit beside the
ranking they explain.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from p4c.config import Config
    from p4c.io import SheetSpec
    from p4c.scoring.apply import ScoringOutcome

WEIGHT_VIEW_COLUMNS = ["criterion", "config", "consensus"]  # then one column per weighting partner


def has_scoring(outcome: ScoringOutcome | None) -> bool:
    """Whether anything was scored or weighted by the partners (else there is nothing to write)."""
    return outcome is not None and (outcome.has_ratings or outcome.has_weights or not outcome.stale.empty)


def weights_view(outcome: ScoringOutcome, config: Config) -> pd.DataFrame:
    """Per criterion: its config share, the consensus, and each partner's normalized weight (NaN =
    not listed): WEIGHT_VIEW_COLUMNS then the partner codes in order."""
    total = sum(c.weight for c in config.criteria) or 1.0
    ids = [c.id for c in config.criteria]
    table = pd.DataFrame(
        {
            "criterion": ids,
            "config": [c.weight / total for c in config.criteria],
            "consensus": [outcome.consensus[i] for i in ids],
        }
    )
    for code in outcome.partner_weights.index:
        table[str(code)] = outcome.partner_weights.loc[code, ids].to_numpy(dtype=float)
    return table


def scoring_sheets(outcome: ScoringOutcome, tau: pd.DataFrame, config: Config) -> list[SheetSpec]:
    """The sheets of scoring.xlsx: Agreement, Self vs peer, Disputed, Raters, Weights, Tau, Stale."""
    from p4c.io import SheetSpec

    three = "0.000"
    weights = weights_view(outcome, config)
    share = [c for c in weights.columns if c != "criterion"]
    return [
        SheetSpec("Agreement", outcome.agreement, {"alpha": three}, ["alpha"]),
        SheetSpec(
            "Self vs peer",
            outcome.gap,
            dict.fromkeys(("self_mean", "peer_mean", "gap"), "0.00"),
            ["gap"],
        ),
        SheetSpec("Disputed", outcome.disputed, {"std": "0.00"}, ["std"]),
        SheetSpec("Raters", outcome.heatmap, {"mean": "0.00"}, ["mean"]),
        SheetSpec("Weights", weights, dict.fromkeys(share, "0.0%"), share),
        SheetSpec("Tau", tau, {"tau": three}, ["tau"]),
        SheetSpec("Stale", outcome.stale),
    ]


def write_scoring(
    outcome: ScoringOutcome | None, tau: pd.DataFrame, config: Config, folder: Path
) -> list[Path]:
    """scoring.xlsx in `folder` when the partners scored or weighted anything; the paths written."""
    from p4c.io import write_xlsx
    from p4c.store import SCORING_XLSX

    if outcome is None or not has_scoring(outcome):
        return []
    path = folder / SCORING_XLSX
    write_xlsx(scoring_sheets(outcome, tau, config), path)
    return [path]


def _records(frame: pd.DataFrame) -> Any:
    return json.loads(frame.to_json(orient="records", double_precision=15, force_ascii=False))


def scoring_json(outcome: ScoringOutcome, tau: pd.DataFrame, config: Config) -> dict[str, Any]:
    """The `scoring` member of `p4c rank --json` (NaN -> null)."""
    return {
        "source": outcome.source,
        "weights_from": config.weights.from_,
        "agreement": _records(outcome.agreement),
        "self_vs_peer": _records(outcome.gap),
        "disputed": _records(outcome.disputed),
        "raters": _records(outcome.heatmap),
        "weights": _records(weights_view(outcome, config)),
        "tau": _records(tau),
        "stale": _records(outcome.stale),
    }
