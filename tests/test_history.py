"""The history database: private, literal searches, safe CSV, and clear errors
when it cannot be written (issue 10, sections 3 and 5)."""

import csv
import io
import json
import stat
from pathlib import Path

from pypdf import PdfReader

from handouts.history import History
from handouts.history.report import format_history

from places import full_disk, immutable, tmpfs

MAKE = ("make", "--procedure", "fillers", "--date", "2026-11-21")


def make(run, name, *extra):
    result = run(*MAKE, "-p", name, *extra)
    assert result.exit_code == 0, result.output
    return result


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_history_and_its_journal_files_are_private(run):
    make(run, "Sam Smith")
    db = Path("output/handouts-history.sqlite3")
    assert mode(db) == 0o600
    # SQLite's -wal and -shm files exist while a connection is open.
    with History(db):
        for suffix in ("-wal", "-shm"):
            assert mode(db.with_name(db.name + suffix)) == 0o600


def test_a_read_only_history_stops_make_before_anything_is_written(run):
    make(run, "Sam Smith")
    db = Path("output/handouts-history.sqlite3")
    with immutable(db):
        result = run(*MAKE, "-p", "Ann Lee")
        assert result.exit_code == 1
        assert "Traceback" not in result.output
        assert result.output == (f"Error: {db}: cannot write the history database: it is read-only; "
                                 "make it writable, or choose another with --history PATH\n")
        assert not Path("output/2026-11-21-ann-lee.pdf").exists()
        Path("patients.csv").write_text("patient,procedures\nAnn Lee,fillers\n", encoding="utf-8")
        result = run("batch", "patients.csv")
        assert result.exit_code == 1
        assert result.output == (f"Error: {db}: cannot write the history database: it is read-only; "
                                 "make it writable, or choose another with --history PATH\n")
        assert sorted(p.name for p in Path("output").glob("*.pdf")) == ["2026-11-21-sam-smith.pdf"]
        # Reading it still works.
        listed = run("history")
        assert listed.exit_code == 0, listed.output
        assert "Sam Smith" in listed.output


def test_a_history_on_a_read_only_disk(run, tmp_path):
    def one_leaflet(folder):
        make(run, "Sam Smith", "--history", str(folder / "h.sqlite3"))

    with tmpfs(tmp_path / "ro", read_only=True, prepare=one_leaflet) as folder:
        db = folder / "h.sqlite3"
        result = run(*MAKE, "-p", "Ann Lee", "--history", str(db))
        assert result.exit_code == 1
        assert result.output == (f"Error: {db}: cannot write the history database: it is read-only; "
                                 "make it writable, or choose another with --history PATH\n")
        result = run(*MAKE, "-p", "Ann Lee", "--history", str(folder / "new.sqlite3"))
        assert result.output == (f"Error: {folder / 'new.sqlite3'}: cannot create the history database: "
                                 "Read-only file system; choose another place with --history PATH\n")
        listed = run("history", "--history", str(db))
        assert listed.exit_code == 0 and "Sam Smith" in listed.output
        assert sorted(p.name for p in folder.iterdir()) == ["h.sqlite3"]


def test_a_history_on_a_full_disk(run, tmp_path):
    def one_leaflet(folder):
        make(run, "Sam Smith", "--history", str(folder / "h.sqlite3"))

    with full_disk(tmp_path / "full", size="512k", prepare=one_leaflet) as folder:
        db = folder / "h.sqlite3"
        result = run(*MAKE, "-p", "Ann Lee", "--history", str(db))
        assert result.exit_code == 1
        assert "Traceback" not in result.output
        assert result.output == (f"Error: {db}: cannot write the history database: the disk is full; "
                                 "free some space, or choose another with --history PATH\n")
        assert not Path("output/2026-11-21-ann-lee.pdf").exists()


def test_a_history_under_a_file(run):
    Path("notes").write_text("a file, not a folder")
    result = run(*MAKE, "-p", "Ann Lee", "--history", "notes/h.sqlite3")
    assert result.exit_code == 1
    assert result.output == ("Error: notes/h.sqlite3: cannot create the history database: notes is a file, "
                             "not a folder; choose another with --history PATH\n")


def test_a_history_that_is_not_a_database(run):
    Path("h.sqlite3").write_text("a shopping list\n" * 100)
    for command in (MAKE + ("-p", "Ann Lee"), ("history",)):
        result = run(*command, "--history", "h.sqlite3")
        assert result.exit_code == 1
        assert "Traceback" not in result.output
        assert result.output.startswith("Error: h.sqlite3: cannot ")
        assert "the file is not a database; choose another with --history PATH\n" in result.output


