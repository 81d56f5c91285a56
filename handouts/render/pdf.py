"""Drawing a composed leaflet as a PDF with ReportLab.

Clear print: body text 14 pt, left aligned, bold for emphasis; the brand
header and the footer sit in the same place on every page; the footer's
"Page X of Y" is filled in once the page count is known.
"""

from __future__ import annotations

import functools
import io
from dataclasses import dataclass

from reportlab import rl_config
from reportlab.lib.colors import HexColor
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfdoc
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, CondPageBreak, Frame, KeepTogether, PageTemplate, Spacer
from reportlab.platypus import Table as RLTable
from reportlab.platypus import TableStyle

from .. import __version__
from . import fonts, pictures, timeline
from .chart import GRID, recovery_chart
from .furniture import MARGIN_X, Furniture
from ..leaflet.compose import Leaflet
from ..leaflet.content import Colours
from ..leaflet.document import Chart, Figure, Heading, ItemList, Paragraph, QRCode, Table, Timeline, plain_text
from ..paper import PAPERS
from .qr import QRCodeFlowable
from .rlmarkup import escape, markup, paragraph

# Plain zlib streams: ASCII85 on top makes files a quarter bigger and slower.
rl_config.useA85 = 0


def _compress_fonts_once() -> None:
    """Every leaflet embeds the same first font subsets (see fonts.prime);
    compress such large, repeated streams once per process, not per leaflet."""
    compress = pdfdoc.PDFZCompress.encode
    remembered = functools.lru_cache(maxsize=16)(compress)
    pdfdoc.PDFZCompress.encode = lambda data: remembered(data) if len(data) > 8192 else compress(data)


_compress_fonts_once()


@dataclass(frozen=True)
class Typography:
    body: float = 14
    small: float = 12
    h1: float = 23
    h2: float = 17
    h3: float = 15.5
    furniture: float = 12  # header and footer: clear print's smallest size too
    leading: float = 1.25


# Large print: body text well over 16 pt, nothing under 16 pt, everything else scaled with it.
LARGE_PRINT = Typography(body=18, small=16, h1=30, h2=24, h3=20, furniture=16)


class _Styles:
    """Paragraph styles for one brand and one type scale."""

    def __init__(self, colours: Colours, type_scale: Typography):
        self.primary = HexColor(colours.primary)
        self.accent = HexColor(colours.accent)
        self.text = HexColor(colours.text)
        t = self.type = type_scale

        def style(name, size, font=fonts.REGULAR, colour=self.text, leading=t.leading, **extra):
            # No single line of a paragraph left alone at a page's top or foot.
            return ParagraphStyle(name, fontName=font, fontSize=size, leading=size * leading, textColor=colour,
                                  splitLongWords=True, allowWidows=0, allowOrphans=0, **extra)

        self.body = style("body", t.body, spaceAfter=t.body * 0.3)
        self.small = style("small", t.small, spaceAfter=t.small * 0.5)
        self.note = style("note", t.body, backColor=self.accent, borderPadding=(5, 9, 6, 9),
                          leftIndent=9, rightIndent=9, spaceBefore=t.body * 0.45, spaceAfter=t.body * 0.85)
        # Bullets need our font too: ReportLab's default has no tick box.
        self.item = style("item", t.body, leftIndent=t.body * 1.5, bulletIndent=t.body * 0.2,
                          bulletFontName=fonts.REGULAR, bulletFontSize=t.body, spaceAfter=t.body * 0.12)
        self.check = style("check", t.body, leftIndent=t.body * 1.8, bulletIndent=0,
                           bulletFontName=fonts.REGULAR, bulletFontSize=t.body * 1.3, spaceAfter=t.body * 0.12)
        # Numbered steps: the number, then (in a checklist) the box to tick.
        self.step = style("step", t.body, leftIndent=t.body * 1.6, bulletIndent=0,
                          bulletFontName=fonts.BOLD, bulletFontSize=t.body, spaceAfter=t.body * 0.12)
        self.check_step = style("check-step", t.body, leftIndent=t.body * 2.9, bulletIndent=0,
                                bulletFontName=fonts.BOLD, bulletFontSize=t.body, spaceAfter=t.body * 0.12)
        self.cell = style("cell", t.small, leading=1.25)
        self.header_cell = style("header-cell", t.small, fonts.BOLD, leading=1.25)
        self.caption = style("caption", t.small, spaceBefore=6, spaceAfter=t.small * 0.4)
        self.qr_caption = style("qr-caption", t.small, leading=1.25, alignment=TA_CENTER)
        self.headings = {
            1: style("h1", t.h1, fonts.BOLD, self.primary, 1.2, spaceAfter=t.h1 * 0.25),
            2: style("h2", t.h2, fonts.BOLD, self.primary, 1.2, spaceBefore=t.h2 * 0.45, spaceAfter=t.h2 * 0.2),
            3: style("h3", t.h3, fonts.BOLD, self.text, 1.25, spaceBefore=t.h3 * 0.45, spaceAfter=t.h3 * 0.2),
        }
        self.furniture = style("furniture", t.furniture, leading=1.3)
        self.furniture_right = style("furniture-right", t.furniture, leading=1.3, alignment=TA_RIGHT)
        self.clinic_name = style("clinic", t.furniture * 1.3, fonts.BOLD, self.primary, 1.2)


