"""What must stay together on a page, and what may move whole to the next.

No heading, or line ending in a colon, ends a page; a treatment's block, a
short list, a checklist, a chart with its caption and the contact section move
whole to the next page where they would be split, as long as moving them
leaves no page much emptier than half.
"""

from __future__ import annotations

from reportlab.platypus import CondPageBreak, KeepTogether, Spacer

from ..leaflet.document import Heading, Paragraph, plain_text


def whole(*_) -> list:
    """The split of a flowable that is never split: it goes whole to the next page."""
    return []


class Kept(KeepTogether):
    """KeepTogether that measures what the frame will use. ReportLab's sum skips
    a first item of no height and then leaves out the next one's space before,
    which the frame does use mid-page (a checklist lost its last box to the next
    page): so the first item is a spacer of a hair's height, and a little room
    is kept to spare."""

    _SPARE = 2

    def __init__(self, flowables: list):
        super().__init__([Spacer(0, 0.01), *flowables])
        self.flowables = flowables

    def wrap(self, available_width, available_height):
        width, height = super().wrap(available_width, available_height)
        self._H += self._SPARE
        return width, height


def unkept(flowables: list) -> list:
    """The flowables, with those of a kept group in its place."""
    return [g for f in flowables for g in (f.flowables if isinstance(f, Kept) else [f])]


def height_of(flowables: list, width: float) -> float:
    return sum(height_of(f.flowables, width) if isinstance(f, Kept)
               else f.wrap(width, 1e6)[1] + f.getSpaceBefore() + f.getSpaceAfter() for f in flowables)


def ends_block(block) -> bool:
    """A treatment's own block ends at the next heading, or where the clinic's lists begin."""
    return isinstance(block, Heading) or isinstance(block, Paragraph) and (
        block.role == "note" or plain_text(block.runs).rstrip().endswith(":"))


def keep_block_together(story: list, start: int, width: float, height: float) -> None:
    """story[start:] (a heading's page break, the heading and what follows) on one page, where
    it is short enough that moving it whole leaves no page much emptier than half."""
    if height_of(story[start:], width) < height * 0.45:
        story[start:] = [Kept(unkept(story[start:]))]


def keep_items_together(story: list, count: int, width: float, height: float) -> None:
    """A short list (the last `count` flowables) on one page, with the line ending in a colon before it."""
    start = len(story) - count
    if start >= 2 and getattr(story[start - 1], "is_label", False):
        start -= 2  # the label and the page break before it
    elif getattr(story[start - 1], "is_heading", False):  # the headings over it, and their page break
        while start and getattr(story[start - 1], "is_heading", False):
            start -= 1
        start -= isinstance(story[start - 1], CondPageBreak)
    if height_of(story[start:], width) < height * 0.25:
        story[start:] = [Kept(story[start:])]


def keep_section_together(story: list) -> None:
    """Everything from the last heading on goes on one page (or starts a
    new one); the heading's own page break is then not needed."""
    start = last_heading(story)
    if start and isinstance(story[start - 1], CondPageBreak):
        start -= 1
    story[start:] = [Kept(story[start:])]


def last_heading(story: list) -> int:
    return max(i for i, f in enumerate(story) if getattr(f, "is_heading", False))


def break_before_headings(story: list, end: int) -> CondPageBreak | None:
    """The page break before the headings that end just before story[end]
    (headings in a row share one), if story[end - 1] is a heading."""
    before = end - 1
    if before < 1 or not getattr(story[before], "is_heading", False):
        return None
    while before and getattr(story[before], "is_heading", False):
        before -= 1
    return story[before] if isinstance(story[before], CondPageBreak) else None


def room_after(story: list, at: int, width: float, room: float) -> None:
    """Once the paragraph after a heading (story[at]) is known, the heading's
    page break asks for the lines that must travel with it: no paragraph is
    split to leave one line alone, so one of three lines or fewer goes whole, as does
    one that is never split."""
    if page_break := break_before_headings(story, at):
        para = story[at]
        lines = round(para.wrap(width, 1e6)[1] / para.style.leading)
        moves_whole = lines <= 3 or getattr(para, "split", None) is whole  # it goes with the heading
        page_break.height += (lines if moves_whole else 2) * para.style.leading - room
