"""Inputs that ended in a traceback or a hang: each is now one line naming
the file (and line) and how to fix it (issue 10, section 3)."""

import os
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image

from conftest import line_of, replace_in

MAKE = ("make", "-p", "Ann Lee", "--procedure", "fillers", "--date", "2026-11-21")
CHECK_FAILED = "Error: {} found; fix each line above, then run 'handouts check' again"


def no_traceback(result):
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)


def refused_by_check_and_make(run, message):
    """`check` lists `message` as its one problem and `make` stops with it, drawing nothing."""
    result = run("check")
    no_traceback(result)
    assert result.exit_code == 1
    # (Issue 18: the shipped content also warns that the clinic's risks, aftercare and warning signs are missing.)
    problems = [line for line in result.output.splitlines() if not line.startswith(("  ", "Reading level"))
                and not (line.startswith("Warning: ") and "from the clinic" in line)]
    assert problems == [message, CHECK_FAILED.format("1 problem")]
    assert "Ready" not in result.output
    result = run(*MAKE)
    no_traceback(result)
    assert result.exit_code == 1
    assert result.output == f"Error: {message}\n"
    assert not list(Path(".").rglob("*.pdf"))


# -- content.toml: the clinic ---------------------------------------------------

@pytest.mark.parametrize("old, new, message", [
    ('name = "Riverside Skin Clinic"', 'name = "' + "Riverside " * 500 + '"',
     "content.toml:{line}: clinic.name is 4,999 characters long; shorten it to 60 or fewer, so it fits the "
     "leaflet's header and footer"),
    ('phone = "01234 567 890"', 'phone = "' + "0" * 31 + '"',
     "content.toml:{line}: clinic.phone is 31 characters long; shorten it to 30 or fewer, so it fits the "
     "leaflet's header and footer"),
    ('email = "hello@riverside-skin.example"', 'email = "hello at riverside"',
     "content.toml:{line}: clinic.email 'hello at riverside' must be one plain address such as sam@example.com"),
    ('email = "hello@riverside-skin.example"', 'email = "riverside-skin.example"',
     "content.toml:{line}: clinic.email 'riverside-skin.example' is not an email address: An email address must "
     "have an @-sign."),
])
def test_clinic_details_that_cannot_be_used(run, old, new, message):
    replace_in(Path("content.toml"), old, new)
    refused_by_check_and_make(run, message.format(line=line_of(Path("content.toml"), new)))


def test_clinic_details_at_their_limits_still_fit_every_page(run):
    long_words = lambda n: ("Nnnnnnnnn " * 20)[:n].strip()
    replace_in(Path("content.toml"), 'name = "Riverside Skin Clinic"', f'name = "{long_words(60)}"')
    replace_in(Path("content.toml"), 'address = "12 Sample Street, Exampletown EX1 2AB"',
               f'address = "{long_words(120)}"')
    replace_in(Path("content.toml"), 'phone = "01234 567 890"', 'phone = "+44 (0) 1234 567 890 123 456 7"')
    replace_in(Path("content.toml"), 'email = "hello@riverside-skin.example"',
               f'email = "{"n" * 60}@{"n" * 15}.com"')
    replace_in(Path("content.toml"), 'website = "www.riverside-skin.example"', f'website = "www.{"n" * 36}.{"n" * 35}.com"')
    assert run("check").exit_code == 0
    procedures = [arg for p in ("fillers", "subcision", "dermabrasion", "laser-resurfacing")
                  for arg in ("--procedure", p)]
    for extra in ((), ("--large-print",), ("--paper", "letter"), ("--large-print", "--paper", "letter")):
        result = run("make", "-p", long_words(120), *procedures, "-o", "a.pdf", "--force", *extra)
        assert result.exit_code == 0, result.output


# -- content.toml: the logo -------------------------------------------------------

def use_logo(image_file: str) -> int:
    replace_in(Path("content.toml"), 'logo = "templates/brand/logo.png"', f'logo = "{image_file}"')
    return line_of(Path("content.toml"), f'logo = "{image_file}"')


def test_a_damaged_logo_that_pillow_passes_is_drawn_once_and_refused(run):
    Image.new("RGB", (200, 200), (29, 92, 99)).save("logo.png")
    data = Path("logo.png").read_bytes()
    # Spoil the compressed pixels but give the chunk a correct checksum:
    # Pillow's verify() passes it, ReportLab cannot decode it.
    start = data.index(b"IDAT")
    length = struct.unpack(">I", data[start - 4:start])[0]
    pixels = bytearray(data[start + 4:start + 4 + length])
    pixels[10:30] = bytes(20)
    crc = struct.pack(">I", zlib.crc32(b"IDAT" + pixels) & 0xFFFFFFFF)
    Path("logo.png").write_bytes(data[:start + 4] + pixels + crc + data[start + 8 + length:])
    with Image.open("logo.png") as image:
        image.verify()  # what the old check relied on
    line = use_logo("logo.png")
    refused_by_check_and_make(run, f'content.toml:{line}: clinic.logo file "logo.png" cannot be drawn (broken data '
                                   "stream when reading image file); it may be damaged: save it again as PNG or JPEG")


