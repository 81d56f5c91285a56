"""Drawing a composed leaflet as one accessible, self-contained HTML page.

The same blocks as the PDF, so the wording has one source: real headings,
lists, tables with header cells, the chart as a data table with a caption,
the page language, the brand colours, print CSS, and the logo inlined so the
file opens offline. Every piece of text is escaped.
"""

from __future__ import annotations

import base64
import mimetypes
from html import escape

from . import pictures, qr, timeline
from .logo import size as logo_size
from .chart import recovery_chart
from .pdfstyles import LARGE_PRINT, Typography
from ..leaflet.compose import Leaflet
from ..leaflet.translations import plain_language_name
from ..leaflet.document import Chart, Figure, Heading, Inline, ItemList, Paragraph, QRCode, Table, Timeline, plain_text
from .rtl import GROUPED_DIGITS, RTL
from ..paper import PAPERS

_CSS = """
:root {{ --primary: {primary}; --accent: {accent}; --text: {text}; }}
html {{ font-size: {size}px; }}
body {{ margin: 0 auto; max-width: 46rem; padding: 1rem 1.25rem 2rem; color: var(--text); background: #fff;
  font-family: "DejaVu Sans", Verdana, Arial, sans-serif; line-height: 1.5; overflow-wrap: break-word; }}
a {{ color: var(--primary); }}
header.brand {{ display: flex; gap: 0.75rem; align-items: center; flex-wrap: wrap;
  border-bottom: 2px solid var(--primary); padding-bottom: 0.5rem; margin-bottom: 1rem; }}
header.brand img {{ height: 3rem; width: auto; max-width: 10rem; object-fit: contain; }}
header.brand p {{ margin: 0; font-size: 0.85rem; }}
header.brand .clinic {{ font-size: 1.2rem; font-weight: bold; color: var(--primary); }}
header.brand .contact {{ margin-inline-start: auto; text-align: end; }}
/* The clinic's name and address read their own way (dir="auto") but line up with the logo beside them. */
[dir="rtl"] header.brand p[dir="auto"] {{ text-align: right; }}
h1, h2 {{ color: var(--primary); line-height: 1.2; }}
h1 {{ font-size: 1.8rem; }} h2 {{ font-size: 1.35rem; margin-top: 1.6em; }} h3 {{ font-size: 1.1rem; }}
p.note {{ background: var(--accent); padding: 0.6rem 0.8rem; }}
p.small, footer p {{ font-size: 0.9rem; }}
ul.checklist {{ list-style: none; padding-inline-start: 0.2rem; }}
figure.picture {{ margin: 0.5rem 0 1.2rem; }}
figure.picture svg {{ width: 100%; height: auto; display: block; }}
figure.picture figcaption {{ margin-top: 0.3rem; }}
figure.chart figcaption {{ font-size: 0.9rem; }}
figure.timeline {{ margin: 0.5rem 0 1.2rem; overflow-x: auto; }}
figure.timeline:focus-visible {{ outline: 3px solid currentColor; outline-offset: 2px; }}
/* On a phone it scrolls sideways rather than shrink its words below reading size. */
figure.timeline svg {{ width: 100%; min-width: 30rem; height: auto; display: block; }}
ol.checklist {{ padding-inline-start: 2rem; }}
ul.checklist li::before, ol.checklist li::before {{ content: "\\2610\\00a0\\00a0"; font-size: 1.2em; }}
/* A wide screen: a diagram's words beside it, at body size, as in the PDF. */
@media screen and (min-width: 40rem) {{
  figure.picture:not(.chart) {{ display: flex; gap: 1.25rem; align-items: center; }}
  figure.picture:not(.chart) svg {{ flex: 0 1 auto; }}
  figure.picture:not(.chart) figcaption {{ flex: 1 1 14rem; margin-top: 0; }}
}}
li {{ margin-bottom: 0.35em; }}
table {{ border-collapse: collapse; width: 100%; margin: 0.8rem 0 1.2rem; font-size: 0.9rem; }}
caption {{ caption-side: bottom; text-align: start; padding-top: 0.4rem; }}
th, td {{ border: 1px solid #AEB9BB; padding: 0.35rem 0.5rem; text-align: start; vertical-align: top; }}
thead th {{ background: var(--accent); border-bottom: 2px solid var(--primary); }}
footer {{ border-top: 2px solid var(--primary); margin-top: 2rem; padding-top: 0.5rem; }}
figure.qr {{ float: inline-end; width: 8rem; margin: 0 0 0.75rem; margin-inline-start: 1.25rem; text-align: center;
  font-size: 0.85rem; }}
figure.qr svg {{ display: block; width: 100%; height: auto; }}
h1, h2, h3, footer {{ clear: both; }}
svg {{ max-width: 100%; height: auto; }}
nav.parts {{ margin: 0.75rem 0 0; font-weight: bold; }}
section.part + section.part {{ border-top: 4px solid var(--primary); margin-top: 2.5rem; }}
/* A right-to-left page's drawings are mirrored, their words already in display order (render/mirror.py). */
[dir="rtl"] svg text {{ direction: ltr; unicode-bidi: bidi-override; }}
/* A phone: nothing wider than the screen. A table with header cells per row
   becomes one block per row, each value under its column's name (as large
   print does in the PDF); the generated names are not read twice aloud. */
@media screen and (max-width: 40rem) {{
  body {{ padding: 0.75rem 1rem 1.5rem; }}
  header.brand > div {{ flex: 1 1 10rem; }}
  header.brand .contact {{ margin-inline-start: 0; text-align: start; }}
  th, td {{ overflow-wrap: anywhere; }}
  table.stack, table.stack tbody, table.stack tr, table.stack th, table.stack td {{ display: block; }}
  table.stack thead {{ position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%);
    white-space: nowrap; }}
  table.stack tr {{ border: 1px solid var(--primary); margin-bottom: 0.6rem; }}
  table.stack th, table.stack td {{ border: 0; }}
  table.stack tbody th {{ background: var(--accent); }}
  table.stack td + td {{ border-top: 1px solid #AEB9BB; }}
  table.stack td::before {{ content: attr(data-label) ": "; content: attr(data-label) ": " / ""; font-weight: bold; }}
  figure.qr {{ float: none; margin: 1rem auto; }}
}}
@media print {{
  @page {{ size: {paper}; margin: 15mm 18mm; }}
  body {{ max-width: none; padding: 0; }}
  h1, h2, h3 {{ break-after: avoid; page-break-after: avoid; }}
  tr, li, p.note, figure {{ break-inside: avoid; page-break-inside: avoid; }}
  a {{ color: inherit; text-decoration: none; }}
  nav.parts {{ display: none; }}
  section.part + section.part {{ break-before: page; page-break-before: always; border-top: 0; margin-top: 0; }}
}}
"""


