"""The report's charts: what each shows, well-formed and the same for the same inputs."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pandas as pd
import pytest

from p4c.report import Report, ReportOptions, build_report, render_html
from p4c.report.charts import Charts, chart_partners, chart_practices
from p4c.report.words import Words
from tests.report.data import AS_OF, make_processed

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Report:
    fx = make_processed(tmp_path_factory.mktemp("processed"))
    return build_report(fx.folder, fx.config, fx.config_text, ReportOptions(as_of=AS_OF))


def _shown(report: Report, counts: dict[str, int]) -> dict[str, pd.DataFrame]:
    ranking = report.ranking
    return {code: ranking[ranking["partner"] == code].head(n) for code, n in counts.items()}


def _svg(box: str) -> ET.Element:
    """The chart's <svg> element, parsed: the chart is well-formed XML."""
    return ET.fromstring(box[box.index("<svg") : box.rindex("</svg>") + len("</svg>")])


def _texts(box: str) -> list[str]:
    return [t.text or "" for t in _svg(box).iter(f"{SVG}text")]


# --- the report's charts ---------------------------------------------------------------------------


def test_every_chart_of_the_report_is_well_formed_labelled_and_the_same_twice(built: Report) -> None:
    first, second = render_html(built), render_html(built)
    assert first == second
    boxes = re.findall(r'<div class="chart-box".*?</svg></div>', first, re.DOTALL)
    assert len(boxes) >= 9 + len(built.partner_codes)
    for box in boxes:
        root = _svg(box)
        assert root.get("role") == "img" and root.get("aria-label")
        assert re.fullmatch(r"--readable-width: \d+px", root.get("style", ""))


def test_partner_charts_show_their_own_services_and_ranks(built: Report) -> None:
    codes = built.partner_codes
    counts = {code: 10 if i % 2 == 0 else 4 for i, code in enumerate(codes)}
    shown = _shown(built, counts)
    charts = Charts(Words("fr"))
    svgs = chart_partners(charts, built, shown)
    assert list(svgs) == codes
    assert charts.count == len(codes)
    first, second = codes[0], codes[2]
    for title in shown[first]["title"]:
        assert title in _texts(svgs[first])
        assert title not in _texts(svgs[second])
    for code in (first, second):
        notes = [t for t in _texts(svgs[code]) if t.startswith("#")]
        assert notes == [f"#{int(r)}" for r in shown[code]["rank"]], code
        bars = [r for r in _svg(svgs[code]).iter(f"{SVG}rect") if r.get("height") != "100%"]
        assert len(bars) == counts[code] + 3  # a bar a service, three legend swatches
        words = Words("fr")
        assert {words["shortlisted"], words["candidate"], words["other"]} <= set(_texts(svgs[code]))


def test_partner_bars_are_as_long_as_their_scores(built: Report) -> None:
    code = built.partner_codes[0]
    rows = _shown(built, {code: 5})[code]
    svg = chart_partners(Charts(), built, {code: rows})[code]
    plot_bars = [r for r in _svg(svg).iter(f"{SVG}rect") if r.get("height") not in {"100%", "5.6"}]
    widths = [float(r.get("width", 0)) for r in plot_bars]
    scores = rows["score"].astype(float).tolist()
    # one length unit for all: width / score is the same for every bar (xlim 0 .. 1.08)
    units = [wd / s for wd, s in zip(widths, scores, strict=True)]
    assert max(units) == pytest.approx(min(units), rel=1e-3, abs=0.02)


def test_practice_cards_mark_missing_values_and_nothing_of_the_card_before(built: Report) -> None:
    ranked = [str(k) for k in built.shortlist["key"]][:3]
    unranked = "ZZ/not-ranked"  # no criterion value: every bar empty, a "missing" note on each
    keys = [ranked[0], unranked, *ranked[1:]]
    together = chart_practices(Charts(Words("en")), built, keys)
    alone = {key: chart_practices(Charts(Words("en")), built, [key])[key] for key in keys}
    assert together == alone
    assert _texts(together[unranked]).count("missing") == len(built.criterion_ids)
    assert _texts(together[ranked[1]]).count("missing") == 0
    assert together[ranked[0]] != together[ranked[1]]


def test_heatmap_writes_each_partners_count_per_category(built: Report) -> None:
    from p4c.report.charts import chart_heatmap

    svg = chart_heatmap(Charts(), built)
    counts = pd.crosstab(built.services["partner"], built.services["category"].astype(str))
    numbers = sorted(int(t) for t in _texts(svg) if t.isdigit())
    assert numbers == sorted(int(v) for v in counts.to_numpy().ravel() if v > 0)
    cells = [r for r in _svg(svg).iter(f"{SVG}rect") if r.get("stroke") == "white"]
    assert len(cells) == len(numbers)  # a cell for every count, none for an empty pair


def test_histogram_bars_add_up_to_every_scored_service(built: Report) -> None:
    """The stacked bars' heights, in services (the y axis's scale read from its ticks), sum to the
    number of services with a score."""
    from p4c.report.charts import chart_score_histogram

    svg = chart_score_histogram(Charts(), built)
    root = _svg(svg)
    ticks = {
        float(t.text or ""): float(t.get("y", 0))
        for t in root.iter(f"{SVG}text")
        if t.get("text-anchor") == "end" and (t.text or "").isdigit()
    }
    (v0, y0), (v1, y1) = sorted(ticks.items())[:2]
    per_service = (y0 - y1) / (v1 - v0)  # points a service
    bars = [r for r in root.iter(f"{SVG}rect") if r.get("height") not in {"100%", "5.6"}]
    total = sum(float(r.get("height", 0)) for r in bars) / per_service
    assert total == pytest.approx(built.ranking["score"].notna().sum(), abs=0.05)
