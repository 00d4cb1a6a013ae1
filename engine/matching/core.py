"""The fence around durable-rules: the only module that imports it.

durable-rules 2.0.28 is a fast Rete matcher with sharp edges (see the README and
`tests/matching/test_core.py`, which reproduces each). This module drives its C API directly, not its Python `Host`, and
offers a small vocabulary - facts, patterns of tests, rules - that cannot reach the edges:

- No `Host`: its timer threads can run actions on another thread, and it raises on an
  unmatched fact before running the matched facts' actions. Here every session is asserted in
  one batch, all its actions are drained, and the session is deleted, always (1024-session cap).
- Session state is never re-asserted (no `update_state`), and every pattern starts with a
  test on the fact's kind, so no rule can match the engine's own state fact: tests on `sid`/`id`
  and `$nex` cannot loop.
- User field names are namespaced (`f_<name>`); the engine's reserved names cannot be reached.
- Every fact carries its unique key, so no two facts have identical content, and an `id` of
  ours that no other fact of its session shares under the engine's 32-bit hash: the engine
  indexes a session's facts by that hash alone and drops a second fact with a taken one (see
  `fact_ids.FactIds`).
- Cross-fact comparisons ("beta" tests) are laid out so the engine evaluates them all: an
  always-true comparison ends them (the engine reads past its list when the last comparison of
  an `$and` is false, found with valgrind) and `$or`/`$and` groups come after them (an empty
  group's end marker ends the list early). See `_encode_pattern`.
- Rules are split into rulesets of at most `RULES_PER_RULESET`: more than 64 branches matching
  one fact overflow the engine's stack (error 303), and ~250 rules joining on one fact fail to
  build (error 108). Facts go only to the rulesets whose rules can use them.
- Every session runs at least one action (a sentinel rule) before it is deleted: the engine
  frees a new session's never-initialised action context on delete (found with valgrind).
- A `MemoryError` from the engine (its session table full) poisons the process: every later
  call raises `EngineFault`.
- Text tests (`contains_text`, `glob`) are answered when a fact is encoded, and the engine
  matches the answer: its regex compiler runs out of states (error 503) on plain text such as
  `.*aaaé.*` or `.*cccac.*` (text that repeats its own beginning), and cannot express `"`,
  `%`, `\\` or `]`."""
from __future__ import annotations

import hashlib
import itertools
import math
import weakref
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

import durable_rules_engine as _engine
import orjson

from engine.common.errors import EngineFault
from engine.matching.fact_ids import FactIds
from engine.matching.answers import TEXT_TESTS, predicate, sole_of

RULES_PER_RULESET = 48
CAP = 10_000  # matches per action: a rule's matches in a session arrive in one message
MAX_TESTS_PER_RULE = 30  # the engine's limit is 32 expressions; `$and` wrappers count too
MAX_FACT_FIELDS = 249  # the engine takes 254 properties (at 255 it loses facts or crashes); sid, id, k, fk and g are ours
_KIND, _KEY, _GUARD = "k", "fk", "g"
# Every session gets this fact and every ruleset a rule that matches it: see _Chunk.
_SESSION = {_KIND: "\u0000session", _KEY: "\u0000session", _GUARD: 1}
_SENTINEL = "sentinel"

_sessions = itertools.count(1)
_ruleset_names = itertools.count(1)
_poisoned: str | None = None


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


@dataclass(frozen=True)
class Fact:
    key: str
    kind: str
    fields: dict[str, Any]


Matches = dict[str, list[tuple[str, ...]]]  # rule name -> one tuple of fact keys per match


