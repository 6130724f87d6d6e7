"""A small plotting kit that writes the report's charts straight as SVG: a plot area with a linear x
scale and a linear (or row) y scale, bars, lines, markers, text, axes and legends.

Why not matplotlib: the charts are rectangles, lines and text, and matplotlib took a third of
`p4c run`'s CPU after ingest for them (about 1.2 s to draw the 31 charts at 21,000 services, and
0.4 s to import). Here a chart is a few hundred strings joined.

Lengths are points (1/72 inch), the SVG's user units: a chart 9 inches wide has a viewBox 648 wide,
and the page scales it to its column. Text stays text (searchable, styled by the page's font); its
widths come from DejaVu Sans's metrics (fontwidths.json), close to any common sans-serif. The same
inputs give byte-identical SVG: no ids, no dates, numbers rounded to 0.01 pt.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from html import escape
from typing import Literal

from p4c.report.format import localize

INK = "#1F2933"
MUTED = "#616E7C"
GRID = "#E4E7EB"
SPINE = "#9AA5B1"
FONT = "DejaVu Sans, Verdana, Arial, sans-serif"
TICK_SIZE = 8.0  # points: tick labels, value notes and legends
LABEL_SIZE = 9.0  # points: axis titles
TICK_LENGTH = 3.5
TICK_PAD = 3.5  # between a tick (or the spine) and its label
LABEL_PAD = 4.0  # between the tick labels and the axis title
LINE = 1.2  # a text line's height, in font sizes
# A legend, in font sizes (as matplotlib spaces one): its swatch, the gap to the label, between
# columns, between rows, inside its box and from the plot
HANDLE_HEIGHT, HANDLE_PAD, ROW_GAP, BOX_PAD, PLOT_PAD = 0.7, 0.8, 0.5, 0.4, 0.3
# The smallest chart text on screen, in CSS px: below it a chart scrolls sideways rather than shrink.
READABLE_PX = 9.0

Anchor = Literal["start", "middle", "end"]
Marker = Literal["patch", "circle", "tick"]


FONT_WIDTHS = "fontwidths.json"  # beside this module; written by scripts/font_widths.py


@lru_cache(maxsize=1)
def _widths() -> tuple[dict[int, int], int]:
    """The font's advance widths by code point, and its units per em."""
    import json
    from importlib.resources import files

    table = json.loads(files(__package__).joinpath(FONT_WIDTHS).read_text(encoding="utf-8"))
    widths = {first + i: w for first, row in table["ranges"] for i, w in enumerate(row) if w >= 0}
    return widths, int(table["units_per_em"])


@lru_cache(maxsize=8192)
def text_width(text: str, size: float) -> float:
    """The width in points of `text` at `size` points (kept: the same labels recur across charts)."""
    widths, units = _widths()
    digit = widths[ord("0")]  # for a character the table does not have
    return sum(widths.get(ord(c), digit) for c in text) * size / units


def widest(texts: Sequence[str], size: float = TICK_SIZE) -> float:
    return max((text_width(t, size) for t in texts), default=0.0)


# What XML 1.0 does not allow in text (C0 controls but tab, line feed and carriage return; the two
# non-characters U+FFFE and U+FFFF; lone surrogates): dropped, so a stray byte in a partner's title
# cannot make the chart, or the page around it, malformed.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _xml_text(text: str, *, quote: bool) -> str:
    return escape(_NOT_XML.sub("", text), quote=quote)


def _finite(*values: float) -> bool:
    """Whether a mark can be placed: a missing value (NaN) draws nothing rather than "nan" points."""
    return all(math.isfinite(v) for v in values)


