"""Evaluation checks the engine's counts against its own probes, record by record: a record
counted although a condition fails, or left out although none does, is an engine fault named
for the first such record in packet order (never a verdict built on it)."""
from __future__ import annotations

from pathlib import Path

import pytest

from engine.common.errors import EngineFault
from engine.matching.compile import compiled
from engine.matching.evaluate import evaluate
from engine.reading.load import load_file
from engine.reading.packet import build_packet

PACKETS = Path(__file__).resolve().parents[2] / "fixtures" / "packets"
# A criterion of the level (its misses explained), and a calibration opportunity (only whether
# the packet shows it is wanted: the check must hold without the misses).
CASES = pytest.mark.parametrize("packet_file, criterion", [
    ("ic-developer-ready.yaml", "shipped-work"),
    ("ic-distinguished-ready-points-met.yaml", "opportunity:spoke-beyond-team"),  # its rules are its own
])


def doctored(monkeypatch, book, packet_file, criterion, change):
    """The fixture's evaluation with the engine's matches changed by `change(matches, plan, counted)`
    (`counted`: the records the engine counted for the criterion, in packet order)."""
    packet = build_packet(load_file(PACKETS / packet_file), book)
    level = compiled(book, packet.target.id)
    plan, = level.records[criterion]
    run = level.engine.run

    def changed(facts):
        matches = run(facts)
        counted = [r.id for r in packet.records if r.id in {m[plan.record_at] for m in matches[plan.rule]}]
        change(matches, plan, counted)
        return matches

    monkeypatch.setattr(level.engine, "run", changed)
    return lambda: evaluate(book, packet)


def drop_probe(matches, plan, record):
    probe = plan.conditions[0].rule
    matches[probe] = [m for m in matches[probe] if m[-1] != record]


def drop_count(matches, plan, record):
    matches[plan.rule] = [m for m in matches[plan.rule] if m[plan.record_at] != record]


@CASES
def test_a_record_counted_although_a_condition_fails_is_an_engine_fault(monkeypatch, book, packet_file, criterion):
    run = doctored(monkeypatch, book, packet_file, criterion, lambda matches, plan, counted: drop_probe(matches, plan, counted[1]))
    with pytest.raises(EngineFault, match=rf"the engine counted \S+ for {criterion}:match although a condition fails"):
        run()


@CASES
def test_a_record_left_out_although_every_condition_holds_is_an_engine_fault(monkeypatch, book, packet_file, criterion):
    run = doctored(monkeypatch, book, packet_file, criterion, lambda matches, plan, counted: drop_count(matches, plan, counted[1]))
    with pytest.raises(EngineFault, match=rf"\S+ meets every condition of {criterion}:match but the engine did not count it"):
        run()


@CASES
@pytest.mark.parametrize("left_out_first", [True, False])
def test_of_two_disagreements_the_first_record_in_the_packet_is_named(monkeypatch, book, packet_file, criterion, left_out_first):
    names = {}

    def change(matches, plan, counted):
        first, second = counted[0], counted[1]
        names.update(first=first, second=second)
        (drop_count if left_out_first else drop_probe)(matches, plan, first)
        (drop_probe if left_out_first else drop_count)(matches, plan, second)

    run = doctored(monkeypatch, book, packet_file, criterion, change)
    with pytest.raises(EngineFault) as fault:
        run()
    assert names["first"] in str(fault.value) and names["second"] not in str(fault.value)
    assert ("did not count it" in str(fault.value)) is left_out_first
