"""An Arabic leaflet (issue 20 §3): the same figures as the English one, and the whole page right to left.

The PDF is read back two ways: `pdftotext` for the text in reading order (it turns lines drawn in display order
back into logical order, marking each run's direction with embedding controls; Arabic comes back in its
presentation forms, which NFKC folds to plain letters), and `pdftotext -bbox-layout` for where each word stands on
the page. pdftotext's reading order is not perfect where punctuation meets a number ("الخميس، 3" comes back as
"الخميس 3 ،"; the page draws it right), so the sentences compared avoid that.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import line_of, replace_in
from test_languages import CHOSEN

needs_pdftotext = pytest.mark.skipif(not shutil.which("pdftotext"), reason="pdftotext (poppler-utils) not installed")
A4_WIDTH, MARGIN = 595.2756, 45.3543  # render/furniture.py: MARGIN_X is 16 mm
RIGHT_EDGE = A4_WIDTH - MARGIN
_BIDI_MARKS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_PAGE = re.compile(r"(?:Page|صفحة) \d+ (?:of|من) \d+")
NOTE = "اتصل بـ John Smith على 0161 496 0000 إذا لم تكن متأكدًا"


def read_back(path: str, page: int | None = None) -> str:
    """The PDF's text in reading order, Arabic letters as typed, on one line."""
    pages = ["-f", str(page), "-l", str(page)] if page else []
    text = subprocess.run(["pdftotext", *pages, path, "-"], capture_output=True, text=True, check=True).stdout
    text = " ".join(unicodedata.normalize("NFKC", _BIDI_MARKS.sub(" ", text)).split())
    return re.sub(r" ([،.:؛])", r"\1", text)  # a run's end mark left a space before its punctuation


def word_lines(path: str, page: int) -> list[tuple[float, float, list[tuple[float, str]]]]:
    """Each line of a page as pdftotext finds it: (left, right, [(left, word as drawn)])."""
    layout = subprocess.run(["pdftotext", "-bbox-layout", "-f", str(page), "-l", str(page), path, "-"],
                            capture_output=True, text=True, check=True).stdout
    lines = []
    for line in re.finditer(r'<line xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)".*?</line>', layout, re.S):
        words = [(float(x), html.unescape(word)) for x, word in
                 re.findall(r'<word xMin="([\d.]+)"[^>]*>(.*?)</word>', line[0])]
        lines.append((float(line[1]), float(line[2]), words))
    return lines


def line_holding(lines, word: str):
    """The line with `word` in it; Arabic words are drawn in display order, so they are read reversed."""
    def reads(drawn: str) -> str:
        return unicodedata.normalize("NFKC", drawn[::-1] if re.search("[\ufb50-\ufeff]", drawn) else drawn)
    return next(line for line in lines if any(word in reads(drawn) for _, drawn in line[2]))


def made(clinic, language: str, output: str, *extra: str) -> str:
    result = clinic("make", "--patient", "John Smith", *CHOSEN, "--language", language, "-o", output, *extra)
    assert result.exit_code == 0, result.output
    return output


@needs_pdftotext
def test_an_arabic_leaflet_has_the_english_ones_numbers_and_reads_back_in_order(clinic):
    english, arabic = made(clinic, "en-GB", "en.pdf"), made(clinic, "ar", "ar.pdf")
    text = read_back(arabic)
    assert set(re.findall(r"\d+", _PAGE.sub("", text))) == set(re.findall(r"\d+", _PAGE.sub("", read_back(english))))
    # Whole sentences of the translation come back in reading order, their figures in place.
    assert "علاج ندبات حب الشباب" in text
    assert "ستبدو ندباتك أفضل بنسبة 30 إلى 50 في المئة." in text
    assert "يحتاج ذلك إلى وقت. ويحتاج معظم الناس إلى عدة جلسات." in text
    assert "ديسمبر 2026 الساعة 10:30" in text  # the appointment, its digits kept Western
    assert "صفحة 1 من " in text and "Page 1 of" not in text
    # Words drawn on canvases (the chart's legend, the pictures' labels) are shaped and in order too.
    assert "العودة إلى العمل" in text and "سطح الجلد" in text
    assert PdfReader(arabic).trailer["/Root"]["/Lang"] == "ar"


@needs_pdftotext
def test_body_lines_end_at_the_right_margin_and_bullets_stand_there(clinic):
    lines = word_lines(made(clinic, "ar", "ar.pdf", "--note", "John Smith: the first session is short."), 1)
    intro = [line_holding(lines, "شائعة"), line_holding(lines, "يساعدك")]
    assert all(abs(right - RIGHT_EDGE) < 2 for _, right, _ in intro), intro
    assert intro[1][0] > MARGIN + 100  # the last line is short: ragged at the left
    # A paragraph starting with a Latin name still reads from the right (inside the note box's padding).
    left, right, words = line_holding(lines, "Smith:")
    assert abs(right - (RIGHT_EDGE - 8)) < 2 and left > MARGIN + 100
    # A list item's bullet is at the right, its words to the left of it.
    left, right, words = line_holding(lines, "علاجاتك:")
    bullet = next(x for x, word in words if word == "•")
    assert bullet == max(x for x, _ in words) and abs(right - RIGHT_EDGE) < 4


@needs_pdftotext
def test_a_latin_name_and_a_phone_number_read_their_own_way_in_an_arabic_sentence(clinic):
    pdf = made(clinic, "ar", "ar.pdf", "--note", NOTE)
    assert NOTE in read_back(pdf)
    _, right, words = line_holding(word_lines(pdf, 1), "0161")
    at = {word: x for x, word in words}
    assert at["John"] < at["Smith"] and at["0161"] < at["496"] < at["0000"]
    assert abs(right - (RIGHT_EDGE - 8)) < 2


