"""Evaluation against the default rulebook: the semantics people rely on, one situation each."""
from __future__ import annotations

import random
from pathlib import Path

import pytest
from helpers import criterion, evaluated, packet, project, record

from engine.common.errors import LadderError
from engine.matching.evaluate import NEARLY, NOT_READY, READY
from engine.reading.load import load_file
from engine.reading.rulebook import rulebook_from_data

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "packets"


def junior(evidence, **extra):
    """A Junior Developer with 22 months at level, going for Developer (as of 2026-11-01)."""
    return packet(level="junior-developer", evidence=evidence, **extra) | {"candidate": {
        "id": "E-7", "name": "Jo Junior", "track": "ic", "level": "junior-developer", "level_since": "2025-01-01",
        "manager": "Pat", "team": "payments", "nominated": True}}


def developer_basics():
    """Everything a Junior Developer needs for Developer, except shipped projects."""
    return [
        record("R-1", "review", "2026-05-01", kind="code", scope="team"),
        record("R-2", "review", "2026-06-01", kind="code", scope="team"),
        record("R-3", "review", "2026-07-01", kind="code", scope="team"),
        record("F-1", "feedback", "2026-05-01", from_role="peer", sentiment="positive"),
        record("F-2", "feedback", "2026-06-01", from_role="peer", sentiment="strong-positive"),
    ]


def test_a_record_ending_on_the_first_day_of_the_window_counts_and_the_day_before_does_not(book):
    # 12 months before 2026-11-01 is 2025-11-01.
    evidence = developer_basics() + [project("P-on", "2025-11-01"), project("P-before", "2025-10-31")]
    _, doc = evaluated(book, junior(evidence))
    shipped = criterion(doc, "shipped-work")
    assert [r["id"] for r in shipped["counted"]] == ["P-on"]
    assert shipped["not_counted"] == [{
        "id": "P-before", "title": "Project P-before", "confidence": "verified",
        "reasons": ["ended 2025-10-31, before the 12-month window (from 2025-11-01)"],
    }]


def test_a_record_dated_on_the_as_of_date_counts_and_the_day_after_does_not(book):
    evidence = developer_basics()[:3] + [
        record("F-1", "feedback", "2026-11-01", from_role="peer", sentiment="positive"),
        record("F-2", "feedback", "2026-11-02", from_role="peer", sentiment="positive"),
    ]
    _, doc = evaluated(book, junior(evidence))
    feedback = criterion(doc, "peer-feedback")
    assert [r["id"] for r in feedback["counted"]] == ["F-1"]
    assert feedback["not_counted"][0]["reasons"] == ["dated 2026-11-02, after the as-of date 2026-11-01"]


def test_a_ready_verdict_needs_every_required_criterion(book):
    evaluation, doc = evaluated(book, junior(developer_basics() + [project("P-1", "2026-03-01"), project("P-2", "2026-06-01", role="core")]))
    assert evaluation.all_evidence.verdict == READY and doc["missing"] == []
    assert doc["headline"] == "Ready for Developer: 4 of 4 required criteria met"


def test_one_unmet_criterion_is_nearly_ready(book):
    evaluation, doc = evaluated(book, junior(developer_basics() + [project("P-1", "2026-03-01")]))
    assert (evaluation.all_evidence.verdict, evaluation.all_evidence.unmet) == (NEARLY, ("shipped-work",))
    assert doc["missing"] == ["Delivery: Shipped at least 2 projects as a core or lead contributor in the last 12 months "
                              "(1 more; 1 of 2 projects in the last 12 months)"]


def test_an_unmet_blocker_is_not_ready_even_when_it_is_the_only_miss(book):
    data = junior(developer_basics() + [project("P-1", "2026-03-01"), project("P-2", "2026-06-01")])
    data["candidate"]["level_since"] = "2026-01-01"  # 10 months: time-at-level is a blocker
    evaluation, doc = evaluated(book, data)
    assert (evaluation.all_evidence.verdict, evaluation.all_evidence.blockers) == (NOT_READY, ("time-at-level",))
    assert criterion(doc, "time-at-level")["statement"] == "10 months at the current level, needs at least 12"
    assert doc["missing"][0].startswith("Blocker - Readiness: ")


