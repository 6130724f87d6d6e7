"""Write src/p4c/report/fontwidths.json: the advance widths of DejaVu Sans, by code point.

Why: the report's charts fit their margins to their labels without a font renderer. They are drawn
with the page's font (the CSS overrides the SVG's), so one common sans-serif's metrics are as close
as the charts can know; DejaVu Sans covers the partners' Latin, Greek and Cyrillic text.
Needs matplotlib (a development tool, not a dependency of p4c), for its copy of the font and FreeType.

Usage: .venv/bin/python scripts/font_widths.py
"""

from __future__ import annotations

from pathlib import Path

# Basic Latin to Latin Extended-B, Greek, Cyrillic, general punctuation (dashes, quotes, bullet,
# ellipsis), the euro and the trade mark signs
RANGES = ((0x20, 0x24F), (0x370, 0x3FF), (0x400, 0x4FF), (0x2010, 0x2044), (0x20AC, 0x20AC), (0x2122, 0x2122))
OUT = Path(__file__).resolve().parents[1] / "src" / "p4c" / "report" / "fontwidths.json"


def main() -> None:
    import json

    from matplotlib import ft2font
    from matplotlib.font_manager import FontProperties, findfont

    font = ft2font.FT2Font(findfont(FontProperties(family="DejaVu Sans")))
    charmap = font.get_charmap()
    units = font.units_per_EM
    ranges = []
    for first, last in RANGES:
        widths = []
        for code in range(first, last + 1):
            if code in charmap:
                glyph = font.load_char(code, flags=ft2font.LoadFlags.NO_SCALE)
                widths.append(round(glyph.horiAdvance * 1000 / units))
            else:
                widths.append(-1)
        ranges.append([first, widths])
    table = {
        "about": "Advance widths of DejaVu Sans in 1/1000 em by code point (-1: no glyph), for the "
        "charts' text measure. Written by scripts/font_widths.py; do not edit.",
        "units_per_em": 1000,
        "ranges": ranges,
    }
    body = ",\n".join(json.dumps(r) for r in ranges)
    head = json.dumps({k: v for k, v in table.items() if k != "ranges"})[:-1]
    OUT.write_text(f'{head}, "ranges": [\n{body}\n]}}\n', encoding="utf-8")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
