"""The leaflet's lists, tables, pictures and QR code as ReportLab flowables."""

from __future__ import annotations

from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Table as RLTable
from reportlab.platypus import TableStyle

from . import fonts, pictures
from .chart import GRID
from ..leaflet.compose import Leaflet
from ..leaflet.document import Figure, QRCode, Table, plain_text
from .keeping import break_before_headings, height_of
from .pdfstyles import Styles
from .qr import QRCodeFlowable
from .rlmarkup import escape, markup, paragraph


def bullet(styles: Styles, checklist: bool, numbered: bool, number: int) -> tuple:
    """The style and the bullet of a list item: a dot, a box, a number, or a number and a box."""
    if numbered:
        return (styles.check_step, f"{number}.  ☐") if checklist else (styles.step, f"{number}.")
    return (styles.check, "☐") if checklist else (styles.item, "•")


def figure(block: Figure, leaflet: Leaflet, styles: Styles, width: float):
    """The diagram with its caption beside it, or under it where the column
    beside it would hold fewer than about 30 letters a line (large print)."""
    drawing = pictures.draw(block.picture, leaflet.picture_labels, leaflet.clinic.colours, leaflet.large_print,
                            leaflet.right_to_left)
    caption = paragraph(markup(block.caption), styles.body)
    gap = 14
    if width - drawing.width - gap >= 16 * styles.type.body:
        cells = [_in_page_order(styles, [drawing, caption])]
        widths = _in_page_order(styles, [drawing.width + gap, width - drawing.width - gap])
    else:
        cells, widths = [[drawing], [caption]], [width]
    result = RLTable(cells, colWidths=widths, hAlign=_start(styles),
                     style=[("FONT", (0, 0), (-1, -1), fonts.REGULAR, styles.type.small),
                            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                            ("RIGHTPADDING", (0, 0), (-1, -1), 0), ("TOPPADDING", (0, 0), (-1, -1), 2),
                            ("BOTTOMPADDING", (0, 0), (-1, -1), 2), *_aligned(styles)])
    result.spaceBefore, result.spaceAfter = 0, styles.type.body * 0.3
    return result


def qr_code(block: QRCode, styles: Styles, story: list, width: float) -> QRCodeFlowable:
    """The code with its caption; a heading just before it asks for room for it too."""
    code = QRCodeFlowable(block.address, paragraph(escape(block.caption), styles.qr_caption),
                          styles.type.small * 7.5)
    # Or a column as wide as the caption, on one line (see beside).
    code.widths = (code.width, max(code.width, min(code.width * 1.8, 4 + stringWidth(
        block.caption, fonts.REGULAR, styles.type.small))))
    if page_break := break_before_headings(story, len(story)):
        page_break.height += code.wrap(width, 1e6)[1]
    return code


