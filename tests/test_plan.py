"""The patient's own leaflet: their plan, said once, only what applies, short, traced to sources."""

import datetime as dt
import itertools
import sqlite3
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import flat, pdf_pages, pdf_text, replace_in
from handouts.leaflet.choices import parse_choices
from handouts.leaflet.compose import compose
from handouts.leaflet.content_reader import load_content
from handouts.render.pdf import render_pdf

ALL = ["dermabrasion", "microdermabrasion", "chemical-peel", "laser-resurfacing",
       "fractional-laser", "subcision", "fillers", "counselling"]
SAMPLE = ["make", "--patient", "Sam Sample", "--procedure", "subcision", "--procedure", "fractional-laser",
          "--scar", "rolling", "--clinician", "Dr Ana Silva", "--date", "2026-11-21"]
PLAN = ["--sessions", "subcision=3", "--sessions", "fractional-laser=2 to 3", "--appointment", "2026-12-03 10:30"]


def render(content, wording, tmp_path, procedures, **choices):
    choices.setdefault("date", dt.date(2026, 11, 21))
    patient = parse_choices(content, patient="Sam Sample", procedures=procedures, **choices)
    path = tmp_path / f"leaflet-{len(list(tmp_path.iterdir()))}.pdf"
    path.write_bytes(render_pdf(compose(content, wording, patient), invariant=True))
    return path


# -- 1. the patient's plan ----------------------------------------------------


def test_the_sample_shows_the_plan_on_page_1_and_fits_4_pages(run):
    result = run(*SAMPLE, *PLAN, "-o", "sample.pdf")
    assert result.exit_code == 0, result.output
    pages = pdf_pages("sample.pdf")
    assert len(pages) <= 4
    first = flat(pages[0])
    assert "Your first appointment: Thursday 3 December 2026 at 10:30" in first
    assert "Treatment Sessions Full recovery Subcision 3 Ask your clinician " \
           "Fractional laser 2 to 3 Quicker than laser resurfacing" in first
    assert flat("\n".join(pages)).count("will advise") <= 2


def test_without_a_plan_the_leaflet_says_will_advise_once(run):
    assert run(*SAMPLE, "-o", "sample.pdf").exit_code == 0
    text = flat(pdf_text("sample.pdf"))
    assert text.count("will advise") == 1
    assert ("Your clinician will advise on how many sessions you need, how long each visit takes and when you "
            "can go back to work.") in text


def test_an_appointment_without_a_time(run):
    assert run(*SAMPLE, "--appointment", "2026-12-03", "-o", "a.pdf").exit_code == 0
    first = flat(pdf_pages("a.pdf")[0])
    assert "Your first appointment: Thursday 3 December 2026" in first and "at 10:30" not in first


def test_the_patients_sessions_win_over_the_clinics(run):
    replace_in(Path("content.toml"), 'suits = "Deep scars."',
               'suits = "Deep scars."\nsessions = { text = "3 to 6", source = "clinic" }')
    assert run("make", "-p", "Ann", "--procedure", "subcision", "--procedure", "fillers", "-o", "clinic.pdf",
               "--sessions", "fillers=2").exit_code == 0
    first = flat(pdf_pages("clinic.pdf")[0])
    assert "Subcision 3 to 6" in first and "Fillers 2" in first
    assert run("make", "-p", "Ann", "--procedure", "subcision", "--sessions", "subcision=4",
               "-o", "own.pdf").exit_code == 0
    assert "Subcision 4" in flat(pdf_pages("own.pdf")[0])


@pytest.mark.parametrize("option, value, message", [
    ("--sessions", "subcison=3", "unknown procedure 'subcison'; did you mean 'subcision'?"),
    ("--sessions", "fillers=3", "'fillers' has sessions but is not a chosen procedure; choose it too, or leave "
                                "out its sessions"),
    ("--sessions", "subcision=0", "'0' is not a number of sessions; write a number from 1 to 100, or a range "
                                  "like 2 to 3"),
    ("--sessions", "subcision=lots", "'lots' is not a number of sessions; write a number from 1 to 100, or a "
                                     "range like 2 to 3"),
    ("--sessions", "subcision 3", "'subcision 3' should be ID=NUMBER, for example subcision=3 or "
                                  '"fillers=2 to 3"'),
    ("--appointment", "2026-02-30 10:00", "'2026-02-30 10:00' is not a date: February 2026 has no day 30; "
                                          "write it as YYYY-MM-DD HH:MM or DD/MM/YYYY HH:MM, for example 2026-12-03 10:30 or 03/12/2026 10:30 (the time may be left out)"),
    ("--appointment", "2026-12-03 24:30", "'2026-12-03 24:30' has no time of day such as 10:30 after the date "
                                          "('24:30' is not one); write it as YYYY-MM-DD HH:MM or DD/MM/YYYY HH:MM, for example 2026-12-03 10:30 or 03/12/2026 10:30 (the time may be left out)"),
    ("--appointment", "03/12/26 10:30", "'03/12/26 10:30' is ambiguous: write the year in full; write it as YYYY-MM-DD HH:MM or DD/MM/YYYY HH:MM, for example 2026-12-03 10:30 or 03/12/2026 10:30 (the time may be left out)"),
    ("--appointment", "2026-11-20 09:00", "'2026-11-20' is before the leaflet's date (2026-11-21); check the "
                                          "appointment, or the date on the leaflet"),
])
def test_a_bad_plan_is_an_option_error(run, option, value, message):
    result = run("make", "-p", "Ann", "--procedure", "subcision", "--date", "2026-11-21", option, value)
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == f"Error: Invalid value for '{option}': {message}"
    assert not list(Path(".").rglob("*.pdf"))


