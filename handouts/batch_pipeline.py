"""One batch from start to end, whoever asked for it: the command line and the front desk alike.

The rows come from any patient list (a CSV file, an upload); what happens
along the way is told to a `BatchReport`, which each face presents in its
own terms (a progress bar and lines on stderr; a web page's lists), and
what came of it is returned as a `BatchSummary`:

    check every row -> hold the output folder -> draw what needs it ->
    print files -> emails -> printer

A dry run checks and lists; it takes no lock and writes nothing.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import ContextManager, Protocol

from .batch import Job, Outcome, Plan, default_jobs, plan_batch, run_batch
from .deliver.delivery import SendOutcome, send_letters
from .deliver.printer import PrintJob, print_all
from .deliver.printfile import PrintRun, check_print_file, merge_leaflets, print_file_names
from .deliver.sending import letters_for_batch
from .history import History
from .leaflet.patients import PatientList
from .lock import folder_lock
from .make import Maker


class BatchReport(Protocol):
    """How a face hears of a batch as it goes."""

    def warning(self, line: str) -> None:
        """Something the nurse should know that does not stop a row (an unknown column, a duplicate row)."""

    def problem(self, line: str) -> None:
        """A row, leaflet or email that failed ("row N: ...")."""

    def listed(self, job: Job) -> None:
        """A dry run's leaflet, as it is planned."""

    def waiting(self, output_dir: Path) -> None:
        """Another batch holds the output folder: this one waits for it."""

    def progress(self, label: str, total: int) -> ContextManager[Callable[[int], None]]:
        """Something counted (leaflets, print file pages, emails) begins; the callable is told of each done."""

    def made(self, summary: BatchSummary) -> None:
        """The leaflets and print files are done, or the print file failed (then an error follows)."""

    def sent(self, sending: Sending) -> None:
        """The batch's emails went, or failed."""

    def printed(self, job: PrintJob) -> None:
        """A print file or leaflet went to the printer."""


class QuietReport:
    """A report that keeps warnings and problems and shows nothing as it goes (the front desk's)."""

    def __init__(self):
        self.warnings: list[str] = []
        self.problems: list[str] = []

    def warning(self, line: str) -> None:
        self.warnings.append(line)

    def problem(self, line: str) -> None:
        self.problems.append(line)

    def listed(self, job: Job) -> None:
        pass

    def waiting(self, output_dir: Path) -> None:
        pass

    def progress(self, label: str, total: int) -> ContextManager[Callable[[int], None]]:
        return _no_progress()

    def made(self, summary: BatchSummary) -> None:
        pass

    def sent(self, sending: Sending) -> None:
        pass

    def printed(self, job: PrintJob) -> None:
        pass


@dataclass(frozen=True)
class BatchSettings:
    output_dir: Path
    formats: tuple[str, ...] = ("pdf",)
    jobs: int | None = None  # worker processes; None: every core
    force: bool = False
    dry_run: bool = False
    print_file: Path | None = None
    print_file_required: bool = True  # False: with no leaflet made, no print file and no error
    duplex: bool = True
    email: bool = False
    encrypt: bool = False
    resend: bool = False
    transport: Callable[[], object] | None = None  # made only when there is a letter to send
    printer: str | None = None
    copies: int = 1


@dataclass
class Sending:
    """What became of a batch's emails."""
    outcome: SendOutcome | None  # None: nothing was sent (no letters)
    transport: object | None
    problems: list[str] = field(default_factory=list)  # letters that could not be made

    @property
    def went_well(self) -> bool:
        outcome = self.outcome
        return not (self.problems or outcome and (outcome.failed or outcome.uncertain or outcome.stopped))


@dataclass
class BatchSummary:
    plan: Plan
    outcome: Outcome | None = None  # None for a dry run
    seconds: float = 0.0
    print_files: PrintRun | None = None
    sending: Sending | None = None

    @property
    def written(self) -> int:
        return len(self.outcome.written) if self.outcome else 0

    @property
    def skipped(self) -> int:
        return (self.outcome.skipped if self.outcome else 0) + len(self.plan.duplicates)

    @property
    def failed(self) -> int:
        return len(self.plan.problems) + (len(self.outcome.failed) if self.outcome else 0)

    @property
    def went_well(self) -> bool:
        return not self.failed and (self.sending is None or self.sending.went_well)


