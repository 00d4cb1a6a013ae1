"""What every reader of YAML and JSON shares: the loaded `Document` with the place of every
value, the bounds on input (checked while reading, at the value that crosses one), and the
characters no file may hold."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable

from engine.common.errors import Diagnostic, LadderError

MAX_FILE_BYTES = 8 * 1024 * 1024
MAX_DEPTH = 32
MAX_NODES = 100_000
# No schema allows more entries in a list or mapping (a packet's 2,000 evidence records) nor
# longer text (a record's 10,000-character notes); tests/reading/test_limits.py keeps it so.
MAX_ENTRIES = 2_000
MAX_CHARS = 100_000

JsonPath = tuple  # of str keys and int indexes, like jsonschema's absolute_path




@dataclass
class Document:
    """Data read from one file (or one JSON Lines line), with the place of every value."""

    source: str
    data: Any
    marks: dict[JsonPath, tuple[int, int]] | None = None
    key_marks: dict[JsonPath, tuple[int, int]] = field(default_factory=dict)
    _remark: Callable[[], tuple[dict, dict]] | None = None

    def at(self, path: JsonPath, key: bool = False) -> tuple[int, int]:
        """1-based (line, col) of the value at `path` (or of its key), else its nearest parent."""
        if self.marks is None:
            self.marks, self.key_marks = self._remark() if self._remark else ({}, {})
        path = tuple(path)
        if key and path in self.key_marks:
            return self.key_marks[path]
        while path not in self.marks and path:
            path = path[:-1]
        return self.marks.get(path, (1, 1))

    def diag(self, path: JsonPath, message: str, code: str, level: str = "error", key: bool = False) -> Diagnostic:
        line, col = self.at(path, key=key)
        return Diagnostic(self.source, line, col, message, code, level)


SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
SURROGATE = re.compile("[\ud800-\udfff]")
HALF_PAIR = "holds half of a surrogate pair (\\ud800-\\udfff), which is no character on its own: write the whole pair, or remove it"


def too_many() -> str:
    return f"more than {MAX_ENTRIES} entries in one list or mapping: the limit is {MAX_ENTRIES}, remove the rest"


def too_long(length: int) -> str:
    return f"text of {length} characters: the limit is {MAX_CHARS}; shorten it"


# ---------------------------------------------------------------------------------- characters

# What YAML allows in a stream (YAML 1.1, 5.1, as PyYAML and libyaml check it): tab, line
# breaks, printable ASCII, NEL, and the rest of Unicode but the C1 controls, surrogates,
# U+FFFE and U+FFFF. JSON is held to the same, so a file says the same in either form.
_FORBIDDEN = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_NAMES = {0x00: "NUL", 0x07: "BEL", 0x08: "backspace", 0x0B: "vertical tab", 0x0C: "form feed", 0x1B: "ESC", 0x7F: "DEL"}


def check_characters(text: str, source: str, line_offset: int = 0) -> None:
    """LadderError at the first character no YAML file may hold (a NUL, an escape, ...).

    A surrogate stands for a byte that was not UTF-8 (JSON Lines are decoded with
    `surrogateescape`, so a bad byte is reported at its place, not silently replaced)."""
    found = _FORBIDDEN.search(text)
    if found is None:
        return
    index = found.start()
    line = text.count("\n", 0, index) + 1 + line_offset
    col = index - (text.rfind("\n", 0, index) + 1) + 1
    point = ord(found.group())
    if 0xD800 <= point <= 0xDFFF:
        raise LadderError.one(source, line, col, "is not UTF-8 text: save the file as UTF-8", "load.encoding")
    what = f"U+{point:04X}" + (f" ({_NAMES[point]})" if point in _NAMES else "")
    kind = "a noncharacter" if point in (0xFFFE, 0xFFFF) else "a control character"
    raise LadderError.one(source, line, col, f"{what} is {kind}, which a packet or rule file may not hold: delete it "
                          f"(to put it in a value, write the escape \\u{point:04x} inside double quotes)", "load.character")
