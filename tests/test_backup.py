"""Backups that restore (issue 21, section 5): a real SQLite writer runs during the backup; the restored
folder answers `history`, `make` and a real `serve`."""

from __future__ import annotations

import http.cookiejar
import io
import json
import os
import re
import sqlite3
import subprocess
import sys
import tarfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from conftest import ROOT, flat, pdf_text, without_settings
from test_serve import PASSWORD, Server, add_manager

HISTORY = Path("output/handouts-history.sqlite3")

# Writes into the history as a batch or the desk would, until told to stop: each transaction adds two audit rows
# that belong together, so a copy taken half-way through one would hold an odd number of them.
WRITER = """
import sqlite3, sys, pathlib
db = sqlite3.connect(sys.argv[1], timeout=30, isolation_level=None)
db.execute("PRAGMA journal_mode=WAL")
stop = pathlib.Path(sys.argv[2])
n = 0
while not stop.exists():
    n += 1
    db.execute("BEGIN IMMEDIATE")
    for half in ("a", "b"):
        db.execute("INSERT INTO audit (at, who, action, detail) VALUES ('now', 'writer', 'test', ?)", (f"{n}{half}",))
    db.execute("COMMIT")
"""


def writer_rows(path: Path) -> int:
    db = sqlite3.connect(path, timeout=30)
    try:
        return db.execute("SELECT count(*) FROM audit WHERE who = 'writer'").fetchone()[0]
    finally:
        db.close()


def wait_until(condition, what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.01)


@pytest.fixture
def clinic(run, tmp_path):
    """A clinic folder in use: two leaflets (one emailed to the outbox), a manager signed in, a certificate."""
    assert run("make", "-p", "Sam Sample", "--procedure", "subcision", "--date", "21/11/2026").exit_code == 0
    made = run("make", "-p", "Ann Lee", "--procedure", "fillers", "--date", "21/11/2026", "--email", "ann@example.com")
    assert made.exit_code == 0, made.output
    add_manager(tmp_path)
    from handouts.history import History
    from handouts.staff import Staff
    from handouts.web.tls import clinic_certificate

    with History(HISTORY) as history:
        staff = Staff(history)
        staff.start_session(staff.member("manager"))
    clinic_certificate(tmp_path, ("clinic-desk.example",))
    return tmp_path


def backup_of(run, *args) -> Path:
    result = run("backup", "elsewhere/backups", *args)
    assert result.exit_code == 0, result.output
    (line,) = result.output.splitlines()
    return Path(line)


def members(archive: Path) -> list[str]:
    with tarfile.open(archive) as tar:
        return sorted(tar.getnames())


