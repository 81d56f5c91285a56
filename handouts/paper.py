"""The paper sizes leaflets are made for, by the names --paper, a patient list's paper column and the
form take: each one's size as drawn (and as a print file's pages are known again), how the form
names it, its CSS name and the name CUPS prints it on."""

from __future__ import annotations

from dataclasses import dataclass

_INCH = 72.0  # points
_MM = _INCH / 2.54 * 0.1  # as ReportLab works it out, so A4 is exactly its pagesizes.A4


@dataclass(frozen=True)
class Paper:
    name: str
    size: tuple[float, float]  # width and height in points
    label: str  # on the front desk's form
    css: str  # for the HTML leaflet's @page
    media: str  # for CUPS (lp -o media=...)


PAPERS = {paper.name: paper for paper in (
    Paper("a4", (210 * _MM, 297 * _MM), label="A4", css="A4", media="A4"),
    Paper("letter", (8.5 * _INCH, 11 * _INCH), label="US Letter", css="letter", media="Letter"),
)}
PAPER_SIZES = tuple(PAPERS)
DEFAULT_PAPER = "a4"
