"""Batches from spreadsheets as clinics really export them (issue 3, section 4)."""

import json
from pathlib import Path

import pytest

from conftest import flat, pdf_text

HEADER = "patient,procedures,patient_id,date\n"


def write_csv(text: str, name="patients.csv", encoding="utf-8") -> Path:
    path = Path(name)
    path.write_bytes(text.encode(encoding))
    return path


def pdfs() -> list[str]:
    return sorted(p.name for p in Path("output").glob("*.pdf"))


def summary(result) -> str:
    return result.output.strip().splitlines()[-1]


def test_a_good_batch(run):
    write_csv(HEADER + "Sam Smith,subcision;fillers,P1,2026-11-21\nAnn Lee,dermabrasion,P2,2026-11-21\n")
    result = run("batch", "patients.csv", "--jobs", "2")
    assert result.exit_code == 0, result.output
    assert summary(result).startswith("Written 2, skipped 0, failed 0, in ")
    assert pdfs() == ["2026-11-21-ann-lee-p2.pdf", "2026-11-21-sam-smith-p1.pdf"]
    text = flat(pdf_text("output/2026-11-21-sam-smith-p1.pdf"))
    assert "Prepared for Sam Smith on 21 November 2026" in text
    assert "Subcision" in text and "Fillers" in text and "Dermabrasion" not in text


def test_bad_rows_are_listed_and_good_rows_still_made(run):
    write_csv(HEADER
              + "Sam Smith,subcision,P1,2026-11-21\n"
              + "Ann Lee,subcission;fillrs,P2,2026-11-21\n"
              + "Bob Ray,,P3,2026-11-21\n"
              + "Cy Dee,fillers,P4,2026-13-01\n"
              + "Di Eve,fillers,P5,2026-11-21\n")
    result = run("batch", "patients.csv", "--jobs", "1")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert "row 3: procedures: unknown procedure 'subcission'; did you mean 'subcision'?" in lines
    assert "row 4: procedures: choose at least one procedure, for example 'dermabrasion'" in lines
    assert "row 5: date: '2026-13-01' is not a date: there is no month 13; write it as YYYY-MM-DD or DD/MM/YYYY, for example 2026-12-03 or 03/12/2026" in lines
    assert summary(result).startswith("Written 2, skipped 0, failed 3, in ")
    assert pdfs() == ["2026-11-21-di-eve-p5.pdf", "2026-11-21-sam-smith-p1.pdf"]


def test_every_problem_in_a_row_is_reported(run):
    write_csv(HEADER + " ,subcission,P1,31/11/2026\n")
    result = run("batch", "patients.csv")
    assert result.output.splitlines()[0] == (
        "row 2: patient: the patient's name is empty; type it as it should appear on the leaflet; "
        "procedures: unknown procedure 'subcission'; did you mean 'subcision'?; "
        "date: '31/11/2026' is not a date: November 2026 has no day 31; write it as YYYY-MM-DD or DD/MM/YYYY, for example 2026-12-03 or 03/12/2026")


@pytest.mark.parametrize("content, message", [
    (b"", "patients.csv: the file is empty; it needs a header row (patient, procedures, ...) and one row per patient"),
    (b"patient,procedures\n", "patients.csv: has a header row but no patients"),
    (b"Sam Smith,subcision\nAnn Lee,fillers\n",
     "patients.csv: the first row must be a header naming the columns, at least patient and procedures "
     "(found: 'Sam Smith,subcision')"),
    (b"patient,tx\nSam,subcision\n",
     "patients.csv: no 'procedures' column; the header row must name patient and procedures "
     "(found: patient, tx); if another column holds them, map it: \"Their Header=procedures\""),
    (b"Client,Procedure Name\nSam,subcision\n",
     "patients.csv: no 'procedures' column; the header row must name patient and procedures "
     "(found: Client, Procedure Name); if the column 'Procedure Name' holds them, map it: "
     "\"Procedure Name=procedures\""),
    (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< >>\nendobj\n",
     "patients.csv: this is a PDF, not a CSV file; export the spreadsheet as CSV"),
])
def test_files_that_are_not_patient_lists(run, content, message):
    Path("patients.csv").write_bytes(content)
    result = run("batch", "patients.csv")
    assert result.exit_code == 1
    assert result.output == f"Error: {message}\n"
    assert pdfs() == [] if Path("output").exists() else True


