"""Loading and validating content.toml: treatment facts and clinic brand.

Every problem is collected (not just the first) so `handouts check` can list
them all, each with the file, the line and the key it concerns.
"""

from __future__ import annotations

import datetime as dt
import difflib
import io
import re
import tomllib
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..render import fonts
from . import links
from .columns import ColumnError, check_target
from .contact import check_address
from .toml_problems import toml_problem
from ..errors import ContentError, FontError, InputError


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
    picture: str | None = None  # one of PICTURES; its caption is the description
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
    picture: str | None = None  # one of PICTURES; its caption is "what"


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


_PROCEDURE_TEXT = ("name", "source", "what", "how", "suits")
_PROCEDURE_FIELDS = _PROCEDURE_TEXT + FIGURES + ("after", "works_on_skin", "picture") + CLINIC_LISTS
# The diagrams handouts/render/pictures.py draws, and the words they need (content.toml [pictures] labels).
SCAR_PICTURES = ("rolling", "ice-pick", "deep-craters", "superficial", "marks")
TREATMENT_PICTURES = ("resurfacing", "fractional", "subcision", "fillers")
PICTURES = SCAR_PICTURES + TREATMENT_PICTURES
LABELS = ("surface", "top", "deeper", "scar", "mark", "removed", "new_skin", "laser", "whole", "needle", "held",
          "filler", "before", "after")
# Sane bounds, so a slip of the keyboard cannot hang or break a leaflet.
MAX_DAYS = 365
MAX_TEXT = 1_000
MAX_ITEMS = 30
_FIGURE_IN_TEXT = re.compile(r"\d[\d.,]*%?")
_SOURCE_HELP = '(source: an id from [leaflet.sources], or "clinic" for the clinic\'s own figure)'
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")


