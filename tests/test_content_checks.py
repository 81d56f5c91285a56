"""Broken content.toml and templates: every problem named with file and line."""

import json
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
     'content.toml:{line}: procedures.fillers.name has Chinese characters ("漢", CJK Unified Ideographs), '
     'which the leaflet font cannot print; a clinic can add a font for them in content.toml '
     '([fonts] extra = ["FONT.ttf"])'),
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


# -- trustworthy content: contrast, reading level, review dates, JSON ------------


@pytest.mark.parametrize("old, new, message", [
    ('text = "#1A1A1A"', 'text = "#8A8A8A"',
     "clinic.colours.text #8A8A8A on white paper #FFFFFF has a contrast of 3.45:1; text needs at least 4.5:1, "
     "so choose a darker text colour"),
    ('accent = "#E3EFF0"', 'accent = "#4A4A4A"',
     "clinic.colours.text #1A1A1A on the accent tint #4A4A4A has a contrast of 1.96:1; text needs at least "
     "4.5:1, so choose a darker text or a lighter accent colour"),
    ('primary = "#1D5C63"', 'primary = "#7FB8BF"',
     "clinic.colours.primary #7FB8BF on white paper (headings) #FFFFFF has a contrast of 2.21:1; text needs at "
     "least 4.5:1, so choose a darker primary colour"),
])
def test_low_contrast_brand_colours_are_errors(run, old, new, message):
    path = Path("content.toml")
    replace_in(path, old, new)
    key = new.split(" = ")[0]
    line = line_of(path, new) if key != "accent" else line_of(path, 'text = "#1A1A1A"')
    result = run("check")
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == f"content.toml:{line}: {message}"


def test_a_hard_field_is_a_warning_and_strict_makes_it_an_error(run):
    path = Path("content.toml")
    hard = ("Microdermabrasion utilises crystalline particulate exfoliation, facilitating epidermal "
            "regeneration and considerable dermatological rejuvenation.")
    start = path.read_text(encoding="utf-8").index("[procedures.microdermabrasion]")
    text = path.read_text(encoding="utf-8")
    path.write_text(text[:start] + text[start:].replace('how = "', f'how = "{hard} ', 1), encoding="utf-8")
    line = line_of(path, hard)
    field = "microdermabrasion"
    result = run("check")
    assert result.exit_code == 0
    (warning,) = [line for line in result.output.splitlines() if line.startswith("Warning")]
    assert warning.startswith(f"Warning: content.toml:{line}: procedures.{field}.how reads at grade ")
    assert warning.endswith("; aim for 8 or below (shorter sentences, shorter words)")
    strict = run("check", "--strict")
    assert strict.exit_code == 1
    assert strict.output.splitlines()[-1] == ("Error: 1 problem found; fix each line above, then run "
                                              "'handouts check' again")


def test_check_json_reports_levels_per_procedure_and_section(run):
    result = run("check", "--format", "json")
    assert result.exit_code == 0
    report = json.loads(result.output)
    assert report["problems"] == [] and report["warnings"] == [] and report["grade_limit"] == 8.0
    sections = {r["field"]: r["grade"] for r in report["sections"]}
    assert {"introduction", "expectations", "checklist", "contact", "procedure subcision",
            "procedure fillers", "leaflet.html.j2", "email.txt.j2"} <= set(sections)
    assert all(grade <= 8 for grade in sections.values())
    fields = {r["field"] for r in report["fields"]}
    assert "procedures.subcision.how" in fields and "leaflet.intro" in fields


def test_check_json_lists_problems_and_exits_1(run):
    replace_in(Path("content.toml"), 'text = "#1A1A1A"', 'text = "#8A8A8A"')
    result = run("check", "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.output[:result.output.rindex("}") + 1])
    assert [p.split(" has a contrast of ")[1][:6] for p in report["problems"]] == ["3.45:1", "2.94:1"]


def test_overdue_content_warns_in_check_and_make_and_strict_refuses(run):
    path = Path("content.toml")
    replace_in(path, "last_reviewed = 2026-11-21", "last_reviewed = 2020-01-01")
    replace_in(path, "next_review = 2028-11-21", "next_review = 2021-01-01")
    message = ("content version 1.0 was due for review on 1 January 2021; review it with a clinician, then "
               "update leaflet.last_reviewed and next_review")
    result = run("check")
    assert result.exit_code == 0
    assert f"Warning: content.toml:{line_of(path, 'next_review')}: {message}" in result.output.splitlines()
    made = run("make", "-p", "Ann", "--procedure", "fillers")
    assert made.exit_code == 0
    assert made.output.splitlines()[0] == f"Warning: content.toml: {message}"
    strict = run("make", "-p", "Ann", "--procedure", "fillers", "--strict", "--force")
    assert strict.exit_code == 1
    assert strict.output == f"Error: content.toml: {message} (--strict)\n"


def test_content_without_a_review_date_is_an_error(run):
    path = Path("content.toml")
    replace_in(path, "next_review = 2028-11-21\n", "")
    result = run("check")
    assert result.exit_code == 1
    header = path.read_text(encoding="utf-8").splitlines().index("[leaflet]") + 1
    assert result.output.splitlines()[0] == (f"content.toml:{header}: leaflet.next_review is missing; add a date "
                                             "like 2026-11-21 (no quotes)")
