"""Imported records into a packet that exists, never losing what only the packet holds.

The table owns the keys its mapping reads, and nothing else: for a record in both (matched by
the mapping's `match` keys, `id` by default), those keys take the table's values (an empty
cell removes one) and every other key stays as the packet has it (notes written by hand, a
field the table has no column for). A record only in the table is added after the packet's
own; a record only in the packet is kept where it is, and reported, so a re-import never
silently drops evidence someone added by hand. The candidate's and the packet's keys merge the
same way."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from engine.importing.mapping import Mapping

Origin = tuple[str, int]  # ("table", index among the imported records) or ("packet", index in the packet that exists)


@dataclass
class Merged:
    packet: dict[str, Any]
    origins: list[Origin]  # of each record of `packet`, in order
    added: list[str] = field(default_factory=list)  # record ids
    updated: list[str] = field(default_factory=list)
    kept: list[tuple[str, int]] = field(default_factory=list)  # (id, index in the packet that exists): not in the table


def record_key(record: dict[str, Any], match: tuple[str, ...]) -> list[Any]:
    return [record.get(key) for key in match]


def merge(existing: dict[str, Any] | None, imported: dict[str, Any], mapping: Mapping) -> Merged:
    """The packet `imported` makes of `existing` (None: there is none)."""
    if existing is None:
        records = imported.get("evidence", [])
        return Merged(imported, [("table", i) for i in range(len(records))], added=[str(r.get("id")) for r in records])
    owned = {c.part: set() for c in mapping.columns}
    for column in mapping.columns:
        owned[column.part].add(column.key)
    packet = _overlay(existing, imported, owned.get("packet", set()) | {"candidate", "evidence"})
    old_candidate = existing.get("candidate") if isinstance(existing.get("candidate"), dict) else {}
    new_candidate = imported.get("candidate", {})
    candidate = _overlay(old_candidate, new_candidate, owned.get("candidate", set()))
    if "attributes" in owned:
        old = old_candidate.get("attributes") if isinstance(old_candidate.get("attributes"), dict) else {}
        attributes = _overlay(old, new_candidate.get("attributes", {}), owned["attributes"])
        candidate.pop("attributes", None)
        if attributes:
            candidate["attributes"] = attributes
    packet["candidate"] = candidate
    record_keys = owned.get("record", set()) | owned.get("fields", set())
    incoming = imported.get("evidence", [])
    by_key = {repr(record_key(r, mapping.match)): i for i, r in enumerate(incoming)}
    merged = Merged(packet, [])
    records: list[dict[str, Any]] = []
    used: set[int] = set()
    old_records = existing.get("evidence") if isinstance(existing.get("evidence"), list) else []
    for index, old in enumerate(old_records):
        match = by_key.get(repr(record_key(old, mapping.match))) if isinstance(old, dict) else None
        if match is None or match in used:
            records.append(old)
            merged.origins.append(("packet", index))
            merged.kept.append((str(old.get("id")) if isinstance(old, dict) else f"item {index + 1}", index))
            continue
        used.add(match)
        new = _overlay(old, incoming[match], record_keys)
        if new != old:
            merged.updated.append(str(new.get("id")))
        records.append(new)
        merged.origins.append(("table", match))
    for index, record in enumerate(incoming):
        if index not in used:
            records.append(record)
            merged.origins.append(("table", index))
            merged.added.append(str(record.get("id")))
    packet["evidence"] = records
    return merged


def _overlay(old: dict[str, Any], new: dict[str, Any], owned: set[str]) -> dict[str, Any]:
    """`old` with each key in `owned` as `new` has it (or gone, where `new` lacks it)."""
    result = {k: v for k, v in old.items() if k not in owned or k in new}
    result.update({k: v for k, v in new.items() if k in owned})
    return result
