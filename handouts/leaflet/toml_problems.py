"""A content.toml that is not valid TOML, said in plain words: where, and for the two mistakes people make
(quotes a word processor turned curly, and a text in quotes never closed) what to do."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")
_CURLY_QUOTES = "“”‘’„‚«»"


def toml_problem(path: Path, text: str, exc: tomllib.TOMLDecodeError) -> str:
    """tomllib's message, with line and column, and in plain words for the two mistakes people make:
    quotes a word processor turned curly, and a string never closed."""
    message = str(exc)
    match = _TOML_POSITION.search(message)
    if not match:
        opened, quote = _unclosed_multiline(text)
        if opened and ("Unterminated string" in message or message.startswith("Expected")):
            return (f"{path}:{opened}: not valid TOML: line {opened} opens a text with {quote} that is never "
                    f"closed; end it with {quote}")
        return f"{path}: not valid TOML: {message}"
    line, column = int(match[1]), int(match[2])
    reason = message[: match.start()]
    line_text = (text.splitlines() or [""])[min(line, len(text.splitlines()) or 1) - 1]
    unclosed = reason.startswith("Illegal character '\\n'")
    at = line_text[column - 1: column]
    curly = at if at and at in _CURLY_QUOTES else \
        next((c for c in line_text if c in _CURLY_QUOTES), "") if unclosed else ""
    if curly:
        column = line_text.index(curly) + 1 if at != curly else column
        return (f'{path}:{line}:{column}: not valid TOML: line {line} has a curly quote {curly} — use '
                'straight quotes " (a word processor may have typed it)')
    if unclosed:
        return (f'{path}:{line}:{column}: not valid TOML: line {line} has a text in quotes that is not closed; '
                'end it with " on the same line, or put text over several lines between """ and """')
    return f"{path}:{line}:{column}: not valid TOML: {reason[0].lower()}{reason[1:]}"


def _unclosed_multiline(text: str) -> tuple[int | None, str | None]:
    """The line of a \"\"\" (or \'\'\') that opens a text never closed, if any."""
    opened, quote = None, None
    for number, line in enumerate(text.splitlines(), 1):
        position = 0
        while True:
            found = [(line.find(q, position), q) for q in ((quote,) if quote else ('"""', "\'\'\'"))]
            found = [(i, q) for i, q in found if i >= 0]
            if not found:
                break
            index, which = min(found)
            opened, quote = (None, None) if quote else (number, which)
            position = index + 3
    return opened, quote
