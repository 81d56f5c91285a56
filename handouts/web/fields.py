"""What the New leaflet form and the API send, as the fields of a request (leaflet/request.py parses them).

Both name their fields as the CSV does, and both get the command line's own
checks and messages: an unknown procedure names the closest id, a date shows
the forms it may take. The API's JSON has its types checked here first.
"""

from __future__ import annotations

from ..leaflet.content import Content
from ..leaflet.request import FIELDS as REQUEST_FIELDS
from ..errors import BilingualInOwnLanguage, InputError, InvalidChoices, LostLetters

# The request's fields that the form and the API take (the patient id comes from patient lists only).
FIELDS = tuple(name for name in REQUEST_FIELDS if name != "patient_id")
_TEXT = ("patient", "appointment", "clinician", "date", "note", "paper", "email", "language")
_APPOINTMENT = ("appointment_date", "appointment_time")  # the form's two boxes for the appointment


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
    for name in ("large_print", "bilingual"):
        if body.get(name) is not None and not isinstance(body[name], bool):
            problems.append(InputError(name, "should be true or false"))
    if problems:
        raise InvalidChoices(problems)
    return body


_EXAMPLES = {"procedures": "subcision", "scars": "rolling"}


def from_form(form, content: Content) -> dict:
    """The New leaflet form's fields (a Werkzeug MultiDict), as parse_request takes them."""
    values = {name: form.get(name, "") for name in _TEXT}
    # The appointment comes as a date and a time box: ISO (2026-12-03, 14:30) from a browser's own date and time
    # inputs, or as typed (03/12/2026, 2pm) where the browser shows text boxes instead. Both are kept to show again.
    parts = [form.get(name, "").strip() for name in _APPOINTMENT]
    values.update(zip(_APPOINTMENT, parts), appointment=" ".join(part for part in parts if part))
    values["procedures"] = form.getlist("procedures")
    values["scars"] = form.getlist("scars")
    values["sessions"] = {pid: form.get(f"sessions-{pid}", "") for pid in content.procedures}
    values["large_print"] = form.get("large_print") == "yes"
    values["bilingual"] = form.get("bilingual") == "yes"
    return values


# How to mend a name or note whose letters were lost before they reached the form or the API.
FORM_LOST_LETTERS = "type it again with its own letters (the list it was copied from had lost them)"
API_LOST_LETTERS = "send it with its own letters, as UTF-8 JSON (the program that sent it had lost them)"
# How to mend a bilingual leaflet asked for in the clinic's own language.
FORM_BILINGUAL = "choose the patient's language under Language of the leaflet, or untick the box"
API_BILINGUAL = 'send the patient\'s language as "language", or leave out "bilingual"'


def errors(problem: InvalidChoices, lost_letters: str, bilingual: str) -> dict[str, str]:
    """{field: message}, the first message for each field; letters lost say how to mend them (`lost_letters`),
    and a bilingual leaflet in the clinic's own language how to choose the patient's (`bilingual`)."""
    found: dict[str, str] = {}
    for each in problem.problems:
        fix = (f": {lost_letters}" if isinstance(each, LostLetters)
               else f"; {bilingual}" if isinstance(each, BilingualInOwnLanguage) else "")
        found.setdefault(each.field, f"{each}{fix}")
    return found
