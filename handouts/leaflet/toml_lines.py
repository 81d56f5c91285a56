"""Finding where a key is in a TOML file, so a problem can name its line: tomllib keeps no positions."""

from __future__ import annotations

import re


class Locator:
    """Finds the line of a dotted key in TOML text (tomllib keeps no positions)."""

    _HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")

    def __init__(self, text: str):
        self.lines = text.splitlines()
        self.headers: dict[tuple[str, ...], int] = {}
        for number, line in enumerate(self.lines, 1):
            match = self._HEADER.match(line)
            if match:
                parts = tuple(p.strip().strip("\"'") for p in match[1].split("."))
                self.headers.setdefault(parts, number)

    def line(self, keys: tuple[str, ...], item: int = 0) -> int | None:
        """The key's line; with `item`, the line of that list item (one item a line)."""
        found = self._line(keys)
        if found and item and self.lines[found - 1].rstrip().endswith("["):
            lines = [n for n in range(found + 1, len(self.lines) + 1)
                     if self.lines[n - 1].strip() and not self.lines[n - 1].strip().startswith("#")]
            return lines[item - 1] if item <= len(lines) else found
        return found

    def _line(self, keys: tuple[str, ...]) -> int | None:
        for depth in range(len(keys), -1, -1):
            start = self.headers.get(keys[:depth]) if depth else 0
            if start is None:
                continue
            if depth < len(keys):
                found = self._key_line(start, keys[depth])
                if found:
                    return found
            return start or None
        return None

    def _key_line(self, start: int, key: str) -> int | None:
        pattern = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=")
        for number in range(start + 1, len(self.lines) + 1):
            line = self.lines[number - 1]
            if self._HEADER.match(line):
                return None
            if pattern.match(line):
                return number
        return None
