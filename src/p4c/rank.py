"""`p4c rank`: weighted added-value scoring of every service (spec: ranking.md).

Decisions the spec leaves open, in one place:

- Normalization. `scale` maps the declared bounds to [0, 1] (the config scale for scores, [0, 1] for
  pertinence, `bounds` for fields and ratios, or `bounds` whenever a criterion declares them) and
  clips values outside them, so a score stays in [0, 1] and adding a service never moves another's
  value. `minmax` runs over the services that have a value; a constant column gives every service 1
  (as pymcdm does) and a cost criterion is *not* inverted then, so a criterion that does not
  discriminate never penalises anyone. Otherwise cost criteria are inverted after normalization.
- Missing values (`missing: rescale`): a service is scored on the criteria it has, weights rescaled
  over them. Only criteria with a positive weight count as missing (a zero-weight criterion cannot
  change a score). A service with none of them scores 0. `missing: worst` gives a missing value the
  worst normalized value, 0; the service is still flagged incomplete.
- Contributions: for `wsm` the rescaled weight x normalized value, which sum to the score (a missing
  criterion's cell is empty under `rescale`, 0 under `worst`). `topsis` and `wpm` are not additive,
  so their score is split across the criteria in proportion to those same wsm terms (by weight when
  the terms are all 0): the columns still sum to the score and show what carries the service.
- TOPSIS: textbook, on the raw values (vector normalization over the services that have a value).
  Under `rescale` a missing criterion is left out of both distances, which is what rescaling the
  service's weights gives (the closeness ratio is unchanged by scaling all of a service's weights).
  Under `worst` a missing value takes the anti-ideal. A service at both ideals scores 1.
- WPM: the product of normalized values ^ rescaled weight. 0 stays 0 (0 ^ w = 0 for w > 0, as in
  pymcdm): a service at the worst end of any weighted criterion scores 0 - WPM is the method for
  when a weak criterion should not be compensated. Under `worst` any missing value therefore gives 0.
- Ties: scores are sorted descending and consecutive scores closer than 1e-9 form one tie group
  (competition rank "1224"); within a group the order is partner code, then service_id (code-point
  order). The same rule ranks every Monte Carlo draw.
- Monte Carlo: Dirichlet draws over the positive-weight criteria (alpha = concentration x weight);
  `p_top` is the share of draws in which the service is among the first k after ties are broken
  (so p_top sums to k); `rank_pNN` are inverted-CDF percentiles (observed ranks, never fractions).
- Weight stability: see `p4c.stability`. Writing the CSV fast: see `p4c.fastcsv`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from p4c.config import suggest
from p4c.errors import P4CError
from p4c.fastcsv import arrow_text, write_csv
from p4c.io import XLSX_MAX_ROWS
from p4c.scoring import QUALITY_COLUMNS
from p4c.values import TOLERANCE

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    from numpy.typing import NDArray

    from p4c.config import Config, Criterion

    FloatArray = NDArray[np.float64]
    IntArray = NDArray[np.int64]
    BoolArray = NDArray[np.bool_]

Method = Literal["wsm", "topsis", "wpm"]
GroupBy = Literal["partner", "category"]
METHODS: tuple[str, ...] = ("wsm", "topsis", "wpm")
GROUPS: tuple[str, ...] = ("partner", "category")
BASE_COLUMNS = ("rank", "partner", "service_id", "title", "category", "score", "complete", "missing")
SAMPLE_COLUMNS = ("p_top", "rank_p05", "rank_p50", "rank_p95")
GROUP_PREFIX = "group_"  # a criteria group's contribution column (config `group`)
PERCENTILES = (5, 50, 95)
OUTPUT_TYPES = (".csv", ".xlsx", ".parquet")
MAX_SAMPLE_CELLS = 125_000_000  # ranks kept for the percentiles: services x draws (2 or 4 bytes each)
CHUNK_CELLS = 2_000_000  # scores computed at once in Monte Carlo and stability (16 MB of floats)


@dataclass(frozen=True)
class RankOptions:
    method: Method = "wsm"
    weights: Mapping[str, float] = field(default_factory=dict)  # overrides by criterion id
    by: GroupBy | None = None
    samples: int = 0  # Monte Carlo draws (0 = none)
    seed: int | None = None  # None -> config.stability.seed
    stability: bool = False  # exact weight-stability intervals (wsm only)


@dataclass(frozen=True)
class RankResult:
    table: pd.DataFrame  # the ranking, sorted by rank then tie order
    weights: dict[str, float]  # the weights actually used, rescaled to sum to 1, config order
    method: str
    k: int  # config.shortlist.size, capped at the number of services
    stability: pd.DataFrame | None  # criterion, weight, lo, hi (when options.stability)


DEFAULT_OPTIONS = RankOptions()


# --- weights -------------------------------------------------------------------------------------


def parse_weights(items: Sequence[str], config: Config) -> dict[str, float]:
    """`--weight ID=W` arguments as overrides; every mistake is a P4CError that says what to type."""
    ids = [c.id for c in config.criteria]
    out: dict[str, float] = {}
    for item in items:
        key, sep, text = item.partition("=")
        key, text = key.strip(), text.strip()
        if not sep or not key or not text:
            raise P4CError(f"--weight {item!r}: expected ID=WEIGHT, for example impact=0.3")
        if key not in ids:
            raise P4CError(f"--weight {item}: unknown criterion `{key}`{suggest(key, ids)}")
        if text.count(",") == 1 and "." not in text:
            text = text.replace(",", ".")  # 0,3 as it is typed in most of Europe
        try:
            value = float(text)
        except ValueError:
            raise P4CError(f"--weight {item}: `{text}` is not a number") from None
        _check_weight(f"--weight {item}", value)
        if key in out:
            raise P4CError(f"--weight {key} is given twice; give each criterion once")
        out[key] = value + 0.0  # -0 is 0, so no "-0" shows in the outputs
    return out


def _check_weight(where: str, value: float) -> None:
    if not math.isfinite(value):
        raise P4CError(f"{where}: the weight must be a finite number")
    if value < 0:
        raise P4CError(f"{where}: a weight cannot be negative; use 0 to leave a criterion out")


def resolve_weights(config: Config, overrides: Mapping[str, float]) -> dict[str, float]:
    """The config weights with the overrides applied, rescaled to sum to 1 (config order)."""
    ids = [c.id for c in config.criteria]
    for key, value in overrides.items():
        if key not in ids:
            raise P4CError(f"weight for unknown criterion `{key}`{suggest(key, ids)}")
        _check_weight(f"weight {key}", float(value))
    raw = {c.id: float(overrides.get(c.id, c.weight)) + 0.0 for c in config.criteria}
    top = max(raw.values())
    if top <= 0:
        raise P4CError(
            "all criterion weights are zero; give at least one criterion a positive weight",
            hint="For example --weight impact=1, or change the weights in config/criteria.yaml.",
        )
    # Divided by the largest first: every share is then at most 1 and their sum at most the number
    # of criteria, so weights up to the largest float (1e308) neither overflow nor lose their ratio.
    shares = {key: value / top for key, value in raw.items()}
    total = math.fsum(shares.values())
    return {key: value / total for key, value in shares.items()}


def group_columns(config: Config) -> dict[str, list[str]]:
    """`group_<name>` -> the ids of the group's criteria, groups in config order (spec: scoring.md).

    The ranking's group column is the sum of its criteria's contributions, so the groups' columns
    add up to the score (wsm; the split of topsis and wpm likewise) when every criterion has a group.
    """
    groups: dict[str, list[str]] = {}
    for crit in config.criteria:
        if crit.group is not None:
            groups.setdefault(f"{GROUP_PREFIX}{crit.group}", []).append(crit.id)
    clash = sorted(set(groups) & {*BASE_COLUMNS, *(c.id for c in config.criteria), "group_rank"})
    if clash:
        raise P4CError(
            f"criteria: group `{clash[0].removeprefix(GROUP_PREFIX)}` gives the ranking column "
            f"{clash[0]}, which it already has; rename the group"
        )
    return groups


# --- criterion values ----------------------------------------------------------------------------


def input_columns(config: Config) -> list[str]:
    """The services columns `rank` reads, for `load_processed(..., columns=)`: the ids and labels of
    the ranking and each criterion's source columns (a missing one is a missing value)."""
    columns = ["partner", "service_id", "title", "category"]
    for crit in config.criteria:
        if crit.source == "score":
            columns.append(crit.id)
        elif crit.source == "field":
            columns.append(str(crit.column))
        elif crit.source == "ratio":
            columns += [str(crit.numerator), str(crit.denominator)]
        else:
            columns.append("cis_served")
    return list(dict.fromkeys(columns))


