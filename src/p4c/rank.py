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
- Weight stability (wsm): with w_j = t and every other weight scaled by (1 - t) / (1 - w_j), each
  score is a ratio of two linear functions of t (a linear one for complete services). For every pair
  (inside top k, outside) the crossings are the roots of a quadratic, solved exactly; [lo, hi] is the
  interval around w_j bounded by the nearest crossings where an outside service overtakes an inside
  one. Endpoints are exact crossings (the 1e-9 tie tolerance is ignored there). A service with no
  other criterion is scored by its limit at t = 0 or 1. A criterion holding all the weight cannot be
  moved with the others rescaled in proportion, so its interval is [1, 1].
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from p4c.config import suggest
from p4c.errors import P4CError
from p4c.io import FORMULA_PREFIXES

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    from numpy.typing import NDArray

    from p4c.config import Config, Criterion, Project

    FloatArray = NDArray[np.float64]
    IntArray = NDArray[np.int64]
    BoolArray = NDArray[np.bool_]

Method = Literal["wsm", "topsis", "wpm"]
GroupBy = Literal["partner", "category"]
METHODS: tuple[str, ...] = ("wsm", "topsis", "wpm")
GROUPS: tuple[str, ...] = ("partner", "category")
TIE_TOLERANCE = 1e-9
FLOAT_DECIMALS = 6
BASE_COLUMNS = ("rank", "partner", "service_id", "title", "category", "score", "complete", "missing")
SAMPLE_COLUMNS = ("p_top", "rank_p05", "rank_p50", "rank_p95")
PERCENTILES = (5, 50, 95)
STABILITY_FILE = "weight_stability.csv"
STABILITY_COLUMNS = ("criterion", "weight", "lo", "hi")
RANKING_NAME = "ranking"
OUTPUT_TYPES = (".csv", ".xlsx", ".parquet")
XLSX_MAX_ROWS = 1_048_575
MAX_SAMPLE_CELLS = 125_000_000  # ranks kept for the percentiles: services x draws (2 or 4 bytes each)
_CHUNK_CELLS = 2_000_000  # scores computed at once in Monte Carlo and stability (16 MB of floats)
_STABILITY_SEEDS = 64  # strongest outsiders (now, at t = 0, at t = 1) giving the first interval
_TEXT_TABLE_ROWS = 100_000  # a float column this long takes its CSV text from _decimal_texts
_CSV_BLOCK_ROWS = 65_536  # CSV lines assembled at once (about 9 MB of text for a ranking)
_CSV_THREADS = 4  # at most this many threads format blocks of lines (never more than the cores)


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
        out[key] = value
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
    raw = {c.id: float(overrides.get(c.id, c.weight)) for c in config.criteria}
    total = math.fsum(raw.values())
    if total <= 0:
        raise P4CError("all criterion weights are zero; give at least one criterion a positive weight",
                       hint="For example --weight impact=1, or change the weights in "
                            "config/criteria.yaml.")
    return {key: value / total for key, value in raw.items()}


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
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(den > 0, num / den, np.nan)
        if self.method == "wsm":
            return np.where(np.isnan(ratio), 0.0, ratio)
        score = np.where(np.isnan(ratio), 0.0, np.exp(np.where(np.isnan(ratio), 0.0, ratio)))
        if self.zero is not None:
            score = np.where((weights > 0).astype(np.float64) @ self.zero > 0, 0.0, score)
        return np.asarray(score, dtype=np.float64)

    def take(self, rows: IntArray) -> _Scorer:
        def cut(array: FloatArray | None) -> FloatArray | None:
            return None if array is None else array[:, rows]

        return _Scorer(self.method, self.a[:, rows], cut(self.b), cut(self.zero), cut(self.presence))


def _scorer(method: str, raw: FloatArray, values: FloatArray, present: BoolArray,
            config: Config) -> _Scorer:
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


