"""The report summarises instead of drawing every service: its size does not grow with the data."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from p4c.report import ReportOptions, build_report, render_html
from p4c.report import excel as excel_module
from p4c.report.data import PARTNER_TOP_N
from p4c.report.excel import within_excel
from tests.report.data import AS_OF, make_processed

OPTIONS = ReportOptions(as_of=AS_OF)


def section(page: str, name: str) -> str:
    start = page.index(f'<section id="{name}">')
    return page[start : page.index("</section>", start)]


def test_partner_pages_chart_only_the_best_ranked_services(tmp_path: Path) -> None:
    fx = make_processed(tmp_path, services_per_partner=PARTNER_TOP_N + 10, monte_carlo=False)
    rep = build_report(fx.folder, fx.config, fx.config_text, OPTIONS)
    partners = section(render_html(rep), "partners")
    for code in fx.partners:
        page = partners[partners.index(f'id="partner-{code}"') :]
        page = page[: page.index("</svg>")]
        labels = [int(n) for n in re.findall(r">#(\d+)<", page)]
        own = rep.ranking[rep.ranking["partner"] == code]["rank"].astype(int).tolist()
        assert labels == own[:PARTNER_TOP_N], code
    assert partners.count(f"best-ranked of {PARTNER_TOP_N + 10} ranked services") == len(fx.partners)


def test_the_ranking_section_has_a_histogram_of_every_score(tmp_path: Path) -> None:
    fx = make_processed(tmp_path, services_per_partner=30, monte_carlo=False)
    rep = build_report(fx.folder, fx.config, fx.config_text, OPTIONS)
    ranking = section(render_html(rep), "ranking")
    total = len(rep.ranking)
    assert f"All {total} services by score" in ranking
    assert f"score ({total:,} services in 20 bins)" in ranking
    assert ranking.count("<svg") == 2


def test_partner_counts_match_a_count_per_partner(tmp_path: Path) -> None:
    fx = make_processed(tmp_path, services_per_partner=12, monte_carlo=False)
    rep = build_report(fx.folder, fx.config, fx.config_text, OPTIONS)
    table = rep.partners.set_index("partner")
    for code in fx.partners:
        assert table.at[code, "services"] == int((rep.services["partner"] == code).sum())
        assert table.at[code, "eligible"] == int(
            (rep.candidates["eligible"] & (rep.candidates["partner"] == code)).sum()
        )
        assert table.at[code, "shortlisted"] == int((rep.shortlist["partner"] == code).sum())
        assert table.at[code, "tests_given"] == int((rep.field_tests["practice_partner"] == code).sum())
        assert table.at[code, "tests_taken"] == int((rep.field_tests["partner"] == code).sum())
        assert table.at[code, "best_rank"] == rep.ranking.loc[rep.ranking["partner"] == code, "rank"].min()


def test_a_sheet_past_excels_row_limit_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(excel_module, "XLSX_MAX_ROWS", 5)
    frame = pd.DataFrame({"rank": range(1, 9), "partner": ["BE"] * 8})
    sheet = within_excel(frame, "ranking.csv")
    assert len(sheet) == 5
    assert sheet["rank"].tolist()[:4] == [1, 2, 3, 4]
    assert sheet["rank"].iloc[4] == (
        "4 more rows not shown: Excel holds at most 6 rows a sheet; ranking.csv has all 8"
    )
    small = frame.head(5)
    assert within_excel(small, "ranking.csv") is small
