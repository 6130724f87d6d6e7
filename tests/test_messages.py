"""Every ingest message exists in en, fr and de, with the same placeholders (p4c.messages)."""

from __future__ import annotations

import ast
import json
import pickle
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from p4c.cli import app
from p4c.config import Project
from p4c.feedback import error_sheet_rows
from p4c.messages import (
    LOCALE_DIR,
    Msg,
    Numeral,
    alternatives,
    catalog,
    commas,
    localized,
    message_of,
    msg,
    number,
    placeholders,
    render,
    reparse,
    semicolons,
    unjoin,
    unjoin_alternatives,
)
from p4c.shortlist import FAIL_STARTS_LATER

SRC = Path(__file__).resolve().parents[1] / "src" / "p4c"


def constants(tree: ast.Module) -> dict[str, str]:
    """The module-level string constants of a module: `NAME = "..."` (implicitly joined literals too)."""
    out: dict[str, str] = {}
    for node in tree.body:
        target = node.targets[0] if isinstance(node, ast.Assign) and len(node.targets) == 1 else None
        if isinstance(node, ast.AnnAssign):
            target = node.target
        value = node.value if isinstance(node, ast.Assign | ast.AnnAssign) else None
        if isinstance(target, ast.Name) and isinstance(value, ast.Constant) and isinstance(value.value, str):
            out[target.id] = value.value
    return out