class Engine:
    """A compiled set of rules; `run(facts)` gives every match of every rule, in one session."""

    def __init__(self, rules: Sequence[Rule]):
        _check_alive()
        self.rules = list(rules)
        names = [rule.name for rule in self.rules]
        if len(set(names)) != len(names):
            raise ValueError("rule names must be unique")
        self._chunks: list[_Chunk] = []
        ordered = sorted(self.rules, key=lambda r: (sorted({p.kind for p in r.patterns}), r.name))
        for start in range(0, len(ordered), RULES_PER_RULESET):
            self._chunks.append(_Chunk(ordered[start:start + RULES_PER_RULESET]))
        self._finalizer = weakref.finalize(self, _delete_rulesets, [c.handle for c in self._chunks])

    def run(self, facts: Iterable[Fact]) -> Matches:
        matches: Matches = {rule.name: [] for rule in self.rules}
        for chunk, batch in self._batches(facts):
            chunk.run(batch, matches)
        return matches

    def drain_only(self, facts: Iterable[Fact]) -> int:
        """The engine's own cost, for benchmarks: the same sessions as `run`, but every action
        is a no-op (no message is decoded). Returns how many actions fired."""
        return sum(chunk.drain_only(batch) for chunk, batch in self._batches(facts))

    def _batches(self, facts: Iterable[Fact]):
        """Each ruleset with the facts it can use, carrying only the fields its rules test."""
        _check_alive()
        if not self._finalizer.alive:
            raise ValueError("this engine is closed")
        by_kind: dict[str, list[Fact]] = {}
        for fact in facts:
            if len(fact.fields) > MAX_FACT_FIELDS:
                raise ValueError(f"fact {fact.key} has {len(fact.fields)} fields; at most {MAX_FACT_FIELDS}")
            by_kind.setdefault(fact.kind, []).append(fact)
        sole = {kind: found[0] for kind, found in by_kind.items() if len(found) == 1}
        for chunk in self._chunks:
            batch = [chunk.encode(fact, sole) for kind in chunk.kinds for fact in by_kind.get(kind, ())]
            if batch:
                yield chunk, batch

    def close(self) -> None:
        self._finalizer()


