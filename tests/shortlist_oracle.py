"""The shortlist selection as it was before it was made near-linear: the oracle the fast one must match.

Kept verbatim (only renamed): it rebuilds the rest of the list and runs the exact max-flow check
for every candidate, which is quadratic, but obviously follows the rule of p4c.shortlist.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np
import pandas as pd

from p4c.shortlist import _selection_notes


def coverable_oracle(
    rest: Sequence[tuple[str, str]], covered: set[str], taken: Counter[str], slots: int, cap: int
) -> int:
    """How many categories outside `covered` up to `slots` more picks from `rest` can add.

    `rest` holds (partner, category) of the candidates still available; `taken` counts each
    partner's picks against `cap`. Exact: a max flow from the uncovered categories to the partners
    that offer them, each partner limited to its remaining places.
    """
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import maximum_flow

    pairs = sorted({(cat, partner) for partner, cat in rest if cat not in covered and taken[partner] < cap})
    if slots <= 0 or not pairs:
        return 0
    cats = sorted({cat for cat, _ in pairs})
    parts = sorted({partner for _, partner in pairs})
    node = {
        name: i
        for i, name in enumerate(
            [("c", cat) for cat in cats] + [("p", partner) for partner in parts], start=1
        )
    }
    sink = len(node) + 1
    rows = [0] * len(cats) + [node["c", cat] for cat, _ in pairs] + [node["p", p] for p in parts]
    cols = [node["c", cat] for cat in cats] + [node["p", p] for _, p in pairs] + [sink] * len(parts)
    caps = [1] * (len(cats) + len(pairs)) + [cap - taken[p] for p in parts]
    graph = csr_matrix((np.array(caps, dtype=np.int32), (rows, cols)), shape=(sink + 1, sink + 1))
    return min(slots, int(maximum_flow(graph, 0, sink).flow_value))


def select_shortlist_oracle(
    candidates: pd.DataFrame, size: int, max_per_partner: int, min_categories: int
) -> tuple[pd.DataFrame, list[str]]:
    """The shortlist by the module's rule: `candidates` (from good_practice) with `shortlisted` and
    every eligible service's reasons rewritten to say why it is in or out; plus the notes.
    """
    out = candidates.copy()
    out["shortlisted"] = False
    pool = out[out["eligible"]]
    items = list(
        zip(
            pool.index,
            pool["partner"].astype(str),
            pool["category"].astype(str),
            pool["rank"].astype(int),
            strict=True,
        )
    )
    all_cats = {cat for _, _, cat, _ in items}
    best = coverable_oracle([(p, c) for _, p, c, _ in items], set(), Counter(), size, max_per_partner)
    target = min(min_categories, best)
    taken: Counter[str] = Counter()
    covered: set[str] = set()
    picked: list[int] = []
    skipped: Counter[str] = Counter()
    capped: Counter[str] = Counter()
    for pos, (idx, partner, cat, rank) in enumerate(items):
        rest = [(p, c) for _, p, c, _ in items[pos + 1 :]]
        slots = size - len(picked)
        if slots == 0:
            out.at[idx, "reasons"] = (
                f"good practice, not shortlisted: shortlist full (size {size}, every place taken by a "
                "better-ranked practice)"
            )
            skipped["size"] += 1
            continue
        if taken[partner] >= max_per_partner:
            out.at[idx, "reasons"] = (
                f"good practice, not shortlisted: partner cap "
                f"({max_per_partner}) reached by higher-ranked {partner} practices"
            )
            capped[partner] += 1
            continue
        needed = target - len(covered | {cat})
        after = taken + Counter({partner: 1})
        if needed > 0 and coverable_oracle(rest, covered | {cat}, after, slots - 1, max_per_partner) < needed:
            skipped["coverage"] += 1
            if coverable_oracle(rest, covered | {cat}, taken, slots - 1, max_per_partner) >= needed:
                why = (
                    f"{partner}'s remaining places (cap {max_per_partner}) are needed for "
                    f"categories only {partner} can still bring"
                )
            else:
                left = f"the {slots} places left are" if slots > 1 else "the last place is"
                why = f"category {cat} is already covered and {left} needed"
            out.at[idx, "reasons"] = f"good practice, not shortlisted: {why}, to reach {target} categories"
            continue
        new = cat not in covered
        picked.append(idx)
        taken[partner] += 1
        covered.add(cat)
        out.at[idx, "shortlisted"] = True
        out.at[idx, "reasons"] = f"shortlisted: good practice, rank {rank}" + (
            f", adds category {cat}" if new else ""
        )
    notes = _selection_notes(
        out,
        size=size,
        cap=max_per_partner,
        min_categories=min_categories,
        target=target,
        best=best,
        all_cats=all_cats,
        skipped=skipped,
        capped=capped,
    )
    return out, notes
