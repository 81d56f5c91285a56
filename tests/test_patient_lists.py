"""Patient lists as spreadsheets export them, streamed (issue 10, section 5)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, pdf_text
from test_batch import summary
from handouts.leaflet.patients import unlikely_character

HEADER = "patient,procedures,patient_id,date\n"


def prepared_for(name_part: str) -> str:
    return pdf_text(next(Path("output").glob(f"*{name_part}*.pdf")))


@pytest.mark.parametrize("args", [(), ("--encoding", "utf-16")])
def test_excel_unicode_text_is_read(run, args):
    # Excel's "Unicode Text (*.txt)": UTF-16 little-endian with a byte-order mark, tabs, CRLF.
    text = ("Patient\tProcedures\tPatient ID\tDate\r\n"
            "Zoë Łukasz\tsubcision\tZ1\t2026-11-21\r\n"
            "Μαρία Ивановна\tfillers;dermabrasion\tM1\t2026-11-21\r\n")
    Path("patients.txt").write_bytes(text.encode("utf-16"))
    assert Path("patients.txt").read_bytes()[:2] == b"\xff\xfe"
    result = run("batch", "patients.txt", *args)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Written 2, skipped 0, failed 0")
    assert "Prepared for Zoë Łukasz" in prepared_for("zoe-lukasz-z1")
    assert "Prepared for Μαρία Ивановна" in prepared_for("maria-ivanovna-m1")


def test_a_mac_roman_file_is_not_misread_as_windows_1252(run):
    text = HEADER + "José Müller,fillers,J1,2026-11-21\nAnn Lee,subcision,A1,2026-11-21\n"
    Path("patients.csv").write_bytes(text.encode("mac_roman"))
    result = run("batch", "patients.csv")
    assert result.exit_code == 1
    assert result.output == ("Error: patients.csv: line 2 has 'Ž' inside a word, so the file is probably not "
                             "Windows-1252; name its encoding with --encoding (mac_roman for a file from a Mac, "
                             "or utf-8)\n")
    assert not Path("output").exists()
    result = run("batch", "patients.csv", "--encoding", "mac_roman")
    assert result.exit_code == 0, result.output
    assert "Prepared for José Müller" in prepared_for("jose-muller-j1")


def test_an_old_mac_csv_with_cr_line_ends(run):
    text = (HEADER.strip() + ",note\n" + "Renée Strauß,fillers,R1,2026-11-21,\n"
            + 'Zoë Ødegård,subcision,Z1,2026-11-21,"Hello Zoë\nsee you soon"\n')
    Path("patients.csv").write_bytes(text.replace("\n", "\r").encode("mac_roman"))
    result = run("batch", "patients.csv", "--encoding", "mac_roman")
    assert result.exit_code == 0, result.output
    assert "Prepared for Renée Strauß" in prepared_for("renee-strauss-r1")
    zoe = prepared_for("zoe-odegard-z1")
    assert "Hello Zoë" in zoe and "see you soon" in zoe


def test_mac_roman_letters_windows_1252_cannot_decode_are_refused_too(run):
    Path("patients.csv").write_bytes((HEADER + "François,fillers,F1,2026-11-21\n").encode("mac_roman"))
    result = run("batch", "patients.csv")
    assert result.output == ("Error: patients.csv: line 2 is neither UTF-8 nor Windows-1252 text; save the file "
                             "as CSV UTF-8, or name its encoding with --encoding (mac_roman for a file from a Mac)\n")


def test_real_windows_1252_text_is_still_read(run):
    text = (HEADER.strip() + ",note\n"
            "Šimon Žák,fillers,S1,2026-11-21,Botox™ twice… then rest\n"
            "Seán O’Brien,fillers,S2,2026-11-21,“Bring £50” – ask for Œuvre\n"
            "ŽOFIE ŠŤASTNÁ,fillers,S3,2026-11-21,1½ hours; 3×2 cm\n")
    # As Excel's "CSV (Comma delimited)" saves it: Ť, which Windows-1252 lacks, becomes '?'.
    Path("patients.csv").write_bytes(text.encode("cp1252", errors="replace"))
    result = run("batch", "patients.csv")
    assert result.exit_code == 1
    assert "Prepared for Šimon Žák" in prepared_for("simon-zak-s1")
    assert result.output.splitlines()[0] == (
        "row 4: the name 'ŽOFIE Š?ASTNÁ' has lost letters ('?'): the list was saved in an encoding that cannot "
        "hold them; save it as 'CSV UTF-8' and try again")
    assert summary(result).startswith("Written 2, skipped 0, failed 1")


@pytest.mark.parametrize("text, expected", [
    ("JosŽ MŸller", (3, "Ž")),      # é and ü from a Mac
    ("MŸller", (1, "Ÿ")),
    ("SchŠfer", (3, "Š")),          # ä
    ("Wei§ Bj¿rn", (3, "§")),      # ß, ø
    ("Ren‡e", (3, "‡")),            # á
    ("J™rg", (1, "™")),             # ô
    ("Šimon Žák, ŒUVRE, L’HAŸ", None),
    ("O’Brien–Smith, Botox™, see you…", None),
    ("£50, 1½, 3×2, 20°C, Nº5", None),
])
def test_unlikely_characters(text, expected):
    assert unlikely_character(text) == expected


def test_line_numbers_stay_right_past_the_first_megabyte(run):
    rows = "".join(f"Patient {i},fillers,ID{i},2026-11-21\r\n" for i in range(60_000))
    data = (HEADER.replace("\n", "\r\n") + rows).encode() + "José,fillers,X,2026-11-21\r\n".encode("cp1252")
    assert len(data) > 2 * (1 << 20)
    Path("patients.csv").write_bytes(data)
    result = run("batch", "patients.csv", "--encoding", "utf-8")
    assert result.output == "Error: patients.csv: line 60002 is not valid utf-8; check --encoding\n"


def peak_memory_of_dry_run(csv_path: Path) -> int:
    """Peak resident memory, in KiB, of a real `batch --dry-run` process (wait4 reports that one child)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    process = subprocess.Popen([sys.executable, str(ROOT / "cli.py"), "batch", str(csv_path), "--dry-run", "-q"],
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    assert process.returncode == 0
    return usage.ru_maxrss


def test_a_long_list_is_streamed_not_held(run):
    Path("one.csv").write_text(HEADER + "Sam Smith,fillers,P1,2026-11-21\n", encoding="utf-8")
    rows = "".join(f"Patient Number {i},subcision;fillers,ID{i:06d},2026-11-21\n" for i in range(30_000))
    Path("long.csv").write_text(HEADER + rows, encoding="utf-8")
    extra = peak_memory_of_dry_run(Path("long.csv")) - peak_memory_of_dry_run(Path("one.csv"))
    # Held whole, these 30,000 rows took 78 MiB more than one row; streamed, 5 MiB.
    assert extra < 30 * 1024, f"{extra / 1024:.0f} MiB more for 30,000 rows"
