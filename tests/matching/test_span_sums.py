"""Sums of span lengths (`span: months|weeks`): only the part of each span inside the window and
on or before as_of counts, measured in the month arithmetic of windows."""
from __future__ import annotations

import copy
from datetime import date

import pytest
from helpers import criterion, evaluated
from test_best_per import EVIDENCE, LADDER

from engine.common.errors import LadderError
from engine.explaining.plan import plan
from engine.reading.dates import span_length
from engine.reading.model import Window
from engine.reading.rulebook import rulebook_from_data
from engine.tooling.lint import overlap

MENTORING = {"id": "mentoring", "description": "Mentor for six months of the last year",
             "sum": {"evidence": "mentee", "span": "months", "within": "12 months", "at_least": 6}}


def book(*criteria: dict):
    level = {"level": "senior", "competencies": [{"id": "people", "name": "People", "criteria": list(criteria) or [MENTORING]}]}
    return rulebook_from_data(LADDER, EVIDENCE, [level])


def mentee(rid: str, start: str, end: str | None = None, **extra) -> dict:
    record = {"id": rid, "type": "mentee", "title": f"Mentee {rid}", "start": start, "confidence": "verified", **extra}
    return record | ({"end": end} if end else {})


def packet(*evidence: dict, as_of: str = "2026-11-01") -> dict:
    return {"candidate": {"id": "E-1", "name": "Ana", "track": "ic", "level": "engineer", "level_since": "2024-01-01"},
            "target": "senior", "as_of": as_of, "evidence": list(evidence)}


# start, end (None: ongoing), window's first day (None: no window), as_of, unit -> length
LENGTHS = [
    ("2026-01-10", "2026-03-10", None, "2026-11-01", "months", 2),
    ("2026-01-10", "2026-03-25", None, "2026-11-01", "months", 2 + 15 / 31),  # 15 of the 31 days back from 01-25
    ("2020-01-01", None, "2025-11-01", "2026-11-01", "months", 12),  # ongoing through the whole window
    ("2026-06-01", None, None, "2026-11-01", "months", 5),  # ongoing: up to as_of
    ("2026-06-01", "2027-06-01", None, "2026-11-01", "months", 5),  # ends after as_of: up to as_of
    ("2026-05-05", "2026-05-05", None, "2026-11-01", "months", 0),  # one day: no length
    ("2024-08-31", "2026-02-28", None, "2026-11-01", "months", 17 + 28 / 31),  # month ends, as months at level
    ("2026-01-01", "2026-01-15", None, "2026-11-01", "weeks", 2),
    ("2025-10-01", "2025-11-08", "2025-11-01", "2026-11-01", "weeks", 1),  # only the part inside the window
]


@pytest.mark.parametrize("start, end, first, as_of, unit, length", LENGTHS, ids=[f"{s}..{e}-{u}" for s, e, _, _, u, _ in LENGTHS])
def test_a_span_counts_the_part_inside_the_window_and_up_to_as_of(start, end, first, as_of, unit, length):
    day = lambda text: date.fromisoformat(text) if text else None  # noqa: E731
    assert span_length(day(start), day(end), day(first), day(as_of), unit) == pytest.approx(length)


def test_a_whole_window_is_as_many_months_as_the_window_for_every_as_of_date():
    for ordinal in range(date(2024, 1, 1).toordinal(), date(2026, 1, 1).toordinal()):
        as_of = date.fromordinal(ordinal)
        first = Window(12, "months").cutoff(as_of)
        assert span_length(date(2000, 1, 1), None, first, as_of, "months") == 12, as_of


def test_mentoring_months_add_up_across_mentees_inside_the_window():
    evaluation, doc = evaluated(book(), packet(
        mentee("M-1", "2025-05-01", "2026-02-01"),  # 3 months inside the window (from 2025-11-01)
        mentee("M-2", "2026-08-01"),  # ongoing: 3 months up to as_of
        mentee("M-3", "2024-01-01", "2025-10-31")))  # ended before the window
    result = next(evaluation.all_evidence.results())
    assert (result.observed, result.counted, result.met) == (6, ("M-1", "M-2"), True)
    item = criterion(doc, "mentoring")
    assert item["statement"] == "6 months of mentees in the last 12 months (needs 6)"
    assert item["requirement"] == ("mentees lasting at least 6 months in all in the last 12 months "
                                   "(the part of each span in the window, up to the as-of date)")


def test_the_plan_asks_for_the_months_still_missing():
    rules = book()
    evaluation, _ = evaluated(rules, packet(mentee("M-1", "2026-08-01")))
    (step,) = plan(rules, evaluation.packet)["plans"][0]["steps"]
    assert step["text"] == "Mentor for six months of the last year: 3 more months of mentees (you have 3 of 6)"


def test_the_longest_span_per_key_counts_with_best_per():
    longest = {"id": "longest", "sum": {"evidence": "mentee", "span": "weeks", "best_per": "hours", "at_least": 1}}
    evaluation, doc = evaluated(book(longest), packet(
        mentee("M-1", "2026-10-04", hours=2), mentee("M-2", "2026-10-18", hours=2), mentee("M-3", "2026-10-25", hours=5)))
    result = next(evaluation.all_evidence.results())
    assert (result.observed, result.counted) == (5, ("M-1", "M-3"))
    assert [b["text"] for b in criterion(doc, "longest")["best"]] == ["2: 4 weeks", "5: 1 week"]


@pytest.mark.parametrize("change, message", [
    (lambda c: c["sum"].update(evidence="milestone"), "milestone records have one date, not a span"),
    (lambda c: c.update(points_each=2), "points_each does not apply to a sum of spans"),
], ids=["point-dated-type", "points-each"])
def test_misuse_is_a_located_error(change, message):
    wrong = copy.deepcopy(MENTORING)
    change(wrong)
    with pytest.raises(LadderError) as caught:
        book(wrong)
    found = [d for d in caught.value.diagnostics if message in d.message]
    assert found and found[0].line >= 1, [d.format() for d in caught.value.diagnostics]


@pytest.mark.parametrize("spec", [
    {"evidence": "mentee", "span": "months", "field": "hours", "at_least": 1},
    {"evidence": "mentee", "span": "days", "at_least": 1},
    {"evidence": "mentee", "at_least": 1},
], ids=["span-and-field", "days", "neither"])
def test_a_sum_adds_up_either_a_field_or_spans_in_months_or_weeks(spec):
    with pytest.raises(LadderError):
        book({"id": "wrong", "sum": spec})


def test_sums_of_spans_in_other_units_are_not_duplicates():
    weeks = copy.deepcopy(MENTORING) | {"id": "weeks"}
    weeks["sum"]["span"] = "weeks"
    assert list(overlap.duplicate(book(MENTORING, weeks))) == []
