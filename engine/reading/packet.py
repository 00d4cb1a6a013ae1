"""Packets: validate a loaded packet against the schema and the rulebook, and build the model.

Record fields are checked against a JSON Schema generated from the rulebook's own evidence
declarations, so an organisation's new evidence type is validated like the built-in ones.
A valid packet, the common case, is checked whole by one call and its records built without
placing anything; any other is checked part by part, which finds and places every problem."""
from __future__ import annotations

import copy
import functools
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple

from engine.common.errors import Diagnostic, raise_if_errors
from engine.reading import validate
from engine.reading.dates import parse_date, parse_date_text
from engine.reading.load import Document, load_file
from engine.reading.model import Candidate, EvidenceType, Level, Packet, Record, Rulebook
from engine.reading.rulebook import display_path


def load_packet(path: str | Path, rulebook: Rulebook, as_of: date | None = None, target: str | None = None,
                placing: bool = False) -> Packet:
    """Read and check one packet file; raise LadderError listing every problem found."""
    doc = load_file(path, display_path(Path(path)))
    return build_packet(doc, rulebook, as_of, target, placing)


def build_packet(doc: Document, rulebook: Rulebook, as_of: date | None = None, target: str | None = None,
                 placing: bool = False) -> Packet:
    """Check everything that can be checked, so one mistake never hides another.

    `placing`: the packet is read for placement, which judges every level of every track in
    turn, those the candidate holds included; its `target` is neither read nor checked, and the
    packet's target is None until placement sets the level it judges.

    A whole packet, its every record included, is first checked by one schema call; only a
    packet that fails it, or whose records do not all hold together, is checked part by part
    (`build_packet_slowly`), which finds and places every problem."""
    return _build(doc, rulebook, as_of, target, placing, fast=True)


def build_packet_slowly(doc: Document, rulebook: Rulebook, as_of: date | None = None, target: str | None = None,
                        placing: bool = False) -> Packet:
    """`build_packet` checking each record on its own, always: what the fast path must equal
    (tests/reading/test_fast_build.py holds them to the same Packet, or the same diagnostics)."""
    return _build(doc, rulebook, as_of, target, placing, fast=False)


def _build(doc: Document, rulebook: Rulebook, as_of: date | None, target: str | None, placing: bool, fast: bool) -> Packet:
    whole = fast and _packet_checker(rulebook).fast.is_valid(doc.data)
    found = [] if whole else validate.located(doc, "packet")
    problems = [d for _, d in found]
    broken = [path for path, _ in found]

    def clean(*prefix: Any) -> bool:
        return not any(path[:len(prefix)] == prefix or path == prefix[:len(path)] for path in broken)

    data = doc.data if isinstance(doc.data, dict) else {}
    candidate = _candidate(doc, data["candidate"], rulebook, problems) if clean("candidate") else None
    packet_as_of = as_of
    if packet_as_of is None and clean("as_of"):
        packet_as_of = _date(doc, ("as_of",), data.get("as_of"), problems)
        if "as_of" not in data:
            problems.append(doc.diag((), "no as_of date: add `as_of: YYYY-MM-DD` to the packet or pass --as-of", "packet.no-as-of"))
    target_level = _target(doc, data, candidate, rulebook, target, problems) if clean("target") and not placing else None
    evidence = data.get("evidence")
    records = _whole_records(evidence, rulebook) if whole and isinstance(evidence, list) else None
    if records is None:
        records = _records(doc, evidence, rulebook, problems) if isinstance(evidence, list) else []
    if candidate and packet_as_of and candidate.level_since > packet_as_of:
        given = " given by --as-of" if as_of else ""
        problems.append(doc.diag(("candidate", "level_since"), f"level_since {candidate.level_since} is after the as-of date {packet_as_of}{given}", "packet.bad-date"))
    raise_if_errors(problems)
    return Packet(doc.source, candidate, target_level, packet_as_of, tuple(records))


def _date(doc: Document, path: tuple, text: str | None, problems: list[Diagnostic]) -> date | None:
    if text is None:
        return None
    parsed = parse_date(text)
    if parsed is None:
        problems.append(doc.diag(path, f"{text!r} is not a calendar date", "packet.bad-date"))
    return parsed


