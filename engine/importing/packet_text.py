"""Packets as YAML text, the way a person would write one: keys in a fixed order (the
candidate's, then each record's id, type, title, dates, confidence, the fields in the order its
evidence type declares them, notes last), and above each record a comment naming where it came
from. The same packet always gives the same bytes.

Text is quoted wherever ladder's YAML 1.2 reader, or an older YAML 1.1 one, would take it for
something else (`yes`, `0o10`, `1e3`, `null`); ISO dates are left plain, as people write them."""
from __future__ import annotations

import re
from typing import Any

import yaml

from engine.importing.mapping import CANDIDATE_KEYS, PACKET_KEYS
from engine.reading.model import Rulebook
from engine.reading.yaml_text import CORE_SCALARS

_Base = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml's emitter when PyYAML has it: several times faster


class _Dumper(_Base):  # type: ignore[misc, valid-type]
    def ignore_aliases(self, data: Any) -> bool:
        return True  # ladder reads no aliases (`&id001`)


_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_Dumper.yaml_implicit_resolvers = {first: [(tag, pattern) for tag, pattern in resolvers if tag != _TIMESTAMP]
                                   for first, resolvers in _Base.yaml_implicit_resolvers.items()}
for _tag, _pattern, _first in CORE_SCALARS:
    _Dumper.add_implicit_resolver(_tag, re.compile(_pattern), _first)


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    """Text over several lines as a block (`|`), as notes are written by hand."""
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value.strip("\n") else None)


_Dumper.add_representer(str, _text)


def ordered(packet: dict, book: Rulebook) -> dict:
    """The packet with its keys, its candidate's and every record's in the order people read them."""
    result = _in_order(packet, ("candidate", *reversed(PACKET_KEYS), "evidence"))
    if isinstance(result.get("candidate"), dict):
        candidate = _in_order(result["candidate"], (*CANDIDATE_KEYS, "attributes"))
        if isinstance(candidate.get("attributes"), dict):
            candidate["attributes"] = dict(sorted(candidate["attributes"].items()))
        result["candidate"] = candidate
    if isinstance(result.get("evidence"), list):
        result["evidence"] = [ordered_record(r, book) for r in result["evidence"]]
    return result


def ordered_record(record: dict, book: Rulebook) -> dict:
    declared = book.evidence.get(record.get("type"))
    fields = tuple(declared.fields) if declared else ()
    return _in_order(record, ("id", "type", "title", "date", "start", "end", "confidence", *fields, "notes"))


def _in_order(data: dict, keys: tuple[str, ...]) -> dict:
    """`data` with `keys` first, in that order, and any others after them as they were."""
    return {**{k: data[k] for k in keys if k in data}, **{k: v for k, v in data.items() if k not in keys}}


def packet_text(packet: dict, origins: list[str | None], heading: str) -> tuple[str, list[int]]:
    """The YAML of an ordered packet, and the line each record starts on (its `- id:`);
    `origins[i]` is the comment above its i-th record (None: none)."""
    lines = [f"# {line}".rstrip() for line in heading.splitlines()]
    top = {k: v for k, v in packet.items() if k != "evidence"}
    parts = ["\n".join(lines) + "\n" + _dump(top)]
    starts: list[int] = []
    if "evidence" not in packet:
        return parts[0], starts
    records = packet["evidence"]
    if not records:
        return parts[0] + "evidence: []\n", starts
    parts.append("evidence:\n")
    line = parts[0].count("\n") + 2
    for dumped, origin in zip(_items(_dump(records)), origins):
        if origin:
            parts.append(f"  # {_one_line(origin)}\n")
            line += 1
        starts.append(line)
        parts.append("".join(text if text == "\n" else "  " + text for text in dumped))
        line += len(dumped)
    return "".join(parts), starts


def other_imports(before: str, starts: dict[int, int], ours: set[str]) -> dict[int, str]:
    """The comment above each record (by its index; `starts`: the line of its first key) that
    names a source another import named in the packet's heading, not one of `ours`: a record
    that import brought (a design doc into a packet from the tracker). It is kept with its
    comment, and is not one added by hand (which is reported, whatever comment it has)."""
    lines = before.splitlines()
    theirs = [source for line in lines if (heading := _IMPORTED.match(line))
              for source in heading.group(1).split(", ") if source not in ours]
    found = {}
    for index, line in starts.items():
        above = lines[line - 2].strip() if 2 <= line <= len(lines) + 1 else ""
        origin = above[2:] if above.startswith("# ") else ""
        if any(origin == s or origin.startswith((s + " ", s + "/")) for s in theirs):
            found[index] = origin
    return found


_IMPORTED = re.compile(r"^# Imported by `ladder import [a-z]+` from (.+) with .+\.$")


def _items(text: str) -> list[list[str]]:
    """The lines of each item of a top-level YAML list, as one dump of the whole list wrote it
    (one dump a packet, not one a record: most of a dump's time is setting it up). An item
    starts at a line beginning '- '; everything inside an item is indented."""
    items: list[list[str]] = []
    for line in text.splitlines(True):
        if line.startswith("- ") or line == "-\n":
            items.append([])
        items[-1].append(line)
    return items


def _dump(data: Any) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100, default_flow_style=False)


def _one_line(text: str) -> str:
    """A comment cannot hold a line break: a file name with one shows it escaped."""
    return text.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r")
