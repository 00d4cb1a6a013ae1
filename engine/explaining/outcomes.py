"""A criterion's outcome as a person reads it: met or not, observed against needed, the records
that counted and those that did not (with `reasons`), and what is still missing."""
from __future__ import annotations

from typing import Any

from engine.explaining.phrasing import (
    best_phrase,
    capital,
    counted_unit,
    disputed_scope,
    failure,
    join_words,
    listed,
    number,
    plural,
    requirement,
    spaced,
)
from engine.explaining.memo import Table, table
from engine.explaining.reasons import Reasons
from engine.matching.evaluate import Assessment, CriterionResult, Miss
from engine.reading.model import (
    CandidateCriterion,
    CompositeCriterion,
    CountCriterion,
    Criterion,
    NoDisputedCriterion,
    Packet,
    Rulebook,
    SumCriterion,
)

THRESHOLDS = ("lt", "lte", "gt", "gte")
NUMERIC = ("integer", "number")


class Outcomes:
    """Sentences about one packet's criterion results."""

    def __init__(self, rulebook: Rulebook, packet: Packet, why_not: bool = True):
        """`why_not`: with each criterion, the records that did not count and why
        (`not_counted`); without, the key is left out, for outputs that never show it."""
        self.rulebook, self.packet, self.why_not = rulebook, packet, why_not
        self.reasons = Reasons(rulebook, packet)
        self.records = self.reasons.records
        self._heads, self._units = table(rulebook, "head"), table(rulebook, "units")
        self._statements, self._own = Table(), Table()  # by result: `missing` says an unmet one again

    def criterion(self, result: CriterionResult) -> dict[str, Any]:
        criterion = result.criterion
        item: dict[str, Any] = {
            **self._heads.of(criterion, self._head),
            "met": result.met,
            "observed": number(result.observed),
            "needed": number(result.needed),
            "statement": self.statement(result),
            "counted": [self._record_ref(rid) for rid in result.counted],
        }
        if self.why_not:
            item["not_counted"] = [self.reasons.miss(criterion, miss) for miss in result.misses]
        if isinstance(criterion, CountCriterion) and criterion.distinct:
            item["distinct_values"] = list(result.distinct_values)
        if isinstance(criterion, SumCriterion) and criterion.best_per:
            item["best"] = [{"key": b.key, "value": number(b.value), "record": b.record, "points": b.points,
                             "text": best_phrase(criterion, b)} for b in result.best]
        if criterion.points or criterion.points_each:
            item["points"] = result.points
        if result.children:
            item["children"] = [self.criterion(child) for child in result.children]
            if criterion.kind == "none_of":  # a child met is a finding against the candidate
                for child, child_result in zip(item["children"], result.children):
                    found = ", ".join(r["id"] for r in child["counted"])
                    child["statement"] = f"found: {found}" if child["met"] else "none found" + _set_aside(child_result)
        return item

    def _head(self, criterion: Criterion) -> dict[str, Any]:
        """What a criterion's entry says whatever the packet: the rule and where it comes from."""
        wanted = requirement(self.rulebook, criterion)
        return {
            "id": criterion.id,
            "kind": criterion.kind,
            "description": criterion.description or capital(wanted),
            "requirement": wanted,
            "required": criterion.required,
            "blocker": criterion.blocker,
            "inherited_from": criterion.inherited_from,
            "inherited_from_name": self.rulebook.levels[criterion.inherited_from].name if criterion.inherited_from else None,
        }

    def unit(self, criterion: CountCriterion | SumCriterion, n: float) -> str:
        """`counted_unit` agreeing with `n`: it only tells one from many, so both are kept."""
        units = self._units.of(criterion, lambda c: (counted_unit(self.rulebook, c, 1), counted_unit(self.rulebook, c, 2)))
        return units[0] if n == 1 else units[1]

    def quantity(self, result: CriterionResult) -> str:
        """A count or sum against what it needs, with its unit: '1 of 2 design docs',
        '0 of 3 promotions across team growth records'."""
        needed = number(result.criterion.at_least)
        return f"{number(result.observed)} of {needed} {self.unit(result.criterion, needed)}"

    def statement(self, result: CriterionResult) -> str:
        """Observed against needed: '1 of 2 projects in the last 12 months', '3 mentees (needs 2)'."""
        return self._statements.of(result, self._statement)

    def _statement(self, result: CriterionResult) -> str:
        criterion = result.criterion
        if isinstance(criterion, CandidateCriterion):
            if result.met:
                return "; ".join(self.reasons.candidate_facts(criterion))
            return "; ".join(self.reasons.miss(criterion, m)["reasons"][0] for m in result.misses)
        if isinstance(criterion, NoDisputedCriterion):
            if result.met:
                return f"no disputed {disputed_scope(self.rulebook, criterion)}" + self._points(result)
            return f"{plural(len(result.counted), 'disputed record')}: {', '.join(result.counted)}; needs none" + self._points(result)
        if isinstance(criterion, CompositeCriterion):
            met = int(result.observed)
            if criterion.kind == "none_of":
                return "none found" if result.met else f"{met} found, needs none"
            return f"{met} of {len(criterion.children)} met, needs {int(result.needed)}"
        observed, needed = number(result.observed), number(criterion.at_least)
        # An optional criterion with points per record asks for nothing: each record only earns.
        per_record = bool(criterion.points_each) and not criterion.required
        window = f" in the last {criterion.match.window}" if criterion.match.window else ""
        # Which values: two records of one team would read as two teams otherwise.
        values = f" ({', '.join(listed(v) for v in result.distinct_values)})" if result.distinct_values else ""
        if result.best:  # which record decided each key, and what it is worth
            values = f" ({'; '.join(best_phrase(criterion, b) for b in result.best)})"
        if not result.met and not per_record:
            text = self.own_terms(result) or f"{self.quantity(result)}{values}{window}"
        elif criterion.required:
            text = f"{observed} {self.unit(criterion, observed)}{values}{window} (needs {needed})"
        else:
            text = f"{observed} {self.unit(criterion, observed)}{values}{window}"
        return text + self._points(result)

    def own_terms(self, result: CriterionResult) -> str | None:
        """A count of one record that is short only of a number, said in the record's own terms:
        'direct reports is 3, needs at least 4', not '0 of 1 team growth record'.

        It applies when the criterion counts one record (no `distinct`), none counts, and among
        the records that came closest (fewest failed conditions) one is inside the window and
        fails nothing but thresholds (lt, lte, gt, gte) on numbers it has: that record is the
        candidate's, and only its value stands between it and the criterion. Of several, the
        one nearest its thresholds; None otherwise."""
        return self._own.of(result, self._own_terms)

    def _own_terms(self, result: CriterionResult) -> str | None:
        criterion = result.criterion
        if not isinstance(criterion, CountCriterion) or criterion.distinct or criterion.at_least != 1 or result.met:
            return None
        fields = self.rulebook.evidence[criterion.match.evidence].fields
        fewest = min((_failures(m) for m in result.misses), default=0)

        def short_of_a_number(miss: Miss) -> bool:
            record = self.records[miss.record]
            return (_failures(miss) == fewest and bool(miss.failed) and not miss.linked
                    and all(c.kind == "term" and c.term.op in THRESHOLDS and fields[c.term.field].type in NUMERIC
                            and isinstance(record.fields.get(c.term.field), (int, float)) for c in miss.failed))

        def distance(miss: Miss) -> float:
            """How far the record's values are from their thresholds, relative to each."""
            values = self.records[miss.record].fields
            return sum(abs(values[c.term.field] - c.term.value) / max(abs(c.term.value), 1) for c in miss.failed)

        short = [m for m in result.misses if short_of_a_number(m)]
        if not short:
            return None
        closest = min(short, key=distance)  # min keeps the first of equals: packet order
        values = self.records[closest.record].fields
        return "; ".join(failure(c.term, values[c.term.field]) for c in closest.failed)

    def _points(self, result: CriterionResult) -> str:
        criterion = result.criterion
        if criterion.points_each:
            cap = f", at most {criterion.max_points}" if criterion.max_points is not None else ""
            each = f"{criterion.points_each} per {spaced(criterion.field)}" if isinstance(criterion, SumCriterion) else f"{criterion.points_each} each"
            return f" · {plural(result.points, 'point')} ({each}{cap})"
        if criterion.points:
            return f" · {plural(result.points, 'point')}" if result.met else f" · 0 of {criterion.points} points"
        return ""

    def missing(self, assessment: Assessment, competency_names: dict[str, str]) -> list[str]:
        lines = []
        for competency_id, results in assessment.competencies:
            for result in results:
                criterion = result.criterion
                if result.met or not criterion.required:
                    continue
                what = self._heads.of(criterion, self._head)["description"]
                prefix = f"{competency_names[competency_id]}: "
                if criterion.blocker:
                    prefix = "Blocker - " + prefix
                lines.append(f"{prefix}{what} ({self.gap(result)})")
        for points in assessment.points:
            if not points.met:
                scope = f" in {points.group}" if points.group else ""
                lines.append(f"Points{scope}: {points.observed} of {points.needed} ({points.needed - points.observed} more)")
        return lines

    def gap(self, result: CriterionResult) -> str:
        criterion = result.criterion
        if isinstance(criterion, CountCriterion):
            if own := self.own_terms(result):
                return own
            more = int(criterion.at_least - result.observed)
            return f"{more} more; {self.statement(result)}"
        if isinstance(criterion, SumCriterion):
            return f"{number(criterion.at_least - result.observed)} more; {self.statement(result)}"
        if isinstance(criterion, NoDisputedCriterion):
            return f"get {join_words(list(result.counted), 'and')} resolved: {self.statement(result)}"
        if isinstance(criterion, CompositeCriterion) and criterion.kind == "none_of":
            found = [self.records[rid] for child in result.children if child.met for inner in child.walk() for rid in inner.counted]
            return "found: " + "; ".join(f"{r.id} ({r.title}, {r.confidence})" for r in found)
        return self.statement(result)

    def relied_on(self, result: CriterionResult) -> list[str]:
        """Records a result rests on: those counted, and the records they link to."""
        found = []
        for inner in result.walk():
            link = getattr(inner.criterion, "match", None) and inner.criterion.match.link
            for record_id in inner.counted:
                found.append(record_id)
                if link and self.records[record_id].fields.get(link.by):
                    found.append(self.records[record_id].fields[link.by])
        return list(dict.fromkeys(found))

    def _record_ref(self, record_id: str) -> dict[str, str]:
        record = self.records[record_id]
        return {"id": record.id, "title": record.title, "confidence": record.confidence}


def set_aside(result: CriterionResult) -> list[str]:
    """Records that did not count only because they are disputed (the rulebook's `disputed`
    policy sets them aside until resolved), in packet order."""
    return list(dict.fromkeys(m.record for inner in result.walk() for m in inner.misses
                              if not m.linked and len(m.failed) == 1 and m.failed[0].kind == "disputed"))


def _set_aside(result: CriterionResult) -> str:
    """'; F-3 is disputed and counts toward nothing until resolved', or nothing."""
    ids = set_aside(result)
    if not ids:
        return ""
    return f"; {join_words(ids, 'and')} {'is' if len(ids) == 1 else 'are'} disputed and count{'s' if len(ids) == 1 else ''} toward nothing until resolved"


def _failures(miss: Miss) -> int:
    """How many conditions a record failed, its linked record's included."""
    return len(miss.failed) + (len(miss.linked_failed) or (1 if miss.linked else 0))
