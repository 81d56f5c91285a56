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


def test_no_module_imports_itself_through_others():
    # grimp is the import graph import-linter reads; a cycle is a set of modules each reachable from the others.
    result = subprocess.run([sys.executable, "-c", CYCLES], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "[]\n", f"import cycles: {result.stdout}"


CYCLES = """
import grimp
graph = grimp.build_graph("handouts", cache_dir=None)
imports = {module: graph.find_modules_directly_imported_by(module) for module in graph.modules}
cycles = set()
for module in imports:
    for other in imports[module]:
        if graph.chain_exists(importer=other, imported=module):
            cycles.add(tuple(sorted((module, other))))
print(sorted(cycles))
"""
