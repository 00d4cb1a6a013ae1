"""`ladder place`: what a person at a terminal (or a program) sees in each format, and that one
packet's failure is reported for that packet while every other is placed."""
from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner
from helpers import packet, record

from engine import api
from engine.cli import main
from engine.common.errors import EngineFault
from engine.reading import bundle, validate

ROOT = Path(__file__).resolve().parent.parent
STAFF_EVIDENCE = ROOT / "fixtures" / "placement" / "developer-whose-evidence-meets-staff-after-8-months.yaml"
ONLY_SENIOR = ROOT / "fixtures" / "placement" / "staff-engineer-whose-evidence-meets-only-senior.yaml"


@pytest.fixture
def run():
    def invoke(*args):
        return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    return invoke


@pytest.fixture
def bad(write_packet):
    return write_packet(packet(evidence=[record("X-1", "desing-doc", "2026-01-01")]), "bad.yaml")


def test_text_says_the_placement_on_each_track_and_what_the_first_level_not_met_misses(run):
    result = run("place", STAFF_EVIDENCE)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "Mei Lin Zhou (E-1588) · Developer, 8 months at the level · as of 2026-03-15"
    assert ("Individual contributor: Staff Engineer (2 levels above the current level); "
            "first not met: Principal Engineer, not ready") in lines
    assert "  ✓ Junior Developer: met by default: the entry level has no promotion rules" in lines
    assert "  ✓ Developer (the current level): ready" in lines
    assert "      set aside (standing, not evidence): 8 months at the current level, needs at least 18" in lines
    principal = lines.index(next(line for line in lines if line.startswith("  ✗ Principal Engineer: not ready - ")))
    assert lines[principal + 1].startswith("      - Mentorship: Mentored at least 3 engineers")
    assert "Management: no level met; first not met: Tech Lead, nearly ready" in lines


def test_markdown_is_a_section_per_candidate_with_a_table_per_track(run):
    result = run("place", ONLY_SENIOR, "--format", "markdown")
    assert result.exit_code == 0
    assert result.output.startswith("## Mei Lin Zhou (E-1588): Staff Engineer\n")
    assert result.output.count("| | Level | Verdict | Set aside (standing, not evidence) |") == 2
    assert ("### Individual contributor: Senior Developer (1 level below the current level); "
            "first not met: Staff Engineer, not ready") in result.output
    assert "| ✗ | Staff Engineer (the current level) | not ready - " in result.output
    assert "Missing for Staff Engineer:" in result.output


def test_json_follows_the_placement_schema_and_an_invalid_packet_gets_its_errors(run, bad):
    result = run("place", STAFF_EVIDENCE, bad, ONLY_SENIOR, "--format", "json")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    jsonschema.Draft202012Validator(validate.schema("placement"), registry=validate._registry()).validate(document)
    jsonschema.Draft202012Validator(bundle.bundle("placement")).validate(document)  # as another tool would, offline
    placed, invalid, other = document["results"]
    assert document["format"] == "ladder.placements/1"
    assert placed["tracks"][0]["placed"] == {"level": "staff-engineer", "name": "Staff Engineer", "steps": 2}
    assert [e["code"] for e in invalid["errors"]] == ["packet.unknown-evidence"] and "tracks" not in invalid
    assert other["tracks"][0]["placed"]["level"] == "senior-developer"
    assert f"{bad}:" in result.stderr and "1 of 3 packets invalid, not placed" in result.stderr


