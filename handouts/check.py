"""`handouts check`: every problem in content.toml and the templates, at once."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from .choices import PatientChoices
from .compose import compose
from .content import load_content
from .errors import ContentError, HandoutsError
from .pdf import render_pdf
from .wording import Wording, long_date


def check_all(content_path: Path, templates_dir: Path) -> tuple[list[str], str]:
    """(problems, one-line summary when there are none)."""
    problems: list[str] = []
    content = wording = None
    try:
        content = load_content(content_path)
    except ContentError as exc:
        problems.extend(exc.problems)
    try:
        wording = Wording(templates_dir)
    except HandoutsError as exc:
        problems.append(str(exc))
    if wording is not None:
        problems.extend(wording.check())
    if content is not None and wording is not None and not problems:
        problems.extend(_render_samples(content, wording))
    info = content.leaflet if content else None
    summary = (
        f"{content_path} and {templates_dir} are ready: {len(content.procedures)} procedures, "
        f"{len(content.scars)} scar types, content version {info.version}, "
        f"next review due {long_date(info.next_review)}."
        if content else ""
    )
    return problems, summary


def _render_samples(content, wording) -> list[str]:
    """Draw one leaflet with everything chosen and one with nothing optional,
    so every branch of the template runs once."""
    today = dt.date.today()
    samples = [
        PatientChoices(name="Sample Patient", procedures=tuple(content.procedures), date=today,
                       scars=tuple(content.scars), clinician="Sample Clinician", note="A sample note.\n\nTwo."),
        PatientChoices(name="Sample Patient", procedures=(next(iter(content.procedures)),), date=today),
    ]
    for choices in samples:
        try:
            render_pdf(compose(content, wording, choices))
        except HandoutsError as exc:
            return [str(exc)]
    return []
