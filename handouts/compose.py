"""Composing one patient's leaflet: content + choices, worded by the template."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from . import fonts
from .choices import PatientChoices
from .content import Clinic, Content
from .document import Document, parse_document
from .errors import UnprintableError
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
    extra_fonts: tuple[Path, ...] = ()  # for letters the leaflet font lacks (content.toml [fonts])


def compose(content: Content, wording: Wording, choices: PatientChoices) -> Leaflet:
    procedures = [content.procedures[pid] for pid in choices.procedures]
    markup = wording.render(
        LEAFLET_TEMPLATE,
        leaflet=content.leaflet,
        clinic=content.clinic,
        patient=dict(
            name=choices.name,
            clinician=choices.clinician,
            date=choices.date,
            note=_paragraphs(choices.note),
        ),
        large_print=choices.large_print,
        procedures=procedures,
        scars=[content.scars[sid] for sid in choices.scars],
        overall=dict(back_to_work=content.overall_back_to_work, full_recovery=content.overall_full_recovery),
        summary=content.summary,
        expectations=content.expectations,
        checklist=content.checklist,
        contact_reasons=content.contact_reasons,
        scars_for=content.scars_for,
        names_of=lambda ids: [content.procedures[pid].name for pid in ids],
    )
    source = wording.source_name(LEAFLET_TEMPLATE)
    document = parse_document(markup, source)
    why = fonts.problem(document.text(), content.extra_fonts)
    if why:
        raise UnprintableError(f"{source}: the wording has {why}")
    return Leaflet(
        document=document,
        title=content.leaflet.title,
        subject=f"{content.leaflet.title}: {', '.join(p.name for p in procedures)}",
        language=content.leaflet.language,
        clinic=content.clinic,
        paper=choices.paper,
        large_print=choices.large_print,
        extra_fonts=content.extra_fonts,
    )


def _paragraphs(note: str | None) -> list[list[str]]:
    """A note as paragraphs (split at blank lines), each a list of lines."""
    if not note:
        return []
    blocks = [block.strip("\n") for block in note.split("\n\n")]
    return [block.split("\n") for block in blocks if block.strip()]
