"""Names and notes in scripts HarfBuzz shapes (Devanagari, Bengali, Tamil, Thai...), in a font the clinic adds."""

import shutil
import subprocess
import sys
from io import BytesIO
from pathlib import Path

import pypdfium2
import pytest
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from conftest import ROOT

NOTO = Path("/usr/share/fonts/truetype/noto")
SCRIPTS = {  # script: (its Noto font, a name whose letters HarfBuzz fuses or splits into more or fewer glyphs)
    "Devanagari": ("NotoSansDevanagari-Regular.ttf", "प्रिया शर्मा"),
    "Bengali": ("NotoSansBengali-Regular.ttf", "অঞ্জলি দত্ত"),
    "Gurmukhi": ("NotoSansGurmukhi-Regular.ttf", "ਹਰਪ੍ਰੀਤ ਸਿੰਘ"),
    "Gujarati": ("NotoSansGujarati-Regular.ttf", "પ્રિયા પટેલ"),
    "Tamil": ("NotoSansTamil-Regular.ttf", "ஸ்ரீநிவாசன்"),
    "Thai": ("NotoSansThai-Regular.ttf", "สำราญ ใจดี"),
}


def needs_noto(*scripts):
    missing = [SCRIPTS[s][0] for s in scripts if not (NOTO / SCRIPTS[s][0]).is_file()]
    return pytest.mark.skipif(bool(missing), reason=f"{', '.join(missing)} not in {NOTO} "
                              "(apt-get install fonts-noto-core; .ci/run installs it)")


def add_fonts(*scripts) -> None:
    Path("fonts").mkdir()
    for script in scripts:
        shutil.copy(NOTO / SCRIPTS[script][0], "fonts")
    extra = ", ".join(f'"fonts/{SCRIPTS[s][0]}"' for s in scripts)
    with open("content.toml", "a", encoding="utf-8") as content:
        content.write(f"\n[fonts]\nextra = [{extra}]\n")


def make(run, *args) -> Path:
    result = run("make", "--procedure", "fillers", "--date", "2026-11-21", "-o", "leaflet.pdf", *args)
    assert result.exit_code == 0, result.output
    return Path("leaflet.pdf")


def glyphs_between(path: Path, before: str, after: str) -> list[tuple[str, tuple]]:
    """The glyphs drawn on page 1 between the words `before` and `after` of one line: (character, box)."""
    text_page = pypdfium2.PdfDocument(path)[0].get_textpage()
    drawn = [(text_page.get_text_range(i, 1), text_page.get_charbox(i)) for i in range(text_page.count_chars())]
    drawn = [(char, box) for char, box in drawn if char.strip()]
    text = "".join(char for char, _ in drawn)
    start = text.index(before) + len(before)
    return drawn[start:text.index(after, start)]


def shaped_glyph_count(font: Path, text: str) -> int:
    """How many glyphs HarfBuzz draws `text` with in `font`."""
    import uharfbuzz

    buffer = uharfbuzz.Buffer()
    buffer.add_str(text)
    buffer.guess_segment_properties()
    uharfbuzz.shape(uharfbuzz.Font(uharfbuzz.Face(uharfbuzz.Blob.from_file_path(str(font)))), buffer, {})
    return len(buffer.glyph_infos)


def dark_pixels(path: Path, box: tuple) -> int:
    """Pixels darker than mid-grey in a box (left, bottom, right, top in points) of page 1, drawn at 144 dpi."""
    page = pypdfium2.PdfDocument(path)[0]
    bitmap = page.render(scale=2, grayscale=True)
    left, bottom, right, top = (round(v * 2) for v in box)
    height = round(page.get_height() * 2)
    rows = range(max(height - top, 0), min(height - bottom, bitmap.height))
    return sum(bitmap.buffer[row * bitmap.stride + col] < 128 for row in rows for col in range(left, right))


def inked(path: Path, glyphs: list[tuple[str, tuple]]) -> bool:
    """Whether the glyphs' boxes are drawn in: a few hundred dark pixels at 144 dpi."""
    box = (min(b[0] for _, b in glyphs), min(b[1] for _, b in glyphs),
           max(b[2] for _, b in glyphs), max(b[3] for _, b in glyphs))
    return dark_pixels(path, box) > 200


def added_fonts_drawn(path: Path) -> dict[str, TTFont]:
    """The embedded subsets of the Noto fonts, by name."""
    fonts = {}
    for page in PdfReader(path).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            if "Noto" in font["/BaseFont"]:
                data = font["/FontDescriptor"]["/FontFile2"].get_data()
                fonts[str(font["/BaseFont"]).split("+")[1]] = TTFont(BytesIO(data))
    return fonts


def notdef_boxes(font: TTFont) -> int:
    """Glyphs drawn as the font's "no such letter" box: copies of its glyph 0."""
    glyf, order = font["glyf"], font.getGlyphOrder()

    def outline(name):
        glyph = glyf[name]
        return glyph.numberOfContours, list(glyph.getCoordinates(glyf)[0]) if glyph.numberOfContours else []
    return sum(outline(name) == outline(order[0]) for name in order[1:])


