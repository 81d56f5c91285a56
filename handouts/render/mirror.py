"""Drawings for a page that reads right to left: mirrored, their words still readable.

The chart, the timeline and the pictures are drawn once, left to right, as
ReportLab shapes (for the PDF and, as SVG, the HTML). On a right-to-left page
the same shapes are flipped about the drawing's middle, so bars grow from the
right, the timeline runs right to left and labels stand on the left of a
picture; each word is flipped back upright where it stands, its anchor
swapped (a label that began at a point now ends there), and its letters
shaped and put in display order (rtl.py), since a drawing's strings are drawn
character by character as given.
"""

from __future__ import annotations

from reportlab.graphics.shapes import Drawing, Group, String

from . import rtl

_SWAPPED = {"start": "end", "end": "start"}


def mirrored(drawing: Drawing) -> Drawing:
    """`drawing`, complete, flipped left to right in place (and returned), its words upright and readable."""
    flipped = Group(*drawing.contents, transform=(-1, 0, 0, 1, drawing.width, 0))
    _upright(flipped)
    drawing.contents = [flipped]
    return drawing


def _upright(group: Group) -> None:
    for index, node in enumerate(group.contents):
        if isinstance(node, Group):
            _upright(node)
        elif isinstance(node, String):
            node.text = rtl.display_line(node.text)
            node.textAnchor = _SWAPPED.get(node.textAnchor, node.textAnchor)
            group.contents[index] = Group(node, transform=(-1, 0, 0, 1, 2 * node.x, 0))
