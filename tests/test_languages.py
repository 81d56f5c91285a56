"""A leaflet in the patient's language (issue 20): the language is one field of the request, translations carry
the English figures exactly, and `check` catches a translation that has drifted from the English."""

from __future__ import annotations

import html
import io
import re
import sqlite3
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import flat, pdf_pages, replace_in

CHOSEN = ("--procedure", "subcision", "--procedure", "laser-resurfacing", "--procedure", "fractional-laser",
          "--scar", "rolling", "--appointment", "2026-12-03 10:30", "--date", "2026-11-21")
_PAGE = re.compile(r"(?:Page|Página) \d+ (?:of|de) \d+")


def body_numbers(path: str) -> set[str]:
    """Every number the leaflet prints, page numbers left out; each once (a translation may take more pages,
    so the header's phone number comes more often)."""
    return set(re.findall(r"\d+", _PAGE.sub("", "\n".join(pdf_pages(path)))))


def test_a_spanish_leaflet_has_the_english_ones_numbers(clinic):
    assert clinic("make", "--patient", "Sam Smith", *CHOSEN, "-o", "en.pdf").exit_code == 0
    result = clinic("make", "--patient", "Sam Smith", *CHOSEN, "--language", "es", "-o", "es.pdf")
    assert result.exit_code == 0, result.output
    spanish = " ".join(" ".join(pdf_pages("es.pdf")).split())
    assert "Tratamiento de las cicatrices del acné" in spanish
    assert "entre un 30 y un 50 por ciento mejor" in spanish
    assert "jueves, 3 de diciembre de 2026" in spanish  # the appointment's date in Spanish, Western digits
    assert "Rejuvenecimiento con láser" in spanish and "Laser resurfacing" not in spanish
    # The templates' sentences too, with the day ranges from the one content, and the chart.
    assert "Su plan de un vistazo" in spanish and "Página 1 de " in spanish
    assert "Vuelta al trabajo en 2 a 7 días después de cada sesión" in spanish
    assert "3 a 10 días" in spanish and "Días después del tratamiento" in spanish
    assert "Your plan at a glance" not in spanish and "Prepared for" not in spanish
    assert body_numbers("es.pdf") == body_numbers("en.pdf")
    assert PdfReader("es.pdf").trailer["/Root"]["/Lang"] == "es"
    assert PdfReader("en.pdf").trailer["/Root"]["/Lang"] == "en-GB"


def test_the_html_and_the_history_follow_the_language(clinic):
    # Dermabrasion has recovery figures, so the page has its chart.
    result = clinic("make", "--patient", "Sam Smith", "--procedure", "dermabrasion", "--language", "ES",
                    "--format", "html", "-o", "es.html")
    assert result.exit_code == 0, result.output
    page = Path("es.html").read_text(encoding="utf-8")
    assert '<html lang="es">' in page
    # The chart's words for screen readers and its table's opener are the leaflet's language too.
    assert '<summary>El gráfico como tabla</summary>' in page and "The chart as a table" not in page
    assert 'aria-label="Gráfico de recuperación; la tabla que sigue da las mismas cifras en palabras"' in page
    rows = sqlite3.connect("output/handouts-history.sqlite3").execute("SELECT patient, language FROM leaflets").fetchall()
    assert rows == [("Sam Smith", "es")]


def test_an_unknown_language_is_refused_listing_the_clinics(clinic):
    result = clinic("make", "--patient", "Sam Smith", "--procedure", "subcision", "--language", "xx")
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == (
        "Error: Invalid value for '--language': unknown language 'xx'; the clinic's leaflets are in en-GB, ar, es "
        "(see 'handouts languages'; empty for en-GB)")
    assert not Path("output").exists() or not list(Path("output").iterdir())


