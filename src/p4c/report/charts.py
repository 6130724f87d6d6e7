"""The report's charts: matplotlib figures written as inline SVG, sized to their labels.

Every chart summarises (top N, aggregates): at 100,000 services the report draws the same number of
marks as at 100. Ids inside each SVG are prefixed so that many charts can share one HTML page.
Titles, axis labels, legends and numbers come in the page's language: `Charts` carries its words.
"""

from __future__ import annotations

import contextlib
import io
import math
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import lru_cache
from typing import IO, TYPE_CHECKING, Any, Generic, TypedDict, TypeVar, Unpack, cast

import pandas as pd

from p4c import forks
from p4c.report.data import Report
from p4c.report.format import as_float, finite, int_text, localize, shorten
from p4c.report.words import Count, Words

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


# A restrained qualitative palette (Tableau 10): one colour per criterion, the same in every chart.
CRITERION_COLORS = (
    "#4E79A7",
    "#F28E2B",
    "#59A14F",
    "#E15759",
    "#76B7B2",
    "#EDC948",
    "#B07AA1",
    "#9C755F",
    "#FF9DA7",
    "#BAB0AC",
)


ACCENT = "#1F4E79"


ACCENT_LIGHT = "#A9C2DA"


NEUTRAL = "#D5DBE1"


INK = "#1F2933"


MUTED = "#616E7C"


GRID = "#E4E7EB"


@contextmanager
def chart_style() -> Iterator[None]:
    import matplotlib

    with matplotlib.rc_context(cast(Any, CHART_RC)):
        yield


class Charts:
    """Renders figures to inline SVG with ids unique within the page, in the page's language."""

    def __init__(self, words: Words | None = None, prefix: str = "c") -> None:
        self.count = 0
        self.words = words or Words()
        self.prefix = prefix  # of the ids: charts drawn by another Charts on the same page use another

    def svg(self, fig: Figure, label: str) -> str:
        """The figure as inline SVG in its own scroll box (labelled, reachable by keyboard), so that
        where the page is narrower than the chart's readable width the chart scrolls, not the page."""
        from markupsafe import escape

        if self.words.lang != "en":
            _localize_ticks(fig, self.words.lang)
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg", metadata={"Date": None}, facecolor="white")
        self.count += 1
        svg = _clean_svg(buffer.getvalue(), f"{self.prefix}{self.count}", label)
        return f'<div class="chart-box" role="region" tabindex="0" aria-label="{escape(label)}">{svg}</div>'


_T = TypeVar("_T")


class Aside(Generic[_T]):
    """`make()` in a forked child while this process goes on; `result()` gives its value.

    Drawing is most of a report's time, and each chart is drawn on its own: the charts made on
    shared figures (the practice cards, the partner pages) go to the second CPU. Where that is
    not wanted (`fork` False: the second CPU is busy), cannot be done safely (no fork, one CPU,
    another thread running here, which the child would not have) or the child fails, `make()`
    runs here, in `result()`. The value comes back pickled through an unlinked file.
    """

    def __init__(self, make: Callable[[], _T], *, fork: bool = True) -> None:
        import os
        import threading

        self.make = make
        self.child: forks.Child | None = None
        if not fork or forks.cpus() < 2 or not hasattr(os, "fork") or threading.active_count() > 1:
            return
        import pickle

        def work(out: IO[bytes]) -> int:
            pickle.dump(make(), out)
            return 0

        with contextlib.suppress(OSError):  # no scratch file: made here
            self.child = forks.Child(work)

    @property
    def pid(self) -> int:
        """The child's, while it runs (0: none)."""
        return self.child.pid if self.child is not None else 0

    @property
    def scratch(self) -> IO[bytes] | None:
        return self.child.scratch if self.child is not None else None

    def result(self) -> _T:
        if self.child is None:
            return self.make()
        try:
            if self.child.wait() != 0:  # failed, or reaped by someone else (its value is lost)
                return self.make()
            value: _T = self.child.answer()
            return value
        finally:
            self.child.close()

    def close(self) -> None:
        """Stop a child whose value is no longer wanted (the page failed before asking for it)."""
        if self.child is not None:
            self.child.close()


