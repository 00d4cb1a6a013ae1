"""Long runs in one process: durable-rules allows 1024 live sessions per ruleset, and a run of
a whole calibration cycle evaluates thousands of packets."""
from __future__ import annotations

from helpers import packet, project, record

from engine.matching.evaluate import evaluate
from engine.reading.load import Document
from engine.reading.packet import build_packet


def test_2500_packets_in_one_process_each_get_their_own_verdict(book):
    verdicts = []
    for i in range(2500):
        # Every fifth candidate lacks the second project; all else is equal.
        evidence = [project("P-1", "2026-03-01"), record("R-1", "review", "2026-05-01", kind="code", scope="team")]
        if i % 5:
            evidence.append(project("P-2", "2026-06-01", role="core"))
        data = packet(level="junior-developer", evidence=evidence)
        data["candidate"]["id"] = f"E-{i}"
        evaluation = evaluate(book, build_packet(Document(f"p{i}.yaml", data, {}), book))
        verdicts.append("shipped-work" in evaluation.all_evidence.unmet)
    assert verdicts == [i % 5 == 0 for i in range(2500)]