def test_a_batch_makes_each_leaflet_in_its_language(clinic):
    Path("patients.csv").write_text("patient,procedures,patient_id,date,language\n"
                                    "Sam Smith,subcision,P1,2026-11-21,es\n"
                                    "Ann Lee,subcision,P2,2026-11-21,\n"
                                    "Bo Ray,subcision,P3,2026-11-21,fr\n", encoding="utf-8")
    result = clinic("batch", "patients.csv", "--jobs", "1")
    assert result.exit_code == 1
    assert ("row 4: language: unknown language 'fr'; the clinic's leaflets are in en-GB, ar, es (see 'handouts "
            "languages'; empty for en-GB)") in result.output.splitlines()
    spanish, english = "output/2026-11-21-sam-smith-p1.pdf", "output/2026-11-21-ann-lee-p2.pdf"
    assert PdfReader(spanish).trailer["/Root"]["/Lang"] == "es"
    assert "Una forma de soltar las cicatrices hondas" in " ".join(" ".join(pdf_pages(spanish)).split())
    assert PdfReader(english).trailer["/Root"]["/Lang"] == "en-GB"
    assert "A way to free deep scars" in " ".join(" ".join(pdf_pages(english)).split())


def test_languages_lists_each_translation_with_its_status(clinic):
    result = clinic("languages")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "en-GB  the content's own language",
        "ar  العربية: 74 of 74 entries; not yet clinically reviewed; ready",
        "es  Español: 74 of 74 entries; not yet clinically reviewed; ready",
    ]


@pytest.mark.parametrize("reviewed, why", [('"next week"', "is not a date"), ('"2026-13-45"', "is not a date"),
                                           ('""', "is not a date"), ("2030-01-01", "is after today")])
def test_a_review_is_recorded_by_whom_and_on_a_real_day(clinic, reviewed, why):
    replace_in(Path("translations/es.toml"), 'clinical_reviewer = ""\nreviewed = ""',
               f'clinical_reviewer = "Dr Ana Silva"\nreviewed = {reviewed}')
    assert "es  Español: 74 of 74 entries; not yet clinically reviewed; ready" in clinic("languages").output
    shown = reviewed if reviewed.startswith('"') else f'"{reviewed}"'
    strict = clinic("check", "--strict")
    assert strict.exit_code == 1
    assert (f"Error: translations/es.toml: not clinically reviewed as recorded: reviewed = '{shown[1:-1]}' {why}; "
            "write the day Dr Ana Silva checked it as YYYY-MM-DD") in strict.output.splitlines()
    replace_in(Path("translations/es.toml"), f"reviewed = {reviewed}", "reviewed = 2026-11-02")
    assert "es  Español: 74 of 74 entries; clinically reviewed; ready" in clinic("languages").output


def test_a_translation_that_cannot_be_read_says_so(clinic):
    replace_in(Path("translations/es.toml"), 'clinical_reviewer = ""', 'clinical_reviewer = “Dr X”')
    assert clinic("languages").output.splitlines()[-1] == (
        "es  español: cannot be read, so no leaflet is made in it; see 'handouts check'")


def checked_after(clinic, path: str, old: str, new: str) -> list[str]:
    """`handouts check`'s lines (it must fail) once `old` in the clinic's file at `path` is made `new`."""
    changed = Path(path)
    text = changed.read_text(encoding="utf-8")
    assert old in text
    changed.write_text(text.replace(old, new), encoding="utf-8")
    result = clinic("check")
    assert result.exit_code == 1
    return _lines(result)


def test_check_names_a_stale_entry_and_the_field(clinic):
    lines = checked_after(clinic, "content.toml", "A way to free deep scars from the tissue underneath them.",
                          "A way to free deep scars from the tissue below them.")
    assert ('translations/es.toml:117: [procedures.subcision] what: the English has changed since it was '
            'translated; translate it again from "A way to free deep scars from the tissue below them." and set '
            'english = "abaa58d75f"') in lines


def test_check_refuses_a_translation_whose_numbers_differ(clinic):
    lines = checked_after(clinic, "translations/es.toml", "entre un 30 y un 50 por ciento",
                          "entre un 30 y un 60 por ciento")
    assert ('translations/es.toml:39: [expectations] summary 2: "En el mejor de los casos, sus cicatrices se verán '
            'entre un 30 y un 60 por ciento mejor." has the numbers 30, 60, but the English at content.toml:86 '
            '"At best, expect your scars to look 30 to 50 percent better." has 30, 50; a translation carries the '
            'English figures exactly') in lines
    refused = clinic("make", "--patient", "Sam Smith", "--procedure", "subcision", "--language", "es", "--strict")
    assert refused.exit_code == 1
    assert "--strict prints no leaflet from this translation" in refused.output
    assert not Path("output").exists() or not list(Path("output").iterdir())


