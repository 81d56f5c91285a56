"""One request, parsed once: the same fields through the command line, a patient list, the web form, the JSON
API and the interactive prompts make the same request, and so the same leaflet."""

from __future__ import annotations

import os
import shutil
import sqlite3
import sys
from pathlib import Path

import pexpect
import pytest
from werkzeug.datastructures import MultiDict

from conftest import ROOT
from handouts.leaflet.content_reader import load_content
from handouts.leaflet.patients import read_patients
from handouts.leaflet.request import parse_request
from handouts.make import Maker
from handouts.web import Desk, create_app
from handouts.web.fields import from_form, from_json
from test_web import TOKEN, made_entry, signed_in

CLI_ARGS = ["--patient", "Zoë Sample", "--procedure", "subcision", "--procedure", "fractional-laser", "--scar",
            "rolling", "--sessions", "subcision=3", "--sessions", "fractional-laser=2 to 3", "--appointment",
            "03/12/2026 10:30", "--clinician", "Dr Ana Silva", "--date", "21/11/2026", "--note", "See you soon.",
            "--language", "es", "--bilingual"]
CSV = ("patient,procedures,scars,sessions,appointment,clinician,date,note,email,language,bilingual\n"
       "Zoë Sample,subcision;fractional-laser,rolling,subcision=3;fractional-laser=2 to 3,03/12/2026 10:30,"
       "Dr Ana Silva,21/11/2026,See you soon.,zoe@example.com,es,yes\n")
FORM = MultiDict([("patient", "Zoë Sample"), ("procedures", "subcision"), ("procedures", "fractional-laser"),
                  ("scars", "rolling"), ("sessions-subcision", "3"), ("sessions-fractional-laser", "2 to 3"),
                  ("appointment_date", "2026-12-03"), ("appointment_time", "10:30"), ("clinician", "Dr Ana Silva"), ("date", "21/11/2026"),
                  ("note", "See you soon."), ("paper", "a4"), ("email", "zoe@example.com"), ("language", "es"),
                  ("bilingual", "yes")])
JSON = {"patient": "Zoë Sample", "procedures": ["subcision", "fractional-laser"], "scars": ["rolling"],
        "sessions": {"subcision": 3, "fractional-laser": "2 to 3"}, "appointment": "03/12/2026 10:30",
        "clinician": "Dr Ana Silva", "date": "21/11/2026", "note": "See you soon.", "email": "zoe@example.com",
        "language": "es", "bilingual": True}


@pytest.fixture
def run(run):
    """The scratch clinic folder, with the shipped translations: the leaflets are asked for in Spanish too."""
    shutil.copytree(ROOT / "translations", Path("translations"))
    return run


def test_every_face_hands_the_parser_fields_that_make_the_same_request(run):
    content = load_content(Path("content.toml"))
    Path("list.csv").write_text(CSV, encoding="utf-8")
    (row,) = read_patients("list.csv").rows()
    from_options = dict(patient="Zoë Sample", procedures=("subcision", "fractional-laser"), scars=("rolling",),
                        sessions=("subcision=3", "fractional-laser=2 to 3"), appointment="03/12/2026 10:30",
                        clinician="Dr Ana Silva", date="21/11/2026", note="See you soon.", email="zoe@example.com",
                        paper="a4", large_print=False, language="es", bilingual=True)
    requests = [parse_request(content, values) for values in
                (from_options, row.values, from_form(FORM, content), from_json(dict(JSON)))]
    assert all(request == requests[0] for request in requests)
    first = requests[0]
    assert first.choices.sessions == (("subcision", "3"), ("fractional-laser", "2 to 3"))
    assert (first.choices.appointment.isoformat(), first.email) == ("2026-12-03T10:30:00", "zoe@example.com")
    assert (first.choices.language, first.choices.bilingual) == ("es", True)


def test_every_face_makes_the_same_leaflet(run):
    assert run("make", *CLI_ARGS).exit_code == 0
    Path("list.csv").write_text(CSV, encoding="utf-8")
    assert run("batch", "list.csv", "-o", "batch").exit_code == 0

    app = create_app(Desk(Maker("content.toml", "templates"), Path("output/handouts-history.sqlite3")),
                     api_token=TOKEN)
    staff = signed_in(app)
    token = staff.get("/").get_data(as_text=True).split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    made_entry(staff.post("/", data=MultiDict([*FORM.items(multi=True), ("csrf_token", token)])))
    assert app.test_client().post("/api/leaflets", json=JSON,
                                  headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 201

    child = pexpect.spawn(sys.executable, [str(ROOT / "cli.py"), "make", "--language", "es", "--bilingual", "-o",
                                           "asked.pdf"], cwd=os.getcwd(),
                          env=dict(os.environ, PYTHONPATH=str(ROOT), TERM="dumb"), encoding="utf-8", timeout=60)
    for prompt, typed in [("Patient's name: ", "Zoë Sample"), ("Choose one or more", "subcision fractional-laser"),
                          ("Scar types", "rolling"), ("Sessions of Subcision", "3"),
                          ("Sessions of Fractional laser", "2 to 3"), ("Date on the leaflet", "21/11/2026"),
                          ("First appointment", "03/12/2026 10:30"), ("Clinician", "Dr Ana Silva"),
                          ("Note for the patient", "See you soon."), ("Email the leaflet to", "")]:
        child.expect_exact(prompt)
        child.sendline(typed)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before

    db = sqlite3.connect("output/handouts-history.sqlite3")
    rows = db.execute("SELECT path, inputs, language, bilingual FROM leaflets WHERE state = 'done' "
                      "AND path LIKE '%.pdf'").fetchall()
    assert len(rows) == 5  # make, batch, form, API, prompts
    assert {(language, bilingual) for _, _, language, bilingual in rows} == {("es", "yes")}
    assert len({inputs for _, inputs, _, _ in rows}) == 1, rows  # the same patient, choices, plan, note, date, languages
