"""The print file: CSV order, duplex padding, bookmarks, shared objects."""

import io
import os
import re
import stat
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject

from conftest import pdf_pages
from places import full_disk, tmpfs

CSV = ("patient,procedures,patient_id,date\n"
       "Sam Smith,fillers,P1,2026-11-21\n"
       "Ann Lee,subcision;dermabrasion;laser-resurfacing,P2,2026-11-21\n"
       "Μαρία Ивановна,counselling,P3,2026-11-21\n")
# Issue 13: one print file per paper size.
MIXED = ("patient,procedures,patient_id,date,paper\n"
         "Sam Smith,fillers,P1,2026-11-21,a4\n"
         "Lee Park,fillers,P2,2026-11-21,letter\n"
         "Ann Lee,subcision;dermabrasion,P3,2026-11-21,A4\n")


def bookmarks(path):
    reader = PdfReader(path)
    return [(item.title, reader.get_destination_page_number(item) + 1)
            for item in reader.outline if not isinstance(item, list)]


def leaflet_pages(name):
    return len(PdfReader(next(Path("output").glob(f"*{name}*.pdf"))).pages)


def test_batch_print_file_in_csv_order_with_duplex_padding(run):
    Path("patients.csv").write_text(CSV, encoding="utf-8")
    result = run("batch", "patients.csv", "--print-file", "print.pdf")
    assert result.exit_code == 0, result.output
    sizes = [leaflet_pages(n) for n in ("sam-smith-p1", "ann-lee-p2", "maria-ivanovna-p3")]
    padded = [n + n % 2 for n in sizes]
    pages = pdf_pages("print.pdf")
    assert len(pages) == sum(padded)
    starts = [1, 1 + padded[0], 1 + padded[0] + padded[1]]
    assert bookmarks("print.pdf") == [("Sam Smith (P1)", starts[0]), ("Ann Lee (P2)", starts[1]),
                                      ("Μαρία Ивановна (P3)", starts[2])]
    for start, name in zip(starts, ["Sam Smith", "Ann Lee", "Μαρία Ивановна"]):
        assert start % 2 == 1  # every leaflet starts on a front side
        assert f"Prepared for {name}" in pages[start - 1]
    for number, count in zip(starts, sizes):
        if count % 2:
            assert pages[number - 1 + count].strip() == ""  # the padding page is blank


def test_print_file_is_much_smaller_than_the_leaflets(run):
    Path("patients.csv").write_text(CSV, encoding="utf-8")
    result = run("batch", "patients.csv", "--print-file", "print.pdf")
    leaflets = sum(p.stat().st_size for p in Path("output").glob("*.pdf"))
    size = Path("print.pdf").stat().st_size
    assert size < leaflets / 2
    assert result.output.splitlines()[-1] == (
        f"Print file print.pdf: {len(PdfReader('print.pdf').pages)} pages, {size / 1024:.0f} KiB "
        f"(the leaflets add up to {leaflets / 1024:.0f} KiB).")
    # The logo and the shared font subsets are each stored once.
    reader = PdfReader("print.pdf")
    images, fonts = set(), set()
    for page in reader.pages:
        for form in page["/Resources"].get("/XObject", {}).values():
            resources = form.get_object().get("/Resources", {})
            xobjects = resources.get("/XObject", {})
            images |= {xobjects.raw_get(name).idnum for name in xobjects
                       if xobjects[name]["/Subtype"] == "/Image"}
            fonts |= {ref.get_object()["/FontDescriptor"].get_object().raw_get("/FontFile2").idnum
                      for ref in resources.get("/Font", {}).values()}
    assert len(images) == 1  # one logo for 3 leaflets
    # Regular and bold share one subset each across all leaflets; Μαρία's
    # letters add one more (since issue 18 her name prints in bold only, in the two-line footer).
    assert len(fonts) == 3


def test_no_duplex_keeps_leaflets_back_to_back(run):
    Path("patients.csv").write_text(CSV, encoding="utf-8")
    run("batch", "patients.csv", "--print-file", "print.pdf", "--no-duplex")
    sizes = [leaflet_pages(n) for n in ("sam-smith-p1", "ann-lee-p2", "maria-ivanovna-p3")]
    assert len(PdfReader("print.pdf").pages) == sum(sizes)