class _Chunk:
    """One durable-rules ruleset holding at most RULES_PER_RULESET rules."""

    def __init__(self, rules: list[Rule]):
        self.names = {f"r{i}": rule for i, rule in enumerate(rules)}
        self.aliases = {short: tuple(p.alias for p in rule.patterns) for short, rule in self.names.items()}
        self.kinds = sorted({p.kind for rule in rules for p in rule.patterns})
        tests = [t for rule in rules for p in rule.patterns for t in p.tests]
        plain = [t for t in tests if not _answered(t)]
        fields = sorted({t.field for t in plain} | {t.value.field for t in plain if isinstance(t.value, Ref)})
        self.fields = [(field, _name(field)) for field in fields]
        # kind -> (answer's name, field, test, the kind of the fact a Ref value names, or None)
        self.texts: dict[str, list[tuple[str, str, Any, str | None]]] = {}
        answered = set()
        for rule in rules:
            kinds = {p.alias: p.kind for p in rule.patterns}
            answered |= {(p.kind, t, kinds[t.value.alias] if isinstance(t.value, Ref) else None)
                         for p in rule.patterns for t in p.tests if _answered(t)}
        for kind, test, other in sorted(answered, key=lambda kt: (kt[0], _text_name(kt[1]))):
            self.texts.setdefault(kind, []).append((_text_name(test), test.field, _text_test(test), other))
        widest = len(self.fields) + max((len(t) for t in self.texts.values()), default=0)
        if widest > MAX_FACT_FIELDS:
            raise ValueError(f"these rules test {widest} fields of one kind of fact; at most {MAX_FACT_FIELDS}")
        definition = {short: _encode_rule(rule) for short, rule in self.names.items()}
        definition[_SENTINEL] = {"all": [{"m": {_KIND: _SESSION[_KIND]}}]}
        try:
            self.handle = _engine.create_ruleset(f"ladder{next(_ruleset_names)}", orjson.dumps(_numbers(definition)).decode())
        except Exception as e:  # noqa: BLE001 - the C module raises bare Exceptions with codes
            raise EngineFault(f"durable-rules refused a ruleset ({e}); rules: {', '.join(r.name for r in rules)}") from None

    def encode(self, fact: Fact, sole: dict[str, Fact]) -> dict:
        """The fact as this ruleset sees it: the fields its rules test (smaller messages to
        decode), its kind, its key and the guard, with user fields namespaced. `sole`: the
        session's only fact of each kind that has one, for answers against another fact."""
        get = fact.fields.get
        encoded = {name: _number(v) if type(v) in _NUMBERS else v for field, name in self.fields if (v := get(field)) is not None}
        for name, field, holds, other in self.texts.get(fact.kind, ()):
            if (v := get(field)) is not None:
                encoded[name] = holds(v, None if other is None else sole_of(sole, other).fields)
        encoded[_KIND] = fact.kind
        encoded[_KEY] = fact.key
        encoded[_GUARD] = 1
        return encoded

    def run(self, batch: list[dict], matches: Matches) -> None:
        """One session: assert the batch, drain every action, delete the session.

        The engine never initialises a new session's action context and frees it on delete:
        deleting a session in which no action ever ran frees a garbage pointer (found with
        valgrind; it aborts the process when the pool's memory was used before). The sentinel
        rule fires in every session, and a session whose sentinel did not fire is not deleted."""
        global _poisoned
        sid, batch = _session(batch)
        sentinel_fired = False
        try:
            code, state = _engine.assert_facts(self.handle, _dumps(batch))
            if code == 2:  # cannot happen with _FactIds' ids; if it does, a match may be lost
                raise EngineFault("durable-rules refused a fact as one it had already seen in the session")
            result = _engine.start_action_for_state(self.handle, state)
            while result:
                for short, frames in orjson.loads(result[1]).items():
                    if short == _SENTINEL:
                        sentinel_fired = True
                        continue
                    found = matches[self.names[short].name]
                    if not isinstance(frames, list):
                        frames = [frames]
                    aliases = self.aliases[short]
                    if len(aliases) == 1:  # most rules: the probes test one fact
                        alias = aliases[0]
                        found.extend((frame[alias][_KEY],) for frame in frames)
                    else:
                        found.extend(tuple(frame[a][_KEY] for a in aliases) for frame in frames)
                following = _engine.complete_and_start_action(self.handle, state)
                result = (None, following) if following else None
            if not sentinel_fired:
                _poisoned = "a session ran no action, and deleting it would free a garbage pointer"
                raise EngineFault(_poisoned)
            _engine.delete_state(self.handle, sid)
        except MemoryError:
            _poisoned = "durable-rules ran out of session slots"
            raise EngineFault(_poisoned) from None
        except EngineFault:
            raise
        except Exception as e:  # noqa: BLE001
            raise EngineFault(f"durable-rules failed while matching: {e}") from None


    def drain_only(self, batch: list[dict]) -> int:
        sid, batch = _session(batch)
        _, state = _engine.assert_facts(self.handle, _dumps(batch))
        fired = 0
        result = _engine.start_action_for_state(self.handle, state)
        while result:
            fired += 1
            result = _engine.complete_and_start_action(self.handle, state)
        _engine.delete_state(self.handle, sid)
        return fired


def _session(batch: list[dict]) -> tuple[str, list[dict]]:
    """A new session's id, and the batch with the session's own fact, each fact given the
    session and an id of its own (see `fact_ids.FactIds`)."""
    sid = f"s{next(_sessions)}"
    batch = [*batch, dict(_SESSION)]
    for fact, fact_id in zip(batch, _FACT_IDS.for_session(len(batch), sid)):
        fact["sid"] = sid
        fact["id"] = fact_id
    return sid, batch


_FACT_IDS = FactIds()


def _dumps(messages: list[dict]) -> str:
    """Messages as JSON for the engine (orjson: several times faster than json on this hot path)."""
    return orjson.dumps(messages).decode()


_NUMBERS = (int, float)  # exact types: a bool is not a number here