def test_a_backup_taken_while_a_writer_writes_restores_a_folder_that_works(run, clinic, tmp_path):
    stop = tmp_path / "stop-writer"
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(HISTORY.resolve()), str(stop)])
    try:
        wait_until(lambda: writer_rows(HISTORY) >= 200, "the writer to write")
        before = writer_rows(HISTORY)
        archive = backup_of(run).resolve()
        after = writer_rows(HISTORY)
        assert writer.poll() is None and after > before  # it wrote all through the backup
    finally:
        stop.touch()
        assert writer.wait(timeout=60) == 0

    assert archive.parent == tmp_path / "elsewhere" / "backups" and archive.stat().st_mode & 0o777 == 0o600
    assert re.fullmatch(r"handouts-backup-\d{4}-\d{2}-\d{2}-\d{4}\.tar\.gz", archive.name)
    assert members(archive) == [
        "content.toml", "handouts-backup.json", "handouts-tls/certificate.pem", "handouts-tls/key.pem",
        "output/2026-11-21-ann-lee.pdf", "output/2026-11-21-sam-sample.pdf", "output/handouts-history.sqlite3",
        *sorted(f"output/outbox/{p.name}" for p in Path("output/outbox").iterdir()),
        *sorted(f"templates/{p.relative_to('templates').as_posix()}" for p in Path("templates").rglob("*")
                if p.is_file())]

    os.chdir(tmp_path / "elsewhere")
    restored = run("restore", str(archive.resolve()), "restored")
    assert restored.exit_code == 0, restored.output
    assert re.fullmatch(r"restored: restored from the backup of \d{4}-\d\d-\d\d \d\d:\d\d \(\d+ files, with "
                        r"leaflets\); cd restored and carry on\n", restored.output)
    new = tmp_path / "elsewhere" / "restored"
    assert all(p.stat().st_mode & 0o077 == 0 for p in [new, *new.rglob("*")])
    db = sqlite3.connect(new / HISTORY)
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    copied = [detail for (detail,) in db.execute("SELECT detail FROM audit WHERE who = 'writer' ORDER BY id")]
    assert len(copied) % 2 == 0 and before <= len(copied) <= after  # whole transactions only
    assert db.execute("SELECT count(*) FROM web_sessions").fetchone() == (0,)  # nobody is signed in
    assert db.execute("SELECT username FROM staff").fetchall() == [("manager",)]
    db.close()

    os.chdir(new)
    listed = run("history")
    assert listed.exit_code == 0
    assert "output/2026-11-21-sam-sample.pdf" in listed.output and "output/2026-11-21-ann-lee.pdf" in listed.output
    assert run("make", "-p", "Bo Chen", "--procedure", "fillers", "--date", "21/11/2026").exit_code == 0
    assert "Prepared for Bo Chen on 21 November 2026" in flat(pdf_text("output/2026-11-21-bo-chen.pdf"))
    assert (new / "handouts-tls" / "key.pem").read_bytes() == (tmp_path / "handouts-tls" / "key.pem").read_bytes()

    server = Server(new)
    try:
        history = signed_in_page(server.url, "/history")
        assert "Sam Sample" in history and "Bo Chen" in history
        entry = re.search(r'href="/leaflets/(\d+)\.pdf"', history)[1]
        with opener_for(server.url).open(f"{server.url}/leaflets/{entry}.pdf", timeout=60) as pdf:
            assert pdf.read(5) == b"%PDF-"
    finally:
        assert server.stop() == 0


def opener_for(url: str, _openers={}):  # noqa: B006  (one signed-in browser per server)
    return _openers.setdefault(url, urllib.request.build_opener(
        urllib.request.ProxyHandler({}), urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())))


def signed_in_page(url: str, path: str) -> str:
    """`path` as the restored manager sees it, signed in with the password the backup kept."""
    opener = opener_for(url)
    form = opener.open(f"{url}/login", timeout=60).read().decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)[1]
    body = urllib.parse.urlencode({"csrf_token": token, "username": "manager", "password": PASSWORD}).encode()
    opener.open(urllib.request.Request(f"{url}/login", data=body), timeout=60).read()
    page = opener.open(f"{url}{path}", timeout=60)
    assert page.url.endswith(path), "not signed in"
    return page.read().decode()


def test_no_leaflets_leaves_out_the_leaflets_and_a_second_backup_gets_its_own_name(run, clinic):
    first = backup_of(run, "--no-leaflets")
    assert members(first) == ["content.toml", "handouts-backup.json", "handouts-tls/certificate.pem",
                              "handouts-tls/key.pem", "output/handouts-history.sqlite3",
                              *sorted(f"templates/{p.relative_to('templates').as_posix()}"
                                      for p in Path("templates").rglob("*") if p.is_file())]
    second = backup_of(run, "--no-leaflets")
    assert second != first and first.is_file() and second.name.startswith(first.name[:-len(".tar.gz")])
    assert Path("elsewhere/backups").stat().st_mode & 0o777 == 0o700
    with tarfile.open(first) as tar:
        manifest = json.load(tar.extractfile("handouts-backup.json"))
    assert manifest["leaflets"] is False and manifest["history"] is True


def test_a_backup_inside_the_leaflets_folder_is_refused(run, clinic):
    result = run("backup", "output/backups")
    assert (result.exit_code, result.output) == (
        1, "Error: output/backups is inside the leaflets folder output, so each backup would hold the ones before "
           "it; back up to a folder outside it (best: another disk)\n")
    assert not Path("output/backups").exists()


