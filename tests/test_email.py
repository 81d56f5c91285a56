"""Emailing leaflets: the .eml outbox, and a real SMTP server on 127.0.0.1 (aiosmtpd)."""

from __future__ import annotations

import io
import socket
import ssl
from email import message_from_bytes, policy
from pathlib import Path

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from pypdf import PdfReader
from pypdf.errors import FileNotDecryptedError

from conftest import flat
from handouts.history import History

CLINIC = "Riverside Skin Clinic"
SUBJECT = f"Your leaflet from {CLINIC}"


class Inbox:
    """An aiosmtpd handler that keeps what it accepts and misbehaves on request."""

    def __init__(self, reject=(), drop_after=None, busy_first=0):
        self.messages = []
        self.reject = set(reject)
        # Accept this many messages; then take each whole message and drop the connection without answering.
        self.drop_after = drop_after
        self.busy_first = busy_first  # answer this many DATA commands with a temporary 451

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.reject:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.busy_first:
            self.busy_first -= 1
            return "451 4.3.0 Busy, try again later"
        dropping = self.drop_after is not None and len(self.messages) >= self.drop_after
        self.keep(envelope)
        if dropping:
            server.transport.close()
        return "250 Message accepted"

    def keep(self, envelope):
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content, policy=policy.default)))

    @property
    def recipients(self) -> list[str]:
        return [to for tos, _ in self.messages for to in tos]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp():
    """Start real SMTP servers on loopback; stop them after the test."""
    started = []

    def start(handler=None, **kwargs):
        handler = handler or Inbox()
        controller = Controller(handler, hostname="127.0.0.1", port=free_port(), **kwargs)
        controller.start()
        started.append(controller)
        return handler, ["--smtp-host", "127.0.0.1", "--smtp-port", str(controller.port)]

    yield start
    for controller in started:
        controller.stop()


def write_patients(rows: list[str], header="patient,procedures,patient_id,email,dob") -> None:
    Path("patients.csv").write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")


PATIENTS = [
    "Sam Sample,subcision,P1,sam@example.com,1990-03-05",
    "Ann Lee,fillers,P2,ann@example.com,1985-12-24",
    "José Müller,fractional-laser,P3,jose@example.com,2001-07-09",
]


def attachment(message) -> bytes:
    (part,) = [p for p in message.iter_attachments() if p.get_content_type() == "application/pdf"]
    return part.get_content()


def leaflet(pattern: str) -> Path:
    (path,) = Path("output").glob(pattern)
    return path


# -- the outbox: no server needed ----------------------------------------------


def test_make_email_writes_a_standard_eml_to_the_outbox(run):
    result = run("make", "--patient", "Sam Sample", "--procedure", "subcision", "--date", "2026-11-21",
                 "--email", "sam@example.com")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [str(Path("output/2026-11-21-sam-sample.pdf")),
                                          "Emails: 1 written to output/outbox, 0 already sent, 0 failed."]
    (eml,) = Path("output/outbox").glob("*.eml")
    message = message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert message["To"] == "sam@example.com"
    (sender,) = message["From"].addresses
    assert (sender.display_name, sender.addr_spec) == (CLINIC, "hello@riverside-skin.example")
    assert message["Subject"] == SUBJECT
    assert message["Date"].datetime is not None
    assert message["Message-ID"].endswith("@riverside-skin.example>")
    assert attachment(message) == Path("output/2026-11-21-sam-sample.pdf").read_bytes()
    (pdf_part,) = message.iter_attachments()
    assert pdf_part.get_filename() == "2026-11-21-sam-sample.pdf"
    text = message.get_body(("plain",)).get_content()
    assert text.startswith("Dear Sam Sample,")
    assert "01234 567 890" in text
    html = message.get_body(("html",)).get_content()
    assert "Dear Sam Sample," in html


