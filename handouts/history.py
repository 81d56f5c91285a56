"""The record of every leaflet made: who got what, from which content version.

Each leaflet is recorded in three steps around the moment its file gets its
name: a 'pending' row is committed first, the file is renamed into place,
then the row is marked 'done'. `recover()` settles what a crash left between
those steps, so a finished record always has its file and a file made by
handouts always has its record.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import sqlite3
from dataclasses import asdict, dataclass
from pathlib import Path

from .errors import HandoutsError
from .output import write_file

DEFAULT_HISTORY = Path("output") / "handouts-history.sqlite3"

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
CREATE TABLE IF NOT EXISTS messages (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    address TEXT NOT NULL,
    sha256 TEXT NOT NULL,  -- of the leaflet as made, before any encryption
    encrypted INTEGER NOT NULL,
    message_id TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('sending', 'sent', 'outbox', 'failed')),
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS messages_leaflet ON messages (sha256, address);
"""

# Statuses that mean the patient has (or may have) the message already.
DELIVERED = ("sending", "sent", "outbox")


@dataclass(frozen=True)
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


class History:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.executescript(_SCHEMA)
            # Columns added since the first release; older histories gain them empty.
            have = {row[1] for row in self.db.execute("PRAGMA table_info(leaflets)")}
            for column in ("email", "sessions", "appointment"):
                if column not in have:
                    self.db.execute(f"ALTER TABLE leaflets ADD COLUMN {column} TEXT NOT NULL DEFAULT ''")
        except sqlite3.DatabaseError as exc:
            raise HandoutsError(f"{self.path}: cannot open the history database: {exc}") from None
        self.db.row_factory = sqlite3.Row
        self.recover()

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
                         "made_at": _now()})
        entry = None

        def register():
            nonlocal entry
            columns = ", ".join(asdict(done))
            marks = ", ".join(f":{name}" for name in asdict(done))
            entry = self.db.execute(f"INSERT INTO leaflets ({columns}, state) VALUES ({marks}, 'pending')",
                                    asdict(done)).lastrowid

        try:
            write_file(path, data, overwrite=overwrite, before_claim=register)
        except BaseException:
            if entry is not None:
                self.db.execute("DELETE FROM leaflets WHERE id = ?", (entry,))
            raise
        self.db.execute("UPDATE leaflets SET state = 'done' WHERE id = ?", (entry,))

    def recover(self) -> None:
        """Settle rows a crash left pending: keep those whose file arrived."""
        for row in self.db.execute("SELECT id, path, sha256 FROM leaflets WHERE state = 'pending'").fetchall():
            arrived = _sha256(Path(row["path"])) == row["sha256"]
            if arrived:
                self.db.execute("UPDATE leaflets SET state = 'done' WHERE id = ?", (row["id"],))
            else:
                self.db.execute("DELETE FROM leaflets WHERE id = ?", (row["id"],))

    # -- messages ------------------------------------------------------------

    def delivery(self, sha256: str, address: str) -> sqlite3.Row | None:
        """The message that already took (or may have taken) this leaflet to this address."""
        marks = ", ".join("?" * len(DELIVERED))
        return self.db.execute(f"SELECT * FROM messages WHERE sha256 = ? AND address = ? AND status IN ({marks}) "
                               "ORDER BY id DESC LIMIT 1", (sha256, address, *DELIVERED)).fetchone()

    def was_encrypted(self, sha256: str, address: str) -> bool:
        return self.db.execute("SELECT 1 FROM messages WHERE sha256 = ? AND address = ? AND encrypted = 1",
                               (sha256, address)).fetchone() is not None

    def start_message(self, sha256: str, address: str, message_id: str, *, encrypted: bool) -> int:
        """Committed before the message leaves, so a crash can never hide that it may have gone."""
        return self.db.execute("INSERT INTO messages (at, address, sha256, encrypted, message_id, status) "
                               "VALUES (?, ?, ?, ?, ?, 'sending')",
                               (_now(), address, sha256, int(encrypted), message_id)).lastrowid

    def finish_message(self, entry: int, status: str, detail: str = "") -> None:
        self.db.execute("UPDATE messages SET status = ?, detail = ?, at = ? WHERE id = ?",
                        (status, detail, _now(), entry))

    def forget_message(self, entry: int) -> None:
        """For a message that certainly never left (no connection was made)."""
        self.db.execute("DELETE FROM messages WHERE id = ?", (entry,))

    def set_email(self, path: Path, address: str) -> None:
        self.db.execute("UPDATE leaflets SET email = ? WHERE id = (SELECT max(id) FROM leaflets WHERE path = ? "
                        "AND state = 'done')", (address, _key(path)))

    def to_send(self, patient: str | None = None, since: dt.date | None = None,
                *, include_sent: bool = False) -> list[sqlite3.Row]:
        """The latest leaflet per file that has an address and (unless `include_sent`) no message yet."""
        rows = self._select("SELECT * FROM leaflets l WHERE state = 'done' AND email != '' AND id = "
                            "(SELECT max(id) FROM leaflets WHERE path = l.path AND state = 'done')",
                            patient, since)
        return [row for row in rows if include_sent or self.delivery(row["sha256"], row["email"]) is None]

    # -- reading -------------------------------------------------------------

    def made_here(self, path: Path) -> sqlite3.Row | None:
        """The latest record for `path` if the file on disk is still the one recorded."""
        row = self.db.execute("SELECT * FROM leaflets WHERE path = ? AND state = 'done' ORDER BY id DESC LIMIT 1",
                              (_key(path),)).fetchone()
        if row is not None and _sha256(path) == row["sha256"]:
            return row
        return None

    def query(self, patient: str | None = None, since: dt.date | None = None,
              leaflet_date: dt.date | None = None) -> list[dict]:
        """The leaflets made, with local times and what became of each email."""
        rows = self._select("SELECT *, (SELECT status FROM messages m WHERE m.sha256 = leaflets.sha256 AND "
                            "m.address = leaflets.email ORDER BY m.id DESC LIMIT 1) AS message "
                            "FROM leaflets WHERE state = 'done'", patient, since, leaflet_date)
        return [{**{k: row[k] for k in row.keys() if k not in ("state", "inputs", "message")},
                 "made_at": _local(row["made_at"]),
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
        args: list = []
        if patient:
            sql += " AND (patient LIKE ? OR patient_id = ?)"
            args += [f"%{patient}%", patient]
        if since:
            sql += " AND made_at >= ?"
            args.append(_start_of(since))
        if leaflet_date:
            sql += " AND leaflet_date = ?"
            args.append(leaflet_date.isoformat())
        return self.db.execute(sql + " ORDER BY id", args).fetchall()


_COLUMNS = ("made_at", "patient", "patient_id", "procedures", "scars", "sessions", "appointment", "clinician",
            "leaflet_date", "content_version", "template_version", "path", "sha256", "email", "email_status")
# A message's status as staff read it ("sending" is a run stopped mid-way: it may have gone).
EMAIL_STATUS = {None: "not sent yet", "sent": "sent", "outbox": "written to outbox", "failed": "failed",
                "sending": "may have gone out", "uncertain": "may have gone out", "trying": "not sent yet"}


def format_history(rows: list[dict], fmt: str) -> str:
    """Rows as an aligned table, CSV or JSON."""
    if fmt == "json":
        return json.dumps(rows, indent=2, ensure_ascii=False) + "\n"
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=_COLUMNS, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return out.getvalue()
    if not rows:
        return "No leaflets recorded.\n"
    shown = ("made_at", "patient", "patient_id", "leaflet_date", "procedures", "content_version", "email_status",
             "path")
    table = [[c.upper().replace("_", " ").replace(" STATUS", "") for c in shown]]
    table += [[near(r[c]) if c == "path" else r[c][:16].replace("T", " ") if c == "made_at" else str(r[c])
               for c in shown] for r in rows]
    widths = [max(len(line[i]) for line in table) for i in range(len(shown))]
    return "".join("  ".join(cell.ljust(w) for cell, w in zip(line, widths)).rstrip() + "\n" for line in table)


def near(path: str) -> str:
    """A path relative to the current folder when it lies inside it."""
    try:
        return str(Path(path).relative_to(Path.cwd()))
    except ValueError:
        return path


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def _key(path: Path) -> str:
    return str(Path(path).resolve())


def _sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _local(stored: str) -> str:
    """A time as stored (UTC) in this computer's time zone, with its offset."""
    return dt.datetime.fromisoformat(stored).astimezone().isoformat(timespec="seconds")


def _start_of(day: dt.date) -> str:
    """The stored (UTC) form of the moment `day` begins here."""
    return dt.datetime.combine(day, dt.time()).astimezone().astimezone(dt.timezone.utc).isoformat(timespec="seconds")
