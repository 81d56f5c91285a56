"""The email that carries a leaflet: address checks, PDF password, the message.

Headers are built by Python's `email` package, which refuses CR or LF in a
header value; the subject names only the clinic (it shows on lock screens),
and patient text only ever reaches the bodies.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass
from pathlib import Path
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import TYPE_CHECKING

from ..leaflet.dates import DateOrder, DateProblem
from .. import clock
from ..errors import HandoutsError, InputError

if TYPE_CHECKING:  # only named in annotations; Wording would load Jinja for every command
    from ..leaflet.content import Content
    from ..leaflet.wording import Wording

@dataclass(frozen=True)
class Letter:
    """One message to send, and what it is about."""

    label: str  # "row 3" or the leaflet's file name: how reports name it
    sha256: str  # of the leaflet as made, before any encryption
    address: str
    message: EmailMessage
    encrypted: bool

    @property
    def international(self) -> bool:
        """An address has letters outside ASCII, so the message needs SMTPUTF8 (RFC 6531/6532)."""
        return not (self.address + self.message["From"].addresses[0].addr_spec).isascii()

    @property
    def stem(self) -> str:
        """The attached leaflet's file name without its suffix: names the outbox file."""
        return Path(next(self.message.iter_attachments()).get_filename()).stem


SUBJECT_TEMPLATE = "email-subject.txt.j2"
TEXT_TEMPLATE = "email.txt.j2"
HTML_TEMPLATE = "email.html.j2"

def check_address(text: str) -> str:
    """One plain address (no name, no list), normalised; InputError otherwise."""
    text = (text or "").strip()
    if not text:
        raise InputError("email", "no email address given")
    if re.search(r"[\s,;<>]", text):
        raise InputError("email", f"'{_shown(text)}' must be one plain address such as sam@example.com")
    # Imported here, like pypdf below: the commands that never check an address start without them.
    from email_validator import EmailNotValidError, validate_email

    try:
        return validate_email(text, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise InputError("email", f"'{_shown(text)}' is not an email address: {exc}") from None


def pdf_password(password: str = "", dob: str = "", order: DateOrder | None = None) -> tuple[str, str]:
    """The password for an encrypted attachment and where it came from.

    A given password wins ("agreed"); else the date of birth as DDMMYYYY
    ("dob"), the form the email explains. `order` is how the clinic writes
    dates (ISO only without it).
    """
    if password:
        if len(password) < 6:
            raise InputError("pdf_password", "the PDF password must be at least 6 characters")
        return password, "agreed"
    if not dob:
        raise InputError("pdf_password", "--encrypt needs a pdf_password or dob (date of birth, YYYY-MM-DD)")
    order = order or DateOrder("en")
    try:
        born = order.date(dob)
    except DateProblem as exc:
        raise InputError("dob", f"'{_shown(dob)}' {exc}; write the date of birth as {order.forms}") from None
    return born.strftime("%d%m%Y"), "dob"


def encrypt_pdf(data: bytes, password: str) -> bytes:
    """The same PDF, opened only with `password` (AES-256)."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.encrypt(user_password=password, algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def compose_message(content: Content, wording: Wording, *, name: str, address: str, attachments: dict[str, bytes],
                    password: tuple[str, str] | None = None) -> EmailMessage:
    """The message for one patient, with the leaflet files attached ({file name: data}).

    `password` is (password, "dob" or "agreed") when `pdf` is encrypted: the
    email says how to open it, and is checked never to contain the password.
    """
    clinic = content.clinic
    secret, source = password or ("", "")
    # The worked example must never be the patient's own date of birth.
    example = next(day for day in (dt.date(1990, 3, 5), dt.date(1990, 3, 6)) if day.strftime("%d%m%Y") != secret)
    context = dict(patient=name, clinic=clinic, title=content.leaflet.title, language=content.leaflet.language,
                   encrypted=bool(password), password_from=source, filename=next(iter(attachments)),
                   html_copy=any(name.endswith(".html") for name in attachments),
                   example_date=example, example_password=example.strftime("%d%m%Y"))
    text = wording.render(TEXT_TEMPLATE, **context)
    html = wording.render(HTML_TEMPLATE, **context)
    if secret and (secret in text or secret in html):
        raise HandoutsError(f"{wording.source_name(TEXT_TEMPLATE)}: the email would show the PDF password; "
                            "take the password out of the email templates")
    message = EmailMessage()
    message["From"] = Address(display_name=clinic.name, addr_spec=clinic.email)
    message["To"] = address
    message["Subject"] = " ".join(wording.render(SUBJECT_TEMPLATE, **context).split())
    message["Date"] = format_datetime(clock.now())
    message["Message-ID"] = make_msgid(domain=clinic.email.rpartition("@")[2] or None)
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    for filename, data in attachments.items():
        if filename.endswith(".html"):
            message.add_attachment(data, maintype="text", subtype="html", filename=filename)
        else:
            message.add_attachment(data, maintype="application", subtype="pdf", filename=filename)
    return message


def _shown(text: str) -> str:
    """User text as it may appear in one line of an error message."""
    return re.sub(r"[\x00-\x1f\x7f]", "?", text)[:80]