# Styles live as long as the process, so parsed paragraphs can be reused.
_styles = functools.lru_cache(maxsize=16)(_Styles)


def render_pdf(leaflet: Leaflet, *, invariant: bool = False) -> bytes:
    """The leaflet as PDF bytes. `invariant` makes builds byte-identical."""
    fonts.register()
    fonts.use(leaflet.extra_fonts)
    styles = _styles(leaflet.clinic.colours, LARGE_PRINT if leaflet.large_print else Typography())
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
    doc.build(_story(leaflet, styles, furniture.width, furniture.body_top - furniture.body_bottom),
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


def _story(leaflet: Leaflet, styles: _Styles, width: float, height: float) -> list:
    """ReportLab flowables for the blocks.

    A heading, or a line ending in a colon, must not end a page: a
    conditional page break before it asks for room for it and the lines of
    what follows that must go with it (see _room_after).
    (keepWithNext does the same but lays every pair out twice.)
    """
    story = []
    room = 2 * styles.body.leading  # until what follows the heading is known
    qr = None  # a QR code, and where the flowables of the block to set beside it start
    treatment = None  # where the open block under a subheading (a treatment) starts
    for block in leaflet.document.blocks:
        contact = False
        if qr and len(story) > qr[1]:  # the block after the code is set beside it
            _beside(story, *qr, width)
            qr, contact = None, isinstance(block, Paragraph)
        if treatment is not None and _ends_block(block):
            _keep_block_together(story, treatment, width, height)
            treatment = None
        match block:
            case Heading(level=level, runs=runs):
                style = styles.headings[level]
                para = paragraph(markup(runs), style)
                if level <= 2:
                    para.outline_title = plain_text(runs)
                    para.outline_level = level - 1
                needed = style.spaceBefore + 2 * style.leading
                if story and getattr(story[-1], "is_heading", False):
                    story[-2].height += needed  # headings in a row travel together
                else:
                    story.append(CondPageBreak(needed + room))
                para.is_heading = True
                story.append(para)
                if level == 3:
                    treatment = len(story) - 2
            case Paragraph(runs=runs, role=role):
                style = {"note": styles.note, "small": styles.small}.get(role, styles.body)
                label = plain_text(runs).rstrip().endswith(":")
                if label:
                    story.append(CondPageBreak(style.leading + room))
                para = paragraph(markup(runs), style)
                para.is_label = label
                if para.wrap(width, 1e6)[1] < height * 0.3:  # a short paragraph moves whole, never split
                    para.split = _whole
                story.append(para)
                _room_after(story, len(story) - 1, width, room)
                if contact and _height(story[_last_heading(story):], width) < height * 0.5:
                    _keep_section_together(story)  # how to reach the clinic stays beside the code
                elif role == "small" and isinstance(story[-2], _KeepTogether) and _height(
                        [*story[-2]._content, para], width) < height * 0.5:
                    story[-2:] = [_KeepTogether([*story[-2]._content, para], extra=6)]  # small print never alone
            case ItemList(items=items, checklist=checklist, numbered=numbered):
                for n, item in enumerate(items, 1):
                    story.append(paragraph(markup(item), *_bullet(styles, checklist, numbered, n)))
                    story[-1].split = _whole  # a step or point is never split; a list may be, between them
                first = len(story) - len(items)
                _room_after(story, first, width, room)
                # A heading and the line under it go with the first two steps, not alone.
                if (page_break := _break_before_headings(story, first - 1)) and not getattr(story[first - 1], "is_heading", False):
                    page_break.height += _height(story[first:first + 2], width)
                story.append(Spacer(1, styles.type.body * 0.25))
                if checklist and _height(story[_last_heading(story):], width) < height * 0.5:
                    _keep_section_together(story)  # a tool to tick and bring along: on one page where it can be
                elif qr is None:  # beside a QR code, the table holding both keeps them
                    _keep_items_together(story, len(items) + 1, width, height)
            case Table():
                story.append(_table(block, styles, width))
            case Figure():
                story.append(_figure(block, leaflet, styles, width))
                if getattr(story[-2], "is_heading", False):  # a heading never ends a page above its picture
                    _keep_section_together(story)
            case Chart():
                treatment = None  # the chart keeps itself together, or splits between rows
                chart = recovery_chart(block, leaflet.clinic.colours, styles.type.small)
                story += [chart, paragraph(escape(block.caption), styles.caption) if block.caption else Spacer(1, 10)]
                _keep_section_together(story)
                if _height(story[-1]._content, width) > height / 2:
                    # Moved whole, it could leave a page more than half empty: it splits between rows instead.
                    story[-1:] = [CondPageBreak(chart.minimum_height + room), *story[-1]._content]
            case Timeline():
                drawing = timeline.draw(block, leaflet.clinic.colours, width, styles.type.small)
                story += [drawing, paragraph(escape(block.caption), styles.caption)]
                _keep_section_together(story)
            case QRCode():
                qr = _qr_code(block, styles, story, width), len(story)
    if treatment is not None:
        _keep_block_together(story, treatment, width, height)
    if qr:
        _beside(story, *qr, width)
    return story


def _whole(*_) -> list:
    """The split of a flowable that is never split: it goes whole to the next page."""
    return []


def _ends_block(block) -> bool:
    """A treatment's own block ends at the next heading, or where the clinic's lists begin."""
    return isinstance(block, Heading) or isinstance(block, Paragraph) and (
        block.role == "note" or plain_text(block.runs).rstrip().endswith(":"))


def _keep_block_together(story: list, start: int, width: float, height: float) -> None:
    """story[start:] (a heading's page break, the heading and what follows) on one page, where
    it is short enough that moving it whole leaves no page much emptier than half."""
    if _height(story[start:], width) < height * 0.45:
        inner = [g for f in story[start:] for g in (f._content if isinstance(f, KeepTogether) else [f])]
        story[start:] = [_KeepTogether([Spacer(0, 0), *inner])]


def _keep_items_together(story: list, count: int, width: float, height: float) -> None:
    """A short list (the last `count` flowables) on one page, with the line ending in a colon before it."""
    start = len(story) - count
    if start >= 2 and getattr(story[start - 1], "is_label", False):
        start -= 2  # the label and the page break before it
    elif getattr(story[start - 1], "is_heading", False):  # the headings over it, and their page break
        while start and getattr(story[start - 1], "is_heading", False):
            start -= 1
        start -= isinstance(story[start - 1], CondPageBreak)
    if _height(story[start:], width) < height * 0.25:
        story[start:] = [_KeepTogether([Spacer(0, 0), *story[start:]])]


def _bullet(styles: _Styles, checklist: bool, numbered: bool, number: int) -> tuple:
    """The style and the bullet of a list item: a dot, a box, a number, or a number and a box."""
    if numbered:
        return (styles.check_step, f"{number}.  ☐") if checklist else (styles.step, f"{number}.")
    return (styles.check, "☐") if checklist else (styles.item, "•")


def _figure(figure: Figure, leaflet: Leaflet, styles: _Styles, width: float):
    """The diagram with its caption beside it, or under it where the column
    beside it would hold fewer than about 30 letters a line (large print)."""
    drawing = pictures.draw(figure.picture, leaflet.picture_labels, leaflet.clinic.colours, leaflet.large_print)
    caption = paragraph(markup(figure.caption), styles.body)
    gap = 14
    if width - drawing.width - gap >= 16 * styles.type.body:
        cells, widths = [[drawing, caption]], [drawing.width + gap, width - drawing.width - gap]
    else:
        cells, widths = [[drawing], [caption]], [width]
    result = RLTable(cells, colWidths=widths, hAlign="LEFT",
                     style=[("FONT", (0, 0), (-1, -1), fonts.REGULAR, styles.type.small),
                            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                            ("RIGHTPADDING", (0, 0), (-1, -1), 0), ("TOPPADDING", (0, 0), (-1, -1), 2),
                            ("BOTTOMPADDING", (0, 0), (-1, -1), 2)])
    result.spaceBefore, result.spaceAfter = styles.type.body * 0.2, styles.type.body * 0.5
    return result


def _qr_code(block: QRCode, styles: _Styles, story: list, width: float) -> QRCodeFlowable:
    """The code with its caption; a heading just before it asks for room for it too."""
    code = QRCodeFlowable(block.address, paragraph(escape(block.caption), styles.qr_caption),
                          styles.type.small * 7.5)
    if page_break := _break_before_headings(story, len(story)):
        page_break.height += code.wrap(width, 1e6)[1]
    return code


def _beside(story: list, code: QRCodeFlowable, start: int, width: float) -> None:
    """The code in a column at the right of what follows it (a paragraph is never
    split around it, so it never leaves a gap mid-sentence)."""
    gap = 14
    beside = RLTable([[story[start:] or "", code]], colWidths=[width - code.width - gap, code.width + gap],
                     hAlign="LEFT", splitInRow=1)
    beside.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), fonts.REGULAR), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                ("LEFTPADDING", (1, 0), (1, 0), gap), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                                ("TOPPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 0)]))
    story[start:] = [beside]


def _height(flowables: list, width: float) -> float:
    return sum(_height(f._content, width) if isinstance(f, KeepTogether)
               else f.wrap(width, 1e6)[1] + f.getSpaceBefore() + f.getSpaceAfter() for f in flowables)


def _break_before_headings(story: list, end: int) -> CondPageBreak | None:
    """The page break before the headings that end just before story[end]
    (headings in a row share one), if story[end - 1] is a heading."""
    before = end - 1
    if before < 1 or not getattr(story[before], "is_heading", False):
        return None
    while before and getattr(story[before], "is_heading", False):
        before -= 1
    return story[before] if isinstance(story[before], CondPageBreak) else None


def _room_after(story: list, at: int, width: float, room: float) -> None:
    """Once the paragraph after a heading (story[at]) is known, the heading's
    page break asks for the lines that must travel with it: no paragraph is
    split to leave one line alone, so one of three lines or fewer goes whole, as does
    one that is never split."""
    if page_break := _break_before_headings(story, at):
        para = story[at]
        lines = round(para.wrap(width, 1e6)[1] / para.style.leading)
        whole = lines <= 3 or getattr(para, "split", None) is _whole  # a paragraph that moves whole goes with it
        page_break.height += (lines if whole else 2) * para.style.leading - room


def _last_heading(story: list) -> int:
    return max(i for i, f in enumerate(story) if getattr(f, "is_heading", False))


def _keep_section_together(story: list) -> None:
    """Everything from the last heading on goes on one page (or starts a
    new one); the heading's own page break is then not needed."""
    start = _last_heading(story)
    if start and isinstance(story[start - 1], CondPageBreak):
        start -= 1
    story[start:] = [_KeepTogether([Spacer(0, 0), *story[start:]])]


class _KeepTogether(KeepTogether):
    """KeepTogether that asks for a line more than it measures: ReportLab's
    own sum of the heights came up to 15 pt short of what the frame then used
    (a checklist lost its last box to the next page), and it measures without
    its first item's space before (hence the empty first item above)."""

    def __init__(self, flowables, extra: float = 20):
        super().__init__(flowables)
        self._extra = extra  # less where the block ends in a paragraph that is never split

    def wrap(self, available_width, available_height):
        width, height = super().wrap(available_width, available_height)
        self._H += self._extra
        return width, height


def _table(table: Table, styles: _Styles, width: float) -> RLTable:
    columns = len(table.header)
    rows = [list(row) + [()] * (columns - len(row)) for row in table.rows]
    # The first column names things: wide enough for its longest word
    # (bold), so no treatment name is split mid-word.
    first = min(max(width * 1.4 / (columns + 0.4), _longest_word([r[0] for r in [table.header, *rows]], styles.type.small) + 14),
                width * 0.4)
    widths = [first] + [(width - first) / (columns - 1)] * (columns - 1) if columns > 1 else [width]
    fits = all(_longest_word([table.header[i], *(r[i] for r in rows)], styles.type.small) + 12 <= widths[i] for i in range(columns))
    if fits:
        cells = [[paragraph(markup(cell), styles.header_cell) for cell in table.header]]
        cells += [[paragraph(markup(cell), styles.cell) for cell in row[:columns]] for row in rows]
        result = RLTable(cells, colWidths=widths, repeatRows=1, hAlign="LEFT")
        result.setStyle(TableStyle(_TABLE_LOOK + [
            ("BACKGROUND", (0, 0), (-1, 0), styles.accent),
            ("LINEBELOW", (0, 0), (-1, 0), 1.2, styles.primary),
            ("LINEBELOW", (0, 1), (-1, -1), 0.5, GRID),
            ("BOX", (0, 0), (-1, -1), 0.8, styles.primary),
        ]))
    else:
        result = _stacked_table(table.header, rows, styles, width)
    result.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), fonts.REGULAR, styles.type.small)]))
    result.spaceAfter = styles.type.body * 0.6
    return result


