"""Words worked out once per rulebook (`engine.explaining.memo`) never change an explanation:
each packet's verdict document, explained by a rulebook that has explained many other packets
before it (as in a cohort), is the one a rulebook explaining it first gives, byte for byte.

The packets: the fixtures (every kind of criterion, several as-of dates and targets) and a
generated cohort judged at each packet's own target, and at a level of each track (one of them
as of another date)."""
from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.cohorts import synthetic
from engine.common.errors import LadderError
from engine.explaining.explain import explain
from engine.explaining.phrasing import failing, failure_words
from engine.explaining.reasons import Said
from engine.matching.evaluate import evaluate
from engine.reading.load import Document, load_file
from engine.reading.model import Term
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


TERMS = [Term("size", op, value) for op, value in
         (("eq", 1), ("eq", True), ("lt", 2.5), ("gte", 0), ("in", ("a", "b")), ("not_in", (1, 2)), ("ne", "x"),
          ("contains", "y"), ("matches", "^z"), ("present", None), ("absent", None))]
PLAIN = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.floats(allow_nan=True, allow_infinity=True),
                  st.sampled_from([1.0, -0.0, 0.0, 1, True, 0, False]), st.text(max_size=3))


@settings(max_examples=200, deadline=None)
@given(term=st.sampled_from(TERMS), values=st.lists(PLAIN, max_size=12))
def test_a_remembered_reason_is_the_one_said_afresh_for_every_value(term, values):
    """True and 1, 1.0 and 1, 0.0 and -0.0 are equal keys: each value is still said as it is."""
    said = Said(term)
    assert [said.failure(value) for value in values] == [failing(failure_words(term), value) for value in values]
