"""Criteria groups in the ranking, the report's "How the partners scored", and the sample scoring data."""

from __future__ import annotations

import re
import shutil
from html import unescape
from pathlib import Path

import pandas as pd
import pytest

from p4c.config import Project, parse_config
from p4c.errors import P4CError
from p4c.pipeline import RunOptions, run
from p4c.rank import RankOptions, group_columns, rank
from tests import shared
from tests.rank_data import make_config, partners_frame, random_services, service, services_frame

ROOT = Path(__file__).resolve().parents[2]


def test_group_columns_are_the_sums_of_their_criteria() -> None:
    config = make_config()
    assert group_columns(config) == {
        "group_cis": ["relevance", "pertinence"],
        "group_enterprises": ["impact", "cost_per_sme", "innovation"],
        "group_das": ["transferability", "sustainability", "synergy"],
    }
    for method in ("wsm", "topsis", "wpm"):
        table = rank(
            random_services(40, 3, missing=0.1), partners_frame(), config, RankOptions(method=method)
        ).table
        for name, members in group_columns(config).items():
            assert table[name].tolist() == table[members].fillna(0.0).sum(axis=1).tolist()
        total = table[list(group_columns(config))].sum(axis=1)
        assert (total - table["score"]).abs().max() < 1e-12  # every criterion has a group


def test_one_service_by_hand() -> None:
    """relevance 5 and impact 3 (the only weighted criteria, groups a and b): a = .5, b = .25."""
    criteria = [
        {
            "id": "relevance",
            "label": {"en": "R"},
            "weight": 1,
            "direction": "benefit",
            "source": "score",
            "group": "a",
        },
        {
            "id": "impact",
            "label": {"en": "I"},
            "weight": 1,
            "direction": "benefit",
            "source": "score",
            "group": "b",
        },
        {
            "id": "transferability",
            "label": {"en": "T"},
            "weight": 0,
            "direction": "benefit",
            "source": "score",
        },
    ]
    config = make_config(criteria)
    one = services_frame([service("BE", "S-01", relevance=5, impact=3, transferability=4)])
    table = rank(one, partners_frame(), config).table
    assert table[["group_a", "group_b"]].values.tolist() == [[0.5, 0.25]]
    assert "group_transferability" not in table.columns


def test_a_group_named_like_a_column_is_refused() -> None:
    data = make_config().model_dump(mode="json")
    data["criteria"][0]["group"] = "rank"
    with pytest.raises(P4CError) as info:
        group_columns(type(make_config()).model_validate(data))
    assert info.value.message == (
        "criteria: group `rank` gives the ranking column group_rank, which it already has; rename the group"
    )


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """`p4c run` on the shipped sample data with the shipped config (source: peer)."""
    return shared.sample_run(tmp_path_factory)


def test_the_sample_run_ranks_on_peer_scores(sample_run: Project) -> None:
    ranking = pd.read_csv(sample_run.processed_dir / "ranking.csv", encoding="utf-8-sig")
    assert len(ranking) == 137
    assert set(ranking["raters"]) == {6}  # every other partner scored every service
    assert not ranking["flagged"].any()
    assert {"group_cis", "group_enterprises", "group_das"} <= set(ranking.columns)
    assert (sample_run.processed_dir / "scoring.xlsx").is_file()


def test_the_sample_scores_have_a_self_bias_and_the_weights_differ(sample_run: Project) -> None:
    from p4c.store import load_processed

    config = sample_run.load_config()
    outcome = load_processed(sample_run.processed_dir, config).scoring
    assert outcome is not None
    mean_gap = outcome.gap.groupby("partner")["gap"].mean()
    assert list(mean_gap.index) == ["BE", "DE", "EE", "FR", "GR", "MT", "SI"]
    assert mean_gap.between(0.3, 0.7).all(), mean_gap  # own services about +0.5
    strict = outcome.heatmap[~outcome.heatmap["own"]].groupby("rater")["mean"].mean()
    assert strict["FR"] - strict["DE"] > 0.5  # FR is lenient, DE strict
    weights = outcome.partner_weights.round(6)
    assert len(weights.drop_duplicates()) == 7


def report_text(project: Project) -> str:
    html = (project.processed_dir / "report.html").read_text(encoding="utf-8")
    start = html.index('<section id="scoring">')
    section = html[start : html.index("</section>", start)]
    section = re.sub(r"<svg.*?</svg>", "[chart]", section, flags=re.DOTALL)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", section)).split())  # as a reader sees it


def test_the_report_says_how_the_partners_scored(sample_run: Project) -> None:
    text = report_text(sample_run)
    assert text.startswith(
        "How the partners scored The ranking rests on the peer scores (scoring.source: peer): each service "
        "as the other partners scored it. Who scored whom how high"
    )
    for heading in (
        "Self-scores against peer scores",
        "Agreement per criterion",
        "Disputed services",
        "Each partner's weights beside the consensus",
        "How far each partner's weights reorder the ranking",
    ):
        assert heading in text
    assert "rests on self-scores" not in text
    html = (sample_run.processed_dir / "report.html").read_text(encoding="utf-8")
    assert "The same scores by criteria group" in html


def test_with_source_self_the_report_says_so(sample_run: Project, tmp_path: Path) -> None:
    from p4c import report

    copy = Project(tmp_path / "proj")
    shutil.copytree(sample_run.root, copy.root)
    text = copy.config_path.read_text(encoding="utf-8").replace("  source: peer ", "  source: self ")
    copy.config_path.write_text(text, encoding="utf-8")
    config = parse_config(text)
    with pytest.raises(P4CError, match="made with another config"):  # the ranking is the peer one
        report.report(copy.processed_dir, tmp_path, config, text, report.ReportOptions())
    import datetime as dt

    assert run(copy, config, RunOptions(as_of=dt.date(2026, 2, 1), samples=0)).ok
    html = (copy.processed_dir / "report.html").read_text(encoding="utf-8")
    start = html.index('<section id="scoring">')
    plain = " ".join(re.sub(r"<[^>]+>", " ", html[start : html.index("</section>", start)]).split())
    assert (
        "The ranking rests on self-scores: each partner scored its own services, and self-scores run high."
        in plain
    )