def test_the_placement_schema_refuses_a_level_not_met_without_why():
    document = json.loads(json.dumps(api.place_packet(api.rulebook(), ONLY_SENIOR)))
    del document["tracks"][0]["levels"][3]["missing"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(bundle.bundle("placement")).validate({"format": "ladder.placements/1", "results": [document]})


def test_as_of_judges_the_evidence_at_another_date(run):
    later = run("place", STAFF_EVIDENCE, "--as-of", "2027-01-15")
    assert later.output.startswith("Mei Lin Zhou (E-1588) · Developer, 18 months at the level · as of 2027-01-15")
    # A year on, the 12-month windows have moved past her projects: Developer is no longer met.
    assert "  ✗ Developer (the current level): not ready - " in later.output


def test_rules_places_against_another_rulebook(run, rules_copy):
    level = rules_copy / "levels" / "developer.yaml"
    level.write_text(level.read_text().replace("at_least: 3", "at_least: 30"))  # 30 code reviews
    result = run("place", STAFF_EVIDENCE, "--rules", rules_copy)
    assert "Individual contributor: Junior Developer (1 level below the current level); first not met: Developer, nearly ready" \
        in result.output


def test_out_writes_the_file_and_nothing_on_stdout(run, tmp_path):
    out = tmp_path / "placements.md"
    result = run("place", STAFF_EVIDENCE, "--format", "markdown", "--out", out)
    assert result.exit_code == 0 and result.stdout == ""
    assert out.read_text() == run("place", STAFF_EVIDENCE, "--format", "markdown").stdout


def test_output_is_the_same_for_one_and_two_jobs(run):
    packets = [STAFF_EVIDENCE, ONLY_SENIOR, ROOT / "fixtures" / "packets"]
    assert run("place", *packets, "--format", "json", "--jobs", "1").stdout == \
        run("place", *packets, "--format", "json", "--jobs", "2").stdout


def _faulty(real, hang: str, crash: str, fails: str):
    def work(book, item, *args):
        if item.label.endswith(hang):
            time.sleep(30)
        if item.label.endswith(crash):
            os.kill(os.getpid(), signal.SIGSEGV)
        if item.label.endswith(fails):
            raise EngineFault("durable-rules failed while matching: error 303")
        return real(book, item, *args)
    return work


def test_a_packet_that_hangs_crashes_or_faults_is_reported_and_every_other_is_placed(monkeypatch):
    monkeypatch.chdir(ROOT)
    names = sorted(p.name for p in (ROOT / "fixtures" / "placement").glob("*.yaml"))
    packets = [f"fixtures/placement/{name}" for name in names]
    monkeypatch.setattr(api, "_place", _faulty(api._place, names[0], names[2], names[4]))
    result = CliRunner().invoke(main, ["place", *packets, "--format", "json", "--timeout", "2", "--jobs", "2"])
    assert result.exit_code == 3
    assert "ladder: the rules engine failed on 3 of 6 packets, each listed with its error." in result.stderr
    results = json.loads(result.stdout)["results"]
    assert [r["packet"] for r in results] == packets
    faults = {i: [(e["code"], e["message"]) for e in results[i]["errors"]] for i in (0, 2, 4)}
    assert faults[0] == [("engine.fault", "the evaluation took longer than 2 s and was stopped")]
    assert faults[2][0][1].startswith("the evaluation crashed its worker process (signal SIGSEGV")
    assert faults[4] == [("engine.fault", "the evaluation failed: EngineFault: durable-rules failed while matching: error 303")]
    assert all("tracks" in results[i] for i in (1, 3, 5))


def test_help_teaches_what_placement_decides(run):
    result = run("place", "--help")
    for words in ("highest on each track", "verdict is ready", "not standing", "steps_to_target", "entry level",
                  "equivalent", "docs/rules.md", "--as-of", "--jobs", "--timeout", "--rules"):
        assert words in " ".join(result.output.split()), words


def test_a_directory_holding_no_packets_is_a_usage_error_not_an_empty_placement(run, tmp_path):
    result = run("place", tmp_path)
    assert result.exit_code == 2 and f"{tmp_path}: no packet files here" in result.output


def test_an_output_in_a_missing_directory_is_a_usage_error_before_any_work(run, tmp_path, monkeypatch):
    def started(*args, **kwargs):
        raise AssertionError("the command started its work before checking where it writes")
    monkeypatch.setattr("engine.api.rulebook", started)
    result = run("place", STAFF_EVIDENCE, "--out", tmp_path / "missing" / "placements.json")
    assert result.exit_code == 2 and f"--out: directory {tmp_path / 'missing'} does not exist" in result.stderr
