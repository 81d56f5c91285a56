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
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import HandoutsError
from .columns import REQUIRED, ColumnError, ColumnMap, map_columns, normalise
from .spreadsheet import XLS_START, XLSX_START, WorkbookError, sheet_name, sheet_rows

_DELIMITERS = (",", ";", "\t")
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_CHUNK = 1 << 20


class PatientListError(HandoutsError):
    """The file as a whole cannot be read as a patient list."""


@dataclass(frozen=True)
class Row:
    number: int  # spreadsheet row, header = 1
    values: dict[str, object]  # field -> text, or the date a workbook's cell holds (see ColumnMap.row)

    def get(self, column: str) -> str:
        return str(self.values.get(column, ""))


@dataclass
class PatientList:
    path: Path | Upload  # where the rows are read from
    encoding: str  # "" for a workbook
    delimiter: str
    columns: ColumnMap
    warnings: list[str] = field(default_factory=list)
    sheet: str | None = None  # a workbook's sheet; None for a CSV file
    header_row: int = 1

    @property
    def lost_letters_fix(self) -> str:
        """How to mend a name whose letters were lost (`?`) before it reached this list."""
        if self.sheet is not None:
            return "they were lost before the name reached this workbook; type it again there"
        return "the list was saved in an encoding that cannot hold them; save it as 'CSV UTF-8' and try again"

    def rows(self) -> Iterator[Row]:
        """Every patient row, read from the file as it is needed."""
        count = 0
        for number, cells in self._cells():
            if number <= self.header_row or not any(str(cell or "").strip() for cell in cells):
                continue  # the header, and blank lines that spreadsheets leave at the end
            count += 1
            yield Row(number, self.columns.row(cells))
        if not count:
            raise PatientListError(f"{self.path}: has a header row but no patients")

    def _cells(self) -> Iterator[tuple[int, list[object]]]:
        path = self.path
        if self.sheet is not None:
            try:
                yield from sheet_rows(path, self.sheet)
            except WorkbookError as exc:
                raise PatientListError(f"{path}: {exc}") from None
            return
        try:
            with _open_text(path, self.encoding) as text:
                reader = csv.reader(text, delimiter=self.delimiter)
                yield from enumerate(reader, 1)
        except csv.Error as exc:
            raise PatientListError(f"{path}: row {reader.line_num}: {exc}; check the quotes in that row") from None
        except UnicodeDecodeError:
            raise PatientListError(f"{path}: changed while it was being read; run the batch again") from None
        except OSError as exc:
            raise PatientListError(f"{path}: cannot be read: {exc.strerror or exc}") from None


@dataclass(frozen=True)
class Upload:
    """A patient list sent to the front desk: read from memory, and named in messages as the file it was."""

    name: str
    data: bytes = field(repr=False)

    def open(self, mode: str = "rb") -> io.BytesIO:
        return io.BytesIO(self.data)

    def __str__(self) -> str:
        return self.name


def read_patients(path: str | Path | Upload, encoding: str | None = None, *,
                  columns: Mapping[str, str] | None = None, named: Collection[str] = (),
                  sheet: str | None = None) -> PatientList:
    """The list's encoding, delimiter (or sheet) and columns; its rows are read later, by `rows()`.

    `path` is a file, or an Upload. `columns` maps the clinic's own header names to fields ({"Procedure
    Name": "procedures"}); those `named` were given for this list, and must be in it. A workbook is read from
    `sheet`, or its first sheet.
    """
    path = path if isinstance(path, Upload) else Path(path)
    try:
        with path.open("rb") as handle:
            start = handle.read(4096)
        if start.startswith(XLS_START):
            raise PatientListError(f"{path}: this is an old Excel workbook (.xls); save it as an Excel Workbook "
                                   "(.xlsx), or as CSV UTF-8")
        if start.startswith(XLSX_START):
            patients = _read_workbook(path, sheet, columns or {}, named)
        elif sheet is not None:
            raise PatientListError(f"{path}: has no sheets: it is not an Excel workbook (.xlsx)")
        else:
            patients = _read_csv(path, start, encoding, columns or {}, named)
    except FileNotFoundError:
        raise PatientListError(f"{path}: file not found") from None
    except OSError as exc:
        raise PatientListError(f"{path}: cannot be read: {exc.strerror or exc}") from None
    except (ColumnError, WorkbookError) as exc:
        raise PatientListError(f"{path}: {exc}") from None
    for name, guess, holder in patients.columns.lookalikes():
        patients.warnings.append(
            f"{path}: the column {name!r} looks like {guess} but is not used"
            + (f" ({holder!r} is); if it holds them instead" if holder else "; if it holds them")
            + f', map it: "{name}={guess}"')
    return patients


