"""Reading an Excel workbook (.xlsx) as a patient list, without a CSV export in between.

A CSV saved by Excel in the wrong encoding loses the letters it cannot hold;
the workbook itself holds every name as typed. Its cells come as what they
hold: text, numbers, and dates and times as dates and times (never guessed
again from how they are shown). The sheet is streamed (openpyxl's read-only
mode), so a long list costs no more memory than a short one.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import HandoutsError

# Every .xlsx is a zip file; an old binary .xls is an OLE2 compound file.
XLSX_START = b"PK\x03\x04"
XLS_START = b"\xd0\xcf\x11\xe0"
# A number format that shows a time of day: hours or seconds outside quoted text ("mm" alone may be months).
_QUOTED = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')
_TIME_PART = re.compile(r"[hs]|am/pm", re.IGNORECASE)


class WorkbookError(HandoutsError):
    """The workbook, or the sheet asked for, cannot be read."""


@contextmanager
def _opened(path: Path):
    # Imported here: openpyxl takes a while to load, and only workbooks need it.
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    # Opened here and handed over open: openpyxl judges a file by its name's ending, and an upload has none.
    with path.open("rb") as handle:
        try:
            workbook = openpyxl.load_workbook(handle, read_only=True, data_only=True)
        except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError) as exc:
            raise WorkbookError(f"cannot be read as an Excel workbook ({exc}); open it in Excel and save it again "
                                "as an Excel Workbook (.xlsx)") from None
        try:
            yield workbook
        finally:
            workbook.close()


def sheet_name(path: Path, sheet: str | None) -> str:
    """The sheet to read: `sheet`, checked to be there, or the first."""
    with _opened(path) as workbook:
        names = workbook.sheetnames
    if sheet is None:
        return names[0]
    if sheet not in names:
        raise WorkbookError(f"has no sheet {sheet!r}; its sheets are {', '.join(repr(n) for n in names)}")
    return sheet


def sheet_rows(path: Path, sheet: str) -> Iterator[tuple[int, list[object]]]:
    """(row number as Excel shows it, cell values) for every row of the sheet, empty ones too."""
    with _opened(path) as workbook:
        for number, cells in enumerate(workbook[sheet].iter_rows(), 1):
            yield number, [_value(cell) for cell in cells]


def _value(cell) -> object:
    """What the cell holds: a date cell shown without a time is a date; a duration under a day, a time."""
    value = cell.value
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, dt.datetime) and not _TIME_PART.search(_QUOTED.sub("", cell.number_format or "")):
        return value.date()
    if isinstance(value, dt.timedelta) and dt.timedelta(0) <= value < dt.timedelta(days=1):
        return (dt.datetime.min + value).time()
    return value
