"""Conditions that compare a record's field with the candidate's own (`{candidate: id}`): an RFC
the candidate co-wrote, a project on the candidate's team or another, a review of someone else's
work. Read, validated, evaluated by the engine, and explained in words."""
from __future__ import annotations


import pytest
from helpers import criterion, evaluated

from engine.common.errors import LadderError
from engine.explaining.phrasing import requirement
from engine.reading.rulebook import rulebook_from_data

LADDER = {"name": "Own", "tracks": {"ic": {"name": "IC", "levels": [
    {"id": "engineer", "name": "Engineer", "band": "B1"}, {"id": "senior", "name": "Senior", "band": "B2"}]}},
    "equivalence": []}
EVIDENCE = {"types": {
    "rfc": {"name": "RFC", "dates": "point", "fields": {"authors": {"type": "list"}, "title_text": {"type": "string"}}},
    "project": {"name": "project", "dates": "point", "fields": {"team": {"type": "string"}, "size": {"type": "integer"},
                                                                 "kind": {"type": "enum", "values": ["build", "run"]}}},
    "review": {"name": "review", "dates": "point", "fields": {"author": {"type": "string"}, "of": {"type": "ref", "evidence": "rfc"}}},
}}


def book(*criteria: dict):
    level = {"level": "senior", "competencies": [{"id": "craft", "name": "Craft", "criteria": list(criteria)}]}
    return rulebook_from_data(LADDER, EVIDENCE, [level])


def count(cid: str, evidence: str, where: dict, **extra) -> dict:
    return {"id": cid, "description": cid, "count": {"evidence": evidence, "where": where, **extra}}


def packet(*evidence: dict, **candidate) -> dict:
    who = {"id": "E-1", "name": "Ana Lima", "track": "ic", "level": "engineer", "level_since": "2024-01-01",
           "team": "payments", **candidate}
    return {"candidate": {k: v for k, v in who.items() if v is not None}, "target": "senior", "as_of": "2026-11-01",
            "evidence": list(evidence)}


def rec(rid: str, type_: str, **fields) -> dict:
    return {"id": rid, "type": type_, "title": f"{type_} {rid}", "date": "2026-01-01", "confidence": "verified", **fields}


AUTHORED = count("authored", "rfc", {"authors": {"contains": {"candidate": "id"}}})
OWN_TEAM = count("own-team", "project", {"team": {"candidate": "team"}})
OTHER_TEAM = count("other-team", "project", {"team": {"ne": {"candidate": "team"}}})


def test_an_rfc_counts_only_when_its_authors_include_the_candidate_and_a_miss_says_so():
    evaluation, doc = evaluated(book(AUTHORED), packet(rec("R-1", "rfc", authors=["E-2", "E-1"]), rec("R-2", "rfc", authors=["E-2"])))
    assert next(evaluation.all_evidence.results()).counted == ("R-1",)
    assert criterion(doc, "authored")["not_counted"][0]["reasons"] == ["authors do not include the candidate (E-1)"]


def test_a_project_on_the_candidates_team_counts_for_own_team_and_not_for_another_team():
    evidence = (rec("P-1", "project", team="payments"), rec("P-2", "project", team="platform"), rec("P-3", "project"))
    evaluation, doc = evaluated(book(OWN_TEAM, OTHER_TEAM), packet(*evidence))
    own, other = list(evaluation.all_evidence.results())
    assert (own.counted, other.counted) == (("P-1",), ("P-2",))
    assert criterion(doc, "other-team")["not_counted"][0]["reasons"] == ["team is payments, the candidate's team"]
    assert criterion(doc, "own-team")["not_counted"][0]["reasons"] == ["team is platform, needs the candidate's team (payments)"]
    assert criterion(doc, "own-team")["not_counted"][1]["reasons"] == ["team is missing, needs the candidate's team (payments)"]


def test_a_candidate_without_the_field_fails_every_condition_on_it_ne_included():
    evaluation, doc = evaluated(book(OWN_TEAM, OTHER_TEAM), packet(rec("P-1", "project", team="payments"), team=None))
    assert [r.counted for r in evaluation.all_evidence.results()] == [(), ()]
    assert criterion(doc, "other-team")["not_counted"][0]["reasons"] == [
        "team is compared with the candidate's team, and the candidate has no team"]


def test_a_review_of_someone_elses_work_compares_the_linked_rfcs_authors():
    review = count("reviews", "review", {"author": {"ne": {"candidate": "name"}}},
                   linked={"by": "of", "where": {"authors": {"contains": {"candidate": "id"}}}})
    evaluation, _ = evaluated(book(review), packet(
        rec("R-1", "rfc", authors=["E-1"]), rec("R-2", "rfc", authors=["E-9"]),
        rec("V-1", "review", author="Bo", of="R-1"), rec("V-2", "review", author="Ana Lima", of="R-1"),
        rec("V-3", "review", author="Bo", of="R-2")))
    assert next(evaluation.all_evidence.results()).counted == ("V-1",)


def test_a_text_field_containing_the_candidates_name_is_answered_as_text():
    named = count("named", "rfc", {"title_text": {"contains": {"candidate": "name"}}})
    evaluation, doc = evaluated(book(named), packet(rec("R-1", "rfc", title_text="by Ana Lima"), rec("R-2", "rfc", title_text="by Bo")))
    assert next(evaluation.all_evidence.results()).counted == ("R-1",)
    assert criterion(doc, "named")["not_counted"][0]["reasons"] == ["title text does not include the candidate (Ana Lima)"]


def test_the_published_rule_says_the_candidate_in_words():
    rules = book(AUTHORED, OTHER_TEAM)
    assert [requirement(rules, c) for c in rules.rules["senior"].criteria()] == [
        "an RFC where authors include the candidate", "a project where team is not the candidate's team"]


@pytest.mark.parametrize(("where", "message"), [
    ({"authors": {"contains": {"candidate": "idd"}}}, "the candidate has no field 'idd' (did you mean 'id'?)"),
    ({"size": {"eq": {"candidate": "team"}}}, "'eq' cannot take the candidate's team"),
    ({"team": {"in": [{"candidate": "team"}]}}, None),
])
def test_unknown_candidate_fields_and_operators_that_cannot_take_them_are_located_errors(where, message):
    with pytest.raises(LadderError) as caught:
        book(count("c", "rfc" if "authors" in where else "project", where))
    text = str(caught.value)
    assert "levels" in text or ":" in text
    if message:
        assert message in text
