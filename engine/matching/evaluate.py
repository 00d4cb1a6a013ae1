"""Stage 4, evaluate: a packet's facts through the compiled rules, then the level's verdict.

The engine decides which records (and the candidate) satisfy what; this stage only adds up
what the engine cannot (counts, distinct values, sums, points, any/all/k-of/none-of) and applies
the level's verdict rule. The verdict on verified evidence alone reuses the same matches: our
rules have no negated patterns, so a match among verified records alone is exactly a match
whose records are all verified. What an evaluation says is `results`' (re-exported here)."""
from __future__ import annotations

import operator
import sys
from datetime import date
from typing import Callable, Iterable

from engine.common.errors import EngineFault
from engine.matching import core
from engine.matching.compile import (
    AS_OF,
    CANDIDATE,
    CONTEXT,
    END,
    ONGOING,
    OPPORTUNITY,
    RECORD_ID,
    START,
    CompiledLevel,
    Condition,
    RecordPlan,
    compiled,
)
from engine.matching.results import NEARLY, NOT_READY, READY, Assessment, Best, CriterionResult, Evaluation, Miss, PointsResult
from engine.reading.dates import months_between, span_length
from engine.reading.model import CONFIDENCE_FIELD, CandidateCriterion, CompositeCriterion, Criterion, LevelRules, NoDisputedCriterion, Packet, Record, Rulebook, SumCriterion

CANDIDATE_KEY, CONTEXT_KEY = "\u0000candidate", "\u0000context"
__all__ = ["NEARLY", "NOT_READY", "READY", "Assessment", "Best", "CriterionResult", "Evaluation", "Miss", "PointsResult",
           "CANDIDATE_KEY", "CONTEXT_KEY", "EVALUATE_EVENT", "candidate_fields", "evaluate", "facts", "verdict"]

EVALUATE_EVENT = "ladder.evaluate"


def evaluate(rulebook: Rulebook, packet: Packet, judge_standing: bool = True) -> Evaluation:
    """The packet judged at its target. Without `judge_standing` (placement), conditions on the
    candidate's standing on the ladder do not decide; those that fail are in `set_aside`.

    Raises the audit event `ladder.evaluate` (packet source, target level): how a program, or a
    test, sees how many evaluations a command ran (`sys.addaudithook`); it costs nothing unhooked."""
    level, matches = _matched(rulebook, packet, judge_standing)
    assessor = _Assessor(level, packet, matches)
    everything = assessor.assess()
    unverified = frozenset([r.id for r in packet.records if r.confidence != "verified"])  # record ids never start with \u0000, as our keys do
    verified = _Assessor(level, packet, matches, unverified, assessor).assess() if unverified else everything
    shown = {c.id[len(OPPORTUNITY):]: assessor.criterion(c, why=False).met for c in level.opportunities}
    return Evaluation(packet, level.rules, everything, verified, shown)


def verdict(rulebook: Rulebook, packet: Packet, judge_standing: bool = True) -> str:
    """`evaluate(...).all_evidence.verdict` alone, for a caller that shows nothing else (a
    calibration's placement judges each level of a track only for whether it is met): neither
    the verdict on verified evidence nor why a record did not count is worked out."""
    level, matches = _matched(rulebook, packet, judge_standing)
    return _Assessor(level, packet, matches, why=False).assess().verdict


def _matched(rulebook: Rulebook, packet: Packet, judge_standing: bool) -> tuple[CompiledLevel, core.Matches]:
    """The target's compiled rules and the packet's matches through them (the audit event raised)."""
    sys.audit(EVALUATE_EVENT, packet.source, packet.target.id)
    level = compiled(rulebook, packet.target.id, judge_standing)
    return level, level.engine.run(facts(rulebook, level, packet))


def facts(rulebook: Rulebook, level: CompiledLevel, packet: Packet) -> list[core.Fact]:
    """The packet as the engine reads it: the context (as-of and window bounds), the candidate,
    and the records of the kinds its rules test, with the fields they read besides each record's
    id, confidence and dates (a record of another kind, or another field, cannot change a match)."""
    context = {AS_OF: packet.as_of.toordinal()}
    for window in level.windows:
        context[window.key] = window.cutoff(packet.as_of).toordinal()
    result = [core.Fact(CONTEXT_KEY, CONTEXT, context), core.Fact(CANDIDATE_KEY, CANDIDATE, candidate_fields(rulebook, packet))]
    kinds, read = level.kinds, level.engine.fields
    confidence = CONFIDENCE_FIELD.name  # no declared field has this name (reserved)
    append = result.append
    for record in packet.records:
        kind = kinds.get(record.type)
        if kind is None:
            continue
        end = record.end
        fields = {RECORD_ID: record.id, confidence: record.confidence, START: record.start.toordinal(), END: end.toordinal() if end else ONGOING}
        for name, value in record.fields.items():
            if name in read and name not in fields:  # the record's own id, confidence and dates win, as the engine's
                fields[name] = value.toordinal() if isinstance(value, date) else value
        append(core.Fact(record.id, kind, fields))
    return result


