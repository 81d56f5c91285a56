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

import csv
import datetime as dt
import fcntl
import getpass
import hashlib
import io
import json
import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from . import clock
from .errors import HandoutsError
from .output import NewFile, folder_in_the_way, private_folder, write_file


_MESSAGES = """
CREATE TABLE IF NOT EXISTS messages (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    address TEXT NOT NULL,
    sha256 TEXT NOT NULL,  -- of the leaflet as made, before any encryption
    encrypted INTEGER NOT NULL,
    message_id TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('trying', 'sending', 'sent', 'outbox', 'failed', 'uncertain')),
    detail TEXT NOT NULL DEFAULT ''
)
"""
_MESSAGES_INDEX = "CREATE INDEX IF NOT EXISTS messages_leaflet ON messages (sha256, address)"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS leaflets (
    id INTEGER PRIMARY KEY,
    made_at TEXT NOT NULL,
    patient TEXT NOT NULL,
    patient_id TEXT NOT NULL DEFAULT '',
    procedures TEXT NOT NULL,
    scars TEXT NOT NULL,
    clinician TEXT NOT NULL DEFAULT '',
    leaflet_date TEXT NOT NULL,
    content_version TEXT NOT NULL,
    template_version TEXT NOT NULL,
    inputs TEXT NOT NULL,
    path TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'done'))
);
CREATE INDEX IF NOT EXISTS leaflets_path ON leaflets (path);
CREATE INDEX IF NOT EXISTS leaflets_patient ON leaflets (patient);
""" + _MESSAGES + ";\n" + _MESSAGES_INDEX + ";\n" + """
CREATE TABLE IF NOT EXISTS print_files (
    id INTEGER PRIMARY KEY,
    made_at TEXT NOT NULL,
    path TEXT NOT NULL,
    sha256 TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS print_files_path ON print_files (path);
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    who TEXT NOT NULL,  -- a staff username on the front desk; the computer's user on the command line
    action TEXT NOT NULL,  -- 'downloaded', 'printed', 'emailed', 'signed in', ...
    leaflet INTEGER,  -- the leaflets row it was done to, if any
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS audit_leaflet ON audit (leaflet);
CREATE TABLE IF NOT EXISTS print_jobs (
    id INTEGER PRIMARY KEY,
    sent_at TEXT NOT NULL,
    path TEXT NOT NULL,
    printer TEXT NOT NULL,
    job TEXT NOT NULL
);
"""

# A message's status:
#   trying     recorded before anything is handed over; a run that stops here sent nothing
#   sending    the end of the message is being handed over (to the server, or into the outbox)
#   sent       the server accepted it
#   outbox     written to the outbox folder: someone still has to send it from a mail program
#   failed     not sent or written; the next `send` tries again
#   uncertain  handed over without an answer, or a run stopped while handing it over: it may have gone out
# Statuses that mean the patient has (or may have) the message already.
DELIVERED = ("sending", "sent", "outbox", "uncertain")


class HistoryBusy(HandoutsError):
    """Another run is emailing from this history."""


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
    path: str = ""
    sha256: str = ""
    made_at: str = ""
    made_by: str = ""  # set by the History that writes it: who is using it


class HistoryError(HandoutsError):
    """The history database cannot be opened, read or written."""


class _Database(sqlite3.Connection):
    """A connection whose every failed statement is a HistoryError naming the file."""

    path: Path

    def execute(self, sql, parameters=()):
        try:
            return super().execute(sql, parameters)
        except sqlite3.Error as exc:
            doing = "read" if sql.lstrip().upper().startswith("SELECT") else "write"
            raise _history_error(self.path, doing, exc) from None

    def executescript(self, script):
        try:
            return super().executescript(script)
        except sqlite3.Error as exc:
            raise _history_error(self.path, "write", exc) from None


class History:
    def __init__(self, path: str | Path, *, read_only: bool = False, who: str = ""):
        """Open (and create, unless `read_only`) the history at `path`, for `who` (recorded as having made
        each leaflet and done each action written through it).

        A writable history is tried for writing at once, so a read-only one
        stops a run before any leaflet is drawn.
        """
        self.path = Path(path)
        self.who = who or _computer_user()
        try:
            if read_only:
                # Without a -wal file everything is in the main file: read just that,
                # so SQLite leaves no -shm file behind (and a read-only disk works).
                wal = self.path.with_name(self.path.name + "-wal")
                mode = "mode=ro" if wal.exists() else "immutable=1"
                self.db = sqlite3.connect(f"{self.path.resolve().as_uri()}?{mode}", uri=True, timeout=30,
                                          isolation_level=None, factory=_Database)
            else:
                _create_private(self.path)
                self.db = sqlite3.connect(self.path, timeout=30, isolation_level=None, factory=_Database)
        except sqlite3.Error as exc:
            raise _history_error(self.path, "open", exc) from None
        self.db.path = self.path
        if not read_only:
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.executescript(_SCHEMA)
            # Columns added since the first release; older histories gain them empty.
            have = {row[1] for row in self.db.execute("PRAGMA table_info(leaflets)")}
            for column in ("email", "sessions", "appointment", "made_by"):
                if column not in have:
                    self.db.execute(f"ALTER TABLE leaflets ADD COLUMN {column} TEXT NOT NULL DEFAULT ''")
            self._try_writing()
            _allow_every_status(self.db)
        self.db.row_factory = sqlite3.Row
        if not read_only:
            self.recover()

    @classmethod
    def if_exists(cls, path: str | Path) -> History | None:
        """The history opened read-only, or None where there is none yet: for runs that write nothing."""
        return cls(path, read_only=True) if Path(path).exists() else None

    def _try_writing(self) -> None:
        # Opening and reading work on a read-only database; only a write tells.
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        self.db.execute("BEGIN IMMEDIATE")
        try:
            self.db.execute(f"PRAGMA user_version = {int(version)}")
        finally:
            self.db.execute("ROLLBACK")

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> History:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- writing a leaflet with its record -------------------------------

    def write_leaflet(self, path: Path, data: bytes, record: Record, *, overwrite: bool) -> None:
        """Write the file and its record so that neither exists without the other."""
        done = Record(**{**asdict(record), "path": _key(path), "sha256": hashlib.sha256(data).hexdigest(),
                         "made_at": _now(), "made_by": self.who})
        entry = self._recorded("leaflets", {**asdict(done), "state": "pending"},
                               lambda register: write_file(path, data, overwrite=overwrite, before_claim=register))
        if not self.db.execute("UPDATE leaflets SET state = 'done' WHERE id = ?", (entry,)).rowcount:
            # Another run opened the history between the two steps, took the pending row for one a crash
            # left (its file had not arrived yet) and removed it: the file has arrived, so it is recorded.
            entry = self._insert("leaflets", {**asdict(done), "state": "done"})
        self.record_action("made", entry, path.name)

    def claim_print_file(self, new: NewFile, path: Path) -> None:
        """Give a print file written to `new` its name, replacing what is there, and record it as one."""
        self._recorded("print_files", {"made_at": _now(), "path": _key(path), "sha256": new.sha256.hexdigest()},
                       lambda register: new.claim(path, overwrite=True, before_claim=register))

    def record_print_job(self, path: Path, printer: str, job: str) -> None:
        """A PDF handed to a printer, and the printer's id for the job."""
        self.db.execute("INSERT INTO print_jobs (sent_at, path, printer, job) VALUES (?, ?, ?, ?)",
                        (_now(), _key(path), printer, job))
        row = self.db.execute("SELECT max(id) FROM leaflets WHERE path = ? AND state = 'done'",
                              (_key(path),)).fetchone()
        self.record_action("printed", row[0], f"on {printer} (job {job})")

    def record_action(self, action: str, leaflet: int | None = None, detail: str = "") -> None:
        """What `who` did (to leaflet number `leaflet`, if one), for the audit trail."""
        self.db.execute("INSERT INTO audit (at, who, action, leaflet, detail) VALUES (?, ?, ?, ?, ?)",
                        (_now(), self.who, action, leaflet, detail))

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
            arrived = _sha256(Path(row["path"])) == row["sha256"]
            if arrived:
                self.db.execute("UPDATE leaflets SET state = 'done' WHERE id = ?", (row["id"],))
            else:
                self.db.execute("DELETE FROM leaflets WHERE id = ?", (row["id"],))
        if self.db.execute("SELECT 1 FROM messages WHERE status IN ('trying', 'sending') LIMIT 1").fetchone():
            with self._email_lock() as held:
                if held:  # otherwise another run is emailing now, and those rows are its own
                    self._settle_messages()

    # -- messages ------------------------------------------------------------

    @contextmanager
    def emailing(self) -> Iterator[None]:
        """Held while a run sends: messages left 'trying' or 'sending' are then a stopped run's, never a live one's."""
        with self._email_lock() as held:
            if not held:
                raise HistoryBusy(f"another handouts run is emailing from {self.path}; run this again once it "
                                  "has finished")
            self._settle_messages()
            yield

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
        self.db.execute("UPDATE messages SET status = 'failed', detail = 'a run stopped before sending it' "
                        "WHERE status = 'trying'")
        self.db.execute("UPDATE messages SET status = 'uncertain', detail = 'a run stopped while handing it over' "
                        "WHERE status = 'sending'")

    def delivery(self, sha256: str, address: str) -> sqlite3.Row | None:
        """The message that already took (or may have taken) this leaflet to this address."""
        marks = ", ".join("?" * len(DELIVERED))
        return self.db.execute(f"SELECT * FROM messages WHERE sha256 = ? AND address = ? AND status IN ({marks}) "
                               "ORDER BY id DESC LIMIT 1", (sha256, address, *DELIVERED)).fetchone()

    def was_encrypted(self, sha256: str, address: str) -> bool:
        return self.db.execute("SELECT 1 FROM messages WHERE sha256 = ? AND address = ? AND encrypted = 1",
                               (sha256, address)).fetchone() is not None

    def start_message(self, sha256: str, address: str, message_id: str, *, encrypted: bool) -> int:
        """Committed before anything leaves; `handing_over` marks the moment it may start to count as sent."""
        return self.db.execute("INSERT INTO messages (at, address, sha256, encrypted, message_id, status) "
                               "VALUES (?, ?, ?, ?, ?, 'trying')",
                               (_now(), address, sha256, int(encrypted), message_id)).lastrowid

    def handing_over(self, entry: int) -> None:
        """Committed just before the end of the message leaves, so a crash can never hide that it may have gone."""
        self.db.execute("UPDATE messages SET status = 'sending', at = ? WHERE id = ?", (_now(), entry))

    def finish_message(self, entry: int, status: str, detail: str = "") -> None:
        self.db.execute("UPDATE messages SET status = ?, detail = ?, at = ? WHERE id = ?",
                        (status, detail, _now(), entry))
        address, sha256 = self.db.execute("SELECT address, sha256 FROM messages WHERE id = ?", (entry,)).fetchone()
        leaflet = self.db.execute("SELECT max(id) FROM leaflets WHERE sha256 = ? AND state = 'done'",
                                  (sha256,)).fetchone()[0]
        self.record_action("email", leaflet, f"to {address}: {EMAIL_STATUS.get(status, status)}")

    def forget_message(self, entry: int) -> None:
        """For a message that certainly never left (no connection was made)."""
        self.db.execute("DELETE FROM messages WHERE id = ?", (entry,))

    def set_email(self, path: Path, address: str) -> None:
        self.db.execute("UPDATE leaflets SET email = ? WHERE id = (SELECT max(id) FROM leaflets WHERE path = ? "
                        "AND state = 'done')", (address, _key(path)))

    def to_send(self, patient: str | None = None, since: dt.date | None = None,
                *, include_sent: bool = False) -> list[sqlite3.Row]:
        """The latest leaflet per file that has an address and (unless `include_sent`) no message yet."""
        return [row for row, message in self.addressed(patient, since) if include_sent or message is None]

    def addressed(self, patient: str | None = None,
                  since: dt.date | None = None) -> list[tuple[sqlite3.Row, sqlite3.Row | None]]:
        """The latest leaflet per file that has an address, with the message that took it there (or None)."""
        rows = self._select("SELECT * FROM leaflets l WHERE state = 'done' AND email != '' AND id = "
                            "(SELECT max(id) FROM leaflets WHERE path = l.path AND state = 'done')",
                            patient, since)
        return [(row, self.delivery(row["sha256"], row["email"])) for row in rows]

    # -- reading -------------------------------------------------------------

    def made_here(self, path: Path) -> sqlite3.Row | None:
        """The latest record for `path` if the file on disk is still the one recorded."""
        row = self.db.execute("SELECT * FROM leaflets WHERE path = ? AND state = 'done' ORDER BY id DESC LIMIT 1",
                              (_key(path),)).fetchone()
        if row is not None and _sha256(path) == row["sha256"]:
            return row
        return None

    def is_print_file(self, path: Path) -> bool:
        """Is the file at `path` exactly a print file recorded here?"""
        rows = self.db.execute("SELECT sha256 FROM print_files WHERE path = ?", (_key(path),)).fetchall()
        return bool(rows) and _sha256(path) in {row["sha256"] for row in rows}

    def is_leaflet(self, path: Path) -> bool:
        """Was a leaflet ever recorded at `path`?"""
        return self.db.execute("SELECT 1 FROM leaflets WHERE path = ? AND state = 'done' LIMIT 1",
                               (_key(path),)).fetchone() is not None

    def query(self, patient: str | None = None, since: dt.date | None = None,
              leaflet_date: dt.date | None = None) -> list[dict]:
        """The leaflets made, with local times and what became of each email."""
        rows = self._select("SELECT *, (SELECT status FROM messages m WHERE m.sha256 = leaflets.sha256 AND "
                            "m.address = leaflets.email ORDER BY m.id DESC LIMIT 1) AS message "
                            "FROM leaflets WHERE state = 'done'", patient, since, leaflet_date)
        return [{**{k: row[k] for k in row.keys() if k not in ("state", "inputs", "message")},
                 "made_at": local_time(row["made_at"]),
                 "email_status": EMAIL_STATUS.get(row["message"], "") if row["email"] else ""} for row in rows]

    def entry(self, entry: int) -> sqlite3.Row | None:
        """The finished record with this id."""
        return self.db.execute("SELECT * FROM leaflets WHERE id = ? AND state = 'done'", (entry,)).fetchone()

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


_COLUMNS = ("made_at", "patient", "patient_id", "procedures", "scars", "sessions", "appointment", "clinician",
            "leaflet_date", "content_version", "template_version", "made_by", "path", "sha256", "email",
            "email_status")
# A message's status as staff read it ("sending" is a run stopped mid-way: it may have gone).
EMAIL_STATUS = {None: "not sent yet", "sent": "sent", "outbox": "written to outbox", "failed": "failed",
                "sending": "may have gone out", "uncertain": "may have gone out", "trying": "not sent yet"}


def format_history(rows: list[dict], fmt: str) -> str:
    """Rows as an aligned table, CSV or JSON."""
    if fmt == "json":
        return json.dumps(rows, indent=2, ensure_ascii=False) + "\n"
    if fmt == "csv":
        out = io.StringIO()
        # CRLF as RFC 4180 has it; it also makes the writer quote a cell holding a CR.
        writer = csv.DictWriter(out, fieldnames=_COLUMNS, extrasaction="ignore", lineterminator="\r\n")
        writer.writeheader()
        writer.writerows({column: spreadsheet_safe(row.get(column, "")) for column in _COLUMNS} for row in rows)
        return out.getvalue()
    if not rows:
        return "No leaflets recorded.\n"
    shown = ("made_at", "patient", "patient_id", "leaflet_date", "procedures", "content_version", "email_status",
             "made_by", "path")
    table = [[c.upper().replace("_", " ").replace(" STATUS", "") for c in shown]]
    table += [[near(r[c]) if c == "path" else r[c][:16].replace("T", " ") if c == "made_at" else str(r[c])
               for c in shown] for r in rows]
    widths = [max(len(line[i]) for line in table) for i in range(len(shown))]
    return "".join("  ".join(cell.ljust(w) for cell, w in zip(line, widths)).rstrip() + "\n" for line in table)


# A spreadsheet runs a cell that starts with one of these as a formula.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value) -> str:
    """A cell a spreadsheet shows as text, never runs: a leading quote, as spreadsheet-safe exports do."""
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


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


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _allow_every_status(db: sqlite3.Connection) -> None:
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
            db.execute(_MESSAGES)
            db.execute(_MESSAGES_INDEX)
            db.execute("INSERT INTO messages SELECT * FROM messages_before")
            db.execute("DROP TABLE messages_before")
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise


def near(path: str) -> str:
    """A path relative to the current folder when it lies inside it."""
    try:
        return str(Path(path).relative_to(Path.cwd()))
    except ValueError:
        return path


def _computer_user() -> str:
    """Who runs this command, as the computer knows them."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for this user id (a container's), nor USER or LOGNAME set
        return f"uid {os.getuid()}"


def _now() -> str:
    return clock.now().astimezone(dt.timezone.utc).isoformat(timespec="seconds")


def _create_private(path: Path) -> None:
    """Create the database file for its owner only, before SQLite opens it:
    SQLite gives its -wal, -shm and -journal files the same mode."""
    blocker = folder_in_the_way(path)
    if blocker is not None:
        raise HistoryError(f"{path}: cannot create the history database: {blocker} is a file, not a folder; "
                           "choose another with --history PATH")
    try:
        private_folder(path.parent)
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        pass
    except OSError as exc:
        raise HistoryError(f"{path}: cannot create the history database: {exc.strerror or exc}; "
                           "choose another place with --history PATH") from None


def _history_error(path: Path, doing: str, exc: sqlite3.Error) -> HistoryError:
    """One line: what failed, why in plain words, and how to get on."""
    detail = str(exc)
    reason, fix = detail, "choose another with --history PATH"
    if "readonly" in detail or doing != "read" and not _writable(path):
        reason, fix = "it is read-only", "make it writable, or choose another with --history PATH"
    elif "full" in detail or doing != "read" and _no_space(path):
        reason, fix = "the disk is full", "free some space, or choose another with --history PATH"
    elif "not a database" in detail:
        reason = "the file is not a database"
    elif "unable to open" in detail:
        reason = "the file cannot be opened"
    return HistoryError(f"{path}: cannot {doing} the history database: {reason}; {fix}")


def _writable(path: Path) -> bool:
    """Can the file and its folder (where SQLite keeps its journal) be written?"""
    return os.access(path.parent, os.W_OK) and (not path.exists() or os.access(path, os.W_OK))


def _no_space(path: Path) -> bool:
    # SQLite reports a full disk as "disk I/O error" when it fails to grow its -shm file.
    try:
        return os.statvfs(path.parent).f_bavail == 0
    except OSError:
        return False


def _key(path: Path) -> str:
    # The folder resolved, not the name: a symlink in the leaflet's place is replaced by the leaflet,
    # which must not be recorded under the link's old target (another patient's file).
    # A name that is not UTF-8 (a Latin-1 "café.pdf" from an old USB stick) holds escapes SQLite
    # cannot store; its bytes are written \xe9-style instead, the same way each time.
    path = Path(path)
    return os.fsencode(path.parent.resolve() / path.name).decode("utf-8", "backslashreplace")


def _sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def local_time(stored: str) -> str:
    """A time as stored (UTC) in this computer's time zone, with its offset."""
    return dt.datetime.fromisoformat(stored).astimezone().isoformat(timespec="seconds")


def start_of(day: dt.date) -> str:
    """The stored (UTC) form of the moment `day` begins here."""
    return dt.datetime.combine(day, dt.time()).astimezone().astimezone(dt.timezone.utc).isoformat(timespec="seconds")
