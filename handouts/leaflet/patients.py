"""Reading a patient list as spreadsheets really export it.

UTF-8 with or without a byte-order mark, Excel's "Unicode text" (UTF-16
with a byte-order mark, tab-separated), Windows-1252, CRLF or old Mac CR
line ends, quoted fields holding commas and line breaks, and ";" or tab as
the delimiter (European Excel). Row numbers match the spreadsheet: the
header is row 1, the first patient row 2.

The list is streamed, never held whole: one pass checks the encoding, and
`PatientList.rows()` reads the rows one at a time, so 100,000 rows cost no
more memory than ten.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import HandoutsError

REQUIRED = ("patient", "procedures")
OPTIONAL = ("patient_id", "clinician", "date", "scars", "note", "email", "paper", "large_print", "dob",
            "pdf_password", "sessions", "appointment")
COLUMNS = REQUIRED + OPTIONAL
_DELIMITERS = (",", ";", "\t")
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_CHUNK = 1 << 20


class PatientListError(HandoutsError):
    """The file as a whole cannot be read as a patient list."""


@dataclass(frozen=True)
class Row:
    number: int  # spreadsheet row, header = 1
    values: dict[str, str]

    def get(self, column: str) -> str:
        return self.values.get(column, "")


@dataclass
class PatientList:
    path: Path
    encoding: str
    delimiter: str
    header: list[str]
    warnings: list[str] = field(default_factory=list)

    def rows(self) -> Iterator[Row]:
        """Every patient row, read from the file as it is needed."""
        path, count = self.path, 0
        try:
            with _open_text(path, self.encoding) as text:
                reader = csv.reader(text, delimiter=self.delimiter)
                next(reader)
                for number, cells in enumerate(reader, 2):
                    if not any(cell.strip() for cell in cells):
                        continue  # blank lines that spreadsheets leave at the end
                    count += 1
                    yield Row(number, {name: cell.strip() for name, cell in zip(self.header, cells)
                                       if name in COLUMNS})
        except csv.Error as exc:
            raise PatientListError(f"{path}: row {reader.line_num}: {exc}; check the quotes in that row") from None
        except UnicodeDecodeError:
            raise PatientListError(f"{path}: changed while it was being read; run the batch again") from None
        except OSError as exc:
            raise PatientListError(f"{path}: cannot be read: {exc.strerror or exc}") from None
        if not count:
            raise PatientListError(f"{path}: has a header row but no patients")


def read_patients(path: str | Path, encoding: str | None = None) -> PatientList:
    """The list's encoding, delimiter and header; its rows are read later, by `rows()`."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            start = handle.read(4096)
        encoding = _encoding(path, start, encoding)
        with _open_text(path, encoding) as text:
            first_line = text.readline()
            if not first_line.strip() and not any(line.strip() for line in text):
                raise PatientListError(f"{path}: the file is empty; it needs a header row (patient, procedures, "
                                       "...) and one row per patient")
    except FileNotFoundError:
        raise PatientListError(f"{path}: file not found") from None
    except OSError as exc:
        raise PatientListError(f"{path}: cannot be read: {exc.strerror or exc}") from None
    # A byte-order mark that --encoding left in is not part of the first column's name.
    delimiter, header = _header(path, first_line.lstrip("\ufeff").rstrip("\r\n"))
    unknown = [name for name in header if name and name not in COLUMNS]
    warnings = []
    if unknown:
        warnings.append(f"{path}: ignoring unknown column{'s' if len(unknown) > 1 else ''} "
                        f"{', '.join(repr(u) for u in unknown)}; known columns: {', '.join(COLUMNS)}")
    return PatientList(path, encoding, delimiter, header, warnings)


def _open_text(path: Path, encoding: str) -> io.TextIOWrapper:
    # newline="" keeps line breaks inside quoted cells for the csv module.
    return open(path, encoding=encoding, newline="")


