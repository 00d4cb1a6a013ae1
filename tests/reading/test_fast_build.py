"""Building a packet takes a fast path when it is valid: one schema call for the whole packet
and its every record, records built without placing anything. It must give exactly what the
record-by-record path gives (`build_packet_slowly`): the same Packet, its records the same
objects attribute for attribute, or the same diagnostics, in the same order, at the same
places. Checked here over packets mutated from the fixtures and from generated cohorts, in the
ways people get packets wrong: a value of the wrong kind, a key missing or unknown, an unknown
evidence type, a date that is not one, a span that ends before it starts, a link to nothing,
to itself or to the wrong type, an id used twice; with the built-in rulebook and with one
extended in code by a date field and a second link, which the built-in types lack."""
from __future__ import annotations

import copy
import functools
import json
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import fuzz_strategies
import pytest
from fuzz_strategies import PACKET_FILES, broken
from hypothesis import HealthCheck
from hypothesis import strategies as st

from engine import api
from engine.cohorts import synthetic
from engine.common.errors import LadderError
from engine.reading import load
from engine.reading.model import Field, Rulebook
from engine.reading.packet import _packet_checker, _whole_records, build_packet, build_packet_slowly

ROOT = Path(__file__).resolve().parents[2]
INVALID_FILES = sorted((ROOT / "fixtures" / "packets" / "invalid").glob("*.yaml"))
GENERATED = 12
SUPPRESSED = [HealthCheck.too_slow, HealthCheck.data_too_large]


@functools.cache
def book() -> Rulebook:
    return api.rulebook()


@functools.cache
def extended_book() -> Rulebook:
    """The built-in rulebook as an organisation might extend it: a design doc also records the
    day it was approved (a date field), the talk it was presented at and the design doc it
    supersedes (links, one to its own type), which the built-in types lack."""
    built_in = book()
    design_doc = built_in.evidence["design-doc"]
    fields = {**design_doc.fields, "approved_on": Field("approved_on", "date"),
              "presented_at": Field("presented_at", "ref", evidence="talk"), "supersedes": Field("supersedes", "ref", evidence="design-doc")}
    return replace(built_in, evidence={**built_in.evidence, "design-doc": replace(design_doc, fields=fields)}, compiled_cache={})


@functools.cache
def seeds(extended: bool = False) -> tuple[dict, ...]:
    """Every fixture packet, and generated ones with every evidence type and many records (a
    share of them invalid, as generated cohorts are); for `extended_book`, its design docs
    carry its fields, as its packets would."""
    generated = synthetic.generate(book(), GENERATED, seed=7, records=30)
    packets = tuple(load.load_file(path).data for path in PACKET_FILES) + tuple(generated)
    return tuple(map(_extended, packets)) if extended else packets


def _extended(packet: dict) -> dict:
    packet = copy.deepcopy(packet)
    records = packet.get("evidence") or []
    talks = [r["id"] for r in records if r.get("type") == "talk"]
    earlier = None
    for record in records:
        if record.get("type") == "design-doc":
            record["approved_on"] = record.get("date", "2026-01-01")
            if talks:
                record["presented_at"] = talks[0]
            if earlier:
                record["supersedes"] = earlier
            earlier = record.get("id")
    return packet


def outcome(build, data: Any, read: bool, as_of: date | None, target: str | None, placing: bool, rulebook: Rulebook):
    """What a caller of `build` sees: the Packet, each record's class and attributes in order,
    and the Packet's repr; or every diagnostic, in order. `read`: through the JSON loader, with
    places; else as data, every place 1:1."""
    try:
        document = load.load_json_text(json.dumps(data, ensure_ascii=False), "packet.json") if read else load.Document("packet", data, {})
    except LadderError as e:
        return "unreadable", e.diagnostics
    try:
        packet = build(document, rulebook, as_of, target, placing)
    except LadderError as e:
        return "refused", e.diagnostics
    return "built", packet, [(type(r), list(vars(r).items())) for r in packet.records], repr(packet)


def same_both_ways(data: Any, read: bool = True, as_of: date | None = None, target: str | None = None, placing: bool = False,
                   rulebook: Rulebook | None = None):
    fast = outcome(build_packet, data, read, as_of, target, placing, rulebook or book())
    assert fast == outcome(build_packet_slowly, data, read, as_of, target, placing, rulebook or book())
    return fast


# ------------------------------------------------------------------------------------ mutations

WRONG_KINDS = [None, True, 0, 2.5, -1, 10**6, "", "x", "2026-01-01", [], ["a"], {}, {"a": 1}]
NOT_DATES = ["2026-02-30", "2026-13-01", "2026-1-1", "0000-01-01", "2026-01-01\n", "26-01-01", "2026/01/01", "١٠٢٦-01-01"]
MISTAKES = ["kind", "missing", "unknown-key", "type", "date", "end-before-start", "link", "duplicate-id"]


