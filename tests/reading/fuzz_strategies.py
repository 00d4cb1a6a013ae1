"""Hypothesis strategies for hostile input, for tests/reading/test_fuzz.py (and test_fast_build.py),
and `twins`, the CI and nightly pair of tests both make of each property.

Three kinds, from the outside in:
- bytes: anything at all, YAML- and JSON-like token soup (control characters, escapes, deep
  brackets, anchors, tags, huge numbers, several documents), and real packets with bytes
  flipped, inserted or deleted;
- structured-but-wrong documents: a valid packet or rulebook with a few edits at random places
  (a value replaced by a value of another kind, an edge value or another value of the same
  document, an entry removed, duplicated, wrapped or renamed, an unexpected key added), so the
  shapes stay close enough to valid to reach the builders' own checks, not only the schema's.
Every value is one a loader can return (JSON types, no NaN, no lone surrogates)."""
from __future__ import annotations

import copy
import functools
import json
from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.reading.load import load_file
from engine.reading.rulebook import EVIDENCE_FILE, LADDER_FILE, LEVELS_DIR
from engine.reading.validate import data_dir

ROOT = Path(__file__).resolve().parents[2]
PACKET_FILES = sorted((ROOT / "fixtures" / "packets").glob("*.yaml"))
RULES = data_dir("rules")
NIGHTLY = 25  # the nightly twin of each property runs this many times as many cases


def twins(examples: int, deadline: timedelta | None, suppressed: Sequence[HealthCheck],
          **strategies: st.SearchStrategy) -> Callable:
    """Two tests of one property: CI's, of `examples` cases, and a nightly one of NIGHTLY times
    as many (`test_x, test_x_nightly = twins(n, deadline, suppressed, ...)(x)`), each with
    that deadline a case and those health checks suppressed."""
    def make(prop: Callable) -> tuple[Callable, Callable]:
        def variant(count: int) -> Callable:
            return settings(max_examples=count, deadline=deadline, suppress_health_check=suppressed)(given(**strategies)(prop))
        return variant(examples), pytest.mark.nightly(variant(examples * NIGHTLY))
    return make

# Text that has broken, or could break, something: controls and terminal escapes, bidi and
# zero-width characters, names the engine reserves, regex and glob syntax, dates at and past
# the ends of the calendar, YAML 1.1 booleans, numbers as text, long text.
STRINGS = [
    "", " ", "a", "\x00", "\x1b[2J", "\x1b]0;title\x07", "\x1b]52;c;aGk=\x07", "\u202e", "\u200b", "\ufeff", "\u2028",
    "é", "日本", "a\nb", "\t", "\\", '"', "'", "$nex", "$and", "$or", "$s", "cap", "id", "sid", "type", "*", "?",
    "*a*a*a*a*a*a*a*a*a*a*b", "(a+)+$", "[", "{1}", "cccac", "1e-07", "1e400", "-0", "0x1F", "yes", "NO", "null", "~",
    "true", "2026-02-30", "2026-13-01", "0001-01-01", "0001-06-01", "9999-12-31", "0000-01-01", "2026-1-1", "12 months",
    "0 days", "9999 years", "ic", "management", "senior-developer", "staff-engineer", "lead", "verified", "disputed",
    "x" * 501, "x" * 10_001,
]
NUMBERS = [0, 1, -1, 2, 12, 9999, 10_000, 2**31, 2**53 + 1, 2**63, -(2**63) - 1, 2**64, 10**30, 10**300,
           0.5, -0.0, 1e-07, 5e-324, 1e308, -1e308, 2.0]