def load_content(path: str | Path, *, for_print: bool = True) -> Content:
    """Read and validate a content file; raise ContentError listing every problem.

    for_print=False leaves out the checks that only printing and emailing need
    (letters the fonts lack, added fonts and the logo drawable, the clinic's
    email address), and with them ReportLab and email-validator, which take
    longer to load than the rest: for commands that only list the content.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ContentError([f"{path}: content file not found in {path.absolute().parent}; work in a clinic folder "
                            "(make one with 'handouts init FOLDER'), or pass --content PATH or set HANDOUTS_CONTENT"]
                           ) from None
    except OSError as exc:
        raise ContentError([f"{path}: cannot be read: {exc.strerror}"]) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ContentError([f"{path}:{line}: not UTF-8 text; save the file as UTF-8"]) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ContentError([toml_problem(path, text, exc)]) from None
    reader = _Reader(path, text, for_print)
    content = reader.content(data)
    if reader.problems:
        raise ContentError(reader.problems)
    return content


def _item(number: int) -> str:
    """How a problem names a list item, when it is one."""
    return f"item {number} " if number else ""


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    return {
        str: "text",
        int: "a whole number",
        float: "a number",
        list: "a list",
        dict: "a table",
        dt.date: "a date",
    }.get(type(value), type(value).__name__)


class _Reader:
    """Walks the parsed TOML, building dataclasses and recording problems."""

    def __init__(self, path: Path, text: str, for_print: bool = True):
        self.path, self.for_print = path, for_print
        self.problems: list[str] = []
        self.sources: dict[str, str] = {}
        self._locator = Locator(text)
        self.extra_fonts: tuple[Path, ...] = ()

    def problem(self, keys: tuple[str, ...], message: str, item: int = 0) -> None:
        line = self._locator.line(keys, item)
        where = f"{self.path}:{line}" if line else str(self.path)
        self.problems.append(f"{where}: {'.'.join(keys)} {message}")

    # -- typed fields ---------------------------------------------------

    def get(self, table: dict, keys: tuple[str, ...], kind: type, required: bool = True) -> Any:
        value = table.get(keys[-1])
        expected = "text in quotes" if kind is str else _type_name(kind())
        if value is None:
            if required:
                self.problem(keys, f"is missing; add it as {expected}")
            return None
        if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
            self.problem(keys, f"should be {expected}, not {_type_name(value)}")
            return None
        return value

    def text(self, table: dict, keys: tuple[str, ...], required: bool = True, sourced: bool = False,
             limit: tuple[int, str] = (MAX_TEXT, "")) -> Text | None:
        """Text in quotes. Treatment content (`sourced`) may also be written
        { text = "...", source = "..." }, and must be when it holds a figure."""
        value = table.get(keys[-1])
        if sourced and isinstance(value, dict):
            return self.cited(keys, value)
        value = self.get(table, keys, str, required)
        return None if value is None else self.plain(keys, value, sourced=sourced, limit=limit)

    def plain(self, keys: tuple[str, ...], value: str, item: int = 0, sourced: bool = False,
              limit: tuple[int, str] = (MAX_TEXT, "")) -> Text | None:
        text = self.clean(keys, value, item, limit)
        if text and sourced and (figure := _FIGURE_IN_TEXT.search(text)):
            self.problem(keys, f'{_item(item)}has a figure ("{figure[0]}") but no source; write it as '
                               f'{{ text = "...", source = "..." }} {_SOURCE_HELP}', item)
        return Text(text) if text else None

    def cited(self, keys: tuple[str, ...], value: dict, item: int = 0) -> Text | None:
        if set(value) != {"text", "source"} or not isinstance(value["text"], str):
            self.problem(keys, f'{_item(item)}should look like {{ text = "...", source = "..." }} {_SOURCE_HELP}', item)
            return None
        text, source = self.clean(keys, value["text"], item), self.source(keys, value["source"], item)
        return Text(text, source) if text and source else None

    def source(self, keys: tuple[str, ...], source: Any, item: int = 0) -> str | None:
        """A source id from [leaflet.sources], or "clinic"."""
        known = [*self.sources, CLINIC_SOURCE]
        if source in known:
            return source
        hint = difflib.get_close_matches(str(source), known, n=1)
        fix = f'did you mean "{hint[0]}"?' if hint else f"use one of: {', '.join(known)}"
        self.problem(keys, f"{_item(item)}names unknown source {source!r}; {fix}", item)
        return None

    def clean(self, keys: tuple[str, ...], value: str, item: int = 0,
              limit: tuple[int, str] = (MAX_TEXT, "")) -> str | None:
        """Fold white space; report empty or overlong text (`limit`: the most
        characters, and why) and characters no font can print."""
        label, (most, why) = _item(item), limit
        value = " ".join(value.split())
        if len(value) > most:
            self.problem(keys, f"{label}is {len(value):,} characters long; shorten it to {most:,} or fewer{why}", item)
            return None
        if not value:
            self.problem(keys, f"{label}is empty; write the text the leaflet should show", item)
            return None
        why = self.for_print and fonts.problem(value, self.extra_fonts)
        if why:
            self.problem(keys, f"{label}has {why}", item)
        return value

    def texts(self, table: dict, keys: tuple[str, ...], sourced: bool = False,
              required: bool = True) -> tuple[Text, ...]:
        items = self.get(table, keys, list, required)
        if items is None:
            return ()
        if not items:
            self.problem(keys, "is empty; list at least one line of text")
        if len(items) > MAX_ITEMS:
            self.problem(keys, f"has {len(items)} items; a leaflet takes {MAX_ITEMS} at most")
            return ()
        out = []
        for index, item_value in enumerate(items, 1):
            if sourced and isinstance(item_value, dict):
                text = self.cited(keys, item_value, index)
            elif isinstance(item_value, str):
                text = self.plain(keys, item_value, index, sourced)
            else:
                self.problem(keys, f"{_item(index)}should be text, not {_type_name(item_value)}", index)
                continue
            if text:
                out.append(text)
        return tuple(out)

    def figure(self, table: dict, keys: tuple[str, ...], days: bool, required: bool = False) -> Figure | None:
        """{ from = 2, to = 7, source = "..." } (with `days`) or { text = "...", source = "..." }."""
        value = table.get(keys[-1])
        form = ('{ from = 2, to = 7, source = "..." } or { text = "...", source = "..." }' if days
                else '{ text = "...", source = "..." }')
        if value is None:
            if required:
                self.problem(keys, f"is missing; add it as {form}")
            return None
        if not isinstance(value, dict):
            self.problem(keys, f"is a figure without a source; write it as {form} {_SOURCE_HELP}")
            return None
        fields = {"text", "source"} if "text" in value or not days else {"from", "to", "source"}
        if not set(value) <= fields or not ({"text", "from"} & set(value)):
            self.problem(keys, f"should look like {form}" + (" (leave out 'to' for 'or more')" if days else ""))
            return None
        if "source" not in value:
            self.problem(keys, f'has no source; add source = "..." {_SOURCE_HELP}')
            return None
        source = self.source(keys, value["source"])
        if "text" in value:
            text = self.clean(keys, value["text"]) if isinstance(value["text"], str) else None
            if not isinstance(value["text"], str):
                self.problem(keys, f"text should be in quotes, not {_type_name(value['text'])}")
            return Figure(source, text=text) if source and text else None
        span = self.day_range(keys, value["from"], value.get("to"))
        return Figure(source, days=span) if source and span else None

    def day_range(self, keys: tuple[str, ...], low: Any, high: Any) -> DayRange | None:
        for bound in (low, high):
            if bound is not None and (not isinstance(bound, int) or isinstance(bound, bool)
                                      or not 0 <= bound <= MAX_DAYS):
                self.problem(keys, f"has {bound!r}; days must be whole numbers from 0 to {MAX_DAYS}")
                return None
        if high is not None and high < low:
            self.problem(keys, f"runs from {low} to {high}; 'to' must not be less than 'from'")
            return None
        return DayRange(low, high)

    def date(self, table: dict, keys: tuple[str, ...]) -> dt.date | None:
        value = table.get(keys[-1])
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        if value is None:
            self.problem(keys, "is missing; add a date like 2026-11-21 (no quotes)")
        else:
            self.problem(keys, f"should be a date like 2026-11-21 (no quotes), not {_type_name(value)}")
        return None

    def table(self, data: dict, keys: tuple[str, ...], known: tuple[str, ...] | None = None) -> dict:
        value = self.get(data, keys, dict)
        if value is None:
            return {}
        if known is not None:
            for key in value:
                if key not in known:
                    hint = difflib.get_close_matches(key, known, n=1)
                    fix = f'did you mean "{hint[0]}"?' if hint else f"known fields: {', '.join(known)}"
                    self.problem(keys + (key,), f"is not a known field; {fix}")
        return value

    # -- sections --------------------------------------------------------

    def content(self, data: dict) -> Content:
        self.extra_fonts = self.fonts(data)  # first: the text checks below need them
        leaflet = self.leaflet(data)
        clinic = self.clinic(data)
        overall = self.table(data, ("overall",), ("back_to_work", "full_recovery"))
        expectations = self.table(data, ("expectations",), ("summary", "points", "choices"))
        procedures = self.procedures(data)
        scars = self.scars(data, procedures)
        checklist = self.table(data, ("checklist",), ("items", "skin"))
        return Content(
            path=self.path,
            leaflet=leaflet,
            clinic=clinic,
            overall_back_to_work=self.figure(overall, ("overall", "back_to_work"), days=True, required=True),
            overall_full_recovery=self.figure(overall, ("overall", "full_recovery"), days=True, required=True),
            summary=self.texts(expectations, ("expectations", "summary"), sourced=True),
            expectations=self.texts(expectations, ("expectations", "points"), sourced=True, required=False),
            choices=self.texts(expectations, ("expectations", "choices"), sourced=True, required=False),
            checklist=self.texts(checklist, ("checklist", "items"), sourced=True),
            checklist_skin=self.texts(checklist, ("checklist", "skin"), sourced=True, required=False),
            contact_reasons=self.texts(self.table(data, ("contact",), ("reasons",)), ("contact", "reasons")),
            scars=scars,
            procedures=procedures,
            picture_labels=self.picture_labels(data),
            extra_fonts=self.extra_fonts,
            batch_columns=self.batch_columns(data),
        )

    def leaflet(self, data: dict) -> LeafletInfo:
        keys = ("title", "version", "language", "last_reviewed", "next_review", "intro", "approaches", "choosing",
                "sources")
        t = self.table(data, ("leaflet",), keys)
        language = self.text(t, ("leaflet", "language"))
        if language and not _LANGUAGE.match(language):
            self.problem(("leaflet", "language"), f'is "{language}"; use a language tag like "en-GB"')
        last = self.date(t, ("leaflet", "last_reviewed"))
        due = self.date(t, ("leaflet", "next_review"))
        if last and due and due <= last:
            self.problem(("leaflet", "next_review"), f"({due}) must be after last_reviewed ({last})")
        self.sources = self.source_list(t)
        return LeafletInfo(
            title=self.text(t, ("leaflet", "title")),
            version=self.text(t, ("leaflet", "version")),
            language=language,
            last_reviewed=last,
            next_review=due,
            intro=self.text(t, ("leaflet", "intro"), sourced=True),
            approaches=self.text(t, ("leaflet", "approaches"), sourced=True),
            choosing=self.text(t, ("leaflet", "choosing"), required=False, sourced=True),
            sources=self.sources,
        )

    def source_list(self, leaflet: dict) -> dict[str, str]:
        """[leaflet.sources]: id = "title as printed"."""
        keys = ("leaflet", "sources")
        table = self.get(leaflet, keys, dict)
        if table is None:
            return {}
        if not table:
            self.problem(keys, 'is empty; name each source as id = "title"')
        sources = {}
        for sid, title in table.items():
            if not _ID.match(sid) or sid == CLINIC_SOURCE:
                self.problem(keys + (sid,), f'is not a usable source id; use lowercase letters, digits and dashes '
                                            f'(and not "{CLINIC_SOURCE}", which means the clinic itself)')
            elif text := self.text(table, keys + (sid,)):
                sources[sid] = text
        return sources

    def clinic(self, data: dict) -> Clinic:
        t = self.table(data, ("clinic",),
                       ("name", "address", "phone", "email", "website", "more_info", "urgent_phone", "logo",
                        "colours"))
        c = self.table(t, ("clinic", "colours"), ("primary", "accent", "text"))
        colours = {}
        for key in ("primary", "accent", "text"):
            value = self.text(c, ("clinic", "colours", key))
            if value and not _COLOUR.match(value):
                self.problem(("clinic", "colours", key), f'is "{value}"; write a colour as #RRGGBB, like "#1D5C63"')
            colours[key] = value
        if all(value and _COLOUR.match(value) for value in colours.values()):
            self.contrast(colours)
        fields = {key: self.text(t, ("clinic", key), limit=(most, ", so it fits the leaflet's header and footer"))
                  for key, most in CLINIC_LIMITS.items()}
        if fields["email"] and self.for_print:
            self.address(("clinic", "email"), fields["email"])
        phone, website = fields["phone"], fields["website"]
        if phone and (why := links.phone_problem(phone)):
            self.problem(("clinic", "phone"), f'is "{phone}", which {why}; write only the number '
                                              '(digits, spaces, + - and brackets), so patients can tap it to call')
        more_info = self.text(t, ("clinic", "more_info"), required=False)
        urgent = self.text(t, ("clinic", "urgent_phone"), required=False,
                           limit=(CLINIC_LIMITS["phone"], ", so it fits beside the warning signs"))
        if urgent and (why := links.phone_problem(urgent)):
            self.problem(("clinic", "urgent_phone"), f'is "{urgent}", which {why}; write only the number '
                                                     '(digits, spaces, + - and brackets), so patients can tap it')
        return Clinic(
            **fields,
            logo=self.logo(t),
            colours=Colours(**colours),
            website_link=website and self.web_address(("clinic", "website"), website),
            more_info=more_info and self.web_address(("clinic", "more_info"), more_info),
            urgent_phone=urgent,
        )

    def address(self, keys: tuple[str, ...], text: str) -> None:
        """Emails go from this address: it must be one that mail can carry."""
        try:
            check_address(text)
        except InputError as exc:
            self.problem(keys, str(exc))

    def web_address(self, keys: tuple[str, ...], text: str) -> str | None:
        """A web address patients open from a link or the QR code; https:// is added where it has none."""
        try:
            return links.web_address(text)
        except ValueError as why:
            self.problem(keys, f'is "{text}", which {why}')
            return None

    def contrast(self, colours: dict[str, str]) -> None:
        """Text must stand out from what it is printed on (WCAG 2 AA: 4.5:1)."""
        for key, background, ground, fix in contrast_pairs(colours):
            ratio = contrast_ratio(colours[key], background)
            if ratio < MIN_CONTRAST:
                self.problem(("clinic", "colours", key),
                             f"{colours[key]} on {ground} {background} has a contrast of {ratio:.2f}:1; "
                             f"text needs at least {MIN_CONTRAST}:1, so choose {fix}")

    def logo(self, clinic: dict) -> Path | None:
        name = self.text(clinic, ("clinic", "logo"), required=False)
        if name is None:
            return None
        path = (self.path.parent / name).resolve()
        if not path.is_file():
            self.problem(("clinic", "logo"), f'file "{name}" not found (looked in {path.parent})')
            return None
        from PIL import Image  # reportlab's own dependency; only needed here

        too_large = f"; use one of at most {MAX_LOGO_SIDE:,} × {MAX_LOGO_SIDE:,} pixels (it prints 16 mm wide)"
        try:
            with warnings.catch_warnings():
                # Pillow warns about huge images; the size is checked here, in words.
                warnings.simplefilter("ignore", Image.DecompressionBombWarning)
                with Image.open(path) as image:
                    width, height = image.size
                    if max(width, height) > MAX_LOGO_SIDE:
                        self.problem(("clinic", "logo"), f'file "{name}" is {width:,} × {height:,} pixels{too_large}')
                        return None
                    image.verify()
        except Image.DecompressionBombError:  # too large for Pillow even to open
            self.problem(("clinic", "logo"), f'file "{name}" is far too large{too_large}')
            return None
        except Exception:  # Pillow raises many types for a file that is not an image
            self.problem(("clinic", "logo"), f'file "{name}" is not a PNG or JPEG image')
            return None
        problem = self.for_print and _undrawable(path)
        if problem:
            self.problem(("clinic", "logo"), f'file "{name}" cannot be drawn ({problem}); it may be damaged: '
                                             "save it again as PNG or JPEG")
            return None
        return path

    def fonts(self, data: dict) -> tuple[Path, ...]:
        """[fonts] extra: TrueType files (beside content.toml) for letters DejaVu Sans lacks."""
        if "fonts" not in data:
            return ()
        keys = ("fonts", "extra")
        names = self.get(self.table(data, ("fonts",), ("extra",)), keys, list) or []
        found = []
        for index, name in enumerate(names, 1):
            if not isinstance(name, str):
                self.problem(keys, f"item {index} should be the name of a font file in quotes, not {_type_name(name)}")
                continue
            path = (self.path.parent / name).resolve()
            if not path.is_file():
                self.problem(keys, f'item {index}: file "{name}" not found (looked in {path.parent})')
                continue
            try:
                if self.for_print:
                    fonts.extra_font(path)
            except FontError as exc:
                self.problem(keys, f'item {index}: "{name}" {exc}; use a TrueType (.ttf) font')
                continue
            found.append(path)
        return tuple(found)

    def batch_columns(self, data: dict) -> dict[str, str]:
        """[batch.columns]: the booking system's own column names, as "Their Header" = "field"."""
        keys = ("batch", "columns")
        batch = self.table(data, ("batch",), ("columns",)) if "batch" in data else {}
        mapping = {}
        for header, target in (self.table(batch, keys) if "columns" in batch else {}).items():
            if not isinstance(target, str):
                self.problem(keys + (header,), f"should be a field in quotes, not {_type_name(target)}")
                continue
            try:
                mapping[header] = check_target(target)
            except ColumnError as exc:
                self.problem(keys + (header,), str(exc))
        return mapping

    def procedures(self, data: dict) -> dict[str, Procedure]:
        table = self.table(data, ("procedures",))
        if not table and "procedures" in data:
            self.problem(("procedures",), "is empty; add at least one [procedures.ID] table")
        result = {}
        for pid in table:
            keys = ("procedures", pid)
            if not _ID.match(pid):
                self.problem(keys, "has an id that is not lowercase letters, digits and dashes")
            t = self.table(table, keys, _PROCEDURE_FIELDS)
            if not t:
                continue
            # "How it is done" is left out where the sources do not say.
            texts = {f: self.text(t, keys + (f,), required=f != "how", sourced=True)
                     for f in _PROCEDURE_TEXT if f != "source"}
            source = self.text(t, keys + ("source",))
            works_on_skin = self.get(t, keys + ("works_on_skin",), bool, required=False)
            result[pid] = Procedure(
                id=pid,
                source=source and self.source(keys + ("source",), source),
                after=self.text(t, keys + ("after",), required=False, sourced=True),
                **{name: self.texts(t, keys + (name,), sourced=True, required=False) for name in CLINIC_LISTS},
                works_on_skin=works_on_skin is not False,
                sessions=self.figure(t, keys + ("sessions",), days=False),
                time_in_clinic=self.figure(t, keys + ("time_in_clinic",), days=False),
                back_to_work=self.figure(t, keys + ("back_to_work",), days=True),
                full_recovery=self.figure(t, keys + ("full_recovery",), days=True),
                picture=self.picture(t, keys, TREATMENT_PICTURES),
                **texts,
            )
        return result

    def picture(self, table: dict, keys: tuple[str, ...], known: tuple[str, ...]) -> str | None:
        """picture = "rolling": one of the diagrams handouts/render/pictures.py draws."""
        name = self.text(table, keys + ("picture",), required=False)
        if name is not None and name not in known:
            hint = difflib.get_close_matches(name, known, n=1)
            fix = f'did you mean "{hint[0]}"?' if hint else f"choose one of: {', '.join(known)}"
            self.problem(keys + ("picture",), f'is "{name}", which is not a picture; {fix}')
            return None
        return name

    def picture_labels(self, data: dict) -> dict[str, str]:
        table = self.table(data, ("pictures",), ("labels",))
        labels = self.table(table, ("pictures", "labels"), LABELS)
        return {key: self.text(labels, ("pictures", "labels", key)) or key for key in LABELS} if labels else {}

    def scars(self, data: dict, procedures: dict[str, Procedure]) -> dict[str, ScarType]:
        table = self.table(data, ("scars",))
        result = {}
        for sid in table:
            keys = ("scars", sid)
            if not _ID.match(sid):
                self.problem(keys, "has an id that is not lowercase letters, digits and dashes")
            t = self.table(table, keys, ("name", "source", "description", "procedures", "picture"))
            if not t:
                continue
            listed = self.get(t, keys + ("procedures",), list) or []
            for pid in listed:
                if pid not in procedures:
                    hint = difflib.get_close_matches(str(pid), procedures, n=1)
                    fix = f'did you mean "{hint[0]}"?' if hint else "add it under [procedures] or remove it"
                    self.problem(keys + ("procedures",), f'names unknown procedure "{pid}"; {fix}')
            source = self.text(t, keys + ("source",))
            result[sid] = ScarType(
                id=sid,
                name=self.text(t, keys + ("name",)),
                source=source and self.source(keys + ("source",), source),
                description=self.text(t, keys + ("description",), sourced=True),
                procedures=tuple(p for p in listed if p in procedures),
                picture=self.picture(t, keys, SCAR_PICTURES),
            )
        return result


