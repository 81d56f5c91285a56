"""The header and footer of a PDF leaflet, measured once and drawn on every page.

Page 1 carries the full brand header (logo, name and address, phone, email
and website); every later page a slim one in the same place on each (the
clinic's name and phone on one line), so the body has more room. The footer
is the same on every page; its "Page X of Y" is filled in per page. On a
page that reads right to left every piece stands mirrored (the logo at the
right, the page number at the left).
"""

from __future__ import annotations

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch, mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from . import fonts, logo
from ..leaflet.compose import Leaflet
from ..leaflet.document import Paragraph, plain_text
from .rlmarkup import BidiParagraph, escape, escape_attribute, markup, paragraph, prepare

MARGIN_X = 16 * mm
# Above the header and below the footer, by paper. US Letter is 50 pt shorter than A4 (and 17 pt wider): it
# takes 8 pt a page back here (a quarter inch at the top, 0.3 inch at the foot), so that one treatment with the
# clinic's lists still fits one sheet.
_MARGINS = {"letter": (0.25 * inch, 0.3 * inch)}
_MARGINS_OTHERWISE = (8 * mm, 9 * mm)
_RULE_GAP = 6  # between the header's last line and its rule
_BODY_GAP = 8  # between the rule and the body


class Furniture:
    """The brand header (full on page 1, slim after) and the footer."""

    def __init__(self, leaflet: Leaflet, styles, page_size, forms: str = "furniture"):
        self.leaflet, self.styles = leaflet, styles
        self.forms = forms  # what its forms are called: each part of a bilingual leaflet has its own
        self.right_to_left = leaflet.right_to_left
        self.page_width, self.page_height = page_size
        self.width = self.page_width - 2 * MARGIN_X
        self.margin_top, margin_bottom = _MARGINS.get(leaflet.paper, _MARGINS_OTHERWISE)
        clinic = leaflet.clinic
        self.has_logo = clinic.logo is not None
        self.logo_width, self.logo_height = logo.size(clinic.logo) if self.has_logo else (0, 0)
        text_x = self.logo_width + 12 if self.has_logo else 0
        # As wide as the longest contact detail, so an address never breaks mid-word.
        self.contact_width = min(self.width * 0.5, 2 + max(stringWidth(text, fonts.REGULAR, styles.furniture.fontSize)
                                                           for text in (clinic.phone, clinic.email, clinic.website)))
        self.name_block = BidiParagraph(prepare(
            f'<font name="{fonts.BOLD}" size="{styles.clinic_name.fontSize}" color="{clinic.colours.primary}">'
            f"{escape(clinic.name)}</font><br/>{escape(clinic.address)}"),
            ParagraphStyle("name-block", parent=styles.furniture, leading=styles.furniture.fontSize * 1.3),
        )
        self.contacts = BidiParagraph(prepare("<br/>".join(
            f'<a href="{escape_attribute(link)}">{escape(text)}</a>' for text, link in (
                (clinic.phone, clinic.phone_link), (clinic.email, clinic.email_link),
                (clinic.website, clinic.website_link)))), styles.furniture_right)
        name_h = self.name_block.wrap(self.width - text_x - self.contact_width - 12, 1000)[1]
        contacts_h = self.contacts.wrap(self.contact_width, 1000)[1]
        self.header_height = max(self.logo_height, name_h, contacts_h)
        self.rule_y = self.page_height - self.margin_top - self.header_height - _RULE_GAP
        self.body_top = self.rule_y - _BODY_GAP
        self._slim_header(clinic)
        self.footer_rows = _footer_rows(leaflet.document.footer)
        self.footer_height, self.footer_cells = self._footer_cells()
        self.footer_top = margin_bottom + self.footer_height
        self.body_bottom = self.footer_top + 10

    def _slim_header(self, clinic) -> None:
        """Pages after the first: the clinic's name at the left, its phone at the right, on one line."""
        self.slim_phone = BidiParagraph(prepare(
            f'<a href="{escape_attribute(clinic.phone_link)}">{escape(clinic.phone)}</a>'), self.styles.furniture_right)
        phone_width = min(self.width * 0.4, 2 + stringWidth(clinic.phone, fonts.REGULAR, self.styles.furniture.fontSize))
        self.slim_phone_width = phone_width
        self.slim_name = BidiParagraph(prepare(
            f'<font name="{fonts.BOLD}" color="{clinic.colours.primary}">{escape(clinic.name)}</font>'),
            self.styles.furniture)
        height = max(self.slim_name.wrap(self.width - phone_width - 12, 1000)[1],
                     self.slim_phone.wrap(phone_width, 1000)[1])
        self.slim_rule_y = self.page_height - self.margin_top - height - _RULE_GAP
        self.later_body_top = self.slim_rule_y - _BODY_GAP

    def draw(self, canvas: Canvas, page: int, pages: int):
        """What never changes is drawn once as a form and placed on each page;
        only lines holding page numbers, and links, are drawn per page."""
        form = f"{self.forms}-first" if page == 1 else f"{self.forms}-later"
        if not canvas.hasForm(form):
            canvas.beginForm(form)
            self._header(canvas) if page == 1 else self._header_later(canvas)
            self._footer(canvas, page, pages, static=True)
            canvas.endForm()
        canvas.doForm(form)
        canvas.saveState()
        # Links belong to a page, not to the form: the contacts are drawn, with theirs, on each.
        top = self.page_height - self.margin_top
        if page == 1:
            self.contacts.drawOn(canvas, self._x(MARGIN_X + self.width - self.contact_width, self.contact_width),
                                 top - self.contacts.height)
        else:
            self.slim_phone.drawOn(canvas, self._x(MARGIN_X + self.width - self.slim_phone_width,
                                                   self.slim_phone_width), top - self.slim_phone.height)
        self._footer(canvas, page, pages, static=False)
        canvas.restoreState()

    def _header(self, canvas: Canvas):
        top = self.page_height - self.margin_top
        x = MARGIN_X
        if self.has_logo:
            canvas.drawImage(str(self.leaflet.clinic.logo), self._x(x, self.logo_width), top - self.logo_height,
                             self.logo_width, self.logo_height, preserveAspectRatio=True, mask="auto")
            x += self.logo_width + 12
        self.name_block.drawOn(canvas, self._x(x, self.name_block.width), top - self.name_block.height)
        self._rule(canvas, self.rule_y)

    def _header_later(self, canvas: Canvas):
        self.slim_name.drawOn(canvas, self._x(MARGIN_X, self.slim_name.width),
                              self.page_height - self.margin_top - self.slim_name.height)
        self._rule(canvas, self.slim_rule_y)

    def _x(self, x: float, width: float) -> float:
        """Where a piece `width` wide that stands at `x` on a left-to-right page stands on this one."""
        return self.page_width - x - width if self.right_to_left else x

    def _rule(self, canvas: Canvas, y: float):
        canvas.setStrokeColor(self.styles.primary)
        canvas.setLineWidth(1.5)
        canvas.line(MARGIN_X, y, MARGIN_X + self.width, y)

    def _footer_cells(self) -> tuple[float, list[tuple]]:
        """(height, [(top, x, width, paragraph, style)]): the footer laid out
        once, with the widest page numbers so no page's footer overflows."""
        cells, top = [], 0.0
        for left, right in self.footer_rows:
            row, right_width = [], 0.0
            if right is not None:
                # As wide as its widest form ("Page 999 of 999"), so it never wraps.
                right_width = min(self.width * 0.4, 2 + stringWidth(
                    plain_text(right.runs, 999, 999), fonts.REGULAR, self.styles.furniture.fontSize))
                row.append((top, MARGIN_X + self.width - right_width, right_width, right,
                            self.styles.furniture_right))
            if left is not None:
                gap = 12 if right_width else 0
                row.append((top, MARGIN_X, self.width - right_width - gap, left, self.styles.furniture))
            top += max(paragraph(markup(para.runs, 999, 999), style).wrap(width, 1000)[1]
                       for _, _, width, para, style in row)
            cells += row
        return top, cells

    def _footer(self, canvas: Canvas, page: int, pages: int, static: bool):
        """The footer lines without page numbers (`static`), or those with."""
        if static:
            canvas.setStrokeColor(self.styles.primary)
            canvas.setLineWidth(0.8)
            canvas.line(MARGIN_X, self.footer_top + 7, MARGIN_X + self.width, self.footer_top + 7)
        for top, x, width, para, style in self.footer_cells:
            if _numbered(para) != static:
                text = paragraph(markup(para.runs, page, pages), style)
                text.wrap(width, 1000)
                text.drawOn(canvas, self._x(x, width), self.footer_top - top - text.height)


def _numbered(para: Paragraph) -> bool:
    return any(run.field for run in para.runs)


def _footer_rows(footer: tuple[Paragraph, ...]) -> list[tuple[Paragraph | None, Paragraph | None]]:
    """Pair each right-aligned footer line with the line before it."""
    rows: list[tuple[Paragraph | None, Paragraph | None]] = []
    for para in footer:
        if para.role == "right":
            if rows and rows[-1][1] is None:
                rows[-1] = (rows[-1][0], para)
            else:
                rows.append((None, para))
        else:
            rows.append((para, None))
    return rows
