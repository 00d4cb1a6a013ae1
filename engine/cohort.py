"""Cohorts: many packets from a directory, a glob, or a JSON Lines file, evaluated in order."""
from __future__ import annotations

import glob
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from . import api
from .errors import LadderError
from .evaluate import evaluate, opportunities
from .explain import explain
from .load import Document, iter_json_lines, load_file
from .model import Rulebook
from .packet import build_packet
from .report import Invalid
from .rulebook import display_path

GLOB_CHARACTERS = set("*?[")


@dataclass(frozen=True)
class Item:
    """One packet of a cohort, not yet read: a file, or one line of a JSON Lines file."""

    label: str  # how reports name it: the path, or path:line
    path: Path
    line: int | None = None
    document: Document | LadderError | None = None


@dataclass
class Evaluated:
    label: str
    result: dict | Invalid
    attributes: dict[str, Any] = field(default_factory=dict)
    opportunities: dict[str, bool] = field(default_factory=dict)


def items(spec: str | Path) -> Iterator[Item]:
    """The packets a cohort names, in a stable order; LadderError if it names nothing."""
    spec = str(spec)
    path = Path(spec)
    if path.is_dir():
        for file in api.expand_packets([path]):
            yield Item(display_path(file), file)
    elif path.suffix == ".jsonl" and path.is_file():
        for number, document in iter_json_lines(path, display_path(path)):
            yield Item(f"{display_path(path)}:{number}", path, number, document)
    elif path.is_file():
        yield Item(display_path(path), path)
    elif GLOB_CHARACTERS & set(spec):
        matches = sorted(Path(p) for p in glob.glob(spec, recursive=True) if Path(p).suffix.lower() in api.PACKET_SUFFIXES)
        if not matches:
            raise LadderError.one(spec, 1, 1, "the pattern matches no packet files", "cohort.empty")
        for file in matches:
            yield Item(display_path(file), file)
    else:
        raise LadderError.one(spec, 1, 1, "no such cohort: give a directory of packets, a glob or a .jsonl file", "cohort.missing")


def count(spec: str | Path) -> int:
    """How many packets `items(spec)` yields, without reading them (for a progress bar)."""
    path = Path(str(spec))
    if path.suffix == ".jsonl" and path.is_file():
        with open(path, "rb") as handle:
            return sum(1 for line in handle if line.strip())
    return sum(1 for _ in items(spec))


def evaluate_item(book: Rulebook, item: Item) -> Evaluated:
    try:
        document = item.document if item.document is not None else load_file(item.path, item.label)
        if isinstance(document, LadderError):
            raise document
        packet = build_packet(document, book)
    except LadderError as e:
        return Evaluated(item.label, Invalid(item.label, tuple(e.diagnostics)))
    result = explain(book, evaluate(book, packet))
    result["packet"] = item.label
    return Evaluated(item.label, result, dict(packet.candidate.attributes), opportunities(book, packet))