def senior_for_staff(evidence):
    return packet(level="senior-developer", evidence=evidence, target="staff-engineer")


def test_a_design_doc_counts_only_when_its_project_was_led_by_the_candidate(book):
    evidence = [
        project("P-led", "2026-01-01", scope="org", team="payments"),
        project("P-helped", "2026-02-01", role="core", scope="org", team="search"),
        record("DD-1", "design-doc", "2025-06-01", status="approved", scope="org", project="P-led"),
        record("DD-2", "design-doc", "2025-07-01", status="approved", scope="org", project="P-helped"),
        record("DD-3", "design-doc", "2025-08-01", status="draft", scope="org", project="P-led"),
        record("DD-4", "design-doc", "2025-09-01", status="approved", scope="org"),
    ]
    _, doc = evaluated(book, senior_for_staff(evidence))
    design = criterion(doc, "design-for-led-project")
    assert [r["id"] for r in design["counted"]] == ["DD-1"]
    assert {m["id"]: m["reasons"] for m in design["not_counted"]} == {
        "DD-2": ["its project P-helped (Project P-helped) does not qualify: role is core, needs lead"],
        "DD-3": ["status is draft, needs approved"],
        "DD-4": ["project is missing"],
    }


def test_distinct_counts_different_values_not_records(book):
    evidence = [project("P-1", "2026-01-01", scope="org", team="payments"),
                project("P-2", "2026-02-01", scope="cross-team", team="payments"),
                project("P-3", "2026-03-01", scope="org")]
    _, doc = evaluated(book, senior_for_staff(evidence))
    led = criterion(doc, "led-project")
    assert (led["observed"], led["distinct_values"], [r["id"] for r in led["counted"]]) == (1, ["payments"], ["P-1", "P-2"])
    assert led["not_counted"][0]["reasons"] == ["team is missing"]
    assert led["statement"] == "1 of 2 different teams (payments) in the last 24 months"


def test_distinct_text_values_differing_only_in_case_or_spacing_are_one_value(book):
    evidence = [project("P-1", "2026-01-01", scope="org", team="platform-infra"),
                project("P-2", "2026-02-01", scope="cross-team", team="Platform-Infra "),
                project("P-3", "2026-03-01", scope="org", team="PLATFORM-INFRA")]
    _, doc = evaluated(book, senior_for_staff(evidence))
    led = criterion(doc, "led-project")
    assert (led["met"], led["observed"], led["distinct_values"]) == (False, 1, ["PLATFORM-INFRA"])
    assert [r["id"] for r in led["counted"]] == ["P-1", "P-2", "P-3"]


def test_a_sum_adds_up_a_field_over_the_matching_records(book):
    evidence = [{"id": f"M-{i}", "type": "mentee", "title": f"Mentee {i}", "start": start, "months": months, "outcome": "progressing"}
                for i, (start, months) in enumerate([("2025-01-01", 5), ("2025-06-01", 4), ("2022-01-01", 12)])]
    evidence[2]["end"] = "2023-01-01"
    _, doc = evaluated(book, senior_for_staff(evidence))
    time = criterion(doc, "mentoring-time")
    assert (time["observed"], time["met"], time["statement"]) == (9, False, "9 of 12 months across mentees in the last 24 months")


def test_an_integer_beyond_64_bits_is_compared_like_any_other(book):
    evidence = [{"id": "M-1", "type": "mentee", "title": "Mentee", "start": "2025-01-01", "months": 10**30, "outcome": "progressing"}]
    _, doc = evaluated(book, senior_for_staff(evidence))
    assert criterion(doc, "mentoring-time")["met"] is True