def test_a_missing_file(run):
    result = run("batch", "nope.csv")
    assert result.exit_code == 1
    assert result.output == "Error: nope.csv: file not found\n"


def test_excel_exports_bom_crlf_semicolons_and_quoted_newlines(run):
    text = ("\ufeffPatient ; Procedures;Note;Patient ID\r\n"
            'Zoë Łukasz;subcision;"Hello; Zoë\r\nsee you, soon";Z1\r\n'
            "Μαρία Ивановна;fillers;;M1\r\n")
    write_csv(text)
    result = run("batch", "patients.csv")
    assert result.exit_code == 0, result.output
    names = pdfs()  # no date column: today's date leads each name
    assert len(names) == 2 and names[0].endswith("-maria-ivanovna-m1.pdf") and names[1].endswith("-zoe-lukasz-z1.pdf")
    zoe = next(Path("output").glob("*zoe-lukasz-z1.pdf"))
    text = pdf_text(zoe)
    assert "Prepared for Zoë Łukasz" in text
    assert "Hello; Zoë" in text and "see you, soon" in text


def test_windows_1252_files_are_detected(run):
    write_csv("patient,procedures,patient_id\nJosé Müller,fillers,J1\nRenée Ærø,subcision,R1\n", encoding="cp1252")
    result = run("batch", "patients.csv")
    assert result.exit_code == 0, result.output
    names = pdfs()
    assert len(names) == 2 and all(n.endswith(("jose-muller-j1.pdf", "renee-aero-r1.pdf")) for n in names)
    assert "Prepared for José Müller" in pdf_text(next(Path("output").glob("*jose-muller-j1.pdf")))


def test_encoding_can_be_given(run):
    write_csv("patient,procedures\nJosé,fillers\n", encoding="cp1252")
    result = run("batch", "patients.csv", "--encoding", "utf-8")
    assert result.exit_code == 1
    assert result.output == "Error: patients.csv: line 2 is not valid utf-8; check --encoding\n"


def test_columns_not_used_are_listed_once_and_one_that_looks_like_a_field_is_warned_of(run):
    write_csv("patient,procedures,colour,shoe size,Procedure Name\nSam,fillers,blue,9,x\nAnn,fillers,red,7,y\n")
    result = run("batch", "patients.csv")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == ("Columns used: 'patient' → patient, 'procedures' → procedures; "
                        "not used: 'colour', 'shoe size', 'Procedure Name'")
    assert [line for line in lines if line.startswith(("Warning", "Columns"))][1:] == [
        "Warning: patients.csv: the column 'Procedure Name' looks like procedures but is not used ('procedures' is); "
        "if it holds them instead, map it: \"Procedure Name=procedures\""]


def test_columns_that_look_like_the_language_or_bilingual_are_warned_of(run):
    """A patient list's own name for the language must never leave a patient silently with an English leaflet."""
    write_csv("patient,procedures,Preferred Language,Billingual\nSam,fillers,es,yes\n")
    result = run("batch", "patients.csv")
    assert [line for line in result.output.splitlines() if line.startswith("Warning")] == [
        "Warning: patients.csv: the column 'Preferred Language' looks like language but is not used; if it holds "
        "them, map it: \"Preferred Language=language\"",
        "Warning: patients.csv: the column 'Billingual' looks like bilingual but is not used; if it holds them, "
        "map it: \"Billingual=bilingual\""]


def test_duplicate_rows_are_made_once(run):
    write_csv(HEADER + "Sam Smith,fillers,P1,2026-11-21\nSam Smith,fillers,P1,2026-11-21\n")
    result = run("batch", "patients.csv")
    assert result.exit_code == 0
    assert "Warning: row 3: the same as row 2; skipped" in result.output.splitlines()
    assert summary(result).startswith("Written 1, skipped 1, failed 0")
    assert pdfs() == ["2026-11-21-sam-smith-p1.pdf"]


