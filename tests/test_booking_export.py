"""The booking system's export as it comes (issue 21 §2) and names with lost letters refused (§3): real CSV files
in Windows-1252, UTF-8 with a byte-order mark and UTF-16, a real workbook written by openpyxl, read by the batch
as a nurse runs it; the refusal through make, batch, the New leaflet form and the API."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

import openpyxl
import pytest

from conftest import flat, pdf_text
from test_batch import pdfs, summary
from test_web import API_GOOD, api, api_client, client, desk, folder, make, page, upload  # noqa: F401 (fixtures)

LOST = "the list was saved in an encoding that cannot hold them; save it as 'CSV UTF-8' and try again"


def appointments() -> dict[str, str]:
    db = sqlite3.connect("output/handouts-history.sqlite3")
    return dict(db.execute("SELECT patient, appointment FROM leaflets WHERE state = 'done'").fetchall())


def test_a_booking_export_saved_by_excel_as_csv_in_windows_1252(run):
    # Excel's "CSV (Comma delimited)": Windows-1252, CRLF; the letters it lacks become '?'.
    rows = ("Patient Name,Patient ID,Treatment,Appointment,Practitioner,Email Address,Phone,Procedure Name\r\n"
            "José Müller,P1001,Subcision + Fillers,03/12/2026 2pm,Dr Ana Silva,jose@example.com,0123,\r\n"
            "Dvořák Tomáš,P1002,laser resurfacing,03/12/2026 14.30,Dr Ana Silva,,,\r\n"
            "محمد الأحمد,P1003,Chemical Peel; counselling,04/12/2026,Dr Ana Silva,,,\r\n"
            "Renée Ærø,P1004,FILLERS,,Dr Ana Silva,,,\r\n")
    Path("tomorrow.csv").write_bytes(rows.encode("cp1252", errors="replace"))
    result = run("batch", "tomorrow.csv", "--jobs", "1")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0] == ("Columns used: 'Patient Name' → patient, 'Patient ID' → patient_id, "
                        "'Treatment' → procedures, 'Appointment' → appointment, 'Practitioner' → clinician, 'Email Address' → email; "
                        "not used: 'Phone', 'Procedure Name'")
    assert lines[1] == ("Warning: tomorrow.csv: the column 'Procedure Name' looks like procedures but is not used "
                        "('Treatment' is); if it holds them instead, map it: \"Procedure Name=procedures\"")
    assert f"row 3: the name 'Dvo?ák Tomáš' has lost letters ('?'): {LOST}" in lines
    assert f"row 4: the name '???? ??????' has lost letters ('?'): {LOST}" in lines
    assert summary(result).startswith("Written 2, skipped 0, failed 2")
    assert pdfs() == ["2026-11-21-jose-muller-p1001.pdf", "2026-11-21-renee-aero-p1004.pdf"]
    jose = flat(pdf_text("output/2026-11-21-jose-muller-p1001.pdf"))
    assert "Prepared for José Müller" in jose and "Subcision" in jose and "Fillers" in jose
    assert "Your first appointment: Thursday 3 December 2026 at 14:00" in jose
    assert "Fillers" in flat(pdf_text("output/2026-11-21-renee-aero-p1004.pdf"))


def test_utf8_with_a_byte_order_mark_and_the_appointment_time_in_its_own_column(run):
    rows = ("Full Name;Treatment(s);Appointment Date;Appointment Time;DOB;E-mail\r\n"
            "Zoë Łukasz;Laser Resurfacing + subcision;03/12/2026;2:30 pm;04/05/1990;zoe@example.com\r\n"
            "Ann Lee;Shallow scars;03/12/2026;;;\r\n")
    Path("export.csv").write_bytes(b"\xef\xbb\xbf" + rows.encode("utf-8"))
    result = run("batch", "export.csv", "--jobs", "1")
    assert result.output.splitlines()[0] == (
        "Columns used: 'Full Name' → patient, 'Treatment(s)' → procedures, "
        "'Appointment Date' + 'Appointment Time' → appointment, 'DOB' → dob, 'E-mail' → email")
    # A scar type's name is not a treatment's: refused with the treatments' ids, as ever.
    assert "row 3: procedures: unknown procedure 'Shallow scars'; choose from:" in result.output
    assert appointments() == {"Zoë Łukasz": "2026-12-03 14:30"}
    text = flat(pdf_text(next(Path("output").glob("*zoe-lukasz.pdf"))))
    assert "Laser resurfacing" in text and "Subcision" in text


def test_excel_unicode_text_with_the_clinics_own_names_mapped(run):
    # Excel's "Unicode Text": UTF-16 with a byte-order mark, tab-separated.
    Path("content.toml").write_text(Path("content.toml").read_text(encoding="utf-8").replace(
        '# "Procedure Name" = "procedures"', '"Tx" = "procedures"\n"Seen By" = "clinician"'), encoding="utf-8")
    rows = ("Client\tTx\tHospital Number\tSeen By\tRef\r\n"
            "محمد الأحمد\tsubcision\tH1\tDr Ana Silva\tx\r\n"
            "Ann Lee\tfillers\tH2\tDr Ana Silva\ty\r\n")
    Path("export.txt").write_bytes(rows.encode("utf-16"))
    result = run("batch", "export.txt", "--jobs", "1", "--column", "Ref=ignore")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == (
        "Columns used: 'Client' → patient, 'Tx' → procedures, 'Hospital Number' → patient_id, "
        "'Seen By' → clinician; not used: 'Ref'")
    assert "Warning" not in result.output
    assert "Prepared for Ann Lee" in pdf_text("output/2026-11-21-ann-lee-h2.pdf")
    assert "Dr Ana Silva" in pdf_text("output/2026-11-21-ann-lee-h2.pdf")


def test_column_options_and_their_mistakes_are_one_line_each(run):
    Path("list.csv").write_text("Client,Procedure Name\nSam Sample,subcision\n", encoding="utf-8")
    mapped = run("batch", "list.csv", "--column", "procedure name = Procedures")
    assert mapped.exit_code == 0, mapped.output
    assert mapped.output.splitlines()[0] == "Columns used: 'Client' → patient, 'Procedure Name' → procedures"
    missing = run("batch", "list.csv", "--column", "Procedure Nmae=procedures")
    assert missing.exit_code == 1
    assert missing.output == ("Error: list.csv: has no column 'Procedure Nmae' to map; its columns are 'Client', "
                              "'Procedure Name'\n")
    unknown = run("batch", "list.csv", "--column", "Procedure Name=treatment")
    assert unknown.exit_code == 2
    assert unknown.output.splitlines()[-1] == (
        "Error: Invalid value for '--column': 'treatment' is not a field; map a column to one of: patient, "
        "procedures, patient_id, clinician, date, scars, note, email, paper, large_print, dob, pdf_password, "
        "sessions, appointment, language, bilingual, appointment_time, ignore")
    assert run("batch", "list.csv", "--column", "Procedure Name").output.splitlines()[-1] == (
        "Error: Invalid value for '--column': 'Procedure Name' should be Their Header=field, for example "
        "\"Procedure Name=procedures\"")
    Path("list.csv").write_text("Client,Service,Treatment\nSam Sample,Consultation,subcision\n", encoding="utf-8")
    twice = run("batch", "list.csv")
    assert twice.output == ("Error: list.csv: the columns 'Service' and 'Treatment' both hold procedures; map the "
                            "one that does, e.g. \"Service=procedures\" (the other is then not used)\n")
    assert run("batch", "list.csv", "--column", "Treatment=procedures").exit_code == 0


def test_a_wrong_field_in_batch_columns_names_its_line(run):
    Path("content.toml").write_text(Path("content.toml").read_text(encoding="utf-8").replace(
        '# "Procedure Name" = "procedures"', '"Procedure Name" = "treatment"'), encoding="utf-8")
    line = next(number for number, text in enumerate(Path("content.toml").read_text().splitlines(), 1)
                if text.startswith('"Procedure Name"'))
    result = run("check", "--format", "text")
    assert (f"content.toml:{line}: batch.columns.Procedure Name 'treatment' is not a field; map a column to one "
            "of: patient,") in result.output


def workbook(path: str = "tomorrow.xlsx") -> Path:
    """A workbook as a booking system writes one: dates and times in cells of their own, shown the US way in one
    column to show they are never read from how they look."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Monday"
    sheet.append(["Patient Name", "MRN", "Treatment", "Appointment Date", "Appointment Time", "Date on leaflet"])
    sheet.append(["Zoë Dvořák", 1005, "Subcision + Fillers", dt.datetime(2026, 12, 3), dt.time(14, 30),
                  dt.datetime(2026, 11, 21, 8, 0)])
    sheet.append(["Ann Lee", 1006.0, "fillers", dt.datetime(2027, 4, 3), None, None])
    sheet.append(["Bo Ray", "1007", "fillers", "04/12/2026", "2pm", None])
    sheet.append([])
    sheet.append(["Cy Dee", 1008, "fillers", dt.datetime(2026, 12, 7, 9, 15), None, None])
    for row in range(2, 7):
        sheet[f"D{row}"].number_format = "mm/dd/yyyy"  # 04/03/2027 is still 3 April
        sheet[f"E{row}"].number_format = "h:mm AM/PM"
        sheet[f"F{row}"].number_format = "dd/mm/yyyy"
    sheet["D6"].number_format = "yyyy-mm-dd hh:mm"
    sheet["F2"].number_format = "dd/mm/yyyy hh:mm"  # the leaflet's date is the day alone, whatever time it shows
    tuesday = book.create_sheet("Tuesday")
    tuesday.append(["Client", "Service"])
    tuesday.append(["Di Eve", "counselling"])
    book.save(path)
    return Path(path)


