"""What a report over a stored promotion cycle adds to the committee's report: the decisions
against the verdicts (`decisions`) and the moves since the previous cycle (`movement`), as the
report's `cycle` section. The facts come in as plain data (`CycleFacts`), gathered from the
store a layer above; here they are shown as the rest of the report shows candidates: ids
beside names, linked to their pages, and under --redact by pseudonym, with the reasons'
text scrubbed of every name in the cohort and who decided left out."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from engine.calibration import decisions, movement
from engine.calibration.decisions import Decided
from engine.calibration.movement import Compared

if TYPE_CHECKING:
    from engine.calibration.calibrate import Calibration


@dataclass
class CycleFacts:
    """A stored cycle's decisions and, when there is a previous cycle, the comparison with it."""

    name: str
    decided: list[Decided]
    since: str | None = None  # the previous cycle; None: this is the first
    rules_changed: bool = False
    compared: list[Compared] = field(default_factory=list)
    new: int = 0  # candidates only in this cycle
    gone: int = 0  # candidates only in the previous one


def section(calibration: Calibration, facts: CycleFacts) -> dict[str, Any]:
    """The report's `cycle` section."""
    book, r = calibration.book, calibration.redactor
    pages = {row.packet: row.page for row in calibration.rows}

    def who(packet: str, candidate_id: str | None, name: str | None) -> dict[str, Any]:
        if r is None:
            return {"page": pages.get(packet), "id": candidate_id, "candidate": name, "packet": packet}
        known = candidate_id is not None and candidate_id in r.candidates
        return {"page": pages.get(packet), "id": r.id(candidate_id) if known else None,
                "candidate": r.candidate(candidate_id) if known else None, "packet": r.packet(packet)}

    def decided_shown(item: Decided) -> dict[str, Any]:
        return who(item.packet, item.id, item.name)

    reasons = decisions.reasons(facts.decided, decided_shown)
    if r is not None:
        for entry in reasons:
            entry.update(reason=r.scrub(entry["reason"]), by=None)
    result: dict[str, Any] = {
        "name": facts.name,
        "decisions": decisions.table(facts.decided),
        "overrides": decisions.rates(book, facts.decided, calibration._group_labels,
                                     r.manager if r else (lambda name: name), calibration._scrubbed),
        "reasons": reasons,
        "movement": None,
    }
    if facts.since is not None:
        result["movement"] = movement.movement(
            facts.since, facts.rules_changed, facts.compared, facts.new, facts.gone,
            lambda item: who(item.packet, item.id, item.name),
            lambda level: None if level is None else (book.levels[level].name if level in book.levels else level))
    return result