def _n(value: float) -> str:
    """A coordinate: two decimals at most, no trailing zeros, no "-0"."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in {"-0", ""} else text


def nice_ticks(lo: float, hi: float, most: int = 8, *, whole: bool = False) -> tuple[list[float], float]:
    """At most `most` + 1 round ticks (steps of 1, 2, 2.5 or 5 times a power of ten; `whole`: whole
    numbers only) from `lo` to `hi`, and their step."""
    span = hi - lo
    if not (span > 0 and math.isfinite(span)):
        return [lo], 1.0
    magnitude = 10.0 ** math.floor(math.log10(span / most))
    steps = [m * magnitude for m in (1.0, 2.0, 2.5, 5.0, 10.0)]
    if whole:
        steps = [max(1.0, s) for s in steps if s >= 1 and s == int(s)] or [1.0]
    step = next((s for s in steps if span / s <= most), steps[-1])
    first = math.ceil(lo / step - 1e-9)
    last = math.floor(hi / step + 1e-9)
    return [round(k * step, 12) for k in range(first, last + 1)], step


def tick_texts(values: Sequence[float], step: float, lang: str) -> list[str]:
    """The ticks with as many decimals as the step needs, in the language's decimal mark."""
    decimals = 0
    while decimals < 6 and abs(step * 10**decimals - round(step * 10**decimals)) > 1e-9:
        decimals += 1
    return [localize(f"{v:,.{decimals}f}", lang) for v in values]


def ramp(stops: Sequence[str], at: float) -> str:
    """The colour at `at` (0 to 1) of a ramp through `stops` (#RRGGBB), linearly in RGB."""
    at = min(max(at, 0.0), 1.0) * (len(stops) - 1)
    i = min(int(at), len(stops) - 2)
    frac = at - i
    a, b = (tuple(int(s[k : k + 2], 16) for k in (1, 3, 5)) for s in (stops[i], stops[i + 1]))
    return "#" + "".join(f"{round(x + (y - x) * frac):02X}" for x, y in zip(a, b, strict=True))


@dataclass(frozen=True)
class LegendEntry:
    """A legend's key: a swatch, or the chart's own mark (a dot `size` across, a tick `size` long
    and `width` thick), and its label."""

    color: str
    label: str
    marker: Marker = "patch"
    size: float = 0.0
    width: float = 0.0


