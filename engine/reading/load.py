"""Stage 1, load: YAML or JSON text into plain data, remembering where every value was written.

Loading is strict so that what a person wrote is what the engine reads:
- safe YAML only, read with the YAML 1.2 core scalars: `NO`, `yes` and `on` stay strings,
  `010` is ten, `1:20` and unquoted dates stay strings (dates are checked as ISO strings later);
- duplicate keys, aliases, custom tags and several documents per file are errors, and so are
  characters YAML forbids (NUL, ESC and other controls), in JSON too;
- size, nesting depth, values, entries in one list or mapping and the length of text are
  bounded, and checked while reading, at the value that crosses the bound: hostile input fails
  fast and small, whatever it holds after that.
YAML is read event by event from libyaml's parser, straight into plain data. JSON takes a fast
path (the C decoder), is checked against the same bounds, and re-reads itself with positions
only when a later stage needs to point at a value."""
from __future__ import annotations

import bisect
import json
import json.decoder
import json.scanner
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

import yaml

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


def load_file(path: str | Path, display: str | None = None) -> Document:
    """Read a `.yaml`/`.yml`/`.json` file; raise LadderError with file:line:col on any problem."""
    path = Path(path)
    source = display or str(path)
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
    text = decode(raw, source)
    if path.suffix.lower() == ".json":
        return load_json_text(text, source)
    return load_yaml_text(text, source)


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


# ---------------------------------------------------------------------------------------- YAML

class _PurePythonParser(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser):
    """PyYAML's own parser, for a PyYAML built without libyaml: the same events, more slowly."""

    def __init__(self, text: str):
        yaml.reader.Reader.__init__(self, text)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)


try:
    # libyaml's parser: about twenty times faster than PyYAML's own, which is what lets an
    # oversized file be refused in a fraction of a second rather than after tens.
    from yaml.cyaml import CParser as _Parser
except ImportError:
    _Parser = _PurePythonParser


class _Problem(Exception):
    def __init__(self, mark: yaml.Mark | None, message: str, code: str):
        self.mark, self.message, self.code = mark, message, code


