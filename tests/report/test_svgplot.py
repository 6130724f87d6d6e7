"""The SVG kit of the report's charts: its maths against independent oracles, its marks and text."""

from __future__ import annotations

import itertools
import math
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given
from hypothesis import strategies as st

from p4c.report.charts import BLUES, RED_YELLOW_GREEN
from p4c.report.svgplot import LegendEntry, Plot, nice_ticks, ramp, text_width, tick_texts, widest

SVG = "{http://www.w3.org/2000/svg}"


# --- text measure ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "BE",
        "1. BE · Export missions for clusters",
        "Ü ñ é — 0,75 %",
        "Förderlotse für EU- und Landesprogramme",
        "Ηράκλειο Κρήτης",
        "Rencontres d'affaires « Industrie du futur »",
    ],
)
def test_text_width_is_the_fonts_own(text: str) -> None:
    """Oracle: FreeType's layout of DejaVu Sans through matplotlib (a test tool, not a dependency).
    The kit adds advance widths without kerning, so it may differ by a little."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextToPath

    expected = TextToPath().get_text_width_height_descent(
        text, FontProperties(family="DejaVu Sans", size=8), False
    )[0]
    assert text_width(text, 8) == pytest.approx(expected, rel=0.03, abs=0.5)
    assert text_width(text, 16) == pytest.approx(2 * text_width(text, 8))


def test_text_width_of_characters_the_font_table_lacks_is_a_digits() -> None:
    assert text_width("中", 10) == text_width("0", 10) > 0
    assert text_width("", 8) == 0.0
    assert widest(["BE", "1. BE · Export missions", "FR"]) == text_width("1. BE · Export missions", 8)
    assert widest([]) == 0.0


# --- scales ----------------------------------------------------------------------------------------


@given(
    st.floats(-1e6, 1e6, allow_nan=False),
    st.floats(1e-6, 1e6, allow_nan=False),
    st.integers(2, 12),
    st.booleans(),
)
def test_nice_ticks_are_round_evenly_spaced_and_inside(
    lo: float, span: float, most: int, whole: bool
) -> None:
    hi = lo + span
    ticks, step = nice_ticks(lo, hi, most, whole=whole)
    if whole and math.floor(hi + 1e-9) < math.ceil(lo - 1e-9):
        assert ticks == []  # no whole number in the range
        return
    assert ticks, (lo, hi)
    mantissa = step / 10 ** math.floor(math.log10(step) + 1e-12)
    assert any(math.isclose(mantissa, m, rel_tol=1e-9) for m in (1, 2, 2.5, 5, 10))
    if whole:
        assert step >= 1 and step == int(step)
    tolerance = 1e-9 * max(1.0, abs(lo), abs(hi))
    assert ticks[0] >= lo - tolerance and ticks[-1] <= hi + tolerance
    assert all(
        math.isclose(b - a, step, rel_tol=1e-6, abs_tol=tolerance) for a, b in itertools.pairwise(ticks)
    )
    if not whole or span >= 1:
        assert len(ticks) <= most + 1
    assert ticks[0] - step < lo + tolerance  # none missed below the first
    assert ticks[-1] + step > hi - tolerance  # nor above the last


def test_nice_ticks_of_an_empty_range_is_its_one_value() -> None:
    assert nice_ticks(3.0, 3.0) == ([3.0], 1.0)
    assert nice_ticks(0.0, math.inf) == ([0.0], 1.0)


@pytest.mark.parametrize(
    ("values", "step", "lang", "expected"),
    [
        ([0.0, 0.25, 0.5], 0.25, "en", ["0.00", "0.25", "0.50"]),
        ([0.0, 0.2, 0.4], 0.2, "fr", ["0,0", "0,2", "0,4"]),
        ([0.0, 5.0, 10.0], 5.0, "de", ["0", "5", "10"]),
        ([0.0, 1000.0, 2000.0], 1000.0, "en", ["0", "1,000", "2,000"]),
        ([0.0, 1000.0, 2000.0], 1000.0, "de", ["0", "1.000", "2.000"]),
    ],
)
def test_tick_texts_have_the_steps_decimals_in_the_pages_language(
    values: list[float], step: float, lang: str, expected: list[str]
) -> None:
    assert tick_texts(values, step, lang) == expected


@pytest.mark.parametrize(("name", "stops"), [("Blues", BLUES), ("RdYlGn", RED_YELLOW_GREEN)])
@pytest.mark.parametrize("at", [0.0, 0.1, 0.33, 0.5, 0.77, 0.999, 1.0])
def test_colour_ramps_are_matplotlibs(name: str, stops: tuple[str, ...], at: float) -> None:
    """Oracle: matplotlib's colormap of the same name (256 steps, so within 1/255 a channel or two)."""
    from matplotlib import colormaps

    expected = [round(c * 255) for c in colormaps[name](at)[:3]]
    colour = ramp(stops, at)
    got = [int(colour[k : k + 2], 16) for k in (1, 3, 5)]
    assert all(abs(g - e) <= 2 for g, e in zip(got, expected, strict=True)), (colour, expected)


