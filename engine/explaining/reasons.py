"""Why a record or the candidate did not count for a criterion, and where the candidate stands,
in words: 'ended 2025-10-31, before the 12-month window (from 2025-11-01)', 'status is draft,
needs approved'."""
from __future__ import annotations

from functools import cached_property
from typing import Any

from engine.explaining.memo import once, table
from engine.explaining.phrasing import (
    NEEDS,
    failing,
    failure,
    failure_words,
    join_words,
    spaced,
    value_text,
)
from engine.matching.compile import Condition
from engine.matching.evaluate import Miss, candidate_fields
from engine.reading.model import (
    CandidateCriterion,
    CandidateValue,
    Criterion,
    Level,
    Packet,
    Rulebook,
    Term,
    Window,
)


def standing(rulebook: Rulebook, packet: Packet) -> str:
    """Where the candidate stands relative to the packet's target, in words."""
    return Reasons(rulebook, packet).standing(candidate_fields(rulebook, packet)["steps_to_target"])


class Reasons:
    """Sentences about one packet's records and candidate."""

    def __init__(self, rulebook: Rulebook, packet: Packet):
        self.rulebook, self.packet = rulebook, packet
        self.records = {r.id: r for r in packet.records}
        self._windows: dict[Window, str] = {}  # a window's words: the same for every record of the packet
        self._terms = table(rulebook, "failure")

    @cached_property
    def candidate(self) -> dict:
        """The candidate's facts, worked out once: every reason about a record that compares
        with the candidate reads them."""
        return candidate_fields(self.rulebook, self.packet)

    def miss(self, criterion: Criterion, miss: Miss) -> dict[str, Any]:
        if miss.record == "candidate":
            return {"id": "candidate", "title": self.packet.candidate.name,
                    "reasons": [self._candidate_reason(c.term) for c in miss.failed]}
        record = self.records[miss.record]
        reasons = [self.reason(record, condition) for condition in miss.failed]
        if miss.linked:
            linked = self.records.get(miss.linked)
            by = spaced(criterion.match.link.by)
            if miss.linked_failed:
                why = "; ".join(self.reason(linked, c) for c in miss.linked_failed)
                reasons.append(f"its {by} {linked.id} ({linked.title}) does not qualify: {why}")
            else:
                reasons.append(f"its {by} {miss.linked} is not verified")
        return {"id": record.id, "title": record.title, "confidence": record.confidence, "reasons": reasons}

    def reason(self, record, condition: Condition) -> str:
        if condition.kind == "term":
            term: Term = condition.term
            actual = record.confidence if term.field == "confidence" else record.fields.get(term.field)
            said = self._terms.of(term, Said.of)
            return said.failure(actual) if said is not None else failure(term, actual, self.candidate)
        if condition.kind == "window":
            when = f"ended {record.end}" if record.end and record.end != record.start else f"dated {record.start}"
            return f"{when}, {self._window(condition.window)}"
        if condition.kind == "disputed":
            return "it is disputed and counts toward nothing until resolved"
        # as_of
        when = f"starts {record.start}" if record.end != record.start else f"dated {record.start}"
        return f"{when}, after the as-of date {self.packet.as_of}"

    def _window(self, window: Window) -> str:
        """'before the 12-month window (from 2025-11-01)', for this packet's as-of date."""
        if window not in self._windows:
            self._windows[window] = f"before the {window.adjective} window (from {window.cutoff(self.packet.as_of)})"
        return self._windows[window]

    def _candidate_reason(self, term: Term) -> str:
        actual = self.candidate.get(term.field)
        if term.field == "steps_to_target" and term.op == "eq":
            return f"{self.standing(actual)}; open to candidates at {join_words(self._levels_at(term.value), 'or')}"
        if term.field == "months_at_level" and term.op in NEEDS:
            return f"{actual} months at the current level, needs {NEEDS[term.op].format(v=value_text(term.value))}"
        return failure(term, actual)

    def candidate_facts(self, criterion: CandidateCriterion) -> list[str]:
        """What made a candidate criterion hold, in words."""
        values = self.candidate
        facts = []
        for field in dict.fromkeys(t.field for t in criterion.terms):
            if field == "steps_to_target":
                facts.append(self.standing(values[field]))
            elif field == "months_at_level":
                facts.append(f"{values[field]} months at the current level")
            else:
                facts.append(f"{spaced(field)} is {value_text(values[field])}")
        return facts

    def standing(self, steps: int | None) -> str:
        """Where the candidate stands relative to the target, across tracks if need be."""
        current = self.rulebook.levels[self.packet.candidate.level]
        target = self.packet.target
        if steps is None:
            return f"{current.name} has no equivalent on the {self.rulebook.tracks[target.track].name.lower()} track"
        if current.track != target.track:
            if steps == 0:
                return f"{current.name} stands level with {target.name}"
            equivalent = self.rulebook.equivalent(current, target.track)
            return f"{current.name} stands level with {equivalent.name}, {self._steps(steps)} {target.name}"
        return f"{current.name} is {self._steps(steps)} {target.name}"

    def _levels_at(self, steps: int) -> list[str]:
        """Names of the levels (any track) that stand `steps` below the target; never the target
        or a level above it on its own track (a packet cannot target those)."""
        return once(self.rulebook, f"levels-at {steps}", self.packet.target, lambda target: self._below(target, steps))

    def _below(self, target: Level, steps: int) -> list[str]:
        return [level.name for level in self.rulebook.levels.values()
                if (eq := self.rulebook.equivalent(level, target.track)) is not None and target.rank - eq.rank == steps
                and (level.track != target.track or steps > 0)] or ["no level"]

    @staticmethod
    def _steps(steps: int) -> str:
        if steps == 0:
            return "the equivalent of"
        if steps == 1:
            return "the level directly below"
        return f"{steps} levels below" if steps > 1 else f"{-steps} level{'s' if steps < -1 else ''} above"



class Said:
    """How a condition (not one that compares with the candidate) fails: its `failure_words`,
    and the sentences already said for plain values. A cohort's records repeat a few values
    per field (statuses, roles), so most sentences are said once per rulebook."""

    PLAIN = (str, int, float, bool, type(None))  # hashable, each said the same every time
    KEPT = 64  # sentences kept per condition: a field of free numbers or text should not grow it without end

    __slots__ = ("said", "words")

    def __init__(self, term: Term):
        self.words = failure_words(term)
        self.said: dict[tuple[type, Any], str] = {}

    @classmethod
    def of(cls, term: Term) -> Said | None:
        return None if isinstance(term.value, CandidateValue) else cls(term)

    def failure(self, actual: Any) -> str:
        kind = type(actual)
        if kind not in self.PLAIN:
            return failing(self.words, actual)
        key = (kind, actual)  # by type too: True and 1 are equal keys, said 'true' and '1'
        text = self.said.get(key)
        if text is None:
            text = failing(self.words, actual)
            if len(self.said) < self.KEPT:
                self.said[key] = text
        return text
