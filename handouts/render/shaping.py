"""Shaping by HarfBuzz (reportlab[shaping]) for the words that need it, and only those.

Devanagari, Bengali, Thai... reorder, fuse and stack their letters, which
ReportLab does through HarfBuzz for a paragraph whose style says `shaping`.
Shaping is several times slower, so it is switched on only for paragraphs
holding such letters (style_for), and within them only words holding such
letters are shaped: English words keep their widths and their letters in the
text layer (no ligature glyphs).
"""

import functools

from reportlab.lib.styles import ParagraphStyle

from ..leaflet import scripts


def style_for(text: str | None, style: ParagraphStyle) -> ParagraphStyle:
    """`style`, shaping switched on if the paragraph markup `text` needs it."""
    if text is None or style is None or not scripts.needs_shaping(text):
        return style
    _shape_only_what_needs_it()
    return _shaped(style)


@functools.lru_cache(maxsize=64)
def _shaped(style: ParagraphStyle) -> ParagraphStyle:
    return ParagraphStyle(f"{style.name}-shaped", parent=style, shaping=1)


@functools.cache
def _shape_only_what_needs_it() -> None:
    """Make ReportLab's paragraphs shape a word one font at a time, and only where its letters need it.

    ReportLab shapes a whole word in the font of its first character and
    takes the glyphs it gets for the fonts of the others: a Thai word with a
    comma the Thai font lacks (drawn in the leaflet font) would draw the wrong
    glyph for the comma.
    """
    from reportlab.pdfbase.ttfonts import ShapedFragWord, makeShapedFragWord, shapeFragWord
    from reportlab.platypus import paragraph

    def needs_it(run: list) -> bool:
        return scripts.needs_shaping(_text(run))

    def shape(word):
        if isinstance(word, ShapedFragWord):
            return word  # ReportLab hands a shaped word back again: HarfBuzz refuses its shaped text
        runs = _font_runs(word[1:])
        if not any(map(needs_it, runs)):
            return word
        shaped = makeShapedFragWord(word)([0])
        for run in runs:
            if needs_it(run):
                run = shapeFragWord([_width(run)] + run)
                width, run = run[0], run[1:]
            else:
                width = _width(run)
            shaped[0] += width
            shaped.extend(run)
        return shaped

    paragraph.shapeFragWord = shape


def _font_runs(pieces: list) -> list[list]:
    """A word's (fragment, text) pieces in runs of one font; images and anchors join the run they are in."""
    runs, font = [], None
    for frag, text in pieces:
        name = font if hasattr(frag, "cbDefn") else frag.fontName
        if not runs or name != font:
            runs.append([])
            font = name
        runs[-1].append((frag, text))
    return runs


def _text(run: list) -> str:
    return "".join(text for frag, text in run if not hasattr(frag, "cbDefn"))


def _width(run: list) -> float:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return sum(stringWidth(text, frag.fontName, frag.fontSize) for frag, text in run if not hasattr(frag, "cbDefn"))