def test_an_excel_workbook_is_read_as_it_is_its_dates_and_times_as_they_are(run):
    workbook()
    result = run("batch", "tomorrow.xlsx", "--jobs", "1", "--column", "Date on leaflet=date")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == (
        "Columns used: 'Patient Name' → patient, 'MRN' → patient_id, 'Treatment' → procedures, "
        "'Appointment Date' + 'Appointment Time' → appointment, 'Date on leaflet' → date")
    assert appointments() == {"Zoë Dvořák": "2026-12-03 14:30", "Ann Lee": "2027-04-03",
                              "Bo Ray": "2026-12-04 14:00", "Cy Dee": "2026-12-07 09:15"}
    assert pdfs() == ["2026-11-21-ann-lee-1006.pdf", "2026-11-21-bo-ray-1007.pdf", "2026-11-21-cy-dee-1008.pdf",
                      "2026-11-21-zoe-dvorak-1005.pdf"]
    zoe = flat(pdf_text("output/2026-11-21-zoe-dvorak-1005.pdf"))
    assert "Prepared for Zoë Dvořák" in zoe and "Thursday 3 December 2026 at 14:30" in zoe
    assert "Saturday 3 April 2027" in flat(pdf_text("output/2026-11-21-ann-lee-1006.pdf"))
    tuesday = run("batch", "tomorrow.xlsx", "--sheet", "Tuesday", "--dry-run")
    assert tuesday.output.splitlines()[1] == "row 2: output/2026-11-21-di-eve.pdf (new)"
    wrong = run("batch", "tomorrow.xlsx", "--sheet", "Wednesday")
    assert wrong.output == "Error: tomorrow.xlsx: has no sheet 'Wednesday'; its sheets are 'Monday', 'Tuesday'\n"
    Path("list.csv").write_text("patient,procedures\nSam,fillers\n", encoding="utf-8")
    assert run("batch", "list.csv", "--sheet", "Monday").output == (
        "Error: list.csv: has no sheets: it is not an Excel workbook (.xlsx)\n")


