"""The fence around durable-rules: the only module that imports it.

durable-rules 2.0.28 is a fast Rete matcher with sharp edges (see the README and
`tests/matching/test_core.py`, which reproduces each). This module drives its C API directly,
not its Python `Host`, and offers a small vocabulary - facts, patterns of tests, rules - that cannot reach the edges:

- No `Host`: its timer threads can run actions on another thread, and it raises on an
  unmatched fact before running the matched facts' actions. Here every session is asserted in
  one batch, all its actions are drained, and the session is deleted, always (1024-session cap).
- Session state is never re-asserted (no `update_state`), and no rule can match the engine's
  own state fact; how rules and numbers are written for the engine (the kind test first, user
  fields namespaced, cross-fact comparisons laid out, text tests answered when a fact is
  encoded), and the faults that writing avoids, is `encoding`'s.
- Every fact carries its unique key, so no two facts have identical content, and an `id` of
  ours that no other fact of its session shares under the engine's 32-bit hash: the engine
  indexes a session's facts by that hash alone and drops a second fact with a taken one (see
  `fact_ids.FactIds`).
- Rules are split into rulesets of at most `RULES_PER_RULESET`: more than 64 branches matching
  one fact overflow the engine's stack (error 303), and ~250 rules joining on one fact fail to
  build (error 108). Facts go only to the rulesets whose rules can use them.
- Every session runs at least one action (a sentinel rule) before it is deleted: the engine
  frees a new session's never-initialised action context on delete (found with valgrind).
- A `MemoryError` from the engine (its session table full) poisons the process: every later
  call raises `EngineFault`."""
from __future__ import annotations

import itertools
import re
import weakref
from typing import Any, Iterable, NamedTuple, Sequence

import durable_rules_engine as _engine
import orjson

from engine.common.errors import EngineFault
from engine.matching.answers import sole_of
from engine.matching.encoding import GUARD as _GUARD
from engine.matching.encoding import INT_MAX as _INT_MAX
from engine.matching.encoding import INT_MIN as _INT_MIN
from engine.matching.encoding import KEY as _KEY
from engine.matching.encoding import KIND as _KIND
from engine.matching.encoding import NUMBERS as _NUMBERS
from engine.matching.encoding import Pattern, Ref, Rule, Test, answered, encode_rule, name, number, numbers, text_name, text_test
from engine.matching.fact_ids import FactIds

# The vocabulary (`encoding`'s) is core's to offer: callers say `core.Rule`, `core.Test`.
__all__ = ["Engine", "Fact", "Matches", "Pattern", "Ref", "Rule", "Test", "MAX_FACT_FIELDS", "RULES_PER_RULESET"]

RULES_PER_RULESET = 48
MAX_FACT_FIELDS = 249  # the engine takes 254 properties (at 255 it loses facts or crashes); sid, id, k, fk and g are ours
# Every session gets this fact and every ruleset a rule that matches it: see _Chunk.
_SESSION = {_KIND: "\u0000session", _KEY: "\u0000session", _GUARD: 1}
_SENTINEL = "sentinel"

_sessions = itertools.count(1)
_ruleset_names = itertools.count(1)
_poisoned: str | None = None


class Fact(NamedTuple):  # a tuple: built for every record of every packet, several times faster than a dataclass
    """A fact: its key (one fact a key in a run), its kind, and its fields (text, numbers,
    booleans, or lists of those; None is an absent field)."""

    key: str
    kind: str
    fields: dict[str, Any]


Matches = dict[str, list[tuple[str, ...]]]  # rule name -> one tuple of fact keys per match


class Engine:
    """A compiled set of rules; `run(facts)` gives every match of every rule, in one session."""

    def __init__(self, rules: Sequence[Rule]):
        _check_alive()
        self.rules = list(rules)
        self._names = names = [rule.name for rule in self.rules]
        if len(set(names)) != len(names):
            raise ValueError("rule names must be unique")
        patterns = [(rule, p) for rule in self.rules for p in rule.patterns]
        self.kinds = frozenset(p.kind for _, p in patterns)  # a fact of another kind matches nothing
        # Fields any rule reads, on any fact (the others cannot change a match).
        self.fields = frozenset({t.field for _, p in patterns for t in p.tests}
                                | {t.value.field for _, p in patterns for t in p.tests if isinstance(t.value, Ref)})
        self._chunks: list[_Chunk] = []
        ordered = sorted(self.rules, key=lambda r: (sorted({p.kind for p in r.patterns}), r.name))
        for start in range(0, len(ordered), RULES_PER_RULESET):
            self._chunks.append(_Chunk(ordered[start:start + RULES_PER_RULESET]))
        self._finalizer = weakref.finalize(self, _delete_rulesets, [c.handle for c in self._chunks])

    def run(self, facts: Iterable[Fact]) -> Matches:
        """Every match of every rule: the keys of its facts, in the order of the rule's patterns."""
        matches: Matches = {name: [] for name in self._names}
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
            batch = [message for kind in chunk.kinds if kind in by_kind for message in chunk.encode(kind, by_kind[kind], sole)]
            if batch:
                yield chunk, batch

    def close(self) -> None:
        self._finalizer()


