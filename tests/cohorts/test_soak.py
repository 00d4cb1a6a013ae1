"""Nightly soaks: long runs in one process, where faults that depend on the engine's state
(not on any one packet) show up."""
from __future__ import annotations

import pytest

from engine import api
from engine.cohorts import cohort, synthetic
from engine.rendering.report import render

PASSES = 5


@pytest.mark.nightly
def test_a_large_cohort_evaluates_pass_after_pass_in_one_process_without_a_fault(book, tmp_path):
    # durable-rules indexed facts by a 32-bit hash of content that included the session number:
    # on the third pass over this cohort (~900 sessions of ~1,000 facts) two records of one
    # packet hashed alike and the packet failed, though it evaluated cleanly alone.
    path = tmp_path / "cohort.jsonl"
    synthetic.write(synthetic.generate(book, 300, 1, "2026-11-01", 1000), path)
    first = None
    for number in range(1, PASSES + 1):
        results = list(api.evaluate_packets(book, [path]))  # in this process: the engine's state carries over
        faults = [r.diagnostics[0].format() for r in results if cohort.is_fault(r)]
        assert faults == [], f"pass {number}"
        rendered = render(results, "json")
        first = first or rendered
        assert rendered == first, f"pass {number} differs from the first"
