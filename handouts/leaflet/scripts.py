"""Writing systems: which ones leaflets print correctly, and what to call them.

A font having a glyph for every character is not enough: many scripts change
letters by their neighbours (Arabic joins them, Devanagari reorders and fuses
them, Thai stacks marks), which takes a text shaping engine. handouts shapes
Arabic and Hebrew itself (rtl.py), and the scripts in SHAPED through
ReportLab's HarfBuzz shaping, in a font a clinic adds for them; other such
scripts are refused, named, rather than printed wrong, whatever fonts are installed.
"""

from __future__ import annotations

import functools
import re

# One glyph per character, left to right: printed right by any font that has them.
# (Zyyy: digits, punctuation, symbols; Zinh: combining marks, placed by the font.)
_SIMPLE = frozenset({
    "Latn", "Grek", "Cyrl", "Armn", "Geor", "Hani", "Hira", "Kana", "Hang", "Bopo", "Yiii", "Ethi",
    "Cher", "Cans", "Tfng", "Ogam", "Runr", "Ital", "Brai", "Zyyy", "Zinh",
})
# Right to left, and for Arabic joined: shaped and ordered by rtl.py.
RIGHT_TO_LEFT = frozenset({"Arab", "Hebr"})
# Left to right but shaped (letters reordered, fused, marks stacked): by HarfBuzz, in an added font.
# Each was printed and looked at with its Noto font; other Indic and South-East Asian scripts were not.
SHAPED = frozenset({"Deva", "Beng", "Guru", "Gujr", "Taml", "Thai"})

_NAMES = {
    "Hani": "Chinese characters",
    "Hira": "Japanese hiragana",
    "Kana": "Japanese katakana",
    "Hang": "Korean Hangul letters",
    "Bopo": "Bopomofo letters",
}


@functools.lru_cache(maxsize=4096)
def script(char: str) -> str:
    """The ISO 15924 code of the character's script, such as "Latn" or "Hani"."""
    from fontTools import unicodedata as ucd  # here and below: only checking text loads fontTools' tables

    return ucd.script(char)


def printable(code: str) -> bool:
    """Whether leaflets can print this script correctly, given a font for it (and, for SHAPED, shaping)."""
    return code in _SIMPLE or code in RIGHT_TO_LEFT or code in SHAPED


@functools.cache
def can_shape() -> bool:
    """Whether HarfBuzz, which shapes the SHAPED scripts, is installed (reportlab[shaping])."""
    try:
        import uharfbuzz  # noqa: F401
    except ImportError:
        return False
    return True


@functools.cache
def _shaped_letters() -> re.Pattern:
    """A character of a SHAPED script; their marks and the dandas (script "common") go with them by word."""
    from fontTools.unicodedata import Scripts

    starts, codes = Scripts.RANGES, Scripts.VALUES
    ranges = [f"\\U{start:08x}-\\U{end - 1:08x}" for start, end, code in zip(starts, starts[1:], codes)
              if code in SHAPED]
    return re.compile(f"[{''.join(ranges)}]")


def needs_shaping(text: str) -> bool:
    """Whether text holds letters of a SHAPED script."""
    return _shaped_letters().search(text) is not None


def is_letters(code: str) -> bool:
    """A real script, not the shared digits, punctuation, symbols and marks."""
    return code not in ("Zyyy", "Zinh", "Zzzz")


def name(code: str) -> str:
    """'Hani' -> 'Chinese characters', 'Deva' -> 'Devanagari letters'."""
    return _NAMES.get(code) or f"{script_name(code)} letters"


def script_name(code: str) -> str:
    """'Deva' -> 'Devanagari', 'Hani' -> 'Han'."""
    from fontTools import unicodedata as ucd

    return ucd.script_name(code).replace("_", " ")


def block(char: str) -> str:
    """The Unicode block, such as "CJK Unified Ideographs"."""
    from fontTools import unicodedata as ucd

    return ucd.block(char)
