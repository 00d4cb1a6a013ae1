"""What an evaluation says: a level's verdict on a packet, on all its evidence and on verified
evidence alone, criterion by criterion, with the records counted and why each other did not
count. Plain frozen values, read by explaining, rendering, caching and the tools; worked out by
`evaluate`."""
from __future__ import annotations

from dataclasses import dataclass

from engine.common.frozen import stored
from engine.matching.compile import Condition
from engine.reading.model import Criterion, LevelRules, Packet

READY, NEARLY, NOT_READY = "ready", "nearly", "not_ready"


@stored
@dataclass(frozen=True)
class Miss:
    """A record of the right type (or the candidate) that did not count, and why."""

    record: str
    failed: tuple[Condition, ...]
    linked: str | None = None  # the linked record, when it is the linked record that failed
    linked_failed: tuple[Condition, ...] = ()


@stored
@dataclass(frozen=True)
class Best:
    """For a sum with `best_per`: one key, its highest value, the record that has it, and the
    points it earns (with `points_each`)."""

    key: str
    value: float
    record: str
    points: int = 0


@stored
@dataclass(frozen=True)
class CriterionResult:
    criterion: Criterion
    met: bool
    observed: float  # records, distinct values, a sum, children met, or 1/0 for the candidate
    needed: float
    counted: tuple[str, ...] = ()  # record ids, in packet order
    misses: tuple[Miss, ...] = ()
    distinct_values: tuple = ()
    children: tuple["CriterionResult", ...] = ()
    points: int = 0
    set_aside: tuple[Condition, ...] = ()  # standing conditions that do not hold, not judged (placement)
    best: tuple[Best, ...] = ()  # sums with `best_per`, by key

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


@stored
@dataclass(frozen=True)
class PointsResult:
    group: str | None  # None: the level's total
    observed: int
    needed: int

    @property
    def met(self) -> bool:
        return self.observed >= self.needed


@stored
@dataclass(frozen=True)
class Assessment:
    """The level's verdict on one set of records."""

    verdict: str
    competencies: tuple[tuple[str, tuple[CriterionResult, ...]], ...]  # (competency id, results)
    points: tuple[PointsResult, ...]
    unmet: tuple[str, ...]  # ids of unmet required criteria (and "points", "points:<group>")
    blockers: tuple[str, ...]  # ids of unmet blockers

    def results(self):
        for _, results in self.competencies:
            for result in results:
                yield from result.walk()


@stored
@dataclass(frozen=True)
class Evaluation:
    packet: Packet
    rules: LevelRules
    all_evidence: Assessment
    verified_only: Assessment
    opportunities: dict[str, bool]  # the calibration's opportunities the packet shows (any confidence)
