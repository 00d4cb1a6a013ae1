"""The differential test (test_differential.py) can only catch what its generator reaches: each
semantics that random rulebooks and packets rarely hit by chance (tests/strategies.py,
RARE_FEATURES) must show up in at least 5% of the scenarios it draws.

Measured over a fixed, derandomized run of draws in a fresh interpreter (as `reach.reached_afresh`
does), so the figure is the same on every run whatever tests ran before in this process; the
oracle judges each scenario (the engine is not needed to see what a scenario reaches)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, settings
from strategies import RARE_FEATURES, features, scenarios

DRAWS = 300
AT_LEAST = 0.05


def shares() -> tuple[dict[str, float], int]:
    """(share of scenarios reaching each rare feature, scenarios drawn), in this process."""
    seen: Counter[str] = Counter()
    drawn = 0

    @settings(max_examples=DRAWS, derandomize=True, database=None, phases=[Phase.generate], deadline=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])
    @given(scenarios())
    def draw(scenario):
        nonlocal drawn
        drawn += 1
        seen.update(features(scenario))

    draw()
    return {feature: seen[feature] / drawn for feature in RARE_FEATURES}, drawn


def test_the_generator_reaches_each_rare_semantics_in_at_least_5_percent_of_scenarios():
    here = Path(__file__).resolve().parent
    code = ("import json, sys; sys.path[:0] = sys.argv[1:3]; from test_generator_reach import shares; "
            "print(json.dumps(shares()))")
    done = subprocess.run([sys.executable, "-c", code, str(here.parent), str(here)], capture_output=True, text=True,
                          timeout=600, env={**os.environ, "PYTHONHASHSEED": "0"})
    assert done.returncode == 0, done.stderr
    found, drawn = json.loads(done.stdout.strip().splitlines()[-1])
    report = "\n".join(f"  {share:6.1%}  {feature}" for feature, share in found.items())
    assert drawn >= DRAWS * 0.9, f"only {drawn} scenarios drawn of {DRAWS}"
    assert all(share >= AT_LEAST for share in found.values()), \
        f"some semantics are reached in fewer than {AT_LEAST:.0%} of {drawn} scenarios:\n{report}"
