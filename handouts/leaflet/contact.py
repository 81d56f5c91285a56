"""How a patient's leaflet reaches them: their email address, and the password of an encrypted PDF.

Checked where every request is parsed (request.py), so the command line, a
patient list, the web form and the API refuse a bad address in the same
words, before anything is drawn.
"""

from __future__ import annotations

import re

from .dates import DateOrder, DateProblem
from ..errors import InputError


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


def _shown(text: str) -> str:
    """User text as it may appear in one line of an error message."""
    return re.sub(r"[\x00-\x1f\x7f]", "?", text)[:80]
