"""Reading a patient list as spreadsheets really export it.

UTF-8 with or without a byte-order mark, Windows-1252, CRLF line ends,
quoted fields holding commas and line breaks, and ";" or tab as the
delimiter (European Excel). Row numbers match the spreadsheet: the header is
row 1, the first patient row 2.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import HandoutsError

REQUIRED = ("patient", "procedures")
OPTIONAL = ("patient_id", "clinician", "date", "scars", "note", "email", "paper", "large_print", "dob",
            "pdf_password", "sessions", "appointment")
COLUMNS = REQUIRED + OPTIONAL
_DELIMITERS = (",", ";", "\t")


class PatientListError(HandoutsError):
    """The file as a whole cannot be read as a patient list."""


@dataclass(frozen=True)
class Row:
    number: int  # spreadsheet row, header = 1
    values: dict[str, str]

    def get(self, column: str) -> str:
        return self.values.get(column, "")

    def items(self, column: str) -> list[str]:
        """A ';'-separated cell as a list (',' works too inside a ';' file)."""
        return [part for part in re.split(r"[;,]", self.get(column)) if part.strip()]


@dataclass
class PatientList:
    path: Path
    rows: list[Row]
    encoding: str
    warnings: list[str] = field(default_factory=list)


def read_patients(path: str | Path, encoding: str | None = None) -> PatientList:
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise PatientListError(f"{path}: file not found") from None
    except OSError as exc:
        raise PatientListError(f"{path}: cannot be read: {exc.strerror}") from None
    text, encoding = _decode(path, raw, encoding)
    if not text.strip():
        raise PatientListError(f"{path}: the file is empty; it needs a header row (patient, procedures, ...) "
                               "and one row per patient")
    delimiter, header = _header(path, text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    next(reader)
    unknown = [name for name in header if name and name not in COLUMNS]
    warnings = []
    if unknown:
        warnings.append(f"{path}: ignoring unknown column{'s' if len(unknown) > 1 else ''} "
                        f"{', '.join(repr(u) for u in unknown)}; known columns: {', '.join(COLUMNS)}")
    rows = []
    try:
        for number, cells in enumerate(reader, 2):
            if not any(cell.strip() for cell in cells):
                continue  # blank lines that spreadsheets leave at the end
            values = {name: cell.strip() for name, cell in zip(header, cells) if name in COLUMNS}
            rows.append(Row(number, values))
    except csv.Error as exc:
        raise PatientListError(f"{path}: row {reader.line_num}: {exc}; check the quotes in that row") from None
    if not rows:
        raise PatientListError(f"{path}: has a header row but no patients")
    return PatientList(path, rows, encoding, warnings)


def _decode(path: Path, raw: bytes, encoding: str | None) -> tuple[str, str]:
    if b"\x00" in raw[:4096] or raw.startswith(b"%PDF"):
        kind = "a PDF" if raw.startswith(b"%PDF") else "a binary file"
        raise PatientListError(f"{path}: this is {kind}, not a CSV file; export the spreadsheet as CSV")
    if encoding:
        try:
            return raw.decode(encoding), encoding
        except LookupError:
            raise PatientListError(f"{encoding!r} is not an encoding Python knows; try utf-8 or cp1252") from None
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            raise PatientListError(f"{path}: line {line} is not valid {encoding}; check --encoding") from None
    try:
        return raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        # Older Excel on Windows saves CSV as Windows-1252.
        return raw.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise PatientListError(f"{path}: line {line} is neither UTF-8 nor Windows-1252 text; "
                               "save the file as CSV UTF-8, or name its encoding with --encoding") from None


def _header(path: Path, text: str) -> tuple[str, list[str]]:
    """The delimiter that makes the first row name a 'patient' column."""
    first_line = text.splitlines()[0]
    for delimiter in sorted(_DELIMITERS, key=first_line.count, reverse=True):
        header = [_column(name) for name in next(csv.reader([first_line], delimiter=delimiter))]
        if "patient" in header:
            missing = [c for c in REQUIRED if c not in header]
            if missing:
                raise PatientListError(
                    f"{path}: no {missing[0]!r} column; the header row must name "
                    f"{' and '.join(REQUIRED)} (found: {', '.join(h for h in header if h)})")
            duplicated = sorted({h for h in header if h and header.count(h) > 1})
            if duplicated:
                raise PatientListError(f"{path}: the column {duplicated[0]!r} appears twice in the header row")
            return delimiter, header
    raise PatientListError(
        f"{path}: the first row must be a header naming the columns, at least "
        f"{' and '.join(REQUIRED)} (found: {first_line[:60]!r})")


def _column(name: str) -> str:
    """' Patient ID ' -> 'patient_id'."""
    return "_".join(name.strip().lower().replace("-", " ").split())
