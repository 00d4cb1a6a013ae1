"""The differential generator reaches conditions that compare with the candidate
(`{candidate: FIELD}`) often enough that test_differential checks them on every run."""
from __future__ import annotations

import json

from reach import SHARE, reached_afresh


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


def _uses(op: str | None):
    return lambda criterion: any(_compares_with_candidate(where, op) for where in _wheres(criterion))


def constructs() -> dict:
    return {name: _uses(op) for name, op in CONSTRUCTS.items()}


def test_generated_scenarios_compare_records_with_the_candidate():
    seen, total = reached_afresh("test_condition_reach")
    assert all(n >= SHARE * total for n in seen.values()), json.dumps(seen)
