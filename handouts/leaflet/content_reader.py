"""Loading and validating content.toml into Content (content.py).

Every problem is collected (not just the first) so `handouts check` can list
them all, each with the file, the line and the key it concerns.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import replace
from pathlib import Path

from . import letters
from .clinic_reader import ClinicReader
from .columns import ColumnError, check_target
from .content import CLINIC_LISTS, CLINIC_SOURCE, FIGURES, Content, LeafletInfo, Procedure, ScarType
from .pictures import LABELS, SCAR_PICTURES, TREATMENT_PICTURES
from .toml_fields import type_name
from .toml_problems import toml_problem
from .translations import read_translation, translation_paths
from ..errors import ContentError, FontError

_PROCEDURE_TEXT = ("name", "source", "what", "how", "suits")
_PROCEDURE_FIELDS = _PROCEDURE_TEXT + FIGURES + ("after", "works_on_skin", "picture") + CLINIC_LISTS
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")


def load_content(path: str | Path, *, for_print: bool = True, language: str | None = None) -> Content:
    """Read and validate a content file; raise ContentError listing every problem.

    for_print=False leaves out the checks that only printing and emailing need
    (letters the fonts lack, added fonts and the logo drawable, the clinic's
    email address), and with them ReportLab and email-validator, which take
    longer to load than the rest: for commands that only list the content.
    `language`, one of translations/, puts that language's wording in place of the English.
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
    translations = translation_paths(path)
    if language in translations:
        data = read_translation(translations[language]).apply(data)
    reader = ContentReader(path, text, for_print)
    content = reader.content(data)
    if reader.problems:
        raise ContentError(reader.problems)
    leaflet = replace(content.leaflet, language=language) if language in translations else content.leaflet
    return replace(content, leaflet=leaflet, languages=(content.leaflet.language, *translations))


class ContentReader(ClinicReader):
    """Walks the parsed TOML, building Content and recording problems."""

    extra_fonts: tuple[Path, ...] = ()  # [fonts] extra, once read

    def unprintable(self, text: str) -> str | None:
        return letters.problem(text, self.extra_fonts) if self.for_print else None

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

    def fonts(self, data: dict) -> tuple[Path, ...]:
        """[fonts] extra: TrueType files (beside content.toml) for letters DejaVu Sans lacks."""
        if "fonts" not in data:
            return ()
        keys = ("fonts", "extra")
        names = self.get(self.table(data, ("fonts",), ("extra",)), keys, list) or []
        found = []
        for index, name in enumerate(names, 1):
            if not isinstance(name, str):
                self.problem(keys, f"item {index} should be the name of a font file in quotes, not {type_name(name)}")
                continue
            path = (self.path.parent / name).resolve()
            if not path.is_file():
                self.problem(keys, f'item {index}: file "{name}" not found (looked in {path.parent})')
                continue
            try:
                if self.for_print:
                    letters.added_letters(path)
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
                self.problem(keys + (header,), f"should be a field in quotes, not {type_name(target)}")
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
