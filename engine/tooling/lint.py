"""Lint: static checks of a rulebook beyond validity, with stable codes.

A rulebook that does not load is reported with its load and validation errors (codes
`load.*`, `schema.*`, `rules.*`); one that loads is checked for conditions that can never
hold, criteria and levels nobody can reach, duplicates, missing words, gaps, and parity
between the tracks (the ladder's promise of equal prestige)."""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from engine.common.errors import Diagnostic, LadderError
from engine.reading.model import (
    CANDIDATE_FIELDS,
    CandidateCriterion,
    CountCriterion,
    Criterion,
    Field,
    LevelRules,
    Pos,
    RecordMatch,
    Rulebook,
    SumCriterion,
    Term,
    parse_date,
)
from engine.reading.rulebook import load_rulebook

# code -> (default level, what it means). Codes are stable: people and CI configs refer to them.
RULES: dict[str, tuple[str, str]] = {
    "lint.never-holds": ("error", "A set of conditions that no record (or candidate) can satisfy."),
    "lint.never-met": ("error", "A criterion that can never be met."),
    "lint.unreachable-level": ("error", "A level nobody can be promoted into."),
    "lint.no-rules": ("warning", "A level above the entry level without promotion rules."),
    "lint.duplicate": ("warning", "Two criteria of a level that ask for exactly the same thing."),
    "lint.shadowed": ("warning", "A criterion implied by a stricter one of the same level."),
    "lint.missing-description": ("warning", "A criterion, competency or level without words for people."),
    "lint.level-gap": ("warning", "A gap in a track's order: a level builds on one that is not directly below it."),
    "lint.parity-band": ("error", "Equivalent levels on different tracks with different compensation bands."),
    "lint.parity-bar": ("warning", "Equivalent levels whose evidence bars differ a lot."),
    "lint.unused-evidence": ("info", "An evidence type no criterion uses."),
}
LOAD_RULE = ("error", "The rulebook does not load: a YAML, schema or cross-reference error.")
PARITY_RATIO = 1.5  # flag equivalent levels whose bars differ by more than this factor...
PARITY_MIN_GAP = 2  # ...and by at least this much (1 record against 2 is not a large gap)


@dataclass(frozen=True)
class Bar:
    """How much a level asks for: the measure compared across equivalent levels."""

    required: int  # required criteria, points requirements included
    evidence: int  # minimum number of evidence records its required criteria need
    competencies: int  # competencies with at least one required criterion


def lint(directory: str | Path) -> list[Diagnostic]:
    try:
        book = load_rulebook(directory)
    except LadderError as e:
        return sorted(e.diagnostics)
    return sorted(set(_Linter(book).run()))


def rule_level(code: str) -> str:
    return RULES.get(code, LOAD_RULE)[0]


