"""Commented templates of evidence records, for a new packet (`scaffold`): one per kind of record
a level asks for, headed by the criteria that want it in the rulebook's own words, each field
with its type, its allowed values, whether it is required and what the criteria ask of it.

A template is written commented out, under the packet's `evidence:`; removing the `# ` after
its indent gives a record whose `<placeholders>` are then filled in. Optional fields stay
commented one level deeper, so the uncommented record holds only what it needs."""
from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from typing import Any, Iterable

import yaml

from engine.common.errors import LadderError
from engine.common.text import visible
from engine.explaining.phrasing import field_bounds, indefinite, requirement, spaced, term_phrase
from engine.reading.load import load_yaml_text
from engine.reading.model import (
    CandidateCriterion,
    CompositeCriterion,
    CountCriterion,
    Criterion,
    EvidenceType,
    Field,
    LevelRules,
    Rulebook,
    SumCriterion,
)

INDENT = "  "  # records sit this far in under `evidence:`
_VALUE_COLUMN = 36  # trailing comments line up here where the value leaves room
_MAX_PLACEHOLDER = 80  # longer lists of values are given in the field's comment instead


@dataclass
class Want:
    """A criterion that counts records of one type: what it says, and what it asks of each field."""

    criterion: Criterion
    part_of: Criterion | None  # the all_of, any_of or k_of it is one way of meeting
    against: Criterion | None  # the none_of it names a finding of: such a record counts against
    fields: dict[str, list[str]] = field(default_factory=dict)  # field -> what the criterion asks of it


@dataclass
class Asked:
    """What a level asks, from the records and from the candidate."""

    wants: dict[str, list[Want]]  # evidence type -> the criteria counting it, in the level's order
    referred: dict[str, list[str]]  # evidence type no criterion counts -> 'design doc's project field', ...
    of_candidate: list[Criterion]


def asked(book: Rulebook, rules: LevelRules) -> Asked:
    """Every kind of record the level's criteria (those it builds on included) count or link to,
    in the order the level names them, and the kinds their ref fields point at after them."""
    found = Asked({}, {}, [])
    for competency in rules.competencies:
        _walk(book, competency.criteria, None, None, found)
    pending = list(found.wants)
    while pending:  # a ref field's target, so a filled-in link has a record to name
        evidence = book.evidence[pending.pop(0)]
        for declared in evidence.fields.values():
            if declared.type == "ref" and declared.evidence not in found.wants:
                if declared.evidence not in found.referred:
                    pending.append(declared.evidence)
                found.referred.setdefault(declared.evidence, []).append(f"{evidence.name}'s {spaced(declared.name)} field")
    return found


def _walk(book: Rulebook, criteria: Iterable[Criterion], part_of: Criterion | None, against: Criterion | None, found: Asked) -> None:
    for criterion in criteria:
        if isinstance(criterion, CompositeCriterion):
            if criterion.kind == "none_of":
                _walk(book, criterion.children, part_of, against or criterion, found)
            else:
                _walk(book, criterion.children, part_of or criterion, against, found)
        elif isinstance(criterion, CandidateCriterion):
            found.of_candidate.append(criterion)
        else:
            match = criterion.match
            want = Want(criterion, part_of, against)
            found.wants.setdefault(match.evidence, []).append(want)
            for term in match.terms:
                want.fields.setdefault(term.field, []).append(term_phrase(term))
            if isinstance(criterion, CountCriterion) and criterion.distinct:
                want.fields.setdefault(criterion.distinct, []).append(f"counted once per different {spaced(criterion.distinct)}")
            if isinstance(criterion, SumCriterion):
                if criterion.field:
                    want.fields.setdefault(criterion.field, []).append("added up")
                if criterion.best_per:
                    want.fields.setdefault(criterion.best_per, []).append("only the highest per value counts")
            if match.link:
                linked = book.evidence[match.link.evidence]
                want.fields.setdefault(match.link.by, []).append(f"names {indefinite(linked.name)}")
                far = Want(criterion, part_of, against)
                found.wants.setdefault(match.link.evidence, []).append(far)
                for term in match.link.terms:
                    far.fields.setdefault(term.field, []).append(term_phrase(term))


def criterion_line(book: Rulebook, criterion: Criterion) -> str:
    """'time-at-level: At least 18 months at the level below (Developer); a blocker'."""
    notes = []
    if criterion.blocker:
        notes.append("a blocker")
    if not criterion.required:
        notes.append("optional")
    if criterion.points or criterion.points_each:
        notes.append("earns points")
    if criterion.inherited_from:
        notes.append(f"from {book.levels[criterion.inherited_from].name}")
    words = one_line(criterion.description) or requirement(book, criterion)
    return f"{criterion.id}: {words}" + "".join(f"; {note}" for note in notes)


