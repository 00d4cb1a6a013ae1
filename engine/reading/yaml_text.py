"""YAML text into plain data, event by event from libyaml's parser, with the YAML 1.2 core
scalars and every bound checked at the value that crosses it (see `load`).

Two readers of the same events: a quick one (`_Quick`) for the common case, which builds the
data and checks every bound but records no places, and a careful one (`_Reader`) that records
the place of every value and words every refusal. The quick one stops at anything unusual
(a tag, an alias, a duplicate key, a bound crossed, a syntax error) and leaves the whole text
to the careful one, so every error is the careful reader's; places are read, by the careful
reader, only when a later stage asks for one, as for JSON. Recording places was most of the
cost of reading a packet: the quick read takes about half the time. Composing libyaml's node
tree and walking it was measured too, and is slower than the quick read: every node is a
Python object with two marks, and the garbage collector walks them all."""
from __future__ import annotations

import re
import sys
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


def _integer(value: str) -> int:
    """A YAML int; ValueError past the digits Python writes out (sys.get_int_max_str_digits): a
    decimal one refuses them on reading, and a hex or octal one, which int() reads without that
    limit, is held to it too, or a number no message or report could print would reach them."""
    if value.startswith(("0o", "0x")):
        number = int(value[2:], 8 if value[1] == "o" else 16)
        limit = sys.get_int_max_str_digits()
        if limit and number >= 10 ** limit:
            raise ValueError(f"more than {limit} digits")
        return number
    return int(value, 10)


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
            return _integer(value)
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

    def __init__(self, text: str, parser: type):
        self.parser = parser(text)
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


class _Unusual(Exception):
    """Something the quick read leaves to the careful one."""


_Scalar, _Alias = yaml.ScalarEvent, yaml.AliasEvent
_SeqStart, _SeqEnd, _MapEnd = yaml.SequenceStartEvent, yaml.SequenceEndEvent, yaml.MappingEndEvent


class _Quick:
    """Plain data from the events, every bound checked as `_Reader` checks it, but no place
    recorded and no refusal worded: anything unusual raises `_Unusual`. (Written for speed:
    each event is fetched once, by type, with no look-ahead.)"""

    def __init__(self, text: str, parser: type):
        self.get = parser(text).get_event
        self.nodes = 0
        # No value is longer than the text that holds it, and a lone surrogate can only come
        # from an escape: most texts need neither looked for.
        self.inspect = len(text) > MAX_CHARS or "\\" in text

    def document(self) -> tuple[bool, Any]:
        get = self.get
        get()  # stream start
        event = get()
        if type(event) is yaml.StreamEndEvent:
            return False, None
        data = self.value(get(), 1)
        get()  # document end
        if type(get()) is not yaml.StreamEndEvent:
            raise _Unusual
        return True, data

    def value(self, event: yaml.Event, depth: int) -> Any:
        self.nodes += 1
        kind = type(event)
        if depth > MAX_DEPTH or self.nodes > MAX_NODES or kind is _Alias or event.tag is not None:
            raise _Unusual
        if kind is _Scalar:
            value = event.value
            if self.inspect:
                self.check(value)
            if not event.implicit[0] or value[:1] not in _RESOLVERS:  # quoted, a block scalar, or a word: text
                return value
            tag = _resolve(value, True)
            if tag == _STR:
                return value
            if tag == "tag:yaml.org,2002:int":  # (more digits than int() takes: a ValueError, careful)
                return _integer(value)
            if tag == "tag:yaml.org,2002:float":
                number = float(value)
                if number - number != 0:  # inf or nan
                    raise _Unusual
                return number
            return None if tag == "tag:yaml.org,2002:null" else value in ("true", "True", "TRUE")
        get = self.get
        if kind is _SeqStart:
            items: list = []
            event = get()
            while type(event) is not _SeqEnd:
                if len(items) == MAX_ENTRIES:
                    raise _Unusual
                items.append(self.value(event, depth + 1))
                event = get()
            return items
        result: dict[str, Any] = {}
        event = get()
        while type(event) is not _MapEnd:
            self.nodes += 1
            if (type(event) is not _Scalar or event.tag is not None or depth >= MAX_DEPTH
                    or self.nodes > MAX_NODES or len(result) == MAX_ENTRIES):
                raise _Unusual
            key = event.value
            if self.inspect:
                self.check(key)
            if key in result:
                raise _Unusual
            result[key] = self.value(get(), depth + 1)
            event = get()
        return result

    @staticmethod
    def check(text: str) -> None:
        if len(text) > MAX_CHARS or SURROGATE.search(text):
            raise _Unusual


def load_yaml_text(text: str, source: str) -> Document:
    return read(text, source, _Parser)


def read(text: str, source: str, parser: type, quick: bool = True) -> Document:
    """`load_yaml_text` with the parser given (libyaml's, or PyYAML's own), and the quick read
    tried first or not: the test that all four agree calls it."""
    check_characters(text, source)
    if quick:
        try:
            found, data = _Quick(text, parser).document()
        except (_Unusual, yaml.YAMLError, ValueError, OverflowError):
            pass
        else:
            if found:
                return Document(source, data, _remark=lambda: _marks(text, parser))
    return _careful(text, source, parser)


def _marks(text: str, parser: type) -> tuple[dict, dict]:
    """The places of a text the quick read took (so the careful one takes it too)."""
    reader = _Reader(text, parser)
    reader.document()
    return reader.marks, reader.key_marks


def _careful(text: str, source: str, parser: type) -> Document:
    reader = _Reader(text, parser)
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
    except (ValueError, OverflowError):  # PyYAML's own scanner on an escape past U+10FFFF ("\\Ua0000000")
        mark = reader.parser.get_mark()
        raise LadderError.one(source, mark.line + 1, mark.column + 1, "not valid YAML: while parsing a quoted scalar found "
                              "invalid Unicode character escape code", "load.syntax")  # (libyaml's words) from None
    if not found:
        raise LadderError.one(source, 1, 1, "file has no content", "load.empty")
    return Document(source, data, reader.marks, reader.key_marks)
