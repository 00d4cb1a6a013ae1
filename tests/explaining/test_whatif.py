"""Cross-track what-if (`ladder evaluate --track`): fixtures in fixtures/whatif/ with
hand-reasoned expectations: the level, the verdict, and which evidence carries over."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from engine import api
from engine.cli import main

WHATIF = Path(__file__).resolve().parents[2] / "fixtures" / "whatif"
CASES = sorted(WHATIF.glob("*.yaml"))


def unmet(document: dict) -> list[str]:
    found = [c["id"] for comp in document["competencies"] for c in comp["criteria"] if c["required"] and not c["met"]]
    return sorted(found + [f"points:{p['group']}" if p["group"] else "points" for p in document["points"] if not p["met"]])


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_evaluating_on_the_other_track_gives_the_expected_level_verdict_and_carry_over(book, path):
    expected = yaml.safe_load((WHATIF / "expected" / path.name).read_text())
    result = api.evaluate_packet(book, path, track=expected["track"])
    if expected.get("no_equivalent"):  # an answer: the verdict at home, and why not on the other track
        assert "cross_track" not in result and result["target"]["track"] != expected["track"], expected["why"]
        assert f"has no {book.tracks[expected['track']].name.lower()} equivalent" in result["track_note"]
        return
    moved = result["cross_track"]
    actual = {
        "level": result["target"]["level"], "verdict": result["verdict"], "unmet": unmet(result),
        "carried_over": sorted(r["id"] for r in moved["carried_over"]),
        "not_valued": sorted(r["id"] for r in moved["not_valued"]),
        "counts_only_here": sorted(r["id"] for r in moved["counts_only_here"]),
    }
    assert actual == {key: expected[key] for key in actual}, expected["why"]
    assert moved["from"]["verdict"] == api.evaluate_packet(book, path)["verdict"]


def test_the_what_if_is_said_plainly_in_the_text_output():
    result = CliRunner().invoke(main, ["evaluate", str(WHATIF / "senior-dev-to-em-ready-on-both.yaml"), "--track", "management"])
    lines = result.output.splitlines()
    assert lines[0].endswith("· what if: management track")
    assert "Moving tracks" in lines
    note = lines[lines.index("Moving tracks") + 1]
    assert note.startswith("  What if: on the management track, at Engineering Manager, the level equivalent to Staff Engineer")


def test_the_what_if_note_agrees_in_number(book):
    seen = set()
    for path in CASES:
        expected = yaml.safe_load((WHATIF / "expected" / path.name).read_text())
        result = api.evaluate_packet(book, path, track=expected["track"])
        if "cross_track" not in result:  # no equivalent: nothing moved
            continue
        found = re.search(r"(\d+) (counts?) here too and (\d+) (does|do) not; (\d+) (counts?) only here\.", result["cross_track"]["note"])
        for number, verb, singular in zip(found.groups()[::2], found.groups()[1::2], ("counts", "does", "counts")):
            assert (verb == singular) == (number == "1"), result["cross_track"]["note"]
            seen.add(number == "1")
    assert seen == {True, False}


def test_not_valued_records_say_why():
    result = api.evaluate_packet(api.rulebook(), WHATIF / "tech-lead-to-staff-ready-only-on-ic.yaml", track="ic")
    reasons = {r["id"]: r["reason"] for r in result["cross_track"]["not_valued"]}
    assert reasons["F-2"].endswith("from role is report, needs peer")


def test_an_unknown_track_is_a_usage_error():
    result = CliRunner().invoke(main, ["evaluate", str(CASES[0]), "--track", "managment"])
    assert result.exit_code == 2 and "unknown track 'managment'" in result.output
