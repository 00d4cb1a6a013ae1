"""`ladder lint`: each defect class found where it is, stable codes, SARIF for code scanning."""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from engine import api
from engine.cli import main
from engine.tooling import lint

ROOT = Path(__file__).resolve().parents[2]
DEFECTS = ROOT / "fixtures" / "rulebooks" / "lint-defects"
BROKEN = yaml.safe_load((ROOT / "fixtures" / "rulebooks" / "broken.yaml").read_text())
LOAD_CLASSES = {case["error"].rsplit("[", 1)[1].rstrip("]") for case in BROKEN}


@pytest.fixture(autouse=True)
def at_the_repository_root(monkeypatch):
    monkeypatch.chdir(ROOT)  # findings name files relative to the working directory


def run(*args):
    return CliRunner().invoke(main, ["lint", *map(str, args)])


def test_the_default_rulebook_is_clean():
    result = run()
    assert result.exit_code == 0 and all(" accepted: " in line for line in result.stdout.splitlines())
    assert run("--strict").exit_code == 0


def test_the_defect_rulebook_gives_exactly_the_reviewed_findings():
    result = run(DEFECTS.relative_to(ROOT))
    assert result.exit_code == 1
    assert result.stdout == (DEFECTS / "expected-lint.txt").read_text()


def test_every_lint_code_is_found_in_the_defect_rulebook():
    found = {d.code for d in lint.lint(DEFECTS.relative_to(ROOT))}
    assert found == set(lint.RULES)


@pytest.mark.parametrize("code", ["rules.unknown-evidence", "rules.unknown-field", "rules.bad-value", "rules.type-mismatch", "rules.bad-operator"])
def test_lint_reports_rulebooks_that_do_not_load_with_their_codes(code, tmp_path):
    assert code in LOAD_CLASSES
    case = next(c for c in BROKEN if c["error"].endswith(f"[{code}]"))
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    target = rules / case["file"]
    target.write_text(target.read_text().replace(case["old"], case["new"], 1))
    result = run(rules)
    assert result.exit_code == 1 and f"error: {case['error']}" in result.stdout


def test_warnings_fail_only_with_strict(tmp_path):
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    level = rules / "levels" / "developer.yaml"
    level.write_text(level.read_text().replace("        description: Gave at least 3 significant code reviews in the last 12 months\n", ""))
    assert run(rules).exit_code == 0
    strict = run(rules, "--strict")
    assert strict.exit_code == 1 and "[lint.missing-description]" in strict.stdout


