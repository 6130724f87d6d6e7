"""The plan as one self-contained, printable HTML page.

No external reference of any kind (inline CSS, an inline SVG chart drawn here, no script, no font,
no image), so it can be e-mailed and archived; every text goes through jinja2's autoescape,
including inside the SVG, so partner text can never become markup.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from p4c.htmlenv import html_environment
from p4c.plan import view
from p4c.plan.model import PlanDocument
from p4c.plan.words import LANGUAGE_TAGS, text

TEMPLATE = "plan.html.j2"
# The needs chart's geometry, in SVG user units (its viewBox is CHART_WIDTH wide and it scales to
# the page: about 1:1 on a 390 px phone, at most 560 px wide on a desktop).
CHART_WIDTH = 400
ROW_HEIGHT = 38
LABEL_HEIGHT = 15
BAR_HEIGHT = 14
BAR_LEFT = 0
BAR_MAX = 340  # width of importance 5
SCALE_MAX = 5
LABEL_CHARS = 60  # longer category labels are cut with an ellipsis (the table below has them whole)


@dataclass(frozen=True)
class _Bar:
    label: str
    shown: str
    y_label: float
    y_bar: float
    width: float
    x_value: float


@dataclass(frozen=True)
class _Chart:
    width: int
    height: int
    bars: tuple[_Bar, ...]
    ticks: tuple[tuple[float, str], ...]
    bar_height: int
    title: str


def render_html(doc: PlanDocument) -> str:
    """The plan as one HTML page in the partner's language."""
    lang = doc.language
    actions = [
        {
            "heading": view.action_heading(n, a, doc),
            "facts": view.action_facts(a, doc),
            "anchor": f"action-{n}",
        }
        for n, a in enumerate(doc.actions, start=1)
    ]
    context: dict[str, Any] = {
        "lang": LANGUAGE_TAGS[lang],
        "t": {key: text(key, lang) for key in _KEYS},
        "title": view.title_line(doc),
        "subtitle": view.subtitle_line(doc),
        "generated": view.generated_line(doc),
        "draft": doc.draft,
        "partner_facts": view.partner_facts(doc),
        "needs": view.need_bars(doc),
        "chart": _needs_chart(doc),
        "policy": view.policy_facts(doc),
        "actions": actions,
        "monitoring_header": view.monitoring_header(doc),
        "monitoring_rows": view.monitoring_rows(doc),
    }
    return html_environment("p4c.plan").get_template(TEMPLATE).render(**context)


_KEYS = (
    "doc.title",
    "doc.for_authority",
    "doc.draft",
    "doc.draft_note",
    "doc.contents",
    "doc.not_set",
    "part1.title",
    "part2.title",
    "part3.title",
    "part4.title",
    "needs.title",
    "needs.intro",
    "needs.category",
    "needs.importance",
    "needs.empty",
    "actions.intro",
    "actions.empty",
    "monitoring.intro",
)


def _needs_chart(doc: PlanDocument) -> _Chart | None:
    """A horizontal bar per category: its label above, the bar and its value below."""
    bars = view.need_bars(doc)
    if not bars:
        return None
    top = 4.0
    drawn = []
    for i, bar in enumerate(bars):
        y = top + i * ROW_HEIGHT
        width = BAR_MAX * max(0.0, min(bar.importance, SCALE_MAX)) / SCALE_MAX
        label = bar.label if len(bar.label) <= LABEL_CHARS else bar.label[: LABEL_CHARS - 1] + "…"
        drawn.append(
            _Bar(
                label=label,
                shown=bar.shown,
                y_label=y + LABEL_HEIGHT - 3,
                y_bar=y + LABEL_HEIGHT + 1,
                width=round(width, 2),
                x_value=round(BAR_LEFT + width + 6, 2),
            )
        )
    height = int(top + len(bars) * ROW_HEIGHT + 18)
    ticks = tuple((BAR_LEFT + BAR_MAX * v / SCALE_MAX, str(v)) for v in range(1, SCALE_MAX + 1))
    return _Chart(
        width=CHART_WIDTH,
        height=height,
        bars=tuple(drawn),
        ticks=ticks,
        bar_height=BAR_HEIGHT,
        title=text("needs.title", doc.language),
    )
