"""The handouts command line: parse options, call the engine, report errors.

Run as `python cli.py ...` or, once installed, as `handouts ...`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import os
import signal
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

# Ctrl-C while the libraries below load (a second or more on a cold machine) ends the way it does once
# Click runs, with "Aborted!" and exit code 1, not a traceback. A SIGINT the caller ignores stays ignored.
_ABORT_WHILE_LOADING = signal.getsignal(signal.SIGINT) is signal.default_int_handler
if _ABORT_WHILE_LOADING:
    signal.signal(signal.SIGINT, lambda signum, frame: sys.exit("\nAborted!"))

import click

from handouts import __version__, clock
from handouts.leaflet.choices import PAPER_SIZES
from handouts.errors import HandoutsError, InputError, InvalidChoices, LostLetters
from handouts.output import DEFAULT_HISTORY, DEFAULT_OUTBOX

if TYPE_CHECKING:
    from handouts.leaflet.content import Content, Figure, Procedure
    from handouts.deliver.delivery import SmtpSettings
    from handouts.history import History

# Each command imports the rest of handouts where it runs: ReportLab, pypdf, email-validator and Flask
# take most of a second to load, which `--version`, `--help` and listing the procedures never need.

if _ABORT_WHILE_LOADING:  # from here on Click says "Aborted!" itself
    signal.signal(signal.SIGINT, signal.default_int_handler)

CONTEXT = dict(help_option_names=["-h", "--help"], max_content_width=100)
OPTION_FOR_FIELD = {
    "patient": "--patient",
    "procedures": "--procedure",
    "scars": "--scar",
    "clinician": "--clinician",
    "date": "--date",
    "note": "--note",
    "paper": "--paper",
    "large_print": "--large-print",
    "sessions": "--sessions",
    "appointment": "--appointment",
    "email": "--email",
    "dob": "--dob",
    "pdf_password": "--dob",
}


content_option = click.option(
    "--content", "content_path", type=click.Path(dir_okay=False, path_type=Path), default="content.toml",
    show_default=True, envvar="HANDOUTS_CONTENT", help="Treatment content and clinic brand (env: HANDOUTS_CONTENT).")
history_option = click.option(
    "--history", "history_path", type=click.Path(dir_okay=False, path_type=Path), default=str(DEFAULT_HISTORY),
    show_default=True, envvar="HANDOUTS_HISTORY", help="The record of leaflets made (env: HANDOUTS_HISTORY).")
templates_option = click.option(
    "--templates", "templates_dir", type=click.Path(file_okay=False, path_type=Path), default="templates",
    show_default=True, envvar="HANDOUTS_TEMPLATES", help="Folder of wording templates (env: HANDOUTS_TEMPLATES).")


FORMATS = {"pdf": ("pdf",), "html": ("html",), "both": ("pdf", "html")}
format_option = click.option(
    "--format", "fmt", type=click.Choice(list(FORMATS)), default="pdf", show_default=True,
    help="PDF for printing, an accessible HTML page (one self-contained file), or both.")
strict_option = click.option("--strict", is_flag=True,
                             help="Refuse to work from content that is past its review date.")


def printer_options(command):
    """--printer and --copies: send the PDFs to a CUPS printer once they are written."""
    @functools.wraps(command)
    def checked(*args, printer, copies, **kwargs):
        if copies != 1 and not printer:  # else the copies asked for would silently not be printed
            raise click.UsageError("--copies prints copies on a printer: add --printer NAME (or set "
                                   "HANDOUTS_PRINTER)")
        return command(*args, printer=printer, copies=copies, **kwargs)

    checked = click.option("--copies", type=click.IntRange(1, 99), default=1, show_default=True,
                           help="With --printer: copies of each.")(checked)
    return click.option("--printer", metavar="NAME", envvar="HANDOUTS_PRINTER",
                        help="Also send to this printer (CUPS; 'lpstat -e' lists them), on the leaflet's paper, "
                             "two-sided unless --no-duplex (env: HANDOUTS_PRINTER).")(checked)


class TextFile(click.ParamType):
    """A UTF-8 text file ('-' for standard input), read whole; its text is the value."""

    name = "file"

    def convert(self, value, param, ctx):
        try:
            raw = sys.stdin.buffer.read() if value == "-" else Path(value).read_bytes()
        except OSError as exc:
            self.fail(f"'{value}' cannot be read: {exc.strerror or exc}", param, ctx)
        try:
            return raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            self.fail(f"'{value}' line {line} is not UTF-8 text; save it as UTF-8 (or paste the note into --note)",
                      param, ctx)


def delivery_options(command):
    """Where emails go (an outbox folder, or an SMTP server) and how; gathered into one `delivery`."""
    options = [
        click.option("--encrypt", is_flag=True,
                     help="Encrypt each attached PDF (AES-256) with the pdf_password or date of birth."),
        click.option("--resend", is_flag=True, help="Send again to addresses that already have the leaflet."),
        click.option("--outbox", type=click.Path(file_okay=False, path_type=Path), default=str(DEFAULT_OUTBOX),
                     show_default=True, envvar="HANDOUTS_OUTBOX",
                     help="Without --smtp-host, messages are written here as .eml files (env: HANDOUTS_OUTBOX)."),
        click.option("--smtp-host", metavar="HOST", envvar="HANDOUTS_SMTP_HOST",
                     help="Send through this mail server (env: HANDOUTS_SMTP_HOST)."),
        click.option("--smtp-port", type=click.IntRange(1, 65535), metavar="PORT", envvar="HANDOUTS_SMTP_PORT",
                     help="[default: 25, or 465 with --ssl] (env: HANDOUTS_SMTP_PORT)"),
        click.option("--smtp-user", metavar="NAME", envvar="HANDOUTS_SMTP_USER",
                     help="Log in as NAME; the password comes from HANDOUTS_SMTP_PASSWORD or a hidden prompt "
                          "(env: HANDOUTS_SMTP_USER)."),
        click.option("--starttls", is_flag=True, envvar="HANDOUTS_SMTP_STARTTLS",
                     help="Secure the connection with STARTTLS (env: HANDOUTS_SMTP_STARTTLS=1)."),
        click.option("--ssl", "use_ssl", is_flag=True, envvar="HANDOUTS_SMTP_SSL",
                     help="Connect over TLS from the start (env: HANDOUTS_SMTP_SSL=1)."),
        click.option("--retries", type=click.IntRange(0, 10), default=3, show_default=True,
                     help="Tries again after a temporary mail server failure, waiting 1, 2, 4... seconds."),
        # Hidden: lets the tests meet a server that never answers without waiting half a minute.
        click.option("--smtp-timeout", type=click.FloatRange(0.1, 600), default=30.0, envvar="HANDOUTS_SMTP_TIMEOUT",
                     hidden=True),
    ]

    @functools.wraps(command)
    def wrapper(*args, encrypt, resend, outbox, smtp_host, smtp_port, smtp_user, starttls, use_ssl, retries,
                smtp_timeout, **kwargs):
        if starttls and use_ssl:
            raise click.UsageError("Choose one of --starttls and --ssl, not both.")
        if not smtp_host and (smtp_port or smtp_user or starttls or use_ssl):
            raise click.UsageError("--smtp-port, --smtp-user, --starttls and --ssl need --smtp-host.")
        from handouts.deliver.delivery import SmtpSettings

        security = "starttls" if starttls else "ssl" if use_ssl else "none"
        delivery = Delivery(encrypt, resend, outbox, smtp_host and SmtpSettings(
            smtp_host, smtp_port, smtp_user, None, security, retries, smtp_timeout))
        return command(*args, delivery=delivery, **kwargs)

    for option in reversed(options):
        wrapper = option(wrapper)
    return wrapper


class Delivery:
    """The delivery options of one command, and the transport they describe."""

    def __init__(self, encrypt: bool, resend: bool, outbox: Path, smtp: SmtpSettings | None):
        self.encrypt, self.resend, self.outbox, self.smtp = encrypt, resend, outbox, smtp

    def transport(self):
        from handouts.deliver.delivery import Outbox, SmtpSender

        if self.smtp is None:
            return Outbox(self.outbox)
        password = None
        if self.smtp.user:
            password = os.environ.get("HANDOUTS_SMTP_PASSWORD")
            if password is None:
                if not sys.stdin.isatty():
                    raise click.UsageError("--smtp-user needs a password: set HANDOUTS_SMTP_PASSWORD, or run in a "
                                           "terminal to be asked for it.")
                password = click.prompt(f"Password for {self.smtp.user} at {self.smtp.host}", hide_input=True,
                                        err=True)
        return SmtpSender(dataclasses.replace(self.smtp, password=password))

    def send(self, letters, history, problems, quiet=False, held=()) -> bool:
        """Send `letters`, report each failure and a summary; True if all went well.

        `held` reports messages that may have gone out in an earlier run: they
        are listed, but only a message this run could not settle fails it.
        """
        from handouts.deliver.delivery import send_letters

        for problem in problems:
            click.echo(problem, err=True)
        if not letters:
            for line in held:
                click.echo(line, err=True)
            return not problems
        transport = self.transport()
        with _progress(len(letters), "Emailing", quiet or len(letters) < 2) as bar:
            outcome = send_letters(letters, history, transport, resend=self.resend, held=held, progress=bar.update)
        for line in [*outcome.failed.values(), *outcome.uncertain.values(), *outcome.held]:
            click.echo(line, err=True)
        if outcome.stopped:
            click.echo(f"Error: {outcome.stopped}", err=True)
        click.echo(outcome.summary(transport.verb, transport.missed))
        return not (problems or outcome.failed or outcome.uncertain or outcome.stopped)


def report_errors(command):
    """Turn the engine's own errors into Click errors: no tracebacks for users."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except InputError as exc:
            raise click.BadParameter(_mended(exc), param_hint=f"'{OPTION_FOR_FIELD[exc.field]}'") from None
        except HandoutsError as exc:
            raise click.ClickException(str(exc)) from None

    return wrapper


