"""Writing systems: which ones leaflets print correctly, and what to call them.

A font having a glyph for every character is not enough: many scripts change
letters by their neighbours (Arabic joins them, Devanagari reorders and fuses
them, Thai stacks marks), which takes a text shaping engine. handouts has one
for Arabic and Hebrew only (rtl.py), so other such scripts are refused,
named, rather than printed wrong, whatever fonts are installed.
"""

from __future__ import annotations

import functools

# One glyph per character, left to right: printed right by any font that has them.
# (Zyyy: digits, punctuation, symbols; Zinh: combining marks, placed by the font.)
_SIMPLE = frozenset({
    "Latn", "Grek", "Cyrl", "Armn", "Geor", "Hani", "Hira", "Kana", "Hang", "Bopo", "Yiii", "Ethi",
    "Cher", "Cans", "Tfng", "Ogam", "Runr", "Ital", "Brai", "Zyyy", "Zinh",
})
# Right to left, and for Arabic joined: shaped and ordered by rtl.py.
RIGHT_TO_LEFT = frozenset({"Arab", "Hebr"})

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
    """Whether leaflets can print this script correctly, given a font for it."""
    return code in _SIMPLE or code in RIGHT_TO_LEFT


def is_letters(code: str) -> bool:
    """A real script, not the shared digits, punctuation, symbols and marks."""
    return code not in ("Zyyy", "Zinh", "Zzzz")


def name(code: str) -> str:
    """'Hani' -> 'Chinese characters', 'Deva' -> 'Devanagari letters'."""
    from fontTools import unicodedata as ucd

    return _NAMES.get(code) or f"{ucd.script_name(code).replace('_', ' ')} letters"


def block(char: str) -> str:
    """The Unicode block, such as "CJK Unified Ideographs"."""
    from fontTools import unicodedata as ucd

    return ucd.block(char)
