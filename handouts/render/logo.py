"""The clinic's logo at its own shape: wide, tall or square, never squashed."""

from __future__ import annotations

import functools
from pathlib import Path

from reportlab.lib.units import mm

HEIGHT = 44  # pt: a square logo's side, and the height of any logo that fits
MIN_HEIGHT = 10 * mm  # a very wide logo is never drawn lower than this
MAX_WIDTH = 150  # pt: a wide logo is drawn narrower, as long as it stays MIN_HEIGHT high


@functools.lru_cache(maxsize=16)
def pixels(path: Path) -> tuple[int, int]:
    """The image's width and height in pixels."""
    from PIL import Image

    with Image.open(path) as image:
        return image.size


def size(path: Path) -> tuple[float, float]:
    """(width, height) in points to draw the logo at, keeping its aspect ratio."""
    width, height = pixels(path)
    aspect = width / height if height else 1.0
    drawn_height = HEIGHT
    if HEIGHT * aspect > MAX_WIDTH:
        drawn_height = max(MIN_HEIGHT, MAX_WIDTH / aspect)
    return drawn_height * aspect, drawn_height
