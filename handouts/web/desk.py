"""The front desk's work, shared by its web pages and its API: the same engine as the command line.

One Desk serves many requests at once (waitress runs each in a thread), so:
- content, templates and fonts stay loaded between requests, and are loaded
  again when content.toml or a template changes on disk;
- a leaflet is drawn in a worker process with a time limit (drawing.py), as
  many at once as the machine has cores, so one that takes long holds up
  nobody; batches and content checks draw here, one at a time (ReportLab and
  fonts.use keep per-process state);
- the history is opened per request (a SQLite connection belongs to one
  thread) and opened and written under one lock, so one request settling
  what a crash left (History.recover) never mistakes another request's
  leaflet, halfway through being written, for a crash.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

from pypdf import PdfReader, PdfWriter
from pypdf.generic import DictionaryObject, NameObject, TextStringObject

from ..batch_pipeline import BatchSettings, QuietReport, make_batch
from ..check import Report, check_all
from ..leaflet.choices import PatientChoices
from ..leaflet.dates import DateOrder
from ..leaflet.translations import translation_paths
from ..deliver.delivery import Outbox, send_letters
from .. import clock
from ..errors import HandoutsError
from ..folder import OUTBOX, OUTPUT
from ..history import History
from ..staff import Member, Staff
from ..make import Maker, write_new
from ..output import default_path, slug
from ..leaflet.patients import PatientListError, Upload, read_patients
from ..deliver.printfile import PrintFile
from ..deliver.sending import letter
from .drawing import Drawers

# A batch from the web page is drawn here, one leaflet after another, while the page waits (about a minute for
# this many); longer lists go to `handouts batch`, which draws on every core and resumes where it stopped.
MAX_UPLOAD_ROWS = 500
# What the desk makes from the form: the PDF to print, and the HTML page to preview it by.
FORMATS = ("pdf", "html")
_LARGEST_ID = 2**63 - 1  # SQLite's largest integer


class NotFound(HandoutsError):
    """No such leaflet or print file, or its file has gone or changed."""


@dataclass(frozen=True)
class Made:
    entry: int  # the history record of the leaflet's PDF
    paths: dict[str, Path]
    email: str = ""  # what became of the email, when one was asked for


@dataclass
class BatchResult:
    written: int = 0
    skipped: int = 0
    problems: list[str] = field(default_factory=list)  # "row N: ..." for each row not made
    warnings: list[str] = field(default_factory=list)  # unknown columns, addresses not recorded
    print_files: list[PrintFile] = field(default_factory=list)  # one per paper size
    columns: str = ""  # which column was used for what, when the list's names are not the fields' own


class Desk:
    def __init__(self, maker: Maker, history_path: Path, *, output_dir: Path = Path(OUTPUT), transport=None,
                 resend: bool = False, drawers: Drawers | None = None):
        # Held in a list so that every copy of the desk (for_staff) shares what is loaded, and loads it once.
        self._loaded = [maker, _signature(maker)]
        self.history_path = Path(history_path)
        self.output_dir = Path(output_dir)
        # An Outbox or SmtpSender, copied for each use: a connection is one conversation.
        self.transport = transport or Outbox(self.output_dir / OUTBOX)
        self.resend = resend
        self.drawers = drawers or Drawers()
        self._drawing = threading.Lock()  # drawing in this process: batches and checks
        self._recording = threading.Lock()
        self._loading = threading.Lock()
        self.member: Member | None = None  # who uses it: set on the copy each request gets (for_staff)
        self.now = time.time  # the sessions' clock, which the tests move on

    def for_staff(self, member: Member) -> Desk:
        """This desk as `member` uses it: what they do is recorded as theirs, and a member who is not a
        manager sees only the leaflets they made themselves. The copy shares the loaded content and the locks."""
        used = copy.copy(self)
        used.member = member
        return used

    @property
    def _own_only(self) -> str | None:
        """The username whose leaflets alone this member may see, or None for all."""
        return None if self.member is None or self.member.is_manager else self.member.username

    # -- what the desk works from ------------------------------------------

    @property
    def maker(self) -> Maker:
        """The loaded content and templates, loaded again if they changed on disk (ContentError if now broken)."""
        loaded = self._loaded
        if _signature(loaded[0]) != loaded[1]:
            with self._loading:
                signature = _signature(loaded[0])
                if signature != loaded[1]:
                    maker = loaded[0].source.load()
                    loaded[:] = [maker, _signature(maker)]
        return loaded[0]

    @property
    def dates(self) -> DateOrder:
        return DateOrder(self.maker.content.leaflet.language)

    @contextmanager
    def history(self, *, writing_leaflets: bool = False) -> Iterator[History]:
        """The history, opened (which settles what a crash left) under the lock, and held throughout when
        `writing_leaflets`, whose records are pending until their files are in place. Reading and emailing
        let it go once open: a slow mail server then holds up nobody."""
        self._recording.acquire()
        held = True
        try:
            history = History(self.history_path, who=self.member.username if self.member else "")
            if not writing_leaflets:
                self._recording.release()
                held = False
            with history:
                yield history
        finally:
            if held:
                self._recording.release()

    @contextmanager
    def staff(self) -> Iterator[Staff]:
        """The staff accounts and their sessions."""
        with self.history() as history:
            yield Staff(history, now=self.now)

    # -- one leaflet ---------------------------------------------------------

    def make(self, choices: PatientChoices, *, address: str = "", formats: tuple[str, ...] = FORMATS,
             send: bool = False) -> Made:
        """Draw, write (under a free name) and record one leaflet; with `send`, email it to `address` too."""
        maker = self.maker
        rendered = self.drawers.draw(maker, self._loaded[1], choices, formats)
        with self.history(writing_leaflets=True) as history:
            paths = write_new(history, default_path(self.output_dir, choices.date, choices.name), rendered,
                              maker.record(choices, email=address))
            entry = history.made_here(paths[formats[0]]).id
        return Made(entry, paths, self.email(entry, address) if send and address else "")

    def close(self) -> None:
        """Stop the worker processes (they also stop when the desk is let go, or the program ends)."""
        self.drawers.close()

    def last_clinician(self) -> str:
        """Who prepared the latest leaflet: the likely one for the next."""
        if not self.history_path.exists():
            return ""
        with self.history() as history:
            return history.last_clinician() or ""

    def leaflet(self, entry: int, fmt: str = "pdf", *, action: str = "") -> tuple[dict, Path]:
        """The record of leaflet `entry` and its file in `fmt`, checked to be the file recorded; `action`
        (a download, a print) is recorded in the audit trail."""
        if not 0 < entry <= _LARGEST_ID:  # SQLite cannot even look a larger number up
            raise NotFound("no such leaflet here")
        with self.history() as history:
            row = history.entry(entry)
            if row is not None and self._own_only and row.made_by != self._own_only:
                row = None  # another member's patient: as if it were not there
            path = Path(row.path).with_suffix(f".{fmt}") if row else None
            if row is None or history.made_here(path) is None:
                raise NotFound("no such leaflet here, or its file has been moved or changed since it was made")
            if action:
                history.record_action(action, entry)
        return asdict(row), path

    def email(self, entry: int, address: str) -> str:
        """Email leaflet `entry`'s PDF to `address`; say what became of it."""
        row, path = self.leaflet(entry)
        mail = letter(self.maker, [path], label=path.name, name=row["patient"], address=address,
                      sha256=row["sha256"], language=row["language"], bilingual=row["bilingual"] == "yes")
        with self.history() as history:
            history.set_email(path, address)
            outcome = send_letters([mail], history, copy.copy(self.transport), resend=self.resend)
        if outcome.done:
            return self.transport.status.words("the")
        if outcome.already:
            return "already sent to this address"
        if outcome.in_outbox:  # written is not sent: say which
            return "already written to the outbox for this address"
        if outcome.uncertain or outcome.held:
            return "may have gone out already (the mail server did not confirm it); it is not sent again"
        if outcome.stopped:
            return f"not sent: {outcome.stopped}"
        failures = [failure.split(": ", 1)[-1] for failure in outcome.failed.values()]  # without the file name
        return failures[0] if failures else "not sent"

    # -- many ------------------------------------------------------------------

    def batch(self, csv: bytes, name: str, columns: dict[str, str] | None = None) -> BatchResult:
        """A leaflet for every good row of an uploaded patient list (`name` is the uploaded file's: a CSV file or
        an Excel workbook), and one print file of them. `columns` maps the list's own column names to fields, as
        content.toml's [batch.columns] does (which it adds to)."""
        # Read from memory (the upload is at most MAX_BODY), and named in messages as the file sent.
        patients = read_patients(Upload(name, csv), columns={**self.maker.content.batch_columns, **(columns or {})},
                                 named=columns or ())
        rows = sum(1 for _ in patients.rows())
        if rows > MAX_UPLOAD_ROWS:
            raise PatientListError(f"{name} has {rows:,} patients; the front desk makes at most "
                                   f"{MAX_UPLOAD_ROWS:,} at once: split the list, or run 'handouts batch' on "
                                   "the clinic's computer, which takes any number")
        stamp = clock.now().strftime("%Y-%m-%d-%H%M%S")
        # One at a time, in this process: the desk's drawing workers are for the form's leaflets.
        settings = BatchSettings(self.output_dir, jobs=1, print_file=self.output_dir / f"print-{stamp}.pdf",
                                 print_file_required=False)
        report = QuietReport()
        with self._drawing:
            summary = make_batch(patients, self.maker, lambda: self.history(writing_leaflets=True), settings,
                                 report)
        return BatchResult(summary.written, summary.skipped, report.problems, report.warnings,
                           summary.print_files.files if summary.print_files else [],
                           patients.columns.summary() if patients.columns.mapped else "")

    def print_file(self, name: str) -> Path:
        """A print file the desk made, by its name (never a path)."""
        if not name.startswith("print-") or slug(name[:-4]) != name[:-4] or not name.endswith(".pdf"):
            raise NotFound("no such print file")
        path = (self.output_dir / name).resolve()
        if not path.is_file():
            raise NotFound("no such print file; it may have been moved")
        return path

    def search(self, patient: str | None = None, leaflet_date: dt.date | None = None, *,
               latest: int = 20) -> list[dict]:
        """Leaflets made (their PDFs), newest first: those matching, or the latest few."""
        with self.history() as history:
            rows = [row for row in history.query(patient or None, None, leaflet_date)
                    if row["path"].endswith(".pdf") and self._own_only in (None, row["made_by"])]
        rows.reverse()
        return rows if patient or leaflet_date else rows[:latest]

    def check(self) -> Report:
        """`handouts check` of the content and templates on disk now."""
        source = self.maker.source
        with self._drawing:  # it draws sample leaflets
            return check_all(source.content_path, source.templates_dir)


def with_print_dialog(pdf: bytes) -> bytes:
    """The same PDF, asking the viewer to print as it opens (browsers' PDF viewers and Acrobat do)."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.root_object[NameObject("/OpenAction")] = DictionaryObject({
        NameObject("/S"): NameObject("/JavaScript"),
        NameObject("/JS"): TextStringObject("this.print({bUI: true, bSilent: false, bShrinkToFit: false});"),
    })
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _signature(maker: Maker) -> tuple:
    """What the loaded content and templates were read from: any change means loading them again."""
    content_path, templates_dir = maker.source.content_path, maker.source.templates_dir
    files = [content_path, *(maker.content.extra_fonts), *translation_paths(content_path).values(),
             *sorted(p for p in templates_dir.rglob("*") if p.is_file())]
    if maker.content.clinic.logo:
        files.append(maker.content.clinic.logo)
    stats = []
    for path in files:
        try:
            info = path.stat()
            stats.append((str(path), info.st_mtime_ns, info.st_size))
        except OSError:
            stats.append((str(path), None, None))
    return tuple(stats)
