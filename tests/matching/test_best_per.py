"""Sums where only the best record per key counts (`best_per`): the highest milestone reached in
each area, worth points per milestone, read, evaluated, explained and planned as one construct."""
from __future__ import annotations

import copy

import pytest
from helpers import criterion, evaluated

from engine.common.errors import LadderError
from engine.explaining.plan import plan
from engine.reading.rulebook import rulebook_from_data
from engine.tooling.lint import overlap

LADDER = {"name": "Milestones", "tracks": {"ic": {"name": "IC", "levels": [
    {"id": "engineer", "name": "Engineer", "band": "B1"}, {"id": "senior", "name": "Senior", "band": "B2"}]}},
    "equivalence": []}
EVIDENCE = {"types": {
    "milestone": {"name": "milestone", "dates": "point", "fields": {
        "area": {"type": "string"}, "level": {"type": "integer"}, "weight": {"type": "number"}, "tags": {"type": "list"}}},
    "mentee": {"name": "mentee", "dates": "span", "fields": {"hours": {"type": "integer"}}},
}}
CRAFT = {"id": "milestones", "description": "Milestones reached across the areas",
         "sum": {"evidence": "milestone", "field": "level", "best_per": "area", "at_least": 6}, "points_each": 3}
SENIOR = {"level": "senior", "points": {"at_least": 18},
          "competencies": [{"id": "craft", "name": "Craft", "criteria": [CRAFT]}]}


def book(*criteria: dict, points: int | None = 18):
    level = copy.deepcopy(SENIOR)
    if criteria:
        level["competencies"][0]["criteria"] = list(criteria)
    if points is None:
        del level["points"]
    else:
        level["points"]["at_least"] = points
    return rulebook_from_data(LADDER, EVIDENCE, [level])


def milestone(rid: str, area: str, level: int, date: str = "2026-01-01", **extra) -> dict:
    return {"id": rid, "type": "milestone", "title": f"Milestone {rid}", "date": date, "confidence": "verified",
            "area": area, "level": level, **extra}


def packet(*evidence: dict) -> dict:
    return {"candidate": {"id": "E-1", "name": "Ana", "track": "ic", "level": "engineer", "level_since": "2024-01-01"},
            "target": "senior", "as_of": "2026-11-01", "evidence": list(evidence)}


def test_only_the_highest_milestone_per_area_counts_and_earns_points_per_milestone():
    evaluation, doc = evaluated(book(), packet(
        milestone("M-1", "craft", 2), milestone("M-2", "craft", 4), milestone("M-3", "delivery", 2)))
    result = next(evaluation.all_evidence.results())
    assert (result.observed, result.counted, result.points) == (6, ("M-2", "M-3"), 18)
    assert evaluation.all_evidence.verdict == "ready"
    item = criterion(doc, "milestones")
    assert [b["text"] for b in item["best"]] == ["craft: level 4, 12 points", "delivery: level 2, 6 points"]
    assert item["statement"] == ("6 level across milestones, the highest per area (craft: level 4, 12 points; "
                                 "delivery: level 2, 6 points) (needs 6) · 18 points (3 per level)")


def test_areas_spelled_with_other_case_or_spacing_are_one_area():
    evaluation, doc = evaluated(book(), packet(milestone("M-1", "Craft ", 3), milestone("M-2", "craft", 1),
                                               milestone("M-3", "  CRAFT", 2)))
    result = next(evaluation.all_evidence.results())
    assert (result.observed, result.counted) == (3, ("M-1",))
    assert [b["key"] for b in criterion(doc, "milestones")["best"]] == ["CRAFT"]  # one spelling, chosen by text order


def test_of_two_records_at_the_same_best_value_the_first_in_the_packet_counts():
    evaluation, _ = evaluated(book(), packet(milestone("M-9", "craft", 4), milestone("M-1", "craft", 4)))
    assert next(evaluation.all_evidence.results()).counted == ("M-9",)


def test_a_record_without_the_key_does_not_count_and_says_why():
    no_area = milestone("M-2", "x", 5)
    del no_area["area"]
    evaluation, doc = evaluated(book(), packet(milestone("M-1", "craft", 1), no_area))
    assert next(evaluation.all_evidence.results()).counted == ("M-1",)
    assert criterion(doc, "milestones")["not_counted"][0]["reasons"] == ["area is missing"]


def test_the_best_verified_record_counts_when_the_better_one_is_not_verified():
    evaluation, _ = evaluated(book(), packet(milestone("M-1", "craft", 2), milestone("M-2", "craft", 4, confidence="self-reported")))
    assert next(evaluation.all_evidence.results()).counted == ("M-2",)
    assert next(evaluation.verified_only.results()).counted == ("M-1",)


def test_a_sum_below_zero_earns_no_points():
    evaluation, _ = evaluated(book(), packet(milestone("M-1", "craft", -2)))
    assert next(evaluation.all_evidence.results()).points == 0


def test_the_plan_says_where_each_area_stands():
    rules = book(points=None)
    evaluation, _ = evaluated(rules, packet(milestone("M-1", "craft", 2), milestone("M-2", "delivery", 1)))
    (step,) = plan(rules, evaluation.packet)["plans"][0]["steps"]
    assert step["text"] == ("Milestones reached across the areas: 3 more level across milestones, the highest per area "
                            "(you have 3 of 6: craft: level 2, 6 points; delivery: level 1, 3 points)")


def test_points_short_suggest_raising_the_best_per_area_sum():
    rules = book(points=30)
    evaluation, _ = evaluated(rules, packet(milestone("M-1", "craft", 4), milestone("M-2", "delivery", 2)))
    steps = plan(rules, evaluation.packet)["plans"][0]["steps"]
    assert steps[-1]["text"] == ("Earn 12 more points (you have 18 of 30): for example, Milestones reached across the areas "
                                 "(18 points so far; 3 more per level across milestones, the highest per area)")


def test_the_requirement_names_the_key():
    _, doc = evaluated(book(), packet())
    assert criterion(doc, "milestones")["requirement"] == \
        "at least 6 level in total across milestones, counting only the highest per area"


@pytest.mark.parametrize("change, message", [
    (lambda c: c["sum"].update(best_per="areas"), "milestone has no field 'areas'"),
    (lambda c: c["sum"].update(best_per="tags"), "field 'tags' is a list: it cannot be used here"),
    (lambda c: c["sum"].update(field="weight"), "points_each on a sum needs an integer field"),
], ids=["unknown-key", "list-key", "points-each-on-a-number"])
def test_misuse_is_a_located_error(change, message):
    wrong = copy.deepcopy(CRAFT)
    change(wrong)
    with pytest.raises(LadderError) as caught:
        book(wrong)
    found = [d for d in caught.value.diagnostics if message in d.message]
    assert found and found[0].line >= 1, [d.format() for d in caught.value.diagnostics]


def test_best_per_is_for_sums_only():
    wrong = {"id": "c", "count": {"evidence": "milestone", "best_per": "area"}}
    with pytest.raises(LadderError, match="best_per"):
        book(wrong, points=None)


def test_two_sums_differing_only_by_best_per_are_not_duplicates():
    every = copy.deepcopy(CRAFT) | {"id": "every"}
    del every["sum"]["best_per"]
    found = list(overlap.duplicate(book(CRAFT, every))) + list(overlap.shadowed(book(CRAFT, every)))
    assert found == []
    assert list(overlap.duplicate(book(CRAFT, copy.deepcopy(CRAFT) | {"id": "again"})))
