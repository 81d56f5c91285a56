"""The clinic's web address, phone and email as links, and the QR code that leads to the website."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

import pytest
from pypdf import PdfReader

from conftest import flat, pdf_pages, pdf_text, replace_in
from handouts.leaflet.links import mailto, tel, web_address


@pytest.mark.parametrize("typed, address", [
    ("www.riverside-skin.example", "https://www.riverside-skin.example"),
    ("http://riverside-skin.example/scars?from=leaflet#top", "http://riverside-skin.example/scars?from=leaflet#top"),
    ("HTTPS://WWW.Riverside-Skin.example/Acne", "https://www.riverside-skin.example/Acne"),
    ("riverside-skin.example:8443/scars", "https://riverside-skin.example:8443/scars"),
    # Letters outside ASCII as a browser sends them, so the QR code opens the same page.
    ("hautklinik-müller.example/närben", "https://xn--hautklinik-mller-uzb.example/n%C3%A4rben"),
])
def test_a_web_address_is_written_out_in_full(typed, address):
    assert web_address(typed) == address


@pytest.mark.parametrize("typed", ["javascript:alert(1)", "mailto:hello@riverside-skin.example", "localhost",
                                   "https://user:secret@riverside-skin.example", "https://riverside-skin.example:99999",
                                   "https://-riverside.example", "http:/riverside-skin.example"])
def test_what_is_not_a_web_address_is_refused(typed):
    with pytest.raises(ValueError, match=r'write a web address like "www.example.com"'):
        web_address(typed)


def test_phone_and_email_links():
    assert tel("01234 567 890") == "tel:01234567890"
    assert tel("+44 (0)1234 567-890") == "tel:+441234567890"
    assert mailto("hello@riverside-skin.example") == "mailto:hello@riverside-skin.example"


# -- links in the leaflet ------------------------------------------------------

WEBSITE = "https://www.riverside-skin.example"
CLINIC_LINKS = ["tel:01234567890", "mailto:hello@riverside-skin.example", WEBSITE]


def pdf_links(path) -> list[list[str]]:
    """The web, email and phone links of each page, in the order they were made."""
    return [[annotation.get_object()["/A"]["/URI"] for annotation in page.get("/Annots", [])
             if annotation.get_object()["/Subtype"] == "/Link"] for page in PdfReader(path).pages]


class Links(HTMLParser):
    """Each <a>'s href and text, and whether it stands in the page's header."""

    def __init__(self):
        super().__init__()
        self.links, self.href, self.in_header = [], None, False

    def handle_starttag(self, tag, attrs):
        self.in_header |= tag == "header"
        if tag == "a":
            self.href = dict(attrs)["href"]
            self.links.append([self.in_header, self.href, ""])

    def handle_endtag(self, tag):
        self.in_header &= tag != "header"
        self.href = None if tag == "a" else self.href

    def handle_data(self, data):
        if self.href:
            self.links[-1][2] += data


def html_links(path) -> list[tuple[bool, str, str]]:
    parser = Links()
    parser.feed(Path(path).read_text(encoding="utf-8"))
    return [tuple(link) for link in parser.links]


def test_phone_email_and_website_are_links_in_the_pdf_and_the_html(run):
    result = run("make", "-p", "Ann", "--procedure", "subcision", "--procedure", "fillers", "--format", "both",
                 "-o", "a.pdf")
    assert result.exit_code == 0, result.output
    pages = pdf_links("a.pdf")
    # In page 1's brand header, the phone in the slim header of every later page, and where the
    # contact section says how to reach the clinic (the QR code beside it is a link to the website too).
    assert pages[0][-3:] == CLINIC_LINKS and len(pages) > 1
    assert all(page[-1:] == CLINIC_LINKS[:1] for page in pages[1:])
    body = [page[:-3] if number == 0 else page[:-1] for number, page in enumerate(pages)]
    assert sum(sorted(links) == sorted(CLINIC_LINKS + [WEBSITE]) for links in body) == 1
    shown = ["01234 567 890", "hello@riverside-skin.example", "www.riverside-skin.example"]
    assert html_links("a.html") == [(True, link, text) for link, text in zip(CLINIC_LINKS, shown)] + [
        (False, WEBSITE, "")] + [(False, link, text) for link, text in zip(CLINIC_LINKS, shown)]


def test_an_address_with_quotes_and_ampersands_links_exactly_there(run):
    address = "https://www.riverside-skin.example/scars?from=leaflet&who=\"new\"&size='a<b'"
    replace_in(Path("content.toml"), 'website = "www.riverside-skin.example"',
               f"website = '''{address}'''\nphone = \"+44 (0)1234 567 890\"")
    replace_in(Path("content.toml"), 'phone = "01234 567 890"\n', "")
    result = run("make", "-p", "Ann", "--procedure", "fillers", "--format", "both", "-o", "a.pdf")
    assert result.exit_code == 0, result.output
    expected = quote(address, safe="/?#[]@!$&'()*+,;=%~:-._")
    assert expected.endswith("&who=%22new%22&size='a%3Cb'")
    links = pdf_links("a.pdf")  # page 1's header ends with the website, later pages' slim header with the phone
    assert links[0][-1] == expected and {page[-1] for page in links[1:]} == {"tel:+441234567890"}
    assert [text for _, text, _ in printed_codes("a.pdf")] == [expected]
    assert {link for _, link, _ in html_links("a.html")} == {"tel:+441234567890",
                                                             "mailto:hello@riverside-skin.example", expected}
    # Printed as typed (wherever a line breaks it), in page 1's header and in the contact section.
    assert "".join(pdf_text("a.pdf").split()).count(address) == 2


# -- the QR code ----------------------------------------------------------------


def printed_codes(path, dpi: int = 150) -> list[tuple[int, str, float]]:
    """(page, text, width in mm) of each QR code found on the pages printed
    at `dpi`, in grey, as a phone camera sees paper held in the hand."""
    import pypdfium2
    import zxingcpp

    found = []
    for number, page in enumerate(pypdfium2.PdfDocument(path), 1):
        image = page.render(scale=dpi / 72, grayscale=True).to_pil()
        for code in zxingcpp.read_barcodes(image):
            assert code.format == zxingcpp.BarcodeFormat.QRCode
            side = code.position.top_right.x - code.position.top_left.x
            found.append((number, code.text, round(side / dpi * 25.4, 1)))
    return found


@pytest.mark.parametrize("paper, large", [("a4", False), ("letter", False), ("a4", True)])
def test_the_qr_code_takes_a_phone_to_the_clinics_website(run, paper, large):
    result = run("make", "-p", "Ann", "--scar", "ice-pick", "--scar", "rolling", "--procedure", "subcision",
                 "--procedure", "chemical-peel", "--paper", paper, "-o", "a.pdf", *(["--large-print"] if large else []))
    assert result.exit_code == 0, result.output
    ((page, text, width),) = printed_codes("a.pdf")
    assert text == WEBSITE  # https:// added to the website as content.toml gives it
    assert width >= 17  # its dark part, quiet zone aside: modules of about 0.6 mm
    words = flat(pdf_pages("a.pdf")[page - 1])
    assert "Scan to visit our website" in words and "Call 01234 567 890" in words
    # A click on it, in a PDF viewer, opens the same address: a link to it lies over the code's centre.
    x, y = code_centre("a.pdf", page)
    assert [link for link, (x0, y0, x1, y1) in link_areas("a.pdf", page) if x0 < x < x1 and y0 < y < y1] == [WEBSITE]


def code_centre(path, page: int, dpi: int = 150) -> tuple[float, float]:
    """Where the QR code on `page` is, in PDF points from the page's lower left corner."""
    import pypdfium2
    import zxingcpp

    rendered = pypdfium2.PdfDocument(path)[page - 1]
    (code,) = zxingcpp.read_barcodes(rendered.render(scale=dpi / 72, grayscale=True).to_pil())
    corners = (code.position.top_left, code.position.top_right, code.position.bottom_left, code.position.bottom_right)
    x = sum(c.x for c in corners) / 4 * 72 / dpi
    y = sum(c.y for c in corners) / 4 * 72 / dpi
    return x, rendered.get_height() - y


