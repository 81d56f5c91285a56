"""One batch pipeline for every face (issue 19, section 2): the command line and the front desk run the same
steps, in the same order, and make the same leaflets from the same list."""

import sqlite3
from contextlib import contextmanager
from pathlib import Path

import pytest
from pypdf import PdfReader

from handouts.batch_pipeline import BatchSettings, QuietReport, make_batch, stored_history
from handouts.leaflet.patients import read_patients
from handouts.make import Maker
from handouts.web.desk import Desk

ROWS = ("patient,procedures,patient_id,date\n"
        "Sam Sample,subcision,P1,2026-11-21\n"
        "Ann Lee,subcission,P2,2026-11-21\n"
        "Sam Sample,subcision,P1,2026-11-21\n"
        "Cy Cole,fillers;counselling,P3,2026-11-21\n")


@pytest.fixture
def folder(run):
    """A clinic folder (the `run` fixture's, with the real content and templates) holding list.csv."""
    Path("list.csv").write_text(ROWS, encoding="utf-8")
    return Path.cwd()


class RecordingReport(QuietReport):
    """What the pipeline told its face, in order."""

    def __init__(self):
        super().__init__()
        self.events = []

    def warning(self, line):
        super().warning(line)
        self.events.append(("warning", line))

    def problem(self, line):
        super().problem(line)
        self.events.append(("problem", line))

    @contextmanager
    def progress(self, label, total):
        self.events.append(("progress", label, total))
        yield lambda done: self.events.append(("done", label, done))

    def made(self, summary):
        self.events.append(("made", summary.written, summary.skipped, summary.failed))


def made_inputs(history: Path) -> dict[str, str]:
    with sqlite3.connect(history) as db:
        return {Path(path).name: inputs for path, inputs in db.execute("SELECT path, inputs FROM leaflets")}


def test_the_report_hears_each_step_once_in_order(folder):
    report = RecordingReport()
    settings = BatchSettings(Path("output"), jobs=1, print_file=Path("output/print.pdf"))
    summary = make_batch(read_patients("list.csv"), Maker("content.toml", "templates"),
                         lambda: stored_history(Path("history.sqlite3")), settings, report)
    assert report.events == [
        ("warning", "row 4: the same as row 2; skipped"),
        ("problem", "row 3: procedures: unknown procedure 'subcission'; did you mean 'subcision'?"),
        ("progress", "Making leaflets", 2), ("done", "Making leaflets", 1), ("done", "Making leaflets", 1),
        ("progress", "Making the print file", 2),
        ("done", "Making the print file", 1), ("done", "Making the print file", 1),
        ("made", 2, 1, 1),
    ]
    assert not summary.went_well  # a row failed
    printed = PdfReader("output/print.pdf")
    assert [item.title for item in printed.outline] == ["Sam Sample (P1)", "Cy Cole (P3)"]


def test_a_dry_run_lists_and_writes_nothing(folder):
    listed = []
    report = RecordingReport()
    report.listed = listed.append
    summary = make_batch(read_patients("list.csv"), Maker("content.toml", "templates"),
                         lambda: stored_history(Path("history.sqlite3"), dry_run=True),
                         BatchSettings(Path("output"), dry_run=True), report)
    assert [job.row for job in listed] == [2, 5]
    assert summary.outcome is None and summary.plan.planned == 2
    assert not Path("output").exists() and not Path("history.sqlite3").exists()


def test_the_desk_and_the_command_line_make_the_same_leaflets(folder, run):
    result = run("batch", "list.csv", "--output", "cli-output", "--history", "cli-history.sqlite3")
    assert result.exit_code == 1  # row 3
    desk = Desk(Maker("content.toml", "templates"), Path("desk-history.sqlite3"), output_dir=Path("desk-output"))
    try:
        made = desk.batch(Path("list.csv").read_bytes(), "list.csv")
    finally:
        desk.close()
    assert (made.written, made.skipped) == (2, 1)
    assert made.problems == ["row 3: procedures: unknown procedure 'subcission'; did you mean 'subcision'?"]
    assert made.warnings == ["row 4: the same as row 2; skipped"]
    assert "Written 2, skipped 1, failed 1" in result.output
    assert made_inputs(Path("desk-history.sqlite3")) == {
        name: inputs for name, inputs in made_inputs(Path("cli-history.sqlite3")).items()}
    assert sorted(p.name for p in Path("desk-output").glob("2026-*.pdf")) == \
        sorted(p.name for p in Path("cli-output").glob("2026-*.pdf"))
