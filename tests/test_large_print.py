"""Large print: bigger type read back from the PDF, and nothing outside the page."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from pypdf import PdfReader
from reportlab.pdfbase.pdfmetrics import stringWidth

from conftest import flat, pdf_text
from handouts.render import fonts

CHOICES = ["--patient", "Sam Sample", "--procedure", "subcision", "--procedure", "fractional-laser",
           "--procedure", "dermabrasion", "--scar", "rolling", "--clinician", "Dr Ana Silva",
           "--note", "See you in four weeks."]


def text_runs(path: Path):
    """(page, text, font size, x, y, page width, page height, bold) for every text run."""
    runs = []
    for number, page in enumerate(PdfReader(path).pages, 1):
        width, height = float(page.mediabox.width), float(page.mediabox.height)

        def visit(text, cm, tm, font, size):
            if text.strip():
                scale = tm[0] * cm[0]
                x = cm[0] * tm[4] + cm[2] * tm[5] + cm[4]
                y = cm[1] * tm[4] + cm[3] * tm[5] + cm[5]
                bold = "Bold" in str((font or {}).get("/BaseFont", ""))
                runs.append((number, text, round(size * scale, 1), x, y, width, height, bold))

        page.extract_text(visitor_text=visit)
    return runs


def body_size(path: Path) -> float:
    """The type size most of the leaflet's characters are set in."""
    sizes = Counter()
    for _, text, size, *_ in text_runs(path):
        sizes[size] += len(text)
    return sizes.most_common(1)[0][0]


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_large_print_is_bigger_and_says_so(run, paper):
    assert run("make", *CHOICES, "--paper", paper, "-o", "normal.pdf").exit_code == 0
    result = run("make", *CHOICES, "--paper", paper, "--large-print", "-o", "large.pdf")
    assert result.exit_code == 0, result.output
    assert body_size(Path("normal.pdf")) == 14
    assert body_size(Path("large.pdf")) >= 16
    headings = [size for _, text, size, *_ in text_runs(Path("large.pdf")) if text.strip() == "Treating acne scars"]
    assert headings and min(headings) > body_size(Path("large.pdf"))
    assert len(PdfReader("large.pdf").pages) > len(PdfReader("normal.pdf").pages)
    pages = [flat(page.extract_text()) for page in PdfReader("large.pdf").pages]
    assert all("Large print version" in page for page in pages)
    assert "Large print version" not in pdf_text("normal.pdf")
    # The same facts in both versions.
    for fact in ("10 days or more", "Quicker than laser resurfacing", "2 to 7 days", "See you in four weeks."):
        assert fact in flat(pdf_text("large.pdf"))


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_nothing_in_large_print_falls_outside_the_page(run, paper):
    assert run("make", *CHOICES, "--paper", paper, "--large-print", "-o", "large.pdf").exit_code == 0
    fonts.register()
    runs = text_runs(Path("large.pdf"))
    assert runs
    for page, text, size, x, y, width, height, bold in runs:
        right = x + stringWidth(text.rstrip("\n"), fonts.BOLD if bold else fonts.REGULAR, size)
        assert 18 <= x and right <= width - 18, (page, text, x, right)
        assert 18 <= y <= height - 18, (page, text, y)


def test_batch_large_print_column(run):
    Path("patients.csv").write_text("patient,procedures,large_print\nSam,subcision,yes\nAnn,subcision,\n"
                                    "Bo,subcision,maybe\n", encoding="utf-8")
    result = run("batch", "patients.csv")
    assert result.exit_code == 1
    assert "row 4: large_print: 'maybe' should be yes or no (or left empty for no)" in result.output
    (sam,) = Path("output").glob("*-sam.pdf")
    (ann,) = Path("output").glob("*-ann.pdf")
    assert body_size(sam) >= 16 and body_size(ann) == 14
    assert "Large print version" in pdf_text(sam)