def test_a_workbook_with_lost_letters_says_where_they_were_lost(run):
    book = openpyxl.Workbook()
    book.active.append(["Client", "Service", "Note"])
    book.active.append(["Dvo?ák Tomáš", "fillers", ""])
    book.active.append(["Ann Lee", "fillers", "Any questions? Call us."])
    book.active.append(["Bo Ray", "fillers", "Ask for Dr Nov\ufffdk"])
    book.save("list.xlsx")
    result = run("batch", "list.xlsx", "--jobs", "1")
    lines = result.output.splitlines()
    assert "row 2: the name 'Dvo?ák Tomáš' has lost letters ('?'): they were lost before the name reached this " \
           "workbook; type it again there" in lines
    assert "row 4: the note has lost letters ('\ufffd') in 'Nov\ufffdk': they were lost before the name reached " \
           "this workbook; type it again there" in lines
    assert pdfs() == ["2026-11-21-ann-lee.pdf"]


@pytest.mark.parametrize("old, message", [
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100),
     "list.xls: this is an old Excel workbook (.xls); save it as an Excel Workbook (.xlsx), or as CSV UTF-8"),
    (b"PK\x03\x04 not really a workbook",
     "list.xls: cannot be read as an Excel workbook (File is not a zip file); open it in Excel and save it again as "
     "an Excel Workbook (.xlsx)"),
])
def test_workbooks_that_cannot_be_read(run, old, message):
    Path("list.xls").write_bytes(old)
    result = run("batch", "list.xls")
    assert (result.exit_code, result.output) == (1, f"Error: {message}\n")


