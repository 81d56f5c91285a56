"""Appointment times as people write them (issue 21, section 4)."""

from __future__ import annotations

import pytest

from conftest import flat, pdf_pages
from test_web import client, desk, folder, make, page  # noqa: F401  (the signed-in front desk)

FORMS = ("write it as YYYY-MM-DD HH:MM or DD/MM/YYYY HH:MM, for example 2026-12-03 10:30 or 03/12/2026 10:30 "
         "(the time may be left out)")
AMBIGUOUS = ("'03/12/2026 2:30' is ambiguous: 2:30 may be in the morning or the afternoon; write 2:30am or 2:30pm "
             f"(a time may be written 10:30, 10.30, 14h30, 2pm or 2:30pm); {FORMS}")


@pytest.mark.parametrize("typed, shown", [
    ("10:30", "10:30"), ("10.30", "10:30"), ("2pm", "14:00"), ("2 pm", "14:00"), ("2:30pm", "14:30"),
    ("2:30 PM", "14:30"), ("2.30 p.m.", "14:30"), ("14.30", "14:30"), ("14h30", "14:30"), ("9am", "09:00"),
    ("12pm", "12:00"), ("07:00", "07:00"),
])
def test_a_time_as_people_write_it_is_printed_on_the_24_hour_clock(run, typed, shown):
    result = run("make", "-p", "Ann", "--procedure", "fillers", "--date", "21/11/2026",
                 "--appointment", f"03/12/2026 {typed}", "-o", "a.pdf")
    assert result.exit_code == 0, result.output
    assert f"Your first appointment: Thursday 3 December 2026 at {shown}" in flat(pdf_pages("a.pdf")[0])


def test_a_time_before_seven_without_am_or_pm_is_refused_as_ambiguous(run):
    result = run("make", "-p", "Ann", "--procedure", "fillers", "--appointment", "03/12/2026 2:30")
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == f"Error: Invalid value for '--appointment': {AMBIGUOUS}"


@pytest.mark.parametrize("typed", ["13pm", "0:30am", "24:00", "2:75pm", "half two"])
def test_a_time_that_is_no_time_says_so(run, typed):
    result = run("make", "-p", "Ann", "--procedure", "fillers", "--appointment", f"03/12/2026 {typed}")
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == (
        f"Error: Invalid value for '--appointment': '03/12/2026 {typed}' has no time of day such as 10:30 after the "
        f"date ('{typed}' is not one); {FORMS}")


def test_the_form_refuses_the_ambiguous_time_beside_its_field_and_takes_2pm(client):  # noqa: F811
    # Typed as a browser without date and time boxes lets them be typed.
    refused = make(client, appointment_date="03/12/2026", appointment_time="2:30")
    assert refused.status_code == 422
    assert AMBIGUOUS in page(refused).words
    assert page(refused).by_id("appointment")["value"] == "03/12/2026"
    assert page(refused).by_id("appointment_time")["value"] == "2:30"
    made = make(client, appointment_date="03/12/2026", appointment_time="2pm")
    assert made.status_code == 303
    preview = page(client.get(made.headers["Location"]))
    assert "Sam Sample" in preview.words
