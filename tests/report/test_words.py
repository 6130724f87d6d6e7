"""The report's word table, and report.html / report.xlsx written in English, French and German."""

from __future__ import annotations

import html
import re
import string
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from p4c.cli import app
from p4c.evaluation.evaluate import localized_reasons as evaluation_reasons
from p4c.headers import column_label, sheet_label
from p4c.models import LANGUAGES, Language
from p4c.report import Report, ReportOptions, build_report, render_html, write_report
from p4c.report.format import localize, pct
from p4c.report.words import Phrase, Words, counted_table, phrase, table, texts
from p4c.shortlist import localized_reasons as shortlist_reasons
from p4c.words import is_singular
from tests.plan.textcheck import html_text
from tests.report.data import AS_OF, Fixture, make_processed
from tests.shared import sample_run

NBSP, NNBSP = "\u00a0", "\u202f"

# --- the table ---------------------------------------------------------------------------------


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_language_has_the_same_keys_and_placeholders() -> None:
    assert set(texts("en")) == set(texts("fr")) == set(texts("de")) == set(table())
    assert not set(table()) & set(counted_table())
    for key, values in table().items():
        assert len(values) == len(LANGUAGES), key
        assert all(v.strip() for v in values), key
        assert _fields(values[1]) == _fields(values[0]) == _fields(values[2]), key
    for key, forms in counted_table().items():
        assert len(forms) == len(LANGUAGES), key
        for one, many in forms:
            assert "n" in _fields(one) and _fields(one) == _fields(many) == _fields(forms[0][0]), key


def test_plural_forms_follow_each_language() -> None:
    assert [is_singular(n, "en") for n in (0, 1, 2)] == [False, True, False]
    assert [is_singular(n, "fr") for n in (0, 1, 2)] == [True, True, False]
    assert [Words(lang).count(0, "n_services") for lang in LANGUAGES] == [
        "0 services",
        "0 service",
        "0 Dienstleistungen",
    ]
    assert Words("de").count(1, "n_categories") == "1 Kategorie"
    assert Words("fr").count(1234, "n_tests") == f"1{NNBSP}234 tests terrain"


def test_numbers_are_written_as_each_language_writes_them() -> None:
    assert [Words(lang).num(1234.5, "{:,.2f}") for lang in LANGUAGES] == [
        "1,234.50",
        f"1{NNBSP}234,50",
        "1.234,50",
    ]
    assert [pct(0.456, lang=lang) for lang in LANGUAGES] == ["46%", f"46{NBSP}%", f"46{NBSP}%"]
    assert localize("0.750", "de") == "0,750"
    assert Words("fr").num(float("nan")) == "–"


def test_a_phrase_reads_as_english_and_renders_in_any_language() -> None:
    note = phrase("ws_same", origin=phrase("ws_config"))
    assert isinstance(note, Phrase) and note == "the configured weights (the ranking used the same)"
    assert Words("de").render(note) == "die konfigurierten Gewichte (die Rangliste verwendete dieselben)"
    assert Words("fr").render("as written") == "as written"


def test_an_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="'xx' is not one of en, fr, de"):
        Words("xx")  # type: ignore[arg-type]


# --- the report in each language ------------------------------------------------------------------


@pytest.fixture(scope="module")
def fixture(tmp_path_factory: pytest.TempPathFactory) -> Fixture:
    return make_processed(tmp_path_factory.mktemp("processed"))


@pytest.fixture(scope="module")
def pages(fixture: Fixture) -> dict[str, tuple[Report, str]]:
    out = {}
    for lang in LANGUAGES:
        rep = build_report(fixture.folder, fixture.config, fixture.config_text, ReportOptions(AS_OF, lang))
        out[lang] = (rep, render_html(rep))
    return out


