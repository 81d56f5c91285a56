"""Making leaflets: what `make` and every `batch` worker share."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from dataclasses import dataclass, replace
from pathlib import Path

from reportlab.platypus.doctemplate import LayoutError

from . import __version__
from .leaflet.choices import PatientChoices
from .leaflet.compose import Leaflet, compose
from .leaflet.content import Content
from .leaflet.content_reader import load_content
from .leaflet.translations import language_name, language_name_in, read_translation, translation_paths
from .errors import HandoutsError, OutputExistsError, TemplateError
from .history import History, Record
from .folder import OUTPUT
from .output import check_writable, default_path, numbered_names
from .render.html import render_html
from .render.pdf import render_pdf
from .leaflet.wording import LEAFLET_TEMPLATE, Wording

DEFAULT_OUTPUT_DIR = Path(OUTPUT)


def draw_pdf(*parts: Leaflet, invariant: bool = False) -> bytes:
    """render_pdf() of a leaflet (or of the parts of a bilingual one), with ReportLab's LayoutError (a block
    taller than the room on a page: it cannot split) said in words."""
    try:
        return render_pdf(*parts, invariant=invariant)
    except LayoutError as exc:
        part = "the recovery chart" if "RecoveryChart" in str(exc) else "one part of it"
        raise HandoutsError(f"the leaflet cannot be laid out: {part} is taller than the room between the header "
                            "and the footer; choose fewer procedures, leave out large print, or shorten the "
                            "clinic's details in the content") from None


# What --format can ask for, and the renderer of each: one composed leaflet, many forms.
RENDERERS = {"pdf": draw_pdf, "html": lambda *parts, invariant: render_html(*parts).encode("utf-8")}


@dataclass(frozen=True)
class MakerSource:
    """What a Maker is loaded from: all a worker process needs to load the same one."""
    content_path: Path
    templates_dir: Path
    invariant: bool = False

    def load(self) -> Maker:
        return Maker(self.content_path, self.templates_dir, invariant=self.invariant)


class Maker:
    """Content and wording loaded once, with fingerprints of both.

    The fingerprints go into the history, and into the key that tells a
    batch whether a leaflet on disk is still up to date.
    """

    def __init__(self, content_path: str | Path, templates_dir: str | Path, *, invariant: bool = False):
        self.source = MakerSource(Path(content_path), Path(templates_dir), invariant)
        self.content = load_content(content_path)
        # The templates are in the content's own language, their words as written (dates in English words):
        # only a translation looks its sentences up in a catalogue.
        self.wording = Wording(templates_dir)
        self._languages = {self.content.leaflet.language: (self.content, self.wording)}
        self.invariant = invariant
        logo = self.content.clinic.logo
        self.content_hash = _digest([Path(content_path).read_bytes(), logo.read_bytes() if logo else b"",
                                     *(font.read_bytes() for font in self.content.extra_fonts),
                                     *(path.read_bytes() for path in translation_paths(content_path).values())])
        self.template_version = _digest(
            [p.relative_to(self.wording.folder).as_posix().encode() + b"\0" + _read_template(p)
             for p in sorted(self.wording.folder.rglob("*")) if p.is_file()])[:12]

    def in_language(self, language: str) -> tuple[Content, Wording]:
        """The content and wording in `language` (one of content.languages; "" for the leaflet's own),
        each loaded once."""
        language = language or self.content.leaflet.language
        if language not in self._languages:
            self._languages[language] = (load_content(self.source.content_path, language=language),
                                         Wording(self.source.templates_dir, language))
        return self._languages[language]

    @functools.cached_property
    def language_names(self) -> dict[str, str]:
        """Each language the leaflets can be made in (the content's own first) -> its name in that language; read
        once (the form shows them on every page, and a changed translation loads a new Maker)."""
        own = self.content.leaflet.language
        translations = translation_paths(self.source.content_path)
        return {own: language_name(own), **{tag: read_translation(path).name for tag, path in translations.items()}}

    def render(self, choices: PatientChoices, formats: tuple[str, ...] = ("pdf",)) -> dict[str, bytes]:
        """The leaflet in each of `formats` ("pdf", "html"), composed once."""
        parts = self.compose_parts(choices)
        return {fmt: RENDERERS[fmt](*parts, invariant=self.invariant) for fmt in formats}

    def compose_parts(self, choices: PatientChoices) -> tuple[Leaflet, ...]:
        """The leaflet in the patient's language; when bilingual, then in the content's own, which points to
        the first part's checklist rather than print a second one to tick."""
        leaflet = compose_leaflet(*self.in_language(choices.language), choices)
        if not choices.bilingual:
            return (leaflet,)
        own = self.content.leaflet.language
        return leaflet, compose_leaflet(self.content, self.wording, replace(choices, language=own, bilingual=False),
                                        checklist_in=language_name_in(choices.language, own))

    def record(self, choices: PatientChoices, patient_id: str = "", email: str = "") -> Record:
        sessions = ";".join(f"{pid}={count}" for pid, count in choices.sessions)
        appointment = _appointment_text(choices.appointment)
        inputs = json.dumps([__version__, self.content_hash, self.template_version, patient_id, choices.name,
                             choices.procedures, choices.scars, choices.clinician, choices.date.isoformat(),
                             choices.note, choices.paper, choices.large_print, sessions, appointment,
                             *([choices.language] if choices.language != self.content.leaflet.language else []),
                             *(["bilingual"] if choices.bilingual else [])])
        return Record(
            patient=choices.name,
            patient_id=patient_id,
            procedures=";".join(choices.procedures),
            scars=";".join(choices.scars),
            clinician=choices.clinician or "",
            leaflet_date=choices.date.isoformat(),
            content_version=self.content.leaflet.version,
            template_version=self.template_version,
            inputs=hashlib.sha256(inputs.encode()).hexdigest(),
            email=email,
            sessions=sessions,
            appointment=appointment,
            language=choices.language or self.content.leaflet.language,
            bilingual="yes" if choices.bilingual else "",
        )


def compose_leaflet(content: Content, wording: Wording, choices: PatientChoices, *, checklist_in: str = "") -> Leaflet:
    """compose(), refusing wording that makes an empty leaflet (a PDF of no pages)."""
    leaflet = compose(content, wording, choices, checklist_in=checklist_in)
    if not leaflet.document.blocks:
        raise TemplateError(f"{wording.source_name(LEAFLET_TEMPLATE)}: the leaflet is empty: the template makes no "
                            "heading, paragraph or list; restore its wording from the shipped templates")
    return leaflet


def make_leaflet(maker: Maker, choices: PatientChoices, history: History, output: Path | None = None,
                 *, force: bool = False, email: str = "", formats: tuple[str, ...] = ("pdf",)) -> list[Path]:
    """Draw, write and record one leaflet in each format; return the paths written.

    `output` may be a file, a folder (the default name goes inside it) or
    None for output/<date>-<name>.pdf; other formats go beside it (.html).
    """
    output = target(choices, output)
    paths = {fmt: output.with_suffix(f".{fmt}") for fmt in formats}
    if not force:
        for path in paths.values():
            if path.exists():
                raise OutputExistsError(path)
    check_writable(output, "choose another --output")
    write_formats(history, paths, maker.render(choices, formats), maker.record(choices, email=email), overwrite=force)
    return list(paths.values())


def target(choices: PatientChoices, output: Path | None = None) -> Path:
    """The file `make_leaflet` writes: `output`, or the default name inside `output` (a folder) or output/."""
    if output is None or output.is_dir():
        return default_path(output or DEFAULT_OUTPUT_DIR, choices.date, choices.name)
    return output


def numbered(path: Path, formats: tuple[str, ...] = ("pdf",)) -> Path:
    """`path`, or the first of path-2, path-3... whose file in every format is free."""
    return next(name for name in numbered_names(path)
                if not any(name.with_suffix(f".{fmt}").exists() for fmt in formats))


def write_new(history: History, path: Path, rendered: dict[str, bytes], record: Record) -> dict[str, Path]:
    """Write and record a leaflet at `path`, or under the next free name if that is taken: for callers
    that cannot ask (the web page, the API), so nobody's file is replaced and no request fails for a name."""
    for _ in range(1000):
        paths = {fmt: numbered(path, tuple(rendered)).with_suffix(f".{fmt}") for fmt in rendered}
        try:
            write_formats(history, paths, rendered, record, overwrite=False)
            return paths
        except OutputExistsError:
            continue  # another program took the name since it was found free
    raise OutputExistsError(path)


def write_formats(history: History, paths: dict[str, Path], rendered: dict[str, bytes], record: Record,
                  *, overwrite: bool) -> None:
    """Write and record each format of one leaflet.

    Only the first file carries the email address: it is the one `send`
    finds, and the other formats go with it as attachments, in one message.
    """
    for index, (fmt, data) in enumerate(rendered.items()):
        history.write_leaflet(paths[fmt], data, record if index == 0 else replace(record, email=""),
                              overwrite=overwrite)


def _appointment_text(appointment: dt.date | None) -> str:
    if isinstance(appointment, dt.datetime):
        return appointment.strftime("%Y-%m-%d %H:%M")
    return appointment.isoformat() if appointment else ""


def _read_template(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise TemplateError(f"{path}: cannot be read: {exc.strerror or exc}") from None


def _digest(parts: list[bytes]) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(len(part).to_bytes(8, "big") + part)
    return digest.hexdigest()