def criterion_matrix(services: pd.DataFrame, partners: pd.DataFrame, config: Config) -> pd.DataFrame:
    """The raw value of every criterion for every service (NaN = missing), before normalization.

    Same index as `services`; one float column per criterion id, in config order.
    """
    import pandas as pd

    raw = _raw_matrix(services, partners, config)
    return pd.DataFrame(raw.T, index=services.index, columns=[c.id for c in config.criteria])


def normalized_matrix(services: pd.DataFrame, partners: pd.DataFrame, config: Config) -> pd.DataFrame:
    """Every criterion on [0, 1], higher is better (cost inverted); NaN = missing.

    Same index and columns as `criterion_matrix`; `scale` criteria do not depend on other rows.
    """
    import pandas as pd

    values = _normalize(_raw_matrix(services, partners, config), config, inplace=True)
    return pd.DataFrame(values.T, index=services.index, columns=[c.id for c in config.criteria])


def _numeric(services: pd.DataFrame, column: str) -> FloatArray:
    import numpy as np
    import pandas as pd

    values = services[column]
    if values.dtype == np.float64:  # the usual case: no conversion, no copy
        return np.asarray(values.to_numpy(), dtype=np.float64)
    if not pd.api.types.is_numeric_dtype(values.dtype):
        values = pd.to_numeric(values, errors="coerce")
    return np.asarray(values.to_numpy(dtype=float, na_value=np.nan), dtype=np.float64)


