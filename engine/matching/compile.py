"""Stage 3, compile: one level's criteria into durable-rules rules, plus the plan to read them.

For every criterion that selects records there is one *main* rule whose matches are the records
that count, and one *probe* rule per condition (each `where` term, the window, the as-of bound,
each condition on a linked record). The verdict reads the main rules; the explanation of a miss
reads the probes ("DD-7: status is draft, needs approved"). Both come from the same engine run,
and `evaluate` checks that they agree record by record. Identical rules are compiled once."""
from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any

from engine.matching import core
from engine.reading.dates import parse_date
from engine.reading.model import (
    CANDIDATE_FIELDS,
    CONFIDENCE_FIELD,
    STANDING_FIELDS,
    CandidateCriterion,
    CandidateValue,
    CountCriterion,
    EvidenceType,
    Field,
    LevelRules,
    Link,
    NoDisputedCriterion,
    RecordMatch,
    Rulebook,
    SumCriterion,
    Term,
    Window,
    record_field,
    walk_sides,
)

CONTEXT, CANDIDATE = "ctx", "cand"
WHO = "p"  # the candidate's pattern in rules whose conditions compare with the candidate
AS_OF, START, END, RECORD_ID = "_as_of", "_start", "_end", "_id"
ONGOING = 3652059  # date.max.toordinal(): an unfinished span has not ended


def record_kind(evidence: str) -> str:
    return "rec:" + evidence


@dataclass(frozen=True)
class Condition:
    """One thing a record or the candidate must satisfy, with the probe rule that tests it."""

    kind: str  # term | window | as_of | disputed (the rulebook's `disputed` policy sets the record aside)
    rule: str
    term: Term | None = None
    window: Window | None = None


@dataclass(frozen=True)
class RecordPlan:
    evidence: str
    rule: str  # main rule: each match is (context[, candidate], record[, linked record])
    conditions: tuple[Condition, ...]
    link: Link | None = None
    linked_conditions: tuple[Condition, ...] = ()
    record_at: int = 1  # the record's place in a match of `rule`


@dataclass(frozen=True)
class CandidatePlan:
    rule: str  # matches the candidate when every condition holds
    conditions: tuple[Condition, ...]
    set_aside: tuple[Condition, ...] = ()  # probed, but left out of `rule` (standing, for placement)


@dataclass
class CompiledLevel:
    rules: LevelRules
    windows: tuple[Window, ...]
    records: dict[str, tuple[RecordPlan, ...]]  # criterion id -> a plan per evidence type it counts
    candidates: dict[str, CandidatePlan]
    engine: core.Engine
    opportunities: tuple[CountCriterion, ...] = ()  # the calibration's, compiled with the level
    # evidence type -> its facts' kind, for the types whose facts the engine reads (the others
    # match nothing: `evaluate.facts` leaves them out)
    kinds: dict[str, str] = field(default_factory=dict)
    # Criteria each of whose rules' matches holds at most one record, beside the context and the
    # candidate: leaving some records out (the verdict on verified evidence) leaves every other
    # record's answer, and the candidate's, as it was.
    per_record: frozenset[str] = frozenset()


OPPORTUNITY = "opportunity:"  # prefix of calibration opportunities compiled with each level


def opportunity_criteria(rulebook: Rulebook) -> tuple[CountCriterion, ...]:
    """The calibration's opportunities as criteria whose ids cannot clash with a level's."""
    return tuple(replace(c, id=OPPORTUNITY + c.id) for c in rulebook.calibration.opportunities)


def compiled(rulebook: Rulebook, level_id: str, judge_standing: bool = True) -> CompiledLevel:
    """The compiled rules of one level, with the calibration's opportunities (one engine session
    answers both), built once per rulebook object. Without `judge_standing` (placement), the
    conditions on the candidate's standing (`STANDING_FIELDS`) are probed but do not decide."""
    cache = rulebook.compiled_cache
    key = level_id if judge_standing else ("placement", level_id)
    if key not in cache:
        cache[key] = _Compiler(rulebook, judge_standing).level(rulebook.rules[level_id], opportunity_criteria(rulebook))
    return cache[key]


