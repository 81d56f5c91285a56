"""Which column of a patient list holds which field.

Booking systems name their columns their own way ("Patient Name",
"Treatment", "MRN", "Appointment Date" and "Appointment Time"): the common
names are recognised with case, spaces and punctuation ignored, and the
rest are mapped by the clinic ("Their Header=field", from `batch --column`,
the desk's Batch page or content.toml's [batch.columns]). Columns that are
not used are listed, and one that looks like a field is warned about, so a
wrong mapping is seen before anything is printed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..errors import HandoutsError

REQUIRED = ("patient", "procedures")
OPTIONAL = ("patient_id", "clinician", "date", "scars", "note", "email", "paper", "large_print", "dob",
            "pdf_password", "sessions", "appointment", "language", "bilingual")
COLUMNS = REQUIRED + OPTIONAL
# A booking system may give the appointment's time a column of its own; it joins the appointment's date.
APPOINTMENT_TIME = "appointment_time"
# What a column may be mapped to: a field, the appointment's time, or nothing ("ignore": a column that looks like
# a field but is not one, said so once in content.toml instead of warned about every day).
IGNORE = "ignore"
TARGETS = COLUMNS + (APPOINTMENT_TIME, IGNORE)
# Fields that take a date or a time cell of a workbook as it is; every other field takes its text.
_DATE_FIELDS = ("date", "appointment")

_SYNONYMS = {
    "patient": ("name", "patientname", "fullname", "client", "clientname"),
    "procedures": ("treatment", "treatments", "procedure", "service", "services"),
    "patient_id": ("mrn", "hospitalnumber", "nhsnumber", "patientnumber"),
    "email": ("emailaddress",),
    "clinician": ("practitioner", "doctor", "clinicianname"),
    "appointment": ("appointmentdate", "appointmentdatetime"),
    APPOINTMENT_TIME: ("appointmenttime",),
    "dob": ("dateofbirth", "birthdate"),
}
_KNOWN = {**{field.replace("_", ""): field for field in COLUMNS},
          **{name: field for field, names in _SYNONYMS.items() for name in names}}
# Words in a column's name that say it may hold a field: "Procedure Name", "Treatment Notes", "Appt Time".
_HINTS = {"patient": "patient", "name": "patient", "client": "patient", "procedure": "procedures",
          "treatment": "procedures", "service": "procedures", "email": "email", "mail": "email",
          "appointment": "appointment", "appt": "appointment", "time": APPOINTMENT_TIME, "clinician": "clinician",
          "doctor": "clinician", "practitioner": "clinician", "birth": "dob", "dob": "dob", "scar": "scars", "session": "sessions",
          "note": "note", "mrn": "patient_id", "nhs": "patient_id", "hospital": "patient_id",
          "lang": "language", "lingual": "bilingual"}


class ColumnError(HandoutsError):
    """A column mapping cannot be used: an unknown field, or columns that claim the same one."""


def normalise(header: str) -> str:
    """' Treatment(s) ' -> 'treatments', 'E-mail' -> 'email': what a column's name is compared by."""
    return re.sub(r"[\W_]+", "", header.lower())


def parse_mapping(texts: Sequence[str]) -> dict[str, str]:
    """'Their Header=field' texts (`batch --column`, the desk's Batch page), as {header: field}."""
    mapping = {}
    for text in texts:
        header, sep, target = text.rpartition("=")
        if not sep or not header.strip():
            raise ColumnError(f"'{text}' should be Their Header=field, for example \"Procedure Name=procedures\"")
        mapping[header.strip()] = check_target(target)
    return mapping


def check_target(target: str) -> str:
    """A mapping's field, checked: one of TARGETS."""
    field = "_".join(target.strip().lower().replace("-", " ").split())
    if field not in TARGETS:
        raise ColumnError(f"'{target.strip()}' is not a field; map a column to one of: {', '.join(TARGETS)}")
    return field