# YAML 1.2 core-schema scalars: by the first character of a plain scalar, the tags it may have.
_CORE_SCALARS = [
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", list("~nN") + [""]),
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", list("tTfF")),
    ("tag:yaml.org,2002:int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", list("-+0123456789")),
    ("tag:yaml.org,2002:float", r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$", list("-+.0123456789")),
]
_RESOLVERS: dict[str, list[tuple[str, re.Pattern]]] = {}
for _tag, _pattern, _first in _CORE_SCALARS:
    for _character in _first:
        _RESOLVERS.setdefault(_character, []).append((_tag, re.compile(_pattern)))

_STR, _MAP, _SEQ = "tag:yaml.org,2002:str", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"


def _resolve(value: str, plain: bool) -> str:
    """The tag of an untagged scalar: quoted ones are text; plain ones as the core schema says."""
    if plain:
        for tag, pattern in _RESOLVERS.get(value[:1], ()):
            if pattern.match(value):
                return tag
    return _STR


def _scalar(tag: str, value: str, mark: yaml.Mark) -> Any:
    if tag == _STR:
        return value
    if tag == "tag:yaml.org,2002:null":
        return None
    if tag == "tag:yaml.org,2002:bool":
        if value.lower() in ("true", "false"):
            return value.lower() == "true"
    elif tag == "tag:yaml.org,2002:int":
        try:
            if value.startswith(("0o", "0x")):
                return int(value[2:], 8 if value[1] == "o" else 16)
            return int(value, 10)
        except ValueError:
            pass
    elif tag == "tag:yaml.org,2002:float":
        try:
            number = float(value)
            if number == number and abs(number) != float("inf"):
                return number
        except ValueError:
            pass
    else:
        raise _Problem(mark, f"tag {tag} is not supported: remove it", "load.tag")
    raise _Problem(mark, f"{value!r} is not a valid {tag.rsplit(':', 1)[-1]}", "load.scalar")


class _Reader:
    """Plain data from the parser's events, built as they come, so every limit is checked at
    the value that crosses it, before the rest of the file is read: no node tree is built."""

    def __init__(self, text: str):
        self.parser = _Parser(text)
        self.nodes = 0
        self.marks: dict[JsonPath, tuple[int, int]] = {}
        self.key_marks: dict[JsonPath, tuple[int, int]] = {}

    def document(self) -> tuple[bool, Any]:
        """(whether the file holds a document, its data)."""
        parser = self.parser
        parser.get_event()  # stream start
        if parser.check_event(yaml.StreamEndEvent):
            return False, None
        parser.get_event()  # document start
        data = self.value((), 1)
        parser.get_event()  # document end
        if not parser.check_event(yaml.StreamEndEvent):
            raise _Problem(parser.peek_event().start_mark, "holds several YAML documents (---): put one in each file", "load.syntax")
        return True, data

    def value(self, path: JsonPath, depth: int) -> Any:
        event = self.parser.get_event()
        mark = event.start_mark
        self.marks[path] = (mark.line + 1, mark.column + 1)
        self._count(event, depth)
        if isinstance(event, yaml.ScalarEvent):
            tag = _resolve(event.value, event.implicit[0]) if event.tag in (None, "!") else event.tag
            return _scalar(tag, self._text(event), mark)
        if isinstance(event, yaml.SequenceStartEvent):
            if event.tag not in (None, "!", _SEQ):
                raise _Problem(mark, f"tag {event.tag} is not supported: remove it", "load.tag")
            items: list = []
            while not self.parser.check_event(yaml.SequenceEndEvent):
                if len(items) == MAX_ENTRIES:
                    raise _Problem(self.parser.peek_event().start_mark, _too_many(), "load.too-large")
                items.append(self.value(path + (len(items),), depth + 1))
            self.parser.get_event()
            return items
        if event.tag not in (None, "!", _MAP):
            raise _Problem(mark, f"tag {event.tag} is not supported: remove it", "load.tag")
        result: dict[str, Any] = {}
        while not self.parser.check_event(yaml.MappingEndEvent):
            key_event = self.parser.get_event()
            key_mark = key_event.start_mark
            self._count(key_event, depth + 1)
            if len(result) == MAX_ENTRIES:
                raise _Problem(key_mark, _too_many(), "load.too-large")
            if not isinstance(key_event, yaml.ScalarEvent):
                raise _Problem(key_mark, "keys must be plain text", "load.key")
            key = self._text(key_event)
            if key in result:
                first = self.key_marks[path + (key,)]
                raise _Problem(key_mark, f"duplicate key {key!r} (first at line {first[0]}): keep one", "load.duplicate-key")
            self.key_marks[path + (key,)] = (key_mark.line + 1, key_mark.column + 1)
            result[key] = self.value(path + (key,), depth + 1)
        self.parser.get_event()
        return result

    def _count(self, event: yaml.Event, depth: int) -> None:
        if isinstance(event, yaml.AliasEvent):
            raise _Problem(event.start_mark, "aliases (*name) are not supported: write the value out in full", "load.alias")
        self.nodes += 1
        if depth > MAX_DEPTH:
            raise _Problem(event.start_mark, f"nested deeper than {MAX_DEPTH} levels", "load.too-deep")
        if self.nodes > MAX_NODES:
            raise _Problem(event.start_mark, f"more than {MAX_NODES} values in one file: split it", "load.too-large")

    @staticmethod
    def _text(event: yaml.ScalarEvent) -> str:
        if len(event.value) > MAX_CHARS:
            raise _Problem(event.start_mark, _too_long(len(event.value)), "load.too-large")
        if _SURROGATE.search(event.value):  # "\ud800": libyaml refuses it, PyYAML's parser does not
            raise _Problem(event.start_mark, _HALF_PAIR, "load.character")
        return event.value


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_HALF_PAIR = "holds half of a surrogate pair (\\ud800-\\udfff), which is no character on its own: write the whole pair, or remove it"


def _too_many() -> str:
    return f"more than {MAX_ENTRIES} entries in one list or mapping: the limit is {MAX_ENTRIES}, remove the rest"


def _too_long(length: int) -> str:
    return f"text of {length} characters: the limit is {MAX_CHARS}; shorten it"


def load_yaml_text(text: str, source: str) -> Document:
    check_characters(text, source)
    reader = _Reader(text)
    try:
        found, data = reader.document()
    except _Problem as p:
        line, col = (p.mark.line + 1, p.mark.column + 1) if p.mark else (1, 1)
        raise LadderError.one(source, line, col, p.message, p.code) from None
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        if "maximum nesting depth" in str(e.problem):  # libyaml's own bound, met while looking ahead
            raise LadderError.one(source, mark.line + 1, mark.column + 1, f"nested deeper than {MAX_DEPTH} levels", "load.too-deep") from None
        message = " ".join(part for part in (e.context, e.problem) if part)
        if mark and text[mark.index:mark.index + 1] == "\t":
            message += " (indent YAML with spaces, not tabs)"
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise LadderError.one(source, line, col, f"not valid YAML: {message}", "load.syntax") from None
    if not found:
        raise LadderError.one(source, 1, 1, "file has no content", "load.empty")
    return Document(source, data, reader.marks, reader.key_marks)


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


# ---------------------------------------------------------------------------------------- JSON

@dataclass(frozen=True)
class _Refused:
    """A value the fast parse stood in for one it must refuse (NaN, a number too large), so
    that the check after it finds and places it without a slow second parse."""

    message: str
    code: str


class _Pairs(list):
    """An object with a duplicate key: its pairs, and the index of the first repeated one."""

    duplicate: int


_TOO_BIG = _Refused("this number is too large to represent: write a smaller one", "load.number")


class _Hooks:
    """The fast parse's hooks: they stand in for what must be refused, and say so (`refused`),
    so that only then is the whole document walked to find it."""

    def __init__(self) -> None:
        self.refused = False

    def object_pairs(self, pairs: list[tuple[str, Any]]) -> dict | _Pairs:
        result = dict(pairs)
        if len(result) == len(pairs):
            return result
        self.refused = True
        seen: set[str] = set()
        found = _Pairs(pairs)
        found.duplicate = next(i for i, (key, _) in enumerate(pairs) if key in seen or seen.add(key))
        return found

    def parse_constant(self, name: str) -> _Refused:
        self.refused = True
        return _Refused(f"{name} is not valid JSON: write a number", "load.syntax")

    def parse_float(self, text: str) -> float | _Refused:
        number = float(text)
        if math.isfinite(number):
            return number
        self.refused = True
        return _TOO_BIG

    def parse_int(self, text: str) -> int | _Refused:
        try:
            return int(text)
        except ValueError:  # more digits than Python converts (sys.get_int_max_str_digits)
            self.refused = True
            return _TOO_BIG


def load_json_text(text: str, source: str, line_offset: int = 0) -> Document:
    """Parse JSON fast; positions come from a second, slower parse only if someone asks."""
    check_characters(text, source, line_offset)
    hooks = _Hooks()
    try:
        data = json.loads(text, object_pairs_hook=hooks.object_pairs, parse_constant=hooks.parse_constant,
                          parse_float=hooks.parse_float, parse_int=hooks.parse_int)
    except RecursionError:  # nested far deeper than the bound: only the C parser's stack stopped it
        line, col = _position(text, _too_deep(text), line_offset)
        raise LadderError.one(source, line, col, f"nested deeper than {MAX_DEPTH} levels", "load.too-deep") from None
    except json.JSONDecodeError as e:
        line, col = _position(text, e.pos, line_offset)
        message = "extra data after the JSON value" if e.msg == "Extra data" else f"not valid JSON: {e.msg}"
        raise LadderError.one(source, line, col, message, "load.syntax") from None
    surrogates = bool(_SURROGATE_ESCAPE.search(text))
    if hooks.refused or surrogates or len(text) > MAX_CHARS or _past_bounds(data):
        excess = _Check(surrogates).first(data)
        if excess:
            path, key, message, code = excess
            line, col = _position(text, _locate(text, path, key), line_offset)
            raise LadderError.one(source, line, col, message, code)
    return Document(source, data, _remark=lambda: (_json_marks(text, line_offset), {}))


def _past_bounds(data: Any) -> bool:
    """Whether some list or mapping is nested too deep or holds too many entries, or there
    are too many values: a quick look at the containers only, for the common case, where all
    is well (text cannot be too long in a text shorter than the limit)."""
    nodes, stack = 1, [(data, 1)] if type(data) is dict or type(data) is list else []
    while stack:
        value, depth = stack.pop()
        if (depth >= MAX_DEPTH and value) or len(value) > MAX_ENTRIES:  # (its entries are one deeper)
            return True
        items = value.values() if type(value) is dict else value
        nodes += len(value) * (2 if type(value) is dict else 1)
        stack.extend((item, depth + 1) for item in items if type(item) is dict or type(item) is list)
    return nodes > MAX_NODES


class _Check:
    """The first value, in the order written, that the JSON must not hold: past a limit (the
    same as for YAML), refused by the fast parse, or a lone surrogate from a `\\ud800` escape.

    Paths name an object's entries by key, or by position (an int) in an object with a
    duplicate key, where a key does not name one entry."""

    def __init__(self, surrogates: bool):
        self.surrogates = surrogates  # only worth looking for if the text has such an escape
        self.nodes = 0

    def first(self, data: Any) -> tuple[JsonPath, bool, str, str] | None:
        """(path, whether its key is meant, message, code), or None."""
        try:
            self._value(data, (), 1, False)
        except _Found as found:
            return found.args[0]
        return None

    def _value(self, value: Any, path: JsonPath, depth: int, key: bool) -> None:
        self.nodes += 1
        if depth > MAX_DEPTH:
            raise _Found((path, key, f"nested deeper than {MAX_DEPTH} levels", "load.too-deep"))
        if self.nodes > MAX_NODES:
            raise _Found((path, key, f"more than {MAX_NODES} values in one file: split it", "load.too-large"))
        if isinstance(value, str):
            if len(value) > MAX_CHARS:
                raise _Found((path, key, _too_long(len(value)), "load.too-large"))
            if self.surrogates and _SURROGATE.search(value):
                raise _Found((path, key, _HALF_PAIR, "load.character"))
        elif isinstance(value, _Refused):
            raise _Found((path, key, value.message, value.code))
        elif isinstance(value, _Pairs):
            for index, (name, item) in enumerate(value):
                self._entry(path + (index,), index, name, item, depth)
                if index == value.duplicate:
                    raise _Found((path + (index,), False, f"duplicate key {name!r}: keep one", "load.duplicate-key"))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                if index == MAX_ENTRIES:
                    raise _Found((path + (index,), False, _too_many(), "load.too-large"))
                self._value(item, path + (index,), depth + 1, False)
        elif isinstance(value, dict):
            for index, (name, item) in enumerate(value.items()):
                self._entry(path + (name,), index, name, item, depth)

    def _entry(self, path: JsonPath, index: int, name: str, item: Any, depth: int) -> None:
        if index == MAX_ENTRIES:
            raise _Found((path, True, _too_many(), "load.too-large"))
        self._value(name, path, depth + 1, True)
        self._value(item, path, depth + 1, False)


class _Found(Exception):
    pass


_SPACE = re.compile(r"[ \t\n\r]*")
# Skips values at the C decoder's speed, whatever they hold (it is the fast parse's text).
_skip = json.decoder.JSONDecoder(object_pairs_hook=len, parse_float=len, parse_int=len, parse_constant=len).scan_once


def _locate(text: str, path: JsonPath, key: bool) -> int:
    """Index in `text` of the value at `path` (or of its key): only the values before it on
    the way are parsed, and at C speed, so an error at the end of a large file is found fast."""
    index = _SPACE.match(text).end()
    for depth, step in enumerate(path):
        opener = text[index]
        index = _SPACE.match(text, index + 1).end()  # inside the [ or {
        if opener == "[":
            for _ in range(step):
                index = _SPACE.match(text, _skip(text, index)[1]).end()
                index = _SPACE.match(text, index + 1).end()  # past the comma
            continue
        position = 0
        while True:
            name, after = json.decoder.scanstring(text, index + 1)
            if name == step or position == step:
                if key and depth == len(path) - 1:
                    return index
                index = _SPACE.match(text, _SPACE.match(text, after).end() + 1).end()
                break
            index = _SPACE.match(text, after).end()
            index = _SPACE.match(text, index + 1).end()  # past the colon
            index = _SPACE.match(text, _skip(text, index)[1]).end()
            index = _SPACE.match(text, index + 1).end()  # past the comma
            position += 1
    return index


_BRACKETS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[{]|[\]}]')


