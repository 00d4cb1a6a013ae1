"""Diagnostics: the one shape every problem with user input takes, from loading to evaluation.

The core never formats for a terminal; the CLI prints `Diagnostic.format()` lines. Codes are
stable so that people (and later, lint configuration) can refer to them."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from engine.common.text import visible


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem at one place: `file:line:col: level: message [code]` (1-based line/col)."""

    file: str
    line: int
    col: int
    message: str
    code: str
    level: str = "error"
    accepted: str = ""  # the reason, for a lint finding the rulebook accepts; it then fails nothing

    def format(self) -> str:
        """The diagnostic as a person reads it, on one line: a path or a value it quotes may hold
        anything, so its hidden characters are shown (`visible`). `to_json` keeps them verbatim.
        An accepted finding says so where the level goes, so no tool takes it for a warning."""
        if self.accepted:
            return (f"{visible(self.file)}:{self.line}:{self.col}: accepted: {visible(self.message)}; "
                    f"the rulebook accepts it: {visible(self.accepted)} [{self.code}]")
        return f"{visible(self.file)}:{self.line}:{self.col}: {self.level}: {visible(self.message)} [{self.code}]"

    def to_json(self) -> dict:
        found = {
            "file": self.file,
            "line": self.line,
            "col": self.col,
            "level": self.level,
            "code": self.code,
            "message": self.message,
        }
        if self.accepted:
            found["accepted"] = self.accepted
        return found


@dataclass
class LadderError(Exception):
    """Bad input: carries every diagnostic found, sorted by place, so a user fixes all at once."""

    diagnostics: list[Diagnostic] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.diagnostics = sorted(set(self.diagnostics))
        super().__init__("\n".join(d.format() for d in self.diagnostics))

    @classmethod
    def one(cls, file: str, line: int, col: int, message: str, code: str) -> "LadderError":
        return cls([Diagnostic(file, line, col, message, code)])


class EngineFault(RuntimeError):
    """The durable-rules core is in a state we cannot trust (e.g. its session table overflowed).

    Not a user error: the process must stop using the engine; callers treat it as fatal."""

    def __str__(self) -> str:
        """The message people are shown: it can name a packet's path, whose hidden characters
        show (`visible`)."""
        return visible(super().__str__())


class NoPackets(ValueError):
    """A cohort argument that names no packets (an empty or missing directory, a glob matching
    nothing, an empty JSON Lines file, a device): a mistake in the command, not in a packet,
    so the command line reports it as a usage error, before any work. Every such argument of
    one command is named at once, one a line. Raised by `engine.cohorts.cohort`; kept here,
    with the other errors, so the command line catches it without importing what reads cohorts."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems  # (the argument as given, what is wrong with it)
        super().__init__("\n".join(f"{visible(spec)}: {problem}" for spec, problem in problems))


def raise_if_errors(diagnostics: Iterable[Diagnostic]) -> None:
    errors = [d for d in diagnostics if d.level == "error"]
    if errors:
        raise LadderError(errors)
