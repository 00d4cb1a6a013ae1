"""Why a record did not count, in words, for every operator: data-driven cases in why_not/*.yaml.

Each file gives one criterion (on the small rulebook in why_not/_rulebook.yaml; a case may give
its own as `rule`) and cases: the
records of a packet (or the candidate's facts) and, for each record that does not count, the
reasons a reader sees ("attendees is 500, needs less than 500"). `on: verified_only` explains
the assessment on verified evidence alone. On a mismatch the actual reasons are printed as YAML,
ready to paste into the case."""
from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import yaml
from helpers import criterion

from engine.explaining.explain import explain
from engine.matching.evaluate import evaluate
from engine.reading.load import Document, load_file
from engine.reading.packet import build_packet
from engine.reading.rulebook import rulebook_from_data

CASES = Path(__file__).parent / "why_not"
AS_OF = "2026-11-01"


def _cases() -> list:
    params = []
    for path in sorted(CASES.glob("[!_]*.yaml")):
        spec = load_file(path).data  # YAML 1.2, as rule files are read: dates stay text, `on` a key
        params += [pytest.param(case.get("rule", spec["criterion"]), case, id=f"{path.stem}_{case['name']}") for case in spec["cases"]]
    return params


@pytest.fixture(scope="module")
def base() -> dict:
    return load_file(CASES / "_rulebook.yaml").data


def _record(raw: dict) -> dict:
    """A case's record with the defaults filled in: a verified talk on 2026-01-01."""
    record = {"type": "talk", "title": f"{raw.get('type', 'talk')} {raw['id']}", "confidence": "verified", **raw}
    if "start" not in record:
        record.setdefault("date", "2026-01-01")
    return record


@pytest.mark.parametrize(("rule", "case"), _cases())
def test_why_a_record_did_not_count_is_worded_for_its_operator(base, rule, case):
    level = {"level": "ic-1", "competencies": [{"id": "c", "name": "Case", "criteria": [{"id": "case", **rule}]}]}
    rulebook = rulebook_from_data(base["ladder"], base["evidence"], [level])
    candidate = {"id": "E-1", "name": "Casey", "track": "ic", "level": "ic-0", "level_since": "2024-01-01"}
    candidate.update(case.get("candidate", {}))
    data = {"candidate": candidate, "as_of": AS_OF, "evidence": [_record(r) for r in case.get("records", [])]}
    evaluation = evaluate(rulebook, build_packet(Document("packet.yaml", data, {}), rulebook))
    if case.get("on") == "verified_only":
        evaluation = dataclasses.replace(evaluation, all_evidence=evaluation.verified_only)
    item = criterion(explain(rulebook, evaluation), "case")
    actual = {miss["id"]: miss["reasons"] for miss in item["not_counted"]}
    assert actual == case["reasons"], "actual reasons:\n" + yaml.safe_dump({"reasons": actual}, allow_unicode=True, sort_keys=False)
