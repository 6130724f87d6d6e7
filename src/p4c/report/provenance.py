"""What made each derived output: a small JSON manifest per stage, beside the outputs.

A manifest (`ranking.json`, `shortlist.json`, `report.json`; names in p4c.store) records the
settings (method, weights, samples, seed, as-of, shortlist options), the config's fingerprint, the
inputs (each partner's workbook sha256 from the store's partners table), a fingerprint of the
ranking the stage used, and the sha256 of every file it wrote. A manifest is *valid* for a file
only while that file still has the recorded sha256: a command that rewrites the file without
recording (or a hand edit) makes the record stale, and the report then treats the file as
unrecorded instead of trusting settings that no longer describe it.

`p4c report` uses them so that it never shows numbers from different settings side by side
(`check_outputs`): the shortlist must come from the ranking shown, both from the current inputs and
config; weight_stability.csv is shown only with the ranking it belongs to.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from p4c import __version__
from p4c.errors import P4CError

if TYPE_CHECKING:
    import pandas as pd

    from p4c.config import Config

MANIFEST_VERSION = 1
RANKING_STAGE = "ranking"
SHORTLIST_STAGE = "shortlist"
REPORT_STAGE = "report"
WEIGHT_TOLERANCE = 5e-7  # the CSVs keep 6 decimals


@dataclass(frozen=True)
class RankedBy:
    """The settings a ranking was made with (None: not recorded by the command that made it)."""

    method: str | None = None
    weights: Mapping[str, float] | None = None  # rescaled to sum to 1, config order
    samples: int | None = None
    seed: int | None = None
    stability: bool | None = None


@dataclass(frozen=True)
class Manifest:
    """One stage's record; `outputs` maps a file name to its sha256."""

    stage: str
    ranked_by: RankedBy
    config_sha256: str
    inputs: Mapping[str, str]  # partner -> workbook sha256
    ranking_sha256: str  # fingerprint of the ranking used (ranking_fingerprint)
    as_of: str | None = None
    options: Mapping[str, Any] = field(default_factory=dict)
    outputs: Mapping[str, str] = field(default_factory=dict)
    created_at: str = ""
    version: str = __version__

    def to_json(self) -> str:
        data = {
            "manifest": MANIFEST_VERSION,
            "stage": self.stage,
            "p4c_version": self.version,
            "created_at": self.created_at,
            "method": self.ranked_by.method,
            "weights": None if self.ranked_by.weights is None else dict(self.ranked_by.weights),
            "samples": self.ranked_by.samples,
            "seed": self.ranked_by.seed,
            "stability": self.ranked_by.stability,
            "as_of": self.as_of,
            "options": dict(self.options),
            "config_sha256": self.config_sha256,
            "inputs": dict(sorted(self.inputs.items())),
            "ranking_sha256": self.ranking_sha256,
            "outputs": dict(self.outputs),
        }
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        data = json.loads(text)
        if not isinstance(data, dict) or data.get("manifest") != MANIFEST_VERSION:
            raise ValueError("not a p4c manifest of this version")
        weights = data.get("weights")
        return cls(
            stage=str(data["stage"]),
            ranked_by=RankedBy(
                method=data.get("method"),
                weights=None if weights is None else {str(k): float(v) for k, v in weights.items()},
                samples=data.get("samples"),
                seed=data.get("seed"),
                stability=data.get("stability"),
            ),
            config_sha256=str(data["config_sha256"]),
            inputs={str(k): str(v) for k, v in dict(data["inputs"]).items()},
            ranking_sha256=str(data["ranking_sha256"]),
            as_of=data.get("as_of"),
            options=dict(data.get("options") or {}),
            outputs={str(k): str(v) for k, v in dict(data.get("outputs") or {}).items()},
            created_at=str(data.get("created_at", "")),
            version=str(data.get("p4c_version", "")),
        )

    def settings_text(self) -> str:
        """The ranking settings in words, for messages."""
        by = self.ranked_by
        if by.method is None and by.weights is None:
            return "settings not recorded"
        parts = [by.method or "method not recorded"]
        if by.weights is not None:
            parts.append("weights " + ", ".join(f"{k} {v:.3f}" for k, v in by.weights.items()))
        if by.samples:
            parts.append(f"{by.samples} draws, seed {by.seed}")
        return "; ".join(parts)


# --- fingerprints -----------------------------------------------------------------------------------


def config_fingerprint(config: Config) -> str:
    """sha256 of the effective config (its canonical JSON), so formatting changes do not count."""
    return hashlib.sha256(config.model_dump_json().encode("utf-8")).hexdigest()


def input_hashes(partners: pd.DataFrame) -> dict[str, str]:
    """Each partner's workbook sha256 as the store's partners table holds it."""
    if "sha256" not in partners.columns:
        return {str(p): "" for p in partners["partner"]}
    return {
        str(p): "" if s is None or (isinstance(s, float) and math.isnan(s)) else str(s)
        for p, s in zip(partners["partner"], partners["sha256"], strict=True)
    }


