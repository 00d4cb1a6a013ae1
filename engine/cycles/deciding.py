"""Recording decisions: each is appended as the candidate's next decision event, never written
over, in one transaction with every other decision of its batch.

Optimistic concurrency: a request carrying `expected_version` (the `Entry.version` its author
saw) is refused with `DecisionConflict` when someone decided on the candidate since. The check
is made again by the database itself: the event's key (cycle, position, version) is unique, so
of two transactions that both read version 3 and both write version 4, one commits and the
other collides and is reported as a conflict, never lost."""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Sequence

import sqlalchemy as sa

from engine.cycles.database import Collision, StoreError
from engine.cycles.model import (
    Decision,
    DecisionConflict,
    DecisionRequest,
    DecisionsRefused,
    Entry,
    is_override,
    override_problems,
    request_problems,
)
from engine.cycles.store import Store, utc
from engine.cycles.tables import decision_events


def decide(store: Store, cycle: str, request: DecisionRequest) -> Decision:
    """Record one decision; the error that refused it otherwise (StoreError: unknown
    candidate, no reason for an override, ...; DecisionConflict)."""
    try:
        return decide_many(store, cycle, [request])[0]
    except DecisionsRefused as e:
        raise e.problems[0][2] from None


def decide_many(store: Store, cycle: str, requests: Sequence[DecisionRequest], check_only: bool = False) -> list[Decision]:
    """Record every decision, or none: DecisionsRefused lists each request refused (an unknown
    or ambiguous candidate, a candidate decided twice in the batch, a bad decision, no `by`, an
    override without a reason, a conflict). StoreError if the cycle does not exist. With
    `check_only`, only the checks: nothing is recorded, and [] comes back."""
    try:
        with store.write() as connection:
            store.cycle_row(connection, cycle)
            planned = _plan(store, connection, cycle, requests)
            rows = [{"cycle": cycle, "position": entry.position, "version": entry.version + 1, "decision": request.decision,
                     "reason": request.reason.strip(), "decided_by": request.by.strip(),
                     "decided_at": utc(request.at) if request.at else datetime.now(UTC), "verdict": entry.verdict,
                     "override": is_override(request.decision, entry.verdict)}
                    for request, entry in planned]
            if check_only:
                return []
            if rows:
                connection.execute(decision_events.insert(), rows)
    except Collision:
        # Someone committed a decision on one of these candidates between our read and our write
        # (every request was planned, or nothing would have been written: indexes match).
        entries = {e.position: e for e in store.entries(cycle)}
        raced = [(i, entries[entry.position]) for i, (_, entry) in enumerate(planned) if entries[entry.position].version != entry.version]
        index, now = raced[0] if raced else (0, entries[planned[0][1].position])
        raise DecisionsRefused([(index, "candidate", DecisionConflict(now.decision, planned[index][1].version))]) from None
    return [Decision(cycle, entry.position, entry.label, entry.candidate_id, row["version"], row["decision"], row["reason"],
                     row["decided_by"], row["decided_at"].astimezone(UTC), row["verdict"], row["override"])
            for (_, entry), row in zip(planned, rows)]


def _plan(store: Store, connection: sa.Connection, cycle: str,
          requests: Sequence[DecisionRequest]) -> list[tuple[DecisionRequest, Entry]]:
    roster = store.roster(connection, cycle, [request.candidate for request in requests])
    refused: list[tuple[int, str, StoreError]] = []
    planned, first = [], {}
    for index, request in enumerate(requests):
        found = [(index, field, StoreError(message, code)) for field, message, code in request_problems(request)]
        try:
            entry = roster.find(request.candidate)
        except StoreError as e:
            refused += [(index, "candidate", e), *found]
            continue
        if entry.position in first:
            refused.append((index, "candidate", StoreError(
                f"{request.candidate!r} is decided twice here (first as decision {first[entry.position] + 1}): keep one",
                "decide.twice")))
            continue
        first[entry.position] = index
        found += [(index, field, StoreError(message, code)) for field, message, code in override_problems(request, entry)]
        if request.expected_version is not None and request.expected_version != entry.version:
            found.append((index, "candidate", DecisionConflict(entry.decision, request.expected_version)))
        refused += found
        if not found:
            planned.append((request, entry))
    if refused:
        raise DecisionsRefused(refused)
    return planned
