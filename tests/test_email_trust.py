"""Emailing under faults: a message goes out once or clearly waits, and never counts as sent when it was not.

Real parts only: aiosmtpd servers on 127.0.0.1 that drop, stall past a short time-out or lack
SMTPUTF8, an outbox that cannot be a folder, a tiny tmpfs that fills up,
and a batch process killed while a message is on its way.
"""

from __future__ import annotations

import asyncio
import math
import os
import random
import sqlite3
import string
import subprocess
import sys
import threading
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from conftest import ROOT
from handouts.history import History
from test_email import PATIENTS, Inbox, leaflet, smtp, write_patients  # noqa: F401  (smtp is a fixture)

HISTORY = Path("output/handouts-history.sqlite3")
NOT_SENT_YET = "'handouts send' tries again once the problem above is fixed."


def statuses() -> list[tuple[str, str]]:
    """(address, status) of every message recorded, oldest first."""
    with sqlite3.connect(HISTORY) as db:
        return db.execute("SELECT address, status FROM messages ORDER BY id").fetchall()


class Stalling(Inbox):
    """Stops at one stage (RCPT, or DATA once it holds the whole message) for one address until released.

    `reached` tells the test the server is there, so it never waits a fixed time.
    """

    def __init__(self, stage: str, address: str):
        super().__init__()
        self.stage, self.address = stage, address
        self.reached, self.release = threading.Event(), threading.Event()

    async def _stall(self):
        self.reached.set()
        await asyncio.get_running_loop().run_in_executor(None, self.release.wait)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.stage == "RCPT" and address == self.address:
            await self._stall()
        return await super().handle_RCPT(server, session, envelope, address, rcpt_options)

    async def handle_DATA(self, server, session, envelope):
        if self.stage == "DATA" and self.address in envelope.rcpt_tos:
            self.keep(envelope)
            await self._stall()
            return "250 Message accepted"
        return await super().handle_DATA(server, session, envelope)


class FailsFirstTry(Inbox):
    """Fails the first try before the message data: a 4xx to MAIL or RCPT, or a dropped connection."""

    def __init__(self, how: str):
        super().__init__()
        self.how, self.tries = how, 0

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        self.tries += 1
        if self.how == "451 to MAIL" and self.tries == 1:
            return "451 4.3.0 Try again later"
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.tries == 1 and self.how == "450 to RCPT":
            return "450 4.2.1 Mailbox busy, try again later"
        if self.tries == 1 and self.how == "dropped at RCPT":
            server.transport.close()
        return await super().handle_RCPT(server, session, envelope, address, rcpt_options)


@pytest.fixture
def stalling(smtp):
    """A server that stalls; released after the test so it can stop."""
    handlers = []

    def start(stage, address):
        handler, server = smtp(Stalling(stage, address))
        handlers.append(handler)
        return handler, server

    yield start
    for handler in handlers:
        handler.release.set()


# -- after the data: never again by itself -------------------------------------------


def test_a_server_that_drops_after_the_data_gets_the_message_once(run, smtp):
    dropping, server = smtp(Inbox(drop_after=0))
    result = run("make", "--patient", "Sam Sample", "--procedure", "subcision", "--date", "2026-11-21",
                 "--email", "sam@example.com", *server, "--retries", "2")
    assert result.exit_code == 1
    assert result.output.splitlines()[-2:] == [
        "2026-11-21-sam-sample.pdf: may have gone out (the whole message was handed to the server, which did not "
        "confirm it: Connection unexpectedly closed), so it is not sent again; use --resend if it did not arrive",
        "Emails: 0 sent, 0 already sent, 1 may have gone out, 0 failed."]
    assert dropping.recipients == ["sam@example.com"]
    assert statuses() == [("sam@example.com", "uncertain")]

    healthy, server = smtp()
    again = run("send", *server)
    assert again.exit_code == 0, again.output
    assert again.output.splitlines() == [
        "2026-11-21-sam-sample.pdf: may have gone out (the whole message was handed to the server, which did not "
        "confirm it: Connection unexpectedly closed), so it is not sent again; use --resend if it did not arrive",
        "Nothing to send: 1 may have gone out."]
    assert run("send", "--dry-run").output == "Dry run: 0 to send; nothing sent.\n"
    assert healthy.messages == []
    resent = run("send", "--resend", *server)
    assert resent.output.splitlines()[-1] == "Emails: 1 sent, 0 already sent, 0 failed."
    assert healthy.recipients == ["sam@example.com"]
    assert run("send", *server).output == "Nothing to send: 1 sent.\n"


