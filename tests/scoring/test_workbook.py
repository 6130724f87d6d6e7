"""Scoring workbooks through `p4c ingest` (spec: scoring.md): stored rows, replacement, every bad input."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from p4c import store
from p4c.config import Config, Project
from p4c.ingest import ingest
from tests.books import service_row, workbook, write

HEADER = ["partner", "service_id", "title", "relevance", "impact", "Transférabilité", "comment"]


@pytest.fixture
def partnership(tmp_path: Path, project: Project, config: Config) -> Project:
    """BE (S-01, S-02) and FR (S-01) are ingested."""
    books = [
        write(tmp_path / "BE.xlsx", workbook([service_row(1), service_row(2)])),
        write(tmp_path / "FR.xlsx", workbook([service_row(1)], code="FR")),
    ]
    assert ingest(books, project, config).ok
    return project


def scoring(
    rater: str = "FR", rows: list[list[Any]] | None = None, weights: list[list[Any]] | None = None
) -> dict[str, list[list[Any]]]:
    sheets = {
        "Rater": [["rater_code", rater]],
        "Scores": [
            HEADER,
            *(
                rows
                if rows is not None
                else [
                    ["BE", "S-01", "Matchmaking", 4, 3.5, "4/5", "useful"],
                    ["BE", "S-02", "Training", 2, None, None, None],
                    ["FR", "S-01", "Own service", 5, 5, 5, None],
                ]
            ),
        ],
    }
    if weights is not None:
        sheets["Weights"] = [["criterion", "points"], *weights]
    return sheets


def scores(project: Project) -> list[tuple[Any, ...]]:
    frame = store.read_table(project.processed_dir, "scores")
    assert frame is not None
    return sorted(
        frame[["rater", "partner", "service_id", "criterion", "score"]].itertuples(index=False, name=None)
    )


def errors(report: Any) -> list[tuple[str | None, str]]:
    return [(i.cell, i.message) for i in report.files[0].errors]


def test_a_scoring_workbook_is_stored_in_long_form(
    tmp_path: Path, partnership: Project, config: Config
) -> None:
    path = write(tmp_path / "FR_scoring.xlsx", scoring(weights=[["relevance", 40], ["Wirkung", 60]]))
    report = ingest([path], partnership, config)
    assert report.ok, errors(report)
    assert (report.files[0].kind, report.files[0].partner, report.files[0].accepted) == ("scoring", "FR", 3)
    assert scores(partnership) == [
        ("FR", "BE", "S-01", "impact", 3.5),
        ("FR", "BE", "S-01", "relevance", 4.0),
        ("FR", "BE", "S-01", "transferability", 4.0),
        ("FR", "BE", "S-02", "relevance", 2.0),
        ("FR", "FR", "S-01", "impact", 5.0),
        ("FR", "FR", "S-01", "relevance", 5.0),
        ("FR", "FR", "S-01", "transferability", 5.0),
    ]
    weights = store.read_table(partnership.processed_dir, "weights")
    assert weights is not None
    assert weights.values.tolist() == [["FR", "relevance", 40.0], ["FR", "impact", 60.0]]


def test_a_new_scoring_workbook_replaces_the_raters_scores_only(
    tmp_path: Path, partnership: Project, config: Config
) -> None:
    assert ingest([write(tmp_path / "a" / "FR_scoring.xlsx", scoring())], partnership, config).ok
    again = scoring(rows=[["BE", "S-01", "Matchmaking", 1, None, None, None]])
    assert ingest([write(tmp_path / "b" / "FR_scoring.xlsx", again)], partnership, config).ok
    assert scores(partnership) == [("FR", "BE", "S-01", "relevance", 1.0)]
    history = store.read_table(partnership.processed_dir, "scores", history=True)
    assert history is not None and len(history) == 7
    assert store.owners(partnership.processed_dir, store.SERVICES) == ["BE", "FR"]  # FR's services stay


@pytest.mark.parametrize(
    ("rows", "weights", "expected"),
    [
        (
            [["BE", "S-09", "x", 3, 3, 3, None]],
            None,
            [
                (
                    "Scores!B2",
                    "BE S-09 is not among the ingested services; was the partner's workbook resubmitted?",
                )
            ],
        ),
        (
            [["BE", "S-01", "x", 3, 3, 3, None], ["BE", "S-01", "x", 4, 4, 4, None]],
            None,
            [("Scores!B3", "BE S-01 is scored twice (first in row 2); keep one row")],
        ),
        (
            [["BE", "S-01", "x", 6, 3, 3, None]],
            None,
            [
                (
                    "Scores!D2",
                    "score 6 is outside 1-5; expected a number from 1 to 5 in steps of 0.5 (e.g. 3.5), "
                    "or N/5 such as 4/5",
                )
            ],
        ),
        (
            None,
            [["relevanse", 10], ["impact", -1]],
            [
                ("Weights!A2", "unknown criterion (did you mean relevance?)"),
                ("Weights!B3", "points must be >= 0"),
            ],
        ),
        (
            None,
            [["relevance", 0], ["impact", 0]],
            [
                (
                    "Weights!B2",
                    "every weight is 0: give at least one criterion some points (any positive numbers; "
                    "they are rescaled to sum to 1)",
                )
            ],
        ),
    ],
)
def test_bad_rows_are_errors_at_their_cells_and_nothing_is_written(
    *,
    tmp_path: Path,
    partnership: Project,
    config: Config,
    rows: list[list[Any]] | None,
    weights: list[list[Any]] | None,
    expected: list[tuple[str, str]],
) -> None:
    report = ingest(
        [write(tmp_path / "FR_scoring.xlsx", scoring(rows=rows, weights=weights))], partnership, config
    )
    assert errors(report) == expected
    assert store.read_table(partnership.processed_dir, "scores") is None


def test_a_rater_that_is_not_a_partner_is_an_error(
    tmp_path: Path, partnership: Project, config: Config
) -> None:
    report = ingest([write(tmp_path / "scores.xlsx", scoring(rater="MT"))], partnership, config)
    assert errors(report) == [("Rater!B1", "rater MT is not a partner of the partnership; partners: BE, FR")]


def test_a_csv_needs_a_rater_column(tmp_path: Path, partnership: Project, config: Config) -> None:
    good = [["rater", "partner", "service_id", "relevance"], ["FR", "BE", "S-01", 4]]
    assert ingest([write(tmp_path / "scores.csv", {"Scores": good})], partnership, config).ok
    assert scores(partnership) == [("FR", "BE", "S-01", "relevance", 4.0)]
    no_rater = [["partner", "service_id", "relevance", "impact"], ["BE", "S-01", 4, 4]]
    report = ingest([write(tmp_path / "other.csv", {"Scores": no_rater})], partnership, config)
    assert not report.ok


def test_a_scoring_workbook_before_any_partner_workbook(
    tmp_path: Path, project: Project, config: Config
) -> None:
    report = ingest([write(tmp_path / "FR_scoring.xlsx", scoring())], project, config)
    assert errors(report) == [
        (
            None,
            "no partner workbook is ingested yet: a scoring workbook scores the ingested services; "
            "ingest the partners' workbooks first",
        )
    ]


def test_the_store_is_read_while_the_workbook_is_parsed(
    tmp_path: Path, partnership: Project, config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A scoring workbook's services are read from the store in the reading thread, while calamine
    parses (its sheet names tell its kind); a partner workbook's are not read at all."""
    import threading

    from p4c.kinds import Context

    threads: list[str] = []
    real = Context.warm

    def spy(self: Context) -> None:
        threads.append(threading.current_thread().name)
        real(self)

    monkeypatch.setattr(Context, "warm", spy)
    report = ingest([write(tmp_path / "FR_scoring.xlsx", scoring())], partnership, config)
    assert report.ok and report.files[0].accepted == 3
    assert threads == ["p4c-read"]
    again = write(tmp_path / "v2" / "BE.xlsx", workbook([service_row(1), service_row(2)]))
    assert ingest([again], partnership, config).ok
    assert threads == ["p4c-read"]


def test_a_damaged_store_stops_a_scoring_workbook_as_before(
    tmp_path: Path, partnership: Project, config: Config
) -> None:
    """Reading the store early changes nothing when it is damaged: validating the workbook stops
    with the store's own error, as it did before, and the file is not called unreadable (an error
    in the reading thread would be taken for the workbook's)."""
    from p4c.errors import P4CError
    from p4c.ingest import validate_file
    from p4c.kinds import Context

    path = write(tmp_path / "FR_scoring.xlsx", scoring())
    database = store.db_path(partnership.processed_dir)
    database.write_bytes(database.read_bytes()[:100])
    for journal in database.parent.glob(database.name + "-*"):
        journal.unlink()
    with pytest.raises(P4CError) as raised:
        validate_file(path, config, None, Context(partnership.processed_dir))
    assert raised.value.message.startswith(f"the store {database} is damaged")


def test_the_ratings_texts_keep_text_and_blanks_and_write_anything_else_as_text() -> None:
    from p4c.scoring.workbook import _texts

    assert _texts(["BE", None, "S-01"]).to_pylist() == ["BE", None, "S-01"]
    assert _texts(["BE", 7, None, 2.5]).to_pylist() == ["BE", "7", None, "2.5"]