def _encoding(path: Path, start: bytes, given: str | None) -> str:
    """The encoding to read the file with, checked over the whole file."""
    if start.startswith(b"%PDF"):
        raise PatientListError(f"{path}: this is a PDF, not a CSV file; export the spreadsheet as CSV")
    bom = next((name for mark, name in _BOMS if start.startswith(mark)), None)
    if given:
        try:
            name = codecs.lookup(given).name
        except LookupError:
            raise PatientListError(f"{given!r} is not an encoding Python knows; try utf-8 or cp1252") from None
        line = _first_bad_line(path, name)
        if line:
            raise PatientListError(f"{path}: line {line} is not valid {given}; check --encoding")
        return name
    if bom:
        line = _first_bad_line(path, bom)
        if line:
            raise PatientListError(f"{path}: line {line} is not valid {bom.removesuffix('-sig')} text although the "
                                   "file starts as such; save it again, or name its encoding with --encoding")
        return bom
    if b"\x00" in start:
        raise PatientListError(f"{path}: this is a binary file, not a CSV file; export the spreadsheet as CSV")
    if not _first_bad_line(path, "utf-8"):
        return "utf-8"
    # Older Excel on Windows saves CSV as Windows-1252.
    line = _first_bad_line(path, "cp1252", unlikely=True)
    if line:
        raise PatientListError(f"{path}: line {line} is neither UTF-8 nor Windows-1252 text; save the file as "
                               "CSV UTF-8, or name its encoding with --encoding (mac_roman for a file from a Mac)")
    return "cp1252"


def _first_bad_line(path: Path, encoding: str, *, unlikely: bool = False) -> int | None:
    """The first line that `encoding` cannot decode, or None; read in chunks.

    With `unlikely`, text that decodes but reads like another encoding
    misread (see `unlikely_character`) stops with a PatientListError.
    """
    decoder = codecs.getincrementaldecoder(encoding)()
    lines, tail = 1, ""
    with path.open("rb") as handle:
        while True:
            chunk = handle.read(_CHUNK)
            try:
                text = tail + decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as exc:
                good = exc.object[: exc.start].decode(encoding, errors="replace")
                return lines + _line_breaks(tail + good)
            # Keep the last, maybe unfinished, line for the next chunk (a word may be
            # cut), and a last CR, which may be half of a CRLF.
            cut = max(text.rfind("\n"), text.rfind("\r")) + 1 if chunk else len(text)
            if chunk and text[cut - 1: cut] == "\r":
                cut -= 1
            done, tail = text[:cut], text[cut:]
            if unlikely:
                found = unlikely_character(done)
                if found is not None:
                    position, character = found
                    raise PatientListError(
                        f"{path}: line {lines + _line_breaks(done[:position])} has {character!r} inside a word, "
                        "so the file is probably not Windows-1252; name its encoding with --encoding "
                        "(mac_roman for a file from a Mac, or utf-8)")
            lines += _line_breaks(done)
            if not chunk:
                return None


def _line_breaks(text: str) -> int:
    return text.count("\n") + text.count("\r") - text.count("\r\n")


# Windows-1252 reads a Mac Roman "é" as "Ž", "ü" as "Ÿ", "ä" as "Š", "ß" as "§",
# "á" as "‡", "ø" as "¿"...: capitals and symbols where no name or note has them.
_CAPITALS = "ŠŒŽŸ"  # only a capital word's, or its first letter
_NEVER_AFTER_A_LETTER = "§¿†‡‰‹›„‚¶¬"
_NEVER_INSIDE_A_WORD = "€ƒ…ˆ˜™•¡¢£¤¥¦¨©ª«®¯°±²³´µ¸¹º»¼½¾×÷"
_SUSPECTS = re.compile(f"[{re.escape(_CAPITALS + _NEVER_AFTER_A_LETTER + _NEVER_INSIDE_A_WORD)}]")


def unlikely_character(text: str) -> tuple[int, str] | None:
    """(position, character) of the first character that a person would not
    have typed there: the sign of a file in another encoding read as
    Windows-1252 ("JosŽ MŸller"). Typed uses pass: "Šimon Žák", "ŒUVRE",
    "O’Brien", "Botox™ twice", "see you…", "£50", "2½".
    """
    for match in _SUSPECTS.finditer(text):
        position, character = match.start(), match.group()
        before = text[position - 1] if position else " "
        after = text[position + 1: position + 2] or " "
        if not before.isalpha():
            continue
        if (character in _NEVER_AFTER_A_LETTER
                or character in _CAPITALS and (before.islower() or after.islower())
                or character in _NEVER_INSIDE_A_WORD and after.isalpha()):
            return position, character
    return None


def _header(path: Path, first_line: str) -> tuple[str, list[str]]:
    """The delimiter that makes the first row name a 'patient' column."""
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
