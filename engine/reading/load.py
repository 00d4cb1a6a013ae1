"""Stage 1, load: YAML or JSON text into plain data, remembering where every value was written.

Loading is strict so that what a person wrote is what the engine reads:
- safe YAML only, read with the YAML 1.2 core scalars: `NO`, `yes` and `on` stay strings,
  `010` is ten, `1:20` and unquoted dates stay strings (dates are checked as ISO strings later);
- duplicate keys, aliases, custom tags and several documents per file are errors, and so are
  characters YAML forbids (NUL, ESC and other controls), in JSON too;
- size, nesting depth, values, entries in one list or mapping and the length of text are
  bounded, and checked while reading, at the value that crosses the bound: hostile input fails
  fast and small, whatever it holds after that.
YAML is read event by event from libyaml's parser, straight into plain data. Both take a fast
path (YAML: events read without places; JSON: orjson, checked in its own output), are checked against the same
bounds, and re-read themselves with positions only when a later stage needs to point at a value. This module reads files; `yaml_text` and
`json_text` read text, into the `Document` of `document`."""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

from engine.common.errors import LadderError
from engine.reading.document import MAX_CHARS, MAX_DEPTH, MAX_ENTRIES, MAX_FILE_BYTES, MAX_NODES, Document, JsonPath, check_characters
from engine.reading.json_text import load_json_text
from engine.reading.yaml_text import load_yaml_text

__all__ = ["MAX_CHARS", "MAX_DEPTH", "MAX_ENTRIES", "MAX_FILE_BYTES", "MAX_NODES", "Document", "JsonPath", "check_characters",
           "decode", "iter_json_lines", "load_bytes", "load_file", "load_json_text", "load_yaml_text", "read_bytes"]


def load_file(path: str | Path, display: str | None = None) -> Document:
    """Read a `.yaml`/`.yml`/`.json` file; raise LadderError with file:line:col on any problem."""
    path = Path(path)
    source = display or str(path)
    return load_bytes(read_bytes(path, source), source, path.suffix)


def load_bytes(raw: bytes, source: str, suffix: str) -> Document:
    """A file's bytes as `load_file` reads them: JSON for a `.json` suffix, YAML otherwise (a
    promotion cycle re-reads the packets it froze this way, years later)."""
    text = decode(raw, source)
    if suffix.lower() == ".json":
        return load_json_text(text, source)
    return load_yaml_text(text, source)


def read_bytes(path: Path, source: str) -> bytes:
    """A file's bytes, refused (LadderError) past MAX_FILE_BYTES or when it cannot be read."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise LadderError.one(source, 1, 1, f"file is {size} bytes; the limit is {MAX_FILE_BYTES}: split it", "load.too-large")
        raw = path.read_bytes()
    except FileNotFoundError:
        raise LadderError.one(source, 1, 1, "no such file", "load.missing") from None
    except IsADirectoryError:
        raise LadderError.one(source, 1, 1, "is a directory, not a file", "load.is-directory") from None
    except OSError as e:
        raise LadderError.one(source, 1, 1, f"cannot read: {e.strerror}", "load.unreadable") from None
    return raw


def decode(raw: bytes, source: str) -> str:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        col = e.start - (raw.rfind(b"\n", 0, e.start) + 1) + 1
        raise LadderError.one(source, line, col, "is not UTF-8 text: save the file as UTF-8", "load.encoding") from None
    if not text.strip():
        raise LadderError.one(source, 1, 1, "file is empty", "load.empty")
    return text


def iter_json_lines(path: Path) -> Iterator[tuple[int, str]]:
    """(line number, text) of each non-blank line of a JSON Lines file; bytes that are not
    UTF-8 come back as surrogates, which `load_json_text` reports at their place. A line is
    read up to one byte past `MAX_FILE_BYTES` and the rest of it skipped, so a file of one
    huge line is refused at that line without being held in memory; a UTF-8 byte-order mark
    at the start is dropped, as for a `.json` file."""
    with open(path, "rb") as handle:
        number = 0
        while raw := handle.readline(MAX_FILE_BYTES + 1):
            number += 1
            if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            if len(raw) > MAX_FILE_BYTES and not raw.endswith(b"\n"):
                while (rest := handle.readline(MAX_FILE_BYTES)) and not rest.endswith(b"\n"):
                    pass  # the over-long line's remainder: read past, never kept
            if raw.strip():
                yield number, raw.decode("utf-8", errors="surrogateescape")
