"""The record of every leaflet made: who got what, from which content version.

Each leaflet is recorded in three steps around the moment its file gets its
name: a 'pending' row is committed first, the file is renamed into place,
then the row is marked 'done'. `recover()` settles what a crash left between
those steps, so a finished record always has its file and a file made by
handouts always has its record.

Print files are recorded too (`print_files`), so only a file known to be an
earlier print file is ever replaced by a new one. The database is created
readable by its owner only: it holds names and addresses.
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import os
import sqlite3
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from ..output import NewFile, write_file
from .database import connect
from .messages import NOT_SENT_YET, Message, MessageLog, MessageStatus
from .values import key, local_time, now, sha256_of, start_of


@dataclass(frozen=True, slots=True)  # a batch plan holds one per row
class Record:
    patient: str
    patient_id: str
    procedures: str  # ';'-separated ids
    scars: str
    clinician: str
    leaflet_date: str
    content_version: str
    template_version: str
    inputs: str  # hash of everything that shapes the PDF
    email: str = ""  # where the leaflet is to be emailed, if anywhere
    sessions: str = ""  # the patient's plan: "subcision=3;fillers=2 to 3"
    appointment: str = ""  # the first treatment: "2026-12-03 10:30" or "2026-12-03"
    language: str = ""  # the leaflet's language tag ("en-GB", "es"); empty in histories from before languages
    bilingual: str = ""  # "yes": the leaflet in `language`, then in the content's own
    path: str = ""
    sha256: str = ""
    made_at: str = ""
    made_by: str = ""  # set by the History that writes it: who is using it


@dataclass(frozen=True, slots=True)
class Entry(Record):
    """A leaflet's finished record, with its number."""

    id: int = 0

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Entry:
        return cls(**{name: row[name] for name in row.keys() if name != "state"})


