"""What a patient holds: the PDF read back page by page."""

import datetime as dt
import re

import pytest
from pypdf import PdfReader

from conftest import flat, pdf_pages, pdf_text
from handouts.leaflet.choices import parse_choices
from handouts.leaflet.compose import compose
from handouts.errors import InputError
from handouts.render.pdf import render_pdf

ALL = ["dermabrasion", "microdermabrasion", "chemical-peel", "laser-resurfacing",
       "fractional-laser", "subcision", "fillers", "counselling"]


@pytest.fixture
def build(content, wording, tmp_path):
    """Render a leaflet to a file (invariant, so reruns are identical)."""

    def make(name="Sam Smith", procedures=("subcision",), **choices):
        choices.setdefault("date", dt.date(2026, 11, 21))
        patient = parse_choices(content, patient=name, procedures=procedures, **choices)
        path = tmp_path / f"leaflet-{len(list(tmp_path.iterdir()))}.pdf"
        path.write_bytes(render_pdf(compose(content, wording, patient), invariant=True))
        return path

    return make


def headings(path):
    """The PDF's bookmarks: one per section, in order."""
    reader = PdfReader(path)
    out = []

    def walk(items):
        for item in items:
            walk(item) if isinstance(item, list) else out.append(item.title)

    walk(reader.outline)
    return out


def test_only_the_chosen_procedures_appear(build, content):
    path = build(procedures=["subcision", "fractional-laser"])
    text = flat(pdf_text(path))
    for pid in ALL:
        name = content.procedures[pid].name
        if pid in ("subcision", "fractional-laser"):
            assert name in text
            assert content.procedures[pid].what in text
        else:
            # Its own description never appears, whatever else mentions it.
            assert content.procedures[pid].what not in text


def test_the_summary_comes_first_with_a_row_per_procedure(build):
    path = build(procedures=["laser-resurfacing", "counselling"])
    first = flat(pdf_pages(path)[0])
    assert first.index("Your plan at a glance") < first.index("What it is") if "What it is" in first else True
    # The table names the treatments; only the columns with a figure; recovery is on the chart, as laser resurfacing has it in days.
    assert "Treatment Time in clinic Laser resurfacing A few minutes to 1 hour Counselling Ask your clinician" \
        in first
    assert "Your clinician will advise on how many sessions you need." in first
    assert "3 to 10 days" in first and "Sessions" not in first


@pytest.mark.parametrize("pid, figure", [
    ("laser-resurfacing", "3 to 10 days"),
    ("dermabrasion", "10 days or more"),
    ("laser-resurfacing", "A few minutes to 1 hour"),
])
def test_source_figures_are_printed(build, pid, figure):
    assert figure in flat(pdf_text(build(procedures=[pid])))


def test_overall_figures_and_expectations_are_printed(build):
    text = flat(pdf_text(build()))
    assert "back at work in 2 to 7 days and fully healed in 5 to 14 days" in text
    assert "30 to 50 percent" in text
    assert "cannot remove them" in text


def test_the_chart_labels_every_bar_in_words(build):
    text = flat(pdf_text(build(procedures=["laser-resurfacing", "subcision"])))
    assert "Back to work Full recovery" in text  # the legend
    assert "Days after treatment" in text
    assert "Acne scar treatment in general" in text
    assert "2 to 7 days" in text and "5 to 14 days" in text
    # Subcision has no recovery figure: named once, not drawn.
    assert "There is no recovery figure for Subcision: ask your clinician." in text


def test_sections_in_order(build):
    path = build(procedures=["fillers"], scars=["rolling"], note="Hello", clinician="Dr Lee")
    # Issue 18: the clinician's note comes right after the plan, on page 1; numbered steps before
    # treatment and after each session follow the treatments. ("What to expect" is shown only where
    # the content has more points to make; the shipped points became steps and choices.)
    assert headings(path) == [
        "Treating acne scars", "Your plan at a glance", "A note from Dr Lee", "Your treatment",
        "Your scar type", "Before your treatment", "After each session", "Contact us if",
    ]


def test_optional_sections_are_left_out(build):
    path = build(procedures=["fillers"])
    assert "Your scar type" not in headings(path)
    assert not [h for h in headings(path) if h.startswith("A note from")]
    text = flat(pdf_text(path))
    assert "Prepared for Sam Smith on 21 November 2026." in text


def test_prepared_for_line(build):
    text = flat(pdf_text(build(clinician="Dr Ana Silva")))
    assert "Prepared for Sam Smith by Dr Ana Silva on 21 November 2026." in text


def test_scar_types_are_explained_with_their_treatments(build):
    text = flat(pdf_text(build(scars=["ice-pick", "marks", "deep-craters"])))
    assert "Ice-pick scars: Deep, narrow scars" in text
    assert "Red or brown marks: Marks left on the skin as spots dry up." in text
    # Only chosen treatments are named, and only where the sources tie them to the scar type.
    assert "Deep craters: Larger, deeper pits in the skin. They often sit beside smaller marks and ice-pick " \
           "scars. Of your treatments, Subcision can help with these." in text
    assert "It can help with your deep craters." in text
    assert "Fillers" not in text and text.count("can help with") == 2


