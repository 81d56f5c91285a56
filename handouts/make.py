"""Making leaflets: what `make` and every `batch` worker share."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from . import __version__
from .choices import PatientChoices
from .compose import compose
from .content import load_content
from .history import History, Record
from .output import default_path
from .pdf import render_pdf
from .wording import Wording

DEFAULT_OUTPUT_DIR = Path("output")


class Maker:
    """Content and wording loaded once, with fingerprints of both.

    The fingerprints go into the history, and into the key that tells a
    batch whether a leaflet on disk is still up to date.
    """

    def __init__(self, content_path: str | Path, templates_dir: str | Path, *, invariant: bool = False):
        # What a worker process needs to build the same Maker.
        self.args = (str(content_path), str(templates_dir), invariant)
        self.content = load_content(content_path)
        self.wording = Wording(templates_dir)
        self.invariant = invariant
        logo = self.content.clinic.logo
        self.content_hash = _digest([Path(content_path).read_bytes(), logo.read_bytes() if logo else b""])
        self.template_version = _digest(
            [p.relative_to(self.wording.folder).as_posix().encode() + b"\0" + p.read_bytes()
             for p in sorted(self.wording.folder.rglob("*")) if p.is_file()])[:12]

    def render(self, choices: PatientChoices) -> bytes:
        return render_pdf(compose(self.content, self.wording, choices), invariant=self.invariant)

    def record(self, choices: PatientChoices, patient_id: str = "", email: str = "") -> Record:
        inputs = json.dumps([__version__, self.content_hash, self.template_version, patient_id, choices.name,
                             choices.procedures, choices.scars, choices.clinician, choices.date.isoformat(),
                             choices.note, choices.paper, choices.large_print])
        return Record(
            patient=choices.name,
            patient_id=patient_id,
            procedures=";".join(choices.procedures),
            scars=";".join(choices.scars),
            clinician=choices.clinician or "",
            leaflet_date=choices.date.isoformat(),
            content_version=self.content.leaflet.version,
            template_version=self.template_version,
            inputs=hashlib.sha256(inputs.encode()).hexdigest(),
            email=email,
        )


def make_leaflet(maker: Maker, choices: PatientChoices, history: History, output: Path | None = None,
                 *, force: bool = False, email: str = "") -> Path:
    """Draw, write and record one leaflet; return the path written.

    `output` may be a file, a folder (the default name goes inside it) or
    None for output/<date>-<name>.pdf.
    """
    if output is None or output.is_dir():
        output = default_path(output or DEFAULT_OUTPUT_DIR, choices.date, choices.name)
    history.write_leaflet(output, maker.render(choices), maker.record(choices, email=email), overwrite=force)
    return output


def _digest(parts: list[bytes]) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(len(part).to_bytes(8, "big") + part)
    return digest.hexdigest()