def _competition(sorted_scores: FloatArray) -> tuple[BoolArray, IntArray]:
    """Tie-group starts and competition ranks of scores already sorted descending (last axis)."""
    import numpy as np

    starts = np.ones(sorted_scores.shape, dtype=bool)
    starts[..., 1:] = (sorted_scores[..., :-1] - sorted_scores[..., 1:]) >= TIE_TOLERANCE
    n = sorted_scores.shape[-1]
    first = np.where(starts, np.arange(n), 0)
    np.maximum.accumulate(first, axis=-1, out=first)
    return starts, first + 1


def _arrow_text(values: Any) -> pa.Array:
    import pyarrow as pa

    return pa.array(values, type=pa.large_string(), from_pandas=True)


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
        sub = pa.table({"g": pa.array(group[tied]),
                        "p": _arrow_text(services["partner"].array.take(rows)),
                        "s": _arrow_text(services["service_id"].astype(str).array.take(rows))})
        perm = pc.sort_indices(sub, sort_keys=[("g", "ascending"), ("p", "ascending"),
                                               ("s", "ascending")]).to_numpy()
        order[tied] = rows[perm]
    return order, ranks, group


def _tie_order(services: pd.DataFrame) -> IntArray:
    """Rows sorted by partner code then service_id: the tie order of every Monte Carlo draw."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    table = pa.table({"p": _arrow_text(services["partner"].array),
                      "s": _arrow_text(services["service_id"].astype(str).array)})
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
    text: pd.api.extensions.ExtensionArray = pd.array(pa.array(words, type=pa.large_string()).take(codes),
                                                      dtype="str")
    return text


# --- the ranking ---------------------------------------------------------------------------------

def rank(services: pd.DataFrame, partners: pd.DataFrame, config: Config,
         options: RankOptions = DEFAULT_OPTIONS) -> RankResult:
    """Rank every service; pure (no I/O), deterministic, and independent of the input row order."""
    import numpy as np
    import pandas as pd

    if options.method not in METHODS:
        raise P4CError(f"unknown method `{options.method}`; accepted: {', '.join(METHODS)}")
    if options.by is not None and options.by not in GROUPS:
        raise P4CError(f"cannot rank by `{options.by}`; accepted: {', '.join(GROUPS)}")
    if options.samples < 0:
        raise P4CError("the number of Monte Carlo samples cannot be negative")
    if options.stability and options.method != "wsm":
        raise P4CError(f"weight-stability intervals are exact for wsm only, not {options.method}",
                       hint="Use --method wsm with --stability, or --samples N for any method.")
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
    contributions = _contributions(score[order], np.take(values, order, axis=1), w,
                                   method=options.method, rescale=config.missing == "rescale")
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
    if options.samples:
        seed = config.stability.seed if options.seed is None else options.seed
        p_top, pct = _monte_carlo(scorer, w, _tie_order(services), k=k, samples=options.samples,
                                  seed=seed, concentration=config.stability.concentration)
        sampled: dict[str, Any] = {"p_top": p_top[order]}
        for q, col in zip(PERCENTILES, SAMPLE_COLUMNS[1:], strict=True):
            sampled[col] = pct[q][order]
        parts.append(pd.DataFrame(sampled))
    table = pd.concat(parts, axis=1)  # side by side, no copy
    if options.by is not None:
        table["group_rank"] = _group_rank(table[options.by], group)
    stability = None
    if options.stability:
        stability = _stability(values, present, w, order[:k], ids=ids,
                               rescale=config.missing == "rescale")
    return RankResult(table, weights, options.method, k, stability)


def _contributions(score: FloatArray, values: FloatArray, w: FloatArray, *, method: str,
                   rescale: bool) -> FloatArray:
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


def _group_rank(groups: pd.Series[Any], tie_group: IntArray) -> pd.Series[int]:
    """Competition rank within each group, on the global tie groups (rows are in rank order)."""
    import pandas as pd

    frame = pd.DataFrame({"g": groups.to_numpy(), "t": tie_group,
                          "pos": groups.groupby(groups, dropna=False, sort=False).cumcount()})
    first = frame.groupby(["g", "t"], dropna=False, sort=False)["pos"].transform("min")
    return (first + 1).astype("int64")


# --- Monte Carlo ---------------------------------------------------------------------------------

def _monte_carlo(scorer: _Scorer, w: FloatArray, tie_order: IntArray, *, k: int, samples: int,
                 seed: int, concentration: float) -> tuple[FloatArray, dict[int, IntArray]]:
    """p_top and rank percentiles per service (original row order) over Dirichlet weight draws.

    Services are laid out in tie order (partner, service_id), so a tie group straddling the k-th
    place is settled by position in the layout; ranks come from the tie groups alone.
    """
    import numpy as np

    n, m = scorer.a.shape[1], len(w)
    rank_type = np.uint16 if n < 2**16 else np.uint32
    if n * samples > MAX_SAMPLE_CELLS:
        size = n * samples * np.dtype(rank_type).itemsize / 1e9
        raise P4CError(f"--samples {samples} on {n:,} services needs {size:.1f} GB for the rank "
                       f"percentiles", hint=f"Use at most {MAX_SAMPLE_CELLS // n:,} samples.")
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
    chunk = max(1, _CHUNK_CELLS // n)
    for lo in range(0, samples, chunk):
        scores = laid.scores(draws[lo:lo + chunk])
        order = np.argsort(-scores, axis=1)  # any tie straddling k is settled below
        starts, sorted_ranks = _competition(np.take_along_axis(scores, order, axis=1))
        chunk_ranks = np.empty(order.shape, dtype=rank_type)
        np.put_along_axis(chunk_ranks, order, sorted_ranks.astype(rank_type), axis=1)
        ranks[:, lo:lo + chunk] = chunk_ranks.T
        top = order[:, :k]
        in_top += np.bincount(top.ravel(), minlength=n)
        if k < n:
            for row in np.flatnonzero(~starts[:, k]):  # a tie group straddles the k-th place
                begin = int(sorted_ranks[row, k - 1]) - 1
                end = k + int(np.argmax(starts[row, k:])) if starts[row, k:].any() else n
                members = np.sort(order[row, begin:end])  # tie order = position in the layout
                in_top[order[row, begin:k]] -= 1
                in_top[members[:k - begin]] += 1
    p_top = np.empty(n)
    p_top[tie_order] = in_top / samples
    kth = [max(0, -(-q * samples // 100) - 1) for q in PERCENTILES]
    ranks.partition(sorted(set(kth)), axis=1)  # in place: no second copy of n x samples
    pct: dict[int, IntArray] = {}
    for q, col in zip(PERCENTILES, kth, strict=True):
        values = np.empty(n, dtype=np.int64)
        values[tie_order] = ranks[:, col]
        pct[q] = values
    return p_top, pct


# --- weight stability ----------------------------------------------------------------------------

def _stability(values: FloatArray, present: BoolArray, w: FloatArray, top: IntArray, *,
               ids: list[str], rescale: bool) -> pd.DataFrame:
    import numpy as np
    import pandas as pd

    m, n = values.shape
    has = present if rescale else np.ones_like(present)
    filled = np.where(present, values, 0.0)
    inside = np.zeros(n, dtype=bool)
    inside[top] = True
    rows = []
    for j in range(m):
        t0 = float(w[j])
        if len(top) == n or t0 >= 1.0 - 1e-12:
            lo, hi = (t0, t0) if t0 >= 1.0 - 1e-12 else (0.0, 1.0)
        else:
            lo, hi = _interval(_linear_forms(filled, has, w, j), inside, t0)
        rows.append((ids[j], t0, lo, hi))
    return pd.DataFrame(rows, columns=list(STABILITY_COLUMNS))


def _linear_forms(filled: FloatArray, has: BoolArray, w: FloatArray, j: int) -> FloatArray:
    """(p, q, r, u) rows: score(t) = (p + q t) / (r + u t) with w_j = t and the others in proportion.

    The denominator is positive on (0, 1), so every score is monotone in t.
    """
    import numpy as np

    others = w.copy()
    others[j] = 0.0
    others /= 1.0 - w[j]
    b = others @ filled  # the other criteria's weighted sum at t = 0
    c = others @ has.astype(np.float64)  # and the share of their weight the service has
    a = filled[j]
    has_j = has[j]
    with_rest = c > 1e-15
    forms = np.zeros((4, len(a)))
    forms[2] = 1.0
    both = has_j & with_rest
    forms[0, both] = b[both]
    forms[1, both] = a[both] - b[both]
    forms[2, both] = c[both]
    forms[3, both] = 1.0 - c[both]
    only_j = has_j & ~with_rest  # nothing else: its value on j (the limit at t = 0)
    forms[0, only_j] = a[only_j]
    only_rest = ~has_j & with_rest  # lacks j: constant (the limit at t = 1)
    forms[0, only_rest] = b[only_rest] / c[only_rest]
    return forms


def _score_at(forms: FloatArray, t: float) -> FloatArray:
    import numpy as np

    p, q, r, u = forms
    return np.asarray((p + q * t) / (r + u * t), dtype=np.float64)


def _interval(forms: FloatArray, inside: BoolArray, t0: float) -> tuple[float, float]:
    """Nearest t on each side of t0 where a service outside the top k overtakes one inside.

    Two passes: the strongest outsiders give a first [lo, hi]; then, as scores are monotone in t,
    an outsider whose best over [lo, hi] stays under every insider's worst there cannot cross
    inside it and is skipped. A million services cost a few thousand pairs, not k million.
    """
    import numpy as np

    ins, outs = np.flatnonzero(inside), np.flatnonzero(~inside)
    now = _score_at(forms, t0)
    ends = (_score_at(forms, 0.0), _score_at(forms, 1.0))
    seeds = set()
    for scores in (now, *ends):
        strongest = min(_STABILITY_SEEDS, len(outs))
        seeds.update(outs[np.argpartition(-scores[outs], strongest - 1)[:strongest]].tolist())
    lo, hi = _crossings(forms, now, ins, np.array(sorted(seeds), dtype=np.int64), t0=t0,
                        bounds=(0.0, 1.0))
    reach = now[outs].copy()
    floor = now[ins].copy()
    for t in (lo, hi):
        at_t = _score_at(forms, t)
        np.maximum(reach, at_t[outs], out=reach)
        np.minimum(floor, at_t[ins], out=floor)
    contenders = outs[reach > floor.min() - TIE_TOLERANCE]
    return _crossings(forms, now, ins, contenders, t0=t0, bounds=(lo, hi))


def _crossings(forms: FloatArray, now: FloatArray, ins: IntArray, outs: IntArray, *, t0: float,
               bounds: tuple[float, float]) -> tuple[float, float]:
    """`bounds` narrowed to the nearest crossing of each (inside, outside) pair around t0."""
    import numpy as np

    p, q, r, u = forms
    lo, hi = bounds
    i = ins[:, None]
    step = max(1, _CHUNK_CELLS // len(ins))
    for start in range(0, len(outs), step):
        o = outs[start:start + step][None, :]
        c0 = p[i] * r[o] - p[o] * r[i]  # g(t) = num_i den_o - num_o den_i has the sign of s_i - s_o
        c1 = p[i] * u[o] + q[i] * r[o] - p[o] * u[i] - q[o] * r[i]
        c2 = q[i] * u[o] - q[o] * u[i]
        gap = now[i] - now[o]
        slope = c1 + 2 * c2 * t0
        tied = np.abs(gap) < TIE_TOLERANCE  # tied now: the side the outsider rises on breaks at t0
        scale = np.abs(c0) + np.abs(c1) + np.abs(c2) + 1e-300
        flat = np.abs(slope) <= 1e-12 * scale
        curve = np.where(np.abs(c2) > 1e-12 * scale, np.sign(c2), 0.0)
        right = np.where(tied, np.where(flat, curve, np.sign(slope)), np.sign(gap))
        left = np.where(tied, np.where(flat, curve, -np.sign(slope)), np.sign(gap))
        if (right < 0).any():
            hi = t0
        if (left < 0).any():
            lo = t0
        for root in _roots(c0, c1, c2):
            valid = ~np.isnan(root)
            turn = c1 + 2 * c2 * np.where(valid, root, 0.0)
            ahead = valid & (turn < 0) & (root > t0 + 1e-12) & (right > 0)  # inside falls below
            if ahead.any():
                hi = min(hi, float(root[ahead].min()))
            behind = valid & (turn > 0) & (root < t0 - 1e-12) & (left > 0)
            if behind.any():
                lo = max(lo, float(root[behind].max()))
    return max(0.0, lo), min(1.0, hi)


def _roots(c0: FloatArray, c1: FloatArray, c2: FloatArray) -> tuple[FloatArray, FloatArray]:
    """The simple real roots in [0, 1] of c2 t^2 + c1 t + c0 (NaN where there is none)."""
    import numpy as np

    scale = np.abs(c0) + np.abs(c1) + np.abs(c2) + 1e-300
    quadratic = np.abs(c2) > 1e-12 * scale
    disc = c1 * c1 - 4 * c2 * c0
    with np.errstate(divide="ignore", invalid="ignore"):
        sq = np.sqrt(np.where(disc > 0, disc, np.nan))
        qq = -0.5 * (c1 + np.where(c1 >= 0, sq, -sq))  # the numerically stable pair
        r1 = np.where(quadratic, qq / c2, np.where(np.abs(c1) > 1e-12 * scale, -c0 / c1, np.nan))
        r2 = np.where(quadratic, c0 / qq, np.nan)
    return tuple(np.where((x >= 0) & (x <= 1), x, np.nan) for x in (r1, r2))  # type: ignore[return-value]


class Fragility(NamedTuple):
    criterion: str
    weight: float
    lo: float
    hi: float
    change: float  # the smallest relative change of the weight that alters the top k


def most_fragile(result: RankResult) -> Fragility | None:
    """The criterion whose weight needs the smallest relative change (up or down) to alter the top k.

    Zero-weight criteria are left out (a relative change of nothing is undefined); an interval
    that reaches 0 or 1 on one side cannot break on that side. None when no single weight can.
    """
    best: Fragility | None = None
    for crit_id, weight, lo, hi in stability_rows(result):
        if weight <= 0:
            continue
        down = (weight - lo) / weight if lo > 0 else math.inf
        up = (hi - weight) / weight if hi < 1 else math.inf
        change = min(down, up)
        if math.isfinite(change) and (best is None or change < best.change):
            best = Fragility(crit_id, weight, lo, hi, change)
    return best


# --- outputs -------------------------------------------------------------------------------------

def default_outputs(project: Project, rows: int) -> tuple[list[Path], str | None]:
    """data/processed/ranking.csv and .xlsx, or only the csv with a note when Excel cannot hold it."""
    folder = project.processed_dir
    csv = folder / f"{RANKING_NAME}.csv"
    if rows > XLSX_MAX_ROWS:
        return [csv], (f"{RANKING_NAME}.xlsx not written: {rows:,} services exceed Excel's "
                       f"{XLSX_MAX_ROWS:,} rows (the CSV holds them all)")
    return [csv, folder / f"{RANKING_NAME}.xlsx"], None


def write_ranking(result: RankResult, path: Path) -> list[Path]:
    """The ranking as .csv, .xlsx or .parquet (by suffix), plus weight_stability.csv beside it."""
    return write_rankings(result, [path])


def write_rankings(result: RankResult, paths: Sequence[Path]) -> list[Path]:
    """The ranking in each file (by suffix), then weight_stability.csv once beside the first."""
    from p4c.io import write_parquet

    for path in paths:
        suffix = path.suffix.lower()
        if suffix not in OUTPUT_TYPES:
            raise P4CError(f"{path.name}: cannot write a ranking as "
                           f"{suffix or 'a file without extension'}; accepted: {', '.join(OUTPUT_TYPES)}")
    written = list(paths)
    for path in paths:
        suffix = path.suffix.lower()
        if suffix == ".csv":
            write_fast_csv(result.table, path)
        elif suffix == ".parquet":
            write_parquet(result.table, path)
        else:
            _write_ranking_xlsx(result, path)
    if result.stability is not None and paths:
        target = paths[0].with_name(STABILITY_FILE)
        write_fast_csv(result.stability, target)
        written.insert(1, target)
    return written


@functools.cache
def _formula_bytes() -> BoolArray:
    """A table over the first byte of a text: True where the text would run as a formula."""
    import numpy as np

    table = np.zeros(256, dtype=bool)
    assert all(len(p) == 1 and ord(p) < 128 for p in FORMULA_PREFIXES)
    table[[ord(p) for p in FORMULA_PREFIXES]] = True
    return table


def _utf8(text: pa.Array) -> tuple[IntArray, NDArray[np.uint8]]:
    """The offsets (one more than the values) and the bytes of a large_string array, no copy."""
    import numpy as np

    offsets = np.frombuffer(text.buffers()[1], dtype=np.int64, count=len(text) + 1,
                            offset=text.offset * 8)
    data = text.buffers()[2]
    return offsets, np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, np.uint8)


def _csv_text(series: pd.Series[Any]) -> pa.Array:
    """A text column as Arrow large_string: formula text neutralised, quotes doubled (for quoting)."""
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    text = _arrow_text(series.astype("str").array if pd.api.types.is_object_dtype(series.dtype)
                       else series.array)
    if isinstance(text, pa.ChunkedArray):
        text = text.chunk(0) if text.num_chunks == 1 else text.combine_chunks()
    # a look at each first byte and one scan of the bytes, rather than a regex over every value
    offsets, utf8 = _utf8(text)
    starts = offsets[:-1]
    filled = offsets[1:] > starts
    first = np.zeros(len(text), dtype=np.uint8)
    first[filled] = utf8[starts[filled]]
    flagged = _formula_bytes()[first] & filled  # ASCII prefixes: the first byte is the character
    if flagged.any():
        quote, empty = pa.scalar("'", pa.large_string()), pa.scalar("", pa.large_string())
        text = pc.if_else(pa.array(flagged), pc.binary_join_element_wise(quote, text, empty), text)
        offsets, utf8 = _utf8(text)
    if np.any(utf8[offsets[0]:offsets[-1]] == ord('"')):
        text = pc.replace_substring(text, '"', '""')
    return text


_Fields = Callable[[int, int], "pa.Array"]  # (start, count) -> the fields' text, no nulls


def _csv_fields(series: pd.Series[Any]) -> tuple[_Fields, bool]:
    """How one column is written: its fields' text by rows, and whether it goes between quotes.

    Text is quoted, quotes doubled, and starts with an apostrophe where it would run as a formula;
    floats are rounded to FLOAT_DECIMALS decimals (the shortest text of the rounded value, never
    -0); a null (NaN) is an empty field, never quoted. Everything else is Arrow's text (true/false).
    """
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    empty = pa.scalar("", pa.large_string())

    def no_nulls(text: pa.Array) -> pa.Array:
        return pc.fill_null(text, empty) if text.null_count else text

    dtype = series.dtype
    if pd.api.types.is_float_dtype(dtype):
        return _float_fields(series.to_numpy(dtype=float, na_value=np.nan), no_nulls), False
    if pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_integer_dtype(dtype):
        values = pa.array(series, from_pandas=True)
        return (lambda start, count: no_nulls(pc.cast(values.slice(start, count), pa.large_string()))), False
    text = _csv_text(series)
    if text.null_count == 0:  # the quotes are written around it, as literal text
        return text.slice, True
    quote = pa.scalar('"', pa.large_string())
    return (lambda start, count: no_nulls(
        pc.binary_join_element_wise(quote, text.slice(start, count), quote, empty))), False


def _float_fields(values: FloatArray, no_nulls: Callable[[pa.Array], pa.Array]) -> _Fields:
    """Arrow's text of `np.round(values, FLOAT_DECIMALS) + 0.0` by rows (NaN -> empty).

    np.round computes rint(x * 10**d) / 10**d, so a value rounded into [0, 1] is k / 10**d for an
    integer k: a long column in that range (scores, contributions, p_top) takes its text from a
    table of every k, built once, rather than formatting every double.
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    scale = 10.0 ** FLOAT_DECIMALS
    scaled = np.multiply(values, scale)
    np.rint(scaled, out=scaled)
    if len(scaled) >= _TEXT_TABLE_ROWS and np.fmin.reduce(scaled) >= 0 and np.fmax.reduce(scaled) <= scale:
        nan = np.isnan(scaled)
        some_nan = bool(nan.any())
        if some_nan:
            scaled[nan] = 0.0
        index = pa.array(scaled.astype(np.int64), mask=nan if some_nan else None)
        texts = _decimal_texts()
        return lambda start, count: no_nulls(texts.take(index.slice(start, count)))
    scaled /= scale
    scaled += 0.0  # no -0
    rounded = pa.array(scaled, from_pandas=True)
    return lambda start, count: no_nulls(pc.cast(rounded.slice(start, count), pa.large_string()))