def test_sarif_has_what_code_scanning_needs():
    result = run(DEFECTS.relative_to(ROOT), "--format", "sarif")
    log = json.loads(result.stdout)
    assert log["version"] == "2.1.0" and log["$schema"].endswith("sarif-2.1.0.json")
    (run_,) = log["runs"]
    rules = run_["tool"]["driver"]["rules"]
    assert run_["tool"]["driver"]["name"] == "ladder"
    assert {r["id"] for r in rules} >= set(lint.RULES)
    for result in run_["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] in ("error", "warning", "note") and result["message"]["text"]
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uri"].startswith("fixtures/rulebooks/lint-defects/")
        assert location["region"]["startLine"] >= 1 and location["region"]["startColumn"] >= 1
    assert len(run_["results"]) == len((DEFECTS / "expected-lint.txt").read_text().splitlines())


def test_json_findings_carry_code_level_and_place():
    findings = json.loads(run(DEFECTS.relative_to(ROOT), "--format", "json").stdout)["findings"]
    assert {"file", "line", "col", "level", "code", "message"} == set(findings[0])


@pytest.mark.parametrize("level, base, gap", [
    ("distinguished-engineer", "director-of-engineering", False),  # its equivalent: one definition, two tracks
    ("vp-of-engineering", "distinguished-engineer", False),  # the equivalent of the level directly below
    ("vp-of-engineering", "principal-engineer", True),  # the equivalent of a level two below
    ("distinguished-engineer", "vp-of-engineering", True),  # no equivalent on the IC track
])
def test_a_level_may_build_on_its_equivalent_on_the_other_track(rules_copy, level, base, gap):
    (rules_copy / "levels" / f"{level}.yaml").write_text(
        f"level: {level}\nbuilds_on: {base}\nsummary: Asks what {base} asks.\ncompetencies: []\n")
    codes = {d.code for d in lint.lint(rules_copy)}
    assert not {c for c in codes if c.startswith(("rules.", "schema.", "load."))}, codes
    assert ("lint.level-gap" in codes) == gap


ACCEPTANCE = re.compile(r"\n# Lint findings the organisation has weighed.*", re.S)


def test_a_track_whose_top_band_is_below_the_others_is_a_parity_warning_until_the_rulebook_accepts_it(rules_copy):
    ladder = rules_copy / "ladder.yaml"
    ladder.write_text(ACCEPTANCE.sub("\n", ladder.read_text()))
    result = run(rules_copy)
    assert result.exit_code == 0 and run(rules_copy, "--strict").exit_code == 1
    (finding,) = result.stdout.splitlines()
    assert finding.startswith(f"{rules_copy}/ladder.yaml:21:14: warning: track ic stops at band E6 (distinguished-engineer), "
                              "below track management, which reaches E7 (vp-of-engineering)")
    assert "(`accepted:` with finding lint.parity-top-band, track ic and a reason)" in finding


def test_an_accepted_finding_is_shown_as_accepted_with_its_reason_and_fails_nothing():
    strict = run("--strict")
    assert strict.exit_code == 0
    (finding,) = strict.stdout.splitlines()
    assert finding.startswith("rules/ladder.yaml:21:14: accepted: track ic stops at band E6")
    assert "; the rulebook accepts it: VP of Engineering is one seat," in finding and finding.endswith("[lint.parity-top-band]")
    assert "change the ladder" not in finding
    assert strict.stderr.endswith("0 errors, 0 warnings, 0 notes, 1 accepted by the rulebook\n")
    (found,) = json.loads(run("--format", "json").stdout)["findings"]
    assert found["level"] == "warning" and found["accepted"].startswith("VP of Engineering is one seat")
    (result,) = json.loads(run("--format", "sarif").stdout)["runs"][0]["results"]
    assert result["suppressions"] == [{"kind": "inSource", "justification": found["accepted"]}]


def test_an_acceptance_for_another_track_does_not_accept_the_finding(rules_copy):
    ladder = rules_copy / "ladder.yaml"
    ladder.write_text(ladder.read_text().replace("    track: ic\n", "    track: management\n"))
    assert "warning: track ic stops at band E6" in run(rules_copy).stdout


def test_bands_only_one_track_has_keep_their_place_and_numbers_compare_as_numbers(rules_copy):
    ladder = rules_copy / "ladder.yaml"
    text = ladder.read_text().replace("band: E7}", "band: E10}")  # VP: E10, after E6 on its track
    text = text.replace("{id: junior-developer, name: Junior Developer, band: E1}", "{id: junior-developer, name: Junior Developer, band: A}")
    ladder.write_text(text)
    book = api.rulebook(rules_copy)
    assert book.band_order() == ["A", "E2", "E3", "E4", "E5", "E6", "E10"]
    assert "which reaches E10 (vp-of-engineering)" in run(rules_copy).stdout


def test_conditions_on_a_records_confidence_that_cannot_all_hold_are_found(rules_copy):
    level = rules_copy / "levels" / "director-of-engineering.yaml"
    level.write_text(level.read_text().replace("where: {teams: {gte: 3}}",
                                               "where: {teams: {gte: 3}, confidence: {eq: verified, ne: verified}}"))
    (finding,) = [d for d in lint.lint(rules_copy) if d.code == "lint.never-holds"]
    assert (finding.line, finding.message) == (
        24, "no team growth record can meet these conditions: no value of confidence meets every condition on it")
