"""Is the content still fit for patients? Reading level and review dates.

Reading level is the Flesch-Kincaid grade (textstat), measured for every
content field and for the fixed wording of every template, and summed up per
procedure and per section. Patient leaflets aim for grade 8 or below.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass
from pathlib import Path

from .. import clock
from .content import CLINIC_LISTS, EXPECTED_LISTS, FIGURES, Content
from .toml_lines import Locator
from .wording import Wording, long_date

GRADE_LIMIT = 8.0
# Fewer words than this give no meaningful grade ("Fillers", "Phone").
_MIN_WORDS = 6


@dataclass(frozen=True)
class Reading:
    where: str  # "content.toml:57" or "templates/leaflet.html.j2"
    field: str  # "procedures.subcision.how" or a section name
    grade: float
    words: int


@dataclass
class Audit:
    fields: list[Reading]  # every field measured
    sections: list[Reading]  # per procedure, per section, per template
    warnings: list[str]


def audit(content: Content, wording: Wording, *, today: dt.date | None = None) -> Audit:
    locate = Locator(content.path.read_text(encoding="utf-8"))
    fields, sections = [], []
    for section, texts in _content_sections(content):
        measured = [_reading(f"{content.path}:{locate.line(key) or 1}", ".".join(key), text) for key, text in texts]
        fields += [r for r in measured if r]
        whole = _reading(str(content.path), section, " ".join(_sentence(text) for _, text in texts))
        sections += [whole] if whole else []
    for name in sorted(wording.env.list_templates(extensions=["j2"])):
        reading = _reading(wording.source_name(name), name, template_text(wording, name))
        if reading:
            fields.append(reading)
            sections.append(reading)
    warnings = [f"{r.where}: {r.field} reads at grade {r.grade:.1f}; aim for {GRADE_LIMIT:.0f} or below "
                "(shorter sentences, shorter words)" for r in fields if r.grade > GRADE_LIMIT]
    warnings += missing_lists(content, locate)
    overdue = review_warning(content, today or clock.today())
    if overdue:
        warnings.append(f"{content.path}:{locate.line(('leaflet', 'next_review'))}: {overdue}")
    return Audit(fields, sections, warnings)


def missing_lists(content: Content, locate: Locator) -> list[str]:
    """One warning per procedure that lacks the clinic's risks, aftercare or
    warning signs: the leaflet then prints questions to ask instead."""
    warnings = []
    for p in content.procedures.values():
        missing = [name for name in EXPECTED_LISTS if not getattr(p, name)]
        if missing:
            names = ", ".join(missing[:-1]) + (" and " if len(missing) > 1 else "") + missing[-1]
            warnings.append(f"{content.path}:{locate.line(('procedures', p.id)) or 1}: procedures.{p.id} has no "
                            f"{names} from the clinic; the leaflet asks the patient to ask about them instead "
                            "(add them in the clinic's own words: see the example in content.toml)")
    return warnings


def review_warning(content: Content, today: dt.date) -> str:
    """What to say when the content is past its review date, else ''."""
    info = content.leaflet
    if today <= info.next_review:
        return ""
    return (f"content version {info.version} was due for review on {long_date(info.next_review)}; "
            "review it with a clinician, then update leaflet.last_reviewed and next_review")


def template_text(wording: Wording, name: str) -> str:
    """The fixed wording of a template: its text without Jinja code or HTML tags."""
    source = Path(wording.source_name(name)).read_text(encoding="utf-8")
    data = " ".join(value for _, kind, value in wording.env.lex(source) if kind == "data")
    data = re.sub(r"<(style|script|head)\b.*?</\1>", " ", data, flags=re.S | re.I)
    return " ".join(html.unescape(re.sub(r"<[^>]*>", " ", data)).split())


def _content_sections(content: Content) -> list[tuple[str, list[tuple[tuple[str, ...], str]]]]:
    """(section name, [(TOML key, text)]) for everything a patient reads."""
    def items(key, texts):
        return [((*key, str(i)), text) for i, text in enumerate(texts)]

    sections = [
        ("introduction", [(("leaflet", "intro"), content.leaflet.intro),
                          (("leaflet", "approaches"), content.leaflet.approaches)]),
        ("expectations", items(("expectations", "summary"), content.summary)
         + items(("expectations", "points"), content.expectations)
         + items(("expectations", "choices"), content.choices)),
        ("checklist", items(("checklist", "skin"), content.checklist_skin) + items(("checklist", "items"), content.checklist)),
        ("contact", items(("contact", "reasons"), content.contact_reasons)),
        ("scar types", [(("scars", s.id, "description"), s.description) for s in content.scars.values()]),
    ]
    for p in content.procedures.values():
        key = ("procedures", p.id)
        texts = [((*key, name), getattr(p, name)) for name in ("what", "how", "suits", "after") if getattr(p, name)]
        texts += [((*key, name), getattr(p, name).text) for name in FIGURES if getattr(p, name) and getattr(p, name).text]
        for name in CLINIC_LISTS:
            texts += items((*key, name), getattr(p, name))
        sections.append((f"procedure {p.id}", texts))
    return sections


def _sentence(text: str) -> str:
    """List items are often fragments; end each so items are not read as one long sentence."""
    text = text.strip()
    return text if text[-1:] in ".!?:" else text + "."


def _textstat():
    """textstat, loaded when first needed (a fifth of a second: only `check` needs it).

    textstat 0.7.3 imports pkg_resources (setuptools, a dependency for that reason: pipx's venvs and those
    of Python 3.12+ have none), whose later releases warn on import; the warning is for textstat's authors,
    not for a clinic running `check`."""
    import warnings

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="pkg_resources is deprecated", category=UserWarning)
        import textstat
    return textstat


def _reading(where: str, field: str, text: str) -> Reading | None:
    words = len(text.split())
    if words < _MIN_WORDS:
        return None
    return Reading(where, field, round(_textstat().flesch_kincaid_grade(text), 1), words)
