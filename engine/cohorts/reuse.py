"""A command's per-packet work through the verdict cache (`engine.caching`): an unchanged
packet's answer looked up in the parent process before any work is handed out (`known`, the
pool's hook), a changed one's computed by a worker and stored (`work`).

Only answers are stored (a cohort's invalid packets' errors too: see `cohort.evaluated`), never
a failed evaluation."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, TypeVar

from engine.caching.verdicts import VerdictCache
from engine.reading.load import MAX_FILE_BYTES
from engine.reading.model import Rulebook
from engine.rendering.report import Invalid

if TYPE_CHECKING:
    from engine.cohorts.cohort import Item  # which imports this module

R = TypeVar("R")


def content(item: Item) -> bytes | None:
    """The item's bytes as read (a file, or its line of a JSON Lines file); None if it cannot be
    read, or is too large to be a packet: it has no key, and reading it says why."""
    if item.text is not None:
        return item.text.encode("utf-8", "surrogatepass")
    try:
        if item.path.stat().st_size > MAX_FILE_BYTES:
            return None
        return item.path.read_bytes()
    except OSError:
        return None


def is_answer(value: Any) -> bool:
    """A verdict document, placement or plan: not an invalid packet's errors, nor a fault."""
    return value is not None and not isinstance(value, Invalid)


@dataclass(frozen=True)
class Reuse:
    """One kind of answer (`kind`) under one rulebook and options, through `cache` (None: off).
    `also`: options of the same kind whose answers are as good (e.g. a calibration's entry,
    which adds a placement, for one asked without it), looked up after `options`. `content_of`:
    a task's bytes, for tasks that are not cohort items (a promotion cycle's frozen packets hold
    theirs); a task has the `label` its answer names it by."""

    cache: VerdictCache | None
    kind: str
    book: Rulebook
    options: tuple = ()
    also: tuple[tuple, ...] = ()
    content_of: Callable[[Any], bytes | None] = content

    def _key(self, item: Item, options: tuple) -> bytes | None:
        data = self.content_of(item)
        return None if data is None else self._key_of(item, data, options)

    def _key_of(self, item: Item, data: bytes, options: tuple) -> bytes:
        """The key of the item's answer under `options`, its bytes `data` already read (`known`
        reads them once for every options it tries)."""
        return self.cache.key(self.kind, self.book, item.label, data, *options)

    def known(self, item: Item) -> Any | None:
        """The item's cached answer, or None (the pool's `known`: it never raises)."""
        if self.cache is None:
            return None
        try:
            data = self.content_of(item)  # read once, whatever the options tried
            if data is None:
                return None
            for options in (self.options, *self.also):
                value = self.cache.get(self._key_of(item, data, options))
                if value is not None:
                    return value
        except Exception:  # noqa: BLE001 - a cache can make a run faster, never make it fail
            pass
        return None

    def _computed(self, item: Item, compute: Callable[[Item], R], keep: Callable[[R], bool]) -> R:
        """`compute(item)`, stored if it is an answer and the packet's bytes were the same before
        and after (a packet edited during its evaluation is not kept under either version)."""
        key = self._key(item, self.options) if self.cache is not None else None
        value = compute(item)
        if key is not None and keep(value) and self._key(item, self.options) == key:
            self.cache.put(key, value)
        return value

    def obtain(self, item: Item, compute: Callable[[Item], R], keep: Callable[[R], bool]) -> R:
        """The item's cached answer, else `compute(item)`, stored if `keep` says it is an answer."""
        value = self.known(item)
        return self._computed(item, compute, keep) if value is None else value

    def work(self, compute: Callable[[Item], R], keep: Callable[[R], bool]) -> Callable[[Item], R]:
        """`compute`, for a pool whose `known` is this one's: its answers stored."""
        if self.cache is None:
            return compute
        return lambda item: self._computed(item, compute, keep)