@pytest.mark.parametrize("rows, blocked", [(CSV, "print.pdf"), (MIXED, "print-letter.pdf")])
def test_print_file_never_replaces_someone_elses_file(run, rows, blocked):
    Path("patients.csv").write_text(rows, encoding="utf-8")
    Path(blocked).write_bytes(b"%PDF-1.4 not ours")
    result = run("batch", "patients.csv", "--print-file", "print.pdf")
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {blocked} already exists and is not a print file recorded in the history; use --force to "
        "replace it, or choose another name for the print file\n")
    assert Path(blocked).read_bytes() == b"%PDF-1.4 not ours"
    assert not list(Path("output").glob("*.pdf"))  # refused before any leaflet was drawn
    # Its own earlier print file is simply replaced on a re-run.
    Path(blocked).unlink()
    assert run("batch", "patients.csv", "--print-file", "print.pdf").exit_code == 0
    assert run("batch", "patients.csv", "--print-file", "print.pdf").exit_code == 0


def test_merge_leaflets_already_made(run):
    assert run("make", "-p", "Sam Smith", "--procedure", "fillers", "--date", "2026-11-21").exit_code == 0
    assert run("make", "-p", "Ann Lee", "--procedure", "subcision", "--date", "2026-11-21").exit_code == 0
    Path("elsewhere.pdf").write_bytes(Path("output/2026-11-21-ann-lee.pdf").read_bytes())
    result = run("merge", "all.pdf", "output/2026-11-21-ann-lee.pdf", "output/2026-11-21-sam-smith.pdf",
                 "elsewhere.pdf")
    assert result.exit_code == 0, result.output
    assert [title for title, _ in bookmarks("all.pdf")] == ["Ann Lee", "Sam Smith", "elsewhere"]
    assert result.output.startswith("Print file all.pdf: ")


def test_merge_errors(run):
    result = run("merge", "all.pdf", "missing.pdf")
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == "Error: Invalid value for 'IN.pdf...': File 'missing.pdf' does not exist."
    Path("notes.pdf").write_text("just text")
    result = run("merge", "all.pdf", "notes.pdf")
    assert result.exit_code == 1
    assert result.output.startswith("Error: notes.pdf: cannot be read as a PDF (")
    assert not Path("all.pdf").exists()


# -- never a leaflet (issue 10, section 2) -------------------------------------

def make(run, name, *extra):
    result = run("make", "-p", name, "--procedure", "fillers", "--date", "2026-11-21", *extra)
    assert result.exit_code == 0, result.output
    return Path(result.output.splitlines()[0])


LEAFLET_REFUSED = ("Error: {} is a leaflet, and a print file never replaces a leaflet, even with --force; "
                   "choose another name for the print file\n")


def test_merge_never_replaces_a_leaflet_even_with_force(run):
    alice, bob, cara = (make(run, name) for name in ("Alice Ames", "Bob Bell", "Cara Cole"))
    before = alice.read_bytes()
    for force in ((), ("--force",)):
        result = run("merge", str(alice), str(bob), str(cara), *force)
        assert result.exit_code == 1
        assert result.output == LEAFLET_REFUSED.format(alice)
    assert alice.read_bytes() == before
    listed = run("history", "--patient", "Alice", "--format", "json")
    assert '"patient": "Alice Ames"' in listed.output


def test_a_leaflet_made_with_another_history_is_still_a_leaflet(run):
    alice = make(run, "Alice Ames", "--history", "elsewhere.sqlite3")
    bob = make(run, "Bob Bell")
    before = alice.read_bytes()
    result = run("merge", str(alice), str(bob), "--force")
    assert result.exit_code == 1
    assert result.output == LEAFLET_REFUSED.format(alice)
    assert alice.read_bytes() == before


def test_batch_print_file_never_replaces_a_leaflet_and_says_so_before_drawing(run):
    alice = make(run, "Alice Ames")
    Path("patients.csv").write_text(CSV, encoding="utf-8")
    for force in ((), ("--force",)):
        result = run("batch", "patients.csv", "--print-file", str(alice), *force)
        assert result.exit_code == 1
        assert result.output == LEAFLET_REFUSED.format(alice)
    assert sorted(p.name for p in Path("output").glob("*.pdf")) == [alice.name]
    # Nor may it take the name of a leaflet the same batch is about to make.
    planned = "output/2026-11-21-sam-smith-p1.pdf"
    result = run("batch", "patients.csv", "--print-file", planned)
    assert result.output == (f"Error: {planned} is also one of the leaflets; choose another name for the "
                             "print file\n")
    assert sorted(p.name for p in Path("output").glob("*.pdf")) == [alice.name]