def templates() -> dict[str, str]:
    """Every `msg("...")` template in the source, with where it is: a literal, or a module-level
    string constant of the same module (`msg(ELIGIBLE_TEXT)`); any other template fails."""
    found: dict[str, str] = {}
    for path in sorted(SRC.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        named = constants(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "msg":
                first = node.args[0]
                where = f"{path.relative_to(SRC)}:{node.lineno}"
                if isinstance(first, ast.Name):
                    assert first.id in named, f"{where}: {first.id} is no module-level string constant"
                    found.setdefault(named[first.id], where)
                    continue
                assert isinstance(first, ast.Constant) and isinstance(first.value, str), where
                found.setdefault(first.value, where)
    return found


def test_the_walk_resolves_module_constants_and_refuses_the_rest() -> None:
    found = templates()
    assert found["not a good practice: {fails}"].startswith("shortlist.py:")
    assert found["{head}; {tail}"].startswith("messages.py:")
    assert found["{lead}; held: {held}; failed: {failed}"].startswith("evaluation/evaluate.py:")
    tree = ast.parse('A = "a {x}"\ndef f(b: str) -> None:\n    B = "local"\n    msg(A)\n    msg(B)\n')
    assert constants(tree) == {"A": "a {x}"}


def test_the_source_has_messages() -> None:
    found = templates()
    assert "row {row} looks like a total line: remove it" in found
    assert len(found) >= 70


@pytest.mark.parametrize("lang", ["fr", "de"])
def test_every_message_is_translated_with_the_same_placeholders(lang: str) -> None:
    translations = catalog(lang)
    problems = []
    for template, where in templates().items():
        text = translations.get(template, "")
        if not text.strip():
            problems.append(f"{where}: no {lang} translation of {template!r}")
        elif placeholders(text) != placeholders(template):
            problems.append(f"{where}: {lang} placeholders {placeholders(text)} != {placeholders(template)}")
    assert problems == []


@pytest.mark.parametrize("lang", ["fr", "de"])
def test_catalog_holds_no_stale_message(lang: str) -> None:
    assert set(catalog(lang)) - set(templates()) == set()
    assert (LOCALE_DIR / lang / "LC_MESSAGES" / "p4c.po").is_file()


def test_every_message_renders_in_three_languages() -> None:
    """Walk each template through en, fr, de with dummy values: each renders, and fr/de differ from en."""
    same = []
    for template in templates():
        message = msg(template, **{name: f"<{name}>" for name in placeholders(template)})
        assert message.render("en") == str(message)
        for lang in ("fr", "de"):
            text = message.render(lang)
            assert all(f"<{name}>" in text for name in placeholders(template)), (lang, template)
            if text == str(message):
                same.append((lang, template))
    # Words that are the same in a language (Type, Status, `{file}: {reason}`, a criterion's id and
    # its value, a list's comma) are the exceptions.
    assert sorted(same) == [
        ("de", "{criterion} {value} < {minimum}"),
        ("de", "{file}: {reason}"),
        ("de", "{head}, {tail}"),
        ("de", "{head}; {tail}"),
        ("de", "{kind}: {message}"),
        ("fr", "Type"),
        ("fr", "pertinence {share} <= {minimum}"),
        ("fr", "{criterion} {value} < {minimum}"),
        ("fr", "{head}, {tail}"),
    ]


def test_msg_reads_as_english_and_keeps_its_template() -> None:
    inner = msg("a number from {low} to {high}", low="1", high="5")
    message = msg("{column} is required: {accepted}", column="impact", accepted=inner)
    assert message == "impact is required: a number from 1 to 5"
    assert isinstance(message, str) and isinstance(message, Msg)
    assert message.template == "{column} is required: {accepted}"
    assert message.render("fr") == "impact est obligatoire : un nombre de 1 à 5"
    assert message.render("de") == "impact ist ein Pflichtfeld: eine Zahl von 1 bis 5"
    assert render(message, None) == str(message)
    assert render("plain text", "fr") == "plain text"


def test_message_of_an_exception_keeps_the_msg_and_pickles() -> None:
    message = msg("expected {forms}", forms=msg("a date"))
    kept = message_of(ValueError(message))
    assert isinstance(kept, Msg) and kept.render("de") == "erwartet: ein Datum"
    assert type(str(ValueError(message))) is str
    again = pickle.loads(pickle.dumps(message))
    assert isinstance(again, Msg) and again.render("fr") == "attendu : une date"


def test_unknown_language_or_template_falls_back_to_english() -> None:
    assert msg("not in any catalog {x}", x=1).render("fr") == "not in any catalog 1"
    assert msg("a date").render("it") == "a date"


def test_io_messages_are_all_msg_templates() -> None:
    """Every message io.py raises or notes is a msg() template, so the walk above checks its fr and de."""
    io_templates = [t for t, where in templates().items() if where.startswith("io.py:")]
    assert "{name}: the file is empty" in io_templates and len(io_templates) >= 50
    tree = ast.parse((SRC / "io.py").read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        called = node.func.id if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) else ""
        if called in {"P4CError", "CellError", "Note"} and node.args:
            text = node.args[0] if called == "P4CError" else node.args[-1]
            assert not isinstance(text, ast.JoinedStr | ast.Constant), f"io.py:{node.lineno}"


def test_numbers_are_written_as_each_language_writes_them() -> None:
    message = msg("{rows} rows of {size} MB", rows=number(1_000_050), size=number(12.5, ".1f"))
    assert message == "1,000,050 rows of 12.5 MB"
    assert message.render("fr") == "1\u00a0000\u00a0050 rows of 12,5 MB"
    assert message.render("de") == "1.000.050 rows of 12,5 MB"
    assert str(number(100.0, "g")) == "100" and number(0.5, "g").render("de") == "0,5"
    again = pickle.loads(pickle.dumps(message))
    assert again.render("de") == "1.000.050 rows of 12,5 MB"


OPEN_ERRORS = {  # a workbook that cannot be opened at all: its one error, in each language
    "BE_services.xlsx": {
        "en": "BE_services.xlsx: not a valid .xlsx file (it may be corrupt or renamed)",
        "fr": "BE_services.xlsx : ce n'est pas un fichier .xlsx valide "
        "(il est peut-être endommagé, ou a été renommé)",
        "de": "BE_services.xlsx: keine gültige .xlsx-Datei "
        "(sie ist vielleicht beschädigt oder wurde umbenannt)",
    },
    "DE_services.xlsx": {
        "en": "DE_services.xlsx: the file is empty",
        "fr": "DE_services.xlsx : le fichier est vide",
        "de": "DE_services.xlsx: die Datei ist leer",
    },
}
FEEDBACK_INTRO = {
    "fr": "BE_services.xlsx : p4c n'a pas pu ouvrir ce fichier pour le copier ; ce classeur ne contient "
    "donc que la liste des problèmes ci-dessous. Corrigez votre propre fichier et renvoyez-le.",
    "de": "BE_services.xlsx: p4c konnte diese Datei nicht öffnen, um sie zu kopieren; diese Arbeitsmappe "
    "enthält daher nur die Liste der Probleme unten. Korrigieren Sie Ihre eigene Datei und senden Sie "
    "sie zurück.",
}


def _unopenable(folder: Path) -> list[Path]:
    corrupt, empty = folder / "BE_services.xlsx", folder / "DE_services.xlsx"
    corrupt.write_bytes(b"this is no zip archive")
    empty.write_bytes(b"")
    return [corrupt, empty]


@pytest.mark.parametrize("lang", ["fr", "de"])
def test_a_workbook_that_cannot_be_opened_is_told_in_the_chosen_language(
    tmp_path: Path, project: Project, lang: str
) -> None:
    paths = [str(p) for p in _unopenable(tmp_path)]
    base = ["--project", str(project.root), "ingest", *paths, "--lang", lang]
    as_json = CliRunner().invoke(app, [*base, "--json"])
    assert as_json.exit_code == 1, as_json.output
    files = json.loads(as_json.stdout)["files"]
    assert [(f["file"].rsplit("/", 1)[-1], f["written"]) for f in files] == [
        ("BE_services.xlsx", False),
        ("DE_services.xlsx", False),
    ]
    assert [[e["message"] for e in f["errors"]] for f in files] == [
        [OPEN_ERRORS["BE_services.xlsx"][lang]],
        [OPEN_ERRORS["DE_services.xlsx"][lang]],
    ]
    # In the terminal: the same message, and the outcome lines (the coordinator's) in English.
    shown = CliRunner().invoke(app, base)
    assert shown.exit_code == 1 and "Traceback" not in shown.output
    assert OPEN_ERRORS["DE_services.xlsx"][lang] in shown.stderr
    assert OPEN_ERRORS["DE_services.xlsx"]["en"] not in shown.stderr
    assert "✗ DE_services.xlsx: not written - 1 error" in shown.stderr
    # The partner's feedback workbook cannot be a copy: it says so, in the language, and gives the reason.
    feedback = project.processed_dir / "feedback" / "BE_services_feedback.xlsx"
    rows = error_sheet_rows(feedback)
    assert rows[0] == [FEEDBACK_INTRO[lang]]
    assert rows[-1][-1] == OPEN_ERRORS["BE_services.xlsx"][lang]
    assert len(openpyxl.load_workbook(feedback).sheetnames) == 1


def test_a_workbook_that_cannot_be_opened_is_told_in_english_by_default(
    tmp_path: Path, project: Project
) -> None:
    paths = [str(p) for p in _unopenable(tmp_path)]
    result = CliRunner().invoke(app, ["--project", str(project.root), "ingest", *paths, "--json"])
    files = json.loads(result.stdout)["files"]
    assert [f["errors"][0]["message"] for f in files] == [
        OPEN_ERRORS["BE_services.xlsx"]["en"],
        OPEN_ERRORS["DE_services.xlsx"]["en"],
    ]
    rows = error_sheet_rows(project.processed_dir / "feedback" / "DE_services_feedback.xlsx")
    assert rows[0] == [
        "DE_services.xlsx: p4c could not open this file to copy it, so this workbook holds only the list of "
        "problems below. Correct your own file and send it back."
    ]


# --- reading a stored message back --------------------------------------------------------------------


def test_reparse_finds_the_template_and_writes_its_numbers_as_the_language_does() -> None:
    found = reparse("score 0.55 < 0.6", ["{criterion} missing", "score {score} < {minimum}"])
    assert found is not None and found.template == "score {score} < {minimum}"
    assert found.params == {"score": "0.55", "minimum": "0.6"}
    assert isinstance(found.params["score"], Numeral)
    assert [found.render(lang) for lang in ("en", "fr", "de")] == [
        "score 0.55 < 0.6",
        "note 0,55 < 0,6",
        "Punktzahl 0,55 < 0,6",
    ]
    # dates, codes and words stay as they are: only a plain decimal number is a Numeral
    starts = reparse("starts 2026-01-01, after the reference date 2025-06-30", [FAIL_STARTS_LATER])
    assert starts is not None and not any(isinstance(v, Numeral) for v in starts.params.values())
    assert starts.render("fr") == "débute le 2026-01-01, après la date de référence 2025-06-30"


def test_reparse_needs_a_whole_match_and_the_same_value_where_a_placeholder_repeats() -> None:
    template = (
        "{partner}'s remaining places (cap {cap}) are needed for categories only {partner} can still "
        "bring, to reach {target} categories"
    )
    same = (
        "BE's remaining places (cap 2) are needed for categories only BE can still bring, to reach 3 "
        "categories"
    )
    assert reparse(same, [template]) == same
    assert reparse(same.replace("only BE", "only DE"), [template]) is None
    assert reparse("score 0.5 < 0.6 and more", ["score {score} < {minimum} and"]) is None
    assert reparse("anything", []) is None


def test_reparse_parts_parse_their_params_or_the_template_does_not_match() -> None:
    def parse_word(text: str) -> object:
        return msg("a date") if text == "a date" else None

    found = reparse("expected a date", ["expected {forms}"], {"forms": parse_word})
    assert found is not None and found.render("de") == "erwartet: ein Datum"
    assert reparse("expected a number", ["expected {forms}"], {"forms": parse_word}) is None


def test_lists_are_joined_in_the_language() -> None:
    assert semicolons(["a"]) == "a" and commas(["a"]) == "a" and alternatives(["a"]) == "a"
    three = alternatives(["ONGOING", "COMPLETED", "PILOT"])
    assert isinstance(three, Msg) and three == "ONGOING, COMPLETED or PILOT"
    assert three.render("fr") == "ONGOING, COMPLETED ou PILOT"
    assert three.render("de") == "ONGOING, COMPLETED oder PILOT"
    listed = semicolons(["a", "b", "c"])
    assert isinstance(listed, Msg) and listed == "a; b; c" and listed.render("fr") == "a ; b ; c"


def test_unjoin_cuts_into_the_most_items_that_parse() -> None:
    def fail(text: str) -> Msg | None:
        return reparse(text, ["{criterion} {value} < {minimum}", "provider {provider} is excluded"])

    # as one item, "a 1 < 2; b" would be a criterion: the finer cut wins
    items = unjoin("a 1 < 2; b 3 < 4", "; ", fail)
    assert items is not None and [i.params["criterion"] for i in items] == ["a", "b"]
    # a separator inside an item that no finer cut parses
    items = unjoin("provider A; B is excluded; c 1 < 2", "; ", fail)
    assert items == ["provider A; B is excluded", "c 1 < 2"]
    assert unjoin("nothing; at all", "; ", fail) is None
    assert unjoin_alternatives("A, B or C", lambda t: t or None) == ["A", "B", "C"]
    assert unjoin_alternatives("A", lambda t: t or None) == ["A"]
    assert unjoin_alternatives("A or ", lambda t: t or None) is None


def test_localized_renders_messages_reads_text_back_and_leaves_the_rest() -> None:
    def parse(text: str) -> Msg | None:
        return reparse(text, ["score {score} < {minimum}"])

    message = msg("score {score} < {minimum}", score=Numeral("0.5"), minimum=Numeral("0.6"))
    texts: list[object] = [message, "score 0.5 < 0.6", "edited by hand", None, 1.5]
    assert localized(texts, "fr", parse) == ["note 0,5 < 0,6", "note 0,5 < 0,6", "edited by hand", None, 1.5]
    english = localized(texts, "en", parse)
    assert english == ["score 0.5 < 0.6", "score 0.5 < 0.6", "edited by hand", None, 1.5]
    assert english[1] is texts[1]