HEADINGS = {
    "en": [
        "1. Overview",
        "2. Ranking",
        "3. Robustness",
        "How the partners scored",
        "4. Good practices",
        "5. Transferability",
        "6. Field-test plan",
        "7. Partner plans",
        "8. Method annex",
    ],
    "fr": [
        "1. Vue d'ensemble",
        "2. Classement",
        "3. Robustesse",
        "Comment les partenaires ont noté",
        "4. Bonnes pratiques",
        "5. Transférabilité",
        "6. Plan des tests terrain",
        "7. Plans des partenaires",
        "8. Annexe méthodologique",
    ],
    "de": [
        "1. Überblick",
        "2. Rangliste",
        "3. Robustheit",
        "Wie die Partner bewertet haben",
        "4. Gute Praktiken",
        "5. Übertragbarkeit",
        "6. Feldtestplan",
        "7. Pläne der Partner",
        "8. Methodischer Anhang",
    ],
}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_headings_and_page_language(pages: dict[str, tuple[Report, str]], lang: str) -> None:
    page = pages[lang][1]
    assert f'<html lang="{lang}">' in page
    assert [html.unescape(h) for h in re.findall(r"<h2[^>]*>(.*?)</h2>", page)] == HEADINGS[lang]


def test_translated_sentences_and_numbers(pages: dict[str, tuple[Report, str]]) -> None:
    fr, de = html_text(pages["fr"][1]), html_text(pages["de"][1])
    assert "Origine de ces poids : les poids de la configuration (le classement a utilisé les mêmes)." in fr
    assert "Herkunft dieser Gewichte: die konfigurierten Gewichte (die Rangliste verwendete dieselben)." in de
    assert "7 partenaires · 70 services · données au 2025-06-30 · p4c" in fr
    assert "7 Partner · 70 Dienstleistungen · Stand 2025-06-30 · p4c" in de
    assert f"dans au moins 90{NBSP}% des tirages de poids" in fr
    assert "Part des tirages dans le top 15" in fr  # the column once headed "p top"
    # the annex's weights: the same numbers, with a decimal comma
    en_weights = re.findall(r'<td class="num">(0\.\d{3})</td>', pages["en"][1])
    de_weights = re.findall(r'<td class="num">(0,\d{3})</td>', pages["de"][1])
    assert en_weights and de_weights == [w.replace(".", ",") for w in en_weights]
    # chart text too: the axis title and the ticks of a score axis
    assert "note = somme des poids × valeur normalisée" in pages["fr"][1]
    assert ">0,2<" in pages["fr"][1] and ">0.2<" not in pages["fr"][1]


def _english_fragments(lang: str) -> set[str]:
    """The fixed parts (between placeholders) of every English text of two words or more that
    the language does not also use."""
    i = LANGUAGES.index(lang)
    theirs = " ".join(v[i] for v in table().values()) + " ".join(
        " ".join(forms[i]) for forms in counted_table().values()
    )
    english = [v[0] for v in table().values()] + [t for forms in counted_table().values() for t in forms[0]]
    pieces = {p.strip(" .,;:()") for text in english for p in re.split(r"\{[^}]*\}", text)}
    return {p for p in pieces if len(p.split()) >= 2 and p not in theirs}


def _data_text(fx: Fixture, rep: Report) -> str:
    """Everything in the page that partners or the config wrote, in any language."""
    parts = [str(v) for c in ("title", "description", "evidence") for v in rep.services[c].dropna()]
    parts += [str(v) for c in ("organisation", "region") for v in rep.partners[c]]
    if rep.rejected is not None:
        parts += [str(v) for v in rep.rejected["message"]]
    for c in fx.config.criteria:
        parts += [c.text(lang) for lang in LANGUAGES] + [c.description_text(lang) for lang in LANGUAGES]
    parts += [c.text(lang) for c in fx.config.categories for lang in LANGUAGES]
    return "\n".join(parts)


def _found(fragments: set[str], visible: str, data: str) -> list[str]:
    return sorted(
        f for f in fragments if re.search(r"(?<!\w)" + re.escape(f) + r"(?!\w)", visible) and f not in data
    )


@pytest.mark.parametrize("lang", ["fr", "de"])
def test_no_english_fixed_text_in_french_or_german(
    fixture: Fixture, pages: dict[str, tuple[Report, str]], lang: str
) -> None:
    rep, page = pages[lang]
    assert _found(_english_fragments(lang), html_text(page), _data_text(fixture, rep)) == []