def _raw_matrix(services: pd.DataFrame, partners: pd.DataFrame, config: Config) -> FloatArray:
    """(criteria, services): every matrix here is criterion-major, so a criterion is contiguous
    and `weights @ matrix` gives one score per service without a transpose."""
    import numpy as np

    n = len(services)
    out = np.empty((len(config.criteria), n), dtype=np.float64)
    cis: FloatArray | None = None
    for j, crit in enumerate(config.criteria):
        if crit.source == "score":
            values = _numeric(services, crit.id)
        elif crit.source == "field":
            values = _numeric(services, str(crit.column))
        elif crit.source == "ratio":
            num = _numeric(services, str(crit.numerator))
            den = _numeric(services, str(crit.denominator))
            with np.errstate(divide="ignore", invalid="ignore"):
                values = num / np.where(den != 0, den, np.nan)
        else:  # pertinence: the share of the region's CIs that use the service
            if cis is None:
                cis = _cluster_initiatives(services, partners)
            with np.errstate(divide="ignore", invalid="ignore"):
                share = _numeric(services, "cis_served") / np.where(cis > 0, cis, np.nan)
            values = np.minimum(share, 1.0)  # NaN stays NaN
        out[j] = values
    out[~np.isfinite(out)] = np.nan
    return out


def _cluster_initiatives(services: pd.DataFrame, partners: pd.DataFrame) -> FloatArray:
    import numpy as np
    import pandas as pd

    lookup = partners.drop_duplicates("partner", keep="last").set_index("partner")["cluster_initiatives"]
    codes = pd.Categorical(services["partner"])  # few partners: map codes, not a million strings
    per_code = pd.to_numeric(lookup.reindex(codes.categories), errors="coerce")
    table = np.append(per_code.to_numpy(dtype=float, na_value=np.nan), np.nan)
    return np.asarray(table[codes.codes], dtype=np.float64)  # code -1 (missing partner) -> NaN


def _scale_bounds(crit: Criterion, config: Config) -> tuple[float, float]:
    if crit.bounds is not None:
        return float(crit.bounds[0]), float(crit.bounds[1])
    if crit.source == "score":
        return float(config.scale.min), float(config.scale.max)
    return 0.0, 1.0  # pertinence; config validation gives field and ratio `scale` their bounds


def _normalize(raw: FloatArray, config: Config, *, inplace: bool = False) -> FloatArray:
    """`inplace` reuses `raw`; every step writes in place (a million services: no 8-64 MB temporaries)."""
    import numpy as np

    out = raw if inplace else raw.copy()
    for j, crit in enumerate(config.criteria):
        row = out[j]
        if crit.effective_normalization == "scale":
            lo, hi = _scale_bounds(crit, config)
        else:
            lo, hi = float(np.fmin.reduce(row)), float(np.fmax.reduce(row))  # NaN ignored
            if not hi > lo:  # constant (or empty) column: nobody differs, nobody is penalised
                np.copyto(row, 1.0, where=~np.isnan(row))
                continue
        row -= lo
        row /= hi - lo
        np.clip(row, 0.0, 1.0, out=row)  # only `scale` can fall outside: values beyond the bounds
        if crit.direction == "cost":
            np.subtract(1.0, row, out=row)
    return out


