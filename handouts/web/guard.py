"""Who may use the front desk, and what every response tells the browser.

- It listens on this computer only (127.0.0.1) unless told otherwise, and
  then only with a password (HANDOUTS_WEB_PASSWORD): staff log in once per
  browser session; after a wrong password, logging in pauses, longer each
  time, for everyone (so guessing is slow however many machines try).
- Every form carries a CSRF token tied to the session, and a POST is refused
  without a session and its token, or when the browser says another site's
  page sent it (Origin, Sec-Fetch-Site); the session cookie is HttpOnly and
  SameSite=Strict.
- The API takes a bearer token (HANDOUTS_API_TOKEN) and no cookies; without a
  token set it is off.
- Served on this computer only, a request must name it (Host: 127.0.0.1 or
  localhost), so a web page elsewhere cannot reach it by renaming itself
  (DNS rebinding).
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets
import threading
import time

from ..errors import HandoutsError

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


def check_exposure(host: str, password: str | None) -> None:
    """Refuse to serve other computers without a password."""
    if not on_this_computer_only(host) and not password:
        raise HandoutsError(f"--host {host} lets other computers reach the front desk and its patients' "
                            "leaflets; set HANDOUTS_WEB_PASSWORD first (staff then log in with it), or leave out "
                            "--host to serve this computer only")


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
    origin = headers.get("Origin")
    if origin is not None and origin.rstrip("/") != own_url.rstrip("/"):
        return True
    return headers.get("Sec-Fetch-Site", "").lower() in FOREIGN_FETCH_SITES


def new_token() -> str:
    return secrets.token_urlsafe(32)


class LoginPause:
    """After a wrong password, no login for `pause` seconds, doubling with each further wrong one."""

    def __init__(self, pause: float):
        self.pause = pause
        self.wrong = 0
        self.until = 0.0
        self.lock = threading.Lock()

    def wait(self) -> float:
        """Seconds until a login may be tried (0 if now)."""
        return max(0.0, self.until - time.monotonic())

    def failed(self) -> None:
        with self.lock:
            self.wrong += 1
            self.until = time.monotonic() + min(MAX_PAUSE, self.pause * 2 ** (self.wrong - 1))

    def succeeded(self) -> None:
        with self.lock:
            self.wrong, self.until = 0, 0.0


# The app's pages: scripts and styles from the app itself only, no frames of it anywhere.
PAGE_POLICY = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
               "form-action 'self'; frame-src 'self'; base-uri 'none'; frame-ancestors 'none'")
# A leaflet's HTML, shown inside the preview page: its own inline styles and logo, nothing that runs.
# The PDF to print, in the browser's own viewer (which a stricter policy can stop from working).
PDF_POLICY = "frame-ancestors 'none'"
LEAFLET_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'; sandbox"
