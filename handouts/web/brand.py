"""The front desk in the clinic's own name: its name and logo on every page, its colours, its way of
writing dates, and the form's own words in the messages beside it.

The colours come from content.toml's [clinic.colours], whose contrast is checked when the content is
loaded (the leaflet prints them on white and on the accent tint, as the desk shows them); a colour that
somehow fails the check here too is replaced by the desk's own, so a page is never hard to read.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from flask import Blueprint, Response, abort, send_file

from ..errors import HandoutsError
from ..leaflet.contrast import MIN_CONTRAST, contrast_ratio
from .state import settings

blueprint = Blueprint("brand", __name__)
# Pages anyone may load (the sign-in page shows them too): nothing in them is about a patient.
OPEN_ENDPOINTS = ("brand.css", "brand.logo")

# The desk's own colours, used when the content cannot be read or a colour would be hard to read.
DEFAULT = {"primary": "#1D5C63", "accent": "#EEF5F5", "text": "#1B1B1B"}
# What the desk puts on what: (colour, background) pairs, each needing MIN_CONTRAST.
_PAIRS = {"primary": (("primary", "#FFFFFF"),),  # white letters on the header and buttons; links and headings
          "accent": (("text", "accent"),),  # text on the tinted notices
          "text": (("text", "#FFFFFF"),)}
_IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}


@dataclass(frozen=True)
class Brand:
    name: str
    colours: dict[str, str]
    has_logo: bool


def brand(desk) -> Brand:
    """The clinic's name, colours and logo as the desk shows them."""
    try:
        clinic = desk.maker.content.clinic
    except HandoutsError:
        return Brand("handouts", dict(DEFAULT), False)
    colours = {key: getattr(clinic.colours, key) for key in DEFAULT}
    for key, pairs in _PAIRS.items():
        if any(contrast_ratio(colours[fore], colours.get(back, back)) < MIN_CONTRAST for fore, back in pairs):
            colours[key] = DEFAULT[key]
    return Brand(clinic.name, colours, bool(clinic.logo and clinic.logo.is_file()))


@blueprint.get("/brand.css")
def css():
    colours = brand(settings().desk).colours
    text = (f":root {{ --brand: {colours['primary']}; --tint: {colours['accent']}; --ink: {colours['text']}; }}\n")
    return Response(text, mimetype="text/css")


@blueprint.get("/brand/logo")
def logo():
    try:
        path = settings().desk.maker.content.clinic.logo
    except HandoutsError:
        path = None
    if path is None or not path.is_file() or path.suffix.lower() not in _IMAGE_TYPES:
        abort(404)
    return send_file(path, mimetype=_IMAGE_TYPES[path.suffix.lower()])


# -- as the clinic writes ------------------------------------------------------------------------


@blueprint.app_template_filter()
def clinic_date(text: str) -> str:
    """'2026-12-03' or '2026-12-03T14:30:00+00:00' as the clinic writes it: 03/12/2026 (14:30) for en-GB."""
    if not text:
        return ""
    try:
        moment = dt.datetime.fromisoformat(text.replace(" ", "T"))
        shown = settings().desk.dates.show(moment.date())
    except (ValueError, HandoutsError):
        return text
    return shown if len(text) <= 10 else f"{shown} {moment:%H:%M}"


_PROCEDURE = re.compile(r"\b([Pp])rocedure(s?)\b")


@blueprint.app_template_filter()
def form_words(message: str) -> str:
    """A message in the form's own words: it asks for treatments, not procedures."""
    return _PROCEDURE.sub(lambda m: ("T" if m[1] == "P" else "t") + "reatment" + m[2], message)
