"""The recovery timeline: one row per treatment on a days axis, drawn as vectors.

Back to work is a solid bar, full recovery a striped one, and every bar is
labelled in words, so nothing depends on telling colours apart.
"""

from __future__ import annotations

import math
from dataclasses import replace

from reportlab.graphics import renderPDF
from reportlab.graphics.shapes import Drawing, Line, Polygon, Rect, String
from reportlab.lib.colors import Color, HexColor, white
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable

from ..leaflet.document import Chart, Lane
from . import hyphens
from .fonts import REGULAR
from .mirror import mirrored

_BAR = 13  # bar thickness, pt
_LANE_GAP = 4
_ROW_GAP = 8
_GAP = 10  # between label column, plot and value labels


class RecoveryChart(Flowable):
    """The chart as a flowable for the PDF; `drawing()` is the same picture
    as shapes, which the HTML version shows as inline SVG."""

    def __init__(self, chart: Chart, *, primary: Color, text: Color, grid: Color, size: float,
                 axis: tuple[int, int] | None = None, right_to_left: bool = False):
        super().__init__()
        self.chart = chart
        self.right_to_left = right_to_left  # mirrored: bars grow from the right, labels at the right
        self.axis = axis or _axis(chart)  # the parts of a split chart share one scale
        self.primary, self.ink, self.grid = primary, text, grid
        self.size = size
        self.leading = size * 1.25
        # Thick enough for the words drawn inside a bar, in large print too.
        self.bar = max(_BAR, self.size * 1.1)
        self._laid_out_for = None

    # -- layout ------------------------------------------------------

    def wrap(self, available_width, available_height):
        if self._laid_out_for == available_width:  # KeepTogether asks twice
            return self.width, self.height
        self._laid_out_for = available_width
        self.width = available_width
        # Never narrower than the longest word: a label breaks between words only.
        self.label_width = max(min(available_width * 0.3, max(
            stringWidth(bar.label, REGULAR, self.size) for bar in self.chart.bars) + 2), max(
            stringWidth(word, REGULAR, self.size) for bar in self.chart.bars for word in bar.label.split()) + 2)
        self.plot_x = self.label_width + _GAP
        self.value_width = min(available_width * 0.4, max(
            (stringWidth(lane.text, REGULAR, self.size) for bar in self.chart.bars
             for lane in (bar.back, bar.full) if lane.days), default=0)) + _GAP
        self.plot_width = available_width - self.plot_x - self.value_width
        self.axis_end, self.step = _readable(self.axis, self.plot_width, stringWidth("88", REGULAR, self.size) + 6)
        self.rows = []
        for bar in self.chart.bars:
            label = _lines(bar.label, self.label_width, self.size)
            # Lanes without figures show their words across the plot instead of a bar.
            lanes = [(kind, lane, None if lane.days else _lines(lane.text, self.width - self.plot_x - 4, self.size))
                     for kind, lane in (("back", bar.back), ("full", bar.full)) if lane.days or lane.text]
            lane_heights = [max(self.bar, len(note) * self.leading if note else 0) for _, _, note in lanes]
            height = max(len(label) * self.leading, sum(lane_heights) + _LANE_GAP * (len(lanes) - 1))
            self.rows.append((label, lanes, lane_heights, height))
        self.legend_height = self.size * 1.5
        self.axis_height = self.size * 2.7
        self.height = self.legend_height + 8 + sum(r[3] + _ROW_GAP for r in self.rows) + self.axis_height
        return self.width, self.height

    @property
    def minimum_height(self) -> float:
        """The legend, the axis and the first two rows: less is not worth starting on a page."""
        return self.legend_height + 8 + sum(r[3] + _ROW_GAP for r in self.rows[:2]) + self.axis_height

    def split(self, available_width, available_height):
        """Between rows, each part with its own legend and axis on the same scale."""
        self.wrap(available_width, available_height)
        room = available_height - self.legend_height - 8 - self.axis_height
        fits = 0
        while fits < len(self.rows) and room >= self.rows[fits][3] + _ROW_GAP:
            room -= self.rows[fits][3] + _ROW_GAP
            fits += 1
        if fits in (0, len(self.rows)):
            return []
        bars = self.chart.bars
        return [self._part(bars[:fits]), self._part(bars[fits:])]

    def _part(self, bars) -> RecoveryChart:
        return RecoveryChart(replace(self.chart, bars=bars), primary=self.primary, text=self.ink, grid=self.grid,
                             size=self.size, axis=self.axis, right_to_left=self.right_to_left)

    def x(self, day: float) -> float:
        return self.plot_x + self.plot_width * day / self.axis_end

    # -- drawing -----------------------------------------------------

    def draw(self):
        renderPDF.draw(self.drawing(), self.canv, 0, 0)

    def drawing(self) -> Drawing:
        """The chart as shapes, laid out for the width last given to wrap()."""
        drawing = Drawing(self.width, self.height)
        drawing.initialFontName = REGULAR  # not ReportLab's own font, which is not embedded
        top = self.height
        self._legend(drawing, top - self.size)
        y = top - self.legend_height - 8
        self._axis(drawing, y, y - sum(r[3] + _ROW_GAP for r in self.rows) + _ROW_GAP / 2)
        for label, lanes, lane_heights, height in self.rows:
            self._text(drawing, label, 0, y)
            lane_top = y
            for (kind, lane, note), lane_height in zip(lanes, lane_heights):
                if note:
                    # Words sit on white so grid lines never run through them.
                    width = max(stringWidth(line, REGULAR, self.size) for line in note)
                    drawing.add(Rect(self.plot_x, lane_top - lane_height, width + 4, lane_height, fillColor=white,
                                     strokeColor=None))
                    self._text(drawing, note, self.plot_x + 2, lane_top)
                else:
                    self._bar(drawing, lane, kind, lane_top - self.bar)
                lane_top -= lane_height + _LANE_GAP
            y -= height + _ROW_GAP
        return mirrored(drawing) if self.right_to_left else drawing

    def _text(self, drawing: Drawing, lines: list[str], x: float, top: float):
        for number, line in enumerate(lines):
            drawing.add(String(x, top - self.size * 0.95 - number * self.leading, line, fontName=REGULAR,
                               fontSize=self.size, fillColor=self.ink))

    def _legend(self, drawing: Drawing, baseline: float):
        x = 0
        for kind, label in (("back", self.chart.back_label), ("full", self.chart.full_label)):
            self._swatch(drawing, kind, x, baseline - 2, 26, self.bar)
            drawing.add(String(x + 32, baseline, label, fontName=REGULAR, fontSize=self.size, fillColor=self.ink))
            x += 32 + stringWidth(label, REGULAR, self.size) + 28

    def _bar(self, drawing: Drawing, lane: Lane, kind: str, y: float):
        days = lane.days
        end = days.high if days.high is not None else self.axis_end
        x0, x1 = self.x(days.low), self.x(end)
        width = max(x1 - x0, 3)
        self._swatch(drawing, kind, x0, y, width, self.bar)
        if days.high is None:
            self._arrow(drawing, x0 + width, y + self.bar / 2)
        text_x = x0 + width + (9 if days.high is None else 4)
        drawing.add(Rect(text_x, y, stringWidth(lane.text, REGULAR, self.size) + 4, self.bar, fillColor=white,
                         strokeColor=None))
        drawing.add(String(text_x + 2, y + (self.bar - self.size * 0.7) / 2, lane.text, fontName=REGULAR,
                           fontSize=self.size, fillColor=self.ink))

    def _swatch(self, drawing: Drawing, kind: str, x: float, y: float, width: float, height: float):
        solid = kind == "back"
        drawing.add(Rect(x, y, width, height, fillColor=self.primary if solid else white, strokeColor=self.primary,
                         strokeWidth=1))
        if not solid:  # stripes, cut to the bar: no clipping, so the SVG needs none either
            for offset in range(-int(height), int(width) + 1, 5):
                x0, x1 = max(x + offset, x), min(x + offset + height, x + width)
                if x1 > x0:
                    drawing.add(Line(x0, y + (x0 - x - offset), x1, y + (x1 - x - offset), strokeColor=self.primary,
                                     strokeWidth=1.6))

    def _arrow(self, drawing: Drawing, x: float, y: float):
        """An open-ended range ("10 days or more") ends in an arrow head."""
        drawing.add(Polygon([x, y + self.bar / 2 + 3, x + 7, y, x, y - self.bar / 2 - 3], fillColor=self.primary,
                            strokeColor=None))

    def _axis(self, drawing: Drawing, top: float, bottom: float):
        for day in range(0, self.axis_end + 1, self.step):
            x = self.x(day)
            drawing.add(Line(x, bottom, x, top, strokeColor=self.grid, strokeWidth=0.6))
            drawing.add(String(x, bottom - self.size - 2, str(day), fontName=REGULAR, fontSize=self.size,
                               fillColor=self.ink, textAnchor="middle"))
        drawing.add(Line(self.plot_x, bottom, self.x(self.axis_end), bottom, strokeColor=self.ink, strokeWidth=0.6))
        drawing.add(String(self.plot_x + self.plot_width / 2, bottom - 2.4 * self.size - 2, self.chart.axis,
                           fontName=REGULAR, fontSize=self.size, fillColor=self.ink, textAnchor="middle"))