def test_only_a_recorded_print_file_is_replaced_without_force(run):
    bob, cara = make(run, "Bob Bell"), make(run, "Cara Cole")
    assert run("merge", "print.pdf", str(bob)).exit_code == 0
    result = run("merge", "print.pdf", str(bob), str(cara))  # its own print file: replaced
    assert result.exit_code == 0, result.output
    assert [title for title, _ in bookmarks("print.pdf")] == ["Bob Bell", "Cara Cole"]
    # The same bytes under another name were never recorded there.
    Path("copy.pdf").write_bytes(Path("print.pdf").read_bytes())
    result = run("merge", "copy.pdf", str(cara))
    assert result.exit_code == 1
    assert result.output == ("Error: copy.pdf already exists and is not a print file recorded in the history; "
                             "use --force to replace it, or choose another name for the print file\n")
    assert run("merge", "copy.pdf", str(cara), "--force").exit_code == 0
    assert run("merge", "copy.pdf", str(bob)).exit_code == 0  # recorded now
    # A print file someone changed since is no longer the one recorded.
    Path("print.pdf").write_bytes(Path("print.pdf").read_bytes() + b"\n% annotated\n")
    assert run("merge", "print.pdf", str(bob)).exit_code == 1


def test_a_print_file_is_a_pdf_and_a_regular_file(run):
    bob = make(run, "Bob Bell")
    result = run("merge", "print.txt", str(bob))
    assert result.exit_code == 1
    assert result.output == "Error: print.txt: a print file is a PDF; give it a name ending in .pdf\n"
    # A pipe would block whoever read it, and replacing it would break whoever writes to it.
    os.mkfifo("pipe.pdf")
    for force in ((), ("--force",)):
        result = run("merge", "pipe.pdf", str(bob), *force)
        assert result.exit_code == 1
        assert result.output == "Error: pipe.pdf is not a regular file; choose another name for the print file\n"
    assert stat.S_ISFIFO(os.stat("pipe.pdf").st_mode)


# -- print files and merges that cannot be made (issue 10, section 3) ----------

def test_an_unwritable_print_file_is_refused_before_drawing(run, tmp_path):
    Path("patients.csv").write_text(CSV, encoding="utf-8")
    Path("notes").write_text("a file, not a folder")
    result = run("batch", "patients.csv", "--print-file", "notes/print.pdf")
    assert result.exit_code == 1
    assert result.output == ("Error: cannot write notes/print.pdf: notes is a file, not a folder; choose another "
                             "place for the print file\n")
    with tmpfs(tmp_path / "ro", read_only=True) as folder:
        result = run("batch", "patients.csv", "--print-file", str(folder / "print.pdf"))
        assert result.exit_code == 1
        assert result.output == (f"Error: cannot write {folder / 'print.pdf'}: Read-only file system; choose another "
                                 "place for the print file\n")
    assert not list(Path("output").glob("*.pdf"))


def test_a_print_file_on_a_full_disk(run, tmp_path):
    Path("patients.csv").write_text(CSV, encoding="utf-8")
    with full_disk(tmp_path / "full") as folder:
        result = run("batch", "patients.csv", "--print-file", str(folder / "print.pdf"))
        assert result.exit_code == 1
        assert "Traceback" not in result.output
        assert result.output.splitlines()[-1] == f"Error: cannot write {folder / 'print.pdf'}: No space left on device"
        assert sorted(p.name for p in folder.iterdir()) == ["filler"]  # no half-written print file
    assert len(list(Path("output").glob("*.pdf"))) == 3