def render_html(*parts: Leaflet) -> str:
    """The leaflet as a page; a bilingual leaflet's parts one after the other, each a region named by its
    language, in that language, with its own footer, and links at the top to reach each."""
    leaflet = parts[0]
    clinic, colours = leaflet.clinic, leaflet.clinic.colours
    css = _CSS.format(primary=colours.primary, accent=colours.accent, text=colours.text,
                      size=22 if leaflet.large_print else 18, paper=PAPERS[leaflet.paper].css)
    if len(parts) == 1:
        main, footer = _body(leaflet), _footer(leaflet)
    else:
        main, footer = _parts(parts), ""
    # The clinic's details are in its own words and read their own way, whatever the leaflet's language.
    contact = "<br>".join(f'<a href="{escape(link)}" dir="ltr">{escape(text)}</a>' for text, link in (
        (clinic.phone, clinic.phone_link), (clinic.email, clinic.email_link), (clinic.website, clinic.website_link)))
    return f"""<!DOCTYPE html>
<html lang="{escape(leaflet.language)}"{' dir="rtl"' if leaflet.right_to_left else ""}>
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(leaflet.title)}</title>
<style>{css}</style>
</head>
<body>
<header class="brand">
{_logo(leaflet)}<div><p class="clinic" dir="auto">{escape(clinic.name)}</p><p dir="auto">{escape(clinic.address)}</p></div>
<p class="contact">{contact}</p>
</header>
<main>
{main}
</main>
{footer}</body>
</html>
"""


def _body(leaflet: Leaflet, first: int = 0) -> str:
    """The leaflet's blocks; `first` numbers its figures on from another part's, so no two share an id."""
    return "\n".join(_figure(block, leaflet, number) if isinstance(block, Figure)
                     else _chart(block, leaflet, number) if isinstance(block, Chart)
                     else _timeline(block, leaflet, number) if isinstance(block, Timeline)
                     else _block(block, leaflet.right_to_left)
                     for number, block in enumerate(leaflet.document.blocks, first))


