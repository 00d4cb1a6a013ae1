"""How often the differential generator's scenarios use a construct: the share of a fixed
sequence of draws (derandomized, so the figure cannot flake) in which some criterion of some
level uses it. The reach tests hold each construct to at least `SHARE`."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Callable

from hypothesis import HealthCheck, given, settings
from strategies import scenarios

SHARE = 0.05  # each construct in at least 5% of generated scenarios


def criteria(items: list):
    """Every criterion, nested ones included."""
    for item in items:
        yield item
        for kind in ("all_of", "any_of", "none_of"):
            yield from criteria(item.get(kind, []))
        if "k_of" in item:
            yield from criteria(item["k_of"]["of"])


def reached(constructs: dict[str, Callable[[dict], bool]], examples: int = 200) -> tuple[dict[str, int], int]:
    """(scenarios using each construct, scenarios drawn); a construct is a test on one criterion."""
    seen, total = dict.fromkeys(constructs, 0), [0]

    @settings(max_examples=examples, deadline=None, database=None, derandomize=True, suppress_health_check=list(HealthCheck))
    @given(scenario=scenarios())
    def draw(scenario):
        total[0] += 1
        found = [c for level in scenario[2] for competency in level["competencies"] for c in criteria(competency["criteria"])]
        for name, uses in constructs.items():
            seen[name] += any(map(uses, found))

    draw()
    return seen, total[0]


def reached_afresh(module: str, examples: int = 200) -> tuple[dict[str, int], int]:
    """`reached(module.constructs(), examples)`, measured in a new interpreter: the generator's
    draws must not depend on what tests ran before in this process (they did: a construct at 19
    of 200 scenarios alone fell to 7 after the differential had run)."""
    tests = Path(__file__).resolve().parent
    code = ("import json, sys; sys.path[:0] = sys.argv[1:3]; import importlib; from reach import reached; "
            f"print(json.dumps(reached(importlib.import_module({module!r}).constructs(), {examples})))")
    done = subprocess.run([sys.executable, "-c", code, str(tests), str(tests / "matching")], capture_output=True, text=True,
                          timeout=600, env={**os.environ, "PYTHONHASHSEED": "0"})
    assert done.returncode == 0, done.stderr
    seen, total = json.loads(done.stdout.strip().splitlines()[-1])
    return seen, total
