"""The check that every level, competency and criterion has words for the people who read it."""
from __future__ import annotations

from typing import Iterator

from engine.reading.model import Rulebook
from engine.tooling.lint.registry import Finding, check


@check("lint.missing-description", "warning", "A criterion, competency or level without words for people.")
def missing_description(book: Rulebook) -> Iterator[Finding]:
    for level in book.rules.values():
        if not level.summary:
            yield level.pos, f"level {level.level.id} has no summary: say what the level means"
        for competency in level.competencies:
            if not competency.description:
                yield competency.pos, f"competency {competency.id} has no description"
        for criterion in level.criteria():
            if not criterion.inherited_from and not criterion.description:
                yield criterion.pos, f"criterion {criterion.id} has no description: say what it asks for"
