"""Core's vocabulary - patterns of tests, rules - and how it is written for durable-rules.

Pure Python (only `core` imports durable-rules): the ruleset definition a `core.Engine`
hands the engine, and the numbers in facts. The faults of durable-rules 2.0.28 that this
writing keeps out of reach (each reproduced in `tests/matching/test_core.py`):

- Every pattern starts with a test on the fact's kind, so no rule can match the engine's own
  state fact: tests on `sid`/`id` and `$nex` cannot loop.
- User field names are namespaced (`f_<name>`); the engine's reserved names cannot be reached.
- Cross-fact comparisons ("beta" tests) are laid out so the engine evaluates them all: an
  always-true comparison ends them (the engine reads past its list when the last comparison of
  an `$and` is false, found with valgrind) and `$or`/`$and` groups come after them (an empty
  group's end marker ends the list early). See `encode_pattern`.
- A rule has at most 32 expressions (`MAX_TESTS_PER_RULE`, `$and` wrappers included).
- Numbers are written so the engine's parser reads them right (`number`).
- Text tests (`contains_text`, `glob`) are answered when a fact is encoded, and the engine
  matches the answer: its regex compiler runs out of states (error 503) on plain text such as
  `.*aaaé.*` or `.*cccac.*` (text that repeats its own beginning), and cannot express `"`,
  `%`, `\\` or `]`."""
from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from typing import Any

import orjson

from engine.matching.answers import TEXT_TESTS, predicate

CAP = 10_000  # matches per action: a rule's matches in a session arrive in one message
MAX_TESTS_PER_RULE = 30  # the engine's limit is 32 expressions; `$and` wrappers count too
KIND, KEY, GUARD = "k", "fk", "g"
INT_MIN, INT_MAX = -2**63, 2**63 - 1  # the integers the engine reads as they are (beyond: clamped)


@dataclass(frozen=True)
class Ref:
    """The value of `field` on the fact matched by the earlier pattern `alias`."""

    alias: str
    field: str


@dataclass(frozen=True)
class Test:
    """`field op value`. A test on an absent field fails, except `absent` (and `not_in ()`
    which needs the field present). Ops: eq ne lt lte gt gte in not_in present absent never,
    has_item (a list holds the value), contains_text (literal substring), and glob (a full
    match where `*` is any text and everything else is literal). Text tests on a value that is
    not text fail."""

    field: str
    op: str
    value: Any = None  # a Ref: the other pattern's field; has_item and contains_text with a Ref
    # are answered at encode time against the session's only fact of that pattern's kind


@dataclass(frozen=True)
class Pattern:
    alias: str
    kind: str
    tests: tuple[Test, ...]


@dataclass(frozen=True)
class Rule:
    name: str
    patterns: tuple[Pattern, ...]


NUMBERS = (int, float)  # exact types: a bool is not a number here


def numbers(value: Any) -> Any:
    """`value` with every number in it written as `number` writes it (for rule definitions)."""
    if isinstance(value, dict):
        return {k: numbers(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [numbers(v) for v in value]
    return number(value) if type(value) in NUMBERS else value


def number(value: int | float) -> Any:
    """A number written so that the engine's parser reads it right: it refuses an exponent
    without a fraction (`1e-07`, error 204) and clamps integers beyond 64 bits (so -10**21 would
    equal -10**20), which go as floats instead (orjson refuses them anyway)."""
    if type(value) is int:
        if INT_MIN <= value <= INT_MAX:
            return value
        value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{value} cannot be given to the engine")  # the loaders refuse these
    text = repr(value)
    mantissa, e, exponent = text.partition("e")
    return orjson.Fragment(f"{mantissa}.0e{exponent}") if e and "." not in mantissa else value


def name(field: str) -> str:
    return "f_" + field


def text_name(test: Test) -> str:
    """The field carrying a text test's answer (`t_`: apart from user fields and the engine's)."""
    return "t_" + hashlib.blake2s(repr((test.field, test.op, test.value)).encode(), digest_size=8).hexdigest()


def answered(test: Test) -> bool:
    """Tests answered when a fact is encoded (see `answers`)."""
    return test.op in TEXT_TESTS or (test.op == "has_item" and isinstance(test.value, Ref))


def text_test(test: Test):
    ref = test.value.field if isinstance(test.value, Ref) else None
    return predicate(test.op, test.value, ref)


def encode_rule(rule: Rule) -> dict:
    count = sum(len(p.tests) + 3 for p in rule.patterns)
    if count > MAX_TESTS_PER_RULE:
        raise ValueError(f"rule {rule.name} has {count} expressions; durable-rules allows 32")
    return {"all": [{p.alias: encode_pattern(p)} for p in rule.patterns], "cap": CAP}


def encode_pattern(pattern: Pattern) -> dict:
    """`$and` of: the kind, plain tests, cross-fact tests, the guard, then `$or`/`$and` groups.

    The order matters to durable-rules. It evaluates cross-fact tests from a list in which
    every `$or`/`$and` group leaves a marker, and an empty group's end marker ends the whole
    list early: cross-fact tests after a group are silently skipped (a record outside its
    window counted). Groups go last. The guard comes right after the cross-fact tests: the
    engine reads past a list whose last test is false."""
    encoded = [_encode_test(t) for t in pattern.tests]
    cross = [isinstance(t.value, Ref) and not answered(t) for t in pattern.tests]  # answered: a plain test
    plain = [e for c, e in zip(cross, encoded) if not c and not _is_group(e)]
    groups = [e for c, e in zip(cross, encoded) if not c and _is_group(e)]
    beta = [e for c, e in zip(cross, encoded) if c]
    if beta:
        anchor = next(t.value.alias for t, c in zip(pattern.tests, cross) if c)
        beta.append({GUARD: {anchor: GUARD}})
    return {"$and": [{KIND: pattern.kind}, *plain, *beta, *groups]}


def _is_group(encoded: dict) -> bool:
    return "$or" in encoded or "$and" in encoded


_COMPARE = {"ne": "$neq", "lt": "$lt", "lte": "$lte", "gt": "$gt", "gte": "$gte"}


def _value(value: Any) -> Any:
    return {value.alias: name(value.field)} if isinstance(value, Ref) else value


def _encode_test(test: Test) -> dict:
    field, op, value = name(test.field), test.op, test.value
    if answered(test):
        return {text_name(test): True}
    if op == "eq":
        return {field: _value(value)}
    if op in _COMPARE:
        return {_COMPARE[op]: {field: _value(value)}}
    if op == "in":
        if len(value) == 1:
            return {field: value[0]}
        return {"$or": [{field: v} for v in value]} if value else _NEVER
    if op == "not_in":
        if len(value) == 1:
            return {"$neq": {field: value[0]}}
        return {"$and": [{"$neq": {field: v}} for v in value]} if value else {"$ex": {field: 1}}
    if op == "has_item":
        return {"$iany": {field: {"$i": value}}}
    if op == "present":
        return {"$ex": {field: 1}}
    if op == "absent":
        return {"$nex": {field: 1}}  # safe: the pattern's kind test keeps the state fact out
    if op == "never":
        return _NEVER
    raise ValueError(f"unknown test operator {op!r}")


_NEVER = {KIND: "\u0000never"}
