"""The command line as staff use it: output paths, messages and exit codes."""

import os
from pathlib import Path

import pytest

from conftest import cli_module, pdf_text

COMMANDS = sorted(cli_module.cli.commands)


def test_version(run):
    result = run("--version")
    assert result.exit_code == 0
    assert result.output == "handouts, version 0.1.0\n"


@pytest.mark.parametrize("flag", ["-h", "--help"])
@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(run, command, flag):
    result = run(command, flag)
    assert result.exit_code == 0
    assert f"Usage: handouts {command}" in result.output
    # The first line of the docstring is the summary users see.
    assert len(result.output.splitlines()[2].strip()) > 20


def test_every_command_is_tested_for_help():
    assert COMMANDS == ["audit", "backup", "batch", "check", "history", "init", "languages", "make", "merge", "procedures",
                        "restore", "send", "serve", "staff"]


def test_group_help_lists_every_command(run):
    result = run("--help")
    assert result.exit_code == 0
    for command in COMMANDS:
        assert f"  {command} " in result.output


def test_make_writes_the_default_path_and_prints_it(run):
    result = run("make", "--patient", "Sam Smith", "--procedure", "subcision", "--date", "2026-11-21")
    assert result.exit_code == 0, result.output
    assert result.output == "output/2026-11-21-sam-smith.pdf\n"
    assert "Subcision" in pdf_text("output/2026-11-21-sam-smith.pdf")


def test_make_does_not_overwrite_without_force(run):
    args = ["make", "-p", "Sam Smith", "--procedure", "subcision", "--date", "2026-11-21"]
    assert run(*args).exit_code == 0
    path = Path("output/2026-11-21-sam-smith.pdf")
    path.write_bytes(b"someone else's file")
    result = run(*args)
    assert result.exit_code == 1
    assert result.output == (
        "Error: output/2026-11-21-sam-smith.pdf already exists; "
        "use --force to replace it, or --output to choose another name\n"
    )
    assert path.read_bytes() == b"someone else's file"
    assert run(*args, "--force").exit_code == 0
    assert path.read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize("name, expected", [
    ("../../x", "output/2026-11-21-x.pdf"),
    ("/etc/passwd", "output/2026-11-21-etc-passwd.pdf"),
    ("..", "output/2026-11-21-patient.pdf"),
    ("Zoë Łukasz-Nguyễn Đức", "output/2026-11-21-zoe-lukasz-nguyen-duc.pdf"),
    ("Μαρία Ивановна", "output/2026-11-21-maria-ivanovna.pdf"),
])
def test_a_name_never_leaves_the_output_folder(run, tmp_path, name, expected):
    result = run("make", "-p", name, "--procedure", "fillers", "--date", "2026-11-21")
    assert result.exit_code == 0, result.output
    assert result.output == expected + "\n"
    written = [p for p in tmp_path.rglob("*.pdf")]
    assert written == [tmp_path / expected]


def test_output_may_be_a_file_or_a_folder(run, tmp_path):
    result = run("make", "-p", "Ann Lee", "--procedure", "fillers", "-o", "leaflets/ann.pdf")
    assert result.exit_code == 0
    assert Path("leaflets/ann.pdf").is_file()
    Path("box").mkdir()
    result = run("make", "-p", "Ann Lee", "--procedure", "fillers", "--date", "2026-01-02", "-o", "box")
    assert result.output == "box/2026-01-02-ann-lee.pdf\n"


def test_output_must_be_a_pdf(run):
    result = run("make", "-p", "Ann", "--procedure", "fillers", "-o", "ann.txt")
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == (
        "Error: Invalid value for '--output': 'ann.txt' must end in .pdf, or be an existing folder")


