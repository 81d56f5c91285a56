"""The Jinja2 wording templates in templates/.

Templates are sandboxed, autoescaped (every value is escaped for the markup
handouts/document.py or an email reader reads; only plain-text `.txt.j2`
templates are not) and strict: a misspelt name fails loudly instead of
printing nothing. Errors name the template file and line.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from .errors import TemplateError

LEAFLET_TEMPLATE = "leaflet.html.j2"

_MONTHS = ("January", "February", "March", "April", "May", "June", "July",
           "August", "September", "October", "November", "December")


def long_date(value: dt.date) -> str:
    """21 November 2026: no numeric form a reader could misread."""
    return f"{value.day} {_MONTHS[value.month - 1]} {value.year}"


def day_date(value: dt.date) -> str:
    """Thursday 3 December 2026: an appointment is kept by its weekday too."""
    return f"{_DAYS[value.weekday()]} {long_date(value)}"


_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class Wording:
    """One folder of templates, loaded and compiled once per process."""

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        if not self.folder.is_dir():
            raise TemplateError(f"{self.folder}: templates folder not found in {self.folder.absolute().parent}; work "
                                "in a clinic folder (make one with 'handouts init FOLDER'), or pass --templates DIR "
                                "or set HANDOUTS_TEMPLATES")
        self.env = SandboxedEnvironment(
            loader=jinja2.FileSystemLoader(self.folder),
            autoescape=lambda name: not (name or "").endswith(".txt.j2"),
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters["long_date"] = long_date
        self.env.filters["day_date"] = day_date

    def source_name(self, name: str) -> str:
        return str(self.folder / name)

    def render(self, name: str, **context) -> str:
        try:
            return self.env.get_template(name).render(**context)
        except jinja2.TemplateNotFound as exc:
            raise TemplateError(f"{self.folder / exc.name}: template not found") from None
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateError(f"{exc.filename or self.source_name(name)}:{exc.lineno}: {exc.message}") from None
        except jinja2.TemplateError as exc:
            raise TemplateError(f"{_template_position(exc, self.source_name(name))}: {exc.message}") from None

    def check(self) -> list[str]:
        """Compile every template; return one problem line per broken one."""
        problems = []
        for name in self.env.list_templates(extensions=["j2"]):
            try:
                self.env.get_template(name)
            except jinja2.TemplateSyntaxError as exc:
                problems.append(f"{exc.filename or self.source_name(name)}:{exc.lineno}: {exc.message}")
        return problems


def _template_position(exc: BaseException, fallback: str) -> str:
    """The template file:line where a render error happened.

    Jinja rewrites tracebacks so template frames carry the template's own file
    name and line; the innermost one is where the error is.
    """
    position = fallback
    tb = exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith(".j2"):
            position = f"{filename}:{tb.tb_lineno}"
        tb = tb.tb_next
    return position