def _candidate(doc: Document, raw: dict, rulebook: Rulebook, problems: list[Diagnostic]) -> Candidate | None:
    ok = True
    if raw["track"] not in rulebook.tracks:
        problems.append(doc.diag(("candidate", "track"), f"unknown track {raw['track']!r}; this rulebook has {', '.join(rulebook.tracks)}{validate.did_you_mean(raw['track'], rulebook.tracks)}", "packet.unknown-track"))
        ok = False
    level = rulebook.levels.get(raw["level"])
    if level is None:
        track = rulebook.tracks.get(raw["track"])
        options = [lv.id for lv in track.levels] if track else rulebook.levels
        problems.append(doc.diag(("candidate", "level"), f"unknown level {raw['level']!r}{validate.did_you_mean(raw['level'], options)}", "packet.unknown-level"))
        ok = False
    elif ok and level.track != raw["track"]:
        problems.append(doc.diag(("candidate", "level"), f"{raw['level']!r} is a level of the {level.track} track, not {raw['track']}", "packet.unknown-level"))
        ok = False
    since = _date(doc, ("candidate", "level_since"), raw["level_since"], problems)
    if not ok or since is None:
        return None
    return Candidate(
        id=raw["id"], name=raw["name"], track=raw["track"], level=raw["level"], level_since=since,
        manager=raw.get("manager"), team=raw.get("team"), nominated=raw.get("nominated"),
        attributes=dict(raw.get("attributes", {})),
    )


def unknown_level(rulebook: Rulebook, wanted: str) -> str:
    """'unknown level 'x'', with the likely one meant, else every level to choose from."""
    return f"unknown level {wanted!r}{validate.did_you_mean(wanted, rulebook.levels) or '; levels: ' + ', '.join(rulebook.levels)}"


def _target(doc: Document, data: dict, candidate: Candidate | None, rulebook: Rulebook, override: str | None,
            problems: list[Diagnostic]) -> Level | None:
    wanted = override or data.get("target")
    where = ("target",) if "target" in data and not override else ()
    given = "--target" if override else "target"
    if wanted:
        level = rulebook.levels.get(wanted)
        if level is None:
            problems.append(doc.diag(where, f"{given}: {unknown_level(rulebook, wanted)}", "packet.unknown-level"))
            return None
        current = rulebook.levels[candidate.level] if candidate else None
        if current and level.track == current.track and level.rank <= current.rank:
            above = rulebook.next_level(current)
            hint = f"give a level above it (the next is {above.id})" if above else "it is the top of its track"
            problems.append(doc.diag(where, f"{given}: {level.id} is not above the candidate's current level {current.id}: {hint}", "packet.target-not-above"))
            return None
    elif candidate is None:
        return None
    else:
        level = rulebook.next_level(rulebook.levels[candidate.level])
        if level is None:
            problems.append(doc.diag(("candidate", "level"), f"{candidate.level} is the top of the {candidate.track} track: give a target level", "packet.no-target"))
            return None
    if level.id not in rulebook.rules:
        problems.append(doc.diag(where, f"the rulebook has no promotion rules for {level.id}", "packet.no-rules"))
        return None
    return level


def _records(doc: Document, raw_records: list[dict], rulebook: Rulebook, problems: list[Diagnostic]) -> list[Record]:
    """Every record that is whole; and every problem of every record, its dates and links checked
    even when another of its fields is wrong, so one mistake never hides another."""
    records: list[Record] = []
    seen: dict[str, tuple[int, str]] = {}  # id -> (index, type) of the first record with it
    links: list[tuple[int, str, str, str, str]] = []  # (index, record id, field, target id, type it must name)
    shapes = _shapes(rulebook)
    for index, raw in enumerate(raw_records):
        path = ("evidence", index)
        if not (isinstance(raw, dict) and isinstance(raw.get("id"), str) and isinstance(raw.get("type"), str)):
            continue  # the packet schema has said what is wrong with it
        if raw["id"] in seen:
            problems.append(doc.diag(path + ("id",), f"record id {raw['id']!r} is already used by evidence item {seen[raw['id']][0] + 1}: ids must be unique", "packet.duplicate-id"))
            continue
        seen[raw["id"]] = (index, raw["type"])
        evidence = rulebook.evidence.get(raw["type"])
        if evidence is None:
            problems.append(doc.diag(path + ("type",), f"unknown evidence type {raw['type']!r}{validate.did_you_mean(raw['type'], rulebook.evidence)}; this rulebook has {', '.join(rulebook.evidence)}", "packet.unknown-evidence"))
            continue
        found = _record_checker(rulebook, evidence).errors(doc, raw, path)
        problems.extend(d for _, d in found)
        broken = {where for where, _ in found}
        record = _record(doc, raw, index, evidence, problems, broken)
        if record:
            records.append(record)
        links += [(index, raw["id"], name, raw[name], wanted) for name, wanted in shapes[evidence.id].links
                  if isinstance(raw.get(name), str) and path + (name,) not in broken]
    for index, record_id, name, target, wanted in links:
        path = ("evidence", index, name)
        if target == record_id:
            problems.append(doc.diag(path, f"{record_id} links to itself", "packet.bad-link"))
        elif target not in seen:
            problems.append(doc.diag(path, f"{name} refers to {target!r}, which is not a record in this packet{validate.did_you_mean(target, seen)}", "packet.bad-link"))
        elif seen[target][1] != wanted:
            problems.append(doc.diag(path, f"{name} must name a {wanted} record; {target} is a {seen[target][1]}", "packet.bad-link"))
    return records


