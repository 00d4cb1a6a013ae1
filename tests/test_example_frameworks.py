"""Every framework shipped in examples/frameworks/ is checked as its README says an organisation
would check it: valid (rules and sample packets), lint-clean even with --strict, and its rule
tests passing with every criterion of every level seen met and unmet (--min-coverage 100)."""
from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from engine import api
from engine.cli import main
from engine.reading import validate

ROOT = Path(__file__).resolve().parent.parent
FRAMEWORKS = sorted(p for p in (ROOT / "examples" / "frameworks").iterdir() if (p / "ladder.yaml").is_file())
HARBOR = ROOT / "examples" / "frameworks" / "harbor-data-science"


def ladder(*args: str):
    return CliRunner().invoke(main, [*args], catch_exceptions=False)


@pytest.mark.parametrize("framework", FRAMEWORKS, ids=lambda p: p.name)
def test_each_example_framework_validates_lints_strictly_and_passes_its_rule_tests_at_full_coverage(framework):
    checks = [("validate", str(framework), *sorted(str(p) for p in (framework / "packets").glob("*.yaml"))),
              ("lint", str(framework), "--strict"),
              ("test", str(framework), "--min-coverage", "100")]
    for args in checks:
        result = ladder(*args)
        assert result.exit_code == 0, f"ladder {' '.join(args)}:\n{result.output}"
    assert "coverage: 100.0%" in ladder("test", str(framework), "--min-coverage", "100").output


def test_harbor_s_lead_packet_is_not_ready_until_its_disputed_training_is_resolved():
    book = api.rulebook(HARBOR)
    result = api.evaluate_packet(book, HARBOR / "packets" / "tomas-ruiz.yaml")
    assert result["verdict"] == "not_ready"
    assert result["missing"] == ["Blocker - Integrity: Nothing in the packet from the last 24 months is disputed "
                                 "(get TR-1 resolved: 1 disputed record: TR-1; needs none)"]
    assert result["evidence_confidence"]["verified_only_verdict"] == "ready"


def test_harbor_s_verdicts_in_json_follow_the_verdict_schema_with_its_no_disputed_criterion():
    result = ladder("evaluate", str(HARBOR / "packets" / "tomas-ruiz.yaml"), "--rules", str(HARBOR), "--format", "json")
    document = json.loads(result.stdout)
    jsonschema.Draft202012Validator(validate.schema("verdict"), registry=validate._registry()).validate(document)
    kinds = {c["kind"] for competency in document["results"][0]["competencies"] for c in competency["criteria"]}
    assert "no_disputed" in kinds