def test_a_reply_to_the_data_that_times_out_is_not_retried(run, stalling, monkeypatch):
    slow, server = stalling("DATA", "sam@example.com")
    monkeypatch.setenv("HANDOUTS_SMTP_TIMEOUT", "2")
    result = run("make", "--patient", "Sam Sample", "--procedure", "subcision", "--date", "2026-11-21",
                 "--email", "sam@example.com", *server, "--retries", "2")
    assert result.exit_code == 1
    assert ("2026-11-21-sam-sample.pdf: may have gone out (the whole message was handed to the server, which did "
            "not confirm it: Connection unexpectedly closed: timed out), so it is not sent again; use --resend if it "
            "did not arrive") in result.output.splitlines()
    assert result.output.splitlines()[-1] == "Emails: 0 sent, 0 already sent, 1 may have gone out, 0 failed."
    assert slow.reached.is_set() and slow.recipients == ["sam@example.com"]
    assert statuses() == [("sam@example.com", "uncertain")]


@pytest.mark.parametrize("how", ["451 to MAIL", "450 to RCPT", "dropped at RCPT"])
def test_a_failure_before_the_data_is_retried(run, smtp, how):
    flaky, server = smtp(FailsFirstTry(how))
    result = run("make", "--patient", "Sam", "--procedure", "fillers", "--email", "sam@example.com", *server,
                 "--retries", "1")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "Emails: 1 sent, 0 already sent, 0 failed."
    assert flaky.tries == 2 and flaky.recipients == ["sam@example.com"]
    assert statuses() == [("sam@example.com", "sent")]


# -- the outbox: written is not sent, and a failed write is never lost ----------------


def test_the_outbox_holds_drafts_that_are_never_counted_as_sent(run, smtp):
    write_patients([PATIENTS[0], "José Müller,fractional-laser,P3,josé@example.com,"])
    result = run("batch", "patients.csv", "--email")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "Emails: 2 written to output/outbox, 0 already sent, 0 failed."
    raw = leaflet_eml("*-p3.eml").read_bytes()
    assert raw.startswith(b"X-Unsent: 1\r\n")  # mail programs open it as a draft, ready to send
    (to,) = [line for line in raw.split(b"\r\n") if line.startswith(b"To:")]
    assert to == "To: josé@example.com".encode()  # UTF-8 as typed, no encoded word inside the address
    message = message_from_bytes(raw, policy=policy.default)
    assert message["X-Unsent"] == "1" and message["To"] == "josé@example.com"
    assert message_from_bytes(leaflet_eml("*-p1.eml").read_bytes(), policy=policy.default)["X-Unsent"] == "1"
    assert statuses() == [("sam@example.com", "outbox"), ("josé@example.com", "outbox")]

    again = run("batch", "patients.csv", "--email")
    assert again.output.splitlines()[-1] == ("Emails: 0 written to output/outbox, 0 already sent, 2 already in an "
                                             "outbox, 0 failed.")
    inbox, server = smtp()
    assert run("send", *server).output == "Nothing to send: 2 written to an outbox.\n"
    assert inbox.messages == []


def leaflet_eml(pattern: str) -> Path:
    (path,) = Path("output/outbox").glob(pattern)
    return path


def test_an_outbox_that_cannot_be_written_keeps_every_message_waiting(run):
    write_patients(PATIENTS)
    Path("blocked").write_text("a file where the outbox folder should be\n", encoding="utf-8")
    result = run("batch", "patients.csv", "--email", "--outbox", "blocked/outbox")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    name = leaflet("*-p1.pdf").stem
    assert (f"row 2: not written to the outbox: cannot write {Path('blocked/outbox', name + '.eml')}: blocked is a "
            "file, not a folder") in lines
    assert lines[-2:] == [f"Emails: 0 written to {Path('blocked/outbox')}, 0 already sent, 3 failed.",
                          f"3 not written to the outbox yet; {NOT_SENT_YET}"]
    assert "Traceback" not in result.output
    assert [status for _, status in statuses()] == ["failed"] * 3
    assert run("send", "--dry-run").output.splitlines()[-1] == "Dry run: 3 to send; nothing sent."

    Path("blocked").unlink()
    again = run("send", "--outbox", "blocked/outbox")
    assert again.exit_code == 0, again.output
    assert again.output.splitlines()[-1] == f"Emails: 3 written to {Path('blocked/outbox')}, 0 already sent, 0 failed."
    assert len(list(Path("blocked/outbox").glob("*.eml"))) == 3
    assert run("send").output == "Nothing to send: 3 written to an outbox.\n"