def _too_deep(text: str) -> int:
    """Index of the first [ or { nested deeper than the bound (strings skipped), else 0."""
    depth = 0
    for found in _BRACKETS.finditer(text):
        opener = found.group()
        if opener in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return found.start()
        elif opener in "]}":
            depth -= 1
    return 0


def _position(text: str, index: int, line_offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, index)
    return line + 1 + line_offset, index - (text.rfind("\n", 0, index) + 1) + 1


@dataclass
class _Located:
    value: Any
    index: int


def _json_marks(text: str, line_offset: int) -> dict[JsonPath, tuple[int, int]]:
    """Where each value was written: a re-parse with the pure-Python scanner, wrapping every
    value with its index (the text is known to be valid JSON: the fast parse took it)."""
    starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def position(index: int) -> tuple[int, int]:
        line = bisect.bisect_right(starts, index) - 1
        return line + 1 + line_offset, index - starts[line] + 1

    def located(scan_once):
        def scan(string: str, idx: int):
            value, end = scan_once(string, idx)
            return _Located(value, idx), end
        return scan

    class Context:
        strict = True
        object_hook = None
        object_pairs_hook = staticmethod(lambda pairs: _Located(pairs, -1))
        parse_float = staticmethod(len)  # only places are wanted here, not values
        parse_int = staticmethod(len)
        parse_constant = staticmethod(len)
        parse_string = staticmethod(json.decoder.scanstring)
        memo: dict = {}

        @staticmethod
        def parse_object(s_and_end, strict, scan_once, object_hook, object_pairs_hook, memo):
            return json.decoder.JSONObject(s_and_end, strict, located(scan_once), object_hook, object_pairs_hook, memo)

        @staticmethod
        def parse_array(s_and_end, scan_once):
            return json.decoder.JSONArray(s_and_end, located(scan_once))

    marks: dict = {}

    def unwrap(item: _Located, path: JsonPath) -> None:
        marks[path] = position(item.index)
        value = item.value
        if isinstance(value, _Located):  # an object: pairs wrapped by pairs_hook
            for key, inner in value.value:
                unwrap(inner, path + (key,))
        elif isinstance(value, list):
            for index, inner in enumerate(value):
                unwrap(inner, path + (index,))

    root, _ = located(json.scanner.py_make_scanner(Context))(text, _SPACE.match(text).end())
    unwrap(root, ())
    return marks



def iter_json_lines(path: Path) -> Iterator[tuple[int, str]]:
    """(line number, text) of each non-blank line of a JSON Lines file; bytes that are not
    UTF-8 come back as surrogates, which `load_json_text` reports at their place."""
    with open(path, "rb") as handle:
        for number, raw in enumerate(handle, 1):
            if raw.strip():
                yield number, raw.decode("utf-8", errors="surrogateescape")
