"""Labelled diagrams of the skin, drawn once as vectors for both the PDF and the HTML.

Each picture is a ReportLab `Drawing` built from shapes; the PDF places the
Drawing itself, the HTML gets the same Drawing as inline SVG. They explain
what the sources say (a scar's shape, what a treatment does); they add no
claim of their own. Meaning is carried by labels and patterns (dots for the
deeper tissue, a tint for the top layer, a thick outline for the scar), never
by colour alone.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable

from reportlab.graphics import renderSVG
from reportlab.graphics.shapes import Circle, Drawing, Group, Line, PolyLine, Polygon, Rect, String
from reportlab.lib.colors import Color, HexColor, white
from reportlab.pdfbase.pdfmetrics import stringWidth

from . import fonts
from .mirror import mirrored


_PANEL = 140  # width of one cross-section, pt
_HEIGHT = 76
_SURFACE = 58  # height of the level skin surface
_TOP = 13  # thickness of the top layer
_INK = HexColor("#1A1A1A")
_DOTS = HexColor("#7A8A8C")


class Style:
    """The brand colours and the label size (larger in large print)."""

    def __init__(self, primary: str, accent: str, label_size: float = 11):
        self.primary, self.accent, self.size = HexColor(primary), HexColor(accent), label_size


def draw(name: str, labels: dict[str, str], colours, large_print: bool = False,
         right_to_left: bool = False) -> Drawing:
    """The picture called `name`, labelled in `labels`' words, in the clinic's `colours`; mirrored, its labels
    at the left, for a right-to-left page."""
    fonts.register()  # labels are measured in the leaflet font, also for an HTML leaflet drawn without a PDF
    drawing = _BUILDERS[name](labels, Style(colours.primary, colours.accent, 16 if large_print else 12))
    return mirrored(drawing) if right_to_left else drawing


def to_svg(drawing: Drawing, ident: str, description: str) -> str:
    """Inline SVG for an HTML page: scalable, its ids unique on the page, and
    described for screen readers (role="img" with an aria-label)."""
    svg = renderSVG.drawToString(drawing)
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r'<svg width="[\d.]+" height="[\d.]+"', f'<svg role="img" aria-label="{_attr(description)}"'
                 ' class="picture"', svg, count=1)
    svg = re.sub(r"\s*<title>\.\.\.</title>\s*<desc>\.\.\.</desc>", "", svg)
    svg = svg.replace('id="clip"', f'id="clip-{ident}"').replace("url(#clip)", f"url(#clip-{ident})")
    svg = svg.replace(' id="group"', "")
    # Inside a style="..." attribute: single quotes only. Bold first: its name begins with the regular one's.
    family = "font-family: 'DejaVu Sans', Verdana, sans-serif"
    return svg.replace(f"font-family: {fonts.BOLD}", f"{family}; font-weight: bold") \
              .replace(f"font-family: {fonts.REGULAR}", family)


def _attr(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


# -- one cross-section of skin ------------------------------------------------


class _Section:
    """Skin seen from the side: a surface profile (depth of the dip at x),
    the top layer following it, and the deeper tissue below."""

    def __init__(self, depth: Callable[[float], float], x0: float = 0, width: float = _PANEL):
        self.depth, self.x0, self.width = depth, x0, width
        self.xs = [x0 + width * i / 60 for i in range(61)]

    def surface(self, x: float) -> float:
        return _SURFACE - self.depth(x - self.x0)

    def boundary(self, x: float) -> float:
        """Where the top layer meets the deeper tissue."""
        return self.surface(x) - _TOP

    def draw(self, group: Group, style: Style, *, top_fill: Color | None = None) -> None:
        surface = [(x, self.surface(x)) for x in self.xs]
        boundary = [(x, self.boundary(x)) for x in self.xs]
        deeper = boundary + [(self.x0 + self.width, 6), (self.x0, 6)]
        group.add(Polygon(_flat(deeper), fillColor=white, strokeColor=None))
        # Dots for the deeper tissue: a pattern that survives black-and-white printing
        # (small squares: a quarter of a circle's bytes in the PDF, and the same at print size).
        for row, y in enumerate(range(12, int(_SURFACE), 9)):
            for x in range(int(self.x0) + 5 + 4 * (row % 2), int(self.x0 + self.width) - 2, 8):
                if y < self.boundary(x) - 3:
                    group.add(Rect(x - 0.9, y - 0.9, 1.8, 1.8, fillColor=_DOTS, strokeColor=None))
        top = surface + boundary[::-1]
        group.add(Polygon(_flat(top), fillColor=top_fill or style.accent, strokeColor=None))
        group.add(PolyLine(_flat(boundary), strokeColor=_DOTS, strokeWidth=0.8, strokeDashArray=[3, 2]))
        group.add(PolyLine(_flat(surface), strokeColor=_INK, strokeWidth=1.6))


def _flat(points) -> list[float]:
    return [value for point in points for value in point]


def _dip(depth: float, width: float, sharpness: float = 2) -> Callable[[float], float]:
    """A dip in the middle of a panel: deeper `depth`, about `width` across."""
    return lambda x: depth * math.exp(-abs((x - _PANEL / 2) / width) ** sharpness)


# -- labels --------------------------------------------------------------------


class _Canvas:
    """A drawing with a column of labels on the right, each with a leader
    line to the point it names."""

    def __init__(self, style: Style, panels: int = 1, label_width: float = 96, legend: str = ""):
        self.style = style
        label_width *= style.size / 11  # large print: wider labels
        self.picture_width = _PANEL * panels + 12 * (panels - 1)
        self.below = style.size * 1.8 if legend else 0
        self.drawing = Drawing(self.picture_width + 10 + label_width, _HEIGHT + self.below)
        # Otherwise a drawing starts in ReportLab's default font, which is not embedded.
        self.drawing.initialFontName = fonts.REGULAR
        self.group = Group(transform=(1, 0, 0, 1, 0, self.below))
        self.drawing.add(self.group)
        if legend:  # a dashed line, named underneath the picture where a leader line would cross it
            y = style.size * 0.5
            # Dashed lines are PolyLines: ReportLab's SVG output keeps their dashes, not a Line's.
            self.drawing.add(PolyLine([4, y + style.size * 0.35, 34, y + style.size * 0.35], strokeColor=style.primary,
                                      strokeWidth=1.6, strokeDashArray=[4, 2]))
            self.drawing.add(String(42, y, legend, fontName=fonts.REGULAR, fontSize=style.size, fillColor=_INK))
        self.labels: list[tuple[str, float, float]] = []

    def label(self, text: str, x: float, y: float) -> None:
        self.labels.append((text, x, y))

    def title(self, text: str, x: float) -> None:
        """A word over a panel ("Before", "After healing")."""
        self.group.add(String(x, _SURFACE + 6, text, fontName=fonts.BOLD, fontSize=self.style.size,
                              fillColor=_INK, textAnchor="middle"))

    def finish(self) -> Drawing:
        """Labels top to bottom in the order of the points they name, each
        level with its point where there is room, wrapped to the column."""
        size, leading = self.style.size, self.style.size * 1.15
        x_text = self.picture_width + 14
        width = self.drawing.width - x_text
        blocks = [(_wrap(text, width, size), x, y) for text, x, y in sorted(self.labels, key=lambda l: -l[2])]
        # Taller than the picture where the labels need it (large print).
        height = max(_HEIGHT, sum(len(lines) * leading + size * 0.3 for lines, _, _ in blocks) + 4)
        self.drawing.height = height + self.below
        tops, floor = [], height - size * 0.2
        for lines, _, target in blocks:
            top = min(floor, target + size * 0.35)
            tops.append(top)
            floor = top - len(lines) * leading - size * 0.3
        lift = max(0.0, 2 - floor)  # the lowest label must stay inside the picture
        for (lines, x, target), top in zip(blocks, tops):
            top = min(top + lift, height - size * 0.2)
            self.group.add(Line(x, target, x_text - 3, top - size * 0.35, strokeColor=self.style.primary,
                                strokeWidth=0.8))
            self.group.add(Circle(x, target, 1.8, fillColor=self.style.primary, strokeColor=None))
            for number, line in enumerate(lines):
                self.group.add(String(x_text, top - size * 0.8 - number * leading, line, fontName=fonts.REGULAR,
                                      fontSize=size, fillColor=_INK))
        return self.drawing


def _wrap(text: str, width: float, size: float) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and stringWidth(f"{lines[-1]} {word}", fonts.REGULAR, size) <= width:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    return lines


def _cross_section(style: Style, depth: Callable[[float], float]) -> tuple[_Canvas, _Section]:
    """A labelled drawing of one cross-section of skin with this dip."""
    canvas, section = _Canvas(style), _Section(depth)
    section.draw(canvas.group, style)
    return canvas, section


def _scar_named(canvas: _Canvas, labels: dict[str, str], section: _Section) -> None:
    """The scar outlined in the brand colour and labelled."""
    _outline_scar(canvas, section)
    canvas.label(labels["scar"], _PANEL / 2, section.surface(_PANEL / 2) + 1)


def _scar(depth: Callable[[float], float]) -> Callable:
    def build(labels: dict[str, str], style: Style) -> Drawing:
        canvas, section = _cross_section(style, depth)
        _scar_named(canvas, labels, section)
        _layer_labels(canvas, labels, section)
        return canvas.finish()
    return build


def _outline_scar(canvas: _Canvas, section: _Section) -> None:
    """The scar's own surface, drawn thick in the brand colour."""
    xs = [x for x in section.xs if section.depth(x - section.x0) > 0.6]
    if xs:
        canvas.group.add(PolyLine(_flat((x, section.surface(x)) for x in xs), strokeColor=canvas.style.primary,
                                  strokeWidth=3))