@pytest.mark.parametrize("name", ["Zoë Łukasz-Nguyễn Đức", "Μαρία Ивановна", "Çağrı Işık", "Ødegård Æsa"])
def test_names_in_any_supported_script_read_back_verbatim(build, name):
    pages = pdf_pages(build(name=name))
    assert f"Prepared for {name}" in flat(pages[0])
    for page in pages:
        assert f"For {name} ·" in page  # the footer names the patient on every page


@pytest.mark.parametrize("text", ["<Anna>", "AT&T", "{{ 7*7 }}", '<img src="/etc/passwd"/>', "a <b", "&amp;", "{% raw %}"])
def test_patient_text_is_data_not_markup(build, text):
    path = build(name=f"Jo {text}", note=f"Note {text} end", clinician=f"Dr {text}")
    flat_text = flat(pdf_text(path))
    assert f"Prepared for Jo {text} by Dr {text}" in flat_text
    assert f"Note {text} end" in flat_text
    assert "49" not in flat_text


def test_note_keeps_its_paragraphs_and_lines(build):
    path = build(note="First line\nsecond line\n\nNew paragraph")
    lines = [line.strip() for line in pdf_text(path).splitlines()]
    assert "First line" in lines and "second line" in lines and "New paragraph" in lines


def test_a_5000_word_note_flows_onto_more_pages(build):
    short = len(pdf_pages(build()))
    words = " ".join(f"word{i}" for i in range(5000))
    path = build(note=words)
    pages = pdf_pages(path)
    assert len(pages) > short + 5
    text = flat("\n".join(pages))
    assert "word0 word1" in text and "word4998 word4999" in text


def test_a_note_split_over_many_pages_keeps_every_word_once_in_order(build):
    # The lines of a paragraph split at a page end are carried to the next page, not broken again.
    words = [f"w{i}" for i in range(8_000)]
    pages = pdf_pages(build(note=" ".join(words)))
    assert re.findall(r"w\d+", "\n".join(pages)) == words


def test_a_100_letter_word_in_a_note_is_broken_with_hyphens_and_kept_whole(build):
    word = "".join(chr(ord("a") + i % 26) for i in range(100))
    text = pdf_text(build(note=f"Start {word} end"))
    assert word in text.replace("-\n", "").replace("\n", "")


def test_page_x_of_y_on_every_page(build):
    # All eight with every scar type: since issue 18 packs pages tighter, the longest leaflet there is.
    path = build(procedures=ALL, scars=["ice-pick", "rolling", "deep-craters", "superficial", "marks"], note="Hi")
    pages = pdf_pages(path)
    assert len(pages) >= 5
    for number, page in enumerate(pages, 1):
        assert f"Page {number} of {len(pages)}" in page
        # Issue 18: the footer is two lines (it must fit in large print too): the patient, the phone, the version.
        assert "For Sam Smith · Version 2.0 · 01234 567 890" in page
        assert "Riverside Skin Clinic" in page and "01234 567 890" in page
    # What the footer held before is said once, at the end.
    text = flat("\n".join(pages))
    assert "This leaflet supports, and does not replace, your clinician's advice." in text
    assert "Version 2.0 · Reviewed 22 November 2026 · Next review due 22 November 2028" in text


def test_metadata(build):
    reader = PdfReader(build(procedures=["subcision", "fillers"]))
    meta = reader.metadata
    assert meta.title == "Treating acne scars"
    assert meta.author == "Riverside Skin Clinic"
    assert meta.subject == "Treating acne scars: Subcision, Fillers"
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"
    assert reader.trailer["/Root"]["/ViewerPreferences"]["/DisplayDocTitle"] == True  # noqa: E712 (a pypdf BooleanObject)
    # The patient's name stays out of metadata that file browsers index.
    assert "Sam" not in str(meta)


def test_fonts_are_embedded(build):
    reader = PdfReader(build(name="Μαρία"))
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            if font["/Subtype"] == "/Type0":
                font = font["/DescendantFonts"][0].get_object()
            descriptor = font["/FontDescriptor"].get_object()
            assert "/FontFile2" in descriptor, font["/BaseFont"]


def test_embedded_fonts_carry_no_screen_hinting(build):
    """Issue 13 §5: the hinting programs were a third of every leaflet (84 KiB
    then, 55 KiB now for two treatments); paper does not need them."""
    path = build(name="Μαρία", procedures=["subcision", "fillers"])
    reader = PdfReader(path)
    descriptors = [font.get_object()["/FontDescriptor"] for page in reader.pages
                   for font in page["/Resources"]["/Font"].values()]
    for descriptor in descriptors:
        data = descriptor["/FontFile2"].get_data()
        count = int.from_bytes(data[4:6], "big")
        tables = {data[12 + 16 * i:16 + 16 * i] for i in range(count)}  # the TrueType table directory
        assert b"glyf" in tables and not tables & {b"fpgm", b"prep", b"cvt "}, tables
    assert path.stat().st_size < 64 * 1024


