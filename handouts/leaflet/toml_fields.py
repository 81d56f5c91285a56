"""Reading a parsed TOML file field by field: each value of the type asked for, or a problem recorded
that names the file, the line and the key, so every problem is found in one run (not just the first)."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from pathlib import Path
from typing import Any

from .content import CLINIC_SOURCE, DayRange, Figure, Text
from .toml_lines import Locator

# Sane bounds, so a slip of the keyboard cannot hang or break a leaflet.
MAX_DAYS = 365
MAX_TEXT = 1_000
MAX_ITEMS = 30
_FIGURE_IN_TEXT = re.compile(r"\d[\d.,]*%?")
_SOURCE_HELP = '(source: an id from [leaflet.sources], or "clinic" for the clinic\'s own figure)'


def _item(number: int) -> str:
    """How a problem names a list item, when it is one."""
    return f"item {number} " if number else ""


def type_name(value: Any) -> str:
    """How a problem names the type of a value found."""
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


class FieldReader:
    """Reads typed fields out of parsed TOML, recording a problem for each one that is missing or wrong."""

    def __init__(self, path: Path, text: str, for_print: bool = True):
        self.path, self.for_print = path, for_print
        self.problems: list[str] = []
        self.sources: dict[str, str] = {}
        self._locator = Locator(text)

    def problem(self, keys: tuple[str, ...], message: str, item: int = 0) -> None:
        line = self._locator.line(keys, item)
        where = f"{self.path}:{line}" if line else str(self.path)
        self.problems.append(f"{where}: {'.'.join(keys)} {message}")

    def unprintable(self, text: str) -> str | None:
        """Why `text` cannot be printed (letters no font has), if it cannot: the content reader knows the fonts."""
        return None

    # -- typed fields ---------------------------------------------------

    def get(self, table: dict, keys: tuple[str, ...], kind: type, required: bool = True) -> Any:
        value = table.get(keys[-1])
        expected = "text in quotes" if kind is str else type_name(kind())
        if value is None:
            if required:
                self.problem(keys, f"is missing; add it as {expected}")
            return None
        if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
            self.problem(keys, f"should be {expected}, not {type_name(value)}")
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
        why = self.unprintable(value)
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
                self.problem(keys, f"{_item(index)}should be text, not {type_name(item_value)}", index)
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
                self.problem(keys, f"text should be in quotes, not {type_name(value['text'])}")
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
            self.problem(keys, f"should be a date like 2026-11-21 (no quotes), not {type_name(value)}")
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
