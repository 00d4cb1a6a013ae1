"""JSON is read by orjson when it is sure to read what the checked parse reads: every text gives
the same data (with the same types: 1 and 1.0, -0.0, integers past 64 bits) or the same refusal
(message, code, line:col) as the checked parse of before, which orjson only stands in for."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from engine import api
from engine.cohorts import synthetic
from engine.common.errors import LadderError
from engine.reading import json_text, load
from engine.reading.document import MAX_CHARS, MAX_DEPTH, MAX_ENTRIES, MAX_NODES

ROOT = Path(__file__).resolve().parents[2]


def typed(value: Any) -> Any:
    """`value` with the type of every part spelled out, and the order of keys kept."""
    if isinstance(value, dict):
        return ("dict", [(key, typed(item)) for key, item in value.items()])
    if isinstance(value, list):
        return ("list", [typed(item) for item in value])
    return (type(value).__name__, repr(value))


def outcome(read, text: str) -> tuple:
    try:
        return ("data", typed(read(text)))
    except LadderError as e:
        return ("refused", [d.format() for d in e.diagnostics])


def quick_or_checked(text: str) -> tuple:
    return outcome(lambda t: load.load_json_text(t, "x.json", line_offset=4).data, text)


def checked(text: str) -> tuple:
    """The parse every JSON text went through before orjson: C decoder, hooks, bounds walk."""
    return outcome(lambda t: json_text._checked(t, "x.json", 4), text)


# Mostly what JSON allows between tokens; now and then what it does not.
WHITESPACE = st.sampled_from(["", "", "", "", " ", " ", "\n", "\t", "\r\n", "  "] * 2 + ["\x0c", "\xa0"])
NUMBERS = st.one_of(
    st.integers(min_value=-2**70, max_value=2**70).map(str),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    # digits past a double's precision, near halfway between two: the parsers must round alike
    st.tuples(st.floats(allow_nan=False, allow_infinity=False), st.integers(15, 25)).map(lambda f: f"{f[0]:.{f[1]}e}"),
    st.from_regex(r"-?(0|[1-9][0-9]{0,24})(\.[0-9]{1,20})?([eE][+-]?[0-9]{1,3})?", fullmatch=True),
    st.sampled_from(["-0", "-0.0", "1.0", "1E5", "1e400", "-1e400", "1e-400", "4.9e-324", "1.7976931348623159e308",
                     str(2**63), str(-2**63), str(2**64 - 1), str(2**64), str(-2**63 - 1), "9" * 19, "9" * 30 + ".5",
                     "1" * 5000, "NaN", "Infinity", "-Infinity", "01", "1.", ".5", "+1", "true", "false", "null"]),
)
# Pieces of a string as written: escapes of every kind (a key `"\u0061"` is `"a"` again), what
# the quick checks count (quotes, `":`, `+`, `e+`, commas); a third of them what must be refused
# (lone surrogates, controls, noncharacters), so that most texts are valid but not all.
ORDINARY = st.sampled_from(["a", "b", " ", '":', '\\"', "\\\\", "\\u0022", "\\u0061", "\\n", "+", "e+", "1e+19", ",", "[", "{",
                            "é", "日本", "😀", "\\u00e9", "\\ud83d\\ude00", "\\/"])
PIECES = st.one_of(
    ORDINARY, ORDINARY,
    st.sampled_from(["\x7f", "\\\\\\\"", "\\t", "\\ud800", "\\udc00", "\\ud83d",
                     "\\u0000", "\\x", "\n", "\t", "\x00", "\x1b", "\x80", "\x85", "\x9f", "\xa0", "°", "\ufeff", "\ufffe", "\uffff",
                     "\udcff", "\u2028"]),
)
STRINGS = st.lists(PIECES, max_size=6).map(lambda pieces: '"' + "".join(pieces) + '"')
KEYS = st.one_of(st.sampled_from(['"a"', '"b"', '"c"', '"\\u0061"', '"a\\":"', '""']), STRINGS)


@st.composite
def spaced(draw, pieces: list[str]) -> str:
    return "".join(draw(WHITESPACE) + piece for piece in pieces) + draw(WHITESPACE)


def containers(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    lists = st.lists(inner, max_size=5).flatmap(lambda items: spaced(["[", ",".join(items), "]"]))
    pairs = st.lists(st.tuples(KEYS, inner), max_size=5)
    objects = pairs.flatmap(lambda items: spaced(["{", ",".join(f"{key}:{value}" for key, value in items), "}"]))
    return lists | objects


VALUES = st.recursive(NUMBERS | STRINGS | st.just("true") | st.just("null"), containers, max_leaves=25)


@st.composite
def nested(draw, value: st.SearchStrategy[str]) -> str:
    """A value inside lists and objects: a few, about as many as the depth bound allows, or
    up to hundreds (past what orjson writes)."""
    depth = draw(st.integers(0, 3) | st.integers(MAX_DEPTH - 2, MAX_DEPTH + 2) | st.integers(0, 300))
    openers = draw(st.lists(st.sampled_from(["[", '{"k":']), min_size=depth, max_size=depth))
    return "".join(openers) + draw(value) + "".join("]" if o == "[" else "}" for o in reversed(openers))


@st.composite
def many(draw) -> str:
    """A list or object with about as many entries as the bound allows, or a value past it."""
    count = draw(st.sampled_from([MAX_ENTRIES - 1, MAX_ENTRIES, MAX_ENTRIES + 1]))
    if draw(st.booleans()):
        return "[" + ",".join("1" for _ in range(count)) + "]"
    return "{" + ",".join(f'"k{n}":{n}' for n in range(count)) + "}"


@st.composite
def damaged(draw, text: st.SearchStrategy[str]) -> str:
    """A text, sometimes with a character deleted or inserted (broken JSON has its place too)."""
    written = draw(text)
    if written and draw(st.integers(0, 3)) == 0:
        at = draw(st.integers(0, len(written) - 1))
        written = written[:at] + draw(st.sampled_from(["", ",", '"', "]", "}", ":", "\\", "\x00"])) + written[at + 1:]
    return written


TEXTS = damaged(VALUES | nested(VALUES) | many() | nested(many()) | spaced(["[", "1", ",", "2", "]"]))
LONG = "x" * (MAX_CHARS + 1)


@settings(max_examples=600, deadline=None)
@given(TEXTS)
@example('{"a": 1, "a": 1}').via("a duplicate key, same value")
@example('{"a": 1, "\\u0061": 2}').via("a duplicate key, written with an escape")
@example('{"a" : 1, "a":2, "b": "x\\":"}').via("a duplicate key beside a string holding a quote")
@example('{"a": 1, "a": 2, "b": "\\u0022\\u0022"}').via("a duplicate key beside quotes written as escapes")
@example('["\x7f"]').via("DEL, in ASCII the one forbidden character orjson takes")
@example('["é", "\x9f"]').via("a C1 control in text that is not ASCII")
@example('{"a": "\\\\", "b": "\\"", "a": "\\\\\\""}').via("a duplicate key among escaped backslashes and quotes")
@example('{"a": "\\\\", "a": "\\\\", "b": "\\\\", "c": "\\\\"}').via("a duplicate key among strings ending in a backslash")
@example('["\ufffe"]').via("a noncharacter")
@example('["\uffff"]').via("the other noncharacter")
@example('[18446744073709551616, 1e19, 1.0, 1, -0.0, -0]').via("an integer past 64 bits beside floats")
@example("[" + ",".join(["1"] * (MAX_ENTRIES + 1)) + "]").via("a list past the entries bound")
@example("{" + ",".join(f'"k{n}": {n}' for n in range(MAX_ENTRIES + 1)) + "}").via("an object past the entries bound")
@example(f'["{LONG}"]').via("a string past the length bound")
@example(f'["{"x" * (MAX_CHARS - 10)}", "y"]').via("a long text, no string past the bound")
@example("[" + ",".join(["[" + ",".join(["0"] * MAX_ENTRIES) + "]"] * (MAX_NODES // MAX_ENTRIES)) + "]").via("too many values")
@example("[" * 1100 + "]" * 1100).via("deeper than orjson reads")
@example("[" * 300 + "]" * 300).via("deeper than orjson writes")
@example('"\\ud83d\\ude00"').via("a surrogate pair")
@example('\ufeff{"a": 1}').via("a byte-order mark")
def test_json_reads_the_same_data_or_refusal_as_the_checked_parse(text):
    assert quick_or_checked(text) == checked(text)


def test_packets_read_the_same_data_as_the_checked_parse_however_they_are_written():
    packets = [load.load_file(path).data for path in sorted((ROOT / "fixtures" / "packets").glob("*.yaml"))]
    for packet in packets:
        for text in (json.dumps(packet), json.dumps(packet, indent=2, ensure_ascii=False), json.dumps(packet, separators=(",", ":"))):
            assert quick_or_checked(text) == checked(text)


def test_ordinary_packets_take_the_quick_parse():
    """(An orjson before 3.11.7 writes an exponent without `+`, which leaves the quick parse
    unsure of almost every text: right, but slow, and this fails.)"""
    book = api.rulebook()
    texts = [json.dumps(packet, ensure_ascii=ascii) for ascii in (True, False)
             for packet in synthetic.generate(book, 20, 1, records=50)]
    quoted = [dict(packet, evidence=[dict(record, title=f'Talk "{record["title"]}" \\ {n}') for n, record in enumerate(packet["evidence"])])
              for packet in synthetic.generate(book, 5, 2, records=20)]
    texts += [json.dumps(packet, indent=indent) for indent in (None, 2) for packet in quoted]
    assert all(json_text._quick(text) is not json_text._UNSURE for text in texts)
    assert not any(json_text._may_be_forbidden(text) for text in texts)  # so no character is looked at
