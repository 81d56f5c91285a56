"""Names in any script: printed right (right to left, joined, in an added font) or refused by name."""

import shutil
import unicodedata
from pathlib import Path

import pypdfium2
import pytest
from pypdf import PdfReader

from conftest import line_of, pdf_text
from handouts.render import rtl

# Debian's fonts-droid-fallback: Chinese and Japanese in one TrueType file (.ci/run installs it).
CJK_FONT = Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf")
needs_cjk_font = pytest.mark.skipif(not CJK_FONT.is_file(), reason=f"{CJK_FONT} not installed "
                                    "(apt-get install fonts-droid-fallback; .ci/run installs it)")


def make(run, *args):
    result = run("make", "--procedure", "fillers", "--date", "2026-11-21", "-o", "leaflet.pdf", *args)
    assert result.exit_code == 0, result.output
    return Path("leaflet.pdf")


def drawn_lines(path: Path, page: int = 0) -> list[list[tuple[float, str]]]:
    """The glyphs on a page as drawn: lines from the top, each glyph (x, character) from the left."""
    text_page = pypdfium2.PdfDocument(path)[page].get_textpage()
    lines: dict[int, list] = {}
    for index in range(text_page.count_chars()):
        char = text_page.get_text_range(index, 1)
        if char.strip():
            left, bottom, _, _ = text_page.get_charbox(index, loose=True)  # loose: the line's box, not the glyph's
            # Glyphs of one line can differ by a fraction of a point: within 3 pt is the same line.
            line = next((key for key in lines if abs(key - bottom) < 3), bottom)
            lines.setdefault(line, []).append((left, char))
    return [sorted(glyphs) for _, glyphs in sorted(lines.items(), reverse=True)]


def right_to_left(glyphs) -> str:
    """Right-to-left glyphs read from the right, as their reader does, back to plain letters."""
    letters = [char for _, char in glyphs if rtl.RTL.search(char)]
    return unicodedata.normalize("NFKC", "".join(reversed(letters)))


def line_with(path: Path, words: str) -> list[tuple[float, str]]:
    return next(line for line in drawn_lines(path) if words in "".join(char for _, char in line))


def test_an_arabic_name_is_joined_and_reads_right_to_left(run):
    path = make(run, "--patient", "محمد علي", "--clinician", "Dr Ana Silva")
    line = line_with(path, "Preparedfor")
    # Read from the right the glyphs spell the name, first name first...
    assert right_to_left(line).replace(" ", "") == "محمدعلي"
    # ...between the English words, which still read left to right...
    text = "".join(char for _, char in line)
    assert text.startswith("Preparedfor") and "byDrAnaSilva" in text
    # Text extractors rebuild reading order each in their own way: pypdf gives
    # each word in reading order, words in display order, in the forms drawn:
    # joined, so meem starts "محمد" in its initial form.
    extracted = pdf_text(path)
    assert "\ufee3\ufea4\ufee4\ufeaa" in extracted  # محمد: meem, hah, meem, dal as joined
    assert "محمد" in unicodedata.normalize("NFKC", extracted) and "علي" in unicodedata.normalize("NFKC", extracted)


def test_a_hebrew_name_reads_right_to_left_in_the_footer_too(run):
    path = make(run, "--patient", "דוד כהן")
    for words in ("Preparedfor", "·Version2.0·01234567890"):  # the footer (issue 18: the clinic's name is in the header)
        assert right_to_left(line_with(path, words)) == "דודכהן"


def test_an_arabic_note_reads_right_to_left_and_wraps_from_its_first_words(run):
    words = "مرحبا محمد، نراك في الموعد القادم يوم 12 ديسمبر (إن شاء الله) ومعك الكريم."
    path = make(run, "--patient", "Sam Smith", "--note", " ".join([words] * 3))
    pages = [drawn_lines(path, page) for page in range(len(PdfReader(path).pages))]
    note = [line for lines in pages for line in lines if "مرحبا" in right_to_left(line)]
    first = right_to_left(note[0])
    # The first line starts (at its right end) with the note's first word.
    assert first.startswith("مرحبا") and "12" in "".join(char for _, char in note[0])
    # A note that reads right to left is aligned right, like the other lines' ends.
    assert abs(note[0][-1][0] - note[1][-1][0]) < 10


def test_a_line_break_never_changes_which_words_come_first():
    # "123" follows Arabic on the line before, so it stays with it: read from
    # the right, the second line gives 123 first, then علي.
    lines = rtl.visual_lines(["abc محمد", "123 علي xyz"], False)
    assert ["".join(char for _, char in line) for line in lines] == ["abc دمحم", "يلع 123 xyz"]
    # Brackets in right-to-left text are mirrored, so they still open before the words.
    assert "".join(char for _, char in rtl.visual_lines(["(אבג)"], True)[0]) == "(גבא)"


def test_the_html_version_leaves_right_to_left_text_to_the_browser(run):
    result = run("make", "--patient", "محمد علي", "--procedure", "fillers", "--note", "مرحبا محمد",
                 "--format", "html", "-o", "leaflet.html")
    assert result.exit_code == 0, result.output
    page = Path("leaflet.html").read_text(encoding="utf-8")
    assert "Prepared for <strong><bdi>محمد علي</bdi></strong>" in page
    assert '<p class="note" dir="auto"><bdi>مرحبا محمد</bdi></p>' in page


def test_persian_keeps_its_zero_width_non_joiner(run):
    path = make(run, "--patient", "Sam Smith", "--note", "می\u200cخواهم")
    pages = range(len(PdfReader(path).pages) - 1, -1, -1)  # the note is after the header's lines, on any page
    note = right_to_left(next(line for page in pages for line in drawn_lines(path, page)
                              if "م" in right_to_left(line)))
    # Unjoined after the non-joiner, and the non-joiner itself never drawn.
    assert note == "میخواهم"


