"""`handouts serve` for real: waitress on a free loopback port, many requests at once, what it logs."""

from __future__ import annotations

import io
import json
import os
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import CONTENT, ROOT, TEMPLATES, flat, without_settings

CLI = str(ROOT / "cli.py")
TOKEN = "parallel-test-token"
NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@pytest.fixture
def clinic(tmp_path):
    shutil.copy(CONTENT, tmp_path / "content.toml")
    shutil.copytree(TEMPLATES, tmp_path / "templates")
    return tmp_path


class Server:
    """`handouts serve --port 0` in its own process; its output goes to files, read when needed."""

    def __init__(self, folder: Path, *args: str, env: dict | None = None):
        self.out, self.err = folder / "serve.out", folder / "serve.err"
        environment = without_settings(os.environ)
        environment.update(PYTHONPATH=str(ROOT), HANDOUTS_API_TOKEN=TOKEN, **(env or {}))
        with open(self.out, "w") as out, open(self.err, "w") as err:
            self.process = subprocess.Popen([sys.executable, CLI, "serve", "--port", "0", *args], cwd=folder,
                                            env=environment, stdout=out, stderr=err)
        deadline = time.monotonic() + 60
        while "http://" not in self.out.read_text() and time.monotonic() < deadline:
            assert self.process.poll() is None, self.err.read_text()
            time.sleep(0.02)
        line = self.out.read_text().strip()
        assert line.startswith("The front desk is open at http://"), line
        self.port = int(line.split("http://", 1)[1].split("/", 1)[0].rsplit(":", 1)[1])
        self.url = f"http://127.0.0.1:{self.port}"
        while True:  # announced once listening; make sure it answers
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "the server never answered"
                time.sleep(0.02)

    def stop(self) -> int:
        self.process.send_signal(signal.SIGINT)
        return self.process.wait(timeout=30)

    @property
    def log(self) -> str:
        return self.err.read_text()


def post(url: str, body: dict, token: str | None = TOKEN):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url + "/api/leaflets", data=json.dumps(body).encode(), headers=headers)
    try:
        with NO_PROXY.open(request, timeout=120) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


NAMES = [f"Quentin Zarkovsky{'ABCDEFGHIJ'[i // 2]}" for i in range(20)]  # ten names, each twice


def test_twenty_requests_at_once_give_twenty_distinct_recorded_pdfs_and_no_name_in_the_log(clinic):
    server = Server(clinic)
    try:
        bodies = [{"patient": name, "procedures": ["subcision", "fillers"][: 1 + i % 2], "date": "21/11/2026",
                   "sessions": {"subcision": str(1 + i)}} for i, name in enumerate(NAMES)]
        with ThreadPoolExecutor(max_workers=20) as pool:
            results = list(pool.map(lambda body: post(server.url, body), bodies))
        assert [status for status, _, _ in results] == [201] * 20
        for (_, headers, data), body in zip(results, bodies):
            assert headers["Content-Type"] == "application/pdf"
            text = flat("\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))
            assert f"Prepared for {body['patient']} on 21 November 2026" in text
            assert f"Subcision {body['sessions']['subcision']}" in text
        assert len({data for _, _, data in results}) == 20
        files = sorted(p.name for p in (clinic / "output").glob("*.pdf"))
        assert len(files) == 20 and files[:2] == ["2026-11-21-quentin-zarkovskya-2.pdf",
                                                  "2026-11-21-quentin-zarkovskya.pdf"]
        db = sqlite3.connect(clinic / "output" / "handouts-history.sqlite3")
        rows = db.execute("SELECT patient, path, state FROM leaflets").fetchall()
        assert sorted(patient for patient, _, _ in rows) == sorted(NAMES)
        assert {state for _, _, state in rows} == {"done"} and len({path for _, path, _ in rows}) == 20
    finally:
        assert server.stop() == 0
    log = server.log
    assert log.count("POST /api/leaflets 201") == 20
    assert "Zarkovsky" not in log and "zarkovsky" not in log
    assert "Traceback" not in log


def test_a_leaflet_from_the_api_takes_well_under_a_third_of_a_make_process(clinic):
    """The server keeps content, templates and fonts loaded; a make process loads them every time."""
    env = without_settings(os.environ)
    env["PYTHONPATH"] = str(ROOT)
    makes = []
    for number in range(3):
        started = time.perf_counter()
        subprocess.run([sys.executable, CLI, "make", "-p", "Sam Sample", "--procedure", "subcision",
                        "--procedure", "fillers", "-o", f"make-{number}.pdf"], cwd=clinic, env=env, check=True,
                       capture_output=True)
        makes.append(time.perf_counter() - started)
    server = Server(clinic)
    try:
        post(server.url, {"patient": "Warm Up", "procedures": ["fillers"]})
        requests = []
        for number in range(5):
            started = time.perf_counter()
            status, _, _ = post(server.url, {"patient": "Sam Sample", "procedures": ["subcision", "fillers"]})
            requests.append(time.perf_counter() - started)
            assert status == 201
    finally:
        server.stop()
    make_time, api_time = statistics.median(makes), statistics.median(requests)
    print(f"\nmake process {make_time * 1000:.0f} ms, API leaflet {api_time * 1000:.0f} ms "
          f"({api_time / make_time:.0%} of a make)")
    assert api_time < make_time / 3


def test_other_computers_only_with_a_password(run, tmp_path):
    clinic = tmp_path  # where `run` put the content and templates
    refused = run("serve", "--host", "0.0.0.0")
    assert refused.exit_code == 1
    assert refused.output == (
        "Error: --host 0.0.0.0 lets other computers reach the front desk and its patients' leaflets; set "
        "HANDOUTS_WEB_PASSWORD first (staff then log in with it), or leave out --host to serve this computer only\n")
    server = Server(clinic, "--host", "0.0.0.0", env={"HANDOUTS_WEB_PASSWORD": "open sesame"})
    try:
        assert f":{server.port}/" in (clinic / "serve.out").read_text()
        request = urllib.request.Request(server.url + "/history")
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), NoRedirect())
        with pytest.raises(urllib.error.HTTPError) as answer:
            opener.open(request, timeout=30)
        assert answer.value.code == 302 and answer.value.headers["Location"] == "/login"
        status, _, _ = post(server.url, {"patient": "Sam", "procedures": ["fillers"]})
        assert status == 201  # the API takes its token, not the staff password
        assert post(server.url, {"patient": "Sam", "procedures": ["fillers"]}, token=None)[0] == 401
    finally:
        assert server.stop() == 0


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_a_port_in_use_and_encrypt_are_clear_errors(run):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run("serve", "--port", str(port))
    assert result.exit_code == 1
    assert result.output == (f"Error: cannot listen on 127.0.0.1 port {port}: Address already in use; choose another "
                             "--port (or stop the program using it)\n")
    refused = run("serve", "--encrypt")
    assert refused.exit_code == 2
    assert refused.output.endswith("Error: serve does not encrypt emails; leave out --encrypt (or send encrypted "
                                   "leaflets with 'handouts send --encrypt').\n")
