"""Asking for a leaflet's choices in a terminal, one question at a time.

Every answer is checked as soon as it is typed, by the same checks (and in
the same words) as the options, so nothing fails once everything is typed.
Questions go to standard error, so standard output stays the path printed.
"""

from __future__ import annotations

import re
from pathlib import Path

import click

from .leaflet.choices import PatientChoices, normalise_id
from .leaflet.content import Content
from .leaflet.dates import DateOrder
from . import clock
from .errors import InvalidChoices, LostLetters
from .leaflet.request import parse_request
from .make import numbered, target


def ask_choices(content: Content, given: dict, *, last_clinician: str | None) -> dict:
    """`given` (a request's fields; None, or empty, is "not given, so ask") with what was missing asked for,
    in leaflet order."""
    answers = dict(given)
    order = DateOrder(content.leaflet.language)
    if not answers["patient"]:
        answers["patient"] = _ask(content, answers, "patient", "Patient's name")
    if not answers["procedures"]:
        answers["procedures"] = _ask_ids(content, answers, "procedures", "Procedures", content.procedures,
                                         "Choose one or more (numbers or ids, separated by spaces or commas)")
    if not answers["scars"]:
        answers["scars"] = _ask_ids(content, answers, "scars", "Scar types", content.scars,
                                    "Scar types to explain (numbers or ids; blank for none)", optional=True)
    if not answers["sessions"]:
        answers["sessions"] = _ask_sessions(content, answers)
    # The leaflet's date comes before the appointment, which is judged against it (not against today: a
    # back-dated leaflet may have an appointment that is past by now).
    if answers["date"] is None:
        answers["date"] = _ask(content, answers, "date", "Date on the leaflet", order.show(clock.today()),
                               also=("appointment",))
    if answers["appointment"] is None:
        answers["appointment"] = _ask(content, answers, "appointment",
                                      f"First appointment ({order.pattern} HH:MM; blank if not booked yet)", "")
    if answers["clinician"] is None:
        answers["clinician"] = _ask(content, answers, "clinician", "Clinician", last_clinician or "")
    if answers["note"] is None:
        answers["note"] = _ask(content, answers, "note", "Note for the patient (one line; blank for none)", "")
    if answers["email"] is None:
        answers["email"] = _ask(content, answers, "email", "Email the leaflet to (blank: do not email)", "") or None
    return answers


def ask_where(choices: PatientChoices, output: Path | None, formats: tuple[str, ...]) -> tuple[Path, bool]:
    """Where to write the leaflet make_leaflet would write at `output`, and whether to replace the file
    there: asked only when a file is in the way, offering the next free name."""
    path = target(choices, output)
    paths = [path.with_suffix(f".{fmt}") for fmt in formats]
    taken = next((p for p in paths if p.exists()), None)
    if taken is None:
        return path, False
    if click.confirm(f"{taken} already exists. Replace it?", default=False, err=True):
        return path, True
    while True:
        answer = Path(click.prompt("Save as", default=str(numbered(path, formats)), err=True))
        if answer.suffix.lower() != path.suffix:
            click.echo(f"  The name must end in {path.suffix}.", err=True)
        elif any(answer.with_suffix(p.suffix).exists() for p in paths):
            click.echo(f"  {answer} already exists too; type another name.", err=True)
        else:
            return answer, False


def _ask(content: Content, answers: dict, field: str, text: str, default: str | None = None,
         also: tuple[str, ...] = ()) -> str:
    """Ask until the answer passes the checks of `field` (and of the fields in `also` it affects)."""
    while True:
        value = click.prompt(text, default=default, show_default=bool(default), err=True)
        problem = _problem(content, {**answers, field: value}, (field, *also))
        if problem is None:
            return value
        click.echo(f"  {problem}", err=True)


def _ask_ids(content: Content, answers: dict, field: str, title: str, known: dict, text: str,
             optional: bool = False) -> list[str]:
    listed = list(known.values())
    click.echo(f"{title}:", err=True)
    for number, item in enumerate(listed, 1):
        click.echo(f"  {number:>2}. {item.name} ({item.id})", err=True)
    while True:
        answer = click.prompt(text, default="" if optional else None, show_default=False, err=True)
        tokens = [token for token in re.split(r"[,\s]+", answer.strip()) if token]
        wrong = [token for token in tokens if token.isdigit() and not 1 <= int(token) <= len(listed)]
        if wrong:
            click.echo(f"  Not on the list: {', '.join(wrong)}. Type numbers from 1 to {len(listed)}.", err=True)
            continue
        chosen = [listed[int(token) - 1].id if token.isdigit() else token for token in tokens]
        problem = _problem(content, {**answers, field: chosen}, (field,))
        if problem is None:
            return chosen
        click.echo(f"  {problem}", err=True)


def _ask_sessions(content: Content, answers: dict) -> list[str]:
    """Sessions for each chosen treatment; blank keeps the content's own figure (or none)."""
    plan: list[str] = []
    for pid in dict.fromkeys(normalise_id(chosen) for chosen in answers["procedures"]):
        procedure = content.procedures[pid]
        figure = procedure.sessions
        usual = f"blank: {figure.text}, from the content" if figure and figure.text else "blank if not known"
        while True:
            value = click.prompt(f"Sessions of {procedure.name} ({usual})", default="", show_default=False,
                                 err=True).strip()
            problem = _problem(content, {**answers, "sessions": [*plan, f"{pid}={value}"]}, ("sessions",)) \
                if value else None
            if problem is None:
                break
            click.echo(f"  {problem}", err=True)
        if value:
            plan.append(f"{pid}={value}")
    return plan


def _problem(content: Content, answers: dict, fields: tuple[str, ...]) -> str | None:
    """The first problem the request's checks find in `fields`; what is not asked yet is left out of the
    judgement."""
    try:
        parse_request(content, answers)
    except InvalidChoices as exc:
        return next((f"{p}: type it again with its own letters" if isinstance(p, LostLetters) else str(p)
                     for p in exc.problems if p.field in fields), None)
    return None
