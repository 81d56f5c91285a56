"""Issue 18: the leaflet a clinician would sign, read back from the PDF (and the HTML).

The clinic's own risks and aftercare printed as its own; only what is true of
what was chosen; steps a patient can follow; one sheet for one treatment; no
page left short; nothing printed under 12 pt (16 in large print).
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from conftest import CONTENT, ROOT, TEMPLATES, flat, line_of, replace_in, without_settings
from handouts.leaflet.choices import parse_choices
from handouts.leaflet.compose import compose
from handouts.leaflet.content_reader import load_content
from handouts.leaflet.wording import Wording
from handouts.render import logo
from handouts.render.html import render_html
from handouts.render.pdf import render_pdf

ALL = ["dermabrasion", "microdermabrasion", "chemical-peel", "laser-resurfacing",
       "fractional-laser", "subcision", "fillers", "counselling"]
SCARS = ["ice-pick", "rolling", "deep-craters", "superficial", "marks"]
# What a clinic might add to every procedure, in its own words.
CLINIC_LISTS = '''risks = ["Your skin will be red and sore for a few days.", { text = "Swelling can last up to 7 days.", source = "clinic" }, "Rarely, a scar can get worse."]
on_the_day = ["We numb your skin with a cream before we start."]
aftercare = ["Wash your face gently with water only.", "Keep out of the sun."]
get_help = ["you have a fever", "your skin gets more red, hot or painful"]
'''


# Another clinic's words for one procedure: not the same as the rest.
OTHER_LISTS = '''risks = ["You may bruise."]
on_the_day = ["We clean your skin.", "You lie down while we work."]
get_help = ["a bruise grows bigger"]
'''


def clinic_folder(folder: Path, lists) -> Path:
    """The shipped content with `lists(procedure id)` added under each procedure, and an urgent number."""
    shutil.copytree(TEMPLATES, folder / "templates")
    text = CONTENT.read_text(encoding="utf-8").replace('# urgent_phone = "01234 567 999"',
                                                      'urgent_phone = "01234 567 999"')
    text = re.sub(r"(\n\[procedures\.([a-z-]+)\]\n)", lambda m: m[1] + lists(m[2]), text)
    (folder / "content.toml").write_text(text, encoding="utf-8")
    return folder / "content.toml"


@pytest.fixture(scope="module")
def clinic_content(tmp_path_factory):
    """The same lists under every procedure, as a clinic that words them once would have."""
    return load_content(clinic_folder(tmp_path_factory.mktemp("clinic"), lambda pid: CLINIC_LISTS))


@pytest.fixture(scope="module")
def differing_content(tmp_path_factory):
    """Dermabrasion and laser resurfacing with the same lists, subcision its own, the rest none."""
    lists = {"dermabrasion": CLINIC_LISTS, "laser-resurfacing": CLINIC_LISTS, "subcision": OTHER_LISTS}
    return load_content(clinic_folder(tmp_path_factory.mktemp("differing"), lambda pid: lists.get(pid, "")))


def leaflet(content, wording, procedures, **choices):
    choices.setdefault("date", dt.date(2026, 11, 21))
    return compose(content, wording, parse_choices(content, patient="Sam Sample", procedures=procedures, **choices))


def pdf(content, wording, procedures, **choices) -> bytes:
    return render_pdf(leaflet(content, wording, procedures, **choices), invariant=True)


def pages_of(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def text_of(data: bytes) -> str:
    return flat("\n".join(pages_of(data)))


def runs(data: bytes):
    """(page number, text, size in points, y) for every piece of text drawn."""
    found = []
    for number, page in enumerate(PdfReader(io.BytesIO(data)).pages, 1):
        def visit(text, cm, tm, font, size):
            if text.strip():
                found.append((number, text.strip(), size * tm[0] * cm[0] if tm[0] and cm[0] else size,
                              cm[1] * tm[4] + cm[3] * tm[5] + cm[5]))
        page.extract_text(visitor_text=visit)
    return found


# -- 1. what the clinic knows, traced as the clinic's ----------------------------------------------


def test_the_clinics_day_and_risks_print_under_the_treatment_and_warning_signs_after_it(clinic_content, wording):
    text = text_of(pdf(clinic_content, wording, ["subcision"]))
    assert text.index("How it is done:") < text.index(
        "On the day, from Riverside Skin Clinic: • We numb your skin with a cream before we start. "
        "Side effects and risks, from Riverside Skin Clinic: • Your skin will be red and sore for a few days. "
        "• Swelling can last up to 7 days. • Rarely, a scar can get worse.")
    # Its aftercare: numbered steps after each session, and then when to call at once, with the urgent number.
    assert ("After each session 1. Wash your face gently with water only. 2. Keep out of the sun. "
            "Call us at once if you have a fever or your skin gets more red, hot or painful. "
            "Out of hours, call 01234 567 999.") in text
    # The leaflet names where this came from.
    assert "Riverside Skin Clinic's own figures and advice on risks and care" in text
    # With risks given, the leaflet no longer asks the patient to ask about them.
    assert "Ask about the side effects and risks" not in text


def test_lists_the_same_for_all_chosen_treatments_print_once(clinic_content, wording):
    text = text_of(pdf(clinic_content, wording, ["dermabrasion", "subcision", "fillers"]))
    assert text.count("We numb your skin") == text.count("Rarely, a scar can get worse.") == 1
    assert ("For all your treatments On the day, from Riverside Skin Clinic: • We numb your skin with a cream "
            "before we start.") in text
    assert text.index("For all your treatments") < text.index(
        "Side effects and risks, from Riverside Skin Clinic: • Your skin will be red")
    # One box of warning signs, with the urgent number, after the steps for after each session.
    assert text.count("Call us at once if") == text.count("Out of hours, call 01234 567 999.") == 1
    assert ("2. Keep out of the sun. Call us at once if you have a fever or your skin gets more red, hot or "
            "painful. Out of hours, call 01234 567 999.") in text


def test_lists_that_differ_print_under_their_own_treatment(differing_content, wording):
    text = text_of(pdf(differing_content, wording, ["dermabrasion", "laser-resurfacing", "subcision", "fillers"]))
    # Subcision's own, under its name and before the next treatment's.
    own = ("On the day, from Riverside Skin Clinic: • We clean your skin. • You lie down while we work. "
           "Side effects and risks, from Riverside Skin Clinic: • You may bruise.")
    assert text.index("(called a Nokor needle)") < text.index(own) < text.index("The filler is fat.")
    # The two that are word for word the same, once, for them by name.
    assert text.count("We numb your skin") == text.count("Rarely, a scar can get worse.") == 1
    assert ("For several of your treatments On the day of dermabrasion and laser resurfacing, from Riverside "
            "Skin Clinic: • We numb your skin with a cream before we start.") in text
    assert text.index("For several of your treatments") < text.index(
        "Side effects and risks of dermabrasion and laser resurfacing, from Riverside Skin Clinic: • Your skin")
    # Fillers has none of the clinic's words: the patient is asked to ask.
    assert "Ask about the side effects and risks of Fillers" in text
    # Each warning sign under the treatments it is for, each with the urgent number.
    assert ("After dermabrasion and laser resurfacing, call us at once if you have a fever or your skin gets "
            "more red, hot or painful. Out of hours, call 01234 567 999.") in text
    assert "After subcision, call us at once if a bruise grows bigger. Out of hours, call 01234 567 999." in text
    assert "Call us if you are worried about how your skin is healing." in text


def test_without_the_clinics_risks_the_leaflet_says_what_to_ask(content, wording):
    text = text_of(pdf(content, wording, ["subcision"]))
    assert ("Ask about the side effects and risks of your treatment, whether it hurts, and how much time off "
            "you need.") in text
    assert "Follow the care plan your clinician gives you." in text
    two = text_of(pdf(content, wording, ["subcision", "counselling"]))
    assert "Ask about the side effects and risks of each of your treatments" in two


def test_check_lists_procedures_missing_the_clinics_words_and_strict_refuses(run):
    path = Path("content.toml")
    replace_in(path, 'suits = "Deep scars."', 'suits = "Deep scars."\n' + CLINIC_LISTS)
    result = run("check")
    assert result.exit_code == 0
    missing = [line for line in result.output.splitlines() if "from the clinic" in line]
    assert len(missing) == 7 and not [line for line in missing if "procedures.subcision " in line]
    header = line_of(path, "[procedures.fillers]")
    assert (f"Warning: content.toml:{header}: procedures.fillers has no risks, aftercare and get_help from the "
            "clinic; the leaflet asks the patient to ask about them instead (add them in the clinic's own words: "
            "see the example in content.toml)") in missing
    assert run("check", "--strict").exit_code == 1


def test_a_clinic_figure_in_a_risk_needs_its_source(run):
    replace_in(Path("content.toml"), 'suits = "Deep scars."', 'suits = "Deep scars."\n'
               'risks = ["Swelling can last up to 7 days."]')
    result = run("check")
    assert result.exit_code == 1
    assert "procedures.subcision.risks item 1 has a figure (\"7\") but no source" in result.output


def test_an_urgent_number_must_be_a_number(run):
    replace_in(Path("content.toml"), '# urgent_phone = "01234 567 999"', 'urgent_phone = "call the ward"')
    result = run("check")
    assert result.exit_code == 1
    assert 'clinic.urgent_phone is "call the ward"' in result.output


# -- 2. actions a patient can follow -----------------------------------------------------------------


def test_numbered_steps_before_and_after_and_your_choices(content, wording):
    text = text_of(pdf(content, wording, ["subcision"]))
    assert ("Before your treatment Tick each step when it is done. Bring this leaflet with you. "
            "1. ☐ Wait until your acne is under control. 2. ☐ Stop picking or squeezing your spots. "
            "3. ☐ Write down your questions for your clinician.") in text
    assert "After each session 1. Follow the care plan your clinician gives you." in text
    assert ("Your choices: You can choose to accept your scars and get on with your life: most people do. "
            "Red or brown marks often fade on their own. If your scars make you feel very low, whatever their "
            "size, say so: an expert can help.") in text


def test_the_note_is_near_the_plan_on_page_1(content, wording):
    first = flat(pages_of(pdf(content, wording, ["subcision", "fillers"], note="You will be fine.",
                              clinician="Dr Lee"))[0])
    assert first.index("Your plan at a glance") < first.index("A note from Dr Lee") < first.index(
        "You will be fine.")


def test_a_timeline_of_the_patients_own_plan(content, wording):
    text = text_of(pdf(content, wording, ["subcision", "fractional-laser"], sessions=["subcision=3"],
                       appointment="2026-12-03 10:30"))
    assert "Your timeline" in text
    for words in ("1. Acne under control", "2. First appointment", "Thursday 3 December 2026 at 10:30",
                  "3. Sessions", "Subcision: 3", "4. Healing",
                  "Plan time off after each session: most people are back at work in 2 to 7 days"):
        assert words in text, words
    # Nothing known of this patient's plan: no timeline.
    assert "Your timeline" not in text_of(pdf(content, wording, ["subcision"]))
    # The same drawing in the HTML, as SVG with its steps in words.
    page = render_html(leaflet(content, wording, ["subcision"], sessions=["subcision=3"]))
    assert '<figure class="timeline" tabindex="0">' in page and "Subcision: 3" in page


def test_an_html_leaflet_alone_draws_its_timeline(tmp_path):
    """In a process that has drawn no PDF (the timeline's words are measured in the leaflet font)."""
    shutil.copy(CONTENT, tmp_path / "content.toml")
    shutil.copytree(TEMPLATES, tmp_path / "templates")
    done = subprocess.run([sys.executable, str(ROOT / "cli.py"), "make", "-p", "Sam Sample", "--procedure", "subcision",
                           "--sessions", "subcision=3", "--format", "html"], cwd=tmp_path, capture_output=True,
                          text=True, env=without_settings(os.environ))
    assert done.returncode == 0, done.stderr
    assert '<figure class="timeline" tabindex="0">' in (tmp_path / done.stdout.strip()).read_text(encoding="utf-8")


# -- 3. only what is true of what was chosen ---------------------------------------------------------


def test_counselling_alone_claims_nothing_about_skin(content, wording):
    text = text_of(pdf(content, wording, ["counselling"])).lower()
    for words in ("percent", "heal", "acne is under control", "acne control", "three ways", "resurfacing",
                  "several sessions", "time off"):
        assert words not in text, words
    assert "nothing is done to your skin." in text and "tell your counsellor or clinician" in text


def test_how_it_is_done_says_how_or_is_left_out(content, wording):
    text = text_of(pdf(content, wording, ALL, scars=SCARS))
    assert "It can be done at the clinic" not in text and "It is done at the clinic" not in text
    peel = text_of(pdf(content, wording, ["chemical-peel"]))
    assert "Chemical peel" in peel and "How it is done" not in peel


def test_a_column_mostly_ask_your_clinician_is_left_out(content, wording):
    text = text_of(pdf(content, wording, ALL, scars=SCARS))
    assert text.count("Ask your clinician") <= 1
    assert "Your clinician will advise on how many sessions you need and how long each visit takes." in text
    # The one treatment with a time in clinic still shows it, in its own block.
    assert "Time in clinic: A few minutes to 1 hour" in text


def test_quicker_than_laser_resurfacing_says_how_quick_that_is(content, wording):
    alone = text_of(pdf(content, wording, ["fractional-laser", "subcision"]))
    assert "Quicker than laser resurfacing (laser resurfacing: 3 to 10 days)" in alone
    both = text_of(pdf(content, wording, ["fractional-laser", "laser-resurfacing"]))
    assert "(laser resurfacing: 3 to 10 days)" not in both and "Quicker than laser resurfacing" in both


def test_each_text_names_its_own_source(content):
    assert content.leaflet.approaches.source == "pimple-scars"
    assert "how bad" not in content.leaflet.approaches
    assert content.leaflet.choosing.source == "severe-scars" and "how bad your scars are" in content.leaflet.choosing
    assert {choice.source for choice in content.choices} == {"pimple-scars", "severe-scars"}


# -- 4. one sheet for one treatment, no stragglers ---------------------------------------------------

@pytest.mark.parametrize("paper", ["a4", "letter"])
@pytest.mark.parametrize("pid", ALL)
def test_one_treatment_fits_one_sheet(content, wording, pid, paper):
    assert len(pages_of(pdf(content, wording, [pid], paper=paper))) <= 2


@pytest.mark.parametrize("paper", ["a4", "letter"])
@pytest.mark.parametrize("pid", ALL)
def test_one_treatment_with_the_clinics_lists(clinic_content, wording, pid, paper):
    assert len(pages_of(pdf(clinic_content, wording, [pid], paper=paper))) <= 2


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_two_or_three_treatments_fit_four_pages_and_all_eight_six(content, wording, paper):
    for chosen in (["subcision", "fractional-laser"], ["dermabrasion", "subcision", "fillers"],
                   ["chemical-peel", "laser-resurfacing", "counselling"]):
        data = pdf(content, wording, chosen, scars=["rolling"], sessions=[f"{chosen[0]}=3"],
                   appointment="2026-12-03 10:30", paper=paper)
        assert len(pages_of(data)) <= 4, chosen
    assert len(pages_of(pdf(content, wording, ALL, scars=SCARS, paper=paper))) <= 6


@pytest.mark.parametrize("paper", ["a4", "letter"])
@pytest.mark.parametrize("chosen", [["subcision", "fractional-laser"], ["dermabrasion", "subcision", "fillers"],
                                    ["chemical-peel", "laser-resurfacing", "counselling"]])
def test_two_or_three_treatments_with_the_clinics_lists_fit_four_pages(clinic_content, wording, chosen, paper):
    assert len(pages_of(pdf(clinic_content, wording, chosen, scars=["rolling"], sessions=[f"{chosen[0]}=3"],
                            appointment="2026-12-03 10:30", paper=paper))) <= 4


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_all_eight_with_the_clinics_lists_fit_six_pages(clinic_content, wording, paper):
    assert len(pages_of(pdf(clinic_content, wording, ALL, scars=SCARS, paper=paper))) <= 6


def fullness(data: bytes) -> list[float]:
    """How far down each page the body text reaches, as a share of the space between header and footer."""
    out = []
    for page in PdfReader(io.BytesIO(data)).pages:
        height, ys = float(page.mediabox.height), []
        page.extract_text(visitor_text=lambda text, cm, tm, font, size: text.strip() and ys.append(
            cm[1] * tm[4] + cm[3] * tm[5] + cm[5]))
        top, bottom = height - 95, 57  # the header's rule, the footer's rule
        out.append((top - min(y for y in ys if bottom < y < top)) / (top - bottom))
    return out


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_no_page_before_the_last_is_less_than_60_percent_full(content, wording, paper):
    cases = [[pid] for pid in ALL] + [["subcision", "fractional-laser"], ["dermabrasion", "subcision", "fillers"],
                                      ALL]
    for chosen in cases:
        data = pdf(content, wording, chosen, scars=["rolling"] if len(chosen) > 1 else [], paper=paper)
        for number, full in enumerate(fullness(data)[:-1], 1):
            assert full >= 0.6, (chosen, number, round(full, 2))


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_with_the_clinics_lists_no_page_before_the_last_is_less_than_60_percent_full(clinic_content, wording, paper):
    for chosen in (["dermabrasion"], ["laser-resurfacing"], ["subcision", "fractional-laser"], ALL):
        data = pdf(clinic_content, wording, chosen, scars=SCARS if chosen == ALL else [], paper=paper)
        for number, full in enumerate(fullness(data)[:-1], 1):
            assert full >= 0.6, (chosen, number, round(full, 2))


@pytest.mark.parametrize("large, smallest", [(False, 12), (True, 16)])
@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_nothing_is_printed_smaller_than_clear_print_allows(content, wording, paper, large, smallest):
    """Header, footer, labels, chart numbers and sources included."""
    data = pdf(content, wording, ALL, scars=SCARS, paper=paper, large_print=large, note="A note.",
               sessions=["subcision=3"], appointment="2026-12-03 10:30")
    sizes = [size for _, _, size, _ in runs(data)]
    assert sizes and min(sizes) >= smallest - 0.05


@pytest.mark.parametrize("large", [False, True])
def test_the_footer_fits_two_lines(content, wording, large):
    data = pdf(content, wording, ["subcision"], large_print=large)
    for number in range(1, len(pages_of(data)) + 1):
        footer = {round(y) for page, _, _, y in runs(data) if page == number and y < 60}
        assert 1 <= len(footer) <= 2, footer


def test_a_wide_logo_keeps_its_shape_and_is_at_least_10_mm_high(tmp_path, content_file):
    Image.new("RGB", (600, 200), (29, 92, 99)).save(tmp_path / "wide.png")
    Image.new("RGB", (100, 300), (29, 92, 99)).save(tmp_path / "tall.png")
    for name, aspect in (("wide.png", 3), ("tall.png", 1 / 3)):
        width, height = logo.size(tmp_path / name)
        assert width / height == pytest.approx(aspect)
        assert height >= 10 / 25.4 * 72 - 0.01
    replace_in(content_file, 'logo = "templates/brand/logo.png"', f'logo = "{tmp_path / "wide.png"}"')
    content = load_content(content_file)
    wording = Wording(content_file.parent / "templates")
    data = pdf(content, wording, ["subcision"])
    page = PdfReader(io.BytesIO(data)).pages[0]
    # Drawn (in the header's form) with width and height in the image's own proportion, 10 mm high or more.
    drawn = re.findall(rb"([\d.]+) 0 0 ([\d.]+) [\d.-]+ [\d.-]+ cm\s*/[\w.]+ Do", _form_streams(page))
    assert drawn and any(abs(float(w) / float(h) - 3) < 0.01 and float(h) >= 28.3 for w, h in drawn)
    # And in the HTML, its width and height keep its shape.
    html = render_html(leaflet(content, wording, ["subcision"]))
    width, height = re.search(r'<img src="data:image/png;base64,[^"]+" alt="" width="(\d+)" height="(\d+)"',
                              html).groups()
    assert int(width) == 3 * int(height)


def _form_streams(page) -> bytes:
    """The drawing instructions of the page's forms (the header is drawn once as a form)."""
    data = b""
    for xobject in page["/Resources"]["/XObject"].values():
        form = xobject.get_object()
        if form["/Subtype"] == "/Form":
            data += form.get_data()
    return data


def test_the_html_says_bring_this_leaflet(content, wording):
    page = render_html(leaflet(content, wording, ["subcision"]))
    assert "Bring this leaflet with you." in page and "this page" not in page