def test_a_translation_never_prints_a_figure_unlike_the_english(clinic):
    """Without --strict too: a wrong figure in the translation, or a translation of English since changed, is
    left out, and the English sentence with the content's own figure prints in its place."""
    replace_in(Path("translations/es.toml"), "entre un 30 y un 50 por ciento", "entre un 30 y un 60 por ciento")
    replace_in(Path("content.toml"), 'suits = "Deep scars."', 'suits = "Deep scars, and some rolling scars."')
    result = clinic("make", "--patient", "Sam Smith", "--procedure", "subcision", "--language", "es", "-o", "es.pdf")
    assert result.exit_code == 0, result.output
    text = flat(" ".join(pdf_pages("es.pdf")))
    assert "30 y un 60" not in text and "At best, expect your scars to look 30 to 50 percent better." in text
    assert "Deep scars, and some rolling scars." in text and "Cicatrices hondas." not in text
    assert "Lleva tiempo." in text  # the rest is still Spanish
    warnings = [line for line in result.output.splitlines() if line.startswith("Warning:")]
    assert len(warnings) == 1 and warnings[0].startswith("Warning: translations/es.toml:")
    assert warnings[0].endswith("(and 1 more: see 'handouts check'); meanwhile those parts of the leaflet are in "
                                "English")


def test_check_refuses_an_empty_plural_form(clinic):
    lines = checked_after(clinic, "templates/locale/es.po", 'msgid "Your plan at a glance"',
                          'msgid "%(num)s day"\nmsgid_plural "%(num)s days"\nmsgstr[0] "%(num)s día"\n'
                          'msgstr[1] ""\nmsgstr[2] "%(num)s días"\n\nmsgid "Your plan at a glance"')
    assert any(line.endswith('"%(num)s days" has an empty plural form; es needs 3, each written')
               for line in lines), lines


def test_check_refuses_a_fuzzy_guess_in_the_catalogue(clinic):
    lines = checked_after(clinic, "templates/locale/es.po", 'msgid "Your plan at a glance"',
                          '#, fuzzy\nmsgid "Your plan at a glance"')
    assert any(line.endswith('"Your plan at a glance" is marked fuzzy (a guess): check it and remove the fuzzy '
                             "flag") for line in lines), lines


def test_an_unreviewed_translation_is_a_warning_and_an_error_when_strict(clinic):
    warning = ('translations/es.toml: not yet clinically reviewed; once a clinician has checked it, add '
               'clinical_reviewer = "NAME" and reviewed = YYYY-MM-DD under [translation]')
    assert f"Warning: {warning}" in _lines(clinic("check"))
    strict = clinic("check", "--strict")
    assert strict.exit_code == 1 and f"Error: {warning}" in _lines(strict)


def test_the_email_is_in_the_leaflets_language(clinic):
    from handouts.deliver.mail import compose_message
    from handouts.make import Maker

    maker = Maker("content.toml", "templates")
    message = compose_message(*maker.in_language("es"), name="Sam Smith", address="sam@example.org",
                              attachments={"leaflet.pdf": b"%PDF-"})
    assert message["Subject"] == "Su folleto de Riverside Skin Clinic"


def _lines(result) -> list[str]:
    return [line.replace("\\", "/") for line in result.output.splitlines()]


# -- The front desk: the form's select and the API's field ---------------------------------------------------


@pytest.fixture
def desk_app(clinic):
    from handouts.web import create_app
    from handouts.web.desk import Desk
    from handouts.make import Maker

    return create_app(Desk(Maker("content.toml", "templates"), Path("output/handouts-history.sqlite3")),
                      api_token="a-token-for-the-language-tests-0123456789")