@pytest.mark.parametrize("args, option, message", [
    (["-p", "Ann", "--procedure", "subcission"], "--procedure",
     "unknown procedure 'subcission'; did you mean 'subcision'?"),
    (["-p", "Ann", "--procedure", "laser"], "--procedure",
     "unknown procedure 'laser'; choose from: dermabrasion, microdermabrasion, chemical-peel, "
     "laser-resurfacing, fractional-laser, subcision, fillers, counselling"),
    (["-p", "Ann", "--procedure", "fillers", "--scar", "icepick"], "--scar",
     "unknown scar type 'icepick'; did you mean 'ice-pick'?"),
    (["-p", "   ", "--procedure", "fillers"], "--patient",
     "the patient's name is empty; type it as it should appear on the leaflet"),
    (["-p", "Ann", "--procedure", "fillers", "--date", "2026-13-01"], "--date",
     "'2026-13-01' is not a date: there is no month 13; write it as YYYY-MM-DD or DD/MM/YYYY, for example 2026-12-03 or 03/12/2026"),
    (["-p", "Ann", "--procedure", "fillers", "--date", "31/11/2026"], "--date",
     "'31/11/2026' is not a date: November 2026 has no day 31; write it as YYYY-MM-DD or DD/MM/YYYY, for example 2026-12-03 or 03/12/2026"),
    (["-p", "Ann", "--procedure", "fillers", "--date", "11/21/2026"], "--date",
     "'11/21/2026' is not a date: there is no month 21 (here the day comes first); write it as YYYY-MM-DD or DD/MM/YYYY, for example 2026-12-03 or 03/12/2026"),
    (["-p", "Ann", "--procedure", "fillers", "--date", "21/11/26"], "--date",
     "'21/11/26' is ambiguous: write the year in full; write it as YYYY-MM-DD or DD/MM/YYYY, for example 2026-12-03 or 03/12/2026"),
    (["-p", "Ann 漢字", "--procedure", "fillers"], "--patient",
     "the patient's name contains Chinese characters (\"漢\", CJK Unified Ideographs), which the leaflet "
     "font cannot print; a clinic can add a font for them in content.toml ([fonts] extra = [\"FONT.ttf\"])"),
    (["-p", "Ann", "--procedure", "fillers", "--note", "x" * 16_000], "--note",
     "the note has a word 16,000 letters long; the longest a leaflet takes is 100: put spaces in it"),
    (["-p", "Ann", "--procedure", "fillers", "--note", "x\n" * 10_000], "--note",
     "the note has 10,000 lines; the most a leaflet takes is 200"),
    (["-p", "Ann", "--procedure", "fillers", "--note", "a " * 10_001], "--note",
     "the note has 10,001 words; the most a leaflet takes is 10,000"),
    (["-p", "Ann", "--procedure", "fillers", "--note", "a " * 25_001], "--note",
     "the note is 50,001 characters long; the most a leaflet takes is 50,000"),
    (["-p", "Ann", "--procedure", "fillers", "--note", "Smile 🙂"], "--note",
     "the note contains \"🙂\" (U+1F642 SLIGHTLY SMILING FACE), which leaflets cannot print; remove it"),
    (["-p", "Ann\x07", "--procedure", "fillers"], "--patient",
     "the patient's name contains the control character U+0007 (unnamed character); retype it"),
    (["-p", "A" * 121, "--procedure", "fillers"], "--patient",
     "the patient's name is 121 characters long; shorten it to 120 or fewer"),
])
def test_bad_input_is_a_usage_error_naming_the_option(run, args, option, message):
    result = run("make", *args)
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == f"Error: Invalid value for '{option}': {message}"
    assert "Traceback" not in result.output
    assert not list(Path(".").rglob("*.pdf"))


def test_paper_size_is_checked_by_click(run):
    result = run("make", "-p", "Ann", "--procedure", "fillers", "--paper", "a5")
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == (
        "Error: Invalid value for '--paper': 'a5' is not one of 'a4', 'letter'.")


def test_missing_options_without_a_terminal_say_what_to_add(run):
    result = run("make", "--procedure", "fillers", input="")
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == (
        "Error: Missing option '--patient'. Give the name, for example --patient \"Sam Smith\".")
    result = run("make", "-p", "Ann", input="")
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == (
        "Error: Missing option '--procedure'. Give at least one, for example --procedure subcision; "
        "'handouts procedures' lists them all.")


def test_note_and_note_file_are_exclusive(run, tmp_path):
    (tmp_path / "note.txt").write_text("hello", encoding="utf-8")
    result = run("make", "-p", "Ann", "--procedure", "fillers", "--note", "x", "--note-file", "note.txt")
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == "Error: Give the note with --note or --note-file, not both."


def test_note_file_is_read(run, tmp_path):
    (tmp_path / "note.txt").write_text("See you on Tuesday.\n", encoding="utf-8")
    result = run("make", "-p", "Ann", "--procedure", "fillers", "--note-file", "note.txt", "-o", "a.pdf")
    assert result.exit_code == 0
    assert "See you on Tuesday." in pdf_text("a.pdf")


