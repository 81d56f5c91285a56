"""What a leaflet is asked for, parsed once, whatever it came from.

The command line's options, a row of a patient list, the New leaflet form,
the JSON API and the interactive prompts each hand `parse_request` a mapping
of field to what was typed; it returns one LeafletRequest or raises
InvalidChoices naming every field that is wrong. Each face then says how to
fix a field in its own terms: the `--option`, the column, the form's label,
the JSON key. The field names are the patient list's column names.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass

from .choices import PatientChoices, parse_choices
from .contact import check_address
from .content import Content
from ..errors import InputError, InvalidChoices
from ..paper import PAPER_SIZES

# Every field a request may have, in the order a leaflet uses them, with what each is, for the faces' help.
FIELDS = {
    "patient": "the patient's name, as it should be printed",
    "patient_id": "the clinic's own id for the patient (in the file's name and the history)",
    "procedures": "the chosen treatments' ids",
    "scars": "scar types to explain",
    "sessions": "sessions of each chosen treatment, such as subcision=3 or fillers=2 to 3",
    "appointment": "the first treatment appointment, with its time if known",
    "clinician": "who prepared the leaflet",
    "date": "the date printed on the leaflet (today if empty)",
    "note": "a personal note from the clinician",
    "paper": " or ".join(PAPER_SIZES),
    "large_print": "yes for large print",
    "email": "where to email the leaflet",
    "language": "the leaflet's language, such as es (empty for the clinic's own)",
    "bilingual": "yes for the leaflet in its language, then again in the clinic's own",
}
# Fields that take more than one value come as lists, or as text separated by ';' (or ',' or '+', as a booking
# system's cell may have them: "Subcision + Fillers").
_SEPARATOR = re.compile(r"[;,+]")


@dataclass(frozen=True)
class LeafletRequest:
    choices: PatientChoices
    patient_id: str = ""
    email: str = ""  # a checked address, or "" for none
    email_problem: InputError | None = None  # a bad address let through where nothing is to be emailed


def parse_request(content: Content, values: Mapping[str, object], *,
                  email_needed: bool = True) -> LeafletRequest:
    """The request in `values` (field -> text; lists as lists or ';'-separated text; sessions also as a mapping
    of treatment id -> count). Without `email_needed` (a list only printed), a bad address does not stop the
    leaflet: it is left out, and kept as `email_problem` to be reported."""
    problems: list[InputError] = []
    choices = None
    try:
        choices = parse_choices(
            content,
            patient=_text(values, "patient"),
            procedures=_items(values, "procedures"),
            scars=_items(values, "scars"),
            sessions=_sessions(values.get("sessions")),
            appointment=_when(values, "appointment"),
            clinician=_text(values, "clinician"),
            date=_when(values, "date"),
            note=_text(values, "note"),
            paper=_text(values, "paper") or None,
            large_print=values.get("large_print") or False,
            language=_text(values, "language"),
            bilingual=values.get("bilingual") or False,
        )
    except InvalidChoices as exc:
        problems += exc.problems
    address, email_problem = "", None
    if (_text(values, "email") or "").strip():
        try:
            address = check_address(_text(values, "email"))
        except InputError as exc:
            if email_needed:
                problems.append(exc)
            else:
                email_problem = exc
    if problems:
        raise InvalidChoices(problems)
    return LeafletRequest(choices, (_text(values, "patient_id") or "").strip(), address, email_problem)


def _text(values: Mapping[str, object], field: str) -> str | None:
    value = values.get(field)
    return None if value is None else str(value)


def _when(values: Mapping[str, object], field: str) -> str | dt.date | None:
    """A date or time as typed, or as a workbook's cell holds it (a date, or a datetime), never made text."""
    value = values.get(field)
    return value if isinstance(value, dt.date) else _text(values, field) or None


def _items(values: Mapping[str, object], field: str) -> list[str]:
    value = values.get(field)
    if value is None:
        return []
    if isinstance(value, str):
        return [item for item in _SEPARATOR.split(value) if item.strip()]
    return [str(item) for item in value]


def _sessions(value: object) -> list[str]:
    """'subcision=3' texts, from a mapping of treatment id -> count or from 'id=count' texts."""
    if isinstance(value, Mapping):
        return [f"{pid}={count}" for pid, count in value.items() if str(count).strip()]
    if isinstance(value, str):
        return [item for item in _SEPARATOR.split(value) if item.strip()]
    return [str(item) for item in value or ()]