def beside(story: list, code: QRCodeFlowable, start: int, width: float, styles: Styles) -> None:
    """The code in a column at the end of what follows it, the right (the left on
    a right-to-left page); a paragraph is never split around it, so it never
    leaves a gap mid-sentence. Of a narrow column
    (the caption on two lines) and a wide one (the lines beside it shorter), the
    one that makes the pair less tall."""
    gap, beside_it = 14, story[start:]

    def height(column: float) -> float:
        code.width = column
        return max(height_of(beside_it, width - column - gap), code.wrap(column, 1e6)[1])

    code.width = min(code.widths, key=height)
    table = RLTable([_in_page_order(styles, [beside_it or "", code])],
                    colWidths=_in_page_order(styles, [width - code.width - gap, code.width + gap]),
                    hAlign=_start(styles), splitInRow=1)
    code_column, gap_side = (0, "RIGHTPADDING") if styles.right_to_left else (1, "LEFTPADDING")
    table.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), fonts.REGULAR), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                               (gap_side, (code_column, 0), (code_column, 0), gap),
                               ("TOPPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 0)]))
    story[start:] = [table]


def table(block: Table, styles: Styles, width: float) -> RLTable:
    """A table with a header row, or one block per row where its columns would not fit (large print)."""
    columns = len(block.header)
    rows = [list(row) + [()] * (columns - len(row)) for row in block.rows]
    # The first column names things: wide enough for its longest word
    # (bold), so no treatment name is split mid-word.
    first = min(max(width * 1.4 / (columns + 0.4), _longest_word([r[0] for r in [block.header, *rows]], styles.type.small) + 14),
                width * 0.4)
    widths = [first] + [(width - first) / (columns - 1)] * (columns - 1) if columns > 1 else [width]
    fits = all(_longest_word([block.header[i], *(r[i] for r in rows)], styles.type.small) + 12 <= widths[i] for i in range(columns))
    if fits:
        cells = [[paragraph(markup(cell), styles.header_cell) for cell in block.header]]
        cells += [[paragraph(markup(cell), styles.cell) for cell in row[:columns]] for row in rows]
        result = RLTable([_in_page_order(styles, row) for row in cells], colWidths=_in_page_order(styles, widths),
                         repeatRows=1, hAlign=_start(styles))
        result.setStyle(TableStyle(_TABLE_LOOK + [
            ("BACKGROUND", (0, 0), (-1, 0), styles.accent),
            ("LINEBELOW", (0, 0), (-1, 0), 1.2, styles.primary),
            ("LINEBELOW", (0, 1), (-1, -1), 0.5, GRID),
            ("BOX", (0, 0), (-1, -1), 0.8, styles.primary),
        ]))
    else:
        result = _stacked_table(block.header, rows, styles, width)
    result.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), fonts.REGULAR, styles.type.small)]))
    result.spaceAfter = styles.type.body * 0.6
    return result


def _in_page_order(styles: Styles, columns: list) -> list:
    """A row's cells, or a table's column widths, in the order they stand on the page, from the left: on a
    right-to-left page the first column is at the right."""
    return columns[::-1] if styles.right_to_left else columns


def _start(styles: Styles) -> str:
    """The side a table stands at when narrower than the page: where lines start."""
    return "RIGHT" if styles.right_to_left else "LEFT"


def _aligned(styles: Styles) -> list[tuple]:
    """On a right-to-left page, what a cell holds stands at its right."""
    return [("ALIGN", (0, 0), (-1, -1), "RIGHT")] if styles.right_to_left else []


# Cells are paragraphs, but Table still selects its own default font (set per table).
_TABLE_LOOK = [
    ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ("LEFTPADDING", (0, 0), (-1, -1), 6),
    ("RIGHTPADDING", (0, 0), (-1, -1), 6),
    ("TOPPADDING", (0, 0), (-1, -1), 3),
    ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
]


def _stacked_table(header, rows, styles: Styles, width: float) -> RLTable:
    """Too many columns for the type size (large print): one block per row,
    its name across the top and each column's heading beside its value."""
    label_width = min(max(stringWidth(plain_text(h), fonts.BOLD, styles.type.small) for h in header[1:]) + 14,
                      width * 0.45)
    cells, look = [], list(_TABLE_LOOK)
    for row in rows:
        top = len(cells)
        cells.append([paragraph(markup(row[0]), styles.header_cell), ""])
        cells += [_in_page_order(styles, [paragraph(markup(h), styles.header_cell),
                                          paragraph(markup(v), styles.cell)]) for h, v in zip(header[1:], row[1:])]
        look += [("SPAN", (0, top), (1, top)), ("BACKGROUND", (0, top), (1, top), styles.accent),
                 ("BOX", (0, top), (1, len(cells) - 1), 0.8, styles.primary),
                 ("LINEBELOW", (0, top), (1, len(cells) - 2), 0.5, GRID)]
    result = RLTable(cells, colWidths=_in_page_order(styles, [label_width, width - label_width]),
                     hAlign=_start(styles))
    result.setStyle(TableStyle(look))
    return result


def _longest_word(cells, size: float) -> float:
    """Width of the longest word in these cells, in bold (the widest case)."""
    return max((stringWidth(word, fonts.BOLD, size) for cell in cells
                for word in plain_text(cell).split()), default=0)
