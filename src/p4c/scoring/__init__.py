"""Peer scoring: aggregation with rater-bias correction, agreement, and partner weights (scoring.md)."""

# What peer scoring adds to each service, beside its scores: how many raters, how far they spread,
# and whether they disagree (p4c.scoring.apply); the ranking's outputs carry them.
QUALITY_COLUMNS = ("raters", "spread", "flagged")