def template(book: Rulebook, evidence: EvidenceType, record_id: str, wants: list[Want], referred: list[str]) -> list[str]:
    """The commented lines of one record's template: its heading, then the record."""
    named = evidence.name if evidence.name == evidence.id else f"{evidence.name} ({evidence.id})"
    heading = wrapped(f"---- {named}" + (f": {one_line(evidence.description)}" if evidence.description else ""), INDENT)
    if wants:
        heading.append(comment("Wanted by:"))
        for want in wants:
            heading += wrapped(criterion_line(book, want.criterion), INDENT, "  ", "      ")
            if want.against is not None:
                heading += wrapped(f"counts against you: {criterion_line(book, want.against)}", INDENT, "    ", "      ")
            elif want.part_of is not None:
                heading += wrapped(f"one way to meet {criterion_line(book, want.part_of)}", INDENT, "    ", "      ")
            heading += wrapped(f"needs {requirement(book, want.criterion)}", INDENT, "    ", "      ")
    else:
        heading += wrapped(f"Named by the {', '.join(referred)}.", INDENT)
    body = [_line("- id", record_id, "unique in this packet: give each record its own"),
            _line("  type", evidence.id, "")]
    body.append(_line("  title", "<title>", "required: what it was, in a few words"))
    if evidence.dates == "point":
        body.append(_line("  date", "<YYYY-MM-DD>", "required: the day it happened"))
    else:
        body.append(_line("  start", "<YYYY-MM-DD>", "required: the day it began"))
        body.append(_line("  # end", "<YYYY-MM-DD>", "optional: the day it ended; leave it out while it goes on"))
    body.append(_line("  # confidence", "<verified|self-reported|disputed>", "optional: self-reported if left out"))
    asks: dict[str, dict[str, list[str]]] = {}  # field -> what is asked of it -> by which criteria
    for want in wants:
        for name, phrases in want.fields.items():
            by = asks.setdefault(name, {}).setdefault(", ".join(phrases), [])
            if want.criterion.id not in by:
                by.append(want.criterion.id)
    for declared in evidence.fields.values():
        body.append(_field(book, evidence, declared, [f"{phrase} ({', '.join(ids)})" for phrase, ids in asks.get(declared.name, {}).items()]))
    return heading + [INDENT + "# " + line for line in body]


def _field(book: Rulebook, evidence: EvidenceType, declared: Field, asks: list[str]) -> str:
    shown = declared.required or bool(asks)  # a field a criterion asks for is no less needed for being optional
    placeholder, kind = _placeholder(book, declared)
    if declared.type == "ref" and declared.evidence == evidence.id:  # a record cannot name itself
        placeholder, kind = f"<id of another {evidence.id} record>", f"the id of another {evidence.name} record in this packet"
    parts = [("required" if declared.required else "optional") + ": " + kind]
    if declared.description:
        parts.append(one_line(declared.description).rstrip("."))
    if asks:
        parts.append("wanted: " + "; ".join(asks))
    return _line(("  " if shown else "  # ") + declared.name, placeholder, ". ".join(parts))


def _placeholder(book: Rulebook, declared: Field) -> tuple[str, str]:
    """What stands in for the value, and the kind of value it takes, in words."""
    bounds = field_bounds(declared)
    bounds = f"{' ' if bounds.startswith('from') else ', '}{bounds}" if bounds else ""  # "a number from 1 to 10", "a number, at least 0"
    if declared.type == "enum":
        spelt = [scalar(value) for value in declared.values]
        inline = "<" + "|".join(spelt) + ">"
        if len(inline) <= _MAX_PLACEHOLDER and all(_reads_as(text, value) and not set("<|>") & set(text)
                                                   for text, value in zip(spelt, declared.values, strict=True)) and _reads_as(inline, inline):
            return inline, "one of these"
        return "<one of the values listed>", "one of " + ", ".join(spelt)
    return {
        "string": ("<text>", "text"),
        "integer": ("<whole number>", "a whole number" + bounds),
        "number": ("<number>", "a number" + bounds),
        "boolean": ("<true|false>", "true or false"),
        "date": ("<YYYY-MM-DD>", "a date"),
        "list": ("[<text>, <text>]", "a list"),
        "ref": (f"<id of a {declared.evidence} record>",
                f"the id of {indefinite(book.evidence[declared.evidence].name)} record in this packet" if declared.evidence else "an id"),
    }[declared.type]


def _line(key: str, value: str, note: str) -> str:
    text = f"{key}: {value}"
    return f"{text.ljust(_VALUE_COLUMN - len(INDENT) - 2)}  # {one_line(note)}" if note else text


def comment(text: str) -> str:
    return f"{INDENT}# {text}".rstrip()


def wrapped(text: str, indent: str = "", first: str = "", rest: str = "", width: int = 100) -> list[str]:
    """`text` as comment lines of at most `width` characters where its words allow, the first
    line led by `first`, the others by `rest`."""
    lead = f"{indent}# "
    return [lead + line for line in textwrap.wrap(one_line(text), width - len(lead), initial_indent=first, subsequent_indent=rest,
                                                  break_long_words=False, break_on_hyphens=False)]


def one_line(text: str) -> str:
    """Rulebook text on one comment line: a line break of any kind (a folded description, a
    U+2028 that YAML would read as one) would end the comment and start a line of YAML; and a
    control or a bidi override shows as its code point (`<U+202E>`), as in every text ladder writes."""
    return " ".join(visible(text).split())


def scalar(value: Any) -> str:
    """`value` as YAML writes it on one line: quoted where ladder's YAML 1.2 reading would take it
    for something else, and double-quoted with escapes where it holds a line break."""
    def dump(**style: Any) -> str:
        return yaml.safe_dump(value, default_flow_style=True, width=float("inf"), **style).removesuffix("\n...\n").rstrip("\n")
    if isinstance(value, str) and visible(value) != value:  # a control, a bidi override: shown as its escape, never raw
        return dump(default_style='"', allow_unicode=False)
    text = dump(allow_unicode=True)
    if "\n" in text or isinstance(value, str) and not _reads_as(text, value):  # PyYAML quotes by YAML 1.1: 1e3 and 0o7 it leaves bare
        return dump(default_style='"', allow_unicode=True)
    return text


def _reads_as(text: str, value: Any) -> bool:
    """`text`, as a value with a comment after it, reads back as `value` (and nothing more)."""
    try:
        return load_yaml_text(f"k: {text}  # c\n", "<placeholder>").data == {"k": value}
    except LadderError:  # any refusal means it cannot stand as written
        return False