class _Linter:
    def __init__(self, book: Rulebook):
        self.book = book
        self.found: list[Diagnostic] = []

    def add(self, pos: Pos | None, code: str, message: str) -> None:
        pos = pos or Pos(self.book.source, 1, 1)
        self.found.append(Diagnostic(pos.file, pos.line, pos.col, message, code, rule_level(code)))

    def run(self) -> list[Diagnostic]:
        for level in self.book.rules.values():
            self._level(level)
        self._tracks()
        self._parity()
        self._unused()
        return self.found

    # -------------------------------------------------------------------------------- levels

    def _level(self, level: LevelRules) -> None:
        if not level.summary:
            self.add(level.pos, "lint.missing-description", f"level {level.level.id} has no summary: say what the level means")
        for competency in level.competencies:
            if not competency.description:
                self.add(competency.pos, "lint.missing-description", f"competency {competency.id} has no description")
        own = [c for c in level.criteria() if not c.inherited_from]
        for criterion in own:
            if not criterion.description:
                self.add(criterion.pos, "lint.missing-description", f"criterion {criterion.id} has no description: say what it asks for")
        impossible = {}
        for criterion in level.criteria():
            reason = self._never_met(criterion, level, report=not criterion.inherited_from)
            if reason:
                impossible[criterion.id] = reason
        for competency in level.competencies:
            for criterion in competency.criteria:
                if criterion.required and criterion.id in impossible:
                    self.add(level.pos, "lint.unreachable-level",
                             f"nobody can reach {level.level.id}: required criterion {criterion.id} can never be met ({impossible[criterion.id]})")
        self._points_reachable(level)
        self._duplicates(level)
        if level.builds_on:
            base = self.book.levels[level.builds_on]
            if base.track != level.level.track or base.rank != level.level.rank - 1:
                self.add(level.pos, "lint.level-gap", f"{level.level.id} builds on {base.id}, which is not the level directly below it on its track")

    def _never_met(self, criterion: Criterion, level: LevelRules, report: bool) -> str | None:
        """Why `criterion` can never be met, or None; reports the conditions that cause it."""
        if isinstance(criterion, (CountCriterion, SumCriterion)):
            if criterion.at_least <= 0:
                return None
            reason = self._match_never_holds(criterion.match, report)
            if reason is None and isinstance(criterion, CountCriterion) and criterion.distinct:
                declared = self.book.evidence[criterion.match.evidence].fields[criterion.distinct]
                possible = _discrete_values(declared, [t for t in criterion.match.terms if t.field == criterion.distinct])
                if possible is not None and len(possible) < criterion.at_least:
                    reason = f"{criterion.distinct} has only {len(possible)} possible value(s), {criterion.at_least} needed"
                    if report:
                        self.add(criterion.pos, "lint.never-met", f"criterion {criterion.id} can never be met: {reason}")
            return reason
        if isinstance(criterion, CandidateCriterion):
            reason = _terms_never_hold(criterion.terms, CANDIDATE_FIELDS)
            steps = self._impossible_steps(criterion.terms, level)
            reason = reason or steps
            if reason and report:
                self.add(criterion.pos, "lint.never-holds", f"the candidate conditions of {criterion.id} can never hold: {reason}")
            return reason
        children = [self._never_met(child, level, report=False) for child in criterion.children]
        possible = sum(r is None for r in children)
        if criterion.kind != "none_of" and possible < criterion.needed:
            reason = f"only {possible} of its {len(children)} criteria can be met, {criterion.needed} needed"
            if report:
                self.add(criterion.pos, "lint.never-met", f"criterion {criterion.id} can never be met: {reason}")
            return reason
        return None

    def _match_never_holds(self, match: RecordMatch, report: bool) -> str | None:
        evidence = self.book.evidence[match.evidence]
        reason = _terms_never_hold(match.terms, evidence.fields)
        where = match.terms[0].pos if match.terms else None
        if reason is None and match.link:
            reason = _terms_never_hold(match.link.terms, self.book.evidence[match.link.evidence].fields)
            where = match.link.terms[0].pos if match.link.terms else None
        if reason and report:
            self.add(where, "lint.never-holds", f"no {evidence.name} can meet these conditions: {reason}")
        return reason

    def _impossible_steps(self, terms: tuple[Term, ...], level: LevelRules) -> str | None:
        """`steps_to_target` values no candidate of any level can have for this target."""
        target = level.level
        possible = set()
        for current in self.book.levels.values():
            equivalent = self.book.equivalent(current, target.track)
            if equivalent is not None and (current.track != target.track or current.rank < target.rank):
                possible.add(target.rank - equivalent.rank)
        for term in terms:
            if term.field == "steps_to_target" and term.op == "eq" and term.value not in possible:
                return f"steps_to_target is never {term.value} for {target.id} (possible: {', '.join(map(str, sorted(possible)))})"
        return None

    def _points_reachable(self, level: LevelRules) -> None:
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
                self.add(rule.pos, "lint.unreachable-level",
                         f"nobody can reach {level.level.id}: at most {best.get(group, 0):g} points {scope}, {needed} needed")

    def _duplicates(self, level: LevelRules) -> None:
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
                    self.add(at.pos, "lint.duplicate", f"criteria {first.id} and {second.id} ask for exactly the same thing")
                    reported.add(at.id)
                    continue
                weaker = _weaker(first, second)
                if weaker is not None and not weaker.inherited_from and weaker.id not in reported:
                    stronger = second if weaker is first else first
                    self.add(weaker.pos, "lint.shadowed",
                             f"criterion {weaker.id} is implied by {stronger.id}, which asks for at least {stronger.at_least} of the same")
                    reported.add(weaker.id)

    # -------------------------------------------------------------------------------- tracks

    def _tracks(self) -> None:
        for track in self.book.tracks.values():
            for level in track.levels[1:]:
                if level.id not in self.book.rules:
                    self.add(level.pos, "lint.no-rules", f"{level.id} has no rules in levels/: nobody can be promoted into it")

    def _parity(self) -> None:
        for row in self.book.equivalence:
            levels = [self.book.levels[level_id] for level_id in row.values()]
            bands = {level.band for level in levels}
            if len(bands) > 1:
                names = ", ".join(f"{level.id} is {level.band}" for level in levels)
                self.add(levels[-1].pos, "lint.parity-band", f"equivalent levels must share a band: {names}")
            bars = {level.id: self.bar(level.id) for level in levels if level.id in self.book.rules}
            if len(bars) < 2:
                continue
            for measure in ("required", "evidence", "competencies"):
                values = {lid: getattr(bar, measure) for lid, bar in bars.items()}
                low, high = min(values.values()), max(values.values())
                if high > max(low, 1) * PARITY_RATIO and high - low >= PARITY_MIN_GAP:
                    described = ", ".join(f"{lid} {value}" for lid, value in values.items())
                    self.add(self.book.rules[max(values, key=values.get)].pos, "lint.parity-bar",
                             f"equivalent levels ask for very different amounts ({_MEASURES[measure]}: {described}); "
                             f"more than {PARITY_RATIO:g}x apart")

    def bar(self, level_id: str) -> Bar:
        level = self.book.rules[level_id]
        required = [c for competency in level.competencies for c in competency.criteria if c.required]
        points = len(level.points.groups) + (1 if level.points.at_least else 0) if level.points else 0
        competencies = sum(any(c.required for c in competency.criteria) for competency in level.competencies)
        return Bar(len(required) + points, sum(_min_records(c) for c in required), competencies)

    def _unused(self) -> None:
        used = set()
        for level in self.book.rules.values():
            for criterion in level.criteria():
                if isinstance(criterion, (CountCriterion, SumCriterion)):
                    used.add(criterion.match.evidence)
                    if criterion.match.link:
                        used.add(criterion.match.link.evidence)
        for evidence in self.book.evidence.values():
            if evidence.id not in used:
                self.add(evidence.pos, "lint.unused-evidence", f"no criterion uses evidence type {evidence.id}: packets can carry it, but it never counts")


