"""What `handouts check` and `handouts languages` say of each translation: entries missing, entries whose
English changed since they were translated, numbers that differ from the English, the templates' catalogue
(missing, fuzzy and empty plural forms), the clinical review, and the reading level."""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .. import clock
from ..errors import ContentError, TemplateError
from .toml_lines import Locator
from .translations import (Translation, english_entries, fingerprint, key_name, language_name, numbers,
                           read_translation, translation_paths)
from .wording import catalogue_path, read_catalogue

# Readability formulas textstat 0.7.3 has for a language (Flesch-Kincaid is English only).
_FORMULAS = {"es": ("Fernández-Huerta", "fernandez_huerta")}


@dataclass
class LanguageCheck:
    language: str
    name: str = ""
    problems: list[str] = field(default_factory=list)  # the translation prints wrong or partly in English
    warnings: list[str] = field(default_factory=list)  # errors with --strict
    entries: int = 0  # content.toml's pieces of wording
    translated: int = 0  # of them, translated and up to date
    reading: str = "not measured"
    readable: bool = True  # the translation's file could be read at all

    def status(self) -> str:
        """One line for `handouts languages`."""
        if not self.readable:
            return "cannot be read, so no leaflet is made in it; see 'handouts check'"
        state = "ready" if not self.problems else f"{len(self.problems)} problem(s), see 'handouts check'"
        review = "not yet clinically reviewed" if any("clinically reviewed" in w for w in self.warnings) \
            else "clinically reviewed"
        return f"{self.translated} of {self.entries} entries; {review}; {state}"


def check_languages(content_path: Path, templates_dir: Path) -> list[LanguageCheck]:
    """Every translation beside content.toml, checked."""
    return [check_language(content_path, templates_dir, language) for language in translation_paths(content_path)]


def check_language(content_path: Path, templates_dir: Path, language: str, *, reading: bool = True) -> LanguageCheck:
    """One translation checked; its reading level measured unless not `reading` (textstat is slow to load)."""
    report = LanguageCheck(language, name=language_name(language))  # until its file names it
    path = translation_paths(content_path)[language]
    try:
        translation = read_translation(path)
        content_text = Path(content_path).read_text(encoding="utf-8")
        english = english_entries(tomllib.loads(content_text))
    except ContentError as exc:
        report.problems.extend(exc.problems)
        report.readable = False
        return report
    report.name = translation.name
    report.problems.extend(translation.problems)
    _entries(report, translation, english, Locator(content_text), Path(content_path))
    _catalogue(report, Path(templates_dir), language)
    if not translation.reviewer.strip():
        report.warnings.append(f"{path}: not yet clinically reviewed; once a clinician has checked it, add "
                               'clinical_reviewer = "NAME" and reviewed = YYYY-MM-DD under [translation]')
    elif (why := _review_date_problem(translation.reviewed)) is not None:
        report.warnings.append(f"{path}: not clinically reviewed as recorded: reviewed = {translation.reviewed!r} "
                               f"{why}; write the day {translation.reviewer} checked it as YYYY-MM-DD")
    if reading:
        report.reading = _reading(language, [entry.text for entry in translation.entries.values()])
    return report


def _review_date_problem(reviewed: str) -> str | None:
    """What is wrong with a translation's review date, or None: it is a real day, and not after today."""
    try:
        day = dt.date.fromisoformat(reviewed.strip())
    except ValueError:
        return "is not a date"
    return "is after today" if day > clock.today() else None


def _entries(report: LanguageCheck, translation: Translation, english: dict, locator: Locator,
             content_path: Path) -> None:
    path = translation.path
    report.entries = len(english)
    for key, text in english.items():
        entry = translation.entries.get(key)
        where = key_name(key)
        if entry is None or not entry.text.strip():
            report.problems.append(f'{path}: {where}: missing; it prints in English ("{_short(text)}"); add '
                                   f'{{ text = "...", english = "{fingerprint(text)}" }}')
            continue
        if entry.english != fingerprint(text):
            report.problems.append(f'{path}:{entry.line}: {where}: the English has changed since it was '
                                   f'translated; translate it again from "{_short(text)}" and set english = '
                                   f'"{fingerprint(text)}"')
            continue
        if numbers(entry.text) != numbers(text):
            line = locator.line(tuple(k for k in key if not isinstance(k, int)),
                                key[-1] + 1 if isinstance(key[-1], int) else 0)
            report.problems.append(
                f'{path}:{entry.line}: {where}: "{entry.text}" has the numbers {_listed(numbers(entry.text))}, '
                f'but the English at {content_path}:{line} "{text}" has {_listed(numbers(text))}; a translation '
                "carries the English figures exactly")
            continue
        report.translated += 1
    for key in translation.entries.keys() - english.keys():
        report.problems.append(f"{path}:{translation.entries[key].line}: {key_name(key)}: not in "
                               f"{content_path.name}; remove it")


def _catalogue(report: LanguageCheck, templates_dir: Path, language: str) -> None:
    """The templates' wording in the language: every sentence translated, no empty plural form, none fuzzy."""
    try:
        catalog = read_catalogue(templates_dir, language)
    except TemplateError as exc:
        report.problems.append(str(exc))
        return
    path = catalogue_path(templates_dir, language)
    for message in catalog:
        if not message.id:
            continue  # the header
        english = message.id if isinstance(message.id, str) else message.id[-1]
        forms = message.string if isinstance(message.string, (tuple, list)) else (message.string,)
        where = f"{path}:{message.lineno}"
        if not any(forms):
            report.problems.append(f'{where}: "{_short(english)}" is not translated; it prints in English')
        elif not all(forms):
            report.problems.append(f'{where}: "{_short(english)}" has an empty plural form; '
                                   f"{language} needs {catalog.num_plurals}, each written")
        elif message.fuzzy:
            report.problems.append(f'{where}: "{_short(english)}" is marked fuzzy (a guess): check it and '
                                   "remove the fuzzy flag")
        elif any(numbers(form) != numbers(english) for form in forms):
            report.problems.append(f'{where}: "{forms[0]}" has the numbers {_listed(numbers(forms[0]))}, but '
                                   f'the English "{english}" has {_listed(numbers(english))}')


def _reading(language: str, texts: list[str]) -> str:
    formula = _FORMULAS.get(language.lower().split("-")[0])
    if formula is None or not texts:
        return "not measured (no formula for this language)"
    import textstat

    textstat.set_lang(language.lower().split("-")[0])
    try:
        score = getattr(textstat, formula[1])(" ".join(texts))
    finally:
        textstat.set_lang("en_US")
    return f"{formula[0]} {score:.0f} (60 or above is easy to read)"


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 60 else text[:57] + "..."


def _listed(found: list[str]) -> str:
    return ", ".join(found) if found else "none"