def test_content_and_templates_come_from_options_or_environment(run, tmp_path):
    Path("content.toml").rename("clinic.toml")
    Path("templates/leaflet.html.j2").rename("wording.html.j2")
    Path("wording").mkdir()
    Path("wording.html.j2").rename("wording/leaflet.html.j2")
    result = run("make", "-p", "Ann", "--procedure", "fillers")
    assert result.exit_code == 1
    assert result.output == (
        f"Error: content.toml: content file not found in {Path.cwd()}; work in a clinic folder (make one with 'handouts init FOLDER'), or pass --content PATH or set "
        "HANDOUTS_CONTENT\n")
    result = run("make", "-p", "Ann", "--procedure", "fillers", "--content", "clinic.toml")
    assert result.exit_code == 1
    assert result.output == "Error: templates/leaflet.html.j2: template not found\n"
    result = run("make", "-p", "Ann", "--procedure", "fillers", "--content", "clinic.toml", "--templates", "nowhere")
    assert result.output == (
        f"Error: nowhere: templates folder not found in {Path.cwd()}; work in a clinic folder (make one with 'handouts init FOLDER'), or pass --templates DIR or set "
        "HANDOUTS_TEMPLATES\n")
    env = {"HANDOUTS_CONTENT": "clinic.toml", "HANDOUTS_TEMPLATES": "wording"}
    result = run("make", "-p", "Ann", "--procedure", "fillers", "-o", "a.pdf", env=env)
    assert result.exit_code == 0, result.output


def test_procedures_lists_ids_names_and_recovery(run):
    result = run("procedures")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].split() == ["ID", "NAME", "BACK", "TO", "WORK", "FULL", "RECOVERY"]
    rows = {line.split()[0]: line for line in lines[1:9]}
    assert list(rows) == ["dermabrasion", "microdermabrasion", "chemical-peel", "laser-resurfacing",
                          "fractional-laser", "subcision", "fillers", "counselling"]
    assert rows["laser-resurfacing"].split()[-2:] == ["3-10", "days"]
    assert rows["dermabrasion"].split()[-2:] == ["10+", "days"]
    assert lines[-1] == "Scar types for --scar: ice-pick, rolling, deep-craters, superficial, marks"


def test_check_passes_on_the_shipped_content(run):
    result = run("check")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    # The shipped content is a sample: its clinic details are named as still to change (test_content_checks).
    lines = [line for line in lines if "still the sample's" not in line]
    # Issue 18: the warnings come first (see below), then the reading levels.
    assert lines[8] == "Reading level (Flesch-Kincaid grade; aim for 8 or below):"
    assert all("from the clinic" in line for line in lines[:8])
    # Issue 18: the shipped content has no risks, aftercare or warning signs of a clinic's own (the sources
    # give none), so check says which procedures lack them; the content is usable as it is.
    assert lines[-1].startswith("Usable, with warnings: content.toml and templates: 8 procedures, 5 scar types")
    assert "too hard" not in result.output


def test_a_failed_run_leaves_no_file_behind(run, tmp_path):
    # A broken template fails after content and choices were accepted.
    template = Path("templates/leaflet.html.j2")
    template.write_text(template.read_text(encoding="utf-8").replace("{{ t.how }}", "{{ t.hwo }}"),
                        encoding="utf-8")
    result = run("make", "-p", "Ann", "--procedure", "fillers", "--date", "2026-11-21")
    assert result.exit_code == 1
    assert result.output.startswith("Error: templates/leaflet.html.j2:")
    assert "has no attribute 'hwo'" in result.output
    assert not list(Path(".").rglob("*.pdf"))
    assert not list(Path(".").rglob("*.part"))


def test_a_file_in_the_way_of_the_folder_is_a_clear_error(run):
    Path("blocker").write_text("not a folder")
    result = run("make", "-p", "Ann", "--procedure", "fillers", "-o", "blocker/a.pdf")
    assert result.exit_code == 1
    assert result.output == "Error: cannot write blocker/a.pdf: blocker is a file, not a folder; choose another --output\n"


def test_an_unwritable_folder_is_a_clear_error(run, tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root can write to read-only folders")
    Path("locked").mkdir(mode=0o500)
    result = run("make", "-p", "Ann", "--procedure", "fillers", "-o", "locked/a.pdf")
    assert result.exit_code == 1
    assert result.output == "Error: cannot write locked/a.pdf: Permission denied; choose another --output\n"
