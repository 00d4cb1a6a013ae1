"""A rulebook's problems are collected before any is reported: a condition checked once per
evidence type counted together finds the same problem several times. `Problems` holds each once,
in the order first found (LadderError sorts and dedups again when they are reported; holding
them once keeps a rulebook with many errors from holding and sorting every repeat)."""
from __future__ import annotations

from engine.reading.load import load_json_text
from engine.reading.problems import Problems


def test_a_problem_found_again_is_held_once_where_it_was_first_found():
    doc = load_json_text('{\n "a": 1,\n "b": 2\n}\n', "levels.json")
    problems = Problems()
    problems.error(doc, ("b",), "b is wrong", "x.b")
    problems.error(doc, ("a",), "a is wrong", "x.a")
    problems.error(doc, ("b",), "b is wrong", "x.b")
    problems.error(doc, ("a",), "a is wrong again", "x.a")  # another message: another problem
    assert [(d.line, d.col, d.message) for d in problems.found] == [(3, 7, "b is wrong"), (2, 7, "a is wrong"),
                                                                   (2, 7, "a is wrong again")]
