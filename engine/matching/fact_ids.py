"""Ids for a session's facts that durable-rules cannot mistake for one another (see `FactIds`).

Pure Python: it reproduces the engine's hash, and only `core` hands the ids to the engine."""
from __future__ import annotations

_FNV_BASIS, _FNV_PRIME = 0x811C9DC5, 16777619


def engine_hash(text: str) -> int:
    """durable-rules' `fnv1Hash32` (src/rules/state.c; FNV-1a despite its name) of `text` as
    the engine reads it in a message. C `char` is signed on x86-64, so a byte from 0x80 is
    sign-extended before it is mixed in (only ASCII reaches it from `FactIds`)."""
    h = _FNV_BASIS
    for byte in text.encode():
        h = ((h ^ (byte if byte < 0x80 else byte | 0xFFFFFF00)) * _FNV_PRIME) & 0xFFFFFFFF
    return h


class FactIds:
    """Ids for the facts of a session that the engine cannot mistake for one another.

    durable-rules (`storeMessage`, src/rules/state.c) keeps a session's facts in a table keyed
    by a 32-bit FNV hash of the fact's id alone, and refuses a fact whose key is taken as
    "already observed" (code 2, or nothing at all when a later fact of the batch returns
    another code): the fact is dropped and its matches lost. Without an `id` it makes one up
    by hashing the fact's whole content, session included, so two records of a packet
    collided with odds of about n²/2³³ depending on the session counter, not on the packet:
    a valid packet failed at random on a long run. Our own keys are no fix (`R-43987` and
    `R-382880` hash alike, in every session).

    So each fact of a batch gets, by its position, an id from a fixed list of short strings
    ("0", "1", ...) with every string whose hash an earlier one has left out ("797186" hashes
    like "40189"); in a session whose own state fact (id `sid-<sid>`, in the same table)
    hashes like one of them, that one is skipped. The ids depend only on the position and
    the session, never on the facts, so no input can make two of them collide."""

    def __init__(self) -> None:
        self._ids: list[str] = []
        self._position: dict[int, int] = {}  # hash -> position in _ids of the id with that hash
        self._next = 0

    def for_session(self, count: int, sid: str) -> list[str]:
        """`count` ids (or more: zip stops at the batch's end) for the facts of session `sid`."""
        self._grow(count + 1)
        clash = self._position.get(engine_hash(f"sid-{sid}"))
        if clash is None or clash >= count:
            return self._ids
        return self._ids[:clash] + self._ids[clash + 1:count + 1]

    def _grow(self, count: int) -> None:
        while len(self._ids) < count:
            candidate = str(self._next)
            self._next += 1
            key = engine_hash(candidate)
            if key not in self._position:
                self._position[key] = len(self._ids)
                self._ids.append(candidate)