def _mended(problem: InputError) -> str:
    """The message, saying how to mend a name or note whose letters were lost before they reached handouts."""
    first = problem.problems[0] if isinstance(problem, InvalidChoices) else problem
    if isinstance(first, LostLetters):
        return f"{first}: type it again with its own letters (if it came from a file or a script, save that as UTF-8)"
    return str(problem)


@click.group(context_settings=CONTEXT)
@click.version_option(__version__, "--version", prog_name="handouts")
def cli():
    """Personalised PDF leaflets for patients weighing acne scar treatment.

    A leaflet covers only the treatments chosen for the patient: what they
    are, recovery times and realistic expectations, in the clinic's brand.
    """


@cli.command(context_settings=CONTEXT)
@click.option("-p", "--patient", metavar="NAME", help="The patient's name, as it should be printed.")
@click.option("--procedure", "procedures", multiple=True, metavar="ID",
              help="A chosen procedure id; repeat for more. See 'handouts procedures'.")
@click.option("--scar", "scars", multiple=True, metavar="TYPE", help="A scar type to explain; repeat for more.")
@click.option("--sessions", "sessions", multiple=True, metavar="ID=TEXT",
              help='Sessions this patient is likely to need, e.g. subcision=3 or "fillers=2 to 3"; repeat per '
                   "treatment.")