# Cells are paragraphs, but Table still selects its own default font (set per table).
_TABLE_LOOK = [
    ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ("LEFTPADDING", (0, 0), (-1, -1), 6),
    ("RIGHTPADDING", (0, 0), (-1, -1), 6),
    ("TOPPADDING", (0, 0), (-1, -1), 3),
    ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
]


def _stacked_table(header, rows, styles: _Styles, width: float) -> RLTable:
    """Too many columns for the type size (large print): one block per row,
    its name across the top and each column's heading beside its value."""
    label_width = min(max(stringWidth(plain_text(h), fonts.BOLD, styles.type.small) for h in header[1:]) + 14,
                      width * 0.45)
    cells, look = [], list(_TABLE_LOOK)
    for row in rows:
        top = len(cells)
        cells.append([paragraph(markup(row[0]), styles.header_cell), ""])
        cells += [[paragraph(markup(h), styles.header_cell), paragraph(markup(v), styles.cell)]
                  for h, v in zip(header[1:], row[1:])]
        look += [("SPAN", (0, top), (1, top)), ("BACKGROUND", (0, top), (1, top), styles.accent),
                 ("BOX", (0, top), (1, len(cells) - 1), 0.8, styles.primary),
                 ("LINEBELOW", (0, top), (1, len(cells) - 2), 0.5, GRID)]
    result = RLTable(cells, colWidths=[label_width, width - label_width], hAlign="LEFT")
    result.setStyle(TableStyle(look))
    return result


def _longest_word(cells, size: float) -> float:
    """Width of the longest word in these cells, in bold (the widest case)."""
    return max((stringWidth(word, fonts.BOLD, size) for cell in cells
                for word in plain_text(cell).split()), default=0)
