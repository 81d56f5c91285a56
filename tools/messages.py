"""Make or bring up to date the templates' gettext catalogues, templates/locale/<language>.po, with Babel.

    python tools/messages.py es [ar ...]   [--templates DIR]

Extracts every sentence marked for translation in the Jinja2 templates ({% trans %} ... {% endtrans %},
{% pluralize count %}, _("...")) and adds the new ones to each language's catalogue, untranslated; sentences
whose English changed are kept as fuzzy guesses, and ones no longer used are marked obsolete. Then translate
the empty msgstr lines (every plural form: Spanish has three) and run `handouts check`, which refuses a
catalogue with a sentence untranslated, an empty plural form or a fuzzy guess.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
# As handouts/leaflet/wording.py sets up its Jinja2 environment, so the sentences found are the ones looked up.
OPTIONS = {"extensions": "jinja2.ext.i18n", "trimmed": "true", "trim_blocks": "true", "lstrip_blocks": "true",
           "newstyle_gettext": "true"}


def extract(templates: Path) -> Catalog:
    template = Catalog(project="handouts", msgid_bugs_address="", fuzzy=False)
    for filename, lineno, message, comments, context in extract_from_dir(
            templates, method_map=[("**.j2", "jinja2.ext:babel_extract")], options_map={"**.j2": OPTIONS}):
        template.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return template


def update(templates: Path, language: str) -> Path:
    path = templates / "locale" / f"{language}.po"
    template = extract(templates)
    if path.is_file():
        with path.open("rb") as file:
            catalog = read_po(file, locale=language.replace("-", "_"))
        catalog.update(template)
    else:
        catalog = Catalog(locale=language.replace("-", "_"), project="handouts", fuzzy=False)
        catalog.update(template, no_fuzzy_matching=True)
        path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as file:
        write_po(file, catalog, width=100, sort_by_file=True)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("languages", nargs="+", metavar="LANGUAGE")
    parser.add_argument("--templates", type=Path, default=ROOT / "templates")
    args = parser.parse_args()
    for language in args.languages:
        print(update(args.templates, language))


if __name__ == "__main__":
    main()
