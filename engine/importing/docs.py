"""`import docs`: a folder of Markdown documents with YAML front matter in, a record per
document for each of its authors, merged into the authors' packets.

Each document is read as a table of one row per author (`frontmatter`): the same conversion
(`rows`), gathering by candidate (`spool`) and checked, atomic, merging write (`table.assemble`)
as `import table`, so the guarantees are the same - a candidate's packet is written only when
every record of theirs is valid, and a record added by hand is kept and reported. What is
particular to documents is here: the authors, the record id made from the document's path, the
date of the file's first commit when the front matter has none, and the packet an author must
already have when the documents do not say who they are (a track, a level)."""
from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from engine.common.errors import Diagnostic, LadderError
from engine.importing.convert import is_empty
from engine.importing.frontmatter import (
    DocLayout,
    find_documents,
    first_commit_date,
    read_front_matter,
    record_id,
)
from engine.importing.mapping import FOLDER, PATH, Column, Mapping
from engine.importing.rows import read_row
from engine.importing.sources import Row
from engine.importing.spool import Spool
from engine.importing.table import (
    NOT_WRITTEN,
    ImportReport,
    PacketChange,
    assemble,
    take,
)
from engine.reading.document import Document
from engine.reading.model import Rulebook
from engine.reading.rulebook import display_path
from engine.reading.validate import did_you_mean

_REQUIRED = re.compile(r"^missing required key '([a-z_]+)'$")
_ID_FREE = ("name", "track", "level", "level_since")  # what a packet needs and a document does not say


def import_docs(book: Rulebook, mapping: Mapping, root: Path, out: Path, dry_run: bool = False) -> ImportReport:
    report = ImportReport()
    shown = display_path(root)
    if not root.is_dir():
        report.diagnostics.append(Diagnostic(shown, 1, 1, "is not a folder of documents: give the folder that holds the "
                                             "Markdown files", "docs.missing"))
        return report
    layouts: list[DocLayout] = []
    with Spool() as spool:
        for path in find_documents(root):
            source = display_path(path)
            try:
                front = read_front_matter(path, source)
            except LadderError as e:
                report.diagnostics.extend(e.diagnostics)
                continue
            if front is None:
                report.skipped += 1  # a README, a page of notes: not evidence
                continue
            report.rows += 1
            relative = path.relative_to(root).as_posix()
            layout, rows, problems, unknown = _rows(front, path, relative, shown, mapping, len(layouts))
            layouts.append(layout)
            report.diagnostics.extend(unknown)  # an author not known: no record for them, and no harm to the others'
            if not rows:
                report.diagnostics.extend(problems)
            for row in rows:
                values = read_row(row, mapping, layout, book)
                values.problems += problems  # the document's own problems spoil each author's packet
                take(values, layouts, mapping, spool, report.diagnostics)
        for gathered in spool.gathered():
            missing = _unsaid(mapping)
            packet = out / f"{gathered.id}.yaml"
            if missing and not packet.exists():
                report.changes.append(_no_packet(gathered.id, gathered.places.get("candidate.id", (0, 1, -1)), missing,
                                                 packet, out, layouts, report.diagnostics))
                continue
            report.changes.append(assemble(book, mapping, gathered, layouts, out, dry_run, report.diagnostics))
    # An author's row repeats the document's fields: a bad one is found once per author.
    report.diagnostics = sorted(dict.fromkeys(_hinted(d, layouts, mapping) for d in report.diagnostics))
    return report


def _hinted(diagnostic: Diagnostic, layouts: list[DocLayout], mapping: Mapping) -> Diagnostic:
    """A required key missing from a document's front matter, with the front-matter key to add
    (and the key it has that was perhaps meant: `scop:`)."""
    missing = _REQUIRED.match(diagnostic.message) if diagnostic.code == "schema.required" else None
    layout = next((one for one in layouts if one.source == diagnostic.file), None) if missing else None
    column = next((c for c in mapping.columns if c.key == missing.group(1) and c.part in ("record", "fields")), None) if layout else None
    if column is None or column.header in (None, FOLDER, PATH):
        return diagnostic
    key = column.header
    keys = [name for name in layout.header if name not in (FOLDER, PATH)]
    return replace(diagnostic, message=f"{diagnostic.message}: add {key}: to the front matter{did_you_mean(key, keys)}")


