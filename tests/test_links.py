"""The clinic's web address, phone and email as links, and the QR code that leads to the website."""

from __future__ import annotations

import pytest

from handouts.links import mailto, tel, web_address


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