def test_characters_above_u_ffff_stay_in_the_text_layer(run):
    path = make(run, "--patient", "Ann 😀 Lee")
    assert "Prepared for Ann 😀 Lee on" in pdf_text(path)


@pytest.mark.parametrize("name, message", [
    ("Ann 漢字", 'Chinese characters ("漢", CJK Unified Ideographs), which the leaflet font cannot print; '
                'a clinic can add a font for them in content.toml ([fonts] extra = ["FONT.ttf"])'),
    ("김민수", 'Korean Hangul letters ("김", Hangul Syllables), which the leaflet font cannot print; '
            'a clinic can add a font for them in content.toml ([fonts] extra = ["FONT.ttf"])'),
    # Scripts HarfBuzz shapes, with no font added for them (test_shaped_scripts.py adds one).
    ("प्रिया", 'Devanagari letters ("प", Devanagari), which the leaflet font cannot print; a clinic can add a font '
              'for them in content.toml ([fonts] extra = ["FONT.ttf"]), such as Noto Sans Devanagari'),
    ("দেবাশীষ", 'Bengali letters ("দ", Bengali), which the leaflet font cannot print; a clinic can add a font '
               'for them in content.toml ([fonts] extra = ["FONT.ttf"]), such as Noto Sans Bengali'),
    ("ਹਰਪ੍ਰੀਤ", 'Gurmukhi letters ("ਹ", Gurmukhi), which the leaflet font cannot print; a clinic can add a font '
               'for them in content.toml ([fonts] extra = ["FONT.ttf"]), such as Noto Sans Gurmukhi'),
    ("કૃપા", 'Gujarati letters ("ક", Gujarati), which the leaflet font cannot print; a clinic can add a font '
            'for them in content.toml ([fonts] extra = ["FONT.ttf"]), such as Noto Sans Gujarati'),
    ("கொற்றவை", 'Tamil letters ("க", Tamil), which the leaflet font cannot print; a clinic can add a font '
               'for them in content.toml ([fonts] extra = ["FONT.ttf"]), such as Noto Sans Tamil'),
    ("สมชาย", 'Thai letters ("ส", Thai), which the leaflet font cannot print; a clinic can add a font '
             'for them in content.toml ([fonts] extra = ["FONT.ttf"]), such as Noto Sans Thai'),
    # Shaped scripts not yet printed and looked at with a font: refused even with one.
    ("శ్రీనివాస్", 'Telugu letters ("శ"), which leaflets cannot print correctly (their letters need shaping '
                  "that handouts does not do); use Latin letters instead"),
    ("Ann 🙂", '"🙂" (U+1F642 SLIGHTLY SMILING FACE), which leaflets cannot print; remove it'),
    ("ڵيلى", '"ڵ" (U+06B5 ARABIC LETTER LAM WITH SMALL V), an Arabic letter leaflets cannot join correctly; '
             "remove it"),
    # Already-joined forms pasted from elsewhere may be in display order: never guessed at.
    ("ﻣﺤﻤﺪ", '"ﻣ" (U+FEE3 ARABIC LETTER MEEM INITIAL FORM), an Arabic letter already joined, as copied from a '
             "PDF, perhaps in reverse order; type it again with the keyboard's Arabic letters"),
])
def test_scripts_leaflets_cannot_print_are_refused_by_name(run, name, message):
    result = run("make", "--patient", name, "--procedure", "fillers")
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == f"Error: Invalid value for '--patient': the patient's name contains {message}"
    assert not Path("output").exists() or not any(Path("output").iterdir())


@needs_cjk_font
def test_a_clinic_adds_a_font_for_chinese_and_japanese(run):
    Path("fonts").mkdir()
    shutil.copy(CJK_FONT, "fonts/cjk.ttf")
    with open("content.toml", "a", encoding="utf-8") as content:
        content.write('\n[fonts]\nextra = ["fonts/cjk.ttf"]\n')
    assert run("check").exit_code == 0
    path = make(run, "--patient", "王小明 Wang", "--clinician", "Dr 山田", "--note", "よろしくお願いします。")
    text = pdf_text(path)
    assert "Prepared for 王小明 Wang by Dr 山田 on" in text and "よろしくお願いします。" in text
    embedded = {str(font.get_object()["/BaseFont"]) for page in PdfReader(path).pages
                for font in page["/Resources"]["/Font"].values()}
    assert any("DroidSansFallback" in name for name in embedded), embedded
    # A font for some scripts is no font for others.
    result = run("make", "--patient", "प्रिया", "--procedure", "fillers")
    assert result.exit_code == 2 and "Devanagari letters" in result.output


@pytest.mark.parametrize("extra, message", [
    ('["fonts/missing.ttf"]', 'fonts.extra item 1: file "fonts/missing.ttf" not found (looked in {folder})'),
    ('["templates/leaflet.html.j2"]', 'fonts.extra item 1: "templates/leaflet.html.j2" cannot be used: '),
    ('"fonts/cjk.ttf"', "fonts.extra should be a list, not text"),
])
def test_a_font_that_cannot_be_used_is_named_with_its_line(run, extra, message):
    with open("content.toml", "a", encoding="utf-8") as content:
        content.write(f"\n[fonts]\nextra = {extra}\n")
    result = run("check")
    assert result.exit_code == 1
    expected = f"content.toml:{line_of(Path('content.toml'), 'extra =')}: " + message.format(
        folder=Path("fonts").resolve())
    assert result.output.startswith(expected), result.output
