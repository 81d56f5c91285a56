"""`handouts check`: every problem in content.toml and the templates, at once."""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from dataclasses import asdict, dataclass, field
from pathlib import Path

from . import clock
from .errors import ContentError, HandoutsError
from .leaflet.audit import GRADE_LIMIT, Reading, audit
from .leaflet.choices import PatientChoices
from .leaflet.content_reader import load_content
from .leaflet.toml_lines import Locator
from .leaflet.translation_check import check_languages
from .leaflet.wording import Wording, long_date
from .make import compose_leaflet, draw_pdf


@dataclass
class Report:
    problems: list[str] = field(default_factory=list)  # errors: the content cannot be used as it is
    warnings: list[str] = field(default_factory=list)  # should be fixed; errors with --strict
    sections: list[Reading] = field(default_factory=list)  # reading level per procedure, section, template
    fields: list[Reading] = field(default_factory=list)
    sample: list[str] = field(default_factory=list)  # the clinic's details still the shipped sample's
    summary: str = ""
    languages: list[dict] = field(default_factory=list)  # each translation: language, name, status, reading

    def failed(self, strict: bool) -> bool:
        return bool(self.problems or (strict and self.warnings))

    def as_json(self) -> str:
        data = asdict(self)
        data["grade_limit"] = GRADE_LIMIT
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"

    def reading_table(self) -> str:
        width = max((len(r.field) for r in self.sections), default=0)
        lines = [f"Reading level (Flesch-Kincaid grade; aim for {GRADE_LIMIT:.0f} or below):"]
        lines += [f"  {r.field.ljust(width)}  {r.grade:>4.1f}{'  (too hard)' if r.grade > GRADE_LIMIT else ''}"
                  for r in self.sections]
        return "\n".join(lines)


def check_all(content_path: Path, templates_dir: Path, *, today: dt.date | None = None) -> Report:
    """Every problem and warning in the content and templates, and their reading levels."""
    report = Report()
    content = wording = None
    try:
        content = load_content(content_path)
    except ContentError as exc:
        report.problems.extend(exc.problems)
    try:
        wording = Wording(templates_dir)
    except HandoutsError as exc:
        report.problems.append(str(exc))
    if wording is not None:
        report.problems.extend(wording.check())
    if content is not None and wording is not None and not report.problems:
        report.problems.extend(_render_samples(content, wording))
        result = audit(content, wording, today=today)
        report.warnings, report.sections, report.fields = result.warnings, result.sections, result.fields
    for language in check_languages(content_path, templates_dir) if content is not None else ():
        report.problems.extend(language.problems)
        report.warnings.extend(language.warnings)
        report.languages.append(dict(language=language.language, name=language.name, status=language.status(),
                                     reading=language.reading))
    if content is not None:
        # Once the content can be used: then what still is the sample's, to change before giving it to patients.
        report.sample = [] if report.problems else sample_details(content)
        info = content.leaflet
        report.summary = (f"{content_path} and {templates_dir}: {len(content.procedures)} procedures, "
                          f"{len(content.scars)} scar types, content version {info.version}, "
                          f"next review due {long_date(info.next_review)}.")
    return report


SAMPLE_FIELDS = ("name", "phone", "email", "website")


def sample_details(content) -> list[str]:
    """A warning for each of the clinic's name, phone, email, website and logo still as handouts ships them."""
    from .folder import CONTENT, shipped

    try:
        folder = shipped()
        sample = tomllib.loads((folder / CONTENT).read_text(encoding="utf-8")).get("clinic", {})
    except (HandoutsError, OSError, tomllib.TOMLDecodeError):
        return []
    locate = Locator(content.path.read_text(encoding="utf-8"))
    where = lambda key: f"{content.path}:{locate.line(('clinic', key)) or 1}"  # noqa: E731
    warnings = [f"{where(key)}: clinic.{key} is still the sample's ({getattr(content.clinic, key)}); put the "
                "clinic's own there before giving leaflets to patients"
                for key in SAMPLE_FIELDS if getattr(content.clinic, key).strip() == str(sample.get(key, "")).strip()]
    logo, sample_logo = content.clinic.logo, folder / str(sample.get("logo", ""))
    try:
        same_logo = logo is not None and sample_logo.is_file() and logo.read_bytes() == sample_logo.read_bytes()
    except OSError:
        same_logo = False
    if same_logo:
        warnings.append(f"{where('logo')}: clinic.logo is still the sample's logo ({sample.get('logo')}); put the "
                        "clinic's own logo there (PNG or JPEG, ideally square)")
    return warnings


def _render_samples(content, wording) -> list[str]:
    """Draw one leaflet with everything chosen and one with nothing optional,
    so every branch of the template runs once."""
    today = clock.today()
    samples = [
        PatientChoices(name="Sample Patient", procedures=tuple(content.procedures), date=today,
                       scars=tuple(content.scars), clinician="Sample Clinician", note="A sample note.\n\nTwo.",
                       sessions=((next(iter(content.procedures)), "2 to 3"),),
                       appointment=dt.datetime.combine(today, dt.time(10, 30))),
        PatientChoices(name="Sample Patient", procedures=(next(iter(content.procedures)),), date=today),
    ]
    for choices in samples:
        try:
            draw_pdf(compose_leaflet(content, wording, choices))
        except HandoutsError as exc:
            return [str(exc)]
    return []
