"""The exceptions the engine raises for problems a user can fix.

The CLI turns `InputError` into a usage error (exit 2) naming the option, and
every other `HandoutsError` into a plain error (exit 1).
"""


class HandoutsError(Exception):
    """A problem the user can fix; its message says what and how."""


class ContentError(HandoutsError):
    """content.toml is missing, malformed or incomplete.

    `problems` holds every problem found, each already naming file and place.
    """

    def __init__(self, problems: list[str]):
        self.problems = problems
        message = problems[0]
        if len(problems) > 1:
            message += f" (and {len(problems) - 1} more problems: run 'handouts check' to list them)"
        super().__init__(message)


class TemplateError(HandoutsError):
    """A wording template cannot be read, parsed or rendered."""


class InputError(HandoutsError):
    """One piece of patient input is wrong.

    `field` names the input the way the CSV names it (patient, procedures,
    scars, date, ...); the CLI maps it to its option.
    """

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(message)


class LostLetters(InputError):
    """A name or note in which `?` or U+FFFD stands for letters lost on the way (a list saved in an encoding that
    cannot hold them): refused, never printed. Each face adds how to mend it where the text came from."""


class BilingualInOwnLanguage(InputError):
    """bilingual asked of a leaflet already in the clinic's own language: a bilingual leaflet is the patient's
    language, then the clinic's. Each face adds how to choose the patient's language in its own terms."""

    def __init__(self, own: str, languages: dict[str, str]):
        """`languages`: each of the clinic's language tags -> its name in that language, the content's own first."""
        others = ", ".join(f"{name} ({tag})" for tag, name in languages.items() if tag != own)
        others = f"the clinic's others: {others}" if others else "the clinic has no other language yet"
        super().__init__("bilingual", f"a bilingual leaflet is in the patient's language, then in "
                                      f"{languages.get(own, own)} ({own}), the clinic's own, so it needs another "
                                      f"language ({others})")


class UnprintableError(HandoutsError):
    """Text holds a character the leaflet fonts cannot draw."""


class OutputExistsError(HandoutsError):
    """The output file exists and overwriting was not asked for."""

    def __init__(self, path):
        self.path = path
        super().__init__(f"{path} already exists; use --force to replace it, or --output to choose another name")


class InvalidChoices(InputError):
    """Several pieces of patient input are wrong; reads as the first of them."""

    def __init__(self, problems: list[InputError]):
        self.problems = problems
        super().__init__(problems[0].field, str(problems[0]))


class FontError(HandoutsError):
    """A font file named in content.toml cannot be embedded in a PDF."""
