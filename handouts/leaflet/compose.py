"""Composing one patient's leaflet: content + choices, worded by the template."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from . import letters, pictures, scripts
from .choices import PatientChoices
from .content import CLINIC_SOURCE, FIGURES, Clinic, Content, Figure, Procedure, ScarType
from .document import Document, parse_document
from .translations import reads_right_to_left
from ..errors import UnprintableError
from .wording import LEAFLET_TEMPLATE, Wording


@dataclass(frozen=True)
class Leaflet:
    """Everything a renderer needs, and nothing it must look up elsewhere."""

    document: Document
    title: str
    subject: str
    language: str
    clinic: Clinic
    paper: str
    large_print: bool = False
    picture_labels: dict[str, str] = field(default_factory=dict)  # content.toml [pictures] labels
    extra_fonts: tuple[Path, ...] = ()  # for letters the leaflet font lacks (content.toml [fonts])

    @property
    def right_to_left(self) -> bool:
        """Whether the whole page reads right to left (an Arabic leaflet): every renderer mirrors it."""
        return reads_right_to_left(self.language)


def compose(content: Content, wording: Wording, choices: PatientChoices, *, checklist_in: str = "") -> Leaflet:
    """The leaflet for `choices`. `checklist_in` names (in the content's words) the language of another part of
    the same leaflet that holds the checklist to tick: this part then points to it rather than repeat it."""
    procedures = [content.procedures[pid] for pid in choices.procedures]
    shared_aftercare = _shared_aftercare(procedures)
    same = {kind: _same_lists(procedures, kind) for kind in _SHAREABLE}
    shared = {kind: [group for group in groups if len(group["names"]) > 1] for kind, groups in same.items()}
    scars = [content.scars[sid] for sid in choices.scars]
    said_once = {kind: {pid for group in groups for pid in group["ids"]} for kind, groups in shared.items()}
    treatments = _treatments(procedures, content, choices, {group["line"] for group in shared_aftercare}, scars,
                             said_once)
    appointment = choices.appointment
    # On a right-to-left page, what is in Latin letters (typed, or a source's title) keeps its full stop and
    # brackets where they are.
    own_way = _left_to_right if reads_right_to_left(content.leaflet.language) else str
    markup = wording.render(
        LEAFLET_TEMPLATE,
        leaflet=content.leaflet,
        clinic=content.clinic,
        patient=dict(
            name=own_way(choices.name),
            clinician=choices.clinician and own_way(choices.clinician),
            date=choices.date,
            note=[[own_way(line) for line in paragraph] for paragraph in _paragraphs(choices.note)],
            appointment=appointment.date() if isinstance(appointment, dt.datetime) else appointment,
            appointment_time=appointment.strftime("%H:%M") if isinstance(appointment, dt.datetime) else None,
        ),
        large_print=choices.large_print,
        treatments=treatments,
        shared_aftercare=shared_aftercare,
        shared_lists=dict(on_the_day=shared["on_the_day"], risks=shared["risks"]),
        warning_signs=same["get_help"],
        scars=[dict(name=s.name, description=s.description, picture=_picture(s.picture, content),
                    helped_by=[t["name"] for t in treatments if t["id"] in s.procedures]) for s in scars],
        overall=dict(back_to_work=content.overall_back_to_work, full_recovery=content.overall_full_recovery),
        summary=content.summary,
        expectations=content.expectations,
        choices=content.choices,
        checklist=content.checklist,
        checklist_skin=content.checklist_skin,
        checklist_in=checklist_in,
        contact_reasons=content.contact_reasons,
        **_sources_used(content, treatments, scars, shared_aftercare, own_way),
    )
    source = wording.source_name(LEAFLET_TEMPLATE)
    document = parse_document(markup, source)
    why = letters.problem(document.text(), content.extra_fonts)
    if why:
        raise UnprintableError(f"{source}: the wording has {why}")
    return Leaflet(
        document=document,
        title=content.leaflet.title,
        subject=f"{content.leaflet.title}: {', '.join(t['name'] for t in treatments)}",
        language=content.leaflet.language,
        clinic=content.clinic,
        paper=choices.paper,
        large_print=choices.large_print,
        extra_fonts=content.extra_fonts,
        picture_labels=content.picture_labels,
    )


# The source of a figure the clinician gave this patient (make --sessions).
PATIENT_SOURCE = "patient"


def _treatments(procedures: list[Procedure], content: Content, choices: PatientChoices, shared: set[str],
                scars: list[ScarType], shared_lists: dict[str, set[str]]) -> list[dict]:
    """Each chosen procedure with this patient's figures (their own sessions
    win over the clinic's figure, and the clinic's over none), the aftercare
    that is its own rather than `shared`, its day and risks unless said once for
    several (`shared_lists`: of each list, the ids that share it), and the chosen scar types it helps."""
    own_sessions = dict(choices.sessions)
    treatments, pictured = [], set()
    for p in procedures:
        pid = p.id
        # Treatments that share a picture (resurfacing) show it once, with the first of them.
        picture = p.picture if p.picture not in pictured else None
        pictured.add(p.picture)
        figures = {name: getattr(p, name) for name in FIGURES}
        if pid in own_sessions:
            figures["sessions"] = Figure(PATIENT_SOURCE, text=own_sessions[pid])
        treatments.append(dict(
            procedure=p, id=p.id, name=p.name, what=p.what, how=p.how, suits=p.suits, after=p.after,
            works_on_skin=p.works_on_skin, get_help=p.get_help, has_risks=bool(p.risks),
            risks=() if pid in shared_lists["risks"] else p.risks,
            on_the_day=() if pid in shared_lists["on_the_day"] else p.on_the_day,
            has_aftercare=bool(p.aftercare), compare=_comparisons(figures, content, choices.procedures),
            aftercare=[line for line in p.aftercare if line not in shared],
            helps=[s.name for s in scars if pid in s.procedures],
            picture=_picture(picture, content),
            recovery_known=bool(figures["back_to_work"] or figures["full_recovery"]),
            recovery_in_days=any(f and f.days for f in (figures["back_to_work"], figures["full_recovery"])),
            **figures,
        ))
    return treatments


def _comparisons(figures: dict, content: Content, chosen: tuple[str, ...]) -> dict:
    """A figure in words that compares with a treatment not chosen ("Quicker than
    laser resurfacing") gets that treatment's figure beside it: {figure name: (its name, its figure)}."""
    found = {}
    for name, figure in figures.items():
        if not (figure and figure.text):
            continue
        for other in content.procedures.values():
            theirs = getattr(other, name)
            if other.id not in chosen and theirs and theirs.days and other.name.lower() in figure.text.lower():
                found[name] = dict(name=other.name, figure=theirs)
    return found


def _picture(picture: str | None, content: Content) -> dict | None:
    """A diagram for the template: its name and the words it shows (for its text alternative)."""
    if picture is None:
        return None
    return dict(name=picture, labels=pictures.label_words(picture, content.picture_labels))


def _shared_aftercare(procedures: list[Procedure]) -> list[dict]:
    """Aftercare lines that two or more chosen treatments have (or the one
    treatment's own), said once each: the line, the treatments it is for,
    and whether that is all of them, or all that work on the skin."""
    groups: dict[str, list[Procedure]] = {}
    for p in procedures:
        for line in p.aftercare:
            groups.setdefault(line, []).append(p)
    skin = [p for p in procedures if p.works_on_skin]
    return [dict(line=line, names=[p.name for p in who], all=len(who) == len(procedures),
                 all_on_skin=who == skin)
            for line, who in groups.items() if len(who) > 1 or len(procedures) == 1]


# The clinic's lists that several chosen treatments may have word for word.
_SHAREABLE = ("on_the_day", "risks", "get_help")


def _same_lists(procedures: list[Procedure], kind: str) -> list[dict]:
    """The chosen treatments that have the list `kind`, grouped by it word for word:
    each group's lines, its treatments' names and ids, and whether that is all of them."""
    groups: dict[tuple[str, ...], list[Procedure]] = {}
    for p in procedures:
        if getattr(p, kind):
            groups.setdefault(tuple(getattr(p, kind)), []).append(p)
    return [dict(lines=list(lines), names=[p.name for p in who], ids={p.id for p in who},
                 all=len(who) == len(procedures)) for lines, who in groups.items()]


def _sources_used(content: Content, treatments: list[dict], scars, shared_aftercare: list[dict],
                  own_way: Callable[[str], str]) -> dict:
    """The titles of the sources behind what this leaflet prints, in content order, each kept its own way
    (sources_used), and whether the clinic's own figures and its advice on risks and care are among them
    (clinic_own), for the template to word in the leaflet's language."""
    cited = [content.leaflet.intro, *content.checklist, *content.choices]
    if any(t["works_on_skin"] for t in treatments):  # what a leaflet for counselling alone leaves out
        cited += [content.leaflet.approaches, content.leaflet.choosing, *content.summary, *content.expectations,
                  *content.checklist_skin, content.overall_back_to_work, content.overall_full_recovery]
    used = {text.source for text in cited if text}
    advice = False
    for t in treatments:
        p = t["procedure"]
        used |= {p.source, *(t[name].source for name in FIGURES if t[name])}
        used |= {c["figure"].source for c in t["compare"].values()}
        used |= {text.source for text in (p.what, p.how, p.suits, p.after) if text}
        lists = [*p.risks, *p.on_the_day, *p.aftercare, *p.get_help]
        used |= {text.source for text in lists}
        advice = advice or bool(lists)
    for scar in scars:
        used |= {scar.source, scar.description.source}
    titles = [own_way(title) for sid, title in content.leaflet.sources.items() if sid in used]
    return dict(sources_used=titles, clinic_own=dict(figures=CLINIC_SOURCE in used, advice=advice))


# Left-to-right embedding and its end (python-bidi's algorithm, which orders the PDF's lines, has no isolates).
_LTR_EMBEDDING, _END_EMBEDDING = "\u202a", "\u202c"


def _left_to_right(text: str) -> str:
    """Text in Latin letters (a source's title, a name, a line of a note), kept left to right whole inside a
    right-to-left sentence: otherwise its closing bracket, question mark or full stop take the sentence's
    direction and land at the other end ("Sam Smith Jr." drawn as ".Sam Smith Jr"). Text holding right-to-left
    letters is left to the bidirectional algorithm."""
    if not text or any(scripts.script(char) in scripts.RIGHT_TO_LEFT for char in text):
        return text
    return f"{_LTR_EMBEDDING}{text}{_END_EMBEDDING}"


def _paragraphs(note: str | None) -> list[list[str]]:
    """A note as paragraphs (split at blank lines), each a list of lines."""
    if not note:
        return []
    blocks = [block.strip("\n") for block in note.split("\n\n")]
    return [block.split("\n") for block in blocks if block.strip()]
