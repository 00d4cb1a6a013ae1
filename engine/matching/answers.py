"""Tests that `core` answers when it encodes a fact, and the engine then matches the answer:
text tests (durable-rules' regex compiler cannot take arbitrary text), and a list holding
another fact's field (durable-rules refuses `$iany` on a reference to another pattern, error
102). Plain predicates, apart from the engine fence, so they can be tested on their own."""
from __future__ import annotations

from typing import Any, Callable

from engine.matching.glob import glob_matches

TEXT_TESTS = ("contains_text", "glob")


def predicate(op: str, value: Any, other_field: str | None) -> Callable[[Any, dict | None], bool]:
    """The test as a predicate on the fact's value and, with `other_field` (the test's value is
    a reference), the other fact's fields: a literal substring, a glob (see `glob_matches`), or
    a list holding the other's value. Text tests on a value that is not text fail, as a test
    against a field the other fact lacks does."""
    if other_field is not None:
        if op == "has_item":
            return lambda items, fields: type(items) is list and (v := fields.get(other_field)) is not None and v in items
        return lambda text, fields: type(text) is str and type(v := fields.get(other_field)) is str and v in text
    if op == "contains_text":
        return lambda text, _: type(text) is str and value in text
    return lambda text, _: type(text) is str and glob_matches(value, text)


def sole_of(sole: dict[str, Any], kind: str) -> Any:
    """The one fact of `kind` that an answered test compares with: the answer is computed once
    per fact, so it can only be against a kind with exactly one fact in the session."""
    if kind not in sole:
        raise ValueError(f"a test compares with the one fact of kind {kind!r}, but the session has not exactly one")
    return sole[kind]