def _record(doc: Document, raw: dict, index: int, evidence: EvidenceType, problems: list[Diagnostic],
            broken: set[tuple] = frozenset()) -> Record | None:
    """The record, or None if anything in it is wrong; its dates are checked whenever they are
    themselves well-formed, even when other fields are not."""
    path = ("evidence", index)

    def date_of(name: str) -> date | None:
        return None if path + (name,) in broken else _date(doc, path + (name,), raw.get(name), problems)

    fields: dict[str, Any] = {}
    for name, declared in evidence.fields.items():
        if name in raw:
            fields[name] = date_of(name) if declared.type == "date" else raw[name]
    if evidence.dates == "point":
        start = end = date_of("date")
    else:
        start, end = date_of("start"), date_of("end")
        if start and end and end < start:
            problems.append(doc.diag(path + ("end",), f"ends {end}, before it starts {start}", "packet.bad-date"))
            return None
    if start is None or broken:
        return None
    return Record(raw["id"], raw["type"], raw["title"], start, end, raw.get("confidence", "self-reported"), fields, index)


def _record_checker(rulebook: Rulebook, evidence: EvidenceType) -> validate.Checker:
    """The evidence type's record checker: built once per rulebook, not once per record."""
    cache = rulebook.compiled_cache.setdefault("record-checkers", {})
    if evidence.id not in cache:
        cache[evidence.id] = validate.Checker(record_schema(evidence))
    return cache[evidence.id]


def record_schema(evidence: EvidenceType) -> dict:
    """JSON Schema for one evidence type's records, generated from its declaration."""
    base = validate.BASE_URI + "packet.schema.json#/$defs/"
    properties: dict[str, Any] = {
        "id": {"$ref": base + "record_id"}, "type": {"const": evidence.id}, "title": {"type": "string", "minLength": 1, "maxLength": 500},
        "confidence": {"enum": ["verified", "self-reported", "disputed"]}, "notes": {"type": "string", "maxLength": 10000},
    }
    dates = ["date"] if evidence.dates == "point" else ["start", "end"]
    for name in dates:
        properties[name] = {"$ref": base + "date"}
    required = ["id", "type", "title", dates[0]]
    for name, declared in evidence.fields.items():
        spec: dict[str, Any] = {
            "string": {"type": "string", "maxLength": 2000},
            "enum": {"enum": list(declared.values)},
            "integer": {"type": "integer"},
            "number": {"type": "number"},
            "boolean": {"type": "boolean"},
            "date": {"$ref": base + "date"},
            "list": {"type": "array", "maxItems": 200, "items": {"type": "string", "maxLength": 500}},
            "ref": {"$ref": base + "record_id"},
        }[declared.type]
        if declared.minimum is not None:
            spec["minimum"] = declared.minimum
        if declared.maximum is not None:
            spec["maximum"] = declared.maximum
        properties[name] = spec
        if declared.required:
            required.append(name)
    return {"type": "object", "required": required, "properties": properties, "additionalProperties": False}


