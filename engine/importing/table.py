"""`import table`: tables in, one packet per candidate out.

Every row of every table is read and checked first (`rows`), set aside by candidate (`spool`),
then each candidate's packet is assembled, merged into the packet that exists (`merge`),
checked as `ladder validate` checks it, with each problem reported at the cell it came from,
and written atomically - only when all of the candidate's rows were valid. One candidate's bad
row never holds back another's packet."""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from engine.common.errors import Diagnostic, LadderError
from engine.importing.mapping import Mapping, bind
from engine.importing.merge import Merged, merge, record_key
from engine.importing.packet_text import ordered, other_imports, packet_text
from engine.importing.rows import Layout, Place, read_row
from engine.importing.sources import open_table
from engine.importing.spool import Gathered, Spool
from engine.reading.load import Document, load_file
from engine.reading.model import Rulebook
from engine.reading.packet import build_packet
from engine.reading.rulebook import display_path
from engine.rendering.report import write_atomic

NEW, UPDATED, UNCHANGED, NOT_WRITTEN = "new", "updated", "unchanged", "not written"


@dataclass
class PacketChange:
    """What the import did, or with `dry_run` would do, to one candidate's packet."""

    candidate: str
    path: str  # as displayed
    status: str  # NEW | UPDATED | UNCHANGED | NOT_WRITTEN
    records: int = 0
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    diff: str = ""  # with dry_run: a unified diff from the packet that exists (or nothing) to the new one


@dataclass
class ImportReport:
    changes: list[PacketChange] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    rows: int = 0  # table rows, or documents with front matter
    skipped: int = 0  # documents without front matter (a README): not evidence

    @property
    def ok(self) -> bool:
        return not any(d.level == "error" for d in self.diagnostics)


def import_tables(book: Rulebook, mapping: Mapping, files: Iterable[Path], out: Path, dry_run: bool = False) -> ImportReport:
    report = ImportReport()
    layouts: list[Layout] = []
    with Spool() as spool:
        for index, path in enumerate(files):
            source = display_path(path)
            try:
                with open_table(path, source, mapping.sheet) as table:
                    layout = Layout(index, source, table.header, {})
                    layouts.append(layout)
                    layout.at.update(bind(mapping, table.header, source))
                    for row in table.rows:
                        report.rows += 1
                        take(read_row(row, mapping, layout, book), layouts, mapping, spool, report.diagnostics)
            except LadderError as e:
                report.diagnostics.extend(e.diagnostics)
                spool.spoil_table(index)
                if not layouts or layouts[-1].table != index:
                    layouts.append(Layout(index, source, [], {}))
        for gathered in spool.gathered():
            report.changes.append(assemble(book, mapping, gathered, layouts, out, dry_run, report.diagnostics))
    report.diagnostics.sort()
    return report


def take(values, layouts: list[Layout], mapping: Mapping, spool: Spool, diagnostics: list[Diagnostic]) -> None:
    """One read row (of the last of `layouts`) into the spool, with what is wrong with it."""
    layout = layouts[-1]
    diagnostics.extend(values.problems)
    candidate = values.candidate.get("candidate.id")
    if candidate is None:
        index = layout.at.get("candidate.id", 0)
        if not any((d.line, d.col) == layout.where(values.row, index) for d in values.problems):  # else: said why already
            diagnostics.append(Diagnostic(layout.source, *layout.where(values.row, index), f"{layout.cell_name(index)}: no candidate id: "
                                          "every row names the candidate its record belongs to", "import.no-candidate"))
        return
    own = {label: values.places[label] for label in values.candidate}
    for label, first, place in spool.candidate(candidate, layout.table, values.candidate, own, bool(values.problems),
                                               values.candidate_failed):
        index = values.places[label][2]
        diagnostics.append(Diagnostic(layout.source, *layout.where(values.row, index),
                                      f"{layout.cell_name(index)}: {values.candidate[label]!r} for candidate {candidate}, where "
                                      f"{layouts[place[0]].row_name(place[1])} has {first!r}: every row of a candidate must agree",
                                      "import.candidate-conflict"))
    if values.record is None:
        return
    key = record_key(values.record, mapping.match)
    earlier = spool.record(candidate, key, values.record, {k: values.places[k] for k in values.record}, bool(values.problems))
    if earlier is not None:
        index = values.places.get(mapping.match[0], (0, 0, 0))[2]
        keys = ", ".join(f"{k} {v!r}" for k, v in zip(mapping.match, key))
        diagnostics.append(Diagnostic(layout.source, *layout.where(values.row, index),
                                      f"{layout.cell_name(index)}: candidate {candidate} already has the record with {keys} "
                                      f"on {layouts[earlier[0]].row_name(earlier[1])}: each record is one row", "import.duplicate-record"))
        spool.spoil(candidate)


