"""The generated files: sizes, no external URL, escaping, languages, file names, safe replacement."""

from __future__ import annotations

import base64
import html
import json
import os
import re
import shutil
import unicodedata
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from p4c.catalogue import CatalogueData, build_catalogue
from p4c.catalogue.model import (
    decode_posting,
    email,
    encode_posting,
    file_stems,
    norm_word,
    search_text,
    word_index,
)
from p4c.catalogue.site import MARKER, _umask, js_data
from p4c.catalogue.words import LANGS, keys, word
from p4c.config import Project
from p4c.errors import P4CError
from tests.catalogue.data import HOSTILE, config, fold, make_data
from tests.shared import sample_run


def page_text(out: Path, data: CatalogueData, partner: str, service_id: str) -> str:
    """A service page by its ids (the file name is the id, or its safe stem for odd ids)."""
    ids = [str(s) for s in data.services.loc[data.services["partner"] == partner, "service_id"]]
    stem = dict(zip(ids, file_stems(ids), strict=True))[service_id]
    return (out / "services" / partner / f"{stem}.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def all_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path]]:
    out = tmp_path_factory.mktemp("all") / "site"
    files = build_catalogue(make_data(20, hostile=True), config(), out, lang="all")
    return out, files


def test_every_file_written_is_listed_and_exists(all_site: tuple[Path, list[Path]]) -> None:
    out, files = all_site
    on_disk = sorted(p for p in out.rglob("*") if p.is_file())
    assert files == on_disk
    assert len([f for f in files if f.parent.parent.name == "services"]) == 140 * 3
    assert not list(out.parent.glob(".site.*")), "the temporary folder was left behind"


def test_sizes_at_7_partners_by_20_services(tmp_path: Path, all_site: tuple[Path, list[Path]]) -> None:
    files = build_catalogue(make_data(20), config(), tmp_path / "en", lang="en")
    assert sum(f.stat().st_size for f in files) < 2_000_000
    _out, every = all_site
    assert sum(f.stat().st_size for f in every) < 2_000_000  # even with three languages


def test_no_external_url_in_any_file(tmp_path: Path) -> None:
    """Nothing is loaded from the internet: no http(s) URL anywhere, no protocol-relative link."""
    out = tmp_path / "site"
    files = build_catalogue(make_data(20), config(), out, lang="all")  # data without URLs
    for path in files:
        content = path.read_text(encoding="utf-8")
        assert not re.search(r"https?:", content, re.IGNORECASE), path
        for attr in re.findall(r"""(?:src|href|action)\s*=\s*["']([^"']*)""", content):
            assert (not attr.startswith("//") and ":" not in attr.split("/")[0]) or attr.startswith(
                "mailto:"
            ), (path, attr)
        assert "@import" not in content and "url(" not in content, path


def test_hostile_text_is_escaped_in_pages_and_data(all_site: tuple[Path, list[Path]]) -> None:
    out, files = all_site
    for path in files:
        if path.suffix == ".csv":
            continue  # open data keeps values exactly (test_opendata checks the round trip)
        content = path.read_text(encoding="utf-8")
        for bad in ("<script>alert", "<img src=x", "<iframe", "<b>bold", 'href="javascript', "<!-- x"):
            assert bad not in content, (path, bad)
        if path.suffix == ".html":
            # only our own scripts: the config object and two files
            assert len(re.findall(r"<script\b", content)) in (0, 3), path
    page = next(
        f
        for f in files
        if f.parts[-4:-2] == ("en", "services") and HOSTILE[0] in html.unescape(f.read_text(encoding="utf-8"))
    )
    text = page.read_text(encoding="utf-8")
    assert f"<h1>{html.escape(HOSTILE[0])}</h1>" in text
    rows = (out / "data" / "rows-0.js").read_text(encoding="utf-8")
    assert "\\u003c/script\\u003e\\u003c!-- x --\\u003e" in rows


def test_contact_is_a_mailto_link_only_for_an_e_mail(all_site: tuple[Path, list[Path]]) -> None:
    out, _files = all_site
    de = (out / "en/services/DE/DE-02.html").read_text(encoding="utf-8")
    assert "javascript:alert(1)</dd>" in de and "mailto:" not in de
    ee = (out / "en/services/EE/EE-02.html").read_text(encoding="utf-8")
    assert '<a href="mailto:info@ee.example">info@ee.example</a>' in ee
    assert email("a@b.example") == "a@b.example"
    assert email("mailto:a@b.example") == "a@b.example"
    for bad in ("not an e-mail", "javascript:alert(1)//@x.com", "a@b", "a?x=1@b.example", "", None):
        assert email(bad) is None


def test_languages_have_their_own_texts_and_cross_links(all_site: tuple[Path, list[Path]]) -> None:
    out, _files = all_site
    for lang in LANGS:
        index = (out / lang / "index.html").read_text(encoding="utf-8")
        assert f'<html lang="{lang}">' in index
        for key in ("site_title", "search", "filters", "results", "open_data"):
            assert html.escape(word(lang, key)) in index, (lang, key)
        page = (out / lang / "services/EE/EE-02.html").read_text(encoding="utf-8")
        for key in ("description", "evidence", "score_rank", "contact", "gp_section"):
            assert html.escape(word(lang, key)) in page, (lang, key)
        for other in LANGS:
            if other != lang:
                assert f'href="../{other}/index.html"' in index
                link = f"../../../{other}/services/EE/EE-02.html"
                assert f'href="{link}"' in page
                assert (out / lang / "services/EE" / link).resolve().is_file()
    root = (out / "index.html").read_text(encoding="utf-8")
    assert all(f'href="{lang}/index.html"' in root for lang in LANGS)
    assert "Rechercher" in (out / "fr/index.html").read_text(encoding="utf-8")
    assert "Erfolgsnachweis" in (out / "de/services/EE/EE-02.html").read_text(encoding="utf-8")
    assert "Mise en réseau et rencontres d&#x27;affaires" in (out / "fr/index.html").read_text(
        encoding="utf-8"
    )


def test_one_language_has_no_language_links(tmp_path: Path) -> None:
    build_catalogue(make_data(3), config(), tmp_path / "fr", lang="fr")
    index = (tmp_path / "fr/index.html").read_text(encoding="utf-8")
    assert '<html lang="fr">' in index and "hreflang" not in index
    assert not (tmp_path / "fr/en").exists()


def test_every_fixed_text_has_three_languages() -> None:
    for key in keys():
        texts = [word(lang, key) for lang in LANGS]
        assert all(t.strip() for t in texts), key
        placeholders = [sorted(re.findall(r"\{\w+\}", t)) for t in texts]
        assert placeholders[0] == placeholders[1] == placeholders[2], key


def test_service_page_shows_tests_verdict_plans_and_ratings(tmp_path: Path) -> None:
    data = make_data(20)
    build_catalogue(data, config(), tmp_path / "s", lang="en")
    first = data.shortlist.iloc[0]
    page = page_text(tmp_path / "s", data, first["partner"], first["service_id"])
    verdict = data.evaluation.iloc[0]["verdict"]
    assert verdict == "TRANSFERABLE"
    assert '<p id="verdict"><strong>Field-test verdict:</strong> Transferable</p>' in page
    tests = data.field_tests[
        (data.field_tests["practice_partner"] == first["partner"])
        & (data.field_tests["practice_id"] == first["service_id"])
    ]
    assert page.count("<td>Implementation</td>") + page.count("<td>Workshop</td>") == len(tests) == 2
    assert f"Adopt {first['service_id']} in" in page
    assert "This service meets the good-practice definition. It is on the shortlist" in page
    rated = data.scores.iloc[0]
    rated_page = page_text(tmp_path / "s", data, rated["partner"], rated["service_id"])
    values = data.scores[
        (data.scores["partner"] == rated["partner"])
        & (data.scores["service_id"] == rated["service_id"])
        & (data.scores["criterion"] == "relevance")
    ]["score"]
    assert (
        f'<tr><td>Relevance to CI needs</td><td class="num">{len(values)}</td>'
        f'<td class="num">{values.mean():.2f}</td>'
    ) in rated_page


def test_unranked_service_and_missing_optional_tables(tmp_path: Path) -> None:
    data = make_data(4, optional=False)
    files = build_catalogue(data, config(), tmp_path / "s")
    last = data.services.iloc[-1]
    assert (last["partner"], last["service_id"]) not in set(
        zip(data.ranking["partner"], data.ranking["service_id"], strict=True)
    )
    page = page_text(tmp_path / "s", data, last["partner"], last["service_id"])
    assert "Not ranked." in page and "Field tests" not in page
    assert not any(f.name in ("scores.csv", "field_tests.csv") for f in files)


@pytest.mark.parametrize("optional", [True, False])
def test_the_index_links_every_open_data_file_written(tmp_path: Path, optional: bool) -> None:
    """The downloads named on the index page are the package's files, the descriptor first."""
    files = build_catalogue(make_data(4, optional=optional), config(), tmp_path / "s")
    package = sorted(f.name for f in files if f.parent.name == "opendata")
    index = (tmp_path / "s" / "index.html").read_text(encoding="utf-8")
    linked = re.findall(r'<a href="opendata/([^"]+)">', index)
    assert linked[0] == "datapackage.json"
    assert sorted(linked) == package
    assert ("scores.csv" in linked) == ("field_tests.csv" in linked) == optional


def test_contributions_table_sums_to_the_score(tmp_path: Path) -> None:
    data = make_data(2, optional=False)
    build_catalogue(data, config(), tmp_path / "s")
    row = data.ranking.iloc[0]
    page = page_text(tmp_path / "s", data, row["partner"], row["service_id"])
    shown = [float(x) for x in re.findall(r'<td class="num">(\d\.\d{3})<div class="bar"', page)]
    assert len(shown) == len(config().criteria)
    assert sum(shown) == pytest.approx(row["score"], abs=0.0005 * len(shown))


def test_a_killed_run_keeps_the_previous_catalogue(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "site"
    build_catalogue(make_data(2), config(), out)
    before = sorted(p.relative_to(out) for p in out.rglob("*"))
    from p4c.catalogue import site

    def boom(*_args: object) -> str:
        raise KeyboardInterrupt

    monkeypatch.setattr(site._Site, "chooser", boom)
    with pytest.raises(KeyboardInterrupt):
        build_catalogue(make_data(3), config(), out, lang="all")
    assert sorted(p.relative_to(out) for p in out.rglob("*")) == before
    assert [p.name for p in tmp_path.iterdir()] == ["site"]
    monkeypatch.undo()
    build_catalogue(make_data(3), config(), out, lang="all")
    assert (out / "fr/index.html").is_file() and not (out / "services").exists()


def test_refuses_to_replace_a_folder_it_did_not_make(tmp_path: Path) -> None:
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me")
    with pytest.raises(P4CError, match="is not empty and is not a p4c catalogue"):
        build_catalogue(make_data(2), config(), tmp_path / "mine")
    assert (tmp_path / "mine" / "notes.txt").read_text() == "keep me"
    build_catalogue(make_data(2), config(), tmp_path / "new")
    assert (tmp_path / "new" / MARKER).is_file()
    with pytest.raises(P4CError, match="unknown language `es`"):
        build_catalogue(make_data(2), config(), tmp_path / "new", lang="es")  # type: ignore[arg-type]


def test_bad_tables_are_one_clear_error(tmp_path: Path) -> None:
    data = make_data(2, optional=False)
    broken = type(data)(
        data.services.drop(columns=["status"]), data.partners, data.ranking, data.candidates, data.shortlist
    )
    with pytest.raises(P4CError, match="the services table lacks the column\\(s\\) status"):
        build_catalogue(broken, config(), tmp_path / "x")
    twice = type(data)(
        pd.concat([data.services, data.services.iloc[:1]]),
        data.partners,
        data.ranking,
        data.candidates,
        data.shortlist,
    )
    with pytest.raises(P4CError, match="service BE BE-01 appears 2 times"):
        build_catalogue(twice, config(), tmp_path / "x")
    assert not (tmp_path / "x").exists()


def test_js_data_cannot_close_a_script() -> None:
    raw = js_data({"t": "</script><!--\u2028 & <b>"})
    assert "<" not in raw and ">" not in raw and "&" not in raw and "\u2028" not in raw
    assert json.loads(raw) == {"t": "</script><!--\u2028 & <b>"}


def test_search_text_folds_accents_and_keeps_distinct_words() -> None:
    assert (
        search_text("Coopération transfrontalière", "Straße ÆRØ", "coopération")
        == "cooperation transfrontaliere strasse aero"
    )
    assert norm_word("ΚΡΉΤΗ") == "κρητη"
    assert search_text("", "x_y-z") == "x y z"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(min_size=1, max_size=30), min_size=1, max_size=20, unique=True))
