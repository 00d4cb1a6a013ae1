"""Cohorts: many packets from a directory, a glob, or a JSON Lines file, evaluated in order on
every core (see `pool`), one packet never able to stop the others."""
from __future__ import annotations

import glob
import itertools
import os
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from engine.caching.verdicts import VerdictCache
from engine.cohorts import pool
from engine.cohorts.reuse import Reuse
from engine.common.errors import Diagnostic, LadderError, NoPackets
from engine.reading.load import MAX_FILE_BYTES, Document, iter_json_lines, load_file, load_json_text
from engine.reading.model import Packet, Rulebook
from engine.reading.packet import build_packet
from engine.reading.rulebook import display_path
from engine.rendering.report import Invalid

GLOB_CHARACTERS = set("*?[")
PACKET_SUFFIXES = (".yaml", ".yml", ".json")
JSONL_SUFFIX = ".jsonl"  # JSON Lines: one packet a line
EMPTY_JSONL = "no packets in this file (JSON Lines: one packet per line)"


@dataclass(frozen=True)
class Item:
    """One packet of a cohort, not yet read: a file, or one line of a JSON Lines file."""

    label: str  # how reports name it: the path, or path:line
    path: Path
    line: int | None = None
    text: str | None = None  # the line's JSON, for JSON Lines


@dataclass
class Evaluated:
    label: str
    result: dict | Invalid
    attributes: dict[str, Any] = field(default_factory=dict)
    opportunities: dict[str, bool] = field(default_factory=dict)
    placement: dict | None = None  # for a packet that names no target: its track's placement (`placement.placed`)


def is_jsonl(path: Path) -> bool:
    return path.suffix.lower() == JSONL_SUFFIX


def holds_packets(path: Path) -> bool:
    """Named like a file a cohort reads: a packet, or JSON Lines of them."""
    return path.suffix.lower() in PACKET_SUFFIXES or is_jsonl(path)


def packet_files(directory: Path) -> list[Path]:
    """A directory's packet and JSON Lines files, sorted, not descending; a dangling symlink
    stays in, to be reported as that packet's error rather than silently dropped."""
    return sorted(p for p in directory.iterdir() if holds_packets(p) and (p.is_file() or (p.is_symlink() and not p.exists())))


def _file_items(path: Path, alone: bool) -> Iterator[Item]:
    """One packet file's item, or a JSON Lines file's, a line each (opened only when iterated,
    so a cohort of many such files holds one open at a time). An empty JSON Lines file named on
    its own is an error now; one among others is an invalid item, and the others still run."""
    shown = display_path(path)
    if not (is_jsonl(path) and path.is_file()):
        return iter([Item(shown, path)])
    if next(iter_json_lines(path), None) is None:
        if alone:
            raise NoPackets([(shown, EMPTY_JSONL)])
        return iter([Item(shown, path)])  # `read` says it holds no packets
    # Without its newline, an error at the end of a line is placed on that line, not the next.
    return (Item(f"{shown}:{number}", path, number, text.rstrip("\r\n")) for number, text in iter_json_lines(path))


def _files_items(files: list[Path]) -> Iterator[Item]:
    return itertools.chain.from_iterable(_file_items(file, alone=False) for file in files)


def items(spec: str | Path) -> Iterator[Item]:
    """The packets a cohort names, in a stable order. The spec is checked now (NoPackets if it
    names none, so a mistake stops a run before any work); packets are read as iterated."""
    spec = str(spec)
    path = Path(spec)
    shown = display_path(path)
    if path.is_dir():
        files = packet_files(path)
        if not files:
            raise NoPackets([(shown, f"no packet files here ({', '.join('*' + s for s in (*PACKET_SUFFIXES, JSONL_SUFFIX))}; "
                                     "subdirectories are not searched)")])
        return _files_items(files)
    if path.is_file():
        return _file_items(path, alone=True)
    if path.exists():
        raise NoPackets([(shown, "is not a regular file: give a packet file, a directory of them, or a .jsonl file")])
    if GLOB_CHARACTERS & set(spec):
        matches = sorted(p for p in map(Path, glob.glob(spec, recursive=True)) if holds_packets(p))
        if not matches:
            raise NoPackets([(spec, "the pattern matches no packet files")])
        return _files_items(matches)
    raise NoPackets([(spec, "no such cohort: give a directory of packets, a glob or a .jsonl file")])


def all_items(specs: Iterable[str | Path]) -> Iterator[Item]:
    """The packets of several specs, in order; NoPackets naming every spec that names none."""
    found, problems = [], []
    for spec in specs:
        try:
            found.append(items(spec))
        except NoPackets as e:
            problems.extend(e.problems)
    if problems:
        raise NoPackets(problems)
    return itertools.chain.from_iterable(found)


def count(spec: str | Path) -> int:
    """How many packets `items(spec)` yields, without reading them (for a progress bar)."""
    path = Path(str(spec))
    if is_jsonl(path) and path.is_file():
        with open(path, "rb") as handle:
            return sum(1 for line in handle if line.strip())
    return sum(1 for _ in items(spec))


def one(path: str | Path) -> Item:
    """The one packet `path` names, for a call that takes one. A JSON Lines file of a single
    packet reads as that line (its errors pointing into the file); of several, ValueError saying
    how to read them; of none, `NoPackets`. Any other path is read as a packet file, its
    problems (missing, unreadable) that packet's errors."""
    path = Path(path)
    if not (is_jsonl(path) and path.is_file()):
        return Item(display_path(path), path)
    found = list(itertools.islice(_file_items(path, alone=True), 2))
    if len(found) > 1:
        raise ValueError(f"{display_path(path)} holds several packets; this takes one: put its line in a file of its "
                         "own, or read them all as a cohort (as `ladder evaluate` does)")
    return found[0]


