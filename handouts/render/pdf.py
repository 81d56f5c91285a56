"""Drawing a composed leaflet as a PDF with ReportLab.

The brand header and the footer sit in the same place on every page
(handouts/render/furniture.py); the footer's "Page X of Y" is filled in once
the page count is known. The body is the story of the leaflet's blocks
(handouts/render/story.py) in the styles of handouts/render/pdfstyles.py.
"""

from __future__ import annotations

import functools
import io

from reportlab import rl_config
from reportlab.pdfbase import pdfdoc
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate

from .. import __version__
from . import fonts
from .furniture import MARGIN_X, Furniture
from ..leaflet.compose import Leaflet
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


def render_pdf(leaflet: Leaflet, *, invariant: bool = False) -> bytes:
    """The leaflet as PDF bytes. `invariant` makes builds byte-identical."""
    _tune_reportlab()
    fonts.register()
    fonts.use(leaflet.extra_fonts)
    styles = styles_for(leaflet.clinic.colours, LARGE_PRINT if leaflet.large_print else Typography(),
                        leaflet.right_to_left)
    page_size = PAPERS[leaflet.paper].size
    furniture = Furniture(leaflet, styles, page_size)
    buffer = io.BytesIO()
    doc = _LeafletDoc(
        buffer,
        pagesize=page_size,
        title=leaflet.title,
        author=leaflet.clinic.name,
        subject=leaflet.subject,
        creator=f"handouts {__version__}",
        lang=leaflet.language,
        displayDocTitle=True,
        invariant=int(invariant),
        # Otherwise every page names Helvetica, a font that is not embedded.
        initialFontName=fonts.REGULAR,
        leftMargin=MARGIN_X,
        rightMargin=MARGIN_X,
    )
    # Pages after the first have a slim header, so their body starts higher.
    frames = [Frame(MARGIN_X, furniture.body_bottom, furniture.width, top - furniture.body_bottom, leftPadding=0,
                    rightPadding=0, topPadding=0, bottomPadding=0, id=f"body-{name}")
              for name, top in (("first", furniture.body_top), ("later", furniture.later_body_top))]
    doc.addPageTemplates([PageTemplate(id="first", frames=[frames[0]], autoNextPageTemplate="later"),
                          PageTemplate(id="later", frames=[frames[1]])])
    doc.build(story(leaflet, styles, furniture.width, furniture.body_top - furniture.body_bottom),
              canvasmaker=lambda *a, **k: _PagedCanvas(*a, furniture=furniture.draw, **k))
    return buffer.getvalue()


class _LeafletDoc(BaseDocTemplate):
    def afterFlowable(self, flowable):
        """Section headings become PDF bookmarks, for viewers' side panels."""
        title = getattr(flowable, "outline_title", None)
        if title:
            key = f"section-{self.page}-{id(flowable)}"
            self.canv.bookmarkPage(key)
            self.canv.addOutlineEntry(title, key, level=flowable.outline_level)


class _PagedCanvas(Canvas):
    """Holds every page back until the end, so each can say "Page X of Y"."""

    def __init__(self, *args, furniture, **kwargs):
        super().__init__(*args, **kwargs)
        fonts.prime(self._doc)
        self._furniture = furniture
        self._pages: list[dict] = []
        self._bookmarks: dict[int, list[str]] = {}

    def showPage(self):
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def bookmarkPage(self, key, **kwargs):
        # The real page object exists only once save() emits it.
        self._bookmarks.setdefault(len(self._pages), []).append(key)

    def save(self):
        total = len(self._pages)
        bookmarks = self._bookmarks
        links = self._annotationCount  # names every link so far; a page's state would count again from its own
        for index, state in enumerate(self._pages):
            self.__dict__.update(state)
            self._annotationCount = links
            self._furniture(self, index + 1, total)
            links = self._annotationCount
            for key in bookmarks.get(index, ()):
                super().bookmarkPage(key)
            super().showPage()
        super().save()
