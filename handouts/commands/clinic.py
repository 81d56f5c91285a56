"""The commands that set up and keep a clinic: the content's procedures and check, a new clinic folder,
backups, and the front desk."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .options import (CONTEXT, content_option, delivery_options, history_option, progress_bar, report_errors,
                      templates_option)
from .records import staff_accounts
from ..folder import OUTPUT

if TYPE_CHECKING:
    from ..leaflet.content import Figure, Procedure


@click.command(context_settings=CONTEXT)
@content_option
@report_errors
def procedures(content_path):
    """List the procedure ids, their names and recovery ranges."""
    from handouts.leaflet.content_reader import load_content

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


@click.command(context_settings=CONTEXT)
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
        for language in report.languages:
            click.echo(f"{language['language']} ({language['name']}): {language['status']}; reading level: "
                       f"{language['reading']}")
    if report.failed(strict):
        count = len(report.problems) + (len(report.warnings) if strict else 0)
        raise click.ClickException(f"{count} problem{'s' if count != 1 else ''} found; "
                                   "fix each line above, then run 'handouts check' again")
    if fmt == "text":
        click.echo(("Ready: " if not (report.warnings or report.sample) else "Usable, with warnings: ")
                   + report.summary)



@click.command(context_settings=CONTEXT)
@content_option
@templates_option
@report_errors
def languages(content_path, templates_dir):
    """List the languages the clinic's leaflets can be made in (make --language), with each translation's
    status: entries translated, clinical review, problems."""
    from handouts.leaflet.content_reader import load_content
    from handouts.leaflet.translation_check import check_languages

    content = load_content(content_path, for_print=False)
    click.echo(f"{content.leaflet.language}  the content's own language")
    for language in check_languages(content_path, templates_dir):
        click.echo(f"{language.language}  {language.name}: {language.status()}")


@click.command(context_settings=CONTEXT)
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


@click.command(context_settings=CONTEXT)
@click.argument("folder", metavar="DIR", type=click.Path(file_okay=False, path_type=Path))
@click.option("--leaflets/--no-leaflets", default=True, show_default=True,
              help="Also the leaflets, print files and outbox (--output); without them the backup is small.")
@click.option("-o", "--output", "output_dir", type=click.Path(file_okay=False, path_type=Path), default=OUTPUT,
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
    with progress_bar(total, "Backing up", quiet) as bar:
        archive = write_backup(clinic, folder, leaflets=leaflets, progress=lambda name: bar.update(1))
    click.echo(str(archive))


@click.command(context_settings=CONTEXT)
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


@click.command(context_settings=CONTEXT)
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Where to listen: this computer only, unless another address is given (then over HTTPS only).")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="The port to listen on (0: any free one).")
@click.option("--certificate", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="The clinic's own HTTPS certificate (PEM); with --key. Without it, other computers are served "
                   "with a certificate handouts makes for the clinic folder.")
@click.option("--key", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="The private key of --certificate (PEM).")
@click.option("-o", "--output", "output_dir", type=click.Path(file_okay=False, path_type=Path), default=OUTPUT,
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
    with staff_accounts(history_path) as accounts:
        if not accounts.members():
            raise click.ClickException("there are no staff accounts yet, so nobody could sign in to the front desk; "
                                       "add the first with 'handouts staff add USERNAME --role manager', then run "
                                       "'handouts serve' again")
