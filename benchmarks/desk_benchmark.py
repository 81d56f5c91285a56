"""Front desk benchmark: leaflets a second with many clients at once, and a colleague behind a hostile note.

    python3 benchmarks/desk_benchmark.py [--clients 20] [--each 5]

Serves the desk (create_app and run_server, as `handouts serve` does) on
127.0.0.1 in a scratch clinic folder, then:
1. `--clients` clients each ask the API for `--each` leaflets at once; prints
   leaflets a second and the median and slowest wait;
2. one leaflet from the API, and one from a `handouts make` process, which
   loads the content, templates and fonts each time;
   one client sends a note of one 16,000-letter word, and a colleague asks
   for a plain leaflet half a second later; prints how long each waited.
3. with --stuck, a leaflet whose drawing never ends (the scratch template
   loops ten billion times for one patient) and a colleague half a second
   later: how long each waited (the stuck one until the desk's time limit).
It asserts nothing. Run it from another checkout to compare (it serves the
code beside it).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from handouts.make import Maker  # noqa: E402
from handouts.web import Desk, create_app, run_server  # noqa: E402

TOKEN = "benchmark-token"
NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def ask(url: str, patient: str, note: str = "") -> tuple[int, float]:
    """POST one leaflet; its status and the seconds it took."""
    body = {"patient": patient, "procedures": ["subcision", "fillers"], "scars": ["rolling"], "note": note,
            "date": "2026-11-21", "clinician": "Dr Ana Silva"}
    request = urllib.request.Request(url + "/api/leaflets", data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json",
                                              "Authorization": f"Bearer {TOKEN}"})
    started = time.perf_counter()
    try:
        with NO_PROXY.open(request, timeout=600) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as exc:
        exc.read()
        status = exc.code
    return status, time.perf_counter() - started


def serve(desk: Desk) -> str:
    """Serve `desk` in a thread, as `handouts serve` does; its address once it listens."""
    announced: list[str] = []
    threading.Thread(target=run_server, args=(create_app(desk, api_token=TOKEN), "127.0.0.1", 0),
                     kwargs=dict(announce=announced.append), daemon=True).start()
    while not announced:
        time.sleep(0.01)
    logging.getLogger("handouts.web").setLevel(logging.WARNING)  # the access log would drown the figures
    return announced[0].split(" at ", 1)[1].split("/ ", 1)[0].replace("[127.0.0.1]", "127.0.0.1")


def make_process() -> float:
    """Seconds for one `handouts make` in its own process, in the current (scratch clinic) folder."""
    started = time.perf_counter()
    subprocess.run([sys.executable, str(ROOT / "cli.py"), "make", "-p", "Sam Sample", "--procedure", "subcision",
                    "--procedure", "fillers", "-o", "make.pdf", "--force"], check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--each", type=int, default=5, help="leaflets each client asks for")
    parser.add_argument("--stuck", action="store_true", help="also a leaflet that never finishes drawing")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        shutil.copy(ROOT / "content.toml", Path(folder) / "content.toml")
        shutil.copytree(ROOT / "templates", Path(folder) / "templates")
        leaflet = Path(folder) / "templates" / "leaflet.html.j2"
        loop = ('{% if patient.name == "Stuck Sam" %}{% for a in "x" * 100000 %}{% for b in "x" * 100000 %}'
                '{% endfor %}{% endfor %}{% endif %}')
        leaflet.write_text(leaflet.read_text().replace("{% if patient.note %}", loop + "{% if patient.note %}"))
        os.chdir(folder)
        desk = Desk(Maker("content.toml", "templates"), Path("output/handouts-history.sqlite3"))
        url = serve(desk)
        workers = getattr(getattr(desk, "drawers", None), "workers", 1)
        print(f"code: {ROOT}; cores: {os.cpu_count()}; leaflets drawn at once: {workers}", flush=True)
        for number in range(workers):  # warm up every worker
            ask(url, f"Warm Up {number}")

        jobs = [f"Patient {client}-{number}" for client in range(args.clients) for number in range(args.each)]
        started = time.perf_counter()
        with ThreadPoolExecutor(args.clients) as pool:
            results = list(pool.map(lambda name: ask(url, name), jobs))
        took = time.perf_counter() - started
        waits = [seconds for _, seconds in results]
        print(f"{len(jobs)} leaflets for {args.clients} clients at once in {took:.1f} s: "
              f"{len(jobs) / took:.2f} leaflets/s; wait median {statistics.median(waits):.2f} s, "
              f"slowest {max(waits):.2f} s; statuses {sorted(set(s for s, _ in results))}", flush=True)

        alone = ask(url, "Colleague Alone")[1]
        makes = [make_process() for _ in range(3)]
        print(f"one leaflet from the API: {alone:.2f} s; from a make process (which loads content, templates and "
              f"fonts each time): {statistics.median(makes):.2f} s", flush=True)
        hostile: list = []
        thread = threading.Thread(target=lambda: hostile.append(ask(url, "Hostile Note", "x" * 16_000)))
        thread.start()
        time.sleep(0.5)
        status, colleague = ask(url, "Colleague Behind")
        thread.join()
        print(f"a colleague's leaflet alone: {alone:.2f} s; sent 0.5 s after a note of one 16,000-letter word: "
              f"{colleague:.2f} s (status {status}); the hostile note: status {hostile[0][0]} after "
              f"{hostile[0][1]:.2f} s", flush=True)
        if args.stuck:
            stuck: list = []
            thread = threading.Thread(target=lambda: stuck.append(ask(url, "Stuck Sam")))
            thread.start()
            time.sleep(0.5)
            status, colleague = ask(url, "Colleague Behind")
            print(f"sent 0.5 s after a leaflet that never finishes: {colleague:.2f} s (status {status})", flush=True)
            thread.join()
            print(f"the stuck leaflet: status {stuck[0][0]} after {stuck[0][1]:.2f} s", flush=True)
        if hasattr(desk, "close"):
            desk.close()


if __name__ == "__main__":
    main()
