"""Dates the way staff write them: ISO always, and the content language's own order (issue 11, section 2)."""

import json
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import flat, pdf_pages, replace_in

GB = "YYYY-MM-DD or DD/MM/YYYY, for example 2026-12-03 or 03/12/2026"
US = "YYYY-MM-DD or MM/DD/YYYY, for example 2026-12-03 or 12/03/2026"


def first_page(path) -> str:
    return flat(pdf_pages(path)[0])


def test_a_british_clinic_writes_the_day_first(run):
    result = run("make", "-p", "Sam Sample", "--procedure", "subcision", "--date", "21/11/2026",
                 "--appointment", "03/12/2026 10:30")
    assert result.exit_code == 0, result.output
    assert result.output == "output/2026-11-21-sam-sample.pdf\n"
    page = first_page("output/2026-11-21-sam-sample.pdf")
    assert "Your first appointment: Thursday 3 December 2026 at 10:30" in page
    assert "Prepared for Sam Sample on 21 November 2026" in page


def test_iso_always_works_and_a_day_alone_is_fine(run):
    result = run("make", "-p", "Ann", "--procedure", "fillers", "--date", "2026-11-21", "--appointment",
                 "3/12/2026", "-o", "a.pdf")
    assert result.exit_code == 0, result.output
    page = first_page("a.pdf")
    assert "Your first appointment: Thursday 3 December 2026" in page and "at 10:30" not in page


@pytest.mark.parametrize("language, typed, shown, message", [
    ("en-US", "12/03/2026", "Thursday 3 December 2026", None),
    ("en-US", "03/12/2026", "Thursday 12 March 2026", None),
    ("en-US", "13/03/2026", None, f"'13/03/2026' is not a date: there is no month 13 (here the month comes first); "
                                  f"write it as {US}"),
    ("en", "03/12/2026", None, "'03/12/2026' is ambiguous: the content's language (en) does not say whether the "
                               "day or the month comes first; write it as YYYY-MM-DD, for example 2026-12-03"),
    ("fr-FR", "03/12/2026", "Thursday 3 December 2026", None),
])
def test_the_content_language_sets_the_order(run, language, typed, shown, message):
    replace_in(Path("content.toml"), 'language = "en-GB"', f'language = "{language}"')
    result = run("make", "-p", "Ann", "--procedure", "fillers", "--date", typed, "--appointment", typed, "-o", "a.pdf")
    if message is None:
        assert result.exit_code == 0, result.output
        assert f"Your first appointment: {shown}" in first_page("a.pdf")
    else:
        assert result.exit_code == 2
        assert result.output.splitlines()[-1] == f"Error: Invalid value for '--date': {message}"


def test_the_csv_takes_british_dates_and_says_what_it_takes(run):
    Path("patients.csv").write_text(
        "patient,procedures,date,appointment,dob,email\n"
        "Sam Sample,subcision,21/11/2026,03/12/2026 10:30,05/03/1990,sam@example.com\n"
        "Ann Lee,fillers,30/02/2026,,,\n"
        "Bob Ray,fillers,2026-11-21,2026-12-03 25:00,,\n", encoding="utf-8")
    result = run("batch", "patients.csv", "--jobs", "1", "--email", "--encrypt")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert f"row 3: date: '30/02/2026' is not a date: February 2026 has no day 30; write it as {GB}" in lines
    assert ("row 4: appointment: '2026-12-03 25:00' has no time of day such as 10:30 after the date ('25:00' is "
            "not one); write it as YYYY-MM-DD HH:MM or DD/MM/YYYY HH:MM, for example 2026-12-03 10:30 or "
            "03/12/2026 10:30 (the time may be left out)") in lines
    assert "Your first appointment: Thursday 3 December 2026 at 10:30" in first_page(
        "output/2026-11-21-sam-sample.pdf")
    # The date of birth 05/03/1990 is 5 March 1990: the attachment opens with 05031990.
    from email import message_from_bytes, policy

    (eml,) = Path("output/outbox").glob("*.eml")
    attachment = next(message_from_bytes(eml.read_bytes(), policy=policy.default).iter_attachments())
    reader = PdfReader(__import__("io").BytesIO(attachment.get_content()))
    assert reader.is_encrypted and reader.decrypt("05031990")


def test_history_filters_by_leaflet_date_in_iso(run):
    for day in ("21/11/2026", "22/11/2026"):
        assert run("make", "-p", "Ann", "--procedure", "fillers", "--date", day).exit_code == 0
    rows = json.loads(run("history", "--leaflet-date", "2026-11-22", "--format", "json").output)
    assert [row["leaflet_date"] for row in rows] == ["2026-11-22"]
    wrong = run("history", "--leaflet-date", "22/11/2026")
    assert wrong.exit_code == 2
    assert wrong.output.splitlines()[-1] == (
        "Error: Invalid value for '--leaflet-date': '22/11/2026' is not a date; write it as YYYY-MM-DD")