# --- scoring -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Scorer:
    """Scores for any weight vectors as matrix products, so one draw or a thousand cost the same code.

    Arrays are criterion-major (m, n): `weights (B, m) @ a` gives (B, n) with services contiguous.
    """

    method: str
    a: FloatArray  # wsm: values (missing 0); wpm: log values; topsis: squared distance to ideal
    b: FloatArray | None  # wsm/wpm: presence (None when nothing is missing); topsis: to anti-ideal
    zero: FloatArray | None = None  # wpm: 1 where a present value is 0
    presence: FloatArray | None = None  # topsis: 1 where present (None when nothing is missing)

    def scores(self, weights: FloatArray) -> FloatArray:
        import numpy as np

        if self.method == "topsis":
            assert self.b is not None
            squared = weights * weights
            d_plus = np.sqrt(np.maximum(squared @ self.a, 0.0))
            d_minus = np.sqrt(np.maximum(squared @ self.b, 0.0))
            total = d_plus + d_minus
            with np.errstate(divide="ignore", invalid="ignore"):
                closeness = np.where(total > 0, d_minus / total, 1.0)
            if self.presence is not None:  # nothing to rank on scores 0, as in wsm and wpm
                closeness = np.where(weights @ self.presence > 0, closeness, 0.0)
            return np.asarray(closeness, dtype=np.float64)
        num = weights @ self.a
        den = weights @ self.b if self.b is not None else weights.sum(axis=1, keepdims=True)
        if self.method == "wsm":  # num / den where something is weighted, else 0 (one pass)
            return np.divide(num, den, out=np.zeros(np.broadcast_shapes(num.shape, den.shape)), where=den > 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(den > 0, num / den, np.nan)
        score = np.where(np.isnan(ratio), 0.0, np.exp(np.where(np.isnan(ratio), 0.0, ratio)))
        if self.zero is not None:
            score = np.where((weights > 0).astype(np.float64) @ self.zero > 0, 0.0, score)
        return np.asarray(score, dtype=np.float64)

    def take(self, rows: IntArray) -> _Scorer:
        def cut(array: FloatArray | None) -> FloatArray | None:
            return None if array is None else array[:, rows]

        return _Scorer(self.method, self.a[:, rows], cut(self.b), cut(self.zero), cut(self.presence))


def _scorer(method: str, raw: FloatArray, values: FloatArray, present: BoolArray, config: Config) -> _Scorer:
    import numpy as np

    rescale = config.missing == "rescale"
    complete = bool(present.all())
    presence = None if complete or not rescale else present.astype(np.float64)
    if method in ("wsm", "wpm"):
        filled = values if complete else np.where(present, values, 0.0)  # complete: no NaN, no copy
        if method == "wsm":
            return _Scorer("wsm", filled, presence)
        with np.errstate(divide="ignore"):
            logs = np.where(filled > 0, np.log(np.where(filled > 0, filled, 1.0)), 0.0)
        zero_mask = (filled <= 0) & (present | (not rescale))
        zero = zero_mask.astype(np.float64) if zero_mask.any() else None
        return _Scorer("wpm", logs, presence, zero)
    # topsis, textbook: vector normalization of the raw values, ideal = max benefit / min cost
    x = np.where(present, raw, 0.0)
    norm = np.sqrt((x * x).sum(axis=1, keepdims=True))
    r = np.divide(x, norm, out=np.zeros_like(x), where=norm > 0)
    empty = ~present.any(axis=1, keepdims=True)  # a criterion nobody has: no ideal, no distance
    high = np.where(empty, 0.0, np.where(present, r, -np.inf).max(axis=1, keepdims=True))
    low = np.where(empty, 0.0, np.where(present, r, np.inf).min(axis=1, keepdims=True))
    cost = np.array([[c.direction == "cost"] for c in config.criteria])
    ideal = np.where(cost, low, high)
    anti = np.where(cost, high, low)
    if not rescale:  # a missing value takes the anti-ideal
        r = np.where(present, r, anti)
        present = np.ones_like(present)
    with np.errstate(invalid="ignore"):
        a = np.where(present, (r - ideal) ** 2, 0.0)
        b = np.where(present, (r - anti) ** 2, 0.0)
    return _Scorer("topsis", a, b, presence=presence)


def _competition(
    sorted_scores: FloatArray, *, negated: bool = False, dtype: Any = None
) -> tuple[BoolArray, IntArray]:
    """Tie-group starts and competition ranks of scores already sorted descending (last axis).

    `negated`: the scores' negatives, sorted ascending (the gaps are the same numbers: IEEE
    negation is exact); `dtype`: of the ranks (default int64), small for the Monte Carlo's blocks.
    """
    import numpy as np

    later, earlier = sorted_scores[..., 1:], sorted_scores[..., :-1]
    starts = np.ones(sorted_scores.shape, dtype=bool)
    starts[..., 1:] = ((later - earlier) if negated else (earlier - later)) >= TOLERANCE
    n = sorted_scores.shape[-1]
    first = np.multiply(starts, np.arange(n, dtype=dtype or np.int64))  # 0 inside a tie group
    np.maximum.accumulate(first, axis=-1, out=first)
    first += 1
    return starts, first


def _order(score: FloatArray, services: pd.DataFrame) -> tuple[IntArray, IntArray, IntArray]:
    """Row order, competition rank and tie-group id per ranked position.

    Only rows sharing a tie group are sorted by partner and service_id, so a million distinct
    scores cost one float argsort (unstable is fine: every tie is then sorted by its keys).
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    order = np.argsort(-score)
    starts, ranks = _competition(score[order])
    group = np.cumsum(starts) - 1
    sizes = np.bincount(group)
    tied = np.flatnonzero(sizes[group] > 1)
    if tied.size:
        rows = order[tied]
        sub = pa.table(
            {
                "g": pa.array(group[tied]),
                "p": arrow_text(services["partner"].array.take(rows)),
                "s": arrow_text(services["service_id"].astype(str).array.take(rows)),
            }
        )
        perm = pc.sort_indices(
            sub, sort_keys=[("g", "ascending"), ("p", "ascending"), ("s", "ascending")]
        ).to_numpy()
        order[tied] = rows[perm]
    return order, ranks, group


def _tie_order(services: pd.DataFrame) -> IntArray:
    """Rows sorted by partner code then service_id: the tie order of every Monte Carlo draw."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    table = pa.table(
        {
            "p": arrow_text(services["partner"].array),
            "s": arrow_text(services["service_id"].astype(str).array),
        }
    )
    order = pc.sort_indices(table, sort_keys=[("p", "ascending"), ("s", "ascending")])
    return np.asarray(order.to_numpy(), dtype=np.int64)


