"""What the store hands back: cycles, the candidates in them, and decisions; and the rules a
decision must follow (`problems`), the same whether it comes from the command line, a CSV file
or the meeting page."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from engine.common.errors import Diagnostic
from engine.cycles.database import StoreError
from engine.cycles.tables import DECISIONS

READY = "ready"
VERDICTS = ("ready", "nearly", "not_ready")
VERDICT_WORDS = {"ready": "ready", "nearly": "nearly ready", "not_ready": "not ready", None: "invalid"}
DECISION_WORDS = {"promote": "promote", "not_yet": "not yet", "defer": "defer"}


@dataclass(frozen=True)
class Cycle:
    """A frozen promotion cycle, with counts over it."""

    name: str
    opened_at: datetime  # UTC
    as_of: date | None  # judged as of this date; None: each packet's own `as_of`
    cohort: str  # the cohort as named when opened
    rules_source: str  # the rulebook directory as named when opened
    rulebook_name: str
    rulebook_digest: str
    packets: int
    verdicts: dict[str, int]  # ready, nearly, not_ready, invalid -> how many
    decided: int  # candidates with a decision
    overrides: int  # of them, whose current decision overrides the verdict


@dataclass(frozen=True)
class Decision:
    """One event of a candidate's decision history; the newest is the decision in force."""

    cycle: str
    position: int  # the packet's place in the cycle
    label: str
    candidate_id: str | None
    version: int  # 1 for the first decision, then 2, ...: pass it back as `expected_version`
    decision: str  # promote | not_yet | defer
    reason: str
    by: str  # "" for decisions recorded before the store kept who decided
    at: datetime  # UTC
    verdict: str | None  # the frozen verdict it was decided against (None: invalid packet)
    override: bool  # promoting a candidate not judged ready, or not promoting one judged ready


@dataclass(frozen=True)
class Entry:
    """One packet of a cycle: its candidate, frozen verdict, and the decision in force."""

    cycle: str
    position: int
    label: str
    candidate_id: str | None  # None for an invalid packet
    name: str | None
    track: str | None
    level: str | None
    target: str | None
    manager: str | None
    nominated: bool | None
    verdict: str | None  # ready | nearly | not_ready; None: invalid, see `errors`
    errors: tuple[Diagnostic, ...]
    decision: Decision | None

    @property
    def version(self) -> int:
        """The decision version a change must expect: 0 before any decision."""
        return self.decision.version if self.decision else 0


@dataclass(frozen=True)
class DecisionRequest:
    """A decision someone wants recorded. `candidate` is a candidate id or a packet's label;
    `expected_version` (from `Entry.version`) makes a change conditional on no one else having
    decided in between; None records it whatever the current version."""

    candidate: str
    decision: str
    reason: str
    by: str
    expected_version: int | None = None
    at: datetime | None = None  # default: now


class DecisionConflict(StoreError):
    """Someone else decided on this candidate since `expected_version` was read: nothing was
    recorded. `current` is the decision now in force."""

    def __init__(self, current: Decision | None, expected: int | None) -> None:
        self.current = current
        if current is None:
            message = f"the decision you changed (version {expected}) no longer exists: reload and decide again"
        else:
            who = current.by or "someone"
            message = (f"{who} decided {DECISION_WORDS[current.decision]!r} on {current.candidate_id or current.label} at "
                       f"{current.at:%Y-%m-%d %H:%M} UTC (version {current.version}) after you loaded version {expected}: "
                       "nothing was recorded; read their decision, then decide again")
        super().__init__(message, "decide.conflict")


class DecisionsRefused(StoreError):
    """Some requests of a batch were refused, so none was recorded. `problems` holds each as
    (index of the request, the field at fault, the error: a `DecisionConflict` for a conflict)."""

    def __init__(self, problems: list[tuple[int, str, StoreError]]) -> None:
        self.problems = problems
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(problems[0][2].message + more, problems[0][2].code)


def is_override(decision: str, verdict: str | None) -> bool:
    """Promoting a candidate the rules do not judge ready (nearly, not ready, or an invalid
    packet), or not promoting (not yet, defer) one they judge ready."""
    return (decision == "promote") != (verdict == READY)


def request_problems(request: DecisionRequest) -> list[tuple[str, str, str]]:
    """What is wrong with `request` whoever it is for, as (field, message, code)."""
    found = []
    if request.decision not in DECISIONS:
        found.append(("decision", f"{request.decision!r} is not a decision: use promote, not-yet or defer", "decide.bad-decision"))
    if not request.by.strip():
        found.append(("by", "say who decided (--by, or a `by` column)", "decide.no-by"))
    for field, text in (("reason", request.reason), ("by", request.by)):
        if "\x00" in text:  # no database keeps it in text, and no person means it
            found.append((field, f"the {field} holds a NUL character: remove it", "decide.bad-text"))
    return found


def override_problems(request: DecisionRequest, entry: Entry) -> list[tuple[str, str, str]]:
    """An override of `entry`'s verdict without a reason, as (field, message, code); [] if not."""
    if request.decision not in DECISIONS or not is_override(request.decision, entry.verdict) or request.reason.strip():
        return []
    who = entry.candidate_id or entry.label
    judged = f"judged {VERDICT_WORDS[entry.verdict]}" if entry.verdict else "whose packet is invalid"
    act = "promoting" if request.decision == "promote" else f"deciding {DECISION_WORDS[request.decision]!r} on"
    return [("reason", f"{act} {who}, {judged} by the rules, is an override: give the reason", "decide.reason-required")]
