"""Another web page cannot act through the front desk: every POST from elsewhere is refused, and changes nothing."""

from __future__ import annotations

import io
import sqlite3
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from handouts.deliver.delivery import SmtpSender, SmtpSettings
from handouts.make import Maker
from handouts.web import Desk, create_app
from test_email import Inbox, free_port
from test_web import GOOD, TOKEN, csrf, folder, made_entry, make, signed_in  # noqa: F401  (folder is a fixture)

EVIL = "https://evil.example"
# Every route that changes something, with a body that would do its work if it were let through.
POSTS = [
    ("/", GOOD),
    ("/leaflets/1/email", {"email": "thief@evil.example"}),
    ("/batch", {"patients": (b"patient,procedures\nSam Sample,fillers\n", "list.csv")}),
    ("/history", {"patient": "Sam"}),
    ("/login", {"password": "guess"}),
    ("/logout", {}),
]


@pytest.fixture
def inbox():
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield handler, controller.port
    controller.stop()


@pytest.fixture
def desk_and_client(folder, inbox):  # noqa: F811
    handler, port = inbox
    desk = Desk(Maker("content.toml", "templates"), Path("output/handouts-history.sqlite3"),
                transport=SmtpSender(SmtpSettings("127.0.0.1", port, retries=0, timeout=10)))
    return desk, create_app(desk, api_token=TOKEN)


def body(data: dict) -> dict:
    return {k: (io.BytesIO(v[0]), v[1]) if isinstance(v, tuple) else v for k, v in data.items()}


def state() -> tuple:
    """Everything a forged request could change: files in output/ and the history's rows."""
    files = sorted(str(p) for p in Path("output").rglob("*") if p.is_file() and "sqlite3" not in p.name)
    db = sqlite3.connect("output/handouts-history.sqlite3")
    rows = db.execute("SELECT * FROM leaflets").fetchall() + db.execute("SELECT * FROM messages").fetchall()
    return files, rows


@pytest.mark.parametrize("path, data", POSTS, ids=[p for p, _ in POSTS])
def test_a_post_with_no_session_and_an_empty_token_does_nothing(desk_and_client, inbox, path, data):
    desk, app = desk_and_client
    staff = signed_in(app)
    made_entry(make(staff, email="sam@example.com"))  # leaflet 1, with its address
    before = state()
    stranger = app.test_client()  # no cookie: another site's page sending the form
    for headers in ({}, {"Origin": EVIL}, {"Sec-Fetch-Site": "cross-site"}):
        refused = stranger.post(path, data={**body(data), "csrf_token": ""}, headers=headers,
                                content_type="multipart/form-data")
        assert refused.status_code in (400, 403), (headers, refused.status_code)
    assert state() == before
    assert inbox[0].messages == []


def test_a_cross_site_email_sends_nothing_and_keeps_the_recorded_address(desk_and_client, inbox):
    """The reported attack: a hostile page posts to /leaflets/1/email with an empty token and no cookie."""
    handler, _ = inbox
    desk, app = desk_and_client
    staff = signed_in(app)
    entry = made_entry(make(staff, email="sam@example.com"))
    forged = app.test_client().post(f"/leaflets/{entry}/email", data={"csrf_token": "", "email": "thief@evil.example"},
                                    headers={"Origin": EVIL, "Sec-Fetch-Site": "cross-site"})
    assert forged.status_code == 403
    assert "came from another web page, so nothing was done" in forged.get_data(as_text=True)
    assert handler.messages == []
    db = sqlite3.connect("output/handouts-history.sqlite3")
    assert db.execute("SELECT email FROM leaflets WHERE id = ?", (entry,)).fetchone() == ("sam@example.com",)
    # The same request from the desk's own page goes, to the server, once.
    sent = staff.post(f"/leaflets/{entry}/email", data={"csrf_token": csrf(staff), "email": "sam@example.com"},
                      headers={"Origin": "http://localhost", "Sec-Fetch-Site": "same-origin"})
    assert sent.status_code == 200, sent.get_data(as_text=True)
    assert handler.recipients == ["sam@example.com"]


@pytest.mark.parametrize("headers", [{"Origin": EVIL}, {"Origin": "null"}, {"Origin": "http://localhost:9999"},
                                     {"Sec-Fetch-Site": "cross-site"}, {"Sec-Fetch-Site": "same-site"}])
def test_even_a_signed_in_browser_with_its_token_is_refused_when_another_page_sent_the_form(desk_and_client,
                                                                                          headers):
    _, app = desk_and_client
    staff = signed_in(app)
    refused = staff.post("/", data={**GOOD, "csrf_token": csrf(staff)}, headers=headers)
    assert refused.status_code == 403
    assert not list(Path("output").glob("*.pdf"))


def test_the_api_refuses_a_browser_request_from_another_page(desk_and_client):
    _, app = desk_and_client
    client = app.test_client()
    refused = client.post("/api/leaflets", json={"patient": "Sam", "procedures": ["fillers"]},
                          headers={"Authorization": f"Bearer {TOKEN}", "Origin": EVIL})
    assert refused.status_code == 403
    assert refused.json == {"error": "This request came from another web page, so nothing was done. Open the front "
                                     "desk itself and try again there."}
    assert not list(Path("output").glob("*.pdf"))