def _read_csv(path: Path, start: bytes, encoding: str | None, given: Mapping[str, str],
              named: Collection[str]) -> PatientList:
    encoding = _encoding(path, start, encoding)
    with _open_text(path, encoding) as text:
        first_line = text.readline()
        if not first_line.strip() and not any(line.strip() for line in text):
            raise PatientListError(f"{path}: the file is empty; it needs a header row (patient, procedures, "
                                   "...) and one row per patient")
    # A byte-order mark that --encoding left in is not part of the first column's name.
    first_line = first_line.lstrip("\ufeff").rstrip("\r\n")
    tried = []
    for delimiter in sorted(_DELIMITERS, key=first_line.count, reverse=True):
        header = next(csv.reader([first_line], delimiter=delimiter), [])
        tried.append(map_columns([name.strip() for name in header], given))
        if "patient" in tried[-1].used:
            return PatientList(path, encoding, delimiter, _complete(path, tried[-1], named))
    raise PatientListError(
        f"{path}: the first row must be a header naming the columns, at least "
        f"{' and '.join(REQUIRED)} (found: {first_line[:60]!r}){_mapping_hint(tried[0])}")


def _read_workbook(path: Path, sheet: str | None, given: Mapping[str, str], named: Collection[str]) -> PatientList:
    sheet = sheet_name(path, sheet)
    for number, cells in sheet_rows(path, sheet):
        if any(str(cell or "").strip() for cell in cells):  # the header: the first row with anything in it
            columns = map_columns([str(cell or "").strip() for cell in cells], given)
            if "patient" not in columns.used:
                raise PatientListError(
                    f"{path}: row {number} of sheet {sheet!r} must be a header naming the columns, at least "
                    f"{' and '.join(REQUIRED)} (found: {', '.join(h for h in columns.header if h)})"
                    f"{_mapping_hint(columns)}")
            return PatientList(path, "", "", _complete(path, columns, named), sheet=sheet, header_row=number)
    raise PatientListError(f"{path}: sheet {sheet!r} is empty; it needs a header row (patient, procedures, ...) "
                           "and one row per patient")


def _complete(path: Path, columns: ColumnMap, named: Collection[str]) -> ColumnMap:
    """`columns`, checked to hold every column `named` in a mapping for this list and every field a leaflet
    needs."""
    missing = [name for name in named if normalise(name) not in {normalise(h) for h in columns.header}]
    if missing:
        raise PatientListError(f"{path}: has no column {missing[0]!r} to map; its columns are "
                               f"{', '.join(repr(h) for h in columns.header if h)}")
    missing = [field for field in REQUIRED if field not in columns.used]
    if missing:
        hint = (_mapping_hint(columns, missing[0])
                or f'; if another column holds them, map it: "Their Header={missing[0]}"')
        raise PatientListError(f"{path}: no {missing[0]!r} column; the header row must name {' and '.join(REQUIRED)} "
                               f"(found: {', '.join(h for h in columns.header if h)}){hint}")
    return columns


def _mapping_hint(columns: ColumnMap, field: str = "patient") -> str:
    """How to say which column holds `field`, when one looks as if it does."""
    name = next((name for name, guess, _ in columns.lookalikes() if guess == field), None)
    return f"; if the column {name!r} holds them, map it: \"{name}={field}\"" if name else ""


def _open_text(path: Path | Upload, encoding: str) -> io.TextIOWrapper:
    # newline="" keeps line breaks inside quoted cells for the csv module.
    return io.TextIOWrapper(path.open("rb"), encoding=encoding, newline="")


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