def _layer_labels(canvas: _Canvas, labels: dict[str, str], section: _Section) -> None:
    """Named near the right edge, so leader lines stay short and clear of the scar."""
    right = section.x0 + section.width
    canvas.label(labels["surface"], right - 8, section.surface(right - 8))
    canvas.label(labels["top"], right - 14, section.surface(right - 14) - _TOP / 2)
    canvas.label(labels["deeper"], right - 10, 22)


def _marks(labels: dict[str, str], style: Style) -> Drawing:
    canvas, section = _cross_section(style, lambda x: 0)
    # The mark: a change of colour in the top layer, shown by a denser pattern, not by colour alone.
    x0, x1 = _PANEL / 2 - 22, _PANEL / 2 + 22
    canvas.group.add(Rect(x0, _SURFACE - _TOP + 2, x1 - x0, _TOP - 3, fillColor=style.primary, strokeColor=None,
                          fillOpacity=0.35))
    for x in range(int(x0) + 2, int(x1), 4):
        canvas.group.add(Line(x, _SURFACE - _TOP + 2, x + 3, _SURFACE - 1, strokeColor=style.primary,
                              strokeWidth=0.9))
    _layer_labels(canvas, labels, section)
    canvas.label(labels["mark"], _PANEL / 2, _SURFACE - _TOP / 2)
    return canvas.finish()


