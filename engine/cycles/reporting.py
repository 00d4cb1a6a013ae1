"""The committee's report over a stored cycle (`ladder calibrate --cycle`): the report of its
frozen packets and verdicts under its frozen rulebook, with what the store adds: the decisions
in force, and the comparison with the previous cycle, judged again both ways to say whether the
rules or the evidence moved each verdict. This module reads the store and hands
`engine.calibration` plain data (`CycleFacts`)."""
from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Iterable

from engine.calibration.calibrate import Calibration
from engine.calibration.cycle import CycleFacts
from engine.calibration.decisions import Decided
from engine.calibration.movement import Compared
from engine.cohorts import pool
from engine.cycles import freezing
from engine.cycles.database import StoreError
from engine.cycles.freezing import FrozenPacket
from engine.cycles.model import Cycle, Entry
from engine.cycles.store import Store
from engine.reading.model import Rulebook


def calibration(store: Store, name: str, since: str | None = None, redact: bool = False, keep_pages: bool = True,
                jobs: int | None = None, timeout: float = pool.DEFAULT_TIMEOUT) -> Calibration:
    """The report over cycle `name`, compared with cycle `since` (default: the cycle opened
    just before it; none if it is the first). StoreError for a cycle that does not exist, or
    `since` naming the cycle itself. Close the result when done (it spools pages)."""
    cycle = store.cycle(name)
    previous = _previous(store, name, since)
    book = store.thawed_rulebook(name)
    report = Calibration(book, cycle.cohort, redact=redact, keep_pages=keep_pages)
    try:
        entries = store.entries(name)
        decided = []
        for entry, evaluated in zip(entries, store.evaluated(name)):
            report.add(evaluated)
            decided.append(_decided(entry, evaluated.attributes))
        report.cycle = CycleFacts(name, decided)
        if previous is not None:
            _compare(store, report.cycle, cycle, book, previous, entries, jobs, timeout)
    except BaseException:
        report.close()
        raise
    return report


def _previous(store: Store, name: str, since: str | None) -> Cycle | None:
    if since is not None:
        if since == name:
            raise StoreError(f"--since-cycle {since!r} is the cycle reported on: name an earlier one", "calibrate.same-cycle")
        return store.cycle(since)  # StoreError if unknown, with a suggestion
    cycles = store.cycles()  # oldest first, by opened time
    index = [c.name for c in cycles].index(name)
    return cycles[index - 1] if index else None


def _decided(entry: Entry, attributes: dict) -> Decided:
    d = entry.decision
    return Decided(entry.label, entry.candidate_id, entry.name, entry.track, entry.target, entry.manager, entry.verdict,
                   d.decision if d else None, d.reason if d else "", d.by if d else "", d.override if d else False,
                   dict(attributes or {}))


def _compare(store: Store, facts: CycleFacts, now_cycle: Cycle, now_book: Rulebook, before_cycle: Cycle,
             entries: list[Entry], jobs: int | None, timeout: float) -> None:
    """Match the candidates of `now_cycle` (whose rulebook, `now_book`, the report has read
    already) and of `before_cycle` by id (those with one packet in each) and judge each side's
    packet under the other side's rules. Only where both differ is there judging to do: under
    the same rules, each side under the other's rules is its own frozen verdict; and a packet
    the same in both cycles (bytes and date) differs only by the rules, so last cycle's under
    this cycle's rules is this cycle's verdict, and the other way round."""
    previous = before_cycle.name
    before_entries = store.entries(previous)
    now_by_id, before_by_id = _single(entries), _single(before_entries)
    pairs = [(before_by_id[e.candidate_id], e) for e in entries if e.candidate_id in now_by_id and e.candidate_id in before_by_id]
    facts.since = previous
    facts.new = len(now_by_id.keys() - before_by_id.keys())
    facts.gone = len(before_by_id.keys() - now_by_id.keys())
    facts.rules_changed = now_cycle.rulebook_digest != before_cycle.rulebook_digest
    old_under_new: dict[str, str | None] = {}
    new_under_old: dict[str, str | None] = {}
    if facts.rules_changed:
        now_packets = _frozen(store, facts.name, {e.label for _, e in pairs})
        before_packets = _frozen(store, previous, {b.label for b, _ in pairs})
        differ = [(b, e) for b, e in pairs if now_cycle.as_of != before_cycle.as_of
                  or (before_packets[b.label].kind, before_packets[b.label].content) != (now_packets[e.label].kind, now_packets[e.label].content)]
        old_under_new = _judged(now_book, [before_packets[b.label] for b, _ in differ], before_cycle.as_of,
                                jobs, timeout)
        new_under_old = _judged(store.thawed_rulebook(previous), [now_packets[e.label] for _, e in differ], now_cycle.as_of,
                                jobs, timeout)
    for before, entry in pairs:
        same_rules_or_packet = before.label not in old_under_new
        facts.compared.append(Compared(
            entry.label, entry.candidate_id, entry.name or "", before.target, entry.target, before.verdict, entry.verdict,
            (entry.verdict if facts.rules_changed else before.verdict) if same_rules_or_packet else old_under_new[before.label],
            (before.verdict if facts.rules_changed else entry.verdict) if same_rules_or_packet else new_under_old[entry.label]))


def _frozen(store: Store, name: str, labels: set[str]) -> dict[str, FrozenPacket]:
    return {packet.label: packet for packet in store.packets(name) if packet.label in labels}


def _judged(book: Rulebook, packets: list[FrozenPacket], as_of: date | None, jobs: int | None,
            timeout: float) -> dict[str, str | None]:
    """Each packet's verdict under `book` (None: invalid under it), by label."""
    judged = freezing.evaluate_all(book, packets, as_of, jobs, timeout)
    return {packet.label: item.result["verdict"] if isinstance(item.result, dict) else None for packet, item in zip(packets, judged)}


def _single(entries: Iterable[Entry]) -> dict[str, Entry]:
    """Each candidate id with exactly one packet in the cycle: with several, which packet is
    theirs from one cycle to the next is not known, so they are not compared."""
    found: dict[str, list[Entry]] = defaultdict(list)
    for entry in entries:
        if entry.candidate_id is not None:
            found[entry.candidate_id].append(entry)
    return {candidate: only[0] for candidate, only in found.items() if len(only) == 1}