@st.composite
def mistaken(draw, rulebook: Rulebook) -> dict:
    """A seed packet with one to three of the mistakes people make in records, each made in a
    record it can be made in (a link in a record with a link field, an end in a span)."""
    packet = copy.deepcopy(draw(st.sampled_from(seeds(rulebook is extended_book()))))
    evidence = packet.get("evidence")
    records = [r for r in evidence if isinstance(r, dict)] if isinstance(evidence, list) else []
    for _ in range(draw(st.integers(1, 3))):
        mistake = draw(st.sampled_from(MISTAKES))
        suited = [r for r in records if _suits(r, mistake, rulebook)]
        if not suited:
            continue
        record = draw(st.sampled_from(suited))
        others = [r["id"] for r in records if r is not record and isinstance(r.get("id"), str)]
        declared = _evidence(record, rulebook)
        fields = declared.fields if declared else {}
        if mistake == "kind":
            record[draw(st.sampled_from(sorted(record)))] = draw(st.sampled_from(WRONG_KINDS))
        elif mistake == "missing":
            del record[draw(st.sampled_from(sorted(record)))]
        elif mistake == "unknown-key":
            record[draw(st.sampled_from(["notse", "owner", "Title", "level", "date", "end"]))] = "x"
        elif mistake == "type":
            record["type"] = draw(st.sampled_from(["projet", "nonesuch", "Project", "design_doc", *rulebook.evidence]))
        elif mistake == "date":
            declared_dates = [name for name, field in fields.items() if field.type == "date"]
            name = draw(st.sampled_from(declared_dates) if declared_dates and draw(st.booleans()) else st.sampled_from(["date", "start", "end"]))
            record[name] = draw(st.sampled_from(NOT_DATES + ["2026-01-31", "1999-12-31"]))
        elif mistake == "end-before-start":
            record["start"], record["end"] = "2026-03-01", draw(st.sampled_from(["2026-02-28", "2026-03-01", "2025-12-31"]))
        elif mistake == "link":
            refs = [name for name, field in fields.items() if field.type == "ref"]
            itself_or_nothing = st.sampled_from([record.get("id", "X"), "NO-SUCH-1"])
            record[draw(st.sampled_from(refs))] = draw(itself_or_nothing | st.sampled_from(others) if others else itself_or_nothing)
        elif others:
            record["id"] = draw(st.sampled_from(others))
    return packet


def _evidence(record: dict, rulebook: Rulebook):
    kind = record.get("type")
    return rulebook.evidence.get(kind) if isinstance(kind, str) else None


def _suits(record: dict, mistake: str, rulebook: Rulebook) -> bool:
    declared = _evidence(record, rulebook)
    if mistake == "link":
        return declared is not None and any(field.type == "ref" for field in declared.fields.values())
    if mistake == "end-before-start":
        return declared is not None and declared.dates == "span"
    return bool(record) or mistake in ("unknown-key", "type", "date")


AS_OF = st.none() | st.sampled_from([date(2026, 6, 1), date(2024, 1, 1), date(2030, 1, 1)])
TARGET = st.none() | st.sampled_from(["developer", "senior-developer", "staff-engineer", "engineering-manager", "no-such-level"])
BOOKS = st.sampled_from([book, extended_book]).map(lambda which: which())


# `test_x, test_x_nightly = twins(n, ...)(x)`: CI's test of n cases and the nightly one's
twins = functools.partial(fuzz_strategies.twins, deadline=None, suppressed=SUPPRESSED)


def _mistakes_either_way(case: tuple[Rulebook, dict], read: bool, as_of: date | None, target: str | None, placing: bool) -> None:
    rulebook, data = case
    same_both_ways(data, read, as_of, target, placing, rulebook)


(test_a_packet_with_mistakes_in_its_records_gets_the_same_packet_or_diagnostics_from_the_fast_path,
 test_a_packet_with_mistakes_in_its_records_gets_the_same_packet_or_diagnostics_from_the_fast_path_nightly) = twins(
    300, case=BOOKS.flatmap(lambda rulebook: st.tuples(st.just(rulebook), mistaken(rulebook))), read=st.booleans(), as_of=AS_OF,
    target=TARGET, placing=st.booleans())(_mistakes_either_way)


def _broken_either_way(data: Any, read: bool, as_of: date | None, target: str | None) -> None:
    same_both_ways(data, read, as_of, target)


(test_a_packet_broken_anywhere_gets_the_same_packet_or_diagnostics_from_the_fast_path,
 test_a_packet_broken_anywhere_gets_the_same_packet_or_diagnostics_from_the_fast_path_nightly) = twins(
    200, data=st.sampled_from(seeds()).flatmap(broken), read=st.booleans(), as_of=AS_OF, target=TARGET)(_broken_either_way)


# ------------------------------------------------------------------------------------ the seeds