@click.option("--appointment", metavar='"YYYY-MM-DD HH:MM"',
              help="The first treatment appointment, printed on page 1 (the time may be left out).")
@click.option("--clinician", metavar="NAME", help="Who prepared the leaflet.")
@click.option("--date", metavar="YYYY-MM-DD", help="Date printed on the leaflet.  [default: today]")
@click.option("--note", metavar="TEXT", help="A personal note from the clinician.")
@click.option("--note-file", type=TextFile(), metavar="FILE",
              help="Read the note from a text file ('-' for standard input).")
@click.option("--paper", type=click.Choice(PAPER_SIZES, case_sensitive=False), default="a4", show_default=True,
              help="Paper size.")
@click.option("--large-print", is_flag=True, help="Body text 18 pt, for readers with low vision.")
@format_option
@click.option("-o", "--output", type=click.Path(path_type=Path), metavar="PATH",
              help="File or folder to write.  [default: output/DATE-NAME.pdf]")
@click.option("--force", is_flag=True, help="Replace the output file if it exists.")
@click.option("--email", metavar="ADDRESS", help="Email the leaflet to this address once it is made.")
@click.option("--dob", metavar="YYYY-MM-DD",
              help="With --encrypt: the patient's date of birth, which becomes the PDF password as DDMMYYYY.")
@printer_options
@click.option("--duplex/--no-duplex", default=True, show_default=True,
              help="With --printer: print on both sides of the paper.")
@strict_option
@delivery_options
@content_option
@templates_option
@history_option
@report_errors
def make(patient, procedures, scars, sessions, appointment, clinician, date, note, note_file, paper, large_print, fmt, output, force, email,
         dob, printer, copies, duplex, strict,
         delivery, content_path, templates_dir, history_path):
    """Make one patient's leaflet and print the path of the PDF.

    \b
    Example:
      handouts make --patient "Sam Smith" --procedure subcision --procedure fillers
    Without --procedure or --patient in a terminal, it asks for everything
    not given, in order, each with its default, and asks before replacing a
    file.
    """
    from handouts.history import History
    from handouts.leaflet.request import parse_request
    from handouts.make import Maker, make_leaflet
    from handouts.prompts import ask_where
    from handouts.deliver.sending import letter

    if note is not None and note_file is not None:
        raise click.UsageError("Give the note with --note or --note-file, not both.")
    formats = FORMATS[fmt]
    suffix = f".{formats[0]}"
    if output is not None and not output.is_dir() and output.suffix.lower() != suffix:
        raise click.BadParameter(f"'{output}' must end in {suffix}, or be an existing folder", param_hint="'--output'")
    _check_encrypt(delivery, email, formats, "--email ADDRESS")
    _check_pdf(printer, formats, "--printer")
    maker = Maker(content_path, templates_dir)
    _warn_if_overdue(maker.content, strict)
    values = dict(patient=patient, procedures=procedures, scars=scars, sessions=sessions, appointment=appointment,
                  clinician=clinician, date=date, note=note if note_file is None else "", email=email)
    asking = not procedures or not patient
    if asking:
        values = _ask_missing(maker.content, history_path, values)
    if note_file is not None:
        values["note"] = note_file
    asked = parse_request(maker.content, {**values, "paper": paper, "large_print": large_print})
    choices, address = asked.choices, asked.email
    if asking and not force:
        output, force = ask_where(choices, output, formats)
    password = _make_password(dob, maker.content) if delivery.encrypt else None
    with History(history_path) as history:
        paths = make_leaflet(maker, choices, history, output, force=force, email=address, formats=formats)
        click.echo("\n".join(str(path) for path in paths))
        if address:
            mail = letter(maker, paths, label=paths[0].name, name=choices.name, address=address, password=password)
            if not delivery.send([mail], history, []):
                sys.exit(1)
        if printer:
            _print([(paths[0], choices.paper)], printer, history, duplex=duplex, copies=copies)


def _check_encrypt(delivery: Delivery, email, formats: tuple[str, ...], email_option: str) -> None:
    if delivery.encrypt and not email:
        raise click.UsageError(f"--encrypt is for emailed leaflets; add {email_option}.")
    if delivery.encrypt and "html" in formats:
        raise click.UsageError("--encrypt protects PDF files only; use --format pdf to email encrypted leaflets.")


def _check_pdf(wanted, formats: tuple[str, ...], option: str) -> None:
    if wanted and "pdf" not in formats:
        raise click.UsageError(f"{option} needs PDF leaflets; use --format pdf or both.")


def _print(pdfs: list[tuple[Path, str]], printer: str, history: History, *, duplex: bool, copies: int) -> None:
    """Send each (PDF, paper) to the printer, saying the job id of each."""
    from handouts.deliver.printer import print_all

    for job in print_all(pdfs, printer, history, duplex=duplex, copies=copies):
        click.echo(f"Sent {job.path} to {job.printer}: job {job.job}.")


def _open_history(path: Path, *, read_only: bool = False) -> History:
    """A history that must exist already."""
    if not path.exists():
        raise click.ClickException(f"{path}: no history yet; it is written by 'make' and 'batch'")
    from handouts.history import History

    return History(path, read_only=read_only)


def _warn_if_overdue(content: Content, strict: bool) -> None:
    """A leaflet from content past its review date says so on every run."""
    from handouts.leaflet.audit import review_warning

    overdue = review_warning(content, clock.today())
    if overdue and strict:
        raise click.ClickException(f"{content.path}: {overdue} (--strict)")
    if overdue:
        click.echo(f"Warning: {content.path}: {overdue}", err=True)


