"""`p4c catalogue`: a static, searchable catalogue of every service, for any web server or USB stick.

The search index and the filter columns are computed here, in Python, and written as small
`<script src>` files (browsers block `fetch()` of local files), so the browser never scans the DOM
and a 100,000-service catalogue opens as fast as a small one: the index page loads the filter
columns up front, the titles in small chunks for the page of results shown, and for a text query
only the vocabulary and the posting files of the words that the query matches (`model.word_index`).
"""

from __future__ import annotations

import html
import json
import math
import multiprocessing
import os
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any, Literal, TypeVar

from p4c.catalogue.assets import CSS, JS
from p4c.catalogue.model import (
    CatalogueData,
    Entry,
    assemble,
    email,
    file_stems,
    norm_word,
    numbers,
    partner_info,
    search_texts,
    table_columns,
    text,
    texts,
    word_index,
)
from p4c.catalogue.opendata import PACKAGE_FILE, write_datapackage
from p4c.catalogue.words import LANGS, LANGUAGE_NAMES, VERDICTS, code_label, html_words, word, words
from p4c.config import Config, Criterion
from p4c.errors import P4CError
from p4c.forks import cpus
from p4c.memory import no_gc
from p4c.models import Language, Provider, Status
from p4c.values import finite_number as number

Lang = Language | Literal["all"]  # "all": one site per language, and a page to choose
CHUNK = 200  # services per lazily loaded rows file (a page of results loads at most 50 of them)
PAGE_SIZE = 50  # services per page of results
MARKER = ".p4c-catalogue"  # marks a folder this module made, so only such a folder is ever replaced
PROVIDERS = tuple(code.value for code in Provider)  # the filters' order: the Services sheet's lists
STATUSES = tuple(code.value for code in Status)
SHARD_BYTES = 65_536  # posting lists per search file: a query loads only the files of its words
FACET_MAX = 50_000  # codes a filter column can hold (one UTF-16 unit each, below the surrogates)
FACTS = ("start_date", "annual_budget_eur", "staff_fte", "cis_served", "smes_reached")
BATCH = 1024  # service pages whose cells are computed together, column by column

K = TypeVar("K")
V = TypeVar("V")


def e(value: object) -> str:
    """HTML-escaped text of a cell (quotes too: the result may go into an attribute)."""
    return html.escape(value if type(value) is str else text(value), quote=True)


def escape_all(values: list[str]) -> list[str]:
    """`html.escape` (quotes too) of every text, in one pass over the joined column: escaping maps
    each character on its own, so the parts come back as escaped one by one."""
    joined = "\0".join(values)
    if not values or joined.count("\0") != len(values) - 1:  # a text holding the separator
        return [html.escape(v, quote=True) for v in values]
    return html.escape(joined, quote=True).split("\0")


