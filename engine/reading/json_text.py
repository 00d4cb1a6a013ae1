"""JSON text into plain data: orjson's parse when it is sure to read what the checked parse reads,
else the stdlib's C decoder with hooks, checked against the same bounds as YAML; positions are
re-read only when a later stage needs to point at a value (see `load`)."""
from __future__ import annotations

import bisect
import json
import json.decoder
import json.scanner
import math
import re
from dataclasses import dataclass
from typing import Any

import orjson

from engine.common.errors import LadderError
from engine.reading.document import (
    HALF_PAIR,
    MAX_CHARS,
    MAX_DEPTH,
    MAX_ENTRIES,
    MAX_NODES,
    SURROGATE,
    SURROGATE_ESCAPE,
    Document,
    JsonPath,
    check_characters,
    too_long,
    too_many,
)


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
    data = _quick(text)
    if data is _UNSURE:
        data = _checked(text, source, line_offset)
    elif _may_be_forbidden(text):
        check_characters(text, source, line_offset)
    return Document(source, data, _remark=lambda: (_json_marks(text, line_offset), {}))


_UNSURE = object()
# orjson indents a value two spaces for each list or mapping around it, so one nested past the
# bound (in MAX_DEPTH of them) starts a line with 2 * MAX_DEPTH spaces; no string holds a line
# break (orjson writes it `\n`).
_DEEPER = b"\n" + b" " * (2 * MAX_DEPTH)
# orjson writes a float of 1e16 or more with an exponent: `e+` since orjson 3.11.7, `e` before
# (a mark then found in almost every text, which leaves the quick parse rarely sure, but right).
_EXPONENT = b"e+" if b"e+" in orjson.dumps(2.0 ** 63) else b"e"
_ALL_BUT_MARKS = bytes(sorted(set(range(256)) - set(b'",')))


def _quick(text: str) -> Any:
    """The data, from orjson, when it is sure to be what `_checked` returns; else `_UNSURE`,
    for `_checked` to decide and to say what is wrong where (the same as before orjson).

    orjson refuses NaN, infinities, numbers too large for a float and lone surrogates, as
    `_checked` does, but keeps the last of duplicate keys, reads an integer past 64 bits as
    a float and has looser bounds. So, read in its own output (which it writes at C speed):
    - a duplicate key: orjson read fewer strings than the text writes (`_as_many_strings`);
    - an integer read as a float: orjson writes a float of 1e16 or more with an exponent
      (`_EXPONENT`), and an integer past 64 bits is at least 2**63;
    - the bounds: depth in the indentation; entries in the commas (all but a list's or
      mapping's first follow one), values (a character each at least) and text lengths in
      the length of the text; value by value (the bounds walk) only in a text with enough
      of them to break one."""
    try:
        data = orjson.loads(text)
        shown = orjson.dumps(data, option=orjson.OPT_INDENT_2)
    except (orjson.JSONDecodeError, orjson.JSONEncodeError):  # (it writes no more than 254 levels)
        return _UNSURE
    marks = shown.translate(None, _ALL_BUT_MARKS)  # its quotes and commas, counted in one pass
    quotes = marks.count(b'"')
    if _DEEPER in shown or (_EXPONENT[-1:] in shown and _EXPONENT in shown) or not _as_many_strings(text, shown, quotes):
        return _UNSURE
    if len(text) > min(MAX_CHARS, MAX_NODES):
        if _Check(False).first(data) is not None:
            return _UNSURE
    elif len(marks) - quotes >= MAX_ENTRIES and _past_bounds(data):
        return _UNSURE
    return data


_ESCAPE = re.compile(r"\\.", re.DOTALL)
_ESCAPE_BYTES = re.compile(rb"\\.", re.DOTALL)


def _as_many_strings(text: str, shown: bytes, quotes: int) -> bool:
    """Whether orjson read as many strings as `text` writes, so dropped no duplicate key,
    given the `quotes` in its output `shown`.

    Both write a string between two quotes and a quote in one as the escape `\\"` (the text
    may write `\\u0022`, which adds none), so the text holds at least two quotes a string
    written, and `shown` exactly two a string read when no string holds a quote. Else each
    side's escaped quotes are counted (escapes read left to right, as `\\\\"` is a backslash
    and the end of a string) and taken off."""
    written = text.count('"')
    if written == quotes and (b"\\" not in shown or b'\\"' not in shown):
        return True
    if "\\" in text:
        written -= _ESCAPE.findall(text).count('\\"')
    if b"\\" in shown:
        quotes -= _ESCAPE_BYTES.findall(shown).count(b'\\"')
    return written == quotes


def _may_be_forbidden(text: str) -> bool:
    """Whether text orjson took may hold a character no file may hold (`check_characters`).

    orjson refuses the C0 controls but tab and line breaks (in a string, and they are no
    whitespace outside one) and lone surrogates; what is left, DEL, the C1 controls, U+FFFE
    and U+FFFF, is written in UTF-8 with a byte found at C speed: 7F, C2 (U+0080-U+00BF), or
    EF BF BE/BF."""
    if text.isascii():
        return "\x7f" in text
    utf8 = text.encode()  # a copy of the UTF-8 orjson read, which the str keeps
    return b"\x7f" in utf8 or b"\xc2" in utf8 or b"\xef\xbf\xbe" in utf8 or b"\xef\xbf\xbf" in utf8


def _checked(text: str, source: str, line_offset: int) -> Any:
    """The data, parsed with hooks that stand in for what must be refused, checked against
    the bounds; LadderError at the first thing wrong (characters first), at its place."""
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
    surrogates = bool(SURROGATE_ESCAPE.search(text))
    if hooks.refused or surrogates or len(text) > MAX_CHARS or _past_bounds(data):
        excess = _Check(surrogates).first(data)
        if excess:
            path, key, message, code = excess
            line, col = _position(text, _locate(text, path, key), line_offset)
            raise LadderError.one(source, line, col, message, code)
    return data


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
                raise _Found((path, key, too_long(len(value)), "load.too-large"))
            if self.surrogates and SURROGATE.search(value):
                raise _Found((path, key, HALF_PAIR, "load.character"))
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
                    raise _Found((path + (index,), False, too_many(), "load.too-large"))
                self._value(item, path + (index,), depth + 1, False)
        elif isinstance(value, dict):
            for index, (name, item) in enumerate(value.items()):
                self._entry(path + (name,), index, name, item, depth)

    def _entry(self, path: JsonPath, index: int, name: str, item: Any, depth: int) -> None:
        if index == MAX_ENTRIES:
            raise _Found((path, True, too_many(), "load.too-large"))
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
