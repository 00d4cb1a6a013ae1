"""The sample packets in fixtures/packets/: each against its hand-reasoned expectation
(`expected/<name>.yaml`) and its reviewed explanation (`expected/<name>.txt`).

After a deliberate change to the explanations, review and regenerate the text files with
`LADDER_UPDATE_GOLDEN=1 python -m pytest tests/test_fixtures.py`."""
from __future__ import annotations

import difflib
import os
from pathlib import Path

import jsonschema
import pytest
import yaml

from engine import api
from engine.reading import validate
from engine.rendering.report import Invalid, render, results_json

PACKETS = Path(__file__).resolve().parent.parent / "fixtures" / "packets"
VALID = sorted(PACKETS.glob("*.yaml"))
INVALID = sorted((PACKETS / "invalid").glob("*.yaml"))
UPDATE = os.environ.get("LADDER_UPDATE_GOLDEN") == "1"


def expectation(packet: Path) -> dict:
    return yaml.safe_load((packet.parent / "expected" / packet.name).read_text())


def test_there_are_enough_fixtures_over_both_tracks_and_every_verdict():
    assert len(VALID) >= 16 and len(INVALID) >= 6
    verdicts = {expectation(p)["verdict"] for p in VALID}
    assert verdicts == {"ready", "nearly", "not_ready"}
    assert {p.name.split("-")[0] for p in VALID} >= {"ic", "mgmt"}


@pytest.mark.parametrize("path", VALID, ids=[p.stem for p in VALID])
def test_packet_gets_its_expected_verdict(book, path):
    expected = expectation(path)
    result = api.evaluate_packet(book, path)
    assert not isinstance(result, Invalid), result
    unmet = sorted(m for m in _unmet(result))
    actual = {"verdict": result["verdict"], "unmet": unmet, "verified_only_verdict": result["evidence_confidence"]["verified_only_verdict"]}
    wanted = {"verdict": expected["verdict"], "unmet": sorted(expected.get("unmet", [])),
              "verified_only_verdict": expected.get("verified_only_verdict", expected["verdict"])}
    assert actual == wanted, f"{path.name}: {expected.get('why', '')}\n" + yaml.safe_dump(actual)


def _unmet(document: dict):
    for competency in document["competencies"]:
        for item in competency["criteria"]:
            if item["required"] and not item["met"]:
                yield item["id"]
    for points in document["points"]:
        if not points["met"]:
            yield f"points:{points['group']}" if points["group"] else "points"


@pytest.mark.parametrize("path", VALID, ids=[p.stem for p in VALID])
def test_packet_explanation_matches_the_reviewed_text(book, path):
    text = render([api.evaluate_packet(book, path)], "text")
    golden = path.parent / "expected" / f"{path.stem}.txt"
    if UPDATE:
        golden.write_text(text)
    assert golden.is_file(), f"no reviewed text for {path.name}: run with LADDER_UPDATE_GOLDEN=1 and review it"
    expected = golden.read_text()
    if text != expected:
        diff = "".join(difflib.unified_diff(expected.splitlines(True), text.splitlines(True), str(golden), "actual"))
        pytest.fail(f"the explanation changed; review, then regenerate with LADDER_UPDATE_GOLDEN=1:\n{diff}")


def test_every_fixture_verdict_follows_the_verdict_schema(book):
    document = results_json([api.evaluate_packet(book, p) for p in VALID + INVALID])
    jsonschema.Draft202012Validator(validate.schema("verdict"), registry=validate._registry()).validate(document)


@pytest.mark.parametrize("path", INVALID, ids=[p.stem for p in INVALID])
def test_invalid_packet_reports_every_expected_error_with_its_place(book, path):
    expected = expectation(path)["errors"]
    result = api.evaluate_packet(book, path)
    assert isinstance(result, Invalid), f"{path.name} was evaluated, but it is invalid"
    lines = [d.format() for d in result.diagnostics]
    for fragment in expected:
        assert any(fragment in line for line in lines), f"{fragment!r} not among:\n" + "\n".join(lines)
    assert len(lines) == len(expected), "errors beyond the expected ones:\n" + "\n".join(lines)
