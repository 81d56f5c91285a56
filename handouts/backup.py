"""Backups that restore: `handouts backup DIR` and `handouts restore ARCHIVE NEWDIR`.

A backup is one dated archive (a .tar.gz readable by its owner only) holding
what a clinic folder needs to carry on elsewhere:

    content.toml, templates/     the clinic's content and wording
    handouts-tls/                the desk's HTTPS certificate, if it has one
    output/handouts-history.sqlite3
                                 the history, with the staff accounts; copied
                                 through SQLite's backup API, so the copy is
                                 consistent even while a batch or the desk
                                 writes; signed-in sessions are left out
    output/...                   the leaflets, print files and outbox
                                 (unless leaflets=False)
    handouts-backup.json         what the archive holds, with a SHA-256 per
                                 file, written last

Restoring makes a new clinic folder from it (never over an existing one):
every file is checked against the list, and the history's leaflets point at
the new folder.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import tarfile
import tempfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from . import clock
from .errors import HandoutsError
from .folder import CONTENT, DEFAULT_HISTORY, OUTPUT, TEMPLATES, TLS
from .output import NewFile, OutputExistsError, private_folder

FORMAT = "handouts-backup"
VERSION = 1
MANIFEST = "handouts-backup.json"
HISTORY = DEFAULT_HISTORY.as_posix()  # where the archive holds it, whatever --history said
_TOPS = {CONTENT, TEMPLATES, OUTPUT, TLS, MANIFEST}
_CHUNK = 1 << 20

Progress = Callable[[str], None]  # called with each file's name in the archive once it is in


class BackupError(HandoutsError):
    """A backup cannot be written, or an archive cannot be restored."""


@dataclass(frozen=True)
class ClinicFiles:
    """Where a clinic folder's parts are (the same options every command takes)."""
    content: Path
    templates: Path
    history: Path
    output: Path


def backup_members(clinic: ClinicFiles, leaflets: bool) -> list[tuple[str, Path]]:
    """(name in the archive, file) for every file to back up except the history."""
    if not clinic.content.is_file():
        raise BackupError(f"{clinic.content}: content file not found; run backup in the clinic folder, or pass "
                          "--content PATH")
    members = [(CONTENT, clinic.content)]
    members += _tree(TEMPLATES, clinic.templates)
    members += _tree(TLS, clinic.content.resolve().parent / TLS)
    if leaflets:
        # The history goes in as its own consistent copy; its -wal, -shm and lock files, and the hidden
        # part-files of leaflets being written, stay out.
        history = clinic.history.resolve()
        members += [(name, path) for name, path in _tree(OUTPUT, clinic.output)
                    if not (path.parent.resolve() == history.parent and path.name.startswith(history.name))
                    and not path.name.startswith(".")]
    return members


def _tree(top: str, folder: Path) -> list[tuple[str, Path]]:
    if not folder.is_dir():
        return []
    return [(f"{top}/{path.relative_to(folder).as_posix()}", path) for path in sorted(folder.rglob("*"))
            if path.is_file() and not path.is_symlink()]


def write_backup(clinic: ClinicFiles, folder: Path, *, leaflets: bool = True,
                 progress: Progress = lambda name: None) -> Path:
    """Write one dated archive into `folder` (made, owner-only, if missing); return its path."""
    if folder.resolve().is_relative_to(clinic.output.resolve()):
        raise BackupError(f"{folder} is inside the leaflets folder {clinic.output}, so each backup would hold the "
                          "ones before it; back up to a folder outside it (best: another disk)")
    members = backup_members(clinic, leaflets)
    listed = []
    stamp = clock.now()
    with tempfile.TemporaryDirectory(prefix="handouts-backup-") as scratch:
        history = _history_copy(clinic.history, Path(scratch) / "history.sqlite3")
        if history is not None:
            members.append((HISTORY, history))
        try:
            private_folder(folder)
        except OSError as exc:
            raise BackupError(f"cannot make the backup folder {folder}: {exc.strerror or exc}") from None
        with NewFile(folder / "backup.part") as archive:
            with tarfile.open(fileobj=archive, mode="w|gz") as tar:
                for name, path in members:
                    listed.append(_add(tar, name, path))
                    progress(name)
                manifest = {"format": FORMAT, "version": VERSION, "made_at": stamp.isoformat(timespec="seconds"),
                            "folder": str(clinic.content.resolve().parent), "output": str(clinic.output.resolve()),
                            "leaflets": leaflets, "history": history is not None, "files": listed}
                data = json.dumps(manifest, indent=1, ensure_ascii=False).encode("utf-8")
                _add_bytes(tar, MANIFEST, data)
            return _claim_dated(archive, folder, stamp)


def _claim_dated(archive: NewFile, folder: Path, stamp: dt.datetime) -> Path:
    base = f"handouts-backup-{stamp:%Y-%m-%d-%H%M}"
    for number in range(1, 1000):
        path = folder / f"{base}{'' if number == 1 else f'-{number}'}.tar.gz"
        try:
            archive.claim(path)
            return path
        except OutputExistsError:
            continue
    raise BackupError(f"{folder} already holds 999 backups made this minute; choose another folder")


