"""Growth and mobility: next-step plans against the verdicts (the published framework: tests/tooling/test_docs.py)."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine import api
from engine.cli import main
from engine.explaining.plan import WAITS, plan
from engine.reading.packet import load_packet
from engine.rendering.plans import render_text

ROOT = Path(__file__).resolve().parents[2]
PACKETS = sorted((ROOT / "fixtures" / "packets").glob("*.yaml"))


def unmet(document: dict) -> set[str]:
    found = {c["id"] for comp in document["competencies"] for c in comp["criteria"] if c["required"] and not c["met"]}
    return found | {f"points:{p['group']}" if p["group"] else "points" for p in document["points"] if not p["met"]}


@pytest.mark.parametrize("path", PACKETS, ids=[p.stem for p in PACKETS])
def test_a_plan_asks_for_exactly_what_the_verdicts_miss_smallest_gap_first(book, path):
    document = plan(book, load_packet(path, book))
    own, *others = document["plans"]
    assert {s["criterion"] for s in own["steps"]} - {"verification"} == unmet(api.evaluate_packet(book, path))
    for other in others:
        verdict = api.evaluate_packet(book, path, track=other["track"])
        assert other["level"] == verdict["target"]["level"] and other["verdict"] == verdict["verdict"]
        assert {s["criterion"] for s in other["steps"]} - {"verification"} == unmet(verdict)
    for item in document["plans"]:
        waits = [WAITS.index(s["waits_for"]) for s in item["steps"]]
        assert waits == sorted(waits)  # a level to reach, then months to wait, then evidence
        for kind in WAITS:
            gaps = [s["gap"] for s in item["steps"] if s["waits_for"] == kind]
            assert gaps == sorted(gaps)


def test_plans_cover_both_tracks_for_the_same_candidate(book):
    document = plan(book, load_packet(ROOT / "fixtures/packets/ic-staff-nearly-one-design-doc-short.yaml", book))
    assert [(p["track"], p["level"]) for p in document["plans"]] == [("ic", "staff-engineer"), ("management", "engineering-manager")]
    first = document["plans"][0]["steps"][0]
    assert first["text"] == ("Wrote at least 2 approved cross-team design docs for projects they led, in the last 24 months: "
                             "1 more design doc (you have 1 of 2)")
    assert first["closest"][0].startswith("DD-2 (Consumer lag autoscaling design): scope is team")


def test_a_plan_for_time_at_level_says_how_many_months_remain(book):
    document = plan(book, load_packet(ROOT / "fixtures/packets/ic-senior-not-ready-17-months-month-end.yaml", book))
    assert document["plans"][0]["steps"][0]["text"] == \
        "At least 18 months at the level below (Developer): 1 more month at the current level (you have 17 of 18)"


def test_a_plan_counts_points_and_months_in_words_that_agree(book):
    document = plan(book, load_packet(ROOT / "fixtures/packets/mgmt-director-nearly-people-points-short.yaml", book))
    texts = [s["text"] for p in document["plans"] for s in p["steps"]]
    assert any(t.startswith("Earn 1 more point in technical ") for t in texts)
    assert any(t.startswith("Earn 2 more points in people ") for t in texts)
    assert not any("(s)" in t for t in texts)


def test_a_level_the_candidate_must_reach_first_comes_first_and_is_said_up_front(book):
    document = plan(book, load_packet(ROOT / "fixtures/whatif/senior-dev-skip-target-to-senior-em-two-steps.yaml", book))
    own = document["plans"][0]
    assert own["not_open"] == "Principal Engineer is not open to a Senior Developer: first reach Staff Engineer."
    assert own["steps"][0]["text"] == ("At least 24 months at the level below (Staff Engineer), or its management equivalent (Engineering Manager): "
                                           "first reach Staff Engineer, "
                                       "then 24 months at that level (Senior Developer is 2 levels below Principal Engineer)")
    document = plan(book, load_packet(ROOT / "fixtures/packets/ic-senior-nearly-design-doc-for-project-not-led.yaml", book))
    home, management = document["plans"]
    assert home["not_open"] is None
    assert management["not_open"] == "Tech Lead is not open to a Developer: first reach Senior Developer."
    assert management["steps"][0]["criterion"] == "time-at-level" and management["steps"][0]["waits_for"] == "level"
    assert "Tech Lead is not open to a Developer" in render_text(document).split("Tech Lead (management track)")[1].splitlines()[1]


def test_a_plan_step_says_what_it_counts(book):
    document = plan(book, load_packet(ROOT / "fixtures/packets/ic-principal-not-ready-one-team-no-adopted-strategy.yaml", book))
    texts = {s["criterion"]: s["text"] for s in document["plans"][1]["steps"]}
    assert texts["team-size"].endswith(": no team growth record yet: needs a team growth record where direct reports is at least 4, "
                                       "in the last 12 months")
    assert texts["promotions"].endswith(": 3 more promotions across team growth records (you have 0 of 3)")


def test_a_disputed_finding_asks_the_committee_and_says_when_it_stops_counting(book):
    document = plan(book, load_packet(ROOT / "fixtures/packets/ic-staff-not-ready-disputed-conduct-concern.yaml", book))
    assert document["plans"][0]["steps"][0]["text"] == (
        "No feedback from anyone raising a conduct concern in the last 12 months: F-3 (Peer feedback after the CDC design review) "
        "is disputed: the committee must resolve the dispute (otherwise it stops counting on 2027-07-23, when it leaves "
        "the 12-month window)")
    assert document["plans"][0]["steps"][0]["still_needed"] == 1


def test_a_blocker_step_counts_every_finding_to_clear(book, tmp_path):
    source = (ROOT / "fixtures/packets/ic-staff-not-ready-disputed-conduct-concern.yaml").read_text()
    path = tmp_path / "two-concerns.yaml"
    path.write_text(source.rstrip("\n") + """
  - id: F-9
    type: feedback
    title: Feedback after the launch
    date: 2026-08-01
    confidence: disputed
    from_role: peer
    sentiment: concern
    concern: conduct