def tampered(archive: Path, change) -> Path:
    """A copy of `archive` with one member's bytes changed (the archive itself is well formed)."""
    copy = archive.with_name("tampered.tar.gz")
    with tarfile.open(archive) as old, tarfile.open(copy, "w:gz") as new:
        for member in old.getmembers():
            data = old.extractfile(member).read()
            data = change(member.name, data)
            member.size = len(data)
            new.addfile(member, io.BytesIO(data))
    return copy


def test_restore_never_writes_over_a_folder_and_refuses_a_damaged_or_foreign_archive(run, clinic, tmp_path):
    archive = backup_of(run).resolve()
    os.chdir(tmp_path / "elsewhere")
    Path("taken").mkdir()
    Path("taken/notes.txt").write_text("keep me")
    cut = Path("cut.tar.gz")
    cut.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    Path("notes.tar.gz").write_text("not an archive at all")
    with tarfile.open("photos.tar.gz", "w:gz") as tar:
        tar.add(tmp_path / "content.toml", arcname="holiday/content.toml")
    with tarfile.open("escape.tar.gz", "w:gz") as tar:
        tar.add(tmp_path / "content.toml", arcname="output/../../content.toml")
    changed = tampered(archive, lambda name, data: data.replace(b"Riverside", b"Riverbank")
                       if name == "content.toml" else data)
    cases = [
        (archive, "taken", "Error: taken already exists; restore never writes over a folder: name a new one"),
        (cut, "a", "Error: cut.tar.gz is damaged or not a handouts backup (it ends too soon or is corrupt); use "
                   "another copy of the backup"),
        (Path("notes.tar.gz"), "b", "Error: notes.tar.gz is damaged or not a handouts backup (it ends too soon or "
                                    "is corrupt); use another copy of the backup"),
        (Path("photos.tar.gz"), "c", "Error: photos.tar.gz is not a handouts backup: it holds "
                                     "'holiday/content.toml', which a backup never does; restore nothing from it"),
        (Path("escape.tar.gz"), "d", "Error: escape.tar.gz is not a handouts backup: it holds "
                                     "'output/../../content.toml', which a backup never does; restore nothing from it"),
        (changed.relative_to(Path.cwd()) if changed.is_relative_to(Path.cwd()) else changed, "e",
         f"Error: {changed.relative_to(Path.cwd()) if changed.is_relative_to(Path.cwd()) else changed} is damaged: "
         "content.toml is not as it was backed up; use another copy of the backup"),
        (Path("missing.tar.gz"), "f", "Error: missing.tar.gz: no such file"),
    ]
    for given, folder, message in cases:
        result = run("restore", str(given), folder)
        assert (result.exit_code, result.output) == (1, message + "\n"), given
        assert folder == "taken" or not Path(folder).exists()
    assert Path("taken/notes.txt").read_text() == "keep me"
    assert not [p for p in Path.cwd().iterdir() if ".restoring-" in p.name]  # nothing half-made is left


def test_progress_is_shown_on_a_terminal_and_quiet_silences_it(clinic):
    import pexpect

    env = dict(without_settings(os.environ), PYTHONPATH=str(ROOT), TERM="dumb")
    cli = str(ROOT / "cli.py")
    shown = pexpect.spawn(sys.executable, [cli, "backup", "elsewhere/backups"], cwd=str(clinic), env=env,
                          encoding="utf-8", timeout=60)
    shown.expect(pexpect.EOF)
    assert "Backing up" in shown.before and "elsewhere/backups/handouts-backup-" in shown.before
    quiet = pexpect.spawn(sys.executable, [cli, "backup", "-q", "elsewhere/backups"], cwd=str(clinic), env=env,
                          encoding="utf-8", timeout=60)
    quiet.expect(pexpect.EOF)
    assert "Backing up" not in quiet.before and re.fullmatch(r"elsewhere/backups/handouts-backup-\S+\.tar\.gz\r\n",
                                                             quiet.before)
    (archive,) = [p for p in (clinic / "elsewhere" / "backups").iterdir() if p.name in shown.before]
    restoring = pexpect.spawn(sys.executable, [cli, "restore", str(archive), "restored"], cwd=str(clinic / "elsewhere"),
                              env=env, encoding="utf-8", timeout=60)
    restoring.expect(pexpect.EOF)
    assert re.search(r"Restoring: \d+ files", restoring.before)