@functools.cache
def _decimal_texts() -> pa.Array:
    """Arrow's text of k / 10**FLOAT_DECIMALS for every k from 0 to 10**FLOAT_DECIMALS."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    scale = 10 ** FLOAT_DECIMALS
    return pc.cast(pa.array(np.arange(scale + 1) / float(scale)), pa.large_string())


def write_fast_csv(frame: pd.DataFrame, target: Path) -> None:
    """`io.write_csv`'s conventions (UTF-8 BOM, CRLF, formula text neutralised, atomic), in C++.

    The bytes are those `pyarrow.csv.write_csv` (CRLF) writes for the columns of `_csv_fields`
    (tests/test_rank.py compares them): text quoted, quotes doubled; booleans true/false; floats
    as Arrow's shortest text of the value rounded to FLOAT_DECIMALS decimals (plain decimals below
    1e10, never -0): the bytes depend only on the values. pandas `to_csv` takes seconds on a
    million rows, Arrow's writer most of a second (formatting every double). Here the lines of a
    block of rows are one `binary_join_element_wise` over the fields, the quotes and commas passed
    as scalars, on a few threads (Arrow releases the GIL), written in order.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    from p4c.io import atomic_path

    def scalar(text: str) -> pa.Scalar:
        return pa.scalar(text, pa.large_string())

    pieces: list[str | _Fields] = []  # fields and literal text, concatenated with no separator
    literal = ""
    for i, name in enumerate(frame.columns):
        fields, quoted = _csv_fields(frame[name])
        pieces += [literal + ("," if i else "") + ('"' if quoted else ""), fields]
        literal = '"' if quoted else ""
    pieces.append(literal + "\r\n")
    args = [scalar(p) if isinstance(p, str) else p for p in pieces if p != ""]
    empty = scalar("")

    def lines(start: int) -> memoryview:
        block = [p if isinstance(p, pa.Scalar) else p(start, _CSV_BLOCK_ROWS) for p in args]
        text = pc.binary_join_element_wise(*block, empty)
        offsets, utf8 = _utf8(text)
        return utf8[offsets[0]:offsets[-1]].data

    header = ",".join('"' + str(name).replace('"', '""') + '"' for name in frame.columns) + "\r\n"
    starts = range(0, len(frame), _CSV_BLOCK_ROWS) if len(frame.columns) else range(0)
    with atomic_path(target) as tmp, tmp.open("wb") as sink:
        sink.write(b"\xef\xbb\xbf" + header.encode("utf-8"))
        for text in _in_order(lines, starts):
            sink.write(text)


