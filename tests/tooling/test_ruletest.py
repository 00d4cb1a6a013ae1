"""Rule tests: `ladder test`, its coverage and JUnit XML, and the pytest plugin."""
from __future__ import annotations

import copy
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from importlib.metadata import entry_points
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from engine.cli import main
from engine.tooling import ruletest

ROOT = Path(__file__).resolve().parents[2]

FAILING = {
    "defaults": {"candidate": {"id": "E-1", "name": "Jo", "track": "ic", "level": "junior-developer",
                               "level_since": "2025-01-01"}, "as_of": "2026-11-01"},
    "cases": [
        {"name": "an empty packet is not ready", "packet": {"evidence": []},
         "expect": {"verdict": "not_ready", "criteria": {"time-at-level": "met"}}},
        {"name": "wrongly expected to be ready", "packet": {"evidence": [
            {"id": "P-1", "type": "project", "title": "Refunds", "start": "2026-01-01", "end": "2026-03-01",
             "role": "core", "scope": "team", "outcome": "shipped"}]},
         "expect": {"verdict": "ready", "criteria": {"shipped-work": "met", "no-such-thing": "met"}}},
    ],
}


@pytest.fixture
def rules_with_tests(rules_copy):
    shutil.rmtree(rules_copy / "tests")
    (rules_copy / "tests").mkdir()
    (rules_copy / "tests" / "developer.yaml").write_text(yaml.safe_dump(FAILING, sort_keys=False))
    return rules_copy


def test_a_failing_case_shows_expected_against_actual_with_the_explanation(rules_with_tests):
    result = CliRunner().invoke(main, ["test", str(rules_with_tests)])
    assert result.exit_code == 1
    tests_file = rules_with_tests / "tests" / "developer.yaml"
    assert f"PASS {tests_file}::an empty packet is not ready (developer)" in result.stdout
    failure = result.stdout.split(f"FAIL {tests_file}::wrongly expected to be ready (developer)\n")[1]
    assert failure.splitlines()[:8] == [
        "    verdict: expected ready, got not_ready",
        "        Not ready for Developer: 1 of 4 required criteria met; 3 required criteria unmet, nearly allows at most 1",
        "        ✗ shipped-work (Delivery): 1 of 2 projects in the last 12 months",
        "            counts: P-1 (Refunds)",
        "        ✗ code-reviews (Technical depth): 0 of 3 reviews in the last 12 months",
        "        ✗ peer-feedback (Collaboration): 0 of 2 feedback entries in the last 12 months",
        "    shipped-work: expected met, got unmet - 1 of 2 projects in the last 12 months",
        "        counts: P-1 (Refunds)",
    ]
    assert "    no-such-thing: no such criterion at developer" in failure.splitlines()
    assert result.stdout.rstrip().endswith("1 passed, 1 failed")


def test_a_verdict_better_than_expected_shows_what_counted_toward_it(rules_copy):
    shutil.rmtree(rules_copy / "tests")
    (rules_copy / "tests").mkdir()
    reviews = [{"id": f"R-{i}", "type": "review", "title": f"Review {i}", "date": "2026-05-01", "kind": "code", "scope": "team"}
               for i in range(1, 4)]
    projects = [{"id": f"P-{i}", "type": "project", "title": f"Project {i}", "start": "2026-01-01", "end": "2026-03-01",
                 "role": "core", "scope": "team", "outcome": "shipped"} for i in range(1, 3)]
    expected_worse = {**FAILING, "cases": [{"name": "nearly, though expected not", "packet": {"evidence": reviews + projects},
                                            "expect": {"verdict": "not_ready"}}]}
    (rules_copy / "tests" / "developer.yaml").write_text(yaml.safe_dump(expected_worse, sort_keys=False))
    result = CliRunner().invoke(main, ["test", str(rules_copy)])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert "    verdict: expected not_ready, got nearly" in lines
    assert "        ✓ code-reviews (Technical depth): 3 reviews in the last 12 months (needs 3)" in lines
    assert "            counts: R-1 (Review 1)" in lines
    assert not any("✗" in line for line in lines), "a verdict better than expected lists what was met, not what was missed"


@pytest.mark.parametrize("written, meant", [("nearly_ready", "nearly"), ("NEARLY READY", "nearly"), ("Not Ready", "not_ready"),
                                            ("redy", "ready")])
def test_a_misspelt_verdict_suggests_the_verdict_it_spells(rules_copy, written, meant):
    shutil.rmtree(rules_copy / "tests")
    (rules_copy / "tests").mkdir()
    misspelt = {**FAILING, "cases": [{**FAILING["cases"][0], "expect": {"verdict": written}}]}
    (rules_copy / "tests" / "developer.yaml").write_text(yaml.safe_dump(misspelt, sort_keys=False))
    result = CliRunner().invoke(main, ["test", str(rules_copy)])
    assert result.exit_code == 1
    assert f"is not one of ready, nearly, not_ready (did you mean '{meant}'?) [schema.enum]" in result.stderr


