"""One table row into the values it gives a packet: the candidate's keys, the packet's, and one
evidence record, each converted by its type (`convert`), with the place of every cell, and a
located diagnostic for every cell that cannot be read, so a whole table is checked in one pass.

A row whose record columns are all empty gives the candidate (and the packet's keys) only: a
candidate with no evidence yet exports as such a row and reads back the same."""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from engine.common.errors import Diagnostic
from engine.importing.convert import Unreadable, is_empty, read
from engine.importing.mapping import Column, Mapping, field_for
from engine.importing.sources import Row, column_letter
from engine.reading.model import Rulebook

_SEEN = 2048  # candidates whose converted values are kept (about 3 MB at most; a table dealt round-robin over more converts more)
Place = tuple[int, int, int]  # (table index, row, 0-based column; -1 for a default with no column)


@dataclass
class RowValues:
    candidate: dict[str, Any] = field(default_factory=dict)  # by column label: candidate.x, attributes.x, packet.x
    record: dict[str, Any] | None = None  # the record's keys and fields, None for a candidate-only row
    places: dict[str, Place] = field(default_factory=dict)  # by label, for candidate values; by key, for the record's
    row: int = 0
    problems: list[Diagnostic] = field(default_factory=list)
    candidate_failed: bool = False  # a candidate or packet cell could not be read


@dataclass(frozen=True)
class Layout:
    """A mapping bound to one table: where each column is, and how to name it in a message.
    A source that is not a table (a document's front matter, `frontmatter.DocLayout`) says
    where its values are by overriding the methods below."""

    table: int  # index of the table among those imported
    source: str
    header: list[str]
    at: dict[str, int]  # column label -> index
    # The candidate's converted values by their cells: a candidate's columns repeat on each of
    # their rows, and need converting once. Bounded; rows with a problem are never kept here.
    seen: OrderedDict = field(default_factory=OrderedDict)

    def cell_name(self, index: int) -> str:
        """How a message names a column: its header, and its letter for finding it in a sheet."""
        name = self.header[index] if index < len(self.header) and self.header[index] else "(no header)"
        return f"column {name!r} ({column_letter(index)})"

    def where(self, row: int, index: int) -> tuple[int, int]:
        """The (line, column) a message points at for the cell at `index` of `row`; -1: no cell, the row."""
        return row, index + 1 if index >= 0 else 1

    def origin(self, row: int) -> str:
        """Where a record came from, for the comment above it in the packet."""
        return f"{self.source} row {row}"

    def row_name(self, row: int) -> str:
        return f"row {row}"

    @property
    def collection(self) -> str:
        """What the packet's heading names as its source: the table (a document: its folder)."""
        return self.source


def read_row(row: Row, mapping: Mapping, layout: Layout, book: Rulebook) -> RowValues:
    values = RowValues(row=row.number)
    candidate_columns = [c for c in mapping.columns if c.part in ("candidate", "attributes", "packet")]
    cells = tuple(_cell(row, c, layout) for c in candidate_columns)
    # A document's front matter may hold a list or keys where a value belongs: reported below,
    # never kept (it cannot be a key).
    cached = not any(isinstance(cell, (list, dict)) for cell in cells)
    known = layout.seen.get(cells) if cached else None
    if known is not None:
        layout.seen.move_to_end(cells)
        values.candidate = dict(known)
        values.places = {label: (layout.table, row.number, layout.at.get(label, -1)) for label in known}
    else:
        for column in candidate_columns:
            found = _value(row, column, field_for(column, book), layout, values)
            if found is not None:
                values.candidate[column.label] = found
                values.places[column.label] = _place(layout, column, row)
        values.candidate_failed = bool(values.problems)
        if not values.problems and cached:
            layout.seen[cells] = dict(values.candidate)
            if len(layout.seen) > _SEEN:
                layout.seen.popitem(last=False)
    record_columns = [c for c in mapping.columns if c.part in ("record", "fields")]
    if all(is_empty(_cell(row, c, layout)) for c in record_columns if c.header is not None):
        return values
    record: dict[str, Any] = {}
    kind = next((c for c in record_columns if c.part == "record" and c.key == "type"), None)
    evidence = _value(row, kind, field_for(kind, book), layout, values) if kind else None
    for column in record_columns:
        if column is kind:
            if evidence is not None:
                record["type"], values.places["type"] = evidence, _place(layout, column, row)
            continue
        if column.part == "fields" and evidence is None:
            continue  # its type is unknown, and says which fields a record has: reported at the type's cell
        declared = field_for(column, book, evidence)
        if declared is None:
            cell = _cell(row, column, layout)
            # A table's cell is filled for this record alone; a document's front matter says
            # what it says (reviewers of a strategy), and a type without the field ignores it.
            if not is_empty(cell) and mapping.kind == "table":
                values.problems.append(_problem(layout, column, row, f"a {evidence} record has no field {column.key!r}: "
                                                "leave this cell empty for it", "import.not-a-field"))
            continue
        found = _value(row, column, declared, layout, values)
        if found is not None:
            record[column.key] = found
            values.places[column.key] = _place(layout, column, row)
    values.record = record
    return values


def _cell(row: Row, column: Column, layout: Layout) -> Any:
    index = layout.at.get(column.label)
    return row.cells[index] if index is not None and index < len(row.cells) else None


def _place(layout: Layout, column: Column, row: Row) -> Place:
    return (layout.table, row.number, layout.at.get(column.label, -1))


def _value(row: Row, column: Column, declared, layout: Layout, values: RowValues) -> Any:
    """The column's value for this row: its cell converted, else its default, else None."""
    cell = _cell(row, column, layout)
    if not is_empty(cell):
        try:
            found = read(cell, declared, column.spelling)
        except Unreadable as e:
            values.problems.append(_problem(layout, column, row, e.message, e.code))
            return None
        return found
    if column.default is None:
        return None
    try:
        return read(column.default, declared, column.spelling)
    except Unreadable as e:
        where = column.pos
        values.problems.append(Diagnostic(where.file, where.line, where.col, f"default of {column.label}: {e.message}", e.code))
        return None


def _problem(layout: Layout, column: Column, row: Row, message: str, code: str) -> Diagnostic:
    index = layout.at[column.label]
    return Diagnostic(layout.source, *layout.where(row.number, index), f"{layout.cell_name(index)}: {message}", code)
