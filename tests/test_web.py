"""The front desk through Flask's test client: every page and route, and every kind of bad input."""

from __future__ import annotations

import io
import json
import re
import shutil
import sqlite3
import time
from email import message_from_bytes, policy
from html.parser import HTMLParser
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import CONTENT, TEMPLATES, TODAY, flat, replace_in
from handouts.history import History
from handouts.make import Maker
from handouts.staff import Staff
from handouts.web import Desk, create_app
from handouts.web.app import MAX_BODY

TOKEN = "s3cret-token-for-tests"
GB = "YYYY-MM-DD or DD/MM/YYYY, for example 2026-12-03 or 03/12/2026"


class Page(HTMLParser):
    """The parts of a page the tests look at: elements with their attributes, and the visible text."""

    def __init__(self, html: str):
        super().__init__()
        self.elements: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self._skip = 0
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))
        self._skip += tag in ("style", "script", "title")

    def handle_endtag(self, tag):
        self._skip -= tag in ("style", "script", "title")

    def handle_data(self, data):
        if not self._skip:
            self.text.append(data)

    def all(self, tag: str, **attrs) -> list[dict]:
        return [a for t, a in self.elements if t == tag and all(a.get(k) == v for k, v in attrs.items())]

    def by_id(self, element_id: str) -> dict:
        (found,) = [a for _, a in self.elements if a.get("id") == element_id]
        return found

    @property
    def words(self) -> str:
        return " ".join(" ".join(self.text).split())


def page(response) -> Page:
    return Page(response.get_data(as_text=True))


@pytest.fixture
def folder(tmp_path, monkeypatch):
    shutil.copy(CONTENT, tmp_path / "content.toml")
    shutil.copytree(TEMPLATES, tmp_path / "templates")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def desk(folder):
    return Desk(Maker("content.toml", "templates"), Path("output/handouts-history.sqlite3"))


PASSWORD = "a long pass phrase for tests"


def add_staff(username: str, role: str, history="output/handouts-history.sqlite3") -> None:
    with History(history) as opened:
        Staff(opened).add(username, role, PASSWORD)


def sign_in(client, username: str, password: str = PASSWORD, **kwargs):
    return client.post("/login", data={"csrf_token": csrf(client, "/login"), "username": username,
                                       "password": password}, **kwargs)


def signed_in(app, username="manager", role="manager", history="output/handouts-history.sqlite3"):
    """A test client signed in as a new member of staff (a manager unless `role` says otherwise)."""
    add_staff(username, role, history)
    client = app.test_client()
    assert sign_in(client, username).status_code == 303
    return client


@pytest.fixture
def client(desk):
    return signed_in(create_app(desk, api_token=TOKEN))


@pytest.fixture
def api_client(desk):
    """A clinic system: the API's token, no staff account and no cookie."""
    return create_app(desk, api_token=TOKEN).test_client()


def csrf(client, path="/") -> str:
    return page(client.get(path)).all("input", name="csrf_token")[0]["value"]


GOOD = {"patient": "Sam Sample", "procedures": ["subcision", "fractional-laser"], "scars": ["rolling"],
        "sessions-subcision": "3", "sessions-fractional-laser": "2 to 3",
        "appointment_date": "2026-12-03", "appointment_time": "10:30",  # as a browser's date and time boxes send them
        "clinician": "Dr Ana Silva", "date": "21/11/2026", "note": "See you soon.", "paper": "a4"}


def make(client, **changes):
    return client.post("/", data={**GOOD, **changes, "csrf_token": csrf(client)})


def made_entry(response) -> int:
    assert response.status_code == 303, response.get_data(as_text=True)
    match = re.fullmatch(r"/leaflets/(\d+)", response.headers["Location"])
    assert match, response.headers["Location"]  # an id, never a name
    return int(match[1])


def records(name="output/handouts-history.sqlite3") -> list[tuple]:
    db = sqlite3.connect(name)
    return db.execute("SELECT patient, path, email FROM leaflets WHERE state = 'done' ORDER BY id").fetchall()