@pytest.fixture
def small_disk(tmp_path):
    """A real tmpfs to fill up, mounted for the test: mount(size) makes it, resize(size) grows it."""
    folder = tmp_path / "small-disk"
    folder.mkdir()
    mounted = []

    def mount(kib: int, *options: str) -> Path:
        try:
            done = subprocess.run(["mount", "-t", "tmpfs", "-o", ",".join([*options, f"size={kib}k"]), "tmpfs",
                                   str(folder)], capture_output=True, text=True)
        except FileNotFoundError:
            pytest.skip("no mount command here, so no small file system to fill up")
        if done.returncode != 0:
            pytest.skip(f"cannot mount a small tmpfs here to fill up ({done.stderr.strip() or 'not allowed'})")
        mounted[:] = [folder]
        return folder

    yield mount
    if mounted:
        subprocess.run(["umount", str(folder)], check=True)


def test_a_full_disk_fails_one_message_and_the_next_send_writes_it(run, small_disk):
    # A leaflet whose note barely compresses, so its message is far bigger than the others.
    random.seed(10)
    note = " ".join("".join(random.choices(string.ascii_letters, k=8)) for _ in range(5_500))
    Path("patients.csv").write_text(
        "patient,procedures,patient_id,email,note\n"
        f"Bo Big,fillers,P1,bo@example.com,{note}\n"
        "Sam Sample,subcision,P2,sam@example.com,\n", encoding="utf-8")
    assert run("batch", "patients.csv").exit_code == 0  # the leaflets; the addresses are recorded
    big, small = leaflet("*-p1.pdf").stat().st_size, leaflet("*-p2.pdf").stat().st_size
    # Room for the small message (base64 is 4/3 of the PDF, plus the message text), never for the big one.
    room = math.ceil((small * 4 / 3 * 1.05 + 40_000) / 1024)
    assert big * 4 / 3 > room * 1024 * 1.2, "the big leaflet no longer overflows the small disk; lengthen its note"
    outbox = small_disk(room) / "outbox"

    result = run("send", "--outbox", str(outbox))
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert (f"{leaflet('*-p1.pdf').name}: not written to the outbox: cannot write "
            f"{outbox / leaflet('*-p1.pdf').with_suffix('.eml').name}: No space left on device") in lines
    assert lines[-2:] == [f"Emails: 1 written to {outbox}, 0 already sent, 1 failed.",
                          f"1 not written to the outbox yet; {NOT_SENT_YET}"]
    assert [path.name for path in outbox.iterdir()] == [leaflet("*-p2.pdf").with_suffix(".eml").name]
    assert statuses() == [("bo@example.com", "failed"), ("sam@example.com", "outbox")]

    small_disk(room * 4, "remount")
    again = run("send", "--outbox", str(outbox))
    assert again.exit_code == 0, again.output
    assert again.output.splitlines()[-1] == f"Emails: 1 written to {outbox}, 0 already sent, 0 failed."
    assert sorted(path.suffix for path in outbox.iterdir()) == [".eml", ".eml"]


# -- addresses with non-ASCII letters -------------------------------------------------


def test_a_unicode_address_waits_for_a_server_that_takes_it(run, smtp):
    write_patients([PATIENTS[0], "José Müller,fractional-laser,P3,josé@example.com,", PATIENTS[1]])
    plain, server = smtp(enable_SMTPUTF8=False)
    result = run("batch", "patients.csv", "--email", *server)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert (f"row 3: not sent: the mail server 127.0.0.1:{server[3]} does not accept addresses with non-ASCII "
            "letters (it does not offer SMTPUTF8); send it through one that does") in lines
    assert lines[-2:] == ["Emails: 2 sent, 0 already sent, 1 failed.", f"1 not sent yet; {NOT_SENT_YET}"]
    assert "Traceback" not in result.output
    assert plain.recipients == ["sam@example.com", "ann@example.com"]

    modern, server = smtp(enable_SMTPUTF8=True)
    again = run("send", *server)
    assert again.exit_code == 0, again.output
    assert again.output.splitlines()[-1] == "Emails: 1 sent, 0 already sent, 0 failed."
    (((to,), message),) = modern.messages
    assert to == "josé@example.com" and message["To"] == "josé@example.com"
    assert message.get("X-Unsent") is None


