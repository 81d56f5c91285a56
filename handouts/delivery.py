"""Getting messages to patients: an outbox folder of .eml files, or SMTP.

Every message is recorded before it leaves and marked after, so a crash
never hides that a message may have gone out, and a leaflet goes to an
address once unless a resend is asked for. Transient SMTP trouble (4xx
replies, dropped connections) is retried with a growing pause; permanent
refusals fail that one patient and the others are still served.
"""

from __future__ import annotations

import smtplib
import socket
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.policy import SMTP as SMTP_POLICY
from pathlib import Path

from .errors import HandoutsError, OutputExistsError
from .history import History
from .mail import Letter
from .output import write_file

DEFAULT_OUTBOX = Path("output") / "outbox"


class DeliveryError(HandoutsError):
    """No message can go out at all (no server, refused login): stop the run."""


class Unreachable(DeliveryError):
    """The server could not be reached; worth a retry before giving up."""


class MessageRefused(Exception):
    """This one message failed for good; the next patient may still succeed."""


@dataclass
class SendOutcome:
    sent: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)  # label -> "label: reason"
    stopped: str = ""  # why the run stopped early, if it did
    not_tried: int = 0

    def summary(self, verb: str) -> str:
        line = f"Emails: {len(self.sent)} {verb}, {len(self.already)} already sent, {len(self.failed)} failed"
        return line + (f", {self.not_tried} not tried." if self.stopped else ".")


class Outbox:
    """Writes each message as an .eml file any mail program can open and send."""

    status = "outbox"

    def __init__(self, folder: Path):
        self.folder = folder
        self.verb = f"written to {folder}"

    def deliver(self, letter: Letter) -> None:
        """Named after the leaflet; an earlier message's file is never replaced."""
        data = letter.message.as_bytes(policy=SMTP_POLICY)
        for number in range(1, 1000):
            path = self.folder / (f"{letter.stem}.eml" if number == 1 else f"{letter.stem}-{number}.eml")
            try:
                return write_file(path, data)
            except OutputExistsError:
                continue
        raise HandoutsError(f"{self.folder}: too many messages for {letter.stem}; empty the outbox")

    def close(self) -> None:
        pass


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int | None = None
    user: str | None = None
    password: str | None = None
    security: str = "none"  # "none", "starttls" or "ssl"
    retries: int = 3
    timeout: float = 30.0

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port or (465 if self.security == 'ssl' else 25)}"


class SmtpSender:
    """One connection reused for many messages, reopened when it drops."""

    status = "sent"
    verb = "sent"

    def __init__(self, settings: SmtpSettings, sleep: Callable[[float], None] = time.sleep):
        self.settings = settings
        self.sleep = sleep
        self.smtp: smtplib.SMTP | None = None

    def deliver(self, letter: Letter) -> None:
        for attempt in range(self.settings.retries + 1):
            try:
                self._connection().send_message(letter.message)
                return
            except smtplib.SMTPRecipientsRefused as exc:
                code, text = next(iter(exc.recipients.values()))
                raise MessageRefused(f"the server refused the address ({code} {_text(text)})") from None
            except smtplib.SMTPResponseException as exc:
                if exc.smtp_code < 400 or exc.smtp_code >= 500:
                    self._drop()
                    raise MessageRefused(f"the server refused the message ({exc.smtp_code} "
                                         f"{_text(exc.smtp_error)})") from None
                reason = f"{exc.smtp_code} {_text(exc.smtp_error)}"
            except (smtplib.SMTPServerDisconnected, ConnectionError, socket.timeout) as exc:
                reason = f"the connection dropped ({exc or type(exc).__name__})"
            except Unreachable as exc:
                if attempt == self.settings.retries:
                    raise
                reason = str(exc)
            self._drop()
            if attempt < self.settings.retries:
                self.sleep(2 ** attempt)
        raise MessageRefused(f"{reason}; tried {self.settings.retries + 1} times")

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (smtplib.SMTPException, OSError):
                pass
            self._drop()

    def _drop(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.close()
            finally:
                self.smtp = None

    def _connection(self) -> smtplib.SMTP:
        if self.smtp is None:
            self.smtp = self._connect()
        return self.smtp

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        context = ssl.create_default_context()
        try:
            if s.security == "ssl":
                smtp = smtplib.SMTP_SSL(s.host, s.port or 465, timeout=s.timeout, context=context)
            else:
                smtp = smtplib.SMTP(s.host, s.port or 25, timeout=s.timeout)
                if s.security == "starttls":
                    smtp.starttls(context=context)
            if s.user:
                smtp.login(s.user, s.password or "")
            return smtp
        except smtplib.SMTPAuthenticationError as exc:
            raise DeliveryError(f"the mail server {s.where} refused the user name or password ({exc.smtp_code} "
                                f"{_text(exc.smtp_error)}); check --smtp-user and HANDOUTS_SMTP_PASSWORD") from None
        except smtplib.SMTPNotSupportedError as exc:
            raise DeliveryError(f"the mail server {s.where} does not offer {exc}; try --starttls or --ssl") from None
        except ssl.SSLError as exc:
            raise DeliveryError(f"secure connection to {s.where} failed: {exc.reason or exc}; check --starttls/"
                                "--ssl and the server's certificate (SSL_CERT_FILE names extra trusted CAs)") from None
        except (OSError, smtplib.SMTPException) as exc:
            raise Unreachable(f"cannot connect to the mail server {s.where}: {exc.strerror or exc}; "
                              "check --smtp-host and --smtp-port") from None


def send_letters(letters: list[Letter], history: History, transport, *, resend: bool = False,
                 progress: Callable[[int], None] = lambda n: None) -> SendOutcome:
    """Deliver each letter once; record every attempt in the history."""
    outcome = SendOutcome()
    try:
        for done, letter in enumerate(letters):
            try:
                _send_one(letter, history, transport, resend, outcome)
            except DeliveryError as exc:
                outcome.stopped, outcome.not_tried = str(exc), len(letters) - done
                break
            progress(1)
    finally:
        transport.close()
    return outcome


def _send_one(letter: Letter, history: History, transport, resend: bool, outcome: SendOutcome) -> None:
    earlier = history.delivery(letter.sha256, letter.address)
    if earlier is not None and not resend:
        if earlier["status"] == "sending":
            outcome.failed[letter.label] = (f"{letter.label}: a run stopped while sending this message, so it may "
                                            "have gone out; use --resend to send it again")
        else:
            outcome.already.append(letter.label)
        return
    entry = history.start_message(letter.sha256, letter.address, letter.message["Message-ID"],
                                  encrypted=letter.encrypted)
    try:
        transport.deliver(letter)
    except MessageRefused as exc:
        history.finish_message(entry, "failed", str(exc))
        outcome.failed[letter.label] = f"{letter.label}: not sent: {exc}"
        return
    except DeliveryError:
        history.forget_message(entry)  # no connection was made, so nothing left
        raise
    history.finish_message(entry, transport.status)
    outcome.sent.append(letter.label)


def _text(reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    return " ".join(text.split())
