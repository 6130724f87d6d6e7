"""The report fixture's own invariants."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from tests.report.data import make_processed


def test_fixture_is_consistent(tmp_path: Path) -> None:
    """The generator's own invariants: the report tests rely on them."""
    fx = make_processed(tmp_path)
    ranking = pd.read_csv(tmp_path / "ranking.csv")
    ids = [c.id for c in fx.config.criteria]
    assert np.allclose(ranking[ids].sum(axis=1), ranking["score"])
    assert len(fx.shortlist) == 15
    assert len(fx.field_tests) == 14
    assert (fx.field_tests["partner"] != fx.field_tests["practice_partner"]).all()
    assert fx.field_tests.groupby("partner").size().eq(2).all()
    assert fx.shortlist["category"].nunique() >= 5
