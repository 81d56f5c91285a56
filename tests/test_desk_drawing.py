"""The front desk draws leaflets in worker processes: one that never finishes is stopped, and holds up nobody.

The stuck leaflet is real: the clinic's template loops over two 100,000-letter
strings (ten billion steps) for one patient's name, so that leaflet's worker
is busy for hours while the template is fine for everyone else.
"""

from __future__ import annotations

import io
import json
import shutil
import threading
import time
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import CONTENT, TEMPLATES, flat, replace_in
from handouts.make import Maker
from handouts.web import Desk, create_app
from handouts.web.drawing import Drawers, cores
from test_web import signed_in

TOKEN = "drawing-test-token"
STUCK = "Stuck Sam"
LOOP = ('{% if patient.name == "' + STUCK + '" %}{% for a in "x" * 100000 %}{% for b in "x" * 100000 %}'
        '{% endfor %}{% endfor %}{% endif %}')


@pytest.fixture
def folder(tmp_path, monkeypatch):
    shutil.copy(CONTENT, tmp_path / "content.toml")
    shutil.copytree(TEMPLATES, tmp_path / "templates")
    monkeypatch.chdir(tmp_path)
    replace_in(tmp_path / "templates" / "leaflet.html.j2", "{% if patient.note %}", LOOP + "{% if patient.note %}")
    return tmp_path


def new_desk(**drawing) -> Desk:
    return Desk(Maker("content.toml", "templates"), Path("output/handouts-history.sqlite3"),
                drawers=Drawers(**drawing))


def api(client, patient: str):
    body = {"patient": patient, "procedures": ["subcision"], "date": "2026-11-21"}
    return client.post("/api/leaflets", data=json.dumps(body), content_type="application/json",
                       headers={"Authorization": f"Bearer {TOKEN}"})


def in_background(func) -> tuple[threading.Thread, list]:
    result: list = []
    thread = threading.Thread(target=lambda: result.append(func()), daemon=True)
    thread.start()
    return thread, result


def wait_for(condition, what: str, limit: float = 120) -> None:
    deadline = time.monotonic() + limit
    while not condition():
        assert time.monotonic() < deadline, f"never saw {what}"
        time.sleep(0.01)


def test_the_desk_draws_as_many_leaflets_at_once_as_the_machine_has_cores():
    assert Drawers().workers == cores() >= 1


def test_a_stuck_leaflet_holds_up_no_colleague(folder):
    desk = new_desk(workers=2, time_limit=3600)
    app = create_app(desk, api_token=TOKEN)
    stuck, stuck_result = in_background(lambda: api(app.test_client(), STUCK))
    wait_for(lambda: desk.drawers.busy == 1, "the stuck leaflet being drawn")

    colleague = api(app.test_client(), "Ann Lee")
    assert colleague.status_code == 201
    assert "Prepared for Ann Lee" in flat(PdfReader(io.BytesIO(colleague.data)).pages[0].extract_text())
    # Made while the stuck one is still being drawn: it waited for nothing.
    assert stuck.is_alive() and desk.drawers.busy == 1

    desk.close()  # the server stopping: the stuck worker goes too
    stuck.join(60)
    assert not stuck.is_alive() and stuck_result[0].status_code == 500
    assert sorted(p.name for p in Path("output").glob("*.pdf")) == ["2026-11-21-ann-lee.pdf"]


def test_a_leaflet_past_the_time_limit_is_stopped_with_a_clear_error_and_the_desk_goes_on(folder):
    desk = new_desk(workers=1)
    app = create_app(desk, api_token=TOKEN)
    assert api(app.test_client(), "Ann Lee").status_code == 201  # the worker is started and has loaded
    worker = next(iter(desk.drawers._started)).process

    desk.drawers.time_limit = 1
    started = time.monotonic()
    stopped = api(app.test_client(), STUCK)
    assert time.monotonic() - started >= 1
    assert stopped.status_code == 503
    assert stopped.json == {"error": "the leaflet took longer than the 1-second limit to draw and was stopped; "
                                     "nothing was made. Try again; if it happens again, shorten the note"}
    assert not worker.is_alive()

    form = signed_in(app)
    form_page = form.get("/")
    token = form_page.get_data(as_text=True).split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    shown = form.post("/", data={"patient": STUCK, "procedures": ["subcision"], "date": "21/11/2026",
                                 "csrf_token": token})
    assert shown.status_code == 503
    assert "the leaflet took longer than the 1-second limit to draw and was stopped" in shown.get_data(as_text=True)

    desk.drawers.time_limit = 3600  # a new worker starts for the next leaflet, however slow this machine is
    assert api(app.test_client(), "Bo Chan").status_code == 201
    assert sorted(p.name for p in Path("output").glob("*.pdf")) == ["2026-11-21-ann-lee.pdf",
                                                                     "2026-11-21-bo-chan.pdf"]
    desk.close()


def test_content_edited_on_disk_reaches_the_workers(folder):
    desk = new_desk(workers=1)
    app = create_app(desk, api_token=TOKEN)
    assert api(app.test_client(), "Ann Lee").status_code == 201
    replace_in(Path("templates/leaflet.html.j2"), "{% if patient.note %}", "<p>Edited today.</p>{% if patient.note %}")
    edited = api(app.test_client(), "Bo Chan")
    assert edited.status_code == 201
    assert "Edited today." in flat("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(edited.data)).pages))
    desk.close()
