"""Imports run down the layers (pyproject.toml's import-linter contract): base < leaflet < render < make <
deliver < batch and prompts < web. A module that imports upwards fails here, naming the import."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT


def test_imports_run_down_the_layers():
    # In its own process, from the project's folder, as a developer runs `lint-imports`.
    result = subprocess.run([sys.executable, "-c", "import sys; from importlinter.cli import lint_imports; "
                             "sys.exit(lint_imports(no_cache=True, no_logo=True))"],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Imports run down the layers KEPT" in result.stdout