def test_the_leak_check_finds_english_when_there_is_some(
    fixture: Fixture, pages: dict[str, tuple[Report, str]]
) -> None:
    rep, page = pages["en"]
    found = set(_found(_english_fragments("fr"), html_text(page), _data_text(fixture, rep)))
    assert {"Services per partner and category", "Offers to the partnership", "Method annex"} <= found


def test_the_workbook_follows_the_language(
    tmp_path: Path, fixture: Fixture, pages: dict[str, tuple[Report, str]]
) -> None:
    write_report(pages["de"][0], tmp_path)
    book = load_workbook(tmp_path / "report.xlsx")
    assert book.sheetnames == [
        "Rangliste",
        "Top 20",
        "Kandidaten",
        "Auswahl",
        "Feldtests",
        "Partner",
        "Stabilität der Gewichte",
        "Spalten",
    ]
    headers = [c.value for c in book["Top 20"][1]]
    assert headers == ["Leistung", *(c.text("de") for c in fixture.config.criteria), "Punktzahl"]
    assert [c.value for c in book["Rangliste"][1]][:6] == [
        "Rang",
        "Partner",
        "Kennung",
        "Titel",
        "Kategorie",
        "Kategorie (Bezeichnung)",
    ]
    labels = {c.code: c.text("de") for c in fixture.config.categories}
    assert book["Rangliste"]["F2"].value == labels[book["Rangliste"]["E2"].value]


# --- wording: no file names or internal words in the body, partners without a name -----------------


def _body(page: str) -> str:
    """The page before the method annex, without the inline CSS."""
    body = page[: page.index('<section id="annex">')]
    return re.sub(r"<style>.*?</style>", "", body, flags=re.DOTALL)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_internal_wording_outside_the_annex(pages: dict[str, tuple[Report, str]], lang: str) -> None:
    body = _body(pages[lang][1])
    for word in (".csv", ".parquet", "p top", "p_top"):
        assert word not in body, word
    annex = pages[lang][1][pages[lang][1].index('<section id="annex">') :]
    assert "ranking.csv" in annex  # file names and hashes belong there


def test_missing_optional_inputs_name_no_files(tmp_path: Path) -> None:
    fx = make_processed(
        tmp_path, monte_carlo=False, stability=False, rejected=False, submissions=False, needs=False
    )
    page = render_html(build_report(fx.folder, fx.config, fx.config_text, ReportOptions(AS_OF, "fr")))
    body = _body(page)
    assert ".csv" not in body and ".parquet" not in body
    assert "Pas encore d'intervalles de stabilité des poids." in html_text(body)


def test_a_partner_without_organisation_gets_a_clean_heading(tmp_path: Path) -> None:
    fx = make_processed(tmp_path, monte_carlo=False)
    partners = pd.read_parquet(tmp_path / "partners.parquet")
    nameless = partners["partner"].isin(["MT", "GR"])
    partners.loc[nameless, ["organisation", "region"]] = ""
    partners.to_parquet(tmp_path / "partners.parquet")
    for lang, country in (("en", "Malta"), ("fr", "Malte"), ("de", "Malta")):
        rep = build_report(tmp_path, fx.config, fx.config_text, ReportOptions(AS_OF, lang))  # type: ignore[arg-type]
        page = render_html(rep)
        start = page.index('id="partner-MT"')
        block = page[start : page.index("</div>", page.index('<div class="sub">', start)) + 6]
        heading = re.search(r"<h3[^>]*>(.*?)</h3>", block, flags=re.DOTALL)
        assert heading is not None
        assert heading.group(1) == f'<span class="pcode">MT</span> {country}'
        sub = html.unescape(re.search(r'<div class="sub">(.*?)</div>', block, flags=re.DOTALL).group(1))  # type: ignore[union-attr]
        facts = sub.split(" · ")
        assert all(f.strip() for f in facts), sub  # no empty part, no dangling separator
        assert not sub.startswith(("·", " ")) and "–" not in sub
        words = Words(lang)  # type: ignore[arg-type]
        assert facts[0] == words.count(5, "n_cis")  # no region: the line starts with the CIs
    # the last page rendered: de
    assert '<h3 id="partner-GR-title"><span class="pcode">GR</span> Griechenland</h3>' in page


