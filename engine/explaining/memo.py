"""Words that depend on the rulebook alone, worked out once per rulebook instead of once per
packet: what a criterion asks for, what it counts, how a condition is said. A cohort explains
the same few dozen criteria thousands of times; their phrasing never changes between packets.

Kept in the rulebook's `compiled_cache` (as the compiled levels are), so they live and die with
the rulebook whose words they are, and a worker forked with the rulebook inherits them. Keyed
by the object phrased (a criterion or a term of that rulebook): the entry holds the object
itself and is used only for that very object, so an entry can never answer for another one,
even one created later at the same address (the entry keeps the first alive)."""
from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from engine.reading.model import Rulebook

T = TypeVar("T")
V = TypeVar("V")

_KEY = "explaining-words"  # this module's part of `Rulebook.compiled_cache`: (_KEY, kind) -> Table


class Table(dict):
    """One kind of words: id of the subject -> (the subject, its words)."""

    def of(self, subject: T, make: Callable[[T], V]) -> V:
        """`make(subject)`, computed the first time it is asked of this very `subject`."""
        entry = self.get(id(subject))
        if entry is not None and entry[0] is subject:
            return entry[1]
        value = make(subject)
        self[id(subject)] = (subject, value)
        return value


def table(rulebook: Rulebook, kind: str) -> Table:
    """The rulebook's words of one kind (fetched once by whoever asks many of them). What
    `make` computes must depend only on the subject and the rulebook, both immutable."""
    found = rulebook.compiled_cache.get((_KEY, kind))
    if found is None:
        found = rulebook.compiled_cache.setdefault((_KEY, kind), Table())
    return found


def once(rulebook: Rulebook, kind: str, subject: T, make: Callable[[T], V]) -> V:
    """`make(subject)`, computed the first time `kind` is asked of this `subject` in this
    rulebook and remembered (see `table`)."""
    return table(rulebook, kind).of(subject, make)
