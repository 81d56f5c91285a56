"""The history and the audit trail as staff and programs read them: an aligned table, CSV that is safe to
open in a spreadsheet, or JSON with every value exactly as recorded."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

# Every column of `handouts history --format csv`, in order; the table shows the few of SHOWN.
COLUMNS = ("made_at", "patient", "patient_id", "procedures", "scars", "sessions", "appointment", "clinician",
           "leaflet_date", "language", "bilingual", "content_version", "template_version", "made_by", "path", "sha256", "email",
           "email_status")
SHOWN = ("made_at", "patient", "patient_id", "leaflet_date", "procedures", "content_version", "email_status",
         "made_by", "path")
# A spreadsheet runs a cell that starts with one of these as a formula.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def format_history(rows: list[dict], fmt: str) -> str:
    """The leaflets made (History.query's rows) as an aligned table, CSV or JSON."""
    return format_rows(rows, fmt, columns=COLUMNS, shown=SHOWN, empty="No leaflets recorded.\n")


def format_rows(rows: list[dict], fmt: str, *, columns: tuple[str, ...], shown: tuple[str, ...], empty: str) -> str:
    """Rows as JSON (for programs), CSV of every one of `columns`, or a table of the `shown` ones (`empty`
    when there are none). Times in the table are shown to the minute, paths from the current folder."""
    if fmt == "json":
        return json.dumps(rows, indent=2, ensure_ascii=False) + "\n"
    if fmt == "csv":
        out = io.StringIO()
        # CRLF as RFC 4180 has it; it also makes the writer quote a cell holding a CR.
        writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore", lineterminator="\r\n")
        writer.writeheader()
        writer.writerows({column: spreadsheet_safe(row.get(column, "")) for column in columns} for row in rows)
        return out.getvalue()
    if not rows:
        return empty
    table = [[column.upper().replace("_", " ").replace(" STATUS", "") for column in shown]]
    table += [[_cell(column, row[column]) for column in shown] for row in rows]
    widths = [max(len(line[i]) for line in table) for i in range(len(shown))]
    return "".join("  ".join(cell.ljust(w) for cell, w in zip(line, widths)).rstrip() + "\n" for line in table)


def _cell(column: str, value) -> str:
    if column == "path":
        return near(value)
    if column in ("made_at", "at"):
        return str(value)[:16].replace("T", " ")
    return str(value)


def spreadsheet_safe(value) -> str:
    """A cell a spreadsheet shows as text, never runs: a leading quote, as spreadsheet-safe exports do."""
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def near(path: str) -> str:
    """A path relative to the current folder when it lies inside it."""
    try:
        return str(Path(path).relative_to(Path.cwd()))
    except ValueError:
        return path
