"""`verdict`: the verdict on all evidence alone (what a calibration's placement asks of every
level), without the verified-only verdict or why records did not count, must be the full
evaluation's verdict."""
from __future__ import annotations

from dataclasses import replace

from helpers import placeable

from engine.cohorts import synthetic
from engine.matching.evaluate import evaluate, verdict
from engine.reading.load import Document


def test_the_verdict_alone_is_the_full_evaluations_at_every_level_with_and_without_standing(book):
    generated = synthetic.generate(book, 80, 11, records=40)
    packets = list(placeable(book, (Document(f"generated {number}", data, {}) for number, data in enumerate(generated))))
    compared = set()
    for packet in packets:
        for level in book.tracks[packet.candidate.track].levels:
            if level.id not in book.rules:
                continue
            at_level = replace(packet, target=level)
            for standing in (True, False):
                full = evaluate(book, at_level, judge_standing=standing).all_evidence.verdict
                assert verdict(book, at_level, judge_standing=standing) == full, (packet.source, level.id, standing)
                compared.add(full)
    assert compared == {"ready", "nearly", "not_ready"}, "every verdict should be compared"
