"""What the desk shows and logs about a request: never a server's path, never a forged log line.

- A request's path is logged with its control characters escaped: a path
  holding %0a (a line break) cannot start a line of its own in the log.
- An error page names a file by its name only: absolute paths on the server
  (where the clinic folder is, whose home it is in) stay on the server.
"""

from __future__ import annotations

import re
import unicodedata

# An absolute path: /home/... (not the second slash of a URL), or C:\... on Windows.
_ABSOLUTE = re.compile(r"(?<![\w.:/\\])(?:/|[A-Za-z]:\\)(?:[^\s/\\:;,'\"()<>]+[/\\]?)*")


def printable(text: str) -> str:
    """`text` with every control character (line breaks, escape, ...) and backslash written as an escape."""
    return "".join(_escaped(char) for char in text)


def _escaped(char: str) -> str:
    if char == "\\":
        return "\\\\"
    if unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp"):
        code = ord(char)
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
    return char


def without_paths(message: str) -> str:
    """`message` with each absolute path replaced by the name of its file or folder."""
    return _ABSOLUTE.sub(lambda match: ([part for part in re.split(r"[/\\]", match[0]) if part] or ["/"])[-1],
                         message)