def test_a_tiny_decimal_is_compared_like_any_other(book):
    """`1e-07` as json or repr writes it is refused by durable-rules' parser (error 204)."""
    evidence = [{"id": f"G-{pct}", "type": "team-growth", "title": f"Org {pct}", "start": "2026-01-01", "direct_reports": 8,
                 "retention_pct": pct} for pct in (1e-07, 95.0)]
    data = packet(level="senior-engineering-manager", track="management", evidence=evidence)
    _, doc = evaluated(book, data)
    retention = criterion(doc, "retention")
    assert ([r["id"] for r in retention["counted"]], [m["id"] for m in retention["not_counted"]]) == (["G-95.0"], ["G-1e-07"])


def test_k_of_counts_the_children_met(book):
    evidence = [record(f"T-{i}", "talk", "2026-01-01", format="talk", audience="org") for i in range(2)]
    evidence += [{"id": "C-1", "type": "community", "title": "Rust guild", "start": "2025-01-01", "role": "founder"}]
    _, doc = evaluated(book, senior_for_staff(evidence))
    influence = criterion(doc, "influence-beyond-team")
    assert (influence["met"], influence["statement"]) == (True, "2 of 4 met, needs 2")
    assert [c["met"] for c in influence["children"]] == [True, True, False, False]


def test_a_disputed_conduct_concern_blocks_and_the_verified_only_verdict_says_so(book):
    evidence = [record("F-9", "feedback", "2026-08-01", from_role="peer", sentiment="concern", concern="conduct")]
    evidence[0]["confidence"] = "disputed"
    evaluation, doc = evaluated(book, senior_for_staff(evidence))
    assert "no-conduct-concerns" in evaluation.all_evidence.blockers
    assert "no-conduct-concerns" not in evaluation.verified_only.unmet
    assert doc["evidence_confidence"]["depends_on"] == [
        {"id": "F-9", "title": "feedback F-9", "confidence": "disputed", "criteria": ["no-conduct-concerns"]}]


def test_a_verdict_resting_on_self_reported_records_names_them(book):
    evidence = developer_basics() + [project("P-1", "2026-03-01"), project("P-2", "2026-06-01", confidence="self-reported")]
    evaluation, doc = evaluated(book, junior(evidence))
    assert (evaluation.all_evidence.verdict, evaluation.verified_only.verdict) == (READY, NEARLY)
    confidence = doc["evidence_confidence"]
    assert confidence["differs"] and confidence["depends_on"] == [
        {"id": "P-2", "title": "Project P-2", "confidence": "self-reported", "criteria": ["shipped-work"]}]
    assert confidence["note"] == ("On verified evidence alone the verdict would be nearly ready (on all evidence: ready). "
                                  "Check these records: P-2 (self-reported).")


def test_points_per_record_are_capped_and_add_up_by_group(book):
    evidence = [record(f"T-{i}", "talk", "2026-01-01", format="talk", audience="external") for i in range(6)]
    evidence += [record("S-1", "strategy-doc", "2025-01-01", kind="strategy", scope="company", status="adopted")]
    data = packet(level="principal-engineer", evidence=evidence)
    evaluation, doc = evaluated(book, data)
    assert criterion(doc, "external-talks")["points"] == 4  # 6 talks, 1 point each, capped at 4
    assert criterion(doc, "company-strategy")["points"] == 3
    assert [(p.group, p.observed, p.needed) for p in evaluation.all_evidence.points] == [
        (None, 7, 12), ("technical", 3, 4), ("influence", 4, 4)]
    assert "points:technical" in evaluation.all_evidence.unmet and "points:influence" not in evaluation.all_evidence.unmet


def test_a_not_ready_verdict_says_which_part_of_the_nearly_rule_failed(book):
    # Distinguished Engineer: nearly allows one unmet requirement, no points requirement more than 2 short.
    fixture = load_file(FIXTURES / "ic-distinguished-ready-points-met.yaml").data
    fixture["evidence"] = [r for r in fixture["evidence"] if r["id"] not in ("P-1", "P-2", "T-2")]
    evaluation, doc = evaluated(book, fixture)
    assert (evaluation.all_evidence.verdict, evaluation.all_evidence.unmet) == (NOT_READY, ("points",))
    assert doc["headline"] == ("Not ready for Distinguished Engineer: 5 of 6 required criteria met; "
                               "points: 3 short of 12, nearly allows at most 2 short")
    _, doc = evaluated(book, junior(developer_basics()[:3]))  # no shipped projects, no peer feedback
    assert doc["headline"].endswith("; 2 required criteria unmet, nearly allows at most 1")


