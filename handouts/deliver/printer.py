"""Straight to the clinic's printer, through CUPS's `lp` (Linux and macOS).

The PDF is always written first: a printer that is unknown, switched off or
missing leaves the leaflet on disk and says so in one line.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ..errors import HandoutsError
from ..history import History
from ..paper import PAPERS

_REQUEST = re.compile(r"request id is (\S+)")


class PrinterError(HandoutsError):
    """A job the printer did not take."""


@dataclass(frozen=True)
class PrintJob:
    path: Path
    printer: str
    job: str  # CUPS's request id, such as "Front-Desk-42"


def send_to_printer(path: Path, printer: str, *, paper: str, duplex: bool = True, copies: int = 1) -> PrintJob:
    """Send one PDF to `printer`: on `paper` ("a4", "letter"; another size
    is left to the printer), two-sided along the long edge unless not `duplex`."""
    lp = shutil.which("lp")
    if lp is None:
        raise PrinterError(f"cannot print to '{printer}' (CUPS's lp command is not installed); {path} is written: "
                           "print it from there")
    options = ["-o", f"sides={'two-sided-long-edge' if duplex else 'one-sided'}"]
    if paper in PAPERS:
        options += ["-o", f"media={PAPERS[paper].media}"]
    done = subprocess.run([lp, "-d", printer, "-n", str(copies), "-t", path.name, *options, "--", str(path)],
                          capture_output=True, text=True, stdin=subprocess.DEVNULL)
    job = _REQUEST.search(done.stdout)
    if done.returncode or not job:
        reason = re.sub(r"^\S*lp: (Error - )?", "", " ".join((done.stderr or done.stdout).split())).rstrip(".")
        raise PrinterError(f"cannot print to '{printer}' ({reason[:1].lower()}{reason[1:] or 'lp failed'}); "
                           f"{_printers()}; {path} is written: print it from there")
    return PrintJob(path, printer, job[1])


def print_all(pdfs: list[tuple[Path, str]], printer: str, history: History, *, duplex: bool = True,
              copies: int = 1) -> Iterator[PrintJob]:
    """Send each (PDF, paper) in order, recording each job in the history as it is taken."""
    for path, paper in pdfs:
        job = send_to_printer(path, printer, paper=paper, duplex=duplex, copies=copies)
        history.record_print_job(path, printer, job.job)
        yield job


def _printers() -> str:
    """The printers CUPS knows, said for an error message."""
    lpstat = shutil.which("lpstat")
    done = lpstat and subprocess.run([lpstat, "-e"], capture_output=True, text=True, stdin=subprocess.DEVNULL)
    names = done.stdout.split() if done and not done.returncode else []
    return f"printers here: {', '.join(names)}" if names else "no printers found (is CUPS running?)"