def _numbers(value: Any) -> Any:
    """`value` with every number in it written as `_number` writes it (for rule definitions)."""
    if isinstance(value, dict):
        return {k: _numbers(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_numbers(v) for v in value]
    return _number(value) if type(value) in _NUMBERS else value


def _number(value: int | float) -> Any:
    """A number written so that the engine's parser reads it right: it refuses an exponent
    without a fraction (`1e-07`, error 204) and clamps integers beyond 64 bits (so -10**21 would
    equal -10**20), which go as floats instead (orjson refuses them anyway)."""
    if type(value) is int:
        if -2**63 <= value < 2**63:
            return value
        value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{value} cannot be given to the engine")  # the loaders refuse these
    text = repr(value)
    mantissa, e, exponent = text.partition("e")
    return orjson.Fragment(f"{mantissa}.0e{exponent}") if e and "." not in mantissa else value


def _check_alive() -> None:
    if _poisoned:
        raise EngineFault(f"the rules engine is unusable in this process: {_poisoned}")


def _delete_rulesets(handles: list[int]) -> None:
    for handle in handles:
        try:
            _engine.delete_ruleset(handle)
        except Exception:  # noqa: BLE001 - best effort at shutdown
            pass


# ---------------------------------------------------------------------------------- encoding

def _name(field: str) -> str:
    return "f_" + field


def _text_name(test: Test) -> str:
    """The field carrying a text test's answer (`t_`: apart from user fields and the engine's)."""
    return "t_" + hashlib.blake2s(repr((test.field, test.op, test.value)).encode(), digest_size=8).hexdigest()


def _answered(test: Test) -> bool:
    """Tests answered when a fact is encoded (see `answers`)."""
    return test.op in TEXT_TESTS or (test.op == "has_item" and isinstance(test.value, Ref))


def _text_test(test: Test):
    ref = test.value.field if isinstance(test.value, Ref) else None
    return predicate(test.op, test.value, ref)


def _encode_rule(rule: Rule) -> dict:
    count = sum(len(p.tests) + 3 for p in rule.patterns)
    if count > MAX_TESTS_PER_RULE:
        raise ValueError(f"rule {rule.name} has {count} expressions; durable-rules allows 32")
    return {"all": [{p.alias: _encode_pattern(p)} for p in rule.patterns], "cap": CAP}


def _encode_pattern(pattern: Pattern) -> dict:
    """`$and` of: the kind, plain tests, cross-fact tests, the guard, then `$or`/`$and` groups.

    The order matters to durable-rules. It evaluates cross-fact tests from a list in which
    every `$or`/`$and` group leaves a marker, and an empty group's end marker ends the whole
    list early: cross-fact tests after a group are silently skipped (a record outside its
    window counted). Groups go last. The guard comes right after the cross-fact tests: the
    engine reads past a list whose last test is false."""
    encoded = [_encode_test(t) for t in pattern.tests]
    cross = [isinstance(t.value, Ref) and not _answered(t) for t in pattern.tests]  # answered: a plain test
    plain = [e for c, e in zip(cross, encoded) if not c and not _is_group(e)]
    groups = [e for c, e in zip(cross, encoded) if not c and _is_group(e)]
    beta = [e for c, e in zip(cross, encoded) if c]
    if beta:
        anchor = next(t.value.alias for t, c in zip(pattern.tests, cross) if c)
        beta.append({_GUARD: {anchor: _GUARD}})
    return {"$and": [{_KIND: pattern.kind}, *plain, *beta, *groups]}


def _is_group(encoded: dict) -> bool:
    return "$or" in encoded or "$and" in encoded


_COMPARE = {"ne": "$neq", "lt": "$lt", "lte": "$lte", "gt": "$gt", "gte": "$gte"}


def _value(value: Any) -> Any:
    return {value.alias: _name(value.field)} if isinstance(value, Ref) else value


def _encode_test(test: Test) -> dict:
    field, op, value = _name(test.field), test.op, test.value
    if _answered(test):
        return {_text_name(test): True}
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


_NEVER = {_KIND: "\u0000never"}