def _missing_text(missing: BoolArray, ids: list[str], order: IntArray) -> pd.api.extensions.ExtensionArray:
    """Comma-separated missing ids per row, in `order`: each distinct pattern (there are few) is
    joined once and Arrow takes its text for every row (no Python string per row)."""
    import numpy as np
    import pandas as pd
    import pyarrow as pa

    m = missing.shape[0]
    if not missing.any():
        words, codes = [""], np.zeros(len(order), dtype=np.int64)
    else:
        packed = np.ascontiguousarray(np.packbits(missing, axis=0).T)
        keys = packed.view(np.dtype((np.void, packed.shape[1]))).ravel()
        _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
        words = [",".join(ids[j] for j in range(m) if missing[j, row]) for row in first]
        codes = inverse.ravel()[order]
    text: pd.api.extensions.ExtensionArray = pd.array(
        pa.array(words, type=pa.large_string()).take(codes), dtype="str"
    )
    return text


# --- the ranking ---------------------------------------------------------------------------------


def rank(
    services: pd.DataFrame,
    partners: pd.DataFrame,
    config: Config,
    options: RankOptions = DEFAULT_OPTIONS,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> RankResult:
    """Rank every service; pure (no I/O), deterministic, and independent of the input row order.

    `progress(done, total)` is called after each chunk of Monte Carlo draws, for a progress bar.
    """
    import numpy as np
    import pandas as pd

    if options.method not in METHODS:
        raise P4CError(f"unknown method `{options.method}`; accepted: {', '.join(METHODS)}")
    if options.by is not None and options.by not in GROUPS:
        raise P4CError(f"cannot rank by `{options.by}`; accepted: {', '.join(GROUPS)}")
    if options.samples < 0:
        raise P4CError("the number of Monte Carlo samples cannot be negative")
    if options.stability and options.method != "wsm":
        raise P4CError(
            f"weight-stability intervals are exact for wsm only, not {options.method}",
            hint="Use --method wsm with --stability, or --samples N for any method.",
        )
    n = len(services)
    if n == 0:
        raise P4CError("there are no services to rank", hint="Ingest partner workbooks first.")
    weights = resolve_weights(config, options.weights)
    ids = [c.id for c in config.criteria]
    w = np.array([weights[i] for i in ids], dtype=np.float64)
    k = min(config.shortlist.size, n)

    raw = _raw_matrix(services, partners, config)
    values = _normalize(raw, config, inplace=options.method != "topsis")  # topsis reads raw values
    present = ~np.isnan(values)
    scorer = _scorer(options.method, raw, values, present, config)
    score = scorer.scores(w[None, :])[0]
    missing = ~present & (w > 0)[:, None]
    order, ranks, group = _order(score, services)
    contributions = _contributions(
        score[order],
        np.take(values, order, axis=1),
        w,
        method=options.method,
        rescale=config.missing == "rescale",
    )
    columns: dict[str, Any] = {
        "rank": ranks.astype(np.int64),
        "partner": services["partner"].array.take(order),
        "service_id": services["service_id"].array.take(order),
        "title": services["title"].array.take(order),
        "category": services["category"].array.take(order),
        "score": score[order],
        "complete": np.logical_not(np.asarray(missing.any(axis=0)))[order],
        "missing": _missing_text(missing, ids, order),
    }
    parts = [pd.DataFrame(columns), pd.DataFrame(contributions.T, columns=ids, copy=False)]
    groups = group_columns(config)
    if groups:
        position = {crit_id: j for j, crit_id in enumerate(ids)}
        parts.append(
            pd.DataFrame(
                {
                    name: _row_sum(contributions, [position[c] for c in members])
                    for name, members in groups.items()
                }
            )
        )
    quality = {name: services[name].to_numpy()[order] for name in QUALITY_COLUMNS if name in services}
    if quality:
        parts.append(pd.DataFrame(quality))
    if options.samples:
        seed = config.stability.seed if options.seed is None else options.seed
        p_top, pct = _monte_carlo(
            scorer,
            w,
            _tie_order(services),
            k=k,
            samples=options.samples,
            seed=seed,
            concentration=config.stability.concentration,
            progress=progress,
        )
        sampled: dict[str, Any] = {"p_top": p_top[order]}
        for q, col in zip(PERCENTILES, SAMPLE_COLUMNS[1:], strict=True):
            sampled[col] = pct[q][order]
        parts.append(pd.DataFrame(sampled))
    table = pd.concat(parts, axis=1)  # side by side, no copy
    if options.by is not None:
        table["group_rank"] = _group_rank(table[options.by], group)
    stability = None
    if options.stability:
        from p4c.stability import stability_intervals

        stability = stability_intervals(
            values, present, w, order[:k], ids=ids, rescale=config.missing == "rescale"
        )
    return RankResult(table, weights, options.method, k, stability)


def _contributions(
    score: FloatArray, values: FloatArray, w: FloatArray, *, method: str, rescale: bool
) -> FloatArray:
    """Per criterion and service (same layout as `values`, which it overwrites to save a copy)."""
    import numpy as np

    present = ~np.isnan(values)
    complete = bool(present.all())
    den = w @ present.astype(np.float64) if rescale and not complete else np.full(len(score), w.sum())
    safe = np.where(den > 0, den, 1.0)
    terms = np.multiply(values, w[:, None], out=values)  # missing stays NaN
    terms /= safe
    if not complete and (method != "wsm" or not rescale):
        terms[~present] = 0.0
    if method != "wsm":  # split the non-additive score in proportion to the wsm terms
        total = terms.sum(axis=0)
        share = np.where(present | (not rescale), w[:, None] / safe, 0.0)
        terms = np.divide(terms, total, out=share, where=total > 0)
        terms *= score
        if rescale and not complete:
            terms[~present] = np.nan
    return terms


def _row_sum(matrix: FloatArray, rows: list[int]) -> FloatArray:
    """The sum of some rows, a missing value (NaN) counting 0, as `np.nansum` but row by row in
    place (no copy of the rows taken out, none with their NaN replaced)."""
    import numpy as np

    total = np.zeros(matrix.shape[1])
    for j in rows:
        row = matrix[j]
        np.add(total, row, out=total, where=~np.isnan(row))
    return total


def _group_rank(groups: pd.Series[Any], tie_group: IntArray) -> pd.Series[int]:
    """Competition rank within each group, on the global tie groups (rows are in rank order)."""
    import pandas as pd

    frame = pd.DataFrame(
        {
            "g": groups.to_numpy(),
            "t": tie_group,
            "pos": groups.groupby(groups, dropna=False, sort=False).cumcount(),
        }
    )
    first = frame.groupby(["g", "t"], dropna=False, sort=False)["pos"].transform("min")
    return (first + 1).astype("int64")


# --- Monte Carlo ---------------------------------------------------------------------------------


def _monte_carlo(
    scorer: _Scorer,
    w: FloatArray,
    tie_order: IntArray,
    *,
    k: int,
    samples: int,
    seed: int,
    concentration: float,
    progress: Callable[[int, int], None] | None = None,
    threads: int | None = None,
) -> tuple[FloatArray, dict[int, IntArray]]:
    """p_top and rank percentiles per service (original row order) over Dirichlet weight draws.

    Services are laid out in tie order (partner, service_id), so a tie group straddling the k-th
    place is settled by position in the layout; ranks come from the tie groups alone.
    """
    import numpy as np

    n, m = scorer.a.shape[1], len(w)
    rank_type = np.uint16 if n < 2**16 else np.uint32
    if n * samples > MAX_SAMPLE_CELLS:
        size = n * samples * np.dtype(rank_type).itemsize / 1e9
        raise P4CError(
            f"--samples {samples} on {n:,} services needs {size:.1f} GB for the rank percentiles",
            hint=f"Use at most {MAX_SAMPLE_CELLS // n:,} samples.",
        )
    rng = np.random.default_rng(seed)
    positive = w > 0
    draws = np.zeros((samples, m))
    if positive.sum() > 1:
        draws[:, positive] = rng.dirichlet(concentration * w[positive], size=samples)
    else:
        draws[:, positive] = 1.0
    laid = scorer.take(tie_order)
    ranks = np.empty((n, samples), dtype=rank_type)  # per service: its rank in every draw
    in_top = np.zeros(n, dtype=np.int64)
    chunk = max(1, CHUNK_CELLS // n)

    def one_chunk(lo: int) -> IntArray:
        """Ranks of the draws lo.. into `ranks`; returns how often each service made the top k."""
        negated = laid.scores(draws[lo : lo + chunk])
        np.negative(negated, out=negated)  # ascending negatives: descending scores, without a copy
        order = np.argsort(negated, axis=1)  # any tie straddling k is settled below
        # row by row: a 1-d take and scatter are several times faster than the 2-d *_along_axis
        in_order = np.empty_like(negated)
        for i, at in enumerate(order):
            negated[i].take(at, out=in_order[i])
        starts, sorted_ranks = _competition(in_order, negated=True, dtype=rank_type)
        chunk_ranks = np.empty(order.shape, dtype=rank_type)
        for i, at in enumerate(order):
            chunk_ranks[i, at] = sorted_ranks[i]
        ranks[:, lo : lo + chunk] = chunk_ranks.T
        counts = np.bincount(order[:, :k].ravel(), minlength=n)
        if k < n:
            for row in np.flatnonzero(~starts[:, k]):  # a tie group straddles the k-th place
                begin = int(sorted_ranks[row, k - 1]) - 1
                end = k + int(np.argmax(starts[row, k:])) if starts[row, k:].any() else n
                members = np.sort(order[row, begin:end])  # tie order = position in the layout
                counts[order[row, begin:k]] -= 1
                counts[members[: k - begin]] += 1
        return counts

    # numpy sorts without the GIL: the chunks go to `threads` threads (None: one per CPU, up to 4),
    # with the same result as one thread (each writes its own columns of `ranks`; the counts are summed).
    from concurrent.futures import ThreadPoolExecutor

    from p4c.forks import cpus, one_blas_thread

    starts_at = range(0, samples, chunk)
    workers = threads if threads is not None else min(4, cpus())
    with one_blas_thread(), ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        for lo, counts in zip(starts_at, pool.map(one_chunk, starts_at), strict=True):
            in_top += counts
            if progress is not None:
                progress(min(lo + chunk, samples), samples)
    p_top = np.empty(n)
    p_top[tie_order] = in_top / samples
    kth = [max(0, -(-q * samples // 100) - 1) for q in PERCENTILES]
    ranks.sort(axis=1)  # in place (no second n x samples copy); SIMD-sorting small ints beats partition
    pct: dict[int, IntArray] = {}
    for q, col in zip(PERCENTILES, kth, strict=True):
        values = np.empty(n, dtype=np.int64)
        values[tie_order] = ranks[:, col]
        pct[q] = values
    return p_top, pct


# --- weight stability ----------------------------------------------------------------------------


# --- outputs -------------------------------------------------------------------------------------


def default_outputs(folder: Path, rows: int) -> tuple[list[Path], str | None]:
    """ranking.csv and ranking.xlsx in `folder`, or only the csv with a note when Excel cannot hold it."""
    from p4c.store import RANKING_FILE, RANKING_XLSX

    csv = folder / RANKING_FILE
    if rows > XLSX_MAX_ROWS:
        return [csv], (
            f"{RANKING_XLSX} not written: {rows:,} services exceed Excel's "
            f"{XLSX_MAX_ROWS:,} rows (the CSV holds them all)"
        )
    return [csv, folder / RANKING_XLSX], None


def write_ranking(
    result: RankResult, path: Path, *, config: Config | None = None, lang: str = "en"
) -> list[Path]:
    """The ranking as .csv, .xlsx or .parquet (by suffix), plus weight_stability.csv beside it."""
    return write_rankings(result, [path], config=config, lang=lang)


def check_output_type(path: Path) -> None:
    """A ranking is written as .csv, .xlsx or .parquet: anything else is refused before any work."""
    suffix = path.suffix.lower()
    if suffix not in OUTPUT_TYPES:
        raise P4CError(
            f"{path.name}: cannot write a ranking as "
            f"{suffix or 'a file without extension'}; accepted: {', '.join(OUTPUT_TYPES)}"
        )


def write_rankings(
    result: RankResult, paths: Sequence[Path], *, config: Config | None = None, lang: str = "en"
) -> list[Path]:
    """The ranking in each file (by suffix), then weight_stability.csv once beside the first.

    The .xlsx has human headers in `lang`; with the project's `config` its criteria are headed by
    their labels and category labels stand beside the codes (see `p4c.io.write_xlsx`).
    """
    from p4c.io import write_parquet

    for path in paths:
        check_output_type(path)
    written = list(paths)
    for path in paths:
        suffix = path.suffix.lower()
        if suffix == ".csv":
            write_csv(result.table, path)
        elif suffix == ".parquet":
            write_parquet(result.table, path)
        else:
            write_ranking_xlsx(result, path, config=config, lang=lang)
    if result.stability is not None and paths:
        from p4c.store import WEIGHT_STABILITY_FILE

        target = paths[0].with_name(WEIGHT_STABILITY_FILE)
        write_csv(result.stability, target)
        written.insert(1, target)
    return written


def write_ranking_xlsx(result: RankResult, path: Path, *, config: Config | None, lang: str) -> None:
    """ranking.xlsx: the ranking, the weights used and their stability intervals, one sheet each."""
    import pandas as pd

    from p4c.headers import sheet_label
    from p4c.io import SheetSpec, write_xlsx

    table = result.table
    if len(table) > XLSX_MAX_ROWS:
        raise P4CError(
            f"{path.name}: {len(table):,} services exceed Excel's {XLSX_MAX_ROWS:,} rows",
            hint="Write .csv or .parquet instead.",
        )
    ids = list(result.weights)
    groups = [c for c in table.columns if str(c).startswith(GROUP_PREFIX) and c != "group_rank"]
    criteria = {c.id: c.text(lang) for c in config.criteria} if config is not None else {}
    categories = {c.code: c.text(lang) for c in config.categories} if config is not None else {}
    by_code = {"category": categories} if categories else {}
    by_criterion = {"criterion": criteria} if criteria else {}
    formats = {
        "score": "0.000",
        **dict.fromkeys([*ids, *groups], "0.000"),
        "p_top": "0.0%",
        "spread": "0.00",
    }
    widths = {"title": 32.0, "missing": 14.0}  # one page wide in landscape, text still >= 5.5 pt
    sheets = [
        SheetSpec(
            sheet_label("Ranking", lang),
            table,
            formats,
            ["score", *ids, *groups],
            widths,
            labels=criteria,
            code_labels=by_code,
        )
    ]
    weights = pd.DataFrame({"criterion": ids, "weight": [result.weights[i] for i in ids]})
    sheets.append(
        SheetSpec(sheet_label("Weights", lang), weights, {"weight": "0.000"}, code_labels=by_criterion)
    )
    if result.stability is not None:
        sheets.append(
            SheetSpec(
                sheet_label("Weight stability", lang),
                result.stability,
                dict.fromkeys(("weight", "lo", "hi"), "0.000"),
                code_labels=by_criterion,
            )
        )
    write_xlsx(sheets, path, lang=lang)


def ranking_json(
    result: RankResult, outputs: Sequence[Path] = (), extra: Mapping[str, Any] | None = None
) -> str:
    """{"method", "weights", "k", "ranking": [...]} (+ "stability", "outputs", `extra`); NaN -> null."""
    parts = [
        f'"method": {json.dumps(result.method)}',
        f'"weights": {json.dumps(result.weights)}',
        f'"k": {result.k}',
        f'"ranking": {result.table.to_json(orient="records", double_precision=15)}',
    ]
    if result.stability is not None:
        parts.append(f'"stability": {result.stability.to_json(orient="records", double_precision=15)}')
    if outputs:
        parts.append(f'"outputs": {json.dumps([str(p) for p in outputs])}')
    for key, value in (extra or {}).items():
        parts.append(f"{json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}")
    return "{" + ", ".join(parts) + "}"


def top_records(result: RankResult, count: int) -> list[dict[str, Any]]:
    """The first `count` rows as plain Python values (NaN -> None), for the terminal."""
    records: list[dict[str, Any]] = []
    for row in result.table.head(count).to_dict("records"):
        records.append(
            {
                str(key): (None if isinstance(value, float) and math.isnan(value) else value)
                for key, value in row.items()
            }
        )
    return records
