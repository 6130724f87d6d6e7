"""The column-wise page cells equal the former per-row rendering, value for value, at the edges:
missing numbers, zero denominators, infinities, huge and negative values, -0.0, HTML specials, a
NUL character in a text, and in every language."""

from __future__ import annotations

import datetime as dt
import decimal
import html
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from p4c.catalogue import CatalogueData
from p4c.catalogue.model import number, numbers, search_text, search_texts, table_columns, text, texts
from p4c.catalogue.site import _Site, escape_all
from p4c.catalogue.words import LANGS, words
from p4c.config import Criterion
from tests.catalogue.data import config, make_data

# --- the former per-row rendering (the oracle) -------------------------------------------------


def former_amount(value: object) -> str:
    x = number(value)
    if x is None:
        return ""
    shown = f"{x:,.0f}" if float(x).is_integer() else f"{x:,.2f}"
    return shown.replace(",", "\u202f")


def former_value(crit: Criterion, row: dict[str, Any], info: dict[str, Any]) -> str:
    source = crit.source
    value: float | None
    if source == "score":
        value = number(row.get(crit.id))
    elif source == "field" and crit.column:
        value = number(row.get(crit.column))
    elif source == "ratio" and crit.numerator and crit.denominator:
        num, den = number(row.get(crit.numerator)), number(row.get(crit.denominator))
        value = num / den if num is not None and den else None
    else:
        served, cis = number(row.get("cis_served")), number(info.get("cluster_initiatives"))
        value = min(1.0, served / cis) if served is not None and cis else None
    if value is None:
        return "—"
    return former_amount(value) if abs(value) >= 10 else f"{value:.2f}".rstrip("0").rstrip(".")


def former_score_section(site: _Site, lang: str, index: int, rows: dict[str, list[dict[str, Any]]]) -> str:
    en = site.entries[index]
    f = site._fixed(lang, False)
    if en.rank is None or en.score is None:
        return str(f["not_ranked"])
    row = rows["services"][en.pos]
    ranked = rows["ranking"][en.rpos]
    contributions = {c.id: number(ranked.get(c.id)) for c in site.config.criteria if c.id in ranked}
    summary = words(lang)["rank_of"].format(rank=en.rank, total=site.ranked, score=f"{en.score:.3f}")
    parts = [f["score_start"], html.escape(summary), "</p>", "" if en.complete else f["incomplete"]]
    parts.append(f["score_table"])
    for crit, start, weight in f["criteria"]:
        contrib = contributions.get(crit.id)
        share = 0.0 if contrib is None or not weight else max(0.0, min(1.0, contrib / weight))
        parts += (
            start,
            former_value(crit, row, site.partners.get(en.partner) or {}),
            '</td><td class="num">',
            "—" if contrib is None else f"{contrib:.3f}",
            f'<div class="bar" title="{share:.0%}"><span style="width:{share * 100:.1f}%">'
            "</span></div></td></tr>",
        )
    parts.append("</tbody></table></section>\n")
    return "".join(parts)


def former_facts(site: _Site, lang: str, row: dict[str, Any]) -> str:
    out = []
    for key, dt_dd in site._fixed(lang, False)["facts"]:
        value = row.get(key)
        shown = former_amount(value) if key != "start_date" else text(value)[:10]
        if shown:
            out += (dt_dd, html.escape(shown, quote=True), "</dd>")
    return "".join(out)


def rows_of(frame: pd.DataFrame) -> list[dict[str, Any]]:
    columns = table_columns(frame)
    return [dict(zip(columns, values, strict=True)) for values in zip(*columns.values(), strict=True)]


# --- edge data ---------------------------------------------------------------------------------

FLOATS = [math.nan, 0.0, -0.0, 1e308, 12345.678, -5.5, math.inf, -math.inf, 9.995, 10.0, 0.004, 1e-300]
INTS = [0, None, 3, 2**53 + 1, 7, 0, None, 10**15, 1, 2, 0, 5]


