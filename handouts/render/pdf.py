"""Drawing a composed leaflet as a PDF with ReportLab.

The brand header and the footer sit in the same place on every page
(handouts/render/furniture.py); the footer's "Page X of Y" is filled in once
the page count is known (each part of a bilingual leaflet counts its own).
The body is the story of the leaflet's blocks (handouts/render/story.py) in
the styles of handouts/render/pdfstyles.py.
"""

from __future__ import annotations

import functools
import io
from collections import Counter

from reportlab import rl_config
from reportlab.pdfbase import pdfdoc
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, NextPageTemplate, PageBreak, PageTemplate

from .. import __version__
from . import fonts
from .furniture import MARGIN_X, Furniture
from ..leaflet.compose import Leaflet
from ..leaflet.translations import plain_language_name
from ..paper import PAPERS
from .pdfstyles import LARGE_PRINT, Typography, styles_for
from .story import story

@functools.cache
def _tune_reportlab() -> None:
    """Set ReportLab up for leaflets, once per process and only when one is drawn (not when imported)."""
    # Plain zlib streams: ASCII85 on top makes files a quarter bigger and slower.
    rl_config.useA85 = 0
    # Every leaflet embeds the same first font subsets (see fonts.prime): compress such large, repeated
    # streams once per process, not per leaflet.
    compress = pdfdoc.PDFZCompress.encode
    remembered = functools.lru_cache(maxsize=16)(compress)
    pdfdoc.PDFZCompress.encode = lambda data: remembered(data) if len(data) > 8192 else compress(data)


def render_pdf(*parts: Leaflet, invariant: bool = False) -> bytes:
    """The leaflet as PDF bytes: one part, or a bilingual leaflet's parts one after the other, each with its own
    header, footer and "Page X of Y", and its language's entry over its sections in the outline. The file's
    title and language are the first part's. `invariant` makes builds byte-identical."""
    _tune_reportlab()
    fonts.register()
    first = parts[0]
    fonts.use(first.extra_fonts)
    page_size = PAPERS[first.paper].size
    furnitures, templates, flowables = [], [], []
    for index, leaflet in enumerate(parts):
        styles = styles_for(leaflet.clinic.colours, LARGE_PRINT if leaflet.large_print else Typography(),
                            leaflet.right_to_left)
        furniture = Furniture(leaflet, styles, page_size, forms=f"furniture{_suffix(index)}")
        furnitures.append(furniture.draw)
        templates += _page_templates(furniture, index)
        if index:
            flowables += [NextPageTemplate(f"first{_suffix(index)}"), PageBreak()]
        if len(parts) > 1:
            flowables.append(_PartStart(plain_language_name(leaflet.language)))
        flowables += story(leaflet, styles, furniture.width, furniture.body_top - furniture.body_bottom)
    buffer = io.BytesIO()
    doc = _LeafletDoc(
        buffer,
        pagesize=page_size,
        title=first.title,
        author=first.clinic.name,
        subject=first.subject,
        creator=f"handouts {__version__}",
        lang=first.language,
        displayDocTitle=True,
        invariant=int(invariant),
        # Otherwise every page names Helvetica, a font that is not embedded.
        initialFontName=fonts.REGULAR,
        leftMargin=MARGIN_X,
        rightMargin=MARGIN_X,
    )
    doc.addPageTemplates(templates)
    doc.build(flowables, canvasmaker=lambda *a, **k: _PagedCanvas(*a, furnitures=furnitures, **k))
    return buffer.getvalue()


def _suffix(part: int) -> str:
    """What tells a part's page templates and forms from the first's, whose names are as a one-part leaflet's."""
    return f"-{part}" if part else ""


def _page_templates(furniture: Furniture, part: int) -> list[PageTemplate]:
    """A part's first page and the pages after it, which have a slim header, so their body starts higher.
    Each page says which part it is in, for its "Page X of Y"."""
    frames = [Frame(MARGIN_X, furniture.body_bottom, furniture.width, top - furniture.body_bottom, leftPadding=0,
                    rightPadding=0, topPadding=0, bottomPadding=0, id=f"body-{name}")
              for name, top in (("first", furniture.body_top), ("later", furniture.later_body_top))]

    def in_part(canvas, doc):
        canvas.part = part

    later = f"later{_suffix(part)}"
    return [PageTemplate(id=f"first{_suffix(part)}", frames=[frames[0]], autoNextPageTemplate=later, onPage=in_part),
            PageTemplate(id=later, frames=[frames[1]], onPage=in_part)]


class _PartStart(Flowable):
    """Where a part of a bilingual leaflet starts: nothing on the page, its language's name in the outline,
    above the part's sections."""

    outline_level = -1

    def __init__(self, name: str):
        super().__init__()
        self.outline_title = name

    def wrap(self, available_width, available_height):
        return 0, 0

    def draw(self):
        pass


class _LeafletDoc(BaseDocTemplate):
    parts_above = 0  # 1 once a part's entry heads the outline: its sections go a level under it

    def afterFlowable(self, flowable):
        """Section headings become PDF bookmarks, for viewers' side panels."""
        title = getattr(flowable, "outline_title", None)
        if title:
            if isinstance(flowable, _PartStart):
                self.parts_above = 1
            key = f"section-{self.page}-{id(flowable)}"
            self.canv.bookmarkPage(key)
            self.canv.addOutlineEntry(title, key, level=flowable.outline_level + self.parts_above)


class _PagedCanvas(Canvas):
    """Holds every page back until the end, so each can say "Page X of Y"."""

    part = 0  # of a bilingual leaflet, the page's (its page template sets it): each part counts its own pages

    def __init__(self, *args, furnitures, **kwargs):
        super().__init__(*args, **kwargs)
        fonts.prime(self._doc)
        self._furnitures = furnitures  # each part's
        self._pages: list[dict] = []
        self._bookmarks: dict[int, list[str]] = {}

    def showPage(self):
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def bookmarkPage(self, key, **kwargs):
        # The real page object exists only once save() emits it.
        self._bookmarks.setdefault(len(self._pages), []).append(key)

    def save(self):
        totals = Counter(state.get("part", 0) for state in self._pages)
        numbers = Counter()
        bookmarks = self._bookmarks
        links = self._annotationCount  # names every link so far; a page's state would count again from its own
        for index, state in enumerate(self._pages):
            self.__dict__.update(state)
            self._annotationCount = links
            part = state.get("part", 0)
            numbers[part] += 1
            self._furnitures[part](self, numbers[part], totals[part])
            links = self._annotationCount
            for key in bookmarks.get(index, ()):
                super().bookmarkPage(key)
            super().showPage()
        super().save()
