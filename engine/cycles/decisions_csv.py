"""Decisions from a CSV file, as a committee's secretary keeps them: a header row naming the
columns `candidate` and `decision`, and optionally `reason` and `by`, then a decision a row.

    candidate,decision,reason,by
    E-1588,promote,,ana
    E-1769,not yet,"Needs a second design doc",ana

`decision` is promote, not yet (or not-yet, not_yet) or defer. Every bad row is reported at its
place (`decisions.csv:3:2: error: ... [code]`: line, then column), and none is recorded unless
every row is good; then all are recorded in one transaction."""
from __future__ import annotations

import csv
import io
from pathlib import Path

from engine.common.errors import Diagnostic, LadderError
from engine.cycles import deciding
from engine.cycles.model import Decision, DecisionRequest, DecisionsRefused
from engine.cycles.store import Store
from engine.cycles.tables import DECISIONS
from engine.reading.load import decode, read_bytes

COLUMNS = ("candidate", "decision", "reason", "by")
REQUIRED = ("candidate", "decision")


def decision_word(text: str) -> str:
    """promote, not_yet or defer for the ways people write them; the text itself otherwise."""
    word = "_".join(text.strip().lower().replace("-", " ").split())
    return word if word in DECISIONS else text


class _Rows:
    """The file's requests, each with its line and the column of each field."""

    def __init__(self, path: Path, source: str, default_by: str | None) -> None:
        self.source, self.problems = source, []
        self.requests: list[DecisionRequest] = []
        self.lines: list[int] = []
        reader = csv.reader(io.StringIO(decode(read_bytes(path, source), source), newline=""))
        header = [name.strip().lower() for name in next(reader, [])]
        self.columns = {name: index for index, name in enumerate(header) if name in COLUMNS}
        for index, name in enumerate(header):
            if name not in COLUMNS:
                self.problem(1, index + 1, f"unknown column {name!r}: the columns are {', '.join(COLUMNS)}", "decide.csv-column")
        for name in REQUIRED:
            if name not in self.columns:
                self.problem(1, 1, f"no {name!r} column: the header must name {' and '.join(REQUIRED)}", "decide.csv-column")
        if "by" not in self.columns and not default_by:
            self.problem(1, 1, "no 'by' column: add one, or say who decided with --by", "decide.no-by")
        if self.problems:
            return
        start = reader.line_num + 1
        for row in reader:
            line, start = start, reader.line_num + 1
            if not any(field.strip() for field in row):
                continue
            if len(row) > len(header):
                self.problem(line, len(header) + 1, f"{len(row)} fields, but the header names {len(header)}", "decide.csv-row")
                continue
            value = {name: row[index].strip() if index < len(row) else "" for name, index in self.columns.items()}
            if not value["candidate"]:
                self.problem(line, self.col("candidate"), "no candidate: give their id or their packet's path", "decide.csv-row")
                continue
            self.requests.append(DecisionRequest(value["candidate"], decision_word(value["decision"]), value.get("reason", ""),
                                                 value.get("by") or default_by or ""))
            self.lines.append(line)

    def col(self, name: str) -> int:
        return self.columns.get(name, 0) + 1

    def problem(self, line: int, col: int, message: str, code: str) -> None:
        self.problems.append(Diagnostic(self.source, line, col, message, code))


def decide_from_csv(store: Store, cycle: str, path: Path, source: str, default_by: str | None = None) -> list[Decision]:
    """Record every decision in the CSV file `path` (named `source` in errors), or none:
    LadderError with every bad row's place. `default_by` is who decided where the file has
    no `by` column or leaves it empty. StoreError if the cycle does not exist."""
    rows = _Rows(path, source, default_by)
    try:
        decided = deciding.decide_many(store, cycle, rows.requests, check_only=bool(rows.problems))
    except DecisionsRefused as e:
        decided = []
        for index, field, error in e.problems:
            rows.problem(rows.lines[index], rows.col(field if field in rows.columns else "candidate"), error.message, error.code)
    if rows.problems:
        raise LadderError(rows.problems)
    return decided