def _localize_ticks(fig: Figure, lang: str) -> None:
    """Number ticks with the language's decimal mark (0,5 not 0.5); ticks given as text stay."""
    from matplotlib.ticker import FuncFormatter, ScalarFormatter

    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            if isinstance(axis.get_major_formatter(), ScalarFormatter):
                axis.set_major_formatter(FuncFormatter(lambda x, _pos: localize(f"{x:g}", lang)))


def _clean_svg(text: str, prefix: str, label: str) -> str:
    """Inline-ready SVG: no prolog, DOCTYPE or metadata; ids namespaced; sized by the page, never
    narrower on screen than its readable width (the CSS variable --readable-width)."""
    from markupsafe import escape

    text = text[text.index("<svg") :]
    text = re.sub(r"<metadata>.*?</metadata>\s*", "", text, flags=re.DOTALL)
    text = re.sub(r'\sid="([^"]+)"', lambda m: f' id="{prefix}-{m.group(1)}"', text)
    text = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{prefix}-{m.group(1)})", text)
    text = re.sub(r'xlink:href="#([^"]+)"', lambda m: f'xlink:href="#{prefix}-{m.group(1)}"', text)
    style = f"--readable-width: {readable_width(text)}px"
    return re.sub(
        r'<svg([^>]*?)\swidth="[^"]*"\sheight="[^"]*"',
        lambda m: f'<svg{m.group(1)} role="img" aria-label="{escape(label)}" style="{style}"',
        text,
        count=1,
    )


# The smallest chart text on screen, in CSS px: below it a chart scrolls sideways rather than shrink.
READABLE_PX = 9.0


def readable_width(svg: str) -> int:
    """The width in CSS px at which the SVG's smallest text renders at READABLE_PX."""
    box = re.search(r'viewBox="[-\d.]+ [-\d.]+ ([\d.]+) ', svg)
    width = float(box[1]) if box else 0.0
    sizes = [float(s) for s in re.findall(r"font-size:\s*([\d.]+)px", svg)]
    return math.ceil(width * READABLE_PX / min(sizes, default=READABLE_PX))


class Margins(TypedDict, total=False):
    """Where a chart's axes sit: margins in points, the left one fitted to `labels` (or `left`)."""

    labels: Sequence[str]
    label_size: float
    top: float
    bottom: float
    right: float
    left: float | None


DEFAULT_MARGIN = 6.0  # points, at the top and the bottom


def _new_figure(
    width: float, rows: float, row_height: float, **margins: Unpack[Margins]
) -> tuple[Figure, Axes]:
    """A figure `width` inches wide whose axes sit at fixed margins (in points) fitted to its
    labels. The figure's size (so the text size once the page scales it to the column) is the one
    asked for, and it is twice as fast as constrained layout, which draws every figure twice."""
    from matplotlib.figure import Figure

    top, bottom = margins.get("top", DEFAULT_MARGIN), margins.get("bottom", DEFAULT_MARGIN)
    fig = Figure(figsize=(width, (rows * row_height * 72 + top + bottom) / 72))
    _svg_canvas(fig)
    _fit_margins(fig, **margins)
    return fig, fig.add_subplot()


def _fit_margins(
    fig: Figure,
    *,
    labels: Sequence[str] = (),
    label_size: float = 8,
    top: float = DEFAULT_MARGIN,
    bottom: float = DEFAULT_MARGIN,
    right: float = 8,
    left: float | None = None,
) -> None:
    """Place the axes at `Margins` from the figure's edges: for a new figure, and for a figure
    drawn again with other labels."""
    margin = left if left is not None else (_text_width(labels, label_size) + 10 if labels else 6)
    width, height = fig.get_size_inches()
    width_pt, height_pt = width * 72, height * 72
    fig.subplots_adjust(
        left=min(margin / width_pt, 0.6),
        right=1 - right / width_pt,
        bottom=bottom / height_pt,
        top=1 - top / height_pt,
    )


