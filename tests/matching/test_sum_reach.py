"""The differential generator reaches the sum constructs (best per key, spans in windows,
points per unit of a sum) often enough that test_differential checks them on every run."""
from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from strategies import scenarios

SHARE = 0.05  # each construct in at least 5% of generated scenarios
EXAMPLES = 200


def _criteria(items: list):
    for item in items:
        yield item
        for kind in ("all_of", "any_of", "none_of"):
            yield from _criteria(item.get(kind, []))
        if "k_of" in item:
            yield from _criteria(item["k_of"]["of"])


CONSTRUCTS = {
    "best_per": lambda c: "best_per" in c.get("sum", {}),
    "span": lambda c: "span" in c.get("sum", {}),
    "points_each on a sum": lambda c: "sum" in c and "points_each" in c,
}


def test_generated_scenarios_reach_every_sum_construct():
    seen = dict.fromkeys(CONSTRUCTS, 0)
    total = [0]

    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True, suppress_health_check=list(HealthCheck))
    @given(scenario=scenarios())
    def draw(scenario):
        total[0] += 1
        found = [c for level in scenario[2] for competency in level["competencies"] for c in _criteria(competency["criteria"])]
        for name, uses in CONSTRUCTS.items():
            seen[name] += any(map(uses, found))

    draw()
    assert all(n >= SHARE * total[0] for n in seen.values()), json.dumps(seen)