def _in_order(work: Callable[[int], memoryview], items: Sequence[int]) -> Iterator[memoryview]:
    """`work(item)` for each item, in order, on up to _CSV_THREADS threads (a few blocks ahead)."""
    from collections import deque
    from concurrent.futures import Future, ThreadPoolExecutor

    workers = min(_csv_threads(), len(items))
    if workers <= 1:
        yield from map(work, items)
        return
    with ThreadPoolExecutor(workers, thread_name_prefix="p4c-csv") as pool:
        pending: deque[Future[memoryview]] = deque()
        for item in items:
            pending.append(pool.submit(work, item))
            if len(pending) > 2 * workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def _csv_threads() -> int:
    import os

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, min(cores, _CSV_THREADS))


def _write_ranking_xlsx(result: RankResult, path: Path) -> None:
    import pandas as pd

    from p4c.io import SheetSpec, write_xlsx

    table = result.table
    if len(table) > XLSX_MAX_ROWS:
        raise P4CError(f"{path.name}: {len(table):,} services exceed Excel's {XLSX_MAX_ROWS:,} rows",
                       hint="Write .csv or .parquet instead.")
    ids = list(result.weights)
    formats = {"score": "0.000", **dict.fromkeys(ids, "0.000"), "p_top": "0.0%"}
    sheets = [SheetSpec("Ranking", table, formats, ["score", *ids],
                        {"title": 48.0, "missing": 24.0})]
    weights = pd.DataFrame({"criterion": ids, "weight": [result.weights[i] for i in ids]})
    sheets.append(SheetSpec("Weights", weights, {"weight": "0.000"}))
    if result.stability is not None:
        sheets.append(SheetSpec("Weight stability", result.stability,
                                dict.fromkeys(("weight", "lo", "hi"), "0.000")))
    write_xlsx(sheets, path)


