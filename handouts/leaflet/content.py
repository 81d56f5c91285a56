"""What content.toml says, once read and checked (content_reader.py): the treatments and scars with their
sourced figures, the leaflet's own texts, and the clinic's details and brand."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from . import links


@dataclass(frozen=True)
class DayRange:
    """Whole days; `high` is None for "`low` days or more"."""

    low: int
    high: int | None


class Text(str):
    """Text that may name its source (an id from [leaflet.sources], or "clinic")."""

    source: str | None = None

    def __new__(cls, value: str, source: str | None = None):
        text = super().__new__(cls, value)
        text.source = source
        return text


@dataclass(frozen=True)
class Figure:
    """A figure with its source: a day range (`days`) or words (`text`)."""

    source: str
    days: DayRange | None = None
    text: str | None = None


# The figures a treatment can have; a patient's own or the clinic's win over none.
FIGURES = ("sessions", "time_in_clinic", "back_to_work", "full_recovery")
CLINIC_SOURCE = "clinic"


@dataclass(frozen=True)
class Procedure:
    id: str
    name: str
    source: str
    what: str
    how: str | None
    suits: str
    after: str | None
    aftercare: tuple[str, ...]  # the clinic's own: what to do afterwards
    works_on_skin: bool
    sessions: Figure | None
    time_in_clinic: Figure | None
    back_to_work: Figure | None
    full_recovery: Figure | None
    picture: str | None = None  # one of pictures.TREATMENT_PICTURES; its caption is the description
    # The clinic's own words (content.toml), each list optional: side effects and
    # risks, what happens at the appointment, and the warning signs to call about at once.
    risks: tuple[str, ...] = ()
    on_the_day: tuple[str, ...] = ()
    get_help: tuple[str, ...] = ()


# What a clinic adds per procedure, in its own words; `handouts check` warns where they are missing.
CLINIC_LISTS = ("risks", "on_the_day", "aftercare", "get_help")
EXPECTED_LISTS = ("risks", "aftercare", "get_help")


@dataclass(frozen=True)
class ScarType:
    id: str
    name: str
    source: str
    description: str
    procedures: tuple[str, ...]
    picture: str | None = None  # one of pictures.SCAR_PICTURES; its caption is "what"


@dataclass(frozen=True)
class Colours:
    primary: str
    accent: str
    text: str


@dataclass(frozen=True)
class Clinic:
    name: str
    address: str
    phone: str
    email: str
    website: str
    logo: Path | None
    colours: Colours
    website_link: str = ""  # the website as a full address, https:// added where it had none
    more_info: str | None = None  # [clinic] more_info: where the QR code leads, when not the website
    urgent_phone: str | None = None  # [clinic] urgent_phone: out of hours, printed with each get_help list

    @property
    def urgent_phone_link(self) -> str:
        return links.tel(self.urgent_phone) if self.urgent_phone else ""

    @property
    def phone_link(self) -> str:
        return links.tel(self.phone)

    @property
    def email_link(self) -> str:
        return links.mailto(self.email)

    @property
    def qr_address(self) -> str:
        return self.more_info or self.website_link


@dataclass(frozen=True)
class LeafletInfo:
    title: str
    version: str
    language: str
    last_reviewed: dt.date
    next_review: dt.date
    intro: Text
    approaches: Text
    sources: dict[str, str]  # id -> title
    choosing: Text | None = None  # how a clinician chooses among treatments (for skin treatments)


@dataclass(frozen=True)
class Content:
    path: Path
    leaflet: LeafletInfo
    clinic: Clinic
    overall_back_to_work: Figure
    overall_full_recovery: Figure
    summary: tuple[Text, ...]
    expectations: tuple[Text, ...]
    checklist: tuple[str, ...]
    contact_reasons: tuple[str, ...]
    scars: dict[str, ScarType]
    procedures: dict[str, Procedure]
    extra_fonts: tuple[Path, ...] = ()  # [fonts] extra: for letters the leaflet font lacks
    picture_labels: dict[str, str] = field(default_factory=dict)  # [pictures] labels: the words in the diagrams
    choices: tuple[Text, ...] = ()  # [expectations] choices: the patient's choices besides treatment
    checklist_skin: tuple[Text, ...] = ()  # [checklist] skin: steps only when a treatment works on the skin
    batch_columns: dict[str, str] = field(default_factory=dict)  # [batch.columns]: "Their Header" = "field"
    # The leaflet's own language, then each of translations/ beside content.toml (leaflet/translations.py).
    languages: tuple[str, ...] = ()
