"""What the commands share: common options, the delivery options, errors turned into Click's, progress bars.

Nothing here loads more than Click: each command imports the rest of handouts where it runs, since ReportLab,
pypdf, email-validator and Flask take most of a second to load, which `--version` and `--help` never need.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .. import clock
from ..errors import BilingualInOwnLanguage, HandoutsError, InputError, InvalidChoices, LostLetters
from ..folder import CONTENT, DEFAULT_HISTORY, DEFAULT_OUTBOX, TEMPLATES

if TYPE_CHECKING:
    from ..deliver.delivery import SendOutcome, SmtpSettings
    from ..history import History
    from ..leaflet.content import Content


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
    "language": "--language",
    "bilingual": "--bilingual",
    "sessions": "--sessions",
    "appointment": "--appointment",
    "email": "--email",
    "dob": "--dob",
    "pdf_password": "--dob",
}


content_option = click.option(
    "--content", "content_path", type=click.Path(dir_okay=False, path_type=Path), default=CONTENT,
    show_default=True, envvar="HANDOUTS_CONTENT", help="Treatment content and clinic brand (env: HANDOUTS_CONTENT).")
history_option = click.option(
    "--history", "history_path", type=click.Path(dir_okay=False, path_type=Path), default=str(DEFAULT_HISTORY),
    show_default=True, envvar="HANDOUTS_HISTORY", help="The record of leaflets made (env: HANDOUTS_HISTORY).")
templates_option = click.option(
    "--templates", "templates_dir", type=click.Path(file_okay=False, path_type=Path), default=TEMPLATES,
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
        with progress_bar(len(letters), "Emailing", quiet or len(letters) < 2) as bar:
            outcome = send_letters(letters, history, transport, resend=self.resend, held=held, progress=bar.update)
        show_sent(outcome, transport)
        return not (problems or outcome.failed or outcome.uncertain or outcome.stopped)


def show_sent(outcome: SendOutcome, transport) -> None:
    """Each message that failed or may have gone out, and the counts."""
    for line in [*outcome.failed.values(), *outcome.uncertain.values(), *outcome.held]:
        click.echo(line, err=True)
    if outcome.stopped:
        click.echo(f"Error: {outcome.stopped}", err=True)
    click.echo(outcome.summary(transport.verb, transport.missed))


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
    if isinstance(first, BilingualInOwnLanguage):
        return f"{first}; add --language with the patient's language, or leave out --bilingual"
    return str(problem)


def column_mapping(ctx, param, texts):
    """--column "Their Header=field" options, as {header: field}."""
    from handouts.leaflet.columns import ColumnError, parse_mapping

    try:
        return parse_mapping(texts)
    except ColumnError as exc:
        raise click.BadParameter(str(exc)) from None


def check_encrypt(delivery: Delivery, email, formats: tuple[str, ...], email_option: str) -> None:
    if delivery.encrypt and not email:
        raise click.UsageError(f"--encrypt is for emailed leaflets; add {email_option}.")
    if delivery.encrypt and "html" in formats:
        raise click.UsageError("--encrypt protects PDF files only; use --format pdf to email encrypted leaflets.")


def check_pdf(wanted, formats: tuple[str, ...], option: str) -> None:
    if wanted and "pdf" not in formats:
        raise click.UsageError(f"{option} needs PDF leaflets; use --format pdf or both.")


def print_pdfs(pdfs: list[tuple[Path, str]], printer: str, history: History, *, duplex: bool, copies: int) -> None:
    """Send each (PDF, paper) to the printer, saying the job id of each."""
    from handouts.deliver.printer import print_all

    for job in print_all(pdfs, printer, history, duplex=duplex, copies=copies):
        click.echo(f"Sent {job.path} to {job.printer}: job {job.job}.")


def open_history(path: Path, *, read_only: bool = False) -> History:
    """A history that must exist already."""
    if not path.exists():
        raise click.ClickException(f"{path}: no history yet; it is written by 'make' and 'batch'")
    from handouts.history import History

    return History(path, read_only=read_only)


def progress_bar(length: int, label: str, quiet: bool):
    """A progress bar on a terminal's stderr; none when quiet or piped."""
    return click.progressbar(length=length, label=label, file=sys.stderr, hidden=quiet or not sys.stderr.isatty())


def parse_since(since: str | None, option: str = "--since") -> dt.date | None:
    try:
        return dt.date.fromisoformat(since) if since else None
    except ValueError:
        raise click.BadParameter(f"'{since}' is not a date; write it as YYYY-MM-DD", param_hint=f"'{option}'") from None


def warn_of_unsound_translation(content: Content, templates_dir: Path, language: str, strict: bool) -> None:
    """A leaflet from a translation `handouts check` refuses (entries missing or stale, sentences of the templates
    untranslated) says so: those parts print in English. --strict prints no such leaflet."""
    from handouts.leaflet.translation_check import check_language

    if language == content.leaflet.language:
        return
    problems = check_language(content.path, templates_dir, language, reading=False).problems
    if problems:
        more = f" (and {len(problems) - 1} more: see 'handouts check')" if len(problems) > 1 else ""
        if strict:
            raise click.ClickException(f"{problems[0]}{more}; --strict prints no leaflet from this translation")
        click.echo(f"Warning: {problems[0]}{more}; meanwhile those parts of the leaflet are in English", err=True)


def warn_if_overdue(content: Content, strict: bool) -> None:
    """A leaflet from content past its review date says so on every run."""
    from handouts.leaflet.audit import review_warning

    overdue = review_warning(content, clock.today())
    if overdue and strict:
        raise click.ClickException(f"{content.path}: {overdue} (--strict)")
    if overdue:
        click.echo(f"Warning: {content.path}: {overdue}", err=True)