def test_file_stems_are_safe_and_unique(ids: list[str]) -> None:
    stems = file_stems(ids)
    assert len({s.lower() for s in stems}) == len(ids)
    for sid, stem in zip(ids, stems, strict=True):
        assert re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]*", stem), stem
        assert len(stem) <= 60
        assert stem == sid or stem.endswith("-h")


def test_plain_ids_keep_their_name() -> None:
    assert file_stems(["BE-01", "x_2", "con", "A1", "a1", "..", "a/b"])[:2] == ["BE-01", "x_2"]
    stems = file_stems(["con", "A1", "a1", "..", "a/b"])
    assert all(s.endswith("-h") for s in stems)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_search_words_are_folded(text: str) -> None:
    out = search_text(text)
    assert out == out.strip() and "  " not in out
    for w in out.split():
        assert unicodedata.normalize("NFKD", w) == w or not any(unicodedata.combining(c) for c in w)
        assert w == w.lower() or w.casefold() == w


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sets(st.sampled_from(["ab", "abc", "b", "réseau", "x9", "zz"])), max_size=40))
def test_word_index_lists_exactly_the_services_of_each_word(found: list[set[str]]) -> None:
    texts = [" ".join(sorted(words)) for words in found]
    index = word_index(texts, shard_bytes=8)
    every = sorted({w for words in found for w in words})
    assert index.words == every
    for w, code in zip(index.words, index.postings, strict=True):
        assert decode_posting(code, len(texts)) == [i for i, words in enumerate(found) if w in words]
    assert index.shards[:1] == ([0] if every else [])
    assert index.shards == sorted(set(index.shards)) and all(s < len(every) for s in index.shards)