def ranking_json(result: RankResult, outputs: Sequence[Path] = ()) -> str:
    """{"method", "weights", "k", "ranking": [...]} (+ "stability", "outputs"); NaN -> null."""
    parts = [f'"method": {json.dumps(result.method)}', f'"weights": {json.dumps(result.weights)}',
             f'"k": {result.k}',
             f'"ranking": {result.table.to_json(orient="records", double_precision=15)}']
    if result.stability is not None:
        parts.append(f'"stability": {result.stability.to_json(orient="records", double_precision=15)}')
    if outputs:
        parts.append(f'"outputs": {json.dumps([str(p) for p in outputs])}')
    return "{" + ", ".join(parts) + "}"


def stability_rows(result: RankResult) -> list[tuple[str, float, float, float]]:
    """(criterion, weight, lo, hi) per criterion, for the terminal; empty without --stability."""
    if result.stability is None:
        return []
    return [(str(c), float(w), float(lo), float(hi))
            for c, w, lo, hi in result.stability.itertuples(index=False)]


def top_records(result: RankResult, count: int) -> list[dict[str, Any]]:
    """The first `count` rows as plain Python values (NaN -> None), for the terminal."""
    records: list[dict[str, Any]] = []
    for row in result.table.head(count).to_dict("records"):
        records.append({str(key): (None if isinstance(value, float) and math.isnan(value) else value)
                        for key, value in row.items()})
    return records
