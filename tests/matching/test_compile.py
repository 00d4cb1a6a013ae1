"""Compilation: one main rule per criterion, one probe per condition, nothing compiled twice."""
from __future__ import annotations

from engine.matching import core
from engine.matching.compile import OPPORTUNITY, compiled
from engine.reading.model import CountCriterion, SumCriterion


def test_every_condition_of_a_criterion_has_a_probe_rule(book):
    level = compiled(book, "staff-engineer")
    criterion = {c.id: c for c in level.rules.criteria()}["design-for-led-project"]
    (plan,) = level.records[criterion.id]
    # not disputed (the rulebook's `disputed: hold`: a design doc counts in the candidate's
    # favour), status, scope, the implied `project` present, the window, the as-of bound; then
    # the linked project's own: not disputed, its role and its as-of bound.
    assert [(c.kind, c.term.field if c.term else None) for c in plan.conditions] == [
        ("disputed", None), ("term", "status"), ("term", "scope"), ("term", "project"), ("window", None), ("as_of", None)]
    assert [(c.kind, c.term.field if c.term else None) for c in plan.linked_conditions] == [
        ("disputed", None), ("term", "role"), ("as_of", None)]
    names = {rule.name for rule in level.engine.rules}
    assert plan.rule in names and all(c.rule in names for c in plan.conditions + plan.linked_conditions)


def test_identical_conditions_across_criteria_compile_once(book):
    level = compiled(book, "principal-engineer")
    patterns = [rule.patterns for rule in level.engine.rules]
    assert len(patterns) == len(set(patterns))
    # `role: lead` on a project appears in several criteria, and is probed by one rule.
    probes = {c.rule for plans in level.records.values() for plan in plans for c in plan.conditions
              if c.term is not None and (c.term.field, c.term.op, c.term.value) == ("role", "eq", "lead")}
    assert len(probes) == 1


def test_each_level_is_compiled_once_per_rulebook(book):
    assert compiled(book, "developer") is compiled(book, "developer")


def test_every_level_of_the_default_rulebook_fits_the_engine_limits(book):
    for level_id in book.rules:
        level = compiled(book, level_id)
        assert all(len(chunk.names) <= core.RULES_PER_RULESET for chunk in level.engine._chunks)
        counted = [c for c in level.rules.criteria() if isinstance(c, (CountCriterion, SumCriterion))]
        assert {key for key in level.records if not key.startswith(OPPORTUNITY)} == {c.id for c in counted}
