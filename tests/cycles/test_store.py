"""A cycle in the store, on SQLite and PostgreSQL: frozen as the committee saw it, re-read and
re-evaluated from what was stored, decided on with a history and without lost updates."""
from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest
from conftest import NEARLY, NOT_READY, READY

from engine import api
from engine.cohorts import cohort as cohorts
from engine.cycles import DecisionConflict, DecisionRequest, DecisionsRefused, StoreError, deciding
from engine.rendering.report import Invalid


def test_opening_a_cycle_freezes_every_verdict_and_stores_an_invalid_packet_with_its_errors(spring, cohort):
    entries = spring.entries("spring")
    assert [(e.candidate_id, e.verdict) for e in entries] == [(READY, "ready"), (NEARLY, "nearly"), (NOT_READY, "not_ready"),
                                                              (None, None)]
    invalid = entries[3]
    assert invalid.label.endswith("4-unknown-candidate-level.yaml")
    assert invalid.errors and all(d.code for d in invalid.errors)
    expected = api.evaluate_packet(api.rulebook(), cohort / "4-unknown-candidate-level.yaml")
    assert [d.message for d in invalid.errors] == [d.message for d in expected.diagnostics]
    cycle = spring.cycle("spring")
    assert cycle.verdicts == {"ready": 1, "nearly": 1, "not_ready": 1, "invalid": 1}
    assert cycle.rulebook_digest == api.rulebook().digest


def test_a_cycle_keeps_each_packets_bytes_and_the_rulebooks_files(spring, cohort, rules_copy):
    stored = list(spring.packets("spring"))
    assert [p.content for p in stored] == [path.read_bytes() for path in sorted(cohort.iterdir())]
    files = dict(spring.rulebook("spring").files)
    assert files["levels/staff-engineer.yaml"] == (rules_copy / "levels" / "staff-engineer.yaml").read_text()


def test_a_stored_cycle_reads_back_exactly_as_the_cohort_run_gave_it(spring, cohort):
    """What `calibrate --cycle` will report on: the same Evaluated objects as a run over the files."""
    book = api.rulebook()
    assert list(spring.evaluated("spring")) == list(cohorts.evaluate_all(book, cohorts.items(cohort), jobs=1))
    document = spring.explanation("spring", NEARLY)
    assert document == api.evaluate_packet(book, cohort / "2-ic-staff-nearly-one-design-doc-short.yaml")
    invalid = spring.entries("spring")[3]
    assert spring.explanation("spring", invalid.label) == Invalid(invalid.label, invalid.errors)


def test_a_cycle_is_judged_again_from_what_it_stored_after_its_files_are_gone(spring, cohort, rules_copy):
    frozen = [e.verdict for e in spring.entries("spring")]
    shutil.rmtree(cohort)
    shutil.rmtree(rules_copy)
    from engine.cycles import opening

    book = spring.thawed_rulebook("spring")
    assert book.digest == spring.cycle("spring").rulebook_digest
    assert [r.now for r in opening.reevaluate(spring, "spring", book)] == frozen


def test_reevaluating_under_changed_rules_says_whose_verdict_would_move(spring, rules_copy):
    staff = rules_copy / "levels" / "staff-engineer.yaml"
    staff.write_text(staff.read_text().replace(
        "Wrote at least 2 approved cross-team design docs", "Wrote at least 1 approved cross-team design doc").replace(
        "            where: {role: lead}\n          at_least: 2", "            where: {role: lead}\n          at_least: 1"))
    results = api.reevaluate_cycle(spring, "spring", rules_copy)
    assert [(r.candidate_id, r.then, r.now) for r in results if r.changed] == [(NEARLY, "nearly", "ready")]
    assert spring.entries("spring")[1].verdict == "nearly", "re-evaluating stores nothing"


def test_an_override_needs_a_reason_and_a_decision_that_follows_the_rules_does_not(spring):
    with pytest.raises(StoreError, match="is an override: give the reason") as refused:
        api.decide(spring, "spring", NEARLY, "promote", "", "ana")
    assert refused.value.code == "decide.reason-required"
    with pytest.raises(StoreError, match="override"):
        api.decide(spring, "spring", READY, "defer", "  ", "ana")
    assert spring.cycle("spring").decided == 0
    assert not api.decide(spring, "spring", READY, "promote", "", "ana").override
    promoted = api.decide(spring, "spring", NEARLY, "promote", "Led the ledger migration", "ana")
    assert promoted.override and promoted.verdict == "nearly"
    assert (spring.cycle("spring").decided, spring.cycle("spring").overrides) == (2, 1)


