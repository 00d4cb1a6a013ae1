"""The registry of lint checks: each check is one function with its stable code, default level
and a sentence for people (shown in SARIF), registered with `@check`."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable

from engine.common.errors import Diagnostic
from engine.reading.model import Pos, Rulebook

# Where (None: the rulebook itself) and what is wrong; a finding the rulebook can accept
# (ladder.yaml `accepted:`) also names the track it is about.
Finding = tuple[Pos | None, str] | tuple[Pos | None, str, str]
LOAD_RULE = ("error", "The rulebook does not load: a YAML, schema or cross-reference error.")


@dataclass(frozen=True)
class Check:
    code: str
    level: str
    description: str
    find: Callable[[Rulebook], Iterable[Finding]]

    def run(self, book: Rulebook) -> list[Diagnostic]:
        reasons = {(a.finding, a.track): a.reason for a in book.accepted}
        found = []
        for pos, message, *about in self.find(book):
            pos = pos or Pos(book.source, 1, 1)
            reason = reasons.get((self.code, about[0]), "") if about else ""
            if about and not reason:
                message += (f"; change the ladder, or accept it with the organisation's reason in ladder.yaml "
                            f"(`accepted:` with finding {self.code}, track {about[0]} and a reason)")
            found.append(Diagnostic(pos.file, pos.line, pos.col, message, self.code, self.level, reason))
        return found


CHECKS: list[Check] = []
# code -> (default level, what it means). Codes are stable: people and CI configs refer to them.
RULES: dict[str, tuple[str, str]] = {}


def check(code: str, level: str, description: str):
    """Register the decorated function as the check that reports `code`."""
    def register(find: Callable[[Rulebook], Iterable[Finding]]):
        if code in RULES:
            raise ValueError(f"two lint checks report {code}")
        CHECKS.append(Check(code, level, description, find))
        RULES[code] = (level, description)
        return find
    return register
