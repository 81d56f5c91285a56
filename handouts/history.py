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
"""


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
                         "made_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")})
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

    # -- reading -------------------------------------------------------------

    def made_here(self, path: Path) -> sqlite3.Row | None:
        """The latest record for `path` if the file on disk is still the one recorded."""
        row = self.db.execute("SELECT * FROM leaflets WHERE path = ? AND state = 'done' ORDER BY id DESC LIMIT 1",
                              (_key(path),)).fetchone()
        if row is not None and _sha256(path) == row["sha256"]:
            return row
        return None

    def query(self, patient: str | None = None, since: dt.date | None = None) -> list[dict]:
        sql = "SELECT * FROM leaflets WHERE state = 'done'"
        args: list = []
        if patient:
            sql += " AND (patient LIKE ? OR patient_id = ?)"
            args += [f"%{patient}%", patient]
        if since:
            sql += " AND made_at >= ?"
            args.append(since.isoformat())
        rows = self.db.execute(sql + " ORDER BY id", args).fetchall()
        return [{k: row[k] for k in row.keys() if k not in ("state", "inputs")} for row in rows]


_COLUMNS = ("made_at", "patient", "patient_id", "procedures", "scars", "clinician", "leaflet_date",
            "content_version", "template_version", "path", "sha256")


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
    shown = ("made_at", "patient", "patient_id", "procedures", "content_version", "path")
    table = [[c.upper().replace("_", " ") for c in shown]]
    table += [[_near(r[c]) if c == "path" else str(r[c]) for c in shown] for r in rows]
    widths = [max(len(line[i]) for line in table) for i in range(len(shown))]
    return "".join("  ".join(cell.ljust(w) for cell, w in zip(line, widths)).rstrip() + "\n" for line in table)


def _near(path: str) -> str:
    """A path relative to the current folder when it lies inside it."""
    try:
        return str(Path(path).relative_to(Path.cwd()))
    except ValueError:
        return path


def _key(path: Path) -> str:
    return str(Path(path).resolve())


def _sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None
