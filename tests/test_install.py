"""A clinic folder anyone can set up (handouts init), and a plain install that works from any folder."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path


from conftest import CONTENT, ROOT, TEMPLATES, flat, pdf_text, without_settings

INIT_HINT = "work in a clinic folder (make one with 'handouts init FOLDER'), or pass"


def test_init_makes_a_clinic_folder_that_works(run, tmp_path):
    os.chdir(tmp_path / "templates")  # anywhere but a clinic folder
    result = run("init", "../clinic")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "../clinic/content.toml", "../clinic/templates/", "../clinic/translations/",
        "../clinic/output/", "../clinic/README.txt",
        "Next: cd ../clinic, put the clinic's details in content.toml, then run 'handouts check'.",
        "Change these first: the clinic's name, phone, email and website in content.toml ([clinic]) and its logo "
        "(templates/brand/logo.png) are still the sample's."]
    clinic = tmp_path / "clinic"
    assert (clinic / "content.toml").read_bytes() == CONTENT.read_bytes()
    shipped = sorted(p.relative_to(TEMPLATES) for p in TEMPLATES.rglob("*") if p.is_file())
    assert sorted(p.relative_to(clinic / "templates") for p in (clinic / "templates").rglob("*") if p.is_file()) \
        == shipped
    assert list((clinic / "output").iterdir()) == []
    readme = (clinic / "README.txt").read_text(encoding="utf-8")
    for command in ("handouts check", "handouts make", "handouts serve", "content.toml", "templates/"):
        assert command in readme
    assert not [p for p in clinic.iterdir() if p.name.startswith(".")]

    os.chdir(clinic)
    assert run("check").exit_code == 0
    made = run("make", "-p", "Sam Sample", "--procedure", "subcision", "--date", "03/12/2026")
    assert made.exit_code == 0, made.output
    assert "Prepared for Sam Sample on 3 December 2026" in flat(pdf_text("output/2026-12-03-sam-sample.pdf"))


def test_init_never_replaces_a_clinics_files(run, tmp_path):
    (tmp_path / "new").mkdir()
    assert run("init", "new").exit_code == 0  # an existing empty folder is fine
    again = run("init", "new")
    assert again.exit_code == 1
    assert again.output == ("Error: new/content.toml already exists; handouts init never replaces a clinic's files "
                            "(choose a new folder, or move it away first)\n")
    here = run("init", ".")  # the test folder already holds content.toml and templates/
    assert here.exit_code == 1 and "content.toml already exists" in here.output
    Path("a-file").write_text("x")
    assert run("init", "a-file").output.endswith("Error: Invalid value for 'FOLDER': Directory 'a-file' is a file.\n")
    assert run("init", "a-file/clinic").output == (
        "Error: cannot make the clinic folder a-file/clinic: Not a directory\n")


def test_outside_a_clinic_folder_every_command_says_where_it_looked(run, tmp_path):
    os.chdir(tmp_path / "templates" / "brand")
    made = run("make", "-p", "Ann", "--procedure", "fillers")
    assert made.exit_code == 1
    assert made.output == (f"Error: content.toml: content file not found in {Path.cwd()}; {INIT_HINT} --content PATH "
                           "or set HANDOUTS_CONTENT\n")
    assert run("procedures").output == made.output
    checked = run("check")
    assert checked.output.splitlines()[0] == (f"content.toml: content file not found in {Path.cwd()}; {INIT_HINT} "
                                              "--content PATH or set HANDOUTS_CONTENT")


# -- a wheel in a fresh virtual environment ------------------------------------------------

SOURCE_IGNORED = shutil.ignore_patterns(".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", "output",
                                        "tests", "docs", "benchmarks", ".axe")


def _run(command, **kwargs):
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, **kwargs)
    assert result.returncode == 0, f"{command}\n{result.stdout}\n{result.stderr}"
    return result


def test_a_wheel_works_from_any_folder_in_a_fresh_venv(tmp_path):
    """About 20 s: builds the wheel from a copy of the source, installs it in a new venv, then
    `handouts init clinic && cd clinic && handouts make ...` as the README says.

    The venv sees the packages of the Python running the tests (a path file naming its site-packages,
    which works whether that Python is a venv or not), so nothing is downloaded; the build uses the
    setuptools already installed (--no-build-isolation)."""
    source = tmp_path / "source"
    shutil.copytree(ROOT, source, ignore=SOURCE_IGNORED)
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-q",
          "-w", str(tmp_path / "dist"), str(source)])
    (wheel,) = (tmp_path / "dist").glob("handouts-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for packaged in ("cli.py", "handouts/defaults/content.toml", "handouts/defaults/templates/leaflet.html.j2",
                     "handouts/defaults/templates/brand/logo.png", "handouts/defaults/translations/es.toml",
                     "handouts/defaults/templates/locale/es.po", "handouts/render/fonts/DejaVuSans.ttf",
                     "handouts/web/templates/new.html", "handouts/web/static/style.css"):
        assert packaged in names

    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", str(venv)])
    bin_dir = venv / ("Scripts" if os.name == "nt" else "bin")
    site_packages = _run([str(bin_dir / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]
                         ).stdout.strip()
    # Plain folder lines, after the venv's own: the wheel's handouts comes first, and this Python's .pth files
    # (an editable install of this source tree among them) are not run.
    outer = dict.fromkeys(sysconfig.get_paths()[key] for key in ("purelib", "platlib"))
    Path(site_packages, "outer-packages.pth").write_text("".join(f"{folder}\n" for folder in outer))
    _run([str(bin_dir / "python"), "-m", "pip", "install", "--no-deps", "--no-index", "-q", str(wheel)])
    env = {k: v for k, v in without_settings(os.environ).items() if not k.startswith("PYTHON")}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env['PATH']}"
    where = _run([str(bin_dir / "python"), "-c", "import handouts; print(handouts.__file__)"], env=env,
                 cwd=tmp_path).stdout
    assert Path(where.strip()).is_relative_to(venv)  # the wheel's copy, not this source tree

    home = tmp_path / "somewhere"
    home.mkdir()
    _run(["handouts", "init", "clinic"], cwd=home, env=env)
    clinic = home / "clinic"
    made = _run(["handouts", "make", "--patient", "Sam Sample", "--procedure", "subcision", "--date", "03/12/2026",
                 "--appointment", "10/12/2026 10:30"], cwd=clinic, env=env)
    assert made.stdout == "output/2026-12-03-sam-sample.pdf\n"
    text = flat(pdf_text(clinic / "output/2026-12-03-sam-sample.pdf"))
    assert "Prepared for Sam Sample on 3 December 2026" in text
    assert "Your first appointment: Thursday 10 December 2026 at 10:30" in text
    assert "Usage: handouts serve" in _run(["handouts", "serve", "--help"], cwd=clinic, env=env).stdout
    web = _run([str(bin_dir / "python"), "-c", "import handouts.web.app as app; print(app.__file__)"], env=env,
               cwd=clinic).stdout
    assert (Path(web.strip()).parent / "templates" / "new.html").is_file()
    outside = subprocess.run(["handouts", "procedures"], cwd=home, env=env, capture_output=True, text=True)
    assert outside.returncode == 1 and "make one with 'handouts init FOLDER'" in outside.stderr


# -- the Quick start: its own venv, from a clean copy of the source ----------------------------------

def quick_start() -> list[str]:
    """The README's Quick start commands, as a reader copies them."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("## Quick start", 1)[1].split("```console\n", 1)[1].split("```", 1)[0]
    return block.splitlines()