def _resurfacing(labels: dict[str, str], style: Style) -> Drawing:
    canvas = _Canvas(style, panels=2, label_width=84, legend=labels["removed"])
    before = _Section(_dip(14, 26), 0)
    after = _Section(_dip(5, 30), _PANEL + 12)
    before.draw(canvas.group, style)
    after.draw(canvas.group, style)
    # What is taken off: the surface down to a line under it, dashed.
    cut = [(x, before.surface(x) - 7) for x in before.xs]
    canvas.group.add(PolyLine(_flat(cut), strokeColor=style.primary, strokeWidth=1.6, strokeDashArray=[4, 2]))
    _outline_scar(canvas, before)
    _outline_scar(canvas, after)
    canvas.title(labels["before"], _PANEL / 2)
    canvas.title(labels["after"], _PANEL * 1.5 + 12)
    canvas.label(labels["new_skin"], after.x0 + 130, after.surface(after.x0 + 130) - 4)
    canvas.label(labels["deeper"], after.x0 + 130, 22)
    return canvas.finish()


def _fractional(labels: dict[str, str], style: Style) -> Drawing:
    canvas, section = _cross_section(style, _dip(8, 30))
    # Narrow columns deep in the skin, under a top layer that is left whole.
    for x in range(35, 120, 14):
        top = section.boundary(x) - 2
        canvas.group.add(PolyLine([x, _HEIGHT - 4, x, section.surface(x)], strokeColor=style.primary,
                                  strokeWidth=0.9, strokeDashArray=[2, 2]))
        canvas.group.add(Rect(x - 2.2, top - 24, 4.4, 24, fillColor=style.primary, strokeColor=None))
    _outline_scar(canvas, section)
    canvas.label(labels["laser"], 119, _HEIGHT - 8)
    canvas.label(labels["whole"], 140, section.surface(140) - _TOP / 2)
    canvas.label(labels["deeper"], 126, section.boundary(126) - 22)
    return canvas.finish()