def test_patient_text_cannot_become_html_or_headers_in_the_message(run):
    result = run("make", "--patient", "<script>x</script> Bcc: evil@example.com", "--procedure", "fillers",
                 "--email", "sam@example.com")
    assert result.exit_code == 0, result.output
    (eml,) = Path("output/outbox").glob("*.eml")
    message = message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert message["Bcc"] is None and message["Subject"] == SUBJECT
    html = message.get_body(("html",)).get_content()
    assert "<script>" not in html and "&lt;script&gt;x&lt;/script&gt;" in html


@pytest.mark.parametrize("address, problem", [
    ("sam@example.com\r\nBcc: evil@example.com", "must be one plain address such as sam@example.com"),
    ("Sam <sam@example.com>", "must be one plain address such as sam@example.com"),
    ("sam@example.com, ann@example.com", "must be one plain address such as sam@example.com"),
    ("sam.example.com", "is not an email address: An email address must have an @-sign."),
])
def test_bad_addresses_are_refused_before_anything_is_made(run, address, problem):
    result = run("make", "--patient", "Sam", "--procedure", "fillers", "--email", address)
    assert result.exit_code == 2
    shown = address.replace("\r", "?").replace("\n", "?")
    assert result.output.endswith(f"Error: Invalid value for '--email': '{shown}' {problem}\n")
    assert not list(Path("output").glob("*.pdf"))


def test_batch_reports_bad_address_rows_and_serves_the_others(run):
    write_patients([PATIENTS[0], 'Ann Lee,fillers,P2,"ann@example.com\r\nBcc: x@example.com",',
                    "Bo,fillers,P4,not-an-address,"])
    result = run("batch", "patients.csv", "--email")
    assert result.exit_code == 1
    assert "row 3: email: 'ann@example.com??Bcc: x@example.com' must be one plain address such as " \
           "sam@example.com" in result.output
    assert "row 4: email: 'not-an-address' is not an email address: An email address must have an @-sign." \
        in result.output
    assert "Emails: 1 written to output/outbox, 0 already sent, 0 failed." in result.output
    assert len(list(Path("output/outbox").glob("*.eml"))) == 1


def test_a_row_without_an_address_is_made_and_not_emailed(run):
    write_patients([PATIENTS[0], "Ann Lee,fillers,P2,,"])
    result = run("batch", "patients.csv", "--email")
    assert result.exit_code == 0, result.output
    assert "Warning: row 3: no email address; the leaflet is made but not emailed" in result.output
    assert "Written 2, skipped 0, failed 0" in result.output
    assert "Emails: 1 written to output/outbox" in result.output


# -- a real SMTP server ---------------------------------------------------------


def test_batch_reaches_the_server_once_per_patient(run, smtp):
    inbox, server = smtp()
    write_patients(PATIENTS)
    result = run("batch", "patients.csv", "--email", *server)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "Emails: 3 sent, 0 already sent, 0 failed."
    assert inbox.recipients == ["sam@example.com", "ann@example.com", "jose@example.com"]
    for (to,), message in inbox.messages:
        assert message["Subject"] == SUBJECT
        name = to.split("@")[0]
        assert attachment(message) == leaflet(f"*-p{'123'['saj'.index(name[0])]}.pdf").read_bytes()
    again = run("batch", "patients.csv", "--email", *server)
    assert again.exit_code == 0
    assert again.output.splitlines()[-1] == "Emails: 0 sent, 3 already sent, 0 failed."
    assert len(inbox.messages) == 3
    resent = run("batch", "patients.csv", "--email", "--resend", *server)
    assert resent.output.splitlines()[-1] == "Emails: 3 sent, 0 already sent, 0 failed."
    assert len(inbox.messages) == 6


