"""The handouts command line: parse options, call the engine, report errors.

Run as `python cli.py ...` or, once installed, as `handouts ...`.
"""

from __future__ import annotations

import contextlib
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING

# Ctrl-C while the libraries below load (a second or more on a cold machine) ends the way it does once
# Click runs, with "Aborted!" and exit code 1, not a traceback. A SIGINT the caller ignores stays ignored.
_ABORT_WHILE_LOADING = signal.getsignal(signal.SIGINT) is signal.default_int_handler
if _ABORT_WHILE_LOADING:
    signal.signal(signal.SIGINT, lambda signum, frame: sys.exit("\nAborted!"))

import click

from handouts import __version__
from handouts.commands import clinic, records
from handouts.commands.options import (CONTEXT, FORMATS, TextFile, check_encrypt, check_pdf, column_mapping,
                                       warn_of_unsound_translation,
                                       content_option, delivery_options, format_option, history_option, open_history, parse_since,
                                       print_pdfs, printer_options, progress_bar, report_errors, show_sent,
                                       strict_option, templates_option, warn_if_overdue)
from handouts.folder import OUTPUT
from handouts.paper import DEFAULT_PAPER, PAPER_SIZES

if TYPE_CHECKING:
    from handouts.batch import Job
    from handouts.batch_pipeline import BatchSummary, Sending
    from handouts.leaflet.content import Content

# Each command imports the rest of handouts where it runs: ReportLab, pypdf, email-validator and Flask
# take most of a second to load, which `--version`, `--help` and listing the procedures never need.

if _ABORT_WHILE_LOADING:  # from here on Click says "Aborted!" itself
    signal.signal(signal.SIGINT, signal.default_int_handler)


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
@click.option("--paper", type=click.Choice(PAPER_SIZES, case_sensitive=False), default=DEFAULT_PAPER,
              show_default=True, help="Paper size.")
@click.option("--large-print", is_flag=True, help="Body text 18 pt, for readers with low vision.")
@click.option("--language", metavar="TAG",
              help="The leaflet's language, such as es; 'handouts languages' lists the clinic's.  [default: the "
                   "content's own]")
