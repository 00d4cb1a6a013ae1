"""Checks of what nobody can reach: conditions that never hold, criteria that can never be met,
and levels nobody can be promoted into (a required criterion never met, points out of reach, or
no rules at all)."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterator

from engine.reading.model import (
    CANDIDATE_FIELDS,
    CandidateCriterion,
    CountCriterion,
    Criterion,
    LevelRules,
    NoDisputedCriterion,
    Pos,
    RecordMatch,
    Rulebook,
    SumCriterion,
    Term,
)
from engine.tooling.lint.conditions import discrete_values, terms_never_hold
from engine.tooling.lint.registry import Finding, check


@dataclass(frozen=True)
class Impossible:
    """Why a criterion can never be met, and the finding that shows where."""

    reason: str
    code: str  # lint.never-holds (its conditions) or lint.never-met (the criterion as a whole)
    pos: Pos | None
    message: str


@check("lint.never-holds", "error", "A set of conditions that no record (or candidate) can satisfy.")
def never_holds(book: Rulebook) -> Iterator[Finding]:
    yield from _own_impossible(book, "lint.never-holds")


@check("lint.never-met", "error", "A criterion that can never be met.")
def never_met(book: Rulebook) -> Iterator[Finding]:
    yield from _own_impossible(book, "lint.never-met")


@check("lint.unreachable-level", "error", "A level nobody can be promoted into.")
def unreachable_level(book: Rulebook) -> Iterator[Finding]:
    for level in book.rules.values():
        impossible = {c.id: found.reason for c in level.criteria() if (found := impossibility(book, c, level))}
        for competency in level.competencies:
            for criterion in competency.criteria:
                if criterion.required and criterion.id in impossible:
                    yield level.pos, (f"nobody can reach {level.level.id}: required criterion {criterion.id} "
                                      f"can never be met ({impossible[criterion.id]})")
        yield from _points_out_of_reach(level)


@check("lint.no-rules", "warning", "A level above the entry level without promotion rules.")
def no_rules(book: Rulebook) -> Iterator[Finding]:
    for track in book.tracks.values():
        for level in track.levels[1:]:
            if level.id not in book.rules:
                yield level.pos, f"{level.id} has no rules in levels/: nobody can be promoted into it"


def _own_impossible(book: Rulebook, code: str) -> Iterator[Finding]:
    """Findings of `code` for the criteria each level writes itself (inherited ones were
    reported at the level that wrote them)."""
    for level in book.rules.values():
        for criterion in level.criteria():
            found = impossibility(book, criterion, level)
            if found and found.code == code and not criterion.inherited_from:
                yield found.pos, found.message


def impossibility(book: Rulebook, criterion: Criterion, level: LevelRules) -> Impossible | None:
    """Why `criterion` can never be met at `level`, or None."""
    if isinstance(criterion, (CountCriterion, SumCriterion)):
        if criterion.at_least <= 0:
            return None
        found = _match_never_holds(book, criterion.match)
        if found is None and isinstance(criterion, CountCriterion) and criterion.distinct:
            declared = book.evidence[criterion.match.evidence].fields[criterion.distinct]
            possible = discrete_values(declared, [t for t in criterion.match.terms if t.field == criterion.distinct])
            if possible is not None and len(possible) < criterion.at_least:
                reason = f"{criterion.distinct} has only {len(possible)} possible value(s), {criterion.at_least} needed"
                return Impossible(reason, "lint.never-met", criterion.pos, f"criterion {criterion.id} can never be met: {reason}")
        return found
    if isinstance(criterion, NoDisputedCriterion):  # met by any packet without disputed records
        return None
    if isinstance(criterion, CandidateCriterion):
        reason = terms_never_hold(criterion.terms, CANDIDATE_FIELDS) or _impossible_steps(book, criterion.terms, level)
        if reason is None:
            return None
        return Impossible(reason, "lint.never-holds", criterion.pos,
                          f"the candidate conditions of {criterion.id} can never hold: {reason}")
    possible = sum(impossibility(book, child, level) is None for child in criterion.children)
    if criterion.kind != "none_of" and possible < criterion.needed:
        reason = f"only {possible} of its {len(criterion.children)} criteria can be met, {criterion.needed} needed"
        return Impossible(reason, "lint.never-met", criterion.pos, f"criterion {criterion.id} can never be met: {reason}")
    return None


def _match_never_holds(book: Rulebook, match: RecordMatch) -> Impossible | None:
    """Why no record can meet the match's conditions: for several types, why none of them can."""
    reasons = [terms_never_hold(match.terms, book.evidence[t].fields) for t in match.types]
    evidence = book.evidence[match.evidence]
    reason = reasons[0] if all(reasons) else None
    where = match.terms[0].pos if match.terms else None
    if reason is None and match.link:
        reason = terms_never_hold(match.link.terms, book.evidence[match.link.evidence].fields)
        where = match.link.terms[0].pos if match.link.terms else None
    if reason is None:
        return None
    return Impossible(reason, "lint.never-holds", where, f"no {evidence.name} can meet these conditions: {reason}")


def _impossible_steps(book: Rulebook, terms: tuple[Term, ...], level: LevelRules) -> str | None:
    """`steps_to_target` values no candidate of any level can have for this target."""
    target = level.level
    possible = set()
    for current in book.levels.values():
        equivalent = book.equivalent(current, target.track)
        if equivalent is not None and (current.track != target.track or current.rank < target.rank):
            possible.add(target.rank - equivalent.rank)
    for term in terms:
        if term.field == "steps_to_target" and term.op == "eq" and term.value not in possible:
            return f"steps_to_target is never {term.value} for {target.id} (possible: {', '.join(map(str, sorted(possible)))})"
    return None


def _points_out_of_reach(level: LevelRules) -> Iterator[Finding]:
    rule = level.points
    if rule is None:
        return
    best: dict[str | None, float] = {None: 0}
    for competency in level.competencies:
        for criterion in competency.criteria:
            most = _max_points(criterion)
            best[None] += most
            if competency.group:
                best[competency.group] = best.get(competency.group, 0) + most
    needs = [(None, rule.at_least)] if rule.at_least else []
    needs += list(rule.groups.items())
    for group, needed in needs:
        if best.get(group, 0) < needed:
            scope = f"in group {group}" if group else "in total"
            yield rule.pos, f"nobody can reach {level.level.id}: at most {best.get(group, 0):g} points {scope}, {needed} needed"


def _max_points(criterion: Criterion) -> float:
    if criterion.points_each:
        return criterion.max_points if criterion.max_points is not None else math.inf
    return criterion.points
