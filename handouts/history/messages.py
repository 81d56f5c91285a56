"""Each email's way out, as the history records it: its statuses, how staff read them, and the steps
between them, taken so that a crash never hides that a message may have gone out."""

from __future__ import annotations

import fcntl
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from ..errors import HandoutsError
from .values import now


class MessageStatus(StrEnum):
    """A message's status, as stored."""

    TRYING = "trying"  # recorded before anything is handed over; a run that stops here sent nothing
    SENDING = "sending"  # the end of the message is being handed over (to the server, or into the outbox)
    SENT = "sent"  # the server accepted it
    OUTBOX = "outbox"  # written to the outbox folder: someone still has to send it from a mail program
    FAILED = "failed"  # not sent or written; the next `send` tries again
    UNCERTAIN = "uncertain"  # handed over without an answer, or a run stopped while handing it over: it may have gone

    def words(self, outbox: str = "") -> str:
        """The status as staff read it. `outbox` says which outbox, where it matters: "an" (one written by
        an earlier run, to whichever folder it was told), "the" (the front desk's own)."""
        return _WORDS[self].format(outbox=f"{outbox} " if outbox else "")

    @property
    def may_have_gone(self) -> bool:
        """Handed over without an answer (or being handed over now): never sent again by itself."""
        return self in (MessageStatus.SENDING, MessageStatus.UNCERTAIN)


# How staff read each status ("sending" is a run stopped mid-way, or another run handing it over now).
_WORDS = {MessageStatus.TRYING: "not sent yet", MessageStatus.SENDING: "may have gone out",
          MessageStatus.SENT: "sent", MessageStatus.OUTBOX: "written to {outbox}outbox",
          MessageStatus.FAILED: "failed", MessageStatus.UNCERTAIN: "may have gone out"}
NOT_SENT_YET = _WORDS[MessageStatus.TRYING]  # a leaflet with an address and no message at all
# Statuses that mean the patient has (or may have) the message already, in the order `send` counts them.
DELIVERED = (MessageStatus.SENT, MessageStatus.OUTBOX, MessageStatus.UNCERTAIN, MessageStatus.SENDING)


@dataclass(frozen=True, slots=True)
class Message:
    """One email of a leaflet to an address, as recorded."""

    id: int
    at: str
    address: str
    sha256: str  # of the leaflet as made, before any encryption
    encrypted: bool
    message_id: str
    status: MessageStatus
    detail: str

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Message:
        return cls(**{**dict(row), "encrypted": bool(row["encrypted"]), "status": MessageStatus(row["status"])})


_STATUSES = ", ".join(f"'{status}'" for status in MessageStatus)
MESSAGES_TABLE = f"""
CREATE TABLE IF NOT EXISTS messages (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    address TEXT NOT NULL,
    sha256 TEXT NOT NULL,  -- of the leaflet as made, before any encryption
    encrypted INTEGER NOT NULL,
    message_id TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ({_STATUSES})),
    detail TEXT NOT NULL DEFAULT ''
)
"""
MESSAGES_INDEX = "CREATE INDEX IF NOT EXISTS messages_leaflet ON messages (sha256, address)"


def allow_every_status(db: sqlite3.Connection) -> None:
    """Histories made before 'trying' and 'uncertain' existed: SQLite cannot change a CHECK, so copy the table."""
    def old() -> bool:
        (sql,) = db.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'messages'").fetchone()
        return "'uncertain'" not in sql

    if not old():
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        if old():  # still, now that no other run can be upgrading it too
            db.execute("DROP INDEX messages_leaflet")
            db.execute("ALTER TABLE messages RENAME TO messages_before")
            db.execute(MESSAGES_TABLE)
            db.execute(MESSAGES_INDEX)
            db.execute("INSERT INTO messages SELECT * FROM messages_before")
            db.execute("DROP TABLE messages_before")
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise


class HistoryBusy(HandoutsError):
    """Another run is emailing from this history."""