class History(MessageLog):
    def __init__(self, path: str | Path, *, read_only: bool = False, who: str = ""):
        """Open (and create, unless `read_only`) the history at `path`, for `who` (recorded as having made
        each leaflet and done each action written through it).

        A writable history is tried for writing at once, so a read-only one
        stops a run before any leaflet is drawn.
        """
        self.path = Path(path)
        self.who = who or _computer_user()
        self.db = connect(self.path, read_only=read_only)
        if not read_only:
            self.recover()

    @classmethod
    def if_exists(cls, path: str | Path) -> History | None:
        """The history opened read-only, or None where there is none yet: for runs that write nothing."""
        return cls(path, read_only=True) if Path(path).exists() else None

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> History:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- writing a leaflet with its record -------------------------------

    def write_leaflet(self, path: Path, data: bytes, record: Record, *, overwrite: bool) -> None:
        """Write the file and its record so that neither exists without the other."""
        done = Record(**{**asdict(record), "path": key(path), "sha256": hashlib.sha256(data).hexdigest(),
                         "made_at": now(), "made_by": self.who})
        entry = self._recorded("leaflets", {**asdict(done), "state": "pending"},
                               lambda register: write_file(path, data, overwrite=overwrite, before_claim=register))
        if not self.db.execute("UPDATE leaflets SET state = 'done' WHERE id = ?", (entry,)).rowcount:
            # Another run opened the history between the two steps, took the pending row for one a crash
            # left (its file had not arrived yet) and removed it: the file has arrived, so it is recorded.
            entry = self._insert("leaflets", {**asdict(done), "state": "done"})
        self.record_action("made", entry, path.name)

    def claim_print_file(self, new: NewFile, path: Path) -> None:
        """Give a print file written to `new` its name, replacing what is there, and record it as one."""
        self._recorded("print_files", {"made_at": now(), "path": key(path), "sha256": new.sha256.hexdigest()},
                       lambda register: new.claim(path, overwrite=True, before_claim=register))

    def record_print_job(self, path: Path, printer: str, job: str) -> None:
        """A PDF handed to a printer, and the printer's id for the job."""
        self.db.execute("INSERT INTO print_jobs (sent_at, path, printer, job) VALUES (?, ?, ?, ?)",
                        (now(), key(path), printer, job))
        row = self.db.execute("SELECT max(id) FROM leaflets WHERE path = ? AND state = 'done'",
                              (key(path),)).fetchone()
        self.record_action("printed", row[0], f"on {printer} (job {job})")

    def record_action(self, action: str, leaflet: int | None = None, detail: str = "") -> None:
        """What `who` did (to leaflet number `leaflet`, if one), for the audit trail."""
        self.db.execute("INSERT INTO audit (at, who, action, leaflet, detail) VALUES (?, ?, ?, ?, ?)",
                        (now(), self.who, action, leaflet, detail))

    def _recorded(self, table: str, row: dict, claim: Callable[[Callable[[], None]], None]) -> int:
        """Run `claim`, which gives a written file its name; `row` goes into
        `table` just before the file takes it (when `claim` calls the function
        it is handed), and out again if it never does. Returns the row's id."""
        entry = None

        def register():
            nonlocal entry
            entry = self._insert(table, row)

        try:
            claim(register)
        except BaseException:
            if entry is not None:
                self.db.execute(f"DELETE FROM {table} WHERE id = ?", (entry,))
            raise
        return entry

    def _insert(self, table: str, row: dict) -> int:
        marks = ", ".join(f":{name}" for name in row)
        return self.db.execute(f"INSERT INTO {table} ({', '.join(row)}) VALUES ({marks})", row).lastrowid

    def recover(self) -> None:
        """Settle rows a crash left pending: keep those whose file arrived."""
        for row in self.db.execute("SELECT id, path, sha256 FROM leaflets WHERE state = 'pending'").fetchall():
            arrived = sha256_of(Path(row["path"])) == row["sha256"]
            if arrived:
                self.db.execute("UPDATE leaflets SET state = 'done' WHERE id = ?", (row["id"],))
            else:
                self.db.execute("DELETE FROM leaflets WHERE id = ?", (row["id"],))
        self._settle_stopped_runs()

    # -- addresses -----------------------------------------------------------

    def set_email(self, path: Path, address: str) -> None:
        self.db.execute("UPDATE leaflets SET email = ? WHERE id = (SELECT max(id) FROM leaflets WHERE path = ? "
                        "AND state = 'done')", (address, key(path)))

    def to_send(self, patient: str | None = None, since: dt.date | None = None,
                *, include_sent: bool = False) -> list[Entry]:
        """The latest leaflet per file that has an address and (unless `include_sent`) no message yet."""
        return [entry for entry, message in self.addressed(patient, since) if include_sent or message is None]

    def addressed(self, patient: str | None = None,
                  since: dt.date | None = None) -> list[tuple[Entry, Message | None]]:
        """The latest leaflet per file that has an address, with the message that took it there (or None)."""
        rows = self._select("SELECT * FROM leaflets l WHERE state = 'done' AND email != '' AND id = "
                            "(SELECT max(id) FROM leaflets WHERE path = l.path AND state = 'done')",
                            patient, since)
        return [(Entry.from_row(row), self.delivery(row["sha256"], row["email"])) for row in rows]

    # -- reading -------------------------------------------------------------

    def made_here(self, path: Path) -> Entry | None:
        """The latest record for `path` if the file on disk is still the one recorded."""
        row = self.db.execute("SELECT * FROM leaflets WHERE path = ? AND state = 'done' ORDER BY id DESC LIMIT 1",
                              (key(path),)).fetchone()
        if row is not None and sha256_of(path) == row["sha256"]:
            return Entry.from_row(row)
        return None

    def is_print_file(self, path: Path) -> bool:
        """Is the file at `path` exactly a print file recorded here?"""
        rows = self.db.execute("SELECT sha256 FROM print_files WHERE path = ?", (key(path),)).fetchall()
        return bool(rows) and sha256_of(path) in {row["sha256"] for row in rows}

    def is_leaflet(self, path: Path) -> bool:
        """Was a leaflet ever recorded at `path`?"""
        return self.db.execute("SELECT 1 FROM leaflets WHERE path = ? AND state = 'done' LIMIT 1",
                               (key(path),)).fetchone() is not None

    def query(self, patient: str | None = None, since: dt.date | None = None,
              leaflet_date: dt.date | None = None) -> list[dict]:
        """The leaflets made, with local times and what became of each email."""
        rows = self._select("SELECT *, (SELECT status FROM messages m WHERE m.sha256 = leaflets.sha256 AND "
                            "m.address = leaflets.email ORDER BY m.id DESC LIMIT 1) AS message "
                            "FROM leaflets WHERE state = 'done'", patient, since, leaflet_date)
        return [{**{k: row[k] for k in row.keys() if k not in ("state", "inputs", "message")},
                 "made_at": local_time(row["made_at"]),
                 "email_status": _email_words(row["message"]) if row["email"] else ""} for row in rows]

    def entry(self, entry: int) -> Entry | None:
        """The finished record with this id."""
        row = self.db.execute("SELECT * FROM leaflets WHERE id = ? AND state = 'done'", (entry,)).fetchone()
        return None if row is None else Entry.from_row(row)

    def last_clinician(self) -> str | None:
        """Who prepared the latest leaflet that names a clinician: the likely one for the next."""
        row = self.db.execute("SELECT clinician FROM leaflets WHERE state = 'done' AND clinician != '' "
                              "ORDER BY id DESC LIMIT 1").fetchone()
        return row["clinician"] if row else None

    def _select(self, sql: str, patient: str | None, since: dt.date | None,
                leaflet_date: dt.date | None = None) -> list[sqlite3.Row]:
        condition, args = conditions(patient, since, "made_at")
        sql += condition
        if leaflet_date:
            sql += " AND leaflet_date = ?"
            args.append(leaflet_date.isoformat())
        return self.db.execute(sql + " ORDER BY id", args).fetchall()


def conditions(patient: str | None, since: dt.date | None, time_column: str) -> tuple[str, list[str]]:
    """SQL to add to a WHERE clause, and its values: rows whose patient's name holds `patient` (or whose
    patient id is exactly it), from the day `since` on by `time_column`. Typed text is matched as it is:
    % and _ are not wildcards."""
    sql, args = "", []
    if patient:
        sql += " AND (patient LIKE ? ESCAPE '\\' OR patient_id = ?)"
        args += [f"%{_escape_like(patient)}%", patient]
    if since:
        sql += f" AND {time_column} >= ?"
        args.append(start_of(since))
    return sql, args


def _email_words(status: str | None) -> str:
    """What became of a leaflet's email, by its latest message's status (None: it has none)."""
    return MessageStatus(status).words() if status else NOT_SENT_YET


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _computer_user() -> str:
    """Who runs this command, as the computer knows them."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for this user id (a container's), nor USER or LOGNAME set
        return f"uid {os.getuid()}"