def test_ramp_clamps_outside_its_range() -> None:
    assert ramp(BLUES, -1) == BLUES[0] and ramp(BLUES, 2) == BLUES[-1]


def test_plot_maps_rows_from_the_top_and_values_from_the_left() -> None:
    plot = Plot.rows(2.0, 4, 0.25, left=20, top=10, bottom=6, right=4)
    assert (plot.width, plot.height) == (144, 4 * 18 + 16)
    plot.xlim = (0.0, 2.0)
    assert plot.x(0) == 20 and plot.x(2) == 140 and plot.x(1) == 80
    assert plot.y(-0.5) == 10 and plot.y(3.5) == plot.height - 6  # row 0 at the top
    plot.barh(1, 1.0, start=0.5, height=0.5, color="#123456")
    plot.barh(2, 0.0, color="#123456")  # an empty bar draws nothing
    plot.barh(3, math.nan, color="#123456")
    assert plot.data == ['<rect x="50" y="32.5" width="60" height="9" fill="#123456"/>']  # row 1: 37 +- 4.5


values = st.floats(allow_nan=True, allow_infinity=True, width=32) | st.floats(-2, 2)


@given(st.lists(st.tuples(values, values, values), max_size=12), st.text(max_size=20))
def test_any_values_give_well_formed_svg_without_nan_points(
    marks: list[tuple[float, float, float]], words: str
) -> None:
    """A missing value (NaN, an infinity) draws nothing: the SVG never holds "nan" or "inf"."""
    plot = Plot.rows(4.0, 3, 0.3)
    for x, y, z in marks:
        plot.barh(y, x, start=z, color="#123456")
        plot.hline(y, x, z, "#123456", 2)
        plot.circle(x, y, 4, "#123456")
        plot.tick_mark(x, y, 6, 1, "#123456")
        plot.vline(x, "#123456", 1)
        plot.text(x, y, words)
    svg = plot.svg(words)
    root = ET.fromstring(svg)
    numbers = [v for e in root.iter() for k, v in e.attrib.items() if k in {"x", "y", "width", "height", "r"}]
    assert not any(n in {"nan", "inf", "-inf"} for n in numbers)
    assert all(
        float(v) >= 0
        for e in root.iter(f"{SVG}rect")
        for k, v in e.attrib.items()
        if k in {"width", "height"} and v != "100%"
    )


def test_left_margin_fits_the_widest_label_and_never_passes_six_tenths() -> None:
    labels = ["BE", "1. BE · Export missions for clusters"]
    assert Plot.rows(9.0, 2, 0.26, labels=labels).left == pytest.approx(widest(labels) + 10)
    assert Plot.rows(1.0, 2, 0.26, labels=labels).left == pytest.approx(0.6 * 72)


def test_readable_width_is_where_the_smallest_text_is_nine_pixels() -> None:
    plot = Plot.rows(9.0, 2, 0.26)
    plot.text(0.5, 0, "big", size=12)
    plot.text(0.5, 1, "small", size=6)
    assert plot.readable_width() == math.ceil(648 * 9 / 6)
    assert 'style="--readable-width: 972px"' in plot.svg("label")


def test_text_is_escaped_and_the_label_too() -> None:
    plot = Plot.rows(4.0, 1, 0.3)
    plot.row_labels(['<script>alert("x")</script> & Co'])
    plot.legend([LegendEntry("#000000", "a < b")])
    svg = plot.svg('A "chart" <of> things')
    root = ET.fromstring(svg)
    assert root.get("aria-label") == 'A "chart" <of> things'
    assert [t.text for t in root.iter(f"{SVG}text")] == ['<script>alert("x")</script> & Co', "a < b"]
    assert "<script>" not in svg


def test_legend_lays_its_entries_in_rows_of_columns_above_the_plot() -> None:
    plot = Plot.rows(9.0, 3, 0.3, top=40)
    entries = [LegendEntry(c, f"entry {i}") for i, c in enumerate(["#111111", "#222222", "#333333"])]
    plot.legend(entries, align="left", columns=2)
    root = ET.fromstring(plot.svg("x"))
    texts = {t.text: (float(t.get("x", 0)), float(t.get("y", 0))) for t in root.iter(f"{SVG}text")}
    assert texts["entry 0"][1] == texts["entry 1"][1] < texts["entry 2"][1] < plot.top
    assert texts["entry 0"][0] == texts["entry 2"][0] < texts["entry 1"][0]
    assert len(list(root.iter(f"{SVG}rect"))) == 1 + 3  # the background and a swatch per entry
