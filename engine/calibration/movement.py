"""Cycle over cycle: who moved between the previous cycle and this one (not ready, nearly, ready,
and back), and for each move whether the rules or the evidence moved it.

A verdict depends on two things that may both have changed between cycles: the rulebook and the
candidate's evidence. Judging each packet again with one of them swapped separates them:
last cycle's packet under this cycle's rules changes only the rules, and this cycle's packet
under last cycle's rules changes only the evidence. The attribution compares each of those with
last cycle's verdict (`attribute`); the judging itself is done a layer above, which reads the
store, and comes here as plain `Compared` records."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from engine.calibration.figures import RANK

RULES, EVIDENCE, BOTH, NEITHER = "rules", "evidence", "both", "neither_alone"
ATTRIBUTIONS = (RULES, EVIDENCE, BOTH, NEITHER)
RULE = ("Each move is attributed by judging the packets again with one change at a time: last cycle's packet under "
        "this cycle's rules (only the rules changed) and this cycle's packet under last cycle's rules (only the "
        "evidence changed). Rules: the new rules alone move last cycle's verdict and the new evidence alone does not. "
        "Evidence: the new evidence alone moves it and the new rules alone do not. Both: either change alone moves it. "
        "Neither alone: neither change moves it on its own; only the two together do.")


@dataclass(frozen=True)
class Compared:
    """A candidate in both cycles (one packet in each), matched by candidate id. Verdicts are
    None for a packet that could not be judged (invalid under those rules)."""

    packet: str  # their packet in this cycle
    id: str
    name: str
    target_before: str | None
    target_now: str | None
    before: str | None  # last cycle's verdict, as frozen
    now: str | None  # this cycle's, as frozen
    old_evidence_new_rules: str | None  # last cycle's packet under this cycle's rules
    new_evidence_old_rules: str | None  # this cycle's packet under last cycle's rules


def attribute(item: Compared) -> str:
    """What moved the verdict from `before` to `now`: RULES, EVIDENCE, BOTH or NEITHER (alone)."""
    rules_alone = item.old_evidence_new_rules != item.before
    evidence_alone = item.new_evidence_old_rules != item.before
    if rules_alone and evidence_alone:
        return BOTH
    if rules_alone:
        return RULES
    return EVIDENCE if evidence_alone else NEITHER


def direction(before: str | None, now: str | None) -> str:
    """up (towards ready), down, or changed (to or from a packet that could not be judged)."""
    if before is None or now is None:
        return "changed"
    return "up" if RANK[now] > RANK[before] else "down"


def movement(since: str, rules_changed: bool, compared: list[Compared], new: int, gone: int,
             shown: Callable[[Compared], dict[str, Any]], level_name: Callable[[str | None], str | None]) -> dict[str, Any]:
    """The moves between cycle `since` and this one among the `compared` candidates (in this
    cycle's order), each with its attribution; `new` candidates are only in this cycle, `gone`
    only in the last. `shown` gives a candidate's id, name and page as the report shows them."""
    moved = []
    for item in compared:
        if item.before == item.now:
            continue
        moved.append({**shown(item), "before": item.before, "now": item.now, "direction": direction(item.before, item.now),
                      "target_before": level_name(item.target_before), "target_now": level_name(item.target_now),
                      "old_evidence_new_rules": item.old_evidence_new_rules, "new_evidence_old_rules": item.new_evidence_old_rules,
                      "attribution": attribute(item)})
    return {"since": since, "rules_changed": rules_changed, "rule": RULE, "compared": len(compared), "new": new, "gone": gone,
            "unchanged": len(compared) - len(moved),
            "directions": {d: sum(m["direction"] == d for m in moved) for d in ("up", "down", "changed")},
            "attributions": {a: sum(m["attribution"] == a for m in moved) for a in ATTRIBUTIONS},
            "moved": moved}
