"""The front desk as a Flask app: pages for staff, and a JSON API for clinic systems.

`create_app` only puts the app together: the shared state on the app (state.py), the blueprints (pages.py,
api.py, signin.py, brand.py, problems.py) and what applies to every request, here: the gatekeeper before it
and the security headers and access log after it.

Patient names travel only in request bodies and pages, never in a URL (a
leaflet is addressed by its history id), so they never reach the access log,
which records the method, path and status of each request and nothing else.
"""

from __future__ import annotations

import logging
import time

from flask import Flask, abort, g, request, session

from ..leaflet.wording import long_date
from . import api, brand, guard, pages, problems, signin
from .desk import Desk
from .shown import printable
from .state import Settings, for_the_api, settings

MAX_BODY = 5 * 1024 * 1024
log = logging.getLogger("handouts.web")


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
    app.extensions["handouts"] = Settings(desk=desk, throttle=guard.LoginThrottle(login_pause),
                                          session_idle=session_idle, session_lifetime=session_lifetime,
                                          api_token=api_token, local_only=local_only,
                                          host_names=tuple(host_names), tls=tls)
    app.jinja_env.filters["long_date"] = long_date
    for blueprint in (pages.blueprint, api.blueprint, signin.blueprint, brand.blueprint, problems.blueprint):
        app.register_blueprint(blueprint)
    app.before_request(gatekeeper)
    app.context_processor(page_context)
    app.after_request(headers)
    return app


def gatekeeper():
    """Before every request: the right host, no form from another site, and, but for the API, the sign-in
    page and the brand, a member of staff signed in (with a manager's role for a manager's page)."""
    g.started = time.perf_counter()
    config = settings()
    if not guard.host_allowed(request.host, config.local_only, config.host_names):
        where = "http://127.0.0.1" if config.local_only else \
            f"https://{config.host_names[0]}" if config.host_names else "its name"
        abort(400, f"This front desk answers by its own name only: open it as {where}.")
    if request.method == "POST":
        if guard.from_another_site(request.headers, request.host_url):
            abort(403, "This request came from another web page, so nothing was done. Open the front desk "
                       "itself and try again there.")
        if not for_the_api() and not guard.same_token(request.form.get("csrf_token"), session.get("csrf")):
            abort(400, "The form had expired. Go back, reload the page and try again.")
    if for_the_api() or request.endpoint in ("static", "signin.login", *brand.OPEN_ENDPOINTS):
        return None
    refused = signin.refuse_when_not_signed_in()
    if refused is not None:
        return refused
    g.desk = config.desk.for_staff(g.member)
    if request.endpoint in pages.MANAGER_ONLY and not g.member.is_manager:
        abort(403, f"Only a manager can {pages.MANAGER_ONLY[request.endpoint]}; ask one to do it, or to make your "
                   "account a manager's.")
    return None


def page_context() -> dict:
    if "csrf" not in session:
        session["csrf"] = guard.new_token()
    return dict(csrf_token=session["csrf"], member=g.get("member"), clinic=brand.brand(settings().desk))


def headers(response):
    """What every response tells the browser, and the access log's line for it."""
    response.headers.setdefault("Content-Security-Policy", guard.PAGE_POLICY)
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers["X-Content-Type-Options"] = "nosniff"
    # Our own pages' forms still say where they come from (Origin), which the CSRF check reads; other sites
    # are told nothing (names are never in URLs anyway).
    response.headers["Referrer-Policy"] = "same-origin"
    if settings().tls:  # browsers that once reached it over HTTPS never try plain HTTP again
        response.headers["Strict-Transport-Security"] = "max-age=31536000"
    if request.endpoint != "static":
        response.headers["Cache-Control"] = "no-store"  # pages and leaflets hold patients' names
    seconds = time.perf_counter() - g.get("started", time.perf_counter())
    log.info("%s %s %s %.0f ms", printable(request.method), printable(request.path), response.status_code,
             seconds * 1000)
    return response
