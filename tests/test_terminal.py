"""Runs in a real pseudo-terminal and as a real process, as staff would."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pexpect
import pytest
from pypdf import PdfReader

from conftest import ROOT, TODAY, pdf_text

CLI = str(ROOT / "cli.py")


def spawn(args, cwd):
    env = dict(os.environ, PYTHONPATH=str(ROOT), TERM="dumb")
    return pexpect.spawn(sys.executable, [CLI, *args], cwd=str(cwd), env=env, encoding="utf-8", timeout=30)


@pytest.fixture
def workdir(tmp_path):
    (tmp_path / "content.toml").write_bytes((ROOT / "content.toml").read_bytes())
    os.symlink(ROOT / "templates", tmp_path / "templates")
    return tmp_path


def answer(child, prompt: str, text: str) -> None:
    child.expect_exact(prompt)
    child.sendline(text)


def test_make_asks_for_everything_in_order_checking_each_answer(workdir):
    # The clinician of the last leaflet made here is offered as the default.
    made = subprocess.run([sys.executable, CLI, "make", "-p", "Ann", "--procedure", "fillers", "--clinician",
                           "Dr Ana Silva", "-o", "first.pdf"], cwd=workdir, env=dict(os.environ, PYTHONPATH=str(ROOT)),
                          capture_output=True, text=True, timeout=60)
    assert made.returncode == 0, made.stderr
    today = TODAY.strftime("%d/%m/%Y")
    dialogue = [  # (prompt, what is typed, what is said back, or None for the next question)
        ("Patient's name: ", "Zoë Łukasz-Nguyễn", None),
        ("Choose one or more (numbers or ids, separated by spaces or commas): ", "6, 99",
         "Not on the list: 99. Type numbers from 1 to 8."),
        ("Choose one or more", "6 subcission", "unknown procedure 'subcission'; did you mean 'subcision'?"),
        ("Choose one or more", "6 fractional_laser", None),
        ("Scar types to explain (numbers or ids; blank for none): ", "3 icepick",
         "unknown scar type 'icepick'; did you mean 'ice-pick'?"),
        ("Scar types to explain", "3", None),
        ("Sessions of Subcision (blank if not known): ", "3", None),
        ("Sessions of Fractional laser (blank if not known): ", "lots",
         "'lots' is not a number of sessions; write a number from 1 to 100, or a range like 2 to 3"),
        ("Sessions of Fractional laser", "2 to 3", None),
        # A back-dated leaflet: its appointment is judged against the leaflet's date, asked first, not today's.
        (f"Date on the leaflet [{today}]: ", "31/11/2026", "'31/11/2026' is not a date: November 2026 has no day 31"),
        ("Date on the leaflet", "02/11/2026", None),
        ("First appointment (DD/MM/YYYY HH:MM; blank if not booked yet): ", "10/11/26 10:30",
         "'10/11/26 10:30' is ambiguous: write the year in full;"),
        ("First appointment", "01/11/2026 10:30", "'2026-11-01' is before the leaflet's date (2026-11-02)"),
        ("First appointment", "10/11/2026 10:30", None),
        ("Clinician [Dr Ana Silva]: ", "", None),
        ("Note for the patient (one line; blank for none): ", "See you soon.", None),
        ("Email the leaflet to (blank: do not email): ", "zoe.example.com", "'zoe.example.com' is not an email address"),
        ("Email the leaflet to", "", None),
    ]
    child = spawn(["make"], workdir)
    for prompt, typed, said in dialogue:
        answer(child, prompt, typed)
        if prompt.startswith("Choose one or more ("):
            assert " 6. Subcision (subcision)" in child.before  # the numbered list came first
        if said:
            child.expect_exact(said)
    child.expect_exact("output/2026-11-02-zoe-lukasz-nguyen.pdf")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    text = " ".join(pdf_text(workdir / "output/2026-11-02-zoe-lukasz-nguyen.pdf").split())
    assert "Prepared for Zoë Łukasz-Nguyễn" in text and "by Dr Ana Silva" in text
    assert "Your first appointment: Tuesday 10 November 2026 at 10:30" in text
    assert "Subcision 3" in text and "Fractional laser 2 to 3" in text and "See you soon." in text
    assert "Deep craters" in text


def test_make_asks_before_replacing_a_file_and_offers_the_next_name(workdir):
    args = ["make", "-p", "Sam Sample", "--scar", "rolling", "--sessions", "subcision=3", "--appointment", "",
            "--clinician", "Dr Ana Silva", "--date", "2026-11-21", "--note", ""]

    def make(*answers):
        child = spawn(args, workdir)
        answer(child, "Choose one or more", "subcision")
        answer(child, "Email the leaflet to (blank: do not email): ", "")
        for prompt, text in answers:
            answer(child, prompt, text)
        child.expect(pexpect.EOF)
        child.close()
        assert child.exitstatus == 0, child.before
        return child.before.strip().splitlines()[-1]

    assert make() == "output/2026-11-21-sam-sample.pdf"
    first = (workdir / "output/2026-11-21-sam-sample.pdf").read_bytes()
    assert make(("output/2026-11-21-sam-sample.pdf already exists. Replace it? [y/N]: ", "n"),
                ("Save as [output/2026-11-21-sam-sample-2.pdf]: ", "")) == "output/2026-11-21-sam-sample-2.pdf"
    assert (workdir / "output/2026-11-21-sam-sample.pdf").read_bytes() == first
    assert make(("Replace it? [y/N]: ", "y")) == "output/2026-11-21-sam-sample.pdf"


def cpu_seconds(pid: int) -> float:
    """CPU time the process has used so far (user and system), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_for(condition, process) -> None:
    """Wait until `condition()` holds while `process` runs; a minute at most, however slow the machine."""
    deadline = time.monotonic() + 60
    while not condition() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)


