"""Signing in and out of the front desk, each member of staff with their own account.

The browser's cookie holds Flask's signed session: the form token (CSRF)
and, once signed in, the token of a session the server keeps (staff.py).
The server's copy decides: signing out, an idle quarter of an hour or a
long day ends it, whatever the cookie says.
"""

from __future__ import annotations

from flask import Blueprint, g, redirect, render_template, request, session, url_for

from ..staff import Member
from .state import settings

blueprint = Blueprint("signin", __name__)


def signed_in_member() -> Member | None:
    """Who this request's session belongs to, if it is live."""
    token = session.get("sid")
    if not token:
        return None
    config = settings()
    with config.desk.staff() as staff:
        return staff.session(token, idle=config.session_idle, lifetime=config.session_lifetime)


@blueprint.route("/login", methods=["GET", "POST"])
def login():
    if request.method != "POST":
        return render_template("login.html", error="", username="")
    config = settings()
    username = request.form.get("username", "").strip().lower()[:64]
    password = request.form.get("password", "")
    client = request.remote_addr or "unknown"
    wait = config.throttle.wait(("client", client), ("account", username))
    if wait:
        return render_template("login.html", username=username,
                               error=f"Too many wrong passwords: wait {wait:.0f} seconds, then try again."), 429
    with config.desk.staff() as staff:
        member = staff.verify(username, password)
        if member is not None:
            token = staff.start_session(member)
    if member is None:
        config.throttle.failed(("client", client), ("account", username))
        with config.desk.history() as history:
            history.who = username or "(no username)"
            history.record_action("sign-in refused", detail="wrong username or password")
        return render_template("login.html", username=username,
                               error="That username and password do not match. Try again in a moment."), 401
    config.throttle.succeeded(("client", client), ("account", username))
    session.clear()
    session["sid"] = token
    with config.desk.for_staff(member).history() as history:
        history.record_action("signed in")
    return redirect(url_for("pages.new_leaflet"), code=303)


@blueprint.post("/logout")
def logout():
    config = settings()
    with config.desk.staff() as staff:
        staff.end_session(session.get("sid"))
    if g.get("member"):
        with config.desk.for_staff(g.member).history() as history:
            history.record_action("signed out")
    session.clear()
    return redirect(url_for("signin.login"), code=303)


def refuse_when_not_signed_in():
    """Before every page: the signed-in member, or the sign-in page."""
    member = signed_in_member()
    if member is None:
        session.pop("sid", None)
        return redirect(url_for("signin.login"), code=303 if request.method == "POST" else 302)
    g.member = member
    return None

