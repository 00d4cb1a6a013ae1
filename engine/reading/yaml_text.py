"""YAML text into plain data, event by event from libyaml's parser, with the YAML 1.2 core
scalars and every bound checked at the value that crosses it (see `load`)."""
from __future__ import annotations

import re
from typing import Any

import yaml

from engine.common.errors import LadderError
from engine.reading.document import (
    HALF_PAIR,
    MAX_CHARS,
    MAX_DEPTH,
    MAX_ENTRIES,
    MAX_NODES,
    SURROGATE,
    Document,
    JsonPath,
    check_characters,
    too_long,
    too_many,
)


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
# What a plain scalar may be read as, by tag, pattern and first characters: a writer of packets
# (engine.importing) quotes text these would read as something else.
CORE_SCALARS = tuple(_CORE_SCALARS)
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
                    raise _Problem(self.parser.peek_event().start_mark, too_many(), "load.too-large")
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
                raise _Problem(key_mark, too_many(), "load.too-large")
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
            raise _Problem(event.start_mark, too_long(len(event.value)), "load.too-large")
        if SURROGATE.search(event.value):  # "\ud800": libyaml refuses it, PyYAML's parser does not
            raise _Problem(event.start_mark, HALF_PAIR, "load.character")
        return event.value


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