@dataclass
class _Compiler:
    rulebook: Rulebook
    judge_standing: bool = True
    rules: dict[str, core.Rule] = field(default_factory=dict)  # canonical key -> rule
    windows: set[Window] = field(default_factory=set)

    def level(self, level: LevelRules, extra: tuple[CountCriterion, ...] = ()) -> CompiledLevel:
        records, candidates = {}, {}
        policy = self.rulebook.disputed
        sides = [(c, against) for competency in level.competencies for c, against in walk_sides(competency.criteria)]
        # The calibration's opportunities show access to work, whatever its confidence: no policy.
        for criterion, against in [*sides, *((c, None) for c in extra)]:
            if isinstance(criterion, (CountCriterion, SumCriterion, NoDisputedCriterion)):
                implied = [criterion.distinct] if isinstance(criterion, CountCriterion) and criterion.distinct else []
                if isinstance(criterion, SumCriterion):
                    implied += [name for name in (criterion.field, criterion.best_per) if name]
                # A disputed record is set aside where the policy says (docs/rules.md, "Confidence").
                aside = against is not None and (policy == "ignore" or (policy == "hold" and not against))
                records[criterion.id] = tuple(self._record_plan(criterion.id, criterion.match, implied, type_id, aside)
                                              for type_id in criterion.match.types)
            elif isinstance(criterion, CandidateCriterion):
                candidates[criterion.id] = self._candidate_plan(criterion.id, criterion.terms)
        engine = core.Engine(list(self.rules.values()))
        kinds = {type_id: record_kind(type_id) for type_id in self.rulebook.evidence if record_kind(type_id) in engine.kinds}
        single = {r.name for r in engine.rules if all(p.kind in (CONTEXT, CANDIDATE) for p in r.patterns[:-1])}
        per_record = frozenset([*(criterion_id for criterion_id, plans in records.items()
                                  if all(p.link is None and {p.rule, *(c.rule for c in p.conditions)} <= single for p in plans)),
                                *(criterion_id for criterion_id, p in candidates.items()
                                  if {p.rule, *(c.rule for c in p.conditions + p.set_aside)} <= single)])
        return CompiledLevel(level, tuple(sorted(self.windows, key=lambda w: w.key)), records, candidates, engine, extra, kinds, per_record)

    def _rule(self, name: str, patterns: tuple[core.Pattern, ...]) -> str:
        key = json.dumps([[p.alias, p.kind, [[t.field, t.op, _plain(t.value)] for t in p.tests]] for p in patterns], sort_keys=True)
        if key not in self.rules:
            taken = {rule.name for rule in self.rules.values()}
            unique = name
            for n in range(2, len(taken) + 3):
                if unique not in taken:
                    break
                unique = f"{name}#{n}"
            self.rules[key] = core.Rule(unique, patterns)
        return self.rules[key].name

    # ------------------------------------------------------------------------------- records

    def _record_plan(self, criterion_id: str, match: RecordMatch, implied_fields: list[str], type_id: str, aside: bool) -> RecordPlan:
        """The plan for the records of one type the criterion counts; `aside`: disputed records
        do not count (unless the conditions test confidence themselves)."""
        evidence = self.rulebook.evidence[type_id]
        terms = list(match.terms)
        for name in implied_fields + ([match.link.by] if match.link else []):
            if not any(t.field == name and t.op == "present" for t in terms):
                terms.append(Term(name, "present", None))
        own = self._record_conditions(evidence, terms, match.window, aside)
        tests = tuple(t for _, t in own)
        linked_terms = list(match.link.terms) if match.link else []
        who = _who([*terms, *linked_terms])
        patterns = [_context(), *who, core.Pattern("m", record_kind(evidence.id), tests)]
        linked: list[tuple[Condition, core.Test]] = []
        if match.link:
            target = self.rulebook.evidence[match.link.evidence]
            linked = self._record_conditions(target, linked_terms, None, aside)
            join = core.Test(RECORD_ID, "eq", core.Ref("m", match.link.by))
            patterns.append(core.Pattern("l", record_kind(target.id), tuple(t for _, t in linked) + (join,)))
        name = f"{criterion_id}:match" if not match.also else f"{criterion_id}:{type_id}:match"
        rule = self._rule(name, tuple(patterns))
        return RecordPlan(evidence.id, rule, tuple(c for c, _ in own), match.link, tuple(c for c, _ in linked), 1 + len(who))

    def _record_conditions(self, evidence: EvidenceType, terms: list[Term], window: Window | None,
                           aside: bool = False) -> list[tuple[Condition, core.Test]]:
        kind = record_kind(evidence.id)
        result = []
        if aside and not any(t.field == CONFIDENCE_FIELD.name for t in terms):
            test = core.Test(CONFIDENCE_FIELD.name, "ne", "disputed")
            probe = self._rule(f"{evidence.id}:undisputed", (core.Pattern("m", kind, (test,)),))
            result.append((Condition("disputed", probe), test))
        for term in terms:
            test = _test(term, record_field(evidence.fields, term.field))
            probe = self._rule(f"{evidence.id}:{term.field}:{term.op}", (*_who([term]), core.Pattern("m", kind, (test,))))
            result.append((Condition("term", probe, term=term), test))
        if window:
            self.windows.add(window)
            test = core.Test(END, "gte", core.Ref("c", window.key))
            probe = self._rule(f"{evidence.id}:within:{window.key}", (_context(), core.Pattern("m", kind, (test,))))
            result.append((Condition("window", probe, window=window), test))
        test = core.Test(START, "lte", core.Ref("c", AS_OF))
        probe = self._rule(f"{evidence.id}:as-of", (_context(), core.Pattern("m", kind, (test,))))
        result.append((Condition("as_of", probe), test))
        return result

    # ----------------------------------------------------------------------------- candidate

    def _candidate_plan(self, criterion_id: str, terms: tuple[Term, ...]) -> CandidatePlan:
        conditions, tests, set_aside = [], [], []
        for term in terms:
            test = _test(term, CANDIDATE_FIELDS[term.field])
            probe = self._rule(f"candidate:{term.field}:{term.op}", (core.Pattern("m", CANDIDATE, (test,)),))
            if self.judge_standing or term.field not in STANDING_FIELDS:
                conditions.append(Condition("term", probe, term=term))
                tests.append(test)
            else:  # still probed, so placement can say what a promotion would ask
                set_aside.append(Condition("term", probe, term=term))
        rule = self._rule(f"{criterion_id}:match", (core.Pattern("m", CANDIDATE, tuple(tests)),))
        return CandidatePlan(rule, tuple(conditions), tuple(set_aside))


