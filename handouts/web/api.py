"""The JSON API for clinic systems: POST /api/leaflets with a patient's fields, and the PDF comes back.

It takes the bearer token from HANDOUTS_API_TOKEN and no cookies (so no form token either); without a token
set it is off. Its answers, errors included (problems.py), are JSON.
"""

from __future__ import annotations

import json

from flask import Blueprint, jsonify, request, send_file, url_for

from ..errors import InvalidChoices
from ..leaflet.request import parse_request
from ..staff import Member
from . import guard
from .fields import API_BILINGUAL, API_LOST_LETTERS, errors, from_json
from .state import API_PREFIX, settings

blueprint = Blueprint("api", __name__, url_prefix=API_PREFIX.rstrip("/"))

# Who the history says made the API's leaflets: the clinic system holding the token.
API_CLIENT = Member("api", "desk")


@blueprint.post("/leaflets")
def leaflets():
    refused = refuse_without_token(settings().api_token)
    if refused is not None:
        return refused
    try:
        body = json.loads(request.get_data(cache=False) or b"null")
    except (ValueError, UnicodeDecodeError) as exc:
        return jsonify(error=f"the body is not valid JSON: {exc}"), 400
    desk = settings().desk
    try:
        asked = parse_request(desk.maker.content, from_json(body))
    except InvalidChoices as exc:
        return jsonify(errors=errors(exc, API_LOST_LETTERS, API_BILINGUAL)), 422
    made = desk.for_staff(API_CLIENT).make(asked.choices, address=asked.email, formats=("pdf",), send=True)
    response = send_file(made.paths["pdf"].resolve(), mimetype="application/pdf", as_attachment=True,
                         download_name=made.paths["pdf"].name)
    response.status_code = 201
    response.headers["Location"] = url_for("pages.download", entry=made.entry)
    if made.email:
        response.headers["X-Handouts-Email"] = made.email
    return response


def refuse_without_token(api_token: str | None):
    """The answer when the API is off or the request does not carry its token; None when it does."""
    if not api_token:
        return jsonify(error="the API is off: set HANDOUTS_API_TOKEN where handouts serve runs, and send "
                             "it as 'Authorization: Bearer TOKEN'"), 403
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not guard.same(given.strip(), api_token):
        response = jsonify(error="send the API token as 'Authorization: Bearer TOKEN'")
        response.headers["WWW-Authenticate"] = 'Bearer realm="handouts"'
        return response, 401
    return None
