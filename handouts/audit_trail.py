"""Who did what with a patient's leaflet: made, downloaded, printed, emailed; and who signed in.

The rows are written by History (record_action), each leaflet's making among them;
this module reads them back for `handouts audit`, as a table, CSV (safe to
open in a spreadsheet, as the history's is) or JSON.
"""

from __future__ import annotations

import datetime as dt

from .history import History
from .history.report import format_rows
from .history.store import conditions
from .history.values import local_time

COLUMNS = ("at", "who", "action", "leaflet", "patient", "patient_id", "detail")

_ACTIONS = """
SELECT a.at, a.who, a.action, a.leaflet, coalesce(l.patient, '') AS patient, coalesce(l.patient_id, '') AS patient_id,
       a.detail
FROM audit a LEFT JOIN leaflets l ON l.id = a.leaflet WHERE 1 = 1
"""


def audit_rows(history: History, patient: str | None = None, since: dt.date | None = None) -> list[dict]:
    """Everything recorded, oldest first: of one patient (part of the name, or the exact id), or since a day."""
    condition, args = conditions(patient, since, "a.at")
    rows = history.db.execute(_ACTIONS + condition + " ORDER BY a.id", args).fetchall()
    return [{**dict(row), "at": local_time(row["at"]), "leaflet": row["leaflet"] or ""} for row in rows]


def format_audit(rows: list[dict], fmt: str) -> str:
    return format_rows(rows, fmt, columns=COLUMNS, shown=("at", "who", "action", "leaflet", "patient", "detail"),
                       empty="Nothing recorded.\n")
