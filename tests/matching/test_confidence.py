"""Confidence in rules: conditions on a record's confidence, the rulebook's policy for disputed
records (ignore, hold, count), `no_disputed` as one criterion, and a count over several
evidence types, read, evaluated, explained and planned (docs/rules.md, "Confidence")."""
from __future__ import annotations

import copy

import pytest
from helpers import criterion, evaluated

from engine.common.errors import LadderError
from engine.explaining.plan import plan
from engine.reading.rulebook import rulebook_from_data

LADDER = {"name": "Talks", "tracks": {"ic": {"name": "IC", "levels": [
    {"id": "engineer", "name": "Engineer", "band": "B1"}, {"id": "senior", "name": "Senior", "band": "B2"}]}},
    "equivalence": []}
EVIDENCE = {"types": {
    "talk": {"name": "talk", "dates": "point", "fields": {"audience": {"type": "enum", "values": ["team", "org"]}}},
    "training": {"name": "training", "dates": "point", "fields": {"audience": {"type": "enum", "values": ["team", "org"]},
                                                                  "hours": {"type": "integer"}}},
    "feedback": {"name": "feedback entry", "plural": "feedback entries", "dates": "point",
                 "fields": {"concern": {"type": "enum", "values": ["conduct", "none"]}}},
}}
TEACHING = {"id": "teaching", "description": "Gave at least 2 talks or trainings to the organisation",
            "count": {"evidence": ["talk", "training"], "where": {"audience": "org"}, "at_least": 2}}
CONDUCT = {"id": "no-conduct", "description": "No conduct concern", "blocker": True,
           "none_of": [{"id": "conduct-concern", "description": "A conduct concern", "count": {"evidence": "feedback", "where": {"concern": "conduct"}}}]}


def book(*criteria: dict, disputed: str | None = None):
    ladder = copy.deepcopy(LADDER)
    if disputed:
        ladder["disputed"] = disputed
    level = {"level": "senior", "competencies": [{"id": "reach", "name": "Reach", "criteria": list(criteria) or [TEACHING, CONDUCT]}]}
    return rulebook_from_data(ladder, EVIDENCE, [level])


def record(rid: str, kind: str, confidence: str = "verified", **fields) -> dict:
    return {"id": rid, "type": kind, "title": f"{kind} {rid}", "date": "2026-01-01", "confidence": confidence, **fields}


def packet(*evidence: dict) -> dict:
    return {"candidate": {"id": "E-1", "name": "Ana", "track": "ic", "level": "engineer", "level_since": "2024-01-01"},
            "target": "senior", "as_of": "2026-11-01", "evidence": list(evidence)}


def test_a_count_over_two_evidence_types_counts_them_together_and_names_both():
    evaluation, doc = evaluated(book(), packet(record("T-1", "talk", audience="org"), record("TR-1", "training", audience="org"),
                                               record("TR-2", "training", audience="team")))
    item = criterion(doc, "teaching")
    assert item["met"] and [r["id"] for r in item["counted"]] == ["T-1", "TR-1"]
    assert item["statement"] == "2 talks or trainings (needs 2)"
    assert item["requirement"] == "at least 2 talks or trainings where audience is org"
    assert item["not_counted"][0]["reasons"] == ["audience is team, needs org"]


def test_by_default_a_disputed_record_counts_toward_nothing_and_the_explanation_and_plan_say_so():
    data = packet(record("T-1", "talk", audience="org"), record("T-2", "talk", "disputed", audience="org"),
                  record("F-1", "feedback", "disputed", concern="conduct"))
    evaluation, doc = evaluated(book(), data)
    item = criterion(doc, "teaching")
    assert not item["met"] and item["not_counted"] == [{"id": "T-2", "title": "talk T-2", "confidence": "disputed",
                                                        "reasons": ["it is disputed and counts toward nothing until resolved"]}]
    # ...nor against the candidate: the disputed conduct concern is set aside too, and said
    assert criterion(doc, "no-conduct")["met"]
    assert criterion(doc, "conduct-concern")["statement"] == "none found; F-1 is disputed and counts toward nothing until resolved"
    steps = plan(book(), _packet(data))["plans"][0]["steps"]
    assert any("or get T-2 resolved: it is disputed and counts toward nothing until then" in s["text"] for s in steps)


def test_hold_lets_a_disputed_finding_hold_the_verdict_back_but_earn_nothing():
    data = packet(record("T-1", "talk", audience="org"), record("T-2", "talk", "disputed", audience="org"),
                  record("F-1", "feedback", "disputed", concern="conduct"))
    evaluation, doc = evaluated(book(disputed="hold"), data)
    assert not criterion(doc, "teaching")["met"] and not criterion(doc, "no-conduct")["met"]
    evaluation, doc = evaluated(book(disputed="count"), data)
    assert criterion(doc, "teaching")["met"] and not criterion(doc, "no-conduct")["met"]