def _footer(leaflet: Leaflet) -> str:
    """The footer's lines; a part's own, inside its section. "Page X of Y" means nothing on a web page."""
    lines = "\n".join(_paragraph(p, leaflet.right_to_left) for p in leaflet.document.footer
                      if not any(r.field for r in p.runs))
    return f"<footer>\n{lines}\n</footer>\n"


def _parts(parts: tuple[Leaflet, ...]) -> str:
    """A bilingual leaflet's parts: a screen reader lists each as a region by its language's name, and the
    links above them reach each (the second part is pages away on a phone)."""
    names = [(leaflet.language, plain_language_name(leaflet.language)) for leaflet in parts]
    links = " · ".join(f'<a href="#part-{escape(tag)}" lang="{escape(tag)}">{escape(name)}</a>' for tag, name in names)
    sections, first = [], 0
    for leaflet, (tag, name) in zip(parts, names):
        way = "rtl" if leaflet.right_to_left else "ltr"
        sections.append(f'<section class="part" id="part-{escape(tag)}" lang="{escape(tag)}" dir="{way}" '
                        f'aria-label="{escape(name)}">\n{_body(leaflet, first)}\n{_footer(leaflet)}</section>')
        first += len(leaflet.document.blocks)
    return f'<nav class="parts">{links}</nav>\n' + "\n".join(sections)


def _logo(leaflet: Leaflet) -> str:
    logo = leaflet.clinic.logo
    if logo is None:
        return ""
    kind = mimetypes.guess_type(logo.name)[0] or "image/png"
    data = base64.b64encode(logo.read_bytes()).decode("ascii")
    width, height = logo_size(logo)  # its own shape: wide, tall or square
    # The clinic's name is printed right beside it: the image adds nothing to read.
    return f'<img src="data:{kind};base64,{data}" alt="" width="{width:.0f}" height="{height:.0f}">\n'


def _block(block, right_to_left: bool) -> str:
    match block:
        case Heading(level=level, runs=runs):
            return f"<h{level}>{_inline(runs)}</h{level}>"
        case Paragraph():
            return _paragraph(block, right_to_left)
        case ItemList(items=items, checklist=checklist, numbered=numbered):
            kind, tag = ' class="checklist"' if checklist else "", "ol" if numbered else "ul"
            return f"<{tag}{kind}>\n" + "\n".join(f"<li>{_inline(item)}</li>" for item in items) + f"\n</{tag}>"
        case Table():
            return _table(block)
        case QRCode():
            return _qr_code(block)
    raise TypeError(f"no HTML for {type(block).__name__}")


def _figure(figure: Figure, leaflet: Leaflet, number: int) -> str:
    """The same diagram as the PDF's, as inline SVG that scales to the screen."""
    drawing = pictures.draw(figure.picture, leaflet.picture_labels, leaflet.clinic.colours, leaflet.large_print,
                            leaflet.right_to_left)
    svg = pictures.to_svg(drawing, f"figure-{number}", figure.alt)
    svg = svg.replace('class="picture"', f'class="picture" style="max-width: {drawing.width * 1.5:.0f}px"', 1)
    return (f'<figure class="picture">\n{svg}\n'
            f"<figcaption>{_inline(figure.caption)}</figcaption>\n</figure>")


def _timeline(block: Timeline, leaflet: Leaflet, number: int) -> str:
    """The same timeline as the PDF's, as inline SVG, its steps in words for screen readers too."""
    size = (LARGE_PRINT if leaflet.large_print else Typography()).small
    drawing = timeline.draw(block, leaflet.clinic.colours, 480, size, leaflet.language, leaflet.right_to_left)
    steps = "; ".join(f"{label}: {text}" for label, text in block.steps)
    svg = pictures.to_svg(drawing, f"timeline-{number}", f"{block.alt} {steps}")
    # It scrolls sideways on a phone, so a keyboard must be able to reach it to scroll it (tabindex).
    return (f'<figure class="timeline" tabindex="0">\n{svg}\n'
            f"<figcaption>{escape(block.caption)}</figcaption>\n</figure>")


