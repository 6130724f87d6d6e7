"""The catalogue as a person uses it, in headless Chromium (Playwright with the system browser).

Skipped with the reason where Chromium or Playwright is missing. Every expected list is computed in
Python from the input tables, independently of the page's script.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from p4c.catalogue import CatalogueData, build_catalogue
from tests.catalogue.data import HOSTILE, config, fold, make_data
from tests.shared import chromium


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    yield from chromium()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> tuple[CatalogueData, Path]:
    data = make_data(20, hostile=True)
    out = tmp_path_factory.mktemp("catalogue") / "site"
    build_catalogue(data, config(), out, lang="en")
    return data, out


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    dialogs: list[str] = []
    errors: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.dialogs = dialogs
    yield page
    context.close()
    assert not dialogs, f"a dialog fired: {dialogs}"
    assert not errors, f"script errors: {errors}"


def expected(data: CatalogueData, q: str = "", sort: str = "score", **filters: str) -> list[tuple[str, str]]:
    """The services a query should list, in order, computed from the tables alone."""
    svc = data.services.astype(object).where(data.services.notna(), None)
    rank = {(r.partner, r.service_id): int(r.rank) for r in data.ranking.itertuples()}
    cand = {(r.partner, r.service_id): r for r in data.candidates.itertuples()}
    verdict = (
        {(r.practice_partner, r.practice_id): r.verdict for r in data.evaluation.itertuples()}
        if data.evaluation is not None
        else {}
    )
    terms = re.findall(r"[^\W_]+", fold(q))
    out = []
    for row in svc.to_dict("records"):
        key = (row["partner"], row["service_id"])
        hay = fold(" ".join(str(row[c] or "") for c in ("title", "description", "evidence")))
        if not all(t in hay for t in terms):
            continue
        c = cand.get(key)
        checks = {
            "partner": row["partner"],
            "category": row["category"],
            "provider": row["provider"],
            "status": row["status"],
            "gp": "1" if c is not None and c.eligible else "0",
            "sl": "1" if c is not None and c.shortlisted else "0",
            "verdict": verdict.get(key, "none"),
        }
        if all(checks[k] == v for k, v in filters.items()):
            out.append((row, key))
    if sort == "title":
        out.sort(
            key=lambda item: (
                " ".join(re.findall(r"[^\W_]+", fold(item[0]["title"]))),
                item[0]["title"],
                *item[1],
            )
        )
    else:
        out.sort(key=lambda item: (item[1] not in rank, rank.get(item[1], 0), *item[1]))
    return [key for _row, key in out]


def listed(page: Any) -> list[tuple[str, str]]:
    return [
        tuple(x)
        for x in page.eval_on_selector_all(
            "#results li[data-service]", "els => els.map(e => [e.dataset.partner, e.dataset.service])"
        )
    ]


def open_index(page: Any, site: Path, query: str = "") -> None:
    page.goto((site / "index.html").as_uri() + query)
    page.wait_for_selector("body[data-ready]")


def count(page: Any) -> int:
    return int(page.get_attribute("#count", "data-count"))


def wait_count(page: Any, n: int) -> None:
    page.wait_for_function(f"document.getElementById('count').getAttribute('data-count') === '{n}'")


def test_a_shared_link_shows_the_same_results(page: Any, site: tuple[CatalogueData, Path]) -> None:
    data, out = site
    want = expected(data, "cooperation", category="NET")
    assert want, "the test data must give results"
    open_index(page, out, "?q=cooperation&category=NET")
    assert count(page) == len(want)
    assert listed(page) == want
    assert page.input_value("#q") == "cooperation"
    assert page.input_value("#f-category") == "NET"
    assert page.inner_text("#count") == f"{len(want)} of 140 services"


@pytest.mark.parametrize(
    "query",
    [
        "?gp=1",
        "?sl=1&sort=title",
        "?verdict=PROMISING",
        "?verdict=none&status=PILOT",
        "?partner=BE&provider=JOINT",
        "?q=matchmaking%20SMEs&partner=BE",
    ],
)
def test_filters_match_python(page: Any, site: tuple[CatalogueData, Path], query: str) -> None:
    data, out = site
    params = dict(p.split("=") for p in query[1:].split("&"))
    q = params.pop("q", "").replace("%20", " ")
    want = expected(data, q, **params)
    assert want
    open_index(page, out, query)
    assert count(page) == len(want)
    assert listed(page) == want[:50]


def test_no_query_lists_every_service_by_rank_then_pages(page: Any, site: tuple[CatalogueData, Path]) -> None:
    data, out = site
    want = expected(data)
    open_index(page, out)
    assert page.inner_text("#count") == "140 services"
    assert listed(page) == want[:50]
    assert page.inner_text("#pageinfo") == "Page 1 of 3"
    page.click("#next")
    page.wait_for_function("location.search === '?page=2'")
    wait_count(page, 140)
    page.wait_for_function("document.getElementById('pageinfo').textContent === 'Page 2 of 3'")
    assert listed(page) == want[50:100]
    page.go_back()
    page.wait_for_function("document.getElementById('pageinfo').textContent === 'Page 1 of 3'")
    assert listed(page) == want[:50]


def test_sort_by_title(page: Any, site: tuple[CatalogueData, Path]) -> None:
    data, out = site
    want = expected(data, sort="title")
    open_index(page, out, "?sort=title&page=3")
    assert listed(page) == want[100:]


def test_typing_searches_without_accents_and_keeps_the_url(
    page: Any, site: tuple[CatalogueData, Path]
) -> None:
    data, out = site
    open_index(page, out)
    for typed in ("buro", "cooperation", "Κρήτη", "ZUFRIEDENHEIT"):
        want = expected(data, typed)
        page.fill("#q", "")
        page.type("#q", typed)
        # the last keystroke's search (after the typing pause), not one for the first letters
        page.wait_for_function(f"new URLSearchParams(location.search).get('q') === {typed!r}")
        wait_count(page, len(want))
        assert listed(page) == want[:50]
        assert page.evaluate("new URLSearchParams(location.search).get('q')") == typed
    assert expected(data, "cooperation") != expected(data, "buro")


def test_a_filter_and_the_back_button(page: Any, site: tuple[CatalogueData, Path]) -> None:
    data, out = site
    open_index(page, out)
    page.type("#q", "matchmaking")
    before = expected(data, "matchmaking")
    wait_count(page, len(before))
    page.select_option("#f-partner", "EE")
    after = expected(data, "matchmaking", partner="EE")
    assert len(after) < len(before)
    wait_count(page, len(after))
    assert "partner=EE" in page.url
    page.go_back()
    wait_count(page, len(before))
    assert page.input_value("#f-partner") == ""
    assert page.input_value("#q") == "matchmaking"
    assert listed(page) == before[:50]
    page.go_forward()
    wait_count(page, len(after))
    assert page.input_value("#f-partner") == "EE"


def test_click_through_to_a_service_page(page: Any, site: tuple[CatalogueData, Path]) -> None:
    data, out = site
    open_index(page, out, "?partner=EE&sort=title")
    first = listed(page)[0]
    title = data.services.set_index(["partner", "service_id"]).loc[first, "title"]
    page.click("#results li:first-child h3 a")
    page.wait_for_load_state()
    assert page.url.endswith(".html") and "/services/EE/" in page.url
    assert page.inner_text("h1") == title
    rank = data.ranking.set_index(["partner", "service_id"]).loc[first, "rank"]
    assert page.inner_text("#rank").startswith(f"Rank {rank} of 139")
    assert page.get_attribute("#contact a[href^='mailto:']", "href") == "mailto:info@ee.example"
    page.click("text=All services")
    page.wait_for_selector("body[data-ready]")
    assert count(page) == 140


def test_keyboard_reaches_the_search_and_filters(page: Any, site: tuple[CatalogueData, Path]) -> None:
    _data, out = site
    open_index(page, out)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    page.keyboard.press("Tab")  # one language: no language links between the skip link and the search
    assert page.evaluate("document.activeElement.id") == "q"
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "f-partner"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"
    labelled = page.evaluate(
        "[...document.querySelectorAll('input, select')].every("
        "el => document.querySelector(`label[for='${el.id}']`))"
    )
    assert labelled


@pytest.mark.parametrize("width", [390, 1280])
def test_nothing_is_wider_than_the_viewport(
    browser: Any, site: tuple[CatalogueData, Path], width: int
) -> None:
    _data, out = site
    page = browser.new_page(viewport={"width": width, "height": 800})
    try:
        pages = [
            (out / "index.html").as_uri() + "?q=a",
            *(p.as_uri() for p in sorted((out / "services").rglob("*.html"))[:12]),
        ]
        for url in pages:
            page.goto(url)
            if "index.html" in url:
                page.wait_for_selector("body[data-ready]")
            sizes = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
            assert sizes[0] <= sizes[1], f"{url}: {sizes}"
            wide = page.evaluate(
                "[...document.querySelectorAll('body *')].filter(el => "
                "el.getBoundingClientRect().right > innerWidth + 0.5).map(el => el.tagName)"
            )
            assert wide == [], f"{url}: {wide}"
    finally:
        page.close()


def test_hostile_text_stays_text(page: Any, site: tuple[CatalogueData, Path]) -> None:
    data, out = site
    open_index(page, out, "?q=alert")
    want = expected(data, "alert")
    titles = page.eval_on_selector_all("#results li h3 a", "els => els.map(e => e.textContent)")
    by_key = data.services.set_index(["partner", "service_id"])["title"]
    assert titles == [by_key[k] for k in want]
    assert set(HOSTILE[:3]) <= set(titles)
    assert page.evaluate("document.querySelectorAll('img, iframe, b, #results script').length") == 0
    hrefs = page.eval_on_selector_all("#results a", "els => els.map(e => e.getAttribute('href'))")
    assert all(re.fullmatch(r"services/[A-Za-z0-9_-]+/[A-Za-z0-9_-]+\.html", h) for h in hrefs), hrefs
    page.fill("#q", "")
    page.type("#q", "onerror")
    wait_count(page, len(expected(data, "onerror")))
    assert HOSTILE[1] in page.eval_on_selector_all("#results li h3 a", "els => els.map(e => e.textContent)")
    for title in HOSTILE:
        page.goto((out / "index.html").as_uri())
        page.wait_for_selector("body[data-ready]")
        key = next(k for k, t in by_key.items() if t == title)
        page.goto((out / "index.html").as_uri() + f"?partner={key[0]}&sort=title")
        page.wait_for_selector("body[data-ready]")
        page.click(f"#results li[data-service='{key[1]}'] h3 a")
        page.wait_for_load_state()
        assert page.inner_text("h1") == title
        assert page.evaluate("document.querySelectorAll('img, iframe, main script, b').length") == 0
    assert not page.dialogs


def test_search_across_many_small_index_files(
    page: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With tiny posting files a query's words live in different files: each is found and loaded."""
    from p4c.catalogue import site as site_module

    monkeypatch.setattr(site_module, "SHARD_BYTES", 24)
    data = make_data(20, hostile=True)
    out = tmp_path / "small-shards"
    build_catalogue(data, config(), out, lang="en")
    assert len(list((out / "data").glob("index-*.js"))) > 20
    for query, q in (
        ("?q=matchmaking%20SMEs", "matchmaking SMEs"),
        ("?q=oper", "oper"),
        ("?q=zufriedenheit%20signed%20service", "zufriedenheit signed service"),
        ("?q=e&sort=title", "e"),
        ("?q=nothing%20matches%20this", "nothing matches this"),
    ):
        want = expected(data, q, sort="title" if "sort=title" in query else "score")
        open_index(page, out, query)
        assert count(page) == len(want), query
        assert listed(page) == want[:50], query
