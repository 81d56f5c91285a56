"""Turning document runs into ReportLab paragraph markup, escaped.

ReportLab paragraphs read an XML-like markup; every character of data is
escaped here, so text such as "<b" or "AT&T" prints exactly as typed.
Right-to-left text is shaped and drawn in display order (rtl.py), letters
the leaflet font lacks are drawn in a font the clinic added (fonts.py), and
Indic and Thai letters are shaped by HarfBuzz (shaping.py).
"""

import copy
import functools
import re
from xml.sax.saxutils import escape as _xml_escape

from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import getAscentDescent
from reportlab.platypus import Paragraph
from reportlab.platypus.paragraph import _processed_frags
from reportlab.rl_config import paraFontSizeHeightOffset

from . import fonts, hyphens, rtl, shaping
from ..leaflet import scripts
from ..leaflet.document import Inline


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
            text = escape(_LONG_WORD.sub(_soft_hyphens, run.text))
        if run.href:
            text = f'<a href="{escape_attribute(run.href)}">{text}</a>'
        out.append(f"<b>{text}</b>" if run.bold else text)
    return "".join(out)


def escape_attribute(value: str) -> str:
    """A value for a markup attribute in double quotes."""
    return _xml_escape(value, {'"': "&quot;"})


# Words this long may not fit a line (a name in large print, a chart label):
# soft hyphens let ReportLab break them with a hyphen, never silently.
_LONG_WORD = re.compile(r"\w{16,}")
_SHY = "\u00ad"


def _soft_hyphens(match: re.Match) -> str:
    word = match[0]
    if rtl.RTL.search(word) or scripts.needs_shaping(word):
        return word  # shaped (and reordered) as a whole
    marked = hyphens.hyphenator("en-GB").inserted(word, hyphen=_SHY)
    # Where the dictionary finds no break (a name in another language), every 8 letters will do.
    return marked if _SHY in marked else _SHY.join(word[i:i + 8] for i in range(0, len(word), 8))


@functools.lru_cache(maxsize=4096)
def _fragments(text: str, style: ParagraphStyle) -> list:
    return Paragraph(text, style).frags


class BidiParagraph(Paragraph):
    """A paragraph whose lines are drawn in display order when they hold
    right-to-left text; one that reads right to left is right aligned.

    Lines are broken in reading order and only reordered to be drawn, so
    splitting a paragraph at a page end still splits it between the right words.
    One holding letters that need shaping (Devanagari, Thai...) is shaped.
    """

    def __init__(self, text, style=None, bulletText=None, *args, **kwargs):
        # On a right-to-left page (pdfstyles: the style's right_to_left) every paragraph reads right to left
        # and its bullet stands at the right: drawn here, as ReportLab draws bullets at the left.
        self.page_rtl = getattr(style, "right_to_left", False)
        self.right_bullet = bulletText if self.page_rtl else None
        super().__init__(text, shaping.style_for(text, style), None if self.page_rtl else bulletText,
                         *args, **kwargs)

    def drawPara(self, debug=0):
        logical, style = self.blPara, self.style
        if not self.page_rtl and not rtl.RTL.search(
                self.text if self.text is not None else " ".join(_line_texts(logical))):
            return super().drawPara(debug)
        texts = _line_texts(logical)
        right_to_left = self.page_rtl or rtl.base_is_rtl(" ".join(texts))
        self.blPara = _visual(logical, texts, right_to_left)
        if right_to_left and style.alignment == TA_LEFT:
            self.style = _right_aligned(style)
        try:
            return super().drawPara(debug)
        finally:
            self.blPara, self.style = logical, style
            if self.right_bullet:
                self._draw_right_bullet()

    def _draw_right_bullet(self) -> None:
        """The bullet (a dot, a box, a number) at the right of the first line, in display order."""
        style, canvas = self.style, self.canv
        baseline = self.height - (style.fontSize if paraFontSizeHeightOffset
                                  else getAscentDescent(style.fontName, style.fontSize)[0])
        canvas.saveState()
        canvas.setFont(style.bulletFontName, style.bulletFontSize)
        canvas.setFillColor(getattr(style, "bulletColor", style.textColor))
        canvas.drawRightString(self.width - style.bulletIndent, baseline, rtl.display_line(self.right_bullet))
        canvas.restoreState()