KEYS = ["id", "type", "title", "date", "start", "end", "confidence", "notes", "candidate", "as_of", "target", "evidence",
        "within", "where", "linked", "by", "count", "sum", "field", "at_least", "points", "points_each", "max_points",
        "nearly", "builds_on", "level", "competencies", "criteria", "all_of", "any_of", "none_of", "k_of", "of", "k",
        "required", "blocker", "distinct", "best_per", "matches", "contains", "in", "not_in", "eq", "gte", "lt", "present", "absent",
        "tracks", "levels", "equivalence", "types", "fields", "values", "evidence", "group", "groups", "$nex", ""]

leaves = st.one_of(
    st.none(), st.booleans(), st.sampled_from(NUMBERS), st.integers(), st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(STRINGS), st.text(max_size=20),
)
json_values = st.recursive(
    leaves, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=8), inner, max_size=4),
    max_leaves=12)


# ------------------------------------------------------------------------------------ bytes

TOKENS = [
    "a", "id", ":", ": ", " ", "\n", "- ", "[", "]", "{", "}", ",", "&a ", "*a", "!!str ", "!!python/object:os.system ",
    "!x ", "? ", "---\n", "...\n", "%YAML 1.2\n", "%TAG ! x\n", "#", "'", '"', "\\", "\\ud800", "\\x00", "\\e", "\\u202e",
    "\t", "\r\n", "\r", "\x00", "\x07", "\x1b", "\x7f", "\x85", "\x9b", "\u2028", "\ufeff", "\ufffe", "\U0001F600",
    "é", "日本", "1e400", "-1e400", "0x1F", "0o17", "9" * 5000, "-", ".inf", ".nan", "NaN", "Infinity", "-Infinity",
    "null", "~", "true", "yes", "<<: ", "|\n  x\n", ">-\n  x\n", "  ", "    ", "[" * 40, "]" * 40, "{" * 40, "x" * 200,
    '"a": 1', '"a": ', '{"a": 1, "a": 2}', "2026-02-30", "as_of: ", "candidate:\n  ", "evidence:\n  - ",
]
token_soup = st.lists(st.sampled_from(TOKENS), max_size=40).map("".join)

INTERESTING_BYTES = [0x00, 0x07, 0x09, 0x0A, 0x0D, 0x1B, 0x20, 0x22, 0x27, 0x2C, 0x2D, 0x3A, 0x5B, 0x5D, 0x7B, 0x7D,
                     0x23, 0x26, 0x2A, 0x21, 0x3F, 0x7C, 0x3E, 0x5C, 0x7F, 0x80, 0xC3, 0xE2, 0xEF, 0xFE, 0xFF]


def _packet_texts() -> list[bytes]:
    """Every fixture packet, as YAML (its own bytes) and as JSON."""
    texts = []
    for path in PACKET_FILES:
        texts.append(path.read_bytes())
        texts.append(json.dumps(load_file(path).data, ensure_ascii=False, indent=1).encode())
    return texts


@st.composite
def flipped(draw, texts: list[bytes]) -> bytes:
    """One of `texts` with a few bytes replaced, inserted or deleted, at random places."""
    data = bytearray(draw(st.sampled_from(texts)))
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data)))
        byte = draw(st.sampled_from(INTERESTING_BYTES) | st.integers(0, 255))
        action = draw(st.sampled_from(["replace", "insert", "delete"]))
        if action == "insert" or at == len(data):
            data.insert(at, byte)
        elif action == "replace":
            data[at] = byte
        else:
            del data[at]
    return bytes(data)


def hostile_bytes() -> st.SearchStrategy[bytes]:
    return st.one_of(st.binary(max_size=300), token_soup.map(lambda text: text.encode("utf-8", "surrogatepass")),
                     flipped(_packet_texts()))


# ---------------------------------------------------------------------- structured but wrong

def _paths(value: Any, path: tuple = ()) -> list[tuple]:
    found = [path]
    if isinstance(value, dict):
        for key, inner in value.items():
            found += _paths(inner, path + (key,))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            found += _paths(inner, path + (index,))
    return found