def _context() -> core.Pattern:
    return core.Pattern("c", CONTEXT, ())


def _who(terms: list[Term]) -> list[core.Pattern]:
    """The candidate's pattern, when some term compares with the candidate's fields: the
    candidate must have each of them (a condition against a field the candidate lacks fails)."""
    fields = sorted({t.value.field for t in terms if isinstance(t.value, CandidateValue)})
    return [core.Pattern(WHO, CANDIDATE, tuple(core.Test(f, "present") for f in fields))] if fields else []


def _plain(value: Any) -> Any:
    if isinstance(value, core.Ref):
        return {"ref": [value.alias, value.field]}
    if isinstance(value, tuple):
        return list(value)
    return value


def _test(term: Term, declared: Field) -> core.Test:
    """A rulebook condition as an engine test: dates become day numbers, text tests globs."""
    value = term.value
    if isinstance(value, CandidateValue):  # the engine compares with the candidate's fact
        value = core.Ref(WHO, value.field)
    elif declared.type == "date" and value is not None:
        value = parse_date(value).toordinal()
    if term.op == "contains":
        return core.Test(term.field, "has_item" if declared.type == "list" else "contains_text", value)
    if term.op == "matches":
        return core.Test(term.field, "glob", value)
    return core.Test(term.field, term.op, value)