@needs_pdftotext
def test_an_english_source_title_keeps_its_brackets_in_an_arabic_sentence(clinic):
    """The title's closing bracket would otherwise take the sentence's direction and stand at its other end."""
    pdf = made(clinic, "ar", "ar.pdf")
    last = len(PdfReader(pdf).pages)
    _, _, words = line_holding(word_lines(pdf, last), "article")
    drawn = [word for _, word in sorted(words)]
    start = drawn.index("(a")
    assert drawn[start:start + 3] == ["(a", "web", "article)"]


def test_the_html_reads_right_to_left(clinic):
    result = clinic("make", "--patient", "John Smith", "--procedure", "dermabrasion", "--language", "ar",
                    "--format", "html", "-o", "ar.html")
    assert result.exit_code == 0, result.output
    page = Path("ar.html").read_text(encoding="utf-8")
    assert '<html lang="ar" dir="rtl">' in page
    assert "margin-left" not in page and "padding-left" not in page and "text-align: left" not in page
    assert '<a href="tel:01234567890" dir="ltr">01234 567 890</a>' in page  # the clinic's phone, in the header
    assert '<span dir="ltr">01234 567 890</span></bdi></p>\n</footer>' in page  # and in an Arabic footer line
    english = clinic("make", "--patient", "John Smith", "--procedure", "dermabrasion", "--format", "html",
                     "-o", "en.html")
    assert english.exit_code == 0 and '<html lang="en-GB">' in Path("en.html").read_text(encoding="utf-8")


@needs_pdftotext
def test_a_batch_makes_an_arabic_leaflet_from_its_row(clinic):
    Path("patients.csv").write_text("patient,procedures,patient_id,date,language\n"
                                    "John Smith,subcision,P1,2026-11-21,ar\n", encoding="utf-8")
    result = clinic("batch", "patients.csv", "--jobs", "1")
    assert result.exit_code == 0, result.output
    pdf = "output/2026-11-21-john-smith-p1.pdf"
    assert PdfReader(pdf).trailer["/Root"]["/Lang"] == "ar"
    assert "طريقة لتحرير الندبات العميقة من النسيج الذي تحتها." in read_back(pdf)


def test_check_reports_arabic_ready_and_catches_a_changed_figure(clinic):
    ready = clinic("check")
    assert "ar (العربية): 74 of 74 entries; not yet clinically reviewed; ready;" in ready.output
    toml = Path("translations/ar.toml")
    line = line_of(toml, "بنسبة 30 إلى 50")
    replace_in(toml, "بنسبة 30 إلى 50", "بنسبة 30 إلى 60")
    result = clinic("check")
    assert result.exit_code == 1
    assert any(text.startswith(f"translations/ar.toml:{line}: [expectations] summary 2: ")
               and "has the numbers 30, 60, but the English" in text
               for text in result.output.replace("\\", "/").splitlines()), result.output


@needs_pdftotext
def test_arabic_then_english_each_part_reads_its_own_way(clinic):
    output = made(clinic, "ar", "both.pdf", "--bilingual", "--format", "both")
    pages = len(PdfReader(output).pages)
    english = next(page for page in range(1, pages + 1) if "Treating acne scars" in read_back(output, page))
    intro = line_holding(word_lines(output, 1), "ندبات")
    assert abs(intro[1] - RIGHT_EDGE) < 2  # the Arabic part's lines end at the right margin
    title = line_holding(word_lines(output, english), "Treating")
    assert abs(title[0] - MARGIN) < 2  # the English part's start at the left
    page = Path("both.html").read_text(encoding="utf-8")
    assert '<html lang="ar" dir="rtl">' in page
    assert '<section class="part" id="part-en-GB" lang="en-GB" dir="ltr" aria-label="English">' in page


def test_arabic_lists_join_and_separate_as_arabic_does(clinic):
    """"و" (and) joins the word after it, and Arabic's own semicolon separates the treatments' sessions."""
    result = clinic("make", "--patient", "Sam Smith", "--procedure", "subcision", "--procedure", "fillers",
                    "--procedure", "dermabrasion", "--sessions", "subcision=3", "--sessions", "fillers=2",
                    "--language", "ar", "--format", "html", "-o", "ar.html")
    assert result.exit_code == 0, result.output
    page = Path("ar.html").read_text(encoding="utf-8")
    assert "التحرير تحت الجلد: 3؛ المواد المالئة: 2" in page
    assert "التحرير تحت الجلد والمواد المالئة" in page and " و " not in page


@needs_pdftotext
def test_a_latin_name_clinician_and_note_keep_their_stops_and_brackets_on_an_arabic_page(clinic):
    result = clinic("make", "--patient", "Sam Smith Jr.", "--clinician", "Dr Ana Silva (locum)", "--note",
                    "Please bring your ID (passport).", "--procedure", "subcision", "--language", "ar", "-o", "ar.pdf")
    assert result.exit_code == 0, result.output
    drawn = [word for _, _, words in word_lines("ar.pdf", 1) for _, word in sorted(words)]
    for typed in ("Sam Smith Jr.", "Dr Ana Silva (locum)", "Please bring your ID (passport)."):
        first = drawn.index(typed.split()[0])
        assert drawn[first:first + len(typed.split())] == typed.split()