@pytest.mark.parametrize("extended", [False, True], ids=["built-in rulebook", "extended rulebook"])
@pytest.mark.parametrize("index", range(len(PACKET_FILES) + GENERATED))
def test_every_valid_seed_packet_is_built_the_same_by_the_one_schema_call(index, extended):
    rulebook, data = (extended_book() if extended else book()), seeds(extended)[index]
    if same_both_ways(data, rulebook=rulebook)[0] != "built":
        return  # generated cohorts hold a share of invalid packets on purpose
    assert _packet_checker(rulebook).fast.is_valid(data), "a valid packet missed the one-call path: no speed-up for it"
    assert _whole_records(data["evidence"], rulebook) is not None


def _first(packet: dict, kind: str) -> dict:
    return next(r for r in packet["evidence"] if r["type"] == kind)


def _last(packet: dict, kind: str) -> dict:
    """The last record of a type: the first talk is where every design doc was presented."""
    return [r for r in packet["evidence"] if r["type"] == kind][-1]


# Each mistake made once in a valid packet (ic-staff-ready, its design docs extended): the
# diagnostic it must get, the same from either path.
ONE_MISTAKE = {
    "an id used twice": (lambda p: _last(p, "talk").update(id=_first(p, "project")["id"]), "packet.duplicate-id"),
    "a design doc superseding itself": (lambda p: _first(p, "design-doc").update(supersedes=_first(p, "design-doc")["id"]), "packet.bad-link"),
    "a link to no record": (lambda p: _first(p, "design-doc").update(project="P-404"), "packet.bad-link"),
    "a link to a record of the wrong type": (lambda p: _first(p, "design-doc").update(presented_at=_first(p, "project")["id"]), "packet.bad-link"),
    "a date not in the calendar": (lambda p: _first(p, "talk").update(date="2026-02-30"), "packet.bad-date"),
    "a start not in the calendar": (lambda p: _first(p, "project").update(start="2025-13-01"), "packet.bad-date"),
    "an end not in the calendar": (lambda p: _first(p, "project").update(end="2025-04-31"), "packet.bad-date"),
    "a declared date field not in the calendar": (lambda p: _first(p, "design-doc").update(approved_on="2025-02-29"), "packet.bad-date"),
    "a span ending before it starts": (lambda p: _first(p, "project").update(start="2025-06-02", end="2025-06-01"), "packet.bad-date"),
    "an unknown evidence type": (lambda p: _last(p, "talk").update(type="tlak"), "packet.unknown-evidence"),
    "a number as text": (lambda p: _first(p, "project").update(duration_months="nine"), "schema.type"),
    "a required key missing": (lambda p: _first(p, "talk").pop("title"), "schema.required"),
    "an unknown key": (lambda p: _first(p, "talk").update(venue="Berlin"), "schema.additionalProperties"),
}


@pytest.mark.parametrize("mistake", ONE_MISTAKE)
def test_each_mistake_in_a_record_gets_the_same_diagnostic_from_either_path(mistake):
    make, code = ONE_MISTAKE[mistake]
    data = copy.deepcopy(seeds(extended=True)[PACKET_FILES.index(ROOT / "fixtures" / "packets" / "ic-staff-ready.yaml")])
    assert same_both_ways(data, rulebook=extended_book())[0] == "built"
    make(data)
    found = same_both_ways(data, rulebook=extended_book())
    assert found[0] == "refused" and [d.code for d in found[1]] == [code], found


@pytest.mark.parametrize("path", INVALID_FILES, ids=[p.stem for p in INVALID_FILES])
def test_every_invalid_fixture_packet_gets_the_same_diagnostics_either_way(path):
    def refusal(build) -> list:
        with pytest.raises(LadderError) as refused:
            build(load.load_file(path), book())  # a file refused as it is read (a key twice) is refused the same way
        return refused.value.diagnostics
    assert refusal(build_packet) == refusal(build_packet_slowly)


@pytest.mark.parametrize("change", ["a field named notes", "a type whose id is no id"])
def test_a_rulebook_built_in_code_past_the_rule_files_checks_still_has_its_records_held_to_the_packet_schema(change):
    """The one call leaves out the packet schema's own check of each record, which the type's
    schema implies for every rulebook read from rule files; not for one built in code with a
    field named as a record's own key, or a type id that is no id: those keep the check."""
    built_in = book()
    talk = built_in.evidence["talk"]
    record = {"id": "T-1", "type": "talk", "title": "Talk", "date": "2026-01-05", "format": "talk", "audience": "team"}
    if change == "a field named notes":
        talk = replace(talk, fields={**talk.fields, "notes": Field("notes", "integer")})
        record["notes"] = 5
    else:
        talk = replace(talk, id="Talk")
        record["type"] = "Talk"
    rulebook = replace(built_in, evidence={**built_in.evidence, talk.id: talk}, compiled_cache={})
    data = dict(seeds()[PACKET_FILES.index(ROOT / "fixtures" / "packets" / "ic-developer-ready.yaml")], evidence=[record])
    assert same_both_ways(data, rulebook=rulebook)[0] == "refused"

