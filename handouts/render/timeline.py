"""The patient's own timeline: from acne under control to healing, drawn once
as vectors for the PDF and (as inline SVG) the HTML.

A row of boxes joined by arrows, each a step in words: what it is (bold) and
the patient's own figure or date under it. It adds nothing of its own: every
word comes from the leaflet's template, which takes it from the patient's plan
and the content's figures.
"""

from __future__ import annotations

from reportlab.graphics.shapes import Drawing, Line, Polygon, Rect, String
from reportlab.lib.colors import HexColor, white

from . import fonts
from .chart import wrap_words
from .mirror import mirrored
from ..leaflet.document import Timeline

_GAP = 18  # between boxes, where the arrow goes
_PAD = 6
_INK = HexColor("#1A1A1A")


def draw(timeline: Timeline, colours, width: float, size: float, language: str, right_to_left: bool = False) -> Drawing:
    """The steps side by side across `width`, their words `size` pt, a word too long for its box hyphenated as
    `language` does; right to left on such a page."""
    fonts.register()  # its words are measured in the leaflet font, also for an HTML leaflet drawn without a PDF
    count = len(timeline.steps)
    box = (width - _GAP * (count - 1)) / count
    leading = size * 1.2
    columns = []
    for label, text in timeline.steps:
        lines = [(line, True) for line in wrap_words(label, box - 2 * _PAD, size, fonts.BOLD, language)]
        lines += [(line, False) for line in wrap_words(text, box - 2 * _PAD, size, fonts.REGULAR, language)]
        columns.append(lines)
    height = max(len(lines) for lines in columns) * leading + 2 * _PAD
    drawing = Drawing(width, height)
    drawing.initialFontName = fonts.REGULAR  # otherwise ReportLab's default, which is not embedded
    primary, accent = HexColor(colours.primary), HexColor(colours.accent)
    for number, lines in enumerate(columns):
        x = number * (box + _GAP)
        drawing.add(Rect(x, 0, box, height, fillColor=accent if number else white, strokeColor=primary,
                         strokeWidth=1.2))
        for row, (line, bold) in enumerate(lines):
            drawing.add(String(x + _PAD, height - _PAD - size * 0.9 - row * leading, line,
                               fontName=fonts.BOLD if bold else fonts.REGULAR, fontSize=size, fillColor=_INK))
        if number:  # an arrow from the box before
            y, left = height / 2, x - _GAP + 3
            drawing.add(Line(left, y, x - 6, y, strokeColor=primary, strokeWidth=1.6))
            drawing.add(Polygon([x - 2, y, x - 8, y + 4, x - 8, y - 4], fillColor=primary, strokeColor=None))
    return mirrored(drawing) if right_to_left else drawing
