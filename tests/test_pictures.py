"""Labelled diagrams: drawn once, the same in the PDF and the HTML, only for what was chosen."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import CONTENT, flat, pdf_text
from handouts.leaflet.content_reader import load_content

LABELS = load_content(CONTENT).picture_labels
CHOSEN = ["--scar", "ice-pick", "--scar", "rolling", "--procedure", "subcision", "--procedure", "chemical-peel"]


class Figures(HTMLParser):
    """Each <figure class="picture">: its SVG's text alternative, the words drawn in it, and its caption."""

    def __init__(self):
        super().__init__()
        self.figures, self.inside = [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "figure" and "picture" in attrs.get("class", "").split() and "chart" not in attrs["class"]:
            self.inside = dict(alt=None, words=[], caption="")
            self.figures.append(self.inside)
        elif tag == "svg" and self.inside is not None:
            assert attrs.get("role") == "img"
            self.inside["alt"] = attrs.get("aria-label")
        self.tag = tag

    def handle_endtag(self, tag):
        if tag == "figure":
            self.inside = None

    def handle_data(self, data):
        if self.inside is not None and data.strip():
            key = "words" if self.tag == "text" else "caption"
            if key == "words":
                self.inside["words"].append(data.strip())
            else:
                self.inside["caption"] += data


def words(text: str) -> list[str]:
    """The words of some labels, in order of the alphabet: how a label was wrapped or listed does not matter."""
    return sorted(text.replace(",", " ").split())


@pytest.fixture
def both(run):
    result = run("make", "-p", "Sam Sample", *CHOSEN, "--format", "both", "-o", "leaflet.pdf")
    assert result.exit_code == 0, result.output
    return Path("leaflet.pdf"), Path("leaflet.html")


def test_four_captioned_diagrams_the_same_in_the_pdf_and_the_html(both):
    pdf, page = both
    parser = Figures()
    parser.feed(page.read_text(encoding="utf-8"))
    figures = parser.figures
    assert len(figures) == 4
    text = flat(pdf_text(pdf))
    labelled = []
    for figure in figures:
        # Its text alternative says what it shows: every label drawn in it (a long one on two lines).
        prefix = "Drawing of the skin seen from the side, labelled: "
        assert figure["alt"].startswith(prefix) and figure["alt"].endswith(".")
        labels = words(figure["alt"][len(prefix):-1])
        assert words(" ".join(figure["words"])) == labels
        labelled += labels
        # Its caption is the paragraph it explains, printed beside it in the PDF too.
        caption = " ".join(figure["caption"].split())
        assert len(caption) > 20 and caption in text
        for word in figure["words"]:
            assert word in text
    assert sorted(labelled) == words(" ".join([LABELS[k] for k in ("surface", "top", "deeper", "scar")] * 2
                                              + [LABELS[k] for k in ("scar", "needle", "held")]
                                              + [LABELS[k] for k in ("before", "after", "removed", "new_skin",
                                                                     "deeper")]))
    # Nothing is a raster image but the clinic's logo, and nothing is fetched.
    source = page.read_text(encoding="utf-8")
    assert source.count("<img") == 1 and not re.search(r'(src|href)="https?://(?!www\.riverside)', source)


def test_labels_are_at_least_11_pt(both):
    pdf, _ = both
    sizes = {}
    for page in PdfReader(pdf).pages:
        page.extract_text(visitor_text=lambda text, cm, tm, font, size: text.strip() and sizes.setdefault(
            text.strip(), size * tm[0]))
    for key in ("surface", "top", "deeper", "scar", "removed"):
        assert sizes[LABELS[key]] >= 11, (key, sizes[LABELS[key]])


@pytest.mark.parametrize("choices, pictures", [
    (["--procedure", "counselling"], 0),
    (["--procedure", "microdermabrasion"], 0),  # the sources do not say it takes off the top layers
    (["--procedure", "dermabrasion", "--procedure", "chemical-peel", "--procedure", "laser-resurfacing"], 1),
    ([arg for p in ("dermabrasion", "microdermabrasion", "chemical-peel", "laser-resurfacing", "fractional-laser",
                    "subcision", "fillers", "counselling") for arg in ("--procedure", p)], 4),
    (["--procedure", "fillers", "--scar", "marks", "--scar", "deep-craters"], 3),
])
def test_only_the_chosen_scars_and_treatments_are_drawn_and_each_once(run, choices, pictures):
    result = run("make", "-p", "Ann", *choices, "--format", "html", "-o", "a.html")
    assert result.exit_code == 0, result.output
    parser = Figures()
    parser.feed(Path("a.html").read_text(encoding="utf-8"))
    assert len(parser.figures) == pictures


def test_dashed_lines_stay_dashed_in_the_html(run):
    """The legend's dashed sample must look like the dashed line it names, in the SVG as in the PDF."""
    assert run("make", "-p", "Ann", "--procedure", "chemical-peel", "--format", "html", "-o", "a.html").exit_code == 0
    figure = Path("a.html").read_text(encoding="utf-8").split('<figure class="picture"')[1].split("</figure>")[0]
    assert LABELS["removed"] in figure
    assert figure.count("stroke-dasharray: 4, 2") == 2  # the line taken off, and its sample in the legend
