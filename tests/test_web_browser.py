"""The front desk in a real browser (Debian's chromium): a receptionist fills the form by its labels,
checks the preview, downloads the PDF; every page passes axe-core."""

from __future__ import annotations

import re
import time

import pytest
from pypdf import PdfReader

from conftest import flat
from test_html import browser, serious_axe_violations  # noqa: F401  (the browser fixture)
from test_serve import PASSWORD, Server, clinic  # noqa: F401  (handouts serve on a free loopback port)


def by_label(driver, text: str):
    """The control a label names, found as a screen reader user would: by the label's words."""
    from selenium.webdriver.common.by import By

    label = driver.find_element(By.XPATH, f'//label[normalize-space()="{text}"]')
    return driver.find_element(By.ID, label.get_attribute("for"))


def type_into(driver, label: str, text: str) -> None:
    field = by_label(driver, label)
    field.clear()
    field.send_keys(text)


def choose_in_box(driver, label: str, value: str) -> None:
    """A date or time chosen in the browser's own box, as its picker sets it (typing into one follows the
    browser's language: day or month first, 12 or 24 hours)."""
    driver.execute_script("arguments[0].value = arguments[1];"
                          "arguments[0].dispatchEvent(new Event('input', {bubbles: true}));"
                          "arguments[0].dispatchEvent(new Event('change', {bubbles: true}));",
                          by_label(driver, label), value)


def console_errors(driver) -> list[str]:
    return [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def wait_for(condition, what: str, seconds: float = 30):
    deadline = time.monotonic() + seconds
    while not (found := condition()):
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.05)
    return found


def try_signing_in(driver, server, username: str = "manager", password: str = PASSWORD) -> bool:
    """Sign in by the page's labels; did it open the New leaflet page?"""
    from selenium.webdriver.common.by import By

    driver.get(server.url + "/login")
    type_into(driver, "Username", username)
    type_into(driver, "Password", password)
    driver.find_element(By.XPATH, '//button[normalize-space()="Sign in"]').click()
    # The answer is a new page: wait for it (the New leaflet form, or the sign-in form again with its error)
    # rather than reading the title of the page being left.
    wait_for(lambda: driver.execute_script("return document.readyState") == "complete" and (
        driver.find_elements(By.ID, "signin-error") or driver.find_elements(By.ID, "patient")), "the answer to "
             "signing in")
    return driver.title == "New leaflet – Riverside Skin Clinic front desk"


def sign_in(driver, server) -> None:
    assert try_signing_in(driver, server), driver.page_source


@pytest.fixture
def desk_in_browser(clinic, browser):  # noqa: F811
    server = Server(clinic)
    downloads = clinic / "downloads"
    downloads.mkdir()
    browser.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    browser.set_window_size(1200, 1000)
    sign_in(browser, server)
    yield browser, server, downloads
    server.stop()


