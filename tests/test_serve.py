"""`handouts serve` for real: cheroot on a free port, many requests at once, HTTPS for other computers, what it logs."""

from __future__ import annotations

import hashlib
import http.client
import io
import json
import os
import shutil
import signal
import socket
import sqlite3
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import trustme
from pypdf import PdfReader

from conftest import CONTENT, ROOT, TEMPLATES, flat, without_settings
from handouts.history import History
from handouts.staff import Staff

CLI = str(ROOT / "cli.py")
TOKEN = "parallel-test-token"
NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


PASSWORD = "a long pass phrase for tests"


def add_manager(folder: Path) -> None:
    with History(folder / "output" / "handouts-history.sqlite3") as history:
        Staff(history).add("manager", "manager", PASSWORD)


@pytest.fixture
def clinic(tmp_path):
    shutil.copy(CONTENT, tmp_path / "content.toml")
    shutil.copytree(TEMPLATES, tmp_path / "templates")
    add_manager(tmp_path)
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
        while "://" not in self.out.read_text() and time.monotonic() < deadline:
            assert self.process.poll() is None, self.err.read_text()
            time.sleep(0.02)
        line = self.out.read_text().strip()
        assert line.startswith("The front desk is open at http"), line
        self.port = int(line.split("://", 1)[1].split("/", 1)[0].rsplit(":", 1)[1])
        self.url = f"{line.split('://')[0].rsplit(' ', 1)[1]}://127.0.0.1:{self.port}"
        while True:  # announced once listening; make sure it answers
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "the server never answered"
                time.sleep(0.02)

    def stop(self) -> int:
        self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise AssertionError(f"the server did not stop on Ctrl-C; it said:\n{self.log}") from None

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


def https(server: Server, cafile: Path, method: str, path: str, *, host: str | None = None,
          headers: dict | None = None, body: bytes | None = None):
    """One request over HTTPS that checks the server's certificate against `cafile`, as a staff computer that
    trusts it would; the Host header names 127.0.0.1 unless `host` says otherwise."""
    context = ssl.create_default_context(cafile=str(cafile))
    connection = http.client.HTTPSConnection("127.0.0.1", server.port, context=context, timeout=30)
    try:
        connection.request(method, path, body=body, headers={**({"Host": host} if host else {}), **(headers or {})})
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def test_other_computers_are_served_over_https_only(clinic):
    server = Server(clinic, "--host", "0.0.0.0")
    try:
        assert (clinic / "serve.out").read_text().startswith("The front desk is open at https://")
        certificate = clinic / "handouts-tls" / "certificate.pem"
        for made in (certificate, clinic / "handouts-tls" / "key.pem", clinic / "handouts-tls"):
            assert made.stat().st_mode & 0o077 == 0, made  # the clinic folder's own; the key above all
        fingerprint = hashlib.sha256(ssl.PEM_cert_to_DER_cert(certificate.read_text())).hexdigest().upper()
        assert f"its SHA-256 fingerprint is {':'.join(fingerprint[i:i + 2] for i in range(0, 64, 2))}" in server.log

        status, headers, _ = https(server, certificate, "GET", "/history")
        assert (status, headers["Location"]) == (302, "/login")
        status, headers, _ = https(server, certificate, "GET", "/login")
        assert status == 200 and headers["Strict-Transport-Security"] == "max-age=31536000"
        assert "Secure" in headers["Set-Cookie"] and "HttpOnly" in headers["Set-Cookie"]
        # DNS rebinding: a page elsewhere that renames itself to this computer's address is refused.
        assert https(server, certificate, "GET", "/login", host="evil.example")[0] == 400
        assert https(server, certificate, "GET", "/login", host=socket.gethostname())[0] == 200
        # The API over HTTPS with its token; plain HTTP gets no answer at all.
        api = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
        status, _, _ = https(server, certificate, "POST", "/api/leaflets", headers=api,
                             body=json.dumps({"patient": "Sam", "procedures": ["fillers"]}).encode())
        assert status == 201
        with pytest.raises((urllib.error.URLError, ConnectionError, http.client.HTTPException)):
            NO_PROXY.open(f"http://127.0.0.1:{server.port}/login", timeout=30).read()
    finally:
        assert server.stop() == 0
    assert "Sam" not in server.log


def test_the_clinics_own_certificate_is_used_and_kept(clinic, tmp_path):
    authority = trustme.CA()
    issued = authority.issue_cert("127.0.0.1", "desk.clinic.example")
    issued.cert_chain_pems[0].write_to_path(str(tmp_path / "cert.pem"))
    issued.private_key_pem.write_to_path(str(tmp_path / "key.pem"))
    authority.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    server = Server(clinic, "--host", "127.0.0.1", "--certificate", str(tmp_path / "cert.pem"), "--key",
                    str(tmp_path / "key.pem"))
    try:
        assert https(server, tmp_path / "ca.pem", "GET", "/login")[0] == 200
    finally:
        assert server.stop() == 0
    assert not (clinic / "handouts-tls").exists()


def test_serve_needs_a_staff_account_and_says_the_shared_password_is_gone(run, tmp_path):
    refused = run("serve", env={"HANDOUTS_WEB_PASSWORD": "open sesame"})
    assert refused.exit_code == 1
    assert refused.output == (
        "Warning: HANDOUTS_WEB_PASSWORD is no longer used and gives no access: each member of staff signs in with "
        "their own account ('handouts staff add'). Unset it.\n"
        "Error: there are no staff accounts yet, so nobody could sign in to the front desk; add the first with "
        "'handouts staff add USERNAME --role manager', then run 'handouts serve' again\n")
    halves = run("serve", "--certificate", "content.toml")
    assert halves.exit_code == 2 and halves.output.endswith(
        "Error: --certificate and --key go together: give both, or neither.\n")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_a_port_in_use_and_encrypt_are_clear_errors(run):
    assert run("staff", "add", "manager", "--role", "manager", input=PASSWORD + "\n").exit_code == 0
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


def test_a_body_over_5_mb_is_refused_unread_and_a_connection_that_stalls_is_closed(clinic):
    server = Server(clinic)
    try:
        # Refused on its Content-Length alone: none of the 6 MB is sent, let alone stored.
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        connection.putrequest("POST", "/api/leaflets")
        connection.putheader("Authorization", f"Bearer {TOKEN}")
        connection.putheader("Content-Type", "application/json")
        connection.putheader("Content-Length", str(6 * 1024 * 1024))
        connection.endheaders()
        assert connection.getresponse().status == 413
        connection.close()
        # Half a request, then nothing: a colleague is served meanwhile, and the stalled connection is closed.
        stalled = socket.create_connection(("127.0.0.1", server.port))
        stalled.sendall(b"POST /api/leaflets HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        assert post(server.url, {"patient": "Sam", "procedures": ["fillers"]})[0] == 201
        stalled.settimeout(60)  # the server's own limit is 10 s without a byte
        answer = b""
        while chunk := stalled.recv(4096):
            answer += chunk
        assert answer == b"" or answer.startswith(b"HTTP/1.1 408"), answer[:100]
        stalled.close()
    finally:
        assert server.stop() == 0
