"""One print-ready PDF from many leaflets: bookmarks, duplex padding, shared objects.

Every leaflet shares its logo, its first font subset and its header, so once
merged those objects are stored once: the print file is far smaller than the
leaflets added up.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from pypdf import PdfReader, PdfWriter
from pypdf.errors import PdfReadError

from . import __version__
from .errors import HandoutsError
from .output import write_file


@dataclass(frozen=True)
class PrintFile:
    path: Path
    size: int
    leaflets_size: int
    pages: int


def merge_leaflets(out: Path, leaflets: list[tuple[Path, str]], *, duplex: bool, force: bool) -> PrintFile:
    """Write `leaflets` ((file, bookmark title) in order) into one PDF at `out`."""
    if not leaflets:
        raise HandoutsError("no leaflets to put in the print file")
    _check_replaceable(out, force)
    writer = PdfWriter()
    total = 0
    for path, title in leaflets:
        try:
            reader = PdfReader(path)
            pages = len(reader.pages)
        except (OSError, PdfReadError) as exc:
            raise HandoutsError(f"{path}: cannot be read as a PDF ({exc})") from None
        total += path.stat().st_size
        writer.append(reader, outline_item=title)
        if duplex and pages % 2:
            # The next leaflet then starts on a front side, so the stack can be cut.
            writer.add_blank_page()
    _store_identical_objects_once(writer)
    writer.add_metadata({"/Title": "Leaflets for printing", "/Creator": f"handouts {__version__}"})
    buffer = io.BytesIO()
    writer.write(buffer)
    data = buffer.getvalue()
    write_file(out, data, overwrite=True)
    return PrintFile(out, len(data), total, len(writer.pages))


def _store_identical_objects_once(writer: PdfWriter) -> None:
    """pypdf merges objects that are byte-identical, but a font that points
    at two identical-but-separate font files only matches its twin after
    they are merged: repeat until a pass changes nothing."""
    for _ in range(8):
        before = sum(obj is not None for obj in writer._objects)
        writer.compress_identical_objects()
        if sum(obj is not None for obj in writer._objects) == before:
            break


def _check_replaceable(out: Path, force: bool) -> None:
    """An earlier print file may be replaced; anyone else's file may not."""
    if force or not out.exists():
        return
    try:
        creator = str((PdfReader(out).metadata or {}).get("/Creator", ""))
    except (OSError, PdfReadError):
        creator = ""
    if not creator.startswith("handouts"):
        raise HandoutsError(f"{out} already exists and was not made by handouts; use --force to replace it, "
                            "or choose another --print-file")
