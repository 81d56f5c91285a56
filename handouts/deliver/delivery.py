"""Getting messages to patients: an outbox folder of .eml files, or SMTP.

Every message is recorded before it leaves, again just before its end is
handed over, and after, so a crash never hides that a message may have gone
out, and a leaflet goes to an address once unless a resend is asked for.
Trouble before the end of the message reached the server (4xx replies,
dropped connections) is retried with a growing pause. Once it has reached
the server, no answer means it may have been delivered: it is recorded as
uncertain and never sent again by itself. Permanent refusals fail that one
patient, who stays waiting for the next `send`; the others are still served.
"""

from __future__ import annotations

import itertools
import smtplib
import ssl
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from email.policy import SMTP as SMTP_POLICY, SMTPUTF8 as SMTPUTF8_POLICY
from pathlib import Path

from ..errors import HandoutsError, OutputExistsError
from ..history import History, HistoryBusy, MessageStatus
from ..history.messages import DELIVERED
from .mail import Letter
from ..output import numbered_names, write_file



class DeliveryError(HandoutsError):
    """No message can go out at all (no server, refused login): stop the run."""


class Unreachable(DeliveryError):
    """The server could not be reached; worth a retry before giving up."""


class MessageRefused(Exception):
    """This one message did not go; it waits for the next run, and the next patient may still succeed."""


class MaybeSent(Exception):
    """The whole message reached the server, which did not confirm it: it may have been delivered."""


@dataclass
class SendOutcome:
    done: list[str] = field(default_factory=list)  # sent, or written to the outbox, by this run
    already: list[str] = field(default_factory=list)  # sent by an earlier run
    in_outbox: list[str] = field(default_factory=list)  # written to an outbox by an earlier run
    failed: dict[str, str] = field(default_factory=dict)  # label -> "label: reason"; waits for the next run
    uncertain: dict[str, str] = field(default_factory=dict)  # handed over by this run without an answer
    held: list[str] = field(default_factory=list)  # may have gone out in an earlier run
    stopped: str = ""  # why the run stopped early, if it did
    not_tried: int = 0

    def summary(self, verb: str, missed: str) -> str:
        """One line of counts, and a second saying what to do about messages still waiting."""
        parts = [f"{len(self.done)} {verb}", f"{len(self.already)} already sent"]
        if self.in_outbox:
            parts.append(f"{len(self.in_outbox)} already in an outbox")
        if self.uncertain or self.held:
            parts.append(f"{len(self.uncertain) + len(self.held)} may have gone out")
        parts.append(f"{len(self.failed)} failed")
        if self.stopped:
            parts.append(f"{self.not_tried} not tried")
        line = f"Emails: {', '.join(parts)}."
        waiting = len(self.failed) + self.not_tried
        if waiting:
            line += f"\n{waiting} {missed} yet; 'handouts send' tries again once the problem above is fixed."
        return line


def maybe_sent(label: str, why: str) -> str:
    """How a message that may have gone out is reported, in the run that found it and every later one."""
    return f"{label}: may have gone out ({why}), so it is not sent again; use --resend if it did not arrive"


class Outbox:
    """Writes each message as an .eml file any mail program can open and send."""

    status = MessageStatus.OUTBOX
    missed = "not written to the outbox"

    def __init__(self, folder: Path):
        self.folder = folder
        self.verb = f"written to {folder}"

    def deliver(self, letter: Letter, handing_over: Callable[[], None]) -> None:
        """Named after the leaflet; an earlier message's file is never replaced.

        Marked as a draft (X-Unsent), so mail programs open it ready to send.
        An address with non-ASCII letters is written as UTF-8 (RFC 6532),
        never as an encoded word, which would break the address.
        """
        policy = SMTPUTF8_POLICY if letter.international else SMTP_POLICY
        data = b"X-Unsent: 1\r\n" + letter.message.as_bytes(policy=policy)
        try:
            for path in itertools.islice(numbered_names(self.folder / f"{letter.stem}.eml"), 999):
                try:
                    return write_file(path, data, before_claim=handing_over)
                except OutputExistsError:
                    continue
            raise HandoutsError(f"{self.folder}: too many messages for {letter.stem}; empty the outbox")
        except HandoutsError as exc:  # nothing was written: write_file leaves no file behind
            raise MessageRefused(str(exc)) from None

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
    timeout: float = 30.0  # seconds to wait for each answer from the server

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port or (465 if self.security == 'ssl' else 25)}"


class _HandOver:
    """An SMTP connection that knows when the end of a message has gone to the server.

    From that moment the server may deliver the message even if its answer
    never arrives, so it must not be sent again by itself.
    """

    handed_over = False
    _in_data = False
    _handing_over: Callable[[], None] = staticmethod(lambda: None)

    def expect(self, handing_over: Callable[[], None]) -> None:
        """Before each message: `handing_over` runs just before its end is sent."""
        self.handed_over, self._handing_over = False, handing_over

    def data(self, msg):
        self._in_data = True
        try:
            return super().data(msg)
        finally:
            self._in_data = False

    def send(self, s):
        # data() sends the DATA command as text, then, once the server said 354,
        # the whole message with its final "." as bytes, in one call.
        if not (self._in_data and isinstance(s, bytes)):
            return super().send(s)
        self._handing_over()
        super().send(s)
        self.handed_over = True


