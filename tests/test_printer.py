"""Straight to the printer: a real CUPS server with a cups-pdf queue (issue 13, section 3).

The server is our own cupsd, with its configuration, spool and socket in a
temporary folder; cups-pdf writes what it prints into another. The tests skip,
saying why, where CUPS or cups-pdf is not installed or cannot start.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import pdf_text
from test_printfile import MIXED

BACKEND = Path("/usr/lib/cups/backend/cups-pdf")
PPD = Path("/usr/share/ppd/cups-pdf/CUPS-PDF_opt.ppd")
# cups-pdf reads the settings of the device cups-pdf:/NAME from cups-pdf-NAME.conf here, whatever
# cupsd's own folder is.
CUPS_PDF_CONFIG = Path("/etc/cups")


@dataclass
class Cups:
    socket: Path
    queue: str
    printed: Path  # where cups-pdf writes each job
    page_log: Path

    def wait_for_pdfs(self, count: int, deadline: float = 60) -> list[Path]:
        """The PDFs cups-pdf has written, once there are `count` finished ones."""
        end = time.monotonic() + deadline
        while time.monotonic() < end:
            lines = self.page_log.read_text().splitlines() if self.page_log.exists() else []
            pdfs = sorted(self.printed.glob("*.pdf"), key=lambda path: path.stat().st_mtime)
            if len(lines) >= count and len(pdfs) >= count:
                return pdfs
            time.sleep(0.1)
        raise AssertionError(f"CUPS printed {len(pdfs)} of {count} jobs in {deadline} s; see {self.page_log.parent}")

    def logged(self) -> list[str]:
        """page_log lines: queue, user, job, time, pages, billing, host, title, media, sides."""
        return self.page_log.read_text().splitlines()


def _need(condition: bool, why: str) -> None:
    if not condition:
        pytest.skip(why)


@pytest.fixture(scope="module")
def cups():
    _need(bool(shutil.which("cupsd") and shutil.which("lp") and shutil.which("lpadmin")),
          "CUPS is not installed (apt-get install cups printer-driver-cups-pdf; .ci/run installs them)")
    _need(BACKEND.exists() and PPD.exists(), "cups-pdf is not installed (apt-get install printer-driver-cups-pdf)")
    _need(os.geteuid() == 0, "cups-pdf prints only from a cupsd running as root")
    _need(os.access(CUPS_PDF_CONFIG, os.W_OK), f"cannot write the cups-pdf queue settings in {CUPS_PDF_CONFIG}")
    # Not under pytest's own folder, which only root may enter: CUPS's filters run as the user lp.
    root = Path(tempfile.mkdtemp(prefix="handouts-cups-"))
    root.chmod(0o755)
    for folder in ("spool", "cache", "state", "printed"):
        (root / folder).mkdir()
    (root / "tmp").mkdir(mode=0o1777)
    (root / "tmp").chmod(0o1777)  # the filters run as lp and write here
    socket = root / "cups.sock"
    (root / "cupsd.conf").write_text(
        f"Listen {socket}\nLogLevel warn\nWebInterface No\nBrowsing No\nDefaultAuthType None\n"
        "<Location />\n  Order allow,deny\n  Allow all\n</Location>\n"
        "<Policy default>\n  <Limit All>\n    Order deny,allow\n  </Limit>\n</Policy>\n")
    (root / "cups-files.conf").write_text(
        f"ServerRoot {root}\nRequestRoot {root}/spool\nTempDir {root}/tmp\nCacheDir {root}/cache\n"
        f"StateDir {root}/state\nAccessLog {root}/access_log\nErrorLog {root}/error_log\n"
        f"PageLog {root}/page_log\nFatalErrors none\nSandboxing Relaxed\n")
    queue = f"handouts-test-{os.getpid()}"
    settings = CUPS_PDF_CONFIG / f"cups-pdf-{queue}.conf"
    settings.write_text(f"Out {root}/printed\nAnonDirName {root}/printed\nSpool {root}/tmp\nGrp root\n")
    server = subprocess.Popen(["cupsd", "-f", "-c", str(root / "cupsd.conf"), "-s", str(root / "cups-files.conf")],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        env = {**os.environ, "CUPS_SERVER": str(socket)}
        end = time.monotonic() + 15
        added = None
        while time.monotonic() < end and server.poll() is None:
            if socket.exists():
                added = subprocess.run(["lpadmin", "-p", queue, "-E", "-v", f"cups-pdf:/{queue}", "-P", str(PPD)],
                                       env=env, capture_output=True, text=True)
                if added.returncode == 0:
                    break
            time.sleep(0.1)
        if server.poll() is not None or added is None or added.returncode:
            reason = server.stderr.read().decode() if server.poll() is not None else added and added.stderr
            pytest.skip(f"cupsd did not start here: {(reason or 'no socket').strip()[:200]}")
        yield Cups(socket, queue, root / "printed", root / "page_log")
    finally:
        server.terminate()
        server.wait(timeout=30)
        settings.unlink(missing_ok=True)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def printing(cups, run, monkeypatch):
    """The CLI runner, talking to our CUPS server; the jobs before this test are left out."""
    monkeypatch.setenv("CUPS_SERVER", str(cups.socket))
    for old in cups.printed.glob("*.pdf"):
        old.unlink()
    cups.page_log.touch()
    cups.page_log.write_text("")
    return run


def printed_jobs(history="output/handouts-history.sqlite3"):
    with sqlite3.connect(history) as db:
        return db.execute("SELECT path, printer, job FROM print_jobs ORDER BY id").fetchall()


def test_make_prints_the_leaflet_two_sided_on_its_paper(cups, printing):
    result = printing("make", "-p", "Sam Smith", "--procedure", "fillers", "--date", "2026-11-21",
                      "--printer", cups.queue)
    assert result.exit_code == 0, result.output
    leaflet, sent = result.output.splitlines()
    assert sent.startswith(f"Sent {leaflet} to {cups.queue}: job {cups.queue}-")
    job = sent.rsplit(" ", 1)[1].rstrip(".")
    (pdf,) = cups.wait_for_pdfs(1)
    assert len(PdfReader(pdf).pages) == len(PdfReader(leaflet).pages)
    assert "Sam Smith" in pdf_text(pdf), pdf_text(pdf)[:600]
    (line,) = cups.logged()
    assert line.endswith(" A4 two-sided-long-edge")
    assert printed_jobs() == [(str(Path(leaflet).resolve()), cups.queue, job)]


def test_no_duplex_letter_and_copies(cups, printing):
    result = printing("make", "-p", "Sam Smith", "--procedure", "fillers", "--paper", "letter", "--no-duplex",
                      "--copies", "2", "--printer", cups.queue)
    assert result.exit_code == 0, result.output
    (pdf,) = cups.wait_for_pdfs(1)
    pages = len(PdfReader(result.output.splitlines()[0]).pages)
    (line,) = cups.logged()
    assert f" total {2 * pages} " in line and line.endswith(" Letter one-sided")


def test_batch_prints_each_print_file_on_its_paper(cups, printing):
    Path("patients.csv").write_text(MIXED, encoding="utf-8")
    result = printing("batch", "patients.csv", "--print-file", "output/print.pdf", "--printer", cups.queue)
    assert result.exit_code == 0, result.output
    sent = [line for line in result.output.splitlines() if line.startswith("Sent ")]
    assert [line.split(" to ")[0] for line in sent] == ["Sent output/print-a4.pdf", "Sent output/print-letter.pdf"]
    cups.wait_for_pdfs(2)
    assert sorted(line.rsplit(" ", 2)[1] for line in cups.logged()) == ["A4", "Letter"]
    assert [path for path, _, _ in printed_jobs()] == [str(Path("output/print-a4.pdf").resolve()),
                                                       str(Path("output/print-letter.pdf").resolve())]


def test_unknown_printer_names_the_ones_there_and_keeps_the_pdf(cups, printing):
    result = printing("make", "-p", "Sam Smith", "--procedure", "fillers", "--date", "2026-11-21",
                      "--printer", "Front-Desk")
    assert result.exit_code == 1
    assert result.output == (
        "output/2026-11-21-sam-smith.pdf\n"
        "Error: cannot print to 'Front-Desk' (the printer or class does not exist); printers here: "
        f"{cups.queue}; output/2026-11-21-sam-smith.pdf is written: print it from there\n")
    assert Path("output/2026-11-21-sam-smith.pdf").exists()


def test_stopped_cups_is_one_line(run, monkeypatch, tmp_path):
    _need(bool(shutil.which("lp")), "CUPS's lp is not installed")
    monkeypatch.setenv("CUPS_SERVER", str(tmp_path / "no-server.sock"))
    result = run("make", "-p", "Sam Smith", "--procedure", "fillers", "--date", "2026-11-21", "--printer", "Desk")
    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == (
        "Error: cannot print to 'Desk' (the printer or class does not exist); no printers found (is CUPS "
        "running?); output/2026-11-21-sam-smith.pdf is written: print it from there")


def test_no_lp_is_one_line_and_the_pdf_is_written(run, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # a folder without lp
    result = run("make", "-p", "Sam Smith", "--procedure", "fillers", "--date", "2026-11-21", "--printer", "Desk")
    assert result.exit_code == 1
    assert result.output == (
        "output/2026-11-21-sam-smith.pdf\n"
        "Error: cannot print to 'Desk' (CUPS's lp command is not installed); output/2026-11-21-sam-smith.pdf is "
        "written: print it from there\n")


def test_printer_needs_pdf(run):
    result = run("make", "-p", "Sam Smith", "--procedure", "fillers", "--format", "html", "--printer", "Desk")
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == "Error: --printer needs PDF leaflets; use --format pdf or both."


@pytest.mark.parametrize("command", [("make", "-p", "Sam Smith", "--procedure", "fillers"),
                                     ("batch", "patients.csv"), ("merge", "print.pdf", "patients.csv")])
def test_copies_without_a_printer_is_refused_before_anything_is_made(run, command):
    Path("patients.csv").write_text("patient,procedures\nSam Smith,fillers\n", encoding="utf-8")
    result = run(*command, "--copies", "3")
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == ("Error: --copies prints copies on a printer: add --printer NAME (or "
                                              "set HANDOUTS_PRINTER)")
    assert not Path("output").exists() and not Path("print.pdf").exists()