def read(item: Item) -> Document:
    """The item's packet document; LadderError with its place if it cannot be read."""
    if item.text is None:
        if item.path.is_symlink() and not item.path.exists():
            raise LadderError.one(item.label, 1, 1, f"is a symbolic link to {os.readlink(item.path)}, which does not exist", "load.missing")
        if is_jsonl(item.path):
            raise LadderError.one(item.label, 1, 1, EMPTY_JSONL, "cohort.empty")
        return load_file(item.path, item.label)
    source = display_path(item.path)
    if len(item.text) > MAX_FILE_BYTES:
        raise LadderError.one(source, item.line, 1, f"line is longer than {MAX_FILE_BYTES} bytes", "load.too-large")
    return load_json_text(item.text, source, line_offset=item.line - 1)


def load(book: Rulebook, item: Item, as_of: date | None = None, target: str | None = None, placing: bool = False) -> Packet:
    """The item's checked packet, named by the item's label (a JSON Lines packet by its line,
    while its errors point into the file); LadderError listing every problem. `placing`: read
    for placement, its target ignored (`build_packet`)."""
    return replace(build_packet(read(item), book, as_of, target, placing), source=item.label)


def evaluate_item(book: Rulebook, item: Item, placing: bool = False, why_not: bool = True) -> Evaluated:
    """The item's verdict; with `placing`, a packet that names no target of its own is also
    placed on its candidate's track (what a calibration shows beside the verdict). Without
    `why_not`, its criteria leave out the records that did not count (`explain`), for a run
    whose outputs never show them."""
    return evaluate_read(book, item.label, lambda: read(item), placing, why_not=why_not)


def evaluate_read(book: Rulebook, label: str, reader: Callable[[], Document], placing: bool = False,
                  as_of: date | None = None, why_not: bool = True) -> Evaluated:
    """`evaluate_item` for a packet `reader` reads (a file, or one a promotion cycle stored),
    named `label`; `as_of` judges it as of that date instead of its own."""
    try:
        document = reader()
        packet = replace(build_packet(document, book, as_of), source=label)
    except LadderError as e:
        return Evaluated(label, Invalid(label, tuple(e.diagnostics)))
    # Imported here: reading packets (`ladder validate`) needs no rules engine.
    from engine.explaining.explain import explain
    from engine.explaining.placement import placed
    from engine.matching.evaluate import evaluate

    evaluation = evaluate(book, packet)
    result = explain(book, evaluation, why_not)
    untargeted = not (isinstance(document.data, dict) and document.data.get("target"))
    where = placed(book, packet) if placing and untargeted else None
    return Evaluated(label, result, dict(packet.candidate.attributes), evaluation.opportunities, where)


FAULT = "engine.fault"  # the code of a packet's error when its evaluation failed, hung or crashed its worker


def fault_result(item: Item, reason: str) -> Invalid:
    """A packet whose evaluation failed, hung or crashed its worker: its own error, not a verdict,
    placed like its other errors (a JSON Lines packet's at its line of the file)."""
    place = display_path(item.path) if item.line else item.label
    return Invalid(item.label, (Diagnostic(place, item.line or 1, 1, reason, FAULT),))


def is_fault(result: dict | Invalid) -> bool:
    return isinstance(result, Invalid) and any(d.code == FAULT for d in result.diagnostics)


def fault(item: Item, reason: str) -> Evaluated:
    """`fault_result` as a cohort's evaluated packet."""
    return Evaluated(item.label, fault_result(item, reason))


CALIBRATED = "cohort"  # the verdict cache's kind for `evaluate_item`'s answers (options: a calibration's, or impact's)
CALIBRATION = (True,)  # a calibration's options under it: placed, and whole (`evaluate_all`)


def evaluated(value: Evaluated) -> bool:
    """An answer worth keeping for a cohort: a verdict, or an invalid packet's errors (as fixed as
    a verdict by what the key holds: the packet's bytes and name, the rules, ladder's code); not a
    fault, which another run may not meet. Errors are cheap to find again, but only in a worker:
    kept, a warm run over a cohort with invalid packets starts none."""
    return not is_fault(value.result)


def evaluate_all(book: Rulebook, tasks: Iterable[Item], jobs: int, timeout: float = pool.DEFAULT_TIMEOUT,
                 work: Callable[[Item], Evaluated] | None = None, cache: VerdictCache | None = None,
                 why_not: bool = True) -> Iterator[Evaluated]:
    """Every item evaluated, in order, on `jobs` worker processes; by default (a calibration's
    run), a packet that names no target placed too (`evaluate_item`, `why_not` as there: False
    for a calibration that writes no candidate pages). Through `cache` when given: an unchanged
    packet's answer is looked up here, and not evaluated; its answers are then kept whole (with
    the why-not, whatever `why_not` says), for a later run with pages or a cycle's opening to
    reuse (it costs about 1% of a calibration)."""
    why_not = why_not or cache is not None
    reuse = Reuse(cache, CALIBRATED, book, CALIBRATION)
    work = reuse.work(work or (lambda item: evaluate_item(book, item, placing=True, why_not=why_not)), evaluated)
    return pool.run(tasks, work, fault, jobs, timeout, reuse.known)