class MessageLog:
    """The steps of each message, for History: its `db` and `path`, and its audit trail (`record_action`)."""

    db: sqlite3.Connection
    path: Path

    @contextmanager
    def emailing(self) -> Iterator[None]:
        """Held while a run sends: messages left 'trying' or 'sending' are then a stopped run's, never a live one's."""
        with self._email_lock() as held:
            if not held:
                raise HistoryBusy(f"another handouts run is emailing from {self.path}; run this again once it "
                                  "has finished")
            self._settle_messages()
            yield

    def _settle_stopped_runs(self) -> None:
        """Messages a stopped run left mid-way, settled unless another run is emailing now (they are its own)."""
        if self.db.execute("SELECT 1 FROM messages WHERE status IN (?, ?) LIMIT 1",
                           (MessageStatus.TRYING, MessageStatus.SENDING)).fetchone():
            with self._email_lock() as held:
                if held:
                    self._settle_messages()

    @contextmanager
    def _email_lock(self) -> Iterator[bool]:
        """An exclusive lock on a file beside the database; the system releases it if the process dies."""
        lock = self.path.with_name(self.path.name + "-email.lock")
        try:
            fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise HandoutsError(f"cannot write {lock}: {exc.strerror or exc}") from None
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            yield True
        finally:
            os.close(fd)

    def _settle_messages(self) -> None:
        """What a stopped run left: untouched messages wait for the next run; handed-over ones may have gone."""
        self.db.execute("UPDATE messages SET status = ?, detail = 'a run stopped before sending it' "
                        "WHERE status = ?", (MessageStatus.FAILED, MessageStatus.TRYING))
        self.db.execute("UPDATE messages SET status = ?, detail = 'a run stopped while handing it over' "
                        "WHERE status = ?", (MessageStatus.UNCERTAIN, MessageStatus.SENDING))

    def delivery(self, sha256: str, address: str) -> Message | None:
        """The message that already took (or may have taken) this leaflet to this address."""
        marks = ", ".join("?" * len(DELIVERED))
        row = self.db.execute(f"SELECT * FROM messages WHERE sha256 = ? AND address = ? AND status IN ({marks}) "
                              "ORDER BY id DESC LIMIT 1", (sha256, address, *DELIVERED)).fetchone()
        return None if row is None else Message.from_row(row)

    def was_encrypted(self, sha256: str, address: str) -> bool:
        return self.db.execute("SELECT 1 FROM messages WHERE sha256 = ? AND address = ? AND encrypted = 1",
                               (sha256, address)).fetchone() is not None

    def start_message(self, sha256: str, address: str, message_id: str, *, encrypted: bool) -> int:
        """Committed before anything leaves; `handing_over` marks the moment it may start to count as sent."""
        return self.db.execute("INSERT INTO messages (at, address, sha256, encrypted, message_id, status) "
                               "VALUES (?, ?, ?, ?, ?, ?)",
                               (now(), address, sha256, int(encrypted), message_id, MessageStatus.TRYING)).lastrowid

    def handing_over(self, entry: int) -> None:
        """Committed just before the end of the message leaves, so a crash can never hide that it may have gone."""
        self.db.execute("UPDATE messages SET status = ?, at = ? WHERE id = ?", (MessageStatus.SENDING, now(), entry))

    def finish_message(self, entry: int, status: MessageStatus, detail: str = "") -> None:
        self.db.execute("UPDATE messages SET status = ?, detail = ?, at = ? WHERE id = ?",
                        (status, detail, now(), entry))
        address, sha256 = self.db.execute("SELECT address, sha256 FROM messages WHERE id = ?", (entry,)).fetchone()
        leaflet = self.db.execute("SELECT max(id) FROM leaflets WHERE sha256 = ? AND state = 'done'",
                                  (sha256,)).fetchone()[0]
        self.record_action("email", leaflet, f"to {address}: {MessageStatus(status).words()}")

    def forget_message(self, entry: int) -> None:
        """For a message that certainly never left (no connection was made)."""
        self.db.execute("DELETE FROM messages WHERE id = ?", (entry,))
