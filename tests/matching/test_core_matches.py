"""How `core` reads a match from durable-rules' action messages: by the end of each fact's
text (`"id":"<digits>"}`), not by parsing the message. The property below runs the same
sessions and reads every message both ways - the fast reading `Engine.run` returns, and the
whole JSON parsed with the matched facts taken by pattern alias, as core read them before -
on facts whose text, field names and keys look like the marker, quotes and braces included."""
from __future__ import annotations

import contextlib

import durable_rules_engine
import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.matching import core

# Rules of one, two and three facts, of one kind or several, with cross-fact comparisons, so a
# frame's facts must come out in the order of the rule's patterns. (A comparison with a field
# the other fact lacks makes the engine fail, error 311: compile has the field `present`.)
RULES = [
    core.Rule("one", (core.Pattern("m", "rec", (core.Test("t", "present"),)),)),
    *(core.Rule(f"named {name}", (core.Pattern("m", "rec", (core.Test(name, "present"),)),)) for name in ["id", 'x"id', 'id"}', "sid", "fk"]),
    core.Rule("two-kinds", (core.Pattern("m", "rec", (core.Test("n", "gte", 1),)), core.Pattern("d", "doc", ()))),
    core.Rule("same-kind", (core.Pattern("a", "rec", (core.Test("n", "present"),)), core.Pattern("b", "rec", (core.Test("n", "lt", core.Ref("a", "n")),)))),
    core.Rule("three", (core.Pattern("c", "ctx", ()), core.Pattern("m", "rec", (core.Test("n", "gte", core.Ref("c", "low")),)),
                        core.Pattern("d", "doc", (core.Test("t", "present"),)))),
]
_TRICKY = st.text(alphabet='"\\{}:,[]id0123456789 é', max_size=14)
_VALUES = st.one_of(_TRICKY, st.integers(-3, 3), st.booleans(), st.lists(_TRICKY, max_size=3), st.from_regex(r"\A[0-9]{1,2}\Z"),
                    st.sampled_from(['"id":"1"}', 'x","id":"0"}', '{"id":"2"}', '\\"id\\":\\"3\\"}']))
# `n` is compared across facts: numbers only (the engine fails, error 311, on text against a number).
_FIELDS = st.fixed_dictionaries({}, optional={"n": st.integers(-3, 3), **{name: _VALUES for name in ["t", "id", 'x"id', "sid", "fk", 'id"}']}})


@contextlib.contextmanager
def messages_seen():
    """Every action message the engine hands `core`, in order."""
    seen: list[str] = []
    start, following = durable_rules_engine.start_action_for_state, durable_rules_engine.complete_and_start_action

    def first(handle, state):
        result = start(handle, state)
        if result:
            seen.append(result[1])
        return result

    def then(handle, state):
        result = following(handle, state)
        if result:
            seen.append(result)
        return result

    durable_rules_engine.start_action_for_state, durable_rules_engine.complete_and_start_action = first, then
    try:
        yield seen
    finally:
        durable_rules_engine.start_action_for_state, durable_rules_engine.complete_and_start_action = start, following


def parsed(engine: core.Engine, seen: list[str]) -> core.Matches:
    """The messages parsed whole, each match's facts taken by alias in pattern order."""
    rules = {short: rule for chunk in engine._chunks for short, rule in chunk.names.items()}
    matches: core.Matches = {rule.name: [] for rule in engine.rules}
    for message in seen:
        for short, frames in orjson.loads(message).items():
            if short in rules:
                rule = rules[short]
                for frame in frames if isinstance(frames, list) else [frames]:
                    matches[rule.name].append(tuple(frame[p.alias]["fk"] for p in rule.patterns))
    return matches


ENGINE = core.Engine(RULES)


@settings(max_examples=300, deadline=None)
@given(records=st.lists(st.tuples(_TRICKY, _FIELDS), max_size=6), docs=st.lists(st.tuples(_TRICKY, _FIELDS), max_size=3),
       low=st.integers(-3, 3))
def test_matches_read_from_the_facts_text_are_the_matches_in_the_message(records, docs, low):
    facts = [core.Fact("ctx", "ctx", {"low": low})]
    facts += [core.Fact(f"r{n}{key}", "rec", fields) for n, (key, fields) in enumerate(records)]
    facts += [core.Fact(f"d{n}{key}", "doc", fields) for n, (key, fields) in enumerate(docs)]
    with messages_seen() as seen:
        matches = ENGINE.run(facts)
    assert matches == parsed(ENGINE, seen)


def test_a_three_fact_match_lists_its_facts_in_the_rule_s_order():
    facts = [core.Fact("doc", "doc", {"t": 1}), core.Fact("rec", "rec", {"n": 5}), core.Fact("ctx", "ctx", {"low": 0})]
    assert ENGINE.run(facts)["three"] == [("ctx", "rec", "doc")]


@pytest.mark.parametrize("value", [{"id": "1"}, ["a", {"id": "1"}], [["a"]]])
def test_a_field_holding_an_object_is_refused_before_it_reaches_the_engine(value):
    # An object inside a fact could hold the very text that marks a fact's end.
    with pytest.raises(ValueError, match="facts hold text, numbers, booleans and lists of those"):
        ENGINE.run([core.Fact("a", "rec", {"t": value})])
