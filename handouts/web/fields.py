"""What the New leaflet form and the API send, checked and turned into a patient's choices.

Both name their fields as the CSV does, and both get the command line's own
checks and messages (parse_choices, check_address): an unknown procedure
names the closest id, a date shows the forms it may take.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..leaflet.choices import PatientChoices, parse_choices
from ..leaflet.content import Content
from ..errors import InputError, InvalidChoices
from ..deliver.mail import check_address

FIELDS = ("patient", "procedures", "scars", "sessions", "appointment", "clinician", "date", "note", "paper",
          "large_print", "email")
_TEXT = ("patient", "appointment", "clinician", "date", "note", "paper", "email")


def leaflet_choices(content: Content, values: Mapping) -> tuple[PatientChoices, str]:
    """The choices and email address (or "") in `values`; InvalidChoices naming every field that is wrong.

    `values` holds text fields as text, procedures and scars as lists of ids,
    sessions as {procedure id: "3" or "2 to 3"}, large_print as a bool.
    """
    problems: list[InputError] = []
    address = ""
    if (values.get("email") or "").strip():
        try:
            address = check_address(values["email"])
        except InputError as exc:
            problems.append(exc)
    try:
        choices = parse_choices(
            content,
            patient=values.get("patient"),
            procedures=values.get("procedures") or (),
            scars=values.get("scars") or (),
            sessions=[f"{pid}={count}" for pid, count in (values.get("sessions") or {}).items()
                      if str(count).strip()],
            appointment=values.get("appointment") or None,
            clinician=values.get("clinician"),
            date=values.get("date") or None,
            note=values.get("note"),
            paper=values.get("paper") or None,
            large_print=values.get("large_print") or False,
        )
    except InvalidChoices as exc:
        problems[:0] = exc.problems
    if problems:
        raise InvalidChoices(problems)
    return choices, address


def from_json(body: object) -> dict:
    """An API request's fields, their types checked; InvalidChoices naming each field of the wrong kind."""
    if not isinstance(body, dict):
        raise InvalidChoices([InputError("request", "the body must be a JSON object of fields, such as "
                                                   '{"patient": "Sam Sample", "procedures": ["subcision"]}')])
    problems = [InputError(name, f"unknown field; the fields are {', '.join(FIELDS)}")
                for name in body if name not in FIELDS]
    for name in _TEXT:
        if body.get(name) is not None and not isinstance(body[name], str):
            problems.append(InputError(name, "should be text (a JSON string)"))
    for name in ("procedures", "scars"):
        value = body.get(name)
        if value is not None and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            problems.append(InputError(name, f'should be a list of ids, such as ["{_EXAMPLES[name]}"]'))
    sessions = body.get("sessions")
    if sessions is not None and not (isinstance(sessions, dict) and all(
            isinstance(v, (str, int)) and not isinstance(v, bool) for v in sessions.values())):
        problems.append(InputError("sessions", 'should be an object of procedure ids and sessions, such as '
                                               '{"subcision": 3, "fillers": "2 to 3"}'))
    if body.get("large_print") is not None and not isinstance(body["large_print"], bool):
        problems.append(InputError("large_print", "should be true or false"))
    if problems:
        raise InvalidChoices(problems)
    return body


_EXAMPLES = {"procedures": "subcision", "scars": "rolling"}


def from_form(form, content: Content) -> dict:
    """The New leaflet form's fields (a Werkzeug MultiDict), as leaflet_choices takes them."""
    values = {name: form.get(name, "") for name in _TEXT}
    values["procedures"] = form.getlist("procedures")
    values["scars"] = form.getlist("scars")
    values["sessions"] = {pid: form.get(f"sessions-{pid}", "") for pid in content.procedures}
    values["large_print"] = form.get("large_print") == "yes"
    return values


def errors(problem: InvalidChoices) -> dict[str, str]:
    """{field: message}, the first message for each field."""
    found: dict[str, str] = {}
    for each in problem.problems:
        found.setdefault(each.field, str(each))
    return found