# -- the same refusal through every face ----------------------------------------------------------------------------

def test_make_refuses_a_name_with_lost_letters(run):
    result = run("make", "--patient", "Dvo?ák Tomáš", "--procedure", "subcision")
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == (
        "Error: Invalid value for '--patient': the name 'Dvo?ák Tomáš' has lost letters ('?'): type it again with "
        "its own letters (if it came from a file or a script, save that as UTF-8)")
    note = run("make", "--patient", "Sam", "--procedure", "subcision", "--note", "Dr ???? will see you. Questions??")
    assert note.output.splitlines()[-1] == (
        "Error: Invalid value for '--note': the note has lost letters ('?') in '????': type it again with its own "
        "letters (if it came from a file or a script, save that as UTF-8)")
    assert run("make", "--patient", "Sam", "--procedure", "subcision", "--note", "Questions?? Call us!").exit_code == 0
    # A web address's query is no lost letter; a '?' before a letter elsewhere in the same note still is.
    linked = run("make", "--patient", "Sam", "--procedure", "subcision", "--note", "See https://example.com/a?id=7",
                 "-o", "linked.pdf")
    assert linked.exit_code == 0, linked.output
    assert "See https://example.com/a?id=7" in pdf_text("linked.pdf")
    both = run("make", "--patient", "Sam", "--procedure", "subcision", "--note", "See www.example.com/a?id=7 or Dvo?ák")
    assert both.output.splitlines()[-1].startswith("Error: Invalid value for '--note': the note has lost letters ('?') "
                                                   "in 'Dvo?ák'")


def test_the_form_refuses_a_name_with_lost_letters(client):
    response = make(client, patient="????? ???????")
    assert response.status_code == 422
    assert page(response).by_id("patient-error")
    assert ("the name '????? ???????' has lost letters ('?'): type it again with its own letters (the list it was "
            "copied from had lost them)") in page(response).words


def test_the_api_refuses_a_name_with_lost_letters(api_client):
    response = api(api_client, {**API_GOOD, "patient": "Zo\ufffd Sample"})
    assert response.status_code == 422
    assert json.loads(response.data) == {"errors": {"patient": (
        "the name 'Zo\ufffd Sample' has lost letters ('\ufffd'): send it with its own letters, as UTF-8 JSON (the "
        "program that sent it had lost them)")}}


def test_the_desks_batch_takes_a_workbook_and_the_same_mapping(client):
    workbook()
    response = client.post("/batch", data={
        "csrf_token": page(client.get("/batch")).all("input", name="csrf_token")[0]["value"],
        "columns": "Date on leaflet=date\r\n", "patients": (open("tomorrow.xlsx", "rb"), "tomorrow.xlsx")},
        content_type="multipart/form-data")
    assert response.status_code == 200, page(response).words
    result = page(response)
    assert "Made 4, already made 0, not made 0" in result.words
    assert ("Columns used: 'Patient Name' → patient, 'MRN' → patient_id, 'Treatment' → procedures, "
            "'Appointment Date' + 'Appointment Time' → appointment, 'Date on leaflet' → date") in result.words
    assert result.by_id("columns")  # the mapping typed is still there to run again
    assert appointments()["Ann Lee"] == "2027-04-03"


def test_the_desks_batch_refuses_lost_letters_and_a_bad_mapping(client):
    rows = "Patient Name,Treatment\nDvořák Tomáš,fillers\nAnn Lee,fillers\n".encode("cp1252", errors="replace")
    result = page(upload(client, rows))
    assert f"row 2: the name 'Dvo?ák Tomáš' has lost letters ('?'): {LOST}" in result.words
    assert "Made 1, already made 0, not made 1" in result.words
    response = client.post("/batch", data={"csrf_token": page(client.get("/batch")).all("input", name="csrf_token")[0][
        "value"], "columns": "Procedure Name", "patients": (open(__file__, "rb"), "list.csv")},
        content_type="multipart/form-data")
    assert response.status_code == 422
    assert page(response).by_id("columns-error")
    assert ("'Procedure Name' should be Their Header=field, for example \"Procedure Name=procedures\"; write one "
            "column a line") in page(response).words
