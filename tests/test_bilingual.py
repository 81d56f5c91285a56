"""A bilingual leaflet (issue 20 §4): the patient's language, then the clinic's own (English), in one file, each
part with its own page numbers and bookmarks, the checklist once, in the patient's language."""

from __future__ import annotations

import io
import re
import sqlite3
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import flat, replace_in
from handouts.leaflet.content_reader import load_content

CHOSEN = ("--patient", "Zoë Sample", "--procedure", "subcision", "--procedure", "fractional-laser", "--scar",
          "rolling", "--date", "2026-11-21")
_NUMBERS = re.compile(r"(Página|Page) (\d+) (?:de|of) (\d+)")
REFUSED = ("a bilingual leaflet is in the patient's language, then in English (en-GB), the clinic's own, so it "
           "needs another language (the clinic's others: العربية (ar), Español (es))")


def footers(pdf: PdfReader) -> list[tuple[str, int, int]]:
    """Each page's "Page X of Y" (or "Página X de Y"), as (word, X, Y)."""
    found = []
    for page in pdf.pages:
        (number,) = _NUMBERS.findall(page.extract_text())
        found.append((number[0], int(number[1]), int(number[2])))
    return found


def outline(pdf: PdfReader, entries=None) -> list:
    """The outline as [(title, first page, [(title, page, [...]), ...]), ...]."""
    tree = []
    for entry in pdf.outline if entries is None else entries:
        if isinstance(entry, list):
            title, page, _ = tree[-1]
            tree[-1] = (title, page, outline(pdf, entry))
        else:
            tree.append((entry.title, pdf.get_destination_page_number(entry) + 1, []))
    return tree


def checklist_steps() -> tuple[list[str], list[str]]:
    """The checklist's steps every leaflet has, in Spanish and in English."""
    spanish = load_content("content.toml", language="es").checklist
    return [flat(step) for step in spanish], [flat(step) for step in load_content("content.toml").checklist]


def test_a_bilingual_leaflet_is_spanish_then_english_each_numbered_and_bookmarked_on_its_own(clinic):
    result = clinic("make", *CHOSEN, "--language", "es", "--bilingual", "-o", "both.pdf")
    assert result.exit_code == 0, result.output
    pdf = PdfReader("both.pdf")
    numbers = footers(pdf)
    spanish = [number for number in numbers if number[0] == "Página"]
    english = numbers[len(spanish):]
    # The Spanish pages first, then the English ones, each counting from 1 to its own number of pages.
    assert spanish == [("Página", page, len(spanish)) for page in range(1, len(spanish) + 1)]
    assert english == [("Page", page, len(english)) for page in range(1, len(english) + 1)]
    assert len(spanish) >= 2 and len(english) >= 2
    assert pdf.trailer["/Root"]["/Lang"] == "es"

    (es, es_first, es_title), (en, en_first, en_title) = outline(pdf)
    assert (es, es_first, en, en_first) == ("Español", 1, "English", len(spanish) + 1)
    ((es_leaflet, _, es_sections),) = es_title
    ((en_leaflet, _, en_sections),) = en_title
    assert (es_leaflet, en_leaflet) == ("Tratamiento de las cicatrices del acné", "Treating acne scars")
    assert [title for title, _, _ in es_sections][:2] == ["Su plan de un vistazo", "Sus tratamientos"]
    assert [title for title, _, _ in en_sections][:2] == ["Your plan at a glance", "Your treatments"]
    assert all(page <= len(spanish) for _, page, _ in es_sections)
    assert all(page > len(spanish) for _, page, _ in en_sections)

    # The checklist once, in Spanish; the English part says where it is.
    text = flat("\n".join(page.extract_text() for page in pdf.pages))
    in_spanish, in_english = checklist_steps()
    assert all(text.count(step) == 1 for step in in_spanish), in_spanish
    assert not any(step in text for step in in_english)
    english_text = flat("\n".join(page.extract_text() for page in pdf.pages[len(spanish):]))
    assert ("Before your treatment The checklist of steps to tick before your treatment is in the Spanish part, "
            "at the start of this leaflet.") in english_text


@pytest.mark.parametrize("options", [("--paper", "letter"), ("--large-print",)])
def test_letter_paper_and_large_print_number_each_part_on_its_own_too(clinic, options):
    result = clinic("make", *CHOSEN, "--language", "es", "--bilingual", *options, "-o", "both.pdf")
    assert result.exit_code == 0, result.output
    pdf = PdfReader("both.pdf")
    numbers = footers(pdf)
    split = next(index for index, number in enumerate(numbers) if number[0] == "Page")
    assert [page for _, page, _ in numbers] == [*range(1, split + 1), *range(1, len(numbers) - split + 1)]
    assert [title for title, _, _ in outline(pdf)] == ["Español", "English"]
    if options == ("--paper", "letter"):
        assert [round(float(size)) for size in pdf.pages[-1].mediabox[2:]] == [612, 792]


