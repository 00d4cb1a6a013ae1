"""The differential generator reaches the sum constructs (best per key, spans in windows,
points per unit of a sum) often enough that test_differential checks them on every run."""
from __future__ import annotations

import json

from reach import SHARE, reached_afresh

CONSTRUCTS = {
    "best_per": lambda c: "best_per" in c.get("sum", {}),
    "span": lambda c: "span" in c.get("sum", {}),
    "points_each on a sum": lambda c: "sum" in c and "points_each" in c,
}


def constructs() -> dict:
    return CONSTRUCTS


def test_generated_scenarios_reach_every_sum_construct():
    seen, total = reached_afresh("test_sum_reach")
    assert all(n >= SHARE * total for n in seen.values()), json.dumps(seen)
