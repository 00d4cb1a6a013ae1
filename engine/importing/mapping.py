"""Mapping files: which column of a table holds the candidate's id, each candidate and record
key and each record field, and how its cells are written (`schemas/mapping.schema.json`).

A mapping is read like every ladder document (located errors, the schema, then checks against
the rulebook: a field no evidence type declares, a translation into a value no field allows, a
date format that loses the day). It is then bound to each table's header row (`bind`), which
says which columns the table lacks; both report every problem at once."""
from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Iterable

from engine.common.errors import Diagnostic, LadderError, raise_if_errors
from engine.importing.convert import FALSE_WORDS, ISO, SEPARATOR, TRUE_WORDS, Spelling
from engine.reading import validate
from engine.reading.load import Document, load_file
from engine.reading.model import Field, Pos, Rulebook
from engine.reading.rulebook import display_path

CONFIDENCE = ("verified", "self-reported", "disputed")
RECORD_KEYS = ("id", "type", "title", "date", "start", "end", "confidence", "notes")
CANDIDATE_KEYS = ("id", "name", "track", "level", "level_since", "manager", "team", "nominated")
PACKET_KEYS = ("as_of", "target")
# What a document gives besides its front matter's keys (a front-matter key cannot be written
# with angle brackets and spaces by accident): its folder, and the record id its path makes.
FOLDER, PATH = "<folder>", "<path>"


@dataclass(frozen=True)
class Column:
    """One key of a packet and where a table holds it."""

    part: str  # candidate | attributes | packet | record | fields
    key: str
    header: str | None  # None: no column, every row takes the default; docs: the front-matter key (or FOLDER, PATH)
    spelling: Spelling
    default: Any
    pos: Pos  # where the mapping says it

    @functools.cached_property
    def label(self) -> str:
        return f"{self.part}.{self.key}"


@dataclass(frozen=True)
class Mapping:
    source: str
    sheet: str | None
    columns: tuple[Column, ...]  # in the mapping's order, which is the exported table's
    match: tuple[str, ...]
    spelling: Spelling  # the mapping-wide formats
    kind: str = "table"  # table | docs: what `ladder import` reads with it

    @property
    def noun(self) -> str:
        """What the packet's records came from, in messages."""
        return "documents" if self.kind == "docs" else "table"

    def part(self, name: str) -> list[Column]:
        return [c for c in self.columns if c.part == name]


def load_mapping(path: str | Path, book: Rulebook, kind: str = "table") -> Mapping:
    """Read and check a mapping file of `kind` (table, docs) against `book`; LadderError with
    every problem found."""
    doc = load_file(path, display_path(Path(path)))
    raise_if_errors(validate.check(doc, "mapping"))
    mapping = build_mapping(doc, book)
    if mapping.kind != kind:
        advice = ("use it with `ladder import docs`" if mapping.kind == "docs"
                  else "documents need a mapping with `source: docs`, naming front-matter keys")
        raise LadderError([doc.diag(("source",), f"is a mapping for {mapping.kind}, not {kind}: {advice}", "mapping.wrong-kind")])
    return mapping


