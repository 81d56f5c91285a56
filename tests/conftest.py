"""Shared fixtures: the real content and templates, a CLI runner, PDF reading."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content.toml"
TEMPLATES = ROOT / "templates"

import cli as cli_module  # noqa: E402  (cli.py lives at the project root)

# The day every test runs on, whatever the calendar says: the engine reads it (handouts/clock.py), and so does
# every process a test starts, which inherits it. Appointments and review dates in the tests are judged against
# it, so the suite passes in any year.
TODAY = dt.date(2026, 11, 21)
os.environ["HANDOUTS_TODAY"] = TODAY.isoformat()


def without_settings(environment) -> dict:
    """`environment` without the clinic's HANDOUTS_ settings, keeping the tests' fixed day."""
    return {k: v for k, v in environment.items() if not k.startswith("HANDOUTS_") or k == "HANDOUTS_TODAY"}


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture
def run(runner, tmp_path, monkeypatch):
    """Run the CLI in a scratch folder holding the real content and templates."""
    shutil.copy(CONTENT, tmp_path / "content.toml")
    shutil.copytree(TEMPLATES, tmp_path / "templates")
    monkeypatch.chdir(tmp_path)
    for name in set(os.environ) - set(without_settings(os.environ)):
        monkeypatch.delenv(name)

    def invoke(*args, **kwargs):
        return runner.invoke(cli_module.cli, list(args), prog_name="handouts", **kwargs)

    return invoke


@pytest.fixture
def clinic(run):
    """The scratch clinic folder of `run`, with the shipped translations beside content.toml."""
    shutil.copytree(ROOT / "translations", Path("translations"))
    return run


@pytest.fixture(scope="module")
def content():
    """The shipped content, loaded once for a test module."""
    from handouts.leaflet.content_reader import load_content

    return load_content(CONTENT)


@pytest.fixture(scope="module")
def wording():
    """The shipped templates, loaded once for a test module."""
    from handouts.leaflet.wording import Wording

    return Wording(TEMPLATES)


@pytest.fixture
def content_file(tmp_path):
    """A copy of content.toml to break, with the logo beside it."""
    shutil.copytree(TEMPLATES, tmp_path / "templates", dirs_exist_ok=True)
    path = tmp_path / "content.toml"
    shutil.copy(CONTENT, path)
    return path


def pdf_pages(path) -> list[str]:
    return [page.extract_text() for page in PdfReader(path).pages]


def pdf_text(path) -> str:
    return "\n".join(pdf_pages(path))


def flat(text: str) -> str:
    """Text with line breaks folded, so wrapped sentences can be matched."""
    return " ".join(text.split())


def line_of(path: Path, text: str) -> int:
    """The number of the first line of `path` that holds `text`."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, 1) if text in line)


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
