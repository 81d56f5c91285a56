"""Who may use the front desk, and what every response tells the browser.

- Every page and leaflet needs a member of staff signed in with their own
  account (signin.py, staff.py), on this computer too; after a wrong
  password, signing in pauses for that client and that account only.
- It listens on this computer only (127.0.0.1) unless told otherwise, and
  then only over HTTPS (tls.py).
- Every form carries a CSRF token tied to the session, and a POST is refused
  without a session and its token, or when the browser says another site's
  page sent it (Origin, Sec-Fetch-Site); the session cookie is HttpOnly and
  SameSite=Strict (and Secure over HTTPS).
- The API takes a bearer token (HANDOUTS_API_TOKEN) and no cookies; without a
  token set it is off.
- A request must name this computer as it is served (Host: 127.0.0.1 or
  localhost on this computer only; its own names over the network), so a
  web page elsewhere cannot reach it by renaming itself (DNS rebinding).
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets
import threading
import time
from collections import OrderedDict


LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1", "[::1]")
MAX_PAUSE = 60.0


def on_this_computer_only(host: str) -> bool:
    if host.strip("[]") in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def names_this_computer(host_header: str) -> bool:
    """Does a request's Host header ("localhost:8000", "[::1]:8000", ...) name this computer?"""
    if host_header.startswith("["):
        name = host_header[: host_header.find("]") + 1]
    else:
        name = host_header.split(":", 1)[0]
    return name in LOOPBACK_NAMES


def host_allowed(host_header: str, local_only: bool, host_names: tuple[str, ...]) -> bool:
    """Does a request's Host header name this front desk as it is served?"""
    if local_only:
        return names_this_computer(host_header)
    name = host_header[: host_header.find("]") + 1] if host_header.startswith("[") else host_header.split(":", 1)[0]
    return name.lower().rstrip(".") in {known.lower() for known in host_names}


def same(given: str | None, expected: str) -> bool:
    """Compared in constant time, so timing tells nothing about the secret."""
    return given is not None and hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def same_token(given: str | None, expected: str | None) -> bool:
    """A form's CSRF token against its session's: both must exist. A request with no session has no token
    to match, so an empty token from another web page matches nothing."""
    return bool(given) and bool(expected) and same(given, expected)


# What a browser says of a request sent by another site's page; "same-site" is another port or subdomain of
# this host, which is another web application, so it is refused too.
FOREIGN_FETCH_SITES = ("cross-site", "same-site")


def from_another_site(headers, own_url: str) -> bool:
    """Does the browser say this request was sent by a page that is not ours (its Origin, or Sec-Fetch-Site)?
    Programs that are not browsers send neither, and are judged by their token alone."""
    site = headers.get("Sec-Fetch-Site", "").lower()
    origin = headers.get("Origin")
    if origin == "null":  # a sandboxed page, a file, or a referrer policy hiding it: only the browser's word counts
        return site != "same-origin"
    if origin is not None and origin.rstrip("/") != own_url.rstrip("/"):
        return True
    return site in FOREIGN_FETCH_SITES


def new_token() -> str:
    return secrets.token_urlsafe(32)


class LoginThrottle:
    """After a wrong password, no sign-in for `pause` seconds from that client and for that account, doubling
    with each further wrong one (a minute at most). Others are never held up: a colleague at another
    computer signs in at once while somebody guesses at one of them."""

    def __init__(self, pause: float, most_remembered: int = 10_000):
        self.pause = pause
        self.most_remembered = most_remembered  # so that guessing from many addresses cannot fill the memory
        self.failures: OrderedDict[tuple, tuple[int, float]] = OrderedDict()  # key -> (wrong, until)
        self.lock = threading.Lock()

    def wait(self, *keys: tuple) -> float:
        """Seconds until a sign-in may be tried for all of `keys` (0 if now)."""
        with self.lock:
            until = max((self.failures.get(key, (0, 0.0))[1] for key in keys), default=0.0)
        return max(0.0, until - time.monotonic())

    def failed(self, *keys: tuple) -> None:
        with self.lock:
            for key in keys:
                wrong = self.failures.pop(key, (0, 0.0))[0] + 1
                self.failures[key] = (wrong, time.monotonic() + min(MAX_PAUSE, self.pause * 2 ** (wrong - 1)))
            while len(self.failures) > self.most_remembered:
                self.failures.popitem(last=False)

    def succeeded(self, *keys: tuple) -> None:
        with self.lock:
            for key in keys:
                self.failures.pop(key, None)


# The app's pages: scripts and styles from the app itself only, no frames of it anywhere.
PAGE_POLICY = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
               "form-action 'self'; frame-src 'self'; base-uri 'none'; frame-ancestors 'none'")
# A leaflet's HTML, shown inside the preview page: its own inline styles and logo, nothing that runs.
# The PDF to print, in the browser's own viewer (which a stricter policy can stop from working).
PDF_POLICY = "frame-ancestors 'none'"
LEAFLET_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'; sandbox"
