"""The leaflet's blocks as a story of ReportLab flowables, with the rules that
keep a page readable: a heading, or a line ending in a colon, never ends a
page (a conditional page break before it asks for room for it and the lines
that must go with it; keepWithNext does the same but lays every pair out
twice), and what belongs together moves whole (handouts/render/keeping.py).
"""

from __future__ import annotations

from reportlab.platypus import CondPageBreak, Spacer

from . import pdfblocks, timeline
from .chart import recovery_chart
from ..leaflet.compose import Leaflet
from ..leaflet.document import Chart, Figure, Heading, ItemList, Paragraph, QRCode, Table, Timeline, plain_text
from .keeping import (Kept, break_before_headings, ends_block, height_of, keep_block_together, keep_items_together,
                      keep_section_together, last_heading, room_after, whole)
from .pdfstyles import Styles
from .rlmarkup import escape, markup, paragraph


def story(leaflet: Leaflet, styles: Styles, width: float, height: float) -> list:
    """ReportLab flowables for the leaflet's blocks, on pages `width` by `height` of body."""
    return _Story(leaflet, styles, width, height).build()


class _Story:
    def __init__(self, leaflet: Leaflet, styles: Styles, width: float, height: float):
        self.leaflet, self.styles, self.width, self.height = leaflet, styles, width, height
        self.flowables: list = []
        self.room = 2 * styles.body.leading  # asked for after a heading until what follows it is known
        self.qr = None  # a QR code, and where the flowables of the block to set beside it start
        self.treatment = None  # where the open block under a subheading (a treatment) starts

    def build(self) -> list:
        story = self.flowables
        for block in self.leaflet.document.blocks:
            contact = False
            if self.qr and len(story) > self.qr[1]:  # the block after the code is set beside it
                pdfblocks.beside(story, *self.qr, self.width, self.styles)
                self.qr, contact = None, isinstance(block, Paragraph)
            if self.treatment is not None and ends_block(block):
                keep_block_together(story, self.treatment, self.width, self.height)
                self.treatment = None
            match block:
                case Heading():
                    self.heading(block)
                case Paragraph():
                    self.paragraph(block, contact)
                case ItemList():
                    self.item_list(block)
                case Table():
                    story.append(pdfblocks.table(block, self.styles, self.width))
                case Figure():
                    self.figure(block)
                case Chart():
                    self.chart(block)
                case Timeline():
                    drawing = timeline.draw(block, self.leaflet.clinic.colours, self.width, self.styles.type.small,
                                            self.leaflet.language, self.leaflet.right_to_left)
                    story += [drawing, paragraph(escape(block.caption), self.styles.caption)]
                    keep_section_together(story)
                case QRCode():
                    self.qr = pdfblocks.qr_code(block, self.styles, story, self.width), len(story)
        if self.treatment is not None:
            keep_block_together(story, self.treatment, self.width, self.height)
        if self.qr:
            pdfblocks.beside(story, *self.qr, self.width, self.styles)
        return story

    def heading(self, block: Heading) -> None:
        story, style = self.flowables, self.styles.headings[block.level]
        para = paragraph(markup(block.runs), style)
        if block.level <= 2:  # a bookmark in the viewer's side panel
            para.outline_title = plain_text(block.runs)
            para.outline_level = block.level - 1
        needed = style.spaceBefore + para.wrap(self.width, 1e6)[1]  # its own lines: most headings take one
        if story and getattr(story[-1], "is_heading", False):
            story[-2].height += needed  # headings in a row travel together
        else:
            story.append(CondPageBreak(needed + self.room))
        para.is_heading = True
        story.append(para)
        if block.level == 3:
            self.treatment = len(story) - 2

    def paragraph(self, block: Paragraph, contact: bool) -> None:
        story, width = self.flowables, self.width
        label = plain_text(block.runs).rstrip().endswith(":")
        style = {"note": self.styles.note, "small": self.styles.small}.get(
            block.role, self.styles.label if label else self.styles.body)
        if label:
            story.append(CondPageBreak(style.leading + self.room))
        para = paragraph(markup(block.runs), style)
        para.is_label = label
        if para.wrap(width, 1e6)[1] < self.height * 0.3:  # a short paragraph moves whole, never split
            para.split = whole
        story.append(para)
        room_after(story, len(story) - 1, width, self.room)
        if contact and height_of(story[last_heading(story):], width) < self.height * 0.5:
            keep_section_together(story)  # how to reach the clinic stays beside the code
        elif block.role == "small" and isinstance(story[-2], Kept) and height_of(
                [*story[-2].flowables, para], width) < self.height * 0.5:
            story[-2:] = [Kept([*story[-2].flowables, para])]  # small print never alone

    def item_list(self, block: ItemList) -> None:
        story, width, items = self.flowables, self.width, block.items
        for number, item in enumerate(items, 1):
            story.append(paragraph(markup(item), *pdfblocks.bullet(self.styles, block.checklist, block.numbered,
                                                                   number)))
            story[-1].split = whole  # a step or point is never split; a list may be, between them
        first = len(story) - len(items)
        room_after(story, first, width, self.room)
        # A heading and the line under it go with the first two steps, not alone.
        page_break = break_before_headings(story, first - 1)
        if page_break and not getattr(story[first - 1], "is_heading", False):
            page_break.height += height_of(story[first:first + 2], width)
        if getattr(story[first - 1], "is_label", False):  # the line ending in a colon asks for its first two items
            story[first - 2].height = height_of(story[first - 1:first + 2], width)
        story.append(Spacer(1, self.styles.type.body * 0.15))
        if self.qr is not None:  # beside a QR code, the table holding both keeps them
            return
        if block.checklist and height_of(story[last_heading(story):], width) < self.height * 0.5:
            keep_section_together(story)  # a tool to tick and bring along: on one page where it can be
        elif len(items) >= 4:  # a longer list may break between its items, leaving two or more on each page
            if heading_break := break_before_headings(story, first):
                heading_break.height += height_of(story[first + 1:first + 2], width)
            story[-3:] = [Kept(story[-3:])]
        else:
            keep_items_together(story, len(items) + 1, width, self.height)

    def figure(self, block: Figure) -> None:
        story = self.flowables
        story.append(pdfblocks.figure(block, self.leaflet, self.styles, self.width))
        if getattr(story[-2], "is_heading", False):  # a heading never ends a page above its picture
            keep_section_together(story)

    def chart(self, block: Chart) -> None:
        story = self.flowables
        self.treatment = None  # the chart keeps itself together, or splits between rows
        chart = recovery_chart(block, self.leaflet.clinic.colours, self.styles.type.small, self.leaflet.right_to_left)
        story += [chart, paragraph(escape(block.caption), self.styles.caption) if block.caption else Spacer(1, 10)]
        keep_section_together(story)
        if height_of(story[-1].flowables, self.width) > self.height / 2:
            # Moved whole, it could leave a page more than half empty: it splits between rows instead.
            story[-1:] = [CondPageBreak(chart.minimum_height + self.room), *story[-1].flowables]
