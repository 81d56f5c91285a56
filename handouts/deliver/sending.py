"""Which leaflet goes to whom: letters for a batch, a single leaflet, or the history.

A leaflet is read back from disk and checked against the SHA-256 recorded
when it was made, so the attachment is exactly the file that was printed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from .delivery import maybe_sent
from ..errors import HandoutsError
from ..history import Entry, History
from ..leaflet.translations import language_name_in
from .mail import Letter, compose_message, encrypt_pdf
from ..make import Maker


def letter(maker: Maker, paths: list[Path], *, label: str, name: str, address: str, sha256: str | None = None,
           password: tuple[str, str] | None = None, language: str = "", bilingual: bool = False) -> Letter:
    """The message carrying the leaflet files at `paths` (its PDF and/or HTML).

    The first file is the one recorded, checked against `sha256` when given;
    `password` is (password, where it came from) to encrypt the PDF. The
    message is in the leaflet's `language` ("" for the content's own); it says
    when the leaflet is `bilingual`, its second part in the content's own.
    """
    files = {}
    for path in paths:
        try:
            files[path] = path.read_bytes()
        except OSError as exc:
            raise HandoutsError(f"{label}: cannot read {path}: {exc.strerror or exc}; make the leaflet again") from None
    made = hashlib.sha256(files[paths[0]]).hexdigest()
    if sha256 is not None and made != sha256:
        raise HandoutsError(f"{label}: {paths[0]} has changed since it was made; make the leaflet again")
    if password:
        files = {path: encrypt_pdf(data, password[0]) if path.suffix == ".pdf" else data for path, data in files.items()}
    also_in = language_name_in(maker.content.leaflet.language, language) if bilingual else ""
    message = compose_message(*maker.in_language(language), name=name, address=address,
                              attachments={path.name: data for path, data in files.items()}, password=password,
                              also_in=also_in)
    return Letter(label=label, sha256=made, address=address, message=message, encrypted=bool(password))


def letters_from_history(maker: Maker, history: History, *, patient: str | None, since, encrypt: bool, resend: bool,
                         password_for: Callable[[str], tuple[str, str]]) -> tuple[list[Letter], list[str], list[str]]:
    """Letters for recorded leaflets that have an address but no message delivered yet (or all, to resend).

    Also the problems that keep a leaflet from being sent, and, unless
    resending, a report of each message that may have gone out already.
    """
    letters, problems, held = [], [], []
    for entry, message in history.addressed(patient, since):
        label = Path(entry.path).name
        if message is not None and not resend:
            if message.status.may_have_gone:
                held.append(maybe_sent(label, message.detail or "another run is handing it over now"))
            continue
        try:
            if not encrypt and history.was_encrypted(entry.sha256, entry.email):
                raise HandoutsError(f"{label}: was to be sent encrypted before; add --encrypt")
            password = password_for(label) if encrypt else None
            letters.append(letter(maker, [Path(entry.path), *_companions(history, entry)], label=label,
                                  name=entry.patient, address=entry.email, sha256=entry.sha256, password=password,
                                  language=entry.language, bilingual=entry.bilingual == "yes"))
        except HandoutsError as exc:
            problems.append(str(exc))
    return letters, problems, held


def _companions(history: History, entry: Entry) -> list[Path]:
    """The other formats of the same leaflet (an HTML beside its PDF), made from the same inputs."""
    path = Path(entry.path)
    others = [path.with_suffix(".html")] if path.suffix == ".pdf" else []
    return [p for p in others if (made := history.made_here(p)) is not None and made.inputs == entry.inputs]


def letters_for_batch(maker: Maker, plan, outcome) -> tuple[list[Letter], list[str]]:
    """Letters for the rows of a batch that have an address and a leaflet on disk."""
    made = outcome.made_rows()
    letters, problems = [], []
    for job in plan.jobs:
        if job.row in made and job.record.email:
            try:
                letters.append(letter(maker, list(job.files.values()), label=f"row {job.row}", name=job.choices.name,
                                      address=job.record.email, password=job.password,
                                      language=job.choices.language, bilingual=job.choices.bilingual))
            except HandoutsError as exc:
                problems.append(str(exc))
    return letters, problems
