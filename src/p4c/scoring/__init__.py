"""Peer scoring: aggregation with rater-bias correction, agreement, and partner weights (scoring.md)."""