def _paragraph(paragraph: Paragraph, right_to_left: bool) -> str:
    kind = f' class="{paragraph.role}"' if paragraph.role != "body" else ""
    # A note written in Arabic or Hebrew reads, and is aligned, right to left, as in the PDF; on a right-to-left
    # page every paragraph does (the page's direction), even one that starts with a Latin name.
    if not right_to_left and any(RTL.search(run.text) for run in paragraph.runs):
        kind += ' dir="auto"'
    return f"<p{kind}>{_inline(paragraph.runs)}</p>"


def _table(table: Table) -> str:
    """A table whose rows stack on a phone (class "stack"): each value carries its column's name.
    The roles keep it a table for screen readers, which lose it when CSS makes cells blocks."""
    head = "".join(f'<th scope="col" role="columnheader">{_inline(cell)}</th>' for cell in table.header)
    labels = [escape(plain_text(cell)) for cell in table.header[1:]]
    rows = []
    for row in table.rows:
        first, *rest = row
        rows.append(f'<tr role="row"><th scope="row" role="rowheader">{_inline(first)}</th>'
                    + "".join(f'<td role="cell" data-label="{label}">{_inline(c)}</td>' for label, c in zip(labels, rest))
                    + "</tr>")
    return (f'<table class="stack" role="table">\n<thead role="rowgroup"><tr role="row">{head}</tr></thead>\n'
            '<tbody role="rowgroup">\n' + "\n".join(rows) + "\n</tbody>\n</table>")


def _chart(chart: Chart, leaflet: Leaflet, number: int) -> str:
    """The same chart as the PDF's, as inline SVG, with the data it shows as a table under it."""
    # Words the size of the PDF's small print, in the same type scale.
    drawing = recovery_chart(chart, leaflet.clinic.colours, (LARGE_PRINT if leaflet.large_print else Typography()).small,
                             leaflet.right_to_left)
    drawing.wrap(330 * drawing.size / 12, 1e6)  # about a phone's width, so its words stay readable there
    caption = f"\n<figcaption>{escape(chart.caption)}</figcaption>" if chart.caption else ""
    svg = pictures.to_svg(drawing.drawing(), f"chart-{number}", chart.description)
    return (f'<figure class="picture chart" style="max-width: {drawing.width * 1.5:.0f}px">\n{svg}{caption}\n'
            f"<details>\n<summary>{escape(chart.table_summary)}</summary>\n{_chart_table(chart)}\n</details>\n</figure>")


def _chart_table(chart: Chart) -> str:
    """The recovery chart as the data it shows: a table, its caption saying how to read it."""
    head = (f'<th scope="col">{escape(chart.rows_label)}</th><th scope="col">{escape(chart.back_label)}</th>'
            f'<th scope="col">{escape(chart.full_label)}</th>')
    rows = [f'<tr><th scope="row">{escape(bar.label)}</th><td>{escape(bar.back.text or "—")}</td>'
            f'<td>{escape(bar.full.text or "—")}</td></tr>' for bar in chart.bars]
    return (f'<table class="chart">\n<caption>{escape(chart.table_caption or chart.caption)}</caption>\n<thead><tr>{head}</tr></thead>\n'
            "<tbody>\n" + "\n".join(rows) + "\n</tbody>\n</table>")


def _qr_code(code: QRCode) -> str:
    """The code as SVG, a link too, since a phone cannot scan its own screen."""
    return (f'<figure class="qr"><a href="{escape(code.address)}">{qr.svg(code.address, code.alt)}</a>'
            f"<figcaption>{escape(code.caption)}</figcaption></figure>")


def _inline(runs: Inline) -> str:
    out = []
    for run in runs:
        if run.field:
            continue
        if run.text == "\n":
            out.append(" <br>")  # a space too, for text readers
            continue
        # A phone number's groups keep their order in a right-to-left sentence, as in the PDF (rtl.py).
        text = GROUPED_DIGITS.sub(lambda number: f'<span dir="ltr">{number[0]}</span>', escape(run.text))
        if RTL.search(run.text):
            # Isolated, so a right-to-left name cannot reorder the words around it.
            text = f"<bdi>{text}</bdi>"
        if run.href:
            # An address (phone, email, web) reads left to right, also on a right-to-left page.
            way = "" if RTL.search(run.text) else ' dir="ltr"'
            text = f'<a href="{escape(run.href)}"{way}>{text}</a>'
        out.append(f"<strong>{text}</strong>" if run.bold else text)
    return "".join(out)