def _make_password(dob: str | None, content: Content) -> tuple[str, str]:
    from handouts.leaflet.dates import DateOrder
    from handouts.leaflet.contact import pdf_password

    if dob:
        return pdf_password(dob=dob, order=DateOrder(content.leaflet.language))
    if not sys.stdin.isatty():
        raise click.UsageError("--encrypt needs --dob YYYY-MM-DD, or run in a terminal to type a password.")
    return pdf_password(click.prompt("PDF password (at least 6 characters)", hide_input=True,
                                     confirmation_prompt=True, err=True))


def _ask_missing(content: Content, history_path: Path, given: dict) -> dict:
    """Ask in a terminal for what is missing (the clinician defaults to the last one); elsewhere say what to add."""
    from handouts.prompts import ask_choices

    if not sys.stdin.isatty():
        if not given["patient"]:
            raise click.UsageError("Missing option '--patient'. Give the name, for example --patient \"Sam Smith\".")
        raise click.UsageError("Missing option '--procedure'. Give at least one, for example --procedure "
                               "subcision; 'handouts procedures' lists them all.")
    from handouts.history import History

    last = None
    if history_path.exists():
        with History(history_path) as history:
            last = history.last_clinician()
    return ask_choices(content, given, last_clinician=last)


@cli.command(context_settings=CONTEXT)
@content_option
@report_errors
def procedures(content_path):
    """List the procedure ids, their names and recovery ranges."""
    from handouts.leaflet.content import load_content

    content = load_content(content_path, for_print=False)
    rows = [("ID", "NAME", "BACK TO WORK", "FULL RECOVERY")]
    for p in content.procedures.values():
        rows.append((p.id, p.name, _figure(p, p.back_to_work), _figure(p, p.full_recovery)))
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    for row in rows:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths)) + "  " + row[3])
    click.echo(f"\nScar types for --scar: {', '.join(content.scars)}")


def _figure(procedure: Procedure, figure: Figure | None) -> str:
    """Staff-facing shorthand; the leaflet words these through its template."""
    if not procedure.works_on_skin:
        return "none needed"
    if figure is None:
        return "clinician advises"
    if figure.days is None:
        return figure.text.lower()
    days = figure.days
    if days.high is None:
        return f"{days.low}+ days"
    return f"{days.low} days" if days.low == days.high else f"{days.low}-{days.high} days"


