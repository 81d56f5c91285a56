"""The leaflet's fonts, registered with ReportLab to draw with.

DejaVu Sans ships inside the package so every machine prints the same way and
never falls back to a font without Greek, Cyrillic or Vietnamese letters.
A clinic may add fonts for letters it lacks (content.toml, [fonts] extra):
runs of such letters are drawn in the first added font that has them. Which
letters each font has is leaflet/letters.py's to say.
"""

import functools
import hashlib
import html
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from ..errors import FontError
from ..leaflet import letters, scripts

REGULAR = "HandoutsSans"
BOLD = "HandoutsSans-Bold"
_FILES = {REGULAR: letters.FONT_FILES["regular"], BOLD: letters.FONT_FILES["bold"]}


@functools.cache
def register() -> None:
    """Register the fonts with ReportLab once per process."""
    # ReportLab is imported where it is used, here and below: commands that only read
    # the content (and `handouts --version`) start without it.
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    _fix_to_unicode()
    for name, filename in _FILES.items():
        font = TTFont(name, str(letters.FONT_FOLDER / filename))
        _remember_subsets(font.face)
        pdfmetrics.registerFont(font)
    # Lets <b> in paragraphs pick the bold face.
    addMapping(REGULAR, 0, 0, REGULAR)
    addMapping(REGULAR, 1, 0, BOLD)
    addMapping(REGULAR, 0, 1, REGULAR)
    addMapping(REGULAR, 1, 1, BOLD)


def _remember_subsets(face) -> None:
    """Build each font subset once per process, not once per leaflet.

    Thanks to prime() the first subset is the same in every leaflet, and
    building it is a good part of the time a leaflet takes.
    """
    build = face.makeSubset
    cached = functools.lru_cache(maxsize=64)(lambda subset: build(list(subset)))
    face.makeSubset = lambda subset: cached(tuple(subset))


_WIDE_ENTRY = re.compile(r"<([0-9A-F]{2})> <([0-9A-F]{5,6})>")


def _fix_to_unicode() -> None:
    """Keep characters above U+FFFF (emoji, 𝐀) in the PDF's text layer.

    ReportLab writes such a character into a font's ToUnicode map as 5 or 6
    hex digits; the map takes UTF-16, so readers reject the entry and copying
    or searching the leaflet loses the character. Write a surrogate pair.
    """
    from reportlab.pdfbase import ttfonts

    original = ttfonts.makeToUnicodeCMap

    def utf16(match: re.Match) -> str:
        return f"<{match[1]}> <{chr(int(match[2], 16)).encode('utf-16-be').hex().upper()}>"

    def fixed(fontname: str, subset: list[int]) -> str:
        cmap = original(fontname, subset)
        return _WIDE_ENTRY.sub(utf16, cmap) if max(subset, default=0) > 0xFFFF else cmap

    ttfonts.makeToUnicodeCMap = fixed


@dataclass(frozen=True)
class ExtraFont:
    """A font a clinic added, registered with ReportLab under `name`."""

    name: str
    chars: frozenset[str]


@functools.cache
def extra_font(path: Path) -> ExtraFont:
    """Register an added font once per process; FontError if it cannot be embedded."""
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    chars = letters.added_letters(path)  # refuses what ReportLab cannot embed, in plain words
    name = "HandoutsExtra-" + hashlib.sha256(str(path).encode()).hexdigest()[:10]
    try:
        font = TTFont(name, str(path))
    except Exception as exc:  # ReportLab raises TTFError, struct.error, OSError... for a bad font file
        raise FontError(f"cannot be used: {exc}") from None
    pdfmetrics.registerFont(font)
    for bold in (0, 1):
        for italic in (0, 1):
            addMapping(name, bold, italic, name)  # no bold face: <b> stays in the same font
    return ExtraFont(name, chars)


_active: tuple[ExtraFont, ...] = ()


def use(paths: tuple[Path, ...]) -> None:
    """Draw what the leaflet font lacks in these added fonts (one leaflet's), in this order."""
    global _active
    _active = tuple(extra_font(path) for path in paths)


