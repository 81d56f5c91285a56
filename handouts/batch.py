"""Making a leaflet for every row of a patient list, in parallel.

Every row is checked before anything is drawn. Leaflets already made from
the same inputs are skipped, so an interrupted batch picks up where it
stopped; files handouts did not make are never replaced unless forced.
"""

from __future__ import annotations

import hashlib
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

from .leaflet.choices import PatientChoices
from .leaflet.dates import DateOrder
from .errors import BilingualInOwnLanguage, InputError, InvalidChoices, LostLetters
from .history import History, Record
from .leaflet.contact import pdf_password
from .leaflet.request import parse_request
from .make import Maker, MakerSource, write_formats
from .output import numbered_names, remove_stale_parts, slug
from .leaflet.patients import PatientList, Row


@dataclass(frozen=True, slots=True)
class Job:
    row: int
    choices: PatientChoices
    patient_id: str
    path: Path
    record: Record
    action: str  # "new", "rebuild" or "up to date"
    password: tuple[str, str] | None = None  # for an encrypted email: (password, where it came from)
    formats: tuple[str, ...] = ("pdf",)

    @property
    def files(self) -> dict[str, Path]:
        """The file of each format; `path` is the PDF's (or the only one's)."""
        return {fmt: self.path.with_suffix(f".{fmt}") for fmt in self.formats}


@dataclass
class Plan:
    jobs: list[Job] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # "row N: ..." lines
    duplicates: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    planned: int = 0  # jobs, counted even when not kept (see plan_batch's `each`)
    up_to_date: int = 0

    @property
    def to_make(self) -> list[Job]:
        return [job for job in self.jobs if job.action != "up to date"]


@dataclass
class Outcome:
    planned: list[Job]
    written: list[Job] = field(default_factory=list)
    failed: dict[int, str] = field(default_factory=dict)  # row -> "row N: ..." message

    @property
    def skipped(self) -> int:
        """Leaflets already up to date."""
        return sum(job.action == "up to date" for job in self.planned)

    def made_rows(self) -> set[int]:
        """Rows whose leaflet is on disk now: written or already up to date."""
        return {job.row for job in self.planned} - set(self.failed)


def plan_batch(patients: PatientList, maker: Maker, history: History | None, output_dir: Path, *, force: bool,
               email: bool = False, encrypt: bool = False, formats: tuple[str, ...] = ("pdf",),
               each: Callable[[Job], None] | None = None) -> Plan:
    """Check every row and decide what each one needs; draw nothing yet.

    With `each`, every job is handed to it as it is planned instead of kept
    in the plan (a dry run lists them as it goes and holds none).

    With `email`, a row's address (and with `encrypt` its PDF password) is
    checked too, so nothing is sent to a row that has a problem. Without a
    history (a dry run before the first batch), no file on disk is handouts'.
    """
    plan = Plan()
    seen: dict[bytes, int] = {}  # a digest of each row's values, not the values: lists are long
    taken: set[str] = set()  # file names (the strings the jobs' paths hold anyway)
    common: dict = {}  # values many rows share
    for row in patients.rows():
        signature = hashlib.blake2b(repr(sorted(row.values.items())).encode(), digest_size=16).digest()
        if signature in seen:
            plan.duplicates.append(f"row {row.number}: the same as row {seen[signature]}; skipped")
            continue
        seen[signature] = row.number
        try:
            choices, address, password = _row_inputs(row, maker, email, encrypt, plan.warnings)
        except InvalidChoices as exc:
            plan.problems.append(f"row {row.number}: " + "; ".join(_describe(p, patients.lost_letters_fix)
                                                                    for p in exc.problems))
            continue
        patient_id = row.get("patient_id")
        path = _unique_path(output_dir, choices, patient_id, taken)
        if formats[0] != "pdf":
            path = path.with_suffix(f".{formats[0]}")
        choices = _shared(choices, ("procedures", "scars", "date", "clinician", "paper"), common)
        record = _shared(maker.record(choices, patient_id, address),
                         ("procedures", "scars", "clinician", "leaflet_date"), common)
        actions = {file: _action(file, record, history, force) for file in
                   (path.with_suffix(f".{fmt}") for fmt in formats)}
        if None in actions.values():
            theirs = next(file for file, action in actions.items() if action is None)
            plan.problems.append(f"row {row.number}: {theirs} {_whose(theirs, history)}; move it away or use --force")
            continue
        # Files that exist here are handouts' own, so a mix is rebuilt over them.
        kinds = set(actions.values())
        action = kinds.pop() if len(kinds) == 1 else "rebuild"
        job = Job(row.number, choices, patient_id, path, record, action, password, formats)
        plan.planned += 1
        plan.up_to_date += action == "up to date"
        if each is not None:
            each(job)
        else:
            plan.jobs.append(job)
    return plan


