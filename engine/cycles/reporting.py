"""The committee's report over a stored cycle (`ladder calibrate --cycle`): the report of its
frozen packets and verdicts under its frozen rulebook, with what the store adds: the decisions
in force, and the comparison with the previous cycle, judged again both ways to say whether the
rules or the evidence moved each verdict. This module reads the store and hands
`engine.calibration` plain data (`CycleFacts`)."""
from __future__ import annotations

from collections import defaultdict
from typing import Iterable

from engine.calibration.calibrate import Calibration
from engine.calibration.cycle import CycleFacts
from engine.calibration.decisions import Decided
from engine.calibration.movement import Compared
from engine.cohorts import pool
from engine.cycles import opening
from engine.cycles.database import StoreError
from engine.cycles.model import Entry
from engine.cycles.store import Store


def calibration(store: Store, name: str, since: str | None = None, redact: bool = False, keep_pages: bool = True,
                jobs: int | None = None, timeout: float = pool.DEFAULT_TIMEOUT) -> Calibration:
    """The report over cycle `name`, compared with cycle `since` (default: the cycle opened
    just before it; none if it is the first). StoreError for a cycle that does not exist, or
    `since` naming the cycle itself. Close the result when done (it spools pages)."""
    cycle = store.cycle(name)
    previous = _previous(store, name, since)
    report = Calibration(store.thawed_rulebook(name), cycle.cohort, redact=redact, keep_pages=keep_pages)
    try:
        entries = store.entries(name)
        decided = []
        for entry, evaluated in zip(entries, store.evaluated(name)):
            report.add(evaluated)
            decided.append(_decided(entry, evaluated.attributes))
        report.cycle = CycleFacts(name, decided)
        if previous is not None:
            _compare(store, report.cycle, previous, entries, jobs, timeout)
    except BaseException:
        report.close()
        raise
    return report


def _previous(store: Store, name: str, since: str | None) -> str | None:
    if since is not None:
        if since == name:
            raise StoreError(f"--since-cycle {since!r} is the cycle reported on: name an earlier one", "calibrate.same-cycle")
        store.cycle(since)  # StoreError if unknown, with a suggestion
        return since
    names = [c.name for c in store.cycles()]  # oldest first, by opened time
    index = names.index(name)
    return names[index - 1] if index else None


def _decided(entry: Entry, attributes: dict) -> Decided:
    d = entry.decision
    return Decided(entry.label, entry.candidate_id, entry.name, entry.track, entry.target, entry.manager, entry.verdict,
                   d.decision if d else None, d.reason if d else "", d.by if d else "", d.override if d else False,
                   dict(attributes or {}))


def _compare(store: Store, facts: CycleFacts, previous: str, entries: list[Entry], jobs: int | None, timeout: float) -> None:
    """Match the candidates of both cycles by id (those with one packet in each) and judge
    each side's packets under the other side's rules; unchanged rules need no judging."""
    before_entries = store.entries(previous)
    now_by_id, before_by_id = _single(entries), _single(before_entries)
    both = [e for e in entries if e.candidate_id in now_by_id and e.candidate_id in before_by_id]
    facts.since = previous
    facts.new = len(now_by_id.keys() - before_by_id.keys())
    facts.gone = len(before_by_id.keys() - now_by_id.keys())
    now_digest, before_digest = store.cycle(facts.name).rulebook_digest, store.cycle(previous).rulebook_digest
    facts.rules_changed = now_digest != before_digest
    if facts.rules_changed:
        old_under_new = _verdicts(opening.reevaluate(store, previous, store.thawed_rulebook(facts.name), jobs, timeout))
        new_under_old = _verdicts(opening.reevaluate(store, facts.name, store.thawed_rulebook(previous), jobs, timeout))
    else:  # the same rules: each side judged under the other's is its own frozen verdict
        old_under_new = {e.label: e.verdict for e in before_entries}
        new_under_old = {e.label: e.verdict for e in entries}
    for entry in both:
        before = before_by_id[entry.candidate_id]
        facts.compared.append(Compared(entry.label, entry.candidate_id, entry.name or "", before.target, entry.target,
                                       before.verdict, entry.verdict, old_under_new[before.label], new_under_old[entry.label]))


def _single(entries: Iterable[Entry]) -> dict[str, Entry]:
    """Each candidate id with exactly one packet in the cycle: with several, which packet is
    theirs from one cycle to the next is not known, so they are not compared."""
    found: dict[str, list[Entry]] = defaultdict(list)
    for entry in entries:
        if entry.candidate_id is not None:
            found[entry.candidate_id].append(entry)
    return {candidate: only[0] for candidate, only in found.items() if len(only) == 1}


def _verdicts(judged: Iterable[opening.Reevaluated]) -> dict[str, str | None]:
    return {item.label: item.now for item in judged}