def _values(value: Any) -> list[Any]:
    """The document's own scalars: swapping them about makes wrong references, not only wrong types."""
    if isinstance(value, dict):
        return [v for inner in value.values() for v in _values(inner)]
    if isinstance(value, list):
        return [v for inner in value for v in _values(inner)]
    return [value]


def _at(document: Any, path: tuple) -> Any:
    for step in path:
        document = document[step]
    return document


def _alike(value: Any, own: list[Any]) -> st.SearchStrategy:
    """A value of the same kind as `value` (text for text, a number for a number): one that
    gets past the schema more often, to reach the checks behind it."""
    if isinstance(value, bool):
        return st.booleans()
    if isinstance(value, (int, float)):
        return st.sampled_from(NUMBERS) | st.integers(-3, 30)
    if isinstance(value, str):
        return st.sampled_from(STRINGS + [v for v in own if isinstance(v, str)])
    return json_values


@st.composite
def broken(draw, document: Any, edits: tuple[int, int] = (1, 2)) -> Any:
    """`document` with a few edits at random places."""
    document = copy.deepcopy(document)
    own = _values(document)
    for _ in range(draw(st.integers(*edits))):
        paths = _paths(document)
        path = draw(st.sampled_from(paths))
        alike = _alike(_at(document, path), own)
        replacement = draw(st.one_of(alike, alike, st.sampled_from(own) if own else json_values, json_values))
        if not path:
            document = replacement if draw(st.booleans()) else [document]
            continue
        *parent_path, last = path
        parent = document
        for step in parent_path:
            parent = parent[step]
        action = draw(st.sampled_from(["replace"] * 4 + ["delete", "add", "duplicate", "wrap", "rename"]))
        if action == "replace":
            parent[last] = replacement
        elif action == "delete":
            del parent[last]
        elif action == "wrap":
            parent[last] = [parent[last]] if draw(st.booleans()) else {draw(st.sampled_from(KEYS)): parent[last]}
        elif isinstance(parent, list):
            parent.insert(last, copy.deepcopy(parent[last]) if action == "duplicate" else replacement)
        elif action == "rename":
            parent[draw(st.sampled_from(KEYS) | st.text(max_size=8))] = parent.pop(last)
        else:  # add, or duplicate (a key cannot repeat in plain data: a sibling key gets the value)
            parent[draw(st.sampled_from(KEYS + [str(k) for k in parent]))] = replacement if action == "add" else copy.deepcopy(parent[last])
    return document


def _packets() -> list[dict]:
    return [load_file(path).data for path in PACKET_FILES]


def packets() -> st.SearchStrategy[dict]:
    """A fixture packet, broken."""
    return st.sampled_from(_packets()).flatmap(broken)


@functools.cache
def rulebook_data() -> tuple[dict, dict, tuple[dict, ...]]:
    """The built-in rulebook as data: ladder.yaml, evidence.yaml, and levels/*.yaml in order."""
    return (load_file(RULES / LADDER_FILE).data, load_file(RULES / EVIDENCE_FILE).data,
            tuple(load_file(path).data for path in sorted((RULES / LEVELS_DIR).glob("*.yaml"))))


@st.composite
def rulebooks(draw) -> tuple[Any, Any, list[Any]]:
    """The built-in rulebook with a few of its files broken (each may become any shape), and
    sometimes a level file missing or doubled: (ladder, evidence, levels)."""
    ladder, evidence, levels = rulebook_data()
    documents = [ladder, evidence, *levels]
    for _ in range(draw(st.integers(1, 3))):
        index = draw(st.integers(0, len(documents) - 1))
        documents[index] = draw(broken(documents[index], (1, 1)))
    levels = documents[2:]
    change = draw(st.sampled_from(["none", "none", "drop", "double"]))
    if change != "none":
        index = draw(st.integers(0, len(levels) - 1))
        levels = levels[:index] + levels[index + 1:] if change == "drop" else levels + [levels[index]]
    return documents[0], documents[1], levels
