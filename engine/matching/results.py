"""What an evaluation says: a level's verdict on a packet, on all its evidence and on verified
evidence alone, criterion by criterion, with the records counted and why each other did not
count. Plain frozen values, read by explaining, rendering, caching and the tools; worked out by
`evaluate`."""
from __future__ import annotations

import dataclasses
import sys
from dataclasses import dataclass
from typing import TypeVar

from engine.matching.compile import Condition
from engine.reading.model import Criterion, LevelRules, Packet

READY, NEARLY, NOT_READY = "ready", "nearly", "not_ready"
T = TypeVar("T")


def stored(cls: type[T]) -> type[T]:
    """`cls`, a frozen dataclass, with an `__init__` that stores each field straight into the
    new instance's dict. A frozen dataclass's own `__init__` calls `object.__setattr__` once a
    field, which made building results a fifth of assessing a packet: an evaluation builds a
    result per criterion and a `Miss` per record that did not count, for every packet. The same
    signature and defaults, so the same instances; equality, hash, repr, `replace` and pickling
    are still the dataclass's (they read the fields, not `__init__`). Fields with a default
    factory, `init=False` or `kw_only`, fields named `self` or `store`, and `__post_init__` are
    refused (none of ours has them)."""
    fields = dataclasses.fields(cls)
    if hasattr(cls, "__post_init__") or any(not f.init or f.kw_only or f.name in ("self", "store")
                                            or f.default_factory is not dataclasses.MISSING for f in fields):
        raise TypeError(f"stored() cannot build {cls.__name__}'s __init__")
    defaults = {f"_default_{f.name}": f.default for f in fields if f.default is not dataclasses.MISSING}
    params = ", ".join(f.name if f.default is dataclasses.MISSING else f"{f.name}=_default_{f.name}" for f in fields)
    body = "".join(f"\n    store[{f.name!r}] = {f.name}" for f in fields)
    namespace: dict = {}
    # The class's module as globals, as the dataclass's own __init__ has (its hints resolve); the
    # defaults are the maker's arguments, so nothing is added to the module.
    source = f"def make({', '.join(defaults)}):\n  def __init__(self, {params}):\n    store = self.__dict__{body}\n  return __init__"
    exec(source, vars(sys.modules[cls.__module__]), namespace)  # noqa: S102 - from field names
    init = namespace["make"](**defaults)
    init.__module__ = cls.__module__
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__annotations__ = cls.__init__.__annotations__
    cls.__init__ = init
    return cls


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