def test_invariant_builds_of_a_bilingual_leaflet_are_identical(clinic):
    from handouts.leaflet.choices import parse_choices
    from handouts.make import Maker

    maker = Maker("content.toml", "templates", invariant=True)
    choices = parse_choices(maker.content, patient="Zoë Sample", procedures=["subcision"], language="es",
                            bilingual=True, date="2026-11-21")
    first = maker.render(choices)["pdf"]
    assert Maker("content.toml", "templates", invariant=True).render(choices)["pdf"] == first
    assert len(PdfReader(io.BytesIO(first)).outline) == 4  # two parts, each with its sections


def test_bilingual_in_the_clinics_own_language_is_refused_naming_the_option(clinic):
    result = clinic("make", *CHOSEN, "--bilingual", "-o", "own.pdf")
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == (f"Error: Invalid value for '--bilingual': {REFUSED}; add --language "
                                              "with the patient's language, or leave out --bilingual")
    assert not Path("own.pdf").exists()


def test_a_batch_takes_a_bilingual_column(clinic):
    Path("patients.csv").write_text("patient,procedures,date,language,bilingual\n"
                                    "Ana Ruiz,subcision,2026-11-21,es,yes\n"
                                    "Sam Smith,subcision,2026-11-21,,yes\n"
                                    "Kim Lee,subcision,2026-11-21,es,maybe\n"
                                    "Jo Bloggs,subcision,2026-11-21,es,\n", encoding="utf-8")
    result = clinic("batch", "patients.csv", "-o", "out", "--jobs", "1")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert (f"row 3: bilingual: {REFUSED}; write the patient's language in the language column, or leave "
            "bilingual empty") in lines
    assert "row 4: bilingual: 'maybe' should be yes or no (or left empty for no)" in lines
    both, spanish = PdfReader("out/2026-11-21-ana-ruiz.pdf"), PdfReader("out/2026-11-21-jo-bloggs.pdf")
    assert [title for title, _, _ in outline(both)] == ["Español", "English"]
    assert {word for word, _, _ in footers(spanish)} == {"Página"}
    rows = sqlite3.connect("output/handouts-history.sqlite3").execute(
        "SELECT patient, language, bilingual FROM leaflets WHERE state = 'done' ORDER BY patient").fetchall()
    assert rows == [("Ana Ruiz", "es", "yes"), ("Jo Bloggs", "es", "")]
    history = clinic("history", "--format", "csv")
    header, *_ = history.output.splitlines()
    assert ",language,bilingual," in header


def test_the_html_has_both_parts_each_in_its_language(clinic):
    result = clinic("make", *CHOSEN, "--language", "es", "--bilingual", "--format", "html", "-o", "both.html")
    assert result.exit_code == 0, result.output
    page = Path("both.html").read_text(encoding="utf-8")
    assert '<html lang="es">' in page
    assert ('<nav class="parts"><a href="#part-es" lang="es">Español</a> · '
            '<a href="#part-en-GB" lang="en-GB">English</a></nav>') in page
    spanish, english = page.split('<section class="part" id="part-en-GB" lang="en-GB" dir="ltr" aria-label="English">')
    assert '<section class="part" id="part-es" lang="es" dir="ltr" aria-label="Español">\n<h1>' in spanish
    assert english.lstrip().startswith("<h1>Treating acne scars</h1>")
    assert 'class="checklist"' in spanish and 'class="checklist"' not in english
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids))  # the two parts' figures are told apart


