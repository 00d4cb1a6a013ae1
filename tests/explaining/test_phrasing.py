"""The rules in plain words (`requirement`): what the published framework's rule lines say, and
what an explanation says for a criterion its author did not describe."""
from __future__ import annotations

from dataclasses import replace

import pytest

from engine.explaining.phrasing import requirement
from engine.reading.model import CompositeCriterion, CountCriterion, Link, Pos, RecordMatch, Term, Window

HERE = Pos("rules/levels/x.yaml", 1, 1)


def count(evidence: str, at_least: int = 1, terms: tuple = (), link: Link | None = None, months: int | None = 12) -> CountCriterion:
    return CountCriterion(id="c", description="", pos=HERE, at_least=at_least,
                          match=RecordMatch(evidence, terms, Window(months, "months") if months else None, link))


def criterion(book, level: str, criterion_id: str):
    return next(c for c in book.rules[level].criteria() if c.id == criterion_id)


def test_one_record_reads_with_its_article_and_a_link_reads_as_what_it_is_for(book):
    assert requirement(book, criterion(book, "senior-developer", "design-for-led-project")) == \
        "a design doc where status is approved, for a project where role is lead, in the last 24 months"
    assert requirement(book, count("incident", terms=(Term("role", "eq", "commander"),))) == \
        "an incident where role is commander, in the last 12 months"
    assert requirement(book, count("project", at_least=2, months=None)) == "at least 2 projects"


def test_a_link_by_a_field_not_named_for_its_target_says_the_field(book):
    linked = count("design-doc", link=Link("origin", "project", (Term("role", "eq", "lead"),)))
    assert requirement(book, linked) == \
        "a design doc whose origin is a project where role is lead, in the last 12 months"


@pytest.mark.parametrize("at_least, expected", [
    (1, "no feedback entry where concern is conduct, in the last 12 months"),
    (2, "fewer than 2 feedback entries where concern is conduct, in the last 12 months"),
])
def test_none_of_reads_as_no_such_record(book, at_least, expected):
    found = count("feedback", at_least=at_least, terms=(Term("concern", "eq", "conduct"),))
    none_of = CompositeCriterion(id="n", description="", pos=HERE, kind="none_of", children=(replace(found, description="A concern"),))
    assert requirement(book, none_of) == expected


def test_the_default_rulebooks_none_of_reads_as_no(book):
    assert requirement(book, criterion(book, "staff-engineer", "no-conduct-concerns")) == \
        "no feedback entry where concern is conduct, in the last 12 months"


def test_time_at_a_level_reads_as_one_clause(book):
    assert requirement(book, criterion(book, "senior-developer", "time-at-level")) == \
        "the candidate has been at the level directly below the target (on either track) for at least 18 months"
    assert requirement(book, criterion(book, "tech-lead", "time-at-level")) == \
        "the candidate has been at the equivalent of the target level on another track for at least 12 months"


def test_sums_and_distinct_values_say_what_adds_up(book):
    assert requirement(book, criterion(book, "staff-engineer", "mentoring-time")) == \
        "at least 12 months in total across mentees in the last 24 months"
    assert requirement(book, criterion(book, "staff-engineer", "led-project")).startswith(
        "at least 2 different teams among projects where role is lead")


def test_a_field_name_reads_as_words_without_its_unit_suffix():
    from engine.explaining.phrasing import spaced
    assert spaced("retention_pct") == "retention"
    assert spaced("direct_reports") == "direct reports"
    assert spaced("pct") == "pct"  # a name that is only the suffix is kept