def make_batch(patients: PatientList, maker: Maker, open_history: Callable[[], ContextManager[History | None]],
               settings: BatchSettings, report: BatchReport) -> BatchSummary:
    """Check every row, then (unless a dry run) draw, write and record the leaflets, make the print files,
    send the emails and print; each step only once the one before went well.

    `open_history` opens the history the batch records in (see `stored_history`); a real batch holds its
    output folder's lock throughout, so two batches never write the same files.
    """
    for line in patients.warnings:
        report.warning(line)
    with _held(settings, report), open_history() as history:
        plan = _plan(patients, maker, history, settings, report)
        summary = BatchSummary(plan)
        if settings.dry_run:
            return summary
        started = time.perf_counter()
        with report.progress("Making leaflets", len(plan.to_make)) as done:
            summary.outcome = run_batch(plan, maker, history, jobs=settings.jobs or default_jobs(),
                                        force=settings.force, progress=done)
        for failure in summary.outcome.failed.values():
            report.problem(failure)
        try:
            summary.print_files = _print_files(plan, summary.outcome, history, settings, report)
        finally:  # the leaflets were written even if the print file was not
            summary.seconds = time.perf_counter() - started
            report.made(summary)
        if settings.email:
            summary.sending = _send(maker, plan, summary.outcome, history, settings, report)
            report.sent(summary.sending)
        if settings.printer:
            _print(plan, summary, history, settings, report)
    return summary


@contextlib.contextmanager
def stored_history(path: Path, *, dry_run: bool = False) -> Iterator[History | None]:
    """The history at `path` for a batch; a dry run only reads it, if there is one (None otherwise)."""
    if not dry_run:
        with History(path) as history:
            yield history
        return
    history = History.if_exists(path)
    try:
        yield history
    finally:
        if history is not None:
            history.close()


def _held(settings: BatchSettings, report: BatchReport) -> ContextManager:
    """The output folder's lock, for all but a dry run."""
    if settings.dry_run:
        return contextlib.nullcontext()
    return folder_lock(settings.output_dir, on_wait=lambda: report.waiting(settings.output_dir))


def _plan(patients: PatientList, maker: Maker, history: History | None, settings: BatchSettings,
          report: BatchReport) -> Plan:
    """Every row checked, and the print files' names too, before anything is drawn."""
    plan = plan_batch(patients, maker, history, settings.output_dir, force=settings.force, email=settings.email,
                      encrypt=settings.encrypt, formats=settings.formats,
                      each=report.listed if settings.dry_run else None)
    if settings.print_file:
        leaflets = [file for job in plan.jobs for file in job.files.values()]
        papers = (job.choices.paper for job in plan.jobs)
        for name in {settings.print_file, *print_file_names(settings.print_file, papers).values()}:
            check_print_file(name, history, force=settings.force, writable=not settings.dry_run, leaflets=leaflets)
    for line in plan.duplicates + plan.warnings:
        report.warning(line)
    for problem in plan.problems:
        report.problem(problem)
    return plan


def _print_files(plan: Plan, outcome: Outcome, history: History, settings: BatchSettings,
                 report: BatchReport) -> PrintRun | None:
    """Every leaflet of the batch now on disk, in the list's order, in print files (none unless asked for)."""
    made = outcome.made_rows()
    leaflets = [(job.path, bookmark(job.choices.name, job.patient_id)) for job in plan.jobs if job.row in made]
    if not settings.print_file or not (leaflets or settings.print_file_required):
        return None
    with report.progress("Making the print file", len(leaflets)) as done:
        return merge_leaflets(settings.print_file, leaflets, duplex=settings.duplex, force=settings.force,
                              history=history, progress=done)


def _send(maker: Maker, plan: Plan, outcome: Outcome, history: History, settings: BatchSettings,
          report: BatchReport) -> Sending:
    letters, problems = letters_for_batch(maker, plan, outcome)
    for problem in problems:
        report.problem(problem)
    if not letters:
        return Sending(None, None, problems)
    transport = settings.transport()
    # One email needs no bar.
    with report.progress("Emailing", len(letters)) if len(letters) > 1 else _no_progress() as done:
        sent = send_letters(letters, history, transport, resend=settings.resend, progress=done)
    return Sending(sent, transport, problems)


def _print(plan: Plan, summary: BatchSummary, history: History, settings: BatchSettings,
           report: BatchReport) -> None:
    """The print files, or else each leaflet drawn by this run (not again those already made)."""
    if summary.print_files:
        pdfs = [(result.path, result.paper) for result in summary.print_files.files]
    else:
        pdfs = [(job.path, job.choices.paper) for job in sorted(summary.outcome.written, key=lambda job: job.row)]
    for job in print_all(pdfs, settings.printer, history, duplex=settings.duplex, copies=settings.copies):
        report.printed(job)


def _no_progress() -> ContextManager[Callable[[int], None]]:
    return contextlib.nullcontext(lambda done: None)


def bookmark(name: str, patient_id: str) -> str:
    """A leaflet's title in a print file's bookmarks."""
    return f"{name} ({patient_id})" if patient_id else name
