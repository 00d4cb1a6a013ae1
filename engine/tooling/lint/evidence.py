"""The check that every evidence type a packet can carry counts toward something."""
from __future__ import annotations

from typing import Iterator

from engine.reading.model import CountCriterion, Rulebook, SumCriterion
from engine.tooling.lint.registry import Finding, check


@check("lint.unused-evidence", "info", "An evidence type no criterion uses.")
def unused_evidence(book: Rulebook) -> Iterator[Finding]:
    used = set()
    for level in book.rules.values():
        for criterion in level.criteria():
            if isinstance(criterion, (CountCriterion, SumCriterion)):
                used.update(criterion.match.types)
                if criterion.match.link:
                    used.add(criterion.match.link.evidence)
    for evidence in book.evidence.values():
        if evidence.id not in used:
            yield evidence.pos, f"no criterion uses evidence type {evidence.id}: packets can carry it, but it never counts"
