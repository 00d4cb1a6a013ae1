"""Opening a cycle (freeze a cohort and its rulebook, evaluate the frozen copy, store all of it
at once), and re-evaluating a stored cycle's packets under other rules, on demand."""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Iterator

from engine.caching.verdicts import VerdictCache
from engine.cohorts import cohort, pool
from engine.cohorts.cohort import Evaluated
from engine.cycles import freezing
from engine.cycles.database import StoreError
from engine.cycles.freezing import FrozenPacket
from engine.cycles.model import Cycle
from engine.cycles.store import Store
from engine.reading.model import Rulebook
from engine.reading.rulebook import display_path


def open_cycle(store: Store, name: str, spec: str, rules: Path, book: Rulebook, as_of: date | None = None,
               jobs: int | None = None, timeout: float = pool.DEFAULT_TIMEOUT, cache: VerdictCache | None = None) -> Cycle:
    """Freeze the cohort `spec` names as cycle `name`: every packet's bytes, the rulebook in
    `rules` (already loaded as `book`), and every verdict with its explanation, judged as of
    `as_of` (None: each packet's own). An invalid packet is stored with its errors; the others
    with their verdicts. StoreError if the name is taken (before any work),
    `errors.NoPackets` if `spec` names no packets. A verdict already in `cache` (a calibration's
    of the same bytes) is stored without evaluating the packet again (`freezing.evaluate_all`)."""
    if not name.strip():
        raise StoreError("a cycle needs a name, e.g. 2026-spring", "cycle.name")
    if store.exists(name):
        raise StoreError(f"a cycle named {name!r} already exists in {store.where}: choose another name", "cycle.exists")
    items = cohort.items(spec)
    frozen_book = freezing.freeze_rulebook(rules, book)
    return store.write_cycle(name, str(spec), display_path(rules), frozen_book, as_of,
                             _judged(book, map(freezing.freeze_packet, items), as_of, jobs, timeout, cache))


def _judged(book: Rulebook, packets: Iterator[FrozenPacket], as_of: date | None, jobs: int | None,
            timeout: float, cache: VerdictCache | None) -> Iterator[tuple[FrozenPacket, Evaluated]]:
    """Each packet with its verdict. Results come back in task order, so the packets sent and
    not yet answered wait in a queue (at most the pool's window of them)."""
    waiting: deque[FrozenPacket] = deque()

    def sent() -> Iterator[FrozenPacket]:
        for packet in packets:
            waiting.append(packet)
            yield packet
    for evaluated in freezing.evaluate_all(book, sent(), as_of, jobs, timeout, cache):
        yield waiting.popleft(), evaluated


@dataclass(frozen=True)
class Reevaluated:
    """A stored packet judged again: its frozen verdict beside today's."""

    label: str
    candidate_id: str | None
    then: str | None  # the frozen verdict (None: invalid then)
    evaluated: Evaluated  # today's

    @property
    def now(self) -> str | None:
        result = self.evaluated.result
        return result["verdict"] if isinstance(result, dict) else None

    @property
    def changed(self) -> bool:
        return self.then != self.now


def reevaluate(store: Store, name: str, book: Rulebook, jobs: int | None = None,
               timeout: float = pool.DEFAULT_TIMEOUT, cache: VerdictCache | None = None) -> Iterator[Reevaluated]:
    """The cycle's frozen packets judged by `book` (today's rules, or another cycle's: see
    `Store.thawed_rulebook`), as of the cycle's date, in cohort order; nothing is stored in the
    cycle (answers go to `cache` when given, and come from it)."""
    cycle = store.cycle(name)
    entries = store.entries(name)
    packets = list(store.packets(name))  # read whole: the workers must not wait on an open read
    for entry, evaluated in zip(entries, freezing.evaluate_all(book, packets, cycle.as_of, jobs, timeout, cache)):
        yield Reevaluated(entry.label, entry.candidate_id, entry.verdict, evaluated)
