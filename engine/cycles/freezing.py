"""What a cycle freezes, and how it is judged again: each packet's bytes as read, the rulebook's
files, and the verdicts evaluated from exactly those bytes and files.

A cycle is opened by freezing first and evaluating the frozen copy (never the files again), so
the verdicts it stores are the ones its stored packets and rules give: re-reading a cycle years
later, or re-evaluating it under today's rules, starts from the same bytes the committee's
verdicts came from."""
from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Iterable, Iterator

from engine.caching.verdicts import VerdictCache
from engine.cohorts import cohort, pool
from engine.cohorts.reuse import Reuse
from engine.common.errors import Diagnostic, LadderError
from engine.cycles.database import StoreError
from engine.reading.load import MAX_FILE_BYTES, Document, load_bytes, load_json_text, read_bytes
from engine.reading.model import Rulebook
from engine.reading.rulebook import content_digest, display_path, load_rulebook, rule_files
from engine.rendering.report import Invalid

KINDS = ("yaml", "json", "jsonl")
# The files `rule_files` reads, by their path in the rulebook: nothing with a directory of its own.
RULE_FILE = re.compile(r"(ladder|evidence|calibration)\.yaml|levels/[^/\\\x00]+\.yaml")


@dataclass(frozen=True)
class FrozenPacket:
    """One packet of a cycle as it was read: a file's bytes, or one line of a JSON Lines file."""

    label: str  # how reports name it: the path, or path:line
    kind: str  # yaml | json | jsonl
    content: bytes | None  # None: it could not be read at all, and `errors` says why
    line: int | None = None  # a JSON Lines packet's line in its file
    errors: tuple[Diagnostic, ...] = ()  # only for a packet that could not be read

    def document(self) -> Document:
        """The packet's document, read as `ladder evaluate` reads the file; LadderError if not."""
        if self.content is None:
            raise LadderError(list(self.errors))
        if self.kind == "jsonl":
            source = self.label.rsplit(":", 1)[0]  # errors point into the file, at the packet's line
            return load_json_text(self.content.decode("utf-8", "surrogateescape"), source, line_offset=(self.line or 1) - 1)
        return load_bytes(self.content, self.label, "." + self.kind)


def freeze_packet(item: cohort.Item) -> FrozenPacket:
    """The item's bytes (nothing parsed yet), or the reason it cannot be read."""
    kind = "jsonl" if item.text is not None else "json" if item.path.suffix.lower() == ".json" else "yaml"
    try:
        if item.text is not None:  # a line of a JSON Lines file; undecodable bytes kept as they were
            if len(item.text) > MAX_FILE_BYTES:
                cohort.read(item)  # refused, as a cohort refuses it
            return FrozenPacket(item.label, kind, item.text.encode("utf-8", "surrogateescape"), item.line)
        if cohort.is_jsonl(item.path) or (item.path.is_symlink() and not item.path.exists()):
            cohort.read(item)  # an empty JSON Lines file or a dangling link: its error, as a cohort reports it
        return FrozenPacket(item.label, kind, read_bytes(item.path, item.label))
    except LadderError as e:
        return FrozenPacket(item.label, kind, None, item.line, tuple(e.diagnostics))


def evaluate(book: Rulebook, packet: FrozenPacket, as_of: date | None = None) -> cohort.Evaluated:
    """The packet's verdict as a calibration has it (placed too when it names no target)."""
    return cohort.evaluate_read(book, packet.label, packet.document, placing=True, as_of=as_of)


def fault(packet: FrozenPacket, reason: str) -> cohort.Evaluated:
    """A frozen packet whose evaluation failed, placed as its other errors are (a JSON Lines
    packet's at its line of the file)."""
    where = packet.label.rsplit(":", 1)[0] if packet.kind == "jsonl" else packet.label
    return cohort.Evaluated(packet.label, Invalid(packet.label, (Diagnostic(where, packet.line or 1, 1, reason, cohort.FAULT),)))


def evaluate_all(book: Rulebook, packets: Iterable[FrozenPacket], as_of: date | None = None, jobs: int | None = None,
                 timeout: float = pool.DEFAULT_TIMEOUT, cache: VerdictCache | None = None) -> Iterator[cohort.Evaluated]:
    """Every packet evaluated, in order; on `jobs` worker processes (a packet that hangs or
    crashes its worker gets a `cohort.FAULT` error, every other its verdict), or here without.

    Through `cache` when given: a packet's answer is a calibration's (`cohort.CALIBRATED`, the
    same evaluation of the same bytes under the same name), so a cycle opened right after a
    `ladder calibrate` of its cohort looks its verdicts up instead of evaluating them again;
    judged as of another date than the packet's own, the date is in the key."""
    reuse = Reuse(cache, cohort.CALIBRATED, book, cohort.CALIBRATION if as_of is None else (*cohort.CALIBRATION, as_of),
                  content_of=_frozen_bytes)
    work = reuse.work(lambda packet: evaluate(book, packet, as_of), cohort.evaluated)
    if jobs is None:
        return pool.run_here(packets, work, fault, reuse.known)
    return pool.run(packets, work, fault, jobs, timeout, reuse.known)


def _frozen_bytes(packet: FrozenPacket) -> bytes | None:
    return packet.content


@dataclass(frozen=True)
class FrozenRulebook:
    """A rulebook's files as text (path relative to its directory, text), in `rule_files` order,
    and their digest (`content_digest`, the same as the loaded rulebook's)."""

    name: str
    digest: str
    files: tuple[tuple[str, str], ...]

    def check(self) -> None:
        """StoreError unless every file is one a rulebook has (so thawing writes nowhere else)
        and the files give the digest (a backup edited by hand, say)."""
        for name, _ in self.files:
            if not RULE_FILE.fullmatch(name):
                raise StoreError(f"the rulebook {self.name!r} names a file {name!r}, which no rulebook has "
                                 "(ladder.yaml, evidence.yaml, calibration.yaml, levels/NAME.yaml)", "store.rule-file")
        if content_digest((name, text.encode()) for name, text in self.files) != self.digest:
            raise StoreError(f"the rulebook {self.name!r} does not match its digest {self.digest[:12]}: "
                             "its files were changed after it was stored", "store.digest")

    def thaw(self, shown_as: str) -> Rulebook:
        """The rulebook these files make (cached by digest, like any rulebook), its files named
        in messages as under `shown_as`."""
        self.check()
        with tempfile.TemporaryDirectory(prefix="ladder-rules-") as directory:
            for name, text in self.files:
                path = Path(directory, name)
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(text.encode())
            return load_rulebook(directory, shown_as=shown_as)


def freeze_rulebook(directory: Path, book: Rulebook) -> FrozenRulebook:
    """The files of the rulebook `book` was loaded from; StoreError if they changed since (the
    cycle would otherwise store rules other than those that judged it)."""
    try:
        files = tuple((path.relative_to(directory).as_posix(), path.read_bytes().decode())
                      for path, _ in rule_files(directory) if path.is_file())
    except (OSError, UnicodeDecodeError) as e:
        raise StoreError(f"{display_path(directory)}: cannot read the rulebook again: {e}", "store.rules-changed") from None
    frozen = FrozenRulebook(book.name, book.digest, files)
    try:
        frozen.check()
    except StoreError:
        raise StoreError(f"{display_path(directory)}: the rulebook changed while the cycle was being opened: try again",
                         "store.rules-changed") from None
    return frozen
