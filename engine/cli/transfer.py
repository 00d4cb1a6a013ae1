"""Evidence in and out of packets: `import table`, `import docs` and `export table`."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from engine.cli.app import (
    check_out,
    load_rulebook,
    main,
    print_diagnostics,
    rules_option,
    stopping_on_failure,
    writing,
)
from engine.common.text import plural


@main.group("import")
def import_group() -> None:
    """Make packets from where evidence is kept: spreadsheets (`ladder import table`) and
    Markdown documents with front matter (`ladder import docs`).

    \b
      ladder import table tracker.csv --map tracker.map.yaml --out packets/
      ladder import docs docs/ --map docs.map.yaml --out packets/
    """


@import_group.command("table")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--map", "mapping", required=True, type=click.Path(path_type=Path, dir_okay=False),
              help="The mapping file (YAML, schemas/mapping.schema.json): which column holds what, and how values translate.")
@click.option("--out", required=True, type=click.Path(path_type=Path, file_okay=False),
              help="The packets' directory: one <candidate id>.yaml each, merged into the one there (created if missing).")
@click.option("--dry-run", is_flag=True, help="Write nothing: print what each packet would become, as a diff.")
@rules_option
def import_table(files: tuple[Path, ...], mapping: Path, out: Path, dry_run: bool, rules: Path | None) -> None:
    """Make one packet per candidate from tables of evidence records (.csv, .xlsx), a record a row.

    The mapping names the column of the candidate's id, of each candidate and record key and of
    each record field, with translations ('Shipped' -> shipped, 'Y' -> true) and date formats;
    values are checked by the types the rulebook declares. A candidate's packet is written
    (atomically) only when all of their rows are valid; every bad cell is reported as
    FILE:ROW:COLUMN (the column's number; the message names its header and letter). A packet
    that exists is merged into: records matched by id (or the mapping's `match` keys) are
    updated, new ones added, and a record only in the packet is kept and reported.

    \b
      ladder import table fixtures/imports/tracker.csv --map fixtures/imports/tracker.map.yaml --out packets/
      ladder import table brag.xlsx --map brag.map.yaml --out packets/ --dry-run
      ladder validate packets/ && ladder evaluate packets/

    Exit status: 0 when every row was imported; 1 if some row or packet is invalid (the others
    are still written) or the mapping cannot be used; 2 for usage errors.
    """
    from engine import api

    if out.exists() and not out.is_dir():
        check_out(f"{out} is not a directory", "--out")
    book = load_rulebook(rules)
    with stopping_on_failure():
        report = api.import_table(book, files, mapping, out, dry_run)
    _finish(report, dry_run, f"{plural(report.rows, 'row')} read", "table")


@import_group.command("docs")
@click.argument("folder", type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.option("--map", "mapping", required=True, type=click.Path(path_type=Path, dir_okay=False),
              help="The docs mapping file (YAML with `source: docs`, schemas/mapping.schema.json): which front-matter "
                   "key (or the folder) holds what, and how values translate.")
@click.option("--out", required=True, type=click.Path(path_type=Path, file_okay=False),
              help="The packets' directory: each author's <candidate id>.yaml, merged into.")
@click.option("--dry-run", is_flag=True, help="Write nothing: print what each packet would become, as a diff.")
@rules_option
def import_docs(folder: Path, mapping: Path, out: Path, dry_run: bool, rules: Path | None) -> None:
    """Add a record for each Markdown document with YAML front matter under FOLDER (and its
    subfolders) to the packet of each of its authors.

    The mapping says which front-matter key lists the authors (and how names translate into
    candidate ids), which gives the record's type (or that its folder does: rfcs/ -> design-doc),
    title, date and fields such as status, scope and reviewers. A record's id is made from the
    document's path, so importing again updates it. Without a date in the front matter, the
    date of the file's first commit in git is taken. A candidate's packet is written
    (atomically) only when all of their records are valid; every bad field is reported as
    FILE:LINE:COL of the front matter. Records are merged into each author's packet as
    `ladder import table` merges them (one added by hand is kept and reported); a document
    gives no track or level, so an author's packet must exist unless the mapping gives them.
    Files without front matter (a README) are skipped.

    \b
      ladder import table fixtures/imports/tracker.csv --map fixtures/imports/tracker.map.yaml --out packets/
      ladder import docs fixtures/imports/docs --map fixtures/imports/docs.map.yaml --out packets/
      ladder import docs fixtures/imports/docs --map fixtures/imports/docs.map.yaml --out packets/ --dry-run

    Exit status: 0 when every document was imported; 1 if some document or packet is invalid
    (the others are still written) or the mapping cannot be used; 2 for usage errors.
    """
    from engine import api

    if out.exists() and not out.is_dir():
        check_out(f"{out} is not a directory", "--out")
    book = load_rulebook(rules)
    with stopping_on_failure():
        report = api.import_docs(book, folder, mapping, out, dry_run)
    read = f"{plural(report.rows, 'document')} read"
    if report.skipped:
        read += f" ({plural(report.skipped, 'file')} without front matter skipped)"
    _finish(report, dry_run, read, "documents")


def _finish(report, dry_run: bool, read: str, source: str) -> None:
    """Each packet's fate (with --dry-run, its diff first), the totals, and the exit status."""
    print_diagnostics(report.diagnostics)
    for change in report.changes:
        if dry_run and change.diff:
            click.echo(change.diff, nl=False)
        click.echo(_line(change, dry_run, source))
    errors = sum(d.level == "error" for d in report.diagnostics)
    counts = {status: sum(c.status == status for c in report.changes) for status in ("new", "updated", "unchanged", "not written")}
    verb = "would write" if dry_run else "wrote"
    click.echo(f"{read}; {verb} {counts['new'] + counts['updated']} packet(s) ({counts['new']} new, "
               f"{counts['updated']} updated), {counts['unchanged']} unchanged, {counts['not written']} not written; "
               f"{plural(errors, 'error')}", err=True)
    sys.exit(0 if report.ok else 1)


def _line(change, dry_run: bool, source: str) -> str:
    status = change.status if not dry_run or change.status in ("unchanged", "not written") else f"would be {change.status}"
    parts = [f"{change.path}: {status}"]
    if change.status != "not written":
        parts.append(plural(change.records, "record"))
        for what, ids in (("added", change.added), ("updated", change.updated), (f"kept (not in the {source})", change.kept)):
            if ids and not (what == "added" and change.status == "new"):
                parts.append(f"{what} {', '.join(ids)}")
    else:
        parts.append("it has errors, listed above")
    return ", ".join(parts)


@main.group("export")
def export_group() -> None:
    """Write packets out in other shapes: a table (`ladder export table`).

    \b
      ladder export table packets/ --map tracker.map.yaml --out tracker.xlsx
    """


@export_group.command("table")
@click.argument("packets", nargs=-1, required=True, type=click.Path(path_type=Path, exists=True))
@click.option("--map", "mapping", required=True, type=click.Path(path_type=Path, dir_okay=False),
              help="The mapping file the table follows: the same one `ladder import table` reads it back with.")
@click.option("--out", required=True, type=click.Path(path_type=Path, dir_okay=False),
              help="The table to write (atomically): .csv or .xlsx. Its directory must exist; it may not be an input.")
@rules_option
def export_table(packets: tuple[Path, ...], mapping: Path, out: Path, rules: Path | None) -> None:
    """Write PACKETS (files, directories, .jsonl) as one table in a mapping's shape, a row per record.

    Importing the table again with the same mapping gives the same packets. A value the mapping
    has no column for cannot be written: each such key is reported once, as a warning. An
    invalid packet is reported and left out; every other packet is exported.

    \b
      ladder export table packets/ --map fixtures/imports/tracker.map.yaml --out tracker.xlsx
      ladder import table tracker.xlsx --map fixtures/imports/tracker.map.yaml --out packets/

    Exit status: 0 when every packet was exported; 1 if some packet was left out or the mapping
    cannot be used; 2 for usage errors (an output that is not .csv or .xlsx, or is an input).
    """
    from engine import api
    from engine.cohorts import outputs
    from engine.importing.export import SUFFIXES

    if out.suffix.lower() not in SUFFIXES:
        check_out(f"{out}: give a .csv or .xlsx file")
    check_out(outputs.file_problem(out, packets))
    book = load_rulebook(rules)
    with stopping_on_failure(), writing(out):
        report = api.export_table(book, packets, mapping, out)
    print_diagnostics(report.diagnostics)
    click.echo(f"wrote {plural(report.packets, 'packet')} as {plural(report.rows, 'row')} to {out}; "
               f"{plural(sum(d.level == 'error' for d in report.diagnostics), 'error')}", err=True)
    sys.exit(0 if report.ok else 1)