def link_areas(path, page: int) -> list[tuple[str, tuple[float, ...]]]:
    return [(annotation.get_object()["/A"]["/URI"], tuple(float(v) for v in annotation.get_object()["/Rect"]))
            for annotation in PdfReader(path).pages[page - 1].get("/Annots", [])
            if annotation.get_object()["/Subtype"] == "/Link"]


def test_a_clinic_can_send_the_qr_code_to_another_page(run):
    address = "https://www.riverside-skin.example/leaflets/acne-scars?from=qr&lang=en-GB"
    replace_in(Path("content.toml"), 'website = "www.riverside-skin.example"\n',
               f'website = "www.riverside-skin.example"\nmore_info = "{address}"\n')
    result = run("make", "-p", "Ann", "--procedure", "fillers", "--format", "both", "-o", "a.pdf")
    assert result.exit_code == 0, result.output
    ((page, text, _),) = printed_codes("a.pdf")
    assert text == address
    assert "Scan to read more online" in flat(pdf_pages("a.pdf")[page - 1])
    # Printed in words too (in the contact paragraph after the code), for a reader without a phone.
    assert "".join(pdf_text("a.pdf").split()).count(address) == 1
    assert (False, address, "") in html_links("a.html") and (False, address, address) in html_links("a.html")
    assert f'aria-label="QR code for {address.replace("&", "&amp;")}"' in Path("a.html").read_text(encoding="utf-8")