""")
    step = plan(book, load_packet(path, book))["plans"][0]["steps"][0]
    assert step["still_needed"] == 2 and "F-3 (" in step["text"] and "; F-9 (Feedback after the launch) is disputed" in step["text"]


def test_a_points_step_suggests_only_what_earns_points_in_that_group_cheapest_first(book):
    document = plan(book, load_packet(ROOT / "fixtures/packets/mgmt-director-nearly-people-points-short.yaml", book))
    director, distinguished = document["plans"]
    people = director["steps"][0]["text"]
    assert people.startswith("Earn 2 more points in people (you have 2 of 4): for example, At least 6 promotions")
    assert "incident" not in people and "Gave talks" not in people  # organisation points; talks already at their cap
    total = next(s["text"] for s in distinguished["steps"] if s["criterion"] == "points")
    assert ": for example, Founded communities of practice in the last 36 months (2 points each, up to 4) " \
           "(2 of a possible 4 points; 2 more per community of practice); Gave talks outside" in total


def test_a_verdict_resting_on_unverified_records_makes_getting_them_verified_a_step(book):
    document = plan(book, load_packet(ROOT / "fixtures/packets/mgmt-em-ready-but-hires-self-reported.yaml", book))
    own = document["plans"][0]
    assert own["verdict"] == "ready"
    assert [s["text"] for s in own["steps"]] == [
        "Get H-1 and H-2 verified: on verified evidence alone the verdict would be nearly ready "
        "(H-1 (Hiring manager, fraud analyst engineer) is self-reported; H-2 (Hiring manager, senior backend engineer) is self-reported)"]
    assert "Nothing missing" not in render_text(document)


def test_a_disputed_finding_is_resolved_not_verified(book):
    # on verified evidence alone the verdict is better: the dispute is the step, not verification
    document = plan(book, load_packet(ROOT / "fixtures/packets/ic-staff-not-ready-disputed-conduct-concern.yaml", book))
    assert [s["criterion"] for s in document["plans"][0]["steps"]] == ["no-conduct-concerns"]


def test_nothing_missing_only_for_a_ready_verdict_resting_on_verified_records(book):
    text = render_text(plan(book, load_packet(ROOT / "fixtures/packets/ic-staff-ready.yaml", book)))
    assert "Staff Engineer (individual contributor track): ready\n  Nothing missing: the rules are met." in text
    assert text.count("Nothing missing") == 1  # the management plan has steps


def test_a_plan_names_tracks_by_their_rulebook_name_as_a_sentence_says_it(book):
    text = render_text(plan(book, load_packet(ROOT / "fixtures/packets/ic-developer-ready.yaml", book)))
    assert "Developer (individual contributor track): ready" in text
    assert "The management track has no level equivalent" in text
    assert "(ic track)" not in text and "The Management" not in text


def test_a_one_record_criterion_with_no_record_of_its_type_says_what_the_record_must_show(book):
    document = plan(book, load_packet(ROOT / "fixtures/packets/ic-staff-ready.yaml", book))
    step = next(s for s in document["plans"][1]["steps"] if s["criterion"] == "team-size")
    assert step["text"].endswith(": no team growth record yet: needs a team growth record where direct reports "
                                 "is at least 4, in the last 12 months")


def test_plan_colours_text_only_when_asked_or_on_a_terminal():
    path = str(ROOT / "fixtures/packets/ic-staff-ready.yaml")
    assert "\x1b[32m" in CliRunner().invoke(main, ["plan", path, "--color", "always"]).output
    assert "\x1b[" not in CliRunner().invoke(main, ["plan", path]).output  # not a terminal
    assert "\x1b[" not in CliRunner().invoke(main, ["plan", path, "--color", "auto"], env={"NO_COLOR": "1"}).output
    assert "\x1b[" not in CliRunner().invoke(main, ["plan", path, "--color", "always", "--format", "markdown"]).output


def test_the_plan_command_renders_text_markdown_and_json():
    path = str(ROOT / "fixtures/packets/mgmt-vp-nearly-org-of-five-teams.yaml")
    text = CliRunner().invoke(main, ["plan", path]).output
    assert text.splitlines()[0].startswith("Next steps for ") and "  1. " in text
    markdown = CliRunner().invoke(main, ["plan", path, "--format", "markdown"]).output
    assert markdown.startswith("## Next steps for ")
    document = json.loads(CliRunner().invoke(main, ["plan", path, "--format", "json"]).output)
    assert document["plans"][0]["steps"][0]["criterion"] == "org-size"
    assert document["no_equivalent"] == ["Individual contributor"]  # VP has no IC equivalent


def test_a_record_behind_nested_findings_is_named_once_with_the_last_day_it_counts(tmp_path):
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    level = rules / "levels" / "staff-engineer.yaml"
    nested = """            any_of:
              - id: conduct-twice
                description: Two conduct concerns ever
                count: {evidence: feedback, where: {concern: conduct}, at_least: 2}
              - id: conduct-recent
                description: A conduct concern in the last 12 months
                count: {evidence: feedback, where: {concern: conduct}, within: 12 months}
              - id: conduct-earlier
                description: A conduct concern in the last 24 months
                count: {evidence: feedback, where: {concern: conduct}, within: 24 months}
"""
    text = level.read_text()
    old = """            count:
              evidence: feedback
              where: {concern: conduct}
              within: 12 months
"""
    assert old in text
    level.write_text(text.replace(old, nested))
    book = api.rulebook(rules)
    step = plan(book, load_packet(ROOT / "fixtures/packets/ic-staff-not-ready-disputed-conduct-concern.yaml", book))["plans"][0]["steps"][0]
    assert step["still_needed"] == 1 and step["text"].count("F-3 (") == 1  # not again for each finding, nor the unmet one
    assert step["text"].endswith("(otherwise it stops counting on 2028-07-23, when it leaves the 24-month window)")