def test_a_bad_plan_in_a_batch_names_the_row(run):
    Path("patients.csv").write_text(
        "patient,procedures,date,sessions,appointment\n"
        "Sam,subcision;fillers,2026-11-21,subcision=3; fillers=2 to 3,2026-12-03 10:30\n"
        "Ann,subcision,2026-11-21,subcision=0,2026-11-01\n", encoding="utf-8")
    result = run("batch", "patients.csv")
    assert result.exit_code == 1
    assert ("row 3: sessions: '0' is not a number of sessions; write a number from 1 to 100, or a range like 2 to "
            "3; appointment: '2026-11-01' is before the leaflet's date (2026-11-21); check the appointment, or "
            "the date on the leaflet") in result.output.splitlines()
    first = flat(pdf_pages("output/2026-11-21-sam.pdf")[0])
    assert "Your first appointment: Thursday 3 December 2026 at 10:30" in first
    assert "Subcision 3" in first and "Fillers 2 to 3" in first


def test_the_history_records_the_plan_and_a_changed_plan_is_rebuilt(run):
    csv = Path("patients.csv")
    csv.write_text("patient,procedures,date,sessions,appointment\n"
                   "Sam,subcision,2026-11-21,subcision=3,2026-12-03 10:30\n", encoding="utf-8")
    assert run("batch", "patients.csv").exit_code == 0
    assert run("batch", "patients.csv").output.strip().splitlines()[-1].startswith("Written 0, skipped 1")
    csv.write_text(csv.read_text().replace("subcision=3", "subcision=4"), encoding="utf-8")
    assert run("batch", "patients.csv").output.strip().splitlines()[-1].startswith("Written 1, skipped 0")
    db = sqlite3.connect("output/handouts-history.sqlite3")
    assert db.execute("SELECT sessions, appointment FROM leaflets ORDER BY id").fetchall() == [
        ("subcision=3", "2026-12-03 10:30"), ("subcision=4", "2026-12-03 10:30")]
    assert "subcision=4" in run("history", "--format", "csv").output


# -- 2. said once -----------------------------------------------------------------


def test_all_eight_say_each_thing_once(content, wording, tmp_path):
    text = flat(pdf_text(render(content, wording, tmp_path, ALL, scars=["rolling", "deep-craters"])))
    assert text.count("Follow the care plan your clinician gives you.") == 1
    # Issue 18: it is a numbered step after each session (the clinic gave no aftercare of its own).
    assert text.index("After each session") < text.index("Follow the care plan your clinician gives you.")
    for figure in ("10 days or more", "3 to 10 days", "A few minutes to 1 hour", "Quicker than laser resurfacing"):
        assert text.count(figure) == 1, figure
    # Page 1's key points are not repeated later.
    for point in content.summary:
        assert text.count(point) == 1, point
    assert text.count("will advise") == 1


def test_the_chart_draws_only_treatments_with_figures(content, wording, tmp_path):
    text = flat(pdf_text(render(content, wording, tmp_path, ["dermabrasion", "subcision", "fillers"])))
    assert "How long recovery takes" in text and "Dermabrasion 10 days or more" in text
    assert "There is no recovery figure for Subcision and Fillers: ask your clinician." in text


def test_no_chart_when_no_chosen_treatment_has_days(content, wording, tmp_path):
    text = flat(pdf_text(render(content, wording, tmp_path, ["subcision", "fillers"])))
    assert "How long recovery takes" not in text and "Days after treatment" not in text
    assert "back at work in 2 to 7 days and fully healed in 5 to 14 days" in text


# -- 3. only what applies ----------------------------------------------------------


def test_counselling_alone_mentions_no_healing_time(content, wording, tmp_path):
    text = flat(pdf_text(render(content, wording, tmp_path, ["counselling"], scars=["ice-pick"]))).lower()
    for words in ("days", "time off", "heal", "back at work", "recovery", "laser", "dermabrasion"):
        assert words not in text, words
    assert "nothing is done to your skin." in text


