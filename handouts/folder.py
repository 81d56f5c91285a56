"""A clinic folder: its own content.toml, templates/ and output/, made by `handouts init`.

Every command works from the clinic folder it is run in. A new folder starts
from the content and templates shipped inside the package (handouts/defaults
in a wheel or a plain install), so the clinic edits its own copies.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from importlib.resources import files
from pathlib import Path

from .errors import HandoutsError

# A clinic folder's layout. Every command works from the clinic folder it is run in, so these are also
# where each one reads and writes unless told otherwise.
CONTENT = "content.toml"
TEMPLATES = "templates"
TRANSLATIONS = "translations"  # each language's wording of content.toml (leaflet/translations.py)
OUTPUT = "output"
README = "README.txt"
TLS = "handouts-tls"  # the front desk's HTTPS certificate and key, when it makes its own
OUTBOX = "outbox"  # in the output folder: emails written for a mail program to send
DEFAULT_HISTORY = Path(OUTPUT) / "handouts-history.sqlite3"
DEFAULT_OUTBOX = Path(OUTPUT) / OUTBOX

_README = """\
This is a handouts clinic folder: the content, wording and logo of this
clinic's leaflets, and the leaflets made from them.

What to edit
  content.toml               treatment facts, clinic details, colours (its
                             comments explain each part)
  templates/leaflet.html.j2  the wording around the facts
  templates/email*.j2        the emails that carry leaflets
  templates/brand/logo.png   the clinic's logo (PNG or JPEG, ideally square)
  translations/es.toml       the content's wording in Spanish (handouts
                             languages lists the languages; check names an
                             entry whose English has changed)
  templates/locale/es.po     the templates' wording in Spanish

What to run, in this folder
  handouts check             after every edit: lists each problem with its
                             file and line, and the reading level
  handouts make              one patient's leaflet; in a terminal it asks
                             for each detail
  handouts batch LIST.csv    a leaflet for every row of a spreadsheet
  handouts serve             the front desk: a web page for staff who do not
                             use a terminal (open the address it prints)
  handouts history           which leaflets were given, to whom

Leaflets, emails written to the outbox and the record of what was given go
to output/. They hold patients' names: keep the folder private.
"""


class FolderError(HandoutsError):
    """A clinic folder cannot be made here."""


def shipped() -> Path:
    """The folder holding the content.toml and templates/ that handouts ships."""
    packaged = Path(str(files("handouts"))) / "defaults"
    if packaged.is_dir():
        return packaged
    # Run from the source tree (an editable install, or PYTHONPATH): the
    # repository's own content.toml and templates/ are the ones shipped.
    source = Path(__file__).resolve().parent.parent
    if (source / CONTENT).is_file() and (source / TEMPLATES).is_dir():
        return source
    raise FolderError("this installation of handouts lacks its shipped content (handouts/defaults); "
                      "install it again with pip")


def init_folder(folder: Path) -> list[Path]:
    """Make a clinic folder at `folder` (new, or existing without these files); return what was written.

    Nothing already there is replaced, and an interrupted run leaves nothing
    half-copied under a real name: everything is made in a hidden folder
    first and then moved into place.
    """
    names = (CONTENT, TEMPLATES, TRANSLATIONS, OUTPUT, README)
    if folder.exists() and not folder.is_dir():
        raise FolderError(f"{folder} is a file, not a folder; choose another name")
    taken = [name for name in names if (folder / name).exists()]
    if taken:
        raise FolderError(f"{folder / taken[0]} already exists; handouts init never replaces a clinic's files "
                          "(choose a new folder, or move it away first)")
    source = shipped()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=folder, prefix=".handouts-init-") as staging:
            stage = Path(staging)
            shutil.copy2(source / CONTENT, stage / CONTENT)
            shutil.copytree(source / TEMPLATES, stage / TEMPLATES,
                            ignore=shutil.ignore_patterns("__pycache__", ".*"))
            shutil.copytree(source / TRANSLATIONS, stage / TRANSLATIONS)
            (stage / OUTPUT).mkdir(mode=0o700)  # its files are named after patients
            os.chmod(stage / OUTPUT, 0o700)
            (stage / README).write_text(_README, encoding="utf-8")
            for name in names:
                (stage / name).rename(folder / name)
    except OSError as exc:
        raise FolderError(f"cannot make the clinic folder {folder}: {exc.strerror or exc}") from None
    return [folder / name for name in names]
