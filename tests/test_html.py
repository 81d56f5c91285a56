"""The accessible HTML version: same content as the PDF, real structure, a real browser."""

from __future__ import annotations

import io
import os
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import ROOT, flat, pdf_text

CHOICES = ["--patient", "Zoë <b>O'Brien</b> & Co", "--procedure", "subcision", "--procedure", "fractional-laser",
           "--procedure", "dermabrasion", "--scar", "rolling", "--clinician", "Dr Ana Silva",
           "--note", "See you in four weeks.\n\nBring your cream."]


class Outline(HTMLParser):
    """What a screen reader navigates by: headings, tables, lists, and all the text."""

    def __init__(self):
        super().__init__()
        self.stack, self.headings, self.text = [], [], []
        self.tags, self.attrs = [], []

    def handle_starttag(self, tag, attrs):
        self.stack.append(tag)
        self.tags.append(tag)
        self.attrs.append((tag, dict(attrs)))
        if tag in ("h1", "h2", "h3"):
            self.headings.append([tag, ""])

    def handle_endtag(self, tag):
        while self.stack and self.stack.pop() != tag:
            pass

    def handle_data(self, data):
        if "style" in self.stack or "title" in self.stack:
            return
        self.text.append(data)
        if self.stack and self.stack[-1] in ("h1", "h2", "h3", "strong") and self.headings \
                and any(t in ("h1", "h2", "h3") for t in self.stack[-2:]):
            self.headings[-1][1] += data


def outline(path: Path) -> Outline:
    parsed = Outline()
    parsed.feed(path.read_text(encoding="utf-8"))
    return parsed


@pytest.fixture
def both(run):
    result = run("make", *CHOICES, "--format", "both", "-o", "leaflet.pdf")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["leaflet.pdf", "leaflet.html"]
    return Path("leaflet.pdf"), Path("leaflet.html")


def test_html_has_the_same_sections_and_figures_as_the_pdf(both):
    pdf, page = both
    parsed = outline(page)
    sections = [text.strip() for tag, text in parsed.headings if tag == "h2"]
    (top, level_two) = PdfReader(pdf).outline
    assert [text.strip() for tag, text in parsed.headings if tag == "h1"] == [top.title]
    assert sections == [item.title for item in level_two] and len(sections) == 7  # "After each session" in, "What to expect" out (issue 18)
    html_text, pdf_words = flat(" ".join(parsed.text)), flat(pdf_text(pdf))
    for figure in set(re.findall(r"\d+ to \d+ days|\d+ days or more|\d+ to \d+ percent", pdf_words)):
        assert figure in html_text
    for fact in ("Quicker than laser resurfacing", "See you in four weeks.", "Bring your cream.",
                 "Version 2.0", "Next review due 22 November 2028"):
        assert fact in html_text and fact in pdf_words
    assert "Page 1 of" in pdf_words and "Page" not in html_text.split("Next review due")[-1]


def test_html_is_structured_and_self_contained(both):
    _, page = both
    source = page.read_text(encoding="utf-8")
    parsed = outline(page)
    assert re.search(r'<html lang="en-GB">', source)
    assert [tag for tag, _ in parsed.headings][:2] == ["h1", "h2"]
    assert {"main", "header", "footer", "table", "thead", "th", "ul", "li", "caption"} <= set(parsed.tags)
    assert all(a.get("scope") in ("col", "row") for tag, a in parsed.attrs if tag == "th")
    images = [a for tag, a in parsed.attrs if tag == "img"]
    assert images and all(a["src"].startswith("data:image/png;base64,") for a in images)
    # Nothing fetched from elsewhere: it opens offline. Its only links are the clinic's, for the reader to follow.
    assert not re.search(r'src="(https?:)?//', source) and "<link" not in source and "<script" not in source
    assert {a["href"] for tag, a in parsed.attrs if tag == "a"} == {
        "tel:01234567890", "mailto:hello@riverside-skin.example", "https://www.riverside-skin.example"}
    assert "@media print" in source and "#1D5C63" in source
    # The chart as data: a table with a caption, one row per treatment with a recovery figure and the
    # general row (subcision has none, so it is named in the caption instead).
    chart = source[source.index('<table class="chart">'):]
    chart = chart[:chart.index("</table>")]
    assert "<caption>" in chart and chart.count('<th scope="row">') == 3
    assert '<th scope="col">Treatment</th>' in chart and "bar" not in chart  # no bars to read about here
    # The patient's name is text, never markup.
    assert "Zoë &lt;b&gt;O&#x27;Brien&lt;/b&gt; &amp; Co" in source and "<b>O'Brien" not in source


def test_batch_format_both_and_html_only(run):
    Path("patients.csv").write_text("patient,procedures,large_print\nSam,subcision,yes\nAnn,fillers,\n",
                                    encoding="utf-8")
    result = run("batch", "patients.csv", "--format", "html")
    assert result.exit_code == 0, result.output
    assert sorted(p.suffix for p in Path("output").glob("2*")) == [".html", ".html"]
    again = run("batch", "patients.csv", "--format", "both")
    assert again.exit_code == 0, again.output
    assert "Written 2, skipped 0" in again.output
    assert sorted(p.suffix for p in Path("output").glob("2*")) == [".html", ".html", ".pdf", ".pdf"]
    assert "Written 0, skipped 2" in run("batch", "patients.csv", "--format", "both").output
    (sam,) = Path("output").glob("*-sam.html")
    assert "font-size: 22px" in sam.read_text(encoding="utf-8")  # large print
    assert "Large print version" in sam.read_text(encoding="utf-8")
    refused = run("batch", "patients.csv", "--format", "html", "--print-file", "p.pdf")
    assert refused.exit_code == 2
    assert refused.output.endswith("Error: --print-file needs PDF leaflets; use --format pdf or both.\n")