@functools.cache
def _outside() -> re.Pattern:
    """Runs of characters the leaflet font lacks (never markup: the font has all of ASCII)."""
    codes = sorted(map(ord, letters.printable()))
    ranges, start = [], codes[0]
    for previous, code in zip(codes, codes[1:] + [-1]):
        if code != previous + 1:
            ranges.append(f"\\U{start:08x}-\\U{previous:08x}")
            start = code
    return re.compile(f"[^{''.join(ranges)}]+")


def with_fallback(markup: str) -> str:
    """Paragraph markup with runs of letters the leaflet font lacks put in the added font that has them.

    A word with letters HarfBuzz shapes (Devanagari, Thai...) goes into one added font as far as that font
    has its characters (joiners and punctuation too): a word is shaped in one font, so its joiners steer
    the shaping and its punctuation matches its letters.
    """
    if not _active:
        return markup
    if not scripts.needs_shaping(markup):
        return _outside().sub(_in_added_fonts, markup)
    return _TAG_OR_WORD.sub(_word_in_added_fonts, markup)


# A markup tag, or a word of text between tags and spaces.
_TAG_OR_WORD = re.compile(r"<[^>]*>|[^\s<>]+")
# A character of escaped markup: an entity ("&amp;") or one character.
_MARKUP_CHAR = re.compile(r"&#?\w+;|.", re.DOTALL)


def _word_in_added_fonts(match: re.Match) -> str:
    word = match[0]
    if word.startswith("<") or not scripts.needs_shaping(word):
        return _outside().sub(_in_added_fonts, word)
    shaped = [char for char in word if scripts.needs_shaping(char)]
    shaper = next((f for f in _active if f.chars.issuperset(shaped)), None)
    printable = letters.printable()
    pieces = []
    for piece in _MARKUP_CHAR.findall(word):
        char = html.unescape(piece)
        if shaper and char in shaper.chars:
            pieces.append((piece, shaper.name))
        else:
            pieces.append((piece, None if char in printable else _added_name(char)))
    return _in_fonts(pieces)


def _added_name(char: str) -> str | None:
    """The first added font that has the character; None if none has it."""
    return next((f.name for f in _active if char in f.chars), None)


def _in_added_fonts(match: re.Match) -> str:
    return _in_fonts([(char, _added_name(char)) for char in match[0]])


def _in_fonts(pieces: list[tuple[str, str | None]]) -> str:
    """Markup for pieces of text, each with its added font's name or None for the leaflet font."""
    out, current, run = [], None, ""
    for text, font in pieces:
        if font != current and run:
            out.append(f'<font name="{current}">{run}</font>' if current else run)
            run = ""
        current, run = font, run + text
    out.append(f'<font name="{current}">{run}</font>' if current else run)
    return "".join(out)


# Characters any leaflet may use, in a fixed order. Every PDF assigns these
# first, so the first font subset is identical in every leaflet and a merged
# print file stores it once.
_COMMON = "–—‘’“”•…☐·€" + "".join(
    chr(c) for c in range(0xA1, 0x180) if unicodedata.category(chr(c))[0] in "LPSN" and c not in (0xAD, 0xB7))


@functools.cache
def _primer() -> str:
    """The longest start of _COMMON that fills the first subset and no more."""
    from reportlab.pdfbase import pdfmetrics

    register()
    font = pdfmetrics.getFont(REGULAR)

    class Probe:  # ReportLab keys font state by weak references to documents
        pass

    probe = Probe()
    chosen = ""
    try:
        for char in _COMMON:
            font.splitString(char, probe)
            if font.state[probe].nextCode > 256:
                break
            chosen += char
    finally:
        font.state.pop(probe, None)
    return chosen


def prime(doc) -> None:
    """Give the common characters their fixed codes in a new PDF document."""
    from reportlab.pdfbase import pdfmetrics

    for name in _FILES:
        pdfmetrics.getFont(name).splitString(_primer(), doc)