def _same(value):
    """The value as `distinct` compares it, and its tidied spelling: free text like `team` is
    typed by hand, so case and spacing do not make a value different ("Platform-Infra " is
    platform-infra); 2 is 2.0."""
    tidy = " ".join(value.split()) if isinstance(value, str) else value
    return (tidy.casefold() if isinstance(tidy, str) else tidy), str(tidy)


def _distinct(values) -> tuple[str, ...]:
    """One spelling per different value (the first in text order)."""
    spellings: dict = {}
    for value in sorted(values, key=str):
        key, spelling = _same(value)
        spellings.setdefault(key, spelling)
    return tuple(sorted(spellings.values()))


def _best_per(records: list[Record], amount: Callable[[Record], float], key_field: str) -> list[tuple[str, Record]]:
    """For each key (compared as `distinct` compares), the record with the highest amount; on a
    tie the earliest in the packet. Keys are spelled as `_distinct` spells them, in text order."""
    best: dict = {}
    for record in records:  # packet order, so the first of equals stays
        key = _same(record.fields[key_field])[0]
        if key not in best or amount(record) > amount(best[key]):
            best[key] = record
    spelled: dict = {}
    for value in sorted((r.fields[key_field] for r in records), key=str):
        key, spelling = _same(value)
        spelled.setdefault(key, spelling)
    return sorted(((spelled[key], record) for key, record in best.items()), key=lambda pair: pair[0])


def candidate_fields(rulebook: Rulebook, packet: Packet) -> dict:
    """What `candidate:` criteria can test (see model.CANDIDATE_FIELDS); None means absent."""
    candidate = packet.candidate
    equivalent = rulebook.equivalent(rulebook.levels[candidate.level], packet.target.track)
    return {
        "months_at_level": months_between(candidate.level_since, packet.as_of),
        "steps_to_target": packet.target.rank - equivalent.rank if equivalent else None,
        "nominated": candidate.nominated, "track": candidate.track, "level": candidate.level, "team": candidate.team,
        # for conditions on records that compare with the candidate (model.CANDIDATE_VALUES)
        "id": candidate.id, "name": candidate.name, "manager": candidate.manager,
    }