def run_batch(plan: Plan, maker: Maker, history: History, *, jobs: int, force: bool,
              progress: Callable[[int], None] = lambda n: None) -> Outcome:
    """Draw the leaflets that need it across `jobs` processes; write and record each."""
    outcome = Outcome(planned=plan.jobs)
    for folder in {job.path.parent for job in plan.jobs}:
        remove_stale_parts(folder, {file.name for job in plan.jobs for file in job.files.values()})
    for job in plan.jobs:
        if job.action == "up to date" and job.record.email:  # an address added since it was made
            history.set_email(job.path, job.record.email)
    for job, result in zip(plan.to_make, _render_all(plan.to_make, maker, jobs)):
        try:
            if isinstance(result, Exception):
                raise result
            write_formats(history, job.files, result, job.record, overwrite=force or job.action == "rebuild")
            outcome.written.append(job)
        except Exception as exc:  # one bad leaflet must not stop the others
            outcome.failed[job.row] = f"row {job.row}: {exc}"
        progress(1)
    return outcome


def _shared(value, names: tuple[str, ...], common: dict):
    """`value` with the given fields taken from `common`, so rows that share a
    choice of procedures, a date or a clinician share one object, not copies:
    a plan holds every row of a list that may have 100,000."""
    return replace(value, **{name: common.setdefault(getattr(value, name), getattr(value, name)) for name in names})


def _row_inputs(row: Row, maker: Maker, email: bool, encrypt: bool,
                 warnings: list[str]) -> tuple[PatientChoices, str, tuple[str, str] | None]:
    """The row's choices, address and PDF password, or every problem in it."""
    request = parse_request(maker.content, row.values, email_needed=email)
    if request.email_problem:  # only printing: a bad address must not stop the leaflet
        warnings.append(f"row {row.number}: {_describe(request.email_problem)}; not recorded")
    elif email and not request.email:
        warnings.append(f"row {row.number}: no email address; the leaflet is made but not emailed")
    password = None
    if email and encrypt and request.email:
        try:
            password = pdf_password(row.get("pdf_password"), row.get("dob"), DateOrder(maker.content.leaflet.language))
        except InputError as exc:
            raise InvalidChoices([exc]) from None
    return request.choices, request.email, password


def _describe(problem, lost_letters_fix: str = "") -> str:
    # The messages were written for options; a row names its columns. Letters lost say how to mend the list.
    if isinstance(problem, LostLetters):
        return f"{problem}: {lost_letters_fix}"
    if isinstance(problem, BilingualInOwnLanguage):
        return (f"{problem.field}: {problem}; write the patient's language in the language column, or leave "
                "bilingual empty")
    return f"{problem.field}: {problem}"


def _unique_path(folder: Path, choices: PatientChoices, patient_id: str, taken: set[str]) -> Path:
    stem = f"{choices.date.isoformat()}-{slug(choices.name)}"
    if patient_id:
        stem += f"-{slug(patient_id)}"
    path = next(name for name in numbered_names(folder / f"{stem}.pdf") if name.name not in taken)
    taken.add(path.name)
    return path


def _whose(path: Path, history: History | None) -> str:
    """Why a file in a leaflet's place is not simply replaced."""
    if history is not None and history.is_print_file(path):
        return "is a print file"
    if history is not None and history.is_leaflet(path):
        return "was changed since handouts made it (edited, or damaged)"
    return "already exists and was not made by handouts"


def _action(path: Path, record: Record, history: History | None, force: bool) -> str | None:
    if not path.exists():
        return "new"
    made = history.made_here(path) if history is not None else None
    if made is None:
        return "rebuild" if force else None
    return "up to date" if made.inputs == record.inputs and not force else "rebuild"


# -- rendering, in this process or in a pool ---------------------------------

_worker_maker: Maker | None = None


def _start_worker(source: MakerSource) -> None:
    global _worker_maker
    # Ctrl-C is for the main process, which stops the pool cleanly.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_with, args=(os.getppid(),), daemon=True).start()
    _worker_maker = source.load()


def _exit_with(batch: int) -> None:
    """End this worker once its batch has gone: killed outright (no Ctrl-C to
    stop the pool), it would leave the worker waiting for work for ever."""
    while os.getppid() == batch:
        time.sleep(1)
    os._exit(1)


def _render(task: tuple[PatientChoices, tuple[str, ...]], maker: Maker | None = None) -> dict | Exception:
    try:
        return (maker or _worker_maker).render(*task)
    except Exception as exc:  # reported against its row; the batch goes on
        return exc


def _render_all(jobs: list[Job], maker: Maker, processes: int) -> Iterator[dict | Exception]:
    tasks = [(job.choices, job.formats) for job in jobs]
    if processes <= 1 or len(jobs) < 2:
        yield from (_render(task, maker) for task in tasks)
        return
    with ProcessPoolExecutor(max_workers=processes, initializer=_start_worker, initargs=(maker.source,)) as pool:
        try:
            yield from pool.map(_render, tasks, chunksize=4)
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
