"""The front desk's pages for staff: the form, a leaflet's preview and files, the batch, the history and the
content's check.

Every one needs a member of staff signed in (the gatekeeper in app.py sees to it and puts their copy of the
desk in `g.desk`); a patient's leaflet is addressed by its history id, never by a name.
"""

from __future__ import annotations

import io
from pathlib import Path

from flask import Blueprint, g, redirect, render_template, request, send_file, url_for

from .. import clock
from ..errors import InputError, InvalidChoices
from ..leaflet.contact import check_address
from ..leaflet.contrast import MIN_CONTRAST, contrast_pairs, contrast_ratio
from ..leaflet.dates import DateProblem
from ..leaflet.columns import ColumnError, parse_mapping
from ..leaflet.patients import PatientListError
from ..leaflet.request import parse_request
from ..leaflet.translations import plain_language_name
from ..paper import DEFAULT_PAPER, PAPERS
from . import guard
from .desk import Desk, with_print_dialog
from .fields import FORM_BILINGUAL, FORM_LOST_LETTERS, errors, from_form

blueprint = Blueprint("pages", __name__)

# Pages for managers only: the whole clinic's batches and print files, and the content's check.
MANAGER_ONLY = {"pages.batch": "run a batch", "pages.print_file": "download print files",
                "pages.content_page": "see the content check"}


@blueprint.route("/", methods=["GET", "POST"])
def new_leaflet():
    content = g.desk.maker.content
    if request.method != "POST":
        values = dict(clinician=g.desk.last_clinician(), date=g.desk.dates.show(clock.today()), paper=DEFAULT_PAPER)
        return render_template("new.html", values=values, errors={}, **form_context(g.desk))
    values = from_form(request.form, content)
    try:
        asked = parse_request(content, values)
    except InvalidChoices as exc:
        return render_template("new.html", values=values, errors=errors(exc, FORM_LOST_LETTERS, FORM_BILINGUAL),
                               **form_context(g.desk)), 422
    made = g.desk.make(asked.choices, address=asked.email)
    return redirect(url_for("pages.preview", entry=made.entry), code=303)


def form_context(desk: Desk) -> dict:
    content = desk.maker.content
    return dict(procedures=list(content.procedures.values()), scars=list(content.scars.values()),
                date_pattern=desk.dates.pattern, papers=list(PAPERS.values()), default_paper=DEFAULT_PAPER,
                languages=desk.maker.language_names,
                own_language=plain_language_name(content.leaflet.language))


# -- a leaflet, by its history id -------------------------------------------


@blueprint.get("/leaflets/<int:entry>")
def preview(entry: int, message: str = "", status: int = 200):
    row, path = g.desk.leaflet(entry)
    return render_template("preview.html", row=row, entry=entry, filename=path.name, message=message), status


@blueprint.get("/leaflets/<int:entry>.pdf")
def download(entry: int):
    _, path = g.desk.leaflet(entry, action="downloaded")
    return send_file(path, mimetype="application/pdf", as_attachment=True, download_name=path.name)


@blueprint.get("/leaflets/<int:entry>/print")
def print_view(entry: int):
    """The PDF, opening the browser's print dialog as it opens (in its own tab)."""
    _, path = g.desk.leaflet(entry, action="printed from the browser")
    response = send_file(io.BytesIO(with_print_dialog(path.read_bytes())), mimetype="application/pdf",
                         download_name=path.name)
    response.headers["Content-Security-Policy"] = guard.PDF_POLICY
    return response


@blueprint.get("/leaflets/<int:entry>.html")
def leaflet_page(entry: int):
    _, path = g.desk.leaflet(entry, "html")
    response = send_file(path, mimetype="text/html")
    response.headers["Content-Security-Policy"] = guard.LEAFLET_POLICY
    response.headers["X-Frame-Options"] = "SAMEORIGIN"  # shown inside the preview page
    return response


@blueprint.post("/leaflets/<int:entry>/email")
def email(entry: int):
    address = request.form.get("email", "")
    try:
        outcome = g.desk.email(entry, check_address(address))
    except InputError as exc:
        return preview(entry, message=f"Not sent: {exc}", status=422)
    return preview(entry, message=f"Email: {outcome}.")


# -- the clinic's work ---------------------------------------------------------


@blueprint.route("/batch", methods=["GET", "POST"])
def batch():
    mapping = request.form.get("columns", "")
    if request.method != "POST":
        return render_template("batch.html", result=None, error="", columns=mapping)
    try:
        columns = parse_mapping([line for line in mapping.splitlines() if line.strip()])
    except ColumnError as exc:
        return render_template("batch.html", result=None, error="", columns=mapping,
                               columns_error=f"{exc}; write one column a line"), 422
    upload = request.files.get("patients")
    if upload is None or not upload.filename:
        return render_template("batch.html", result=None, columns=mapping,
                               error="Choose the patient list: a CSV file or an Excel workbook (.xlsx)."), 422
    try:
        result = g.desk.batch(upload.read(), Path(upload.filename).name, columns)
    except PatientListError as exc:
        return render_template("batch.html", result=None, error=str(exc), columns=mapping), 422
    return render_template("batch.html", result=result, error="", columns=mapping)


@blueprint.get("/print-files/<name>")
def print_file(name: str):
    return send_file(g.desk.print_file(name), mimetype="application/pdf", as_attachment=True, download_name=name)


@blueprint.route("/history", methods=["GET", "POST"])
def history():
    patient = request.form.get("patient", "").strip()
    day_text = request.form.get("date", "").strip()
    problem, day = "", None
    if day_text:
        try:
            day = g.desk.dates.date(day_text)
        except DateProblem as exc:
            problem = f"'{day_text}' {exc}; write it as {g.desk.dates.forms}"
    rows = [] if problem else g.desk.search(patient, day)
    searched = request.method == "POST" and not problem
    return render_template("history.html", rows=rows, patient=patient, day=day_text, problem=problem,
                           searched=searched, pattern=g.desk.dates.pattern), 422 if problem else 200


@blueprint.get("/content")
def content_page():
    report = g.desk.check()
    colours = g.desk.maker.content.clinic.colours
    contrasts = [(f"{key} colour {getattr(colours, key)} on {ground} ({background})",
                  contrast_ratio(getattr(colours, key), background))
                 for key, background, ground, _ in contrast_pairs(colours)]
    return render_template("content.html", report=report, info=g.desk.maker.content.leaflet,
                           today=clock.today(), contrasts=contrasts, minimum=MIN_CONTRAST)
