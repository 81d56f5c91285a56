"""The PDF's type scale and paragraph styles.

Clear print: body text 14 pt (18 in large print), nothing under 12 pt (16),
left aligned, bold for emphasis; line spacing 1.2 and small gaps between
blocks, so that one treatment fits on one sheet.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from reportlab.lib.colors import HexColor
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle

from . import fonts
from ..leaflet.content import Colours


@dataclass(frozen=True)
class Typography:
    body: float = 14
    small: float = 12
    h1: float = 23
    h2: float = 17
    h3: float = 15.5
    furniture: float = 12  # header and footer: clear print's smallest size too
    leading: float = 1.2


# Large print: body text well over 16 pt, nothing under 16 pt, everything else scaled with it.
LARGE_PRINT = Typography(body=18, small=16, h1=30, h2=24, h3=20, furniture=16)


class Styles:
    """Paragraph styles for one brand and one type scale, for a page that reads
    left to right or (`right_to_left`, an Arabic leaflet) mirrored."""

    def __init__(self, colours: Colours, type_scale: Typography, right_to_left: bool = False):
        self.right_to_left = right_to_left
        self.primary = HexColor(colours.primary)
        self.accent = HexColor(colours.accent)
        self.text = HexColor(colours.text)
        t = self.type = type_scale

        def style(name, size, font=fonts.REGULAR, colour=self.text, leading=t.leading, **extra):
            # No single line of a paragraph left alone at a page's top or foot.
            return ParagraphStyle(name, fontName=font, fontSize=size, leading=size * leading, textColor=colour,
                                  splitLongWords=True, allowWidows=0, allowOrphans=0, **extra)

        self.body = style("body", t.body, spaceAfter=t.body * 0.25)
        self.small = style("small", t.small, spaceAfter=t.small * 0.5)
        # A line ending in a colon introduces the list under it: as close to it as its items are to each other.
        self.label = style("label", t.body, spaceAfter=t.body * 0.08)
        self.note = style("note", t.body, backColor=self.accent, borderPadding=(3, 8, 4, 8),
                          leftIndent=8, rightIndent=8, spaceBefore=t.body * 0.35, spaceAfter=t.body * 0.45)
        # Bullets need our font too: ReportLab's default has no tick box.
        self.item = style("item", t.body, leftIndent=t.body * 1.5, bulletIndent=t.body * 0.2,
                          bulletFontName=fonts.REGULAR, bulletFontSize=t.body, spaceAfter=t.body * 0.08)
        self.check = style("check", t.body, leftIndent=t.body * 1.8, bulletIndent=0,
                           bulletFontName=fonts.REGULAR, bulletFontSize=t.body * 1.3, spaceAfter=t.body * 0.08)
        # Numbered steps: the number, then (in a checklist) the box to tick.
        self.step = style("step", t.body, leftIndent=t.body * 1.6, bulletIndent=0,
                          bulletFontName=fonts.BOLD, bulletFontSize=t.body, spaceAfter=t.body * 0.08)
        self.check_step = style("check-step", t.body, leftIndent=t.body * 2.9, bulletIndent=0,
                                bulletFontName=fonts.BOLD, bulletFontSize=t.body, spaceAfter=t.body * 0.08)
        self.cell = style("cell", t.small, leading=1.25)
        self.header_cell = style("header-cell", t.small, fonts.BOLD, leading=1.25)
        self.caption = style("caption", t.small, spaceBefore=4, spaceAfter=t.small * 0.4)
        self.qr_caption = style("qr-caption", t.small, leading=1.25, alignment=TA_CENTER)
        self.headings = {
            1: style("h1", t.h1, fonts.BOLD, self.primary, 1.2, spaceAfter=t.h1 * 0.25),
            2: style("h2", t.h2, fonts.BOLD, self.primary, 1.2, spaceBefore=t.h2 * 0.35, spaceAfter=t.h2 * 0.2),
            3: style("h3", t.h3, fonts.BOLD, self.text, 1.25, spaceBefore=t.h3 * 0.35, spaceAfter=t.h3 * 0.2),
        }
        self.furniture = style("furniture", t.furniture, leading=1.3)
        self.furniture_right = style("furniture-right", t.furniture, leading=1.3, alignment=TA_RIGHT)
        self.clinic_name = style("clinic", t.furniture * 1.3, fonts.BOLD, self.primary, 1.2)
        if right_to_left:
            for each in (*vars(self).values(), *self.headings.values()):
                if isinstance(each, ParagraphStyle):
                    _mirror(each)


_MIRRORED = {TA_LEFT: TA_RIGHT, TA_RIGHT: TA_LEFT}


def _mirror(style: ParagraphStyle) -> None:
    """A style for a right-to-left page: aligned to the right, indented from it; its bullet
    is drawn at the right (rlmarkup.BidiParagraph), and every paragraph's base direction is
    right to left, whatever letter it starts with."""
    style.alignment = _MIRRORED.get(style.alignment, style.alignment)
    style.leftIndent, style.rightIndent = style.rightIndent, style.leftIndent
    style.right_to_left = True


# Styles live as long as the process, so parsed paragraphs can be reused.
styles_for = functools.lru_cache(maxsize=16)(Styles)