@pytest.mark.parametrize("size, words", [((10_000, 10_000), "is 10,000 × 10,000 pixels"),
                                         ((20_000, 10_000), "is far too large")])
def test_a_huge_logo_is_refused_with_its_size(run, size, words):
    Image.new("1", size).save("huge.png")  # 100 and 200 megapixels, a few KiB on disk
    line = use_logo("huge.png")
    refused_by_check_and_make(run, f'content.toml:{line}: clinic.logo file "huge.png" {words}; use one of at most '
                                   "4,000 × 4,000 pixels (it prints 16 mm wide)")


# -- templates ----------------------------------------------------------------------

TEMPLATE = Path("templates/leaflet.html.j2")


def add_to_template(text: str) -> int:
    with TEMPLATE.open("a", encoding="utf-8") as handle:
        handle.write(text + "\n")
    return len(TEMPLATE.read_text(encoding="utf-8").splitlines())


@pytest.mark.parametrize("code, message", [
    ('{% include "leaflet.html.j2" %}',
     "this includes the template itself, or calls a macro from inside itself, without end; remove the loop"),
    ("{% macro again(n) %}{{ again(n) }}{% endmacro %}{{ again(1) }}",
     "this includes the template itself, or calls a macro from inside itself, without end; remove the loop"),
    ("{% for i in range(10**9) %}{% endfor %}",
     "range(1000000000) counts too far; a template may count 10,000 steps in all, loops inside loops included"),
    ("{% for i in range(1000) %}{% for j in range(1000) %}{% endfor %}{% endfor %}",
     "range(1000) counts too far; a template may count 10,000 steps in all, loops inside loops included"),
    ('<p>{{ "x" * 10**9 }}</p>', "* would make 1,000,000,000 items or characters; a template may make at most 100,000"),
    ("<p>{{ 2 ** (10**8) }}</p>", "** 100000000 is too large a power; a template may use powers up to 1000"),
])
def test_templates_that_would_never_end(run, code, message):
    line = add_to_template(code)
    refused_by_check_and_make(run, f"templates/leaflet.html.j2:{line}: {message}")


def test_a_template_that_is_not_utf8(run):
    TEMPLATE.write_bytes(TEMPLATE.read_bytes() + "<p>Café</p>\n".encode("cp1252"))
    line = len(TEMPLATE.read_bytes().splitlines())
    refused_by_check_and_make(run, f"templates/leaflet.html.j2:{line}: not UTF-8 text; save the file as UTF-8")


def test_a_template_that_cannot_be_read(run):
    # Root reads any file chmod forbids; reading /proc/self/mem from its start
    # fails for everyone (EIO), as a failing disk or share would.
    TEMPLATE.unlink()
    TEMPLATE.symlink_to("/proc/self/mem")
    refused_by_check_and_make(run, "templates/leaflet.html.j2: cannot be read: Input/output error")


def test_an_empty_template_makes_no_leaflet_and_check_is_not_ready(run):
    TEMPLATE.write_text("{# everything deleted by mistake #}\n", encoding="utf-8")
    refused_by_check_and_make(run, "templates/leaflet.html.j2: the leaflet is empty: the template makes no heading, "
                                   "paragraph or list; restore its wording from the shipped templates")


# -- the note file ----------------------------------------------------------------------

def test_a_note_file_that_is_not_utf8_is_a_usage_error(run):
    Path("note.txt").write_bytes("See you soon.\nCafé at 3.\n".encode("cp1252"))
    result = run(*MAKE, "--note-file", "note.txt")
    no_traceback(result)
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == ("Error: Invalid value for '--note-file': 'note.txt' line 2 is not "
                                              "UTF-8 text; save it as UTF-8 (or paste the note into --note)")
    os.mkdir("notes")
    result = run(*MAKE, "--note-file", "notes")
    assert result.output.splitlines()[-1] == "Error: Invalid value for '--note-file': 'notes' cannot be read: Is a directory"
    assert not list(Path(".").rglob("*.pdf"))


def test_a_note_file_from_standard_input_and_with_a_bom(run):
    result = run(*MAKE, "--note-file", "-", "-o", "a.pdf", input="\ufeffSee you soon.".encode("utf-8"))
    assert result.exit_code == 0, result.output
    from conftest import pdf_text
    assert "\ufeff" not in pdf_text("a.pdf") and "See you soon." in pdf_text("a.pdf")
