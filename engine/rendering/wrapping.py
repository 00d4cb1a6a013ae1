"""Text reports wrapped to a terminal's width, for a person reading them there.

Only for a terminal: the CLI wraps when stdout is one and never when it is a pipe or a file, so
what scripts and golden files read stays byte-identical whatever the window. The terminal would
wrap a long line anyway, but mid-word and back at the first column, which loses the indentation
that says what belongs to which criterion. Here a line is broken between words and its
continuation indented two columns past the line's own indentation (under the text after a
"✓ " or "- "). Colour escape codes take no columns, East Asian wide characters two; a word
longer than the line is left whole."""
from __future__ import annotations

import re
import unicodedata

_ESCAPE = re.compile(r"\x1b\[[0-9;]*m")
NARROWEST = 20  # below this, wrapping helps no one: lines are left to the terminal


def columns(text: str) -> int:
    """How many columns `text` takes on a terminal."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in _ESCAPE.sub("", text))


def wrap(text: str, width: int) -> str:
    """Every line of `text` no wider than `width` where its words allow."""
    if width < NARROWEST:
        return text
    return "\n".join(line for original in text.split("\n") for line in _wrap_line(original, width))


def _wrap_line(line: str, width: int) -> list[str]:
    if columns(line) <= width:
        return [line]
    body = line.lstrip(" ")
    hanging = " " * (len(line) - len(body) + 2)
    if columns(hanging) >= width // 2:  # so deep that continuations would hold a word or two
        hanging = "  "
    lines, current = [], line[:len(line) - len(body)]
    start = len(current)
    for word in body.split(" "):
        if len(current) > start and columns(current) + 1 + columns(word) > width:
            lines.append(current)
            current, start = hanging + word, len(hanging)
        else:
            current += (" " if len(current) > start else "") + word
    lines.append(current)
    return lines
