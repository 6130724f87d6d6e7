"""Exact weight-stability intervals (`p4c rank --stability`, wsm) and the most fragile criterion.

With w_j = t and every other weight scaled by (1 - t) / (1 - w_j), each
score is a ratio of two linear functions of t (a linear one for complete services). For every pair
(inside top k, outside) the crossings are the roots of a quadratic, solved exactly; [lo, hi] is the
interval around w_j bounded by the nearest crossings where an outside service overtakes an inside
one. Endpoints are exact crossings (the 1e-9 tie tolerance is ignored there). A service with no
other criterion is scored by its limit at t = 0 or 1. A criterion holding all the weight cannot be
moved with the others rescaled in proportion, so its interval is [1, 1].

Weights are never sampled here: the interval ends are exact crossings of piecewise-linear scores.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, NamedTuple

from p4c.rank import CHUNK_CELLS
from p4c.values import TOLERANCE

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    from numpy.typing import NDArray

    from p4c.rank import RankResult

    FloatArray = NDArray[np.float64]
    IntArray = NDArray[np.int64]
    BoolArray = NDArray[np.bool_]


STABILITY_COLUMNS = ("criterion", "weight", "lo", "hi")


_STABILITY_SEEDS = 64  # strongest outsiders (now, at t = 0, at t = 1) giving the first interval


def stability_intervals(
    values: FloatArray, present: BoolArray, w: FloatArray, top: IntArray, *, ids: list[str], rescale: bool
) -> pd.DataFrame:
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
    lo, hi = _crossings(forms, now, ins, np.array(sorted(seeds), dtype=np.int64), t0=t0, bounds=(0.0, 1.0))
    reach = now[outs].copy()
    floor = now[ins].copy()
    for t in (lo, hi):
        at_t = _score_at(forms, t)
        np.maximum(reach, at_t[outs], out=reach)
        np.minimum(floor, at_t[ins], out=floor)
    contenders = outs[reach > floor.min() - TOLERANCE]
    return _crossings(forms, now, ins, contenders, t0=t0, bounds=(lo, hi))


def _crossings(
    forms: FloatArray,
    now: FloatArray,
    ins: IntArray,
    outs: IntArray,
    *,
    t0: float,
    bounds: tuple[float, float],
) -> tuple[float, float]:
    """`bounds` narrowed to the nearest crossing of each (inside, outside) pair around t0."""
    import numpy as np

    p, q, r, u = forms
    lo, hi = bounds
    i = ins[:, None]
    step = max(1, CHUNK_CELLS // len(ins))
    for start in range(0, len(outs), step):
        o = outs[start : start + step][None, :]
        c0 = p[i] * r[o] - p[o] * r[i]  # g(t) = num_i den_o - num_o den_i has the sign of s_i - s_o
        c1 = p[i] * u[o] + q[i] * r[o] - p[o] * u[i] - q[o] * r[i]
        c2 = q[i] * u[o] - q[o] * u[i]
        gap = now[i] - now[o]
        slope = c1 + 2 * c2 * t0
        tied = np.abs(gap) < TOLERANCE  # tied now: the side the outsider rises on breaks at t0
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


def stability_rows(result: RankResult) -> list[tuple[str, float, float, float]]:
    """(criterion, weight, lo, hi) per criterion, for the terminal; empty without --stability."""
    if result.stability is None:
        return []
    return [
        (str(c), float(w), float(lo), float(hi)) for c, w, lo, hi in result.stability.itertuples(index=False)
    ]
