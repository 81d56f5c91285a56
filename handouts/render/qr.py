"""The QR code that takes a patient's phone to the clinic's website, as vectors.

segno works out the code; its dark modules are drawn as one rectangle per run
of them in a row, the same runs in the PDF (ReportLab) and the HTML (SVG), so
both print sharp at any size and nothing is fetched or stored as an image.
"""

from __future__ import annotations

import functools
from html import escape

import segno
from reportlab.lib.colors import black
from reportlab.lib.units import mm
from reportlab.platypus import Flowable

# Modules of blank paper on every side, which scanners need to find the code.
QUIET_ZONE = 4
# Printed at least this big (the website's code then has 0.6 mm modules), and
# with modules of at least 0.5 mm for a long address: a phone camera reads that
# easily from a page held in the hand. Any bigger and the contact section it
# stands in grows taller than its paragraph, costing leaflets a page.
MIN_SIZE = 22 * mm
MIN_MODULE = 0.5 * mm


@functools.lru_cache(maxsize=64)
def dark_runs(address: str) -> tuple[int, tuple[tuple[int, int, int], ...]]:
    """The code's side in modules (quiet zone included) and its dark runs,
    (x, y, length) counted from the top left."""
    # Level M survives a smudge or a fold; segno raises it where that costs no size.
    code = segno.make(address, error="m", micro=False)
    runs = []
    for y, row in enumerate(code.matrix_iter(border=QUIET_ZONE)):
        x, row = 0, list(row)
        while x < len(row):
            if row[x]:
                start = x
                while x < len(row) and row[x]:
                    x += 1
                runs.append((start, y, x - start))
            else:
                x += 1
    return code.symbol_size(border=QUIET_ZONE)[0], tuple(runs)


def svg(address: str, label: str) -> str:
    """The code as inline SVG that scales to its box; `label` is its text alternative."""
    side, runs = dark_runs(address)
    path = "".join(f"M{x} {y}h{n}v1h-{n}z" for x, y, n in runs)
    return (f'<svg viewBox="0 0 {side} {side}" role="img" aria-label="{escape(label)}" shape-rendering="crispEdges">'
            f'<rect width="{side}" height="{side}" fill="#fff"/><path fill="#000" d="{path}"/></svg>')


class QRCodeFlowable(Flowable):
    """The code, centred over its caption, in a column at least `width` wide."""

    def __init__(self, address: str, caption: Flowable, width: float):
        super().__init__()
        self.address, self.caption = address, caption
        self.size = max(MIN_SIZE, dark_runs(address)[0] * MIN_MODULE)  # with its quiet zone
        self.width = max(width, self.size)

    def wrap(self, available_width, available_height):
        self.height = self.size + self.caption.wrap(self.width, available_height)[1]
        return self.width, self.height

    def draw(self):
        side, runs = dark_runs(self.address)
        module = self.size / side
        left, top = (self.width - self.size) / 2, self.height
        path = self.canv.beginPath()
        for x, y, n in runs:
            path.rect(left + x * module, top - (y + 1) * module, n * module, module)
        self.canv.setFillColor(black)
        self.canv.drawPath(path, stroke=0, fill=1)
        self.caption.drawOn(self.canv, 0, 0)
        # A click on the code in a PDF viewer opens the address too.
        self.canv.linkURL(self.address, (left, top - self.size, left + self.size, top), relative=1)