def test_a_condition_on_confidence_decides_for_its_criterion_whatever_the_policy():
    verified_only = dict(TEACHING, count=dict(TEACHING["count"], where={"audience": "org", "confidence": "verified"}))
    evaluation, doc = evaluated(book(verified_only, disputed="count"), packet(
        record("T-1", "talk", audience="org"), record("T-2", "talk", "self-reported", audience="org")))
    item = criterion(doc, "teaching")
    assert not item["met"] and item["not_counted"][0]["reasons"] == ["confidence is self-reported, needs verified"]
    any_confidence = dict(CONDUCT, none_of=[dict(CONDUCT["none_of"][0], count={"evidence": "feedback", "where": {
        "concern": "conduct", "confidence": {"in": ["verified", "self-reported", "disputed"]}}})])
    evaluation, doc = evaluated(book(any_confidence), packet(record("F-1", "feedback", "disputed", concern="conduct")))
    assert not criterion(doc, "no-conduct")["met"]  # under ignore, as written


def test_no_disputed_is_one_criterion_that_names_the_disputed_records_and_plans_their_resolution():
    clean = {"id": "clean", "description": "No evidence is disputed", "no_disputed": True}
    recent = {"id": "clean-talks", "description": "No disputed talk this year", "no_disputed": {"evidence": "talk", "within": "6 months"}}
    data = packet(record("T-1", "talk", audience="org"), record("TR-1", "training", "disputed", audience="org"))
    evaluation, doc = evaluated(book(clean, recent), data)
    assert criterion(doc, "clean")["statement"] == "1 disputed record: TR-1; needs none"
    assert criterion(doc, "clean-talks")["statement"] == "no disputed talk in the last 6 months"
    assert criterion(doc, "clean")["requirement"] == "no disputed evidence"
    assert evaluation.verified_only.verdict == "ready"  # no record there is disputed
    (step,) = plan(book(clean, recent), _packet(data))["plans"][0]["steps"]
    assert step["text"] == "No evidence is disputed: get TR-1 resolved (1 disputed record: TR-1; needs none)"


@pytest.mark.parametrize("where, message", [
    ({"audience": "org", "hours": {"gte": 2}}, "a talk has no field 'hours'"),
    ({"confidence": "unsure"}, "'unsure' is not an allowed value of confidence (verified, self-reported, disputed)"),
    ({"confidence": {"candidate": "name"}}, "confidence is one of verified, self-reported, disputed, never the candidate's"),
])
def test_conditions_over_several_types_and_on_confidence_are_checked(where, message):
    bad = dict(TEACHING, count=dict(TEACHING["count"], where=where))
    with pytest.raises(LadderError) as error:
        book(bad)
    assert message in "\n".join(d.message for d in error.value.diagnostics)


def test_an_evidence_type_listed_twice_or_unknown_is_an_error_with_a_suggestion():
    with pytest.raises(LadderError) as error:
        book(dict(TEACHING, count=dict(TEACHING["count"], evidence=["talk", "talk", "trainng"])))
    messages = "\n".join(d.message for d in error.value.diagnostics)
    assert "'talk' is listed twice" in messages and "unknown evidence type 'trainng' (did you mean 'training'?)" in messages


def _packet(data: dict):
    from engine.reading.load import Document
    from engine.reading.packet import build_packet
    return build_packet(Document("packet.yaml", data, {}), book())


@pytest.mark.parametrize("criterion, message", [
    (dict(TEACHING, count=dict(TEACHING["count"], evidence=[])), "needs at least 1 entry"),
    ({"id": "clean", "no_disputed": False}, "must be true"),
    ({"id": "clean", "no_disputed": {"evidence": "tlak"}}, "unknown evidence type 'tlak' (did you mean 'talk'?)"),
])
def test_a_malformed_evidence_list_or_no_disputed_says_what_it_needs(criterion, message):
    with pytest.raises(LadderError) as error:
        book(criterion)
    assert any(d.message.startswith(message) for d in error.value.diagnostics), [d.message for d in error.value.diagnostics]


def test_the_rulebook_policy_is_one_of_three_with_a_suggestion():
    with pytest.raises(LadderError) as error:
        book(disputed="ignored")
    assert "'ignored' is not one of ignore, hold, count (did you mean 'ignore'?)" in error.value.diagnostics[0].message


def test_the_evidence_confidence_lists_each_disputed_record_set_aside_with_the_criteria_it_would_count_for():
    data = packet(record("T-1", "talk", audience="org"), record("T-2", "talk", "disputed", audience="org"),
                  record("F-1", "feedback", "disputed", concern="conduct"))
    evaluation, doc = evaluated(book(), data)
    confidence = doc["evidence_confidence"]
    assert confidence["set_aside"] == [{"id": "T-2", "title": "talk T-2", "criteria": ["teaching"]},
                                       {"id": "F-1", "title": "feedback F-1", "criteria": ["no-conduct"]}]
    assert confidence["note"].endswith("Disputed, counting toward nothing until resolved: T-2 (for teaching); F-1 (for no-conduct).")
    evaluation, doc = evaluated(book(disputed="count"), data)
    assert "set_aside" not in doc["evidence_confidence"]
