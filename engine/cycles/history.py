"""A candidate across cycles (`ladder history`): in each cycle they are in, oldest first, the
frozen verdict, every decision taken on it (the last in force), and the criteria whose outcome
changed since their previous cycle, read from the frozen explanations and named as each
cycle's rulebook words them."""
from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any, Iterator

from engine.cycles.database import StoreError
from engine.cycles.model import Cycle, Decision, Entry
from engine.cycles.store import Store


@dataclass(frozen=True)
class Change:
    """A criterion met in one cycle and not in the next, or the other way round."""

    criterion: str  # its id, the same in both rulebooks
    description: str  # as the later cycle's rulebook words it
    competency: str  # the competency's name in the later cycle
    before: bool
    now: bool


@dataclass(frozen=True)
class Step:
    """The candidate in one cycle."""

    cycle: Cycle
    entry: Entry
    decisions: list[Decision]  # oldest first; the last is in force
    changes: list[Change]  # since the candidate's previous step; [] for the first
    target_changed: bool  # judged for another level than in the previous step: criteria compared by id
    level_name: str | None = None  # the current and target levels as the cycle's rulebook names them
    target_name: str | None = None


def history(store: Store, candidate: str) -> list[Step]:
    """Every cycle `candidate` (a candidate id) is in, oldest first. StoreError naming the
    closest ids if no cycle has them."""
    entries = store.appearances(candidate)
    if not entries:
        close = difflib.get_close_matches(candidate, store.candidate_ids(), 3)
        hint = f": did you mean {', '.join(repr(c) for c in close)}?" if close else ": give a candidate id as `ladder cycle show` lists them"
        raise StoreError(f"no candidate {candidate!r} in any cycle of {store.where}{hint}", "history.unknown-candidate")
    cycles = {name: store.cycle(name) for name in dict.fromkeys(entry.cycle for entry in entries)}  # only those shown
    steps: list[Step] = []
    before: dict[str, tuple[bool, str, str]] | None = None
    previous: Entry | None = None
    for entry in entries:
        explanation = store.explanation(entry.cycle, entry.label)
        criteria = dict(_criteria(explanation)) if isinstance(explanation, dict) else None
        changes = []
        if before is not None and criteria is not None:
            changes = [Change(cid, description, competency, before[cid][0], met)
                       for cid, (met, description, competency) in criteria.items() if cid in before and before[cid][0] != met]
        names = (explanation["candidate"]["level_name"], explanation["target"]["name"]) if criteria is not None else (None, None)
        steps.append(Step(cycles[entry.cycle], entry, store.history(entry.cycle, entry.label), changes,
                          previous is not None and previous.target != entry.target, *names))
        if criteria is not None:
            before, previous = criteria, entry
    return steps


def _criteria(explanation: dict[str, Any]) -> Iterator[tuple[str, tuple[bool, str, str]]]:
    """(id, (met, description, competency name)) of every criterion, nested ones too."""
    def walk(items: list[dict], competency: str) -> Iterator[tuple[str, tuple[bool, str, str]]]:
        for item in items:
            yield item["id"], (item["met"], item["description"], competency)
            yield from walk(item.get("children", []), competency)
    for competency in explanation["competencies"]:
        yield from walk(competency["criteria"], competency.get("name") or competency["id"])