class _Chunk:
    """One durable-rules ruleset holding at most RULES_PER_RULESET rules."""

    def __init__(self, rules: list[Rule]):
        self.names = {f"r{i}": rule for i, rule in enumerate(rules)}
        # short name -> (rule, facts in a match); the sentinel's matches are none of ours
        self.decoding = {short: (rule.name, len(rule.patterns)) for short, rule in self.names.items()}
        self.decoding[_SENTINEL] = ("", 0)
        self.kinds = sorted({p.kind for rule in rules for p in rule.patterns})
        # kind -> (field, its name in the engine) for each field its rules test on a fact of that
        # kind, or compare with from another: the fields an encoded fact carries (fewer to parse
        # and decode; a rule's test reads only the fact its pattern matched)
        tested: dict[str, set[str]] = {}
        for rule in rules:
            kinds = {p.alias: p.kind for p in rule.patterns}
            for p in rule.patterns:
                for t in p.tests:
                    if not answered(t):
                        tested.setdefault(p.kind, set()).add(t.field)
                        if isinstance(t.value, Ref):
                            tested.setdefault(kinds[t.value.alias], set()).add(t.value.field)
        self.fields = {kind: [(field, name(field)) for field in sorted(fields)] for kind, fields in tested.items()}
        # kind -> (answer's name, field, test, the kind of the fact a Ref value names, or None)
        self.texts: dict[str, list[tuple[str, str, Any, str | None]]] = {}
        texts = set()
        for rule in rules:
            kinds = {p.alias: p.kind for p in rule.patterns}
            texts |= {(p.kind, t, kinds[t.value.alias] if isinstance(t.value, Ref) else None)
                      for p in rule.patterns for t in p.tests if answered(t)}
        for kind, test, other in sorted(texts, key=lambda kt: (kt[0], text_name(kt[1]))):
            self.texts.setdefault(kind, []).append((text_name(test), test.field, text_test(test), other))
        widest = max((len(self.fields.get(kind, ())) + len(self.texts.get(kind, ())) for kind in self.kinds), default=0)
        if widest > MAX_FACT_FIELDS:
            raise ValueError(f"these rules test {widest} fields of one kind of fact; at most {MAX_FACT_FIELDS}")
        definition = {short: encode_rule(rule) for short, rule in self.names.items()}
        definition[_SENTINEL] = {"all": [{"m": {_KIND: _SESSION[_KIND]}}]}
        try:
            self.handle = _engine.create_ruleset(f"ladder{next(_ruleset_names)}", orjson.dumps(numbers(definition)).decode())
        except Exception as e:  # noqa: BLE001 - the C module raises bare Exceptions with codes
            raise EngineFault(f"durable-rules refused a ruleset ({e}); rules: {', '.join(r.name for r in rules)}") from None

    def encode(self, kind: str, facts: list[Fact], sole: dict[str, Fact]) -> list[dict]:
        """Facts of one kind as this ruleset sees them: the fields its rules test (smaller
        messages to decode), the kind, the fact's key and the guard, with user fields namespaced.
        `sole`: the session's only fact of each kind that has one, for answers against another
        fact. A kind at a time: what the kind decides is looked up once, not once a fact."""
        fields, texts = self.fields.get(kind, ()), self.texts.get(kind, ())
        encoded = []
        for fact in facts:
            get = fact.fields.get
            # text, booleans and 64-bit integers (most numbers: day numbers) go as they are (see _value)
            message = {short: v if (t := type(v)) is str or (t is int and _INT_MIN <= v <= _INT_MAX) or t is bool else _value(v)
                       for field, short in fields if (v := get(field)) is not None}
            for short, field, holds, other in texts:
                if (v := get(field)) is not None:
                    message[short] = holds(v, None if other is None else sole_of(sole, other).fields)
            message[_KIND] = kind
            message[_KEY] = fact.key
            message[_GUARD] = 1
            encoded.append(message)
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
            key_of = {fact["id"]: fact[_KEY] for fact in batch}
            decoding, findall = self.decoding, _FACT_END.findall
            message = _engine.start_action_for_state(self.handle, state)
            message = message and message[1]
            while message:
                rule, width = decoding[message[2:message.index('"', 2)]]  # {"<rule>": a frame, or a list of them}
                if width == 1:  # most rules: one fact a match
                    matches[rule].extend(zip(map(key_of.__getitem__, findall(message))))
                elif width:
                    ids = findall(message)
                    if len(ids) % width:
                        raise EngineFault(f"durable-rules reported {len(ids)} facts for {width}-fact matches of {rule}")
                    keys = map(key_of.__getitem__, ids)
                    matches[rule].extend(zip(*[keys] * width))  # each frame's facts in pattern order
                else:
                    sentinel_fired = True
                message = _engine.complete_and_start_action(self.handle, state)
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


# How `run` reads an action's message without parsing it: the engine writes each matched fact as
# the very text it was given (src/rules/state.c, serializeResultFrame), frame by frame, the facts
# of a frame in the order of the rule's patterns. Every fact of ours ends with its id (`_session`
# adds it last), and its values hold no object (`_value`), so `"id":"<digits>"}` marks the end
# of a fact and nothing else: inside a text value a quote is escaped, so the quote after `id`
# closes a key, and no key of ours or of a user (`f_...`) but `id` comes last in a fact.
_FACT_END = re.compile(r'"id":"(\d+)"}')
_SCALARS = frozenset((str, bool, int, float))


def _value(value: Any) -> Any:
    """A fact's value as the engine is given it: a number written by `number`, a list of
    scalars as it is; an object (anywhere) is refused, so `_FACT_END` marks only our facts."""
    kind = type(value)
    if kind in (str, bool):  # `encode` passes these, and 64-bit integers, itself: this is the whole rule
        return value
    if kind in _NUMBERS:
        return number(value)
    if kind in (list, tuple) and all(type(item) in _SCALARS for item in value):
        return value
    raise ValueError(f"a fact's field holds {value!r}; facts hold text, numbers, booleans and lists of those")


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


def _check_alive() -> None:
    if _poisoned:
        raise EngineFault(f"the rules engine is unusable in this process: {_poisoned}")


def _delete_rulesets(handles: list[int]) -> None:
    for handle in handles:
        try:
            _engine.delete_ruleset(handle)
        except Exception:  # noqa: BLE001 - best effort at shutdown
            pass
