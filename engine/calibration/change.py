"""The fairness of a rule change, before it lands (`ladder impact --by`): readiness by group of
a candidate attribute under the rules before and after, with the groups too small to show
withheld as the committee's report withholds them (`fairness.shown_groups`; as there, that some
were is said, not how many), and a flag where the change widens the gap between two groups
beyond the parity threshold of calibration.yaml (`parity.max_gap`).

The same candidates are counted on both sides (those with a verdict under both rulebooks), so
each group's size, and so what is withheld, is the same before and after: only the rates move.
Plain data in and out: `ladder impact` (tooling) renders it, and never imports this layer."""
from __future__ import annotations

from collections import Counter
from itertools import combinations
from typing import Any, Iterable, Mapping, Sequence

from engine.calibration.fairness import RULE, label, shown_groups
from engine.matching.evaluate import READY
from engine.reading.model import Rulebook

FORMAT_ID = "ladder.impact-fairness/1"


def points(gap: float) -> str:
    """A gap in rates as percentage points, in words: 0.12 reads "12", 0.125 "12.5"."""
    return f"{gap * 100:.1f}".rstrip("0").rstrip(".")


def rule_change(book: Rulebook, outcomes: Iterable[tuple[Mapping[str, Any], str, str]], by: Sequence[str]) -> dict[str, Any]:
    """Readiness by group of each attribute in `by`, before and after, from each candidate's
    (attributes, verdict before, verdict after); `book` (the rules after the change) gives the
    smallest group shown and the threshold. A group's flag names the two groups whose gap the
    change widens most beyond the threshold (None when none does)."""
    settings = book.calibration
    outcomes = list(outcomes)
    threshold = settings.parity_max_gap
    attributes = []
    for name in by:
        sizes: Counter[str] = Counter()
        ready_before: Counter[str] = Counter()
        ready_after: Counter[str] = Counter()
        for carried, before, after in outcomes:
            if name in carried:
                value = str(carried[name])
                sizes[value] += 1
                ready_before[value] += before == READY
                ready_after[value] += after == READY
        carrying = sum(sizes.values())
        shown = shown_groups(dict(sizes), len(outcomes) - carrying, settings.min_group)
        groups = [{"group": value, "candidates": sizes[value], "ready_before": _rate(ready_before[value], sizes[value]),
                   "ready_after": _rate(ready_after[value], sizes[value])} for value in sorted(shown)]
        attributes.append({"attribute": name, "label": label(name), "carried_by": carrying, "groups": groups,
                           "withheld": len(shown) < len(sizes), "flag": _widened(groups, threshold)})
    return {"format": FORMAT_ID, "min_group": settings.min_group, "max_gap": threshold, "rule": _rule(settings.min_group),
            "candidates": len(outcomes),
            "cohort": {"ready_before": _rate(sum(o[1] == READY for o in outcomes), len(outcomes)),
                       "ready_after": _rate(sum(o[2] == READY for o in outcomes), len(outcomes))},
            "attributes": attributes,
            "known_attributes": sorted({key for carried, _, _ in outcomes for key in carried})}


def _rule(min_group: int) -> str:
    """The committee report's withholding rule, without its level-by-level part: impact shows
    each attribute's groups over the whole cohort only."""
    return RULE.format(n=min_group).split(" Level by level")[0]


def _rate(ready: int, size: int) -> float | None:
    return round(ready / size, 4) if size else None


def _widened(groups: list[dict[str, Any]], threshold: float) -> dict[str, Any] | None:
    """The pair of shown groups whose gap after the change is widest among those it widened
    past `threshold` (a gap already past it counts when the change widens it further); the
    group behind after the change is named first."""
    found = []
    for first, second in combinations(groups, 2):
        before = round(abs(first["ready_before"] - second["ready_before"]), 4)
        after = round(abs(first["ready_after"] - second["ready_after"]), 4)
        if after > threshold and after > before:
            behind, ahead = sorted((first, second), key=lambda g: (g["ready_after"], g["group"]))
            found.append((after, behind["group"], ahead["group"], before))
    if not found:
        return None
    after, behind, ahead, before = min(found, key=lambda f: (-f[0], f[1], f[2]))  # widest; ties by name
    return {"groups": [behind, ahead], "gap_before": before, "gap_after": after, "threshold": threshold,
            "message": f"widens the gap between {behind} and {ahead} from {points(before)} to {points(after)} points, "
                       f"beyond the {points(threshold)}-point threshold"}