_MEASURES = {"required": "required criteria", "evidence": "evidence records needed at least",
             "competencies": "competencies with a required criterion"}


# ------------------------------------------------------------------------- condition algebra

def _terms_never_hold(terms: Iterable[Term], fields: dict[str, Field]) -> str | None:
    by_field: dict[str, list[Term]] = {}
    for term in terms:
        by_field.setdefault(term.field, []).append(term)
    for name, group in by_field.items():
        reason = _field_never_holds(fields[name], group)
        if reason:
            return reason
    return None


def _field_never_holds(declared: Field, terms: list[Term]) -> str | None:
    ops = {t.op for t in terms}
    name = declared.name
    if "absent" in ops and ops - {"absent"}:
        return f"{name} must be absent, yet is also compared"
    for term in terms:
        if term.op == "in" and not term.value:
            return f"{name} in [] matches nothing"
    values = _discrete_values(declared, terms)
    if values is not None and not values:
        return f"no value of {name} meets every condition on it"
    if declared.type in ("integer", "number", "date"):
        low, high = _interval(declared, terms)
        if low[0] > high[0] or (low[0] == high[0] and (low[1] or high[1])):
            return f"{name} cannot be {_bound_text(low, '>')} and {_bound_text(high, '<')} at once"
    if values is None:
        allowed: set | None = None  # None: any value
        for term in terms:
            if term.op in ("eq", "in"):
                listed = {term.value} if term.op == "eq" else set(term.value)
                allowed = listed if allowed is None else allowed & listed
        excluded = {t.value for t in terms if t.op == "ne"} | {v for t in terms if t.op == "not_in" for v in t.value}
        if allowed is not None and declared.type in ("integer", "number"):
            low, high = _interval(declared, [t for t in terms if t.op not in ("eq", "in")])
            allowed = {v for v in allowed if _inside(v, low, high)}
        if allowed is not None and not allowed - excluded:
            return f"no value of {name} meets every condition on it"
    return None


