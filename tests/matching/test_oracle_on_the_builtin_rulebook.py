"""The oracle (tests/oracle.py) reads the built-in rulebook as ladder does: every sample packet
and a generated cohort at every level, judged alike criterion by criterion, on all evidence and
on verified evidence alone. The differential test holds the engine to the oracle over generated
rulebooks; this keeps the oracle itself in step with the rulebook people read (a level that
describes an inherited competency in its own words, with no criteria, once broke it)."""
from __future__ import annotations

import oracle

from engine import api
from engine.cohorts import synthetic
from engine.common.errors import LadderError
from engine.matching.evaluate import evaluate
from engine.reading.load import Document, load_file
from engine.reading.packet import build_packet


def _criteria(assessment) -> dict[str, bool]:
    return {result.criterion.id: result.met for result in assessment.results()}


def test_the_oracle_judges_every_sample_and_generated_packet_as_ladder_does(book):
    rules = api.default_rules_dir()
    ladder, evidence, levels = oracle.read_rules(rules)
    documents = [load_file(path) for path in sorted((rules.parent / "fixtures" / "packets").glob("*.yaml"))]
    documents += [Document(f"generated {n}", data, {}) for n, data in enumerate(synthetic.generate(book, 150, 5, records=40))]
    targets = set()
    for document in documents:
        try:
            packet = build_packet(document, book)
        except LadderError:
            continue
        ours, theirs = evaluate(book, packet), oracle.evaluate(ladder, evidence, levels, document.data)
        assert theirs.target == packet.target.id
        for mine, its in ((ours.all_evidence, theirs.all_evidence), (ours.verified_only, theirs.verified_only)):
            assert its.verdict == mine.verdict, document.source
            assert {c: its.results[c].met for c in _criteria(mine)} == _criteria(mine), document.source
        targets.add(packet.target.id)
    assert len(targets) >= 8, f"too few levels reached: {sorted(targets)}"
