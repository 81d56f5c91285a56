"""One print-ready PDF from many leaflets: bookmarks, duplex padding, shared objects.

Every leaflet shares its logo, its first font subset and its header, so once
merged those objects are stored once: the print file is far smaller than the
leaflets added up.

Leaflets on different paper go to different print files (print-a4.pdf,
print-letter.pdf), each with its own bookmarks and padding: a printer takes
one paper size per job, and would otherwise shrink or crop the odd pages.

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
# Page sizes in points as the leaflets are drawn (pdf.PAGE_SIZES), by the names --paper uses; not taken
# from there, which would load ReportLab to merge files that are already drawn.
PAPERS = {"a4": (595.28, 841.89), "letter": (612.0, 792.0)}
# pypdf logs what it repairs in a damaged file; the error we raise says it once.
logging.getLogger("pypdf").addHandler(logging.NullHandler())


@dataclass(frozen=True)
class PrintFile:
    path: Path
    size: int
    leaflets_size: int
    pages: int
    paper: str  # "a4", "letter" (the names --paper uses), or the size in points


def merge_leaflets(out: Path, leaflets: list[tuple[Path, str]], *, duplex: bool, force: bool,
                   history: History) -> list[PrintFile]:
    """Write `leaflets` ((file, bookmark title) in order) into one PDF per paper size, and record each.

    One size: the file is `out`. Several: `out` named after each (print_file_names).
    """
    if not leaflets:
        raise HandoutsError("no leaflets to put in the print file")
    check_print_file(out, history, force=force, leaflets=[path for path, _ in leaflets])
    parts: dict[str, _Part] = {}
    for path, title in leaflets:
        reader, paper = _read(path)
        parts.setdefault(paper, _Part()).add(reader, path, title, duplex)
    names = print_file_names(out, parts)
    if len(names) > 1:
        for name in names.values():
            check_print_file(name, history, force=force, leaflets=[path for path, _ in leaflets])
    return [part.write(names[paper], paper, history) for paper, part in parts.items()]


def print_file_names(out: Path, papers: Iterable[str]) -> dict[str, Path]:
    """Each paper size's print file: `out` for one size, print-a4.pdf and print-letter.pdf for two."""
    papers = list(dict.fromkeys(papers))
    if len(papers) == 1:
        return {papers[0]: out}
    return {paper: out.with_name(f"{out.stem}-{paper}{out.suffix}") for paper in papers}


class _Part:
    """The leaflets of one paper size, merged in order."""

    def __init__(self) -> None:
        self.writer, self.leaflets_size = PdfWriter(), 0

    def add(self, reader: PdfReader, path: Path, title: str, duplex: bool) -> None:
        try:
            self.writer.append(reader, outline_item=title)
        except Exception as exc:  # pypdf raises many kinds (even StopIteration) for a damaged file
            raise _unreadable(path, exc) from None
        self.leaflets_size += path.stat().st_size
        if duplex and len(reader.pages) % 2:
            # The next leaflet then starts on a front side, so the stack can be cut.
            self.writer.add_blank_page()

    def write(self, out: Path, paper: str, history: History) -> PrintFile:
        _store_identical_objects_once(self.writer)
        self.writer.add_metadata({"/Title": PRINT_TITLE, "/Creator": f"handouts {__version__}"})
        buffer = io.BytesIO()
        self.writer.write(buffer)
        data = buffer.getvalue()
        history.write_print_file(out, data)
        return PrintFile(out, len(data), self.leaflets_size, len(self.writer.pages), paper)


def _read(path: Path) -> tuple[PdfReader, str]:
    """A leaflet with at least one page, and its paper; or a HandoutsError saying what to do."""
    try:
        reader = PdfReader(path)
        if not reader.pages:
            raise HandoutsError(f"{path}: has no pages; make it again, or leave it out")
        return reader, _paper(reader.pages[0])
    except HandoutsError:
        raise
    except Exception as exc:  # pypdf raises many kinds (even StopIteration) for a damaged file
        raise _unreadable(path, exc) from None


def _unreadable(path: Path, exc: Exception) -> HandoutsError:
    return HandoutsError(f"{path}: cannot be read as a PDF ({_reason(exc)}); make it again, or leave it out")


def _paper(page) -> str:
    """The --paper name of a page's size ("a4"), or its size in points for any other paper."""
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    for name, (w, h) in PAPERS.items():
        if abs(width - w) < 1 and abs(height - h) < 1:
            return name
    return f"{width:.0f}x{height:.0f}pt"


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