def test_a_receptionist_makes_a_leaflet_by_the_labels_and_downloads_it(desk_in_browser):
    from selenium.webdriver.common.by import By

    driver, server, downloads = desk_in_browser
    driver.get(server.url + "/")
    assert driver.title == "New leaflet – Riverside Skin Clinic front desk"
    assert serious_axe_violations(driver) == []

    type_into(driver, "Patient's name", "Zoë Łukasz-Nguyễn")
    sessions = by_label(driver, "Sessions of Subcision")
    assert not sessions.is_displayed()  # shown once the treatment is ticked
    by_label(driver, "Subcision").click()
    assert sessions.is_displayed()
    type_into(driver, "Sessions of Subcision", "3")
    by_label(driver, "Fractional laser").click()
    by_label(driver, "Rolling scars").click()
    # The first appointment's date and time boxes are the browser's own (their picker, in the browser's order).
    assert (by_label(driver, "Date").get_attribute("type"), by_label(driver, "Time").get_attribute("type")) == \
        ("date", "time")
    choose_in_box(driver, "Date", "2026-12-03")
    choose_in_box(driver, "Time", "10:30")
    type_into(driver, "Clinician", "Dr Ana Silva")
    type_into(driver, "Date on the leaflet", "31/11/2026")
    type_into(driver, "Note for the patient", "See you soon.")
    assert by_label(driver, "A4").is_selected()
    driver.find_element(By.XPATH, '//button[normalize-space()="Make the leaflet"]').click()

    # A slip: the form comes back with everything typed, and the message beside the field.
    wait_for(lambda: driver.find_elements(By.ID, "date-error"), "the error message")
    day = by_label(driver, "Date on the leaflet")
    assert "date-error" in day.get_attribute("aria-describedby").split()
    assert day.get_attribute("aria-invalid") == "true"
    message = " ".join(driver.find_element(By.ID, "date-error").text.split())
    assert message == "Error: '31/11/2026' is not a date: November 2026 has no day 31; write it as YYYY-MM-DD or " \
                      "DD/MM/YYYY, for example 2026-12-03 or 03/12/2026"
    assert by_label(driver, "Patient's name").get_attribute("value") == "Zoë Łukasz-Nguyễn"
    assert (by_label(driver, "Date").get_attribute("value"), by_label(driver, "Time").get_attribute("value")) == \
        ("2026-12-03", "10:30")
    assert by_label(driver, "Subcision").is_selected() and by_label(driver, "Rolling scars").is_selected()
    assert by_label(driver, "Sessions of Subcision").get_attribute("value") == "3"
    assert serious_axe_violations(driver) == []
    # The 422 is the page's status, which the browser reports; nothing else went wrong.
    assert [error.split(" - ")[1] for error in console_errors(driver)] == [
        "Failed to load resource: the server responded with a status of 422 (UNPROCESSABLE ENTITY)"]

    type_into(driver, "Date on the leaflet", "21/11/2026")
    driver.find_element(By.XPATH, '//button[normalize-space()="Make the leaflet"]').click()
    wait_for(lambda: driver.title.startswith("Leaflet preview"), "the preview")
    assert "Zoë" not in driver.title  # titles go into the browser's history too
    assert driver.find_element(By.TAG_NAME, "h1").text == "Leaflet for Zoë Łukasz-Nguyễn"
    assert "Zoë" not in driver.current_url and "zoe" not in driver.current_url
    assert serious_axe_violations(driver) == []
    driver.switch_to.frame(driver.find_element(By.CSS_SELECTOR, "iframe.leaflet"))
    leaflet = driver.find_element(By.TAG_NAME, "body").text
    assert "Prepared for Zoë Łukasz-Nguyễn" in leaflet and "Thursday 3 December 2026 at 10:30" in leaflet
    driver.switch_to.default_content()

    driver.find_element(By.LINK_TEXT, "Download PDF").click()
    pdf = wait_for(lambda: [p for p in downloads.glob("*.pdf")], "the download")[0]
    wait_for(lambda: not list(downloads.glob("*.crdownload")) and PdfReader(pdf).pages, "the whole PDF")
    assert pdf.name == "2026-11-21-zoe-lukasz-nguyen.pdf"
    text = flat("\n".join(page.extract_text() for page in PdfReader(pdf).pages))
    assert "Prepared for Zoë Łukasz-Nguyễn by Dr Ana Silva on 21 November 2026" in text
    assert "Subcision 3" in text and "See you soon." in text
    assert console_errors(driver) == []
    assert "Zoë" not in server.log and "Nguy" not in server.log


@pytest.mark.parametrize("path", ["/batch", "/history", "/content"])
def test_the_other_pages_pass_axe(desk_in_browser, path):
    driver, server, _ = desk_in_browser
    driver.get(server.url + path)
    assert driver.find_element("tag name", "h1").text == path.strip("/").capitalize()
    assert serious_axe_violations(driver) == []
    assert console_errors(driver) == []


def test_the_sign_in_page_passes_axe_and_lets_staff_in(clinic, browser):  # noqa: F811
    from selenium.webdriver.common.by import By

    server = Server(clinic)
    try:
        browser.get(server.url + "/")
        assert browser.title == "Sign in – Riverside Skin Clinic front desk"
        assert serious_axe_violations(browser) == []
        type_into(browser, "Username", "manager")
        type_into(browser, "Password", "not the password")
        browser.find_element(By.XPATH, '//button[normalize-space()="Sign in"]').click()
        wait_for(lambda: "do not match" in browser.page_source, "the refusal")
        assert serious_axe_violations(browser) == []
        # A wrong password pauses this client and this account briefly: wait for the pause to pass.
        wait_for(lambda: try_signing_in(browser, server), "the pause after a wrong password")
        # The browser notes the refusals (401, then 429 while paused) and nothing else.
        assert [e for e in console_errors(browser) if not re.search(r"/login - .* status of (401|429)", e)] == []
        assert browser.find_element(By.CLASS_NAME, "who").text == "Signed in as manager"
    finally:
        server.stop()
