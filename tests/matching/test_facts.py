"""What evaluation leaves out, and what it shares, changes nothing, at every level of the default
rulebook (and in placement, where standing is probed). `evaluate.facts` gives the engine only
the records of the kinds its rules test, with only the fields they read: the engine must match
exactly what it matches on every record with every field. The verdict on verified evidence
takes what it can from the one on all evidence: it must be the one worked out alone. The
calibration's opportunities are worked out without their misses: they count the same."""
from __future__ import annotations

import json
from datetime import date

import pytest

from engine.cohorts import synthetic
from engine.common.errors import LadderError
from engine.matching import core
from engine.matching.compile import CANDIDATE, CONTEXT, END, ONGOING, RECORD_ID, START, compiled, record_kind
from engine.matching.evaluate import CANDIDATE_KEY, CONTEXT_KEY, _Assessor, candidate_fields, facts
from engine.reading.load import load_json_text
from engine.reading.packet import build_packet


def every_fact(book, level, packet) -> list[core.Fact]:
    """The packet as facts the plain way: every record, every field."""
    context = {"_as_of": packet.as_of.toordinal(), **{w.key: w.cutoff(packet.as_of).toordinal() for w in level.windows}}
    result = [core.Fact(CONTEXT_KEY, CONTEXT, context), core.Fact(CANDIDATE_KEY, CANDIDATE, candidate_fields(book, packet))]
    for record in packet.records:
        fields = {name: value.toordinal() if isinstance(value, date) else value for name, value in record.fields.items()}
        fields |= {RECORD_ID: record.id, "confidence": record.confidence, START: record.start.toordinal(),
                   END: record.end.toordinal() if record.end else ONGOING}
        result.append(core.Fact(record.id, record_kind(record.type), fields))
    return result


def packets(book):
    for number, line in enumerate(json.dumps(p) for p in synthetic.generate(book, 40, seed=7, records=30)):
        try:
            yield build_packet(load_json_text(line, "<synthetic>", number), book)
        except LadderError:
            pass  # the generator writes some invalid packets on purpose


@pytest.mark.parametrize("judge_standing", [True, False], ids=["promotion", "placement"])
def test_the_engine_matches_the_same_on_the_facts_it_reads_as_on_every_fact(book, judge_standing):
    checked = set()
    for packet in packets(book):
        for level_id in {packet.target.id, *list(book.rules)[::3]}:
            level = compiled(book, level_id, judge_standing)
            fewer = facts(book, level, packet)
            assert level.engine.run(fewer) == level.engine.run(every_fact(book, level, packet)), (packet.source, level_id)
            checked.add(level_id)
    assert len(fewer) < len(packet.records) + 2 and len(checked) > 3  # some records were left out, at several levels


@pytest.mark.parametrize("judge_standing", [True, False], ids=["promotion", "placement"])
def test_the_verdict_on_verified_evidence_shared_with_all_evidence_is_the_one_worked_out_alone(book, judge_standing):
    # Criteria whose matches hold one record each take the all-evidence answers, less the
    # unverified records (CompiledLevel.per_record); worked out alone, the assessment is the same.
    shared = 0
    for packet in packets(book):
        unverified = frozenset(r.id for r in packet.records if r.confidence != "verified")
        for level_id in {packet.target.id, *list(book.rules)[1::3]}:
            level = compiled(book, level_id, judge_standing)
            matches = level.engine.run(facts(book, level, packet))
            everything = _Assessor(level, packet, matches)
            assert everything.assess() == _Assessor(level, packet, matches).assess()
            for opportunity in level.opportunities:  # shown without the misses: the same counts
                full, bare = everything.criterion(opportunity), everything.criterion(opportunity, why=False)
                assert (bare.met, bare.observed, bare.counted, bare.misses) == (full.met, full.observed, full.counted, ())
            alone = _Assessor(level, packet, matches, unverified).assess()
            assert _Assessor(level, packet, matches, unverified, everything).assess() == alone, (packet.source, level_id)
            shared += bool(unverified) and bool(level.per_record)
    assert shared > 20