def _write(path: Path | str, content: str) -> None:
    """One file, written with a raw descriptor: builtin open() costs ~10x more per file here, which
    matters at 100,000 service pages."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
    try:
        data = content.encode("utf-8")
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)


def js_data(value: object) -> str:
    """JSON that is safe inside a <script> element or a .js file (no `</script>`, `<!--`, U+2028)."""
    raw = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (
        raw.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def _once(cache: dict[K, V], key: K, make: Callable[[], V]) -> V:
    """`cache[key]`, made by `make()` the first time it is asked for: 100,000 pages a language ask
    for the same few labels, reasons and page parts again and again."""
    found = cache.get(key)
    if found is None:
        found = cache[key] = make()
    return found


def _localized(lang: str, stage: str, text: str) -> str:
    """A reasons text the shortlist or the evaluation stored (in English), in `lang`."""
    if stage == "shortlist":
        from p4c.shortlist import localized_reasons
    else:
        from p4c.evaluation.evaluate import localized_reasons
    return str(localized_reasons([text], lang)[0])


def _codes(values: Iterable[str], known: Iterable[str]) -> list[str]:
    """Known codes in their usual order, then any other code found in the data (sorted)."""
    found = set(values)
    first = [c for c in known if c in found]
    return first + sorted(found - set(first))


class _Site:
    """The shared state of one build: entries, lookups and the output folder."""

    def __init__(self, data: CatalogueData, config: Config, root: Path, previous: Path | None = None) -> None:
        self.config = config
        self.root = root
        self.previous = previous  # the catalogue this one replaces: its unchanged pages are kept
        self.file_mode = 0o666 & ~_umask()  # read once, before any thread writes a file
        self.entries = entries = assemble(data)
        self.partners = partner_info(data)
        self._columns(data)
        self.written: list[Path] = []
        self.pages: list[str] = []  # service pages, relative to the root (posix)
        codes = sorted({en.partner for en in self.entries} | set(self.partners))
        self.partner_codes = codes
        self.partner_dirs = dict(zip(codes, file_stems(codes), strict=True))
        self.category_codes = _codes(self.cats, [c.code for c in config.categories])
        self.provider_codes = _codes(self.providers, PROVIDERS)
        self.status_codes = _codes(self.statuses, STATUSES)
        self.verdict_codes = _codes((en.verdict for en in entries if en.verdict), VERDICTS)
        total = sum(c.weight for c in config.criteria)
        self.weights = {c.id: (c.weight / total if total else 0.0) for c in config.criteria}
        self.ranked = sum(1 for en in self.entries if en.rank is not None)
        self.open_data: list[str] = []  # the open-data package's files, once written
        self.crit = {c.id: c for c in config.criteria}
        self._cat_labels: dict[tuple[str, str], str] = {
            (lang, c.code): c.text(lang) for lang in LANGS for c in config.categories
        }
        self._partner_labels = {
            code: f"{code} · {region}"
            for code, info in self.partners.items()
            if (region := text(info.get("region")))
        }
        self._fixed_parts: dict[tuple[str, bool], dict[str, Any]] = {}
        self._label_html: dict[tuple[str, str, str], str] = {}
        self._contacts: dict[tuple[str, str], str] = {}
        self._reasons: dict[tuple[str, str, str], str] = {}

    def _columns(self, data: CatalogueData) -> None:
        """The services' cells the pages show, in entry order, one list or array per column: read
        once here instead of a dict lookup and a conversion per cell and page."""
        import numpy as np

        entries = self.entries
        rows = [en.pos for en in entries]
        services = table_columns(
            data.services,
            ("title", "category", "provider", "status", "description", "evidence", "start_date"),
        )

        def cells(name: str) -> list[Any]:
            column = services.get(name)
            return [None] * len(rows) if column is None else [column[k] for k in rows]

        self.titles = texts(cells("title"))
        self.cats = texts(cells("category"))
        self.providers = texts(cells("provider"))
        self.statuses = texts(cells("status"))
        self.prose = {key: texts(cells(key)) for key in ("description", "evidence")}
        self.start_dates = cells("start_date")
        at = np.asarray(rows, dtype=np.int64)
        self.numbers: dict[str, Any] = {}  # float64 in entry order, NaN where number() is None
        wanted = [*FACTS[1:], "cis_served"]
        for crit in self.config.criteria:
            wanted += [crit.id if crit.source == "score" else "", crit.column or ""]
            wanted += [crit.numerator or "", crit.denominator or ""]
        for name in dict.fromkeys(n for n in wanted if n):
            self.numbers[name] = numbers(data.services, name)[at]
        cis: dict[str, float] = {}
        for partner in {en.partner for en in entries}:
            value = number((self.partners.get(partner) or {}).get("cluster_initiatives"))
            cis[partner] = math.nan if value is None else value
        self.partner_cis = np.asarray([cis[en.partner] for en in entries], dtype=np.float64)
        ranked = np.asarray([en.rpos for en in entries], dtype=np.int64)  # -1: the NaN appended
        self.contributions = {
            crit.id: np.append(numbers(data.ranking, crit.id), np.nan)[ranked]
            for crit in self.config.criteria
        }

    def write(self, relative: str, content: str) -> None:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        _write(path, content)
        self.written.append(path)

    # --- data files shared by every language --------------------------------------------------

    def write_data(self) -> None:
        import numpy as np

        def index(codes: list[str]) -> dict[str, int]:
            if len(codes) > FACET_MAX:
                raise P4CError(f"catalogue: {len(codes)} distinct codes in one filter; at most {FACET_MAX}")
            return {c: i for i, c in enumerate(codes)}

        def column(values: Iterable[int]) -> str:
            """One character a service (its code's index + 35): a third of a JSON array's bytes.
            Codes stay below FACET_MAX + 36, so each is one UTF-16 unit, never a surrogate."""
            codes = np.fromiter(values, dtype="<u2", count=len(self.entries)) + np.uint16(35)
            return codes.tobytes().decode("utf-16-le")

        pi, ci = index(self.partner_codes), index(self.category_codes)
        vi, si, ei = index(self.provider_codes), index(self.status_codes), index(self.verdict_codes)
        entries = self.entries
        titles = self.titles
        keys = [(norm_word(t), t, en.partner, en.service_id) for t, en in zip(titles, entries, strict=True)]
        by_title = sorted(range(len(entries)), key=keys.__getitem__)
        facets = {
            "codes": {
                "p": self.partner_codes,
                "c": self.category_codes,
                "v": self.provider_codes,
                "s": self.status_codes,
                "e": self.verdict_codes,
            },
            "dirs": [self.partner_dirs[p] for p in self.partner_codes],
            "p": column(pi[en.partner] for en in entries),
            "c": column(map(ci.__getitem__, self.cats)),
            "v": column(map(vi.__getitem__, self.providers)),
            "s": column(map(si.__getitem__, self.statuses)),
            "g": column(1 if en.eligible else 0 for en in entries),
            "l": column(1 if en.shortlisted else 0 for en in entries),
            "e": column(ei[en.verdict] + 1 if en.verdict else 0 for en in entries),
        }
        self.write("data/facets.js", f"window.P4C_DATA={js_data(facets)};\n")
        self.write("data/order.js", f"P4C_ORDER({js_data(by_title)});\n")  # loaded for a sort by title
        for k in range(max(1, math.ceil(len(entries) / CHUNK))):
            part = entries[k * CHUNK : (k + 1) * CHUNK]
            rows = [
                [en.service_id, title, en.stem, None if en.score is None else round(en.score, 4), en.rank]
                for en, title in zip(part, titles[k * CHUNK : (k + 1) * CHUNK], strict=True)
            ]
            self.write(f"data/rows-{k}.js", f"P4C_ROWS({k},{js_data(rows)});\n")
        found = search_texts(titles, self.prose["description"], self.prose["evidence"])
        found_index = word_index(found, SHARD_BYTES)
        vocabulary = {"w": "\n".join(found_index.words), "s": found_index.shards}
        self.write("data/words.js", f"P4C_WORDS({js_data(vocabulary)});\n")
        bounds = [*found_index.shards, len(found_index.words)]
        for k in range(len(found_index.shards)):
            codes = found_index.postings[bounds[k] : bounds[k + 1]]
            self.write(f"data/index-{k}.js", f"P4C_INDEX({k},{js_data(codes)});\n")
        self.write("assets/catalogue.css", CSS)
        self.write("assets/catalogue.js", JS)
        self.write(MARKER, "A catalogue written by p4c; `p4c catalogue` replaces this folder as a whole.\n")

    # --- labels ---------------------------------------------------------------------------------

    def category(self, lang: str, code: str) -> str:
        return self._cat_labels.get((lang, code), code)

    def partner_label(self, code: str) -> str:
        """`CODE · region`, or the code alone where the partner gave no region."""
        return self._partner_labels.get(code, code)

    def labels(self, lang: str) -> dict[str, dict[str, str]]:
        return {
            "p": {c: self.partner_label(c) for c in self.partner_codes},
            "c": {c: self.category(lang, c) for c in self.category_codes},
            "v": {c: code_label(lang, "provider", c) for c in self.provider_codes},
            "s": {c: code_label(lang, "status", c) for c in self.status_codes},
            "e": {c: code_label(lang, "verdict", c) for c in self.verdict_codes},
        }

    # --- pages ----------------------------------------------------------------------------------

    def head(self, lang: str, title: str, prefix: str) -> str:
        return (
            f'<!doctype html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{e(title)}</title>\n"
            f'<link rel="stylesheet" href="{prefix}assets/catalogue.css">\n</head>\n'
        )

    def lang_nav(self, lang: str, multi: bool, target: str, prefix: str, *, index: bool = False) -> str:
        if not multi:
            return ""
        links = []
        for other in LANGS:
            if other == lang:
                continue
            href = f"{prefix}{other}/{target}"
            extra = f' data-lang-base="{href}"' if index else ""
            links.append(
                f'<a href="{href}" hreflang="{other}" lang="{other}"{extra}>{LANGUAGE_NAMES[other]}</a>'
            )
        return f'<nav class="langs" aria-label="{e(word(lang, "languages"))}">' + "".join(links) + "</nav>\n"

    def select(
        self,
        lang: str,
        name: str,
        label: str,
        options: list[tuple[str, str]],
        *,
        any_label: str | None = None,
    ) -> str:
        opts = "".join(f'<option value="{e(v)}">{e(t)}</option>' for v, t in options)
        first = "" if any_label is None else f'<option value="">{e(any_label)}</option>'
        return (
            f'<div><label for="f-{name}">{e(label)}</label>'
            f'<select id="f-{name}" name="{name}">{first}{opts}</select></div>\n'
        )

    def index_page(self, lang: str, multi: bool) -> str:
        w = words(lang)
        up = "../" if multi else ""
        yes_no = [("1", w["yes"]), ("0", w["no"])]
        labels = self.labels(lang)
        verdicts = [(c, labels["e"][c]) for c in self.verdict_codes] + [("none", w["not_evaluated"])]
        filters = "".join(
            [
                self.select(lang, "partner", w["partner"], list(labels["p"].items()), any_label=w["all"]),
                self.select(lang, "category", w["category"], list(labels["c"].items()), any_label=w["all"]),
                self.select(lang, "provider", w["provider"], list(labels["v"].items()), any_label=w["all"]),
                self.select(lang, "status", w["status"], list(labels["s"].items()), any_label=w["all"]),
                self.select(lang, "gp", w["good_practice"], yes_no, any_label=w["all"]),
                self.select(lang, "sl", w["shortlisted"], yes_no, any_label=w["all"]),
                self.select(lang, "verdict", w["verdict"], verdicts, any_label=w["all"]),
                self.select(
                    lang, "sort", w["sort"], [("score", w["sort_score"]), ("title", w["sort_title"])]
                ),
            ]
        )
        open_files = sorted(self.open_data, key=lambda name: name != PACKAGE_FILE)  # the descriptor first
        downloads = ", ".join(f'<a href="{up}opendata/{f}">{f}</a>' for f in open_files)
        config = {
            "lang": lang,
            "words": w,
            "labels": labels,
            "data": f"{up}data/",
            "chunk": CHUNK,
            "pageSize": PAGE_SIZE,
        }
        return (
            self.head(lang, w["site_title"], up)
            + f'<body>\n<a class="skip" href="#results-title">{e(w["skip"])}</a>\n'
            f'<header class="wrap">\n<h1>{e(w["site_title"])}</h1>\n<p>{e(w["intro"])}</p>\n'
            + self.lang_nav(lang, multi, "index.html", "../", index=True)
            + '</header>\n<main class="wrap" id="main">\n'
            '<form id="filters" method="get" action="index.html" role="search">\n'
            f'<div class="searchrow"><label for="q">{e(w["search"])}</label>'
            '<input id="q" name="q" type="search" autocomplete="off" aria-describedby="q-hint">'
            f'<button type="submit">{e(w["apply"])}</button></div>\n'
            f'<p id="q-hint" class="hint">{e(w["search_hint"])}</p>\n'
            f'<fieldset><legend>{e(w["filters"])}</legend>\n<div class="filters">\n{filters}</div>\n'
            f'</fieldset>\n<button type="button" class="secondary" id="clear">{e(w["clear"])}</button>\n'
            "</form>\n"
            f'<h2 id="results-title" tabindex="-1">{e(w["results"])}</h2>\n'
            f'<p id="count" role="status" aria-live="polite">{e(w["loading"])}</p>\n'
            f"<noscript><p>{e(w['noscript'])}</p></noscript>\n"
            '<ol id="results" class="results"></ol>\n'
            f'<nav class="pager" aria-label="{e(w["results"])}">'
            f'<button type="button" class="secondary" id="prev">{e(w["prev"])}</button>'
            '<span id="pageinfo"></span>'
            f'<button type="button" class="secondary" id="next">{e(w["next"])}</button></nav>\n'
            f"<section><h2>{e(w['open_data'])}</h2><p>{e(w['open_data_text'])} {downloads}</p></section>\n"
            f'</main>\n<footer class="wrap"><p>{e(w["made_with"])}</p></footer>\n'
            f"<script>window.P4C_CONFIG={js_data(config)};</script>\n"
            f'<script src="{up}data/facets.js"></script>\n'
            f'<script src="{up}assets/catalogue.js"></script>\n</body>\n</html>\n'
        )

    def _fixed(self, lang: str, multi: bool) -> dict[str, Any]:
        """The parts of a service page that do not depend on the service, escaped once per language."""
        return _once(self._fixed_parts, (lang, multi), lambda: self._page_parts(lang, multi))

    def _page_parts(self, lang: str, multi: bool) -> dict[str, Any]:
        w = html_words(lang)
        up = "../../../" if multi else "../../"
        others = [other for other in LANGS if other != lang] if multi else []
        return {
            "head": f'<!doctype html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n<title>',
            "title_end": f" · {w['site_title']}</title>\n"
            f'<link rel="stylesheet" href="{up}assets/catalogue.css">\n</head>\n'
            f'<body>\n<a class="skip" href="#main">{w["skip"]}</a>\n<header class="wrap">\n'
            f'<nav class="top"><a href="../../index.html">{w["back"]}</a>'
            '<a href="../../index.html?category=',
            "category_end": f'">{w["same_category"]}</a></nav>\n',
            "langs": [
                (f'<a href="{up}{other}/', f'" hreflang="{other}" lang="{other}">{LANGUAGE_NAMES[other]}</a>')
                for other in others
            ],
            "langs_start": f'<nav class="langs" aria-label="{w["languages"]}">',
            "h1": '</header>\n<main class="wrap" id="main">\n<h1>',
            "meta": '</h1>\n<p class="meta">',
            "reference": f" · {w['reference']} ",
            "prose": [
                (
                    f"<section><h2>{w[key]}</h2>",
                    f"<section><h2>{w[key]}</h2><p>{w['none_given']}</p></section>\n",
                )
                for key in ("description", "evidence")
            ],
            "facts": [(key, f"<dt>{w[key]}</dt><dd>") for key in FACTS],
            "facts_start": f'<section><h2>{w["key_figures"]}</h2><dl class="facts">',
            "criteria": [
                (
                    crit,
                    f'<tr><td>{e(crit.text(lang))}</td><td class="num">{self.weights[crit.id]:.2f}</td>'
                    '<td class="num">',
                    self.weights[crit.id],
                )
                for crit in self.config.criteria
            ],
            "not_ranked": f"<section><h2>{w['score_rank']}</h2><p>{w['not_ranked']}</p></section>\n",
            "score_start": f'<section><h2>{w["score_rank"]}</h2><p id="rank">',
            "incomplete": f"<p>{w['incomplete']}</p>",
            "score_table": f'<table class="contrib"><thead><tr><th>{w["criterion"]}</th><th class="num">'
            f'{w["weight"]}</th><th class="num">{w["value"]}</th><th class="num">'
            f"{w['contribution']}</th></tr></thead><tbody>",
            "end": f'</main>\n<footer class="wrap"><p>{w["made_with"]}</p></footer>\n</body>\n</html>\n',
        }

    def label_html(self, lang: str, kind: str, code: str) -> str:
        """A code's label, escaped, cached: a few dozen codes label 100,000 pages."""
        return _once(self._label_html, (lang, kind, code), lambda: e(self._label(lang, kind, code)))

    def _label(self, lang: str, kind: str, code: str) -> str:
        if kind == "partner":
            return self.partner_label(code)
        if kind == "category":
            return self.category(lang, code)
        if kind == "category_link":
            return self.category_codes_safe(code)
        return code_label(lang, kind, code)

    def service_pages(self, lang: str, multi: bool, start: int, stop: int) -> list[str]:
        """The pages of entries `start:stop`: every section is computed column by column first,
        from cells read once and pre-escaped fixed parts, then each page is one formatted string
        (100,000 pages per language)."""
        f = self._fixed(lang, multi)
        entries = self.entries[start:stop]
        titles = escape_all(self.titles[start:stop])
        ids = escape_all([en.service_id for en in entries])
        cats = self.cats[start:stop]
        providers = self.providers[start:stop]
        statuses = self.statuses[start:stop]

        def labels(kind: str, codes: list[str]) -> list[str]:
            shown = {code: self.label_html(lang, kind, code) for code in set(codes)}
            return [shown[code] for code in codes]

        partners = labels("partner", [en.partner for en in entries])
        meta = [
            f"{p} · {c} · {v} · {s}{f['reference']}{sid}</p>\n"
            for p, c, v, s, sid in zip(
                partners,
                labels("category", cats),
                labels("provider", providers),
                labels("status", statuses),
                ids,
                strict=True,
            )
        ]
        links = labels("category_link", cats)
        if multi:
            navs = [
                f["langs_start"]
                + "".join(
                    f"{begin}services/{self.partner_dirs[en.partner]}/{en.stem}.html{end}"
                    for begin, end in f["langs"]
                )
                + "</nav>\n"
                for en in entries
            ]
        else:
            navs = [""] * len(entries)
        prose = [
            [
                f'{begin}<p class="prose">{shown}</p></section>\n' if shown else none
                for shown in escape_all(self.prose[key][start:stop])
            ]
            for key, (begin, none) in zip(("description", "evidence"), f["prose"], strict=True)
        ]
        facts = [
            f"{f['facts_start']}{items}</dl></section>\n" if items else ""
            for items in self.facts(start, stop, f["facts"])
        ]
        scores = self.score_sections(lang, start, stop, f)
        practices = self.practice_sections(lang, entries)
        head, title_end, category_end, h1, meta_start, end = (
            f[k] for k in ("head", "title_end", "category_end", "h1", "meta", "end")
        )
        pages = []
        for i, en in enumerate(entries):
            title = titles[i]
            ratings = self.ratings_section(lang, en) if en.ratings else ""
            tests = self.tests_section(lang, en) if en.tests or en.verdict else ""
            plans = self.plans_section(lang, en) if en.plans else ""
            contact = self.contact_section(lang, en.partner)
            pages.append(
                f"{head}{title}{title_end}{links[i]}{category_end}{navs[i]}{h1}{title}{meta_start}{meta[i]}"
                f"{prose[0][i]}{prose[1][i]}{facts[i]}{scores[i]}{ratings}{practices[i]}{tests}{plans}"
                f"{contact}{end}"
            )
        return pages

    def plans_section(self, lang: str, en: Entry) -> str:
        w = html_words(lang)
        rows = "".join(
            f"<tr><td>{e(self.partner_label(text(p['partner'])))}</td><td>{e(p['action'])}</td>"
            f"<td>{e(code_label(lang, 'plan', text(p['status']).upper()))}</td></tr>"
            for p in en.plans
        )
        return (
            f"<section><h2>{w['plans']}</h2><table><thead><tr><th>{w['partner']}</th>"
            f"<th>{w['action']}</th><th>{w['status']}</th></tr></thead>"
            f"<tbody>{rows}</tbody></table></section>\n"
        )

    def facts(self, start: int, stop: int, labels: list[tuple[str, str]]) -> list[str]:
        """The key-figure items of entries `start:stop` ('' where none is given)."""
        columns: list[tuple[str, list[str]]] = []
        for key, dt_dd in labels:
            if key == "start_date":
                shown = escape_all([text(v)[:10] for v in self.start_dates[start:stop]])
            else:  # digits, thin spaces, '.' and '-': nothing to escape
                shown = _formatted(self.numbers[key][start:stop], _amount_of)
            columns.append((dt_dd, shown))
        return [
            "".join(
                [f"{dt_dd}{value}</dd>" for (dt_dd, _), value in zip(columns, values, strict=True) if value]
            )
            for values in zip(*(shown for _, shown in columns), strict=True)
        ]

    def category_codes_safe(self, code: str) -> str:
        """A category code for a link: config codes are [A-Z0-9_]; anything else links to all."""
        return code if code.replace("_", "").isalnum() and code.isascii() else ""

    def criterion_values(self, crit: Criterion, start: int, stop: int) -> list[str]:
        """The criterion's raw values of entries `start:stop`, as shown (digits, thin spaces or a
        dash: nothing to escape)."""
        import numpy as np

        cells = self.numbers
        source = crit.source
        if source == "score":
            values = cells[crit.id][start:stop]
        elif source == "field" and crit.column:
            values = cells[crit.column][start:stop]
        elif source == "ratio" and crit.numerator and crit.denominator:
            num, den = cells[crit.numerator][start:stop], cells[crit.denominator][start:stop]
            with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                values = np.where(den == 0, np.nan, num / den)  # a NaN (no value) stays NaN
        else:
            served, cis = cells["cis_served"][start:stop], self.partner_cis[start:stop]
            with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                values = np.where(cis == 0, np.nan, np.minimum(1.0, served / cis))
        return _formatted(values, _value_text)

    def score_sections(self, lang: str, start: int, stop: int, f: dict[str, Any]) -> list[str]:
        """The score sections of entries `start:stop`, the criteria's cells column by column."""
        entries = self.entries[start:stop]
        rank_of = html_words(lang)["rank_of"]  # filled with digits only: escaped before, not after
        rows: list[list[str]] = []
        for crit, begin, weight in f["criteria"]:
            values = self.criterion_values(crit, start, stop)
            contributions = _formatted(
                self.contributions[crit.id][start:stop], partial(_contribution, weight=weight)
            )
            rows.append(
                [
                    f'{begin}{value}</td><td class="num">{c}</td></tr>'
                    for value, c in zip(values, contributions, strict=True)
                ]
            )
        tables = list(map("".join, zip(*rows, strict=True))) if rows else [""] * len(entries)
        out = []
        for en, table in zip(entries, tables, strict=True):
            if en.rank is None or en.score is None:
                out.append(f["not_ranked"])
                continue
            summary = rank_of.format(rank=en.rank, total=self.ranked, score=f"{en.score:.3f}")
            out.append(
                f"{f['score_start']}{summary}</p>{'' if en.complete else f['incomplete']}{f['score_table']}"
                f"{table}</tbody></table></section>\n"
            )
        return out

    def ratings_section(self, lang: str, en: Entry) -> str:
        w = words(lang)
        by: dict[str, list[float]] = {}
        for r in en.ratings:
            value = number(r["score"])
            if value is not None:
                by.setdefault(text(r["criterion"]), []).append(value)
        known = [c.id for c in self.config.criteria]
        order = [c for c in known if c in by] + sorted(set(by) - set(known))
        rows = []
        for cid in order:
            values = by[cid]
            name = self.crit[cid].text(lang) if cid in known else cid
            rows.append(
                f'<tr><td>{e(name)}</td><td class="num">{len(values)}</td>'
                f'<td class="num">{sum(values) / len(values):.2f}</td>'
                f'<td class="num">{min(values):g} - {max(values):g}</td></tr>'
            )
        return (
            f"<section><h2>{e(w['peer_ratings'])}</h2><table><thead><tr><th>{e(w['criterion'])}</th>"
            f'<th class="num">{e(w["ratings"])}</th><th class="num">{e(w["mean"])}</th>'
            f'<th class="num">{e(w["range"])}</th></tr></thead><tbody>{"".join(rows)}</tbody>'
            "</table></section>\n"
        )

    def practice_sections(self, lang: str, entries: list[Entry]) -> list[str]:
        """The good-practice sections of `entries`, their reasons read in `lang` all at once."""
        from p4c.shortlist import localized_reasons

        w = html_words(lang)
        stated = [en.reasons for en in entries]
        shown = escape_all([str(r) for r in localized_reasons(stated, lang)])
        reasons_label = f'<p><strong>{w["reasons"]}:</strong> <span class="prose">'
        out = []
        for en, reasons in zip(entries, shown, strict=True):
            status = w["gp_unknown"] if en.eligible is None else (w["gp_yes"] if en.eligible else w["gp_no"])
            short = w["sl_yes"] if en.shortlisted else w["sl_no"]
            out.append(
                f'<section><h2>{w["gp_section"]}</h2><p id="gp">{status} {short}</p>'
                f"{reasons_label}{reasons}</span></p></section>\n"
                if en.reasons
                else f'<section><h2>{w["gp_section"]}</h2><p id="gp">{status} {short}</p></section>\n'
            )
        return out

    def reasons(self, lang: str, stage: str, text: str) -> str:
        """A reasons text the shortlist or the evaluation stored (in English), in `lang`, cached."""
        return _once(self._reasons, (lang, stage, text), lambda: _localized(lang, stage, text))

    def tests_section(self, lang: str, en: Entry) -> str:
        w = words(lang)
        out = [f"<section><h2>{e(w['field_tests'])}</h2>"]
        if en.verdict:
            out.append(
                f'<p id="verdict"><strong>{e(w["verdict"])}:</strong> '
                f"{e(code_label(lang, 'verdict', en.verdict))}</p>"
            )
            if en.verdict_reasons:
                shown = self.reasons(lang, "evaluation", en.verdict_reasons)
                out.append(f'<p class="prose">{e(shown)}</p>')
        if en.tests:
            rows = []
            for t in en.tests:
                sat = number(t.get("satisfaction"))
                rows.append(
                    f"<tr><td>{e(self.partner_label(text(t['partner'])))}</td>"
                    f"<td>{e(code_label(lang, 'mode', text(t['mode']).upper()))}</td>"
                    f"<td>{e(code_label(lang, 'test', text(t['status']).upper()))}</td>"
                    f"<td>{e(code_label(lang, 'adoption', text(t['adoption']).upper()))}</td>"
                    f'<td class="num">{"" if sat is None else f"{sat:g}"}</td></tr>'
                )
            out.append(
                f"<table><thead><tr><th>{e(w['host'])}</th><th>{e(w['mode'])}</th>"
                f"<th>{e(w['test_status'])}</th><th>{e(w['adoption'])}</th>"
                f'<th class="num">{e(w["satisfaction"])}</th></tr></thead>'
                f"<tbody>{''.join(rows)}</tbody></table>"
            )
        out.append("</section>\n")
        return "".join(out)

    def contact_section(self, lang: str, partner: str) -> str:
        """The partner's contact section, cached: the same for each of its services."""
        return _once(self._contacts, (lang, partner), lambda: self._contact(lang, partner))

    def _contact(self, lang: str, partner: str) -> str:
        w = words(lang)
        info = self.partners.get(partner) or {}
        items = [f"<dt>{e(w['partner'])}</dt><dd>{e(partner)}</dd>"]
        for key in ("organisation", "region"):
            if text(info.get(key)):
                items.append(f"<dt>{e(w[key])}</dt><dd>{e(info.get(key))}</dd>")
        contact = text(info.get("contact")).strip()
        address = email(contact)
        if address:
            items.append(f'<dt>{e(w["email"])}</dt><dd><a href="mailto:{e(address)}">{e(address)}</a></dd>')
        elif contact:
            items.append(f"<dt>{e(w['contact'])}</dt><dd>{e(contact)}</dd>")
        return (
            f'<section id="contact"><h2>{e(w["contact"])}</h2><dl class="facts">{"".join(items)}</dl>'
            "</section>\n"
        )

    def chooser(self) -> str:
        links = "".join(
            f'<li><a href="{lang}/index.html" hreflang="{lang}" lang="{lang}">'
            f"{LANGUAGE_NAMES[lang]} — {e(word(lang, 'site_title'))}</a></li>"
            for lang in LANGS
        )
        names = " / ".join(word(lang, "choose_language") for lang in LANGS)
        return (
            self.head("en", " / ".join(word(lang, "site_title") for lang in LANGS), "")
            + f'<body>\n<main class="wrap" id="main">\n<h1>{e(names)}</h1>\n<ul>{links}</ul>\n'
            "</main>\n</body>\n</html>\n"
        )


def _amount_of(x: float) -> str:
    """A number with thin-space thousands (readable in every language), no needless decimals; ''
    for NaN or an infinity (no number)."""
    if not math.isfinite(x):
        return ""
    shown = f"{x:,.0f}" if x.is_integer() else f"{x:,.2f}"
    return shown.replace(",", "\u202f")


def _formatted(values: Any, show: Callable[[float], str]) -> list[str]:
    """`show` of every value of a float array, each distinct value formatted once (most criteria
    take a few values). Distinct by bits, so 0.0 and -0.0 stay apart."""
    import numpy as np

    bits = np.ascontiguousarray(values, dtype=np.float64).view(np.int64)
    distinct, at = np.unique(bits, return_inverse=True)
    texts = np.array([show(v) for v in distinct.view(np.float64).tolist()], dtype=object)
    return list(texts[at.reshape(-1)].tolist())


def _value_text(value: float) -> str:
    """A criterion's raw value as shown: a dash when there is none, few decimals when it is small."""
    if math.isnan(value):
        return "—"
    return _amount_of(value) if abs(value) >= 10 else f"{value:.2f}".rstrip("0").rstrip(".")


def _contribution(contribution: float, weight: float) -> str:
    """A criterion's contribution to the score and its bar (the share of the criterion's weight)."""
    if math.isnan(contribution):
        return '—<div class="bar" title="0%"><span style="width:0.0%"></span></div>'
    share = 0.0 if not weight else max(0.0, min(1.0, contribution / weight))
    return (
        f'{contribution:.3f}<div class="bar" title="{share:.0%}"><span style="width:{share * 100:.1f}%">'
        "</span></div>"
    )


@no_gc()  # many small objects (an entry a service, the pages' cells), none in a cycle
def build_catalogue(
    data: CatalogueData,
    config: Config,
    out_dir: Path,
    *,
    lang: Lang = "en",
    progress: Callable[[str], None] | None = None,
    workers: int | None = None,
) -> list[Path]:
    """Write the catalogue into `out_dir` and return every file written (final paths).

    `workers` processes render the service pages (None: one per CPU, up to 4, for a large catalogue
    where fork() is available; 1: all in this process). The files are the same either way.

    Everything is built in a temporary folder beside `out_dir` and swapped in at the end, so a run
    that is killed leaves the previous catalogue intact. An existing `out_dir` is replaced only when
    it is empty or a catalogue made here (it holds the marker file), never another folder.
    """
    if lang not in (*LANGS, "all"):
        raise P4CError(f"catalogue: unknown language `{lang}`; accepted: en, fr, de, all")
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise P4CError(f"catalogue: {out_dir} is a file; give a folder for the catalogue")
    if out_dir.is_dir() and any(out_dir.iterdir()) and not (out_dir / MARKER).is_file():
        raise P4CError(
            f"catalogue: {out_dir} is not empty and is not a p4c catalogue",
            hint="Choose a new or empty folder: the whole folder is replaced on each run.",
        )
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.new-", dir=out_dir.parent))
    pool: Any = None
    try:
        site = _Site(data, config, tmp, out_dir if (out_dir / MARKER).is_file() else None)
        say = progress or (lambda _msg: None)
        multi = lang == "all"
        langs = LANGS if multi else (lang,)
        jobs: list[tuple[str, list[str]]] = []
        for one in langs:
            base = f"{one}/" if multi else ""
            folders = {p: f"{base}services/{d}/" for p, d in site.partner_dirs.items()}
            for folder in folders.values():
                (tmp / folder).mkdir(parents=True, exist_ok=True)
            names = [f"{folders[en.partner]}{en.stem}.html" for en in site.entries]
            site.pages += names
            jobs.append((one, names))
        count = workers if workers is not None else _auto_workers(len(site.entries) * len(langs))
        if count > 1:  # the pages are rendered by forked processes while this one writes the rest
            pool, pending = _start_pages(site, multi, jobs, count)
        site.write_data()
        say("data")
        package = write_datapackage(data, config, tmp / "opendata")
        site.written += package
        site.open_data = [path.name for path in package]
        for one in langs:
            site.write(f"{one}/index.html" if multi else "index.html", site.index_page(one, multi))
        for job in jobs:
            if pool is None:
                _render_pages(site, multi, job, (0, len(job[1])))
            say(job[0])
        if pool is not None:
            pending.get()
            pool.close()
            pool.join()
            pool = None
        if multi:
            site.write("index.html", site.chooser())
        tmp.chmod(0o755 & ~_umask())
        _swap(tmp, out_dir)
    except BaseException:
        if pool is not None:
            pool.terminate()
            pool.join()
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    relative = [p.relative_to(tmp).as_posix() for p in site.written] + site.pages
    relative.sort(key=lambda name: name.split("/"))  # the order of sorted Paths
    root = str(out_dir)
    return [Path(f"{root}/{name}") for name in relative]


PARALLEL_MIN = 20_000  # service pages from which forking workers pays for itself
_JOB: dict[str, tuple[_Site, bool, list[tuple[str, list[str]]]]] = {}  # what forked workers render


def _auto_workers(pages: int) -> int:
    if pages < PARALLEL_MIN or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return max(1, min(4, cpus()))


def _render_pages(site: _Site, multi: bool, job: tuple[str, list[str]], span: tuple[int, int]) -> None:
    """The service pages `span` of one language (`job`: the language and every page's file name)."""
    lang, names = job
    start, stop = span
    _write_all(
        site.root,
        names[start:stop],
        (
            page.encode("utf-8")
            for at in range(start, stop, BATCH)
            for page in site.service_pages(lang, multi, at, min(stop, at + BATCH))
        ),
        previous=site.previous,
        mode=site.file_mode,
    )


def _render_task(task: tuple[int, int, int]) -> int:
    """In a forked worker: one slice of one language's pages (the site is inherited, not pickled)."""
    site, multi, jobs = _JOB["site"]
    k, start, stop = task
    _render_pages(site, multi, jobs[k], (start, stop))
    return stop - start


def _start_pages(site: _Site, multi: bool, jobs: list[tuple[str, list[str]]], count: int) -> tuple[Any, Any]:
    """Fork `count` workers and hand them the pages in slices (a few per worker, for balance)."""
    _JOB["site"] = (site, multi, jobs)
    try:
        pool = multiprocessing.get_context("fork").Pool(count)
    finally:
        _JOB.clear()  # the children have their copy; the parent keeps no reference
    total = len(site.entries)
    step = max(1, math.ceil(total / (count * 4)))
    tasks = [
        (k, start, min(total, start + step)) for k in range(len(jobs)) for start in range(0, total, step)
    ]
    return pool, pool.map_async(_render_task, tasks, chunksize=1)


_NO_FOLLOW = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
_DIRECTORY = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0)
# Pages are linked only where folders can be opened without following links (not on Windows).
_LINKS = hasattr(os, "geteuid") and os.open in os.supports_dir_fd and os.link in os.supports_dir_fd


