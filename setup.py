"""Packs the shipped clinic content into the package as handouts/defaults/.

The repository keeps one copy of content.toml and templates/ at its top level,
where the Quick start runs and where they are edited. A wheel or a plain
`pip install .` carries a copy inside the package, so `handouts init` works
from any folder; an editable install reads them from the source tree instead
(handouts/folder.py). Everything else about the build is in pyproject.toml.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent


class build_py_with_defaults(build_py):
    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):  # setuptools 64+
            return
        target = Path(self.build_lib) / "handouts" / "defaults"
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        shutil.copy2(HERE / "content.toml", target / "content.toml")
        shutil.copytree(HERE / "templates", target / "templates", ignore=shutil.ignore_patterns("__pycache__", ".*"))
        shutil.copytree(HERE / "translations", target / "translations")


setup(cmdclass={"build_py": build_py_with_defaults})
