"""When something is wrong: one answer for every error, a page for staff and JSON for the API.

Messages never show the server's paths (shown.py), and an unexpected error's message, which may hold a
patient's name, never reaches the log: only where it happened does.
"""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Blueprint, current_app, jsonify, render_template
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from ..errors import HandoutsError
from .desk import NotFound
from .drawing import DrawingFailed
from .shown import without_paths
from .state import for_the_api

blueprint = Blueprint("problems", __name__)
log = logging.getLogger("handouts.web")


def answer(status: int, title: str, message: str):
    """The error as the asker reads it: JSON for the API, a page for staff."""
    message = without_paths(message)
    if for_the_api():
        return jsonify(error=message), status
    return render_template("problem.html", title=title, message=message), status


@blueprint.app_errorhandler(NotFound)
def not_found(exc):
    return answer(404, "Not found", str(exc))


@blueprint.app_errorhandler(RequestEntityTooLarge)
def too_large(exc):
    megabytes = current_app.config["MAX_CONTENT_LENGTH"] // 1024 // 1024
    return answer(413, "Too large", f"The request is over {megabytes} MB; send a smaller file.")


@blueprint.app_errorhandler(HTTPException)
def http_problem(exc):
    return answer(exc.code, exc.name, exc.description)


@blueprint.app_errorhandler(HandoutsError)
def engine_problem(exc):
    # Files and content the clinic must fix (content.toml broken, output not writable): not the user's input.
    return answer(503, "Cannot make leaflets right now", str(exc))


@blueprint.app_errorhandler(Exception)
def unexpected(exc):
    # The message may hold a patient's name: the log gets only where it happened.
    frame = exc.__traceback__
    while frame.tb_next:
        frame = frame.tb_next
    log.error("unexpected %s at %s:%s%s", type(exc).__name__, Path(frame.tb_frame.f_code.co_filename).name,
              frame.tb_lineno, f" ({exc})" if isinstance(exc, DrawingFailed) else "")  # where, in the worker
    return answer(500, "Something went wrong", "Nothing was made. Try again; if it happens again, tell "
                                               "whoever looks after this computer.")