@click.option("--bilingual", is_flag=True,
              help="With --language: the leaflet in the patient's language, then in the content's own (English).")
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
def make(patient, procedures, scars, sessions, appointment, clinician, date, note, note_file, paper, large_print, language,
         bilingual, fmt, output, force, email,
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
    check_encrypt(delivery, email, formats, "--email ADDRESS")
    check_pdf(printer, formats, "--printer")
    maker = Maker(content_path, templates_dir)
    warn_if_overdue(maker.content, strict)
    values = dict(patient=patient, procedures=procedures, scars=scars, sessions=sessions, appointment=appointment,
                  clinician=clinician, date=date, note=note if note_file is None else "", email=email)
    asking = not procedures or not patient
    if asking:
        values = _ask_missing(maker.content, history_path, values)
    if note_file is not None:
        values["note"] = note_file
    asked = parse_request(maker.content, {**values, "paper": paper, "large_print": large_print, "language": language,
                                           "bilingual": bilingual})
    choices, address = asked.choices, asked.email
    warn_of_unsound_translation(maker.content, templates_dir, choices.language, strict)
    if asking and not force:
        output, force = ask_where(choices, output, formats)
    password = _make_password(dob, maker.content) if delivery.encrypt else None
    with History(history_path) as history:
        paths = make_leaflet(maker, choices, history, output, force=force, email=address, formats=formats)
        click.echo("\n".join(str(path) for path in paths))
        if address:
            mail = letter(maker, paths, label=paths[0].name, name=choices.name, address=address, password=password,
                          language=choices.language, bilingual=choices.bilingual)
            if not delivery.send([mail], history, []):
                sys.exit(1)
        if printer:
            print_pdfs([(paths[0], choices.paper)], printer, history, duplex=duplex, copies=copies)



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
@click.argument("patients_csv", metavar="PATIENTS.csv", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--output", "output_dir", type=click.Path(file_okay=False, path_type=Path),
              default=OUTPUT, show_default=True, help="Folder for the leaflets.")
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
@click.option("--column", "columns", multiple=True, metavar='"THEIR HEADER=FIELD"', callback=column_mapping,
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
    from handouts.batch_pipeline import BatchSettings, make_batch, stored_history
    from handouts.leaflet.patients import read_patients
    from handouts.make import Maker

    maker = Maker(content_path, templates_dir)
    patients = read_patients(patients_csv, encoding, columns={**maker.content.batch_columns, **columns},
                             named=columns, sheet=sheet)
    if patients.columns.mapped:  # even when quiet: a wrong column is seen before anything is printed
        click.echo(patients.columns.summary())
    formats = FORMATS[fmt]
    check_encrypt(delivery, email, formats, "--email")
    check_pdf(print_file, formats, "--print-file")
    check_pdf(printer, formats, "--printer")
    warn_if_overdue(maker.content, strict)
    settings = BatchSettings(output_dir, formats, jobs, force, dry_run, print_file, duplex=duplex, email=email,
                             encrypt=delivery.encrypt, resend=delivery.resend, transport=delivery.transport,
                             printer=printer, copies=copies)
    summary = make_batch(patients, maker, lambda: stored_history(history_path, dry_run=dry_run), settings,
                         TerminalReport(quiet, email))
    if dry_run:
        plan = summary.plan
        click.echo(f"Dry run: {plan.planned - plan.up_to_date} to write, {plan.up_to_date} up to date, "
                   f"{len(plan.problems)} failed; nothing written.")
    if not summary.went_well:
        sys.exit(1)


class TerminalReport:
    """A batch as it goes, on a terminal: warnings and problems on stderr (warnings not when quiet),
    progress bars, and the counts on stdout."""

    def __init__(self, quiet: bool, email: bool):
        self.quiet, self.email = quiet, email

    def warning(self, line: str) -> None:
        if not self.quiet:
            click.echo(f"Warning: {line}", err=True)

    def problem(self, line: str) -> None:
        click.echo(line, err=True)

    def listed(self, job: Job) -> None:
        to = f", email to {job.record.email}" if self.email and job.record.email else ""
        files = " and ".join(str(file) for file in job.files.values())
        click.echo(f"row {job.row}: {files} ({job.action}{to})")

    def waiting(self, output_dir: Path) -> None:
        # Said even when quiet: a silent wait would look like a hang.
        click.echo(f"Waiting for the other batch writing to {output_dir} to finish...", err=True)

    @contextlib.contextmanager
    def progress(self, label: str, total: int):
        with progress_bar(total, label, self.quiet) as bar:
            yield bar.update

    def made(self, summary: BatchSummary) -> None:
        click.echo(f"Written {summary.written}, skipped {summary.skipped}, failed {summary.failed}, "
                   f"in {summary.seconds:.1f} s.")
        if summary.print_files:
            show_print_files(summary.print_files)

    def sent(self, sending: Sending) -> None:
        if sending.outcome is not None:
            show_sent(sending.outcome, sending.transport)

    def printed(self, job) -> None:
        click.echo(f"Sent {job.path} to {job.printer}: job {job.job}.")


def show_print_files(run) -> None:
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
    from handouts.batch_pipeline import bookmark
    from handouts.deliver.printfile import merge_leaflets
    from handouts.history import History

    with History(history_path) as history:
        titled = [(path, path.stem) for path in leaflets]
        for index, path in enumerate(leaflets):
            if record := history.made_here(path):
                titled[index] = (path, bookmark(record.patient, record.patient_id))
        with progress_bar(len(titled), "Making the print file", quiet=False) as bar:
            print_files = merge_leaflets(out, titled, duplex=duplex, force=force, history=history,
                                         progress=bar.update)
        show_print_files(print_files)
        if printer:
            print_pdfs([(result.path, result.paper) for result in print_files.files], printer, history,
                       duplex=duplex, copies=copies)


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
    from handouts.history.report import near
    from handouts.make import Maker
    from handouts.deliver.sending import letters_from_history

    since_date = parse_since(since)
    with open_history(history_path) as history:
        if dry_run:
            waiting = history.to_send(patient, since_date, include_sent=delivery.resend)
            for row in waiting:
                click.echo(f"{near(row.path)} -> {row.email}")
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




for command in (clinic.procedures, clinic.languages, clinic.check, records.history_command, records.audit_command, records.staff,
                clinic.init, clinic.backup, clinic.restore, clinic.serve):
    cli.add_command(command)


def main():
    cli(prog_name="handouts")


if __name__ == "__main__":
    main()