# -- New leaflet ---------------------------------------------------------------------


def test_the_form_labels_every_field_and_offers_each_treatment_with_its_description(client):
    response = client.get("/")
    assert response.status_code == 200
    form = page(response)
    labelled = {a["for"] for a in form.all("label")}
    fields = [a for tag, a in form.elements if tag in ("input", "textarea", "select") and a.get("type") != "hidden"]
    assert fields and all(a["id"] in labelled for a in fields)
    boxes = form.all("input", name="procedures")
    assert [a["value"] for a in boxes] == ["dermabrasion", "microdermabrasion", "chemical-peel", "laser-resurfacing",
                                           "fractional-laser", "subcision", "fillers", "counselling"]
    what = form.by_id(boxes[5]["aria-describedby"])
    assert what["class"] == "hint"
    assert "A way to free deep scars from the tissue underneath them." in form.words
    assert {a["name"] for a in fields} >= {"patient", "scars", "sessions-subcision", "appointment_date",
                                           "appointment_time", "clinician", "date", "note", "paper", "large_print",
                                           "email"}
    assert (form.by_id("appointment")["type"], form.by_id("appointment_time")["type"]) == ("date", "time")
    assert form.by_id("date")["value"] == TODAY.strftime("%d/%m/%Y")  # the clinic's own form, en-GB