def test_junit_xml_reports_each_case_for_ci(rules_with_tests, tmp_path):
    report = tmp_path / "rules.xml"
    CliRunner().invoke(main, ["test", str(rules_with_tests), "--junit-xml", str(report)])
    suites = ET.parse(report).getroot()
    assert (suites.tag, suites.get("tests"), suites.get("failures")) == ("testsuites", "2", "1")
    cases = suites.findall("testsuite/testcase")
    assert [c.get("name") for c in cases] == ["an empty packet is not ready", "wrongly expected to be ready"]
    assert cases[1].find("failure").get("message") == "verdict: expected ready, got not_ready"


def test_coverage_lists_the_criteria_never_seen_both_ways(rules_with_tests):
    result = CliRunner().invoke(main, ["test", str(rules_with_tests), "--min-coverage", "50"])
    assert result.exit_code == 1
    assert "  not covered: developer / shipped-work never met" in result.stdout
    assert "  not covered: developer / time-at-level never unmet" in result.stdout
    assert "below --min-coverage 50%" in result.stderr


def test_a_malformed_test_file_is_reported_with_its_place(rules_with_tests):
    (rules_with_tests / "tests" / "broken.yaml").write_text("cases:\n  - name: x\n    packet: missing.yaml\n    expect: {verdict: maybe}\n")
    result = CliRunner().invoke(main, ["test", str(rules_with_tests)])
    assert result.exit_code == 1
    assert f"{rules_with_tests / 'tests' / 'broken.yaml'}:4:23: error: 'maybe' is not one of ready, nearly, not_ready" in result.stderr


def test_a_broken_test_file_is_an_error_in_the_junit_xml_not_left_out(rules_with_tests, tmp_path):
    (rules_with_tests / "tests" / "broken.yaml").write_text("cases: [\n")
    report = tmp_path / "rules.xml"
    result = CliRunner().invoke(main, ["test", str(rules_with_tests), "--junit-xml", str(report)])
    assert result.exit_code == 1
    suites = ET.parse(report).getroot()
    assert (suites.get("tests"), suites.get("failures"), suites.get("errors")) == ("3", "1", "1")
    broken = suites.find(f"testsuite[@name='{rules_with_tests / 'tests' / 'broken.yaml'}']")
    assert broken.get("errors") == "1"
    error = broken.find("testcase/error")
    assert error.get("message").startswith(f"{rules_with_tests / 'tests' / 'broken.yaml'}:2:1: error: not valid YAML")


@pytest.mark.parametrize("layout", ["no tests directory", "an empty tests directory"])
def test_a_rulebook_without_tests_fails_the_gate_and_says_where_tests_go(rules_copy, layout):
    shutil.rmtree(rules_copy / "tests")
    if layout == "an empty tests directory":
        (rules_copy / "tests").mkdir()
    result = CliRunner().invoke(main, ["test", str(rules_copy)])
    assert result.exit_code == 1
    assert f"ladder: no rule tests: they are read from {rules_copy / 'tests'}/*.yaml (and *.yml)" in result.stderr


def test_the_default_rulebook_is_covered_both_ways_by_its_own_tests():
    result = CliRunner().invoke(main, ["test", "--coverage", "--min-coverage", "100"])
    assert result.exit_code == 0, result.stdout[-3000:]
    assert "coverage: 100.0%" in result.stdout


def test_pytest_collects_and_runs_the_same_cases(rules_with_tests):
    if not any(ep.value == "engine.pytest_plugin" for ep in entry_points(group="pytest11")):
        pytest.skip("the package is not installed, so its pytest11 entry point is not registered (pip install .)")
    result = subprocess.run([sys.executable, "-m", "pytest", str(rules_with_tests), "-q", "-p", "no:cacheprovider", "-rf"],
                            capture_output=True, text=True, cwd=rules_with_tests.parent, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 1, result.stdout
    assert "1 failed, 1 passed" in result.stdout
    assert "verdict: expected ready, got not_ready" in result.stdout
    ids = [c.id for c in ruletest.load_cases(rules_with_tests / "tests" / "developer.yaml")]
    assert len(ids) == 2


def test_pytest_shows_the_hidden_characters_of_a_case_name_and_its_failure(rules_copy):
    if not any(ep.value == "engine.pytest_plugin" for ep in entry_points(group="pytest11")):
        pytest.skip("the package is not installed, so its pytest11 entry point is not registered (pip install .)")
    hostile = copy.deepcopy(FAILING)
    hostile["cases"][1]["name"] += " \x1b]0;pwned\x07\u202e"
    hostile["cases"][1]["packet"]["evidence"][0]["title"] = "Refunds\x1b]8;;https://e.example/\x1b\\\u200b"
    shutil.rmtree(rules_copy / "tests")
    (rules_copy / "tests").mkdir()
    (rules_copy / "tests" / "developer.yaml").write_text(yaml.safe_dump(hostile, sort_keys=False))
    result = subprocess.run([sys.executable, "-m", "pytest", str(rules_copy), "-q", "-p", "no:cacheprovider", "-rf"],
                            capture_output=True, text=True, cwd=rules_copy.parent, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 1, result.stdout
    assert "\x1b" not in result.stdout and "\u202e" not in result.stdout and "\u200b" not in result.stdout
    assert "wrongly expected to be ready <U+001B>]0;pwned<U+0007><U+202E>" in result.stdout
    assert "P-1 (Refunds<U+001B>]8;;https://e.example/<U+001B>\\<U+200B>)" in result.stdout