# -- runs that stop, and runs at the same time ----------------------------------------


@pytest.mark.parametrize("stage", ["RCPT", "DATA"])
def test_a_batch_killed_while_emailing_leaves_nothing_stuck(run, smtp, stalling, stage):
    """Killed while Ann's message waits at RCPT (nothing of it sent) or after its data (it may have gone)."""
    write_patients(PATIENTS)
    first, server = stalling(stage, "ann@example.com")
    env = dict(os.environ, PYTHONPATH=str(ROOT))  # `run` has cleared any HANDOUTS_ settings
    process = subprocess.Popen([sys.executable, str(ROOT / "cli.py"), "batch", "patients.csv", "--jobs", "1", "-q",
                                "--email", *server], cwd=Path.cwd(), env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert first.reached.wait(timeout=120), "the batch never reached the server"
    finally:
        process.kill()
        process.wait()
    first.release.set()
    assert first.recipients == (["sam@example.com"] if stage == "RCPT" else ["sam@example.com", "ann@example.com"])

    second, server = smtp()
    result = run("batch", "patients.csv", "--email", *server)
    assert result.exit_code == 0, result.output
    if stage == "RCPT":  # nothing of it left: it simply waited for this run
        assert result.output.splitlines()[-1] == "Emails: 2 sent, 1 already sent, 0 failed."
        assert second.recipients == ["ann@example.com", "jose@example.com"]
    else:
        assert ("row 3: may have gone out (a run stopped while handing it over), so it is not sent again; use "
                "--resend if it did not arrive") in result.output.splitlines()
        assert result.output.splitlines()[-1] == "Emails: 1 sent, 1 already sent, 1 may have gone out, 0 failed."
        assert second.recipients == ["jose@example.com"]
    with History(HISTORY) as history:
        latest = {entry.email: message.status for entry, message in history.addressed()}
    assert latest == {"sam@example.com": "sent", "ann@example.com": "sent" if stage == "RCPT" else "uncertain",
                      "jose@example.com": "sent"}
    assert not {status for _, status in statuses()} & {"trying", "sending"}


def test_a_second_run_does_not_email_while_another_is(run, smtp):
    write_patients(PATIENTS[:1])
    assert run("batch", "patients.csv").exit_code == 0
    inbox, server = smtp()
    with History(HISTORY) as other, other.emailing():
        result = run("send", *server)
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"Error: another handouts run is emailing from {HISTORY}; run this again once it has finished",
        "Emails: 0 sent, 0 already sent, 0 failed, 1 not tried.",
        f"1 not sent yet; {NOT_SENT_YET}"]
    assert inbox.messages == []
    assert run("send", *server).exit_code == 0
    assert inbox.recipients == ["sam@example.com"]


OLD_MESSAGES_TABLE = """
CREATE TABLE messages (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    address TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    encrypted INTEGER NOT NULL,
    message_id TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('sending', 'sent', 'outbox', 'failed')),
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX messages_leaflet ON messages (sha256, address);
"""


def test_a_history_from_before_uncertain_messages_is_upgraded(run, smtp):
    write_patients(PATIENTS)
    assert run("batch", "patients.csv").exit_code == 0
    with sqlite3.connect(HISTORY) as db:
        db.executescript("DROP TABLE messages;" + OLD_MESSAGES_TABLE)
        sam, ann, _ = db.execute("SELECT sha256, email FROM leaflets ORDER BY id").fetchall()
        for (sha256, address), status in ((sam, "sent"), (ann, "sending")):  # Ann's: a crash mid-send
            db.execute("INSERT INTO messages (at, address, sha256, encrypted, message_id, status) "
                       "VALUES ('2026-01-01', ?, ?, 0, '<old@example>', ?)", (address, sha256, status))
    inbox, server = smtp()
    result = run("send", *server)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"{leaflet('*-p2.pdf').name}: may have gone out (a run stopped while handing it over), so it is not sent "
        "again; use --resend if it did not arrive",
        "Emails: 1 sent, 0 already sent, 1 may have gone out, 0 failed."]
    assert inbox.recipients == ["jose@example.com"]
    assert statuses() == [("sam@example.com", "sent"), ("ann@example.com", "uncertain"),
                          ("jose@example.com", "sent")]
    with sqlite3.connect(HISTORY) as db:
        assert db.execute("SELECT name FROM sqlite_master WHERE tbl_name = 'messages' AND type = 'index'"
                          ).fetchall() == [("messages_leaflet",)]
