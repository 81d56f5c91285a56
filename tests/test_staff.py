"""Staff accounts: each person signs in as themselves, does what their role allows, and what they did is recorded."""

from __future__ import annotations

import csv
import getpass
import http.client
import io
import json
import sqlite3
import urllib.parse
from pathlib import Path

import pytest

from handouts.history import History
from handouts.make import Maker
from handouts.staff import Staff
from test_serve import PASSWORD, Server, clinic  # noqa: F401  (clinic is a fixture)
from test_web import TOKEN, add_staff, csrf, desk, folder, made_entry, make, page, sign_in, signed_in  # noqa: F401
from handouts.web import Desk, create_app

HISTORY = "output/handouts-history.sqlite3"


def test_staff_accounts_from_the_command_line(run):
    added = run("staff", "add", "Alice", "--role", "manager", input=PASSWORD + "\n")
    assert (added.exit_code, added.output) == (0, "Added alice (manager).\n")
    assert run("staff", "add", "bob", "--role", "desk", input="a second long phrase\n").exit_code == 0
    listed = run("staff", "list").output.splitlines()
    assert [line.split()[:2] for line in listed] == [["USERNAME", "ROLE"], ["alice", "manager"], ["bob", "desk"]]

    short = run("staff", "add", "carol", "--role", "desk", input="short\n")
    assert (short.exit_code, short.output) == (
        1, "Error: the password is 5 characters long; use at least 12 (a few unrelated words make a good one)\n")
    again = run("staff", "add", "alice", "--role", "desk", input=PASSWORD + "\n")
    assert again.output == ("Error: 'alice' is a staff account already; choose another username, or change its "
                            "password with 'handouts staff password alice'\n")
    bad_name = run("staff", "add", "Dr Who", "--role", "desk", input=PASSWORD + "\n")
    assert bad_name.output == ("Error: 'Dr Who' is not a username: use 1 to 32 letters a-z, digits, dots, dashes or "
                               "underscores, starting with a letter or digit\n")
    role = run("staff", "add", "carol", "--role", "boss", input=PASSWORD + "\n")
    assert role.exit_code == 2 and "Invalid value for '--role': 'boss' is not one of 'desk', 'manager'." in role.output
    missing = run("staff", "password", "nobody", input=PASSWORD + "\n")
    assert missing.output == "Error: there is no staff account 'nobody'; 'handouts staff list' shows them\n"

    stored = sqlite3.connect(HISTORY).execute("SELECT username, password_hash FROM staff").fetchall()
    assert [name for name, _ in stored] == ["alice", "bob"]
    assert all(hashed.startswith("$argon2id$") for _, hashed in stored)
    assert PASSWORD.encode() not in Path(HISTORY).read_bytes()

    assert run("staff", "password", "bob", input="a third long phrase\n").output == "Changed the password of bob.\n"
    with History(HISTORY) as history:
        assert Staff(history).verify("bob", "a third long phrase").username == "bob"
        assert Staff(history).verify("bob", "a second long phrase") is None
    assert run("staff", "remove", "bob").output == "Removed bob.\n"
    assert [line.split()[0] for line in run("staff", "list").output.splitlines()] == ["USERNAME", "alice"]


def test_roles_desk_staff_make_and_see_their_own_managers_see_everything(desk):  # noqa: F811
    app = create_app(desk)
    manager = signed_in(app, "maria", "manager")
    desk_staff = signed_in(app, "dan", "desk")
    mine = made_entry(make(desk_staff, patient="Dana Desk"))
    theirs = made_entry(make(manager, patient="Mary Manager"))

    for path in ("/batch", "/content"):
        refused = desk_staff.get(path)
        assert refused.status_code == 403 and "Only a manager can" in page(refused).words
        assert manager.get(path).status_code == 200
    nav = page(desk_staff.get("/"))
    assert [a["href"] for a in nav.all("a") if a["href"] in ("/batch", "/content")] == []
    assert desk_staff.get(f"/leaflets/{theirs}").status_code == 404  # as if it were not there
    assert desk_staff.get(f"/leaflets/{theirs}.pdf").status_code == 404
    assert desk_staff.get(f"/leaflets/{mine}.pdf").status_code == 200
    assert "Dana Desk" in page(desk_staff.get("/history")).words
    assert "Mary Manager" not in page(desk_staff.get("/history")).words
    everyone = page(manager.get("/history")).words
    assert "Dana Desk" in everyone and "Mary Manager" in everyone and "dan" in everyone and "maria" in everyone


