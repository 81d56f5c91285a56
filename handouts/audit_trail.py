"""Who did what with a patient's leaflet: made, downloaded, printed, emailed; and who signed in.

The rows are written by History (record_action), each leaflet's making among them;
this module reads them back for `handouts audit`, as a table, CSV (safe to
open in a spreadsheet, as the history's is) or JSON.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

from .history import History, conditions, local_time, spreadsheet_safe

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
    if fmt == "json":
        return json.dumps(rows, indent=2, ensure_ascii=False) + "\n"
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\r\n")
        writer.writeheader()
        writer.writerows({column: spreadsheet_safe(row[column]) for column in COLUMNS} for row in rows)
        return out.getvalue()
    if not rows:
        return "Nothing recorded.\n"
    shown = ("at", "who", "action", "leaflet", "patient", "detail")
    table = [[column.upper() for column in shown]]
    table += [[str(row[c])[:16].replace("T", " ") if c == "at" else str(row[c]) for c in shown] for row in rows]
    widths = [max(len(line[i]) for line in table) for i in range(len(shown))]
    return "".join("  ".join(cell.ljust(w) for cell, w in zip(line, widths)).rstrip() + "\n" for line in table)