def _history_copy(source: Path, copy: Path) -> Path | None:
    """A consistent copy of the history through SQLite's backup API, without the signed-in sessions."""
    if not source.is_file():
        return None
    try:
        reader = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True, timeout=30)
        try:
            writer = sqlite3.connect(copy)
            with writer:
                reader.backup(writer)
            tables = {row[0] for row in writer.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if "web_sessions" in tables:
                with writer:
                    writer.execute("DELETE FROM web_sessions")
            writer.execute("PRAGMA journal_mode=DELETE")
            writer.execute("VACUUM")  # the sessions' pages are gone from the file, not just unlinked
            writer.close()
        finally:
            reader.close()
    except sqlite3.Error as exc:
        raise BackupError(f"cannot copy the history {source}: {exc}") from None
    return copy


def _add(tar: tarfile.TarFile, name: str, path: Path) -> dict:
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        raise BackupError(f"cannot read {path}: {exc.strerror or exc}") from None
    _add_bytes(tar, name, data)
    return {"name": name, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = len(data), 0o600, int(clock.now().timestamp())
    tar.addfile(info, io.BytesIO(data))


# -- restoring ---------------------------------------------------------------------------------


def restore_backup(archive: Path, new_folder: Path, progress: Progress = lambda name: None) -> dict:
    """Make the clinic folder `new_folder` from `archive`; return the archive's manifest."""
    if new_folder.exists() and (not new_folder.is_dir() or any(new_folder.iterdir())):
        raise BackupError(f"{new_folder} already exists; restore never writes over a folder: name a new one")
    parent = new_folder.absolute().parent
    try:
        private_folder(parent)
        scratch = Path(tempfile.mkdtemp(prefix=f".{new_folder.name}.restoring-", dir=parent))
    except OSError as exc:
        raise BackupError(f"cannot make {new_folder}: {exc.strerror or exc}") from None
    try:
        manifest = _extract(archive, scratch, progress)
        if manifest["history"]:
            _repoint_history(scratch / HISTORY, manifest, new_folder.absolute())
        try:
            os.rename(scratch, new_folder)  # in one step; an empty folder made meanwhile is replaced
        except OSError as exc:
            raise BackupError(f"cannot make {new_folder}: {exc.strerror or exc}") from None
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return manifest


def _extract(archive: Path, into: Path, progress: Progress) -> dict:
    """Every file of `archive` into `into` (owner-only), checked against its manifest."""
    damaged = f"{archive} is damaged or not a handouts backup"
    seen: dict[str, dict] = {}
    manifest = None
    try:
        with tarfile.open(archive, mode="r|gz") as tar:
            for member in tar:
                name = _safe_name(member, archive)
                data = tar.extractfile(member).read()
                if name == MANIFEST:
                    manifest = _manifest(data, archive)
                    continue
                seen[name] = {"name": name, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
                _write_private(into, name, data)
                progress(name)
    except FileNotFoundError:
        raise BackupError(f"{archive}: no such file") from None
    except (tarfile.TarError, EOFError, zlib.error, OSError, AttributeError) as exc:
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else "it ends too soon or is corrupt"
        raise BackupError(f"{damaged} ({why}); use another copy of the backup") from None
    if manifest is None:
        raise BackupError(f"{archive} is not a handouts backup (it has no {MANIFEST}, or it was cut short); use "
                          "another copy of the backup")
    listed = {entry["name"]: entry for entry in manifest["files"]}
    if listed != seen:
        wrong = sorted(set(listed) ^ set(seen)) or sorted(n for n in listed if listed[n] != seen[n])
        raise BackupError(f"{archive} is damaged: {wrong[0]} is not as it was backed up; use another copy of "
                          "the backup")
    return manifest


def _safe_name(member: tarfile.TarInfo, archive: Path) -> str:
    path = PurePosixPath(member.name)
    if (not member.isfile() or path.is_absolute() or ".." in path.parts or not path.parts
            or path.parts[0] not in _TOPS or (path.parts[0] in (CONTENT, MANIFEST) and len(path.parts) > 1)):
        raise BackupError(f"{archive} is not a handouts backup: it holds {member.name!r}, which a backup never "
                          "does; restore nothing from it")
    return str(path)


def _manifest(data: bytes, archive: Path) -> dict:
    try:
        manifest = json.loads(data.decode("utf-8"))
        if manifest.get("format") != FORMAT:
            raise ValueError
        if manifest.get("version") != VERSION:
            raise BackupError(f"{archive} was made by a newer handouts (backup version {manifest.get('version')}); "
                              "upgrade handouts, then restore it")
        assert isinstance(manifest["files"], list) and all({"name", "size", "sha256"} <= set(f)
                                                            for f in manifest["files"])
    except (ValueError, KeyError, TypeError, AssertionError, AttributeError):
        raise BackupError(f"{archive} is not a handouts backup (its {MANIFEST} is not one)") from None
    return manifest


def _write_private(into: Path, name: str, data: bytes) -> None:
    path = into / name
    private_folder(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def _repoint_history(history: Path, manifest: dict, new_folder: Path) -> None:
    """The leaflets, print files and print jobs of the old folder, found in the new one."""
    old_output = manifest["output"].rstrip("/")
    new_output = str(new_folder / OUTPUT)
    try:
        db = sqlite3.connect(history)
        with db:
            for table in _tables_with_paths(db):
                db.execute(f"UPDATE {table} SET path = ? || substr(path, ?) WHERE substr(path, 1, ?) = ?",
                           (new_output, len(old_output) + 1, len(old_output) + 1, old_output + "/"))
        check = db.execute("PRAGMA integrity_check").fetchone()[0]
        db.close()
    except sqlite3.Error as exc:
        raise BackupError(f"the history in the backup cannot be read ({exc}); use another copy of the backup") \
            from None
    if check != "ok":
        raise BackupError(f"the history in the backup is damaged ({check}); use another copy of the backup")


def _tables_with_paths(db: sqlite3.Connection) -> Iterator[str]:
    for (table,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall():
        if table in ("leaflets", "print_files", "print_jobs"):
            yield table
