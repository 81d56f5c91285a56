"""Strip the screen hinting from the bundled fonts, keeping every glyph.

    python3 tools/strip_font_hinting.py DejaVuSans.ttf DejaVuSans-Bold.ttf

Writes each font, unhinted, into the package's fonts folder. Hinting is a
program in the font that snaps outlines to a coarse screen's pixels; paper
does not need it (poppler draws a leaflet pixel for pixel the same without
it), yet ReportLab copies it into every font subset of every leaflet: a third
of a leaflet's bytes. Stripping it, as WeasyPrint does when it embeds a font,
changes no outline, width, character or font name.

The leaflets are drawn from the stripped files; fontTools (a dependency
already, for script names) is used here only to make them.
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools.subset import Options, Subsetter
from fontTools.ttLib import TTFont

FONTS = Path(__file__).resolve().parent.parent / "handouts" / "render" / "fonts"


def strip(source: Path, target: Path) -> None:
    font = TTFont(source)
    options = Options()
    options.hinting = False
    options.notdef_outline = True
    options.name_IDs = ["*"]  # the copyright and licence strings stay
    options.name_languages = ["*"]
    options.layout_features = ["*"]
    options.legacy_kern = True
    options.glyph_names = True
    options.drop_tables += ["DSIG", "FFTM"]  # a signature that no longer matches; a tool's timestamps
    subsetter = Subsetter(options)
    subsetter.populate(gids=range(len(font.getGlyphOrder())), unicodes=font.getBestCmap().keys())
    subsetter.subset(font)
    font.save(target)
    print(f"{target}: {source.stat().st_size:,} -> {target.stat().st_size:,} bytes")


if __name__ == "__main__":
    for name in sys.argv[1:] or sys.exit(__doc__):
        strip(Path(name), FONTS / Path(name).name)
