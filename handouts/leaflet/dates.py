"""Dates as staff write them: ISO always, and the content language's own order.

2026-12-03 always means 3 December 2026. A slashed date means what it means
where the clinic is: its content's language (content.toml, leaflet.language)
says whether the day or the month comes first. A British clinic (en-GB)
writes 03/12/2026, an American one (en-US) 12/03/2026. Where the language
does not settle it (plain "en", or Canada, which writes both), only ISO is
taken, so a date is never silently read the wrong way round.
"""

from __future__ import annotations

import datetime as dt
import re

_MONTHS = ("January", "February", "March", "April", "May", "June", "July",
           "August", "September", "October", "November", "December")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_SLASHED = re.compile(r"^(\d{1,2})([/.])(\d{1,2})\2(\d+)$")
_SLASHED_FORMS = {"day": ("DD/MM/YYYY", "03/12/2026"), "month": ("MM/DD/YYYY", "12/03/2026")}
_TIME = re.compile(r"^(\d{1,2})[:.h](\d{2})$")
_TIME_12 = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))? ?([ap])\.?m\.?$")
TIME_FORMS = "10:30, 10.30, 14h30, 2pm or 2:30pm"
# A time without am/pm before this hour could be morning or afternoon ("2:30"), so it is never guessed.
_EARLIEST_24H = 7


class DateProblem(ValueError):
    """Why a text is not a date; worded to follow the text itself."""


class DateOrder:
    """How one content language writes a date with slashes."""

    def __init__(self, language: str):
        self.language = language
        self.first = _first(language)

    @property
    def forms(self) -> str:
        """The accepted forms, with an example of each (3 December 2026)."""
        return self._forms("", "")

    @property
    def moment_forms(self) -> str:
        """The accepted forms of a date and time."""
        return self._forms(" HH:MM", " 10:30") + " (the time may be left out)"

    @property
    def pattern(self) -> str:
        """The form staff are shown first, for prompts and form hints."""
        return _SLASHED_FORMS[self.first][0] if self.first else "YYYY-MM-DD"

    def _forms(self, time: str, example_time: str) -> str:
        forms, examples = ["YYYY-MM-DD"], ["2026-12-03"]
        if self.first:
            form, example = _SLASHED_FORMS[self.first]
            forms.append(form)
            examples.append(example)
        return (" or ".join(f + time for f in forms) + ", for example "
                + " or ".join(e + example_time for e in examples))

    def show(self, value: dt.date) -> str:
        """`value` in the form staff write it here."""
        if self.first == "day":
            return value.strftime("%d/%m/%Y")
        if self.first == "month":
            return value.strftime("%m/%d/%Y")
        return value.isoformat()

    def date(self, text: str) -> dt.date:
        """A date in ISO or this language's slashed form; DateProblem otherwise."""
        text = text.strip()
        if match := _ISO.match(text):
            return _day(int(match[1]), int(match[2]), int(match[3]))
        match = _SLASHED.match(text)
        if not match:
            raise DateProblem("is not a date")
        if len(match[4]) != 4:
            raise DateProblem("is ambiguous: write the year in full")
        if self.first is None:
            raise DateProblem(f"is ambiguous: the content's language ({self.language}) does not say whether the day "
                              "or the month comes first")
        first, second, year = int(match[1]), int(match[3]), int(match[4])
        day, month = (first, second) if self.first == "day" else (second, first)
        if not 1 <= month <= 12 and 1 <= day <= 12:
            order = "day" if self.first == "day" else "month"
            raise DateProblem(f"is not a date: there is no month {month} (here the {order} comes first)")
        return _day(year, month, day)

    def moment(self, text: str) -> dt.datetime | dt.date:
        """A date with an optional 24-hour time after it ("03/12/2026 10:30")."""
        text = " ".join(text.replace("T", " ").split())
        day_text, _, time_text = text.partition(" ")
        day = self.date(day_text)
        if not time_text:
            return day
        return dt.datetime.combine(day, clock_time(time_text))


def clock_time(text: str) -> dt.time:
    """A time of day as people write it: 10:30, 10.30, 14h30, 2pm, 2 pm, 2:30pm, 2.30 p.m.

    Without am/pm a time is on the 24-hour clock; one before 07:00 ("2:30") is refused as ambiguous,
    since clinics see few patients at half past two in the morning and many at half past two in the
    afternoon."""
    typed = " ".join(text.split())
    if match := _TIME_12.match(typed.lower()):
        hour, minute = int(match[1]), int(match[2] or 0)
        if 1 <= hour <= 12 and minute <= 59:
            return dt.time(hour % 12 + (12 if match[3] == "p" else 0), minute)
    elif match := _TIME.match(typed.lower()):
        hour, minute = int(match[1]), int(match[2])
        if hour < _EARLIEST_24H and minute <= 59:
            raise DateProblem(f"is ambiguous: {typed} may be in the morning or the afternoon; write "
                              f"{hour}:{minute:02d}am or {hour}:{minute:02d}pm (a time may be written {TIME_FORMS})")
        if hour <= 23 and minute <= 59:
            return dt.time(hour, minute)
    raise DateProblem(f"has no time of day such as 10:30 after the date ('{typed}' is not one)")

def _first(language: str) -> str | None:
    """'day' or 'month': which comes first in a slashed date; None where the language leaves it open."""
    parts = language.replace("_", "-").split("-")
    region = next((part.upper() for part in parts[1:] if len(part) == 2 and part.isalpha()), "")
    if region == "US":
        return "month"
    if region == "CA" or (parts[0].lower() == "en" and not region):
        return None
    return "day"


def _day(year: int, month: int, day: int) -> dt.date:
    if year < 1:
        raise DateProblem("is not a date: there is no year 0")
    if not 1 <= month <= 12:
        raise DateProblem(f"is not a date: there is no month {month}")
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise DateProblem(f"is not a date: {_MONTHS[month - 1]} {year} has no day {day}") from None