def test_a_patient_search_matches_percent_and_underscore_literally(run):
    for name in ("Sam Smith", "Ann Lee", "Bo_b Ray", "100% Dee"):
        make(run, name)
    rows = lambda text: [r["patient"] for r in json.loads(run("history", "--patient", text,
                                                              "--format", "json").output)]
    assert rows("%") == ["100% Dee"]
    assert rows("_") == ["Bo_b Ray"]
    assert rows("o_b") == ["Bo_b Ray"]
    assert rows("S_m") == []
    assert rows("\\") == []
    assert rows("sam") == ["Sam Smith"]  # still any part of the name, any case


def test_history_csv_never_holds_a_formula(run):
    Path("patients.csv").write_text(
        "patient,procedures,patient_id,clinician,date\n"
        '"=HYPERLINK(""http://evil.example"",""Click"")",fillers,+44 20 7946,-Dr Who,2026-11-21\n'
        "@SUM(A1:A9),fillers,P2,Nurse Kim,2026-11-21\n", encoding="utf-8")
    assert run("batch", "patients.csv").exit_code == 0
    result = run("history", "--format", "csv")
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert [(r["patient"], r["patient_id"], r["clinician"]) for r in rows] == [
        ('\'=HYPERLINK("http://evil.example","Click")', "'+44 20 7946", "'-Dr Who"),
        ("'@SUM(A1:A9)", "P2", "Nurse Kim")]
    # JSON is for programs: values exactly as recorded.
    assert json.loads(run("history", "--format", "json").output)[0]["patient"].startswith("=HYPERLINK(")


def test_csv_neutralises_tab_and_carriage_return_too():
    row = {column: "" for column in ("made_at", "patient", "patient_id", "procedures", "scars", "clinician",
                                     "leaflet_date", "content_version", "template_version", "path", "sha256")}
    row.update(patient="\t=1+1", clinician="\r=2", scars="a=b", procedures="fillers")
    out = next(csv.DictReader(io.StringIO(format_history([row], "csv"), newline="")))
    assert (out["patient"], out["clinician"], out["scars"]) == ("'\t=1+1", "'\r=2", "a=b")


# -- where leaflets cannot be written (section 3) ------------------------------

def test_make_into_a_read_only_or_immutable_folder_is_refused_before_drawing(run, tmp_path):
    with tmpfs(tmp_path / "ro", read_only=True) as folder:
        for target in (folder / "a.pdf", folder):
            result = run(*MAKE, "-p", "Ann Lee", "-o", str(target))
            assert result.exit_code == 1
            shown = target if target.suffix else target / "2026-11-21-ann-lee.pdf"
            assert result.output == f"Error: cannot write {shown}: Read-only file system; choose another --output\n"
    locked = Path("locked")
    locked.mkdir()
    with immutable(locked):
        result = run(*MAKE, "-p", "Ann Lee", "-o", "locked/a.pdf")
        assert result.output == "Error: cannot write locked/a.pdf: Operation not permitted; choose another --output\n"
    assert json.loads(run("history", "--format", "json").output or "[]") == []


def test_a_run_opening_the_history_as_a_leaflet_takes_its_name_loses_no_record(run, monkeypatch):
    """Opening the history settles what a crash left half-recorded. Another run
    (a leaflet made at the desk during a batch) may open it just as a leaflet
    is taking its name: its pending record then looks like a crash's, but the
    leaflet still ends up recorded, so a later batch does not call it foreign."""
    import handouts.history.store

    real = handouts.history.store.write_file

    def write_file(path, data, *, overwrite=False, before_claim=None):
        def then_another_run_opens_the_history():
            before_claim()
            History(Path("output/handouts-history.sqlite3")).close()

        real(path, data, overwrite=overwrite, before_claim=then_another_run_opens_the_history)

    monkeypatch.setattr(handouts.history.store, "write_file", write_file)
    make(run, "Sam Smith")
    monkeypatch.setattr(handouts.history.store, "write_file", real)
    listed = json.loads(run("history", "--format", "json").output)
    assert [(row["patient"], Path(row["path"]).name) for row in listed] == [("Sam Smith", "2026-11-21-sam-smith.pdf")]
    Path("patients.csv").write_text("patient,procedures,date\nSam Smith,fillers,2026-11-21\n", encoding="utf-8")
    result = run("batch", "patients.csv")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Written 0, skipped 1, failed 0")


def test_a_symlink_in_a_leaflets_place_is_replaced_and_the_leaflet_recorded_under_its_own_name(run):
    ned = Path(make(run, "Ned Young").output.splitlines()[0])
    before = ned.read_bytes()
    link = Path("output/2026-11-21-mia-zed.pdf")
    link.symlink_to(ned.name)
    result = run(*MAKE, "-p", "Mia Zed", "--force")
    assert result.exit_code == 0, result.output
    assert not link.is_symlink() and "Prepared for Mia Zed" in PdfReader(link).pages[0].extract_text()
    assert ned.read_bytes() == before
    listed = {row["patient"]: Path(row["path"]).name for row in json.loads(run("history", "--format", "json").output)}
    assert listed == {"Ned Young": ned.name, "Mia Zed": link.name}
