"""The email that carries a leaflet: the message, and the encrypted PDF it may carry.

Headers are built by Python's `email` package, which refuses CR or LF in a
header value; the subject names only the clinic (it shows on lock screens),
and patient text only ever reaches the bodies.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import TYPE_CHECKING

from .. import clock
from ..errors import HandoutsError

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

def encrypt_pdf(data: bytes, password: str) -> bytes:
    """The same PDF, opened only with `password` (AES-256)."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.encrypt(user_password=password, algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def compose_message(content: Content, wording: Wording, *, name: str, address: str, attachments: dict[str, bytes],
                    password: tuple[str, str] | None = None, also_in: str = "") -> EmailMessage:
    """The message for one patient, with the leaflet files attached ({file name: data}).

    `password` is (password, "dob" or "agreed") when `pdf` is encrypted: the
    email says how to open it, and is checked never to contain the password.
    `also_in` names, in the message's language, the language of a bilingual
    leaflet's second part.
    """
    clinic = content.clinic
    secret, source = password or ("", "")
    # The worked example must never be the patient's own date of birth.
    example = next(day for day in (dt.date(1990, 3, 5), dt.date(1990, 3, 6)) if day.strftime("%d%m%Y") != secret)
    context = dict(patient=name, clinic=clinic, title=content.leaflet.title, language=content.leaflet.language,
                   encrypted=bool(password), password_from=source, also_in=also_in, filename=next(iter(attachments)),
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