MIN_CONTRAST = 4.5
# Longer text pushes the header or footer off the page (ReportLab's LayoutError).
CLINIC_LIMITS = {"name": 60, "address": 120, "phone": 30, "email": 80, "website": 80}
MAX_LOGO_SIDE = 4000  # pixels: the logo prints 44 pt wide, so this is over 2,000 dpi


def _undrawable(path: Path) -> str | None:
    """Why ReportLab cannot draw this image, if it cannot: Pillow's verify()
    passes some files whose image data is damaged."""
    from reportlab.pdfgen.canvas import Canvas

    try:
        canvas = Canvas(io.BytesIO())
        canvas.drawImage(str(path), 0, 0, 44, 44, preserveAspectRatio=True, mask="auto")
        canvas.save()
    except Exception as exc:  # ReportLab passes on whatever Pillow raises while decoding
        # ReportLab appends "identity=[ImageReader@0x...]": an address, no help to anyone.
        return " ".join(re.sub(r"identity=\[.*?\]", "", str(exc)).split()) or type(exc).__name__
    return None


def contrast_ratio(foreground: str, background: str) -> float:
    """The WCAG 2 contrast ratio of two #RRGGBB colours, from 1 to 21."""
    def luminance(colour: str) -> float:
        channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        r, g, b = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    light, dark = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def contrast_pairs(colours) -> list[tuple[str, str, str, str]]:
    """What is printed on what: (colour key, background, what the background is, how to fix a poor contrast).

    `colours` is a Colours or the dict of them being read."""
    get = colours.get if isinstance(colours, dict) else lambda key: getattr(colours, key)
    return [("text", "#FFFFFF", "white paper", "a darker text colour"),
            ("text", get("accent"), "the accent tint", "a darker text or a lighter accent colour"),
            ("primary", "#FFFFFF", "white paper (headings)", "a darker primary colour")]