def _subcision(labels: dict[str, str], style: Style) -> Drawing:
    canvas, section = _cross_section(style, _dip(12, 22))
    middle = _PANEL / 2
    needle_y = section.boundary(middle) - 12
    # The strands that hold the scar down, cut where the needle passes.
    for dx in (-12, 0, 12):
        x = middle + dx
        canvas.group.add(Line(x, section.boundary(x), x, needle_y + 4, strokeColor=_INK, strokeWidth=2))
        canvas.group.add(Line(x, needle_y - 4, x, 12, strokeColor=_INK, strokeWidth=2))
    canvas.group.add(Polygon([4, needle_y + 1.6, middle + 22, needle_y + 0.4, middle + 30, needle_y,
                              middle + 22, needle_y - 0.4, 4, needle_y - 1.6],
                             fillColor=style.primary, strokeColor=style.primary, strokeWidth=0.8))
    _scar_named(canvas, labels, section)
    canvas.label(labels["needle"], middle + 26, needle_y)
    canvas.label(labels["held"], middle + 12, 16)
    return canvas.finish()


def _fillers(labels: dict[str, str], style: Style) -> Drawing:
    canvas, section = _cross_section(style, _dip(16, 20))
    middle = _PANEL / 2
    # The filler sits under the dip, to fill it out.
    canvas.group.add(_ellipse(middle, section.boundary(middle) - 9, 24, 8, style.primary))
    _scar_named(canvas, labels, section)
    canvas.label(labels["filler"], middle + 20, section.boundary(middle) - 9)
    _layer_labels(canvas, labels, section)
    return canvas.finish()


def _ellipse(cx: float, cy: float, rx: float, ry: float, colour: Color) -> Polygon:
    points = [(cx + rx * math.cos(a / 20 * math.pi), cy + ry * math.sin(a / 20 * math.pi)) for a in range(40)]
    return Polygon(_flat(points), fillColor=colour, strokeColor=_INK, strokeWidth=1, fillOpacity=0.55)


_BUILDERS: dict[str, Callable[[dict[str, str], Style], Drawing]] = {
    "rolling": _scar(_dip(10, 30)),
    "ice-pick": _scar(lambda x: 36 * max(0.0, 1 - abs(x - _PANEL / 2) / 7)),
    "deep-craters": _scar(_dip(20, 22, 6)),
    "superficial": _scar(_dip(5, 22)),
    "marks": _marks,
    "resurfacing": _resurfacing,
    "fractional": _fractional,
    "subcision": _subcision,
    "fillers": _fillers,
}
