"""The report's charts: drawing them faster must not change what they show."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from matplotlib.font_manager import FontProperties
from matplotlib.textpath import TextToPath

from p4c.report import Report, ReportOptions, build_report
from p4c.report.charts import (
    Charts,
    _measurer,
    _svg_metrics,
    _text_width,
    chart_partners,
    chart_practices,
    chart_style,
)
from p4c.report.words import Words
from tests.report.data import AS_OF, make_processed


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Report:
    fx = make_processed(tmp_path_factory.mktemp("processed"))
    return build_report(fx.folder, fx.config, fx.config_text, ReportOptions(as_of=AS_OF))


def _unprefixed(svg: str) -> str:
    """A chart's SVG without its page-unique id prefix (c1-, c2-...)."""
    return re.sub(r"\bc\d+-", "", svg)


def _shown(report: Report, counts: dict[str, int]) -> dict[str, pd.DataFrame]:
    ranking = report.ranking
    return {code: ranking[ranking["partner"] == code].head(n) for code, n in counts.items()}


def test_partner_charts_on_a_shared_figure_are_the_charts_of_their_own_figure(built: Report) -> None:
    codes = built.partner_codes
    assert len(codes) >= 4
    # two row counts: the figure is shared by partners with as many rows, and not across counts
    counts = {code: 10 if i % 2 == 0 else 4 for i, code in enumerate(codes)}
    shown = _shown(built, counts)
    assert {len(rows) for rows in shown.values()} == {10, 4}
    with chart_style():
        together = chart_partners(Charts(Words("fr")), built, shown)
        alone = {
            code: chart_partners(Charts(Words("fr")), built, {code: rows}) for code, rows in shown.items()
        }
    assert list(together) == codes
    for code in codes:
        assert _unprefixed(together[code]) == _unprefixed(alone[code][code]), code
    # each partner's own labels and nothing of the partner drawn before it on the same figure
    first, second = codes[0], codes[2]
    assert counts[first] == counts[second]
    for title in shown[first]["title"]:
        assert f">{title}<" in together[first]
        assert f">{title}<" not in together[second]
    for code in (first, second):
        notes = re.findall(r">#(\d+)<", together[code])
        assert notes == [str(int(r)) for r in shown[code]["rank"]], code


def test_partner_charts_number_their_ids_in_drawing_order(built: Report) -> None:
    shown = _shown(built, dict.fromkeys(built.partner_codes[:3], 5))
    charts = Charts(Words("en"))
    with chart_style():
        svgs = chart_partners(charts, built, shown)
    assert charts.count == 3
    for number, svg in enumerate(svgs.values(), start=1):
        ids = set(re.findall(r'\sid="(c\d+)-', svg))
        assert ids == {f"c{number}"}


@pytest.mark.parametrize("text", ["BE", "1. BE · Export missions for clusters", "Ü ñ é — 0,75 %", ""])
def test_text_sizes_kept_across_charts_are_matplotlibs(text: str) -> None:
    prop = FontProperties(family="sans-serif", size=8)
    with chart_style():
        expected = TextToPath().get_text_width_height_descent(text, prop, False)
        first = _svg_metrics(text, prop, False)
        again = _svg_metrics(text, prop.copy(), False)
    assert first == tuple(float(v) for v in expected)
    assert again == first
    bigger = FontProperties(family="sans-serif", size=16)
    with chart_style():
        if text:
            assert _svg_metrics(text, bigger, False)[0] == pytest.approx(2 * first[0], rel=1e-6)


def test_label_width_is_the_widest_label_measured_once() -> None:
    labels = ["BE", "1. BE · Export missions for clusters", "FR"]
    prop = FontProperties(family="sans-serif", size=8)
    with chart_style():
        renderer = _measurer()
        widths = [renderer.get_text_width_height_descent(label, prop, ismath=False)[0] for label in labels]
        assert _text_width(labels, 8) == max(widths) == widths[1]
        assert _text_width(labels[1:2], 8) == widths[1]  # kept, the same
        assert _text_width([], 8) == 0.0
        assert _text_width(labels[1:2], 9) > widths[1]


def test_practice_cards_on_the_shared_figure_are_the_cards_of_their_own_figure(built: Report) -> None:
    ranked = [str(k) for k in built.shortlist["key"]][:3]
    unranked = "ZZ/not-ranked"  # no criterion value: every bar empty, a "missing" note on each
    keys = [ranked[0], unranked, *ranked[1:]]
    with chart_style():
        together = chart_practices(Charts(Words("en")), built, keys)
        alone = {key: chart_practices(Charts(Words("en")), built, [key])[key] for key in keys}
    assert list(together) == keys
    for key in keys:
        assert _unprefixed(together[key]) == _unprefixed(alone[key]), key
    assert together[unranked].count(">missing<") == len(built.criterion_ids)
    assert together[ranked[1]].count(">missing<") == 0  # the notes went with the card before
    assert together[ranked[0]] != together[ranked[1]]


def test_aside_runs_in_a_child_and_gives_its_value() -> None:
    """Where it can, `make()` runs in a forked child (another pid) while this process goes on."""
    import os

    from p4c.report.charts import Aside

    here = os.getpid()
    aside = Aside(lambda: {"pid": os.getpid(), "chart": "<svg/>"})
    value = aside.result()
    assert value["chart"] == "<svg/>"
    if (os.cpu_count() or 1) > 1 and hasattr(os, "fork"):
        assert value["pid"] != here


def test_aside_runs_here_when_the_child_fails_or_a_thread_runs() -> None:
    import os
    import threading

    from p4c.report.charts import Aside

    here = os.getpid()

    def only_here() -> int:
        if os.getpid() != here:
            raise RuntimeError("not in the child")
        return os.getpid()

    assert Aside(only_here).result() == here  # the child failed: made again here
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert Aside(os.getpid).result() == here  # a child of a threaded process: not forked
    finally:
        stop.set()
        other.join()


def test_aside_not_wanted_runs_here() -> None:
    import os

    from p4c.report.charts import Aside

    assert Aside(os.getpid, fork=False).result() == os.getpid()


def test_aside_closed_before_its_value_stops_the_child() -> None:
    import os
    import time

    from p4c.report.charts import Aside

    aside = Aside(lambda: time.sleep(30))
    started = time.perf_counter()
    aside.close()
    assert time.perf_counter() - started < 5
    assert aside.pid == 0
    if (os.cpu_count() or 1) > 1 and hasattr(os, "fork"):
        assert aside.scratch is not None and aside.scratch.closed