def test_who_made_downloaded_printed_and_emailed_each_leaflet_is_recorded(run):
    staff = signed_in(create_app(Desk(Maker("content.toml", "templates"), Path(HISTORY))), "dan", "desk")
    entry = made_entry(make(staff, patient="Sam Sample"))
    assert staff.get(f"/leaflets/{entry}.pdf").status_code == 200
    assert staff.get(f"/leaflets/{entry}/print").status_code == 200
    assert staff.post(f"/leaflets/{entry}/email", data={"csrf_token": csrf(staff), "email": "sam@example.com"}
                      ).status_code == 200
    assert run("make", "-p", "Ann Lee", "--procedure", "fillers", "--date", "2026-11-21").exit_code == 0

    audited = run("audit", "--format", "json")
    assert audited.exit_code == 0, audited.output
    rows = json.loads(audited.output)
    done = [(row["who"], row["action"], row["patient"]) for row in rows if row["action"] != "signed in"]
    assert done == [("dan", "made", "Sam Sample"), ("dan", "made", "Sam Sample"),  # its PDF and its HTML
                    ("dan", "downloaded", "Sam Sample"), ("dan", "printed from the browser", "Sam Sample"),
                    ("dan", "email", "Sam Sample"), (getpass.getuser(), "made", "Ann Lee")]
    assert [row["detail"] for row in rows if row["action"] == "email"] == ["to sam@example.com: written to outbox"]
    assert ("dan", "signed in") in [(row["who"], row["action"]) for row in rows]
    only_sam = json.loads(run("audit", "--patient", "Sam", "--format", "json").output)
    assert {row["patient"] for row in only_sam} == {"Sam Sample"}
    table = run("audit").output.splitlines()
    assert table[0].split() == ["AT", "WHO", "ACTION", "LEAFLET", "PATIENT", "DETAIL"]
    spreadsheet = list(csv.DictReader(io.StringIO(run("audit", "--format", "csv").output)))
    assert [row["who"] for row in spreadsheet if row["action"] == "made"] == ["dan", "dan", getpass.getuser()]
    history = json.loads(run("history", "--format", "json").output)
    assert [row["made_by"] for row in history] == ["dan", "dan", getpass.getuser()]
    assert "MADE BY" in run("history").output.splitlines()[0]


def test_every_page_of_every_blueprint_sends_a_stranger_to_sign_in(desk):  # noqa: F811
    """The views live in several blueprints; signing in is checked once for the whole app, so a page added to
    any of them (or one that does not exist) is closed until somebody signs in. Only the sign-in page, the
    clinic's brand and the API (its own token) are open."""
    app = create_app(desk, api_token=TOKEN)
    stranger = app.test_client()
    opened, closed = [], []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods:
            continue  # POSTs without a session are refused earlier, by their form token (test_web_security)
        path = rule.rule.replace("<int:entry>", "1").replace("<name>", "print-x.pdf").replace("<path:filename>",
                                                                                              "style.css")
        response = stranger.get(path)
        (closed if response.headers.get("Location") == "/login" else opened).append(path)
    assert sorted(opened) == ["/brand.css", "/brand/logo", "/login", "/static/style.css"]
    assert {"/", "/batch", "/content", "/history", "/leaflets/1", "/leaflets/1.pdf", "/leaflets/1.html",
            "/leaflets/1/print", "/print-files/print-x.pdf"} == set(closed)
    assert stranger.get("/no-such-page").headers["Location"] == "/login"
    missing = stranger.get("/api/no-such-thing", headers={"Authorization": f"Bearer {TOKEN}"})
    assert missing.status_code == 404 and missing.is_json  # the API answers in JSON, never with a page


