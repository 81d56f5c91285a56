"""`handouts history` as staff read it: local times, the leaflet's date, what became of its email."""

import json
import time
from pathlib import Path

import pytest

from test_email import Inbox, smtp  # noqa: F401  (a real SMTP server on loopback)


@pytest.fixture
def kolkata(monkeypatch):
    """A time zone 5 h 30 min from UTC all year round, so local times cannot pass for UTC."""
    monkeypatch.setenv("TZ", "Asia/Kolkata")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_history_shows_local_times_leaflet_dates_and_email_status(run, smtp, kolkata):  # noqa: F811
    inbox, server = smtp(Inbox(reject={"bo@example.com"}))
    assert run("make", "-p", "Ann Lee", "--procedure", "fillers", "--date", "2026-11-21").exit_code == 0
    assert run("make", "-p", "Sam Sample", "--procedure", "fillers", "--date", "2026-11-22",
               "--email", "sam@example.com").exit_code == 0
    assert run("make", "-p", "Jo Sample", "--procedure", "fillers", "--date", "2026-11-22",
               "--email", "jo@example.com", *server).exit_code == 0
    assert run("make", "-p", "Bo Berg", "--procedure", "fillers", "--date", "2026-11-22",
               "--email", "bo@example.com", *server).exit_code == 1
    Path("patients.csv").write_text("patient,procedures,date,email\nCy Cole,fillers,2026-11-23,cy@example.com\n",
                                    encoding="utf-8")
    assert run("batch", "patients.csv").exit_code == 0  # an address recorded, nothing sent

    rows = json.loads(run("history", "--format", "json").output)
    assert [(r["patient"], r["leaflet_date"], r["email_status"]) for r in rows] == [
        ("Ann Lee", "2026-11-21", ""),
        ("Sam Sample", "2026-11-22", "written to outbox"),
        ("Jo Sample", "2026-11-22", "sent"),
        ("Bo Berg", "2026-11-22", "failed"),
        ("Cy Cole", "2026-11-23", "not sent yet"),
    ]
    assert all(r["made_at"].endswith("+05:30") for r in rows)

    table = run("history", "--leaflet-date", "2026-11-22").output.splitlines()
    assert table[0].split() == ["MADE", "AT", "PATIENT", "PATIENT", "ID", "LEAFLET", "DATE", "PROCEDURES",
                                "CONTENT", "VERSION", "EMAIL", "MADE", "BY", "PATH"]
    assert len(table) == 4
    assert table[2].startswith(rows[2]["made_at"][:16].replace("T", " ") + "  Jo Sample")  # local, to the minute
    assert "  2026-11-22  " in table[2] and "  sent  " in table[2]
    assert "written to outbox" in table[1] and "failed" in table[3]

    csv_lines = run("history", "--patient", "Cy", "--format", "csv").output.splitlines()
    assert csv_lines[0].endswith(",email,email_status")
    assert csv_lines[1].endswith(",cy@example.com,not sent yet")
