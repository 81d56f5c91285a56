"""Making one leaflet: the single call behind `handouts make`."""

from __future__ import annotations

from pathlib import Path

from .choices import PatientChoices
from .compose import compose
from .content import Content
from .output import default_path, write_file
from .pdf import render_pdf
from .wording import Wording

DEFAULT_OUTPUT_DIR = Path("output")


def make_leaflet(
    content: Content,
    wording: Wording,
    choices: PatientChoices,
    output: Path | None = None,
    *,
    force: bool = False,
    invariant: bool = False,
) -> Path:
    """Compose, draw and write one leaflet; return the path written.

    `output` may be a file, a folder (the default name goes inside it) or
    None for output/<date>-<name>.pdf.
    """
    if output is None or output.is_dir():
        output = default_path(output or DEFAULT_OUTPUT_DIR, choices.date, choices.name)
    pdf = render_pdf(compose(content, wording, choices), invariant=invariant)
    write_file(output, pdf, overwrite=force)
    return output
