"""Turning document runs into ReportLab paragraph markup, escaped.

ReportLab paragraphs read an XML-like markup; every character of data is
escaped here, so text such as "<b" or "AT&T" prints exactly as typed.
"""

import functools
from xml.sax.saxutils import escape as _xml_escape

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph

from .document import Inline


def escape(text: str) -> str:
    return _xml_escape(text)


def markup(runs: Inline, page: int | None = None, pages: int | None = None) -> str:
    out = []
    for run in runs:
        if run.field:
            text = escape(str(page if run.field == "page" else pages))
        elif run.text == "\n":
            out.append("<br/>")
            continue
        else:
            text = escape(run.text)
        out.append(f"<b>{text}</b>" if run.bold else text)
    return "".join(out)


@functools.lru_cache(maxsize=4096)
def _fragments(text: str, style: ParagraphStyle) -> list:
    return Paragraph(text, style).frags


_broken_lines: dict[tuple, tuple] = {}


class _Paragraph(Paragraph):
    """A paragraph whose lines are broken once per text, style and width.

    Breaking lines was a quarter of a batch's time, and most paragraphs
    are the same in every leaflet of a batch.
    """

    def breakLines(self, width):
        if self.text is None:  # the tail of a paragraph split at a page end
            return super().breakLines(width)
        key = (self.text, self.style, self.bulletText, tuple(width))
        if key not in _broken_lines:
            if len(_broken_lines) > 8192:
                _broken_lines.clear()
            lines = super().breakLines(width)
            # breakLines also leaves these behind, and drawing reads them.
            _broken_lines[key] = (lines, self.frags, self._width_max, self._splitLongWordCount, self._hyphenations)
        lines, self.frags, self._width_max, self._splitLongWordCount, self._hyphenations = _broken_lines[key]
        return lines


def paragraph(text: str, style: ParagraphStyle, bullet: str | None = None) -> Paragraph:
    """A ReportLab paragraph whose markup is parsed once per process.

    Most text (treatment facts, expectations, the checklist) is the same in
    every leaflet, and parsing it was a sixth of the time a batch took. Styles
    must live as long as the process (pdf.py keeps them) for this to pay.
    """
    return _Paragraph(text, style, bulletText=bullet, frags=_fragments(text, style))
