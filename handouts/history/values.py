"""How the history stores what it records: times in UTC, files by their path and SHA-256."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from pathlib import Path

from .. import clock


def now() -> str:
    """This moment as stored: UTC."""
    return clock.now().astimezone(dt.timezone.utc).isoformat(timespec="seconds")


def local_time(stored: str) -> str:
    """A time as stored (UTC) in this computer's time zone, with its offset."""
    return dt.datetime.fromisoformat(stored).astimezone().isoformat(timespec="seconds")


def start_of(day: dt.date) -> str:
    """The stored (UTC) form of the moment `day` begins here."""
    return dt.datetime.combine(day, dt.time()).astimezone().astimezone(dt.timezone.utc).isoformat(timespec="seconds")


def key(path: Path) -> str:
    """A file's path as stored."""
    # The folder resolved, not the name: a symlink in the leaflet's place is replaced by the leaflet,
    # which must not be recorded under the link's old target (another patient's file).
    # A name that is not UTF-8 (a Latin-1 "café.pdf" from an old USB stick) holds escapes SQLite
    # cannot store; its bytes are written \xe9-style instead, the same way each time.
    path = Path(path)
    return os.fsencode(path.parent.resolve() / path.name).decode("utf-8", "backslashreplace")


def sha256_of(path: Path) -> str | None:
    """The SHA-256 of the file at `path` now, or None if it cannot be read."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None