def test_a_good_leaflet_is_made_recorded_and_previewed(client):
    entry = made_entry(make(client))
    preview = client.get(f"/leaflets/{entry}")
    assert preview.status_code == 200
    shown = page(preview)
    assert "Leaflet for Sam Sample" in shown.words
    # Dates as the clinic writes them (en-GB), as the form asked for them.
    assert "Dated 21/11/2026, prepared by Dr Ana Silva; first appointment 03/12/2026 10:30." in shown.words
    links = {a.get("href") for a in shown.all("a")}
    assert {f"/leaflets/{entry}.pdf", f"/leaflets/{entry}/print"} <= links
    assert all("sam" not in (href or "").lower() for href in links)
    assert shown.all("iframe")[0]["src"] == f"/leaflets/{entry}.html"

    pdf = client.get(f"/leaflets/{entry}.pdf")
    assert pdf.mimetype == "application/pdf"
    assert 'attachment; filename=2026-11-21-sam-sample.pdf' in pdf.headers["Content-Disposition"]
    text = flat("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages))
    assert "Prepared for Sam Sample by Dr Ana Silva on 21 November 2026" in text
    assert "Your first appointment: Thursday 3 December 2026 at 10:30" in text
    assert "Subcision 3" in text and "Fractional laser 2 to 3" in text and "See you soon." in text

    leaflet = client.get(f"/leaflets/{entry}.html")
    assert leaflet.mimetype == "text/html" and "Sam Sample" in leaflet.get_data(as_text=True)
    assert "sandbox" in leaflet.headers["Content-Security-Policy"]
    assert leaflet.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert [(patient, Path(path).name) for patient, path, _ in records()] == [
        ("Sam Sample", "2026-11-21-sam-sample.pdf"), ("Sam Sample", "2026-11-21-sam-sample.html")]


def test_the_same_leaflet_again_gets_the_next_name_and_never_replaces_a_file(client, folder):
    Path("output").mkdir(exist_ok=True)  # the history (with the staff accounts) is there already
    Path("output/2026-11-21-sam-sample.pdf").write_bytes(b"someone else's file")
    made_entry(make(client))
    made_entry(make(client))
    assert Path("output/2026-11-21-sam-sample.pdf").read_bytes() == b"someone else's file"
    assert sorted(Path(path).name for _, path, _ in records() if path.endswith(".pdf")) == [
        "2026-11-21-sam-sample-2.pdf", "2026-11-21-sam-sample-3.pdf"]


def test_print_opens_the_print_dialog_on_the_same_pages(client):
    entry = made_entry(make(client))
    printed = client.get(f"/leaflets/{entry}/print")
    assert printed.mimetype == "application/pdf"
    assert "attachment" not in printed.headers.get("Content-Disposition", "")
    reader = PdfReader(io.BytesIO(printed.data))
    action = reader.trailer["/Root"]["/OpenAction"]
    assert action["/S"] == "/JavaScript" and "print(" in action["/JS"]
    original = PdfReader(io.BytesIO(client.get(f"/leaflets/{entry}.pdf").data))
    assert [p.extract_text() for p in reader.pages] == [p.extract_text() for p in original.pages]


@pytest.mark.parametrize("changes, field, message", [
    ({"patient": "  "}, "patient", "the patient's name is empty; type it as it should appear on the leaflet"),
    ({"procedures": []}, "procedures", "choose at least one treatment, for example 'dermabrasion'"),  # the form's word
    ({"procedures": ["subcision", "fractional-lazer"]}, "procedures",
     "unknown treatment 'fractional-lazer'; did you mean 'fractional-laser'?"),
    ({"scars": ["icepick"]}, "scars", "unknown scar type 'icepick'; did you mean 'ice-pick'?"),
    ({"sessions-subcision": "lots"}, "sessions",
     "'lots' is not a number of sessions; write a number from 1 to 100, or a range like 2 to 3"),
    ({"sessions-fillers": "2"}, "sessions",
     "'fillers' has sessions but is not a chosen treatment; choose it too, or leave out its sessions"),
    ({"appointment_date": "03/12/26"}, "appointment",  # typed where the browser has no date box
     "'03/12/26 10:30' is ambiguous: write the year in full; write it as YYYY-MM-DD HH:MM or DD/MM/YYYY HH:MM, "
     "for example 2026-12-03 10:30 or 03/12/2026 10:30 (the time may be left out)"),
    ({"date": "31/02/2026"}, "date", f"'31/02/2026' is not a date: February 2026 has no day 31; write it as {GB}"),
    ({"date": "04/12/2026"}, "appointment",
     "'2026-12-03' is before the leaflet's date (2026-12-04); check the appointment, or the date on the leaflet"),
    ({"note": "x " * 25_001}, "note", "the note is 50,001 characters long; the most a leaflet takes is 50,000"),
    ({"note": "x" * 16_000}, "note",
     "the note has a word 16,000 letters long; the longest a leaflet takes is 100: put spaces in it"),
    ({"note": "x\n" * 10_000}, "note", "the note has 10,000 lines; the most a leaflet takes is 200"),
    ({"clinician": "Dr \x07"}, "clinician",
     "the clinician's name contains the control character U+0007 (unnamed character); retype it"),
    ({"paper": "a3"}, "paper", "'a3' is not a paper size; use a4 or letter"),
    ({"email": "sam.example.com"}, "email",
     "'sam.example.com' is not an email address: An email address must have an @-sign."),
])
def test_bad_input_is_422_with_the_message_beside_its_field_and_the_values_kept(client, changes, field, message):
    response = make(client, **changes)
    assert response.status_code == 422
    form = page(response)
    error_id = f"{field}-error"
    assert form.by_id(error_id)["class"] == "error"
    assert message in form.words
    described = [a for tag, a in form.elements if error_id in a.get("aria-describedby", "").split()]
    assert described, f"no field points at {error_id}"
    assert form.all("div", role="alert") or form.all("div", **{"class": "summary", "role": "alert"})
    # What was typed is still there.
    values = {**GOOD, **changes}
    if values["patient"].strip():
        assert form.by_id("patient")["value"] == values["patient"]
    assert form.by_id("clinician")["value"] == values["clinician"]
    assert {a["value"] for a in form.all("input", name="procedures") if "checked" in a} == \
        set(values["procedures"]) & {a["value"] for a in form.all("input", name="procedures")}
    assert form.by_id("sessions-subcision")["value"] == values["sessions-subcision"]
    assert not Path("output").exists() or not list(Path("output").glob("*.pdf"))


def test_every_problem_at_once(client):
    response = make(client, patient="", procedures=["subcison"], date="2026-13-01", email="x")
    assert response.status_code == 422
    summary = page(response)
    assert {a["href"] for a in summary.all("a") if a.get("href", "").startswith("#")} >= {
        "#patient", "#procedure-dermabrasion", "#date", "#email"}


def test_forms_need_their_csrf_token(client):
    assert client.post("/", data=GOOD).status_code == 400
    refused = client.post("/", data={**GOOD, "csrf_token": "forged"})
    assert refused.status_code == 400 and "The form had expired" in page(refused).words
    for path in ("/", "/batch", "/history"):
        forms = page(client.get(path))
        assert len(forms.all("form")) == len(forms.all("input", name="csrf_token")) >= 1
    assert not list(Path().glob("output/*.pdf"))


def test_every_page_sends_the_security_headers(client):
    response = client.get("/")
    policy_ = response.headers["Content-Security-Policy"]
    assert "script-src 'self';" in policy_ and "unsafe-inline" not in policy_.split("style-src")[0]
    assert "frame-ancestors 'none'" in policy_
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cache-Control"] == "no-store"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert "<script>" not in response.get_data(as_text=True)  # scripts come from files only
    for path in ("/batch", "/history", "/content", "/nowhere"):
        assert "frame-ancestors 'none'" in client.get(path).headers["Content-Security-Policy"]


def test_a_request_naming_another_host_is_refused(client):
    refused = client.get("/", headers={"Host": "evil.example:8000"})
    assert refused.status_code == 400
    assert client.get("/", headers={"Host": "localhost:8000"}).status_code == 200
    # Answered (its cookie was set for localhost, so it is asked to sign in), not refused.
    assert client.get("/", headers={"Host": "[::1]:8000"}).headers["Location"] == "/login"


def test_missing_or_changed_leaflets_are_404_never_a_500(client):
    entry = made_entry(make(client))
    assert client.get("/leaflets/999").status_code == 404
    assert client.get("/leaflets/999.pdf").status_code == 404
    assert client.get("/leaflets/abc.pdf").status_code == 404
    Path("output/2026-11-21-sam-sample.pdf").write_bytes(b"changed")
    gone = client.get(f"/leaflets/{entry}.pdf")
    assert gone.status_code == 404
    assert "moved or changed since it was made" in page(gone).words
    assert client.post("/leaflets/1", data={"csrf_token": csrf(client)}).status_code == 405


def test_an_engine_problem_is_a_clear_page_not_a_500(folder):
    Path("output").write_text("a file where the folder should be")
    desk = Desk(Maker("content.toml", "templates"), Path("history.sqlite3"), output_dir=Path("output"))
    response = make(signed_in(create_app(desk), history="history.sqlite3"))
    assert response.status_code == 503
    assert "cannot write output/2026-11-21-sam-sample.pdf: output is a file, not a folder" in page(response).words


# -- Email from the preview ------------------------------------------------------------


def test_email_from_the_preview_goes_once_and_shows_in_the_history(client):
    entry = made_entry(make(client, email="sam@example.com"))
    shown = page(client.get(f"/leaflets/{entry}"))
    assert shown.by_id("email")["value"] == "sam@example.com"
    token = csrf(client)
    sent = client.post(f"/leaflets/{entry}/email", data={"csrf_token": token, "email": "sam@example.com"})
    assert sent.status_code == 200
    assert "Email: written to the outbox." in page(sent).words
    (eml,) = Path("output/outbox").glob("*.eml")
    message = message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert message["To"] == "sam@example.com"
    again = client.post(f"/leaflets/{entry}/email", data={"csrf_token": token, "email": "sam@example.com"})
    assert "Email: already written to the outbox for this address." in page(again).words
    bad = client.post(f"/leaflets/{entry}/email", data={"csrf_token": token, "email": "sam@"})
    assert bad.status_code == 422 and "Not sent: 'sam@' is not an email address" in page(bad).words
    history = page(client.get("/history"))
    assert "written to outbox" in history.words


# -- Batch -----------------------------------------------------------------------------


def upload(client, data: bytes, name="tomorrow.csv"):
    return client.post("/batch", data={"csrf_token": csrf(client, "/batch"), "patients": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def test_batch_lists_bad_rows_and_offers_the_print_file(client):
    rows = ("patient,procedures,date,appointment,colour\n"
            "Sam Sample,subcision,21/11/2026,03/12/2026 10:30,\n"
            "Ann Lee,subcission,21/11/2026,,\n"
            "Bob Ray,fillers,31/11/2026,,\n"
            "Cy Cole,fillers;counselling,21/11/2026,,\n")
    response = upload(client, rows.encode())
    assert response.status_code == 200, page(response).words
    result = page(response)
    assert "Made 2, already made 0, not made 2" in result.words
    assert "row 3: procedures: unknown procedure 'subcission'; did you mean 'subcision'?" in result.words
    assert f"row 4: date: '31/11/2026' is not a date: November 2026 has no day 31; write it as {GB}" in result.words
    assert ("Columns used: 'patient' → patient, 'procedures' → procedures, 'date' → date, 'appointment' → "
            "appointment; not used: 'colour'") in result.words
    (link,) = [a["href"] for a in result.all("a") if a.get("href", "").startswith("/print-files/")]
    assert re.fullmatch(r"/print-files/print-\d{4}-\d\d-\d\d-\d{6}\.pdf", link)
    printed = PdfReader(io.BytesIO(client.get(link).data))
    assert [item.title for item in printed.outline if not isinstance(item, list)] == ["Sam Sample", "Cy Cole"]
    again = page(upload(client, rows.encode()))
    assert "Made 0, already made 2, not made 2" in again.words


@pytest.mark.parametrize("data, name, message", [
    (b"", "empty.csv", "empty.csv: the file is empty; it needs a header row"),
    (b"%PDF-1.7 not a list", "list.pdf", "list.pdf: this is a PDF, not a CSV file; export the spreadsheet as CSV"),
    (b"who,what\nSam,subcision\n", "odd.csv", "odd.csv: the first row must be a header naming the columns"),
])
def test_batch_refuses_files_that_are_not_patient_lists(client, data, name, message):
    response = upload(client, data, name)
    assert response.status_code == 422
    assert message in page(response).words


def test_a_batch_upload_over_500_patients_is_refused_saying_what_to_do(client):
    rows = "".join(f"Patient {i},fillers,P{i}\n" for i in range(501))
    refused = upload(client, ("patient,procedures,patient_id\n" + rows).encode())
    assert refused.status_code == 422
    assert ("tomorrow.csv has 501 patients; the front desk makes at most 500 at once: split the list, or run "
            "'handouts batch' on the clinic's computer, which takes any number") in page(refused).words
    assert not list(Path("output").glob("*.pdf"))


def test_batch_without_a_file_and_print_files_by_name_only(client):
    response = client.post("/batch", data={"csrf_token": csrf(client, "/batch")})
    assert response.status_code == 422
    assert "Choose the patient list: a CSV file or an Excel workbook (.xlsx)." in page(response).words
    for name in ("..%2Fcontent.toml", "print-x.txt", "handouts-history.sqlite3", "print-2026.pdf"):
        assert client.get(f"/print-files/{name}").status_code == 404


# -- History, Content ----------------------------------------------------------------------


def test_history_searches_by_name_or_leaflet_date(client):
    made_entry(make(client))
    made_entry(make(client, patient="Ann 100% Lee", date="22/11/2026", appointment_date="", appointment_time=""))
    latest = page(client.get("/history"))
    assert "The latest leaflets" in latest.words
    assert latest.words.index("Ann 100% Lee") < latest.words.index("Sam Sample")  # newest first
    token = csrf(client, "/history")
    by_name = page(client.post("/history", data={"csrf_token": token, "patient": "100%"}))
    assert "1 leaflet found" in by_name.words and "Sam Sample" not in by_name.words
    by_date = page(client.post("/history", data={"csrf_token": token, "date": "21/11/2026"}))
    assert "1 leaflet found" in by_date.words and "Sam Sample" in by_date.words
    assert all("sam" not in a.get("href", "").lower() for a in by_date.all("a"))
    (download,) = [a["href"] for a in by_date.all("a") if a.get("href", "").endswith(".pdf")]
    assert client.get(download).mimetype == "application/pdf"
    wrong = client.post("/history", data={"csrf_token": token, "date": "21/13/2026"})
    assert wrong.status_code == 422
    assert f"'21/13/2026' is not a date: there is no month 13; write it as {GB}" in page(wrong).words


def test_content_shows_review_dates_reading_levels_and_contrast(client):
    response = client.get("/content")
    assert response.status_code == 200
    shown = page(response)
    assert "Content version 2.0, last reviewed 22 November 2026" in shown.words
    assert "Next review due 22 November 2028." in shown.words
    assert "procedure subcision" in shown.words and "leaflet.html.j2" in shown.words
    assert "text colour #1A1A1A on white paper (#FFFFFF) 17.4:1 passes" in shown.words
    assert "primary colour #1D5C63 on white paper (headings) (#FFFFFF) 7.6:1 passes" in shown.words


def test_edited_content_is_used_without_a_restart_and_broken_content_is_a_clear_page(client, folder):
    replace_in(Path("content.toml"), 'name = "Riverside Skin Clinic"', 'name = "Hillside Skin Clinic"')
    entry = made_entry(make(client))
    assert "Hillside Skin Clinic" in client.get(f"/leaflets/{entry}.html").get_data(as_text=True)
    token = csrf(client)
    replace_in(Path("content.toml"), 'primary = "#1D5C63"', 'primary = "#EEEEEE"')
    broken = client.post("/", data={**GOOD, "csrf_token": token})
    assert broken.status_code == 503
    assert "content.toml" in page(broken).words and "contrast" in page(broken).words


# -- The API ---------------------------------------------------------------------------------


def api(client, body, token=TOKEN, **kwargs):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    data = body if isinstance(body, (bytes, str)) else json.dumps(body)
    return client.post("/api/leaflets", data=data, headers=headers, content_type="application/json", **kwargs)


API_GOOD = {"patient": "Sam Sample", "procedures": ["subcision"], "scars": ["rolling"], "sessions": {"subcision": 3},
            "appointment": "2026-12-03 10:30", "clinician": "Dr Ana Silva", "date": "2026-11-21",
            "note": "See you soon.", "paper": "letter", "large_print": True}


def test_the_api_returns_the_pdf_and_records_it(api_client):
    response = api(api_client, API_GOOD)
    assert response.status_code == 201
    assert response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    text = flat("\n".join(p.extract_text() for p in reader.pages))
    assert "Prepared for Sam Sample" in text and "Large print version" in text and "Subcision 3" in text
    assert round(float(reader.pages[0].mediabox.width)) == 612  # US Letter
    assert re.fullmatch(r"/leaflets/\d+\.pdf", response.headers["Location"])
    assert [(p, Path(path).name) for p, path, _ in records()] == [("Sam Sample", "2026-11-21-sam-sample.pdf")]
    # The leaflet's address is for staff: the token makes leaflets, it does not browse them.
    assert api_client.get(response.headers["Location"]).headers["Location"] == "/login"
    staff = signed_in(api_client.application)
    assert staff.get(response.headers["Location"]).data == response.data
    with History("output/handouts-history.sqlite3") as history:
        assert history.entry(1).made_by == "api"


def test_the_api_emails_when_given_an_address(api_client):
    response = api(api_client, {"patient": "Sam", "procedures": ["fillers"], "email": "sam@example.com"})
    assert response.status_code == 201
    assert response.headers["X-Handouts-Email"] == "written to the outbox"
    assert len(list(Path("output/outbox").glob("*.eml"))) == 1
    assert records()[0][2] == "sam@example.com"


def test_the_api_needs_its_token(desk):
    off = create_app(desk).test_client()
    refused = api(off, API_GOOD)
    assert refused.status_code == 403 and "HANDOUTS_API_TOKEN" in refused.json["error"]
    api_client = create_app(desk, api_token=TOKEN).test_client()
    for token in (None, "wrong", TOKEN + "x"):
        response = api(api_client, API_GOOD, token=token)
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"] == 'Bearer realm="handouts"'
    basic = api_client.post("/api/leaflets", json=API_GOOD, headers={"Authorization": f"Basic {TOKEN}"})
    assert basic.status_code == 401
    assert not Path("output").exists()


@pytest.mark.parametrize("body, errors", [
    ({"patient": "Sam", "procedures": ["subcison"]}, {"procedures": "unknown procedure 'subcison'; did you mean "
                                                                    "'subcision'?"}),
    ({"patient": "", "procedures": []}, {
        "patient": "the patient's name is empty; type it as it should appear on the leaflet",
        "procedures": "choose at least one procedure, for example 'dermabrasion'"}),
    ({**API_GOOD, "sessions": {"filers": "2"}}, {"sessions": "unknown procedure 'filers'; did you mean 'fillers'?"}),
    ({**API_GOOD, "date": "21/13/2026"}, {"date": f"'21/13/2026' is not a date: there is no month 13; write it as "
                                                  f"{GB}"}),
    ({**API_GOOD, "email": "sam"}, {"email": "'sam' is not an email address: An email address must have an "
                                             "@-sign."}),
    ({**API_GOOD, "procedures": "subcision"}, {"procedures": 'should be a list of ids, such as ["subcision"]'}),
    ({**API_GOOD, "scars": [1]}, {"scars": 'should be a list of ids, such as ["rolling"]'}),
    ({**API_GOOD, "sessions": ["subcision=3"]}, {
        "sessions": 'should be an object of procedure ids and sessions, such as {"subcision": 3, "fillers": "2 to 3"}'}),
    ({**API_GOOD, "large_print": "yes"}, {"large_print": "should be true or false"}),
    ({**API_GOOD, "patient": 7}, {"patient": "should be text (a JSON string)"}),
    ({**API_GOOD, "colour": "red"}, {"colour": "unknown field; the fields are patient, procedures, scars, sessions, "
                                               "appointment, clinician, date, note, paper, large_print, email, language, "
                                               "bilingual"}),
    (["Sam"], {"request": 'the body must be a JSON object of fields, such as {"patient": "Sam Sample", "procedures": '
                          '["subcision"]}'}),
])
def test_bad_api_fields_are_422_with_the_clis_messages(api_client, body, errors):
    response = api(api_client, body)
    assert response.status_code == 422
    assert response.json == {"errors": errors}
    assert not Path("output").exists()


@pytest.mark.parametrize("body, status, error", [
    (b'{"patient": "Sam",', 400, "the body is not valid JSON: Expecting property name enclosed in double quotes"),
    (b"\xff\xfe", 400, "the body is not valid JSON"),
    (b"", 422, None),
    (b"x" * (MAX_BODY + 1), 413, "The request is over 5 MB; send a smaller file."),
])
def test_malformed_or_oversized_bodies(api_client, body, status, error):
    response = api(api_client, body)
    assert response.status_code == status
    assert response.is_json
    if error:
        assert response.json["error"].startswith(error)


def test_the_api_takes_post_only(api_client):
    response = api_client.get("/api/leaflets", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 405 and response.is_json