@cli.command(context_settings=CONTEXT)
@click.option("--strict", is_flag=True, help="Treat warnings (reading level, review date) as errors.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="json: the whole report on stdout, for scripts.")
@content_option
@templates_option
def check(strict, fmt, content_path, templates_dir):
    """Check content.toml and the templates: problems, reading level, review date.

    Exit code 1 if there is any problem (or, with --strict, any warning).
    """
    from handouts.check import check_all

    report = check_all(content_path, templates_dir)
    if fmt == "json":
        click.echo(report.as_json(), nl=False)
    else:
        for problem in report.problems:
            click.echo(problem, err=True)
        for warning in report.warnings:
            click.echo(f"{'Error' if strict else 'Warning'}: {warning}", err=True)
        for warning in report.sample:
            click.echo(f"Warning: {warning}", err=True)
        if report.sections:
            click.echo(report.reading_table())
    if report.failed(strict):
        count = len(report.problems) + (len(report.warnings) if strict else 0)
        raise click.ClickException(f"{count} problem{'s' if count != 1 else ''} found; "
                                   "fix each line above, then run 'handouts check' again")
    if fmt == "text":
        click.echo(("Ready: " if not (report.warnings or report.sample) else "Usable, with warnings: ")
                   + report.summary)


def _column_mapping(ctx, param, texts):
    """--column "Their Header=field" options, as {header: field}."""
    from handouts.leaflet.columns import ColumnError, parse_mapping

    try:
        return parse_mapping(texts)
    except ColumnError as exc:
        raise click.BadParameter(str(exc)) from None


@cli.command(context_settings=CONTEXT)
@click.argument("patients_csv", metavar="PATIENTS.csv", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--output", "output_dir", type=click.Path(file_okay=False, path_type=Path),
              default="output", show_default=True, help="Folder for the leaflets.")
@click.option("-j", "--jobs", type=click.IntRange(1, 64), show_default="all cores",
              help="Worker processes drawing leaflets.")
@click.option("--print-file", type=click.Path(dir_okay=False, path_type=Path), metavar="PATH",
              help="Also write one PDF with every leaflet, in CSV order, for printing; one per "
                   "paper size if they differ (print.pdf becomes print-a4.pdf and print-letter.pdf).")
@click.option("--duplex/--no-duplex", default=True, show_default=True,
              help="In the print file, start every leaflet on a front side; with --printer, print both sides.")
@click.option("--dry-run", is_flag=True, help="Check every row and list what would be written; write nothing.")
@click.option("--force", is_flag=True, help="Rebuild every leaflet, even those up to date.")
@click.option("--encoding", metavar="NAME", help="The CSV's encoding.  [default: UTF-8, else Windows-1252]")
@click.option("--sheet", metavar="NAME", help="The sheet of an Excel workbook to read.  [default: the first]")
@click.option("--column", "columns", multiple=True, metavar='"THEIR HEADER=FIELD"', callback=_column_mapping,
              help='A column of the booking system\'s own, and the field it holds, e.g. "Procedure Name=procedures"; '
                   "repeat for more. Columns always used this way go in content.toml's [batch.columns].")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar or warnings; errors and the summary only.")
@click.option("--email", "email", is_flag=True, help="Email each leaflet to the address in the email column.")
@printer_options
@format_option
@strict_option
@delivery_options
@content_option
@templates_option
@history_option
@report_errors
def batch(patients_csv, output_dir, jobs, print_file, duplex, dry_run, force, encoding, sheet, columns, quiet, email,
          printer, copies, fmt, strict, delivery, content_path, templates_dir, history_path):
    """Make a leaflet for every row of a patient list: a CSV file, or an
    Excel workbook (.xlsx) as it is.

    \b
    Columns (header row required; case, spaces and punctuation ignored):
      patient, procedures (ids or names separated by ; , or +)    required
      patient_id, clinician, date, scars, note, email, paper,
      large_print (yes/no), sessions (subcision=3; fillers=2 to 3),
      appointment (YYYY-MM-DD HH:MM), appointment_time    optional
      dob (YYYY-MM-DD) or pdf_password    for --email --encrypt
    A booking system's own names are recognised: Patient Name, Full Name,
    Client, Treatment(s), Service, Patient ID, MRN, NHS Number, Email
    Address, Practitioner, Doctor, Appointment (Date, Time), Date of Birth;
    map others with --column. The columns used are listed first: check them.
    Bad rows are listed as "row N: ..." and the good rows are still made.
    Leaflets already made from the same inputs are skipped, so a stopped
    batch can simply be run again.
    """
    from handouts.batch import default_jobs, plan_batch
    from handouts.make import Maker
    from handouts.leaflet.patients import read_patients
    from handouts.deliver.printfile import check_print_file, print_file_names
    from handouts.deliver.sending import letters_for_batch

    maker = Maker(content_path, templates_dir)
    patients = read_patients(patients_csv, encoding, columns={**maker.content.batch_columns, **columns},
                             named=columns, sheet=sheet)
    if patients.columns.mapped:  # even when quiet: a wrong column is seen before anything is printed
        click.echo(patients.columns.summary())
    if not quiet:
        for warning in patients.warnings:
            click.echo(f"Warning: {warning}", err=True)
    formats = FORMATS[fmt]
    _check_encrypt(delivery, email, formats, "--email")
    _check_pdf(print_file, formats, "--print-file")
    _check_pdf(printer, formats, "--printer")
    _warn_if_overdue(maker.content, strict)
    with _batch_history(history_path, output_dir, dry_run) as history:
        plan = plan_batch(patients, maker, history, output_dir, force=force, email=email, encrypt=delivery.encrypt,
                          formats=formats, each=_dry_run_line(email) if dry_run else None)
        if print_file:
            leaflets = [file for job in plan.jobs for file in job.files.values()]
            for name in {print_file, *print_file_names(print_file, (job.choices.paper for job in plan.jobs)).values()}:
                check_print_file(name, history, force=force, writable=not dry_run, leaflets=leaflets)
        for line in plan.duplicates + plan.warnings if not quiet else ():
            click.echo(f"Warning: {line}", err=True)
        for problem in plan.problems:
            click.echo(problem, err=True)
        if dry_run:
            click.echo(f"Dry run: {plan.planned - plan.up_to_date} to write, {plan.up_to_date} up to date, "
                       f"{len(plan.problems)} failed; nothing written.")
        else:
            started = time.perf_counter()
            outcome = _run_with_progress(plan, maker, history, jobs or default_jobs(), force, quiet)
            for failure in outcome.failed.values():
                click.echo(failure, err=True)
            failed = len(plan.problems) + len(outcome.failed)
            try:
                print_files = _batch_print_files(plan, outcome, print_file, duplex, force, history, quiet)
            finally:  # the leaflets were written even if the print file was not
                click.echo(f"Written {len(outcome.written)}, skipped {outcome.skipped + len(plan.duplicates)}, "
                           f"failed {failed}, in {time.perf_counter() - started:.1f} s.")
            if print_files:
                _report_print_file(print_files)
            sent_well = True
            if email:
                letters, problems = letters_for_batch(maker, plan, outcome)
                sent_well = delivery.send(letters, history, problems, quiet)
            if printer:
                # The print files, or else each leaflet drawn by this run (not again those already made).
                pdfs = ([(result.path, result.paper) for result in print_files.files] if print_file else
                        [(job.path, job.choices.paper) for job in sorted(outcome.written, key=lambda job: job.row)])
                _print(pdfs, printer, history, duplex=duplex, copies=copies)
    if plan.problems or (not dry_run and (outcome.failed or not sent_well)):
        sys.exit(1)


def _dry_run_line(email: bool):
    """Lists each leaflet as it is planned, so a dry run holds none of them."""
    def show(job) -> None:
        to = f", email to {job.record.email}" if email and job.record.email else ""
        files = " and ".join(str(file) for file in job.files.values())
        click.echo(f"row {job.row}: {files} ({job.action}{to})")

    return show


@contextlib.contextmanager
def _batch_history(history_path: Path, output_dir: Path, dry_run: bool):
    """A real batch holds its output folder's lock throughout; a dry run only
    reads the history, if there is one (None otherwise), and writes nothing."""
    from handouts.history import History
    from handouts.lock import folder_lock

    if dry_run:
        history = History.if_exists(history_path)
        try:
            yield history
        finally:
            if history is not None:
                history.close()
        return
    waiting = f"Waiting for the other batch writing to {output_dir} to finish..."
    # Said even with --quiet: a silent wait would look like a hang.
    with folder_lock(output_dir, on_wait=lambda: click.echo(waiting, err=True)):
        with History(history_path) as history:
            yield history


def _bookmark(name: str, patient_id: str) -> str:
    return f"{name} ({patient_id})" if patient_id else name


def _report_print_file(run) -> None:
    """One line per print file (one per paper size), and per earlier one removed."""
    for result in run.files:
        click.echo(f"Print file {click.format_filename(result.path)}: {result.pages} pages, {_size(result.size)} "
                   f"(the leaflets add up to {_size(result.leaflets_size)}).")
    for path in run.removed:
        click.echo(f"Removed {click.format_filename(path)}: an earlier print file, so that only this run's are "
                   "left to print.")
    for path in run.kept:  # said even with --quiet: printed by mistake, it holds other patients' leaflets
        click.echo(f"Warning: {click.format_filename(path)} is not from this run (changed since it was made, or "
                   "not made by handouts) and was left as it is; do not print it by mistake.", err=True)


def _size(size: int) -> str:
    return f"{size / 1024:.0f} KiB" if size < 1024 * 1024 else f"{size / 1024 / 1024:.1f} MiB"


@cli.command(context_settings=CONTEXT)
@click.argument("out", metavar="OUT.pdf", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("leaflets", metavar="IN.pdf...", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--duplex/--no-duplex", default=True, show_default=True,
              help="Start every leaflet on a front side; with --printer, print both sides.")
@click.option("--force", is_flag=True,
              help="Replace OUT.pdf even if it is not an earlier print file (never a leaflet).")
@printer_options
@history_option
@report_errors
def merge(out, leaflets, duplex, force, printer, copies, history_path):
    """Put leaflets already made into one PDF for printing, in the order given.

    Each leaflet gets a bookmark with the patient's name (from the history)
    or its file name. OUT.pdf is recorded in the history as a print file, and
    only such a file is replaced without --force; a leaflet never is.
    Leaflets on different paper go to one file per size (OUT-a4.pdf and
    OUT-letter.pdf).
    """
    from handouts.history import History

    with History(history_path) as history:
        titled = [(path, path.stem) for path in leaflets]
        for index, path in enumerate(leaflets):
            if record := history.made_here(path):
                titled[index] = (path, _bookmark(record["patient"], record["patient_id"]))
        print_files = _merge_with_progress(out, titled, duplex, force, history, quiet=False)
        _report_print_file(print_files)
        if printer:
            _print([(result.path, result.paper) for result in print_files.files], printer, history, duplex=duplex,
                   copies=copies)


def _run_with_progress(plan, maker, history, jobs, force, quiet):
    from handouts.batch import run_batch

    with _progress(len(plan.to_make), "Making leaflets", quiet) as bar:
        return run_batch(plan, maker, history, jobs=jobs, force=force, progress=bar.update)


def _batch_print_files(plan, outcome, print_file, duplex, force, history, quiet):
    """Every leaflet of the batch now on disk, in CSV order, in print files (none without --print-file)."""
    if not print_file:
        return None
    made = outcome.made_rows()
    leaflets = [(job.path, _bookmark(job.choices.name, job.patient_id)) for job in plan.jobs if job.row in made]
    return _merge_with_progress(print_file, leaflets, duplex, force, history, quiet)


def _merge_with_progress(out, leaflets, duplex, force, history, quiet):
    from handouts.deliver.printfile import merge_leaflets

    with _progress(len(leaflets), "Making the print file", quiet) as bar:
        return merge_leaflets(out, leaflets, duplex=duplex, force=force, history=history, progress=bar.update)


def _progress(length: int, label: str, quiet: bool):
    """A progress bar on a terminal's stderr; none when quiet or piped."""
    return click.progressbar(length=length, label=label, file=sys.stderr, hidden=quiet or not sys.stderr.isatty())


@cli.command(context_settings=CONTEXT)
@click.option("--patient", metavar="TEXT", help="Only this patient (part of the name, or the exact patient id).")
@click.option("--since", metavar="YYYY-MM-DD", help="Only leaflets made on or after this day.")
@click.option("--dry-run", is_flag=True, help="List who would get which leaflet; send nothing.")
@delivery_options
@content_option
@templates_option
@history_option
@report_errors
def send(patient, since, dry_run, delivery, content_path, templates_dir, history_path):
    """Email recorded leaflets that have an address but were not sent yet.

    Addresses come from 'make --email' or a batch's email column. A message
    that failed is tried again; one that may have gone out (the server took
    it without answering) only with --resend. With --encrypt, the password
    of each leaflet is asked for (hidden).
    """
    from handouts.deliver.delivery import nothing_to_send
    from handouts.history import near
    from handouts.make import Maker
    from handouts.deliver.sending import letters_from_history

    since_date = _since(since)
    with _open_history(history_path) as history:
        if dry_run:
            waiting = history.to_send(patient, since_date, include_sent=delivery.resend)
            for row in waiting:
                click.echo(f"{near(row['path'])} -> {row['email']}")
            click.echo(f"Dry run: {len(waiting)} to send; nothing sent.")
            return
        maker = Maker(content_path, templates_dir)
        letters, problems, held = letters_from_history(maker, history, patient=patient, since=since_date,
                                                       encrypt=delivery.encrypt, resend=delivery.resend,
                                                       password_for=_ask_password)
        sent_well = delivery.send(letters, history, problems, held=held)
        if not letters and not problems:
            click.echo(nothing_to_send(history, patient, since_date))
        if not sent_well:
            sys.exit(1)


def _ask_password(label: str) -> tuple[str, str]:
    from handouts.leaflet.contact import pdf_password

    if not sys.stdin.isatty():
        raise click.UsageError("send --encrypt asks for each leaflet's password, so run it in a terminal; "
                               "or email while making the leaflets (batch --email --encrypt).")
    return pdf_password(click.prompt(f"PDF password for {label}", hide_input=True, confirmation_prompt=True,
                                     err=True))


def _since(since: str | None, option: str = "--since") -> dt.date | None:
    try:
        return dt.date.fromisoformat(since) if since else None
    except ValueError:
        raise click.BadParameter(f"'{since}' is not a date; write it as YYYY-MM-DD", param_hint=f"'{option}'") from None


@cli.command(name="history", context_settings=CONTEXT)
@click.option("--patient", metavar="TEXT", help="Only this patient (part of the name, or the exact patient id).")
@click.option("--since", metavar="YYYY-MM-DD", help="Only leaflets made on or after this day.")
@click.option("--leaflet-date", metavar="YYYY-MM-DD", help="Only leaflets dated this day (their --date).")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@history_option
@report_errors
def history_command(patient, since, leaflet_date, fmt, history_path):
    """Show which leaflets were given, to whom, from which content version.

    Times are this computer's local time; EMAIL says what became of the
    leaflet's email (sent, written to outbox, failed, not sent yet).
    """
    from handouts.history import format_history

    since_date = _since(since)
    with _open_history(history_path, read_only=True) as history:
        rows = history.query(patient, since_date, _since(leaflet_date, "--leaflet-date"))
    click.echo(format_history(rows, fmt), nl=False)


@cli.command(name="audit", context_settings=CONTEXT)
@click.option("--patient", metavar="TEXT", help="Only this patient (part of the name, or the exact patient id).")
@click.option("--since", metavar="YYYY-MM-DD", help="Only what was done on or after this day.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@history_option
@report_errors
def audit_command(patient, since, fmt, history_path):
    """Show who made, downloaded, printed and emailed each leaflet, and who signed in to the front desk.

    WHO is the staff member's username on the front desk, 'api' for the
    clinic system's token, and the computer's user on the command line.
    """
    from handouts.audit_trail import audit_rows, format_audit

    since_date = _since(since)
    with _open_history(history_path) as history:
        click.echo(format_audit(audit_rows(history, patient, since_date), fmt), nl=False)


@cli.group(context_settings=CONTEXT)
def staff():
    """Staff accounts for the front desk: each person signs in with their own.

    A desk account makes, previews, prints and emails leaflets, and sees the
    ones it made; a manager's also runs batches and sees the whole history
    and the content check. Passwords are typed at a hidden prompt, or given
    on standard input when it is not a terminal; never on the command line.
    """


@staff.command(name="add", context_settings=CONTEXT)
@click.argument("username")
@click.option("--role", type=click.Choice(["desk", "manager"]), required=True, help="What the account may do.")
@history_option
@report_errors
def staff_add(username, role, history_path):
    """Add a staff account (the password is asked for)."""
    with _staff_accounts(history_path) as accounts:
        member = accounts.add(username, role, _new_password(username))
    click.echo(f"Added {member.username} ({member.role}).")


@staff.command(name="list", context_settings=CONTEXT)
@history_option
@report_errors
def staff_list(history_path):
    """List the staff accounts."""
    with _staff_accounts(history_path) as accounts:
        members = accounts.members()
    if not members:
        click.echo("No staff accounts yet; add one with 'handouts staff add USERNAME --role manager'.")
        return
    width = max(len("USERNAME"), *(len(m.username) for m in members))
    click.echo(f"{'USERNAME'.ljust(width)}  ROLE     ADDED")
    for member in members:
        click.echo(f"{member.username.ljust(width)}  {member.role.ljust(7)}  {member.added_at}")


@staff.command(name="remove", context_settings=CONTEXT)
@click.argument("username")
@history_option
@report_errors
def staff_remove(username, history_path):
    """Remove a staff account; whoever is signed in with it is signed out."""
    with _staff_accounts(history_path) as accounts:
        accounts.remove(username)
    click.echo(f"Removed {username}.")


@staff.command(name="password", context_settings=CONTEXT)
@click.argument("username")
@history_option
@report_errors
def staff_password(username, history_path):
    """Set a new password for an account; its sessions end."""
    with _staff_accounts(history_path) as accounts:
        accounts.existing(username)  # a missing account is named before the password is asked for
        accounts.set_password(username, _new_password(username))
    click.echo(f"Changed the password of {username}.")


@contextlib.contextmanager
def _staff_accounts(history_path: Path):
    from handouts.history import History
    from handouts.staff import Staff

    with History(history_path) as history:
        yield Staff(history)


def _new_password(username: str) -> str:
    """From a hidden prompt, typed twice; or the first line of standard input when it is not a terminal."""
    from handouts.staff import check_password

    if not sys.stdin.isatty():
        return check_password(sys.stdin.readline().rstrip("\r\n"))
    while True:
        password = click.prompt(f"Password for {username}", hide_input=True, confirmation_prompt=True, err=True)
        try:
            return check_password(password)
        except HandoutsError as exc:
            click.echo(f"  {exc}", err=True)


@cli.command(context_settings=CONTEXT)
@click.argument("folder", metavar="FOLDER", type=click.Path(file_okay=False, path_type=Path))
@report_errors
def init(folder):
    """Make a clinic folder: its own content.toml, templates/ and output/.

    The content and wording are copies of the ones handouts ships, for the
    clinic to edit; README.txt in the folder says what to change and what to
    run. Nothing already there is replaced.
    """
    from handouts.folder import init_folder

    for path in init_folder(folder):
        click.echo(f"{path}{'/' if path.is_dir() else ''}")
    click.echo(f"Next: cd {folder}, put the clinic's details in content.toml, then run 'handouts check'.")
    click.echo("Change these first: the clinic's name, phone, email and website in content.toml ([clinic]) and "
               "its logo (templates/brand/logo.png) are still the sample's.")


@cli.command(context_settings=CONTEXT)
@click.argument("folder", metavar="DIR", type=click.Path(file_okay=False, path_type=Path))
@click.option("--leaflets/--no-leaflets", default=True, show_default=True,
              help="Also the leaflets, print files and outbox (--output); without them the backup is small.")
@click.option("-o", "--output", "output_dir", type=click.Path(file_okay=False, path_type=Path), default="output",
              show_default=True, help="The clinic's folder of leaflets.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar; only the archive's name.")
@content_option
@templates_option
@history_option
@report_errors
def backup(folder, leaflets, output_dir, quiet, content_path, templates_dir, history_path):
    """Back up this clinic folder into one dated archive in DIR.

    The archive (readable by its owner only: it holds patients' names) has
    the history with the staff accounts (a consistent copy, even while the
    desk or a batch is writing), content.toml, templates/, the desk's HTTPS
    certificate and, unless --no-leaflets, the leaflets and outbox. 'handouts
    restore' makes a clinic folder from it.
    """
    from handouts.backup import ClinicFiles, backup_members, write_backup

    clinic = ClinicFiles(content_path, templates_dir, history_path, output_dir)
    total = len(backup_members(clinic, leaflets)) + history_path.is_file()
    with _progress(total, "Backing up", quiet) as bar:
        archive = write_backup(clinic, folder, leaflets=leaflets, progress=lambda name: bar.update(1))
    click.echo(str(archive))


@cli.command(context_settings=CONTEXT)
@click.argument("archive", metavar="ARCHIVE", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("new_folder", metavar="NEWDIR", type=click.Path(path_type=Path))
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
@report_errors
def restore(archive, new_folder, quiet):
    """Make the new clinic folder NEWDIR from a backup ARCHIVE.

    Every file is checked against the archive's own list, and the history's
    leaflets are found in NEWDIR. An existing folder is never written over.
    Then 'cd NEWDIR' and use handouts as before.
    """
    from handouts.backup import restore_backup

    shown = not quiet and sys.stderr.isatty()
    restored = []

    def progress(name):
        restored.append(name)
        if shown:
            click.echo(f"\rRestoring: {len(restored)} files", err=True, nl=False)

    try:
        manifest = restore_backup(archive, new_folder, progress=progress)
    finally:
        if shown and restored:
            click.echo(err=True)
    leaflets = "with" if manifest["leaflets"] else "without"
    click.echo(f"{new_folder}: restored from the backup of {manifest['made_at'][:16].replace('T', ' ')} "
               f"({len(manifest['files'])} files, {leaflets} leaflets); cd {new_folder} and carry on")


@cli.command(context_settings=CONTEXT)
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Where to listen: this computer only, unless another address is given (then over HTTPS only).")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="The port to listen on (0: any free one).")
@click.option("--certificate", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="The clinic's own HTTPS certificate (PEM); with --key. Without it, other computers are served "
                   "with a certificate handouts makes for the clinic folder.")
@click.option("--key", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="The private key of --certificate (PEM).")
@click.option("-o", "--output", "output_dir", type=click.Path(file_okay=False, path_type=Path), default="output",
              show_default=True, help="Folder for the leaflets.")
@delivery_options
@content_option
@templates_option
@history_option
@report_errors
def serve(host, port, certificate, key, output_dir, delivery, content_path, templates_dir, history_path):
    """The front desk: make leaflets from a web page, for staff who do not use a terminal.

    Pages for a new leaflet, a batch from a CSV, the history and the
    content's check, and a JSON API for clinic systems (POST /api/leaflets,
    with HANDOUTS_API_TOKEN as its bearer token). Staff sign in with their own
    accounts ('handouts staff add'). Served on this computer only, unless
    --host says otherwise; then over HTTPS only. Emails go as for 'make --email'.
    """
    from handouts.make import Maker
    from handouts.web import Desk, create_app, on_this_computer_only, run_server
    from handouts.web.tls import Certificate, clinic_certificate, host_names

    if os.environ.get("HANDOUTS_WEB_PASSWORD"):
        click.echo("Warning: HANDOUTS_WEB_PASSWORD is no longer used and gives no access: each member of staff "
                   "signs in with their own account ('handouts staff add'). Unset it.", err=True)
    if delivery.encrypt:
        raise click.UsageError("serve does not encrypt emails; leave out --encrypt (or send encrypted leaflets with "
                               "'handouts send --encrypt').")
    if (certificate is None) != (key is None):
        raise click.UsageError("--certificate and --key go together: give both, or neither.")
    _require_staff(history_path)
    local = on_this_computer_only(host) and certificate is None
    names = () if local else host_names(host)
    tls = None if local else Certificate(certificate, key) if certificate else \
        clinic_certificate(content_path.resolve().parent, names)
    if tls is not None:
        made = "made for this clinic folder" if tls.made_now else "in use"
        click.echo(f"HTTPS certificate {tls.certificate} ({made}); its SHA-256 fingerprint is {tls.fingerprint}",
                   err=True)
    desk = Desk(Maker(content_path, templates_dir), history_path, output_dir=output_dir,
                transport=delivery.transport(), resend=delivery.resend)
    app = create_app(desk, api_token=os.environ.get("HANDOUTS_API_TOKEN") or None, local_only=local,
                     tls=tls is not None, host_names=names)
    run_server(app, host, port, certificate=tls, announce=lambda line: click.echo(line))


def _require_staff(history_path: Path) -> None:
    """The front desk opens to staff accounts only: without one, nobody could sign in."""
    with _staff_accounts(history_path) as accounts:
        if not accounts.members():
            raise click.ClickException("there are no staff accounts yet, so nobody could sign in to the front desk; "
                                       "add the first with 'handouts staff add USERNAME --role manager', then run "
                                       "'handouts serve' again")


def main():
    cli(prog_name="handouts")


if __name__ == "__main__":
    main()