def test_the_quick_start_is_two_commands_and_ci_runs_the_second_exactly():
    first, second = quick_start()
    assert first.startswith("python3 -m venv .venv && .venv/bin/python -m pip install -e . && .venv/bin/handouts make ")
    assert second == "python3 -m venv .venv && .venv/bin/python -m pip install -e '.[test]' && .venv/bin/python -m pytest"
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert ci[-1] == second


def test_the_quick_starts_venv_works_twice_and_makes_the_sample(tmp_path):
    """The first Quick start command in a fresh copy of the source, offline: the venv made twice (the second
    command makes it again), handouts installed in it editable, and the sample made by .venv/bin/handouts
    in a shell that activated nothing."""
    import shlex

    source = tmp_path / "source"
    shutil.copytree(ROOT, source, ignore=SOURCE_IGNORED)
    (source / "output").mkdir()
    first, _ = quick_start()
    make_venv, install, make = (shlex.split(part) for part in first.split(" && "))
    assert make_venv == ["python3", "-m", "venv", ".venv"] and install[:4] == [".venv/bin/python", "-m", "pip",
                                                                                 "install"]
    _run([sys.executable, *make_venv[1:]], cwd=source)
    python = source / ".venv" / "bin" / "python"
    site_packages = _run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]
                         ).stdout.strip()
    outer = dict.fromkeys(sysconfig.get_paths()[key] for key in ("purelib", "platlib"))
    Path(site_packages, "outer-packages.pth").write_text("".join(f"{folder}\n" for folder in outer))
    _run([sys.executable, *make_venv[1:]], cwd=source)  # again, as the second command does: harmless
    assert Path(site_packages, "outer-packages.pth").is_file()
    _run([str(python), *install[1:], "--no-deps", "--no-index", "--no-build-isolation", "-q"], cwd=source)
    env = {k: v for k, v in without_settings(os.environ).items() if not k.startswith("PYTHON")}
    env["PATH"] = "/usr/bin:/bin"  # nothing activated: .venv/bin is not on the PATH
    made = _run(make, cwd=source, env=env)
    assert made.stdout == "output/2026-11-21-sam-sample.pdf\n"
    text = flat(pdf_text(source / "output/2026-11-21-sam-sample.pdf"))
    assert "Prepared for Sam Sample by Dr Ana Silva on 21 November 2026" in text
    where = _run([str(python), "-c", "import handouts; print(handouts.__file__)"], cwd=tmp_path, env=env).stdout
    assert Path(where.strip()).is_relative_to(source)  # the copy's own source, installed editable


