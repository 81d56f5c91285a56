"""Broken content.toml and templates: every problem named with file and line."""

import shutil
from pathlib import Path

import pytest

from conftest import line_of, pdf_text, replace_in


@pytest.mark.parametrize("old, new, message", [
    ('version = "1.0"', "version = 1.0", "content.toml:{line}: leaflet.version should be text in quotes, not a number"),
    ('"subcision", "fillers", "chemical-peel"', '"subcission", "fillers", "chemical-peel"',
     'content.toml:{line}: scars.rolling.procedures names unknown procedure "subcission"; did you mean "subcision"?'),
    ('primary = "#1D5C63"', 'primary = "teal"',
     'content.toml:{line}: clinic.colours.primary is "teal"; write a colour as #RRGGBB, like "#1D5C63"'),
    ("full_recovery = { from = 3, to = 10 }", "full_recovery = { from = 10, to = 3 }",
     "content.toml:{line}: procedures.laser-resurfacing.full_recovery runs from 10 to 3; "
     "'to' must not be less than 'from'"),
    ("full_recovery = { from = 3, to = 10 }", 'full_recovery = "3 to 10 days"',
     "content.toml:{line}: procedures.laser-resurfacing.full_recovery should be a table, not text"),
    ("next_review = 2028-11-21", 'next_review = "2028-11-21"',
     "content.toml:{line}: leaflet.next_review should be a date like 2026-11-21 (no quotes), not text"),
    ('logo = "templates/brand/logo.png"', 'logo = "templates/brand/missing.png"',
     'content.toml:{line}: clinic.logo file "templates/brand/missing.png" not found (looked in {folder})'),
    ('name = "Fillers"', 'name = "Fillers 漢"',
     'content.toml:{line}: procedures.fillers.name has "漢" (U+6F22 CJK UNIFIED IDEOGRAPH-6F22), '
     "which the leaflet font cannot print; remove it"),
])
def test_one_problem_is_named_with_its_line(run, old, new, message):
    path = Path("content.toml")
    replace_in(path, old, new)
    line = line_of(path, new)
    expected = message.format(line=line, folder=Path("templates/brand").resolve())
    result = run("check")
    assert result.exit_code == 1
    assert result.output == f"{expected}\nError: 1 problem found; fix each line above, then run 'handouts check' again\n"
    # make refuses too, with the same first line.
    result = run("make", "-p", "Ann", "--procedure", "subcision")
    assert result.exit_code == 1
    assert result.output == f"Error: {expected}\n"


def test_a_misspelt_field_is_named_with_the_right_spelling(run):
    path = Path("content.toml")
    replace_in(path, 'how = "The filler is injected under the scar.', 'hwo = "The filler is injected under the scar.')
    misspelt = line_of(path, "hwo =")
    header = line_of(path, "[procedures.fillers]")
    result = run("check")
    assert result.output.splitlines() == [
        f'content.toml:{misspelt}: procedures.fillers.hwo is not a known field; did you mean "how"?',
        f"content.toml:{header}: procedures.fillers.how is missing; add it as text in quotes",
        "Error: 2 problems found; fix each line above, then run 'handouts check' again",
    ]


def test_a_missing_field_points_at_its_table(run):
    path = Path("content.toml")
    replace_in(path, 'feels_like = "Afterwards, your skin may feel as if it has been sunburnt."\n', "")
    header = line_of(path, "[procedures.fractional-laser]")
    result = run("check")
    assert result.output.splitlines()[0] == (
        f"content.toml:{header}: procedures.fractional-laser.feels_like is missing; add it as text in quotes")


def test_every_problem_is_listed(run):
    path = Path("content.toml")
    replace_in(path, 'version = "1.0"', "version = 1.0")
    replace_in(path, 'primary = "#1D5C63"', 'primary = "teal"')
    replace_in(path, '"subcision", "fillers", "chemical-peel"', '"subcission", "fillers", "chemical-peel"')
    result = run("check")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert len(lines) == 4
    assert lines[-1] == "Error: 3 problems found; fix each line above, then run 'handouts check' again"
    result = run("make", "-p", "Ann", "--procedure", "subcision")
    assert result.output.endswith("(and 2 more problems: run 'handouts check' to list them)\n")


def test_malformed_toml_names_line_and_column(run):
    Path("content.toml").write_text('[leaflet]\ntitle = "x\n', encoding="utf-8")
    result = run("make", "-p", "Ann", "--procedure", "subcision")
    assert result.exit_code == 1
    assert result.output == "Error: content.toml:2:11: not valid TOML: illegal character '\\n'\n"


def test_content_that_is_not_utf8(run):
    Path("content.toml").write_bytes('[leaflet]\ntitle = "Zo\u00eb"\n'.encode("cp1252"))
    result = run("check")
    assert result.output.splitlines()[0] == "content.toml:2: not UTF-8 text; save the file as UTF-8"


def test_a_logo_that_is_not_an_image(run):
    Path("templates/brand/logo.png").write_text("not a picture")
    result = run("check")
    assert result.output.splitlines()[0].endswith('clinic.logo file "templates/brand/logo.png" is not a PNG or JPEG image')


@pytest.mark.parametrize("old, new, message", [
    ("{{ p.how }}", "{{ p.hwo }}", "templates/leaflet.html.j2:{line}: 'handouts.content.Procedure object' has no attribute 'hwo'"),
    # Jinja notices the unclosed tag on the line after it.
    ("{% for p in procedures %}\n  <tr>", "{% for p in procedures %\n  <tr>", "templates/leaflet.html.j2:{next}: unexpected '<'"),
    ("<h2>What to expect realistically</h2>", "<h5>What to expect realistically</h5>",
     "templates/leaflet.html.j2: output line {out}: <h5> is not an element leaflets use; "
     "see the list at the top of the leaflet template"),
])
def test_template_problems_are_named(run, old, new, message):
    path = Path("templates/leaflet.html.j2")
    replace_in(path, old, new)
    line = line_of(path, new.splitlines()[0])
    result = run("check")
    assert result.exit_code == 1
    first = result.output.splitlines()[0]
    if "{out}" in message:
        prefix, suffix = message.split("{out}")
        assert first.startswith(prefix) and first.endswith(suffix)
    else:
        assert first == message.format(line=line, next=line + 1)


def test_templates_escape_values(run, tmp_path):
    """The template engine, not the template author, escapes patient text."""
    result = run("make", "-p", "</p><h1>Boom</h1>", "--procedure", "fillers", "-o", "a.pdf")
    assert result.exit_code == 0, result.output
    assert "Prepared for </p><h1>Boom</h1> on" in pdf_text("a.pdf").replace("\n", " ")


def test_missing_templates_folder(run):
    shutil.rmtree("templates/brand")
    replace_in(Path("content.toml"), 'logo = "templates/brand/logo.png"\n', "")
    shutil.rmtree("templates")
    result = run("check")
    assert result.output.splitlines()[0] == (
        "templates: templates folder not found; pass --templates DIR or set HANDOUTS_TEMPLATES")