def test_encrypted_attachment_opens_with_the_date_of_birth_only(run, smtp):
    inbox, server = smtp()
    write_patients([PATIENTS[0], "Ann Lee,fillers,P2,ann@example.com,"],
                   header="patient,procedures,patient_id,email,dob,pdf_password")
    Path("patients.csv").write_text(
        "patient,procedures,patient_id,email,dob,pdf_password\n"
        "Sam Sample,subcision,P1,sam@example.com,1990-03-05,\n"
        "Ann Lee,fillers,P2,ann@example.com,,kettle-42\n", encoding="utf-8")
    result = run("batch", "patients.csv", "--email", "--encrypt", *server)
    assert result.exit_code == 0, result.output
    sam, ann = (message for _, message in inbox.messages)
    for message, password in ((sam, "05031990"), (ann, "kettle-42")):
        reader = PdfReader(io.BytesIO(attachment(message)))
        assert reader.is_encrypted
        with pytest.raises(FileNotDecryptedError):
            reader.pages[0].extract_text()
        assert not reader.decrypt("wrong-password")
        assert reader.decrypt(password)
        encryption = reader.trailer["/Encrypt"].get_object()
        assert (encryption["/V"], encryption["/CF"]["/StdCF"]["/CFM"]) == (5, "/AESV3")  # AES-256
        bodies = message.get_body(("plain",)).get_content() + message.get_body(("html",)).get_content()
        assert password not in bodies and "protected with a password" in bodies
    assert "Prepared for Sam Sample" in flat(PdfReader(io.BytesIO(attachment(sam)), password="05031990")
                                             .pages[0].extract_text())
    assert "date of birth written as 8 numbers" in sam.get_body(("plain",)).get_content()
    assert "the password we agreed with you" in ann.get_body(("plain",)).get_content()
    # The leaflet kept for printing is not encrypted.
    assert not PdfReader(leaflet("*-p1.pdf")).is_encrypted


def test_encrypt_needs_a_password_source_per_row(run):
    write_patients(["Sam Sample,subcision,P1,sam@example.com,", "Ann,fillers,P2,ann@example.com,31/02/1985"])
    result = run("batch", "patients.csv", "--email", "--encrypt")
    assert result.exit_code == 1
    assert "row 2: pdf_password: --encrypt needs a pdf_password or dob (date of birth, YYYY-MM-DD)" in result.output
    assert ("row 3: dob: '31/02/1985' is not a date: February 1985 has no day 31; write the date of birth as "
            "YYYY-MM-DD or DD/MM/YYYY, for example 2026-12-03 or 03/12/2026") in result.output
    assert not Path("output/outbox").exists()


@pytest.fixture
def tls(monkeypatch, tmp_path):
    """A certificate authority the test makes, trusted through SSL_CERT_FILE."""
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(server_context)
    ca.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "ca.pem"))
    return server_context


def authenticator(server, session, envelope, mechanism, auth_data):
    good = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (b"clinic",
                                                                                             b"s3cret-pass")
    return AuthResult(success=good, handled=False)


def test_starttls_with_login(run, smtp, tls, monkeypatch):
    inbox, server = smtp(tls_context=tls, require_starttls=True, authenticator=authenticator,
                         auth_required=True, auth_require_tls=True)
    monkeypatch.setenv("HANDOUTS_SMTP_PASSWORD", "s3cret-pass")
    result = run("make", "--patient", "Sam Sample", "--procedure", "subcision", "--email", "sam@example.com",
                 *server, "--starttls", "--smtp-user", "clinic")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "Emails: 1 sent, 0 already sent, 0 failed."
    assert inbox.recipients == ["sam@example.com"]
    assert "s3cret-pass" not in result.output


def test_wrong_password_is_a_clear_error(run, smtp, tls, monkeypatch):
    inbox, server = smtp(tls_context=tls, require_starttls=True, authenticator=authenticator,
                         auth_required=True, auth_require_tls=True)
    monkeypatch.setenv("HANDOUTS_SMTP_PASSWORD", "guess")
    result = run("make", "--patient", "Sam Sample", "--procedure", "subcision", "--email", "sam@example.com",
                 *server, "--starttls", "--smtp-user", "clinic")
    assert result.exit_code == 1
    assert (f"Error: the mail server 127.0.0.1:{server[3]} refused the user name or password (535 5.7.8 "
            "Authentication credentials invalid); check --smtp-user and HANDOUTS_SMTP_PASSWORD") in result.output
    assert result.output.splitlines()[-2:] == [
        "Emails: 0 sent, 0 already sent, 0 failed, 1 not tried.",
        "1 not sent yet; 'handouts send' tries again once the problem above is fixed."]
    assert "guess" not in result.output and inbox.messages == []


