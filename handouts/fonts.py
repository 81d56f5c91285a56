"""The leaflet's embedded fonts and the characters they can print.

DejaVu Sans ships inside the package so every machine prints the same way and
never falls back to a font without Greek, Cyrillic or Vietnamese letters.
"""

import functools
import unicodedata
from importlib.resources import files

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

REGULAR = "HandoutsSans"
BOLD = "HandoutsSans-Bold"
_FILES = {REGULAR: "DejaVuSans.ttf", BOLD: "DejaVuSans-Bold.ttf"}

# Characters that are layout, not ink: always fine.
_WHITESPACE = frozenset("\n\t ")


@functools.cache
def register() -> None:
    """Register the fonts with ReportLab once per process."""
    folder = files("handouts") / "fonts"
    for name, filename in _FILES.items():
        pdfmetrics.registerFont(TTFont(name, str(folder / filename)))
    # Lets <b> in paragraphs pick the bold face.
    addMapping(REGULAR, 0, 0, REGULAR)
    addMapping(REGULAR, 1, 0, BOLD)
    addMapping(REGULAR, 0, 1, REGULAR)
    addMapping(REGULAR, 1, 1, BOLD)


@functools.cache
def _printable() -> frozenset[int]:
    register()
    faces = [pdfmetrics.getFont(name).face.charToGlyph for name in _FILES]
    return frozenset(set(faces[0]).intersection(*faces[1:]))


def unprintable(text: str) -> list[str]:
    """The distinct characters of `text` that the fonts cannot draw, in order."""
    printable = _printable()
    seen: dict[str, None] = {}
    for char in text:
        if char not in _WHITESPACE and ord(char) not in printable:
            seen.setdefault(char)
    return list(seen)


def describe(char: str) -> str:
    """'漢' -> '"漢" (U+6F22 CJK UNIFIED IDEOGRAPH-6F22)', safe for a terminal."""
    name = unicodedata.name(char, "unnamed character")
    shown = char if char.isprintable() else ""
    return f'"{shown}" (U+{ord(char):04X} {name})' if shown else f"U+{ord(char):04X} ({name})"
