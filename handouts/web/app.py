"""The front desk as a Flask app: pages for staff, and a JSON API for clinic systems.

Patient names travel only in request bodies and pages, never in a URL (a
leaflet is addressed by its history id), so they never reach the access log,
which records the method, path and status of each request and nothing else.
"""

from __future__ import annotations

import io
import json
import logging
import time
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, abort, g, jsonify, redirect, render_template, request, send_file, session, url_for
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from ..leaflet.content import MIN_CONTRAST, contrast_pairs, contrast_ratio
from ..leaflet.dates import DateProblem
from .. import clock
from ..errors import HandoutsError, InputError, InvalidChoices
from ..leaflet.contact import check_address
from ..leaflet.columns import ColumnError, parse_mapping
from ..leaflet.patients import PatientListError
from ..leaflet.request import parse_request
from ..leaflet.wording import long_date
from ..staff import Member
from . import brand, guard, signin
from .desk import Desk, NotFound, with_print_dialog
from .drawing import DrawingFailed
from .fields import API_LOST_LETTERS, FORM_LOST_LETTERS, errors, from_form, from_json
from .shown import printable, without_paths

MAX_BODY = 5 * 1024 * 1024
log = logging.getLogger("handouts.web")


@dataclass
class Settings:
    """What the views and sign-in share, kept on the app (app.extensions["handouts"])."""

    desk: Desk
    throttle: guard.LoginThrottle
    session_idle: float
    session_lifetime: float


# Who the history says made the API's leaflets: the clinic system holding the token.
API_CLIENT = Member("api", "desk")
# Pages for managers only: the whole clinic's batches and print files, and the content's check.
MANAGER_ONLY = {"batch": "run a batch", "print_file": "download print files", "content_page": "see the content check"}


