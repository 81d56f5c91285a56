"""Turning document runs into ReportLab paragraph markup, escaped.

ReportLab paragraphs read an XML-like markup; every character of data is
escaped here, so text such as "<b" or "AT&T" prints exactly as typed.
"""

from xml.sax.saxutils import escape as _xml_escape

from .document import Inline


def escape(text: str) -> str:
    return _xml_escape(text)


def markup(runs: Inline, page: int | None = None, pages: int | None = None) -> str:
    out = []
    for run in runs:
        if run.field:
            text = escape(str(page if run.field == "page" else pages))
        elif run.text == "\n":
            out.append("<br/>")
            continue
        else:
            text = escape(run.text)
        out.append(f"<b>{text}</b>" if run.bold else text)
    return "".join(out)