class _Previous:
    """The catalogue a build replaces, to link its pages that have not changed.

    The folders are opened from the catalogue's root one by one without following links, so a link
    is only ever made to a plain file inside that catalogue. A page is kept when its bytes, mode,
    owner and group are those the new file would get, and the link made is the file compared."""

    def __init__(self, old: Path, new: Path, folders: Iterable[str], mode: int) -> None:
        self.new = str(new)
        self.mode = mode
        self.folders: dict[str, tuple[int, int]] = {}  # folder: its descriptor, a new file's group
        if not _LINKS:
            return
        for folder in sorted(set(folders)):
            fd = _open_folder(str(old), folder)
            if fd is None:
                continue
            made = (new / folder).stat()
            group = made.st_gid if made.st_mode & stat.S_ISGID else os.getegid()
            self.folders[folder] = (fd, group)

    def keep(self, name: str, data: bytes) -> bool:
        """Link the page `name` from the previous catalogue if it holds `data`; False: write it."""
        folder, _, file = name.rpartition("/")
        if folder not in self.folders:
            return False
        at, group = self.folders[folder]
        try:  # only a plain file, never what a link points to (nor a pipe, which would block)
            fd = os.open(file, os.O_RDONLY | _NO_FOLLOW, dir_fd=at)
        except OSError:
            return False
        try:
            found = os.fstat(fd)
            if (
                not stat.S_ISREG(found.st_mode)
                or found.st_mode & 0o7777 != self.mode
                or (found.st_uid, found.st_gid) != (os.geteuid(), group)
                or found.st_size != len(data)
                or os.read(fd, len(data) + 1) != data
            ):
                return False
        except OSError:
            return False
        finally:
            os.close(fd)
        target = f"{self.new}/{name}"
        try:
            os.link(file, target, src_dir_fd=at, follow_symlinks=False)
        except OSError:
            return False
        linked = Path(target)
        made = linked.lstat()
        if (made.st_dev, made.st_ino) == (found.st_dev, found.st_ino):
            return True
        linked.unlink()  # replaced between the comparison and the link: written instead
        return False

    def close(self) -> None:
        for fd, _group in self.folders.values():
            os.close(fd)
        self.folders.clear()