@lru_cache(maxsize=1)
def _measurer() -> Any:
    from matplotlib.backends.backend_agg import RendererAgg

    return RendererAgg(16, 16, 72)  # type: ignore[no-untyped-call]  # 72 dpi: 1 pixel = 1 point


def _text_width(texts: Sequence[str], size: float) -> float:
    """The width in points of the widest text, as matplotlib will lay it out."""
    from matplotlib.font_manager import findfont

    font = findfont(_font(size))
    return max((_one_width(t, size, font) for t in texts), default=0.0)


def _font(size: float) -> Any:
    from matplotlib.font_manager import FontProperties

    return FontProperties(family="sans-serif", size=size)


@lru_cache(maxsize=4096)
def _one_width(text: str, size: float, _font_file: str) -> float:
    """One text's width, kept: the same labels come back in several charts (ranks, partners,
    criteria), and FreeType takes about half a millisecond to lay out a title. The font file
    (CHART_RC's sans-serif) is in the key."""
    renderer = _measurer()
    return float(renderer.get_text_width_height_descent(text, _font(size), ismath=False)[0])


def _svg_metrics(text: str, prop: Any, ismath: Any) -> tuple[float, float, float]:
    """The SVG backend's text size, kept across charts: matplotlib keeps it per renderer, that is
    per chart, and the practice cards and partner charts draw the same tick labels and legends
    again. `TextToPath` measures the same for every renderer; the font file it finds is in the key."""
    from matplotlib.font_manager import findfont

    return _svg_metrics_of(text, prop.copy(), ismath, findfont(prop))


@lru_cache(maxsize=8192)
def _svg_metrics_of(text: str, prop: Any, ismath: Any, _font: str) -> tuple[float, float, float]:
    from matplotlib.textpath import text_to_path

    w, h, d = text_to_path.get_text_width_height_descent(text, prop, ismath)
    return float(w), float(h), float(d)


def _svg_canvas(fig: Figure) -> None:
    """Give `fig` the SVG canvas whose renderer measures text through `_svg_metrics`."""
    _canvas_class()(fig)


@lru_cache(maxsize=1)
def _canvas_class() -> Any:
    from matplotlib.backends.backend_mixed import MixedModeRenderer
    from matplotlib.backends.backend_svg import FigureCanvasSVG, RendererSVG

    class Renderer(RendererSVG):
        def get_text_width_height_descent(self, s: str, prop: Any, ismath: Any) -> tuple[float, float, float]:
            return _svg_metrics(s, prop, ismath)

    class Canvas(FigureCanvasSVG):
        def print_svg(
            self, filename: Any, *, bbox_inches_restore: Any = None, metadata: Any = None, **_: Any
        ) -> None:
            """FigureCanvasSVG.print_svg of matplotlib 3.11, into a text buffer, with `Renderer`."""
            figure = self.figure
            dpi = figure.dpi
            figure.dpi = 72
            width, height = figure.get_size_inches()
            svg = Renderer(width * 72, height * 72, filename, image_dpi=dpi, metadata=metadata)  # type: ignore[no-untyped-call]
            renderer: Any = MixedModeRenderer(  # type: ignore[no-untyped-call]
                figure, width, height, dpi, svg, bbox_inches_restore=bbox_inches_restore
            )
            figure.draw(renderer)
            renderer.finalize()

    return Canvas


# margins in points: x tick labels alone, with an axis title under them, a one-row legend on top
TICKS = 18.0


TICKS_AND_TITLE = 32.0


LEGEND = 22.0


def chart_label(report: Report, crit_id: str, limit: int = 24, lang: str = "en") -> str:
    """A criterion's label short enough for an axis: without its (parenthesised) gloss."""
    if crit_id not in report.criterion_ids:
        return crit_id
    text = report.config.criterion(crit_id).text(lang)
    return shorten(re.sub(r"\s*\([^)]*\)", "", text) or text, limit)


