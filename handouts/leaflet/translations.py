"""A language's wording of content.toml: translations/<lang>.toml, beside it.

content.toml stays the one place for figures and sources. A translation file
has the same keys, holding text only, each entry with a fingerprint of the
English it translates (`english`), so an entry whose English has changed
since is found, and named, by `handouts check`:

    [translation]
    name = "Español"
    translator = "..."
    clinical_reviewer = ""   # empty: not yet clinically reviewed
    reviewed = ""            # the review's date, YYYY-MM-DD

    [procedures.subcision]
    what = { text = "Una forma de ...", english = "3f2a9c1b0d" }

Lists (summary, aftercare...) are lists of such entries, in the English order.
A missing entry prints in English until it is translated.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .content import CLINIC_LISTS, FIGURES
from .toml_lines import Locator
from .toml_problems import toml_problem
from ..errors import ContentError

FOLDER = "translations"
# Where content.toml holds words (rather than figures, ids or the clinic's details): table path -> keys
# ("*" is any id; None, every key of the table).
_WORDS: dict[tuple[str, ...], tuple[str, ...] | None] = {
    ("leaflet",): ("title", "intro", "approaches", "choosing"),
    ("pictures", "labels"): None,
    ("overall",): ("back_to_work", "full_recovery"),
    ("expectations",): ("summary", "points", "choices"),
    ("checklist",): ("skin", "items"),
    ("contact",): ("reasons",),
    ("scars", "*"): ("name", "description"),
    ("procedures", "*"): ("name", "what", "how", "suits", "after", *FIGURES, *CLINIC_LISTS),
}
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")

Key = tuple  # ("procedures", "subcision", "what") or ("expectations", "summary", 0)


def fingerprint(english: str) -> str:
    """What a translated entry records of the English it translates: spacing does not count."""
    return hashlib.sha256(" ".join(english.split()).encode()).hexdigest()[:10]


def numbers(text: str) -> list[str]:
    """The figures in a sentence, in order ("30 to 50 percent" -> ["30", "50"])."""
    return _NUMBER.findall(text)


def key_name(key: Key) -> str:
    """[procedures.subcision] what, or [expectations] summary 2: as a reader finds it in either file."""
    *table, last = [str(part + 1) if isinstance(part, int) else part for part in key]
    if isinstance(key[-1], int):
        *table, name = table
        return f"[{'.'.join(table)}] {name} {last}"
    return f"[{'.'.join(table)}] {last}"


def english_entries(data: dict) -> dict[Key, str]:
    """Every piece of wording content.toml's parsed `data` has: key -> its English text."""
    return {key: value for key, value in _walk(data, lambda value: _text_of(value)).items() if value}


def _text_of(value: object) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and isinstance(value.get("text"), str):
        return value["text"]
    return None


def _walk(data: dict, take) -> dict[Key, object]:
    found: dict[Key, object] = {}
    for table_path, keys in _WORDS.items():
        for prefix, table in _tables(data, table_path):
            for name, value in table.items():
                if keys is not None and name not in keys:
                    continue
                if isinstance(value, list):
                    found.update({(*prefix, name, i): take(item) for i, item in enumerate(value)})
                else:
                    found[(*prefix, name)] = take(value)
    return found


def _tables(data: dict, path: tuple[str, ...], prefix: tuple[str, ...] = ()):
    if not path:
        yield prefix, data
        return
    head, rest = path[0], path[1:]
    names = [n for n, v in data.items() if isinstance(v, dict)] if head == "*" else [head]
    for name in names:
        if isinstance(data.get(name), dict):
            yield from _tables(data[name], rest, (*prefix, name))


@dataclass(frozen=True)
class Entry:
    text: str
    english: str  # the fingerprint of the English it translates
    line: int | None

    def translates(self, english: str) -> bool:
        """Whether this is a translation of `english` as it is now, with exactly its figures."""
        return self.english == fingerprint(english) and numbers(self.text) == numbers(english)


@dataclass(frozen=True)
class Translation:
    """One translations/<lang>.toml, read."""

    path: Path
    language: str
    name: str
    translator: str
    reviewer: str
    reviewed: str
    entries: dict[Key, Entry] = field(default_factory=dict)
    problems: tuple[str, ...] = ()  # entries that are not {text, english}

    def apply(self, data: dict) -> dict:
        """content.toml's parsed `data` with this language's wording in place of the English.

        An entry translating English that has changed since, or whose figures are not the English one's, is
        left out: the English prints (and `handouts check` names the entry), never an old or wrong figure.
        """
        translated = copy.deepcopy(data)
        for key, english in english_entries(data).items():
            entry = self.entries.get(key)
            if entry is None or not entry.text.strip() or not entry.translates(english):
                continue
            *parents, last = key
            holder = translated
            for part in parents:
                holder = holder[part]
            if isinstance(holder[last], dict):
                holder[last]["text"] = entry.text
            else:
                holder[last] = entry.text
        return translated


def language_name(language: str) -> str:
    """"English (United Kingdom)", "español": a language's name in its own words (Babel's CLDR data)."""
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(language.replace("-", "_")).get_display_name() or language
    except (UnknownLocaleError, ValueError):
        return language


def plain_language_name(language: str, in_language: str | None = None) -> str:
    """"English", "Español" (in `in_language`: "Spanish"): a language's name without its region, capitalised as
    a heading or a label starts, in its own words unless `in_language` is given."""
    name = language_name_in(language, in_language or language)
    return name[:1].upper() + name[1:]


def language_name_in(language: str, in_language: str) -> str:
    """A language's name as a sentence in `in_language` writes it: "inglés" in Spanish, "Spanish" in English."""
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(language.replace("-", "_")).get_language_name(in_language.replace("-", "_")) or language
    except (UnknownLocaleError, ValueError):
        return language


@functools.cache
def reads_right_to_left(language: str) -> bool:
    """Whether a language is written right to left (Arabic, Hebrew...), by Babel's CLDR data."""
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(language.replace("-", "_")).character_order == "right-to-left"
    except (UnknownLocaleError, ValueError):
        return False


def translation_paths(content_path: Path) -> dict[str, Path]:
    """language tag -> its file, for every translations/<tag>.toml beside content.toml."""
    folder = Path(content_path).parent / FOLDER
    if not folder.is_dir():
        return {}
    return {path.stem: path for path in sorted(folder.glob("*.toml"))}


def read_translation(path: Path) -> Translation:
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except UnicodeDecodeError:
        raise ContentError([f"{path}: not UTF-8 text; save the file as UTF-8"]) from None
    except OSError as exc:
        raise ContentError([f"{path}: cannot be read: {exc.strerror or exc}"]) from None
    except tomllib.TOMLDecodeError as exc:
        raise ContentError([toml_problem(path, text, exc)]) from None
    about = data.get("translation", {}) if isinstance(data.get("translation"), dict) else {}
    locator = Locator(text)
    entries, problems = {}, []
    for key, value in _walk(data, lambda value: value).items():
        line = locator.line(tuple(str(k) for k in key if not isinstance(k, int)),
                            key[-1] + 1 if isinstance(key[-1], int) else 0)
        if not (isinstance(value, dict) and isinstance(value.get("text"), str)
                and isinstance(value.get("english"), str)):
            problems.append(f'{path}:{line}: {key_name(key)}: write it as {{ text = "...", english = "..." }}')
            continue
        entries[key] = Entry(value["text"], value["english"], line)
    return Translation(path, path.stem, str(about.get("name", path.stem)), str(about.get("translator", "")),
                       str(about.get("clinical_reviewer", "")), str(about.get("reviewed", "")), entries,
                       tuple(problems))