def test_the_email_is_in_the_patients_language_with_the_bilingual_pdf(clinic):
    result = clinic("make", *CHOSEN, "--language", "es", "--bilingual", "--email", "zoe@example.com")
    assert result.exit_code == 0, result.output
    (eml,) = Path("output/outbox").glob("*.eml")
    message = message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert message["Subject"] == "Su folleto de Riverside Skin Clinic"
    (part,) = [p for p in message.iter_attachments() if p.get_content_type() == "application/pdf"]
    assert [title for title, _, _ in outline(PdfReader(io.BytesIO(part.get_content())))] == ["Español", "English"]
    said = "Está primero en su idioma y después otra vez en inglés."
    html_words = message.get_body(("html",)).get_content()
    assert said in words(eml) and said in html_words
    assert re.search(r"</strong>\.\S", html_words) is None  # a space after the file's name ends its sentence
    # Sent again from the history, it says so too; a leaflet in Spanish alone does not.
    again = clinic("send", "--resend")
    assert again.exit_code == 0, again.output
    (resent,) = set(Path("output/outbox").glob("*.eml")) - {eml}
    assert said in words(resent)
    single = clinic("make", *CHOSEN, "--language", "es", "--email", "zoe@example.com", "-o", "single.pdf")
    assert single.exit_code == 0, single.output
    (alone,) = set(Path("output/outbox").glob("*.eml")) - {eml, resent}
    assert "Gracias por hablar con nosotros" in words(alone)
    assert said not in words(alone)


def words(eml: Path) -> str:
    """An email's plain-text words."""
    return message_from_bytes(eml.read_bytes(), policy=policy.default).get_body(("plain",)).get_content()


# -- The front desk: the form's box and the API's field ---------------------------------------------------


TOKEN = "a-token-for-the-bilingual-tests-0123456789"


@pytest.fixture
def desk_app(clinic):
    from handouts.web import create_app
    from handouts.web.desk import Desk
    from handouts.make import Maker

    return create_app(Desk(Maker("content.toml", "templates"), Path("output/handouts-history.sqlite3")),
                      api_token=TOKEN)


def test_the_forms_box_makes_a_bilingual_leaflet_and_explains_a_refusal(desk_app):
    from test_web import GOOD, csrf, made_entry, page, signed_in

    staff = signed_in(desk_app)
    form = page(staff.get("/"))
    assert "Also in English, after the patient's language" in form.words
    refused = staff.post("/", data={**GOOD, "bilingual": "yes", "csrf_token": csrf(staff)})
    assert refused.status_code == 422
    assert (f"Error: {REFUSED}; choose the patient's language under Language of the leaflet, or untick the box"
            in page(refused).words)
    assert "checked" in page(refused).by_id("bilingual")  # the box stays ticked
    entry = made_entry(staff.post("/", data={**GOOD, "language": "es", "bilingual": "yes",
                                             "csrf_token": csrf(staff)}))
    pdf = PdfReader(io.BytesIO(staff.get(f"/leaflets/{entry}.pdf").data))
    assert [title for title, _, _ in outline(pdf)] == ["Español", "English"]
    assert "aria-label=\"English\"" in staff.get(f"/leaflets/{entry}.html").get_data(as_text=True)


def test_an_edited_translation_reaches_the_desk_without_a_restart(desk_app):
    from test_web import GOOD, csrf, made_entry, page, signed_in

    staff = signed_in(desk_app)

    def spanish_title() -> str:
        entry = made_entry(staff.post("/", data={**GOOD, "language": "es", "csrf_token": csrf(staff)}))
        return re.search(r"<h1>(.*?)</h1>", staff.get(f"/leaflets/{entry}.html").get_data(as_text=True))[1]

    assert spanish_title() == "Tratamiento de las cicatrices del acné"
    replace_in(Path("translations/es.toml"), '"Tratamiento de las cicatrices del acné"',
               '"Tratamiento de las cicatrices de acné"')
    replace_in(Path("translations/es.toml"), 'name = "Español"', 'name = "Español (revisado)"')
    assert spanish_title() == "Tratamiento de las cicatrices de acné"
    assert "Español (revisado)" in page(staff.get("/")).words


def test_the_api_takes_bilingual_and_refuses_it_without_another_language(desk_app):
    client = desk_app.test_client()
    headers = {"Authorization": f"Bearer {TOKEN}"}
    body = {"patient": "Sam Sample", "procedures": ["subcision"], "date": "2026-11-21", "bilingual": True}
    refused = client.post("/api/leaflets", json=body, headers=headers)
    assert refused.status_code == 422
    assert refused.get_json() == {"errors": {"bilingual": f"{REFUSED}; send the patient's language as "
                                                          '"language", or leave out "bilingual"'}}
    wrong_kind = client.post("/api/leaflets", json={**body, "language": "es", "bilingual": "yes"}, headers=headers)
    assert wrong_kind.get_json() == {"errors": {"bilingual": "should be true or false"}}
    made = client.post("/api/leaflets", json={**body, "language": "es"}, headers=headers)
    assert made.status_code == 201, made.get_data(as_text=True)
    assert [title for title, _, _ in outline(PdfReader(io.BytesIO(made.data)))] == ["Español", "English"]
