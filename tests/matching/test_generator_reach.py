"""The differential test (test_differential.py) can only catch what its generator reaches: each
semantics that random rulebooks and packets rarely hit by chance (tests/strategies.py,
RARE_FEATURES) must show up in at least 5% of the scenarios it draws.

Measured over a fixed, derandomized run of draws, so the figure is the same on every run; the
oracle judges each scenario (the engine is not needed to see what a scenario reaches)."""
from __future__ import annotations

from collections import Counter

from hypothesis import HealthCheck, Phase, given, settings
from strategies import RARE_FEATURES, features, scenarios

DRAWS = 300
AT_LEAST = 0.05


def test_the_generator_reaches_each_rare_semantics_in_at_least_5_percent_of_scenarios():
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
    shares = {feature: seen[feature] / drawn for feature in RARE_FEATURES}
    report = "\n".join(f"  {share:6.1%}  {feature}" for feature, share in shares.items())
    assert drawn >= DRAWS * 0.9, f"only {drawn} scenarios drawn of {DRAWS}"
    assert all(share >= AT_LEAST for share in shares.values()), \
        f"some semantics are reached in fewer than {AT_LEAST:.0%} of {drawn} scenarios:\n{report}"