def test_signing_out_ends_the_session_for_good_even_for_a_copied_cookie(desk):  # noqa: F811
    app = create_app(desk)
    staff = signed_in(app, "dan", "desk")
    cookie = staff.get_cookie("handouts")
    thief = app.test_client()
    thief.set_cookie("handouts", cookie.value)
    assert thief.get("/history").status_code == 200  # a copied cookie works while the session lasts ...
    assert staff.post("/logout", data={"csrf_token": csrf(staff)}).status_code == 303
    assert thief.get("/history").headers["Location"] == "/login"  # ... and not once it is signed out
    assert staff.get("/history").headers["Location"] == "/login"


def test_sessions_end_after_a_quiet_quarter_of_an_hour_or_a_long_day(desk):  # noqa: F811
    clock = [1_000_000.0]
    desk.now = lambda: clock[0]
    app = create_app(desk)
    staff = signed_in(app, "dan", "desk")
    for _ in range(4):  # busy all morning: ten minutes between pages never ends it
        clock[0] += 10 * 60
        assert staff.get("/").status_code == 200
    clock[0] += 15 * 60 + 1
    assert staff.get("/").headers["Location"] == "/login"

    assert sign_in(staff, "dan").status_code == 303
    for _ in range(12 * 6 + 1):  # a page every ten minutes, for a little over twelve hours
        clock[0] += 10 * 60
        if staff.get("/").status_code != 200:
            break
    assert staff.get("/").headers["Location"] == "/login"
    assert clock[0] - 1_000_000.0 > 12 * 3600


def request_from(server: Server, source: str, method: str, path: str, body: dict | None = None,
                 cookie: str = "") -> http.client.HTTPResponse:
    """A request to the real server from the loopback address `source` (127.0.0.2 is another computer here)."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, source_address=(source, 0), timeout=30)
    headers = {"Cookie": cookie} if cookie else {}
    data = None
    if body is not None:
        data = urllib.parse.urlencode(body)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    connection.request(method, path, body=data, headers=headers)
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


def login_form(server: Server, source: str) -> tuple[str, str]:
    """The sign-in page's cookie and form token, as a browser at `source` gets them."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, source_address=(source, 0), timeout=30)
    connection.request("GET", "/login")
    response = connection.getresponse()
    html = response.read().decode()
    connection.close()
    token = html.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    return response.headers["Set-Cookie"].split(";", 1)[0], token


def test_forty_wrong_passwords_from_one_computer_do_not_stop_a_colleague_at_another(clinic):  # noqa: F811
    with History(clinic / HISTORY) as history:
        Staff(history).add("bob", "desk", "bobs own long pass phrase")
    server = Server(clinic)
    try:
        cookie, token = login_form(server, "127.0.0.1")
        statuses = [request_from(server, "127.0.0.1", "POST", "/login", {"csrf_token": token, "username": "manager",
                                                                         "password": f"guess {i}"}, cookie).status
                    for i in range(40)]
        assert statuses[0] == 401 and set(statuses[1:]) == {429}  # the guesser is slowed at once
        # The right password for that account is paused too, from anywhere, for a while ...
        cookie2, token2 = login_form(server, "127.0.0.2")
        paused = request_from(server, "127.0.0.2", "POST", "/login",
                              {"csrf_token": token2, "username": "manager", "password": PASSWORD}, cookie2)
        assert paused.status == 429
        # ... but a colleague with their own account at another computer signs in at once.
        colleague = request_from(server, "127.0.0.2", "POST", "/login",
                                 {"csrf_token": token2, "username": "bob", "password": "bobs own long pass phrase"},
                                 cookie2)
        assert (colleague.status, colleague.headers["Location"]) == (303, "/")
    finally:
        assert server.stop() == 0
    refused = [row for row in sqlite3.connect(clinic / HISTORY).execute(
        "SELECT who, action FROM audit WHERE action = 'sign-in refused'")]
    assert refused == [("manager", "sign-in refused")]  # the paused attempts were not even tried
