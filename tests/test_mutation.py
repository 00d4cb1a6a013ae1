"""The mutation run (nightly): how many deliberate faults in the matching and verdict modules
the tests catch.

mutmut ([tool.mutmut] in pyproject.toml) changes engine/matching/compile.py and evaluate.py one
small fault at a time (a flipped comparison, an off-by-one, a dropped condition) and runs the
tests that reach the changed function against each; a fault no test notices survives. The run
takes the better part of an hour on two cores, so it is marked nightly (.ci/nightly). It prints
the kill rate and the survivors, and fails if the rate falls below FLOOR, the last one measured
less a margin (the README's development section says where that stands)."""
from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FLOOR = 0.92  # 94.8% measured on 2026-11-29 (README, "How far the tests can be trusted"), less a margin


def kill_rate(stats: dict) -> float:
    """Faults caught (a failing test, a timeout, a crash) over every fault made and checked."""
    caught = stats["killed"] + stats["timeout"] + stats["segfault"]
    missed = stats["survived"] + stats["no_tests"] + stats["suspicious"]
    return caught / (caught + missed)


@pytest.mark.nightly
def test_the_tests_catch_most_faults_put_into_the_matching_and_verdict_modules():
    if importlib.util.find_spec("mutmut") is None:
        pytest.fail("mutmut is not installed: pip install '.[nightly]' (.ci/nightly does)")
    shutil.rmtree(ROOT / "mutants", ignore_errors=True)  # mutmut would reuse earlier results
    jobs = str(max(1, len(os.sched_getaffinity(0))))
    run = subprocess.run([sys.executable, "-m", "mutmut", "run", "--max-children", jobs], cwd=ROOT,
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    subprocess.run([sys.executable, "-m", "mutmut", "export-cicd-stats"], cwd=ROOT, check=True, capture_output=True)
    stats = json.loads((ROOT / "mutants" / "mutmut-cicd-stats.json").read_text())
    survivors = subprocess.run([sys.executable, "-m", "mutmut", "results"], cwd=ROOT, capture_output=True, text=True).stdout
    rate = kill_rate(stats)
    print(f"\nmutation kill rate {rate:.1%}: {json.dumps(stats)}\nsurvivors (mutmut show NAME shows one):\n{survivors}")
    assert rate >= FLOOR, f"kill rate {rate:.1%} is below {FLOOR:.0%}:\n{survivors}"
