"""Words worked out once per rulebook (`engine.explaining.memo`) never change an explanation:
each packet's verdict document, explained by a rulebook that has explained many other packets
before it (as in a cohort), is the one a rulebook explaining it first gives, byte for byte.

The packets: the fixtures (every kind of criterion, several as-of dates and targets) and a
generated cohort judged at each packet's own target, and at a level of each track (one of them
as of another date)."""
from __future__ import annotations

import json
from datetime import date
from dataclasses import replace
from pathlib import Path

import pytest

from engine.cohorts import synthetic
from engine.common.errors import LadderError
from engine.explaining.explain import explain
from engine.matching.evaluate import evaluate
from engine.reading.load import Document, load_file
from engine.reading.packet import build_packet

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def _packets(book) -> list:
    documents = [load_file(path) for path in sorted((FIXTURES / "packets").glob("*.yaml"))]
    documents += [Document(f"generated-{i}.json", data, {}) for i, data in enumerate(synthetic.generate(book, 60, 3, records=30))]
    packets = []
    for document in documents:
        for target, as_of in ((None, None), ("developer", None), ("engineering-manager", date(2026, 3, 15))):
            try:
                packets.append(build_packet(document, book, as_of, target))
            except LadderError:
                continue
    return packets


@pytest.mark.parametrize("why_not", [True, False], ids=["with why-not", "without"])
def test_an_explanation_does_not_depend_on_the_packets_explained_before_it(book, why_not):
    evaluations = [evaluate(book, packet) for packet in _packets(book)]
    assert len({e.packet.as_of for e in evaluations}) > 1 and len({e.packet.target.id for e in evaluations}) > 3
    in_a_row = [json.dumps(explain(book, e, why_not)) for e in evaluations]
    # Each packet first: a copy of the rulebook with nothing remembered, and the packets taken in
    # the other order (words remembered anywhere else would then differ).
    first = [json.dumps(explain(replace(book, compiled_cache={}), e, why_not)) for e in reversed(evaluations)]
    assert in_a_row == first[::-1]