def test_an_untrusted_certificate_is_refused(run, smtp, tls, monkeypatch):
    inbox, server = smtp(tls_context=tls, require_starttls=True)
    monkeypatch.delenv("SSL_CERT_FILE")
    result = run("make", "--patient", "Sam", "--procedure", "subcision", "--email", "sam@example.com",
                 *server, "--starttls")
    assert result.exit_code == 1
    assert f"Error: secure connection to 127.0.0.1:{server[3]} failed: CERTIFICATE_VERIFY_FAILED" in result.output
    assert inbox.messages == []


def test_the_password_is_never_an_option(run):
    result = run("send", "--smtp-password", "x")
    assert result.exit_code == 2
    assert "Error: No such option '--smtp-password'." in result.output


def test_login_without_a_password_says_where_to_put_it(run, smtp):
    _, server = smtp()
    result = run("make", "--patient", "Sam", "--procedure", "fillers", "--email", "sam@example.com",
                 *server, "--smtp-user", "clinic")
    assert result.exit_code == 2
    assert result.output.endswith("Error: --smtp-user needs a password: set HANDOUTS_SMTP_PASSWORD, or run in a "
                                  "terminal to be asked for it.\n")


def test_connection_refused(run):
    port = free_port()
    result = run("make", "--patient", "Sam", "--procedure", "fillers", "--email", "sam@example.com",
                 "--smtp-host", "127.0.0.1", "--smtp-port", str(port), "--retries", "0")
    assert result.exit_code == 1
    assert (f"Error: cannot connect to the mail server 127.0.0.1:{port}: Connection refused; check --smtp-host "
            "and --smtp-port") in result.output
    # The leaflet is made and recorded; `send` delivers it once a server answers.
    assert Path("output").glob("*.pdf")
    listed = run("send", "--dry-run")
    assert listed.output.splitlines()[-1] == "Dry run: 1 to send; nothing sent."


def test_one_rejected_recipient_does_not_stop_the_others(run, smtp):
    inbox, server = smtp(Inbox(reject={"ann@example.com"}))
    write_patients(PATIENTS)
    result = run("batch", "patients.csv", "--email", *server)
    assert result.exit_code == 1
    assert ("row 3: not sent: the server refused the address (550 5.1.1 No such user here)"
            in result.output.splitlines())
    assert result.output.splitlines()[-2:] == [
        "Emails: 2 sent, 0 already sent, 1 failed.",
        "1 not sent yet; 'handouts send' tries again once the problem above is fixed."]
    assert inbox.recipients == ["sam@example.com", "jose@example.com"]


def test_a_temporary_failure_is_retried(run, smtp):
    inbox, server = smtp(Inbox(busy_first=1))
    result = run("make", "--patient", "Sam", "--procedure", "fillers", "--email", "sam@example.com",
                 *server, "--retries", "1")
    assert result.exit_code == 0, result.output
    assert inbox.recipients == ["sam@example.com"]


def test_a_server_that_takes_messages_without_answering_gets_each_once(run, smtp):
    rows = PATIENTS + ["Bo Berg,fillers,P4,bo@example.com,", "Cy Cole,fillers,P5,cy@example.com,"]
    write_patients(rows)
    failing, server = smtp(Inbox(drop_after=2))
    result = run("batch", "patients.csv", "--email", *server, "--retries", "2")
    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == "Emails: 2 sent, 0 already sent, 3 may have gone out, 0 failed."
    assert ("row 4: may have gone out (the whole message was handed to the server, which did not confirm it: "
            "Connection unexpectedly closed), so it is not sent again; use --resend if it did not arrive"
            in result.output.splitlines())
    assert failing.recipients == [row.split(",")[3] for row in rows]  # each exactly once

    healthy, server = smtp()
    again = run("batch", "patients.csv", "--email", *server)
    assert again.exit_code == 0, again.output
    assert again.output.splitlines()[-1] == "Emails: 0 sent, 2 already sent, 3 may have gone out, 0 failed."
    assert "row 6: may have gone out (the whole message was handed to the server" in again.output
    assert healthy.recipients == []
    # A clinic that learns one did not arrive sends just that one again.
    assert run("send", "--resend", "--patient", "P5", *server).exit_code == 0
    assert healthy.recipients == ["cy@example.com"]


