"""The differential generator reaches the confidence constructs (a condition on a record's
confidence, `no_disputed`, a count over several evidence types) often enough that
test_differential checks them on every run; the rulebook-wide `disputed` policy is drawn in most
scenarios (tests/strategies.py, `scenarios`)."""
from __future__ import annotations

import json

from reach import SHARE, reached_afresh


def _tests_confidence(criterion: dict) -> bool:
    for kind in ("count", "sum"):
        spec = criterion.get(kind, {})
        if "confidence" in spec.get("where", {}) or "confidence" in spec.get("linked", {}).get("where", {}):
            return True
    return False


CONSTRUCTS = {
    "where tests confidence": _tests_confidence,
    "no_disputed": lambda c: "no_disputed" in c,
    "a count over several evidence types": lambda c: isinstance(c.get("count", {}).get("evidence"), list),
}


def constructs() -> dict:
    return CONSTRUCTS


def test_generated_scenarios_reach_every_confidence_construct():
    seen, total = reached_afresh("test_confidence_reach")
    assert all(n >= SHARE * total for n in seen.values()), json.dumps(seen)