def test_moving_across_tracks_at_the_equivalent_level_costs_no_level(book):
    data = packet(level="senior-developer", target="tech-lead")  # Senior Developer stands level with Tech Lead
    _, doc = evaluated(book, data)
    assert criterion(doc, "time-at-level")["met"] is True
    data["candidate"]["level"], data["candidate"]["track"] = "developer", "ic"  # no management equivalent
    _, doc = evaluated(book, data)
    assert criterion(doc, "time-at-level")["statement"] == \
        "Developer has no equivalent on the management track; open to candidates at Senior Developer"


def test_the_default_target_is_the_next_level_on_the_candidates_track(book):
    _, doc = evaluated(book, packet(level="staff-engineer"))
    assert doc["target"]["level"] == "principal-engineer"
    with pytest.raises(LadderError, match="vp-of-engineering is the top of the management track: give a target level"):
        evaluated(book, packet(level="vp-of-engineering", track="management"))


def test_a_target_not_above_the_current_level_on_the_same_track_is_refused_naming_the_next(book):
    for target in ("staff-engineer", "senior-developer"):
        with pytest.raises(LadderError, match=f"target: {target} is not above the candidate's current level staff-engineer: "
                                              "give a level above it \\(the next is principal-engineer\\)"):
            evaluated(book, packet(level="staff-engineer", target=target))
    _, doc = evaluated(book, packet(level="staff-engineer", target="director-of-engineering"))  # across tracks: the rules judge
    assert doc["target"]["level"] == "director-of-engineering"


def test_the_order_of_records_does_not_change_the_verdict(book):
    evidence = developer_basics() + [project("P-1", "2026-03-01"), project("P-2", "2025-10-31"), project("P-3", "2026-06-01", role="core")]
    _, expected = evaluated(book, junior(evidence))
    for seed in range(3):
        shuffled = evidence[:]
        random.Random(seed).shuffle(shuffled)
        _, doc = evaluated(book, junior(shuffled))
        assert (doc["verdict"], [[sorted(r["id"] for r in c["counted"]) for c in comp["criteria"]] for comp in doc["competencies"]]) == \
               (expected["verdict"], [[sorted(r["id"] for r in c["counted"]) for c in comp["criteria"]] for comp in expected["competencies"]])


def points_only_book(nearly: dict | None = None):
    """A one-track ladder whose second level asks for 90 points and nothing else."""
    from engine.reading.rulebook import rulebook_from_data
    ladder = {"name": "Points", "tracks": {"ic": {"name": "IC", "levels": [
        {"id": "one", "name": "One", "band": "B1"}, {"id": "two", "name": "Two", "band": "B2"}]}}, "equivalence": []}
    evidence = {"types": {"talk": {"name": "talk", "dates": "point", "fields": {"attendees": {"type": "integer", "minimum": 0}}}}}
    level = {"level": "two", "summary": "Points only.", "points": {"at_least": 90}, "competencies": [
        {"id": "reach", "name": "Reach", "criteria": [
            {"id": "talks", "description": "Talks", "required": False, "points_each": 1, "count": {"evidence": "talk"}}]}]}
    if nearly is not None:
        level["nearly"] = nearly
    return rulebook_from_data(ladder, evidence, [level])


def talks(n: int) -> dict:
    data = packet(level="one", evidence=[{"id": f"T-{i}", "type": "talk", "title": f"Talk {i}", "date": "2026-05-01"}
                                         for i in range(n)])
    data["candidate"]["level_since"] = "2020-01-01"
    return data