def test_merging_damaged_pdfs_is_one_clear_line(run):
    bob = make(run, "Bob Bell")
    data = bob.read_bytes()
    empty = io.BytesIO()
    PdfWriter().write(empty)
    locked = PdfWriter(clone_from=bob)
    locked.encrypt("secret")
    locked.write("locked.pdf")
    damaged = {"cut.pdf": data[: len(data) // 2], "empty.pdf": empty.getvalue(), "zero.pdf": b"",
               "header.pdf": b"%PDF-1.4\n", "locked.pdf": Path("locked.pdf").read_bytes()}
    for name, content in damaged.items():
        Path(name).write_bytes(content)
    expected = {
        "cut.pdf": "Error: cut.pdf: cannot be read as a PDF (it is cut short: its end is missing); make it again, "
                   "or leave it out",
        "empty.pdf": "Error: empty.pdf: has no pages; make it again, or leave it out",
        "zero.pdf": "Error: zero.pdf: cannot be read as a PDF (Cannot read an empty file); make it again, or leave it out",
        "header.pdf": "Error: header.pdf: cannot be read as a PDF (Stream has ended unexpectedly); make it again, "
                      "or leave it out",
        "locked.pdf": "Error: locked.pdf: cannot be read as a PDF (it is protected by a password); make it again, "
                      "or leave it out",
    }
    for name, message in expected.items():
        result = run("merge", "print.pdf", str(bob), name)
        assert result.exit_code == 1
        assert "Traceback" not in result.output
        assert result.output == message + "\n"
        assert not Path("print.pdf").exists()
        assert not list(Path(".").glob(".print.pdf.*.part"))  # nor its half-written copy


# -- one paper size per print file (issue 13, section 2) ------------------------

A4_POINTS, LETTER_POINTS = (595, 842), (612, 792)


def page_sizes(path):
    return {(round(float(page.mediabox.width)), round(float(page.mediabox.height)))
            for page in PdfReader(path).pages}


def test_mixed_paper_batch_writes_one_print_file_per_size(run):
    Path("patients.csv").write_text(MIXED, encoding="utf-8")
    result = run("batch", "patients.csv", "--print-file", "output/print.pdf")
    assert result.exit_code == 0, result.output
    a4, letter = Path("output/print-a4.pdf"), Path("output/print-letter.pdf")
    assert page_sizes(a4) == {A4_POINTS}
    assert page_sizes(letter) == {LETTER_POINTS}
    assert not Path("output/print.pdf").exists()
    sam, ann, lee = (leaflet_pages(n) for n in ("sam-smith-p1", "ann-lee-p3", "lee-park-p2"))
    # Each file has its own bookmarks, in CSV order, and its own duplex padding.
    assert bookmarks(a4) == [("Sam Smith (P1)", 1), ("Ann Lee (P3)", 1 + sam + sam % 2)]
    assert len(PdfReader(a4).pages) == sam + sam % 2 + ann + ann % 2
    assert bookmarks(letter) == [("Lee Park (P2)", 1)]
    assert len(PdfReader(letter).pages) == lee + lee % 2
    printed = [line for line in result.output.splitlines() if line.startswith("Print file")]
    assert [line.split(":")[0] for line in printed] == ["Print file output/print-a4.pdf",
                                                         "Print file output/print-letter.pdf"]
    # Both are recorded print files: a re-run replaces them without --force.
    again = run("batch", "patients.csv", "--print-file", "output/print.pdf", "--force")
    assert again.exit_code == 0, again.output
    assert run("batch", "patients.csv", "--print-file", "output/print.pdf").exit_code == 0


def test_one_paper_size_keeps_the_given_name(run):
    Path("patients.csv").write_text(MIXED.replace(",letter\n", ",a4\n"), encoding="utf-8")
    result = run("batch", "patients.csv", "--print-file", "output/print.pdf")
    assert result.exit_code == 0, result.output
    assert page_sizes("output/print.pdf") == {A4_POINTS}
    assert not list(Path("output").glob("print-*.pdf"))


def test_merge_of_mixed_paper_writes_one_file_per_size(run):
    make(run, "Sam Smith")
    make(run, "Lee Park", "--paper", "letter")
    result = run("merge", "all.pdf", "output/2026-11-21-sam-smith.pdf", "output/2026-11-21-lee-park.pdf")
    assert result.exit_code == 0, result.output
    assert [line.split(":")[0] for line in result.output.splitlines()] == ["Print file all-a4.pdf",
                                                                            "Print file all-letter.pdf"]
    assert page_sizes("all-a4.pdf") == {A4_POINTS} and page_sizes("all-letter.pdf") == {LETTER_POINTS}
    assert [title for title, _ in bookmarks("all-a4.pdf")] == ["Sam Smith"]
    assert bookmarks("all-letter.pdf") == [("Lee Park", 1)]
    assert not Path("all.pdf").exists()


# -- written as it goes (issue 13, section 1) -----------------------------------

def test_a_print_file_is_the_same_bytes_each_time(run):
    bob, cara = make(run, "Bob Bell"), make(run, "Cara Cole")
    assert run("merge", "one.pdf", str(bob), str(cara)).exit_code == 0
    assert run("merge", "two.pdf", str(bob), str(cara)).exit_code == 0
    assert Path("one.pdf").read_bytes() == Path("two.pdf").read_bytes()
    info = PdfReader("one.pdf").metadata
    assert (info.title, info.creator.split()[0]) == ("Leaflets for printing", "handouts")
    # Identical objects are stored once, but each page keeps its own links: PDF lets no two share one.
    links = [link.idnum for page in PdfReader("one.pdf").pages for link in page.get("/Annots", [])]
    assert len(links) > 6 and len(links) == len(set(links))


def test_merge_takes_a_pdf_another_program_wrote(run):
    """A PDF not written by ReportLab (here by pypdf, its pages taking their
    size from the page tree) is rewritten by pypdf first, and prints the same."""
    bob = make(run, "Bob Bell")
    leaflet = PdfReader(bob)
    writer = PdfWriter()
    for page in leaflet.pages:
        writer.add_page(page)
    inner = writer._root_object["/Pages"].get_object()
    size = inner.pop("/MediaBox", None) or leaflet.pages[0].mediabox
    for page in writer.pages:
        del page["/MediaBox"]
    inner[NameObject("/MediaBox")] = size
    writer.write("other.pdf")
    assert b"ReportLab" not in Path("other.pdf").read_bytes()[:64]
    result = run("merge", "print.pdf", "other.pdf", str(bob), "--no-duplex")
    assert result.exit_code == 0, result.output
    assert pdf_pages("print.pdf") == pdf_pages(bob) * 2
    assert page_sizes("print.pdf") == {A4_POINTS}


def test_text_that_looks_like_pdf_syntax_is_copied_as_it_is(run, monkeypatch):
    """References are renumbered, but never inside a string: a link whose
    address holds "(2 0 R)" or "stream" still opens the same address. And
    ReportLab's files are copied directly, never rewritten by pypdf first
    (ten times slower)."""
    from reportlab.pdfgen.canvas import Canvas

    def rewritten(data):
        raise AssertionError("rewritten by pypdf")

    monkeypatch.setattr("handouts.deliver.pdfjoin._rewritten", rewritten)
    address = "https://example.org/leaflet(2 0 R)stream\nendobj"
    canvas = Canvas("links.pdf", pagesize=(595.28, 841.89))
    canvas.drawString(72, 720, "A page with a link")
    canvas.linkURL(address, (72, 700, 300, 740))
    canvas.save()
    bob = make(run, "Bob Bell")
    assert run("merge", "print.pdf", str(bob), "links.pdf", "--no-duplex").exit_code == 0
    reader = PdfReader("print.pdf")
    last = reader.pages[-1]
    assert last.extract_text().strip() == "A page with a link"
    assert [annot.get_object()["/A"]["/URI"] for annot in last["/Annots"]] == [address]


def test_a_leaflet_damaged_since_it_was_made_is_refused_never_printed_blank(run):
    """A leaflet read directly that turns out damaged goes to pypdf, strictly:
    it is mended where nothing is lost, and refused where a page would print
    blank, or the page tree or a page size is impossible; never a traceback."""
    bob = make(run, "Bob Bell")
    data = bob.read_bytes()
    tree = re.search(rb"/Parent (\d+) 0 R", data)[1]
    entry = re.search(rb"\n(\d{10}) 00000 n", data)
    damaged = {
        "crlf.pdf": data.replace(b"\n", b"\r\n"),  # as a careless transfer does: every stream is broken
        "loop.pdf": data.replace(b"/Kids [ ", b"/Kids [ " + tree + b" 0 R ", 1),
        "twice.pdf": data.replace(b"/Kids [ ", b"/Kids [ " + re.search(rb"/Kids \[ (\d+)", data)[1] + b" 0 R ", 1),
        "huge.pdf": data.replace(b"/MediaBox [ 0 0 595.2756", b"/MediaBox [ 0 0 999999999", 1),
        "xref.pdf": data.replace(entry[0], b"\n" + entry[1][:8] + b"x" + entry[1][9:] + b" 00000 n", 1),
    }
    for name, content in damaged.items():
        Path(name).write_bytes(content)
    os.mkfifo("pipe.pdf")  # reading it would wait for ever
    for name, reason in {"/dev/zero": "is not a regular file; give the leaflets' PDF files",
                         "pipe.pdf": "is not a regular file; give the leaflets' PDF files"}.items():
        result = run("merge", "print.pdf", str(bob), name)
        assert result.output == f"Error: {name}: {reason}\n"
    for name in ("crlf.pdf", "loop.pdf", "twice.pdf", "huge.pdf"):
        result = run("merge", "print.pdf", str(bob), name)
        assert result.exit_code == 1, name
        assert result.output.startswith(f"Error: {name}: cannot be read as a PDF ("), result.output
        assert len(result.output.splitlines()) == 1
        assert not Path("print.pdf").exists()
    result = run("merge", "print.pdf", str(bob), "xref.pdf", "--no-duplex")
    assert result.exit_code == 0, result.output
    assert pdf_pages("print.pdf") == pdf_pages(bob) * 2


def test_an_earlier_print_file_for_paper_no_longer_used_is_removed(run):
    """Yesterday's print-letter.pdf must not wait beside today's print.pdf to be printed."""
    Path("patients.csv").write_text(MIXED, encoding="utf-8")
    assert run("batch", "patients.csv", "--print-file", "output/print.pdf").exit_code == 0
    Path("someone-else.pdf").write_bytes(b"%PDF-1.4 not ours")
    Path("output/print-32x32pt.pdf").write_bytes(b"%PDF-1.4 not ours either")
    Path("patients.csv").write_text(MIXED.replace(",letter\n", ",a4\n"), encoding="utf-8")
    result = run("batch", "patients.csv", "--print-file", "output/print.pdf")
    assert result.exit_code == 0, result.output
    assert [line for line in result.output.splitlines() if not line.startswith("Warning:")][-3:] == [
        f"Print file output/print.pdf: {len(PdfReader('output/print.pdf').pages)} pages, "
        f"{Path('output/print.pdf').stat().st_size / 1024:.0f} KiB (the leaflets add up to "
        f"{sum(p.stat().st_size for p in Path('output').glob('2026-*.pdf')) / 1024:.0f} KiB).",
        "Removed output/print-a4.pdf: an earlier print file, so that only this run's are left to print.",
        "Removed output/print-letter.pdf: an earlier print file, so that only this run's are left to print.",
    ]
    assert sorted(p.name for p in Path("output").glob("print*.pdf")) == ["print-32x32pt.pdf", "print.pdf"]
    assert Path("someone-else.pdf").exists()
    assert ("Warning: output/print-32x32pt.pdf is not from this run (changed since it was made, or not made by "
            "handouts) and was left as it is; do not print it by mistake.") in result.output.splitlines()


def test_file_names_that_are_not_utf8_are_merged_and_recorded(run):
    """A Latin-1 "café.pdf" from an old memory stick, as a leaflet or as the print file."""
    bob = make(run, "Bob Bell")
    latin1 = os.fsdecode(b"caf\xe9.pdf")
    Path(latin1).write_bytes(bob.read_bytes())
    out = os.fsdecode(b"impression-\xe9t\xe9.pdf")
    result = run("merge", out, latin1, str(bob))
    assert result.exit_code == 0, result.output
    assert [title for title, _ in bookmarks(out)] == ["caf\ufffd", "Bob Bell"]
    assert run("merge", out, str(bob)).exit_code == 0  # recorded as a print file: replaced without --force


def test_a_batch_with_no_good_row_says_why_there_is_no_print_file(run):
    Path("patients.csv").write_text("patient,procedures\nSam Smith,subcission\n", encoding="utf-8")
    result = run("batch", "patients.csv", "--print-file", "print.pdf")
    assert result.exit_code == 1
    assert result.output.splitlines()[-2].startswith("Written 0, skipped 0, failed 1, in ")
    assert result.output.splitlines()[-1] == ("Error: print.pdf was not written: no leaflet was made to put in it; "
                                              "fix the rows above and run the batch again")
    assert not Path("print.pdf").exists()