GRID = HexColor("#AEB9BB")


def recovery_chart(chart: Chart, colours, size: float, right_to_left: bool = False) -> RecoveryChart:
    """The chart in the clinic's colours, its words `size` points; mirrored for a right-to-left page."""
    return RecoveryChart(chart, primary=HexColor(colours.primary), text=HexColor(colours.text), grid=GRID, size=size,
                         right_to_left=right_to_left)


def _readable(axis: tuple[int, int], width: float, room: float) -> tuple[int, int]:
    """A tick step wide enough for its numbers (`room` each) on a plot `width` wide."""
    end, step = axis
    for wider in (1, 2, 5, 10, 20, 50, 100):
        if wider >= step and width * wider / end >= room:
            return math.ceil(end / wider) * wider, wider
    return end, end


def _lines(text: str, width: float, size: float) -> list[str]:
    """`text` in lines that fit `width`, broken between words; one empty line for no text."""
    return wrap_words(text, width, size, REGULAR) or [""]


def wrap_words(text: str, width: float, size: float, font: str, language: str = "") -> list[str]:
    """Lines of at most `width` in `font`, broken between words; a word longer than that is hyphenated by
    `language`'s dictionary where one is given and it can be, else stands on its own line."""
    def fits(line: str) -> bool:
        return stringWidth(line, font, size) <= width

    lines: list[str] = []
    for word in text.split():
        if lines and fits(f"{lines[-1]} {word}"):
            lines[-1] += f" {word}"
        else:
            lines += hyphens.pieces(word, fits, language) if language else [word]
    return lines


def _axis(chart: Chart) -> tuple[int, int]:
    """(last day on the axis, tick step): room for every bar, and for open
    ranges to run on visibly past their start."""
    ends = [0]
    for bar in chart.bars:
        for lane in (bar.back, bar.full):
            if lane.days:
                low, high = lane.days.low, lane.days.high
                ends.append(high if high is not None else math.ceil(low * 1.4) + 2)
    top = max(max(ends), 7)
    step = 1 if top <= 10 else 2 if top <= 24 else 5 if top <= 60 else 10
    return math.ceil(top / step) * step, step