# -- starting the desk each morning: the systemd user unit ------------------------------------------

UNIT = ROOT / "docs" / "clinic" / "handouts-desk.service"


def test_the_systemd_unit_starts_the_desk_in_the_clinic_folder_and_stops_it_cleanly(tmp_path):
    """What systemd would do with the unit, done by hand (no user systemd runs here): `systemd-analyze --user
    verify` where it is installed, then ExecStart run in WorkingDirectory with the unit's umask, and stopped
    with its KillSignal."""
    import signal
    import time

    home = tmp_path / "home"
    (home / ".local" / "bin").mkdir(parents=True)
    wrapper = home / ".local" / "bin" / "handouts"
    wrapper.write_text(f"#!/bin/sh\nexec {sys.executable} {ROOT / 'cli.py'} \"$@\"\n")
    wrapper.chmod(0o755)
    clinic = home / "clinic"
    shutil.copytree(TEMPLATES, clinic / "templates")
    shutil.copy(CONTENT, clinic / "content.toml")
    from test_serve import add_manager

    add_manager(clinic)
    settings = dict(line.split("=", 1) for line in UNIT.read_text().splitlines() if "=" in line and
                    not line.startswith("#"))
    assert settings["WantedBy"] == "default.target" and settings["KillSignal"] == "SIGINT"
    if shutil.which("systemd-analyze"):
        runtime = tmp_path / "runtime"
        runtime.mkdir(mode=0o700)
        checked = subprocess.run(["systemd-analyze", "--user", "verify", str(UNIT)], capture_output=True, text=True,
                                 env={"HOME": str(home), "XDG_RUNTIME_DIR": str(runtime), "PATH": "/usr/bin:/bin"})
        assert checked.returncode == 0 and checked.stderr == "", checked.stderr
    # Any free port: other desks may be running on this machine's 8000.
    command = settings["ExecStart"].replace("%h", str(home)).split() + ["--port", "0"]
    folder = settings["WorkingDirectory"].replace("%h", str(home))
    env = {k: v for k, v in without_settings(os.environ).items() if not k.startswith("PYTHON")}
    env["PYTHONPATH"] = str(ROOT)
    log = tmp_path / "desk.out"
    with open(log, "w") as out:
        desk = subprocess.Popen(command, cwd=folder, stdout=out, stderr=subprocess.STDOUT, env=env,
                                preexec_fn=lambda: os.umask(int(settings["UMask"], 8)))
    try:
        deadline = time.monotonic() + 60
        while "The front desk is open at http://127.0.0.1:" not in log.read_text():
            assert desk.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.05)
    finally:
        desk.send_signal(getattr(signal, settings["KillSignal"]))
        assert desk.wait(timeout=30) == 0, log.read_text()