def _criterion_colors(report: Report) -> dict[str, str]:
    return {c: CRITERION_COLORS[i % len(CRITERION_COLORS)] for i, c in enumerate(report.criterion_ids)}


def chart_heatmap(charts: Charts, report: Report) -> str:
    import numpy as np

    codes = report.partner_codes
    cats = [c.code for c in report.config.categories]
    extra = sorted(set(report.services["category"].astype(str).tolist()) - set(cats))
    cats += extra
    counts = pd.crosstab(report.services["partner"], report.services["category"].astype(str))
    counts = counts.reindex(index=codes, columns=cats, fill_value=0)
    grid = counts.to_numpy(dtype=float)
    rotated = _text_width(cats, 8) * 0.71 + 14  # x labels at 45 degrees
    fig, ax = _new_figure(9.0, len(codes), 0.27, labels=codes, bottom=rotated, top=3)
    shown = np.where(grid > 0, grid, np.nan)
    top = max(float(np.nanmax(grid)) if grid.size else 1.0, 1.0)
    # vector cells (not imshow, which embeds a bitmap): crisp on screen and on paper
    ax.set_facecolor("#F5F7FA")
    ax.pcolormesh(
        np.arange(-0.5, len(cats)),
        np.arange(-0.5, len(codes)),
        np.ma.masked_invalid(shown),
        cmap="Blues",
        vmin=0,
        vmax=top * 1.15,
        edgecolors="white",
        linewidth=2,
    )
    ax.set_xlim(-0.5, len(cats) - 0.5)
    ax.set_ylim(len(codes) - 0.5, -0.5)
    for i in range(grid.shape[0]):
        for j in range(grid.shape[1]):
            if grid[i, j] > 0:
                dark = grid[i, j] > 0.6 * top
                ax.text(
                    j,
                    i,
                    f"{int(grid[i, j])}",
                    ha="center",
                    va="center",
                    fontsize=8,
                    color="white" if dark else INK,
                )
    ax.set_xticks(range(len(cats)), cats, rotation=45, ha="right", rotation_mode="anchor")
    ax.set_yticks(range(len(codes)), codes)
    ax.tick_params(which="both", length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    return charts.svg(fig, charts.words["h_heatmap"])


def chart_weights(charts: Charts, report: Report) -> str:
    ids = report.criterion_ids
    colors = _criterion_colors(report)
    labels = [chart_label(report, c, lang=charts.words.lang) for c in ids]
    fig, ax = _new_figure(4.0, len(ids), 0.26, labels=labels, top=2, bottom=2)
    values = [report.weights[c] for c in ids]
    ax.barh(range(len(ids)), values, color=[colors[c] for c in ids], height=0.65)
    for i, value in enumerate(values):
        ax.text(value + 0.005, i, charts.words.pct(value), va="center", fontsize=8, color=INK)
    ax.set_yticks(range(len(ids)), labels)
    ax.set_ylim(len(ids) - 0.5, -0.5)
    ax.set_xlim(0, max([*values, 0.01]) * 1.2)
    ax.xaxis.set_visible(False)
    ax.spines["bottom"].set_visible(False)
    ax.tick_params(axis="y", length=0)
    return charts.svg(fig, charts.words["chart_weights"])


def chart_contributions(charts: Charts, report: Report, top: pd.DataFrame) -> str:
    w = charts.words
    colors = _criterion_colors(report)
    legend_rows = math.ceil(len(report.criterion_ids) / 4)
    fig, ax = _new_figure(
        9.0, len(top), 0.3, labels=rank_labels(top), top=8 + 13 * legend_rows, bottom=TICKS_AND_TITLE
    )
    segments = [(c.id, colors[c.id], chart_label(report, c.id, lang=w.lang)) for c in report.config.criteria]
    stacked_bars(ax, top, segments, w["axis_score_sum"], w)
    ax.legend(
        loc="lower left",
        bbox_to_anchor=(0.0, 1.0),
        ncol=4,
        handlelength=1,
        columnspacing=1.2,
        borderaxespad=0.3,
    )
    return charts.svg(fig, w.text("chart_contributions", n=len(top)))


def rank_labels(top: pd.DataFrame) -> list[str]:
    """The top services' axis labels: "rank. label"."""
    return [f"{int_text(r)}. {lab}" for r, lab in zip(top["rank"], top["label"], strict=True)]


def stacked_bars(
    ax: Axes, top: pd.DataFrame, segments: Sequence[tuple[str, str, str]], xlabel: str, words: Words
) -> None:
    """The top services' scores as horizontal bars stacked from `segments` (column, colour, legend
    label), the score written at each bar's end in the words' language; the legend is the caller's."""
    left = pd.Series(0.0, index=top.index)
    positions = list(range(len(top)))
    for column, color, label in segments:
        values = top[column].astype(float).fillna(0.0)
        ax.barh(
            positions,
            values,
            left=left,
            color=color,
            height=0.7,
            label=label,
            edgecolor="white",
            linewidth=0.4,
        )
        left = left + values
    for pos, score in zip(positions, top["score"], strict=True):
        ax.text(as_float(score) + 0.006, pos, words.num(score, "{:.2f}"), va="center", fontsize=8)
    ax.set_yticks(positions, rank_labels(top))
    ax.set_ylim(len(top) - 0.5, -0.5)
    ax.set_xlim(0, max(float(top["score"].astype(float).max()) * 1.1, 0.1))
    ax.set_xlabel(xlabel)
    ax.grid(axis="x")
    ax.tick_params(axis="y", length=0)


def chart_p_top(charts: Charts, report: Report) -> str:
    w = charts.words
    ranking = report.ranking
    short = set(report.shortlist["key"])
    shown = (
        ranking[ranking["p_top"].astype(float) > 0]
        .sort_values(["p_top", "rank"], ascending=[False, True], kind="stable")
        .head(30)
    )
    labels = [str(s) for s in shown["label"]]
    fig, ax = _new_figure(9.0, max(len(shown), 1), 0.26, labels=labels, top=LEGEND, bottom=TICKS_AND_TITLE)
    positions = list(range(len(shown)))
    colors = [ACCENT if k in short else ACCENT_LIGHT for k in shown["key"]]
    ax.barh(positions, shown["p_top"].astype(float), color=colors, height=0.7)
    for pos, value in zip(positions, shown["p_top"], strict=True):
        ax.text(as_float(value) + 0.01, pos, w.pct(value), va="center", fontsize=8)
    ax.set_yticks(positions, labels)
    ax.set_ylim(max(len(shown), 1) - 0.5, -0.5)
    ax.set_xlim(0, 1.1)
    ticks = [0, 0.25, 0.5, 0.75, 1.0]
    ax.set_xticks(ticks, [w.pct(t) for t in ticks])
    return _finish_bars(
        charts,
        fig,
        ax,
        w.text("axis_p_top", k=report.config.shortlist.size),
        w.text("chart_p_top", k=report.config.shortlist.size),
        keys=[(ACCENT, w["shortlisted"]), (ACCENT_LIGHT, w["not_shortlisted"])],
    )


def chart_rank_ranges(charts: Charts, report: Report, top: pd.DataFrame) -> str:
    labels = rank_labels(top)
    fig, ax = _new_figure(9.0, len(top), 0.26, labels=labels, top=LEGEND, bottom=TICKS_AND_TITLE)
    positions = list(range(len(top)))
    ax.hlines(
        positions,
        top["rank_p05"].astype(float),
        top["rank_p95"].astype(float),
        color=ACCENT_LIGHT,
        linewidth=5,
    )
    w = charts.words
    ax.plot(top["rank_p50"].astype(float), positions, "o", color=ACCENT, markersize=5, label=w["median_rank"])
    ax.plot(
        top["rank"].astype(float),
        positions,
        "|",
        color=CRITERION_COLORS[3],
        markersize=11,
        markeredgewidth=2,
        label=w["rank_used"],
    )
    ax.set_yticks(positions, labels)
    ax.set_ylim(len(top) - 0.5, -0.5)
    ax.set_xlim(0.5, max(float(top["rank_p95"].astype(float).max()), float(len(top))) + 1)
    return _finish_bars(
        charts,
        fig,
        ax,
        w["axis_rank_range"],
        w["chart_rank_ranges"],
    )


def _finish_bars(
    charts: Charts, fig: Figure, ax: Axes, xlabel: str, title: str, *, keys: Sequence[tuple[str, str]] = ()
) -> str:
    """The common finish of a horizontal bar chart with a legend above its right corner."""
    ax.set_xlabel(xlabel)
    ax.grid(axis="x")
    ax.tick_params(axis="y", length=0)
    _legend_right(ax, keys)
    return charts.svg(fig, title)


def _legend_right(ax: Axes, keys: Sequence[tuple[str, str]] = ()) -> None:
    """A one-row legend above the plot's right corner: of `keys` ((colour, label) pairs), else of
    the labelled marks."""
    from matplotlib.patches import Patch

    handles = {"handles": [Patch(color=color, label=label) for color, label in keys]} if keys else {}
    ax.legend(**handles, loc="lower right", bbox_to_anchor=(1.0, 1.0), ncol=len(keys) or 2, borderaxespad=0.3)


def chart_stability(charts: Charts, report: Report, table: pd.DataFrame) -> str:
    w = charts.words
    colors = _criterion_colors(report)
    labels = [chart_label(report, str(c), lang=w.lang) for c in table["criterion"]]
    notes = [
        w.text(
            "stability_note",
            lo=w.num(r.lo, "{:.2f}"),
            hi=w.num(r.hi, "{:.2f}"),
            weight=w.num(r.weight, "{:.2f}"),
        )
        for r in table.itertuples(index=False)
    ]
    fig, ax = _new_figure(
        9.0, len(table), 0.28, labels=labels, top=4, bottom=TICKS_AND_TITLE, right=_text_width(notes, 8) + 16
    )
    positions = list(range(len(table)))
    # zoom on the weights in play (intervals are often narrow), never past 1
    ends = [v for c in ("weight", "hi") for v in table[c].astype(float) if finite(v)]
    limit = min(1.0, max([*ends, 0.05]) * 1.25)
    ax.hlines(positions, 0, limit, color=GRID, linewidth=7)
    for pos, row, note in zip(positions, table.itertuples(index=False), notes, strict=True):
        lo, hi, weight = as_float(row.lo), as_float(row.hi), as_float(row.weight)
        ax.hlines(pos, lo, hi, color=colors.get(str(row.criterion), ACCENT), linewidth=7)
        ax.plot([weight], [pos], "o", color=INK, markersize=5)
        ax.text(limit * 1.02, pos, note, va="center", fontsize=8)
    ax.set_yticks(positions, labels)
    ax.set_ylim(len(table) - 0.5, -0.5)
    ax.set_xlim(0, limit)
    ax.set_xlabel(w["axis_weight"])
    ax.tick_params(axis="y", length=0)
    ax.spines["left"].set_visible(False)
    return charts.svg(fig, w["chart_stability"])


def chart_practices(charts: Charts, report: Report, keys: Sequence[str]) -> dict[str, str]:
    """One small bar chart of criterion values per practice. The cards share one figure whose
    axes, labels, median ticks and bars are made once; between practices only the bars' lengths
    and the "missing" notes change (a new figure per card would double the report's rendering
    time, and new bars per card cost more than drawing them)."""
    import numpy as np

    w = charts.words
    ids = report.criterion_ids
    colors = [_criterion_colors(report)[c] for c in ids]
    labels = [chart_label(report, c, 22, lang=w.lang) for c in ids]
    medians = report.normalized.median().reindex(ids).astype(float)
    fig, ax = _new_figure(2.7, len(ids), 0.19, labels=labels, top=3, bottom=15, right=6)
    positions = list(range(len(ids)))
    ax.barh(positions, [1.0] * len(ids), color="#F1F3F5", height=0.7)
    ax.plot(medians, positions, "|", color=INK, markersize=9, markeredgewidth=1.5, zorder=3)
    ax.set_yticks(positions, labels)
    ax.set_ylim(len(ids) - 0.5, -0.5)
    ax.set_xlim(0, 1)
    ax.set_xticks([0, 0.5, 1])
    ax.tick_params(axis="y", length=0, labelsize=8)
    ax.tick_params(axis="x", labelsize=7)
    ax.spines["left"].set_visible(False)
    bars = ax.barh(positions, [0.0] * len(ids), color=colors, height=0.7, zorder=2)
    table = report.normalized.loc[:, ids].astype(float).to_numpy()
    rows = report.normalized.index.get_indexer(pd.Index(list(keys)))  # -1: a practice not ranked
    out = {}
    for key, row in zip(keys, rows, strict=True):
        values = table[row] if row >= 0 else np.full(len(ids), math.nan)
        for bar, value in zip(bars, values, strict=True):
            bar.set_width(0.0 if math.isnan(value) else float(value))
        notes = [
            ax.text(0.02, pos, w["missing"], va="center", fontsize=7.5, color=MUTED)
            for pos, value in zip(positions, values, strict=True)
            if not finite(value)
        ]
        out[key] = charts.svg(fig, w["chart_practice"])
        for note in notes:
            note.remove()
    return out


def chart_transfer(charts: Charts, report: Report, table: pd.DataFrame) -> str:
    w = charts.words
    labels = [shorten(str(t), 44) for t in table["label"]]
    fig, ax = _new_figure(9.0, len(table), 0.25, labels=labels, top=LEGEND, bottom=TICKS_AND_TITLE)
    positions = list(range(len(table)))
    height = 0.4
    ax.barh(
        [p - height / 2 for p in positions],
        table["offered"],
        height=height,
        color=ACCENT,
        label=w["offering"],
    )
    ax.barh(
        [p + height / 2 for p in positions],
        table["needed"],
        height=height,
        color=CRITERION_COLORS[1],
        label=w["needing"],
    )
    majority = len(report.partners) / 2
    ax.axvspan(majority, len(report.partners) + 0.3, color="#EEF3F8", zorder=0)
    ax.axvline(majority, color=MUTED, linestyle="--", linewidth=1)
    ax.text(majority + 0.08, len(table) - 0.6, w["majority"], fontsize=8, color=MUTED, va="center")
    ax.set_yticks(positions, labels)
    ax.set_ylim(len(table) - 0.5, -0.5)
    ax.set_xlim(0, len(report.partners) + 0.3)
    ax.set_xticks(range(len(report.partners) + 1))
    return _finish_bars(charts, fig, ax, w["axis_partners"], w["chart_transfer"])


def chart_score_histogram(charts: Charts, report: Report) -> str:
    """Every service's score as counts in HISTOGRAM_BINS bins, stacked by what became of it: a
    fixed-size chart whatever the number of services (the full list is in report.xlsx)."""
    import numpy as np

    from p4c.report.data import HISTOGRAM_BINS

    w = charts.words
    ranking = report.ranking
    scores = ranking["score"].astype(float).to_numpy()
    short = ranking["key"].isin(set(report.shortlist["key"])).to_numpy()
    eligible = (
        ranking["key"].isin(set(report.candidates.loc[report.candidates["eligible"], "key"])).to_numpy()
    )
    edges = np.linspace(0.0, 1.0, HISTOGRAM_BINS + 1)
    present = ~np.isnan(scores)
    groups = (
        (short & present, ACCENT, w["shortlisted"]),
        (eligible & ~short & present, ACCENT_LIGHT, w["candidate"]),
        (~eligible & ~short & present, NEUTRAL, w["other"]),
    )
    fig, ax = _new_figure(9.0, 10, 0.26, left=44, top=LEGEND, bottom=TICKS_AND_TITLE)
    bottom = np.zeros(HISTOGRAM_BINS)
    centers = (edges[:-1] + edges[1:]) / 2
    for mask, color, _label in groups:
        counts, _ = np.histogram(np.clip(scores[mask], 0.0, 1.0), bins=edges)
        ax.bar(centers, counts, width=1 / HISTOGRAM_BINS * 0.92, bottom=bottom, color=color)
        bottom += counts
    ax.set_xlim(0, 1)
    ax.set_xlabel(
        w.text("axis_histogram", services=Count(int(present.sum()), "n_services"), bins=HISTOGRAM_BINS)
    )
    ax.set_ylabel(w["axis_services"])
    ax.grid(axis="y")
    _legend_right(ax, [(color, label) for _mask, color, label in groups])
    return charts.svg(fig, w["chart_histogram"])


def chart_partners(charts: Charts, report: Report, shown: Mapping[str, pd.DataFrame]) -> dict[str, str]:
    """Each partner page's chart of its best services (`shown`: rows by partner code, best first),
    by partner. Pages with as many rows share one figure whose axes, x ticks, legend and axis label
    are made once; per partner only the left margin, the bars, the rank notes and the service
    labels change (a new figure per page made the partner pages the report's slowest part)."""
    w = charts.words
    short = set(report.shortlist["key"])
    eligible = set(report.candidates.loc[report.candidates["eligible"], "key"])
    figures: dict[int, tuple[Figure, Axes]] = {}
    out = {}
    for code, rows in shown.items():
        labels = [shorten(str(t), 50) for t in rows["title"]]
        lines = max(len(rows), 1)
        margins = Margins(labels=labels, top=LEGEND, bottom=TICKS_AND_TITLE)
        made = figures.get(lines)
        if made is None:
            fig, ax = _new_figure(9.0, lines, 0.26, **margins)
        else:
            fig, ax = made
            _fit_margins(fig, **margins)
        positions = list(range(len(rows)))
        colors = [ACCENT if k in short else ACCENT_LIGHT if k in eligible else NEUTRAL for k in rows["key"]]
        bars = ax.barh(positions, rows["score"].astype(float).fillna(0.0), color=colors, height=0.7)
        notes = [
            ax.text(
                as_float(score) + 0.008 if finite(score) else 0.008,
                pos,
                f"#{int_text(rank)}",
                va="center",
                fontsize=8,
                color=INK,
            )
            for pos, score, rank in zip(positions, rows["score"], rows["rank"], strict=True)
        ]
        ax.set_yticks(positions, labels)
        title = w.text("chart_partner", n=len(rows))
        if made is None:
            figures[lines] = fig, ax
            ax.set_ylim(lines - 0.5, -0.5)
            ax.set_xlim(0, 1.08)
            keys = [(ACCENT, w["shortlisted"]), (ACCENT_LIGHT, w["candidate"]), (NEUTRAL, w["other"])]
            out[code] = _finish_bars(charts, fig, ax, w["axis_partner_score"], title, keys=keys)
        else:
            out[code] = charts.svg(fig, title)
        bars.remove()
        for note in notes:
            note.remove()
    return out


# matplotlib settings for every chart: text stays text (small, searchable, styled by the page's
# font), a fixed hash salt and no date so the same inputs give byte-identical SVG.
CHART_RC: dict[str, Any] = {
    "svg.fonttype": "none",
    "svg.hashsalt": "p4c-report",
    "text.parse_math": False,
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.labelsize": 9,
    "axes.edgecolor": "#9AA5B1",
    "axes.labelcolor": INK,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.axisbelow": True,
    "text.color": INK,
    "xtick.color": MUTED,
    "ytick.color": INK,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "grid.color": GRID,
    "grid.linewidth": 0.8,
    "legend.frameon": False,
    "legend.fontsize": 8,
}
