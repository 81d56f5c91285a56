"""One print-ready PDF from many leaflets: bookmarks, duplex padding, shared objects.

Every leaflet shares its logo, its first font subset and its header, so once
merged those objects are stored once: the print file is far smaller than the
leaflets added up.

A print file replaces only an earlier print file recorded in the history;
with --force, any other file except a leaflet, which it never replaces.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from pypdf import PdfReader, PdfWriter

from . import __version__
from .errors import HandoutsError
from .history import History
from .output import check_writable

PRINT_TITLE = "Leaflets for printing"
# pypdf logs what it repairs in a damaged file; the error we raise says it once.
logging.getLogger("pypdf").addHandler(logging.NullHandler())


@dataclass(frozen=True)
class PrintFile:
    path: Path
    size: int
    leaflets_size: int
    pages: int


def merge_leaflets(out: Path, leaflets: list[tuple[Path, str]], *, duplex: bool, force: bool,
                   history: History) -> PrintFile:
    """Write `leaflets` ((file, bookmark title) in order) into one PDF at `out`, and record it."""
    if not leaflets:
        raise HandoutsError("no leaflets to put in the print file")
    check_print_file(out, history, force=force, leaflets=[path for path, _ in leaflets])
    writer = PdfWriter()
    total = 0
    for path, title in leaflets:
        try:
            reader = PdfReader(path)
            pages = len(reader.pages)
            if pages:
                writer.append(reader, outline_item=title)
        except Exception as exc:  # pypdf raises many kinds (even StopIteration) for a damaged file
            raise HandoutsError(f"{path}: cannot be read as a PDF ({_reason(exc)}); make it again, "
                                "or leave it out") from None
        if not pages:
            raise HandoutsError(f"{path}: has no pages; make it again, or leave it out")
        total += path.stat().st_size
        if duplex and pages % 2:
            # The next leaflet then starts on a front side, so the stack can be cut.
            writer.add_blank_page()
    _store_identical_objects_once(writer)
    writer.add_metadata({"/Title": PRINT_TITLE, "/Creator": f"handouts {__version__}"})
    buffer = io.BytesIO()
    writer.write(buffer)
    data = buffer.getvalue()
    history.write_print_file(out, data)
    return PrintFile(out, len(data), total, len(writer.pages))


def check_print_file(out: Path, history: History | None, *, force: bool, leaflets: Iterable[Path] = (),
                     writable: bool = True) -> None:
    """Refuse a print file that would replace a leaflet or someone else's file,
    or (if `writable`) cannot be written: called before any leaflet is drawn."""
    if out.suffix.lower() != ".pdf":
        raise HandoutsError(f"{out}: a print file is a PDF; give it a name ending in .pdf")
    if any(path.name == out.name and path.resolve() == out.resolve() for path in leaflets):
        raise HandoutsError(f"{out} is also one of the leaflets; choose another name for the print file")
    if out.exists() or out.is_symlink():
        if not out.is_file():
            raise HandoutsError(f"{out} is not a regular file; choose another name for the print file")
        if history is None or not history.is_print_file(out):
            if _is_leaflet(out, history):
                raise HandoutsError(f"{out} is a leaflet, and a print file never replaces a leaflet, even with "
                                    "--force; choose another name for the print file")
            if not force:
                raise HandoutsError(f"{out} already exists and is not a print file recorded in the history; "
                                    "use --force to replace it, or choose another name for the print file")
    if writable:
        check_writable(out, "choose another place for the print file")


def _is_leaflet(path: Path, history: History | None) -> bool:
    """Recorded as a leaflet here, or a handouts PDF that is not a print file
    (a leaflet made elsewhere, or recorded in another history)."""
    if history is not None and history.is_leaflet(path):
        return True
    try:
        info = PdfReader(path).metadata or {}
    except Exception:  # not a PDF at all: then not a leaflet either
        return False
    return str(info.get("/Creator", "")).startswith("handouts") and info.get("/Title") != PRINT_TITLE


def _reason(exc: Exception) -> str:
    return str(exc) or "it is damaged or cut short"


def _store_identical_objects_once(writer: PdfWriter) -> None:
    """pypdf merges objects that are byte-identical, but a font that points
    at two identical-but-separate font files only matches its twin after
    they are merged: repeat until a pass changes nothing."""
    for _ in range(8):
        before = sum(obj is not None for obj in writer._objects)
        writer.compress_identical_objects()
        if sum(obj is not None for obj in writer._objects) == before:
            break