@pytest.mark.parametrize("paper, size", [("a4", (595.28, 841.89)), ("letter", (612.0, 792.0))])
def test_paper_size(build, paper, size):
    reader = PdfReader(build(paper=paper))
    for page in reader.pages:
        assert (round(float(page.mediabox.width), 2), round(float(page.mediabox.height), 2)) == size


def test_body_text_is_at_least_12pt(build):
    """Clear print: nothing in the body is smaller than 12 pt (the footer is furniture)."""
    reader = PdfReader(build(procedures=ALL, scars=["rolling"], note="A note"))
    sizes = {}

    for page in reader.pages:
        height = float(page.mediabox.height)

        def visit(text, cm, tm, font, size):
            y = tm[5] * cm[3] + cm[5]
            if text.strip() and 120 < y < height - 110:  # between header rule and footer rule
                sizes[text.strip()] = size * tm[0] * cm[0] if tm[0] and cm[0] else size

        page.extract_text(visitor_text=visit)
    assert sizes
    small = {t: s for t, s in sizes.items() if s < 11.9 and not re.fullmatch(r"\d+", t)}
    assert small == {}  # only the chart's axis numbers are below 12 pt


def test_two_builds_are_byte_identical(build):
    args = dict(name="Zoë", procedures=["subcision", "dermabrasion"], scars=["rolling"], note="Hi")
    assert build(**args).read_bytes() == build(**args).read_bytes()


def test_every_procedure_and_scar_type_renders(build):
    path = build(procedures=ALL, scars=["ice-pick", "rolling", "deep-craters", "superficial", "marks"])
    text = flat(pdf_text(path))
    assert "Your clinician will advise" in text
    assert "Quicker than laser resurfacing" in text


def test_unknown_characters_never_print_as_boxes(content):
    with pytest.raises(InputError) as error:
        parse_choices(content, patient="Ann", procedures=["fillers"], clinician="Dr 李")
    assert error.value.field == "clinician"
    assert 'Chinese characters ("李"' in str(error.value)


def test_long_names_are_never_split_mid_word_in_the_table(build):
    first = flat(pdf_pages(build(procedures=["microdermabrasion", "laser-resurfacing"], paper="letter"))[0])
    assert "Microdermabrasion Ask your clinician" in first


def test_extreme_input_stays_inside_the_page(build):
    name = ("Wolfeschlegelsteinhausenbergerdorff" * 3 + "Μαρία-Ивановна")[:120]
    path = build(name=name, procedures=ALL, scars=["ice-pick"], clinician="Dr " + name[:100],
                 note="A <b>long</b> note & more. " * 300, paper="letter")
    reader = PdfReader(path)
    for page in reader.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        positions = []
        page.extract_text(visitor_text=lambda text, cm, tm, font, size: text.strip() and positions.append(
            (tm[4] * cm[0] + cm[4], tm[5] * cm[3] + cm[5])))
        assert positions
        for x, y in positions:
            assert 30 <= x <= width - 30 and 20 <= y <= height - 20, (x, y)
    # Too long for a line, it breaks with a hyphen at the line's end, never silently.
    text = pdf_text(path)
    assert name not in flat(text).replace(" ", "")
    assert name in text.replace("-\n", "").replace(" ", "").replace("\n", "")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for before, after in zip(lines, lines[1:]):
        joined = before.split()[-1] + after.split()[0]
        assert not (before[-1].isalpha() and after[0].isalpha() and joined in name), (before, after)


FURNITURE = ("Riverside Skin Clinic", "12 Sample Street", "01234 567 890", "hello@riverside-skin.example",
             "www.riverside-skin.example", "This leaflet supports, and does not replace", "For ", "Version 2.0")


@pytest.mark.parametrize("chosen", [ALL[:n] for n in range(1, 9)] + [ALL[-n:] for n in range(1, 8)]
                         + [["subcision", "dermabrasion", "fractional-laser", "counselling"]])
def test_no_page_ends_with_a_heading(build, content, chosen):
    path = build(procedures=chosen, scars=["rolling", "marks"], note="A short note.", clinician="Dr Lee")
    titles = set(headings(path)) | {content.procedures[p].name for p in chosen} | {"How long recovery takes"}
    pages = pdf_pages(path)
    for number, page in enumerate(pages[:-1], 1):
        body = [line.strip() for line in page.splitlines()
                if line.strip() and not line.strip().startswith(FURNITURE) and "Page " not in line]
        assert body[-1] not in titles, f"page {number} ends with the heading {body[-1]!r}"