@needs_noto("Devanagari", "Bengali")
def test_a_devanagari_and_a_bengali_name_print_shaped(run):
    add_fonts("Devanagari", "Bengali")
    path = make(run, "--patient", "प्रिया शर्मा", "--clinician", "ডাঃ দেবাশীষ রায়")
    name = glyphs_between(path, "Preparedfor", "by")
    clinician = glyphs_between(path, "by", "on21")
    # Shaped: "प्र" is one glyph with "ि" drawn before it, the virama never drawn, as HarfBuzz shapes them.
    assert len(name) == shaped_glyph_count(NOTO / SCRIPTS["Devanagari"][0], "प्रियाशर्मा") < len("प्रियाशर्मा")
    assert "्" not in [char for char, _ in name]
    # The Bengali "ে" of দেবাশীষ is drawn before "দ", which it follows in the typing.
    chars = [char for char, _ in clinician]
    assert chars.index("দ") > 3 and len(clinician) == shaped_glyph_count(NOTO / SCRIPTS["Bengali"][0], "ডাঃদেবাশীষরায়")
    # Ink where the names are, none of it the fonts' "no such letter" boxes.
    assert inked(path, name) and inked(path, clinician)
    fonts = added_fonts_drawn(path)
    assert set(fonts) == {"NotoSansDevanagari-Regular", "NotoSansBengali-Regular"}
    assert [notdef_boxes(font) for font in fonts.values()] == [0, 0]


@pytest.mark.parametrize("script", SCRIPTS)
def test_each_shaped_script_prints_with_its_noto_font(run, script):
    if not (NOTO / SCRIPTS[script][0]).is_file():
        pytest.skip(f"{SCRIPTS[script][0]} not in {NOTO} (apt-get install fonts-noto-core; .ci/run installs it)")
    add_fonts(script)
    assert run("check").exit_code == 0
    name = SCRIPTS[script][1]
    path = make(run, "--patient", name, "--note", f"{name}, 12 December.")
    fonts = added_fonts_drawn(path)
    assert list(fonts) == [SCRIPTS[script][0].removesuffix(".ttf")]
    assert notdef_boxes(fonts[list(fonts)[0]]) == 0
    # As many glyphs as HarfBuzz shapes the name into (not one per letter), drawn in ink.
    name_glyphs, letters = glyphs_between(path, "Preparedfor", "on21"), name.replace(" ", "")
    assert len(name_glyphs) == shaped_glyph_count(NOTO / SCRIPTS[script][0], letters) != len(letters)
    assert inked(path, name_glyphs)


@needs_noto("Thai")
def test_punctuation_the_added_font_lacks_is_drawn_in_the_leaflet_font_within_a_shaped_word(run):
    # Noto Sans Thai has no comma or brackets: the word "(สมชาย)," is shaped in two fonts, each with its own glyphs.
    add_fonts("Thai")
    path = make(run, "--patient", "Sam Smith", "--note", "(สมชาย), ใจดี!")
    # Each glyph the right one: the text layer gives the note back as typed.
    assert "(สมชาย), ใจดี!" in pypdfium2.PdfDocument(path)[0].get_textpage().get_text_range()
    assert notdef_boxes(added_fonts_drawn(path)["NotoSansThai-Regular"]) == 0


@needs_noto("Devanagari", "Tamil")
def test_the_html_version_carries_the_letters_themselves(run):
    add_fonts("Devanagari", "Tamil")
    # A process of its own, as `handouts make --format html` is: no PDF drawn before it.
    result = handouts("make", "--patient", "प्रिया शर्मा", "--procedure", "fillers", "--note", "வணக்கம்",
                      "--format", "html", "-o", "leaflet.html")
    assert result.returncode == 0, result.stderr
    page = Path("leaflet.html").read_text(encoding="utf-8")
    assert "Prepared for <strong>प्रिया शर्मा</strong>" in page and '<p class="note">வணக்கம்</p>' in page


def handouts(*args, setup: str = "pass") -> subprocess.CompletedProcess:
    """The command line in a process of its own, after the Python statements `setup`."""
    return subprocess.run([sys.executable, "-c", f"{setup}; import cli; cli.main()", *args], capture_output=True,
                          text=True, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin",
                                          "HANDOUTS_TODAY": "2026-11-21"})


@needs_noto("Devanagari")
def test_without_harfbuzz_a_shaped_script_is_refused_saying_how_to_install_it(run):
    add_fonts("Devanagari")
    # A Python without uharfbuzz, as after `pip install reportlab` alone: the import fails.
    result = handouts("make", "--patient", "प्रिया", "--procedure", "fillers",
                      setup="import sys; sys.modules['uharfbuzz'] = None")
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == (
        "Error: Invalid value for '--patient': the patient's name contains Devanagari letters (\"प\"), which leaflets "
        'print only when shaped by HarfBuzz, not installed here; install it with pip install "reportlab[shaping]"')


@needs_noto("Devanagari")
def test_a_shaped_note_split_at_a_page_end_stays_shaped_on_the_next_page(run):
    add_fonts("Devanagari")
    sentence = "प्रिया शर्मा, आपकी अगली मुलाक़ात १२ दिसंबर को है।"
    path = make(run, "--patient", "प्रिया शर्मा", "--note", " ".join([sentence] * 60))
    pages = PdfReader(path).pages
    # The note's tail, on page 2, is drawn in the added font, its words shaped as on page 1.
    fonts = {str(font.get_object()["/BaseFont"]).split("+")[1] for font in pages[1]["/Resources"]["/Font"].values()}
    assert "NotoSansDevanagari-Regular" in fonts
    text_page = pypdfium2.PdfDocument(path)[1].get_textpage()
    drawn = [text_page.get_text_range(i, 1) for i in range(text_page.count_chars())]
    assert "्" not in drawn  # the virama fused into its conjunct, never drawn on its own
    assert notdef_boxes(added_fonts_drawn(path)["NotoSansDevanagari-Regular"]) == 0
