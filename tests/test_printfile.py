"""The print file: CSV order, duplex padding, bookmarks, shared objects."""

from pathlib import Path

from pypdf import PdfReader

from conftest import pdf_pages

CSV = ("patient,procedures,patient_id,date\n"
       "Sam Smith,fillers,P1,2026-11-21\n"
       "Ann Lee,subcision;dermabrasion;laser-resurfacing,P2,2026-11-21\n"
       "Μαρία Ивановна,counselling,P3,2026-11-21\n")


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
    # letters add one more subset of each (her name prints in both).
    assert len(fonts) == 4


def test_no_duplex_keeps_leaflets_back_to_back(run):
    Path("patients.csv").write_text(CSV, encoding="utf-8")
    run("batch", "patients.csv", "--print-file", "print.pdf", "--no-duplex")
    sizes = [leaflet_pages(n) for n in ("sam-smith-p1", "ann-lee-p2", "maria-ivanovna-p3")]
    assert len(PdfReader("print.pdf").pages) == sum(sizes)


def test_print_file_never_replaces_someone_elses_file(run):
    Path("patients.csv").write_text(CSV, encoding="utf-8")
    Path("print.pdf").write_bytes(b"%PDF-1.4 not ours")
    result = run("batch", "patients.csv", "--print-file", "print.pdf")
    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == (
        "Error: print.pdf already exists and was not made by handouts; use --force to replace it, "
        "or choose another --print-file")
    assert Path("print.pdf").read_bytes() == b"%PDF-1.4 not ours"
    # Its own earlier print file is simply replaced on a re-run.
    Path("print.pdf").unlink()
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
