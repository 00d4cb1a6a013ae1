"""The validated shapes of a packet: the candidate, their records, the packet itself.

Apart from `model` (the rulebook's shapes) so that each stays a module one can read whole;
`model` re-exports them, so either import works."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from engine.common.frozen import stored

if TYPE_CHECKING:  # model imports this module: the name is for readers and type checkers only
    from engine.reading.model import Level

CONFIDENCE = ("verified", "self-reported", "disputed")


@stored  # a valid packet's records are built in bulk (packet._whole_records)
@dataclass(frozen=True)
class Record:
    id: str
    type: str
    title: str
    start: date  # the record's date, or the start of a span
    end: date | None  # None: ongoing span
    confidence: str
    fields: dict[str, Any]  # declared fields only; dates as `date`
    index: int  # position in the packet's evidence list


@dataclass(frozen=True)
class Candidate:
    id: str
    name: str
    track: str
    level: str
    level_since: date
    manager: str | None = None
    team: str | None = None
    nominated: bool | None = None
    attributes: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Packet:
    source: str
    candidate: Candidate
    target: Level | None  # None only in a packet read for placement, which sets each level it judges
    as_of: date
    records: tuple[Record, ...]

    def record(self, record_id: str) -> Record:
        return self._by_id()[record_id]

    def _by_id(self) -> dict[str, Record]:
        cache = self.__dict__.get("_index")
        if cache is None:
            cache = {r.id: r for r in self.records}
            object.__setattr__(self, "_index", cache)
        return cache