@pytest.mark.parametrize("total", [1, 7, 8, 9, 300, 100_000])
def test_postings_round_trip_as_bitmap_or_gaps(total: int) -> None:
    dense = list(range(0, total, 2))
    sparse = [0, total // 3, total - 1] if total > 2 else [total - 1]
    for positions in (dense, sorted(set(sparse)), list(range(total))):
        code = encode_posting(positions, total)
        assert decode_posting(code, total) == positions
    assert encode_posting(list(range(total)), total)[0] == ("b" if total > 1 else "d")
    if total == 100_000:
        assert encode_posting(sparse, total) == "d" + base64.b64encode(
            bytes([1]) + bytes([0xB5, 0x84, 0x02]) + bytes([0xEA, 0x88, 0x04])  # gaps 1, 33333, 66666
        ).decode("ascii")


def test_the_search_files_replace_the_text_chunks(all_site: tuple[Path, list[Path]]) -> None:
    out, _files = all_site
    data = sorted(p.name for p in (out / "data").iterdir())
    assert not [name for name in data if name.startswith("text-")]
    words = (out / "data" / "words.js").read_text(encoding="utf-8")
    assert words.startswith("P4C_WORDS(") and "\\ncooperation\\n" in words
    assert "index-0.js" in data and "rows-0.js" in data


def test_forked_workers_write_the_same_files(tmp_path: Path) -> None:
    data = make_data(6, hostile=True)
    one = build_catalogue(data, config(), tmp_path / "one", lang="all", workers=1)
    two = build_catalogue(data, config(), tmp_path / "two", lang="all", workers=2)
    assert [p.relative_to(tmp_path / "one") for p in one] == [p.relative_to(tmp_path / "two") for p in two]
    assert len([p for p in two if p.parent.parent.name == "services"]) == 6 * 7 * 3
    for a, b in zip(one, two, strict=True):
        assert a.read_bytes() == b.read_bytes(), b


def _pages(out: Path) -> dict[str, os.stat_result]:
    return {
        p.relative_to(out).as_posix(): p.stat()
        for p in out.rglob("*.html")
        if p.parent.parent.name == "services"
    }


@pytest.mark.parametrize("workers", [1, 2])
def test_a_new_build_keeps_the_unchanged_pages_and_writes_the_changed(tmp_path: Path, workers: int) -> None:
    data = make_data(6, hostile=True)
    out = tmp_path / "site"
    build_catalogue(data, config(), out, lang="all", workers=workers)
    before = _pages(out)
    old_title = str(data.services.loc[0, "title"])
    data.services.loc[0, "title"] = "A renamed service"
    (out / next(iter(before))).chmod(0o600)  # a page whose mode was changed by hand is not kept
    files = build_catalogue(data, config(), out, lang="all", workers=workers)
    after = _pages(out)
    assert after.keys() == before.keys()
    renamed = {name for name in after if "A renamed service" in (out / name).read_text(encoding="utf-8")}
    assert len(renamed) == 3  # the page of the renamed service, in each language
    assert all(old_title not in (out / name).read_text(encoding="utf-8") for name in renamed)
    new = {name for name in after if after[name].st_ino != before[name].st_ino}
    assert new == renamed | {next(iter(before))}
    assert all(after[name].st_nlink == 1 for name in after)  # the previous catalogue is gone
    assert all(after[name].st_mode & 0o777 == 0o666 & ~_umask() for name in after)
    fresh = build_catalogue(data, config(), tmp_path / "fresh", lang="all", workers=workers)
    assert [p.relative_to(out) for p in files] == [p.relative_to(tmp_path / "fresh") for p in fresh]
    for a, b in zip(files, fresh, strict=True):
        assert a.read_bytes() == b.read_bytes(), a


def test_pages_are_written_where_links_cannot_be_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = make_data(3)
    out = tmp_path / "site"
    build_catalogue(data, config(), out, workers=1)
    before = _pages(out)

    def no_link(*_args: object, **_kwargs: object) -> None:
        raise OSError(1, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_link)
    build_catalogue(data, config(), out, workers=1)
    after = _pages(out)
    assert after.keys() == before.keys()
    assert all(after[name].st_ino != before[name].st_ino for name in after)
    build_catalogue(data, config(), tmp_path / "fresh", workers=1)
    for name in after:
        assert (out / name).read_bytes() == (tmp_path / "fresh" / name).read_bytes()


def test_only_plain_files_of_the_previous_catalogue_are_kept(tmp_path: Path) -> None:
    """A page replaced by a link to a file with the same bytes, or by a pipe (which a read would wait
    on), is written anew: the new catalogue never holds what a link pointed to."""
    data = make_data(2)
    out = tmp_path / "site"
    build_catalogue(data, config(), out, workers=1)
    linked, piped = sorted(_pages(out))[:2]
    elsewhere = tmp_path / "elsewhere.html"
    elsewhere.write_bytes((out / linked).read_bytes())
    (out / linked).unlink()
    (out / linked).symlink_to(elsewhere)
    content = (out / piped).read_bytes()
    (out / piped).unlink()
    os.mkfifo(out / piped)
    build_catalogue(data, config(), out, workers=1)
    for name in (linked, piped):
        assert (out / name).is_file() and not (out / name).is_symlink()
    assert (out / linked).read_bytes() == elsewhere.read_bytes()
    assert (out / piped).read_bytes() == content
    assert elsewhere.stat().st_nlink == 1


def test_a_linked_folder_of_the_previous_catalogue_is_not_followed(tmp_path: Path) -> None:
    """A partner folder of the old catalogue that is a link to a folder elsewhere: its pages are
    written anew, never linked to the files outside the catalogue."""
    data = make_data(2)
    out = tmp_path / "site"
    build_catalogue(data, config(), out, workers=1)
    folder = out / "services" / "BE"
    outside = tmp_path / "outside"
    shutil.copytree(folder, outside)
    shutil.rmtree(folder)
    folder.symlink_to(outside, target_is_directory=True)
    build_catalogue(data, config(), out, workers=1)
    assert not folder.is_symlink()
    pages = sorted(outside.iterdir())
    assert pages and all(p.stat().st_nlink == 1 for p in pages)
    assert [p.name for p in sorted(folder.iterdir())] == [p.name for p in pages]


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root to give pages away")
def test_a_page_of_another_owner_is_not_kept(tmp_path: Path) -> None:
    data = make_data(2)
    out = tmp_path / "site"
    build_catalogue(data, config(), out, workers=1)
    theirs = sorted(_pages(out))[0]
    os.chown(out / theirs, 1000, 1000)
    build_catalogue(data, config(), out, workers=1)
    after = (out / theirs).stat()
    assert (after.st_uid, after.st_gid) == (0, os.getegid())


def test_a_page_replaced_before_its_link_is_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The link made must be the file compared: one that lands on another file is undone."""
    data = make_data(2)
    out = tmp_path / "site"
    build_catalogue(data, config(), out, workers=1)
    before = _pages(out)
    other = next(iter(before))
    real_link = os.link

    def wrong_link(_src: str, dst: str, **_kwargs: object) -> None:
        real_link(out / other, dst)  # as if the page were swapped for `other` meanwhile

    monkeypatch.setattr(os, "link", wrong_link)
    files = build_catalogue(data, config(), out, workers=1)
    monkeypatch.undo()
    after = _pages(out)
    assert all(after[name].st_nlink == 1 for name in after)
    assert after[other].st_ino == before[other].st_ino  # its own link is the file compared: kept
    assert all(after[name].st_ino != before[name].st_ino for name in after if name != other)
    fresh = build_catalogue(data, config(), tmp_path / "fresh", workers=1)
    for a, b in zip(files, fresh, strict=True):
        assert a.read_bytes() == b.read_bytes(), a


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=40))
def test_ascii_words_fold_like_any_other_text(text: str) -> None:
    """The ASCII shortcut of norm_word gives what the full folding gives (the oracle: tests' fold)."""
    assert norm_word(text) == " ".join(re.findall(r"[^\W_]+", fold(text)))
    assert search_text(text, text) == " ".join(dict.fromkeys(re.findall(r"[^\W_]+", fold(text))))


@pytest.fixture(scope="module")
def sample_project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    return sample_run(tmp_path_factory)


@pytest.mark.parametrize(
    ("lang", "word_fr_de"), [("fr", "pas une bonne pratique"), ("de", "keine gute Praxis")]
)
def test_pages_show_the_stored_reasons_in_their_language(
    sample_project: Project, tmp_path: Path, lang: str, word_fr_de: str
) -> None:
    """The candidates' and the verdicts' reasons (stored in English) read in the page's language."""
    from p4c.catalogue.site import read_processed
    from p4c.evaluation import evaluate
    from p4c.shortlist import localized_reasons

    config_ = sample_project.load_config()
    data = read_processed(sample_project.processed_dir, config_)
    build_catalogue(data, config_, tmp_path / "site", lang=lang)
    candidates = data.candidates.set_index(["partner", "service_id"])
    refused = candidates[candidates["reasons"].str.startswith("not a good practice")].iloc[0]
    _partner, service_id = refused.name
    page = next((tmp_path / "site" / "services").glob(f"*/{service_id}.html")).read_text(encoding="utf-8")
    translated = str(localized_reasons([refused["reasons"]], lang)[0])
    assert translated != refused["reasons"] and word_fr_de in translated
    assert html.escape(translated, quote=False) in page and refused["reasons"] not in page
    assert data.evaluation is not None
    judged = data.evaluation[data.evaluation["reasons"].astype(str).str.len() > 0].iloc[0]
    verdict_page = next((tmp_path / "site" / "services").glob(f"*/{judged['practice_id']}.html"))
    shown = str(evaluate.localized_reasons([judged["reasons"]], lang)[0])
    assert shown != judged["reasons"]
    assert html.escape(shown, quote=False) in verdict_page.read_text(encoding="utf-8")
