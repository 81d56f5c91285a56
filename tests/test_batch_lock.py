"""Two batches on one folder, and dry runs that write nothing (issue 10, section 5)."""

import errno
import fcntl
import os
import selectors
import subprocess
import sys
import time
from pathlib import Path

from conftest import ROOT

from places import tmpfs

CLI = str(ROOT / "cli.py")
HEADER = "patient,procedures,patient_id,date\n"
LOCK = Path("output/.handouts-batch.lock")


def start_batch(*args) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen([sys.executable, CLI, "batch", *args], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def lock_is_held(path: Path) -> bool:
    """Does another process hold the lock?"""
    if not path.exists():
        return False
    with open(path, "r+") as handle:
        try:
            fcntl.lockf(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            assert exc.errno in (errno.EACCES, errno.EAGAIN), exc
            return True
        fcntl.lockf(handle, fcntl.LOCK_UN)
        return False


def wait_for(condition, what: str, deadline: float = 60.0) -> None:
    end = time.monotonic() + deadline
    while not condition():
        assert time.monotonic() < end, f"gave up waiting for {what}"
        time.sleep(0.01)


def read_line(stream, deadline: float = 60.0) -> str:
    """The next line from a child's pipe, or fail after `deadline` seconds (never hang)."""
    with selectors.DefaultSelector() as selector:
        selector.register(stream, selectors.EVENT_READ)
        assert selector.select(deadline), "the process printed nothing"
        return stream.readline()


def test_a_second_batch_waits_for_the_first(run):
    # The first batch reports many bad rows while it holds the folder; nobody
    # reads its error pipe yet, so it blocks there, holding the lock, until we do.
    bad = "".join(f"Bad {i},nope,B{i},2026-11-21\n" for i in range(3000))
    Path("first.csv").write_text(HEADER + "Sam Smith,fillers,P1,2026-11-21\n" + bad, encoding="utf-8")
    Path("second.csv").write_text(HEADER + "Sam Smith,fillers,P1,2026-11-21\nAnn Lee,subcision,P2,2026-11-21\n",
                                  encoding="utf-8")
    first = start_batch("first.csv", "--jobs", "1")
    try:
        wait_for(lambda: lock_is_held(LOCK) or first.poll() is not None, "the first batch to take the lock")
        assert first.poll() is None, first.communicate()
        second = start_batch("second.csv", "--jobs", "1")
        try:
            assert read_line(second.stderr) == "Waiting for the other batch writing to output to finish...\n"
            assert not list(Path("output").glob("*.pdf"))  # it waits before planning anything
        finally:
            first_out, first_err = first.communicate(timeout=120)
            second_out, second_err = second.communicate(timeout=120)
    finally:
        first.kill()
    assert first.returncode == 1  # its bad rows
    assert first_out.startswith("Written 1, skipped 0, failed 3000")
    assert second.returncode == 0, second_err
    assert second_out.startswith("Written 1, skipped 1, failed 0")  # Sam's leaflet was the first batch's
    assert "already exists" not in second_err and "Traceback" not in first_err + second_err
    assert sorted(p.name for p in Path("output").glob("*.pdf")) == ["2026-11-21-ann-lee-p2.pdf",
                                                                     "2026-11-21-sam-smith-p1.pdf"]


def test_a_killed_batch_leaves_the_folder_unlocked(run):
    Path("patients.csv").write_text(HEADER + "".join(f"Bad {i},nope,B{i},2026-11-21\n" for i in range(3000)),
                                    encoding="utf-8")
    first = start_batch("patients.csv")
    wait_for(lambda: lock_is_held(LOCK) or first.poll() is not None, "the batch to take the lock")
    first.kill()
    first.wait(timeout=60)
    Path("patients.csv").write_text(HEADER + "Sam Smith,fillers,P1,2026-11-21\n", encoding="utf-8")
    result = run("batch", "patients.csv")
    assert result.exit_code == 0, result.output
    assert "Waiting" not in result.output


def test_a_dry_run_creates_neither_the_output_folder_nor_the_history(run):
    Path("patients.csv").write_text(HEADER + "Sam Smith,fillers,P1,2026-11-21\n", encoding="utf-8")
    before = sorted(str(p) for p in Path(".").rglob("*"))
    result = run("batch", "patients.csv", "--dry-run", "--print-file", "print.pdf")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "Dry run: 1 to write, 0 up to date, 0 failed; nothing written."
    assert sorted(str(p) for p in Path(".").rglob("*")) == before


def test_a_dry_run_after_a_batch_reads_the_history_and_writes_nothing(run):
    Path("patients.csv").write_text(HEADER + "Sam Smith,fillers,P1,2026-11-21\n", encoding="utf-8")
    assert run("batch", "patients.csv").exit_code == 0
    Path("patients.csv").write_text(HEADER + "Sam Smith,fillers,P1,2026-11-21\nAnn Lee,fillers,P2,2026-11-21\n",
                                    encoding="utf-8")
    snapshot = lambda: sorted((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in Path(".").rglob("*"))
    before = snapshot()
    result = run("batch", "patients.csv", "--dry-run")
    assert result.output.splitlines()[-1] == "Dry run: 1 to write, 1 up to date, 0 failed; nothing written."
    assert snapshot() == before  # not even SQLite's -shm file


def test_a_dry_run_works_on_a_read_only_disk(run, tmp_path):
    Path("patients.csv").write_text(HEADER + "Sam Smith,fillers,P1,2026-11-21\n", encoding="utf-8")

    def one_batch(folder):
        assert run("batch", "patients.csv", "-o", str(folder), "--history", str(folder / "h.sqlite3")).exit_code == 0

    with tmpfs(tmp_path / "ro", read_only=True, prepare=one_batch) as folder:
        result = run("batch", "patients.csv", "--dry-run", "-o", str(folder), "--history", str(folder / "h.sqlite3"))
        assert result.output.splitlines()[-1] == "Dry run: 0 to write, 1 up to date, 0 failed; nothing written."
        result = run("batch", "patients.csv", "-o", str(folder / "new"), "--history", "h.sqlite3")
        assert result.exit_code == 1
        assert result.output == (f"Error: cannot write {folder / 'new'}: Read-only file system; "
                                 "choose another --output folder\n")


def test_an_output_folder_under_a_file_stops_the_batch_before_drawing(run):
    Path("patients.csv").write_text(HEADER + "Sam Smith,fillers,P1,2026-11-21\n", encoding="utf-8")
    Path("notes").write_text("a file, not a folder")
    result = run("batch", "patients.csv", "-o", "notes/leaflets")
    assert result.exit_code == 1
    assert result.output == ("Error: cannot write notes/leaflets: notes is a file, not a folder; "
                             "choose another --output folder\n")
