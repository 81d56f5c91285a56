"""Joining PDF files into one, written as it goes, so memory stays flat for any count.

Each file's objects are renumbered and copied to the output as they are read;
only their positions (for the cross-reference table), a digest of each object
written and the page list are kept. Every object is stored once: its digest,
taken after its references are renumbered, finds its twin from an earlier
file. Copied bottom-up, a font whose font file matched an earlier one's then
matches that font too, so the logo, fonts and header that every leaflet
shares are stored once. Links are the exception: an annotation belongs to
one page.

Leaflets are read directly, as ReportLab writes them: a plain cross-reference
table, direct stream lengths, and every parenthesis inside a string escaped,
so a regular expression finds the references. Any other PDF (or a leaflet
this reader does not follow) is first rewritten into that form by pypdf,
about ten times slower.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
from array import array
from collections.abc import Callable

# A string (skipped, so text in it is never taken for syntax), a reference, the start of a stream, or the end.
_TOKEN = re.compile(rb"\((?:[^\\()]|\\.)*\)|(?<![\w.])(\d+)\s+(\d+)\s+R(?!\w)|\bstream\r?\n|\bendobj\b", re.S)
_HEADER = re.compile(rb"\s*(\d+)\s+0\s+obj\b")
_LENGTH = re.compile(rb"/Length\s+(\d+)\b(?!\s+\d+\s+R)")
_MEDIABOX = re.compile(rb"/MediaBox\s*\[\s*([-+\d.]+)\s+([-+\d.]+)\s+([-+\d.]+)\s+([-+\d.]+)\s*\]")
_INHERITED = re.compile(rb"/(?:MediaBox|CropBox|Resources|Rotate)\b")
_ANNOTATION = re.compile(rb"/Type\s*/Annot\b")
_LARGEST = 14400  # points: the largest page PDF allows (200 inches)
_REPORTLAB = b"ReportLab Generated PDF"
_PAGES_ROOT = 1  # the output's page tree, written last; its number is known from the start
# pypdf logs what it repairs in a damaged file; the error raised says it once.
logging.getLogger("pypdf").addHandler(logging.NullHandler())


class UnreadablePdf(Exception):
    """The file is not a PDF we can read; the message says why (pypdf's words)."""


class _NotPlain(Exception):
    """The file is not in the plain form read here directly."""


# What reading a damaged file here can raise (a reference chain too deep to follow is one).
_DAMAGED = (_NotPlain, ValueError, IndexError, RecursionError)


class Pdf:
    """A PDF file's objects, each read when asked for."""

    def __init__(self, data: bytes):
        self.data = data
        start = data.rfind(b"startxref")
        try:
            table = int(data[start + 9:start + 40].split()[0]) if start >= 0 else -1
        except (ValueError, IndexError):
            table = -1
        end = data.find(b"trailer", table)
        if table < 0 or data[table:table + 4] != b"xref" or end < 0:
            raise _NotPlain("a cross-reference stream")
        trailer = data[end:start]
        root = re.search(rb"/Root\s+(\d+)\s+0\s+R", trailer)
        if root is None or re.search(rb"/(?:Encrypt|Prev)\b", trailer):
            raise _NotPlain("encrypted, or updated in place")
        self.offsets: dict[int, int] = {}
        words = data[table + 4:end].split()
        at = 0
        try:
            while at + 1 < len(words):
                first, count = int(words[at]), int(words[at + 1])
                for number, entry in enumerate(range(at + 2, at + 2 + 3 * count, 3), start=first):
                    if words[entry + 2] == b"n":
                        self.offsets[number] = int(words[entry])
                at += 2 + 3 * count
        except (ValueError, IndexError):
            raise _NotPlain("a damaged cross-reference table") from None
        self.pages = self._pages(self._reference(self.object(int(root[1]))[0], b"/Pages"), set())
        self.size = self.page_size(0) if self.pages else None

    def object(self, number: int) -> tuple[bytes, list[tuple[int, int, int]]]:
        """The object's bytes between 'obj' and 'endobj', and its references:
        (start, end, object number) in those bytes."""
        offset = self.offsets.get(number)
        header = _HEADER.match(self.data, offset) if offset is not None else None
        if header is None or int(header[1]) != number:
            raise _NotPlain(f"object {number} is not where the table says")
        start, end = header.end(), -1
        references = []
        for token in _TOKEN.finditer(self.data, start):
            if token[1] is not None:
                if token[2] != b"0":
                    raise _NotPlain("an object of a later generation")
                references.append((token.start() - start, token.end() - start, int(token[1])))
            elif token[0] == b"endobj":
                end = token.start()
                break
            elif token[0][:1] != b"(":  # a stream: its length says where it ends, whatever its bytes hold
                length = _LENGTH.search(self.data, start, token.start())
                if length is None:
                    raise _NotPlain(f"object {number}'s stream length is not given directly")
                stop = token.end() + int(length[1])
                end = self.data.find(b"endstream", stop)
                if end < 0 or self.data[stop:end].strip():
                    raise _NotPlain(f"object {number}'s stream length is wrong")
                end += len(b"endstream")
                break
        if end < 0:
            raise _NotPlain(f"object {number} has no end")
        return self.data[start:end], references

    def page_size(self, page: int) -> tuple[float, float]:
        """The width and height of page `page` (counted from 0), in points."""
        box = _MEDIABOX.search(self.object(self.pages[page])[0])
        if box is None:
            raise _NotPlain("a page without its own size")
        try:
            left, bottom, right, top = map(float, box.groups())
        except ValueError:
            raise _NotPlain("a page size that is not a number") from None
        width, height = abs(right - left), abs(top - bottom)
        if min(width, height) < 1:
            raise _NotPlain("a page with no size")
        if max(width, height) > _LARGEST:
            raise UnreadablePdf(f"a page is {max(width, height):.0f} points long, more than PDF allows")
        return width, height

    def _pages(self, node: int, seen: set[int]) -> list[int]:
        # Damage, not another program's way of writing: refused, as pypdf would print it wrong.
        if node in seen:
            raise UnreadablePdf("its page tree lists a page twice, or loops")
        seen.add(node)
        body, references = self.object(node)
        if re.search(rb"/Type\s*/Page\b", body):
            return [node]
        if not re.search(rb"/Type\s*/Pages\b", body):
            raise UnreadablePdf("its page tree holds something that is not a page")
        if _INHERITED.search(body):
            raise _NotPlain("pages that inherit their size or resources")
        kids = re.search(rb"/Kids\s*\[([^\]]*)\]", body)
        if kids is None:
            raise _NotPlain("a page tree without kids")
        return [page for kid in re.findall(rb"(\d+)\s+0\s+R", kids[1]) for page in self._pages(int(kid), seen)]

    def _reference(self, body: bytes, key: bytes) -> int:
        found = re.search(re.escape(key) + rb"\s+(\d+)\s+0\s+R", body)
        if found is None:
            raise _NotPlain(f"no {key.decode()}")
        return int(found[1])


def read_pdf(data: bytes) -> Pdf:
    """A PDF to join; raises UnreadablePdf for a file that is damaged beyond pypdf's repair."""
    if _REPORTLAB in data[:64]:
        try:
            return Pdf(data)
        except _DAMAGED:
            pass
    try:
        return Pdf(_rewritten(data))
    except _DAMAGED as exc:
        raise UnreadablePdf(str(exc) or "it is damaged") from None


def _rewritten(data: bytes) -> bytes:
    """`data` rewritten by pypdf in the form Pdf reads. A leaflet (made by
    ReportLab) that needs this was changed since: read strictly, so that a
    leaflet whose streams were damaged is refused, never printed blank."""
    from pypdf import PdfReader, PdfWriter

    leaflet = _REPORTLAB in data[:64]
    if leaflet and b"%%EOF" not in data[-64:]:
        raise UnreadablePdf("it is cut short: its end is missing")
    try:
        reader, writer = PdfReader(io.BytesIO(data), strict=leaflet), PdfWriter()
        if reader.is_encrypted:
            raise UnreadablePdf("it is protected by a password")
        for page in reader.pages:  # pypdf gives each page what it inherits
            writer.add_page(page)
        out = io.BytesIO()
        writer.write(out)
    except UnreadablePdf:
        raise
    except Exception as exc:  # pypdf raises many kinds (even StopIteration) for a damaged file
        raise UnreadablePdf(str(exc) or "it is damaged or cut short") from None
    return out.getvalue()


class PdfJoiner:
    """Writes one PDF, through `write`, from the pages of many: `add` each,
    then `finish`. Each added file can have a bookmark to its first page."""

    def __init__(self, write: Callable[[bytes], None]):
        self._write, self._position, self._digest = write, 0, hashlib.blake2b(digest_size=16)
        self._offsets = array("Q", [0, 0])  # object 0 is never used; 1 is the page tree
        self._stored: dict[bytes, int] = {}  # an object's digest -> its number in the output
        self._kids = array("L")
        self._bookmarks: list[tuple[str, int]] = []
        self._put(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")

    @property
    def pages(self) -> int:
        return len(self._kids)

    def add(self, pdf: Pdf, bookmark: str | None = None) -> None:
        """Append every page of `pdf`."""
        first = len(self._offsets)
        try:
            pages = self._copy_pages(pdf)
        except _DAMAGED:  # damage that only copying shows: pypdf may mend it
            for number in range(first, len(self._offsets)):
                if not self._offsets[number]:  # given out, never written: the table must still find an object
                    self._store(number, b"null")
            try:
                pages = self._copy_pages(Pdf(_rewritten(pdf.data)))
            except _DAMAGED as exc:
                raise UnreadablePdf(str(exc) or "it is damaged") from None
        self._kids.extend(pages)  # only now: a file that failed half-way adds no pages
        if bookmark is not None:
            self._bookmarks.append((bookmark, pages[0]))

    def _copy_pages(self, pdf: Pdf) -> list[int]:
        pages = {page: self._number() for page in pdf.pages}
        copied: dict[int, int] = {}
        for page, number in pages.items():
            self._store(number, self._body(pdf, page, pages, copied))
        return list(pages.values())

    def add_blank_page(self, size: tuple[float, float]) -> None:
        number = self._number()
        self._store(number, b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %s %s] /Resources << >> >>"
                    % (_PAGES_ROOT, _real(size[0]), _real(size[1])))
        self._kids.append(number)

    def finish(self, info: dict[str, str]) -> None:
        """Write the page tree, bookmarks, document information and the cross-reference table."""
        kids = b" ".join(b"%d 0 R" % kid for kid in self._kids)
        self._store(_PAGES_ROOT, b"<< /Type /Pages /Count %d /Kids [%s] >>" % (len(self._kids), kids))
        catalog = b"/Type /Catalog /Pages %d 0 R" % _PAGES_ROOT
        if self._bookmarks:
            catalog += b" /Outlines %d 0 R /PageMode /UseOutlines" % self._outline()
        root = self._new(b"<< %s >>" % catalog)
        about = self._new(b"<< %s >>" % b" ".join(b"%s %s" % (key.encode(), _text(value))
                                                   for key, value in info.items()))
        table = self._position
        self._put(b"xref\n0 %d\n0000000000 65535 f \n" % len(self._offsets))
        for start in range(1, len(self._offsets), 4096):
            self._put(b"".join(b"%010d 00000 n \n" % offset for offset in self._offsets[start:start + 4096]))
        file_id = self._digest.hexdigest().encode()
        self._put(b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R /ID [<%s> <%s>] >>\nstartxref\n%d\n%%%%EOF\n"
                  % (len(self._offsets), root, about, file_id, file_id, table))

    def _outline(self) -> int:
        top = self._number()
        items = [self._number() for _ in self._bookmarks]
        for index, ((title, page), number) in enumerate(zip(self._bookmarks, items)):
            links = b"".join(b" /%s %d 0 R" % (key, items[index + step]) for key, step in ((b"Prev", -1), (b"Next", 1))
                             if 0 <= index + step < len(items))
            self._store(number, b"<< /Title %s /Parent %d 0 R /Dest [%d 0 R /Fit]%s >>"
                        % (_text(title), top, page, links))
        self._store(top, b"<< /Type /Outlines /First %d 0 R /Last %d 0 R /Count %d >>"
                    % (items[0], items[-1], len(items)))
        return top

    def _body(self, pdf: Pdf, number: int, pages: dict[int, int], copied: dict[int, int]) -> bytes:
        """Object `number` of `pdf`, its references renumbered (those it makes
        to objects not yet copied are copied first)."""
        body, references = pdf.object(number)
        pieces, done = [], 0
        for start, end, target in references:
            if number in pages and body[max(0, start - 16):start].rstrip().endswith(b"/Parent"):
                new = _PAGES_ROOT
            elif target in pages:
                new = pages[target]
            else:
                new = self._copy(pdf, target, pages, copied)
            pieces += (body[done:start], b"%d 0 R" % new)
            done = end
        pieces.append(body[done:])
        return b"".join(pieces)

    def _copy(self, pdf: Pdf, number: int, pages: dict[int, int], copied: dict[int, int]) -> int:
        """The output's number for `pdf`'s object `number`: an identical object already stored, or a new one."""
        if number in copied:
            if copied[number] == 0:  # a cycle leads back to an object still being copied: it is not shared
                copied[number] = self._number()
            return copied[number]
        copied[number] = 0
        body = self._body(pdf, number, pages, copied)
        if not copied[number] and _ANNOTATION.search(body):
            copied[number] = self._number()  # a page's own: PDF lets no two pages share an annotation
        if copied[number]:
            self._store(copied[number], body)
            return copied[number]
        digest = hashlib.blake2b(body, digest_size=16).digest()
        if digest not in self._stored:
            self._stored[digest] = self._new(body)
        copied[number] = self._stored[digest]
        return copied[number]

    def _number(self) -> int:
        self._offsets.append(0)
        return len(self._offsets) - 1

    def _new(self, body: bytes) -> int:
        number = self._number()
        self._store(number, body)
        return number

    def _store(self, number: int, body: bytes) -> None:
        self._offsets[number] = self._position
        self._put(b"%d 0 obj\n%s\nendobj\n" % (number, body))

    def _put(self, data: bytes) -> None:
        self._write(data)
        self._position += len(data)
        self._digest.update(data)


def _text(value: str) -> bytes:
    """A PDF text string: UTF-16 in hex, which needs no escaping and holds any script."""
    # A file name that is not UTF-8 comes with lone surrogates, which UTF-16 cannot hold: shown as "�".
    value = value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return b"<FEFF%s>" % value.encode("utf-16-be").hex().upper().encode()


def _real(value: float) -> bytes:
    return (b"%.4f" % value).rstrip(b"0").rstrip(b".")
