"""The recovery timeline: one row per treatment on a days axis, drawn as vectors.

Back to work is a solid bar, full recovery a striped one, and every bar is
labelled in words, so nothing depends on telling colours apart.
"""

from __future__ import annotations

import math
from dataclasses import replace

from reportlab.lib.colors import Color, white
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable
from reportlab.platypus import Paragraph as RLParagraph

from .document import Chart, Lane
from .fonts import REGULAR
from .rlmarkup import escape, paragraph

_BAR = 13  # bar thickness, pt
_LANE_GAP = 4
_ROW_GAP = 8
_GAP = 10  # between label column, plot and value labels


class RecoveryChart(Flowable):
    def __init__(self, chart: Chart, *, primary: Color, text: Color, grid: Color, label_style: ParagraphStyle,
                 axis: tuple[int, int] | None = None):
        super().__init__()
        self.chart = chart
        self.axis = axis or _axis(chart)  # the parts of a split chart share one scale
        self.primary, self.ink, self.grid = primary, text, grid
        self.label_style = label_style
        self.size = label_style.fontSize
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
        self.value_width = min(available_width * 0.3, max(
            (stringWidth(lane.text, REGULAR, self.size) for bar in self.chart.bars
             for lane in (bar.back, bar.full) if lane.days), default=0)) + _GAP
        self.plot_width = available_width - self.plot_x - self.value_width
        self.axis_end, self.step = self.axis
        self.rows = []
        for bar in self.chart.bars:
            label = self._paragraph(bar.label, self.label_width)
            lanes = [(kind, lane, self._lane_note(lane)) for kind, lane in (("back", bar.back), ("full", bar.full))
                     if lane.days or lane.text]
            lane_heights = [max(self.bar, note.height if note else 0) for _, _, note in lanes]
            height = max(label.height, sum(lane_heights) + _LANE_GAP * (len(lanes) - 1))
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
                             label_style=self.label_style, axis=self.axis)

    def _paragraph(self, text: str, width: float) -> RLParagraph:
        para = paragraph(escape(text), self.label_style)
        para.width, para.height = para.wrap(width, 10_000)
        return para

    def _lane_note(self, lane: Lane) -> RLParagraph | None:
        """Lanes without figures show their words across the plot instead."""
        return None if lane.days else self._paragraph(lane.text, self.width - self.plot_x - 4)

    def x(self, day: float) -> float:
        return self.plot_x + self.plot_width * day / self.axis_end

    # -- drawing -----------------------------------------------------

    def draw(self):
        c = self.canv
        top = self.height
        self._legend(top - self.size)
        y = top - self.legend_height - 8
        self._axis(y, y - sum(r[3] + _ROW_GAP for r in self.rows) + _ROW_GAP / 2)
        for label, lanes, lane_heights, height in self.rows:
            label.drawOn(c, 0, y - label.height)
            lane_top = y
            for (kind, lane, note), lane_height in zip(lanes, lane_heights):
                if note:
                    # Words sit on white so grid lines never run through them.
                    c.setFillColor(white)
                    width = min(stringWidth(lane.text, REGULAR, self.size), note.width)
                    c.rect(self.plot_x, lane_top - note.height, width + 4, note.height, stroke=0, fill=1)
                    note.drawOn(c, self.plot_x + 2, lane_top - note.height)
                else:
                    self._bar(lane, kind, lane_top - self.bar)
                lane_top -= lane_height + _LANE_GAP
            y -= height + _ROW_GAP

    def _legend(self, baseline: float):
        c = self.canv
        x = 0
        for kind, label in (("back", self.chart.back_label), ("full", self.chart.full_label)):
            self._swatch(kind, x, baseline - 2, 26, self.bar)
            c.setFillColor(self.ink)
            c.setFont(REGULAR, self.size)
            c.drawString(x + 32, baseline, label)
            x += 32 + stringWidth(label, REGULAR, self.size) + 28

    def _bar(self, lane: Lane, kind: str, y: float):
        days = lane.days
        end = days.high if days.high is not None else self.axis_end
        x0, x1 = self.x(days.low), self.x(end)
        width = max(x1 - x0, 3)
        self._swatch(kind, x0, y, width, self.bar)
        if days.high is None:
            self._arrow(x0 + width, y + self.bar / 2)
        c = self.canv
        text_x = x0 + width + (9 if days.high is None else 4)
        c.setFillColor(white)
        c.rect(text_x, y, stringWidth(lane.text, REGULAR, self.size) + 4, self.bar, stroke=0, fill=1)
        c.setFillColor(self.ink)
        c.setFont(REGULAR, self.size)
        c.drawString(text_x + 2, y + (self.bar - self.size * 0.7) / 2, lane.text)

    def _swatch(self, kind: str, x: float, y: float, width: float, height: float):
        c = self.canv
        c.saveState()
        c.setStrokeColor(self.primary)
        c.setLineWidth(1)
        if kind == "back":
            c.setFillColor(self.primary)
            c.rect(x, y, width, height, stroke=1, fill=1)
        else:
            c.setFillColor(white)
            c.rect(x, y, width, height, stroke=1, fill=1)
            path = c.beginPath()
            path.rect(x, y, width, height)
            c.clipPath(path, stroke=0, fill=0)
            c.setLineWidth(1.6)
            for offset in range(-int(height), int(width) + 1, 5):
                c.line(x + offset, y, x + offset + height, y + height)
        c.restoreState()

    def _arrow(self, x: float, y: float):
        """An open-ended range ("10 days or more") ends in an arrow head."""
        c = self.canv
        c.setFillColor(self.primary)
        path = c.beginPath()
        path.moveTo(x, y + self.bar / 2 + 3)
        path.lineTo(x + 7, y)
        path.lineTo(x, y - self.bar / 2 - 3)
        path.close()
        c.drawPath(path, stroke=0, fill=1)

    def _axis(self, top: float, bottom: float):
        c = self.canv
        c.setLineWidth(0.6)
        c.setFont(REGULAR, self.size - 1)
        for day in range(0, self.axis_end + 1, self.step):
            x = self.x(day)
            c.setStrokeColor(self.grid)
            c.line(x, bottom, x, top)
            c.setFillColor(self.ink)
            c.drawCentredString(x, bottom - self.size - 2, str(day))
        c.setStrokeColor(self.ink)
        c.line(self.plot_x, bottom, self.x(self.axis_end), bottom)
        c.setFont(REGULAR, self.size)
        c.drawCentredString(self.plot_x + self.plot_width / 2, bottom - 2.4 * self.size - 2, self.chart.axis)


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