def test_a_changed_decision_is_a_new_event_and_the_history_keeps_every_one(spring):
    first = api.decide(spring, "spring", NOT_READY, "not_yet", "", "ana")
    second = api.decide(spring, "spring", NOT_READY, "defer", "Waiting for the Q3 review", "bo", expected_version=1)
    history = spring.history("spring", NOT_READY)
    assert [(d.version, d.decision, d.by, d.reason) for d in history] == [
        (1, "not_yet", "ana", ""), (2, "defer", "bo", "Waiting for the Q3 review")]
    assert history == [first, second]
    assert spring.entry("spring", NOT_READY).decision == second


def test_two_people_deciding_at_once_get_a_conflict_not_a_lost_update(spring, db):
    with api.open_store(db) as other:
        seen_by_ana = spring.entry("spring", READY).version
        seen_by_bo = other.entry("spring", READY).version
        api.decide(spring, "spring", READY, "promote", "", "ana", expected_version=seen_by_ana)
        with pytest.raises(DecisionConflict) as conflict:
            api.decide(other, "spring", READY, "not_yet", "Wants another cycle", "bo", expected_version=seen_by_bo)
    assert conflict.value.current.by == "ana"
    assert "ana decided 'promote'" in conflict.value.message
    assert [d.by for d in spring.history("spring", READY)] == ["ana"]


def test_simultaneous_writers_of_one_version_leave_exactly_one_decision(spring, db):
    """The database's own check: writers that all read version 0 and write at the same moment."""
    stores = [api.open_store(db) for _ in range(4)]
    start, outcomes = threading.Barrier(len(stores)), []

    def decide(store, who: str) -> None:
        start.wait()
        try:
            outcomes.append(api.decide(store, "spring", NOT_READY, "not_yet", "", who, expected_version=0).by)
        except DecisionConflict:
            outcomes.append("conflict")
    threads = [threading.Thread(target=decide, args=(s, f"member-{i}")) for i, s in enumerate(stores)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for store in stores:
        store.close()
    assert sorted(outcomes).count("conflict") == 3
    assert [d.by for d in spring.history("spring", NOT_READY)] == [o for o in outcomes if o != "conflict"]


def test_a_batch_of_decisions_is_recorded_whole_or_not_at_all(spring):
    good = DecisionRequest(READY, "promote", "", "ana")
    with pytest.raises(DecisionsRefused) as refused:
        deciding.decide_many(spring, "spring", [good, DecisionRequest("E-0000", "promote", "", "ana"),
                                                DecisionRequest(NEARLY, "maybe", "", ""), DecisionRequest(READY, "defer", "x", "bo")])
    assert [(i, field, e.code) for i, field, e in refused.value.problems] == [
        (1, "candidate", "decide.unknown-candidate"), (2, "decision", "decide.bad-decision"), (2, "by", "decide.no-by"),
        (3, "candidate", "decide.twice")]
    assert spring.cycle("spring").decided == 0
    assert len(deciding.decide_many(spring, "spring", [good, DecisionRequest(NOT_READY, "not_yet", "", "ana")])) == 2
    assert spring.cycle("spring").decided == 2


def test_unknown_cycles_and_candidates_are_named_with_a_suggestion(spring):
    with pytest.raises(StoreError, match="did you mean 'spring'") as unknown:
        spring.entries("sprung")
    assert unknown.value.code == "cycle.unknown"
    with pytest.raises(StoreError, match="did you mean 'E-1588'"):
        api.decide(spring, "spring", "E-1589", "promote", "", "ana")


def test_a_cycle_name_is_taken_once(spring, cohort):
    with pytest.raises(StoreError) as taken:
        api.open_cycle(spring, "spring", cohort)
    assert taken.value.code == "cycle.exists"
    assert spring.cycle("spring").packets == 4


def test_a_candidate_with_two_packets_is_named_by_packet(store, cohort):
    shutil.copy(cohort / "1-ic-staff-ready.yaml", cohort / "5-again.yaml")
    api.open_cycle(store, "spring", cohort)
    with pytest.raises(StoreError, match="candidate of 2 packets") as ambiguous:
        api.decide(store, "spring", READY, "promote", "", "ana")
    assert ambiguous.value.code == "decide.ambiguous-candidate"
    label = str(Path(cohort / "5-again.yaml").relative_to(Path.cwd())) if cohort.is_relative_to(Path.cwd()) else str(cohort / "5-again.yaml")
    assert api.decide(store, "spring", label, "promote", "", "ana").label == label


def test_a_candidate_is_followed_from_cycle_to_cycle(spring, cohort):
    api.open_cycle(spring, "autumn", cohort / "2-ic-staff-nearly-one-design-doc-short.yaml")
    api.decide(spring, "autumn", NEARLY, "not_yet", "", "ana")
    assert [(e.cycle, e.verdict, e.decision and e.decision.decision) for e in spring.appearances(NEARLY)] == [
        ("spring", "nearly", None), ("autumn", "nearly", "not_yet")]
    assert spring.appearances("E-0000") == []