def test_same_name_and_date_get_unique_files(run):
    write_csv("patient,procedures,date\nSam Smith,fillers,2026-11-21\nSam Smith,subcision,2026-11-21\n")
    result = run("batch", "patients.csv")
    assert result.exit_code == 0
    assert pdfs() == ["2026-11-21-sam-smith-2.pdf", "2026-11-21-sam-smith.pdf"]
    assert "Subcision" in pdf_text("output/2026-11-21-sam-smith-2.pdf")


@pytest.mark.parametrize("name", ["../../x", "<b>Anna</b> & {{ 7*7 }}", "/etc/passwd"])
def test_names_with_markup_or_paths_stay_data(run, tmp_path, name):
    write_csv(f'patient,procedures,date\n"{name}",fillers,2026-11-21\n')
    result = run("batch", "patients.csv")
    assert result.exit_code == 0, result.output
    written = list(tmp_path.rglob("*.pdf"))
    assert len(written) == 1 and written[0].parent == tmp_path / "output"
    assert f"Prepared for {name} on" in flat(pdf_text(written[0]))


def test_a_5000_word_note(run):
    note = " ".join(f"word{i}" for i in range(5000))
    write_csv(f'patient,procedures,note\nSam,fillers,"{note}"\n')
    result = run("batch", "patients.csv")
    assert result.exit_code == 0
    text = flat(pdf_text(next(Path("output").glob("*.pdf"))))
    assert "word0 word1" in text and "word4999" in text


def test_dry_run_writes_nothing(run):
    write_csv(HEADER + "Sam Smith,fillers,P1,2026-11-21\nAnn,nope,P2,2026-11-21\n")
    result = run("batch", "patients.csv", "--dry-run")
    assert result.exit_code == 1
    assert "row 2: output/2026-11-21-sam-smith-p1.pdf (new)" in result.output.splitlines()
    assert summary(result) == "Dry run: 1 to write, 0 up to date, 1 failed; nothing written."
    assert not Path("output").exists() or pdfs() == []


def test_rerun_skips_what_is_up_to_date_and_rebuilds_what_changed(run):
    write_csv(HEADER + "Sam Smith,fillers,P1,2026-11-21\nAnn Lee,subcision,P2,2026-11-21\n")
    assert run("batch", "patients.csv").exit_code == 0
    before = Path("output/2026-11-21-ann-lee-p2.pdf").stat().st_mtime_ns
    result = run("batch", "patients.csv")
    assert summary(result).startswith("Written 0, skipped 2, failed 0")
    write_csv(HEADER + "Sam Smith,fillers;subcision,P1,2026-11-21\nAnn Lee,subcision,P2,2026-11-21\n")
    result = run("batch", "patients.csv")
    assert summary(result).startswith("Written 1, skipped 1, failed 0")
    assert "Subcision" in pdf_text("output/2026-11-21-sam-smith-p1.pdf")
    assert Path("output/2026-11-21-ann-lee-p2.pdf").stat().st_mtime_ns == before
    result = run("batch", "patients.csv", "--force")
    assert summary(result).startswith("Written 2, skipped 0, failed 0")


def test_new_content_rebuilds(run):
    write_csv(HEADER + "Sam Smith,fillers,P1,2026-11-21\n")
    assert run("batch", "patients.csv").exit_code == 0
    content = Path("content.toml")
    content.write_text(content.read_text(encoding="utf-8").replace('version = "2.0"', 'version = "2.1"'),
                       encoding="utf-8")
    result = run("batch", "patients.csv")
    assert summary(result).startswith("Written 1, skipped 0")
    assert "Version 2.1" in pdf_text("output/2026-11-21-sam-smith-p1.pdf")


