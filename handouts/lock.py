"""One batch at a time in an output folder.

Two batches writing the same folder at once each took the other's new
leaflets for files handouts did not make. A batch holds an exclusive lock
on a file in the folder from planning to the last email; the system
releases it when the process ends, however it ends, so a killed batch never
leaves the folder locked. It is a POSIX record lock (lockf), which belongs
to the process: an flock would be shared with the worker processes it forks,
and a worker orphaned by a killed batch would keep the folder locked.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
from collections.abc import Callable, Iterator
from pathlib import Path

from .errors import HandoutsError
from .output import check_writable, private_folder

LOCK_NAME = ".handouts-batch.lock"


@contextlib.contextmanager
def folder_lock(folder: Path, *, on_wait: Callable[[], None] = lambda: None) -> Iterator[None]:
    """Hold `folder`'s batch lock, waiting (after calling `on_wait`) while another process holds it."""
    fix = "choose another --output folder"
    check_writable(folder, fix, folder=True)
    try:
        private_folder(folder)
        fd = os.open(folder / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise HandoutsError(f"cannot write {folder}: {exc.strerror or exc}; {fix}") from None
    try:
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EACCES, errno.EAGAIN):
                raise HandoutsError(f"cannot lock {folder / LOCK_NAME}: {exc.strerror or exc}") from None
            on_wait()
            fcntl.lockf(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)
