"""Placement (`ladder place`): fixtures in fixtures/placement/ with hand-reasoned expectations
(`expected/<name>.yaml`): per track, the levels met, the placement, the first level not met
above it and its verdict, and what is set aside of the candidate's standing."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from helpers import placeable

from engine import api
from engine.cohorts import synthetic
from engine.explaining.placement import place, placed
from engine.matching.evaluate import READY
from engine.reading.load import Document, load_file
from engine.reading.packet import build_packet
from engine.rendering.report import Invalid

ROOT = Path(__file__).resolve().parents[2]
PLACEMENT = ROOT / "fixtures" / "placement"
CASES = sorted(PLACEMENT.glob("*.yaml"))
PACKETS = sorted((ROOT / "fixtures" / "packets").glob("*.yaml"))


def summary(document: dict) -> dict:
    """What the expectations state, read from a placement document."""
    tracks = {}
    for track in document["tracks"]:
        first = track["first_not_met"]
        levels = {level["level"]: level for level in track["levels"]}
        tracks[track["track"]] = {
            "placed": track["placed"]["level"] if track["placed"] else None,
            "steps": track["placed"]["steps"] if track["placed"] else None,
            "standing": track["standing"]["level"] if track["standing"] else None,
            "met": [level["level"] for level in track["levels"] if level["met"]],
            "first_not_met": first["level"] if first else None,
            "first_not_met_verdict": levels[first["level"]]["verdict"] if first else None,
        }
    return tracks


def test_there_are_placement_cases_on_both_tracks():
    assert len(CASES) >= 6
    homes = {yaml.safe_load(path.read_text())["candidate"]["track"] for path in CASES}
    assert homes == {"ic", "management"}


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_a_candidate_is_placed_where_the_expectation_says_on_every_track(book, path):
    expected = yaml.safe_load((PLACEMENT / "expected" / path.name).read_text())
    document = api.place_packet(book, path)
    assert not isinstance(document, Invalid), document
    actual = summary(document)
    assert list(actual) == list(expected["tracks"]), "the candidate's own track comes first"
    wanted = {track: {key: actual[track][key] for key in spec} for track, spec in expected["tracks"].items()}
    assert wanted == expected["tracks"], f"{path.name}: {expected['why']}\nactual:\n" + yaml.safe_dump(actual, sort_keys=False)
    levels = {level["level"]: level for track in document["tracks"] for level in track["levels"]}
    for level, lines in expected.get("set_aside", {}).items():
        assert levels[level]["set_aside"] == lines, f"{path.name}: {level}: {expected['why']}"


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_the_first_level_not_met_says_what_it_misses(book, path):
    for track in api.place_packet(book, path)["tracks"]:
        if track["first_not_met"] is None:
            assert track["headline"].endswith("the top of the track")
            continue
        first = next(level for level in track["levels"] if level["level"] == track["first_not_met"]["level"])
        assert not first["met"] and first["missing"] and first["headline"]
        assert f"first not met: {first['name']}" in track["headline"]


@pytest.mark.parametrize("path", PACKETS, ids=[p.stem for p in PACKETS])
def test_setting_standing_aside_never_takes_a_ready_verdict_away(book, path):
    """At each sample packet's target, placement's verdict is the promotion verdict with the
    standing conditions dropped: a packet ready for its target meets that level, and a level
    met only by placement misses nothing but conditions on the candidate's standing."""
    verdict = api.evaluate_packet(book, path)
    placed = api.place_packet(book, path)
    target = verdict["target"]["level"]
    level = next(lv for track in placed["tracks"] for lv in track["levels"] if lv["level"] == target)
    if verdict["verdict"] == READY:
        assert level["met"] and level["set_aside"] == []
    elif level["met"]:
        unmet = [c for comp in verdict["competencies"] for c in comp["criteria"] if c["required"] and not c["met"]]
        assert unmet and all(c["kind"] == "candidate" for c in unmet) and level["set_aside"]


def test_the_packet_target_is_ignored_even_one_evaluate_refuses(book):
    path = ROOT / "fixtures" / "packets" / "invalid" / "target-not-above-current-level.yaml"
    assert isinstance(api.evaluate_packet(book, path), Invalid)
    document = api.place_packet(book, path)
    assert not isinstance(document, Invalid) and [t["track"] for t in document["tracks"]] == ["ic", "management"]


def test_a_level_above_the_entry_level_without_rules_is_not_judged_and_not_met(rules_copy):
    (rules_copy / "levels" / "vp-of-engineering.yaml").unlink()
    book = api.rulebook(rules_copy)
    document = api.place_packet(book, PLACEMENT / "vp-at-the-top-of-the-track-with-no-target.yaml")
    management = document["tracks"][0]
    vp = management["levels"][-1]
    assert vp == {"level": "vp-of-engineering", "name": "VP of Engineering", "steps": 0, "met": False, "verdict": None,
                  "note": "not judged: it has no promotion rules"}
    assert management["headline"] == ("Management: Director of Engineering (1 level below the current level); "
                                      "next: VP of Engineering, not judged (it has no promotion rules)")


def test_an_invalid_packet_gets_its_errors_not_a_placement(book):
    path = ROOT / "fixtures" / "packets" / "invalid" / "end-before-start.yaml"
    result = api.place_packet(book, path)
    assert isinstance(result, Invalid) and [d.code for d in result.diagnostics] == ["packet.bad-date"]


def _brief(book, packet) -> dict:
    """The placement on the candidate's own track in brief, read from the full document."""
    track = place(book, packet, [packet.candidate.track])["tracks"][0]
    level, first = track["placed"], track["first_not_met"]
    return {"level": level["level"] if level else None, "steps": level["steps"] if level else None,
            "first_not_met": first["level"] if first else None}


def test_a_calibration_places_every_candidate_where_the_full_placement_does(book):
    """A calibration's brief placement works out each level's verdict alone; over every sample
    packet, every placement case and a generated cohort (every level of both tracks reached)
    it says what the full placement says."""
    files = [*CASES, *PACKETS]
    documents = [load_file(path) for path in files]
    documents += [Document(f"generated {n}", data, {}) for n, data in enumerate(synthetic.generate(book, 120, 7, records=30))]
    packets = list(placeable(book, documents))
    assert len(packets) > 100 and {p.candidate.track for p in packets} == {"ic", "management"}
    briefs = [placed(book, packet) for packet in packets]
    assert briefs == [_brief(book, packet) for packet in packets]
    assert len({b["level"] for b in briefs}) >= 6, "the packets should be placed at many levels"


def test_the_brief_placement_of_a_track_whose_level_has_no_rules_matches_the_full_one(rules_copy):
    (rules_copy / "levels" / "vp-of-engineering.yaml").unlink()
    book = api.rulebook(rules_copy)
    packet = build_packet(load_file(PLACEMENT / "vp-at-the-top-of-the-track-with-no-target.yaml"), book, placing=True)
    assert placed(book, packet) == _brief(book, packet) == {"level": "director-of-engineering", "steps": -1,
                                                           "first_not_met": "vp-of-engineering"}