def _rows(front: Document, path: Path, relative: str, root: str, mapping: Mapping,
          index: int) -> tuple[DocLayout, list[Row], list[Diagnostic], list[Diagnostic]]:
    """The document as a table: its header (front-matter keys, then its folder and path), one
    row per author, what is wrong with the document as a whole, and the authors not known."""
    data: dict = front.data
    header = [*data, FOLDER, PATH]
    folder = relative.rsplit("/", 2)[-2] if "/" in relative else None
    cells = [*data.values(), folder, record_id(relative)]
    spots = [front.at((key,)) for key in data] + [(1, 1), (1, 1)]
    problems: list[Diagnostic] = []
    dated_by_git = False
    date = _column(mapping, "record", "date")
    if date is not None and date.header not in (None, FOLDER, PATH) and is_empty(data.get(date.header)) and date.default is None:
        day = first_commit_date(path)
        if day is None:
            problems.append(Diagnostic(front.source, 1, 1, f"no {date.header!r} in the front matter, and git has no commit "
                                       f"of the file to date it by: add {date.header}: YYYY-MM-DD", "docs.no-date"))
        else:
            dated_by_git = True
            if date.header in data:
                cells[header.index(date.header)] = day
            else:
                header.insert(len(data), date.header)
                cells.insert(len(data), day)
                spots.insert(len(data), (1, 1))
    at = _bind(mapping, header)
    author = _column(mapping, "candidate", "id")
    authors_at = at.get(author.label, -1)
    authors, author_spots, rows = [None], [(1, 1)], []
    if authors_at >= 0:
        value = cells[authors_at]
        authors = value if isinstance(value, list) else [value]
        author_spots = [front.at((author.header, i)) for i in range(len(value))] if isinstance(value, list) else [spots[authors_at]]
    layout = DocLayout(index, front.source, header, at, root=root, spots=tuple(spots), authors=authors_at,
                       author_spots=tuple(author_spots), dated_by_git=dated_by_git)
    if (authors_at >= 0 and all(is_empty(a) for a in authors)) or (authors_at < 0 and author.default is None):
        line, col = spots[authors_at] if authors_at >= 0 else (1, 1)
        problems.append(Diagnostic(front.source, line, col, f"no authors: list who wrote it under {author.header}: (a record "
                                   "is added to each author's packet)", "docs.no-authors"))
        return layout, [], problems, []
    unknown: list[Diagnostic] = []
    for number, name in enumerate(authors, 1):
        if authors_at >= 0:
            problem = _unknown_author(name, author, layout, number)
            if problem is not None:
                unknown.append(problem)
                continue
            cells[authors_at] = name
        rows.append(Row(number, tuple(cells)))
    return layout, rows, problems, unknown


def _unknown_author(name: object, author: Column, layout: DocLayout, number: int) -> Diagnostic | None:
    """An author written as a name the mapping does not translate into a candidate id."""
    if not isinstance(name, str) or author.spelling.translated(name)[0] or " " not in name.strip():
        return None  # an id as written ('E-1588'), or a value the conversion reports
    known = [said for said, _ in author.spelling.values]
    return Diagnostic(layout.source, *layout.where(number, layout.authors),
                      f"{author.header}: {name!r} is a name, not a candidate id{did_you_mean(name, known)}: translate it "
                      f"under candidate.id's `values:` in the mapping (e.g. {name.strip()}: E-1234)", "docs.unknown-author")


def _column(mapping: Mapping, part: str, key: str) -> Column | None:
    return next((c for c in mapping.columns if c.part == part and c.key == key), None)


def _bind(mapping: Mapping, header: list[str]) -> dict[str, int]:
    """Each mapped key's index in the document's header; a key the front matter lacks is an
    empty cell (its default, or a missing value the packet's checks report)."""
    index = {name: i for i, name in enumerate(header)}
    return {c.label: index[c.header] for c in mapping.columns if c.header in index}


def _unsaid(mapping: Mapping) -> list[str]:
    """The candidate's required keys the mapping does not give: an author's packet must exist."""
    given = {c.key for c in mapping.columns if c.part == "candidate"}
    return [key for key in _ID_FREE if key not in given]


def _no_packet(candidate: str, place: tuple[int, int, int], missing: list[str], packet: Path, out: Path,
               layouts: list[DocLayout], diagnostics: list[Diagnostic]) -> PacketChange:
    layout = layouts[place[0]]
    diagnostics.append(Diagnostic(layout.source, *layout.where(place[1], place[2]),
                                  f"author {candidate} has no packet in {display_path(out)} to add this record to, and documents "
                                  f"do not give a candidate's {', '.join(missing)}: start it first (ladder new {display_path(packet)} "
                                  f"--candidate {candidate} --name ... --track ... --level ..., or ladder import table), then "
                                  "import the documents again", "docs.no-packet"))
    return PacketChange(candidate, display_path(packet), NOT_WRITTEN)