class _Assessor:
    """One assessment of a packet: on all its records, or without the `left_out` ones (the
    verdict on verified evidence), from the same matches."""

    def __init__(self, level: CompiledLevel, packet: Packet, matches: core.Matches, left_out: frozenset[str] = frozenset(),
                 everything: _Assessor | None = None, why: bool = True):
        self.level, self.packet, self.matches, self.left_out = level, packet, matches, left_out
        self.everything = everything  # the assessment on all records, when this one leaves some out
        self.why = why  # False: results without misses (`verdict`), the verdict the same
        self.answers: dict[str, tuple[list[Record], tuple[Miss, ...]]] = {}  # criterion id -> (counted, misses)
        self.results: dict[str, CriterionResult] = {}  # criterion id -> result (with its misses)
        self._kept: dict[str, list[tuple[str, ...]]] = {}
        self._sets: dict[str, set[str]] = {}
        # Worked out when first wanted: an assessment that shares all it can wants none of them.
        self._records: list[Record] | None = None
        self._by_type: dict[str, list[Record]] | None = None

    @property
    def records(self) -> list[Record]:
        if self._records is None:
            self._records = [r for r in self.packet.records if r.id not in self.left_out] if self.left_out else self.packet.records
        return self._records

    @property
    def by_type(self) -> dict[str, list[Record]]:
        """Each criterion looks only at its evidence types."""
        if self._by_type is None:
            self._by_type = {}
            for record in self.records:
                self._by_type.setdefault(record.type, []).append(record)
        return self._by_type

    def kept(self, rule: str) -> list[tuple[str, ...]]:
        """The rule's matches among the included records."""
        if not self.left_out:
            return self.matches[rule]
        if rule not in self._kept:
            self._kept[rule] = [m for m in self.matches[rule] if self.left_out.isdisjoint(m)]
        return self._kept[rule]

    def satisfied(self, rule: str) -> set[str]:
        """Keys of the facts (the last pattern's fact) in every match of a one-fact probe rule."""
        if rule not in self._sets:
            self._sets[rule] = {m[-1] for m in self.kept(rule)}
        return self._sets[rule]

    def assess(self) -> Assessment:
        rules = self.level.rules
        competencies = tuple((c.id, tuple(self.criterion(k) for k in c.criteria)) for c in rules.competencies)
        by_id = dict(competencies)
        top = [(c, r) for c in rules.competencies for r in by_id[c.id]]
        points = self._points(top)
        unmet = [r.criterion.id for _, r in top if r.criterion.required and not r.met]
        unmet += [f"points:{p.group}" if p.group else "points" for p in points if not p.met]
        blockers = tuple(r.criterion.id for _, r in top if r.criterion.blocker and not r.met)
        return Assessment(_verdict(rules, unmet, blockers, points), competencies, points, tuple(unmet), blockers)

    def _points(self, top) -> tuple[PointsResult, ...]:
        rule = self.level.rules.points
        if rule is None:
            return ()
        totals: dict[str | None, int] = {None: 0}
        for competency, result in top:
            totals[None] += result.points
            if competency.group:
                totals[competency.group] = totals.get(competency.group, 0) + result.points
        found = []
        if rule.at_least:
            found.append(PointsResult(None, totals[None], rule.at_least))
        found += [PointsResult(group, totals.get(group, 0), needed) for group, needed in rule.groups.items()]
        return tuple(found)

    def criterion(self, criterion: Criterion, why: bool | None = None) -> CriterionResult:
        """The criterion's result; without `why` (by default the assessment's), with no misses
        (only whether it is met, and what counted, are wanted)."""
        why = self.why if why is None else why
        everything = self.everything and self.everything.results.get(criterion.id)
        if isinstance(criterion, CompositeCriterion):
            children = tuple(self.criterion(c) for c in criterion.children)
            if everything and all(map(operator.is_, children, everything.children)):
                return everything  # no child changed
            met_count = sum(c.met for c in children)
            met = met_count == 0 if criterion.kind == "none_of" else met_count >= criterion.needed
            result = CriterionResult(criterion, met, met_count, criterion.needed, children=children, points=criterion.points if met else 0)
        elif everything and criterion.id in self.level.per_record:  # each record's answer as on all records, less those left out
            if isinstance(criterion, CandidateCriterion):
                return everything  # the candidate is never left out
            every_counted, every_miss = self.everything.answers[criterion.id]
            counted = [r for r in every_counted if r.id not in self.left_out]
            misses = tuple(m for m in every_miss if m.record not in self.left_out)
            if len(counted) == len(every_counted) and len(misses) == len(every_miss):
                return everything  # none of its records is left out
            result = self._result(criterion, counted, misses)
        elif isinstance(criterion, CandidateCriterion):
            result = self._candidate(criterion)
        elif why:
            self.answers[criterion.id] = self._answers(criterion)
            result = self._result(criterion, *self.answers[criterion.id])
        else:
            return self._result(criterion, *self._answers(criterion, why))
        self.results[criterion.id] = result
        return result

    def _result(self, criterion: Criterion, counted: list[Record], misses: tuple[Miss, ...]) -> CriterionResult:
        """A record criterion's result from the records it counts and the misses."""
        if isinstance(criterion, NoDisputedCriterion):  # the records counted are those that break it
            return CriterionResult(criterion, not counted, len(counted), 0, tuple(r.id for r in counted),
                                   points=criterion.points if not counted else 0)
        distinct_values: tuple = ()
        best: tuple[Best, ...] = ()
        if isinstance(criterion, SumCriterion) and criterion.best_per:
            amount = self._amount(criterion)
            chosen = _best_per(counted, amount, criterion.best_per)
            best = tuple(Best(key, amount(r), r.id, criterion.points_each * int(amount(r))) for key, r in chosen)
            counted = [r for r in counted if r.id in {b.record for b in best}]
            observed = sum(b.value for b in best)
        elif isinstance(criterion, SumCriterion):
            observed = sum(map(self._amount(criterion), counted))
        elif criterion.distinct:
            distinct_values = _distinct(r.fields[criterion.distinct] for r in counted)
            observed = len(distinct_values)
        else:
            observed = len(counted)
        met = observed >= criterion.at_least
        points = criterion.points if met else 0
        if criterion.points_each:
            # Per record, distinct value, or unit of a sum; a sum below zero earns nothing.
            points = max(0, criterion.points_each * int(observed))
            if criterion.max_points is not None:
                points = min(points, criterion.max_points)
        return CriterionResult(criterion, met, observed, criterion.at_least, tuple(r.id for r in counted), misses, distinct_values,
                               points=points, best=best)

    def _candidate(self, criterion: CandidateCriterion) -> CriterionResult:
        plan = self.level.candidates[criterion.id]
        met = CANDIDATE_KEY in self.satisfied(plan.rule)
        misses = () if met else (Miss("candidate", _failed([(c, self.satisfied(c.rule)) for c in plan.conditions], CANDIDATE_KEY)),)
        set_aside = _failed([(c, self.satisfied(c.rule)) for c in plan.set_aside], CANDIDATE_KEY)
        return CriterionResult(criterion, met, int(met), 1, misses=misses, points=criterion.points if met else 0, set_aside=set_aside)

    def _answers(self, criterion: Criterion, why: bool = True) -> tuple[list[Record], tuple[Miss, ...]]:
        """The records a record criterion counts (in packet order, before any `best_per`), and
        why each other record of its types does not count (without `why`: none, once it is
        clear that each fails a condition of its own)."""
        counted_ids: set[str] = set()
        misses_by_id: dict[str, Miss] = {}
        plans = self.level.records[criterion.id]  # one per evidence type counted
        for plan in plans:
            records = self.by_type.get(plan.evidence, ())
            found = {m[plan.record_at] for m in self.kept(plan.rule)}  # of these records, all included
            probes = [(c, self.satisfied(c.rule)) for c in plan.conditions]
            sets = [satisfied for _, satisfied in probes]
            if not all(map(found.issubset, sets)):
                self._check_counted(plan, records, found, probes)
            if why or plan.link or not sets or set.intersection(*sets).difference(found).intersection(r.id for r in records):
                for record in records:
                    if (key := record.id) not in found:
                        # most misses fail a condition of their own: said here, without _miss's call
                        failed = _failed(probes, key)
                        misses_by_id[key] = Miss(key, failed) if failed else self._miss(plan, record, probes)
            counted_ids |= found
        if not why:
            misses_by_id.clear()
        if len(plans) == 1:  # the records of one type, already in packet order
            return [r for r in records if r.id in counted_ids], tuple(misses_by_id.values())
        return ([r for r in self.records if r.id in counted_ids],
                tuple(misses_by_id[r.id] for r in self.records if r.id in misses_by_id))  # packet order

    def _amount(self, criterion: SumCriterion) -> Callable[[Record], float]:
        """What one counted record adds to a sum: its field, or the length of its span inside
        the window and up to as_of (the engine chose the records; this only measures them)."""
        if criterion.span is None:
            return lambda record: record.fields[criterion.field]
        window, as_of = criterion.match.window, self.packet.as_of
        first = window.cutoff(as_of) if window else None
        return lambda record: span_length(record.start, record.end, first, as_of, criterion.span)

    def _check_counted(self, plan: RecordPlan, records: Iterable[Record], found: set[str], probes: list[tuple[Condition, set[str]]]) -> None:
        """Record by record, in packet order, as the engine's counts are checked against its probes
        (a record it counted although a condition fails is a fault; so is one it left out
        although none fails, found first if it comes first)."""
        for record in records:
            if record.id not in found:
                self._miss(plan, record, probes)
            elif _failed(probes, record.id):
                raise EngineFault(f"{self.packet.source}: the engine counted {record.id} for {plan.rule} although a condition fails")

    def _miss(self, plan: RecordPlan, record: Record, probes: list[tuple[Condition, set[str]]]) -> Miss:
        failed = _failed(probes, record.id)
        if failed:
            return Miss(record.id, failed)
        if plan.link:
            linked = record.fields[plan.link.by]
            # not verified: its conditions were not tested (a link names a record of the packet:
            # reading refuses any other, packet.bad-link, so left out means not verified)
            if linked in self.left_out:
                return Miss(record.id, (), linked)
            linked_failed = _failed([(c, self.satisfied(c.rule)) for c in plan.linked_conditions], linked)
            if linked_failed:
                return Miss(record.id, (), linked, linked_failed)
        raise EngineFault(f"{self.packet.source}: {record.id} meets every condition of {plan.rule} but the engine did not count it")


def _failed(probes: list[tuple[Condition, set[str]]], key: str) -> tuple[Condition, ...]:
    """The conditions whose probe rule did not match the fact `key`."""
    return tuple([condition for condition, satisfied in probes if key not in satisfied])


def _verdict(rules: LevelRules, unmet: Iterable[str], blockers: tuple[str, ...], points: tuple[PointsResult, ...]) -> str:
    unmet = list(unmet)
    if not unmet:
        return READY
    nearly = rules.nearly
    short_ok = all(nearly.allows_short(p.needed - p.observed, p.needed) for p in points)
    if not blockers and len(unmet) <= nearly.max_unmet and short_ok:
        return NEARLY
    return NOT_READY
