"""Real places that cannot be written, for tests that run as root.

chmod does not stop root, so these use what does: a read-only or a full
tmpfs mounted for the test, and the immutable attribute (chattr +i). Each
skips the test, saying why, where the machine does not allow it.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
from pathlib import Path

import pytest


def _run(*command: str) -> subprocess.CompletedProcess:
    return subprocess.run(command, capture_output=True, text=True)


@contextlib.contextmanager
def tmpfs(folder: Path, *, size: str = "1m", read_only: bool = False, prepare=None):
    """A tmpfs of `size` mounted on `folder` (read-only after `prepare(folder)` if asked)."""
    folder.mkdir(parents=True, exist_ok=True)
    mounted = _run("mount", "-t", "tmpfs", "-o", f"size={size},mode=0777", "tmpfs", str(folder))
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({mounted.stderr.strip() or 'mount failed'})")
    try:
        if prepare is not None:
            prepare(folder)
        if read_only:
            remounted = _run("mount", "-o", "remount,ro", str(folder))
            assert remounted.returncode == 0, remounted.stderr
        yield folder
    finally:
        # Lazy, so a file a failed test left open cannot keep the mount.
        _run("umount", "-l", str(folder))


@contextlib.contextmanager
def full_disk(folder: Path, *, size: str = "256k", prepare=None):
    """A tmpfs with no space left (after `prepare(folder)` has put what it needs there)."""
    with tmpfs(folder, size=size, prepare=prepare):
        fd = os.open(folder / "filler", os.O_CREAT | os.O_WRONLY)
        try:
            with contextlib.suppress(OSError):  # until the disk is full
                while True:
                    os.write(fd, b"\0" * 4096)
        finally:
            os.close(fd)
        yield folder


@contextlib.contextmanager
def immutable(path: Path):
    """`path` made immutable: not even root may change it, or add to it if it is a folder."""
    made = _run("chattr", "+i", str(path))
    if made.returncode != 0:
        pytest.skip(f"cannot make {path.name} immutable here ({made.stderr.strip() or 'chattr failed'})")
    try:
        yield path
    finally:
        _run("chattr", "-i", str(path))