def _packet_checker(rulebook: Rulebook) -> validate.Checker:
    """One schema for a whole packet of this rulebook: the packet schema, each record held to
    its evidence type's schema (`record_schema`; the `type` const of each lets only its own
    match) and a record of no known type refused. A packet valid against it is valid against
    the packet schema and each of its records against its type's, so the part-by-part checks
    would find nothing: one call answers for all of them. Built once per rulebook."""
    cache = rulebook.compiled_cache
    if "packet-checker" not in cache:
        contents = copy.deepcopy(validate.schema("packet"))
        contents["$id"] = validate.BASE_URI + "whole-packet.schema.json"  # its relative $refs resolve as the packet schema's
        by_type = [_whole_record_schema(evidence) for evidence in rulebook.evidence.values()]
        contents["properties"]["evidence"]["items"] = {"anyOf": by_type} if by_type else False  # no types: no record is valid
        cache["packet-checker"] = validate.Checker(contents)
    return cache["packet-checker"]


def _whole_record_schema(evidence: EvidenceType) -> dict:
    """`record_schema`, which implies the packet schema's own `record` (same common keys, the
    type a const) unless a rulebook built in code, not read from rule files (which refuse
    both), has an evidence id that is no id or a field named as one of a record's own keys:
    then the packet's `record` is checked too. Without it the packet's `record` is not checked
    again, which would cost a third of the whole call."""
    common = validate.schema("packet")["$defs"]["record"]["properties"]
    if _is_id(evidence.id) and common.keys().isdisjoint(evidence.fields):
        return record_schema(evidence)
    return {"allOf": [{"$ref": "#/$defs/record"}, record_schema(evidence)]}


def _is_id(text: str) -> bool:
    return _id_checker().fast.is_valid(text)


@functools.cache
def _id_checker() -> validate.Checker:
    return validate.Checker({"$ref": validate.BASE_URI + "ladder.schema.json#/$defs/id"})


class _Shape(NamedTuple):
    """What building and linking one evidence type's records needs, worked out from its declaration."""

    point: bool  # it has one date, else a span
    names: tuple[str, ...]  # its declared fields, in order
    dates: tuple[str, ...]  # those that are dates
    links: tuple[tuple[str, str], ...]  # its link fields, each with the type it must name


def _shapes(rulebook: Rulebook) -> dict[str, _Shape]:
    """Each evidence type's `_Shape`, for both ways of building records (`_records` and
    `_whole_records`): built once per rulebook."""
    cache = rulebook.compiled_cache
    if "record-shapes" not in cache:
        cache["record-shapes"] = {
            evidence.id: _Shape(evidence.dates == "point", tuple(evidence.fields),
                                tuple(name for name, declared in evidence.fields.items() if declared.type == "date"),
                                tuple((name, declared.evidence) for name, declared in evidence.fields.items() if declared.type == "ref"))
            for evidence in rulebook.evidence.values()}
    return cache["record-shapes"]


def _whole_records(raw_records: list[dict], rulebook: Rulebook) -> list[Record] | None:
    """The records of a packet `_packet_checker` found valid, built as `_records` builds them but
    without placing anything; None as soon as one has a problem that only the record-by-record
    checks can tell (an id used twice, a date not in the calendar, an end before its start, a
    link to no record or to one of the wrong type), so that `_records` finds and says it."""
    shapes = _shapes(rulebook)
    records: list[Record] = []
    seen: dict[str, str] = {}  # id -> type
    links: list[tuple[str, str, str]] = []  # (record id, target id, type it must name)
    for index, raw in enumerate(raw_records):
        record_id, kind = raw["id"], raw["type"]
        if record_id in seen:
            return None
        seen[record_id] = kind
        point, names, dates, refs = shapes[kind]
        fields = {name: raw[name] for name in names if name in raw}
        for name in dates:
            if name in fields:
                fields[name] = parse_date_text(fields[name])
                if fields[name] is None:
                    return None
        if point:
            start = end = parse_date_text(raw["date"])
        else:
            start, end = parse_date_text(raw["start"]), raw.get("end")
            if end is not None and ((end := parse_date_text(end)) is None or (start is not None and end < start)):
                return None
        if start is None:
            return None
        records.append(Record(record_id, kind, raw["title"], start, end, raw.get("confidence", "self-reported"), fields, index))
        if refs:
            links += [(record_id, raw[name], wanted) for name, wanted in refs if name in raw]
    for record_id, target, wanted in links:
        if target == record_id or seen.get(target) != wanted:
            return None
    return records