def build_mapping(doc: Document, book: Rulebook) -> Mapping:
    data: dict = doc.data
    kind = data.get("source", "table")
    formats = data.get("formats", {})
    base = Spelling(date_format=formats.get("date", ISO), separator=formats.get("separator", SEPARATOR),
                    true_words=tuple(formats.get("true_values", TRUE_WORDS)), false_words=tuple(formats.get("false_values", FALSE_WORDS)))
    problems: list[Diagnostic] = []
    if "date" in formats:
        problems += _format_problems(doc, ("formats", "date"), base.date_format)
    columns: list[Column] = []
    places = [("candidate", k, ("candidate", k)) for k in data["candidate"] if k != "attributes"]
    places += [("attributes", k, ("candidate", "attributes", k)) for k in data["candidate"].get("attributes", {})]
    places += [("packet", k, ("packet", k)) for k in data.get("packet", {})]
    if kind == "docs" and "id" not in data["record"]:  # stable across re-imports: the document's path, not an order
        places += [("record", "id", ("record",))]
    places += [("record", k, ("record", k)) for k in data["record"]]
    places += [("fields", k, ("fields", k)) for k in data.get("fields", {})]
    for part, key, path in places:
        spec = _value(data, path) if path != ("record",) else {"key": PATH}
        spec = {"key" if kind == "docs" else "column": spec} if isinstance(spec, str) else spec
        problems += _spelling_problems(doc, path, spec, kind)
        header = FOLDER if spec.get("folder") else spec.get("key" if kind == "docs" else "column")
        spelling = Spelling(values=tuple(spec.get("values", {}).items()), date_format=spec.get("format", base.date_format),
                            separator=spec.get("separator", base.separator), true_words=base.true_words,
                            false_words=base.false_words,
                            holder="column" if kind == "table" else "folder" if spec.get("folder") else "key")
        column = Column(part, key, header, spelling, spec.get("default"), Pos(doc.source, *doc.at(path)))
        problems += _column_problems(doc, path, column, spec, book)
        columns.append(column)
    headers: dict[str, Column] = {}
    for column, (_, _, path) in zip(columns, places):
        if column.header is None or kind == "docs":  # nothing is exported into documents: a key (the folder) may feed several
            continue
        first = headers.setdefault(validate.loose_spelling(column.header), column)
        if first is not column:
            problems.append(doc.diag(path, f"column {column.header!r} is already read into {first.label} (line {first.pos.line}): "
                                     "a column feeds one key, so an export can write it back", "mapping.duplicate-column"))
    match = tuple(data.get("match", ["id"]))
    mapped = {c.key for c in columns if c.part in ("record", "fields")}
    for index, key in enumerate(match):
        if key not in mapped:
            problems.append(doc.diag(("match", index), f"match key {key!r} is not a record key this mapping reads"
                                     f"{validate.did_you_mean(key, sorted(mapped))}", "mapping.unknown-match"))
    raise_if_errors(problems)
    return Mapping(doc.source, data.get("sheet"), tuple(columns), match, base, kind)


def _spelling_problems(doc: Document, path: tuple, spec: dict, kind: str) -> list[Diagnostic]:
    """A table's mapping names columns; a docs mapping names front-matter keys (or the folder)."""
    wrong = ("key", "folder") if kind == "table" else ("column",)
    return [doc.diag(path + (word,), f"a {kind} mapping {'names columns' if kind == 'table' else 'names front-matter keys'}: "
                     f"write {'column' if kind == 'table' else 'key'}: here, not {word}: "
                     f"({'set source: docs to read documents' if kind == 'table' else 'or folder: true, for the folder'})",
                     "mapping.wrong-kind", key=True) for word in wrong if word in spec]


def _value(data: dict, path: tuple) -> Any:
    for key in path:
        data = data[key]
    return data


def field_for(column: Column, book: Rulebook, evidence: str | None = None) -> Field | None:
    """The type a column's cells are read as: a built-in key's own, or the field the evidence
    type declares (None when that type has no such field)."""
    if column.part == "fields":
        declared = book.evidence.get(evidence) if evidence else None
        return declared.fields.get(column.key) if declared else None
    return key_field(column.part, column.key, book)


def key_field(part: str, key: str, book: Rulebook) -> Field:
    """The built-in keys of packets, candidates and records, as fields with a type (made once
    per rulebook: an import asks for every cell of every row)."""
    cache = book.compiled_cache.setdefault("import-key-fields", {})
    if (part, key) not in cache:
        cache[(part, key)] = _key_field(part, key, book)
    return cache[(part, key)]


def _key_field(part: str, key: str, book: Rulebook) -> Field:
    if part == "attributes":
        return Field(key, "string")
    kinds = {
        ("candidate", "id"): Field(key, "ref"), ("candidate", "track"): Field(key, "enum", values=tuple(book.tracks)),
        ("candidate", "level"): Field(key, "enum", values=tuple(book.levels)), ("candidate", "level_since"): Field(key, "date"),
        ("candidate", "nominated"): Field(key, "boolean"), ("packet", "as_of"): Field(key, "date"),
        ("packet", "target"): Field(key, "enum", values=tuple(book.levels)), ("record", "id"): Field(key, "ref"),
        ("record", "type"): Field(key, "enum", values=tuple(book.evidence)), ("record", "date"): Field(key, "date"),
        ("record", "start"): Field(key, "date"), ("record", "end"): Field(key, "date"),
        ("record", "confidence"): Field(key, "enum", values=CONFIDENCE),
    }
    return kinds.get((part, key), Field(key, "string"))


