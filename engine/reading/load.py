"""Stage 1, load: YAML or JSON text into plain data, remembering where every value was written.

Loading is strict so that what a person wrote is what the engine reads:
- safe YAML only, read with the YAML 1.2 core scalars: `NO`, `yes` and `on` stay strings,
  `010` is ten, `1:20` and unquoted dates stay strings (dates are checked as ISO strings later);
- duplicate keys, aliases, custom tags and several documents per file are errors;
- size, nesting depth and node count are bounded, so hostile input fails fast and small.
JSON takes a fast path (the C decoder) and re-reads itself with positions only when a later
stage needs to point at a value."""
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
MAX_NODES = 500_000

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

class _Problem(Exception):
    def __init__(self, mark: yaml.Mark | None, message: str, code: str):
        self.mark, self.message, self.code = mark, message, code


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 core-schema scalars, no aliases, and bounded depth and size."""

    yaml_implicit_resolvers: dict = {}

    def __init__(self, stream: str):
        super().__init__(stream)
        self._depth = 0
        self._nodes = 0

    def compose_node(self, parent, index):  # noqa: ANN001 (PyYAML's signature)
        if self.check_event(yaml.AliasEvent):
            raise _Problem(self.peek_event().start_mark, "aliases (*name) are not supported: write the value out in full", "load.alias")
        self._depth += 1
        self._nodes += 1
        if self._depth > MAX_DEPTH:
            raise _Problem(self.peek_event().start_mark, f"nested deeper than {MAX_DEPTH} levels", "load.too-deep")
        if self._nodes > MAX_NODES:
            raise _Problem(self.peek_event().start_mark, f"more than {MAX_NODES} values in one file: split it", "load.too-large")
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


_CORE_SCALARS = [
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", list("~nN") + [""]),
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", list("tTfF")),
    ("tag:yaml.org,2002:int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", list("-+0123456789")),
    ("tag:yaml.org,2002:float", r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$", list("-+.0123456789")),
]
for _tag, _pattern, _first in _CORE_SCALARS:
    _StrictLoader.add_implicit_resolver(_tag, re.compile(_pattern), _first)

_MAP, _SEQ = "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"


def _scalar(node: yaml.ScalarNode) -> Any:
    tag, value = node.tag, node.value
    if tag == "tag:yaml.org,2002:str":
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
        raise _Problem(node.start_mark, f"tag {tag} is not supported: remove it", "load.tag")
    raise _Problem(node.start_mark, f"{value!r} is not a valid {tag.rsplit(':', 1)[-1]}", "load.scalar")


def _walk_yaml(node: yaml.Node, path: JsonPath, marks: dict, key_marks: dict) -> Any:
    marks[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.ScalarNode):
        return _scalar(node)
    if isinstance(node, yaml.SequenceNode):
        if node.tag != _SEQ:
            raise _Problem(node.start_mark, f"tag {node.tag} is not supported: remove it", "load.tag")
        return [_walk_yaml(item, path + (i,), marks, key_marks) for i, item in enumerate(node.value)]
    if node.tag != _MAP:
        raise _Problem(node.start_mark, f"tag {node.tag} is not supported: remove it", "load.tag")
    result: dict[str, Any] = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == _MAP:
            raise _Problem(key_node.start_mark, "keys must be plain text", "load.key")
        key = key_node.value
        if key in result:
            first = key_marks[path + (key,)]
            raise _Problem(key_node.start_mark, f"duplicate key {key!r} (first at line {first[0]}): keep one", "load.duplicate-key")
        key_marks[path + (key,)] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
        result[key] = _walk_yaml(value_node, path + (key,), marks, key_marks)
    return result


def load_yaml_text(text: str, source: str) -> Document:
    loader = _StrictLoader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            raise LadderError.one(source, 1, 1, "file has no content", "load.empty")
        marks: dict = {}
        key_marks: dict = {}
        data = _walk_yaml(root, (), marks, key_marks)
    except _Problem as p:
        line, col = (p.mark.line + 1, p.mark.column + 1) if p.mark else (1, 1)
        raise LadderError.one(source, line, col, p.message, p.code) from None
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        message = " ".join(part for part in (e.context, e.problem) if part)
        if "expected a single document" in message:
            message = "holds several YAML documents (---): put one in each file"
        elif "'\\t'" in message:
            message += " (indent YAML with spaces, not tabs)"
        raise LadderError.one(source, mark.line + 1, mark.column + 1, f"not valid YAML: {message}", "load.syntax") from None
    except yaml.YAMLError as e:  # reader errors (control characters) carry a position too
        mark = getattr(e, "position", 0)
        raise LadderError.one(source, 1, 1, f"not valid YAML: {e}", "load.syntax") from None
    finally:
        loader.dispose()
    return Document(source, data, marks, key_marks)


# ---------------------------------------------------------------------------------------- JSON

class _Constant(ValueError):
    """NaN, Infinity or -Infinity; `index` is filled in by the located parse, to point at it."""

    def __init__(self, name: str):
        super().__init__(f"{name} is not valid JSON: write a number")
        self.index: int | None = None


def _reject_constant(name: str) -> Any:
    raise _Constant(name)


def _finite_float(text: str) -> float:
    """JSON numbers beyond a float's range would become infinity: refused (and located by the slow parse)."""
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"{text} is too large")
    return number


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict:
    result: dict = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {key!r}")
        result[key] = value
    return result