def create_app(desk: Desk, *, api_token: str | None = None, local_only: bool = True, tls: bool = False,
               host_names: tuple[str, ...] = (), login_pause: float = 2.0, session_idle: float = 15 * 60,
               session_lifetime: float = 12 * 3600) -> Flask:
    """The front desk for `desk`; staff sign in with their own accounts; `api_token` turns the API on.
    `local_only` (served on 127.0.0.1) makes requests name this computer; otherwise they must name it by one
    of `host_names`. With `tls`, cookies are sent over HTTPS only and browsers told to keep to it."""
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=guard.new_token(),  # cookies last while the server runs
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        SESSION_COOKIE_SECURE=tls,
        SESSION_COOKIE_NAME="handouts",
        MAX_CONTENT_LENGTH=MAX_BODY,
    )
    app.jinja_env.filters["long_date"] = long_date
    app.extensions["handouts"] = Settings(desk, guard.LoginThrottle(login_pause), session_idle, session_lifetime)
    app.register_blueprint(signin.blueprint)
    brand.register(app, desk)

    @app.before_request
    def gatekeeper():
        g.started = time.perf_counter()
        if not guard.host_allowed(request.host, local_only, host_names):
            where = "http://127.0.0.1" if local_only else f"https://{host_names[0]}" if host_names else "its name"
            abort(400, f"This front desk answers by its own name only: open it as {where}.")
        if request.method == "POST":
            if guard.from_another_site(request.headers, request.host_url):
                abort(403, "This request came from another web page, so nothing was done. Open the front desk "
                           "itself and try again there.")
            if not request.path.startswith("/api/") and not guard.same_token(request.form.get("csrf_token"),
                                                                              session.get("csrf")):
                abort(400, "The form had expired. Go back, reload the page and try again.")
        if request.path.startswith("/api/") or request.endpoint in ("static", "signin.login", *brand.OPEN_ENDPOINTS):
            return None
        refused = signin.refuse_when_not_signed_in()
        if refused is not None:
            return refused
        g.desk = desk.for_staff(g.member)
        if request.endpoint in MANAGER_ONLY and not g.member.is_manager:
            abort(403, f"Only a manager can {MANAGER_ONLY[request.endpoint]}; ask one to do it, or to make your "
                       "account a manager's.")
        return None

    @app.context_processor
    def page_context():
        if "csrf" not in session:
            session["csrf"] = guard.new_token()
        return dict(csrf_token=session["csrf"], member=g.get("member"), clinic=brand.brand(desk))

    @app.after_request
    def headers(response):
        response.headers.setdefault("Content-Security-Policy", guard.PAGE_POLICY)
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers["X-Content-Type-Options"] = "nosniff"
        # Our own pages' forms still say where they come from (Origin), which the CSRF check reads; other sites
        # are told nothing (names are never in URLs anyway).
        response.headers["Referrer-Policy"] = "same-origin"
        if tls:  # browsers that once reached it over HTTPS never try plain HTTP again
            response.headers["Strict-Transport-Security"] = "max-age=31536000"
        if request.endpoint != "static":
            response.headers["Cache-Control"] = "no-store"  # pages and leaflets hold patients' names
        seconds = time.perf_counter() - g.get("started", time.perf_counter())
        log.info("%s %s %s %.0f ms", printable(request.method), printable(request.path), response.status_code,
                 seconds * 1000)
        return response

    # -- pages --------------------------------------------------------------

    @app.route("/", methods=["GET", "POST"])
    def new_leaflet():
        content = g.desk.maker.content
        if request.method != "POST":
            values = dict(clinician=g.desk.last_clinician(), date=g.desk.dates.show(clock.today()), paper="a4")
            return render_template("new.html", values=values, errors={}, **form_context(g.desk))
        values = from_form(request.form, content)
        try:
            asked = parse_request(content, values)
        except InvalidChoices as exc:
            return render_template("new.html", values=values, errors=errors(exc, FORM_LOST_LETTERS),
                                   **form_context(g.desk)), 422
        made = g.desk.make(asked.choices, address=asked.email)
        return redirect(url_for("preview", entry=made.entry), code=303)

    @app.get("/leaflets/<int:entry>")
    def preview(entry: int, message: str = "", status: int = 200):
        row, path = g.desk.leaflet(entry)
        return render_template("preview.html", row=row, entry=entry, filename=path.name, message=message), status

    @app.get("/leaflets/<int:entry>.pdf")
    def download(entry: int):
        _, path = g.desk.leaflet(entry, action="downloaded")
        return send_file(path, mimetype="application/pdf", as_attachment=True, download_name=path.name)

    @app.get("/leaflets/<int:entry>/print")
    def print_view(entry: int):
        """The PDF, opening the browser's print dialog as it opens (in its own tab)."""
        _, path = g.desk.leaflet(entry, action="printed from the browser")
        response = send_file(io.BytesIO(with_print_dialog(path.read_bytes())), mimetype="application/pdf",
                             download_name=path.name)
        response.headers["Content-Security-Policy"] = guard.PDF_POLICY
        return response

    @app.get("/leaflets/<int:entry>.html")
    def leaflet_page(entry: int):
        _, path = g.desk.leaflet(entry, "html")
        response = send_file(path, mimetype="text/html")
        response.headers["Content-Security-Policy"] = guard.LEAFLET_POLICY
        response.headers["X-Frame-Options"] = "SAMEORIGIN"  # shown inside the preview page
        return response

    @app.post("/leaflets/<int:entry>/email")
    def email(entry: int):
        address = request.form.get("email", "")
        try:
            outcome = g.desk.email(entry, check_address(address))
        except InputError as exc:
            return preview(entry, message=f"Not sent: {exc}", status=422)
        return preview(entry, message=f"Email: {outcome}.")

    @app.route("/batch", methods=["GET", "POST"])
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

    @app.get("/print-files/<name>")
    def print_file(name: str):
        return send_file(g.desk.print_file(name), mimetype="application/pdf", as_attachment=True, download_name=name)

    @app.route("/history", methods=["GET", "POST"])
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

    @app.get("/content")
    def content_page():
        report = g.desk.check()
        colours = g.desk.maker.content.clinic.colours
        contrasts = [(f"{key} colour {getattr(colours, key)} on {ground} ({background})",
                      contrast_ratio(getattr(colours, key), background))
                     for key, background, ground, _ in contrast_pairs(colours)]
        return render_template("content.html", report=report, info=g.desk.maker.content.leaflet,
                               today=clock.today(), contrasts=contrasts, minimum=MIN_CONTRAST)

    # -- the API ---------------------------------------------------------------

    @app.post("/api/leaflets")
    def api_leaflets():
        if not api_token:
            return jsonify(error="the API is off: set HANDOUTS_API_TOKEN where handouts serve runs, and send "
                                 "it as 'Authorization: Bearer TOKEN'"), 403
        scheme, _, given = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not guard.same(given.strip(), api_token):
            response = jsonify(error="send the API token as 'Authorization: Bearer TOKEN'")
            response.headers["WWW-Authenticate"] = 'Bearer realm="handouts"'
            return response, 401
        try:
            body = json.loads(request.get_data(cache=False) or b"null")
        except (ValueError, UnicodeDecodeError) as exc:
            return jsonify(error=f"the body is not valid JSON: {exc}"), 400
        try:
            asked = parse_request(desk.maker.content, from_json(body))
        except InvalidChoices as exc:
            return jsonify(errors=errors(exc, API_LOST_LETTERS)), 422
        made = desk.for_staff(API_CLIENT).make(asked.choices, address=asked.email, formats=("pdf",), send=True)
        response = send_file(made.paths["pdf"].resolve(), mimetype="application/pdf", as_attachment=True,
                             download_name=made.paths["pdf"].name)
        response.status_code = 201
        response.headers["Location"] = url_for("download", entry=made.entry)
        if made.email:
            response.headers["X-Handouts-Email"] = made.email
        return response

    # -- when something is wrong -------------------------------------------

    @app.errorhandler(NotFound)
    def not_found(exc):
        return problem_page(404, "Not found", str(exc))

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(exc):
        return problem_page(413, "Too large", f"The request is over {MAX_BODY // 1024 // 1024} MB; send a smaller "
                                              "file.")

    @app.errorhandler(HTTPException)
    def http_problem(exc):
        return problem_page(exc.code, exc.name, exc.description)

    @app.errorhandler(HandoutsError)
    def engine_problem(exc):
        # Files and content the clinic must fix (content.toml broken, output not writable): not the user's input.
        return problem_page(503, "Cannot make leaflets right now", str(exc))

    @app.errorhandler(Exception)
    def unexpected(exc):
        # The message may hold a patient's name: the log gets only where it happened.
        frame = exc.__traceback__
        while frame.tb_next:
            frame = frame.tb_next
        log.error("unexpected %s at %s:%s%s", type(exc).__name__, Path(frame.tb_frame.f_code.co_filename).name,
                  frame.tb_lineno, f" ({exc})" if isinstance(exc, DrawingFailed) else "")  # where, in the worker
        return problem_page(500, "Something went wrong", "Nothing was made. Try again; if it happens again, tell "
                                                         "whoever looks after this computer.")

    def problem_page(status: int, title: str, message: str):
        message = without_paths(message)
        if request.path.startswith("/api/"):
            return jsonify(error=message), status
        return render_template("problem.html", title=title, message=message), status

    return app


def form_context(desk: Desk) -> dict:
    content = desk.maker.content
    return dict(procedures=list(content.procedures.values()), scars=list(content.scars.values()),
                date_pattern=desk.dates.pattern)