@dataclass(frozen=True)
class ColumnMap:
    """For each column of the header, by position, the field it holds (None: not used)."""
    header: tuple[str, ...]
    fields: tuple[str | None, ...]

    @property
    def used(self) -> set[str]:
        return {field for field in self.fields if field and field != IGNORE}

    def row(self, cells: Sequence[object]) -> dict[str, object]:
        """A row's fields from its cells: text, or the date or time a workbook's cell holds for the
        appointment and the leaflet's date; the appointment's time joined to its date."""
        values: dict[str, object] = {}
        for field, cell in zip(self.fields, cells):
            if field and field != IGNORE:
                values[field] = cell if field in _DATE_FIELDS + (APPOINTMENT_TIME,) else as_text(cell)
        when = values.pop(APPOINTMENT_TIME, "")
        if "appointment" in values:
            values["appointment"] = _joined(values["appointment"], when)
        if "date" in values:  # the leaflet's date: a day, whatever time its cell may show
            day = values["date"]
            values["date"] = day.date() if isinstance(day, dt.datetime) else _joined(day, "")
        return values

    @property
    def mapped(self) -> bool:
        """Whether any column is used under another name than its field's, or not used: a list headed with the
        fields' own names needs no summary of its columns."""
        return any(field in (None, IGNORE) or normalise(name) != normalise(field)
                   for name, field in zip(self.header, self.fields) if name)

    def summary(self) -> str:
        """'Patient Name' → patient, ...; not used: 'Phone': said once, before anything is made."""
        into: dict[str, list[str]] = {}
        for name, field in zip(self.header, self.fields):
            if field and field != IGNORE:
                into.setdefault("appointment" if field == APPOINTMENT_TIME else field, []).append(repr(name))
        used = ", ".join(f"{' + '.join(names)} → {field}" for field, names in into.items())
        unused = [repr(name) for name, field in zip(self.header, self.fields) if name and field in (None, IGNORE)]
        return f"Columns used: {used}" + (f"; not used: {', '.join(unused)}" if unused else "")

    def lookalikes(self) -> list[tuple[str, str, str | None]]:
        """(column, field, the column that holds the field or None) for each column not used whose name says it
        may hold a field ('Procedure Name'): a field no column holds first. Columns named for the patient
        ('Patient Phone') are only listed as not used once a column holds the patient's name."""
        found, holders = [], {field: name for name, field in zip(self.header, self.fields) if field}
        for name, field in zip(self.header, self.fields):
            words = normalise(name)
            hits = sorted((guess in holders, words.find(hint), guess) for hint, guess in _HINTS.items()
                          if hint in words and not (guess == "patient" and guess in holders))
            if field is None and hits:
                guess = hits[0][2]
                found.append((name, guess, holders.get(guess)))
        return found


def map_columns(header: Sequence[str], given: Mapping[str, str]) -> ColumnMap:
    """The field of each column: `given` ({their header: field}, compared as `normalise` does) first, then the
    recognised names. ColumnError when two columns would hold the same field."""
    given = {normalise(name): field for name, field in given.items()}
    fields: list[str | None] = []
    for name in header:
        key = normalise(name)
        fields.append(given.get(key) or _KNOWN.get(key))
    repeated = sorted({name for name, field in zip(header, fields) if field and header.count(name) > 1})
    if repeated:  # two columns of a name that is not used (two 'Notes') are no matter
        raise ColumnError(f"the column {repeated[0]!r} appears twice in the header row")
    explicit = {field for name, field in zip(header, fields) if normalise(name) in given}
    for index, (name, field) in enumerate(zip(header, fields)):
        if field in explicit and normalise(name) not in given:
            fields[index] = None  # the clinic said which column holds it
    for field in set(fields) - {None, IGNORE}:
        names = [name for name, each in zip(header, fields) if each == field]
        if len(names) > 1:
            raise ColumnError(f"the columns {' and '.join(repr(n) for n in names)} both hold {field}; map the one "
                              f"that does, e.g. \"{names[0]}={field}\" (the other is then not used)")
    if APPOINTMENT_TIME in fields and "appointment" not in fields:
        raise ColumnError(f"the column {header[fields.index(APPOINTMENT_TIME)]!r} holds the appointment's time, but "
                          "no column holds its date; map the one that does: \"Their Header=appointment\"")
    return ColumnMap(tuple(header), tuple(fields))


def as_text(cell: object) -> str:
    """A cell as the text it shows: a workbook's 12345.0 is '12345', its dates are YYYY-MM-DD."""
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "yes" if cell else "no"
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, dt.datetime):
        return cell.isoformat(" ", "minutes") if cell.time() != dt.time() else cell.date().isoformat()
    if isinstance(cell, dt.time):
        return cell.strftime("%H:%M")
    return str(cell).strip()


def _joined(day: object, when: object) -> object:
    """The appointment from its date and its time column: a datetime when both are cells that hold them,
    else the text 'date time' to be read as typed."""
    if when in ("", None):
        return day if isinstance(day, dt.date) else as_text(day)
    if isinstance(day, dt.date) and isinstance(when, dt.time):
        return dt.datetime.combine(day.date() if isinstance(day, dt.datetime) else day, when)
    if isinstance(day, dt.datetime):
        day = day.date()
    return f"{as_text(day) if not isinstance(day, dt.date) else day.isoformat()} {as_text(when)}".strip()
