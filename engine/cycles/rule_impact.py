"""`ladder impact --cycle`: a rule change judged over a stored cycle's frozen packets, as the
committee's cohort stood (as of the cycle's date), instead of over files. The packets are read
here, from the store; `engine.tooling.impact` judges them through its `Reading` and never
imports the store. Nothing is stored, and the verdict cache is not used (it keys a packet by
its file)."""
from __future__ import annotations

from typing import Sequence

from engine.cohorts import pool
from engine.cycles.freezing import FrozenPacket, fault
from engine.cycles.store import Store
from engine.reading.model import Rulebook
from engine.tooling import impact as impacts


def impact_of_cycle(store: Store, name: str, base: str, head: str, books: tuple[Rulebook, Rulebook], by: Sequence[str] = (),
                    jobs: int = 1, timeout: float = pool.DEFAULT_TIMEOUT) -> impacts.Impact:
    """Cycle `name`'s packets under `books` (base, head); StoreError if there is no such cycle."""
    as_of = store.cycle(name).as_of
    packets = list(store.packets(name))  # read whole: the workers must not wait on an open read
    reading = impacts.Reading(read=FrozenPacket.document, fault=fault, as_of=as_of)
    return impacts.compare(base, head, *books, packets, jobs, timeout, None, by=by, reading=reading)