@pytest.mark.parametrize("talks_given, verdict", [(0, NOT_READY), (80, NOT_READY), (81, NEARLY), (90, READY)])
def test_a_points_only_level_is_nearly_met_only_within_a_tenth_of_its_points_by_default(talks_given, verdict):
    evaluation, document = evaluated(points_only_book(), talks(talks_given))
    assert evaluation.all_evidence.verdict == verdict
    if verdict == NEARLY:
        assert document["headline"].endswith("(nearly: at most 1 unmet, no blocker, points at most 10% short)")
    if verdict == NOT_READY:
        assert f"points: {90 - talks_given} short of 90, nearly allows at most 9 (10%) short" in document["headline"]


@pytest.mark.parametrize("allowance, nearly_from", [(2, 88), ("50%", 45), ("0%", 90)])
def test_a_level_sets_its_points_allowance_in_points_or_as_a_share(allowance, nearly_from):
    book = points_only_book({"max_points_short": allowance})
    assert evaluated(book, talks(nearly_from - 1))[0].all_evidence.verdict == NOT_READY
    assert evaluated(book, talks(nearly_from))[0].all_evidence.verdict == (READY if nearly_from == 90 else NEARLY)


def test_a_points_allowance_over_a_hundred_percent_is_refused():
    with pytest.raises(LadderError) as refused:
        points_only_book({"max_points_short": "110%"})
    assert [d.code for d in refused.value.diagnostics] == ["schema.anyOf"]
    assert refused.value.diagnostics[0].message.startswith("'110%' is not a share from 0% to 100%")


def test_without_judging_standing_only_other_conditions_on_the_candidate_decide(rules_copy):
    """Placement's evaluation: `steps_to_target` and `months_at_level` are probed and reported as
    set aside, never decisive; `nominated` still is."""
    from engine import api
    from engine.matching.evaluate import evaluate
    from engine.reading.load import Document
    from engine.reading.packet import build_packet
    level = rules_copy / "levels" / "developer.yaml"
    level.write_text(level.read_text().replace("months_at_level: {gte: 12}", "months_at_level: {gte: 12}\n          nominated: true"))
    book = api.rulebook(rules_copy)
    data = junior(developer_basics() + [project("P-1", "2026-06-30"), project("P-2", "2026-08-31")])
    data["candidate"].update(level_since="2026-05-01", nominated=False)  # 6 months, not nominated
    packet_ = build_packet(Document("packet.yaml", data, {}), book)
    judged = evaluate(book, packet_)
    time_at_level = next(r for r in judged.all_evidence.results() if r.criterion.id == "time-at-level")
    assert not time_at_level.met and time_at_level.set_aside == ()
    assert {c.term.field for c in time_at_level.misses[0].failed} == {"months_at_level", "nominated"}
    placing = evaluate(book, packet_, judge_standing=False)
    time_at_level = next(r for r in placing.all_evidence.results() if r.criterion.id == "time-at-level")
    assert not time_at_level.met, "nominated: false still fails"
    assert [c.term.field for c in time_at_level.misses[0].failed] == ["nominated"]
    assert [c.term.field for c in time_at_level.set_aside] == ["months_at_level"]
    data["candidate"]["nominated"] = True
    nominated = evaluate(book, build_packet(Document("packet.yaml", data, {}), book), judge_standing=False)
    assert nominated.all_evidence.verdict == READY


def test_on_verified_evidence_alone_a_record_linking_to_an_unverified_one_misses_for_that_link_only(book):
    """DD-1 is verified and approved; its project P-2 is self-reported, so on verified evidence
    alone P-2 is left out and DD-1 misses because of it - not because P-2 failed conditions it was
    never tested on (it is a led project, dated before as_of)."""
    data = load_file(FIXTURES / "ic-senior-ready-verified-design-doc-for-self-reported-project.yaml").data
    evaluation, _ = evaluated(book, data)
    design = next(r for r in evaluation.verified_only.results() if r.criterion.id == "design-for-led-project")
    (miss,) = [m for m in design.misses if m.record == "DD-1"]
    assert (miss.failed, miss.linked, miss.linked_failed) == ((), "P-2", ())


