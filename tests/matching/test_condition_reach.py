"""The differential generator reaches conditions that compare with the candidate
(`{candidate: FIELD}`) often enough that test_differential checks them on every run."""
from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from strategies import scenarios
from test_sum_reach import _criteria

SHARE = 0.05  # in at least 5% of generated scenarios
EXAMPLES = 200


def _wheres(criterion: dict):
    for kind in ("count", "sum"):
        if kind in criterion:
            yield criterion[kind].get("where", {})
            yield criterion[kind].get("linked", {}).get("where", {})


def _compares_with_candidate(where: dict, op: str | None) -> bool:
    for spec in where.values():
        if isinstance(spec, dict) and "candidate" in spec:
            spec = {"eq": spec}
        if isinstance(spec, dict) and any(isinstance(v, dict) and (op is None or o == op) for o, v in spec.items()):
            return True
    return False


CONSTRUCTS = {
    "a record's field against the candidate's": None,
    "contains the candidate's": "contains",
    "not the candidate's": "ne",
}


def test_generated_scenarios_compare_records_with_the_candidate():
    seen = dict.fromkeys(CONSTRUCTS, 0)
    total = [0]

    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True, suppress_health_check=list(HealthCheck))
    @given(scenario=scenarios())
    def draw(scenario):
        total[0] += 1
        wheres = [w for level in scenario[2] for competency in level["competencies"]
                  for c in _criteria(competency["criteria"]) for w in _wheres(c)]
        for name, op in CONSTRUCTS.items():
            seen[name] += any(_compares_with_candidate(w, op) for w in wheres)

    draw()
    assert all(n >= SHARE * total[0] for n in seen.values()), json.dumps(seen)
