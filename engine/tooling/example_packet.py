"""An example promotion packet for the published framework's evidence page: one record of every
evidence type, with the values the rules ask for where they name some, so a reader sees what a
packet looks like and what counts. Generated from the rulebook, so it is always a valid packet
for it (the tests load it)."""
from __future__ import annotations

from datetime import date
from typing import Any, Iterable, Iterator

import yaml

from engine.reading.model import CompositeCriterion, CountCriterion, Criterion, EvidenceType, Field, Rulebook, SumCriterion, Term

AS_OF = date(2026, 6, 1)  # fixed, so the same rules give the same pages on any day
POINT = date(2026, 3, 2)
SPAN = (date(2025, 9, 1), date(2026, 2, 27))


def example_packet(book: Rulebook) -> str:
    """The packet as YAML, with a first line saying whose it is."""
    track = next(iter(book.tracks.values()))
    target = next((level for level in track.levels if level.rank and level.id in book.rules), None)
    current = track.levels[target.rank - 1] if target else track.levels[0]
    asked = _values_asked(book, target.id if target else None)
    ids = record_ids(book)
    packet: dict[str, Any] = {
        "candidate": {"id": "E-1001", "name": "Alex Morgan", "track": track.id, "level": current.id,
                      "level_since": date(AS_OF.year - 2, AS_OF.month, AS_OF.day), "manager": "Sam Lee", "team": "payments"},
        "as_of": AS_OF,
        "evidence": [_record(evidence, ids, asked) for evidence in book.evidence.values()],
    }
    going_for = f", going for {target.name} (the next level; `target:` names another)" if target else ""
    return (f"# A {current.name}{going_for}, with one record of each kind of evidence.\n"
            + yaml.dump(packet, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100))


class _Dumper(yaml.SafeDumper):
    """Every value written out where it is used: ladder reads no YAML aliases (`&id001`)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def record_ids(book: Rulebook) -> dict[str, str]:
    """A short id per evidence type, from its initials: P-1, DD-1, TG-1."""
    ids: dict[str, str] = {}
    for evidence in book.evidence.values():
        stem = "".join(word[:1] for word in evidence.id.split("-")).upper()
        candidate, n = f"{stem}-1", 1
        while candidate in ids.values():
            n += 1
            candidate = f"{stem}-{n}"
        ids[evidence.id] = candidate
    return ids


def _values_asked(book: Rulebook, target: str | None) -> dict[tuple[str, str], Any]:
    """For each (evidence type, field), a value some criterion asks for: the target level's first."""
    asked: dict[tuple[str, str], Any] = {}
    levels = sorted(book.rules.values(), key=lambda rules: rules.level.id != target)
    for rules in levels:
        for criterion in _asking(c for competency in rules.competencies for c in competency.criteria):
            terms = [(evidence, t) for evidence in criterion.match.types for t in criterion.match.terms]
            if criterion.match.link:
                terms += [(criterion.match.link.evidence, t) for t in criterion.match.link.terms]
            for evidence, term in terms:
                value = _meeting(term)
                if value is not None:
                    asked.setdefault((evidence, term.field), value)
    return asked


def _asking(criteria: Iterable[Criterion]) -> Iterator[CountCriterion | SumCriterion]:
    """The counts and sums that ask for records, at any depth: not those under a none_of, which
    name what must not be there (a conduct concern is no example to follow)."""
    for criterion in criteria:
        if isinstance(criterion, (CountCriterion, SumCriterion)):
            yield criterion
        elif isinstance(criterion, CompositeCriterion) and criterion.kind != "none_of":
            yield from _asking(criterion.children)


def _meeting(term: Term) -> Any:
    """A value that meets `term`, where one is plain to see."""
    if term.op == "eq":
        return term.value
    if term.op == "in" and term.value:
        return term.value[0]
    if term.op == "gte":
        return term.value
    if term.op == "gt" and isinstance(term.value, int):
        return term.value + 1
    return None


def _record(evidence: EvidenceType, ids: dict[str, str], asked: dict[tuple[str, str], Any]) -> dict[str, Any]:
    record: dict[str, Any] = {"id": ids[evidence.id], "type": evidence.id, "title": f"Example {evidence.name}"}
    if evidence.dates == "point":
        record["date"] = POINT
    else:
        record["start"], record["end"] = SPAN
    record["confidence"] = "verified"
    for field in evidence.fields.values():
        key = (evidence.id, field.name)
        if field.type == "ref":
            record[field.name] = ids[field.evidence]
        elif key in asked:
            record[field.name] = _parsed(field, asked[key])
        elif field.required:
            record[field.name] = _plain(field)
    return record


def _parsed(field: Field, value: Any) -> Any:
    """A value from the rules as the packet writes it (dates are dates)."""
    return date.fromisoformat(value) if field.type == "date" and isinstance(value, str) else value


def _plain(field: Field) -> Any:
    """Some value a field may take, for a required field no rule names a value of."""
    if field.type == "enum":
        return field.values[0]
    if field.type == "boolean":
        return True
    if field.type in ("integer", "number"):
        low = field.minimum if field.minimum is not None else 1
        return int(low) if field.type == "integer" else low
    if field.type == "date":
        return POINT
    if field.type == "list":
        return ["example"]
    return "example"