class Locator:
    """Finds the line of a dotted key in TOML text (tomllib keeps no positions)."""

    _HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")

    def __init__(self, text: str):
        self.lines = text.splitlines()
        self.headers: dict[tuple[str, ...], int] = {}
        for number, line in enumerate(self.lines, 1):
            match = self._HEADER.match(line)
            if match:
                parts = tuple(p.strip().strip("\"'") for p in match[1].split("."))
                self.headers.setdefault(parts, number)

    def line(self, keys: tuple[str, ...], item: int = 0) -> int | None:
        """The key's line; with `item`, the line of that list item (one item a line)."""
        found = self._line(keys)
        if found and item and self.lines[found - 1].rstrip().endswith("["):
            lines = [n for n in range(found + 1, len(self.lines) + 1)
                     if self.lines[n - 1].strip() and not self.lines[n - 1].strip().startswith("#")]
            return lines[item - 1] if item <= len(lines) else found
        return found

    def _line(self, keys: tuple[str, ...]) -> int | None:
        for depth in range(len(keys), -1, -1):
            start = self.headers.get(keys[:depth]) if depth else 0
            if start is None:
                continue
            if depth < len(keys):
                found = self._key_line(start, keys[depth])
                if found:
                    return found
            return start or None
        return None

    def _key_line(self, start: int, key: str) -> int | None:
        pattern = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=")
        for number in range(start + 1, len(self.lines) + 1):
            line = self.lines[number - 1]
            if self._HEADER.match(line):
                return None
            if pattern.match(line):
                return number
        return None