def edge_data() -> CatalogueData:
    data = make_data(2, optional=False, hostile=True)
    services = data.services.copy()
    n = len(services)
    services["annual_budget_eur"] = [FLOATS[k % len(FLOATS)] for k in range(n)]
    services["staff_fte"] = [FLOATS[(k + 5) % len(FLOATS)] for k in range(n)]
    services["smes_reached"] = pd.array([INTS[k % len(INTS)] for k in range(n)], dtype="Int64")
    services["cis_served"] = pd.array([INTS[(k + 3) % len(INTS)] for k in range(n)], dtype="Int64")
    services["impact"] = [FLOATS[(k + 2) % len(FLOATS)] for k in range(n)]
    services["relevance"] = pd.Series([f" {k}.5 " if k % 3 else "n/a" for k in range(n)], dtype=object)
    services["innovation"] = [bool(k % 2) for k in range(n)]
    services = services.drop(columns=["synergy"])
    services["start_date"] = pd.Series(
        [dt.date(2020, 1, 2), "<2019>-01-01 & later", None, dt.datetime(2021, 3, 4, 5, 6)] * (n // 4)
        + [math.nan] * (n % 4),
        dtype=object,
    )
    services["title"] = [f"a\0b <&> {k}" if k == 0 else t for k, t in enumerate(services["title"])]
    partners = data.partners.copy()
    partners["cluster_initiatives"] = pd.array([0, None, 5, 12, 1, 3, 8], dtype="Int64")
    ranking = data.ranking.copy()
    ranking["impact"] = [FLOATS[(k + 1) % len(FLOATS)] for k in range(len(ranking))]
    ranking["innovation"] = [-0.0 if k % 2 else -0.25 for k in range(len(ranking))]
    ranking = ranking.drop(columns=["synergy"])
    ranking.loc[1, "complete"] = False
    return CatalogueData(services, partners, ranking, data.candidates, data.shortlist)


# --- tests -------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_score_sections_and_facts_equal_the_former_per_row_rendering(lang: str, tmp_path: Path) -> None:
    data = edge_data()
    site = _Site(data, config(), tmp_path)
    rows = {"services": rows_of(data.services), "ranking": rows_of(data.ranking)}
    n = len(site.entries)
    f = site._fixed(lang, False)
    for start, stop in ((0, n), (0, 5), (5, n)):  # batches give the same cells
        scores = site.score_sections(lang, start, stop, f)
        facts = site.facts(start, stop, f["facts"])
        for k in range(start, stop):
            assert scores[k - start] == former_score_section(site, lang, k, rows), k
            assert facts[k - start] == former_facts(site, lang, rows["services"][site.entries[k].pos]), k
    pages = site.service_pages(lang, False, 0, n)
    first = next(k for k, en in enumerate(site.entries) if en.pos == 0)
    assert "<title>a\0b &lt;&amp;&gt; 0 · " in pages[first]
    assert sum('<td class="num">—</td>' in page for page in pages) > 0  # a missing value shown


def test_the_edges_are_reached() -> None:
    """The data above really has zero denominators, infinities and missing contributions."""
    data = edge_data()
    site = _Site(data, config(), Path("unused"))
    shown = "".join(site.service_pages("en", False, 0, len(site.entries)))
    for piece in ("—<div", '<td class="num">0</td>', "-0.000<div", "1\u202f000\u202f000"):
        assert piece in shown, piece


@pytest.mark.parametrize(
    "column",
    [
        pd.Series(FLOATS),
        pd.Series(FLOATS, dtype="Float64"),
        pd.Series([1, None, 2**63 - 1, -(2**62) - 1], dtype="Int64"),
        pd.Series([0, 2**64 - 1, 2**53 + 1], dtype="uint64"),
        pd.Series([True, False]),
        pd.Series([True, None], dtype="boolean"),
        pd.Series(["1.5", " 2 ", "abc", None, "inf", "-0", "1e400"], dtype=object),
        pd.Series(["1.5", None, "x"], dtype="str"),
        pd.Series([decimal.Decimal("0.1"), dt.date(2020, 1, 1), 3, math.nan, pd.NA, True], dtype=object),
    ],
)
def test_numbers_are_number_of_every_cell(column: pd.Series) -> None:
    frame = pd.DataFrame({"x": column})
    expected = [number(v) for v in column.tolist()]
    got = numbers(frame, "x")
    assert got.dtype == np.float64
    assert [None if math.isnan(v) else v for v in got.tolist()] == expected
    assert [math.copysign(1, v) for v in got.tolist() if v == 0] == [
        math.copysign(1, v) for v in expected if v == 0
    ]
    assert np.isnan(numbers(frame, "missing")).all() and len(numbers(frame, "missing")) == len(column)


def test_the_last_of_two_columns_of_one_name_wins_as_in_a_row() -> None:
    frame = pd.DataFrame([[1.0, 2.0]], columns=["x", "x"])
    assert numbers(frame, "x").tolist() == [2.0]
    assert table_columns(frame) == {"x": [2.0]} == {k: [v] for k, v in rows_of(frame)[0].items()}


def test_texts_and_escape_all_equal_one_by_one() -> None:
    values: list[Any] = ["a", " ", "", "  x", None, math.nan, 3.0, 2.5, dt.date(2020, 1, 2), "<&\"'>", "a\0b"]
    assert texts(values) == [text(v) for v in values]
    shown = [text(v) for v in values]
    assert escape_all(shown) == [html.escape(v, quote=True) for v in shown]
    assert escape_all(shown[:-1]) == [html.escape(v, quote=True) for v in shown[:-1]]
    assert escape_all([]) == []


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(st.text(max_size=30), st.sampled_from(["", "Réseau ÆRØ q\u0303x", "a_b 1-2 A"])),
        max_size=8,
    )
)
def test_search_texts_equal_search_text_of_each_service(services: list[tuple[str, str]]) -> None:
    titles = [t for t, _ in services]
    others = [o for _, o in services]
    assert search_texts(titles, others) == [search_text(t, o) for t, o in services]
