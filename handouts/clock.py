"""Today's date and the time now, read in this one place.

Leaflets are dated, appointments judged and reviews called overdue against
"today"; the history and emails stamp "now". Everything asks this module,
so the tests fix the day for every process they start by setting
HANDOUTS_TODAY=YYYY-MM-DD (the time of day still runs). Unset, as in a
clinic, it is the computer's own clock.
"""

from __future__ import annotations

import datetime as dt
import os

from .errors import HandoutsError

VARIABLE = "HANDOUTS_TODAY"


def today() -> dt.date:
    fixed = os.environ.get(VARIABLE, "").strip()
    if not fixed:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(fixed)
    except ValueError:
        raise HandoutsError(f"{VARIABLE}={fixed!r} is not a date; write it as YYYY-MM-DD, or unset it to use "
                            "this computer's clock") from None


def now() -> dt.datetime:
    """The local time now, aware of its zone, on today()'s date."""
    moment = dt.datetime.now().astimezone()
    day = today()
    return moment if day == moment.date() else dt.datetime.combine(day, moment.timetz())