def _declared(column: Column, book: Rulebook) -> list[Field]:
    """Every type the column's cells may be read as (a field name several evidence types declare)."""
    if column.part != "fields":
        return [key_field(column.part, column.key, book)]
    return [e.fields[column.key] for e in book.evidence.values() if column.key in e.fields]


def _column_problems(doc: Document, path: tuple, column: Column, spec: dict, book: Rulebook) -> list[Diagnostic]:
    declared = _declared(column, book)
    if not declared:
        names = sorted({name for e in book.evidence.values() for name in e.fields})
        return [doc.diag(path, f"no evidence type has a field {column.key!r}{validate.did_you_mean(column.key, names)}",
                         "mapping.unknown-field", key=True)]
    problems = []
    types = {f.type for f in declared}
    if "format" in spec:
        if "date" not in types:
            problems.append(doc.diag(path + ("format",), f"{column.label} is not a date: a format applies to date columns only",
                                     "mapping.not-a-date", key=True))
        else:
            problems += _format_problems(doc, path + ("format",), spec["format"])
    if "separator" in spec and "list" not in types:
        problems.append(doc.diag(path + ("separator",), f"{column.label} is not a list: a separator applies to list columns only",
                                 "mapping.not-a-list", key=True))
    for said, meant in spec.get("values", {}).items():
        problem = _translation_problem(meant, declared)
        if problem:
            problems.append(doc.diag(path + ("values", said), f"{said!r} translates to {meant!r}, {problem}", "mapping.unknown-value"))
    return problems


def _translation_problem(meant: Any, declared: Iterable[Field]) -> str | None:
    """Why no declaration of the column can hold `meant`, or None."""
    allowed: list[str] = []
    for field in declared:
        if field.type == "boolean":
            fits = isinstance(meant, bool)
        elif field.type == "enum":
            fits = meant in field.values
        else:
            fits = isinstance(meant, str)
        if fits:
            return None
        allowed += field.values
    if allowed:
        return f"which is not one of {', '.join(dict.fromkeys(allowed))}{validate.did_you_mean(str(meant), allowed)}"
    return "which its column cannot hold (true or false for a yes/no column, text for the others)"


def _format_problems(doc: Document, path: tuple, pattern: str) -> list[Diagnostic]:
    """A date format must write a date that reads back as the same day (no lost year or day)."""
    sample = date(2026, 11, 29)
    try:
        back = datetime.strptime(sample.strftime(pattern), pattern).date()
    except ValueError:
        back = None
    if back == sample:
        return []
    return [doc.diag(path, f"date format {pattern!r} does not give back the day it writes ({sample} is written "
                     f"{sample.strftime(pattern)!r}): use day, month and year, e.g. '%d/%m/%Y'", "mapping.bad-format")]


def bind(mapping: Mapping, header: list[str], table: str) -> dict[str, int]:
    """Each mapped column's index in a table's header row, by the column's label; LadderError
    (at the mapping's line) for every column the table lacks, with the closest header."""
    exact = {}
    similar: dict[str, list[int]] = {}
    for index, name in enumerate(header):
        if name:
            exact.setdefault(name, index)
            similar.setdefault(validate.loose_spelling(name), []).append(index)
    found, problems = {}, []
    for column in mapping.columns:
        if column.header is None:
            continue
        if column.header in exact:
            found[column.label] = exact[column.header]
        elif len(similar.get(validate.loose_spelling(column.header), [])) == 1:  # 'Record ID' for 'record id'
            found[column.label] = similar[validate.loose_spelling(column.header)][0]
        elif column.default is None:
            names = [h for h in header if h]
            problems.append(Diagnostic(column.pos.file, column.pos.line, column.pos.col,
                                       f"{table} has no column {column.header!r} for {column.label}"
                                       f"{validate.did_you_mean(column.header, names)}; its columns: {', '.join(names)}",
                                       "mapping.missing-column"))
    if problems:
        raise LadderError(problems)
    return found