def _inside(value: float, low, high) -> bool:
    above = value > low[0] or (value == low[0] and not low[1])
    below = value < high[0] or (value == high[0] and not high[1])
    return above and below


def _discrete_values(declared: Field, terms: list[Term]) -> set | None:
    """The values a finite-domain field (enum, boolean) can take under `terms`, else None."""
    if declared.type == "enum":
        domain: set = set(declared.values)
    elif declared.type == "boolean":
        domain = {True, False}
    else:
        return None
    for term in terms:
        if term.op == "eq":
            domain &= {term.value}
        elif term.op == "ne":
            domain -= {term.value}
        elif term.op == "in":
            domain &= set(term.value)
        elif term.op == "not_in":
            domain -= set(term.value)
    return domain


def _interval(declared: Field, terms: list[Term]):
    """((low, low_open), (high, high_open)) the terms allow for a numeric or date field."""
    def number(value):
        return parse_date(value).toordinal() if declared.type == "date" else value
    low = (declared.minimum if declared.minimum is not None else -math.inf, False)
    high = (declared.maximum if declared.maximum is not None else math.inf, False)
    for term in terms:
        if term.op not in ("eq", "lt", "lte", "gt", "gte"):
            continue
        value = number(term.value)
        if term.op in ("gt", "gte", "eq"):
            candidate = (value, term.op == "gt")
            if candidate[0] > low[0] or (candidate[0] == low[0] and candidate[1]):
                low = candidate
        if term.op in ("lt", "lte", "eq"):
            candidate = (value, term.op == "lt")
            if candidate[0] < high[0] or (candidate[0] == high[0] and candidate[1]):
                high = candidate
    return low, high


def _bound_text(bound, side: str) -> str:
    value, strict = bound
    return f"{side}{'' if strict else '='} {value:g}" if isinstance(value, (int, float)) else f"{side} {value}"


# ------------------------------------------------------------------------------- measurements

def _max_points(criterion: Criterion) -> float:
    if criterion.points_each:
        return criterion.max_points if criterion.max_points is not None else math.inf
    return criterion.points


def _min_records(criterion: Criterion) -> int:
    """The fewest evidence records that can meet `criterion`."""
    if isinstance(criterion, CountCriterion):
        return criterion.at_least
    if isinstance(criterion, SumCriterion):
        return 1 if criterion.at_least > 0 else 0
    if isinstance(criterion, CandidateCriterion):
        return 0
    needs = sorted(_min_records(c) for c in criterion.children)
    if criterion.kind == "none_of":
        return 0
    return sum(needs[:criterion.needed])


def _definition(criterion: Criterion) -> tuple:
    """What a criterion asks for, without its name, words or place."""
    def strip(c: Criterion):
        match = getattr(c, "match", None)
        terms = getattr(c, "terms", ())
        return (c.kind, _match_key(match) if match else None, tuple(_term_key(t) for t in terms),
                getattr(c, "at_least", None), getattr(c, "distinct", None), getattr(c, "field", None),
                getattr(c, "k", None), tuple(strip(x) for x in getattr(c, "children", ())))
    return strip(criterion)


def _weaker(first: Criterion, second: Criterion) -> Criterion | None:
    """Of two count/sum criteria over the same records, the one the other implies."""
    if type(first) is not type(second) or not isinstance(first, (CountCriterion, SumCriterion)):
        return None
    if _match_key(first.match) != _match_key(second.match) or getattr(first, "distinct", None) != getattr(second, "distinct", None):
        return None
    if getattr(first, "field", None) != getattr(second, "field", None) or first.at_least == second.at_least:
        return None
    return first if first.at_least < second.at_least else second


def _term_key(term: Term) -> tuple:
    return (term.field, term.op, term.value)


def _match_key(match: RecordMatch) -> tuple:
    link = (match.link.by, match.link.evidence, tuple(sorted(map(_term_key, match.link.terms), key=repr))) if match.link else None
    return (match.evidence, tuple(sorted(map(_term_key, match.terms), key=repr)), match.window, link)
