"""The history's SQLite file: its tables, creating it privately, bringing an older one up to date, and
saying in one line why it cannot be opened, read or written."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from ..errors import HandoutsError
from ..output import folder_in_the_way, private_folder
from .messages import MESSAGES_INDEX, MESSAGES_TABLE, allow_every_status

SCHEMA = """
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
""" + MESSAGES_TABLE + ";\n" + MESSAGES_INDEX + ";\n" + """
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
# Columns of leaflets added since the first release; older histories gain them empty.
_ADDED_COLUMNS = ("email", "sessions", "appointment", "made_by", "language", "bilingual")


class HistoryError(HandoutsError):
    """The history database cannot be opened, read or written."""


class Database(sqlite3.Connection):
    """A connection whose every failed statement is a HistoryError naming the file."""

    path: Path

    def execute(self, sql, parameters=()):
        try:
            return super().execute(sql, parameters)
        except sqlite3.Error as exc:
            doing = "read" if sql.lstrip().upper().startswith("SELECT") else "write"
            raise history_error(self.path, doing, exc) from None

    def executescript(self, script):
        try:
            return super().executescript(script)
        except sqlite3.Error as exc:
            raise history_error(self.path, "write", exc) from None


def connect(path: Path, *, read_only: bool) -> Database:
    """The database at `path`, created (private, with every table) and brought up to date unless `read_only`."""
    try:
        if read_only:
            # Without a -wal file everything is in the main file: read just that,
            # so SQLite leaves no -shm file behind (and a read-only disk works).
            wal = path.with_name(path.name + "-wal")
            mode = "mode=ro" if wal.exists() else "immutable=1"
            db = sqlite3.connect(f"{path.resolve().as_uri()}?{mode}", uri=True, timeout=30,
                                 isolation_level=None, factory=Database)
        else:
            _create_private(path)
            db = sqlite3.connect(path, timeout=30, isolation_level=None, factory=Database)
    except sqlite3.Error as exc:
        raise history_error(path, "open", exc) from None
    db.path = path
    if not read_only:
        db.execute("PRAGMA journal_mode=WAL")
        db.executescript(SCHEMA)
        have = {row[1] for row in db.execute("PRAGMA table_info(leaflets)")}
        for column in _ADDED_COLUMNS:
            if column not in have:
                db.execute(f"ALTER TABLE leaflets ADD COLUMN {column} TEXT NOT NULL DEFAULT ''")
        _try_writing(db)
        allow_every_status(db)
    db.row_factory = sqlite3.Row
    return db


def _try_writing(db: Database) -> None:
    # Opening and reading work on a read-only database; only a write tells.
    version = db.execute("PRAGMA user_version").fetchone()[0]
    db.execute("BEGIN IMMEDIATE")
    try:
        db.execute(f"PRAGMA user_version = {int(version)}")
    finally:
        db.execute("ROLLBACK")


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


def history_error(path: Path, doing: str, exc: sqlite3.Error) -> HistoryError:
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

