"""Rooms a newcomer can read (issue 19, section 4): no module over 400 lines (cli.py, the command line's
entry point, 450) and no function over 60, so each can be read in one sitting."""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import ROOT

MODULE_LINES = 400
ENTRY_POINT_LINES = 450
FUNCTION_LINES = 60


def sources() -> list[Path]:
    return [ROOT / "cli.py", *sorted((ROOT / "handouts").rglob("*.py")), *sorted((ROOT / "tools").rglob("*.py")),
            *sorted((ROOT / "benchmarks").rglob("*.py"))]


def test_no_module_is_too_long_to_read_in_one_sitting():
    too_long = {}
    for path in sources():
        lines = path.read_text(encoding="utf-8").count("\n")
        if lines > (ENTRY_POINT_LINES if path == ROOT / "cli.py" else MODULE_LINES):
            too_long[str(path.relative_to(ROOT))] = lines
    assert too_long == {}


def test_no_function_is_longer_than_a_screen_or_two():
    too_long = {}
    for path in sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = node.end_lineno - node.lineno + 1
                if lines > FUNCTION_LINES:
                    too_long[f"{path.relative_to(ROOT)}:{node.lineno} {node.name}"] = lines
    assert too_long == {}


def test_the_readme_map_names_every_module():
    # README's "For developers" is the map a newcomer reads first: a module missing from it is a room off the map.
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## For developers"):]
    section = section[: section.find("\n## ", 5)] if "\n## " in section[5:] else section
    modules = [path for path in (ROOT / "handouts").rglob("*.py")
               if path.name != "__init__.py" or path.read_text(encoding="utf-8").count("\n") > 10]
    names = [path.name for path in modules] + ["cli.py"]
    missing = sorted({name for name in names if section.count(f"`{name}`") < names.count(name)})
    assert missing == []