def ranking_fingerprint(ranking: pd.DataFrame) -> str:
    """sha256 of the ranking as ranking.csv keeps it: rank order, keys, rank and score in millionths.

    Scores are compared as rint(score x 10^6), which is what the CSV writer rounds to, so the
    fingerprint of a ranking in memory equals the one of its CSV read back.
    """
    scores = ranking["score"].astype(float).to_numpy()
    micro = np.where(np.isnan(scores), -1, np.rint(np.nan_to_num(scores) * 1e6)).astype(np.int64)
    ranks = ranking["rank"].astype("Float64").fillna(-1).astype(np.int64).to_numpy()
    sha = hashlib.sha256()
    lines = "\n".join(
        f"{p}\t{s}\t{r}\t{m}"
        for p, s, r, m in zip(
            ranking["partner"].astype(str).tolist(),
            ranking["service_id"].astype(str).tolist(),
            ranks.tolist(),
            micro.tolist(),
            strict=True,
        )
    )
    sha.update(lines.encode("utf-8"))
    return sha.hexdigest()


def file_sha256(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            sha.update(chunk)
    return sha.hexdigest()


# --- writing and reading ----------------------------------------------------------------------------


def manifest_for(
    stage: str,
    *,
    config: Config,
    partners: pd.DataFrame,
    ranking: pd.DataFrame,
    ranked_by: RankedBy = RankedBy(),
    as_of: dt.date | None = None,
    options: Mapping[str, Any] | None = None,
) -> Manifest:
    """A stage's record before its outputs are written (write_manifest adds their sha256)."""
    return Manifest(
        stage=stage,
        ranked_by=ranked_by,
        config_sha256=config_fingerprint(config),
        inputs=input_hashes(partners),
        ranking_sha256=ranking_fingerprint(ranking),
        as_of=None if as_of is None else as_of.isoformat(),
        options=dict(options or {}),
    )


def write_manifest(manifest: Manifest, target: Path, outputs: Sequence[Path]) -> Path:
    """Record the sha256 of `outputs` (already written) and write the manifest atomically."""
    from dataclasses import replace

    from p4c.io import write_text

    done = replace(
        manifest,
        outputs={p.name: file_sha256(p) for p in outputs if p.is_file()},
        created_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    )
    write_text(target, done.to_json())
    return target


def record_ranking(
    folder: Path,
    *,
    config: Config,
    partners: pd.DataFrame,
    ranking: pd.DataFrame,
    ranked_by: RankedBy,
    outputs: Sequence[Path],
) -> Path:
    """ranking.json beside ranking.csv: what `p4c rank` / `p4c run` ranked with."""
    from p4c.store import RANKING_MANIFEST

    manifest = manifest_for(
        RANKING_STAGE, config=config, partners=partners, ranking=ranking, ranked_by=ranked_by
    )
    return write_manifest(manifest, folder / RANKING_MANIFEST, outputs)


@dataclass(frozen=True)
class Recorded:
    """A manifest read from a folder, and whether the files it names are still the ones it made."""

    manifest: Manifest | None
    valid: bool  # every recorded output present still has its recorded sha256
    why: str = ""  # when not valid: what is off


def read_manifest(folder: Path, name: str, files: Sequence[str]) -> Recorded:
    """The manifest `name` in `folder`, checked against the current `files` it should describe."""
    path = folder / name
    if not path.is_file():
        return Recorded(None, False, f"{name} is missing")
    try:
        manifest = Manifest.from_json(path.read_text(encoding="utf-8"))
    except (ValueError, KeyError, TypeError, OSError) as exc:
        return Recorded(None, False, f"{name} cannot be read ({exc})")
    for file in files:
        target = folder / file
        if not target.is_file():
            continue
        recorded = manifest.outputs.get(file)
        if recorded is None or recorded != file_sha256(target):
            return Recorded(manifest, False, f"{file} was rewritten after {name} recorded it")
    return Recorded(manifest, True)


def weights_match(a: Mapping[str, float], b: Mapping[str, float]) -> bool:
    return set(a) == set(b) and all(abs(float(a[k]) - float(b[k])) <= WEIGHT_TOLERANCE for k in a)


def stale_against(
    manifest: Manifest, name: str, *, config: Config, partners: pd.DataFrame, command: str
) -> P4CError | None:
    """A P4CError when a recorded output was made from other inputs or another config."""
    current = input_hashes(partners)
    if dict(manifest.inputs) != current:
        changed = sorted(
            p for p in set(current) | set(manifest.inputs) if current.get(p) != manifest.inputs.get(p)
        )
        return P4CError(
            f"{name} was made from other partner data than the store now holds "
            f"(changed since: {', '.join(changed)})",
            hint=f"Run `{command}` again (or `p4c run`), then `p4c report`.",
        )
    if manifest.config_sha256 != config_fingerprint(config):
        return P4CError(
            f"{name} was made with another config/criteria.yaml than the current one",
            hint=f"Run `{command}` again (or `p4c run`), then `p4c report`.",
        )
    return None