def test_a_file_the_batch_did_not_make_is_never_replaced(run):
    Path("output").mkdir()
    Path("output/2026-11-21-sam-smith-p1.pdf").write_bytes(b"a scanned letter")
    write_csv(HEADER + "Sam Smith,fillers,P1,2026-11-21\nAnn Lee,fillers,P2,2026-11-21\n")
    result = run("batch", "patients.csv")
    assert result.exit_code == 1
    assert ("row 2: output/2026-11-21-sam-smith-p1.pdf already exists and was not made by handouts; "
            "move it away or use --force") in result.output.splitlines()
    assert Path("output/2026-11-21-sam-smith-p1.pdf").read_bytes() == b"a scanned letter"
    assert "2026-11-21-ann-lee-p2.pdf" in pdfs()
    # A leaflet changed since it was made, and a print file in a leaflet's place, are called what they are.
    Path("output/2026-11-21-sam-smith-p1.pdf").unlink()
    assert run("batch", "patients.csv").exit_code == 0
    with Path("output/2026-11-21-ann-lee-p2.pdf").open("ab") as leaflet:
        leaflet.write(b"% cut and pasted into")
    assert run("merge", "output/2026-11-21-sam-smith-p1.pdf", "output/2026-11-21-ann-lee-p2.pdf",
               "--force").exit_code == 1  # a leaflet is never replaced, even with --force
    Path("output/2026-11-21-sam-smith-p1.pdf").unlink()
    assert run("merge", "output/2026-11-21-sam-smith-p1.pdf", "output/2026-11-21-ann-lee-p2.pdf").exit_code == 0
    result = run("batch", "patients.csv")
    assert result.exit_code == 1
    assert result.output.splitlines()[:2] == [
        "row 2: output/2026-11-21-sam-smith-p1.pdf is a print file; move it away or use --force",
        "row 3: output/2026-11-21-ann-lee-p2.pdf was changed since handouts made it (edited, or damaged); move it "
        "away or use --force"]


def test_history_answers_what_a_patient_was_given(run):
    write_csv(HEADER + "Sam Smith,fillers;subcision,P1,2026-11-21\nAnn Lee,dermabrasion,P2,2026-11-21\n")
    assert run("batch", "patients.csv").exit_code == 0
    assert run("make", "-p", "Ann Lee", "--procedure", "counselling", "--date", "2026-11-22").exit_code == 0
    result = run("history", "--patient", "Ann", "--format", "json")
    assert result.exit_code == 0
    rows = json.loads(result.output)
    assert [(r["procedures"], r["content_version"], r["leaflet_date"]) for r in rows] == [
        ("dermabrasion", "2.0", "2026-11-21"), ("counselling", "2.0", "2026-11-22")]
    for row in rows:
        import hashlib
        assert hashlib.sha256(Path(row["path"]).read_bytes()).hexdigest() == row["sha256"]
    csv_out = run("history", "--patient", "P1", "--format", "csv").output.splitlines()
    assert csv_out[0].startswith("made_at,patient,patient_id,procedures,scars")
    assert len(csv_out) == 2 and "fillers;subcision" in csv_out[1]
    table = run("history").output.splitlines()
    assert table[0].split()[:3] == ["MADE", "AT", "PATIENT"] and len(table) == 4
    assert run("history", "--since", "2999-01-01").output == "No leaflets recorded.\n"


def test_history_without_a_database(run):
    result = run("history")
    assert result.exit_code == 1
    assert result.output == "Error: output/handouts-history.sqlite3: no history yet; it is written by 'make' and 'batch'\n"


def test_ten_thousand_rows_are_checked_quickly(run):
    rows = "".join(f"Patient {i},fillers,ID{i},2026-11-21\n" for i in range(10_000))
    write_csv(HEADER + rows + "Bad,nope,IDX,2026-11-21\n")
    result = run("batch", "patients.csv", "--dry-run")
    assert result.exit_code == 1
    assert summary(result) == "Dry run: 10000 to write, 0 up to date, 1 failed; nothing written."
    assert "row 10002: procedures: unknown procedure 'nope'; choose from:" in result.output
