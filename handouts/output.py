"""Where leaflets are written, and writing them without ever losing a file.

A leaflet is written to a hidden temporary file in the target folder and only
then given its name, so an interrupted run never leaves a half-written PDF
under a real name. Without `overwrite` the name is claimed with a hard link,
which fails if the file appeared meanwhile: nobody else's file is replaced.
"""

from __future__ import annotations

import datetime as dt
import errno
import fcntl
import hashlib
import itertools
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

from unidecode import unidecode

from .errors import HandoutsError, OutputExistsError

MAX_SLUG = 60


def slug(name: str) -> str:
    """'Zoë Łukasz-Nguyễn' -> 'zoe-lukasz-nguyen'; only a-z, 0-9 and dashes.

    No dots or slashes survive, so a name can never point outside the folder.
    """
    ascii_name = unidecode(name).lower()
    words = re.findall(r"[a-z0-9]+", ascii_name)
    return "-".join(words)[:MAX_SLUG].strip("-") or "patient"


def default_path(folder: Path, date: dt.date, name: str) -> Path:
    return folder / f"{date.isoformat()}-{slug(name)}.pdf"


def numbered_names(path: Path) -> Iterator[Path]:
    """`path`, then path-2, path-3...: the names a file takes, in order, where the one before is taken."""
    yield path
    for number in itertools.count(2):
        yield path.with_name(f"{path.stem}-{number}{path.suffix}")


def private_folder(folder: Path) -> None:
    """Create `folder` and whichever of its parents are missing for their owner only (0700): the names of
    the files in them are patients' names. A folder that is already there is left as it is."""
    missing = []
    for parent in (folder, *folder.parents):
        if parent.is_dir():
            break
        missing.append(parent)
    for new in reversed(missing):
        try:
            new.mkdir(mode=0o700)
        except FileExistsError:
            continue  # made meanwhile by another program
        os.chmod(new, 0o700)  # whatever the umask


def write_file(path: Path, data: bytes, *, overwrite: bool = False, before_claim=None) -> None:
    """Write `data` to `path` in one step; refuse to replace it unless asked.

    `before_claim` runs once the data is safely on disk, just before the file
    takes its name (the history records the leaflet there).
    """
    if not overwrite and path.exists():
        raise OutputExistsError(path)
    with NewFile(path) as new:
        new.write(data)
        new.claim(path, overwrite=overwrite, before_claim=before_claim)


class NewFile:
    """A file written under a hidden temporary name beside `path`, which takes
    a real name only when claimed; left unclaimed, it is removed.

    A print file is written piece by piece as leaflets are read, and only at
    the end is it known whether it is print.pdf or print-a4.pdf: it may be
    claimed under any name in the same folder.
    """

    def __init__(self, path: Path):
        self.size, self.sha256 = 0, hashlib.sha256()
        blocker = folder_in_the_way(path)
        if blocker is not None:
            raise HandoutsError(f"cannot write {path}: {blocker} is a file, not a folder")
        try:
            private_folder(path.parent)
            fd, self.temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
        except OSError as exc:
            raise _cannot_write(path, exc) from None
        # Held while it is written (the system lets go when the process dies): remove_stale_parts
        # leaves a part that a live run is still writing.
        fcntl.flock(fd, fcntl.LOCK_EX)
        self.handle, self.path = os.fdopen(fd, "wb"), path

    def write(self, data: bytes) -> None:
        try:
            self.handle.write(data)
        except OSError as exc:
            raise _cannot_write(self.path, exc) from None
        self.size += len(data)
        self.sha256.update(data)

    def claim(self, path: Path, *, overwrite: bool = False, before_claim=None) -> None:
        """Give the file the name `path` (in the same folder), once it is safely on disk."""
        self.path = path
        try:
            if not overwrite and path.exists():
                raise OutputExistsError(path)
            self.handle.flush()
            os.fsync(self.handle.fileno())
            self.handle.close()
            if before_claim is not None:
                before_claim()
            if overwrite:
                os.replace(self.temp, path)
            else:
                _claim(self.temp, path)
        except OSError as exc:
            raise _cannot_write(path, exc) from None

    def __enter__(self) -> NewFile:
        return self

    def __exit__(self, *exc) -> None:
        try:
            self.handle.close()
        except OSError:  # the buffer could not be written: the file is going anyway
            pass
        if os.path.exists(self.temp):
            os.unlink(self.temp)


def _cannot_write(path: Path, exc: OSError) -> HandoutsError:
    return HandoutsError(f"cannot write {path}: {exc.strerror or exc}")


def folder_in_the_way(path: Path) -> Path | None:
    """The file, if any, standing where one of `path`'s folders should be."""
    for folder in (path.parent, *path.parent.parents):
        if folder.exists() and not folder.is_dir():
            return folder
    return None


def check_writable(path: Path, fix: str, *, folder: bool = False) -> None:
    """Fail now, before anything is drawn, if the file `path` (or files in the
    folder `path`) cannot be written; `fix` says what to do instead.

    A real file is created and removed (in the nearest folder that exists
    yet), as only that tells for root, read-only disks and network shares.
    """
    where = path if folder else path.parent
    blocker = folder_in_the_way(where / "file")
    if blocker is not None:
        raise HandoutsError(f"cannot write {path}: {blocker} is a file, not a folder; {fix}")
    nearest = next(f for f in (where, *where.parents) if f.exists())
    try:
        fd, probe = tempfile.mkstemp(dir=nearest, prefix=".handouts-", suffix=".probe")
    except OSError as exc:
        raise HandoutsError(f"{_cannot_write(path, exc)}; {fix}") from None
    os.close(fd)
    os.unlink(probe)


def remove_stale_parts(folder: Path, names: set[str]) -> None:
    """Delete temporary files a killed run left for these file names (not those a live run is writing)."""
    if not folder.is_dir():
        return
    for entry in os.scandir(folder):
        if entry.name.startswith(".") and entry.name.endswith(".part") and entry.name[1:].rsplit(".", 2)[0] in names:
            try:
                fd = os.open(entry.path, os.O_RDONLY)
            except FileNotFoundError:  # its run has just finished with it
                continue
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                os.unlink(entry.path)
            except BlockingIOError:
                pass
            finally:
                os.close(fd)


def _claim(temp: str, path: Path) -> None:
    try:
        os.link(temp, path)
    except FileExistsError:
        raise OutputExistsError(path) from None
    except OSError as exc:
        # Some file systems (FAT memory sticks) have no hard links.
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP):
            raise
        if path.exists():
            raise OutputExistsError(path) from None
        os.replace(temp, path)
