"""A patient's choices: validated and normalised before anything is drawn.

The same checks serve one leaflet from the command line and every row of a
batch, so field names here are the batch column names.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from . import letters
from .content import Content
from .dates import DateOrder, DateProblem
from .translations import plain_language_name
from .. import clock
from ..errors import BilingualInOwnLanguage, InputError, InvalidChoices, LostLetters
from ..paper import DEFAULT_PAPER, PAPER_SIZES

MAX_NAME_LENGTH = 120
MAX_NOTE_LENGTH = 50_000
# Laying out a paragraph of a note with line breaks in it takes time that grows with the square of its
# words, and a word too long for its line with the cube of its length (ReportLab tries every break point
# of it, again on every line): these keep the longest note a leaflet takes to about a second.
MAX_NOTE_WORDS = 10_000
MAX_NOTE_LINES = 200
MAX_NOTE_WORD = 100
_WORD = re.compile(r"\w+")
_WORDS = re.compile(r"\S+")
_LABELS = {"patient": "the patient's name", "clinician": "the clinician's name", "note": "the note"}
# Where an encoding lacked a letter, Excel and others write '?' (or a decoder U+FFFD) in its place. No name has a
# '?'; a note may ask a question, but not with a '?' just before a letter or as a run of them standing alone.
_LOST_IN_A_NAME = re.compile(r"[?\ufffd]")
_LOST_IN_A_NOTE = re.compile(r"\ufffd|\?+\w|(?<!\w)\?{2,}")
# A web address may hold a '?' before a letter (its query): it is not looked at for lost letters.
_WEB_ADDRESS = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)


@dataclass(frozen=True)
class PatientChoices:
    name: str
    procedures: tuple[str, ...]
    date: dt.date
    scars: tuple[str, ...] = ()
    clinician: str | None = None
    note: str | None = None
    paper: str = DEFAULT_PAPER
    large_print: bool = False
    sessions: tuple[tuple[str, str], ...] = ()  # (procedure id, "3" or "2 to 3"): the patient's own plan
    appointment: dt.datetime | dt.date | None = None  # the first treatment; a date alone when no time is known
    language: str = ""  # one of Content.languages; "" for the leaflet's own
    bilingual: bool = False  # the leaflet in `language`, then again in the content's own language


def parse_choices(
    content: Content,
    *,
    patient: str | None,
    procedures: Iterable[str],
    date: str | dt.date | None = None,
    scars: Iterable[str] = (),
    clinician: str | None = None,
    note: str | None = None,
    paper: str | None = None,
    large_print: bool | str = False,
    sessions: Iterable[str] = (),
    appointment: str | dt.date | None = None,
    language: str | None = None,
    bilingual: bool | str = False,
) -> PatientChoices:
    """Check every field; raise InvalidChoices listing all that are wrong."""
    problems: list[InputError] = []
    order = DateOrder(content.leaflet.language)

    def check(func, *args):
        try:
            return func(*args)
        except InputError as exc:
            problems.append(exc)
            return None

    choices = dict(
        name=check(_one_line, "patient", patient, True, content.extra_fonts),
        procedures=check(_ids, "procedures", procedures, content.procedures, "procedure"),
        scars=check(_ids, "scars", scars, content.scars, "scar type", False),
        clinician=check(_one_line, "clinician", clinician, False, content.extra_fonts),
        note=check(_note, note, content.extra_fonts),
        date=check(_date, date, order),
        paper=check(_paper, paper),
        large_print=check(_yes_no, "large_print", large_print),
        language=check(_language, language, content),
        bilingual=check(_yes_no, "bilingual", bilingual),
    )
    if choices["bilingual"] and choices["language"] == content.leaflet.language:
        problems.append(BilingualInOwnLanguage(content.leaflet.language, {
            tag: plain_language_name(tag) for tag in (content.leaflet.language, *content.languages)}))
    choices["sessions"] = check(_sessions, sessions, content.procedures, choices["procedures"])
    if choices["date"]:
        choices["appointment"] = check(_appointment, appointment, choices["date"], order)
    if problems:
        raise InvalidChoices(problems)
    return PatientChoices(**choices)


def _language(value: str | None, content: Content) -> str:
    """One of the clinic's languages, as typed ("es", "ES", "en" for en-GB); "" (empty) is the leaflet's own."""
    own, *others = content.languages or (content.leaflet.language,)
    wanted = (value or "").strip().replace("_", "-").lower()
    if not wanted:
        return own
    exact = [tag for tag in (own, *others) if tag.lower() == wanted]
    primary = [tag for tag in (own, *others) if tag.lower().split("-")[0] == wanted.split("-")[0]]
    if exact or len(primary) == 1:
        return (exact or primary)[0]
    raise InputError("language", f"unknown language '{value.strip()}'; the clinic's leaflets are in "
                                 f"{', '.join((own, *others))} (see 'handouts languages'; empty for {own})")


_YES, _NO = {"yes", "y", "true", "1", "x"}, {"no", "n", "false", "0", ""}


def _yes_no(field: str, value: bool | str) -> bool:
    """A flag, or a spreadsheet cell meaning yes or no."""
    if isinstance(value, bool):
        return value
    word = value.strip().lower()
    if word not in _YES | _NO:
        raise InputError(field, f"'{value.strip()}' should be yes or no (or left empty for no)")
    return word in _YES


def normalise_id(value: str) -> str:
    """'Chemical Peel' and 'chemical_peel' both mean chemical-peel."""
    return "-".join(value.strip().lower().replace("_", " ").split())


def _ids(field, values, known, kind, required=True) -> tuple[str, ...]:
    """The ids chosen, each written as its id or as its name ('Laser Resurfacing', 'shallow scars')."""
    chosen: dict[str, None] = {}
    by_name = {normalise_id(item.name): key for key, item in known.items()}
    for raw in values:
        value = normalise_id(raw)
        if not value:
            continue
        value = value if value in known else by_name.get(value, value)
        if value not in known:
            close = difflib.get_close_matches(value, known, n=2, cutoff=0.6)
            if close:
                hint = "did you mean " + " or ".join(f"'{c}'" for c in close) + "?"
            else:
                hint = "choose from: " + ", ".join(known)
            raise InputError(field, f"unknown {kind} '{raw.strip()}'; {hint}")
        chosen.setdefault(value)
    if required and not chosen:
        raise InputError(field, f"choose at least one {kind}, for example '{next(iter(known))}'")
    return tuple(chosen)


# Zero-width (non-)joiners are kept only between Arabic letters, where they
# change how the letters join (Persian writes "می‌خواهم" with one).
_STRAY_JOINER = re.compile("(?<![\u0600-\u06ff])[\u200c\u200d]|[\u200c\u200d](?![\u0600-\u06ff])")


def _clean(field: str, text: str, extra_fonts: tuple[Path, ...]) -> str:
    """NFC, no invisible format characters, nothing the fonts cannot print."""
    text = unicodedata.normalize("NFC", text)
    _lost_letters(field, text)
    text = _STRAY_JOINER.sub("", "".join(c for c in text if unicodedata.category(c) != "Cf" or c in "\u200c\u200d"))
    for char in text:
        if unicodedata.category(char) == "Cc" and char not in "\n\t":
            raise InputError(field, f"{_LABELS[field]} contains the control character {letters.describe(char)}; retype it")
    why = letters.problem(text, extra_fonts)
    if why:
        raise InputError(field, f"{_LABELS[field]} contains {why}")
    return text


def _lost_letters(field: str, text: str) -> None:
    """Refuse text whose letters were lost on the way ('Dvo?ák'): printed, it would misname the patient."""
    if field == "note":  # a web address's place is kept (blanked), so a word is found where it stands in `text`
        found = _LOST_IN_A_NOTE.search(_WEB_ADDRESS.sub(lambda address: " " * len(address[0]), text))
    else:
        found = _LOST_IN_A_NAME.search(text)
    if found:
        mark = "\ufffd" if "\ufffd" in found[0] else "?"
        if field == "note":  # the word, not a whole note
            word = next(w for w in _WORDS.finditer(text) if w.end() >= found.end())[0]
            raise LostLetters(field, f"the note has lost letters ('{mark}') in '{word}'")
        name = " ".join(text.split())
        raise LostLetters(field, f"{'the name' if field == 'patient' else _LABELS[field]} '{name}' has lost letters "
                                 f"('{mark}')")


def _one_line(field: str, value: str | None, required: bool, extra_fonts: tuple[Path, ...]) -> str | None:
    text = " ".join(_clean(field, value or "", extra_fonts).split())
    if not text:
        if required:
            raise InputError(field, f"{_LABELS[field]} is empty; type it as it should appear on the leaflet")
        return None
    if len(text) > MAX_NAME_LENGTH:
        raise InputError(field, f"{_LABELS[field]} is {len(text)} characters long; shorten it to "
                                f"{MAX_NAME_LENGTH} or fewer")
    return text


def _note(value: str | None, extra_fonts: tuple[Path, ...]) -> str | None:
    text = _clean("note", (value or "").replace("\r\n", "\n").replace("\r", "\n").replace("\t", " "), extra_fonts)
    text = "\n".join(line.rstrip() for line in text.strip().split("\n"))
    if len(text) > MAX_NOTE_LENGTH:
        raise InputError("note", f"the note is {len(text):,} characters long; the most a leaflet takes is "
                                 f"{MAX_NOTE_LENGTH:,}")
    lines = text.count("\n") + 1
    if lines > MAX_NOTE_LINES:
        raise InputError("note", f"the note has {lines:,} lines; the most a leaflet takes is {MAX_NOTE_LINES:,}")
    words = len(text.split())
    if words > MAX_NOTE_WORDS:
        raise InputError("note", f"the note has {words:,} words; the most a leaflet takes is {MAX_NOTE_WORDS:,}")
    longest = max((len(word) for word in _WORD.findall(text)), default=0)
    if longest > MAX_NOTE_WORD:
        raise InputError("note", f"the note has a word {longest:,} letters long; the longest a leaflet takes is "
                                 f"{MAX_NOTE_WORD}: put spaces in it")
    return text or None


def _date(value: str | dt.date | None, order: DateOrder) -> dt.date:
    if value is None or value == "":
        return clock.today()
    if isinstance(value, dt.date):
        return value
    try:
        return order.date(value)
    except DateProblem as exc:
        raise InputError("date", f"'{value.strip()}' {exc}; write it as {order.forms}") from None


def _paper(value: str | None) -> str:
    paper = (value or DEFAULT_PAPER).strip().lower()
    if paper not in PAPER_SIZES:
        raise InputError("paper", f"'{value}' is not a paper size; use {' or '.join(PAPER_SIZES)}")
    return paper


MAX_SESSIONS = 100
_SESSIONS = re.compile(r"^(\d+)(?:\s*(?:-|–|to)\s*(\d+))?$", re.IGNORECASE)


def _sessions(values: Iterable[str], known, chosen: tuple[str, ...] | None) -> tuple[tuple[str, str], ...]:
    """'subcision=3', 'fillers=2 to 3': how many sessions this patient is likely to need."""
    plan: dict[str, str] = {}
    for raw in values:
        if not raw.strip():
            continue
        pid, sep, count = raw.partition("=")
        if not sep:
            raise InputError("sessions", f"'{raw.strip()}' should be ID=NUMBER, for example subcision=3 or "
                                         "\"fillers=2 to 3\"")
        pid = _ids("sessions", [pid], known, "procedure")[0]
        if chosen is not None and pid not in chosen:
            raise InputError("sessions", f"'{pid}' has sessions but is not a chosen procedure; choose it too, "
                                         "or leave out its sessions")
        if pid in plan:
            raise InputError("sessions", f"'{pid}' has sessions given twice; give them once")
        plan[pid] = _session_count(count.strip())
    # In the order the treatments were chosen, however the sessions were listed (a form lists every treatment).
    order = chosen or tuple(plan)
    return tuple((pid, plan[pid]) for pid in order if pid in plan)


def _session_count(text: str) -> str:
    match = _SESSIONS.match(text)
    low, high = (int(match[1]), int(match[2] or match[1])) if match else (0, 0)
    if not match or low < 1 or high < low or high > MAX_SESSIONS:
        raise InputError("sessions", f"'{text}' is not a number of sessions; write a number from 1 to "
                                     f"{MAX_SESSIONS}, or a range like 2 to 3")
    return str(low) if low == high else f"{low} to {high}"


def _appointment(value: str | dt.date | None, leaflet_date: dt.date,
                 order: DateOrder) -> dt.datetime | dt.date | None:
    """'2026-12-03 10:30' (or 03/12/2026 10:30 where the day comes first), or a date alone when the time is
    not known yet."""
    if value is None or isinstance(value, dt.date):
        appointment = value
    elif not value.strip():
        return None
    else:
        try:
            appointment = order.moment(value)
        except DateProblem as exc:
            raise InputError("appointment", f"'{value.strip()}' {exc}; write it as {order.moment_forms}") from None
    day = appointment.date() if isinstance(appointment, dt.datetime) else appointment
    if day is not None and day < leaflet_date:
        raise InputError("appointment", f"'{day.isoformat()}' is before the leaflet's date "
                                        f"({leaflet_date.isoformat()}); check the appointment, or the date on the "
                                        "leaflet")
    return appointment
