"""The library API: what the CLI (and tests, and other programs) call. Rule changes and promotion
cycles are in `engine.api.cycles`, re-exported here, so `engine.api.NAME` is the one way in.

Nothing here prints or exits; bad input comes back as diagnostics, never as a traceback.

May import: `engine.meeting` and every layer below it; not click."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Iterator

from engine.caching.verdicts import EVALUATED, PLACED, PLANNED, VerdictCache, resolve  # noqa: F401 - the kinds, re-exported
from engine.cohorts import cohort, pool
from engine.cohorts.reuse import Reuse, is_answer
from engine.common.errors import Diagnostic, LadderError
from engine.reading import bundle
from engine.reading.model import Rulebook
from engine.reading.rulebook import LADDER_FILE, display_path, load_rulebook
from engine.rendering.report import Invalid, Result, write_atomic
from engine.api.rulebooks import default_rules_dir, rulebook  # noqa: F401 - part of the API

# The rules engine and what explains its verdicts, the importers and the scaffold are imported
# by the functions that use them: `ladder schema` and `ladder validate` need none.
if TYPE_CHECKING:
    from engine.importing import export as exports
    from engine.importing import table as tables
    from engine.tooling import scaffold



def schema(kind: str) -> dict:
    """The JSON Schema of one kind of document (`bundle.KINDS`), self-contained for other tools."""
    return bundle.bundle(kind)


def evaluate_packet(book: Rulebook, path: str | Path, as_of: date | None = None, target: str | None = None,
                    track: str | None = None, cache: bool | VerdictCache = True) -> Result:
    """The verdict document for the one packet in `path`, or `Invalid` with every problem in
    it; a JSON Lines file of several packets is a ValueError (see `cohort.one`).

    With `track` (another track than the target's), the packet is evaluated at the level of
    that track equivalent to its target, and the document says which evidence carried over.
    `cache`: the user's verdict cache (True), none (False), or the one given; the answer is the
    same byte for byte."""
    reuse = Reuse(resolve(cache), EVALUATED, book, (as_of, target, track))
    try:
        return reuse.obtain(cohort.one(path),
                            lambda item: _evaluate(book, item, as_of, target, track), is_answer)
    finally:
        _close(reuse)


def evaluate_packets(book: Rulebook, paths: Iterable[str | Path], as_of: date | None = None,
                     target: str | None = None, track: str | None = None, jobs: int | None = None,
                     timeout: float = pool.DEFAULT_TIMEOUT, cache: bool | VerdictCache = True,
                     why_not: bool = True) -> Iterator[Result]:
    """Each packet the paths name (files, directories of them, .jsonl files), in order;
    LadderError now, before any packet is read, if some path names none.

    A packet whose evaluation fails gets an error of its own (code `cohort.FAULT`) and every
    other packet its verdict. With `jobs`, packets are evaluated on that many worker processes
    (see `pool`), so one that runs past `timeout` seconds or crashes the engine is stopped and
    reported too; without, in this process, one after the other. An unchanged packet's verdict
    comes from `cache` (as in `evaluate_packet`) without evaluating it. Without `why_not` (for
    an output that never shows it, such as the summary), criteria may leave out the records that
    did not count; not when answers are cached: those are kept whole, for any later output."""
    tasks = cohort.all_items(paths)
    verdicts = resolve(cache)
    why_not = why_not or verdicts is not None
    reuse = Reuse(verdicts, EVALUATED, book, (as_of, target, track))
    return _run(reuse, tasks, lambda item: _evaluate(book, item, as_of, target, track, why_not), jobs, timeout)


def place_packet(book: Rulebook, path: str | Path, as_of: date | None = None, cache: bool | VerdictCache = True) -> dict | Invalid:
    """Where the candidate of the packet in `path` stands on every track (`placement.place`), or
    `Invalid` with every problem in it. The packet's target is ignored. `cache` as in
    `evaluate_packet`."""
    reuse = Reuse(resolve(cache), PLACED, book, (as_of,))
    try:
        return reuse.obtain(cohort.one(path), lambda item: _place(book, item, as_of), is_answer)
    finally:
        _close(reuse)


def place_packets(book: Rulebook, paths: Iterable[str | Path], as_of: date | None = None, jobs: int | None = None,
                  timeout: float = pool.DEFAULT_TIMEOUT, cache: bool | VerdictCache = True) -> Iterator[dict | Invalid]:
    """Each packet the paths name placed, in order, as `evaluate_packets` evaluates them: one
    whose placement fails, hangs or crashes its worker gets an error of its own (`cohort.FAULT`),
    and every other packet its placement. LadderError now if some path names no packet."""
    tasks = cohort.all_items(paths)
    reuse = Reuse(resolve(cache), PLACED, book, (as_of,))
    return _run(reuse, tasks, lambda item: _place(book, item, as_of), jobs, timeout)


def _run(reuse: Reuse, tasks: Iterator[cohort.Item], compute, jobs: int | None, timeout: float) -> Iterator:
    """`compute` for every task through `reuse`, on `jobs` workers (None: here); the cache
    closed (its bound kept) once the last result is taken."""
    work = reuse.work(compute, is_answer)
    if jobs is None:
        results = pool.run_here(tasks, work, cohort.fault_result, reuse.known)
    else:
        results = pool.run(tasks, work, cohort.fault_result, jobs, timeout, reuse.known)
    try:
        yield from results
    finally:
        _close(reuse)


def _close(reuse: Reuse) -> None:
    if reuse.cache is not None:
        reuse.cache.close()


def _place(book: Rulebook, item: cohort.Item, as_of: date | None) -> dict | Invalid:
    from engine.explaining import placement

    try:
        packet = cohort.load(book, item, as_of, placing=True)
    except LadderError as e:
        return Invalid(item.label, tuple(e.diagnostics))
    return placement.place(book, packet)


def plan_packet(book: Rulebook, path: str | Path, as_of: date | None = None,
                timeout: float = pool.DEFAULT_TIMEOUT, cache: bool | VerdictCache = True) -> dict | Invalid:
    """Next steps for the one packet in `path` (see `plan.plan`), worked out in a worker process
    that is stopped after `timeout` seconds; `Invalid` with its problems, or with a
    `cohort.FAULT` error when the evaluation failed, hung or crashed. `errors.NoPackets` (a
    ValueError) if the path holds no packet, ValueError if it holds several. `cache` as in
    `evaluate_packet`."""
    reuse = Reuse(resolve(cache), PLANNED, book, (as_of,))
    (result,) = _run(reuse, iter([cohort.one(path)]), lambda item: _plan(book, item, as_of), 1, timeout)
    return result


def _plan(book: Rulebook, item: cohort.Item, as_of: date | None) -> dict | Invalid:
    from engine.explaining import plan

    try:
        packet = cohort.load(book, item, as_of)
    except LadderError as e:
        return Invalid(item.label, tuple(e.diagnostics))
    return plan.plan(book, packet)


def _evaluate(book: Rulebook, item: cohort.Item, as_of: date | None, target: str | None, track: str | None,
              why_not: bool = True) -> Result:
    from engine.explaining import plan
    from engine.explaining.explain import explain
    from engine.matching.evaluate import evaluate

    try:
        packet = cohort.load(book, item, as_of, target)
    except LadderError as e:
        return Invalid(item.label, tuple(e.diagnostics))
    home = evaluate(book, packet)
    if track is None:
        return explain(book, home, why_not)
    moved = plan.on_track(book, packet, track) if track != packet.target.track else None
    if moved is None:  # an answer, not an error: the verdict at home, and why it is not on `track`
        document = explain(book, home, why_not)
        document["track_note"] = plan.not_on_track(book, packet, track)
        return document
    away = evaluate(book, moved)
    document = explain(book, away)
    document["cross_track"] = plan.cross_track(book, home, away, document)
    return document


@dataclass
class ValidationReport:
    rulebooks: list[str] = field(default_factory=list)
    packets: list[str] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(d.level == "error" for d in self.diagnostics)


def validate_paths(paths: Iterable[str | Path], rules: str | Path | None = None) -> ValidationReport:
    """Check rulebook directories and packets; packets are checked against `rules`, else the
    one rulebook directory among `paths`, else the built-in rulebook."""
    paths = [Path(p) for p in paths]
    books = [p for p in paths if p.is_dir() and (p / LADDER_FILE).is_file()]
    report = ValidationReport()
    loaded: dict[Path, Rulebook] = {}
    for directory in books:
        report.rulebooks.append(display_path(directory))
        try:
            loaded[directory] = load_rulebook(directory)
        except LadderError as e:
            report.diagnostics.extend(e.diagnostics)
    specs = [p for p in paths if p not in books]
    if not specs:
        return report
    try:
        tasks = cohort.all_items(specs)
    except LadderError as e:
        report.diagnostics.extend(e.diagnostics)
        report.diagnostics.sort()
        return report
    if rules is not None:
        target_dir = Path(rules)
    elif len(books) > 1:
        raise ValueError("several rulebooks given: say which one packets are checked against with --rules")
    else:
        target_dir = books[0] if books else default_rules_dir()
    try:
        book = loaded.get(target_dir) or load_rulebook(target_dir)
    except LadderError as e:
        if target_dir not in loaded:
            report.diagnostics.extend(e.diagnostics)
        return report
    for item in tasks:
        report.packets.append(item.label)
        try:
            cohort.load(book, item)
        except LadderError as e:
            report.diagnostics.extend(e.diagnostics)
    report.diagnostics.sort()
    return report


PACKET_FORMATS = {".yaml": "yaml", ".yml": "yaml", ".json": "json"}


def new_packet(book: Rulebook, path: str | Path, candidate: scaffold.NewCandidate, force: bool = False) -> scaffold.Scaffold:
    """Write a new packet for `candidate` to `path` (atomically), with a commented template of
    each kind of record its target level asks for (`scaffold`); YAML, or JSON (without the
    templates: JSON has no comments) by the file's extension.

    `scaffold.BadOption` for a value the rulebook cannot take or an extension that is neither;
    FileExistsError if `path` exists and not `force`."""
    from engine.tooling import scaffold

    path = Path(path)
    fmt = PACKET_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise scaffold.BadOption("PACKET", f"{path.name} is not a packet file name: end it in .yaml (with the evidence templates) or .json")
    made = scaffold.scaffold(book, candidate, fmt, display_path(path))
    if path.exists() and not force:
        raise FileExistsError(f"{display_path(path)} exists: pass --force to replace it, or name a new file")
    write_atomic(path, made.text)
    return made


def import_table(book: Rulebook, files: Iterable[str | Path], mapping: str | Path, out: str | Path,
                 dry_run: bool = False) -> tables.ImportReport:
    """One packet per candidate in `out` (`<candidate id>.yaml`) from tables of evidence records
    (.csv, .xlsx) read through the `mapping` file, merged into the packets already there. A
    candidate's packet is written only when every one of their rows is valid; the report says
    what happened to each packet, with every bad cell located. With `dry_run` nothing is
    written and each change carries its diff. LadderError if the mapping cannot be used."""
    from engine.importing import table as tables
    from engine.importing.mapping import load_mapping

    return tables.import_tables(book, load_mapping(mapping, book), [Path(f) for f in files], Path(out), dry_run)


def import_docs(book: Rulebook, folder: str | Path, mapping: str | Path, out: str | Path,
                dry_run: bool = False) -> tables.ImportReport:
    """For each Markdown document with YAML front matter under `folder` (all its subfolders, in
    path order), a record in the packet of each of its authors in `out`, read through the docs
    `mapping` file and merged as `import_table` merges: written only when all of a candidate's
    records are valid, every bad front-matter field located at its line and column, hand-added
    records kept. A document without a date takes that of its first commit in git. LadderError
    if the mapping cannot be used."""
    from engine.importing import docs as documents
    from engine.importing.mapping import load_mapping

    return documents.import_docs(book, load_mapping(mapping, book, "docs"), Path(folder), Path(out), dry_run)


def export_table(book: Rulebook, packets: Iterable[str | Path], mapping: str | Path, out: str | Path) -> exports.ExportReport:
    """The packets `packets` name (files, directories, .jsonl), written to `out` (.csv or .xlsx,
    atomically) as a table in the `mapping`'s shape, a row per record, so that `import_table`
    reads them back the same. An invalid packet, or one holding a value the table cannot carry,
    is reported and left out. LadderError if the mapping cannot be used; `errors.NoPackets` if
    some spec names no packet."""
    from engine.importing import export as exports
    from engine.importing.mapping import load_mapping

    return exports.export_table(book, load_mapping(mapping, book), packets, Path(out))


# Rule changes and promotion cycles (their own module, to keep each readable whole).
from engine.api.cycles import (  # noqa: E402, F401 - part of the API
    rulebooks_of,
    impact,
    impact_of_cycle,
    open_store,
    open_cycle,
    reevaluate_cycle,
    decide,
    decide_from_csv,
    export_cycles,
    import_cycles,
    calibrate_cycle,
    candidate_history,
    serve_meeting,
)