@dataclass
class Plot:
    """A chart: margins (points) around a plot area whose x and y scales map data to points.

    `ylim` is (bottom, top), as data values: rows 0..n-1 from the top have (n - 0.5, -0.5).
    Parts are drawn in layers: the grid and bands, then the data, then the axes and the legend.
    """

    width: float
    height: float
    left: float
    right: float
    top: float
    bottom: float
    xlim: tuple[float, float] = (0.0, 1.0)
    ylim: tuple[float, float] = (1.0, 0.0)
    back: list[str] = field(default_factory=list)
    data: list[str] = field(default_factory=list)
    front: list[str] = field(default_factory=list)
    sizes: set[float] = field(default_factory=set)

    @classmethod
    def rows(
        cls,
        width: float,
        rows: float,
        row_height: float,
        *,
        labels: Sequence[str] = (),
        label_size: float = TICK_SIZE,
        top: float = 6.0,
        bottom: float = 6.0,
        right: float = 8.0,
        left: float | None = None,
    ) -> Plot:
        """A chart `width` inches wide of `rows` rows `row_height` inches high, the left margin
        fitted to the row `labels` (or `left` points); rows 0, 1, ... from the top."""
        width_pt = width * 72
        margin = left if left is not None else (widest(labels, label_size) + 10 if labels else 6.0)
        return cls(
            width=width_pt,
            height=rows * row_height * 72 + top + bottom,
            left=min(margin, 0.6 * width_pt),
            right=right,
            top=top,
            bottom=bottom,
            ylim=(rows - 0.5, -0.5),
        )

    # --- scales ------------------------------------------------------------------------------------

    @property
    def inner_width(self) -> float:
        return self.width - self.left - self.right

    @property
    def inner_height(self) -> float:
        return self.height - self.top - self.bottom

    def x(self, value: float) -> float:
        lo, hi = self.xlim
        return self.left + (value - lo) / (hi - lo) * self.inner_width

    def y(self, value: float) -> float:
        bottom, top = self.ylim
        return self.top + (top - value) / (top - bottom) * self.inner_height

    # --- marks -------------------------------------------------------------------------------------

    def rect(
        self,
        x0: float,
        x1: float,
        y0: float,
        y1: float,
        fill: str,
        *,
        stroke: str | None = None,
        stroke_width: float = 0.0,
        layer: Literal["back", "data"] = "data",
    ) -> None:
        """A rectangle between data values (x0, y0) and (x1, y1); none where one is not finite."""
        if not _finite(x0, x1, y0, y1):
            return
        left, right = sorted((self.x(x0), self.x(x1)))
        top, bottom = sorted((self.y(y0), self.y(y1)))
        edge = f' stroke="{stroke}" stroke-width="{_n(stroke_width)}"' if stroke and stroke_width else ""
        getattr(self, layer).append(
            f'<rect x="{_n(left)}" y="{_n(top)}" width="{_n(right - left)}" height="{_n(bottom - top)}" '
            f'fill="{fill}"{edge}/>'
        )

    def barh(
        self,
        row: float,
        value: float,
        *,
        start: float = 0.0,
        height: float = 0.7,
        color: str,
        edge: str | None = None,
        edge_width: float = 0.0,
    ) -> None:
        """A horizontal bar from `start` to `start + value`, centred on `row`, `height` rows high."""
        if value == 0 or not math.isfinite(value):
            return
        self.rect(
            start,
            start + value,
            row - height / 2,
            row + height / 2,
            color,
            stroke=edge,
            stroke_width=edge_width,
        )

    def hline(self, y: float, x0: float, x1: float, color: str, width: float) -> None:
        """A horizontal stroke `width` points thick between two data x values."""
        if not _finite(y, x0, x1):
            return
        self.data.append(
            f'<line x1="{_n(self.x(x0))}" y1="{_n(self.y(y))}" x2="{_n(self.x(x1))}" y2="{_n(self.y(y))}" '
            f'stroke="{color}" stroke-width="{_n(width)}"/>'
        )

    def vline(self, x: float, color: str, width: float, *, dash: str | None = None) -> None:
        """A vertical line across the plot area at data value `x`."""
        if not _finite(x):
            return
        pattern = f' stroke-dasharray="{dash}"' if dash else ""
        self.data.append(
            f'<line x1="{_n(self.x(x))}" y1="{_n(self.top)}" x2="{_n(self.x(x))}" '
            f'y2="{_n(self.height - self.bottom)}" stroke="{color}" stroke-width="{_n(width)}"{pattern}/>'
        )

    def circle(self, x: float, y: float, size: float, color: str) -> None:
        """A dot `size` points across at data (x, y)."""
        if not _finite(x, y):
            return
        self.data.append(
            f'<circle cx="{_n(self.x(x))}" cy="{_n(self.y(y))}" r="{_n(size / 2)}" fill="{color}"/>'
        )

    def tick_mark(self, x: float, y: float, length: float, width: float, color: str) -> None:
        """A vertical stroke `length` points long centred at data (x, y)."""
        if not _finite(x, y):
            return
        cx, cy = self.x(x), self.y(y)
        self.data.append(
            f'<line x1="{_n(cx)}" y1="{_n(cy - length / 2)}" x2="{_n(cx)}" y2="{_n(cy + length / 2)}" '
            f'stroke="{color}" stroke-width="{_n(width)}"/>'
        )

    def text(
        self,
        x: float,
        y: float,
        text: str,
        *,
        size: float = TICK_SIZE,
        color: str = INK,
        anchor: Anchor = "start",
        bold: bool = False,
    ) -> None:
        """`text` vertically centred on data (x, y)."""
        if not _finite(x, y):
            return
        self.data.append(
            self._text(self.x(x), self.y(y), text, size=size, color=color, anchor=anchor, bold=bold)
        )

    def _text(
        self,
        x: float,
        y: float,
        text: str,
        *,
        size: float,
        color: str,
        anchor: Anchor = "start",
        bold: bool = False,
        rotate: float = 0.0,
    ) -> str:
        """A text centred vertically on (x, y) points (its baseline a third of its size lower)."""
        self.sizes.add(size)
        base = y + size * 0.35
        turn = f' transform="rotate({_n(rotate)} {_n(x)} {_n(y)})"' if rotate else ""
        weight = ' font-weight="bold"' if bold else ""
        return (
            f'<text x="{_n(x)}" y="{_n(base)}" font-size="{_n(size)}" fill="{color}" '
            f'text-anchor="{anchor}"{weight}{turn}>{_xml_text(text, quote=False)}</text>'
        )

    def band_x(self, x0: float, x1: float, color: str) -> None:
        """A full-height band behind the data between two x values."""
        bottom, top = self.ylim
        self.rect(x0, x1, bottom, top, color, layer="back")

    # --- axes --------------------------------------------------------------------------------------

    def grid_x(self, ticks: Sequence[float]) -> None:
        for value in ticks:
            self.back.append(self._vertical(self.x(value), GRID, 0.8))

    def grid_y(self, ticks: Sequence[float]) -> None:
        for value in ticks:
            self.back.append(self._horizontal(self.y(value), GRID, 0.8))

    def _vertical(self, x: float, color: str, width: float) -> str:
        return (
            f'<line x1="{_n(x)}" y1="{_n(self.top)}" x2="{_n(x)}" y2="{_n(self.height - self.bottom)}" '
            f'stroke="{color}" stroke-width="{_n(width)}"/>'
        )

    def _horizontal(self, y: float, color: str, width: float) -> str:
        return (
            f'<line x1="{_n(self.left)}" y1="{_n(y)}" x2="{_n(self.width - self.right)}" y2="{_n(y)}" '
            f'stroke="{color}" stroke-width="{_n(width)}"/>'
        )

    def spines(self, *, left: bool = True, bottom: bool = True) -> None:
        if left:
            self.front.append(self._vertical(self.left, SPINE, 0.8))
        if bottom:
            self.front.append(self._horizontal(self.height - self.bottom, SPINE, 0.8))

    def x_axis(
        self,
        ticks: Sequence[float],
        texts: Sequence[str],
        title: str | None = None,
        *,
        size: float = TICK_SIZE,
        tick_length: float = TICK_LENGTH,
    ) -> None:
        """Ticks and their texts under the plot area, and `title` under them."""
        base = self.height - self.bottom
        for value, text in zip(ticks, texts, strict=True):
            x = self.x(value)
            if tick_length:
                self.front.append(
                    f'<line x1="{_n(x)}" y1="{_n(base)}" x2="{_n(x)}" y2="{_n(base + tick_length)}" '
                    f'stroke="{MUTED}" stroke-width="0.8"/>'
                )
            self.front.append(
                self._text(
                    x,
                    base + tick_length + TICK_PAD + size * 0.5,
                    text,
                    size=size,
                    color=MUTED,
                    anchor="middle",
                )
            )
        if title:
            y = base + tick_length + TICK_PAD + size * LINE + LABEL_PAD + LABEL_SIZE * 0.5
            self.front.append(
                self._text(
                    self.left + self.inner_width / 2, y, title, size=LABEL_SIZE, color=INK, anchor="middle"
                )
            )

    def x_labels_rotated(self, labels: Sequence[str], *, size: float = TICK_SIZE) -> None:
        """Category texts under columns 0, 1, ..., turned 45 degrees, each ending under its column."""
        base = self.height - self.bottom + TICK_PAD
        for i, text in enumerate(labels):
            x = self.x(i)
            self.front.append(self._text(x, base, text, size=size, color=INK, anchor="end", rotate=-45))

    def row_labels(self, labels: Sequence[str], *, size: float = TICK_SIZE, color: str = INK) -> None:
        """The texts of rows 0, 1, ... left of the plot area."""
        for i, text in enumerate(labels):
            self.front.append(
                self._text(self.left - TICK_PAD, self.y(i), text, size=size, color=color, anchor="end")
            )

    def y_axis(self, ticks: Sequence[float], texts: Sequence[str], title: str | None = None) -> None:
        """Ticks and their texts left of the plot area, and `title` turned along them."""
        for value, text in zip(ticks, texts, strict=True):
            y = self.y(value)
            self.front.append(
                f'<line x1="{_n(self.left - TICK_LENGTH)}" y1="{_n(y)}" x2="{_n(self.left)}" y2="{_n(y)}" '
                f'stroke="{MUTED}" stroke-width="0.8"/>'
            )
            self.front.append(
                self._text(
                    self.left - TICK_LENGTH - TICK_PAD, y, text, size=TICK_SIZE, color=MUTED, anchor="end"
                )
            )
        if title:
            x = self.left - TICK_LENGTH - TICK_PAD - widest(texts) - LABEL_PAD - LABEL_SIZE * 0.5
            y = self.top + self.inner_height / 2
            self.front.append(
                self._text(x, y, title, size=LABEL_SIZE, color=INK, anchor="middle", rotate=-90)
            )

    def legend(
        self,
        entries: Sequence[LegendEntry],
        *,
        align: Literal["left", "right"] = "right",
        columns: int | None = None,
        handle: float = 2.0,
        spacing: float = 2.0,
    ) -> None:
        """A legend above the plot area, at its `align` corner: `columns` per row (default all),
        swatches `handle` font sizes long, `spacing` font sizes between columns."""
        if not entries:
            return
        size = TICK_SIZE
        columns = max(1, min(columns or len(entries), len(entries)))
        rows = [entries[i : i + columns] for i in range(0, len(entries), columns)]
        by_column = [[row[c] for row in rows if c < len(row)] for c in range(columns)]
        handle_w, pad = handle * size, HANDLE_PAD * size
        col_w = [handle_w + pad + widest([e.label for e in col], size) for col in by_column]
        width = sum(col_w) + spacing * size * (columns - 1)
        line = size * LINE
        height = len(rows) * line + (len(rows) - 1) * ROW_GAP * size
        left = (
            self.left + (PLOT_PAD + BOX_PAD) * size
            if align == "left"
            else self.width - self.right - (PLOT_PAD + BOX_PAD) * size - width
        )
        top = self.top - (PLOT_PAD + BOX_PAD) * size - height
        for r, row in enumerate(rows):
            cy = top + r * (line + ROW_GAP * size) + line / 2
            x = left
            for c, entry in enumerate(row):
                self.front.append(self._handle(entry, x, cy, handle_w))
                self.front.append(self._text(x + handle_w + pad, cy, entry.label, size=size, color=INK))
                x += col_w[c] + spacing * size

    def _handle(self, entry: LegendEntry, x: float, cy: float, length: float) -> str:
        mid, half = x + length / 2, entry.size / 2
        if entry.marker == "circle":
            return f'<circle cx="{_n(mid)}" cy="{_n(cy)}" r="{_n(half)}" fill="{entry.color}"/>'
        if entry.marker == "tick":
            return (
                f'<line x1="{_n(mid)}" y1="{_n(cy - half)}" x2="{_n(mid)}" y2="{_n(cy + half)}" '
                f'stroke="{entry.color}" stroke-width="{_n(entry.width)}"/>'
            )
        h = HANDLE_HEIGHT * TICK_SIZE
        return (
            f'<rect x="{_n(x)}" y="{_n(cy - h / 2)}" width="{_n(length)}" height="{_n(h)}" '
            f'fill="{entry.color}"/>'
        )

    # --- out ---------------------------------------------------------------------------------------

    def readable_width(self) -> int:
        """The width in CSS px at which the chart's smallest text renders at READABLE_PX."""
        return math.ceil(self.width * READABLE_PX / min(self.sizes, default=READABLE_PX))

    def svg(self, label: str) -> str:
        """The chart as inline SVG: scaled by the page, labelled for screen readers, never narrower
        on screen than its readable width (the CSS variable --readable-width)."""
        body = "".join([*self.back, *self.data, *self.front])
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_n(self.width)} {_n(self.height)}" '
            f'role="img" aria-label="{_xml_text(label, quote=True)}" '
            f'style="--readable-width: {self.readable_width()}px" '
            f'font-family="{FONT}"><rect width="100%" height="100%" fill="white"/>{body}</svg>'
        )
