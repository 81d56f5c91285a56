"""Where a word too long for its line may break, by the leaflet language's own hyphenation dictionary.

Spanish breaks "Rejuvenecimiento" as re-ju-ve-ne-ci-mien-to, English rules
would not; a language pyphen has no dictionary for (Arabic) is not broken by
it, and gets the plain fallback of whoever asks.
"""

from __future__ import annotations

import functools


@functools.cache
def hyphenator(language: str):
    """pyphen's dictionary for `language` ("es", "en-GB"), or None where it has none."""
    import pyphen

    found = pyphen.language_fallback(language.replace("-", "_"))
    return pyphen.Pyphen(lang=found) if found else None


def pieces(word: str, fits, language: str) -> list[str]:
    """`word` in pieces whose every line `fits` (a test of one line's text): each but the last ends in a
    hyphen where the dictionary allows a break; a word it cannot break stays whole."""
    dictionary = hyphenator(language)
    found = []
    while dictionary and not fits(word):
        # pyphen gives the breaks from the word's end: the first that fits keeps the most on this line.
        head, tail = next(((head, tail) for head, tail in dictionary.iterate(word) if fits(f"{head}-")), ("", word))
        if not head:
            break
        found.append(f"{head}-")
        word = tail
    return [*found, word]
