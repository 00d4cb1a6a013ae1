"""`export table`: packets back into a table in a mapping's shape (CSV, or XLSX through
openpyxl's write-only mode), a row per record, so that importing the table again gives the same
packets (tests/importing/test_round_trip.py proves it for every record the default rulebook
allows).

Packets are read one at a time and rows written as they come, so a cohort of any size exports
in the same memory. A packet that is invalid, or holds a value the table cannot carry (a list
item with the separator in it), is reported and left out; every other packet is exported.
What the mapping has no column for cannot be written: each such key is reported once, as a
warning."""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator

from engine.cohorts import cohort
from engine.common.errors import Diagnostic, LadderError
from engine.importing.convert import Unreadable, Unwritable, read, write
from engine.importing.mapping import Column, Mapping, field_for
from engine.reading.load import Document
from engine.reading.model import Rulebook
from engine.reading.packet import build_packet
from engine.rendering.report import atomic_output

SUFFIXES = (".csv", ".xlsx")
# What an .xlsx cell may not hold: XML 1.0 forbids these controls (openpyxl refuses them) and U+FFFE, U+FFFF.
_NOT_IN_XLSX = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass
class ExportReport:
    packets: int = 0  # exported
    rows: int = 0
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(d.level == "error" for d in self.diagnostics)


def export_table(book: Rulebook, mapping: Mapping, specs: Iterable[str | Path], out: Path) -> ExportReport:
    """Write the packets `specs` name (files, directories, .jsonl) to `out` (.csv or .xlsx)."""
    items = list(cohort.all_items(specs))  # a spec naming no packet is refused before anything is written
    report = ExportReport()
    columns = [c for c in mapping.columns if c.header is not None]
    unmapped: dict[str, Diagnostic] = {}
    rows = _rows(book, mapping, columns, items, report, unmapped, typed=out.suffix.lower() == ".xlsx")
    header = [c.header for c in columns]
    if out.suffix.lower() == ".xlsx":
        _write_xlsx(out, mapping.sheet or "Evidence", header, rows)
    else:
        with atomic_output(out) as stream:
            writer = csv.writer(stream, lineterminator="\r\n")  # RFC 4180, as spreadsheets write it
            writer.writerow(header)
            writer.writerows(rows)
    report.diagnostics.extend(unmapped.values())
    report.diagnostics.sort()
    return report


def _rows(book: Rulebook, mapping: Mapping, columns: list[Column], items: list[cohort.Item], report: ExportReport,
          unmapped: dict[str, Diagnostic], typed: bool) -> Iterator[list[Any]]:
    for item in items:
        try:
            doc = cohort.read(item)
            build_packet(doc, book)
        except LadderError as e:
            problems = [d for d in e.diagnostics if d.code != "packet.no-as-of"]  # an as_of is for evaluating, not for a table
            if problems:
                report.diagnostics.extend(problems)
                continue
        try:
            rows = list(_packet_rows(book, mapping, columns, doc, unmapped, typed))
        except _Refused as e:
            report.diagnostics.append(e.diagnostic)
            continue
        report.packets += 1
        report.rows += len(rows)
        yield from rows


class _Refused(Exception):
    def __init__(self, diagnostic: Diagnostic):
        self.diagnostic = diagnostic


def _packet_rows(book: Rulebook, mapping: Mapping, columns: list[Column], doc: Document,
                 unmapped: dict[str, Diagnostic], typed: bool) -> Iterator[list[Any]]:
    """The packet's rows: one a record, or one with the candidate alone when it has none."""
    data = doc.data
    candidate = data["candidate"]
    mapped = {(c.part, c.key) for c in columns}
    defaults = _defaults(book, mapping)
    _note_unmapped(doc, ("candidate",), candidate, {"attributes"} | {k for p, k in mapped if p == "candidate"}, unmapped, defaults)
    _note_unmapped(doc, ("candidate", "attributes"), candidate.get("attributes", {}), {k for p, k in mapped if p == "attributes"},
                   unmapped, defaults)
    _note_unmapped(doc, (), data, {"candidate", "evidence"} | {k for p, k in mapped if p == "packet"}, unmapped, defaults)
    records = data.get("evidence") or [None]
    for index, record in enumerate(records):
        if record is not None:
            _note_unmapped(doc, ("evidence", index), record, {k for p, k in mapped if p in ("record", "fields")}, unmapped, defaults)
        row = []
        for column in columns:
            if record is None and column.part in ("record", "fields"):
                row.append(None)
                continue
            path, value = _value(column, data, record, index)
            declared = field_for(column, book, record.get("type") if record else None)
            try:
                cell = write(value, declared, column.spelling, typed) if declared else None
            except Unwritable as e:
                raise _Refused(doc.diag(path, f"{column.label}: {e}", "export.unwritable")) from None
            if typed and isinstance(cell, str) and _NOT_IN_XLSX.search(cell):
                raise _Refused(doc.diag(path, f"{column.label} holds a control character, which an .xlsx cell cannot: "
                                        "export to .csv, or remove it", "export.unwritable"))
            row.append(cell)
        yield row


def _value(column: Column, data: dict, record: dict | None, index: int) -> tuple[tuple, Any]:
    if column.part == "candidate":
        return ("candidate", column.key), data["candidate"].get(column.key)
    if column.part == "attributes":
        return ("candidate", "attributes", column.key), data["candidate"].get("attributes", {}).get(column.key)
    if column.part == "packet":
        return (column.key,), data.get(column.key)
    return ("evidence", index, column.key), record.get(column.key)


def _note_unmapped(doc: Document, path: tuple, data: dict, mapped: set[str], unmapped: dict[str, Diagnostic],
                   defaults: dict[str, Any]) -> None:
    """Warn, once a key, where a value is left out because the mapping has no column for it
    (a value its default gives back on import is not lost)."""
    part = {(): "packet", ("candidate",): "candidate", ("candidate", "attributes"): "attributes"}.get(path, "record")
    for key, value in data.items():
        label = f"{part}.{key}"
        if key in mapped or label in unmapped or (label in defaults and defaults[label] == value):
            continue
        unmapped[label] = doc.diag(path + (key,), f"{key} is not exported: the mapping has no column for {label} "
                                   "(this is the first packet with one)", "export.not-exported", level="warning")


def _defaults(book: Rulebook, mapping: Mapping) -> dict[str, Any]:
    """The value each default-only key gives every imported row, by its label (records' under `record.`)."""
    found = {}
    for column in mapping.columns:
        declared = field_for(column, book)
        if column.header is None and column.default is not None and declared is not None:
            try:
                found[f"record.{column.key}" if column.part == "fields" else column.label] = read(column.default, declared, column.spelling)
            except Unreadable:
                continue  # the import reports it
    return found


def _write_xlsx(out: Path, title: str, header: list[str], rows: Iterable[list[Any]]) -> None:
    import openpyxl
    from openpyxl.cell import WriteOnlyCell

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet(title)
    sheet.append(header)
    for row in rows:
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # text, even when it starts with '=': no formula runs from a packet's title
            elif hasattr(value, "isoformat"):
                cell.number_format = "yyyy-mm-dd"
            cells.append(cell)
        sheet.append(cells)
    with atomic_output(out, binary=True) as stream:
        book.save(stream)