def test_distinct_values_are_spelled_the_same_whatever_the_order_of_the_records(book):
    """One spelling per value, whichever record comes first: runs of spaces become one, and of
    the spellings of one value the first in text order is shown."""
    evidence = [project("P-1", "2026-01-01", scope="org", team="core  infra"),
                project("P-2", "2026-02-01", scope="org", team="Core Infra"),
                project("P-3", "2026-03-01", scope="org", team="payments")]
    for records in (evidence, evidence[::-1]):
        evaluation, _ = evaluated(book, senior_for_staff(records))
        led = next(r for r in evaluation.all_evidence.results() if r.criterion.id == "led-project")
        assert led.distinct_values == ("Core Infra", "payments")
    # Numbers: 2 and 2.0 are one value, shown as 2 in either order.
    ladder = {"name": "L", "tracks": {"ic": {"name": "IC", "levels": [{"id": "a", "name": "A", "band": "1"}, {"id": "b", "name": "B", "band": "2"}]}},
              "equivalence": []}
    types = {"types": {"talk": {"name": "talk", "dates": "point", "fields": {"size": {"type": "integer"}}}}}
    level = {"level": "b", "competencies": [{"id": "c", "name": "C", "criteria": [{"id": "sizes", "count": {"evidence": "talk", "distinct": "size"}}]}]}
    numbers = rulebook_from_data(ladder, types, [level])
    talks = [{"id": f"T-{n}", "type": "talk", "title": "Talk", "date": "2026-01-01", "size": size} for n, size in enumerate((2.0, 2))]
    for records in (talks, talks[::-1]):
        data = {"candidate": {"id": "E-1", "name": "N", "track": "ic", "level": "a", "level_since": "2024-01-01"},
                "as_of": "2026-11-01", "evidence": records}
        evaluation, _ = evaluated(numbers, data)
        assert next(evaluation.all_evidence.results()).distinct_values == ("2",)


def test_the_evaluation_says_which_calibration_opportunities_the_packet_shows_on_any_confidence(book):
    evidence = [project("P-1", "2026-01-01", scope="org", confidence="self-reported"),
                record("T-1", "talk", "2026-01-01", format="talk", audience="team")]
    evaluation, _ = evaluated(book, senior_for_staff(evidence))
    assert evaluation.opportunities == {"led-high-scope-project": True, "spoke-beyond-team": False, "led-community": False}


def test_two_criteria_asking_different_values_of_one_field_each_judge_their_own():
    """Their conditions compile to two rules of one name but for a suffix, however small the
    rulebook; a record counts for the one it meets and is explained against the other."""
    ladder = {"name": "L", "tracks": {"ic": {"name": "IC", "levels": [{"id": "a", "name": "A", "band": "1"}, {"id": "b", "name": "B", "band": "2"}]}},
              "equivalence": []}
    types = {"types": {"talk": {"name": "talk", "dates": "point", "fields": {"venue": {"type": "string"}}}}}
    criteria = [{"id": city.lower(), "count": {"evidence": "talk", "where": {"venue": city}}} for city in ("Berlin", "Paris")]
    rulebook = rulebook_from_data(ladder, types, [{"level": "b", "competencies": [{"id": "c", "name": "C", "criteria": criteria}]}])
    data = {"candidate": {"id": "E-1", "name": "N", "track": "ic", "level": "a", "level_since": "2024-01-01"}, "as_of": "2026-11-01",
            "evidence": [{"id": "T-1", "type": "talk", "title": "Talk", "date": "2026-01-01", "venue": "Paris"}]}
    _, doc = evaluated(rulebook, data)
    berlin, paris = criterion(doc, "berlin"), criterion(doc, "paris")
    assert (berlin["met"], [m["reasons"] for m in berlin["not_counted"]]) == (False, [["venue is Paris, needs Berlin"]])
    assert (paris["met"], [r["id"] for r in paris["counted"]]) == (True, ["T-1"])