def test_send_delivers_recorded_leaflets_not_yet_sent(run, smtp):
    write_patients(PATIENTS)
    made = run("batch", "patients.csv")  # printing only; the addresses are recorded
    assert made.exit_code == 0, made.output
    listed = run("send", "--dry-run", "--patient", "ann")
    assert listed.output.splitlines() == [f"{leaflet('*-p2.pdf')} -> ann@example.com",
                                          "Dry run: 1 to send; nothing sent."]
    inbox, server = smtp()
    result = run("send", "--patient", "ann", *server)
    assert result.exit_code == 0, result.output
    assert inbox.recipients == ["ann@example.com"]
    rest = run("send", *server)
    assert rest.output.splitlines()[-1] == "Emails: 2 sent, 0 already sent, 0 failed."
    assert sorted(inbox.recipients) == ["ann@example.com", "jose@example.com", "sam@example.com"]
    assert run("send", *server).output == "Nothing to send: 3 sent.\n"


def test_a_crash_while_handing_over_is_never_taken_as_not_sent(run, smtp):
    write_patients(PATIENTS[:2])
    assert run("batch", "patients.csv").exit_code == 0
    # What a crash leaves: Sam's message before anything was handed over, Ann's while its end was.
    with History(Path("output/handouts-history.sqlite3")) as history:
        sam, ann = history.to_send()
        history.start_message(sam.sha256, sam.email, "<lost-1@example>", encrypted=False)
        entry = history.start_message(ann.sha256, ann.email, "<lost-2@example>", encrypted=False)
        history.handing_over(entry)
    inbox, server = smtp()
    result = run("batch", "patients.csv", "--email", *server)
    assert result.exit_code == 0, result.output
    assert ("row 3: may have gone out (a run stopped while handing it over), so it is not sent again; use "
            "--resend if it did not arrive") in result.output.splitlines()
    assert result.output.splitlines()[-1] == "Emails: 1 sent, 0 already sent, 1 may have gone out, 0 failed."
    assert inbox.recipients == ["sam@example.com"]
    assert run("batch", "patients.csv", "--email", "--resend", *server).exit_code == 0
    assert inbox.recipients == ["sam@example.com", "sam@example.com", "ann@example.com"]


def test_format_both_is_one_message_with_both_files(run, smtp):
    write_patients(PATIENTS[:1])
    assert run("batch", "patients.csv", "--format", "both").exit_code == 0
    listed = run("send", "--dry-run")
    assert listed.output.splitlines() == [f"{leaflet('*-p1.pdf')} -> sam@example.com",
                                          "Dry run: 1 to send; nothing sent."]
    inbox, server = smtp()
    assert run("send", *server).exit_code == 0
    ((_, message),) = inbox.messages
    names = [part.get_filename() for part in message.iter_attachments()]
    assert names == [leaflet("*-p1.pdf").name, leaflet("*-p1.html").name]


def test_a_dry_run_records_nothing(run):
    write_patients(["Sam Sample,subcision,P1,,"])
    assert run("batch", "patients.csv").exit_code == 0
    write_patients(PATIENTS[:1])
    assert "(up to date, email to sam@example.com)" in run("batch", "patients.csv", "--email", "--dry-run").output
    assert run("send", "--dry-run").output == "Dry run: 0 to send; nothing sent.\n"
    # A real run records the address on the leaflet already made.
    assert run("batch", "patients.csv").exit_code == 0
    assert run("send", "--dry-run").output.splitlines()[-1] == "Dry run: 1 to send; nothing sent."
