"""Peer scoring end to end: the scoring template, ingest, rank (--json, --weights-of, scoring.xlsx),
status (stale scores), the report section and the config's scoring section."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from p4c import store
from p4c.cli import app
from p4c.config import Config, Project, default_config_text, parse_config
from p4c.errors import P4CError
from p4c.ingest import ingest
from tests.books import service_row, workbook, write

SCORED = ["relevance", "impact", "transferability", "sustainability", "innovation", "synergy"]


def cli(project: Project, *args: str) -> Any:
    return CliRunner().invoke(app, ["--project", str(project.root), *args])


def use_config(project: Project, old: str, new: str) -> Config:
    text = project.config_path.read_text(encoding="utf-8")
    assert old in text
    text = text.replace(old, new)
    project.config_path.write_text(text, encoding="utf-8")
    return parse_config(text)


def partner_books(tmp_path: Path) -> list[Path]:
    """BE (S-01, S-02) and FR (S-01, relevance 3)."""
    return [
        write(tmp_path / "BE.xlsx", workbook([service_row(1), service_row(2)])),
        write(tmp_path / "FR.xlsx", workbook([service_row(1, relevance=3)], code="FR")),
    ]


@pytest.fixture
def partnership(tmp_path: Path, project: Project, config: Config) -> Project:
    assert ingest(partner_books(tmp_path), project, config).ok
    return project


def scoring_book(rater: str, rows: list[list[Any]], weights: list[list[Any]] | None = None) -> dict[str, Any]:
    sheets: dict[str, Any] = {
        "Rater": [["rater_code", rater]],
        "Scores": [["partner", "service_id", "relevance", "impact"], *rows],
    }
    if weights is not None:
        sheets["Weights"] = [["criterion", "points"], *weights]
    return sheets


def three_raters(tmp_path: Path) -> list[Path]:
    """FR scores BE S-01, S-02 and its own S-01; BE scores its own S-01 and FR S-01; both weigh."""
    return [
        write(
            tmp_path / "FR_scoring.xlsx",
            scoring_book(
                "FR",
                [["BE", "S-01", 4, 3], ["BE", "S-02", 2, 2], ["FR", "S-01", 5, 5]],
                [["relevance", 60], ["impact", 40]],
            ),
        ),
        write(
            tmp_path / "BE_scoring.xlsx",
            scoring_book(
                "BE",
                [["BE", "S-01", 5, 5], ["FR", "S-01", 2, 4]],
                [["relevance", 25], ["impact", 75]],
            ),
        ),
    ]


# --- the template ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "names", "headers"),
    [
        (
            "en",
            ["Instructions", "Rater", "Scores", "Weights"],
            ["Own service", "Partner", "Service ID", "Title"],
        ),
        (
            "fr",
            ["Instructions", "Évaluateur", "Notes", "Pondérations"],
            ["Propre", "Partenaire", "Identifiant"],
        ),
        ("de", ["Anleitung", "Bewerter", "Bewertungen", "Gewichtung"], ["Eigene", "Partnerland", "Kennung"]),
    ],
)
def test_the_scoring_template_in_three_languages(
    partnership: Project, tmp_path: Path, lang: str, names: list[str], headers: list[str]
) -> None:
    target = tmp_path / f"BE_{lang}.xlsx"
    result = cli(partnership, "template", "--scoring", "--partner", "BE", "--lang", lang, "-o", str(target))
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(target)
    assert book.sheetnames == ["Lists", *names]
    assert book["Lists"].sheet_state == "hidden"
    scores = book[names[2]]
    header = [c.value for c in scores[1]]
    assert header[: len(headers)] == headers
    mark = {"en": "own", "fr": "propre", "de": "eigene"}[lang]
    assert [(r[0] or "", *r[1:3]) for r in scores.iter_rows(min_row=2, values_only=True)] == [
        (mark, "BE", "S-01"),
        (mark, "BE", "S-02"),
        ("", "FR", "S-01"),
    ]
    assert scores.protection.sheet is True
    first_score = header.index(parse_config(default_config_text()).criterion("relevance").text(lang))
    assert scores.cell(2, 2).protection.locked is True
    assert scores.cell(2, first_score + 1).protection.locked is False
    ranges = {str(v.sqref): v.formula1 for v in scores.data_validations.dataValidation}
    letter = openpyxl.utils.get_column_letter(first_score + 1)
    assert ranges[f"{letter}2:{letter}4"] == "Lists!$D$2:$D$10"
    weights = book[names[3]]
    assert weights.max_row == 9  # a header and the eight criteria
    assert book[names[1]]["B1"].value == "BE"


def test_own_services_are_marked(partnership: Project, tmp_path: Path) -> None:
    target = tmp_path / "FR.xlsx"
    assert cli(partnership, "template", "--scoring", "--partner", "FR", "-o", str(target)).exit_code == 0
    rows = list(openpyxl.load_workbook(target)["Scores"].iter_rows(min_row=2, max_col=3, values_only=True))
    assert [(r[0] or "", r[1], r[2]) for r in rows] == [
        ("", "BE", "S-01"),
        ("", "BE", "S-02"),
        ("own", "FR", "S-01"),
    ]


@pytest.mark.parametrize("lang", ["en", "fr", "de"])
def test_a_filled_in_template_ingests(
    partnership: Project, config: Config, tmp_path: Path, lang: str
) -> None:
    target = tmp_path / f"FR_scoring_{lang}.xlsx"
    assert (
        cli(
            partnership, "template", "--scoring", "--partner", "FR", "--lang", lang, "-o", str(target)
        ).exit_code
        == 0
    )
    book = openpyxl.load_workbook(target)
    scores, weights = book.worksheets[3], book.worksheets[4]
    header = [c.value for c in scores[1]]
    column = header.index(config.criterion("impact").text(lang)) + 1
    scores.cell(2, column, 3.5)
    scores.cell(4, column, 5)
    scores.cell(2, len(header), "solid")
    weights.cell(2, 2, 70)
    weights.cell(3, 2, 30)
    book.save(target)
    report = ingest([target], partnership, config)
    assert report.ok, [(i.cell, i.message) for i in report.files[0].errors]
    stored = store.read_table(partnership.processed_dir, "scores")
    assert stored is not None
    assert stored[["rater", "partner", "service_id", "criterion", "score"]].values.tolist() == [
        ["FR", "BE", "S-01", "impact", 3.5],
        ["FR", "FR", "S-01", "impact", 5.0],
    ]
    assert stored["comment"].iloc[0] == "solid" and stored["comment"].isna().tolist() == [False, True]
    points = store.read_table(partnership.processed_dir, "weights")
    assert points is not None
    assert points.values.tolist() == [["FR", "relevance", 70.0], ["FR", "impact", 30.0]]


def test_the_scoring_template_needs_a_partner_and_services(project: Project, tmp_path: Path) -> None:
    result = cli(project, "template", "--scoring")
    assert result.exit_code == 1
    assert "--scoring needs --partner CODE: a scoring workbook holds one partner's scores" in result.output
    result = cli(project, "template", "--scoring", "--partner", "BE", "-o", str(tmp_path / "x.xlsx"))
    assert result.exit_code == 1
    assert "no services are ingested yet: a scoring workbook lists the ingested services" in result.output


# --- ingest in one call ------------------------------------------------------------------------------


def test_partner_and_scoring_workbooks_ingest_together(
    project: Project, config: Config, tmp_path: Path
) -> None:
    """`p4c ingest data/raw/*` on a new project: the scoring workbooks score the services of the
    partner workbooks of the same call (BE_scoring sorts before BE_services)."""
    books = [*three_raters(tmp_path), *partner_books(tmp_path)]
    report = ingest(books, project, config)
    assert report.ok, [(f.file.name, [i.message for i in f.errors]) for f in report.files]
    assert [(f.file.name, f.kind, f.written) for f in report.files] == [
        ("FR_scoring.xlsx", "scoring", True),
        ("BE_scoring.xlsx", "scoring", True),
        ("BE.xlsx", "partner", True),
        ("FR.xlsx", "partner", True),
    ]
    stored = store.read_table(project.processed_dir, "scores")
    assert stored is not None and len(stored) == 10


def test_a_scoring_workbook_of_a_service_replaced_in_the_same_call_is_refused(
    partnership: Project, config: Config, tmp_path: Path
) -> None:
    new_be = write(tmp_path / "new" / "BE.xlsx", workbook([service_row(1)]))
    books = [new_be, three_raters(tmp_path)[0]]
    report = ingest(books, partnership, config)
    scoring = report.files[1]
    assert not scoring.written
    assert [(i.cell, i.message) for i in scoring.errors] == [
        (
            "Scores!B3",
            "BE S-02 is not among the ingested services; was the partner's workbook resubmitted?",
        )
    ]


# --- rank -------------------------------------------------------------------------------------------


@pytest.fixture
def scored(partnership: Project, tmp_path: Path) -> Project:
    config = use_config(partnership, "  source: self ", "  source: peer ")
    assert ingest(three_raters(tmp_path), partnership, config).ok
    return partnership


def test_rank_uses_the_peer_scores_and_says_how_the_partners_scored(scored: Project) -> None:
    result = cli(scored, "rank", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    rows = {(r["partner"], r["service_id"]): r for r in data["ranking"]}
    # min_raters 2 and only one peer per service: every score criterion is missing
    assert {k: (r["raters"], r["flagged"], r["complete"]) for k, r in rows.items()} == {
        ("BE", "S-01"): (1, True, False),
        ("BE", "S-02"): (1, True, False),
        ("FR", "S-01"): (1, True, False),
    }
    assert rows[("BE", "S-01")]["spread"] is None  # no criterion has an aggregate: NaN
    scoring = data["scoring"]
    assert scoring["source"] == "peer" and scoring["weights_from"] == "config"
    assert [a["criterion"] for a in scoring["agreement"]] == SCORED
    assert scoring["stale"] == []
    assert [w["criterion"] for w in scoring["weights"]][:2] == ["relevance", "impact"]
    assert [(w["BE"], w["FR"]) for w in scoring["weights"][:2]] == [(0.25, 0.6), (0.75, 0.4)]
    assert [t["partner"] for t in scoring["tau"]] == ["BE", "FR"]
    path = scored.processed_dir / "scoring.xlsx"
    assert str(path) in data["outputs"]
    assert openpyxl.load_workbook(path).sheetnames == [
        "Agreement",
        "Self vs peer",
        "Disputed",
        "Raters",
        "Weights",
        "Tau",
        "Stale",
        "Columns",  # the machine id of every header (p4c.io.write_xlsx)
    ]


def test_rank_with_min_raters_one_ranks_on_the_peer_scores(scored: Project) -> None:
    use_config(scored, "  min_raters: 2 ", "  min_raters: 1 ")
    data = json.loads(cli(scored, "rank", "--json").stdout)
    rows = {(r["partner"], r["service_id"]): r for r in data["ranking"]}
    # relevance contribution: 0.2 / 0.65 (the weights of the criteria present: relevance, impact,
    # pertinence, cost_per_sme) x (score - 1) / 4; FR's peer score of BE S-01 is 4, BE's of FR S-01 2
    share = 0.2 / 0.65
    assert rows[("BE", "S-01")]["relevance"] == pytest.approx(share * 3 / 4, abs=1e-12)
    assert rows[("BE", "S-02")]["relevance"] == pytest.approx(share * 1 / 4, abs=1e-12)
    assert rows[("FR", "S-01")]["relevance"] == pytest.approx(share * 1 / 4, abs=1e-12)
    assert [rows[k]["raters"] for k in sorted(rows)] == [1, 1, 1]
    assert [rows[k]["flagged"] for k in sorted(rows)] == [True, True, True]  # four criteria unrated
    gap = {(g["partner"], g["criterion"]): g["gap"] for g in data["scoring"]["self_vs_peer"]}
    assert gap[("BE", "relevance")] == pytest.approx(((4 - 4) + (4 - 2)) / 2, abs=1e-12)
    assert gap[("FR", "relevance")] == pytest.approx(3 - 2, abs=1e-12)


def test_rank_weights_of_one_partner(scored: Project) -> None:
    data = json.loads(cli(scored, "rank", "--json", "--weights-of", "fr").stdout)
    # FR: relevance 60, impact 40 of the 0.4 the two have in the config
    assert data["weights"]["relevance"] == pytest.approx(0.24, abs=1e-12)
    assert data["weights"]["impact"] == pytest.approx(0.16, abs=1e-12)
    assert data["weights"]["pertinence"] == pytest.approx(0.15, abs=1e-12)
    result = cli(scored, "rank", "--weights-of", "DE")
    assert result.exit_code == 1
    assert "--weights-of DE: partner DE sent no Weights sheet" in result.output


def test_weights_from_partners_is_the_consensus(scored: Project) -> None:
    use_config(scored, "  from: config ", "  from: partners ")
    data = json.loads(cli(scored, "rank", "--json").stdout)
    # mean of (.25, .75) and (.6, .4) = (.425, .575), sharing 0.4
    assert data["weights"]["relevance"] == pytest.approx(0.4 * 0.425, abs=1e-12)
    assert data["weights"]["impact"] == pytest.approx(0.4 * 0.575, abs=1e-12)
    override = json.loads(cli(scored, "rank", "--json", "--weight", "impact=0").stdout)
    assert override["weights"]["impact"] == 0.0


def test_stale_scores_are_reported_by_status_and_rank(
    scored: Project, config: Config, tmp_path: Path
) -> None:
    peer = parse_config(scored.config_path.read_text(encoding="utf-8"))
    assert ingest([write(tmp_path / "again" / "BE.xlsx", workbook([service_row(1)]))], scored, peer).ok
    status = json.loads(cli(scored, "status", "--json").stdout)
    assert {p["partner"]: p["stale_scores"] for p in status["partners"]} == {"BE": 2, "FR": 0}
    result = cli(scored, "rank")
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert (
        "stale scores: 2 score(s) of 1 service(s) that no longer exist were left out (e.g. BE S-02, "
        "resubmitted away); the raters (FR) should send their scoring workbooks again" in text
    )
    data = json.loads(cli(scored, "rank", "--json").stdout)
    assert data["scoring"]["stale"] == [{"rater": "FR", "partner": "BE", "service_id": "S-02", "scores": 2}]
    assert len(data["ranking"]) == 2


# --- config -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "  source: self ",
            "  source: peers ",
            "config: scoring.source: Input should be 'self', 'peer' or 'blend' (found 'peers')",
        ),
        (
            "  min_raters: 2 ",
            "  min_raters: 0 ",
            "config: scoring.min_raters: Input should be greater than or equal to 1 (found 0)",
        ),
        (
            "  from: config ",
            "  from: partner ",
            "config: weights.from: Input should be 'config' or 'partners' (found 'partner')",
        ),
    ],
)
def test_a_bad_scoring_value_names_its_key(old: str, new: str, message: str) -> None:
    text = default_config_text()
    assert old in text
    with pytest.raises(P4CError) as info:
        parse_config(text.replace(old, new))
    assert info.value.message == message


def test_the_shipped_configs_differ_only_by_partners_and_source() -> None:
    root = Path(__file__).resolve().parents[2]
    shipped = (root / "config" / "criteria.yaml").read_text(encoding="utf-8")
    default = default_config_text()
    head = shipped[: shipped.index("\npartners:")]
    assert head == default[: default.index("\npartners:")].replace("  source: self ", "  source: peer ")
    groups = {c.id: c.group for c in parse_config(default).criteria}
    assert groups == {
        "relevance": "cis",
        "impact": "enterprises",
        "pertinence": "cis",
        "transferability": "das",
        "cost_per_sme": "enterprises",
        "sustainability": "das",
        "innovation": "enterprises",
        "synergy": "das",
    }


def test_an_untouched_weights_sheet_is_no_weight(
    partnership: Project, config: Config, tmp_path: Path
) -> None:
    """The template lists every criterion: blank points mean "not weighted", never an error."""
    book = scoring_book(
        "FR", [["BE", "S-01", 4, 3]], [["relevance", None], ["impact", 10], ["innovation", None]]
    )
    report = ingest([write(tmp_path / "FR_scoring.xlsx", book)], partnership, config)
    assert report.ok, [(i.cell, i.message) for i in report.files[0].errors]
    points = store.read_table(partnership.processed_dir, "weights")
    assert points is not None and points.values.tolist() == [["FR", "impact", 10.0]]


def test_a_weights_sheet_without_points_is_an_error(
    partnership: Project, config: Config, tmp_path: Path
) -> None:
    book = scoring_book("FR", [["BE", "S-01", 4, 3]])
    book["Weights"] = [["criterion", "note"], ["relevance", "x"]]
    report = ingest([write(tmp_path / "FR_scoring.xlsx", book)], partnership, config)
    assert [(i.cell, i.message) for i in report.files[0].errors] == [
        (
            "Weights!B1",
            "required column points is missing; head a column with one of: points, weight, poids, punkte, "
            "gewicht",
        )
    ]
