"""Staff accounts for the front desk, and the sessions of those signed in.

Both live in the history database beside the leaflets they guard, so one
file holds who may see patients' leaflets and what they did with them.
Passwords are kept only as Argon2id hashes (argon2-cffi, the algorithm
OWASP recommends first; its own salts and parameters travel in the hash).
A session is a random token in the browser's cookie; the server keeps only
its SHA-256, so signing out, removing an account or changing its password
ends it for good, even for a copied cookie.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import time
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from .errors import HandoutsError
from .history import History

ROLES = ("desk", "manager")
MIN_PASSWORD = 12
MAX_PASSWORD = 1024  # long enough for any pass phrase; bounds the hashing work one request can ask for
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,31}$")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS staff (
    username TEXT PRIMARY KEY,
    role TEXT NOT NULL CHECK (role IN ('desk', 'manager')),
    password_hash TEXT NOT NULL,
    added_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS web_sessions (
    key TEXT PRIMARY KEY,  -- SHA-256 of the cookie's token: the token itself is never stored
    username TEXT NOT NULL REFERENCES staff (username),
    started REAL NOT NULL,  -- seconds since the epoch
    seen REAL NOT NULL
);
"""

_hasher = PasswordHasher()  # Argon2id with argon2-cffi's RFC 9106 "low memory" parameters
# Checked against when the username is unknown, so a wrong name takes as long as a wrong password.
_NOBODY = _hasher.hash(secrets.token_urlsafe(16))


class StaffError(HandoutsError):
    """A staff account that cannot be added, found or changed as asked."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Member:
    username: str
    role: str
    added_at: str = ""

    @property
    def is_manager(self) -> bool:
        return self.role == "manager"


def check_username(username: str) -> str:
    name = username.strip().lower()
    if not _USERNAME.match(name):
        raise StaffError("username", f"'{username}' is not a username: use 1 to 32 letters a-z, digits, dots, "
                                     "dashes or underscores, starting with a letter or digit")
    return name


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise StaffError("password", f"the password is {len(password)} characters long; use at least "
                                     f"{MIN_PASSWORD} (a few unrelated words make a good one)")
    if len(password) > MAX_PASSWORD:
        raise StaffError("password", f"the password is over {MAX_PASSWORD} characters long; use a shorter one")
    return password


class Staff:
    """The accounts and sessions in `history`'s database."""

    def __init__(self, history: History, *, now=time.time):
        self.db = history.db
        self.now = now
        self.db.executescript(_SCHEMA)

    # -- accounts --------------------------------------------------------------

    def add(self, username: str, role: str, password: str) -> Member:
        name = check_username(username)
        if role not in ROLES:
            raise StaffError("role", f"'{role}' is not a role; use {' or '.join(ROLES)}")
        if self.member(name) is not None:
            raise StaffError("username", f"'{name}' is a staff account already; choose another username, or "
                                         f"change its password with 'handouts staff password {name}'")
        added = time.strftime("%Y-%m-%d %H:%M", time.localtime(self.now()))
        self.db.execute("INSERT INTO staff (username, role, password_hash, added_at) VALUES (?, ?, ?, ?)",
                        (name, role, _hasher.hash(check_password(password)), added))
        return Member(name, role, added)

    def remove(self, username: str) -> None:
        name = self.existing(username).username
        self.db.execute("DELETE FROM web_sessions WHERE username = ?", (name,))
        self.db.execute("DELETE FROM staff WHERE username = ?", (name,))

    def set_password(self, username: str, password: str) -> None:
        """A new password ends every session the account had."""
        name = self.existing(username).username
        self.db.execute("UPDATE staff SET password_hash = ? WHERE username = ?",
                        (_hasher.hash(check_password(password)), name))
        self.db.execute("DELETE FROM web_sessions WHERE username = ?", (name,))

    def members(self) -> list[Member]:
        rows = self.db.execute("SELECT username, role, added_at FROM staff ORDER BY username").fetchall()
        return [Member(*row) for row in rows]

    def member(self, username: str) -> Member | None:
        row = self.db.execute("SELECT username, role, added_at FROM staff WHERE username = ?",
                              (username,)).fetchone()
        return Member(*row) if row else None

    def existing(self, username: str) -> Member:
        found = self.member(username.strip().lower())
        if found is None:
            raise StaffError("username", f"there is no staff account '{username}'; 'handouts staff list' shows "
                                         "them")
        return found

    def verify(self, username: str, password: str) -> Member | None:
        """The member whose password this is, or None; as slow for an unknown name as for a wrong password."""
        row = self.db.execute("SELECT password_hash FROM staff WHERE username = ?",
                              (username.strip().lower(),)).fetchone()
        try:
            _hasher.verify(row[0] if row else _NOBODY, password[:MAX_PASSWORD])
        except (VerificationError, InvalidHashError):
            return None
        return self.member(username.strip().lower()) if row else None

    # -- sessions --------------------------------------------------------------

    def start_session(self, member: Member) -> str:
        """A new session for `member`; the token goes in the browser's cookie."""
        token = secrets.token_urlsafe(32)
        now = self.now()
        self.db.execute("INSERT INTO web_sessions (key, username, started, seen) VALUES (?, ?, ?, ?)",
                        (_key(token), member.username, now, now))
        return token

    def session(self, token: str | None, *, idle: float, lifetime: float) -> Member | None:
        """Who holds this session, if it is live: seen within `idle` seconds and started within `lifetime`."""
        if not token:
            return None
        now = self.now()
        self.db.execute("DELETE FROM web_sessions WHERE seen < ? OR started < ?", (now - idle, now - lifetime))
        row = self.db.execute("SELECT s.username, role, added_at FROM web_sessions s JOIN staff USING (username) "
                              "WHERE key = ?", (_key(token),)).fetchone()
        if row is None:
            return None
        self.db.execute("UPDATE web_sessions SET seen = ? WHERE key = ?", (now, _key(token)))
        return Member(*row)

    def end_session(self, token: str | None) -> None:
        if token:
            self.db.execute("DELETE FROM web_sessions WHERE key = ?", (_key(token),))


def _key(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
