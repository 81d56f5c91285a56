"""The command line starts without the heavy libraries; each command loads what it uses."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("reportlab", "pypdf", "cryptography", "email_validator", "flask", "textstat", "jinja2")


def loaded_after(code: str) -> list[str]:
    """The heavy libraries a fresh interpreter holds after running `code` in the project folder."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}})))"
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    modules = json.loads(done.stdout.splitlines()[-1])
    return [name for name in HEAVY if name in modules]


def test_import_cli_loads_neither_reportlab_nor_pypdf():
    assert loaded_after("import cli") == []


def test_version_help_and_procedures_load_no_heavy_library():
    for args in (["--version"], ["--help"], ["procedures"], ["make", "--help"]):
        code = f"import cli\ntry:\n    cli.cli.main({args!r}, prog_name='handouts')\nexcept SystemExit as exit:\n" \
               "    assert not exit.code, exit.code"
        assert loaded_after(code) == [], args


def test_procedures_still_reports_broken_content(run, tmp_path):
    content = tmp_path / "content.toml"
    content.write_text("[leaflet\n", encoding="utf-8")
    result = run("procedures", "--content", str(content))
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {content}:1:")
