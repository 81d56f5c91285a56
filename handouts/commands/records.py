"""The commands that read what was done: the history of leaflets, the audit trail, and staff accounts."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

import click

from ..errors import HandoutsError
from .options import CONTEXT, history_option, open_history, parse_since, report_errors


@click.command(name="history", context_settings=CONTEXT)
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
    from handouts.history.report import format_history

    since_date = parse_since(since)
    with open_history(history_path, read_only=True) as history:
        rows = history.query(patient, since_date, parse_since(leaflet_date, "--leaflet-date"))
    click.echo(format_history(rows, fmt), nl=False)


@click.command(name="audit", context_settings=CONTEXT)
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

    since_date = parse_since(since)
    with open_history(history_path) as history:
        click.echo(format_audit(audit_rows(history, patient, since_date), fmt), nl=False)


@click.group(context_settings=CONTEXT)
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
    with staff_accounts(history_path) as accounts:
        member = accounts.add(username, role, _new_password(username))
    click.echo(f"Added {member.username} ({member.role}).")


@staff.command(name="list", context_settings=CONTEXT)
@history_option
@report_errors
def staff_list(history_path):
    """List the staff accounts."""
    with staff_accounts(history_path) as accounts:
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
    with staff_accounts(history_path) as accounts:
        accounts.remove(username)
    click.echo(f"Removed {username}.")


@staff.command(name="password", context_settings=CONTEXT)
@click.argument("username")
@history_option
@report_errors
def staff_password(username, history_path):
    """Set a new password for an account; its sessions end."""
    with staff_accounts(history_path) as accounts:
        accounts.existing(username)  # a missing account is named before the password is asked for
        accounts.set_password(username, _new_password(username))
    click.echo(f"Changed the password of {username}.")


@contextlib.contextmanager
def staff_accounts(history_path: Path):
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
