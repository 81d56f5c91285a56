"""Whether text stands out from what it is printed on: the WCAG 2 contrast of the clinic's colours."""

from __future__ import annotations

MIN_CONTRAST = 4.5  # WCAG 2 AA, for normal text


def contrast_ratio(foreground: str, background: str) -> float:
    """The WCAG 2 contrast ratio of two #RRGGBB colours, from 1 to 21."""
    def luminance(colour: str) -> float:
        channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        r, g, b = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    light, dark = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def contrast_pairs(colours) -> list[tuple[str, str, str, str]]:
    """What is printed on what: (colour key, background, what the background is, how to fix a poor contrast).

    `colours` is a Colours or the dict of them being read."""
    get = colours.get if isinstance(colours, dict) else lambda key: getattr(colours, key)
    return [("text", "#FFFFFF", "white paper", "a darker text colour"),
            ("text", get("accent"), "the accent tint", "a darker text or a lighter accent colour"),
            ("primary", "#FFFFFF", "white paper (headings)", "a darker primary colour")]
