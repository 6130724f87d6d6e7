"""Write src/p4c/report/fontwidths.py: the advance widths of DejaVu Sans, by code point.

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
OUT = Path(__file__).resolve().parents[1] / "src" / "p4c" / "report" / "fontwidths.py"


def main() -> None:
    from matplotlib import ft2font
    from matplotlib.font_manager import FontProperties, findfont

    font = ft2font.FT2Font(findfont(FontProperties(family="DejaVu Sans")))
    charmap = font.get_charmap()
    units = font.units_per_EM
    lines = [
        '"""Advance widths of DejaVu Sans in 1/1000 em by code point (-1: no glyph), for the charts\' text',
        "measure. Written by scripts/font_widths.py; do not edit.",
        '"""',
        "",
        "UNITS_PER_EM = 1000",
        "",
        "# (first code point, widths of it and the code points after it)",
        "# fmt: off",
        "RANGES: tuple[tuple[int, tuple[int, ...]], ...] = (",
    ]
    for first, last in RANGES:
        widths = []
        for code in range(first, last + 1):
            if code in charmap:
                glyph = font.load_char(code, flags=ft2font.LoadFlags.NO_SCALE)
                widths.append(round(glyph.horiAdvance * 1000 / units))
            else:
                widths.append(-1)
        lines.append(f"    (0x{first:04X}, (")
        for start in range(0, len(widths), 16):
            lines.append("        " + ", ".join(str(w) for w in widths[start : start + 16]) + ",")
        lines.append("    )),")
    lines.append(")")
    lines.append("# fmt: on")
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
