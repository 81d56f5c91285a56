"""The clinic's contact details as link targets: tel:, mailto: and web addresses.

A leaflet's links (and its QR code) must open exactly what the clinic meant,
so a web address is checked once, when content.toml is read, and written out
in the form a browser and a phone camera read the same way.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

# Long addresses make a QR code too dense to scan at the size it is printed.
MAX_WEB_ADDRESS = 200
# A scheme, but not the colon before a port ("www.example.com:8080").
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:(?!\d)")
_HOST_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
# What a printed phone number may hold besides digits and still be dialled as written.
_FIX = 'write a web address like "www.example.com" or "https://www.example.com/page"'
_PHONE = re.compile(r"^\+?[\d\s().\-/]+$")


def web_address(text: str) -> str:
    """`text` as a full http(s) address (https:// added where it has no scheme);
    otherwise ValueError saying what is wrong with it and how to fix that."""
    if not text or any(c.isspace() for c in text):
        raise ValueError("has spaces in it; " + _FIX)
    address = text if _SCHEME.match(text) else "https://" + text
    try:
        parts = urlsplit(address)
        parts.port  # noqa: B018  (reading it checks it)
    except ValueError:
        raise ValueError("is not a web address; " + _FIX) from None
    if parts.scheme.lower() not in ("http", "https"):
        raise ValueError(f"starts with {parts.scheme}:, not https://; {_FIX}")
    if parts.username is not None or not parts.hostname:
        raise ValueError("is not a web address; " + _FIX)
    try:
        host = parts.hostname.encode("idna").decode("ascii")  # letters like ü in their xn-- form
    except UnicodeError:
        raise ValueError("has a site name that is not valid; " + _FIX) from None
    labels = host.split(".")
    if len(labels) < 2 or not all(_HOST_LABEL.match(label) for label in labels):
        raise ValueError("has a site name that is not valid; " + _FIX)
    netloc = host + (f":{parts.port}" if parts.port is not None else "")
    # Letters outside ASCII in the path are percent-encoded, as a browser sends them.
    rest = quote(address[len(parts.scheme) + 3 + len(parts.netloc):], safe="/?#[]@!$&'()*+,;=%~:-._")
    full = f"{parts.scheme.lower()}://{netloc}{rest}"
    if len(full) > MAX_WEB_ADDRESS:
        raise ValueError(f"is {len(full)} characters long; use an address of {MAX_WEB_ADDRESS} characters "
                         "or fewer, so its QR code stays easy to scan")
    return full


def phone_problem(phone: str) -> str | None:
    """Why `phone` cannot be dialled from a link, or None."""
    if not _PHONE.match(phone) or sum(c.isdigit() for c in phone) < 3:
        return "is not just a phone number"
    return None


def tel(phone: str) -> str:
    """A tel: link: the digits, and a leading + for an international number
    (without the "(0)" only dialled from inside the country)."""
    international = phone.lstrip().startswith("+")
    if international:
        phone = phone.replace("(0)", "")
    return "tel:" + ("+" if international else "") + "".join(c for c in phone if c.isdigit())


def mailto(email: str) -> str:
    return "mailto:" + quote(email, safe="@.!#$&'*+-/=?^_`{|}~")
