"""`ladder lint`: each defect class found where it is, stable codes, SARIF for code scanning."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

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
    assert (result.exit_code, result.stdout) == (0, "")
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
