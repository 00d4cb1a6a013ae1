"""`ladder impact --by`: readiness by group before and after a rule change, small groups
withheld, a widened gap flagged in words, and `--fail-on fairness` failing CI on it.

The cases are files (fixtures/impact/fairness/cases/*.yaml, described in its README), each with
its reviewed output in every format; `LADDER_UPDATE_GOLDEN=1` rewrites those after a deliberate
change."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from engine import api
from engine.calibration import change
from engine.cli import main

ROOT = Path(__file__).resolve().parents[2]
CASE_DIR = ROOT / "fixtures" / "impact" / "fairness"
CASES = sorted((CASE_DIR / "cases").glob("*.yaml"))
UPDATE = os.environ.get("LADDER_UPDATE_GOLDEN") == "1"
FORMATS = {"text": "txt", "markdown": "md", "json": "json"}


def case(path: Path) -> dict:
    return yaml.safe_load(path.read_text())


def impact(spec: dict, *extra: str):
    by = [a for name in spec["by"] for a in ("--by", name)]
    return CliRunner().invoke(main, ["impact", "--base", spec["base"], "--head", spec["head"], spec["packets"], *by, *extra])


@pytest.fixture(autouse=True)
def in_case_dir(monkeypatch):
    """Paths in the reports as the cases give them, relative to the case directory."""
    monkeypatch.chdir(CASE_DIR)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_the_report_by_group_matches_the_reviewed_output(path, fmt):
    result = impact(case(path), "--format", fmt)
    assert result.exit_code == 0, result.output
    golden = CASE_DIR / "expected" / f"{path.stem}.{FORMATS[fmt]}"
    if UPDATE:
        golden.write_text(result.stdout)
    assert result.stdout == golden.read_text(), f"{golden.name} differs: review, then LADDER_UPDATE_GOLDEN=1"


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_a_widened_gap_is_flagged_in_words_and_fails_on_fairness(path):
    spec = case(path)
    report = json.loads(impact(spec, "--format", "json").stdout)["fairness"]
    assert {a["attribute"]: a["flag"]["message"] for a in report["attributes"] if a["flag"]} == spec["flagged"]
    failing = impact(spec, "--fail-on", "fairness")
    assert failing.exit_code == (1 if spec["flagged"] else 0), failing.output
    for message in spec["flagged"].values():
        assert f"FLAGGED: the change {message}" in failing.stdout
    assert impact(spec, "--fail-on", "downgrade", "--fail-on", "fairness").exit_code == 1 - ("narrows" in path.stem)


def test_groups_too_small_to_show_are_withheld_in_every_format_and_never_flagged():
    spec = case(CASE_DIR / "cases" / "widens-part-time-gap.yaml")
    for fmt in FORMATS:
        text = impact(spec, "--format", fmt).stdout
        # job-share falls from 3 of 3 ready to none, the largest fall of the change, but 3 is below min_group
        assert "job-share" not in text and "compressed-hours" not in text
    (pattern, _) = json.loads(impact(spec, "--format", "json").stdout)["fairness"]["attributes"]
    assert (pattern["withheld"], [g["group"] for g in pattern["groups"]]) == (True, ["full-time", "part-time"])
    assert "(45 of 45 candidates carry it; groups too small to show withheld):" in impact(spec).stdout


def test_a_small_group_withheld_alone_takes_the_next_smallest_with_it(book):
    """Otherwise the whole cohort's rate minus the groups shown would give the small group's away."""
    outcomes = ([({"site": "oslo"}, "ready", "ready")] * 3 + [({"site": "lima"}, "ready", "nearly")] * 6
                + [({"site": "pune"}, "ready", "ready")] * 9)
    (site,) = change.rule_change(book, outcomes, ["site"])["attributes"]
    assert [g["group"] for g in site["groups"]] == ["pune"] and site["withheld"]
    assert site["flag"] is None  # lima's fall from 100% to 0% shows nowhere, not even as a flag


def test_a_gap_already_past_the_threshold_is_flagged_only_if_the_change_widens_it(book):
    def flag(after_b: str) -> dict | None:
        outcomes = ([({"g": "a"}, "ready", "ready")] * 5 + [({"g": "b"}, "nearly", after_b)] * 5)
        return change.rule_change(book, outcomes, ["g"])["attributes"][0]["flag"]
    assert flag("nearly") is None  # 100 points before and after: the change did not widen it
    assert flag("ready") is None  # narrowed to 0
    widened = change.rule_change(book, [({"g": "a"}, "nearly", "ready")] * 5 + [({"g": "b"}, "nearly", "nearly")] * 5, ["g"])
    assert widened["attributes"][0]["flag"]["message"] == ("widens the gap between b and a from 0 to 100 points, "
                                                            "beyond the 15-point threshold")


def test_the_library_gives_the_same_figures_as_the_command_line():
    spec = case(CASE_DIR / "cases" / "widens-part-time-gap.yaml")
    report = api.impact(spec["base"], spec["head"], [spec["packets"]], by=spec["by"], cache=False)
    assert [a["attribute"] for a in report.flagged()] == ["work_pattern"] and report.fails("fairness")
    assert report.fairness == json.loads(impact(spec, "--format", "json").stdout)["fairness"]


def test_an_attribute_no_packet_carries_is_named_with_those_they_do_carry():
    spec = {**case(CASE_DIR / "cases" / "widens-part-time-gap.yaml"), "by": ["gendr"]}
    result = impact(spec)
    assert result.exit_code == 1
    assert "no candidate carries the attribute 'gendr' given to --by (they carry: gender, work_pattern)" in result.stderr


def test_usage_errors_name_what_to_give_instead():
    spec = case(CASE_DIR / "cases" / "widens-part-time-gap.yaml")
    both = impact(spec, "--cycle", "spring")
    assert both.exit_code == 2 and "give PACKETS or --cycle NAME, not both" in both.output
    no_by = impact({**spec, "by": []}, "--fail-on", "fairness")
    assert no_by.exit_code == 2 and "--fail-on fairness compares groups: name their attribute with --by" in no_by.output
    neither = CliRunner().invoke(main, ["impact", "--base", spec["base"], "--head", spec["head"]])
    assert neither.exit_code == 2 and "give PACKETS (files, directories, .jsonl) or --cycle NAME" in neither.output
