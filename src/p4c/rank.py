"""`p4c rank`: weighted added-value scoring of every service (spec: ranking.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

    from p4c.config import Config


def criterion_matrix(services: pd.DataFrame, partners: pd.DataFrame, config: Config) -> pd.DataFrame:
    """The raw value of every criterion for every service (NaN = missing), before normalization.

    Same index as `services`; one float column per criterion id, in config order.
    """
    import pandas as pd

    out = pd.DataFrame(index=services.index)
    cis = services["partner"].map(
        partners.set_index("partner")["cluster_initiatives"].astype("Float64")).astype(float)
    for crit in config.criteria:
        if crit.source == "score":
            values = services[crit.id].astype(float)
        elif crit.source == "field":
            values = services[crit.column].astype(float)
        elif crit.source == "ratio":
            num = services[crit.numerator].astype(float)
            den = services[crit.denominator].astype(float)
            values = num / den.where(den != 0)
        else:  # pertinence: the share of the region's CIs that use the service
            share = services["cis_served"].astype(float) / cis.where(cis > 0)
            values = share.clip(upper=1.0)
        out[crit.id] = values.astype(float).to_numpy()
    return out
