"""The composed leaflet as plain blocks, parsed from the wording template.

The template writes a small subset of HTML. Jinja escapes every value put into
it, so names and notes can never become elements; this parser then turns the
markup into blocks that any renderer (PDF now, HTML later) can draw.

Elements: h1-h3, p (class note/small/right), ul and ol (class checklist), li, table,
tr, th, td, b, a (href), br, chart with bar children, timeline with step
children, qr, footer, page-number, page-count.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from html.parser import HTMLParser

from .content import DayRange
from .pictures import PICTURES
from ..errors import TemplateError


@dataclass(frozen=True)
class Run:
    """A stretch of text. `field` is "page" or "pages" for page numbers;
    `href` makes it a link (a web address, mailto: or tel:)."""

    text: str
    bold: bool = False
    field: str | None = None
    href: str | None = None


Inline = tuple[Run, ...]


@dataclass(frozen=True)
class Heading:
    level: int
    runs: Inline


@dataclass(frozen=True)
class Paragraph:
    runs: Inline
    role: str = "body"


@dataclass(frozen=True)
class ItemList:
    items: tuple[Inline, ...]
    checklist: bool = False
    numbered: bool = False  # <ol>: steps, numbered in order


@dataclass(frozen=True)
class Table:
    header: tuple[Inline, ...]
    rows: tuple[tuple[Inline, ...], ...]


@dataclass(frozen=True)
class Lane:
    """One measure of a chart row; without `days` only its text is shown,
    and without either the row has no such measure."""

    days: DayRange | None
    text: str


@dataclass(frozen=True)
class Bar:
    label: str
    back: Lane
    full: Lane


@dataclass(frozen=True)
class Chart:
    caption: str
    axis: str
    back_label: str
    full_label: str
    bars: tuple[Bar, ...]
    rows_label: str = ""  # heads the row names when the chart is given as a table
    table_caption: str = ""  # says how to read it then (there are no bars)
    table_summary: str = "The chart as a table"  # what opens the table, where the page can hide it (HTML)
    description: str = "Recovery chart; the table after it gives the same figures in words"  # for screen readers


@dataclass(frozen=True)
class Figure:
    """A labelled diagram (handouts/render/pictures.py), the words beside it
    (its caption) and its text alternative."""

    picture: str
    caption: Inline
    alt: str


@dataclass(frozen=True)
class QRCode:
    """A QR code for `address`, set beside the block after it."""

    address: str
    caption: str  # printed under it
    alt: str  # says what it is, where it cannot be seen


@dataclass(frozen=True)
class Timeline:
    """The patient's own plan as steps in a row (handouts/render/timeline.py):
    each (label, words); the caption says how to use it."""

    steps: tuple[tuple[str, str], ...]
    caption: str
    alt: str


Block = Heading | Paragraph | ItemList | Table | Chart | Figure | QRCode | Timeline


@dataclass(frozen=True)
class Document:
    blocks: tuple[Block, ...]
    footer: tuple[Paragraph, ...]

    def text(self) -> str:
        """All words in reading order; used to check what fonts must print."""
        parts = []
        for block in self.blocks + self.footer:
            match block:
                case Heading(runs=runs) | Paragraph(runs=runs):
                    parts.append(plain_text(runs))
                case ItemList(items=items):
                    parts.extend(plain_text(i) for i in items)
                case Table(header=header, rows=rows):
                    parts.extend(plain_text(c) for row in (header, *rows) for c in row)
                case Chart():
                    parts += [block.caption, block.axis, block.back_label, block.full_label, block.rows_label,
                              block.table_caption, block.table_summary, block.description]
                    parts += [t for b in block.bars for t in (b.label, b.back.text, b.full.text)]
                case Figure():
                    parts += [plain_text(block.caption), block.alt]
                case QRCode():
                    parts += [block.caption, block.alt]
                case Timeline():
                    parts += [t for step in block.steps for t in step] + [block.caption, block.alt]
        return "\n".join(parts)


def plain_text(runs: Inline, page: int | None = None, pages: int | None = None) -> str:
    """The runs as plain text; page numbers filled in when given."""
    fields = {"page": page, "pages": pages}
    return "".join(str(fields[r.field] or "") if r.field else r.text for r in runs)


_BLOCK_TAGS = {"h1", "h2", "h3", "p", "li", "th", "td"}
_VOID = {"br", "bar", "step", "qr", "page-number", "page-count"}
# Links lead only where a reader expects: a web page, an email or a call.
_HREF = re.compile(r"^(?:https?://|mailto:|tel:)[!-~]+$")
_ALLOWED_PARENTS = {
    "h1": {None}, "h2": {None}, "h3": {None}, "p": {None, "footer", "figure"},
    "ul": {None}, "ol": {None}, "li": {"ul", "ol"}, "table": {None}, "tr": {"table"},
    "th": {"tr"}, "td": {"tr"}, "chart": {None}, "bar": {"chart"}, "timeline": {None}, "step": {"timeline"}, "figure": {None}, "qr": {None},
    "footer": {None}, "b": _BLOCK_TAGS | {"a"}, "a": _BLOCK_TAGS | {"b"}, "br": _BLOCK_TAGS,
    "page-number": {"p"}, "page-count": {"p"},
}


def parse_document(markup: str, source: str) -> Document:
    """Parse rendered template output; errors name `source` and the line."""
    parser = _Parser(source)
    parser.feed(markup)
    parser.close()
    if parser.stack:
        parser.fail(f"<{parser.stack[-1][0]}> is never closed")
    return Document(tuple(parser.blocks), tuple(parser.footer))


class _Parser(HTMLParser):
    def __init__(self, source: str):
        super().__init__(convert_charrefs=True)
        self.source = source
        self.stack: list[tuple[str, dict]] = []
        self.blocks: list[Block] = []
        self.footer: list[Paragraph] = []
        self.runs: list[Run] = []
        self.bold = 0
        self.href: str | None = None
        self.list_items: list[Inline] = []
        self.cells: list[Inline] = []
        self.rows: list[tuple[Inline, ...]] = []
        self.header: tuple[Inline, ...] | None = None
        self.bars: list[Bar] = []
        self.steps: list[tuple[str, str]] = []
        self.caption: Inline = ()

    def fail(self, message: str):
        line, _ = self.getpos()
        raise TemplateError(f"{self.source}: output line {line}: {message}")

    def parent(self) -> str | None:
        return self.stack[-1][0] if self.stack else None

    def handle_starttag(self, tag, attrs):
        allowed = _ALLOWED_PARENTS.get(tag)
        if allowed is None:
            self.fail(f"<{tag}> is not an element leaflets use; see the list at the top of the leaflet template")
        parent = self.parent()
        if parent not in allowed:
            where = f"inside <{parent}>" if parent else "at the top level"
            self.fail(f"<{tag}> cannot stand {where}")
        attributes = {k: v or "" for k, v in attrs}
        if tag == "b":
            self.bold += 1
        elif tag == "a":
            self.href = self.link(attributes)
        elif tag == "br":
            self.runs.append(Run("\n"))
        elif tag in ("page-number", "page-count"):
            self.runs.append(Run("", self.bold > 0, "page" if tag == "page-number" else "pages"))
        elif tag == "bar":
            self.bars.append(self.bar(attributes))
        elif tag == "step":
            if not attributes.get("label"):
                self.fail("<step> needs a label")
            self.steps.append((attributes["label"], attributes.get("text", "")))
        elif tag == "qr":
            self.blocks.append(self.qr(attributes))
        if tag not in _VOID:
            self.stack.append((tag, attributes))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag in _VOID:
            return
        if not self.stack or self.stack[-1][0] != tag:
            self.fail(f"</{tag}> does not match the open element")
        tag, attributes = self.stack.pop()
        css = attributes.get("class", "")
        if tag == "b":
            self.bold -= 1
        elif tag == "a":
            self.href = None
        elif tag in ("h1", "h2", "h3"):
            self.blocks.append(Heading(int(tag[1]), self.take_runs()))
        elif tag == "p":
            role = css or "body"
            if role not in ("body", "note", "small", "right"):
                self.fail(f'<p class="{css}"> is not known; use note, small or right')
            if self.parent() == "figure":
                self.caption = self.take_runs()
            else:
                (self.footer if self.parent() == "footer" else self.blocks).append(Paragraph(self.take_runs(), role))
        elif tag == "figure":
            self.blocks.append(self.figure(attributes))
        elif tag == "li":
            self.list_items.append(self.take_runs())
        elif tag in ("ul", "ol"):
            self.blocks.append(ItemList(tuple(self.list_items), checklist=css == "checklist", numbered=tag == "ol"))
            self.list_items = []
        elif tag in ("th", "td"):
            self.cells.append(self.take_runs())
        elif tag == "tr":
            if self.header is None:
                self.header = tuple(self.cells)
            else:
                self.rows.append(tuple(self.cells))
            self.cells = []
        elif tag == "table":
            if self.header is None:
                self.fail("<table> has no rows")
            self.blocks.append(Table(self.header, tuple(self.rows)))
            self.header, self.rows = None, []
        elif tag == "chart":
            self.blocks.append(self.chart(attributes))
            self.bars = []
        elif tag == "timeline":
            if len(self.steps) < 2 or not attributes.get("caption") or not attributes.get("alt"):
                self.fail("<timeline> needs a caption, an alt and two <step> children or more")
            self.blocks.append(Timeline(tuple(self.steps), attributes["caption"], attributes["alt"]))
            self.steps = []

    def handle_data(self, data):
        if self.parent() in _BLOCK_TAGS or self.parent() in ("b", "a"):
            self.runs.append(Run(data, self.bold > 0, href=self.href))
        elif data.strip():
            where = f"inside <{self.parent()}>" if self.parent() else "outside any element"
            self.fail(f"text {data.strip()[:30]!r} stands {where}; put it in <p>")

    def link(self, attributes: dict) -> str:
        if self.href is not None:
            self.fail("<a> cannot stand inside another <a>")
        href = attributes.get("href", "")
        if not _HREF.match(href):
            self.fail(f'<a href="{href}"> must lead to a web address (https://...), mailto: or tel:')
        return href

    def take_runs(self) -> Inline:
        """Fold white space the way HTML does, merging runs of the same style."""
        merged: list[Run] = []
        for run in self.runs:
            prev = merged[-1] if merged else None
            if run.field or run.text == "\n":
                if run.text == "\n" and prev and _plain_run(prev):
                    merged[-1] = replace(prev, text=prev.text.rstrip(" "))
                merged.append(run)
                continue
            text = _SPACE.sub(" ", run.text)
            if prev is None or prev.text == "\n" or _plain_run(prev) and prev.text.endswith(" "):
                text = text.lstrip(" ")
            if prev and _plain_run(prev) and (prev.bold, prev.href) == (run.bold, run.href):
                merged[-1] = replace(prev, text=prev.text + text)
            elif text:
                merged.append(replace(run, text=text))
        self.runs = []
        if merged and _plain_run(merged[-1]):
            merged[-1] = replace(merged[-1], text=merged[-1].text.rstrip(" "))
        return tuple(r for r in merged if r.text or r.field)

    def qr(self, attributes: dict) -> QRCode:
        missing = [a for a in ("address", "caption", "alt") if not attributes.get(a)]
        if missing:
            self.fail(f"<qr> needs the attribute{'s' if len(missing) > 1 else ''} {', '.join(missing)}")
        if not _HREF.match(attributes["address"]) or not attributes["address"].startswith("http"):
            self.fail(f'<qr address="{attributes["address"]}"> must be a web address (https://...)')
        return QRCode(attributes["address"], attributes["caption"], attributes["alt"])

    # -- the chart ---------------------------------------------------

    def chart(self, attributes: dict) -> Chart:
        missing = [a for a in ("axis", "back", "full") if not attributes.get(a)]
        if missing:
            self.fail(f"<chart> needs the attribute{'s' if len(missing) > 1 else ''} {', '.join(missing)}")
        if not self.bars:
            self.fail("<chart> has no <bar> rows")
        # Given in the leaflet's language by the template; the English defaults otherwise.
        worded = {field: attributes[name] for name, field in (("table-summary", "table_summary"),
                                                               ("description", "description")) if attributes.get(name)}
        return Chart(attributes.get("caption", ""), attributes["axis"], attributes["back"], attributes["full"],
                     tuple(self.bars), attributes.get("rows", ""), attributes.get("table-caption", ""), **worded)

    def figure(self, attributes: dict) -> Figure:
        missing = [a for a in ("picture", "alt") if not attributes.get(a)]
        if missing:
            self.fail(f"<figure> needs the attribute{'s' if len(missing) > 1 else ''} {', '.join(missing)}")
        if attributes["picture"] not in PICTURES:
            self.fail(f"<figure picture=\"{attributes['picture']}\"> is not a picture; use one of: "
                      f"{', '.join(PICTURES)}")
        if not self.caption:
            self.fail("<figure> needs its caption: one <p> inside it")
        caption, self.caption = self.caption, ()
        return Figure(attributes["picture"], caption, attributes["alt"])

    def bar(self, attributes: dict) -> Bar:
        if not attributes.get("label"):
            self.fail("<bar> needs a label")
        return Bar(attributes["label"], self.lane(attributes, "back"), self.lane(attributes, "full"))

    def lane(self, attributes: dict, name: str) -> Lane:
        low, high = attributes.get(f"{name}-from", ""), attributes.get(f"{name}-to", "")
        text = attributes.get(f"{name}-text", "")
        if (low or high) and not text:
            self.fail(f"<bar> needs {name}-text: the words shown beside the {name} bar")
        if not low:
            return Lane(None, text)
        if not low.isdigit() or high and not high.isdigit():
            self.fail(f"<bar> {name}-from and {name}-to must be whole numbers of days")
        return Lane(DayRange(int(low), int(high) if high else None), text)


_SPACE = re.compile(r"\s+")


def _plain_run(run: Run) -> bool:
    return run.field is None and run.text != "\n"