# --- the reasons the stages wrote in English, in the report's language ------------------------------


@pytest.fixture(scope="module")
def sample_reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """`p4c run` on the sample data (in English), then `p4c report --lang fr` and `--lang de`."""
    project = sample_run(tmp_path_factory)
    out = {}
    for lang in ("fr", "de"):
        out[lang] = project.root / f"report_{lang}"
        args = ["--project", str(project.root), "report", "--as-of", "2026-02-01", "--lang", lang]
        result = CliRunner().invoke(app, [*args, "-o", str(out[lang])])
        assert result.exit_code == 0, result.output
    out["csv"] = project.processed_dir
    return out


def _sheet_column(path: Path, sheet: str, header: str) -> list[object]:
    rows = list(load_workbook(path, read_only=True)[sheet].iter_rows(values_only=True))
    column = list(rows[0]).index(header)
    return [row[column] for row in rows[1:]]


def _verdict_reasons(page: str) -> list[str]:
    """The reasons cells (the last of each row) of the field-test verdicts table."""
    start = page.index('id="fw-verdicts-title"')
    table = page[start : page.index("</table>", start)]
    rows = re.findall(r"<tr><td>.*?</tr>", table, flags=re.DOTALL)
    return [html.unescape(re.findall(r"<td>(.*?)</td>", row, flags=re.DOTALL)[-1]) for row in rows]


SAMPLE_REASONS = {
    "fr": {
        "full": "bonne pratique, non retenue : sélection complète (taille 15, chaque place prise par une "
        "pratique mieux classée)",
        "first": "retenue : bonne pratique, rang 1, apporte la catégorie FIN",
        "transferable": "TRANSFERABLE : toutes les conditions sont remplies ; conditions remplies : ",
        "english": ("good practice", "shortlisted", "held:", "failed:", "success rate", "every condition"),
    },
    "de": {
        "full": "gute Praxis, nicht ausgewählt: Auswahl voll (Größe 15, jeder Platz von einer besser "
        "platzierten Praxis belegt)",
        "first": "ausgewählt: gute Praxis, Rang 1, bringt die Kategorie FIN hinzu",
        "transferable": "TRANSFERABLE: alle Bedingungen erfüllt; erfüllt: ",
        "english": ("good practice", "shortlisted", "held:", "failed:", "success rate", "every condition"),
    },
}


@pytest.mark.parametrize("lang", ["fr", "de"])
def test_the_stages_reasons_are_in_the_report_language(
    sample_reports: dict[str, Path], lang: Language
) -> None:
    expected = SAMPLE_REASONS[lang]
    english = pd.read_csv(sample_reports["csv"] / "candidates.csv", encoding="utf-8-sig")["reasons"].tolist()
    shown = _sheet_column(
        sample_reports[lang] / "report.xlsx", sheet_label("Candidates", lang), column_label("reasons", lang)
    )
    assert len(shown) == len(english) == 137
    assert shown == shortlist_reasons(english, lang)  # the stored English, row by row, read back
    assert expected["full"] in shown and expected["first"] in shown
    assert [text for text in shown if any(word in str(text) for word in expected["english"])] == []
    assert all(a != b for a, b in zip(shown, english, strict=True))  # none left in English
    # the field-test verdicts of the HTML report
    verdicts = _verdict_reasons((sample_reports[lang] / "report.html").read_text(encoding="utf-8"))
    assert len(verdicts) >= 5 and any(text.startswith(expected["transferable"]) for text in verdicts)
    assert [text for text in verdicts if any(word in text for word in expected["english"])] == []
    stored = pd.read_csv(sample_reports["csv"] / "evaluation.csv", encoding="utf-8-sig")["reasons"]
    assert set(verdicts) <= set(evaluation_reasons(stored.tolist(), lang))