def imported_packet(gathered: Gathered) -> dict[str, Any]:
    """The packet the table gives a candidate, before it meets the one that exists."""
    candidate: dict[str, Any] = {}
    packet: dict[str, Any] = {"candidate": candidate}
    for label, value in gathered.values.items():
        part, key = label.split(".", 1)
        if part == "candidate":
            candidate[key] = value
        elif part == "attributes":
            candidate.setdefault("attributes", {})[key] = value
        else:
            packet[key] = value
    packet["evidence"] = [record for record, _, _ in gathered.records]
    return packet


def assemble(book: Rulebook, mapping: Mapping, gathered: Gathered, layouts: list[Layout], out: Path, dry_run: bool,
             diagnostics: list[Diagnostic]) -> PacketChange:
    """A candidate's packet from what was gathered for them, merged into the one in `out`,
    checked, and written (or, with `dry_run`, diffed): for tables and documents alike, each
    value located by the `Layout` of the source that gave it."""
    path = out / f"{gathered.id}.yaml"
    change = PacketChange(gathered.id, display_path(path), NOT_WRITTEN, len(gathered.records))
    existing: Document | None = None
    before = ""
    if path.exists():
        try:
            existing = load_file(path, display_path(path))
            before = path.read_text(encoding="utf-8")
        except LadderError as e:
            diagnostics.extend(e.diagnostics)
            diagnostics.append(Diagnostic(change.path, 1, 1, "the packet that exists cannot be read, so the import cannot "
                                          "merge into it: fix it, or move it away to import afresh", "import.unreadable-packet"))
            return change
        if not isinstance(existing.data, dict):
            diagnostics.append(existing.diag((), "is not a packet (a mapping with candidate and evidence): fix it, or move it "
                                             "away to import afresh", "import.unreadable-packet"))
            return change
    merged = merge(existing.data if existing else None, imported_packet(gathered), mapping)
    packet = ordered(merged.packet, book)
    problems = _problems(book, packet, _locator(gathered, merged, layouts, existing), mapping)
    if gathered.bad:
        # Its rows' own errors are reported, and the packet is not written: a packet of the rows
        # that were right would be a wrong packet. What else is wrong with it is reported too
        # (a link to a record no row has, an end before a start), but nothing at a value that
        # could not be read: that is one mistake, already said.
        problems = [d for path, d in problems if not _doubtful(path, gathered, merged)]
        diagnostics.extend(problems)
        return change
    diagnostics.extend(d for _, d in problems)
    if problems:
        return change
    tables = sorted({place[0] for _, places, _ in gathered.records for place in places.values()}
                    | {place[0] for place in gathered.places.values()})
    elsewhere = other_imports(before, {i: existing.at(("evidence", i))[0] for _, i in merged.kept},
                              {layout.collection for layout in layouts}) if existing else {}
    text, starts = packet_text(packet, [_origin(o, gathered, layouts, mapping, elsewhere) for o in merged.origins],
                               _heading(mapping, list(dict.fromkeys(layouts[t].collection for t in tables)), before))
    for (record_id, index), new_index in zip(merged.kept, (i for i, o in enumerate(merged.origins) if o[0] == "packet")):
        if index in elsewhere:
            continue
        message = f"record {record_id} is in the packet but not in the {mapping.noun}: kept as it is (delete it from the packet if it should go)"
        if dry_run:  # where it is in the file as it stands
            diagnostics.append(existing.diag(("evidence", index), message, "import.kept", level="info"))
        else:  # where it is in the file as written
            diagnostics.append(Diagnostic(change.path, starts[new_index], 5, message, "import.kept", level="info"))
    change.records = len(packet["evidence"])
    change.status = NEW if existing is None else UNCHANGED if text == before else UPDATED
    # A new packet's records are all added: not listed, so a large import's report stays small.
    change.added = merged.added if change.status != NEW else []
    change.updated, change.kept = merged.updated, [i for i, index in merged.kept if index not in elsewhere]
    if dry_run:
        if change.status != UNCHANGED:
            change.diff = "".join(difflib.unified_diff(before.splitlines(True), text.splitlines(True),
                                                       change.path if existing else "/dev/null", change.path))
    elif change.status != UNCHANGED:
        try:
            out.mkdir(parents=True, exist_ok=True)
            write_atomic(path, text)
        except OSError as e:
            diagnostics.append(Diagnostic(change.path, 1, 1, f"cannot write: {e.strerror or e}", "import.unwritable"))
            change.status = NOT_WRITTEN
    return change


