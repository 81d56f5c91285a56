"""One print-ready PDF from many leaflets: bookmarks, duplex padding, shared objects.

Every leaflet shares its logo, its first font subsets and its header, which
the print file stores once: it is far smaller than the leaflets added up.
It is written as the leaflets are read (pdfjoin), so its memory stays flat
however many there are.

Leaflets on different paper go to different print files (print-a4.pdf,
print-letter.pdf), each with its own bookmarks and padding: a printer takes
one paper size per job, and would otherwise shrink or crop the odd pages.

A print file replaces only an earlier print file recorded in the history;
with --force, any other file except a leaflet, which it never replaces.
"""

from __future__ import annotations

import glob
import re
from collections.abc import Callable, Iterable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from .. import __version__
from ..errors import HandoutsError
from ..history import History
from ..output import NewFile, check_writable, remove_stale_parts
from ..paper import PAPERS
from .pdfjoin import Pdf, PdfJoiner, UnreadablePdf, read_pdf

PRINT_TITLE = "Leaflets for printing"


@dataclass(frozen=True)
class PrintFile:
    path: Path
    size: int
    leaflets_size: int
    pages: int
    paper: str  # "a4", "letter" (the names --paper uses), or the size in points


@dataclass(frozen=True)
class PrintRun:
    files: list[PrintFile]
    removed: list[Path]  # earlier print files of the same name that this run did not write
    kept: list[Path]  # files with such a name that were changed since, or are someone else's: left alone


def merge_leaflets(out: Path, leaflets: list[tuple[Path, str]], *, duplex: bool, force: bool, history: History,
                   progress: Callable[[int], None] = lambda n: None) -> PrintRun:
    """Write `leaflets` ((file, bookmark title) in order) into one PDF per paper size, and record each.

    One size: the file is `out`. Several: `out` named after each (print_file_names).
    `progress` is told of each leaflet added. Earlier print files under `out`'s
    other names that this run did not write are removed (_remove_earlier), so
    nobody prints yesterday's leaflets.
    """
    if not leaflets:
        raise HandoutsError(f"{out} was not written: no leaflet was made to put in it; fix the rows above and run "
                            "the batch again")
    paths = [path for path, _ in leaflets]
    check_print_file(out, history, force=force, leaflets=paths)
    remove_stale_parts(out.parent, {out.name})  # left by a run that was killed
    with ExitStack() as unclaimed:  # a part not claimed by the end is removed
        parts: dict[str, _Part] = {}
        for path, title in leaflets:
            pdf = _read(path)
            paper = _paper(pdf.size)
            if paper not in parts:
                parts[paper] = _Part(unclaimed.enter_context(NewFile(out)))
            parts[paper].add(pdf, path, title, duplex)
            progress(1)
        names = print_file_names(out, parts)
        if len(names) > 1:
            for name in names.values():
                check_print_file(name, history, force=force, leaflets=paths)
        files = [part.finish(names[paper], paper, history) for paper, part in parts.items()]
    return PrintRun(files, *_remove_earlier(out, set(names.values()), history))


def _remove_earlier(out: Path, written: set[Path], history: History) -> tuple[list[Path], list[Path]]:
    """The files with `out`'s other names (print.pdf, print-a4.pdf, print-210x99pt.pdf) that this run
    did not write: removed if they are print files still as recorded, else kept (never anyone else's)."""
    sizes = re.compile(re.escape(out.stem) + r"-(a4|letter|\d+x\d+pt)" + re.escape(out.suffix))
    names = [out, *(path for path in out.parent.glob(f"{glob.escape(out.stem)}-*{out.suffix}")
                    if sizes.fullmatch(path.name))]
    earlier = [path for path in names if path not in written and (path.exists() or path.is_symlink())]
    removed = [path for path in earlier if path.is_file() and history.is_print_file(path)]
    for path in removed:
        path.unlink()
    return removed, [path for path in earlier if path not in removed]


def print_file_names(out: Path, papers: Iterable[str]) -> dict[str, Path]:
    """Each paper size's print file: `out` for one size, print-a4.pdf and print-letter.pdf for two."""
    papers = list(dict.fromkeys(papers))
    if len(papers) == 1:
        return {papers[0]: out}
    return {paper: out.with_name(f"{out.stem}-{paper}{out.suffix}") for paper in papers}


class _Part:
    """The print file of one paper size, written as its leaflets come."""

    def __init__(self, file: NewFile) -> None:
        self.file, self.joiner, self.leaflets_size = file, PdfJoiner(file.write), 0

    def add(self, pdf: Pdf, path: Path, title: str, duplex: bool) -> None:
        before = self.joiner.pages
        try:
            self.joiner.add(pdf, title)
        except UnreadablePdf as exc:
            raise _unreadable(path, exc) from None
        self.leaflets_size += len(pdf.data)
        if duplex and (self.joiner.pages - before) % 2:
            # The next leaflet then starts on a front side, so the stack can be cut.
            self.joiner.add_blank_page(pdf.size)

    def finish(self, out: Path, paper: str, history: History) -> PrintFile:
        self.joiner.finish({"/Title": PRINT_TITLE, "/Creator": f"handouts {__version__}"})
        history.claim_print_file(self.file, out)
        return PrintFile(out, self.file.size, self.leaflets_size, self.joiner.pages, paper)


def _read(path: Path) -> Pdf:
    """A leaflet with at least one page; or a HandoutsError saying what to do."""
    if not path.is_file():  # a pipe would wait for ever, a device never end
        raise HandoutsError(f"{path}: is not a regular file; give the leaflets' PDF files")
    try:
        pdf = read_pdf(path.read_bytes())
    except OSError as exc:
        raise HandoutsError(f"cannot read {path}: {exc.strerror or exc}") from None
    except UnreadablePdf as exc:
        raise _unreadable(path, exc) from None
    if not pdf.pages:
        raise HandoutsError(f"{path}: has no pages; make it again, or leave it out")
    return pdf


def _unreadable(path: Path, exc: Exception) -> HandoutsError:
    return HandoutsError(f"{path}: cannot be read as a PDF ({exc}); make it again, or leave it out")


def _paper(size: tuple[float, float]) -> str:
    """The --paper name of a page size ("a4"), or the size in points for any other paper."""
    width, height = size
    for name, paper in PAPERS.items():
        w, h = paper.size
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
    from pypdf import PdfReader

    try:
        info = PdfReader(path).metadata or {}
    except Exception:  # not a PDF at all: then not a leaflet either
        return False
    return str(info.get("/Creator", "")).startswith("handouts") and info.get("/Title") != PRINT_TITLE
