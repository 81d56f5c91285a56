"""The leaflet's embedded fonts and the characters they can print.

DejaVu Sans ships inside the package so every machine prints the same way and
never falls back to a font without Greek, Cyrillic or Vietnamese letters.
"""

import functools
import re
import unicodedata
from importlib.resources import files

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfbase.ttfonts import TTFont

REGULAR = "HandoutsSans"
BOLD = "HandoutsSans-Bold"
_FILES = {REGULAR: "DejaVuSans.ttf", BOLD: "DejaVuSans-Bold.ttf"}

# Characters that are layout, not ink: always fine.
_WHITESPACE = frozenset("\n\t ")


@functools.cache
def register() -> None:
    """Register the fonts with ReportLab once per process."""
    _fix_to_unicode()
    folder = files("handouts") / "fonts"
    for name, filename in _FILES.items():
        font = TTFont(name, str(folder / filename))
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
    original = ttfonts.makeToUnicodeCMap

    def utf16(match: re.Match) -> str:
        return f"<{match[1]}> <{chr(int(match[2], 16)).encode('utf-16-be').hex().upper()}>"

    ttfonts.makeToUnicodeCMap = lambda fontname, subset: _WIDE_ENTRY.sub(utf16, original(fontname, subset))


@functools.cache
def _printable() -> frozenset[str]:
    register()
    faces = [pdfmetrics.getFont(name).face.charToGlyph for name in _FILES]
    return frozenset(map(chr, set(faces[0]).intersection(*faces[1:]))) | _WHITESPACE


# Characters any leaflet may use, in a fixed order. Every PDF assigns these
# first, so the first font subset is identical in every leaflet and a merged
# print file stores it once.
_COMMON = "–—‘’“”•…☐·€" + "".join(
    chr(c) for c in range(0xA1, 0x180) if unicodedata.category(chr(c))[0] in "LPSN" and c not in (0xAD, 0xB7))


@functools.cache
def _primer() -> str:
    """The longest start of _COMMON that fills the first subset and no more."""
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
    for name in _FILES:
        pdfmetrics.getFont(name).splitString(_primer(), doc)


def unprintable(text: str) -> list[str]:
    """The distinct characters of `text` that the fonts cannot draw, in order."""
    missing = set(text) - _printable()
    return sorted(missing, key=text.index) if missing else []


def describe(char: str) -> str:
    """'漢' -> '"漢" (U+6F22 CJK UNIFIED IDEOGRAPH-6F22)', safe for a terminal."""
    name = unicodedata.name(char, "unnamed character")
    shown = char if char.isprintable() else ""
    return f'"{shown}" (U+{ord(char):04X} {name})' if shown else f"U+{ord(char):04X} ({name})"