def _heading(mapping: Mapping, sources: list[str], before: str) -> str:
    """What made the packet and what importing again does. A packet fed by several imports (a
    table, then documents) names each, in a fixed order, so that each import run again leaves
    the packet as it is."""
    keys = " and ".join(mapping.match)
    ours = f"Imported by `ladder import {mapping.kind}` from {', '.join(sources) or 'no ' + mapping.kind} with {mapping.source}."
    same = (f"Imported by `ladder import {mapping.kind}` from ", f" with {mapping.source}.")
    others = [line[2:] for line in before.splitlines() if line.startswith("# Imported by `ladder import ")
              and not (line[2:].startswith(same[0]) and line.endswith(same[1]))]
    if others:
        return "\n".join(sorted({*others, ours})) + ("\nImporting again with any of these updates each record its source has "
                                                     "(matched by its\nmapping's keys), adds new ones, and keeps any record added here by hand.")
    return (f"{ours}\nImporting again updates each record the {mapping.noun} {'have' if mapping.kind == 'docs' else 'has'} "
            f"(matched by {keys}), adds new ones, and keeps\nany record added here by hand.")


def _origin(origin: tuple[str, int], gathered: Gathered, layouts: list[Layout], mapping: Mapping,
            elsewhere: dict[int, str]) -> str:
    kind, index = origin
    if kind == "packet":
        return elsewhere.get(index, f"not in the {mapping.noun}: kept as it was")
    table, row, _ = _row_of(gathered.records[index][1])
    return layouts[table].origin(row)


def _row_of(places: dict[str, Place]) -> Place:
    return min(places.values(), default=(0, 0, -1))


Locator = Callable[[tuple], tuple[str, int, int, str]]


def _locator(gathered: Gathered, merged: Merged, layouts: list[Layout], existing: Document | None) -> Locator:
    """Where a value of the merged packet was written: its cell (and the column's name, to put
    before the message), or its place in the packet that exists."""
    first = min(list(gathered.places.values()) + [_row_of(p) for _, p, _ in gathered.records], default=(0, 1, -1))

    def cell(place: Place) -> tuple[str, int, int, str]:
        layout = layouts[place[0]]
        if place[2] < 0:
            return layout.source, *layout.where(place[1], -1), ""
        return layout.source, *layout.where(place[1], place[2]), f"{layout.cell_name(place[2])}: "

    def locate(path: tuple) -> tuple[str, int, int, str]:
        if path[:1] == ("evidence",) and len(path) > 1 and isinstance(path[1], int) and path[1] < len(merged.origins):
            kind, index = merged.origins[path[1]]
            if kind == "packet":
                return existing.source, *existing.at(("evidence", index) + path[2:]), ""
            places = gathered.records[index][1]
            key = path[2] if len(path) > 2 else None
            if key in places:
                return cell(places[key])
            table, row, _ = _row_of(places)
            index = layouts[table].at.get(f"record.{key}", layouts[table].at.get(f"fields.{key}", -1))
            return cell((table, row, index))
        label = _label(path)
        if label in gathered.places:
            return cell(gathered.places[label])
        if existing is not None and path:
            return existing.source, *existing.at(path), ""
        return cell(first[:2] + (-1,))
    return locate


def _label(path: tuple) -> str | None:
    """The mapping's label of a candidate or packet key, from its path in the packet."""
    if len(path) == 2 and path[0] == "candidate":
        return f"candidate.{path[1]}"
    if len(path) == 3 and path[:2] == ("candidate", "attributes"):
        return f"attributes.{path[2]}"
    return f"packet.{path[0]}" if len(path) == 1 else None


def _doubtful(path: tuple, gathered: Gathered, merged: Merged) -> bool:
    """Whether a value at `path` of a bad candidate's packet may be missing because its cell
    could not be read."""
    if path[:1] == ("evidence",) and len(path) > 1 and isinstance(path[1], int) and path[1] < len(merged.origins):
        kind, index = merged.origins[path[1]]
        return kind == "table" and gathered.records[index][2]
    return gathered.shaky


_REQUIRED = re.compile(r"^missing required key '([a-z_]+)'$")


@dataclass
class _Placed(Document):
    """A packet assembled from tables, whose every problem `build_packet` finds is reported at
    the cell (or the line of the packet that exists) that gave the value, and kept with its path."""

    locate: Locator | None = None
    found: dict[Diagnostic, tuple] = field(default_factory=dict)

    def diag(self, path: tuple, message: str, code: str, level: str = "error", key: bool = False) -> Diagnostic:
        path = tuple(path)
        missing = _REQUIRED.match(message) if code == "schema.required" else None
        if missing:  # at the empty cell of the key, rather than at the start of the row
            path += (missing.group(1),)
        source, line, col, column = self.locate(path)
        diagnostic = Diagnostic(source, line, col, column + message, code, level)
        self.found.setdefault(diagnostic, path)
        return diagnostic


def _problems(book: Rulebook, packet: dict[str, Any], locate: Locator, mapping: Mapping) -> list[tuple[tuple, Diagnostic]]:
    """What `ladder validate` would find in the packet, at its cells, each with its path. A
    packet without an as_of date is valid here: `evaluate --as-of` gives one."""
    placed = _Placed(locate(())[0], packet, locate=locate)
    try:
        build_packet(placed, book)
    except LadderError as e:
        return [(placed.found.get(d, ()), d) for d in e.diagnostics if d.code != "packet.no-as-of"]
    return []
