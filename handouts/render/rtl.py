"""Right-to-left text (Arabic, Hebrew) for the PDF: shaped, then put in display order.

ReportLab draws the characters of a line left to right, in the order given,
one glyph each. Right-to-left words must therefore be handed over in visual
order, and Arabic letters in the form they take at the start, middle or end of
a word. So:

1. Arabic is shaped into its presentation forms (arabic-reshaper) in reading
   order, before lines are broken, so widths are measured on what is drawn.
2. Lines are broken by ReportLab on the text in reading order, so the first
   line holds the first words.
3. Each line is then put in display order by the Unicode bidirectional
   algorithm, with the levels resolved over the whole paragraph so that where
   a line breaks never changes how its characters are ordered.

python-bidi's default implementation returns only the reordered string; the
pure-Python one (bidi.algorithm) exposes the resolved levels, which step 3
needs to reorder lines of styled runs (a bold name inside a sentence).
"""

from __future__ import annotations

import functools
import re

from arabic_reshaper import ArabicReshaper
from bidi import algorithm as uba
from bidi.mirror import MIRRORED

# Hebrew, Arabic and their presentation forms: the right-to-left scripts the
# leaflets print (fonts.py refuses the others).
RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")
_ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff]")
# Zero-width (non-)joiners tell the shaper where letters (do not) join; once
# shaped they have done their work and must not reach the page.
_JOINERS = re.compile("[\u200c\u200d]")
# Embeddings and overrides (LRE ... PDF) set the order of what they hold; once ordered, nothing is left to draw,
# nor to copy from the page.
_EMBEDDINGS = frozenset("\u202a\u202b\u202c\u202d\u202e")
# Digits in groups ("0161 496 0000", "+44 161"): one number, read left to right.
GROUPED_DIGITS = re.compile(r"\+?\d+(?:[ \u00a0-]\d+)+|\+\d+")


@functools.cache
def _reshaper() -> ArabicReshaper:
    return ArabicReshaper(configuration={
        # Vowel marks are part of the name as typed; the font places them.
        "delete_harakat": False,
        # Only the lam-alef ligatures, which Arabic requires; word ligatures
        # such as "Allah" as one glyph are a style, and would read back from
        # the PDF as one character.
        "support_ligatures": True,
        "ARABIC LIGATURE ALLAH": False,
    })


@functools.lru_cache(maxsize=8192)  # an Arabic leaflet's paragraphs are the same in every leaflet of a batch
def shape(text: str) -> str:
    """Arabic letters in their joined forms, still in reading order."""
    if not _ARABIC.search(text):
        return text
    return _JOINERS.sub("", _reshaper().reshape(text))


def base_is_rtl(text: str) -> bool:
    """Whether a paragraph reads right to left: its first strong letter does (rules P2, P3)."""
    return uba.get_base_level(text) == 1


def visual_lines(lines: list[str], rtl: bool) -> tuple[tuple[tuple[int, str], ...], ...]:
    """Each line's characters in display order, as (index in that line, character).

    `lines` are one paragraph's lines in reading order; a character is
    mirrored where it runs right to left ("(" becomes ")").
    """
    return _visual_lines(tuple(lines), rtl)


# On a right-to-left page every paragraph is reordered, and most are the same in every leaflet of a batch.
@functools.lru_cache(maxsize=4096)
def _visual_lines(lines: tuple[str, ...], rtl: bool) -> tuple[tuple[tuple[int, str], ...], ...]:
    base = 1 if rtl else 0
    levels = _levels(" ".join(lines), base)
    result, start = [], 0
    for line in lines:
        line_levels = levels[start:start + len(line)]
        start += len(line) + 1
        # L1: white space at the end of a line takes the paragraph's level.
        end = len(line)
        while end and line[end - 1].isspace():
            end -= 1
            line_levels[end] = base
        order = _reorder(line_levels)
        result.append(tuple((i, MIRRORED.get(line[i], line[i]) if line_levels[i] % 2 else line[i])
                            for i in order if line[i] not in _EMBEDDINGS))
    return tuple(result)


def display_line(text: str, rtl: bool = True) -> str:
    """One line of text, shaped and in display order, for a canvas that draws characters as given."""
    if not rtl and not RTL.search(text):
        return text
    return "".join(char for _, char in visual_lines([shape(text)], rtl)[0])


def _levels(text: str, base: int) -> list[int]:
    """The resolved embedding level of each character (rules P to I)."""
    storage = uba.get_empty_storage()
    storage["base_level"], storage["base_dir"] = base, "LR"[base]
    uba.get_embedding_levels(text, storage)
    for index, char in enumerate(storage["chars"]):
        char["index"] = index
    uba.explicit_embed_and_overrides(storage)
    uba.resolve_weak_types(storage)
    uba.resolve_neutral_types(storage, False)
    uba.resolve_implicit_levels(storage, False)
    # Characters rule X9 removed (zero-width controls) keep the paragraph's level.
    levels = [base] * len(text)
    for char in storage["chars"]:
        levels[char["index"]] = char["level"]
    # A phone number's groups keep their order in a right-to-left sentence ("0161 496 0000", not
    # "0000 496 0161" as the algorithm alone gives): the spaces between its digits take the digits' level.
    for number in GROUPED_DIGITS.finditer(text):
        level = max(levels[number.start():number.end()])
        levels[number.start():number.end()] = [level] * (number.end() - number.start())
    return levels


def _reorder(levels: list[int]) -> list[int]:
    """L2: from the highest level down to the lowest odd one, reverse every
    stretch at that level or above. Returns indices in display order."""
    order = list(range(len(levels)))
    odd = [level for level in levels if level % 2]
    if not odd:
        return order
    for level in range(max(levels), min(odd) - 1, -1):
        i = 0
        while i < len(order):
            if levels[order[i]] < level:
                i += 1
                continue
            j = i
            while j < len(order) and levels[order[j]] >= level:
                j += 1
            order[i:j] = order[i:j][::-1]
            i = j
    return order