def test_interrupting_a_run_leaves_no_partial_file(workdir):
    """Kill a long render at several moments of its own progress: the leaflet is whole or absent."""
    note = workdir / "note.txt"
    note.write_text(" ".join(f"word{i}" for i in range(5000)), encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    killed_mid_run = 0
    # Moments measured by the run's own state, not the clock: as it opens its history (just before drawing),
    # then once drawing has used some CPU time.
    for drawn in (0.0, 0.3, 0.6):
        target = workdir / f"killed-{drawn}.pdf"
        history = workdir / f"history-{drawn}.sqlite3"
        process = subprocess.Popen([sys.executable, CLI, "make", "-p", "Ann", "--procedure", "fillers",
                                    "--note-file", str(note), "-o", str(target), "--history", str(history)],
                                   cwd=workdir, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(history.exists, process)
        if process.poll() is None:
            started = cpu_seconds(process.pid)
            wait_for(lambda: cpu_seconds(process.pid) - started >= drawn, process)
        process.send_signal(signal.SIGKILL)
        killed_mid_run += process.wait() == -signal.SIGKILL
        if target.exists():
            assert len(PdfReader(target).pages) > 1  # a complete, readable PDF
        leftovers = [p.name for p in workdir.iterdir() if p.name.endswith(".part")]
        # A killed process cannot clean up; its temporary file is hidden and never the leaflet's name.
        assert all(name.startswith(f".{target.name}.") for name in leftovers)
    assert killed_mid_run, "every run ended before it was killed; the test proved nothing"


def test_ctrl_c_cleans_up(workdir):
    note = workdir / "note.txt"
    note.write_text(" ".join(f"word{i}" for i in range(5000)), encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    target = workdir / "interrupted.pdf"
    history = workdir / "history.sqlite3"
    process = subprocess.Popen([sys.executable, CLI, "make", "-p", "Ann", "--procedure", "fillers",
                                "--note-file", str(note), "-o", str(target), "--history", str(history)],
                               cwd=workdir, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # Start-up takes from a fraction of a second to several on a cold machine: wait until the command has
    # opened its history, just before drawing the 5,000-word note, whatever the machine.
    deadline = time.monotonic() + 60
    while not history.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert history.exists(), "the command never opened its history"
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    if target.exists():
        pytest.skip("the leaflet was finished before the interrupt arrived")
    assert process.returncode == 1, err
    assert err.strip().splitlines()[-1] == "Aborted!"
    assert "Traceback" not in err
    assert not target.exists()
    assert not [p for p in workdir.iterdir() if p.name.endswith(".part")]


def test_ctrl_c_while_loading_is_not_a_traceback(workdir):
    """Ctrl-C at a known moment of start-up: as cli.py imports Click, SIGINT arrives for real."""
    interrupt_at_import = (
        "import os, runpy, signal, sys\n"
        "class InterruptHere:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'click':\n"
        "            os.kill(os.getpid(), signal.SIGINT)\n"
        "sys.meta_path.insert(0, InterruptHere())\n"
        f"sys.argv = [{CLI!r}, '--help']\n"
        f"runpy.run_path({CLI!r}, run_name='__main__')\n")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    result = subprocess.run([sys.executable, "-c", interrupt_at_import], cwd=workdir, env=env, capture_output=True,
                            text=True, timeout=60)
    assert (result.returncode, result.stdout, result.stderr) == (1, "", "\nAborted!\n")


def running(pid: int) -> bool:
    """The process exists and is not a zombie (a container's first process may never reap it)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_a_killed_batch_resumes_losing_and_repeating_nothing(workdir):
    import hashlib
    import sqlite3

    rows = "".join(f"Patient {i},subcision;fillers,ID{i},2026-11-21\n" for i in range(40))
    (workdir / "patients.csv").write_text("patient,procedures,patient_id,date\n" + rows, encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    command = [sys.executable, CLI, "batch", "patients.csv", "--jobs", "2", "-q"]
    process = subprocess.Popen(command, cwd=workdir, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               start_new_session=True)
    output = workdir / "output"
    wait_for(lambda: len(list(output.glob("*.pdf"))) >= 5, process)
    # Freeze the batch and its workers where they are, so what it had written is counted before it is killed,
    # however fast the machine; then let the workers run on, to see them notice and end.
    os.killpg(process.pid, signal.SIGSTOP)
    workers = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
    process.kill()
    process.wait()
    os.killpg(process.pid, signal.SIGCONT)
    first_run = {p.name for p in output.glob("*.pdf")}
    assert 5 <= len(first_run) < 40, "the batch was not stopped part-way"
    assert len(workers) == 2
    # Its workers do not wait for work for ever: they end within a few seconds.
    deadline = time.time() + 30
    while any(running(int(pid)) for pid in workers) and time.time() < deadline:
        time.sleep(0.05)
    assert not any(running(int(pid)) for pid in workers)

    result = subprocess.run(command, cwd=workdir, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    written = int(result.stdout.split()[1].rstrip(","))
    skipped = int(result.stdout.split()[3].rstrip(","))
    assert written + skipped == 40
    assert skipped == len(first_run)  # nothing made twice
    files = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in output.glob("*.pdf")}
    assert len(files) == 40
    db = sqlite3.connect(output / "handouts-history.sqlite3")
    records = db.execute("SELECT path, sha256, state FROM leaflets").fetchall()
    done = {Path(path).name: sha for path, sha, state in records if state == "done"}
    assert done == files  # every file has its record and every record its file
    assert not list(output.glob(".*.part"))  # the re-run cleared what the killed run left


def test_the_print_file_shows_its_progress_and_the_summary_counts_its_time(workdir):
    rows = "".join(f"Patient {i},fillers,ID{i},2026-11-21\n" for i in range(3))
    (workdir / "patients.csv").write_text("patient,procedures,patient_id,date\n" + rows, encoding="utf-8")
    child = spawn(["batch", "patients.csv", "--print-file", "print.pdf", "--jobs", "1"], workdir)
    child.expect_exact("Making leaflets")
    child.expect_exact("Making the print file")
    child.expect(r"Written 3, skipped 0, failed 0, in [0-9.]+ s\.")
    child.expect(r"Print file print.pdf: \d+ pages")
    child.expect(pexpect.EOF)
    child = spawn(["batch", "patients.csv", "--print-file", "print.pdf", "-q"], workdir)
    child.expect(pexpect.EOF)
    assert "Making" not in child.before
    assert "Written 0, skipped 3, failed 0" in child.before


def test_a_killed_merge_leaves_no_print_file_and_the_next_one_clears_up(workdir):
    rows = "".join(f"Patient {i},fillers,ID{i},2026-11-21\n" for i in range(4))
    (workdir / "patients.csv").write_text("patient,procedures,patient_id,date\n" + rows, encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    subprocess.run([sys.executable, CLI, "batch", "patients.csv", "-q"], cwd=workdir, env=env, check=True)
    leaflets = sorted(str(p) for p in (workdir / "output").glob("*.pdf")) * 1000  # long enough to stop part-way
    command = [sys.executable, CLI, "merge", "print.pdf", *leaflets]
    process = subprocess.Popen(command, cwd=workdir, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.time() + 60
    while not list(workdir.glob(".print.pdf.*.part")) and time.time() < deadline:
        time.sleep(0.01)
    process.kill()
    process.wait()
    assert list(workdir.glob(".print.pdf.*.part")), "the merge was not stopped part-way"
    assert not (workdir / "print.pdf").exists()
    result = subprocess.run(command[:5], cwd=workdir, env=env, capture_output=True, text=True, timeout=60)
    assert result.stdout.startswith("Print file print.pdf: "), result.stderr
    assert not list(workdir.glob(".*.part"))


def test_two_merges_into_one_print_file_both_finish(workdir):
    """The second does not take the first's half-written file for a killed run's."""
    rows = "".join(f"Patient {i},fillers,ID{i},2026-11-21\n" for i in range(4))
    (workdir / "patients.csv").write_text("patient,procedures,patient_id,date\n" + rows, encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    subprocess.run([sys.executable, CLI, "batch", "patients.csv", "-q"], cwd=workdir, env=env, check=True)
    leaflets = sorted(str(p) for p in (workdir / "output").glob("*.pdf"))
    first = subprocess.Popen([sys.executable, CLI, "merge", "print.pdf", *leaflets * 1000], cwd=workdir, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 60
    while not list(workdir.glob(".print.pdf.*.part")) and time.time() < deadline:
        time.sleep(0.01)
    second = subprocess.run([sys.executable, CLI, "merge", "print.pdf", leaflets[0]], cwd=workdir, env=env,
                            capture_output=True, text=True, timeout=60)
    assert second.returncode == 0, second.stderr
    out, err = first.communicate(timeout=120)
    assert first.returncode == 0, err
    pages = len(PdfReader(workdir / "print.pdf").pages)
    one = len(PdfReader(leaflets[0]).pages)
    assert pages in (one + one % 2, 4000 * (one + one % 2))  # whichever finished last
    assert not list(workdir.glob(".*.part"))
