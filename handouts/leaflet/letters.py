"""Which letters a leaflet can print: the leaflet font's, and those of the fonts a clinic adds.

Read from the fonts' character maps with fontTools, so the content and a
patient's choices are checked without ReportLab, which only draws
(render/fonts.py registers the same fonts with it).
"""

from __future__ import annotations

import functools
import unicodedata
from importlib.resources import files
from pathlib import Path

from . import scripts
from ..errors import FontError

# The leaflet font (DejaVu Sans) ships inside the package: every machine prints the same way.
FONT_FILES = {"regular": "DejaVuSans.ttf", "bold": "DejaVuSans-Bold.ttf"}
FONT_FOLDER = files("handouts.render") / "fonts"

# Characters that are layout, not ink: always fine.
_WHITESPACE = frozenset("\n\t ")
# Zero-width (non-)joiners between Arabic letters: they steer the shaping,
# which then drops them (rtl.shape), so they are never drawn.
_JOINERS = frozenset("\u200c\u200d")
# OS/2 fsType bit 1: "restricted licence embedding", which ReportLab refuses.
_RESTRICTED = 0x0002


@functools.cache
def printable() -> frozenset[str]:
    """What both faces of the leaflet font have a glyph for."""
    faces = [_character_map(Path(str(FONT_FOLDER / name))) for name in FONT_FILES.values()]
    return frozenset(faces[0].intersection(*faces[1:])) | _WHITESPACE


@functools.cache
def added_letters(path: Path) -> frozenset[str]:
    """The letters of a font a clinic added; FontError if it cannot be embedded in a PDF."""
    from fontTools.ttLib import TTFont, TTLibError

    try:
        with TTFont(str(path), lazy=True) as font:
            if "glyf" not in font:
                raise FontError("cannot be used: it has PostScript (CFF) outlines, and leaflets embed TrueType "
                                "fonts only; use the .ttf version of the font")
            if "OS/2" in font and font["OS/2"].fsType & _RESTRICTED:
                raise FontError("cannot be used: its licence does not allow embedding it in a document")
            return frozenset(map(chr, font.getBestCmap() or {}))
    except (TTLibError, OSError, ValueError, KeyError, AssertionError) as exc:
        raise FontError(f"cannot be used: {exc}") from None


def _character_map(path: Path) -> set[str]:
    from fontTools.ttLib import TTFont

    with TTFont(str(path), lazy=True) as font:
        return set(map(chr, font.getBestCmap()))


@functools.cache
def _unjoinable() -> frozenset[str]:
    """Arabic letters the leaflet font has but cannot join: the shaper does not
    know them, or the font lacks one of their forms (or they are forms already)."""
    from arabic_reshaper.letters import LETTERS_ARABIC

    fonts_letters = printable()

    def joinable(char: str) -> bool:
        forms = LETTERS_ARABIC.get(char)  # (isolated, initial, medial, final), "" where there is none
        return forms is not None and all(form in fonts_letters for form in forms if form)

    return frozenset(char for char in fonts_letters if _arabic_letter(char) and not joinable(char))


def _arabic_letter(char: str) -> bool:
    return scripts.script(char) == "Arab" and unicodedata.category(char).startswith("L")


@functools.cache
def _fine() -> frozenset[str]:
    """What the leaflet font prints correctly, with no further checks."""
    unjoinable = _unjoinable()
    return frozenset(char for char in printable()
                     if scripts.printable(scripts.script(char)) and char not in unjoinable) | _JOINERS


def problem(text: str, extra: tuple[Path, ...] = ()) -> str | None:
    """Why `text` cannot be printed, worded to follow "contains"; None if it can.

    A character is printed if the leaflet font, or for scripts drawn one glyph
    per letter or shaped by HarfBuzz an added font (`extra`), has it, and its
    script is one the leaflets print correctly (see scripts.py).
    """
    odd = set(text) - _fine()
    if not odd:
        return None
    added = [added_letters(path) for path in extra]
    for char in sorted(odd, key=text.index):
        code = scripts.script(char)
        if not scripts.printable(code):
            return (f'{scripts.name(code)} ("{char}"), which leaflets cannot print correctly (their letters need '
                    "shaping that handouts does not do); use Latin letters instead")
        if _arabic_letter(char) and "PRESENTATION FORMS" in scripts.block(char).upper():
            # Copied from a PDF (ours too), joined forms may come in display order: never guessed at.
            return (f"{describe(char)}, an Arabic letter already joined, as copied from a PDF, perhaps in reverse "
                    "order; type it again with the keyboard's Arabic letters")
        if _arabic_letter(char):
            return f"{describe(char)}, an Arabic letter leaflets cannot join correctly; remove it"
        if code in scripts.RIGHT_TO_LEFT:  # shaped and ordered in the leaflet font only
            return f"{describe(char)}, which the leaflet font cannot print; remove it"
        if code in scripts.SHAPED and not scripts.can_shape():
            return (f'{scripts.name(code)} ("{char}"), which leaflets print only when shaped by HarfBuzz, '
                    'not installed here; install it with pip install "reportlab[shaping]"')
        if any(char in chars for chars in added):
            continue
        if scripts.is_letters(code):
            # Noto has a font for each shaped script, named after it ("Noto Sans Devanagari").
            example = f", such as Noto Sans {scripts.script_name(code)}" if code in scripts.SHAPED else ""
            return (f'{scripts.name(code)} ("{char}", {scripts.block(char)}), which the leaflet font cannot print; '
                    f'a clinic can add a font for them in content.toml ([fonts] extra = ["FONT.ttf"]){example}')
        return f"{describe(char)}, which leaflets cannot print; remove it"
    return None


def describe(char: str) -> str:
    """'漢' -> '"漢" (U+6F22 CJK UNIFIED IDEOGRAPH-6F22)', safe for a terminal."""
    name = unicodedata.name(char, "unnamed character")
    shown = char if char.isprintable() else ""
    return f'"{shown}" (U+{ord(char):04X} {name})' if shown else f"U+{ord(char):04X} ({name})"