def _line_texts(para) -> list[str]:
    if para.kind == 0:
        return [" ".join(words) for _, words in para.lines]
    return ["".join(_text(frag) for frag in line.words) for line in para.lines]


def _text(frag) -> str:
    """A fragment's characters; none for images, anchors and line-break marks."""
    text = getattr(frag, "text", "")
    return text if isinstance(text, str) and not hasattr(frag, "cbDefn") else ""


def _visual(para, texts: list[str], right_to_left: bool):
    """A copy of broken lines `para` with each line's characters in display order."""
    orders = rtl.visual_lines(texts, right_to_left)
    visual = copy.copy(para)
    if para.kind == 0:
        visual.lines = [(space, "".join(char for _, char in order).split(" "))
                        for (space, _), order in zip(para.lines, orders)]
        return visual
    visual.lines = []
    for line, order in zip(para.lines, orders):
        owners = [frag for frag in line.words for _ in _text(frag)]
        words, run, owner = [], "", None
        for index, char in order:
            if owners[index] is not owner and run:
                words.append(owner.clone(text=run))
                run = ""
            owner, run = owners[index], run + char
        if run:
            words.append(owner.clone(text=run))
        line = copy.copy(line)
        line.words = words + [frag for frag in line.words if not _text(frag)]
        visual.lines.append(line)
    return visual


@functools.lru_cache(maxsize=64)
def _right_aligned(style: ParagraphStyle) -> ParagraphStyle:
    return ParagraphStyle(f"{style.name}-rtl", parent=style, alignment=TA_RIGHT)


_broken_lines: dict[tuple, tuple] = {}


class _Paragraph(BidiParagraph):
    """A paragraph whose lines are broken once per text, style and width.

    Breaking lines was a quarter of a batch's time, and most paragraphs
    are the same in every leaflet of a batch.
    """

    def breakLines(self, width):
        if self.text is None:  # the tail of a paragraph split at a page end
            carried = getattr(self, "_carried", None)
            if carried and carried[0] == tuple(width):
                # Its lines as they were broken before the split: breaking them all again on every page made
                # a long paragraph's layout grow with the square of its length.
                lines, self._width_max, self._splitLongWordCount, self._hyphenations = carried[1:]
                return lines
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

    def split(self, availWidth, availHeight):
        parts = super().split(availWidth, availHeight)
        # Lines of one style (kind 0) carry no references into the paragraph's fragments: the tail keeps them.
        if len(parts) == 2 and self.blPara.kind == 0 and not _processed_frags(self.frags):
            first, tail = parts
            later = self._wrapWidths[-1]  # every line after the first was broken this wide, as the tail's are
            broken = self.blPara.clone(lines=self.blPara.lines[len(first.blPara.lines):])
            tail._carried = ((later, later), broken, self._width_max, self._splitLongWordCount, self._hyphenations)
        return parts


def paragraph(text: str, style: ParagraphStyle, bullet: str | None = None) -> Paragraph:
    """A ReportLab paragraph whose markup is parsed once per process.

    Most text (treatment facts, expectations, the checklist) is the same in
    every leaflet, and parsing it was a sixth of the time a batch took. Styles
    must live as long as the process (pdf.py keeps them) for this to pay.
    """
    text = prepare(text)
    return _Paragraph(text, style, bulletText=bullet, frags=_fragments(text, style))


def prepare(text: str) -> str:
    """Markup made ready to draw: Arabic shaped, letters the leaflet font lacks in an added font."""
    return fonts.with_fallback(rtl.shape(text))