def test_the_api_takes_the_language_and_names_an_unknown_one(desk_app):
    client = desk_app.test_client()
    headers = {"Authorization": "Bearer a-token-for-the-language-tests-0123456789"}
    body = {"patient": "Sam Sample", "procedures": ["subcision"], "date": "2026-11-21", "language": "es"}
    made = client.post("/api/leaflets", json=body, headers=headers)
    assert made.status_code == 201, made.get_data(as_text=True)
    assert PdfReader(io.BytesIO(made.data)).trailer["/Root"]["/Lang"] == "es"
    refused = client.post("/api/leaflets", json={**body, "language": "xx"}, headers=headers)
    assert refused.status_code == 422
    assert refused.get_json() == {"errors": {"language": "unknown language 'xx'; the clinic's leaflets are in "
                                                         "en-GB, ar, es (see 'handouts languages'; empty for en-GB)"}}


def test_the_form_offers_each_language_by_its_own_name(desk_app):
    from test_web import add_staff, page, sign_in

    add_staff("manager", "manager")
    client = desk_app.test_client()
    assert sign_in(client, "manager").status_code == 303
    form = page(client.get("/"))
    assert [option["value"] for option in form.all("option")][-3:] == ["en-GB", "ar", "es"]
    assert "Language of the leaflet English (United Kingdom) العربية Español" in form.words


def test_about_this_leaflet_credits_the_clinic_in_the_leaflets_language(clinic):
    # The clinic's own advice (a risks list) is credited in Spanish, as the rest of "About this leaflet" is.
    text = Path("content.toml").read_text(encoding="utf-8")
    Path("content.toml").write_text(text.replace("[procedures.subcision]\n", "[procedures.subcision]\n"
                                                 'risks = ["Bruising for a few days."]\n', 1), encoding="utf-8")
    for language, credit in (("en-GB", "Riverside Skin Clinic's own advice on risks and care"),
                             ("es", "los consejos de Riverside Skin Clinic sobre riesgos y cuidados")):
        result = clinic("make", "--patient", "Sam Smith", "--procedure", "subcision", "--language", language,
                        "--format", "html", "-o", f"{language}.html")
        assert result.exit_code == 0, result.output
        page = html.unescape(Path(f"{language}.html").read_text(encoding="utf-8"))
        assert re.search(r"\(a web article\); " + re.escape(credit) + r"\. ", page), language
    assert "own advice" not in Path("es.html").read_text(encoding="utf-8")


def test_a_word_too_long_for_a_timeline_box_is_hyphenated_as_its_language_does(content):
    """"Rejuvenecimiento" is wider than a box of four at 12 pt: Spanish breaks it re-ju-ve-ne-ci-mien-to."""
    from reportlab.graphics.shapes import Rect, String
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from handouts.leaflet.document import Timeline
    from handouts.render import timeline

    steps = (("1. Acné controlado", "Antes de empezar"), ("2. Primera cita", "martes, 15 de diciembre de 2026"),
             ("3. Sesiones", "Rejuvenecimiento con láser: 2; Subcisión: 3"), ("4. Curación", "Vuelta al trabajo"))
    drawing = timeline.draw(Timeline(steps, "", ""), content.clinic.colours, 483, 12, "es")
    boxes = [node for node in drawing.contents if isinstance(node, Rect)]
    words = [node for node in drawing.contents if isinstance(node, String)]
    lines = [word.text for word in words]
    head = next(index for index, line in enumerate(lines) if line.startswith("Rejuv"))
    assert lines[head].endswith("-") and lines[head][:-1] + lines[head + 1].split()[0] == "Rejuvenecimiento"
    assert lines[head][-3:-1] in {"ci", "en"}  # after re-ju-ve-ne-ci or -mien: between syllables
    for word in words:
        box = next(box for box in boxes if box.x <= word.x < box.x + box.width)
        assert word.x + stringWidth(word.text, word.fontName, word.fontSize) <= box.x + box.width - 6, word.text


def test_a_patients_sessions_range_is_worded_in_the_leaflets_language(clinic):
    result = clinic("make", "--patient", "Sam Smith", "--procedure", "subcision", "--sessions", "subcision=2 to 3",
                    "--language", "es", "-o", "es.pdf")
    assert result.exit_code == 0, result.output
    text = flat(" ".join(pdf_pages("es.pdf")))
    assert "Subcisión: 2 a 3" in text and "2 to 3" not in text
