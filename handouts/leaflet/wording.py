"""The Jinja2 wording templates in templates/.

Templates are sandboxed, autoescaped (every value is escaped for the markup
handouts/leaflet/document.py or an email reader reads; only plain-text `.txt.j2`
templates are not) and strict: a misspelt name fails loudly instead of
printing nothing. Errors name the template file and line.

The sandbox also bounds the work a template can ask for, so a slip such as
`range(10**9)`, a loop inside a loop or `"x" * 10**9` is an error naming
its line, never a hang: `range()` may count MAX_COUNT times in all in one
leaflet, and `*` and `**` may not make huge text, lists or numbers.
"""

from __future__ import annotations

import datetime as dt
import gettext
import io
from pathlib import Path

import jinja2
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

from ..errors import TemplateError

LEAFLET_TEMPLATE = "leaflet.html.j2"
MAX_COUNT = 10_000  # range() steps in one rendering
MAX_SIZE = 100_000  # items or characters that * may make
MAX_EXPONENT = 1_000

_MONTHS = ("January", "February", "March", "April", "May", "June", "July",
           "August", "September", "October", "November", "December")


def long_date(value: dt.date) -> str:
    """21 November 2026: no numeric form a reader could misread."""
    return f"{value.day} {_MONTHS[value.month - 1]} {value.year}"


def day_date(value: dt.date) -> str:
    """Thursday 3 December 2026: an appointment is kept by its weekday too."""
    return f"{_DAYS[value.weekday()]} {long_date(value)}"


_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
CATALOGUES = "locale"  # in the templates folder: <language>.po


def is_english(language: str) -> bool:
    """English is the templates' own language: it needs no catalogue."""
    return language.lower().split("-")[0] == "en"


def local_date(value: dt.date, width: str, language: str) -> str:
    """A date in the language's own words (Babel: "3 de diciembre de 2026"), its digits kept Western."""
    from babel.dates import format_date  # only for leaflets in another language

    return format_date(value, format=width, locale=language.replace("-", "_"))


def catalogue_path(folder: Path, language: str) -> Path:
    return folder / CATALOGUES / f"{language}.po"


def read_catalogue(folder: Path, language: str):
    """The language's Babel catalogue (babel.messages.Catalog); TemplateError where it cannot be read."""
    from babel.messages.pofile import PoFileError, read_po

    path = catalogue_path(folder, language)
    try:
        with path.open("rb") as file:
            return read_po(file, locale=language.replace("-", "_"), abort_invalid=True)
    except FileNotFoundError:
        raise TemplateError(f"{path}: no catalogue of the templates' wording in this language; make one with "
                            f"'python tools/messages.py {language}'") from None
    except (OSError, PoFileError, ValueError) as exc:
        raise TemplateError(f"{path}: cannot be read: {exc}") from None


def catalogue(folder: Path, language: str) -> gettext.GNUTranslations:
    """The catalogue compiled (MO) in memory, as gettext reads it."""
    from babel.messages.mofile import write_mo

    compiled = io.BytesIO()
    write_mo(compiled, read_catalogue(folder, language))
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


class _Loader(jinja2.FileSystemLoader):
    """Says which file (and line) cannot be read, or is not UTF-8."""

    def get_source(self, environment, template):
        try:
            return super().get_source(environment, template)
        except UnicodeDecodeError as exc:
            line = exc.object[: exc.start].count(b"\n") + 1
            raise TemplateError(f"{self._file(template)}:{line}: not UTF-8 text; save the file as UTF-8") from None
        except jinja2.TemplateNotFound:  # an OSError too, but said well by Wording.render
            raise
        except OSError as exc:
            raise TemplateError(f"{self._file(template)}: cannot be read: {exc.strerror or exc}") from None

    def _file(self, template: str) -> Path:
        return Path(self.searchpath[0]) / template


