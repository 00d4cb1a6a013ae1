"""What a verdict can depend on, from the rulebook model: which answers a rule change can alter,
and so which cached answers still hold under the changed rulebook (`ladder impact`).

A rulebook splits into each level's rules (`LevelRules`: its criteria, inherited ones included,
its verdict and nearly rules, what it builds on) and the rest: tracks, levels and their order,
bands, equivalence, evidence types, the ladder's nearly rule, calibration settings, names. A
packet's verdict for a target reads the rest (validation, the default target, the candidate's
standing) and the target's rules; it is judged by no other level's. A change to the rest may
change any verdict; a change confined to some levels' rules changes only verdicts whose target's
closure (`closure`) meets them. Source positions are left out of every fingerprint: a rulebook
read from git names its files differently, and no verdict quotes a position."""
from __future__ import annotations

import dataclasses
import hashlib
from datetime import date
from typing import Any

from engine.reading.model import Pos, Rulebook

EVERYTHING = None  # `changed_levels`: a change beyond levels' rules, which may change every verdict


def _canonical(value: Any) -> Any:
    """A plain, ordered, typed form of a model value, without source positions."""
    if isinstance(value, Pos):
        return None
    if dataclasses.is_dataclass(value):
        return (type(value).__name__, tuple((f.name, _canonical(getattr(value, f.name))) for f in dataclasses.fields(value)
                                            if f.compare and not isinstance(getattr(value, f.name), Pos)))
    if isinstance(value, dict):
        return ("dict", tuple((_canonical(k), _canonical(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, tuple(_canonical(v) for v in value))
    if isinstance(value, (frozenset, set)):
        return ("set", tuple(sorted(repr(_canonical(v)) for v in value)))
    if isinstance(value, date):
        return ("date", value.isoformat())
    return (type(value).__name__, repr(value))


def _digest(value: Any) -> str:
    return hashlib.sha256(repr(_canonical(value)).encode()).hexdigest()


def fingerprints(book: Rulebook) -> tuple[str, dict[str, str]]:
    """(a digest of everything but the levels' rules, each level's rules' digest). The first
    covers which levels have rules, but not their content."""
    rest = dataclasses.replace(book, source="", digest="", rules=dict.fromkeys(book.rules, None))
    return _digest(rest), {level_id: _digest(rules) for level_id, rules in book.rules.items()}


def changed_levels(base: Rulebook, head: Rulebook) -> set[str] | None:
    """The levels whose rules differ between the two rulebooks (empty: the same rules), or
    EVERYTHING when anything else differs."""
    if base.digest == head.digest:
        return set()
    (base_rest, base_levels), (head_rest, head_levels) = fingerprints(base), fingerprints(head)
    if base_rest != head_rest:
        return EVERYTHING
    return {level_id for level_id in base_levels if base_levels[level_id] != head_levels[level_id]}


def closure(book: Rulebook, level_id: str) -> set[str]:
    """The levels whose rules a verdict for `level_id` can depend on: the level and the levels it
    builds on (their criteria are inherited).

    Not its equivalents on other tracks: which levels stand level is part of the rest, and a
    verdict reads no other level's rules (a what-if on another track, `--track`, is a verdict
    for the equivalent level, with that level's closure). Nor, for a packet that names no
    target, the levels of its track: its target, the next level, comes from the rest too."""
    return set(lineage(book, level_id))


def lineage(book: Rulebook, level_id: str) -> list[str]:
    """`level_id` and the levels it builds on, nearest first (`ladder new` names them in this
    order). A walk that stops at a level it has seen, or one the rulebook lacks, though reading
    lets neither through."""
    found: list[str] = []
    current: str | None = level_id
    while current is not None and current not in found and current in book.levels:
        found.append(current)
        rules = book.rules.get(current)
        current = rules.builds_on if rules else None
    return found


def affected(base: Rulebook, head: Rulebook, changed: set[str] | None, target: str) -> bool:
    """Whether a verdict for `target` can differ between the two rulebooks, given
    `changed_levels(base, head)`."""
    if changed is EVERYTHING:
        return True
    return bool(changed & (closure(base, target) | closure(head, target)))