class _Smtp(_HandOver, smtplib.SMTP):
    pass


class _SmtpSsl(_HandOver, smtplib.SMTP_SSL):
    pass


class SmtpSender:
    """One connection reused for many messages, reopened when it drops."""

    status = MessageStatus.SENT
    verb = "sent"
    missed = "not sent"

    def __init__(self, settings: SmtpSettings, sleep: Callable[[float], None] = time.sleep):
        self.settings = settings
        self.sleep = sleep
        self.smtp: _Smtp | _SmtpSsl | None = None

    def deliver(self, letter: Letter, handing_over: Callable[[], None]) -> None:
        for attempt in range(self.settings.retries + 1):
            try:
                connection = self._connection()
                connection.expect(handing_over)
                connection.send_message(letter.message)
                return
            except smtplib.SMTPRecipientsRefused as exc:
                code, text = next(iter(exc.recipients.values()))
                reason = f"the server refused the address ({code} {_text(text)})"
                if not 400 <= code < 500:
                    raise MessageRefused(reason) from None
            except smtplib.SMTPResponseException as exc:
                if not 400 <= exc.smtp_code < 500:
                    self._drop()
                    raise MessageRefused(f"the server refused the message ({exc.smtp_code} "
                                         f"{_text(exc.smtp_error)})") from None
                reason = f"{exc.smtp_code} {_text(exc.smtp_error)}"
            except smtplib.SMTPNotSupportedError:
                # Raised before anything is sent, for an address with non-ASCII letters.
                raise MessageRefused(f"the mail server {self.settings.where} does not accept addresses with "
                                     "non-ASCII letters (it does not offer SMTPUTF8); send it through one that "
                                     "does") from None
            except (smtplib.SMTPServerDisconnected, OSError) as exc:
                reason = f"the connection dropped ({exc or type(exc).__name__})"
                if self.smtp is not None and self.smtp.handed_over:
                    self._drop()
                    raise MaybeSent(f"the whole message was handed to the server, which did not confirm it: "
                                    f"{exc or type(exc).__name__}") from None
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

    def _connection(self) -> _Smtp | _SmtpSsl:
        if self.smtp is None:
            self.smtp = self._connect()
        return self.smtp

    def _connect(self) -> _Smtp | _SmtpSsl:
        s = self.settings
        context = ssl.create_default_context()
        try:
            if s.security == "ssl":
                smtp = _SmtpSsl(s.host, s.port or 465, timeout=s.timeout, context=context)
            else:
                smtp = _Smtp(s.host, s.port or 25, timeout=s.timeout)
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
                 held: Iterable[str] = (), progress: Callable[[int], None] = lambda n: None) -> SendOutcome:
    """Deliver each letter once; record every attempt in the history.

    `held` reports messages that may have gone out in an earlier run and
    are not among `letters`; they are counted with the others.
    """
    outcome = SendOutcome(held=list(held))
    try:
        with history.emailing():
            for done, letter in enumerate(letters):
                try:
                    _send_one(letter, history, transport, resend, outcome)
                except DeliveryError as exc:
                    outcome.stopped, outcome.not_tried = str(exc), len(letters) - done
                    break
                progress(1)
    except HistoryBusy as exc:
        outcome.stopped, outcome.not_tried = str(exc), len(letters)
    finally:
        transport.close()
    return outcome


def _send_one(letter: Letter, history: History, transport, resend: bool, outcome: SendOutcome) -> None:
    earlier = history.delivery(letter.sha256, letter.address)
    if earlier is not None and not resend:
        if earlier.status == MessageStatus.SENT:
            outcome.already.append(letter.label)
        elif earlier.status == MessageStatus.OUTBOX:
            outcome.in_outbox.append(letter.label)
        else:
            outcome.held.append(maybe_sent(letter.label, earlier.detail))
        return
    entry = history.start_message(letter.sha256, letter.address, letter.message["Message-ID"],
                                  encrypted=letter.encrypted)
    try:
        transport.deliver(letter, lambda: history.handing_over(entry))
    except MessageRefused as exc:
        history.finish_message(entry, MessageStatus.FAILED, str(exc))
        outcome.failed[letter.label] = f"{letter.label}: {transport.missed}: {exc}"
        return
    except MaybeSent as exc:
        history.finish_message(entry, MessageStatus.UNCERTAIN, str(exc))
        outcome.uncertain[letter.label] = maybe_sent(letter.label, str(exc))
        return
    except DeliveryError:
        history.forget_message(entry)  # no connection was made, so nothing left
        raise
    history.finish_message(entry, transport.status)
    outcome.done.append(letter.label)


def nothing_to_send(history: History, patient: str | None, since) -> str:
    """What `send` says when every addressed leaflet already has its message: how each one went."""
    said = [message.status.words("an") for _, message in history.addressed(patient, since) if message]
    if not said:
        return "Nothing to send: no recorded leaflet has an email address."
    kinds = dict.fromkeys(status.words("an") for status in DELIVERED)
    counts = [f"{said.count(words)} {words}" for words in kinds if words in said]
    return f"Nothing to send: {', '.join(counts)}."


def _text(reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    return " ".join(text.split())
