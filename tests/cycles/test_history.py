"""`ladder history CANDIDATE`: a candidate cycle by cycle (verdict, decisions with their changes,
criteria met and no longer met), on SQLite and PostgreSQL, over the two cycles of
fixtures/cycles/ (`seasons`)."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from engine import api
from engine.cli import main
from engine.cycles import StoreError


def history(db: str, *args: str):
    return CliRunner().invoke(main, ["history", *args, "--db", db], catch_exceptions=False)


def test_history_gives_each_cycles_verdict_oldest_first(seasons):
    steps = api.candidate_history(seasons, "E-3001")
    assert [(s.cycle.name, s.entry.verdict) for s in steps] == [("2026-spring", "ready"), ("2026-autumn", "nearly")]


def test_criteria_changed_between_cycles_are_named_in_the_later_rulebooks_words(seasons):
    spring, autumn = api.candidate_history(seasons, "E-3003")
    assert spring.changes == []
    assert [(c.criterion, c.before, c.now) for c in autumn.changes] == [("design-for-led-project", True, False), ("mentees", True, False)]
    assert autumn.changes[1].description == "Mentored at least 3 engineers in the last 24 months"


def test_a_criterion_met_again_reads_not_met_to_met(seasons):
    _, autumn = api.candidate_history(seasons, "E-3002")
    assert [(c.criterion, c.before, c.now) for c in autumn.changes] == [("design-for-led-project", False, True)]


def test_a_changed_decision_keeps_its_history_and_the_last_is_in_force(seasons, db):
    api.decide(seasons, "2026-autumn", "E-3005", "promote", "", "cy")
    document = json.loads(history(db, "E-3005", "--format", "json").output)
    autumn = document["cycles"][1]
    assert [d["decision"] for d in autumn["decisions"]] == ["defer", "promote"]
    assert [d["version"] for d in autumn["decisions"]] == [1, 2]
    text = history(db, "E-3005").output
    assert "replaced: v1" in text and "decision: v2" in text and "promote by cy" in text


def test_an_unknown_candidate_is_answered_with_the_closest_ids(seasons, db):
    with pytest.raises(StoreError, match="did you mean 'E-3001'"):
        api.candidate_history(seasons, "E-301")
    result = history(db, "E-301")
    assert result.exit_code == 1 and "did you mean" in result.output and "[history.unknown-candidate]" in result.output


def test_every_format_names_the_changed_criterion(seasons, db):
    for fmt in ("text", "markdown", "json"):
        result = history(db, "E-3001", "--format", fmt)
        assert result.exit_code == 0 and "mentees" in result.output and "Mentored at least 3 engineers" in result.output, fmt
    assert history(db, "E-3001", "--format", "markdown").output.startswith("# E-3001 Alba Ferreira\n")
    assert "2026-autumn (opened " in history(db, "E-3001").output
    assert "Senior Developer -> Staff Engineer: nearly ready" in history(db, "E-3001").output


def test_a_candidate_only_in_one_cycle_has_one_step_and_no_changes(seasons):
    (only,) = api.candidate_history(seasons, "E-3009")
    assert only.cycle.name == "2026-autumn" and only.changes == [] and only.decisions == []
