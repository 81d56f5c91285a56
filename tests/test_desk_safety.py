"""What the desk lets out: a huge leaflet number is 404, the log cannot be forged, pages show no server path,
and the folders holding patients' files are their owner's only."""

from __future__ import annotations

import re
import stat
import urllib.error
from pathlib import Path

from conftest import replace_in
from handouts.make import Maker
from handouts.web import Desk, create_app
from test_serve import NO_PROXY, Server, clinic  # noqa: F401  (the clinic fixture)
from test_web import GOOD, client, csrf, desk, folder, made_entry, make, page, signed_in  # noqa: F401  (fixtures)

HUGE = "99999999999999999999999"


def test_a_leaflet_number_too_large_for_the_history_is_not_found(client):  # noqa: F811
    made_entry(make(client))
    for path in (f"/leaflets/{HUGE}", f"/leaflets/{HUGE}.pdf", f"/leaflets/{HUGE}.html", f"/leaflets/{HUGE}/print",
                 f"/leaflets/{2**63}.pdf"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "no such leaflet here" in page(response).words
    emailed = client.post(f"/leaflets/{HUGE}/email", data={"csrf_token": csrf(client), "email": "sam@example.com"})
    assert emailed.status_code == 404
    assert not Path("output/outbox").exists()


def test_a_line_break_in_a_request_path_cannot_forge_a_log_line(clinic):  # noqa: F811
    server = Server(clinic)
    try:
        forged = "/leaflets/1%0d%0a2026-12-06 09:00:00 GET /leaflets/2.pdf 200 1 ms%1b[2K".replace(" ", "%20")
        try:
            NO_PROXY.open(server.url + forged, timeout=60)
        except urllib.error.HTTPError as exc:
            assert exc.code == 404
    finally:
        assert server.stop() == 0
    lines = server.log.splitlines()
    (line,) = [line for line in lines if "/leaflets/1" in line]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d GET /leaflets/1\\x0d\\x0a2026-12-06 09:00:00 GET "
                        r"/leaflets/2\.pdf 200 1 ms\\x1b\[2K 302 \d+ ms", line), line  # 302: to sign in first
    assert not [line for line in lines if line.startswith("2026-12-06 09:00:00")]


def test_an_error_page_names_files_never_where_they_are_on_the_server(folder):  # noqa: F811
    desk = Desk(Maker(folder / "content.toml", folder / "templates"), folder / "output" / "history.sqlite3",  # noqa: F811
                output_dir=folder / "output")
    client = signed_in(create_app(desk), history=folder / "output" / "history.sqlite3")  # noqa: F811
    token = csrf(client)
    replace_in(folder / "content.toml", 'primary = "#1D5C63"', 'primary = "#EEEEEE"')
    broken = client.post("/", data={**GOOD, "csrf_token": token})
    assert broken.status_code == 503
    text = broken.get_data(as_text=True)
    assert "content.toml" in page(broken).words and "contrast" in page(broken).words
    assert str(folder) not in text and str(folder.parent) not in text


def test_the_output_folder_and_the_outbox_are_their_owners_only(client):  # noqa: F811
    entry = made_entry(make(client, email="sam@example.com"))
    sent = client.post(f"/leaflets/{entry}/email", data={"csrf_token": csrf(client), "email": "sam@example.com"})
    assert "Email: written to the outbox." in page(sent).words
    assert stat.S_IMODE(Path("output").stat().st_mode) == 0o700
    assert stat.S_IMODE(Path("output/outbox").stat().st_mode) == 0o700
    files = [*Path("output").glob("*.*"), *Path("output/outbox").glob("*.eml")]
    assert {path.suffix for path in files} >= {".pdf", ".html", ".sqlite3", ".eml"}
    assert {path.name: stat.S_IMODE(path.stat().st_mode) for path in files} == {path.name: 0o600 for path in files}


def test_a_folder_there_already_is_left_as_it_is(desk):  # noqa: F811
    Path("output").mkdir(mode=0o750)
    Path("output").chmod(0o750)
    made_entry(make(signed_in(create_app(desk))))
    assert stat.S_IMODE(Path("output").stat().st_mode) == 0o750


def test_handouts_init_makes_the_output_folder_its_owners_only(run):
    result = run("init", "clinic")
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(Path("clinic/output").stat().st_mode) == 0o700
