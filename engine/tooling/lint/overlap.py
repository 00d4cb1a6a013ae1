"""Checks for criteria of one level that ask for the same thing twice: exact duplicates, and a
criterion implied by a stricter one over the same records."""
from __future__ import annotations

from typing import Iterator

from engine.reading.model import CountCriterion, Criterion, LevelRules, RecordMatch, Rulebook, SumCriterion, Term
from engine.tooling.lint.registry import Finding, check


@check("lint.duplicate", "warning", "Two criteria of a level that ask for exactly the same thing.")
def duplicate(book: Rulebook) -> Iterator[Finding]:
    yield from _overlaps(book, "lint.duplicate")


@check("lint.shadowed", "warning", "A criterion implied by a stricter one of the same level.")
def shadowed(book: Rulebook) -> Iterator[Finding]:
    yield from _overlaps(book, "lint.shadowed")


def _overlaps(book: Rulebook, code: str) -> Iterator[Finding]:
    for level in book.rules.values():
        yield from (finding for found, *finding in _level_overlaps(level) if found == code)


def _level_overlaps(level: LevelRules) -> Iterator[tuple]:
    """Each criterion at most once: as a duplicate of an earlier one, else as implied by one.
    Pairs that are both inherited were reported at the level that wrote them."""
    top = [c for competency in level.competencies for c in competency.criteria]
    reported: set[str] = set()
    for i, first in enumerate(top):
        for second in top[i + 1:]:
            at = second if not second.inherited_from else first
            if at.inherited_from or at.id in reported:
                continue
            if _definition(first) == _definition(second):
                yield "lint.duplicate", at.pos, f"criteria {first.id} and {second.id} ask for exactly the same thing"
                reported.add(at.id)
                continue
            weaker = _weaker(first, second)
            if weaker is not None and not weaker.inherited_from and weaker.id not in reported:
                stronger = second if weaker is first else first
                yield ("lint.shadowed", weaker.pos,
                       f"criterion {weaker.id} is implied by {stronger.id}, which asks for at least {stronger.at_least} of the same")
                reported.add(weaker.id)


def _definition(criterion: Criterion) -> tuple:
    """What a criterion asks for, without its name, words or place."""
    def strip(c: Criterion):
        match = getattr(c, "match", None)
        terms = getattr(c, "terms", ())
        return (c.kind, _match_key(match) if match else None, tuple(_term_key(t) for t in terms),
                getattr(c, "at_least", None), getattr(c, "distinct", None), getattr(c, "field", None),
                getattr(c, "best_per", None), getattr(c, "span", None), getattr(c, "k", None), tuple(strip(x) for x in getattr(c, "children", ())))
    return strip(criterion)


def _weaker(first: Criterion, second: Criterion) -> Criterion | None:
    """Of two count/sum criteria over the same records, the one the other implies."""
    if type(first) is not type(second) or not isinstance(first, (CountCriterion, SumCriterion)):
        return None
    if _match_key(first.match) != _match_key(second.match) or getattr(first, "distinct", None) != getattr(second, "distinct", None):
        return None
    if getattr(first, "best_per", None) != getattr(second, "best_per", None) or getattr(first, "span", None) != getattr(second, "span", None):
        return None  # the best per area and every record are different totals
    if getattr(first, "field", None) != getattr(second, "field", None) or first.at_least == second.at_least:
        return None
    return first if first.at_least < second.at_least else second


def _term_key(term: Term) -> tuple:
    return (term.field, term.op, term.value)


def _match_key(match: RecordMatch) -> tuple:
    link = (match.link.by, match.link.evidence, tuple(sorted(map(_term_key, match.link.terms), key=repr))) if match.link else None
    return (match.types, tuple(sorted(map(_term_key, match.terms), key=repr)), match.window, link)