def test_emailed_with_format_both_attaches_the_html_too(run):
    result = run("make", *CHOICES, "--format", "both", "--email", "zoe@example.com")
    assert result.exit_code == 0, result.output
    from email import message_from_bytes, policy

    (eml,) = Path("output/outbox").glob("*.eml")
    message = message_from_bytes(eml.read_bytes(), policy=policy.default)
    parts = {p.get_filename(): p for p in message.iter_attachments()}
    (pdf,) = Path("output").glob("*.pdf")
    (page,) = Path("output").glob("*.html")
    assert parts[pdf.name].get_content() == pdf.read_bytes()
    assert parts[page.name].get_content_type() == "text/html"
    assert parts[page.name].get_payload(decode=True) == page.read_bytes()
    assert "also attached it as a web page" in message.get_body(("plain",)).get_content()


# -- a real browser ---------------------------------------------------------------

AXE = Path(os.environ.get("HANDOUTS_AXE_JS", ROOT / "tests" / ".axe" / "node_modules" / "axe-core" / "axe.min.js"))
CHROMIUM, DRIVER = shutil.which("chromium"), shutil.which("chromedriver")


@pytest.fixture
def browser():
    if not (CHROMIUM and DRIVER):
        pytest.skip("Debian's chromium and chromium-driver are not installed (apt-get install chromium "
                    "chromium-driver); .ci/run installs them")
    if not AXE.is_file():
        pytest.skip(f"axe-core not found at {AXE} (npm install --prefix tests/.axe axe-core@4); .ci/run installs it")
    webdriver = pytest.importorskip("selenium.webdriver")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--no-first-run"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path=DRIVER))
    yield driver
    driver.quit()


def serious_axe_violations(driver) -> list[str]:
    """axe-core's serious and critical violations on the page the browser shows."""
    driver.execute_script(AXE.read_text(encoding="utf-8"))
    report = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations))"
        ".catch(e => done([{id: 'axe-error', impact: 'critical', description: String(e), nodes: []}]));")
    return [f"{v['id']} ({v['impact']}): {v['description']} at {[n['target'] for n in v['nodes']]}" for v in report
            if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("large", [False, True])
def test_html_in_a_real_browser_has_no_console_errors_and_no_serious_axe_violations(run, browser, large):
    result = run("make", *CHOICES, "--format", "html", "-o", "leaflet.html", *(["--large-print"] if large else []))
    assert result.exit_code == 0, result.output
    browser.get(Path("leaflet.html").resolve().as_uri())
    assert browser.title == "Treating acne scars"
    assert_clean(browser)
    # Text really is bigger in large print.
    size = browser.execute_script("return parseFloat(getComputedStyle(document.querySelector('main p')).fontSize)")
    assert size >= (22 if large else 18)


def assert_clean(browser):
    """No console errors and no serious or critical axe-core violations on the page open in `browser`."""
    errors = [entry["message"] for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert errors == []
    assert serious_axe_violations(browser) == []


ALL = ["dermabrasion", "microdermabrasion", "chemical-peel", "laser-resurfacing", "fractional-laser", "subcision",
       "fillers", "counselling"]
EVERYTHING = [*(arg for p in ALL for arg in ("--procedure", p, "--sessions", f"{p}=2 to 3")),
              *(arg for s in ("ice-pick", "rolling", "deep-craters", "superficial", "marks") for arg in ("--scar", s))]
# The widest summary table without a chart: sessions and full recovery (since issue 18 a column that would
# mostly say "Ask your clinician", such as time in clinic, is left out, and laser resurfacing's figures make a chart).
SAMPLE = ["--procedure", "subcision", "--procedure", "fractional-laser", "--sessions", "subcision=3",
          "--sessions", "fractional-laser=2 to 3", "--scar", "rolling"]


def view(browser, width: int, height: int) -> None:
    """Show pages as a phone (or a desktop) of this size would: the same CSS pixels, and a
    page too wide for them makes the phone's layout viewport wider than `width`."""
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600})


@pytest.mark.parametrize("large", [False, True], ids=["normal", "large-print"])
@pytest.mark.parametrize("choices", [EVERYTHING, SAMPLE], ids=["everything", "widest-table"])
def test_on_a_phone_nothing_scrolls_sideways(run, browser, choices, large):
    result = run("make", "-p", "Sam Sample", *choices, "--format", "html", "-o", "leaflet.html",
                 *(["--large-print"] if large else []))
    assert result.exit_code == 0, result.output
    view(browser, 390, 844)
    browser.get(Path("leaflet.html").resolve().as_uri())
    width, scrolls_to = browser.execute_script("return [window.innerWidth, document.documentElement.scrollWidth]")
    assert width == 390 and scrolls_to <= width
    # The summary table is one block per treatment, each figure under its column's name.
    cell = "document.querySelector('table.stack td')"
    assert browser.execute_script(f"return getComputedStyle({cell}).display") == "block"
    label = browser.execute_script(f"return getComputedStyle({cell}, '::before').content")
    assert label.startswith('"Sessions: "')
    assert_clean(browser)
    # The QR code, as the screen shows it, reads as the clinic's address.
    zxingcpp = pytest.importorskip("zxingcpp")
    from PIL import Image

    shown = browser.find_element("css selector", "figure.qr svg").screenshot_as_png
    assert [code.text for code in zxingcpp.read_barcodes(Image.open(io.BytesIO(shown)))] == [
        "https://www.riverside-skin.example"]
    # A desktop shows the same page with the table as a table.
    view(browser, 1280, 900)
    assert browser.execute_script(f"return getComputedStyle({cell}).display") == "table-cell"