class _Sandbox(SandboxedEnvironment):
    """Jinja's sandbox, with a bound on the work one rendering may do."""

    intercepted_binops = frozenset({"*", "**"})

    def __init__(self, **options):
        super().__init__(**options)
        self.globals["range"] = self._range
        self.counted = 0  # reset for each rendering

    def _range(self, *args: int) -> range:
        numbers = range(*args)
        self.counted += len(numbers)
        if self.counted > MAX_COUNT:
            raise SecurityError(f"range({', '.join(map(str, args))}) counts too far; a template may count "
                                f"{MAX_COUNT:,} steps in all, loops inside loops included")
        return numbers

    def call_binop(self, context, operator, left, right):
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                if isinstance(seq, (str, list, tuple)) and isinstance(times, int) and len(seq) * times > MAX_SIZE:
                    raise SecurityError(f"* would make {len(seq) * times:,} items or characters; a template may "
                                        f"make at most {MAX_SIZE:,}")
        if operator == "**" and isinstance(right, int) and abs(right) > MAX_EXPONENT:
            raise SecurityError(f"** {right} is too large a power; a template may use powers up to {MAX_EXPONENT}")
        return super().call_binop(context, operator, left, right)


class Wording:
    """One folder of templates, in one language, loaded and compiled once per process.

    The templates' sentences are marked for translation ({% trans %}, _()); a language other than English
    takes them from its gettext catalogue, templates/locale/<language>.po (made with Babel: see
    tools/messages.py). A sentence the catalogue lacks prints in English: `handouts check` lists it.
    """

    def __init__(self, folder: str | Path, language: str = "en"):
        self.folder = Path(folder)
        if not self.folder.is_dir():
            raise TemplateError(f"{self.folder}: templates folder not found in {self.folder.absolute().parent}; work "
                                "in a clinic folder (make one with 'handouts init FOLDER'), or pass --templates DIR "
                                "or set HANDOUTS_TEMPLATES")
        self.env = _Sandbox(
            loader=_Loader(self.folder),
            autoescape=lambda name: not (name or "").endswith(".txt.j2"),
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            extensions=["jinja2.ext.i18n"],
        )
        # Sentences in {% trans %} may be wrapped over lines as the template's layout needs.
        self.env.policies["ext.i18n.trimmed"] = True
        self.language = language
        if is_english(language):
            self.env.install_null_translations(newstyle=True)
            self.env.filters["long_date"] = long_date
            self.env.filters["day_date"] = day_date
        else:
            # Without a catalogue yet the templates' sentences print in English; `handouts check` says so.
            found = catalogue_path(self.folder, language).is_file()
            self.env.install_gettext_translations(catalogue(self.folder, language) if found
                                                  else gettext.NullTranslations(), newstyle=True)
            self.env.filters["long_date"] = lambda value: local_date(value, "long", language)
            self.env.filters["day_date"] = lambda value: local_date(value, "full", language)

    def source_name(self, name: str) -> str:
        return str(self.folder / name)

    def render(self, name: str, **context) -> str:
        self.env.counted = 0
        try:
            return self.env.get_template(name).render(**context)
        except jinja2.TemplateNotFound as exc:
            raise TemplateError(f"{self.folder / exc.name}: template not found") from None
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateError(f"{exc.filename or self.source_name(name)}:{exc.lineno}: {exc.message}") from None
        except jinja2.TemplateError as exc:
            raise TemplateError(f"{_template_position(exc, self.source_name(name))}: {exc.message}") from None
        except RecursionError as exc:
            raise TemplateError(f"{_looping_position(exc, self.source_name(name))}: this includes the template "
                                "itself, or calls a macro from inside itself, without end; remove the loop") from None

    def check(self) -> list[str]:
        """Compile every template; return one problem line per broken one."""
        problems = []
        for name in self.env.list_templates(extensions=["j2"]):
            try:
                self.env.get_template(name)
            except jinja2.TemplateSyntaxError as exc:
                problems.append(f"{exc.filename or self.source_name(name)}:{exc.lineno}: {exc.message}")
            except TemplateError as exc:
                problems.append(str(exc))
        return problems


def _template_position(exc: BaseException, fallback: str) -> str:
    """The template file:line where a render error happened.

    Jinja rewrites tracebacks so template frames carry the template's own file
    name and line; the innermost one is where the error is.
    """
    return ([fallback] + _template_frames(exc))[-1]


def _looping_position(exc: RecursionError, fallback: str) -> str:
    """The line that calls itself: the template position repeated most often."""
    frames = _template_frames(exc)
    return max(frames, key=frames.count) if frames else fallback


def _template_frames(exc: BaseException) -> list[str]:
    frames = []
    tb = exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith(".j2"):
            frames.append(f"{filename}:{tb.tb_lineno}")
        tb = tb.tb_next
    return frames