def test_about_this_leaflet_lists_only_the_sources_used(run):
    path = Path("content.toml")
    replace_in(path, 'severe-scars = "', 'unused = "A source nothing cites"\nsevere-scars = "')
    assert run("make", "-p", "Ann", "--procedure", "subcision", "-o", "a.pdf").exit_code == 0
    text = flat(pdf_text("a.pdf"))
    assert "A source nothing cites" not in text
    assert "About this leaflet: it is based on Pimple scar treatment" in text and "Can you remove acne scars" in text


# -- 4. length and layout --------------------------------------------------------

LIMITS = {1: 3, 2: 4, 3: 4, 8: 7}


@pytest.mark.parametrize("count", LIMITS)
def test_page_limits_for_every_combination(content, wording, tmp_path, count):
    for chosen in itertools.combinations(ALL, count):
        path = render(content, wording, tmp_path, list(chosen), scars=["rolling", "deep-craters"],
                      note="Please read this before we meet. Bring your questions.", clinician="Dr Ana Silva")
        pages = pdf_pages(path)
        assert len(pages) <= LIMITS[count], (chosen, len(pages))
        assert_checklist_on_one_page(pages)


def assert_checklist_on_one_page(pages):
    holding = [n for n, page in enumerate(pages) if "Tick each box" in page or "☐" in page]
    assert len(holding) == 1, holding
    assert "Before your treatment" in pages[holding[0]]


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_all_eight_in_large_print_with_a_long_note(content, wording, tmp_path, paper):
    path = render(content, wording, tmp_path, ALL, scars=list(content.scars), paper=paper, large_print=True,
                  note="Please read this. " * 300, clinician="Dr Ana Silva")
    pages = pdf_pages(path)
    assert_checklist_on_one_page(pages)
    assert_pages_are_filled(path)


@pytest.fixture
def every_figure(content_file):
    """Content where the clinic gives every treatment every figure: the tallest possible chart."""
    text = content_file.read_text(encoding="utf-8")
    for pid in ALL:
        header = f"[procedures.{pid}]\n"
        block = text[text.index(header):]
        block = block[:block.index("\n\n") if "\n\n" in block else len(block)]
        figures = ""
        for name, value in (("sessions", '{ text = "3", source = "clinic" }'),
                            ("time_in_clinic", '{ text = "1 hour", source = "clinic" }'),
                            ("back_to_work", '{ from = 2, to = 4, source = "clinic" }'),
                            ("full_recovery", '{ from = 5, to = 9, source = "clinic" }')):
            if f"\n{name} =" not in block:
                figures += f"{name} = {value}\n"
        text = text.replace(header, header + figures)
    text = text.replace("works_on_skin = false\n", "")
    content_file.write_text(text, encoding="utf-8")
    return load_content(content_file)


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_the_tallest_chart_splits_in_large_print_without_breaking_words(every_figure, wording, tmp_path, paper):
    path = render(every_figure, wording, tmp_path, ALL, scars=list(every_figure.scars), paper=paper,
                  large_print=True)
    text = flat(pdf_text(path))
    # The chart is whole, or went on over a page with its axis on both parts. (Since issue 18's tighter
    # page and slim header on pages after the first, both A4 and Letter have room for the whole chart.)
    assert text.count("Days after treatment") >= 1
    for name in ("Microdermabrasion", "Laser resurfacing", "Acne scar treatment in general"):
        assert name in text
    assert "Riverside Skin Clinic's own figures" in text
    assert_pages_are_filled(path)


def assert_pages_are_filled(path):
    """No page but the last is more than half empty: the lowest line of body text is below the middle."""
    reader = PdfReader(path)
    for number, page in enumerate(reader.pages[:-1], 1):
        height = float(page.mediabox.height)
        body_top, body_bottom = height - 110, 100  # inside the header and the footer
        ys = []
        page.extract_text(visitor_text=lambda text, cm, tm, font, size: text.strip() and ys.append(
            tm[5] * cm[3] + cm[5]))
        lowest = min(y for y in ys if body_bottom < y < body_top)
        assert lowest < (body_top + body_bottom) / 2, f"page {number} is more than half empty"


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_large_print_never_leaves_a_page_half_empty(content, wording, tmp_path, paper):
    combinations = [*itertools.combinations(ALL, 1), *itertools.combinations(ALL, 2), tuple(ALL)]
    for chosen, note in itertools.product(combinations, ("Please read this before we meet.", None)):
        path = render(content, wording, tmp_path, list(chosen), scars=["rolling", "deep-craters"], note=note,
                      paper=paper, large_print=True)
        assert_pages_are_filled(path)
        assert_checklist_on_one_page(pdf_pages(path))