def load_json_text(text: str, source: str, line_offset: int = 0) -> Document:
    """Parse JSON fast; positions come from a second, slower parse only if someone asks."""
    try:
        data = json.loads(text, object_pairs_hook=_unique_pairs, parse_constant=_reject_constant, parse_float=_finite_float)
    except RecursionError:
        raise LadderError.one(source, line_offset + 1, 1, f"nested deeper than {MAX_DEPTH} levels", "load.too-deep") from None
    except ValueError:
        _, _, problem = _json_with_marks(text, source, line_offset)
        raise problem from None
    # Nesting is bounded by the C parser's recursion limit (caught above); the schemas then
    # refuse anything nested deeper than a packet or rule file can be.
    return Document(source, data, _remark=lambda: _json_with_marks(text, source, line_offset)[:2])


@dataclass
class _Located:
    value: Any
    index: int


def _json_with_marks(text: str, source: str, line_offset: int) -> tuple[dict, dict, LadderError]:
    """Re-parse with the pure-Python scanner, wrapping every value with its character index."""
    starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def position(index: int) -> tuple[int, int]:
        line = bisect.bisect_right(starts, index) - 1
        return line + 1 + line_offset, index - starts[line] + 1

    def located(scan_once):
        def scan(string: str, idx: int):
            try:
                value, end = scan_once(string, idx)
            except _Constant as e:
                if e.index is None:  # the innermost value: where the constant is written
                    e.index = idx
                raise
            return _Located(value, idx), end
        return scan

    duplicates: list[tuple[str, int]] = []

    def pairs_hook(pairs):
        seen: set = set()
        for key, value in pairs:
            if key in seen:
                duplicates.append((key, value.index))
            seen.add(key)
        return _Located(pairs, -1)

    class Context:
        strict = True
        object_hook = None
        object_pairs_hook = staticmethod(pairs_hook)
        parse_float = float
        parse_int = int
        parse_constant = staticmethod(_reject_constant)
        parse_string = staticmethod(json.decoder.scanstring)
        memo: dict = {}

        @staticmethod
        def parse_object(s_and_end, strict, scan_once, object_hook, object_pairs_hook, memo):
            return json.decoder.JSONObject(s_and_end, strict, located(scan_once), object_hook, object_pairs_hook, memo)

        @staticmethod
        def parse_array(s_and_end, scan_once):
            return json.decoder.JSONArray(s_and_end, located(scan_once))

    marks: dict = {}

    def unwrap(item: _Located, path: JsonPath) -> Any:
        marks[path] = position(item.index)
        value = item.value
        if isinstance(value, _Located):  # an object: pairs wrapped by pairs_hook
            return {k: unwrap(v, path + (k,)) for k, v in value.value}
        if isinstance(value, list):
            return [unwrap(v, path + (i,)) for i, v in enumerate(value)]
        if isinstance(value, float) and not math.isfinite(value):
            line, col = position(item.index)
            raise LadderError.one(source, line, col, "this number is too large to represent: write a smaller one", "load.number")
        return value

    scan = located(json.scanner.py_make_scanner(Context))
    problem: LadderError
    try:
        start = len(text) - len(text.lstrip())
        root, end = scan(text, start)
        rest = text[end:].strip()
        if rest:
            line, col = position(end + (len(text[end:]) - len(text[end:].lstrip())))
            raise LadderError.one(source, line, col, "extra data after the JSON value", "load.syntax")
        unwrap(root, ())
        if duplicates:
            key, index = duplicates[0]
            line, col = position(index)
            problem = LadderError.one(source, line, col, f"duplicate key {key!r}: keep one", "load.duplicate-key")
        else:
            problem = LadderError.one(source, line_offset + 1, 1, "not valid JSON", "load.syntax")
    except StopIteration as e:
        line, col = position(e.value)
        problem = LadderError.one(source, line, col, "not valid JSON: expected a value", "load.syntax")
    except json.JSONDecodeError as e:
        line, col = position(e.pos)
        problem = LadderError.one(source, line, col, f"not valid JSON: {e.msg}", "load.syntax")
    except _Constant as e:
        line, col = position(e.index or 0)
        problem = LadderError.one(source, line, col, str(e), "load.syntax")
    except ValueError as e:
        problem = LadderError.one(source, line_offset + 1, 1, f"not valid JSON: {e}", "load.syntax")
    except LadderError as e:
        problem = e
    return marks, {}, problem



def iter_json_lines(path: Path) -> Iterator[tuple[int, str]]:
    """(line number, text) of each non-blank line of a JSON Lines file; bytes that are not
    UTF-8 come back as text with replacement characters, which the JSON parser then rejects."""
    with open(path, "rb") as handle:
        for number, raw in enumerate(handle, 1):
            if raw.strip():
                yield number, raw.decode("utf-8", errors="replace")