def _open_folder(root: str, folder: str) -> int | None:
    """A descriptor of `folder` below `root`, every step opened without following a link."""
    fd: int | None = None
    try:
        fd = os.open(root, _DIRECTORY)
        for part in folder.split("/") if folder else ():
            inner = os.open(part, _DIRECTORY, dir_fd=fd)
            os.close(fd)
            fd = inner
    except OSError:
        if fd is not None:
            os.close(fd)
        return None
    return fd


def _write_all(
    root: Path,
    names: list[str],
    contents: Iterable[bytes],
    *,
    previous: Path | None,
    mode: int,
    batch: int = 512,
) -> None:
    """Write many small files: this thread renders while two others create and write the files
    (the system calls release the GIL, and file creation is half the time of a 100,000-page site).

    A page the `previous` catalogue holds unchanged (`mode`: the mode a new file gets) is linked
    from it rather than written again (`_Previous`): a run on unchanged data creates no file, and
    the pages keep their dates, so a site synchronised to a web server sends only the pages that
    changed."""
    base = str(root)
    old = _Previous(previous, root, (n.rpartition("/")[0] for n in names), mode) if previous else None

    def write_batch(items: list[tuple[str, bytes]]) -> None:
        for name, data in items:
            if old is not None and old.keep(name, data):
                continue
            fd = os.open(f"{base}/{name}", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view) :]
            finally:
                os.close(fd)

    try:
        with ThreadPoolExecutor(max_workers=2, thread_name_prefix="p4c-catalogue") as pool:
            futures = []
            items: list[tuple[str, bytes]] = []
            for name, data in zip(names, contents, strict=True):
                items.append((name, data))
                if len(items) == batch:
                    futures.append(pool.submit(write_batch, items))
                    items = []
                    while len(futures) > 8:  # bounded memory: wait for the oldest batch
                        futures.pop(0).result()
            futures.append(pool.submit(write_batch, items))
            for future in futures:
                future.result()
    finally:
        if old is not None:
            old.close()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _swap(new: Path, target: Path) -> None:
    """Put `new` at `target`; the previous catalogue is moved aside first and removed after."""
    old: Path | None = None
    if target.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
        target.replace(old / "catalogue")
    try:
        new.replace(target)
    except BaseException:
        if old is not None:
            (old / "catalogue").replace(target)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def read_processed(folder: Path, config: Config, *, evaluation: bool = True) -> CatalogueData:
    """The catalogue's tables: the store's services, partners, scores and plans, and the ranking,
    shortlist and evaluation files of a processed folder: what `p4c catalogue` reads."""
    import pandas as pd

    from p4c import store

    def csv(name: str, required: bool = True) -> Any:
        path = folder / name
        if not path.is_file():
            if required:
                raise P4CError(
                    f"catalogue: {path} is missing", hint="Run `p4c run` (or `p4c shortlist`) first."
                )
            return None
        keys = dict.fromkeys(("partner", "service_id", "practice_partner", "practice_id", "rater"), str)
        return pd.read_csv(path, encoding="utf-8-sig", keep_default_na=False, na_values=[""], dtype=keys)

    processed = store.load_processed(folder, config)
    actions = store.read_table(folder, store.PLAN_ACTIONS) if evaluation else None
    if actions is not None:
        actions = actions[
            [
                c
                for c in ("partner", "practice_partner", "practice_id", "action", "status")
                if c in actions.columns
            ]
        ].dropna(subset=["practice_partner", "practice_id"])
    scores = store.read_table(folder, store.SCORES) if evaluation else None
    if scores is not None:
        scores = scores[["rater", "partner", "service_id", "criterion", "score"]]
    return CatalogueData(
        services=processed.services,
        partners=processed.partners,
        ranking=csv(store.RANKING_FILE),
        candidates=csv(store.CANDIDATES_FILE),
        shortlist=csv(store.SHORTLIST_FILE),
        evaluation=csv(store.EVALUATION_FILE, False) if evaluation else None,
        field_tests=csv(store.FIELD_TEST_RESULTS_FILE, False) if evaluation else None,
        plans=actions,
        scores=scores,
    )
